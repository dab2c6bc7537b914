/* trees.c - trees reachable from globals in .data and .bss, and a lost tree.
 *
 * Complete binary trees of 32-byte nodes (left, right, two payload words):
 * one of 7 nodes whose root is kept in an initialised global (.data), one of
 * 7 in a zero-initialised global (.bss), one of 15 whose root is forgotten.
 * The writable data of the executable is a root for Memcheck, so the first
 * two are still reachable, 14 x 32 = 448 B in 14 blocks. The lost tree's
 * root is definitely lost (32 B, record "480 (32 direct, 448 indirect)")
 * and its 14 descendants indirectly lost, 448 B in 14 blocks.
 *
 * EXPECT definitely=32/1 indirectly=448/14 possibly=0/0 reachable=448/14
 */
#include <stdlib.h>
#include "scrub.h"

struct tree {
	struct tree *left, *right;
	long payload[2];
};

static struct tree placeholder;
static struct tree *in_data = &placeholder; /* .data: initialised */
static struct tree *in_bss;                 /* .bss */

__attribute__((noinline)) static struct tree *grow(int depth)
{
	struct tree *t = calloc(1, sizeof *t); /* LEAK-SITE */
	if (depth > 1) {
		t->left = grow(depth - 1);
		t->right = grow(depth - 1);
	}
	return t;
}

__attribute__((noinline)) static void build(void)
{
	in_data = grow(3);
	in_bss = grow(3);
	grow(4);
}

int main(void)
{
	build();
	scrub_stack();
	return 0;
}
