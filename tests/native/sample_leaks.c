/*
 * sample_leaks: leaks known amounts at known sites at a steady rate, with
 * churn, from THREADS threads (argv[1], default 2) over ROUNDS rounds
 * (argv[2]); prints what it leaked, per site, as the tests' independent
 * count: "site bytes blocks" lines, and "churn allocs" for the pairs.
 *   leak_small  48-byte blocks, one per round
 *   leak_mixed  100..4,095 bytes, one per round
 *   leak_large  64 KiB blocks, one per 64 rounds
 *   leak_grown  a buffer grown by realloc to 1..8 KiB, one per 8 rounds
 *   churn       16..1,039-byte blocks freed at once or 16 rounds later
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t rounds = 100000;

struct count {
	size_t bytes, blocks;
};
struct tally {
	struct count small, mixed, large, grown;
	size_t churn;
	unsigned seed;
};

__attribute__((noinline)) static void *leak_small(void)
{
	return malloc(48);
}

__attribute__((noinline)) static void *leak_mixed(size_t n)
{
	return malloc(n);
}

__attribute__((noinline)) static void *leak_large(void)
{
	return malloc(65536);
}

__attribute__((noinline)) static void *leak_grown(size_t n)
{
	char *p = NULL;
	for (size_t size = 1024; size <= n; size *= 2)
		p = realloc(p, size);
	return p;
}

__attribute__((noinline)) static void *churn(size_t n)
{
	return malloc(n);
}

static void *volatile sink;

static void add(struct count *c, size_t bytes)
{
	c->bytes += bytes;
	c->blocks++;
}

static void *work(void *arg)
{
	struct tally *t = arg;
	void *later[16] = { 0 };
	unsigned x = t->seed;
	for (size_t i = 0; i < rounds; i++) {
		x = x * 1103515245u + 12345u;
		sink = leak_small(); /* SITE leak_small */
		add(&t->small, 48);
		size_t n = 100 + (x >> 8) % 3996;
		sink = leak_mixed(n); /* SITE leak_mixed */
		add(&t->mixed, n);
		if (i % 64 == 0) {
			sink = leak_large(); /* SITE leak_large */
			add(&t->large, 65536);
		}
		if (i % 8 == 0) {
			size_t g = (size_t)1024 << (i / 8 % 4);
			sink = leak_grown(g); /* SITE leak_grown */
			add(&t->grown, g);
		}
		void *c = churn(16 + (x >> 4) % 1024); /* SITE churn */
		memset(c, 1, 16);
		free(c);
		free(later[i % 16]);
		later[i % 16] = churn(16 + (x >> 12) % 1024); /* SITE churn */
		t->churn += 2;
	}
	for (int k = 0; k < 16; k++)
		free(later[k]);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 2;
	if (argc > 2)
		rounds = strtoull(argv[2], NULL, 10);
	pthread_t tid[16];
	struct tally t[16];
	memset(t, 0, sizeof(t));
	for (int i = 0; i < threads && i < 16; i++) {
		t[i].seed = 2u * (unsigned)i + 1;
		pthread_create(&tid[i], NULL, work, &t[i]);
	}
	struct tally sum = { 0 };
	for (int i = 0; i < threads && i < 16; i++) {
		pthread_join(tid[i], NULL);
		sum.small.bytes += t[i].small.bytes, sum.small.blocks += t[i].small.blocks;
		sum.mixed.bytes += t[i].mixed.bytes, sum.mixed.blocks += t[i].mixed.blocks;
		sum.large.bytes += t[i].large.bytes, sum.large.blocks += t[i].large.blocks;
		sum.grown.bytes += t[i].grown.bytes, sum.grown.blocks += t[i].grown.blocks;
		sum.churn += t[i].churn;
	}
	printf("leak_small %zu %zu\nleak_mixed %zu %zu\nleak_large %zu %zu\nleak_grown %zu %zu\nchurn %zu\n",
	       sum.small.bytes, sum.small.blocks, sum.mixed.bytes, sum.mixed.blocks, sum.large.bytes, sum.large.blocks,
	       sum.grown.bytes, sum.grown.blocks, sum.churn);
	return 0;
}
