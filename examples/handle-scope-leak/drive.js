#!/usr/bin/env node
// Drives the handle-scope-leak example addon and writes heap snapshots.
//
//   node drive.js --variant buggy|fixed --calls N [--snapshot-every M]
//                 [--out DIR] [--concurrency K] [--no-snapshot]
//
// Issues N `query()` calls with at most K (default 4) in flight, then writes
// a heap snapshot (and one every M completed calls if --snapshot-every is
// given). Snapshot names sort in time order: <variant>-<calls, 9 digits>.heapsnapshot
// For every snapshot (or measurement point with --no-snapshot) it prints one
// line: path, calls so far, heapUsed and rss from process.memoryUsage().
// memoryUsage() is sampled after a full GC and *before* the snapshot is
// written: generating a snapshot costs a lot of native memory that the
// process keeps (RSS after a snapshot of the buggy variant is several times
// larger), so later samples in a --snapshot-every run include that cost. For
// clean RSS curves use --no-snapshot with --snapshot-every.
'use strict';

const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const vm = require('vm');

// A full GC before each sample, without requiring `node --expose-gc`.
v8.setFlagsFromString('--expose-gc');
const fullGC = global.gc || vm.runInNewContext('gc');

function usage(msg) {
  if (msg) console.error(`drive.js: ${msg}`);
  console.error('usage: node drive.js --variant buggy|fixed --calls N ' +
                '[--snapshot-every M] [--out DIR] [--concurrency K] [--no-snapshot]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { variant: null, calls: null, every: 0, out: '.', concurrency: 4,
                 snapshot: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    const int = (s) => {
      if (!/^\d+$/.test(s)) usage(`${a}: not a non-negative integer: ${s}`);
      return Number(s);
    };
    switch (a) {
      case '--variant': opts.variant = next(); break;
      case '--calls': opts.calls = int(next()); break;
      case '--snapshot-every': opts.every = int(next()); break;
      case '--out': opts.out = next(); break;
      case '--concurrency': opts.concurrency = int(next()); break;
      case '--no-snapshot': opts.snapshot = false; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument: ${a}`);
    }
  }
  if (opts.variant !== 'buggy' && opts.variant !== 'fixed') usage('--variant must be buggy or fixed');
  if (opts.calls === null) usage('--calls is required');
  if (opts.concurrency < 1) usage('--concurrency must be >= 1');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const addonPath = path.join(__dirname, 'build', `${opts.variant}.node`);
if (!fs.existsSync(addonPath)) {
  console.error(`drive.js: ${addonPath} not found; run \`make\` in ${__dirname}`);
  process.exit(1);
}
const db = require(addonPath);
if (opts.snapshot) fs.mkdirSync(opts.out, { recursive: true });

const MB = (n) => (n / (1024 * 1024)).toFixed(1) + ' MB';
let lastSnapshotAt = -1;

function checkpoint(calls) {
  if (calls === lastSnapshotAt) return;
  lastSnapshotAt = calls;
  fullGC();
  const m = process.memoryUsage();
  let where = '-';
  if (opts.snapshot) {
    const name = `${opts.variant}-${String(calls).padStart(9, '0')}.heapsnapshot`;
    where = v8.writeHeapSnapshot(path.join(opts.out, name));
  }
  console.log(`${where}\tcalls=${calls}\theapUsed=${m.heapUsed} (${MB(m.heapUsed)})` +
              `\trss=${m.rss} (${MB(m.rss)})`);
}

const SQL = 'INSERT INTO events (kind, payload) VALUES (?, ?)';
let issued = 0;
let completed = 0;
const started = Date.now();

// One shared completion function (as a long-lived driver wrapper would have),
// so the JS side allocates nothing that outlives a call.
function onResult(err, changes) {
  if (err) throw err;
  completed++;
  if (opts.every > 0 && completed % opts.every === 0 && completed < opts.calls) {
    checkpoint(completed);
  }
  if (completed === opts.calls) {
    checkpoint(completed);
    const secs = (Date.now() - started) / 1000;
    console.error(`drive.js: ${opts.variant}: ${completed} calls in ${secs.toFixed(1)} s`);
    return;
  }
  issueOne();
}

function issueOne() {
  if (issued >= opts.calls) return;
  issued++;
  db.query(SQL, onResult);
}

if (opts.calls === 0) {
  checkpoint(0);
} else {
  for (let i = 0; i < opts.concurrency; i++) issueOne();
}
