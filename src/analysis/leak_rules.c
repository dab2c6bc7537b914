/*
 * leak_rules.c - the rules of leak_rules.h.
 */
#include "leak_rules.h"

#include "../common/format.h"
#include "../common/sort.h"
#include "holders.h"
#include "paths.h"
#include "summary.h"

const struct leak_thresholds leak_default_thresholds = {
	.handle_edges = 1000,
	.min_objects = 20,
	.warmup = LEAK_WARMUP_AUTO,
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

/*
 * "120,019 -> 800,019 over 4 snapshots (+170,000 per snapshot, +2,833 per
 * second)", and the confidence of a finding on a series that grew in every
 * interval: high over 3 intervals or more, low over 2.
 */
static void describe_growth(struct leak_finding *f, const struct growth *g, size_t snapshots, const char *unit,
			    double threshold)
{
	char *buf = f->evidence;
	size_t size = sizeof(f->evidence);
	char t[32], v[32];
	f->confidence = g->intervals >= 3 ? "high" : "low";
	fmt_into(f->why, sizeof(f->why), "grew in %u of %u intervals, by %s %s (threshold %s)%s", g->increases, g->intervals,
		 fmt_count(v, sizeof(v), (uint64_t)(g->last - g->first)), unit, fmt_count(t, sizeof(t), (uint64_t)threshold),
		 g->intervals < 3 ? "; few intervals: more snapshots would tell a leak from a slow warm-up" : "");
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
	describe_growth(f, &r->growth, t->count, "edges", (double)th->handle_edges);
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

/* V8's own bookkeeping (code, shapes, hidden objects): never a finding, even as contents. */
static bool is_internal_class(const char *name)
{
	return !strcmp(name, "(compiled code)") || !strcmp(name, "(system)") || !strcmp(name, "(object shape)") ||
	       !strcmp(name, "(code)") || !strcmp(name, "(number)") ||
	       (!strncmp(name, "system / ", 9) && strcmp(name, "system / Context") != 0);
}

bool leak_class_is_builtin(const char *name)
{
	static const char *const builtin[] = { "Object", "Function", "Array", "Promise", "Map", "Set", "WeakMap", "WeakSet",
					       "WeakRef", "ArrayBuffer", "Uint8Array", "Buffer", "Error", "Date", "RegExp",
					       "Symbol", "Number", "String", "Boolean", "AsyncFunction", "GeneratorFunction" };
	for (size_t i = 0; i < LH_ARRAY_LEN(builtin); i++)
		if (!strcmp(name, builtin[i]))
			return true;
	return false;
}

/* A class of V8's or the language's own, which names no leak ("Object", "(string)", "{a, b}"). */
static bool is_generic_class(const char *name)
{
	return name[0] == '(' || name[0] == '{' || !strncmp(name, "system / ", 9) || leak_class_is_builtin(name);
}

/* The retainer path of object `id` of the last snapshot, described, and the phrase for its holder. */
static void sample_path(struct leak_finding *f, const struct heap_snapshot *last, const struct path_tree *tree, uint32_t id,
			char *holder, size_t holder_size)
{
	uint32_t n = heap_node_by_id(last, id);
	struct retainer_path p;
	if (n == UINT32_MAX || paths_to(last, tree, n, 1, &p) != 1)
		return;
	f->path = path_describe(last, &p);
	f->sample_id = id;
	if (holder)
		holders_describe(last, p.edges, p.length, holder, holder_size);
	free(p.edges);
}

static void attach_path(struct leak_finding *f, const struct heap_snapshot *last, struct path_tree **tree, uint32_t id)
{
	if (!*tree)
		*tree = path_tree_build(last, false);
	sample_path(f, last, *tree, id, NULL, 0);
}

/*
 * Accumulating groups and how they nest in the last snapshot: parent[k] is
 * the accumulating group (index into acc) that holds group k's growth, or
 * SIZE_MAX. Each object of group k votes for the nearest other accumulating
 * group above it on its shortest retainer path, or when there is none, for
 * one among its direct retainers (an event name held by the string table
 * and by the listener that leaks it); the group with the most votes wins if
 * they cover half of k's growth (votes, not members: a group may hold a
 * steady population besides what accumulates).
 */
struct nesting {
	const struct trend *t;
	struct accumulation *acc;
	size_t count;
	size_t *parent;
	const struct path_tree *tree;
};

#define NESTING_MAX_GROUPS 512
#define NESTING_MAX_DEPTH 24

/* The retainers of every node: sources of the edges into it, as ranges of one array (CSR). */
struct retainers {
	uint32_t *first;   /* node_count + 1 */
	uint32_t *from;
};

static void retainers_build(struct retainers *r, const struct heap_snapshot *s, const struct path_tree *tree)
{
	r->first = lh_calloc((size_t)s->node_count + 1, sizeof(uint32_t));
	r->from = lh_malloc(LH_MAX((size_t)s->edge_count, 1) * sizeof(uint32_t));
	for (uint32_t e = 0; e < s->edge_count; e++)
		r->first[heap_edge_to(s, e) + 1]++;
	for (uint32_t v = 0; v < s->node_count; v++)
		r->first[v + 1] += r->first[v];
	uint32_t *fill = lh_malloc(LH_MAX((size_t)s->node_count, 1) * sizeof(uint32_t));
	memcpy(fill, r->first, (size_t)s->node_count * sizeof(uint32_t));
	for (uint32_t e = 0; e < s->edge_count; e++)
		if (heap_edge_kind(s, e) != HEAP_EDGE_WEAK)
			r->from[fill[heap_edge_to(s, e)]++] = tree->edge_source[e];
	/* weak edges left their slots unfilled: mark them */
	for (uint32_t v = 0; v < s->node_count; v++)
		for (uint32_t i = fill[v]; i < r->first[v + 1]; i++)
			r->from[i] = UINT32_MAX;
	free(fill);
}

/* The group object v votes for as its holder; *by_path tells a vote from its shortest path from one from a retainer. */
static uint32_t vote_of(const struct nesting *x, const struct retainers *r, const uint32_t *acc_of, uint32_t v, bool *by_path)
{
	uint32_t k = acc_of[v], u = v;
	*by_path = true;
	for (int depth = 0; depth < NESTING_MAX_DEPTH && x->tree->via_edge[u] != UINT32_MAX; depth++) {
		u = x->tree->edge_source[x->tree->via_edge[u]];
		if (acc_of[u] != UINT32_MAX && acc_of[u] != k)
			return acc_of[u];
	}
	*by_path = false;
	for (uint32_t i = r->first[v]; i < r->first[v + 1]; i++)
		if (r->from[i] != UINT32_MAX && acc_of[r->from[i]] != UINT32_MAX && acc_of[r->from[i]] != k)
			return acc_of[r->from[i]];
	return UINT32_MAX;
}

/* The group with the most votes in row k, if they cover half of k's growth; else SIZE_MAX. */
static size_t elect(const uint32_t *votes, size_t n, size_t k, double growth)
{
	size_t best = SIZE_MAX;
	for (size_t p = 0; p < n; p++)
		if (votes[k * n + p] && (best == SIZE_MAX || votes[k * n + p] > votes[k * n + best]))
			best = p;
	return best != SIZE_MAX && (double)votes[k * n + best] * 2 >= growth ? best : SIZE_MAX;
}

static void find_parents(struct nesting *x, const struct heap_snapshot *last)
{
	const struct snapshot_digest *d = &x->t->snaps[x->t->count - 1];
	size_t groups = x->t->holders.count, n = x->count;
	uint32_t *slot = lh_malloc(LH_MAX(groups, 1) * sizeof(uint32_t));
	memset(slot, 0xff, LH_MAX(groups, 1) * sizeof(uint32_t));
	for (size_t k = 0; k < n; k++)
		slot[x->acc[k].group] = (uint32_t)k;
	/* The accumulating group of every node (UINT32_MAX for none), by ordinal. */
	uint32_t *acc_of = lh_malloc(LH_MAX((size_t)last->node_count, 1) * sizeof(uint32_t));
	for (uint32_t v = 0; v < last->node_count; v++) {
		size_t at = digest_find(d, last->node_id[v]);
		acc_of[v] = at == SIZE_MAX ? UINT32_MAX : slot[d->id_group[at]];
	}
	struct retainers r;
	retainers_build(&r, last, x->tree);
	/* votes by shortest path, then by retainer */
	uint32_t *votes = lh_calloc(2 * n * n, sizeof(uint32_t)), *by_retainer = votes + n * n;
	for (uint32_t v = 0; v < last->node_count; v++) {
		bool by_path;
		uint32_t k = acc_of[v], p = k == UINT32_MAX ? UINT32_MAX : vote_of(x, &r, acc_of, v, &by_path);
		if (p != UINT32_MAX)
			(by_path ? votes : by_retainer)[(size_t)k * n + p]++;
	}
	bool *weak = lh_calloc(LH_MAX(n, 1), sizeof(bool));
	for (size_t k = 0; k < n; k++) {
		x->parent[k] = elect(votes, n, k, x->acc[k].growth);
		if (x->parent[k] == SIZE_MAX) {
			x->parent[k] = elect(by_retainer, n, k, x->acc[k].growth);
			weak[k] = x->parent[k] != SIZE_MAX;
		}
	}
	/* A cycle (a closure, its context and what holds the closure) is cut at a retainer's vote, else where found. */
	for (size_t k = 0; k < n; k++) {
		size_t p = x->parent[k], cut = weak[k] ? k : SIZE_MAX;
		for (size_t steps = 0; p != SIZE_MAX && p != k && steps < n; steps++) {
			if (weak[p] && cut == SIZE_MAX)
				cut = p;
			p = x->parent[p];
		}
		if (p == k)
			x->parent[cut != SIZE_MAX ? cut : k] = SIZE_MAX;
	}
	free(weak);
	free(votes);
	free(r.first);
	free(r.from);
	free(acc_of);
	free(slot);
}

static size_t root_of(const struct nesting *x, size_t k)
{
	while (x->parent[k] != SIZE_MAX)
		k = x->parent[k];
	return k;
}

/* The group a tree of nested groups is named by: the outermost program class, else its root. */
static size_t head_of(const struct nesting *x, size_t root)
{
	const struct strmap *names = &x->t->classes;
	size_t best = root, best_depth = SIZE_MAX;
	for (size_t k = 0; k < x->count; k++) {
		if (root_of(x, k) != root || is_generic_class(names->names[x->acc[k].cls]) ||
		    is_internal_class(names->names[x->acc[k].cls]))
			continue;
		size_t depth = 0;
		for (size_t p = k; x->parent[p] != SIZE_MAX; p = x->parent[p])
			depth++;
		if (depth < best_depth) {
			best_depth = depth;
			best = k;
		}
	}
	return best;
}

static void describe_confidence(const struct trend *t, const struct accumulation *a, struct leak_finding *out)
{
	unsigned intervals = (unsigned)(t->count - 1);
	bool steady_from_start = a->grown == intervals;
	if (a->judged >= 3 && steady_from_start && a->survivor_share >= 0.9)
		out->confidence = "high";
	else if (a->judged >= 3)
		out->confidence = "medium";
	else
		out->confidence = "low";
	fmt_into(out->why, sizeof(out->why),
		 "grew in %u of %u intervals (%u judged after %u of warm-up); %.0f%% of its growth is objects created then "
		 "and still alive%s",
		 a->grown, intervals, a->judged, a->warmup, 100 * LH_MIN(a->survivor_share, 1.0),
		 a->judged < 3 ? "; few intervals: more snapshots would tell a leak from a slow warm-up" : "");
}

static double heap_growth(const struct trend *t, unsigned warmup)
{
	return (double)t->snaps[t->count - 1].self_size - (double)t->snaps[warmup].self_size;
}

static int by_tree_bytes(const void *a, const void *b)
{
	const struct leak_finding *x = a, *y = b;
	double gx = x->acc->growth_bytes, gy = y->acc->growth_bytes;
	return (gx < gy) - (gx > gy);
}

/* One finding for the tree of nested groups under `root`, named by its head. */
static void accumulation_finding(struct nesting *x, size_t root, const struct heap_snapshot *last, struct leak_finding *f)
{
	const struct trend *t = x->t;
	size_t head = head_of(x, root);
	const struct accumulation *a = &x->acc[head];
	struct leak_accumulation *la = lh_calloc(1, sizeof(*la));
	f->acc = la;
	snprintf(f->id, sizeof(f->id), "accumulation");
	snprintf(la->cls, sizeof(la->cls), "%s", t->classes.names[a->cls]);
	la->intervals = (unsigned)(t->count - 1);
	la->grown = a->grown;
	la->judged = a->judged;
	la->survivor_share = a->survivor_share;
	la->survivor_count = LH_MIN(t->count - 1, LH_ARRAY_LEN(la->survivors));
	uint32_t top[3] = { UINT32_MAX, UINT32_MAX, UINT32_MAX };
	double top_bytes[3];
	f->growth = 0;
	for (size_t k = 0; k < x->count; k++) {
		if (root_of(x, k) != root || is_internal_class(t->classes.names[x->acc[k].cls]))
			continue;
		la->growth_bytes += x->acc[k].growth_bytes;
		/* the head's class held in several ways (a linked list reached from both ends) counts as one */
		if (x->acc[k].cls == a->cls) {
			f->growth += x->acc[k].growth;
			for (size_t j = 0; j < la->survivor_count; j++)
				la->survivors[j] += x->acc[k].survivors[j + 1];
		} else {
			lh_top_offer(top, top_bytes, LH_ARRAY_LEN(top), (uint32_t)k, x->acc[k].growth_bytes);
		}
	}
	for (size_t i = 0; i < LH_ARRAY_LEN(top) && top[i] != UINT32_MAX; i++) {
		char c[32];
		fmt_append(la->contents, sizeof(la->contents), "%s%s +%s", i ? ", " : "", t->classes.names[x->acc[top[i]].cls],
			   fmt_count(c, sizeof(c), (uint64_t)x->acc[top[i]].growth));
	}
	double heap = heap_growth(t, a->warmup);
	la->share_of_growth = heap > 0 ? la->growth_bytes / heap : 0;
	describe_confidence(t, a, f);
	if (a->sample_id)
		sample_path(f, last, x->tree, a->sample_id, la->holder, sizeof(la->holder));
	/* Held through other accumulating groups (a listener's closure): named by the outermost one's holder. */
	if (head != root && x->acc[root].sample_id) {
		struct leak_finding outer = { 0 };
		char holder[sizeof(la->holder)] = "";
		sample_path(&outer, last, x->tree, x->acc[root].sample_id, holder, sizeof(holder));
		if (*holder)
			snprintf(la->holder, sizeof(la->holder), "%s", holder);
		free(outer.path);
	}
	bool generic = is_generic_class(la->cls);
	if (generic && *la->holder)
		fmt_into(f->title, sizeof(f->title), "%s accumulate (%s objects)", la->holder, la->cls);
	else
		fmt_into(f->title, sizeof(f->title), "%s objects accumulate%s%s%s", la->cls, *la->holder ? " in " : "",
			 la->holder, generic ? "" : "");
	char g[32], per[32], b[32], share[48] = "";
	if (la->share_of_growth > 0)
		snprintf(share, sizeof(share), ", %.0f%% of the heap's growth", 100 * LH_MIN(la->share_of_growth, 1.0));
	fmt_into(f->evidence, sizeof(f->evidence), "+%s objects over %u intervals (+%s per interval), %s more with what they hold%s; "
		 "survivors per interval (joined it then and still there at the end):",
		 fmt_count(g, sizeof(g), (uint64_t)f->growth), a->judged,
		 fmt_count(per, sizeof(per), (uint64_t)(f->growth / a->judged + 0.5)),
		 fmt_bytes(b, sizeof(b), (uint64_t)LH_MAX(la->growth_bytes, 0)), share);
	for (size_t j = 0; j < la->survivor_count; j++) {
		char c[32];
		fmt_append(f->evidence, sizeof(f->evidence), " %s", fmt_count(c, sizeof(c), la->survivors[j]));
	}
	fmt_into(f->explanation, sizeof(f->explanation),
		 "Confidence %s: %s. Objects created in each interval stay alive, held by the same structure: %s. "
		 "Look at the code that adds to it and find why entries are never removed (a Map or Set only added to, "
		 "listeners never removed, timers never cleared, a cache without eviction); `leakhound path FILE @ID --all` "
		 "shows every path to the sample.%s%s",
		 f->confidence, f->why, *la->holder ? la->holder : "see the retainer path", *la->contents ? " It holds: " : "",
		 la->contents);
}

static void accumulation_rule(const struct trend *t, const struct heap_snapshot *last, const struct leak_thresholds *th,
			      struct leak_findings *out)
{
	unsigned intervals = (unsigned)(t->count - 1);
	unsigned warmup = th->warmup != LEAK_WARMUP_AUTO ? th->warmup : intervals >= 4 ? 1 : 0;
	size_t n;
	struct accumulation *acc = trend_accumulation(t, warmup, th->min_objects, &n);
	/* Keep the groups whose growth is made of objects that stay; the largest few hundred. */
	size_t kept = 0;
	for (size_t k = 0; k < n; k++) {
		if (acc[k].survivor_share >= LEAK_MIN_SURVIVOR_SHARE && kept < NESTING_MAX_GROUPS)
			acc[kept++] = acc[k];
		else
			free(acc[k].survivors);
	}
	if (!kept) {
		free(acc);
		return;
	}
	struct path_tree *tree = path_tree_build(last, false);
	struct nesting x = { t, acc, kept, lh_malloc(kept * sizeof(size_t)), tree };
	find_parents(&x, last);
	struct leak_finding found[8];
	size_t count = 0;
	for (size_t k = 0; k < kept && count < LH_ARRAY_LEN(found); k++) {
		if (x.parent[k] != SIZE_MAX || is_internal_class(t->classes.names[acc[head_of(&x, k)].cls]))
			continue;
		memset(&found[count], 0, sizeof(found[count]));
		accumulation_finding(&x, k, last, &found[count++]);
	}
	qsort(found, count, sizeof(*found), by_tree_bytes);
	for (size_t i = 0; i < count; i++) {
		struct leak_finding *f = i < 5 && out->count < LH_ARRAY_LEN(out->items) ? &out->items[out->count++] : NULL;
		if (f) {
			*f = found[i];
		} else {
			free(found[i].path);
			free(found[i].acc);
		}
	}
	free(x.parent);
	path_tree_free(tree);
	trend_accumulation_free(acc, kept);
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
	describe_growth(f, &total->growth, t->count, "detached nodes", (double)th->detached_nodes);
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
	describe_growth(f, &r->growth, t->count, unit, min);
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
	accumulation_rule(t, last, th, out);
	detached_rule(t, last, th, out);
	total_rule(t, "string bytes", (double)th->string_bytes, "string-growth", "Strings grow", "bytes of strings",
		   "The total size of strings grows in every interval: typically a log or message buffer that is "
		   "appended to and never trimmed, or strings kept as keys of a growing Map. "
		   "`leakhound top --by class` and `leakhound diff` show which strings are new.",
		   out);
}

void leak_findings_free(struct leak_findings *f)
{
	for (size_t i = 0; i < f->count; i++) {
		free(f->items[i].path);
		free(f->items[i].acc);
	}
	f->count = 0;
}
