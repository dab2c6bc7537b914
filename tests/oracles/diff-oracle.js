#!/usr/bin/env node
// An independent `leakhound diff`, computed with nothing but JSON.parse (and
// zlib for gzip). It shares no code with leakhound.
//
//   node diff-oracle.js BEFORE AFTER            prints the diff as JSON
//   node diff-oracle.js --node FILE ID [ID...]  prints {ID: {id, type, name, class, self_size}|null}
//   node diff-oracle.js --classes FILE          prints {class: [count, self_size]} for FILE
//   require('./diff-oracle.js')                 {load, diff, nodeInfo, classCounts, gcRoots}
//
// A node's class (a simplified form of Chrome DevTools' Summary view):
//   object, native      the node's name; a native node that DevTools finds
//                       detached gets the prefix "Detached " (its own
//                       detachedness field, or inherited from a native parent:
//                       HeapSnapshot.ts propagateDOMState, rewritten here)
//   closure             "Function"
//   code                "(compiled code)"
//   hidden              "(system)"
//   regexp              "RegExp"
//   any other type      "(type)", e.g. "(string)", "(array)"
// DevTools (and leakhound) also give plain objects named "Object" an inferred
// interface class ("{a, b, c}"); this oracle does not, so its "Object" row
// stands for all of those, and callers should compare only the other classes.
//
// An object keeps its V8 id for its whole life, so by id:
//   added    ids only in AFTER  (count and self-size sum, per class and per type)
//   removed  ids only in BEFORE
//   count_before / count_after, size_before / size_after: live totals
// GC sub-roots are the children of "(GC roots)" (the root's child of that
// name), in edge order; each gets its name, its 1-based position among the
// sub-roots of the same name, and its outgoing edge count in both files
// (matched by name and position).
//
// But V8 does hand the id of an object that died after the older snapshot to a
// new object allocated at its address (its HeapObjectsMap learns of moves,
// not of deaths), so an id can name another object in AFTER. Such ids are
// counted apart: removed_reused (the BEFORE object's class: an id in both
// files whose type or name differs) and added_reused (the AFTER object's).
// By ids alone they are neither added nor removed; as objects, the older one
// was freed and the newer one is new: added + added_reused, removed +
// removed_reused.
//
// Output of a diff:
//   {"classes": {class: {added, added_size, removed, removed_size,
//                        count_before, count_after, size_before, size_after,
//                        added_reused, added_reused_size,
//                        removed_reused, removed_reused_size}},
//    "node_types": {type: {...same fields...}},
//    "gc_roots": [{name, position_among_same_name, edges_before, edges_after}],
//    "new_ids": count of ids only in AFTER,
//    "totals": {nodes_before, nodes_after, size_before, size_after}}
'use strict';

const fs = require('fs');
const zlib = require('zlib');

function load(path) {
  let buf = fs.readFileSync(path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  const snap = JSON.parse(buf.toString('utf8'));
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields, ef = meta.edge_fields;
  const field = (list, name) => {
    const i = list.indexOf(name);
    if (i < 0) throw new Error(`${path}: no "${name}" field`);
    return i;
  };
  return {
    path, snap,
    types: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
    N: nf.length, E: ef.length,
    nType: field(nf, 'type'), nName: field(nf, 'name'), nId: field(nf, 'id'),
    nSize: field(nf, 'self_size'), nEdges: field(nf, 'edge_count'),
    nDetached: nf.indexOf('detachedness'),
    eType: field(ef, 'type'), eName: field(ef, 'name_or_index'), eTo: field(ef, 'to_node'),
    detached: null,
  };
}

function nodeCount(h) {
  return h.snap.nodes.length / h.N;
}

function typeOf(h, ord) {
  return h.types[h.snap.nodes[ord * h.N + h.nType]];
}

function nameOf(h, ord) {
  return h.snap.strings[h.snap.nodes[ord * h.N + h.nName]];
}

// DevTools' DOM state propagation: a native node's state (0 unknown,
// 1 attached, 2 detached) is its own detachedness field when known; attached
// spreads first to native children (not through hidden, invisible or weak
// edges), then detached to native children still unknown. Not through
// other types: JavaScript objects break the chain. Returns Uint8Array by ordinal.
function domStates(h) {
  if (h.detached) return h.detached;
  const n = nodeCount(h);
  const state = new Uint8Array(n);
  h.detached = state;
  if (h.nDetached < 0) return state;
  const nodes = h.snap.nodes, edges = h.snap.edges;
  const first = firstEdges(h);
  const native = h.types.indexOf('native');
  const skip = new Set(['hidden', 'invisible', 'weak'].map((t) => h.edgeTypes.indexOf(t)));
  const visited = new Uint8Array(n);
  const queues = {1: [], 2: []};
  const visit = (ord, s) => {
    if (visited[ord]) return;
    visited[ord] = 1;
    if (nodes[ord * h.N + h.nType] !== native) return;
    state[ord] = s;
    if (s === 1 || s === 2) queues[s].push(ord);
  };
  for (let i = 0; i < n; i++) {
    const s = nodes[i * h.N + h.nDetached];
    if (s !== 0) visit(i, s);
  }
  const spread = (ord, s) => {
    for (let e = first[ord]; e < first[ord + 1]; e++) {
      if (skip.has(edges[e * h.E + h.eType])) continue;
      visit(edges[e * h.E + h.eTo] / h.N, s);
    }
  };
  while (queues[1].length) spread(queues[1].pop(), 1);
  while (queues[2].length) {
    const ord = queues[2].pop();
    if (state[ord] !== 1) spread(ord, 2);
  }
  return state;
}

function classOf(h, ord) {
  const t = typeOf(h, ord);
  switch (t) {
    case 'object': return nameOf(h, ord);
    case 'native': return (domStates(h)[ord] === 2 ? 'Detached ' : '') + nameOf(h, ord);
    case 'closure': return 'Function';
    case 'code': return '(compiled code)';
    case 'hidden': return '(system)';
    case 'regexp': return 'RegExp';
    default: return `(${t})`;
  }
}

// Map id -> {cls, type, size} for every node.
function byId(h) {
  const m = new Map();
  const nodes = h.snap.nodes;
  for (let i = 0, n = nodeCount(h); i < n; i++) {
    m.set(nodes[i * h.N + h.nId],
          {cls: classOf(h, i), type: typeOf(h, i), name: nameOf(h, i), size: nodes[i * h.N + h.nSize]});
  }
  return m;
}

// First edge index (into the flat edges array, in edge records) of each node.
function firstEdges(h) {
  const n = nodeCount(h);
  const first = new Array(n + 1);
  let e = 0;
  for (let i = 0; i < n; i++) {
    first[i] = e;
    e += h.snap.nodes[i * h.N + h.nEdges];
  }
  first[n] = e;
  return first;
}

// [{name, position_among_same_name, edges}] of the children of "(GC roots)".
function gcRoots(h) {
  const first = firstEdges(h);
  const nodes = h.snap.nodes, edges = h.snap.edges;
  const children = (ord) => {
    const out = [];
    for (let e = first[ord]; e < first[ord + 1]; e++) out.push(edges[e * h.E + h.eTo] / h.N);
    return out;
  };
  const gc = children(0).find((c) => nameOf(h, c) === '(GC roots)');
  if (gc === undefined) throw new Error(`${h.path}: the root has no "(GC roots)" child`);
  const seen = new Map();
  return children(gc).map((c) => {
    const name = nameOf(h, c);
    seen.set(name, (seen.get(name) || 0) + 1);
    return {name, position_among_same_name: seen.get(name), edges: nodes[c * h.N + h.nEdges]};
  });
}

function row() {
  return {added: 0, added_size: 0, removed: 0, removed_size: 0,
          count_before: 0, count_after: 0, size_before: 0, size_after: 0,
          added_reused: 0, added_reused_size: 0, removed_reused: 0, removed_reused_size: 0};
}

const sameObject = (x, y) => x.type === y.type && x.name === y.name;

function diff(beforePath, afterPath) {
  const a = load(beforePath), b = load(afterPath);
  const ia = byId(a), ib = byId(b);
  const classes = {}, types = {};
  const get = (o, k) => (o[k] || (o[k] = row()));
  let newIds = 0;
  for (const [id, x] of ia) {
    const y = ib.get(id);
    for (const r of [get(classes, x.cls), get(types, x.type)]) {
      r.count_before++;
      r.size_before += x.size;
      if (!y) { r.removed++; r.removed_size += x.size; }
      else if (!sameObject(x, y)) { r.removed_reused++; r.removed_reused_size += x.size; }
    }
  }
  for (const [id, x] of ib) {
    const y = ia.get(id);
    newIds += !y;
    for (const r of [get(classes, x.cls), get(types, x.type)]) {
      r.count_after++;
      r.size_after += x.size;
      if (!y) { r.added++; r.added_size += x.size; }
      else if (!sameObject(x, y)) { r.added_reused++; r.added_reused_size += x.size; }
    }
  }
  const ra = gcRoots(a), rb = gcRoots(b);
  const gc_roots = ra.map((r) => {
    const m = rb.find((x) => x.name === r.name && x.position_among_same_name === r.position_among_same_name);
    return {name: r.name, position_among_same_name: r.position_among_same_name,
            edges_before: r.edges, edges_after: m ? m.edges : 0};
  });
  const total = (ids) => [...ids.values()].reduce((t, x) => { t[0]++; t[1] += x.size; return t; }, [0, 0]);
  const [nb, sb] = total(ia), [na, sa] = total(ib);
  return {classes, node_types: types, gc_roots, new_ids: newIds,
          totals: {nodes_before: nb, nodes_after: na, size_before: sb, size_after: sa}};
}

function nodeInfo(path, ids) {
  const h = load(path);
  const want = new Set(ids.map(Number));
  const out = {};
  for (const id of want) out[id] = null;
  for (let i = 0, n = nodeCount(h); i < n; i++) {
    const id = h.snap.nodes[i * h.N + h.nId];
    if (want.has(id)) {
      out[id] = {id, type: typeOf(h, i), name: nameOf(h, i), class: classOf(h, i),
                 self_size: h.snap.nodes[i * h.N + h.nSize]};
    }
  }
  return out;
}

function classCounts(path) {
  const h = load(path);
  const out = {};
  for (let i = 0, n = nodeCount(h); i < n; i++) {
    const c = classOf(h, i);
    const r = out[c] || (out[c] = [0, 0]);
    r[0]++;
    r[1] += h.snap.nodes[i * h.N + h.nSize];
  }
  return out;
}

module.exports = {load, diff, nodeInfo, classCounts, gcRoots};

if (require.main === module) {
  const args = process.argv.slice(2);
  const usage = () => {
    process.stderr.write('usage: node diff-oracle.js BEFORE AFTER | --node FILE ID... | --classes FILE\n');
    process.exit(2);
  };
  let result;
  if (args[0] === '--node') {
    if (args.length < 3) usage();
    result = nodeInfo(args[1], args.slice(2));
  } else if (args[0] === '--classes') {
    if (args.length !== 2) usage();
    result = classCounts(args[1]);
  } else {
    if (args.length !== 2 || args.some((x) => x.startsWith('-'))) usage();
    result = diff(args[0], args[1]);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}
