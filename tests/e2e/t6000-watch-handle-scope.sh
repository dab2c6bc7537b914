#!/usr/bin/env bash
# t6000: watch on the seed's bug, the handle-scope addon (examples/handle-scope-leak)
# called at a steady rate. RSS grows while the JS heap stays flat; native-malloc
# is the part that grew, by 8 bytes per handle the calls left (handles per call
# counted by the JSON.parse oracle on two snapshots of a separate run, calls
# counted by the service itself); the finding joins the (Handle scope) growth of
# the snapshots to HandleScope::Extend called from AfterExecute (addon.cc);
# the parts sum to the RSS growth; exit 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"
ex="$LEAKHOUND_ROOT/examples/handle-scope-leak"
make -s -C "$ex" >/dev/null || fail "the example addons do not build"

(cd "$TEST_TMP" && node "$ex/drive.js" --variant buggy --calls 8000 --snapshot-every 4000 --out "$TEST_TMP" >/dev/null) ||
	fail "drive.js could not write snapshots"
e1=$(node "$ex/count-handle-scope.js" "$TEST_TMP/buggy-000004000.heapsnapshot" | node -pe 'JSON.parse(require("fs").readFileSync(0)).handle_scope_edges')
e2=$(node "$ex/count-handle-scope.js" "$TEST_TMP/buggy-000008000.heapsnapshot" | node -pe 'JSON.parse(require("fs").readFileSync(0)).handle_scope_edges')
rm -f "$TEST_TMP"/*.heapsnapshot

# Snapshots of a process holding this many handles are slow (V8 spends seconds and hundreds of MB per
# 100,000 handles), so the rate is modest and the threshold lower than the default.
watch_service hs handles 50 20000 "$ex/build/buggy.node" --warmup 2s --min-growth 2M
[ "$watch_status" -eq 1 ] || fail "expected exit 1 (leak suspected), got $watch_status"
node -e '
const w = require(process.env.CHECK), fs = require("fs");
const [json, log, e1, e2] = process.argv.slice(1);
const v = w.load(json), points = JSON.parse(fs.readFileSync(log, "utf8"));
const bad = [];
w.checkSum(v, bad);
const perCall = (Number(e2) - Number(e1)) / 4000;
const calls = w.unitsInWindow(v, points);
const expected = calls * perCall * 8;
const native = w.part(v, "native-malloc"), js = w.part(v, "js-heap"), ab = w.part(v, "array-buffers");
const ratio = native.growth_bytes / expected;
if (!(ratio > 0.7 && ratio < 1.6))
  bad.push(`native-malloc grew ${native.growth_bytes} B, expected about ${calls} calls x ${perCall} handles x 8 B = ${expected} (ratio ${ratio.toFixed(2)})`);
if (js.growth_bytes > native.growth_bytes / 4 || ab.growth_bytes > native.growth_bytes / 4)
  bad.push(`js-heap (${js.growth_bytes}) or array-buffers (${ab.growth_bytes}) grew more than a quarter of native-malloc`);
const f = v.findings.find((x) => x.id === "native-malloc-growth");
if (!f) bad.push("no native-malloc-growth finding: " + JSON.stringify(v.findings.map((x) => x.id)));
else {
  if (f.part !== "native-malloc") bad.push("the finding is not on native-malloc");
  for (const word of ["(Handle scope) gained", "HandleScope::Extend", "AfterExecute", "addon.cc", "the same growth as"])
    if (!f.explanation.includes(word)) bad.push(`the finding does not say "${word}": ${f.explanation}`);
}
const top = v.native_sites[0];
if (!top || !/HandleScope::Extend/.test(top.function) || !/AfterExecute \(.*addon\.cc:\d+\)/.test(top.native_caller))
  bad.push("the top native site is not HandleScope::Extend called from AfterExecute: " + JSON.stringify(top));
if (v.snapshots.length < 2) bad.push(`only ${v.snapshots.length} snapshots`);
if (!v.complete || !/exited with status 0/.test(v.ended)) bad.push("the watch did not end with the program: " + v.ended);
w.finish(bad);' "$TEST_TMP/hs.json" "$TEST_TMP/hs.log" "$e1" "$e2" || fail "watch's verdict on the handle-scope repro"

# The directory holds it all: report DIR gives the same verdict and status.
expect_status 1 "$LEAKHOUND" report --json "$TEST_TMP/hs"
cmp -s "$TEST_TMP/out" "$TEST_TMP/hs.json" || fail "report DIR differs from watch's verdict"
