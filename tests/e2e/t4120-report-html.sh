#!/usr/bin/env bash
# t4120: report --html, loaded in headless Chromium. A program leaks 150
# blocks of 100 bytes at a known line over ~0.5 s; the page's script runs
# (no error), and the DOM it builds holds report --json's numbers: the
# totals, every row of the sites table, the timeline (one point per
# snapshot, ending at the live bytes), the top site's growth line, and the
# icicle graphs of live memory and of growth over the run (each root is all
# live bytes; leak_one's box is the 15,000 bytes the program leaked). The page loads nothing from anywhere (no src
# or href, a Content-Security-Policy of default-src 'none'). A screenshot
# is kept in $LEAKHOUND_SCREENSHOT_DIR when set.
. "$(dirname "$0")/lib.sh"
. "$LEAKHOUND_ROOT/tests/native/lib-native.sh"
native_prereqs
chromium=${CHROMIUM:-chromium}
command -v "$chromium" >/dev/null || skip "chromium is not installed (scripts/setup-deps.sh --tests installs it)"
build_native leak leak.c
cd "$TEST_TMP"
expect_status 3 "$LEAKHOUND" run -q -o t.lhtrace --interval 20ms -- ./leak 150 3
expect_status 0 "$LEAKHOUND" report --json t.lhtrace
cp "$TEST_TMP/out" report.json
expect_status 0 "$LEAKHOUND" report --html page.html t.lhtrace
[ ! -s "$TEST_TMP/out" ] || fail "--html wrote to stdout"
! grep -qiE '(src|href)=' page.html || fail "the page refers to other files: $(grep -oiE '(src|href)=[^ >]*' page.html | head -3)"
grep -q "default-src 'none'" page.html || fail "no Content-Security-Policy"

browse() {
	local profile
	profile=$(mktemp -d "$TEST_TMP/chromium.XXXXXX")
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
		--user-data-dir="$profile" "$@" "file://$TEST_TMP/page.html" 2>>chromium.log
}
browse --virtual-time-budget=10000 --dump-dom >dom.html || fail "chromium failed: $(tail -5 chromium.log)"
grep -q 'data-ready="1"' dom.html || fail "the page's script did not finish: $(tail -5 chromium.log)"
browse --hide-scrollbars --window-size=1300,1500 --screenshot="$TEST_TMP/page.png" || fail "no screenshot: $(tail -5 chromium.log)"
[ "$(stat -c %s page.png)" -gt 20000 ] || fail "the screenshot is nearly empty"
[ -z "${LEAKHOUND_SCREENSHOT_DIR:-}" ] || cp page.png "$LEAKHOUND_SCREENSHOT_DIR/t4120-report.png"

node - "$TEST_TMP/dom.html" "$TEST_TMP/report.json" <<'JS' || fail "the page's numbers differ from report --json"
const fs = require('fs');
const dom = fs.readFileSync(process.argv[2], 'utf8'), r = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const bad = [];
const attr = (tag, re) => { const m = dom.match(re); return m ? m[1] : undefined; };
for (const [id, key] of [['live-bytes', 'live_bytes'], ['live-blocks', 'live_blocks'], ['peak-bytes', 'peak_bytes'],
	['allocations', 'allocations'], ['frees', 'frees'], ['site-count', 'site_count']]) {
	const v = attr(id, new RegExp(`id="${id}" data-value="(-?[0-9.e+]+)"`));
	if (Number(v) !== r[key]) bad.push(`#${id}: ${v}, --json ${key} ${r[key]}`);
}
// The sites table: one row per site, in --json's order, every number the same.
const rows = [...dom.matchAll(/<tr data-rank="(\d+)">(.*?)<\/tr>/g)];
if (rows.length !== r.sites.length) bad.push(`${rows.length} rows, --json has ${r.sites.length} sites`);
rows.forEach((row, i) => {
	const cells = Object.fromEntries([...row[2].matchAll(/data-value="([^"]*)" data-key="([^"]*)"/g)].map(m => [m[2], Number(m[1])]));
	for (const k of ['live_bytes', 'live_blocks', 'peak_bytes', 'allocations', 'allocated_bytes', 'temporary_allocations', 'growth_bytes_per_s'])
		if (cells[k] !== r.sites[i][k]) bad.push(`row ${i + 1} ${k}: ${cells[k]}, --json ${r.sites[i][k]}`);
});
const leak = r.sites.findIndex(s => s.site && s.site.function === 'leak_one');
if (leak < 0 || r.sites[leak].live_bytes !== 15000) bad.push('--json itself does not have leak_one at 15,000 bytes');
// Timeline: a point per snapshot, ending at the live bytes; the top site's line ends at its live bytes.
const line = (id, n) => dom.match(new RegExp(`<svg id="${id}"[^]*?</svg>`))[0].match(/<polyline[^>]*>/g)[n];
const tl = line('timeline', 0);
if (tl.match(/points="([^"]*)"/)[1].trim().split(' ').length !== r.snapshots) bad.push(`timeline points: ${tl}`);
if (Number(tl.match(/data-last="([^"]*)"/)[1]) !== r.live_bytes) bad.push(`timeline ends at ${tl.match(/data-last="([^"]*)"/)[1]}`);
const g0 = line('growth', 0);
if (Number(g0.match(/data-last="([^"]*)"/)[1]) !== r.sites[0].live_bytes) bad.push(`top site's line ends at ${g0}`);
// Icicle: the root holds all live bytes; leak_one's box its 15,000.
const rootBytes = Number((dom.match(/<div data-bytes="(\d+)" data-depth="0"/) || [])[1]);
if (rootBytes !== r.live_bytes) bad.push(`icicle root ${rootBytes}, --json live_bytes ${r.live_bytes}`);
const leakBox = dom.match(/<div data-bytes="(\d+)" data-depth="\d+" title="leak_one: /);
if (!leakBox || Number(leakBox[1]) !== 15000) bad.push(`icicle leak_one box: ${leakBox && leakBox[1]}`);
// The growth icicle: everything live at the end grew from nothing at the start (the first snapshot is
// taken before main), so its root is the live bytes too, and leak_one grew by its 15,000.
const growth = dom.split('id="growth-icicle"')[1] || '';
const growthRoot = Number((growth.match(/<div data-bytes="(\d+)" data-depth="0"/) || [])[1]);
if (growthRoot !== r.live_bytes) bad.push(`growth icicle root ${growthRoot}, --json live_bytes ${r.live_bytes}`);
const growthLeak = growth.match(/<div data-bytes="(\d+)" data-depth="\d+" title="leak_one: /);
if (!growthLeak || Number(growthLeak[1]) !== 15000) bad.push(`growth icicle leak_one box: ${growthLeak && growthLeak[1]}`);
if (bad.length) { console.log(bad.join('\n')); process.exit(1); }
JS

expect_status 3 "$LEAKHOUND" report --html x.html --json t.lhtrace
expect_status 3 "$LEAKHOUND" report --html x.html --format folded t.lhtrace
exit 0
