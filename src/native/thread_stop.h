/*
 * thread_stop.h - stops every other thread of the process while the leak
 * check reads memory, the way Valgrind's big lock holds guest threads, and
 * keeps what the scan needs from each: its stack pointer and its general
 * purpose registers.
 *
 * How: the caller lists /proc/self/task (getdents64 into a stack buffer,
 * no allocation) and sends each thread THREAD_STOP_SIGNAL with tgkill. The
 * handler (installed once, SA_RESTART, all signals blocked while it runs)
 * copies the interrupted registers from its ucontext into the thread's
 * slot, marks it stopped, and waits on a futex until the caller releases
 * the round. The listing is repeated until a pass finds no new thread, so
 * a thread created meanwhile is caught too. A thread that blocks the
 * signal (its SigBlk in /proc/self/task/TID/status says so: node's helper
 * threads block them all) is not signalled, and one that does not answer
 * within 2 s (a program replaced our handler) is given up on: both are
 * left running and reported as not stopped; their stacks are then scanned
 * whole (the caller cannot know their stack pointers).
 *
 * The handler is async-signal-safe: it calls only gettid, futex and
 * nothing that allocates or locks.
 */
#ifndef LH_NATIVE_THREAD_STOP_H
#define LH_NATIVE_THREAD_STOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A real-time signal rarely used by programs (glibc keeps the first two for itself). */
#define THREAD_STOP_SIGNAL (SIGRTMAX - 3)
#define THREAD_STOP_MAX_REGS 32

struct stopped_thread {
	pid_t tid;                   /* 0: it exited before it could be signalled */
	bool stopped;                /* it answered: sp and regs are valid */
	uintptr_t sp;
	uintptr_t regs[THREAD_STOP_MAX_REGS];
	uint32_t reg_count;
};

/* Installs the handler and maps the slots. False if either fails (no leak check then). */
bool thread_stop_init(void);
/*
 * Stops every thread but the caller and `also_skip` (0 for none). Returns
 * the threads found; *count gets their number (those with stopped == false
 * did not answer). Pair with thread_stop_release() unless the process is
 * about to end.
 */
const struct stopped_thread *thread_stop_all(pid_t also_skip, size_t *count);
/* Lets the threads stopped by the last thread_stop_all() run again. */
void thread_stop_release(void);

#endif
