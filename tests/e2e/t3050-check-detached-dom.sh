#!/usr/bin/env bash
# t3050: `leakhound check` on a browser page that leaks DOM, the classic
# front-end leak: each step opens 100 dialogs (a <div> with a title, text and
# a button whose click listener closes over the dialog), removes them from the
# document, and keeps each in a `cache` array that is never trimmed. Four
# snapshots of one page, taken by headless Chromium (chrome-snapshot.mjs).
#   - check exits 1 with a detached-growth finding whose growth is what
#     Chrome DevTools' own worker counts: its nodes classed "Detached ..." in
#     the last snapshot minus those in the first;
#   - its sample is, by DevTools, a detached node, and its retainer path goes
#     through the page's `cache` and the entries' `.dialog`.
# The same page with the dialogs let go of (churn, no cache) gets no finding
# and exit 0.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
chromium=${CHROMIUM:-chromium}
command -v "$chromium" >/dev/null || skip "chromium is not installed (scripts/setup-deps.sh --tests installs it)"
. "$(dirname "$0")/lib-oracles.sh"

# page KEEP OUT.html: the dialog page; KEEP is true (the leak) or false (steady churn).
page() {
	sed "s/@KEEP@/$1/" >"$2" <<'EOF'
<!doctype html>
<html><body><div id="app"></div><script>
const app = document.getElementById('app');
const cache = [];
let recent = [];
function openAndClose(n) {
  for (let i = 0; i < n; i++) {
    const dialog = document.createElement('div');
    dialog.className = 'dialog';
    dialog.innerHTML = '<h2>Title</h2><p>text</p><button>OK</button>';
    dialog.querySelector('button').addEventListener('click', () => dialog.remove());
    app.appendChild(dialog);
    dialog.remove();
    if (@KEEP@) cache.push({dialog, opened: Date.now()});
  }
  recent = Array.from({length: 200}, (_, i) => ({i}));
}
openAndClose(50);
window.ready = Promise.resolve();
window.step = async () => openAndClose(100);
</script></body></html>
EOF
}

# snapshots NAME: four snapshots of page NAME.html, in $TEST_TMP/NAME-{1..4}.heapsnapshot
snapshots() {
	local outs=() i
	for i in 1 2 3 4; do outs+=("$TEST_TMP/$1-$i.heapsnapshot"); done
	timeout 180 node --experimental-websocket "$LEAKHOUND_ROOT/tests/e2e/chrome-snapshot.mjs" "$TEST_TMP/$1.html" "${outs[@]}" ||
		fail "could not take the snapshots of $1.html with $chromium"
}

page true "$TEST_TMP/leak.html"
page false "$TEST_TMP/steady.html"
snapshots leak
snapshots steady

expect_status 1 "$LEAKHOUND" check --json "$TEST_TMP"/leak-{1,2,3,4}.heapsnapshot
mv "$TEST_TMP/out" "$TEST_TMP/check.json"
for i in 1 4; do
	first_oracle_run "$oracles/devtools/node_modules/chrome-devtools-frontend" \
		node "$oracles/devtools/dump.mjs" -q "$TEST_TMP/leak-$i.heapsnapshot" --out "$TEST_TMP/leak-$i.devtools.json"
done
node -e '
const fs = require("fs");
const [check, first, last] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const detached = (d) => d.class_name.filter((c) => c.startsWith("Detached ")).length;
const problems = [];
const f = check.findings.find((x) => x.id === "detached-growth");
if (!f) {
  problems.push("no detached-growth finding: " + check.findings.map((x) => x.id).join(", "));
} else {
  const want = detached(last) - detached(first);
  if (want < 900) problems.push("DevTools counts only " + want + " more detached nodes: the page did not leak");
  if (f.growth !== want) problems.push("growth " + f.growth + ", DevTools counts " + want + " more detached nodes");
  const at = last.id.indexOf(f.sample_id);
  if (at < 0 || !last.class_name[at].startsWith("Detached "))
    problems.push("sample @" + f.sample_id + " is not a detached node by DevTools: " + (at < 0 ? "no such id" : last.class_name[at]));
  if (!/\bcache\b/.test(f.retainer_path || "") || !/\.dialog\b/.test(f.retainer_path || ""))
    problems.push("the retainer path does not go through cache and .dialog: " + f.retainer_path);
}
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }' \
	"$TEST_TMP/check.json" "$TEST_TMP/leak-1.devtools.json" "$TEST_TMP/leak-4.devtools.json" ||
	fail "check on the leaking page"

expect_status 0 "$LEAKHOUND" check --json "$TEST_TMP"/steady-{1,2,3,4}.heapsnapshot
node -e '
const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (c.leak_suspected || c.findings.length) { console.log("findings on the steady page:", c.findings.map((x) => x.title)); process.exit(1); }' \
	"$TEST_TMP/out" || fail "check on the steady page"
