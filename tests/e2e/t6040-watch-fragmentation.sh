#!/usr/bin/env bash
# t6040: watch on a service whose one burst leaves glibc's heap fragmented
# (an addon frees 63 of every 64 blocks it allocated, the kept ones cutting
# the freed memory into holes): RSS grows, live malloc does not; the growth
# is allocator-retained (at least half of what the burst freed, by the
# addon's own count), reported as fragmentation and not as a leak: exit 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-watch.sh"
build_addon fragment "$WATCH_DIR/fragment_addon.c"
watch_service fr fragment 100 20000 "$TEST_TMP/fragment.node" --warmup 2s
[ "$watch_status" -eq 0 ] || fail "expected exit 0 (fragmentation is not a leak), got $watch_status: $(head -c 800 "$TEST_TMP/fr.json")"
node -e '
const w = require(process.env.CHECK), fs = require("fs");
const [json, log] = process.argv.slice(1);
const v = w.load(json), { burst } = JSON.parse(fs.readFileSync(log, "utf8"));
const bad = [];
w.checkSum(v, bad);
if (!burst) bad.push("the service did not burst");
else {
  const inWindow = burst.at / 1000 > v.start_unix_s + v.window_start_s && burst.at / 1000 < v.start_unix_s + v.window_end_s;
  if (!inWindow) bad.push("the burst is not inside the attribution window");
  const kept = w.part(v, "allocator-retained"), native = w.part(v, "native-malloc");
  if (kept.growth_bytes < 0.5 * burst.freed) bad.push(`allocator-retained grew ${kept.growth_bytes} B; the burst freed ${burst.freed} B`);
  if (native.growth_bytes > burst.kept + 4 * 1048576) bad.push(`native-malloc grew ${native.growth_bytes} B; the burst kept ${burst.kept} B`);
}
if (v.leak_suspected) bad.push("a leak is suspected");
const f = v.findings.find((x) => x.id === "allocator-retention");
if (!f || !/live malloc did not/.test(f.explanation)) bad.push("no allocator-retention finding: " + JSON.stringify(v.findings));
if (v.findings.some((x) => x.id === "native-malloc-growth")) bad.push("native-malloc-growth reported");
w.finish(bad);' "$TEST_TMP/fr.json" "$TEST_TMP/fr.log" || fail "watch's verdict on a fragmented heap"
