/*
 * allocators.c - the malloc family as a program uses it, to be linked with
 * another allocator (jemalloc, tcmalloc, mimalloc) or with glibc's, for
 * tests/e2e/t4570: 1000 rounds of malloc, malloc_usable_size, realloc,
 * aligned_alloc, calloc, posix_memalign; keeps one block of 5000 bytes in
 * ten (100 in all, from keep_site). Prints "usable ok" when every
 * malloc_usable_size covered its request.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

static void *volatile kept[100];

__attribute__((noinline)) static void *keep_site(void *p, size_t size)
{
	void *q = realloc(p, size); /* LEAK-SITE */
	__asm__ volatile("" ::"r"(q) : "memory"); /* no tail call: this frame stays */
	return q;
}

int main(void)
{
	int usable_ok = 1;
	for (int i = 0; i < 1000; i++) {
		char *p = malloc(100 + i);
		usable_ok &= malloc_usable_size(p) >= (size_t)(100 + i);
		p = keep_site(p, 5000);
		if (i % 10)
			free(p);
		else
			kept[i / 10] = p;
		void *q = aligned_alloc(64, 192);
		usable_ok &= ((unsigned long)q & 63) == 0;
		free(q);
		free(calloc(3, 50));
		if (posix_memalign(&q, 256, 300) == 0)
			free(q);
	}
	printf(usable_ok ? "usable ok\n" : "usable WRONG\n");
	return 0;
}
