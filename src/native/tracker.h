/*
 * tracker.h - the preload library's bookkeeping: which call stack holds
 * how much live memory.
 *
 * Three structures, all in memory from mmap(2), never from malloc:
 *   - the stack table: each distinct call stack (up to LH_TRACE_MAX_FRAMES
 *     return addresses) gets a dense id; lookups are lock-free, inserts
 *     take one global lock (new stacks are rare after warm-up);
 *   - per-stack counters (live bytes/blocks, allocations, frees), kept per
 *     thread with plain stores and summed by tracker_stack_stats();
 *   - the address map: live block -> (size, stack id), so that a free can
 *     be charged to the stack that allocated the block. 64 shards, each a
 *     linear-probing table under its own mutex.
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
};

struct tracker_totals {
	_Atomic int64_t live_bytes;
	_Atomic int64_t peak_bytes;
};

extern struct tracker_totals tracker_totals;

/* Maps the tables. False if the kernel refuses the memory (tracking stays off). */
bool tracker_init(uintptr_t self_lo, uintptr_t self_hi);

/*
 * Temporary allocations, as heaptrack counts them: a block freed by the
 * thread that allocated it, with no other allocation by that thread in
 * between (a malloc whose result is freed at once, the churn that costs
 * time but holds no memory). Each thread remembers its latest block.
 */

/* Records a new live block of size bytes at p, allocated from the calling stack; returns the stack's id. */
uint32_t tracker_alloc(void *p, size_t size);
/*
 * For an allocator that keeps each block's size and stack itself (the leak
 * heap): charges a new block of size bytes at p to the calling stack,
 * without the address map; returns the stack's id. Its free is
 * tracker_free_known().
 */
uint32_t tracker_charge(void *p, size_t size);
/* Forgets the block at p (before it is freed). Unknown pointers are ignored. */
void tracker_free(void *p);
/* Charges the free of a block made with tracker_charge(). */
void tracker_free_known(void *p, size_t size, uint32_t stack);
/*
 * For realloc: removes p from the map and returns true with its size and
 * stack if it was tracked, without touching the counters.
 */
bool tracker_take(void *p, size_t *size, uint32_t *stack);
/* Charges a block taken with tracker_take() as freed (moved by realloc: never a temporary). */
void tracker_release(size_t size, uint32_t stack);
/* Puts back a block taken with tracker_take() (the realloc failed). */
void tracker_put_back(void *p, size_t size, uint32_t stack);

/* Stacks defined so far: ids 1 .. tracker_stack_count()-1 are readable. */
uint32_t tracker_stack_count(void);
/* The frames of stack id (innermost first); returns their count. */
uint32_t tracker_stack_frames(uint32_t id, const uint64_t **frames);
/* The counters of stack id summed over all threads now (a copy kept per id: read it, do not write it). */
struct tracker_stack_stats *tracker_stack_stats(uint32_t id);

#endif
