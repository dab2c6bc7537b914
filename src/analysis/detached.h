/*
 * detached.h - which embedder (native) nodes are detached, as DevTools
 * decides it.
 *
 * V8 writes a detachedness for the embedder nodes that know it (0 unknown,
 * 1 attached, 2 detached). DevTools then spreads it through native nodes
 * over all but hidden and weak edges: what an attached node reaches is
 * attached; what only a detached node reaches is detached. Detached nodes
 * are shown, and classed, with the prefix "Detached ".
 */
#ifndef LH_ANALYSIS_DETACHED_H
#define LH_ANALYSIS_DETACHED_H

#include "../heap/snapshot.h"

enum dom_state { DOM_UNKNOWN = 0, DOM_ATTACHED = 1, DOM_DETACHED = 2 };

/* The propagated state of every node (an array the caller frees), or NULL when no node has a state. */
uint8_t *heap_dom_states(const struct heap_snapshot *s);

#endif
