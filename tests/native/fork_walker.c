/*
 * fork_walker.c - for tests/e2e/t4037 (run --children): two threads walk
 * the loader's list (dl_iterate_phdr, as C++ exception unwinding and
 * plugin loaders do) without pause, their callbacks allocating now and
 * then, while the main thread forks CHILDREN children; child k leaks
 * 10 + k blocks of 100 bytes in child_leak() and exits. A child forked
 * while a walk held the loader's lock inherits it locked (glibc does not
 * reset it), and a tracked child walks the list at its first allocation:
 * every child must still exit 0, its trace holding exactly its own leak.
 */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 2
#define CHILDREN 20

static volatile int stop;

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

int main(void)
{
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, walk, NULL);
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
