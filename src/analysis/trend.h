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
 * grew. The three-snapshot technique runs alongside, generalised to N:
 * every object of the newest snapshot carries the interval it was created
 * in (its id first seen in snapshot k and present in every snapshot since:
 * V8 keeps an object's id for its life) and the interval it joined its
 * holder group in (a Session that leaves the Map of live sessions but stays
 * in a secondary index joins the index's group then): two 2-byte tags
 * beside the newest digest's sorted ids. The objects created between the first and second
 * snapshot and still alive are the classic leak candidates, grouped by
 * class; trend_accumulation() finds the holder groups (holders.h) that
 * grow in every interval, with their survivors per interval.
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

/*
 * A holder group that grew in every interval after warm-up. Interval j runs
 * from snapshot j-1 to snapshot j (1-based j up to count-1).
 */
struct accumulation {
	uint32_t group, cls;          /* series group and class ids */
	unsigned warmup;              /* first intervals not judged */
	unsigned judged;              /* intervals judged (it grew in every one) */
	unsigned grown;               /* intervals it grew in, warm-up included */
	double growth;                /* objects, end of warm-up to last snapshot */
	double growth_bytes;          /* self size, likewise */
	uint64_t *survivors;          /* [j]: objects in the group at the end that joined it in interval j; [0]: before */
	double survivor_share;        /* joined in judged intervals before the last and still there, over the growth then */
	uint32_t sample_id;           /* a survivor from the earliest judged interval it has one, the newest such */
};

struct trend {
	struct strmap classes;
	struct series_groups holders;   /* holder groups of the whole series */
	size_t count;
	struct snapshot_digest *snaps;
	uint16_t *birth;          /* snapshot in which each id of the newest digest first appeared (and stayed) */
	uint16_t *joined;         /* ... and since which it has been in its holder group */
	size_t candidate_count;   /* objects created between snapshots 1 and 2 and alive since */
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
/* Computes the rows and candidate groups of the series so far; may be called again after more trend_add()s. */
void trend_finish(struct trend *t);
void trend_free(struct trend *t);

/*
 * The holder groups that grew in every interval after the first `warmup`
 * ones, by at least min_growth objects over those intervals, with their
 * class growing by half as much in most of those intervals; newly
 * allocated (free with trend_accumulation_free), largest growth first.
 */
struct accumulation *trend_accumulation(const struct trend *t, unsigned warmup, uint64_t min_growth, size_t *count);
void trend_accumulation_free(struct accumulation *a, size_t count);
/* Objects of group g in snapshot i. */
uint64_t trend_group_count(const struct trend *t, uint32_t g, size_t i);

/* The growth of one series of n values (times may be NULL). */
void growth_fit(const double *values, const double *times, size_t n, struct growth *g);

#endif
