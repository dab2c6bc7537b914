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
 * a slope near zero. Sites are ranked by sustained growth: the slope over
 * the last third of the run (at least GROWTH_LATE_MIN snapshots; without the
 * snapshot taken at a normal exit, when node's teardown frees everything),
 * then the whole run's slope, then live bytes at the end. So a cache that
 * filled early and then stayed flat ranks below a leak still growing at the
 * end, however steep its filling was; growth_trend() says which is which
 * (report and watch print it). Not by the end alone: a program that cleans
 * up at exit ends with nothing live, and its leak is still the steepest
 * climb. "At peak" values are those of the snapshot with the most live bytes
 * (interval resolution); peak_bytes of the whole process is exact.
 */
#ifndef LH_TRACE_GROWTH_H
#define LH_TRACE_GROWTH_H

#include "symbolize.h"

struct growth_counts {
	int64_t live_bytes, live_blocks;  /* at the last snapshot */
	int64_t peak_bytes, peak_blocks;  /* at the snapshot with the most live bytes */
	int64_t growth_bytes;             /* live bytes, last snapshot minus first */
	double slope;                     /* bytes per second, whole run */
	double late_slope;                /* bytes per second, last third of the run (growth.h) */
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

/* Whether live bytes still grow at the end of the run. */
enum growth_trend {
	GROWTH_FLAT,        /* neither grew over the run nor at its end */
	GROWTH_STOPPED,     /* grew over the run, flat or falling over its last third: a cache that filled, a pool */
	GROWTH_SUSTAINED,   /* still growing over the last third */
};

struct growth {
	const struct trace *trace;
	size_t peak_snapshot;
	double duration_s;                /* first to last snapshot */
	size_t late_first;                /* first snapshot of the last third (late_slope's window) */
	size_t late_end;                  /* one past its last */
	struct growth_site *sites;        /* ranked */
	size_t site_count;
};

#define GROWTH_LATE_MIN 3          /* snapshots in the late window, at least */
#define GROWTH_MIN_RATE 1.0        /* bytes per second: slower is no growth */

struct growth *growth_compute(const struct trace *t, struct symbolizer *sym);
void growth_free(struct growth *g);

/*
 * The trend of counts c: sustained when the late slope is at least
 * GROWTH_MIN_RATE and a quarter of the whole run's (so a climb that slowed
 * to a crawl is not), stopped when the run's slope is past GROWTH_MIN_RATE
 * but the late one is not, else flat. The rule report ranks and prints by,
 * and watch's verdict.
 */
enum growth_trend growth_trend(const struct growth_counts *c);
/* "growing", "stopped", "flat". */
const char *growth_trend_name(enum growth_trend trend);

#endif
