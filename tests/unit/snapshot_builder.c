/*
 * snapshot_builder.c - tiny hand-made V8 heap snapshots for the unit tests
 * (snapshot_builder.h), shared so that every test reads its graphs through
 * the same, V8-shaped text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <unistd.h>

#include "snapshot_builder.h"

#define NODE_FIELDS 7

static const char *const node_types[] = {
	"hidden", "array", "string", "object", "code", "closure", "regexp", "number", "native", "synthetic",
	"concatenated string", "sliced string", "symbol", "bigint", "object shape",
};
static const char *const edge_types[] = { "context", "element", "property", "internal", "hidden", "shortcut", "weak" };

static unsigned type_index(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return (unsigned)i;
	fail_msg("unknown type '%s'", name);
	return 0;
}

static bool named_by_index(unsigned edge_type)
{
	return !strcmp(edge_types[edge_type], "element") || !strcmp(edge_types[edge_type], "hidden");
}

void graph_init(struct graph *g, const char *label)
{
	memset(g, 0, sizeof(*g));
	g->label = label;
	strmap_intern(&g->strings, "<dummy>");
}

void graph_free(struct graph *g)
{
	strmap_free(&g->strings);
	free(g->nodes);
	free(g->edges);
}

uint32_t dom_node(struct graph *g, const char *type, const char *name, uint64_t size, unsigned detachedness)
{
	lh_grow((void **)&g->nodes, &g->node_cap, g->node_count + 1, sizeof(*g->nodes));
	g->nodes[g->node_count] = (struct graph_node){ type_index(node_types, LH_ARRAY_LEN(node_types), type),
						       strmap_intern(&g->strings, name), size, detachedness };
	return (uint32_t)g->node_count++;
}

uint32_t node(struct graph *g, const char *type, const char *name, uint64_t size)
{
	return dom_node(g, type, name, size, 0);
}

uint32_t id_of(uint32_t ordinal)
{
	return 2 * ordinal + 1;
}

static void add_edge(struct graph *g, uint32_t from, unsigned type, uint32_t name, uint32_t to)
{
	lh_grow((void **)&g->edges, &g->edge_cap, g->edge_count + 1, sizeof(*g->edges));
	g->edges[g->edge_count] = (struct graph_edge){ from, to, type, name, (uint32_t)g->edge_count };
	g->edge_count++;
}

void edge(struct graph *g, uint32_t from, const char *type, const char *name, uint32_t to)
{
	unsigned t = type_index(edge_types, LH_ARRAY_LEN(edge_types), type);
	assert_false(named_by_index(t));
	add_edge(g, from, t, strmap_intern(&g->strings, name), to);
}

void edge_index(struct graph *g, uint32_t from, const char *type, uint32_t index, uint32_t to)
{
	unsigned t = type_index(edge_types, LH_ARRAY_LEN(edge_types), type);
	assert_true(named_by_index(t));
	add_edge(g, from, t, index, to);
}

void handle_edges(struct graph *g, uint32_t from, uint32_t count, uint32_t to)
{
	for (uint32_t i = 1; i <= count; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%u", i);
		edge(g, from, "internal", name, to);
	}
}

static int by_source(const void *a, const void *b)
{
	const struct graph_edge *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* A node's offset in the nodes array; one past it for a target that is no node. */
static unsigned long long to_node(const struct graph *g, uint32_t to)
{
	return (unsigned long long)to * NODE_FIELDS + (to >= g->node_count);
}

/* The snapshot text of g, as V8 lays it out; sorts g->edges into file order. */
static char *graph_text(struct graph *g, size_t *len)
{
	qsort(g->edges, g->edge_count, sizeof(*g->edges), by_source);
	uint32_t *out_edges = calloc(g->node_count + 1, sizeof(uint32_t));
	assert_non_null(out_edges);
	for (size_t e = 0; e < g->edge_count; e++)
		out_edges[g->edges[e].from]++;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	assert_non_null(f);
	fputs("{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\","
	      "\"trace_node_id\",\"detachedness\"],\"node_types\":[[",
	      f);
	for (size_t i = 0; i < LH_ARRAY_LEN(node_types); i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", node_types[i]);
	fputs("],\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],"
	      "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],\"edge_types\":[[",
	      f);
	for (size_t i = 0; i < LH_ARRAY_LEN(edge_types); i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", edge_types[i]);
	fprintf(f,
		"],\"string_or_number\",\"node\"],"
		"\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\",\"line\",\"column\"],"
		"\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],"
		"\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],"
		"\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]},"
		"\"node_count\":%zu,\"edge_count\":%zu,\"trace_function_count\":0},\n\"nodes\":[",
		g->node_count, g->edge_count);
	for (size_t n = 0; n < g->node_count; n++)
		fprintf(f, "%s%u,%u,%u,%llu,%u,0,%u\n", n ? "," : "", g->nodes[n].type, g->nodes[n].name,
			id_of((uint32_t)n), (unsigned long long)g->nodes[n].size, out_edges[n], g->nodes[n].detachedness);
	fputs("],\n\"edges\":[", f);
	for (size_t e = 0; e < g->edge_count; e++)
		fprintf(f, "%s%u,%u,%llu\n", e ? "," : "", g->edges[e].type, g->edges[e].name, to_node(g, g->edges[e].to));
	fputs("],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":[],\n\"strings\":[", f);
	for (size_t i = 0; i < g->strings.count; i++)
		fprintf(f, "%s\n\"%s\"", i ? "," : "", g->strings.names[i]); /* test names need no escaping */
	fputs("]}\n", f);
	assert_int_equal(fclose(f), 0);
	free(out_edges);
	return text;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void keep_if_asked(const struct graph *g, const char *text, size_t len)
{
	const char *keep = getenv("LH_TEST_SNAPSHOT_DIR");
	if (!keep || !*keep)
		return;
	char *kept = NULL;
	assert_true(asprintf(&kept, "%s/%s.heapsnapshot", keep, g->label) > 0);
	write_file(kept, text, len);
	free(kept);
}

static struct heap_snapshot *read_back(struct graph *g, bool lenient)
{
	size_t len = 0;
	char *text = graph_text(g, &len);
	keep_if_asked(g, text, len);
	const char *dir = getenv("TMPDIR");
	char *path = NULL;
	assert_true(asprintf(&path, "%s/lh-test-%s-XXXXXX", dir && *dir ? dir : "/tmp", g->label) > 0);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, text, len);
	free(text);
	struct lh_error err = { 0 };
	struct heap_read_options opts = { .lenient_edges = lenient };
	struct heap_snapshot *s = heap_snapshot_read(path, &opts, &err);
	unlink(path);
	free(path);
	if (!s)
		fail_msg("%s: the test snapshot did not load: byte %llu: %s", g->label, (unsigned long long)err.offset,
			 err.message);
	assert_int_equal(s->node_count, g->node_count);
	assert_int_equal(s->edge_count, g->edge_count);
	return s;
}

struct heap_snapshot *graph_read(struct graph *g)
{
	return read_back(g, false);
}

struct heap_snapshot *graph_read_lenient(struct graph *g)
{
	return read_back(g, true);
}
