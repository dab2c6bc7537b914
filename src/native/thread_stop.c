/*
 * thread_stop.c - see thread_stop.h.
 *
 * Rounds: each thread_stop_all() starts a new round number; a thread's slot
 * records the round it was signalled for, and its handler waits until
 * `released_round` reaches it. A handler that runs late (the signal was
 * blocked until after the release) finds its round released and returns at
 * once, so a stray signal never parks a thread for good.
 */
#include "thread_stop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "own_memory.h"
#include "proc_text.h"

#define MAX_THREADS 8192
#define ANSWER_TIMEOUT_NS 2000000000ull

static struct stopped_thread *threads;  /* own_map'd, MAX_THREADS */
static _Atomic uint32_t *answered;       /* per slot: the round it answered */
static _Atomic size_t thread_count;
static _Atomic uint32_t current_round;
static _Atomic uint32_t released_round;

static long futex(_Atomic uint32_t *word, int op, uint32_t value)
{
	return syscall(SYS_futex, (uint32_t *)word, op, value, NULL, NULL, 0);
}

static void save_registers(struct stopped_thread *t, const ucontext_t *uc)
{
#if defined(__x86_64__)
	static const int gp[16] = { REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_RSP,
				    REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15 };
	for (int i = 0; i < 16; i++)
		t->regs[i] = (uintptr_t)uc->uc_mcontext.gregs[gp[i]];
	t->reg_count = 16;
	t->sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
	for (int i = 0; i < 31; i++)
		t->regs[i] = (uintptr_t)uc->uc_mcontext.regs[i];
	t->regs[31] = (uintptr_t)uc->uc_mcontext.sp;
	t->reg_count = 32;
	t->sp = (uintptr_t)uc->uc_mcontext.sp;
#else
#error "thread_stop.c knows the registers of x86-64 and aarch64 only"
#endif
}

static void on_stop_signal(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)info;
	int saved = errno;
	pid_t me = (pid_t)syscall(SYS_gettid);
	uint32_t round = atomic_load_explicit(&current_round, memory_order_acquire);
	size_t n = atomic_load_explicit(&thread_count, memory_order_acquire);
	for (size_t i = 0; i < n; i++) {
		if (threads[i].tid != me)
			continue;
		if (atomic_load(&released_round) >= round)
			break; /* late: that round is over */
		save_registers(&threads[i], context);
		atomic_store_explicit(&answered[i], round, memory_order_release);
		uint32_t r;
		while ((r = atomic_load_explicit(&released_round, memory_order_acquire)) < round)
			futex(&released_round, FUTEX_WAIT_PRIVATE, r);
		break;
	}
	errno = saved;
}

bool thread_stop_init(void)
{
	threads = own_map(MAX_THREADS * sizeof(*threads), true);
	answered = own_map(MAX_THREADS * sizeof(*answered), true);
	if (!threads || !answered)
		return false;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	return sigaction(THREAD_STOP_SIGNAL, &sa, NULL) == 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool known(pid_t tid)
{
	size_t n = atomic_load_explicit(&thread_count, memory_order_relaxed);
	for (size_t i = 0; i < n; i++)
		if (threads[i].tid == tid)
			return true;
	return false;
}

/*
 * False for a thread that cannot answer: it blocks THREAD_STOP_SIGNAL
 * (node's and libuv's helper threads block every signal) or is exiting.
 * Asking /proc spares the 2 s wait for it.
 */
static bool can_answer(pid_t tid)
{
	char path[64], text[2048];
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	if (!proc_read_text(path, text, sizeof(text)))
		return false;
	const char *state = strstr(text, "\nState:\t"), *blocked = strstr(text, "\nSigBlk:\t");
	if (state && (state[8] == 'Z' || state[8] == 'X'))
		return false;
	if (!blocked)
		return true;
	unsigned long long mask = strtoull(blocked + 9, NULL, 16);
	return !(mask & (1ull << (THREAD_STOP_SIGNAL - 1)));
}

/* Signals the threads of /proc/self/task not signalled yet; returns how many were new. */
static size_t signal_new_threads(pid_t me, pid_t also_skip)
{
	int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[8192];
	size_t added = 0;
	long got;
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			/* struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name */
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			const char *name = buf + off + 19;
			off += reclen;
			if (name[0] < '0' || name[0] > '9')
				continue;
			pid_t tid = (pid_t)strtol(name, NULL, 10);
			size_t n = atomic_load_explicit(&thread_count, memory_order_relaxed);
			if (tid == me || tid == also_skip || known(tid) || n == MAX_THREADS)
				continue;
			threads[n] = (struct stopped_thread){ .tid = tid };
			atomic_store_explicit(&answered[n], 0, memory_order_relaxed);
			atomic_store_explicit(&thread_count, n + 1, memory_order_release);
			if (!can_answer(tid))
				threads[n].tid = -tid; /* left running: reported, never waited for */
			else if (syscall(SYS_tgkill, getpid(), tid, THREAD_STOP_SIGNAL) == 0)
				added++;
			else
				threads[n].tid = 0; /* it exited meanwhile */
		}
	}
	close(fd);
	return added;
}

static bool all_answered(uint32_t round)
{
	size_t n = atomic_load_explicit(&thread_count, memory_order_relaxed);
	for (size_t i = 0; i < n; i++)
		if (threads[i].tid > 0 && atomic_load_explicit(&answered[i], memory_order_acquire) != round)
			return false;
	return true;
}

static void wait_for_answers(uint32_t round, uint64_t deadline)
{
	while (!all_answered(round) && now_ns() < deadline) {
		struct timespec pause = { 0, 100000 };
		nanosleep(&pause, NULL);
	}
}

const struct stopped_thread *thread_stop_all(pid_t also_skip, size_t *count)
{
	pid_t me = (pid_t)syscall(SYS_gettid);
	uint32_t round = atomic_load(&current_round) + 1;
	atomic_store_explicit(&thread_count, 0, memory_order_release);
	atomic_store_explicit(&current_round, round, memory_order_release);
	uint64_t deadline = now_ns() + ANSWER_TIMEOUT_NS;
	for (int pass = 0; pass < 8; pass++) {
		size_t added = signal_new_threads(me, also_skip);
		wait_for_answers(round, deadline);
		if (added == 0)
			break;
	}
	size_t n = atomic_load(&thread_count);
	for (size_t i = 0; i < n; i++) {
		threads[i].stopped = threads[i].tid > 0 && atomic_load(&answered[i]) == round;
		if (threads[i].tid < 0)
			threads[i].tid = -threads[i].tid;
	}
	*count = n;
	return threads;
}

void thread_stop_release(void)
{
	atomic_store_explicit(&released_round, atomic_load(&current_round), memory_order_release);
	futex(&released_round, FUTEX_WAKE_PRIVATE, INT32_MAX);
}
