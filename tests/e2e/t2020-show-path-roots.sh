#!/usr/bin/env bash
# t2020: `leakhound show`, `path` and `roots` (--json) on real snapshots,
# checked against the DevTools oracle (tests/oracles/devtools/dump.mjs) and
# against facts computed here with nothing but JSON.parse (graph.js below):
#
#   - a snapshot of a script keeping LeakyThing objects in
#     globalThis.cache = new Map(); one of them ("special") is also held by
#     a nested array, by two properties of one deep object, and weakly by a
#     WeakRef;
#   - show --json on a LeakyThing held only by the Map: its id, class, self
#     size, retained size, distance and dominator equal DevTools', and its
#     incoming edges are exactly the snapshot's (one: from the Map's table);
#   - path --json: the path ends at the node, every step is a real edge from
#     the previous node (the first from the root), no step is weak, and its
#     length is the BFS shortest path length over non-weak edges;
#   - path --all --max 3 on "special": paths as above, sorted by length, one
#     per distinct last retainer (path --help), none through the weak
#     WeakRef edge (which would be shorter than every strong path);
#   - bad node references: exit 2 (@999999999, not in the file) or 3 (@abc),
#     one stderr line, no stdout;
#   - roots --json on examples/handle-scope-leak/leak.heapsnapshot.gz: the
#     sub-roots in the order of "(GC roots)"'s edges ("(Strong roots)"
#     twice, by position); "(Handle scope)": edges as
#     examples/handle-scope-leak/count-handle-scope.js counts them,
#     handle_bytes = 8 * edges, retained_size_devtools = DevTools' (56 B).
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"

. "$(dirname "$0")/lib-oracles.sh"

failures=()
problem() {
	echo "problem: $*"
	failures+=("$1")
}

# Everything is made in a function, so only globalThis holds the objects
# (no stack or closure slot of the script itself).
snap="$TEST_TMP/leaky.heapsnapshot"
node_snapshot "$snap" '
(() => {
  class LeakyThing { constructor(i) { this.i = i; this.data = new Array(16).fill(i); this.tag = "leaky-" + i; } }
  globalThis.cache = new Map();
  for (let i = 0; i < 50; i++) cache.set("k" + i, new LeakyThing(i));
  const special = new LeakyThing(-1);
  special.special = true;
  cache.set("special", special);                       // root -> global -> cache -> table -> special: 4 edges
  globalThis.list = [[special]];                       // root -> global -> list -> [0] -> special: 4 edges
  globalThis.deep = {a: {b: {ref: special, again: special}}}; // 5 edges, twice from one retainer
  globalThis.wref = new WeakRef(special);              // root -> global -> wref -> special: 3 edges, the last weak
})();' || fail "node could not write a snapshot"

# The independent facts: JSON.parse of the snapshot, nothing shared with leakhound.
cat >"$TEST_TMP/graph.js" <<'EOF'
'use strict';
const fs = require('fs');
const zlib = require('zlib');

function load(file) {
  let buf = fs.readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  const snap = JSON.parse(buf.toString('utf8'));
  const m = snap.snapshot.meta, NF = m.node_fields.length, EF = m.edge_fields.length;
  const f = (list, name) => list.indexOf(name);
  const nT = f(m.node_fields, 'type'), nN = f(m.node_fields, 'name'), nI = f(m.node_fields, 'id'),
        nC = f(m.node_fields, 'edge_count');
  const eT = f(m.edge_fields, 'type'), eN = f(m.edge_fields, 'name_or_index'), eTo = f(m.edge_fields, 'to_node');
  const nodeTypes = m.node_types[nT], edgeTypes = m.edge_types[eT];
  const n = snap.nodes.length / NF;
  const first = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) first[i + 1] = first[i] + snap.nodes[i * NF + nC];
  const g = {
    n, first,
    id: i => snap.nodes[i * NF + nI],
    type: i => nodeTypes[snap.nodes[i * NF + nT]],
    name: i => snap.strings[snap.nodes[i * NF + nN]],
    edgeType: e => edgeTypes[snap.edges[e * EF + eT]],
    edgeName: e => {
      const t = edgeTypes[snap.edges[e * EF + eT]], v = snap.edges[e * EF + eN];
      return t === 'element' || t === 'hidden' ? v : snap.strings[v];
    },
    to: e => snap.edges[e * EF + eTo] / NF,
    byId: new Map(),
  };
  for (let i = 0; i < n; i++) g.byId.set(g.id(i), i);
  return g;
}

// Edges into each node, in edge order.
function incoming(g) {
  const into = Array.from({length: g.n}, () => []);
  for (let v = 0; v < g.n; v++)
    for (let e = g.first[v]; e < g.first[v + 1]; e++) into[g.to(e)].push({from: v, e});
  return into;
}

// BFS from the root (node 0) over non-weak edges: edges from the root per node, -1 if unreached.
function depths(g) {
  const depth = new Int32Array(g.n).fill(-1), queue = [0];
  depth[0] = 0;
  for (let h = 0; h < queue.length; h++) {
    const v = queue[h];
    for (let e = g.first[v]; e < g.first[v + 1]; e++) {
      const t = g.to(e);
      if (g.edgeType(e) === 'weak' || depth[t] >= 0) continue;
      depth[t] = depth[v] + 1;
      queue.push(t);
    }
  }
  return depth;
}

function child(g, v, type, name) {
  for (let e = g.first[v]; e < g.first[v + 1]; e++)
    if (g.edgeType(e) === type && g.edgeName(e) === name) return g.to(e);
  throw new Error(`no ${type} edge ${name} from @${g.id(v)}`);
}

const [mode, file, ...args] = process.argv.slice(2);
const g = load(file);
if (mode === 'leaky') {
  // The LeakyThing nodes, the Map's table, and for each LeakyThing its retainers and BFS depth.
  let global = -1;
  for (let e = g.first[0]; e < g.first[1]; e++)
    if (g.edgeType(e) === 'shortcut' && g.name(g.to(e)) === 'global') global = g.to(e);
  if (global < 0) throw new Error('no shortcut edge from the root to the global object');
  const map = child(g, global, 'property', 'cache');
  const table = child(g, map, 'internal', 'table');
  const into = incoming(g), depth = depths(g);
  const things = [];
  for (let v = 0; v < g.n; v++) {
    if (g.type(v) !== 'object' || g.name(v) !== 'LeakyThing') continue;
    let special = false;
    for (let e = g.first[v]; e < g.first[v + 1]; e++)
      if (g.edgeType(e) === 'property' && g.edgeName(e) === 'special') special = true;
    things.push({id: g.id(v), special, depth: depth[v],
                 incoming: into[v].map(({from, e}) => ({from_id: g.id(from), edge_type: g.edgeType(e), edge_name: g.edgeName(e)}))});
  }
  console.log(JSON.stringify({root_id: g.id(0), global_id: g.id(global), map_id: g.id(map), table_id: g.id(table), things}));
} else if (mode === 'paths') {
  // Checks `leakhound path --json` output (args: PATHS.json TARGET_ID MIN_PATHS MAX_PATHS [--all]).
  const [pathsFile, targetId, minPaths, maxPaths, all] = args;
  const out = JSON.parse(fs.readFileSync(pathsFile, 'utf8'));
  const depth = depths(g), target = g.byId.get(Number(targetId));
  const problems = [];
  if (out.node_id !== Number(targetId)) problems.push(`node_id ${out.node_id}, expected ${targetId}`);
  const paths = out.paths || [];
  if (paths.length < Number(minPaths) || paths.length > Number(maxPaths))
    problems.push(`${paths.length} paths, expected ${minPaths} to ${maxPaths}`);
  const lastRetainers = [];
  paths.forEach((p, k) => {
    let at = 0, lastFrom = -1;
    p.forEach((step, i) => {
      let found = -1;
      for (let e = g.first[at]; e < g.first[at + 1] && found < 0; e++)
        if (g.edgeType(e) === step.edge_type && g.edgeName(e) === step.edge_name && g.id(g.to(e)) === step.to_id) found = e;
      if (found < 0) {
        problems.push(`path ${k + 1} step ${i + 1}: no ${step.edge_type} edge ${JSON.stringify(step.edge_name)} ` +
                      `from @${g.id(at)} to @${step.to_id} in the snapshot`);
        return;
      }
      if (step.edge_type === 'weak') problems.push(`path ${k + 1} step ${i + 1} is a weak edge (no --weak given)`);
      if (step.to_type !== undefined && step.to_type !== g.type(g.to(found)))
        problems.push(`path ${k + 1} step ${i + 1}: to_type ${step.to_type}, the snapshot says ${g.type(g.to(found))}`);
      if (step.to_name !== undefined && step.to_name !== g.name(g.to(found)))
        problems.push(`path ${k + 1} step ${i + 1}: to_name ${JSON.stringify(step.to_name)}, the snapshot says ` +
                      JSON.stringify(g.name(g.to(found))));
      lastFrom = at;
      at = g.to(found);
    });
    if (at !== target) problems.push(`path ${k + 1} ends at @${g.id(at)}, not @${targetId}`);
    if (k === 0 && p.length !== depth[target])
      problems.push(`the first path has ${p.length} edges; the shortest over non-weak edges has ${depth[target]}`);
    if (k > 0 && p.length < paths[k - 1].length)
      problems.push(`path ${k + 1} has ${p.length} edges after one of ${paths[k - 1].length}: not sorted by length`);
    if (all && lastRetainers.includes(lastFrom))
      problems.push(`path ${k + 1} ends with a second edge from retainer @${g.id(lastFrom)}: not one path per distinct retainer`);
    lastRetainers.push(lastFrom);
  });
  if (problems.length) {
    console.log(problems.join('\n'));
    console.log('paths: ' + JSON.stringify(paths.map(p => p.map(s => `${s.edge_type}:${s.edge_name}->@${s.to_id}`))));
    process.exit(1);
  }
} else if (mode === 'gcroots') {
  // The children of "(GC roots)" in edge order: [{position, id, name, edges}].
  let gcr = -1;
  for (let e = g.first[0]; e < g.first[1]; e++) if (g.name(g.to(e)) === '(GC roots)') gcr = g.to(e);
  if (gcr < 0) throw new Error('no (GC roots)');
  const roots = [];
  for (let e = g.first[gcr]; e < g.first[gcr + 1]; e++) {
    const r = g.to(e);
    roots.push({position: roots.length + 1, id: g.id(r), name: g.name(r), edges: g.first[r + 1] - g.first[r]});
  }
  console.log(JSON.stringify(roots));
} else {
  throw new Error('unknown mode ' + mode);
}
EOF

node "$TEST_TMP/graph.js" leaky "$snap" >"$TEST_TMP/leaky.json" || fail "graph.js could not read the snapshot"
first_oracle_run "$oracles/devtools/node_modules/chrome-devtools-frontend" node "$oracles/devtools/dump.mjs" -q "$snap" --out "$snap.devtools.json"

# The LeakyThings: 51, one special; a plain one held by the table alone.
read -r plain_id special_id table_id < <(node -e '
const f = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const special = f.things.filter((t) => t.special), plain = f.things.filter((t) => !t.special);
if (f.things.length !== 51 || special.length !== 1) { console.error("expected 51 LeakyThings, 1 special:", f.things.length); process.exit(1); }
const only = plain.find((t) => t.incoming.length === 1 && t.incoming[0].from_id === f.table_id);
if (!only) { console.error("no LeakyThing held by the Map table alone"); process.exit(1); }
console.log(only.id, special[0].id, f.table_id);' "$TEST_TMP/leaky.json") || fail "the snapshot is not as the script meant"
[ -n "$special_id" ] || fail "no LeakyThing ids"

# MARK: show

# check_show ID: show --json against the DevTools oracle and the snapshot's own edges into ID.
check_show() {
	local id=$1 rc=0
	"$LEAKHOUND" show --json "$snap" "@$id" >"$TEST_TMP/show-$id.json" 2>"$TEST_TMP/err" || rc=$?
	[ "$rc" -eq 0 ] || { problem "show @$id exited $rc: $(head -c 300 "$TEST_TMP/err")"; return; }
	node -e '
const fs = require("fs");
const [showFile, dtFile, factsFile, idText] = process.argv.slice(1), id = Number(idText);
const show = JSON.parse(fs.readFileSync(showFile, "utf8")), dt = JSON.parse(fs.readFileSync(dtFile, "utf8"));
const facts = JSON.parse(fs.readFileSync(factsFile, "utf8"));
const i = dt.id.indexOf(id), thing = facts.things.find((t) => t.id === id);
const problems = [];
const eq = (what, got, want) => { if (got !== want) problems.push(`${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`); };
const n = show.node || {};
eq("node.id", n.id, id);
eq("node.index (ordinal)", n.index, i);
eq("node.class", n.class, "LeakyThing");
eq("node.class = DevTools class", n.class, dt.class_name[i]);
eq("node.self_size", n.self_size, dt.self_size[i]);
eq("node.retained_size", n.retained_size, dt.retained_size[i]);
eq("node.distance", n.distance, dt.distance[i]);
eq("node.dominator_id", n.dominator_id, dt.dominator_id[i]);
eq("incoming_count", show.incoming_count, thing.incoming.length);
const got = (show.incoming || []).map((x) => ({from_id: x.from && x.from.id, edge_type: x.edge_type, edge_name: x.edge_name}));
eq("incoming edges", JSON.stringify(got), JSON.stringify(thing.incoming.slice(0, 20)));
if (!got.some((x) => x.from_id === facts.table_id)) problems.push(`the Map table @${facts.table_id} is not among the retainers`);
for (const x of show.incoming || []) {
  const j = dt.id.indexOf(x.from && x.from.id);
  if (j < 0) problems.push(`retainer @${x.from && x.from.id} is no node`);
  else eq(`retainer @${x.from.id} retained_size`, x.from.retained_size, dt.retained_size[j]);
}
if (problems.length) { console.log(`show @${id}: ` + problems.join(`\nshow @${id}: `)); process.exit(1); }' \
		"$TEST_TMP/show-$id.json" "$snap.devtools.json" "$TEST_TMP/leaky.json" "$id" || problem "show @$id"
}
check_show "$plain_id"
check_show "$special_id"
# The plain LeakyThing's retainer is the table, which DevTools makes its dominator.
node -e '
const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (s.incoming.length !== 1 || s.incoming[0].from.id !== Number(process.argv[2]) || s.incoming[0].from.type !== "array")
  { console.log("the plain LeakyThing should have one retainer, the Map table (an array):", JSON.stringify(s.incoming)); process.exit(1); }' \
	"$TEST_TMP/show-$plain_id.json" "$table_id" || problem "show @$plain_id: retainer"

# MARK: path

# check_path ID MIN MAX [path options]: path --json, each path checked against the snapshot.
check_path() {
	local id=$1 min=$2 max=$3 rc=0 all=
	shift 3
	[ $# -eq 0 ] || all=--all
	"$LEAKHOUND" path --json "$@" "$snap" "@$id" >"$TEST_TMP/path.json" 2>"$TEST_TMP/err" || rc=$?
	[ "$rc" -eq 0 ] || { problem "path $* @$id exited $rc: $(head -c 300 "$TEST_TMP/err")"; return; }
	node "$TEST_TMP/graph.js" paths "$snap" "$TEST_TMP/path.json" "$id" "$min" "$max" $all ||
		problem "path $* @$id"
}
# Distinct strong retainers of a LeakyThing, from the snapshot's edges (weak edges and self-loops left out).
retainers() {
	node -e '
const f = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")), id = Number(process.argv[2]);
const t = f.things.find((x) => x.id === id);
console.log(new Set(t.incoming.filter((x) => x.edge_type !== "weak" && x.from_id !== id).map((x) => x.from_id)).size);' \
		"$TEST_TMP/leaky.json" "$1"
}
plain_retainers=$(retainers "$plain_id") special_retainers=$(retainers "$special_id")
# The plain one: root -> global -cache-> Map -table-> table -> it (4 edges), its only path.
[ "$plain_retainers" = 1 ] || problem "the plain LeakyThing has $plain_retainers strong retainers, expected 1"
check_path "$plain_id" 1 1
check_path "$plain_id" 1 1 --all --max 3
# Special: held by the table, the inner array (and its elements store), deep.a.b (twice), and
# V8 may keep a WeakRef target alive until the end of the job: one path per distinct strong
# retainer (so not two for deep.a.b, and none through the WeakRef's weak edge).
[ "$special_retainers" -ge 3 ] || problem "the special LeakyThing has $special_retainers strong retainers, expected 3 or more"
check_path "$special_id" 1 1
check_path "$special_id" 3 3 --all --max 3
check_path "$special_id" "$special_retainers" "$special_retainers" --all --max 10
node -e '
const f = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const p = f.things.find((t) => t.id === Number(process.argv[2])), s = f.things.find((t) => t.special);
if (p.depth !== 4 || s.depth !== 4) { console.log("BFS depths (plain, special):", p.depth, s.depth, "expected 4, 4"); process.exit(1); }' \
	"$TEST_TMP/leaky.json" "$plain_id" || problem "the snapshot's BFS depths are not as the script meant"

# MARK: bad references

# bad_ref STATUS CMD...: exit STATUS, one stderr line naming the reference, no stdout.
bad_ref() {
	local want=$1 ref=${*: -1} rc=0
	shift
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	[ "$rc" -eq "$want" ] || { problem "$*: exit $rc, expected $want"; return; }
	[ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] || problem "$*: expected one stderr line, got: $(cat "$TEST_TMP/err")"
	grep -qF -- "${ref#@}" "$TEST_TMP/err" || problem "$*: the error does not name ${ref}: $(cat "$TEST_TMP/err")"
	[ ! -s "$TEST_TMP/out" ] || problem "$*: wrote to stdout"
}
for cmd in show path; do
	bad_ref 2 "$LEAKHOUND" "$cmd" "$snap" @999999999
	bad_ref 2 "$LEAKHOUND" "$cmd" --json "$snap" @999999999
	bad_ref 3 "$LEAKHOUND" "$cmd" "$snap" @abc
	bad_ref 3 "$LEAKHOUND" "$cmd" --json "$snap" @abc
done
bad_ref 3 "$LEAKHOUND" path --all --max 3 "$snap" @-5
# An id that is really absent: the snapshot has no node 999999999 (so exit 2 means "not found").
node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (d.id.includes(999999999)) process.exit(1);' "$snap.devtools.json" || problem "the snapshot has a node @999999999"

# MARK: roots

example="$LEAKHOUND_ROOT/examples/handle-scope-leak/leak.heapsnapshot.gz"
rc=0
"$LEAKHOUND" roots --json "$example" >"$TEST_TMP/roots.json" 2>"$TEST_TMP/err" || rc=$?
[ "$rc" -eq 0 ] || fail "roots --json exited $rc: $(head -c 300 "$TEST_TMP/err")"
node "$oracles/devtools/dump.mjs" -q --no-class "$example" --out "$TEST_TMP/example.devtools.json" ||
	fail "the DevTools oracle failed on the example"
node "$LEAKHOUND_ROOT/examples/handle-scope-leak/count-handle-scope.js" "$example" >"$TEST_TMP/count.json" ||
	fail "count-handle-scope.js failed"
node "$TEST_TMP/graph.js" gcroots "$example" >"$TEST_TMP/gcroots.json" || fail "graph.js could not read the example"
node -e '
const fs = require("fs");
const [rootsFile, dtFile, countFile, gcFile] = process.argv.slice(1);
const roots = JSON.parse(fs.readFileSync(rootsFile, "utf8")).roots, dt = JSON.parse(fs.readFileSync(dtFile, "utf8"));
const count = JSON.parse(fs.readFileSync(countFile, "utf8")), gc = JSON.parse(fs.readFileSync(gcFile, "utf8"));
const problems = [];
const eq = (what, got, want) => { if (got !== want) problems.push(`${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`); };
// Every sub-root, in the order of the (GC roots) edges.
eq("sub-roots", JSON.stringify(roots.map((r) => [r.position, r.id, r.name, r.edges])),
   JSON.stringify(gc.map((r) => [r.position, r.id, r.name, r.edges])));
const strong = roots.filter((r) => r.name === "(Strong roots)");
if (strong.length !== 2 || strong[0].position === strong[1].position || strong[0].id === strong[1].id)
  problems.push(`"(Strong roots)" should appear twice, at two positions: ${JSON.stringify(strong.map((r) => [r.position, r.id]))}`);
const hs = roots.filter((r) => r.name === "(Handle scope)");
if (hs.length !== 1) problems.push(`${hs.length} "(Handle scope)" entries`);
else {
  const h = hs[0];
  eq("(Handle scope) edges", h.edges, count.handle_scope_edges);
  eq("(Handle scope) distinct_targets", h.distinct_targets, count.distinct_targets);
  eq("(Handle scope) handle_bytes", h.handle_bytes, 8 * count.handle_scope_edges);
  const i = dt.id.indexOf(h.id);
  eq("(Handle scope) retained_size_devtools", h.retained_size_devtools, i < 0 ? "no such node" : dt.retained_size[i]);
  eq("(Handle scope) retained_size_devtools (README: 56 B)", h.retained_size_devtools, 56);
}
if (count.handle_scope_edges < 200000) problems.push(`count-handle-scope.js counted only ${count.handle_scope_edges} edges`);
for (const r of roots) {
  const i = dt.id.indexOf(r.id);
  eq(`${r.name} (#${r.position}) retained_size_devtools`, r.retained_size_devtools, i < 0 ? "no such node" : dt.retained_size[i]);
}
if (problems.length) { console.log("roots: " + problems.join("\nroots: ")); process.exit(1); }' \
	"$TEST_TMP/roots.json" "$TEST_TMP/example.devtools.json" "$TEST_TMP/count.json" "$TEST_TMP/gcroots.json" ||
	problem "roots --json"

[ ${#failures[@]} -eq 0 ] || fail "${#failures[@]} checks failed: ${failures[*]}"
