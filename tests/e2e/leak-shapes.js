#!/usr/bin/env node
// Series of heap snapshots of leaking and non-leaking Node.js workloads, for
// `leakhound check` (t3060, t3070, bench/detect.sh).
//
//   node --single-threaded --expose-gc leak-shapes.js DIR SPEC...
//
// SPEC is SHAPE:RATE:SNAPSHOTS, e.g. index:0.01:6. Every series runs in this
// one process, one after the other (a series' state is dropped before the
// next starts), and writes DIR/SHAPE-RATE-SNAPSHOTS-K.heapsnapshot after each
// interval's work. For each series one JSON line goes to stdout:
//   {series, shape, leak, files, class, holder, population, per_interval, counts}
// where the program itself says what it leaks: leak (true or false), the
// class of the leaked objects (what a finding should be named by), a name on
// their retainer path (holder; '|' between alternatives), the live population of that class's steady
// part and how many leak per interval (RATE x population, 0 for non-leaks),
// and `counts`, the leaked objects alive at each snapshot by the program's own
// bookkeeping.
//
// Leaks:
//   index      Sessions replaced each interval; a secondary index (Map byToken)
//              keeps some of the expired ones
//   timers     Jobs each with a setInterval, cleared when the job ends except
//              for some: their Timeouts stay in node's timer lists
//   listeners  uploads await a reply event (bus.once('reply-ID')) that never
//              comes for some: listener, promise and PendingUpload stay
//   closures   handlers (closures over a large scope) registered in an array;
//              some are never removed
//   memo       a module-level memo Map of results ({input, output}), keyed by
//              inputs that keep changing
//   sockets    a Set of socket-like objects; some closed ones are never deleted
// Non-leaks (RATE only scales their load):
//   warmcache  a cache filled in the first half of the run, then only read
//   lru        an LRU Map at capacity, entries replaced every interval
//   bursty     requests in flight, as many as the load of the moment (it rises
//              in every interval in odd series, swings in even ones), all of
//              them finished within their interval
//   pool       a pool of connections, grown on demand to its maximum in the
//              first interval, then acquired and released
//   lazymodules modules required on first use, in the first half of the run
'use strict';
const v8 = require('v8');
const fs = require('fs');
const path = require('path');
const EventEmitter = require('events');

const [dir, ...specs] = process.argv.slice(2);
const POPULATION = 10000;

// A seeded generator (a 32-bit LCG), so that a series is the same in every run.
let seed = 12345;
function random() { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296; }

// Short-lived garbage every interval, as any service makes.
function churn(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += JSON.stringify({ i, at: Date.now(), tag: 'req-' + i }).length;
  return s;
}

class Session { constructor(id) { this.id = id; this.token = 'tok' + id.toString(36) + 'x'; this.user = { name: 'user-' + (id % 977) }; this.seen = id; } }
class Job { constructor(id) { this.id = id; this.name = 'job-' + id; this.runs = 0; this.timer = null; } }
class PendingUpload { constructor(id) { this.id = id; this.bytes = Buffer.alloc(0); this.parts = [id, id + 1]; this.done = null; } }
class FakeSocket { constructor(id) { this.fd = id; this.remote = '10.0.' + (id % 250) + '.' + (id % 7); this.state = 'open'; this.buffered = []; } }
class CacheEntry { constructor(key) { this.key = key; this.value = { body: 'v' + key }; this.hits = 0; } }
class Request { constructor(id) { this.id = id; this.headers = { host: 'h', n: id }; this.body = null; } }
class Conn { constructor(id) { this.id = id; this.buf = new Array(8).fill(id); this.busy = false; } }

const shapes = {
  index(ctx) {
    const sessions = new Map(), byToken = new Map();
    let next = 0, kept = 0;
    const add = () => { const s = new Session(next++); sessions.set(s.id, s); byToken.set(s.token, s); };
    for (let i = 0; i < POPULATION; i++) add();
    const leak = ctx.perInterval, replace = Math.max(POPULATION / 5, leak);
    return {
      cls: 'Session', holder: 'byToken',
      step() {
        let dropped = 0;
        for (const [id, s] of sessions) {
          if (dropped === replace) break;
          sessions.delete(id);
          if (dropped < leak) kept++; else byToken.delete(s.token);
          dropped++;
        }
        for (let i = 0; i < replace; i++) add();
        return kept;
      },
      end() { sessions.clear(); byToken.clear(); },
    };
  },
  timers(ctx) {
    const jobs = new Map();
    let next = 0, leaked = 0;
    const live = POPULATION / 4;
    const start = () => { const j = new Job(next++); j.timer = setInterval(() => { j.runs++; }, 3600e3); jobs.set(j.id, j); };
    for (let i = 0; i < live; i++) start();
    const leak = Math.max(1, Math.round(ctx.rate * live)), replace = Math.max(live / 5, leak);
    return {
      cls: 'Timeout', holder: '_idleNext|_idlePrev', population: live, perInterval: leak,
      step() {
        let done = 0;
        for (const [id, j] of jobs) {
          if (done === replace) break;
          jobs.delete(id);
          // The program forgets the timer (unref'd only so that this script can exit).
          if (done < leak) { j.timer.unref(); leaked++; } else clearInterval(j.timer);
          done++;
        }
        for (let i = 0; i < replace; i++) start();
        return leaked;
      },
      end() { for (const j of jobs.values()) clearInterval(j.timer);  jobs.clear(); },
    };
  },
  listeners(ctx) {
    const bus = new EventEmitter();
    bus.setMaxListeners(0);
    const inflight = [];
    let next = 0, lost = 0;
    const live = POPULATION / 4;
    const upload = () => {
      const up = new PendingUpload(next++);
      up.done = new Promise((resolve) => bus.once('reply-' + up.id, (r) => { up.bytes = r; resolve(up); }));
      inflight.push(up);
    };
    for (let i = 0; i < live; i++) upload();
    const leak = Math.max(1, Math.round(ctx.rate * live)), replies = Math.max(live / 5, leak);
    return {
      cls: 'PendingUpload', holder: '_events', population: live, perInterval: leak,
      step() {
        // The oldest uploads finish; for `leak` of them the reply never comes.
        const finished = inflight.splice(0, replies);
        finished.forEach((up, i) => { if (i >= leak) bus.emit('reply-' + up.id, Buffer.alloc(0)); else lost++; });
        for (let i = 0; i < replies; i++) upload();
        return lost;
      },
      end() { bus.removeAllListeners(); inflight.length = 0; },
    };
  },
  closures(ctx) {
    let handlers = [];
    const live = [];
    let next = 0, forgotten = 0;
    const population = POPULATION / 4;
    const subscribe = () => {
      const id = next++;
      const scope = new Array(40).fill(0).map((_, k) => ({ k, id }));  // a large scope the closure captures
      const handler = (ev) => scope.length + ev + id;
      handlers.push(handler);
      live.push(handler);
    };
    for (let i = 0; i < population; i++) subscribe();
    const leak = Math.max(1, Math.round(ctx.rate * population)), replace = Math.max(population / 5, leak);
    return {
      cls: 'Function', holder: 'handlers', population, perInterval: leak,
      step() {
        // The oldest subscriptions end; `leak` of them forget to unsubscribe.
        const ended = new Set(live.splice(0, replace).slice(leak));
        forgotten += leak;
        handlers = handlers.filter((h) => !ended.has(h));
        for (let i = 0; i < replace; i++) subscribe();
        return forgotten;
      },
      end() { handlers = []; live.length = 0; },
    };
  },
  memo(ctx) {
    const memo = new Map();
    const recent = new Array(POPULATION).fill(null);
    let at = 0, n = 0;
    const compute = (input) => ({ input, output: 'o' + input.length * 31 });  // strings: a small integer is no edge
    const memoized = (input) => { let r = memo.get(input); if (!r) { r = compute(input); memo.set(input, r); } return r; };
    for (let i = 0; i < POPULATION; i++) recent[i] = compute('warm' + i);
    const leak = ctx.perInterval;
    return {
      cls: '{input, output}', holder: 'memo',
      step() {
        for (let i = 0; i < POPULATION / 5; i++) { recent[at] = compute('r' + n + ':' + i); at = (at + 1) % recent.length; }
        for (let i = 0; i < leak; i++) memoized('q' + (n * leak + i));
        for (let i = 0; i < 50; i++) memoized('q' + i);  // hits
        n++;
        return memo.size;
      },
      end() { memo.clear(); recent.fill(null); },
    };
  },
  sockets(ctx) {
    const sockets = new Set(), open = [];
    let next = 0, stale = 0;
    const connect = () => { const s = new FakeSocket(next++); sockets.add(s); open.push(s); };
    for (let i = 0; i < POPULATION; i++) connect();
    const leak = ctx.perInterval, replace = Math.max(POPULATION / 5, leak);
    return {
      cls: 'FakeSocket', holder: 'sockets',
      step() {
        const closing = open.splice(0, replace);
        closing.forEach((s, i) => { s.state = 'closed'; if (i < leak) stale++; else sockets.delete(s); });
        for (let i = 0; i < replace; i++) connect();
        return stale;
      },
      end() { sockets.clear(); open.length = 0; },
    };
  },
  warmcache(ctx) {
    const cache = new Map();
    let k = 0;
    // Full by the middle of the run (by the second snapshot when there are only 3).
    const fillPerInterval = Math.ceil(POPULATION / Math.max(1, Math.floor((ctx.snapshots - 1) / 2)));
    return {
      cls: 'CacheEntry', holder: 'cache', leak: false,
      step() {
        for (let i = 0; i < fillPerInterval && cache.size < POPULATION; i++) { cache.set('k' + k, new CacheEntry(k)); k++; }
        for (let i = 0; i < 1000; i++) { const e = cache.get('k' + ((i * 7) % k)); if (e) e.hits++; }
        return 0;
      },
      end() { cache.clear(); },
    };
  },
  lru(ctx) {
    const lru = new Map();
    let k = 0;
    const put = () => { lru.set('k' + k, new CacheEntry(k)); k++; if (lru.size > POPULATION) lru.delete(lru.keys().next().value); };
    for (let i = 0; i < POPULATION; i++) put();
    const perInterval = Math.max(100, Math.round(ctx.rate * POPULATION));
    return {
      cls: 'CacheEntry', holder: 'lru', leak: false,
      step() { for (let i = 0; i < perInterval; i++) put(); return 0; },
      end() { lru.clear(); },
    };
  },
  bursty(ctx) {
    const inflight = new Map();
    let next = 0, step = 0;
    const swing = [0.5, 1.0, 0.3, 0.8, 0.4, 0.9, 0.2, 0.7, 0.35, 1.0];
    const rising = ctx.snapshots % 2 === 1;
    return {
      cls: 'Request', holder: 'inflight', leak: false,
      step() {
        inflight.clear();  // the last interval's requests all finished
        const load = rising ? 0.2 + 0.8 * (step + 1) / ctx.snapshots : swing[step % swing.length];
        for (let i = 0; i < Math.round(load * POPULATION); i++) { const r = new Request(next++); inflight.set(r.id, r); }
        step++;
        return 0;
      },
      end() { inflight.clear(); },
    };
  },
  pool(ctx) {
    const free = [], busy = new Set();
    let next = 0, first = true;
    const max = POPULATION / 2;
    const acquire = () => { const c = free.pop() || new Conn(next++); c.busy = true; busy.add(c); return c; };
    const release = (c) => { c.busy = false; busy.delete(c); free.push(c); };
    return {
      cls: 'Conn', holder: 'free', leak: false,
      step() {
        const want = first ? max : Math.round(max * (0.6 + 0.4 * random()));  // the peak comes first
        first = false;
        const got = [];
        for (let i = 0; i < want && busy.size < max; i++) got.push(acquire());
        for (const c of [...busy]) if (random() < 0.7) release(c);
        return 0;
      },
      end() { free.length = 0; busy.clear(); },
    };
  },
  lazymodules(ctx) {
    const modDir = fs.mkdtempSync(path.join(dir, 'mods-'));
    const loaded = [];
    let step = 0;
    return {
      cls: 'Module', holder: 'cache', leak: false,
      step() {
        if (step < Math.ceil(ctx.snapshots / 2)) {
          for (let m = 0; m < 3; m++) {
            const file = path.join(modDir, `route${step}_${m}.js`);
            fs.writeFileSync(file, `'use strict';\nclass Route${step}_${m} { constructor(i) { this.i = i; } }\n` +
              `const table = []; for (let i = 0; i < 200; i++) table.push(new Route${step}_${m}(i));\n` +
              `module.exports = { handle(x) { return table[x % table.length].i + x; } };\n`);
            loaded.push(require(file));
          }
        }
        for (const m of loaded) m.handle(step);
        step++;
        return 0;
      },
      end() { for (const k of Object.keys(require.cache)) if (k.startsWith(modDir)) delete require.cache[k]; loaded.length = 0; },
    };
  },
};

for (const spec of specs) {
  const [shape, rateText, snapText] = spec.split(':');
  const rate = +rateText, snapshots = +snapText;
  const ctx = { rate, snapshots, perInterval: Math.max(1, Math.round(rate * POPULATION)) };
  const w = shapes[shape](ctx);
  const leak = w.leak !== false;
  const series = `${shape}-${rateText}-${snapshots}`;
  const files = [], counts = [];
  churn(2000);
  for (let k = 1; k <= snapshots; k++) {
    if (k > 1) counts.push(w.step()); else counts.push(0);
    churn(3000);
    const file = path.join(dir, `${series}-${k}.heapsnapshot`);
    v8.writeHeapSnapshot(file);
    files.push(file);
  }
  w.end();
  if (global.gc) global.gc();
  console.log(JSON.stringify({
    series, shape, leak, files, class: w.cls, holder: w.holder,
    population: w.population || POPULATION, per_interval: leak ? (w.perInterval || ctx.perInterval) : 0, counts,
  }));
}
