/*
 * classes.c - per-node classes with DevTools' interface inference (classes.h).
 *
 * Sections: UTF-16 string order (JavaScript sorts strings by UTF-16 code
 * units, which differs from UTF-8 byte order for characters above U+FFFF),
 * inference of interface definitions, the property tree that matches
 * objects to definitions, and the per-node assignment.
 */
#include "classes.h"

#include "classname.h"
#include "detached.h"

#define MIN_INTERFACE_PROPERTY_COUNT 1
#define MAX_INTERFACE_NAME_LENGTH 120
#define MIN_OBJECT_COUNT_PER_INTERFACE 2
#define MIN_OBJECT_PROPORTION_PER_INTERFACE 1000

/* MARK: - UTF-16 order */

/* Decodes one UTF-8 code point at *p (input is valid UTF-8: the reader guarantees it). */
static uint32_t next_code_point(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n == 2)
		c = (c & 0x1f) << 6 | (s[1] & 0x3f);
	else if (n == 3)
		c = (c & 0x0f) << 12 | (s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	else if (n == 4)
		c = (c & 0x07) << 18 | (s[1] & 0x3f) << 12 | (s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	*p = s + n;
	return c;
}

/* The first UTF-16 code unit of a code point: what JavaScript compares first. */
static uint32_t first_unit(uint32_t c)
{
	return c < 0x10000 ? c : 0xd800 + ((c - 0x10000) >> 10);
}

static uint32_t second_unit(uint32_t c)
{
	return 0xdc00 + ((c - 0x10000) & 0x3ff);
}

static int utf16_compare(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	while (*p == *q && *p && *p < 0x80) { /* ASCII prefix: byte order is code unit order */
		p++;
		q++;
	}
	while (*p && *q) {
		uint32_t x = next_code_point(&p), y = next_code_point(&q);
		if (x == y)
			continue;
		uint32_t ux = first_unit(x), uy = first_unit(y);
		if (ux == uy) /* two astral characters sharing a lead surrogate */
			ux = second_unit(x), uy = second_unit(y);
		return ux < uy ? -1 : 1;
	}
	return (*p != 0) - (*q != 0);
}

static size_t utf16_length(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;)
		n += next_code_point(&p) < 0x10000 ? 1 : 2;
	return n;
}

static const struct heap_snapshot *sorting;

static int by_property_text(const void *a, const void *b)
{
	return utf16_compare(heap_string(sorting, *(const uint32_t *)a), heap_string(sorting, *(const uint32_t *)b));
}

static void sort_properties(const struct heap_snapshot *s, uint32_t *names, size_t count)
{
	sorting = s;
	if (count)
		qsort(names, count, sizeof(*names), by_property_text);
}

/* MARK: - Inference */

/* The string index of "Object" (V8 interns names, so one index stands for the text), or UINT32_MAX. */
static uint32_t find_object_name(const struct heap_snapshot *s)
{
	for (uint32_t i = 0; i < s->string_count; i++)
		if (heap_string_length(s, i) == 6 && !strcmp(heap_string(s, i), "Object"))
			return i;
	return UINT32_MAX;
}

static bool is_plain_object(const struct heap_snapshot *s, uint32_t object_name, uint32_t n)
{
	return s->node_name[n] == object_name && heap_node_kind(s, n) == HEAP_NODE_OBJECT;
}

/* JSHeapSnapshotNode.formatPropertyName: names with , ' " { } are shown JSON-quoted. */
static void append_property_name(char **buf, size_t *len, size_t *cap, const char *name)
{
	bool quote = strpbrk(name, ",'\"{}") != NULL;
	size_t need = *len + 6 * strlen(name) + 3;
	lh_grow((void **)buf, cap, need + 1, 1);
	char *out = *buf + *len;
	if (quote)
		*out++ = '"';
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (quote && (c == '"' || c == '\\')) {
			*out++ = '\\';
			*out++ = (char)c;
		} else if (quote && c < 0x20) {
			static const char short_escapes[] = "btnvfr";
			if (c >= 8 && c <= 13 && c != 11)
				out += sprintf(out, "\\%c", short_escapes[c - 8]);
			else
				out += sprintf(out, "\\u%04x", c);
		} else {
			*out++ = (char)c;
		}
	}
	if (quote)
		*out++ = '"';
	*out = '\0';
	*len = (size_t)(out - *buf);
}

struct candidate {
	uint32_t name;          /* id in the candidates' strmap */
	uint64_t count;
	uint32_t *properties;   /* string indices, in the first object's order */
	size_t property_count;
};

struct definitions {
	struct strmap names;
	struct candidate *items;    /* by name id; after selection, the chosen ones by rank */
	size_t count, cap;
};

/*
 * The interface name of plain object n and its properties; false if it has
 * none. The caller's buffers are reused from object to object (formatted
 * holds one property name at a time): a malloc and a free per property cost
 * 5% of `summary`'s main thread.
 */
static bool interface_of(const struct heap_snapshot *s, uint32_t n, char **name, size_t *cap, uint32_t **props,
			 size_t *props_cap, size_t *prop_count, char **formatted, size_t *fcap)
{
	size_t len = 1, units = 1;
	lh_grow((void **)name, cap, 2, 1);
	strcpy(*name, "{");
	*prop_count = 0;
	for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n); e++) {
		if (heap_edge_kind(s, e) != HEAP_EDGE_PROPERTY)
			continue;
		const char *edge_name = heap_string(s, s->edge_name[e]);
		if (!strcmp(edge_name, "__proto__"))
			continue;
		size_t flen = 0;
		append_property_name(formatted, &flen, fcap, edge_name);
		size_t funits = utf16_length(*formatted);
		if (units > MIN_INTERFACE_PROPERTY_COUNT && units + funits > MAX_INTERFACE_NAME_LENGTH)
			break;
		if (len != 1) {
			lh_grow((void **)name, cap, len + 3, 1);
			strcpy(*name + len, ", ");
			len += 2;
			units += 2;
		}
		units += funits;
		lh_grow((void **)name, cap, len + flen + 1, 1);
		memcpy(*name + len, *formatted, flen + 1);
		len += flen;
		lh_grow((void **)props, props_cap, *prop_count + 1, sizeof(**props));
		(*props)[(*prop_count)++] = s->edge_name[e];
	}
	if (!*prop_count)
		return false;
	lh_grow((void **)name, cap, len + 2, 1);
	strcpy(*name + len, "}");
	return true;
}

static int by_count_then_first_seen(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->name < y->name ? -1 : 1;
}

static void infer_definitions(const struct heap_snapshot *s, uint32_t object_name, struct definitions *d)
{
	uint64_t plain_objects = 0;
	char *name = NULL, *formatted = NULL;
	size_t name_cap = 0, props_cap = 0, prop_count, formatted_cap = 0;
	uint32_t *props = NULL;
	for (uint32_t n = 0; n < s->node_count; n++) {
		if (!is_plain_object(s, object_name, n))
			continue;
		plain_objects++;
		if (!interface_of(s, n, &name, &name_cap, &props, &props_cap, &prop_count, &formatted, &formatted_cap))
			continue;
		uint32_t id = strmap_intern(&d->names, name);
		if (id == d->count) {
			lh_grow((void **)&d->items, &d->cap, d->count + 1, sizeof(*d->items));
			uint32_t *copy = lh_malloc(prop_count * sizeof(*copy));
			memcpy(copy, props, prop_count * sizeof(*copy));
			d->items[d->count++] = (struct candidate){ id, 0, copy, prop_count };
		}
		d->items[id].count++;
	}
	free(name);
	free(formatted);
	free(props);
	if (d->count)
		qsort(d->items, d->count, sizeof(*d->items), by_count_then_first_seen);
	double min_count = LH_MAX((double)MIN_OBJECT_COUNT_PER_INTERFACE,
				  (double)plain_objects / MIN_OBJECT_PROPORTION_PER_INTERFACE);
	size_t kept = 0;
	while (kept < d->count && (double)d->items[kept].count >= min_count)
		kept++;
	for (size_t i = kept; i < d->count; i++)
		free(d->items[i].properties);
	d->count = kept;
}

/* MARK: - Property tree */

/*
 * A trie over sorted property names: a path from the root spells a
 * definition's properties in order; `match` marks where one ends. Edges are
 * kept in a hash table keyed by (node, property string index): V8 interns
 * snapshot strings, so equal names have equal indices.
 */
struct tree_node {
	uint32_t greatest;                   /* greatest child property (string index), or UINT32_MAX */
	int32_t match;                       /* rank of the definition ending here, or -1 */
};

struct property_tree {
	struct tree_node *nodes;             /* nodes[0] is the root */
	size_t count, cap;
	uint64_t *keys;                      /* (node + 1) << 32 | property; 0 = empty slot */
	uint32_t *children;
	size_t slots;
};

static size_t slot_of(uint64_t key, size_t slots)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (slots - 1);
}

static uint32_t tree_child(const struct property_tree *t, uint32_t at, uint32_t property)
{
	uint64_t key = (uint64_t)(at + 1) << 32 | property;
	for (size_t i = slot_of(key, t->slots); t->keys[i]; i = (i + 1) & (t->slots - 1))
		if (t->keys[i] == key)
			return t->children[i];
	return 0;
}

static void tree_insert_edge(struct property_tree *t, uint64_t key, uint32_t child)
{
	size_t i = slot_of(key, t->slots);
	while (t->keys[i])
		i = (i + 1) & (t->slots - 1);
	t->keys[i] = key;
	t->children[i] = child;
}

static uint32_t tree_add(struct property_tree *t, uint32_t at, const struct heap_snapshot *s, uint32_t property)
{
	uint32_t c = tree_child(t, at, property);
	if (c)
		return c;
	lh_grow((void **)&t->nodes, &t->cap, t->count + 1, sizeof(*t->nodes));
	c = (uint32_t)t->count++;
	t->nodes[c] = (struct tree_node){ UINT32_MAX, -1 };
	tree_insert_edge(t, (uint64_t)(at + 1) << 32 | property, c);
	uint32_t g = t->nodes[at].greatest;
	if (g == UINT32_MAX || utf16_compare(heap_string(s, g), heap_string(s, property)) < 0)
		t->nodes[at].greatest = property;
	return c;
}

static void tree_build(const struct heap_snapshot *s, const struct definitions *d, struct property_tree *t)
{
	size_t edges = 0;
	for (size_t i = 0; i < d->count; i++)
		edges += d->items[i].property_count;
	t->slots = 16;
	while (t->slots < 2 * edges)
		t->slots *= 2;
	t->keys = lh_calloc(t->slots, sizeof(*t->keys));
	t->children = lh_calloc(t->slots, sizeof(*t->children));
	lh_grow((void **)&t->nodes, &t->cap, 1, sizeof(*t->nodes));
	t->nodes[0] = (struct tree_node){ UINT32_MAX, -1 };
	t->count = 1;
	for (size_t i = 0; i < d->count; i++) {
		const struct candidate *c = &d->items[i];
		uint32_t *sorted = lh_malloc(c->property_count * sizeof(*sorted));
		memcpy(sorted, c->properties, c->property_count * sizeof(*sorted));
		sort_properties(s, sorted, c->property_count);
		uint32_t at = 0;
		for (size_t k = 0; k < c->property_count; k++)
			at = tree_add(t, at, s, sorted[k]);
		if (t->nodes[at].match < 0)
			t->nodes[at].match = (int32_t)i;
		free(sorted);
	}
}

static void tree_free(struct property_tree *t)
{
	free(t->nodes);
	free(t->keys);
	free(t->children);
}

/* MARK: - Assignment */

/* selectBetterMatch: more properties wins, then the more popular definition. */
static int32_t better_match(const struct definitions *d, int32_t current, int32_t candidate)
{
	if (candidate < 0)
		return current;
	if (current < 0)
		return candidate;
	size_t a = d->items[current].property_count, b = d->items[candidate].property_count;
	if (a != b)
		return a > b ? current : candidate;
	return current <= candidate ? current : candidate;
}

struct match_scratch {
	uint32_t *props, *states, *next_states;
	size_t props_cap, states_cap, next_cap;
};

/* The definition plain object n matches (by rank), or -1: DevTools' walk over the property tree. */
static int32_t match_object(const struct heap_snapshot *s, const struct definitions *d, const struct property_tree *t,
			    uint32_t n, struct match_scratch *m)
{
	size_t count = 0;
	for (uint32_t e = heap_edge_begin(s, n); e < heap_edge_end(s, n); e++) {
		if (heap_edge_kind(s, e) != HEAP_EDGE_PROPERTY)
			continue;
		lh_grow((void **)&m->props, &m->props_cap, count + 1, sizeof(*m->props));
		m->props[count++] = s->edge_name[e];
	}
	sort_properties(s, m->props, count);
	size_t states = 1;
	lh_grow((void **)&m->states, &m->states_cap, 1, sizeof(*m->states));
	m->states[0] = 0;
	int32_t match = t->nodes[0].match;
	for (size_t i = 0; i < count && states; i++) {
		const char *property = heap_string(s, m->props[i]);
		size_t kept = 0;
		lh_grow((void **)&m->next_states, &m->next_cap, 2 * states, sizeof(*m->next_states));
		for (size_t k = 0; k < states; k++) {
			uint32_t at = m->states[k];
			uint32_t g = t->nodes[at].greatest;
			if (g != UINT32_MAX && utf16_compare(property, heap_string(s, g)) < 0)
				m->next_states[kept++] = at; /* further transitions are still possible */
			uint32_t next = tree_child(t, at, m->props[i]);
			if (next) {
				bool present = false;
				for (size_t j = 0; j < kept && !present; j++)
					present = m->next_states[j] == next;
				if (!present)
					m->next_states[kept++] = next;
				match = better_match(d, match, t->nodes[next].match);
			}
		}
		uint32_t *swap = m->states;
		m->states = m->next_states;
		m->next_states = swap;
		size_t cap = m->states_cap;
		m->states_cap = m->next_cap;
		m->next_cap = cap;
		states = kept;
	}
	return match;
}

struct heap_classes {
	const struct heap_snapshot *s;
	struct strmap names;             /* class names, by class id */
	uint32_t *of_string;             /* class of named nodes by name string; UINT32_MAX = not yet */
	uint32_t *detached_of_string;    /* the same for detached native nodes */
	uint32_t of_type[HEAP_MAX_TYPES];
	uint32_t object_name;            /* string index of "Object" */
	uint32_t *detached;              /* ordinals of detached native nodes, ascending */
	size_t detached_count;
	struct definitions definitions;
	struct property_tree tree;
	uint32_t *interface_class;       /* class id of each definition */
	struct match_scratch scratch;
};

static uint32_t *unknown_per_string(const struct heap_snapshot *s)
{
	uint32_t *a = lh_malloc((size_t)LH_MAX(s->string_count, 1) * sizeof(uint32_t));
	memset(a, 0xff, (size_t)s->string_count * sizeof(uint32_t));
	return a;
}

static bool is_detached(const struct heap_classes *c, uint32_t n)
{
	size_t lo = 0, hi = c->detached_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->detached[mid] < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->detached_count && c->detached[lo] == n;
}

/* The class of a native node DevTools found detached: its name gets the prefix "Detached ". */
static uint32_t detached_class(struct heap_classes *c, uint32_t n)
{
	uint32_t *slot = &c->detached_of_string[c->s->node_name[n]];
	if (*slot != UINT32_MAX)
		return *slot;
	const char *name = heap_node_name(c->s, n);
	char *prefixed = lh_malloc(strlen(name) + 10);
	strcpy(prefixed, "Detached ");
	strcat(prefixed, name);
	char *cls = heap_class_of_name(prefixed);
	*slot = strmap_intern(&c->names, cls);
	free(cls);
	free(prefixed);
	return *slot;
}

/* The class from the node's own type and name, once per distinct name or type. */
static uint32_t base_class(struct heap_classes *c, uint32_t n)
{
	const struct heap_snapshot *s = c->s;
	if (c->detached_count && is_detached(c, n))
		return detached_class(c, n);
	bool named = heap_class_is_named(heap_node_kind(s, n));
	uint32_t *slot = named ? &c->of_string[s->node_name[n]] : &c->of_type[s->node_type[n]];
	if (*slot == UINT32_MAX) {
		char *name = heap_class_name(s, n);
		*slot = strmap_intern(&c->names, name);
		free(name);
	}
	return *slot;
}

uint32_t heap_class_id(struct heap_classes *c, uint32_t n)
{
	if (c->definitions.count && is_plain_object(c->s, c->object_name, n)) {
		int32_t match = match_object(c->s, &c->definitions, &c->tree, n, &c->scratch);
		if (match >= 0)
			return c->interface_class[match];
	}
	return base_class(c, n);
}

const char *heap_class_name_of_id(const struct heap_classes *c, uint32_t id)
{
	return c->names.names[id];
}

size_t heap_class_count(const struct heap_classes *c)
{
	/* Base classes: at most one per string (twice with "Detached "), one per type; plus interfaces. */
	return (size_t)c->s->string_count * (c->detached_count ? 2 : 1) + HEAP_MAX_TYPES + c->definitions.count;
}

static void find_detached(struct heap_classes *c)
{
	uint8_t *dom = heap_dom_states(c->s);
	if (!dom)
		return;
	size_t cap = 0;
	for (uint32_t n = 0; n < c->s->node_count; n++) {
		if (dom[n] != DOM_DETACHED)
			continue;
		lh_grow((void **)&c->detached, &cap, c->detached_count + 1, sizeof(*c->detached));
		c->detached[c->detached_count++] = n;
	}
	free(dom);
}

struct heap_classes *heap_classes_compute(const struct heap_snapshot *s)
{
	struct heap_classes *c = lh_calloc(1, sizeof(*c));
	c->s = s;
	c->of_string = unknown_per_string(s);
	memset(c->of_type, 0xff, sizeof(c->of_type));
	find_detached(c);
	if (c->detached_count)
		c->detached_of_string = unknown_per_string(s);
	c->object_name = find_object_name(s);
	infer_definitions(s, c->object_name, &c->definitions);
	if (c->definitions.count) {
		tree_build(s, &c->definitions, &c->tree);
		c->interface_class = lh_malloc(c->definitions.count * sizeof(uint32_t));
		for (size_t i = 0; i < c->definitions.count; i++)
			c->interface_class[i] =
				strmap_intern(&c->names, c->definitions.names.names[c->definitions.items[i].name]);
	}
	return c;
}

void heap_classes_free(struct heap_classes *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->definitions.count; i++)
		free(c->definitions.items[i].properties);
	free(c->definitions.items);
	strmap_free(&c->definitions.names);
	tree_free(&c->tree);
	free(c->interface_class);
	free(c->scratch.props);
	free(c->scratch.states);
	free(c->scratch.next_states);
	strmap_free(&c->names);
	free(c->of_string);
	free(c->detached_of_string);
	free(c->detached);
	free(c);
}
