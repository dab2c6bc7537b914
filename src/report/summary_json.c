/*
 * summary_json.c - `leakhound summary --json` (summary_report.h).
 *
 * Names are written whole; nodes are identified by id (what DevTools shows
 * as @id) and by ordinal ("index": position in the nodes array).
 */
#include "summary_report.h"

#include "json_writer.h"

static void write_node(struct json_writer *w, const struct heap_snapshot *s, uint32_t n)
{
	jw_key_uint(w, "id", s->node_id[n]);
	jw_key_uint(w, "index", n);
	jw_key_string(w, "type", heap_node_type_name(s, n));
	jw_key(w, "name");
	jw_string_len(w, heap_node_name(s, n), heap_string_length(s, s->node_name[n]));
}

static void write_names(struct json_writer *w, const char *key, char *const *items, unsigned count)
{
	jw_key(w, key);
	jw_array_begin(w);
	for (unsigned i = 0; i < count; i++)
		jw_string(w, items[i]);
	jw_array_end(w);
}

static void write_format(struct json_writer *w, const struct heap_snapshot *s)
{
	jw_key(w, "format");
	jw_object_begin(w);
	write_names(w, "node_fields", s->format.node_fields, s->format.node_field_count);
	write_names(w, "edge_fields", s->format.edge_fields, s->format.edge_field_count);
	write_names(w, "node_types", s->format.node_types, s->format.node_type_count);
	write_names(w, "edge_types", s->format.edge_types, s->format.edge_type_count);
	write_names(w, "other_sections", s->format.extra_sections, s->format.extra_section_count);
	jw_object_end(w);
}

static void write_totals(struct json_writer *w, const struct summary_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	jw_key(w, "totals");
	jw_object_begin(w);
	jw_key_uint(w, "nodes", s->node_count);
	jw_key_uint(w, "edges", s->edge_count);
	jw_key_uint(w, "strings", s->string_count);
	jw_key_uint(w, "self_size", r->summary->total_self_size);
	jw_key_uint(w, "file_bytes", s->file_bytes);
	jw_key_uint(w, "json_bytes", s->input_bytes);
	jw_key_bool(w, "gzip", s->gzip);
	jw_key_uint(w, "bad_edges", s->bad_edges);
	jw_key_uint(w, "replaced_sequences", s->replaced_sequences);
	jw_key_uint(w, "extra_native_bytes", s->extra_native_bytes);
	jw_object_end(w);
}

static void write_types(struct json_writer *w, const struct heap_summary *sum)
{
	jw_key(w, "node_types");
	jw_array_begin(w);
	for (size_t i = 0; i < sum->type_count; i++) {
		jw_object_begin(w);
		jw_key_string(w, "type", sum->types[i].type);
		jw_key_uint(w, "count", sum->types[i].total.count);
		jw_key_uint(w, "self_size", sum->types[i].total.self_size);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void write_classes(struct json_writer *w, const char *key, const struct summary_class_row *rows, size_t n)
{
	jw_key(w, key);
	jw_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		jw_object_begin(w);
		jw_key_string(w, "class", rows[i].name);
		jw_key_uint(w, "count", rows[i].total.count);
		jw_key_uint(w, "self_size", rows[i].total.self_size);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void write_fanout(struct json_writer *w, const struct heap_snapshot *s, const struct summary_fanout *f)
{
	jw_object_begin(w);
	write_node(w, s, f->node);
	jw_key_uint(w, "edges", f->edges);
	jw_key_double(w, "edge_share_percent", summary_edge_share(s, f->edges));
	jw_key_uint(w, "distinct_targets", f->distinct_targets);
	jw_key(w, "top_targets");
	jw_array_begin(w);
	for (size_t g = 0; g < f->group_count; g++) {
		const struct summary_target_group *grp = &f->groups[g];
		jw_object_begin(w);
		jw_key_uint(w, "edges", grp->edges);
		jw_key_string(w, "edge_type", heap_edge_type_name(s, grp->edge));
		jw_key(w, "edge_name");
		if (heap_edge_is_indexed(s, grp->edge))
			jw_uint(w, s->edge_name[grp->edge]);
		else
			jw_string(w, heap_string(s, s->edge_name[grp->edge]));
		jw_key_bool(w, "names_vary", grp->names_vary);
		jw_key_bool(w, "targets_vary", grp->targets_vary);
		jw_key(w, "target");
		jw_object_begin(w);
		write_node(w, s, heap_edge_to(s, grp->edge));
		jw_object_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
}

static void write_findings(struct json_writer *w, const struct summary_report *r)
{
	jw_key(w, "findings");
	jw_array_begin(w);
	for (size_t i = 0; i < r->findings->count; i++) {
		const struct finding *f = &r->findings->items[i];
		jw_object_begin(w);
		jw_key_string(w, "id", f->id);
		jw_key_string(w, "title", f->title);
		jw_key_string(w, "explanation", f->explanation);
		jw_key(w, "node_id");
		if (f->node == UINT32_MAX)
			jw_null(w);
		else
			jw_uint(w, r->snapshot->node_id[f->node]);
		jw_key_uint(w, "edges", f->edges);
		jw_key_double(w, "edge_share_percent", f->share);
		jw_key_uint(w, "native_bytes", f->native_bytes);
		jw_key_uint(w, "nodes", f->nodes);
		jw_object_end(w);
	}
	jw_array_end(w);
}

void summary_print_json(FILE *out, const struct summary_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	const struct heap_summary *sum = r->summary;
	struct json_writer w;
	jw_document_begin(&w, out);
	jw_key_string(&w, "file", r->path);
	write_findings(&w, r);
	write_totals(&w, r);
	write_format(&w, s);
	write_types(&w, sum);
	jw_key_uint(&w, "class_count", sum->class_count);
	write_classes(&w, "top_classes_by_count", sum->by_count, sum->top_count);
	write_classes(&w, "top_classes_by_self_size", sum->by_size, sum->top_count);
	jw_key(&w, "gc_roots");
	jw_array_begin(&w);
	for (size_t i = 0; i < sum->root_count; i++)
		write_fanout(&w, s, &sum->roots[i]);
	jw_array_end(&w);
	jw_key(&w, "largest_fanout");
	jw_array_begin(&w);
	for (size_t i = 0; i < sum->fanout_count; i++)
		write_fanout(&w, s, &sum->fanout[i]);
	jw_array_end(&w);
	jw_object_end(&w);
}
