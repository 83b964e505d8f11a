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
 * to a new file beside it (path.XXXXXX), gives it mode whatever the
 * umask, syncs it, renames it over path and syncs the directory. Returns
 * 0 or -errno (-ENAMETOOLONG when path leaves no room for the suffix).
 * On a failure before the rename path is untouched; no temporary file is
 * left either way. A failed sync of the directory (-errno) comes after
 * the rename: path has the new contents, which a power cut may undo.
 */
int file_replace(const char *path, const void *buf, size_t len, mode_t mode)
    __attribute__((warn_unused_result));

#endif
