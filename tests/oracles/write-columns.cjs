// write-columns.cjs - how both oracles (devtools/dump.mjs, memlab/dump.js)
// write their per-node output: a header object plus one column per field.
//   json:   one object, the header's keys then one array per field (indexed by node ordinal)
//   ndjson: the header on line 1, then one JSON array per node, in `fields` order
'use strict';
const fs = require('fs');
const {once} = require('events');

const BATCH = 20000;

async function writeColumns(outPath, format, header, columns, n) {
  const out = outPath ? fs.createWriteStream(outPath) : process.stdout;
  const write = async (str) => {
    if (!out.write(str)) await once(out, 'drain');
  };
  if (format === 'json') {
    await write(JSON.stringify(header).slice(0, -1));
    for (let f = 0; f < header.fields.length; f++) {
      const col = columns[f];
      await write(`,\n${JSON.stringify(header.fields[f])}:[`);
      for (let i = 0; i < n; i += BATCH) {
        const part = Array.prototype.slice.call(col, i, Math.min(n, i + BATCH));
        await write((i ? ',' : '') + JSON.stringify(part).slice(1, -1));
      }
      await write(']');
    }
    await write('}\n');
  } else {
    await write(JSON.stringify(header) + '\n');
    for (let i = 0; i < n; i += BATCH) {
      const end = Math.min(n, i + BATCH);
      let chunk = '';
      for (let j = i; j < end; j++) chunk += JSON.stringify(columns.map((c) => c[j])) + '\n';
      await write(chunk);
    }
  }
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
}

module.exports = {writeColumns};
