/* unstoppable.c - a thread that blocks every signal, with a stale pointer
 * in dead stack below its stack pointer, for t5030.
 *
 * The thread blocks all signals, calls a function that keeps a 100-byte
 * block in the deepest slot of a 8 KiB local array and returns (the slot
 * lies far below the frames the thread uses afterwards), then waits in
 * pause(). Memcheck reads each thread's stack from its stack pointer up
 * (below it is inaccessible): the block is definitely lost. leakhound
 * cannot stop this thread (its stop signal is blocked), so it reads the
 * thread's whole stack and finds the stale word: still reachable. The
 * thread's DTV is possibly lost under both (see ../dtv.h).
 *
 * EXPECT definitely=100/1 indirectly=0/0 possibly=272/1 reachable=0/0
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include "../dtv.h"

static pthread_barrier_t ready;

__attribute__((noinline)) static void forget_deep(void)
{
	void *volatile slots[1024];
	slots[0] = malloc(100); /* LEAK-SITE */
	(void)slots;
}

static void *unstoppable(void *arg)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	print_dtv_size();
	forget_deep();
	pthread_barrier_wait(&ready);
	for (;;)
		pause();
	return arg;
}

int main(void)
{
	pthread_t t;
	pthread_barrier_init(&ready, NULL, 2);
	pthread_create(&t, NULL, unstoppable, NULL);
	pthread_barrier_wait(&ready);
	return 0;
}
