/* interior.c - interior pointers into arrays and structs: possibly lost.
 *
 * - array: a global points 40 bytes into a 400-byte int array: possibly
 *   lost (only an interior pointer reaches it);
 * - member: a global points at the member at offset 16 of a 48-byte struct:
 *   possibly lost; that struct's first word is a start pointer to a 64-byte
 *   block, which is possibly lost too: a block reached only through a
 *   possibly-lost block stays possibly lost, start pointer or not;
 * - from_reachable: a global holds the start of a 32-byte block (still
 *   reachable) whose first word points 16 bytes into a 56-byte block:
 *   possibly lost (an interior pointer from a reachable block is no better);
 * - lost_owner: a 24-byte block nothing points at holds an interior pointer
 *   (offset 16) into a 40-byte block allocated after it: the 24-byte block
 *   leads its clique and is definitely lost, and the clique takes in blocks
 *   reached by interior pointers too, so the 40-byte one is indirectly lost.
 * Offsets avoid 8 and 24, where Memcheck's heuristics (newarray, length64,
 * stdstring) could turn an interior pointer into a start pointer.
 * Memcheck: possibly 400 + 48 + 64 + 56 = 568 B in 4 blocks; still
 * reachable 32 B in 1; definitely 24 B in 1 (record "64 (24 direct, 40
 * indirect)"); indirectly 40 B in 1.
 *
 * EXPECT definitely=24/1 indirectly=40/1 possibly=568/4 reachable=32/1
 */
#include <stdio.h>
#include <stdlib.h>
#include "scrub.h"

struct record {
	void *child;
	long id;
	long member[4];
};

static int *array_middle;
static long *member_ptr;
static void **reachable_owner;
static int ascending = 1;

__attribute__((noinline)) static void array(void)
{
	int *a = calloc(100, sizeof *a);
	array_middle = a + 10;
}

__attribute__((noinline)) static void member(void)
{
	struct record *r = calloc(1, sizeof *r);
	r->child = calloc(1, 64);
	member_ptr = &r->member[0];
}

__attribute__((noinline)) static void from_reachable(void)
{
	reachable_owner = calloc(1, 32);
	*reachable_owner = (char *)calloc(1, 56) + 16;
}

__attribute__((noinline)) static void lost_owner(void)
{
	void **owner = calloc(1, 24); /* LEAK-SITE */
	char *inner = calloc(1, 40);
	if (inner < (char *)owner)
		ascending = 0;
	*owner = inner + 16;
}

int main(void)
{
	array();
	member();
	from_reachable();
	lost_owner();
	scrub_stack();
	if (!ascending) {
		fputs("interior: the allocator did not hand out rising addresses\n", stderr);
		return 3;
	}
	return 0;
}
