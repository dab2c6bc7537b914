/* reuse_lib.c - built twice, as libreuse_a.so (-DWHO=a) and libreuse_b.so
 * (-DWHO=b): the same code under different names, so the loader maps the
 * second where the first was, for tests/e2e/t4550. */
#include <stdlib.h>

#define NAME2(a, b) a##b
#define NAME(a, b) NAME2(a, b)

void *volatile NAME(sink_, WHO);

__attribute__((noinline)) void NAME(leak_from_, WHO)(int n)
{
	for (int i = 0; i < n; i++)
		NAME(sink_, WHO) = malloc(100); /* LEAK-SITE */
}
