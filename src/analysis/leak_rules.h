/*
 * leak_rules.h - `leakhound check`: what grows, in plain words.
 *
 * Each rule reads the trend of a series (trend.h) and fires only for a
 * series that grew in every interval and by more than its threshold, so a
 * heap in a steady state (allocating and freeing at the same rate, which
 * makes counts go up and down) gets no finding. Findings are ranked by the
 * rule's urgency, then by growth. Thresholds are documented in the README
 * and settable from the command line.
 */
#ifndef LH_ANALYSIS_LEAK_RULES_H
#define LH_ANALYSIS_LEAK_RULES_H

#include "trend.h"

struct leak_thresholds {
	uint64_t handle_edges;        /* growth of "(Handle scope)" / "(Global handles)" edges: 1000 */
	uint64_t class_objects;       /* growth of a class's live count: 1000 objects ... */
	double class_fraction;        /* ... and this fraction of its first count: 0.1 */
	uint64_t detached_nodes;      /* growth of detached native nodes: 100 */
	uint64_t string_bytes;        /* growth of string bytes: 1 MiB */
};

extern const struct leak_thresholds leak_default_thresholds;

struct leak_finding {
	char id[32];                  /* "handle-scope-growth", "global-handles-growth", "class-growth", ... */
	char title[240];
	char evidence[400];           /* the numbers: first -> last, per snapshot, per second */
	char explanation[900];        /* why it happens, what to look at next */
	char *path;                   /* retainer path of a sample object (owned), or NULL */
	uint32_t sample_id;           /* 0 if none */
	double growth;                /* last - first, in the series' unit */
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

#endif
