/* exit_from_thread.c - exit() called by a second thread while main is
 * blocked in pthread_join.
 *
 * The check then runs on the second thread; main is stopped somewhere in
 * pthread_join, and its stack must be read from its own stack pointer up:
 * the 200-byte block a local of main holds is still reachable, and so is
 * the 300-byte block a local of the exiting thread holds. A 100-byte block
 * whose pointer was in a frame that returned is definitely lost. The
 * exiting thread is still alive when the check runs, so its DTV is possibly
 * lost (see dtv.h; 272 B under Memcheck, where only libc has TLS).
 * Memcheck: still reachable 200 + 300 = 500 B in 2 blocks; definitely lost
 * 100 B in 1; possibly lost 272 B in 1.
 * The thread calls exit() only once main sleeps in pthread_join: sooner,
 * main may still be inside pthread_create, whose live locals hold the new
 * thread's DTV, making it reachable (Valgrind's scheduler hid that race;
 * t5000 failed about 1 run in 3 under load without the wait).
 *
 * EXPECT definitely=100/1 indirectly=0/0 possibly=272/1 reachable=500/2
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "dtv.h"
#include "scrub.h"

__attribute__((noinline)) static void forget_on_return(void)
{
	void *volatile local = malloc(100); /* LEAK-SITE */
	(void)local;
}

/* Waits (at most 10 s) until main's state in /proc is 'S'. With open and
 * read, not stdio: no block may be allocated here. */
static void wait_until_main_sleeps(void)
{
	char path[64], stat[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)getpid());
	for (int tries = 0; tries < 10000; tries++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, stat, sizeof stat - 1);
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return;
		stat[n] = 0;
		const char *end_of_name = strrchr(stat, ')');
		if (end_of_name && end_of_name[1] == ' ' && end_of_name[2] == 'S')
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
}

static void *exiting_thread(void *arg)
{
	void *volatile kept = malloc(300);
	(void)kept;
	print_dtv_size();
	forget_on_return();
	wait_until_main_sleeps();
	scrub_stack();
	exit(0);
	return arg;
}

int main(void)
{
	void *volatile kept_in_main = malloc(200);
	(void)kept_in_main;
	pthread_t t;
	pthread_create(&t, NULL, exiting_thread, NULL);
	pthread_join(t, NULL);
	return 1; /* not reached */
}
