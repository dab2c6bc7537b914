/* midrun.c - a leak check while the program runs, then one at exit.
 *
 * The mid-run check is asked for the way each tool offers: Memcheck's
 * VALGRIND_DO_LEAK_CHECK client request, leakhound's SIGUSR2 (then the
 * program waits until the trace file grows, i.e. the check is written).
 * Neither runs __libc_freeres for a mid-run check. A second thread is
 * blocked in pause() throughout, a 128-byte block on its stack.
 *
 * At the mid-run check: three lost lists of a 32-byte head and two 24-byte
 * nodes (definitely 96 B in 3, indirectly 144 B in 6); a 50-byte block in
 * a global (still reachable), with the thread's 128 B; a global pointing 16
 * bytes into a 40-byte block (possibly lost), with the thread's DTV (272 B
 * under Memcheck, see dtv.h).
 * Then the 50-byte block is freed, the interior pointer cleared (the
 * 40-byte block becomes definitely lost), and a 64-byte head with a 32-byte
 * node is lost. At exit: definitely 96 + 40 + 64 = 200 B in 5 blocks;
 * indirectly 144 + 32 = 176 B in 7; possibly 272 B in 1 (the DTV); still
 * reachable 128 B in 1.
 *
 * EXPECT-MIDRUN definitely=96/3 indirectly=144/6 possibly=312/2 reachable=178/2
 * EXPECT definitely=200/5 indirectly=176/7 possibly=272/1 reachable=128/1
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <valgrind/memcheck.h>
#include "dtv.h"
#include "scrub.h"

static void *kept;
static char *interior;
static pthread_barrier_t ready;

static void *sleeper(void *arg)
{
	void *volatile on_stack = malloc(128);
	(void)on_stack;
	print_dtv_size();
	pthread_barrier_wait(&ready);
	for (;;)
		pause();
	return arg;
}

__attribute__((noinline)) static void *lose_list(size_t head_size, size_t node_size, int nodes)
{
	void **head = calloc(1, head_size); /* LEAK-SITE */
	void **at = head;
	for (int i = 0; i < nodes; i++)
		at = *at = calloc(1, node_size);
	return NULL;
}

static off_t trace_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Asks for a check now, from whichever tool runs the program. Memcheck
 * reads this thread's registers at the request, leakhound where the signal
 * stops it: the caller-saved registers are cleared first, so that neither
 * finds a pointer the other cannot (the callee-saved ones are not used by
 * -O0 code). */
__attribute__((noinline)) static void check_now(void)
{
	__asm__ volatile("xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t"
			 "xor %%esi, %%esi\n\txor %%edi, %%edi\n\txor %%r8d, %%r8d\n\t"
			 "xor %%r9d, %%r9d\n\txor %%r10d, %%r10d\n\txor %%r11d, %%r11d"
			 : : : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
	const char *trace = getenv("LEAKHOUND_TRACE_FILE");
	if (RUNNING_ON_VALGRIND) {
		VALGRIND_DO_LEAK_CHECK;
	} else if (trace) {
		off_t before = trace_size(trace);
		raise(SIGUSR2);
		for (int i = 0; i < 3000 && trace_size(trace) == before; i++)
			usleep(10000);
	}
}

__attribute__((noinline)) static void before_check(void)
{
	pthread_t t;
	pthread_barrier_init(&ready, NULL, 2);
	pthread_create(&t, NULL, sleeper, NULL);
	pthread_barrier_wait(&ready);
	for (int i = 0; i < 3; i++)
		lose_list(32, 24, 2);
	kept = malloc(50);
	interior = (char *)malloc(40) + 16; /* LEAK-SITE */
}

__attribute__((noinline)) static void after_check(void)
{
	free(kept);
	kept = NULL;
	interior = NULL;
	lose_list(64, 32, 1);
}

int main(void)
{
	before_check();
	scrub_stack();
	check_now();
	after_check();
	scrub_stack();
	return 0;
}
