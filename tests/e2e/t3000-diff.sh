#!/usr/bin/env bash
# t3000: `leakhound diff --json` against the JSON.parse oracle
# (tests/oracles/diff-oracle.js). A Node script builds a heap, writes a
# snapshot, allocates exactly N objects of a class that exists nowhere else
# (plus plain objects, strings and arrays), frees exactly M of K objects of
# another unique class, and writes a second snapshot. Then:
#   - every class the oracle can name (all but plain "Object", which leakhound
#     splits by DevTools' interface inference) has the oracle's added/removed
#     counts and sizes (by id; or by object, where V8 gave a freed object's id
#     to another one: see t3001) and live counts; leakhound lists no class the oracle
#     does not see changing; its "Object" and "{...}" rows add up to the
#     oracle's "Object" row;
#   - the unique classes show added == N and removed == M exactly (from the
#     script's construction);
#   - node types and GC sub-root edge counts equal the oracle's;
#   - every row's count delta is added - removed + renamed in - renamed out,
#     and the rows' count and size deltas add up to the oracle's node and
#     self size deltas;
#   - largest_new_objects is nonempty, lists only new objects, and includes
#     one that retains at least all N new objects.
# Snapshots of two different node processes (the same script run twice) give
# exit 2 with one stderr line and nothing on stdout, in both orders.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
oracle="$LEAKHOUND_ROOT/tests/oracles/diff-oracle.js"
N=3000 K=2000 M=700

cat >"$TEST_TMP/workload.js" <<'EOF'
'use strict';
const v8 = require('v8');
const [before, after, N, K, M] = [process.argv[2], process.argv[3], +process.argv[4], +process.argv[5], +process.argv[6]];
class Account { constructor(i) { this.i = i; this.owner = 'owner-' + i; } }
class DiffProbeAdded { constructor(i) { this.i = i; this.pair = [i, i + 1]; } }
class DiffProbeFreed { constructor(i) { this.i = i; } }
const base = [];
for (let i = 0; i < 4000; i++) base.push(new Account(i), { id: i, label: 'L' + i });
const freed = [];
for (let i = 0; i < K; i++) freed.push(new DiffProbeFreed(i));
v8.writeHeapSnapshot(before);
const added = [];
for (let i = 0; i < N; i++) added.push(new DiffProbeAdded(i));
const extra = [];
for (let i = 0; i < 1500; i++) extra.push({ id: i, note: 'n' + i * 7 }, 'str-' + i * 13);
base.length = 7000; // frees 500 Account and 500 plain objects
freed.splice(0, M);
v8.writeHeapSnapshot(after);
globalThis.keep = [base, freed, added, extra];
EOF

node "$TEST_TMP/workload.js" "$TEST_TMP/a1.heapsnapshot" "$TEST_TMP/a2.heapsnapshot" $N $K $M ||
	fail "the workload script failed"
expect_status 0 "$LEAKHOUND" diff --json "$TEST_TMP/a1.heapsnapshot" "$TEST_TMP/a2.heapsnapshot"
cp "$TEST_TMP/out" "$TEST_TMP/diff.json"
[ ! -s "$TEST_TMP/err" ] || fail "diff wrote to stderr: $(head -c 600 "$TEST_TMP/err")"
node "$oracle" "$TEST_TMP/a1.heapsnapshot" "$TEST_TMP/a2.heapsnapshot" >"$TEST_TMP/oracle.json" || fail "diff-oracle.js failed"

node - "$oracle" "$TEST_TMP/diff.json" "$TEST_TMP/oracle.json" "$TEST_TMP/a1.heapsnapshot" "$TEST_TMP/a2.heapsnapshot" \
	$N $K $M <<'EOF' ||
'use strict';
const fs = require('fs');
const [oraclePath, diffPath, oracleOut, before, after] = process.argv.slice(2, 7);
const [N, K, M] = process.argv.slice(7).map(Number);
const oracleLib = require(oraclePath);
const d = JSON.parse(fs.readFileSync(diffPath, 'utf8'));
const o = JSON.parse(fs.readFileSync(oracleOut, 'utf8'));
const bad = [];
const fields = ['count_before', 'count_after', 'size_before', 'size_after'];
// added / removed by id; where V8 gave a freed object's id to another object (the
// oracle's *_reused), counting that id as freed and new is right as well.
const sameChanges = (got, want, what) =>
  ['added', 'removed'].filter((k) => {
    const byId = got[k] === want[k] && got[k + '_size'] === want[k + '_size'];
    const byObject = got[k] === want[k] + want[k + '_reused'] && got[k + '_size'] === want[k + '_size'] + want[k + '_reused_size'];
    return !byId && !byObject;
  }).map((k) => `${what}.${k}: ${got[k]} (${got[k + '_size']} B), oracle ${want[k]} (${want[k + '_size']} B) + reused ${want[k + '_reused']}`);

// Classes.
const lh = new Map();
for (const c of d.classes) {
  if (lh.has(c.class)) bad.push(`class ${c.class} listed twice`);
  lh.set(c.class, c);
  if (c.count_delta !== c.count_after - c.count_before) bad.push(`${c.class}: count_delta ${c.count_delta}`);
  if (c.size_delta !== c.size_after - c.size_before) bad.push(`${c.class}: size_delta ${c.size_delta}`);
  if (!c.added && !c.removed && !c.renamed_in && !c.renamed_out && c.size_before === c.size_after)
    bad.push(`${c.class} is listed with nothing changed`);
  if (c.count_delta !== c.added - c.removed + c.renamed_in - c.renamed_out) bad.push(`${c.class}: count_delta ${c.count_delta} != added - removed + renamed`);
}
// The rows add up to the totals the oracle counts.
const sum = (k) => d.classes.reduce((t, c) => t + c[k], 0);
if (sum('count_delta') !== o.totals.nodes_after - o.totals.nodes_before) bad.push(`class count deltas add up to ${sum('count_delta')}, oracle node delta ${o.totals.nodes_after - o.totals.nodes_before}`);
if (sum('size_delta') !== o.totals.size_after - o.totals.size_before) bad.push(`class size deltas add up to ${sum('size_delta')}, oracle ${o.totals.size_after - o.totals.size_before}`);
if (sum('renamed_in') !== sum('renamed_out')) bad.push(`renamed in ${sum('renamed_in')} != out ${sum('renamed_out')}`);
let compared = 0;
for (const [name, want] of Object.entries(o.classes)) {
  const changed = want.added || want.removed || want.added_reused || want.removed_reused;
  if (name === 'Object' || !changed) continue;
  const got = lh.get(name);
  if (!got) {
    if (want.added || want.removed) bad.push(`class ${name} missing (oracle: +${want.added} -${want.removed})`);
    continue;
  }
  compared++;
  for (const f of fields) if (got[f] !== want[f]) bad.push(`${name}.${f}: ${got[f]}, oracle ${want[f]}`);
  bad.push(...sameChanges(got, want, name));
}
if (compared < 10) bad.push(`only ${compared} classes compared`);
const inferred = { added: 0, added_size: 0, removed: 0, removed_size: 0 };
for (const [name, got] of lh) {
  const plain = name === 'Object' || /^\{.*\}$/.test(name);
  if (plain) for (const f of Object.keys(inferred)) inferred[f] += got[f];
  else if (!o.classes[name]) bad.push(`class ${name} (+${got.added} -${got.removed}) is unknown to the oracle`);
  else if (!['added', 'removed', 'added_reused', 'removed_reused'].some((k) => o.classes[name][k]))
    bad.push(`class ${name} (+${got.added} -${got.removed}) is not a changed class for the oracle`);
}
const obj = o.classes.Object || {};
bad.push(...sameChanges(inferred, obj, 'plain objects (Object + {...} rows)'));
if (obj.added < 1500 || obj.removed < 500) bad.push(`the plain-object check is vacuous: ${JSON.stringify(obj)}`);

// The unique classes, from the script's construction.
const a = lh.get('DiffProbeAdded'), f = lh.get('DiffProbeFreed');
if (!a || a.added !== N || a.removed !== 0 || a.count_before !== 0 || a.count_after !== N)
  bad.push(`DiffProbeAdded should be +${N} -0, 0 -> ${N}: ${JSON.stringify(a)}`);
if (!f || f.added !== 0 || f.removed !== M || f.count_before !== K || f.count_after !== K - M)
  bad.push(`DiffProbeFreed should be +0 -${M}, ${K} -> ${K - M}: ${JSON.stringify(f)}`);
const acc = lh.get('Account');
if (!acc || acc.removed !== 500 || acc.added !== 0) bad.push(`Account should be +0 -500: ${JSON.stringify(acc)}`);

// Node types.
const types = new Map(d.node_types.map((t) => [t.type, t]));
for (const [type, want] of Object.entries(o.node_types)) {
  const got = types.get(type);
  if (!got) { bad.push(`node type ${type} missing`); continue; }
  for (const k of fields) if (got[k] !== want[k]) bad.push(`type ${type}.${k}: ${got[k]}, oracle ${want[k]}`);
  bad.push(...sameChanges(got, want, 'type ' + type));
}
for (const t of types.values())
  if ((t.added || t.removed || t.count_after) && !o.node_types[t.type]) bad.push(`node type ${t.type} unknown to the oracle`);

// GC sub-roots, by position.
const roots = d.gc_roots.map((r) => [r.name, r.position_among_same_name, r.edges_before, r.edges_after, r.edge_delta]);
const want = o.gc_roots.map((r) => [r.name, r.position_among_same_name, r.edges_before, r.edges_after, r.edges_after - r.edges_before]);
if (JSON.stringify(roots) !== JSON.stringify(want))
  bad.push(`gc_roots differ:\n  leakhound ${JSON.stringify(roots)}\n  oracle    ${JSON.stringify(want)}`);

// Largest new objects: nonempty, new, and one of them holds the N new objects.
const lno = d.largest_new_objects;
if (!Array.isArray(lno) || lno.length === 0) bad.push('largest_new_objects is empty');
else {
  const ids = lno.map((x) => x.id);
  const inBefore = oracleLib.nodeInfo(before, ids), inAfter = oracleLib.nodeInfo(after, ids);
  for (const x of lno) {
    if (inBefore[x.id]) bad.push(`largest new object @${x.id} is in the older snapshot`);
    if (!inAfter[x.id]) bad.push(`largest new object @${x.id} is not in the newer snapshot`);
    // DevTools' rules move the size of a backing store into its one owner: never less than V8's own.
    else if (!(x.self_size >= inAfter[x.id].self_size)) bad.push(`@${x.id} self_size ${x.self_size}, oracle ${inAfter[x.id].self_size}`);
  }
  for (let i = 1; i < lno.length; i++)
    if (lno[i].retained_size > lno[i - 1].retained_size) bad.push('largest_new_objects is not by retained size');
  const need = o.classes.DiffProbeAdded.added_size;
  if (!lno.some((x) => x.retained_size >= need))
    bad.push(`no new object retains the ${N} new DiffProbeAdded (${need} bytes): ${JSON.stringify(lno.slice(0, 3))}`);
}

if (bad.length) { console.error(bad.join('\n')); process.exit(1); }
EOF
	fail "diff --json differs from the oracle"

# Snapshots of another process: the same script, run again.
node "$TEST_TMP/workload.js" "$TEST_TMP/b1.heapsnapshot" "$TEST_TMP/b2.heapsnapshot" $N $K $M ||
	fail "the second run of the workload failed"
for pair in "a1 b2" "b2 a1" "b1 a2"; do
	read -r older newer <<<"$pair"
	expect_status 2 "$LEAKHOUND" diff --json "$TEST_TMP/$older.heapsnapshot" "$TEST_TMP/$newer.heapsnapshot"
	[ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] || fail "diff $pair: expected one error line, got: $(cat "$TEST_TMP/err")"
	grep -qF "$newer.heapsnapshot" "$TEST_TMP/err" || fail "diff $pair: the error does not name $newer: $(cat "$TEST_TMP/err")"
	[ ! -s "$TEST_TMP/out" ] || fail "diff $pair: output on stdout for snapshots of two processes"
done
exit 0
