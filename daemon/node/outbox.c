/*
 * outbox.c - the node's LMDB store (see outbox.h): opening it, values and
 * their checksums, meta, the write transaction, appends, refs, reads.
 * Acknowledgements, refusals and dead letters are in outbox_ack.c; the
 * check of an outbox that is not open, and the swap-in, in outbox_check.c.
 */
#include "outbox.h"

#include <errno.h>
#include <stdio.h>
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
		return rc > 0 ? -rc : -EIO;
	}
}

/*
 * Puts a value of vlen bytes with its checksum: reserves the room in the
 * page and returns where the value goes in *ret (the caller fills it, then
 * calls seal). flags are LMDB's.
 */
static int
reserve(struct outbox *ob, MDB_txn *txn, MDB_dbi dbi, MDB_val *k, size_t vlen,
	unsigned flags, uint8_t **ret)
{
	MDB_val v = {vlen + (ob->tagged ? LMDBCHECK_TAG_LEN : 0), NULL};
	int rc;

	rc = mdb_put(txn, dbi, k, &v, flags | MDB_RESERVE);
	if (rc != 0)
		return outbox_err(rc);
	*ret = v.mv_data;
	return 0;
}

static void
seal(struct outbox *ob, const MDB_val *k, uint8_t *v, size_t vlen)
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

	r = reserve(ob, txn, dbi, k, vlen, flags, &p);
	if (r != 0)
		return r;
	if (vlen > 0)
		memcpy(p, v, vlen);
	seal(ob, k, p, vlen);
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
	bool stale, epochs_stale;
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
	if (r != 0) {
		mdb_txn_abort(txn);
		return write_error(ob, r);
	}
	return write_error(ob, outbox_err(mdb_txn_commit(txn)));
}

int
outbox_set_diverged(struct outbox *ob, const char *why)
{
	MDB_txn *txn;
	MDB_val k = {8, "diverged"};
	int r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (r != 0)
		return r;
	if (why[0] == '\0') {
		r = outbox_err(mdb_del(txn, ob->meta, &k, NULL));
		if (r == -ENOENT)
			r = 0;
	} else {
		r = outbox_tput(ob, txn, ob->meta, &k, why, strlen(why), 0);
	}
	if (r != 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return outbox_commit_lmdb(ob, txn);
}

/* The first envelope, decoded (outbox_first_origin). */
struct first_env {
	struct envelope env;
	bool ok;
};

static int
first_envelope(void *arg, uint64_t seq, uint64_t created_ms, const uint8_t *env,
	       size_t len)
{
	struct first_env *f = arg;

	(void)seq;
	(void)created_ms;
	f->ok = codec_envelope_decode(env, len, &f->env) == 0;
	return 0;
}

int
outbox_first_origin(struct outbox *ob, enum institution *inst, char *net,
		    size_t cap)
{
	struct first_env f;

	memset(&f, 0, sizeof(f));
	if (outbox_read(ob, 1, 1, first_envelope, &f) != 1)
		return -ENOENT;
	if (!f.ok)
		return -EBADMSG;
	*inst = f.env.inst;
	snprintf(net, cap, "%s", f.env.network);
	codec_envelope_clear(&f.env);
	return 0;
}

/* Whether v holds the ref key's fingerprint fp. */
static bool
same_fp(const MDB_val *v, const uint8_t fp[OUTBOX_REF_KEY_FP_LEN])
{
	return v->mv_size == OUTBOX_REF_KEY_FP_LEN &&
	       memcmp(v->mv_data, fp, OUTBOX_REF_KEY_FP_LEN) == 0;
}

int
outbox_ref_key_is(struct outbox *ob, const uint8_t fp[OUTBOX_REF_KEY_FP_LEN])
{
	MDB_txn *txn;
	MDB_val k = {13, "ref_key_check"}, v;
	int r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	r = outbox_tget(ob, txn, ob->meta, &k, &v);
	if (r == 0)
		r = same_fp(&v, fp) ? 0 : 1;
	mdb_txn_abort(txn);
	return r;
}

int
outbox_pin_ref_key(struct outbox *ob, const uint8_t fp[OUTBOX_REF_KEY_FP_LEN])
{
	MDB_txn *txn;
	MDB_val k = {13, "ref_key_check"}, v;
	int r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (r != 0)
		return r;
	r = outbox_tget(ob, txn, ob->meta, &k, &v);
	if (r == 0) {
		r = same_fp(&v, fp) ? 0 : 1;
		mdb_txn_abort(txn);
		return r;
	}
	if (r == -ENOENT)
		r = outbox_tput(ob, txn, ob->meta, &k, fp, 32, 0);
	if (r != 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return outbox_commit_lmdb(ob, txn);
}

bool
outbox_diverged(struct outbox *ob, char *out, size_t cap)
{
	MDB_txn *txn;
	MDB_val k = {8, "diverged"}, v;
	bool found = false;

	if (mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn) != 0)
		return false;
	if (outbox_tget(ob, txn, ob->meta, &k, &v) == 0) {
		found = true;
		snprintf(out, cap, "%.*s", (int)v.mv_size,
			 (const char *)v.mv_data);
	}
	mdb_txn_abort(txn);
	return found;
}

int
outbox_grants_put(struct outbox *ob, uint32_t kinds, uint32_t stages)
{
	MDB_txn *txn;
	int r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (r != 0)
		return r;
	/* Bit 63: said (a value of 0 is "may emit nothing"). */
	r = outbox_meta_put(ob, txn, "grants",
			    1ull << 63 | (uint64_t)kinds << 32 | stages);
	if (r != 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return outbox_commit_lmdb(ob, txn);
}

int
outbox_grants_get(struct outbox *ob, uint32_t *ret_kinds, uint32_t *ret_stages)
{
	MDB_txn *txn;
	uint64_t v;
	int r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	r = outbox_meta_get(ob, txn, "grants", &v);
	mdb_txn_abort(txn);
	if (r != 0)
		return r;
	if (!(v >> 63))
		return -ENOENT;
	*ret_kinds = (uint32_t)(v >> 32) & 0x7fffffffu;
	*ret_stages = (uint32_t)v;
	return 0;
}

int
outbox_begin(struct outbox *ob, struct outbox_txn **ret)
{
	struct outbox_txn *t = calloc(1, sizeof(*t));
	int rc;

	if (t == NULL)
		return -ENOMEM;
	outbox_stages_catch_up(ob);
	rc = mdb_txn_begin(ob->env, NULL, 0, &t->txn);
	if (rc != 0) {
		free(t);
		return outbox_err(rc);
	}
	t->ob = ob;
	rc = outbox_meta_get(ob, t->txn, "next_seq", &t->next_seq);
	if (rc != 0) {
		mdb_txn_abort(t->txn);
		free(t);
		return rc;
	}
	if (t->next_seq == 0)
		t->next_seq = 1;
	*ret = t;
	return 0;
}

int
outbox_commit(struct outbox_txn **t)
{
	struct outbox *ob = (*t)->ob;
	int r;

	r = outbox_meta_put(ob, (*t)->txn, "next_seq", (*t)->next_seq);
	if (r == 0)
		r = outbox_epochs_flush(*t);
	if (r != 0) {
		outbox_abort(t);
		return r;
	}
	r = outbox_commit_lmdb(ob, (*t)->txn);
	free(*t);
	*t = NULL;
	return r;
}

void
outbox_abort(struct outbox_txn **t)
{
	if (t == NULL || *t == NULL)
		return;
	mdb_txn_abort((*t)->txn);
	free(*t);
	*t = NULL;
}

uint64_t
outbox_next_seq(struct outbox_txn *t)
{
	return t->next_seq;
}

/* A ref's value: seq, digest, kind, state, target (version 1, which
 * reads as key epoch 0), then own, current and epoch (version 2, which
 * reads as withdrawn by no known envelope), then withdrawn_by. */
#define REF_INFO_LEN_V1 (8 + REF_DIGEST_LEN + 3)
#define REF_INFO_LEN_V2 (REF_INFO_LEN_V1 + 8 + 8 + 4)
#define REF_INFO_LEN (REF_INFO_LEN_V2 + 8)

int
outbox_ref_decode(const MDB_val *v, struct ref_info *ret)
{
	const uint8_t *p;

	if (v->mv_size != REF_INFO_LEN && v->mv_size != REF_INFO_LEN_V2 &&
	    v->mv_size != REF_INFO_LEN_V1)
		return -EUCLEAN;
	p = v->mv_data;
	ret->seq = bytes_get_be64(p);
	memcpy(ret->digest, p + 8, REF_DIGEST_LEN);
	ret->kind = p[40];
	ret->state = p[41];
	ret->target = p[42];
	ret->own = ret->current = ret->seq;
	ret->epoch = 0;
	ret->withdrawn_by = 0;
	if (v->mv_size >= REF_INFO_LEN_V2) {
		ret->own = bytes_get_be64(p + 43);
		ret->current = bytes_get_be64(p + 51);
		ret->epoch = bytes_get_be32(p + 59);
	}
	if (v->mv_size == REF_INFO_LEN)
		ret->withdrawn_by = bytes_get_be64(p + 63);
	return 0;
}

int
outbox_ref_get(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
	       struct ref_info *ret)
{
	MDB_val k = {EVENT_ID_LEN, (void *)id}, v;
	int r;

	r = outbox_tget(t->ob, t->txn, t->ob->refs, &k, &v);
	return r != 0 ? r : outbox_ref_decode(&v, ret);
}

int
outbox_ref_put(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
	       const struct ref_info *info)
{
	uint8_t b[REF_INFO_LEN];
	MDB_val k = {EVENT_ID_LEN, (void *)id};
	struct ref_info was;
	int r;

	/* The record counts under the epoch of its content: what it
	 * counted under before, if anything, is taken off (a damaged
	 * value counted nowhere, as in outbox_epochs_build). */
	r = outbox_ref_get(t, id, &was);
	if (r != 0 && r != -ENOENT && r != -EUCLEAN)
		return r;
	r = outbox_epochs_note(t, r == 0 ? &was : NULL, info);
	if (r != 0)
		return r;
	bytes_put_be64(b, info->seq);
	memcpy(b + 8, info->digest, REF_DIGEST_LEN);
	b[40] = info->kind;
	b[41] = info->state;
	b[42] = info->target;
	bytes_put_be64(b + 43, info->own);
	bytes_put_be64(b + 51, info->current);
	bytes_put_be32(b + 59, info->epoch);
	bytes_put_be64(b + 63, info->withdrawn_by);
	return outbox_tput(t->ob, t->txn, t->ob->refs, &k, b, sizeof(b), 0);
}

int
outbox_seq_ref(struct outbox_txn *t, uint64_t seq, char *ref, size_t cap)
{
	uint8_t kb[8];
	MDB_val k = {8, kb}, v;
	int r;

	bytes_put_be64(kb, seq);
	r = outbox_tget(t->ob, t->txn, t->ob->seqref, &k, &v);
	if (r != 0)
		return r;
	if (v.mv_size >= cap)
		return -ENAMETOOLONG;
	memcpy(ref, v.mv_data, v.mv_size);
	ref[v.mv_size] = '\0';
	return 0;
}

int
outbox_seq_event(struct outbox_txn *t, uint64_t seq, struct event *ret,
		 uint32_t *ret_version)
{
	struct envelope env;
	uint8_t kb[8];
	MDB_val k = {8, kb}, v;
	int r;

	bytes_put_be64(kb, seq);
	r = outbox_tget(t->ob, t->txn, t->ob->outbox, &k, &v);
	if (r != 0)
		return r;
	if (v.mv_size < 8)
		return -EUCLEAN;
	if (codec_envelope_decode((const uint8_t *)v.mv_data + 8, v.mv_size - 8,
				  &env) != 0)
		return -EBADMSG;
	*ret_version = env.version;
	r = codec_event_decode(env.event, env.event_len, ret) != 0 ? -EBADMSG
								   : 0;
	codec_envelope_clear(&env);
	return r;
}

/* The envelope (after its creation time) and the ref of seq. */
static int
put_seq(struct outbox_txn *t, uint64_t seq, uint64_t created_ms,
	const uint8_t *env, size_t len, const char *ref)
{
	uint8_t kb[8], *p = NULL;
	MDB_val k = {8, kb};
	int r;

	bytes_put_be64(kb, seq);
	r = reserve(t->ob, t->txn, t->ob->outbox, &k, 8 + len, MDB_APPEND, &p);
	if (r != 0)
		return r;
	bytes_put_be64(p, created_ms);
	memcpy(p + 8, env, len);
	seal(t->ob, &k, p, 8 + len);
	if (ref != NULL) {
		r = outbox_tput(t->ob, t->txn, t->ob->seqref, &k, ref,
				strlen(ref), MDB_APPEND);
		if (r != 0)
			return r;
	}
	t->next_seq = seq + 1;
	return 0;
}

/* The meta key of a key epoch's check value. */
static void
check_name(uint32_t epoch, char out[32])
{
	snprintf(out, 32, "check/%u", (unsigned)epoch);
}

int
outbox_check_get(struct outbox_txn *t, uint32_t epoch,
		 uint8_t out[PSEUDO_CHECK_LEN])
{
	char name[32];
	MDB_val k, v;
	int rc;

	check_name(epoch, name);
	k.mv_size = strlen(name);
	k.mv_data = name;
	rc = outbox_tget(t->ob, t->txn, t->ob->meta, &k, &v);
	if (rc != 0)
		return rc;
	if (v.mv_size != PSEUDO_CHECK_LEN)
		return -EUCLEAN;
	memcpy(out, v.mv_data, PSEUDO_CHECK_LEN);
	return 0;
}

int
outbox_check_put(struct outbox_txn *t, uint32_t epoch,
		 const uint8_t check[PSEUDO_CHECK_LEN])
{
	char name[32];
	MDB_val k;

	check_name(epoch, name);
	k.mv_size = strlen(name);
	k.mv_data = name;
	return outbox_tput(t->ob, t->txn, t->ob->meta, &k, check,
			   PSEUDO_CHECK_LEN, 0);
}

int
outbox_append(struct outbox_txn *t, uint64_t seq, uint64_t created_ms,
	      const uint8_t *env, size_t len, const char *ref)
{
	if (seq != t->next_seq)
		return -EINVAL;
	return put_seq(t, seq, created_ms, env, len, ref);
}

int
outbox_put_held(struct outbox_txn *t, uint64_t seq, uint64_t created_ms,
		const uint8_t *env, size_t len, const char *ref)
{
	if (seq < t->next_seq)
		return -EINVAL;
	return put_seq(t, seq, created_ms, env, len, ref);
}

int
outbox_put_meta(struct outbox_txn *t, uint64_t acked, uint64_t contact_ms,
		const uint8_t id[OUTBOX_ID_LEN])
{
	MDB_val ik = {9, "outbox_id"};
	int r;

	r = outbox_meta_put(t->ob, t->txn, "acked_seq", acked);
	if (r == 0)
		r = outbox_meta_put(t->ob, t->txn, "last_contact_ms",
				    contact_ms);
	if (r == 0)
		r = outbox_tput(t->ob, t->txn, t->ob->meta, &ik, id,
				OUTBOX_ID_LEN, 0);
	if (r == 0)
		memcpy(t->ob->id, id, OUTBOX_ID_LEN);
	return r;
}

int
outbox_get(struct outbox *ob, uint64_t seq, uint8_t **ret_env, size_t *ret_len,
	   char *ref, size_t cap)
{
	MDB_txn *txn;
	uint8_t kb[8];
	MDB_val k = {8, kb}, v;
	int r;

	ref[0] = '\0';
	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	bytes_put_be64(kb, seq);
	r = outbox_tget(ob, txn, ob->outbox, &k, &v);
	if (r == 0 && v.mv_size < 8)
		r = -EUCLEAN;
	if (r == 0) {
		*ret_len = v.mv_size - 8;
		*ret_env = malloc(*ret_len ? *ret_len : 1);
		if (*ret_env == NULL)
			r = -ENOMEM;
		else
			memcpy(*ret_env, (const uint8_t *)v.mv_data + 8,
			       *ret_len);
	}
	if (r == 0 && outbox_tget(ob, txn, ob->seqref, &k, &v) == 0)
		snprintf(ref, cap, "%.*s", (int)v.mv_size,
			 (const char *)v.mv_data);
	mdb_txn_abort(txn);
	return r;
}

int
outbox_state(struct outbox *ob, struct outbox_state *ret)
{
	MDB_txn *txn;
	MDB_stat ms;
	int r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	r = outbox_meta_get(ob, txn, "next_seq", &ret->next_seq);
	if (r == 0)
		r = outbox_meta_get(ob, txn, "acked_seq", &ret->acked_seq);
	if (r == 0)
		r = outbox_meta_get(ob, txn, "last_contact_ms",
				    &ret->last_contact_ms);
	if (ret->next_seq == 0)
		ret->next_seq = 1;
	ret->dead_total =
	    mdb_stat(txn, ob->dead, &ms) == 0 ? (uint64_t)ms.ms_entries : 0;
	mdb_txn_abort(txn);
	return r;
}

int
outbox_read(struct outbox *ob, uint64_t from, size_t max, outbox_read_fn fn,
	    void *arg)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	uint8_t kb[8];
	MDB_val k = {8, kb}, v;
	size_t n = 0;
	int rc, r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	rc = mdb_cursor_open(txn, ob->outbox, &cur);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return outbox_err(rc);
	}
	bytes_put_be64(kb, from);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && n < max) {
		if (lmdbcheck_untag(ob->tagged, &k, &v) != 0) {
			r = -EUCLEAN;
			break;
		}
		if (k.mv_size != 8 || v.mv_size < 8)
			break;
		if (fn(arg, bytes_get_be64(k.mv_data),
		       bytes_get_be64(v.mv_data),
		       (const uint8_t *)v.mv_data + 8, v.mv_size - 8) != 0)
			break;
		n++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	/* What came before a damaged value is passed; the next read
	 * starting there says it is damaged. */
	return n == 0 && r != 0 ? r : (int)n;
}
