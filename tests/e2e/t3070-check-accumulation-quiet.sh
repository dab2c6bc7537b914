#!/usr/bin/env bash
# t3070: no accumulation finding on workloads that grow and stop, or swing
# (tests/e2e/leak-shapes.js, one node process): a cache warmed in the first
# half of the run (6 snapshots), an LRU Map at capacity with 5% of it
# replaced per interval (5), in-flight requests under a load that rises in
# every interval but finishes them all (5) and under a load that swings (6),
# a connection pool grown to its maximum at first (4), and modules required
# lazily in the first half (6). check exits 0 with no findings on each, and
# each workload is real: its class is there (JSON.parse oracle), in the
# numbers the program made.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
. "$(dirname "$0")/lib-shapes.sh"
run_shapes warmcache:0.01:6 lru:0.05:5 bursty:0.01:5 bursty:0.01:6 pool:0.01:4 lazymodules:0.01:6
while read -r line; do
	series_of "$line"
	expect_status 0 "$LEAKHOUND" check --json "${files[@]}"
	node - "$LEAKHOUND_ROOT/tests/oracles/diff-oracle.js" "$line" "$TEST_TMP/out" <<'EOF2' || fail "$name"
'use strict';
const fs = require('fs');
const oracle = require(process.argv[2]);
const s = JSON.parse(process.argv[3]);
const c = JSON.parse(fs.readFileSync(process.argv[4], 'utf8'));
const bad = [];
if (c.leak_suspected !== false || c.findings.length) bad.push('findings: ' + JSON.stringify(c.findings.map((f) => f.title)));
// The workload's class, at the size the program made it (lazymodules: its route classes), by the JSON.parse oracle.
const cls = s.shape === 'lazymodules' ? 'Route0_0' : s.class;
const counts = s.files.map((f) => (oracle.classCounts(f)[cls] || [0])[0]);
const min = { warmcache: s.population, lru: s.population, bursty: s.population / 5, pool: s.population / 4, lazymodules: 200 }[s.shape];
if (Math.max(...counts) < min) bad.push(`${cls}: ${counts}, the program made ${min}`);
if (bad.length) { console.error(s.series + ': ' + bad.join('\n  ')); process.exit(1); }
EOF2
done <"$TEST_TMP/series.jsonl"
exit 0
