/*
 * preload.c - libleakhound-preload.so: the exported allocator shims, and
 * start-up, exit and fork handling. Loaded with LD_PRELOAD by
 * `leakhound run`, which sets:
 *   LEAKHOUND_TRACE_FILE         where to write the trace
 *   LEAKHOUND_TRACE_INTERVAL_MS  snapshot interval (default 1000)
 *   LEAKHOUND_TRACE_PID          the pid to track
 *   LEAKHOUND_LEAK_CHECK         1: serve the malloc family from the leak
 *                                heap and run leak checks (leak_check.h)
 *   LEAKHOUND_TRACE_CHILDREN     1: descendants track too
 *   LEAKHOUND_TRACE_MALLINFO     1: glibc's totals after each snapshot
 *                                (`watch`; read by trace_writer.c)
 *   LEAKHOUND_SAMPLE_RATE        bytes: sample allocations, one per that
 *                                many bytes on average (tracker.h); not
 *                                with LEAKHOUND_LEAK_CHECK
 *   LEAKHOUND_JS_FRAMES          1: node writes its perf map (a header flag)
 * Only the process whose pid is LEAKHOUND_TRACE_PID tracks (exec keeps the
 * pid, so `run -- sh -c 'exec prog'` tracks prog); children that inherit
 * LD_PRELOAD, and children created by fork, run untracked, unless
 * LEAKHOUND_TRACE_CHILDREN is set: then every descendant tracks itself
 * into FILE.PID, from its fork (the tracker's locks are held across it,
 * and the child starts a trace and writer thread of its own, its first
 * snapshot holding what it inherited) and again from each exec. Outside
 * that mode a forked child's copy of the tracker is left alone. A program
 * that execs another image keeps both traces: the earlier image's moves to
 * FILE.exec-N (trace_writer.c, keep_earlier_image).
 * In leak-check mode forked children are not followed.
 *
 * dlclose is exported too, to write a batch before an object goes away.
 * dl_iterate_phdr is exported too, only to bracket the program's walks of
 * the loader's list as the tracker brackets its own: fork() waits for
 * every walk to end, so no child starts with that list locked.
 *
 * The real allocator: glibc 2.36 exports __libc_malloc, __libc_calloc,
 * __libc_realloc, __libc_free and __libc_memalign, so no dlsym(RTLD_NEXT)
 * bootstrap is needed (and no static buffer for the calloc dlsym makes).
 * A program that binds another allocator (jemalloc linked in or preloaded
 * after us) gets its blocks from that one (struct allocator below). The
 * aligned family (memalign, aligned_alloc, posix_memalign, valloc,
 * pvalloc) is built on memalign with glibc's own argument checks and errno
 * values.
 *
 * Block headers: every block the shims take from glibc carries a 16-byte
 * header right before the pointer they return: the requested size, the
 * stack id the block is charged to (or "not counted": allocated while not
 * recording, i.e. with the guard held, before start-up, after exit began,
 * in an untracked child, by the writer thread) and a cookie. So free and
 * realloc get size and stack with one load from a line the program just
 * used, where an address map cost a hash probe and a lock per event (a
 * fifth of a malloc/free pair). The header is written on every block,
 * counted or not, since free cannot otherwise tell whether to strip it;
 * the cost is 16 bytes a block. When sampling (`run --sample-rate`), a
 * block that is not sampled is glibc's as it is, with no header, and is
 * freed as glibc's own blocks are. A block that did not come from the shims
 * (glibc's own before our symbols were bound, code calling __libc_malloc)
 * is told apart by the cookie: a hash of the pointer with a per-process
 * random secret, with bit 31 set; the 4 bytes before a glibc pointer are
 * the high half of its chunk's size field, which is below 2^63 (glibc
 * refuses larger requests), so bit 31 is clear there and a glibc block is
 * never taken for ours. Such a block goes to glibc untouched, uncounted.
 * Blocks aligned beyond glibc's 16 come from __libc_memalign(a, size + a)
 * with the pointer at base + a (the header holds log2 a, to find the
 * base); realloc of one makes a 16-aligned block (all glibc's realloc
 * promises) and copies. Sizes that would overflow with the header fail
 * with ENOMEM, as glibc does.
 *
 * Leak-check mode: every call of the family is served by the leak heap
 * (leak_heap.h), except calls made while the guard is held (leakhound's own
 * and libunwind's allocations stay in glibc, with headers, out of the
 * check). free, realloc and malloc_usable_size tell the two apart by
 * address: a block the leak heap did not make (allocated before tracking
 * began, or by leakhound) goes to glibc, through the header path above.
 * realloc always moves, as Memcheck's does. The mode is set once at
 * start-up and kept by forked children, which must be able to free what
 * they inherited (they allocate from the leak heap too, untracked).
 *
 * Reentrancy and signals: a thread-local guard (initial-exec TLS, so
 * reading it never allocates) is set while a shim records; any allocation
 * made while it is set (by libunwind, or by a signal handler that
 * interrupted a shim) gets a "not counted" header, so the tracker's locks
 * are never taken twice on one thread. The writer thread keeps its guard
 * set for good. A counted block freed while the guard is held (a signal
 * handler that interrupted a shim) is charged through the tracker's shared
 * counters, with atomics and no lock; one freed after tracking stopped
 * stays counted.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "leak_check.h"
#include "leak_heap.h"
#include "own_memory.h"
#include "trace_writer.h"
#include "tracker.h"
#include "unwind.h"

#define EXPORT __attribute__((visibility("default")))

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

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

/*
 * The allocator the shims take blocks from. glibc's, called directly
 * (__libc_*), unless the program binds another: jemalloc linked into it,
 * or preloaded after leakhound, defines malloc and friends but not the
 * __libc_* names, so a block would come from glibc and then be measured
 * or freed by the other (redis-server crashed at start in jemalloc's
 * malloc_usable_size). So the first allocation looks up the next
 * definitions (dlsym RTLD_NEXT): if malloc is not glibc's, every block
 * comes from that allocator and goes back to it. tcmalloc and mimalloc,
 * which also define the __libc_* names, are reached either way. A lookup's
 * own allocations (dlsym allocates only on errors) go to glibc.
 */
struct allocator {
	void *(*malloc)(size_t);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void (*free)(void *);
	void *(*memalign)(size_t, size_t);
	size_t (*usable)(void *);
};
enum { ALLOCATOR_UNKNOWN, ALLOCATOR_GLIBC, ALLOCATOR_NEXT };
static struct allocator next_allocator;  /* set before allocator_state says ALLOCATOR_NEXT */
static _Atomic int allocator_state;
static __thread int looking_up __attribute__((tls_model("initial-exec")));

static int look_up_allocator(void)
{
	if (looking_up)
		return ALLOCATOR_GLIBC;
	looking_up = 1;
	struct allocator a = {
		(void *(*)(size_t))dlsym(RTLD_NEXT, "malloc"),
		(void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc"),
		(void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc"),
		(void (*)(void *))dlsym(RTLD_NEXT, "free"),
		(void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign"),
		(size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size"),
	};
	if (!a.memalign)
		a.memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
	int state = ALLOCATOR_GLIBC;
	if (a.malloc && a.malloc != __libc_malloc && a.calloc && a.realloc && a.free && a.memalign && a.usable) {
		next_allocator = a;
		state = ALLOCATOR_NEXT;
	}
	__atomic_store_n(&glibc_usable_size, a.usable, __ATOMIC_RELAXED);
	atomic_store_explicit(&allocator_state, state, memory_order_release);
	looking_up = 0;
	return state;
}

static inline bool next_allocator_serves(void)
{
	int state = atomic_load_explicit(&allocator_state, memory_order_acquire);
	if (__builtin_expect(state == ALLOCATOR_UNKNOWN, 0))
		state = look_up_allocator();
	return state == ALLOCATOR_NEXT;
}

static inline void *real_malloc(size_t n)
{
	return next_allocator_serves() ? next_allocator.malloc(n) : __libc_malloc(n);
}

static inline void *real_calloc(size_t count, size_t n)
{
	return next_allocator_serves() ? next_allocator.calloc(count, n) : __libc_calloc(count, n);
}

static inline void *real_realloc(void *p, size_t n)
{
	return next_allocator_serves() ? next_allocator.realloc(p, n) : __libc_realloc(p, n);
}

static inline void real_free(void *p)
{
	next_allocator_serves() ? next_allocator.free(p) : __libc_free(p);
}

static inline void *real_memalign(size_t alignment, size_t n)
{
	return next_allocator_serves() ? next_allocator.memalign(alignment, n) : __libc_memalign(alignment, n);
}

/* malloc_usable_size of the allocator (V8 calls it after every malloc). */
static size_t real_usable(void *p)
{
	if (next_allocator_serves())
		return next_allocator.usable(p);
	size_t (*glibc)(void *) = __atomic_load_n(&glibc_usable_size, __ATOMIC_RELAXED);
	if (!glibc) { /* looked up while a lookup was under way on this thread */
		glibc = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
		__atomic_store_n(&glibc_usable_size, glibc, __ATOMIC_RELAXED);
	}
	return glibc(p);
}

/* ---- block headers: what every block from the shims carries ---- */

struct block_header {
	uint64_t size;          /* as requested */
	uint32_t meta;          /* stack id | log2(pointer - base) << META_SHIFT_POS | META_COUNTED */
	uint32_t cookie;        /* cookie_of(pointer); right before the pointer, where glibc keeps its size's high half */
};
_Static_assert(sizeof(struct block_header) == 16, "the pointer after the header keeps glibc's 16-byte alignment");

#define HEADER sizeof(struct block_header)
#define PLAIN_SHIFT 4u                          /* log2(HEADER): a block at glibc's alignment */
#define META_STACK_MASK ((1u << TRACKER_STACK_BITS) - 1)
#define META_SHIFT_POS TRACKER_STACK_BITS       /* 6 bits: offsets up to 2^63 */
#define META_COUNTED (1u << 31)                 /* charged to the stack: its free must be too */
_Static_assert(TRACKER_STACK_BITS + 6 <= 31, "meta's fields overlap");

static uint64_t secret; /* 0 until the first block; kept by forked children, which free what they inherit */

static uint64_t choose_secret(void)
{
	int saved = errno;
	uint64_t s = 0;
	if (syscall(SYS_getrandom, &s, sizeof(s), GRND_NONBLOCK) != (long)sizeof(s)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uintptr_t)&s ^ ((uint64_t)getpid() << 40);
	}
	errno = saved;
	s |= 1; /* never 0, which means "not chosen" */
	uint64_t none = 0;
	if (!__atomic_compare_exchange_n(&secret, &none, s, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		s = none; /* another thread chose first */
	return s;
}

static inline uint32_t cookie_of(const void *p)
{
	uint64_t s = __atomic_load_n(&secret, __ATOMIC_RELAXED);
	if (__builtin_expect(s == 0, 0))
		s = choose_secret();
	return (uint32_t)((((uintptr_t)p ^ s) * 0x9e3779b97f4a7c15ull) >> 32) | 0x80000000u;
}

static inline struct block_header *header_of(void *p)
{
	return (struct block_header *)p - 1;
}

/* True when p came from the shims with a header (not from the leak heap, not glibc's own). */
static inline int has_header(void *p)
{
	return header_of(p)->cookie == cookie_of(p);
}

static inline size_t offset_of(uint32_t meta)
{
	return (size_t)1 << ((meta >> META_SHIFT_POS) & 63);
}

/* Charges the block at p to the calling stack; the guard is held. Returns its meta bits. */
static inline uint32_t charge(void *p, size_t size)
{
	int saved = errno;
	uint32_t stack = tracker_charge(p, size);
	errno = saved;
	return stack | META_COUNTED;
}

static inline void *write_header(char *p, size_t size, uint32_t meta)
{
	struct block_header *h = header_of(p);
	h->size = size;
	h->meta = meta;
	h->cookie = cookie_of(p);
	return p;
}

/*
 * The block of size bytes at base + 2^shift, charged to the calling stack
 * if this thread records now, unless sampling left it out (`skip`).
 */
static inline void *label(void *base, unsigned shift, size_t size, bool skip)
{
	char *p = (char *)base + ((size_t)1 << shift);
	uint32_t meta = shift << META_SHIFT_POS;
	if (!skip && enter()) {
		meta |= charge(p, size);
		leave();
	}
	return write_header(p, size, meta);
}

/*
 * Sampling (tracker.h): true when an allocation of size bytes is not to be
 * charged (not sampled, or not recorded at all). The shims then hand it to
 * glibc as it is, with no header: free tells such a block apart by its
 * cookie, as it does glibc's own, and hands it back untouched. So the
 * unsampled path is the countdown and glibc's call, and its blocks keep
 * glibc's size classes. Always false when not sampling. Only glibc's
 * blocks can go bare (plain_goes_bare): another allocator's block has no
 * chunk header in front whose bit 31 is clear, so it keeps a header, not
 * charged.
 */
static inline bool sampling_skips(size_t size)
{
	return __builtin_expect(tracker_sample_rate != 0, 0) && !(tracking && !guard && tracker_sampled(size));
}

/* An unsampled block may go without a header: only glibc's. */
static inline bool plain_goes_bare(bool skip)
{
	return skip && !next_allocator_serves();
}

/* A block with a header, charged if this thread records now, unless skip (sampling: not sampled). */
static void *headed_malloc(size_t size, bool skip)
{
	size_t total;
	if (__builtin_add_overflow(size, HEADER, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	void *base = real_malloc(total);
	return base ? label(base, PLAIN_SHIFT, size, skip) : NULL;
}

static void *plain_malloc(size_t size)
{
	bool skip = sampling_skips(size);
	if (plain_goes_bare(skip))
		return real_malloc(size);
	return headed_malloc(size, skip);
}

/*
 * The free of a counted block (moved: by realloc, never a temporary). With
 * the guard held while tracking, a signal handler interrupted a shim of
 * this thread; its free still counts, through the atomic shared counters.
 */
static void uncount(void *p, size_t size, uint32_t meta, bool moved)
{
	uint32_t stack = meta & META_STACK_MASK;
	if (enter()) {
		moved ? tracker_release(p, size, stack) : tracker_free_known(p, size, stack);
		leave();
	} else if (tracking) {
		tracker_release_interrupted(p, size, stack);
	}
}

static void plain_free(void *p)
{
	struct block_header *h = header_of(p);
	if (h->cookie != cookie_of(p)) {
		real_free(p); /* glibc's own block */
		return;
	}
	uint32_t meta = h->meta;
	if (meta & META_COUNTED)
		uncount(p, h->size, meta, false);
	h->cookie = 0; /* a second free of p is not taken for ours (glibc's own checks see it) */
	real_free((char *)p - offset_of(meta));
}

static size_t plain_usable_size(void *p)
{
	if (!has_header(p))
		return real_usable(p);
	size_t offset = offset_of(header_of(p)->meta);
	size_t usable = real_usable((char *)p - offset);
	return usable > offset ? usable - offset : 0;
}

static void *plain_realloc(void *old, size_t size)
{
	if (!old)
		return plain_malloc(size);
	if (!has_header(old)) {
		/* glibc's own block stays glibc's; when sampling (an unsampled block), unless the new one is sampled */
		if (size == 0 || sampling_skips(size) || !tracker_sample_rate)
			return real_realloc(old, size);
		void *p = headed_malloc(size, false);
		if (!p)
			return NULL; /* the old block stays as it was */
		size_t usable = real_usable(old);
		memcpy(p, old, usable < size ? usable : size);
		real_free(old);
		return p;
	}
	if (size == 0) { /* glibc: frees and returns NULL */
		plain_free(old);
		return NULL;
	}
	size_t total;
	if (__builtin_add_overflow(size, HEADER, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	struct block_header was = *header_of(old);
	size_t offset = offset_of(was.meta);
	char *base;
	if (offset == HEADER) { /* the header moves with the data */
		base = real_realloc((char *)old - HEADER, total);
		if (!base)
			return NULL; /* the old block stays as it was */
	} else { /* over-aligned: glibc's realloc would keep only 16 bytes' alignment, so a new block */
		base = real_malloc(total);
		if (!base)
			return NULL;
		size_t usable = plain_usable_size(old);
		memcpy(base + HEADER, old, usable < size ? usable : size);
		header_of(old)->cookie = 0;
		real_free((char *)old - offset);
	}
	if (was.meta & META_COUNTED)
		uncount(old, was.size, was.meta, true);
	return label(base, PLAIN_SHIFT, size, sampling_skips(size)); /* the header moved with it: kept, uncounted if unsampled */
}

/*
 * memalign's semantics (glibc 2.36's _mid_memalign), on a block with a
 * header: size bytes are charged, room >= size are allocated (pvalloc's
 * page rounding).
 */
static void *plain_aligned(size_t alignment, size_t size, size_t room)
{
	if (alignment <= HEADER) /* glibc: malloc gives that much (room == size: only pvalloc rounds, to pages) */
		return plain_malloc(size);
	if (alignment > SIZE_MAX / 2 + 1) {
		errno = EINVAL;
		return NULL;
	}
	size_t a = alignment;
	if (a & (a - 1)) { /* glibc rounds up to a power of two, from 32 */
		a = 2 * HEADER;
		while (a < alignment)
			a <<= 1;
	}
	bool skip = sampling_skips(size);
	if (plain_goes_bare(skip))
		return real_memalign(a, room);
	size_t total;
	if (__builtin_add_overflow(room, a, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	void *base = real_memalign(a, total);
	return base ? label(base, (unsigned)__builtin_ctzl(a), size, skip) : NULL;
}

/* ---- leak-check mode: the leak heap ---- */

/* True when this call is the program's and goes to the leak heap. */
static inline int leak_heap_serves(void)
{
	return leak_mode && !guard;
}

/*
 * A leak-heap block, charged to the calling stack when tracking. The heap's
 * own block header keeps its size and stack. The guard is held across
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
		old_is_ours ? leak_free(old) : plain_free(old);
		return NULL;
	}
	void *p = leak_alloc(size, 16);
	if (!p || !old)
		return p;
	size_t old_size = old_is_ours ? leak_heap_size(old) : plain_usable_size(old);
	memcpy(p, old, old_size < size ? old_size : size);
	old_is_ours ? leak_free(old) : plain_free(old);
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
	return plain_malloc(size);
}

EXPORT void *calloc(size_t count, size_t size)
{
	size_t bytes, total;
	if (__builtin_mul_overflow(count, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	if (leak_heap_serves())
		return leak_alloc(bytes, 16); /* already zero */
	bool skip = sampling_skips(bytes);
	if (plain_goes_bare(skip))
		return real_calloc(1, bytes);
	if (__builtin_add_overflow(bytes, HEADER, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	void *base = real_calloc(1, total);
	return base ? label(base, PLAIN_SHIFT, bytes, skip) : NULL;
}

EXPORT void free(void *p)
{
	if (!p)
		return;
	if (ours(p))
		leak_free(p);
	else
		plain_free(p);
}

EXPORT void *realloc(void *old, size_t size)
{
	if (ours(old) || (old == NULL && leak_heap_serves()))
		return leak_realloc(old, size, old != NULL);
	if (leak_heap_serves())
		return leak_realloc(old, size, 0); /* a glibc block moves into the leak heap */
	return plain_realloc(old, size);
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
	return plain_usable_size(p);
}

static void *aligned(size_t alignment, size_t size)
{
	if (leak_heap_serves()) {
		size_t a = 16;
		while (a < alignment && a < ((size_t)1 << 62)) /* glibc rounds a bad alignment up to a power of two */
			a *= 2;
		return leak_alloc(size, a);
	}
	return plain_aligned(alignment, size, size);
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
	return plain_aligned((size_t)getpagesize(), size, size);
}

EXPORT void *pvalloc(size_t size)
{
	size_t page = leak_heap_serves() ? 4096 : (size_t)getpagesize();
	size_t rounded = (size + page - 1) & ~(page - 1);
	if (rounded < size) {
		errno = ENOMEM;
		return NULL;
	}
	if (leak_heap_serves())
		return leak_alloc(rounded ? rounded : 4096, 4096);
	return plain_aligned(page, size, rounded);
}

/* ---- the loader's list ---- */

typedef int (*phdr_callback)(struct dl_phdr_info *, size_t, void *);
static int (*_Atomic glibc_dl_iterate_phdr)(phdr_callback, void *);

/*
 * The program's walks of the loader's list are bracketed as ours are
 * (unwind.h), so that fork() waits for them to end (a child forked in the
 * middle of one inherits glibc's lock held, and a tracked child walks the
 * list at its first allocation) and the leak check at exit stops no thread
 * inside one. C++ exception unwinding and plugin loaders walk it from any
 * thread.
 */
EXPORT int dl_iterate_phdr(phdr_callback callback, void *data)
{
	int (*walk)(phdr_callback, void *) = atomic_load_explicit(&glibc_dl_iterate_phdr, memory_order_acquire);
	if (!walk) {
		walk = (int (*)(phdr_callback, void *))dlsym(RTLD_NEXT, "dl_iterate_phdr");
		if (!walk)
			return 0; /* cannot happen with glibc; walk nothing rather than recurse */
		atomic_store_explicit(&glibc_dl_iterate_phdr, walk, memory_order_release);
	}
	unwind_loader_walk_begin();
	int rc = walk(callback, data);
	unwind_loader_walk_end();
	return rc;
}

/*
 * dlclose: the trace gets a batch first (trace_writer_before_unload), so
 * the stacks captured in the object are written while its module record
 * is current: another object dlopen'd later at its addresses does not take
 * its frames.
 */
EXPORT int dlclose(void *handle)
{
	static int (*_Atomic glibc_dlclose)(void *);
	int (*close_it)(void *) = atomic_load_explicit(&glibc_dlclose, memory_order_acquire);
	if (!close_it) {
		close_it = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
		if (!close_it)
			return -1;
		atomic_store_explicit(&glibc_dlclose, close_it, memory_order_release);
	}
	if (tracking && !guard && getpid() == tracked_pid) {
		guard = 1;
		trace_writer_before_unload();
		guard = 0;
	}
	return close_it(handle);
}

/* ---- start-up, exit, fork ---- */

static void hold_guard(void)
{
	guard = 1;
}

/*
 * `run --children` outside leak-check mode: a forked child tracks on into
 * FILE.PID. The tracker's and the writer's locks are held across the fork
 * (the registry's last, as the writer takes it under its own), so the child
 * inherits none that another thread held; the child then starts its own
 * trace and writer thread.
 */
static int follow_forks;
static char children_base[4096];        /* FILE: each followed descendant writes FILE.PID */
static int fork_locks_held;

/* FILE.PID for this process; false if it does not fit in size. */
static bool child_trace_path(char *out, size_t size)
{
	return (size_t)snprintf(out, size, "%s.%ld", children_base, (long)getpid()) < size;
}

static void release_fork_locks(void)
{
	own_memory_unhold();
	tracker_fork_done();
	trace_writer_fork_done();
	fork_locks_held = 0;
}

/*
 * First the loader's list, followed or not: a child must not inherit it
 * locked by a walk (ours or the program's). Before the allocators' locks,
 * since a walk's callback may allocate and the walk must end for fork to
 * go on.
 */
static void before_fork(void)
{
	unwind_fork_prepare();
	if (leak_mode)
		leak_heap_lock(); /* the child must not inherit it locked */
	if (tracking && follow_forks) {
		trace_writer_fork_prepare();
		tracker_fork_prepare();
		own_memory_hold();
		fork_locks_held = 1;
	}
}

static void after_fork_in_parent(void)
{
	unwind_fork_done(false);
	if (tracking && !fork_locks_held)
		trace_writer_count_fork();
	if (leak_mode)
		leak_heap_unlock();
	if (fork_locks_held)
		release_fork_locks();
}

static void after_fork_in_child(void)
{
	unwind_fork_done(true);
	if (leak_mode)
		leak_heap_unlock();
	if (!fork_locks_held) {
		if (tracking)
			trace_writer_child_untracked();
		tracking = 0; /* not followed: the child runs untracked */
		return;
	}
	release_fork_locks();
	char path[sizeof(children_base) + 24];
	int outer = guard;
	guard = 1; /* the new writer thread's memory is not the program's */
	tracked_pid = getpid();
	if (!child_trace_path(path, sizeof(path)) || !trace_writer_restart(path))
		tracking = 0;
	guard = outer;
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

/* 0 (every allocation) unless LEAKHOUND_SAMPLE_RATE asks for sampling; never with the leak check, which needs every block. */
static uint64_t sample_rate_from_env(void)
{
	const char *s = getenv("LEAKHOUND_SAMPLE_RATE"), *check = getenv("LEAKHOUND_LEAK_CHECK");
	char *end;
	unsigned long long rate = s ? strtoull(s, &end, 10) : 0;
	if (!s || *end || (check && !strcmp(check, "1")) || rate > ((uint64_t)1 << 50))
		return 0;
	return rate;
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
	next_allocator_serves(); /* looked up now, before the leak heap serves the program */
	if (!leak_check_init(trace_writer_request_leak_check))
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
	/* `run --children`: a descendant that execs tracks itself into FILE.PID, as one that forks does. */
	const char *children = getenv("LEAKHOUND_TRACE_CHILDREN");
	follow_forks = children && !strcmp(children, "1") &&
		       (size_t)snprintf(children_base, sizeof(children_base), "%s", path) < sizeof(children_base);
	char child_path[sizeof(children_base) + 24];
	if (strtol(pid, NULL, 10) != (long)getpid()) {
		if (!follow_forks || !child_trace_path(child_path, sizeof(child_path)))
			return;
		path = child_path;
	}
	guard = 1; /* what start-up allocates is not the program's */
	struct self_range self = { 0, 0 };
	dl_iterate_phdr(find_self, &self);
	unwind_libunwind_init();
	const char *js = getenv("LEAKHOUND_JS_FRAMES");
	uint32_t flags = js && !strcmp(js, "1") ? LH_TRACE_JS_FRAMES : 0;
	if (tracker_init(self.lo, self.hi, sample_rate_from_env()) && trace_writer_open(path, interval_from_env(), flags)) {
		start_leak_mode();
		if (leak_mode)
			follow_forks = 0; /* a forked child's leak heap is the parent's: it runs untracked */
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
