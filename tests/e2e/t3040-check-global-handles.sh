#!/usr/bin/env bash
# t3040: the global-handles-growth rule of `leakhound check`. A tiny N-API
# addon, built here, keeps a reference (napi_create_reference, a v8::Global
# in Node) to every object passed to retain() and never deletes it (buggy),
# or deletes it at once (fixed). A script passes 1,500 objects per step and
# writes 4 snapshots:
#   buggy: check exits 1, its first finding is global-handles-growth, whose
#          growth equals the growth of "(Global handles)" edges that the JSON.parse
#          oracle counts, at least the 4,500 references the script made
#          after the first snapshot;
#   fixed: check exits 0 with no findings.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
command -v cc >/dev/null || skip "no C compiler (needed to build the test addon)"
[ -f /usr/include/node/node_api.h ] || skip "Node.js headers (/usr/include/node) are not installed"
oracle="$LEAKHOUND_ROOT/tests/oracles/diff-oracle.js"
PER_STEP=1500

cat >"$TEST_TMP/refs.c" <<'EOF'
#include <node_api.h>

/* retain(value): a strong reference that is never deleted (LEAKY) or deleted at once. */
static napi_value retain(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	napi_ref ref;
	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1)
		return NULL;
	if (napi_create_reference(env, argv[0], 1, &ref) != napi_ok)
		return NULL;
#if !LEAKY
	napi_delete_reference(env, ref);
#endif
	return NULL;
}

NAPI_MODULE_INIT()
{
	napi_value fn;
	if (napi_create_function(env, "retain", NAPI_AUTO_LENGTH, retain, NULL, &fn) != napi_ok ||
	    napi_set_named_property(env, exports, "retain", fn) != napi_ok)
		return NULL;
	return exports;
}
EOF
for v in 1 0; do
	cc -std=c11 -O1 -fPIC -shared -I/usr/include/node -DLEAKY=$v -DNAPI_VERSION=8 \
		-o "$TEST_TMP/refs-$v.node" "$TEST_TMP/refs.c" 2>"$TEST_TMP/cc.log" ||
		fail "cannot build the test addon: $(tail -5 "$TEST_TMP/cc.log")"
done

cat >"$TEST_TMP/drive.js" <<'EOF'
'use strict';
const v8 = require('v8');
const [addon, dir, name, perStep] = [process.argv[2], process.argv[3], process.argv[4], +process.argv[5]];
const { retain } = require(addon);
class Subscriber { constructor(i) { this.i = i; this.topic = 'topic-' + (i % 10); } }
let next = 0, retained = 0;
for (let s = 1; s <= 4; s++) {
  for (let k = 0; k < (s === 1 ? 200 : perStep); k++) { retain(new Subscriber(next++)); retained++; }
  const file = `${dir}/${name}-${s}.heapsnapshot`;
  v8.writeHeapSnapshot(file);
  console.log(JSON.stringify({ file, retained }));
}
EOF

for v in 1 0; do
	node --single-threaded "$TEST_TMP/drive.js" "$TEST_TMP/refs-$v.node" "$TEST_TMP" "v$v" $PER_STEP >"$TEST_TMP/v$v.log" ||
		fail "the driver failed with refs-$v.node"
done

expect_status 0 "$LEAKHOUND" check --json "$TEST_TMP"/v0-{1,2,3,4}.heapsnapshot
node -e '
const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (j.leak_suspected !== false || j.findings.length !== 0) {
  console.error("fixed addon: " + JSON.stringify(j.findings.map((f) => [f.id, f.title])));
  process.exit(1);
}' "$TEST_TMP/out" || fail "findings for the addon that deletes its references"

expect_status 1 "$LEAKHOUND" check --json "$TEST_TMP"/v1-{1,2,3,4}.heapsnapshot
node - "$oracle" "$TEST_TMP/out" "$TEST_TMP/v1.log" $PER_STEP <<'EOF' || fail "the addon that never deletes its references"
'use strict';
const fs = require('fs');
const oracle = require(process.argv[2]);
const c = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const steps = fs.readFileSync(process.argv[4], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const perStep = +process.argv[5];
const edges = steps.map((s) => {
  const r = oracle.gcRoots(oracle.load(s.file)).filter((x) => x.name === '(Global handles)');
  if (r.length !== 1) throw new Error(`${s.file}: ${r.length} "(Global handles)" roots`);
  return r[0].edges;
});
const bad = [];
for (let i = 1; i < edges.length; i++)
  if (edges[i] - edges[i - 1] < perStep) bad.push(`"(Global handles)" grew by ${edges[i] - edges[i - 1]} < ${perStep} references made`);
const f = c.findings[0];
if (!f || f.id !== 'global-handles-growth') bad.push('first finding: ' + JSON.stringify(c.findings.map((x) => x.id)));
else {
  if (f.growth !== edges[3] - edges[0]) bad.push(`growth ${f.growth}, oracle ${edges[3] - edges[0]} (${edges})`);
  if (!f.title.includes('(Global handles)')) bad.push('title: ' + f.title);
}
if (c.findings.some((x) => x.id === 'handle-scope-growth')) bad.push('a handle-scope-growth finding: the addon leaks no handle scope');
if (bad.length) { console.error(bad.join('\n')); process.exit(1); }
EOF
exit 0
