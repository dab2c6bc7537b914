/*
 * trace_writer.h - appends the trace file: modules, new stacks and a
 * snapshot every interval, each batch with one write(2).
 *
 * A background thread (all signals blocked, so the program's signals are
 * never delivered to it) wakes every interval (or at once when a leak check
 * is requested: it sleeps on a futex, not a timer); the library's destructor
 * writes the final snapshot. Both build the batch in an mmap'd buffer and
 * serialise on one mutex, so the file only ever grows by whole batches
 * (SIGKILL can cut at most the batch being written, which readers drop).
 * The writer never calls malloc; the thread runs with its reentrancy guard
 * set, so anything libc allocates for it is not tracked.
 */
#ifndef LH_NATIVE_TRACE_WRITER_H
#define LH_NATIVE_TRACE_WRITER_H

#include <stdbool.h>
#include <stdint.h>

/* Creates the file and writes the header (with flags, LH_TRACE_*) and the first (empty) snapshot. */
bool trace_writer_open(const char *path, uint64_t interval_ns, uint32_t flags);
/* Starts the interval thread; `thread_init` runs first on it (sets the guard). */
bool trace_writer_start(void (*thread_init)(void));
/*
 * Writes the final snapshot and stops writing for good. Idempotent. With
 * leak checks enabled, the final batch also holds the at-exit leak check
 * (leak_check.h), which stops the program's other threads for good.
 */
void trace_writer_finish(void);

/*
 * A fork whose child tracks on: the write lock is held across it (prepare,
 * then done in parent and child), and the child, whose copy of the writer
 * thread did not survive the fork, starts a new trace at path with a new
 * writer thread (its first snapshot holds what it inherited).
 */
void trace_writer_fork_prepare(void);
void trace_writer_fork_done(void);
bool trace_writer_restart(const char *path);
/*
 * Before a dlclose: a batch now, so that every stack captured while the
 * object was mapped is written with a module list that holds it (readers
 * give modules a lifetime from those lists; an object loaded later at the
 * same addresses is another module).
 */
void trace_writer_before_unload(void);
/* A forked child that does not track: it lets go of the parent's descriptor. */
void trace_writer_child_untracked(void);
/* A child was forked and runs untracked: the trace says so (struct lh_rec_process). */
void trace_writer_count_fork(void);

/*
 * Leak checks (`run --leak-check`): the final batch gets one, and
 * trace_writer_request_leak_check() (async-signal-safe: an atomic store and
 * a futex wake) has the writer thread run one at once. `stop_tracking` is
 * called by the final check once the other threads are stopped.
 */
void trace_writer_enable_leak_check(void (*stop_tracking)(void));
void trace_writer_request_leak_check(void);

#endif
