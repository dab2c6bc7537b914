/* deep_stack.c - call stacks of known shapes, built -O2 -fomit-frame-pointer
 * -rdynamic by tests/e2e/t4080:
 *   deep_stack check [PLUGIN.so]  captures with leakhound's unwinder and with
 *       libunwind at many points (recursion, alloca and big frames, many
 *       callee-saved registers, qsort's callback, varargs, a raised signal,
 *       a coroutine's stack, a signal handler's alternate stack, a profiling
 *       timer interrupting anywhere, a thread, a dlopen'd plugin) and
 *       compares; exits 1 on any difference. Needs unwind_check.c.
 *   deep_stack leak DEPTH  leaks 100 blocks of 24 bytes at the bottom of
 *       DEPTH+1 nested calls to descend(), for `leakhound run`.
 */
#include <alloca.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>

#include "unwind_check.h"

#define NOINLINE __attribute__((noinline, noclone))

static volatile int sink;
static void *volatile leaked;

/* DEPTH+1 frames of descend(), then at_bottom(). Not a tail call: the store after it. */
NOINLINE int descend(int depth, void (*at_bottom)(void))
{
	if (depth == 0) {
		at_bottom();
		return 1;
	}
	int r = descend(depth - 1, at_bottom);
	sink = r;
	return r + depth;
}

NOINLINE static void leak_bottom(void)
{
	leaked = malloc(24); /* LEAK-SITE */
}

/* The CFA is rbp-based in a function that calls alloca. */
NOINLINE static int with_alloca(int n, void (*at_bottom)(void))
{
	char *buf = alloca((size_t)n);
	memset(buf, n, (size_t)n);
	if (n > 8)
		return with_alloca(n / 2, at_bottom) + buf[n - 1];
	at_bottom();
	return buf[0];
}

/* A frame larger than 64 KiB. */
NOINLINE static int big_frame(void (*at_bottom)(void))
{
	volatile char buf[70000];
	buf[0] = 1;
	buf[sizeof(buf) - 1] = 2;
	at_bottom();
	return buf[0] + buf[sizeof(buf) - 1];
}

/* Keeps many values live across the call, so all callee-saved registers are pushed. */
NOINLINE static long many_registers(long a, long b, void (*at_bottom)(void))
{
	long c = a * b, d = a + b, e = a - b, f = a ^ b, g = a | b, h = a & b;
	at_bottom();
	return a + b + c * d + e * f + g * h + (c ^ d ^ e ^ f ^ g ^ h);
}

NOINLINE static int varargs(int count, ...)
{
	va_list ap;
	va_start(ap, count);
	int sum = 0;
	for (int i = 0; i < count; i++)
		sum += va_arg(ap, int);
	va_end(ap);
	unwind_check();
	return sum;
}

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	if ((x ^ y) % 7 == 0)
		unwind_check(); /* inside qsort's own frames */
	return (x > y) - (x < y);
}

static void on_usr1(int sig)
{
	(void)sig;
	unwind_check(); /* above __restore_rt and raise's frames */
}

static void on_prof(int sig)
{
	(void)sig;
	unwind_check_async(); /* the interrupted pc can be any instruction */
}

NOINLINE static void raise_usr1(void)
{
	raise(SIGUSR1);
}

/* Busy work in the shapes above, for the profiling timer to interrupt. */
NOINLINE static void spin_bottom(void)
{
	for (int i = 0; i < 2000; i++)
		sink = sink * 31 + i;
}

/* A coroutine's stack (makecontext) and a signal handler's alternate stack: not the thread's. */
static ucontext_t main_context, coroutine_context;

static void coroutine_main(void)
{
	descend(4, unwind_check);
	swapcontext(&coroutine_context, &main_context);
}

static void run_off_stack(void)
{
	static char coroutine_stack[256 * 1024], alternate_stack[64 * 1024];
	getcontext(&coroutine_context);
	coroutine_context.uc_stack = (stack_t){ .ss_sp = coroutine_stack, .ss_size = sizeof(coroutine_stack) };
	coroutine_context.uc_link = &main_context;
	makecontext(&coroutine_context, coroutine_main, 0);
	swapcontext(&main_context, &coroutine_context);
	descend(3, unwind_check); /* back on the thread's own stack */

	stack_t alt = { .ss_sp = alternate_stack, .ss_size = sizeof(alternate_stack) }, old;
	struct sigaction on_alt = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK }, before;
	sigaltstack(&alt, &old);
	sigaction(SIGUSR1, &on_alt, &before);
	descend(2, raise_usr1);
	sigaction(SIGUSR1, &before, NULL);
	sigaltstack(&old, NULL);
}

static void *thread_main(void *arg)
{
	(void)arg;
	for (int d = 0; d < 12; d++)
		descend(d, unwind_check);
	return NULL;
}

/*
 * Two callers with the same frame size: the captures below them start from
 * the same registers and differ only in a return address further up, so a
 * memoised walk must not be taken for the other's.
 */
NOINLINE static void via_a(int d)
{
	descend(d, unwind_check);
	sink++;
}

NOINLINE static void via_b(int d)
{
	descend(d, unwind_check);
	sink += 2;
}

static int check_all(const char *plugin)
{
	for (int round = 0; round < 3; round++)
		for (int d = 0; d < 8; d++) {
			via_a(d);
			via_b(d);
		}
	for (int d = 0; d < 40; d++)
		descend(d, unwind_check);
	with_alloca(4096, unwind_check);
	big_frame(unwind_check);
	many_registers(3, 4, unwind_check);
	varargs(3, 1, 2, 3);
	int values[64];
	for (int i = 0; i < 64; i++)
		values[i] = (i * 37) % 64;
	qsort(values, 64, sizeof(values[0]), compare_ints);

	signal(SIGUSR1, on_usr1);
	descend(5, raise_usr1);
	with_alloca(256, raise_usr1);

	run_off_stack();

	pthread_t t;
	if (pthread_create(&t, NULL, thread_main, NULL) == 0)
		pthread_join(t, NULL);

	if (plugin) {
		void *h = dlopen(plugin, RTLD_NOW);
		int (*plugin_descend)(int, void (*)(void)) = h ? (int (*)(int, void (*)(void)))dlsym(h, "plugin_descend") : NULL;
		if (!plugin_descend) {
			fprintf(stderr, "cannot load %s\n", plugin);
			return 1;
		}
		for (int d = 0; d < 6; d++)
			plugin_descend(d, unwind_check);
	}

	signal(SIGPROF, on_prof);
	struct itimerval every = { { 0, 200 }, { 0, 200 } }, off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_PROF, &every, NULL);
	clock_t until = clock() + CLOCKS_PER_SEC / 2; /* half a second of CPU: ~2,500 interrupts */
	for (int round = 0; clock() < until; round++) {
		descend(round % 17, spin_bottom);
		with_alloca(64 + round, spin_bottom);
		big_frame(spin_bottom);
		many_registers(round, 7, spin_bottom);
	}
	setitimer(ITIMER_PROF, &off, NULL);
	return unwind_check_report("deep_stack");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return check_all(argc > 2 ? argv[2] : NULL);
	if (argc == 3 && strcmp(argv[1], "leak") == 0) {
		int depth = atoi(argv[2]);
		for (int i = 0; i < 100; i++)
			descend(depth, leak_bottom);
		return 0;
	}
	fprintf(stderr, "usage: deep_stack check [PLUGIN.so] | deep_stack leak DEPTH\n");
	return 2;
}
