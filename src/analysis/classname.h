/*
 * classname.h - the "Constructor" a node is grouped under, by DevTools' rules.
 *
 * Chrome DevTools' Summary view (HeapSnapshot.ts, calculateObjectNames)
 * groups hidden nodes as "(system)", objects and native nodes by their name
 * (with "<div class=...>" trimmed to "<div>"), code as "(compiled code)",
 * closures as "Function", regexps as "RegExp" and everything else as
 * "(<type>)". leakhound uses the same names so that its tables can be read
 * next to DevTools'. These are the classes a node has on its own; the
 * classes of a whole snapshot, with DevTools' split of plain Objects by
 * inferred property sets ("{a, b}") and its "Detached " prefix, are in
 * classes.h.
 */
#ifndef LH_ANALYSIS_CLASSNAME_H
#define LH_ANALYSIS_CLASSNAME_H

#include "../heap/snapshot.h"

/* Node n's class name, newly allocated (the caller frees it). */
char *heap_class_name(const struct heap_snapshot *s, uint32_t n);

/* The class of an object or native node with this name, newly allocated. */
char *heap_class_of_name(const char *name);

/* Whether the class of nodes of this kind is their own name (object, native) rather than fixed by the kind. */
bool heap_class_is_named(enum heap_node_kind kind);

#endif
