/*
 * detached.c - DevTools' propagateDOMState (detached.h), with the same
 * order of work: known states in node order, then attached nodes spread
 * from a stack, then detached ones. A node takes the first state that
 * reaches it; JavaScript nodes stop the spread.
 */
#include "detached.h"

struct spread {
	const struct heap_snapshot *s;
	uint8_t *state;
	uint8_t *visited;
	uint32_t *attached, *detached;
	size_t attached_len, detached_len;
};

static void process(struct spread *p, uint32_t n, uint8_t state)
{
	if (p->visited[n])
		return;
	p->visited[n] = 1;
	if (heap_node_kind(p->s, n) != HEAP_NODE_NATIVE)
		return;
	p->state[n] = state;
	if (state == DOM_ATTACHED)
		p->attached[p->attached_len++] = n;
	else if (state == DOM_DETACHED)
		p->detached[p->detached_len++] = n;
}

static void spread_from(struct spread *p, uint32_t n, uint8_t state)
{
	const struct heap_snapshot *s = p->s;
	for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n); e++) {
		enum heap_edge_kind kind = heap_edge_kind(s, e);
		if (kind != HEAP_EDGE_HIDDEN && kind != HEAP_EDGE_WEAK)
			process(p, heap_edge_to(s, e), state);
	}
}

uint8_t *heap_dom_states(const struct heap_snapshot *s)
{
	if (!s->node_detachedness)
		return NULL;
	size_t n = s->node_count;
	struct spread p = { .s = s };
	p.state = lh_calloc(n, 1);
	p.visited = lh_calloc(n, 1);
	p.attached = lh_malloc(n * sizeof(uint32_t));
	p.detached = lh_malloc(n * sizeof(uint32_t));
	for (uint32_t i = 0; i < s->node_count; i++)
		if (s->node_detachedness[i] != DOM_UNKNOWN)
			process(&p, i, s->node_detachedness[i]);
	while (p.attached_len)
		spread_from(&p, p.attached[--p.attached_len], DOM_ATTACHED);
	while (p.detached_len) {
		uint32_t d = p.detached[--p.detached_len];
		if (p.state[d] != DOM_ATTACHED)
			spread_from(&p, d, DOM_DETACHED);
	}
	free(p.visited);
	free(p.attached);
	free(p.detached);
	return p.state;
}
