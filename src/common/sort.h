/*
 * sort.h - radix sort for the large integer arrays analyses group by.
 *
 * qsort() on millions of elements spends most of its time in the
 * comparison callback; an LSD radix sort is linear and branch-free, at the
 * cost of a scratch array as large as the input.
 */
#ifndef LH_SORT_H
#define LH_SORT_H

#include "lh.h"

/* Sorts a[0..n) ascending by their low key_bits bits (the rest must be 0); tmp holds n elements. */
void lh_radix_sort_u64(uint64_t *a, uint64_t *tmp, size_t n, unsigned key_bits);

#endif
