/*
 * lockdir.h - one daemon per data directory: an exclusive flock on
 * DIR/kuska.lock held for the life of the process (the kernel drops it
 * when the process ends, however it ends).
 */
#ifndef KUSKA_LOCKDIR_H
#define KUSKA_LOCKDIR_H

/*
 * lockdir_take - creates dir (0700) if needed and locks it. Returns the
 * descriptor that holds the lock (keep it open), -EBUSY when another
 * process holds it, or -errno.
 */
int lockdir_take(const char *dir) __attribute__((warn_unused_result));

/*
 * lockdir_own - gives dir/name the owner and group of dir, so that a
 * file made by root for a daemon that runs as its own user (the store
 * remade by --recover or --repair) stays usable by that daemon. Does
 * nothing when they already match or the file is missing; a link (soft
 * or hard) or anything but a regular file is never given (-ELOOP,
 * -EPERM), lest root hand its own file to that user. Returns 0 or -errno.
 */
int lockdir_own(const char *dir, const char *name);

#endif
