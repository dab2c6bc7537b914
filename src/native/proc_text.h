/*
 * proc_text.h - reading a small /proc file (a status file) as text, with
 * open(2) and read(2) only: the leak check calls it with the program's
 * threads stopped, where stdio (which allocates and locks) must not run.
 */
#ifndef LH_NATIVE_PROC_TEXT_H
#define LH_NATIVE_PROC_TEXT_H

#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

/* Reads up to size - 1 bytes of path into text, NUL-terminated; false if nothing could be read. */
static inline bool proc_read_text(const char *path, char *text, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, text, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = 0;
	return true;
}

#endif
