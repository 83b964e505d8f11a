/*
 * fail_malloc.h - allocations made to fail on purpose, for the unit tests
 * linked with fail_malloc.c and -Wl,--wrap=malloc (tests.cmake): every
 * malloc of kuska's own code then goes through __wrap_malloc, so a test
 * can tell memory running out apart from bad input. Only malloc: calloc,
 * realloc and strdup are not made to fail (the decoding of envelopes and
 * events, what these tests are for, allocates with malloc alone).
 */
#ifndef KUSKA_FAIL_MALLOC_H
#define KUSKA_FAIL_MALLOC_H

#include <stdbool.h>

/*
 * fail_malloc - the n-th malloc from now on fails (0: none does; the
 * count of failed ones is kept until armed again).
 */
void fail_malloc(unsigned long n);

/* malloc_failures - how many mallocs failed since fail_malloc(n > 0). */
unsigned long malloc_failures(void);

/*
 * malloc_bytes - the bytes asked of malloc (and given) since the last
 * reset; with reset true, starts counting afresh.
 */
unsigned long malloc_bytes(bool reset);

#endif
