/*
 * class_stats.h - DevTools' Summary view: per class (constructor), the
 * count, shallow and retained size of its instances.
 *
 * As in DevTools (HeapSnapshot.ts, buildAggregates and
 * calculateClassesRetainedSize): only nodes with a non-zero self size
 * count; a class's retained size adds up its instances that no other
 * counted instance of the same class dominates (so nested instances are
 * not counted twice); its distance is the smallest of its instances'.
 * Sizes are those of the retention mode (DevTools moves backing-store
 * sizes to their owners).
 */
#ifndef LH_ANALYSIS_CLASS_STATS_H
#define LH_ANALYSIS_CLASS_STATS_H

#include "classes.h"
#include "retention.h"

struct class_row {
	uint32_t id;              /* class id (heap_classes) */
	uint64_t count;
	uint64_t self_size;
	uint64_t retained_size;
	int32_t distance;
};

struct class_stats {
	struct heap_classes *classes;
	size_t count;
	struct class_row *rows;   /* by class id */
};

struct class_stats *class_stats_compute(const struct heap_snapshot *s, const struct retention *r,
					struct heap_classes *classes);
void class_stats_free(struct class_stats *c);

#endif
