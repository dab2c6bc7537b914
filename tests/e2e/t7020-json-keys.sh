#!/usr/bin/env bash
# t7020: every command's --json starts with schema_version, and writes
# exactly the keys docs/json.md documents for it (json-keys.js): none
# undocumented, none documented that no output here writes (unless marked †).
# Inputs: a snapshot series node writes, the handle-scope example (findings),
# a leak-checked trace of a real program.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
doc="$LEAKHOUND_ROOT/docs/json.md"
cd "$TEST_TMP"
node -e '
const v8 = require("v8");
class Session { constructor(i) { this.id = i; this.payload = "x".repeat(100) + i; } }
const cache = [];
for (let s = 0; s < 3; s++) {
	for (let i = 0; i < 2000; i++) cache.push(new Session(s * 2000 + i));
	v8.writeHeapSnapshot(`s${s}.heapsnapshot`);
}' || fail "node could not write the snapshots"
example="$LEAKHOUND_ROOT/examples/handle-scope-leak/leak.heapsnapshot.gz"
build_native leak leak.c
expect_status 3 "$LEAKHOUND" run -q --leak-check -o t.lhtrace -- ./leak 20

# json NAME STATUS ARGS...: runs a command with --json into NAME.json, checking its first key.
json() {
	local name=$1 status=$2
	shift 2
	expect_status "$status" "$LEAKHOUND" "$@" --json
	cp "$TEST_TMP/out" "$name.json"
	[ "$(sed -n 2p "$name.json")" = '  "schema_version": 1,' ] || fail "$*: the first key is not schema_version 1: $(head -3 "$name.json")"
}
json summary 0 summary s2.heapsnapshot
json summary-example 0 summary "$example"
json top 0 top s2.heapsnapshot
json top-class 0 top --by class s2.heapsnapshot
id=$(json_get top.json 'r.objects.find(o => o.class === "Array").id')
json show 0 show s2.heapsnapshot "@$id"
json path 0 path --all s2.heapsnapshot "@$id"
json roots 0 roots s2.heapsnapshot
json diff 0 diff s0.heapsnapshot s2.heapsnapshot
json trend 0 trend s0.heapsnapshot s1.heapsnapshot s2.heapsnapshot
json check 1 check s0.heapsnapshot s1.heapsnapshot s2.heapsnapshot
json report 0 report t.lhtrace
rc=0
"$LEAKHOUND" watch --json --quiet --warmup 1s --duration 4s --snapshots 2 -o w -- \
	node -e 'const a = []; setInterval(() => a.push("x".repeat(1000)), 10)' >watch.json || rc=$?
[ $rc -le 1 ] || fail "watch exited $rc"
json watch-report $rc report w

check_keys() {
	local command=$1
	shift
	node "$LEAKHOUND_ROOT/tests/e2e/json-keys.js" "$doc" "$command" "$@" >"$TEST_TMP/problems" ||
		fail "$(cat "$TEST_TMP/problems")"
}
check_keys summary summary.json summary-example.json
check_keys top top.json top-class.json
for c in show path roots diff trend check report; do check_keys $c $c.json; done
check_keys watch watch.json watch-report.json
# The checker itself catches both kinds of difference.
node -e 'const r = require("./roots.json"); r.extra_key = 1; delete r.heap_size; console.log(JSON.stringify(r))' >bad.json
node "$LEAKHOUND_ROOT/tests/e2e/json-keys.js" "$doc" roots bad.json >"$TEST_TMP/problems" && fail "json-keys.js passed a changed document"
grep -q "'extra_key' is written but not documented" "$TEST_TMP/problems" || fail "checker: $(cat "$TEST_TMP/problems")"
grep -q "'heap_size' is documented but never written" "$TEST_TMP/problems" || fail "checker: $(cat "$TEST_TMP/problems")"
exit 0
