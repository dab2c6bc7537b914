/* reuse_main.c - dlopens DIR/libreuse_a.so, leaks 5 blocks from it,
 * dlcloses it, dlopens DIR/libreuse_b.so and leaks 3 blocks from it;
 * prints "same address" when b was mapped where a was (else "moved"), for
 * tests/e2e/t4550. usage: reuse_main DIR */
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

static void *load(const char *dir, const char *name, const char *fn, void (**out)(int))
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	void *h = dlopen(path, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return NULL;
	}
	*(void **)out = dlsym(h, fn);
	return h;
}

int main(int argc, char **argv)
{
	void (*leak)(int);
	if (argc != 2)
		return 2;
	void *a = load(argv[1], "libreuse_a.so", "leak_from_a", &leak);
	if (!a || !leak)
		return 1;
	void *a_at = (void *)leak;
	leak(5);
	usleep(20000);
	dlclose(a);
	void *b = load(argv[1], "libreuse_b.so", "leak_from_b", &leak);
	if (!b || !leak)
		return 1;
	leak(3);
	printf("%s\n", (void *)leak == a_at ? "same address" : "moved");
	return 0;
}
