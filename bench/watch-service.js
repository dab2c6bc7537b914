// bench/watch-service.js - an HTTP-style node service for bench/watch.sh:
// each request parses a JSON body, builds a response object (a few dozen
// small objects and strings) and sends it as JSON; a bounded LRU-ish cache
// of recent responses keeps the heap busy without growing.
//   node watch-service.js PORT_FILE   (listens on an ephemeral port, writes it to PORT_FILE)
'use strict';
const http = require('http');
const fs = require('fs');
const recent = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const q = body ? JSON.parse(body) : {};
    const items = [];
    for (let i = 0; i < 30; i++) items.push({ id: i, name: 'item-' + i + '-' + (q.user || 'anon'), price: i * 1.5 });
    const out = JSON.stringify({ user: q.user, items, at: Date.now() });
    recent.push(out);
    if (recent.length > 1000) recent.splice(0, 500);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(out);
  });
});
server.listen(0, '127.0.0.1', () => fs.writeFileSync(process.argv[2], String(server.address().port)));
process.on('SIGTERM', () => process.exit(0));
