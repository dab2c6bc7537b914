/*
 * class_stats.c - the Summary view's aggregates (class_stats.h).
 *
 * Class ids come from interning class names; a node's name string and its
 * type decide its class, so the interning runs once per distinct string or
 * type, not once per node. The retained sizes walk the dominator tree
 * depth-first with an explicit stack, keeping per class the number of
 * counted instances on the current path.
 */
#include "class_stats.h"

#include "classname.h"

#define LEAVING (1u << 31)

/* Class id of every node. */
static uint32_t *classify(const struct heap_snapshot *s, struct strmap *names)
{
	uint32_t *of_string = lh_malloc((size_t)LH_MAX(s->string_count, 1) * sizeof(uint32_t));
	uint32_t of_type[HEAP_MAX_TYPES];
	memset(of_string, 0xff, (size_t)s->string_count * sizeof(uint32_t));
	memset(of_type, 0xff, sizeof(of_type));
	uint32_t *class_of = lh_malloc((size_t)s->node_count * sizeof(uint32_t));
	for (uint32_t n = 0; n < s->node_count; n++) {
		bool named = heap_class_is_named(heap_node_kind(s, n));
		uint32_t *slot = named ? &of_string[s->node_name[n]] : &of_type[s->node_type[n]];
		if (*slot == UINT32_MAX) {
			char *name = heap_class_name(s, n);
			*slot = strmap_intern(names, name);
			free(name);
		}
		class_of[n] = *slot;
	}
	free(of_string);
	return class_of;
}

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

struct class_stats *class_stats_compute(const struct heap_snapshot *s, const struct retention *r)
{
	struct class_stats *c = lh_calloc(1, sizeof(*c));
	uint32_t *class_of = classify(s, &c->names);
	c->count = c->names.count;
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
	strmap_free(&c->names);
	free(c->rows);
	free(c);
}
