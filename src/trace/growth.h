/*
 * growth.h - what grew: live memory per allocation site over a trace.
 *
 * An allocation site is the innermost frame of a stack outside the
 * allocator, libc, ld.so and the C++ runtime (so `new Foo` is charged to
 * the code that wrote it, not to operator new). Stacks with the same site
 * (same function and file:line, or the same module+offset without line
 * information) form one site, so a leak reached through several callers
 * is one entry with its total.
 *
 * Growth is the least-squares slope of live bytes against time over every
 * snapshot (the first one is taken at start, with nothing live): a steady
 * climb gives a slope near its rate, memory that rises and falls back gives
 * a slope near zero. Sites are ranked by slope, then by live bytes at the
 * end. Not by the end alone: a program that cleans up at exit (node tears
 * down its isolate, freeing every leaked handle block) ends with nothing
 * live, and its leak is still the steepest climb. "At peak" values are those of the snapshot with the most live bytes
 * (interval resolution); peak_bytes of the whole process is exact.
 */
#ifndef LH_TRACE_GROWTH_H
#define LH_TRACE_GROWTH_H

#include "symbolize.h"

struct growth_counts {
	int64_t live_bytes, live_blocks;  /* at the last snapshot */
	int64_t peak_bytes, peak_blocks;  /* at the snapshot with the most live bytes */
	int64_t growth_bytes;             /* live bytes, last snapshot minus first */
	double slope;                     /* bytes per second */
	uint64_t allocs, frees;
	uint64_t alloc_bytes;             /* bytes ever allocated */
	uint64_t temporaries;             /* frees that ended a temporary allocation (tracker.h) */
};

struct growth_stack {
	uint32_t id;
	struct growth_counts c;
};

struct growth_site {
	const struct sym_frame *site;     /* NULL: stack 0 (table full) or no frames */
	bool table_full;                  /* stack 0: stacks past the table's capacity */
	uint64_t site_address;            /* return address of the site frame */
	uint32_t site_depth;              /* frames above it (allocator/runtime), in its first stack */
	struct growth_counts c;
	struct growth_stack *stacks;      /* ranked like sites */
	size_t stack_count;
};

struct growth {
	const struct trace *trace;
	size_t peak_snapshot;
	double duration_s;                /* first to last snapshot */
	struct growth_site *sites;        /* ranked */
	size_t site_count;
};

struct growth *growth_compute(const struct trace *t, struct symbolizer *sym);
void growth_free(struct growth *g);

#endif
