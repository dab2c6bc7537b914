/*
 * redact.c - see redact.h.
 *
 * Each string's fate follows from its uses, gathered in one pass over
 * nodes and edges: a name of V8's own structures (synthetic, hidden,
 * array and map nodes; internal and weak edge names) is kept; a name a
 * program chose (objects, closures, code, DOM nodes; property, context
 * and shortcut edges) is replaced by a name of the same length unless
 * keep_names; anything else (string, number, regexp, symbol contents) by
 * a content hash. A structural use wins: the analyses must find it, and
 * no program data hides in V8's own vocabulary. With keep_names a name
 * wins over content: V8 writes every property and function name also as
 * the string node of its internalized string, so a string whose text is
 * a name is kept as such.
 */
#include "redact.h"

#include <sodium.h>

#include "leak_rules.h"
#include "retention.h"

enum { ROLE_STRUCTURE = 1, ROLE_NAME = 2, ROLE_CONTENT = 4, ROLE_WEAKMAP = 8 };

/* Names the analyses read that are not used structurally in every snapshot (classes.c, retention.c). */
static const char *const always_kept[] = { "__proto__", "system / ExternalStringData" };

static uint8_t node_role(enum heap_node_kind kind)
{
	switch (kind) {
	case HEAP_NODE_SYNTHETIC:
	case HEAP_NODE_HIDDEN:
	case HEAP_NODE_ARRAY:
	case HEAP_NODE_OBJECT_SHAPE:
		return ROLE_STRUCTURE;
	case HEAP_NODE_OBJECT:
	case HEAP_NODE_CLOSURE:
	case HEAP_NODE_CODE:
	case HEAP_NODE_NATIVE:
		return ROLE_NAME;
	default:
		return ROLE_CONTENT;
	}
}

static uint8_t edge_role(const struct heap_snapshot *s, uint32_t e)
{
	uint64_t table;
	size_t prefix;
	switch (heap_edge_kind(s, e)) {
	case HEAP_EDGE_ELEMENT:
	case HEAP_EDGE_HIDDEN:
		return 0; /* an index, not a string */
	case HEAP_EDGE_PROPERTY:
	case HEAP_EDGE_CONTEXT:
	case HEAP_EDGE_SHORTCUT:
		return ROLE_NAME;
	case HEAP_EDGE_INTERNAL:
	case HEAP_EDGE_WEAK:
		return retention_parse_weakmap_edge_name(heap_string(s, s->edge_name[e]), &table, &prefix) ? ROLE_WEAKMAP
													 : ROLE_STRUCTURE;
	default:
		return ROLE_CONTENT;
	}
}

static uint8_t *string_roles(const struct heap_snapshot *s)
{
	uint8_t *roles = lh_calloc(LH_MAX(s->string_count, 1), 1);
	for (uint32_t n = 0; n < s->node_count; n++)
		roles[s->node_name[n]] |= node_role(heap_node_kind(s, n));
	for (uint32_t e = 0; e < s->edge_count; e++) {
		uint8_t r = edge_role(s, e);
		if (r)
			roles[s->edge_name[e]] |= r;
	}
	for (uint32_t i = 0; i < s->string_count; i++) {
		/* The language's own classes: check reads them (leak_rules.c, holders.c) and they reveal nothing. */
		if (leak_class_is_builtin(heap_string(s, i)))
			roles[i] |= ROLE_STRUCTURE;
		for (size_t k = 0; k < LH_ARRAY_LEN(always_kept); k++)
			if (!strcmp(heap_string(s, i), always_kept[k]))
				roles[i] |= ROLE_STRUCTURE;
	}
	return roles;
}

/* ---- replacements ---- */

struct text {
	char *data;
	size_t len, cap;
};

static void text_add(struct text *t, const char *p, size_t n)
{
	lh_grow((void **)&t->data, &t->cap, t->len + n + 1, 1);
	memcpy(t->data + t->len, p, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static void keyed_hash(const struct redact_options *o, const char *p, size_t n, unsigned char *out, size_t out_len)
{
	crypto_generichash(out, out_len, (const unsigned char *)p, n, o->key, sizeof(o->key));
}

/* "h:" and 16 hex digits. */
static void content_hash(const struct redact_options *o, const char *p, size_t n, struct text *out)
{
	unsigned char h[8];
	keyed_hash(o, p, n, h, sizeof(h));
	char hex[2 + 16 + 1] = "h:";
	for (size_t i = 0; i < sizeof(h); i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", h[i]);
	text_add(out, hex, 18);
}

static size_t utf16_units(const char *p, size_t n)
{
	size_t units = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		units += (c & 0xc0) != 0x80;      /* a character starts */
		units += (c & 0xf8) == 0xf0;      /* outside the BMP: a surrogate pair */
	}
	return units;
}

#define CJK_FIRST 0x4e00u
#define CJK_COUNT 20992u

/*
 * Characters kept in place in a replaced name: those DevTools quotes or
 * escapes in a property name (formatPropertyName), so the length it shows
 * stays, and digits, which make a name a key rather than a field for
 * check's holder groups ('reply-17', holders.c).
 */
static bool kept_in_names(unsigned char c)
{
	return c < 0x20 || (c >= '0' && c <= '9') || strchr(",'\"{}\\", c) != NULL;
}

/*
 * A name of the same UTF-16 length, in CJK ideographs drawn from the keyed
 * hash, with digits and the characters DevTools quotes left in place; a
 * name of one unit is kept.
 */
static void name_hash(const struct redact_options *o, const char *p, size_t n, struct text *out)
{
	if (utf16_units(p, n) <= 1) {
		text_add(out, p, n);
		return;
	}
	uint64_t state[2];
	keyed_hash(o, p, n, (unsigned char *)state, sizeof(state));
	size_t drawn = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)p[i];
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		len = LH_MIN(len, n - i);
		if (c < 0x80 && kept_in_names(c)) {
			text_add(out, p + i, 1);
			i++;
			continue;
		}
		for (size_t unit = 0; unit < utf16_units(p + i, len); unit++, drawn++) {
			uint64_t z = (state[drawn & 1] += 0x9e3779b97f4a7c15ull); /* splitmix64 over the two halves */
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			z ^= z >> 31;
			unsigned cp = CJK_FIRST + (unsigned)(z % CJK_COUNT);
			char utf8[3] = { (char)(0xe0 | cp >> 12), (char)(0x80 | ((cp >> 6) & 0x3f)), (char)(0x80 | (cp & 0x3f)) };
			text_add(out, utf8, 3);
		}
		i += len;
	}
}

/* A program's name; a DOM node's "<tag attributes>" (maybe after "Detached ") keeps "<tag". */
static void redact_name(const struct redact_options *o, const char *p, size_t n, struct text *out)
{
	size_t skip = n >= 10 && !strncmp(p, "Detached <", 10) ? 10 : n && p[0] == '<' ? 1 : 0;
	const char *space = skip ? memchr(p + skip, ' ', n - skip) : NULL;
	if (!skip || !space) {
		if (skip && n && p[n - 1] == '>') { /* "<div>": a tag alone */
			text_add(out, p, n);
			return;
		}
		name_hash(o, p, n, out);
		return;
	}
	size_t keep = (size_t)(space - p) + 1;
	text_add(out, p, keep);
	name_hash(o, p + keep, n - keep, out);
}

/*
 * "N / part of key (K @a) -> value (V @b) pair in WeakMap (table @c)" with
 * K and V redacted as names; the parts DevTools' WeakMap rule reads stay.
 * False if the name does not split so.
 */
static bool redact_weakmap_name(const struct redact_options *o, const char *p, size_t n, struct text *out)
{
	static const char head[] = " / part of key (", arrow[] = ") -> value (", tail[] = " pair in WeakMap (table @";
	const char *key = strstr(p, head), *tail_at = NULL;
	for (const char *t = p; (t = strstr(t, tail)); t++)
		tail_at = t;
	if (!key || !tail_at)
		return false;
	key += sizeof(head) - 1;
	const char *arrow_at = strstr(key, arrow);
	if (!arrow_at || arrow_at > tail_at)
		return false;
	const char *value = arrow_at + sizeof(arrow) - 1;
	const char *key_id = NULL, *value_id = NULL; /* the last " @" of each part */
	for (const char *a = key; (a = strstr(a, " @")) && a < arrow_at; a++)
		key_id = a;
	for (const char *a = value; (a = strstr(a, " @")) && a < tail_at; a++)
		value_id = a;
	if (!key_id || !value_id)
		return false;
	text_add(out, p, (size_t)(key - p));
	redact_name(o, key, (size_t)(key_id - key), out);
	text_add(out, key_id, (size_t)(value - key_id));
	redact_name(o, value, (size_t)(value_id - value), out);
	text_add(out, value_id, n - (size_t)(value_id - p));
	return true;
}

void redact_key_from_secret(const void *secret, size_t len, unsigned char key[REDACT_KEY_BYTES])
{
	crypto_generichash(key, REDACT_KEY_BYTES, secret, len, NULL, 0);
}

bool redact_strings(const struct heap_snapshot *s, const struct redact_options *o, struct redaction *out)
{
	if (sodium_init() < 0)
		return false;
	memset(out, 0, sizeof(*out));
	out->count = s->string_count;
	out->strings = lh_calloc(LH_MAX(s->string_count, 1), sizeof(*out->strings));
	out->lengths = lh_calloc(LH_MAX(s->string_count, 1), sizeof(*out->lengths));
	uint8_t *roles = string_roles(s);
	for (uint32_t i = 0; i < s->string_count; i++) {
		const char *p = heap_string(s, i);
		size_t n = heap_string_length(s, i);
		uint8_t r = roles[i];
		struct text t = { 0 };
		bool keep = (r & ROLE_STRUCTURE) || (o->keep_names && (r & (ROLE_NAME | ROLE_WEAKMAP)));
		if (keep)
			text_add(&t, p, n);
		else if ((r & ROLE_WEAKMAP) && redact_weakmap_name(o, p, n, &t))
			;
		else if (r & ROLE_NAME)
			redact_name(o, p, n, &t);
		else
			content_hash(o, p, n, &t);
		if (!t.data)
			text_add(&t, "", 0);
		keep ? out->kept++ : out->replaced++;
		out->strings[i] = t.data;
		out->lengths[i] = t.len;
	}
	free(roles);
	return true;
}

void redaction_free(struct redaction *r)
{
	for (uint32_t i = 0; i < r->count; i++)
		free(r->strings[i]);
	free(r->strings);
	free(r->lengths);
	memset(r, 0, sizeof(*r));
}
