#!/usr/bin/env bash
# t7010: every command behaves like a Linux tool: --help (the usage made
# from its option table, every option listed) and --version on each one,
# 'leakhound help CMD', exact option names (no silent prefixes), short
# forms, values given as --opt=V; run's default trace name has the
# program's pid and no trace is silently overwritten.
. "$(dirname "$0")/lib.sh"
version=$("$LEAKHOUND" --version)
[[ $version =~ ^leakhound\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version: $version"
commands=$("$LEAKHOUND" --list-commands | grep -vx help)
[ "$(wc -w <<<"$commands")" -ge 10 ] || fail "commands: $commands"
for c in $commands; do
	expect_status 0 "$LEAKHOUND" "$c" --help
	head -1 "$TEST_TMP/out" | grep -q "^usage: leakhound " || fail "$c --help: no usage line: $(head -2 "$TEST_TMP/out")"
	sed '/^$/q' "$TEST_TMP/out" | grep -q "leakhound $c " || fail "$c --help: $c is not in the usage: $(head -3 "$TEST_TMP/out")"
	for o in $("$LEAKHOUND" "$c" --list-options); do
		grep -qE -- "(^ +|, )$o( |$)" "$TEST_TMP/out" || fail "$c --help does not describe $o"
	done
	cp "$TEST_TMP/out" "$TEST_TMP/help"
	expect_status 0 "$LEAKHOUND" help "$c"
	cmp -s "$TEST_TMP/out" "$TEST_TMP/help" || fail "'help $c' differs from '$c --help'"
	expect_status 0 "$LEAKHOUND" "$c" -h
	cmp -s "$TEST_TMP/out" "$TEST_TMP/help" || fail "'$c -h' differs from '$c --help'"
	expect_status 0 "$LEAKHOUND" "$c" --version
	[ "$(cat "$TEST_TMP/out")" = "$version" ] || fail "$c --version: $(cat "$TEST_TMP/out")"
	# Help lines fit a terminal.
	[ "$(awk 'length > 100' "$TEST_TMP/help" | wc -l)" -eq 0 ] || fail "$c --help has lines over 100 columns"
done
expect_status 3 "$LEAKHOUND" help no-such-command
expect_status 3 "$LEAKHOUND" no-such-command

snap="$LEAKHOUND_ROOT/examples/handle-scope-leak/leak.heapsnapshot.gz"
expect_status 0 "$LEAKHOUND" top --top 3 --json "$snap"
cp "$TEST_TMP/out" "$TEST_TMP/top3"
# Abbreviations are errors, never guesses.
expect_status 3 "$LEAKHOUND" top --to 3 --json "$snap"
grep -q "unknown option '--to'" "$TEST_TMP/err" || fail "--to: $(cat "$TEST_TMP/err")"
expect_status 3 "$LEAKHOUND" top --top 3 --js "$snap"
expect_status 3 "$LEAKHOUND" summary --json=yes "$snap"
expect_status 3 "$LEAKHOUND" top --top
# --opt=V, options after the file, and "--" are all the same command line.
expect_status 0 "$LEAKHOUND" top --top=3 --json "$snap"
cmp -s "$TEST_TMP/out" "$TEST_TMP/top3" || fail "--top=3 differs from --top 3"
expect_status 0 "$LEAKHOUND" top "$snap" --json --top 3
cmp -s "$TEST_TMP/out" "$TEST_TMP/top3" || fail "options after the file differ"
expect_status 0 "$LEAKHOUND" top --json --top 3 -- "$snap"
cmp -s "$TEST_TMP/out" "$TEST_TMP/top3" || fail "'--' before the file differs"

# run: the default trace is leakhound.PID.lhtrace, PID the program's (sh prints its own).
command -v sh >/dev/null || skip "no sh"
mkdir "$TEST_TMP/cwd" && cd "$TEST_TMP/cwd"
expect_status 0 "$LEAKHOUND" run -q -- sh -c 'echo $$'
pid=$(cat "$TEST_TMP/out")
[ -s "leakhound.$pid.lhtrace" ] || fail "no leakhound.$pid.lhtrace: $(ls)"
expect_status 0 "$LEAKHOUND" run -- sh -c 'echo $$'
grep -q "trace written to leakhound.$(cat "$TEST_TMP/out").lhtrace" "$TEST_TMP/err" || fail "closing line: $(cat "$TEST_TMP/err")"
# -o never overwrites silently; -f does.
echo "keep me" >existing.lhtrace
expect_status 3 "$LEAKHOUND" run -q -o existing.lhtrace -- true
grep -q "exists" "$TEST_TMP/err" || fail "no word on the existing file: $(cat "$TEST_TMP/err")"
[ "$(cat existing.lhtrace)" = "keep me" ] || fail "the existing file was changed"
expect_status 0 "$LEAKHOUND" run -q -f -o existing.lhtrace -- true
expect_status 0 "$LEAKHOUND" report --json existing.lhtrace
# Short forms cluster as usual: -qfo FILE.
expect_status 0 "$LEAKHOUND" run -qfo existing.lhtrace -- true
# Options after the program are the program's.
expect_status 0 "$LEAKHOUND" run -q -f -o existing.lhtrace -- sh -c 'echo "$@"' sh --json -o x
[ "$(cat "$TEST_TMP/out")" = "--json -o x" ] || fail "the program's arguments: $(cat "$TEST_TMP/out")"
expect_status 0 "$LEAKHOUND" run -q -f -o existing.lhtrace sh -c 'echo "$@"' sh --help
[ "$(cat "$TEST_TMP/out")" = "--help" ] || fail "the program's --help was taken by run: $(cat "$TEST_TMP/out")"
exit 0
