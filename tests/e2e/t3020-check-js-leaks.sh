#!/usr/bin/env bash
# t3020: `leakhound check` and `trend` on two pure-JavaScript leaks, each run
# in its own node process with 4 snapshots (1,000 objects before the first,
# 2,500 more before each later one), alongside request temporaries
# (RequestContext) that are garbage by the next snapshot:
#   cache    a Map used as a cache and never evicted, holding CacheEntry
#   tracker  a closure-held array: makeTracker(){ const sessions=[]; ... }
#            collecting every Session
#   log      an array of access-log lines (about 440 bytes each), only appended to
# For each: check exits 1 with an accumulation finding named by the class,
# its sample_id is an object of that class (JSON.parse oracle) created between
# snapshots 1 and 2, and its retainer path ends at that sample and goes
# through the Map (a node the oracle names "Map") / the context variable
# `sessions`; no finding names RequestContext. trend --json: the class's count
# series is the script's own counter at each snapshot, and candidate_groups
# has the class with the number the script created between snapshots 1 and 2.
# The log gives a string-growth finding whose growth is the string bytes
# (string, concatenated and sliced string nodes) the oracle adds up, first to
# last snapshot. --min-objects N fires for a growth of exactly N and not N + 1. check
# exits 3 with 2 snapshots and 2 with snapshots of two processes.
# The workload runs with --single-threaded: a concurrent (TurboFan) compile
# job in flight when the snapshot is written holds handles to the objects it
# compiles against, among them the leaking Array, and the shortest retainer
# path then goes (GC roots) -> (Handle scope) -> Array -> Session (about 1 run
# in 5 without the flag), which names neither the closure nor `sessions`.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
oracle="$LEAKHOUND_ROOT/tests/oracles/diff-oracle.js"

cat >"$TEST_TMP/leak.js" <<'EOF'
'use strict';
const v8 = require('v8');
const path = require('path');
const [mode, dir] = process.argv.slice(2);
const SNAPSHOTS = 4, BASE = 1000, PER_STEP = 2500;

class CacheEntry {
  constructor(key, value) { this.key = key; this.value = value; this.hits = 0; }
}
class Session {
  constructor(id) { this.id = id; this.user = 'user-' + (id % 97); this.started = id * 1000; }
}
class RequestContext {
  constructor(i) { this.i = i; this.headers = { host: 'example.test', n: String(i) }; }
}

// (a) a cache that is never evicted
const cache = new Map();
function lookup(i) {
  const key = 'item:' + i;
  let e = cache.get(key);
  if (!e) { e = new CacheEntry(key, { id: i, body: 'payload ' + i }); cache.set(key, e); created++; }
  e.hits++;
  return e;
}
// (b) a closure that collects every session
function makeTracker() { const sessions = []; return (s) => sessions.push(s); }
const track = makeTracker();
// (c) an access log that is only appended to: about 440 bytes of string per request
const accessLog = [];
function logLine(i) {
  return `${new Date(1700000000000 + i * 1000).toISOString()} GET /api/items/${i} 200 `.padEnd(400, '.') + i;
}

let created = 0, temporaries = 0;
function request(i) {
  const ctx = new RequestContext(i); // garbage once the request is done
  temporaries++;
  if (mode === 'cache') return lookup(i).hits + ctx.i;
  if (mode === 'log') { accessLog.push(logLine(i)); created++; return ctx.i; }
  track(new Session(i));
  created++;
  return ctx.i;
}

let next = 0;
function work(n) { for (let k = 0; k < n; k++) request(next++); }
work(BASE);
for (let s = 1; s <= SNAPSHOTS; s++) {
  if (s > 1) work(PER_STEP);
  const file = path.join(dir, `${mode}-${s}.heapsnapshot`);
  v8.writeHeapSnapshot(file);
  console.log(JSON.stringify({ file, created, temporaries }));
}
EOF

# verify MODE CLASS: checks check.json, trend.json and the script's counters.
verify() {
	node - "$oracle" "$TEST_TMP" "$1" "$2" <<'EOF'
'use strict';
const fs = require('fs');
const [oraclePath, dir, mode, cls] = process.argv.slice(2);
const oracle = require(oraclePath);
const read = (f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'));
const steps = fs.readFileSync(`${dir}/${mode}.log`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const c = read(`${mode}-check.json`), t = read(`${mode}-trend.json`);
const bad = [];
const created = steps.map((s) => s.created);
if (created.length !== 4 || !(created[1] > created[0])) bad.push('the script did not run: ' + created);

if (c.leak_suspected !== true) bad.push('leak_suspected is not true');
const f = c.findings.find((x) => x.id === 'accumulation' && x.class === cls && x.title.startsWith(cls + ' objects accumulate'));
if (!f) bad.push(`no accumulation finding named "${cls}": ` + JSON.stringify(c.findings.map((x) => [x.id, x.title])));
else {
  if (f.growth !== created[3] - created[0]) bad.push(`growth ${f.growth}, the script created ${created[3] - created[0]}`);
  if (typeof f.sample_id !== 'number') bad.push('no sample_id');
  else {
    const last = oracle.nodeInfo(steps[3].file, [f.sample_id])[f.sample_id];
    if (!last || last.type !== 'object' || last.name !== cls)
      bad.push(`sample @${f.sample_id} is ${JSON.stringify(last)} in the last snapshot, not a ${cls}`);
    if (oracle.nodeInfo(steps[0].file, [f.sample_id])[f.sample_id]) bad.push(`sample @${f.sample_id} is in snapshot 1`);
    if (!oracle.nodeInfo(steps[1].file, [f.sample_id])[f.sample_id]) bad.push(`sample @${f.sample_id} is not in snapshot 2`);
  }
  const p = f.retainer_path || '';
  if (!p.endsWith(`${cls} @${f.sample_id}`)) bad.push(`the retainer path does not end at the sample: ${p}`);
  if (mode === 'cache') {
    const m = /-> Map @(\d+)/.exec(p);
    const info = m && oracle.nodeInfo(steps[3].file, [m[1]])[m[1]];
    if (!info || info.name !== 'Map' || info.type !== 'object') bad.push(`the retainer path goes through no Map: ${p} (${JSON.stringify(info)})`);
  } else if (!/\bsessions\b/.test(p)) {
    bad.push(`the retainer path does not mention the context variable "sessions": ${p}`);
  }
}
if (c.findings.some((x) => x.title.includes('RequestContext'))) bad.push('a finding names the temporaries (RequestContext)');

const row = t.series.find((s) => s.kind === 'class_count' && s.name === cls);
if (!row) bad.push(`trend has no class_count series for ${cls}`);
else {
  if (JSON.stringify(row.values) !== JSON.stringify(created)) bad.push(`trend ${cls} counts ${row.values}, the script's ${created}`);
  if (row.first !== created[0] || row.last !== created[3]) bad.push(`first/last ${row.first}/${row.last}`);
  if (row.increases !== 3 || row.intervals !== 3) bad.push(`increases ${row.increases} of ${row.intervals}`);
  if (row.per_snapshot !== (created[3] - created[0]) / 3) bad.push(`per_snapshot ${row.per_snapshot}: the script adds ${(created[3] - created[0]) / 3} per step`);
}
const g = t.candidate_groups.find((x) => x.class === cls);
if (!g) bad.push(`candidate_groups has no ${cls}: ` + JSON.stringify(t.candidate_groups.slice(0, 5)));
else if (g.count !== created[1] - created[0]) bad.push(`candidate group ${cls}: ${g.count}, the script created ${created[1] - created[0]}`);
if (!(t.leak_candidates >= created[1] - created[0])) bad.push(`leak_candidates ${t.leak_candidates}`);
if (t.candidate_groups.some((x) => x.class === 'RequestContext')) bad.push('RequestContext temporaries are leak candidates');

if (bad.length) { console.error(mode + ': ' + bad.join('\n  ')); process.exit(1); }
EOF
}

for run in "cache CacheEntry" "tracker Session"; do
	read -r mode cls <<<"$run"
	node --single-threaded "$TEST_TMP/leak.js" "$mode" "$TEST_TMP" >"$TEST_TMP/$mode.log" || fail "leak.js $mode failed"
	files=("$TEST_TMP/$mode"-{1,2,3,4}.heapsnapshot)
	expect_status 1 "$LEAKHOUND" check --json "${files[@]}"
	cp "$TEST_TMP/out" "$TEST_TMP/$mode-check.json"
	expect_status 0 "$LEAKHOUND" trend --json --top 100000 "${files[@]}"
	cp "$TEST_TMP/out" "$TEST_TMP/$mode-trend.json"
	verify "$mode" "$cls" || fail "$mode leak"

	# --min-objects: the class grew by exactly 3 x 2,500 = 7,500 objects ("by at least N" fires at 7,500, not 7,501).
	for th in 7500 7501; do
		rc=0
		"$LEAKHOUND" check --json --min-objects $th "${files[@]}" >"$TEST_TMP/th.json" 2>"$TEST_TMP/err" || rc=$?
		[ $rc -le 1 ] || fail "check --min-objects $th: exit $rc: $(cat "$TEST_TMP/err")"
		node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const [cls, th, rc] = [process.argv[2], +process.argv[3], +process.argv[4]];
const has = j.findings.some((f) => f.id === "accumulation" && f.class === cls);
if (has !== (th <= 7500)) { console.error(`--min-objects ${th}: ${cls} finding ${has}`); process.exit(1); }
if ((rc === 1) !== (j.findings.length > 0) || j.leak_suspected !== (rc === 1)) { console.error(`exit ${rc} with ${j.findings.length} findings`); process.exit(1); }
' "$TEST_TMP/th.json" "$cls" $th $rc || fail "$mode: the --min-objects threshold"
	done
done

# Usage and input errors: fewer than 3 snapshots (3), snapshots of two processes (2).
expect_status 3 "$LEAKHOUND" check "$TEST_TMP/cache-1.heapsnapshot" "$TEST_TMP/cache-2.heapsnapshot"
[ ! -s "$TEST_TMP/out" ] || fail "check with 2 snapshots wrote to stdout"
expect_status 2 "$LEAKHOUND" check "$TEST_TMP/cache-1.heapsnapshot" "$TEST_TMP/tracker-2.heapsnapshot" "$TEST_TMP/cache-3.heapsnapshot"
[ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] || fail "check across processes: expected one error line, got: $(cat "$TEST_TMP/err")"
grep -qF tracker-2.heapsnapshot "$TEST_TMP/err" || fail "check across processes: the error does not name the file: $(cat "$TEST_TMP/err")"
[ ! -s "$TEST_TMP/out" ] || fail "check across processes wrote to stdout"

# (c) The access log: string-growth, by the string bytes the oracle adds up.
node --single-threaded "$TEST_TMP/leak.js" log "$TEST_TMP" >"$TEST_TMP/log.log" || fail "leak.js log failed"
expect_status 1 "$LEAKHOUND" check --json "$TEST_TMP"/log-{1,2,3,4}.heapsnapshot
node - "$oracle" "$TEST_TMP/out" "$TEST_TMP"/log-{1,2,3,4}.heapsnapshot <<'EOF' || fail "log leak"
'use strict';
const fs = require('fs');
const oracle = require(process.argv[2]);
const c = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const files = process.argv.slice(4);
// Bytes of strings: self sizes of the nodes of type string, concatenated string and sliced string.
const bytes = files.map((f) => {
  const k = oracle.classCounts(f);
  return ['(string)', '(concatenated string)', '(sliced string)'].reduce((a, t) => a + (k[t] ? k[t][1] : 0), 0);
});
const bad = [];
for (let i = 1; i < bytes.length; i++)
  if (!(bytes[i] - bytes[i - 1] > 2500 * 400)) bad.push(`the workload added only ${bytes[i] - bytes[i - 1]} bytes of strings`);
const f = c.findings.find((x) => x.id === 'string-growth');
if (!f) bad.push('no string-growth finding: ' + JSON.stringify(c.findings.map((x) => x.id)));
else if (f.growth !== bytes[3] - bytes[0]) bad.push(`string-growth growth ${f.growth}, oracle ${bytes[3] - bytes[0]} (${bytes})`);
if (bad.length) { console.error('log: ' + bad.join('\n  ')); process.exit(1); }
EOF
exit 0
