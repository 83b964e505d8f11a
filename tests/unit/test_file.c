/*
 * test_file.c - a small file replaced whole (lib/file.h): the new
 * contents with the mode asked for whatever the umask, the file and its
 * directory synced, and on a failure the old contents kept and no
 * temporary file left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fail_fsync.h"
#include "file.h"

struct fx {
	char dir[64];
	char path[96];
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kuska-file-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/f", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* The contents of path, NUL-terminated, into buf; their length. */
static size_t
read_back(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/* How many entries dir holds, . and .. aside. */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* A new file: its contents, its mode despite a umask, both synced. */
static void
test_new(void **state)
{
	struct fx *fx = *state;
	struct stat st;
	char got[64];
	mode_t old = umask(077);

	fail_fsync(0);
	assert_int_equal(file_replace(fx->path, "one\n", 4, 0640, NULL), 0);
	umask(old);
	assert_int_equal(read_back(fx->path, got, sizeof(got)), 4);
	assert_string_equal(got, "one\n");
	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(fsynced_files(), 1);
	assert_int_equal(fsynced_dirs(), 1);
	assert_int_equal(entries(fx->dir), 1);
}

/* An existing file, longer than the new contents: nothing of it stays. */
static void
test_over(void **state)
{
	struct fx *fx = *state;
	char got[64];

	assert_int_equal(
	    file_replace(fx->path, "a longer first text\n", 20, 0600, NULL), 0);
	assert_int_equal(file_replace(fx->path, "two\n", 4, 0600, NULL), 0);
	assert_int_equal(read_back(fx->path, got, sizeof(got)), 4);
	assert_string_equal(got, "two\n");
	assert_int_equal(file_replace(fx->path, "", 0, 0600, NULL), 0);
	assert_int_equal(read_back(fx->path, got, sizeof(got)), 0);
	assert_int_equal(entries(fx->dir), 1);
}

/* The disk fails the sync: the error, the old contents, no litter. */
static void
test_sync_fails(void **state)
{
	struct fx *fx = *state;
	char got[64];

	assert_int_equal(file_replace(fx->path, "old\n", 4, 0600, NULL), 0);
	fail_fsync(1);
	assert_int_equal(file_replace(fx->path, "new\n", 4, 0600, NULL), -EIO);
	fail_fsync(0);
	assert_int_equal(read_back(fx->path, got, sizeof(got)), 4);
	assert_string_equal(got, "old\n");
	assert_int_equal(entries(fx->dir), 1);
}

/*
 * The disk fails only the directory's sync, after the rename: the new
 * contents are in place, so 0, and the error apart. Before, -EIO said
 * "not written" of a file written, and the key holder gave back an
 * allowance the file on disk charged.
 */
static void
test_dir_sync_fails(void **state)
{
	struct fx *fx = *state;
	char got[64];
	int unsynced = 1;

	assert_int_equal(file_replace(fx->path, "old\n", 4, 0600, &unsynced),
			 0);
	assert_int_equal(unsynced, 0);
	fail_fsync(2); /* the file's is the first, the directory's next */
	assert_int_equal(file_replace(fx->path, "new\n", 4, 0600, &unsynced),
			 0);
	assert_int_equal(unsynced, -EIO);
	assert_int_equal(fsynced_files(), 1);
	assert_int_equal(fsynced_dirs(), 0);
	fail_fsync(0);
	assert_int_equal(read_back(fx->path, got, sizeof(got)), 4);
	assert_string_equal(got, "new\n");
	assert_int_equal(entries(fx->dir), 1);
}

/* Makes name in dir an empty file of ours; its descriptor. */
static int
touch(const char *dir, const char *name)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	return fd;
}

/* Whether name is in dir. */
static bool
exists(const char *dir, const char *name)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

/*
 * The temporaries a process left when it died between making one and
 * renaming it are removed at the next replace: only names of the exact
 * pattern, regular files, and none a replace at work holds locked.
 * Before, each crash left one for good.
 */
static void
test_stale_removed(void **state)
{
	struct fx *fx = *state;
	char path[160];
	int held;

	close(touch(fx->dir, "f.kuska-tmp.a1B2c3")); /* a crash's: removed */
	close(touch(fx->dir, "f.kuska-tmp.Zz9Yy8")); /* another's: removed */
	close(touch(fx->dir, "f.Zz9Yy8")); /* a user's (f.backup): kept */
	close(touch(fx->dir, "f.backup"));
	close(touch(fx->dir, "f.kuska-tmp.a1B2c"));	  /* too short */
	close(touch(fx->dir, "f.kuska-tmp.a1B2c3d"));	  /* too long */
	close(touch(fx->dir, "f.kuska-tmp.a1B2-3"));	  /* not mkostemp's */
	close(touch(fx->dir, "g.kuska-tmp.a1B2c3"));	  /* another file's */
	close(touch(fx->dir, "f.kuska-tmp.a1B2c3.keep")); /* not the pattern */
	held = touch(fx->dir, "f.kuska-tmp.HeLd00"); /* at work elsewhere */
	assert_int_equal(flock(held, LOCK_EX), 0);
	snprintf(path, sizeof(path), "%s/f.kuska-tmp.dir000", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/f.kuska-tmp.sym000", fx->dir);
	assert_int_equal(symlink("f", path), 0); /* never followed */
	assert_int_equal(file_replace(fx->path, "new\n", 4, 0600, NULL), 0);
	assert_false(exists(fx->dir, "f.kuska-tmp.a1B2c3"));
	assert_false(exists(fx->dir, "f.kuska-tmp.Zz9Yy8"));
	assert_true(exists(fx->dir, "f.Zz9Yy8"));
	assert_true(exists(fx->dir, "f.backup"));
	assert_true(exists(fx->dir, "f.kuska-tmp.a1B2c"));
	assert_true(exists(fx->dir, "f.kuska-tmp.a1B2c3d"));
	assert_true(exists(fx->dir, "f.kuska-tmp.a1B2-3"));
	assert_true(exists(fx->dir, "g.kuska-tmp.a1B2c3"));
	assert_true(exists(fx->dir, "f.kuska-tmp.a1B2c3.keep"));
	assert_true(exists(fx->dir, "f.kuska-tmp.HeLd00"));
	assert_true(exists(fx->dir, "f.kuska-tmp.dir000"));
	assert_true(exists(fx->dir, "f.kuska-tmp.sym000"));
	/* f, the ten kept, and nothing of the replace's own. */
	assert_int_equal(entries(fx->dir), 11);
	close(held);
	/* Its holder gone, the next replace removes it. */
	assert_int_equal(file_replace(fx->path, "two\n", 4, 0600, NULL), 0);
	assert_false(exists(fx->dir, "f.kuska-tmp.HeLd00"));
	assert_int_equal(entries(fx->dir), 10);
}

/* No directory, or a name with no room for the suffix: said, not made. */
static void
test_bad_path(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX + 8];

	(void)fx;
	assert_int_equal(file_replace("/nonexistent/dir/f", "x", 1, 0600, NULL),
			 -ENOENT);
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(file_replace(path, "x", 1, 0600, NULL), -ENAMETOOLONG);
	path[PATH_MAX - 4] = '\0';
	assert_int_equal(file_replace(path, "x", 1, 0600, NULL), -ENAMETOOLONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_new, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_over, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_fails, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dir_sync_fails, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_stale_removed, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
