/* scrub.h - shared by the leak-check programs (tests/e2e/t5000).
 *
 * A leak check at exit scans every thread's stack from its stack pointer
 * up. Frames that have returned leave their words behind, below the live
 * frames; the frames of exit() then reuse that memory, partly without
 * writing it. Memcheck never reads a word that was not written since the
 * stack pointer last passed it (undefined), a tracker that scans the raw
 * stack would. So each program builds its heap in functions that return,
 * then calls scrub_stack() to zero the memory those frames used before it
 * exits: what a stale word would have kept alive is then lost for both.
 * The programs are built with -O0, so the zeroing is not optimised away.
 */
#ifndef LEAKCHECK_SCRUB_H
#define LEAKCHECK_SCRUB_H

__attribute__((noinline)) static void scrub_stack(void)
{
	volatile char below[32768];
	for (unsigned i = 0; i < sizeof below; i++)
		below[i] = 0;
}

#endif
