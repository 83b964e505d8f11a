/* parallel.c - one loop over every core; see parallel.h. */
#include "parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <unistd.h>

/* The loop of a parallel_for_chunks call, shared by its threads. */
struct chunks {
	parallel_fn fn;
	void *arg;
	size_t n, chunk;
	atomic_size_t next; /* the first item no thread has taken */
};

/* take_chunk - runs the next chunk; returns false when none was left. */
static bool
take_chunk(struct chunks *c)
{
	size_t from = atomic_load(&c->next), to;

	do {
		if (from >= c->n)
			return false;
		to = c->n - from < c->chunk ? c->n : from + c->chunk;
	} while (!atomic_compare_exchange_weak(&c->next, &from, to));
	c->fn(c->arg, from, to);
	return true;
}

static void *
run_chunks(void *p)
{
	while (take_chunk(p))
		;
	return NULL;
}

void
parallel_for_chunks(size_t n, unsigned threads, size_t chunk, parallel_fn fn,
		    void *arg, parallel_progress_fn progress,
		    void *progress_arg)
{
	struct chunks c = {.fn = fn, .arg = arg, .n = n, .chunk = chunk};
	pthread_t tids[PARALLEL_MAX_THREADS];
	int started[PARALLEL_MAX_THREADS] = {0};
	size_t n_chunks;
	unsigned k;

	if (n == 0)
		return;
	if (c.chunk == 0)
		c.chunk = 1;
	atomic_init(&c.next, 0);
	n_chunks = n / c.chunk + (n % c.chunk != 0);
	if (threads == 0)
		threads = 1;
	if (threads > PARALLEL_MAX_THREADS)
		threads = PARALLEL_MAX_THREADS;
	if (n_chunks < threads)
		threads = (unsigned)n_chunks;
	for (k = 1; k < threads; k++)
		started[k] =
		    pthread_create(&tids[k], NULL, run_chunks, &c) == 0;
	while (take_chunk(&c))
		if (progress != NULL)
			progress(progress_arg);
	for (k = 1; k < threads; k++)
		if (started[k])
			pthread_join(tids[k], NULL);
}

/*
 * One chunk per thread: the ranges parallel_for promises are the chunks of
 * parallel_for_chunks, so that a thread that cannot be started leaves its
 * chunk to the others rather than being waited for.
 */
void
parallel_for(size_t n, unsigned threads, size_t min_per_thread, parallel_fn fn,
	     void *arg)
{
	if (n == 0)
		return;
	if (min_per_thread == 0)
		min_per_thread = 1;
	if (threads == 0 || threads > PARALLEL_MAX_THREADS)
		threads = PARALLEL_MAX_THREADS;
	if (n / min_per_thread < threads)
		threads =
		    n / min_per_thread > 0 ? (unsigned)(n / min_per_thread) : 1;
	parallel_for_chunks(n, threads, (n + threads - 1) / threads, fn, arg,
			    NULL, NULL);
}

unsigned
parallel_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > PARALLEL_MAX_THREADS ? PARALLEL_MAX_THREADS : (unsigned)n;
}
