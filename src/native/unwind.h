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

#include <stdbool.h>
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
 * Memoised capture, for a caller that turns each stack into a value (the
 * tracker: a stack id). A walk is a function of the registers it starts
 * from and the stack words it uses (return addresses, and a saved rbp where
 * a frame's CFA is based on rbp), so when the thread starts from the same
 * registers as a memoised walk and every word that walk used still holds
 * what it held, the walk would give the same frames again. A memo keeps
 * recent walks, each with the value the caller attached, in
 * UNWIND_MEMO_SETS sets chosen by the walk's start, UNWIND_MEMO_WAYS walks
 * a set: malloc's callers at one stack depth all start from the same pc
 * (in the preload library) and sp, and differ only in the words above.
 * One memo per thread, owned by the caller; walks through a signal frame,
 * handed to libunwind, or using more than UNWIND_MEMO_WORDS words are not
 * memoised.
 */
#define UNWIND_MEMO_SETS 32
#define UNWIND_MEMO_WAYS 16
#define UNWIND_MEMO_WORDS 66            /* a return address and a saved rbp for each of 32 frames, and 2 more */

struct unwind_memo_entry {
	uintptr_t pc, sp, rbp, hi;      /* the walk's start, and the top of its stack */
	uint32_t generation;            /* of the rule cache the walk used */
	uint32_t value;                 /* 0: none (empty, or the walk is not memoised) */
	uint32_t words;                 /* stack words the walk used */
	uint32_t rbp_used;              /* the starting rbp was a CFA base */
	uintptr_t at[UNWIND_MEMO_WORDS], seen[UNWIND_MEMO_WORDS];
};

struct unwind_memo {
	struct unwind_memo_entry slot[UNWIND_MEMO_SETS * UNWIND_MEMO_WAYS];
	struct unwind_memo_entry *filling; /* the entry of the last walk, until its value is attached */
	uint32_t found;                 /* the last capture's memoised value, or 0 */
	uint32_t victim;                /* random state: the way a full set gives up */
};

/*
 * unwind_backtrace() with a memo: if the calling stack is memoised, sets
 * memo->found to its value and returns 0 without walking; otherwise walks
 * into pcs, sets memo->found to 0, and the caller should then call
 * unwind_memo_attach() with the value it made of pcs (never 0).
 */
int unwind_backtrace_memo(uintptr_t *pcs, int max, struct unwind_memo *memo);
void unwind_memo_attach(struct unwind_memo *memo, uint32_t value);

/*
 * From now on, leading frames whose pc is in [lo, hi) (the preload
 * library's own code) are walked but not returned: the first pc returned
 * is the first outside, and max counts from there.
 */
void unwind_skip_leading(uintptr_t lo, uintptr_t hi);

/*
 * Initialises libunwind (the fallback) once, at start-up, single-threaded:
 * its reads go through a safe accessor that needs no file descriptor, and
 * the pipe it opens for validating addresses is closed (libunwind_reads.c).
 */
void unwind_libunwind_init(void);

/* Captures so far that were handed to libunwind (for tests and benchmarks). */
uint64_t unwind_fallback_count(void);

/*
 * Around every walk of the loader's list (dl_iterate_phdr), the program's
 * too; nested walks of one thread are fine. And around fork(): no walk is
 * then inside the loader's list (see unwind.c). unwind_fork_prepare() must
 * come before any lock a walk's callback may need (an allocation's).
 */
void unwind_loader_walk_begin(void);
void unwind_loader_walk_end(void);
/* Ended by unwind_loader_walk_end(): no other thread is inside a walk until then (for stopping them all). */
void unwind_loader_walks_exclusive_begin(void);
void unwind_fork_prepare(void);
void unwind_fork_done(bool in_child);

#endif
