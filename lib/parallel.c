/* parallel.c - one loop over every core; see parallel.h. */
#include "parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <unistd.h>

struct range {
	parallel_fn fn;
	void *arg;
	size_t from, to;
};

static void *
run_range(void *p)
{
	struct range *r = p;

	r->fn(r->arg, r->from, r->to);
	return NULL;
}

void
parallel_for(size_t n, unsigned threads, size_t min_per_thread, parallel_fn fn,
	     void *arg)
{
	struct range ranges[PARALLEL_MAX_THREADS];
	pthread_t tids[PARALLEL_MAX_THREADS];
	int started[PARALLEL_MAX_THREADS] = {0};
	size_t per, i, k;

	if (n == 0)
		return;
	if (min_per_thread == 0)
		min_per_thread = 1;
	if (threads > PARALLEL_MAX_THREADS)
		threads = PARALLEL_MAX_THREADS;
	if (threads == 0 || n / min_per_thread < threads)
		threads = (unsigned)(n / min_per_thread);
	if (threads <= 1) {
		fn(arg, 0, n);
		return;
	}
	per = (n + threads - 1) / threads;
	for (k = 0, i = 0; k < threads && i < n; k++, i += per) {
		ranges[k].fn = fn;
		ranges[k].arg = arg;
		ranges[k].from = i;
		ranges[k].to = i + per < n ? i + per : n;
	}
	threads = (unsigned)k;
	for (k = 1; k < threads; k++)
		started[k] =
		    pthread_create(&tids[k], NULL, run_range, &ranges[k]) == 0;
	fn(arg, ranges[0].from, ranges[0].to);
	for (k = 1; k < threads; k++) {
		if (started[k])
			pthread_join(tids[k], NULL);
		else
			fn(arg, ranges[k].from, ranges[k].to);
	}
}

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

unsigned
parallel_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > PARALLEL_MAX_THREADS ? PARALLEL_MAX_THREADS : (unsigned)n;
}
