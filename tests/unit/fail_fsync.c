/* fail_fsync.c - fsync counted and made to fail; see fail_fsync.h. */
#include "fail_fsync.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/stat.h>

int __real_fsync(int fd);
int __wrap_fsync(int fd);

static atomic_ulong fsyncs, fail_at, files, dirs;

int
__wrap_fsync(int fd)
{
	unsigned long at = atomic_load(&fail_at);
	struct stat st;
	int r;

	if (at != 0 && atomic_fetch_add(&fsyncs, 1) + 1 == at) {
		errno = EIO;
		return -1;
	}
	r = __real_fsync(fd);
	if (r == 0 && fstat(fd, &st) == 0) {
		if (S_ISREG(st.st_mode))
			atomic_fetch_add(&files, 1);
		else if (S_ISDIR(st.st_mode))
			atomic_fetch_add(&dirs, 1);
	}
	return r;
}

void
fail_fsync(unsigned long n)
{
	atomic_store(&fail_at, 0);
	atomic_store(&fsyncs, 0);
	atomic_store(&files, 0);
	atomic_store(&dirs, 0);
	atomic_store(&fail_at, n);
}

unsigned long
fsynced_files(void)
{
	return atomic_load(&files);
}

unsigned long
fsynced_dirs(void)
{
	return atomic_load(&dirs);
}
