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
 * Keys are id << 32 | fingerprint of (type, name): comparing whole keys
 * tells a surviving object from a new one that V8 gave a dead object's id.
 */

/* Keeps, of sorted keys a (n of them), those also in digest d; returns the new count. */
static size_t keep_alive(uint64_t *a, size_t n, const struct snapshot_digest *d)
{
	size_t kept = 0, j = 0;
	for (size_t i = 0; i < n; i++) {
		while (j < d->id_count && d->ids[j] < a[i])
			j++;
		if (j < d->id_count && d->ids[j] == a[i])
			a[kept++] = a[i];
	}
	return kept;
}

/* The keys of b not in a, sorted. */
static uint64_t *new_ids(const struct snapshot_digest *a, const struct snapshot_digest *b, size_t *count)
{
	uint64_t *out = lh_malloc(LH_MAX(b->id_count, 1) * sizeof(uint64_t));
	size_t n = 0, i = 0;
	for (size_t j = 0; j < b->id_count; j++) {
		while (i < a->id_count && a->ids[i] < b->ids[j])
			i++;
		if (i == a->id_count || a->ids[i] != b->ids[j])
			out[n++] = b->ids[j];
	}
	*count = n;
	return out;
}

bool trend_add(struct trend *t, const struct heap_snapshot *s, const char *path, struct lh_error *err)
{
	struct snapshot_digest d;
	digest_build(&d, s, path, &t->classes);
	if (t->count) {
		struct snapshot_digest *prev = &t->snaps[t->count - 1];
		if (!digest_same_process(prev, &d, err)) {
			digest_free(&d);
			return false;
		}
		if (t->count == 1) {
			t->candidates = new_ids(prev, &d, &t->candidate_count);
		} else {
			t->candidate_count = keep_alive(t->candidates, t->candidate_count, &d);
		}
		/* Only the newest digest's ids are needed from here on. */
		digest_drop_ids(prev);
	}
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
	for (size_t i = 0; i < t->candidate_count; i++) {
		uint32_t id = (uint32_t)(t->candidates[i] >> 32);
		size_t at = digest_find(last, id);
		if (at == SIZE_MAX)
			continue;
		struct candidate_group *grp = &g[last->id_class[at]];
		grp->cls = last->id_class[at];
		grp->count++;
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

void trend_finish(struct trend *t)
{
	if (t->count >= 2)
		group_candidates(t);
	build_rows(t);
}

void trend_free(struct trend *t)
{
	for (size_t i = 0; i < t->count; i++)
		digest_free(&t->snaps[i]);
	free(t->snaps);
	for (size_t i = 0; i < t->row_count; i++) {
		free(t->rows[i].name);
		free(t->rows[i].values);
	}
	free(t->rows);
	free(t->candidates);
	free(t->groups);
	strmap_free(&t->classes);
	memset(t, 0, sizeof(*t));
}
