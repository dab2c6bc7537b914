#!/usr/bin/env bash
# t1001: the summary oracle (tests/oracles/snapshot-facts.js) is itself
# right: on two hand-written graphs it gives the hand-computed classes
# (DevTools' interfaces, detached DOM nodes), and where DevTools' own code is
# installed (tests/oracles/devtools, git-ignored) its classes agree with it
# on those graphs and on a real snapshot.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
oracles="$LEAKHOUND_ROOT/tests/oracles"

# Writes the two graphs of tests/unit/test_summary.c (see the comments there
# for how each class is worked out) and checks the oracle's classes.
node - "$oracles/snapshot-facts.js" "$TEST_TMP" <<'EOF' || fail "the oracle's classes differ from the hand-computed ones"
'use strict';
const fs = require('fs');
const [factsPath, dir] = process.argv.slice(2);
const {facts} = require(factsPath);
const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native',
                    'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

function write(file, nodes, edges) {
  const strings = ['<dummy>'], index = new Map();
  const str = (s) => { if (!index.has(s)) { index.set(s, strings.length); strings.push(s); } return index.get(s); };
  const F = 6;
  const out = new Array(nodes.length).fill(0);
  edges.forEach(([from]) => out[from]++);
  const sorted = edges.map((e, i) => [...e, i]).sort((a, b) => a[0] - b[0] || a[4] - b[4]);
  const snap = {
    snapshot: {meta: {node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'],
                      node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number'],
                      edge_fields: ['type', 'name_or_index', 'to_node'],
                      edge_types: [EDGE_TYPES, 'string_or_number', 'node']},
               node_count: nodes.length, edge_count: edges.length},
    nodes: nodes.flatMap(([t, n, size, d], i) => [NODE_TYPES.indexOf(t), str(n), 2 * i + 1, size, out[i], d || 0]),
    edges: sorted.flatMap(([, t, name, to]) => [EDGE_TYPES.indexOf(t),
                                               t === 'element' || t === 'hidden' ? name : str(name), to * F]),
    strings,
  };
  fs.writeFileSync(file, JSON.stringify(snap));
}

function check(what, file, want) {
  const got = facts(file, 100).classes;
  const bad = [];
  for (const [c, v] of Object.entries(want))
    if (JSON.stringify(got[c]) !== JSON.stringify(v)) bad.push(`${JSON.stringify(c)}: ${JSON.stringify(got[c])}, expected ${JSON.stringify(v)}`);
  for (const c of Object.keys(got)) if (!(c in want)) bad.push(`unexpected class ${JSON.stringify(c)}`);
  if (bad.length) { console.error(`${what}: ${bad.join('; ')}`); process.exit(1); }
}

// The interface graph (with the unused {y, x} definition).
const plain = [[10, ['__proto__', 'x', 'y']], [11, ['x', 'y']], [12, ['y', 'x']], [13, ['x']], [14, ['x']],
               [15, ['x', 'y', 'z']], [16, ['y']], [17, []], [18, ['a,b']], [19, ['a,b']], [22, ['y', 'x']]];
const nodes = [['synthetic', '', 0], ['synthetic', '(GC roots)', 0]];
plain.forEach(([size]) => nodes.push(['object', 'Object', size]));
const foo = nodes.push(['object', 'Foo', 20]) - 1;
nodes.push(['native', 'Object', 21]);
const str = nodes.push(['string', 'v', 1]) - 1;
const shape = nodes.push(['object shape', 'system / Map', 5]) - 1;
const edges = [[0, 'element', 1, 1]];
plain.forEach(([, props], i) => {
  props.forEach((p) => edges.push([2 + i, 'property', p, str]));
  if (i === 1) edges.push([3, 'internal', 'map', shape]);
});
edges.push([foo, 'property', 'x', str], [foo, 'property', 'y', str]);
write(`${dir}/interfaces.heapsnapshot`, nodes, edges);
check('interfaces', `${dir}/interfaces.heapsnapshot`, {
  '{x, y}': [5, 70], '{x}': [2, 27], '{"a,b"}': [2, 37], 'Object': [3, 54], 'Foo': [1, 20], '(string)': [1, 1],
  '(object shape)': [1, 5], '(synthetic)': [2, 0],
});

// The detached graph.
write(`${dir}/detached.heapsnapshot`, [
  ['synthetic', '', 0], ['synthetic', '(GC roots)', 0], ['native', '<div class=a>', 10, 2], ['native', 'Text', 11],
  ['native', '<span id=s>', 12], ['native', '<p x=1>', 13, 1], ['native', 'Foo', 14], ['native', 'Bar', 15],
  ['native', 'Baz', 16], ['object', 'Obj', 17], ['native', 'Qux', 18], ['native', '<b c=d>', 19],
  ['native', 'Detached <i k=v>', 20, 2],
], [
  [0, 'element', 1, 1], [2, 'internal', 'child', 3], [2, 'property', 's', 4], [2, 'internal', 'x', 6],
  [2, 'hidden', 0, 7], [2, 'weak', 'w', 8], [2, 'property', 'js', 9], [3, 'internal', 'b', 11],
  [5, 'internal', 'y', 6], [9, 'property', 'q', 10],
]);
check('detached', `${dir}/detached.heapsnapshot`, {
  'Detached <div>': [1, 10], 'Detached Text': [1, 11], 'Detached <span>': [1, 12], '<p>': [1, 13], 'Foo': [1, 14],
  'Bar': [1, 15], 'Baz': [1, 16], 'Obj': [1, 17], 'Qux': [1, 18], 'Detached <b>': [1, 19],
  'Detached Detached <i k=v>': [1, 20], '(synthetic)': [2, 0],
});
EOF

# DevTools' own code, when it is installed: the same classes, node for node counted.
dump=$(readlink -f "$oracles/devtools/dump.mjs" || true)
if [ ! -f "$dump" ] || [ ! -d "$oracles/devtools/node_modules" ]; then
	echo "note: DevTools oracle not installed (tests/oracles/devtools): compared with the hand-computed classes only"
	exit 0
fi
node_snapshot "$TEST_TMP/real.heapsnapshot" '
const tags = ["<div class=\"a\">", "Detached <span a=1>", "<p class=unclosed"];
globalThis.keep = {dom: tags.map((t) => Object.create({[Symbol.toStringTag]: t})),
                   pts: Array.from({length: 300}, (_, i) => ({x: i, y: i})), m: new Map([[1, {a: 1, b: 2}]])};'
for f in interfaces detached real; do
	node "$dump" "$TEST_TMP/$f.heapsnapshot" -q --out "$TEST_TMP/$f.devtools.json" >"$TEST_TMP/dump.log" 2>&1 ||
		fail "the DevTools oracle failed on $f: $(tail -5 "$TEST_TMP/dump.log")"
	[ -s "$TEST_TMP/$f.devtools.json" ] || fail "the DevTools oracle wrote nothing for $f"
	node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const f = require(process.argv[2]).facts(process.argv[3], 10).classes;
const dt = {};
d.class_name.forEach((c) => { dt[c] = (dt[c] || 0) + 1; });
const bad = [];
for (const c of new Set([...Object.keys(dt), ...Object.keys(f)]))
  if ((dt[c] || 0) !== (f[c] ? f[c][0] : 0)) bad.push(`${JSON.stringify(c)}: DevTools ${dt[c] || 0}, oracle ${f[c] ? f[c][0] : 0}`);
if (bad.length) { console.error(process.argv[3] + ": " + bad.slice(0, 20).join("; ")); process.exit(1); }' \
		"$TEST_TMP/$f.devtools.json" "$oracles/snapshot-facts.js" "$TEST_TMP/$f.heapsnapshot" ||
		fail "snapshot-facts.js and DevTools class $f differently"
done
