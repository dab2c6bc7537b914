/*
 * trace_html.c - see trace_html.h. The page's frame, data blocks and
 * drawing helpers are html_page.c's; this file adds the trace's series and
 * stacks, and the script that lays them out.
 */
#include "trace_html.h"

#include "html_page.h"
#include "json_writer.h"
#include "profile_export.h"

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

/* The renderer: reads the two data blocks, draws, and marks every number with data-value. */
static const char page_script[] =
	"const R = data('report'), S = data('series');\n"
	"function siteName(s) { if (!s.site) return s.stack_table_full ? '(stack table full)' : '(no stack)';"
	" const f = s.site; return (f.function || (f.module || '?') + '+' + f.module_offset) + (f.file ? ' (' + f.file + ':' + f.line + ')' : ''); }\n"
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
	"const secs = S.t_s[S.t_s.length - 1].toFixed(2) + ' s';\n"
	"chart('timeline', 'Live memory over time', S.t_s, secs, [S.live_bytes], null, bytes);\n"
	"chart('growth', 'Live bytes of the top sites over time', S.t_s, secs, S.sites, R.sites.slice(0, S.sites.length).map(siteName), bytes);\n"
	"icicle('icicle', 'Live memory at the end by call stack (icicle: outermost frame on top; width is bytes)', S.stacks);\n"
	"icicle('growth-icicle', 'Growth over the run by call stack (live at the end minus at the start, where it grew)', S.growth_stacks);\n"
	"sitesTable();\n";

static void fill_report(FILE *mem, const void *ctx)
{
	trace_print_json(mem, ctx);
}

static void fill_series(FILE *mem, const void *ctx)
{
	const struct trace_report *r = ctx;
	struct json_writer w;
	jw_document_begin(&w, mem);
	write_timeline(&w, r->trace);
	write_site_series(&w, r);
	write_stacks(&w, r, "stacks", false);
	write_stacks(&w, r, "growth_stacks", true);
	jw_object_end(&w);
}

void trace_print_html(FILE *out, const struct trace_report *r)
{
	html_page_begin(out, "leakhound report");
	html_json_document(out, "report", fill_report, r);
	html_json_document(out, "series", fill_series, r);
	html_page_end(out, page_script);
}
