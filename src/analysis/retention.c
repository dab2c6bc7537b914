/*
 * retention.c - the dominator pass of retention.h.
 *
 * Order of work, as in DevTools' worker: page-owned flags, essential edges,
 * shallow-size transfer, Lengauer-Tarjan over the essential edges, retained
 * sizes summed up the dominator tree, then distances (two BFS passes).
 * Every array is indexed by node ordinal; Lengauer-Tarjan's are indexed by
 * vertex = ordinal + 1 so that 0 can mean "none", as in the paper.
 *
 * Temporaries are handed on from phase to phase instead of being freed and
 * allocated again: each fresh page costs a kernel fault and zeroing, which
 * was a quarter of `top`'s time. The essential edges' in-counts become the
 * retainer list starts, then dom[], then the dominators. Lengauer-Tarjan's
 * three per-vertex scratch arrays share one block that then holds the self
 * sizes, the shallow-size owners and the distances' queue; the retainer
 * lists' block becomes the transfer's worklist, then the retained sizes;
 * the DFS order becomes the distances.
 *
 * The passes over all edges are bound by random access to per-node data,
 * so the questions asked of every edge's target (numbered yet? reached
 * yet? ownable and not yet shared?) are asked of bitmaps that stay in
 * cache, not of the 4-byte-per-node arrays.
 */
#include "retention.h"

#include "../common/strmap.h"

/* MARK: - WeakMap edge names */

static bool skip_digits(const char **p)
{
	const char *start = *p;
	while (**p >= '0' && **p <= '9')
		(*p)++;
	return *p > start;
}

/* Whether text[0..len) ends with " @<digits>)". */
static bool ends_with_id(const char *text, size_t len)
{
	if (len < 4 || text[len - 1] != ')')
		return false;
	size_t i = len - 1;
	while (i > 0 && text[i - 1] >= '0' && text[i - 1] <= '9')
		i--;
	return i < len - 1 && i >= 2 && text[i - 1] == '@' && text[i - 2] == ' ';
}

/*
 * DevTools matches /^\d+( \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\)
 * pair in WeakMap \(table @(\d+)\))$/ ('.' excludes line breaks).
 */
bool retention_parse_weakmap_edge_name(const char *name, uint64_t *table_id, size_t *prefix_length)
{
	static const char head[] = " / part of key (", arrow[] = ") -> value (", tail[] = " pair in WeakMap (table @";
	const char *p = name;
	if (!skip_digits(&p) || strncmp(p, head, sizeof(head) - 1) != 0 || strpbrk(name, "\n\r"))
		return false;
	size_t prefix = (size_t)(p - name);
	const char *middle = p + sizeof(head) - 1;
	/* The table id closes the name: "... pair in WeakMap (table @123)". */
	size_t len = strlen(name);
	if (len < 2 || name[len - 1] != ')')
		return false;
	const char *digits_end = name + len - 1, *digits = digits_end;
	while (digits > middle && digits[-1] >= '0' && digits[-1] <= '9')
		digits--;
	size_t tail_len = sizeof(tail) - 1;
	if (digits == digits_end || (size_t)(digits - middle) < tail_len ||
	    strncmp(digits - tail_len, tail, tail_len) != 0)
		return false;
	const char *middle_end = digits - tail_len; /* "<k> @id) -> value (<v> @id)" */
	/* Some ") -> value (" must follow "<k> @id" and leave "<v> @id)" before the tail. */
	for (const char *a = middle; (a = strstr(a, arrow)) && a < middle_end; a++) {
		const char *after = a + sizeof(arrow) - 1;
		if (after <= middle_end && ends_with_id(middle, (size_t)(a - middle) + 1) &&
		    ends_with_id(after, (size_t)(middle_end - after))) {
			uint64_t id = 0;
			for (const char *d = digits; d < digits_end && id <= UINT32_MAX; d++)
				id = id * 10 + (uint64_t)(*d - '0');
			*table_id = id;
			*prefix_length = prefix;
			return true;
		}
	}
	return false;
}

/* MARK: - Bits */

static inline bool bit_get(const uint8_t *bits, size_t i)
{
	return bits[i >> 3] >> (i & 7) & 1;
}

static inline void bit_set(uint8_t *bits, size_t i)
{
	bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static inline void bit_clear(uint8_t *bits, size_t i)
{
	bits[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

static inline void bit_flip(uint8_t *bits, size_t i)
{
	bits[i >> 3] ^= (uint8_t)(1u << (i & 7));
}

static uint8_t *bits_new(size_t count)
{
	return lh_calloc(count / 8 + 1, 1);
}

/* MARK: - WeakMap ephemeron names */

/*
 * The strings that are WeakMap ephemeron edge names, each with an id shared
 * by the two edges of one key/value pair (their names differ only in the
 * leading number) and the table's id. Read off the string table, not the
 * edges: almost every string fails at its first byte, and the edges' names
 * are then read only where a rule needs them. A bit per string finds them;
 * only they take more room, since this lives through the dominator pass,
 * the peak of memory.
 */
struct weakmap_name {
	uint32_t string, pair, table;
};

struct weakmap_names {
	uint8_t *named;               /* per string index */
	struct weakmap_name *names;   /* by ascending string index */
	size_t count;
	uint32_t pair_count;
	uint8_t *tables;              /* per ordinal: the table of some ephemeron name; NULL when there is none */
};

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static inline uint32_t id_filter_slot(uint32_t id)
{
	return (id * 0x9E3779B1u) >> 16;
}

/* Marks the nodes whose id some ephemeron name gives as its table. */
static uint8_t *mark_tables(const struct heap_snapshot *s, const struct weakmap_names *w)
{
	if (!w->count)
		return NULL;
	uint32_t *ids = lh_malloc(w->count * sizeof(*ids));
	for (size_t i = 0; i < w->count; i++)
		ids[i] = w->names[i].table;
	qsort(ids, w->count, sizeof(*ids), compare_u32);
	/* A 64 Kbit filter on the id keeps the binary search off almost every node. */
	uint8_t *filter = bits_new(1u << 16), *tables = bits_new(s->node_count);
	for (size_t i = 0; i < w->count; i++)
		bit_set(filter, id_filter_slot(ids[i]));
	for (uint32_t n = 0; n < s->node_count; n++) {
		uint32_t id = s->node_id[n];
		if (bit_get(filter, id_filter_slot(id)) && bsearch(&id, ids, w->count, sizeof(*ids), compare_u32))
			bit_set(tables, n);
	}
	free(filter);
	free(ids);
	return tables;
}

static void weakmap_names_build(const struct heap_snapshot *s, struct weakmap_names *w)
{
	memset(w, 0, sizeof(*w));
	w->named = bits_new(s->string_count);
	struct strmap suffixes = { 0 };
	size_t cap = 0;
	for (uint32_t i = 0; i < s->string_count; i++) {
		const char *name = heap_string(s, i);
		uint64_t table;
		size_t prefix;
		if (*name < '0' || *name > '9' || !retention_parse_weakmap_edge_name(name, &table, &prefix))
			continue;
		bit_set(w->named, i);
		lh_grow((void **)&w->names, &cap, w->count + 1, sizeof(*w->names));
		w->names[w->count++] = (struct weakmap_name){ i, (uint32_t)strmap_intern(&suffixes, name + prefix) + 1,
							     table <= UINT32_MAX ? (uint32_t)table : 0 };
	}
	w->pair_count = (uint32_t)suffixes.count;
	w->tables = mark_tables(s, w);
	strmap_free(&suffixes);
}

static void weakmap_names_free(struct weakmap_names *w)
{
	free(w->named);
	free(w->names);
	free(w->tables);
}

/* Edge e's name if e is a WeakMap ephemeron edge, else NULL. */
static const struct weakmap_name *weakmap_name_of(const struct heap_snapshot *s, const struct weakmap_names *w,
						  uint32_t e)
{
	if (heap_edge_kind(s, e) != HEAP_EDGE_INTERNAL || !bit_get(w->named, s->edge_name[e]))
		return NULL;
	uint32_t string = s->edge_name[e];
	return bsearch(&string, w->names, w->count, sizeof(*w->names), compare_u32); /* keyed by its first field */
}

/* DevTools' rule: the table's own edge to a value, named for the pair, does not retain the value. */
static bool is_table_to_value(const struct heap_snapshot *s, const struct weakmap_names *w, uint32_t n, uint32_t e)
{
	const struct weakmap_name *name = weakmap_name_of(s, w, e);
	return name && name->table == s->node_id[n];
}

/* MARK: - Roots and page-owned nodes */

static bool is_document_dom_trees(const struct heap_snapshot *s, uint32_t n)
{
	return heap_node_kind(s, n) == HEAP_NODE_SYNTHETIC && !strcmp(heap_node_name(s, n), "(Document DOM trees)");
}

/* DevTools' user roots: the root's non-synthetic children, and "(Document DOM trees)". */
static bool is_user_root(const struct heap_snapshot *s, uint32_t n)
{
	return heap_node_kind(s, n) != HEAP_NODE_SYNTHETIC || is_document_dom_trees(s, n);
}

static bool has_user_roots(const struct heap_snapshot *s)
{
	for (uint32_t e = heap_edge_begin(s, s->root); e < heap_edge_end(s, s->root); e++)
		if (is_user_root(s, heap_edge_to(s, e)))
			return true;
	return false;
}

/* Whether the root's edge e seeds the page-owned marking, by each tool's rule. */
static bool is_page_seed(const struct heap_snapshot *s, enum retention_mode mode, uint32_t e)
{
	enum heap_edge_kind kind = heap_edge_kind(s, e);
	uint32_t to = heap_edge_to(s, e);
	if (kind == HEAP_EDGE_ELEMENT && is_document_dom_trees(s, to))
		return mode == RETENTION_DEVTOOLS;
	if (mode == RETENTION_DEVTOOLS)
		return kind == HEAP_EDGE_SHORTCUT;
	return kind != HEAP_EDGE_SHORTCUT; /* memlab: every other child of the root */
}

/* Marks what is reachable over non-weak edges from the seeds (a DFS with an explicit stack). */
static uint8_t *mark_page_owned(const struct heap_snapshot *s, enum retention_mode mode)
{
	uint8_t *owned = bits_new(s->node_count);
	uint32_t *stack = lh_malloc(((size_t)s->node_count + 1) * sizeof(*stack));
	size_t top = 0;
	for (uint32_t e = heap_edge_begin(s, s->root); e < heap_edge_end(s, s->root); e++) {
		uint32_t to = heap_edge_to(s, e);
		if (is_page_seed(s, mode, e) && !bit_get(owned, to)) {
			bit_set(owned, to);
			stack[top++] = to;
		}
	}
	while (top) {
		uint32_t n = stack[--top];
		for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n); e++) {
			uint32_t to = heap_edge_to(s, e);
			if (bit_get(owned, to) || heap_edge_kind(s, e) == HEAP_EDGE_WEAK)
				continue;
			bit_set(owned, to);
			stack[top++] = to;
		}
	}
	free(stack);
	return owned;
}

/* MARK: - Essential edges */

/* Also counts, in in_count (zeroed), the essential edges into each node. */
static uint8_t *essential_edges(const struct heap_snapshot *s, enum retention_mode mode,
				const struct weakmap_names *names, uint32_t *in_count, size_t *count)
{
	uint8_t *essential = bits_new(s->edge_count);
	uint8_t *owned = mode == RETENTION_ALL_EDGES ? NULL : mark_page_owned(s, mode);
	const uint8_t *tables = mode == RETENTION_DEVTOOLS ? names->tables : NULL;
	for (uint32_t n = 0; n < s->node_count; n++) {
		bool table = tables && bit_get(tables, n);
		for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n); e++) {
			enum heap_edge_kind kind = heap_edge_kind(s, e);
			uint32_t to = heap_edge_to(s, e);
			if (kind == HEAP_EDGE_WEAK || to == n)
				continue;
			if (table && is_table_to_value(s, names, n, e))
				continue; /* the key -> value edge is kept instead */
			if (owned && n != s->root &&
			    (kind == HEAP_EDGE_SHORTCUT || (bit_get(owned, to) && !bit_get(owned, n))))
				continue;
			bit_set(essential, e);
			in_count[to]++;
			++*count;
		}
	}
	free(owned);
	return essential;
}

/* MARK: - Node names with a rule */

/*
 * DevTools treats a few nodes apart by type and name. The names are looked
 * up once in the string table, so a node's rule is one byte away.
 */
enum name_rule {
	NO_RULE,
	NATIVE_CONTEXT,           /* a hidden node: its "sloppy_function_map" edge gives no distance */
	MAP_DESCRIPTORS,          /* an array: only some of its element edges give distances */
	EXTERNAL_STRING_DATA,     /* a native node: its size moves to its single owner */
};

static const struct {
	const char *name;
	enum heap_node_kind kind;
} name_rule_nodes[] = {
	[NATIVE_CONTEXT] = { "system / NativeContext", HEAP_NODE_HIDDEN },
	[MAP_DESCRIPTORS] = { "(map descriptors)", HEAP_NODE_ARRAY },
	[EXTERNAL_STRING_DATA] = { "system / ExternalStringData", HEAP_NODE_NATIVE },
};

/* Per string index: the rule of a node so named (if also of the rule's type). */
static uint8_t *name_rules_build(const struct heap_snapshot *s)
{
	uint8_t *rule = lh_calloc(LH_MAX(s->string_count, 1), 1);
	for (uint32_t i = 0; i < s->string_count; i++)
		for (unsigned r = NO_RULE + 1; r < LH_ARRAY_LEN(name_rule_nodes); r++)
			if (!strcmp(heap_string(s, i), name_rule_nodes[r].name))
				rule[i] = (uint8_t)r;
	return rule;
}

static enum name_rule name_rule_of(const struct heap_snapshot *s, const uint8_t *rules, uint32_t n)
{
	enum name_rule rule = rules[s->node_name[n]];
	return rule != NO_RULE && heap_node_kind(s, n) == name_rule_nodes[rule].kind ? rule : NO_RULE;
}

/* MARK: - Shallow sizes */

#define OWNER_UNVISITED UINT32_MAX
#define OWNER_MANY (UINT32_MAX - 1)

static bool is_ownable(const struct heap_snapshot *s, const uint8_t *rules, uint32_t n)
{
	enum heap_node_kind kind = heap_node_kind(s, n);
	return kind == HEAP_NODE_HIDDEN || kind == HEAP_NODE_ARRAY ||
	       (kind == HEAP_NODE_NATIVE && name_rule_of(s, rules, n) == EXTERNAL_STRING_DATA);
}

/*
 * DevTools moves the size of a hidden, array or ExternalStringData node that
 * one non-weak owner reaches (through other such nodes) to that owner, so
 * an object's backing store counts as the object's own size. Skipped, as in
 * DevTools, when the root has no user roots (an "expose internals" file).
 * owner is room for node_count words. The worklist goes in room, resized;
 * returns it for reuse.
 */
static uint32_t *transfer_shallow_sizes(const struct heap_snapshot *s, const uint8_t *rules, uint64_t *self,
					uint32_t *owner, uint32_t *room)
{
	if (!has_user_roots(s))
		return room;
	/* Each node enters the worklist at most twice: when first owned, and when found shared. */
	uint32_t *work = lh_realloc_column(room, 2 * (size_t)s->node_count + 1, sizeof(*work));
	/* Ownable nodes not yet found shared: the only targets whose owner can change, in a bitmap that stays in cache. */
	uint8_t *open = bits_new(s->node_count);
	size_t top = 0;
	for (uint32_t n = 0; n < s->node_count; n++) {
		if (is_ownable(s, rules, n)) {
			owner[n] = OWNER_UNVISITED;
			bit_set(open, n);
		} else {
			owner[n] = n;
			work[top++] = n;
		}
	}
	while (top) {
		uint32_t n = work[--top], by = owner[n];
		for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n); e++) {
			uint32_t t = heap_edge_to(s, e);
			if (!bit_get(open, t) || heap_edge_kind(s, e) == HEAP_EDGE_WEAK)
				continue;
			if (owner[t] == OWNER_UNVISITED)
				owner[t] = by;
			else if (owner[t] != by)
				owner[t] = OWNER_MANY;
			else
				continue;
			if (owner[t] == OWNER_MANY)
				bit_clear(open, t);
			work[top++] = t;
		}
	}
	free(open);
	for (uint32_t n = 0; n < s->node_count; n++) {
		uint32_t o = owner[n];
		if (o == OWNER_UNVISITED || o == OWNER_MANY || o == n || o == s->root ||
		    heap_node_kind(s, o) == HEAP_NODE_SYNTHETIC)
			continue;
		self[o] += self[n];
		self[n] = 0;
	}
	return work;
}

/* MARK: - Retainers */

/* memlab's orphan test: no retaining edge but weak or shortcut ones. */
static uint8_t *strongly_referred(const struct heap_snapshot *s)
{
	uint8_t *referred = bits_new(s->node_count);
	for (uint32_t e = 0; e < s->edge_count; e++) {
		enum heap_edge_kind kind = heap_edge_kind(s, e);
		if (kind != HEAP_EDGE_WEAK && kind != HEAP_EDGE_SHORTCUT)
			bit_set(referred, heap_edge_to(s, e));
	}
	return referred;
}

/* MARK: - Lengauer-Tarjan */

/*
 * Memory is the constraint here (10^7-10^8 nodes): the textbook arrays are
 * folded together without changing a single result.
 *   - ancestor[] holds the DFS parent until a vertex is linked into the
 *     forest (the linked bit tells which), so there is no parent[] array.
 *   - dom[] holds, for a vertex not yet processed, the head of its bucket
 *     (only vertices with higher DFS numbers are ever put in it, and they
 *     are all processed first); for a processed one, its link in the bucket
 *     it sits in, then its dominator.
 *   - Path compression reverses the ancestor links on the way up instead
 *     of keeping a stack.
 *   - The retainers of all vertices sit in one array in the order the main
 *     loop visits them (falling DFS number), each list's first entry
 *     flagged, so no per-node offsets are kept. The DFS tree edge into a
 *     vertex (every vertex has one, but the roots of the searches for
 *     orphans and the leftover cliques) is left out of its list and flagged
 *     in a bit instead: the parent, not yet processed when the vertex is,
 *     offers exactly its own DFS number, and most vertices are retained by
 *     their parent alone, so most lists are empty and take no room.
 *     (Further edges from the parent go into the list: they offer the same
 *     number again.)
 *   - essential_edges() counts each node's essential in-edges, and the DFS
 *     takes the tree edge off the count and clears its essential bit, so
 *     one more pass over the edges lays the lists out.
 */
#define FIRST_RETAINER (1u << 31)

struct lengauer_tarjan {
	const struct heap_snapshot *s;
	uint8_t *essential;           /* the DFS clears its tree edges' bits */
	uint32_t *ancestor, *vertex, *label, *semi, *dom;
	uint8_t *linked;              /* while numbering: which vertices are numbered */
	uint32_t *next_edge;          /* DFS cursor per ordinal, during numbering only */
	uint32_t *retainer_count;     /* per ordinal: essential edges in but the tree edge; then list starts */
	size_t retainer_total;        /* their sum */
	uint8_t *parent_retains;      /* per vertex: a DFS tree edge leads into it */
	uint8_t *other_retainers;     /* per vertex: its list holds retainers besides the parent */
	uint32_t *retainers;
	uint32_t n;                   /* vertices numbered so far */
};

static void lt_number(struct lengauer_tarjan *lt, uint32_t v)
{
	bit_set(lt->linked, v);
	lt->semi[v] = ++lt->n;
	lt->vertex[lt->n] = v;
}

/* Iterative DFS from vertex root over essential edges, in edge order. */
static void lt_dfs(struct lengauer_tarjan *lt, uint32_t root)
{
	const struct heap_snapshot *s = lt->s;
	lt->next_edge[root - 1] = heap_edge_begin(s, root - 1);
	uint32_t v = root;
	while (v) {
		if (!bit_get(lt->linked, v))
			lt_number(lt, v);
		uint32_t next = lt->ancestor[v], o = v - 1, end = heap_edge_end(s, o);
		for (; lt->next_edge[o] < end; lt->next_edge[o]++) {
			uint32_t e = lt->next_edge[o];
			if (!bit_get(lt->essential, e))
				continue;
			uint32_t w = heap_edge_to(s, e) + 1;
			if (!bit_get(lt->linked, w)) {
				bit_clear(lt->essential, e);
				bit_set(lt->parent_retains, w);
				lt->retainer_count[w - 1]--;
				lt->retainer_total--;
				lt->ancestor[w] = v;
				lt->next_edge[w - 1] = heap_edge_begin(s, w - 1);
				next = w;
				break;
			}
		}
		v = next;
	}
}

/* Numbers the nodes the root does not reach, as DevTools and memlab do. */
static uint32_t lt_number_unreached(struct lengauer_tarjan *lt, enum retention_mode mode, uint32_t r)
{
	const struct heap_snapshot *s = lt->s;
	uint32_t reached = lt->n;
	if (lt->n < s->node_count) {
		/* Orphans (nothing retains them) first, each with its own DFS under the root. */
		uint8_t *referred = mode == RETENTION_MEMLAB ? strongly_referred(s) : NULL;
		for (uint32_t v = 1; v <= s->node_count; v++) {
			if (bit_get(lt->linked, v))
				continue;
			bool orphan = referred ? !bit_get(referred, v - 1) : !lt->retainer_count[v - 1];
			if (orphan) {
				lt->ancestor[v] = r;
				lt_dfs(lt, v);
			}
		}
		free(referred);
	}
	/* Then whatever is left (cliques retaining one another) hangs directly under the root. */
	for (uint32_t v = 1; v <= s->node_count && lt->n < s->node_count; v++) {
		if (!bit_get(lt->linked, v)) {
			lt->ancestor[v] = r;
			lt_number(lt, v);
		}
	}
	return s->node_count - reached;
}

/* Lays out every vertex's retainers but the DFS tree edge (see above), in falling DFS number. */
static void lt_lay_out_retainers(struct lengauer_tarjan *lt)
{
	const struct heap_snapshot *s = lt->s;
	uint32_t *start = lt->retainer_count;
	lt->other_retainers = bits_new((size_t)s->node_count + 1);
	lt->retainers = lh_calloc_column(LH_MAX(lt->retainer_total, 1), sizeof(uint32_t));
	size_t total = 0;
	for (uint32_t i = lt->n; i >= 1; i--) {
		uint32_t o = lt->vertex[i] - 1, count = start[o];
		start[o] = (uint32_t)total;
		if (count) {
			bit_set(lt->other_retainers, o + 1);
			lt->retainers[total] = FIRST_RETAINER;
		}
		total += count;
	}
	for (uint32_t n = 0; n < s->node_count; n++)
		for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n); e++)
			if (bit_get(lt->essential, e))
				lt->retainers[start[heap_edge_to(s, e)]++] |= n;
}

/* v is linked and so is its ancestor. */
static void lt_compress(struct lengauer_tarjan *lt, uint32_t v)
{
	uint32_t *ancestor = lt->ancestor, below = 0, x = v;
	while (bit_get(lt->linked, ancestor[x])) {
		uint32_t up = ancestor[x];
		ancestor[x] = below;
		below = x;
		x = up;
	}
	for (uint32_t up = x; below;) {
		uint32_t w = below;
		below = ancestor[w];
		if (lt->semi[lt->label[up]] < lt->semi[lt->label[w]])
			lt->label[w] = lt->label[up];
		ancestor[w] = ancestor[up];
		up = w;
	}
}

static uint32_t lt_eval(struct lengauer_tarjan *lt, uint32_t v)
{
	if (!bit_get(lt->linked, v))
		return v;
	if (bit_get(lt->linked, lt->ancestor[v]))
		lt_compress(lt, v);
	return lt->label[v];
}

/*
 * A bucket whose owner is reached in the main loop can gain no member after
 * that (members have higher DFS numbers), and only the owner's DFS
 * children empty it; what is left (an owner without DFS children: the
 * leftover cliques) keeps no dominator until the final pass, as in DevTools.
 */
static void lt_abandon_bucket(struct lengauer_tarjan *lt, uint32_t owner)
{
	for (uint32_t v = lt->dom[owner], next; v; v = next) {
		next = lt->dom[v];
		lt->dom[v] = 0;
	}
}

static void lt_main_loop(struct lengauer_tarjan *lt, uint32_t r)
{
	for (uint32_t v = 1; v <= lt->n; v++)
		lt->label[v] = v;
	const uint32_t *retainer = lt->retainers, *retainers_end = lt->retainers + lt->retainer_total;
	for (uint32_t i = lt->n; i >= 2; i--) {
		uint32_t w = lt->vertex[i];
		bool parent = bit_get(lt->parent_retains, w), others = bit_get(lt->other_retainers, w);
		if (!parent && !others)
			lt->semi[w] = lt->semi[r]; /* an orphan: as if the root retained it */
		if (parent && lt->semi[lt->ancestor[w]] < lt->semi[w]) /* the parent is not linked yet: eval() is itself */
			lt->semi[w] = lt->semi[lt->ancestor[w]];
		if (others) {
			do {
				uint32_t u = lt_eval(lt, (*retainer++ & ~FIRST_RETAINER) + 1);
				if (lt->semi[u] < lt->semi[w])
					lt->semi[w] = lt->semi[u];
			} while (retainer < retainers_end && !(*retainer & FIRST_RETAINER));
		}
		lt_abandon_bucket(lt, w);
		uint32_t sd = lt->vertex[lt->semi[w]], p = lt->ancestor[w];
		if (sd == w) {
			lt->dom[w] = 0; /* its own bucket, which nothing will empty */
		} else if (sd == p) {
			lt->dom[w] = p; /* what p's bucket would give it now: linked under an unlinked p, eval(w) is w */
		} else {
			lt->dom[w] = lt->dom[sd];
			lt->dom[sd] = w;
		}
		bit_set(lt->linked, w);
		for (uint32_t v = lt->dom[p], next; v; v = next) {
			next = lt->dom[v];
			uint32_t u = lt_eval(lt, v);
			lt->dom[v] = lt->semi[u] < lt->semi[v] ? u : p;
		}
		lt->dom[p] = 0;
	}
	lt->dom[0] = lt->dom[r] = r;
	for (uint32_t i = 2; i <= lt->n; i++) {
		uint32_t w = lt->vertex[i];
		if (lt->dom[w] != lt->vertex[lt->semi[w]])
			lt->dom[w] = lt->dom[lt->dom[w]];
	}
}

/*
 * Fills out->dominator and out->unreachable, taking over in_count
 * (node_count + 1 words, from essential_edges()). Returns the nodes in DFS
 * order (ordinals), which lists every node after its dominator, and for the
 * caller to reuse, in *scratch a block of 3 * (node_count + 1) words and in
 * *spare the retainer lists' block, of any size.
 */
static uint32_t *dominators(const struct heap_snapshot *s, enum retention_mode mode, uint8_t *essential,
			    size_t essential_count, uint32_t *in_count, struct retention *out, uint32_t **scratch,
			    uint32_t **spare)
{
	size_t len = (size_t)s->node_count + 1;
	struct lengauer_tarjan lt = { .s = s, .essential = essential, .retainer_count = in_count,
				      .retainer_total = essential_count };
	*scratch = lh_calloc_column(3 * len, sizeof(uint32_t));
	lt.ancestor = *scratch;
	lt.semi = *scratch + len;
	lt.next_edge = *scratch + 2 * len; /* then label[] */
	lt.vertex = lh_calloc_column(len, sizeof(uint32_t));
	lt.linked = bits_new(len);
	lt.parent_retains = bits_new(len);
	uint32_t r = s->root + 1;
	lt_dfs(&lt, r);
	out->unreachable = lt_number_unreached(&lt, mode, r);
	lt_lay_out_retainers(&lt);
	lt.label = lt.next_edge;
	lt.dom = memset(lt.retainer_count, 0, len * sizeof(*lt.dom));
	memset(lt.linked, 0, len / 8 + 1);
	lt_main_loop(&lt, r);
	free(lt.linked);
	*spare = lt.retainers;
	free(lt.parent_retains);
	free(lt.other_retainers);

	/* dom[] becomes the dominator column in place, and vertex[] the order: vertex v + 1 -> ordinal v. */
	for (uint32_t n = 0; n < s->node_count; n++) {
		lt.dom[n] = lt.dom[n + 1] - 1;
		lt.vertex[n] = lt.vertex[n + 1] - 1;
	}
	out->dominator = lh_realloc_column(lt.dom, LH_MAX(s->node_count, 1), sizeof(uint32_t));
	return lh_realloc_column(lt.vertex, LH_MAX(s->node_count, 1), sizeof(uint32_t));
}

/*
 * Sums sizes up the dominator tree: children before their dominators, so
 * reverse DFS order. Into room (a block of any size, resized and taken over).
 */
static uint64_t *retained_sizes(const struct heap_snapshot *s, const struct retention *r, const uint32_t *order,
				void *room)
{
	uint64_t *retained = lh_realloc_column(room, LH_MAX(s->node_count, 1), sizeof(uint64_t));
	memcpy(retained, r->self_size, (size_t)s->node_count * sizeof(uint64_t));
	for (uint32_t i = s->node_count; i > 1; i--) {
		uint32_t n = order[i - 1];
		retained[r->dominator[n]] += retained[n];
	}
	return retained;
}

/* MARK: - Distances */

/* JavaScript's parseInt() of an edge name, as DevTools applies it: leading digits, or none. */
static bool parse_int_prefix(const char *text, long long *out)
{
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	bool negative = *text == '-';
	if (*text == '-' || *text == '+')
		text++;
	if (*text < '0' || *text > '9')
		return false;
	long long v = 0;
	for (; *text >= '0' && *text <= '9' && v < (1ll << 53); text++)
		v = v * 10 + (*text - '0');
	*out = negative ? -v : v;
	return true;
}

struct distance_pass {
	const struct heap_snapshot *s;
	const struct weakmap_names *names;
	uint8_t *pending;             /* WeakMap pairs whose first edge was skipped */
	uint32_t *queue;              /* room for every node once */
	int32_t *distance;
	uint8_t *reached;             /* distance[n] is set: the one question every edge asks, kept in cache */
	const uint8_t *rules;         /* name_rules_build() */
};

static void set_distance(struct distance_pass *d, uint32_t n, int32_t distance)
{
	d->distance[n] = distance;
	bit_set(d->reached, n);
}

/* DevTools' distance filter (JSHeapSnapshot.calculateDistances). */
static bool distance_follows(struct distance_pass *d, enum name_rule rule, uint32_t e)
{
	const struct heap_snapshot *s = d->s;
	if (rule == NATIVE_CONTEXT || rule == MAP_DESCRIPTORS) {
		const char *edge_name = heap_edge_is_indexed(s, e) ? NULL : heap_string(s, s->edge_name[e]);
		if (rule == NATIVE_CONTEXT && edge_name && !strcmp(edge_name, "sloppy_function_map"))
			return false;
		if (rule == MAP_DESCRIPTORS) {
			long long index;
			bool numeric = edge_name ? parse_int_prefix(edge_name, &index) : (index = s->edge_name[e], true);
			return !numeric || index < 2 || index % 3 != 1;
		}
	}
	const struct weakmap_name *name = weakmap_name_of(s, d->names, e);
	if (name) {
		uint32_t pair = name->pair;
		/* Skip the first edge of each key/value pair, so the value's distance is the larger of the two. */
		bool seen = bit_get(d->pending, pair);
		bit_flip(d->pending, pair);
		if (!seen)
			return false;
	}
	return true;
}

static void bfs(struct distance_pass *d, size_t length)
{
	const struct heap_snapshot *s = d->s;
	for (size_t head = 0; head < length; head++) {
		uint32_t n = d->queue[head];
		int32_t next = d->distance[n] + 1;
		enum name_rule rule = name_rule_of(s, d->rules, n);
		for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n); e++) {
			uint32_t t = heap_edge_to(s, e);
			if (bit_get(d->reached, t) || heap_edge_kind(s, e) == HEAP_EDGE_WEAK || !distance_follows(d, rule, e))
				continue;
			set_distance(d, t, next);
			d->queue[length++] = t;
		}
	}
}

/*
 * User roots at distance 1 first; then whatever only the system reaches,
 * from the root at 10^8. Into room (node_count words, taken over), with the
 * queue in queue_room (node_count words, lent).
 */
static void distances(const struct heap_snapshot *s, const struct weakmap_names *names, const uint8_t *rules,
		      struct retention *out, uint32_t *room, uint32_t *queue_room)
{
	struct distance_pass d = { .s = s, .names = names, .rules = rules, .distance = (int32_t *)room,
				   .queue = queue_room };
	d.pending = bits_new((size_t)names->pair_count + 1);
	d.reached = bits_new(s->node_count);
	for (uint32_t n = 0; n < s->node_count; n++)
		d.distance[n] = RETENTION_NO_DISTANCE;
	size_t length = 0;
	for (uint32_t e = heap_edge_begin(s, s->root); e < heap_edge_end(s, s->root); e++) {
		uint32_t t = heap_edge_to(s, e);
		if (is_user_root(s, t) && !bit_get(d.reached, t)) {
			set_distance(&d, t, 1);
			d.queue[length++] = t;
		}
	}
	bfs(&d, length);
	set_distance(&d, s->root, length ? RETENTION_SYSTEM_DISTANCE : 0);
	d.queue[0] = s->root;
	bfs(&d, 1);
	out->distance = d.distance;
	free(d.pending);
	free(d.reached);
}

/* MARK: - Public */

struct retention *retention_compute(const struct heap_snapshot *s, enum retention_mode mode)
{
	struct retention *r = lh_calloc(1, sizeof(*r));
	r->mode = mode;
	/* The dominators first: their temporaries are the peak of memory, so nothing else is held yet. */
	struct weakmap_names names;
	weakmap_names_build(s, &names);
	uint32_t *in_count = lh_calloc_column((size_t)s->node_count + 1, sizeof(uint32_t));
	size_t essential_count = 0;
	uint8_t *essential = essential_edges(s, mode, &names, in_count, &essential_count);
	uint32_t *scratch, *spare;
	uint32_t *order = dominators(s, mode, essential, essential_count, in_count, r, &scratch, &spare);
	free(essential);
	/*
	 * The scratch block: self sizes in its first 2 * node_count words; the
	 * next node_count hold the owners, then the distances' queue. The
	 * retainer lists' block becomes the transfer's worklist, then the
	 * retained sizes.
	 */
	r->self_size = (uint64_t *)(void *)scratch;
	uint32_t *rest = scratch + 2 * (size_t)s->node_count;
	for (uint32_t n = 0; n < s->node_count; n++)
		r->self_size[n] = heap_node_self_size(s, n);
	uint8_t *rules = name_rules_build(s);
	if (mode == RETENTION_DEVTOOLS)
		spare = transfer_shallow_sizes(s, rules, r->self_size, rest, spare);
	r->retained_size = retained_sizes(s, r, order, spare);
	distances(s, &names, rules, r, order, rest);
	r->self_size = lh_realloc_column(r->self_size, s->node_count, sizeof(*r->self_size));
	free(rules);
	weakmap_names_free(&names);
	return r;
}

void retention_free(struct retention *r)
{
	if (!r)
		return;
	free(r->self_size);
	free(r->retained_size);
	free(r->dominator);
	free(r->distance);
	free(r);
}

static const char *const mode_names[] = { "devtools", "memlab", "all-edges" };

bool retention_mode_parse(const char *name, enum retention_mode *out)
{
	for (size_t i = 0; i < LH_ARRAY_LEN(mode_names); i++) {
		if (!strcmp(name, mode_names[i])) {
			*out = (enum retention_mode)i;
			return true;
		}
	}
	return false;
}

const char *retention_mode_name(enum retention_mode mode)
{
	return mode_names[mode];
}
