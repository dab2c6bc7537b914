#!/usr/bin/env bash
# t4030: a program that forks (the child runs untracked and must not touch
# the trace) and forks+execs another program (inherits LD_PRELOAD, also
# untracked): the parent's trace is complete and counts only its own leaks.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native forks forks.c
line=$(leak_line forks.c)

expect_status 0 "$LEAKHOUND" run -q -o "$TEST_TMP/t.lhtrace" --interval 20ms -- "$TEST_TMP/forks"
[ "$(sort "$TEST_TMP/out" | tr '\n' '|')" = "child done|parent done, child exit 0|" ] || fail "stdout: $(cat "$TEST_TMP/out")"
expect_status 0 "$LEAKHOUND" report --json --top 50 "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
[ "$(j r.complete)" = true ] || fail "trace not complete"
[ "$(j r.sites[0].site.line)" = "$line" ] || fail "top site: $(j 'JSON.stringify(r.sites[0].site)')"
[ "$(j r.sites[0].live_bytes)" = 6400 ] || fail "parent's leak: $(j r.sites[0].live_bytes) bytes, expected 200 x 32"
[ "$(j 'r.sites.some(s => s.site && s.site.function === "child_leak")')" = false ] || fail "the child's allocations are in the trace"
exit 0
