/*
 * summary.c - counts by type and class, GC roots and fan-out (summary.h).
 *
 * Classes are DevTools' Summary names (classes.h), interfaces included.
 *
 * A fan-out breakdown sorts the node's edge targets (radix sort), counts
 * runs, keeps the largest few, then scans the edges once more to fill each
 * group's example edge and whether the group's names or types vary.
 */
#include "summary.h"

#include "../common/sort.h"
#include "classes.h"
#include "classname.h"

double summary_edge_share(const struct heap_snapshot *s, uint64_t edges)
{
	return s->edge_count ? 100.0 * (double)edges / (double)s->edge_count : 0.0;
}

uint64_t summary_handle_bytes(const struct heap_snapshot *s, uint32_t root_node, uint64_t edges)
{
	static const char *const handle_roots[] = { "(Handle scope)", "(Global handles)", "(Eternal handles)",
						    "(Traced handles)" };
	const char *name = heap_node_name(s, root_node);
	for (size_t i = 0; i < LH_ARRAY_LEN(handle_roots); i++)
		if (!strcmp(name, handle_roots[i]))
			return edges * SUMMARY_HANDLE_SLOT_BYTES;
	return 0;
}

/* MARK: - Types and classes */

static void count_types(const struct heap_snapshot *s, struct heap_summary *sum)
{
	sum->type_count = s->format.node_type_count;
	sum->types = lh_calloc(sum->type_count, sizeof(*sum->types));
	for (size_t t = 0; t < sum->type_count; t++)
		sum->types[t].type = s->format.node_types[t];
	for (uint32_t n = 0; n < s->node_count; n++) {
		struct summary_count *c = &sum->types[s->node_type[n]].total;
		c->count++;
		c->self_size += heap_node_self_size(s, n);
		sum->total_self_size += heap_node_self_size(s, n);
	}
}

static int by_count_desc(const void *a, const void *b)
{
	const struct summary_class_row *x = a, *y = b;
	if (x->total.count != y->total.count)
		return x->total.count < y->total.count ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_size_desc(const void *a, const void *b)
{
	const struct summary_class_row *x = a, *y = b;
	if (x->total.self_size != y->total.self_size)
		return x->total.self_size < y->total.self_size ? 1 : -1;
	return strcmp(x->name, y->name);
}

static struct summary_class_row *top_rows(struct summary_class_row *rows, size_t count, size_t top,
					  int (*order)(const void *, const void *))
{
	qsort(rows, count, sizeof(*rows), order);
	struct summary_class_row *out = lh_calloc(LH_MAX(top, 1), sizeof(*out));
	for (size_t i = 0; i < top; i++) {
		out[i] = rows[i];
		out[i].name = lh_strdup(rows[i].name);
	}
	return out;
}

/* Counts per class, every node counted (DevTools' Summary leaves out zero-size nodes; leakhound does not). */
static void count_classes(const struct heap_snapshot *s, struct heap_summary *sum, size_t top)
{
	struct heap_classes *classes = heap_classes_compute(s);
	struct summary_count *per_class = lh_calloc(heap_class_count(classes), sizeof(*per_class));
	size_t count = 0;
	for (uint32_t n = 0; n < s->node_count; n++) {
		uint32_t id = heap_class_id(classes, n);
		per_class[id].count++;
		per_class[id].self_size += heap_node_self_size(s, n);
		count = LH_MAX(count, (size_t)id + 1);
	}
	struct summary_class_row *rows = lh_calloc(LH_MAX(count, 1), sizeof(*rows));
	size_t used = 0;
	for (size_t i = 0; i < count; i++) /* interfaces no node ended up in are no class */
		if (per_class[i].count)
			rows[used++] = (struct summary_class_row){ (char *)heap_class_name_of_id(classes, (uint32_t)i),
								   per_class[i] };
	count = used;
	free(per_class);
	sum->class_count = count;
	sum->top_count = LH_MIN(top, count);
	sum->by_count = top_rows(rows, count, sum->top_count, by_count_desc);
	sum->by_size = top_rows(rows, count, sum->top_count, by_size_desc);
	free(rows);
	heap_classes_free(classes);
}

/* MARK: - Fan-out breakdown */

/* Whether a node's name says what it is (e.g. "Foo", "system / Oddball") rather than holding its content. */
static bool name_is_class(enum heap_node_kind kind)
{
	return kind == HEAP_NODE_OBJECT || kind == HEAP_NODE_NATIVE || kind == HEAP_NODE_HIDDEN ||
	       kind == HEAP_NODE_SYNTHETIC || kind == HEAP_NODE_ARRAY || kind == HEAP_NODE_OBJECT_SHAPE;
}

static uint64_t group_key(const struct heap_snapshot *s, uint32_t e)
{
	uint32_t t = heap_edge_to(s, e);
	uint32_t name = name_is_class(heap_node_kind(s, t)) ? s->node_name[t] : 0;
	return (uint64_t)heap_edge_type(s, e) << 40 | (uint64_t)s->node_type[t] << 32 | name;
}

/* Keeps groups[] sorted by edges, descending, holding the largest SUMMARY_MAX_GROUPS runs. */
static void keep_group(struct summary_fanout *f, uint64_t key, uint64_t edges)
{
	size_t i = f->group_count;
	if (i == SUMMARY_MAX_GROUPS) {
		if (edges <= f->groups[i - 1].edges)
			return;
		i--;
	} else {
		f->group_count++;
	}
	while (i > 0 && f->groups[i - 1].edges < edges) {
		f->groups[i] = f->groups[i - 1];
		i--;
	}
	f->groups[i] = (struct summary_target_group){ .key = key, .edge = UINT32_MAX, .edges = edges };
}

/* Calls keep(run value, run length) for each run of equal values in sorted a[0..n). */
static uint64_t count_runs(const uint64_t *a, size_t n, struct summary_fanout *f)
{
	uint64_t runs = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && a[j] == a[i])
			j++;
		runs++;
		if (f)
			keep_group(f, a[i], j - i);
		i = j;
	}
	return runs;
}

static void fill_group_examples(const struct heap_snapshot *s, struct summary_fanout *f)
{
	for (uint32_t e = heap_edge_begin(s, f->node); e < heap_edge_end(s, f->node); e++) {
		uint64_t key = group_key(s, e);
		for (size_t g = 0; g < f->group_count; g++) {
			struct summary_target_group *grp = &f->groups[g];
			if (grp->key != key)
				continue;
			if (grp->edge == UINT32_MAX) {
				grp->edge = e;
			} else {
				grp->names_vary |= s->edge_name[e] != s->edge_name[grp->edge];
				grp->targets_vary |= heap_edge_to(s, e) != heap_edge_to(s, grp->edge);
			}
			break;
		}
	}
}

static void break_down(const struct heap_snapshot *s, uint32_t node, struct summary_fanout *f)
{
	memset(f, 0, sizeof(*f));
	f->node = node;
	uint32_t begin = heap_edge_begin(s, node), n = heap_edge_end(s, node) - begin;
	f->edges = n;
	if (!n)
		return;
	uint64_t *keys = lh_malloc((size_t)n * sizeof(*keys));
	uint64_t *scratch = lh_malloc((size_t)n * sizeof(*scratch));
	for (uint32_t i = 0; i < n; i++)
		keys[i] = heap_edge_to(s, begin + i);
	lh_radix_sort_u64(keys, scratch, n, 32);
	f->distinct_targets = count_runs(keys, n, NULL);
	for (uint32_t i = 0; i < n; i++)
		keys[i] = group_key(s, begin + i);
	lh_radix_sort_u64(keys, scratch, n, 48);
	count_runs(keys, n, f);
	free(keys);
	free(scratch);
	fill_group_examples(s, f);
}

/* MARK: - GC roots and fan-out */

uint32_t summary_gc_roots(const struct heap_snapshot *s)
{
	for (uint32_t e = heap_edge_begin(s, s->root); e < heap_edge_end(s, s->root); e++) {
		uint32_t t = heap_edge_to(s, e);
		if (heap_node_kind(s, t) == HEAP_NODE_SYNTHETIC && !strcmp(heap_node_name(s, t), "(GC roots)"))
			return t;
	}
	return UINT32_MAX;
}

static void list_roots(const struct heap_snapshot *s, struct heap_summary *sum)
{
	sum->gc_roots = summary_gc_roots(s);
	if (sum->gc_roots == UINT32_MAX)
		return;
	uint32_t begin = heap_edge_begin(s, sum->gc_roots), end = heap_edge_end(s, sum->gc_roots);
	sum->roots = lh_calloc(LH_MAX(end - begin, 1), sizeof(*sum->roots));
	for (uint32_t e = begin; e < end; e++)
		break_down(s, heap_edge_to(s, e), &sum->roots[sum->root_count++]);
}

static void rank_fanout(const struct heap_snapshot *s, struct heap_summary *sum, size_t top)
{
	uint32_t *best = lh_calloc(LH_MAX(top, 1), sizeof(*best));
	size_t kept = 0;
	for (uint32_t n = 0; n < s->node_count && top; n++) {
		uint32_t edges = heap_node_edge_count(s, n);
		if (!edges || (kept == top && edges <= heap_node_edge_count(s, best[kept - 1])))
			continue;
		size_t i = kept < top ? kept++ : kept - 1;
		while (i > 0 && heap_node_edge_count(s, best[i - 1]) < edges) {
			best[i] = best[i - 1];
			i--;
		}
		best[i] = n;
	}
	sum->fanout_count = kept;
	sum->fanout = lh_calloc(LH_MAX(kept, 1), sizeof(*sum->fanout));
	for (size_t i = 0; i < kept; i++)
		break_down(s, best[i], &sum->fanout[i]);
	free(best);
}

struct heap_summary *heap_summary_compute(const struct heap_snapshot *s, const struct summary_options *opts)
{
	struct heap_summary *sum = lh_calloc(1, sizeof(*sum));
	count_types(s, sum);
	if (opts->top) /* no ranked tables wanted (as by `roots`): spare the class inference */
		count_classes(s, sum, opts->top);
	list_roots(s, sum);
	rank_fanout(s, sum, opts->top);
	return sum;
}

void heap_summary_free(struct heap_summary *sum)
{
	if (!sum)
		return;
	for (size_t i = 0; i < sum->top_count; i++) {
		free(sum->by_count[i].name);
		free(sum->by_size[i].name);
	}
	free(sum->by_count);
	free(sum->by_size);
	free(sum->types);
	free(sum->roots);
	free(sum->fanout);
	free(sum);
}
