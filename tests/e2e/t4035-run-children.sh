#!/usr/bin/env bash
# t4035: `run --children` tracks every descendant, each into FILE.PID: a
# child that forks without exec from its fork on (its trace also holds
# what it inherited), and every image a descendant execs; without the flag
# no child trace appears. Figures by hand from tests/native/spawns.c.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native spawns spawns.c
line=$(leak_line spawns.c)

expect_status 0 "$LEAKHOUND" run -q -o "$TEST_TMP/plain.lhtrace" --interval 20ms -- "$TEST_TMP/spawns"
[ "$(cat "$TEST_TMP/out")" = "forked child 0, exec'd child 0" ] || fail "stdout: $(cat "$TEST_TMP/out")"
! ls "$TEST_TMP"/plain.lhtrace.* >/dev/null 2>&1 || fail "child traces without --children: $(ls "$TEST_TMP")"

expect_status 0 "$LEAKHOUND" run --children -o "$TEST_TMP/t.lhtrace" --interval 20ms -- "$TEST_TMP/spawns"
[ "$(cat "$TEST_TMP/out")" = "forked child 0, exec'd child 0" ] || fail "stdout: $(cat "$TEST_TMP/out")"
grep -q "children's to FILE.PID" "$TEST_TMP/err" || fail "closing line: $(cat "$TEST_TMP/err")"
# The forked child, the exec'd spawns, the sh its system() starts, and whatever sh execs: each its
# own trace (sh may end with _exit, so its trace need not be complete).
children=("$TEST_TMP"/t.lhtrace.*)
[ ${#children[@]} -ge 3 ] || fail "expected a trace each for the forked child, spawns exec'd and sh, found: ${children[*]}"

j() { json_get "$TEST_TMP/report.json" "$1"; }
expect_status 0 "$LEAKHOUND" report --json --top 50 "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
[ "$(j 'r.sites.find(s => s.site && s.site.function === "parent_leak").live_bytes')" = 320 ] ||
	fail "parent's leak: $(j 'JSON.stringify(r.sites[0])')"
[ "$(j 'r.sites.some(s => s.site && /forked_leak|execd_leak/.test(s.site.function))')" = false ] ||
	fail "a child's allocations are in the parent's trace"

found=0 forked=0
fn() { j "r.sites.filter(s => s.site && s.site.function === '$1').reduce((a, s) => a + s.$2, 0)"; }
for t in "${children[@]}"; do
	expect_status 0 "$LEAKHOUND" report --json --top 50 "$t"
	cp "$TEST_TMP/out" "$TEST_TMP/report.json"
	if [ "$(j 'r.sites.some(s => s.site && s.site.function === "forked_leak")')" = true ]; then
		forked=$((forked + 1))
		[ "$(j r.complete)" = true ] || fail "$t: the forked child's trace is not complete (it exits normally)"
		[ "$(j "r.pid")" = "${t##*.}" ] || fail "$t: trace of pid $(j r.pid)"
		[ "$(fn forked_leak live_bytes) $(fn forked_leak live_blocks)" = "1000000 1000" ] ||
			fail "$t: forked child's leak $(fn forked_leak live_bytes) B in $(fn forked_leak live_blocks), expected 1000 x 1000"
		[ "$(fn parent_leak live_bytes)" = 320 ] || fail "$t: inherited blocks $(fn parent_leak live_bytes) B, expected 10 x 32"
	fi
	if [ "$(j 'r.sites.some(s => s.site && s.site.function === "execd_leak")')" = true ]; then
		found=$((found + 1))
		[ "$(j r.complete)" = true ] || fail "$t: the exec'd child's trace is not complete"
		[ "$(j "r.pid")" = "${t##*.}" ] || fail "$t: trace of pid $(j r.pid)"
		[ "$(j r.sites[0].site.line)" = "$line" ] || fail "$t: top site $(j 'JSON.stringify(r.sites[0].site)')"
		[ "$(j r.sites[0].live_bytes)" = 2400 ] || fail "$t: exec'd child's leak $(j r.sites[0].live_bytes), expected 50 x 48"
	fi
done
[ $found -eq 1 ] || fail "the exec'd child's leak is in $found traces, expected 1"
[ $forked -eq 1 ] || fail "the forked child's leak is in $forked traces, expected 1"
