/*
 * test_reader.c - heap_snapshot_read() on tiny hand-written snapshots.
 *
 * Every expected value here is computed by hand from the text of the
 * snapshot in the test (see the node and edge tables next to BASE), never
 * taken from leakhound's own output. Error offsets are positions in the
 * test's own text, found with strstr() on the offending token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../../src/heap/snapshot.h"

/*
 * A dirty realloc: the bytes a realloc adds are filled with 0xa5 instead of
 * whatever the allocator had (often zero pages), so that reading them as if
 * initialised shows up as wrong values. Not under ASan or TSan, which own malloc.
 */
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#include <dlfcn.h>
#include <malloc.h>

void *realloc(void *p, size_t n)
{
	static void *(*real_realloc)(void *, size_t);
	if (!real_realloc)
		real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	size_t old = p ? malloc_usable_size(p) : 0;
	void *q = real_realloc(p, n);
	if (q && n > old)
		memset((char *)q + old, 0xa5, n - old);
	return q;
}
#endif

/* MARK: - The base snapshot */

#define NODE_TYPES                                                                                           \
	"[\"hidden\",\"array\",\"string\",\"object\",\"code\",\"closure\",\"regexp\",\"number\",\"native\","  \
	"\"synthetic\",\"concatenated string\",\"sliced string\",\"symbol\",\"bigint\",\"object shape\"]"
#define EDGE_TYPES "[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\"]"
#define META_TAIL                                                                                            \
	"\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"                                            \
	"\"edge_types\":[" EDGE_TYPES ",\"string_or_number\",\"node\"],"                                       \
	"\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\",\"line\","  \
	"\"column\"],"                                                                                       \
	"\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],"            \
	"\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],"                                          \
	"\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]}"
#define META7                                                                                                \
	"{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\","         \
	"\"detachedness\"],"                                                                                 \
	"\"node_types\":[" NODE_TYPES ",\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"]," \
	META_TAIL

/*
 * The graph (node type indices: 0 hidden, 2 string, 3 object, 8 native,
 * 9 synthetic; edge type indices: 1 element, 2 property, 3 internal,
 * 4 hidden, 5 shortcut, 6 weak):
 *
 *   ord offset type       name                        id  self_size   edges  trace detached
 *   0   0      synthetic  ""                          1   0           2      0     0
 *   1   7      synthetic  "(GC roots)"                3   0           1      0     0
 *   2   14     synthetic  "(Strong roots)"            5   0           1      0     0
 *   3   21     object     "Foo"                       7   32          2      4     0
 *   4   28     string     "hello"                     9   24          0      0     0
 *   5   35     native     "system / JSArrayBufferData" 11 5000000000  1      0     1
 *   6   42     hidden     ""                          13  4294967295  0      0     2
 *
 *   edge  from  type      name_or_index   to_node -> ordinal
 *   0     0     element   1               7       -> 1
 *   1     0     shortcut  5 "x"           21      -> 3
 *   2     1     element   1               14      -> 2
 *   3     2     internal  6 "hello"       21      -> 3
 *   4     3     property  5 "x"           28      -> 4
 *   5     3     weak      8 "map"         35      -> 5
 *   6     5     hidden    7 (an index)    42      -> 6
 */
#define BASE_HEADER "{\"snapshot\":{\"meta\":" META7 ",\"node_count\":7,\"edge_count\":7,\"trace_function_count\":0},\n"
#define BASE_NODE_LIST_BUT_LAST                                                                              \
	"9,1,1,0,2,0,0\n,9,2,3,0,1,0,0\n,9,3,5,0,1,0,0\n,3,4,7,32,2,4,0\n,2,6,9,24,0,0,0\n"                  \
	",8,7,11,5000000000,1,0,1\n,0,1,13,4294967295,0,0"
#define BASE_NODES_NO_COMMA "\"nodes\":[" BASE_NODE_LIST_BUT_LAST ",2]"
#define BASE_NODES_NO_COMMA_SHORT "\"nodes\":[" BASE_NODE_LIST_BUT_LAST "]"
#define BASE_NODES BASE_NODES_NO_COMMA ",\n"
#define BASE_EDGES_NO_COMMA "\"edges\":[1,1,7\n,5,5,21\n,1,1,14\n,3,6,21\n,2,5,28\n,6,8,35\n,4,7,42]"
#define BASE_EDGES BASE_EDGES_NO_COMMA ",\n"
#define BASE_EXTRA "\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":[],\n"
#define BASE_STRING_LIST                                                                                     \
	"\"<dummy>\",\n\"\",\n\"(GC roots)\",\n\"(Strong roots)\",\n\"Foo\",\n\"x\",\n\"hello\",\n"            \
	"\"system / JSArrayBufferData\",\n\"map\""
#define BASE_STRINGS_NO_BRACE "\"strings\":[" BASE_STRING_LIST "]"
#define BASE_STRINGS BASE_STRINGS_NO_BRACE "}"
#define BASE BASE_HEADER BASE_NODES BASE_EDGES BASE_EXTRA BASE_STRINGS

static const char *const base_strings[] = {
	"<dummy>", "", "(GC roots)", "(Strong roots)", "Foo", "x", "hello", "system / JSArrayBufferData", "map",
};

/* MARK: - Helpers */

/*
 * Everything a test allocates is tracked and released by the teardown, so
 * that a failing assertion (cmocka longjmps out of the test) leaks nothing
 * and ASan's leak report stays about leakhound.
 */
#define MAX_TRACKED 256
static void *tracked[MAX_TRACKED];
static size_t tracked_count;
static char *tracked_paths[MAX_TRACKED];
static size_t tracked_path_count;
static struct heap_snapshot *live[16];
static size_t live_count;

static void *track(void *p)
{
	assert_true(tracked_count < MAX_TRACKED);
	return tracked[tracked_count++] = p;
}

static struct heap_snapshot *track_snapshot(struct heap_snapshot *s)
{
	assert_true(live_count < LH_ARRAY_LEN(live));
	return live[live_count++] = s;
}

/* heap_snapshot_free() for a tracked snapshot. */
static void release(struct heap_snapshot *s)
{
	for (size_t i = 0; i < live_count; i++) {
		if (live[i] == s) {
			live[i] = live[--live_count];
			heap_snapshot_free(s);
			return;
		}
	}
	fail_msg("release: snapshot not tracked");
}

static int release_all(void **state)
{
	(void)state;
	while (live_count)
		heap_snapshot_free(live[--live_count]);
	while (tracked_count)
		free(tracked[--tracked_count]);
	while (tracked_path_count) {
		char *path = tracked_paths[--tracked_path_count];
		if (unlink(path) != 0)
			rmdir(path);
		free(path);
	}
	return 0;
}

static char *temp_path(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = NULL;
	assert_true(asprintf(&path, "%s/lh-test-reader-XXXXXX", dir && *dir ? dir : "/tmp") > 0);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_true(tracked_path_count < MAX_TRACKED);
	return tracked_paths[tracked_path_count++] = path;
}

/* Removes a tracked temp file now (for the many short-lived ones). */
static void remove_path(char *path)
{
	for (size_t i = 0; i < tracked_path_count; i++) {
		if (tracked_paths[i] == path) {
			tracked_paths[i] = tracked_paths[--tracked_path_count];
			unlink(path);
			free(path);
			return;
		}
	}
	fail_msg("remove_path: %s not tracked", path);
}

static char *write_temp(const void *data, size_t len)
{
	char *path = temp_path();
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Writes data gzip'd, split into `members` concatenated gzip members. */
static char *write_gzip(const void *data, size_t len, int members)
{
	char *path = temp_path();
	size_t done = 0;
	for (int m = 0; m < members; m++) {
		size_t part = m == members - 1 ? len - done : len / (size_t)members;
		gzFile gz = gzopen(path, m == 0 ? "wb6" : "ab6");
		assert_non_null(gz);
		if (part)
			assert_int_equal(gzwrite(gz, (const char *)data + done, (unsigned)part), (int)part);
		assert_int_equal(gzclose(gz), Z_OK);
		done += part;
	}
	return path;
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	unsigned char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return track(buf);
}

/* The second run of every test has the edges array read on a second thread, whatever the file's size. */
static uint64_t split_min_bytes;

static struct heap_snapshot *read_path(const char *path, bool lenient, struct lh_error *err)
{
	struct heap_read_options opts = { .lenient_edges = lenient, .split_min_bytes = split_min_bytes };
	memset(err, 0, sizeof(*err));
	struct heap_snapshot *s = heap_snapshot_read(path, &opts, err);
	return s ? track_snapshot(s) : NULL;
}

static struct heap_snapshot *read_bytes(const void *data, size_t len, bool lenient, struct lh_error *err)
{
	char *path = write_temp(data, len);
	struct heap_snapshot *s = read_path(path, lenient, err);
	remove_path(path);
	return s;
}

static struct heap_snapshot *read_text(const char *text, struct lh_error *err)
{
	return read_bytes(text, strlen(text), false, err);
}

/* Reads text that must load; fails the test with the reader's message otherwise. */
static struct heap_snapshot *must_read(const char *text, bool lenient)
{
	struct lh_error err;
	struct heap_snapshot *s = read_bytes(text, strlen(text), lenient, &err);
	if (!s)
		fail_msg("expected the snapshot to load, got: byte %llu: %s", (unsigned long long)err.offset, err.message);
	assert_false(err.set);
	return s;
}

/* text with the single occurrence of old replaced by new. */
static char *replace(const char *text, const char *old, const char *new_text)
{
	const char *at = strstr(text, old);
	if (!at)
		fail_msg("replace: '%s' not found", old);
	if (strstr(at + 1, old))
		fail_msg("replace: '%s' occurs more than once", old);
	char *out = NULL;
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - text), text, new_text, at + strlen(old)) > 0);
	return track(out);
}

/* Byte offset of needle, searched from the first occurrence of anchor ("" = from the start). */
static uint64_t pos_after(const char *text, const char *anchor, const char *needle)
{
	const char *a = strstr(text, anchor);
	if (!a)
		fail_msg("pos_after: anchor '%s' not found", anchor);
	const char *at = strstr(a, needle);
	if (!at)
		fail_msg("pos_after: '%s' not found after '%s'", needle, anchor);
	return (uint64_t)(at - text);
}

static uint64_t pos(const char *text, const char *needle)
{
	return pos_after(text, "", needle);
}

#define ANY_OFFSET (UINT64_MAX - 1)

/*
 * Reading data must fail: NULL, err.set, err.offset == offset (unless
 * ANY_OFFSET), and the message must contain each of the NULL-terminated words.
 */
static void expect_bad_bytes(const void *data, size_t len, bool lenient, uint64_t offset, ...)
{
	struct lh_error err;
	struct heap_snapshot *s = read_bytes(data, len, lenient, &err);
	if (s) {
		release(s);
		fail_msg("expected a bad-input error, but the snapshot loaded");
	}
	assert_true(err.set);
	assert_true(err.message[0] != '\0');
	if (offset != ANY_OFFSET && err.offset != offset)
		fail_msg("expected the error at byte %llu, got byte %llu: %s", (unsigned long long)offset,
			 (unsigned long long)err.offset, err.message);
	va_list ap;
	va_start(ap, offset);
	for (const char *w; (w = va_arg(ap, const char *));)
		if (!strstr(err.message, w))
			fail_msg("error message lacks '%s': byte %llu: %s", w, (unsigned long long)err.offset, err.message);
	va_end(ap);
}

#define expect_bad(text, offset, ...) expect_bad_bytes((text), strlen(text), false, (offset), __VA_ARGS__, NULL)

/* Same as expect_bad, and the offset must fall in [lo, hi]. */
static void expect_bad_between(const char *text, uint64_t lo, uint64_t hi, const char *word)
{
	struct lh_error err;
	struct heap_snapshot *s = read_text(text, &err);
	if (s) {
		release(s);
		fail_msg("expected a bad-input error, but the snapshot loaded");
	}
	assert_true(err.set);
	if (err.offset < lo || err.offset > hi)
		fail_msg("expected the error between bytes %llu and %llu, got %llu: %s", (unsigned long long)lo,
			 (unsigned long long)hi, (unsigned long long)err.offset, err.message);
	if (!strstr(err.message, word))
		fail_msg("error message lacks '%s': %s", word, err.message);
}

/* MARK: - The base graph, field by field */

static void check_strings(const struct heap_snapshot *s)
{
	for (uint32_t i = 0; i < LH_ARRAY_LEN(base_strings); i++) {
		assert_string_equal(heap_string(s, i), base_strings[i]);
		assert_int_equal(heap_string_length(s, i), strlen(base_strings[i]));
	}
}

/* Everything in the table above BASE but the string count; `trace` and `detachedness`: whether stored. */
static void check_graph(const struct heap_snapshot *s, bool trace, bool detachedness)
{
	static const unsigned type[] = { 9, 9, 9, 3, 2, 8, 0 };
	static const enum heap_node_kind kind[] = { HEAP_NODE_SYNTHETIC, HEAP_NODE_SYNTHETIC, HEAP_NODE_SYNTHETIC,
						    HEAP_NODE_OBJECT,    HEAP_NODE_STRING,    HEAP_NODE_NATIVE,
						    HEAP_NODE_HIDDEN };
	static const uint32_t name[] = { 1, 2, 3, 4, 6, 7, 1 };
	static const uint32_t id[] = { 1, 3, 5, 7, 9, 11, 13 };
	static const uint64_t self_size[] = { 0, 0, 0, 32, 24, 5000000000ull, 4294967295ull };
	static const uint32_t first_edge[] = { 0, 2, 3, 4, 6, 6, 7, 7 };
	static const uint32_t trace_id[] = { 0, 0, 0, 4, 0, 0, 0 };
	static const uint8_t detached[] = { 0, 0, 0, 0, 0, 1, 2 };
	static const uint32_t edge_to[] = { 1, 3, 2, 3, 4, 5, 6 };
	static const unsigned edge_type[] = { 1, 5, 1, 3, 2, 6, 4 };
	static const enum heap_edge_kind edge_kind[] = { HEAP_EDGE_ELEMENT, HEAP_EDGE_SHORTCUT, HEAP_EDGE_ELEMENT,
							 HEAP_EDGE_INTERNAL, HEAP_EDGE_PROPERTY, HEAP_EDGE_WEAK,
							 HEAP_EDGE_HIDDEN };
	static const uint32_t edge_name[] = { 1, 5, 1, 6, 5, 8, 7 };
	static const bool indexed[] = { true, false, true, false, false, false, true };

	assert_int_equal(s->node_count, 7);
	assert_int_equal(s->edge_count, 7);
	assert_int_equal(s->root, 0);
	for (uint32_t n = 0; n < 7; n++) {
		assert_int_equal(s->node_type[n], type[n]);
		assert_int_equal(heap_node_kind(s, n), kind[n]);
		assert_int_equal(s->node_name[n], name[n]);
		assert_string_equal(heap_node_name(s, n), base_strings[name[n]]);
		assert_int_equal(s->node_id[n], id[n]);
		assert_int_equal(heap_node_self_size(s, n), self_size[n]);
		assert_int_equal(heap_node_edge_count(s, n), first_edge[n + 1] - first_edge[n]);
	}
	for (uint32_t n = 0; n <= 7; n++)
		assert_int_equal(s->node_first_edge[n], first_edge[n]);
	assert_string_equal(heap_node_type_name(s, 5), "native");
	assert_string_equal(heap_node_type_name(s, 0), "synthetic");
	for (uint32_t e = 0; e < 7; e++) {
		assert_int_equal(heap_edge_to(s, e), edge_to[e]);
		assert_int_equal(heap_edge_type(s, e), edge_type[e]);
		assert_int_equal(heap_edge_kind(s, e), edge_kind[e]);
		assert_int_equal(s->edge_name[e], edge_name[e]);
		assert_int_equal(heap_edge_is_indexed(s, e), indexed[e]);
	}
	assert_string_equal(heap_edge_type_name(s, 1), "shortcut");
	assert_string_equal(heap_edge_type_name(s, 6), "hidden");
	check_strings(s);
	if (trace) {
		assert_non_null(s->node_trace_id);
		for (uint32_t n = 0; n < 7; n++)
			assert_int_equal(s->node_trace_id[n], trace_id[n]);
	} else {
		assert_null(s->node_trace_id);
	}
	if (detachedness) {
		assert_non_null(s->node_detachedness);
		for (uint32_t n = 0; n < 7; n++)
			assert_int_equal(s->node_detachedness[n], detached[n]);
	} else {
		assert_null(s->node_detachedness);
	}
	assert_int_equal(s->format.node_type_count, 15);
	assert_int_equal(s->format.edge_type_count, 7);
	assert_string_equal(s->format.node_types[14], "object shape");
	assert_string_equal(s->format.edge_types[6], "weak");
	assert_int_equal(s->format.edge_field_count, 3);
	assert_int_equal(s->bad_edges, 0);
}

static void check_base_graph(const struct heap_snapshot *s, bool trace, bool detachedness)
{
	check_graph(s, trace, detachedness);
	assert_int_equal(s->string_count, 9);
	assert_int_equal(s->replaced_sequences, 0);
}

static void test_minimal_graph(void **state)
{
	(void)state;
	const char *text = BASE;
	struct heap_snapshot *s = must_read(text, false);
	check_base_graph(s, true, true);
	assert_int_equal(s->format.node_field_count, 7);
	static const char *const fields[] = { "type", "name", "id", "self_size", "edge_count", "trace_node_id",
					      "detachedness" };
	for (unsigned f = 0; f < 7; f++)
		assert_string_equal(s->format.node_fields[f], fields[f]);
	assert_string_equal(s->format.edge_fields[2], "to_node");
	/* The four sections V8 writes besides snapshot/nodes/edges/strings, in file order. */
	assert_int_equal(s->format.extra_section_count, 4);
	assert_string_equal(s->format.extra_sections[0], "trace_function_infos");
	assert_string_equal(s->format.extra_sections[1], "trace_tree");
	assert_string_equal(s->format.extra_sections[2], "samples");
	assert_string_equal(s->format.extra_sections[3], "locations");
	assert_false(s->gzip);
	assert_int_equal(s->file_bytes, strlen(text));
	assert_int_equal(s->input_bytes, strlen(text));
	assert_int_equal(s->extra_native_bytes, 0);
	assert_int_equal(s->trace_function_count, 0);
	release(s);
}

/* Old V8: no trace_node_id, no detachedness (5 fields, to_node = ordinal * 5). */
static void test_five_fields_no_detachedness(void **state)
{
	(void)state;
	const char *text =
		"{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\"],"
		"\"node_types\":[" NODE_TYPES ",\"string\",\"number\",\"number\",\"number\"]," META_TAIL
		",\"node_count\":7,\"edge_count\":7},\n"
		"\"nodes\":[9,1,1,0,2\n,9,2,3,0,1\n,9,3,5,0,1\n,3,4,7,32,2\n,2,6,9,24,0\n,8,7,11,5000000000,1\n"
		",0,1,13,4294967295,0],\n"
		"\"edges\":[1,1,5\n,5,5,15\n,1,1,10\n,3,6,15\n,2,5,20\n,6,8,25\n,4,7,30],\n" BASE_STRINGS;
	struct heap_snapshot *s = must_read(text, false);
	check_base_graph(s, false, false);
	assert_int_equal(s->format.node_field_count, 5);
	assert_int_equal(s->format.extra_section_count, 0);
	release(s);
}

/* Newer V8 without allocation tracking: detachedness but no trace_node_id (6 fields). */
static void test_six_fields_no_trace_node_id(void **state)
{
	(void)state;
	const char *text =
		"{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\","
		"\"detachedness\"],"
		"\"node_types\":[" NODE_TYPES ",\"string\",\"number\",\"number\",\"number\",\"number\"]," META_TAIL
		",\"node_count\":7,\"edge_count\":7},\n"
		"\"nodes\":[9,1,1,0,2,0\n,9,2,3,0,1,0\n,9,3,5,0,1,0\n,3,4,7,32,2,0\n,2,6,9,24,0,0\n"
		",8,7,11,5000000000,1,1\n,0,1,13,4294967295,0,2],\n"
		"\"edges\":[1,1,6\n,5,5,18\n,1,1,12\n,3,6,18\n,2,5,24\n,6,8,30\n,4,7,36],\n" BASE_STRINGS;
	struct heap_snapshot *s = must_read(text, false);
	check_base_graph(s, false, true);
	release(s);
}

/* The fields are present but all zero (what Node.js writes): documented as not stored. */
static void test_zero_trace_and_detachedness_not_stored(void **state)
{
	(void)state;
	char *a = replace(BASE, "3,4,7,32,2,4,0", "3,4,7,32,2,0,0");
	char *b = replace(a, "8,7,11,5000000000,1,0,1", "8,7,11,5000000000,1,0,0");
	char *c = replace(b, "0,1,13,4294967295,0,0,2", "0,1,13,4294967295,0,0,0");
	struct heap_snapshot *s = must_read(c, false);
	check_base_graph(s, false, false);
	release(s);
}

/*
 * The layout comes from meta: fields in another order, an unknown node
 * field (with values that would be errors anywhere else) and edge fields
 * in another order.
 */
static void test_unknown_and_reordered_fields(void **state)
{
	(void)state;
	const char *text =
		"{\"snapshot\":{\"meta\":{\"node_fields\":[\"id\",\"flags\",\"edge_count\",\"name\",\"type\","
		"\"self_size\",\"detachedness\"],"
		"\"node_types\":[" NODE_TYPES ",\"number\",\"number\",\"number\",\"string\",\"number\",\"number\"],"
		"\"edge_fields\":[\"to_node\",\"type\",\"name_or_index\"],"
		"\"edge_types\":[" EDGE_TYPES ",\"node\",\"string_or_number\"]},"
		"\"node_count\":7,\"edge_count\":7},\n"
		"\"nodes\":[1,77777,2,1,9,0,0\n,3,4294967296,1,2,9,0,0\n,5,99,1,3,9,0,0\n,7,0,2,4,3,32,0\n"
		",9,12345678901234,0,6,2,24,0\n,11,77777,1,7,8,5000000000,1\n,13,18446744073709551615,0,1,0,4294967295,2],\n"
		"\"edges\":[7,1,1\n,21,5,5\n,14,1,1\n,21,3,6\n,28,2,5\n,35,6,8\n,42,4,7],\n" BASE_STRINGS;
	struct heap_snapshot *s = must_read(text, false);
	check_base_graph(s, false, true);
	assert_int_equal(s->format.node_field_count, 7);
	assert_string_equal(s->format.node_fields[1], "flags");
	assert_string_equal(s->format.edge_fields[0], "to_node");
	release(s);
}

/* Sections in other orders: arrays before the header are parked and replayed. */
static void test_sections_in_any_order(void **state)
{
	(void)state;
	static const char *const orders[] = {
		/* strings first, nodes before the header, edges after it */
		"{" BASE_STRINGS_NO_BRACE "," BASE_NODES_NO_COMMA ",\"snapshot\":{\"meta\":" META7
		",\"node_count\":7,\"edge_count\":7}," BASE_EDGES_NO_COMMA "}",
		/* the header last: both arrays replayed */
		"{" BASE_EDGES_NO_COMMA "," BASE_NODES_NO_COMMA "," BASE_STRINGS_NO_BRACE
		",\"samples\":[],\"snapshot\":{\"meta\":" META7 ",\"node_count\":7,\"edge_count\":7}}",
		/* edges before nodes, both after the header */
		"{\"snapshot\":{\"meta\":" META7 ",\"node_count\":7,\"edge_count\":7}," BASE_EDGES_NO_COMMA
		"," BASE_STRINGS_NO_BRACE "," BASE_NODES_NO_COMMA "}",
	};
	for (size_t i = 0; i < LH_ARRAY_LEN(orders); i++) {
		struct heap_snapshot *s = must_read(orders[i], false);
		check_base_graph(s, true, true);
		release(s);
	}
}

/* Unknown top-level sections and header keys are skipped; sections are listed. */
static void test_extra_sections_and_header_keys(void **state)
{
	(void)state;
	const char *t =
		"{\"snapshot\":{\"future_key\":{\"a\":[1,2,{\"b\":null}],\"c\":\"}]\\\"\"},\"meta\":" META7
		",\"node_count\":7,\"extra_native_bytes\":12345,\"edge_count\":7,\"trace_function_count\":3,"
		"\"flags\":[true,false,null,-0.5,1E9]},\n"
		"\"future_section\":{\"nested\":[[[[]]],{},{\"k\":[\"v\",\"\\u00e9\\n\"]}]},\n" BASE_NODES BASE_EDGES
		"\"trace_function_infos\":[1,2,3,4,5,6],\n\"trace_tree\":[1,2,3,4,[]],\n"
		"\"samples\":[10,20],\n\"locations\":[21,1,2,3],\n\"another\":\"string value\",\n"
		"\"a_number\":-12.5e-3,\n" BASE_STRINGS;
	struct heap_snapshot *s = must_read(t, false);
	check_base_graph(s, true, true);
	static const char *const extra[] = { "future_section", "trace_function_infos", "trace_tree", "samples",
					     "locations",      "another",              "a_number" };
	assert_int_equal(s->format.extra_section_count, LH_ARRAY_LEN(extra));
	for (size_t i = 0; i < LH_ARRAY_LEN(extra); i++)
		assert_string_equal(s->format.extra_sections[i], extra[i]);
	assert_int_equal(s->extra_native_bytes, 12345);
	assert_int_equal(s->trace_function_count, 3);
	release(s);
}

/* Inserts whitespace around every token outside strings. */
static char *spacify(const char *text)
{
	static const char ws[] = " \t\r\n";
	size_t len = strlen(text);
	char *out = malloc(len * 8 + 16);
	assert_non_null(out);
	size_t o = 0;
	unsigned k = 0;
	out[o++] = '\n';
	out[o++] = ' ';
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			out[o++] = c;
			if (c == '\\')
				out[o++] = text[++i];
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"')
			in_string = true;
		if (c == '\n')
			continue;
		if (c == ']' || c == '}' || c == ',' || c == ':')
			out[o++] = ws[k++ % 4];
		out[o++] = c;
		if (c == '[' || c == '{' || c == ',' || c == ':') {
			out[o++] = ws[k++ % 4];
			out[o++] = ws[k++ % 4];
		}
	}
	memcpy(out + o, " \r\n\t\n", 5);
	o += 5;
	out[o] = '\0';
	return track(out);
}

static void test_whitespace_variations(void **state)
{
	(void)state;
	/* No whitespace at all. */
	char *compact = track(strdup(BASE));
	char *w = compact;
	for (const char *r = BASE; *r; r++)
		if (*r != '\n')
			*w++ = *r;
	*w = '\0';
	struct heap_snapshot *s = must_read(compact, false);
	check_base_graph(s, true, true);
	assert_int_equal(s->input_bytes, strlen(compact));
	release(s);
	/* Spaces, tabs, CR and LF between all tokens, before the object and after it. */
	char *spaced = spacify(BASE);
	s = must_read(spaced, false);
	check_base_graph(s, true, true);
	assert_int_equal(s->input_bytes, strlen(spaced));
	release(s);
}

/* MARK: - Strings */

static void test_string_escapes(void **state)
{
	(void)state;
	const char *text = BASE_HEADER BASE_NODES BASE_EDGES BASE_EXTRA "\"strings\":[" BASE_STRING_LIST ",\n"
		"\"q\\\"b\\\\s\\/e\",\n"              /* 9:  q"b\s/e */
		"\"\\b\\f\\n\\r\\t\",\n"               /* 10: the short control escapes */
		"\"\\u00e9\\u00C9\",\n"                /* 11: é É, lower and upper hex */
		"\"\\ud83d\\ude00\",\n"                /* 12: a surrogate pair: U+1F600 */
		"\"a\\ud83dz\",\n"                     /* 13: lone high surrogate */
		"\"\\ude00\",\n"                       /* 14: lone low surrogate */
		"\"\\ud83d\\u0041\",\n"                /* 15: high surrogate, then not a low one */
		"\"raw \xc3\xa9 \xf0\x9f\x98\x80 \xe4\xb8\xad\",\n" /* 16: raw UTF-8 */
		"\"bad \xff byte\",\n"                 /* 17: an invalid UTF-8 byte */
		"\"a\\u0000b\",\n"                     /* 18: an embedded NUL */
		"\"\\u4E2D\\u0041\\u007f\\u0001\",\n"  /* 19: 3-byte, ASCII, DEL, control */
		"\"x\\ud83d\"]}";                      /* 20: high surrogate at the end */
	struct heap_snapshot *s = must_read(text, false);
	check_graph(s, true, true);
	assert_int_equal(s->string_count, 21);
	static const struct {
		uint32_t index;
		const char *bytes;
		size_t len;
	} want[] = {
		{ 9, "q\"b\\s/e", 7 },
		{ 10, "\b\f\n\r\t", 5 },
		{ 11, "\xc3\xa9\xc3\x89", 4 },
		{ 12, "\xf0\x9f\x98\x80", 4 },
		{ 13, "a\xef\xbf\xbdz", 5 },
		{ 14, "\xef\xbf\xbd", 3 },
		{ 15, "\xef\xbf\xbd" "A", 4 },
		{ 16, "raw \xc3\xa9 \xf0\x9f\x98\x80 \xe4\xb8\xad", 15 },
		{ 17, "bad \xef\xbf\xbd byte", 12 },
		{ 18, "a\0b", 3 },
		{ 19, "\xe4\xb8\xad" "A\x7f\x01", 6 },
		{ 20, "x\xef\xbf\xbd", 4 },
	};
	for (size_t i = 0; i < LH_ARRAY_LEN(want); i++) {
		uint32_t k = want[i].index;
		if (heap_string_length(s, k) != want[i].len)
			fail_msg("string %u: length %zu, expected %zu", k, heap_string_length(s, k), want[i].len);
		assert_memory_equal(heap_string(s, k), want[i].bytes, want[i].len);
		assert_int_equal(heap_string(s, k)[want[i].len], '\0');
	}
	/* 13, 14, 15, 17, 20: one replacement each. */
	assert_int_equal(s->replaced_sequences, 5);
	release(s);
}

/* Keys are compared after unescaping, as JSON.parse does. */
static void test_escaped_keys(void **state)
{
	(void)state;
	char *a = replace(BASE, "\"strings\":[", "\"\\u0073trings\":[");
	char *b = replace(a, "\"node_count\"", "\"node_\\u0063ount\"");
	struct heap_snapshot *s = must_read(b, false);
	check_base_graph(s, true, true);
	assert_int_equal(s->format.extra_section_count, 4);
	release(s);
}

static void test_bad_strings(void **state)
{
	(void)state;
	/* A raw control character inside a string. */
	char *t = replace(BASE, "\"hello\",", "\"hel\x01lo\",");
	expect_bad(t, pos(t, "\x01"), "control character");
	/* Unknown escape. */
	t = replace(BASE, "\"hello\",", "\"hel\\xlo\",");
	expect_bad(t, ANY_OFFSET, "escape");
	/* \u with a non-hex digit. */
	t = replace(BASE, "\"hello\",", "\"hel\\u12G4lo\",");
	expect_bad(t, ANY_OFFSET, "\\u");
}

/* MARK: - gzip and stdin */

static void test_gzip(void **state)
{
	(void)state;
	const char *text = BASE;
	char *path = write_gzip(text, strlen(text), 1);
	struct lh_error err;
	struct heap_snapshot *s = read_path(path, false, &err);
	if (!s)
		fail_msg("gzip: %s", err.message);
	check_base_graph(s, true, true);
	assert_true(s->gzip);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(s->file_bytes, (uint64_t)st.st_size);
	assert_int_equal(s->input_bytes, strlen(text));
	release(s);
	unlink(path);
}

static void test_gzip_concatenated_members(void **state)
{
	(void)state;
	const char *text = BASE;
	for (int members = 2; members <= 5; members += 3) {
		char *path = write_gzip(text, strlen(text), members);
		struct lh_error err;
		struct heap_snapshot *s = read_path(path, false, &err);
		if (!s)
			fail_msg("gzip with %d members: %s", members, err.message);
		check_base_graph(s, true, true);
		assert_true(s->gzip);
		assert_int_equal(s->input_bytes, strlen(text));
		release(s);
		unlink(path);
	}
}

/* "-" reads standard input, plain or gzip'd. */
static void test_stdin(void **state)
{
	(void)state;
	const char *text = BASE;
	char *plain = write_temp(text, strlen(text));
	char *gz = write_gzip(text, strlen(text), 2);
	const char *paths[] = { plain, gz };
	int saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	for (int i = 0; i < 2; i++) {
		int fd = open(paths[i], O_RDONLY);
		assert_true(fd >= 0);
		assert_true(dup2(fd, STDIN_FILENO) >= 0);
		close(fd);
		struct lh_error err;
		struct heap_snapshot *s = read_path("-", false, &err);
		if (!s)
			fail_msg("stdin: %s", err.message);
		check_base_graph(s, true, true);
		assert_int_equal(s->gzip, i == 1);
		release(s);
	}
	assert_true(dup2(saved, STDIN_FILENO) >= 0);
	close(saved);
	unlink(plain);
	unlink(gz);
}

/* MARK: - Numbers */

/* Self sizes around the 32-bit boundary and up to 64 bits all read back whole. */
static void test_large_self_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint64_t value;
	} sizes[] = {
		{ "4294967294", 4294967294ull },
		{ "4294967295", 4294967295ull },
		{ "4294967296", 4294967296ull },
		{ "281474976710655", 281474976710655ull },
		/* the most one node can hold beside the others' 24 + 5000000000 + 4294967295 bytes:
		 * self sizes sum to at most 2^63-1 (test_self_size_total_bounded) */
		{ "9223372027559808488", 9223372027559808488ull },
	};
	for (size_t i = 0; i < LH_ARRAY_LEN(sizes); i++) {
		char rec[64], small[64];
		snprintf(rec, sizeof(rec), "3,4,7,%s,2,4,0", sizes[i].text);
		snprintf(small, sizeof(small), "2,6,9,%s,0,0,0", i % 2 ? "4294967296" : "24");
		char *a = replace(BASE, "3,4,7,32,2,4,0", rec);
		char *b = replace(a, "2,6,9,24,0,0,0", small);
		struct heap_snapshot *s = must_read(b, false);
		assert_int_equal(heap_node_self_size(s, 3), sizes[i].value);
		assert_int_equal(heap_node_self_size(s, 4), i % 2 ? 4294967296ull : 24);
		assert_int_equal(heap_node_self_size(s, 5), 5000000000ull);
		assert_int_equal(heap_node_self_size(s, 6), 4294967295ull);
		assert_int_equal(heap_node_self_size(s, 2), 0);
		release(s);
	}
}

static void test_bad_numbers(void **state)
{
	(void)state;
	/* 2^64 does not fit. */
	char *t = replace(BASE, "8,7,11,5000000000,", "8,7,11,18446744073709551616,");
	expect_bad(t, pos(t, "18446744073709551616"), "64 bits");
	t = replace(BASE, "8,7,11,5000000000,", "8,7,11,123456789012345678901234567890,");
	expect_bad(t, pos(t, "123456789012345678901234567890"), "64 bits");
	t = replace(BASE, "\"node_count\":7", "\"node_count\":99999999999999999999");
	expect_bad(t, pos(t, "99999999999999999999"), "64 bits");
	/* Negative numbers. */
	t = replace(BASE, "2,6,9,24,0,0,0", "2,6,9,-24,0,0,0");
	expect_bad(t, pos(t, "-24"), "negative");
	t = replace(BASE, "\"edge_count\":7", "\"edge_count\":-7");
	expect_bad(t, pos(t, "-7"), "negative");
	/* Fractions and exponents: the error is inside the number. */
	t = replace(BASE, "2,6,9,24,0,0,0", "2,6,9,24.5,0,0,0");
	expect_bad_between(t, pos(t, "24.5"), pos(t, "24.5") + 3, "fraction");
	t = replace(BASE, "2,6,9,24,0,0,0", "2,6,9,2e4,0,0,0");
	expect_bad_between(t, pos(t, "2e4"), pos(t, "2e4") + 2, "exponent");
	t = replace(BASE, "\"node_count\":7", "\"node_count\":7.0");
	expect_bad_between(t, pos(t, "7.0"), pos(t, "7.0") + 2, "fraction");
	/* Leading zeros are not JSON. */
	t = replace(BASE, "2,6,9,24,0,0,0", "2,6,9,024,0,0,0");
	expect_bad(t, pos(t, "024"), "leading zero");
	/* A literal where a number belongs. */
	t = replace(BASE, "2,6,9,24,0,0,0", "2,6,9,true,0,0,0");
	expect_bad(t, pos(t, "true"), "unsigned integer");
	t = replace(BASE, "2,6,9,24,0,0,0", "2,6,9,\"24\",0,0,0");
	expect_bad(t, pos(t, "\"24\""), "unsigned integer");
}

/* Node ids are 32-bit in the model: a larger one is an error, 2^32-1 is not. */
static void test_node_id_past_32_bits(void **state)
{
	(void)state;
	char *ok = replace(BASE, "2,6,9,24,0,0,0", "2,6,4294967295,24,0,0,0");
	struct heap_snapshot *s = must_read(ok, false);
	assert_int_equal(s->node_id[4], 4294967295u);
	release(s);
	char *t = replace(BASE, "2,6,9,24,0,0,0", "2,6,4294967296,24,0,0,0");
	expect_bad(t, ANY_OFFSET, "id", "4294967296", "32 bits");
}

/* MARK: - Bad input: not JSON, truncated, malformed */

static void test_not_a_json_object(void **state)
{
	(void)state;
	static const unsigned char elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0 };
	expect_bad_bytes(elf, sizeof(elf), false, 0, "not a V8 heap snapshot", NULL);
	expect_bad_bytes("", 0, false, 0, "not a V8 heap snapshot", NULL);
	expect_bad("[]", 0, "not a V8 heap snapshot");
	expect_bad("null", 0, "not a V8 heap snapshot");
	expect_bad("\"snapshot\"", 0, "not a V8 heap snapshot");
	expect_bad(" \n\t", 3, "not a V8 heap snapshot");
	expect_bad("  [1,2]", 2, "not a V8 heap snapshot");
	/* An empty object is JSON, but not a snapshot. */
	expect_bad("{}", 2, "no 'snapshot' section");
}

/* Every prefix of a valid snapshot is a truncated file. */
static void test_truncated_everywhere(void **state)
{
	(void)state;
	const char *text = BASE_HEADER BASE_NODES BASE_EDGES
		"\"future\":[true,null,\"\\u00e9\",-1.5e3],\n" BASE_EXTRA "\"strings\":[" BASE_STRING_LIST
		",\"caf\xc3\xa9 \\u00e9\"]}";
	struct heap_snapshot *whole = must_read(text, false);
	release(whole);
	size_t len = strlen(text);
	size_t bad_count = 0;
	for (size_t cut = 0; cut < len; cut++) {
		struct lh_error err;
		struct heap_snapshot *s = read_bytes(text, cut, false, &err);
		if (s) {
			release(s);
			fail_msg("a file cut at byte %zu of %zu loaded", cut, len);
		}
		assert_true(err.set);
		assert_true(err.offset <= cut);
		if (cut > 0 && (!strstr(err.message, "end of input") || err.offset != cut)) {
			bad_count++;
			print_message("  cut at %zu (...%.8s|): byte %llu: %s\n", cut, text + (cut >= 8 ? cut - 8 : 0),
				      (unsigned long long)err.offset, err.message);
		}
	}
	if (bad_count)
		fail_msg("%zu of %zu cut points (above) are not reported as 'end of input' at the cut", bad_count,
			 len - 1);
}

/* Cut points that V8 output can realistically end at, each checked exactly. */
static void test_truncated_file(void **state)
{
	(void)state;
	const char *text = BASE;
	const uint64_t cuts[] = {
		1,                                         /* after '{' */
		pos(text, "\"snapshot\"") + 5,             /* inside a key */
		pos(text, "\"nodes\":[") + 9,              /* after '[' */
		pos(text, "5000000000") + 5,               /* inside a number */
		pos(text, ",5,5,21") + 1,                  /* after a comma in edges */
		pos(text, "(Strong roots)") + 3,           /* inside a string */
		strlen(text) - 1,                          /* before the final '}' */
	};
	for (size_t i = 0; i < LH_ARRAY_LEN(cuts); i++)
		expect_bad_bytes(text, cuts[i], false, cuts[i], "end of input", NULL);
}

static void test_malformed_json(void **state)
{
	(void)state;
	/* A missing comma between top-level members. */
	char *t = replace(BASE, "\n,9,2,3,0,1,0,0\n,9,3,5,0,1,0,0\n,3,4,7,32,2,4,0\n,2,6,9,24,0,0,0\n"
				",8,7,11,5000000000,1,0,1\n,0,1,13,4294967295,0,0,2],\n",
			  "\n,9,2,3,0,1,0,0\n,9,3,5,0,1,0,0\n,3,4,7,32,2,4,0\n,2,6,9,24,0,0,0\n"
			  ",8,7,11,5000000000,1,0,1\n,0,1,13,4294967295,0,0,2]\n");
	expect_bad(t, pos(t, "\"edges\""), "expected ',' or '}'");
	/* A missing comma inside the nodes array. */
	t = replace(BASE, "3,4,7,32,2,4,0", "3,4,7 32,2,4,0");
	expect_bad(t, pos(t, " 32,2,4,0") + 1, "expected ',' or ']'");
	/* A missing comma in the strings array. */
	t = replace(BASE, "\"Foo\",\n", "\"Foo\"\n");
	expect_bad(t, pos(t, "\"x\""), "expected ',' or ']'");
	/* A missing colon. */
	t = replace(BASE, "\"edges\":[", "\"edges\" [");
	expect_bad(t, pos(t, " [1,1,7") + 1, "':'");
	/* Bad literals in a skipped section, and where the header expects a number. */
	t = replace(BASE, "\"samples\":[]", "\"samples\":[nul]");
	expect_bad(t, pos(t, "nul]"), "expected a JSON value");
	t = replace(BASE, "\"samples\":[]", "\"samples\":[True]");
	expect_bad(t, pos(t, "True"), "expected a JSON value");
	t = replace(BASE, "\"node_count\":7", "\"node_count\":tru");
	expect_bad(t, pos(t, "tru"), "unsigned integer");
	/* A trailing comma. */
	t = replace(BASE, "\"locations\":[],\n", "\"locations\":[1,],\n");
	expect_bad(t, pos(t, "1,]") + 2, "expected a JSON value");
	/* A key that is not a string. */
	t = replace(BASE, "\"samples\":[]", "samples:[]");
	expect_bad(t, pos(t, "samples:"), "string key");
	/* Trailing garbage after the object. */
	size_t n = strlen(BASE);
	char *g = NULL;
	assert_true(asprintf(&g, "%s\n  x", BASE) > 0);
	track(g);
	expect_bad(g, n + 3, "after the snapshot");
	assert_true(asprintf(&g, "%s}", BASE) > 0);
	track(g);
	expect_bad(g, n, "after the snapshot");
	assert_true(asprintf(&g, "%s {}", BASE) > 0);
	track(g);
	expect_bad(g, n + 1, "after the snapshot");
	/* Trailing whitespace is fine. */
	assert_true(asprintf(&g, "%s \r\n\t\n", BASE) > 0);
	track(g);
	struct heap_snapshot *s = must_read(g, false);
	release(s);
}

/* MARK: - Bad input: counts and record structure */

static void test_count_mismatches(void **state)
{
	(void)state;
	const char *nodes_end = "0,1,13,4294967295,0,0,2]";
	/* node_count says 8, the array holds 7 records: reported at the end of the array. */
	char *t = replace(BASE, "\"node_count\":7", "\"node_count\":8");
	uint64_t end = pos(t, nodes_end) + strlen(nodes_end);
	expect_bad_between(t, end - 1, end, "node_count");
	expect_bad(t, ANY_OFFSET, "8", "7");
	/* node_count says 6: reading stops at the 7th record's first value, nothing is held past the count. */
	t = replace(BASE, "\"node_count\":7", "\"node_count\":6");
	expect_bad(t, pos(t, nodes_end), "snapshot.node_count is 6 but the nodes array holds more nodes");
	/* edge_count says 6: the same at the 7th edge, ",4,7,42" (its first value after the comma). */
	t = replace(BASE, "\"edge_count\":7", "\"edge_count\":6");
	expect_bad(t, pos(t, ",4,7,42]") + 1, "snapshot.edge_count is 6 but the edges array holds more edges");
	/* The same in the replay path (a plain file with the arrays before the header). */
	t = "{" BASE_NODES_NO_COMMA ",\"snapshot\":{\"meta\":" META7 ",\"node_count\":6,\"edge_count\":7},"
	    BASE_EDGES_NO_COMMA "," BASE_STRINGS_NO_BRACE "}";
	expect_bad(t, pos(t, "[9,1,1") + 1, "snapshot.node_count is 6 but the nodes array holds more nodes");
	/* edge_count disagrees with the edges array. */
	t = replace(BASE, "\"edge_count\":7", "\"edge_count\":9");
	end = pos(t, ",4,7,42]") + strlen(",4,7,42]");
	expect_bad_between(t, end - 1, end, "edge_count");
	expect_bad(t, ANY_OFFSET, "9", "7");
	/* The nodes' edge_count fields sum to 8, the edges array holds 7. */
	t = replace(BASE, "9,2,3,0,1,0,0", "9,2,3,0,2,0,0");
	expect_bad(t, ANY_OFFSET, "edge_count", "sum", "8", "7");
	t = replace(BASE, "3,4,7,32,2,4,0", "3,4,7,32,1,4,0");
	expect_bad(t, ANY_OFFSET, "sum", "6");
	/* No nodes at all. */
	const char *empty = "{\"snapshot\":{\"meta\":" META7 ",\"node_count\":0,\"edge_count\":0},"
			    "\"nodes\":[],\"edges\":[],\"strings\":[\"<dummy>\"]}";
	expect_bad(empty, ANY_OFFSET, "no nodes");
}

static void test_array_length_not_multiple(void **state)
{
	(void)state;
	/* The nodes array loses its last value: 48 values, not a multiple of 7. */
	char *t = replace(BASE, "0,1,13,4294967295,0,0,2]", "0,1,13,4294967295,0,0]");
	uint64_t close = pos(t, "0,1,13,4294967295,0,0]") + strlen("0,1,13,4294967295,0,0");
	expect_bad_between(t, close, close + 1, "multiple of 7");
	/* The edges array gains one value: 22, not a multiple of 3. */
	t = replace(BASE, ",4,7,42]", ",4,7,42,1]");
	close = pos(t, ",4,7,42,1]") + strlen(",4,7,42,1");
	expect_bad_between(t, close, close + 1, "multiple of 3");
	/* The same through the replay path (arrays before the header). */
	const char *raw = "{" BASE_NODES_NO_COMMA_SHORT ",\"snapshot\":{\"meta\":" META7
			  ",\"node_count\":7,\"edge_count\":7}," BASE_EDGES_NO_COMMA "," BASE_STRINGS_NO_BRACE "}";
	expect_bad(raw, ANY_OFFSET, "multiple of 7");
}

static void test_to_node_not_a_node_offset(void **state)
{
	(void)state;
	/* 22 is not a multiple of 7. */
	char *t = replace(BASE, ",2,5,28\n", ",2,5,22\n");
	expect_bad(t, pos(t, "22\n"), "to_node 22", "not a node offset", "1 structural fault");
	/* 49 = 7 * 7 is a multiple, but one past the last node. */
	t = replace(BASE, ",2,5,28\n", ",2,5,49\n");
	expect_bad(t, pos(t, "49\n"), "to_node 49", "not a node offset");
	/* Three bad targets: the first is named, all are counted. */
	char *a = replace(BASE, ",5,5,21\n", ",5,5,700\n");
	char *b = replace(a, ",2,5,28\n", ",2,5,29\n");
	t = replace(b, ",4,7,42]", ",4,7,43]");
	expect_bad(t, pos(t, "700"), "to_node 700", "3 structural faults");
}

/* --lenient keeps edges with bad targets, counts them and points them at the root. */
static void test_lenient_edges(void **state)
{
	(void)state;
	char *a = replace(BASE, ",5,5,21\n", ",5,5,700\n");
	char *b = replace(a, ",2,5,28\n", ",2,5,29\n");
	char *t = replace(b, ",4,7,42]", ",4,7,43]");
	struct heap_snapshot *s = must_read(t, true);
	assert_int_equal(s->bad_edges, 3);
	assert_int_equal(s->node_count, 7);
	assert_int_equal(s->edge_count, 7);
	static const uint32_t to[] = { 1, 0, 2, 3, 0, 5, 0 };
	for (uint32_t e = 0; e < 7; e++)
		assert_int_equal(heap_edge_to(s, e), to[e]);
	/* The rest of the edge is kept. */
	assert_int_equal(heap_edge_kind(s, 1), HEAP_EDGE_SHORTCUT);
	assert_int_equal(s->edge_name[4], 5);
	assert_int_equal(heap_edge_kind(s, 6), HEAP_EDGE_HIDDEN);
	release(s);
	/* Lenient does not excuse other faults. */
	char *u = replace(t, "3,4,7,32,2,4,0", "15,4,7,32,2,4,0");
	expect_bad_bytes(u, strlen(u), true, ANY_OFFSET, "type 15", NULL);
	/* A clean file read leniently has no bad edges. */
	s = must_read(BASE, true);
	check_base_graph(s, true, true);
	release(s);
}

static void test_type_index_past_type_list(void **state)
{
	(void)state;
	char *t = replace(BASE, "3,4,7,32,2,4,0", "15,4,7,32,2,4,0");
	expect_bad(t, ANY_OFFSET, "type 15", "meta.node_types lists 15 types", "1 structural fault");
	t = replace(BASE, ",2,5,28\n", ",7,5,28\n");
	expect_bad(t, ANY_OFFSET, "type 7", "meta.edge_types lists 7 types");
	/* 14, the last type, is fine. */
	t = replace(BASE, "3,4,7,32,2,4,0", "14,4,7,32,2,4,0");
	struct heap_snapshot *s = must_read(t, false);
	assert_int_equal(heap_node_kind(s, 3), HEAP_NODE_OBJECT_SHAPE);
	release(s);
}

static void test_name_index_past_string_table(void **state)
{
	(void)state;
	/* A node name: 9 is one past the 9 strings. */
	char *t = replace(BASE, "2,6,9,24,0,0,0", "2,9,9,24,0,0,0");
	expect_bad(t, ANY_OFFSET, "node name", "9", "string table", "9 strings");
	/* An edge name (property). */
	t = replace(BASE, ",2,5,28\n", ",2,50,28\n");
	expect_bad(t, ANY_OFFSET, "edge name", "50", "string table");
	/* A weak edge name and an internal one: both string indices. */
	t = replace(BASE, ",6,8,35\n", ",6,9,35\n");
	expect_bad(t, ANY_OFFSET, "edge name", "9", "string table");
	/* Two bad names: both counted. */
	char *a = replace(BASE, "2,6,9,24,0,0,0", "2,40,9,24,0,0,0");
	t = replace(a, ",3,6,21\n", ",3,12,21\n");
	expect_bad(t, ANY_OFFSET, "40", "string table", "2 names");
}

/* Element and hidden edges carry an index, not a string: it must not be checked against the table. */
static void test_indexed_edge_names_not_checked(void **state)
{
	(void)state;
	char *a = replace(BASE, "\"edges\":[1,1,7\n", "\"edges\":[1,1000,7\n");
	char *t = replace(a, ",4,7,42]", ",4,4000000000,42]");
	struct heap_snapshot *s = must_read(t, false);
	assert_int_equal(s->edge_name[0], 1000);
	assert_true(heap_edge_is_indexed(s, 0));
	assert_int_equal(s->edge_name[6], 4000000000u);
	assert_true(heap_edge_is_indexed(s, 6));
	release(s);
}

static void test_detachedness_out_of_range(void **state)
{
	(void)state;
	char *t = replace(BASE, "0,1,13,4294967295,0,0,2]", "0,1,13,4294967295,0,0,3]");
	expect_bad(t, pos(t, "3]"), "detachedness 3");
}

/* MARK: - Bad input: sections and meta */

static void test_missing_sections(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *section;
	} cases[] = {
		{ "{" BASE_NODES_NO_COMMA "," BASE_EDGES_NO_COMMA "," BASE_STRINGS_NO_BRACE "}", "'snapshot'" },
		{ "{\"snapshot\":{\"meta\":" META7 ",\"node_count\":7,\"edge_count\":7}," BASE_EDGES_NO_COMMA
		  "," BASE_STRINGS_NO_BRACE "}",
		  "'nodes'" },
		{ "{\"snapshot\":{\"meta\":" META7 ",\"node_count\":7,\"edge_count\":7}," BASE_NODES_NO_COMMA
		  "," BASE_STRINGS_NO_BRACE "}",
		  "'edges'" },
		{ "{\"snapshot\":{\"meta\":" META7 ",\"node_count\":7,\"edge_count\":7}," BASE_NODES_NO_COMMA
		  "," BASE_EDGES_NO_COMMA "}",
		  "'strings'" },
	};
	for (size_t i = 0; i < LH_ARRAY_LEN(cases); i++)
		expect_bad(cases[i].text, ANY_OFFSET, "not a V8 heap snapshot", cases[i].section);
}

static void test_missing_meta_fields(void **state)
{
	(void)state;
	char *t = replace(BASE, "\"id\",\"self_size\"", "\"self_size\"");
	expect_bad(t, ANY_OFFSET, "node_fields", "'id'");
	t = replace(BASE, "\"type\",\"name\",\"id\"", "\"name\",\"id\"");
	expect_bad(t, ANY_OFFSET, "node_fields", "'type'");
	t = replace(BASE, "\"edge_count\",\"trace_node_id\"", "\"trace_node_id\"");
	expect_bad(t, ANY_OFFSET, "'edge_count'");
	t = replace(BASE, "\"name_or_index\",\"to_node\"", "\"name_or_index\",\"target\"");
	expect_bad(t, ANY_OFFSET, "edge_fields", "'to_node'");
	t = replace(BASE, "\"node_fields\":[\"type\"", "\"node_fields\":[\"id\",\"type\"");
	expect_bad(t, ANY_OFFSET, "'id' twice");
	t = replace(BASE, "\"edge_types\":[" EDGE_TYPES ",\"string_or_number\",\"node\"],", "");
	expect_bad(t, ANY_OFFSET, "edge_types");
	t = replace(BASE, "\"node_types\":[" NODE_TYPES ",", "\"node_types\":[");
	expect_bad(t, ANY_OFFSET, "node_types");
	t = replace(BASE, ",\"node_count\":7", "");
	expect_bad(t, ANY_OFFSET, "node_count");
	t = replace(BASE, ",\"edge_count\":7", "");
	expect_bad(t, ANY_OFFSET, "edge_count");
	/* No meta at all. */
	const char *no_meta = "{\"snapshot\":{\"node_count\":7,\"edge_count\":7}," BASE_NODES_NO_COMMA
			      "," BASE_EDGES_NO_COMMA "," BASE_STRINGS_NO_BRACE "}";
	expect_bad(no_meta, ANY_OFFSET, "node_fields");
	/* The header is not an object. */
	t = replace(BASE, "{\"snapshot\":{\"meta\":" META7 ",\"node_count\":7,\"edge_count\":7,\"trace_function_count\":0}",
		    "{\"snapshot\":[1]");
	expect_bad(t, pos(t, "[1]"), "header");
	/* nodes is not an array. */
	t = replace(BASE, "\"nodes\":[", "\"nodes\":{\"a\":1,\"b\":[");
	expect_bad(t, pos(t, "{\"a\""), "array");
}

/* More edge types than the model packs (16) or nodes than V8 can write (2^28). */
static void test_model_limits(void **state)
{
	(void)state;
	char *t = replace(BASE, EDGE_TYPES,
			  "[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\",\"a\","
			  "\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]");
	expect_bad(t, ANY_OFFSET, "edge_types", "16");
	/* 16 edge types is fine, and an unknown type name is kind "other". */
	t = replace(BASE, EDGE_TYPES,
		    "[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\",\"a\","
		    "\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"future\"]");
	char *u = replace(t, ",2,5,28\n", ",15,5,28\n");
	struct heap_snapshot *s = must_read(u, false);
	assert_int_equal(heap_edge_type(s, 4), 15);
	assert_int_equal(heap_edge_kind(s, 4), HEAP_EDGE_OTHER);
	assert_string_equal(heap_edge_type_name(s, 4), "future");
	assert_int_equal(heap_edge_to(s, 4), 4);
	release(s);
	t = replace(BASE, "\"node_count\":7", "\"node_count\":268435457");
	expect_bad(t, ANY_OFFSET, "node_count");
}

static void test_duplicate_sections(void **state)
{
	(void)state;
	char *t = replace(BASE, "\"samples\":[],", "\"samples\":[]," BASE_NODES_NO_COMMA ",");
	uint64_t second = pos_after(t, "\"samples\"", "\"nodes\"");
	expect_bad_between(t, second, second + strlen("\"nodes\":"), "duplicate 'nodes'");
	t = replace(BASE, "\"samples\":[],", "\"samples\":[]," BASE_EDGES_NO_COMMA ",");
	expect_bad(t, ANY_OFFSET, "duplicate 'edges'");
	t = replace(BASE, "\"samples\":[],", "\"samples\":[],\"strings\":[],");
	expect_bad(t, ANY_OFFSET, "duplicate 'strings'");
	t = replace(BASE, "\"samples\":[],", "\"samples\":[],\"snapshot\":{},");
	expect_bad(t, ANY_OFFSET, "duplicate 'snapshot'");
	t = replace(BASE, "\"node_count\":7,", "\"node_count\":7,\"meta\":" META7 ",");
	expect_bad(t, ANY_OFFSET, "duplicate", "meta");
	t = replace(BASE, "\"edge_fields\":[", "\"node_fields\":[\"a\"],\"edge_fields\":[");
	expect_bad(t, ANY_OFFSET, "duplicate", "node_fields");
}

/* A header number given twice is an error at the second value, even when both agree. */
static void test_duplicate_header_keys(void **state)
{
	(void)state;
	static const char *const keys[] = { "node_count", "edge_count", "trace_function_count", "root_index",
					    "extra_native_bytes" };
	for (size_t i = 0; i < LH_ARRAY_LEN(keys); i++) {
		char twice[160];
		snprintf(twice, sizeof(twice), "{\"snapshot\":{\"%s\":0,\"%s\":0,\"meta\":", keys[i], keys[i]);
		char *t = replace(BASE, "{\"snapshot\":{\"meta\":", twice);
		char second[64], message[64];
		snprintf(second, sizeof(second), "0,\"%s\":0", keys[i]);
		snprintf(message, sizeof(message), "duplicate snapshot.%s", keys[i]);
		expect_bad(t, pos(t, second) + 2 + strlen(keys[i]) + 3, message);
	}
}

/*
 * V8 writes the header first. Compressed or piped, nothing bounds what an
 * array before the header would need parked, so it is refused where it
 * starts; uncompressed on disk it reads (test_sections_in_any_order).
 */
static void test_arrays_before_header_in_gzip(void **state)
{
	(void)state;
	const char *t = "{" BASE_EDGES_NO_COMMA ",\"snapshot\":{\"meta\":" META7 ",\"node_count\":7,\"edge_count\":7},"
			BASE_NODES_NO_COMMA "," BASE_STRINGS_NO_BRACE "}";
	char *path = write_gzip(t, strlen(t), 1);
	struct lh_error err;
	assert_null(read_path(path, false, &err));
	assert_int_equal(err.offset, pos(t, "[1,1,7"));
	assert_non_null(strstr(err.message, "the 'edges' array comes before the snapshot header"));
	unlink(path);
}

/* gzip(1) accepts zero bytes after the last member (block padding); so do we, and nothing else after them. */
static void test_gzip_zero_padding(void **state)
{
	(void)state;
	const char *text = BASE;
	char *path = write_gzip(text, strlen(text), 2);
	size_t len;
	unsigned char *gz = read_all(path, &len);
	unsigned char *padded = track(calloc(1, len + 5000));
	memcpy(padded, gz, len);
	struct lh_error err;
	char *p = write_temp(padded, len + 5000);
	struct heap_snapshot *s = read_path(p, false, &err);
	if (!s)
		fail_msg("zero padding: %s", err.message);
	check_base_graph(s, true, true);
	release(s);
	padded[len + 4999] = 1;
	char where[64];
	snprintf(where, sizeof(where), "compressed byte %zu:", len + 4999);
	expect_bad_bytes(padded, len + 5000, false, ANY_OFFSET, where, "after the zero padding", NULL);
	unlink(path);
	unlink(p);
}

/*
 * Self sizes may sum to 2^63-1 bytes and no more, so no total or difference
 * of totals wraps. BASE's sizes besides node 5's: 32 + 24 + 4294967295.
 */
static void test_self_size_total_bounded(void **state)
{
	(void)state;
	const uint64_t others = 32 + 24 + 4294967295ull, most = (uint64_t)INT64_MAX - others;
	char size[32], line[96];
	snprintf(size, sizeof(size), ",8,7,11,%llu,", (unsigned long long)most);
	char *t = replace(BASE, ",8,7,11,5000000000,", size);
	struct heap_snapshot *s = must_read(t, false);
	uint64_t total = 0;
	for (uint32_t n = 0; n < s->node_count; n++)
		total += heap_node_self_size(s, n);
	assert_int_equal(total, (uint64_t)INT64_MAX);
	release(s);
	/* One byte more: the fault is at the node whose size takes the sum past, node 6 (sizes are summed in file order). */
	snprintf(size, sizeof(size), ",8,7,11,%llu,", (unsigned long long)most + 1);
	t = replace(BASE, ",8,7,11,5000000000,", size);
	snprintf(line, sizeof(line), "node 6's self_size 4294967295 takes the nodes' total past 2^63-1 bytes");
	expect_bad(t, pos(t, "4294967295"), line);
	/* Two nodes of 2^63 bytes used to sum to 0. */
	t = replace(BASE, ",8,7,11,5000000000,", ",8,7,11,9223372036854775808,");
	t = replace(t, "13,4294967295,", "13,9223372036854775808,");
	expect_bad(t, pos(t, "9223372036854775808"), "node 5's self_size 9223372036854775808 takes");
}

/* MARK: - Bad input: files */

static void test_bad_gzip(void **state)
{
	(void)state;
	const char *text = BASE;
	char *path = write_gzip(text, strlen(text), 1);
	size_t len;
	unsigned char *gz = read_all(path, &len);
	assert_true(len > 30);
	/* Cut at several points: after the header, in the middle, without the trailer, one byte short. */
	const size_t cuts[] = { 2, 10, len / 2, len - 8, len - 1 };
	for (size_t i = 0; i < LH_ARRAY_LEN(cuts); i++)
		expect_bad_bytes(gz, cuts[i], false, ANY_OFFSET, "truncated", NULL);
	/* A wrong CRC in the trailer. */
	unsigned char *bad = track(malloc(len));
	memcpy(bad, gz, len);
	bad[len - 8] ^= 0xff;
	expect_bad_bytes(bad, len, false, ANY_OFFSET, "corrupt gzip", NULL);
	/* An unknown compression method in the header. */
	memcpy(bad, gz, len);
	bad[2] = 7;
	expect_bad_bytes(bad, len, false, ANY_OFFSET, "corrupt gzip", NULL);
	/* Garbage inside the deflate stream. */
	memcpy(bad, gz, len);
	memset(bad + 10, 0xff, 16);
	expect_bad_bytes(bad, len, false, ANY_OFFSET, "gzip", NULL);
	unlink(path);
}

static void test_directory_and_missing_file(void **state)
{
	(void)state;
	struct lh_error err;
	char *dir = temp_path();
	unlink(dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_null(read_path(dir, false, &err));
	assert_true(err.set);
	assert_non_null(strstr(err.message, "directory"));
	rmdir(dir);
	/* Now it is missing. */
	assert_null(read_path(dir, false, &err));
	assert_true(err.set);
	assert_int_equal(err.offset, LH_NO_OFFSET);
	assert_non_null(strstr(err.message, strerror(ENOENT)));
}

/* MARK: - Documented behaviour that the reader does not (yet) have */

/*
 * snapshot.h: "root: ordinal of the root node (snapshot.root_index, default 0)".
 * DevTools reads root_index as an offset into nodes (a multiple of the field
 * count): here 14 = node 2. The graph is BASE with a third root-like node.
 */
static void test_root_index(void **state)
{
	(void)state;
	char *t = replace(BASE, "\"node_count\":7,", "\"root_index\":14,\"node_count\":7,");
	struct heap_snapshot *s = must_read(t, false);
	assert_int_equal(s->root, 2);
	release(s);
}

/*
 * A fault's byte offset is that of the offending number, as for every other
 * error: a user who opens the file at that byte should see the bad value.
 */
static void test_fault_offsets_point_at_the_value(void **state)
{
	(void)state;
	static const struct {
		const char *old, *new_text, *needle, *word;
	} cases[] = {
		{ "3,4,7,32,2,4,0", "15,4,7,32,2,4,0", "15,4,7,32", "type 15" },        /* node type */
		{ "2,6,9,24,0,0,0", "2,6,4294967296,24,0,0,0", "4294967296", "32 bits" }, /* node id */
		{ ",2,5,28\n", ",7,5,28\n", "7,5,28", "type 7" },                       /* edge type */
		{ "2,6,9,24,0,0,0", "2,90,9,24,0,0,0", "90,9,24", "string table" },      /* node name */
		{ ",2,5,28\n", ",2,50,28\n", "50,28", "string table" },                 /* edge name */
	};
	for (size_t i = 0; i < LH_ARRAY_LEN(cases); i++) {
		char *t = replace(BASE, cases[i].old, cases[i].new_text);
		expect_bad(t, pos(t, cases[i].needle), cases[i].word);
	}
}

/*
 * snapshot.h: "for faults that repeat (bad targets, names past the string
 * table) the message names the first and counts them all".
 */
static void test_first_bad_name_is_named(void **state)
{
	(void)state;
	char *a = replace(BASE, "9,3,5,0,1,0,0", "9,20,5,0,1,0,0");
	char *t = replace(a, "2,6,9,24,0,0,0", "2,40,9,24,0,0,0");
	expect_bad(t, ANY_OFFSET, "index 20", "2 names");
}

/*
 * trace_node_id and detachedness columns come into being with the first
 * non-zero value; nodes after that with a zero must read as zero, also when
 * the columns grow (more than 2^20 nodes from a stream of unknown size).
 */
static void test_optional_columns_after_growth(void **state)
{
	(void)state;
	const uint32_t nodes = (1u << 20) + 4096;
	size_t cap = (size_t)nodes * 32 + 4096, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text, cap,
				"{\"snapshot\":{\"meta\":" META7 ",\"node_count\":%u,\"edge_count\":0},\n\"nodes\":[",
				nodes);
	for (uint32_t n = 0; n < nodes; n++) {
		/* Node 1 has trace id 5 and detachedness 2, node 2^20+1 has trace id 6; the rest are 0. */
		unsigned trace = n == 1 ? 5 : n == (1u << 20) + 1 ? 6 : 0;
		len += (size_t)snprintf(text + len, cap - len, "%s3,1,%u,0,0,%u,%u\n", n ? "," : "", 2 * n + 1, trace,
					n == 1 ? 2 : 0);
	}
	len += (size_t)snprintf(text + len, cap - len, "],\"edges\":[],\"strings\":[\"<dummy>\",\"Foo\"]}");
	char *path = write_gzip(text, len, 1);
	free(text);
	struct lh_error err;
	struct heap_snapshot *s = read_path(path, false, &err);
	if (!s)
		fail_msg("%s", err.message);
	assert_int_equal(s->node_count, nodes);
	assert_non_null(s->node_trace_id);
	assert_non_null(s->node_detachedness);
	uint32_t wrong_trace = 0, wrong_detached = 0, first_wrong = UINT32_MAX;
	for (uint32_t n = 0; n < nodes; n++) {
		unsigned trace = n == 1 ? 5 : n == (1u << 20) + 1 ? 6 : 0;
		unsigned detached = n == 1 ? 2 : 0;
		if (s->node_trace_id[n] != trace) {
			wrong_trace++;
			first_wrong = LH_MIN(first_wrong, n);
		}
		if (s->node_detachedness[n] != detached) {
			wrong_detached++;
			first_wrong = LH_MIN(first_wrong, n);
		}
	}
	release(s);
	unlink(path);
	if (wrong_trace || wrong_detached)
		fail_msg("%u trace ids and %u detachedness values are not what the file says (first: node %u)",
			 wrong_trace, wrong_detached, first_wrong);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_minimal_graph, release_all),
		cmocka_unit_test_teardown(test_five_fields_no_detachedness, release_all),
		cmocka_unit_test_teardown(test_six_fields_no_trace_node_id, release_all),
		cmocka_unit_test_teardown(test_zero_trace_and_detachedness_not_stored, release_all),
		cmocka_unit_test_teardown(test_unknown_and_reordered_fields, release_all),
		cmocka_unit_test_teardown(test_sections_in_any_order, release_all),
		cmocka_unit_test_teardown(test_extra_sections_and_header_keys, release_all),
		cmocka_unit_test_teardown(test_whitespace_variations, release_all),
		cmocka_unit_test_teardown(test_string_escapes, release_all),
		cmocka_unit_test_teardown(test_escaped_keys, release_all),
		cmocka_unit_test_teardown(test_bad_strings, release_all),
		cmocka_unit_test_teardown(test_gzip, release_all),
		cmocka_unit_test_teardown(test_gzip_concatenated_members, release_all),
		cmocka_unit_test_teardown(test_stdin, release_all),
		cmocka_unit_test_teardown(test_large_self_sizes, release_all),
		cmocka_unit_test_teardown(test_bad_numbers, release_all),
		cmocka_unit_test_teardown(test_node_id_past_32_bits, release_all),
		cmocka_unit_test_teardown(test_not_a_json_object, release_all),
		cmocka_unit_test_teardown(test_truncated_everywhere, release_all),
		cmocka_unit_test_teardown(test_truncated_file, release_all),
		cmocka_unit_test_teardown(test_malformed_json, release_all),
		cmocka_unit_test_teardown(test_count_mismatches, release_all),
		cmocka_unit_test_teardown(test_array_length_not_multiple, release_all),
		cmocka_unit_test_teardown(test_to_node_not_a_node_offset, release_all),
		cmocka_unit_test_teardown(test_lenient_edges, release_all),
		cmocka_unit_test_teardown(test_type_index_past_type_list, release_all),
		cmocka_unit_test_teardown(test_name_index_past_string_table, release_all),
		cmocka_unit_test_teardown(test_indexed_edge_names_not_checked, release_all),
		cmocka_unit_test_teardown(test_detachedness_out_of_range, release_all),
		cmocka_unit_test_teardown(test_missing_sections, release_all),
		cmocka_unit_test_teardown(test_missing_meta_fields, release_all),
		cmocka_unit_test_teardown(test_model_limits, release_all),
		cmocka_unit_test_teardown(test_duplicate_sections, release_all),
		cmocka_unit_test_teardown(test_duplicate_header_keys, release_all),
		cmocka_unit_test_teardown(test_self_size_total_bounded, release_all),
		cmocka_unit_test_teardown(test_arrays_before_header_in_gzip, release_all),
		cmocka_unit_test_teardown(test_gzip_zero_padding, release_all),
		cmocka_unit_test_teardown(test_bad_gzip, release_all),
		cmocka_unit_test_teardown(test_directory_and_missing_file, release_all),
		cmocka_unit_test_teardown(test_root_index, release_all),
		cmocka_unit_test_teardown(test_fault_offsets_point_at_the_value, release_all),
		cmocka_unit_test_teardown(test_first_bad_name_is_named, release_all),
		cmocka_unit_test_teardown(test_optional_columns_after_growth, release_all),
	};
	if (getenv("LH_TEST_FILTER")) /* e.g. LH_TEST_FILTER='test_gzip*' */
		cmocka_set_test_filter(getenv("LH_TEST_FILTER"));
	int failed = cmocka_run_group_tests_name("reader", tests, NULL, NULL);
	split_min_bytes = 1;
	return failed + cmocka_run_group_tests_name("reader, edges on a second thread", tests, NULL, NULL);
}
