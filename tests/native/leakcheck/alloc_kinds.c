/* alloc_kinds.c - every allocation entry point, each block lost.
 *
 * malloc(0) (Memcheck treats a size-0 block as size 1 when matching
 * pointers, and reports it as "0 bytes in 1 blocks"), calloc(10, 12) = 120,
 * posix_memalign(64, 100), aligned_alloc(128, 256), memalign(32, 48) and
 * valloc(72); the pointer to each is dropped at once. Memcheck: definitely
 * lost 0 + 120 + 100 + 256 + 48 + 72 = 596 B in 6 blocks, one loss record
 * per call (its stack names the caller below the allocator, or the two of
 * memalign + posix_memalign).
 *
 * EXPECT definitely=596/6 indirectly=0/0 possibly=0/0 reachable=0/0
 */
#include <malloc.h>
#include <stdlib.h>
#include "scrub.h"

static void *volatile sink;

__attribute__((noinline)) static void allocate_each(void)
{
	void *p = NULL;
	sink = malloc(0); /* LEAK-SITE */
	sink = calloc(10, 12); /* LEAK-SITE */
	if (posix_memalign(&p, 64, 100) == 0) /* LEAK-SITE */
		sink = p;
	sink = aligned_alloc(128, 256); /* LEAK-SITE */
	sink = memalign(32, 48); /* LEAK-SITE */
	sink = valloc(72); /* LEAK-SITE */
	sink = NULL;
}

int main(void)
{
	allocate_each();
	scrub_stack();
	return 0;
}
