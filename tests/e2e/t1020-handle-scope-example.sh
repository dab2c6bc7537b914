#!/usr/bin/env bash
# t1020: the handle-scope-leak example (examples/handle-scope-leak). The
# buggy addon, driven 20,000 times, leaves a "(Handle scope)" pile-up that
# summary reports first, with the edge count that count-handle-scope.js
# (JSON.parse) finds; the fixed addon, driven as often, gives no finding.
# The bundled snapshot's text report leads with the same finding.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
ex="$LEAKHOUND_ROOT/examples/handle-scope-leak"

# check_json SNAPSHOT JSON VARIANT: compares summary --json with the JSON.parse oracle.
check_json() {
	node "$ex/count-handle-scope.js" "$1" >"$TEST_TMP/count.json" || fail "count-handle-scope.js failed on $1"
	node -e '
const fs = require("fs");
const [jsonPath, countPath, variant] = process.argv.slice(1);
const j = JSON.parse(fs.readFileSync(jsonPath, "utf8"));
const c = JSON.parse(fs.readFileSync(countPath, "utf8"));
const bad = [];
const root = j.gc_roots.filter((r) => r.name === "(Handle scope)");
if (root.length !== 1) bad.push(`${root.length} "(Handle scope)" roots`);
else {
  if (root[0].edges !== c.handle_scope_edges) bad.push(`(Handle scope) has ${root[0].edges} edges, oracle ${c.handle_scope_edges}`);
  if (root[0].distinct_targets !== c.distinct_targets)
    bad.push(`(Handle scope) has ${root[0].distinct_targets} distinct targets, oracle ${c.distinct_targets}`);
}
if (j.totals.nodes !== c.nodes || j.totals.edges !== c.edges) bad.push("node/edge totals differ from the oracle");
if (variant === "buggy") {
  if (c.handle_scope_edges < 160000) bad.push(`the buggy run left only ${c.handle_scope_edges} handles`);
  const f = j.findings[0];
  if (!f || f.id !== "handle-scope-pileup") bad.push("the first finding is " + JSON.stringify(f && f.id));
  else {
    if (f.edges !== c.handle_scope_edges) bad.push(`finding edges ${f.edges}, oracle ${c.handle_scope_edges}`);
    if (f.node_id !== root[0].id) bad.push("the finding is not about the (Handle scope) node");
    if (f.native_bytes !== 8 * c.handle_scope_edges) bad.push(`native_bytes ${f.native_bytes}`);
    const share = 100 * c.handle_scope_edges / c.edges;
    if (Math.abs(f.edge_share_percent - share) > 0.01 * share) bad.push(`share ${f.edge_share_percent}, oracle ${share}`);
    if (!f.title.includes("(Handle scope)") || !f.title.includes(c.handle_scope_edges.toLocaleString("en-US")))
      bad.push("title: " + f.title);
  }
} else {
  if (c.handle_scope_edges > 1000) bad.push(`the fixed run left ${c.handle_scope_edges} handles`);
  if (j.findings.length) bad.push("findings for the fixed addon: " + JSON.stringify(j.findings.map((x) => x.id)));
}
if (bad.length) { console.error(variant + ": " + bad.join("; ")); process.exit(1); }' "$2" "$TEST_TMP/count.json" "$3"
}

# The bundled snapshot needs no build.
bundled="$ex/leak.heapsnapshot.gz"
[ -f "$bundled" ] || fail "$bundled is missing"
expect_status 0 "$LEAKHOUND" summary --json "$bundled"
cp "$TEST_TMP/out" "$TEST_TMP/bundled.json"
check_json "$bundled" "$TEST_TMP/bundled.json" buggy || fail "bundled snapshot"
expect_status 0 "$LEAKHOUND" summary "$bundled"
count=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).handle_scope_edges.toLocaleString("en-US"))' \
	"$TEST_TMP/count.json")
first=$(sed -n '/^Findings/{n;p;q}' "$TEST_TMP/out")
[[ "$first" == *'"(Handle scope)" holds '"$count"' edges'* ]] ||
	fail "the first line after the Findings heading is not the (Handle scope) finding: '$first'"

# Build and drive the addon.
command -v g++ >/dev/null || skip "g++ is not installed (needed to build the example addon)"
[ -f /usr/include/node/node.h ] || skip "Node.js headers (/usr/include/node) are not installed"
make -s -C "$ex" >"$TEST_TMP/make.log" 2>&1 || fail "cannot build the example: $(tail -5 "$TEST_TMP/make.log")"
for variant in buggy fixed; do
	node "$ex/drive.js" --variant "$variant" --calls 20000 --out "$TEST_TMP/$variant" >"$TEST_TMP/drive.log" 2>&1 ||
		fail "drive.js --variant $variant failed: $(tail -5 "$TEST_TMP/drive.log")"
	snap="$TEST_TMP/$variant/$variant-000020000.heapsnapshot"
	[ -s "$snap" ] || fail "drive.js wrote no $snap"
	expect_status 0 "$LEAKHOUND" summary --json "$snap"
	cp "$TEST_TMP/out" "$TEST_TMP/$variant.json"
	check_json "$snap" "$TEST_TMP/$variant.json" "$variant" || fail "$variant run"
	expect_status 0 "$LEAKHOUND" summary "$snap"
	if [ "$variant" = buggy ]; then
		sed -n '/^Findings/{n;p;q}' "$TEST_TMP/out" | grep -qF '"(Handle scope)"' || fail "buggy: text report does not lead with it"
	else
		grep -q '^Findings: none' "$TEST_TMP/out" || fail "fixed: the text report has findings"
	fi
done
