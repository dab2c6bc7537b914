/*
 * snapshot.h - the V8 heap snapshot model: what every analysis reads.
 *
 * A snapshot is a graph of up to 2^28 nodes (V8's limit) and several times
 * as many edges. It is stored column-wise (one array per field) so that a
 * pass that needs only edge targets touches only edge targets, and so that
 * memory stays well under the JSON text: 8 bytes per edge and 17 per node
 * (the text takes about 15 and 35).
 *
 *   - Node i (an ordinal, 0..node_count-1; node 0 is the root) has its
 *     outgoing edges at [node_first_edge[i], node_first_edge[i+1]).
 *   - edge_target[] packs the target ordinal (the file's to_node offset
 *     divided by the node field count, checked on the way in) in the low 28
 *     bits and the edge type in the high 4: read them with heap_edge_to()
 *     and heap_edge_type().
 *   - node_self_size[] holds 32 bits; the rare larger sizes (V8 writes up to
 *     48 bits, e.g. for ArrayBuffer backing stores) sit in a sorted side
 *     table: read sizes with heap_node_self_size().
 *   - trace_node_id and detachedness are stored only when some node has a
 *     non-zero value (Node.js writes zeros unless allocation tracking or an
 *     embedder sets them).
 *   - Strings live in one arena: string i is a NUL-terminated run at
 *     string_bytes + string_offset[i], string_offset[i+1] - string_offset[i] - 1
 *     bytes long (it may contain NULs written as \u0000).
 *   - Type columns hold the file's own type indices; heap_node_kind() and
 *     heap_edge_kind() map them to the enums below through the names in
 *     snapshot.meta, so a V8 that reorders or adds types still reads right.
 *
 * The reader takes the layout from snapshot.meta (node_fields, edge_fields,
 * type lists) and accepts sections in any order. Everything is validated on
 * the way in: a snapshot that loads has in-range types, names and targets,
 * and edge counts that sum to the edge array, so analyses need no checks.
 */
#ifndef LH_HEAP_SNAPSHOT_H
#define LH_HEAP_SNAPSHOT_H

#include "../common/error.h"

enum heap_node_kind {
	HEAP_NODE_HIDDEN,
	HEAP_NODE_ARRAY,
	HEAP_NODE_STRING,
	HEAP_NODE_OBJECT,
	HEAP_NODE_CODE,
	HEAP_NODE_CLOSURE,
	HEAP_NODE_REGEXP,
	HEAP_NODE_NUMBER,
	HEAP_NODE_NATIVE,
	HEAP_NODE_SYNTHETIC,
	HEAP_NODE_CONCATENATED_STRING,
	HEAP_NODE_SLICED_STRING,
	HEAP_NODE_SYMBOL,
	HEAP_NODE_BIGINT,
	HEAP_NODE_OBJECT_SHAPE,
	HEAP_NODE_OTHER, /* a type name this leakhound does not know */
	HEAP_NODE_KIND_COUNT
};

enum heap_edge_kind {
	HEAP_EDGE_CONTEXT,
	HEAP_EDGE_ELEMENT,
	HEAP_EDGE_PROPERTY,
	HEAP_EDGE_INTERNAL,
	HEAP_EDGE_HIDDEN,
	HEAP_EDGE_SHORTCUT,
	HEAP_EDGE_WEAK,
	HEAP_EDGE_OTHER,
	HEAP_EDGE_KIND_COUNT
};

#define HEAP_MAX_FIELDS 32
#define HEAP_MAX_TYPES 64
#define HEAP_MAX_EDGE_TYPES 16
#define HEAP_TARGET_BITS 28
#define HEAP_MAX_NODES (1u << HEAP_TARGET_BITS)
#define HEAP_SIZE_IN_TABLE UINT32_MAX /* node_self_size[] marker: look in large_sizes */

/* The layout the file declared in snapshot.meta, kept for reports. */
struct heap_format {
	unsigned node_field_count, edge_field_count;
	char *node_fields[HEAP_MAX_FIELDS];
	char *edge_fields[HEAP_MAX_FIELDS];
	unsigned node_type_count, edge_type_count;
	char *node_types[HEAP_MAX_TYPES];
	char *edge_types[HEAP_MAX_TYPES];
	uint8_t node_kind_of_type[HEAP_MAX_TYPES];
	uint8_t edge_kind_of_type[HEAP_MAX_TYPES];
	unsigned extra_section_count;  /* top-level keys besides snapshot/nodes/edges/strings */
	char *extra_sections[16];
};

struct heap_snapshot {
	uint32_t node_count;
	uint32_t edge_count;
	uint32_t string_count;
	uint32_t root;                /* ordinal of the root node (snapshot.root_index, default 0) */

	uint8_t *node_type;
	uint32_t *node_name;          /* string index */
	uint32_t *node_id;
	uint32_t *node_self_size;     /* or HEAP_SIZE_IN_TABLE: use heap_node_self_size() */
	uint32_t *node_first_edge;    /* node_count + 1 entries */
	uint32_t *node_trace_id;      /* NULL when absent or all zero */
	uint8_t *node_detachedness;   /* NULL when absent or all zero; else 0 unknown, 1 attached, 2 detached */

	size_t large_size_count;      /* self sizes >= HEAP_SIZE_IN_TABLE, by ascending node */
	struct heap_large_size { uint32_t node; uint64_t size; } *large_sizes;

	uint32_t *edge_target;        /* target ordinal | type << HEAP_TARGET_BITS */
	uint32_t *edge_name;          /* string index, or the index of element/hidden edges */

	char *string_bytes;
	uint64_t *string_offset;      /* string_count + 1 entries */

	struct heap_format format;
	uint64_t extra_native_bytes;  /* snapshot.extra_native_bytes, 0 if absent */
	uint64_t trace_function_count;

	/* Facts about the file itself. */
	bool gzip;
	uint64_t file_bytes;          /* size on disk (compressed if gzip), 0 if unknown */
	uint64_t input_bytes;         /* JSON bytes read */
	uint64_t replaced_sequences;  /* lone surrogates / invalid UTF-8 replaced by U+FFFD */
	uint64_t bad_edges;           /* edges dropped in lenient mode (to_node not a node offset) */
};

struct heap_read_options {
	/*
	 * Keep going past edges whose to_node is not a node offset: they are
	 * counted in bad_edges and point at the root. Off by default, since such
	 * a file was not written by V8 and every number computed from it is
	 * suspect; reports say so when it is on.
	 */
	bool lenient_edges;
	/*
	 * Plain files of at least this many bytes have their edges array read
	 * by a second thread (0: the default, 16 MiB). Results and errors are
	 * the same either way; tests set 1 to run every case both ways.
	 */
	uint64_t split_min_bytes;
	/* Called as input is consumed; total is 0 when the size is unknown. */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

/*
 * Reads a snapshot from path ("-" = stdin), plain or gzip'd. Returns NULL on
 * any problem with err filled: the byte offset in the JSON text and what was
 * expected there; for faults that repeat (bad targets, names past the string
 * table) the message names the first and counts them all.
 * The caller frees the result with heap_snapshot_free().
 */
struct heap_snapshot *heap_snapshot_read(const char *path, const struct heap_read_options *opts,
					 struct lh_error *err);
void heap_snapshot_free(struct heap_snapshot *s);

/* MARK: - Accessors */

static inline enum heap_node_kind heap_node_kind(const struct heap_snapshot *s, uint32_t n)
{
	return (enum heap_node_kind)s->format.node_kind_of_type[s->node_type[n]];
}

static inline uint32_t heap_edge_to(const struct heap_snapshot *s, uint32_t e)
{
	return s->edge_target[e] & (HEAP_MAX_NODES - 1);
}

/* The file's own edge type index (into format.edge_types). */
static inline unsigned heap_edge_type(const struct heap_snapshot *s, uint32_t e)
{
	return s->edge_target[e] >> HEAP_TARGET_BITS;
}

static inline enum heap_edge_kind heap_edge_kind(const struct heap_snapshot *s, uint32_t e)
{
	return (enum heap_edge_kind)s->format.edge_kind_of_type[heap_edge_type(s, e)];
}

uint64_t heap_large_self_size(const struct heap_snapshot *s, uint32_t n);

static inline uint64_t heap_node_self_size(const struct heap_snapshot *s, uint32_t n)
{
	uint32_t size = s->node_self_size[n];
	return LH_LIKELY(size != HEAP_SIZE_IN_TABLE) ? size : heap_large_self_size(s, n);
}

static inline uint32_t heap_edge_begin(const struct heap_snapshot *s, uint32_t n)
{
	return s->node_first_edge[n];
}

static inline uint32_t heap_edge_end(const struct heap_snapshot *s, uint32_t n)
{
	return s->node_first_edge[n + 1];
}

static inline uint32_t heap_node_edge_count(const struct heap_snapshot *s, uint32_t n)
{
	return s->node_first_edge[n + 1] - s->node_first_edge[n];
}

static inline const char *heap_string(const struct heap_snapshot *s, uint32_t i)
{
	return s->string_bytes + s->string_offset[i];
}

static inline size_t heap_string_length(const struct heap_snapshot *s, uint32_t i)
{
	return (size_t)(s->string_offset[i + 1] - s->string_offset[i] - 1);
}

static inline const char *heap_node_name(const struct heap_snapshot *s, uint32_t n)
{
	return heap_string(s, s->node_name[n]);
}

/* Whether an edge's name_or_index is a number (element, hidden) rather than a string index. */
static inline bool heap_edge_is_indexed(const struct heap_snapshot *s, uint32_t e)
{
	enum heap_edge_kind k = heap_edge_kind(s, e);
	return k == HEAP_EDGE_ELEMENT || k == HEAP_EDGE_HIDDEN;
}

/* The type name the file uses for node n / edge e. */
const char *heap_node_type_name(const struct heap_snapshot *s, uint32_t n);
const char *heap_edge_type_name(const struct heap_snapshot *s, uint32_t e);
/* Ordinal of the node with this id, or UINT32_MAX (a linear scan: ids need not ascend). */
uint32_t heap_node_by_id(const struct heap_snapshot *s, uint32_t id);

#endif
