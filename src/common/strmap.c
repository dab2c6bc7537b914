/*
 * strmap.c - see strmap.h.
 */
#include "strmap.h"

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void rehash(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	char **keys = lh_calloc(cap, sizeof(*keys));
	uint32_t *ids = lh_calloc(cap, sizeof(*ids));
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = hash_text(m->keys[i]) & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		ids[j] = m->ids[i];
	}
	free(m->keys);
	free(m->ids);
	m->keys = keys;
	m->ids = ids;
	m->cap = cap;
}

uint32_t strmap_intern(struct strmap *m, const char *key)
{
	if (2 * (m->count + 1) > m->cap)
		rehash(m);
	size_t i = hash_text(key) & (m->cap - 1);
	while (m->keys[i]) {
		if (!strcmp(m->keys[i], key))
			return m->ids[i];
		i = (i + 1) & (m->cap - 1);
	}
	lh_grow((void **)&m->names, &m->names_cap, m->count + 1, sizeof(*m->names));
	m->keys[i] = m->names[m->count] = lh_strdup(key);
	m->ids[i] = (uint32_t)m->count++;
	return m->ids[i];
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->count; i++)
		free(m->names[i]);
	free(m->names);
	free(m->keys);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}
