/*
 * own_memory.h - the registry of leakhound's own memory inside the tracked
 * process, so that the leak check (leak_scan.c) never reads it as roots.
 *
 * Every table the preload library keeps (the tracker's stack table and
 * counters, the writer's batch buffer, the leak heap's region, the scan's
 * own arrays, the stop slots) is mapped with own_map() and so registered
 * here; the leak check skips these ranges when it scans the writable
 * mappings of /proc/self/maps. Without this, the scan's own arrays (which
 * hold the address of every live block) would make every block "still
 * reachable".
 *
 * The registry is a fixed array (no allocation, ever) under a spinlock.
 * A range that does not fit is still mapped but not registered (the scan
 * would then read it: own_memory_overflowed() reports that, so the check
 * can say so). Readers during a leak check run with the other threads
 * stopped and read the array without the lock.
 */
#ifndef LH_NATIVE_OWN_MEMORY_H
#define LH_NATIVE_OWN_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct own_range {
	uintptr_t lo, hi;
};

/* Registers [p, p+bytes) as leakhound's (for memory mapped elsewhere, e.g. a thread stack). */
void own_memory_add(const void *p, size_t bytes);
/* Forgets the range that starts at p. */
void own_memory_remove(const void *p);

/* mmap of zeroed read-write private memory, registered; NULL on failure. */
void *own_map(size_t bytes, bool noreserve);
/* The same, with every page faulted in at once (MAP_POPULATE): for arrays about to be filled. */
void *own_map_populated(size_t bytes);
/* Unregisters and unmaps. */
void own_unmap(void *p, size_t bytes);
/* mremap (may move), keeping the registry in step; NULL on failure (p stays valid). */
void *own_remap(void *p, size_t old_bytes, size_t new_bytes);

/* Copies the registered ranges, sorted by address, into out (at most cap); returns the count. */
size_t own_memory_ranges(struct own_range *out, size_t cap);
/*
 * Holds the registry's lock on the calling thread until own_memory_unhold():
 * taken before the leak check stops the other threads (none can then be
 * stopped inside the registry), while the checking thread's own calls
 * still pass.
 */
void own_memory_hold(void);
void own_memory_unhold(void);

/* True if a range could not be registered (the registry was full). */
bool own_memory_overflowed(void);

#endif
