/*
 * leak_check.h - when and how a leak check runs inside the tracked process
 * (`leakhound run --leak-check`, LEAKHOUND_LEAK_CHECK=1 in the environment).
 *
 * Mid-run: SIGUSR2 (handler installed only in this mode; it only sets a
 * flag and wakes the writer thread, so it is async-signal-safe) asks the
 * writer thread for a check; the writer stops the program's threads,
 * scans, lets them go, and appends the result to the trace.
 *
 * At exit (the library's destructor, after the program's atexit handlers
 * and the destructors of the objects loaded after it): the exiting thread
 * stops the other threads for good (they never run again, as under
 * Memcheck, which reaps them before its final check), stops tracking,
 * calls __gnu_cxx::__freeres (if libstdc++ is loaded) and __libc_freeres
 * as Memcheck does, then scans. Its own stack is read from the frame that
 * called exit() up, see leak_scan_exit_frame().
 *
 * Lock order, so that no stopped thread holds what the checking thread
 * needs: the writer's lock, then the own-memory registry, then the leak
 * heap's lock, are taken before the threads are stopped.
 */
#ifndef LH_NATIVE_LEAK_CHECK_H
#define LH_NATIVE_LEAK_CHECK_H

#include <stdbool.h>
#include <sys/types.h>

#include "leak_scan.h"

/* Sets up the heap, the thread stopper and the SIGUSR2 handler. False: no leak check. */
bool leak_check_init(void (*on_request)(void));
/* The mid-run check, from the writer thread (writer_tid is itself). */
bool leak_check_now(struct leak_result *out);
/*
 * The final check, from the exiting thread; `stop_tracking` runs once the
 * other threads are stopped, before the freeres calls (whose frees must not
 * reach the tracker's locks). writer_tid is left running.
 */
bool leak_check_at_exit(pid_t writer_tid, void (*stop_tracking)(void), struct leak_result *out);

#endif
