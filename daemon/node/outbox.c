/* outbox.c - the node's LMDB store; see outbox.h. */
#include "outbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

struct outbox {
	MDB_env *env;
	MDB_dbi outbox, refs, seqref, dead, meta;
};

struct outbox_txn {
	struct outbox *ob;
	MDB_txn *txn;
	uint64_t next_seq;
};

/* LMDB's codes onto ours. */
static int
mdb_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		return -ENOSPC;
	case MDB_KEYEXIST:
		return -EEXIST;
	default:
		return rc > 0 ? -rc : (rc < 0 && rc > -4096 ? -EIO : -EIO);
	}
}

static void
be64(uint8_t out[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

int
outbox_open(const char *dir, size_t map_size, struct outbox **ret)
{
	struct outbox *ob;
	MDB_txn *txn = NULL;
	int rc;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	ob = calloc(1, sizeof(*ob));
	if (ob == NULL)
		return -ENOMEM;
	rc = mdb_env_create(&ob->env);
	if (rc != 0)
		goto fail;
	if ((rc = mdb_env_set_maxdbs(ob->env, 8)) != 0 ||
	    (rc = mdb_env_set_mapsize(ob->env, map_size)) != 0 ||
	    (rc = mdb_env_open(ob->env, dir, MDB_NOTLS, 0600)) != 0)
		goto fail;
	if ((rc = mdb_txn_begin(ob->env, NULL, 0, &txn)) != 0)
		goto fail;
	if ((rc = mdb_dbi_open(txn, "outbox", MDB_CREATE, &ob->outbox)) ||
	    (rc = mdb_dbi_open(txn, "refs", MDB_CREATE, &ob->refs)) ||
	    (rc = mdb_dbi_open(txn, "seqref", MDB_CREATE, &ob->seqref)) ||
	    (rc = mdb_dbi_open(txn, "dead", MDB_CREATE, &ob->dead)) ||
	    (rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &ob->meta))) {
		mdb_txn_abort(txn);
		goto fail;
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto fail;
	*ret = ob;
	return 0;
fail:
	if (ob->env != NULL)
		mdb_env_close(ob->env);
	free(ob);
	return mdb_err(rc);
}

void
outbox_close(struct outbox **ob)
{
	if (ob == NULL || *ob == NULL)
		return;
	mdb_env_close((*ob)->env);
	free(*ob);
	*ob = NULL;
}

static uint64_t
meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name)
{
	MDB_val k = {strlen(name), (void *)name}, v;

	if (mdb_get(txn, dbi, &k, &v) != 0 || v.mv_size != 8)
		return 0;
	return get64(v.mv_data);
}

static int
meta_put(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t val)
{
	uint8_t b[8];
	MDB_val k = {strlen(name), (void *)name}, v = {8, b};

	be64(b, val);
	return mdb_err(mdb_put(txn, dbi, &k, &v, 0));
}

int
outbox_begin(struct outbox *ob, struct outbox_txn **ret)
{
	struct outbox_txn *t = calloc(1, sizeof(*t));
	int rc;

	if (t == NULL)
		return -ENOMEM;
	rc = mdb_txn_begin(ob->env, NULL, 0, &t->txn);
	if (rc != 0) {
		free(t);
		return mdb_err(rc);
	}
	t->ob = ob;
	t->next_seq = meta_get(t->txn, ob->meta, "next_seq");
	if (t->next_seq == 0)
		t->next_seq = 1;
	*ret = t;
	return 0;
}

int
outbox_commit(struct outbox_txn **t)
{
	int r;

	r = meta_put((*t)->txn, (*t)->ob->meta, "next_seq", (*t)->next_seq);
	if (r != 0) {
		outbox_abort(t);
		return r;
	}
	r = mdb_err(mdb_txn_commit((*t)->txn));
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
 * reads as key epoch 0), then own, current and epoch. */
#define REF_INFO_LEN_V1 (8 + 32 + 3)
#define REF_INFO_LEN (REF_INFO_LEN_V1 + 8 + 8 + 4)

int
outbox_ref_get(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
	       struct ref_info *ret)
{
	MDB_val k = {EVENT_ID_LEN, (void *)id}, v;
	const uint8_t *p;
	int rc;

	rc = mdb_get(t->txn, t->ob->refs, &k, &v);
	if (rc != 0)
		return mdb_err(rc);
	if (v.mv_size != REF_INFO_LEN && v.mv_size != REF_INFO_LEN_V1)
		return -EIO;
	p = v.mv_data;
	ret->seq = get64(p);
	memcpy(ret->digest, p + 8, 32);
	ret->kind = p[40];
	ret->state = p[41];
	ret->target = p[42];
	ret->own = ret->current = ret->seq;
	ret->epoch = 0;
	if (v.mv_size == REF_INFO_LEN) {
		ret->own = get64(p + 43);
		ret->current = get64(p + 51);
		ret->epoch = (uint32_t)p[59] << 24 | (uint32_t)p[60] << 16 |
			     (uint32_t)p[61] << 8 | p[62];
	}
	return 0;
}

int
outbox_ref_put(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
	       const struct ref_info *info)
{
	uint8_t b[REF_INFO_LEN];
	MDB_val k = {EVENT_ID_LEN, (void *)id}, v = {sizeof(b), b};

	be64(b, info->seq);
	memcpy(b + 8, info->digest, 32);
	b[40] = info->kind;
	b[41] = info->state;
	b[42] = info->target;
	be64(b + 43, info->own);
	be64(b + 51, info->current);
	b[59] = (uint8_t)(info->epoch >> 24);
	b[60] = (uint8_t)(info->epoch >> 16);
	b[61] = (uint8_t)(info->epoch >> 8);
	b[62] = (uint8_t)info->epoch;
	return mdb_err(mdb_put(t->txn, t->ob->refs, &k, &v, 0));
}

/* The meta key of a key epoch's check value. */
static void
check_name(uint32_t epoch, char out[32])
{
	snprintf(out, 32, "check/%u", (unsigned)epoch);
}

int
outbox_check_get(struct outbox_txn *t, uint32_t epoch, uint8_t out[32])
{
	char name[32];
	MDB_val k, v;
	int rc;

	check_name(epoch, name);
	k.mv_size = strlen(name);
	k.mv_data = name;
	rc = mdb_get(t->txn, t->ob->meta, &k, &v);
	if (rc != 0)
		return mdb_err(rc);
	if (v.mv_size != 32)
		return -EIO;
	memcpy(out, v.mv_data, 32);
	return 0;
}

int
outbox_check_put(struct outbox_txn *t, uint32_t epoch, const uint8_t check[32])
{
	char name[32];
	MDB_val k, v = {32, (void *)check};

	check_name(epoch, name);
	k.mv_size = strlen(name);
	k.mv_data = name;
	return mdb_err(mdb_put(t->txn, t->ob->meta, &k, &v, 0));
}

int
outbox_append(struct outbox_txn *t, uint64_t seq, uint64_t created_ms,
	      const uint8_t *env, size_t len, const char *ref)
{
	uint8_t kb[8];
	MDB_val k = {8, kb}, v, r;
	int rc;

	if (seq != t->next_seq)
		return -EINVAL;
	be64(kb, seq);
	v.mv_size = 8 + len;
	v.mv_data = NULL;
	rc = mdb_put(t->txn, t->ob->outbox, &k, &v, MDB_APPEND | MDB_RESERVE);
	if (rc != 0)
		return mdb_err(rc);
	be64(v.mv_data, created_ms);
	memcpy((uint8_t *)v.mv_data + 8, env, len);
	r.mv_size = strlen(ref);
	r.mv_data = (void *)ref;
	rc = mdb_put(t->txn, t->ob->seqref, &k, &r, MDB_APPEND);
	if (rc != 0)
		return mdb_err(rc);
	t->next_seq = seq + 1;
	return 0;
}

int
outbox_record_ack(struct outbox *ob, uint64_t acked, bool reset,
		  uint64_t now_ms, const struct rejection *rej, size_t n_rej)
{
	MDB_txn *txn;
	uint64_t old, dead_total;
	size_t i;
	int r;

	r = mdb_err(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (r != 0)
		return r;
	old = meta_get(txn, ob->meta, "acked_seq");
	dead_total = meta_get(txn, ob->meta, "dead_total");
	if (acked > old || reset)
		r = meta_put(txn, ob->meta, "acked_seq", acked);
	if (r == 0)
		r = meta_put(txn, ob->meta, "last_contact_ms", now_ms);
	for (i = 0; r == 0 && i < n_rej; i++) {
		uint8_t kb[8], vb[1 + 8 + CODEC_MAX_TEXT];
		size_t tl = strnlen(rej[i].text, CODEC_MAX_TEXT);
		MDB_val k = {8, kb}, v = {9 + tl, vb};

		be64(kb, rej[i].seq);
		vb[0] = (uint8_t)rej[i].reason;
		be64(vb + 1, now_ms);
		memcpy(vb + 9, rej[i].text, tl);
		r = mdb_err(mdb_put(txn, ob->dead, &k, &v, MDB_NOOVERWRITE));
		if (r == -EEXIST) {
			r = 0; /* the same refusal heard twice */
			continue;
		}
		if (r == 0)
			dead_total++;
	}
	if (r == 0 && n_rej > 0)
		r = meta_put(txn, ob->meta, "dead_total", dead_total);
	if (r != 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return mdb_err(mdb_txn_commit(txn));
}

int
outbox_state(struct outbox *ob, struct outbox_state *ret)
{
	MDB_txn *txn;
	int r;

	r = mdb_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	ret->next_seq = meta_get(txn, ob->meta, "next_seq");
	if (ret->next_seq == 0)
		ret->next_seq = 1;
	ret->acked_seq = meta_get(txn, ob->meta, "acked_seq");
	ret->last_contact_ms = meta_get(txn, ob->meta, "last_contact_ms");
	ret->dead_total = meta_get(txn, ob->meta, "dead_total");
	mdb_txn_abort(txn);
	return 0;
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

	r = mdb_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	rc = mdb_cursor_open(txn, ob->outbox, &cur);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return mdb_err(rc);
	}
	be64(kb, from);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && n < max) {
		if (k.mv_size != 8 || v.mv_size < 8)
			break;
		if (fn(arg, get64(k.mv_data), get64(v.mv_data),
		       (const uint8_t *)v.mv_data + 8, v.mv_size - 8) != 0)
			break;
		n++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return (int)n;
}

int
outbox_dead_list(struct outbox *ob, struct dead_letter *out, size_t max)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	size_t n = 0;
	int rc, r;

	r = mdb_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	rc = mdb_cursor_open(txn, ob->dead, &cur);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return mdb_err(rc);
	}
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	while (rc == 0 && n < max) {
		struct dead_letter *d = &out[n];
		MDB_val rv;
		const uint8_t *p = v.mv_data;
		size_t tl;

		if (k.mv_size != 8 || v.mv_size < 9)
			break;
		memset(d, 0, sizeof(*d));
		d->seq = get64(k.mv_data);
		d->reason =
		    p[0] < REASON_COUNT ? (enum reason)p[0] : REASON_NONE;
		d->at_ms = get64(p + 1);
		tl = v.mv_size - 9;
		if (tl > CODEC_MAX_TEXT)
			tl = CODEC_MAX_TEXT;
		memcpy(d->text, p + 9, tl);
		if (mdb_get(txn, ob->seqref, &k, &rv) == 0) {
			size_t rl = rv.mv_size < sizeof(d->ref) - 1
					? rv.mv_size
					: sizeof(d->ref) - 1;
			memcpy(d->ref, rv.mv_data, rl);
		}
		n++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return (int)n;
}

int
outbox_dead_by_reason(struct outbox *ob, uint64_t counts[REASON_COUNT])
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, r;

	memset(counts, 0, REASON_COUNT * sizeof(counts[0]));
	r = mdb_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	rc = mdb_cursor_open(txn, ob->dead, &cur);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return mdb_err(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint8_t reason = v.mv_size > 0 ? *(uint8_t *)v.mv_data : 0;
		counts[reason < REASON_COUNT ? reason : 0]++;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return 0;
}
