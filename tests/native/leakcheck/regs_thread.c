/* regs_thread.c - pointers held only in registers of threads that are
 * still running when main exits: one blocked in pause(), one spinning in
 * user code (so it is stopped between two instructions).
 *
 * Each thread mallocs in inline assembly and keeps the address only in a
 * callee-saved register: 120 bytes in r12 for the blocked thread (pause()
 * and the kernel leave it there, or save it on the thread's live stack),
 * 136 bytes in r13 for the spinning one. Then it tells main it is ready.
 * Memcheck scans the registers of every thread: both blocks still
 * reachable, 256 B in 2 blocks. Each thread's DTV is possibly lost (see
 * dtv.h; 272 B under Memcheck, where only libc has TLS).
 *
 * EXPECT definitely=0/0 indirectly=0/0 possibly=544/2 reachable=256/2
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
 * the asm statement makes these non-leaf functions whose frames keep it so. */
static void *blocked_holder(void *arg)
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

static void *spinning_holder(void *arg)
{
	print_dtv_size();
	__asm__ volatile("mov $136, %%edi\n\t"
			 "call malloc@PLT\n\t"
			 "mov %%rax, %%r13\n\t"
			 "xor %%eax, %%eax\n\t"
			 "call signal_ready\n\t"
			 "1: pause\n\t"
			 "jmp 1b\n\t"
			 : : : "rax", "rdi", "r13", "memory");
	return arg;
}

__attribute__((noinline)) static void build(void)
{
	pthread_t t;
	pthread_barrier_init(&ready, NULL, 2);
	pthread_create(&t, NULL, blocked_holder, NULL);
	pthread_barrier_wait(&ready);
	pthread_create(&t, NULL, spinning_holder, NULL);
	pthread_barrier_wait(&ready);
}

int main(void)
{
	build();
	scrub_stack();
	return 0;
}
