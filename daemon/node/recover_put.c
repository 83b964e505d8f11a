/*
 * recover_put.c - what kuska-node --recover puts into the new outbox: the
 * consolidator's envelopes once found this node's, what it left out from
 * the old outbox, the old outbox's tail, the ref index rebuilt as intake
 * made it, and the acknowledged position.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "log.h"
#include "outbox.h"
#include "recover_int.h"
#include "sign.h"

/* Grows the id table to hold seq. */
static int
ids_hold(struct rec *r, uint64_t seq)
{
	uint64_t cap = r->ids_cap ? r->ids_cap : 1024;
	uint8_t(*n)[EVENT_ID_LEN];

	if (seq < r->ids_cap)
		return 0;
	if (seq >= SIZE_MAX / EVENT_ID_LEN / 2)
		return -EFBIG; /* the doubling and the size would overflow */
	while (cap <= seq)
		cap *= 2;
	n = realloc(r->ids, cap * EVENT_ID_LEN);
	if (n == NULL)
		return -ENOMEM;
	memset(n + r->ids_cap, 0, (cap - r->ids_cap) * EVENT_ID_LEN);
	r->ids = n;
	r->ids_cap = cap;
	return 0;
}

/*
 * The digest intake kept for a record re-sent under a newer key epoch as
 * a correction of itself: that of the record as submitted, not of the
 * correction (intake_rekey.c, intake_rekey).
 */
static int
record_digest(struct event *ev, uint8_t digest[REF_DIGEST_LEN])
{
	enum kind kind = ev->kind;
	uint64_t target_seq = ev->target_seq;
	uint8_t *b = NULL;
	size_t len;
	int e;

	ev->kind = ev->rec.kind;
	ev->target_seq = 0;
	e = codec_event_encode(ev, &b, &len);
	ev->kind = kind;
	ev->target_seq = target_seq;
	if (e != 0)
		return e;
	sign_digest(b, len, digest);
	free(b);
	return 0;
}

/*
 * Enters seq's event in the ref index as intake did: its id with the
 * sequence, the digest of its bytes, kind and key epoch; a withdrawal
 * marks its target withdrawn, a correction makes itself its target's
 * current content, and a correction under an id already held is that
 * ref re-sent under a newer key epoch.
 */
static int
index_event(struct rec *r, struct outbox_txn *t, uint64_t seq,
	    const uint8_t digest[REF_DIGEST_LEN])
{
	static const uint8_t zero[EVENT_ID_LEN];
	struct event *ev = r->ev;
	struct ref_info info, target;
	const uint8_t *tid = NULL;
	bool has_target = false;
	int e = 0;

	if ((ev->kind == KIND_CORRECTION || ev->kind == KIND_WITHDRAWAL) &&
	    ev->target_seq < seq) {
		tid = r->ids[ev->target_seq];
		has_target = memcmp(tid, zero, EVENT_ID_LEN) != 0 &&
			     outbox_ref_get(t, tid, &target) == 0;
	}
	if (ev->kind == KIND_CORRECTION &&
	    outbox_ref_get(t, ev->id, &info) == 0) {
		info.own = seq;
		info.epoch = ev->key_epoch;
		memcpy(info.digest, digest, REF_DIGEST_LEN);
		if (info.target == TARGET_NONE) {
			info.current = seq;
			e = record_digest(ev, info.digest);
		} else if (has_target) {
			target.current = seq;
		}
	} else {
		memset(&info, 0, sizeof(info));
		info.seq = info.own = info.current = seq;
		info.state = REF_LIVE;
		info.epoch = ev->key_epoch;
		memcpy(info.digest, digest, REF_DIGEST_LEN);
		info.kind = (uint8_t)ev->rec.kind;
		if (ev->kind == KIND_WITHDRAWAL) {
			info.target = TARGET_WITHDRAWAL;
			info.kind = has_target ? target.kind : 0;
			target.state = REF_WITHDRAWN;
			target.withdrawn_by = seq;
		} else if (ev->kind == KIND_CORRECTION) {
			info.target = TARGET_CORRECTION;
			target.current = seq;
		}
	}
	if (e == 0 && has_target && memcmp(tid, ev->id, EVENT_ID_LEN) != 0)
		e = outbox_ref_put(t, tid, &target);
	if (e == 0)
		e = outbox_ref_put(t, ev->id, &info);
	return e;
}

/* The signing key of this node's whose id is key_id, or NULL. */
static const uint8_t *
own_key(const struct rec *r, const uint8_t key_id[KEY_ID_LEN])
{
	size_t i;

	if (memcmp(key_id, r->p->key->key_id, KEY_ID_LEN) == 0)
		return r->p->key->sign_pk;
	for (i = 0; i < r->p->n_old_keys; i++)
		if (memcmp(key_id, r->p->old_keys[i].key_id, KEY_ID_LEN) == 0)
			return r->p->old_keys[i].sign_pk;
	return NULL;
}

/*
 * Whether env, which the consolidator says is this node's at seq, is
 * signed by this node's key (or one of its earlier keys) and, if the
 * consolidator says it accepted it, for the node's network in a schema
 * version it writes (a refused one may be neither: the node signed it
 * so, and it is a dead letter). The consolidator holds no key of the
 * node's: what it could make up fails here. Returns 0, or -EKEYREJECTED
 * said.
 */
static int
own_envelope(struct rec *r, uint64_t seq, const struct envelope *env,
	     bool accepted)
{
	const uint8_t *pk = own_key(r, env->key_id);
	struct sign_fields f;
	char fp[17];
	const char *why = NULL;

	f.network = env->network;
	f.version = env->version;
	f.institution = (uint8_t)env->inst;
	f.seq = env->seq;
	f.created_ms = env->created_ms;
	memcpy(f.key_id, env->key_id, KEY_ID_LEN);
	f.event = env->event;
	f.event_len = env->event_len;
	if (pk == NULL)
		why = "signed with a key that is not this node's";
	else if (sign_verify(pk, &f, env->signature) != 0)
		why = "its signature does not verify with this node's key";
	else if (accepted && strcmp(env->network, r->p->network) != 0)
		why = "signed for another network, and said accepted";
	else if (accepted && (env->version < CODEC_VERSION_MIN ||
			      env->version > CODEC_VERSION))
		why = "of a schema version this node does not write, and "
		      "said accepted";
	if (why == NULL)
		return 0;
	log_hex8(env->key_id, fp);
	/* A key it does not know may be its own newer one: [node] key and
	 * previous_keys restored from a backup older than a rotation. */
	fprintf(stderr,
		"kuska-node: the consolidator's envelope at sequence %llu is "
		"not this node's: %s (key %s): nothing is stored (the outbox "
		"is unchanged). A consolidator that hands back what this node "
		"never signed is not to be trusted with its outbox: check it "
		"(and its key) before running --recover again%s%s%s\n",
		(unsigned long long)seq, why, fp,
		pk == NULL ? "; if this node's signing key was replaced, name "
			     "the earlier key's .pub in [node] previous_keys; "
			     "if [node] key came from a backup made before a "
			     "rotation, key "
			   : "",
		pk == NULL ? fp : "",
		pk == NULL ? " may be this node's newer one: sign with it "
			     "again (or with a new key: OPERATIONS.md section "
			     "6) and name the .pub of each key it replaced in "
			     "previous_keys (OPERATIONS.md section 7)"
			   : "");
	r->said = true;
	return -EKEYREJECTED;
}

/* Whose an envelope put_event stores is, and so what is checked. */
enum whose {
	OLD_OUTBOX,	/* the old outbox's: this node's */
	THEIR_ACCEPTED, /* the consolidator's, accepted there */
	THEIR_REFUSED,	/* the consolidator's, refused there */
	/* The consolidator's, refused there as its key was not valid for
	 * it: revoked before its sequence, a thief's (or this node's own
	 * after the thief's took its sequences). Stored, as its sequence
	 * is spent, but its ref is not taken: that record was never
	 * counted under it, and resubmitted is sent anew. */
	THEIR_NOT_VALID,
};

/*
 * Stores the envelope of seq in the new outbox and indexes its event;
 * one from the consolidator only once it is found this node's. The key
 * that signed it goes to ret_key_id, unless NULL.
 */
static int
put_event(struct rec *r, struct outbox_txn *t, uint64_t seq, const uint8_t *buf,
	  size_t len, const char *ref, enum whose whose, uint8_t *ret_key_id)
{
	struct envelope env;
	uint8_t digest[REF_DIGEST_LEN];
	uint64_t created_ms;
	int e;

	memset(&env, 0, sizeof(env));
	e = codec_envelope_decode(buf, len, &env);
	if (e == 0 && (env.inst != r->p->inst || env.seq != seq))
		e = -EBADMSG;
	if (e == 0 && whose != OLD_OUTBOX) {
		e = own_envelope(r, seq, &env, whose == THEIR_ACCEPTED);
		if (e != 0) {
			codec_envelope_clear(&env);
			return e;
		}
	}
	if (e == 0)
		e = codec_event_decode(env.event, env.event_len, r->ev);
	if (e != 0) {
		codec_envelope_clear(&env);
		if (e == -ENOMEM) {
			fprintf(stderr,
				"kuska-node: sequence %llu: memory ran out "
				"decoding it\n",
				(unsigned long long)seq);
			return e;
		}
		fprintf(stderr,
			"kuska-node: sequence %llu: not an envelope of this "
			"institution at that sequence\n",
			(unsigned long long)seq);
		return -EBADMSG;
	}
	sign_digest(env.event, env.event_len, digest);
	created_ms = env.created_ms;
	if (ret_key_id != NULL)
		memcpy(ret_key_id, env.key_id, KEY_ID_LEN);
	codec_envelope_clear(&env);
	if (whose == THEIR_NOT_VALID) {
		e = outbox_put_held(t, seq, created_ms, buf, len, NULL);
		if (e == 0)
			r->n.last = seq;
		return e;
	}
	e = ids_hold(r, seq);
	if (e == 0)
		memcpy(r->ids[seq], r->ev->id, EVENT_ID_LEN);
	if (e == 0)
		e = outbox_put_held(t, seq, created_ms, buf, len, ref);
	if (e == 0)
		e = index_event(r, t, seq, digest);
	if (e == 0)
		r->n.last = seq;
	return e;
}

/* The old outbox's envelope and ref at seq, when it agrees and has it. */
static int
old_get(struct rec *r, uint64_t seq, uint8_t **ret_env, size_t *ret_len,
	char *ref, size_t cap)
{
	ref[0] = '\0';
	if (!r->consistent)
		return -ENOENT;
	return outbox_get(r->old, seq, ret_env, ret_len, ref, cap);
}

/*
 * When the refusal of seq for reason was heard: when the old outbox, if it
 * agrees, held it as a dead letter for the same reason (a recovery does not
 * make an old refusal new: the alarm of kuska status lasts
 * alarm_dead_letter_hours from it); else now_ms.
 */
static uint64_t
refused_at(struct rec *r, uint64_t seq, enum reason reason, uint64_t now_ms)
{
	uint8_t was;
	uint64_t at;

	if (r->consistent && outbox_dead_at(r->old, seq, &was, &at) == 0 &&
	    was == (uint8_t)reason && at != 0 && at <= now_ms)
		return at;
	return now_ms;
}

/*
 * The sequences from r->n.expect to below upto, at most its Welcome's last,
 * that the consolidator left out of its answers (not even listed): taken
 * from the old outbox when it agrees and has them. They are not
 * acknowledged (finish_meta): kept, and sent again only if the
 * consolidator's last is then below them (it takes only the sequence
 * after its last). Not even the old outbox's: counted, said by report.
 */
static int
take_omitted(struct rec *r, struct outbox_txn *t, uint64_t upto)
{
	uint64_t seq;
	int e = 0;

	if (upto > r->cons_last + 1)
		upto = r->cons_last + 1;
	for (seq = r->n.expect; e == 0 && seq < upto; seq++) {
		uint8_t *env = NULL;
		size_t len = 0;
		char ref[128];

		e = old_get(r, seq, &env, &len, ref, sizeof(ref));
		if (e == 0) {
			/* Said if it does not decode: then nothing is put. */
			e = put_event(r, t, seq, env, len, ref[0] ? ref : NULL,
				      OLD_OUTBOX, NULL);
			free(env);
			if (e == 0 && r->n.resent++ == 0)
				r->n.first_resent = seq;
			if (e != -EBADMSG)
				continue;
		} else if (e == -ENOMEM) {
			break;
		}
		/* Not in the old outbox, or not readable there. */
		e = 0;
		if (r->n.lost++ == 0)
			r->n.first_lost = seq;
	}
	if (e == 0 && upto > r->n.expect)
		r->n.expect = upto;
	return e;
}

/* The sequences up to its Welcome's last that its answers left out. */
int
rec_take_rest(struct rec *r)
{
	struct outbox_txn *t;
	struct rec_counts was = r->n;
	int e;

	if (r->n.expect > r->cons_last)
		return 0;
	e = outbox_begin(r->fresh, &t);
	if (e != 0)
		return e;
	e = take_omitted(r, t, r->cons_last + 1);
	if (e != 0) {
		outbox_abort(&t);
		r->n = was;
		return e;
	}
	return outbox_commit(&t);
}

/*
 * Whether the old outbox did not sign env, the consolidator's envelope at
 * seq: it holds another there, or never reached seq. A sequence it holds
 * and cannot read tells nothing: taken for signed. With no old outbox of
 * this node's, nothing can be told.
 */
static bool
not_signed_here(struct rec *r, uint64_t seq, const uint8_t *env, size_t len)
{
	uint8_t *own;
	size_t own_len;
	char ref[2];
	bool other;

	if (r->old == NULL || r->foreign)
		return false;
	if (seq >= r->old_next)
		return true;
	if (outbox_get(r->old, seq, &own, &own_len, ref, sizeof(ref)) != 0)
		return false;
	other = own_len != len || memcmp(own, env, len) != 0;
	free(own);
	return other;
}

/*
 * Counts the envelope at seq, signed by key_id, if this outbox did not
 * sign it: which key signed the first is what a revocation names.
 */
static void
count_other(struct rec *r, const struct held_event *h,
	    const uint8_t key_id[KEY_ID_LEN])
{
	if (h->env == NULL || !not_signed_here(r, h->seq, h->env, h->len))
		return;
	if (r->n.other++ == 0) {
		r->n.first_other = h->seq;
		memcpy(r->n.other_key, key_id, KEY_ID_LEN);
	} else if (memcmp(r->n.other_key, key_id, KEY_ID_LEN) != 0) {
		r->n.other_mixed = true;
	}
	if (h->reason != REASON_KEY_NOT_VALID && r->n.unrevoked++ == 0) {
		r->n.first_unrevoked = h->seq;
		memcpy(r->n.unrevoked_key, key_id, KEY_ID_LEN);
	}
	if (h->reason != REASON_NONE)
		return;
	if (r->n.other_accepted++ == 0) {
		r->n.first_other_accepted = h->seq;
		memcpy(r->n.other_accepted_key, key_id, KEY_ID_LEN);
	} else if (memcmp(r->n.other_accepted_key, key_id, KEY_ID_LEN) != 0) {
		r->n.other_accepted_mixed = true;
	}
	r->n.last_other_accepted = h->seq;
}

/* One piece of the consolidator's copy into the new outbox. */
int
rec_take_piece(struct rec *r, const struct msg *m)
{
	struct outbox_txn *t;
	uint64_t now = date_now_ms();
	struct rec_counts was = r->n;
	size_t i;
	int e;

	e = outbox_begin(r->fresh, &t);
	if (e != 0)
		return e;
	for (i = 0; e == 0 && i < m->n_held; i++) {
		const struct held_event *h = &m->held[i];
		uint8_t signer[KEY_ID_LEN] = {0};
		uint8_t *own = NULL;
		size_t own_len = 0;
		char ref[128];

		if (h->seq < outbox_next_seq(t)) {
			e = -EBADMSG; /* out of order */
			break;
		}
		/* Past its Welcome's last (delivered since, or its word
		 * not kept): not what this recovery rebuilds. */
		if (h->seq > r->cons_last)
			break;
		/* What it left out before this one. */
		e = take_omitted(r, t, h->seq);
		if (e != 0)
			break;
		if (h->seq >= r->n.expect)
			r->n.expect = h->seq + 1;
		/* The case system's ref, from the old outbox if it agrees. */
		if (old_get(r, h->seq, &own, &own_len, ref, sizeof(ref)) != 0)
			ref[0] = '\0';
		if (h->env != NULL && h->reason == REASON_KEY_NOT_VALID) {
			e = put_event(r, t, h->seq, h->env, h->len, NULL,
				      THEIR_NOT_VALID, signer);
			if (e == 0 && r->n.revoked++ == 0) {
				r->n.first_revoked = h->seq;
				memcpy(r->n.revoked_key, signer, KEY_ID_LEN);
			}
		} else if (h->env != NULL)
			e = put_event(r, t, h->seq, h->env, h->len,
				      ref[0] ? ref : NULL,
				      h->reason == REASON_NONE ? THEIR_ACCEPTED
							       : THEIR_REFUSED,
				      signer);
		else if (own != NULL)
			e = put_event(r, t, h->seq, own, own_len,
				      ref[0] ? ref : NULL, OLD_OUTBOX, NULL);
		else
			r->n.holes++;
		free(own);
		if (e == 0)
			count_other(r, h, signer);
		if (e == 0 && h->reason != REASON_NONE) {
			e = outbox_put_dead(
			    t, h->seq, h->reason,
			    refused_at(r, h->seq, h->reason, now), h->text);
			r->n.refused++;
		}
		r->n.got++;
	}
	if (e != 0) {
		/* Nothing of the piece is kept: it may be taken again. */
		outbox_abort(&t);
		r->n = was;
		return e;
	}
	return outbox_commit(&t);
}

/*
 * The old outbox's events after the consolidator's last, when it
 * agrees: not yet delivered, kept as far as they can be read.
 */
int
rec_keep_tail(struct rec *r, uint64_t *ret_dropped)
{
	struct outbox_state st;
	struct outbox_txn *t;
	uint64_t seq;
	int e;

	*ret_dropped = 0;
	if (r->old == NULL || outbox_state(r->old, &st) != 0 ||
	    st.next_seq <= r->cons_last + 1)
		return 0;
	if (!r->consistent) {
		*ret_dropped = st.next_seq - 1 - r->cons_last;
		return 0;
	}
	e = outbox_begin(r->fresh, &t);
	if (e != 0)
		return e;
	for (seq = r->cons_last + 1; seq < st.next_seq; seq++) {
		uint8_t *env;
		size_t len;
		char ref[128];
		if (outbox_get(r->old, seq, &env, &len, ref, sizeof(ref)) != 0)
			break;
		e = put_event(r, t, seq, env, len, ref[0] ? ref : NULL,
			      OLD_OUTBOX, NULL);
		free(env);
		if (e != 0)
			break;
		r->kept++;
	}
	*ret_dropped = st.next_seq - seq;
	if (e != 0) {
		outbox_abort(&t);
		return e;
	}
	return outbox_commit(&t);
}

/*
 * The refs taken from the old outbox are as checked for a victim's
 * identity as they were there (outbox_ref_checked): from the old
 * outbox's mark on, all of them when it has none (an older kuska's,
 * whose refs may hold one), the fresh outbox's own from its next
 * sequence on, which the old mark never passes.
 */
static int
refs_checked_keep(struct rec *r, struct outbox_txn *t)
{
	uint64_t from, next = outbox_next_seq(t);

	if (outbox_refs_checked_read(r->old, &from) != 0 || from == 0 ||
	    from > next)
		from = next;
	return outbox_refs_checked_put(t, from);
}

/*
 * Acknowledged up to the consolidator's last, or below the first
 * sequence it left out that the old outbox gave: that one is kept, and
 * sent again only if the consolidator's last is then below it (a Welcome
 * whose last is higher acknowledges it, as for any node behind its
 * consolidator). Its identity, or ours. Its refs' mark as the old
 * outbox's (refs_checked_keep).
 */
int
rec_finish_meta(struct rec *r)
{
	struct outbox_txn *t;
	uint8_t id[OUTBOX_ID_LEN];
	uint64_t acked = r->n.resent > 0 ? r->n.first_resent - 1 : r->cons_last;
	int e;

	if (r->has_id)
		memcpy(id, r->id, OUTBOX_ID_LEN);
	else
		outbox_id(r->old != NULL && !r->foreign ? r->old : r->fresh,
			  id);
	e = outbox_begin(r->fresh, &t);
	if (e != 0)
		return e;
	e = outbox_put_meta(t, acked, date_now_ms(), id);
	if (e == 0 && r->old != NULL)
		e = refs_checked_keep(r, t);
	if (e != 0) {
		outbox_abort(&t);
		return e;
	}
	return outbox_commit(&t);
}
