#!/usr/bin/env node
// Builds a realistic JS heap of millions of objects and writes it as a V8
// heap snapshot of about --target-mb MB.
//
//   node --max-old-space-size=16384 bench/gen-heap.js --target-mb 500 --out heap.heapsnapshot
//
// Peak RSS is about 5x the snapshot size (1.5 GB: ~7 GB, ~2.5 min), so the
// heap limit must be well above the target.
//
// The heap is made of "units". Each unit holds a mix of what real programs
// keep alive: plain objects of a few shapes, class instances, arrays, strings
// (some non-ASCII, some shared), closures, and now and then a Map or a Set.
// Objects also point at objects of earlier units, so the graph is not a tree
// and the dominator computation has real work to do.
//
// A unit is ~30 snapshot nodes and ~96 edges, ~2.3 KB of snapshot. The number
// of units for a target size was calibrated by experiment (see unitsFor and
// README.md). It prints the real size and node/edge counts on stderr and a
// JSON line on stdout.
'use strict';

const v8 = require('v8');
const fs = require('fs');

function usage(msg) {
  if (msg) console.error(`gen-heap: ${msg}`);
  console.error('usage: node --max-old-space-size=MB gen-heap.js --target-mb N --out FILE [--seed S] [--units U] [--series K]');
  process.exit(2);
}

const args = { targetMb: null, out: null, seed: 1, units: null, series: 0 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const next = () => {
    if (i + 1 >= process.argv.length) usage(`${a} needs a value`);
    return process.argv[++i];
  };
  if (a === '--target-mb') args.targetMb = Number(next());
  else if (a === '--out') args.out = next();
  else if (a === '--seed') args.seed = Number(next());
  else if (a === '--units') args.units = Number(next()); // calibration: exact unit count
  else if (a === '--series') args.series = Number(next()); // K snapshots OUT1..OUTK of one growing heap
  else if (a === '-h' || a === '--help') usage();
  else usage(`unknown argument ${a}`);
}
if (!args.out) usage('--out is required');
if (args.units == null && !(args.targetMb > 0)) usage('--target-mb must be a positive number');

// Calibration (Node 20.20.2, see README.md), fitted to runs of 0, 44k, 225k
// and 677k units (3.8, 99.6, 503.5, 1544.8 MB):
//   snapshot MB ~= A + B*units + C*units^2
// The small quadratic term is there because node ids and edge targets get
// more digits as the heap grows. MB = 2^20 bytes.
const A = 3.0;
const B = 0.0021912;
const C = 1.247e-10;
function unitsFor(mb) {
  if (mb <= A) return 0;
  return Math.round((-B + Math.sqrt(B * B + 4 * C * (mb - A))) / (2 * C));
}

const units = args.units != null
  ? args.units
  : unitsFor(args.targetMb);

// Small deterministic PRNG (mulberry32) so runs are reproducible.
let seed = args.seed >>> 0;
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (n) => Math.floor(rand() * n);

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'order', 'user', 'session', 'cache',
  'buffer', 'request', 'response', 'handler', 'widget', 'row', 'column', 'token'];
// Non-ASCII pieces: Latin-1 accents, CJK, Cyrillic, an emoji (surrogate pair).
const INTL = ['café', 'naïve', 'Zürich', '東京', 'データ', 'Привет', 'ñandú', ' 🐶 ', 'αβγ'];
const STATUS = ['new', 'pending', 'paid', 'shipped', 'cancelled']; // shared strings

class Customer {
  constructor(id, name, email) {
    this.id = id;
    this.name = name;
    this.email = email;
    this.orders = [];
    this.createdAt = 1700000000000 + id * 1000; // heap number (not a Smi)
  }
}

class Order {
  constructor(id, customer, total) {
    this.id = id;
    this.customer = customer;
    this.total = total; // double: heap number
    this.status = STATUS[id % STATUS.length];
    this.lines = [];
  }
}

class LineItem {
  constructor(sku, qty, price) {
    this.sku = sku;
    this.qty = qty;
    this.price = price;
  }
}

// A unit: ~25 heap objects.
function makeUnit(i, prev) {
  const w = WORDS[i % WORDS.length];
  // Strings: unique, built by concatenation then flattened through a template.
  let name = `${w}-${i}`;
  if (i % 5 === 0) name = `${INTL[i % INTL.length]}:${name}`; // ~20% non-ASCII
  const email = `${w}.${i}@example.com`;

  const customer = new Customer(i, name, email);

  const order = new Order(i, customer, (i % 997) * 1.25 + 0.01);
  for (let k = 0; k < 2; k++) {
    order.lines.push(new LineItem(`SKU-${(i * 7 + k) % 100000}`, 1 + k, 9.99 + k));
  }
  customer.orders.push(order);

  // Plain objects of a few shapes.
  const point = { x: i, y: i * 2, z: -i };
  const meta = { kind: w, tags: [w, STATUS[i % 5]], weight: i / 3, point };
  const node = { key: i, value: name, left: null, right: null, parent: prev ? prev.node : null };
  if (prev) {
    prev.node.right = node;       // doubly linked chain across units
    node.left = prev.meta;        // cross reference into an older unit
  }

  // Closure capturing some of the unit.
  let counter = i;
  const onEvent = function handler(ev) { counter++; return ev + customer.id + counter; };

  const unit = { id: i, customer, order, meta, node, onEvent, extra: null };

  // Now and then a Map or a Set (their backing tables are separate nodes).
  const r = i % 16;
  if (r === 0) {
    const m = new Map();
    for (let k = 0; k < 8; k++) m.set(`k${k}-${i}`, { n: k, owner: customer });
    unit.extra = m;
  } else if (r === 8) {
    const s = new Set();
    for (let k = 0; k < 8; k++) s.add(prev ? prev.customer : customer).add(k * 1.5 + i);
    unit.extra = s;
  } else if (r === 4) {
    unit.extra = new Float64Array(16); // an ArrayBuffer-backed object
  } else if (r === 12) {
    unit.extra = [name, email, i, i + 0.5, point];
  }
  // A few random back links so the graph has many paths to a node.
  if (prev && randInt(4) === 0) meta.peer = prev.customer;
  return unit;
}

const BUCKET = 4096; // units per bucket array: no one giant array
const root = { buckets: [], units };
globalThis.__leakhoundBenchHeap = root;

let prev = null;
let bucket = [];
function addUnits(from, to) {
  for (let i = from; i < to; i++) {
    const u = makeUnit(i, prev);
    bucket.push(u);
    if (bucket.length === BUCKET) { root.buckets.push(bucket); bucket = []; }
    // Keep a random older unit alive via a second path now and then.
    if (i > 1000 && i % 97 === 0) u.old = root.buckets.length ? root.buckets[randInt(root.buckets.length)][randInt(BUCKET)] : null;
    prev = u;
  }
}

function writeSnapshot(out, t1) {
  const file = v8.writeHeapSnapshot(out);
  const t2 = Date.now();
  const size = fs.statSync(file).size;
  // Node and edge counts from the snapshot's meta header (first few hundred bytes).
  let counts = '';
  try {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    fs.closeSync(fd);
    const head = buf.toString('utf8', 0, n);
    const nc = /"node_count":(\d+)/.exec(head);
    const ec = /"edge_count":(\d+)/.exec(head);
    if (nc && ec) counts = `, ${nc[1]} nodes, ${ec[1]} edges`;
  } catch (e) { /* counts are informative only */ }
  console.error(`gen-heap: wrote ${file}: ${(size / 1048576).toFixed(1)} MB in ` +
    `${((t2 - t1) / 1000).toFixed(1)} s${counts}`);
  return { file, size, counts };
}

const t0 = Date.now();
if (args.series > 0) {
  // A series: 90% of the units first, then the rest in equal steps, a snapshot after each.
  const base = Math.floor(units * 0.9);
  addUnits(0, base);
  for (let k = 1; k <= args.series; k++) {
    const to = base + Math.round((units - base) * k / args.series);
    addUnits(root.buckets.length * BUCKET + bucket.length, to);
    writeSnapshot(`${args.out}${k}.heapsnapshot`, Date.now());
  }
  process.exit(0);
}
addUnits(0, units);
root.buckets.push(bucket);
bucket = null;
prev = null;
const t1 = Date.now();
const mem = process.memoryUsage();
console.error(`gen-heap: ${units} units built in ${((t1 - t0) / 1000).toFixed(1)} s, ` +
  `heapUsed ${(mem.heapUsed / 1048576).toFixed(0)} MB`);
const { file, size, counts } = writeSnapshot(args.out, t1);

// Machine-readable last line on stdout.
console.log(JSON.stringify({ file, bytes: size, units,
  node_count: counts ? Number(/(\d+) nodes/.exec(counts)[1]) : null,
  edge_count: counts ? Number(/(\d+) edges/.exec(counts)[1]) : null }));
