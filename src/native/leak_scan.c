/*
 * leak_scan.c - see leak_scan.h. Memcheck's steps, in its words:
 *
 * Blocks: the leak heap's live blocks, already in address order (the heap
 * is walked from its headers, so no sort). A word w "points at" block i
 * when start[i] <= w < start[i] + max(size[i], 1) (size-0 blocks count as
 * 1 byte, as in find_chunk_for). Lookup: a directory over the heap (for
 * each 256-byte line, the first block starting in it) then a binary
 * search among the few blocks of that line; words outside the heap's
 * bounds are rejected with one compare.
 *
 * Roots (scan_memory_root_set): every readable and writable mapping of
 * /proc/self/maps - data/bss of every object, anonymous memory (thread
 * stacks with their static TLS at the top, V8's heap, glibc's own heap
 * for what was allocated before tracking started), shared memory - minus
 * leakhound's own ranges (own_memory.h: the tracker's tables, this heap's
 * region, our arrays, the writer thread's stack) and minus device
 * mappings other than /dev/zero. In a mapping holding a stopped thread's
 * stack pointer, only [sp - 128, end) is read: Memcheck makes the stack
 * below SP minus the amd64 red zone inaccessible. Plus the general purpose
 * registers of every stopped thread. Only 8-byte aligned words. File and
 * shared mappings are read through process_vm_readv, so a page past the
 * end of a file skips (Memcheck's fault catcher) instead of SIGBUS. In
 * anonymous ranges of 16 MiB or more, pages mincore() calls absent are
 * skipped when nothing of the process is in swap (such a page was never
 * written, or was given back: it reads as zeros).
 *
 * Marking (lc_push_without_clique_if_a_chunk_ptr, lc_process_markstack):
 * states Unreached, IndirectLeak, Possible, Reachable; a root or a block
 * not Possible is a definite source; a start pointer (or a heuristic hit)
 * from a definite source makes a block Reachable, anything else makes an
 * Unreached block Possible; each change (re)pushes the block on the mark
 * stack (a block is on it at most once), whose pop scans the block's
 * aligned words. The four heuristics (stdstring, length64, newarray,
 * multipleinheritance) apply to interior pointers, all on as in 3.19.
 *
 * Cliques: blocks still Unreached, in ascending address order, each lead
 * a clique: every Unreached block reachable from it (start or interior
 * pointer) becomes IndirectLeak, and its size plus its own indirect size
 * is added to the leader's indirect size (an earlier leader is absorbed).
 *
 * Differences from Memcheck: every word of a block or mapping counts (our
 * memory is zero-filled where Memcheck would call it undefined, so the
 * difference is only words the program left partly written); "executed
 * code" for the multipleinheritance vtable test is "an executable file
 * mapping" (Memcheck asks whether it translated code there).
 */
#define UNW_LOCAL_ONLY
#include "leak_scan.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <libunwind.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "leak_heap.h"
#include "own_memory.h"
#include "proc_text.h"

#define LINE_SHIFT 8 /* directory granularity: at most 8 blocks (of 32 bytes or more) per line */
#define RED_ZONE 128u
#define OWN_MAX 1024
#define VTABLE_MAX_CHECK 20
#define COPY_CHUNK (256u << 10)
#define SPARSE_MIN (16u << 20)   /* anonymous ranges this large are read page by resident page */
#define ON_STACK 4u
#define STATE_MASK 3u

struct mapping {
	uintptr_t lo, hi;
	bool readable, writable, executable, shared, file, device;
};

struct scan {
	/* blocks, in address order */
	size_t n;
	uintptr_t *start;
	uint64_t *size;
	uint32_t *stack;
	uint8_t *state;          /* enum lh_leak_kind | ON_STACK */
	uint8_t *heur;           /* 1 + enum lh_leak_heuristic, 0: none */
	uint64_t *indirect;
	uintptr_t heap_lo, heap_hi;
	uint32_t *first;         /* per 256-byte line of the heap: the first block starting at or after it */
	size_t lines;
	uint32_t *mark;          /* mark stack */
	size_t top;
	/* memory map */
	struct mapping *maps;
	size_t map_count;
	struct own_range own[OWN_MAX];
	size_t own_count;
	char *copy;              /* COPY_CHUNK bytes for process_vm_readv */
	uint64_t root_bytes;
	bool skip_absent_pages;  /* nothing is in swap: absent pages are all zero */
	bool corrupt;
	/* sizes of what to unmap */
	size_t blocks_bytes, first_bytes, maps_bytes, maps_text_bytes;
	char *maps_text;
	void *blocks_mem;
};

/* ---- the own_map'd arrays ---- */

static bool map_blocks(struct scan *s)
{
	size_t n = s->n ? s->n : 1;
	size_t bytes = n * (8 + 8 + 4 + 1 + 1 + 8 + 4) + 64;
	char *p = own_map_populated(bytes);
	if (!p)
		return false;
	s->blocks_mem = p;
	s->blocks_bytes = bytes;
	s->start = (uintptr_t *)p;
	s->size = (uint64_t *)(p + n * 8);
	s->indirect = (uint64_t *)(p + n * 16);
	s->stack = (uint32_t *)(p + n * 24);
	s->mark = (uint32_t *)(p + n * 28);
	s->state = (uint8_t *)(p + n * 32);
	s->heur = (uint8_t *)(p + n * 33);
	return true;
}

static bool load_blocks(struct scan *s)
{
	struct leak_heap_block b;
	uintptr_t cursor = leak_heap_walk_begin();
	size_t n = 0;
	while (leak_heap_walk_next(&cursor, &b))
		n++;
	leak_heap_bounds(&s->heap_lo, &s->heap_hi);
	s->corrupt = cursor != s->heap_hi;
	s->n = n;
	if (!map_blocks(s))
		return false;
	cursor = leak_heap_walk_begin();
	for (size_t i = 0; i < n && leak_heap_walk_next(&cursor, &b); i++) {
		s->start[i] = b.start;
		s->size[i] = b.size;
		s->stack[i] = b.stack;
	}
	return true;
}

static bool build_directory(struct scan *s)
{
	s->lines = ((s->heap_hi - s->heap_lo) >> LINE_SHIFT) + 1;
	s->first_bytes = (s->lines + 1) * sizeof(uint32_t);
	s->first = own_map_populated(s->first_bytes);
	if (!s->first)
		return false;
	size_t line = 0;
	for (size_t i = 0; i < s->n; i++) {
		size_t l = (s->start[i] - s->heap_lo) >> LINE_SHIFT;
		while (line <= l)
			s->first[line++] = (uint32_t)i;
	}
	while (line <= s->lines)
		s->first[line++] = (uint32_t)s->n;
	return true;
}

/* The block word w points into, or -1. */
static inline long find_block(const struct scan *s, uintptr_t w)
{
	if (w < s->heap_lo || w >= s->heap_hi)
		return -1;
	size_t line = (w - s->heap_lo) >> LINE_SHIFT;
	/* The answer is the last block starting at or before w: in [first[line]-1, first[line+1]). */
	long lo = (long)s->first[line] - 1, hi = (long)s->first[line + 1] - 1;
	if (lo < 0)
		lo = 0;
	if (hi < lo)
		return -1;
	while (lo < hi) { /* last index in [lo, hi] with start <= w */
		long mid = (lo + hi + 1) / 2;
		if (s->start[mid] <= w)
			lo = mid;
		else
			hi = mid - 1;
	}
	if (s->start[lo] > w)
		return -1;
	uint64_t len = s->size[lo] ? s->size[lo] : 1;
	return w - s->start[lo] < len ? lo : -1;
}

/* ---- /proc/self/maps ---- */

static uintptr_t parse_hex(const char **p)
{
	uintptr_t v = 0;
	for (;; (*p)++) {
		char c = **p;
		if (c >= '0' && c <= '9')
			v = v * 16 + (uintptr_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uintptr_t)(c - 'a' + 10);
		else
			return v;
	}
}

/* One line: "lo-hi perms offset dev inode   path". */
static bool parse_map_line(const char *line, const char *end, struct mapping *m)
{
	const char *p = line;
	m->lo = parse_hex(&p);
	if (*p++ != '-')
		return false;
	m->hi = parse_hex(&p);
	if (end - p < 6 || *p++ != ' ')
		return false;
	m->readable = p[0] == 'r';
	m->writable = p[1] == 'w';
	m->executable = p[2] == 'x';
	m->shared = p[3] == 's';
	p += 4;
	for (int field = 0; field < 3 && p < end; field++) { /* offset, dev, inode */
		while (p < end && *p == ' ')
			p++;
		while (p < end && *p != ' ')
			p++;
	}
	while (p < end && *p == ' ')
		p++;
	size_t len = (size_t)(end - p);
	m->file = len > 0 && *p == '/';
	m->device = len >= 5 && !memcmp(p, "/dev/", 5) && !(len == 9 && !memcmp(p, "/dev/zero", 9)) &&
		    !(len >= 13 && !memcmp(p, "/dev/zero (de", 13));
	return m->lo < m->hi;
}

static bool read_maps(struct scan *s)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t cap = 1 << 20, len = 0;
	char *text = own_map(cap, false);
	bool ok = text != NULL;
	while (ok) {
		if (len == cap) {
			char *bigger = own_remap(text, cap, cap * 2);
			if (!bigger) {
				ok = false;
				break;
			}
			text = bigger;
			cap *= 2;
		}
		ssize_t got = read(fd, text + len, cap - len);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	size_t lines = 0;
	for (size_t i = 0; ok && i < len; i++)
		lines += text[i] == '\n';
	s->maps_bytes = (lines + 1) * sizeof(struct mapping);
	s->maps = ok ? own_map(s->maps_bytes, false) : NULL;
	if (s->maps) {
		const char *p = text, *end = text + len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl)
				nl = end;
			if (s->map_count <= lines && parse_map_line(p, nl, &s->maps[s->map_count]))
				s->map_count++;
			p = nl + 1;
		}
	}
	s->maps_text = text; /* unmapped with the rest: the listing names it, so it must stay readable */
	s->maps_text_bytes = cap;
	return s->maps != NULL;
}

static const struct mapping *mapping_of(const struct scan *s, uintptr_t a)
{
	size_t lo = 0, hi = s->map_count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->maps[mid].hi <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->map_count && s->maps[lo].lo <= a ? &s->maps[lo] : NULL;
}

/* ---- heuristics (heuristic_reachedness) ---- */

static bool looks_like_vtable(const struct scan *s, uintptr_t a)
{
	if (a % 8 || a < 4096)
		return false;
	const struct mapping *m = mapping_of(s, a);
	if (!m || !m->file || !m->readable || m->device)
		return false;
	uintptr_t end = a + VTABLE_MAX_CHECK * sizeof(uintptr_t);
	if (end > m->hi)
		end = m->hi;
	int functions = 0;
	for (uintptr_t at = a; at + 8 <= end; at += 8) {
		uintptr_t fn = *(const uintptr_t *)at;
		if (!fn)
			continue;
		const struct mapping *code = mapping_of(s, fn);
		if (code && code->executable && code->file && ++functions == 2)
			return true;
	}
	return false;
}

/* The heuristic by which interior pointer w counts as a start pointer to block i (1 + kind), or 0. */
static int heuristic_hit(const struct scan *s, size_t i, uintptr_t w)
{
	const uint64_t *data = (const uint64_t *)s->start[i];
	uint64_t size = s->size[i];
	uintptr_t off = w - s->start[i];
	if (off == 24 && size >= 24) { /* std::string (COW): length, capacity, refcount, chars */
		uint64_t capacity = data[1];
		if (capacity < size && 24 + capacity + 1 == size && data[0] <= capacity)
			return 1 + LH_HEUR_STDSTRING;
	}
	if (off == 8 && size >= 8) {
		if (data[0] > 0 && size - 8 == data[0])
			return 1 + LH_HEUR_LENGTH64;
		if (data[0] > 0 && (size - 8) % data[0] == 0)
			return 1 + LH_HEUR_NEWARRAY;
	}
	if (off % 8 == 0 && off + 8 <= size && size >= 8) {
		uintptr_t inner = *(const uintptr_t *)w, first = data[0];
		if (inner % 8 == 0 && inner >= 4096 && first % 8 == 0 && first >= 4096 && looks_like_vtable(s, inner) &&
		    looks_like_vtable(s, first))
			return 1 + LH_HEUR_MULTIPLE_INHERITANCE;
	}
	return 0;
}

/* ---- marking ---- */

static inline void push(struct scan *s, size_t i)
{
	if (s->state[i] & ON_STACK)
		return;
	s->state[i] |= ON_STACK;
	s->mark[s->top++] = (uint32_t)i;
}

/* lc_push_without_clique_if_a_chunk_ptr */
static void reach(struct scan *s, size_t i, uintptr_t w, bool definite)
{
	unsigned st = s->state[i] & STATE_MASK;
	if (st == LH_LEAK_REACHABLE) {
		if (s->heur[i] && w == s->start[i])
			s->heur[i] = 0;
		return;
	}
	bool as_start = w == s->start[i];
	if (!as_start) {
		s->heur[i] = (uint8_t)heuristic_hit(s, i, w);
		as_start = s->heur[i] != 0;
	}
	if (as_start && definite) {
		s->state[i] = (uint8_t)((s->state[i] & ON_STACK) | LH_LEAK_REACHABLE);
		push(s, i);
	} else if (st == LH_LEAK_DEFINITE) { /* Unreached */
		s->state[i] = (uint8_t)((s->state[i] & ON_STACK) | LH_LEAK_POSSIBLE);
		push(s, i);
	}
}

/* lc_push_with_clique_if_a_chunk_ptr */
static void absorb(struct scan *s, size_t i, size_t leader)
{
	if ((s->state[i] & STATE_MASK) != LH_LEAK_DEFINITE || i == leader)
		return;
	push(s, i);
	s->indirect[leader] += s->size[i] + s->indirect[i];
	s->state[i] = (uint8_t)((s->state[i] & ON_STACK) | LH_LEAK_INDIRECT);
}

/* Reads the aligned words of [p, end): clique < 0 marks, else absorbs into that leader. */
static void scan_words(struct scan *s, const uintptr_t *p, const uintptr_t *end, bool definite, long clique)
{
	uintptr_t lo = s->heap_lo, span = s->heap_hi - s->heap_lo;
	for (; p < end; p++) {
		uintptr_t w = *p;
		if (w - lo >= span)
			continue;
		long i = find_block(s, w);
		if (i < 0)
			continue;
		if (clique < 0)
			reach(s, (size_t)i, w, definite);
		else
			absorb(s, (size_t)i, (size_t)clique);
	}
}

static void scan_block(struct scan *s, size_t i, bool definite, long clique)
{
	const uintptr_t *p = (const uintptr_t *)s->start[i];
	scan_words(s, p, p + s->size[i] / sizeof(uintptr_t), definite, clique);
}

/* lc_process_markstack */
static void drain(struct scan *s, long clique)
{
	while (s->top) {
		size_t i = s->mark[--s->top];
		s->state[i] &= (uint8_t)~ON_STACK;
		scan_block(s, i, (s->state[i] & STATE_MASK) != LH_LEAK_POSSIBLE, clique);
	}
}

/* ---- roots ---- */

/* Reads [lo, hi) of a file or shared mapping through a copy: unreadable pages are skipped, never fatal. */
static void scan_copied(struct scan *s, uintptr_t lo, uintptr_t hi)
{
	pid_t self = getpid();
	while (lo < hi) {
		size_t n = hi - lo < COPY_CHUNK ? hi - lo : COPY_CHUNK;
		struct iovec local = { s->copy, n }, remote = { (void *)lo, n };
		ssize_t got = process_vm_readv(self, &local, 1, &remote, 1, 0);
		if (got > 0) {
			scan_words(s, (const uintptr_t *)s->copy, (const uintptr_t *)(s->copy + (got & ~7L)), true, -1);
			lo += (size_t)got;
		} else {
			lo = (lo + 4096) & ~(uintptr_t)4095; /* skip the page that failed */
		}
		if (got > 0 && (size_t)got < n)
			lo = (lo + 4096) & ~(uintptr_t)4095;
	}
}

/* True if no page of the process is in swap (/proc/self/status VmSwap is 0): then a page mincore() calls absent was never written. */
static bool nothing_swapped(void)
{
	char text[4096];
	if (!proc_read_text("/proc/self/status", text, sizeof(text)))
		return false;
	const char *swap = strstr(text, "\nVmSwap:");
	if (!swap)
		return false;
	swap += 8;
	while (*swap == ' ' || *swap == '\t')
		swap++;
	return swap[0] == '0' && swap[1] == ' ';
}

/*
 * Reads the resident pages of a large anonymous private range only: a page
 * never written reads as zeros, so it holds no pointer, and a big sparse
 * reservation (a runtime's arena) costs its resident pages, not its size.
 */
static void scan_resident(struct scan *s, uintptr_t lo, uintptr_t hi)
{
	unsigned char *resident = (unsigned char *)s->copy; /* one byte per page: COPY_CHUNK pages a call */
	for (uintptr_t at = lo & ~(uintptr_t)4095; at < hi;) {
		size_t pages = (hi - at + 4095) / 4096;
		pages = pages < COPY_CHUNK ? pages : COPY_CHUNK;
		if (mincore((void *)at, pages * 4096, resident) != 0) {
			scan_words(s, (const uintptr_t *)(at > lo ? at : lo), (const uintptr_t *)hi, true, -1);
			return;
		}
		for (size_t i = 0; i < pages; i++, at += 4096) {
			if (!(resident[i] & 1))
				continue;
			uintptr_t from = at > lo ? at : lo, to = at + 4096 < hi ? at + 4096 : hi;
			scan_words(s, (const uintptr_t *)from, (const uintptr_t *)to, true, -1);
		}
	}
}

static void scan_root_range(struct scan *s, const struct mapping *m, uintptr_t lo, uintptr_t hi)
{
	lo = (lo + 7) & ~(uintptr_t)7;
	hi &= ~(uintptr_t)7;
	if (lo >= hi)
		return;
	s->root_bytes += hi - lo;
	if (m->file || m->shared)
		scan_copied(s, lo, hi);
	else if (hi - lo >= SPARSE_MIN && s->skip_absent_pages)
		scan_resident(s, lo, hi);
	else
		scan_words(s, (const uintptr_t *)lo, (const uintptr_t *)hi, true, -1);
}

/* A mapping minus leakhound's own ranges (sorted). */
static void scan_mapping(struct scan *s, const struct mapping *m, uintptr_t lo)
{
	uintptr_t at = lo;
	for (size_t k = 0; k < s->own_count && at < m->hi; k++) {
		const struct own_range *r = &s->own[k];
		if (r->hi <= at || r->lo >= m->hi)
			continue;
		if (r->lo > at)
			scan_root_range(s, m, at, r->lo);
		if (r->hi > at)
			at = r->hi;
	}
	if (at < m->hi)
		scan_root_range(s, m, at, m->hi);
}

/*
 * Where to start reading mapping m: past the unused part of a stack it
 * holds. A stopped thread may have live words in the 128-byte red zone
 * below its SP (amd64 leaf functions); the exiting thread's caller frame
 * has none (it made a call, which used that space).
 */
static uintptr_t live_start(const struct mapping *m, const struct leak_scan_input *in)
{
	uintptr_t lowest = UINTPTR_MAX;
	for (size_t t = 0; t < in->thread_count; t++) {
		uintptr_t sp = in->threads[t].sp;
		if (in->threads[t].stopped && sp >= m->lo && sp < m->hi) {
			sp = sp - m->lo > RED_ZONE ? sp - RED_ZONE : m->lo;
			lowest = sp < lowest ? sp : lowest;
		}
	}
	uintptr_t sp = in->caller.sp;
	if (sp >= m->lo && sp < m->hi && sp < lowest)
		lowest = sp;
	return lowest == UINTPTR_MAX ? m->lo : lowest;
}

static void scan_roots(struct scan *s, const struct leak_scan_input *in)
{
	scan_words(s, in->caller.regs, in->caller.regs + in->caller.reg_count, true, -1);
	for (size_t t = 0; t < in->thread_count; t++) {
		const struct stopped_thread *th = &in->threads[t];
		if (!th->stopped)
			continue;
		scan_words(s, th->regs, th->regs + th->reg_count, true, -1);
		s->root_bytes += th->reg_count * sizeof(uintptr_t);
	}
	for (size_t k = 0; k < s->map_count; k++) {
		const struct mapping *m = &s->maps[k];
		if (!m->readable || !m->writable || m->device)
			continue;
		scan_mapping(s, m, live_start(m, in));
		drain(s, -1); /* keep the mark stack short */
	}
}

/* ---- cliques and results ---- */

static void find_cliques(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		if ((s->state[i] & STATE_MASK) != LH_LEAK_DEFINITE)
			continue;
		push(s, i);
		drain(s, (long)i);
	}
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* Loss records keyed by (kind, stack), through a hash table of record indices. */
static bool make_records(struct scan *s, struct leak_result *out)
{
	size_t cap = 64;
	while (cap < s->n * 2)
		cap *= 2;
	size_t table_bytes = cap * sizeof(uint32_t);
	uint32_t *table = own_map_populated(table_bytes); /* 0: empty, else record index + 1 */
	out->records_bytes = (s->n ? s->n : 1) * sizeof(struct lh_rec_loss);
	out->records = own_map(out->records_bytes, true);
	if (!table || !out->records) {
		own_unmap(table, table_bytes);
		return false;
	}
	struct lh_rec_leak_check *sum = &out->summary;
	for (size_t i = 0; i < s->n; i++) {
		uint32_t kind = s->state[i] & STATE_MASK;
		sum->bytes[kind] += s->size[i];
		sum->blocks[kind]++;
		if (s->heur[i] && (kind == LH_LEAK_REACHABLE || kind == LH_LEAK_POSSIBLE)) {
			sum->heuristic_bytes[s->heur[i] - 1] += s->size[i];
			sum->heuristic_blocks[s->heur[i] - 1]++;
		}
		uint64_t key = ((uint64_t)s->stack[i] << 2) | kind;
		size_t slot = mix(key) & (cap - 1);
		while (table[slot] && ((uint64_t)out->records[table[slot] - 1].stack << 2 |
				       out->records[table[slot] - 1].kind) != key)
			slot = (slot + 1) & (cap - 1);
		if (!table[slot]) {
			out->records[out->record_count] = (struct lh_rec_loss){ .stack = s->stack[i], .kind = kind };
			table[slot] = (uint32_t)++out->record_count;
		}
		struct lh_rec_loss *r = &out->records[table[slot] - 1];
		r->bytes += s->size[i];
		r->blocks++;
		if (kind == LH_LEAK_DEFINITE)
			r->indirect_bytes += s->indirect[i];
	}
	own_unmap(table, table_bytes);
	return true;
}

static void scan_release(struct scan *s)
{
	own_unmap(s->blocks_mem, s->blocks_bytes);
	own_unmap(s->first, s->first_bytes);
	own_unmap(s->maps, s->maps_bytes);
	own_unmap(s->maps_text, s->maps_text_bytes);
	own_unmap(s->copy, COPY_CHUNK);
}

bool leak_scan(const struct leak_scan_input *in, struct leak_result *out)
{
	static struct scan s; /* large (the own ranges); the caller serialises checks */
	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	s.copy = own_map(COPY_CHUNK, false);
	bool ok = s.copy && read_maps(&s) && load_blocks(&s) && build_directory(&s);
	if (ok) {
		s.own_count = own_memory_ranges(s.own, OWN_MAX);
		s.skip_absent_pages = nothing_swapped();
		scan_roots(&s, in);
		find_cliques(&s);
		ok = make_records(&s, out);
		out->summary.root_bytes = s.root_bytes;
		if (s.corrupt)
			out->summary.flags |= LH_LEAK_CHECK_HEAP_CORRUPT;
	}
	scan_release(&s);
	return ok;
}

void leak_scan_free(struct leak_result *r)
{
	own_unmap(r->records, r->records_bytes);
	r->records = NULL;
	r->record_count = 0;
}

/* ---- the exiting thread's stack ---- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* True for a frame of leakhound or of ld.so (which calls the destructors). */
static bool in_exit_machinery(const Dl_info *info)
{
	const char *name = base_name(info->dli_fname);
	return !strncmp(name, "ld-linux", 8) || !strncmp(name, "libleakhound-preload", 20);
}

/* True for a return address inside libc's exit() (a short function: it calls __run_exit_handlers). */
static bool in_exit(const Dl_info *info, uintptr_t ip)
{
	return info->dli_sname && !strcmp(info->dli_sname, "exit") && !strncmp(base_name(info->dli_fname), "libc.so", 7) &&
	       ip - (uintptr_t)info->dli_saddr < 128;
}

static struct exit_frame frame_of(unw_cursor_t *cursor)
{
#if defined(__x86_64__)
	static const int saved[] = { UNW_X86_64_RBX, UNW_X86_64_RBP, UNW_X86_64_R12, UNW_X86_64_R13, UNW_X86_64_R14,
				     UNW_X86_64_R15 };
#elif defined(__aarch64__)
	static const int saved[] = { UNW_AARCH64_X19, UNW_AARCH64_X20, UNW_AARCH64_X21, UNW_AARCH64_X22,
				     UNW_AARCH64_X23, UNW_AARCH64_X24, UNW_AARCH64_X25, UNW_AARCH64_X26 };
#endif
	struct exit_frame f = { 0 };
	unw_word_t v;
	if (unw_get_reg(cursor, UNW_REG_SP, &v) == 0)
		f.sp = (uintptr_t)v;
	for (size_t i = 0; i < sizeof(saved) / sizeof(saved[0]); i++)
		if (unw_get_reg(cursor, saved[i], &v) == 0)
			f.regs[f.reg_count++] = (uintptr_t)v;
	return f;
}

struct exit_frame leak_scan_exit_frame(uintptr_t here)
{
	struct exit_frame fallback = { .sp = here }, f;
	unw_context_t uc;
	unw_cursor_t cursor;
	if (unw_getcontext(&uc) != 0 || unw_init_local(&cursor, &uc) != 0)
		return fallback;
	bool past_machinery = false, exit_seen = false;
	for (int depth = 0; depth < 64 && unw_step(&cursor) > 0; depth++) {
		unw_word_t ip;
		Dl_info info;
		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0)
			break;
		if (exit_seen)
			return frame_of(&cursor); /* exit's caller */
		bool known = dladdr((void *)(ip - 1), &info) && info.dli_fname;
		if (known && in_exit(&info, ip - 1))
			exit_seen = true;
		else if (!past_machinery && !(known && in_exit_machinery(&info))) {
			past_machinery = true;
			f = frame_of(&cursor);
			fallback.sp = f.sp;
		}
	}
	return fallback;
}
