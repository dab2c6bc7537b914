/*
 * leak_check.c - see leak_check.h.
 */
#include "leak_check.h"

#include <dlfcn.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "leak_heap.h"
#include "own_memory.h"
#include "thread_stop.h"

extern void __libc_freeres(void);

static void (*request_hook)(void);

static void on_sigusr2(int sig)
{
	(void)sig;
	if (request_hook)
		request_hook();
}

bool leak_check_init(void (*on_request)(void))
{
	if (!leak_heap_init() || !thread_stop_init())
		return false;
	request_hook = on_request;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr2;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR2, &sa, NULL) == 0;
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Stops the other threads with the registry and the heap held, so none stops inside them. */
static const struct stopped_thread *stop_world(pid_t also_skip, size_t *count)
{
	own_memory_hold();
	leak_heap_lock();
	const struct stopped_thread *t = thread_stop_all(also_skip, count);
	leak_heap_unlock();
	return t;
}

static void count_threads(const struct stopped_thread *t, size_t n, struct leak_result *out)
{
	out->summary.threads = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		out->summary.threads_not_stopped += t[i].tid > 0 && !t[i].stopped;
}

bool leak_check_now(struct leak_result *out)
{
	size_t n;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	const struct stopped_thread *t = stop_world(0, &n);
	struct leak_scan_input in = { t, n, { 0 } };
	leak_heap_lock();
	bool ok = leak_scan(&in, out);
	leak_heap_unlock();
	thread_stop_release();
	own_memory_unhold();
	count_threads(t, n, out);
	out->summary.scan_ns = now_ns(CLOCK_MONOTONIC) - t0;
	out->summary.scan_cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	return ok;
}

bool leak_check_at_exit(pid_t writer_tid, void (*stop_tracking)(void), struct leak_result *out)
{
	struct exit_frame me = leak_scan_exit_frame((uintptr_t)__builtin_frame_address(0));
	/* Looked up before the stop: dlsym takes the loader's lock, which a stopped thread may hold. */
	void (*cxx_freeres)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZN9__gnu_cxx9__freeresEv");
	size_t n;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	const struct stopped_thread *t = stop_world(writer_tid, &n);
	stop_tracking();
	if (cxx_freeres)
		cxx_freeres();
	__libc_freeres();
	struct leak_scan_input in = { t, n, me };
	leak_heap_lock();
	bool ok = leak_scan(&in, out);
	leak_heap_unlock();
	own_memory_unhold();
	count_threads(t, n, out);
	out->summary.scan_ns = now_ns(CLOCK_MONOTONIC) - t0;
	out->summary.scan_cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	out->summary.flags |= LH_LEAK_CHECK_FINAL;
	return ok; /* the stopped threads stay stopped: exit_group ends them */
}
