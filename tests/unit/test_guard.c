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
#include <sys/wait.h>
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

/* Echoes the byte it reads from the pipe *arg, once the parent sends it. */
static int
echo_byte(void *arg, int fd)
{
	char b;

	if (read(*(int *)arg, &b, 1) != 1)
		return -EIO;
	return guard_write(fd, &b, 1);
}

/* Says it runs, then waits until killed. */
static int
wait_forever(void *arg, int fd)
{
	(void)arg;
	(void)guard_write(fd, "r", 1);
	for (;;)
		pause();
	return 0;
}

/* guard_start returns while the child runs (here it waits for a byte
 * the parent sends after), and guard_wait brings its output back: the
 * consolidator forks its store's checks before its threads exist and
 * waits for them once they run. */
static void
test_start_then_wait(void **state)
{
	struct guard_child ch;
	uint8_t *out;
	size_t len;
	int in[2], sig;

	(void)state;
	assert_int_equal(pipe(in), 0);
	assert_int_equal(guard_start(echo_byte, &in[0], &ch), 0);
	assert_true(ch.pid > 0 && ch.fd >= 0);
	assert_int_equal(write(in[1], "k", 1), 1);
	assert_int_equal(guard_wait(&ch, &out, &len, &sig), 0);
	assert_int_equal(len, 1);
	assert_int_equal(out[0], 'k');
	assert_int_equal(sig, 0);
	assert_int_equal(ch.fd, -1);
	free(out);
	close(in[0]);
	close(in[1]);
}

/* A child whose parent dies meanwhile (a start that failed while its
 * check ran) is killed, not left reading: the test, a subreaper, is
 * given it and learns how it ended. */
static void
test_child_dies_with_parent(void **state)
{
	pid_t mid, grand = 0;
	int p[2], status;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	assert_int_equal(pipe(p), 0);
	mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		struct guard_child ch;
		char b;
		/* Once it runs fn, it is to die with this process. */
		if (guard_start(wait_forever, NULL, &ch) != 0 ||
		    read(ch.fd, &b, 1) != 1 ||
		    write(p[1], &ch.pid, sizeof(ch.pid)) != sizeof(ch.pid))
			_exit(1);
		_exit(0);
	}
	assert_int_equal(read(p[0], &grand, sizeof(grand)), sizeof(grand));
	assert_int_equal(waitpid(mid, &status, 0), mid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Killed as its parent ended: this later signal changes nothing
	 * (and ends it otherwise, rather than the test waiting on). */
	(void)kill(grand, SIGTERM);
	assert_int_equal(waitpid(grand, &status, 0), grand);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(p[0]);
	close(p[1]);
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
}

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

/* The node and kuska submit: no core file, no reading of their memory,
 * and no way back (identities pass through libzmq's buffers). */
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
	    cmocka_unit_test(test_start_then_wait),
	    cmocka_unit_test(test_child_dies_with_parent),
	    cmocka_unit_test(test_nodump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
