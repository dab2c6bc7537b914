/*
 * findings.h - what the summary means, in plain words.
 *
 * Each rule looks at the summary for a pattern a leak hunter would want
 * pointed out, and explains it: what is seen (the evidence, with numbers),
 * what usually causes it, and what to look at next. Rules fire only past
 * thresholds that a healthy process does not reach, so a clean snapshot
 * gets no finding at all. The thresholds are documented in the README.
 */
#ifndef LH_ANALYSIS_FINDINGS_H
#define LH_ANALYSIS_FINDINGS_H

#include "summary.h"

/* A root's edges are abnormal past either threshold (both tunable). */
struct findings_thresholds {
	uint64_t handle_scope_edges;    /* "(Handle scope)": default 10,000 edges */
	double handle_scope_share;      /* ... or this % of all edges, with at least 1,000 */
	uint64_t global_handles_edges;  /* "(Global handles)": default 100,000 edges */
	double global_handles_share;    /* ... or this % of all edges, with at least 10,000 */
	double root_share;              /* any other GC root holding this % of all edges: 50 */
	uint64_t detached_nodes;        /* detached embedder (DOM) nodes still in the heap: 100 */
};

extern const struct findings_thresholds findings_default_thresholds;

struct finding {
	char id[32];           /* stable identifier, e.g. "handle-scope-pileup" */
	char title[200];       /* one line: what is seen */
	char explanation[900]; /* why it happens and what to look at */
	uint32_t node;         /* the node it is about (a sample, for detached nodes), or UINT32_MAX */
	uint64_t edges;        /* the evidence count (for detached nodes: references into them from outside) */
	double share;          /* of all edges, % */
	uint64_t native_bytes; /* memory outside the JS heap the evidence implies, 0 if none */
	uint64_t nodes;        /* the nodes it is about (detached-dom: how many are detached), 0 if not counted */
};

struct findings {
	size_t count;
	struct finding items[16];
};

void findings_compute(const struct heap_snapshot *s, const struct heap_summary *sum,
		      const struct findings_thresholds *th, struct findings *out);

#endif
