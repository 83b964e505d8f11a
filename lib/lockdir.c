/* lockdir.c - one daemon per data directory; see lockdir.h. */
#include "lockdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int
lockdir_take(const char *dir)
{
	char path[4096];
	int fd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	if ((size_t)snprintf(path, sizeof(path), "%s/kuska.lock", dir) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	return fd;
}

int
lockdir_own(const char *dir, const char *name)
{
	char path[4096];
	struct stat d, f;
	int fd, r = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	if (stat(dir, &d) != 0)
		return -errno;
	/* Run as root in a directory the service's user owns: a link put
	 * there must not hand root's file to that user. Only the regular
	 * file itself is given, through its descriptor. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &f) != 0)
		r = -errno;
	else if (!S_ISREG(f.st_mode) || f.st_nlink != 1)
		r = -EPERM; /* a hard link to another's file: not ours */
	else if ((f.st_uid != d.st_uid || f.st_gid != d.st_gid) &&
		 fchown(fd, d.st_uid, d.st_gid) != 0)
		r = -errno;
	close(fd);
	return r;
}
