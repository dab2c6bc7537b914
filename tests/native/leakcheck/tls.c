/* tls.c - pointers in __thread variables, of the main thread and of a
 * second thread still alive (blocked) when main exits.
 *
 * Static TLS lives next to each thread's descriptor: for main in memory
 * the dynamic loader set up, for a thread at the top of its stack mapping.
 * Both are writable mappings, so Memcheck scans them: the blocks each
 * thread's tls_block points at are still reachable (96 and 112 B), and so is
 * the 128-byte block a local of the live thread holds. The live thread also
 * leaves glibc's DTV (allocate_dtv), which the thread descriptor points at
 * one 16-byte entry past its start: possibly lost, 288 B under Memcheck
 * (the executable and libc have TLS; see dtv.h for the size, which the
 * program prints).
 * Memcheck: still reachable 96 + 112 + 128 = 336 B in 3 blocks; possibly
 * lost 288 B in 1 block.
 *
 * EXPECT definitely=0/0 indirectly=0/0 possibly=288/1 reachable=336/3
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "dtv.h"
#include "scrub.h"

static __thread void *tls_block;
static pthread_barrier_t started;

static void *blocked_thread(void *arg)
{
	(void)arg;
	void *volatile on_stack = malloc(128);
	(void)on_stack;
	tls_block = malloc(112);
	print_dtv_size();
	pthread_barrier_wait(&started);
	for (;;)
		pause();
	return NULL;
}

__attribute__((noinline)) static void build(void)
{
	pthread_t t;
	tls_block = malloc(96);
	pthread_barrier_init(&started, NULL, 2);
	pthread_create(&t, NULL, blocked_thread, NULL);
	pthread_barrier_wait(&started);
}

int main(void)
{
	build();
	scrub_stack();
	return 0;
}
