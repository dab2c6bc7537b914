#!/usr/bin/env bash
# t3080: check --html and trend --html, loaded in headless Chromium, on a
# series of 5 snapshots of a program that leaks 100 Sessions per interval
# into a secondary index (Map byToken; tests/e2e/leak-shapes.js, which says
# what it leaks). The pages' scripts run, and the DOM they build holds the
# --json numbers: the heap facts, every finding (its id, growth and
# retainer path, which names the program's class and holder), the holder
# group's line (the running total of its survivors per interval), every
# class line of trend --json (one point per snapshot, each value equal),
# and every row of the sortable series table. check --html keeps check's
# exit status (1) and trend's page has no findings. The pages load nothing
# (no src or href, no URL but the SVG namespace, a Content-Security-Policy
# of default-src 'none'). --html with --json, and diff --html, are usage
# errors (3); a bad snapshot is exit 2 and writes no page. A screenshot is
# kept in $LEAKHOUND_SCREENSHOT_DIR when set.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node is not installed"
chromium=${CHROMIUM:-chromium}
command -v "$chromium" >/dev/null || skip "chromium is not installed (scripts/setup-deps.sh --tests installs it)"
. "$(dirname "$0")/lib-shapes.sh"
run_shapes index:0.01:5
series_of "$(head -1 "$TEST_TMP/series.jsonl")"
cd "$TEST_TMP"

expect_status 1 "$LEAKHOUND" check --json "${files[@]}"
cp out check.json
expect_status 0 "$LEAKHOUND" trend --json --top 8 "${files[@]}"
cp out trend.json
expect_status 1 "$LEAKHOUND" check --html check.html --top 8 "${files[@]}"
[ ! -s out ] || fail "check --html wrote to stdout"
expect_status 0 "$LEAKHOUND" trend --html trend.html --top 8 "${files[@]}"
for page in check.html trend.html; do
	! grep -qiE '(src|href)=' $page || fail "$page refers to other files: $(grep -oiE '(src|href)=[^ >]*' $page | head -3)"
	! grep -oiE '[a-z]+://[^"'"'"' ]*' $page | grep -v '^http://www.w3.org/2000/svg$' | grep -q . ||
		fail "$page names a URL: $(grep -oiE '[a-z]+://[^"'"'"' ]*' $page | grep -v 'w3.org/2000/svg' | head -3)"
	grep -q "default-src 'none'" $page || fail "$page has no Content-Security-Policy"
done

browse() {
	local profile
	profile=$(mktemp -d "$TEST_TMP/chromium.XXXXXX")
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
		--user-data-dir="$profile" "$@" 2>>chromium.log
}
for p in check trend; do
	browse --virtual-time-budget=10000 --dump-dom "file://$TEST_TMP/$p.html" >$p.dom || fail "chromium failed: $(tail -5 chromium.log)"
	grep -q 'data-ready="1"' $p.dom || fail "$p.html's script did not finish: $(tail -5 chromium.log)"
done
browse --hide-scrollbars --window-size=1200,900 --screenshot="$TEST_TMP/check.png" "file://$TEST_TMP/check.html" ||
	fail "no screenshot: $(tail -5 chromium.log)"
[ "$(stat -c %s check.png)" -gt 20000 ] || fail "the screenshot is nearly empty"
[ -z "${LEAKHOUND_SCREENSHOT_DIR:-}" ] || cp check.png "$LEAKHOUND_SCREENSHOT_DIR/t3080-check.png"

node - "$TEST_TMP" "$(head -1 series.jsonl)" <<'JS' || fail "the pages' numbers differ from --json"
const fs = require('fs'), dir = process.argv[2], program = JSON.parse(process.argv[3]);
const C = JSON.parse(fs.readFileSync(dir + '/check.json', 'utf8')), T = JSON.parse(fs.readFileSync(dir + '/trend.json', 'utf8'));
const text = s => s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const bad = [];
for (const page of ['check', 'trend']) {
	const dom = fs.readFileSync(`${dir}/${page}.dom`, 'utf8');
	const fact = id => Number((dom.match(new RegExp(`id="${id}" data-value="([^"]*)"`)) || [])[1]);
	const s = T.snapshots;
	for (const [id, want] of [['first-size', s[0].self_size], ['last-size', s[s.length - 1].self_size],
		['last-nodes', s[s.length - 1].nodes], ['leak-candidates', T.leak_candidates]])
		if (fact(id) !== want) bad.push(`${page} #${id}: ${fact(id)}, --json ${want}`);
	// Every class line: the values of trend --json's series, one per snapshot.
	const svgOf = id => (dom.match(new RegExp(`<svg id="${id}"[^]*?</svg>`)) || [''])[0];
	const linesOf = id => [...svgOf(id).matchAll(/<polyline[^>]*data-values="([^"]*)"[^>]*points="([^"]*)"/g)];
	for (const [id, kind] of [['class-size', 'class_size'], ['class-count', 'class_count']]) {
		const want = T.series.filter(x => x.kind === kind), got = linesOf(id);
		if (!want.length || got.length !== want.length) bad.push(`${page} ${id}: ${got.length} lines, --json ${want.length}`);
		want.forEach((x, i) => {
			if (!got[i] || got[i][1] !== x.values.join(' ')) bad.push(`${page} ${id} line ${i} (${x.name}): ${got[i] && got[i][1]}, --json ${x.values}`);
			if (got[i] && got[i][2].trim().split(' ').length !== s.length) bad.push(`${page} ${id} line ${i}: not one point per snapshot`);
		});
	}
	// The series table: a row per --json series, in its order, every number equal.
	const rows = [...dom.matchAll(/<tr data-row="(\d+)">(.*?)<\/tr>/g)];
	if (rows.length !== T.series.length) bad.push(`${page}: ${rows.length} table rows, --json ${T.series.length} series`);
	rows.forEach((row, i) => {
		const cells = Object.fromEntries([...row[2].matchAll(/data-value="([^"]*)" data-key="([^"]*)"/g)].map(m => [m[2], Number(m[1])]));
		const x = T.series[i], name = (row[2].match(/data-key="name">([^<]*)</) || [])[1];
		if (text(name || '') !== x.name) bad.push(`${page} row ${i}: name ${name}, --json ${x.name}`);
		for (const k of ['first', 'last', 'per_snapshot', 'per_second', 'increases'])
			if (cells[k] !== x[k]) bad.push(`${page} row ${i} ${k}: ${cells[k]}, --json ${x[k]}`);
		if (cells.change !== x.last - x.first) bad.push(`${page} row ${i} change: ${cells.change}`);
	});
	const findings = [...dom.matchAll(/<div class="finding" data-finding="(\d+)" data-id="([^"]*)" data-growth="([^"]*)">(.*?)<\/div>/g)];
	if (page === 'trend') {
		if (findings.length || /id="verdict"/.test(dom)) bad.push('trend page has findings');
		continue;
	}
	if (fact('verdict') !== C.findings.length) bad.push(`verdict ${fact('verdict')}, --json ${C.findings.length} findings`);
	if (findings.length !== C.findings.length || !findings.length) bad.push(`${findings.length} findings, --json ${C.findings.length}`);
	findings.forEach((f, i) => {
		const x = C.findings[i];
		if (f[2] !== x.id || Number(f[3]) !== x.growth) bad.push(`finding ${i}: ${f[2]} ${f[3]}, --json ${x.id} ${x.growth}`);
		if (!text(f[4]).includes(x.title)) bad.push(`finding ${i} has not its title ${x.title}`);
		const path = f[4].match(/<span class="path" data-sample="(\d+)">([^]*?)<\/span>/);
		if (x.retainer_path && (!path || text(path[2]) !== x.retainer_path || Number(path[1]) !== x.sample_id))
			bad.push(`finding ${i} path: ${path && text(path[2])}, --json ${x.retainer_path}`);
	});
	// The program's own word: the first finding is its class, and its holder is on the page's path.
	const first = findings[0] ? text(findings[0][4]) : '';
	if (!first.includes(program.class) || !program.holder.split('|').some(h => first.includes(h)))
		bad.push(`first finding does not name ${program.class} held by ${program.holder}: ${first.slice(0, 200)}`);
	const groups = C.findings.filter(x => x.survivors_per_interval), got = linesOf('groups');
	if (!groups.length || got.length !== groups.length) bad.push(`groups chart: ${got.length} lines, --json ${groups.length} groups`);
	groups.forEach((x, i) => {
		let sum = 0; const want = x.survivors_per_interval.map(v => (sum += v)).join(' ');
		if (!got[i] || got[i][1] !== want) bad.push(`group ${i} line ${got[i] && got[i][1]}, running total of --json ${want}`);
	});
}
if (bad.length) { console.log(bad.join('\n')); process.exit(1); }
JS

expect_status 3 "$LEAKHOUND" check --html x.html --json "${files[@]}"
expect_status 3 "$LEAKHOUND" diff --html x.html "${files[0]}" "${files[1]}"
head -c 5000 "${files[0]}" >cut.heapsnapshot
expect_status 2 "$LEAKHOUND" trend --html x.html cut.heapsnapshot "${files[1]}"
[ ! -e x.html ] || fail "a page was written for bad input"
exit 0
