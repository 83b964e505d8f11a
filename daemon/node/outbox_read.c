/*
 * outbox_read.c - reads of the outbox outside a write transaction, each
 * in a read-only one of its own: an envelope and its ref, the state
 * (sequences, last contact, dead letters), a run of envelopes in order,
 * and the origin the first one names. See outbox.h.
 */
#include "outbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "outbox_int.h"

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
