/*
 * lmdbcheck.h - a daemon's whole-store check: every entry of its LMDB
 * file read in a child (guard.h), so that LMDB meeting a damaged page
 * cannot crash the caller, and handed to the caller's function, which
 * verifies its checksum. The node's outbox and the consolidator's store
 * run it on their files, not open in the process; their values carry the
 * checksum lmdbcheck_tag makes. Built with lmdbwalk.c
 * (libkuska_lmdbwalk.a), so that only the daemons link LMDB.
 */
#ifndef KUSKA_LMDBCHECK_H
#define KUSKA_LMDBCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "guard.h"

#define LMDBCHECK_MAX_TABLES 64
#define LMDBCHECK_DAMAGED 'D' /* first byte of a damaged entry's record */
/* A tagged value is followed by its checksum, big-endian. */
#define LMDBCHECK_TAG_LEN 4

/*
 * What to check. The child calls entry on each entry of tables[table]
 * (tagged: the format key is there, values carry checksums); for a
 * damaged one, entry writes to fd a record of damaged_len bytes starting
 * with LMDBCHECK_DAMAGED (guard_write). The parent calls damaged(arg,
 * record) on each such record; a non-zero return stops the reading.
 */
struct lmdbcheck {
	const char *dir;	   /* holds data.mdb */
	const char *const *tables; /* names, in the order walked */
	size_t n_tables;	   /* at most LMDBCHECK_MAX_TABLES */
	size_t meta;		   /* the table holding format_key */
	const char *format_key;
	/* A table only the other daemon's file has: that file is never
	 * "repaired". */
	const char *other_table;
	const char *what; /* the file in messages: "store", "outbox" */
	void (*entry)(int fd, size_t table, bool tagged, const MDB_val *k,
		      MDB_val *v);
	size_t damaged_len;
	int (*damaged)(void *arg, const uint8_t *record);
	void *arg;
};

struct lmdbcheck_result {
	bool unreadable; /* LMDB cannot read the file: see why */
	/* unreadable: truncated, crashed, ...; or why the check could not
	 * be made (lmdbcheck_run's -errno), "" when it did not say */
	char why[256];
	bool unchecked;	  /* no checksums (written before they existed) */
	uint64_t entries; /* entries read */
};

/*
 * lmdbcheck_run - reads every entry of c->dir's data file in a child and
 * fills *ret (also when it fails part way). A missing data file is an
 * empty one. Returns 0 when the file was read (ret says whether damaged);
 * -EACCES when the files are not this process's to read and write
 * (daemon_data_access); -EXDEV when the file is the other daemon's
 * (c->other_table); -ENOSPC when there is no room for the lock.mdb LMDB
 * needs (daemon_reserve_lock). Or -errno, ret->why saying why, when the
 * check could not be made, which says nothing of the file: the child
 * could not be made; it ran out of memory, met an I/O error (LMDB's own
 * codes other than damage read as -EIO), or was killed by a signal other
 * than a crash's (-EINTR: the out-of-memory killer, a stop); damaged's
 * non-zero return.
 */
int lmdbcheck_run(const struct lmdbcheck *c, struct lmdbcheck_result *ret)
    __attribute__((warn_unused_result));

/* A check lmdbcheck_start began, until lmdbcheck_finish. */
struct lmdbcheck_job {
	int refused;  /* the files are not to be read: -errno, or 0 */
	int no_child; /* the child could not be made: -errno, or 0 */
	bool forked;
	struct guard_child child;
};

/*
 * lmdbcheck_run in two halves, for a process that will have threads
 * (libzmq's): lmdbcheck_start forks the child before they exist (in a
 * child of a process with threads only async-signal-safe calls are
 * sound), and lmdbcheck_finish, once they run, waits for it and returns
 * as lmdbcheck_run. c, and all it points to, must stay as it is until
 * then; finish must be called (the child waits for its output to be
 * read).
 */
void lmdbcheck_start(const struct lmdbcheck *c, struct lmdbcheck_job *job);
int lmdbcheck_finish(const struct lmdbcheck *c, struct lmdbcheck_job *job,
		     struct lmdbcheck_result *ret)
    __attribute__((warn_unused_result));

/* lmdbcheck_tag - the checksum of key k and value v: CRC-32C over both. */
uint32_t lmdbcheck_tag(const void *k, size_t klen, const void *v, size_t vlen);

/*
 * lmdbcheck_untag - v (the value of k) without its checksum when values
 * are tagged: 0, or -EUCLEAN when it does not match (or there is none
 * where one must be).
 */
int lmdbcheck_untag(bool tagged, const MDB_val *k, MDB_val *v)
    __attribute__((warn_unused_result));

/*
 * lmdbcheck_length - 0 when the data file of env holds every page env says
 * it has (reading past its end raises SIGBUS), else -EUCLEAN and the
 * figures into why[cap] (why may be NULL), what naming the file there
 * ("store", "outbox"); or -errno.
 */
int lmdbcheck_length(MDB_env *env, const char *what, char *why, size_t cap)
    __attribute__((warn_unused_result));

#endif
