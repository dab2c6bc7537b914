/*
 * test_summary.c - heap_summary_compute(), the class names and
 * findings_compute() on tiny hand-built graphs with hand-computed answers.
 *
 * The graphs are written as real snapshot text by snapshot_builder.h (nodes
 * and edges by ordinal, names interned into the strings table) and read
 * back with heap_snapshot_read(). Every expected number is worked out in
 * the comment next to the graph, not taken from leakhound's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../src/analysis/classname.h"
#include "../../src/analysis/findings.h"
#include "../../src/analysis/summary.h"
#include "snapshot_builder.h"

/*
 * Snapshots and summaries are tracked and released by the teardown, so that
 * a failing assertion (cmocka longjmps out of the test) leaks nothing and
 * ASan's leak report stays about leakhound.
 */
static struct heap_snapshot *live_snapshots[8];
static struct heap_summary *live_summaries[8];
static size_t live_snapshot_count, live_summary_count;

static void release_snapshot(struct heap_snapshot *s)
{
	for (size_t i = 0; i < live_snapshot_count; i++)
		if (live_snapshots[i] == s) {
			live_snapshots[i] = live_snapshots[--live_snapshot_count];
			heap_snapshot_free(s);
			return;
		}
	fail_msg("release_snapshot: not tracked");
}

static void release_summary(struct heap_summary *sum)
{
	for (size_t i = 0; i < live_summary_count; i++)
		if (live_summaries[i] == sum) {
			live_summaries[i] = live_summaries[--live_summary_count];
			heap_summary_free(sum);
			return;
		}
	fail_msg("release_summary: not tracked");
}

static int release_all(void **state)
{
	(void)state;
	while (live_summary_count)
		heap_summary_free(live_summaries[--live_summary_count]);
	while (live_snapshot_count)
		heap_snapshot_free(live_snapshots[--live_snapshot_count]);
	return 0;
}

static struct heap_snapshot *track_snapshot(struct heap_snapshot *s)
{
	assert_true(live_snapshot_count < LH_ARRAY_LEN(live_snapshots));
	return live_snapshots[live_snapshot_count++] = s;
}

static struct heap_summary *summarize(const struct heap_snapshot *s, size_t top)
{
	struct summary_options opts = { .top = top };
	struct heap_summary *sum = heap_summary_compute(s, &opts);
	assert_non_null(sum);
	assert_true(live_summary_count < LH_ARRAY_LEN(live_summaries));
	return live_summaries[live_summary_count++] = sum;
}

/* MARK: - Types and classes */

/*
 * The class graph. Ordinals, types, names and self sizes:
 *    0 synthetic ""                  0      18 code "bar"                   50
 *    1 synthetic "(GC roots)"        0      19 closure "f"                  32
 *    2 synthetic "(Strong roots)"    0      20 closure "g"                  32
 *    3 synthetic "(Handle scope)"    0      21 object "Function"            8
 *    4 synthetic "(Strong roots)"    0      22 regexp "/a+/"                40
 *    5 synthetic "(Global handles)"  0      23 string "hello"               16
 *    6 object "Foo"                 10      24 string "a"                   16
 *    7 object "Foo"                 20      25 string "<div class=z>"       16
 *    8 object "Foo"                 30      26 number "heap number"         16
 *    9 object "<div class=a>"        5      27 concatenated string "ab"     32
 *   10 object "<div class=b id=c>"   7      28 sliced string "ll"           24
 *   11 native "<div id=b>"          11      29 symbol "Symbol(x)"           8
 *   12 native "Detached <div class=c>" 13   30 bigint "123n"                16
 *   13 object "Detached <div>"       2      31 object shape "system / Map"  80
 *   14 hidden "system / Context"     4      32 array "(object elements)"    1000
 *   15 hidden "system / Oddball"     6      33 object ""                    3
 *   16 hidden ""                     1      34 native "<div"                9
 *   17 code "foo"                  100      35 object "Foo"                 40
 *
 * Per type (count, self size): hidden 3/11, array 1/1000, string 3/48,
 * object 9/125, code 2/150, closure 2/64, regexp 1/40, number 1/16,
 * native 3/33, synthetic 6/0, concatenated string 1/32, sliced string 1/24,
 * symbol 1/8, bigint 1/16, object shape 1/80. Total: 36 nodes, 1647 bytes.
 *
 * Classes (18): (synthetic) 6/0, Foo 4/100, <div> 3/23 (9, 10, 11),
 * Detached <div> 2/15 (12, 13), (system) 3/11, (compiled code) 2/150,
 * Function 3/72 (19, 20 and the object named "Function"), RegExp 1/40,
 * (string) 3/48 (string contents are never trimmed), (number) 1/16,
 * (concatenated string) 1/32, (sliced string) 1/24, (symbol) 1/8,
 * (bigint) 1/16, (object shape) 1/80, (array) 1/1000, "" 1/3, <div 1/9.
 *
 * Edges: root -element 1-> (GC roots); root -shortcut "global"-> Foo 6.
 * (GC roots) -element 1..4-> 2, 3, 4, 5 (two sub-roots named "(Strong roots)").
 * (Strong roots) 2: internal "a"->6, "b"->7, "c"->6: 3 edges, 2 targets.
 * (Handle scope) 3: internal "1","2","3"->14, "4"->15: 4 edges, 2 targets.
 * (Strong roots) 4: weak "w"->8: 1 edge, 1 target.
 * (Global handles) 5: no edges.
 */
static struct heap_snapshot *class_graph(void)
{
	struct graph g;
	graph_init(&g, "classes");
	node(&g, "synthetic", "", 0);
	node(&g, "synthetic", "(GC roots)", 0);
	node(&g, "synthetic", "(Strong roots)", 0);
	node(&g, "synthetic", "(Handle scope)", 0);
	node(&g, "synthetic", "(Strong roots)", 0);
	node(&g, "synthetic", "(Global handles)", 0);
	node(&g, "object", "Foo", 10);
	node(&g, "object", "Foo", 20);
	node(&g, "object", "Foo", 30);
	node(&g, "object", "<div class=a>", 5);
	node(&g, "object", "<div class=b id=c>", 7);
	node(&g, "native", "<div id=b>", 11);
	node(&g, "native", "Detached <div class=c>", 13);
	node(&g, "object", "Detached <div>", 2);
	node(&g, "hidden", "system / Context", 4);
	node(&g, "hidden", "system / Oddball", 6);
	node(&g, "hidden", "", 1);
	node(&g, "code", "foo", 100);
	node(&g, "code", "bar", 50);
	node(&g, "closure", "f", 32);
	node(&g, "closure", "g", 32);
	node(&g, "object", "Function", 8);
	node(&g, "regexp", "/a+/", 40);
	node(&g, "string", "hello", 16);
	node(&g, "string", "a", 16);
	node(&g, "string", "<div class=z>", 16);
	node(&g, "number", "heap number", 16);
	node(&g, "concatenated string", "ab", 32);
	node(&g, "sliced string", "ll", 24);
	node(&g, "symbol", "Symbol(x)", 8);
	node(&g, "bigint", "123n", 16);
	node(&g, "object shape", "system / Map", 80);
	node(&g, "array", "(object elements)", 1000);
	node(&g, "object", "", 3);
	node(&g, "native", "<div", 9);
	node(&g, "object", "Foo", 40);
	edge_index(&g, 0, "element", 1, 1);
	edge(&g, 0, "shortcut", "global", 6);
	for (uint32_t i = 1; i <= 4; i++)
		edge_index(&g, 1, "element", i, 1 + i);
	edge(&g, 2, "internal", "a", 6);
	edge(&g, 2, "internal", "b", 7);
	edge(&g, 2, "internal", "c", 6);
	handle_edges(&g, 3, 3, 14);
	edge(&g, 3, "internal", "4", 15);
	edge(&g, 4, "weak", "w", 8);
	struct heap_snapshot *s = track_snapshot(graph_read(&g));
	graph_free(&g);
	return s;
}

static void test_type_counts(void **state)
{
	(void)state;
	struct heap_snapshot *s = class_graph();
	struct heap_summary *sum = summarize(s, 10);
	static const struct {
		const char *type;
		uint64_t count, size;
	} want[] = {
		{ "hidden", 3, 11 },      { "array", 1, 1000 },    { "string", 3, 48 },
		{ "object", 9, 125 },     { "code", 2, 150 },      { "closure", 2, 64 },
		{ "regexp", 1, 40 },      { "number", 1, 16 },     { "native", 3, 33 },
		{ "synthetic", 6, 0 },    { "concatenated string", 1, 32 }, { "sliced string", 1, 24 },
		{ "symbol", 1, 8 },       { "bigint", 1, 16 },     { "object shape", 1, 80 },
	};
	assert_int_equal(sum->type_count, LH_ARRAY_LEN(want));
	for (size_t i = 0; i < LH_ARRAY_LEN(want); i++) {
		assert_string_equal(sum->types[i].type, want[i].type);
		assert_int_equal(sum->types[i].total.count, want[i].count);
		assert_int_equal(sum->types[i].total.self_size, want[i].size);
	}
	assert_int_equal(s->node_count, 36);
	assert_int_equal(sum->total_self_size, 1647);
	release_summary(sum);
	release_snapshot(s);
}

struct class_want {
	const char *name;
	uint64_t count, size;
};

/* All 18 classes of class_graph(). */
static const struct class_want all_classes[] = {
	{ "(synthetic)", 6, 0 },   { "Foo", 4, 100 },          { "<div>", 3, 23 },
	{ "Detached <div>", 2, 15 }, { "(system)", 3, 11 },    { "(compiled code)", 2, 150 },
	{ "Function", 3, 72 },     { "RegExp", 1, 40 },         { "(string)", 3, 48 },
	{ "(number)", 1, 16 },     { "(concatenated string)", 1, 32 }, { "(sliced string)", 1, 24 },
	{ "(symbol)", 1, 8 },      { "(bigint)", 1, 16 },       { "(object shape)", 1, 80 },
	{ "(array)", 1, 1000 },    { "", 1, 3 },                { "<div", 1, 9 },
};

static const struct class_want *want_class(const char *name)
{
	for (size_t i = 0; i < LH_ARRAY_LEN(all_classes); i++)
		if (!strcmp(all_classes[i].name, name))
			return &all_classes[i];
	fail_msg("unexpected class '%s'", name);
	return NULL;
}

/* Each row is a known class with its hand-computed totals, each class at most once, in order. */
static void check_class_rows(const struct summary_class_row *rows, size_t n, bool by_size)
{
	for (size_t i = 0; i < n; i++) {
		const struct class_want *w = want_class(rows[i].name);
		if (rows[i].total.count != w->count || rows[i].total.self_size != w->size)
			fail_msg("class '%s': %llu / %llu, expected %llu / %llu", rows[i].name,
				 (unsigned long long)rows[i].total.count, (unsigned long long)rows[i].total.self_size,
				 (unsigned long long)w->count, (unsigned long long)w->size);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(rows[i].name, rows[j].name))
				fail_msg("class '%s' is listed twice", rows[i].name);
		if (i > 0) {
			uint64_t prev = by_size ? rows[i - 1].total.self_size : rows[i - 1].total.count;
			uint64_t cur = by_size ? rows[i].total.self_size : rows[i].total.count;
			assert_true(prev >= cur);
		}
	}
}

static void test_classes_all(void **state)
{
	(void)state;
	struct heap_snapshot *s = class_graph();
	struct heap_summary *sum = summarize(s, 100);
	assert_int_equal(sum->class_count, 18);
	assert_int_equal(sum->top_count, 18);
	check_class_rows(sum->by_count, sum->top_count, false);
	check_class_rows(sum->by_size, sum->top_count, true);
	uint64_t count = 0, size = 0;
	for (size_t i = 0; i < sum->top_count; i++) {
		count += sum->by_count[i].total.count;
		size += sum->by_size[i].total.self_size;
	}
	assert_int_equal(count, 36);
	assert_int_equal(size, 1647);
	release_summary(sum);
	release_snapshot(s);
}

static void test_classes_top(void **state)
{
	(void)state;
	struct heap_snapshot *s = class_graph();
	struct heap_summary *sum = summarize(s, 5);
	assert_int_equal(sum->class_count, 18);
	assert_int_equal(sum->top_count, 5);
	/* By count: 6, 4, then three of the four classes with 3 instances. */
	assert_string_equal(sum->by_count[0].name, "(synthetic)");
	assert_string_equal(sum->by_count[1].name, "Foo");
	for (size_t i = 2; i < 5; i++)
		assert_int_equal(sum->by_count[i].total.count, 3);
	check_class_rows(sum->by_count, 5, false);
	/* By size: 1000, 150, 100, 80, 72 (no ties). */
	static const char *const by_size[] = { "(array)", "(compiled code)", "Foo", "(object shape)", "Function" };
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(sum->by_size[i].name, by_size[i]);
	check_class_rows(sum->by_size, 5, true);
	release_summary(sum);
	release_snapshot(s);
}

static void test_class_name_of_each_kind(void **state)
{
	(void)state;
	struct heap_snapshot *s = class_graph();
	static const struct {
		uint32_t node;
		const char *cls;
	} want[] = {
		{ 0, "(synthetic)" },  { 6, "Foo" },       { 9, "<div>" },          { 10, "<div>" },
		{ 11, "<div>" },       { 12, "Detached <div>" }, { 13, "Detached <div>" }, { 14, "(system)" },
		{ 16, "(system)" },    { 17, "(compiled code)" }, { 19, "Function" },   { 21, "Function" },
		{ 22, "RegExp" },      { 23, "(string)" },  { 25, "(string)" },      { 26, "(number)" },
		{ 27, "(concatenated string)" }, { 28, "(sliced string)" }, { 29, "(symbol)" }, { 30, "(bigint)" },
		{ 31, "(object shape)" }, { 32, "(array)" }, { 33, "" },             { 34, "<div" },
	};
	for (size_t i = 0; i < LH_ARRAY_LEN(want); i++) {
		char *c = heap_class_name(s, want[i].node);
		if (strcmp(c, want[i].cls))
			fail_msg("node %u: class '%s', expected '%s'", want[i].node, c, want[i].cls);
		free(c);
	}
	assert_true(heap_class_is_named(HEAP_NODE_OBJECT));
	assert_true(heap_class_is_named(HEAP_NODE_NATIVE));
	assert_false(heap_class_is_named(HEAP_NODE_CLOSURE));
	assert_false(heap_class_is_named(HEAP_NODE_HIDDEN));
	assert_false(heap_class_is_named(HEAP_NODE_STRING));
	release_snapshot(s);
}

static void expect_class_of_name(const char *name, const char *cls)
{
	char *c = heap_class_of_name(name);
	if (strcmp(c, cls))
		fail_msg("'%s': class '%s', expected '%s'", name, c, cls);
	free(c);
}

/* DevTools: a name starting "<" is cut at its first space, and ">" appended; the same after "Detached ". */
static void test_class_of_name(void **state)
{
	(void)state;
	expect_class_of_name("<div class=x>", "<div>");
	expect_class_of_name("<div class=\"a b\" id=y>", "<div>");
	expect_class_of_name("Detached <div class=x>", "Detached <div>");
	expect_class_of_name("Detached <a b=c>", "Detached <a>");
	expect_class_of_name("<div>", "<div>");
	expect_class_of_name("Detached <div>", "Detached <div>");
	expect_class_of_name("<div", "<div");
	expect_class_of_name("< div>", "<>");
	expect_class_of_name("<a  b>", "<a>");
	expect_class_of_name("Foo <div class=x>", "Foo <div class=x>");
	expect_class_of_name("Detached", "Detached");
	expect_class_of_name("Detached ", "Detached ");
	expect_class_of_name("Detached x y>", "Detached x y>");
	expect_class_of_name("Object", "Object");
	expect_class_of_name("", "");
}

/*
 * DevTools does not need the closing '>': names cut by V8's string limit
 * (--heap-snapshot-string-limit, 1024 characters) lose it, and are still
 * grouped as "<div>" there (HeapSnapshot.ts: name.substring(0, firstSpace) + '>').
 */
static void test_class_of_name_unclosed_tag(void **state)
{
	(void)state;
	expect_class_of_name("<div class=x", "<div>");
	expect_class_of_name("Detached <div class=x", "Detached <div>");
	expect_class_of_name("<div class=\"x>y\" id=", "<div>");
}

/* MARK: - DevTools' interfaces and detached nodes */

/* Finds the class row named `name` among all rows (top large enough), or fails. */
static const struct summary_class_row *row_named(const struct heap_summary *sum, const char *name)
{
	for (size_t i = 0; i < sum->top_count; i++)
		if (!strcmp(sum->by_count[i].name, name))
			return &sum->by_count[i];
	fail_msg("no class named '%s'", name);
	return NULL;
}

static void expect_row(const struct heap_summary *sum, const char *name, uint64_t count, uint64_t size)
{
	const struct summary_class_row *r = row_named(sum, name);
	if (r->total.count != count || r->total.self_size != size)
		fail_msg("class '%s': %llu / %llu, expected %llu / %llu", name, (unsigned long long)r->total.count,
			 (unsigned long long)r->total.self_size, (unsigned long long)count, (unsigned long long)size);
}

/*
 * Plain objects (type object, name "Object") and their property edges, in
 * edge order; S is a string "v", M an object shape:
 *   O1 (10) __proto__, x, y     O5 (14) x          O9  (18) "a,b"
 *   O2 (11) x, y (+ internal)   O6 (15) x, y, z    O10 (19) "a,b"
 *   O3 (12) y, x                O7 (16) y          [O11 (22) y, x: with_unused only]
 *   O4 (13) x                   O8 (17) none
 * plus Foo (object "Foo", 20) with x, y and a native node named "Object" (21).
 * DevTools infers interfaces from the property names in edge order, skipping
 * __proto__ (a candidate needs max(2, plain objects / 1000) = 2 objects):
 * {x, y} 2 (O1, O2), {y, x} 1, {x} 2, {x, y, z} 1, {y} 1, {"a,b"} 2 (quoted:
 * the name has a comma). Kept, by count then first seen: {x, y}, {x}, {"a,b"}.
 * Each plain object then takes the kept interface with the most properties
 * that it has all of: {x, y} = O1, O2, O3, O6 (4, 48 bytes); {x} = O4, O5
 * (2, 27); {"a,b"} = O9, O10 (2, 37); the rest stay "Object": O7, O8 and the
 * native node (3, 54). Other classes: Foo 1/20, (string) 1/1, (object shape)
 * 1/5, (synthetic) 2/0: 8 classes.
 * with_unused adds O11 (y, x): {y, x} now has 2 objects and is kept, third,
 * but O3 and O11 have both x and y, and {x, y} comes first: no object is
 * classed {y, x}, so it is no class of the snapshot. {x, y} = 5 objects, 70.
 */
static struct heap_snapshot *interface_graph(bool with_unused)
{
	struct graph g;
	graph_init(&g, with_unused ? "interfaces-unused" : "interfaces");
	node(&g, "synthetic", "", 0);
	node(&g, "synthetic", "(GC roots)", 0);
	static const struct {
		uint64_t size;
		const char *props[4];
	} plain[] = {
		{ 10, { "__proto__", "x", "y" } }, { 11, { "x", "y" } }, { 12, { "y", "x" } },   { 13, { "x" } },
		{ 14, { "x" } },                   { 15, { "x", "y", "z" } }, { 16, { "y" } },  { 17, { NULL } },
		{ 18, { "a,b" } },                 { 19, { "a,b" } },     { 22, { "y", "x" } },
	};
	size_t count = with_unused ? 11 : 10;
	uint32_t first = (uint32_t)g.node_count;
	for (size_t i = 0; i < count; i++)
		node(&g, "object", "Object", plain[i].size);
	uint32_t foo = node(&g, "object", "Foo", 20);
	node(&g, "native", "Object", 21);
	uint32_t str = node(&g, "string", "v", 1);
	uint32_t shape = node(&g, "object shape", "system / Map", 5);
	edge_index(&g, 0, "element", 1, 1);
	for (size_t i = 0; i < count; i++) {
		for (size_t k = 0; k < 4 && plain[i].props[k]; k++)
			edge(&g, first + (uint32_t)i, "property", plain[i].props[k], str);
		if (i == 1)
			edge(&g, first + 1, "internal", "map", shape);
	}
	edge(&g, foo, "property", "x", str);
	edge(&g, foo, "property", "y", str);
	struct heap_snapshot *s = track_snapshot(graph_read(&g));
	graph_free(&g);
	return s;
}

static void test_interface_classes(void **state)
{
	(void)state;
	struct heap_snapshot *s = interface_graph(false);
	struct heap_summary *sum = summarize(s, 100);
	assert_int_equal(sum->class_count, 8);
	assert_int_equal(sum->top_count, 8);
	expect_row(sum, "{x, y}", 4, 48);
	expect_row(sum, "{x}", 2, 27);
	expect_row(sum, "{\"a,b\"}", 2, 37);
	expect_row(sum, "Object", 3, 54);
	expect_row(sum, "Foo", 1, 20);
	expect_row(sum, "(string)", 1, 1);
	expect_row(sum, "(object shape)", 1, 5);
	expect_row(sum, "(synthetic)", 2, 0);
	release_summary(sum);
	release_snapshot(s);
}

/* An interface that no object ends up in is not a class: no row, not counted. */
static void test_unused_interface_is_no_class(void **state)
{
	(void)state;
	struct heap_snapshot *s = interface_graph(true);
	struct heap_summary *sum = summarize(s, 100);
	expect_row(sum, "{x, y}", 5, 70);
	expect_row(sum, "{x}", 2, 27);
	for (size_t i = 0; i < sum->top_count; i++) {
		if (sum->by_count[i].total.count == 0)
			fail_msg("class '%s' is listed with no nodes", sum->by_count[i].name);
		assert_true(sum->by_size[i].total.count > 0);
	}
	assert_int_equal(sum->class_count, 8);
	release_summary(sum);
	release_snapshot(s);
}

/*
 * Detachedness (DevTools' propagateDOMState): known states are kept; from
 * attached native nodes the state spreads to native nodes first, then from
 * detached ones, over all but hidden and weak edges, never through
 * JavaScript nodes. Detached nodes are classed with a "Detached " prefix.
 *   2  D1 native "<div class=a>"  detached  -> N1 (internal), N2 (property),
 *      N4 (internal), N5 (hidden), N6 (weak), J1 (property)
 *   3  N1 native "Text"                     -> N8 (internal)
 *   4  N2 native "<span id=s>"
 *   5  N3 native "<p x=1>"        attached  -> N4 (internal)
 *   6  N4 native "Foo"             (reached from N3 first: attached)
 *   7  N5 native "Bar"             (hidden edge: unknown)
 *   8  N6 native "Baz"             (weak edge: unknown)
 *   9  J1 object "Obj"                      -> N7 (property)
 *   10 N7 native "Qux"             (behind JavaScript: unknown)
 *   11 N8 native "<b c=d>"         (from N1: detached)
 *   12 N9 native "Detached <i k=v>" detached (prefixed again)
 * Classes: Detached <div>, Detached Text, Detached <span>, <p>, Foo, Bar,
 * Baz, Obj, Qux, Detached <b>, "Detached Detached <i k=v>" (one node each,
 * sizes 10..20 in node order) and (synthetic) 2/0: 12 classes.
 */
static void test_detached_classes(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g, "detached");
	node(&g, "synthetic", "", 0);
	node(&g, "synthetic", "(GC roots)", 0);
	uint32_t d1 = dom_node(&g, "native", "<div class=a>", 10, 2);
	uint32_t n1 = dom_node(&g, "native", "Text", 11, 0);
	uint32_t n2 = dom_node(&g, "native", "<span id=s>", 12, 0);
	uint32_t n3 = dom_node(&g, "native", "<p x=1>", 13, 1);
	uint32_t n4 = dom_node(&g, "native", "Foo", 14, 0);
	uint32_t n5 = dom_node(&g, "native", "Bar", 15, 0);
	uint32_t n6 = dom_node(&g, "native", "Baz", 16, 0);
	uint32_t j1 = node(&g, "object", "Obj", 17);
	uint32_t n7 = dom_node(&g, "native", "Qux", 18, 0);
	uint32_t n8 = dom_node(&g, "native", "<b c=d>", 19, 0);
	dom_node(&g, "native", "Detached <i k=v>", 20, 2);
	edge_index(&g, 0, "element", 1, 1);
	edge(&g, d1, "internal", "child", n1);
	edge(&g, d1, "property", "s", n2);
	edge(&g, d1, "internal", "x", n4);
	edge_index(&g, d1, "hidden", 0, n5);
	edge(&g, d1, "weak", "w", n6);
	edge(&g, d1, "property", "js", j1);
	edge(&g, n1, "internal", "b", n8);
	edge(&g, n3, "internal", "y", n4);
	edge(&g, j1, "property", "q", n7);
	struct heap_snapshot *s = track_snapshot(graph_read(&g));
	graph_free(&g);
	struct heap_summary *sum = summarize(s, 100);
	static const char *const want[] = { "Detached <div>", "Detached Text", "Detached <span>", "<p>",
					    "Foo",            "Bar",           "Baz",             "Obj",
					    "Qux",            "Detached <b>",  "Detached Detached <i k=v>" };
	for (size_t i = 0; i < LH_ARRAY_LEN(want); i++)
		expect_row(sum, want[i], 1, 10 + i);
	expect_row(sum, "(synthetic)", 2, 0);
	assert_int_equal(sum->class_count, 12);
	release_summary(sum);
	release_snapshot(s);
}

/* MARK: - GC roots */

static void test_gc_roots(void **state)
{
	(void)state;
	struct heap_snapshot *s = class_graph();
	struct heap_summary *sum = summarize(s, 3);
	assert_int_equal(sum->gc_roots, 1);
	assert_int_equal(sum->root_count, 4);
	static const struct {
		uint32_t node;
		const char *name;
		uint64_t edges, distinct;
	} want[] = {
		{ 2, "(Strong roots)", 3, 2 },
		{ 3, "(Handle scope)", 4, 2 },
		{ 4, "(Strong roots)", 1, 1 },
		{ 5, "(Global handles)", 0, 0 },
	};
	for (size_t i = 0; i < LH_ARRAY_LEN(want); i++) {
		const struct summary_fanout *r = &sum->roots[i];
		assert_int_equal(r->node, want[i].node);
		assert_string_equal(heap_node_name(s, r->node), want[i].name);
		assert_int_equal(r->edges, want[i].edges);
		assert_int_equal(r->distinct_targets, want[i].distinct);
	}
	/* (Handle scope): two groups, as the hidden targets have different names: 3 edges to 14, 1 to 15. */
	const struct summary_fanout *hs = &sum->roots[1];
	assert_int_equal(hs->group_count, 2);
	assert_int_equal(hs->groups[0].edges, 3);
	assert_int_equal(heap_edge_to(s, hs->groups[0].edge), 14);
	assert_true(hs->groups[0].names_vary);
	assert_false(hs->groups[0].targets_vary);
	assert_int_equal(hs->groups[1].edges, 1);
	assert_int_equal(heap_edge_to(s, hs->groups[1].edge), 15);
	assert_false(hs->groups[1].names_vary);
	assert_false(hs->groups[1].targets_vary);
	/* (Strong roots) 2: "a"->6, "b"->7, "c"->6: all internal edges to objects named Foo, one group. */
	const struct summary_fanout *sr = &sum->roots[0];
	assert_int_equal(sr->group_count, 1);
	assert_int_equal(sr->groups[0].edges, 3);
	assert_true(sr->groups[0].names_vary);
	assert_true(sr->groups[0].targets_vary);
	assert_int_equal(sum->roots[3].group_count, 0);
	release_summary(sum);
	release_snapshot(s);
}

/* Without a "(GC roots)" node under the root there are no sub-roots to list. */
static void test_no_gc_roots(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g, "no-gc-roots");
	node(&g, "synthetic", "", 0);
	node(&g, "object", "(GC roots)", 8); /* not synthetic: not the GC roots */
	node(&g, "synthetic", "(Handle scope)", 0);
	edge_index(&g, 0, "element", 1, 1);
	edge_index(&g, 1, "element", 1, 2);
	struct heap_snapshot *s = track_snapshot(graph_read(&g));
	graph_free(&g);
	struct heap_summary *sum = summarize(s, 3);
	assert_int_equal(sum->gc_roots, UINT32_MAX);
	assert_int_equal(sum->root_count, 0);
	struct findings f;
	findings_compute(s, sum, &findings_default_thresholds, &f);
	assert_int_equal(f.count, 0);
	release_summary(sum);
	release_snapshot(s);
}

/* MARK: - Fan-out */

/*
 * Hub (node 2) has 21 edges, written interleaved, in six groups
 * (edge type, target type, and target name when the name is a class):
 *   G1  6 internal "1".."6" -> 3 hidden "system / Oddball"   names vary, one target
 *   G2  5 property p,q,r,p,q -> strings 4,5,6,4,5           names vary, targets vary
 *   G3  4 element [0..3] -> Foo 7, 8, 7, 8                  names vary, targets vary
 *   G4  3 property "same" -> Bar 9                          one name, one target
 *   G5  2 context ctx1, ctx2 -> closures 10, 11             names vary, targets vary
 *   G6  1 weak "w" -> Foo 7                                 (sixth: not kept)
 * Distinct targets: 3, 4, 5, 6, 7, 8, 9, 10, 11 = 9.
 * Other (12) has 7 property edges k1..k7, all to string 4; Foo 7 has 3
 * edges: internal "map" -> 13, property "x" -> 4, property "y" -> 5.
 * Ranking: Hub 21, Other 7, Foo 7 3, root 2, (GC roots) 1.
 */
static struct heap_snapshot *fanout_graph(void)
{
	struct graph g;
	graph_init(&g, "fanout");
	node(&g, "synthetic", "", 0);              /* 0 */
	node(&g, "synthetic", "(GC roots)", 0);    /* 1 */
	node(&g, "object", "Hub", 40);             /* 2 */
	node(&g, "hidden", "system / Oddball", 8); /* 3 */
	node(&g, "string", "a", 16);               /* 4 */
	node(&g, "string", "b", 16);               /* 5 */
	node(&g, "string", "c", 16);               /* 6 */
	node(&g, "object", "Foo", 24);             /* 7 */
	node(&g, "object", "Foo", 24);             /* 8 */
	node(&g, "object", "Bar", 24);             /* 9 */
	node(&g, "closure", "f", 32);              /* 10 */
	node(&g, "closure", "g", 32);              /* 11 */
	node(&g, "object", "Other", 24);           /* 12 */
	node(&g, "object shape", "system / Map", 80); /* 13 */
	edge_index(&g, 0, "element", 1, 1);
	edge(&g, 0, "shortcut", "global", 2);
	edge_index(&g, 1, "element", 1, 12);
	/* Hub, interleaved. The first edge of each group: G2 p, G1 "1", G3 [0], G4, G5 ctx1. */
	edge(&g, 2, "property", "p", 4);   /* G2 */
	edge(&g, 2, "internal", "1", 3);   /* G1 */
	edge_index(&g, 2, "element", 0, 7); /* G3 */
	edge(&g, 2, "property", "same", 9); /* G4 */
	edge(&g, 2, "internal", "2", 3);   /* G1 */
	edge(&g, 2, "context", "ctx1", 10); /* G5 */
	edge(&g, 2, "property", "q", 5);   /* G2 */
	edge(&g, 2, "weak", "w", 7);       /* G6 */
	edge(&g, 2, "internal", "3", 3);   /* G1 */
	edge_index(&g, 2, "element", 1, 8); /* G3 */
	edge(&g, 2, "property", "same", 9); /* G4 */
	edge(&g, 2, "property", "r", 6);   /* G2 */
	edge(&g, 2, "internal", "4", 3);   /* G1 */
	edge_index(&g, 2, "element", 2, 7); /* G3 */
	edge(&g, 2, "context", "ctx2", 11); /* G5 */
	edge(&g, 2, "property", "p", 4);   /* G2 */
	edge(&g, 2, "internal", "5", 3);   /* G1 */
	edge(&g, 2, "property", "same", 9); /* G4 */
	edge_index(&g, 2, "element", 3, 8); /* G3 */
	edge(&g, 2, "property", "q", 5);   /* G2 */
	edge(&g, 2, "internal", "6", 3);   /* G1 */
	for (int i = 1; i <= 7; i++) {
		char name[16];
		snprintf(name, sizeof(name), "k%d", i);
		edge(&g, 12, "property", name, 4);
	}
	edge(&g, 7, "internal", "map", 13);
	edge(&g, 7, "property", "x", 4);
	edge(&g, 7, "property", "y", 5);
	struct heap_snapshot *s = track_snapshot(graph_read(&g));
	graph_free(&g);
	return s;
}

static void test_fanout_groups(void **state)
{
	(void)state;
	struct heap_snapshot *s = fanout_graph();
	struct heap_summary *sum = summarize(s, 3);
	assert_int_equal(sum->fanout_count, 3);
	const struct summary_fanout *hub = &sum->fanout[0];
	assert_int_equal(hub->node, 2);
	assert_int_equal(hub->edges, 21);
	assert_int_equal(hub->distinct_targets, 9);
	assert_int_equal(hub->group_count, 5);
	/* Hub's edges start at 3 (root 2, (GC roots) 1): G2 p is edge 3, G1 "1" is 4, G3 [0] 5, G4 6, G5 ctx1 8. */
	static const struct {
		uint64_t edges;
		uint32_t first_edge;
		const char *edge_type;
		uint32_t target;
		bool names_vary, targets_vary;
	} want[] = {
		{ 6, 4, "internal", 3, true, false },
		{ 5, 3, "property", 4, true, true },
		{ 4, 5, "element", 7, true, true },
		{ 3, 6, "property", 9, false, false },
		{ 2, 8, "context", 10, true, true },
	};
	uint64_t total = 0;
	for (size_t i = 0; i < LH_ARRAY_LEN(want); i++) {
		const struct summary_target_group *grp = &hub->groups[i];
		assert_int_equal(grp->edges, want[i].edges);
		assert_int_equal(grp->edge, want[i].first_edge);
		assert_string_equal(heap_edge_type_name(s, grp->edge), want[i].edge_type);
		assert_int_equal(heap_edge_to(s, grp->edge), want[i].target);
		if (grp->names_vary != want[i].names_vary || grp->targets_vary != want[i].targets_vary)
			fail_msg("group %zu: names_vary %d targets_vary %d, expected %d %d", i, grp->names_vary,
				 grp->targets_vary, want[i].names_vary, want[i].targets_vary);
		total += grp->edges;
	}
	assert_int_equal(total, 20); /* the weak edge is in the sixth group, not kept */
	const struct summary_fanout *other = &sum->fanout[1];
	assert_int_equal(other->node, 12);
	assert_int_equal(other->edges, 7);
	assert_int_equal(other->distinct_targets, 1);
	assert_int_equal(other->group_count, 1);
	assert_int_equal(other->groups[0].edges, 7);
	assert_true(other->groups[0].names_vary);
	assert_false(other->groups[0].targets_vary);
	const struct summary_fanout *foo = &sum->fanout[2];
	assert_int_equal(foo->node, 7);
	assert_int_equal(foo->edges, 3);
	assert_int_equal(foo->distinct_targets, 3);
	assert_int_equal(foo->group_count, 2);
	assert_int_equal(foo->groups[0].edges, 2);
	assert_string_equal(heap_edge_type_name(s, foo->groups[0].edge), "property");
	assert_int_equal(foo->groups[1].edges, 1);
	assert_int_equal(heap_edge_to(s, foo->groups[1].edge), 13);
	/* (GC roots)' one sub-root is Other. */
	assert_int_equal(sum->root_count, 1);
	assert_int_equal(sum->roots[0].node, 12);
	assert_int_equal(sum->roots[0].edges, 7);
	release_summary(sum);
	release_snapshot(s);
}

static void test_fanout_ranking(void **state)
{
	(void)state;
	struct heap_snapshot *s = fanout_graph();
	struct heap_summary *sum = summarize(s, 1);
	assert_int_equal(sum->fanout_count, 1);
	assert_int_equal(sum->fanout[0].node, 2);
	release_summary(sum);
	/* Only the 5 nodes that have edges are ranked, whatever the --top. */
	sum = summarize(s, 50);
	static const uint32_t order[] = { 2, 12, 7, 0, 1 };
	static const uint64_t edges[] = { 21, 7, 3, 2, 1 };
	assert_int_equal(sum->fanout_count, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(sum->fanout[i].node, order[i]);
		assert_int_equal(sum->fanout[i].edges, edges[i]);
	}
	/* root: element -> (GC roots), shortcut -> Hub: 2 targets in 2 groups. */
	assert_int_equal(sum->fanout[3].distinct_targets, 2);
	assert_int_equal(sum->fanout[3].group_count, 2);
	release_summary(sum);
	release_snapshot(s);
}

static void test_edge_share(void **state)
{
	(void)state;
	struct heap_snapshot *s = fanout_graph();
	/* 3 + 21 + 7 + 3 = 34 edges. */
	assert_int_equal(s->edge_count, 34);
	assert_true(summary_edge_share(s, 17) > 49.999 && summary_edge_share(s, 17) < 50.001);
	assert_true(summary_edge_share(s, 34) > 99.999);
	assert_true(summary_edge_share(s, 0) == 0.0);
	release_snapshot(s);
}

/* MARK: - Findings */

/*
 * A graph for the findings: root -> (GC roots) -> (Strong roots),
 * (Handle scope), (Global handles); hs / gh / strong internal edges from
 * those roots to one hidden "system / Oddball" node, and `other` edges
 * from an ordinary object "Hub" to a string.
 * Edges in all: 1 (root) + 3 ((GC roots)) + hs + gh + strong + other.
 */
struct roots_graph {
	uint32_t hs, gh, strong, other;
	uint32_t bad; /* edges from Hub with a to_node that is not a node offset */
};

enum { RG_ROOT, RG_GC_ROOTS, RG_STRONG, RG_HANDLE_SCOPE, RG_GLOBAL, RG_ODDBALL, RG_HUB, RG_STRING };

static struct heap_snapshot *roots_graph(const struct roots_graph *spec)
{
	struct graph g;
	graph_init(&g, "roots");
	node(&g, "synthetic", "", 0);
	node(&g, "synthetic", "(GC roots)", 0);
	node(&g, "synthetic", "(Strong roots)", 0);
	node(&g, "synthetic", "(Handle scope)", 0);
	node(&g, "synthetic", "(Global handles)", 0);
	node(&g, "hidden", "system / Oddball", 16);
	node(&g, "object", "Hub", 16);
	node(&g, "string", "s", 16);
	edge_index(&g, RG_ROOT, "element", 1, RG_GC_ROOTS);
	edge_index(&g, RG_GC_ROOTS, "element", 1, RG_STRONG);
	edge_index(&g, RG_GC_ROOTS, "element", 2, RG_HANDLE_SCOPE);
	edge_index(&g, RG_GC_ROOTS, "element", 3, RG_GLOBAL);
	handle_edges(&g, RG_HANDLE_SCOPE, spec->hs, RG_ODDBALL);
	handle_edges(&g, RG_GLOBAL, spec->gh, RG_ODDBALL);
	handle_edges(&g, RG_STRONG, spec->strong, RG_ODDBALL);
	for (uint32_t i = 0; i < spec->other; i++)
		edge_index(&g, RG_HUB, "element", i, RG_STRING);
	for (uint32_t i = 0; i < spec->bad; i++)
		edge_index(&g, RG_HUB, "element", spec->other + i, 1000 + i); /* written as to_node 7*(1000+i)+1 */
	struct heap_snapshot *s = track_snapshot(spec->bad ? graph_read_lenient(&g) : graph_read(&g));
	graph_free(&g);
	return s;
}

static void run_findings(const struct roots_graph *spec, const struct findings_thresholds *th, struct findings *out,
			 struct heap_snapshot **sp)
{
	struct heap_snapshot *s = roots_graph(spec);
	struct heap_summary *sum = summarize(s, 5);
	findings_compute(s, sum, th ? th : &findings_default_thresholds, out);
	release_summary(sum);
	if (sp)
		*sp = s;
	else
		release_snapshot(s);
}

static double share_of(uint64_t edges, uint64_t total)
{
	return 100.0 * (double)edges / (double)total;
}

static void assert_share(double got, double want)
{
	if (got < want - 1e-9 || got > want + 1e-9)
		fail_msg("share %.6f, expected %.6f", got, want);
}

static void test_handle_scope_by_count(void **state)
{
	(void)state;
	/* 10,000 edges (the default threshold) of 110,004: 9.09%, under the share rule, but enough edges. */
	struct roots_graph spec = { .hs = 10000, .other = 100000 };
	struct findings f;
	struct heap_snapshot *s;
	run_findings(&spec, NULL, &f, &s);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].id, "handle-scope-pileup");
	assert_int_equal(f.items[0].node, RG_HANDLE_SCOPE);
	assert_int_equal(f.items[0].edges, 10000);
	assert_int_equal(f.items[0].native_bytes, 80000);
	assert_share(f.items[0].share, share_of(10000, 110004));
	assert_non_null(strstr(f.items[0].title, "(Handle scope)"));
	assert_non_null(strstr(f.items[0].title, "10,000"));
	/* All 10,000 point at the one Oddball (id 2*5+1). */
	assert_non_null(strstr(f.items[0].title, "all to one node"));
	assert_non_null(strstr(f.items[0].title, "system / Oddball"));
	assert_non_null(strstr(f.items[0].title, "@11"));
	assert_true(strlen(f.items[0].explanation) > 100);
	assert_non_null(strstr(f.items[0].explanation, "HandleScope"));
	release_snapshot(s);
	/* One fewer, same total share: nothing. */
	spec.hs = 9999;
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 0);
}

static void test_handle_scope_by_share(void **state)
{
	(void)state;
	/* 1,000 edges of 1,004: past 10% with the 1,000-edge floor. */
	struct roots_graph spec = { .hs = 1000 };
	struct findings f;
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].id, "handle-scope-pileup");
	assert_int_equal(f.items[0].edges, 1000);
	assert_share(f.items[0].share, share_of(1000, 1004));
	/* 999: under the floor, however large the share. */
	spec.hs = 999;
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 0);
	/* 1,200 of 12,004: 9.996%, just under 10%. */
	spec = (struct roots_graph){ .hs = 1200, .other = 10800 };
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 0);
	/* 1,200 of 11,004: 10.9%. */
	spec.other = 9800;
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].id, "handle-scope-pileup");
}

static void test_handle_scope_custom_threshold(void **state)
{
	(void)state;
	struct findings_thresholds th = findings_default_thresholds;
	th.handle_scope_edges = 50;
	th.handle_scope_share = 101.0; /* never by share */
	struct roots_graph spec = { .hs = 50 };
	struct findings f;
	run_findings(&spec, &th, &f, NULL);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].id, "handle-scope-pileup");
	assert_int_equal(f.items[0].edges, 50);
	assert_int_equal(f.items[0].native_bytes, 400);
	spec.hs = 49;
	run_findings(&spec, &th, &f, NULL);
	assert_int_equal(f.count, 0);
}

static void test_global_handles(void **state)
{
	(void)state;
	/* 10,000 of 30,004: 33%, past 25% with the 10,000-edge floor. */
	struct roots_graph spec = { .gh = 10000, .other = 20000 };
	struct findings f;
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].id, "global-handles-pileup");
	assert_int_equal(f.items[0].node, RG_GLOBAL);
	assert_int_equal(f.items[0].edges, 10000);
	assert_share(f.items[0].share, share_of(10000, 30004));
	assert_non_null(strstr(f.items[0].title, "(Global handles)"));
	/* 9,999 of 10,003: under the floor. */
	spec = (struct roots_graph){ .gh = 9999 };
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 0);
	/* 100,000 (the count threshold) of 500,004: 20%. */
	spec = (struct roots_graph){ .gh = 100000, .other = 400000 };
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].id, "global-handles-pileup");
	/* 99,999 of 500,003: nothing. */
	spec.gh = 99999;
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 0);
	/* 5,000 of 25,004: under both the floor and the share. */
	spec = (struct roots_graph){ .gh = 5000, .other = 20000 };
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 0);
}

static void test_dominant_root(void **state)
{
	(void)state;
	/* (Strong roots) with 60 of 100 edges (4 fixed + 60 + 36). */
	struct roots_graph spec = { .strong = 60, .other = 36 };
	struct findings f;
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].id, "dominant-gc-root");
	assert_int_equal(f.items[0].node, RG_STRONG);
	assert_int_equal(f.items[0].edges, 60);
	assert_share(f.items[0].share, 60.0);
	assert_non_null(strstr(f.items[0].title, "(Strong roots)"));
	/* 40 of 100: nothing. */
	spec = (struct roots_graph){ .strong = 40, .other = 56 };
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 0);
	/* Handle scope and global handles have their own rules, not this one: 60% of 999 edges is no finding. */
	spec = (struct roots_graph){ .hs = 599, .other = 396 };
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 0);
}

static void test_bad_edges_finding(void **state)
{
	(void)state;
	struct roots_graph spec = { .other = 10, .bad = 3 };
	struct findings f;
	struct heap_snapshot *s;
	run_findings(&spec, NULL, &f, &s);
	assert_int_equal(s->bad_edges, 3);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].id, "bad-edges");
	assert_int_equal(f.items[0].edges, 3);
	assert_int_equal(f.items[0].node, UINT32_MAX);
	assert_share(f.items[0].share, share_of(3, 17));
	release_snapshot(s);
}

/* Findings come in sub-root order, the bad edges last. */
static void test_findings_order(void **state)
{
	(void)state;
	/* (Strong roots) 30,000 of 50,007 (60%), (Handle scope) 10,000, (Global handles) 10,000 (20% < 25%: no). */
	struct roots_graph spec = { .strong = 30000, .hs = 10000, .gh = 10000, .bad = 3 };
	struct findings f;
	run_findings(&spec, NULL, &f, NULL);
	assert_int_equal(f.count, 3);
	assert_string_equal(f.items[0].id, "dominant-gc-root");
	assert_string_equal(f.items[1].id, "handle-scope-pileup");
	assert_string_equal(f.items[2].id, "bad-edges");
	assert_share(f.items[0].share, share_of(30000, 50007));
}

/*
 * Detached DOM, hand-computed. Window (a JS object under the root) holds
 * an attached document with a <div>, and a <ul> marked detached whose two
 * <li> and a Text under the first inherit it (DevTools' spread over
 * element edges); a <span> behind a hidden edge does not. Window also
 * holds the second <li> and, weakly, the first. Detached: <ul> 100, <li>
 * 50 + 50, Text 10 = 4 nodes, 210 bytes; references into them from
 * outside: Window -> <ul> and Window -> <li> #2 (the weak one does not
 * count); the sample is the first, the <ul>.
 */
enum { DG_ROOT, DG_WINDOW, DG_DOCUMENT, DG_DIV, DG_UL, DG_LI1, DG_LI2, DG_TEXT, DG_SPAN };

static struct heap_snapshot *detached_graph(void)
{
	struct graph g;
	graph_init(&g, "detached");
	node(&g, "synthetic", "", 0);
	node(&g, "object", "Window", 40);
	dom_node(&g, "native", "HTMLDocument", 200, 1);
	dom_node(&g, "native", "<div>", 80, 0);
	dom_node(&g, "native", "<ul>", 100, 2);
	dom_node(&g, "native", "<li>", 50, 0);
	dom_node(&g, "native", "<li>", 50, 0);
	dom_node(&g, "native", "Text", 10, 0);
	dom_node(&g, "native", "<span>", 30, 0);
	edge_index(&g, DG_ROOT, "element", 1, DG_WINDOW);
	edge(&g, DG_WINDOW, "property", "document", DG_DOCUMENT);
	edge(&g, DG_WINDOW, "property", "kept", DG_UL);
	edge(&g, DG_WINDOW, "property", "item", DG_LI2);
	edge(&g, DG_WINDOW, "weak", "first", DG_LI1);
	edge_index(&g, DG_DOCUMENT, "element", 1, DG_DIV);
	edge_index(&g, DG_UL, "element", 1, DG_LI1);
	edge_index(&g, DG_UL, "element", 2, DG_LI2);
	edge_index(&g, DG_UL, "hidden", 3, DG_SPAN);
	edge_index(&g, DG_LI1, "element", 1, DG_TEXT);
	struct heap_snapshot *s = track_snapshot(graph_read(&g));
	graph_free(&g);
	return s;
}

static void detached_findings(uint64_t threshold, struct findings *out, struct heap_snapshot **sp)
{
	struct heap_snapshot *s = detached_graph();
	struct heap_summary *sum = summarize(s, 5);
	struct findings_thresholds th = findings_default_thresholds;
	th.detached_nodes = threshold;
	findings_compute(s, sum, &th, out);
	release_summary(sum);
	*sp = s;
}

static void test_detached_dom_finding(void **state)
{
	(void)state;
	struct findings f;
	struct heap_snapshot *s;
	detached_findings(4, &f, &s);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].id, "detached-dom");
	assert_int_equal(f.items[0].nodes, 4);
	assert_int_equal(f.items[0].native_bytes, 210);
	assert_int_equal(f.items[0].edges, 2);
	assert_int_equal(f.items[0].node, DG_UL);
	assert_non_null(strstr(f.items[0].title, "4 detached DOM"));
	assert_non_null(strstr(f.items[0].title, ": 2 <li>, "));
	assert_null(strstr(f.items[0].title, "<span>"));
	assert_null(strstr(f.items[0].title, "<div>"));
	char path_hint[64];
	snprintf(path_hint, sizeof(path_hint), "@%u", s->node_id[DG_UL]);
	assert_non_null(strstr(f.items[0].explanation, path_hint));
}

static void test_detached_dom_threshold(void **state)
{
	(void)state;
	struct findings f;
	struct heap_snapshot *s;
	detached_findings(5, &f, &s); /* one more than the graph has */
	assert_int_equal(f.count, 0);
	detached_findings(findings_default_thresholds.detached_nodes, &f, &s);
	assert_int_equal(f.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_type_counts, release_all),
		cmocka_unit_test_teardown(test_classes_all, release_all),
		cmocka_unit_test_teardown(test_classes_top, release_all),
		cmocka_unit_test_teardown(test_class_name_of_each_kind, release_all),
		cmocka_unit_test_teardown(test_class_of_name, release_all),
		cmocka_unit_test_teardown(test_class_of_name_unclosed_tag, release_all),
		cmocka_unit_test_teardown(test_interface_classes, release_all),
		cmocka_unit_test_teardown(test_unused_interface_is_no_class, release_all),
		cmocka_unit_test_teardown(test_detached_classes, release_all),
		cmocka_unit_test_teardown(test_gc_roots, release_all),
		cmocka_unit_test_teardown(test_no_gc_roots, release_all),
		cmocka_unit_test_teardown(test_fanout_groups, release_all),
		cmocka_unit_test_teardown(test_fanout_ranking, release_all),
		cmocka_unit_test_teardown(test_edge_share, release_all),
		cmocka_unit_test_teardown(test_handle_scope_by_count, release_all),
		cmocka_unit_test_teardown(test_handle_scope_by_share, release_all),
		cmocka_unit_test_teardown(test_handle_scope_custom_threshold, release_all),
		cmocka_unit_test_teardown(test_global_handles, release_all),
		cmocka_unit_test_teardown(test_dominant_root, release_all),
		cmocka_unit_test_teardown(test_bad_edges_finding, release_all),
		cmocka_unit_test_teardown(test_findings_order, release_all),
		cmocka_unit_test_teardown(test_detached_dom_finding, release_all),
		cmocka_unit_test_teardown(test_detached_dom_threshold, release_all),
	};
	if (getenv("LH_TEST_FILTER")) /* e.g. LH_TEST_FILTER='test_fanout*' */
		cmocka_set_test_filter(getenv("LH_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
