/*
 * tracker.c - stack table and per-stack counters (see tracker.h), plus
 * stack capture.
 *
 * Stack capture: unwind_backtrace() (unwind.c) walks the CFI of -O2 code
 * without frame pointers from a cache of frame rules shared by all threads
 * (docs/trace-format.md has the measurements). The frames of this library
 * itself are walked but not kept (unwind_skip_leading), so a stack starts
 * at the caller of malloc (or at libstdc++'s operator new, etc.). Each
 * thread's table carries a memo of its recent walks, so an allocation from
 * a stack the thread has allocated from before costs a check of the stack
 * words that walk used, not a walk and a hash of the frames.
 *
 * Every table but the hash slots is a fixed-size reservation (MAP_NORESERVE,
 * touched lazily), so lock-free readers never see a table move; the slots
 * grow by doubling into a new table (see struct slot_table). When one is full, new stacks
 * are charged to stack id 0 ("table full") instead of failing.
 */
#include "tracker.h"

#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "own_memory.h"
#include "unwind.h"

#define SLOTS_FIRST (1u << 12)          /* hash slots at start; doubled to stay at most half full */
#define SLOTS_MAX (1u << 22)
#define STACK_MAX (1u << TRACKER_STACK_BITS) /* distinct stacks */
#define FRAME_CAP (1u << 25)            /* frames over all stacks (256 MiB reserved) */

struct tracker_totals tracker_totals;

/* Stack table. */
/*
 * A slot holds a stack id in its low 32 bits and the high 32 bits of the
 * stack's hash above them, so a probe compares hashes without touching the
 * stack's own data (one cache miss fewer per lookup in a large table).
 */
/*
 * The slot table grows: slots are hashed, so a fixed reservation of all
 * 2^22 was touched at a page per insert (32 MiB of node's RSS once it had
 * 16k stacks). A full table is rehashed into one twice its size under
 * stack_lock and published; the old one stays mapped (the tables sum to
 * at most twice the last), so a lock-free reader still probing it is
 * safe: at worst it misses a stack and looks again under the lock.
 */
struct slot_table {
	uint32_t mask;
	_Atomic uint64_t slots[];
};
static _Atomic(struct slot_table *) stack_slots;
struct stack_span {
	uint32_t first;                 /* index into frame_pool */
	uint32_t len;
};
static struct stack_span *stack_spans;
static uint64_t *frame_pool;
static uint32_t frames_used;
static _Atomic uint32_t stack_count = 1; /* id 0: "table full" */
static struct tracker_stack_stats *stack_stats; /* sums, made by tracker_stack_stats() */
static pthread_mutex_t stack_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Per-stack counters, per thread: each thread counts into a table of its
 * own (by stack id) with plain loads and stores, since a locked instruction
 * costs as much as the rest of an event's bookkeeping and the counters took
 * two per event. tracker_stack_stats() sums the tables. At thread exit (a
 * pthread key's destructor) a table goes back to a pool and is handed to the
 * next new thread: its counts stay in the sums, and one thread at a time
 * writes it. A thread that cannot get a table counts into shared_counts,
 * with atomics.
 */
struct count_table {
	struct count_table *next;       /* every table ever made, newest first */
	struct count_table *next_free;
	struct unwind_memo memo;        /* the thread's memoised stack captures (values: stack ids) */
	struct tracker_stack_stats counts[]; /* STACK_MAX, touched as used */
};

static _Atomic(struct count_table *) all_tables;
static struct count_table *free_tables;
static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t table_key;
static struct tracker_stack_stats *shared_counts;
static __thread struct count_table *my_table __attribute__((tls_model("initial-exec")));
/*
 * The thread's sampling state and latest block (for temporaries; kept
 * inverted: TLS is a root of the leak check's conservative scan, and a
 * plain copy would make the latest block reachable).
 */
__thread struct tracker_thread tracker_self __attribute__((tls_model("initial-exec")));
uint64_t tracker_sample_rate;
static void table_release(void *table);

/* Registered as leakhound's own memory: the leak check must not read the tables as roots. */
static void *map_zeroed(size_t bytes)
{
	return own_map(bytes, true);
}

bool tracker_init(uintptr_t lo, uintptr_t hi, uint64_t sample_rate)
{
	tracker_sample_rate = sample_rate;
	unwind_skip_leading(lo, hi);
	struct slot_table *slots = map_zeroed(sizeof(*slots) + SLOTS_FIRST * sizeof(slots->slots[0]));
	if (slots)
		slots->mask = SLOTS_FIRST - 1;
	atomic_store_explicit(&stack_slots, slots, memory_order_release);
	stack_spans = map_zeroed(STACK_MAX * sizeof(*stack_spans));
	frame_pool = map_zeroed((size_t)FRAME_CAP * sizeof(*frame_pool));
	stack_stats = map_zeroed(STACK_MAX * sizeof(*stack_stats));
	shared_counts = map_zeroed(STACK_MAX * sizeof(*shared_counts));
	return slots && stack_spans && frame_pool && stack_stats && shared_counts &&
	       pthread_key_create(&table_key, table_release) == 0;
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* ---- stack table ---- */

/* Four independent lanes: a 32-frame stack is 8 dependent multiplies, not 32. */
static uint64_t hash_frames(const uint64_t *frames, uint32_t n)
{
	uint64_t lane[4] = { 0x9e3779b97f4a7c15ULL ^ n, 0xbf58476d1ce4e5b9ULL, 0x94d049bb133111ebULL, 0x2545f4914f6cdd1dULL };
	for (uint32_t i = 0; i < n; i++)
		lane[i & 3] = (lane[i & 3] ^ frames[i]) * 0x100000001b3ULL + (lane[i & 3] >> 29);
	return mix64(lane[0] ^ mix64(lane[1] ^ mix64(lane[2] ^ mix64(lane[3]))));
}

static inline uint64_t slot_value(uint64_t h, uint32_t id)
{
	return (h & 0xffffffff00000000ull) | id;
}

static bool stack_equals(uint32_t id, const uint64_t *frames, uint32_t n)
{
	return stack_spans[id].len == n && memcmp(frame_pool + stack_spans[id].first, frames, n * sizeof(*frames)) == 0;
}

/* Finds the id of a stack in table t; *slot_out gets the empty slot that ended the probe. */
static uint32_t stack_find(const struct slot_table *t, uint64_t h, const uint64_t *frames, uint32_t n,
			   uint32_t *slot_out)
{
	uint32_t slot = (uint32_t)h & t->mask;
	for (;;) {
		uint64_t v = atomic_load_explicit(&t->slots[slot], memory_order_acquire);
		if (v == 0) {
			*slot_out = slot;
			return 0;
		}
		if (v >> 32 == h >> 32 && stack_equals((uint32_t)v, frames, n))
			return (uint32_t)v;
		slot = (slot + 1) & t->mask;
	}
}

/* A table twice the size of t holding stacks 1 .. count-1, or t itself without memory. Caller holds stack_lock. */
static struct slot_table *slots_grow(struct slot_table *t, uint32_t count)
{
	uint32_t size = 2 * (t->mask + 1);
	struct slot_table *bigger = map_zeroed(sizeof(*bigger) + (size_t)size * sizeof(bigger->slots[0]));
	if (!bigger)
		return t;
	bigger->mask = size - 1;
	for (uint32_t id = 1; id < count; id++) {
		const uint64_t *frames = frame_pool + stack_spans[id].first;
		uint64_t h = hash_frames(frames, stack_spans[id].len);
		uint32_t slot = (uint32_t)h & bigger->mask;
		while (atomic_load_explicit(&bigger->slots[slot], memory_order_relaxed))
			slot = (slot + 1) & bigger->mask;
		atomic_store_explicit(&bigger->slots[slot], slot_value(h, id), memory_order_relaxed);
	}
	atomic_store_explicit(&stack_slots, bigger, memory_order_release);
	return bigger;
}

static uint32_t stack_intern(const uint64_t *frames, uint32_t n)
{
	uint64_t h = hash_frames(frames, n);
	uint32_t slot;
	uint32_t id = stack_find(atomic_load_explicit(&stack_slots, memory_order_acquire), h, frames, n, &slot);
	if (__builtin_expect(id != 0, 1))
		return id;
	pthread_mutex_lock(&stack_lock);
	struct slot_table *t = atomic_load_explicit(&stack_slots, memory_order_relaxed);
	id = stack_find(t, h, frames, n, &slot); /* another thread may have added it */
	if (id == 0) {
		uint32_t count = atomic_load_explicit(&stack_count, memory_order_relaxed);
		if (count < STACK_MAX && frames_used + n <= FRAME_CAP) {
			if (2 * count >= t->mask + 1 && t->mask + 1 < SLOTS_MAX) {
				t = slots_grow(t, count);
				stack_find(t, h, frames, n, &slot);
			}
			id = count;
			memcpy(frame_pool + frames_used, frames, n * sizeof(*frames));
			stack_spans[id] = (struct stack_span){ frames_used, n };
			frames_used += n;
			atomic_store_explicit(&t->slots[slot], slot_value(h, id), memory_order_release);
			atomic_store_explicit(&stack_count, count + 1, memory_order_release);
		}
	}
	pthread_mutex_unlock(&stack_lock);
	return id;
}

_Static_assert(sizeof(uintptr_t) == sizeof(uint64_t), "frames are stored as captured");

static inline struct count_table *thread_table(void);

/*
 * Through the thread's memo (unwind.h) when it has a table: a stack it
 * captured before is known by its id without walking or hashing it.
 */
static uint32_t capture_stack(void)
{
	uintptr_t frames[LH_TRACE_MAX_FRAMES];
	struct count_table *t = thread_table();
	struct unwind_memo *memo = t ? &t->memo : NULL;
	int n = memo ? unwind_backtrace_memo(frames, LH_TRACE_MAX_FRAMES, memo)
		     : unwind_backtrace(frames, LH_TRACE_MAX_FRAMES);
	if (memo && memo->found)
		return memo->found;
	uint32_t id = stack_intern((const uint64_t *)frames, n > 0 ? (uint32_t)n : 0);
	if (memo && id) /* 0: the table is full, and a memo value must not be 0 */
		unwind_memo_attach(memo, id);
	return id;
}

uint32_t tracker_stack_count(void)
{
	return atomic_load_explicit(&stack_count, memory_order_acquire);
}

uint32_t tracker_stack_frames(uint32_t id, const uint64_t **frames)
{
	*frames = frame_pool + stack_spans[id].first;
	return stack_spans[id].len;
}

/* The sum over the shared counters and every thread's table, kept in stack_stats[id]. */
struct tracker_stack_stats *tracker_stack_stats(uint32_t id)
{
	const struct tracker_stack_stats *c = &shared_counts[id];
	int64_t live = atomic_load_explicit(&c->live_bytes, memory_order_relaxed);
	uint64_t allocs = atomic_load_explicit(&c->allocs, memory_order_relaxed);
	uint64_t frees = atomic_load_explicit(&c->frees, memory_order_relaxed);
	uint64_t temporaries = atomic_load_explicit(&c->temporaries, memory_order_relaxed);
	uint64_t alloc_bytes = atomic_load_explicit(&c->alloc_bytes, memory_order_relaxed);
	for (struct count_table *t = atomic_load_explicit(&all_tables, memory_order_acquire); t; t = t->next) {
		live += atomic_load_explicit(&t->counts[id].live_bytes, memory_order_relaxed);
		allocs += atomic_load_explicit(&t->counts[id].allocs, memory_order_relaxed);
		frees += atomic_load_explicit(&t->counts[id].frees, memory_order_relaxed);
		temporaries += atomic_load_explicit(&t->counts[id].temporaries, memory_order_relaxed);
		alloc_bytes += atomic_load_explicit(&t->counts[id].alloc_bytes, memory_order_relaxed);
	}
	struct tracker_stack_stats *s = &stack_stats[id];
	atomic_store_explicit(&s->live_bytes, live, memory_order_relaxed);
	atomic_store_explicit(&s->allocs, allocs, memory_order_relaxed);
	atomic_store_explicit(&s->frees, frees, memory_order_relaxed);
	atomic_store_explicit(&s->temporaries, temporaries, memory_order_relaxed);
	atomic_store_explicit(&s->alloc_bytes, alloc_bytes, memory_order_relaxed);
	return s;
}

/* ---- counters ---- */

/* Thread exit (the key's destructor): the table goes back to the pool, its counts stay in the sums. */
static void table_release(void *table)
{
	struct count_table *t = table;
	pthread_mutex_lock(&tables_lock);
	t->next_free = free_tables;
	free_tables = t;
	pthread_mutex_unlock(&tables_lock);
	my_table = NULL;
}

/* The calling thread's first count: a pooled table, or a new one; NULL without memory. */
static struct count_table *table_acquire(void)
{
	pthread_mutex_lock(&tables_lock);
	struct count_table *t = free_tables;
	if (t)
		free_tables = t->next_free;
	pthread_mutex_unlock(&tables_lock);
	if (!t) {
		t = map_zeroed(sizeof(*t) + STACK_MAX * sizeof(t->counts[0]));
		if (!t)
			return NULL;
		t->next = atomic_load_explicit(&all_tables, memory_order_relaxed);
		while (!atomic_compare_exchange_weak_explicit(&all_tables, &t->next, t, memory_order_release,
							      memory_order_relaxed))
			;
	}
	pthread_setspecific(table_key, t); /* keys below 32 live in the thread descriptor: no malloc */
	my_table = t;
	return t;
}

/* The calling thread's table, made on its first use; NULL without memory. */
static inline struct count_table *thread_table(void)
{
	struct count_table *t = my_table;
	return __builtin_expect(t != NULL, 1) ? t : table_acquire();
}

/* Adds d to a counter only this thread writes: a plain load and store, no locked instruction. */
#define COUNT_OWN(counter, d) \
	atomic_store_explicit(&(counter), atomic_load_explicit(&(counter), memory_order_relaxed) + (d), \
			      memory_order_relaxed)

enum count_kind { COUNT_ALLOC, COUNT_FREE, COUNT_TEMPORARY_FREE };

/* What one block counts for: its size and one block, or when sampling its weights. */
struct weight {
	int64_t bytes;
	uint64_t blocks;
};

/* Into the shared counters, with atomics: safe from any thread at any moment. */
static void count_shared(uint32_t stack, struct weight w, enum count_kind kind)
{
	struct tracker_stack_stats *c = &shared_counts[stack];
	atomic_fetch_add_explicit(&c->live_bytes, kind == COUNT_ALLOC ? w.bytes : -w.bytes, memory_order_relaxed);
	atomic_fetch_add_explicit(kind == COUNT_ALLOC ? &c->allocs : &c->frees, w.blocks, memory_order_relaxed);
	if (kind == COUNT_ALLOC)
		atomic_fetch_add_explicit(&c->alloc_bytes, (uint64_t)w.bytes, memory_order_relaxed);
	if (kind == COUNT_TEMPORARY_FREE)
		atomic_fetch_add_explicit(&c->temporaries, w.blocks, memory_order_relaxed);
}

static inline void count_event(uint32_t stack, struct weight w, enum count_kind kind)
{
	bool alloc = kind == COUNT_ALLOC;
	struct count_table *t = thread_table();
	if (__builtin_expect(t != NULL, 1)) {
		struct tracker_stack_stats *c = &t->counts[stack];
		COUNT_OWN(c->live_bytes, alloc ? w.bytes : -w.bytes);
		if (alloc) {
			COUNT_OWN(c->allocs, w.blocks);
			COUNT_OWN(c->alloc_bytes, (uint64_t)w.bytes);
		} else
			COUNT_OWN(c->frees, w.blocks);
		if (kind == COUNT_TEMPORARY_FREE)
			COUNT_OWN(c->temporaries, w.blocks);
		return;
	}
	count_shared(stack, w, kind);
}

static void charge_alloc(struct weight w, uint32_t stack)
{
	count_event(stack, w, COUNT_ALLOC);
	int64_t now = atomic_fetch_add_explicit(&tracker_totals.live_bytes, w.bytes, memory_order_relaxed) + w.bytes;
	int64_t peak = atomic_load_explicit(&tracker_totals.peak_bytes, memory_order_relaxed);
	while (now > peak && !atomic_compare_exchange_weak_explicit(&tracker_totals.peak_bytes, &peak, now,
								   memory_order_relaxed, memory_order_relaxed))
		;
}

static void charge_free(struct weight w, uint32_t stack, enum count_kind kind)
{
	count_event(stack, w, kind);
	atomic_fetch_sub_explicit(&tracker_totals.live_bytes, w.bytes, memory_order_relaxed);
}

/* Whether freeing p now ends a temporary allocation; a block counts once. */
static inline enum count_kind free_kind(void *p)
{
	if (~(uintptr_t)p != tracker_self.latest_block_inverted)
		return COUNT_FREE;
	tracker_self.latest_block_inverted = 0;
	return COUNT_TEMPORARY_FREE;
}

/* ---- sampling (tracker.h) ---- */

/* xorshift64*: the thread's own generator, seeded from its id, the clock and its TLS address. */
static uint64_t next_random(struct tracker_thread *me)
{
	if (__builtin_expect(me->rng == 0, 0)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		me->rng = mix64((uint64_t)syscall(SYS_gettid) << 32 ^ (uint64_t)ts.tv_nsec ^ (uintptr_t)me) | 1;
	}
	me->rng ^= me->rng >> 12;
	me->rng ^= me->rng << 25;
	me->rng ^= me->rng >> 27;
	return me->rng * 0x2545f4914f6cdd1dULL;
}

/*
 * Bytes to the next sample point, X exponential with mean
 * tracker_sample_rate, kept as floor(X): a block of s bytes (an integer)
 * reaches the point when X < s, that is floor(X) < s, so the countdown
 * going below 0 samples with probability exactly 1 - exp(-s/R).
 */
static int64_t draw_countdown(struct tracker_thread *me)
{
	double u = (double)((next_random(me) >> 11) + 1) * 0x1p-53; /* (0, 1] */
	double bytes = -log(u) * (double)tracker_sample_rate;
	return bytes > 0x1p62 ? (int64_t)1 << 62 : (int64_t)bytes;
}

bool tracker_sample_draw(size_t size)
{
	struct tracker_thread *me = &tracker_self;
	if (me->rng == 0) { /* the thread's first allocation: its first point is yet to be drawn */
		int64_t left = draw_countdown(me) - (int64_t)size;
		if (left >= 0) {
			me->sample_left = left;
			me->latest_block_inverted = 0;
			return false;
		}
	}
	/* Past the point: sampled. Points beyond it inside this block change nothing, and the process is memoryless. */
	me->sample_left = draw_countdown(me);
	return true;
}

/*
 * A counted block's weight, the same at its allocation and its free: its
 * size and 1 exactly, or when sampling s/p bytes and 1/p blocks, with p
 * the probability that a block of its size was sampled. 1/p is rounded
 * down or up at random (by a hash of the address and size), so the blocks'
 * sum stays unbiased.
 */
static struct weight weight_of(const void *p, size_t size)
{
	if (__builtin_expect(tracker_sample_rate == 0, 1))
		return (struct weight){ (int64_t)size, 1 };
	double s = (double)size, prob = -expm1(-s / (double)tracker_sample_rate);
	if (!(prob > 0)) /* size 0 is never sampled; kept safe anyway */
		return (struct weight){ 0, 1 };
	double blocks = 1 / prob, whole = floor(blocks);
	double u = (double)(mix64((uintptr_t)p ^ (uint64_t)size << 40) >> 11) * 0x1p-53; /* [0, 1) */
	return (struct weight){ (int64_t)llround(s / prob), (uint64_t)whole + (u < blocks - whole) };
}

/* ---- fork ---- */

void tracker_fork_prepare(void)
{
	pthread_mutex_lock(&stack_lock);
	pthread_mutex_lock(&tables_lock);
}

void tracker_fork_done(void)
{
	pthread_mutex_unlock(&tables_lock);
	pthread_mutex_unlock(&stack_lock);
}

/* ---- the calls preload.c makes ---- */

uint32_t tracker_charge(void *p, size_t size)
{
	uint32_t stack = capture_stack();
	charge_alloc(weight_of(p, size), stack);
	tracker_self.latest_block_inverted = ~(uintptr_t)p;
	return stack;
}

void tracker_free_known(void *p, size_t size, uint32_t stack)
{
	charge_free(weight_of(p, size), stack, free_kind(p));
}

void tracker_release(void *p, size_t size, uint32_t stack)
{
	charge_free(weight_of(p, size), stack, COUNT_FREE);
}

void tracker_release_interrupted(void *p, size_t size, uint32_t stack)
{
	struct weight w = weight_of(p, size);
	count_shared(stack, w, COUNT_FREE);
	atomic_fetch_sub_explicit(&tracker_totals.live_bytes, w.bytes, memory_order_relaxed);
}
