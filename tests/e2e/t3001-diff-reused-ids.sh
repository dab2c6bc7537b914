#!/usr/bin/env bash
# t3001: `leakhound diff` when V8 hands a freed object's id to a new object.
# V8's heap profiler maps object addresses to ids (HeapObjectsMap); it learns
# of moves but not of deaths, so an object allocated at the address of one
# that died after the last snapshot inherits its id, whatever it is. A script
# makes K objects of class Departed, writes a snapshot, drops them all, runs
# full GCs (their memory is swept), makes K objects of class Arrived and some
# code (new closures, so new maps, bytecode, allocation sites), runs full GCs
# again (survivors are promoted into the swept memory) and writes a second
# snapshot.
# From the construction: every Departed object was freed and every Arrived
# object is new, so diff must say Departed removed == K and Arrived added == K;
# the JSON.parse oracle confirms that no Departed is left and K Arrived are.
# leakhound keeps a (type, name) fingerprint per id (digest.h) and could tell
# that such an id names another object; counting ids alone, it reports a few
# Departed as neither freed nor alive.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
oracle="$LEAKHOUND_ROOT/tests/oracles/diff-oracle.js"
K=20000

cat >"$TEST_TMP/reuse.js" <<'EOF'
'use strict';
const v8 = require('v8');
v8.setFlagsFromString('--expose-gc');
const gc = global.gc || require('vm').runInNewContext('gc');
const [before, after, K] = [process.argv[2], process.argv[3], +process.argv[4]];
class Departed { constructor(i) { this.i = i; this.a = i + 1; this.b = null; } }
class Arrived { constructor(i) { this.i = i; this.a = i + 1; this.b = null; } }
let departed = [];
for (let i = 0; i < K; i++) departed.push(new Departed(i));
v8.writeHeapSnapshot(before);
departed = null;
gc();
gc();
const arrived = [];
for (let i = 0; i < K; i++) arrived.push(new Arrived(i));
const handlers = [];
for (let i = 0; i < 50; i++) handlers.push(new Function('x', `return { v${i}: x + ${i} };`));
handlers.forEach((h, i) => h(i));
gc();
gc();
v8.writeHeapSnapshot(after);
globalThis.keep = [arrived, handlers];
EOF

node "$TEST_TMP/reuse.js" "$TEST_TMP/1.heapsnapshot" "$TEST_TMP/2.heapsnapshot" $K || fail "the workload failed"
node "$oracle" "$TEST_TMP/1.heapsnapshot" "$TEST_TMP/2.heapsnapshot" >"$TEST_TMP/oracle.json" || fail "diff-oracle.js failed"
expect_status 0 "$LEAKHOUND" diff --json "$TEST_TMP/1.heapsnapshot" "$TEST_TMP/2.heapsnapshot"
node - "$TEST_TMP/oracle.json" "$TEST_TMP/out" $K <<'EOF' || fail "diff miscounts objects whose ids V8 gave to new objects"
'use strict';
const fs = require('fs');
const [oraclePath, diffPath, K] = [process.argv[2], process.argv[3], +process.argv[4]];
const o = JSON.parse(fs.readFileSync(oraclePath, 'utf8'));
const d = JSON.parse(fs.readFileSync(diffPath, 'utf8'));
const bad = [];
const od = o.classes.Departed, oa = o.classes.Arrived;
if (!od || od.count_before !== K || od.count_after !== 0) bad.push('oracle: Departed ' + JSON.stringify(od));
if (!oa || oa.count_before !== 0 || oa.count_after !== K) bad.push('oracle: Arrived ' + JSON.stringify(oa));
// The oracle sees the same: ids freed, plus ids of Departed objects that now name something else.
if (od && od.removed + od.removed_reused !== K) bad.push('oracle: Departed removed + removed_reused != K: ' + JSON.stringify(od));
if (bad.length) { console.error('the workload or the oracle is off: ' + bad.join('\n')); process.exit(2); }
const dep = d.classes.find((c) => c.class === 'Departed'), arr = d.classes.find((c) => c.class === 'Arrived');
if (!dep || dep.count_before !== K || dep.count_after !== 0 || dep.added !== 0 || dep.removed !== K)
  bad.push(`Departed: all ${K} were freed (none is left), but diff says ` + JSON.stringify(dep));
if (!arr || arr.count_before !== 0 || arr.count_after !== K || arr.added !== K || arr.removed !== 0)
  bad.push(`Arrived: all ${K} are new, but diff says ` + JSON.stringify(arr));
if (bad.length) { console.error(bad.join('\n')); process.exit(1); }
EOF
exit 0
