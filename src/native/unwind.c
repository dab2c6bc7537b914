/*
 * unwind.c - the preload library's stack capture (see unwind.h).
 *
 * x86-64: a hybrid CFI + frame-pointer unwinder with a rule cache.
 *
 *   - The rule cache maps a code address to how its frame is laid out:
 *     "CFA = rsp + k or rbp + k; the return address at CFA - 8; the
 *     caller's rbp saved at CFA - 8n, or not saved". That is every frame
 *     gcc and clang emit for ordinary functions, so the cache entry is one
 *     64-bit word (the address's tag and a 30-bit rule), read and written
 *     with single atomic loads and stores: lock-free, shared by all
 *     threads, never torn. It is 4-way set-associative (8192 sets, 256 KiB
 *     reserved, touched as used). A steady-state capture is, per frame, one
 *     cache line of rules and two stack loads.
 *   - A miss interprets the DWARF CFI: dl_iterate_phdr finds the module
 *     (the loader's lock is held meanwhile, so a concurrent dlclose cannot
 *     unmap what is being read; modules dlopen'd later are found the same
 *     way), .eh_frame_hdr's sorted table is binary-searched for the FDE, and
 *     the CIE's and FDE's instructions run up to the address. Every read of
 *     CFI is bounded by the PT_LOAD segment it lies in.
 *   - No FDE and no module: code the loader does not know, which in node is
 *     V8's JIT. V8 keeps rbp as a frame pointer, so the rule becomes the
 *     frame-pointer step "CFA = rbp + 16, rbp saved at CFA - 16" (what
 *     libunwind does when it has no unwind information, too).
 *   - Signal frames: the return address of a signal handler is the
 *     sigreturn trampoline (glibc's __restore_rt: its CIE says 'S' and its
 *     code is `mov $15, %rax; syscall`); the interrupted registers are read
 *     from the ucontext the kernel left at the stack pointer, and the next
 *     frame is looked up at the interrupted instruction itself, not the one
 *     before it.
 *   - Anything else (a CFA in another register or given by an expression,
 *     a return address not at CFA - 8, a stack the thread cannot learn)
 *     hands the whole capture to libunwind. Such captures are counted
 *     (unwind_fallback_count) so tests can see they did not happen.
 *
 * Never faulting: every stack read is at or above the capture's first stack
 * pointer and below the top of the mapping that stack lies in, learnt from
 * /proc/self/maps with plain read(2) (pthread_getattr_np can call malloc
 * with the thread's lock held) once per thread for its own stack and for
 * the last few others it ran on (coroutines, the alternate signal stack; a
 * signal frame may lead from one to another). Within a stack the CFA must
 * strictly grow at every step, and max bounds the frames, so a bad rule
 * ends the walk instead of looping or reading outside the stack.
 *
 * Memoised walks (unwind_backtrace_memo): a walk is a function of its
 * starting pc, sp and rbp and of the stack words it uses, so a thread that
 * keeps allocating from the same places can skip it: a memo entry keeps
 * the start, the addresses and values of the words used, and the caller's
 * value (a stack id); a capture from the same start whose words all still
 * hold the same values gets that value back after independent loads and
 * compares (no rule lookups, no chain of dependent loads, and the caller
 * skips hashing the frames). A saved rbp counts as used only once some
 * CFA is based on it: -O2 code keeps arbitrary values in rbp, which would
 * otherwise make every start look new.
 *
 * Stale rules: the cache is flushed when the loader's counters
 * (dlpi_adds, dlpi_subs) change, checked at every miss and every 1024
 * captures per thread (memo hits included); a flush voids every memo
 * entry. A module mapped where JIT code was in between gives wrong frames
 * for at most that long, never a crash.
 *
 * Other architectures: libunwind's unw_backtrace.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr; the tests build this file on its own */
#endif
#include "unwind.h"

#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

/*
 * Every walk of the loader's list holds this for reading: our captures'
 * (module lookups, the loader check, libunwind's fallback) and, through
 * the preload library's dl_iterate_phdr, the program's own. fork() holds
 * it for writing. glibc (2.36) does not reset dl_iterate_phdr's lock in a
 * child: a fork while another thread walked the list left the child
 * hanging at its first walk, which a tracked child makes at its first
 * allocation. Writers first, so that fork is not starved by the many
 * captures' walks; so a thread that walks again inside a walk (a callback
 * that allocates, libunwind inside our capture) must not lock again: a
 * waiting fork would block it. A per-thread depth sees to that.
 */
static pthread_rwlock_t loader_walks = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static __thread unsigned loader_walk_depth __attribute__((tls_model("initial-exec")));

void unwind_loader_walk_begin(void)
{
	if (loader_walk_depth++ == 0)
		pthread_rwlock_rdlock(&loader_walks);
}

void unwind_loader_walks_exclusive_begin(void)
{
	if (loader_walk_depth++ == 0)
		pthread_rwlock_wrlock(&loader_walks);
}

void unwind_loader_walk_end(void)
{
	if (--loader_walk_depth == 0)
		pthread_rwlock_unlock(&loader_walks);
}

/* Whether the forking thread took loader_walks for writing: not when it forks from inside a walk's callback. */
static bool fork_holds_walks;

void unwind_fork_prepare(void)
{
	fork_holds_walks = loader_walk_depth == 0;
	if (fork_holds_walks)
		pthread_rwlock_wrlock(&loader_walks);
}

void unwind_fork_done(bool in_child)
{
	static const pthread_rwlock_t unlocked = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
	if (in_child) {
		loader_walks = unlocked; /* glibc ties a write lock to the thread id, which the child's differs from */
		if (loader_walk_depth) /* forked inside a walk: the walk's end unlocks the fresh lock */
			pthread_rwlock_rdlock(&loader_walks);
	} else if (fork_holds_walks) {
		pthread_rwlock_unlock(&loader_walks);
	}
}

static void walk_loader_list(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data)
{
	unwind_loader_walk_begin();
	dl_iterate_phdr(callback, data);
	unwind_loader_walk_end();
}

static _Atomic uint64_t fallbacks;
static uintptr_t skip_lo, skip_hi;

void unwind_skip_leading(uintptr_t lo, uintptr_t hi)
{
	skip_lo = lo;
	skip_hi = hi > lo ? hi : lo;
}

static inline bool skipped(uintptr_t pc)
{
	return pc - skip_lo < skip_hi - skip_lo;
}

uint64_t unwind_fallback_count(void)
{
	return atomic_load_explicit(&fallbacks, memory_order_relaxed);
}

/*
 * The whole capture by libunwind: its own frames (and ours) are dropped up
 * to first_pc, our caller's pc, then the leading skipped ones.
 */
static int libunwind_capture(uintptr_t *pcs, int max, uintptr_t first_pc)
{
	atomic_fetch_add_explicit(&fallbacks, 1, memory_order_relaxed);
	void *ips[128];
	int extra = 8, want = max + extra > 128 ? 128 : max + extra;
	unwind_loader_walk_begin();
	int n = unw_backtrace(ips, want);
	unwind_loader_walk_end();
	int from = 0;
	while (from < n && from < extra && (uintptr_t)ips[from] != first_pc)
		from++;
	if (from == n || from == extra)
		from = 0;
	while (from < n && skipped((uintptr_t)ips[from]))
		from++;
	int count = 0;
	for (int i = from; i < n && count < max; i++)
		pcs[count++] = (uintptr_t)ips[i];
	return count;
}

#if defined(__x86_64__)

#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

/* ---- rules and the rule cache ---- */

/*
 * A rule, in 30 bits: kind (2), CFA base is rbp (1), rbp slot n (8: the
 * caller's rbp is at CFA - 8n; 0: rbp is unchanged), CFA offset (19).
 * Rule 0 is RULE_STOP, which is also what an empty cache entry reads as
 * for the addresses below 8 KiB whose tag is 0: none is code.
 */
enum rule_kind { RULE_STOP, RULE_CFA, RULE_SIGNAL, RULE_LIBUNWIND };

#define RULE_BITS 30
#define RULE_MASK ((1u << RULE_BITS) - 1)
#define RULE_BASE_RBP (1u << 2)
#define RULE_SLOT_SHIFT 3
#define RULE_SLOT_MAX 255
#define RULE_OFF_SHIFT 11
#define RULE_OFF_MAX ((1u << (RULE_BITS - RULE_OFF_SHIFT)) - 1)

#define SET_BITS 13
#define SETS (1u << SET_BITS)
#define WAYS 4
#define TAG_BITS (64 - RULE_BITS) /* tags of addresses below 2^47 fit */

static const uint32_t frame_pointer_rule =
	RULE_CFA | RULE_BASE_RBP | (2u << RULE_SLOT_SHIFT) | (16u << RULE_OFF_SHIFT);

static _Atomic uint64_t rule_cache[SETS * WAYS];

static inline enum rule_kind rule_kind(uint32_t rule)
{
	return (enum rule_kind)(rule & 3);
}

static inline uint32_t rule_cfa(bool base_rbp, uint32_t offset, uint32_t rbp_slot)
{
	return RULE_CFA | (base_rbp ? RULE_BASE_RBP : 0) | (rbp_slot << RULE_SLOT_SHIFT) | (offset << RULE_OFF_SHIFT);
}

/*
 * The set of an address is its low bits and its tag the bits above them,
 * so a tag match in the set is a match of the whole address. No hashing:
 * it would lengthen the chain of dependent loads a walk is made of, and
 * return addresses vary in their low bits anyway (four ways absorb modules
 * whose hot code shares offsets).
 */
static inline _Atomic uint64_t *cache_set(uintptr_t key)
{
	return &rule_cache[(key & (SETS - 1)) * WAYS];
}

/* Bumped at every flush: memoised walks (unwind.h) made with older rules are void. */
static _Atomic uint32_t rules_generation;

static void cache_flush(void)
{
	atomic_fetch_add_explicit(&rules_generation, 1, memory_order_relaxed);
	for (size_t i = 0; i < SETS * WAYS; i++)
		atomic_store_explicit(&rule_cache[i], 0, memory_order_relaxed);
}

/* ---- bounded reads of CFI ---- */

struct reader {
	const uint8_t *p, *end;
	bool bad;
};

static bool take(struct reader *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(out, 0, n);
		return false;
	}
	memcpy(out, r->p, n);
	r->p += n;
	return true;
}

static uint8_t read_u8(struct reader *r)
{
	uint8_t v;
	take(r, &v, 1);
	return v;
}

static uint64_t read_uleb(struct reader *r)
{
	uint64_t v = 0;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t b = read_u8(r);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80) || r->bad)
			return v;
	}
}

static int64_t read_sleb(struct reader *r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	do {
		b = read_u8(r);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) && !r->bad);
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

static void skip(struct reader *r, uint64_t n)
{
	if (r->bad || (uint64_t)(r->end - r->p) < n)
		r->bad = true;
	else
		r->p += n;
}

/* DW_EH_PE_* pointer encodings: the value formats, then what they are relative to. */
enum {
	PE_OMIT = 0xff, PE_ABSPTR = 0x00, PE_ULEB = 0x01, PE_UDATA2 = 0x02, PE_UDATA4 = 0x03, PE_UDATA8 = 0x04,
	PE_SLEB = 0x09, PE_SDATA2 = 0x0a, PE_SDATA4 = 0x0b, PE_SDATA8 = 0x0c,
	PE_PCREL = 0x10, PE_DATAREL = 0x30, PE_INDIRECT = 0x80,
};

/* Reads a pointer encoded as `enc`; `datarel` is the base of DW_EH_PE_datarel. */
static uintptr_t read_encoded(struct reader *r, uint8_t enc, uintptr_t datarel)
{
	uintptr_t at = (uintptr_t)r->p;
	uint64_t v = 0;
	switch (enc & 0x0f) {
	case PE_ABSPTR: case PE_UDATA8: case PE_SDATA8: take(r, &v, 8); break;
	case PE_ULEB: v = read_uleb(r); break;
	case PE_SLEB: v = (uint64_t)read_sleb(r); break;
	case PE_UDATA2: { uint16_t x; take(r, &x, 2); v = x; break; }
	case PE_SDATA2: { int16_t x; take(r, &x, 2); v = (uint64_t)(int64_t)x; break; }
	case PE_UDATA4: { uint32_t x; take(r, &x, 4); v = x; break; }
	case PE_SDATA4: { int32_t x; take(r, &x, 4); v = (uint64_t)(int64_t)x; break; }
	default: r->bad = true; return 0;
	}
	switch (enc & 0x70) {
	case 0: return (uintptr_t)v;
	case PE_PCREL: return at + (uintptr_t)v;
	case PE_DATAREL: return datarel + (uintptr_t)v;
	default: r->bad = true; return 0;
	}
}

/* ---- a module's segments ---- */

/* The readable PT_LOAD segment holding addr, as a reader from addr to its end. */
static bool segment_reader(const struct dl_phdr_info *info, uintptr_t addr, struct reader *r)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_R) && addr >= lo && addr < lo + ph->p_filesz) {
			*r = (struct reader){ (const uint8_t *)addr, (const uint8_t *)(lo + ph->p_filesz), false };
			return true;
		}
	}
	return false;
}

static bool module_holds(const struct dl_phdr_info *info, uintptr_t addr)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && addr >= lo && addr < lo + ph->p_memsz)
			return true;
	}
	return false;
}

/* ---- CIE and FDE ---- */

struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint8_t fde_enc;
	bool has_aug_data;              /* 'z': FDEs have an augmentation length */
	bool signal;                    /* 'S': the sigreturn trampoline */
	struct reader insns;
};

/* Reads the length of a CIE or FDE and returns a reader over its body. */
static bool entry_body(const struct dl_phdr_info *info, uintptr_t at, struct reader *body)
{
	struct reader r;
	uint32_t len;
	if (!segment_reader(info, at, &r) || !take(&r, &len, 4) || len == 0 || len == 0xffffffffu ||
	    (size_t)(r.end - r.p) < len)
		return false; /* 64-bit lengths are not emitted for .eh_frame */
	*body = (struct reader){ r.p, r.p + len, false };
	return true;
}

static bool parse_cie(const struct dl_phdr_info *info, uintptr_t at, struct cie *c)
{
	struct reader r;
	uint32_t id;
	if (!entry_body(info, at, &r) || !take(&r, &id, 4) || id != 0)
		return false;
	uint8_t version = read_u8(&r);
	const char *aug = (const char *)r.p;
	size_t aug_len = strnlen(aug, (size_t)(r.end - r.p));
	skip(&r, aug_len + 1);
	if (version != 1 && version != 3 && version != 4)
		return false;
	if (version == 4)
		skip(&r, 2); /* address and segment selector sizes */
	*c = (struct cie){ .fde_enc = PE_ABSPTR };
	c->code_align = read_uleb(&r);
	c->data_align = read_sleb(&r);
	uint64_t ra_reg = version == 1 ? read_u8(&r) : read_uleb(&r);
	if (r.bad || ra_reg != 16)
		return false;
	if (aug_len > 0 && aug[0] == 'z') {
		c->has_aug_data = true;
		uint64_t n = read_uleb(&r);
		struct reader data = { r.p, r.p, false };
		skip(&r, n);
		data.end = r.p;
		for (size_t i = 1; i < aug_len && !data.bad; i++) {
			switch (aug[i]) {
			case 'R': c->fde_enc = read_u8(&data); break;
			case 'L': read_u8(&data); break;
			case 'P': read_encoded(&data, read_u8(&data) & (uint8_t)~PE_INDIRECT, 0); break;
			case 'S': c->signal = true; break;
			default: i = aug_len; break; /* unknown: its data is skipped with the rest */
			}
		}
		if (data.bad)
			return false;
	} else if (aug_len > 0) {
		return false; /* pre-'z' augmentations ("eh") cannot be skipped safely */
	}
	c->insns = r;
	return !r.bad;
}

/* ---- CFI interpretation ---- */

enum { DW_RBP = 6, DW_RSP = 7, DW_RA = 16 };
enum how { HOW_SAME, HOW_UNDEFINED, HOW_OFFSET, HOW_OTHER };

struct reg_rule {
	enum how how;
	int64_t offset;                 /* HOW_OFFSET: saved at CFA + offset */
};

struct row {
	uint64_t cfa_reg;
	int64_t cfa_offset;
	bool cfa_other;                 /* an expression */
	struct reg_rule rbp, ra;
};

#define STATE_DEPTH 8

struct cfi_run {
	const struct cie *cie;
	uintptr_t loc, key;
	struct row row;
	const struct row *initial;      /* after the CIE's instructions; NULL while running them */
	struct row saved[STATE_DEPTH];
	unsigned depth;
	bool bad;
};

static void set_reg(struct cfi_run *s, uint64_t reg, enum how how, int64_t offset)
{
	struct reg_rule rule = { how, offset };
	if (reg == DW_RBP)
		s->row.rbp = rule;
	else if (reg == DW_RA)
		s->row.ra = rule;
}

static void restore_reg(struct cfi_run *s, uint64_t reg)
{
	static const struct reg_rule same = { HOW_SAME, 0 };
	if (reg == DW_RBP)
		s->row.rbp = s->initial ? s->initial->rbp : same;
	else if (reg == DW_RA)
		s->row.ra = s->initial ? s->initial->ra : same;
}

/* Moves the location on; false once it passes the key (the row is final). */
static bool advance(struct cfi_run *s, uint64_t delta)
{
	uint64_t step = delta * s->cie->code_align;
	if (s->loc + step > s->key)
		return false;
	s->loc += step;
	return true;
}

static void remember(struct cfi_run *s)
{
	if (s->depth == STATE_DEPTH)
		s->bad = true;
	else
		s->saved[s->depth++] = s->row;
}

static void restore_state(struct cfi_run *s)
{
	if (s->depth == 0)
		s->bad = true;
	else
		s->row = s->saved[--s->depth];
}

/* DW_CFA_* opcodes with no operand in their low six bits. */
enum {
	CFA_NOP = 0x00, CFA_SET_LOC = 0x01, CFA_ADVANCE_LOC1 = 0x02, CFA_ADVANCE_LOC2 = 0x03,
	CFA_ADVANCE_LOC4 = 0x04, CFA_OFFSET_EXTENDED = 0x05, CFA_RESTORE_EXTENDED = 0x06,
	CFA_UNDEFINED = 0x07, CFA_SAME_VALUE = 0x08, CFA_REGISTER = 0x09, CFA_REMEMBER_STATE = 0x0a,
	CFA_RESTORE_STATE = 0x0b, CFA_DEF_CFA = 0x0c, CFA_DEF_CFA_REGISTER = 0x0d, CFA_DEF_CFA_OFFSET = 0x0e,
	CFA_DEF_CFA_EXPRESSION = 0x0f, CFA_EXPRESSION = 0x10, CFA_OFFSET_EXTENDED_SF = 0x11,
	CFA_DEF_CFA_SF = 0x12, CFA_DEF_CFA_OFFSET_SF = 0x13, CFA_VAL_OFFSET = 0x14, CFA_VAL_OFFSET_SF = 0x15,
	CFA_VAL_EXPRESSION = 0x16, CFA_GNU_ARGS_SIZE = 0x2e, CFA_GNU_NEGATIVE_OFFSET_EXTENDED = 0x2f,
};

/* Runs one extended opcode; false when the row is final. */
static bool run_extended(struct cfi_run *s, struct reader *r, uint8_t op)
{
	int64_t da = s->cie->data_align;
	uint64_t reg;
	switch (op) {
	case CFA_NOP: break;
	case CFA_SET_LOC: {
		uintptr_t loc = read_encoded(r, s->cie->fde_enc, 0);
		if (loc > s->key)
			return false;
		s->loc = loc;
		break;
	}
	case CFA_ADVANCE_LOC1: return advance(s, read_u8(r));
	case CFA_ADVANCE_LOC2: { uint16_t d; take(r, &d, 2); return advance(s, d); }
	case CFA_ADVANCE_LOC4: { uint32_t d; take(r, &d, 4); return advance(s, d); }
	case CFA_OFFSET_EXTENDED: reg = read_uleb(r); set_reg(s, reg, HOW_OFFSET, (int64_t)read_uleb(r) * da); break;
	case CFA_OFFSET_EXTENDED_SF: reg = read_uleb(r); set_reg(s, reg, HOW_OFFSET, read_sleb(r) * da); break;
	case CFA_GNU_NEGATIVE_OFFSET_EXTENDED:
		reg = read_uleb(r);
		set_reg(s, reg, HOW_OFFSET, -(int64_t)read_uleb(r) * da);
		break;
	case CFA_RESTORE_EXTENDED: restore_reg(s, read_uleb(r)); break;
	case CFA_UNDEFINED: set_reg(s, read_uleb(r), HOW_UNDEFINED, 0); break;
	case CFA_SAME_VALUE: set_reg(s, read_uleb(r), HOW_SAME, 0); break;
	case CFA_REGISTER: reg = read_uleb(r); read_uleb(r); set_reg(s, reg, HOW_OTHER, 0); break;
	case CFA_VAL_OFFSET: reg = read_uleb(r); read_uleb(r); set_reg(s, reg, HOW_OTHER, 0); break;
	case CFA_VAL_OFFSET_SF: reg = read_uleb(r); read_sleb(r); set_reg(s, reg, HOW_OTHER, 0); break;
	case CFA_EXPRESSION:
	case CFA_VAL_EXPRESSION: reg = read_uleb(r); skip(r, read_uleb(r)); set_reg(s, reg, HOW_OTHER, 0); break;
	case CFA_REMEMBER_STATE: remember(s); break;
	case CFA_RESTORE_STATE: restore_state(s); break;
	case CFA_DEF_CFA:
		s->row.cfa_reg = read_uleb(r);
		s->row.cfa_offset = (int64_t)read_uleb(r);
		s->row.cfa_other = false;
		break;
	case CFA_DEF_CFA_SF:
		s->row.cfa_reg = read_uleb(r);
		s->row.cfa_offset = read_sleb(r) * da;
		s->row.cfa_other = false;
		break;
	case CFA_DEF_CFA_REGISTER: s->row.cfa_reg = read_uleb(r); break;
	case CFA_DEF_CFA_OFFSET: s->row.cfa_offset = (int64_t)read_uleb(r); break;
	case CFA_DEF_CFA_OFFSET_SF: s->row.cfa_offset = read_sleb(r) * da; break;
	case CFA_DEF_CFA_EXPRESSION: skip(r, read_uleb(r)); s->row.cfa_other = true; break;
	case CFA_GNU_ARGS_SIZE: read_uleb(r); break;
	default: s->bad = true; break;
	}
	return true;
}

/* Runs the instructions in r until the row for s->key is final. */
static void run_cfi(struct cfi_run *s, struct reader r)
{
	while (r.p < r.end && !r.bad && !s->bad) {
		uint8_t op = read_u8(&r);
		uint8_t arg = op & 0x3f;
		switch (op & 0xc0) {
		case 0x40:
			if (!advance(s, arg))
				return;
			break;
		case 0x80: set_reg(s, arg, HOW_OFFSET, (int64_t)read_uleb(&r) * s->cie->data_align); break;
		case 0xc0: restore_reg(s, arg); break;
		default:
			if (!run_extended(s, &r, op))
				return;
			break;
		}
	}
	if (r.bad)
		s->bad = true;
}

/* The compact rule for a final row. */
static uint32_t rule_of_row(const struct row *row)
{
	if (row->ra.how == HOW_UNDEFINED)
		return RULE_STOP; /* the outermost frame (_start, a thread's clone) */
	if (row->cfa_other || (row->cfa_reg != DW_RSP && row->cfa_reg != DW_RBP) || row->cfa_offset <= 0 ||
	    row->cfa_offset > RULE_OFF_MAX || row->ra.how != HOW_OFFSET || row->ra.offset != -8)
		return RULE_LIBUNWIND;
	uint32_t slot = 0;
	if (row->rbp.how == HOW_OFFSET) {
		int64_t off = row->rbp.offset;
		if (off >= 0 || off % 8 != 0 || -off / 8 > RULE_SLOT_MAX)
			return RULE_LIBUNWIND;
		slot = (uint32_t)(-off / 8);
	} else if (row->rbp.how == HOW_OTHER) {
		return RULE_LIBUNWIND;
	}
	return rule_cfa(row->cfa_reg == DW_RBP, (uint32_t)row->cfa_offset, slot);
}

/* `mov $15, %rax; syscall`: rt_sigreturn, the code a signal handler returns to. */
static bool is_sigreturn(const struct dl_phdr_info *info, uintptr_t pc)
{
	static const uint8_t code[] = { 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	struct reader r;
	uint8_t seen[sizeof(code)];
	return segment_reader(info, pc, &r) && take(&r, seen, sizeof(seen)) && memcmp(seen, code, sizeof(code)) == 0;
}

/* The rule for key from an FDE at fde_at, or RULE_LIBUNWIND if it says nothing sure. */
static uint32_t rule_from_fde(const struct dl_phdr_info *info, uintptr_t fde_at, uintptr_t key)
{
	struct reader r;
	uint32_t cie_ptr;
	struct cie cie;
	if (!entry_body(info, fde_at, &r))
		return RULE_LIBUNWIND;
	uintptr_t cie_ptr_at = (uintptr_t)r.p;
	if (!take(&r, &cie_ptr, 4) || cie_ptr == 0 || cie_ptr > cie_ptr_at ||
	    !parse_cie(info, cie_ptr_at - cie_ptr, &cie))
		return RULE_LIBUNWIND;
	uintptr_t start = read_encoded(&r, cie.fde_enc, 0);
	uintptr_t range = read_encoded(&r, cie.fde_enc & 0x0f, 0);
	if (cie.has_aug_data)
		skip(&r, read_uleb(&r));
	if (r.bad || key < start || key - start >= range)
		return r.bad ? RULE_LIBUNWIND : frame_pointer_rule; /* in no function's FDE */
	if (cie.signal)
		return is_sigreturn(info, key + 1) ? RULE_SIGNAL : RULE_LIBUNWIND;
	struct cfi_run s = { .cie = &cie, .loc = start, .key = key };
	s.row.rbp.how = HOW_SAME;
	s.row.ra.how = HOW_SAME;
	run_cfi(&s, cie.insns);
	struct row initial = s.row;
	s.initial = &initial;
	s.loc = start;
	s.depth = 0;
	run_cfi(&s, r);
	return s.bad ? RULE_LIBUNWIND : rule_of_row(&s.row);
}

/*
 * The FDE covering key, from .eh_frame_hdr's table of (initial location,
 * FDE) pairs, sorted, both datarel sdata4 (what GNU ld, gold, lld and mold
 * write). 0 if no entry starts at or before key.
 */
static uintptr_t find_fde(const struct dl_phdr_info *info, uintptr_t hdr, uintptr_t key, bool *odd)
{
	struct reader r;
	if (!segment_reader(info, hdr, &r))
		return *odd = true, 0;
	uint8_t version = read_u8(&r), ptr_enc = read_u8(&r), count_enc = read_u8(&r), table_enc = read_u8(&r);
	read_encoded(&r, ptr_enc, hdr);
	uint64_t count = read_encoded(&r, count_enc, hdr);
	if (r.bad || version != 1 || table_enc != (PE_DATAREL | PE_SDATA4) || count > (uint64_t)(r.end - r.p) / 8)
		return *odd = true, 0;
	const uint8_t *table = r.p;
	int32_t entry[2];
	uint64_t lo = 0, hi = count; /* the answer is the last entry with start <= key */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		memcpy(entry, table + mid * 8, 8);
		if (hdr + (intptr_t)entry[0] <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	memcpy(entry, table + (lo - 1) * 8, 8);
	return hdr + (intptr_t)entry[1];
}

struct lookup {
	uintptr_t key;
	uint32_t rule;
	bool found;                     /* a module holds key */
	unsigned long long loader_events;
};

static uint32_t rule_in_module(const struct dl_phdr_info *info, uintptr_t key)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_GNU_EH_FRAME)
			continue;
		bool odd = false;
		uintptr_t fde = find_fde(info, info->dlpi_addr + ph->p_vaddr, key, &odd);
		if (odd)
			return RULE_LIBUNWIND;
		return fde ? rule_from_fde(info, fde, key) : frame_pointer_rule;
	}
	return RULE_LIBUNWIND; /* no .eh_frame_hdr: libunwind may still find .debug_frame */
}

static int lookup_module(struct dl_phdr_info *info, size_t size, void *data)
{
	struct lookup *l = data;
	if (size < offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs))
		return 1;
	l->loader_events = info->dlpi_adds + info->dlpi_subs;
	if (!module_holds(info, l->key))
		return 0;
	l->found = true;
	l->rule = rule_in_module(info, l->key);
	return 1;
}

static _Atomic unsigned long long loader_events_seen;

/* Flushes the cache if modules came or went since the last look. */
static void note_loader_events(unsigned long long events)
{
	unsigned long long seen = atomic_exchange_explicit(&loader_events_seen, events, memory_order_relaxed);
	if (seen != events && seen != 0)
		cache_flush();
}

static int count_loader_events(struct dl_phdr_info *info, size_t size, void *data)
{
	if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs))
		*(unsigned long long *)data = info->dlpi_adds + info->dlpi_subs;
	return 1;
}

static void check_loader(void)
{
	unsigned long long events = 0;
	walk_loader_list(count_loader_events, &events);
	if (events)
		note_loader_events(events);
}

static uint32_t rule_compute(uintptr_t key)
{
	struct lookup l = { .key = key };
	walk_loader_list(lookup_module, &l);
	if (l.loader_events)
		note_loader_events(l.loader_events);
	return l.found ? l.rule : frame_pointer_rule; /* JIT code: V8 keeps frame pointers */
}

static __thread unsigned victim __attribute__((tls_model("initial-exec")));

static inline uint32_t rule_for(uintptr_t key)
{
	uint64_t tag = key >> SET_BITS;
	if (__builtin_expect(tag >> TAG_BITS, 0))
		return rule_compute(key); /* beyond 47-bit addresses: not cached */
	_Atomic uint64_t *set = cache_set(key);
	for (int w = 0; w < WAYS; w++) {
		uint64_t e = atomic_load_explicit(&set[w], memory_order_relaxed);
		if (e >> RULE_BITS == tag)
			return (uint32_t)(e & RULE_MASK);
	}
	uint32_t rule = rule_compute(key);
	atomic_store_explicit(&set[victim++ % WAYS], tag << RULE_BITS | rule, memory_order_relaxed);
	return rule;
}

/* ---- the thread's stack ---- */

struct stack_range {
	uintptr_t lo, hi;               /* a readable mapping a stack pointer was in */
};

#define OTHER_STACKS 4
#define MAPS_READS_MAX 64

/*
 * The stacks a thread ran on: its own, and the last few others (a
 * coroutine's, the alternate signal stack), each learnt from
 * /proc/self/maps once. A thread that keeps meeting new stacks stops
 * reading the file after MAPS_READS_MAX times: libunwind walks those.
 */
struct thread_stack {
	struct stack_range own, other[OTHER_STACKS];
	unsigned next_other, maps_reads;
	unsigned captures;
};

static __thread struct thread_stack this_stack __attribute__((tls_model("initial-exec")));

static bool parse_hex(const char **s, const char *end, uintptr_t *out)
{
	uintptr_t v = 0;
	const char *p = *s;
	for (; p < end; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
		if (d < 0)
			break;
		v = v << 4 | (uintptr_t)d;
	}
	if (p == *s)
		return false;
	*s = p;
	*out = v;
	return true;
}

/* One line of /proc/self/maps: true if it is a readable mapping holding sp. */
static bool maps_line_holds(const char *line, const char *end, uintptr_t sp, uintptr_t *lo, uintptr_t *hi)
{
	const char *p = line;
	if (!parse_hex(&p, end, lo) || p >= end || *p++ != '-' || !parse_hex(&p, end, hi))
		return false;
	return p + 1 < end && p[1] == 'r' && *lo <= sp && sp < *hi;
}

/* The readable mapping holding sp, from /proc/self/maps (no malloc, no locks). */
static bool stack_mapping(uintptr_t sp, uintptr_t *lo, uintptr_t *hi)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[4096];
	size_t have = 0;
	bool found = false;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		char *line = buf, *nl;
		while (!found && (nl = memchr(line, '\n', have - (size_t)(line - buf))) != NULL) {
			found = maps_line_holds(line, nl, sp, lo, hi);
			line = nl + 1;
		}
		if (found || line == buf)
			break; /* found, or a line longer than the buffer */
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
	}
	close(fd);
	return found;
}

static inline bool range_holds(const struct stack_range *r, uintptr_t sp)
{
	return sp - r->lo < r->hi - r->lo;
}

/* The known stack holding sp, or NULL. */
static const struct stack_range *stack_known(const struct thread_stack *st, uintptr_t sp)
{
	if (range_holds(&st->own, sp))
		return &st->own;
	for (int i = 0; i < OTHER_STACKS; i++)
		if (range_holds(&st->other[i], sp))
			return &st->other[i];
	return NULL;
}

/*
 * Learns the mapping holding sp. The thread's own stack comes first; the
 * main thread's grows down (same top, lower start); a mapping with another
 * top is another stack.
 */
static const struct stack_range *stack_learn(struct thread_stack *st, uintptr_t sp)
{
	struct stack_range r;
	if (st->maps_reads >= MAPS_READS_MAX)
		return NULL;
	st->maps_reads++;
	if (!stack_mapping(sp, &r.lo, &r.hi))
		return NULL;
	if (!st->own.hi || r.hi == st->own.hi) {
		st->own = r;
		return &st->own;
	}
	struct stack_range *slot = &st->other[st->next_other++ % OTHER_STACKS];
	*slot = r;
	return slot;
}

/* ---- the walk ---- */

static inline uintptr_t load_word(uintptr_t at)
{
	uintptr_t v;
	memcpy(&v, (const void *)at, sizeof(v));
	return v;
}

/* Offsets in the ucontext_t the kernel puts at a signal handler's return stack pointer. */
enum { UC_MCONTEXT = 40, UC_RBP = UC_MCONTEXT + 10 * 8, UC_RSP = UC_MCONTEXT + 15 * 8, UC_RIP = UC_MCONTEXT + 16 * 8 };

/* ---- memoised walks (unwind.h) ---- */

/* The first way of the set of walks starting at pc and sp. */
static inline struct unwind_memo_entry *memo_set(struct unwind_memo *memo, uintptr_t pc, uintptr_t sp)
{
	uint64_t h = (pc * 0x9e3779b97f4a7c15ull) ^ (sp * 0xc2b2ae3d27d4eb4full);
	return &memo->slot[(h >> 32 & (UNWIND_MEMO_SETS - 1)) * UNWIND_MEMO_WAYS];
}

_Static_assert((UNWIND_MEMO_SETS & (UNWIND_MEMO_SETS - 1)) == 0 && UNWIND_MEMO_SETS <= 1u << 31,
	       "memo_set() masks bits 32 and up of the hash");

/*
 * A way of the set to fill: an empty one, else one at random. Not in
 * turn: callers that share a start and come round in a cycle longer than
 * the ways (a loop over more sites than that at one stack depth) would
 * each evict the next one's walk and never hit.
 */
static inline struct unwind_memo_entry *memo_victim(struct unwind_memo *memo, struct unwind_memo_entry *set)
{
	for (unsigned w = 0; w < UNWIND_MEMO_WAYS; w++)
		if (!set[w].value)
			return &set[w];
	memo->victim = memo->victim * 1664525u + 1013904223u;
	return &set[(memo->victim >> 16) % UNWIND_MEMO_WAYS];
}

/* Whether e is a walk from this start whose words are all unchanged. */
static inline bool memo_holds(const struct unwind_memo_entry *e, uintptr_t pc, uintptr_t sp, uintptr_t rbp,
			      uintptr_t hi, uint32_t generation)
{
	if (!e->value || e->pc != pc || e->sp != sp || e->hi != hi || e->generation != generation ||
	    (e->rbp_used && e->rbp != rbp))
		return false;
	/* Every word lies in [sp, hi) of the thread's current stack, as when the walk read it.
	 * Callers that share a start differ in the first few words: a mismatch ends the check. */
	for (uint32_t i = 0; i < e->words; i++)
		if (load_word(e->at[i]) != e->seen[i])
			return false;
	return true;
}

/*
 * What the walk being memoised has used. A saved rbp loaded from a slot
 * matters only once a CFA is based on it, so it waits in rbp_at until then.
 */
struct memo_fill {
	struct unwind_memo_entry *e;    /* NULL: not memoised */
	enum { RBP_STARTING, RBP_LOADED, RBP_NOTED } rbp_from; /* where the current rbp came from */
	uintptr_t rbp_at, rbp_seen;     /* RBP_LOADED: the slot it was loaded from, and its value */
};

static inline void memo_note(struct memo_fill *f, uintptr_t at, uintptr_t value)
{
	struct unwind_memo_entry *e = f->e;
	if (!e)
		return;
	if (e->words == UNWIND_MEMO_WORDS) {
		f->e = NULL;
		return;
	}
	e->at[e->words] = at;
	e->seen[e->words++] = value;
}

static inline void memo_note_rbp_base(struct memo_fill *f)
{
	if (!f->e)
		return;
	if (f->rbp_from == RBP_STARTING) {
		f->e->rbp_used = 1;
	} else if (f->rbp_from == RBP_LOADED) {
		memo_note(f, f->rbp_at, f->rbp_seen);
		f->rbp_from = RBP_NOTED;
	}
}

void unwind_memo_attach(struct unwind_memo *memo, uint32_t value)
{
	if (memo->filling)
		memo->filling->value = value;
	memo->filling = NULL;
}

/* ---- the walk ---- */

static int walk_frames(uintptr_t *pcs, int max, uintptr_t pc, uintptr_t sp, uintptr_t rbp, uintptr_t hi,
		       struct memo_fill *memo)
{
	struct thread_stack *st = &this_stack;
	uintptr_t lo = sp;
	const uintptr_t first_pc = pc;
	uintptr_t key = pc - 1; /* a return address: look up the call instruction */
	int n = 0;
	for (;;) {
		if (n > 0 || !skipped(pc)) {
			pcs[n++] = pc;
			if (n == max)
				return n;
		}
		uint32_t rule = rule_for(key);
		switch (rule_kind(rule)) {
		case RULE_CFA: {
			if (rule & RULE_BASE_RBP)
				memo_note_rbp_base(memo);
			uintptr_t cfa = ((rule & RULE_BASE_RBP) ? rbp : sp) + (rule >> RULE_OFF_SHIFT);
			uintptr_t slot = (rule >> RULE_SLOT_SHIFT) & RULE_SLOT_MAX;
			if (cfa <= sp || cfa > hi || cfa - 8 * (slot > 1 ? slot : 1) < lo)
				return n; /* not moving up the stack, or off it */
			if (slot) {
				rbp = load_word(cfa - 8 * slot);
				memo->rbp_from = RBP_LOADED;
				memo->rbp_at = cfa - 8 * slot;
				memo->rbp_seen = rbp;
			}
			pc = load_word(cfa - 8);
			memo_note(memo, cfa - 8, pc);
			sp = cfa;
			key = pc - 1;
			break;
		}
		case RULE_SIGNAL: {
			memo->e = NULL;
			if (hi - sp < UC_RIP + 8)
				return n;
			uintptr_t next_sp = load_word(sp + UC_RSP);
			if (next_sp <= sp || next_sp >= hi) {
				/* Interrupted on another known stack (the handler ran on the alternate one)? */
				const struct stack_range *other = stack_known(st, next_sp);
				if (!other || other->hi == hi)
					return n;
				lo = next_sp;
				hi = other->hi;
			}
			rbp = load_word(sp + UC_RBP);
			pc = load_word(sp + UC_RIP);
			sp = next_sp;
			key = pc; /* the interrupted instruction itself */
			break;
		}
		case RULE_STOP:
			return n;
		case RULE_LIBUNWIND:
		default:
			memo->e = NULL;
			return libunwind_capture(pcs, max, first_pc);
		}
	}
}

int unwind_walk(uintptr_t *pcs, int max, uintptr_t pc, uintptr_t sp, uintptr_t rbp, struct unwind_memo *memo)
	__attribute__((visibility("hidden"), used));

/* Called (jumped to) by unwind_backtrace(_memo) with the caller's pc, sp and rbp; memo may be NULL. */
int unwind_walk(uintptr_t *pcs, int max, uintptr_t pc, uintptr_t sp, uintptr_t rbp, struct unwind_memo *memo)
{
	struct thread_stack *st = &this_stack;
	struct memo_fill fill = { 0 };
	if (memo) {
		memo->found = 0;
		memo->filling = NULL;
	}
	if (max <= 0)
		return 0;
	const struct stack_range *range = &st->own;
	if (__builtin_expect(!range_holds(range, sp), 0) && !(range = stack_known(st, sp)) &&
	    !(range = stack_learn(st, sp)))
		return libunwind_capture(pcs, max, pc);
	if (__builtin_expect(++st->captures % 1024 == 0, 0))
		check_loader();
	uintptr_t hi = range->hi;
	if (memo) {
		uint32_t generation = atomic_load_explicit(&rules_generation, memory_order_relaxed);
		struct unwind_memo_entry *set = memo_set(memo, pc, sp);
		for (unsigned w = 0; w < UNWIND_MEMO_WAYS; w++) {
			if (memo_holds(&set[w], pc, sp, rbp, hi, generation)) {
				memo->found = set[w].value;
				return 0;
			}
		}
		struct unwind_memo_entry *e = memo_victim(memo, set);
		/* Field by field: the word arrays (a KiB) are written as the walk uses them. */
		e->pc = pc, e->sp = sp, e->rbp = rbp, e->hi = hi, e->generation = generation;
		e->value = e->words = e->rbp_used = 0;
		fill.e = e;
	}
	int n = walk_frames(pcs, max, pc, sp, rbp, hi, &fill);
	if (memo)
		memo->filling = fill.e;
	return n;
}

/*
 * unwind_backtrace(_memo): a tail jump into unwind_walk with the caller's
 * state: its pc (our return address), its stack pointer once we return,
 * and its rbp (callee-saved, so still the caller's). Keeping this in
 * assembly means no frame of ours is ever walked. unwind_backtrace is the
 * memo entry with no memo: it clears the third argument and falls through.
 */
__asm__(".text\n"
	".globl unwind_backtrace\n"
	".hidden unwind_backtrace\n"
	".type unwind_backtrace, @function\n"
	".globl unwind_backtrace_memo\n"
	".hidden unwind_backtrace_memo\n"
	".type unwind_backtrace_memo, @function\n"
	"unwind_backtrace:\n"
	".cfi_startproc\n"
	"\txorl %edx, %edx\n"
	"unwind_backtrace_memo:\n"
	"\tmovq %rdx, %r9\n"
	"\tmovq (%rsp), %rdx\n"
	"\tleaq 8(%rsp), %rcx\n"
	"\tmovq %rbp, %r8\n"
	"\tjmp unwind_walk\n"
	".cfi_endproc\n"
	".size unwind_backtrace, .-unwind_backtrace\n"
	".size unwind_backtrace_memo, .-unwind_backtrace_memo\n");

#else /* not x86-64: libunwind */

__attribute__((noinline)) int unwind_backtrace(uintptr_t *pcs, int max)
{
	return max > 0 ? libunwind_capture(pcs, max, (uintptr_t)__builtin_return_address(0)) : 0;
}

/* Nothing is memoised: every capture walks. */
__attribute__((noinline)) int unwind_backtrace_memo(uintptr_t *pcs, int max, struct unwind_memo *memo)
{
	memo->found = 0;
	memo->filling = NULL;
	return max > 0 ? libunwind_capture(pcs, max, (uintptr_t)__builtin_return_address(0)) : 0;
}

void unwind_memo_attach(struct unwind_memo *memo, uint32_t value)
{
	(void)memo;
	(void)value;
}

#endif
