#!/usr/bin/env node
// Compares `leakhound summary --json --top N` output with snapshot-facts.js.
//
//   node compare-summary.js SNAPSHOT LEAKHOUND.json [--top N] [--no-findings] [--stdin]
//
// Every number leakhound reports is checked against the oracle. Where
// leakhound ranks (top classes, largest fan-out, target groups) ties may be
// broken either way: the ranked values must be the oracle's, each row must
// be a real row of the oracle with the same facts, and no row may repeat.
// --no-findings: the snapshot is a healthy process, findings must be [].
// --stdin: leakhound read the file from a pipe (file "-", size unknown).
// Prints "ok ..." and exits 0, or lists every difference and exits 1.
'use strict';

const fs = require('fs');
const path = require('path');
const {facts} = require(path.join(__dirname, 'snapshot-facts.js'));

const args = process.argv.slice(2);
const flag = (f) => {
  const i = args.indexOf(f);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
let top = 10;
const ti = args.indexOf('--top');
if (ti >= 0) {
  top = Number(args[ti + 1]);
  args.splice(ti, 2);
}
const noFindings = flag('--no-findings');
const stdin = flag('--stdin');
if (args.length !== 2) {
  console.error('usage: node compare-summary.js SNAPSHOT LEAKHOUND.json [--top N] [--no-findings] [--stdin]');
  process.exit(2);
}
const [snapshotPath, jsonPath] = args;
const lh = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
const f = facts(snapshotPath, top);

const problems = [];
const same = (what, got, want) => {
  const a = JSON.stringify(got), b = JSON.stringify(want);
  if (a !== b) problems.push(`${what}: leakhound ${a.slice(0, 300)}, oracle ${b.slice(0, 300)}`);
};
const near = (what, got, want) => {
  if (typeof got !== 'number' || Math.abs(got - want) > Math.max(1e-3 * Math.abs(want), 1e-6))
    problems.push(`${what}: leakhound ${got}, oracle ${want}`);
};

// Totals and format.
const t = lh.totals;
same('totals.nodes', t.nodes, f.nodes);
same('totals.edges', t.edges, f.edges);
same('totals.strings', t.strings, f.strings);
same('totals.self_size', t.self_size, f.self_size);
same('totals.json_bytes', t.json_bytes, f.json_bytes);
same('totals.gzip', t.gzip, f.gzip);
same('totals.file_bytes', t.file_bytes, stdin ? 0 : f.file_bytes);
same('totals.bad_edges', t.bad_edges, 0);
same('totals.replaced_sequences', t.replaced_sequences, f.lone_surrogates);
same('totals.extra_native_bytes', t.extra_native_bytes, f.extra_native_bytes);
same('file', lh.file, stdin ? '-' : snapshotPath);
for (const k of ['node_fields', 'edge_fields', 'node_types', 'edge_types', 'other_sections'])
  same(`format.${k}`, lh.format[k], f.format[k]);
same('node_types', lh.node_types, f.node_types);
same('class_count', lh.class_count, f.class_count);

// Ranked class tables.
function checkClasses(key, rows, wantRows) {
  same(`${key}.length`, rows.length, wantRows.length);
  same(`${key} values`, rows.map((r) => r[key === 'top_classes_by_count' ? 'count' : 'self_size']),
       wantRows.map((r) => r[key === 'top_classes_by_count' ? 'count' : 'self_size']));
  const seen = new Set();
  for (const r of rows) {
    const w = f.classes[r.class];
    if (!w) problems.push(`${key}: class ${JSON.stringify(r.class)} is not a class of the snapshot`);
    else same(`${key}: class ${JSON.stringify(r.class)} count/self_size`, [r.count, r.self_size], w);
    if (seen.has(r.class)) problems.push(`${key}: class ${JSON.stringify(r.class)} listed twice`);
    seen.add(r.class);
  }
}
checkClasses('top_classes_by_count', lh.top_classes_by_count, f.top_classes_by_count);
checkClasses('top_classes_by_self_size', lh.top_classes_by_self_size, f.top_classes_by_self_size);

// A node's fan-out facts.
function checkFanout(what, got, want) {
  same(`${what}.id`, got.id, want.id);
  same(`${what}.type`, got.type, want.type);
  same(`${what}.name`, got.name, want.name);
  same(`${what}.edges`, got.edges, want.edges);
  same(`${what}.distinct_targets`, got.distinct_targets, want.distinct_targets);
  near(`${what}.edge_share_percent`, got.edge_share_percent, f.edges ? 100 * want.edges / f.edges : 0);
  const kept = want.groups.slice(0, 5);
  same(`${what}.top_targets edges`, got.top_targets.map((g) => g.edges), kept.map((g) => g.edges));
  const seen = new Set();
  got.top_targets.forEach((g, i) => {
    const tn = ['object', 'native', 'hidden', 'synthetic', 'array', 'object shape'].includes(g.target.type)
      ? g.target.name : null;
    const key = JSON.stringify([g.edge_type, g.target.type, tn]);
    const w = want.groups.find((x) => JSON.stringify([x.edge_type, x.target_type, x.target_name]) === key);
    const gw = `${what}.top_targets[${i}] (${key})`;
    if (!w) {
      problems.push(`${gw}: no such group in the oracle`);
      return;
    }
    if (seen.has(key)) problems.push(`${gw}: group listed twice`);
    seen.add(key);
    same(`${gw}.edges`, g.edges, w.edges);
    same(`${gw}.names_vary`, g.names_vary, w.names_vary);
    same(`${gw}.targets_vary`, g.targets_vary, w.targets_vary);
    same(`${gw}.edge_name`, g.edge_name, w.first.edge_name);
    same(`${gw}.target.index`, g.target.index, w.first.target);
  });
}

same('gc_roots.length', lh.gc_roots.length, f.gc_roots.length);
lh.gc_roots.forEach((r, i) => {
  if (!f.gc_roots[i]) return;
  same(`gc_roots[${i}].index`, r.index, f.gc_roots[i].index);
  checkFanout(`gc_roots[${i}] ${f.gc_roots[i].name}`, r, f.gc_roots[i]);
});

same('largest_fanout.length', lh.largest_fanout.length, f.largest_fanout.length);
same('largest_fanout edges', lh.largest_fanout.map((x) => x.edges), f.largest_fanout.map((x) => x.edges));
const seenNodes = new Set();
lh.largest_fanout.forEach((x, i) => {
  const w = f.fanout_candidates.find((c) => c.index === x.index);
  if (!w) {
    problems.push(`largest_fanout[${i}]: node ${x.index} is not among the nodes with the most edges`);
    return;
  }
  if (seenNodes.has(x.index)) problems.push(`largest_fanout[${i}]: node ${x.index} listed twice`);
  seenNodes.add(x.index);
  checkFanout(`largest_fanout[${i}]`, x, w);
});

// Findings: well-formed, and about real roots.
if (!Array.isArray(lh.findings)) problems.push('findings is not an array');
else {
  if (noFindings && lh.findings.length) problems.push(`expected no findings, got ${JSON.stringify(lh.findings.map((x) => x.id))}`);
  for (const fi of lh.findings) {
    const r = f.gc_roots.find((x) => x.id === fi.node_id);
    if (fi.node_id !== null && !r) problems.push(`finding ${fi.id}: node_id ${fi.node_id} is not a GC root`);
    else if (r) same(`finding ${fi.id}.edges`, fi.edges, r.edges);
  }
}

if (problems.length) {
  console.error(`${problems.length} difference(s) between leakhound and the oracle for ${snapshotPath}:`);
  for (const p of problems.slice(0, 60)) console.error('  ' + p);
  process.exit(1);
}
console.log(`ok ${snapshotPath}: ${f.nodes} nodes, ${f.edges} edges, ${f.class_count} classes, ` +
            `${f.gc_roots.length} GC roots, top ${top}`);
