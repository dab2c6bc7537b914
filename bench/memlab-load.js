#!/usr/bin/env node
// Loads a heap snapshot the way memlab's analyses do: getFullHeapFromFile
// parses it, then computes shortest paths, dominators and retained sizes.
//
//   node --max-old-space-size=16384 bench/memlab-load.js FILE
//
// memlab creates os.tmpdir()/memlab as soon as it is loaded, so TMPDIR is
// pointed at a scratch folder (removed on exit) before requiring it.
// Exit 0 and one JSON line on stdout on success; exit 1 and
// "memlab-load: failed: <reason>" on stderr otherwise.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const file = process.argv[2];
if (!file) {
  console.error('usage: node --max-old-space-size=MB memlab-load.js FILE');
  process.exit(2);
}

const scratch = fs.mkdtempSync(path.join(process.env.BENCH_SCRATCH || os.tmpdir(), 'memlab-load-'));
process.env.TMPDIR = scratch;
const cleanup = () => { try { fs.rmSync(scratch, { recursive: true, force: true }); } catch (e) { /* ignore */ } };
process.on('exit', cleanup);

function fail(reason) {
  console.error(`memlab-load: failed: ${reason}`);
  process.exit(1);
}

if (!fs.existsSync(file)) fail(`no such file: ${file}`);

let heapAnalysis;
try {
  heapAnalysis = require('@memlab/heap-analysis');
} catch (e) {
  fail(`cannot load @memlab/heap-analysis (run "PUPPETEER_SKIP_DOWNLOAD=1 npm ci" in bench/): ${e.message}`);
}

// memlab prints progress to stdout/stderr; keep our stdout to one JSON line.
const realLog = console.log;
console.log = (...a) => console.error(...a);

const t0 = process.hrtime.bigint();
heapAnalysis.getFullHeapFromFile(file).then((heap) => {
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const root = heap.nodes.get(0);
  realLog(JSON.stringify({
    tool: 'memlab',
    file,
    seconds: Number(secs.toFixed(3)),
    node_count: heap.nodes.length,
    edge_count: heap.edges.length,
    root_retained_size: root ? root.retainedSize : null,
  }));
  process.exit(0);
}, (e) => fail(e && e.message ? e.message : String(e)));
