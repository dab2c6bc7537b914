/* plugin.c - a shared object that dlopen.c loads after start-up; each call
 * leaks 24 bytes (LEAK-SITE), for tests/e2e/t4050. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static char *plugin_copy(const char *s)
{
	char *p = malloc(24); /* LEAK-SITE */
	strncpy(p, s, 23);
	p[23] = 0;
	return p;
}

char *plugin_leak(int i)
{
	char *p = plugin_copy(i % 2 ? "odd" : "even");
	p[0] ^= 0;
	return p;
}
