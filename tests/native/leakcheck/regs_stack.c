/* regs_stack.c - pointers held only in a register or only on the stack
 * when the program exits.
 *
 * exit() is called from nested frames, so the frames of main and of the
 * callers stay live while the leak check runs:
 * - main keeps 200 B in a local: still reachable (a live stack frame);
 * - exit_from_nested keeps 400 B in a local: still reachable;
 * - hold_in_register mallocs 100 B in inline assembly and keeps the pointer
 *   only in r12, a callee-saved register, then calls exit_from_nested: every
 *   function on the way to the exit system call either leaves r12 alone or
 *   saves it on its (live) stack, so the block is still reachable either way;
 * - forget_on_return keeps 300 B in a local of a frame that returns before
 *   the exit; scrub_stack() zeroes the dead frame, so it is definitely lost.
 * Memcheck: still reachable 200 + 400 + 100 = 700 B in 3 blocks, definitely
 * lost 300 B in 1 block.
 *
 * EXPECT definitely=300/1 indirectly=0/0 possibly=0/0 reachable=700/3
 */
#include <stdio.h>
#include <stdlib.h>
#include "scrub.h"

__attribute__((noinline)) static void forget_on_return(void)
{
	void *volatile local = malloc(300); /* LEAK-SITE */
	(void)local;
}

__attribute__((noinline, noreturn, used)) static void exit_from_nested(void)
{
	void *volatile on_stack = malloc(400);
	(void)on_stack;
	scrub_stack();
	exit(0);
}

/* The call instructions need rsp 16-byte aligned: this function calls
 * puts first, so its frame keeps rsp aligned at the asm statement. */
__attribute__((noinline)) static void hold_in_register(void)
{
	puts("regs_stack: exiting with a block held in r12");
	fflush(stdout);
	__asm__ volatile("mov $100, %%edi\n\t"
			 "call malloc@PLT\n\t"
			 "mov %%rax, %%r12\n\t"
			 "xor %%eax, %%eax\n\t"
			 "call exit_from_nested\n\t"
			 : : : "rax", "rdi", "r12", "memory");
}

int main(void)
{
	void *volatile kept_in_main = malloc(200);
	(void)kept_in_main;
	forget_on_return();
	hold_in_register();
	return 1; /* not reached */
}
