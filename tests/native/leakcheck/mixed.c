/* mixed.c - a small hash table, still reachable, next to many lost blocks
 * that point into it.
 *
 * 50 entries of 40 bytes are chained into 16 global buckets; 20 of them own
 * a strdup'd 8-byte name. 100 blocks of 24 bytes are then allocated, each
 * pointing at an entry, and dropped: a pointer from a lost block does not
 * make anything lost or reachable, so the table stays still reachable.
 * Memcheck: still reachable 50 x 40 + 20 x 8 = 2,160 B in 70 blocks;
 * definitely lost 100 x 24 = 2,400 B in 100 blocks (one record).
 *
 * EXPECT definitely=2400/100 indirectly=0/0 possibly=0/0 reachable=2160/70
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scrub.h"

#define BUCKETS 16
#define ENTRIES 50
#define NAMED 20
#define REFERRERS 100

struct entry {
	struct entry *next;
	char *name;
	long key, value, hits;
};

static struct entry *buckets[BUCKETS];

__attribute__((noinline)) static struct entry *insert(long key)
{
	struct entry *e = calloc(1, sizeof *e);
	e->key = key;
	if (key < NAMED) {
		char name[8];
		snprintf(name, sizeof name, "name-%02d", (int)key);
		e->name = strdup(name);
	}
	e->next = buckets[key % BUCKETS];
	buckets[key % BUCKETS] = e;
	return e;
}

__attribute__((noinline)) static void refer(struct entry *e)
{
	struct entry **referrer = malloc(24); /* LEAK-SITE */
	*referrer = e;
}

__attribute__((noinline)) static void build(void)
{
	for (long k = 0; k < ENTRIES; k++)
		insert(k);
	for (int i = 0; i < REFERRERS; i++)
		refer(buckets[i % BUCKETS]);
}

int main(void)
{
	build();
	scrub_stack();
	return 0;
}
