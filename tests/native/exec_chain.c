/*
 * exec_chain: leaks BLOCKS blocks of SIZE bytes from first_image_leak
 * (LEAK-SITE), then execs itself as the second image, which leaks 7 blocks
 * of 333 bytes from second_image_leak and exits 0, for tests/e2e/t4540.
 * usage: exec_chain BLOCKS SIZE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *volatile sink;

__attribute__((noinline)) static void first_image_leak(size_t size)
{
	sink = malloc(size); /* LEAK-SITE */
}

__attribute__((noinline)) static void second_image_leak(void)
{
	sink = malloc(333);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "second")) {
		for (int i = 0; i < 7; i++)
			second_image_leak();
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: exec_chain BLOCKS SIZE\n");
		return 2;
	}
	int blocks = atoi(argv[1]);
	for (int i = 0; i < blocks; i++)
		first_image_leak((size_t)atoi(argv[2]));
	usleep(50000); /* a batch or more */
	execl("/proc/self/exe", argv[0], "second", (char *)NULL);
	perror("exec");
	return 1;
}
