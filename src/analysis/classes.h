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
 * Not reproduced: DevTools also splits one class name into several Summary
 * rows when instances come from different source locations; leakhound keeps
 * one row per class name.
 */
#ifndef LH_ANALYSIS_CLASSES_H
#define LH_ANALYSIS_CLASSES_H

#include "../common/strmap.h"
#include "../heap/snapshot.h"

struct heap_classes {
	struct strmap names;   /* class names, by class id */
	uint32_t *of_node;     /* class id of each node */
};

struct heap_classes *heap_classes_compute(const struct heap_snapshot *s);
void heap_classes_free(struct heap_classes *c);

static inline const char *heap_class_of(const struct heap_classes *c, uint32_t n)
{
	return c->names.names[c->of_node[n]];
}

#endif
