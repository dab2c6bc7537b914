/*
 * generate_trace.c - writes a .lhtrace from a program (program.h).
 *
 * As the writer does: a header, modules, then per batch the new stacks and
 * a snapshot of some of the stacks defined so far, and a leak check at the
 * end; up to 2^14 stacks and stack entries in all (~4 MB). The program picks the
 * version (the current one, whose batches carry real CRC-32s, so that
 * later edits are damage the reader must find; or the oldest, plain
 * records), the counts, whether the last snapshot is final, and a rate of
 * ids, counts and sizes the writer never writes (off by one, 0, 2^31,
 * 2^32-1), which the checksums then vouch for.
 */
#include "program.h"

#include <zlib.h>

#include "../src/native/trace_format.h"

#define GEN_MAX_ENTRIES (1u << 14)

struct trace_shape {
	unsigned modules, stacks_per_batch, batches, leak_records;
	unsigned fault_rate; /* fields in 65536 given a value the writer never writes */
	bool final, batches_framed;
};

/* Ends the batch whose BATCH record is at `start` (version 4): its length and the CRC of what follows. */
static void end_batch(struct text *t, size_t start)
{
	size_t body = start + sizeof(struct lh_record_header) + sizeof(struct lh_rec_batch);
	struct lh_rec_batch b = { t->len - body, (uint32_t)crc32(0, (const Bytef *)t->data + body, (uInt)(t->len - body)), 0 };
	memcpy(t->data + start + sizeof(struct lh_record_header), &b, sizeof(b));
}

static size_t begin_batch(struct text *t, const struct trace_shape *sh)
{
	size_t start = t->len;
	if (sh->batches_framed) {
		struct lh_record_header h = { LH_REC_BATCH, sizeof(struct lh_rec_batch) };
		struct lh_rec_batch b = { 0 };
		text_put(t, &h, sizeof(h));
		text_put(t, &b, sizeof(b));
	}
	return start;
}

static void put_record(struct text *t, uint32_t type, const void *payload, size_t n, const void *tail, size_t tail_n)
{
	size_t padded = (n + tail_n + 7) & ~(size_t)7;
	struct lh_record_header h = { type, (uint32_t)padded };
	text_put(t, &h, sizeof(h));
	text_put(t, payload, n);
	text_put(t, tail, tail_n);
	static const char zeros[8];
	text_put(t, zeros, padded - n - tail_n);
}

static uint32_t maybe_bad(struct prng *r, const struct trace_shape *sh, uint32_t good)
{
	if (LH_LIKELY(!sh->fault_rate || prng_next(r) % 65536 >= sh->fault_rate))
		return good;
	static const uint32_t bad[] = { 0, UINT32_MAX, 1u << 31, 1025 };
	return prng_next(r) & 1 ? good + 1 : bad[prng_next(r) % LH_ARRAY_LEN(bad)];
}

static void put_modules(struct text *t, const struct trace_shape *sh)
{
	for (unsigned i = 0; i < sh->modules; i++) {
		char path[64];
		int n = snprintf(path, sizeof(path), "/nonexistent/lib%u.so", i);
		struct lh_rec_module m = { 0x400000ull + i * 0x100000ull, 0x400000ull + i * 0x100000ull,
					   0x500000ull + i * 0x100000ull, i == 0 ? LH_MODULE_MAIN : 0, (uint32_t)n };
		put_record(t, LH_REC_MODULE, &m, sizeof(m), path, (size_t)n);
	}
}

static void put_stack(struct text *t, struct prng *r, const struct trace_shape *sh, uint32_t id)
{
	uint64_t frames[LH_TRACE_MAX_FRAMES];
	struct lh_rec_stack s = { maybe_bad(r, sh, id), (uint32_t)(prng_next(r) % (LH_TRACE_MAX_FRAMES + 1)) };
	for (uint32_t f = 0; f < s.frame_count; f++)
		frames[f] = 0x400000ull + prng_next(r) % ((uint64_t)(sh->modules + 1) * 0x100000ull);
	uint32_t declared = s.frame_count;
	s.frame_count = maybe_bad(r, sh, s.frame_count);
	put_record(t, LH_REC_STACK, &s, sizeof(s), frames, declared * sizeof(uint64_t));
}

/* A snapshot naming `entries` of the stacks defined so far; live counters grow with the batch number. */
static void put_snapshot(struct text *t, struct prng *r, const struct trace_shape *sh, uint32_t stacks, unsigned batch,
			 unsigned entries, bool final)
{
	struct lh_rec_stack_entry *e = lh_calloc(entries + 1, sizeof(*e));
	uint64_t live = 0;
	for (unsigned i = 0; i < entries; i++) {
		e[i].stack = maybe_bad(r, sh, stacks ? 1 + (uint32_t)(prng_next(r) % stacks) : 0);
		e[i].allocs = (uint64_t)batch * 10 + prng_next(r) % 10;
		e[i].frees = e[i].allocs - prng_next(r) % (e[i].allocs + 1);
		e[i].live_bytes = (int64_t)((e[i].allocs - e[i].frees) * 64);
		e[i].temporaries = e[i].frees / 2;
		e[i].alloc_bytes = e[i].allocs * 64;
		live += (uint64_t)e[i].live_bytes;
	}
	struct lh_rec_snapshot s = { (uint64_t)batch * 1000000, live, live / 64, live * 2, 0, 0,
				     final ? LH_SNAPSHOT_FINAL : 0, maybe_bad(r, sh, entries) };
	put_record(t, LH_REC_SNAPSHOT, &s, sizeof(s), e, entries * sizeof(*e));
	free(e);
}

static void put_leak_check(struct text *t, struct prng *r, const struct trace_shape *sh, uint32_t stacks)
{
	struct lh_rec_leak_check c = { .time_ns = 1, .flags = LH_LEAK_CHECK_FINAL };
	struct lh_rec_loss *loss = lh_calloc(sh->leak_records + 1, sizeof(*loss));
	for (unsigned i = 0; i < sh->leak_records; i++) {
		loss[i].stack = maybe_bad(r, sh, stacks ? (uint32_t)(prng_next(r) % (stacks + 1)) : 0);
		loss[i].kind = maybe_bad(r, sh, (uint32_t)(prng_next(r) % LH_LEAK_KINDS));
		loss[i].blocks = 1 + prng_next(r) % 100;
		loss[i].bytes = loss[i].blocks * 16;
		c.bytes[loss[i].kind % LH_LEAK_KINDS] += loss[i].bytes;
		c.blocks[loss[i].kind % LH_LEAK_KINDS] += loss[i].blocks;
	}
	c.record_count = maybe_bad(r, sh, sh->leak_records);
	put_record(t, LH_REC_LEAK_CHECK, &c, sizeof(c), loss, sh->leak_records * sizeof(*loss));
	free(loss);
}

void generate_trace(struct program *pr, struct text *t)
{
	struct trace_shape sh = { 0 };
	sh.modules = (unsigned)program_count(pr, 5);
	sh.stacks_per_batch = (unsigned)program_count(pr, 14);
	sh.batches = 1 + (unsigned)program_count(pr, 8);
	sh.leak_records = (unsigned)program_count(pr, 12);
	unsigned flags = program_byte(pr);
	sh.final = flags & 1;
	sh.batches_framed = !(flags & 2);
	sh.fault_rate = flags < 200 ? 0 : (flags - 199) * (flags - 199);
	struct prng r = { program_below(pr, UINT32_MAX) << 8 | 0xa5 };

	struct lh_trace_header h;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, LH_TRACE_MAGIC, sizeof(h.magic));
	h.version = sh.batches_framed ? LH_TRACE_VERSION : LH_TRACE_VERSION_OLDEST;
	h.header_size = sizeof(h);
	h.pid = 4242;
	h.interval_ns = 1000000;
	h.max_frames = LH_TRACE_MAX_FRAMES;
	if (sh.batches_framed)
		h.header_crc = (uint32_t)crc32(0, (const Bytef *)&h, sizeof(h));
	text_put(t, &h, sizeof(h));
	size_t batch = begin_batch(t, &sh);
	put_modules(t, &sh);
	uint32_t stacks = 0;
	unsigned budget = GEN_MAX_ENTRIES;
	for (unsigned b = 0; b < sh.batches; b++) {
		if (b)
			batch = begin_batch(t, &sh);
		for (unsigned s = 0; s < sh.stacks_per_batch && budget; s++, budget--)
			put_stack(t, &r, &sh, ++stacks);
		unsigned draw = stacks ? (unsigned)(prng_next(&r) % (stacks + 1)) : 0, entries = LH_MIN(draw, budget);
		budget -= entries;
		put_snapshot(t, &r, &sh, stacks, b, entries, sh.final && b + 1 == sh.batches);
		if (b + 1 == sh.batches && sh.leak_records)
			put_leak_check(t, &r, &sh, stacks);
		if (sh.batches_framed)
			end_batch(t, batch);
	}
}

