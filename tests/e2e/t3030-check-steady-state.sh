#!/usr/bin/env bash
# t3030: no false positive on a heap in a steady state. A small order service
# (Customer, Order, LineItem, AuditEvent, Sets and Maps) handles requests in
# rounds of 8 event-loop turns: a bounded LRU cache (a Map, oldest evicted) of
# 3,000 orders, an LRU of 500 customers, a ring buffer of the last 2,000 audit
# events, a Map of requests in flight (added, then deleted), and temporary
# JSON strings. After a warm-up that fills every structure, it writes 5
# snapshots, 3 rounds (12,000 requests) apart. The script allocates and frees
# at the same rate, so:
#   - `check` exits 0, leak_suspected false, no findings (JSON and text);
#   - the churn is real (so the pass is not vacuous): between consecutive
#     snapshots the diff oracle (JSON.parse) sees the live Orders, LineItems
#     and AuditEvents stay at the script's capacities while at
#     least 90% of them are replaced;
#     `leakhound diff` agrees on those rows.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
oracle="$LEAKHOUND_ROOT/tests/oracles/diff-oracle.js"
SNAPSHOTS=5 ROUNDS=3

cat >"$TEST_TMP/steady.js" <<'EOF'
'use strict';
const v8 = require('v8');
const path = require('path');
const [dir, snapshotsArg, roundsArg] = process.argv.slice(2);
const SNAPSHOTS = +snapshotsArg, ROUNDS = +roundsArg;

class Customer { constructor(id) { this.id = id; this.name = 'customer-' + id; this.tier = id % 3; } }
class LineItem { constructor(sku, qty) { this.sku = sku; this.qty = qty; this.price = (sku % 50) + 0.99; } }
class Order {
  constructor(id, customer) {
    this.id = id; this.customer = customer; this.items = []; this.tags = new Set();
    for (let k = 0; k < 3; k++) this.items.push(new LineItem(id * 7 + k, k + 1));
    this.tags.add('t' + (id % 5));
  }
}
class AuditEvent { constructor(seq, text) { this.seq = seq; this.text = text; this.at = seq * 10; } }

// A bounded LRU cache: a Map in insertion order, the oldest entry evicted.
class LRU {
  constructor(capacity) { this.capacity = capacity; this.map = new Map(); this.evictions = 0; }
  get(k) { const v = this.map.get(k); if (v !== undefined) { this.map.delete(k); this.map.set(k, v); } return v; }
  set(k, v) {
    if (this.map.has(k)) this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.capacity) { this.map.delete(this.map.keys().next().value); this.evictions++; }
  }
}
// A ring buffer of the last 2,000 audit events.
class Ring {
  constructor(n) { this.buf = new Array(n).fill(null); this.at = 0; }
  push(x) { this.buf[this.at] = x; this.at = (this.at + 1) % this.buf.length; }
}

const orders = new LRU(3000);
const customers = new LRU(500);
const audit = new Ring(2000);
const pending = new Map();   // requests in flight: added, then removed when they finish
let seq = 0;

function customer(id) {
  let c = customers.get(id);
  if (!c) { c = new Customer(id); customers.set(id, c); }
  return c;
}

function handle(i) {
  const id = seq++;
  pending.set(id, { id, started: i });
  const order = new Order(id, customer(id % 1700));
  orders.set('order:' + id, order);
  if (i % 3 === 0) orders.get('order:' + (id - 17));      // touch older entries
  const summary = JSON.stringify({ id, n: order.items.length, tags: [...order.tags] }); // a temporary string
  audit.push(new AuditEvent(id, summary.slice(0, 40)));
  pending.delete(id);
  return summary.length;
}

// Each round: 4,000 requests over 8 turns of the event loop.
async function round() {
  for (let t = 0; t < 8; t++) {
    for (let k = 0; k < 500; k++) handle(k);
    await new Promise((r) => setImmediate(r));
  }
}

(async () => {
  for (let r = 0; r < 3; r++) await round();   // warm up: every structure at capacity
  for (let s = 1; s <= SNAPSHOTS; s++) {
    if (s > 1) for (let r = 0; r < ROUNDS; r++) await round();
    const file = path.join(dir, `steady-${s}.heapsnapshot`);
    v8.writeHeapSnapshot(file);
    console.log(JSON.stringify({ file, requests: seq, lru: orders.map.size, evictions: orders.evictions, pending: pending.size }));
  }
})();
EOF

node "$TEST_TMP/steady.js" "$TEST_TMP" $SNAPSHOTS $ROUNDS >"$TEST_TMP/steady.log" || fail "the workload failed"
files=()
for s in $(seq 1 $SNAPSHOTS); do files+=("$TEST_TMP/steady-$s.heapsnapshot"); done

expect_status 0 "$LEAKHOUND" check --json "${files[@]}"
node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (j.leak_suspected !== false || !Array.isArray(j.findings) || j.findings.length !== 0 || j.snapshots.length !== +process.argv[2]) {
  console.error(JSON.stringify({leak_suspected: j.leak_suspected, findings: j.findings}, null, 1));
  process.exit(1);
}' "$TEST_TMP/out" $SNAPSHOTS || fail "check reports a leak in a steady state"
expect_status 0 "$LEAKHOUND" check "${files[@]}"
grep -q 'no leak suspected' "$TEST_TMP/out" || fail "the text report does not say 'no leak suspected': $(head -3 "$TEST_TMP/out")"

# The workload really churns: consecutive snapshots replace every cached Order and AuditEvent.
for s in $(seq 2 $SNAPSHOTS); do
	a="${files[$((s - 2))]}" b="${files[$((s - 1))]}"
	node "$oracle" "$a" "$b" >"$TEST_TMP/oracle.json" || fail "diff-oracle.js failed"
	expect_status 0 "$LEAKHOUND" diff --json "$a" "$b"
	node - "$TEST_TMP/oracle.json" "$TEST_TMP/out" "$TEST_TMP/steady.log" <<'EOF' || fail "snapshots $((s - 1)) -> $s"
'use strict';
const fs = require('fs');
const [oraclePath, diffPath, logPath] = process.argv.slice(2);
const o = JSON.parse(fs.readFileSync(oraclePath, 'utf8'));
const d = JSON.parse(fs.readFileSync(diffPath, 'utf8'));
const log = fs.readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const bad = [];
if (log.some((x) => x.lru !== 3000 || x.pending !== 0)) bad.push('the script was not at capacity: ' + JSON.stringify(log));
// Live counts are the script's capacities; LRU hits keep a few entries alive, the rest are replaced.
// (Not "added == removed": V8 may give a freed object's id to a new object at its address; see t3001.)
const want = { Order: 3000, LineItem: 9000, AuditEvent: 2000 };
for (const [cls, n] of Object.entries(want)) {
  const r = o.classes[cls];
  if (!r || r.count_before !== n || r.count_after !== n || r.added < 0.9 * n || r.removed < 0.9 * n)
    bad.push(`oracle ${cls}: ${JSON.stringify(r)}, expected ${n} live and at least ${0.9 * n} replaced`);
  const l = d.classes.find((x) => x.class === cls);
  // By id, or by object where V8 gave a freed object's id to another one (the oracle's *_reused).
  const ok = (k) => l[k] === r[k] || l[k] === r[k] + r[k + '_reused'];
  if (!l || !r || !ok('added') || !ok('removed') || l.count_before !== n || l.count_after !== n)
    bad.push(`leakhound ${cls}: ${JSON.stringify(l)}, oracle ${JSON.stringify(r)}`);
}
if (bad.length) { console.error(bad.join('\n')); process.exit(1); }
EOF
done
exit 0
