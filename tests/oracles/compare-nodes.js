#!/usr/bin/env node
// Compares per-node facts of two dumps of the same snapshot, node by node.
//
//   node compare-nodes.js A.json B.json --fields f1,f2,... [--show N] [--label TEXT]
//                         [--count-only] [--where FIELD=VALUE]
//
// Each input is either
//   - an oracle dump (tests/oracles/devtools/dump.mjs, tests/oracles/memlab/dump.js,
//     JSON format): header keys plus one array per field, indexed by node ordinal; or
//   - `leakhound top --all --json` output: {"objects":[{id, index, ...}, ...]} with
//     one object per node (in any order; "index" is the node ordinal).
// Fields are named as in the oracles; "class_name" is "class" in leakhound's output
// (either name may be given).
//
// Both inputs must describe the same nodes: the same node count and, at every
// ordinal, the same id (checked before anything else; any difference fails).
// Then every listed field is compared at every ordinal.
//
// Default: prints a line per field with its number of differences, and up to N
// (default 10) examples per field, then exits 1 if any field differs, 0 if none.
// --count-only: prints {"nodes":N,"differences":{field:count},"where_differences":{field:count}}
// as JSON and exits 0 whatever the counts (for tests that expect differences).
// --where FIELD=VALUE: with --count-only, also counts the differences among the
// nodes whose FIELD (read from A) equals VALUE (e.g. class_name=WeakValue).
'use strict';

const fs = require('fs');

function usage(msg) {
  if (msg) process.stderr.write(`compare-nodes.js: ${msg}\n`);
  process.stderr.write('usage: node compare-nodes.js A.json B.json --fields f1,f2,... ' +
                       '[--show N] [--label TEXT] [--count-only] [--where FIELD=VALUE]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const o = {files: [], fields: null, show: 10, label: '', countOnly: false, where: null};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--fields') o.fields = (argv[++i] || '').split(',').filter(Boolean);
    else if (a === '--show') o.show = Number(argv[++i]);
    else if (a === '--label') o.label = argv[++i] || '';
    else if (a === '--count-only') o.countOnly = true;
    else if (a === '--where') {
      const w = argv[++i] || '';
      const eq = w.indexOf('=');
      if (eq <= 0) usage('--where takes FIELD=VALUE');
      o.where = {field: w.slice(0, eq), value: w.slice(eq + 1)};
    } else if (a.startsWith('-')) usage('unknown option ' + a);
    else o.files.push(a);
  }
  if (o.files.length !== 2) usage('two input files are needed');
  if (!o.fields || !o.fields.length) usage('--fields is needed');
  return o;
}

const canonical = f => (f === 'class' ? 'class_name' : f);

// Loads a dump as {source, n, columns: {field: array by ordinal}}.
function load(file) {
  const text = fs.readFileSync(file, 'utf8');
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${e.message}); starts with: ${text.slice(0, 200)}`);
  }
  if (Array.isArray(doc.objects)) {
    const n = doc.objects.length;
    const columns = {};
    const seen = new Uint8Array(n);
    for (const obj of doc.objects) {
      const i = obj.index;
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`${file}: object with bad index ${i}`);
      if (seen[i]) throw new Error(`${file}: index ${i} appears twice`);
      seen[i] = 1;
      for (const [k, v] of Object.entries(obj)) {
        const key = canonical(k);
        (columns[key] ??= new Array(n))[i] = v;
      }
    }
    return {source: doc.retention ? `leakhound (${doc.retention})` : 'leakhound', n, columns};
  }
  if (Array.isArray(doc.fields) && Array.isArray(doc.id)) {
    const columns = {};
    for (const f of doc.fields) columns[canonical(f)] = doc[f];
    return {source: doc.oracle || 'oracle', n: doc.id.length, columns};
  }
  throw new Error(`${file}: neither an oracle dump nor leakhound top --all --json output`);
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const [a, b] = o.files.map(load);
  const tag = o.label ? `${o.label}: ` : '';
  if (a.n !== b.n) {
    console.log(`${tag}node counts differ: ${a.source} ${a.n}, ${b.source} ${b.n}`);
    process.exit(1);
  }
  if (!a.n) {
    console.log(`${tag}no nodes`);
    process.exit(1);
  }
  const ida = a.columns.id, idb = b.columns.id;
  if (!ida || !idb) {
    console.log(`${tag}an input has no id column`);
    process.exit(1);
  }
  for (let i = 0; i < a.n; i++) {
    if (ida[i] !== idb[i]) {
      console.log(`${tag}ordinal ${i}: id ${ida[i]} in ${a.source}, ${idb[i]} in ${b.source}: not the same nodes`);
      process.exit(1);
    }
  }
  const fields = o.fields.map(canonical);
  const differences = {}, whereDifferences = {};
  const examples = {};
  let whereCount = 0;
  const whereCol = o.where ? a.columns[canonical(o.where.field)] : null;
  if (o.where && !whereCol) usage(`--where: ${a.source} has no field ${o.where.field}`);
  for (let i = 0; whereCol && i < a.n; i++) if (String(whereCol[i]) === o.where.value) whereCount++;
  for (const f of fields) {
    const ca = a.columns[f], cb = b.columns[f];
    if (!ca) usage(`${a.source} has no field ${f}`);
    if (!cb) usage(`${b.source} has no field ${f}`);
    let count = 0, whereDiff = 0;
    const ex = [];
    for (let i = 0; i < a.n; i++) {
      if (ca[i] === cb[i]) continue;
      count++;
      if (whereCol && String(whereCol[i]) === o.where.value) whereDiff++;
      if (ex.length < o.show) ex.push(`ordinal ${i} @${ida[i]}: ${JSON.stringify(ca[i])} vs ${JSON.stringify(cb[i])}`);
    }
    differences[f] = count;
    whereDifferences[f] = whereDiff;
    examples[f] = ex;
  }
  if (o.countOnly) {
    const out = {nodes: a.n, differences};
    if (o.where) Object.assign(out, {where: o.where, where_nodes: whereCount, where_differences: whereDifferences});
    console.log(JSON.stringify(out));
    return;
  }
  let total = 0;
  for (const f of fields) {
    total += differences[f];
    console.log(`${tag}${f}: ${differences[f]} of ${a.n} nodes differ (${a.source} vs ${b.source})`);
    for (const line of examples[f]) console.log(`    ${line}`);
  }
  process.exit(total ? 1 : 0);
}

try {
  main();
} catch (e) {
  console.log(`compare-nodes.js: ${e.message}`);
  process.exit(2);
}
