#!/usr/bin/env bash
# t4070: node running a native addon (built here against /usr/include/node)
# that leaks 1000 bytes per call. `leakhound run` + `report`: the top site is
# the addon's source line (the LEAK-SITE marker) with exactly calls x 1000
# bytes live at the end; with --js-frames a stack beneath it names the JS
# function that called the addon (from node's perf map), and without it no
# frame does.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
[ -f /usr/include/node/node_api.h ] || skip "no Node.js headers in /usr/include/node"
src="$LEAKHOUND_ROOT/tests/native/leak_addon.c"
gcc -O1 -g -fPIC -shared -I/usr/include/node -o "$TEST_TMP/leak_addon.node" "$src" || fail "the addon does not build"
line=$(grep -n '/\* LEAK-SITE \*/' "$src" | cut -d: -f1)
cat >"$TEST_TMP/app.js" <<'JS'
const addon = require(process.argv[2]);
function leakyCall(n) { for (let i = 0; i < n; i++) addon.leak(); }
for (let round = 0; round < 20; round++) {
  leakyCall(500);
  const until = Date.now() + 15;
  while (Date.now() < until);
}
JS
calls=$((20 * 500))

for mode in js plain; do
	flags=()
	[ "$mode" = js ] && flags=(--js-frames)
	(cd "$TEST_TMP" && "$LEAKHOUND" run --quiet --interval 50ms "${flags[@]}" -o "$TEST_TMP/$mode.lhtrace" -- \
		node "$TEST_TMP/app.js" "$TEST_TMP/leak_addon.node") || fail "leakhound run failed ($mode)"
	expect_status 0 "$LEAKHOUND" report --json --top 5 --stacks 50 "$TEST_TMP/$mode.lhtrace"
	cp "$TEST_TMP/out" "$TEST_TMP/$mode.json"
done

node -e '
const fs = require("fs");
const [dir, line, calls] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const bad = [];
const namesJs = (site) => site.stacks.some((st) => st.frames.some((f) => /leakyCall/.test(f.function || "")));
for (const mode of ["js", "plain"]) {
  const r = JSON.parse(fs.readFileSync(`${dir}/${mode}.json`, "utf8"));
  const top = r.sites[0];
  if (!top) { bad.push(`${mode}: no site`); continue; }
  if (!/leak_addon\.c$/.test(top.site.file || "") || top.site.line !== line)
    bad.push(`${mode}: the top site is ${top.site.function} ${top.site.file}:${top.site.line}, expected leak_addon.c:${line}`);
  if (top.live_bytes !== calls * 1000) bad.push(`${mode}: ${top.live_bytes} bytes live at the site, expected ${calls * 1000}`);
  if (top.site.function !== "leak") bad.push(`${mode}: the site function is ${top.site.function}`);
  if (mode === "js" && !namesJs(top)) bad.push("js: no stack of the site names the JS caller leakyCall");
  if (mode === "plain" && namesJs(top)) bad.push("plain: a JS frame is named without --js-frames");
}
if (bad.length) { console.error(bad.join("\n")); process.exit(1); }' "$TEST_TMP" "$line" "$calls" || fail "node addon leak"
