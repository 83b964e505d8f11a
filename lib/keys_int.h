/*
 * keys_int.h - what keys.c (ids, key pairs made, encoded and written),
 * keys_perm.c (who may read a secret key file), keys_load.c (key files
 * read and parsed; secret and public keys loaded) and keys_key32.c (the
 * 32-byte keys, with their epochs) share: internal to the four.
 */
#ifndef KUSKA_KEYS_INT_H
#define KUSKA_KEYS_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "keys.h"

#define KEYS_MAX_FILE 4096 /* a key file is a few short lines */

/* A public key file named where a secret one is expected. */
#define KEYS_PUBLIC_FOR_SECRET                                                 \
	"this is a public key file (.pub); a secret key file (.key) is "       \
	"expected"

/*
 * keys_secret_alloc - a zeroed key in sodium_malloc() memory, or NULL
 * (keys.c).
 */
struct secret_key *keys_secret_alloc(void);

/*
 * keys_write_new_file - writes all of buf to a new file (O_EXCL) with the
 * given mode, synced; removed again when a write fails. Returns 0 or
 * -errno (keys.c).
 */
int keys_write_new_file(const char *path, const char *buf, size_t len,
			mode_t mode);

/*
 * keys_open_file - opens a key file to read. A secret one (want_private)
 * is opened without following a symbolic link (O_NOFOLLOW: a link's
 * target could be changed under the check; no documented layout links a
 * secret key) nor blocking (a FIFO is refused, not waited on), and then
 * checked (keys_perm.c). Returns the descriptor or -errno, with errbuf
 * filled.
 */
int keys_open_file(const char *path, int want_private, char *errbuf,
		   size_t errlen);

/* The fields a key file may carry; each at most once. */
struct key_fields {
	char id[KEYS_ID_MAX];
	const char *names[6];
	char *values[6];  /* point into the file buffer */
	unsigned line[6]; /* of each value given, for its errors */
};

/*
 * keys_read_file - reads a small key file into sodium_malloc() memory,
 * NUL-ended (*ret). A private one (want_private) is checked first, on the
 * descriptor it is then read from (keys_load.c).
 */
int keys_read_file(const char *path, int want_private, char **ret, char *errbuf,
		   size_t errlen);

/*
 * keys_parse_lines - splits "name = value" lines of buf (modified in
 * place) into f, for the names listed in f->names. Comments (#) and blank
 * lines are skipped (keys_load.c).
 */
int keys_parse_lines(char *buf, struct key_fields *f, const char *path,
		     char *errbuf, size_t errlen);

/*
 * keys_refuse_field - refuses field i of f: "PATH:LINE: NAME: why" when
 * the file gives it (its value is wrong), "PATH: NAME: missing" when it
 * does not. Returns -EINVAL (keys_load.c).
 */
int keys_refuse_field(const char *path, const struct key_fields *f, size_t i,
		      const char *why, char *errbuf, size_t errlen);

#endif
