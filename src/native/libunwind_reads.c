/*
 * libunwind_reads.c - libunwind, made to hold no file descriptor and to
 * read memory without one (see unwind.h, unwind_libunwind_init).
 *
 * libunwind (1.6, x86-64) validates an address before reading it when it
 * has to guess a frame (code without CFI): mincore, then a one-byte write
 * of the address into a pipe it opened at initialisation. It first reads a
 * byte back from the pipe and, if that read fails, closes both pipe
 * numbers and opens a new pipe. Those are plain descriptor numbers (3 and
 * 4 in most programs): a daemon that closes every descriptor and opens its
 * own files gets them, and libunwind then consumes bytes of the program's
 * file, closes it, and the program's writes land in libunwind's pipe.
 *
 * So every read libunwind makes through its local address space goes
 * through our accessor instead: a page is checked once with
 * process_vm_readv on our own memory (a syscall that fails with EFAULT on
 * an unreadable address and needs no descriptor) and then kept in a small
 * per-thread cache of readable pages, as libunwind's own validation does;
 * reads of a checked page are plain loads. The pipe, never used again, is
 * closed at start-up, so the program sees no descriptor of libunwind's.
 * The accessor table is libunwind's public one (unw_get_accessors); its
 * pointer to our function replaces the library's own for every user of
 * the local address space in the process, which loses nothing: the
 * replacement reads the same memory and refuses the same unreadable
 * addresses.
 */
#include "unwind.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#define PAGE_MASK (~(unw_word_t)4095)
#define READABLE_PAGES 4

static __thread unw_word_t readable[READABLE_PAGES] __attribute__((tls_model("initial-exec")));
static __thread unsigned readable_next __attribute__((tls_model("initial-exec")));

/* True when the page holding addr can be read now (no descriptor, no fault). */
static bool page_readable(unw_word_t addr)
{
	unw_word_t page = addr & PAGE_MASK;
	if (page == 0)
		return false;
	for (int i = 0; i < READABLE_PAGES; i++)
		if (readable[i] == page)
			return true;
	char byte;
	struct iovec local = { &byte, 1 }, remote = { (void *)page, 1 };
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != 1)
		return false;
	readable[readable_next++ % READABLE_PAGES] = page;
	return true;
}

static int safe_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	(void)as;
	(void)arg;
	if (write) { /* unw_set_reg on a saved register: libunwind's own accessor writes the same way */
		memcpy((void *)addr, val, sizeof(*val));
		return 0;
	}
	unw_word_t last = addr + sizeof(*val) - 1;
	if (!page_readable(addr) || ((last & PAGE_MASK) != (addr & PAGE_MASK) && !page_readable(last)))
		return -UNW_EINVAL;
	memcpy(val, (const void *)addr, sizeof(*val));
	return 0;
}

/* True when fd is one end of the pipe (inode ino) libunwind made: non-blocking, close-on-exec. */
static bool is_libunwind_pipe_end(int fd, ino_t *ino)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL), fd_fl = fcntl(fd, F_GETFD);
	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode) || fl < 0 || !(fl & O_NONBLOCK) || fd_fl < 0 ||
	    !(fd_fl & FD_CLOEXEC))
		return false;
	if (*ino && st.st_ino != *ino)
		return false;
	*ino = st.st_ino;
	return true;
}

void unwind_libunwind_init(void)
{
	/*
	 * pipe2 hands out the two lowest free numbers, so a pipe of our own,
	 * closed at once, shows which two libunwind's initialisation (which
	 * the first call below runs, on this single thread) will take.
	 */
	int probe[2];
	bool probed = pipe2(probe, O_CLOEXEC) == 0;
	if (probed) {
		close(probe[0]);
		close(probe[1]);
	}
	unw_accessors_t *acc = unw_get_accessors(unw_local_addr_space);
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
	if (!acc)
		return;
	acc->access_mem = safe_access_mem;
	ino_t ino = 0;
	if (probed && is_libunwind_pipe_end(probe[0], &ino) && is_libunwind_pipe_end(probe[1], &ino)) {
		close(probe[0]);
		close(probe[1]);
	}
}
