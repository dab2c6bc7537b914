/*
 * paths.h - retainer paths: how a node is reached from the GC roots.
 *
 * A breadth-first search from the root gives every node its shortest path
 * (fewest edges). Weak edges are skipped unless asked for, as are the edges
 * DevTools' Retainers view hides (weak ones). Alternative paths
 * (--all) differ in the last retainer: for each distinct retainer of the
 * node, the shortest path to it, then the edge to the node; shortest first.
 */
#ifndef LH_ANALYSIS_PATHS_H
#define LH_ANALYSIS_PATHS_H

#include "../heap/snapshot.h"

/* BFS parent edges from the root; UINT32_MAX where none. */
struct path_tree {
	bool follow_weak;
	uint32_t *via_edge;       /* the edge that first reached each node */
	uint32_t *edge_source;    /* the source node of every edge (for walking back) */
	uint32_t *depth;          /* edges from the root; UINT32_MAX if unreached */
};

struct path_tree *path_tree_build(const struct heap_snapshot *s, bool follow_weak);
void path_tree_free(struct path_tree *t);

/* A path as edges from the root's child down to the node. */
struct retainer_path {
	size_t length;
	uint32_t *edges;          /* owned */
};

/*
 * Up to max shortest paths to node n (fewer if it has fewer retainers);
 * returns the count. The first is the shortest overall. Free each path's edges.
 */
size_t paths_to(const struct heap_snapshot *s, const struct path_tree *t, uint32_t n, size_t max,
		struct retainer_path *out);

/*
 * The path as a person reads it, newly allocated:
 * "(GC roots) @3 [13] -> (Global handles) @29 ... -> Map @123 (internal) table -> ..."
 */
char *path_describe(const struct heap_snapshot *s, const struct retainer_path *p);

#endif
