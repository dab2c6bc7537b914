/*
 * tracker.h - the preload library's bookkeeping: which call stack holds
 * how much live memory.
 *
 * Two structures, all in memory from mmap(2), never from malloc:
 *   - the stack table: each distinct call stack (up to LH_TRACE_MAX_FRAMES
 *     return addresses) gets a dense id; lookups are lock-free, inserts
 *     take one global lock (new stacks are rare after warm-up);
 *   - per-stack counters (live bytes/blocks, allocations, frees), kept per
 *     thread with plain stores and summed by tracker_stack_stats().
 * There is no map from block to stack: the allocator keeps each block's
 * size and stack id itself (preload.c in a 16-byte header in front of the
 * block, the leak heap in its block headers) and hands them back at the
 * free. A shared address map cost a hash probe, a cache miss and a lock
 * per event (a fifth of a malloc/free pair's cost); a header is on the
 * cache line the program touches anyway.
 * Callers (preload.c) hold the thread's reentrancy guard, so nothing here
 * is re-entered on one thread, and nothing here allocates with malloc.
 */
#ifndef LH_NATIVE_TRACKER_H
#define LH_NATIVE_TRACKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace_format.h"

#define TRACKER_STACK_BITS 21 /* stack ids fit in 21 bits (the table's size) */

/*
 * Each event costs as few atomic read-modify-writes as possible (they are
 * most of the bookkeeping's cost): live blocks are allocs - frees, and the
 * process totals other than live bytes are sums over the stacks, made by
 * the writer.
 */
struct tracker_stack_stats {
	_Atomic int64_t live_bytes;
	_Atomic uint64_t allocs, frees;
	_Atomic uint64_t temporaries;
	_Atomic uint64_t alloc_bytes;
};

struct tracker_totals {
	_Atomic int64_t live_bytes;
	_Atomic int64_t peak_bytes;
};

extern struct tracker_totals tracker_totals;

/*
 * Maps the tables. sample_rate 0 charges every allocation; R > 0 samples
 * (below). False if the kernel refuses the memory (tracking stays off).
 */
bool tracker_init(uintptr_t self_lo, uintptr_t self_hi, uint64_t sample_rate);

/*
 * Sampling (`run --sample-rate R`), as tcmalloc, jemalloc and Go sample:
 * a Poisson process over the bytes each thread allocates, one point per R
 * bytes on average, so an allocation of s bytes is sampled with
 * probability p = 1 - exp(-s/R), whatever its neighbours. Each thread
 * counts down the bytes to its next point (drawn from an exponential
 * distribution of mean R); an allocation that does not reach it costs a
 * subtraction, a compare and two thread-local stores: no lock, no stack,
 * and the preload library hands it to glibc without a header, so its free
 * costs nothing more either. A sampled allocation is charged s/p bytes and 1/p blocks, an
 * unbiased estimate of what its site allocated (1/p is rounded up or down
 * at random, by a hash of the block's address, so counts stay integers and
 * the free recomputes the same weight from the block's address and size).
 * Temporaries stay heaptrack's: each unsampled allocation clears the
 * thread's latest block, so a sampled block freed before its thread
 * allocated again counts 1/p temporaries.
 */
struct tracker_thread {
	int64_t sample_left;            /* whole bytes to the next sample point (its floor); 0 before the first draw */
	uint64_t rng;                   /* xorshift state; 0 until the thread's first draw */
	uintptr_t latest_block_inverted; /* temporaries (below), inverted: TLS is a root of the leak check */
};
extern uint64_t tracker_sample_rate;
extern __thread struct tracker_thread tracker_self __attribute__((tls_model("initial-exec")));

/* The draw of a new countdown: whether an allocation of size bytes that reached the old one is sampled. */
bool tracker_sample_draw(size_t size);

/* True when an allocation of size bytes is to be charged (tracker_charge): always, unless sampling. */
static inline bool tracker_sampled(size_t size)
{
	if (__builtin_expect(tracker_sample_rate == 0, 1))
		return true;
	int64_t left = tracker_self.sample_left - (int64_t)size;
	if (__builtin_expect(left >= 0, 1)) { /* the point lies beyond the block's last byte */
		tracker_self.sample_left = left;
		tracker_self.latest_block_inverted = 0;
		return false;
	}
	return tracker_sample_draw(size);
}

/*
 * Temporary allocations, as heaptrack counts them: a block freed by the
 * thread that allocated it, with no other allocation by that thread in
 * between (a malloc whose result is freed at once, the churn that costs
 * time but holds no memory). Each thread remembers its latest block.
 */

/*
 * Charges a new block of size bytes at p to the calling stack (captured
 * here; when sampling, only if tracker_sampled() said so) and returns the stack's id, which is below 1 << TRACKER_STACK_BITS.
 * The caller keeps size and id with the block, for the free.
 */
uint32_t tracker_charge(void *p, size_t size);
/* Charges the free of the block at p made with tracker_charge() (before it is freed). */
void tracker_free_known(void *p, size_t size, uint32_t stack);
/* Charges a block at p as freed because realloc moved or resized it: never a temporary. */
void tracker_release(void *p, size_t size, uint32_t stack);
/*
 * Charges the free of a block by a signal handler that interrupted this
 * thread inside a shim (the reentrancy guard held): the thread's own
 * counters may be half-updated, so the shared ones, with atomics; no lock.
 */
void tracker_release_interrupted(void *p, size_t size, uint32_t stack);

/*
 * Around a fork that the child tracks on from (`run --children`): the
 * tracker's locks are taken before it and released after it, in parent and
 * child, so the child never inherits one that another thread held. The
 * child keeps the counts: its memory at the fork is the parent's.
 */
void tracker_fork_prepare(void);
void tracker_fork_done(void);

/* Stacks defined so far: ids 1 .. tracker_stack_count()-1 are readable. */
uint32_t tracker_stack_count(void);
/* The frames of stack id (innermost first); returns their count. */
uint32_t tracker_stack_frames(uint32_t id, const uint64_t **frames);
/* The counters of stack id summed over all threads now (a copy kept per id: read it, do not write it). */
struct tracker_stack_stats *tracker_stack_stats(uint32_t id);

#endif
