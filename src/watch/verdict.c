/*
 * verdict.c - a watch directory read back (watch.h): the timeline joined
 * with the native trace, RSS growth split into parts, and what they mean.
 *
 * Parts of one sample, disjoint by construction:
 *   js-heap             V8's used heap
 *   js-heap-free        V8's resident heap pages (total_physical_size) minus used
 *   array-buffers       process.memoryUsage().external (ArrayBuffer backing
 *                       stores, external strings), no more than malloc holds:
 *                       Node mallocs backing stores, so they are inside malloc's
 *                       bytes and come out of native-malloc here
 *   native-malloc       bytes glibc has in use (live blocks with their chunk
 *                       overhead and the tracker's headers; the trace's live
 *                       bytes when glibc's totals are missing) minus array-buffers
 *   allocator-retained  free bytes glibc holds (mallinfo2's fordblks)
 *   code, stacks, files, other: resident file and special mappings (session.c);
 *                       other also holds what watching costs: the tracker's
 *                       tables, and V8's heap profiler state (its map of
 *                       object ids, kept from the first snapshot on, which
 *                       malloc holds: it is taken out of native-malloc)
 * What is left of RSS growth is unexplained: memory no part counts
 * (anonymous mmaps of the program or its libraries, the tracker's own
 * tables) and the difference between committed and resident bytes (a
 * malloc'd block that was never written counts in malloc's bytes but not
 * in RSS).
 *
 * The native trace is written on its own clock, once per interval: its
 * values are interpolated to each sample's time.
 *
 * A part is said to grow when its floor grows: the least value of the last
 * third of the window against the least of the first third, so the
 * saw-tooth of a garbage-collected heap, which peaks wherever the window
 * happens to end, is not taken for growth. A leak suspected is a leaking
 * kind of part (js-heap, array-buffers, native-malloc, stacks, code) whose
 * floor grew by min_growth; allocator retention and a larger free heap are
 * reported, not suspected.
 */
#include "watch.h"

#include "../common/format.h"
#include "../trace/growth.h"

#include <errno.h>

const char *const watch_part_names[PART_COUNT] = {
	"js-heap", "js-heap-free", "array-buffers", "native-malloc", "allocator-retained",
	"code",    "stacks",       "files",         "other",
};

/* MARK: - Reading the directory */

/* The whole of dir/name, NUL-terminated; NULL when it does not exist (err set for other failures). */
static char *slurp(const char *dir, const char *name, size_t *size, struct lh_error *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno != ENOENT)
			lh_error_at(err, LH_NO_OFFSET, "cannot read %s: %s", name, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = lh_malloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0)
			buf = lh_realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[n] = 0;
	if (size)
		*size = n;
	return buf;
}

/* The value of "key=" in key=value lines, copied into out; false when missing. */
static bool info_value(const char *text, const char *key, char *out, size_t size)
{
	size_t k = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, k) && p[k] == '=') {
			size_t n = strcspn(p + k + 1, "\n");
			snprintf(out, size, "%.*s", (int)n, p + k + 1);
			return true;
		}
	}
	return false;
}

static double info_number(const char *text, const char *key, double fallback)
{
	char v[64];
	return info_value(text, key, v, sizeof(v)) ? strtod(v, NULL) : fallback;
}

/* Splits a line at tabs in place; returns the field count (at most max). */
static size_t split_tabs(char *line, char **fields, size_t max)
{
	size_t n = 0;
	while (n < max) {
		fields[n++] = line;
		char *tab = strchr(line, '\t');
		if (!tab)
			break;
		*tab = 0;
		line = tab + 1;
	}
	return n;
}

/* Calls fn on each complete line of text (a cut-short last line is left out: the writer was killed). */
static bool each_line(char *text, bool (*fn)(void *ctx, char *line, uint64_t off, struct lh_error *err), void *ctx,
		      struct lh_error *err)
{
	char *p = text;
	char *nl;
	while ((nl = strchr(p, '\n'))) {
		*nl = 0;
		if (*p && !fn(ctx, p, (uint64_t)(p - text), err))
			return false;
		p = nl + 1;
	}
	return true;
}

struct raw_row {
	double t_s, unix_s;
	int64_t rss, code, files, stacks, other;
	bool v8;
	int64_t heap_used, heap_physical, heap_total, external, array_buffers, js_code;
};

struct rows {
	struct raw_row *items;
	size_t count, cap;
};

static bool add_timeline_row(void *ctx, char *line, uint64_t off, struct lh_error *err)
{
	struct rows *r = ctx;
	char *f[16];
	if (split_tabs(line, f, 16) != 14)
		return lh_error_at(err, off, "timeline.tsv: a row without its 14 fields");
	long long v[12];
	for (int i = 0; i < 12; i++) {
		char *end;
		errno = 0;
		v[i] = strtoll(f[i + 2], &end, 10);
		if (errno || end == f[i + 2] || *end)
			return lh_error_at(err, off, "timeline.tsv: field %d is not a number: '%.40s'", i + 3, f[i + 2]);
	}
	lh_grow((void **)&r->items, &r->cap, r->count + 1, sizeof(*r->items));
	r->items[r->count++] = (struct raw_row){ strtod(f[0], NULL), strtod(f[1], NULL), v[0], v[1], v[2], v[3], v[4],
						 v[5] != 0, v[6], v[7], v[8], v[9], v[10], v[11] };
	return true;
}

static bool add_snapshot_row(void *ctx, char *line, uint64_t off, struct lh_error *err)
{
	(void)off, (void)err;
	struct watch_verdict *v = ctx;
	char *f[6];
	size_t n = split_tabs(line, f, 6);
	if (!strcmp(f[0], "begin") && n >= 4) {
		v->snapshots = lh_realloc_array(v->snapshots, v->snapshot_count + 1, sizeof(*v->snapshots));
		struct watch_snapshot *s = &v->snapshots[v->snapshot_count++];
		memset(s, 0, sizeof(*s));
		s->t_s = strtod(f[1], NULL);
		s->nodes = strtoull(f[2], NULL, 10);
		s->self_size = strtoull(f[3], NULL, 10);
		snprintf(s->file, sizeof(s->file), "%s", n > 4 ? f[4] : "");
		s->ok = true;
	} else if (!strcmp(f[0], "end") && n >= 3 && v->snapshot_count) {
		v->snapshots[v->snapshot_count - 1].pause_ms = strtod(f[2], NULL);
	}
	return true;
}

/* MARK: - js.tsv */

struct js_finding {
	char id[40], title[300], evidence[500], explanation[1000], path[2000];
	char cls[200], holder[300];   /* accumulation findings: the class leaked and what holds it */
	double growth;
};

struct js_side {
	struct js_finding *findings;
	size_t finding_count;
	struct watch_verdict *v;
	double handle_edges_growth;   /* (Handle scope), last - first snapshot */
};

static bool add_js_row(void *ctx, char *line, uint64_t off, struct lh_error *err)
{
	(void)off, (void)err;
	struct js_side *js = ctx;
	char *f[10];
	size_t n = split_tabs(line, f, 10);
	if (!strcmp(f[0], "finding") && n == 9) {
		js->findings = lh_realloc_array(js->findings, js->finding_count + 1, sizeof(*js->findings));
		struct js_finding *x = &js->findings[js->finding_count++];
		snprintf(x->id, sizeof(x->id), "%s", f[1]);
		x->growth = strtod(f[2], NULL);
		snprintf(x->title, sizeof(x->title), "%s", f[3]);
		snprintf(x->evidence, sizeof(x->evidence), "%s", f[4]);
		snprintf(x->explanation, sizeof(x->explanation), "%s", f[5]);
		snprintf(x->path, sizeof(x->path), "%s", f[6]);
		snprintf(x->cls, sizeof(x->cls), "%s", f[7]);
		snprintf(x->holder, sizeof(x->holder), "%s", f[8]);
	} else if (!strcmp(f[0], "class") && n == 6) {
		struct watch_verdict *v = js->v;
		v->classes = lh_realloc_array(v->classes, v->class_count + 1, sizeof(*v->classes));
		struct watch_js_class *c = &v->classes[v->class_count++];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", f[1]);
		c->count_first = strtod(f[2], NULL);
		c->count_last = strtod(f[3], NULL);
		c->size_first = strtod(f[4], NULL);
		c->size_last = strtod(f[5], NULL);
	} else if (!strcmp(f[0], "root") && n == 4 && !strcmp(f[1], "(Handle scope)")) {
		js->handle_edges_growth = strtod(f[3], NULL) - strtod(f[2], NULL);
	}
	return true;
}

static int by_class_growth(const void *a, const void *b)
{
	const struct watch_js_class *x = a, *y = b;
	double gx = x->size_last - x->size_first, gy = y->size_last - y->size_first;
	return gx < gy ? 1 : gx > gy ? -1 : 0;
}

/* MARK: - Joining the native trace */

struct native_point {
	int64_t live, in_use, free;
	int64_t profiler;             /* live bytes V8's heap profiler holds for the snapshots */
	bool allocator;
};

/*
 * The cost of watching, inside the program's malloc: V8's heap profiler
 * keeps a map of object ids (for ids stable across snapshots) that grows
 * with the heap from the first snapshot on. Its stacks pass through the
 * profiler's classes or writeHeapSnapshot.
 */
static bool is_profiler_stack(const struct watch_verdict *v, const struct trace *t, struct symbolizer *sym,
			      uint32_t id)
{
	static const char *const marks[] = { "HeapProfiler", "HeapObjectsMap", "HeapSnapshot", "HeapExplorer",
					     "writeHeapSnapshot" };
	const struct trace_stack *st = &t->stacks[id];
	/* Symbolizing every stack is slow: only stacks that changed during a snapshot's pause can be the profiler's. */
	bool during = false;
	double base = (double)t->start_unix_ns / 1e9 - v->start_unix;
	for (size_t k = 0; k < st->sample_count && !during; k++) {
		double at = base + (double)t->snapshots[st->samples[k].snapshot].time_ns / 1e9;
		for (size_t i = 0; i < v->snapshot_count && !during; i++)
			during = at >= v->snapshots[i].t_s &&
				 at <= v->snapshots[i].t_s + v->snapshots[i].pause_ms / 1000 + 1.5 * v->interval_s;
	}
	for (uint32_t k = 0; during && k < st->frame_count; k++) {
		const struct sym_frame *f = symbolizer_lookup(sym, st->frames[k]);
		for (size_t m = 0; f->function && m < LH_ARRAY_LEN(marks); m++)
			if (strstr(f->function, marks[m]))
				return true;
	}
	return false;
}

/* Per trace snapshot, the live bytes of the profiler's stacks (flags[id] set). */
static int64_t *profiler_bytes(const struct trace *t, const bool *flags)
{
	int64_t *out = lh_calloc(LH_MAX(t->snapshot_count, 1), sizeof(*out));
	for (uint32_t id = 0; id < t->stack_count; id++) {
		const struct trace_stack *st = &t->stacks[id];
		for (size_t k = 0; flags[id] && k < st->sample_count; k++) {
			size_t until = k + 1 < st->sample_count ? st->samples[k + 1].snapshot : t->snapshot_count;
			for (size_t j = st->samples[k].snapshot; j < until; j++)
				out[j] += st->samples[k].live_bytes;
		}
	}
	return out;
}

/* The native values at unix time t, interpolated between the trace's snapshots; false outside them. */
static bool native_at(const struct trace *t, const int64_t *profiler, double at, double slack, struct native_point *out)
{
	size_t n = t->snapshot_count;
	double base = (double)t->start_unix_ns / 1e9;
	size_t i = 0;
	while (i < n && base + (double)t->snapshots[i].time_ns / 1e9 <= at)
		i++;
	if (i == 0)
		return false;
	const struct trace_snapshot *a = &t->snapshots[i - 1], *b = i < n ? &t->snapshots[i] : NULL;
	double ta = base + (double)a->time_ns / 1e9;
	if (!b && at - ta > slack)
		return false;
	/* The snapshot at exit comes after node tore its heap down (freeing what leaked): not a sample of the run. */
	if (t->complete && i == n)
		return false;
	if (b && t->complete && i + 1 == n)
		return false; /* nothing to interpolate towards: the exit has begun */
	double w = 0;
	if (b) {
		double tb = base + (double)b->time_ns / 1e9;
		w = tb > ta ? (at - ta) / (tb - ta) : 0;
	}
#define MIX(x, y) ((int64_t)((double)(x) + w * ((double)(y) - (double)(x))))
	out->live = b ? MIX(a->live_bytes, b->live_bytes) : (int64_t)a->live_bytes;
	out->profiler = b ? MIX(profiler[i - 1], profiler[i]) : profiler[i - 1];
	out->allocator = a->has_allocator && (!b || b->has_allocator);
	if (out->allocator) {
		out->in_use = b ? MIX(a->allocator.in_use, b->allocator.in_use) : (int64_t)a->allocator.in_use;
		out->free = b ? MIX(a->allocator.free, b->allocator.free) : (int64_t)a->allocator.free;
	}
#undef MIX
	return true;
}

static void fill_parts(struct watch_sample *s, const struct raw_row *r, const struct native_point *np)
{
	for (int p = 0; p < PART_COUNT; p++)
		s->part[p] = 0;
	s->t_s = r->t_s;
	s->unix_s = r->unix_s;
	s->rss = r->rss;
	s->has_v8 = r->v8;
	s->has_native = np != NULL;
	s->part[PART_CODE] = r->code;
	s->part[PART_FILES] = r->files;
	s->part[PART_STACKS] = r->stacks;
	s->part[PART_OTHER] = r->other;
	if (r->v8) {
		s->part[PART_JS_HEAP] = r->heap_used;
		s->part[PART_JS_HEAP_FREE] = LH_MAX(r->heap_physical - r->heap_used, 0);
		s->part[PART_ARRAY_BUFFERS] = r->external;
	}
	if (np) {
		int64_t malloced = np->allocator ? np->in_use : np->live;
		s->native_live = np->live;
		s->part[PART_ARRAY_BUFFERS] = LH_MIN(s->part[PART_ARRAY_BUFFERS], malloced);
		s->part[PART_NATIVE_MALLOC] = malloced - s->part[PART_ARRAY_BUFFERS] - np->profiler;
		s->part[PART_OTHER] += np->profiler;
		s->part[PART_ALLOCATOR] = np->allocator ? np->free : 0;
	}
}

/*
 * The callers worth naming above a site, from one stack: the first frame in
 * another module than the site's (not the main executable's, not inlined
 * from a library's headers), and the first JavaScript frame. A stack that
 * names a native caller names both; otherwise the first JS frame found is kept.
 */
static void name_callers(const struct trace *t, struct symbolizer *sym, uint32_t stack, uint32_t depth,
			 struct watch_site *out)
{
	if (out->native_caller[0])
		return;
	const struct trace_stack *st = &t->stacks[stack];
	const struct sym_frame *site = depth < st->frame_count ? symbolizer_lookup(sym, st->frames[depth]) : NULL;
	char native[320] = "", js[320] = "";
	for (uint32_t k = depth + 1; k < st->frame_count; k++) {
		const struct sym_frame *f = symbolizer_lookup(sym, st->frames[k]);
		const struct trace_module *m = trace_module_of(t, st->frames[k]);
		bool jit = f->module && !strcmp(f->module, "[JIT]");
		if (jit && f->function && !js[0])
			sym_frame_text(js, sizeof(js), f);
		else if (!jit && !native[0] && m && !m->main && !f->runtime && f->function && site &&
			 (!site->module || !f->module || strcmp(site->module, f->module)) &&
			 !(f->file && !strncmp(f->file, "/usr/", 5))) /* inlined from a library's headers */
			sym_frame_text(native, sizeof(native), f);
	}
	if (native[0]) {
		snprintf(out->native_caller, sizeof(out->native_caller), "%s", native);
		snprintf(out->js_caller, sizeof(out->js_caller), "%s", js);
	} else if (!out->js_caller[0]) {
		snprintf(out->js_caller, sizeof(out->js_caller), "%s", js);
	}
}

/* Slopes within GROWTH_MIN_RATE are a tie, as in report's ranking. */
static int slope_rank(double a, double b)
{
	return a > b + GROWTH_MIN_RATE ? -1 : b > a + GROWTH_MIN_RATE ? 1 : 0;
}

/*
 * report's order (growth.h): sites still growing over the last third first,
 * by that late slope, then the rest by the whole trace's slope; the growth
 * over the window breaks ties.
 */
static int by_site_growth(const void *a, const void *b)
{
	const struct watch_site *x = a, *y = b;
	bool sx = x->trend == GROWTH_SUSTAINED, sy = y->trend == GROWTH_SUSTAINED;
	if (sx != sy)
		return sx ? -1 : 1;
	int r = sx ? slope_rank(x->late_slope, y->late_slope) : 0;
	if (!r)
		r = slope_rank(x->slope, y->slope);
	if (r)
		return r;
	return x->growth_bytes < y->growth_bytes ? 1 : x->growth_bytes > y->growth_bytes ? -1 : 0;
}

/* Index of the last trace snapshot at or before unix time at (0 if none). */
static uint32_t trace_snap_at(const struct trace *t, double at)
{
	double base = (double)t->start_unix_ns / 1e9;
	uint32_t i = 0;
	while (i + 1 < t->snapshot_count && base + (double)t->snapshots[i + 1].time_ns / 1e9 <= at)
		i++;
	return i;
}

static void native_sites(struct watch_verdict *v, const struct trace *t, struct symbolizer *sym, const bool *profiler,
			 double from, double to)
{
	struct growth *g = growth_compute(t, sym);
	uint32_t a = trace_snap_at(t, from), b = trace_snap_at(t, to);
	for (size_t i = 0; i < g->site_count; i++) {
		const struct growth_site *gs = &g->sites[i];
		struct watch_site ws = { 0 };
		/* Slopes are linear in the data: the site's without V8's profiler stacks is the sum of the others'. */
		struct growth_counts own = { 0 };
		for (size_t k = 0; k < gs->stack_count; k++) {
			size_t c1 = 0, c2 = 0;
			uint32_t id = gs->stacks[k].id;
			if (profiler[id])
				continue;
			own.slope += gs->stacks[k].c.slope;
			own.late_slope += gs->stacks[k].c.late_slope;
			int64_t s0 = trace_stack_at(t, id, a, &c1).live_bytes, s1 = trace_stack_at(t, id, b, &c2).live_bytes;
			ws.start_bytes += s0;
			ws.end_bytes += s1;
			/* Callers from the stacks that grew, steepest first: the innermost frame of an inlined call from a
			 * library header names the header, so another stack may be needed to name the caller. */
			if (s1 > s0 && gs->site)
				name_callers(t, sym, id, gs->site_depth, &ws);
		}
		ws.growth_bytes = ws.end_bytes - ws.start_bytes;
		if (ws.growth_bytes <= 0)
			continue;
		ws.slope = own.slope;
		ws.late_slope = own.late_slope;
		ws.trend = (int)growth_trend(&own);
		sym_frame_text(ws.site, sizeof(ws.site), gs->site);
		if (gs->site) {
			snprintf(ws.function, sizeof(ws.function), "%s", gs->site->function ? gs->site->function : "");
			snprintf(ws.file, sizeof(ws.file), "%s", gs->site->file ? gs->site->file : "");
			ws.line = gs->site->line;
		}
		v->sites = lh_realloc_array(v->sites, v->site_count + 1, sizeof(*v->sites));
		v->sites[v->site_count++] = ws;
	}
	if (v->site_count)
		qsort(v->sites, v->site_count, sizeof(*v->sites), by_site_growth);
	if (v->site_count > 10)
		v->site_count = 10;
	growth_free(g);
}

/* MARK: - Attribution */

/*
 * A sample is usable at an end of the window when it has every source the
 * run has, and is not next to a heap snapshot: V8 mallocs several times the
 * heap's size while it writes one, and the native values, interpolated
 * between the trace's snapshots, would mix that in.
 */
static bool sample_full(const struct watch_verdict *v, const struct watch_sample *s, bool any_v8)
{
	for (size_t i = 0; i < v->snapshot_count; i++) {
		const struct watch_snapshot *x = &v->snapshots[i];
		if (s->t_s >= x->t_s - v->trace_interval_s && s->t_s <= x->t_s + x->pause_ms / 1000 + 1.5 * v->interval_s)
			return false;
	}
	return (!any_v8 || s->has_v8) && (!v->native || s->has_native);
}

static int64_t floor_of(const struct watch_verdict *v, enum watch_part p, size_t lo, size_t hi, bool any_v8)
{
	int64_t m = INT64_MAX;
	for (size_t i = lo; i < hi; i++)
		if (sample_full(v, &v->samples[i], any_v8))
			m = LH_MIN(m, v->samples[i].part[p]);
	return m == INT64_MAX ? 0 : m;
}

static void attribute(struct watch_verdict *v, bool any_v8)
{
	double first_snapshot_end = v->snapshot_count ? v->snapshots[0].t_s + v->snapshots[0].pause_ms / 1000 : 0;
	double start = LH_MAX(v->warmup_s, first_snapshot_end);
	size_t from = SIZE_MAX, to = SIZE_MAX;
	for (size_t i = 0; i < v->sample_count; i++) {
		if (!sample_full(v, &v->samples[i], any_v8))
			continue;
		if (from == SIZE_MAX && v->samples[i].t_s >= start)
			from = i;
		to = i;
	}
	if (from == SIZE_MAX || to == SIZE_MAX || to <= from) {
		v->from = v->to = SIZE_MAX;
		return;
	}
	v->from = from;
	v->to = to;
	const struct watch_sample *a = &v->samples[from], *b = &v->samples[to];
	double hours = (b->t_s - a->t_s) / 3600;
	v->rss_start = a->rss;
	v->rss_end = b->rss;
	int64_t explained = 0;
	size_t third = (to - from + 1) / 3;
	for (int p = 0; p < PART_COUNT; p++) {
		struct watch_attribution *x = &v->parts[p];
		x->part = (enum watch_part)p;
		x->known = p <= PART_ARRAY_BUFFERS ? any_v8 : p == PART_NATIVE_MALLOC ? v->native
							    : p == PART_ALLOCATOR     ? v->native_allocator
										  : true;
		x->start = a->part[p];
		x->end = b->part[p];
		x->growth = x->end - x->start;
		x->per_hour = hours > 0 ? (double)x->growth / hours : 0;
		x->floor_growth = third ? floor_of(v, (enum watch_part)p, to + 1 - third, to + 1, any_v8) -
						  floor_of(v, (enum watch_part)p, from, from + third, any_v8)
					: x->growth;
		explained += x->growth;
	}
	v->unexplained = (v->rss_end - v->rss_start) - explained;
}

/* MARK: - Findings */

static struct watch_finding *add_finding(struct watch_verdict *v, const char *id, enum watch_part part)
{
	v->findings = lh_realloc_array(v->findings, v->finding_count + 1, sizeof(*v->findings));
	struct watch_finding *f = &v->findings[v->finding_count++];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->part = part;
	return f;
}

static const struct watch_site *find_site(const struct watch_verdict *v, const char *function_part)
{
	for (size_t i = 0; i < v->site_count; i++)
		if (strstr(v->sites[i].function, function_part))
			return &v->sites[i];
	return NULL;
}

/* Seconds between the first and last snapshot (for rates of the series). */
static double series_seconds(const struct watch_verdict *v)
{
	return v->snapshot_count >= 2 ? v->snapshots[v->snapshot_count - 1].t_s - v->snapshots[0].t_s : 0;
}

static void growth_words(char *buf, size_t size, const struct watch_attribution *x)
{
	char a[32], b[32];
	snprintf(buf, size, "+%s (%s per hour)", fmt_bytes(a, sizeof(a), (uint64_t)LH_MAX(x->growth, 0)),
		 fmt_bytes(b, sizeof(b), (uint64_t)LH_MAX(x->per_hour, 0)));
}

static void site_words(char *buf, size_t size, const struct watch_site *s)
{
	char a[32];
	fmt_into(buf, size, "%s +%s", s->site, fmt_bytes(a, sizeof(a), (uint64_t)s->growth_bytes));
	if (s->native_caller[0])
		fmt_append(buf, size, ", called from %s", s->native_caller);
	if (s->js_caller[0])
		fmt_append(buf, size, "%s JS %s", s->native_caller[0] ? " and" : ", called from", s->js_caller);
}

static void native_finding(struct watch_verdict *v, const struct js_side *js)
{
	const struct watch_attribution *x = &v->parts[PART_NATIVE_MALLOC];
	struct watch_finding *f = add_finding(v, "native-malloc-growth", PART_NATIVE_MALLOC);
	char g[80], s[800];
	growth_words(g, sizeof(g), x);
	fmt_into(f->title, sizeof(f->title), "native memory grew %s: malloc'd bytes outside the JS heap", g);
	const struct watch_site *extend = find_site(v, "HandleScope::Extend");
	if (extend) {
		double secs = series_seconds(v), window = v->samples[v->to].t_s - v->samples[v->from].t_s;
		char a[32], b[32], c[32];
		site_words(s, sizeof(s), extend);
		if (js->handle_edges_growth > 0 && secs > 0 && window > 0) {
			double handle_rate = js->handle_edges_growth * 8 / secs, site_rate = (double)extend->growth_bytes / window;
			double ratio = site_rate / handle_rate;
			fmt_into(f->explanation, sizeof(f->explanation),
				 "(Handle scope) gained %s edges over the snapshots: %s a second x 8 B = %s/s of handle slots, %s "
				 "native site %s (%s/s). Handles created outside any HandleScope (a native callback, "
				 "such as an async completion, that does not open its own) pile up in a scope that is never "
				 "closed: open a v8::HandleScope (Napi::HandleScope) in that callback.",
				 fmt_count(a, sizeof(a), (uint64_t)js->handle_edges_growth),
				 fmt_count(b, sizeof(b), (uint64_t)(js->handle_edges_growth / secs + 0.5)),
				 fmt_bytes(c, sizeof(c), (uint64_t)handle_rate),
				 ratio > 0.5 && ratio < 2 ? "the same growth as" : "alongside the growth of", s,
				 fmt_bytes(g, sizeof(g), (uint64_t)LH_MAX(site_rate, 0)));
		} else {
			fmt_into(f->explanation, sizeof(f->explanation),
				 "V8's handle blocks grew: %s. Handles created outside any HandleScope pile up in a scope "
				 "that is never closed: open a v8::HandleScope in that callback.", s);
		}
		return;
	}
	fmt_into(f->explanation, sizeof(f->explanation), "Live malloc'd memory grew at these sites:");
	for (size_t i = 0; i < v->site_count && i < 3; i++) {
		site_words(s, sizeof(s), &v->sites[i]);
		fmt_append(f->explanation, sizeof(f->explanation), " %zu. %s;", i + 1, s);
	}
	if (!v->site_count)
		fmt_append(f->explanation, sizeof(f->explanation), " (no site grew in the trace)");
	fmt_append(f->explanation, sizeof(f->explanation),
		   " Blocks allocated there are not freed: look for the missing free/delete on that path.");
}

static bool is_buffer_class(const char *s)
{
	return strstr(s, "Buffer") || strstr(s, "Uint8Array") || strstr(s, "Array)") || strstr(s, "system / JSArrayBufferData");
}

/* Check's findings on objects that accumulate, as evidence for a part: "title (evidence); kept alive by: path". */
static void class_evidence(char *buf, size_t size, const struct js_side *js, bool buffers)
{
	for (size_t i = 0; i < js->finding_count; i++) {
		const struct js_finding *x = &js->findings[i];
		if (strcmp(x->id, "accumulation") || is_buffer_class(x->cls) != buffers)
			continue;
		fmt_append(buf, size, " %s (%s)%s%s.", x->title, x->evidence, x->path[0] ? "; kept alive by: " : "", x->path);
	}
}

static void compose(struct watch_verdict *v, const struct js_side *js, const struct watch_thresholds *th)
{
	if (v->from == SIZE_MAX) {
		struct watch_finding *f = add_finding(v, "too-short", PART_COUNT);
		snprintf(f->title, sizeof(f->title), "too few samples after warm-up to tell what grew");
		fmt_into(f->explanation, sizeof(f->explanation),
			 "The watch holds %zu samples; attribution needs two complete ones after warm-up (%.0f s) and the "
			 "first snapshot. Watch longer, or lower --warmup.", v->sample_count, v->warmup_s);
		return;
	}
	/* 5% of what the program itself holds at the start: free memory the allocator keeps (after a snapshot, often
	 * most of RSS) left out. */
	int64_t held = v->rss_start - LH_MAX(v->parts[PART_ALLOCATOR].start, 0);
	uint64_t given = th->min_growth ? th->min_growth : v->min_growth;
	int64_t min = given ? (int64_t)given : LH_MAX((int64_t)4 << 20, held / 20);
	const struct watch_attribution *P = v->parts;
	bool grew[PART_COUNT];
	for (int p = 0; p < PART_COUNT; p++)
		grew[p] = P[p].known && P[p].floor_growth >= min && P[p].growth > 0;
	char g[80];
	if (grew[PART_NATIVE_MALLOC])
		native_finding(v, js);
	if (grew[PART_JS_HEAP]) {
		struct watch_finding *f = add_finding(v, "js-heap-growth", PART_JS_HEAP);
		growth_words(g, sizeof(g), &P[PART_JS_HEAP]);
		fmt_into(f->title, sizeof(f->title), "the JS heap grew %s: live objects pile up", g);
		fmt_into(f->explanation, sizeof(f->explanation), "V8's used heap after garbage collection kept rising.");
		class_evidence(f->explanation, sizeof(f->explanation), js, false);
		if (!js->finding_count)
			fmt_append(f->explanation, sizeof(f->explanation),
				   " The snapshots named no class (fewer than three, or none grew in every interval): "
				   "watch longer, or use more --snapshots.");
	}
	if (grew[PART_ARRAY_BUFFERS]) {
		struct watch_finding *f = add_finding(v, "array-buffers-growth", PART_ARRAY_BUFFERS);
		growth_words(g, sizeof(g), &P[PART_ARRAY_BUFFERS]);
		fmt_into(f->title, sizeof(f->title), "array-buffers grew %s: Buffer/ArrayBuffer memory outside the JS heap", g);
		fmt_into(f->explanation, sizeof(f->explanation),
			 "The backing stores of Buffers and ArrayBuffers (and external strings) kept alive by JS objects "
			 "grew; each object is small in the heap, its memory is not.");
		class_evidence(f->explanation, sizeof(f->explanation), js, true);
	}
	if (grew[PART_STACKS]) {
		struct watch_finding *f = add_finding(v, "stacks-growth", PART_STACKS);
		growth_words(g, sizeof(g), &P[PART_STACKS]);
		fmt_into(f->title, sizeof(f->title), "thread stacks grew %s: threads are started and not ended", g);
		snprintf(f->explanation, sizeof(f->explanation),
			 "More threads (Workers, native threads) are alive at the end than at the start.");
	}
	if (grew[PART_CODE]) {
		struct watch_finding *f = add_finding(v, "code-growth", PART_CODE);
		growth_words(g, sizeof(g), &P[PART_CODE]);
		fmt_into(f->title, sizeof(f->title), "resident code grew %s: shared objects loaded over and over?", g);
		snprintf(f->explanation, sizeof(f->explanation), "Executable file mappings grew (dlopen, native addons).");
	}
	v->leak_suspected = grew[PART_NATIVE_MALLOC] || grew[PART_JS_HEAP] || grew[PART_ARRAY_BUFFERS] ||
			    grew[PART_STACKS] || grew[PART_CODE];
	if (grew[PART_ALLOCATOR]) {
		struct watch_finding *f = add_finding(v, "allocator-retention", PART_ALLOCATOR);
		growth_words(g, sizeof(g), &P[PART_ALLOCATOR]);
		fmt_into(f->title, sizeof(f->title), "glibc's malloc keeps %s more free memory: fragmentation, not a leak", g);
		snprintf(f->explanation, sizeof(f->explanation),
			 "%s: freed blocks stay in the allocator's arenas, between blocks still in use, and count in RSS. "
			 "Try MALLOC_ARENA_MAX=2 (fewer arenas), malloc_trim(0) after bursts, or jemalloc (LD_PRELOAD).",
			 grew[PART_NATIVE_MALLOC] ? "Live malloc'd memory grew as well" : "RSS grew but live malloc did not");
		if (v->snapshot_count)
			fmt_append(f->explanation, sizeof(f->explanation),
				   " Heap snapshots add to it: V8 mallocs several times the heap while it writes one "
				   "(--snapshots 0 leaves them out).");
	}
	if (grew[PART_JS_HEAP_FREE]) {
		struct watch_finding *f = add_finding(v, "js-heap-free-growth", PART_JS_HEAP_FREE);
		growth_words(g, sizeof(g), &P[PART_JS_HEAP_FREE]);
		fmt_into(f->title, sizeof(f->title), "V8 keeps %s more free heap: committed after a peak, not a leak", g);
		snprintf(f->explanation, sizeof(f->explanation),
			 "V8 gives heap pages back slowly after a peak of allocation; --max-semi-space-size and "
			 "--max-old-space-size bound it.");
	}
	/*
	 * Check's findings on handles that no growing part explains are listed as they are (handles pile up
	 * nowhere else). Its class findings are not: over a few snapshots a class whose count goes up and down
	 * (a window of recent requests) can grow in every interval by chance, and the process-wide floors are
	 * the better judge; the classes stay in js_classes.
	 */
	for (size_t i = 0; i < js->finding_count; i++) {
		const struct js_finding *x = &js->findings[i];
		bool handles = !strcmp(x->id, "handle-scope-growth") || !strcmp(x->id, "global-handles-growth");
		if (!handles || grew[PART_NATIVE_MALLOC])
			continue;
		struct watch_finding *f = add_finding(v, x->id, PART_NATIVE_MALLOC);
		snprintf(f->title, sizeof(f->title), "%s", x->title);
		fmt_into(f->explanation, sizeof(f->explanation), "%s. %s%s%s (below --min-growth in RSS terms)", x->evidence,
			 x->explanation, x->path[0] ? " Path: " : "", x->path);
	}
	/* Small against the RSS growth, or against the largest part's when parts moved against each other. */
	int64_t growth = llabs(v->rss_end - v->rss_start);
	for (int p = 0; p < PART_COUNT; p++)
		growth = LH_MAX(growth, llabs(P[p].growth));
	if (llabs(v->unexplained) > LH_MAX(growth / 10, min / 2)) {
		struct watch_finding *f = add_finding(v, "unexplained", PART_COUNT);
		char a[32];
		snprintf(f->title, sizeof(f->title), "%s%s of RSS growth is not explained by any part",
			 v->unexplained < 0 ? "-" : "", fmt_bytes(a, sizeof(a), (uint64_t)llabs(v->unexplained)));
		snprintf(f->explanation, sizeof(f->explanation),
			 "Anonymous memory that neither V8 nor malloc accounts for (mmap by the program or a library), or "
			 "malloc'd memory that was never written (committed, not resident)%s.",
			 v->native ? "" : "; native memory was not tracked in this watch");
	}
	if (!v->native) {
		struct watch_finding *f = add_finding(v, "native-unseen", PART_COUNT);
		snprintf(f->title, sizeof(f->title), "native parts not seen: %s",
			 !strcmp(v->mode, "attach") ? "attached to a running process" : "no native trace");
		snprintf(f->explanation, sizeof(f->explanation),
			 "native-malloc holds what V8 does not (array-buffers are counted from V8's external bytes), "
			 "allocator-retained is unknown, and sites cannot be named: start the program under "
			 "'leakhound watch -- CMD' to see them.");
	}
}

/* MARK: - Loading */

static bool load_info(struct watch_verdict *v, const char *dir, struct lh_error *err)
{
	char *info = slurp(dir, "watch.info", NULL, err);
	if (!info)
		return err->set || lh_error_at(err, LH_NO_OFFSET, "not a watch directory (no watch.info): make one with "
							   "'leakhound watch -o DIR -- CMD'");
	char buf[64];
	info_value(info, "command", v->command, sizeof(v->command));
	if (!info_value(info, "mode", v->mode, sizeof(v->mode)))
		snprintf(v->mode, sizeof(v->mode), "start");
	v->pid = info_value(info, "pid", buf, sizeof(buf)) ? strtoll(buf, NULL, 10) : 0;
	v->interval_s = info_number(info, "interval_ms", 1000) / 1000;
	v->warmup_s = info_number(info, "warmup_ms", 0) / 1000;
	v->min_growth = (uint64_t)info_number(info, "min_growth", 0);
	double start = info_number(info, "start_unix", 0);
	v->start_unix = start;
	free(info);
	char *end = slurp(dir, "end.info", NULL, err);
	if (end) {
		v->complete = true;
		info_value(end, "ended", v->ended, sizeof(v->ended));
		v->duration_s = info_number(end, "end_unix", start) - start;
		free(end);
	} else {
		snprintf(v->ended, sizeof(v->ended), "leakhound did not finish the watch (killed?): verdict from what was collected");
	}
	return !err->set;
}

struct watch_verdict *watch_verdict_load(const char *dir, const struct watch_thresholds *th, struct lh_error *err)
{
	struct watch_verdict *v = lh_calloc(1, sizeof(*v));
	struct rows rows = { 0 };
	struct js_side js = { .v = v };
	struct trace *t = NULL;
	char *text = NULL;
	if (!load_info(v, dir, err))
		goto fail;
	if (!(text = slurp(dir, "timeline.tsv", NULL, err)) && err->set)
		goto fail;
	if (text && !each_line(text, add_timeline_row, &rows, err))
		goto fail;
	free(text);
	if ((text = slurp(dir, "snapshots.tsv", NULL, err)))
		each_line(text, add_snapshot_row, v, err);
	free(text);
	if ((text = slurp(dir, "js.tsv", NULL, err)))
		each_line(text, add_js_row, &js, err);
	free(text);
	text = NULL;
	if (!rows.count) {
		lh_error_at(err, LH_NO_OFFSET, "the watch holds no sample: %s", v->complete ? v->ended : "it was stopped at once");
		goto fail;
	}
	if (v->class_count)
		qsort(v->classes, v->class_count, sizeof(*v->classes), by_class_growth);
	for (size_t i = 0; i < v->class_count; i++)
		for (size_t k = 0; k < js.finding_count; k++)
			if ((!strcmp(js.findings[k].cls, v->classes[i].name) || strstr(js.findings[k].title, v->classes[i].name)) && js.findings[k].path[0] && !v->classes[i].path[0])
				snprintf(v->classes[i].path, sizeof(v->classes[i].path), "%s", js.findings[k].path);

	char path[4096];
	snprintf(path, sizeof(path), "%s/native.lhtrace", dir);
	struct lh_error terr = { 0 };
	t = trace_read(path, &terr);
	v->native = t != NULL;
	v->trace_interval_s = t ? (double)t->interval_ns / 1e9 : 0;
	for (size_t i = 0; t && i < t->snapshot_count; i++)
		v->native_allocator |= t->snapshots[i].has_allocator;
	struct symbolizer *sym = t ? symbolizer_new(t) : NULL;
	bool *profiler = lh_calloc(t ? LH_MAX(t->stack_count, 1) : 1, sizeof(bool));
	for (uint32_t id = 0; t && id < t->stack_count; id++)
		profiler[id] = t->stacks[id].defined && is_profiler_stack(v, t, sym, id);
	int64_t *overhead = t ? profiler_bytes(t, profiler) : NULL;
	bool any_v8 = false;
	v->samples = lh_calloc(LH_MAX(rows.count, 1), sizeof(*v->samples));
	for (size_t i = 0; i < rows.count; i++) {
		struct native_point np;
		bool has = t && native_at(t, overhead, rows.items[i].unix_s, 2 * v->interval_s, &np);
		fill_parts(&v->samples[v->sample_count++], &rows.items[i], has ? &np : NULL);
		any_v8 |= rows.items[i].v8;
	}
	if (!v->complete && v->sample_count)
		v->duration_s = v->samples[v->sample_count - 1].t_s;
	attribute(v, any_v8);
	if (t && v->from != SIZE_MAX)
		native_sites(v, t, sym, profiler, v->samples[v->from].unix_s, v->samples[v->to].unix_s);
	compose(v, &js, th);
	free(overhead);
	free(profiler);
	symbolizer_free(sym);
	trace_free(t);
	free(rows.items);
	free(js.findings);
	return v;
fail:
	free(text);
	free(rows.items);
	free(js.findings);
	watch_verdict_free(v);
	return NULL;
}

void watch_verdict_free(struct watch_verdict *v)
{
	if (!v)
		return;
	free(v->samples);
	free(v->snapshots);
	free(v->sites);
	free(v->classes);
	free(v->findings);
	free(v);
}
