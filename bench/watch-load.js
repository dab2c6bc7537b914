// bench/watch-load.js - drives bench/watch-service.js: CONCURRENCY keep-alive
// clients post small JSON bodies for SECONDS and print the requests
// completed per second (after a 1 s ramp).
//   node watch-load.js PORT SECONDS [CONCURRENCY]
'use strict';
const http = require('http');
const [port, seconds, conc] = [Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4] || 8)];
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
let done = 0, counting = false;
const start = Date.now();
function one(n) {
  const body = JSON.stringify({ user: 'u' + (n % 100) });
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => {
      if (counting) done++;
      if (Date.now() - start < (seconds + 1) * 1000) one(n + conc);
    });
  });
  req.on('error', () => {});
  req.end(body);
}
setTimeout(() => { counting = true; }, 1000);
setTimeout(() => { console.log((done / seconds).toFixed(1)); process.exit(0); }, (seconds + 1) * 1000);
for (let i = 0; i < conc; i++) one(i);
