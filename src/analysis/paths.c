/*
 * paths.c - shortest retainer paths (paths.h).
 */
#include "paths.h"

struct path_tree *path_tree_build(const struct heap_snapshot *s, bool follow_weak)
{
	struct path_tree *t = lh_calloc(1, sizeof(*t));
	t->follow_weak = follow_weak;
	size_t n = s->node_count;
	t->via_edge = lh_malloc(n * sizeof(uint32_t));
	t->depth = lh_malloc(n * sizeof(uint32_t));
	t->edge_source = lh_malloc(LH_MAX((size_t)s->edge_count, 1) * sizeof(uint32_t));
	memset(t->via_edge, 0xff, n * sizeof(uint32_t));
	memset(t->depth, 0xff, n * sizeof(uint32_t));
	for (uint32_t v = 0; v < s->node_count; v++)
		for (uint32_t e = heap_edge_begin(s, v); e < heap_edge_end(s, v); e++)
			t->edge_source[e] = v;
	uint32_t *queue = lh_malloc(n * sizeof(uint32_t));
	size_t head = 0, tail = 0;
	queue[tail++] = s->root;
	t->depth[s->root] = 0;
	while (head < tail) {
		uint32_t v = queue[head++];
		for (uint32_t e = heap_edge_begin(s, v); e < heap_edge_end(s, v); e++) {
			uint32_t to = heap_edge_to(s, e);
			if (t->depth[to] != UINT32_MAX || (!follow_weak && heap_edge_kind(s, e) == HEAP_EDGE_WEAK))
				continue;
			t->depth[to] = t->depth[v] + 1;
			t->via_edge[to] = e;
			queue[tail++] = to;
		}
	}
	free(queue);
	return t;
}

void path_tree_free(struct path_tree *t)
{
	if (!t)
		return;
	free(t->via_edge);
	free(t->depth);
	free(t->edge_source);
	free(t);
}

/* The shortest path to n, then `last` appended if given. */
static struct retainer_path path_through(const struct path_tree *t, uint32_t n, uint32_t last)
{
	struct retainer_path p = { 0 };
	size_t len = t->depth[n] + (last != UINT32_MAX);
	p.edges = lh_malloc(LH_MAX(len, 1) * sizeof(uint32_t));
	p.length = len;
	size_t i = len;
	if (last != UINT32_MAX)
		p.edges[--i] = last;
	for (uint32_t v = n; t->via_edge[v] != UINT32_MAX; v = t->edge_source[t->via_edge[v]])
		p.edges[--i] = t->via_edge[v];
	return p;
}

struct candidate {
	uint32_t edge;
	uint32_t depth;
};

static int by_depth(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->edge < y->edge ? -1 : x->edge > y->edge;
}

/* Whether the tree may use edge e: weak edges only when it follows them. */
static bool usable(const struct heap_snapshot *s, const struct path_tree *t, uint32_t e)
{
	return t->follow_weak || heap_edge_kind(s, e) != HEAP_EDGE_WEAK;
}

size_t paths_to(const struct heap_snapshot *s, const struct path_tree *t, uint32_t n, size_t max,
		struct retainer_path *out)
{
	if (t->depth[n] == UINT32_MAX || max == 0)
		return 0;
	if (n == s->root) {
		out[0] = (struct retainer_path){ 0, lh_malloc(sizeof(uint32_t)) };
		return 1;
	}
	out[0] = path_through(t, n, UINT32_MAX);
	if (max == 1)
		return 1;
	/* Other retainers reached by the tree, each giving one more path, shortest first. */
	size_t count = 0, cap = 0;
	struct candidate *c = NULL;
	for (uint32_t e = 0; e < s->edge_count; e++) {
		uint32_t from = t->edge_source[e];
		if (heap_edge_to(s, e) != n || from == n || t->depth[from] == UINT32_MAX || !usable(s, t, e))
			continue;
		lh_grow((void **)&c, &cap, count + 1, sizeof(*c));
		c[count++] = (struct candidate){ e, t->depth[from] };
	}
	if (count)
		qsort(c, count, sizeof(*c), by_depth);
	/* One path per distinct retainer: the first path's, then each other one's first edge. */
	uint32_t first_retainer = t->edge_source[t->via_edge[n]];
	size_t found = 1;
	for (size_t i = 0; i < count && found < max; i++) {
		uint32_t from = t->edge_source[c[i].edge];
		bool seen = from == first_retainer;
		for (size_t k = 0; k < i && !seen; k++)
			seen = t->edge_source[c[k].edge] == from;
		if (!seen)
			out[found++] = path_through(t, from, c[i].edge);
	}
	free(c);
	return found;
}

/* "Map @123" for path steps: the class-like name, or the type for strings and the like. */
static void step_label(const struct heap_snapshot *s, uint32_t n, char *buf, size_t size)
{
	const char *name = heap_node_name(s, n);
	if (!*name)
		snprintf(buf, size, "(%s) @%u", heap_node_type_name(s, n), s->node_id[n]);
	else
		snprintf(buf, size, "%.60s%s @%u", name, strlen(name) > 60 ? "..." : "", s->node_id[n]);
}

/* An edge as a path step reads it: ".table", "[17]", "internal 'map'". */
static void step_edge(const struct heap_snapshot *s, uint32_t e, char *buf, size_t size)
{
	switch (heap_edge_kind(s, e)) {
	case HEAP_EDGE_ELEMENT:
	case HEAP_EDGE_HIDDEN:
		snprintf(buf, size, "[%u]", s->edge_name[e]);
		break;
	case HEAP_EDGE_PROPERTY:
		snprintf(buf, size, ".%.60s", heap_string(s, s->edge_name[e]));
		break;
	case HEAP_EDGE_CONTEXT:
		snprintf(buf, size, "(closure var) %.60s", heap_string(s, s->edge_name[e]));
		break;
	default:
		snprintf(buf, size, "(%s) %.60s", heap_edge_type_name(s, e), heap_string(s, s->edge_name[e]));
		break;
	}
}

char *path_describe(const struct heap_snapshot *s, const struct retainer_path *p)
{
	size_t cap = 0, len = 0;
	char *out = NULL;
	lh_grow((void **)&out, &cap, 1, 1);
	out[0] = '\0';
	for (size_t k = 0; k < p->length; k++) {
		uint32_t e = p->edges[k];
		char step[160], edge[100], piece[300];
		step_label(s, heap_edge_to(s, e), step, sizeof(step));
		if (k == 0) {
			snprintf(piece, sizeof(piece), "%s", step);
		} else {
			step_edge(s, e, edge, sizeof(edge));
			snprintf(piece, sizeof(piece), " %s -> %s", edge, step);
		}
		size_t n = strlen(piece);
		lh_grow((void **)&out, &cap, len + n + 1, 1);
		memcpy(out + len, piece, n + 1);
		len += n;
	}
	return out;
}
