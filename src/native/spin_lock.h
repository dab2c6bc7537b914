/*
 * spin_lock.h - the test-and-set spinlock of the preload library's hot
 * path (the leak heap's lock).
 *
 * One atomic exchange to take, a plain store to release: a mutex costs two
 * locked instructions, and the critical sections are short.
 * A waiter that spins 64 times yields its core, so a holder that was
 * preempted gets to run.
 */
#ifndef LH_NATIVE_SPIN_LOCK_H
#define LH_NATIVE_SPIN_LOCK_H

#include <sched.h>
#include <stdatomic.h>

static inline void spin_lock(atomic_flag *l)
{
	unsigned spins = 0;
	while (atomic_flag_test_and_set_explicit(l, memory_order_acquire)) {
		if (++spins < 64)
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#elif defined(__aarch64__)
			__asm__ volatile("yield");
#endif
		else
			sched_yield();
	}
}

static inline void spin_unlock(atomic_flag *l)
{
	atomic_flag_clear_explicit(l, memory_order_release);
}

#endif
