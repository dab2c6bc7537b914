/*
 * snapshot_builder.h - tiny hand-made V8 heap snapshots for the unit tests.
 *
 * A test lists nodes and edges by ordinal; graph_read() writes them as real
 * snapshot text in V8's layout (7 node fields and every section V8 writes)
 * and reads it back with heap_snapshot_read(), so each test goes through
 * the reader as a real snapshot would. Node ordinal n gets id 2n+1 (the
 * root is @1). Failures are cmocka failures: call from a test only.
 *
 * Set LH_TEST_SNAPSHOT_DIR=DIR to also keep each graph as
 * DIR/<label>.heapsnapshot, for the DevTools and memlab oracles
 * (tests/oracles/devtools/dump.mjs, tests/oracles/memlab/dump.js) to
 * confirm the hand-computed answers on the same file.
 */
#ifndef LH_TESTS_SNAPSHOT_BUILDER_H
#define LH_TESTS_SNAPSHOT_BUILDER_H

#include "../../src/common/strmap.h"
#include "../../src/heap/snapshot.h"

struct graph_edge {
	uint32_t from, to;
	unsigned type;
	uint32_t name; /* string index, or the index of element/hidden edges */
	uint32_t order;
};

struct graph {
	const char *label;      /* names the kept file and the load errors */
	struct strmap strings;  /* the strings table, deduplicated as V8 does */
	struct graph_node {
		unsigned type;
		uint32_t name;
		uint64_t size;
		unsigned detachedness;
	} *nodes;
	size_t node_count, node_cap;
	struct graph_edge *edges;
	size_t edge_count, edge_cap;
};

void graph_init(struct graph *g, const char *label);
void graph_free(struct graph *g);

/* Adds a node; returns its ordinal. */
uint32_t node(struct graph *g, const char *type, const char *name, uint64_t size);

/* A node with a detachedness (0 unknown, 1 attached, 2 detached). */
uint32_t dom_node(struct graph *g, const char *type, const char *name, uint64_t size, unsigned detachedness);

uint32_t id_of(uint32_t ordinal);

/* An edge named by a string (context, property, internal, shortcut, weak). */
void edge(struct graph *g, uint32_t from, const char *type, const char *name, uint32_t to);

/*
 * An element or hidden edge, named by an index. A target past the last node
 * is written as a to_node that is no node offset, for the lenient reads.
 */
void edge_index(struct graph *g, uint32_t from, const char *type, uint32_t index, uint32_t to);

/* count internal edges named "1", "2", ... (as V8 names root handles) from `from` to `to`. */
void handle_edges(struct graph *g, uint32_t from, uint32_t count, uint32_t to);

/*
 * Writes g to a temp file and reads it back; it must load with every node
 * and edge. After this, g->edges is in file order: g->edges[e] is snapshot
 * edge e (V8 groups edges by source; within a source they keep the order
 * they were added in).
 */
struct heap_snapshot *graph_read(struct graph *g);

/* The same with lenient_edges, for graphs with edges to no node. */
struct heap_snapshot *graph_read_lenient(struct graph *g);

#endif
