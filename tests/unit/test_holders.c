/*
 * test_holders.c - holder keys and phrases (src/analysis/holders.h) on a
 * hand-made heap:
 *
 *   (root) -[1]-> system / Context (module) -byToken-> Map A -table-> (array) -"3"-> Session s1
 *                                                                           -"5"-> Session s2
 *                                           -sessions-> Map B -table-> (array) -"3"-> Session s3
 *                                           -bus-> EventEmitter ._events-> Object .reply-17-> closure f1
 *                                                                                 .reply-18-> closure f2
 *                                           -handlers-> Array [0]-> closure h1, [1]-> closure h2
 *   (root) -[2]-> system / Context (another) -byToken-> Map C -table-> (array) -"3"-> Session s4
 *                                            -bucket-> Array [0]-> Object .customer-> Customer c1
 *
 * Expected, by the rules of holders.h: slots ("3", "5", [0], [1]) and
 * key-like names (reply-17, reply-18) collapse, so s1 and s2, f1 and f2, h1
 * and h2 share a key; the named step (byToken vs sessions) splits s1 from
 * s3; what lies above the named step does not, so s4 (another context's
 * byToken) shares s1's key; and the phrases name the structures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../src/analysis/holders.h"
#include "../../src/analysis/paths.h"
#include "snapshot_builder.h"

struct heap {
	struct graph g;
	struct heap_snapshot *s;
	uint32_t *class_of;
	uint64_t *keys;
	uint32_t s1, s2, s3, s4, f1, f2, h1, h2, c1, map_a;
};

static void build(struct heap *h)
{
	struct graph *g = &h->g;
	graph_init(g, "holders");
	uint32_t root = node(g, "synthetic", "", 0);
	uint32_t ctx = node(g, "object", "system / Context", 40), ctx2 = node(g, "object", "system / Context", 40);
	edge_index(g, root, "element", 1, ctx);
	edge_index(g, root, "element", 2, ctx2);
	uint32_t map_a = node(g, "object", "Map", 32), tab_a = node(g, "array", "", 64);
	uint32_t map_b = node(g, "object", "Map", 32), tab_b = node(g, "array", "", 64);
	uint32_t map_c = node(g, "object", "Map", 32), tab_c = node(g, "array", "", 64);
	edge(g, ctx, "context", "byToken", map_a);
	edge(g, ctx, "context", "sessions", map_b);
	edge(g, ctx2, "context", "byToken", map_c);
	edge(g, map_a, "internal", "table", tab_a);
	edge(g, map_b, "internal", "table", tab_b);
	edge(g, map_c, "internal", "table", tab_c);
	h->s1 = node(g, "object", "Session", 48);
	h->s2 = node(g, "object", "Session", 48);
	h->s3 = node(g, "object", "Session", 48);
	h->s4 = node(g, "object", "Session", 48);
	edge(g, tab_a, "internal", "3", h->s1);
	edge(g, tab_a, "internal", "5", h->s2);
	edge(g, tab_b, "internal", "3", h->s3);
	edge(g, tab_c, "internal", "3", h->s4);
	uint32_t bus = node(g, "object", "EventEmitter", 40), events = node(g, "object", "Object", 40);
	edge(g, ctx, "context", "bus", bus);
	edge(g, bus, "property", "_events", events);
	h->f1 = node(g, "closure", "", 32);
	h->f2 = node(g, "closure", "", 32);
	edge(g, events, "property", "reply-17", h->f1);
	edge(g, events, "property", "reply-18", h->f2);
	uint32_t handlers = node(g, "object", "Array", 16);
	edge(g, ctx, "context", "handlers", handlers);
	h->h1 = node(g, "closure", "", 32);
	h->h2 = node(g, "closure", "", 32);
	edge_index(g, handlers, "element", 0, h->h1);
	edge_index(g, handlers, "element", 1, h->h2);
	uint32_t bucket = node(g, "object", "Array", 16), record = node(g, "object", "Object", 24);
	h->c1 = node(g, "object", "Customer", 24);
	edge(g, ctx2, "context", "bucket", bucket);
	edge_index(g, bucket, "element", 0, record);
	edge(g, record, "property", "customer", h->c1);
	h->map_a = map_a;
	h->s = graph_read(g);
	/* Classes: one id per node name, closures by their type. */
	struct strmap names = { 0 };
	h->class_of = malloc(h->s->node_count * sizeof(uint32_t));
	for (uint32_t n = 0; n < h->s->node_count; n++)
		h->class_of[n] = strmap_intern(&names, *heap_node_name(h->s, n) ? heap_node_name(h->s, n) : heap_node_type_name(h->s, n));
	strmap_free(&names);
	h->keys = holders_keys(h->s, h->class_of);
}

static void release(struct heap *h)
{
	free(h->keys);
	free(h->class_of);
	heap_snapshot_free(h->s);
	graph_free(&h->g);
}

static void test_keys(void **state)
{
	(void)state;
	struct heap h;
	build(&h);
	assert_true(h.keys[h.s1] == h.keys[h.s2]);   /* slots of one Map */
	assert_true(h.keys[h.s1] != h.keys[h.s3]);   /* byToken vs sessions */
	assert_true(h.keys[h.s1] == h.keys[h.s4]);   /* above the named step does not count */
	assert_true(h.keys[h.f1] == h.keys[h.f2]);   /* reply-17, reply-18: key-like names */
	assert_true(h.keys[h.h1] == h.keys[h.h2]);   /* array indices */
	assert_true(h.keys[h.f1] != h.keys[h.h1]);   /* closures held by different structures */
	assert_true(h.keys[h.s1] != h.keys[h.map_a]); /* another class */
	release(&h);
}

static void expect_phrase(const struct heap *h, const struct path_tree *t, uint32_t n, const char *want)
{
	struct retainer_path p;
	assert_int_equal(paths_to(h->s, t, n, 1, &p), 1);
	char buf[200];
	holders_describe(h->s, p.edges, p.length, buf, sizeof(buf));
	free(p.edges);
	assert_string_equal(buf, want);
}

static void test_phrases(void **state)
{
	(void)state;
	struct heap h;
	build(&h);
	struct path_tree *t = path_tree_build(h.s, false);
	expect_phrase(&h, t, h.s1, "entries of Map `byToken`");
	expect_phrase(&h, t, h.s3, "entries of Map `sessions`");
	expect_phrase(&h, t, h.f1, "listeners of `bus` for 'reply-*'");
	expect_phrase(&h, t, h.h2, "elements of Array `handlers`");
	expect_phrase(&h, t, h.map_a, "closure variable `byToken`");
	expect_phrase(&h, t, h.c1, "`.customer` of Object, in elements of Array `bucket`");
	path_tree_free(t);
	release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_phrases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
