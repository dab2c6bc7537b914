/* threads_joined.c - blocks allocated in one thread and freed in another,
 * and pointers left in the TLS and stack of threads that have been joined.
 *
 * A producer thread allocates ten 48-byte blocks into a global array and
 * keeps an 80-byte block in its __thread variable and a 64-byte one in a
 * local; after it is joined, a consumer thread frees five of the ten (and
 * clears their slots) and frees a 32-byte block main allocated. At exit the
 * five remaining blocks are still reachable from the global (240 B). The
 * 80 and 64-byte blocks are definitely lost: a joined thread's stack and
 * TLS are dead memory. glibc keeps them in its stack cache, which
 * __libc_freeres unmaps before Memcheck's check (with the DTVs); a checker
 * that scanned the cached mappings instead would find both blocks through
 * stale words. (Verified: with --run-libc-freeres=no Memcheck still calls
 * both definitely lost, and shows one 288-byte DTV as possibly lost.)
 * Memcheck: definitely 64 + 80 = 144 B in 2 blocks; still reachable 240 B
 * in 5 blocks.
 *
 * EXPECT definitely=144/2 indirectly=0/0 possibly=0/0 reachable=240/5
 */
#include <pthread.h>
#include <stdlib.h>
#include "scrub.h"

#define HANDED 10

static void *handed[HANDED];
static void *from_main;
static __thread void *tls_block;

static void *producer(void *arg)
{
	void *volatile on_stack = malloc(64); /* LEAK-SITE */
	(void)on_stack;
	tls_block = malloc(80); /* LEAK-SITE */
	for (int i = 0; i < HANDED; i++)
		handed[i] = malloc(48);
	return arg;
}

static void *consumer(void *arg)
{
	for (int i = 0; i < HANDED; i += 2) {
		free(handed[i]);
		handed[i] = NULL;
	}
	free(from_main);
	from_main = NULL;
	return arg;
}

__attribute__((noinline)) static void run(void *(*fn)(void *))
{
	pthread_t t;
	pthread_create(&t, NULL, fn, NULL);
	pthread_join(t, NULL);
}

int main(void)
{
	from_main = malloc(32);
	run(producer);
	run(consumer);
	scrub_stack();
	return 0;
}
