/* libctor.c - a shared library whose constructor allocates, for t5040
 * (with use_ctor.c): it keeps 40 bytes in a global and drops 50. */
#include <stdlib.h>

void *ctor_kept;
static void *volatile ctor_sink;

__attribute__((constructor)) static void allocate_at_load(void)
{
	ctor_kept = malloc(40);
	ctor_sink = malloc(50);
	ctor_sink = NULL;
}
