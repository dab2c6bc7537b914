#!/usr/bin/env bash
# t7000: `make install PREFIX=/usr/local DESTDIR=...` lays out a tree that
# works where it lands and wherever it is moved: the installed binary finds
# its preload library in ../lib/leakhound/ (not the build folder's) and
# tracks a real program; man pages render cleanly, one per command; the bash
# completion offers each command's options.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
command -v make >/dev/null || skip "make is not installed"
build=$(realpath --relative-to="$LEAKHOUND_ROOT" "$(dirname "$LEAKHOUND")")
root="$TEST_TMP/root"
make -s -C "$LEAKHOUND_ROOT" BUILD="$build" PREFIX=/usr/local DESTDIR="$root" install >"$TEST_TMP/make.log" 2>&1 ||
	fail "make install: $(tail -5 "$TEST_TMP/make.log")"
lh="$root/usr/local/bin/leakhound"
[ -x "$lh" ] || fail "no binary at $lh"
[ -f "$root/usr/local/lib/leakhound/libleakhound-preload.so" ] || fail "no preload library in lib/leakhound"
commands=$("$lh" --list-commands | grep -vx help)
for c in $commands; do
	page="$root/usr/local/share/man/man1/leakhound-$c.1"
	[ -f "$page" ] || fail "no man page for $c"
	warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail "groff failed on $page"
	[ -z "$warnings" ] || fail "groff warns on $page: $warnings"
	# Every option of the command is in its page.
	for o in $("$lh" "$c" --list-options); do
		grep -qF -- "\\fB$(sed 's/-/\\-/g' <<<"$o")\\fR" "$page" ||
			fail "$c's man page does not list $o"
	done
done
[ -f "$root/usr/local/share/man/man1/leakhound.1" ] || fail "no leakhound(1)"

# Moved elsewhere (as a package manager's DESTDIR is), with the build folder's library out of reach.
mv "$root/usr/local" "$TEST_TMP/moved"
lh="$TEST_TMP/moved/bin/leakhound"
build_native leak leak.c
cd "$TEST_TMP"
env -u LEAKHOUND_PRELOAD "$lh" run -q -o "$TEST_TMP/maps.lhtrace" -- grep -m1 -F libleakhound-preload.so /proc/self/maps >"$TEST_TMP/maps" ||
	fail "the installed binary could not run grep"
grep -qF "$TEST_TMP/moved/lib/leakhound/libleakhound-preload.so" "$TEST_TMP/maps" ||
	fail "the tracked program did not load the installed library: $(cat "$TEST_TMP/maps")"
expect_status 3 env -u LEAKHOUND_PRELOAD "$lh" run -q -o "$TEST_TMP/t.lhtrace" -- "$TEST_TMP/leak" 50
expect_status 0 "$lh" report --json "$TEST_TMP/t.lhtrace"
[ "$(json_get "$TEST_TMP/out" 'r.sites[0].live_bytes + " " + r.sites[0].site.function')" = "5000 leak_one" ] ||
	fail "installed run+report: $(json_get "$TEST_TMP/out" 'JSON.stringify(r.sites[0])')"
# LEAKHOUND_PRELOAD still overrides.
expect_status 4 env LEAKHOUND_PRELOAD="$TEST_TMP/none.so" "$lh" run -q -o "$TEST_TMP/x.lhtrace" -- true
grep -q "none.so" "$TEST_TMP/err" || fail "LEAKHOUND_PRELOAD not used: $(cat "$TEST_TMP/err")"

# The bash completion asks the binary it completes.
completion="$TEST_TMP/moved/share/bash-completion/completions/leakhound"
[ -f "$completion" ] || fail "no bash completion installed"
got=$(bash -c '. "$1"; COMP_WORDS=("$2" report --for); COMP_CWORD=2; _leakhound; printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$lh")
[ "$got" = "--format" ] || fail "completing 'report --for': '$got'"
got=$(bash -c '. "$1"; COMP_WORDS=("$2" tr); COMP_CWORD=1; _leakhound; printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$lh")
[ "$got" = "trend" ] || fail "completing 'tr': '$got'"
exit 0
