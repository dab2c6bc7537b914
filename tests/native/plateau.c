/*
 * plateau.c - a cache that fills fast and then stays full, next to a slow
 * leak that never stops: what `report` must rank (t4015).
 *
 *   plateau STEPS STEP_MS
 *
 * Every step (STEP_MS apart) leak_one() keeps 8 KiB for good; in the first
 * 60% of the steps fill_cache() also keeps 64 KiB in a cache that is full
 * after that (8x the leak's rate while it fills, flat after). Prints the
 * bytes each kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEAK_BYTES 8192
#define CACHE_BYTES 65536

static void *cache[4096];
static size_t cached;

__attribute__((noinline)) static void fill_cache(void)
{
	char *p = malloc(CACHE_BYTES); /* CACHE-SITE */
	memset(p, 1, CACHE_BYTES);
	cache[cached++] = p;
}

__attribute__((noinline)) static void *leak_one(void)
{
	char *p = malloc(LEAK_BYTES); /* LEAK-SITE */
	memset(p, 2, LEAK_BYTES);
	return p;
}

int main(int argc, char **argv)
{
	int steps = argc > 1 ? atoi(argv[1]) : 100, ms = argc > 2 ? atoi(argv[2]) : 20;
	if (steps < 1 || steps > 4000)
		return 2;
	int fill_steps = steps * 6 / 10;
	void *volatile sink;
	for (int i = 0; i < steps; i++) {
		if (i < fill_steps)
			fill_cache();
		sink = leak_one();
		(void)sink;
		struct timespec ts = { 0, (long)ms * 1000000L };
		nanosleep(&ts, NULL);
	}
	long check = 0; /* reads the cache, so that the compiler keeps it */
	for (size_t i = 0; i < cached; i++)
		check += ((char *)cache[i])[i % CACHE_BYTES];
	printf("leaked %d cached %d (%ld)\n", steps * LEAK_BYTES, fill_steps * CACHE_BYTES, check);
	return 0;
}
