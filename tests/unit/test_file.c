/*
 * test_file.c - a small file replaced whole (lib/file.h): the new
 * contents with the mode asked for whatever the umask, the file and its
 * directory synced, and on a failure the old contents kept and no
 * temporary file left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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
	    cmocka_unit_test_setup_teardown(test_bad_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
