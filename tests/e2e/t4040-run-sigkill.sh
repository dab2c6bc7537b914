#!/usr/bin/env bash
# t4040: a program SIGKILLed mid-run: `run` passes on the signal status,
# and `report` still reads the trace (marked incomplete) and ranks the
# growing site first with a positive growth rate.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native leak leak.c
line=$(leak_line leak.c)

# 100000 leaks with a 2 ms pause each: runs for minutes unless killed.
"$LEAKHOUND" run -o "$TEST_TMP/t.lhtrace" --interval 100ms -- "$TEST_TMP/leak" 100000 2 \
	>"$TEST_TMP/run.out" 2>"$TEST_TMP/run.err" &
runner=$!
sleep 1.5
child=$(pgrep -P "$runner" || true)
[ -n "$child" ] || fail "cannot find the tracked program (child of $runner)"
kill -KILL "$child"
rc=0
wait "$runner" || rc=$?
[ $rc -eq 137 ] || fail "run exited $rc, expected 137 (128 + SIGKILL)"
grep -q "killed by signal 9" "$TEST_TMP/run.err" || fail "run's stderr: $(cat "$TEST_TMP/run.err")"

expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/t.lhtrace"
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
j() { json_get "$TEST_TMP/report.json" "$1"; }
[ "$(j r.complete)" = false ] || fail "a killed program's trace says complete"
[ "$(j 'r.snapshots >= 5')" = true ] || fail "only $(j r.snapshots) snapshots in 1.5 s at 100 ms"
[ "$(j r.sites[0].site.line)" = "$line" ] || fail "top site: $(j 'JSON.stringify(r.sites[0].site)')"
[ "$(j 'r.sites[0].growth_bytes_per_s > 1000')" = true ] || fail "growth $(j r.sites[0].growth_bytes_per_s) B/s"
[ "$(j 'r.sites[0].live_bytes === r.sites[0].live_blocks * 100')" = true ] || fail "bytes vs blocks: $(j 'JSON.stringify(r.sites[0])')"
expect_status 0 "$LEAKHOUND" report "$TEST_TMP/t.lhtrace"
grep -q "INCOMPLETE" "$TEST_TMP/out" || fail "text report does not say the trace is incomplete"

# A trace cut in the middle of a record (as a kill during a write leaves it) still reads.
size=$(stat -c %s "$TEST_TMP/t.lhtrace")
head -c $((size - 13)) "$TEST_TMP/t.lhtrace" >"$TEST_TMP/cut.lhtrace"
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/cut.lhtrace"
exit 0
