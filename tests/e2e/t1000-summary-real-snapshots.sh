#!/usr/bin/env bash
# t1000: `leakhound summary --json` on real snapshots written by Node, every
# number checked against tests/oracles/snapshot-facts.js (JSON.parse of the
# same file). The same file gzip'd, and piped on stdin, gives the same JSON.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"

oracles="$LEAKHOUND_ROOT/tests/oracles"
failures=()

# Each scenario keeps its objects alive from globalThis so they are in the snapshot.
declare -A js
js[plain]='globalThis.keep = {a: 1, b: "text", c: [1, 2, 3], d: {nested: true}};'
js[collections]='
const m = new Map(); for (let i = 0; i < 2000; i++) m.set("k" + i, {i});
const s = new Set(); for (let i = 0; i < 2000; i++) s.add({v: i});
const keys = [], wm = new WeakMap();
for (let i = 0; i < 2000; i++) { const k = {k: i}; keys.push(k); wm.set(k, {val: i}); }
const ws = new WeakSet(keys.slice(0, 500));
const wr = keys.slice(0, 100).map((k) => new WeakRef(k));
globalThis.keep = {m, s, wm, ws, wr, keys, nested: new Map([[new Map([[1, 2]]), new Set([3])]])};'
js[closures]='
const fns = [];
for (let i = 0; i < 1000; i++) {
  const captured = {i};
  fns.push(() => captured.i);
  fns.push(function named(a, b) { return a + b + i; }.bind(null, i));
}
class Point { constructor(x, y) { this.x = x; this.y = y; } norm() { return Math.hypot(this.x, this.y); } }
class Point3 extends Point { constructor(x, y, z) { super(x, y); this.z = z; } }
const pts = Array.from({length: 500}, (_, i) => (i % 2 ? new Point(i, i) : new Point3(i, i, i)));
async function later() { await null; }
globalThis.keep = {fns, pts, gen: (function* () { yield 1; })(), res: [/a+b/g, /x(?<n>y)/u], p: later(),
                   sym: [Symbol("s"), Symbol.for("t")], big: [12345678901234567890n, -1n], num: [1.5, NaN, -0]};'
js[buffers]='
const bufs = []; for (let i = 0; i < 200; i++) bufs.push(Buffer.alloc(1024 * (i % 7 + 1), i));
const tas = [new Float64Array(1000), new Uint8Array(4096), new Int32Array(new ArrayBuffer(1 << 16)),
             new DataView(new ArrayBuffer(64)), new BigInt64Array(8)];
let huge = null;
try { huge = new ArrayBuffer(5 * 2 ** 30); } catch (e) {}  // 5 GiB, never touched: a self size past 2^32
globalThis.keep = {bufs, tas, huge, view: huge && new Uint8Array(huge, 0, 16), shared: new SharedArrayBuffer(1024),
                   slices: bufs.slice(0, 20).map((b) => b.subarray(1, 9))};'
js[strings]='
const strs = ["日本語のテキスト", "émigré café", "emoji 😀🎉👍🏽", "mixed ñ 中 😀 \u0000 nul", "x".repeat(2000) + "😀",
              "\t\n\r\"\\ \u0001\u001f", "\ud800 lone", "Ω≈ç√∫"];
const C = {["Ünïcødé😀Klass"]: class {}}["Ünïcødé😀Klass"];
class Ключ {}
const objs = Array.from({length: 50}, (_, i) => (i % 2 ? new C() : new Ключ()));
const cons = strs[0] + strs[2] + Math.random();
const sliced = ("abc".repeat(100) + Math.random()).slice(5, 200);
const props = {"ключ": 1, "鍵": 2, "😀": 3, "a,b": 4, "q\"uote": 5, "{brace}": 6};
globalThis.keep = {strs, objs, cons, sliced, props, more: strs.map((s) => s + "!"),
                   many: Array.from({length: 20}, () => ({"ключ": 1, "鍵": 2, "😀": 3, "a,b": 4}))};'
js[big-array]='globalThis.big = Array.from({length: 100000}, (_, i) => ({i}));'
# Names that DevTools trims like DOM tags (an object is named after its prototype's Symbol.toStringTag).
js[dom-names]='
const tags = ["<div class=\"a\">", "<div id=b>", "<div", "Detached <span a=1>", "<p class=unclosed",
              "Detached <b c", "<>", "a b>", "< x>", "Detached", "Detached <", "<a  b>"];
globalThis.keep = tags.map((t) => { const P = {[Symbol.toStringTag]: t}; return [Object.create(P), Object.create(P)]; });'

# compare SNAPSHOT JSON [compare-summary options]: records a failure instead of stopping.
compare() {
	local snap=$1 json=$2
	shift 2
	node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$json" ||
		{ failures+=("$(basename "$json"): not JSON"); return; }
	node "$oracles/compare-summary.js" "$snap" "$json" "$@" || failures+=("$(basename "$json")")
}

names=(plain collections closures buffers strings big-array dom-names)
pids=()
for name in "${names[@]}"; do # written two at a time
	node_snapshot "$TEST_TMP/$name.heapsnapshot" "${js[$name]}" &
	pids+=($!)
	[ ${#pids[@]} -lt 2 ] || { wait "${pids[0]}" || fail "node could not write a snapshot"; pids=("${pids[@]:1}"); }
done
for pid in "${pids[@]}"; do wait "$pid" || fail "node could not write a snapshot"; done

for name in "${names[@]}"; do
	snap="$TEST_TMP/$name.heapsnapshot"
	[ -s "$snap" ] || fail "no $name snapshot"
	expect_status 0 "$LEAKHOUND" summary --json --top 10 "$snap"
	[ ! -s "$TEST_TMP/err" ] || fail "$name: stderr is not empty: $(head -c 300 "$TEST_TMP/err")"
	cp "$TEST_TMP/out" "$TEST_TMP/$name.json"
	compare "$snap" "$TEST_TMP/$name.json" --top 10 --no-findings
done

# Every class, not just the top 10, for one snapshot.
"$LEAKHOUND" summary --json --top 1000 "$TEST_TMP/dom-names.heapsnapshot" >"$TEST_TMP/dom-names-all.json" ||
	fail "summary --top 1000 failed"
compare "$TEST_TMP/dom-names.heapsnapshot" "$TEST_TMP/dom-names-all.json" --top 1000 --no-findings

# The huge ArrayBuffer: its backing store is one node with a self size past 2^32.
node -e '
const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const F = s.snapshot.meta.node_fields.length, k = s.snapshot.meta.node_fields.indexOf("self_size");
let max = 0; for (let i = k; i < s.nodes.length; i += F) max = Math.max(max, s.nodes[i]);
if (max < 2 ** 32) { console.log("no self size past 2^32 (the 5 GiB ArrayBuffer was not allocated)"); process.exit(3); }' \
	"$TEST_TMP/buffers.heapsnapshot" || echo "note: buffers snapshot has no self size past 2^32"

# gzip'd and piped: the same JSON, but for file, file_bytes and gzip, which must say what was read.
same_json() {
	node -e '
const fs = require("fs");
const [a, b, file, bytes, gzip] = process.argv.slice(1);
const strip = (j) => { j = JSON.parse(JSON.stringify(j)); delete j.file; delete j.totals.file_bytes; delete j.totals.gzip; return JSON.stringify(j); };
const x = JSON.parse(fs.readFileSync(a, "utf8")), y = JSON.parse(fs.readFileSync(b, "utf8"));
const bad = [];
if (strip(x) !== strip(y)) bad.push("the facts differ");
if (y.file !== file) bad.push(`file is ${y.file}, expected ${file}`);
if (y.totals.file_bytes !== Number(bytes)) bad.push(`file_bytes is ${y.totals.file_bytes}, expected ${bytes}`);
if (y.totals.gzip !== (gzip === "gzip")) bad.push(`gzip is ${y.totals.gzip}`);
if (bad.length) { console.error(b + ": " + bad.join("; ")); process.exit(1); }' "$@"
}
for name in strings big-array; do
	snap="$TEST_TMP/$name.heapsnapshot"
	gzip -6 -c "$snap" >"$snap.gz"
	gz_bytes=$(wc -c <"$snap.gz")
	"$LEAKHOUND" summary --json --top 10 "$snap.gz" >"$TEST_TMP/$name-gz.json" || fail "$name.gz: summary failed"
	same_json "$TEST_TMP/$name.json" "$TEST_TMP/$name-gz.json" "$snap.gz" "$gz_bytes" gzip ||
		failures+=("$name.gz")
	# shellcheck disable=SC2002 # cat: stdin must be a pipe, not a file
	cat "$snap" | "$LEAKHOUND" summary --json --top 10 - >"$TEST_TMP/$name-stdin.json" || fail "$name on stdin failed"
	same_json "$TEST_TMP/$name.json" "$TEST_TMP/$name-stdin.json" - 0 plain || failures+=("$name on stdin")
	# shellcheck disable=SC2002 # cat: stdin must be a pipe, not a file
	cat "$snap.gz" | "$LEAKHOUND" summary --json --top 10 - >"$TEST_TMP/$name-gzstdin.json" ||
		fail "$name.gz on stdin failed"
	same_json "$TEST_TMP/$name.json" "$TEST_TMP/$name-gzstdin.json" - 0 gzip || failures+=("$name.gz on stdin")
done

# The text report reads the same file: it names it, and shows the node count (checked above in --json).
expect_status 0 "$LEAKHOUND" summary "$TEST_TMP/big-array.heapsnapshot"
head -1 "$TEST_TMP/out" | grep -qF "$TEST_TMP/big-array.heapsnapshot" || fail "text report does not name the file"
nodes=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).totals.nodes.toLocaleString("en-US"))' \
	"$TEST_TMP/big-array.json")
grep -qE "^  nodes +$nodes\$" "$TEST_TMP/out" || fail "text report does not show $nodes nodes"

[ ${#failures[@]} -eq 0 ] || fail "leakhound and the oracle differ: ${failures[*]}"
