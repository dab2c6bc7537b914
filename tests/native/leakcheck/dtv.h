/* dtv.h - prints the size of the calling thread's glibc DTV (x86-64).
 *
 * A thread still running at exit leaves its DTV (allocated by allocate_dtv)
 * possibly lost under Memcheck: the thread descriptor points one 16-byte
 * entry past its start. The size is 16 bytes per entry, (modules with TLS
 * + 14 spare + 2), so it depends on what is loaded, and a preloaded
 * library with TLS makes it larger. Programs with such a thread print the
 * size they see ("dtv: N bytes"), for t5000 to compare the two runs.
 * %fs:8 is the DTV pointer (tcbhead_t), the word two before it the entry
 * count less 2.
 */
#ifndef LEAKCHECK_DTV_H
#define LEAKCHECK_DTV_H
#include <stdio.h>
#include <unistd.h>

/* With write(), not stdio: a stdout buffer would be one more block. */
static void print_dtv_size(void)
{
	const size_t *dtv;
	char line[64];
	__asm__("mov %%fs:8, %0" : "=r"(dtv));
	int n = snprintf(line, sizeof line, "dtv: %zu bytes\n", (dtv[-2] + 2) * 16);
	if (n > 0 && write(STDOUT_FILENO, line, (size_t)n) != n)
		_exit(2);
}

#endif
