/*
 * trend.c - series, rates and three-snapshot leak candidates (trend.h).
 */
#include "trend.h"

void growth_fit(const double *values, const double *times, size_t n, struct growth *g)
{
	memset(g, 0, sizeof(*g));
	if (!n)
		return;
	g->first = values[0];
	g->last = values[n - 1];
	g->intervals = (unsigned)(n - 1);
	for (size_t i = 1; i < n; i++)
		g->increases += values[i] > values[i - 1];
	double mx = (double)(n - 1) / 2, my = 0, sxy = 0, sxx = 0;
	for (size_t i = 0; i < n; i++)
		my += values[i] / (double)n;
	for (size_t i = 0; i < n; i++) {
		sxy += ((double)i - mx) * (values[i] - my);
		sxx += ((double)i - mx) * ((double)i - mx);
	}
	g->per_snapshot = sxx > 0 ? sxy / sxx : 0;
	if (!times)
		return;
	double mt = 0, sty = 0, stt = 0;
	for (size_t i = 0; i < n; i++)
		mt += times[i] / (double)n;
	for (size_t i = 0; i < n; i++) {
		sty += (times[i] - mt) * (values[i] - my);
		stt += (times[i] - mt) * (times[i] - mt);
	}
	g->per_second = stt > 1e-9 ? sty / stt : 0;
}

/*
 * Creation and joining tags of digest d's ids from those of t's newest: an
 * id also there (the same key: id and fingerprint, so not a dead object's
 * reused id) keeps its creation tag, and its joining tag if its group is
 * the same; a new one gets `index` for both. One merge of two sorted arrays.
 */
static void carry_tags(struct trend *t, const struct snapshot_digest *d)
{
	const struct snapshot_digest *prev = t->count ? &t->snaps[t->count - 1] : NULL;
	uint16_t *birth = lh_malloc(LH_MAX(d->id_count, 1) * sizeof(uint16_t));
	uint16_t *joined = lh_malloc(LH_MAX(d->id_count, 1) * sizeof(uint16_t));
	uint16_t tag = (uint16_t)LH_MIN(t->count, UINT16_MAX);
	size_t i = 0;
	for (size_t j = 0; j < d->id_count; j++) {
		while (prev && i < prev->id_count && prev->ids[i] < d->ids[j])
			i++;
		bool kept = prev && i < prev->id_count && prev->ids[i] == d->ids[j];
		birth[j] = kept ? t->birth[i] : tag;
		joined[j] = kept && prev->id_group[i] == d->id_group[j] ? t->joined[i] : tag;
	}
	free(t->birth);
	free(t->joined);
	t->birth = birth;
	t->joined = joined;
}

bool trend_add(struct trend *t, const struct heap_snapshot *s, const char *path, struct lh_error *err)
{
	struct snapshot_digest d;
	digest_build(&d, s, path, &t->classes, &t->holders);
	struct snapshot_digest *prev = t->count ? &t->snaps[t->count - 1] : NULL;
	if (prev && !digest_same_process(prev, &d, err)) {
		digest_free(&d);
		return false;
	}
	carry_tags(t, &d);
	/* Only the newest digest's ids are needed from here on. */
	if (prev)
		digest_drop_ids(prev);
	t->snaps = lh_realloc_array(t->snaps, t->count + 1, sizeof(*t->snaps));
	t->snaps[t->count++] = d;
	return true;
}

static int by_candidate_count(const void *a, const void *b)
{
	const struct candidate_group *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->cls < y->cls ? -1 : x->cls > y->cls;
}

static void group_candidates(struct trend *t)
{
	const struct snapshot_digest *last = &t->snaps[t->count - 1];
	size_t classes = t->classes.count;
	struct candidate_group *g = lh_calloc(LH_MAX(classes, 1), sizeof(*g));
	for (size_t i = 0; i < last->id_count; i++) {
		if (t->birth[i] != 1)
			continue;
		uint32_t id = (uint32_t)(last->ids[i] >> 32);
		struct candidate_group *grp = &g[last->id_class[i]];
		grp->cls = last->id_class[i];
		grp->count++;
		t->candidate_count++;
		grp->example_id = LH_MAX(grp->example_id, id);
	}
	size_t n = 0;
	for (size_t c = 0; c < classes; c++)
		if (g[c].count)
			g[n++] = g[c];
	qsort(g, n, sizeof(*g), by_candidate_count);
	t->groups = g;
	t->group_count = n;
}

static struct trend_row *add_row(struct trend *t, size_t *cap, enum trend_kind kind, const char *name, uint32_t cls)
{
	lh_grow((void **)&t->rows, cap, t->row_count + 1, sizeof(*t->rows));
	struct trend_row *r = &t->rows[t->row_count++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->name = lh_strdup(name);
	r->cls = cls;
	r->values = lh_calloc(t->count, sizeof(double));
	return r;
}

static void build_rows(struct trend *t)
{
	size_t cap = 0;
	static const char *const totals[] = { "nodes", "edges", "self size", "detached nodes", "string bytes" };
	for (size_t k = 0; k < LH_ARRAY_LEN(totals); k++) {
		struct trend_row *r = add_row(t, &cap, TREND_TOTAL, totals[k], 0);
		for (size_t i = 0; i < t->count; i++) {
			const struct snapshot_digest *d = &t->snaps[i];
			const uint64_t v[] = { d->nodes, d->edges, d->self_size, d->detached_count, d->string_size };
			r->values[i] = (double)v[k];
		}
	}
	/* GC sub-roots, by name and occurrence ("(Strong roots)" appears twice). */
	const struct snapshot_digest *first = &t->snaps[0];
	for (size_t k = 0; k < first->root_count; k++) {
		size_t nth = 0;
		for (size_t j = 0; j < k; j++)
			nth += !strcmp(first->root_names[j], first->root_names[k]);
		char name[200];
		snprintf(name, sizeof(name), nth ? "%s #%zu" : "%s", first->root_names[k], nth + 1);
		struct trend_row *r = add_row(t, &cap, TREND_ROOT, name, 0);
		for (size_t i = 0; i < t->count; i++)
			r->values[i] = (double)digest_root_edges(&t->snaps[i], first->root_names[k], nth);
	}
	for (uint32_t c = 0; c < t->classes.count; c++) {
		add_row(t, &cap, TREND_CLASS_COUNT, t->classes.names[c], c);
		/* add_row may move the rows: take both pointers after the second call */
		struct trend_row *size = add_row(t, &cap, TREND_CLASS_SIZE, t->classes.names[c], c), *count = size - 1;
		for (size_t i = 0; i < t->count; i++) {
			const struct snapshot_digest *d = &t->snaps[i];
			bool has = c < d->class_len;
			count->values[i] = has ? (double)d->classes[c].count : 0;
			size->values[i] = has ? (double)d->classes[c].self_size : 0;
		}
	}
	double *times = lh_malloc(t->count * sizeof(double));
	bool timed = true;
	for (size_t i = 0; i < t->count; i++) {
		times[i] = t->snaps[i].time;
		timed &= times[i] > 0;
	}
	for (size_t i = 0; i < t->row_count; i++)
		growth_fit(t->rows[i].values, timed ? times : NULL, t->count, &t->rows[i].growth);
	free(times);
}

/* The rows and groups of an earlier trend_finish(): watch finishes the series after each snapshot. */
static void drop_results(struct trend *t)
{
	for (size_t i = 0; i < t->row_count; i++) {
		free(t->rows[i].name);
		free(t->rows[i].values);
	}
	free(t->rows);
	free(t->groups);
	t->rows = NULL;
	t->groups = NULL;
	t->row_count = t->group_count = t->candidate_count = 0;
}

void trend_finish(struct trend *t)
{
	drop_results(t);
	if (t->count >= 2)
		group_candidates(t);
	build_rows(t);
}

void trend_free(struct trend *t)
{
	for (size_t i = 0; i < t->count; i++)
		digest_free(&t->snaps[i]);
	free(t->snaps);
	drop_results(t);
	free(t->birth);
	free(t->joined);
	strmap_free(&t->classes);
	series_groups_free(&t->holders);
	memset(t, 0, sizeof(*t));
}

uint64_t trend_group_count(const struct trend *t, uint32_t g, size_t i)
{
	const struct snapshot_digest *d = &t->snaps[i];
	return g < d->group_len ? d->groups[g].count : 0;
}

static uint64_t group_bytes(const struct trend *t, uint32_t g, size_t i)
{
	const struct snapshot_digest *d = &t->snaps[i];
	return g < d->group_len ? d->groups[g].self_size : 0;
}

static uint64_t class_count(const struct trend *t, uint32_t cls, size_t i)
{
	const struct snapshot_digest *d = &t->snaps[i];
	return cls < d->class_len ? d->classes[cls].count : 0;
}

/*
 * Whether group g grew in every interval after warm-up, by min_growth in
 * all, and its class with it in most of those intervals (by half the
 * group's growth at least: objects that only move from one holder to
 * another, a pool's connections between its busy set and its free list, add
 * nothing to their class); fills the counts of a.
 */
static bool grows_steadily(const struct trend *t, uint32_t g, unsigned warmup, uint64_t min_growth, struct accumulation *a)
{
	size_t last = t->count - 1;
	uint32_t cls = t->holders.cls[g];
	unsigned backed = 0;
	memset(a, 0, sizeof(*a));
	for (size_t j = 1; j <= last; j++) {
		double dg = (double)trend_group_count(t, g, j) - (double)trend_group_count(t, g, j - 1);
		double dc = (double)class_count(t, cls, j) - (double)class_count(t, cls, j - 1);
		if (j > warmup && dg <= 0)
			return false;
		a->grown += dg > 0;
		backed += j > warmup && 2 * dc >= dg;
	}
	if (2 * backed <= last - warmup)
		return false;
	a->growth = (double)trend_group_count(t, g, last) - (double)trend_group_count(t, g, warmup);
	if (a->growth < (double)LH_MAX(min_growth, 1))
		return false;
	a->group = g;
	a->cls = cls;
	a->warmup = warmup;
	a->judged = (unsigned)(last - warmup);
	a->growth_bytes = (double)group_bytes(t, g, last) - (double)group_bytes(t, g, warmup);
	return true;
}

/* Survivors per creation interval and a sample, in one pass over the newest digest's ids. */
static void count_survivors(const struct trend *t, struct accumulation *a, size_t count)
{
	const struct snapshot_digest *last = &t->snaps[t->count - 1];
	uint32_t *slot = lh_malloc(LH_MAX(t->holders.count, 1) * sizeof(uint32_t));
	memset(slot, 0xff, LH_MAX(t->holders.count, 1) * sizeof(uint32_t));
	for (size_t k = 0; k < count; k++) {
		slot[a[k].group] = (uint32_t)k;
		a[k].survivors = lh_calloc(t->count, sizeof(uint64_t));
	}
	unsigned *sample_birth = lh_calloc(LH_MAX(count, 1), sizeof(unsigned));
	for (size_t i = 0; i < last->id_count; i++) {
		uint32_t k = slot[last->id_group[i]];
		if (k == UINT32_MAX)
			continue;
		unsigned b = LH_MIN(t->joined[i], t->count - 1);
		a[k].survivors[b]++;
		/* ids are sorted: the last one seen from the earliest judged birth interval is the newest */
		if (b > a[k].warmup && (!a[k].sample_id || b <= sample_birth[k])) {
			a[k].sample_id = (uint32_t)(last->ids[i] >> 32);
			sample_birth[k] = b;
		}
	}
	for (size_t k = 0; k < count; k++) {
		/* Intervals whose objects had a later snapshot to survive into; the last interval alone when none. */
		size_t from = a[k].warmup + 1, to = LH_MAX(t->count - 2, from);
		double survived = 0, grew = 0;
		for (size_t j = from; j <= to; j++) {
			survived += (double)a[k].survivors[j];
			grew += (double)trend_group_count(t, a[k].group, j) - (double)trend_group_count(t, a[k].group, j - 1);
		}
		a[k].survivor_share = grew > 0 ? survived / grew : 0;
	}
	free(sample_birth);
	free(slot);
}

static int by_accumulated(const void *x, const void *y)
{
	const struct accumulation *a = x, *b = y;
	if (a->growth != b->growth)
		return a->growth < b->growth ? 1 : -1;
	return (a->group > b->group) - (a->group < b->group);
}

struct accumulation *trend_accumulation(const struct trend *t, unsigned warmup, uint64_t min_growth, size_t *count)
{
	*count = 0;
	if (t->count < 3 || warmup + 2 > t->count)
		return NULL;
	size_t cap = 0, n = 0;
	struct accumulation *a = NULL, one;
	for (uint32_t g = 0; g < t->holders.count; g++) {
		if (!grows_steadily(t, g, warmup, min_growth, &one))
			continue;
		lh_grow((void **)&a, &cap, n + 1, sizeof(*a));
		a[n++] = one;
	}
	if (n) {
		count_survivors(t, a, n);
		qsort(a, n, sizeof(*a), by_accumulated);
	}
	*count = n;
	return a;
}

void trend_accumulation_free(struct accumulation *a, size_t count)
{
	for (size_t k = 0; k < count; k++)
		free(a[k].survivors);
	free(a);
}
