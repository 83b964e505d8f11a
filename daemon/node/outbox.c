/*
 * outbox.c - the node's LMDB store (see outbox.h): opening it, values and
 * their checksums, meta numbers, the commit of a write transaction.
 * Transactions of intake (appends, refs, key epochs' checks) are in
 * outbox_txn.c; reads outside one (an envelope, the state, a run of
 * envelopes) in outbox_read.c; the marks kept in meta (diverged, the ref
 * key's fingerprint, grants) in outbox_meta.c; acknowledgements, refusals
 * and dead letters in outbox_ack.c; the check of an outbox that is not
 * open, and the swap-in, in outbox_check.c.
 */
#include "outbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "bytes.h"
#include "daemon.h"
#include "keys.h"
#include "log.h"
#include "outbox_int.h"

#define FORMAT_VALUE "kuska-outbox-2 (values checksummed)"
/* A failed write with less than this free is a full disk. */
#define DISK_LOW_BYTES (16u << 20)

/* LMDB's codes onto ours. */
int
outbox_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		return -EFBIG;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return -EUCLEAN;
	default:
		/* The kernel's "file too large" (a file size limit, the file
		 * system's largest file) is a write that failed, not the
		 * map full, which -EFBIG means here (as store_err). */
		if (rc == EFBIG)
			return -EIO;
		return rc > 0 ? -rc : -EIO;
	}
}

/*
 * Puts a value of vlen bytes with its checksum: reserves the room in the
 * page and returns where the value goes in *ret (the caller fills it, then
 * calls outbox_seal). flags are LMDB's.
 */
int
outbox_reserve(struct outbox *ob, MDB_txn *txn, MDB_dbi dbi, MDB_val *k,
	       size_t vlen, unsigned flags, uint8_t **ret)
{
	MDB_val v = {vlen + (ob->tagged ? LMDBCHECK_TAG_LEN : 0), NULL};
	int rc;

	rc = mdb_put(txn, dbi, k, &v, flags | MDB_RESERVE);
	if (rc != 0)
		return outbox_err(rc);
	*ret = v.mv_data;
	return 0;
}

void
outbox_seal(struct outbox *ob, const MDB_val *k, uint8_t *v, size_t vlen)
{
	if (ob->tagged)
		bytes_put_be32(v + vlen,
			       lmdbcheck_tag(k->mv_data, k->mv_size, v, vlen));
}

int
outbox_tput(struct outbox *ob, MDB_txn *txn, MDB_dbi dbi, MDB_val *k,
	    const void *v, size_t vlen, unsigned flags)
{
	uint8_t *p = NULL;
	int r;

	r = outbox_reserve(ob, txn, dbi, k, vlen, flags, &p);
	if (r != 0)
		return r;
	if (vlen > 0)
		memcpy(p, v, vlen);
	outbox_seal(ob, k, p, vlen);
	return 0;
}

int
outbox_tget(struct outbox *ob, MDB_txn *txn, MDB_dbi dbi, MDB_val *k,
	    MDB_val *v)
{
	int rc = mdb_get(txn, dbi, k, v);

	if (rc != 0)
		return outbox_err(rc);
	return lmdbcheck_untag(ob->tagged, k, v);
}

/* A meta number: 0 when absent, -EUCLEAN when damaged. */
int
outbox_meta_get(struct outbox *ob, MDB_txn *txn, const char *name,
		uint64_t *ret)
{
	MDB_val k = {strlen(name), (void *)name}, v;
	int r = outbox_tget(ob, txn, ob->meta, &k, &v);

	*ret = 0;
	if (r == -ENOENT)
		return 0;
	if (r != 0)
		return r;
	if (v.mv_size != 8)
		return -EUCLEAN;
	*ret = bytes_get_be64(v.mv_data);
	return 0;
}

int
outbox_meta_put(struct outbox *ob, MDB_txn *txn, const char *name, uint64_t val)
{
	uint8_t b[8];
	MDB_val k = {strlen(name), (void *)name};

	bytes_put_be64(b, val);
	return outbox_tput(ob, txn, ob->meta, &k, b, 8, 0);
}

/*
 * Whether values carry checksums (the format key, or a new outbox, which
 * gets it), and the outbox's identity (made for one that has none).
 */
static int
settle_format(struct outbox *ob, MDB_txn *txn)
{
	MDB_val k = {strlen(FORMAT_KEY), FORMAT_KEY}, v;
	MDB_val ik = {9, "outbox_id"};
	MDB_stat ms;
	int rc;

	rc = mdb_get(txn, ob->meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		ob->tagged =
		    !(mdb_stat(txn, ob->meta, &ms) == 0 && ms.ms_entries > 0) &&
		    !(mdb_stat(txn, ob->outbox, &ms) == 0 && ms.ms_entries > 0);
		if (ob->tagged && !ob->ro) {
			rc = outbox_tput(ob, txn, ob->meta, &k, FORMAT_VALUE,
					 sizeof(FORMAT_VALUE) - 1, 0);
			if (rc != 0)
				return rc;
		}
	} else if (rc != 0) {
		return outbox_err(rc);
	} else {
		ob->tagged = true;
	}
	rc = outbox_tget(ob, txn, ob->meta, &ik, &v);
	if (rc == 0 && v.mv_size == OUTBOX_ID_LEN) {
		memcpy(ob->id, v.mv_data, OUTBOX_ID_LEN);
		return 0;
	}
	if (rc != 0 && rc != -ENOENT)
		return rc;
	{
		uint64_t a = keys_random64(), b = keys_random64();
		bytes_put_be64(ob->id, a);
		bytes_put_be64(ob->id + 8, b);
	}
	if (ob->ro)
		return 0; /* read only: an identity of this opening's */
	return outbox_tput(ob, txn, ob->meta, &ik, ob->id, OUTBOX_ID_LEN, 0);
}

/*
 * The dead letters' summary made for an outbox that keeps none (of an
 * earlier kuska) or none that matches its dead letters. In a transaction
 * of its own: an outbox too full to take it opens all the same, and its
 * reads count the dead letters instead.
 */
static void
settle_dead_sum(struct outbox *ob)
{
	MDB_txn *txn;
	int r;

	if (mdb_txn_begin(ob->env, NULL, 0, &txn) != 0)
		return;
	r = outbox_dead_sum_settle(ob, txn);
	if (r == 1) {
		r = outbox_commit_lmdb(ob, txn);
	} else {
		mdb_txn_abort(txn); /* kept: no write at each opening */
	}
	if (r != 0)
		log_debug("event=dead_summary_not_kept error=\"%s\"",
			  strerror(-r));
}

/*
 * Notes from which sequence on the refs stored were checked for their
 * victim's identity (outbox_ref_checked): the next, at the first opening
 * by a kuska that checks them (1 for a new outbox), and again at one
 * after a kuska that keeps no mark wrote (`stale`: its stamp left behind
 * as the outbox opened; a downgrade and back), as that one's refs past
 * the old mark may hold an identity: the refs stored before, checked or
 * not, are withheld. The mark is kept in ob too (refs_from), which
 * outbox_ref_checked reads: only this and outbox_refs_checked_put move
 * it. In a transaction of its own: one that fails leaves the mark as it
 * was, every ref taken as unchecked meanwhile, and the stamp unrenewed,
 * so that the next opening tries again.
 */
static void
settle_refs_checked(struct outbox *ob, bool stale)
{
	uint64_t from, next = 0;
	MDB_txn *txn;
	int r;

	if (mdb_txn_begin(ob->env, NULL, 0, &txn) != 0)
		return;
	r = outbox_meta_get(ob, txn, OUTBOX_REFS_CHECKED_KEY, &from);
	if (r == 0 && from != 0 && !stale) {
		mdb_txn_abort(txn);
		ob->refs_from = from;
		ob->refs_ready = true;
		return;
	}
	if (r == 0)
		r = outbox_meta_get(ob, txn, "next_seq", &next);
	from = next != 0 ? next : 1;
	if (r == 0)
		r = outbox_meta_put(ob, txn, OUTBOX_REFS_CHECKED_KEY, from);
	ob->refs_ready = r == 0; /* this commit stamps it */
	if (r == 0)
		r = outbox_commit_lmdb(ob, txn);
	else
		mdb_txn_abort(txn);
	if (r != 0) {
		ob->refs_ready = false;
		log_debug("event=refs_checked_not_kept error=\"%s\"",
			  strerror(-r));
	} else {
		ob->refs_from = from;
	}
}

/* A table of the store: made if absent, or (read only) looked for; the
 * case stages' (`optional`: an earlier kuska's outbox may lack them) are
 * never read in an outbox read only, absent or not. */
static int
open_table(struct outbox *ob, MDB_txn *txn, const char *name, bool optional,
	   MDB_dbi *ret)
{
	int rc = mdb_dbi_open(txn, name, ob->ro ? 0 : MDB_CREATE, ret);

	return rc == MDB_NOTFOUND && optional ? 0 : rc;
}

static int
open_store(const char *dir, size_t map_size, bool ro, struct outbox **ret)
{
	struct outbox *ob;
	MDB_txn *txn = NULL;
	bool stale, epochs_stale, refs_stale;
	int rc, r;

	if (!ro && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	ob = calloc(1, sizeof(*ob));
	if (ob == NULL)
		return -ENOMEM;
	ob->ro = ro;
	ob->dir = strdup(dir);
	if (ob->dir == NULL) {
		free(ob);
		return -ENOMEM;
	}
	/* Read only too: LMDB writes a reader's slot into lock.mdb. */
	if ((rc = daemon_reserve_lock(dir)) != 0) {
		free(ob->dir);
		free(ob);
		return rc;
	}
	rc = mdb_env_create(&ob->env);
	if (rc != 0)
		goto fail;
	if ((rc = mdb_env_set_maxdbs(ob->env, 10)) != 0 ||
	    (rc = mdb_env_set_mapsize(ob->env, map_size)) != 0 ||
	    (rc = mdb_env_open(ob->env, dir, MDB_NOTLS | (ro ? MDB_RDONLY : 0),
			       0600)) != 0)
		goto fail;
	if (lmdbcheck_length(ob->env, "outbox", NULL, 0) != 0) {
		rc = MDB_CORRUPTED;
		goto fail;
	}
	/* A reader that died (a crashed check) must not pin old pages. */
	(void)mdb_reader_check(ob->env, NULL);
	if ((rc = mdb_txn_begin(ob->env, NULL, ro ? MDB_RDONLY : 0, &txn)) != 0)
		goto fail;
	if ((rc = open_table(ob, txn, "outbox", false, &ob->outbox)) ||
	    (rc = open_table(ob, txn, "refs", false, &ob->refs)) ||
	    (rc = open_table(ob, txn, "seqref", false, &ob->seqref)) ||
	    (rc = open_table(ob, txn, "dead", false, &ob->dead)) ||
	    (rc = open_table(ob, txn, "meta", false, &ob->meta)) ||
	    (rc = open_table(ob, txn, "stages", true, &ob->stages)) ||
	    (rc = open_table(ob, txn, "stageof", true, &ob->stageof)) ||
	    (rc = open_table(ob, txn, "stagrec", true, &ob->stagrec))) {
		mdb_txn_abort(txn);
		goto fail;
	}
	r = settle_format(ob, txn);
	/* Of the last commit before this opening's, which keeps no stamp
	 * (read once settle_format says whether values carry a checksum). */
	stale = !outbox_stamp_current(ob, txn, OUTBOX_COMMIT_STAMP);
	epochs_stale = !outbox_epochs_current(ob, txn);
	refs_stale = !outbox_stamp_current(ob, txn, OUTBOX_REFS_CHECKED_STAMP);
	if (r != 0) {
		mdb_txn_abort(txn);
		mdb_env_close(ob->env);
		free(ob->dir);
		free(ob);
		return r;
	}
	/* Read only: its tables kept open, nothing written. */
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto fail;
	if (!ro) {
		/* Kept ones stamped by the commits that follow; counted
		 * again once the dead letters' summary, which checks its
		 * own stamp (that a commit would renew), is settled. */
		ob->epochs_ready = !epochs_stale;
		settle_dead_sum(ob);
		settle_refs_checked(ob, refs_stale);
		outbox_epochs_settle(ob, epochs_stale);
		outbox_stages_settle(ob, stale);
	}
	*ret = ob;
	return 0;
fail:
	if (ob->env != NULL)
		mdb_env_close(ob->env);
	free(ob->dir);
	free(ob);
	return outbox_err(rc);
}

int
outbox_open(const char *dir, size_t map_size, struct outbox **ret)
{
	return open_store(dir, map_size, false, ret);
}

int
outbox_open_read(const char *dir, size_t map_size, struct outbox **ret)
{
	return open_store(dir, map_size, true, ret);
}

void
outbox_close(struct outbox **ob)
{
	if (ob == NULL || *ob == NULL)
		return;
	mdb_env_close((*ob)->env);
	free((*ob)->dir);
	free(*ob);
	*ob = NULL;
}

const char *
outbox_dir(const struct outbox *ob)
{
	return ob->dir;
}

void
outbox_id(const struct outbox *ob, uint8_t ret[OUTBOX_ID_LEN])
{
	memcpy(ret, ob->id, OUTBOX_ID_LEN);
}

/*
 * A write that failed for lack of room: LMDB reports a short write as
 * EIO, so ask the file system how much is left.
 */
static int
write_error(const struct outbox *ob, int err)
{
	struct statvfs vfs;

	if (err != -EIO && err != -ENOSPC)
		return err;
	if (statvfs(ob->dir, &vfs) != 0)
		return err;
	if ((uint64_t)vfs.f_bavail * vfs.f_frsize < DISK_LOW_BYTES)
		return -ENOSPC;
	return err;
}

int
outbox_commit_lmdb(struct outbox *ob, MDB_txn *txn)
{
	int r = outbox_dead_sum_stamp(ob, txn);

	if (r == 0)
		r = outbox_epochs_stamp(ob, txn);
	if (r == 0 && ob->refs_ready)
		r = outbox_meta_put(ob, txn, OUTBOX_REFS_CHECKED_STAMP,
				    mdb_txn_id(txn));
	if (r != 0) {
		mdb_txn_abort(txn);
		return write_error(ob, r);
	}
	return write_error(ob, outbox_err(mdb_txn_commit(txn)));
}
