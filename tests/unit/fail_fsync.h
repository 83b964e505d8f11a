/*
 * fail_fsync.h - fsync(2) counted and made to fail on purpose, for the
 * unit tests linked with fail_fsync.c and -Wl,--wrap=fsync (tests.cmake):
 * a test can tell that what it wrote was synced, file and directory, and
 * what happens when the disk reports an error.
 */
#ifndef KUSKA_FAIL_FSYNC_H
#define KUSKA_FAIL_FSYNC_H

/*
 * fail_fsync - the n-th fsync from now on fails with EIO (0: none does);
 * the counts start again from zero.
 */
void fail_fsync(unsigned long n);

/* fsynced_files, fsynced_dirs - the fsyncs of regular files, of
 * directories, that succeeded since fail_fsync. */
unsigned long fsynced_files(void);
unsigned long fsynced_dirs(void);

#endif
