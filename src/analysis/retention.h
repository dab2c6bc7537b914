/*
 * retention.h - dominators, retained sizes and distances, as DevTools or
 * memlab compute them, or with every strong edge counted.
 *
 * One pass, parameterised by the rules of each tool (see README, "Retention
 * rules", and shared/heapsnapshot-format.md sections 6 and 7):
 *
 *                                  devtools     memlab       all-edges
 *   weak edges, self-loops           ignored     ignored      ignored
 *   shortcut edges not from root     ignored     ignored      counted
 *   non-page-owned -> page-owned     ignored     ignored      counted
 *   page-owned seeds                 root's shortcut targets  root's other children
 *   WeakMap table -> value           ignored     counted      counted
 *   single-owner array/hidden size   moved to owner  kept     kept
 *
 * Dominators use Lengauer-Tarjan with explicit stacks (no recursion on
 * graph depth), in the same DFS order and with the same treatment of nodes
 * the root does not reach as DevTools and memlab (those with no retaining
 * edge are searched from first, then the rest hang under the root), so the
 * dominator of every node equals theirs. Sizes are 64-bit: DevTools wraps
 * self sizes at 2^32, leakhound does not.
 */
#ifndef LH_ANALYSIS_RETENTION_H
#define LH_ANALYSIS_RETENTION_H

#include "../heap/snapshot.h"

enum retention_mode {
	RETENTION_DEVTOOLS,
	RETENTION_MEMLAB,
	RETENTION_ALL_EDGES, /* what a GC root really holds: every non-weak edge counts */
};

#define RETENTION_NO_DISTANCE (-5)          /* DevTools' value for nodes no BFS reached */
#define RETENTION_SYSTEM_DISTANCE 100000000 /* DevTools' distance of the root in its second BFS */

struct retention {
	enum retention_mode mode;
	uint64_t *self_size;      /* as the mode counts it */
	uint64_t *retained_size;
	uint32_t *dominator;      /* ordinal of the immediate dominator; the root's is itself */
	int32_t *distance;        /* DevTools' two-pass BFS distance */
	uint32_t unreachable;     /* nodes the root does not reach over counted edges */
};

/* Computes everything for snapshot s. Free with retention_free(). */
struct retention *retention_compute(const struct heap_snapshot *s, enum retention_mode mode);
void retention_free(struct retention *r);

/* "devtools" / "memlab" / "all-edges" <-> mode; false for an unknown name. */
bool retention_mode_parse(const char *name, enum retention_mode *out);
const char *retention_mode_name(enum retention_mode mode);

/*
 * WeakMap ephemeron edges are internal edges named
 *   "<n> / part of key (<k> @id) -> value (<v> @id) pair in WeakMap (table @id)".
 * Returns true for such a name, with the table id and the length of the
 * prefix "<n>" (the rest is shared by the key->value and table->value edges).
 */
bool retention_parse_weakmap_edge_name(const char *name, uint64_t *table_id, size_t *prefix_length);

#endif
