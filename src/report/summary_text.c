/*
 * summary_text.c - `leakhound summary` for people (summary_report.h).
 *
 * Sections are printed most urgent first; tables are aligned and sizes are
 * human-readable. Long names are cut in tables (the JSON keeps them whole).
 */
#include "summary_report.h"

#include "../analysis/classname.h"
#include "../common/sort.h"
#include "table.h"
#include "text.h"

#define NAME_WIDTH 48
#define WRAP_COLUMNS 100

void report_node_label(const struct heap_snapshot *s, uint32_t n, char *buf, size_t size)
{
	const char *name = heap_node_name(s, n);
	size_t len = strlen(name);
	/* Cut long names (string contents, source code) on a character boundary. */
	size_t keep = len;
	if (keep > NAME_WIDTH) {
		keep = NAME_WIDTH;
		while (keep && ((unsigned char)name[keep] & 0xc0) == 0x80)
			keep--;
	}
	char cut[NAME_WIDTH + 1];
	memcpy(cut, name, keep);
	cut[keep] = '\0';
	char *clean = text_escape(cut);
	snprintf(buf, size, "'%s%s' (%s) @%u", clean, keep < len ? "..." : "", heap_node_type_name(s, n), s->node_id[n]);
	free(clean);
}

void report_edge_label(const struct heap_snapshot *s, uint32_t e, char *buf, size_t size)
{
	if (heap_edge_is_indexed(s, e)) {
		snprintf(buf, size, "[%u] (%s)", s->edge_name[e], heap_edge_type_name(s, e));
		return;
	}
	const char *name = heap_string(s, s->edge_name[e]);
	snprintf(buf, size, "%s%.*s (%s)", heap_edge_kind(s, e) == HEAP_EDGE_PROPERTY ? "." : "", NAME_WIDTH,
		 name, heap_edge_type_name(s, e));
}

/* Prints text wrapped at WRAP_COLUMNS, each line after `indent`. */
static void print_wrapped(FILE *out, const char *indent, const char *text)
{
	size_t room = WRAP_COLUMNS - strlen(indent);
	while (*text) {
		size_t len = strlen(text), cut = len;
		if (len > room) {
			cut = room;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = room;
		}
		fprintf(out, "%s%.*s\n", indent, (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static void print_findings(FILE *out, const struct summary_report *r)
{
	const struct findings *f = r->findings;
	if (!f->count) {
		fprintf(out, "Findings: none. No GC root holds an abnormal share of the edges, and no detached DOM piles up.\n\n");
		return;
	}
	fprintf(out, "Findings (%zu)\n", f->count);
	for (size_t i = 0; i < f->count; i++) {
		fprintf(out, "  [%zu] %s\n", i + 1, f->items[i].title);
		print_wrapped(out, "      ", f->items[i].explanation);
		if (i + 1 < f->count)
			fputc('\n', out);
	}
	fputc('\n', out);
}

static void print_list(FILE *out, const char *label, char *const *items, unsigned count)
{
	fprintf(out, "  %-16s", label);
	for (unsigned i = 0; i < count; i++)
		fprintf(out, "%s%s", i ? ", " : "", items[i]);
	fprintf(out, "%s\n", count ? "" : "(none)");
}

static void print_totals(FILE *out, const struct summary_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	char a[64], b[64];
	fprintf(out, "Totals\n");
	fprintf(out, "  %-16s%s\n", "nodes", fmt_count(a, sizeof(a), s->node_count));
	fprintf(out, "  %-16s%s\n", "edges", fmt_count(a, sizeof(a), s->edge_count));
	fprintf(out, "  %-16s%s\n", "strings", fmt_count(a, sizeof(a), s->string_count));
	fprintf(out, "  %-16s%s (%s bytes)\n", "self size", fmt_bytes(a, sizeof(a), r->summary->total_self_size),
		fmt_count(b, sizeof(b), r->summary->total_self_size));
	fprintf(out, "  %-16s%s%s", "file", s->file_bytes ? fmt_bytes(a, sizeof(a), s->file_bytes) : "(stream)",
		s->gzip ? " gzip" : "");
	fprintf(out, ", %s of JSON\n", fmt_bytes(b, sizeof(b), s->input_bytes));
	fprintf(out, "  %-16s%s%s\n", "bad edges", fmt_count(a, sizeof(a), s->bad_edges),
		s->bad_edges ? "  (INCOMPLETE: kept with --lenient, pointing at the root)" : "");
	if (s->replaced_sequences)
		fprintf(out, "  %-16s%s lone surrogates or invalid UTF-8 sequences, shown as U+FFFD\n", "replaced",
			fmt_count(a, sizeof(a), s->replaced_sequences));
	fprintf(out, "\nFormat\n");
	print_list(out, "node fields", s->format.node_fields, s->format.node_field_count);
	print_list(out, "edge fields", s->format.edge_fields, s->format.edge_field_count);
	print_list(out, "node types", s->format.node_types, s->format.node_type_count);
	print_list(out, "edge types", s->format.edge_types, s->format.edge_type_count);
	print_list(out, "other sections", s->format.extra_sections, s->format.extra_section_count);
	fputc('\n', out);
}

static void print_types(FILE *out, const struct summary_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	static const char *const headers[] = { "type", ">count", ">% nodes", ">self size", ">% size" };
	struct table t;
	table_init(&t, 5, headers);
	for (size_t i = 0; i < r->summary->type_count; i++) {
		const struct summary_type_row *row = &r->summary->types[i];
		if (!row->total.count)
			continue;
		char c[32], pc[16], sz[32], ps[16];
		double size_share = r->summary->total_self_size
					    ? 100.0 * (double)row->total.self_size / (double)r->summary->total_self_size
					    : 0;
		table_add_row(&t, row->type, fmt_count(c, sizeof(c), row->total.count),
			      fmt_percent(pc, sizeof(pc), 100.0 * (double)row->total.count / s->node_count),
			      fmt_bytes(sz, sizeof(sz), row->total.self_size), fmt_percent(ps, sizeof(ps), size_share));
	}
	fprintf(out, "Node types\n");
	table_print(&t, out, "  ");
	table_free(&t);
	fputc('\n', out);
}

static void print_classes(FILE *out, const char *title, const struct summary_class_row *rows, size_t count)
{
	static const char *const headers[] = { "class", ">count", ">self size" };
	struct table t;
	table_init(&t, 3, headers);
	table_limit_width(&t, 0, NAME_WIDTH);
	for (size_t i = 0; i < count; i++) {
		char c[32], sz[32];
		table_add_row(&t, rows[i].name, fmt_count(c, sizeof(c), rows[i].total.count),
			      fmt_bytes(sz, sizeof(sz), rows[i].total.self_size));
	}
	fprintf(out, "%s\n", title);
	table_print(&t, out, "  ");
	table_free(&t);
	fputc('\n', out);
}

/* The "where do these edges point" lines under a fan-out row. */
static void print_groups(FILE *out, const struct heap_snapshot *s, const struct summary_fanout *f)
{
	for (size_t g = 0; g < f->group_count; g++) {
		const struct summary_target_group *grp = &f->groups[g];
		uint32_t target = heap_edge_to(s, grp->edge);
		char n[32], pct[16], label[160], edge[128];
		if (grp->targets_vary) {
			char *cls = heap_class_name(s, target);
			if (cls[0] == '(')
				snprintf(label, sizeof(label), "%s nodes", heap_node_type_name(s, target));
			else
				snprintf(label, sizeof(label), "'%.60s' nodes (%s)", cls, heap_node_type_name(s, target));
			free(cls);
		} else {
			report_node_label(s, target, label, sizeof(label));
		}
		report_edge_label(s, grp->edge, edge, sizeof(edge));
		fprintf(out, "      %12s %6s  %s%s -> %s\n", fmt_count(n, sizeof(n), grp->edges),
			fmt_percent(pct, sizeof(pct), 100.0 * (double)grp->edges / (double)f->edges), edge,
			grp->names_vary ? " and other names" : "", label);
	}
}

/* Ordinals in sum->roots of the `top` sub-roots with most edges, in edge order; returns how many. */
static size_t largest_roots(const struct heap_summary *sum, size_t top, uint32_t *shown)
{
	size_t k = LH_MIN(top, sum->root_count);
	double *score = lh_malloc((k + 1) * sizeof(*score));
	for (size_t i = 0; i < k; i++)
		shown[i] = UINT32_MAX;
	for (size_t i = 0; i < sum->root_count; i++)
		lh_top_offer(shown, score, k, (uint32_t)i, (double)sum->roots[i].edges);
	free(score);
	for (size_t i = 1; i < k; i++) /* back to edge order: k is a --top, a few dozen at most */
		for (size_t j = i; j > 0 && shown[j - 1] > shown[j]; j--) {
			uint32_t x = shown[j];
			shown[j] = shown[j - 1];
			shown[j - 1] = x;
		}
	return k;
}

static void print_roots(FILE *out, const struct summary_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	const struct heap_summary *sum = r->summary;
	if (sum->gc_roots == UINT32_MAX) {
		fprintf(out, "GC roots: the snapshot has no \"(GC roots)\" node under the root\n\n");
		return;
	}
	static const char *const headers[] = { ">#", "GC root", ">edges", ">share", ">distinct targets" };
	struct table t;
	table_init(&t, 5, headers);
	table_limit_width(&t, 1, NAME_WIDTH);
	uint32_t *shown = lh_malloc((LH_MIN(r->top, sum->root_count) + 1) * sizeof(*shown));
	size_t count = largest_roots(sum, r->top, shown);
	for (size_t k = 0; k < count; k++) {
		const struct summary_fanout *f = &sum->roots[shown[k]];
		char idx[24], e[32], pct[16], d[32];
		snprintf(idx, sizeof(idx), "%u", shown[k] + 1);
		table_add_row(&t, idx, heap_node_name(s, f->node), fmt_count(e, sizeof(e), f->edges),
			      fmt_percent(pct, sizeof(pct), summary_edge_share(s, f->edges)),
			      fmt_count(d, sizeof(d), f->distinct_targets));
	}
	free(shown);
	fprintf(out, "GC roots (the %zu sub-roots of \"(GC roots)\", all edges counted, weak ones too)\n",
		sum->root_count);
	table_print(&t, out, "  ");
	table_free(&t);
	if (count < sum->root_count)
		fprintf(out, "  (%zu more with fewer edges: --top N shows more, --json all)\n", sum->root_count - count);
	fputc('\n', out);
}

static void print_fanout(FILE *out, const struct summary_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	const struct heap_summary *sum = r->summary;
	fprintf(out, "Largest fan-out (nodes with the most outgoing edges, and where those edges point)\n");
	for (size_t i = 0; i < sum->fanout_count; i++) {
		const struct summary_fanout *f = &sum->fanout[i];
		char label[160], e[32], pct[16], d[32];
		report_node_label(s, f->node, label, sizeof(label));
		fprintf(out, "  %2zu. %s: %s edges (%s of all), %s distinct target%s\n", i + 1, label,
			fmt_count(e, sizeof(e), f->edges), fmt_percent(pct, sizeof(pct), summary_edge_share(s, f->edges)),
			fmt_count(d, sizeof(d), f->distinct_targets), f->distinct_targets == 1 ? "" : "s");
		print_groups(out, s, f);
	}
}

void summary_print_text(FILE *out, const struct summary_report *r)
{
	fprintf(out, "leakhound summary of %s\n\n", r->path);
	print_findings(out, r);
	print_totals(out, r);
	print_types(out, r);
	print_classes(out, "Top classes by count (DevTools' Constructor names)", r->summary->by_count,
		      r->summary->top_count);
	print_classes(out, "Top classes by self size", r->summary->by_size, r->summary->top_count);
	print_roots(out, r);
	print_fanout(out, r);
}
