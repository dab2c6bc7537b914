#!/usr/bin/env bash
# t6010: watch on a native addon that mallocs 4 KiB per call and never frees
# it: native-malloc grows by what the service counted (calls x 4096 B, plus
# glibc's and the tracker's per-block overhead), the top site is the addon's
# malloc line (file:line, found in the source) and its caller the service's
# JavaScript, and it is still growing at the end (trend); the parts sum to
# the RSS growth; exit 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"
src="$WATCH_DIR/malloc_addon.c"
build_addon malloc "$src"
line=$(grep -n 'THE LEAK' "$src" | cut -d: -f1)

watch_service ma malloc 10 20000 "$TEST_TMP/malloc.node" --warmup 2s
[ "$watch_status" -eq 1 ] || fail "expected exit 1 (leak suspected), got $watch_status"
node -e '
const w = require(process.env.CHECK), fs = require("fs");
const [json, log, line] = process.argv.slice(1);
const v = w.load(json), points = JSON.parse(fs.readFileSync(log, "utf8"));
const bad = [];
w.checkSum(v, bad);
const calls = w.unitsInWindow(v, points);
const native = w.part(v, "native-malloc");
const ratio = native.growth_bytes / (calls * 4096);
if (!(ratio > 0.9 && ratio < 1.2)) bad.push(`native-malloc grew ${native.growth_bytes} B for ${calls} calls of 4096 B (ratio ${ratio.toFixed(3)})`);
const top = v.native_sites[0];
if (!top || top.function !== "remember" || !/malloc_addon\.c$/.test(top.file || "") || top.line !== Number(line))
  bad.push(`the top site is not remember at malloc_addon.c:${line}: ` + JSON.stringify(top));
else {
  const r = top.growth_bytes / (calls * 4096);
  if (!(r > 0.95 && r < 1.05)) bad.push(`the site grew ${top.growth_bytes} B for ${calls} x 4096 B`);
  if (!/service\.js:\d+/.test(top.js_caller)) bad.push("the JS caller is not named: " + JSON.stringify(top.js_caller));
  if (top.trend !== "growing") bad.push(`the site leaked to the end of the run but is ${top.trend}`);
}
const f = v.findings.find((x) => x.id === "native-malloc-growth");
if (!f || !f.explanation.includes(`malloc_addon.c:${line}`)) bad.push("no finding names the site: " + JSON.stringify(v.findings));
w.finish(bad);' "$TEST_TMP/ma.json" "$TEST_TMP/ma.log" "$line" || fail "watch's verdict on the malloc addon"
