// leakhound-attach.js - `leakhound watch --pid PID`: the agent's side of a
// watch for a node process that is already running, spoken from outside
// over the DevTools protocol. Run by leakhound (node --experimental-websocket)
// with its standard input and output on leakhound's socket; it speaks the
// same lines as leakhound-agent.js.
//
// SIGUSR1 makes node open its inspector on 127.0.0.1:9229 (its default; a
// --inspect-port the program was started with is used instead). We find the
// target's WebSocket at /json/list, then every interval evaluate V8's and
// node's numbers in it (Runtime.evaluate), and on request take a heap
// snapshot (HeapProfiler.takeHeapSnapshot), writing its chunks into the FIFO
// leakhound reads. At the end we close the inspector again from inside the
// process (inspector.close()), so the port stays open only while watched.
'use strict';
const fs = require('fs');
const http = require('http');

const [pidArg, intervalArg, portArg] = process.argv.slice(2);
const pid = Number(pidArg), interval = Math.max(50, Number(intervalArg) || 1000), port = Number(portArg) || 9229;
const out = (line) => { try { fs.writeSync(1, line + '\n'); } catch (e) { process.exit(0); } };
const fail = (msg) => { out('error ' + msg); process.exit(2); };

function getJson(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => { try { resolve(JSON.parse(body)); } catch (e) { reject(e); } });
    }).on('error', reject);
  });
}

async function findTarget() {
  for (let i = 0; i < 50; i++) {
    try {
      const list = await getJson('/json/list');
      if (list.length) return list[0].webSocketDebuggerUrl;
    } catch (e) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

function session(url) {
  const ws = new WebSocket(url);
  let next = 1;
  const pending = new Map(), handlers = new Map();
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.id && pending.has(m.id)) {
      const { resolve, reject } = pending.get(m.id);
      pending.delete(m.id);
      m.error ? reject(new Error(m.error.message)) : resolve(m.result);
    } else if (m.method && handlers.has(m.method)) handlers.get(m.method)(m.params);
  };
  const opened = new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  return {
    opened,
    close: () => ws.close(),
    on: (method, fn) => handlers.set(method, fn),
    send: (method, params = {}) => new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    }),
  };
}

// Evaluated in the target: its numbers, the same keys the agent sends.
const SAMPLE = `(() => {
  const v8 = require('v8'), h = v8.getHeapStatistics(), c = v8.getHeapCodeStatistics(), m = process.memoryUsage();
  return 'unix_ms=' + (performance.timeOrigin + performance.now()).toFixed(3) + ' heap_used=' + h.used_heap_size +
    ' heap_physical=' + h.total_physical_size + ' heap_total=' + h.total_heap_size + ' external=' + m.external +
    ' array_buffers=' + m.arrayBuffers + ' code=' + (c.code_and_metadata_size + c.bytecode_and_metadata_size) + ' rss=' + m.rss;
})()`;

async function main() {
  try { process.kill(pid, 'SIGUSR1'); } catch (e) { fail(`cannot signal pid ${pid}: ${e.code}`); }
  const url = await findTarget();
  if (!url) fail(`pid ${pid} opened no inspector on 127.0.0.1:${port} (not node, or node without the inspector?)`);
  const s = session(url);
  try { await s.opened; } catch (e) { fail('cannot connect to the inspector: ' + e.message); }
  let busy = false;
  const sample = async () => {
    if (busy) return;
    try {
      const r = await s.send('Runtime.evaluate', { expression: SAMPLE, includeCommandLineAPI: true, returnByValue: true });
      if (r.result && typeof r.result.value === 'string') out('sample ' + r.result.value);
    } catch (e) { /* the target is going away */ }
  };
  const timer = setInterval(sample, interval);
  sample();
  let chunkFd = -1;
  s.on('HeapProfiler.addHeapSnapshotChunk', (p) => { if (chunkFd >= 0) fs.writeSync(chunkFd, p.chunk); });
  let pendingIn = '';
  process.stdin.on('data', async (chunk) => {
    pendingIn += chunk;
    let nl;
    while ((nl = pendingIn.indexOf('\n')) >= 0) {
      const line = pendingIn.slice(0, nl);
      pendingIn = pendingIn.slice(nl + 1);
      if (!line.startsWith('snapshot ')) continue;
      busy = true;
      out('snapshot-begin');
      chunkFd = fs.openSync(line.slice(9), 'w');
      const start = process.hrtime.bigint();
      let ok = 1;
      try { await s.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }); } catch (e) { ok = 0; }
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      fs.closeSync(chunkFd);
      chunkFd = -1;
      busy = false;
      out(`snapshot-end pause_ms=${ms.toFixed(3)} ok=${ok}`);
    }
  });
  const finish = async () => {
    clearInterval(timer);
    try {
      await s.send('Runtime.evaluate', { expression: "require('inspector').close()", includeCommandLineAPI: true });
    } catch (e) { /* closed under us: fine */ }
    s.close();
    process.exit(0);
  };
  process.stdin.on('end', finish);
  process.on('SIGTERM', finish);
}
main();
