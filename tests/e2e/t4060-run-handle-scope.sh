#!/usr/bin/env bash
# t4060: the native face of the seed's bug. `leakhound run` on node driving
# the buggy addon of examples/handle-scope-leak: the allocation site that
# grows fastest is V8's HandleScope::Extend, called from the addon's
# completion callback (AfterExecute in addon.cc), and the handle blocks it
# holds at the peak are at least 8 bytes per handle that the snapshot's
# "(Handle scope)" root gains per call (measured here with the JSON.parse
# oracle count-handle-scope.js on two snapshots of a separate run). The fixed
# addon's HandleScope::Extend holds almost nothing.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
ex="$LEAKHOUND_ROOT/examples/handle-scope-leak"
make -s -C "$ex" >/dev/null || fail "the example addons do not build"
calls=60000

# Handles per call, from snapshots: (Handle scope) edges after 4000 and 8000 calls.
(cd "$TEST_TMP" && node "$ex/drive.js" --variant buggy --calls 8000 --snapshot-every 4000 --out "$TEST_TMP" >/dev/null) ||
	fail "drive.js could not write snapshots"
e1=$(node "$ex/count-handle-scope.js" "$TEST_TMP/buggy-000004000.heapsnapshot" | node -pe 'JSON.parse(require("fs").readFileSync(0)).handle_scope_edges')
e2=$(node "$ex/count-handle-scope.js" "$TEST_TMP/buggy-000008000.heapsnapshot" | node -pe 'JSON.parse(require("fs").readFileSync(0)).handle_scope_edges')
per_call=$(( (e2 - e1) / 4000 ))
[ "$per_call" -ge 1 ] || fail "the oracle saw no handle growth per call ($e1 -> $e2)"

for variant in buggy fixed; do
	(cd "$TEST_TMP" && "$LEAKHOUND" run --quiet --interval 100ms -o "$TEST_TMP/$variant.lhtrace" -- \
		node "$ex/drive.js" --variant "$variant" --calls "$calls" --no-snapshot >/dev/null) ||
		fail "leakhound run failed for the $variant addon"
	expect_status 0 "$LEAKHOUND" report --json --top 10 --stacks 100 "$TEST_TMP/$variant.lhtrace"
	cp "$TEST_TMP/out" "$TEST_TMP/$variant.json"
done

node -e '
const fs = require("fs");
const [dir, perCall, calls] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const load = (v) => JSON.parse(fs.readFileSync(`${dir}/${v}.json`, "utf8"));
const isExtend = (s) => /HandleScope::Extend/.test(s.site.function || "");
const bad = [];
const buggy = load("buggy"), fixed = load("fixed");
const top = buggy.sites[0];
if (!top || !isExtend(top)) bad.push("the top growing site is " + JSON.stringify(top && top.site.function));
else {
  const fromCallback = top.stacks.some((st) => st.frames.some((f) => f.function === "AfterExecute" && /addon\.cc$/.test(f.file || "")));
  if (!fromCallback) bad.push("no stack of HandleScope::Extend passes through AfterExecute in addon.cc");
  const floor = 8 * perCall * calls;
  if (top.peak_bytes < floor) bad.push(`HandleScope::Extend peaks at ${top.peak_bytes} B, below 8 B x ${perCall} handles x ${calls} calls = ${floor}`);
  if (top.peak_bytes > 3 * floor) bad.push(`HandleScope::Extend peaks at ${top.peak_bytes} B, over 3x ${floor}`);
}
const fixedExtend = fixed.sites.filter(isExtend).reduce((m, s) => Math.max(m, s.peak_bytes), 0);
if (top && fixedExtend > 0.05 * top.peak_bytes) bad.push(`the fixed addon still holds ${fixedExtend} B in HandleScope::Extend`);
if (bad.length) { console.error(bad.join("\n")); process.exit(1); }' "$TEST_TMP" "$per_call" "$calls" || fail "native report of the handle-scope repro"
