/*
 * ingest_held.c - what the store holds of one institution, for a node
 * recovering its outbox (--recover) and for --repair: the last sequence
 * held and its hash, the outbox's identity, the envelopes and refusals
 * held from a sequence on, dropping them, and the first sequence lost.
 * See ingest.h.
 */
#include "ingest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ingest_int.h"
#include "sign.h"

_Static_assert(CODEC_HASH_LEN == SIGN_DIGEST_LEN, "a held envelope's hash");

int
ingest_check_point(struct ingest *ig, enum institution inst, uint64_t *ret_seq,
		   uint8_t ret_hash[CODEC_HASH_LEN])
{
	struct store_txn *t;
	const void *k, *v, *rk, *rv;
	size_t klen, vlen, rklen, rvlen;
	uint8_t ik = (uint8_t)inst;
	int r, rr;

	*ret_seq = 0;
	memset(ret_hash, 0, CODEC_HASH_LEN);
	r = store_begin(ig->st, false, &t);
	if (r != 0)
		return r;
	r = store_last(t, T_ENV_FIRST + inst - 1, NULL, 0, &k, &klen, &v,
		       &vlen);
	rr = store_last(t, T_REFUSED_ENV, &ik, 1, &rk, &rklen, &rv, &rvlen);
	if (rr == 0 && rklen == 9 &&
	    (r != 0 || store_get64((const uint8_t *)rk + 1) > store_get64(k))) {
		k = (const uint8_t *)rk + 1;
		klen = 8;
		v = rv;
		vlen = rvlen;
		r = 0;
	}
	if (r == 0 && klen == 8) {
		*ret_seq = store_get64(k);
		sign_digest(v, vlen, ret_hash);
	}
	store_abort(&t);
	if (r == -ENOENT && (rr == 0 || rr == -ENOENT))
		return 0;
	return r != 0 ? r : rr == -ENOENT ? 0 : rr;
}

/* The T_META key of an institution's outbox id. */
static size_t
outbox_key(enum institution inst, char out[32])
{
	return (size_t)snprintf(out, 32, "outbox_id.%s",
				institution_name(inst));
}

int
ingest_outbox_id(struct ingest *ig, enum institution inst,
		 uint8_t ret_id[INGEST_OUTBOX_ID_LEN])
{
	struct store_txn *t;
	char key[32];
	const void *v;
	size_t vlen;
	int r;

	r = store_begin(ig->st, false, &t);
	if (r != 0)
		return r;
	r = store_get(t, T_META, key, outbox_key(inst, key), &v, &vlen);
	if (r == 0 && vlen != INGEST_OUTBOX_ID_LEN)
		r = -EUCLEAN;
	if (r == 0)
		memcpy(ret_id, v, INGEST_OUTBOX_ID_LEN);
	store_abort(&t);
	return r;
}

int
ingest_set_outbox_id(struct ingest *ig, enum institution inst,
		     const uint8_t id[INGEST_OUTBOX_ID_LEN])
{
	struct store_txn *t;
	char key[32];
	int r;

	r = store_begin(ig->st, true, &t);
	if (r != 0)
		return r;
	r = store_put(t, T_META, key, outbox_key(inst, key), id,
		      INGEST_OUTBOX_ID_LEN, 0);
	if (r != 0) {
		store_abort(&t);
		return r;
	}
	return store_commit(&t);
}

enum reason
ingest_stored_reason(uint8_t b)
{
	return reason_of_refusal(b, NULL, 0);
}

int
ingest_held(struct ingest *ig, enum institution inst, uint64_t from, size_t max,
	    ingest_held_fn fn, void *arg)
{
	struct store_txn *t;
	uint64_t seq, last = ig->inst[inst].last_seq;
	size_t n = 0;
	int r;

	r = store_begin(ig->st, false, &t);
	if (r != 0)
		return r;
	for (seq = from < 1 ? 1 : from; seq <= last && n < max; seq++) {
		uint8_t k[9];
		const void *v, *e = NULL;
		size_t vlen, elen = 0;
		char text[CODEC_MAX_TEXT + 1];
		enum reason reason;

		k[0] = (uint8_t)inst;
		store_be64(k + 1, seq);
		r = store_get(t, T_ENV_FIRST + inst - 1, k + 1, 8, &v, &vlen);
		if (r == 0) {
			if (fn(arg, seq, v, vlen, REASON_NONE, "") != 0)
				break;
			n++;
			continue;
		}
		if (r != -ENOENT)
			break;
		r = store_get(t, T_REFUSED, k, 9, &v, &vlen);
		if (r == -ENOENT) {
			r = 0; /* a hole: a later batch took it, or none */
			continue;
		}
		if (r == 0 && vlen < 1)
			r = -EUCLEAN; /* damaged: not "nothing more held" */
		if (r != 0)
			break;
		reason = ingest_stored_reason(*(const uint8_t *)v);
		snprintf(text, sizeof(text), "%.*s",
			 (int)(vlen - 1 < CODEC_MAX_TEXT ? vlen - 1
							 : CODEC_MAX_TEXT),
			 (const char *)v + 1);
		r = store_get(t, T_REFUSED_ENV, k, 9, &e, &elen);
		if (r != 0 && r != -ENOENT)
			break;
		r = 0;
		if (fn(arg, seq, e, elen, reason, text) != 0)
			break;
		n++;
	}
	store_abort(&t);
	return r < 0 ? r : (int)n;
}

int
ingest_forget(struct store *st, enum institution inst, uint64_t from)
{
	struct store_txn *t;
	uint8_t k[9];
	int r, n = 0;

	k[0] = (uint8_t)inst;
	store_be64(k + 1, from);
	r = store_begin(st, true, &t);
	if (r != 0)
		return r;
	r = store_del_from(t, T_ENV_FIRST + inst - 1, k + 1, 8, 0);
	if (r >= 0) {
		n += r;
		r = store_del_from(t, T_REFUSED, k, 9, 1);
	}
	if (r >= 0) {
		n += r;
		r = store_del_from(t, T_REFUSED_ENV, k, 9, 1);
	}
	/* The days they were accepted stay: sent again, each record keeps
	 * the day it first arrived (the timeliness table), not the day it
	 * comes back. A dead letter accepted then has none, and takes that
	 * day. */
	/* The statistics still count them until the rebuild that follows:
	 * should it fail, they are not served, and the next start rebuilds
	 * them. */
	if (r >= 0 && n > 0)
		r = stats_mark_stale(t);
	if (r < 0) {
		store_abort(&t);
		return r;
	}
	r = store_commit(&t);
	return r != 0 ? r : n;
}

int
ingest_first_gap(struct store *st, enum institution inst, uint64_t *ret_seq)
{
	struct store_txn *t;
	const void *k, *v;
	size_t klen, vlen;
	uint8_t key[9];
	uint64_t last = 0, seq;
	int r;

	*ret_seq = 0;
	r = store_begin(st, false, &t);
	if (r != 0)
		return r;
	key[0] = (uint8_t)inst;
	if (store_last(t, T_ENV_FIRST + inst - 1, NULL, 0, &k, &klen, &v,
		       &vlen) == 0 &&
	    klen == 8)
		last = store_get64(k);
	if (store_last(t, T_REFUSED, key, 1, &k, &klen, &v, &vlen) == 0 &&
	    klen == 9 && store_get64((const uint8_t *)k + 1) > last)
		last = store_get64((const uint8_t *)k + 1);
	for (seq = 1; seq <= last; seq++) {
		store_be64(key + 1, seq);
		r = store_get(t, T_ENV_FIRST + inst - 1, key + 1, 8, &v, &vlen);
		if (r == -ENOENT)
			r = store_get(t, T_REFUSED, key, 9, &v, &vlen);
		if (r == -ENOENT) {
			*ret_seq = seq;
			r = 0;
			break;
		}
		if (r != 0)
			break;
	}
	store_abort(&t);
	return r;
}
