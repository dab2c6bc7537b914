/*
 * digest.c - per-snapshot digests for leak detection (digest.h).
 */
#include "digest.h"

#include <sys/stat.h>

#include "../common/sort.h"
#include "classes.h"
#include "detached.h"
#include "holders.h"
#include "summary.h"

/* FNV-1a of every string, so that a node's fingerprint costs no pass over its name. */
static uint32_t *string_hashes(const struct heap_snapshot *s)
{
	uint32_t *h = lh_malloc((size_t)LH_MAX(s->string_count, 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i < s->string_count; i++) {
		uint32_t x = 2166136261u;
		for (const unsigned char *p = (const unsigned char *)heap_string(s, i); *p; p++)
			x = (x ^ *p) * 16777619u;
		h[i] = x;
	}
	return h;
}

/* 32-bit fingerprint of a node's type and name, stable across snapshots of one process. */
static uint32_t fingerprint(const struct heap_snapshot *s, const uint32_t *hashes, uint32_t n)
{
	return (hashes[s->node_name[n]] ^ s->node_type[n]) * 16777619u;
}

static bool is_string_kind(enum heap_node_kind k)
{
	return k == HEAP_NODE_STRING || k == HEAP_NODE_CONCATENATED_STRING || k == HEAP_NODE_SLICED_STRING;
}

static void digest_roots(struct snapshot_digest *d, const struct heap_snapshot *s)
{
	uint32_t gc_roots = summary_gc_roots(s);
	if (gc_roots == UINT32_MAX)
		return;
	uint32_t begin = heap_edge_begin(s, gc_roots), end = heap_edge_end(s, gc_roots);
	d->root_count = end - begin;
	d->root_names = lh_calloc(LH_MAX(d->root_count, 1), sizeof(char *));
	d->root_edges = lh_calloc(LH_MAX(d->root_count, 1), sizeof(uint64_t));
	for (uint32_t e = begin; e < end; e++) {
		uint32_t root = heap_edge_to(s, e);
		d->root_names[e - begin] = lh_strdup(heap_node_name(s, root));
		d->root_edges[e - begin] = heap_node_edge_count(s, root);
	}
}

static void groups_grow(struct series_groups *g);

/* The id of key, added (with class cls) when new. */
static uint32_t groups_intern(struct series_groups *g, uint64_t key, uint32_t cls)
{
	if (2 * (g->count + 1) > g->slots)
		groups_grow(g);
	size_t mask = g->slots - 1, i = (size_t)(key ^ (key >> 29)) & mask;
	while (g->slot_id[i] != UINT32_MAX && g->slot_key[i] != key)
		i = (i + 1) & mask;
	if (g->slot_id[i] == UINT32_MAX) {
		g->slot_key[i] = key;
		g->slot_id[i] = (uint32_t)g->count;
		lh_grow((void **)&g->cls, &g->cls_cap, g->count + 1, sizeof(uint32_t));
		g->cls[g->count++] = cls;
	}
	return g->slot_id[i];
}

static void groups_grow(struct series_groups *g)
{
	struct series_groups old = *g;
	g->slots = old.slots ? 2 * old.slots : 1024;
	g->slot_key = lh_malloc(g->slots * sizeof(uint64_t));
	g->slot_id = lh_malloc(g->slots * sizeof(uint32_t));
	memset(g->slot_id, 0xff, g->slots * sizeof(uint32_t));
	g->count = 0;
	/* re-insert in id order, so that ids stay what they were */
	uint64_t *by_id = lh_malloc(LH_MAX(old.count, 1) * sizeof(uint64_t));
	for (size_t i = 0; i < old.slots; i++)
		if (old.slot_id[i] != UINT32_MAX)
			by_id[old.slot_id[i]] = old.slot_key[i];
	for (size_t id = 0; id < old.count; id++)
		groups_intern(g, by_id[id], old.cls[id]);
	free(by_id);
	free(old.slot_key);
	free(old.slot_id);
}

/* Group id of every node: its holder key interned in the series. */
static uint32_t *group_ids(const struct heap_snapshot *s, const uint32_t *class_of, struct series_groups *g)
{
	uint64_t *keys = holders_keys(s, class_of);
	uint32_t *out = lh_malloc(LH_MAX((size_t)s->node_count, 1) * sizeof(uint32_t));
	for (uint32_t v = 0; v < s->node_count; v++)
		out[v] = groups_intern(g, keys[v], class_of[v]);
	free(keys);
	return out;
}

static void count_groups(struct snapshot_digest *d, const struct heap_snapshot *s, const uint32_t *group_of)
{
	for (uint32_t n = 0; n < s->node_count; n++) {
		uint32_t g = group_of[n];
		if (g >= d->group_len) {
			size_t len = d->group_len;
			lh_grow((void **)&d->groups, &d->group_len, (size_t)g + 1, sizeof(*d->groups));
			memset(d->groups + len, 0, (d->group_len - len) * sizeof(*d->groups));
		}
		d->groups[g].count++;
		d->groups[g].self_size += heap_node_self_size(s, n);
	}
}

static void digest_classes_and_ids(struct snapshot_digest *d, const struct heap_snapshot *s, struct strmap *series,
				   struct series_groups *groups)
{
	struct heap_classes *classes = heap_classes_compute(s);
	size_t local_cap = heap_class_count(classes);
	uint32_t *to_series = lh_malloc(local_cap * sizeof(uint32_t));
	memset(to_series, 0xff, local_cap * sizeof(uint32_t));
	uint8_t *dom = heap_dom_states(s);
	uint32_t *class_of = lh_malloc((size_t)s->node_count * sizeof(uint32_t));
	for (uint32_t n = 0; n < s->node_count; n++) {
		uint32_t local = heap_class_id(classes, n);
		if (to_series[local] == UINT32_MAX)
			to_series[local] = strmap_intern(series, heap_class_name_of_id(classes, local));
		uint32_t cls = to_series[local];
		class_of[n] = cls;
		if (cls >= d->class_len) {
			size_t len = d->class_len;
			lh_grow((void **)&d->classes, &d->class_len, (size_t)cls + 1, sizeof(*d->classes));
			memset(d->classes + len, 0, (d->class_len - len) * sizeof(*d->classes));
		}
		uint64_t size = heap_node_self_size(s, n);
		d->classes[cls].count++;
		d->classes[cls].self_size += size;
		if (dom && dom[n] == DOM_DETACHED) {
			d->detached_count++;
			d->detached_size += size;
		}
		if (is_string_kind(heap_node_kind(s, n))) {
			d->string_count++;
			d->string_size += size;
		}
		if (s->node_id[n] & 1) /* V8's own objects; embedder ids (even) follow no order */
			d->max_id = LH_MAX(d->max_id, s->node_id[n]);
	}
	free(dom);
	free(to_series);
	heap_classes_free(classes);
	uint32_t *group_of = groups ? group_ids(s, class_of, groups) : NULL;
	if (group_of)
		count_groups(d, s, group_of);

	/* Sort (id, fingerprint) keys; carry each entry's class along through the ordinal in the low bits. */
	d->id_count = s->node_count;
	uint64_t *keys = lh_malloc(LH_MAX(d->id_count, 1) * sizeof(uint64_t));
	uint64_t *tmp = lh_malloc(LH_MAX(d->id_count, 1) * sizeof(uint64_t));
	for (uint32_t n = 0; n < s->node_count; n++)
		keys[n] = (uint64_t)s->node_id[n] << 32 | n;
	lh_radix_sort_u64(keys, tmp, d->id_count, 64);
	d->ids = tmp;
	d->id_class = lh_malloc(LH_MAX(d->id_count, 1) * sizeof(uint32_t));
	d->id_size = lh_malloc(LH_MAX(d->id_count, 1) * sizeof(uint64_t));
	d->id_type = lh_malloc(LH_MAX(d->id_count, 1));
	d->id_group = group_of ? lh_malloc(LH_MAX(d->id_count, 1) * sizeof(uint32_t)) : NULL;
	uint32_t *hashes = string_hashes(s);
	for (size_t i = 0; i < d->id_count; i++) {
		uint32_t n = (uint32_t)keys[i];
		d->ids[i] = (keys[i] & 0xffffffff00000000ull) | fingerprint(s, hashes, n);
		d->id_class[i] = class_of[n];
		d->id_size[i] = heap_node_self_size(s, n);
		d->id_type[i] = s->node_type[n];
		if (group_of)
			d->id_group[i] = group_of[n];
	}
	free(group_of);
	free(hashes);
	free(keys);
	free(class_of);
}

void digest_build(struct snapshot_digest *d, const struct heap_snapshot *s, const char *path, struct strmap *classes,
		  struct series_groups *groups)
{
	memset(d, 0, sizeof(*d));
	d->path = lh_strdup(path);
	struct stat st;
	if (strcmp(path, "-") && stat(path, &st) == 0)
		d->time = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
	d->nodes = s->node_count;
	d->edges = s->edge_count;
	d->type_count = s->format.node_type_count;
	for (unsigned t = 0; t < d->type_count; t++)
		d->type_names[t] = lh_strdup(s->format.node_types[t]);
	for (uint32_t n = 0; n < s->node_count; n++)
		d->self_size += heap_node_self_size(s, n);
	digest_roots(d, s);
	digest_classes_and_ids(d, s, classes, groups);
}

void series_groups_free(struct series_groups *g)
{
	free(g->slot_key);
	free(g->slot_id);
	free(g->cls);
	memset(g, 0, sizeof(*g));
}

void digest_drop_ids(struct snapshot_digest *d)
{
	free(d->ids);
	free(d->id_class);
	free(d->id_size);
	free(d->id_type);
	free(d->id_group);
	d->id_group = NULL;
	d->ids = NULL;
	d->id_class = NULL;
	d->id_size = NULL;
	d->id_type = NULL;
	d->id_count = 0;
}

void digest_free(struct snapshot_digest *d)
{
	for (size_t i = 0; i < d->root_count; i++)
		free(d->root_names[i]);
	for (unsigned t = 0; t < d->type_count; t++)
		free(d->type_names[t]);
	free(d->root_names);
	free(d->root_edges);
	free(d->classes);
	free(d->groups);
	digest_drop_ids(d);
	free(d->path);
	memset(d, 0, sizeof(*d));
}

size_t digest_find(const struct snapshot_digest *d, uint32_t id)
{
	size_t lo = 0, hi = d->id_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uint32_t)(d->ids[mid] >> 32) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->id_count && (uint32_t)(d->ids[lo] >> 32) == id ? lo : SIZE_MAX;
}

bool digest_same_object_in(const struct snapshot_digest *a, size_t at, const struct snapshot_digest *b)
{
	size_t there = digest_find(b, (uint32_t)(a->ids[at] >> 32));
	return there != SIZE_MAX && b->ids[there] == a->ids[at];
}

bool digest_same_process(const struct snapshot_digest *a, const struct snapshot_digest *b, struct lh_error *err)
{
	if (b->max_id < a->max_id)
		return lh_error_at(err, LH_NO_OFFSET,
				   "not a later snapshot of the process that wrote %s: its largest object id (%u) is "
				   "below that one's (%u), and V8 never reuses ids",
				   a->path, b->max_id, a->max_id);
	/* Objects that survive keep their id and their type and name. */
	uint64_t shared = 0, differ = 0;
	size_t i = 0, j = 0;
	while (i < a->id_count && j < b->id_count) {
		uint32_t x = (uint32_t)(a->ids[i] >> 32), y = (uint32_t)(b->ids[j] >> 32);
		if (x < y) {
			i++;
		} else if (y < x) {
			j++;
		} else {
			bool v8_object = x & 1;
			shared += v8_object;
			differ += v8_object && (uint32_t)a->ids[i] != (uint32_t)b->ids[j];
			i++;
			j++;
		}
	}
	if (shared == 0 || differ * 20 > shared)
		return lh_error_at(err, LH_NO_OFFSET,
				   "not a snapshot of the process that wrote %s: of %llu node ids the two share, "
				   "%llu name different objects",
				   a->path, (unsigned long long)shared, (unsigned long long)differ);
	return true;
}

uint64_t digest_root_edges(const struct snapshot_digest *d, const char *name, size_t nth)
{
	for (size_t i = 0; i < d->root_count; i++)
		if (!strcmp(d->root_names[i], name) && nth-- == 0)
			return d->root_edges[i];
	return 0;
}
