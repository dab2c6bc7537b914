/*
 * findings.c - the rules behind findings.h.
 *
 * Handles are the blind spot the rules target first: a handle is a slot in
 * V8's native handle blocks, outside the JS heap, so a pile of them is
 * invisible in every heap size DevTools shows, yet each one also keeps its
 * target alive. The snapshot still records one edge per handle from the
 * synthetic root that owns it.
 */
#include "findings.h"

#include "../common/format.h"
#include "../common/sort.h"
#include "detached.h"

const struct findings_thresholds findings_default_thresholds = {
	.handle_scope_edges = 10000,
	.handle_scope_share = 10.0,
	.global_handles_edges = 100000,
	.global_handles_share = 25.0,
	.root_share = 50.0,
	.detached_nodes = 100,
};

static struct finding *add(struct findings *out, const char *id, uint32_t node, uint64_t edges, double share)
{
	if (out->count == LH_ARRAY_LEN(out->items))
		return NULL;
	struct finding *f = &out->items[out->count++];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->node = node;
	f->edges = edges;
	f->share = share;
	return f;
}

/* "all to one node, 'undefined' (hidden, @71)" or "to 1,234 distinct nodes". */
static void describe_targets(const struct heap_snapshot *s, const struct summary_fanout *r, char *buf, size_t size)
{
	char count[32];
	uint32_t t = r->group_count ? heap_edge_to(s, r->groups[0].edge) : 0;
	if (r->distinct_targets == 1 && r->group_count)
		fmt_into(buf, size, "all to one node, '%s' (%s, @%u)", heap_node_name(s, t), heap_node_type_name(s, t),
		    s->node_id[t]);
	else
		fmt_into(buf, size, "to %s distinct nodes", fmt_count(count, sizeof(count), r->distinct_targets));
}

static bool abnormal(const struct heap_snapshot *s, uint64_t edges, uint64_t min_edges, double min_share,
		     uint64_t share_floor)
{
	return edges >= min_edges || (edges >= share_floor && summary_edge_share(s, edges) >= min_share);
}

static void handle_scope_rule(const struct heap_snapshot *s, const struct summary_fanout *r,
			      const struct findings_thresholds *th, struct findings *out)
{
	if (!abnormal(s, r->edges, th->handle_scope_edges, th->handle_scope_share, 1000))
		return;
	double share = summary_edge_share(s, r->edges);
	struct finding *f = add(out, "handle-scope-pileup", r->node, r->edges, share);
	if (!f)
		return;
	char targets[300];
	describe_targets(s, r, targets, sizeof(targets));
	f->native_bytes = summary_handle_bytes(s, r->node, r->edges);
	char count[32], bytes[32];
	fmt_into(f->title, sizeof(f->title), "\"(Handle scope)\" holds %s edges (%.1f%% of all edges), %s",
	    fmt_count(count, sizeof(count), r->edges), share, targets);
	fmt_into(f->explanation, sizeof(f->explanation),
	    "Handles created outside any HandleScope of their own pile up in an outer scope that is never closed, "
	    "so they live as long as the process. This is the classic pattern of a native addon that creates V8 "
	    "handles (Local<T>, napi_value) in an async completion callback (uv_queue_work's after-work callback, "
	    "a uv timer or async handle, a thread-safe function) without opening a v8::HandleScope or "
	    "napi_open_handle_scope per callback. Each handle is one %d-byte slot in V8's native handle blocks, "
	    "outside the JS heap: about %s here that no heap size in DevTools shows, and every handle "
	    "keeps its target alive. Look at the native addons this process loads: their completion callbacks, "
	    "and handles created there; compare snapshots over time (this count grows with each call).",
	    SUMMARY_HANDLE_SLOT_BYTES, fmt_bytes(bytes, sizeof(bytes), f->native_bytes));
}

static void global_handles_rule(const struct heap_snapshot *s, const struct summary_fanout *r,
				const struct findings_thresholds *th, struct findings *out)
{
	if (!abnormal(s, r->edges, th->global_handles_edges, th->global_handles_share, 10000))
		return;
	double share = summary_edge_share(s, r->edges);
	struct finding *f = add(out, "global-handles-pileup", r->node, r->edges, share);
	if (!f)
		return;
	char targets[300];
	describe_targets(s, r, targets, sizeof(targets));
	char count[32];
	fmt_into(f->title, sizeof(f->title), "\"(Global handles)\" holds %s edges (%.1f%% of all edges), %s",
	    fmt_count(count, sizeof(count), r->edges), share, targets);
	fmt_into(f->explanation, sizeof(f->explanation),
	    "Global (persistent) handles keep their targets alive until native code resets them. This many "
	    "usually means persistent handles created per request or per object and never Reset() "
	    "(v8::Global / v8::Persistent, napi_create_reference without napi_delete_reference, "
	    "ObjectWrap objects never released). Look at the native addons' reference handling, and at "
	    "what the handles point to (the fan-out table below).");
}

static void dominant_root_rule(const struct heap_snapshot *s, const struct summary_fanout *r,
			       const struct findings_thresholds *th, struct findings *out)
{
	double share = summary_edge_share(s, r->edges);
	if (share < th->root_share)
		return;
	struct finding *f = add(out, "dominant-gc-root", r->node, r->edges, share);
	if (!f)
		return;
	char targets[300];
	describe_targets(s, r, targets, sizeof(targets));
	char count[32];
	fmt_into(f->title, sizeof(f->title), "GC root \"%s\" holds %s edges (%.1f%% of all edges), %s",
	    heap_node_name(s, r->node), fmt_count(count, sizeof(count), r->edges), share, targets);
	fmt_into(f->explanation, sizeof(f->explanation),
	    "One synthetic GC root owning most of the graph's edges is unusual: in a healthy process the "
	    "edges spread over the objects of the heap. Whatever this root stands for inside V8 or the "
	    "embedder is accumulating references; compare snapshots over time to see whether it grows.");
}

static void bad_edges_rule(const struct heap_snapshot *s, struct findings *out)
{
	if (!s->bad_edges)
		return;
	struct finding *f = add(out, "bad-edges", UINT32_MAX, s->bad_edges, summary_edge_share(s, s->bad_edges));
	if (!f)
		return;
	fmt_into(f->title, sizeof(f->title), "%llu edges point at no node (to_node is not a node offset)",
	    (unsigned long long)s->bad_edges);
	fmt_into(f->explanation, sizeof(f->explanation),
	    "V8 does not write such edges: the file was damaged or produced by another tool. They were kept "
	    "only because --lenient was given, pointing at the root; numbers derived from them are suspect.");
}

/* The names most detached nodes have, as "200 <ul>, 600 <li>, 20 <div>" (at most three, most first). */
static void describe_detached_names(const struct heap_snapshot *s, const uint8_t *dom, char *buf, size_t size)
{
	uint32_t *count = lh_calloc(LH_MAX(s->string_count, 1), sizeof(*count));
	for (uint32_t n = 0; n < s->node_count; n++)
		if (dom[n] == DOM_DETACHED)
			count[s->node_name[n]]++;
	uint32_t top[3] = { UINT32_MAX, UINT32_MAX, UINT32_MAX };
	double score[3];
	for (uint32_t i = 0; i < s->string_count; i++)
		if (count[i])
			lh_top_offer(top, score, LH_ARRAY_LEN(top), i, count[i]);
	buf[0] = '\0';
	for (size_t k = 0; k < LH_ARRAY_LEN(top) && top[k] != UINT32_MAX; k++) {
		char c[32];
		fmt_append(buf, size, "%s%s %.40s", k ? ", " : "", fmt_count(c, sizeof(c), count[top[k]]),
			   heap_string(s, top[k]));
	}
	free(count);
}

/*
 * Embedder (DOM) nodes that their owner has let go of, and that something
 * outside their trees still references: the classic browser leak, which
 * DevTools shows only as "Detached <tag>" rows among all the others.
 */
static void detached_rule(const struct heap_snapshot *s, const struct findings_thresholds *th, struct findings *out)
{
	uint8_t *dom = heap_dom_states(s);
	if (!dom)
		return;
	uint64_t count = 0, bytes = 0, references = 0;
	uint32_t sample = UINT32_MAX;
	for (uint32_t n = 0; n < s->node_count; n++) {
		if (dom[n] == DOM_DETACHED) {
			count++;
			bytes += heap_node_self_size(s, n);
			continue;
		}
		for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n); e++) {
			uint32_t t = heap_edge_to(s, e);
			if (dom[t] == DOM_DETACHED && heap_edge_kind(s, e) != HEAP_EDGE_WEAK) {
				references++;
				sample = sample == UINT32_MAX ? t : sample;
			}
		}
	}
	struct finding *f = NULL;
	if (count && count >= th->detached_nodes)
		f = add(out, "detached-dom", sample, references, summary_edge_share(s, references));
	if (f) {
		f->nodes = count;
		f->native_bytes = bytes; /* embedder nodes: their sizes are outside the JS heap */
		char c[32], b[32], r[32], names[200];
		describe_detached_names(s, dom, names, sizeof(names));
		fmt_into(f->title, sizeof(f->title), "%s detached DOM (embedder) nodes, %s, are still in the heap, held by %s "
		    "references from outside their trees: %s", fmt_count(c, sizeof(c), count),
		    fmt_bytes(b, sizeof(b), bytes), fmt_count(r, sizeof(r), references), names);
		fmt_into(f->explanation, sizeof(f->explanation),
		    "Their owner (the document) has let go of them, but JavaScript or another live object still "
		    "reaches them: elements removed from the page and kept in an array, a cache, a closure or an "
		    "event listener. DevTools lists them as \"Detached <tag>\" rows among all the others. "
		    "`leakhound path FILE @%u` shows what holds one of them; `leakhound top --by class` ranks "
		    "their classes by retained size; `leakhound check` over snapshots tells whether they grow.",
		    sample == UINT32_MAX ? 0 : s->node_id[sample]);
	}
	free(dom);
}

void findings_compute(const struct heap_snapshot *s, const struct heap_summary *sum,
		      const struct findings_thresholds *th, struct findings *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sum->root_count; i++) {
		const struct summary_fanout *r = &sum->roots[i];
		const char *name = heap_node_name(s, r->node);
		if (!strcmp(name, "(Handle scope)"))
			handle_scope_rule(s, r, th, out);
		else if (!strcmp(name, "(Global handles)"))
			global_handles_rule(s, r, th, out);
		else
			dominant_root_rule(s, r, th, out);
	}
	detached_rule(s, th, out);
	bad_edges_rule(s, out);
}
