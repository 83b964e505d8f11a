/*
 * store_check.c - the whole-store check, run in a child (guard.h) so that
 * LMDB meeting a damaged page cannot crash the caller, and the repair it
 * leads to: the data file set aside, damaged entries dropped. See store.h.
 */
#include "store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "guard.h"
#include "lmdbwalk.h"
#include "store_int.h"

/* Records the child writes for the parent, each starting with its kind. */
#define REC_DAMAGED 'D'	   /* table, key length, 16 key bytes */
#define REC_UNREADABLE 'U' /* text length, text */
#define REC_SUMMARY 'S'	   /* entries (8 bytes), unchecked (1 byte) */
#define REC_OTHER 'X'	   /* a node's tables */
#define DAMAGED_REC_LEN (3 + STORE_KEY_LISTED)

static void
emit_damaged(int fd, int tb, const MDB_val *k)
{
	uint8_t rec[DAMAGED_REC_LEN] = {REC_DAMAGED, (uint8_t)tb};
	size_t kl =
	    k->mv_size < STORE_KEY_LISTED ? k->mv_size : STORE_KEY_LISTED;

	rec[2] = (uint8_t)(k->mv_size > 255 ? 255 : k->mv_size);
	memcpy(rec + 3, k->mv_data, kl);
	(void)guard_write(fd, rec, sizeof(rec));
}

static void
emit_summary(int fd, uint64_t entries, bool unchecked)
{
	uint8_t rec[10] = {REC_SUMMARY};

	store_be64(rec + 1, entries);
	rec[9] = unchecked;
	(void)guard_write(fd, rec, sizeof(rec));
}

struct check_ctx {
	const struct store *st;
	int tb;
	int fd;
};

/* An entry of a table: its checksum. */
static void
check_entry(void *arg, const MDB_val *k, MDB_val *v)
{
	const struct check_ctx *c = arg;

	if (store_untag(c->st, k, v) != 0)
		emit_damaged(c->fd, c->tb, k);
}

static int
check_child(void *arg, int fd)
{
	struct store st = {.dir = arg};
	char path[4096], why[256];
	MDB_txn *txn = NULL;
	MDB_val fk = {strlen(FORMAT_KEY), FORMAT_KEY}, fv;
	MDB_stat ms;
	const char *odd;
	uint64_t entries = 0;
	bool any = false;
	int i, rc;

	snprintf(path, sizeof(path), "%s/data.mdb", st.dir);
	if (access(path, F_OK) != 0) {
		emit_summary(fd, 0, false); /* nothing stored yet */
		return 0;
	}
	if ((odd = daemon_data_file_odd(path)) != NULL) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s", odd);
		return 0;
	}
	if ((rc = mdb_env_create(&st.env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st.env, T_COUNT + 4)) != 0 ||
	    (rc = mdb_env_open(st.env, st.dir, MDB_RDONLY | MDB_NOTLS, 0600)) !=
		0) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s",
				       mdb_strerror(rc));
		return 0;
	}
	if (store_check_length(st.env, why, sizeof(why)) != 0) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s", why);
		return 0;
	}
	if ((rc = mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn)) != 0)
		goto unreadable;
	/* A node's outbox (a data_dir mistyped): never "repaired". */
	{
		MDB_dbi other;
		if (mdb_dbi_open(txn, "outbox", 0, &other) == 0) {
			uint8_t x = REC_OTHER;
			(void)guard_write(fd, &x, 1);
			mdb_txn_abort(txn);
			mdb_env_close(st.env);
			return 0;
		}
	}
	for (i = 0; i < T_COUNT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "t%02d", i);
		rc = mdb_dbi_open(txn, name, 0, &st.dbi[i]);
		if (rc == MDB_NOTFOUND) {
			st.dbi[i] = 0; /* not made yet */
			continue;
		}
		if (rc != 0)
			goto unreadable;
		if (mdb_stat(txn, st.dbi[i], &ms) == 0 && ms.ms_entries > 0)
			any = true;
	}
	st.tagged =
	    st.dbi[T_META] != 0 && mdb_get(txn, st.dbi[T_META], &fk, &fv) == 0;
	for (i = 0; i < T_COUNT; i++) {
		if (st.dbi[i] == 0)
			continue;
		struct check_ctx c = {&st, i, fd};

		rc = lmdbwalk_table(txn, st.dbi[i], check_entry, &c, &entries);
		if (rc != 0) {
			(void)guard_write_text(fd, REC_UNREADABLE,
					       "table t%02d: %s", i,
					       mdb_strerror(rc));
			break;
		}
	}
	mdb_txn_abort(txn);
	mdb_env_close(st.env);
	emit_summary(fd, entries, !st.tagged && any);
	return 0;
unreadable:
	(void)guard_write_text(fd, REC_UNREADABLE, "%s", mdb_strerror(rc));
	if (txn != NULL)
		mdb_txn_abort(txn);
	mdb_env_close(st.env);
	return 0;
}

static int
report_add(struct store_report *r, const uint8_t *rec)
{
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

int
store_check(const char *dir, struct store_report *ret)
{
	uint8_t *out;
	size_t len, i = 0;
	int r, sig;

	memset(ret, 0, sizeof(*ret));
	if ((r = daemon_data_access(dir)) != 0)
		return r; /* not the daemon's file: not damage */
	r = guard_run(check_child, (void *)dir, &out, &len, &sig);
	if (r < 0)
		return r;
	if (r == GUARD_CRASHED) {
		ret->unreadable = true;
		snprintf(ret->why, sizeof(ret->why),
			 "reading it crashed LMDB (%s): pages are damaged",
			 strsignal(sig));
	}
	while (i < len) {
		if (out[i] == REC_DAMAGED && i + DAMAGED_REC_LEN <= len) {
			r = report_add(ret, out + i);
			if (r != 0)
				break;
			i += DAMAGED_REC_LEN;
		} else if (out[i] == REC_UNREADABLE && i + 2 <= len &&
			   i + 2 + out[i + 1] <= len) {
			if (!ret->unreadable) /* the first cause */
				snprintf(ret->why, sizeof(ret->why), "%.*s",
					 (int)out[i + 1],
					 (const char *)out + i + 2);
			ret->unreadable = true;
			i += 2 + out[i + 1];
		} else if (out[i] == REC_SUMMARY && i + 10 <= len) {
			ret->entries = store_get64(out + i + 1);
			ret->unchecked = out[i + 9] != 0;
			i += 10;
		} else if (out[i] == REC_OTHER) {
			r = -EXDEV;
			break;
		} else {
			break;
		}
	}
	free(out);
	return r < 0 ? r : 0;
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
	char from[4096], lock[4096], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(from, sizeof(from), "%s/data.mdb", dir);
	snprintf(moved_to, cap, "%s/data.mdb.damaged-%s", dir, stamp);
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
