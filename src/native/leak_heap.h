/*
 * leak_heap.h - the allocator that serves the program's malloc family under
 * `leakhound run --leak-check`.
 *
 * Why not glibc malloc: a leak check reads memory for pointers, and glibc's
 * heap is full of them that are not the program's (main_arena's bins point
 * at chunk headers, which overlap the last word of the previous live block,
 * so they look like interior pointers; freed chunks keep stale pointers;
 * the heap cannot be told apart from other anonymous memory in
 * /proc/self/maps). This allocator gives the leak check what Memcheck's
 * replacement allocator gives Memcheck:
 *   - all blocks in one registered region, walked in address order from
 *     their headers (no sort needed), never itself scanned as a root;
 *   - a 16-byte header before every payload, so a one-past-end pointer
 *     never lands inside the next block (Memcheck's redzones);
 *   - zero-filled memory (so unwritten words are never pointers, as
 *     Memcheck's undefined bytes are not), 16-byte alignment, a distinct
 *     address for size 0;
 *   - addresses that rise with allocation order: fresh blocks come from a
 *     bump pointer, and freed ones wait in a FIFO quarantine of 20 MB
 *     (Memcheck's --freelist-vol default) before reuse. Memcheck picks the
 *     lowest address as a clique's leader, so the same order gives the same
 *     definite/indirect split.
 * The region is a 1 TiB PROT_NONE reservation, made read-write (and
 * faulted in) 2 to 64 MiB at a time. Every block's header keeps its
 * requested size and allocation stack id. One spinlock guards the allocator: simple, and fast enough for the
 * workloads a leak check is run on (each call is tens of ns; the stack
 * capture dominates).
 */
#ifndef LH_NATIVE_LEAK_HEAP_H
#define LH_NATIVE_LEAK_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reserves the region. False if the kernel refuses (the program then keeps glibc malloc). */
bool leak_heap_init(void);
/* True once leak_heap_init() succeeded. */
bool leak_heap_active(void);

/*
 * A zeroed block of size bytes whose address is a multiple of alignment (a
 * power of two; 16 or less means 16). NULL with errno ENOMEM when the
 * region is exhausted.
 */
void *leak_heap_alloc(size_t size, size_t alignment);
/* True if p is the address of a live block of this heap. */
bool leak_heap_owns(const void *p);
/* True if p is inside this heap's region (a block, freed or live, or not a block's start). */
bool leak_heap_contains(const void *p);
/* Frees a block leak_heap_owns(); it joins the quarantine. Anything else (a double free) is ignored. */
void leak_heap_free(void *p);
/* The requested size of an owned block. */
size_t leak_heap_size(const void *p);
/* Records, and returns, the allocation stack id of an owned block. */
void leak_heap_set_stack(void *p, uint32_t stack);
uint32_t leak_heap_stack(const void *p);

/* Locks out every other caller (for fork, and while a leak check stops threads). */
void leak_heap_lock(void);
void leak_heap_unlock(void);

/* The live blocks in address order; only while the heap is locked or the world stopped. */
struct leak_heap_block {
	uintptr_t start;
	uint64_t size;
	uint32_t stack;
};
/*
 * Starts a walk: cursor = leak_heap_walk_begin(); then leak_heap_walk_next
 * until false. At the end the cursor is the heap's end, unless a header the
 * program overwrote stopped the walk early.
 */
uintptr_t leak_heap_walk_begin(void);
bool leak_heap_walk_next(uintptr_t *cursor, struct leak_heap_block *out);
/* [lo, hi): the part of the region that holds blocks. */
void leak_heap_bounds(uintptr_t *lo, uintptr_t *hi);

#endif
