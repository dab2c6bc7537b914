/*
 * exit_ways: a program that leaks 10 blocks of 100 bytes (LEAK-SITE), then
 * leaves in the way its argument says, for tests/e2e/t4510.
 *   exit N     exit(N)
 *   daemon F   forks; the child forks again and leaves (setsid), the
 *              grandchild leaks more and writes "daemon done" into F; the
 *              program itself exits 0 at once, as a double-forking daemon
 *   wait F     writes its pid into F.pid, waits until F.go exists, then
 *              allocates from 300 more stacks (tens of KiB of trace)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *volatile sink;

/* A distinct stack for each depth. */
__attribute__((noinline)) static void *deep(int depth)
{
	void *p = depth ? deep(depth - 1) : malloc(24);
	__asm__ volatile("" ::"r"(p) : "memory"); /* no tail call */
	return p;
}

__attribute__((noinline)) static void leak(size_t n)
{
	sink = malloc(n); /* LEAK-SITE */
}

int main(int argc, char **argv)
{
	for (int i = 0; i < 10; i++)
		leak(100);
	if (argc == 3 && !strcmp(argv[1], "exit"))
		exit(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "daemon")) {
		if (fork() == 0) {
			setsid();
			if (fork() == 0) {
				for (int i = 0; i < 1000; i++)
					leak(1000);
				FILE *f = fopen(argv[2], "w");
				fputs("daemon done\n", f);
				fclose(f);
			}
			_exit(0);
		}
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "wait")) {
		char path[4096];
		snprintf(path, sizeof(path), "%s.pid", argv[2]);
		FILE *f = fopen(path, "w");
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
		snprintf(path, sizeof(path), "%s.go", argv[2]);
		for (int i = 0; i < 2000 && access(path, F_OK) != 0; i++)
			usleep(10000);
		for (int d = 0; d < 300; d++)
			sink = deep(d);
		return 0;
	}
	fprintf(stderr, "usage: exit_ways exit N | daemon FILE | wait FILE\n");
	return 2;
}
