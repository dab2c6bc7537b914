/*
 * roots_report.c - `leakhound roots`: what each GC sub-root holds.
 *
 * DevTools ignores the edges from GC sub-roots into anything the global
 * object reaches (its page-owned rule), so it gives "(Handle scope)" a few
 * bytes however many handles it holds. Here each sub-root gets: its edges,
 * distinct targets and the largest target groups; the bytes only it keeps
 * alive when every strong edge counts; DevTools' own retained size beside
 * it; and for handle roots the native memory of the handles themselves.
 */
#include "retention_report.h"

#include "summary_report.h"
#include "table.h"

void roots_print_text(FILE *out, const struct roots_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	const struct heap_summary *sum = r->summary;
	fprintf(out, "leakhound roots of %s\n\n", r->path);
	if (sum->gc_roots == UINT32_MAX) {
		fprintf(out, "the snapshot has no \"(GC roots)\" node under the root\n");
		return;
	}
	static const char *const headers[] = { ">#", "GC root", ">edges", ">targets", ">holds (all edges)",
					       ">DevTools retained", ">handle memory" };
	struct table t;
	table_init(&t, 7, headers);
	uint64_t handles_total = 0;
	for (size_t i = 0; i < sum->root_count; i++) {
		const struct summary_fanout *f = &sum->roots[i];
		uint64_t handles = summary_handle_bytes(s, f->node, f->edges);
		handles_total += handles;
		char idx[24], e[32], d[32], held[32], dt[32], h[32];
		snprintf(idx, sizeof(idx), "%zu", i + 1);
		table_add_row(&t, idx, heap_node_name(s, f->node), fmt_count(e, sizeof(e), f->edges),
			      fmt_count(d, sizeof(d), f->distinct_targets),
			      fmt_bytes(held, sizeof(held), r->all_edges->retained_size[f->node]),
			      fmt_bytes(dt, sizeof(dt), r->devtools->retained_size[f->node]),
			      handles ? fmt_bytes(h, sizeof(h), handles) : "");
	}
	table_print(&t, out, "  ");
	table_free(&t);
	char heap[32], hb[32];
	fprintf(out, "\n\"holds\": bytes that only this root keeps alive, every strong edge counted (DevTools ignores\n"
		     "edges from GC roots into objects the global object reaches). \"handle memory\": the handle slots\n"
		     "themselves, %d bytes each, in native memory outside the JS heap: %s in all, next to a JS heap\n"
		     "of %s.\n",
		SUMMARY_HANDLE_SLOT_BYTES, fmt_bytes(hb, sizeof(hb), handles_total),
		fmt_bytes(heap, sizeof(heap), r->all_edges->retained_size[s->root]));
	for (size_t i = 0; i < sum->root_count; i++) {
		const struct summary_fanout *f = &sum->roots[i];
		if (!f->group_count)
			continue;
		char e[32];
		fprintf(out, "\n%zu. %s: %s edges, largest groups:\n", i + 1, heap_node_name(s, f->node),
			fmt_count(e, sizeof(e), f->edges));
		for (size_t g = 0; g < f->group_count && g < 3; g++) {
			const struct summary_target_group *grp = &f->groups[g];
			char n[32], label[200], edge[128];
			report_node_label(s, heap_edge_to(s, grp->edge), label, sizeof(label));
			report_edge_label(s, grp->edge, edge, sizeof(edge));
			fprintf(out, "   %12s  %s%s -> %s%s\n", fmt_count(n, sizeof(n), grp->edges), edge,
				grp->names_vary ? " and other names" : "", label, grp->targets_vary ? " and similar nodes" : "");
		}
	}
}

void roots_print_json(FILE *out, const struct roots_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	const struct heap_summary *sum = r->summary;
	struct json_writer w;
	jw_document_begin(&w, out);
	jw_key_string(&w, "file", r->path);
	jw_key_uint(&w, "heap_size", r->all_edges->retained_size[s->root]);
	jw_key(&w, "roots");
	jw_array_begin(&w);
	for (size_t i = 0; i < sum->root_count; i++) {
		const struct summary_fanout *f = &sum->roots[i];
		jw_object_begin(&w);
		jw_key_uint(&w, "position", i + 1);
		jw_key_uint(&w, "id", s->node_id[f->node]);
		jw_key_string(&w, "name", heap_node_name(s, f->node));
		jw_key_uint(&w, "edges", f->edges);
		jw_key_uint(&w, "distinct_targets", f->distinct_targets);
		jw_key_uint(&w, "retained_size_all_edges", r->all_edges->retained_size[f->node]);
		jw_key_uint(&w, "retained_size_devtools", r->devtools->retained_size[f->node]);
		jw_key_uint(&w, "handle_bytes", summary_handle_bytes(s, f->node, f->edges));
		jw_key(&w, "top_targets");
		jw_array_begin(&w);
		for (size_t g = 0; g < f->group_count; g++) {
			uint32_t to = heap_edge_to(s, f->groups[g].edge);
			jw_object_begin(&w);
			jw_key_uint(&w, "edges", f->groups[g].edges);
			jw_key_uint(&w, "example_id", s->node_id[to]);
			jw_key_string(&w, "type", heap_node_type_name(s, to));
			jw_key_string(&w, "name", heap_node_name(s, to));
			jw_key_bool(&w, "targets_vary", f->groups[g].targets_vary);
			jw_object_end(&w);
		}
		jw_array_end(&w);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
}
