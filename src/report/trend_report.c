/*
 * trend_report.c - `leakhound diff`, `trend` and `check` (trend_report.h).
 */
#include "trend_report.h"

#include "../analysis/paths.h"
#include "json_writer.h"
#include "retention_report.h"
#include "summary_report.h"
#include "table.h"
#include "text.h"

/* "+1,234" / "-56" / "0" */
static const char *fmt_signed(char *buf, size_t size, double v)
{
	char digits[28];
	fmt_count(digits, sizeof(digits), (uint64_t)(v < 0 ? -v : v));
	snprintf(buf, size, "%s%s", v > 0 ? "+" : v < 0 ? "-" : "", digits);
	return buf;
}

/* "10 -> 20 -> 30", the values of a series (the middle elided past six). */
static void fmt_series(char *buf, size_t size, const double *v, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 40 < size; i++) {
		if (n > 6 && i == 3) {
			len += (size_t)snprintf(buf + len, size - len, " -> ...");
			i = n - 3;
		}
		char c[32];
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " -> " : "", fmt_count(c, sizeof(c), (uint64_t)v[i]));
	}
}

/* MARK: - diff */

static const struct compare_row **ranked_classes(const struct compare *c, size_t *count)
{
	const struct compare_row **rows = lh_malloc(LH_MAX(c->class_count, 1) * sizeof(*rows));
	size_t n = 0;
	for (size_t i = 0; i < c->class_count; i++) {
		const struct compare_row *r = &c->classes[i];
		if (r->added || r->removed || r->renamed_in || r->renamed_out || r->before_size != r->after_size)
			rows[n++] = r;
	}
	*count = n;
	return rows;
}

static int by_size_delta(const void *a, const void *b)
{
	const struct compare_row *x = *(const struct compare_row *const *)a, *y = *(const struct compare_row *const *)b;
	double dx = (double)x->after_size - (double)x->before_size, dy = (double)y->after_size - (double)y->before_size;
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return (x->added < y->added) - (x->added > y->added);
}

static void add_compare_row(struct table *t, const char *name, const struct compare_row *r)
{
	char a[32], as[32], rm[32], rs[32], rn[32], d[32], ds[32];
	table_add_row(t, name, fmt_count(a, sizeof(a), r->added), fmt_bytes(as, sizeof(as), r->added_size),
		      fmt_count(rm, sizeof(rm), r->removed), fmt_bytes(rs, sizeof(rs), r->removed_size),
		      fmt_signed(rn, sizeof(rn), (double)r->renamed_in - (double)r->renamed_out),
		      fmt_signed(d, sizeof(d), (double)r->after - (double)r->before),
		      fmt_signed(ds, sizeof(ds), (double)r->after_size - (double)r->before_size));
}

/* Calls fn for each GC sub-root of a by position, with its edge count in a and in b. */
static void each_root_pair(const struct snapshot_digest *a, const struct snapshot_digest *b,
			   void (*fn)(void *ctx, const char *name, size_t nth, uint64_t before, uint64_t after), void *ctx)
{
	for (size_t k = 0; k < a->root_count; k++) {
		size_t nth = 0;
		for (size_t j = 0; j < k; j++)
			nth += !strcmp(a->root_names[j], a->root_names[k]);
		fn(ctx, a->root_names[k], nth, a->root_edges[k], digest_root_edges(b, a->root_names[k], nth));
	}
}

static void root_row_text(void *ctx, const char *name, size_t nth, uint64_t before, uint64_t after)
{
	if (before == after)
		return;
	char label[200], p[32], q[32], d[32];
	snprintf(label, sizeof(label), nth ? "%s #%zu" : "%s", name, nth + 1);
	table_add_row(ctx, label, fmt_count(p, sizeof(p), before), fmt_count(q, sizeof(q), after),
		      fmt_signed(d, sizeof(d), (double)after - (double)before));
}

static void root_row_json(void *ctx, const char *name, size_t nth, uint64_t before, uint64_t after)
{
	struct json_writer *w = ctx;
	jw_object_begin(w);
	jw_key_string(w, "name", name);
	jw_key_uint(w, "position_among_same_name", nth + 1);
	jw_key_uint(w, "edges_before", before);
	jw_key_uint(w, "edges_after", after);
	jw_key_int(w, "edge_delta", (int64_t)after - (int64_t)before);
	jw_object_end(w);
}

void diff_print_text(FILE *out, const struct diff_report *r)
{
	const struct snapshot_digest *a = r->before, *b = r->after_digest;
	char x[32], y[32], d[32];
	fprintf(out, "leakhound diff %s -> %s\n\n", a->path, b->path);
	fprintf(out, "  self size  %s -> %s (%s bytes)\n", fmt_bytes(x, sizeof(x), a->self_size),
		fmt_bytes(y, sizeof(y), b->self_size), fmt_signed(d, sizeof(d), (double)b->self_size - (double)a->self_size));
	fprintf(out, "  nodes      %s -> %s (%s)\n", fmt_count(x, sizeof(x), a->nodes), fmt_count(y, sizeof(y), b->nodes),
		fmt_signed(d, sizeof(d), (double)b->nodes - (double)a->nodes));
	fprintf(out, "  edges      %s -> %s (%s)\n\n", fmt_count(x, sizeof(x), a->edges), fmt_count(y, sizeof(y), b->edges),
		fmt_signed(d, sizeof(d), (double)b->edges - (double)a->edges));

	static const char *const headers[] = { "class", ">new", ">new size", ">freed", ">freed size", ">renamed", ">delta",
						">size delta" };
	struct table tab;
	table_init(&tab, 8, headers);
	table_limit_width(&tab, 0, 50);
	size_t count;
	const struct compare_row **rows = ranked_classes(r->compare, &count);
	qsort(rows, count, sizeof(*rows), by_size_delta);
	for (size_t i = 0; i < LH_MIN(count, r->top); i++)
		add_compare_row(&tab, r->classes->names[rows[i] - r->compare->classes], rows[i]);
	fprintf(out, "Classes (by size delta; objects matched by id: new = allocated since, freed = collected,\n"
		     "renamed = kept but classed differently now, in minus out; the deltas add up to the totals)\n");
	table_print(&tab, out, "  ");
	table_free(&tab);
	free(rows);

	static const char *const type_headers[] = { "type", ">new", ">new size", ">freed", ">freed size", ">renamed", ">delta",
						     ">size delta" };
	table_init(&tab, 8, type_headers);
	for (size_t i = 0; i < r->compare->type_count; i++) {
		const struct compare_row *row = &r->compare->types[i];
		if (row->added || row->removed)
			add_compare_row(&tab, b->type_names[i], row);
	}
	fprintf(out, "\nNode types\n");
	table_print(&tab, out, "  ");
	table_free(&tab);

	static const char *const root_headers[] = { "GC root", ">edges before", ">edges after", ">delta" };
	table_init(&tab, 4, root_headers);
	each_root_pair(a, b, root_row_text, &tab);
	fprintf(out, "\nGC roots whose edge count changed\n");
	table_print(&tab, out, "  ");
	table_free(&tab);

	static const char *const new_headers[] = { "new object", ">self size", ">retained size" };
	table_init(&tab, 3, new_headers);
	for (size_t i = 0; i < r->largest_new_count; i++) {
		uint32_t n = r->largest_new[i];
		char label[200], s1[32], s2[32];
		report_node_label(r->after, n, label, sizeof(label));
		table_add_row(&tab, label, fmt_bytes(s1, sizeof(s1), r->retention->self_size[n]),
			      fmt_bytes(s2, sizeof(s2), r->retention->retained_size[n]));
	}
	fprintf(out, "\nLargest new objects (by retained size in the newer snapshot, DevTools' rules)\n");
	table_print(&tab, out, "  ");
	table_free(&tab);
}

static void write_compare_row(struct json_writer *w, const struct compare_row *r)
{
	jw_key_uint(w, "added", r->added);
	jw_key_uint(w, "added_size", r->added_size);
	jw_key_uint(w, "removed", r->removed);
	jw_key_uint(w, "removed_size", r->removed_size);
	jw_key_uint(w, "renamed_in", r->renamed_in);
	jw_key_uint(w, "renamed_in_size", r->renamed_in_size);
	jw_key_uint(w, "renamed_out", r->renamed_out);
	jw_key_uint(w, "renamed_out_size", r->renamed_out_size);
	jw_key_uint(w, "count_before", r->before);
	jw_key_uint(w, "count_after", r->after);
	jw_key_int(w, "count_delta", (int64_t)r->after - (int64_t)r->before);
	jw_key_uint(w, "size_before", r->before_size);
	jw_key_uint(w, "size_after", r->after_size);
	jw_key_int(w, "size_delta", (int64_t)r->after_size - (int64_t)r->before_size);
}

void diff_print_json(FILE *out, const struct diff_report *r)
{
	const struct snapshot_digest *a = r->before, *b = r->after_digest;
	struct json_writer w;
	jw_document_begin(&w, out);
	jw_key_string(&w, "before", a->path);
	jw_key_string(&w, "after", b->path);
	jw_key_int(&w, "self_size_delta", (int64_t)b->self_size - (int64_t)a->self_size);
	jw_key_int(&w, "node_delta", (int64_t)b->nodes - (int64_t)a->nodes);
	jw_key(&w, "classes");
	jw_array_begin(&w);
	size_t count;
	const struct compare_row **rows = ranked_classes(r->compare, &count);
	qsort(rows, count, sizeof(*rows), by_size_delta);
	for (size_t i = 0; i < count; i++) {
		jw_object_begin(&w);
		jw_key_string(&w, "class", r->classes->names[rows[i] - r->compare->classes]);
		write_compare_row(&w, rows[i]);
		jw_object_end(&w);
	}
	free(rows);
	jw_array_end(&w);
	jw_key(&w, "node_types");
	jw_array_begin(&w);
	for (size_t i = 0; i < r->compare->type_count; i++) {
		jw_object_begin(&w);
		jw_key_string(&w, "type", b->type_names[i]);
		write_compare_row(&w, &r->compare->types[i]);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "gc_roots");
	jw_array_begin(&w);
	each_root_pair(a, b, root_row_json, &w);
	jw_array_end(&w);
	jw_key(&w, "largest_new_objects");
	jw_array_begin(&w);
	for (size_t i = 0; i < r->largest_new_count; i++) {
		jw_object_begin(&w);
		report_json_node(&w, r->after, NULL, r->retention, r->largest_new[i]);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
}

/* MARK: - trend */

static int by_steady_growth(const void *a, const void *b)
{
	const struct trend_row *x = *(const struct trend_row *const *)a, *y = *(const struct trend_row *const *)b;
	if (x->growth.increases != y->growth.increases)
		return x->growth.increases < y->growth.increases ? 1 : -1;
	double gx = x->growth.last - x->growth.first, gy = y->growth.last - y->growth.first;
	return (gx < gy) - (gx > gy);
}

/* Rows of one kind that grew overall, steadiest and largest first. */
static const struct trend_row **growing_rows(const struct trend *t, enum trend_kind kind, size_t *count)
{
	const struct trend_row **rows = lh_malloc(LH_MAX(t->row_count, 1) * sizeof(*rows));
	size_t n = 0;
	for (size_t i = 0; i < t->row_count; i++)
		if (t->rows[i].kind == kind && t->rows[i].growth.last > t->rows[i].growth.first)
			rows[n++] = &t->rows[i];
	qsort(rows, n, sizeof(*rows), by_steady_growth);
	*count = n;
	return rows;
}

static void print_growth_table(FILE *out, const struct trend *t, enum trend_kind kind, const char *title,
			       const char *label, size_t top)
{
	static const char *headers[] = { "", "series", ">per snapshot", ">per second", ">grew in" };
	headers[0] = label;
	struct table tab;
	table_init(&tab, 5, headers);
	table_limit_width(&tab, 0, 44);
	size_t n;
	const struct trend_row **rows = growing_rows(t, kind, &n);
	for (size_t i = 0; i < LH_MIN(n, top); i++) {
		const struct growth *g = &rows[i]->growth;
		char series[200], ps[32], pt[32], steady[32];
		fmt_series(series, sizeof(series), rows[i]->values, t->count);
		snprintf(steady, sizeof(steady), "%u of %u", g->increases, g->intervals);
		table_add_row(&tab, rows[i]->name, series, fmt_signed(ps, sizeof(ps), g->per_snapshot),
			      g->per_second ? fmt_signed(pt, sizeof(pt), g->per_second) : "-", steady);
	}
	fprintf(out, "%s%s\n", title, n ? "" : ": nothing grew");
	if (n)
		table_print(&tab, out, "  ");
	fputc('\n', out);
	table_free(&tab);
	free(rows);
}

void trend_print_text(FILE *out, const struct trend *t, const struct heap_snapshot *last, size_t top)
{
	fprintf(out, "leakhound trend over %zu snapshots of one process\n", t->count);
	for (size_t i = 0; i < t->count; i++)
		fprintf(out, "  %zu. %s\n", i + 1, t->snaps[i].path);
	fputc('\n', out);
	print_growth_table(out, t, TREND_TOTAL, "Totals", "total", top);
	print_growth_table(out, t, TREND_ROOT, "GC roots (edge counts)", "GC root", top);
	print_growth_table(out, t, TREND_CLASS_COUNT, "Classes (live objects)", "class", top);
	print_growth_table(out, t, TREND_CLASS_SIZE, "Classes (self size, bytes)", "class", top);
	if (t->count < 3) {
		fprintf(out, "Leak candidates: need 3 snapshots or more (objects new in the 2nd, alive in every later one)\n");
		return;
	}
	char c[32];
	fprintf(out, "Leak candidates: %s objects created between snapshots 1 and 2 and alive in every later one\n",
		fmt_count(c, sizeof(c), t->candidate_count));
	struct path_tree *tree = NULL;
	for (size_t i = 0; i < LH_MIN(t->group_count, top); i++) {
		const struct candidate_group *g = &t->groups[i];
		fprintf(out, "  %12s  %s, e.g. @%u\n", fmt_count(c, sizeof(c), g->count), t->classes.names[g->cls],
			g->example_id);
		uint32_t n = i < 5 ? heap_node_by_id(last, g->example_id) : UINT32_MAX;
		if (n == UINT32_MAX)
			continue;
		if (!tree)
			tree = path_tree_build(last, false);
		struct retainer_path p;
		if (paths_to(last, tree, n, 1, &p) == 1) {
			char *text = text_escape_free(path_describe(last, &p));
			fprintf(out, "                retained by: %s\n", text);
			free(text);
			free(p.edges);
		}
	}
	path_tree_free(tree);
}

static void write_growth(struct json_writer *w, const struct growth *g)
{
	jw_key_double(w, "first", g->first);
	jw_key_double(w, "last", g->last);
	jw_key_double(w, "per_snapshot", g->per_snapshot);
	jw_key_double(w, "per_second", g->per_second);
	jw_key_uint(w, "increases", g->increases);
	jw_key_uint(w, "intervals", g->intervals);
}

static void write_snapshots(struct json_writer *w, const struct trend *t)
{
	jw_key(w, "snapshots");
	jw_array_begin(w);
	for (size_t i = 0; i < t->count; i++) {
		jw_object_begin(w);
		jw_key_string(w, "file", t->snaps[i].path);
		jw_key_double(w, "time", t->snaps[i].time);
		jw_key_uint(w, "nodes", t->snaps[i].nodes);
		jw_key_uint(w, "self_size", t->snaps[i].self_size);
		jw_object_end(w);
	}
	jw_array_end(w);
}

void trend_print_json(FILE *out, const struct trend *t, size_t top)
{
	static const char *const kinds[] = { "total", "gc_root", "class_count", "class_size" };
	struct json_writer w;
	jw_document_begin(&w, out);
	write_snapshots(&w, t);
	jw_key(&w, "series");
	jw_array_begin(&w);
	for (enum trend_kind k = TREND_TOTAL; k <= TREND_CLASS_SIZE; k++) {
		size_t n;
		const struct trend_row **rows = growing_rows(t, k, &n);
		for (size_t i = 0; i < LH_MIN(n, top); i++) {
			jw_object_begin(&w);
			jw_key_string(&w, "kind", kinds[k]);
			jw_key_string(&w, "name", rows[i]->name);
			jw_key(&w, "values");
			jw_array_begin(&w);
			for (size_t s = 0; s < t->count; s++)
				jw_uint(&w, (uint64_t)rows[i]->values[s]);
			jw_array_end(&w);
			write_growth(&w, &rows[i]->growth);
			jw_object_end(&w);
		}
		free(rows);
	}
	jw_array_end(&w);
	jw_key_uint(&w, "leak_candidates", t->candidate_count);
	jw_key(&w, "candidate_groups");
	jw_array_begin(&w);
	for (size_t i = 0; i < t->group_count; i++) {
		jw_object_begin(&w);
		jw_key_string(&w, "class", t->classes.names[t->groups[i].cls]);
		jw_key_uint(&w, "count", t->groups[i].count);
		jw_key_uint(&w, "example_id", t->groups[i].example_id);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
}

/* MARK: - check */

void check_print_text(FILE *out, const struct trend *t, const struct leak_findings *f)
{
	fprintf(out, "leakhound check over %zu snapshots: %s\n\n", t->count,
		f->count ? "a leak is suspected" : "no leak suspected");
	for (size_t i = 0; i < f->count; i++) {
		const struct leak_finding *x = &f->items[i];
		fprintf(out, "[%zu] %s\n", i + 1, x->title);
		fprintf(out, "    confidence: %s (%s)\n", x->confidence, x->why);
		fprintf(out, "    evidence: %s\n", x->evidence);
		if (x->acc && *x->acc->contents)
			fprintf(out, "    holding: %s\n", x->acc->contents);
		if (x->path) {
			char *path = text_escape(x->path);
			fprintf(out, "    a sample, @%u, is retained by: %s\n", x->sample_id, path);
			free(path);
		}
		fprintf(out, "    %s\n\n", x->explanation);
	}
	if (!f->count)
		fprintf(out, "No GC root, holder group, detached or string total grew in every interval past its threshold.\n");
}

static void write_accumulation(struct json_writer *w, const struct leak_accumulation *a)
{
	jw_key_string(w, "class", a->cls);
	jw_key_string(w, "holder", a->holder);
	jw_key_string(w, "contents", a->contents);
	jw_key_uint(w, "intervals", a->intervals);
	jw_key_uint(w, "intervals_grown", a->grown);
	jw_key_uint(w, "intervals_judged", a->judged);
	jw_key(w, "survivors_per_interval");
	jw_array_begin(w);
	for (size_t j = 0; j < a->survivor_count; j++)
		jw_uint(w, a->survivors[j]);
	jw_array_end(w);
	jw_key_double(w, "survivor_share", a->survivor_share);
	jw_key_double(w, "growth_bytes", a->growth_bytes);
	jw_key_double(w, "share_of_heap_growth", a->share_of_growth);
}

void check_print_json(FILE *out, const struct trend *t, const struct leak_findings *f)
{
	struct json_writer w;
	jw_document_begin(&w, out);
	write_snapshots(&w, t);
	jw_key_bool(&w, "leak_suspected", f->count > 0);
	jw_key(&w, "findings");
	jw_array_begin(&w);
	for (size_t i = 0; i < f->count; i++) {
		const struct leak_finding *x = &f->items[i];
		jw_object_begin(&w);
		jw_key_string(&w, "id", x->id);
		jw_key_string(&w, "title", x->title);
		jw_key_string(&w, "evidence", x->evidence);
		jw_key_string(&w, "explanation", x->explanation);
		jw_key_string(&w, "confidence", x->confidence);
		jw_key_string(&w, "confidence_reason", x->why);
		jw_key_double(&w, "growth", x->growth);
		jw_key(&w, "sample_id");
		if (x->sample_id)
			jw_uint(&w, x->sample_id);
		else
			jw_null(&w);
		jw_key(&w, "retainer_path");
		if (x->path)
			jw_string(&w, x->path);
		else
			jw_null(&w);
		if (x->acc)
			write_accumulation(&w, x->acc);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
}
