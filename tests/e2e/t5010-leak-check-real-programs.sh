#!/usr/bin/env bash
# t5010: `leakhound run --leak-check` against Valgrind Memcheck on ordinary
# Debian programs (coreutils, grep, sed, find, awk, tar, diff): their libc
# state at exit (stdio, locale, regex, NSS for ls -l, the freeres pass) is
# what real programs leave, which the small programs of t5000 do not cover.
# No sources, so only the four categories and the heuristic sub-totals of
# the check at exit are compared (JSON and stderr). LC_ALL=C and TZ=UTC;
# programs that copy their environment into the heap (perl: 4 blocks per
# variable) are left out, since each tool adds its own variables.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
command -v valgrind >/dev/null || skip "valgrind is not installed"
COMPARE="$LEAKHOUND_ROOT/tests/native/leakcheck/compare.js"
export LC_ALL=C TZ=UTC
mkdir "$TEST_TMP/dir" "$TEST_TMP/out"
printf 'banana\napple\ncherry\napple\n' >"$TEST_TMP/dir/fruit.txt"
cd "$TEST_TMP/dir"

programs=(
	"ls -l $TEST_TMP/dir"
	"sort fruit.txt"
	"grep -E a(p|n)+ fruit.txt"
	"sed s/a/x/g fruit.txt"
	"find $TEST_TMP/dir -name *.txt"
	"date -d @0"
	"awk {print} fruit.txt"
	"tar cf /dev/null fruit.txt"
	"diff fruit.txt fruit.txt"
	"gzip -c fruit.txt"
)

# compare_one N: program N under both tools (outputs outside the listed folder).
compare_one() {
	local n=$1 out="$TEST_TMP/out/$1"
	local -a cmd
	read -r -a cmd <<<"${programs[$n]}"
	command -v "${cmd[0]}" >/dev/null || { echo "skipped: ${cmd[0]} is not installed" >"$out.skip"; return 0; }
	valgrind --leak-check=full --show-leak-kinds=all --log-file="$out.vg" "${cmd[@]}" >/dev/null 2>&1 ||
		{ echo "${programs[$n]}: fails under valgrind" >"$out.disagree"; return 0; }
	"$LEAKHOUND" run --leak-check --interval 1440m -o "$out.lhtrace" -- "${cmd[@]}" >/dev/null 2>"$out.err" ||
		{ echo "${programs[$n]}: fails under leakhound: $(tail -3 "$out.err")" >"$out.disagree"; return 0; }
	"$LEAKHOUND" report --json "$out.lhtrace" >"$out.json" ||
		{ echo "${programs[$n]}: leakhound report fails" >"$out.disagree"; return 0; }
	node "$COMPARE" summaries "${programs[$n]}" "$out.vg" "$out.json" "$out.err" >"$out.disagree" || true
}

for n in "${!programs[@]}"; do
	compare_one "$n" &
	[ $((n % 2)) -eq 0 ] || wait
done
wait
cat "$TEST_TMP"/out/*.disagree >"$TEST_TMP/disagreements"
[ ! -s "$TEST_TMP/disagreements" ] || fail "leakhound and Memcheck disagree:
$(cat "$TEST_TMP/disagreements")"
ran=$(ls "$TEST_TMP"/out/*.json 2>/dev/null | wc -l)
[ "$ran" -ge 5 ] || fail "only $ran of ${#programs[@]} programs ran"
exit 0
