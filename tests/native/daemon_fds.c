/*
 * daemon_fds: a program that owns its descriptors, as daemons do.
 *
 *   daemon_fds close-all PREFIX  closes every descriptor (close_range), reopens
 *       0-2 on /dev/null, opens PREFIX.0 and PREFIX.1 (so 3 and 4) and, between
 *       allocations whose stacks libunwind must walk (a CFA given by a DWARF
 *       expression, called from code without CFI), writes to PREFIX.1. Then
 *       checks that both descriptors are still its files and that PREFIX.1
 *       holds exactly what it wrote; writes "files intact" or what is wrong
 *       into PREFIX.verdict (its stdout is /dev/null by then).
 *       Leaks LEAKS blocks of 100 bytes from expr_alloc.
 *   daemon_fds fill  opens /dev/null until no descriptor is left, prints how
 *       many it got, closes one and dlopens libm (printing "dlopen ok" or
 *       dlopen's error), then allocates for a while holding every descriptor
 *       it can get.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LEAKS 10
#define ROUNDS 300

void *no_cfi_call(size_t size);
/* expr_alloc(size): malloc from a frame whose CFA is a DWARF expression; no_cfi_call: a frame without CFI calling it. */
__asm__(".text\n"
	".globl expr_alloc\n.type expr_alloc,@function\nexpr_alloc:\n.cfi_startproc\n"
	"push %rbp\n.cfi_escape 0x0f,0x02,0x77,0x10\n.cfi_offset %rbp,-16\nmov %rsp,%rbp\n"
	"call malloc@PLT\npop %rbp\n.cfi_def_cfa %rsp,8\nret\n.cfi_endproc\n.size expr_alloc,.-expr_alloc\n"
	".globl no_cfi_call\n.type no_cfi_call,@function\nno_cfi_call:\n"
	"push %rbp\nmov %rsp,%rbp\ncall expr_alloc\npop %rbp\nret\n.size no_cfi_call,.-no_cfi_call\n");

static const char chunk[] = "0123456789";

static int close_all(const char *prefix)
{
	close_range(0, ~0u, 0);
	for (int k = 0; k < 3; k++)
		open("/dev/null", O_RDWR);
	char path[2][4096];
	int fds[2];
	for (int k = 0; k < 2; k++) {
		snprintf(path[k], sizeof(path[k]), "%s.%d", prefix, k);
		fds[k] = open(path[k], O_RDWR | O_CREAT | O_TRUNC, 0644);
	}
	static void *kept[LEAKS];
	size_t written = 0;
	for (int i = 0; i < ROUNDS; i++) {
		void *p = no_cfi_call(100);
		if (i < LEAKS)
			kept[i] = p;
		else
			free(p);
		if (i % 10 == 0) {
			written += (size_t)write(fds[1], chunk, 10);
			usleep(1000);
		}
	}
	char verdict_path[4096];
	snprintf(verdict_path, sizeof(verdict_path), "%s.verdict", prefix);
	int v = open(verdict_path, O_WRONLY | O_CREAT | O_TRUNC, 0644); /* its stdout and stderr are /dev/null */
	int bad = 0;
	for (int k = 0; k < 2; k++) {
		struct stat a, b;
		if (fstat(fds[k], &a) != 0 || stat(path[k], &b) != 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
			dprintf(v, "descriptor %d is no longer %s\n", fds[k], path[k]);
			bad = 1;
		}
	}
	char back[8192];
	ssize_t n = pread(fds[1], back, sizeof(back), 0);
	if (n != (ssize_t)written || written != ROUNDS)
		dprintf(v, "%s holds %zd bytes, %zu written\n", path[1], n, written), bad = 1;
	for (ssize_t i = 0; i < n; i++)
		if (back[i] != chunk[i % 10]) {
			dprintf(v, "%s: byte %zd is %#x\n", path[1], i, (unsigned char)back[i]);
			bad = 1;
			break;
		}
	struct stat st;
	if (stat(path[0], &st) != 0 || st.st_size != 0)
		dprintf(v, "%s, never written, holds %lld bytes\n", path[0], (long long)st.st_size), bad = 1;
	dprintf(v, bad ? "files damaged\n" : "files intact\n");
	return bad;
}

__attribute__((noinline)) static void *fill_alloc(size_t n)
{
	return malloc(n);
}

static int fill(void)
{
	int held[4096], count = 0;
	while (count < 4096 && (held[count] = open("/dev/null", O_RDONLY)) >= 0)
		count++;
	printf("held %d\n", count);
	if (count)
		close(held[--count]);
	void *h = dlopen("libm.so.6", RTLD_NOW);
	printf("dlopen %s\n", h ? "ok" : dlerror());
	while (count < 4096 && (held[count] = open("/dev/null", O_RDONLY)) >= 0)
		count++; /* every descriptor again */
	for (int i = 0; i < 50; i++) {
		free(fill_alloc(64));
		usleep(4000);
	}
	for (int i = 0; i < count; i++)
		close(held[i]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "close-all"))
		return close_all(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "fill"))
		return fill();
	fprintf(stderr, "usage: daemon_fds close-all PREFIX | fill\n");
	return 2;
}
