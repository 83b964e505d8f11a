/* test_guard.c - risky work in a child process (guard.h): its output and
 * result come back, and its death by a signal is reported, not shared. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard.h"

static int
say_hello(void *arg, int fd)
{
	(void)arg;
	return guard_write(fd, "hello", 5);
}

static int
fail_with(void *arg, int fd)
{
	(void)guard_write(fd, "partial", 7);
	return *(int *)arg;
}

static int
crash(void *arg, int fd)
{
	(void)arg;
	(void)guard_write(fd, "before", 6);
	raise(SIGBUS);
	return 0;
}

static int
big(void *arg, int fd)
{
	static uint8_t chunk[65536];
	size_t i, n = *(size_t *)arg;

	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < n; i++)
		if (guard_write(fd, chunk, sizeof(chunk)) != 0)
			return -EIO;
	return 0;
}

static int
say_texts(void *arg, int fd)
{
	char long_text[300];

	(void)arg;
	memset(long_text, 'y', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	(void)guard_write_text(fd, 'U', "table %s: %d", "t01", 7);
	return guard_write_text(fd, 'U', "%s", long_text);
}

static void
test_output_and_result(void **state)
{
	uint8_t *out;
	size_t len;
	int sig, err = -ENOSPC;

	(void)state;
	assert_int_equal(guard_run(say_hello, NULL, &out, &len, &sig), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(sig, 0);
	free(out);

	assert_int_equal(guard_run(fail_with, &err, &out, &len, &sig), -ENOSPC);
	free(out);
}

static void
test_crash_is_reported(void **state)
{
	uint8_t *out;
	size_t len;
	int sig;

	(void)state;
	assert_int_equal(guard_run(crash, NULL, &out, &len, &sig),
			 GUARD_CRASHED);
	assert_int_equal(sig, SIGBUS);
	/* What it wrote before dying still comes back. */
	assert_int_equal(len, 6);
	assert_memory_equal(out, "before", 6);
	free(out);
}

static void
test_output_is_capped(void **state)
{
	uint8_t *out;
	size_t len, chunks = GUARD_MAX_OUT / 65536 + 4;
	int sig;

	(void)state;
	assert_int_equal(guard_run(big, &chunks, &out, &len, &sig), 0);
	assert_true(len <= GUARD_MAX_OUT);
	assert_true(len >= GUARD_MAX_OUT - 65536);
	free(out);
}

/* The node and kuska submit: no core file, no reading of their memory,
 * and no way back (identities pass through libzmq's buffers). */
/* A text record: kind, length, text; a long text is cut at 254 bytes. */
static void
test_text_records(void **state)
{
	uint8_t *out;
	size_t len;
	int sig;

	(void)state;
	assert_int_equal(guard_run(say_texts, NULL, &out, &len, &sig), 0);
	assert_int_equal(len, 2 + 12 + 2 + 254);
	assert_int_equal(out[0], 'U');
	assert_int_equal(out[1], 12);
	assert_memory_equal(out + 2, "table t01: 7", 12);
	assert_int_equal(out[14], 'U');
	assert_int_equal(out[15], 254);
	assert_int_equal(out[16 + 253], 'y');
	free(out);
}

static void
test_nodump(void **state)
{
	struct rlimit rl, up = {RLIM_INFINITY, RLIM_INFINITY};

	(void)state;
	assert_int_equal(guard_nodump(), 0);
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_true(rl.rlim_cur == 0 && rl.rlim_max == 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	if (geteuid() != 0)
		assert_int_not_equal(setrlimit(RLIMIT_CORE, &up), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_output_and_result),
	    cmocka_unit_test(test_crash_is_reported),
	    cmocka_unit_test(test_output_is_capped),
	    cmocka_unit_test(test_text_records),
	    cmocka_unit_test(test_nodump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
