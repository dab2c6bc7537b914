/* leak.c - a known leak at a known line (the LEAK-SITE marker), plus
 * temporary allocations that are freed, for tests/e2e/t4000.
 * usage: leak [LEAKS [SLEEP_MS]]: leaks LEAKS blocks of 100 bytes, with
 * 200 malloc/free pairs between them (and a pause if SLEEP_MS is given). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *volatile sink;

__attribute__((noinline)) static char *leak_one(size_t i)
{
	char *p = malloc(100); /* LEAK-SITE */
	snprintf(p, 100, "block %zu", i);
	return p;
}

__attribute__((noinline)) static void churn(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sink = malloc(64 + i % 512);
		free(sink);
	}
}

int main(int argc, char **argv)
{
	size_t leaks = argc > 1 ? strtoul(argv[1], NULL, 10) : 300;
	long sleep_ms = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	size_t total = 0;
	for (size_t i = 0; i < leaks; i++) {
		char *p = leak_one(i);
		total += strlen(p);
		churn(200);
		if (sleep_ms) {
			struct timespec ts = { sleep_ms / 1000, (sleep_ms % 1000) * 1000000 };
			nanosleep(&ts, NULL);
		}
	}
	printf("leaked %zu blocks (%zu chars)\n", leaks, total);
	return 3;
}
