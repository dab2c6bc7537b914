#!/usr/bin/env node
// The naive reader: JSON.parse(fs.readFileSync(FILE, 'utf8')), then the node
// and edge counts. Node cannot make a string longer than 0x1fffffe8
// characters (~512 MB), so this fails on larger snapshots; the failure is
// reported as "jsonparse-load: failed: <reason>" on stderr with exit 1.
//
//   node --max-old-space-size=16384 bench/jsonparse-load.js FILE
'use strict';

const fs = require('fs');

const file = process.argv[2];
if (!file) {
  console.error('usage: node --max-old-space-size=MB jsonparse-load.js FILE');
  process.exit(2);
}

function fail(reason) {
  console.error(`jsonparse-load: failed: ${reason}`);
  process.exit(1);
}

const t0 = process.hrtime.bigint();
let text;
try {
  text = fs.readFileSync(file, 'utf8');
} catch (e) {
  if (e.code === 'ERR_STRING_TOO_LONG' || /longer than/i.test(e.message)) {
    fail('file too large for one JS string (max 0x1fffffe8 chars, ~512 MB)');
  }
  fail(e.message);
}
let snap;
try {
  snap = JSON.parse(text);
} catch (e) {
  fail(`JSON.parse: ${e.message}`);
}
text = null;
const meta = snap && snap.snapshot && snap.snapshot.meta;
if (!meta || !Array.isArray(snap.nodes) || !Array.isArray(snap.edges)) fail('not a V8 heap snapshot');
const nodeCount = snap.nodes.length / meta.node_fields.length;
const edgeCount = snap.edges.length / meta.edge_fields.length;
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({
  tool: 'JSON.parse', file, seconds: Number(secs.toFixed(3)),
  node_count: nodeCount, edge_count: edgeCount, strings: snap.strings.length,
}));
