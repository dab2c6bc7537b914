/*
 * leak_heap.c - see leak_heap.h.
 *
 * Layout: the region is a sequence of chunks from `base` to `bump`, each a
 * 16-byte header then its payload, a multiple of 16 bytes (at least 16).
 * The header's `units` (chunk bytes / 16) lets the leak check walk every
 * chunk in address order. A chunk is live, free (in the quarantine or a
 * free list), or filler (the gap an aligned allocation skipped; never
 * reused).
 *
 * Free chunks: first the FIFO quarantine (linked through the payload's
 * first word) until 20 MB of newer frees push them out; then they are
 * cleared (memset, or MADV_DONTNEED for the whole pages of chunks of 4 MiB
 * or more, so their memory goes back to the kernel) and put on a free list: one exact
 * list per chunk size up to 64 KiB, one list for larger chunks (whose size
 * is rounded to whole pages so that reuse finds equal sizes). Reuse only
 * happens from those lists, so a block is never handed out again before
 * 20 MB of other frees, as in Memcheck.
 *
 * A block's payload is always zero when handed out: fresh pages are, free
 * list chunks were cleared on release (except the link word, cleared on
 * reuse).
 */
#include "leak_heap.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "own_memory.h"
#include "spin_lock.h"

#define REGION_BYTES (1ull << 40)
#define COMMIT_MIN (2ull << 20)
#define COMMIT_MAX (64ull << 20)
#define UNIT 16u
#define HEADER UNIT
#define LIVE_BIT 0x80000000u
#define UNITS_MASK 0x7fffffffu
#define SMALL_UNITS 4096u               /* exact free lists up to 64 KiB chunks */
#define PAGE 4096u
#define QUARANTINE_BYTES 20000000ull    /* Memcheck's --freelist-vol default */
#define GIVE_BACK_BYTES (4u << 20)        /* free chunks this large return their pages to the kernel */

struct chunk {
	uint64_t size;          /* requested bytes */
	uint32_t units;         /* chunk bytes / 16, LIVE_BIT when live */
	uint32_t stack;         /* allocation stack id (0: unknown) */
};

static char *base, *bump, *committed;
static atomic_flag lock = ATOMIC_FLAG_INIT;

/* Free chunks are linked through the first word of their payload. */
static struct chunk *small_free[SMALL_UNITS + 1];
static struct chunk *large_free;
static struct chunk *quarantine_head, *quarantine_tail;
static uint64_t quarantine_bytes;

static inline struct chunk *chunk_of(const void *p)
{
	return (struct chunk *)((char *)p - HEADER);
}

static inline void *payload_of(struct chunk *c)
{
	return (char *)c + HEADER;
}

static inline struct chunk **link_of(struct chunk *c)
{
	return (struct chunk **)payload_of(c);
}

static inline size_t chunk_bytes(const struct chunk *c)
{
	return (size_t)(c->units & UNITS_MASK) * UNIT;
}

bool leak_heap_init(void)
{
	void *p = mmap(NULL, REGION_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return false;
	own_memory_add(p, REGION_BYTES);
	base = bump = committed = p;
	return true;
}

bool leak_heap_active(void)
{
	return base != NULL;
}

void leak_heap_lock(void)
{
	spin_lock(&lock);
}

void leak_heap_unlock(void)
{
	spin_unlock(&lock);
}

/* Chunk bytes for a request: header + payload rounded to 16 (to pages when large). */
static bool chunk_size_for(size_t size, size_t *bytes)
{
	size_t payload = size ? size : 1;
	if (payload > ((size_t)UNITS_MASK * UNIT) / 2)
		return false;
	size_t n = (payload + HEADER + UNIT - 1) & ~(size_t)(UNIT - 1);
	if (n > SMALL_UNITS * UNIT)
		n = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
	*bytes = n;
	return true;
}

/*
 * Makes the region read-write up to `end`, in steps of half what is
 * committed already (2 to 64 MiB), each faulted in at once with
 * MADV_POPULATE_WRITE: one call instead of a page fault per 4 KiB, which
 * was most of the cost of a program making millions of small blocks.
 */
static bool commit_up_to(char *end)
{
	if (end <= committed)
		return true;
	if ((uint64_t)(end - base) > REGION_BYTES)
		return false;
	size_t step = (size_t)(committed - base) / 2;
	step = step < COMMIT_MIN ? COMMIT_MIN : step > COMMIT_MAX ? COMMIT_MAX : step;
	size_t more = (size_t)(end - committed + step - 1) / step * step;
	if ((uint64_t)(committed - base) + more > REGION_BYTES)
		more = (size_t)(base + REGION_BYTES - committed);
	if (mprotect(committed, more, PROT_READ | PROT_WRITE) != 0)
		return false;
	madvise(committed, more, MADV_POPULATE_WRITE); /* a hint: older kernels fault page by page */
	committed += more;
	return true;
}

/* A chunk of `bytes` from the bump pointer, its payload aligned to `alignment`. */
static struct chunk *carve(size_t bytes, size_t alignment)
{
	uintptr_t payload = ((uintptr_t)bump + HEADER + alignment - 1) & ~(uintptr_t)(alignment - 1);
	char *end = (char *)payload - HEADER + bytes;
	if (!commit_up_to(end))
		return NULL;
	size_t gap = payload - HEADER - (uintptr_t)bump;
	if (gap) { /* filler chunk: a multiple of 16, never live, never reused */
		struct chunk *filler = (struct chunk *)bump;
		*filler = (struct chunk){ 0, (uint32_t)(gap / UNIT), 0 };
	}
	bump = end;
	return chunk_of((void *)payload);
}

static struct chunk *reuse(size_t bytes)
{
	size_t units = bytes / UNIT;
	struct chunk *c;
	if (units <= SMALL_UNITS) {
		c = small_free[units];
		if (c)
			small_free[units] = *link_of(c);
	} else {
		struct chunk **at = &large_free;
		while (*at && chunk_bytes(*at) != bytes)
			at = link_of(*at);
		c = *at;
		if (c)
			*at = *link_of(c);
	}
	if (c)
		*link_of(c) = NULL;
	return c;
}

void *leak_heap_alloc(size_t size, size_t alignment)
{
	size_t bytes;
	if (!chunk_size_for(size, &bytes) || alignment > PAGE * 256ull) {
		errno = ENOMEM;
		return NULL;
	}
	if (alignment < UNIT)
		alignment = UNIT;
	leak_heap_lock();
	struct chunk *c = alignment == UNIT ? reuse(bytes) : NULL;
	if (!c)
		c = carve(bytes, alignment);
	if (c)
		*c = (struct chunk){ size, (uint32_t)(bytes / UNIT) | LIVE_BIT, 0 };
	leak_heap_unlock();
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	return payload_of(c);
}

bool leak_heap_owns(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	if (a < (uintptr_t)base + HEADER || a >= (uintptr_t)bump || a % UNIT)
		return false;
	return (chunk_of(p)->units & LIVE_BIT) != 0;
}

bool leak_heap_contains(const void *p)
{
	return (uintptr_t)p - (uintptr_t)base < REGION_BYTES;
}

/*
 * Zeroes a chunk's payload. Chunks of 4 MiB and more give their whole pages
 * back with MADV_DONTNEED; smaller ones are memset, because in a threaded
 * process every madvise costs a TLB shootdown and the pages fault in again
 * on reuse (zlib's 256 KiB states made node 3x slower that way).
 */
static void clear_payload(struct chunk *c)
{
	char *lo = payload_of(c), *hi = (char *)c + chunk_bytes(c);
	char *page_lo = (char *)(((uintptr_t)lo + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	char *page_hi = (char *)((uintptr_t)hi & ~(uintptr_t)(PAGE - 1));
	if (page_hi - page_lo >= (long)GIVE_BACK_BYTES && madvise(page_lo, (size_t)(page_hi - page_lo), MADV_DONTNEED) == 0) {
		memset(lo, 0, (size_t)(page_lo - lo));
		memset(page_hi, 0, (size_t)(hi - page_hi));
	} else {
		memset(lo, 0, (size_t)(hi - lo));
	}
}

static void release(struct chunk *c)
{
	clear_payload(c);
	size_t units = c->units & UNITS_MASK;
	struct chunk **list = units <= SMALL_UNITS ? &small_free[units] : &large_free;
	*link_of(c) = *list;
	*list = c;
}

void leak_heap_free(void *p)
{
	struct chunk *c = chunk_of(p);
	leak_heap_lock();
	if (!leak_heap_owns(p)) { /* a double free: Memcheck reports it; we keep the heap sane */
		leak_heap_unlock();
		return;
	}
	c->units &= UNITS_MASK;
	*link_of(c) = NULL;
	if (quarantine_tail)
		*link_of(quarantine_tail) = c;
	else
		quarantine_head = c;
	quarantine_tail = c;
	quarantine_bytes += chunk_bytes(c);
	while (quarantine_bytes > QUARANTINE_BYTES) {
		struct chunk *old = quarantine_head;
		quarantine_head = *link_of(old);
		if (!quarantine_head)
			quarantine_tail = NULL;
		quarantine_bytes -= chunk_bytes(old);
		release(old);
	}
	leak_heap_unlock();
}

size_t leak_heap_size(const void *p)
{
	return chunk_of(p)->size;
}

void leak_heap_set_stack(void *p, uint32_t stack)
{
	chunk_of(p)->stack = stack;
}

uint32_t leak_heap_stack(const void *p)
{
	return chunk_of(p)->stack;
}

uintptr_t leak_heap_walk_begin(void)
{
	return (uintptr_t)base;
}

bool leak_heap_walk_next(uintptr_t *cursor, struct leak_heap_block *out)
{
	uintptr_t at = *cursor, end = (uintptr_t)bump;
	while (at + HEADER <= end) {
		const struct chunk *c = (const struct chunk *)at;
		size_t bytes = chunk_bytes(c);
		if (bytes < UNIT || bytes > end - at) {
			*cursor = at; /* a header the program overwrote: stop rather than read garbage */
			return false;
		}
		at += bytes;
		if (c->units & LIVE_BIT) {
			*out = (struct leak_heap_block){ (uintptr_t)c + HEADER, c->size, c->stack };
			*cursor = at;
			return true;
		}
	}
	*cursor = end;
	return false;
}

void leak_heap_bounds(uintptr_t *lo, uintptr_t *hi)
{
	*lo = (uintptr_t)base;
	*hi = (uintptr_t)bump;
}
