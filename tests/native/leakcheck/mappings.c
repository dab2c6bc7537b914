/* mappings.c - which memory mappings are roots: Memcheck scans every
 * mapping that is both readable and writable, private or shared, anonymous
 * or backed by a file, and nothing else.
 *
 * Each block's only pointer is stored in one mapping of its own:
 * - anonymous private, read-write: 48 B block still reachable;
 * - anonymous shared, read-write: 56 B still reachable;
 * - a file mapped private, read-write: 64 B still reachable;
 * - a file mapped shared, read-write: 96 B still reachable;
 * - anonymous, made read-only after the store (mprotect): 72 B definitely
 *   lost (not writable, so not a root);
 * - anonymous, made PROT_NONE after the store: 80 B definitely lost;
 * - anonymous, unmapped after the store: 88 B definitely lost.
 * The file is a temporary one, unlinked at once (no stdio: a FILE would be
 * a block of its own).
 * Memcheck: still reachable 48 + 56 + 64 + 96 = 264 B in 4 blocks;
 * definitely lost 72 + 80 + 88 = 240 B in 3 blocks.
 *
 * EXPECT definitely=240/3 indirectly=0/0 possibly=0/0 reachable=264/4
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "scrub.h"

#define PAGE 4096

static int file_fd(void)
{
	char name[] = "/tmp/leakcheck-mappings.XXXXXX";
	int fd = mkstemp(name);
	if (fd < 0 || unlink(name) != 0 || ftruncate(fd, 2 * PAGE) != 0)
		exit(2);
	return fd;
}

/* keep_in: maps a page, stores a new block's address in it, then applies `after`. */
__attribute__((noinline)) static void keep_in(int flags, int fd, off_t offset, size_t size, int after)
{
	void **page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, flags, fd, offset);
	if (page == MAP_FAILED)
		exit(2);
	page[100] = malloc(size); /* LEAK-SITE */
	if (after == -1)
		munmap(page, PAGE);
	else if (after != (PROT_READ | PROT_WRITE))
		mprotect(page, PAGE, after);
}

int main(void)
{
	const int rw = PROT_READ | PROT_WRITE;
	int fd = file_fd();
	keep_in(MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, 48, rw);
	keep_in(MAP_SHARED | MAP_ANONYMOUS, -1, 0, 56, rw);
	keep_in(MAP_PRIVATE, fd, 0, 64, rw);
	keep_in(MAP_SHARED, fd, PAGE, 96, rw);
	keep_in(MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, 72, PROT_READ);
	keep_in(MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, 80, PROT_NONE);
	keep_in(MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, 88, -1);
	close(fd);
	scrub_stack();
	return 0;
}
