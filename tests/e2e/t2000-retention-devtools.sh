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
# DataView, Buffers, a shared ArrayBuffer), plus the bundled
# examples/handle-scope-leak/leak.heapsnapshot.gz. Two at a time, on 2 cores.
# The scenarios are kept in step with t2010-retention-memlab.sh.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"

oracles="$LEAKHOUND_ROOT/tests/oracles"
# first_oracle_run PACKAGE_DIR CMD...: an oracle's first run, which installs its
# pinned npm packages if they are missing: if that could not be done (no npm,
# no registry), the test is skipped; any other failure fails it.
first_oracle_run() {
	local packages=$1
	shift
	"$@" && return 0
	[ -d "$packages" ] || skip "the oracle's npm packages could not be installed (no $packages)"
	fail "the oracle failed: $*"
}

declare -A js
js[plain]='
class Plain { constructor(i) { this.i = i; this.label = "p" + i; } }
globalThis.keep = {list: Array.from({length: 300}, (_, i) => new Plain(i)), text: "x".repeat(5000),
                   map: new Map([[1, {a: 1}], [2, {b: 2}]]), set: new Set(["a", "b"])};'
js[weakmaps]='
class WeakKey { constructor(i) { this.i = i; } }
class WeakValue { constructor(i) { this.payload = [i, i + 1, i + 2]; this.name = "v" + i; } }
const keys = [], wm = new WeakMap(), wm2 = new WeakMap();
for (let i = 0; i < 200; i++) { const k = new WeakKey(i); keys.push(k); wm.set(k, new WeakValue(i)); }
for (let i = 0; i < 50; i++) wm.set(new WeakKey(-i), new WeakValue(-i));        // dead keys
for (let i = 0; i < 50; i++) wm2.set(wm.get(keys[i]), {chained: i});            // value as key: ephemeron chain
const shared = new WeakValue(1000); wm.set(keys[0], shared); wm2.set(keys[1], shared);
const ws = new WeakSet(keys.slice(0, 80));
const refs = keys.slice(0, 40).map((k) => new WeakRef(k));
const reg = new FinalizationRegistry(() => {}); keys.slice(0, 10).forEach((k) => reg.register(k, k.i));
globalThis.keep = {keys, wm, wm2, ws, refs, reg, shared};'
js[functions]='
function makeCounter(n) { let count = n; const big = new Array(64).fill(n); return function inc() { count++; return big.length + count; }; }
class Svc { constructor(i) { this.i = i; } handle(x) { return this.i + x; } }
const counters = Array.from({length: 150}, (_, i) => makeCounter(i));
const bound = Array.from({length: 150}, (_, i) => { const s = new Svc(i); return s.handle.bind(s, i, {arg: i}); });
const rebound = bound.slice(0, 20).map((f, i) => f.bind(null, "again" + i));
const arrows = Array.from({length: 100}, (_, i) => { const cap = {i}; return () => cap.i; });
function* gen() { yield 1; }
const bufs = Array.from({length: 120}, (_, i) => Buffer.alloc(512 * (i % 5 + 1), i));
const tas = [new Float64Array(1000), new Uint8Array(4096), new Int32Array(new ArrayBuffer(1 << 16)),
             new DataView(new ArrayBuffer(64)), new BigInt64Array(8), new Uint16Array([1, 2, 3])];
const ab = new ArrayBuffer(8192);
const views = [new Uint8Array(ab), new Int32Array(ab, 16, 4), new Float32Array(ab, 64)];
globalThis.keep = {counters, bound, rebound, arrows, it: gen(), p: (async () => { await null; })(),
                   bufs, tas, ab, views, big: Buffer.allocUnsafe(1 << 20), slices: bufs.slice(0, 30).map((b) => b.subarray(1, 9)),
                   shared: new SharedArrayBuffer(1024), str: Buffer.from("h\u00e9llo").toString("latin1")};'

names=(plain weakmaps functions)
pids=()
for name in "${names[@]}"; do # written two at a time
	node_snapshot "$TEST_TMP/$name.heapsnapshot" "${js[$name]}" &
	pids+=($!)
	[ ${#pids[@]} -lt 2 ] || { wait "${pids[0]}" || fail "node could not write a snapshot"; pids=("${pids[@]:1}"); }
done
for pid in "${pids[@]}"; do wait "$pid" || fail "node could not write a snapshot"; done
cp "$LEAKHOUND_ROOT/examples/handle-scope-leak/leak.heapsnapshot.gz" "$TEST_TMP/example.heapsnapshot.gz"
snaps=()
for name in "${names[@]}"; do snaps+=("$TEST_TMP/$name.heapsnapshot"); done
snaps+=("$TEST_TMP/example.heapsnapshot.gz")

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

[ ${#failures[@]} -eq 0 ] || fail "differences from the DevTools oracle: ${failures[*]}"
