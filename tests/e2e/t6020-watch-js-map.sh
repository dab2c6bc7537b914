#!/usr/bin/env bash
# t6020: watch on a JS leak, a Map cache of Session objects never evicted:
# js-heap is the part that grew; check's finding names Session and a retainer
# path through the cache; the Session count of the snapshot series grew by
# what the service inserted between the first and the last snapshot (its own
# log); the parts sum to the RSS growth; exit 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"
watch_service map map 20 60000 "" --warmup 2s --duration 25s
[ "$watch_status" -eq 1 ] || fail "expected exit 1 (leak suspected), got $watch_status"
node -e '
const w = require(process.env.CHECK), fs = require("fs");
const [json, log] = process.argv.slice(1);
const v = w.load(json), points = JSON.parse(fs.readFileSync(log, "utf8"));
const bad = [];
w.checkSum(v, bad);
const js = w.part(v, "js-heap");
for (const p of ["native-malloc", "array-buffers"])
  if (w.part(v, p).growth_bytes > js.growth_bytes / 4) bad.push(`${p} grew more than a quarter of js-heap`);
const f = v.findings.find((x) => x.id === "js-heap-growth");
if (!f || !f.explanation.includes("Session") || !/sessionCache -> Map/.test(f.explanation))
  bad.push("no js-heap finding naming Session and its path through sessionCache: " + JSON.stringify(v.findings));
const s = v.js_classes.find((c) => c.class === "Session");
const first = v.snapshots[0], last = v.snapshots[v.snapshots.length - 1];
const inserted = w.unitsAt(points, v.start_unix_s + last.t_s) - w.unitsAt(points, v.start_unix_s + first.t_s);
if (!s) bad.push("Session is not among the growing classes");
else if (Math.abs(s.count_last - s.count_first - inserted) > 0.03 * inserted + 40)
  bad.push(`Session grew by ${s.count_last - s.count_first} objects; the service inserted ${inserted} between the snapshots`);
w.finish(bad);' "$TEST_TMP/map.json" "$TEST_TMP/map.log" || fail "watch's verdict on the Map cache"
