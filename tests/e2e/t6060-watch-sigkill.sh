#!/usr/bin/env bash
# t6060: a watch survives SIGKILL of either side. The program SIGKILLed
# mid-run: watch ends, says so, and gives a verdict from what it collected
# (parts that sum, the samples up to the kill). leakhound SIGKILLed mid-run:
# the program runs on to its own end (the agent never keeps it from it), and
# `report DIR` gives a verdict from the directory, marked incomplete, with
# the JS side of the snapshots taken before the kill: the Session class the
# service leaks grew by what the service's own log says it inserted between
# the first and the last of them.
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

# after_second_snapshot DIR: waits (up to 60 s) for a sample 4 s past the end of
# DIR's second snapshot. The attribution window needs two samples away from
# any snapshot (verdict.c: sample_full), and a fixed count of samples does not
# always hold them: under load each snapshot's pause and the 1.5 intervals
# after it took 8 samples of 8 (seen: window 3.2-4.1 s, one sample apart).
# Snapshots begin at least 3 s after the previous one ended, so each gap
# holds one usable sample: the one between the first two, and this one.
after_second_snapshot() {
	local end
	for _ in $(seq 600); do
		end=$(awk '$1 == "end" { n++; if (n == 2) print $2 }' "$1/snapshots.tsv" 2>/dev/null || true)
		[ -n "$end" ] && awk -v e="$end" '$1 >= e + 4 { f = 1 } END { exit !f }' "$1/timeline.tsv" && return 0
		sleep 0.1
	done
	fail "no sample 4 s after a second snapshot in $1 after 60 s"
}

# 1. The program is killed.
"$LEAKHOUND" watch --json --quiet --warmup 1s -o "$TEST_TMP/a" -- \
	node "$WATCH_DIR/service.js" map 20 60000 "$TEST_TMP/a.log" >"$TEST_TMP/a.json" 2>"$TEST_TMP/a.err" &
watcher=$!
after_second_snapshot "$TEST_TMP/a"
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

# 2. leakhound is killed once it has two snapshots; the program (15 s) runs on to its end.
"$LEAKHOUND" watch --json --quiet --warmup 1s -o "$TEST_TMP/b" -- \
	node "$WATCH_DIR/service.js" map 20 15000 "$TEST_TMP/b.log" >/dev/null 2>&1 &
watcher=$!
samples_at_least "$TEST_TMP/b" 6
for _ in $(seq 600); do
	[ "$(grep -c '^begin' "$TEST_TMP/b/snapshots.tsv" 2>/dev/null)" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -c '^begin' "$TEST_TMP/b/snapshots.tsv" 2>/dev/null)" -ge 2 ] || fail "no two snapshots in 60 s"
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
const points = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const s = v.js_classes.find((c) => c.class === "Session");
const first = v.snapshots[0], last = v.snapshots[v.snapshots.length - 1];
if (v.snapshots.length < 2) bad.push(`${v.snapshots.length} snapshots in the verdict`);
else if (!s) bad.push("Session is not among the growing classes: " + JSON.stringify(v.js_classes));
else {
  const inserted = w.unitsAt(points, v.start_unix_s + last.t_s) - w.unitsAt(points, v.start_unix_s + first.t_s);
  if (Math.abs(s.count_last - s.count_first - inserted) > 0.03 * inserted + 40)
    bad.push(`Session grew by ${s.count_last - s.count_first} objects; the service inserted ${inserted} between the snapshots`);
}
w.finish(bad);' "$TEST_TMP/b.json" "$TEST_TMP/b.log" || fail "report DIR after leakhound was killed"
