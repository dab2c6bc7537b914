/* forks.c - leaks 100 blocks of 32 bytes (LEAK-SITE) before and 100 after
 * a fork whose child leaks much more (untracked: children are not
 * followed), then a fork+exec of /bin/true, for tests/e2e/t4030. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;

__attribute__((noinline)) static void parent_leak(void)
{
	sink = malloc(32); /* LEAK-SITE */
}

__attribute__((noinline)) static void child_leak(void)
{
	sink = malloc(1000);
}

int main(void)
{
	for (int i = 0; i < 100; i++)
		parent_leak();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 1000; i++)
			child_leak();
		printf("child done\n");
		exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	for (int i = 0; i < 100; i++)
		parent_leak();
	printf("parent done, child exit %d\n", WEXITSTATUS(status));
	return 0;
}
