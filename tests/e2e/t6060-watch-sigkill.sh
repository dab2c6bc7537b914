#!/usr/bin/env bash
# t6060: a watch survives SIGKILL of either side. The program SIGKILLed
# mid-run: watch ends, says so, and gives a verdict from what it collected
# (parts that sum, the samples up to the kill). leakhound SIGKILLed mid-run:
# the program runs on to its own end (the agent never keeps it from it), and
# `report DIR` gives a verdict from the directory, marked incomplete.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"

# samples_at_least DIR N: waits (up to 60 s) for N rows in DIR/timeline.tsv.
samples_at_least() {
	for _ in $(seq 600); do
		[ "$(cat "$1/timeline.tsv" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "no $2 samples in $1 after 60 s"
}

# 1. The program is killed.
"$LEAKHOUND" watch --json --quiet --warmup 1s -o "$TEST_TMP/a" -- \
	node "$WATCH_DIR/service.js" map 20 60000 "$TEST_TMP/a.log" >"$TEST_TMP/a.json" 2>"$TEST_TMP/a.err" &
watcher=$!
samples_at_least "$TEST_TMP/a" 8
kill -9 "$(sed -n 's/^pid=//p' "$TEST_TMP/a/watch.info")"
status=0
wait "$watcher" || status=$?
[ "$status" -le 1 ] || fail "watch exited $status after its program was killed: $(cat "$TEST_TMP/a.err")"
node -e '
const w = require(process.env.CHECK);
const v = w.load(process.argv[1]);
const bad = [];
if (!/killed by signal 9/.test(v.ended) || !v.complete) bad.push("the verdict does not say the program was killed: " + v.ended);
if (v.samples.length < 7) bad.push(`${v.samples.length} samples`);
if (v.window_end_s <= v.window_start_s) bad.push("no attribution window");
else w.checkSum(v, bad);
w.finish(bad);' "$TEST_TMP/a.json" || fail "the verdict after the program was killed"

# 2. leakhound is killed; the program (12 s) runs on to its end.
"$LEAKHOUND" watch --json --quiet --warmup 1s -o "$TEST_TMP/b" -- \
	node "$WATCH_DIR/service.js" map 20 12000 "$TEST_TMP/b.log" >/dev/null 2>&1 &
watcher=$!
samples_at_least "$TEST_TMP/b" 6
kill -9 "$watcher"
wait "$watcher" 2>/dev/null || true
for _ in $(seq 600); do [ -s "$TEST_TMP/b.log" ] && break; sleep 0.1; done
[ -s "$TEST_TMP/b.log" ] || fail "the program did not run to its end once leakhound was killed"
status=0
"$LEAKHOUND" report --json "$TEST_TMP/b" >"$TEST_TMP/b.json" 2>"$TEST_TMP/b.err" || status=$?
[ "$status" -le 1 ] || fail "report DIR exited $status: $(cat "$TEST_TMP/b.err")"
node -e '
const w = require(process.env.CHECK);
const v = w.load(process.argv[1]);
const bad = [];
if (v.complete || !/did not finish/.test(v.ended)) bad.push("the verdict is not marked incomplete: " + v.ended);
if (v.samples.length < 6) bad.push(`${v.samples.length} samples`);
if (!v.native) bad.push("the native trace was not read");
if (v.window_end_s > v.window_start_s) w.checkSum(v, bad);
w.finish(bad);' "$TEST_TMP/b.json" || fail "report DIR after leakhound was killed"
