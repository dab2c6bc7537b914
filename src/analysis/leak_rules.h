/*
 * leak_rules.h - `leakhound check`: what grows, in plain words.
 *
 * Each rule reads the trend of a series (trend.h) and fires only for a
 * series that grew in every interval and by more than its threshold, so a
 * heap in a steady state (allocating and freeing at the same rate, which
 * makes counts go up and down) gets no finding. Findings are ranked by the
 * rule's urgency, then by growth. Thresholds are documented in the README
 * and settable from the command line.
 *
 * JavaScript objects are judged by accumulation, not by class totals: a
 * holder group (class + retainer path shape, holders.h) is a leak when it
 * grew in every interval after warm-up, by at least min_objects, and the
 * objects created in those intervals are still alive at the end (at least
 * half of its growth; a window or queue that grows while its members are
 * replaced is not a leak). A growth that stopped (a cache at capacity)
 * fails "every interval", load that swings fails it too, and a population
 * that grows with load but is replaced fails the survivor test. Groups held
 * by another accumulating group are its contents, not findings: a leak is
 * named by the outermost program class among them (PendingUpload, not the
 * listener Function, Context and Promise around it), or by its holder when
 * all are V8's generic classes (Object, Function, Array, strings, ...).
 */
#ifndef LH_ANALYSIS_LEAK_RULES_H
#define LH_ANALYSIS_LEAK_RULES_H

#include "trend.h"

struct leak_thresholds {
	uint64_t handle_edges;        /* growth of "(Handle scope)" / "(Global handles)" edges: 1000 */
	uint64_t min_objects;         /* growth of a holder group over the judged intervals: 20 objects */
	unsigned warmup;              /* intervals not judged; LEAK_WARMUP_AUTO: 1 with 4 intervals or more, else 0 */
	uint64_t detached_nodes;      /* growth of detached native nodes: 100 */
	uint64_t string_bytes;        /* growth of string bytes: 1 MiB */
};

#define LEAK_WARMUP_AUTO UINT32_MAX
/* Created-and-still-alive objects must make this share of an accumulating group's growth. */
#define LEAK_MIN_SURVIVOR_SHARE 0.5

extern const struct leak_thresholds leak_default_thresholds;

/* What an accumulation finding adds to the common fields. */
struct leak_accumulation {
	char cls[128];                /* the class it is named by */
	char holder[200];             /* the structure that holds it ("entries of Map `byToken`"), or "" */
	char contents[300];           /* other accumulating classes it holds, with their growth */
	unsigned intervals, grown, judged;
	uint64_t survivors[64];       /* per interval 1.. (alive at the end); survivor_count of them */
	size_t survivor_count;
	double survivor_share;
	double growth_bytes;          /* its own and its contents' self size growth */
	double share_of_growth;       /* of the whole heap's self size growth over the judged intervals; 0 if it did not grow */
};

struct leak_finding {
	char id[32];                  /* "handle-scope-growth", "global-handles-growth", "accumulation", ... */
	char title[240];
	char evidence[400];           /* the numbers: first -> last, per snapshot, per second */
	char explanation[900];        /* why it happens, what to look at next */
	char *path;                   /* retainer path of a sample object (owned), or NULL */
	uint32_t sample_id;           /* 0 if none */
	double growth;                /* last - first, in the series' unit (accumulation: end of warm-up to last) */
	const char *confidence;       /* "high", "medium", "low" */
	char why[300];                /* the reasons for that confidence */
	struct leak_accumulation *acc; /* accumulation findings only (owned) */
};

struct leak_findings {
	size_t count;
	struct leak_finding items[16];
};

/*
 * Applies the rules to a finished trend. `last` is the newest snapshot of
 * the series (still loaded), used for retainer paths of sample objects.
 */
void leak_rules_apply(const struct trend *t, const struct heap_snapshot *last, const struct leak_thresholds *th,
		      struct leak_findings *out);
void leak_findings_free(struct leak_findings *f);
/* Whether a class is one of the language's built-ins ("Object", "Map", "Buffer", ...): these name no leak. */
bool leak_class_is_builtin(const char *name);

#endif
