/*
 * sort.c - LSD radix sort in passes of 16 bits (see sort.h).
 */
#include "sort.h"

#define RADIX_BITS 16
#define RADIX_BUCKETS (1u << RADIX_BITS)

/* Turns bucket counts into bucket start positions. */
static void prefix_sums(size_t *count)
{
	size_t sum = 0;
	for (size_t b = 0; b < RADIX_BUCKETS; b++) {
		size_t c = count[b];
		count[b] = sum;
		sum += c;
	}
}

static void pass_u64(const uint64_t *from, uint64_t *to, size_t n, unsigned shift, size_t *count)
{
	memset(count, 0, RADIX_BUCKETS * sizeof(*count));
	for (size_t i = 0; i < n; i++)
		count[from[i] >> shift & (RADIX_BUCKETS - 1)]++;
	prefix_sums(count);
	for (size_t i = 0; i < n; i++)
		to[count[from[i] >> shift & (RADIX_BUCKETS - 1)]++] = from[i];
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

void lh_radix_sort_u64(uint64_t *a, uint64_t *tmp, size_t n, unsigned key_bits)
{
	if (n < RADIX_BUCKETS) { /* the bucket table would cost more than the sort */
		qsort(a, n, sizeof(*a), compare_u64);
		return;
	}
	size_t *count = lh_malloc(RADIX_BUCKETS * sizeof(*count));
	uint64_t *from = a, *to = tmp;
	for (unsigned shift = 0; shift < key_bits; shift += RADIX_BITS) {
		pass_u64(from, to, n, shift, count);
		uint64_t *t = from;
		from = to;
		to = t;
	}
	if (from != a)
		memcpy(a, from, n * sizeof(*a));
	free(count);
}

void lh_top_offer(uint32_t *top, double *score, size_t k, uint32_t item, double item_score)
{
	for (size_t i = 0; i < k; i++) {
		if (top[i] == UINT32_MAX || item_score > score[i]) {
			memmove(&top[i + 1], &top[i], (k - i - 1) * sizeof(*top));
			memmove(&score[i + 1], &score[i], (k - i - 1) * sizeof(*score));
			top[i] = item;
			score[i] = item_score;
			return;
		}
	}
}
