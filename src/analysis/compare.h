/*
 * compare.h - `leakhound diff`: what changed between two snapshots of one
 * process, object by object.
 *
 * V8 keeps an object's id for its whole life, so an id only in the newer
 * snapshot is a new object and an id only in the older one a freed object:
 * added and removed are exact, not estimated from counts (DevTools'
 * Comparison view does the same, per class). One exception is handled: V8
 * finds ids by address, so a new object at a dead one's address can get
 * its id; when the type or name behind an id changed, it counts as a freed
 * object and a new one. An object that stayed but changed class (DevTools
 * infers a plain object's class from its properties, "{a, b}", and a
 * property added or a rarer shape moves it to another, or to "Object") is
 * counted as renamed: out of its old class, into its new one. So every
 * object of both snapshots is in exactly one row, and each row's count delta
 * is added - removed + renamed_in - renamed_out: the rows add up to the node
 * delta, and their size deltas to the self size delta.
 */
#ifndef LH_ANALYSIS_COMPARE_H
#define LH_ANALYSIS_COMPARE_H

#include "digest.h"
#include "retention.h"

struct compare_row {
	uint64_t added, added_size;
	uint64_t removed, removed_size;
	uint64_t renamed_in, renamed_in_size;   /* objects in both snapshots, of another class before */
	uint64_t renamed_out, renamed_out_size; /* ... of another class after */
	uint64_t before, after;            /* live counts */
	uint64_t before_size, after_size;
};

struct compare {
	size_t class_count;
	struct compare_row *classes;       /* by series class id */
	size_t type_count;
	struct compare_row types[HEAP_MAX_TYPES];  /* by the newer snapshot's type index */
};

/* Compares two digests (both with their per-node arrays). */
void compare_digests(const struct snapshot_digest *before, const struct snapshot_digest *after, size_t classes,
		     struct compare *out);
void compare_free(struct compare *c);

/*
 * The `top` nodes of the newer snapshot s (digested as `after`) that are
 * new (not in `before`, by the same rule as compare_digests), largest
 * retained size first; returns how many were written to out.
 */
size_t compare_largest_new(const struct heap_snapshot *s, const struct retention *r,
			   const struct snapshot_digest *before, const struct snapshot_digest *after, size_t top,
			   uint32_t *out);

#endif
