/*
 * test_retention.c - retention_compute() (dominators, retained sizes,
 * distances in the devtools, memlab and all-edges modes), the WeakMap edge
 * name parser, and the retainer paths of paths.h, on tiny hand-built
 * graphs with hand-computed answers.
 *
 * Each graph is written as real V8-layout snapshot text (7 node fields and
 * every section V8 writes) by snapshot_builder.h, read back with
 * heap_snapshot_read(), and analysed. Node ordinal n gets id 2n+1 (so the
 * root is @1). Every expected number is worked out by hand in the comment
 * next to its graph from the rules in /work/shared/heapsnapshot-format.md
 * sections 6 (DevTools) and 7 (memlab); none is taken from leakhound.
 *
 * Set LH_TEST_SNAPSHOT_DIR=DIR to also keep each graph as
 * DIR/<name>.heapsnapshot: the DevTools and memlab oracles
 * (tests/oracles/devtools/dump.mjs, tests/oracles/memlab/dump.js) can then
 * be run on them to confirm the hand-computed answers, as was done when
 * this file was written (the orphan, clique and WeakMap cases encode those
 * tools' own conventions).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../src/analysis/paths.h"
#include "../../src/analysis/retention.h"
#include "snapshot_builder.h"

#define SYS RETENTION_SYSTEM_DISTANCE
#define NONE RETENTION_NO_DISTANCE
#define NO_DEPTH UINT32_MAX

/*
 * What a test allocates, freed by teardown() even when an assertion fails
 * part-way (cmocka leaves the test by longjmp), so that a failing test
 * reports its failure and not leaks as well under ASan.
 */
struct fixture {
	struct graph g;
	struct heap_snapshot *s;
	struct retention *r;
	struct path_tree *t;
	struct retainer_path p[8];
	size_t count;             /* paths in p */
	void *extra[3];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	return 0;
}

static void free_paths(struct fixture *f)
{
	for (size_t i = 0; i < f->count; i++)
		free(f->p[i].edges);
	memset(f->p, 0, sizeof(f->p));
	f->count = 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free_paths(f);
	path_tree_free(f->t);
	retention_free(f->r);
	heap_snapshot_free(f->s);
	graph_free(&f->g);
	for (size_t i = 0; i < LH_ARRAY_LEN(f->extra); i++)
		free(f->extra[i]);
	free(f);
	return 0;
}

/* MARK: - Expectations */

/*
 * What one mode must give for every node, by ordinal. self may be NULL
 * (then the raw self sizes of the graph are expected).
 */
struct expect {
	enum retention_mode mode;
	const uint32_t *dominator;   /* ordinals */
	const uint64_t *retained;
	const uint64_t *self;
	const int32_t *distance;
	uint32_t unreachable;
};

static void check(struct fixture *f, const struct expect *x)
{
	const struct heap_snapshot *s = f->s;
	const struct graph *g = &f->g;
	retention_free(f->r);
	struct retention *r = f->r = retention_compute(s, x->mode);
	assert_non_null(r);
	const char *mode = retention_mode_name(x->mode);
	assert_int_equal(r->mode, x->mode);
	int bad = 0;
	for (uint32_t n = 0; n < s->node_count; n++) {
		uint64_t want_self = x->self ? x->self[n] : g->nodes[n].size;
		if (r->self_size[n] != want_self) {
			print_error("%s/%s: node %u (@%u %s) self size %llu, expected %llu\n", g->label, mode, n, id_of(n),
				    heap_node_name(s, n), (unsigned long long)r->self_size[n], (unsigned long long)want_self);
			bad++;
		}
		if (r->dominator[n] != x->dominator[n]) {
			print_error("%s/%s: node %u (@%u %s) dominator %u, expected %u\n", g->label, mode, n, id_of(n),
				    heap_node_name(s, n), r->dominator[n], x->dominator[n]);
			bad++;
		}
		if (r->retained_size[n] != x->retained[n]) {
			print_error("%s/%s: node %u (@%u %s) retained size %llu, expected %llu\n", g->label, mode, n,
				    id_of(n), heap_node_name(s, n), (unsigned long long)r->retained_size[n],
				    (unsigned long long)x->retained[n]);
			bad++;
		}
		if (r->distance[n] != x->distance[n]) {
			print_error("%s/%s: node %u (@%u %s) distance %d, expected %d\n", g->label, mode, n, id_of(n),
				    heap_node_name(s, n), r->distance[n], x->distance[n]);
			bad++;
		}
	}
	if (r->unreachable != x->unreachable) {
		print_error("%s/%s: %u unreachable nodes, expected %u\n", g->label, mode, r->unreachable, x->unreachable);
		bad++;
	}
	retention_free(r);
	f->r = NULL;
	if (bad)
		fail_msg("%s/%s: %d wrong values (listed above)", g->label, mode, bad);
}

/* The same expectations in every mode (graphs no rule of any tool treats differently). */
static void check_all_modes(struct fixture *f, struct expect x)
{
	static const enum retention_mode modes[] = { RETENTION_DEVTOOLS, RETENTION_MEMLAB, RETENTION_ALL_EDGES };
	for (size_t i = 0; i < LH_ARRAY_LEN(modes); i++) {
		x.mode = modes[i];
		check(f, &x);
	}
}

/* MARK: - Plain graphs: every mode agrees */

/*
 * A diamond. D's DFS parent is B, but C reaches it too, so A dominates it.
 *
 *   ord id  node           self   edges
 *   0   1   root (synth)      0   element 1 -> A
 *   1   3   A                10   .b -> B, .c -> C
 *   2   5   B                20   .d -> D
 *   3   7   C                30   .d -> D
 *   4   9   D                40
 *
 * dominators: A root, B A, C A, D A.
 * retained: D 40, C 30, B 20, A 10+20+30+40 = 100, root 100.
 * distance: A is a non-synthetic child of the root, a DevTools user root: 1;
 * B, C 2; D 3; the root then gets 10^8.
 */
static void test_diamond(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "diamond");
	uint32_t root = node(g, "synthetic", "", 0), a = node(g, "object", "A", 10), b = node(g, "object", "B", 20),
		 c = node(g, "object", "C", 30), d = node(g, "object", "D", 40);
	edge_index(g, root, "element", 1, a);
	edge(g, a, "property", "b", b);
	edge(g, a, "property", "c", c);
	edge(g, b, "property", "d", d);
	edge(g, c, "property", "d", d);
	f->s = graph_read(g);
	check_all_modes(f,
			(struct expect){
				.dominator = (const uint32_t[]){ 0, 0, 1, 1, 1 },
				.retained = (const uint64_t[]){ 100, 100, 20, 30, 40 },
				.distance = (const int32_t[]){ SYS, 1, 2, 2, 3 },
			});
}

/*
 * Cycles: B <-> C entered from two sides (through A into B, through X into
 * C), a plain loop P <-> Q hanging from X, and a self-loop on B.
 *
 *   ord id  node    self   edges
 *   0   1   root       0   element 1 -> A, element 2 -> X
 *   1   3   A          1   .b -> B
 *   2   5   B          2   .c -> C, .self -> B
 *   3   7   C          4   .b -> B, .d -> D
 *   4   9   X          8   .c -> C, .p -> P
 *   5   11  D         16
 *   6   13  P         32   .q -> Q
 *   7   15  Q         64   .p -> P
 *
 * B is reached by root-A-B and by root-X-C-B, C by root-A-B-C and root-X-C:
 * neither path goes through anything but the root, so both are dominated by
 * the root. D only through C: C. P only through X: X; Q only through P: P.
 * retained: D 16, C 4+16 = 20, B 2, A 1, Q 64, P 32+64 = 96, X 8+96 = 104,
 * root 1+2+4+8+16+32+64 = 127.
 * distance: A, X 1 (user roots); B 2 (A.b), C 2 (X.c), P 2; D 3, Q 3.
 */
static void test_cycles(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "cycles");
	uint32_t root = node(g, "synthetic", "", 0), a = node(g, "object", "A", 1), b = node(g, "object", "B", 2),
		 c = node(g, "object", "C", 4), x = node(g, "object", "X", 8), d = node(g, "object", "D", 16),
		 p = node(g, "object", "P", 32), q = node(g, "object", "Q", 64);
	edge_index(g, root, "element", 1, a);
	edge_index(g, root, "element", 2, x);
	edge(g, a, "property", "b", b);
	edge(g, b, "property", "c", c);
	edge(g, b, "property", "self", b);
	edge(g, c, "property", "b", b);
	edge(g, c, "property", "d", d);
	edge(g, x, "property", "c", c);
	edge(g, x, "property", "p", p);
	edge(g, p, "property", "q", q);
	edge(g, q, "property", "p", p);
	f->s = graph_read(g);
	check_all_modes(f,
			(struct expect){
				.dominator = (const uint32_t[]){ 0, 0, 0, 0, 0, 3, 4, 6 },
				.retained = (const uint64_t[]){ 127, 1, 2, 20, 104, 16, 96, 64 },
				.distance = (const int32_t[]){ SYS, 1, 2, 2, 1, 3, 2, 3 },
			});
}

/*
 * A chain root -> L1 -> L2 -> ... -> L150000, each link 1 byte, so deep
 * that a recursive DFS or tree walk would overflow the stack.
 * Link k (ordinal k): dominator k-1, retained 150000-k+1, distance k.
 */
#define CHAIN 150000u

static void test_long_chain(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "chain");
	uint32_t root = node(g, "synthetic", "", 0);
	for (uint32_t k = 1; k <= CHAIN; k++) {
		node(g, "object", "Link", 1);
		if (k == 1)
			edge_index(g, root, "element", 1, k);
		else
			edge(g, k - 1, "property", "next", k);
	}
	f->s = graph_read(g);
	uint32_t *dom = f->extra[0] = malloc((CHAIN + 1) * sizeof(*dom));
	uint64_t *ret = f->extra[1] = malloc((CHAIN + 1) * sizeof(*ret));
	int32_t *dist = f->extra[2] = malloc((CHAIN + 1) * sizeof(*dist));
	assert_true(dom && ret && dist);
	dom[0] = 0;
	ret[0] = CHAIN;
	dist[0] = SYS;
	for (uint32_t k = 1; k <= CHAIN; k++) {
		dom[k] = k - 1;
		ret[k] = CHAIN - k + 1;
		dist[k] = (int32_t)k;
	}
	check_all_modes(f, (struct expect){ .dominator = dom, .retained = ret, .distance = dist });
}

/*
 * Nodes reachable only through a weak edge: W (held weakly by A, and by a
 * self-loop, which no tool counts as retaining) and X below it.
 *
 *   ord id  node   self   edges
 *   0   1   root      0   element 1 -> A
 *   1   3   A        10   weak .w -> W
 *   2   5   W        50   .x -> X, .self -> W
 *   3   7   X         5
 *
 * DevTools / all-edges: W has no counted retainer (weak edge and self-loop
 * dropped): an orphan, searched from with the root as its DFS parent, so
 * dom(W) = root and dom(X) = W. retained: X 5, W 55, A 10, root 65.
 * memlab: its orphans are nodes whose referrers are all weak or shortcut
 * edges; W's self-loop is a property referrer, so W is not one. W and X are
 * then each hung under the root: dom(W) = dom(X) = root, retained W 50, X 5.
 * Either way 2 nodes are unreachable over counted edges from the root.
 * distance: A 1; W and X: no BFS follows weak edges, so -5.
 */
static void test_weak_only(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "weak-only");
	uint32_t root = node(g, "synthetic", "", 0), a = node(g, "object", "A", 10), w = node(g, "object", "W", 50),
		 x = node(g, "object", "X", 5);
	edge_index(g, root, "element", 1, a);
	edge(g, a, "weak", "w", w);
	edge(g, w, "property", "x", x);
	edge(g, w, "property", "self", w);
	f->s = graph_read(g);
	const int32_t dist[] = { SYS, 1, NONE, NONE };
	struct expect devtools = {
		.mode = RETENTION_DEVTOOLS,
		.dominator = (const uint32_t[]){ 0, 0, 0, 2 },
		.retained = (const uint64_t[]){ 65, 10, 55, 5 },
		.distance = dist,
		.unreachable = 2,
	};
	check(f, &devtools);
	devtools.mode = RETENTION_ALL_EDGES;
	check(f, &devtools);
	check(f,
	      &(struct expect){
		      .mode = RETENTION_MEMLAB,
		      .dominator = (const uint32_t[]){ 0, 0, 0, 0 },
		      .retained = (const uint64_t[]){ 65, 10, 50, 5 },
		      .distance = dist,
		      .unreachable = 2,
	      });
}

/*
 * An unreachable clique: P and Q hold each other and Q holds R, but nothing
 * the root reaches holds any of them, and none is an orphan (each has a
 * strong retainer). DevTools and memlab hang each such node directly under
 * the root (no DFS from them), so all three are dominated by the root and
 * retain only themselves.
 *
 *   ord id  node   self   edges
 *   0   1   root      0   element 1 -> A
 *   1   3   A        10
 *   2   5   P         3   .q -> Q
 *   3   7   Q         4   .p -> P, .r -> R
 *   4   9   R         5
 *
 * retained: A 10, P 3, Q 4, R 5, root 22. distance: A 1, the rest -5.
 */
static void test_unreachable_clique(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "clique");
	uint32_t root = node(g, "synthetic", "", 0), a = node(g, "object", "A", 10), p = node(g, "object", "P", 3),
		 q = node(g, "object", "Q", 4), r = node(g, "object", "R", 5);
	edge_index(g, root, "element", 1, a);
	edge(g, p, "property", "q", q);
	edge(g, q, "property", "p", p);
	edge(g, q, "property", "r", r);
	f->s = graph_read(g);
	check_all_modes(f,
			(struct expect){
				.dominator = (const uint32_t[]){ 0, 0, 0, 0, 0 },
				.retained = (const uint64_t[]){ 22, 10, 3, 4, 5 },
				.distance = (const int32_t[]){ SYS, 1, NONE, NONE, NONE },
				.unreachable = 3,
			});
}

/* MARK: - Rules that tell the modes apart */

/*
 * Shortcut edges from a node other than the root: DevTools and memlab drop
 * them, all-edges counts them.
 *
 *   ord id  node   self   edges
 *   0   1   root      0   element 1 -> A, element 2 -> X
 *   1   3   A        10   .b -> B
 *   2   5   X         1   shortcut b -> B, shortcut y -> Y
 *   3   7   B        20
 *   4   9   Y         7   .z -> Z
 *   5   11  Z         3
 *
 * devtools, memlab: B only through A: dom A. Y has nothing but a shortcut
 * referrer: an orphan (for both tools' definitions), dominated by the
 * root, and Z by Y. retained: A 30, X 1, B 20, Y 10, Z 3, root 41;
 * 2 unreachable (Y, Z).
 * all-edges: B has A and X: dom root; Y dom X, Z dom Y. retained A 10,
 * X 1+7+3 = 11, Y 10; nothing unreachable.
 * distance (BFS follows shortcuts): A, X 1; B, Y 2; Z 3.
 */
static void test_shortcut_not_from_root(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "shortcut");
	uint32_t root = node(g, "synthetic", "", 0), a = node(g, "object", "A", 10), x = node(g, "object", "X", 1),
		 b = node(g, "object", "B", 20), y = node(g, "object", "Y", 7), z = node(g, "object", "Z", 3);
	edge_index(g, root, "element", 1, a);
	edge_index(g, root, "element", 2, x);
	edge(g, a, "property", "b", b);
	edge(g, x, "shortcut", "b", b);
	edge(g, x, "shortcut", "y", y);
	edge(g, y, "property", "z", z);
	f->s = graph_read(g);
	const int32_t dist[] = { SYS, 1, 1, 2, 2, 3 };
	struct expect tools = {
		.mode = RETENTION_DEVTOOLS,
		.dominator = (const uint32_t[]){ 0, 0, 0, 1, 0, 4 },
		.retained = (const uint64_t[]){ 41, 30, 1, 20, 10, 3 },
		.distance = dist,
		.unreachable = 2,
	};
	check(f, &tools);
	tools.mode = RETENTION_MEMLAB;
	check(f, &tools);
	check(f,
	      &(struct expect){
		      .mode = RETENTION_ALL_EDGES,
		      .dominator = (const uint32_t[]){ 0, 0, 0, 0, 2, 4 },
		      .retained = (const uint64_t[]){ 41, 10, 11, 20, 10, 3 },
		      .distance = dist,
	      });
}

/*
 * Page-owned nodes, laid out as V8 does: the root has an element edge to
 * "(GC roots)" and a shortcut edge to the global object; GC sub-roots hold
 * objects through internal edges.
 *
 *   ord id  node                    self   edges
 *   0   1   root (synth)               0   element 1 -> (GC roots), shortcut global -> global
 *   1   3   (GC roots) (synth)         0   element 1 -> HS, element 2 -> GH
 *   2   5   (Handle scope) (synth)     0   internal 1 -> Foo, internal 2 -> Bar
 *   3   7   (Global handles) (synth)   0   internal 1 -> Bar
 *   4   9   global                   100   .foo -> Foo
 *   5   11  Foo                       40
 *   6   13  Bar                       60
 *
 * devtools: page-owned = what the root's shortcut targets reach = {global,
 * Foo}. The edge (Handle scope) -> Foo goes from a non-page-owned node into
 * a page-owned one: dropped. So dom(Foo) = global; Bar (held by both
 * handle roots) dom (GC roots). retained: Foo 40, global 140, Bar 60,
 * HS 0, GH 0, (GC roots) 60, root 200.
 * memlab: the seeds are reversed: the root's non-shortcut children, so
 * page-owned = {(GC roots), HS, GH, Foo, Bar} and global is not: the edge
 * global -> Foo is the one dropped. dom(Foo) = HS; retained HS 40,
 * global 100, (GC roots) 100.
 * all-edges: both edges into Foo count: dom root; retained global 100,
 * HS 0, (GC roots) 60.
 * distance: global is the only user root: 1, Foo 2; then the root 10^8,
 * (GC roots) 10^8+1, HS and GH 10^8+2, Bar 10^8+3.
 */
static void test_page_owned(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "page-owned");
	uint32_t root = node(g, "synthetic", "", 0), gcr = node(g, "synthetic", "(GC roots)", 0),
		 hs = node(g, "synthetic", "(Handle scope)", 0), gh = node(g, "synthetic", "(Global handles)", 0),
		 global = node(g, "object", "global", 100), foo = node(g, "object", "Foo", 40),
		 bar = node(g, "object", "Bar", 60);
	edge_index(g, root, "element", 1, gcr);
	edge(g, root, "shortcut", "global", global);
	edge_index(g, gcr, "element", 1, hs);
	edge_index(g, gcr, "element", 2, gh);
	edge(g, hs, "internal", "1", foo);
	edge(g, hs, "internal", "2", bar);
	edge(g, gh, "internal", "1", bar);
	edge(g, global, "property", "foo", foo);
	f->s = graph_read(g);
	const int32_t dist[] = { SYS, SYS + 1, SYS + 2, SYS + 2, 1, 2, SYS + 3 };
	check(f,
	      &(struct expect){
		      .mode = RETENTION_DEVTOOLS,
		      .dominator = (const uint32_t[]){ 0, 0, 1, 1, 0, 4, 1 },
		      .retained = (const uint64_t[]){ 200, 60, 0, 0, 140, 40, 60 },
		      .distance = dist,
	      });
	check(f,
	      &(struct expect){
		      .mode = RETENTION_MEMLAB,
		      .dominator = (const uint32_t[]){ 0, 0, 1, 1, 0, 2, 1 },
		      .retained = (const uint64_t[]){ 200, 100, 40, 0, 100, 40, 60 },
		      .distance = dist,
	      });
	check(f,
	      &(struct expect){
		      .mode = RETENTION_ALL_EDGES,
		      .dominator = (const uint32_t[]){ 0, 0, 1, 1, 0, 0, 1 },
		      .retained = (const uint64_t[]){ 200, 60, 0, 0, 100, 40, 60 },
		      .distance = dist,
	      });
}

/*
 * A WeakMap entry as V8 writes it: the table (an array) holds key and value
 * by weak edges, and both the table and the key hold the value by an
 * internal edge named "<n> / part of key (Key @7) -> value (Value @9) pair
 * in WeakMap (table @5)".
 *
 *   ord id  node          self   edges
 *   0   1   root (synth)     0   element 1 -> WeakMap, element 2 -> Key
 *   1   3   WeakMap         16   internal table -> T
 *   2   5   T (array "")    32   weak 1 -> Key, weak 2 -> Value, internal "3 / ..." -> Value
 *   3   7   Key              8   internal "1 / ..." -> Value
 *   4   9   Value          100
 *
 * devtools: the table -> value edge comes from the table named in it:
 * dropped, so the key alone holds the value: dom(Value) = Key. The table
 * is an array whose only strong retainer is WeakMap (the root's element
 * children are user roots, so the transfer is on): its 32 bytes move to
 * WeakMap (self 48, T 0). retained: WeakMap 48, T 0, Key 108, Value 100,
 * root 156.
 * memlab, all-edges: both internal edges count: dom(Value) = root; raw
 * self sizes. retained: WeakMap 48, T 32, Key 8, Value 100, root 156.
 * distance: WeakMap, Key 1; T 2. The BFS skips the first edge of each
 * key/value pair it meets (Key's, from the queue order WeakMap, Key, T) and
 * takes the second (T's): Value 3.
 */
static void test_weakmap(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "weakmap");
	uint32_t root = node(g, "synthetic", "", 0), wm = node(g, "object", "WeakMap", 16), t = node(g, "array", "", 32),
		 key = node(g, "object", "Key", 8), value = node(g, "object", "Value", 100);
	assert_int_equal(id_of(t), 5);
	assert_int_equal(id_of(key), 7);
	assert_int_equal(id_of(value), 9);
	edge_index(g, root, "element", 1, wm);
	edge_index(g, root, "element", 2, key);
	edge(g, wm, "internal", "table", t);
	edge(g, t, "weak", "1", key);
	edge(g, t, "weak", "2", value);
	edge(g, t, "internal", "3 / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @5)", value);
	edge(g, key, "internal", "1 / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @5)", value);
	f->s = graph_read(g);
	const int32_t dist[] = { SYS, 1, 2, 1, 3 };
	check(f,
	      &(struct expect){
		      .mode = RETENTION_DEVTOOLS,
		      .dominator = (const uint32_t[]){ 0, 0, 1, 0, 3 },
		      .retained = (const uint64_t[]){ 156, 48, 0, 108, 100 },
		      .self = (const uint64_t[]){ 0, 48, 0, 8, 100 },
		      .distance = dist,
	      });
	struct expect other = {
		.mode = RETENTION_MEMLAB,
		.dominator = (const uint32_t[]){ 0, 0, 1, 0, 0 },
		.retained = (const uint64_t[]){ 156, 48, 32, 8, 100 },
		.distance = dist,
	};
	check(f, &other);
	other.mode = RETENTION_ALL_EDGES;
	check(f, &other);
}

/*
 * DevTools' shallow-size transfer: hidden, array and
 * "system / ExternalStringData" nodes with a single strong owner (found
 * through other such nodes) give their self size to it, unless the owner is
 * synthetic or the root.
 *
 *   ord id  node                               self   edges
 *   0   1   root (synth)                          0   element 1 -> (GC roots), shortcut global -> global
 *   1   3   (GC roots) (synth)                    0   element 1 -> A2
 *   2   5   global                              100   .thing -> Thing, internal shared -> S, weak w -> Arr
 *   3   7   Thing                                20   internal elements -> Arr, internal shared -> S,
 *                                                     internal data -> E
 *   4   9   Arr (array "")                       64   element 0 -> H
 *   5   11  H (hidden "system / Bits")            8
 *   6   13  S (array "")                         16
 *   7   15  A2 (array "")                        24
 *   8   17  E (native "system / ExternalStringData")  12
 *
 * devtools self sizes: Arr's only strong owner is Thing (global's edge is
 * weak), and H is reached only through Arr, so both go to Thing, as does E:
 * Thing 20+64+8+12 = 104, Arr 0, H 0, E 0. S has two owners (global, Thing):
 * kept. A2's owner is (GC roots), synthetic: kept.
 * dominators (every mode): Thing global, Arr Thing, H Arr, E Thing,
 * S global (two retainers), A2 (GC roots).
 * devtools retained: Thing 104, global 100+104+16 = 220, (GC roots) 24,
 * root 244, Arr 0, H 0, E 0. memlab and all-edges (raw sizes): H 8,
 * Arr 72, E 12, Thing 104, global 220.
 * distance: global 1; Thing, S 2; Arr, E 3; H 4; root 10^8,
 * (GC roots) 10^8+1, A2 10^8+2.
 */
static void test_shallow_size_transfer(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "shallow-transfer");
	uint32_t root = node(g, "synthetic", "", 0), gcr = node(g, "synthetic", "(GC roots)", 0),
		 global = node(g, "object", "global", 100), thing = node(g, "object", "Thing", 20),
		 arr = node(g, "array", "", 64), h = node(g, "hidden", "system / Bits", 8),
		 shared = node(g, "array", "", 16), a2 = node(g, "array", "", 24),
		 ext = node(g, "native", "system / ExternalStringData", 12);
	edge_index(g, root, "element", 1, gcr);
	edge(g, root, "shortcut", "global", global);
	edge_index(g, gcr, "element", 1, a2);
	edge(g, global, "property", "thing", thing);
	edge(g, global, "internal", "shared", shared);
	edge(g, global, "weak", "w", arr);
	edge(g, thing, "internal", "elements", arr);
	edge(g, thing, "internal", "shared", shared);
	edge(g, thing, "internal", "data", ext);
	edge_index(g, arr, "element", 0, h);
	f->s = graph_read(g);
	const uint32_t dom[] = { 0, 0, 0, 2, 3, 4, 2, 1, 3 };
	const int32_t dist[] = { SYS, SYS + 1, 1, 2, 3, 4, 2, SYS + 2, 3 };
	check(f,
	      &(struct expect){
		      .mode = RETENTION_DEVTOOLS,
		      .dominator = dom,
		      .retained = (const uint64_t[]){ 244, 24, 220, 104, 0, 0, 16, 24, 0 },
		      .self = (const uint64_t[]){ 0, 0, 100, 104, 0, 0, 16, 24, 0 },
		      .distance = dist,
	      });
	struct expect raw = {
		.mode = RETENTION_MEMLAB,
		.dominator = dom,
		.retained = (const uint64_t[]){ 244, 24, 220, 104, 72, 8, 16, 24, 12 },
		.distance = dist,
	};
	check(f, &raw);
	raw.mode = RETENTION_ALL_EDGES;
	check(f, &raw);
}

/*
 * No user roots (the root's children are all synthetic, as in an
 * --expose-internals snapshot): DevTools does no shallow-size transfer,
 * and the root starts the only distance BFS at 0.
 *
 *   ord id  node                      self   edges
 *   0   1   root (synth)                 0   element 1 -> (GC roots)
 *   1   3   (GC roots) (synth)           0   element 1 -> (Strong roots)
 *   2   5   (Strong roots) (synth)       0   internal 1 -> Thing
 *   3   7   Thing                       20   internal elements -> Arr
 *   4   9   Arr (array "")              64
 *
 * every mode: self sizes raw; dom chain; retained root 84, (GC roots) 84,
 * (Strong roots) 84, Thing 84, Arr 64; distance 0, 1, 2, 3, 4.
 */
static void test_no_user_roots(void **state)
{
	struct fixture *f = *state;
	struct graph *g = &f->g;
	graph_init(g, "no-user-roots");
	uint32_t root = node(g, "synthetic", "", 0), gcr = node(g, "synthetic", "(GC roots)", 0),
		 strong = node(g, "synthetic", "(Strong roots)", 0), thing = node(g, "object", "Thing", 20),
		 arr = node(g, "array", "", 64);
	edge_index(g, root, "element", 1, gcr);
	edge_index(g, gcr, "element", 1, strong);
	edge(g, strong, "internal", "1", thing);
	edge(g, thing, "internal", "elements", arr);
	f->s = graph_read(g);
	check_all_modes(f,
			(struct expect){
				.dominator = (const uint32_t[]){ 0, 0, 1, 2, 3 },
				.retained = (const uint64_t[]){ 84, 84, 84, 84, 64 },
				.distance = (const int32_t[]){ 0, 1, 2, 3, 4 },
			});
}

/* MARK: - Modes and WeakMap names */

static void test_mode_names(void **state)
{
	(void)state;
	enum retention_mode m = RETENTION_MEMLAB;
	assert_true(retention_mode_parse("devtools", &m));
	assert_int_equal(m, RETENTION_DEVTOOLS);
	assert_true(retention_mode_parse("memlab", &m));
	assert_int_equal(m, RETENTION_MEMLAB);
	assert_true(retention_mode_parse("all-edges", &m));
	assert_int_equal(m, RETENTION_ALL_EDGES);
	m = RETENTION_MEMLAB;
	assert_false(retention_mode_parse("DevTools", &m));
	assert_false(retention_mode_parse("", &m));
	assert_false(retention_mode_parse("all", &m));
	assert_false(retention_mode_parse("memlab ", &m));
	assert_int_equal(m, RETENTION_MEMLAB);
	assert_string_equal(retention_mode_name(RETENTION_DEVTOOLS), "devtools");
	assert_string_equal(retention_mode_name(RETENTION_MEMLAB), "memlab");
	assert_string_equal(retention_mode_name(RETENTION_ALL_EDGES), "all-edges");
}

static void expect_weakmap_name(const char *name, uint64_t table, size_t prefix)
{
	uint64_t got_table = 12345;
	size_t got_prefix = 12345;
	if (!retention_parse_weakmap_edge_name(name, &got_table, &got_prefix))
		fail_msg("not recognised as a WeakMap edge name: \"%s\"", name);
	if (got_table != table || got_prefix != prefix)
		fail_msg("\"%s\": table @%llu, prefix %zu; expected @%llu, %zu", name, (unsigned long long)got_table,
			 got_prefix, (unsigned long long)table, prefix);
}

static void expect_not_weakmap_name(const char *name)
{
	uint64_t table = 0;
	size_t prefix = 0;
	if (retention_parse_weakmap_edge_name(name, &table, &prefix))
		fail_msg("wrongly recognised as a WeakMap edge name: \"%s\"", name);
}

/*
 * DevTools' pattern:
 *   ^\d+( \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\))$
 */
static void test_weakmap_edge_names(void **state)
{
	(void)state;
	expect_weakmap_name("1 / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @5)", 5, 1);
	expect_weakmap_name("3 / part of key (Object @79017) -> value (Object @79019) pair in WeakMap (table @79015)",
			    79015, 1);
	expect_weakmap_name("123 / part of key (symbol @6179) -> value (system / Context @68427) pair in WeakMap "
			    "(table @68425)",
			    68425, 3);
	/* Names with parentheses, "@" and even the arrow inside the key or value. */
	expect_weakmap_name("2 / part of key ((anonymous) @11) -> value (<div class=\"a\"> @13) pair in WeakMap (table @4)",
			    4, 1);
	expect_weakmap_name("7 / part of key (x) -> value (y @1) -> value (z @2) pair in WeakMap (table @3)", 3, 1);
	expect_weakmap_name("9 / part of key ( @1) -> value ( @2) pair in WeakMap (table @4294967295)", 4294967295u, 1);

	expect_not_weakmap_name("");
	expect_not_weakmap_name("1");
	expect_not_weakmap_name("table");
	expect_not_weakmap_name("1 / part of key");
	expect_not_weakmap_name(" / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @5)");
	expect_not_weakmap_name("a / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @5)");
	expect_not_weakmap_name(" 1 / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @5)");
	expect_not_weakmap_name("1 / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @)");
	expect_not_weakmap_name("1 / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @5");
	expect_not_weakmap_name("1 / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @5) ");
	expect_not_weakmap_name("1 / part of key (Key @7) -> value (Value @9) pair in WeakMap (table @5)x");
	expect_not_weakmap_name("1 / part of key (Key @7) -> value (Value @9) pair in WeakMap (table 5)");
	expect_not_weakmap_name("1 / part of key (Key) -> value (Value @9) pair in WeakMap (table @5)");
	expect_not_weakmap_name("1 / part of key (Key @7) -> value (Value) pair in WeakMap (table @5)");
	expect_not_weakmap_name("1 / part of key (Key @) -> value (Value @9) pair in WeakMap (table @5)");
	expect_not_weakmap_name("1 / part of key (Key @7) -> value (Value @9) pair in WeakSet (table @5)");
	expect_not_weakmap_name("1 / part of key (Key @7) -> value (Value @9) in WeakMap (table @5)");
	/* '.' in DevTools' pattern does not match line breaks. */
	expect_not_weakmap_name("1 / part of key (Ke\ny @7) -> value (Value @9) pair in WeakMap (table @5)");
	expect_not_weakmap_name("1 / part of key (Key @7) -> value (Va\rlue @9) pair in WeakMap (table @5)");
}

/* MARK: - Retainer paths */

/*
 * The graph for the path tests (edge numbers are file order):
 *
 *   ord id  node                    edges
 *   0   1   root (synth)            e0 element 1 -> (GC roots), e1 shortcut global -> G
 *   1   3   (GC roots) (synth)      e2 element 1 -> (Strong roots)
 *   2   5   G "global"              e3 .x -> X, e4 .y -> Y, e5 weak wt -> T
 *   3   7   (Strong roots) (synth)  e6 internal a -> X, e7 internal b -> M
 *   4   9   X                       e8 .t -> T, e9 weak w -> W
 *   5   11  Y                       e10 .z -> T, e11 element 0 -> T
 *   6   13  T "Target"              e12 .self -> T
 *   7   15  W
 *   8   17  M                       e13 .m1 -> N
 *   9   19  N                       e14 .n1 -> T
 *
 * BFS from the root over strong edges, in edge order: (GC roots) 1 (e0),
 * G 1 (e1); (Strong roots) 2 (e2), X 2 (e3), Y 2 (e4); M 3 (e7), T 3 (e8);
 * N 4 (e13). W is reached only by a weak edge: no depth.
 * Following weak edges too: T 2 (e5, G's weak edge comes before X is
 * visited), W 3 (e9).
 */
enum { P_ROOT, P_GCR, P_G, P_SR, P_X, P_Y, P_T, P_W, P_M, P_N, P_COUNT };

static void path_graph(struct fixture *f)
{
	struct graph *g = &f->g;
	graph_init(g, "paths");
	node(g, "synthetic", "", 0);
	node(g, "synthetic", "(GC roots)", 0);
	node(g, "object", "global", 10);
	node(g, "synthetic", "(Strong roots)", 0);
	node(g, "object", "X", 10);
	node(g, "object", "Y", 10);
	node(g, "object", "Target", 10);
	node(g, "object", "W", 10);
	node(g, "object", "M", 10);
	node(g, "object", "N", 10);
	edge_index(g, P_ROOT, "element", 1, P_GCR);
	edge(g, P_ROOT, "shortcut", "global", P_G);
	edge_index(g, P_GCR, "element", 1, P_SR);
	edge(g, P_G, "property", "x", P_X);
	edge(g, P_G, "property", "y", P_Y);
	edge(g, P_G, "weak", "wt", P_T);
	edge(g, P_SR, "internal", "a", P_X);
	edge(g, P_SR, "internal", "b", P_M);
	edge(g, P_X, "property", "t", P_T);
	edge(g, P_X, "weak", "w", P_W);
	edge(g, P_Y, "property", "z", P_T);
	edge_index(g, P_Y, "element", 0, P_T);
	edge(g, P_T, "property", "self", P_T);
	edge(g, P_M, "property", "m1", P_N);
	edge(g, P_N, "property", "n1", P_T);
	struct heap_snapshot *s = f->s = graph_read(g);
	/* The edge numbering in the comment above. */
	static const uint32_t to[] = { P_GCR, P_G, P_SR, P_X, P_Y, P_T, P_X, P_M, P_T, P_W, P_T, P_T, P_T, P_N, P_T };
	assert_int_equal(s->edge_count, LH_ARRAY_LEN(to));
	for (uint32_t e = 0; e < s->edge_count; e++)
		assert_int_equal(heap_edge_to(s, e), to[e]);
}

/* Path p must be exactly these edges. */
static void expect_path(const struct retainer_path *p, size_t length, const uint32_t *edges, const char *what)
{
	char got[256] = "", want[256] = "";
	for (size_t i = 0; i < p->length && strlen(got) < 200; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), " e%u", p->edges[i]);
	for (size_t i = 0; i < length; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), " e%u", edges[i]);
	if (p->length != length || (length && memcmp(p->edges, edges, length * sizeof(*edges))))
		fail_msg("%s: path [%s ], expected [%s ]", what, got, want);
}

/* Every step of p is an edge from the previous step's target, starting at the root, ending at n. */
static void expect_connected(const struct heap_snapshot *s, const struct path_tree *t, const struct retainer_path *p,
			     uint32_t n)
{
	uint32_t at = s->root;
	for (size_t i = 0; i < p->length; i++) {
		uint32_t e = p->edges[i];
		assert_true(e < s->edge_count);
		assert_int_equal(t->edge_source[e], at);
		assert_true(e >= heap_edge_begin(s, at) && e < heap_edge_end(s, at));
		at = heap_edge_to(s, e);
	}
	assert_int_equal(at, n);
}

/* paths_to() into the fixture (at most 8, which the tests never reach). */
static size_t find_paths(struct fixture *f, uint32_t n, size_t max)
{
	free_paths(f);
	assert_true(max <= LH_ARRAY_LEN(f->p));
	f->count = paths_to(f->s, f->t, n, max, f->p);
	assert_true(f->count <= max);
	return f->count;
}

static void test_path_tree(void **state)
{
	struct fixture *f = *state;
	path_graph(f);
	const struct heap_snapshot *s = f->s;
	struct path_tree *t = f->t = path_tree_build(s, false);
	static const uint32_t depth[P_COUNT] = { 0, 1, 1, 2, 2, 2, 3, NO_DEPTH, 3, 4 };
	static const uint32_t via[P_COUNT] = { UINT32_MAX, 0, 1, 2, 3, 4, 8, UINT32_MAX, 7, 13 };
	for (uint32_t n = 0; n < P_COUNT; n++) {
		if (t->depth[n] != depth[n] || t->via_edge[n] != via[n])
			fail_msg("node %u: depth %u via e%u, expected depth %u via e%u", n, t->depth[n], t->via_edge[n],
				 depth[n], via[n]);
	}
	static const uint32_t source[] = { 0, 0, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5, 6, 8, 9 };
	for (uint32_t e = 0; e < s->edge_count; e++)
		assert_int_equal(t->edge_source[e], source[e]);
	path_tree_free(t);

	t = f->t = path_tree_build(s, true);
	static const uint32_t depth_weak[P_COUNT] = { 0, 1, 1, 2, 2, 2, 2, 3, 3, 4 };
	static const uint32_t via_weak[P_COUNT] = { UINT32_MAX, 0, 1, 2, 3, 4, 5, 9, 7, 13 };
	for (uint32_t n = 0; n < P_COUNT; n++) {
		if (t->depth[n] != depth_weak[n] || t->via_edge[n] != via_weak[n])
			fail_msg("--weak: node %u: depth %u via e%u, expected depth %u via e%u", n, t->depth[n],
				 t->via_edge[n], depth_weak[n], via_weak[n]);
	}
}

/* The shortest path, over strong edges: root -global-> G -x-> X -t-> T. */
static void test_shortest_path(void **state)
{
	struct fixture *f = *state;
	path_graph(f);
	f->t = path_tree_build(f->s, false);
	assert_int_equal(find_paths(f, P_T, 1), 1);
	expect_path(&f->p[0], 3, (const uint32_t[]){ 1, 3, 8 }, "shortest to Target");
	expect_connected(f->s, f->t, &f->p[0], P_T);

	/* N: through the (Strong roots) side: e0 e2 e7 e13. */
	assert_int_equal(find_paths(f, P_N, 1), 1);
	expect_path(&f->p[0], 4, (const uint32_t[]){ 0, 2, 7, 13 }, "shortest to N");

	/* The root itself: one empty path. */
	assert_int_equal(find_paths(f, P_ROOT, 1), 1);
	assert_int_equal(f->p[0].length, 0);

	/* W is held only weakly: no path; max 0: no path either. */
	assert_int_equal(find_paths(f, P_W, 5), 0);
	assert_int_equal(find_paths(f, P_T, 0), 0);
}

/*
 * --all over strong edges: one path per distinct retainer of Target (X, Y,
 * N; not G, whose edge is weak, nor Target's own self-loop), shortest
 * first: X (3 edges, the BFS path), Y (3 edges: e1 e4 then one of Y's two
 * edges e10/e11), N (5 edges: e0 e2 e7 e13 e14).
 */
static void test_all_paths(void **state)
{
	struct fixture *f = *state;
	path_graph(f);
	const struct heap_snapshot *s = f->s;
	const struct path_tree *t = f->t = path_tree_build(s, false);
	size_t count = find_paths(f, P_T, 8);
	const struct retainer_path *p = f->p;
	for (size_t i = 0; i < count; i++) {
		expect_connected(s, t, &p[i], P_T);
		if (heap_edge_kind(s, p[i].edges[p[i].length - 1]) == HEAP_EDGE_WEAK)
			fail_msg("path %zu ends with a weak edge (e%u) although weak edges are not followed", i + 1,
				 p[i].edges[p[i].length - 1]);
		if (i > 0 && p[i].length < p[i - 1].length)
			fail_msg("path %zu has %zu edges, after one of %zu: not shortest first", i + 1, p[i].length,
				 p[i - 1].length);
		for (size_t k = 0; k < i; k++)
			if (t->edge_source[p[k].edges[p[k].length - 1]] == t->edge_source[p[i].edges[p[i].length - 1]])
				fail_msg("paths %zu and %zu both end at retainer node %u: not one per distinct retainer",
					 k + 1, i + 1, t->edge_source[p[i].edges[p[i].length - 1]]);
	}
	assert_int_equal(count, 3);
	expect_path(&p[0], 3, (const uint32_t[]){ 1, 3, 8 }, "--all, 1st");
	assert_int_equal(p[1].length, 3);
	assert_int_equal(p[1].edges[0], 1);
	assert_int_equal(p[1].edges[1], 4);
	assert_true(p[1].edges[2] == 10 || p[1].edges[2] == 11);
	expect_path(&p[2], 5, (const uint32_t[]){ 0, 2, 7, 13, 14 }, "--all, 3rd");

	/* At most max paths: the first two of the same order. */
	assert_int_equal(find_paths(f, P_T, 2), 2);
	expect_path(&p[0], 3, (const uint32_t[]){ 1, 3, 8 }, "--max 2, 1st");
	assert_int_equal(p[1].edges[1], 4);
}

/*
 * --all on nodes with a single retainer (N: M only; M: (Strong roots) only)
 * or none but the root ((GC roots)): just the shortest path. (With no
 * other retainer to sort, nothing may be handed to qsort() as NULL: UBSan,
 * in make asan, rejects that.)
 */
static void test_all_paths_single_retainer(void **state)
{
	struct fixture *f = *state;
	path_graph(f);
	f->t = path_tree_build(f->s, false);
	assert_int_equal(find_paths(f, P_N, 5), 1);
	expect_path(&f->p[0], 4, (const uint32_t[]){ 0, 2, 7, 13 }, "--all to N");
	assert_int_equal(find_paths(f, P_M, 5), 1);
	expect_path(&f->p[0], 3, (const uint32_t[]){ 0, 2, 7 }, "--all to M");
	assert_int_equal(find_paths(f, P_GCR, 5), 1);
	expect_path(&f->p[0], 1, (const uint32_t[]){ 0 }, "--all to (GC roots)");
}

/*
 * Following weak edges: Target's shortest path is root -global-> G -wt-> T
 * (2 edges); then X (3), Y (3, one path for its two edges), N (5). W gets
 * its path through X's weak edge.
 */
static void test_paths_follow_weak(void **state)
{
	struct fixture *f = *state;
	path_graph(f);
	f->t = path_tree_build(f->s, true);
	size_t count = find_paths(f, P_T, 8);
	const struct retainer_path *p = f->p;
	for (size_t i = 0; i < count; i++)
		expect_connected(f->s, f->t, &p[i], P_T);
	if (count != 4)
		fail_msg("%zu paths to Target, expected 4: one per distinct retainer (G, X, Y, N)", count);
	expect_path(&p[0], 2, (const uint32_t[]){ 1, 5 }, "--weak, 1st");
	expect_path(&p[1], 3, (const uint32_t[]){ 1, 3, 8 }, "--weak, 2nd");
	assert_int_equal(p[2].length, 3);
	assert_int_equal(p[2].edges[1], 4);
	expect_path(&p[3], 5, (const uint32_t[]){ 0, 2, 7, 13, 14 }, "--weak, 4th");

	assert_int_equal(find_paths(f, P_W, 1), 1);
	expect_path(&p[0], 3, (const uint32_t[]){ 1, 3, 9 }, "--weak, to W");
}

/* MARK: - Random graphs against dominance by definition */

/*
 * Random graphs that the root reaches completely (a random tree plus random
 * extra edges: cross, back and forward edges, cycles, self-loops), checked
 * in all-edges mode against dominance straight from its definition: d
 * dominates v when v cannot be reached from the root once d is removed.
 * That brute-force answer shares no code with Lengauer-Tarjan, so it pins
 * the folded bucket, ancestor and retainer arrays of retention.c on
 * thousands of shapes no hand-drawn graph covers.
 */
#define RANDOM_GRAPHS 300
#define RANDOM_MAX_NODES 40

static uint32_t xorshift(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* Whether the root reaches v in g when node removed is taken out. */
static bool reaches_without(const struct graph *g, uint32_t removed, uint32_t v)
{
	bool seen[RANDOM_MAX_NODES] = { false };
	uint32_t stack[RANDOM_MAX_NODES];
	size_t top = 0;
	if (removed == 0)
		return false;
	seen[0] = true;
	stack[top++] = 0;
	while (top) {
		uint32_t n = stack[--top];
		for (size_t e = 0; e < g->edge_count; e++) {
			uint32_t t = g->edges[e].to;
			if (g->edges[e].from == n && t != removed && !seen[t]) {
				seen[t] = true;
				stack[top++] = t;
			}
		}
	}
	return seen[v];
}

static void test_random_graphs(void **state)
{
	struct fixture *f = *state;
	uint32_t seed = 2463534242u;
	for (int round = 0; round < RANDOM_GRAPHS; round++) {
		struct graph *g = &f->g;
		graph_init(g, "random");
		uint32_t count = 2 + xorshift(&seed) % (RANDOM_MAX_NODES - 1);
		uint64_t self[RANDOM_MAX_NODES];
		node(g, "synthetic", "", self[0] = 0);
		for (uint32_t k = 1; k < count; k++) {
			node(g, "object", "N", self[k] = 1 + xorshift(&seed) % 100);
			uint32_t parent = xorshift(&seed) % k;
			if (parent == 0)
				edge_index(g, 0, "element", k, k);
			else
				edge(g, parent, "property", "t", k);
		}
		uint32_t extra = xorshift(&seed) % (3 * count);
		for (uint32_t k = 0; k < extra; k++) {
			uint32_t from = 1 + xorshift(&seed) % (count - 1), to = xorshift(&seed) % count;
			edge(g, from, "property", "x", to);
		}
		/* Strict dominators of every node by definition; the immediate one is the deepest. */
		uint32_t depth[RANDOM_MAX_NODES] = { 0 }, idom[RANDOM_MAX_NODES] = { 0 };
		bool dominates[RANDOM_MAX_NODES][RANDOM_MAX_NODES] = { { false } };
		for (uint32_t v = 1; v < count; v++)
			for (uint32_t d = 0; d < count; d++)
				if (d != v && !reaches_without(g, d, v)) {
					dominates[d][v] = true;
					depth[v]++;
				}
		for (uint32_t v = 1; v < count; v++)
			for (uint32_t d = 0; d < count; d++)
				if (dominates[d][v] && depth[d] >= depth[idom[v]])
					idom[v] = d;
		uint64_t retained[RANDOM_MAX_NODES];
		memcpy(retained, self, sizeof(self));
		for (uint32_t level = RANDOM_MAX_NODES; level > 0; level--)
			for (uint32_t v = 1; v < count; v++)
				if (depth[v] == level)
					retained[idom[v]] += retained[v];

		f->s = graph_read(g);
		struct retention *r = f->r = retention_compute(f->s, RETENTION_ALL_EDGES);
		assert_int_equal(r->unreachable, 0);
		for (uint32_t v = 0; v < count; v++) {
			if (r->dominator[v] != idom[v] || r->retained_size[v] != retained[v])
				fail_msg("random graph %d (%u nodes, %zu edges): node %u dominator %u retained %llu, "
					 "expected %u and %llu", round, count, g->edge_count, v, r->dominator[v],
					 (unsigned long long)r->retained_size[v], idom[v], (unsigned long long)retained[v]);
		}
		retention_free(r);
		f->r = NULL;
		heap_snapshot_free(f->s);
		f->s = NULL;
		graph_free(g);
		memset(g, 0, sizeof(*g));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_diamond, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_graphs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weak_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable_clique, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shortcut_not_from_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weakmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shallow_size_transfer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_user_roots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weakmap_edge_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shortest_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_follow_weak, setup, teardown),
		/* Last: under UBSan (make asan) its qsort(NULL, 0) ends the whole binary. */
		cmocka_unit_test_setup_teardown(test_all_paths_single_retainer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
