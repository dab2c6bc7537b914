/*
 * holders.h - what holds each object: its class and the shape of its
 * shortest retainer path, as one 64-bit key that is the same in every
 * snapshot of a process.
 *
 * Leak detection groups objects by this key: the Sessions that a Map named
 * `byToken` holds are one group, the Sessions of the Map `sessions` another,
 * even though they share a class. The path is the breadth-first (fewest
 * edges, weak edges skipped) one of paths.h, read from the object upwards
 * and cut at its first named step (a property or closure variable name) or
 * after HOLDERS_MAX_STEPS steps, so what lies above the holding structure
 * (which module, which stack frame) does not split a group. Positions are
 * collapsed: array indices, Map and Set table slots, and property names that
 * contain a digit ('reply-17', a dictionary key) read as "a slot", and so do
 * all property names of an object with more than HOLDERS_DICTIONARY_EDGES
 * edges (a dictionary keyed by user data).
 *
 * Keys are hashes (64-bit, so collisions among the few thousand groups of a
 * heap are negligible); a group is described for people from a sample's
 * path (holders_describe), not from its key.
 */
#ifndef LH_ANALYSIS_HOLDERS_H
#define LH_ANALYSIS_HOLDERS_H

#include "../heap/snapshot.h"

#define HOLDERS_MAX_STEPS 5
#define HOLDERS_DICTIONARY_EDGES 256

/*
 * The key of every node of s, given each node's class id (any numbering
 * that is stable across the series); newly allocated, one per node.
 */
uint64_t *holders_keys(const struct heap_snapshot *s, const uint32_t *class_of);

/*
 * A phrase naming the structure that holds node n, from its shortest
 * retainer path (edges from the root down to n): "entries of Map `byToken`",
 * "listeners of `bus` for 'reply-*'", "elements of Array `handlers`",
 * "`.conn` of Pool". Written into buf; empty when the path names nothing.
 */
void holders_describe(const struct heap_snapshot *s, const uint32_t *edges, size_t length, char *buf, size_t size);

#endif
