/* file.c - a small file replaced whole; see file.h. */
#include "file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A temporary is named path.kuska-tmp.XXXXXX: a mark of its own, so that
 * the sweep of stale ones (remove_stale) never takes a user's file beside
 * path for one (a report.html.backup, a report.html.semana, which a bare
 * "path.XXXXXX" matched). TEMP_SUFFIX_LEN: mkostemp's letters.
 */
#define TEMP_MARK ".kuska-tmp."
#define TEMP_SUFFIX_LEN 6
/* Tries at making a temporary that a cleaner of another process took for
 * a stale one in the instant between its making and its lock. */
#define TEMP_TRIES 3

/* All of buf to fd; 0 or -errno. */
static int
write_all(int fd, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/* The directory of path into dir (cap bytes); its name in it, in *base. */
static void
split_path(const char *path, char *dir, size_t cap, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, cap, ".");
	else if (slash == path)
		snprintf(dir, cap, "/");
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
	*base = slash == NULL ? path : slash + 1;
}

void
file_dir_of(const char *path, char *dir, size_t cap)
{
	const char *base;

	split_path(path, dir, cap, &base);
}

/* Syncs the directory of path, so that a rename in it outlives power. */
static int
sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *base;
	int fd, r = 0;

	split_path(path, dir, sizeof(dir), &base);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		r = -errno;
	close(fd);
	return r;
}

/* Whether name is base, TEMP_MARK and TEMP_SUFFIX_LEN letters or digits:
 * a temporary file_replace makes of base (mkostemp's alphabet). */
static bool
is_temp_of(const char *name, const char *base, size_t base_len)
{
	size_t i, at = base_len + strlen(TEMP_MARK);

	if (strncmp(name, base, base_len) != 0 ||
	    strncmp(name + base_len, TEMP_MARK, strlen(TEMP_MARK)) != 0 ||
	    strlen(name + at) != TEMP_SUFFIX_LEN)
		return false;
	for (i = at; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}

/* Removes name in directory dfd if it is a stale temporary: a regular
 * file of ours that no file_replace at work holds locked. */
static void
remove_if_stale(int dfd, const char *name)
{
	struct stat st, now;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
		(void)unlinkat(dfd, name, 0);
	close(fd);
}

/*
 * Removes the temporaries of path that a file_replace left when its
 * process died between making one and renaming it (a crash, a kill -9, a
 * power cut): each one would otherwise stay for good. Only names of the
 * exact pattern, regular files of this user's, and none locked: a
 * file_replace at work holds its own locked until the rename.
 */
static void
remove_stale(const char *path)
{
	char dir[PATH_MAX];
	const char *base;
	struct dirent *e;
	size_t base_len;
	DIR *d;

	split_path(path, dir, sizeof(dir), &base);
	base_len = strlen(base);
	d = opendir(dir);
	if (d == NULL)
		return; /* the making of the temporary says why */
	while ((e = readdir(d)) != NULL)
		if (is_temp_of(e->d_name, base, base_len))
			remove_if_stale(dirfd(d), e->d_name);
	closedir(d);
}

/*
 * A new temporary beside path, its name in tmp (PATH_MAX bytes), locked
 * so that no other process's remove_stale takes it for stale. Returns
 * its descriptor or -errno.
 */
static int
make_temp(const char *path, char *tmp)
{
	struct stat st;
	int fd, tries;

	for (tries = 0; tries < TEMP_TRIES; tries++) {
		if ((size_t)snprintf(tmp, PATH_MAX, "%s" TEMP_MARK "XXXXXX",
				     path) >= PATH_MAX)
			return -ENAMETOOLONG;
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX) != 0) {
			int r = -errno;

			close(fd);
			unlink(tmp);
			return r;
		}
		/* Removed by another's remove_stale before it was locked. */
		if (fstat(fd, &st) == 0 && st.st_nlink > 0)
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

int
file_replace(const char *path, const void *buf, size_t len, mode_t mode,
	     int *ret_unsynced)
{
	char tmp[PATH_MAX];
	int fd, r, s;

	if (strlen(path) + sizeof(TEMP_MARK "XXXXXX") > sizeof(tmp))
		return -ENAMETOOLONG;
	remove_stale(path);
	fd = make_temp(path, tmp);
	if (fd < 0)
		return fd;
	/* mkostemp makes it 0600; a umask (a unit's UMask=0077) would take
	 * away what mode gives the group or others. */
	r = fchmod(fd, mode) != 0 ? -errno : 0;
	if (r == 0)
		r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) != 0)
		r = -errno;
	/* Renamed while still locked: unlocked, a remove_stale could take
	 * it. Synced, its close has nothing left to report. */
	if (r == 0 && rename(tmp, path) != 0)
		r = -errno;
	if (r != 0)
		unlink(tmp);
	close(fd);
	if (r != 0)
		return r;
	s = sync_dir_of(path);
	if (ret_unsynced != NULL)
		*ret_unsynced = s;
	return 0;
}

const char *
file_user_name(uid_t uid, char *out, size_t cap)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(out, cap, "%s", pw->pw_name);
	else
		snprintf(out, cap, "%lu", (unsigned long)uid);
	return out;
}
