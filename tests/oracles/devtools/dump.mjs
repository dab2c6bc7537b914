#!/usr/bin/env node
// leakhound oracle: per-node facts as Chrome DevTools computes them.
//
//   node dump.mjs FILE.heapsnapshot[.gz] [--out OUT.json|OUT.ndjson] [--format json|ndjson] [--no-class]
//
// Loads FILE with DevTools' own HeapSnapshotLoader + JSHeapSnapshot (bundled by
// build.mjs; built on first use), exactly as the heap snapshot worker does, with
// the secondary worker run in this thread over a MessageChannel. Writes, for
// every node in snapshot order: id, self size (after DevTools' shallow-size
// transfer), retained size, distance, immediate dominator's id and the Summary
// view class name. Output format: see README.md.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import zlib from 'node:zlib';

import dumpArgsModule from '../dump-args.cjs';
import writeColumnsModule from '../write-columns.cjs';
import {build} from './build.mjs';

const {writeColumns} = writeColumnsModule;
const {makeUsage, parseDumpArgs} = dumpArgsModule;

const here = path.dirname(fileURLToPath(import.meta.url));
const ORACLE = 'devtools';
const VERSION = 'chrome-devtools-frontend@' +
    JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8')).devDependencies['chrome-devtools-frontend'];

const usage = makeUsage('dump.mjs',
    'FILE.heapsnapshot[.gz] [--out OUT.json|OUT.ndjson] [--format json|ndjson] [--no-class] [--quiet]');

/** Text stream of the (possibly gzipped) file, decoded as UTF-8 across chunk boundaries. */
function openText(file) {
  const fd = fs.openSync(file, 'r');
  const magic = Buffer.alloc(2);
  fs.readSync(fd, magic, 0, 2, 0);
  fs.closeSync(fd);
  let stream = fs.createReadStream(file, {highWaterMark: 1 << 22});
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    stream = stream.pipe(zlib.createGunzip({chunkSize: 1 << 20}));
  }
  stream.setEncoding('utf8');
  return stream;
}

export async function loadSnapshot(file, {quiet = false} = {}) {
  const bundle = await build({ifStale: true, quiet: true});
  const {HeapSnapshot, HeapSnapshotLoader} = await import(bundle);

  // DevTools reports unreachable nodes with console.warn from the primary
  // worker's message listener; capture the counts.
  const problems = [];
  const origWarn = console.warn;
  console.warn = (...args) => {
    problems.push(args.join(' '));
    if (!quiet) {
      origWarn.apply(console, args);
    }
  };
  try {
    const loader = new HeapSnapshotLoader.HeapSnapshotLoader(undefined);
    for await (const chunk of openText(file)) {
      loader.write(chunk);
    }
    loader.close();
    const channel = new MessageChannel();
    new HeapSnapshot.SecondaryInitManager(channel.port2);
    const snapshot = await loader.buildSnapshot(channel.port1);
    channel.port1.close();
    channel.port2.close();
    let unreachable = 0;
    let unreachableAfterWeak = 0;
    for (const p of problems) {
      let m = /Heap snapshot: (\d+) nodes are unreachable from the root/.exec(p);
      if (m) {
        unreachable = Number(m[1]);
      }
      m = /Heap snapshot: Still found (\d+) unreachable nodes/.exec(p);
      if (m) {
        unreachableAfterWeak = Number(m[1]);
      }
    }
    return {snapshot, unreachable, unreachableAfterWeak};
  } finally {
    console.warn = origWarn;
  }
}

async function main() {
  const opts = parseDumpArgs(process.argv.slice(2), usage, {'--no-class': ['classes', false]});
  const t0 = performance.now();
  const {snapshot: s, unreachable, unreachableAfterWeak} = await loadSnapshot(opts.file, opts);
  const t1 = performance.now();

  const n = s.nodeCount;
  const nfc = s.nodeFieldCount;
  const ids = new Float64Array(n);
  const selfSizes = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = s.nodes.getValue(i * nfc + s.nodeIdOffset);
    selfSizes[i] = s.nodes.getValue(i * nfc + s.nodeSelfSizeOffset);
  }
  const domIds = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    domIds[i] = ids[s.dominatorsTree[i]];
  }
  let classes = null;
  if (opts.classes) {
    classes = new Array(n);
    const node = s.createNode(0);
    for (let i = 0; i < n; i++) {
      node.nodeIndex = i * nfc;
      classes[i] = node.className();
    }
  }
  const rootOrdinal = s.rootNodeIndex / nfc;
  const header = {
    oracle: ORACLE,
    version: VERSION,
    file: path.basename(opts.file),
    node_count: n,
    edge_count: s.containmentEdges.length / s.edgeFieldsCount,
    root_id: ids[rootOrdinal],
    root_retained_size: s.retainedSizes[rootOrdinal],
    total_size: s.totalSize,
    unreachable_count: unreachable,
    unreachable_after_weak_count: unreachableAfterWeak,
    statistics: s.getStatistics(),
    fields: ['id', 'self_size', 'retained_size', 'distance', 'dominator_id', ...(classes ? ['class_name'] : [])],
  };
  const columns = [ids, selfSizes, s.retainedSizes, s.nodeDistances, domIds, ...(classes ? [classes] : [])];

  await writeColumns(opts.out, opts.format, header, columns, n);
  if (!opts.quiet) {
    process.stderr.write(`devtools oracle: ${n} nodes, load+analyse ${((t1 - t0) / 1000).toFixed(2)} s, ` +
                         `write ${((performance.now() - t1) / 1000).toFixed(2)} s\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch(e => {
    console.error(e?.stack || e);
    process.exit(1);
  });
}
