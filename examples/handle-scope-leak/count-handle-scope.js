#!/usr/bin/env node
// Counts the edges of the "(Handle scope)" synthetic GC root in a V8 heap
// snapshot (.heapsnapshot or .heapsnapshot.gz) with nothing but JSON.parse.
//
//   node count-handle-scope.js FILE [--details]
//
// Prints JSON: {nodes, edges, handle_scope_edges, distinct_targets}.
// With --details it also prints the edge types/names used by those edges and
// the most frequent targets (type, name, id, count).
'use strict';

const fs = require('fs');
const zlib = require('zlib');

const args = process.argv.slice(2);
const details = args.includes('--details');
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node count-handle-scope.js FILE[.gz] [--details]');
  process.exit(2);
}

let buf = fs.readFileSync(file);
if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
const snap = JSON.parse(buf.toString('utf8'));
buf = null;

const meta = snap.snapshot.meta;
const nodeFields = meta.node_fields;
const edgeFields = meta.edge_fields;
const N = nodeFields.length;
const E = edgeFields.length;
const nType = nodeFields.indexOf('type');
const nName = nodeFields.indexOf('name');
const nId = nodeFields.indexOf('id');
const nEdgeCount = nodeFields.indexOf('edge_count');
const eType = edgeFields.indexOf('type');
const eNameOrIndex = edgeFields.indexOf('name_or_index');
const eToNode = edgeFields.indexOf('to_node');
const nodeTypes = meta.node_types[nType];
const edgeTypes = meta.edge_types[eType];
const { nodes, edges, strings } = snap;

const nodeCount = nodes.length / N;
const edgeCount = edges.length / E;

// Edges are stored grouped by source node, in node order.
let edgeBase = 0;
let hsFirstEdge = -1;
let hsEdges = 0;
let hsNode = -1;
for (let i = 0; i < nodeCount; i++) {
  const ec = nodes[i * N + nEdgeCount];
  if (hsNode < 0 && strings[nodes[i * N + nName]] === '(Handle scope)') {
    hsNode = i;
    hsFirstEdge = edgeBase;
    hsEdges = ec;
  }
  edgeBase += ec;
}

const targets = new Map();   // node index -> count
const kinds = new Map();     // "edgeType name_or_index-kind" -> count
for (let k = 0; k < hsEdges; k++) {
  const e = (hsFirstEdge + k) * E;
  const t = edges[e + eToNode] / N;
  targets.set(t, (targets.get(t) || 0) + 1);
  const type = edgeTypes[edges[e + eType]];
  const noi = edges[e + eNameOrIndex];
  // element/hidden edges carry an index, the others a string-table index.
  // V8 names GC-root edges after their position ("1", "2", ...) unless the
  // target is a well-known root object ("undefined_value", ...): numeric
  // names are folded into one bucket.
  let label;
  if (type === 'element' || type === 'hidden') label = `${type} [index]`;
  else if (/^\d+$/.test(strings[noi])) label = `${type} "<position>"`;
  else label = `${type} "${strings[noi]}"`;
  kinds.set(label, (kinds.get(label) || 0) + 1);
}

const out = {
  nodes: nodeCount,
  edges: edgeCount,
  handle_scope_edges: hsEdges,
  distinct_targets: targets.size,
};
if (details) {
  // The nodes holding the most outgoing edges, for comparison.
  const top = [];
  for (let i = 0; i < nodeCount; i++) {
    const ec = nodes[i * N + nEdgeCount];
    if (top.length < 5 || ec > top[top.length - 1].edges) {
      top.push({ name: strings[nodes[i * N + nName]].slice(0, 80),
                 type: nodeTypes[nodes[i * N + nType]], edges: ec });
      top.sort((a, b) => b.edges - a.edges);
      if (top.length > 5) top.pop();
    }
  }
  out.handle_scope_node = hsNode < 0 ? null : {
    index: hsNode,
    id: nodes[hsNode * N + nId],
    type: nodeTypes[nodes[hsNode * N + nType]],
  };
  out.handle_scope_share = edgeCount ? +(hsEdges / edgeCount).toFixed(4) : 0;
  out.nodes_with_most_edges = top;
  out.edge_kinds = Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1]));
  out.top_targets = [...targets].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([t, c]) => ({
    count: c,
    type: nodeTypes[nodes[t * N + nType]],
    name: strings[nodes[t * N + nName]].slice(0, 80),
    id: nodes[t * N + nId],
  }));
  if (hsEdges > 0) {
    const idx = [];
    for (let k = 0; k < Math.min(hsEdges, 12); k++) {
      const e = (hsFirstEdge + k) * E;
      const t = edges[e + eToNode] / N;
      const et = edgeTypes[edges[e + eType]];
      const noi = edges[e + eNameOrIndex];
      idx.push({ type: et,
                 name: (et === 'element' || et === 'hidden') ? noi : strings[noi],
                 to: `${nodeTypes[nodes[t * N + nType]]} ${strings[nodes[t * N + nName]].slice(0, 40)} @${nodes[t * N + nId]}` });
    }
    out.first_edges = idx;
  }
}
console.log(JSON.stringify(out, null, details ? 2 : 0));
