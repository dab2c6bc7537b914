/*
 * fork_threads.c - for tests/e2e/t4036 and t4037 (run --children): four
 * threads work without pause while the main thread forks CHILDREN
 * children; child k leaks 10 + k blocks of 100 bytes in child_leak() and
 * exits. Under --children each child tracks from its fork into FILE.PID,
 * so a lock another thread held at the fork would hang it: every child
 * must exit 0, and its trace must hold exactly its own leak.
 *   fork_threads          the threads allocate and free (the tracker's locks)
 *   fork_threads walk     they walk the loader's list (dl_iterate_phdr, as
 *                         C++ exception unwinding and plugin loaders do),
 *                         their callbacks allocating now and then: glibc
 *                         does not reset that list's lock in a child, and
 *                         a tracked child walks the list at its first
 *                         allocation
 */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define CHILDREN 20

static volatile int stop;

static void *churn(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; !stop; i++) {
		void *volatile p = malloc(16 + i % 500);
		free(p);
	}
	return NULL;
}

static int count_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	unsigned long *n = data;
	*n += info->dlpi_phnum;
	if (*n % 7 == 0) {
		void *volatile p = malloc(32);
		free(p);
	}
	return 0;
}

static void *walk(void *arg)
{
	(void)arg;
	unsigned long n = 0;
	while (!stop)
		dl_iterate_phdr(count_segments, &n);
	return NULL;
}

__attribute__((noinline)) static void child_leak(int k)
{
	for (int i = 0; i < 10 + k; i++) {
		void *volatile p = malloc(100);
		(void)p;
	}
}

int main(int argc, char **argv)
{
	void *(*work)(void *) = argc > 1 && !strcmp(argv[1], "walk") ? walk : churn;
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, work, NULL);
	int ok = 0;
	for (int k = 0; k < CHILDREN; k++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			child_leak(k);
			exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
	}
	stop = 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	printf("%d of %d children exited 0\n", ok, CHILDREN);
	return ok == CHILDREN ? 0 : 1;
}
