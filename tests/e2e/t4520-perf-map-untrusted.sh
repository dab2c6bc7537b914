#!/usr/bin/env bash
# t4520: /tmp/perf-PID.map is anyone's to plant. `report` and `run
# --leak-check` open it only for a trace made with --js-frames, never
# block on it, and take only a regular file (no symlink) owned by the
# tracked program's user: a FIFO there used to hang both, a symlink to
# /dev/zero hung `report`.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
build_native exit_ways exit_ways.c
rm_maps() { rm -f "/tmp/perf-$1.map"; }

# run --leak-check with a FIFO planted at the program's map while it runs (no --js-frames).
"$LEAKHOUND" run --leak-check -o "$TEST_TMP/t.lhtrace" -- "$TEST_TMP/exit_ways" wait "$TEST_TMP/w" \
	>"$TEST_TMP/run.out" 2>"$TEST_TMP/run.err" &
runner=$!
for i in $(seq 200); do [ -s "$TEST_TMP/w.pid" ] && break; sleep 0.05; done
pid=$(cat "$TEST_TMP/w.pid")
trap 'rm_maps "$pid"; rm -rf "$TEST_TMP"' EXIT
rm_maps "$pid"
mkfifo "/tmp/perf-$pid.map"
touch "$TEST_TMP/w.go"
for i in $(seq 200); do kill -0 $runner 2>/dev/null || break; sleep 0.05; done
if kill -0 $runner 2>/dev/null; then
	kill $runner
	fail "run --leak-check hangs on a FIFO at /tmp/perf-$pid.map"
fi
wait $runner || fail "run: $(cat "$TEST_TMP/run.err")"
grep -q "LEAK SUMMARY" "$TEST_TMP/run.err" || fail "no leak check: $(cat "$TEST_TMP/run.err")"
expect_status 0 timeout 10 "$LEAKHOUND" report "$TEST_TMP/t.lhtrace"

# A trace made with --js-frames (the flag is in its header): a FIFO, a symlink to /dev/zero.
expect_status 0 "$LEAKHOUND" run --js-frames -o "$TEST_TMP/j.lhtrace" -- "$TEST_TMP/exit_ways" exit 0
expect_status 0 "$LEAKHOUND" report --json "$TEST_TMP/j.lhtrace"
jpid=$(json_get "$TEST_TMP/out" r.pid)
trap 'rm_maps "$pid"; rm_maps "$jpid"; rm -rf "$TEST_TMP"' EXIT
rm_maps "$jpid"
mkfifo "/tmp/perf-$jpid.map"
expect_status 0 timeout 10 "$LEAKHOUND" report "$TEST_TMP/j.lhtrace"
rm_maps "$jpid"
ln -s /dev/zero "/tmp/perf-$jpid.map"
expect_status 0 timeout 10 "$LEAKHOUND" report "$TEST_TMP/j.lhtrace"
exit 0
