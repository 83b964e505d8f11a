/*
 * parallel.h - running one loop on every core: the node's blinding and
 * unblinding and the key holder's evaluations are the same operation on
 * many independent elements, split into contiguous ranges, one thread
 * per range.
 */
#ifndef KUSKA_PARALLEL_H
#define KUSKA_PARALLEL_H

#include <stddef.h>

#define PARALLEL_MAX_THREADS 16

/* What one thread runs: the items from..to-1 of the caller's loop. */
typedef void (*parallel_fn)(void *arg, size_t from, size_t to);

/*
 * parallel_for - runs fn over [0, n) in up to `threads` (0: the most)
 * contiguous ranges of at least min_per_thread items each (the last may be
 * shorter): the chunks of parallel_for_chunks, one per thread, so a thread
 * that cannot be started or gets less of a processor leaves its range to
 * the others, and every item is processed once. Returns when all are done.
 * fn must not touch another range's items; it reports failures through arg.
 */
void parallel_for(size_t n, unsigned threads, size_t min_per_thread,
		  parallel_fn fn, void *arg);

/* Called on the calling thread between chunks (see parallel_for_chunks). */
typedef void (*parallel_progress_fn)(void *arg);

/*
 * parallel_for_chunks - runs fn over [0, n) in chunks of `chunk` items
 * (the last may be shorter), on up to `threads` threads (0: one): the calling
 * one and threads started for the call take the next chunk as they finish one,
 * so a thread that gets less of a processor does less of the work. After each
 * chunk of its own the calling thread calls progress( progress_arg) (progress
 * NULL: never), so that a single-threaded daemon can answer requests during a
 * long loop: the calling thread waits at most one chunk's work between calls,
 * and, once every chunk is taken, for the other threads' last chunks. progress
 * must not touch the items. Every item is processed once, as by parallel_for,
 * which returns when all are done; fn reports failures through arg.
 */
void parallel_for_chunks(size_t n, unsigned threads, size_t chunk,
			 parallel_fn fn, void *arg,
			 parallel_progress_fn progress, void *progress_arg);

/* parallel_cpus - the processors online, 1..PARALLEL_MAX_THREADS. */
unsigned parallel_cpus(void);

#endif
