#!/usr/bin/env node
// Independent facts about a V8 heap snapshot, computed with nothing but
// JSON.parse (and zlib for gzip): the oracle for `leakhound summary`.
//
//   node snapshot-facts.js FILE.heapsnapshot[.gz] [--top N]     prints JSON
//   require('./snapshot-facts.js').facts(path, top)              the same object
//
// It shares no code with leakhound. Class names follow Chrome DevTools'
// Summary view (front_end/entrypoints/heap_snapshot_worker/HeapSnapshot.ts:
// propagateDOMState, calculateObjectNames, inferInterfaceDefinitions,
// applyInterfaceDefinitions), written again here from that description.
// Every node is counted (leakhound's summary, unlike DevTools' view, keeps
// zero-size nodes), and DevTools' split of a class by source location is
// not applied.
//
// Output (all counts are plain numbers; sizes must stay below 2^53):
//   nodes, edges, strings, self_size, json_bytes, file_bytes, gzip,
//   lone_surrogates            strings' unpaired UTF-16 surrogates
//   extra_native_bytes         snapshot.extra_native_bytes, 0 if absent
//   format                     node_fields, edge_fields, node_types, edge_types, other_sections
//   node_types                 [{type, count, self_size}] in meta order
//   class_count, classes       {name: [count, self_size]} for every class
//   top_classes_by_count       the first N by count desc (then name)
//   top_classes_by_self_size   the first N by self size desc (then name)
//   gc_roots                   every child of "(GC roots)", in edge order, with fan-out facts
//   largest_fanout             the N nodes with the most outgoing edges (edges desc, then ordinal)
//   fanout_candidates          every node with at least as many edges as the N-th (for ties)
// A node's fan-out facts: index (ordinal), id, type, name, edges,
// distinct_targets, groups. A group gathers a node's edges that share edge
// type, target type and, for targets whose name is a class (object, native,
// hidden, synthetic, array, object shape), target name: {edge_type,
// target_type, target_name|null, edges, names_vary, targets_vary,
// first: {edge_name, target}} sorted by edges desc.
'use strict';

const fs = require('fs');
const zlib = require('zlib');

function load(path) {
  let buf = path === '-' ? fs.readFileSync(0) : fs.readFileSync(path);
  const fileBytes = path === '-' ? 0 : fs.statSync(path).size;
  const gzip = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  if (gzip) buf = zlib.gunzipSync(buf);
  return {snap: JSON.parse(buf.toString('utf8')), jsonBytes: buf.length, fileBytes, gzip};
}

// Strings compare as leakhound's tables break ties: by UTF-8 bytes.
function byteCompare(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function countLoneSurrogates(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else n++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      n++;
    }
  }
  return n;
}

function facts(path, top = 10) {
  const {snap, jsonBytes, fileBytes, gzip} = load(path);
  const meta = snap.snapshot.meta;
  const NF = meta.node_fields.length;
  const EF = meta.edge_fields.length;
  const nType = meta.node_fields.indexOf('type');
  const nName = meta.node_fields.indexOf('name');
  const nId = meta.node_fields.indexOf('id');
  const nSize = meta.node_fields.indexOf('self_size');
  const nEdges = meta.node_fields.indexOf('edge_count');
  const nDetached = meta.node_fields.indexOf('detachedness');
  const eType = meta.edge_fields.indexOf('type');
  const eName = meta.edge_fields.indexOf('name_or_index');
  const eTo = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[nType];
  const edgeTypes = meta.edge_types[eType];
  const {nodes, edges, strings} = snap;
  if (nodes.length % NF || edges.length % EF) throw new Error('array length is not a multiple of the field count');
  const N = nodes.length / NF;
  const E = edges.length / EF;

  const type = (n) => nodeTypes[nodes[n * NF + nType]];
  const name = (n) => strings[nodes[n * NF + nName]];
  const id = (n) => nodes[n * NF + nId];
  const size = (n) => nodes[n * NF + nSize];

  const firstEdge = new Uint32Array(N + 1);
  for (let n = 0; n < N; n++) firstEdge[n + 1] = firstEdge[n] + nodes[n * NF + nEdges];
  if (firstEdge[N] !== E) throw new Error('edge_count fields do not sum to the edge count');
  const edgeType = (e) => edgeTypes[edges[e * EF + eType]];
  const edgeTo = (e) => {
    const t = edges[e * EF + eTo];
    if (t % NF) throw new Error(`to_node ${t} is not a node offset`);
    return t / NF;
  };
  const edgeIndexed = (e) => edgeType(e) === 'element' || edgeType(e) === 'hidden';
  const edgeName = (e) => (edgeIndexed(e) ? edges[e * EF + eName] : strings[edges[e * EF + eName]]);

  // Totals and types.
  let selfSize = 0;
  const perType = nodeTypes.map((t) => ({type: t, count: 0, self_size: 0}));
  for (let n = 0; n < N; n++) {
    selfSize += size(n);
    perType[nodes[n * NF + nType]].count++;
    perType[nodes[n * NF + nType]].self_size += size(n);
  }
  if (!Number.isSafeInteger(selfSize)) throw new Error('total self size is past 2^53');

  // DOM state (HeapSnapshot.ts propagateDOMState): known states spread over
  // native nodes along all but hidden, invisible and weak edges, attached first.
  const detachedName = new Array(N).fill(false);
  if (nDetached >= 0) {
    const state = new Uint8Array(N);
    const visited = new Uint8Array(N);
    const attached = [];
    const detached = [];
    const process = (n, s) => {
      if (visited[n]) return;
      if (type(n) !== 'native') {
        visited[n] = 1;
        return;
      }
      state[n] = s;
      if (s === 1) attached.push(n);
      else if (s === 2) {
        detachedName[n] = true;
        detached.push(n);
      }
      visited[n] = 1;
    };
    const spread = (n, s) => {
      for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
        const t = edgeType(e);
        if (t === 'hidden' || t === 'invisible' || t === 'weak') continue;
        process(edgeTo(e), s);
      }
    };
    for (let n = 0; n < N; n++) {
      const s = nodes[n * NF + nDetached];
      if (s !== 0) process(n, s);
    }
    while (attached.length) spread(attached.pop(), 1);
    while (detached.length) {
      const n = detached.pop();
      if (state[n] === 1) continue;
      spread(n, 2);
    }
  }

  // Base classes (calculateObjectNames).
  const nodeName = (n) => (detachedName[n] ? 'Detached ' + name(n) : name(n));
  const baseClass = (n) => {
    switch (type(n)) {
      case 'hidden': return '(system)';
      case 'code': return '(compiled code)';
      case 'closure': return 'Function';
      case 'regexp': return 'RegExp';
      case 'object':
      case 'native': {
        const nm = nodeName(n);
        if (nm.startsWith('<')) {
          const sp = nm.indexOf(' ');
          return sp === -1 ? nm : nm.substring(0, sp) + '>';
        }
        if (nm.startsWith('Detached <')) {
          const sp = nm.indexOf(' ', 10);
          return sp === -1 ? nm : nm.substring(0, sp) + '>';
        }
        return nm;
      }
      default: return '(' + type(n) + ')';
    }
  };

  // Interfaces for plain objects (inferInterfaceDefinitions / applyInterfaceDefinitions).
  const isPlain = (n) => type(n) === 'object' && name(n) === 'Object';
  const formatProperty = (p) => {
    if (!/[,'"{}]/.test(p)) return p;
    const j = JSON.stringify({[p]: 0});
    return j.substring(1, j.length - 3);
  };
  const candidates = new Map();
  let plainCount = 0;
  for (let n = 0; n < N; n++) {
    if (!isPlain(n)) continue;
    plainCount++;
    let iname = '{';
    const props = [];
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
      if (edgeType(e) !== 'property') continue;
      const p = edgeName(e);
      if (p === '__proto__') continue;
      const f = formatProperty(p);
      if (iname.length > 1 && iname.length + f.length > 120) break;
      if (iname.length !== 1) iname += ', ';
      iname += f;
      props.push(p);
    }
    if (!props.length) continue;
    iname += '}';
    const c = candidates.get(iname);
    if (c) c.count++;
    else candidates.set(iname, {name: iname, props, count: 1});
  }
  const minCount = Math.max(2, plainCount / 1000);
  const definitions = [...candidates.values()].sort((a, b) => b.count - a.count).filter((c) => c.count >= minCount);
  // Match: the definition with the most properties all present in the object (then the earliest).
  const defSets = definitions.map((d) => new Set(d.props));
  const interfaceOf = (n) => {
    const own = new Set();
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) if (edgeType(e) === 'property') own.add(edgeName(e));
    let best = -1;
    for (let i = 0; i < definitions.length; i++) {
      if (best >= 0 && defSets[i].size <= defSets[best].size) continue;
      let all = true;
      for (const p of defSets[i]) if (!own.has(p)) { all = false; break; }
      if (all) best = i;
    }
    return best;
  };

  const classes = new Map();
  for (let n = 0; n < N; n++) {
    let cls = baseClass(n);
    if (definitions.length && isPlain(n)) {
      const d = interfaceOf(n);
      if (d >= 0) cls = definitions[d].name;
    }
    const c = classes.get(cls);
    if (c) {
      c[0]++;
      c[1] += size(n);
    } else {
      classes.set(cls, [1, size(n)]);
    }
  }
  const classList = [...classes].map(([c, [count, s]]) => ({class: c, count, self_size: s}));
  const topBy = (key) => classList.slice().sort((a, b) => b[key] - a[key] || byteCompare(a.class, b.class)).slice(0, top);

  // Fan-out facts.
  const classLike = new Set(['object', 'native', 'hidden', 'synthetic', 'array', 'object shape']);
  const fanoutCache = new Map();
  const fanout = (n) => {
    if (fanoutCache.has(n)) return fanoutCache.get(n);
    const targets = new Set();
    const groups = new Map();
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
      const t = edgeTo(e);
      targets.add(t);
      const tn = classLike.has(type(t)) ? name(t) : null;
      const key = edgeType(e) + '\u0000' + type(t) + (tn === null ? '\u0000' : '\u0001' + tn);
      let g = groups.get(key);
      if (!g) {
        g = {edge_type: edgeType(e), target_type: type(t), target_name: tn, edges: 0, names_vary: false,
             targets_vary: false, first: {edge_name: edgeName(e), target: t}};
        groups.set(key, g);
      }
      g.edges++;
      if (edgeName(e) !== g.first.edge_name) g.names_vary = true;
      if (t !== g.first.target) g.targets_vary = true;
    }
    const facts = {index: n, id: id(n), type: type(n), name: name(n), edges: firstEdge[n + 1] - firstEdge[n],
                   distinct_targets: targets.size, groups: [...groups.values()].sort((a, b) => b.edges - a.edges)};
    fanoutCache.set(n, facts);
    return facts;
  };

  let gcRoots = null;
  for (let e = firstEdge[0]; e < firstEdge[1]; e++) {
    const t = edgeTo(e);
    if (type(t) === 'synthetic' && name(t) === '(GC roots)') {
      gcRoots = t;
      break;
    }
  }
  const roots = [];
  if (gcRoots !== null) for (let e = firstEdge[gcRoots]; e < firstEdge[gcRoots + 1]; e++) roots.push(fanout(edgeTo(e)));

  const withEdges = [];
  for (let n = 0; n < N; n++) if (firstEdge[n + 1] > firstEdge[n]) withEdges.push(n);
  const count = (n) => firstEdge[n + 1] - firstEdge[n];
  withEdges.sort((a, b) => count(b) - count(a) || a - b);
  const ranked = withEdges.slice(0, top);
  const boundary = ranked.length ? count(ranked[ranked.length - 1]) : Infinity;
  const candidatesByEdges = withEdges.filter((n) => count(n) >= boundary);

  let loneSurrogates = 0;
  for (const s of strings) loneSurrogates += countLoneSurrogates(s);

  const known = new Set(['snapshot', 'nodes', 'edges', 'strings']);
  return {
    file: path,
    nodes: N,
    edges: E,
    strings: strings.length,
    self_size: selfSize,
    json_bytes: jsonBytes,
    file_bytes: fileBytes,
    gzip,
    lone_surrogates: loneSurrogates,
    extra_native_bytes: snap.snapshot.extra_native_bytes || 0,
    format: {
      node_fields: meta.node_fields,
      edge_fields: meta.edge_fields,
      node_types: nodeTypes,
      edge_types: edgeTypes,
      other_sections: Object.keys(snap).filter((k) => !known.has(k)),
    },
    node_types: perType,
    class_count: classList.length,
    classes: Object.fromEntries(classList.map((c) => [c.class, [c.count, c.self_size]])),
    top_classes_by_count: topBy('count'),
    top_classes_by_self_size: topBy('self_size'),
    gc_roots: roots,
    largest_fanout: ranked.map(fanout),
    fanout_candidates: candidatesByEdges.map(fanout),
  };
}

module.exports = {facts};

if (require.main === module) {
  const args = process.argv.slice(2);
  let top = 10;
  const ti = args.indexOf('--top');
  if (ti >= 0) {
    top = Number(args[ti + 1]);
    args.splice(ti, 2);
  }
  if (args.length !== 1 || !(top > 0)) {
    console.error('usage: node snapshot-facts.js FILE.heapsnapshot[.gz] [--top N]');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(facts(args[0], top), null, 1) + '\n');
}
