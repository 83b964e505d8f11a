/*
 * outbox_check.c - what works on an outbox's files while no one has it
 * open: the whole-outbox check (every entry read and its checksum
 * verified in a child, guard.h, so that LMDB meeting a damaged page
 * cannot crash the node) and the swap-in of an outbox rebuilt by
 * --recover. See outbox.h.
 */
#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "daemon.h"
#include "guard.h"
#include "lmdbwalk.h"
#include "outbox_int.h"

/* Records the child writes for the parent, each starting with its kind. */
#define REC_DAMAGED 'D'	   /* table name (8), has seq (1), seq (8) */
#define REC_UNREADABLE 'U' /* text length, text */
#define REC_SUMMARY 'S'	   /* entries (8), unchecked (1) */
#define REC_OTHER 'X'	   /* the consolidator's tables */
#define DAMAGED_REC_LEN (1 + 8 + 1 + 8)

static const char *const tables[] = {"outbox", "refs", "seqref", "dead",
				     "meta"};

static void
emit_damaged(int fd, const char *table, const MDB_val *k)
{
	uint8_t rec[DAMAGED_REC_LEN] = {REC_DAMAGED};
	bool by_seq = strcmp(table, "refs") != 0 && strcmp(table, "meta") != 0;

	memcpy(rec + 1, table, strlen(table));
	rec[9] = by_seq && k->mv_size == 8;
	if (rec[9])
		memcpy(rec + 10, k->mv_data, 8);
	(void)guard_write(fd, rec, sizeof(rec));
}

struct check_ctx {
	const char *table;
	bool tagged;
	int fd;
};

/* An entry of a table: its checksum. */
static void
check_entry(void *arg, const MDB_val *k, MDB_val *v)
{
	const struct check_ctx *c = arg;

	if (outbox_untag(c->tagged, k, v) != 0)
		emit_damaged(c->fd, c->table, k);
}

static int
check_child(void *arg, int fd)
{
	const char *dir = arg;
	char path[4096], why[256];
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi[5];
	MDB_val fk = {strlen(FORMAT_KEY), FORMAT_KEY}, fv;
	MDB_stat ms;
	const char *odd;
	uint8_t sum[10] = {REC_SUMMARY};
	uint64_t entries = 0;
	bool tagged, any = false;
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (access(path, F_OK) != 0)
		goto summary; /* nothing stored yet */
	if ((odd = daemon_data_file_odd(path)) != NULL) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s", odd);
		return 0;
	}
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, 8)) != 0 ||
	    (rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600)) != 0)
		goto unreadable;
	if (outbox_check_length(env, why, sizeof(why)) != 0) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s", why);
		mdb_env_close(env);
		return 0;
	}
	if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0)
		goto unreadable;
	/* A consolidator's store (a data_dir mistyped): never "repaired". */
	if (mdb_dbi_open(txn, "t00", 0, &dbi[0]) == 0) {
		uint8_t x = REC_OTHER;
		(void)guard_write(fd, &x, 1);
		mdb_txn_abort(txn);
		mdb_env_close(env);
		return 0;
	}
	for (i = 0; i < 5; i++) {
		rc = mdb_dbi_open(txn, tables[i], 0, &dbi[i]);
		if (rc == MDB_NOTFOUND) {
			dbi[i] = 0;
			continue;
		}
		if (rc != 0)
			goto unreadable;
		if (mdb_stat(txn, dbi[i], &ms) == 0 && ms.ms_entries > 0)
			any = true;
	}
	tagged = dbi[4] != 0 && mdb_get(txn, dbi[4], &fk, &fv) == 0;
	for (i = 0; i < 5; i++) {
		if (dbi[i] == 0)
			continue;
		struct check_ctx c = {tables[i], tagged, fd};

		rc = lmdbwalk_table(txn, dbi[i], check_entry, &c, &entries);
		if (rc != 0) {
			(void)guard_write_text(fd, REC_UNREADABLE,
					       "table %s: %s", tables[i],
					       mdb_strerror(rc));
			break;
		}
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
	sum[9] = !tagged && any;
summary:
	bytes_put_be64(sum + 1, entries);
	(void)guard_write(fd, sum, sizeof(sum));
	return 0;
unreadable:
	(void)guard_write_text(fd, REC_UNREADABLE, "%s", mdb_strerror(rc));
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (env != NULL)
		mdb_env_close(env);
	return 0;
}

int
outbox_check(const char *dir, struct outbox_report *ret)
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
	r = 0;
	while (i < len) {
		if (out[i] == REC_DAMAGED && i + DAMAGED_REC_LEN <= len) {
			struct outbox_damage *d;
			ret->n_damaged++;
			if (ret->damaged == NULL)
				ret->damaged = calloc(OUTBOX_MAX_LISTED,
						      sizeof(*ret->damaged));
			if (ret->damaged == NULL) {
				r = -ENOMEM;
				break;
			}
			if (ret->n_listed < OUTBOX_MAX_LISTED) {
				d = &ret->damaged[ret->n_listed++];
				memcpy(d->table, out + i + 1, 7);
				d->has_seq = out[i + 9] != 0;
				d->seq = bytes_get_be64(out + i + 10);
			}
			i += DAMAGED_REC_LEN;
		} else if (out[i] == REC_UNREADABLE && i + 2 <= len &&
			   i + 2 + out[i + 1] <= len) {
			if (!ret->unreadable)
				snprintf(ret->why, sizeof(ret->why), "%.*s",
					 (int)out[i + 1],
					 (const char *)out + i + 2);
			ret->unreadable = true;
			i += 2 + out[i + 1];
		} else if (out[i] == REC_SUMMARY && i + 10 <= len) {
			ret->entries = bytes_get_be64(out + i + 1);
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
	char old[4096], fresh[4096], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(old, sizeof(old), "%s/data.mdb", dir);
	snprintf(moved_to, cap, "%s/data.mdb.before-recover-%s", dir, stamp);
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
