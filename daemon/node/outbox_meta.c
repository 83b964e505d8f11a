/*
 * outbox_meta.c - what the node marks in the outbox's meta, each in a
 * transaction of its own: that it diverged from the consolidator (and
 * why), the fingerprint of the ref key its refs were made with, and the
 * grants the consolidator last said. See outbox.h.
 */
#include "outbox.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "outbox_int.h"

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
