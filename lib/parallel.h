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
 * parallel_for - runs fn over [0, n) in up to `threads` contiguous
 * ranges of at least min_per_thread items each, one range on the
 * calling thread and the others on threads started for the call, and
 * returns when all are done. A thread that cannot be started leaves its
 * range to the caller, so every item is always processed once. fn must
 * not touch another range's items; it reports failures through arg.
 */
void parallel_for(size_t n, unsigned threads, size_t min_per_thread,
		  parallel_fn fn, void *arg);

/* parallel_cpus - the processors online, 1..PARALLEL_MAX_THREADS. */
unsigned parallel_cpus(void);

#endif
