/* tls.c - pointers in __thread variables, of the main thread and of a
 * second thread still alive (blocked) when main exits.
 *
 * Static TLS lives next to each thread's descriptor: for main in memory
 * the dynamic loader set up, for a thread at the top of its stack mapping.
 * Both are writable mappings, so Memcheck scans them: the blocks each
 * thread's tls_block points at are still reachable (96 and 112 B), and so is
 * the 128-byte block a local of the live thread holds. The live thread also
 * leaves glibc's DTV (allocate_dtv), which the thread descriptor points at
 * one 16-byte entry past its start: possibly lost. Its size is 16 bytes per
 * entry, (modules with TLS + 14 spare + 2): 288 B under Memcheck, where the
 * executable and libc have TLS. A preloaded library with TLS (and each of
 * its dependencies with TLS) adds an entry, so the program prints the size
 * it finds ("dtv: N bytes", read through the thread pointer: %fs:8 is the
 * DTV pointer, and the word before it the entry count less 2).
 * Memcheck: still reachable 96 + 112 + 128 = 336 B in 3 blocks; possibly
 * lost 288 B in 1 block.
 *
 * EXPECT definitely=0/0 indirectly=0/0 possibly=288/1 reachable=336/3
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "scrub.h"

static __thread void *tls_block;
static pthread_barrier_t started;

/* dtv_t is 16 bytes; dtv[-1].counter holds the entry count less 2. */
static void print_dtv_size(void)
{
	const size_t *dtv;
	__asm__("mov %%fs:8, %0" : "=r"(dtv));
	printf("dtv: %zu bytes\n", (dtv[-2] + 2) * 16);
	fflush(stdout);
}

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
