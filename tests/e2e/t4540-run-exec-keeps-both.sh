#!/usr/bin/env bash
# t4540: a tracked program that execs another keeps its pid, and the new
# image's tracker starts again. Both images' traces are kept, apart: the
# first (its leak, its run time) moves to FILE.exec-1, ended by a record
# naming the program it exec'd, and FILE holds the second. It used to be
# truncated: the first image's data was lost and the second's reported as
# the first's.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native exec_chain exec_chain.c
line=$(leak_line exec_chain.c)
: >"$TEST_TMP/t.lhtrace.exec-2" # a stale image trace from an earlier run: removed by run

expect_status 0 "$LEAKHOUND" run -o "$TEST_TMP/t.lhtrace" --interval 10ms -- "$TEST_TMP/exec_chain" 11 123
grep -q "exec'd another program: the trace before the exec is kept apart, in .*t.lhtrace.exec-1;" "$TEST_TMP/err" || fail "run's stderr: $(cat "$TEST_TMP/err")"
[ ! -e "$TEST_TMP/t.lhtrace.exec-2" ] || fail "the stale t.lhtrace.exec-2 is still there"

expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace.exec-1"
cp "$TEST_TMP/out" "$TEST_TMP/first.json"
f() { json_get "$TEST_TMP/first.json" "$1"; }
[ "$(f 'r.exec !== null && r.exec.endsWith("/exec_chain")')" = true ] || fail "first image's exec: $(f r.exec)"
[ "$(f r.complete)" = false ] || fail "the first image did not exit, yet its trace says complete"
[ "$(f "r.sites.filter(s => s.site && s.site.function === 'first_image_leak' && s.site.line === $line).map(s => s.live_blocks + ':' + s.live_bytes).join()")" = "11:1353" ] ||
	fail "first image's leak: $(f 'JSON.stringify(r.sites.map(s => [s.site && s.site.function, s.live_blocks]))')"
[ "$(f "r.sites.some(s => s.site && s.site.function === 'second_image_leak')")" = false ] || fail "the second image's leak is in the first's trace"

expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/second.json"
s() { json_get "$TEST_TMP/second.json" "$1"; }
[ "$(s 'r.complete && r.exec === null')" = true ] || fail "second image: complete $(s r.complete), exec $(s r.exec)"
[ "$(s "r.sites.filter(s => s.site && s.site.function === 'second_image_leak').map(s => s.live_blocks + ':' + s.live_bytes).join()")" = "7:2331" ] ||
	fail "second image's leak: $(s 'JSON.stringify(r.sites.map(s => [s.site && s.site.function, s.live_blocks]))')"
[ "$(s "r.sites.some(s => s.site && s.site.function === 'first_image_leak')")" = false ] || fail "the first image's leak is in the second's trace"
expect_status 0 "$LEAKHOUND" report "$TEST_TMP/t.lhtrace.exec-1"
grep -q "then it exec'd .*exec_chain" "$TEST_TMP/out" || fail "text report does not say it exec'd"
exit 0
