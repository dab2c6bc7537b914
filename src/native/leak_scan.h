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

/* The calling thread as the scan sees it (the exiting thread at exit). */
struct exit_frame {
	uintptr_t sp;          /* its stack is scanned from here; 0: not at all */
	uintptr_t regs[8];     /* callee-saved registers as they were when exit() was called */
	uint32_t reg_count;
};

struct leak_scan_input {
	const struct stopped_thread *threads;
	size_t thread_count;
	struct exit_frame caller;
};

/* Runs the search; false only when memory for its arrays could not be mapped. */
bool leak_scan(const struct leak_scan_input *in, struct leak_result *out);
void leak_scan_free(struct leak_result *r);

/*
 * The exiting thread's roots, as Memcheck sees them at exit_group: its stack
 * from the frame that called exit() upward, and the callee-saved registers
 * of that frame (recovered by unwinding: exit's frames keep them, and
 * Memcheck reads them there). The words in exit's own frames that exit
 * never wrote are stale to us but undefined to Memcheck, so they are left
 * out. Falls back to the first frame outside leakhound and ld.so (the
 * destructors' caller), or to `here`.
 */
struct exit_frame leak_scan_exit_frame(uintptr_t here);

#endif
