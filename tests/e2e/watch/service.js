// A small service for the watch tests (t60xx), driven at a steady rate:
// every 10 ms it does PER_TICK units of one kind of work for MS
// milliseconds, then stops and exits. At exit it writes LOG: JSON
// [[unix_ms, units so far], ...], one point per tick (fragment: {points,
// burst: {freed, kept, at}}), so that a test can
// count the units done between any two moments of the watch (the truth
// it checks leakhound's numbers against).
//
//   node service.js KIND PER_TICK MS LOG [ADDON]
//
// KIND:
//   handles   calls the buggy handle-scope driver (examples/handle-scope-leak)
//   malloc    calls an addon that mallocs 4 KiB per call and never frees it
//   malloc-half  the same for the first MS/2, then nothing (a leak that stopped)
//   map       a Map cache of Session objects that is never evicted
//   buffers   keeps 64 KiB Buffers (filled) in an array
//   fragment  steady work, and at MS/2 one burst (PER_TICK MiB) that leaves
//             glibc's heap fragmented (live memory hardly grows)
//   steady    request-like work that keeps nothing
'use strict';
const fs = require('fs');
const [kind, perTickArg, msArg, log, addonPath] = process.argv.slice(2);
const perTick = Number(perTickArg), ms = Number(msArg);
const addon = addonPath ? require(addonPath) : null;
// [unix_ms, units] per tick, in a buffer sized up front: a log that grew
// would itself be a (small) leak in the heap the test watches.
const points = new Float64Array(2 * (Math.ceil(ms / 10) + 1000));
let pointCount = 0;
let units = 0;
const started = Date.now();
function mark() {
  if (2 * pointCount + 1 < points.length) {
    points[2 * pointCount] = Date.now();
    points[2 * pointCount + 1] = units;
    pointCount++;
  }
}

class Session {
  constructor(id) {
    this.id = id;
    this.user = 'user-' + (id % 1000);
    this.payload = ('session ' + id).padEnd(1500, '.');
  }
}
const sessionCache = new Map();
const heldBuffers = [];
let steadyWindow = [];

function onQuery(err) { if (err) throw err; }

function handleRequest(i) {
  switch (kind) {
    case 'handles': addon.query('INSERT INTO events VALUES (?)', onQuery); break;
    case 'malloc': addon.remember(i); break;
    case 'malloc-half':
      if (Date.now() - started >= ms / 2) return;
      addon.remember(i);
      break;
    case 'map': sessionCache.set(units, new Session(units)); break;
    case 'buffers': heldBuffers.push(Buffer.alloc(65536, units & 255)); break;
    case 'fragment':
    case 'steady': {
      const body = JSON.stringify({ id: units, items: Array.from({ length: 20 }, (_, k) => ({ k, v: 'x'.repeat(32) })) });
      steadyWindow.push(JSON.parse(body));
      if (steadyWindow.length > 200) steadyWindow = steadyWindow.slice(100);
      break;
    }
    default: throw new Error('unknown kind ' + kind);
  }
  units++;
}

let burst = null;
if (kind === 'fragment') {
  setTimeout(() => {
    burst = addon.burst(perTick);
    burst.at = Date.now();
  }, ms / 2);
}

const timer = setInterval(() => {
  for (let i = 0; i < (kind === 'fragment' ? 20 : perTick); i++) handleRequest(i);
  mark();
}, 10);
mark();
setTimeout(() => {
  clearInterval(timer);
  setTimeout(() => {}, 200); // let the last completions run
}, ms);
process.on('SIGTERM', () => process.exit(0)); // watch --duration ends it so: the log is still written
process.on('exit', () => {
  const list = [];
  for (let i = 0; i < pointCount; i++) list.push([points[2 * i], points[2 * i + 1]]);
  fs.writeFileSync(log, JSON.stringify(burst ? { points: list, burst } : list));
});
