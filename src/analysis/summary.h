/*
 * summary.h - the first look at a snapshot: what is in it, who holds the
 * edges, and what looks wrong.
 *
 * Computed in a few linear passes over the columns, plus a sort of the
 * edges of the handful of nodes with the largest fan-out. Nothing here
 * depends on dominators, so it is as fast as reading the file.
 *
 * Unlike DevTools, the summary hides nothing: synthetic roots, weak and
 * hidden edges, zero-size nodes and the handles under "(GC roots)" are all
 * counted. The point is to see, for example, that one synthetic root owns
 * 98% of the edges and that they all point at the same node.
 */
#ifndef LH_ANALYSIS_SUMMARY_H
#define LH_ANALYSIS_SUMMARY_H

#include "../heap/snapshot.h"

/* How many target groups are kept per fan-out node or root. */
#define SUMMARY_MAX_GROUPS 5

struct summary_count {
	uint64_t count;
	uint64_t self_size;
};

struct summary_type_row {
	const char *type;          /* the file's own type name */
	struct summary_count total;
};

struct summary_class_row {
	char *name;                /* owned */
	struct summary_count total;
};

/*
 * Edges from one node that share an edge type and their target's type and
 * name: "3,792,103 internal edges to 'undefined' (hidden)".
 */
struct summary_target_group {
	uint64_t key;              /* edge type, target type, target name */
	uint32_t edge;             /* the first edge of the group, an example */
	uint64_t edges;
	bool names_vary;           /* the group's edges do not all have the same name */
	bool targets_vary;         /* ... nor all the same target node */
};

/* A node's outgoing edges, grouped by where they point. */
struct summary_fanout {
	uint32_t node;
	uint64_t edges;
	uint64_t distinct_targets;
	size_t group_count;
	struct summary_target_group groups[SUMMARY_MAX_GROUPS];
};

struct summary_options {
	size_t top;                /* rows per ranked table; 0: no class or fan-out tables at all */
};

struct heap_summary {
	uint64_t total_self_size;
	size_t type_count;
	struct summary_type_row *types;        /* one per meta.node_types entry, in file order */
	size_t class_count;                    /* distinct classes in the snapshot */
	size_t top_count;                      /* rows in the two tables below */
	struct summary_class_row *by_count;
	struct summary_class_row *by_size;
	uint32_t gc_roots;                     /* ordinal of "(GC roots)", UINT32_MAX if absent */
	size_t root_count;
	struct summary_fanout *roots;          /* every sub-root of "(GC roots)", in edge order */
	size_t fanout_count;
	struct summary_fanout *fanout;         /* the nodes with the most outgoing edges */
};

/* Computes the summary; the snapshot must outlive it. Free with heap_summary_free(). */
struct heap_summary *heap_summary_compute(const struct heap_snapshot *s, const struct summary_options *opts);
void heap_summary_free(struct heap_summary *sum);

/* A V8 handle is one pointer-sized slot in a block V8 mallocs outside the JS heap. */
#define SUMMARY_HANDLE_SLOT_BYTES 8

/*
 * Native memory the handles held by a GC sub-root occupy ("(Handle scope)",
 * "(Global handles)", "(Eternal handles)", "(Traced handles)"), which no
 * snapshot size shows; 0 for other roots.
 */
uint64_t summary_handle_bytes(const struct heap_snapshot *s, uint32_t root_node, uint64_t edges);

/* Ordinal of the "(GC roots)" node (a synthetic child of the root), or UINT32_MAX. */
uint32_t summary_gc_roots(const struct heap_snapshot *s);

/* Share of all edges, in percent. */
double summary_edge_share(const struct heap_snapshot *s, uint64_t edges);

#endif
