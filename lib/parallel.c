/* parallel.c - one loop over every core; see parallel.h. */
#include "parallel.h"

#include <pthread.h>
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

unsigned
parallel_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > PARALLEL_MAX_THREADS ? PARALLEL_MAX_THREADS : (unsigned)n;
}
