/*
 * snapshot_writer.c - see snapshot_writer.h.
 *
 * One line per node and per edge, as V8 writes them, so a redacted file
 * diffs line by line against a re-written original.
 */
#include "snapshot_writer.h"

#include "json_writer.h"

/* The node fields written, in this order (those the file had, of the ones the model keeps). */
enum { FIELD_TYPE, FIELD_NAME, FIELD_ID, FIELD_SELF_SIZE, FIELD_EDGE_COUNT, FIELD_TRACE_ID, FIELD_DETACHEDNESS };
static const char *const node_field_names[] = { "type", "name", "id", "self_size", "edge_count", "trace_node_id",
						"detachedness" };

static bool file_had_field(const struct heap_snapshot *s, const char *name)
{
	for (unsigned i = 0; i < s->format.node_field_count; i++)
		if (!strcmp(s->format.node_fields[i], name))
			return true;
	return false;
}

static void write_names(FILE *out, char *const *names, unsigned count)
{
	fputc('[', out);
	for (unsigned i = 0; i < count; i++) {
		if (i)
			fputc(',', out);
		json_write_string(out, names[i], strlen(names[i]));
	}
	fputc(']', out);
}

static void write_meta(FILE *out, const struct heap_snapshot *s, unsigned node_fields)
{
	fputs("{\"snapshot\":{\"meta\":{\"node_fields\":[", out);
	for (unsigned i = 0; i < node_fields; i++)
		fprintf(out, "%s\"%s\"", i ? "," : "", node_field_names[i]);
	fputs("],\"node_types\":[", out);
	write_names(out, s->format.node_types, s->format.node_type_count);
	fputs(",\"string\",\"number\",\"number\",\"number\"", out);
	for (unsigned i = FIELD_TRACE_ID; i < node_fields; i++)
		fputs(",\"number\"", out);
	fputs("],\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],\"edge_types\":[", out);
	write_names(out, s->format.edge_types, s->format.edge_type_count);
	fputs(",\"string_or_number\",\"node\"],\"trace_function_info_fields\":[],\"trace_node_fields\":[],"
	      "\"sample_fields\":[],\"location_fields\":[]},",
	      out);
	fprintf(out, "\"node_count\":%u,\"edge_count\":%u,\"trace_function_count\":0", s->node_count, s->edge_count);
	if (s->root)
		fprintf(out, ",\"root_index\":%llu", (unsigned long long)s->root * node_fields);
	if (s->extra_native_bytes)
		fprintf(out, ",\"extra_native_bytes\":%llu", (unsigned long long)s->extra_native_bytes);
	fputs("},\n", out);
}

static void write_nodes(FILE *out, const struct heap_snapshot *s, unsigned node_fields)
{
	fputs("\"nodes\":[", out);
	for (uint32_t n = 0; n < s->node_count; n++) {
		fprintf(out, "%s%u,%u,%u,%llu,%u", n ? ",\n" : "", s->node_type[n], s->node_name[n], s->node_id[n],
			(unsigned long long)heap_node_self_size(s, n), heap_node_edge_count(s, n));
		if (node_fields > FIELD_TRACE_ID)
			fprintf(out, ",%u", s->node_trace_id ? s->node_trace_id[n] : 0);
		if (node_fields > FIELD_DETACHEDNESS)
			fprintf(out, ",%u", s->node_detachedness ? s->node_detachedness[n] : 0);
	}
	fputs("],\n", out);
}

static void write_edges(FILE *out, const struct heap_snapshot *s, unsigned node_fields)
{
	fputs("\"edges\":[", out);
	for (uint32_t e = 0; e < s->edge_count; e++)
		fprintf(out, "%s%u,%u,%llu", e ? ",\n" : "", heap_edge_type(s, e), s->edge_name[e],
			(unsigned long long)heap_edge_to(s, e) * node_fields);
	fputs("],\n", out);
}

bool snapshot_write(FILE *out, const struct heap_snapshot *s, char *const *strings, const size_t *lengths)
{
	unsigned node_fields = FIELD_EDGE_COUNT + 1;
	if (s->node_trace_id || file_had_field(s, "trace_node_id"))
		node_fields = FIELD_TRACE_ID + 1;
	if (s->node_detachedness || file_had_field(s, "detachedness"))
		node_fields = FIELD_DETACHEDNESS + 1;
	write_meta(out, s, node_fields);
	write_nodes(out, s, node_fields);
	write_edges(out, s, node_fields);
	fputs("\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\"locations\":[],\n\"strings\":[", out);
	for (uint32_t i = 0; i < s->string_count; i++) {
		if (i)
			fputs(",\n", out);
		json_write_string(out, strings[i], lengths[i]);
	}
	fputs("]}\n", out);
	return !ferror(out);
}
