/* spawns.c - for tests/e2e/t4035 (run --children). The parent leaks 10
 * blocks of 32 bytes, forks a child that leaks 1000 blocks of 1000 bytes
 * without exec (it inherits the parent's 10 blocks) and exits, then forks
 * a child that execs this program again as "spawns exec'd", which leaks 50
 * blocks of 48 bytes at the LEAK-SITE line and runs /bin/true through sh
 * (two more execs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;

__attribute__((noinline)) static void parent_leak(void)
{
	sink = malloc(32);
}

__attribute__((noinline)) static void forked_leak(void)
{
	sink = malloc(1000);
}

__attribute__((noinline)) static void execd_leak(void)
{
	sink = malloc(48); /* LEAK-SITE */
}

static int wait_for(pid_t pid)
{
	int status;
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec'd")) {
		for (int i = 0; i < 50; i++)
			execd_leak();
		return system("/bin/true");
	}
	for (int i = 0; i < 10; i++)
		parent_leak();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 1000; i++)
			forked_leak();
		exit(0);
	}
	int forked = wait_for(pid);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "exec'd", (char *)NULL);
		_exit(127);
	}
	int execd = wait_for(pid);
	printf("forked child %d, exec'd child %d\n", forked, execd);
	return 0;
}
