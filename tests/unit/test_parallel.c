/*
 * test_parallel.c - one loop over every core (parallel.h): every item
 * processed once whatever the threads and chunk size, chunks no longer
 * than asked, and the progress function called on the calling thread
 * after each of its own chunks, and only there. parallel_for: every item
 * once, whatever the threads asked, 0 and too many included.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parallel.h"

enum { ITEMS = 1000 };

struct loop {
	pthread_t caller;
	size_t chunk;
	uint8_t seen[ITEMS];	     /* times each item was processed */
	atomic_size_t caller_chunks; /* chunks run on the calling thread */
	atomic_size_t long_chunks;   /* chunks over `chunk` items */
	size_t progress;	     /* progress calls */
	size_t progress_elsewhere;   /* ... not on the calling thread */
	atomic_size_t done;
};

static void
visit(void *arg, size_t from, size_t to)
{
	struct loop *l = arg;
	size_t i;

	if (to - from > l->chunk)
		atomic_fetch_add(&l->long_chunks, 1);
	if (pthread_equal(pthread_self(), l->caller))
		atomic_fetch_add(&l->caller_chunks, 1);
	for (i = from; i < to; i++)
		l->seen[i]++; /* each item belongs to one range */
	atomic_fetch_add(&l->done, to - from);
}

static void
progress(void *arg)
{
	struct loop *l = arg;

	l->progress++;
	if (!pthread_equal(pthread_self(), l->caller))
		l->progress_elsewhere++;
}

static void
run(size_t n, unsigned threads, size_t chunk, bool with_progress)
{
	struct loop *l = calloc(1, sizeof(*l));
	size_t i;

	assert_non_null(l);
	l->caller = pthread_self();
	l->chunk = chunk == 0 ? 1 : chunk;
	atomic_init(&l->caller_chunks, 0);
	atomic_init(&l->long_chunks, 0);
	atomic_init(&l->done, 0);
	parallel_for_chunks(n, threads, chunk, visit, l,
			    with_progress ? progress : NULL, l);
	for (i = 0; i < ITEMS; i++)
		assert_int_equal(l->seen[i], i < n ? 1 : 0);
	assert_int_equal(atomic_load(&l->done), n);
	assert_int_equal(atomic_load(&l->long_chunks), 0);
	assert_int_equal(l->progress_elsewhere, 0);
	if (with_progress)
		assert_int_equal(l->progress, atomic_load(&l->caller_chunks));
	else
		assert_int_equal(l->progress, 0);
	if (threads <= 1) /* the caller alone: a call per chunk */
		assert_int_equal(atomic_load(&l->caller_chunks),
				 (n + l->chunk - 1) / l->chunk);
	free(l);
}

/* Every item once, for a spread of sizes, threads and chunks. */
static void
test_every_item_once(void **state)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 999, ITEMS};
	static const unsigned threads[] = {0, 1, 2, 4,
					   PARALLEL_MAX_THREADS + 3};
	static const size_t chunks[] = {0, 1, 7, 16, 64, ITEMS + 1};
	size_t s, t, c;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (t = 0; t < sizeof(threads) / sizeof(threads[0]); t++)
			for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]);
			     c++) {
				run(sizes[s], threads[t], chunks[c], true);
				run(sizes[s], threads[t], chunks[c], false);
			}
}

/* parallel_for: each item once, whatever the threads asked (0 overran). */
static void
test_for_ranges(void **state)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 999, ITEMS};
	static const unsigned threads[] = {
	    0, 1, 2, 4, PARALLEL_MAX_THREADS, PARALLEL_MAX_THREADS + 3};
	static const size_t mins[] = {0, 1, 7, 64, ITEMS + 1};
	size_t s, t, m, i;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (t = 0; t < sizeof(threads) / sizeof(threads[0]); t++)
			for (m = 0; m < sizeof(mins) / sizeof(mins[0]); m++) {
				struct loop *l = calloc(1, sizeof(*l));

				assert_non_null(l);
				l->caller = pthread_self();
				l->chunk = ITEMS; /* no range is too long */
				atomic_init(&l->caller_chunks, 0);
				atomic_init(&l->long_chunks, 0);
				atomic_init(&l->done, 0);
				parallel_for(sizes[s], threads[t], mins[m],
					     visit, l);
				for (i = 0; i < ITEMS; i++)
					assert_int_equal(l->seen[i],
							 i < sizes[s] ? 1 : 0);
				assert_int_equal(atomic_load(&l->done),
						 sizes[s]);
				free(l);
			}
}

/* One thread: progress after every chunk, the last one included. */
static void
test_progress_alone(void **state)
{
	(void)state;
	run(ITEMS, 1, 16, true); /* 63 chunks, 63 calls: checked in run */
	run(ITEMS, 1, ITEMS, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_item_once),
	    cmocka_unit_test(test_progress_alone),
	    cmocka_unit_test(test_for_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
