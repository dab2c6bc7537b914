#!/usr/bin/env bash
# t6050: watch on a steady service (request-like work that keeps nothing):
# exit 0, no finding on any part, the parts sum to the RSS growth, and the
# timeline covers the run (a sample per interval).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"
watch_service st steady 20 20000 "" --warmup 3s
[ "$watch_status" -eq 0 ] || fail "expected exit 0, got $watch_status: $(head -c 1500 "$TEST_TMP/st.json")"
node -e '
const w = require(process.env.CHECK);
const v = w.load(process.argv[1]);
const bad = [];
w.checkSum(v, bad);
if (v.leak_suspected) bad.push("a leak is suspected");
const onParts = v.findings.filter((f) => f.part !== null && f.id !== "allocator-retention");
if (onParts.length) bad.push("findings on a steady service: " + JSON.stringify(onParts));
if (v.samples.length < 15) bad.push(`only ${v.samples.length} samples in 20 s`);
// During a snapshot the agent is paused with the program: those samples come from /proc alone.
if (v.samples.filter((s) => s.v8).length < 0.7 * v.samples.length) bad.push("most samples lack V8 numbers");
w.finish(bad);' "$TEST_TMP/st.json" || fail "watch's verdict on a steady service"
