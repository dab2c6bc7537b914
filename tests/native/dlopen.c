/* dlopen.c - loads the plugin given as argv[1] with dlopen (so it is not
 * in the module list at start-up) and calls it 400 times, from a signal
 * handler's thread too: SIGUSR1's handler allocates and frees, for
 * tests/e2e/t4050. */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static void *volatile sink;

static void on_usr1(int sig)
{
	(void)sig;
	sink = malloc(10); /* not async-signal-safe, but programs do it */
	free(sink);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	signal(SIGUSR1, on_usr1);
	void *h = dlopen(argv[1], RTLD_NOW);
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	char *(*leak)(int) = (char *(*)(int))dlsym(h, "plugin_leak");
	for (int i = 0; i < 400; i++) {
		sink = leak(i);
		if (i % 50 == 0)
			raise(SIGUSR1);
	}
	printf("called the plugin 400 times\n");
	return 0;
}
