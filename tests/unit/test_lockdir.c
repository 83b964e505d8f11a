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

/* A fresh directory DIR and an empty file DIR.target beside it. */
static void
dir_and_target(char dir[64], char target[96])
{
	FILE *f;

	snprintf(dir, 64, "/tmp/kuska-own-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(target, 96, "%s.target", dir);
	f = fopen(target, "w");
	assert_non_null(f);
	fclose(f);
}

/*
 * lockdir_own runs as root in a directory the service's user owns: a
 * link that user put there must not get root's file handed over.
 */
static void
test_own_no_link(void **state)
{
	char dir[64], link[96], target[96];
	struct stat st;

	(void)state;
	dir_and_target(dir, target);
	snprintf(link, sizeof(link), "%s/lock.mdb", dir);
	assert_int_equal(symlink(target, link), 0);
	/* As root, the directory another user's, as the service's is. */
	if (geteuid() == 0)
		assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(lockdir_own(dir, "lock.mdb"), -ELOOP);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_uid, geteuid());
	unlink(link);
	/* Nor a pipe (O_NONBLOCK: the open does not wait for a writer). */
	assert_int_equal(mkfifo(link, 0600), 0);
	assert_int_equal(lockdir_own(dir, "lock.mdb"), -EPERM);
	unlink(link);
	unlink(target);
	rmdir(dir);
}

/*
 * Nor a hard link: the user who owns the directory can link there a file
 * of root's (or another's) it cannot change; given to that user, it
 * would be theirs. Its other name keeps its owner.
 */
static void
test_own_no_hard_link(void **state)
{
	char dir[64], name[96], target[96];
	struct stat st;

	(void)state;
	dir_and_target(dir, target);
	snprintf(name, sizeof(name), "%s/lock.mdb", dir);
	assert_int_equal(link(target, name), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(lockdir_own(dir, "lock.mdb"), -EPERM);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_nlink, 2);
	/* Its other name gone, the same file is its own: given. */
	unlink(target);
	assert_int_equal(lockdir_own(dir, "lock.mdb"), 0);
	unlink(name);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_second_taker_refused),
	    cmocka_unit_test(test_own_no_link),
	    cmocka_unit_test(test_own_no_hard_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
