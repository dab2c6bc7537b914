#!/usr/bin/env node
// Detection and false-positive rates of `leakhound check` over series of
// leaking and non-leaking Node.js workloads (tests/e2e/leak-shapes.js).
//
//   node bench/detect.js [--keep DIR] [SPEC...]   (--keep: the snapshots and series.jsonl stay in DIR)
//   node bench/detect.js --series FILE   (the JSON lines of an earlier leak-shapes.js run)
//
// Without SPECs it runs the whole matrix: six leak shapes at 0.5% (10
// snapshots), 1% (6), 5% (4) and 50% (3) of their class's population per
// interval, and five non-leak shapes at 3, 5, 6 and 10 snapshots. The
// snapshots come from one node process (leak-shapes.js), which says what
// each series leaks; the verdicts come from `leakhound check --json` with
// its default thresholds. A leak counts as detected when check exits 1 and
// its first finding is named by the leaked class (or, for V8's generic
// classes, by a holder phrase naming the program's structure) and its
// retainer path goes through that structure; a non-leak series is a false
// positive when check exits 1.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const leakhound = process.env.LEAKHOUND || path.join(root, 'build', 'leakhound');
let args = process.argv.slice(2), keep = null, given = null;
if (args[0] === '--keep') { keep = args[1]; args = args.slice(2); }
if (args[0] === '--series') { given = args[1]; args = args.slice(2); }
const specs = args.length ? args : [
  ...['index', 'timers', 'listeners', 'closures', 'memo', 'sockets'].flatMap((s) =>
    ['0.005:10', '0.01:6', '0.05:4', '0.5:3'].map((c) => `${s}:${c}`)),
  ...['warmcache', 'lru', 'bursty', 'pool', 'lazymodules'].flatMap((s) =>
    ['0.01:3', '0.01:5', '0.01:6', '0.01:10'].map((c) => `${s}:${c}`)),
];
const dir = keep || (given ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'leakhound-detect-')));
if (keep) fs.mkdirSync(dir, { recursive: true });
const out = given ? fs.readFileSync(given, 'utf8') :
  execFileSync('node', ['--single-threaded', '--expose-gc', path.join(root, 'tests/e2e/leak-shapes.js'), dir, ...specs],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
const series = out.trim().split('\n').map((l) => JSON.parse(l));
if (keep) fs.writeFileSync(path.join(dir, 'series.jsonl'), out);

// The verdict on one series: {status, named, first}.
function judge(s) {
  const r = spawnSync(leakhound, ['check', '--json', ...s.files], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const j = r.status <= 1 && r.stdout ? JSON.parse(r.stdout) : { findings: [] };
  const f = j.findings[0];
  const holders = s.holder.split('|');
  const named = !!f && (f.class === s.class || holders.some((h) => (f.holder || '').includes('`' + h + '`'))) &&
    holders.some((h) => (f.retainer_path || '').includes(h));
  return { status: r.status, named, first: f ? f.title : '-', confidence: f && f.confidence ? f.confidence : '-' };
}

const rows = [];
for (const s of series) {
  const v = judge(s);
  rows.push({ ...s, ...v, ok: s.leak ? v.status === 1 && v.named : v.status === 0 });
}
if (!keep && dir) fs.rmSync(dir, { recursive: true, force: true });

const pad = (x, n) => String(x).padEnd(n);
console.log(`${pad('series', 22)}${pad('leak', 6)}${pad('per interval', 14)}${pad('exit', 6)}${pad('verdict', 16)}${pad('conf.', 8)}first finding`);
for (const r of rows) {
  const verdict = r.leak ? (r.ok ? 'detected' : r.status === 1 ? 'misnamed' : 'missed') : (r.ok ? 'silent' : 'FALSE POSITIVE');
  const per = r.leak ? `${r.per_interval}/${r.population}` : '-';
  console.log(`${pad(r.series, 22)}${pad(r.leak ? 'yes' : 'no', 6)}${pad(per, 14)}${pad(r.status, 6)}${pad(verdict, 16)}${pad(r.confidence, 8)}${r.first.slice(0, 90)}`);
}
const leaks = rows.filter((r) => r.leak), clean = rows.filter((r) => !r.leak);
const detected = leaks.filter((r) => r.ok).length, fp = clean.filter((r) => !r.ok).length;
console.log(`\ndetection rate: ${detected}/${leaks.length} (${(100 * detected / Math.max(leaks.length, 1)).toFixed(0)}%), ` +
  `false-positive rate: ${fp}/${clean.length} (${(100 * fp / Math.max(clean.length, 1)).toFixed(0)}%)`);
