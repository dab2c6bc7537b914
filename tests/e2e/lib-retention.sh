# Shared by t2000 (DevTools oracle) and t2010 (memlab oracle): the real
# snapshots both check every node of. Source it after lib.sh; it sets
# `oracles` (see lib-oracles.sh) and `snaps`.
. "$(dirname "${BASH_SOURCE[0]}")/lib-oracles.sh"

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

# Snapshots written other ways than v8.writeHeapSnapshot(file) in a main thread.
numbers='class Plain { constructor(i) { this.i = i; this.n = i * 1.5; } }
globalThis.keep = {list: Array.from({length: 3000}, (_, i) => new Plain(i)), nums: [1.5, -0, NaN, 1e300], big: 12345678901234567890n};'
# With allocation tracking: trace_function_infos, trace_tree and non-zero trace_node_ids.
snapshot_tracked() {
	node --track-heap-objects -e "$numbers
require('v8').writeHeapSnapshot(process.argv[1]);" "$1" >/dev/null
}
# With V8's internals exposed and heap numbers as nodes.
snapshot_internals() {
	node -e "$numbers
require('v8').writeHeapSnapshot(process.argv[1], {exposeInternals: true, exposeNumericValues: true});" "$1" >/dev/null
}
# A worker thread's heap, streamed by worker.getHeapSnapshot().
snapshot_worker() {
	node -e "
const {Worker} = require('worker_threads');
const w = new Worker('globalThis.keep = Array.from({length: 3000}, (_, i) => ({i})); setInterval(() => {}, 1000);', {eval: true});
w.once('online', () => setTimeout(async () => {
  const out = require('fs').createWriteStream(process.argv[1]);
  (await w.getHeapSnapshot()).pipe(out);
  out.on('finish', () => process.exit(0));
}, 200));" "$1" >/dev/null
}

names=(plain weakmaps functions tracked internals worker)
pids=()
for name in "${names[@]}"; do # written two at a time
	if [ -n "${js[$name]:-}" ]; then
		node_snapshot "$TEST_TMP/$name.heapsnapshot" "${js[$name]}" &
	else
		"snapshot_$name" "$TEST_TMP/$name.heapsnapshot" &
	fi
	pids+=($!)
	[ ${#pids[@]} -lt 2 ] || { wait "${pids[0]}" || fail "node could not write a snapshot"; pids=("${pids[@]:1}"); }
done
for pid in "${pids[@]}"; do wait "$pid" || fail "node could not write a snapshot"; done
cp "$LEAKHOUND_ROOT/examples/handle-scope-leak/leak.heapsnapshot.gz" "$TEST_TMP/example.heapsnapshot.gz"
snaps=()
for name in "${names[@]}"; do snaps+=("$TEST_TMP/$name.heapsnapshot"); done
snaps+=("$TEST_TMP/example.heapsnapshot.gz")
