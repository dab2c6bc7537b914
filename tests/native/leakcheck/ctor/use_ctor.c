/* use_ctor.c - a program linked with libctor.so, for t5040.
 *
 * libctor's constructor runs while the dynamic loader starts the program,
 * before main and before a preloaded library's own constructor: it keeps
 * 40 bytes in a global (still reachable) and drops 50 (definitely lost).
 * main drops 30 bytes (definitely lost). Memcheck tracks every allocation
 * from the first: definitely lost 50 + 30 = 80 B in 2 blocks, still
 * reachable 40 B in 1 block.
 *
 * (t5040 checks these four lines of Memcheck's LEAK SUMMARY.)
 */
#include <stdlib.h>
#include "../scrub.h"

extern void *ctor_kept;
static void *volatile sink;

__attribute__((noinline)) static void build(void)
{
	sink = malloc(30);
	sink = NULL;
}

int main(void)
{
	if (!ctor_kept)
		return 1;
	build();
	scrub_stack();
	return 0;
}
