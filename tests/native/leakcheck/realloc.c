/* realloc.c - realloc chains: only the last block of a chain is live.
 *
 * - lost_chain grows a buffer from 16 to 336 bytes in 20 reallocs (16 more
 *   each time) and forgets it: definitely lost, 336 B in 1 block; Memcheck
 *   charges it to the last realloc's stack, not to the first malloc;
 * - kept_chain grows a global buffer 25 times to 1,000 bytes: still
 *   reachable, 1,000 B in 1 block;
 * - realloc(NULL, 50) is a malloc, and its block is lost: 50 B in 1 block;
 * - realloc(p, 0) frees p (glibc and Memcheck both) and returns NULL.
 * Memcheck: definitely 336 + 50 = 386 B in 2 blocks; still reachable
 * 1,000 B in 1 block.
 *
 * EXPECT definitely=386/2 indirectly=0/0 possibly=0/0 reachable=1000/1
 */
#include <stdlib.h>
#include "scrub.h"

static char *kept;

__attribute__((noinline)) static void lost_chain(void)
{
	char *p = malloc(16);
	for (size_t size = 32; size <= 336; size += 16) {
		p = realloc(p, size); /* LEAK-SITE */
		p[size - 1] = 1;
	}
}

__attribute__((noinline)) static void kept_chain(void)
{
	for (size_t size = 40; size <= 1000; size += 40)
		kept = realloc(kept, size);
}

__attribute__((noinline)) static void realloc_edges(void)
{
	char *volatile from_null = realloc(NULL, 50); /* LEAK-SITE */
	(void)from_null;
	void *p = malloc(70);
	p = realloc(p, 0);
	if (p)
		free(p);
}

int main(void)
{
	lost_chain();
	kept_chain();
	realloc_edges();
	scrub_stack();
	return 0;
}
