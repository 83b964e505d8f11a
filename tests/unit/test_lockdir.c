/* test_lockdir.c - one daemon per data directory (lockdir.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lockdir.h"

static void
test_second_taker_refused(void **state)
{
	char dir[64], sub[96];
	int a, b;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kuska-lock-XXXXXX");
	assert_non_null(mkdtemp(dir));
	/* A directory that does not exist yet is made. */
	snprintf(sub, sizeof(sub), "%s/data", dir);
	a = lockdir_take(sub);
	assert_true(a >= 0);
	/* Another open file description: another taker, refused. */
	b = lockdir_take(sub);
	assert_int_equal(b, -EBUSY);
	close(a);
	/* Released with the descriptor. */
	b = lockdir_take(sub);
	assert_true(b >= 0);
	close(b);
	/* Its files already have the directory's owner: nothing to do. */
	assert_int_equal(lockdir_own(sub, "kuska.lock"), 0);
	assert_int_equal(lockdir_own(sub, "no-such-file"), 0);
	snprintf(sub, sizeof(sub), "%s/data/kuska.lock", dir);
	unlink(sub);
	snprintf(sub, sizeof(sub), "%s/data", dir);
	rmdir(sub);
	rmdir(dir);
	assert_int_equal(lockdir_take("/proc/no/such/dir"), -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_second_taker_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
