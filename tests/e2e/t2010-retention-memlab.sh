#!/usr/bin/env bash
# t2010: `leakhound top --all --json --retention memlab` on real snapshots,
# every node checked against memlab 2.0.5 (tests/oracles/memlab/dump.js, run
# here on the same files): retained_size, dominator_id and self_size (raw:
# memlab moves no sizes) must be equal for every node.
#
# The snapshots are those of t2000-retention-devtools.sh (the scenarios are
# kept in step with it), plus the bundled
# examples/handle-scope-leak/leak.heapsnapshot.gz.
#
# And the two tools' rules must really differ on these heaps, or matching
# each of them would prove nothing about the modes: on the WeakMap heap the
# DevTools oracle gives every WeakMap value with a live key another
# dominator than memlab (DevTools drops the table -> value edge, so the key
# dominates the value), and on the Buffer heap thousands of other self sizes
# (DevTools' shallow-size transfer) and dominators (its page-owned rule).
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"

. "$(dirname "$0")/lib-retention.sh"

# The first run of each oracle may install npm packages (and build DevTools'
# bundle): do those alone, before anything runs in parallel.
first_oracle_run "$oracles/memlab/node_modules/@memlab/heap-analysis" \
	node "$oracles/memlab/dump.js" -q "${snaps[0]}" --out "${snaps[0]}.memlab.json"
wm="$TEST_TMP/weakmaps.heapsnapshot" fn="$TEST_TMP/functions.heapsnapshot"
first_oracle_run "$oracles/devtools/node_modules/chrome-devtools-frontend" node "$oracles/devtools/dump.mjs" -q "$wm" --out "$wm.devtools.json"

# check SNAPSHOT: oracle, leakhound, comparison; writes what went wrong to SNAPSHOT.problem.
check() {
	local snap=$1 base rc=0
	base=$(basename "$snap")
	echo "$base: the check did not finish" >"$snap.problem" # until it does
	if [ ! -s "$snap.memlab.json" ]; then
		node "$oracles/memlab/dump.js" -q "$snap" --out "$snap.memlab.json" ||
			{ echo "the memlab oracle failed" >"$snap.problem"; return; }
	fi
	"$LEAKHOUND" top --all --json --retention memlab "$snap" >"$snap.leakhound.json" 2>"$snap.leakhound.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "leakhound top --retention memlab exited $rc: $(head -c 300 "$snap.leakhound.err")" >"$snap.problem"
		return
	fi
	# The oracle really analysed a sizeable heap, not an empty one.
	node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (d.oracle !== "memlab" || d.node_count < 20000 || d.id.length !== d.node_count || d.retained_size[0] < 1e6 ||
    d.dominator_id.some((x) => x < 0))
  { console.log("implausible memlab oracle dump:", d.oracle, d.node_count, d.retained_size && d.retained_size[0]); process.exit(1); }' \
		"$snap.memlab.json" >"$snap.problem" || return
	node "$oracles/compare-nodes.js" "$snap.memlab.json" "$snap.leakhound.json" --label "$base" \
		--fields retained_size,dominator_id,self_size >"$snap.problem" && rm -f "$snap.problem"
	return 0
}

pids=()
for snap in "${snaps[@]}"; do # two at a time
	check "$snap" &
	pids+=($!)
	[ ${#pids[@]} -lt 2 ] || { wait "${pids[0]}" || true; pids=("${pids[@]:1}"); }
done
# Meanwhile: DevTools' view of the Buffer heap.
node "$oracles/devtools/dump.mjs" -q --no-class "$fn" --out "$fn.devtools.json" ||
	fail "the DevTools oracle failed on functions.heapsnapshot"
for pid in "${pids[@]}"; do wait "$pid" || true; done

failures=()
for snap in "${snaps[@]}"; do
	if [ -e "$snap.problem" ]; then
		cat "$snap.problem"
		failures+=("$(basename "$snap")")
	fi
done

# The two tools' rules must differ on these heaps.
# count A B FIELDS [--where ...]: compare-nodes.js --count-only.
count() {
	local a=$1 b=$2 fields=$3 out
	shift 3
	out=$(node "$oracles/compare-nodes.js" "$a" "$b" --fields "$fields" --count-only "$@") ||
		fail "compare-nodes.js failed on $(basename "$a") / $(basename "$b")"
	echo "$(basename "$a") / $(basename "$b"): $out" >&2
	printf '%s\n' "$out"
}
# assert_at_least JSON-TEXT JS-EXPRESSION-OF-r MIN WHAT
assert_at_least() {
	node -e '
const r = JSON.parse(process.argv[1]), v = eval(process.argv[2]), min = Number(process.argv[3]);
if (!(v >= min)) { console.log(`${process.argv[4]}: ${v}, expected at least ${min}; ${process.argv[1]}`); process.exit(1); }' \
		"$1" "$2" "$3" "$4" || failures+=("$4")
}
# 200 WeakValue objects have live keys: 199 only through the WeakMap, and one
# (shared) also from globalThis.keep. DevTools makes each key the dominator
# of its value; memlab, which counts the table -> value edge, cannot.
r=$(count "$wm.devtools.json" "$wm.memlab.json" dominator_id,retained_size --where class_name=WeakValue)
assert_at_least "$r" r.where_nodes 200 "WeakValue nodes in the WeakMap heap"
assert_at_least "$r" r.where_differences.dominator_id 199 \
	"WeakValue nodes whose dominator differs between the DevTools and memlab oracles"
assert_at_least "$r" r.differences.retained_size 199 \
	"nodes of the WeakMap heap whose retained size differs between the oracles"
# And the reason: DevTools' dominator of those values is their key (a WeakKey), memlab's never is.
node -e '
const fs = require("fs");
const [dt, ml] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const ordinal = new Map(dt.id.map((id, i) => [id, i]));
const cls = (id) => dt.class_name[ordinal.get(id)];
let values = 0, dtKey = 0, mlKey = 0;
dt.class_name.forEach((c, i) => {
  if (c !== "WeakValue") return;
  values++;
  if (cls(dt.dominator_id[i]) === "WeakKey") dtKey++;
  if (cls(ml.dominator_id[i]) === "WeakKey") mlKey++;
});
if (dtKey < 199 || mlKey !== 0) {
  console.log(`of ${values} WeakValue nodes, ${dtKey} are dominated by a WeakKey in DevTools (expected 199 or more), ${mlKey} in memlab (expected 0)`);
  process.exit(1);
}' "$wm.devtools.json" "$wm.memlab.json" || failures+=("WeakMap values' dominators")
# On the Buffer / typed-array heap (as on any Node heap): DevTools' shallow-size
# transfer changes thousands of self sizes (memlab's stay raw), and its
# page-owned seeds (the global object, not the GC roots) thousands of dominators.
r=$(count "$fn.devtools.json" "$fn.memlab.json" self_size,retained_size,dominator_id)
assert_at_least "$r" r.differences.self_size 1000 "nodes of the Buffer heap whose self size differs between the oracles"
assert_at_least "$r" r.differences.dominator_id 1000 \
	"nodes of the Buffer heap whose dominator differs between the oracles"
assert_at_least "$r" r.differences.retained_size 1000 \
	"nodes of the Buffer heap whose retained size differs between the oracles"

[ ${#failures[@]} -eq 0 ] || fail "failed: ${failures[*]}"
