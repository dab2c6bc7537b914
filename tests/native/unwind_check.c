/* unwind_check.c - see unwind_check.h. Both unwinders run from the same
 * function, one after the other, so their first frame (the return address
 * into this function) differs by construction; every other frame must be
 * equal, and so must the count. The first mismatches are printed.
 * "fallbacks" counts the synchronous captures leakhound's unwinder handed
 * to libunwind (those match trivially); asynchronous ones may fall back
 * legitimately (a timer can interrupt a PLT stub, whose CFI is an
 * expression), and are only counted in the total.
 * Synchronous captures also go through the memoised capture: its frames, or
 * on a hit the frames recorded when that memo entry was made, must equal
 * libunwind's too ("memo hits/mismatches"). */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/native/unwind.h"
#include "unwind_check.h"

#define MAX_FRAMES 64

static _Atomic unsigned captures, mismatches, sync_fallbacks, async_captures, async_mismatches;
static _Atomic unsigned memo_hits, memo_mismatches;

/* Each memo entry's value indexes the frames its walk returned. */
#define MEMO_STACKS 4096
static struct {
	uintptr_t pcs[MAX_FRAMES];
	int n;
} memo_stacks[MEMO_STACKS];
static unsigned memo_stack_count;
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct unwind_memo *memo;

static void print_frames(const char *who, const uintptr_t *pcs, int n)
{
	fprintf(stderr, "  %-9s %2d:", who, n);
	for (int i = 0; i < n; i++)
		fprintf(stderr, " %lx", (unsigned long)pcs[i]);
	fprintf(stderr, "\n");
}

/* Returns true if the two captures agree past their first frame. */
static __attribute__((noinline)) int capture_and_compare(int async)
{
	uintptr_t mine[MAX_FRAMES], theirs[MAX_FRAMES];
	int a = unwind_backtrace(mine, MAX_FRAMES);
	int b = unw_backtrace((void **)theirs, MAX_FRAMES);
	int same = a == b && a > 1 && memcmp(mine + 1, theirs + 1, (size_t)(a - 1) * sizeof(mine[0])) == 0;
	if (!same && !async && mismatches < 3) { /* stderr is not async-signal-safe */
		fprintf(stderr, "mismatch:\n");
		print_frames("leakhound", mine, a);
		print_frames("libunwind", theirs, b);
	}
	return same;
}

/* The memoised capture of the same stack, against libunwind's. */
static __attribute__((noinline)) void memo_capture_and_compare(void)
{
	uintptr_t walked[MAX_FRAMES], theirs[MAX_FRAMES];
	if (!memo && !(memo = calloc(1, sizeof(*memo))))
		abort();
	int a = unwind_backtrace_memo(walked, MAX_FRAMES, memo);
	int b = unw_backtrace((void **)theirs, MAX_FRAMES);
	const uintptr_t *mine = walked;
	pthread_mutex_lock(&memo_lock);
	if (memo->found) {
		memo_hits++;
		mine = memo_stacks[memo->found - 1].pcs;
		a = memo_stacks[memo->found - 1].n;
	} else if (memo_stack_count < MEMO_STACKS) {
		memcpy(memo_stacks[memo_stack_count].pcs, walked, sizeof(walked));
		memo_stacks[memo_stack_count].n = a;
		unwind_memo_attach(memo, ++memo_stack_count);
	}
	pthread_mutex_unlock(&memo_lock);
	if (a == b && a > 1 && memcmp(mine + 1, theirs + 1, (size_t)(a - 1) * sizeof(mine[0])) == 0)
		return;
	if (memo_mismatches++ < 3) {
		fprintf(stderr, "memoised capture mismatch (%s):\n", memo->found ? "hit" : "walked");
		print_frames("memo", mine, a);
		print_frames("libunwind", theirs, b);
	}
}

void unwind_check(void)
{
	uint64_t fallbacks = unwind_fallback_count();
	captures++;
	if (!capture_and_compare(0))
		mismatches++;
	memo_capture_and_compare();
	sync_fallbacks += (unsigned)(unwind_fallback_count() - fallbacks);
}

void unwind_check_async(void)
{
	async_captures++;
	if (!capture_and_compare(1))
		async_mismatches++;
}

int unwind_check_report(const char *what)
{
	printf("%s: captures %u mismatches %u fallbacks %u async %u/%u (%lu fallbacks in all) memo hits %u mismatches %u\n",
	       what, captures, mismatches, sync_fallbacks, async_mismatches, async_captures,
	       (unsigned long)unwind_fallback_count(), memo_hits, memo_mismatches);
	return mismatches == 0 && async_mismatches == 0 && memo_mismatches == 0 && captures > 0 ? 0 : 1;
}
