/*
 * leak_rules.c - the rules of leak_rules.h.
 */
#include "leak_rules.h"

#include "../common/format.h"
#include "../common/sort.h"
#include "paths.h"
#include "summary.h"

const struct leak_thresholds leak_default_thresholds = {
	.handle_edges = 1000,
	.class_objects = 1000,
	.class_fraction = 0.1,
	.detached_nodes = 100,
	.string_bytes = 1 << 20,
};

static bool grew_every_time(const struct growth *g, double min_growth)
{
	return g->intervals > 0 && g->increases == g->intervals && g->last - g->first >= min_growth;
}

static const struct trend_row *find_row(const struct trend *t, enum trend_kind kind, const char *name)
{
	for (size_t i = 0; i < t->row_count; i++)
		if (t->rows[i].kind == kind && !strcmp(t->rows[i].name, name))
			return &t->rows[i];
	return NULL;
}

static struct leak_finding *add(struct leak_findings *out, const char *id, double growth)
{
	if (out->count == LH_ARRAY_LEN(out->items))
		return NULL;
	struct leak_finding *f = &out->items[out->count++];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->growth = growth;
	return f;
}

/* "120,019 -> 800,019 over 4 snapshots (+170,000 per snapshot, +2,833 per second)" */
static void describe_growth(const struct growth *g, size_t snapshots, const char *unit, char *buf, size_t size)
{
	char a[32], b[32], c[32], d[64] = "";
	fmt_count(a, sizeof(a), (uint64_t)g->first);
	fmt_count(b, sizeof(b), (uint64_t)g->last);
	fmt_count(c, sizeof(c), (uint64_t)(g->per_snapshot > 0 ? g->per_snapshot : 0));
	if (g->per_second > 0) {
		char r[32];
		snprintf(d, sizeof(d), ", +%s per second", fmt_count(r, sizeof(r), (uint64_t)(g->per_second + 0.5)));
	}
	fmt_into(buf, size, "%s -> %s %s over %zu snapshots (+%s per snapshot%s), growing in every interval", a, b, unit,
	    snapshots, c, d);
}

static void handle_rule(const struct trend *t, const struct leak_thresholds *th, const char *root, const char *id,
			const char *explanation, struct leak_findings *out)
{
	const struct trend_row *r = find_row(t, TREND_ROOT, root);
	if (!r || !grew_every_time(&r->growth, (double)th->handle_edges))
		return;
	struct leak_finding *f = add(out, id, r->growth.last - r->growth.first);
	if (!f)
		return;
	char bytes[32];
	fmt_into(f->title, sizeof(f->title), "\"%s\" grows: handles are piling up (%s more native memory in handle slots)", root,
	    fmt_bytes(bytes, sizeof(bytes), (uint64_t)(f->growth * SUMMARY_HANDLE_SLOT_BYTES)));
	describe_growth(&r->growth, t->count, "edges", f->evidence, sizeof(f->evidence));
	fmt_into(f->explanation, sizeof(f->explanation), "%s", explanation);
}

/* The newest object of class cls: a leak candidate when there is one, else any instance in the last snapshot. */
static uint32_t sample_of(const struct trend *t, uint32_t cls, uint64_t *candidates)
{
	*candidates = 0;
	for (size_t i = 0; i < t->group_count; i++) {
		if (t->groups[i].cls == cls) {
			*candidates = t->groups[i].count;
			return t->groups[i].example_id;
		}
	}
	const struct snapshot_digest *last = &t->snaps[t->count - 1];
	for (size_t i = last->id_count; i-- > 0;)
		if (last->id_class[i] == cls)
			return (uint32_t)(last->ids[i] >> 32);
	return 0;
}

static void attach_path(struct leak_finding *f, const struct heap_snapshot *last, struct path_tree **tree, uint32_t id)
{
	uint32_t n = heap_node_by_id(last, id);
	if (n == UINT32_MAX)
		return;
	if (!*tree)
		*tree = path_tree_build(last, false);
	struct retainer_path p;
	if (paths_to(last, *tree, n, 1, &p) == 1) {
		f->path = path_describe(last, &p);
		f->sample_id = id;
		free(p.edges);
	}
}

/* A class a program defines or names ("CacheEntry", "Map"), rather than V8's "(string)" or "system / Context". */
static bool is_program_class(const char *name)
{
	return name[0] != '(' && strncmp(name, "system / ", 9) != 0;
}

/* Program classes first (they name the leak; strings and numbers are usually its payload), then by growth. */
static int by_growth_desc(const void *a, const void *b)
{
	const struct trend_row *x = *(const struct trend_row *const *)a, *y = *(const struct trend_row *const *)b;
	bool px = is_program_class(x->name), py = is_program_class(y->name);
	if (px != py)
		return px ? -1 : 1;
	double gx = x->growth.last - x->growth.first, gy = y->growth.last - y->growth.first;
	return (gx < gy) - (gx > gy);
}

static void class_rule(const struct trend *t, const struct heap_snapshot *last, const struct leak_thresholds *th,
		       struct leak_findings *out)
{
	const struct trend_row **growing = lh_malloc(LH_MAX(t->row_count, 1) * sizeof(*growing));
	size_t n = 0;
	for (size_t i = 0; i < t->row_count; i++) {
		const struct trend_row *r = &t->rows[i];
		if (r->kind == TREND_CLASS_COUNT &&
		    grew_every_time(&r->growth, LH_MAX((double)th->class_objects, th->class_fraction * r->growth.first)))
			growing[n++] = r;
	}
	qsort(growing, n, sizeof(*growing), by_growth_desc);
	struct path_tree *tree = NULL;
	for (size_t i = 0; i < n && i < 5; i++) {
		const struct trend_row *r = growing[i];
		struct leak_finding *f = add(out, "class-growth", r->growth.last - r->growth.first);
		if (!f)
			break;
		uint64_t candidates;
		uint32_t sample = sample_of(t, r->cls, &candidates);
		char count[32];
		fmt_into(f->title, sizeof(f->title), "%s: the number of live objects grows steadily", r->name);
		describe_growth(&r->growth, t->count, "objects", f->evidence, sizeof(f->evidence));
		fmt_into(f->explanation, sizeof(f->explanation),
		    "Objects of this class are created faster than they are freed, in every interval. %s of them "
		    "were created between the first and second snapshot and are still alive in every later one: "
		    "the classic leak candidates. Something keeps them reachable: follow the retainer path of a "
		    "sample below to the collection or closure that holds them (a Map, Set or array that is only "
		    "added to, a cache without eviction, listeners never removed), then check it with "
		    "`leakhound path FILE @ID --all`.",
		    fmt_count(count, sizeof(count), candidates));
		if (sample)
			attach_path(f, last, &tree, sample);
	}
	path_tree_free(tree);
	free(growing);
}

/* The finding names the detached classes that grew most, and shows how JavaScript holds the newest of the first. */
static void detached_rule(const struct trend *t, const struct heap_snapshot *last, const struct leak_thresholds *th,
			  struct leak_findings *out)
{
	const struct trend_row *total = find_row(t, TREND_TOTAL, "detached nodes");
	if (!total || !grew_every_time(&total->growth, (double)th->detached_nodes))
		return;
	struct leak_finding *f = add(out, "detached-growth", total->growth.last - total->growth.first);
	if (!f)
		return;
	fmt_into(f->title, sizeof(f->title), "Detached native (DOM or embedder) objects grow");
	describe_growth(&total->growth, t->count, "detached nodes", f->evidence, sizeof(f->evidence));
	uint32_t top[3] = { UINT32_MAX, UINT32_MAX, UINT32_MAX }; /* rows */
	double growth[3];
	for (size_t i = 0; i < t->row_count; i++) {
		const struct trend_row *r = &t->rows[i];
		if (r->kind == TREND_CLASS_COUNT && !strncmp(r->name, "Detached ", 9) && grew_every_time(&r->growth, 1))
			lh_top_offer(top, growth, LH_ARRAY_LEN(top), (uint32_t)i, r->growth.last - r->growth.first);
	}
	char classes[300] = "";
	for (size_t k = 0; k < LH_ARRAY_LEN(top) && top[k] != UINT32_MAX; k++) {
		char count[32];
		fmt_append(classes, sizeof(classes), "%s%s (+%s)", k ? ", " : "", t->rows[top[k]].name,
			   fmt_count(count, sizeof(count), (uint64_t)growth[k]));
	}
	fmt_into(f->explanation, sizeof(f->explanation),
	    "Embedder objects that their owner has let go of (a DOM tree removed from the document) are still "
	    "reachable from JavaScript, and more of them each time. %s%s%sLook for JS references to them kept "
	    "in caches, closures or event listeners; `leakhound top --by class` shows all their classes "
	    "(prefixed \"Detached \").",
	    *classes ? "The detached classes that grew most: " : "", classes,
	    *classes ? "; the retainer path shown is that of the newest object of the first. " : "");
	if (top[0] != UINT32_MAX) {
		uint64_t candidates;
		uint32_t sample = sample_of(t, t->rows[top[0]].cls, &candidates);
		struct path_tree *tree = NULL;
		if (sample)
			attach_path(f, last, &tree, sample);
		path_tree_free(tree);
	}
}

static void total_rule(const struct trend *t, const char *series, double min, const char *id, const char *title,
		       const char *unit, const char *explanation, struct leak_findings *out)
{
	const struct trend_row *r = find_row(t, TREND_TOTAL, series);
	if (!r || !grew_every_time(&r->growth, min))
		return;
	struct leak_finding *f = add(out, id, r->growth.last - r->growth.first);
	if (!f)
		return;
	fmt_into(f->title, sizeof(f->title), "%s", title);
	describe_growth(&r->growth, t->count, unit, f->evidence, sizeof(f->evidence));
	fmt_into(f->explanation, sizeof(f->explanation), "%s", explanation);
}

void leak_rules_apply(const struct trend *t, const struct heap_snapshot *last, const struct leak_thresholds *th,
		      struct leak_findings *out)
{
	memset(out, 0, sizeof(*out));
	handle_rule(t, th, "(Handle scope)", "handle-scope-growth",
		    "Every interval leaves more handles in a HandleScope that is never closed. Handles created "
		    "outside any HandleScope of their own pile up in an outer scope that lives as long as the "
		    "process: the classic pattern of a native addon that creates V8 handles (Local<T>, napi_value) "
		    "in an async completion callback (uv_queue_work's after-work callback, a uv timer, a "
		    "thread-safe function) without opening a v8::HandleScope or napi_open_handle_scope per "
		    "callback. The handle slots live in native memory outside the JS heap, so the process grows "
		    "while heap sizes stay flat. Look at the completion callbacks of the native addons this "
		    "process loads; `leakhound roots FILE` shows what the handles point to.",
		    out);
	handle_rule(t, th, "(Global handles)", "global-handles-growth",
		    "Persistent (global) handles are created and never reset: v8::Global / v8::Persistent "
		    "without Reset(), napi_create_reference without napi_delete_reference, ObjectWrap objects "
		    "that are never released. Each keeps its target alive. Look at the native addons' "
		    "reference handling; `leakhound roots FILE` shows what the handles point to.",
		    out);
	class_rule(t, last, th, out);
	detached_rule(t, last, th, out);
	total_rule(t, "string bytes", (double)th->string_bytes, "string-growth", "Strings grow", "bytes of strings",
		   "The total size of strings grows in every interval: typically a log or message buffer that is "
		   "appended to and never trimmed, or strings kept as keys of a growing Map. "
		   "`leakhound top --by class` and `leakhound diff` show which strings are new.",
		   out);
}

void leak_findings_free(struct leak_findings *f)
{
	for (size_t i = 0; i < f->count; i++)
		free(f->items[i].path);
	f->count = 0;
}
