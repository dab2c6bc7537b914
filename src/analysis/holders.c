/*
 * holders.c - holder keys and phrases (holders.h).
 *
 * One breadth-first pass from the root, in paths.c's order (edge order,
 * weak edges skipped), so a node's parent is keyed before it: a node's key
 * is its parent's path suffix extended by one step, or the step alone when
 * the step is named or the suffix is long enough. O(nodes + edges) time,
 * 13 bytes per node of scratch.
 */
#include "holders.h"

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t hash_string(const char *p)
{
	uint64_t h = 1469598103934665603ull;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

static bool has_digit(const char *p)
{
	for (; *p; p++)
		if (*p >= '0' && *p <= '9')
			return true;
	return false;
}

#define SLOT_LABEL 0x5107ull

/* Whether edge e (from parent) names its target by a position or a key rather than a fixed name. */
static bool is_slot(const struct heap_snapshot *s, uint32_t parent, uint32_t e)
{
	if (heap_edge_is_indexed(s, e))
		return true;
	return has_digit(heap_string(s, s->edge_name[e])) ||
	       (heap_edge_kind(s, e) == HEAP_EDGE_PROPERTY && heap_node_edge_count(s, parent) > HOLDERS_DICTIONARY_EDGES);
}

/* A step that names what holds the node: a fixed property name or a closure variable. */
static bool is_named(const struct heap_snapshot *s, uint32_t parent, uint32_t e)
{
	enum heap_edge_kind k = heap_edge_kind(s, e);
	return (k == HEAP_EDGE_PROPERTY || k == HEAP_EDGE_CONTEXT) && !is_slot(s, parent, e);
}

static uint64_t step_hash(const struct heap_snapshot *s, const uint32_t *class_of, uint32_t parent, uint32_t e)
{
	uint64_t label = is_slot(s, parent, e) ? SLOT_LABEL : hash_string(heap_string(s, s->edge_name[e]));
	return mix64(label ^ (uint64_t)heap_edge_kind(s, e) << 56 ^ (uint64_t)class_of[parent] << 24);
}

uint64_t *holders_keys(const struct heap_snapshot *s, const uint32_t *class_of)
{
	size_t n = s->node_count;
	uint64_t *suffix = lh_malloc(LH_MAX(n, 1) * sizeof(uint64_t));
	uint8_t *steps = lh_malloc(LH_MAX(n, 1));
	uint32_t *queue = lh_malloc(LH_MAX(n, 1) * sizeof(uint32_t));
	memset(steps, 0xff, n); /* 0xff: not reached yet */
	size_t head = 0, tail = 0;
	queue[tail++] = s->root;
	suffix[s->root] = 0;
	steps[s->root] = 0;
	while (head < tail) {
		uint32_t v = queue[head++];
		for (uint32_t e = heap_edge_begin(s, v); e < heap_edge_end(s, v); e++) {
			uint32_t to = heap_edge_to(s, e);
			if (steps[to] != 0xff || heap_edge_kind(s, e) == HEAP_EDGE_WEAK)
				continue;
			uint64_t step = step_hash(s, class_of, v, e);
			if (is_named(s, v, e) || steps[v] >= HOLDERS_MAX_STEPS) {
				suffix[to] = step;
				steps[to] = 1;
			} else {
				suffix[to] = mix64(suffix[v] ^ step);
				steps[to] = (uint8_t)(steps[v] + 1);
			}
			queue[tail++] = to;
		}
	}
	free(queue);
	/* The key, in place of the suffix: class and suffix; unreached nodes by class alone. */
	for (size_t i = 0; i < n; i++)
		suffix[i] = mix64((steps[i] == 0xff ? 0x0bad5eedull : suffix[i]) ^ ((uint64_t)class_of[i] * 0x9e3779b97f4a7c15ull));
	free(steps);
	return suffix;
}

/* 'reply-17' -> 'reply-*': digit runs of a key read as a wildcard. */
static void key_pattern(const char *name, char *buf, size_t size)
{
	size_t len = 0;
	for (const char *p = name; *p && len + 2 < size; p++) {
		if (*p >= '0' && *p <= '9') {
			if (len == 0 || buf[len - 1] != '*')
				buf[len++] = '*';
		} else {
			buf[len++] = *p;
		}
	}
	buf[len] = '\0';
}

static uint32_t edge_source_on_path(const struct heap_snapshot *s, const uint32_t *edges, size_t i)
{
	return i ? heap_edge_to(s, edges[i - 1]) : s->root;
}

/* The nearest named step at or above position i of the path, or SIZE_MAX. */
static size_t named_above(const struct heap_snapshot *s, const uint32_t *edges, size_t i)
{
	for (size_t k = i + 1; k-- > 0;)
		if (is_named(s, edge_source_on_path(s, edges, k), edges[k]))
			return k;
	return SIZE_MAX;
}

static const char *edge_name(const struct heap_snapshot *s, uint32_t e)
{
	return heap_string(s, s->edge_name[e]);
}

void holders_describe(const struct heap_snapshot *s, const uint32_t *edges, size_t length, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!length)
		return;
	/* The innermost key along the way ('reply-17'), then the named step that holds it all. */
	const char *key = NULL;
	size_t at = length;
	while (at-- > 0) {
		uint32_t from = edge_source_on_path(s, edges, at);
		if (is_named(s, from, edges[at]))
			break;
		enum heap_edge_kind k = heap_edge_kind(s, edges[at]);
		if (!key && (k == HEAP_EDGE_PROPERTY || k == HEAP_EDGE_CONTEXT))
			key = edge_name(s, edges[at]);
	}
	if (at == SIZE_MAX)
		return;
	const char *name = edge_name(s, edges[at]);
	const char *container = heap_node_name(s, heap_edge_to(s, edges[at]));
	const char *holder = heap_node_name(s, edge_source_on_path(s, edges, at));
	char pattern[80] = "";
	if (key)
		key_pattern(key, pattern, sizeof(pattern));
	bool inside = at + 1 < length; /* the node is in the container, not the container itself */
	if (inside && !strcmp(name, "_events")) { /* node's EventEmitter: listeners by event name */
		size_t owner = at ? named_above(s, edges, at - 1) : SIZE_MAX;
		snprintf(buf, size, "listeners of `%.60s`%s%.60s%s", owner != SIZE_MAX ? edge_name(s, edges[owner]) : holder,
			 *pattern ? " for '" : "", pattern, *pattern ? "'" : "");
	} else if (inside && (!strcmp(name, "_idleNext") || !strcmp(name, "_idlePrev"))) {
		snprintf(buf, size, "node's timer lists (timers never cleared)");
	} else if (inside && (!strcmp(container, "Map") || !strcmp(container, "WeakMap"))) {
		snprintf(buf, size, "entries of %s `%.60s`", container, name);
	} else if (inside && (!strcmp(container, "Set") || !strcmp(container, "WeakSet"))) {
		snprintf(buf, size, "members of %s `%.60s`", container, name);
	} else if (inside && !strcmp(container, "Array")) {
		snprintf(buf, size, "elements of Array `%.60s`", name);
	} else if (heap_edge_kind(s, edges[at]) == HEAP_EDGE_CONTEXT) {
		snprintf(buf, size, "closure variable `%.60s`", name);
	} else {
		snprintf(buf, size, "`.%.60s` of %.60s", name, *holder ? holder : heap_node_type_name(s, edge_source_on_path(s, edges, at)));
		/* a record in a collection ("`.customer` of Object, in elements of Array `bucket`") */
		char outer[200];
		holders_describe(s, edges, at, outer, sizeof(outer));
		size_t len = strlen(buf);
		if (*outer && strncmp(outer, "`.", 2) && len + 8 < size)
			snprintf(buf + len, size - len, ", in %s", outer);
	}
}
