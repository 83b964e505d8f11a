/*
 * store_check.c - the whole-store check (lmdbcheck.h: in a child, so that
 * LMDB meeting a damaged page cannot crash the caller) and the repair it
 * leads to: the data file set aside, damaged entries dropped. See store.h.
 */
#include "store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "guard.h"
#include "lmdbcheck.h"
#include "store_int.h"

#define DAMAGED_REC_LEN (3 + STORE_KEY_LISTED) /* table, key length, key */

/* A damaged entry, for the parent: its table and its key's first bytes. */
static void
emit_damaged(int fd, size_t tb, const MDB_val *k)
{
	uint8_t rec[DAMAGED_REC_LEN] = {LMDBCHECK_DAMAGED, (uint8_t)tb};
	size_t kl =
	    k->mv_size < STORE_KEY_LISTED ? k->mv_size : STORE_KEY_LISTED;

	rec[2] = (uint8_t)(k->mv_size > 255 ? 255 : k->mv_size);
	memcpy(rec + 3, k->mv_data, kl);
	(void)guard_write(fd, rec, sizeof(rec));
}

/* An entry of a table, in the check's child: its checksum. */
static void
check_entry(int fd, size_t tb, bool tagged, const MDB_val *k, MDB_val *v)
{
	if (lmdbcheck_untag(tagged, k, v) != 0)
		emit_damaged(fd, tb, k);
}

static int
report_add(void *arg, const uint8_t *rec)
{
	struct store_report *r = arg;
	struct store_damage *d;

	if (rec[1] >= T_COUNT)
		return 0;
	r->n_damaged++;
	r->damaged_in[rec[1]]++;
	if (r->n_listed == STORE_MAX_LISTED)
		return 0;
	if (r->damaged == NULL) {
		r->damaged = calloc(STORE_MAX_LISTED, sizeof(*r->damaged));
		if (r->damaged == NULL)
			return -ENOMEM;
	}
	d = &r->damaged[r->n_listed++];
	d->tb = (enum store_table)rec[1];
	d->klen = rec[2];
	memcpy(d->key, rec + 3,
	       d->klen < STORE_KEY_LISTED ? d->klen : STORE_KEY_LISTED);
	return 0;
}

/* A check under way: what lmdbcheck_start was given stays here. */
struct store_checking {
	char names[T_COUNT][8];
	const char *tables[T_COUNT];
	struct lmdbcheck c;
	struct lmdbcheck_job job;
};

struct store_checking *
store_check_start(const char *dir)
{
	struct store_checking *k = calloc(1, sizeof(*k));
	int i;

	if (k == NULL)
		return NULL;
	for (i = 0; i < T_COUNT; i++) {
		snprintf(k->names[i], sizeof(k->names[i]), "t%02d", i);
		k->tables[i] = k->names[i];
	}
	k->c = (struct lmdbcheck){
	    .dir = dir,
	    .tables = k->tables,
	    .n_tables = T_COUNT,
	    .meta = T_META,
	    .format_key = FORMAT_KEY,
	    .other_table = "outbox", /* a node's (a data_dir mistyped) */
	    .what = "store",
	    .entry = check_entry,
	    .damaged_len = DAMAGED_REC_LEN,
	    .damaged = report_add,
	};
	lmdbcheck_start(&k->c, &k->job);
	return k;
}

int
store_check_finish(struct store_checking **chk, struct store_report *ret)
{
	struct store_checking *k = *chk;
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
store_check(const char *dir, struct store_report *ret)
{
	struct store_checking *k = store_check_start(dir);

	return store_check_finish(&k, ret);
}

void
store_report_clear(struct store_report *r)
{
	free(r->damaged);
	memset(r, 0, sizeof(*r));
}

bool
store_sound(const struct store_report *r)
{
	return !r->unreadable && r->n_damaged == 0;
}

int
store_set_aside(const char *dir, char *moved_to, size_t cap)
{
	char from[4096], lock[4096], stamp[DATE_STAMP_SIZE];

	snprintf(from, sizeof(from), "%s/data.mdb", dir);
	snprintf(moved_to, cap, "%s/data.mdb.damaged-%s", dir,
		 date_stamp(stamp));
	snprintf(lock, sizeof(lock), "%s/lock.mdb", dir);
	if (rename(from, moved_to) != 0)
		return -errno;
	if (unlink(lock) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
store_drop_damaged(struct store_txn *t, const struct store_report *r)
{
	size_t i;
	int rc;

	for (i = 0; i < r->n_listed; i++) {
		const struct store_damage *d = &r->damaged[i];
		MDB_val k = {d->klen, (void *)d->key};
		if (d->klen > STORE_KEY_LISTED)
			continue;
		rc = mdb_del(t->txn, t->st->dbi[d->tb], &k, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return store_err(rc);
		if (d->tb == T_META && d->klen == strlen(FORMAT_KEY) &&
		    memcmp(d->key, FORMAT_KEY, d->klen) == 0) {
			rc = store_write_format(t->st, t->txn);
			if (rc != 0)
				return store_err(rc);
		}
	}
	return 0;
}
