/* threads.c - 4 threads each leak 250 blocks of 64 bytes (LEAK-SITE) and
 * hand 250 more to main, which frees them after the join (a free on another
 * thread than the malloc), for tests/e2e/t4020. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 4
#define PER_THREAD 250

static void *handed[THREADS][PER_THREAD];
static void *volatile sink;

__attribute__((noinline)) static void *thread_leak(void)
{
	char *p = malloc(64); /* LEAK-SITE */
	p[0] = 1; /* not a tail call, so this function has a frame of its own */
	return p;
}

static void *worker(void *arg)
{
	size_t t = (size_t)arg;
	for (int i = 0; i < PER_THREAD; i++) {
		sink = thread_leak();
		handed[t][i] = calloc(1, 48);
		for (int k = 0; k < 100; k++) {
			void *p = malloc(16 + k);
			p = realloc(p, 200 + k);
			free(p);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	for (size_t t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, worker, (void *)t);
	for (size_t t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	for (size_t t = 0; t < THREADS; t++)
		for (int i = 0; i < PER_THREAD; i++)
			free(handed[t][i]);
	printf("threads done\n");
	return 0;
}
