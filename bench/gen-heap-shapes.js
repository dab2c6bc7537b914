#!/usr/bin/env node
// A second snapshot generator, independent of gen-heap.js and written to be
// hard on a snapshot reader and on dominator code: shapes that gen-heap.js's
// uniform "units" never make.
//
//   node --max-old-space-size=16384 bench/gen-heap-shapes.js --target-mb 500 --out heap.heapsnapshot
//
// Each round adds, in proportions drawn from a seeded PRNG:
//   - many small objects: one- and two-field objects and boxed doubles in flat
//     arrays (many nodes, few edges each: the nodes array dominates);
//   - long chains: singly linked lists that grow to hundreds of thousands of
//     links (deep DFS, a dominator tree as deep as the chain);
//   - wide objects: dictionary-mode objects of 500-3000 properties and sparse
//     arrays (thousands of edges on one node, many distinct names);
//   - strings: short and long (up to 64 KB), with quotes, backslashes, control
//     characters, BMP and astral code points and lone surrogates, which V8
//     writes as \" \\ \n \u0001 \uXXXX escapes (the strings section dominates);
//   - one large Map and one large Set that keep growing (huge backing tables);
//   - deep arrays: arrays nested hundreds of levels;
//   - closures sharing contexts, WeakMaps, ArrayBuffers of random sizes.
// Objects also point back at random older objects, so that many have several
// retainers. The proportions are fixed per round, so the snapshot's size is
// about linear in --rounds; --target-mb picks rounds from a measured
// constant (KB_PER_ROUND). It prints the size and counts on stderr and a JSON
// line on stdout, like gen-heap.js.
'use strict';

const v8 = require('v8');
const fs = require('fs');

function usage(msg) {
  if (msg) console.error(`gen-heap-shapes: ${msg}`);
  console.error('usage: node --max-old-space-size=MB gen-heap-shapes.js --target-mb N --out FILE [--seed S] [--rounds R]');
  process.exit(2);
}

const args = { targetMb: null, out: null, seed: 7, rounds: null };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const next = () => {
    if (i + 1 >= process.argv.length) usage(`${a} needs a value`);
    return process.argv[++i];
  };
  if (a === '--target-mb') args.targetMb = Number(next());
  else if (a === '--out') args.out = next();
  else if (a === '--seed') args.seed = Number(next());
  else if (a === '--rounds') args.rounds = Number(next());
  else if (a === '-h' || a === '--help') usage();
  else usage(`unknown argument ${a}`);
}
if (!args.out) usage('--out is required');
if (args.rounds == null && !(args.targetMb > 0)) usage('--target-mb must be a positive number');

// Measured (Node 20.20.2): an empty heap writes ~3.8 MB; each round adds about this much.
const BASE_MB = 3.8;
const KB_PER_ROUND = 166;
const rounds = args.rounds != null ? args.rounds
  : Math.max(1, Math.round((args.targetMb - BASE_MB) * 1024 / KB_PER_ROUND));

// xorshift128+ style PRNG on 32-bit halves (not gen-heap.js's mulberry32), seeded.
let s0 = (args.seed * 0x9e3779b1) >>> 0 || 1, s1 = 0x85ebca6b;
function rand() {
  let x = s0, y = s1;
  s0 = y;
  x ^= x << 23; x >>>= 0;
  x ^= x >>> 17;
  x ^= y ^ (y >>> 26);
  s1 = x >>> 0;
  return ((s0 + s1) >>> 0) / 4294967296;
}
const randInt = (n) => Math.floor(rand() * n);
const pick = (a) => a[randInt(a.length)];

// Pieces of text: escapes V8 must write (quote, backslash, controls), BMP, astral, lone surrogates.
const PIECES = ['"quoted"', 'back\\slash', 'line\nbreak', 'tab\there', '\u0001\u001f', 'ctl\r\n',
  'Ünïcödé', 'ελληνικά', '中文字符', 'עברית', '😀🚀', '𝔘𝔫𝔦', '\ud800', '\udfff lone', 'plain ascii text ',
  '</script>', '{"json":[1,2]}', '\u2028\u2029', 'x'.repeat(40)];

function makeString(r, k) {
  const long = rand() < 0.02;
  const parts = long ? 200 + randInt(3000) : 1 + randInt(6);
  let out = `s${r}.${k}:`;
  for (let i = 0; i < parts; i++) out += pick(PIECES);
  // Flatten (a cons string would be a tree of string nodes) while keeping it unique.
  return JSON.parse(JSON.stringify(out));
}

const root = {
  small: [],       // flat arrays of small objects
  chains: [],      // heads of long singly linked lists
  wide: [],        // dictionary-mode objects and sparse arrays
  strings: [],     // arrays of strings
  deep: [],        // nested arrays
  closures: [],
  bigMap: new Map(),
  bigSet: new Set(),
  weak: new WeakMap(),
  buffers: [],
};
globalThis.__leakhoundShapesHeap = root;

const recent = []; // a window of objects that later ones point back at
function remember(o) {
  if (recent.length < 4096) recent.push(o);
  else recent[randInt(4096)] = o;
}

let chainTail = null, chainLength = 0;

function addRound(r) {
  // Many small objects: ~900 nodes, about 1.5 edges each besides the map.
  const small = new Array(600);
  for (let k = 0; k < 600; k++) {
    const t = k % 3;
    small[k] = t === 0 ? { v: r * 600 + k } : t === 1 ? { a: k, b: rand() + r } : [k + 0.5];
  }
  root.small.push(small);
  remember(small[randInt(600)]);

  // Long chains: 300 links a round; a new chain every ~400k links.
  if (!chainTail || chainLength > 400000) {
    chainTail = { next: null, n: 0 };
    root.chains.push(chainTail);
    chainLength = 0;
  }
  for (let k = 0; k < 300; k++) {
    const link = { next: null, n: chainLength++ };
    chainTail.next = link;
    chainTail = link;
  }
  if (rand() < 0.3) chainTail.back = pick(recent);

  // Wide objects: one in 8 rounds, 500-3000 properties (dictionary mode) or a sparse array.
  if (r % 8 === 0) {
    const n = 500 + randInt(2500);
    if (rand() < 0.7) {
      const o = {};
      for (let k = 0; k < n; k++) o[`field_${r}_${k}`] = k % 7 === 0 ? pick(recent) : k;
      root.wide.push(o);
      remember(o);
    } else {
      const a = [];
      for (let k = 0; k < n; k++) a[k * 97] = { i: k };
      root.wide.push(a);
    }
  }

  // Strings: 150 a round, some long, all with escapes or non-ASCII text.
  const strs = new Array(150);
  for (let k = 0; k < 150; k++) strs[k] = makeString(r, k);
  root.strings.push(strs);

  // The large Map and Set keep growing.
  for (let k = 0; k < 60; k++) {
    root.bigMap.set(`key:${r}:${k}`, k % 4 === 0 ? pick(recent) : { r, k });
    root.bigSet.add(r * 60 + k + 0.25);
  }

  // Deep arrays: one in 16 rounds, nested 200-800 levels.
  if (r % 16 === 3) {
    let a = [r];
    const depth = 200 + randInt(600);
    for (let d = 0; d < depth; d++) a = [a, d];
    root.deep.push(a);
  }

  // Closures sharing one context, a WeakMap entry, now and then a buffer.
  let shared = { count: r };
  const f1 = () => shared.count++;
  const f2 = () => shared;
  root.closures.push(f1, f2);
  if (recent.length) root.weak.set(pick(recent), { tag: r });
  if (r % 4 === 0) root.buffers.push(new ArrayBuffer(1 + randInt(1 << 16)));
}

const t0 = Date.now();
for (let r = 0; r < rounds; r++) addRound(r);
const t1 = Date.now();
const mem = process.memoryUsage();
console.error(`gen-heap-shapes: ${rounds} rounds built in ${((t1 - t0) / 1000).toFixed(1)} s, ` +
  `heapUsed ${(mem.heapUsed / 1048576).toFixed(0)} MB`);

const file = v8.writeHeapSnapshot(args.out);
const size = fs.statSync(file).size;
const head = Buffer.alloc(4096);
const fd = fs.openSync(file, 'r');
const got = fs.readSync(fd, head, 0, head.length, 0);
fs.closeSync(fd);
const text = head.toString('utf8', 0, got);
const nodes = Number((/"node_count":(\d+)/.exec(text) || [])[1]);
const edges = Number((/"edge_count":(\d+)/.exec(text) || [])[1]);
console.error(`gen-heap-shapes: wrote ${file}: ${(size / 1048576).toFixed(1)} MB in ` +
  `${((Date.now() - t1) / 1000).toFixed(1)} s, ${nodes} nodes, ${edges} edges`);
console.log(JSON.stringify({ file, bytes: size, rounds, node_count: nodes, edge_count: edges }));
