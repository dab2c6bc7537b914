/*
 * series_html.c - `check --html` and `trend --html`: a series of heap
 * snapshots as one self-contained page (html_page.c's frame and helpers).
 *
 * The page embeds the commands' own --json documents unchanged and draws
 * only from them: block "trend" is trend --json (growth series of the
 * total, GC roots and the top classes; leak candidate groups), and check's
 * page adds block "check", check --json (findings in plain words with
 * their retainer paths and, for holder groups, the objects each interval
 * left behind). So every number in the page is one --json prints.
 */
#include "html_page.h"
#include "trend_report.h"

struct series_page {
	const struct trend *t;
	const struct leak_findings *findings; /* NULL for trend's page */
	size_t top;
};

static const char page_script[] =
	"const T = data('trend'), C = document.getElementById('check') ? data('check') : null;\n"
	"const snaps = T.snapshots.map((s, i) => i + 1), last = 'snapshot ' + snaps.length;\n"
	"function header() {\n"
	"  app.append(el('h1', {}, 'leakhound ' + (C ? 'check' : 'trend') + ' over ' + T.snapshots.length + ' snapshots'));\n"
	"  app.append(el('p', {}, T.snapshots[0].file + ' ... ' + T.snapshots[T.snapshots.length - 1].file));\n"
	"  const f = el('div', { class: 'facts' }), s = T.snapshots;\n"
	"  f.append(fact('first-size', 'Heap at first', s[0].self_size, bytes(s[0].self_size)),\n"
	"    fact('last-size', 'Heap at last', s[s.length - 1].self_size, bytes(s[s.length - 1].self_size)),\n"
	"    fact('last-nodes', 'Objects at last', s[s.length - 1].nodes, count(s[s.length - 1].nodes)),\n"
	"    fact('leak-candidates', 'Leak candidates', T.leak_candidates, count(T.leak_candidates)));\n"
	"  if (C) f.append(fact('verdict', 'Verdict', C.findings.length, C.leak_suspected ? 'a leak is suspected' : 'no leak suspected'));\n"
	"  app.append(f);\n"
	"}\n"
	"function findings() {\n"
	"  app.append(el('h2', {}, C.findings.length ? 'Findings' : 'No finding: nothing grew in every interval past its threshold'));\n"
	"  C.findings.forEach((x, i) => { const d = el('div', { class: 'finding', 'data-finding': i, 'data-id': x.id, 'data-growth': x.growth });\n"
	"    d.append(el('b', {}, '[' + (i + 1) + '] ' + x.title));\n"
	"    d.append(el('p', {}, 'Confidence: ' + x.confidence + ' (' + x.confidence_reason + ')'));\n"
	"    d.append(el('p', {}, 'Evidence: ' + x.evidence));\n"
	"    if (x.contents) d.append(el('p', {}, 'Holding: ' + x.contents));\n"
	"    if (x.retainer_path) { const p = el('p', {}, 'A sample, @' + x.sample_id + ', is retained by: ');\n"
	"      p.append(el('span', { class: 'path', 'data-sample': x.sample_id }, x.retainer_path)); d.append(p); }\n"
	"    d.append(el('p', {}, x.explanation)); app.append(d); });\n"
	"  const groups = C.findings.filter(x => x.survivors_per_interval), upto = a => a.map((v, k) => a.slice(0, k + 1).reduce((p, q) => p + q, 0));\n"
	"  if (groups.length) chart('groups', 'Holder groups: objects alive at the last snapshot, by the interval that created them (running total)',\n"
	"    groups[0].survivors_per_interval.map((v, k) => k + 1), 'interval ' + groups[0].survivors_per_interval.length,\n"
	"    groups.map(x => upto(x.survivors_per_interval)), groups.map(x => x.class + ' held by ' + x.holder), count);\n"
	"}\n"
	"function lines(id, title, kind, fmt) {\n"
	"  const rows = T.series.filter(s => s.kind === kind).slice(0, 10);\n"
	"  if (rows.length) chart(id, title, snaps, last, rows.map(s => s.values), rows.map(s => s.name), fmt);\n"
	"}\n"
	"function classTable() {\n"
	"  app.append(el('h2', {}, 'Growing series: total, GC roots and classes (click a column to sort)'));\n"
	"  const t = el('table', { id: 'classes' }), h = el('tr');\n"
	"  for (const [n, c] of [['Kind', 'name'], ['Name', 'name'], ['First'], ['Last'], ['Change'], ['Per snapshot'], ['Per second'], ['Grew in']])\n"
	"    h.append(el('th', c ? { class: c } : {}, n));\n"
	"  t.append(el('thead')); t.tHead.append(h); t.append(el('tbody'));\n"
	"  T.series.forEach((s, i) => { const r = el('tr', { 'data-row': i }), size = s.kind === 'class_size' || /size|bytes/.test(s.name) && s.kind === 'total';\n"
	"    const num = (v, text, key) => el('td', { 'data-value': v, 'data-key': key }, text), f = size ? bytes : count;\n"
	"    r.append(el('td', { class: 'name', 'data-key': 'kind' }, s.kind.replace('_', ' ')), el('td', { class: 'name', 'data-key': 'name' }, s.name),\n"
	"      num(s.first, f(s.first), 'first'), num(s.last, f(s.last), 'last'), num(s.last - s.first, f(s.last - s.first), 'change'),\n"
	"      num(s.per_snapshot, f(Math.round(s.per_snapshot)), 'per_snapshot'), num(s.per_second, f(Math.round(s.per_second)), 'per_second'),\n"
	"      num(s.increases, s.increases + ' of ' + s.intervals + ' intervals', 'increases'));\n"
	"    t.tBodies[0].append(r); });\n"
	"  app.append(t); sortable(t);\n"
	"}\n"
	"function candidates() {\n"
	"  app.append(el('h2', {}, 'Leak candidates: objects new in snapshot 2 and alive in every later one, by class'));\n"
	"  const t = el('table', { id: 'candidates' }), h = el('tr');\n"
	"  for (const [n, c] of [['Class', 'name'], ['Objects'], ['Example']]) h.append(el('th', c ? { class: c } : {}, n));\n"
	"  t.append(el('thead')); t.tHead.append(h); t.append(el('tbody'));\n"
	"  T.candidate_groups.forEach(g => { const r = el('tr');\n"
	"    r.append(el('td', { class: 'name', 'data-key': 'class' }, g.class), el('td', { 'data-value': g.count, 'data-key': 'count' }, count(g.count)),\n"
	"      el('td', { 'data-value': g.example_id, 'data-key': 'example_id' }, '@' + g.example_id));\n"
	"    t.tBodies[0].append(r); });\n"
	"  app.append(t); sortable(t);\n"
	"}\n"
	"header();\n"
	"if (C) findings();\n"
	"chart('heap', 'Heap size (self sizes of all objects)', snaps, last, [T.snapshots.map(s => s.self_size)], null, bytes);\n"
	"lines('class-size', 'Top growing classes by bytes', 'class_size', bytes);\n"
	"lines('class-count', 'Top growing classes by objects', 'class_count', count);\n"
	"lines('roots', 'GC root edges', 'gc_root', count);\n"
	"classTable();\n"
	"candidates();\n";

static void fill_trend(FILE *mem, const void *ctx)
{
	const struct series_page *p = ctx;
	trend_print_json(mem, p->t, p->top);
}

static void fill_check(FILE *mem, const void *ctx)
{
	const struct series_page *p = ctx;
	check_print_json(mem, p->t, p->findings);
}

static void print_page(FILE *out, const struct series_page *p)
{
	html_page_begin(out, p->findings ? "leakhound check" : "leakhound trend");
	html_json_document(out, "trend", fill_trend, p);
	if (p->findings)
		html_json_document(out, "check", fill_check, p);
	html_page_end(out, page_script);
}

void trend_print_html(FILE *out, const struct trend *t, size_t top)
{
	print_page(out, &(struct series_page){ t, NULL, top });
}

void check_print_html(FILE *out, const struct trend *t, const struct leak_findings *f, size_t top)
{
	print_page(out, &(struct series_page){ t, f, top });
}
