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

const struct findings_thresholds findings_default_thresholds = {
	.handle_scope_edges = 10000,
	.handle_scope_share = 10.0,
	.global_handles_edges = 100000,
	.global_handles_share = 25.0,
	.root_share = 50.0,
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
	bad_edges_rule(s, out);
}
