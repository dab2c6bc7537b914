#!/usr/bin/env bash
# t6090: watch ranks native sites by report's sustained-growth rule
# (growth_trend, src/trace/growth.h). The malloc addon leaks 4 KiB per call
# for the first half of a 20 s run, then is not called again (the service's
# own log says when its calls stopped): its site grew over the window but is
# "stopped", no site that is still growing ranks below it, and the text
# verdict of `report DIR` says its growth stopped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"
src="$WATCH_DIR/malloc_addon.c"
build_addon malloc "$src"
line=$(grep -n 'THE LEAK' "$src" | cut -d: -f1)

# No heap snapshots: the program waits while V8 writes one into leakhound's
# reader, and under ASan (make asan) that reader is slow enough for the
# pauses to carry the window's start past the leak's end (CI, 1 of 1).
watch_service half malloc-half 10 20000 "$TEST_TMP/malloc.node" --warmup 2s --snapshots 0
node -e '
const w = require(process.env.CHECK), fs = require("fs");
const [json, log, line] = process.argv.slice(1);
const v = w.load(json), points = JSON.parse(fs.readFileSync(log, "utf8"));
const bad = [];
const t0 = points[0][0], end = points[points.length - 1][0];
const stop = points.find(([, u]) => u === points[points.length - 1][1])[0];
if (!(stop - t0 < 11000 && end - stop > 8000)) bad.push(`the service did not stop its calls half-way: ${stop - t0} ms of ${end - t0}`);
const i = v.native_sites.findIndex((s) => s.function === "remember" && s.line === Number(line));
if (i < 0) bad.push("remember is not among the sites that grew: " + JSON.stringify(v.native_sites));
else {
  const s = v.native_sites[i];
  if (s.trend !== "stopped") bad.push(`remember is ${s.trend}, not stopped: ` + JSON.stringify(s));
  const below = v.native_sites.slice(i + 1).filter((x) => x.trend === "growing");
  if (below.length) bad.push("growing sites rank below a stopped one: " + JSON.stringify(below));
}
if (!v.native_sites.every((s, k, a) => !k || a[k - 1].trend === "growing" || s.trend !== "growing"))
  bad.push("a growing site ranks below one that is not: " + JSON.stringify(v.native_sites.map((s) => [s.site, s.trend])));
w.finish(bad);' "$TEST_TMP/half.json" "$TEST_TMP/half.log" "$line" || fail "watch's sites after a leak that stopped"
"$LEAKHOUND" report "$TEST_TMP/half" >"$TEST_TMP/half.txt" 2>"$TEST_TMP/half.rerr" || true
grep -A1 "remember (.*malloc_addon.c:$line)" "$TEST_TMP/half.txt" | grep -q "growth stopped:" ||
	fail "report DIR does not say remember's growth stopped: $(cat "$TEST_TMP/half.txt")"
