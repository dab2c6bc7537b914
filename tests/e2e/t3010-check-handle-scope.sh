#!/usr/bin/env bash
# t3010: `leakhound check` and `trend` on the handle-scope-leak example
# (examples/handle-scope-leak), driven for 5,000, 10,000 and 15,000 calls in
# one process (one snapshot every 5,000 calls).
#   buggy: check exits 1, its first finding is handle-scope-growth, and the
#          growth it reports is the "(Handle scope)" edge growth that
#          count-handle-scope.js (JSON.parse) counts, at least 7 edges per call
#          (the README measures 8); trend's "(Handle scope)" series is the
#          oracle's counts, with their least-squares slope per snapshot and
#          per second (over the files' modification times, from stat), and
#          each snapshot's time is its file's modification time. (These
#          need JSON numbers printed with full precision: first = 40,019 must
#          not come out as 4.002e+04.)
#   fixed: check exits 0 with leak_suspected false and no findings (text too).
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
command -v g++ >/dev/null || skip "g++ is not installed (needed to build the example addon)"
[ -f /usr/include/node/node.h ] || skip "Node.js headers (/usr/include/node) are not installed"
ex="$LEAKHOUND_ROOT/examples/handle-scope-leak"
make -s -C "$ex" >"$TEST_TMP/make.log" 2>&1 || fail "cannot build the example: $(tail -5 "$TEST_TMP/make.log")"

EVERY=5000 CALLS=15000
for variant in buggy fixed; do
	node "$ex/drive.js" --variant $variant --calls $CALLS --snapshot-every $EVERY --out "$TEST_TMP/$variant" \
		>"$TEST_TMP/drive.log" 2>&1 || fail "drive.js --variant $variant failed: $(tail -5 "$TEST_TMP/drive.log")"
done
snaps() { printf "$TEST_TMP/$1/$1-%09d.heapsnapshot\n" 5000 10000 15000; }
mapfile -t buggy < <(snaps buggy)
mapfile -t fixed < <(snaps fixed)
for f in "${buggy[@]}" "${fixed[@]}"; do [ -s "$f" ] || fail "drive.js wrote no $f"; done

# The fixed addon: nothing to report.
expect_status 0 "$LEAKHOUND" check --json "${fixed[@]}"
node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (j.leak_suspected !== false || !Array.isArray(j.findings) || j.findings.length !== 0) {
  console.error("fixed variant: " + JSON.stringify({leak_suspected: j.leak_suspected, findings: j.findings}));
  process.exit(1);
}' "$TEST_TMP/out" || fail "findings for the fixed addon"
expect_status 0 "$LEAKHOUND" check "${fixed[@]}"
grep -q 'no leak suspected' "$TEST_TMP/out" || fail "fixed: the text report does not say 'no leak suspected': $(head -3 "$TEST_TMP/out")"

# The oracle: "(Handle scope)" edges of each buggy snapshot.
for f in "${buggy[@]}"; do
	node "$ex/count-handle-scope.js" "$f" || fail "count-handle-scope.js failed on $f"
done >"$TEST_TMP/counts.jsonl"

expect_status 1 "$LEAKHOUND" check --json "${buggy[@]}"
cp "$TEST_TMP/out" "$TEST_TMP/check.json"
expect_status 0 "$LEAKHOUND" trend --json --top 1000 "${buggy[@]}"
cp "$TEST_TMP/out" "$TEST_TMP/trend.json"
node - "$TEST_TMP/check.json" "$TEST_TMP/trend.json" "$TEST_TMP/counts.jsonl" "$EVERY" <<'EOF' || fail "buggy variant"
'use strict';
const fs = require('fs');
const [checkPath, trendPath, countsPath, every] = process.argv.slice(2);
const c = JSON.parse(fs.readFileSync(checkPath, 'utf8'));
const t = JSON.parse(fs.readFileSync(trendPath, 'utf8'));
const counts = fs.readFileSync(countsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).handle_scope_edges);
const bad = [];
const growth = counts[counts.length - 1] - counts[0];
if (growth < 7 * every * (counts.length - 1)) bad.push(`the buggy addon left only ${growth} more handles: ${counts}`);
if (c.leak_suspected !== true) bad.push('leak_suspected is not true');
if (!Array.isArray(c.snapshots) || c.snapshots.length !== counts.length) bad.push('snapshots: ' + JSON.stringify(c.snapshots));
const f = c.findings[0];
if (!f || f.id !== 'handle-scope-growth') bad.push('first finding: ' + JSON.stringify(f && f.id));
else {
  if (f.growth !== growth) bad.push(`finding growth ${f.growth}, oracle ${growth} (${counts})`);
  if (!f.title.includes('(Handle scope)')) bad.push('title: ' + f.title);
  if (!f.evidence || !f.explanation) bad.push('empty evidence or explanation');
  const n = counts.length - 1;
  if (f.confidence !== (n >= 3 ? 'high' : 'low') || !f.confidence_reason.startsWith(`grew in ${n} of ${n} intervals`))
    bad.push(`confidence ${f.confidence}: ${f.confidence_reason}`);
}
if (c.findings.some((x) => x.id === 'global-handles-growth')) bad.push('a global-handles-growth finding: the addon resets its Globals');
const row = t.series.find((s) => s.kind === 'gc_root' && s.name === '(Handle scope)');
if (!row) bad.push('trend has no "(Handle scope)" series');
else {
  if (JSON.stringify(row.values) !== JSON.stringify(counts)) bad.push(`trend values ${row.values}, oracle ${counts}`);
  if (row.first !== counts[0] || row.last !== counts[counts.length - 1]) bad.push(`first/last ${row.first}/${row.last}, oracle ${counts}`);
  const n = counts.length, mx = (n - 1) / 2, my = counts.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  counts.forEach((v, i) => { sxy += (i - mx) * (v - my); sxx += (i - mx) ** 2; });
  if (Math.abs(row.per_snapshot - sxy / sxx) > 1e-6 * Math.abs(sxy / sxx)) bad.push(`per_snapshot ${row.per_snapshot}, expected ${sxy / sxx}`);
  if (row.increases !== n - 1 || row.intervals !== n - 1) bad.push(`increases ${row.increases} of ${row.intervals}`);
  // per_second: the same fit over the files' modification times (stat, to the nanosecond).
  const times = t.snapshots.map((x) => Number(fs.statSync(x.file, { bigint: true }).mtimeNs) / 1e9);
  t.snapshots.forEach((x, i) => { if (Math.abs(x.time - times[i]) > 1e-5) bad.push(`snapshot ${i + 1} time ${x.time}, mtime ${times[i]}`); });
  const mt = times.reduce((a, b) => a + b, 0) / n;
  let sty = 0, stt = 0;
  times.forEach((x, i) => { sty += (x - mt) * (counts[i] - my); stt += (x - mt) ** 2; });
  const perSecond = stt > 1e-9 ? sty / stt : 0;
  if (Math.abs(row.per_second - perSecond) > 1e-6 * Math.abs(perSecond) + 1e-6)
    bad.push(`per_second ${row.per_second}, expected ${perSecond} from the files' times`);
}
if (bad.length) { console.error(bad.join('\n')); process.exit(1); }
EOF

exit 0
