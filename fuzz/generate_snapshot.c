/*
 * generate_snapshot.c - writes a V8 heap snapshot from a program (program.h).
 *
 * The program picks the node count (up to 2^17, with up to 8 edges each:
 * ~10 MB of JSON), the meta layout (optional fields, unknown ones, field
 * order), the arrays before or after the header, V8's whitespace or none,
 * extra sections, names with every kind of escape, header counts off by a
 * little, huge self sizes, and a rate of values V8 never writes (to_node
 * off its stride, type and name indices past their lists, 2^32, 2^63,
 * 2^64-1). The bulk (types, names, sizes, targets) comes from a PRNG the
 * program seeds, so a few bytes describe megabytes.
 */
#include "program.h"

static const char *const node_types[] = {
	"hidden", "array", "string", "object", "code", "closure", "regexp", "number", "native", "synthetic",
	"concatenated string", "sliced string", "symbol", "bigint", "object shape",
};
static const char *const edge_types[] = { "context", "element", "property", "internal", "hidden", "shortcut", "weak" };

/* Names as V8 writes them, escapes and lone surrogates included. */
static const char *const name_words[] = {
	"", "(GC roots)", "(Handle scope)", "(Global handles)", "(Strong roots)", "Object", "Array", "Foo",
	"system / Context", "Detached <div>", "<div class=\\\"x\\\">", "\\u00e9t\\u00e9", "\\ud83d\\ude00",
	"\\ud800", "\\udc00x", "line\\nbreak", "\\u001b[31m", "\\\"quoted\\\\", "a/b", "12345",
};

struct shape {
	uint64_t nodes;
	unsigned max_edges, strings;
	const char *node_fields[9];
	unsigned node_field_count;
	const char *edge_fields[4];
	unsigned edge_field_count;
	int count_delta;          /* declared node_count / edge_count minus the real ones */
	unsigned fault_rate;      /* values in 65536 replaced by ones V8 never writes */
	bool huge_sizes, arrays_first, v8_layout, extra_sections, extra_type;
};

static void shuffle(struct program *pr, const char **items, unsigned n)
{
	for (unsigned i = n; i > 1; i--) {
		unsigned j = (unsigned)program_below(pr, i);
		const char *x = items[i - 1];
		items[i - 1] = items[j];
		items[j] = x;
	}
}

static void read_shape(struct program *pr, struct shape *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->nodes = 2 + program_count(pr, 17);
	sh->max_edges = program_byte(pr) % 9;
	sh->strings = (unsigned)(LH_ARRAY_LEN(name_words) + program_count(pr, 12));
	unsigned flags = program_byte(pr);
	sh->huge_sizes = flags & 1;
	sh->arrays_first = (flags & 6) == 6;
	sh->v8_layout = !(flags & 8);
	sh->extra_sections = flags & 16;
	sh->extra_type = flags & 32;
	const char *nf[] = { "type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness", "future" };
	unsigned optional = program_byte(pr);
	for (unsigned i = 0; i < LH_ARRAY_LEN(nf); i++)
		if (i < 5 || optional & (1u << (i - 5)))
			sh->node_fields[sh->node_field_count++] = nf[i];
	const char *ef[] = { "type", "name_or_index", "to_node", "future" };
	sh->edge_field_count = 3 + (optional >> 4 & 1);
	memcpy(sh->edge_fields, ef, sizeof(ef));
	if (program_byte(pr) % 4 == 0) { /* V8 keeps its order; other writers need not */
		shuffle(pr, sh->node_fields, sh->node_field_count);
		shuffle(pr, sh->edge_fields, sh->edge_field_count);
	}
	unsigned delta = program_byte(pr);
	sh->count_delta = delta < 240 ? 0 : (int)(delta % 5) - 2;
	unsigned faults = program_byte(pr);
	sh->fault_rate = faults < 200 ? 0 : (faults - 199) * (faults - 199);
}

static void put_list(struct text *t, const char *const *items, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		text_printf(t, "%s\"%s\"", i ? "," : "", items[i]);
}

static void put_header(struct text *t, const struct shape *sh, uint64_t edges)
{
	text_printf(t, "\"snapshot\":{\"meta\":{\"node_fields\":[");
	put_list(t, sh->node_fields, sh->node_field_count);
	text_printf(t, "],\"node_types\":[[");
	put_list(t, node_types, LH_ARRAY_LEN(node_types));
	text_printf(t, "%s],\"string\",\"number\"],\"edge_fields\":[", sh->extra_type ? ",\"future type\"" : "");
	put_list(t, sh->edge_fields, sh->edge_field_count);
	text_printf(t, "],\"edge_types\":[[");
	put_list(t, edge_types, LH_ARRAY_LEN(edge_types));
	text_printf(t, "],\"string_or_number\",\"node\"]},\"node_count\":%lld,\"edge_count\":%lld,\"trace_function_count\":0}",
		    (long long)sh->nodes + sh->count_delta, (long long)edges - sh->count_delta);
}

/* A value V8 would write, or (at fault_rate) one it never would. */
static uint64_t maybe_fault(struct prng *r, const struct shape *sh, uint64_t good)
{
	if (LH_LIKELY(!sh->fault_rate || prng_next(r) % 65536 >= sh->fault_rate))
		return good;
	static const uint64_t bad[] = { UINT64_MAX, (uint64_t)1 << 32, (uint64_t)1 << 63, 99, 1 };
	uint64_t b = bad[prng_next(r) % LH_ARRAY_LEN(bad)];
	return b == 1 ? good + 1 : b;
}

/* A field's role, looked up once per file, not per number. */
enum role { R_TYPE, R_NAME, R_ID, R_SELF_SIZE, R_EDGE_COUNT, R_DETACHEDNESS, R_NAME_OR_INDEX, R_TO_NODE, R_OTHER };

static enum role role_of(const char *field)
{
	static const char *const names[] = { "type", "name", "id", "self_size", "edge_count", "detachedness",
					     "name_or_index", "to_node" };
	for (unsigned i = 0; i < LH_ARRAY_LEN(names); i++)
		if (!strcmp(field, names[i]))
			return (enum role)i;
	return R_OTHER;
}

static uint64_t node_value(struct prng *r, const struct shape *sh, enum role role, uint64_t n, unsigned edges)
{
	uint64_t x = prng_next(r);
	switch (role) {
	case R_TYPE:
		return n < 2 ? 9 : x % (LH_ARRAY_LEN(node_types) + sh->extra_type);
	case R_NAME:
		return n == 1 ? 1 : x % sh->strings;
	case R_ID:
		return 2 * n + 1;
	case R_SELF_SIZE:
		return sh->huge_sizes && x % 97 == 0 ? x >> (x % 4) : x % 4096;
	case R_EDGE_COUNT:
		return edges;
	case R_DETACHEDNESS:
		return x % 3;
	default:
		return x % 3 == 0 ? x % 1000 : 0; /* trace_node_id, unknown fields */
	}
}

static uint64_t edge_value(struct prng *r, const struct shape *sh, enum role role, unsigned type)
{
	uint64_t x = prng_next(r);
	switch (role) {
	case R_TYPE:
		return type;
	case R_NAME_OR_INDEX:
		return type == 1 || type == 4 ? x % 1000 : x % sh->strings;
	case R_TO_NODE:
		return x % sh->nodes * sh->node_field_count;
	default:
		return 0;
	}
}

static void put_number(struct text *t, bool first, bool record_start, bool v8, uint64_t v)
{
	if (!first)
		text_put(t, record_start && v8 ? "\n," : v8 ? "," : ", ", record_start && v8 ? 2 : v8 ? 1 : 2);
	text_uint(t, v);
}

static void put_arrays(struct text *t, const struct shape *sh, const unsigned *edge_counts, uint64_t seed)
{
	struct prng r = { seed | 1 };
	enum role node_roles[LH_ARRAY_LEN(sh->node_fields)], edge_roles[LH_ARRAY_LEN(sh->edge_fields)];
	for (unsigned f = 0; f < sh->node_field_count; f++)
		node_roles[f] = role_of(sh->node_fields[f]);
	for (unsigned f = 0; f < sh->edge_field_count; f++)
		edge_roles[f] = role_of(sh->edge_fields[f]);
	text_put(t, "\"nodes\":[", 9);
	for (uint64_t n = 0; n < sh->nodes; n++)
		for (unsigned f = 0; f < sh->node_field_count; f++)
			put_number(t, n == 0 && f == 0, f == 0, sh->v8_layout,
				   maybe_fault(&r, sh, node_value(&r, sh, node_roles[f], n, edge_counts[n])));
	text_put(t, "],\n\"edges\":[", 12);
	bool first = true;
	for (uint64_t n = 0; n < sh->nodes; n++)
		for (unsigned e = 0; e < edge_counts[n]; e++) {
			unsigned type = n == 0 && e == 0 ? 1 : (unsigned)(prng_next(&r) % LH_ARRAY_LEN(edge_types));
			for (unsigned f = 0; f < sh->edge_field_count; f++) {
				put_number(t, first, f == 0, sh->v8_layout,
					   maybe_fault(&r, sh, edge_value(&r, sh, edge_roles[f], type)));
				first = false;
			}
		}
	text_put(t, "]", 1);
}

static void put_strings(struct text *t, struct program *pr, const struct shape *sh)
{
	text_put(t, "\"strings\":[", 11);
	for (unsigned i = 0; i < sh->strings; i++) {
		const char *w = name_words[i < LH_ARRAY_LEN(name_words) ? i : program_byte(pr) % LH_ARRAY_LEN(name_words)];
		text_printf(t, "%s\"%s\"", i ? ",\n" : "", w);
	}
	text_put(t, "]", 1);
}

void generate_snapshot(struct program *pr, struct text *t)
{
	struct shape sh;
	read_shape(pr, &sh);
	uint64_t seed = program_below(pr, UINT32_MAX) << 8 | 0x5a, edges = 0;
	unsigned *edge_counts = lh_malloc(sh.nodes * sizeof(*edge_counts));
	struct prng r = { seed ^ 0x9e3779b97f4a7c15ull };
	for (uint64_t n = 0; n < sh.nodes; n++) {
		edge_counts[n] = n == 0 ? 1 : sh.max_edges ? (unsigned)(prng_next(&r) % (sh.max_edges + 1)) : 0;
		edges += edge_counts[n];
	}
	text_put(t, "{", 1);
	if (sh.arrays_first) {
		put_arrays(t, &sh, edge_counts, seed);
		text_put(t, ",\n", 2);
	}
	put_header(t, &sh, edges);
	text_put(t, ",\n", 2);
	if (!sh.arrays_first) {
		put_arrays(t, &sh, edge_counts, seed);
		text_put(t, ",\n", 2);
	}
	if (sh.extra_sections)
		text_printf(t, "\"trace_function_infos\":[],\"samples\":[1,2],\"locations\":[],\"future\":{\"a\":[true,null,-1.5e3]},\n");
	put_strings(t, pr, &sh);
	text_put(t, "}", 1);
	free(edge_counts);
}

