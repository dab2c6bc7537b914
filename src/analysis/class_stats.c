/*
 * class_stats.c - the Summary view's aggregates (class_stats.h).
 *
 * The retained sizes walk the dominator tree depth-first with an explicit
 * stack, keeping per class the number of counted instances on the current
 * path.
 */
#include "class_stats.h"


#define LEAVING (1u << 31)

/* Children lists of the dominator tree: node n's are child[first[n] .. first[n+1]). */
static void dominator_children(const struct heap_snapshot *s, const struct retention *r, uint32_t **first_out,
			       uint32_t **child_out)
{
	uint32_t *first = lh_calloc((size_t)s->node_count + 1, sizeof(uint32_t));
	uint32_t *child = lh_malloc((size_t)LH_MAX(s->node_count, 1) * sizeof(uint32_t));
	for (uint32_t n = 0; n < s->node_count; n++)
		if (n != s->root)
			first[r->dominator[n] + 1]++;
	for (uint32_t n = 0; n < s->node_count; n++)
		first[n + 1] += first[n];
	uint32_t *next = lh_malloc(((size_t)s->node_count + 1) * sizeof(uint32_t));
	memcpy(next, first, ((size_t)s->node_count + 1) * sizeof(uint32_t));
	for (uint32_t n = 0; n < s->node_count; n++)
		if (n != s->root)
			child[next[r->dominator[n]]++] = n;
	free(next);
	*first_out = first;
	*child_out = child;
}

static void sum_retained(const struct heap_snapshot *s, const struct retention *r, const uint32_t *class_of,
			 struct class_stats *c)
{
	uint32_t *first, *child;
	dominator_children(s, r, &first, &child);
	uint32_t *on_path = lh_calloc(LH_MAX(c->count, 1), sizeof(uint32_t));
	/* Each node is pushed once, plus once more to leave it when it was counted. */
	uint32_t *stack = lh_malloc(2 * ((size_t)s->node_count + 1) * sizeof(uint32_t));
	size_t top = 0;
	stack[top++] = s->root;
	while (top) {
		uint32_t item = stack[--top];
		if (item & LEAVING) {
			on_path[class_of[item & ~LEAVING]]--;
			continue;
		}
		uint32_t cls = class_of[item];
		if (r->self_size[item] && !on_path[cls]) {
			c->rows[cls].retained_size += r->retained_size[item];
			on_path[cls]++;
			stack[top++] = item | LEAVING;
		}
		for (uint32_t i = first[item]; i < first[item + 1]; i++)
			stack[top++] = child[i];
	}
	free(stack);
	free(on_path);
	free(first);
	free(child);
}

static size_t classes_used(const uint32_t *class_of, uint32_t nodes)
{
	uint32_t max = 0;
	for (uint32_t n = 0; n < nodes; n++)
		max = LH_MAX(max, class_of[n]);
	return (size_t)max + 1;
}

struct class_stats *class_stats_compute(const struct heap_snapshot *s, const struct retention *r,
					struct heap_classes *classes)
{
	struct class_stats *c = lh_calloc(1, sizeof(*c));
	/* The dominator walk needs each node's class in an order of its own: keep them for it. */
	uint32_t *class_of = lh_malloc((size_t)LH_MAX(s->node_count, 1) * sizeof(uint32_t));
	for (uint32_t n = 0; n < s->node_count; n++)
		class_of[n] = heap_class_id(classes, n);
	c->classes = classes;
	c->count = classes_used(class_of, s->node_count);
	c->rows = lh_calloc(LH_MAX(c->count, 1), sizeof(*c->rows));
	for (size_t i = 0; i < c->count; i++)
		c->rows[i] = (struct class_row){ .id = (uint32_t)i, .distance = INT32_MAX };
	for (uint32_t n = 0; n < s->node_count; n++) {
		if (!r->self_size[n])
			continue;
		struct class_row *row = &c->rows[class_of[n]];
		row->count++;
		row->self_size += r->self_size[n];
		row->distance = LH_MIN(row->distance, r->distance[n]);
	}
	sum_retained(s, r, class_of, c);
	free(class_of);
	return c;
}

void class_stats_free(struct class_stats *c)
{
	if (!c)
		return;
	free(c->rows);
	free(c);
}
