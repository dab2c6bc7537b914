/* unwind_check.c - see unwind_check.h. Both unwinders run from the same
 * function, one after the other, so their first frame (the return address
 * into this function) differs by construction; every other frame must be
 * equal, and so must the count. The first mismatches are printed.
 * "fallbacks" counts the synchronous captures leakhound's unwinder handed
 * to libunwind (those match trivially); asynchronous ones may fall back
 * legitimately (a timer can interrupt a PLT stub, whose CFI is an
 * expression), and are only counted in the total. */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../src/native/unwind.h"
#include "unwind_check.h"

#define MAX_FRAMES 64

static _Atomic unsigned captures, mismatches, sync_fallbacks, async_captures, async_mismatches;

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

void unwind_check(void)
{
	uint64_t fallbacks = unwind_fallback_count();
	captures++;
	if (!capture_and_compare(0))
		mismatches++;
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
	printf("%s: captures %u mismatches %u fallbacks %u async %u/%u (%lu fallbacks in all)\n", what, captures,
	       mismatches, sync_fallbacks, async_mismatches, async_captures, (unsigned long)unwind_fallback_count());
	return mismatches == 0 && async_mismatches == 0 && captures > 0 ? 0 : 1;
}
