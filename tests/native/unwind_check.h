/* unwind_check.h - compares the preload library's unwinder (src/native/unwind.c)
 * with libunwind's unw_backtrace on the same stack, for tests/e2e/t4080. */
#ifndef UNWIND_CHECK_H
#define UNWIND_CHECK_H

#ifdef __cplusplus
extern "C" {
#endif

/* Captures the calling stack with both unwinders and counts a mismatch if they differ;
 * then the same with the memoised capture (a hit must give libunwind's frames too). */
void unwind_check(void);
/* The same from a signal handler (uc unused: both unwinders read the stack). */
void unwind_check_async(void);
/* Prints "what: captures N mismatches N fallbacks N async M/N (...) memo hits N mismatches N"
 * (M: async mismatches); returns 0 if all matched. */
int unwind_check_report(const char *what);

#ifdef __cplusplus
}
#endif

#endif
