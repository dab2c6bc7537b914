/*
 * reader.c - streams a .heapsnapshot into the columnar model of snapshot.h.
 *
 * The grammar is V8's top-level object: "snapshot" (the header with meta),
 * "nodes", "edges", "strings", and sections we skip (trace_function_infos,
 * trace_tree, samples, locations, anything newer). V8 writes the header
 * first, so the layout is known before the big arrays arrive and each
 * number goes straight into its column. A plain file whose arrays come
 * before the header still reads: the numbers are parked raw and replayed
 * through the same code once the layout is known (slower, more memory,
 * never written by V8); the file's size bounds what is parked. Compressed
 * or piped input has no such bound, so there an array before the header
 * is refused. An array never holds more records than the header declares:
 * memory is bounded by the header's counts, checked as the records arrive.
 *
 * Structural faults that V8 could not have produced (a type index past the
 * type list, a to_node that is not a node offset, a name past the string
 * table) are counted, not stopped at, so the error can say how many there
 * are; the first one is named with its byte offset.
 *
 * In a big plain file the edges array, half or more of the text, is read
 * on a second thread while this one reads the nodes (see "The edges array
 * on the second core"); what comes out, errors included, is the same.
 */
#include "snapshot.h"

#include <pthread.h>
#include <stdarg.h>

#include "json_stream.h"
#include "source.h"

enum field_role {
	ROLE_NODE_TYPE,
	ROLE_NODE_NAME,
	ROLE_NODE_ID,
	ROLE_NODE_SELF_SIZE,
	ROLE_NODE_EDGE_COUNT,
	ROLE_NODE_TRACE_ID,
	ROLE_NODE_DETACHEDNESS,
	ROLE_EDGE_TYPE,
	ROLE_EDGE_NAME,
	ROLE_EDGE_TO,
	ROLE_COUNT
};

#define NO_FIELD UINT8_MAX
/* Edge ordinals and first-edge indices are 32-bit, with one value kept for the end. */
#define HEAP_MAX_EDGES (UINT32_MAX - 1)

/* Where each role's value sits in a record, from meta.node_fields / edge_fields. */
struct layout {
	unsigned stride;
	uint8_t field[ROLE_COUNT]; /* NO_FIELD when the file lacks it */
};

struct field_spec {
	const char *name;
	enum field_role role;
	bool required;
};

static const struct field_spec node_field_specs[] = {
	{ "type", ROLE_NODE_TYPE, true },
	{ "name", ROLE_NODE_NAME, true },
	{ "id", ROLE_NODE_ID, true },
	{ "self_size", ROLE_NODE_SELF_SIZE, true },
	{ "edge_count", ROLE_NODE_EDGE_COUNT, true },
	{ "trace_node_id", ROLE_NODE_TRACE_ID, false },
	{ "detachedness", ROLE_NODE_DETACHEDNESS, false },
};

static const struct field_spec edge_field_specs[] = {
	{ "type", ROLE_EDGE_TYPE, true },
	{ "name_or_index", ROLE_EDGE_NAME, true },
	{ "to_node", ROLE_EDGE_TO, true },
};

static const char *const node_kind_names[HEAP_NODE_KIND_COUNT] = {
	"hidden", "array", "string", "object", "code", "closure", "regexp", "number",
	"native", "synthetic", "concatenated string", "sliced string", "symbol", "bigint",
	"object shape", "other",
};

static const char *const edge_kind_names[HEAP_EDGE_KIND_COUNT] = {
	"context", "element", "property", "internal", "hidden", "shortcut", "weak", "other",
};

/* A numeric array parked until the header tells how to read it. */
struct raw_array {
	uint64_t *values;
	size_t len, cap;
	uint64_t offset; /* where the array started, for errors */
	bool parked;
};

struct edge_helper;

struct reader {
	struct json_stream js;
	struct lh_error *err;
	const struct heap_read_options *opts;
	const char *path;
	struct heap_source *src;
	struct heap_snapshot *s;
	struct edge_helper *helper;           /* reads the edges array on another thread, if started */
	struct json_bytes key;

	bool seen_header, seen_nodes, seen_edges, seen_strings;
	bool layout_known;
	bool have_node_count, have_edge_count, have_root_index;
	bool have_trace_function_count, have_extra_native_bytes;
	uint64_t root_index, root_index_offset;   /* snapshot.root_index: V8 never writes it, DevTools reads it */
	uint64_t header_node_count, header_edge_count;
	uint64_t meta_offset;

	struct layout nodes, edges;
	uint64_t stride_inverse;              /* ceil(2^64 / node stride): to_node checks without a division */
	bool edge_type_indexed[HEAP_MAX_EDGE_TYPES]; /* name_or_index is an index, not a string */

	size_t node_cap, edge_cap, large_size_cap;
	uint64_t nodes_read, edges_read;      /* complete records */
	uint64_t nodes_end_offset, edges_end_offset;
	uint64_t edge_count_sum;
	uint64_t self_size_sum;               /* at most INT64_MAX (store_self_size) */

	struct raw_array raw_nodes, raw_edges;

	uint64_t faults;                      /* structural faults, the first in fault_error */
	struct lh_error fault_error;
	uint64_t bad_edges;

	/*
	 * Every reference that set a new maximum string index, in file order:
	 * the first one past the string table (known only at the end) is the
	 * first of these past it.
	 */
	struct string_ref { uint64_t index, offset; const char *what; } *maxima;
	size_t maxima_count, maxima_cap;

	struct json_bytes strings;
	uint64_t *string_offsets;
	size_t string_cap;
};

/* MARK: - Faults */

static void LH_PRINTF(3, 4) fault(struct reader *r, uint64_t offset, const char *fmt, ...)
{
	r->faults++;
	if (r->fault_error.set)
		return;
	va_list ap;
	va_start(ap, fmt);
	char message[sizeof(r->fault_error.message)];
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	lh_error_at(&r->fault_error, offset, "%s", message);
}

static inline bool is_new_string_max(const struct reader *r, uint64_t index)
{
	return !r->maxima_count || index > r->maxima[r->maxima_count - 1].index;
}

static void note_string_ref(struct reader *r, uint64_t index, uint64_t offset, const char *what)
{
	lh_grow((void **)&r->maxima, &r->maxima_cap, r->maxima_count + 1, sizeof(*r->maxima));
	r->maxima[r->maxima_count++] = (struct string_ref){ index, offset, what };
}

/* MARK: - Header */

/* Reads ["a", "b", ...] into names, failing past HEAP_MAX_FIELDS entries. */
static bool read_name_list(struct reader *r, char **names, unsigned *count, unsigned max, const char *what)
{
	struct json_stream *js = &r->js;
	if (*count)
		return lh_error_at(r->err, json_offset(js), "duplicate %s", what);
	if (!json_expect(js, '[', what))
		return false;
	bool first = true;
	int rc;
	while ((rc = json_array_next(js, &first)) > 0) {
		if (*count >= max)
			return lh_error_at(r->err, json_offset(js), "%s has more than %u entries", what, max);
		struct json_bytes b = { 0 };
		if (json_read_string(js, &b) < 0) {
			json_bytes_free(&b);
			return false;
		}
		names[(*count)++] = b.data;
	}
	return rc == 0;
}

/* Reads node_types / edge_types: [[type names...], "string", "number", ...]. */
static bool read_type_list(struct reader *r, char **names, unsigned *count, const char *what)
{
	struct json_stream *js = &r->js;
	if (!json_expect(js, '[', what))
		return false;
	bool first = true;
	int rc = json_array_next(js, &first);
	if (rc <= 0)
		return rc == 0 ? lh_error_at(r->err, json_offset(js), "%s is empty, expected the list of type names first", what) : false;
	if (json_peek(js) != '[') {
		char message[120];
		snprintf(message, sizeof(message), "expected %s[0] to be the list of type names", what);
		return json_fail(js, message);
	}
	if (!read_name_list(r, names, count, HEAP_MAX_TYPES, what))
		return false;
	while ((rc = json_array_next(js, &first)) > 0)
		if (!json_skip_value(js))
			return false;
	return rc == 0;
}

static bool read_meta(struct reader *r)
{
	struct json_stream *js = &r->js;
	struct heap_format *f = &r->s->format;
	r->meta_offset = json_offset(js);
	if (!json_expect(js, '{', "the snapshot.meta object"))
		return false;
	bool first = true;
	int rc;
	while ((rc = json_object_next(js, &first, &r->key)) > 0) {
		const char *k = r->key.data;
		bool ok;
		if (!strcmp(k, "node_fields"))
			ok = read_name_list(r, f->node_fields, &f->node_field_count, HEAP_MAX_FIELDS, "meta.node_fields");
		else if (!strcmp(k, "edge_fields"))
			ok = read_name_list(r, f->edge_fields, &f->edge_field_count, HEAP_MAX_FIELDS, "meta.edge_fields");
		else if (!strcmp(k, "node_types"))
			ok = read_type_list(r, f->node_types, &f->node_type_count, "meta.node_types");
		else if (!strcmp(k, "edge_types"))
			ok = read_type_list(r, f->edge_types, &f->edge_type_count, "meta.edge_types");
		else
			ok = json_skip_value(js);
		if (!ok)
			return false;
	}
	return rc == 0;
}

/* Maps each declared field to its role; fails when a required field is missing. */
static bool map_fields(struct reader *r, char **names, unsigned count, const struct field_spec *specs,
		       size_t spec_count, struct layout *layout, const char *what)
{
	layout->stride = count;
	memset(layout->field, NO_FIELD, sizeof(layout->field));
	for (size_t i = 0; i < spec_count; i++) {
		int found = -1;
		for (unsigned f = 0; f < count; f++) {
			if (strcmp(names[f], specs[i].name) != 0)
				continue;
			if (found >= 0)
				return lh_error_at(r->err, r->meta_offset, "%s lists '%s' twice", what, specs[i].name);
			found = (int)f;
		}
		if (found >= 0)
			layout->field[specs[i].role] = (uint8_t)found;
		else if (specs[i].required)
			return lh_error_at(r->err, r->meta_offset, "%s has no '%s' field: not a V8 heap snapshot layout",
					   what, specs[i].name);
	}
	return true;
}

static uint8_t kind_of(const char *name, const char *const *kind_names, unsigned kind_count)
{
	for (unsigned k = 0; k + 1 < kind_count; k++)
		if (!strcmp(name, kind_names[k]))
			return (uint8_t)k;
	return (uint8_t)(kind_count - 1);
}

/* Called at the end of the header: everything needed to read the arrays is known. */
static bool settle_layout(struct reader *r)
{
	struct heap_format *f = &r->s->format;
	if (!f->node_field_count || !f->edge_field_count)
		return lh_error_at(r->err, json_offset(&r->js), "snapshot.meta lacks node_fields or edge_fields");
	if (!r->have_node_count || !r->have_edge_count)
		return lh_error_at(r->err, json_offset(&r->js), "snapshot lacks node_count or edge_count");
	if (!map_fields(r, f->node_fields, f->node_field_count, node_field_specs, LH_ARRAY_LEN(node_field_specs),
			&r->nodes, "meta.node_fields") ||
	    !map_fields(r, f->edge_fields, f->edge_field_count, edge_field_specs, LH_ARRAY_LEN(edge_field_specs),
			&r->edges, "meta.edge_fields"))
		return false;
	if (!f->node_type_count || !f->edge_type_count)
		return lh_error_at(r->err, r->meta_offset, "snapshot.meta lacks node_types or edge_types");
	if (f->edge_type_count > HEAP_MAX_EDGE_TYPES)
		return lh_error_at(r->err, r->meta_offset, "meta.edge_types lists more than %d types", HEAP_MAX_EDGE_TYPES);
	for (unsigned t = 0; t < f->node_type_count; t++)
		f->node_kind_of_type[t] = kind_of(f->node_types[t], node_kind_names, HEAP_NODE_KIND_COUNT);
	for (unsigned t = 0; t < f->edge_type_count; t++) {
		f->edge_kind_of_type[t] = kind_of(f->edge_types[t], edge_kind_names, HEAP_EDGE_KIND_COUNT);
		r->edge_type_indexed[t] = f->edge_kind_of_type[t] == HEAP_EDGE_ELEMENT || f->edge_kind_of_type[t] == HEAP_EDGE_HIDDEN;
	}
	r->stride_inverse = UINT64_MAX / r->nodes.stride + 1;
	if (r->header_node_count > HEAP_MAX_NODES)
		return lh_error_at(r->err, json_offset(&r->js), "snapshot.node_count %llu is beyond what V8 can write (2^28 nodes)",
				   (unsigned long long)r->header_node_count);
	if (r->header_edge_count > HEAP_MAX_EDGES)
		return lh_error_at(r->err, json_offset(&r->js),
				   "snapshot.edge_count %llu is beyond what leakhound can hold (2^32-2 edges)",
				   (unsigned long long)r->header_edge_count);
	r->layout_known = true;
	return true;
}

/* A number of the header; a key given twice is an error (which value would V8 have meant?). */
static bool read_header_uint(struct reader *r, const char *key, uint64_t *value, bool *seen)
{
	if (*seen)
		return lh_error_at(r->err, json_offset(&r->js), "duplicate snapshot.%s", key);
	*seen = true;
	return json_read_uint(&r->js, value);
}

static bool read_header(struct reader *r)
{
	struct json_stream *js = &r->js;
	if (!json_expect(js, '{', "the snapshot header object"))
		return false;
	bool first = true, seen_meta = false;
	int rc;
	while ((rc = json_object_next(js, &first, &r->key)) > 0) {
		const char *k = r->key.data;
		bool ok;
		if (!strcmp(k, "meta")) {
			ok = !seen_meta && read_meta(r);
			if (seen_meta)
				lh_error_at(r->err, json_offset(js), "duplicate snapshot.meta");
			seen_meta = true;
		} else if (!strcmp(k, "node_count")) {
			ok = read_header_uint(r, k, &r->header_node_count, &r->have_node_count);
		} else if (!strcmp(k, "edge_count")) {
			ok = read_header_uint(r, k, &r->header_edge_count, &r->have_edge_count);
		} else if (!strcmp(k, "trace_function_count")) {
			ok = read_header_uint(r, k, &r->s->trace_function_count, &r->have_trace_function_count);
		} else if (!strcmp(k, "root_index")) {
			r->root_index_offset = json_offset(js);
			ok = read_header_uint(r, k, &r->root_index, &r->have_root_index);
		} else if (!strcmp(k, "extra_native_bytes")) {
			ok = read_header_uint(r, k, &r->s->extra_native_bytes, &r->have_extra_native_bytes);
		} else {
			ok = json_skip_value(js);
		}
		if (!ok)
			return false;
	}
	return rc == 0 && settle_layout(r);
}

/* MARK: - Nodes and edges */

/*
 * Numbers are gathered a record at a time (one node's or one edge's fields)
 * and stored by store_node() / store_edge(), which know each field's
 * position from the layout: no per-number dispatch in the hot loop.
 */

/* Plausible record count to allocate up front: the header's, capped by what the file can hold. */
static size_t initial_capacity(const struct reader *r, uint64_t declared, unsigned stride)
{
	uint64_t cap = declared;
	uint64_t size = heap_source_file_size(r->src);
	if (size && !heap_source_is_gzip(r->src))
		cap = LH_MIN(cap, size / (2 * (uint64_t)stride) + 1); /* each value takes >= 2 bytes */
	else
		cap = LH_MIN(cap, (uint64_t)1 << 20);
	return (size_t)LH_MAX(cap, 1);
}

static size_t next_capacity(size_t cap, size_t need, size_t initial)
{
	cap = cap ? cap : initial;
	while (cap < need)
		cap *= 2;
	return cap;
}

static void grow_nodes(struct reader *r, size_t need)
{
	struct heap_snapshot *s = r->s;
	if (need <= r->node_cap)
		return;
	size_t cap = next_capacity(r->node_cap, need,
				   initial_capacity(r, r->header_node_count, s->format.node_field_count));
	s->node_type = lh_realloc_column(s->node_type, cap, sizeof(*s->node_type));
	s->node_name = lh_realloc_column(s->node_name, cap, sizeof(*s->node_name));
	s->node_id = lh_realloc_column(s->node_id, cap, sizeof(*s->node_id));
	s->node_self_size = lh_realloc_column(s->node_self_size, cap, sizeof(*s->node_self_size));
	s->node_first_edge = lh_realloc_column(s->node_first_edge, cap + 1, sizeof(*s->node_first_edge));
	if (s->node_trace_id) {
		s->node_trace_id = lh_realloc_column(s->node_trace_id, cap, sizeof(*s->node_trace_id));
		memset(s->node_trace_id + r->node_cap, 0, (cap - r->node_cap) * sizeof(*s->node_trace_id));
	}
	if (s->node_detachedness) {
		s->node_detachedness = lh_realloc_column(s->node_detachedness, cap, 1);
		memset(s->node_detachedness + r->node_cap, 0, cap - r->node_cap);
	}
	r->node_cap = cap;
}

static void grow_edges(struct reader *r, size_t need)
{
	struct heap_snapshot *s = r->s;
	if (need <= r->edge_cap)
		return;
	size_t cap = next_capacity(r->edge_cap, need,
				   initial_capacity(r, r->header_edge_count, s->format.edge_field_count));
	s->edge_target = lh_realloc_column(s->edge_target, cap, sizeof(*s->edge_target));
	s->edge_name = lh_realloc_column(s->edge_name, cap, sizeof(*s->edge_name));
	r->edge_cap = cap;
}

static uint32_t checked_u32(struct reader *r, uint64_t v, uint64_t offset, const char *what)
{
	if (LH_LIKELY(v <= UINT32_MAX))
		return (uint32_t)v;
	fault(r, offset, "%s %llu does not fit in 32 bits", what, (unsigned long long)v);
	return 0;
}

/* Optional columns come into being with the first non-zero value. */
static void *optional_column(struct reader *r, void *column, size_t elem_size)
{
	return column ? column : lh_calloc(r->node_cap, elem_size);
}

/*
 * Every total leakhound shows (by type, class, retainer, snapshot) is a sum
 * of self sizes, so bounding their sum here at 2^63-1 bytes (8 EiB, more
 * than any address space) keeps every such sum, and every difference of
 * two, from wrapping: a file past it is bad input, not a heap.
 */
static void store_self_size(struct reader *r, size_t n, uint64_t size, uint64_t offset)
{
	struct heap_snapshot *s = r->s;
	if (LH_UNLIKELY(__builtin_add_overflow(r->self_size_sum, size, &r->self_size_sum) ||
			r->self_size_sum > INT64_MAX)) {
		fault(r, offset, "node %zu's self_size %llu takes the nodes' total past 2^63-1 bytes", n,
		      (unsigned long long)size);
		r->self_size_sum = 0;
	}
	if (LH_LIKELY(size < HEAP_SIZE_IN_TABLE)) {
		s->node_self_size[n] = (uint32_t)size;
		return;
	}
	s->node_self_size[n] = HEAP_SIZE_IN_TABLE;
	lh_grow((void **)&s->large_sizes, &r->large_size_cap, s->large_size_count + 1, sizeof(*s->large_sizes));
	s->large_sizes[s->large_size_count++] = (struct heap_large_size){ (uint32_t)n, size };
}

static inline void store_node(struct reader *r, size_t n, const uint64_t *v, const uint64_t *offsets)
{
	struct heap_snapshot *s = r->s;
	const struct layout *l = &r->nodes;
	uint64_t type = v[l->field[ROLE_NODE_TYPE]];
	if (LH_UNLIKELY(type >= s->format.node_type_count)) {
		fault(r, offsets[l->field[ROLE_NODE_TYPE]], "node %zu has type %llu, but meta.node_types lists %u types", n,
		      (unsigned long long)type, s->format.node_type_count);
		type = 0;
	}
	s->node_type[n] = (uint8_t)type;
	uint64_t name = v[l->field[ROLE_NODE_NAME]];
	s->node_name[n] = checked_u32(r, name, offsets[l->field[ROLE_NODE_NAME]], "node name index");
	if (LH_UNLIKELY(is_new_string_max(r, name)))
		note_string_ref(r, name, offsets[l->field[ROLE_NODE_NAME]], "node name");
	s->node_id[n] = checked_u32(r, v[l->field[ROLE_NODE_ID]], offsets[l->field[ROLE_NODE_ID]], "node id");
	store_self_size(r, n, v[l->field[ROLE_NODE_SELF_SIZE]], offsets[l->field[ROLE_NODE_SELF_SIZE]]);
	s->node_first_edge[n] = (uint32_t)r->edge_count_sum;
	r->edge_count_sum += checked_u32(r, v[l->field[ROLE_NODE_EDGE_COUNT]], offsets[l->field[ROLE_NODE_EDGE_COUNT]], "edge_count");
	if (LH_UNLIKELY(r->edge_count_sum >= UINT32_MAX)) {
		fault(r, offsets[l->field[ROLE_NODE_EDGE_COUNT]], "edge_count values sum past 2^32-1");
		r->edge_count_sum = 0;
	}
	if (l->field[ROLE_NODE_TRACE_ID] != NO_FIELD && v[l->field[ROLE_NODE_TRACE_ID]]) {
		s->node_trace_id = optional_column(r, s->node_trace_id, sizeof(*s->node_trace_id));
		s->node_trace_id[n] = checked_u32(r, v[l->field[ROLE_NODE_TRACE_ID]], offsets[l->field[ROLE_NODE_TRACE_ID]], "trace_node_id");
	}
	if (l->field[ROLE_NODE_DETACHEDNESS] != NO_FIELD && v[l->field[ROLE_NODE_DETACHEDNESS]]) {
		uint64_t d = v[l->field[ROLE_NODE_DETACHEDNESS]];
		if (d > 2)
			fault(r, offsets[l->field[ROLE_NODE_DETACHEDNESS]], "node %zu has detachedness %llu, expected 0, 1 or 2", n, (unsigned long long)d);
		s->node_detachedness = optional_column(r, s->node_detachedness, 1);
		s->node_detachedness[n] = (uint8_t)LH_MIN(d, 2);
	}
}

/*
 * A to_node offset as an ordinal; counts the ones V8 could not have written.
 * For offsets below 2^32 the division by the stride is a multiplication by
 * its inverse, and to is a multiple of it when to * inverse wraps below the
 * inverse (Lemire, Kaser and Kurz, "Faster remainder by direct computation").
 */
static inline uint32_t edge_target(struct reader *r, size_t e, uint64_t to, uint64_t offset)
{
	uint64_t inverse = r->stride_inverse;
	uint64_t ordinal = (uint64_t)(((unsigned __int128)inverse * to) >> 64);
	if (LH_LIKELY(to <= UINT32_MAX && to * inverse <= inverse - 1 && ordinal < r->header_node_count))
		return (uint32_t)ordinal;
	unsigned stride = r->s->format.node_field_count;
	r->bad_edges++;
	if (!r->opts->lenient_edges)
		fault(r, offset, "edge %zu has to_node %llu, which is not a node offset (a multiple of %u below %llu)",
		      e, (unsigned long long)to, stride, (unsigned long long)(r->header_node_count * stride));
	return r->s->root;
}

static inline void store_edge(struct reader *r, size_t e, const uint64_t *v, const uint64_t *offsets)
{
	struct heap_snapshot *s = r->s;
	const struct layout *l = &r->edges;
	uint64_t type = v[l->field[ROLE_EDGE_TYPE]];
	if (LH_UNLIKELY(type >= s->format.edge_type_count)) {
		fault(r, offsets[l->field[ROLE_EDGE_TYPE]], "edge %zu has type %llu, but meta.edge_types lists %u types", e,
		      (unsigned long long)type, s->format.edge_type_count);
		type = 0;
	}
	uint32_t target = edge_target(r, e, v[l->field[ROLE_EDGE_TO]], offsets[l->field[ROLE_EDGE_TO]]);
	s->edge_target[e] = target | (uint32_t)type << HEAP_TARGET_BITS;
	uint64_t name = v[l->field[ROLE_EDGE_NAME]];
	s->edge_name[e] = checked_u32(r, name, offsets[l->field[ROLE_EDGE_NAME]], "edge name_or_index");
	if (!r->edge_type_indexed[type] && LH_UNLIKELY(is_new_string_max(r, name)))
		note_string_ref(r, name, offsets[l->field[ROLE_EDGE_NAME]], "edge name");
}

struct array_kind {
	const char *name;
	struct layout *layout;
	void (*grow)(struct reader *r, size_t need);
	void (*store)(struct reader *r, size_t record, const uint64_t *v, const uint64_t *offsets);
	uint64_t *records_read;
	uint64_t *end_offset;
	uint64_t declared;   /* the header's count: no array may hold more */
	const char *count_key;
};

static struct array_kind nodes_kind(struct reader *r)
{
	return (struct array_kind){ "nodes", &r->nodes, grow_nodes, store_node, &r->nodes_read,
				    &r->nodes_end_offset, r->header_node_count, "node_count" };
}

static struct array_kind edges_kind(struct reader *r)
{
	return (struct array_kind){ "edges", &r->edges, grow_edges, store_edge, &r->edges_read,
				    &r->edges_end_offset, r->header_edge_count, "edge_count" };
}

static bool finish_array(struct reader *r, const struct array_kind *k, size_t records, unsigned field, uint64_t offset)
{
	*k->records_read = records;
	*k->end_offset = offset;
	if (field != 0)
		return lh_error_at(r->err, offset, "the %s array ends inside a record: its length is not a multiple of %u fields",
				   k->name, k->layout->stride);
	return true;
}

/* Stops at the first record past the header's count, so that memory stays within what it declares. */
static bool too_many(struct reader *r, const struct array_kind *k, uint64_t offset)
{
	return lh_error_at(r->err, offset, "snapshot.%s is %llu but the %s array holds more %s", k->count_key,
			   (unsigned long long)k->declared, k->name, k->name);
}

/* Stores a complete record; false past the header's count (err set). */
LH_ALWAYS_INLINE static inline bool add_record(struct reader *r, bool nodes, size_t *record, const uint64_t *v,
					       const uint64_t *offsets)
{
	size_t i = *record;
	if (LH_UNLIKELY(i >= (nodes ? r->header_node_count : r->header_edge_count))) {
		struct array_kind k = nodes ? nodes_kind(r) : edges_kind(r);
		return too_many(r, &k, offsets[0]);
	}
	if (nodes) {
		if (LH_UNLIKELY(i >= r->node_cap))
			grow_nodes(r, i + 1);
		store_node(r, i, v, offsets);
	} else {
		if (LH_UNLIKELY(i >= r->edge_cap))
			grow_edges(r, i + 1);
		store_edge(r, i, v, offsets);
	}
	*record = i + 1;
	return true;
}

/*
 * The nodes or the edges array, a number at a time. Numbers in V8's layout
 * are read by json_fast_uint() in a loop that keeps its place in a
 * register; any other element, and each element within 64 bytes of the
 * buffer's end, goes through the general path, which refills the buffer.
 * Inlined once for each array, so that each stores with direct calls.
 */
LH_ALWAYS_INLINE static inline bool read_records(struct reader *r, bool nodes)
{
	struct json_stream *js = &r->js;
	struct array_kind k = nodes ? nodes_kind(r) : edges_kind(r);
	unsigned stride = k.layout->stride;
	uint64_t v[HEAP_MAX_FIELDS], offsets[HEAP_MAX_FIELDS];
	size_t record = 0;
	unsigned field = 0;
	bool first = true;
	for (;;) {
		if (!first) {
			const char *p = js->p, *limit = js->end - 64, *token, *next;
			uint64_t offset_of_buf = js->base - (uintptr_t)js->buf;
			while (p <= limit && (next = json_fast_uint(p, &v[field], &token))) {
				offsets[field] = offset_of_buf + (uintptr_t)token; /* for an error naming a bad value */
				p = next;
				if (++field < stride)
					continue;
				field = 0;
				if (!add_record(r, nodes, &record, v, offsets)) {
					js->p = p;
					return false;
				}
			}
			js->p = p;
		}
		int rc = json_array_next_uint_slow(js, &first, &v[field]);
		if (rc <= 0)
			return rc == 0 && finish_array(r, &k, record, field, json_offset(js));
		offsets[field] = js->base + (uint64_t)(js->token - js->buf);
		if (++field < stride)
			continue;
		field = 0;
		if (!add_record(r, nodes, &record, v, offsets))
			return false;
	}
}

static bool read_numbers_raw(struct reader *r, struct raw_array *raw)
{
	struct json_stream *js = &r->js;
	bool first = true;
	uint64_t v;
	int rc;
	raw->offset = json_offset(js);
	raw->parked = true;
	while ((rc = json_array_next_uint(js, &first, &v)) > 0) {
		lh_grow((void **)&raw->values, &raw->cap, raw->len + 1, sizeof(*raw->values));
		raw->values[raw->len++] = v;
	}
	return rc == 0;
}

static bool replay_raw(struct reader *r, const struct array_kind *k, struct raw_array *raw)
{
	unsigned stride = k->layout->stride;
	size_t records = raw->len / stride;
	uint64_t offsets[HEAP_MAX_FIELDS];
	for (unsigned f = 0; f < stride; f++)
		offsets[f] = raw->offset; /* parked numbers keep only where their array began */
	if (records > k->declared)
		return too_many(r, k, raw->offset);
	for (size_t i = 0; i < records; i++) {
		k->grow(r, i + 1);
		k->store(r, i, raw->values + i * stride, offsets);
	}
	free(raw->values);
	raw->values = NULL;
	return finish_array(r, k, records, (unsigned)(raw->len % stride), raw->offset);
}

/*
 * MARK: - The edges array on the second core
 *
 * In a plain file, the nodes and the edges arrays are independent ranges
 * once the header is read: the nodes array holds no ']' but its last, and
 * V8 writes "edges" right after it. So when the nodes array starts, a
 * helper thread opens the file again there, skips to that ']', checks that
 * "edges":[ follows, and reads the edges into columns of its own with the
 * same code, on a copy of the reader (its own faults and string maxima).
 * The main thread reads the nodes meanwhile; at the edges array it skips to
 * its ']' if the helper found the array at the same offset, else reads it
 * itself and the helper's work is dropped. Then the helper's results join
 * the main thread's in file order: the nodes' faults and string references
 * come first, and an error in the edges array beats one after it.
 */

#define HELPER_MIN_FILE_SIZE ((uint64_t)16 << 20) /* smaller files gain less than a thread costs */

struct edge_helper {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool scanned;            /* edges_start is known */
	uint64_t nodes_start;
	uint64_t edges_start;    /* offset after "edges":[, or 0 when not found there */
	bool taken;              /* the main thread skipped the array: the helper's records count */
	bool ok;
	struct reader r;
	struct heap_snapshot shadow; /* the edge columns, until taken */
	struct lh_error err;
};

static void helper_scanned(struct edge_helper *h, uint64_t edges_start)
{
	pthread_mutex_lock(&h->lock);
	h->edges_start = edges_start;
	h->scanned = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

static void *helper_main(void *arg)
{
	struct edge_helper *h = arg;
	struct reader *r = &h->r;
	struct lh_error scan_err = { 0 };
	r->src = heap_source_open_at(r->path, h->nodes_start, &scan_err);
	if (!r->src) {
		helper_scanned(h, 0);
		return NULL;
	}
	struct json_stream *js = &r->js;
	json_stream_init(js, r->src, &scan_err);
	js->base = h->nodes_start;
	bool found = json_skip_past(js, ']', "']'") && json_expect(js, ',', "','") && json_read_string(js, &r->key) >= 0 &&
		     !strcmp(r->key.data, "edges") && json_expect(js, ':', "':'") && json_expect(js, '[', "'['");
	helper_scanned(h, found ? json_offset(js) : 0);
	if (found) {
		js->err = &h->err;
		h->ok = read_records(r, false);
	}
	heap_source_close(r->src);
	return NULL;
}

/* At the start of the nodes array of a big plain file, with the layout known: starts the helper. */
static void start_helper(struct reader *r)
{
	uint64_t min_size = r->opts->split_min_bytes ? r->opts->split_min_bytes : HELPER_MIN_FILE_SIZE;
	if (r->helper || r->seen_edges || heap_source_is_gzip(r->src) || !strcmp(r->path, "-") ||
	    !heap_source_file_size(r->src) || heap_source_file_size(r->src) < min_size)
		return;
	struct edge_helper *h = lh_calloc(1, sizeof(*h));
	h->nodes_start = json_offset(&r->js);
	h->shadow = *r->s;
	h->r = (struct reader){ .err = &h->err, .opts = r->opts, .path = r->path, .s = &h->shadow,
				.layout_known = true, .header_node_count = r->header_node_count,
				.header_edge_count = r->header_edge_count, .nodes = r->nodes, .edges = r->edges,
				.stride_inverse = r->stride_inverse };
	memcpy(h->r.edge_type_indexed, r->edge_type_indexed, sizeof(r->edge_type_indexed));
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	if (pthread_create(&h->thread, NULL, helper_main, h) != 0) {
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->cond);
		free(h);
		return; /* the main thread reads the edges itself */
	}
	r->helper = h;
}

/* At the edges array ('[' read): whether the helper reads it; if so, skips it. */
static bool helper_takes_edges(struct reader *r, bool *ok)
{
	struct edge_helper *h = r->helper;
	if (!h)
		return false;
	pthread_mutex_lock(&h->lock);
	while (!h->scanned)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	if (h->edges_start != json_offset(&r->js))
		return false;
	h->taken = true;
	*ok = json_skip_past(&r->js, ']', "']' at the end of the edges array");
	return true;
}

/*
 * Waits for the helper and, if it read the edges array, adds its results.
 * ok is the main thread's outcome; returns the outcome of both.
 */
static bool finish_helper(struct reader *r, bool ok)
{
	struct edge_helper *h = r->helper;
	if (!h)
		return ok;
	pthread_join(h->thread, NULL);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	struct reader *hr = &h->r;
	if (h->taken) {
		/* An error before the edges array comes first; one after it comes after the helper's. */
		bool main_first = !ok && (r->err->offset == LH_NO_OFFSET || r->err->offset < h->edges_start);
		if (!h->ok && !main_first) {
			*r->err = h->err;
			ok = false;
		}
		r->s->edge_target = h->shadow.edge_target;
		r->s->edge_name = h->shadow.edge_name;
		r->edge_cap = hr->edge_cap;
		r->edges_read = hr->edges_read;
		r->edges_end_offset = hr->edges_end_offset;
		r->bad_edges += hr->bad_edges;
		if (!r->fault_error.set)
			r->fault_error = hr->fault_error;
		r->faults += hr->faults;
		for (size_t i = 0; i < hr->maxima_count; i++)
			if (is_new_string_max(r, hr->maxima[i].index))
				note_string_ref(r, hr->maxima[i].index, hr->maxima[i].offset, hr->maxima[i].what);
	} else {
		free(h->shadow.edge_target);
		free(h->shadow.edge_name);
	}
	json_bytes_free(&hr->key);
	free(hr->maxima);
	free(h);
	r->helper = NULL;
	return ok;
}

static bool read_numbers(struct reader *r, const char *name, bool *seen)
{
	struct json_stream *js = &r->js;
	if (*seen)
		return lh_error_at(r->err, json_offset(js), "duplicate '%s' section", name);
	*seen = true;
	if (!json_expect(js, '[', "an array of numbers"))
		return false;
	bool nodes = name[0] == 'n';
	if (!r->layout_known && (heap_source_is_gzip(r->src) || !heap_source_file_size(r->src)))
		return lh_error_at(r->err, json_offset(js) - 1,
				   "the '%s' array comes before the snapshot header, which V8 always writes first; "
				   "compressed or piped, such a file is not read (its size would not bound the memory): "
				   "uncompress it to a file first", name);
	if (!r->layout_known)
		return read_numbers_raw(r, nodes ? &r->raw_nodes : &r->raw_edges);
	if (nodes) {
		start_helper(r);
		return read_records(r, true);
	}
	bool ok;
	if (helper_takes_edges(r, &ok))
		return ok;
	return read_records(r, false);
}

/* MARK: - Strings */

static bool read_strings(struct reader *r)
{
	struct json_stream *js = &r->js;
	if (r->seen_strings)
		return lh_error_at(r->err, json_offset(js), "duplicate 'strings' section");
	r->seen_strings = true;
	if (!json_expect(js, '[', "the strings array"))
		return false;
	bool first = true;
	int rc;
	size_t count = 0;
	while ((rc = json_array_next(js, &first)) > 0) {
		if (count >= UINT32_MAX - 1)
			return lh_error_at(r->err, json_offset(js), "more than 2^32-2 strings");
		lh_grow((void **)&r->string_offsets, &r->string_cap, count + 2, sizeof(*r->string_offsets));
		r->string_offsets[count++] = r->strings.len;
		if (json_read_string(js, &r->strings) < 0)
			return false;
	}
	if (rc < 0)
		return false;
	lh_grow((void **)&r->string_offsets, &r->string_cap, count + 1, sizeof(*r->string_offsets));
	r->string_offsets[count] = r->strings.len;
	r->s->string_count = (uint32_t)count;
	return true;
}

/* MARK: - Top level */

static bool note_extra_section(struct reader *r)
{
	struct heap_format *f = &r->s->format;
	if (f->extra_section_count < LH_ARRAY_LEN(f->extra_sections))
		f->extra_sections[f->extra_section_count++] = lh_strdup(r->key.data);
	return json_skip_value(&r->js);
}

static bool read_top_level(struct reader *r)
{
	struct json_stream *js = &r->js;
	if (json_peek(js) != '{')
		return lh_error_at(r->err, json_offset(js),
				   "not a V8 heap snapshot: expected a JSON object ('{') at the start");
	js->p++;
	bool first = true;
	int rc;
	while ((rc = json_object_next(js, &first, &r->key)) > 0) {
		const char *k = r->key.data;
		bool ok;
		if (!strcmp(k, "snapshot")) {
			if (r->seen_header)
				return lh_error_at(r->err, json_offset(js), "duplicate 'snapshot' section");
			r->seen_header = true;
			ok = read_header(r);
		} else if (!strcmp(k, "nodes")) {
			ok = read_numbers(r, "nodes", &r->seen_nodes);
		} else if (!strcmp(k, "edges")) {
			ok = read_numbers(r, "edges", &r->seen_edges);
		} else if (!strcmp(k, "strings")) {
			ok = read_strings(r);
		} else {
			ok = note_extra_section(r);
		}
		if (!ok)
			return false;
	}
	if (rc < 0)
		return false;
	if (json_peek(js) != -1)
		return lh_error_at(r->err, json_offset(js), "unexpected data after the snapshot's closing '}'");
	if (r->err->set) /* a read error surfaced as end of input */
		return false;
	static const char *const names[] = { "snapshot", "nodes", "edges", "strings" };
	const bool seen[] = { r->seen_header, r->seen_nodes, r->seen_edges, r->seen_strings };
	for (size_t i = 0; i < LH_ARRAY_LEN(names); i++)
		if (!seen[i])
			return lh_error_at(r->err, json_offset(js), "not a V8 heap snapshot: no '%s' section", names[i]);
	return true;
}

/* MARK: - Whole-file checks */

static bool check_counts(struct reader *r)
{
	struct heap_snapshot *s = r->s;
	if (r->nodes_read != r->header_node_count)
		return lh_error_at(r->err, r->nodes_end_offset,
				   "snapshot.node_count is %llu but the nodes array holds %llu nodes",
				   (unsigned long long)r->header_node_count, (unsigned long long)r->nodes_read);
	if (r->edges_read != r->header_edge_count)
		return lh_error_at(r->err, r->edges_end_offset,
				   "snapshot.edge_count is %llu but the edges array holds %llu edges",
				   (unsigned long long)r->header_edge_count, (unsigned long long)r->edges_read);
	if (r->edge_count_sum != r->edges_read)
		return lh_error_at(r->err, r->nodes_end_offset,
				   "the nodes' edge_count fields sum to %llu but the edges array holds %llu edges",
				   (unsigned long long)r->edge_count_sum, (unsigned long long)r->edges_read);
	if (r->nodes_read == 0)
		return lh_error_at(r->err, r->nodes_end_offset, "the snapshot has no nodes (V8 always writes the root)");
	s->node_count = (uint32_t)r->nodes_read;
	s->edge_count = (uint32_t)r->edges_read;
	s->node_first_edge[s->node_count] = s->edge_count;
	if (r->have_root_index) {
		unsigned stride = s->format.node_field_count;
		if (r->root_index % stride || r->root_index / stride >= s->node_count)
			return lh_error_at(r->err, r->root_index_offset,
					   "snapshot.root_index %llu is not a node offset (a multiple of %u below %llu)",
					   (unsigned long long)r->root_index, stride,
					   (unsigned long long)s->node_count * stride);
		s->root = (uint32_t)(r->root_index / stride);
	}
	return true;
}

static bool check_string_refs(struct reader *r)
{
	struct heap_snapshot *s = r->s;
	const struct string_ref *first = NULL;
	for (size_t i = 0; i < r->maxima_count && !first; i++)
		if (r->maxima[i].index >= s->string_count)
			first = &r->maxima[i];
	if (!first)
		return true;
	uint64_t bad = 0;
	for (uint32_t n = 0; n < s->node_count; n++)
		bad += s->node_name[n] >= s->string_count;
	for (uint32_t e = 0; e < s->edge_count; e++)
		bad += !heap_edge_is_indexed(s, e) && s->edge_name[e] >= s->string_count;
	return lh_error_at(r->err, first->offset,
			   "%s index %llu is past the string table (%u strings); %llu names in all point past it",
			   first->what, (unsigned long long)first->index, s->string_count, (unsigned long long)bad);
}

static bool check_faults(struct reader *r)
{
	if (!r->faults)
		return true;
	return lh_error_at(r->err, r->fault_error.offset, "%s (%llu structural fault%s in all: not written by V8)",
			   r->fault_error.message, (unsigned long long)r->faults, r->faults == 1 ? "" : "s");
}

/* Releases the unused tail of each column (realloc of a large block is an mremap, no copy). */
static void shrink_to_fit(struct reader *r)
{
	struct heap_snapshot *s = r->s;
	size_t n = s->node_count, e = LH_MAX(s->edge_count, 1);
	s->node_type = lh_realloc_column(s->node_type, n, 1);
	s->node_name = lh_realloc_column(s->node_name, n, sizeof(uint32_t));
	s->node_id = lh_realloc_column(s->node_id, n, sizeof(uint32_t));
	s->node_self_size = lh_realloc_column(s->node_self_size, n, sizeof(uint32_t));
	s->node_first_edge = lh_realloc_column(s->node_first_edge, n + 1, sizeof(uint32_t));
	if (s->node_trace_id)
		s->node_trace_id = lh_realloc_column(s->node_trace_id, n, sizeof(uint32_t));
	if (s->node_detachedness)
		s->node_detachedness = lh_realloc_column(s->node_detachedness, n, 1);
	s->edge_target = lh_realloc_column(s->edge_target, e, sizeof(uint32_t));
	s->edge_name = lh_realloc_column(s->edge_name, e, sizeof(uint32_t));
	s->string_bytes = lh_realloc_column(r->strings.data, LH_MAX(r->strings.len, 1), 1);
	s->string_offset = lh_realloc_column(r->string_offsets, (size_t)s->string_count + 1, sizeof(uint64_t));
	r->strings.data = NULL;
	r->string_offsets = NULL;
}

static void report_progress(void *ctx, uint64_t input_offset)
{
	struct reader *r = ctx;
	(void)input_offset;
	r->opts->progress(r->opts->progress_ctx, heap_source_file_offset(r->src), heap_source_file_size(r->src));
}

static bool read_snapshot(struct reader *r)
{
	if (!finish_helper(r, read_top_level(r)))
		return false;
	struct array_kind nk = nodes_kind(r), ek = edges_kind(r);
	if ((r->raw_nodes.parked && !replay_raw(r, &nk, &r->raw_nodes)) ||
	    (r->raw_edges.parked && !replay_raw(r, &ek, &r->raw_edges)))
		return false;
	if (!r->node_cap)
		grow_nodes(r, 1);
	if (!r->edge_cap)
		grow_edges(r, 1);
	/* Faults first: a value that does not fit (an edge_count of 2^32) is the cause of a count that does not add up. */
	if (!check_faults(r) || !check_counts(r))
		return false;
	r->s->bad_edges = r->bad_edges;
	shrink_to_fit(r);
	return check_string_refs(r);
}

struct heap_snapshot *heap_snapshot_read(const char *path, const struct heap_read_options *opts,
					 struct lh_error *err)
{
	static const struct heap_read_options defaults = { 0 };
	struct reader r = { .err = err, .opts = opts ? opts : &defaults, .path = path };
	r.src = heap_source_open(path, err);
	if (!r.src)
		return NULL;
	r.s = lh_calloc(1, sizeof(*r.s));
	r.s->gzip = heap_source_is_gzip(r.src);
	r.s->file_bytes = heap_source_file_size(r.src);
	json_stream_init(&r.js, r.src, err);
	if (r.opts->progress) {
		r.js.on_refill = report_progress;
		r.js.on_refill_ctx = &r;
	}
	bool ok = read_snapshot(&r);
	r.s->input_bytes = json_offset(&r.js);
	r.s->replaced_sequences = r.js.replaced;
	json_bytes_free(&r.key);
	json_bytes_free(&r.strings);
	free(r.string_offsets);
	free(r.raw_nodes.values);
	free(r.raw_edges.values);
	free(r.maxima);
	heap_source_close(r.src);
	if (!ok) {
		heap_snapshot_free(r.s);
		return NULL;
	}
	return r.s;
}
