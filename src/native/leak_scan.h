/*
 * leak_scan.h - Memcheck's leak search (memcheck/mc_leakcheck.c, 3.19) over
 * the leak heap (leak_heap.h): roots, matching, heuristics, marking,
 * cliques and loss records. /work/shared/native-tracking.md section A has
 * the algorithm with its sources; leak_scan.c says where we differ.
 *
 * The caller stops the other threads first (thread_stop.h) and passes what
 * they left: their stack pointers and registers. Nothing here calls malloc:
 * every array is own_map'd (so never itself a root) and unmapped by
 * leak_scan_free().
 */
#ifndef LH_NATIVE_LEAK_SCAN_H
#define LH_NATIVE_LEAK_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thread_stop.h"
#include "trace_format.h"

struct leak_result {
	struct lh_rec_leak_check summary; /* time_ns, flags and thread counts are the caller's */
	struct lh_rec_loss *records;      /* unsorted; own_map'd */
	size_t record_count;
	size_t records_bytes;             /* mapping size, for leak_scan_free */
};

struct leak_scan_input {
	const struct stopped_thread *threads;
	size_t thread_count;
	uintptr_t caller_sp;   /* the calling thread's stack is scanned from here; 0: not at all */
};

/* Runs the search; false only when memory for its arrays could not be mapped. */
bool leak_scan(const struct leak_scan_input *in, struct leak_result *out);
void leak_scan_free(struct leak_result *r);

/*
 * The stack pointer from which a thread that called exit() is scanned:
 * that of the first frame outside leakhound and ld.so (which runs the
 * destructors), i.e. exit's own __run_exit_handlers. That is within a few
 * words of where Memcheck reads it from (its SP at exit_group, in _exit
 * called from the same function), so the stale words the program left
 * below its live frames count as they do for Memcheck. Falls back to
 * `here`.
 */
uintptr_t leak_scan_exit_sp(uintptr_t here);

#endif
