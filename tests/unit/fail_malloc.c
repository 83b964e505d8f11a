/* fail_malloc.c - allocations made to fail; see fail_malloc.h. */
#include "fail_malloc.h"

#include <stdatomic.h>
#include <stddef.h>

void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);

/* Atomic: the code under test may allocate from several threads. */
static atomic_ulong mallocs, fail_at, mallocs_failed, bytes_asked;

void *
__wrap_malloc(size_t size)
{
	unsigned long at = atomic_load(&fail_at);

	if (at != 0 && atomic_fetch_add(&mallocs, 1) + 1 == at) {
		atomic_fetch_add(&mallocs_failed, 1);
		return NULL;
	}
	atomic_fetch_add(&bytes_asked, size);
	return __real_malloc(size);
}

void
fail_malloc(unsigned long n)
{
	atomic_store(&fail_at, 0);
	if (n == 0)
		return;
	atomic_store(&mallocs, 0);
	atomic_store(&mallocs_failed, 0);
	atomic_store(&fail_at, n);
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
