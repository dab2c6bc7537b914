/*
 * leak_basics.c - programs for t5090 (run --leak-check basics), one per
 * argv[1]; the expected leak totals are worked out in t5090's comments.
 *
 *   midrun   leaks 3 x 100 B and keeps 50 B in a global; raises SIGUSR2 and
 *            waits (up to 20 s) until the trace file grows (the check's
 *            batch: the test runs with a 24 h interval); then frees the
 *            kept block and leaks a list of 64 B -> 32 B.
 *   clean    allocates and frees everything (stdio included).
 *   fork     the child frees a block it inherited, reallocs and frees
 *            another, and exits 0 if all went well; the parent leaks 40 B.
 *   threads  a thread that keeps a 48 B block on its own stack and sleeps
 *            for ever; main leaks 24 B and returns while it still runs.
 *   overflow leaks 10 B, then writes 48 bytes of 0xff into a 24 B block
 *            (a heap buffer overflow over the next block's header).
 *
 * No stdio before a check (its buffer would be a block); pointers are
 * kept in volatile globals and scrubbed from the stack, so that no stale
 * copy makes a lost block reachable.
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile slot[8];
void *volatile kept;

/* Overwrites the stack below the caller, where malloc's frames left copies of pointers. */
__attribute__((noinline)) static void scrub_stack(void)
{
	volatile char area[32768];
	memset((char *)area, 0, sizeof(area));
}

__attribute__((noinline)) static void leak(size_t size)
{
	slot[0] = malloc(size);
	slot[0] = NULL;
}

static off_t trace_size(void)
{
	struct stat st;
	const char *path = getenv("LEAKHOUND_TRACE_FILE");
	return path && stat(path, &st) == 0 ? st.st_size : -1;
}

static int midrun(void)
{
	for (int i = 0; i < 3; i++)
		leak(100);
	kept = malloc(50);
	scrub_stack();
	off_t before = trace_size();
	raise(SIGUSR2);
	for (int i = 0; i < 2000 && trace_size() == before; i++)
		usleep(10000);
	free(kept);
	kept = NULL;
	void **head = malloc(64);
	head[0] = malloc(32);
	slot[1] = head;
	slot[1] = NULL;
	scrub_stack();
	return 0;
}

static int clean(void)
{
	char *s = strdup("clean");
	void *a = calloc(10, 10), *b = realloc(NULL, 7);
	b = realloc(b, 7000);
	free(a);
	free(b);
	free(s);
	write(1, "clean\n", 6);
	return 0;
}

static int forked(void)
{
	void *inherited = malloc(30);
	char *grown = malloc(5);
	strcpy(grown, "abcd");
	pid_t pid = fork();
	if (pid == 0) {
		free(inherited);
		grown = realloc(grown, 100000);
		int ok = grown && strcmp(grown, "abcd") == 0 && malloc_usable_size(grown) >= 100000;
		free(grown);
		_exit(ok ? 0 : 1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	free(inherited);
	free(grown);
	leak(40);
	scrub_stack();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static void *sleeper(void *arg)
{
	void *volatile mine = malloc(48);
	for (;;)
		pause();
	(void)mine;
	return arg;
}

static int threads(void)
{
	pthread_t t;
	pthread_create(&t, NULL, sleeper, NULL);
	usleep(100000);
	leak(24);
	scrub_stack();
	return 0;
}

static int overflow(void)
{
	leak(10);
	char *a = malloc(24);
	kept = a;
	slot[2] = malloc(24); /* its header is overwritten */
	volatile size_t past_the_end = 48; /* hidden from the compiler's overflow warning */
	memset(a, 0xff, past_the_end);
	scrub_stack();
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "midrun"))
		return midrun();
	if (!strcmp(mode, "clean"))
		return clean();
	if (!strcmp(mode, "fork"))
		return forked();
	if (!strcmp(mode, "threads"))
		return threads();
	if (!strcmp(mode, "overflow"))
		return overflow();
	return 64;
}
