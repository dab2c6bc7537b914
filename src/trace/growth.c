/*
 * growth.c - see growth.h.
 *
 * Stacks only have samples where their counters changed, so the sums the
 * least-squares slope needs are taken run by run: a stack holds value y
 * from snapshot a up to (not including) b, contributing y*(b-a) to Σy and
 * y*(X[b]-X[a]) to Σxy, with X the prefix sums of snapshot times. That is
 * O(samples) per stack, not O(snapshots).
 */
#include "growth.h"

#include "../common/strmap.h"

/* A window [first, end) of the snapshots, with the sums a least-squares slope over it needs. */
struct window {
	size_t first, end;
	double sx, sxx;
};

struct series {
	size_t n;
	double *x_prefix;   /* x_prefix[i] = sum of times (s) of snapshots < i */
	struct window all, late;
};

static void window_init(struct window *w, const struct trace *t, size_t first, size_t end)
{
	w->first = first;
	w->end = end;
	w->sx = w->sxx = 0;
	for (size_t i = first; i < end; i++) {
		double x = (double)t->snapshots[i].time_ns / 1e9;
		w->sx += x;
		w->sxx += x * x;
	}
}

/* The last third of the run by time, without a normal exit's final snapshot; GROWTH_LATE_MIN snapshots at least. */
static void late_window(const struct trace *t, size_t *first, size_t *end)
{
	size_t n = t->snapshot_count;
	*end = t->complete && n > GROWTH_LATE_MIN + 1 ? n - 1 : n;
	uint64_t t0 = t->snapshots[0].time_ns, t1 = t->snapshots[*end - 1].time_ns;
	uint64_t from = t1 - (t1 - t0) / 3;
	size_t i = *end;
	while (i > 0 && (t->snapshots[i - 1].time_ns >= from || *end - i < GROWTH_LATE_MIN))
		i--;
	*first = i;
}

static void series_init(struct series *s, const struct trace *t)
{
	s->n = t->snapshot_count;
	s->x_prefix = lh_calloc(s->n + 1, sizeof(double));
	for (size_t i = 0; i < s->n; i++)
		s->x_prefix[i + 1] = s->x_prefix[i] + (double)t->snapshots[i].time_ns / 1e9;
	window_init(&s->all, t, 0, s->n);
	size_t first, end;
	late_window(t, &first, &end);
	window_init(&s->late, t, first, end);
}

/*
 * The slope of a stack's live bytes over window w. Its samples are runs: a
 * value y from snapshot a up to the next sample's snapshot, each clipped to
 * the window (the run before the window's first sample still holds there).
 */
static double window_slope(const struct trace_stack *st, const struct series *ser, const struct window *w)
{
	double sy = 0, sxy = 0;
	for (size_t i = 0; i < st->sample_count; i++) {
		const struct trace_sample *a = &st->samples[i];
		size_t begin = LH_MAX(a->snapshot, w->first);
		size_t end = LH_MIN(i + 1 < st->sample_count ? st->samples[i + 1].snapshot : ser->n, w->end);
		if (begin >= end)
			continue;
		double y = (double)a->live_bytes;
		sy += y * (double)(end - begin);
		sxy += y * (ser->x_prefix[end] - ser->x_prefix[begin]);
	}
	double n = (double)(w->end - w->first), den = n * w->sxx - w->sx * w->sx;
	return w->end - w->first >= 2 && den > 1e-12 ? (n * sxy - w->sx * sy) / den : 0;
}

static void stack_counts(const struct trace *t, const struct series *ser, uint32_t id, size_t peak,
			 struct growth_counts *c)
{
	const struct trace_stack *st = &t->stacks[id];
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < st->sample_count; i++) {
		const struct trace_sample *a = &st->samples[i];
		size_t end = i + 1 < st->sample_count ? st->samples[i + 1].snapshot : ser->n;
		if (a->snapshot <= peak && peak < end) {
			c->peak_bytes = a->live_bytes;
			c->peak_blocks = a->live_blocks;
		}
	}
	c->slope = window_slope(st, ser, &ser->all);
	c->late_slope = window_slope(st, ser, &ser->late);
	if (st->sample_count) {
		const struct trace_sample *last = &st->samples[st->sample_count - 1];
		c->live_bytes = last->live_bytes;
		c->live_blocks = last->live_blocks;
		c->allocs = last->allocs;
		c->frees = last->frees;
		c->temporaries = last->temporaries;
		c->alloc_bytes = last->alloc_bytes;
		int64_t first = st->samples[0].snapshot == 0 ? st->samples[0].live_bytes : 0;
		c->growth_bytes = c->live_bytes - first;
	}
}

static void counts_add(struct growth_counts *to, const struct growth_counts *c)
{
	to->live_bytes += c->live_bytes;
	to->live_blocks += c->live_blocks;
	to->peak_bytes += c->peak_bytes;
	to->peak_blocks += c->peak_blocks;
	to->growth_bytes += c->growth_bytes;
	to->slope += c->slope;
	to->late_slope += c->late_slope;
	to->allocs += c->allocs;
	to->frees += c->frees;
	to->temporaries += c->temporaries;
	to->alloc_bytes += c->alloc_bytes;
}

enum growth_trend growth_trend(const struct growth_counts *c)
{
	if (c->late_slope >= GROWTH_MIN_RATE && c->late_slope * 4 >= c->slope)
		return GROWTH_SUSTAINED;
	return c->slope >= GROWTH_MIN_RATE ? GROWTH_STOPPED : GROWTH_FLAT;
}

const char *growth_trend_name(enum growth_trend trend)
{
	static const char *const names[] = { "flat", "stopped", "growing" };
	return names[trend];
}

/* Slopes within GROWTH_MIN_RATE are a tie. */
static int slope_rank(double a, double b)
{
	return a > b + GROWTH_MIN_RATE ? -1 : b > a + GROWTH_MIN_RATE ? 1 : 0;
}

static int counts_rank(const struct growth_counts *a, const struct growth_counts *b)
{
	/* Sustained growth first, by its late slope; then the rest, by the whole run's. */
	bool sa = growth_trend(a) == GROWTH_SUSTAINED, sb = growth_trend(b) == GROWTH_SUSTAINED;
	if (sa != sb)
		return sa ? -1 : 1;
	int r = sa ? slope_rank(a->late_slope, b->late_slope) : 0;
	if (!r)
		r = slope_rank(a->slope, b->slope);
	if (r)
		return r;
	if (a->live_bytes != b->live_bytes)
		return a->live_bytes > b->live_bytes ? -1 : 1;
	if (a->allocs != b->allocs)
		return a->allocs > b->allocs ? -1 : 1;
	return 0;
}

static int site_cmp(const void *x, const void *y)
{
	const struct growth_site *a = x, *b = y;
	int r = counts_rank(&a->c, &b->c);
	return r ? r : (a->site_address > b->site_address) - (a->site_address < b->site_address);
}

static int stack_cmp(const void *x, const void *y)
{
	const struct growth_stack *a = x, *b = y;
	int r = counts_rank(&a->c, &b->c);
	return r ? r : (a->id > b->id) - (a->id < b->id);
}

/* The site frame of a stack and the key that groups it. */
static void site_of(const struct trace_stack *st, struct symbolizer *sym, uint32_t *depth,
		    const struct sym_frame **frame, char *key, size_t key_size)
{
	uint32_t i = 0;
	while (i < st->frame_count && symbolizer_is_runtime(sym, st->frames[i]))
		i++;
	if (i == st->frame_count)
		i = 0; /* all runtime (libc allocating for itself): the innermost frame */
	*depth = i;
	if (st->frame_count == 0) {
		*frame = NULL;
		snprintf(key, key_size, "(no stack)");
		return;
	}
	const struct sym_frame *f = symbolizer_lookup(sym, st->frames[i]);
	*frame = f;
	if (f->function && f->file)
		snprintf(key, key_size, "%s\t%s:%u", f->function, f->file, f->line);
	else if (f->function)
		snprintf(key, key_size, "%s\t%s", f->function, f->module ? f->module : "?");
	else
		snprintf(key, key_size, "%s+%#llx", f->module ? f->module : "?", (unsigned long long)f->module_offset);
}

struct growth *growth_compute(const struct trace *t, struct symbolizer *sym)
{
	struct growth *g = lh_calloc(1, sizeof(*g));
	g->trace = t;
	for (size_t i = 1; i < t->snapshot_count; i++)
		if (t->snapshots[i].live_bytes > t->snapshots[g->peak_snapshot].live_bytes)
			g->peak_snapshot = i;
	g->duration_s = (double)(t->snapshots[t->snapshot_count - 1].time_ns - t->snapshots[0].time_ns) / 1e9;
	struct series ser;
	series_init(&ser, t);
	g->late_first = ser.late.first;
	g->late_end = ser.late.end;

	struct strmap keys = { 0 };
	size_t sites_cap = 0;
	size_t *stacks_cap = NULL;
	char key[1024];
	for (uint32_t id = 0; id < t->stack_count; id++) {
		const struct trace_stack *st = &t->stacks[id];
		if (!st->sample_count)
			continue;
		const struct sym_frame *frame = NULL;
		uint32_t depth = 0;
		if (id == 0)
			snprintf(key, sizeof(key), "(stack table full)");
		else
			site_of(st, sym, &depth, &frame, key, sizeof(key));
		uint32_t si = strmap_intern(&keys, key);
		if (si == g->site_count) {
			lh_grow((void **)&g->sites, &sites_cap, si + 1, sizeof(*g->sites));
			size_t old_cap = sites_cap;
			stacks_cap = lh_realloc_array(stacks_cap, old_cap, sizeof(*stacks_cap));
			memset(&g->sites[si], 0, sizeof(g->sites[si]));
			stacks_cap[si] = 0;
			g->sites[si].site = frame;
			g->sites[si].table_full = id == 0;
			g->sites[si].site_depth = depth;
			g->sites[si].site_address = frame && st->frame_count ? st->frames[depth] : 0;
			g->site_count++;
		}
		struct growth_site *site = &g->sites[si];
		lh_grow((void **)&site->stacks, &stacks_cap[si], site->stack_count + 1, sizeof(*site->stacks));
		struct growth_stack *gs = &site->stacks[site->stack_count++];
		gs->id = id;
		stack_counts(t, &ser, id, g->peak_snapshot, &gs->c);
		counts_add(&site->c, &gs->c);
	}
	for (size_t i = 0; i < g->site_count; i++)
		qsort(g->sites[i].stacks, g->sites[i].stack_count, sizeof(struct growth_stack), stack_cmp);
	if (g->site_count) /* a trace with no allocation at all has no array to sort */
		qsort(g->sites, g->site_count, sizeof(*g->sites), site_cmp);
	free(stacks_cap);
	strmap_free(&keys);
	free(ser.x_prefix);
	return g;
}

void growth_free(struct growth *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->site_count; i++)
		free(g->sites[i].stacks);
	free(g->sites);
	free(g);
}
