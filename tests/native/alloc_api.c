/* alloc_api.c - the corners of the malloc family, for tests/e2e/t4090: the
 * aligned family with large alignments, realloc of aligned blocks, realloc
 * growth and shrinking, blocks glibc made without the shims (__libc_malloc),
 * overflowing sizes and bad alignments. It checks what it gets itself and
 * prints only results that do not depend on addresses, so its output and
 * exit status (5) must be the same plain and under `leakhound run`.
 *
 * It leaks on purpose, one leak_* function per call (the report's sites):
 *   leak_memalign          memalign(4096, 1000)              1000 B
 *   leak_aligned_alloc     aligned_alloc(64, 640)             640 B
 *   leak_posix_memalign    posix_memalign(2^16, 3000)        3000 B
 *   leak_valloc            valloc(5000)                      5000 B
 *   leak_pvalloc           pvalloc(100) (charged as asked)    100 B
 *   leak_realloc_aligned   memalign(256, 100) -> realloc 300  300 B
 *   leak_realloc_grow      malloc 10 -> 100000 -> 50           50 B
 *   leak_calloc            calloc(25, 4)                      100 B
 *   leak_reallocarray      reallocarray(NULL, 7, 11)           77 B
 *                                                     total 10267 B in 9 blocks
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static void *volatile keep[16];
static volatile size_t huge = SIZE_MAX; /* volatile: the compiler must not fold the calls */
static int failures;

#define CHECK(cond, ...)                                     \
	do {                                                 \
		if (!(cond)) {                               \
			printf("FAIL line %d: ", __LINE__); \
			printf(__VA_ARGS__);                 \
			printf("\n");                        \
			failures++;                          \
		}                                            \
	} while (0)

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static int same(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return 0;
	return 1;
}

/* An aligned block: its alignment, its usable size, every usable byte writable (glibc aborts at the free if not). */
static void check_block(const char *what, void *p, size_t alignment, size_t size)
{
	CHECK(p != NULL, "%s: NULL", what);
	if (!p)
		return;
	CHECK((uintptr_t)p % alignment == 0, "%s: not %zu-aligned", what, alignment);
	size_t usable = malloc_usable_size(p);
	CHECK(usable >= size, "%s: usable %zu < %zu", what, usable, size);
	memset(p, 0xab, usable);
	printf("%s: %zu-aligned, usable >= %zu\n", what, alignment, size);
}

__attribute__((noinline)) static void leak_memalign(void)
{
	void *p = memalign(4096, 1000);
	check_block("memalign(4096, 1000)", p, 4096, 1000);
	keep[0] = p;
}

__attribute__((noinline)) static void leak_aligned_alloc(void)
{
	void *p = aligned_alloc(64, 640);
	check_block("aligned_alloc(64, 640)", p, 64, 640);
	keep[1] = p;
}

__attribute__((noinline)) static void leak_posix_memalign(void)
{
	void *p = NULL;
	int e = posix_memalign(&p, 1 << 16, 3000);
	CHECK(e == 0, "posix_memalign: %d", e);
	check_block("posix_memalign(65536, 3000)", p, 1 << 16, 3000);
	keep[2] = p;
}

__attribute__((noinline)) static void leak_valloc(void)
{
	void *p = valloc(5000);
	check_block("valloc(5000)", p, 4096, 5000);
	keep[3] = p;
}

__attribute__((noinline)) static void leak_pvalloc(void)
{
	void *p = pvalloc(100);
	check_block("pvalloc(100)", p, 4096, 100);
	keep[4] = p;
}

__attribute__((noinline)) static void leak_realloc_aligned(void)
{
	unsigned char *p = memalign(256, 100);
	check_block("memalign(256, 100)", p, 256, 100);
	if (!p)
		return;
	fill(p, 100, 1);
	p = realloc(p, 300); /* glibc's realloc keeps 16-byte alignment only */
	CHECK(p && (uintptr_t)p % 16 == 0 && same(p, 100, 1), "realloc of a 256-aligned block");
	CHECK(p && malloc_usable_size(p) >= 300, "realloc of a 256-aligned block: usable size");
	printf("realloc(memalign(256, 100), 300): contents kept\n");
	keep[5] = p;
}

__attribute__((noinline)) static void leak_realloc_grow(void)
{
	unsigned char *p = malloc(10);
	CHECK(p != NULL, "malloc(10)");
	if (!p)
		return;
	fill(p, 10, 2);
	p = realloc(p, 100000); /* to an mmap'd chunk */
	CHECK(p && same(p, 10, 2), "realloc grow");
	if (!p)
		return;
	fill(p, 100000, 3);
	p = realloc(p, 50);
	CHECK(p && same(p, 50, 3), "realloc shrink");
	printf("realloc 10 -> 100000 -> 50: contents kept\n");
	keep[6] = p;
}

__attribute__((noinline)) static void leak_calloc(void)
{
	unsigned char *p = calloc(25, 4);
	CHECK(p != NULL, "calloc(25, 4)");
	if (!p)
		return;
	size_t zero = 0;
	for (size_t i = 0; i < 100; i++)
		zero += p[i] == 0;
	CHECK(zero == 100, "calloc: %zu of 100 bytes zero", zero);
	printf("calloc(25, 4): zeroed\n");
	keep[7] = p;
}

__attribute__((noinline)) static void leak_reallocarray(void)
{
	void *p = reallocarray(NULL, 7, 11);
	CHECK(p && malloc_usable_size(p) >= 77, "reallocarray(NULL, 7, 11)");
	keep[8] = p;
}

static void expect_null(const char *what, void *p, int want_errno)
{
	int e = errno;
	CHECK(p == NULL, "%s: not NULL", what);
	CHECK(e == want_errno, "%s: errno %d, not %d", what, e, want_errno);
	printf("%s: NULL, errno %s\n", what, e == ENOMEM ? "ENOMEM" : e == EINVAL ? "EINVAL" : "other");
	free(p);
}

/* Nothing here stays live. */
static void corners(void)
{
	free(NULL);
	CHECK(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL)");

	/* Blocks glibc made without the shims go back to glibc. */
	void *f = __libc_malloc(100);
	CHECK(malloc_usable_size(f) >= 100, "usable size of a __libc_malloc block");
	memset(f, 1, 100);
	free(f);
	f = __libc_malloc(50);
	fill(f, 50, 4);
	f = realloc(f, 5000);
	CHECK(f && same(f, 50, 4), "realloc of a __libc_malloc block");
	free(f);
	f = __libc_memalign(64, 100);
	CHECK((uintptr_t)f % 64 == 0 && malloc_usable_size(f) >= 100, "__libc_memalign block");
	free(f);
	f = __libc_malloc(10);
	f = realloc(f, 0);
	CHECK(f == NULL, "realloc(__libc_malloc block, 0)");
	printf("__libc_malloc blocks: freed, resized, measured\n");

	/* Sizes that overflow, with or without a header in front. */
	errno = 0;
	expect_null("malloc(SIZE_MAX)", malloc(huge), ENOMEM);
	errno = 0;
	expect_null("malloc(SIZE_MAX - 8)", malloc(huge - 8), ENOMEM);
	errno = 0;
	expect_null("calloc(SIZE_MAX / 2, 3)", calloc(huge / 2, 3), ENOMEM);
	errno = 0;
	expect_null("calloc(1, SIZE_MAX - 8)", calloc(1, huge - 8), ENOMEM);
	errno = 0;
	expect_null("memalign(64, SIZE_MAX - 32)", memalign(64, huge - 32), ENOMEM);
	errno = 0;
	expect_null("memalign(SIZE_MAX / 2 + 2, 10)", memalign(huge / 2 + 2, 10), EINVAL);
	errno = 0;
	expect_null("pvalloc(SIZE_MAX - 100)", pvalloc(huge - 100), ENOMEM);
	errno = 0;
	expect_null("valloc(SIZE_MAX - 8)", valloc(huge - 8), ENOMEM);
	errno = 0;
	expect_null("reallocarray(NULL, SIZE_MAX / 2, 3)", reallocarray(NULL, huge / 2, 3), ENOMEM);

	unsigned char *p = malloc(40);
	fill(p, 40, 5);
	errno = 0;
	void *q = realloc(p, huge - 8);
	CHECK(q == NULL && errno == ENOMEM, "realloc(p, SIZE_MAX - 8)");
	CHECK(same(p, 40, 5), "the block a failed realloc leaves");
	free(p);
	p = memalign(128, 40);
	fill(p, 40, 6);
	q = realloc(p, huge - 8);
	CHECK(q == NULL && same(p, 40, 6), "failed realloc of an aligned block");
	free(p);
	printf("failed realloc: block kept\n");

	/* posix_memalign's checks: the error is returned. */
	void *r = NULL;
	CHECK(posix_memalign(&r, 3, 10) == EINVAL && r == NULL, "posix_memalign(3)");
	CHECK(posix_memalign(&r, 24, 10) == EINVAL && r == NULL, "posix_memalign(24)");
	CHECK(posix_memalign(&r, 4, 10) == EINVAL && r == NULL, "posix_memalign(4)");
	CHECK(posix_memalign(&r, 0, 10) == EINVAL && r == NULL, "posix_memalign(0)");
	CHECK(posix_memalign(&r, 64, huge - 8) == ENOMEM && r == NULL, "posix_memalign(64, SIZE_MAX - 8)");
	CHECK(posix_memalign(&r, 8, 10) == 0 && r && (uintptr_t)r % 8 == 0, "posix_memalign(8)");
	free(r);
	printf("posix_memalign: EINVAL for 3, 24, 4, 0; ENOMEM for SIZE_MAX - 8\n");

	/* Odd alignments are rounded up to a power of two; 16 and below are malloc's. */
	p = memalign(48, 100);
	check_block("memalign(48, 100)", p, 64, 100);
	free(p);
	p = memalign(1, 100);
	check_block("memalign(1, 100)", p, 16, 100);
	free(p);
	p = aligned_alloc(1 << 20, 100);
	check_block("aligned_alloc(2^20, 100)", p, 1 << 20, 100);
	free(p);
	p = aligned_alloc(32, 0);
	CHECK(p != NULL, "aligned_alloc(32, 0)");
	free(p);

	/* Zero sizes. */
	p = malloc(0);
	CHECK(p != NULL, "malloc(0)");
	p = realloc(p, 0);
	CHECK(p == NULL, "realloc(p, 0) frees and returns NULL");
	p = realloc(NULL, 0);
	CHECK(p != NULL, "realloc(NULL, 0)");
	free(p);
	p = aligned_alloc(4096, 100);
	CHECK(realloc(p, 0) == NULL, "realloc(aligned, 0)");
	printf("zero sizes: as glibc\n");

	/* Churn: resize blocks of every size class up and down, contents kept, every usable byte writable. */
	unsigned char *blocks[64] = { 0 };
	size_t sizes[64] = { 0 };
	unsigned seed = 12345;
	int bad = 0;
	for (int round = 0; round < 20000; round++) {
		seed = seed * 1103515245u + 12345u;
		int i = (seed >> 16) % 64;
		size_t n = (seed >> 8) % 7 == 0 ? (seed % 300000) : (seed % 2000);
		if (blocks[i] && !same(blocks[i], sizes[i], (unsigned)i))
			bad++;
		unsigned char *nb;
		if (seed % 5 == 0) {
			free(blocks[i]);
			nb = (seed >> 3) % 2 ? aligned_alloc((size_t)32 << (seed % 8), n) : malloc(n);
			sizes[i] = 0;
		} else {
			nb = realloc(blocks[i], n);
		}
		if (!nb && n) {
			bad++;
			continue;
		}
		blocks[i] = nb;
		size_t kept = sizes[i] < n ? sizes[i] : n;
		if (nb && !same(nb, kept, (unsigned)i))
			bad++;
		if (nb) {
			memset(nb, 0xcd, malloc_usable_size(nb));
			fill(nb, n, (unsigned)i);
		}
		sizes[i] = nb ? n : 0;
	}
	for (int i = 0; i < 64; i++)
		free(blocks[i]);
	CHECK(bad == 0, "churn: %d bad blocks", bad);
	printf("churn: 20000 resizes, contents kept\n");
}

int main(void)
{
	corners();
	leak_memalign();
	leak_aligned_alloc();
	leak_posix_memalign();
	leak_valloc();
	leak_pvalloc();
	leak_realloc_aligned();
	leak_realloc_grow();
	leak_calloc();
	leak_reallocarray();
	printf("%d failures\n", failures);
	fflush(stdout);
	return failures ? 1 : 5;
}
