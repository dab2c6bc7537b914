/*
 * node_report.c - `leakhound show` (one node, its edges both ways) and
 * `leakhound path` (retainer paths), as text and JSON.
 */
#include "retention_report.h"

#include "summary_report.h"
#include "table.h"
#include "text.h"

/* MARK: - show */

/* Up to max edges into node n, in edge order: written to out, the total returned. */
static size_t incoming_edges(const struct heap_snapshot *s, uint32_t n, size_t max, uint32_t *out, uint32_t *from)
{
	size_t total = 0;
	for (uint32_t v = 0; v < s->node_count; v++) {
		for (uint32_t e = heap_edge_begin(s, v); e < heap_edge_end(s, v); e++) {
			if (heap_edge_to(s, e) != n)
				continue;
			if (total < max) {
				out[total] = e;
				from[total] = v;
			}
			total++;
		}
	}
	return total;
}

static void print_edge_table(FILE *out, const struct heap_snapshot *s, const struct retention *r, const uint32_t *edges,
			     const uint32_t *other, size_t shown, size_t total, const char *title)
{
	static const char *const headers[] = { "edge", "node", ">retained size" };
	struct table t;
	table_init(&t, 3, headers);
	for (size_t i = 0; i < shown; i++) {
		char edge[128], node[200], size[32];
		report_edge_label(s, edges[i], edge, sizeof(edge));
		report_node_label(s, other[i], node, sizeof(node));
		table_add_row(&t, edge, node, fmt_bytes(size, sizeof(size), r->retained_size[other[i]]));
	}
	char count[32];
	fprintf(out, "\n%s (%s)\n", title, fmt_count(count, sizeof(count), total));
	table_print(&t, out, "  ");
	if (total > shown)
		fprintf(out, "  ... and %zu more\n", total - shown);
	table_free(&t);
}

void show_print_text(FILE *out, const struct show_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	const struct retention *ret = r->retention;
	uint32_t n = r->node;
	char label[200], dom[200], a[32], b[32];
	report_node_label(s, n, label, sizeof(label));
	report_node_label(s, ret->dominator[n], dom, sizeof(dom));
	fprintf(out, "%s\n", label);
	fprintf(out, "  %-15s%s\n", "class", heap_class_name_of_id(r->classes, heap_class_id(r->classes, n)));
	fprintf(out, "  %-15s%s (%s bytes%s)\n", "self size", fmt_bytes(a, sizeof(a), ret->self_size[n]),
		fmt_count(b, sizeof(b), ret->self_size[n]),
		ret->self_size[n] != heap_node_self_size(s, n) ? ", after DevTools' transfer of owned backing stores" : "");
	fprintf(out, "  %-15s%s (%s bytes)\n", "retained size", fmt_bytes(a, sizeof(a), ret->retained_size[n]),
		fmt_count(b, sizeof(b), ret->retained_size[n]));
	fprintf(out, "  %-15s%d\n", "distance", ret->distance[n]);
	fprintf(out, "  %-15s%s\n", "dominator", n == s->root ? "(itself: the root)" : dom);
	fprintf(out, "  %-15s%s\n", "rules", retention_mode_name(ret->mode));

	size_t outgoing = heap_node_edge_count(s, n), shown = LH_MIN(outgoing, r->max_edges);
	uint32_t *edges = lh_malloc(LH_MAX(r->max_edges, 1) * sizeof(uint32_t));
	uint32_t *other = lh_malloc(LH_MAX(r->max_edges, 1) * sizeof(uint32_t));
	for (size_t i = 0; i < shown; i++) {
		edges[i] = heap_edge_begin(s, n) + (uint32_t)i;
		other[i] = heap_edge_to(s, edges[i]);
	}
	print_edge_table(out, s, ret, edges, other, shown, outgoing, "Outgoing edges");
	size_t incoming = incoming_edges(s, n, r->max_edges, edges, other);
	print_edge_table(out, s, ret, edges, other, LH_MIN(incoming, r->max_edges), incoming, "Incoming edges (retainers)");
	free(edges);
	free(other);
}

static void write_edge(struct json_writer *w, const struct heap_snapshot *s, struct heap_classes *classes,
		       const struct retention *r, uint32_t e, uint32_t other, const char *other_key)
{
	jw_object_begin(w);
	jw_key_string(w, "edge_type", heap_edge_type_name(s, e));
	jw_key(w, "edge_name");
	if (heap_edge_is_indexed(s, e))
		jw_uint(w, s->edge_name[e]);
	else
		jw_string(w, heap_string(s, s->edge_name[e]));
	jw_key(w, other_key);
	jw_object_begin(w);
	report_json_node(w, s, classes, r, other);
	jw_object_end(w);
	jw_object_end(w);
}

void show_print_json(FILE *out, const struct show_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	uint32_t n = r->node;
	struct json_writer w;
	jw_document_begin(&w, out);
	jw_key_string(&w, "file", r->path);
	jw_key_string(&w, "retention", retention_mode_name(r->retention->mode));
	jw_key(&w, "node");
	jw_object_begin(&w);
	report_json_node(&w, s, r->classes, r->retention, n);
	jw_key_uint(&w, "raw_self_size", heap_node_self_size(s, n));
	jw_object_end(&w);
	jw_key_uint(&w, "outgoing_count", heap_node_edge_count(s, n));
	jw_key(&w, "outgoing");
	jw_array_begin(&w);
	for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n) && e - heap_edge_begin(s, n) < r->max_edges; e++)
		write_edge(&w, s, r->classes, r->retention, e, heap_edge_to(s, e), "to");
	jw_array_end(&w);
	uint32_t *edges = lh_malloc(LH_MAX(r->max_edges, 1) * sizeof(uint32_t));
	uint32_t *from = lh_malloc(LH_MAX(r->max_edges, 1) * sizeof(uint32_t));
	size_t incoming = incoming_edges(s, n, r->max_edges, edges, from);
	jw_key_uint(&w, "incoming_count", incoming);
	jw_key(&w, "incoming");
	jw_array_begin(&w);
	for (size_t i = 0; i < LH_MIN(incoming, r->max_edges); i++)
		write_edge(&w, s, r->classes, r->retention, edges[i], from[i], "from");
	jw_array_end(&w);
	free(edges);
	free(from);
	jw_object_end(&w);
}

/* MARK: - path */

void path_print_text(FILE *out, const struct path_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	char target[200];
	report_node_label(s, r->node, target, sizeof(target));
	if (!r->count) {
		fprintf(out, "%s is not reachable from the GC roots over strong edges (try --weak)\n", target);
		return;
	}
	fprintf(out, "Retainer paths to %s, shortest first:\n", target);
	for (size_t i = 0; i < r->count; i++) {
		char *text = text_escape_free(path_describe(s, &r->paths[i]));
		fprintf(out, "\n  %zu. (%zu edges)\n     %s\n", i + 1, r->paths[i].length, text);
		free(text);
	}
}

void path_print_json(FILE *out, const struct path_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	struct json_writer w;
	jw_document_begin(&w, out);
	jw_key_string(&w, "file", r->path);
	jw_key_uint(&w, "node_id", s->node_id[r->node]);
	jw_key(&w, "paths");
	jw_array_begin(&w);
	for (size_t i = 0; i < r->count; i++) {
		jw_array_begin(&w);
		for (size_t k = 0; k < r->paths[i].length; k++) {
			uint32_t e = r->paths[i].edges[k], to = heap_edge_to(s, e);
			jw_object_begin(&w);
			jw_key_string(&w, "edge_type", heap_edge_type_name(s, e));
			jw_key(&w, "edge_name");
			if (heap_edge_is_indexed(s, e))
				jw_uint(&w, s->edge_name[e]);
			else
				jw_string(&w, heap_string(s, s->edge_name[e]));
			jw_key_uint(&w, "to_id", s->node_id[to]);
			jw_key_string(&w, "to_type", heap_node_type_name(s, to));
			jw_key_string(&w, "to_name", heap_node_name(s, to));
			jw_object_end(&w);
		}
		jw_array_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
}
