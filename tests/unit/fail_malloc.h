/*
 * fail_malloc.h - allocations made to fail on purpose, for the unit tests
 * linked with fail_malloc.c and -Wl,--wrap=malloc, --wrap=calloc and
 * --wrap=realloc (tests.cmake): every malloc, calloc and realloc of
 * kuska's own code then goes through fail_malloc.c, so a test can tell
 * memory running out apart from bad input, whether it runs out in the
 * decoding of an envelope (malloc) or in the statistics engine's tables
 * and vectors (calloc, realloc). One count for the three:
 * "the n-th allocation". A realloc armed to fail returns NULL and leaves
 * its block, as the real one does; realloc(p, 0), which frees, never
 * fails. Not wrapped: strdup, and what libraries (libc, LMDB, libsodium,
 * protobuf-c, cmocka) allocate inside themselves.
 */
#ifndef KUSKA_FAIL_MALLOC_H
#define KUSKA_FAIL_MALLOC_H

#include <stdbool.h>

/*
 * fail_malloc - the n-th allocation (malloc, calloc or realloc) from now
 * on fails (0: none does; the count of failed ones is kept until armed
 * again).
 */
void fail_malloc(unsigned long n);

/*
 * fail_malloc_from - the n-th allocation from now on and every one after
 * it fail (memory gone for good), until fail_malloc(0).
 */
void fail_malloc_from(unsigned long n);

/* malloc_failures - how many allocations failed since fail_malloc(n > 0). */
unsigned long malloc_failures(void);

/*
 * malloc_bytes - the bytes asked of malloc, calloc and realloc (a
 * realloc's new size) and given since the last reset; with reset true,
 * starts counting afresh.
 */
unsigned long malloc_bytes(bool reset);

#endif
