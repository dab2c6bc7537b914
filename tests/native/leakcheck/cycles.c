/* cycles.c - cycles of lost blocks: which member is definitely lost.
 *
 * A 3-cycle A(16) -> B(32) -> C(48) -> A, a 2-cycle D(64) <-> E(80) and a
 * block F(24) pointing at itself, nothing else pointing at them. Memcheck makes every unreached block, in
 * ascending address order, the leader of a clique: the blocks it reaches
 * become indirectly lost, and it is the one definitely lost. Blocks are
 * allocated in address order here (the program checks it, and exits 3 if
 * the allocator broke that assumption), so A and D lead: definitely
 * 16 + 64 + 24 = 104 B in 3 blocks (records "96 (16 direct, 80 indirect)",
 * "144 (64 direct, 80 indirect)" and F's "24 bytes": its own pointer does
 * not make it reachable), indirectly 32 + 48 + 80 = 160 B in 3.
 * A leader chosen otherwise (say the last allocated) would give other
 * byte counts: the sizes differ on purpose.
 *
 * EXPECT definitely=104/3 indirectly=160/3 possibly=0/0 reachable=0/0
 */
#include <stdio.h>
#include <stdlib.h>
#include "scrub.h"

struct link {
	struct link *next;
};

static int ascending = 1;

static void *after(void *prev, void *p)
{
	if ((char *)p <= (char *)prev)
		ascending = 0;
	return p;
}

__attribute__((noinline)) static void three_cycle(void)
{
	struct link *a = malloc(16); /* LEAK-SITE */
	struct link *b = after(a, malloc(32));
	struct link *c = after(b, malloc(48));
	a->next = b;
	b->next = c;
	c->next = a;
}

__attribute__((noinline)) static void two_cycle(void)
{
	struct link *d = malloc(64); /* LEAK-SITE */
	struct link *e = after(d, malloc(80));
	d->next = e;
	e->next = d;
}

__attribute__((noinline)) static void self_loop(void)
{
	struct link *f = malloc(24); /* LEAK-SITE */
	f->next = f;
}

int main(void)
{
	three_cycle();
	two_cycle();
	self_loop();
	scrub_stack();
	if (!ascending) {
		fputs("cycles: the allocator did not hand out rising addresses\n", stderr);
		return 3;
	}
	return 0;
}
