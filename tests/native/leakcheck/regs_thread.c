/* regs_thread.c - a pointer held only in a register of a thread that is
 * still running (blocked in pause()) when main exits.
 *
 * The thread mallocs 120 bytes in inline assembly, keeps the address only in
 * r12 (callee-saved: pause() and the kernel leave it there, or save it on
 * the thread's live stack), tells main it is ready and blocks. Memcheck
 * scans the registers of every thread: still reachable, 120 B in 1 block.
 * The thread's DTV is possibly lost (see dtv.h; 272 B under Memcheck, where
 * only libc has TLS).
 *
 * EXPECT definitely=0/0 indirectly=0/0 possibly=272/1 reachable=120/1
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "dtv.h"
#include "scrub.h"

static pthread_barrier_t ready;

__attribute__((used)) static void signal_ready(void)
{
	pthread_barrier_wait(&ready);
}

/* The call instructions need rsp 16-byte aligned: print_dtv_size() before
 * the asm statement makes this a non-leaf function whose frame keeps it so. */
static void *holder(void *arg)
{
	print_dtv_size();
	__asm__ volatile("mov $120, %%edi\n\t"
			 "call malloc@PLT\n\t"
			 "mov %%rax, %%r12\n\t"
			 "xor %%eax, %%eax\n\t"
			 "call signal_ready\n\t"
			 "1: call pause@PLT\n\t"
			 "jmp 1b\n\t"
			 : : : "rax", "rdi", "r12", "memory");
	return arg;
}

__attribute__((noinline)) static void build(void)
{
	pthread_t t;
	pthread_barrier_init(&ready, NULL, 2);
	pthread_create(&t, NULL, holder, NULL);
	pthread_barrier_wait(&ready);
}

int main(void)
{
	build();
	scrub_stack();
	return 0;
}
