/*
 * lh.h - the first include of every leakhound source file.
 *
 * Holds what every module needs and nothing module-specific: the standard
 * headers, the out-of-memory policy and small helpers for growing arrays.
 *
 * Out-of-memory policy: leakhound's inputs are multi-GB snapshots, so an
 * allocation can fail for a reason the user can act on (a smaller machine).
 * lh_malloc() and friends never return NULL: they print one line naming the
 * size and exit with LH_EXIT_INTERNAL. No caller checks for NULL.
 */
#ifndef LH_H
#define LH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit statuses, stable and documented in --help and the README. */
enum lh_exit {
	LH_EXIT_OK = 0,       /* done, nothing suspected */
	LH_EXIT_FINDING = 1,  /* done, and a leak is suspected (check-style commands) */
	LH_EXIT_BAD_INPUT = 2,/* an input file is unreadable, malformed or inconsistent */
	LH_EXIT_USAGE = 3,    /* bad command line */
	LH_EXIT_INTERNAL = 4, /* out of memory, or output could not be written */
};

#define LH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LH_MIN(a, b) ((a) < (b) ? (a) : (b))
#define LH_MAX(a, b) ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define LH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LH_NORETURN __attribute__((noreturn))
#define LH_ALWAYS_INLINE __attribute__((always_inline))
#define LH_LIKELY(x) __builtin_expect(!!(x), 1)
#define LH_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LH_PRINTF(f, a)
#define LH_NORETURN
#define LH_ALWAYS_INLINE
#define LH_LIKELY(x) (x)
#define LH_UNLIKELY(x) (x)
#endif

void *lh_malloc(size_t size);
void *lh_calloc(size_t count, size_t size);
void *lh_realloc(void *ptr, size_t size);
/* Resizes an array of count elements of size bytes, failing on overflow. */
void *lh_realloc_array(void *ptr, size_t count, size_t size);
char *lh_strdup(const char *s);
/*
 * lh_realloc_array() for the big columns of a snapshot: also asks the
 * kernel for transparent huge pages, which cuts the page faults of filling
 * a multi-GB model by 512x.
 */
void *lh_realloc_column(void *ptr, size_t count, size_t size);
/* A new zeroed column (calloc, with huge pages asked for before first touch). */
void *lh_calloc_column(size_t count, size_t size);

/*
 * Grows *items (with *cap slots of elem_size bytes) so that it holds at least
 * need slots, doubling to keep appends amortised O(1).
 */
void lh_grow(void **items, size_t *cap, size_t need, size_t elem_size);

LH_NORETURN void lh_out_of_memory(size_t size);

#endif
