/*
 * own_memory.c - see own_memory.h.
 *
 * 1024 slots: the tracker keeps 64 address-map shards plus a handful of
 * fixed tables, the writer two buffers, the leak check a dozen arrays, so
 * the live count stays near 100; a removed slot is reused.
 */
#include "own_memory.h"

#include <stdatomic.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OWN_SLOTS 1024

static struct own_range slots[OWN_SLOTS];   /* lo == 0: free */
static atomic_flag lock = ATOMIC_FLAG_INIT;
static _Atomic pid_t holder;                /* the thread inside own_memory_hold(), 0: none */
static bool overflowed;

/* The leak check holds the registry across its scan (see own_memory_hold): its own calls pass. */
static bool held_by_me(void)
{
	pid_t h = atomic_load_explicit(&holder, memory_order_relaxed);
	return h && h == (pid_t)syscall(SYS_gettid);
}

static void registry_lock(void)
{
	if (held_by_me())
		return;
	while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
		sched_yield();
}

static void registry_unlock(void)
{
	if (!held_by_me())
		atomic_flag_clear_explicit(&lock, memory_order_release);
}

void own_memory_hold(void)
{
	registry_lock();
	atomic_store_explicit(&holder, (pid_t)syscall(SYS_gettid), memory_order_relaxed);
}

void own_memory_unhold(void)
{
	atomic_store_explicit(&holder, 0, memory_order_relaxed);
	registry_unlock();
}

void own_memory_add(const void *p, size_t bytes)
{
	if (!p || !bytes)
		return;
	registry_lock();
	size_t i = 0;
	while (i < OWN_SLOTS && slots[i].lo)
		i++;
	if (i < OWN_SLOTS)
		slots[i] = (struct own_range){ (uintptr_t)p, (uintptr_t)p + bytes };
	else
		overflowed = true;
	registry_unlock();
}

void own_memory_remove(const void *p)
{
	registry_lock();
	for (size_t i = 0; i < OWN_SLOTS; i++)
		if (slots[i].lo == (uintptr_t)p) {
			slots[i].lo = slots[i].hi = 0;
			break;
		}
	registry_unlock();
}

static void *map_with(size_t bytes, int flags)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Named in /proc/PID/smaps ("[anon:leakhound]"), so `watch` can tell it from the program's memory; a
	 * kernel without CONFIG_ANON_VMA_NAME refuses, harmlessly. */
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, bytes, (unsigned long)"leakhound");
	own_memory_add(p, bytes);
	return p;
}

void *own_map(size_t bytes, bool noreserve)
{
	return map_with(bytes, noreserve ? MAP_NORESERVE : 0);
}

void *own_map_populated(size_t bytes)
{
	return map_with(bytes, MAP_POPULATE); /* one kernel call instead of a fault per page */
}

void own_unmap(void *p, size_t bytes)
{
	if (!p)
		return;
	own_memory_remove(p);
	munmap(p, bytes);
}

void *own_remap(void *p, size_t old_bytes, size_t new_bytes)
{
	void *q = mremap(p, old_bytes, new_bytes, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		return NULL;
	own_memory_remove(p);
	own_memory_add(q, new_bytes);
	return q;
}

size_t own_memory_ranges(struct own_range *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < OWN_SLOTS && n < cap; i++)
		if (slots[i].lo)
			out[n++] = slots[i];
	for (size_t i = 1; i < n; i++) { /* insertion sort: ~100 entries */
		struct own_range r = out[i];
		size_t j = i;
		for (; j > 0 && out[j - 1].lo > r.lo; j--)
			out[j] = out[j - 1];
		out[j] = r;
	}
	return n;
}

bool own_memory_overflowed(void)
{
	return overflowed;
}
