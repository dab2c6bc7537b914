/*
 * alloc.c - allocation with one out-of-memory policy (see lh.h): report the
 * size that failed and exit, so that no caller carries a NULL check.
 */
#include "lh.h"

#include <sys/mman.h>

void lh_out_of_memory(size_t size)
{
	fprintf(stderr, "leakhound: out of memory allocating %zu bytes\n", size);
	exit(LH_EXIT_INTERNAL);
}

void *lh_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		lh_out_of_memory(size);
	return p;
}

void *lh_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		lh_out_of_memory(count * size);
	return p;
}

void *lh_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		lh_out_of_memory(size);
	return p;
}

void *lh_realloc_array(void *ptr, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		lh_out_of_memory(SIZE_MAX);
	return lh_realloc(ptr, count * size);
}

char *lh_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(lh_malloc(n), s, n);
}

void lh_grow(void **items, size_t *cap, size_t need, size_t elem_size)
{
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	*items = lh_realloc_column(*items, n, elem_size); /* huge pages for a big array too */
	*cap = n;
}

#define HUGE_PAGE ((size_t)2 << 20)

static void *advise_huge_pages(void *p, size_t bytes)
{
	uintptr_t begin = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);
	if (end > begin)
		madvise((void *)begin, end - begin, MADV_HUGEPAGE);
	return p;
}

/*
 * A new column starts on a huge-page boundary: then all of it but its tail
 * is faulted in 2 MiB at a time. Unaligned, a column also had a 4 KiB-page
 * head of 1 MiB on average, and on a VM each small fault costs an exit to
 * the host: a tenth of `top`'s time at 100 MB went to them. The tail is
 * left to small pages so that no huge page reaches past the column, which
 * would add up to 2 MiB of RSS each, but its whole pages are filled in at
 * once (MADV_POPULATE_WRITE, Linux 5.14; ignored where it is unknown):
 * columns are made for the size they are filled to, and the tails' faults
 * one page at a time were still 6% of `top` at 100 MB.
 */
static void *column_alloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		lh_out_of_memory(SIZE_MAX);
	size_t bytes = count * size;
	void *p;
	if (bytes < HUGE_PAGE)
		return lh_malloc(bytes);
	if (posix_memalign(&p, HUGE_PAGE, bytes))
		lh_out_of_memory(bytes);
	advise_huge_pages(p, bytes);
#ifdef MADV_POPULATE_WRITE
	uintptr_t tail = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1), end = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
	if (end > tail)
		madvise((void *)tail, end - tail, MADV_POPULATE_WRITE);
#endif
	return p;
}

void *lh_realloc_column(void *ptr, size_t count, size_t size)
{
	if (!ptr)
		return column_alloc(count, size);
	return advise_huge_pages(lh_realloc_array(ptr, count, size), count * size);
}

void *lh_calloc_column(size_t count, size_t size)
{
	return memset(column_alloc(count, size), 0, count * size);
}
