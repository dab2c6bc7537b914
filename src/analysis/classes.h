/*
 * classes.h - the class of every node, exactly as DevTools' Summary view
 * names it, interfaces included.
 *
 * classname.h gives a node's class from its own type and name. DevTools
 * goes one step further for plain objects (type object, name "Object"): it
 * infers "interfaces" from the property names that objects commonly start
 * with ("{x, y}" for points), keeps those shared by at least 2 objects and
 * 1 in 1000 of all plain objects, and classes each plain object under the
 * interface with the most properties that it has (all of them, in any
 * order; the more popular interface on a tie). This module reproduces
 * that (HeapSnapshot.ts: inferInterfaceDefinitions, applyInterfaceDefinitions)
 * and interns every class name, so analyses group nodes by a small id.
 *
 * Nothing is stored per node: a node's class comes from a cache per name
 * string or type, and for plain objects from a walk of a small property
 * tree, so asking costs little and a multi-GB snapshot needs no extra
 * column.
 *
 * Not reproduced: DevTools also splits one class name into several Summary
 * rows when instances come from different source locations; leakhound keeps
 * one row per class name.
 */
#ifndef LH_ANALYSIS_CLASSES_H
#define LH_ANALYSIS_CLASSES_H

#include "../common/strmap.h"
#include "../heap/snapshot.h"

struct heap_classes;

/* Infers the interfaces and prepares the caches. The snapshot must outlive the result. */
struct heap_classes *heap_classes_compute(const struct heap_snapshot *s);
void heap_classes_free(struct heap_classes *c);

/* Class id of node n (ids are dense, from 0; new ids may appear as nodes are asked about). */
uint32_t heap_class_id(struct heap_classes *c, uint32_t n);
/* Name of a class id. */
const char *heap_class_name_of_id(const struct heap_classes *c, uint32_t id);
/* An upper bound on class ids after every node has been asked about. */
size_t heap_class_count(const struct heap_classes *c);

#endif
