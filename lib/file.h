/*
 * file.h - a small file replaced whole: the accounts of the key holder,
 * the metrics file, a report. Readers, a crash and a power cut see the
 * old contents or the new, never half of either.
 */
#ifndef KUSKA_FILE_H
#define KUSKA_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * file_replace - puts the len bytes of buf in place of path: writes them
 * to a new file beside it (path.kuska-tmp.XXXXXX, locked while it is
 * written),
 * gives it mode whatever the umask, syncs it, renames it over path and
 * syncs the directory. First it removes the temporaries of path an
 * earlier run left when it died before its rename: names of that exact
 * pattern, regular files of this user's, not locked by a file_replace at
 * work.
 *
 * Returns 0 when path has the new contents, or -errno when it is
 * untouched (-ENAMETOOLONG when path leaves no room for the suffix); no
 * temporary file is left either way. When only the directory's sync
 * fails, after the rename, the new contents are in place and are what a
 * reader, a restart or a crash of the process sees, but a power cut may
 * bring back the old: 0 all the same, and that -errno in *ret_unsynced
 * (0 when it was synced); ret_unsynced may be NULL.
 */
int file_replace(const char *path, const void *buf, size_t len, mode_t mode,
		 int *ret_unsynced) __attribute__((warn_unused_result));

/*
 * file_dir_of - the directory path's file is in, into dir (cap bytes):
 * "." for a bare name, "/" for one at the root.
 */
void file_dir_of(const char *path, char *dir, size_t cap);

/*
 * file_user_name - the name of user uid (a file's owner, who runs this)
 * into out (cap bytes), or its number when it has none. Returns out.
 */
const char *file_user_name(uid_t uid, char *out, size_t cap);

#endif
