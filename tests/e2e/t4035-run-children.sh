#!/usr/bin/env bash
# t4035: `run --children` tracks every image a descendant execs, each into
# FILE.PID, while a child that forks without exec stays untracked; without
# the flag no child trace appears. Figures by hand from tests/native/spawns.c.
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
# The exec'd spawns, the sh its system() starts, and whatever sh execs: each image its own trace
# (sh may end with _exit, so its trace need not be complete).
children=("$TEST_TMP"/t.lhtrace.*)
[ ${#children[@]} -ge 2 ] || fail "expected a trace each for spawns exec'd and sh, found: ${children[*]}"

j() { json_get "$TEST_TMP/report.json" "$1"; }
expect_status 0 "$LEAKHOUND" report --json --top 50 "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
[ "$(j 'r.sites.find(s => s.site && s.site.function === "parent_leak").live_bytes')" = 320 ] ||
	fail "parent's leak: $(j 'JSON.stringify(r.sites[0])')"
[ "$(j 'r.sites.some(s => s.site && /forked_leak|execd_leak/.test(s.site.function))')" = false ] ||
	fail "a child's allocations are in the parent's trace"

found=0
for t in "${children[@]}"; do
	expect_status 0 "$LEAKHOUND" report --json --top 50 "$t"
	cp "$TEST_TMP/out" "$TEST_TMP/report.json"
	[ "$(j 'r.sites.some(s => s.site && s.site.function === "forked_leak")')" = false ] ||
		fail "$t: the forked (not exec'd) child was tracked"
	if [ "$(j 'r.sites.some(s => s.site && s.site.function === "execd_leak")')" = true ]; then
		found=$((found + 1))
		[ "$(j r.complete)" = true ] || fail "$t: the exec'd child's trace is not complete"
		[ "$(j "r.pid")" = "${t##*.}" ] || fail "$t: trace of pid $(j r.pid)"
		[ "$(j r.sites[0].site.line)" = "$line" ] || fail "$t: top site $(j 'JSON.stringify(r.sites[0].site)')"
		[ "$(j r.sites[0].live_bytes)" = 2400 ] || fail "$t: exec'd child's leak $(j r.sites[0].live_bytes), expected 50 x 48"
	fi
done
[ $found -eq 1 ] || fail "the exec'd child's leak is in $found traces, expected 1"
