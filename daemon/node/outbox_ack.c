/*
 * outbox_ack.c - what the consolidator says of the events sent, in the
 * outbox: acknowledgements and Welcomes (acked_seq, the last contact,
 * refusals_from), refusals kept as dead letters, dead letters revived
 * when it accepts them after all, and the dead letters listed. Each
 * transaction that adds or deletes one keeps their summary
 * (outbox_dead.c). See outbox.h.
 */
#include "outbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "outbox_int.h"

/*
 * A dead letter's value: reason, time, text; counted into s (the one it
 * replaces, unless MDB_NOOVERWRITE, taken off), and into the records per
 * key epoch noted in et (a withdrawal or correction refused, a record
 * refused when first sent), the one it replaces taken off there first.
 */
static int
put_dead(struct outbox_txn *et, uint64_t seq, enum reason reason,
	 uint64_t at_ms, const char *text, unsigned flags,
	 struct outbox_dead_sum *s)
{
	struct outbox *ob = et->ob;
	MDB_txn *txn = et->txn;
	uint8_t kb[8], vb[1 + 8 + CODEC_MAX_TEXT];
	size_t tl = strnlen(text, CODEC_MAX_TEXT);
	MDB_val k = {8, kb}, v = {9 + tl, vb};
	int r;

	bytes_put_be64(kb, seq);
	vb[0] = (uint8_t)reason;
	bytes_put_be64(vb + 1, at_ms);
	memcpy(vb + 9, text, tl);
	if (!(flags & MDB_NOOVERWRITE)) {
		MDB_val old;

		r = outbox_tget(ob, txn, ob->dead, &k, &old);
		if (r == 0 || r == -EUCLEAN)
			outbox_dead_sum_del(s, r == 0 ? &old : NULL);
		else if (r != -ENOENT)
			return r;
		/* One held is taken off the records per key epoch as if
		 * revived, and put back with its new reason below: the
		 * reason says whether a record refused when first sent
		 * counts, and whether one is held by a correction so
		 * refused. One damaged held nothing (outbox_seq_dead says
		 * so). */
		if (r == 0 && old.mv_size >= 9 &&
		    (r = outbox_epochs_dead(et, seq, -1)) != 0)
			return r;
	}
	r = outbox_tput(ob, txn, ob->dead, &k, vb, v.mv_size, flags);
	if (r == 0)
		outbox_dead_sum_add(s, &v);
	if (r == 0)
		r = outbox_epochs_dead(et, seq, +1);
	return r;
}

int
outbox_put_dead(struct outbox_txn *t, uint64_t seq, enum reason reason,
		uint64_t at_ms, const char *text)
{
	struct outbox_dead_sum s;
	int r;

	r = outbox_dead_sum_load(t->ob, t->txn, &s);
	if (r == 0)
		r = put_dead(t, seq, reason, at_ms, text, 0, &s);
	if (r == 0)
		r = outbox_dead_sum_store(t->ob, t->txn, &s);
	return r;
}

/*
 * Dead letters rej within txn, counted into s: the same refusal heard
 * twice is one. fresh (NULL: not wanted): fresh[i] whether rej[i] was not
 * held before. *moves: whether a new one is a correction or withdrawal
 * (outbox_stages_moves).
 */
static int
put_rejections(struct outbox_txn *et, uint64_t now_ms,
	       const struct rejection *rej, size_t n_rej, bool *fresh,
	       struct outbox_dead_sum *s, bool *moves)
{
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < n_rej; i++) {
		r = put_dead(et, rej[i].seq, rej[i].reason, now_ms, rej[i].text,
			     MDB_NOOVERWRITE, s);
		if (fresh != NULL)
			fresh[i] = r == 0;
		if (r == 0 && !*moves)
			*moves =
			    outbox_stages_moves(et->ob, et->txn, rej[i].seq);
		if (r == -EEXIST)
			r = 0;
	}
	return r;
}

/*
 * acked_seq := acked and the contact time within txn. welcome: a Welcome
 * says no refusals, so those past the old acked_seq are still to be asked.
 */
static int
put_ack(struct outbox *ob, MDB_txn *txn, uint64_t acked, bool reset,
	uint64_t now_ms, bool welcome)
{
	uint64_t old, from;
	int r;

	r = outbox_meta_get(ob, txn, "acked_seq", &old);
	if (r == 0 && (acked > old || reset))
		r = outbox_meta_put(ob, txn, "acked_seq", acked);
	if (r == 0)
		r = outbox_meta_put(ob, txn, "last_contact_ms", now_ms);
	if (r != 0 || !welcome || acked <= old)
		return r;
	r = outbox_meta_get(ob, txn, "refusals_from", &from);
	if (r == 0 && (from == 0 || from > old + 1))
		r = outbox_meta_put(ob, txn, "refusals_from", old + 1);
	return r;
}

static int
record_ack(struct outbox *ob, uint64_t acked, bool reset, uint64_t now_ms,
	   const struct rejection *rej, size_t n_rej, bool welcome)
{
	struct outbox_txn et = {.ob = ob};
	MDB_txn *txn;
	bool moves = false;
	int r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (r != 0)
		return r;
	et.txn = txn;
	r = put_ack(ob, txn, acked, reset, now_ms, welcome);
	/* An Ack refusing nothing (most) leaves the summary alone. */
	if (r == 0 && n_rej > 0) {
		struct outbox_dead_sum s;

		r = outbox_dead_sum_load(ob, txn, &s);
		if (r == 0)
			r = put_rejections(&et, now_ms, rej, n_rej, NULL, &s,
					   &moves);
		if (r == 0)
			r = outbox_dead_sum_store(ob, txn, &s);
		if (r == 0)
			r = outbox_epochs_flush(&et);
	}
	if (r == 0 && moves)
		r = outbox_stages_stale(ob, txn);
	if (r != 0) {
		mdb_txn_abort(txn);
		return r;
	}
	r = outbox_commit_lmdb(ob, txn);
	if (r == 0 && moves)
		outbox_stages_again(ob);
	return r;
}

int
outbox_record_ack(struct outbox *ob, uint64_t acked, bool reset,
		  uint64_t now_ms, const struct rejection *rej, size_t n_rej)
{
	return record_ack(ob, acked, reset, now_ms, rej, n_rej, false);
}

int
outbox_record_welcome(struct outbox *ob, uint64_t acked, bool reset,
		      uint64_t now_ms)
{
	return record_ack(ob, acked, reset, now_ms, NULL, 0, true);
}

int
outbox_refusals_from(struct outbox *ob, uint64_t *ret)
{
	MDB_txn *txn;
	int r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	r = outbox_meta_get(ob, txn, "refusals_from", ret);
	mdb_txn_abort(txn);
	return r;
}

/* Whether seq is among rej. */
static bool
rejected(const struct rejection *rej, size_t n_rej, uint64_t seq)
{
	size_t i;

	for (i = 0; i < n_rej; i++)
		if (rej[i].seq == seq)
			return true;
	return false;
}

/*
 * Deletes within txn the dead letters of first..last not among rej,
 * taken off s; a cursor walks only the dead letters there are (few), not
 * the range. *moves is set when one revived could move the case stages'
 * index (outbox_stages_revived_moves). Returns how many or -errno.
 */
static int
revive_range(struct outbox_txn *et, uint64_t first, uint64_t last,
	     const struct rejection *rej, size_t n_rej,
	     struct outbox_dead_sum *s, bool *moves)
{
	struct outbox *ob = et->ob;
	MDB_txn *txn = et->txn;
	MDB_cursor *cur;
	MDB_val k, v, uk, uv;
	uint8_t kb[8];
	bool untagged;
	int rc, n = 0;

	if (first == 0 || last < first)
		return 0;
	rc = mdb_cursor_open(txn, ob->dead, &cur);
	if (rc != 0)
		return outbox_err(rc);
	bytes_put_be64(kb, first);
	k.mv_size = 8;
	k.mv_data = kb;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t seq;

		if (k.mv_size != 8)
			continue;
		seq = bytes_get_be64(k.mv_data);
		if (seq > last)
			break;
		if (rejected(rej, n_rej, seq))
			continue;
		/* Taken off while its value is there to read (a failed
		 * deletion aborts the transaction); a damaged one was
		 * counted nowhere. */
		uk = k;
		uv = v;
		untagged = lmdbcheck_untag(ob->tagged, &uk, &uv) == 0;
		outbox_dead_sum_del(s, untagged ? &uv : NULL);
		/* A withdrawal taken after all withdraws its record, a
		 * record or correction so taken moves it in the counts per
		 * key epoch (a damaged letter held nothing:
		 * outbox_seq_dead). */
		if (untagged && uv.mv_size >= 9) {
			int e = outbox_epochs_dead(et, seq, -1);

			if (e != 0) {
				mdb_cursor_close(cur);
				return e;
			}
		}
		rc = mdb_cursor_del(cur, 0);
		if (rc != 0)
			break;
		n++;
		if (!*moves)
			*moves = outbox_stages_revived_moves(ob, txn, seq);
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return outbox_err(rc);
	return n;
}

int
outbox_record_refusals(struct outbox *ob, const struct outbox_refusals *a,
		       uint64_t now_ms, bool *fresh)
{
	struct outbox_txn et = {.ob = ob};
	struct outbox_dead_sum s;
	MDB_txn *txn;
	bool moves = false;
	int r, n = 0;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (r != 0)
		return r;
	et.txn = txn;
	r = outbox_dead_sum_load(ob, txn, &s);
	if (r == 0)
		r = put_rejections(&et, now_ms, a->rej, a->n_rej, fresh, &s,
				   &moves);
	if (r == 0) {
		n = revive_range(&et, a->first, a->last, a->rej, a->n_rej, &s,
				 &moves);
		r = n < 0 ? n : 0;
	}
	if (r == 0)
		r = outbox_dead_sum_store(ob, txn, &s);
	if (r == 0)
		r = outbox_epochs_flush(&et);
	if (r == 0)
		r = outbox_meta_put(ob, txn, "refusals_from", a->next);
	if (r == 0 && moves)
		r = outbox_stages_stale(ob, txn);
	if (r != 0) {
		mdb_txn_abort(txn);
		return r;
	}
	r = outbox_commit_lmdb(ob, txn);
	if (r == 0 && moves)
		outbox_stages_again(ob);
	return r != 0 ? r : n;
}

int
outbox_revive(struct outbox *ob, uint64_t first, uint64_t last,
	      const struct rejection *rej, size_t n_rej)
{
	struct outbox_txn et = {.ob = ob};
	struct outbox_dead_sum s;
	MDB_txn *txn;
	bool moves = false;
	int r, n;

	if (first == 0 || last < first)
		return 0;
	r = outbox_err(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (r != 0)
		return r;
	et.txn = txn;
	r = outbox_dead_sum_load(ob, txn, &s);
	n = r != 0 ? r : revive_range(&et, first, last, rej, n_rej, &s, &moves);
	if (n > 0)
		r = outbox_dead_sum_store(ob, txn, &s);
	if (n > 0 && r == 0)
		r = outbox_epochs_flush(&et);
	if (n > 0 && r == 0 && moves)
		r = outbox_stages_stale(ob, txn);
	if (n <= 0 || r != 0) {
		mdb_txn_abort(txn);
		return n <= 0 ? n : r;
	}
	r = outbox_commit_lmdb(ob, txn);
	if (r == 0 && moves)
		outbox_stages_again(ob);
	return r != 0 ? r : n;
}

/* The dead letter held for seq within txn: see outbox_dead_at. */
static int
dead_get(struct outbox *ob, MDB_txn *txn, uint64_t seq, uint8_t *ret_reason,
	 uint64_t *ret_at_ms)
{
	uint8_t kb[8];
	MDB_val k = {8, kb}, v;
	int r;

	bytes_put_be64(kb, seq);
	r = outbox_tget(ob, txn, ob->dead, &k, &v);
	if (r == 0 && v.mv_size < 9)
		r = -EUCLEAN;
	if (r == 0) {
		*ret_reason = ((const uint8_t *)v.mv_data)[0];
		*ret_at_ms = bytes_get_be64((const uint8_t *)v.mv_data + 1);
	}
	return r;
}

int
outbox_dead_at(struct outbox *ob, uint64_t seq, uint8_t *ret_reason,
	       uint64_t *ret_at_ms)
{
	MDB_txn *txn;
	int r;

	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	r = dead_get(ob, txn, seq, ret_reason, ret_at_ms);
	mdb_txn_abort(txn);
	return r;
}

int
outbox_seq_dead(struct outbox_txn *t, uint64_t seq, uint8_t *ret_reason,
		uint64_t *ret_at_ms)
{
	return dead_get(t->ob, t->txn, seq, ret_reason, ret_at_ms);
}

/*
 * Whether a dead letter's ref (of envelope seq) may be listed: one stored
 * from refs_checked_from on (outbox_ref_checked), as an older kuska's may
 * hold a victim's identity of any shape, and not a withdrawal's, which
 * nothing checks (its line carries no victim). A correction's only when
 * its record's was stored from the mark on too: a re-keying (or a
 * correction re-sent) stores the ref of a record or correction held
 * since before it, which the check lets through though it may hold an
 * identity (a held record is not refused for its ref). The officer finds
 * one withheld by its sequence: its line sent again is warned of under
 * it. An envelope that cannot be read (none in a real outbox) is taken
 * for a record's. ev is scratch space. A ref shown is also withheld
 * where it looks like one (outbox_ref_may_hold_identity).
 */
static bool
dead_ref_shown(struct outbox_txn *t, uint64_t seq, struct event *ev)
{
	uint32_t version;

	if (!outbox_ref_checked(t, seq))
		return false;
	if (outbox_seq_event(t, seq, ev, &version) != 0)
		return true;
	if (ev->kind == KIND_CORRECTION)
		return outbox_ref_checked(t, ev->target_seq);
	return ev->kind != KIND_WITHDRAWAL;
}

int
outbox_dead_list(struct outbox *ob, struct dead_letter *out, size_t max)
{
	struct outbox_txn rt = {.ob = ob};
	struct event *ev;
	MDB_cursor *cur;
	MDB_val k, v;
	size_t n = 0;
	int rc, r;

	ev = malloc(sizeof(*ev));
	if (ev == NULL)
		return -ENOMEM;
	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &rt.txn));
	if (r != 0) {
		free(ev);
		return r;
	}
	rc = mdb_cursor_open(rt.txn, ob->dead, &cur);
	if (rc != 0) {
		mdb_txn_abort(rt.txn);
		free(ev);
		return outbox_err(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_LAST); rc == 0 && n < max;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
		struct dead_letter *d = &out[n];
		MDB_val rv;
		const uint8_t *p;
		size_t tl;

		if (lmdbcheck_untag(ob->tagged, &k, &v) != 0 ||
		    k.mv_size != 8 || v.mv_size < 9)
			continue; /* damaged: outbox_check names it */
		p = v.mv_data;
		memset(d, 0, sizeof(*d));
		d->seq = bytes_get_be64(k.mv_data);
		d->at_ms = bytes_get_be64(p + 1);
		tl = v.mv_size - 9;
		if (tl > CODEC_MAX_TEXT)
			tl = CODEC_MAX_TEXT;
		memcpy(d->text, p + 9, tl);
		/* A newer version's reason, or none (an older node stored an
		 * unknown one so): a refusal all the same. */
		d->reason = reason_of_refusal(p[0], d->text, sizeof(d->text));
		if (dead_ref_shown(&rt, d->seq, ev) &&
		    outbox_tget(ob, rt.txn, ob->seqref, &k, &rv) == 0) {
			size_t rl = rv.mv_size < sizeof(d->ref) - 1
					? rv.mv_size
					: sizeof(d->ref) - 1;
			memcpy(d->ref, rv.mv_data, rl);
			/* Withheld as a stage warning withholds it. */
			if (outbox_ref_may_hold_identity(d->ref))
				memset(d->ref, 0, sizeof(d->ref));
		}
		n++;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(rt.txn);
	free(ev);
	return (int)n;
}

int
outbox_unmatched_refs(struct outbox *ob, struct unmatched *u, size_t n)
{
	struct outbox_txn rt = {.ob = ob};
	struct event *ev;
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		u[i].ref[0] = '\0';
	if (n == 0)
		return 0;
	ev = malloc(sizeof(*ev));
	if (ev == NULL)
		return -ENOMEM;
	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &rt.txn));
	if (r != 0) {
		free(ev);
		return r;
	}
	for (i = 0; i < n; i++) {
		char ref[sizeof(u[i].ref)];

		if (!dead_ref_shown(&rt, u[i].seq, ev) ||
		    outbox_seq_ref(&rt, u[i].seq, ref, sizeof(ref)) != 0)
			continue;
		/* Withheld as a dead letter's is. */
		if (!outbox_ref_may_hold_identity(ref))
			memcpy(u[i].ref, ref, sizeof(ref));
	}
	mdb_txn_abort(rt.txn);
	free(ev);
	return 0;
}
