/*
 * trend.h - growth over a series of snapshots of one process.
 *
 * Snapshots are added one at a time, oldest first, and only their digests
 * are kept (digest.h), so a series of multi-GB files needs the memory of
 * one file plus a few bytes per node of the newest digest.
 *
 * For every class (count and size), every GC sub-root (edge count) and the
 * totals, the series gets a least-squares rate per snapshot and per second
 * (from file times) and a steadiness: the share of intervals in which it
 * grew. The three-snapshot technique runs alongside: the objects that
 * appeared between the first and second snapshot and are still alive in
 * every later one are the leak candidates, grouped by class.
 */
#ifndef LH_ANALYSIS_TREND_H
#define LH_ANALYSIS_TREND_H

#include "digest.h"

struct growth {
	double first, last;
	double per_snapshot;      /* least-squares slope over snapshot index */
	double per_second;        /* ... over file time; 0 when times are unknown or equal */
	unsigned increases;       /* intervals in which the value grew */
	unsigned intervals;
};

enum trend_kind { TREND_TOTAL, TREND_ROOT, TREND_CLASS_COUNT, TREND_CLASS_SIZE };

struct trend_row {
	enum trend_kind kind;
	char *name;               /* class, root ("(Strong roots) #2" when repeated) or total */
	uint32_t cls;             /* series class id for class rows */
	double *values;           /* one per snapshot */
	struct growth growth;
};

/* Objects new in the second snapshot and alive in all later ones, of one class. */
struct candidate_group {
	uint32_t cls;
	uint64_t count;
	uint64_t self_size;       /* in the newest snapshot */
	uint32_t example_id;      /* the newest such object */
};

struct trend {
	struct strmap classes;
	size_t count;
	struct snapshot_digest *snaps;
	uint64_t *candidates;     /* keys (id << 32 | fingerprint) new in snapshot 2 and alive since, sorted */
	size_t candidate_count;
	size_t group_count;
	struct candidate_group *groups;   /* by count, descending */
	size_t row_count;
	struct trend_row *rows;
};

/*
 * Adds the next snapshot of the series. Fails (err set) when it is not a
 * later snapshot of the same process as the previous one.
 */
bool trend_add(struct trend *t, const struct heap_snapshot *s, const char *path, struct lh_error *err);
/* Computes the rows and candidate groups; call after the last trend_add(). */
void trend_finish(struct trend *t);
void trend_free(struct trend *t);

/* The growth of one series of n values (times may be NULL). */
void growth_fit(const double *values, const double *times, size_t n, struct growth *g);

#endif
