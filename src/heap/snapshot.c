/*
 * snapshot.c - the model's accessors that are not inline, and its release.
 */
#include "snapshot.h"

void heap_snapshot_free(struct heap_snapshot *s)
{
	if (!s)
		return;
	struct heap_format *f = &s->format;
	for (unsigned i = 0; i < f->node_field_count; i++)
		free(f->node_fields[i]);
	for (unsigned i = 0; i < f->edge_field_count; i++)
		free(f->edge_fields[i]);
	for (unsigned i = 0; i < f->node_type_count; i++)
		free(f->node_types[i]);
	for (unsigned i = 0; i < f->edge_type_count; i++)
		free(f->edge_types[i]);
	for (unsigned i = 0; i < f->extra_section_count; i++)
		free(f->extra_sections[i]);
	free(s->node_type);
	free(s->node_name);
	free(s->node_id);
	free(s->node_self_size);
	free(s->node_first_edge);
	free(s->node_trace_id);
	free(s->node_detachedness);
	free(s->large_sizes);
	free(s->edge_target);
	free(s->edge_name);
	free(s->string_bytes);
	free(s->string_offset);
	free(s);
}

const char *heap_node_type_name(const struct heap_snapshot *s, uint32_t n)
{
	return s->format.node_types[s->node_type[n]];
}

const char *heap_edge_type_name(const struct heap_snapshot *s, uint32_t e)
{
	return s->format.edge_types[heap_edge_type(s, e)];
}

uint64_t heap_large_self_size(const struct heap_snapshot *s, uint32_t n)
{
	size_t lo = 0, hi = s->large_size_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->large_sizes[mid].node < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->large_size_count && s->large_sizes[lo].node == n ? s->large_sizes[lo].size : HEAP_SIZE_IN_TABLE;
}

uint32_t heap_node_by_id(const struct heap_snapshot *s, uint32_t id)
{
	for (uint32_t n = 0; n < s->node_count; n++)
		if (s->node_id[n] == id)
			return n;
	return UINT32_MAX;
}
