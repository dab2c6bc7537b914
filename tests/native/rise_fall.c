/* rise_fall.c - two sites for tests/e2e/t4015: hold_buffer() takes 4 MiB in
 * steps during the first half of the run and keeps them until just before
 * exit (a steep climb that falls back to nothing: no leak), while
 * leak_slowly() leaks 64 bytes every step (a shallow climb that stays: the
 * leak). usage: rise_fall STEPS STEP_MS */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNKS 64
static char *chunks[CHUNKS];
static void *volatile sink;

__attribute__((noinline)) static void hold_buffer(size_t i)
{
	chunks[i] = malloc(64 * 1024);
	memset(chunks[i], 1, 64 * 1024);
}

__attribute__((noinline)) static void leak_slowly(void)
{
	sink = malloc(64); /* LEAK-SITE */
}

int main(int argc, char **argv)
{
	size_t steps = argc > 1 ? strtoul(argv[1], NULL, 10) : 120;
	long ms = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
	for (size_t i = 0; i < steps; i++) {
		if (i < CHUNKS)
			hold_buffer(i);
		leak_slowly();
		struct timespec ts = { 0, ms * 1000000 };
		nanosleep(&ts, NULL);
	}
	for (size_t i = 0; i < CHUNKS; i++)
		free(chunks[i]);
	return 0;
}
