/*
 * html_page.c - see html_page.h.
 *
 * Data goes in <script type="application/json"> blocks, written into
 * memory and copied with every '<' as \u003c, so no text from the input
 * (a function or class named "</script>") can end the block. The helpers
 * are plain DOM and SVG, no library: they only lay out numbers the data
 * already holds.
 */
#include "html_page.h"

#include "../common/lh.h"

static const char page_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
	"script-src 'unsafe-inline'; img-src data:\">\n"
	"<title>%s</title>\n<style>\n"
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
	".finding{border-left:4px solid #d62728;padding:4px 12px;margin:12px 0;background:#fdf6f6}\n"
	".finding p{margin:4px 0}.path{font-family:monospace;font-size:12px;overflow-wrap:anywhere}\n"
	"</style></head><body>\n<div id=\"app\"></div>\n";

static const char page_helpers[] =
	"'use strict';\n"
	"const app = document.getElementById('app');\n"
	"const NS = 'http://www.w3.org/2000/svg';\n"
	"const COLORS = ['#d62728','#1f77b4','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];\n"
	"function data(id) { return JSON.parse(document.getElementById(id).textContent); }\n"
	"function el(tag, attrs, text) { const e = document.createElement(tag); for (const k in attrs || {}) e.setAttribute(k, attrs[k]);"
	" if (text !== undefined) e.textContent = text; return e; }\n"
	"function svg(tag, attrs) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); return e; }\n"
	"function bytes(v) { const u = ['B','KiB','MiB','GiB','TiB']; let i = 0, x = Math.abs(v);"
	" while (x >= 1024 && i < u.length - 1) { x /= 1024; i++; } return (v < 0 ? '-' : '') + (i ? x.toFixed(x < 10 ? 2 : 1) : x) + ' ' + u[i]; }\n"
	"function count(v) { return Number(v).toLocaleString('en-US'); }\n"
	"function fact(id, label, value, text) { const d = el('div', { class: 'fact' }); d.append(label);"
	" d.append(el('b', { id, 'data-value': value }, text)); return d; }\n"
	"/* Lines of series (arrays of values at xs) in an SVG with the given id; fmt labels the value axis, xlabel the last x. */\n"
	"function chart(id, title, xs, xlabel, series, names, fmt) {\n"
	"  app.append(el('h2', {}, title));\n"
	"  const W = 960, H = 260, L = 80, B = 24, x0 = xs[0], span = Math.max(xs[xs.length - 1] - x0, 1e-9);\n"
	"  let vmax = 1; for (const s of series) for (const v of s) vmax = Math.max(vmax, v);\n"
	"  const g = svg('svg', { id, width: W, height: H, viewBox: `0 0 ${W} ${H}` });\n"
	"  const x = t => L + (W - L - 10) * (t - x0) / span, y = v => H - B - (H - B - 10) * v / vmax;\n"
	"  for (const f of [0, 0.5, 1]) { const lab = svg('text', { x: 4, y: y(vmax * f) + 4, class: 'axis' }); lab.textContent = fmt(vmax * f); g.append(lab);"
	"    g.append(svg('line', { x1: L, x2: W - 10, y1: y(vmax * f), y2: y(vmax * f), stroke: '#e4e4e4' })); }\n"
	"  const tl = svg('text', { x: W - 80, y: H - 6, class: 'axis' }); tl.textContent = xlabel; g.append(tl);\n"
	"  series.forEach((s, i) => { g.append(svg('polyline', { fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 2,\n"
	"    'data-series': i, 'data-values': s.join(' '), 'data-last': s[s.length - 1], points: s.map((v, k) => x(xs[k]).toFixed(1) + ',' + y(v).toFixed(1)).join(' ') })); });\n"
	"  app.append(g);\n"
	"  if (names) { const lg = el('div', { class: 'legend' }); names.forEach((n, i) => { const sp = el('span');"
	" const sw = el('i'); sw.style.background = COLORS[i % COLORS.length]; sp.append(sw, '#' + (i + 1) + ' ' + n); lg.append(sp); }); app.append(lg); }\n"
	"}\n"
	"/* Clicking a header sorts the rows on that column: on data-value where a cell has one, else on its text. */\n"
	"function sortable(table) {\n"
	"  table.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {\n"
	"    const rows = [...table.tBodies[0].rows], asc = th.dataset.order !== 'asc';\n"
	"    table.querySelectorAll('th').forEach(h => delete h.dataset.order); th.dataset.order = asc ? 'asc' : 'desc';\n"
	"    const key = r => { const c = r.cells[col]; return c.dataset.value !== undefined ? Number(c.dataset.value) : c.textContent; };\n"
	"    rows.sort((a, b) => { const p = key(a), q = key(b); return (p < q ? -1 : p > q ? 1 : 0) * (asc ? 1 : -1); });\n"
	"    table.tBodies[0].append(...rows); }));\n"
	"}\n";

void html_page_begin(FILE *out, const char *title)
{
	fprintf(out, page_head, title);
}

void html_json_document(FILE *out, const char *id, void (*fill)(FILE *mem, const void *ctx), const void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		lh_out_of_memory(0);
	fill(mem, ctx);
	fclose(mem);
	fprintf(out, "<script id=\"%s\" type=\"application/json\">", id);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '<')
			fputs("\\u003c", out);
		else
			fputc(buf[i], out);
	}
	fputs("</script>\n", out);
	free(buf);
}

void html_page_end(FILE *out, const char *script)
{
	fputs("<script>\n", out);
	fputs(page_helpers, out);
	fputs(script, out);
	fputs("document.body.dataset.ready = '1';\n</script>\n</body></html>\n", out);
}
