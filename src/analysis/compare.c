/*
 * compare.c - object-exact differences between two digests (compare.h):
 * one merge of the two sorted id lists.
 */
#include "compare.h"

static void tally_before(struct compare_row *r, uint64_t size, bool freed)
{
	r->before++;
	r->before_size += size;
	if (freed) {
		r->removed++;
		r->removed_size += size;
	}
}

static void tally_after(struct compare_row *r, uint64_t size, bool is_new)
{
	r->after++;
	r->after_size += size;
	if (is_new) {
		r->added++;
		r->added_size += size;
	}
}

void compare_digests(const struct snapshot_digest *before, const struct snapshot_digest *after, size_t classes,
		     struct compare *out)
{
	memset(out, 0, sizeof(*out));
	out->class_count = classes;
	out->classes = lh_calloc(LH_MAX(classes, 1), sizeof(*out->classes));
	out->type_count = after->type_count;
	size_t i = 0, j = 0;
	while (i < before->id_count || j < after->id_count) {
		uint32_t x = i < before->id_count ? (uint32_t)(before->ids[i] >> 32) : UINT32_MAX;
		uint32_t y = j < after->id_count ? (uint32_t)(after->ids[j] >> 32) : UINT32_MAX;
		bool in_before = i < before->id_count && x <= y;
		bool in_after = j < after->id_count && y <= x;
		/* One id naming two different objects: V8 gave a dead object's id to a new one at its address. */
		bool same = in_before && in_after && before->ids[i] == after->ids[j];
		if (same && before->id_class[i] != after->id_class[j]) {
			struct compare_row *from = &out->classes[before->id_class[i]], *to = &out->classes[after->id_class[j]];
			from->renamed_out++;
			from->renamed_out_size += before->id_size[i];
			to->renamed_in++;
			to->renamed_in_size += after->id_size[j];
		}
		if (in_before) {
			tally_before(&out->classes[before->id_class[i]], before->id_size[i], !same);
			tally_before(&out->types[before->id_type[i]], before->id_size[i], !same);
			i++;
		}
		if (in_after) {
			tally_after(&out->classes[after->id_class[j]], after->id_size[j], !same);
			tally_after(&out->types[after->id_type[j]], after->id_size[j], !same);
			j++;
		}
	}
}

void compare_free(struct compare *c)
{
	free(c->classes);
	memset(c, 0, sizeof(*c));
}

size_t compare_largest_new(const struct heap_snapshot *s, const struct retention *r,
			   const struct snapshot_digest *before, const struct snapshot_digest *after, size_t top,
			   uint32_t *out)
{
	size_t kept = 0;
	for (uint32_t n = 0; n < s->node_count && top; n++) {
		if (heap_node_kind(s, n) == HEAP_NODE_SYNTHETIC ||
		    digest_same_object_in(after, digest_find(after, s->node_id[n]), before))
			continue;
		uint64_t size = r->retained_size[n];
		if (kept == top && size <= r->retained_size[out[kept - 1]])
			continue;
		size_t i = kept < top ? kept++ : kept - 1;
		while (i > 0 && r->retained_size[out[i - 1]] < size) {
			out[i] = out[i - 1];
			i--;
		}
		out[i] = n;
	}
	return kept;
}
