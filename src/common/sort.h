/*
 * sort.h - radix sort for the large integer arrays analyses group by, and
 * the few largest of a list for reports.
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

/*
 * Keeps the k items of highest score seen so far in top[0..k), highest
 * first, with their scores in score[]; start with every top[] UINT32_MAX
 * (empty). Of equal scores the item offered first ranks first.
 */
void lh_top_offer(uint32_t *top, double *score, size_t k, uint32_t item, double item_score);

#endif
