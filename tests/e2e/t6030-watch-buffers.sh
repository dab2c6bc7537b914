#!/usr/bin/env bash
# t6030: watch on Buffers kept in an array: array-buffers is the part that
# grew, by what the service kept (64 KiB each, its own count); the finding
# names the growing Buffer class and the array holding them (heldBuffers);
# native-malloc does not count the same bytes twice; the parts sum to the
# RSS growth; exit 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"
watch_service buf buffers 1 60000 "" --warmup 2s --duration 22s
[ "$watch_status" -eq 1 ] || fail "expected exit 1 (leak suspected), got $watch_status"
node -e '
const w = require(process.env.CHECK), fs = require("fs");
const [json, log] = process.argv.slice(1);
const v = w.load(json), points = JSON.parse(fs.readFileSync(log, "utf8"));
const bad = [];
w.checkSum(v, bad);
const kept = w.unitsInWindow(v, points) * 65536;
const ab = w.part(v, "array-buffers"), native = w.part(v, "native-malloc");
const ratio = ab.growth_bytes / kept;
if (!(ratio > 0.9 && ratio < 1.1)) bad.push(`array-buffers grew ${ab.growth_bytes} B; the service kept ${kept} B (ratio ${ratio.toFixed(3)})`);
if (Math.abs(native.growth_bytes) > 0.1 * kept) bad.push(`native-malloc moved ${native.growth_bytes} B: counted twice?`);
const f = v.findings.find((x) => x.id === "array-buffers-growth");
if (!f || !/Buffer/.test(f.explanation) || !f.explanation.includes("heldBuffers"))
  bad.push("no array-buffers finding naming Buffer and heldBuffers: " + JSON.stringify(v.findings));
w.finish(bad);' "$TEST_TMP/buf.json" "$TEST_TMP/buf.log" || fail "watch's verdict on kept Buffers"
