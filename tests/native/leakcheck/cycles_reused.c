/* cycles_reused.c - cycles of lost blocks placed in reused memory: which
 * member is definitely lost depends on the allocator.
 *
 * 250,000 blocks of 16-211 bytes (about 29 MB) are allocated and freed in a
 * scattered order, more than Memcheck's 20 MB queue of freed blocks, so both
 * Memcheck's allocator and leakhound's then hand out reused memory. 50
 * 3-cycles are built of blocks of 16 + 16k, 48 + 8k and 96 bytes (k = 0..49)
 * and dropped. In each cycle the member with the lowest address leads its
 * clique and is the one definitely lost (cycles.c), but where reused blocks
 * land is each allocator's own policy, so the split of the bytes between
 * definitely and indirectly lost differs between the two tools. What does
 * not depend on addresses: one block per cycle is definitely lost and two
 * are indirectly lost, and all 3 x 50 blocks, 37,400 bytes, are lost
 * (sum of 16 + 16k + 48 + 8k + 96 over k = 0..49 = 50 x 160 + 24 x 1,225).
 *
 * ("?": bytes the allocator decides; lost= is definitely + indirectly.)
 * EXPECT definitely=?/50 indirectly=?/100 possibly=0/0 reachable=0/0 lost=37400
 * DIFFERENCE lost-split: leakhound's definitely/indirectly bytes may split
 * differently, and so may the lines of the definitely lost blocks (any of
 * the three LEAK-SITE lines); blocks, and the bytes of both together, must
 * equal Memcheck's.
 */
#include <stdlib.h>
#include "scrub.h"

#define CHURN 250000

struct link {
	struct link *next;
};

static void *held[CHURN];

__attribute__((noinline)) static void churn(void)
{
	for (int i = 0; i < CHURN; i++)
		held[i] = malloc(16 + (i * 37) % 196);
	for (int i = 0; i < CHURN; i++) {
		int k = (int)(((long)i * 7919) % CHURN);
		free(held[k]);
		held[k] = NULL;
	}
}

__attribute__((noinline)) static void cycles(void)
{
	for (int k = 0; k < 50; k++) {
		struct link *a = malloc(16 + 16 * k); /* LEAK-SITE */
		struct link *b = malloc(48 + 8 * k); /* LEAK-SITE */
		struct link *c = malloc(96); /* LEAK-SITE */
		a->next = b;
		b->next = c;
		c->next = a;
	}
}

int main(void)
{
	churn();
	cycles();
	scrub_stack();
	return 0;
}
