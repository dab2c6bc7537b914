/*
 * strmap.h - interning: each distinct string gets a small integer id.
 *
 * Open addressing with linear probing over a power-of-two table kept at
 * most half full; ids are dense (0, 1, 2, ... in order of first sight), so
 * callers index plain arrays with them. Keys are copied.
 */
#ifndef LH_STRMAP_H
#define LH_STRMAP_H

#include "lh.h"

struct strmap {
	char **keys;       /* by slot */
	uint32_t *ids;     /* by slot */
	size_t cap;        /* slots, a power of two */
	char **names;      /* by id */
	size_t count, names_cap;
};

/* The id of key, adding it when new. */
uint32_t strmap_intern(struct strmap *m, const char *key);
void strmap_free(struct strmap *m);

#endif
