#!/usr/bin/env bash
# t3002: `leakhound diff` counts objects that changed class as renamed, so its
# class rows add up. DevTools classes a plain object by the properties it has
# ("{alpha, beta}"); the script makes N such objects, writes a snapshot, adds
# a property to M of them (they become "{alpha, beta, gamma}" with the same
# ids), and writes another. Then, from the script's own counts and the
# JSON.parse oracle (tests/oracles/diff-oracle.js):
#   - "{alpha, beta}" has renamed_out == M and "{alpha, beta, gamma}" renamed_in
#     == M, with nothing added or removed in either;
#   - both rows are listed (the text table too), each row's count delta is
#     added - removed + renamed_in - renamed_out;
#   - the rows' count and size deltas add up to the oracle's node and self size
#     deltas.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
oracle="$LEAKHOUND_ROOT/tests/oracles/diff-oracle.js"
N=3000 M=1200

cat >"$TEST_TMP/rename.js" <<'EOF2'
'use strict';
const v8 = require('v8');
const [before, after, N, M] = [process.argv[2], process.argv[3], +process.argv[4], +process.argv[5]];
const points = [];
for (let i = 0; i < N; i++) points.push({ alpha: 'a' + i, beta: 'b' + i });  // strings: a small integer is no edge
v8.writeHeapSnapshot(before);
for (let i = 0; i < M; i++) points[i].gamma = 'g' + i;
v8.writeHeapSnapshot(after);
EOF2
node --single-threaded "$TEST_TMP/rename.js" "$TEST_TMP/a.heapsnapshot" "$TEST_TMP/b.heapsnapshot" $N $M || fail "rename.js failed"
expect_status 0 "$LEAKHOUND" diff --json "$TEST_TMP/a.heapsnapshot" "$TEST_TMP/b.heapsnapshot"
node - "$oracle" "$TEST_TMP/out" "$TEST_TMP/a.heapsnapshot" "$TEST_TMP/b.heapsnapshot" $M <<'EOF2' || fail "renamed classes"
'use strict';
const [oraclePath, out, a, b, M] = process.argv.slice(2);
const o = require(oraclePath).diff(a, b);
const d = JSON.parse(require('fs').readFileSync(out, 'utf8'));
const bad = [];
const row = (name) => d.classes.find((c) => c.class === name);
const from = row('{alpha, beta}'), to = row('{alpha, beta, gamma}');
if (!from || !to) bad.push('rows missing: ' + d.classes.map((c) => c.class).join(', '));
else {
  if (from.renamed_out !== +M || to.renamed_in !== +M) bad.push(`renamed out ${from.renamed_out}, in ${to.renamed_in}: the script moved ${M}`);
  if (from.added || from.removed || to.added || to.removed) bad.push('added/removed in the renamed rows');
  if (to.count_delta !== +M || from.count_delta !== -M) bad.push(`count deltas ${from.count_delta} / ${to.count_delta}`);
}
for (const c of d.classes)
  if (c.count_delta !== c.added - c.removed + c.renamed_in - c.renamed_out) bad.push(`${c.class}: count_delta ${c.count_delta}`);
const sum = (k) => d.classes.reduce((t, c) => t + c[k], 0);
if (sum('count_delta') !== o.totals.nodes_after - o.totals.nodes_before) bad.push(`count deltas add up to ${sum('count_delta')}, oracle ${o.totals.nodes_after - o.totals.nodes_before}`);
if (sum('size_delta') !== o.totals.size_after - o.totals.size_before) bad.push(`size deltas add up to ${sum('size_delta')}, oracle ${o.totals.size_after - o.totals.size_before}`);
if (d.node_delta !== o.totals.nodes_after - o.totals.nodes_before) bad.push(`node_delta ${d.node_delta}`);
if (bad.length) { console.error(bad.join('\n')); process.exit(1); }
EOF2
expect_status 0 "$LEAKHOUND" diff --top 100000 "$TEST_TMP/a.heapsnapshot" "$TEST_TMP/b.heapsnapshot"
grep -qE '^  \{alpha, beta, gamma\} .* \+1,200 ' "$TEST_TMP/out" || fail "text: no renamed row for {alpha, beta, gamma}: $(grep -F alpha "$TEST_TMP/out")"
exit 0
