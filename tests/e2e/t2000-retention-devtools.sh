#!/usr/bin/env bash
# t2000: `leakhound top --all --json` (default, DevTools rules) on real
# snapshots, every node checked against Chrome DevTools' own heap snapshot
# worker (tests/oracles/devtools/dump.mjs, run here on the same files):
# retained_size, distance, dominator_id, self_size (after DevTools'
# shallow-size transfer) and class must be equal for every node.
#
# Snapshots: written by Node in this test (plain: a plain heap; weakmaps:
# WeakMaps with live and dead keys, ephemeron chains, WeakSet, WeakRef,
# FinalizationRegistry; functions: closures, bound functions, typed arrays,
# DataView, Buffers, a shared ArrayBuffer; tracked: with --track-heap-objects;
# internals: exposeInternals and exposeNumericValues; worker: a worker
# thread's heap from worker.getHeapSnapshot()), plus the bundled
# examples/handle-scope-leak/leak.heapsnapshot.gz. Two at a time, on 2 cores.
# The scenarios are kept in step with t2010-retention-memlab.sh.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"

. "$(dirname "$0")/lib-retention.sh"

# The first oracle run may install npm packages and build the bundle: do it alone.
first_oracle_run "$oracles/devtools/node_modules/chrome-devtools-frontend" \
	node "$oracles/devtools/dump.mjs" -q "${snaps[0]}" --out "${snaps[0]}.devtools.json"

# check SNAPSHOT: oracle, leakhound, comparison; writes what went wrong to SNAPSHOT.problem.
check() {
	local snap=$1 base rc=0
	base=$(basename "$snap")
	echo "$base: the check did not finish" >"$snap.problem" # until it does
	if [ ! -s "$snap.devtools.json" ]; then
		node "$oracles/devtools/dump.mjs" -q "$snap" --out "$snap.devtools.json" ||
			{ echo "the DevTools oracle failed" >"$snap.problem"; return; }
	fi
	"$LEAKHOUND" top --all --json "$snap" >"$snap.leakhound.json" 2>"$snap.leakhound.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "leakhound top exited $rc: $(head -c 300 "$snap.leakhound.err")" >"$snap.problem"
		return
	fi
	# The oracle really analysed a sizeable heap, not an empty one.
	node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (d.oracle !== "devtools" || d.node_count < 20000 || d.id.length !== d.node_count || d.retained_size[0] < 1e6)
  { console.log("implausible DevTools oracle dump:", d.oracle, d.node_count, d.retained_size && d.retained_size[0]); process.exit(1); }' \
		"$snap.devtools.json" >"$snap.problem" || return
	node "$oracles/compare-nodes.js" "$snap.devtools.json" "$snap.leakhound.json" --label "$base" \
		--fields retained_size,distance,dominator_id,self_size,class_name >"$snap.problem" && rm -f "$snap.problem"
	return 0
}

pids=()
for snap in "${snaps[@]}"; do # two at a time
	check "$snap" &
	pids+=($!)
	[ ${#pids[@]} -lt 2 ] || { wait "${pids[0]}" || true; pids=("${pids[@]:1}"); }
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

failures=()
for snap in "${snaps[@]}"; do
	if [ -e "$snap.problem" ]; then
		cat "$snap.problem"
		failures+=("$(basename "$snap")")
	fi
done

# The scenarios must contain what they are meant to exercise (else the comparison proves little).
node -e '
const fs = require("fs");
const [wm, fn] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const count = (d, c) => d.class_name.filter((x) => x === c).length;
const problems = [];
if (count(wm, "WeakValue") < 200) problems.push("weakmaps: fewer than 200 WeakValue nodes");
if (count(wm, "WeakKey") < 200) problems.push("weakmaps: fewer than 200 WeakKey nodes");
if (count(fn, "Svc") < 150) problems.push("functions: fewer than 150 Svc nodes");
if (count(fn, "Function") < 400) problems.push("functions: fewer than 400 Function nodes");
if (count(fn, "Buffer") < 120) problems.push("functions: fewer than 120 Buffer nodes");
if (!fn.self_size.some((s) => s >= 1 << 20)) problems.push("functions: no node of 1 MiB or more");
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }' \
	"$TEST_TMP/weakmaps.heapsnapshot.devtools.json" "$TEST_TMP/functions.heapsnapshot.devtools.json" ||
	failures+=("scenario contents")
node -e '
const fs = require("fs");
const [tracked, internals] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const problems = [];
if (!(tracked.snapshot.trace_function_count > 0)) problems.push("tracked: no allocation traces in the file");
const m = internals.snapshot.meta, fields = m.node_fields.length, number = m.node_types[0].indexOf("number");
let numbers = 0;
for (let i = 0; i < internals.nodes.length; i += fields) if (internals.nodes[i] === number) numbers++;
if (numbers < 3000) problems.push("internals: " + numbers + " heap number nodes, expected 3000 or more");
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }' \
	"$TEST_TMP/tracked.heapsnapshot" "$TEST_TMP/internals.heapsnapshot" || failures+=("scenario contents")

[ ${#failures[@]} -eq 0 ] || fail "differences from the DevTools oracle: ${failures[*]}"
