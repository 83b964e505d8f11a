/*
 * outbox_txn.c - the write transaction of intake (outbox_begin to
 * outbox_commit): envelopes appended or put back held, refs and their
 * values, the key epochs' check values, and the meta an outbox rebuilt
 * by --recover takes. See outbox.h.
 */
#include "outbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "outbox_int.h"

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
	if (r == 0 && (*t)->refs_put)
		ob->refs_from = (*t)->refs_from;
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

bool
outbox_ref_checked(struct outbox_txn *t, uint64_t seq)
{
	/* The mark as this transaction put it, or as the outbox keeps it
	 * (settle_refs_checked): no read of meta a ref. */
	uint64_t from = t->refs_put ? t->refs_from : t->ob->refs_from;

	/* Not settled (read only, or not noted at the opening): none. */
	return t->ob->refs_ready && from != 0 && seq >= from;
}

bool
outbox_ref_may_hold_identity(const char *ref)
{
	size_t run = 0;
	bool mixed = false;

	for (;; ref++) {
		if (*ref >= '0' && *ref <= '9') {
			mixed = mixed || (run > 0 && ref[-1] != *ref);
			run++;
			continue;
		}
		if ((run == 8 || run == 9) && mixed)
			return true;
		if (*ref == '\0')
			return false;
		run = 0;
		mixed = false;
	}
}

int
outbox_refs_checked_read(struct outbox *ob, uint64_t *ret)
{
	MDB_txn *txn;
	int r;

	*ret = 0;
	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	r = outbox_meta_get(ob, txn, OUTBOX_REFS_CHECKED_KEY, ret);
	/* Left behind by a kuska that keeps no mark: its refs past it
	 * were not checked. */
	if (r == 0 && !outbox_stamp_current(ob, txn, OUTBOX_REFS_CHECKED_STAMP))
		*ret = 0;
	mdb_txn_abort(txn);
	return r;
}

int
outbox_refs_checked_put(struct outbox_txn *t, uint64_t from)
{
	int r = outbox_meta_put(t->ob, t->txn, OUTBOX_REFS_CHECKED_KEY, from);

	if (r == 0) {
		t->refs_put = true;
		t->refs_from = from;
	}
	return r;
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
	r = outbox_reserve(t->ob, t->txn, t->ob->outbox, &k, 8 + len,
			   MDB_APPEND, &p);
	if (r != 0)
		return r;
	bytes_put_be64(p, created_ms);
	memcpy(p + 8, env, len);
	outbox_seal(t->ob, &k, p, 8 + len);
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
