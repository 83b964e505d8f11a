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

static const char *const tables[] = {"outbox", "refs", "seqref", "dead",
				     "meta"};

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

int
outbox_check(const char *dir, struct outbox_report *ret)
{
	struct lmdbcheck c = {
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
	    .arg = ret,
	};
	struct lmdbcheck_result res;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = lmdbcheck_run(&c, &res);
	ret->unreadable = res.unreadable;
	snprintf(ret->why, sizeof(ret->why), "%s", res.why);
	ret->unchecked = res.unchecked;
	ret->entries = res.entries;
	return r;
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

int
outbox_swap_in(const char *dir, const char *fresh_dir, char *moved_to,
	       size_t cap)
{
	char old[4096], fresh[4096], stamp[DATE_STAMP_SIZE];
	int fd;

	snprintf(old, sizeof(old), "%s/data.mdb", dir);
	snprintf(moved_to, cap, "%s/data.mdb.before-recover-%s", dir,
		 date_stamp(stamp));
	if (rename(old, moved_to) != 0) {
		if (errno != ENOENT)
			return -errno;
		moved_to[0] = '\0';
	}
	snprintf(fresh, sizeof(fresh), "%s/data.mdb", fresh_dir);
	if (rename(fresh, old) != 0)
		return -errno;
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
