/*
 * stress.c - the tracker under load, for tests/e2e/t4580: 64 threads each
 * run ROUNDS rounds of malloc/realloc/free through a few stacks, losing
 * KEEP blocks of 48 bytes from stress_leak (LEAK-SITE); meanwhile the main
 * thread sends SIGUSR1 to the threads (interrupting the shims) and
 * forks children that allocate, free and exit. Prints
 * "threads done, N signals, M forks".
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 64
#define ROUNDS 60000
#define KEEP 20

static _Atomic int handled, running;

/* Async-signal-safe (glibc's malloc is not): the point is the interrupted shims and their stack captures. */
static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

__attribute__((noipa)) static void *stress_leak(void)
{
	char *p = malloc(48); /* LEAK-SITE */
	p[0] = 1; /* not a tail call */
	return p;
}

__attribute__((noipa)) static void churn(int i)
{
	char *p = malloc(16 + i % 200);
	p = realloc(p, 300 + i % 700);
	p[0] = (char)i;
	void *volatile keep = p; /* so the compiler keeps the pair (a local: the threads share nothing) */
	free(keep);
}

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		churn(i);
		if (i % (ROUNDS / KEEP) == 0 && i / (ROUNDS / KEEP) < KEEP)
			stress_leak(); /* lost at once: Memcheck's definitely lost */
	}
	atomic_fetch_sub(&running, 1);
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t t[THREADS];
	atomic_store(&running, THREADS);
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
			return 1;
	int signals = 0, forks = 0;
	while (atomic_load(&running) > 0) {
		for (int i = 0; i < THREADS; i += 7)
			if (pthread_kill(t[i], SIGUSR1) == 0)
				signals++;
		pid_t pid = fork();
		if (pid == 0) {
			for (int i = 0; i < 100; i++)
				churn(i);
			_exit(0);
		}
		int status;
		if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			forks++;
		usleep(2000);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("threads done, %d signals, %d forks\n", signals > 0, forks > 0);
	return 0;
}
