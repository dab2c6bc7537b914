/*
 * signal_free.c - frees from a signal handler that interrupts the
 * tracker's shims (tests/e2e/t4095).
 *
 * pool_alloc() makes POOL blocks of POOL_SIZE bytes. Then the main loop
 * allocates and frees small blocks without end while a profiling timer
 * fires; each SIGPROF frees one pool block, until all POOL are freed. Under
 * `leakhound run` the loop spends most of its time inside the shims (the
 * reentrancy guard held), so some of those frees interrupt a shim: they
 * must still be charged, so pool_alloc ends with 0 live bytes (7 blocks
 * allocated, 7 freed). POOL_SIZE is a size the loop never allocates and
 * POOL is glibc's tcache depth, so glibc takes the handler's frees into
 * its per-thread cache without a lock (a free needing the arena lock could
 * deadlock against the interrupted malloc).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#define POOL 7
#define POOL_SIZE 1000

static void *volatile pool[POOL];
static volatile sig_atomic_t freed;

static void on_prof(int sig)
{
	(void)sig;
	if (freed < POOL) {
		free(pool[freed]);
		freed++;
	}
}

__attribute__((noinline)) static void pool_alloc(void)
{
	for (int i = 0; i < POOL; i++)
		pool[i] = malloc(POOL_SIZE);
}

int main(void)
{
	pool_alloc();
	struct sigaction sa = { .sa_handler = on_prof, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
	struct itimerval every = { { 0, 500 }, { 0, 500 } }, off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_PROF, &every, NULL);
	unsigned long rounds = 0;
	while (freed < POOL) {
		void *volatile p = malloc(24 + (rounds++ & 63));
		free(p);
	}
	setitimer(ITIMER_PROF, &off, NULL);
	printf("freed %d pool blocks\n", (int)freed);
	return 0;
}
