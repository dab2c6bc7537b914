/*
 * trace_html.c - see trace_html.h.
 *
 * The data goes in <script type="application/json"> blocks, written with
 * the JSON writer into memory and copied with every '<' as \u003c, so no
 * text from the trace (a function named "</script>") can end the block.
 * The script is plain DOM and SVG, no library: it only lays out numbers
 * the data already holds, and writes each one into a data-value
 * attribute beside its human form, which the tests read back.
 */
#include "trace_html.h"

#include "json_writer.h"
#include "profile_export.h"

/* Copies a JSON document into the page, '<' escaped. */
static void put_json_block(FILE *out, const char *id, const char *json, size_t len)
{
	fprintf(out, "<script id=\"%s\" type=\"application/json\">", id);
	for (size_t i = 0; i < len; i++) {
		if (json[i] == '<')
			fputs("\\u003c", out);
		else
			fputc(json[i], out);
	}
	fputs("</script>\n", out);
}

static void write_timeline(struct json_writer *w, const struct trace *t)
{
	jw_key(w, "t_s");
	jw_array_begin(w);
	for (size_t i = 0; i < t->snapshot_count; i++)
		jw_double(w, (double)t->snapshots[i].time_ns / 1e9);
	jw_array_end(w);
	jw_key(w, "live_bytes");
	jw_array_begin(w);
	for (size_t i = 0; i < t->snapshot_count; i++)
		jw_uint(w, t->snapshots[i].live_bytes);
	jw_array_end(w);
}

/* Each shown site's live bytes at every snapshot: the sum over all of its stacks. */
static void write_site_series(struct json_writer *w, const struct trace_report *r)
{
	const struct trace *t = r->trace;
	int64_t *sum = lh_calloc(LH_MAX(t->snapshot_count, 1), sizeof(*sum));
	size_t count;
	const struct growth_site **sites = trace_shown_sites(r, &count);
	jw_key(w, "sites");
	jw_array_begin(w);
	for (size_t i = 0; i < count; i++) {
		const struct growth_site *s = sites[i];
		memset(sum, 0, t->snapshot_count * sizeof(*sum));
		for (size_t k = 0; k < s->stack_count; k++) {
			size_t cursor = 0;
			for (uint32_t snap = 0; snap < t->snapshot_count; snap++)
				sum[snap] += trace_stack_at(t, s->stacks[k].id, snap, &cursor).live_bytes;
		}
		jw_array_begin(w);
		for (size_t snap = 0; snap < t->snapshot_count; snap++)
			jw_int(w, sum[snap]);
		jw_array_end(w);
	}
	jw_array_end(w);
	free(sites);
	free(sum);
}

struct live_stack {
	uint32_t id;
	int64_t bytes;
};

static int by_bytes(const void *a, const void *b)
{
	const struct live_stack *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * The stacks with memory to draw, frames outermost first, largest first (the
 * rest summed): key "stacks", live bytes at the end; key "growth_stacks",
 * live bytes at the end minus at the first snapshot (growth over the run).
 */
static void write_stacks(struct json_writer *w, const struct trace_report *r, const char *key, bool growth)
{
	const struct trace *t = r->trace;
	struct live_stack *live = lh_malloc(LH_MAX(t->stack_count, 1) * sizeof(*live));
	size_t n = 0;
	for (uint32_t id = 0; id < t->stack_count; id++) {
		const struct trace_stack *st = &t->stacks[id];
		if (!st->sample_count)
			continue;
		size_t cursor = 0;
		int64_t v = st->samples[st->sample_count - 1].live_bytes -
			    (growth ? trace_stack_at(t, id, 0, &cursor).live_bytes : 0);
		if (v > 0)
			live[n++] = (struct live_stack){ id, v };
	}
	if (n)
		qsort(live, n, sizeof(*live), by_bytes);
	char name[1100];
	int64_t other = 0;
	jw_key(w, key);
	jw_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		if (i >= TRACE_HTML_MAX_STACKS) {
			other += live[i].bytes;
			continue;
		}
		const struct trace_stack *st = &t->stacks[live[i].id];
		jw_object_begin(w);
		jw_key_int(w, "bytes", live[i].bytes);
		jw_key(w, "frames");
		jw_array_begin(w);
		if (st->frame_count == 0)
			jw_string(w, live[i].id == 0 ? "(stack table full)" : "(no stack)");
		for (uint32_t k = st->frame_count; k-- > 0;) {
			profile_frame_name(name, sizeof(name), symbolizer_lookup(r->sym, st->frames[k]));
			jw_string(w, name);
		}
		jw_array_end(w);
		jw_object_end(w);
	}
	if (other) {
		jw_object_begin(w);
		jw_key_int(w, "bytes", other);
		jw_key(w, "frames");
		jw_array_begin(w);
		jw_string(w, "(other stacks)");
		jw_array_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
	free(live);
}

static const char page_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
	"script-src 'unsafe-inline'; img-src data:\">\n"
	"<title>leakhound report</title>\n<style>\n"
	"body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n"
	".facts{display:flex;gap:28px;flex-wrap:wrap}.fact b{display:block;font-size:20px}\n"
	"svg{background:#fafafa;border:1px solid #ddd}.axis{font-size:11px;fill:#666}\n"
	"table{border-collapse:collapse;margin-top:8px}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}\n"
	"th{cursor:pointer;background:#f3f3f3;user-select:none}td.name,th.name{text-align:left;max-width:640px;overflow-wrap:anywhere}\n"
	".icicle{position:relative;border:1px solid #ddd;overflow:hidden}\n"
	".icicle div{position:absolute;height:17px;font-size:11px;line-height:17px;overflow:hidden;white-space:nowrap;"
	"box-sizing:border-box;border:1px solid #fff;padding:0 3px;cursor:default}\n"
	".legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:3px;"
	"margin-right:4px;vertical-align:middle}\n"
	"</style></head><body>\n<div id=\"app\"></div>\n";

/* The renderer: reads the two data blocks, draws, and marks every number with data-value. */
static const char page_script[] =
	"<script>\n"
	"'use strict';\n"
	"const R = JSON.parse(document.getElementById('report').textContent);\n"
	"const S = JSON.parse(document.getElementById('series').textContent);\n"
	"const app = document.getElementById('app');\n"
	"const NS = 'http://www.w3.org/2000/svg';\n"
	"const COLORS = ['#d62728','#1f77b4','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];\n"
	"function el(tag, attrs, text) { const e = document.createElement(tag); for (const k in attrs || {}) e.setAttribute(k, attrs[k]);"
	" if (text !== undefined) e.textContent = text; return e; }\n"
	"function svg(tag, attrs) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); return e; }\n"
	"function bytes(v) { const u = ['B','KiB','MiB','GiB','TiB']; let i = 0, x = Math.abs(v);"
	" while (x >= 1024 && i < u.length - 1) { x /= 1024; i++; } return (v < 0 ? '-' : '') + (i ? x.toFixed(x < 10 ? 2 : 1) : x) + ' ' + u[i]; }\n"
	"function count(v) { return Number(v).toLocaleString('en-US'); }\n"
	"function siteName(s) { if (!s.site) return s.stack_table_full ? '(stack table full)' : '(no stack)';"
	" const f = s.site; return (f.function || (f.module || '?') + '+' + f.module_offset) + (f.file ? ' (' + f.file + ':' + f.line + ')' : ''); }\n"
	"function fact(id, label, value, text) { const d = el('div', { class: 'fact' }); d.append(label);"
	" d.append(el('b', { id, 'data-value': value }, text)); return d; }\n"
	"function header() {\n"
	"  app.append(el('h1', {}, 'leakhound report: ' + R.file));\n"
	"  app.append(el('p', {}, 'pid ' + R.pid + ', ' + R.duration_s.toFixed(2) + ' s, ' + R.snapshots + ' snapshots; ' +\n"
	"    (R.complete ? 'complete: the program exited normally' : 'INCOMPLETE: the program did not exit normally') +\n"
	"    (R.estimates ? '; ESTIMATES (sampled)' : '')));\n"
	"  const f = el('div', { class: 'facts' });\n"
	"  f.append(fact('live-bytes', 'Live at end', R.live_bytes, bytes(R.live_bytes)), fact('live-blocks', 'Blocks at end', R.live_blocks, count(R.live_blocks)),\n"
	"    fact('peak-bytes', 'Peak', R.peak_bytes, bytes(R.peak_bytes)), fact('allocations', 'Allocations', R.allocations, count(R.allocations)),\n"
	"    fact('frees', 'Frees', R.frees, count(R.frees)), fact('site-count', 'Sites', R.site_count, count(R.site_count)));\n"
	"  app.append(f);\n"
	"}\n"
	"function chart(id, title, series, names) {\n"
	"  app.append(el('h2', {}, title));\n"
	"  const W = 960, H = 260, L = 80, B = 24, T = S.t_s, tmax = Math.max(T[T.length - 1], 1e-9);\n"
	"  let vmax = 1; for (const s of series) for (const v of s) vmax = Math.max(vmax, v);\n"
	"  const g = svg('svg', { id, width: W, height: H, viewBox: `0 0 ${W} ${H}` });\n"
	"  const x = t => L + (W - L - 10) * t / tmax, y = v => H - B - (H - B - 10) * v / vmax;\n"
	"  for (const f of [0, 0.5, 1]) { const lab = svg('text', { x: 4, y: y(vmax * f) + 4, class: 'axis' }); lab.textContent = bytes(vmax * f); g.append(lab);"
	"    g.append(svg('line', { x1: L, x2: W - 10, y1: y(vmax * f), y2: y(vmax * f), stroke: '#e4e4e4' })); }\n"
	"  const tl = svg('text', { x: W - 60, y: H - 6, class: 'axis' }); tl.textContent = tmax.toFixed(2) + ' s'; g.append(tl);\n"
	"  series.forEach((s, i) => { g.append(svg('polyline', { fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 2,\n"
	"    'data-series': i, 'data-last': s[s.length - 1], points: s.map((v, k) => x(T[k]).toFixed(1) + ',' + y(v).toFixed(1)).join(' ') })); });\n"
	"  app.append(g);\n"
	"  if (names) { const lg = el('div', { class: 'legend' }); names.forEach((n, i) => { const sp = el('span');"
	" const sw = el('i'); sw.style.background = COLORS[i % COLORS.length]; sp.append(sw, '#' + (i + 1) + ' ' + n); lg.append(sp); }); app.append(lg); }\n"
	"}\n"
	"function sortable(table) {\n"
	"  table.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {\n"
	"    const rows = [...table.tBodies[0].rows], asc = th.dataset.order !== 'asc';\n"
	"    table.querySelectorAll('th').forEach(h => delete h.dataset.order); th.dataset.order = asc ? 'asc' : 'desc';\n"
	"    const key = r => { const c = r.cells[col]; return c.dataset.value !== undefined ? Number(c.dataset.value) : c.textContent; };\n"
	"    rows.sort((a, b) => { const p = key(a), q = key(b); return (p < q ? -1 : p > q ? 1 : 0) * (asc ? 1 : -1); });\n"
	"    table.tBodies[0].append(...rows); }));\n"
	"}\n"
	"function sitesTable() {\n"
	"  app.append(el('h2', {}, 'Allocation sites ranked by growth (' + R.sites.length + ' of ' + R.site_count + '; click a column to sort)'));\n"
	"  const t = el('table', { id: 'sites' }), h = el('tr');\n"
	"  for (const [n, c] of [['#'], ['Site', 'name'], ['Growth/s'], ['Live B at end'], ['Blocks'], ['At peak'], ['Allocations'], ['Allocated B'], ['Temporary'], ['Trend']])\n"
	"    h.append(el('th', c ? { class: c } : {}, n));\n"
	"  t.append(el('thead')); t.tHead.append(h); t.append(el('tbody'));\n"
	"  R.sites.forEach((s, i) => { const r = el('tr', { 'data-rank': i + 1 });\n"
	"    const num = (v, text, key) => el('td', { 'data-value': v, 'data-key': key }, text);\n"
	"    r.append(num(i + 1, String(i + 1), 'rank'), el('td', { class: 'name', 'data-key': 'site' }, siteName(s)),\n"
	"      num(s.growth_bytes_per_s, bytes(s.growth_bytes_per_s) + '/s', 'growth_bytes_per_s'), num(s.live_bytes, count(s.live_bytes), 'live_bytes'),\n"
	"      num(s.live_blocks, count(s.live_blocks), 'live_blocks'), num(s.peak_bytes, bytes(s.peak_bytes), 'peak_bytes'),\n"
	"      num(s.allocations, count(s.allocations), 'allocations'), num(s.allocated_bytes, count(s.allocated_bytes), 'allocated_bytes'),\n"
	"      num(s.temporary_allocations, count(s.temporary_allocations), 'temporary_allocations'), el('td', { 'data-key': 'trend' }, s.trend || ''));\n"
	"    t.tBodies[0].append(r); });\n"
	"  app.append(t); sortable(t);\n"
	"}\n"
	"function icicle(id, title, stacks) {\n"
	"  app.append(el('h2', {}, title));\n"
	"  const root = { name: 'all', bytes: 0, kids: new Map() };\n"
	"  for (const s of stacks) { root.bytes += s.bytes; let n = root;\n"
	"    for (const f of s.frames) { let k = n.kids.get(f); if (!k) { k = { name: f, bytes: 0, kids: new Map() }; n.kids.set(f, k); } k.bytes += s.bytes; n = k; } }\n"
	"  const W = 1200, box = el('div', { id, class: 'icicle' }); let depth = 0;\n"
	"  box.style.width = W + 'px';\n"
	"  (function draw(n, x, d) { const w = root.bytes ? W * n.bytes / root.bytes : W; if (w < 0.5) return; depth = Math.max(depth, d);\n"
	"    const b = el('div', { 'data-bytes': n.bytes, 'data-depth': d, title: n.name + ': ' + bytes(n.bytes) + ' (' + count(n.bytes) + ' B)' }, n.name);\n"
	"    if (d === 0) b.id = id + '-root';\n"
	"    b.style.left = x + 'px'; b.style.top = d * 18 + 'px'; b.style.width = w + 'px';\n"
	"    b.style.background = d ? `hsl(${(n.name.length * 37 + d * 13) % 60 + 10},80%,${62 + d % 3 * 6}%)` : '#ccc'; box.append(b);\n"
	"    let cx = x; for (const k of [...n.kids.values()].sort((p, q) => q.bytes - p.bytes)) { draw(k, cx, d + 1); cx += root.bytes ? W * k.bytes / root.bytes : 0; }\n"
	"  })(root, 0, 0);\n"
	"  box.style.height = (depth + 1) * 18 + 'px'; app.append(box);\n"
	"}\n"
	"header();\n"
	"chart('timeline', 'Live memory over time', [S.live_bytes]);\n"
	"chart('growth', 'Live bytes of the top sites over time', S.sites, R.sites.slice(0, S.sites.length).map(siteName));\n"
	"icicle('icicle', 'Live memory at the end by call stack (icicle: outermost frame on top; width is bytes)', S.stacks);\n"
	"icicle('growth-icicle', 'Growth over the run by call stack (live at the end minus at the start, where it grew)', S.growth_stacks);\n"
	"sitesTable();\n"
	"document.body.dataset.ready = '1';\n"
	"</script>\n</body></html>\n";

/* Writes a JSON document made by fill() into the page, as block id. */
static void put_document(FILE *out, const char *id, const struct trace_report *r, bool report)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		lh_out_of_memory(0);
	if (report) {
		trace_print_json(mem, r);
	} else {
		struct json_writer w;
		jw_document_begin(&w, mem);
		write_timeline(&w, r->trace);
		write_site_series(&w, r);
		write_stacks(&w, r, "stacks", false);
		write_stacks(&w, r, "growth_stacks", true);
		jw_object_end(&w);
	}
	fclose(mem);
	put_json_block(out, id, buf, len);
	free(buf);
}

void trace_print_html(FILE *out, const struct trace_report *r)
{
	fputs(page_head, out);
	put_document(out, "report", r, true);
	put_document(out, "series", r, false);
	fputs(page_script, out);
}
