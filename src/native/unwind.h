/*
 * unwind.h - call stacks of the calling thread, fast: the preload library
 * captures one at every allocation.
 *
 * On x86-64 it is an unwinder of our own (unwind.c): the DWARF CFI of each
 * return address is interpreted once and cached as a compact rule, so a
 * capture costs a few loads per frame; code without CFI (V8's JIT) is
 * stepped with its frame pointer. Whatever the rules cannot express is
 * handed to libunwind, which is also the unwinder on other architectures.
 * Nothing here calls malloc on the fast path; the slow paths may (libunwind,
 * the loader), so callers hold the preload library's reentrancy guard.
 */
#ifndef LH_NATIVE_UNWIND_H
#define LH_NATIVE_UNWIND_H

#include <stdint.h>

/*
 * Writes up to max program counters of the calling thread into pcs,
 * innermost first, and returns their count. The first is the return
 * address into the function that called unwind_backtrace; the others are
 * return addresses, except the instruction a signal interrupted (after a
 * signal frame), as libunwind's unw_backtrace() reports them. Never faults:
 * every stack read is checked against the thread's stack mapping, and the
 * walk stops at anything it cannot vouch for.
 */
int unwind_backtrace(uintptr_t *pcs, int max);

/*
 * From now on, leading frames whose pc is in [lo, hi) (the preload
 * library's own code) are walked but not returned: the first pc returned
 * is the first outside, and max counts from there.
 */
void unwind_skip_leading(uintptr_t lo, uintptr_t hi);

/* Captures so far that were handed to libunwind (for tests and benchmarks). */
uint64_t unwind_fallback_count(void);

#endif
