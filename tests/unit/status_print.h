/*
 * status_print.h - what one part of kuska status prints of a node's
 * status, read back, for the unit tests of those parts
 * (test_status_epochs.c, test_status_unmatched.c), which each wrote it.
 * Include it after cmocka.h.
 */
#ifndef KUSKA_STATUS_PRINT_H
#define KUSKA_STATUS_PRINT_H

#include <stdio.h>

#include "codec.h"

/*
 * status_printed - what print (status_epochs_print, ...) writes of s:
 * a malloc'd string, the caller's to free.
 */
static char *__attribute__((unused))
status_printed(void (*print)(FILE *, const struct node_status *),
	       const struct node_status *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&out, &len);
	assert_non_null(f);
	print(f, s);
	assert_int_equal(fclose(f), 0);
	return out;
}

#endif
