/*
 * program.h - fuzz inputs read as programs that write big inputs.
 *
 * A byte-level fuzzer grows its inputs a few bytes at a time, so the
 * readers' inputs stayed under 8 KB even with -max_len=1048576: the code
 * that only megabytes reach (buffer refills in the middle of a number,
 * column growth, the radix sorts, deep dominator trees) was never fuzzed.
 * Here an input that starts with 'G' is a program instead: its bytes
 * choose a file's shape (counts, layout, order, damage) and a generator
 * writes the file, up to megabytes from a few dozen bytes; the bytes left
 * over are edits (overwrite, insert, delete, cut) at positions scaled to
 * the file's length. A mutation of the program is a mutation of the shape,
 * so coverage guidance works on structure, and the edits reach every byte.
 *
 * A program that runs out of bytes reads zeros: every prefix of a program
 * is a program.
 */
#ifndef LH_FUZZ_PROGRAM_H
#define LH_FUZZ_PROGRAM_H

#include <stdarg.h>

#include "../src/common/lh.h"

struct program {
	const uint8_t *p;
	size_t n;
};

/* The next byte, 0 once the program has ended. */
static inline unsigned program_byte(struct program *pr)
{
	if (!pr->n)
		return 0;
	pr->n--;
	return *pr->p++;
}

/* A value in [0, bound), from as many bytes as bound needs. */
static inline uint64_t program_below(struct program *pr, uint64_t bound)
{
	uint64_t v = 0;
	for (uint64_t b = bound - 1; b; b >>= 8)
		v = v << 8 | program_byte(pr);
	return bound ? v % bound : 0;
}

/*
 * A count below 2^max_bits, skewed to small ones: one program in eight may
 * reach the top half of the bits (megabytes), the rest stay in the lower
 * half, so that most runs are fast and the big ones still come often.
 */
static inline uint64_t program_count(struct program *pr, unsigned max_bits)
{
	unsigned b = program_byte(pr);
	unsigned bits = b >= 224 ? b % (max_bits + 1) : b % (max_bits / 2 + 1);
	return program_below(pr, (uint64_t)1 << bits);
}

/* A deterministic stream for the bulk of a file (targets, sizes), seeded by the program. */
struct prng {
	uint64_t s;
};

static inline uint64_t prng_next(struct prng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

/* A growable byte buffer the generators write into. */
struct text {
	char *data;
	size_t len, cap;
};

void text_put(struct text *t, const void *data, size_t n);
void text_printf(struct text *t, const char *fmt, ...) LH_PRINTF(2, 3);
/* Appends v in decimal (the generators write millions of numbers: no printf). */
void text_uint(struct text *t, uint64_t v);
/* Applies the rest of the program as edits to t. */
void program_edit(struct program *pr, struct text *t);
/*
 * gzip's t in place: one member or several, each at a level the program
 * picks, and maybe zero padding after the last (what gzip(1) accepts).
 */
void program_gzip(struct program *pr, struct text *t);
/*
 * Writes data to a memfd and returns its /proc/self/fd path in path
 * (the readers open files by name); the fd to close, or -1.
 */
int program_file(const void *data, size_t size, char *path, size_t path_size);
/*
 * Called with each generated file: with LEAKHOUND_FUZZ_SIZES set, prints its
 * size on stderr (corpus statistics); with LEAKHOUND_FUZZ_DUMP=PATH, writes
 * it there (to read a crashing input with leakhound itself).
 */
void program_generated(const char *what, const void *data, size_t size);

/* The generators: a snapshot (generate_snapshot.c) or a trace (generate_trace.c) into t. */
void generate_snapshot(struct program *pr, struct text *t);
void generate_trace(struct program *pr, struct text *t);

#endif
