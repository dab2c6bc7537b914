/* edges.c - where a pointer stops matching a block.
 *
 * Memcheck matches a word w to a block when start <= w < start + size
 * (a size-0 block counts as 1 byte), w at start being a start pointer and
 * anything else inside an interior one; only 8-byte aligned words are read.
 * Each block's only pointer is in a global:
 * - one past the end of a 40-byte block: matches nothing, definitely lost;
 * - the last byte of a 40-byte block: interior, possibly lost;
 * - a 32-byte block's address with the low bit set (a tagged pointer):
 *   interior, possibly lost;
 * - a 24-byte block's address stored unaligned (packed struct, offset 1):
 *   never read, definitely lost;
 * - malloc(0) pointed at by its start: still reachable, "0 bytes in 1";
 * - malloc(0) pointed at by start + 1: outside its one byte, definitely lost;
 * - a 64-byte block whose first word is 56, reached at start + 8: Memcheck's
 *   length64 heuristic makes that a start pointer, still reachable;
 * - a 1 MiB block kept by its start, whose last word is the only pointer to
 *   a 16-byte block: both still reachable (a large block is scanned whole);
 * - a 256 KiB block dropped: definitely lost;
 * - a 48-byte block whose only pointer is in a block since freed (freed
 *   blocks are not scanned, though Memcheck and leakhound both hold them
 *   back from reuse): definitely lost.
 * Memcheck: definitely lost 40 + 24 + 0 + 262,144 + 48 = 262,256 B in 5 blocks;
 * possibly lost 40 + 32 = 72 B in 2; still reachable 0 + 64 + 1,048,576 + 16
 * = 1,048,656 B in 4 blocks.
 *
 * EXPECT definitely=262256/5 indirectly=0/0 possibly=72/2 reachable=1048656/4
 */
#include <stdint.h>
#include <stdlib.h>
#include "scrub.h"

#define LARGE (1u << 20)

static char *one_past_end, *last_byte, *zero_start, *zero_plus_one, *length64;
static uintptr_t tagged;
static void **large;
static struct __attribute__((packed)) {
	char tag;
	void *pointer;
} unaligned;
static void *volatile sink;

__attribute__((noinline)) static void build(void)
{
	one_past_end = (char *)malloc(40) + 40; /* LEAK-SITE */
	last_byte = (char *)malloc(40) + 39;
	tagged = (uintptr_t)malloc(32) | 1;
	unaligned.pointer = malloc(24); /* LEAK-SITE */
	zero_start = malloc(0);
	zero_plus_one = (char *)malloc(0) + 1; /* LEAK-SITE */
	uint64_t *l = malloc(64);
	l[0] = 64 - 8;
	length64 = (char *)l + 8;
	large = calloc(1, LARGE);
	large[LARGE / sizeof *large - 1] = malloc(16);
	sink = malloc(256u << 10); /* LEAK-SITE */
	sink = NULL;
	void **freed = malloc(40);
	freed[0] = malloc(48); /* LEAK-SITE */
	free(freed);
}

int main(void)
{
	build();
	scrub_stack();
	return 0;
}
