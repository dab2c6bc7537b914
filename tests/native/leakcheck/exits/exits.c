/* exits.c - a program that ends by _exit() or abort(), for t5020.
 *
 * 33 bytes are dropped (definitely lost); 10 and 20 bytes are kept in
 * globals, to be freed by an atexit handler and a destructor, which these
 * two ways out never run. Memcheck still checks at the exit_group system
 * call (or at the fatal signal): definitely lost 33 B in 1 block, still
 * reachable 30 B in 2 blocks. leakhound checks only on a normal exit.
 * Usage: exits _exit | abort
 *
 * EXPECT definitely=33/1 indirectly=0/0 possibly=0/0 reachable=30/2
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../scrub.h"

static void *kept_until_atexit, *kept_until_destructor;
static void *volatile sink;

static void at_exit_handler(void)
{
	free(kept_until_atexit);
}

__attribute__((destructor)) static void destructor(void)
{
	free(kept_until_destructor);
}

__attribute__((noinline)) static void build(void)
{
	kept_until_atexit = malloc(10);
	kept_until_destructor = malloc(20);
	sink = malloc(33); /* LEAK-SITE */
	sink = NULL;
	atexit(at_exit_handler);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	build();
	scrub_stack();
	if (strcmp(argv[1], "_exit") == 0)
		_exit(0);
	abort();
}
