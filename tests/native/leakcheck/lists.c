/* lists.c - lost list heads with indirectly lost tails.
 *
 * Three lists of a 32-byte head and four 24-byte nodes each are built and
 * their heads forgotten: each head is definitely lost (nothing points at
 * it), and its four nodes are indirectly lost (only the lost head's chain
 * reaches them). A fourth list hangs off a global and is still reachable.
 * Memcheck: definitely 3 x 32 = 96 B in 3 blocks, in one loss record
 * "384 (96 direct, 288 indirect) bytes in 3 blocks"; indirectly 12 x 24 =
 * 288 B in 12 blocks; still reachable 32 + 4 x 24 = 128 B in 5 blocks.
 *
 * EXPECT definitely=96/3 indirectly=288/12 possibly=0/0 reachable=128/5
 */
#include <stdlib.h>
#include "scrub.h"

struct node {
	struct node *next;
	long payload[2];
};

struct list {
	struct node *first;
	long count[3];
};

static struct list *kept;

__attribute__((noinline)) static struct list *make_list(void)
{
	struct list *l = calloc(1, sizeof *l); /* LEAK-SITE */
	for (int i = 0; i < 4; i++) {
		struct node *n = calloc(1, sizeof *n);
		n->next = l->first;
		l->first = n;
	}
	return l;
}

__attribute__((noinline)) static void build(void)
{
	for (int i = 0; i < 3; i++)
		make_list();
	kept = make_list();
}

int main(void)
{
	build();
	scrub_stack();
	return 0;
}
