#!/usr/bin/env bash
# t3060: `leakhound check` finds slow leaks by accumulation and names them by
# what leaks, on six leak shapes written by one node process
# (tests/e2e/leak-shapes.js; the program says what it leaks):
#   index      1% per interval, 6 snapshots: Sessions kept by a secondary index
#              (the case a "10% of its first count" rule missed)
#   timers     1.5%, 5 snapshots: setIntervals never cleared among live jobs
#   listeners  2%, 4 snapshots: uploads whose reply event never comes
#   closures   0.5%, 10 snapshots: handlers over large scopes never removed
#   memo       20%, 3 snapshots: a module-level memo Map
#   sockets    50%, 3 snapshots: a Set of closed sockets never deleted
# For each: exit 1; the first finding is an accumulation named by the
# program's leaked class; the structure the program leaks into (a Map, Set,
# Array, emitter or timer list) is on the sample's retainer path and, for
# V8's generic classes (Function, plain objects), in the holder phrase; the
# growth is exactly the program's count of leaked objects from the end of
# warm-up to the last snapshot; it grew in every interval; the survivors and
# a confidence with its reason are reported. A listener leak is named
# PendingUpload (the program's class), not Function, Object or Context.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
. "$(dirname "$0")/lib-shapes.sh"
run_shapes index:0.01:6 timers:0.015:5 listeners:0.02:4 closures:0.005:10 memo:0.2:3 sockets:0.5:3
while read -r line; do
	series_of "$line"
	expect_status 1 "$LEAKHOUND" check --json "${files[@]}"
	node - "$line" "$TEST_TMP/out" <<'EOF2' || fail "$name"
'use strict';
const s = JSON.parse(process.argv[2]);
const c = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
const bad = [];
const f = c.findings[0];
const intervals = s.files.length - 1, warmup = intervals >= 4 ? 1 : 0;
const holders = s.holder.split('|');
if (!f || f.id !== 'accumulation') bad.push('first finding: ' + JSON.stringify(f && [f.id, f.title]));
else {
  if (f.class !== s.class) bad.push(`named ${f.class}, the program leaks ${s.class}: ${f.title}`);
  if (!holders.some((h) => f.retainer_path.includes(h))) bad.push(`${s.holder} is not on the retainer path: ${f.retainer_path}`);
  if (/^(Function|\{)/.test(s.class) && !holders.some((h) => f.holder.includes('`' + h + '`')))
    bad.push(`a generic class without its holder: "${f.holder}"`);
  const want = s.counts[intervals] - s.counts[warmup];
  if (f.growth !== want) bad.push(`growth ${f.growth}, the program leaked ${want} (${s.counts})`);
  if (f.intervals !== intervals || f.intervals_grown !== intervals || f.intervals_judged !== intervals - warmup)
    bad.push(`intervals ${f.intervals_grown}/${f.intervals_judged}/${f.intervals}`);
  if (f.survivors_per_interval.length !== intervals || !f.survivors_per_interval.slice(warmup).every((n) => n > 0))
    bad.push(`survivors ${f.survivors_per_interval}`);
  if (!['high', 'medium', 'low'].includes(f.confidence) || !f.confidence_reason.includes(`grew in ${intervals} of ${intervals} intervals`))
    bad.push(`confidence ${f.confidence}: ${f.confidence_reason}`);
  if (!f.sample_id || !f.retainer_path.endsWith(`@${f.sample_id}`)) bad.push(`sample ${f.sample_id}, path ${f.retainer_path}`);
}
if (bad.length) { console.error(s.series + ': ' + bad.join('\n  ')); process.exit(1); }
EOF2
done <"$TEST_TMP/series.jsonl"

# The text output says the same, with the confidence and the holder.
mapfile -t files < <(node -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) { const s = JSON.parse(l); if (s.shape === "index") for (const f of s.files) console.log(f); }' "$TEST_TMP/series.jsonl")
expect_status 1 "$LEAKHOUND" check "${files[@]}"
grep -q '^\[1\] Session objects accumulate in entries of Map `byToken`$' "$TEST_TMP/out" || fail "text: $(head -5 "$TEST_TMP/out")"
grep -q '^    confidence: ' "$TEST_TMP/out" || fail "text: no confidence line"
# Fewer than 3 snapshots is a usage error (exit 3).
expect_status 3 "$LEAKHOUND" check "${files[0]}" "${files[1]}"
exit 0
