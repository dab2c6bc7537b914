#!/usr/bin/env node
// leakhound oracle: per-node facts as memlab computes them.
//
//   node dump.js FILE.heapsnapshot[.gz] [--out OUT.json|OUT.ndjson] [--format json|ndjson] [--path-edges]
//
// Loads FILE with getFullHeapFromFile from @memlab/heap-analysis (parse, shortest
// paths, dominators, retained sizes) and writes, for every node in snapshot
// order: id, self size, retained size, dominator's id, and the length of / previous
// node on memlab's shortest retainer path. Output format: see README.md.
//
// memlab creates os.tmpdir()/memlab when it is loaded: unless TMPDIR is already
// set, this script points TMPDIR at a fresh scratch directory (removed on exit).
// A .gz FILE is decompressed into that directory first (memlab reads plain files).
'use strict';
const {makeUsage, parseDumpArgs} = require('../dump-args.cjs');
const {writeColumns} = require('../write-columns.cjs');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const ORACLE = 'memlab';

const usage = makeUsage('dump.js',
    'FILE.heapsnapshot[.gz] [--out OUT.json|OUT.ndjson] [--format json|ndjson] [--path-edges] [--quiet]');

function isGzip(file) {
  const fd = fs.openSync(file, 'r');
  const magic = Buffer.alloc(2);
  fs.readSync(fd, magic, 0, 2, 0);
  fs.closeSync(fd);
  return magic[0] === 0x1f && magic[1] === 0x8b;
}

async function gunzipTo(file, dest) {
  const {pipeline} = require('stream/promises');
  await pipeline(fs.createReadStream(file), zlib.createGunzip(), fs.createWriteStream(dest));
}

async function main() {
  const opts = parseDumpArgs(process.argv.slice(2), usage, {'--path-edges': ['pathEdges', true]});
  const file = path.resolve(opts.file);
  if (!fs.existsSync(file)) {
    usage('no such file: ' + opts.file);
  }
  let scratch = null;
  if (!process.env.TMPDIR) {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leakhound-memlab-'));
    process.env.TMPDIR = scratch;
    process.on('exit', () => fs.rmSync(scratch, {recursive: true, force: true}));
  }
  const work = scratch || fs.mkdtempSync(path.join(os.tmpdir(), 'leakhound-memlab-in-'));
  const t0 = performance.now();
  let input = file;
  if (isGzip(file)) {
    input = path.join(work, path.basename(file).replace(/\.gz$/, '') || 'input.heapsnapshot');
    await gunzipTo(file, input);
  }

  if (!fs.existsSync(path.join(__dirname, 'node_modules', '@memlab', 'heap-analysis'))) {
    // First use: install the pinned packages (puppeteer's browser download skipped).
    const {spawnSync} = require('child_process');
    if (!opts.quiet) {
      process.stderr.write('memlab oracle: npm ci ...\n');
    }
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: __dirname,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {...process.env, PUPPETEER_SKIP_DOWNLOAD: '1'},
    });
    if (r.status !== 0) {
      throw new Error('npm ci failed in ' + __dirname);
    }
  }
  // Loading memlab creates $TMPDIR/memlab.
  const core = require('@memlab/core');
  core.config.muteConsole = true;  // memlab's progress lines go to stdout
  const {getFullHeapFromFile} = require('@memlab/heap-analysis');
  const version = '@memlab/heap-analysis@' + require('@memlab/heap-analysis/package.json').version;

  const heap = await getFullHeapFromFile(input);
  if (input !== file) {
    fs.rmSync(input, {force: true});
  }
  if (!scratch) {
    fs.rmSync(work, {recursive: true, force: true});
  }
  const t1 = performance.now();

  const n = heap.nodes.length;
  const ids = new Float64Array(n);
  const selfSizes = new Float64Array(n);
  const retained = new Float64Array(n);
  const domOrd = new Int32Array(n).fill(-1);
  const parentOrd = new Int32Array(n).fill(-1);
  const edgeType = opts.pathEdges ? new Array(n).fill(null) : null;
  const edgeName = opts.pathEdges ? new Array(n).fill(null) : null;
  let noDominator = 0;
  heap.nodes.forEach(node => {
    const i = node.nodeIndex;
    ids[i] = node.id;
    selfSizes[i] = node.self_size;
    retained[i] = node.retainedSize;
    const dom = node.dominatorNode;  // the root is its own dominator
    if (dom) {
      domOrd[i] = dom.nodeIndex;
    } else {
      noDominator++;
    }
    const e = node.pathEdge;
    if (e) {
      parentOrd[i] = e.fromNode.nodeIndex;
      if (edgeType) {
        edgeType[i] = e.type;
        edgeName[i] = e.name_or_index;
      }
    }
  });
  const domIds = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    domIds[i] = domOrd[i] >= 0 ? ids[domOrd[i]] : -1;
  }
  // Length of memlab's retainer trace (getPathToGCRoots): number of pathEdge hops
  // back to a node without a pathEdge (0 for such a node if it is a trace
  // start). -1 if memlab has no path to the node (or the chain loops).
  const pathLength = new Int32Array(n).fill(-2);  // -2 = not computed yet
  const stack = [];
  let noPath = 0;
  // A node without a pathEdge starts a trace if memlab counts it as a root
  // (annotateShortestPaths seeds its BFS from Utils.isRootNode nodes) or if
  // some pathEdge leaves it.
  const isTraceStart = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (parentOrd[i] >= 0) {
      isTraceStart[parentOrd[i]] = 1;
    }
  }
  heap.nodes.forEach(node => {
    if (core.utils.isRootNode(node)) {
      isTraceStart[node.nodeIndex] = 1;
    }
  });
  for (let i = 0; i < n; i++) {
    let v = i;
    while (pathLength[v] === -2) {
      if (parentOrd[v] < 0) {
        pathLength[v] = isTraceStart[v] ? 0 : -1;
        break;
      }
      pathLength[v] = -3;  // on the stack
      stack.push(v);
      v = parentOrd[v];
    }
    let len = pathLength[v];
    if (len === -3) {
      len = -1;  // loop
    }
    while (stack.length) {
      const w = stack.pop();
      len = len < 0 ? -1 : len + 1;
      pathLength[w] = len;
    }
  }
  const pathParentIds = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pathParentIds[i] = parentOrd[i] >= 0 ? ids[parentOrd[i]] : -1;
    if (pathLength[i] < 0) {
      noPath++;
    }
  }

  const rootOrdinal = 0;  // memlab assumes the root is node 0
  const header = {
    oracle: ORACLE,
    version,
    file: path.basename(opts.file),
    node_count: n,
    edge_count: heap.edges.length,
    root_id: ids[rootOrdinal],
    root_retained_size: retained[rootOrdinal],
    total_size: retained[rootOrdinal],
    no_path_count: noPath,
    fields: ['id', 'self_size', 'retained_size', 'dominator_id', 'path_length', 'path_parent_id',
             ...(edgeType ? ['path_edge_type', 'path_edge_name'] : [])],
  };
  const columns = [ids, selfSizes, retained, domIds, pathLength, pathParentIds, ...(edgeType ? [edgeType, edgeName] : [])];

  await writeColumns(opts.out, opts.format, header, columns, n);
  if (!opts.quiet) {
    process.stderr.write(`memlab oracle: ${n} nodes, load+analyse ${((t1 - t0) / 1000).toFixed(2)} s, ` +
                         `write ${((performance.now() - t1) / 1000).toFixed(2)} s\n`);
  }
  if (noDominator && !opts.quiet) {
    process.stderr.write(`memlab oracle: ${noDominator} nodes without a dominator (dominator_id -1)\n`);
  }
}

main().then(() => process.exit(0), e => {
  console.error(e && e.stack || e);
  process.exit(1);
});
