/* capture.c - stderr captured for a unit test; see capture.h. */
#include "capture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char logged[CAPTURE_MAX];
static int saved_stderr = -1;
static FILE *capture_file;

void
capture(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(capture_file), 2) >= 0);
}

const char *
captured(void)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(saved_stderr, 2) >= 0);
	close(saved_stderr);
	saved_stderr = -1;
	rewind(capture_file);
	n = fread(logged, 1, sizeof(logged) - 1, capture_file);
	logged[n] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	return logged;
}

int
captured_count(const char *text, const char *needle)
{
	int n = 0;

	while ((text = strstr(text, needle)) != NULL) {
		n++;
		text += strlen(needle);
	}
	return n;
}
