/* fail_malloc.c - allocations made to fail; see fail_malloc.h. */
#include "fail_malloc.h"

#include <stdatomic.h>
#include <stddef.h>

void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);
void *__real_calloc(size_t nmemb, size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__wrap_realloc(void *ptr, size_t size);

/* Atomic: the code under test may allocate from several threads. */
static atomic_ulong mallocs, fail_at, mallocs_failed, bytes_asked;
static atomic_bool fail_rest;

/* Whether this allocation (of size bytes) is armed to fail; else counts
 * its bytes. */
static bool
fails(size_t size)
{
	unsigned long at = atomic_load(&fail_at), nth;

	if (at != 0) {
		nth = atomic_fetch_add(&mallocs, 1) + 1;
		if (nth == at || (nth > at && atomic_load(&fail_rest))) {
			atomic_fetch_add(&mallocs_failed, 1);
			return true;
		}
	}
	atomic_fetch_add(&bytes_asked, size);
	return false;
}

void *
__wrap_malloc(size_t size)
{
	return fails(size) ? NULL : __real_malloc(size);
}

void *
__wrap_calloc(size_t nmemb, size_t size)
{
	size_t total = nmemb * size;

	if (size != 0 && total / size != nmemb)
		total = (size_t)-1; /* __real_calloc refuses it */
	return fails(total) ? NULL : __real_calloc(nmemb, size);
}

void *
__wrap_realloc(void *ptr, size_t size)
{
	/* realloc(ptr, 0) frees: nothing to fail. A failed realloc leaves
	 * the block as it was, as the real one does. */
	if (size == 0)
		return __real_realloc(ptr, size);
	return fails(size) ? NULL : __real_realloc(ptr, size);
}

/* Arms the n-th allocation from now (and, if rest, every later one). */
static void
arm(unsigned long n, bool rest)
{
	atomic_store(&fail_at, 0);
	if (n == 0)
		return;
	atomic_store(&mallocs, 0);
	atomic_store(&mallocs_failed, 0);
	atomic_store(&fail_rest, rest);
	atomic_store(&fail_at, n);
}

void
fail_malloc(unsigned long n)
{
	arm(n, false);
}

void
fail_malloc_from(unsigned long n)
{
	arm(n, true);
}

unsigned long
malloc_failures(void)
{
	return atomic_load(&mallocs_failed);
}

unsigned long
malloc_bytes(bool reset)
{
	return reset ? atomic_exchange(&bytes_asked, 0)
		     : atomic_load(&bytes_asked);
}
