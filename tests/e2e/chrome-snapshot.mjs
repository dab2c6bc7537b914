// Writes the heap snapshot of a page as Chrome's DevTools takes it, for the
// tests that need a browser heap (DOM, Blink's native nodes, detachedness):
//
//   node --experimental-websocket chrome-snapshot.mjs PAGE.html OUT.heapsnapshot [OUT2 ...]
//
// Starts headless Chromium (CHROMIUM, else `chromium`) with a fresh profile,
// loads PAGE, waits for its load event and for `window.ready` (if the page
// sets it to a promise), collects garbage, and streams
// HeapProfiler.takeHeapSnapshot into OUT, over the DevTools protocol, with
// Node's own WebSocket client, so no npm package is needed. Before each
// further OUT it awaits `window.step()`: a series of snapshots of one page.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const [page, ...outs] = process.argv.slice(2);
if (!page || !outs.length) {
  console.error('usage: node --experimental-websocket chrome-snapshot.mjs PAGE.html OUT.heapsnapshot [OUT2 ...]');
  process.exit(2);
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'leakhound-chrome-'));
const chrome = spawn(process.env.CHROMIUM || 'chromium', [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
  '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank',
], {stdio: ['ignore', 'ignore', 'pipe']});
const exited = new Promise((resolve) => chrome.on('exit', resolve));

async function browserUrl() {
  let log = '';
  return new Promise((resolve, reject) => {
    chrome.stderr.on('data', (d) => {
      log += d;
      const m = /DevTools listening on (ws:\S+)/.exec(log);
      if (m) {
        resolve(m[1]);
      }
    });
    exited.then((code) => reject(new Error(`chromium exited (${code}) before listening: ${log.slice(-400)}`)));
  });
}

/** A DevTools protocol session on one WebSocket: send() returns the result; on() sees events. */
async function connect(url) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)));
  });
  let nextId = 1;
  const pending = new Map(), listeners = [];
  ws.addEventListener('message', (event) => {
    const msg = JSON.parse(event.data);
    const call = msg.id && pending.get(msg.id);
    if (call) {
      pending.delete(msg.id);
      msg.error ? call.reject(new Error(`${call.method}: ${JSON.stringify(msg.error)}`)) : call.resolve(msg.result);
    } else if (msg.method) {
      listeners.forEach((listener) => listener(msg));
    }
  });
  return {
    send: (method, params = {}) => new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, {method, resolve, reject});
      ws.send(JSON.stringify({id, method, params}));
    }),
    on: (method, listener) => listeners.push((msg) => msg.method === method && listener(msg.params)),
    close: () => ws.close(),
  };
}

let browser = null;
try {
  const url = await browserUrl(), port = new URL(url).port;
  browser = await connect(url);
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const target = targets.find((t) => t.type === 'page');
  if (!target) {
    throw new Error('chromium has no page target');
  }
  const session = await connect(target.webSocketDebuggerUrl);
  await session.send('Page.enable');
  const loaded = new Promise((resolve) => session.on('Page.loadEventFired', resolve));
  await session.send('Page.navigate', {url: pathToFileURL(path.resolve(page)).href});
  await loaded;
  await session.send('HeapProfiler.enable');
  let fd = -1;
  session.on('HeapProfiler.addHeapSnapshotChunk', ({chunk}) => fs.writeSync(fd, chunk));
  for (const [i, out] of outs.entries()) {
    const expression = i ? 'window.step()' : 'window.ready';
    const done = await session.send('Runtime.evaluate', {expression, awaitPromise: true});
    if (done.exceptionDetails) {
      throw new Error(`the page failed in ${expression}: ${JSON.stringify(done.exceptionDetails).slice(0, 400)}`);
    }
    await session.send('HeapProfiler.collectGarbage');
    fd = fs.openSync(out, 'w');
    await session.send('HeapProfiler.takeHeapSnapshot', {reportProgress: false});
    fs.closeSync(fd);
  }
  session.close();
} catch (e) {
  console.error(`chrome-snapshot: ${e.message}`);
  process.exitCode = 1;
} finally {
  // Browser.close lets the renderer and utility processes end before the profile goes.
  // Its reply may never come: the socket closes with the browser.
  browser ? browser.send('Browser.close').catch(() => {}) : chrome.kill();
  const timer = setTimeout(() => chrome.kill('SIGKILL'), 10000);
  await exited;
  clearTimeout(timer);
  fs.rmSync(profile, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
}
