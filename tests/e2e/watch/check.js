// Helpers for the watch tests: load leakhound's --json verdict and the
// service's own log (service.js), and check one against the other.
'use strict';
const fs = require('fs');

function load(path) { return JSON.parse(fs.readFileSync(path, 'utf8')); }
function part(v, name) {
  const p = v.attribution.find((a) => a.part === name);
  if (!p) throw new Error(`no part ${name} in the attribution`);
  return p;
}

// Parts and unexplained add up to the RSS growth exactly, and unexplained is
// within 10% of the growth. "The growth" is the RSS growth, or the largest
// part's when parts moved against each other (live malloc grew into memory
// the allocator already held: RSS hardly moves while native-malloc grows
// and allocator-retained shrinks), with 2 MiB as the floor for a service
// whose memory hardly moves at all (there the sources' own resolution, V8's
// physical size updated at GC and the trace interpolated between its
// snapshots, is about 1-2 MiB).
function checkSum(v, bad) {
  const growth = v.rss_end_bytes - v.rss_start_bytes;
  const sum = v.attribution.reduce((s, a) => s + a.growth_bytes, 0);
  if (sum + v.unexplained_bytes !== growth) bad.push(`parts ${sum} + unexplained ${v.unexplained_bytes} != RSS growth ${growth}`);
  const largest = Math.max(...v.attribution.map((a) => Math.abs(a.growth_bytes)));
  const limit = Math.max(0.1 * Math.max(Math.abs(growth), largest), 2 << 20);
  if (Math.abs(v.unexplained_bytes) > limit)
    bad.push(`unexplained ${v.unexplained_bytes} B is more than 10% of the RSS growth ${growth} B`);
}

// Units the service did between two unix times (seconds), from its per-tick log.
function unitsAt(points, unixS) {
  const t = unixS * 1000;
  let last = 0;
  for (const [at, units] of points) {
    if (at > t) break;
    last = units;
  }
  return last;
}
function unitsInWindow(v, points) {
  return unitsAt(points, v.start_unix_s + v.window_end_s) - unitsAt(points, v.start_unix_s + v.window_start_s);
}

function finish(bad) {
  if (bad.length) {
    console.error(bad.join('\n'));
    process.exit(1);
  }
}

module.exports = { load, part, checkSum, unitsAt, unitsInWindow, finish };
