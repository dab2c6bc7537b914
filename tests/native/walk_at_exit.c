/*
 * walk_at_exit.c - for tests/e2e/t5050 (run --leak-check): four threads
 * walk the loader's list (dl_iterate_phdr, as C++ exception unwinding
 * does) without pause while main loses one block of 100 bytes and
 * returns. The leak check at exit stops every other thread for good and
 * the final batch then walks the list itself: a thread stopped inside a
 * walk, holding glibc's lock on the list, would hang the exit.
 */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS 4

static int count_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(unsigned long *)data += info->dlpi_phnum;
	return 0;
}

static void *walk(void *arg)
{
	(void)arg;
	for (unsigned long n = 0;;)
		dl_iterate_phdr(count_segments, &n);
	return NULL;
}

int main(void)
{
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, walk, NULL);
	void *volatile lost = malloc(100); /* LEAK-SITE */
	lost = NULL;
	usleep(50000);
	return 0;
}
