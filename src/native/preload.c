/*
 * preload.c - libleakhound-preload.so: the exported allocator shims, and
 * start-up, exit and fork handling. Loaded with LD_PRELOAD by
 * `leakhound run`, which sets:
 *   LEAKHOUND_TRACE_FILE         where to write the trace
 *   LEAKHOUND_TRACE_INTERVAL_MS  snapshot interval (default 1000)
 *   LEAKHOUND_TRACE_PID          the pid to track
 *   LEAKHOUND_LEAK_CHECK         1: serve the malloc family from the leak
 *                                heap and run leak checks (leak_check.h)
 *   LEAKHOUND_TRACE_CHILDREN     1: descendants that exec track too
 * Only the process whose pid is LEAKHOUND_TRACE_PID tracks (exec keeps the
 * pid, so `run -- sh -c 'exec prog'` tracks prog); children that inherit
 * LD_PRELOAD, and children created by fork, run untracked, unless
 * LEAKHOUND_TRACE_CHILDREN is set: then every image started by exec in a
 * descendant tracks itself into FILE.PID. A forked child is never tracked
 * before it execs: its copy of the tracker's state (the writer thread did
 * not survive the fork, its locks may be held) is left alone. A program
 * that execs another image restarts its trace (the file is truncated).
 *
 * The real allocator: glibc 2.36 exports __libc_malloc, __libc_calloc,
 * __libc_realloc, __libc_free, __libc_memalign, __libc_valloc and
 * __libc_pvalloc, so no dlsym(RTLD_NEXT) bootstrap is needed (and no
 * static buffer for the calloc dlsym makes). posix_memalign and
 * aligned_alloc are not exported under __libc_ names; they are built on
 * __libc_memalign with glibc's own argument checks.
 *
 * Leak-check mode: every call of the family is served by the leak heap
 * (leak_heap.h), except calls made while the guard is held (leakhound's own
 * and libunwind's allocations stay in glibc, out of the check). free,
 * realloc and malloc_usable_size tell the two apart by address: a block the
 * leak heap did not make (allocated before tracking began, or by
 * leakhound) goes to glibc. realloc always moves, as Memcheck's does. The
 * mode is set once at start-up and kept by forked children, which must be
 * able to free what they inherited (they allocate from the leak heap too,
 * untracked). malloc_usable_size is interposed for that; outside this mode
 * it forwards to glibc.
 *
 * Reentrancy and signals: a thread-local guard (initial-exec TLS, so
 * reading it never allocates) is set while a shim records; any allocation
 * made while it is set (by libunwind, or by a signal handler that
 * interrupted a shim) goes straight to glibc untracked, so the tracker's
 * locks are never taken twice on one thread. The writer thread keeps its
 * guard set for good.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "leak_check.h"
#include "leak_heap.h"
#include "own_memory.h"
#include "trace_writer.h"
#include "tracker.h"

#define EXPORT __attribute__((visibility("default")))

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

static volatile int tracking;           /* 1 while this process records */
static int leak_mode;                   /* 1: the leak heap serves the program (never cleared) */
static size_t (*glibc_usable_size)(void *);
static pid_t tracked_pid;
static __thread int guard __attribute__((tls_model("initial-exec")));
static __thread int in_heap __attribute__((tls_model("initial-exec"))); /* inside the leak heap's lock */

/* True when the calling allocation should be recorded; then the guard is held. */
static inline int enter(void)
{
	if (__builtin_expect(!tracking || guard, 0))
		return 0;
	guard = 1;
	return 1;
}

static inline void leave(void)
{
	guard = 0;
}

static void record_alloc(void *p, size_t size)
{
	int saved = errno;
	tracker_alloc(p, size);
	errno = saved;
}

/* ---- leak-check mode: the leak heap ---- */

/* True when this call is the program's and goes to the leak heap. */
static inline int leak_heap_serves(void)
{
	return leak_mode && !guard;
}

/*
 * A leak-heap block, charged to the calling stack when tracking. Its header
 * keeps its size and stack, so the tracker's address map is not needed (it
 * was 40% of the cost of a malloc-heavy program). The guard is held across
 * the heap's lock, so a signal handler that allocates meanwhile goes to
 * glibc instead of spinning on a lock its own thread holds.
 */
static void *leak_alloc(size_t size, size_t alignment)
{
	int outer = guard; /* set when realloc moves a leak-heap block for leakhound's own code */
	guard = 1;
	in_heap = 1;
	void *p = leak_heap_alloc(size, alignment);
	in_heap = 0;
	if (p && tracking && !outer) {
		int saved = errno;
		leak_heap_set_stack(p, tracker_charge(p, size));
		errno = saved;
	}
	guard = outer;
	return p;
}

static void leak_free(void *p)
{
	if (in_heap)
		return; /* a signal handler freeing while its thread is inside the heap: a lost free beats a deadlock */
	if (!leak_heap_owns(p))
		return; /* a double free, or not a block's start: Memcheck reports it; glibc would abort */
	if (enter()) {
		tracker_free_known(p, leak_heap_size(p), leak_heap_stack(p));
		leave();
	}
	in_heap = 1;
	leak_heap_free(p);
	in_heap = 0;
}

/* realloc into the leak heap: always a new block, as Memcheck does; old may be glibc's. */
static void *leak_realloc(void *old, size_t size, int old_is_ours)
{
	if (old && size == 0) { /* glibc: frees and returns NULL */
		old_is_ours ? leak_free(old) : __libc_free(old);
		return NULL;
	}
	void *p = leak_alloc(size, 16);
	if (!p || !old)
		return p;
	size_t old_size = old_is_ours ? leak_heap_size(old) : glibc_usable_size(old);
	memcpy(p, old, old_size < size ? old_size : size);
	old_is_ours ? leak_free(old) : __libc_free(old);
	return p;
}

/* True for an address in the leak heap's region (a live block or not): never glibc's to free. */
static inline int ours(void *p)
{
	return leak_mode && p && leak_heap_contains(p);
}

/* ---- the shims ---- */

EXPORT void *malloc(size_t size)
{
	if (leak_heap_serves())
		return leak_alloc(size, 16);
	if (!enter())
		return __libc_malloc(size);
	void *p = __libc_malloc(size);
	if (p)
		record_alloc(p, size);
	leave();
	return p;
}

EXPORT void *calloc(size_t count, size_t size)
{
	if (leak_heap_serves()) {
		size_t bytes;
		if (__builtin_mul_overflow(count, size, &bytes)) {
			errno = ENOMEM;
			return NULL;
		}
		return leak_alloc(bytes, 16); /* already zero */
	}
	if (!enter())
		return __libc_calloc(count, size);
	void *p = __libc_calloc(count, size);
	if (p)
		record_alloc(p, count * size); /* no overflow: calloc succeeded */
	leave();
	return p;
}

EXPORT void free(void *p)
{
	if (!p)
		return;
	if (ours(p)) {
		leak_free(p);
		return;
	}
	if (enter()) {
		tracker_free(p); /* before the free: another thread may get p back at once */
		leave();
	}
	__libc_free(p);
}

EXPORT void *realloc(void *old, size_t size)
{
	if (ours(old) || (old == NULL && leak_heap_serves()))
		return leak_realloc(old, size, old != NULL);
	if (leak_heap_serves())
		return leak_realloc(old, size, 0); /* a glibc block moves into the leak heap */
	if (!enter())
		return __libc_realloc(old, size);
	size_t old_size = 0;
	uint32_t old_stack = 0;
	int had = old && tracker_take(old, &old_size, &old_stack);
	void *p = __libc_realloc(old, size);
	int saved = errno;
	if (!p && old && size) {
		if (had) /* failed: the old block is still live */
			tracker_put_back(old, old_size, old_stack);
	} else {
		if (had)
			tracker_release(old_size, old_stack);
		if (p) /* realloc(p, 0) frees p and returns NULL on glibc */
			tracker_alloc(p, size);
	}
	errno = saved;
	leave();
	return p;
}

EXPORT void *reallocarray(void *old, size_t count, size_t size)
{
	size_t bytes;
	if (__builtin_mul_overflow(count, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(old, bytes);
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	if (ours(p)) /* the requested size, as under Memcheck; 0 for a freed block */
		return leak_heap_owns(p) ? leak_heap_size(p) : 0;
	size_t (*glibc)(void *) = __atomic_load_n(&glibc_usable_size, __ATOMIC_RELAXED);
	if (!glibc) { /* outside leak-check mode: resolved on first use (V8 calls it after every malloc) */
		glibc = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
		__atomic_store_n(&glibc_usable_size, glibc, __ATOMIC_RELAXED);
	}
	return glibc(p);
}

static void *aligned(size_t alignment, size_t size)
{
	if (leak_heap_serves()) {
		size_t a = 16;
		while (a < alignment && a < ((size_t)1 << 62)) /* glibc rounds a bad alignment up to a power of two */
			a *= 2;
		return leak_alloc(size, a);
	}
	if (!enter())
		return __libc_memalign(alignment, size);
	void *p = __libc_memalign(alignment, size);
	if (p)
		record_alloc(p, size);
	leave();
	return p;
}

EXPORT void *memalign(size_t alignment, size_t size)
{
	return aligned(alignment, size);
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
	return aligned(alignment, size); /* glibc 2.36: an alias of memalign */
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size)
{
	if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0)
		return EINVAL;
	int saved = errno;
	void *p = aligned(alignment, size);
	if (!p) {
		int e = errno;
		errno = saved;
		return e ? e : ENOMEM;
	}
	*out = p;
	errno = saved;
	return 0;
}

EXPORT void *valloc(size_t size)
{
	if (leak_heap_serves())
		return leak_alloc(size, 4096);
	if (!enter())
		return __libc_valloc(size);
	void *p = __libc_valloc(size);
	if (p)
		record_alloc(p, size);
	leave();
	return p;
}

EXPORT void *pvalloc(size_t size)
{
	if (leak_heap_serves()) {
		size_t rounded = (size + 4095) & ~(size_t)4095;
		if (rounded < size) {
			errno = ENOMEM;
			return NULL;
		}
		return leak_alloc(rounded ? rounded : 4096, 4096);
	}
	if (!enter())
		return __libc_pvalloc(size);
	void *p = __libc_pvalloc(size);
	if (p)
		record_alloc(p, size);
	leave();
	return p;
}

/* ---- start-up, exit, fork ---- */

static void hold_guard(void)
{
	guard = 1;
}

static void after_fork_in_child(void)
{
	tracking = 0; /* children are not followed: they run untracked */
	if (leak_mode)
		leak_heap_unlock();
}

static void before_fork(void)
{
	if (leak_mode)
		leak_heap_lock(); /* the child must not inherit it locked */
}

static void after_fork_in_parent(void)
{
	if (leak_mode)
		leak_heap_unlock();
}

static void stop_tracking(void)
{
	tracking = 0;
}

struct self_range {
	uintptr_t lo, hi;
};

/* The PT_LOAD segment of an object that holds address a, or NULL. */
static const ElfW(Phdr) *segment_holding(const struct dl_phdr_info *info, uintptr_t a)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && a >= lo && a < lo + ph->p_memsz)
			return ph;
	}
	return NULL;
}

/* The code segment of this library (its frames are dropped from stacks). */
static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct self_range *r = data;
	const ElfW(Phdr) *ph = segment_holding(info, (uintptr_t)&find_self);
	if (!ph)
		return 0;
	r->lo = info->dlpi_addr + ph->p_vaddr;
	r->hi = r->lo + ph->p_memsz;
	return 1;
}

/* This library's writable segments (its tables' pointers, the scan's state) are not roots. */
static int register_own_data(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	if (!segment_holding(info, (uintptr_t)&register_own_data))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W)) {
			uintptr_t lo = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)4095;
			uintptr_t hi = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + 4095) & ~(uintptr_t)4095;
			own_memory_add((void *)lo, hi - lo);
		}
	}
	return 1;
}

static uint64_t interval_from_env(void)
{
	const char *s = getenv("LEAKHOUND_TRACE_INTERVAL_MS");
	char *end;
	unsigned long long ms = s ? strtoull(s, &end, 10) : 0;
	if (!s || *end || ms == 0)
		ms = 1000;
	return ms * 1000000ull;
}

/* Leak-check mode, if asked for and possible; before tracking starts, so every tracked block is the heap's. */
static void start_leak_mode(void)
{
	const char *want = getenv("LEAKHOUND_LEAK_CHECK");
	if (!want || strcmp(want, "1") != 0)
		return;
	glibc_usable_size = (size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
	if (!glibc_usable_size || !leak_check_init(trace_writer_request_leak_check))
		return;
	dl_iterate_phdr(register_own_data, NULL);
	trace_writer_enable_leak_check(stop_tracking);
	leak_mode = 1;
}

__attribute__((constructor)) static void leakhound_start(void)
{
	const char *path = getenv("LEAKHOUND_TRACE_FILE");
	const char *pid = getenv("LEAKHOUND_TRACE_PID");
	if (!path || !pid)
		return;
	/* `run --children`: a descendant that execs tracks itself into FILE.PID. */
	char child_path[4096];
	if (strtol(pid, NULL, 10) != (long)getpid()) {
		const char *children = getenv("LEAKHOUND_TRACE_CHILDREN");
		if (!children || strcmp(children, "1") != 0 ||
		    (size_t)snprintf(child_path, sizeof(child_path), "%s.%ld", path, (long)getpid()) >= sizeof(child_path))
			return;
		path = child_path;
	}
	guard = 1; /* what start-up allocates is not the program's */
	struct self_range self = { 0, 0 };
	dl_iterate_phdr(find_self, &self);
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
	if (tracker_init(self.lo, self.hi) && trace_writer_open(path, interval_from_env())) {
		start_leak_mode();
		pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
		tracked_pid = getpid();
		tracking = 1;
		trace_writer_start(hold_guard);
	}
	guard = 0;
}

__attribute__((destructor)) static void leakhound_stop(void)
{
	if (!tracking || getpid() != tracked_pid)
		return;
	guard = 1;
	trace_writer_finish();
	tracking = 0;
	guard = 0;
}
