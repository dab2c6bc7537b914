#!/usr/bin/env bash
# t2030: a browser heap. Headless Chromium loads a page with a live DOM,
# event listeners whose closures hold their widgets, DOM subtrees removed
# from the document but kept by JavaScript (detached), a WeakMap keyed by
# elements, a shadow root and a same-origin iframe; chrome-snapshot.mjs takes
# its heap snapshot as DevTools does. On that file, every node of
#   - `leakhound top --all --json` must equal Chrome DevTools' own worker
#     (retained_size, distance, dominator_id, self_size, class_name: Blink's
#     native nodes, "(Document DOM trees)" seeding the page-owned marking,
#     "Detached <ul>" classes from the propagated detachedness), and
#   - `leakhound top --all --json --retention memlab` must equal memlab, whose
#     own home is browser heaps (retained_size, dominator_id, self_size).
# The two tools must also disagree on some nodes of this heap, or matching
# each would prove nothing about the modes. And `summary`'s detached-dom
# finding counts exactly the nodes DevTools classes "Detached ...", fires at
# --detached-nodes of that count and not one above, and its sample node is
# one of them.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
chromium=${CHROMIUM:-chromium}
command -v "$chromium" >/dev/null || skip "chromium is not installed (scripts/setup-deps.sh --tests installs it)"
. "$(dirname "$0")/lib-oracles.sh"

page="$TEST_TMP/page.html" snap="$TEST_TMP/page.heapsnapshot"
cat >"$page" <<'EOF'
<!doctype html>
<html><body><div id="app"></div><iframe id="frame" srcdoc="<p>inner</p>"></iframe><script>
class Widget {
  constructor(el, i) { this.el = el; this.i = i; this.onClick = () => this.i++; el.addEventListener('click', this.onClick); }
}
const app = document.getElementById('app');
const widgets = [];
for (let i = 0; i < 300; i++) {
  const d = document.createElement('div');
  d.className = 'w' + i;
  d.appendChild(document.createElement('span')).textContent = 'item ' + i;
  app.appendChild(d);
  widgets.push(new Widget(d, i));
}
for (let i = 0; i < 20; i++) app.removeChild(app.lastChild);       // detached, still held by their widgets
window.detachedLists = [];
for (let i = 0; i < 200; i++) {                                     // never attached
  const ul = document.createElement('ul');
  for (let j = 0; j < 3; j++) ul.appendChild(document.createElement('li'));
  window.detachedLists.push(ul);
}
const byElement = new WeakMap();
widgets.forEach((w) => byElement.set(w.el, {meta: w.i}));
const host = document.body.appendChild(document.createElement('section'));
host.attachShadow({mode: 'open'}).innerHTML = '<b>shadow</b>'.repeat(50);
window.keep = {widgets, byElement, rows: Array.from({length: 500}, (_, i) => ({i, s: 'x' + i}))};
window.ready = new Promise((resolve) => document.getElementById('frame').onload = resolve);
</script></body></html>
EOF
timeout 180 node --experimental-websocket "$LEAKHOUND_ROOT/tests/e2e/chrome-snapshot.mjs" "$page" "$snap" ||
	fail "could not take the page's heap snapshot with $chromium"

first_oracle_run "$oracles/devtools/node_modules/chrome-devtools-frontend" \
	node "$oracles/devtools/dump.mjs" -q "$snap" --out "$snap.devtools.json"
first_oracle_run "$oracles/memlab/node_modules/@memlab/heap-analysis" \
	node "$oracles/memlab/dump.js" -q "$snap" --out "$snap.memlab.json"

# The page is what it should be: a sizeable heap with the DOM, widgets and detached trees it built.
node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const count = (c) => d.class_name.filter((x) => x === c).length;
const problems = [];
if (d.node_count < 20000) problems.push(d.node_count + " nodes, expected 20000 or more");
if (count("Widget") !== 300) problems.push(count("Widget") + " Widget nodes, expected 300");
if (count("Detached <ul>") !== 200) problems.push(count("Detached <ul>") + " \"Detached <ul>\" nodes, expected 200");
if (count("Detached <li>") < 600) problems.push(count("Detached <li>") + " \"Detached <li>\" nodes, expected 600 or more");
if (count("Detached <div>") !== 20) problems.push(count("Detached <div>") + " \"Detached <div>\" nodes, expected 20");
if (count("HTMLDivElement") + d.class_name.filter((x) => x === "<div>").length < 1) problems.push("no attached <div>");
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }' "$snap.devtools.json" ||
	fail "the page's heap is not the scenario"

"$LEAKHOUND" top --all --json "$snap" >"$snap.leakhound.json" || fail "leakhound top failed on the browser heap"
node "$oracles/compare-nodes.js" "$snap.devtools.json" "$snap.leakhound.json" --label "DevTools" \
	--fields retained_size,distance,dominator_id,self_size,class_name ||
	fail "leakhound (devtools rules) differs from Chrome DevTools on the browser heap"

"$LEAKHOUND" top --all --json --retention memlab "$snap" >"$snap.memlab-mode.json" ||
	fail "leakhound top --retention memlab failed on the browser heap"
node "$oracles/compare-nodes.js" "$snap.memlab.json" "$snap.memlab-mode.json" --label "memlab" \
	--fields retained_size,dominator_id,self_size || fail "leakhound (memlab rules) differs from memlab on the browser heap"

differences=$(node "$oracles/compare-nodes.js" "$snap.devtools.json" "$snap.memlab.json" --count-only \
	--fields dominator_id | node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => console.log(JSON.parse(s).differences.dominator_id))')
[ "$differences" -ge 100 ] || fail "DevTools and memlab differ on only $differences dominators of the browser heap"

# summary's detached-dom finding counts the nodes DevTools calls detached, and its sample is one of them.
expect_status 0 "$LEAKHOUND" summary --json "$snap"
node -e '
const fs = require("fs");
const [sum, dt] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const f = sum.findings.find((x) => x.id === "detached-dom");
const want = dt.class_name.filter((c) => c.startsWith("Detached ")).length;
const problems = [];
if (!f) problems.push("no detached-dom finding: " + sum.findings.map((x) => x.id).join(", "));
else {
  if (f.nodes !== want) problems.push("the finding counts " + f.nodes + " detached nodes, DevTools " + want);
  const bytes = dt.self_size.reduce((a, s, i) => a + (dt.class_name[i].startsWith("Detached ") ? s : 0), 0);
  if (f.native_bytes !== bytes) problems.push("the finding counts " + f.native_bytes + " bytes, DevTools " + bytes);
  const at = dt.id.indexOf(f.node_id);
  if (at < 0 || !dt.class_name[at].startsWith("Detached ")) problems.push("sample @" + f.node_id + " is not detached by DevTools");
  if (!(f.edges > 0)) problems.push("no references into the detached trees counted");
}
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }' "$TEST_TMP/out" "$snap.devtools.json" ||
	fail "summary on the browser heap"
# The threshold: a finding at exactly that many detached nodes, none at one more.
detached=$(node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(d.class_name.filter((c) => c.startsWith("Detached ")).length)' "$snap.devtools.json")
expect_status 0 "$LEAKHOUND" summary --json --detached-nodes "$detached" "$snap"
grep -q '"detached-dom"' "$TEST_TMP/out" || fail "no detached-dom finding with --detached-nodes $detached"
expect_status 0 "$LEAKHOUND" summary --json --detached-nodes $((detached + 1)) "$snap"
! grep -q '"detached-dom"' "$TEST_TMP/out" || fail "a detached-dom finding with --detached-nodes $((detached + 1))"
expect_status 0 "$LEAKHOUND" roots "$snap"
