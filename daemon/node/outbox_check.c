/*
 * outbox_check.c - what works on an outbox's files while no one has it
 * open: the whole-outbox check (every entry read and its checksum
 * verified in a child, lmdbcheck.h, so that LMDB meeting a damaged page
 * cannot crash the node) and the swap-in of an outbox rebuilt by
 * --recover. See outbox.h.
 */
#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "date.h"
#include "guard.h"
#include "lmdbcheck.h"
#include "outbox_int.h"

/* A damaged entry's record: table name (8), has seq (1), seq (8). */
#define DAMAGED_REC_LEN (1 + 8 + 1 + 8)

static const char *const tables[] = {"outbox", "refs",	 "seqref",  "dead",
				     "meta",   "stages", "stageof", "stagrec"};

/* A damaged entry, for the parent: its table and, if keyed so, its seq. */
static void
emit_damaged(int fd, const char *table, const MDB_val *k)
{
	uint8_t rec[DAMAGED_REC_LEN] = {LMDBCHECK_DAMAGED};
	bool by_seq = strcmp(table, "refs") != 0 && strcmp(table, "meta") != 0;

	memcpy(rec + 1, table, strlen(table));
	rec[9] = by_seq && k->mv_size == 8;
	if (rec[9])
		memcpy(rec + 10, k->mv_data, 8);
	(void)guard_write(fd, rec, sizeof(rec));
}

/* An entry of a table, in the check's child: its checksum. */
static void
check_entry(int fd, size_t table, bool tagged, const MDB_val *k, MDB_val *v)
{
	if (lmdbcheck_untag(tagged, k, v) != 0)
		emit_damaged(fd, tables[table], k);
}

static int
report_add(void *arg, const uint8_t *rec)
{
	struct outbox_report *ret = arg;
	struct outbox_damage *d;

	ret->n_damaged++;
	if (ret->damaged == NULL)
		ret->damaged = calloc(OUTBOX_MAX_LISTED, sizeof(*ret->damaged));
	if (ret->damaged == NULL)
		return -ENOMEM;
	if (ret->n_listed < OUTBOX_MAX_LISTED) {
		d = &ret->damaged[ret->n_listed++];
		memcpy(d->table, rec + 1, 7);
		d->has_seq = rec[9] != 0;
		d->seq = bytes_get_be64(rec + 10);
	}
	return 0;
}

/* A check under way: what lmdbcheck_start was given stays here. */
struct outbox_checking {
	struct lmdbcheck c;
	struct lmdbcheck_job job;
};

struct outbox_checking *
outbox_check_start(const char *dir)
{
	struct outbox_checking *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->c = (struct lmdbcheck){
	    .dir = dir,
	    .tables = tables,
	    .n_tables = sizeof(tables) / sizeof(tables[0]),
	    .meta = 4, /* "meta" */
	    .format_key = FORMAT_KEY,
	    .other_table = "t00", /* a consolidator's (a data_dir mistyped) */
	    .what = "outbox",
	    .entry = check_entry,
	    .damaged_len = DAMAGED_REC_LEN,
	    .damaged = report_add,
	};
	lmdbcheck_start(&k->c, &k->job);
	return k;
}

int
outbox_check_finish(struct outbox_checking **chk, struct outbox_report *ret)
{
	struct outbox_checking *k = *chk;
	struct lmdbcheck_result res;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (k == NULL)
		return -ENOMEM;
	*chk = NULL;
	k->c.arg = ret; /* report_add runs here, in this process */
	r = lmdbcheck_finish(&k->c, &k->job, &res);
	free(k);
	ret->unreadable = res.unreadable;
	snprintf(ret->why, sizeof(ret->why), "%s", res.why);
	ret->unchecked = res.unchecked;
	ret->entries = res.entries;
	return r;
}

int
outbox_check(const char *dir, struct outbox_report *ret)
{
	struct outbox_checking *k = outbox_check_start(dir);

	return outbox_check_finish(&k, ret);
}

void
outbox_report_clear(struct outbox_report *r)
{
	free(r->damaged);
	memset(r, 0, sizeof(*r));
}

bool
outbox_sound(const struct outbox_report *r)
{
	return !r->unreadable && r->n_damaged == 0;
}

/*
 * Gives the data file dir/data.mdb a second name, dir/data.mdb.before-
 * recover-TIME (".2", ".3"... after it when a recovery of the same second
 * took that name: a second --recover must not replace the first one's
 * copy, which may be the only one of the outbox before a theft). Its name
 * into moved_to, "" when there is no data file. Returns 0 or -errno.
 */
static int
keep_old(const char *old, const char *dir, char *moved_to, size_t cap)
{
	char stamp[DATE_STAMP_SIZE];
	unsigned i;
	int e;

	date_stamp(stamp);
	for (i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(moved_to, cap, "%s/data.mdb.before-recover-%s",
				 dir, stamp);
		else
			snprintf(moved_to, cap,
				 "%s/data.mdb.before-recover-%s.%u", dir, stamp,
				 i);
		if (link(old, moved_to) == 0)
			return 0;
		e = errno;
		if (e == ENOENT) {
			moved_to[0] = '\0';
			return 0;
		}
		/* A file system without hard links: renamed, as long as
		 * the name is free (the outbox's lock keeps out any other
		 * kuska-node of this directory). */
		if (e == EPERM || e == EOPNOTSUPP) {
			if (access(moved_to, F_OK) == 0)
				continue;
			return rename(old, moved_to) == 0 ? 0 : -errno;
		}
		if (e != EEXIST)
			return -e;
	}
	return -EEXIST;
}

int
outbox_swap_in(const char *dir, const char *fresh_dir, char *moved_to,
	       size_t cap)
{
	char old[4096], fresh[4096];
	int fd, r;

	/* A second name, then the fresh file renamed over the first: at
	 * every moment dir has a data file, the old or the fresh one. */
	snprintf(old, sizeof(old), "%s/data.mdb", dir);
	if ((r = keep_old(old, dir, moved_to, cap)) != 0)
		return r;
	snprintf(fresh, sizeof(fresh), "%s/data.mdb", fresh_dir);
	if (rename(fresh, old) != 0) {
		r = -errno;
		/* The old file stays the outbox: its second name goes, or
		 * the copy would change with it. */
		if (moved_to[0] != '\0' && access(old, F_OK) == 0)
			(void)unlink(moved_to);
		return r;
	}
	snprintf(old, sizeof(old), "%s/lock.mdb", dir);
	(void)unlink(old);
	snprintf(fresh, sizeof(fresh), "%s/lock.mdb", fresh_dir);
	(void)unlink(fresh);
	(void)rmdir(fresh_dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	return 0;
}
