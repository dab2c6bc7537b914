// leakhound-agent.js - loaded into node by `leakhound watch` with
// NODE_OPTIONS=--require, so the application is never edited.
//
// It talks to leakhound over a socket leakhound created and node inherited
// (LEAKHOUND_WATCH_FD): no network port is opened. Every interval it sends
// one line of V8's numbers; on request ("snapshot PATH") it writes a heap
// snapshot into PATH, a FIFO that leakhound reads as V8 writes it, and says
// how long the program was paused. Lines out are written with writeSync, so
// the last sample at exit is not lost in a buffer; lines in arrive through
// an unref'd socket, and the timer is unref'd too: the agent never keeps
// the program alive. Only the process leakhound started runs it (its pid is
// LEAKHOUND_WATCH_PID): node processes the program spawns inherit
// NODE_OPTIONS but are left alone.
'use strict';

(function leakhoundAgent() {
  const env = process.env;
  const fd = Number(env.LEAKHOUND_WATCH_FD);
  if (!Number.isInteger(fd) || fd < 0 || String(process.pid) !== env.LEAKHOUND_WATCH_PID) return;
  const fs = require('fs');
  const net = require('net');
  const v8 = require('v8');
  const interval = Math.max(10, Number(env.LEAKHOUND_WATCH_INTERVAL_MS) || 1000);
  let alive = true;

  function send(line) {
    if (!alive) return;
    try {
      fs.writeSync(fd, line + '\n');
    } catch (e) {
      // EAGAIN: leakhound is busy reading a snapshot; the next sample will do.
      if (e.code !== 'EAGAIN') alive = false;
    }
  }

  function sample(kind) {
    const h = v8.getHeapStatistics();
    const c = v8.getHeapCodeStatistics();
    const m = process.memoryUsage();
    // The moment and RSS of these numbers, so that leakhound's other sources are read at the same time.
    const now = performance.timeOrigin + performance.now();
    send(`${kind} unix_ms=${now.toFixed(3)} heap_used=${h.used_heap_size} heap_physical=${h.total_physical_size}` +
         ` heap_total=${h.total_heap_size} external=${m.external} array_buffers=${m.arrayBuffers}` +
         ` code=${c.code_and_metadata_size + c.bytecode_and_metadata_size} rss=${m.rss}`);
  }

  function snapshot(path) {
    send('snapshot-begin');
    const start = process.hrtime.bigint();
    let ok = 1;
    try {
      v8.writeHeapSnapshot(path);
    } catch (e) {
      ok = 0;
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    send(`snapshot-end pause_ms=${ms.toFixed(3)} ok=${ok}`);
  }

  const timer = setInterval(() => sample('sample'), interval);
  timer.unref();
  const socket = new net.Socket({ fd, readable: true, writable: false });
  socket.unref();
  let pending = '';
  socket.on('data', (chunk) => {
    pending += chunk.toString('utf8');
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith('snapshot ')) snapshot(line.slice(9));
    }
  });
  socket.on('error', () => { alive = false; });
  socket.on('end', () => { alive = false; });
  process.on('exit', () => sample('exit'));
  sample('sample');
})();
