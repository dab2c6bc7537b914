/* known_totals.c - a program that counts its own allocations, for
 * tests/e2e/t4100 (pprof and folded exports): two leaking functions with
 * pseudo-random sizes, freed churn and a realloc chain. It prints, with
 * write(2) (stdio would allocate a buffer of its own), per function:
 * "NAME live_bytes live_blocks alloc_bytes alloc_blocks", counting each
 * malloc and realloc as one allocation of the size asked for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct counts { const char *name; unsigned long long live, live_blocks, alloc, alloc_blocks; };
static struct counts a = { "leak_small" }, b = { "leak_large" }, c = { "churn" }, d = { "grow" };
static unsigned long long seed = 12345;
static void *volatile keep[4096];
static size_t kept;
static void *volatile sink; /* so the compiler keeps churn's malloc/free pair */

static size_t next_size(size_t lo, size_t span)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return lo + (size_t)(seed >> 33) % span;
}

static void counted(struct counts *k, size_t size, int live)
{
	k->alloc += size;
	k->alloc_blocks++;
	if (live) {
		k->live += size;
		k->live_blocks++;
	}
}

__attribute__((noinline)) static void leak_small(void)
{
	size_t n = next_size(1, 200);
	keep[kept++] = malloc(n);
	counted(&a, n, 1);
}

__attribute__((noinline)) static void leak_large(void)
{
	size_t n = next_size(4096, 60000);
	keep[kept++] = malloc(n);
	counted(&b, n, 1);
}

__attribute__((noinline)) static void churn(void)
{
	size_t n = next_size(16, 1000);
	sink = malloc(n);
	counted(&c, n, 0);
	memset(sink, 1, n);
	free(sink);
}

/* A block grown by realloc: each realloc allocates the new size and frees the old block. */
__attribute__((noinline)) static void grow(void)
{
	size_t n = 64;
	char *p = malloc(n);
	counted(&d, n, 0);
	for (int i = 0; i < 5; i++) {
		n *= 2;
		p = realloc(p, n);
		counted(&d, n, 0);
	}
	keep[kept++] = p;
	d.live += n;
	d.live_blocks++;
}

static void print(const struct counts *k)
{
	char line[160];
	int len = snprintf(line, sizeof(line), "%s %llu %llu %llu %llu\n", k->name, k->live, k->live_blocks, k->alloc,
			   k->alloc_blocks);
	if (write(1, line, (size_t)len) != len)
		exit(1);
}

int main(void)
{
	for (int i = 0; i < 1000; i++) {
		leak_small();
		if (i % 10 == 0)
			leak_large();
		churn();
		churn();
		if (i % 100 == 0)
			grow();
	}
	print(&a);
	print(&b);
	print(&c);
	print(&d);
	return 0;
}
