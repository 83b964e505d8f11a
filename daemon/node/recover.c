/* recover.c - kuska-node --recover; see recover.h. */
#include "recover.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "daemon.h"
#include "date.h"
#include "keys.h"
#include "log.h"
#include "outbox.h"
#include "sign.h"
#include "transport.h"

/* Memory running out is no fault of the consolidator's copy: a piece is
 * asked for again this many times, this long apart, before giving up. */
#define NOMEM_TRIES 5
#define NOMEM_WAIT_S 2

struct rec {
	const struct recover_params *p;
	struct transport *t;
	struct tsock *sock;
	struct outbox *old; /* NULL: none, or unreadable */
	bool had_old;	    /* there was an outbox with events */
	bool old_unreadable;
	bool consistent; /* old agrees with the consolidator's copy */
	bool foreign;	 /* old is another institution's: kept aside only */
	uint64_t old_next; /* old's next sequence: it never signed this one */
	struct outbox *fresh;
	char fresh_dir[4200];
	struct event *ev;
	uint8_t (*ids)[EVENT_ID_LEN]; /* event id by sequence */
	uint64_t ids_cap;
	/* from the consolidator's welcome */
	uint64_t cons_last;
	bool has_check, has_id;
	uint64_t check_seq;
	uint8_t check_hash[CODEC_HASH_LEN];
	uint8_t id[OUTBOX_ID_LEN];
	/* what was done: a piece not kept puts them back as they were */
	struct rec_counts {
		uint64_t got, refused, holes, last;
		uint64_t expect; /* the first sequence its answers have not
				  * covered */
		/* of the sequences it left out: taken from the old outbox
		 * (the first of them), or in neither (the first of them) */
		uint64_t resent, first_resent, lost, first_lost;
		/* refused there as signed by a key revoked before them */
		uint64_t revoked, first_revoked;
		/* handed back with an envelope this outbox did not sign (a
		 * thief's), and of those, said accepted there */
		uint64_t other, first_other, other_accepted,
		    first_other_accepted, last_other_accepted;
	} n;
	uint64_t kept;
	bool said; /* a refusal of the consolidator's word, said */
};

/* No envelope is shorter: its signature alone is 64 bytes. An outbox of
 * map_size bytes holds fewer envelopes than map_size / this. */
#define RECOVER_MIN_ENVELOPE 64

/* Sends m and waits for an answer of type want (nonce for WELCOME). */
static int
ask(struct rec *r, const struct msg *m, enum msg_type want, struct msg *ret)
{
	uint64_t deadline = date_mono_ms() + (uint64_t)r->p->timeout_ms;
	uint8_t *buf;
	size_t len;
	int e;

	e = codec_msg_encode(m, &buf, &len);
	if (e != 0)
		return e;
	for (;;) { /* the connection comes up in the background */
		const void *data[1] = {buf};
		bool ready;
		e = tsock_send(r->sock, data, &len, 1);
		if (e != -EAGAIN || date_mono_ms() >= deadline)
			break;
		(void)tsock_poll(&r->sock, 1, &ready, 100);
	}
	free(buf);
	if (e != 0)
		return e == -EAGAIN ? -ETIMEDOUT : e;
	while (date_mono_ms() < deadline) {
		struct tframes f;
		bool ready;
		e = tsock_poll(&r->sock, 1, &ready,
			       (long)(deadline - date_mono_ms()));
		if (e < 0 && e != -EINTR)
			return e;
		if (e <= 0 || tsock_recv(r->sock, &f, 1, CODEC_MAX_FRAME) != 0)
			continue;
		e = codec_msg_decode(f.data[0], f.len[0], ret);
		tframes_clear(&f);
		if (e == -ENOMEM)
			return e; /* the answer is lost: ask again later */
		if (e != 0)
			continue;
		if (ret->type == MSG_REFUSAL) {
			fprintf(stderr,
				"kuska-node: the consolidator refused: "
				"%s: %s\n",
				reason_name(ret->reason), ret->text);
			codec_msg_clear(ret);
			return -EPERM;
		}
		if (ret->type == want &&
		    (want != MSG_WELCOME || ret->nonce == m->nonce))
			return 0;
		codec_msg_clear(ret); /* an answer to something older */
	}
	return -ETIMEDOUT;
}

/* A hello saying diverged (text, or "" for nothing): its Welcome. */
static int
hello(struct rec *r, const char *diverged, struct msg *ret)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_HELLO;
	m.inst = r->p->inst;
	m.version = CODEC_VERSION;
	m.nonce = keys_random64();
	snprintf(m.network, sizeof(m.network), "%s", r->p->network);
	m.now_ms = date_now_ms();
	snprintf(m.diverged, sizeof(m.diverged), "%s", diverged);
	return ask(r, &m, MSG_WELCOME, ret);
}

/*
 * The consolidator's last sequence, check point and known outbox id.
 * Its hello says nothing of a divergence: a recovery that fails leaves
 * the outbox unchanged, and no mark on the consolidator (announce).
 */
static int
greet(struct rec *r)
{
	struct msg w;
	int e;

	e = hello(r, "", &w);
	if (e != 0)
		return e;
	if (w.last_seq > r->p->map_size / RECOVER_MIN_ENVELOPE) {
		/* Its word sizes what follows (the id table, the pieces
		 * asked): not believed past what the new outbox could hold. */
		fprintf(stderr,
			"kuska-node: the consolidator says it holds %llu "
			"events of this institution, more than an outbox of "
			"[node] map_size_mb could hold: not believed, nothing "
			"fetched (the outbox is unchanged)\n",
			(unsigned long long)w.last_seq);
		codec_msg_clear(&w);
		r->said = true;
		return -EFBIG;
	}
	r->cons_last = w.last_seq;
	r->has_check = w.has_check;
	r->check_seq = w.check_seq;
	memcpy(r->check_hash, w.check_hash, CODEC_HASH_LEN);
	r->has_id = w.has_outbox_id;
	memcpy(r->id, w.outbox_id, OUTBOX_ID_LEN);
	codec_msg_clear(&w);
	return 0;
}

/*
 * Whether the old outbox holds what the consolidator holds: the same
 * identity, at least as many sequences, the same envelope at the check
 * point. Only then are its undelivered events and refs worth keeping.
 */
static bool
agrees(struct rec *r)
{
	struct outbox_state st;
	uint8_t own[OUTBOX_ID_LEN], hash[CODEC_HASH_LEN], *env;
	char ref[2], why[8];
	size_t len;
	bool same;

	if (r->old == NULL || r->foreign || outbox_state(r->old, &st) != 0 ||
	    outbox_diverged(r->old, why, sizeof(why)))
		return false;
	outbox_id(r->old, own);
	if (r->has_id && memcmp(own, r->id, OUTBOX_ID_LEN) != 0)
		return false;
	if (r->cons_last >= st.next_seq)
		return false;
	if (!r->has_check || r->check_seq == 0)
		return true;
	if (outbox_get(r->old, r->check_seq, &env, &len, ref, sizeof(ref)) != 0)
		return false;
	sign_digest(env, len, hash);
	free(env);
	same = memcmp(hash, r->check_hash, CODEC_HASH_LEN) == 0;
	return same;
}

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
 * correction (intake_record.c, rekey).
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
	fprintf(stderr,
		"kuska-node: the consolidator's envelope at sequence %llu is "
		"not this node's: %s (key %s): nothing is stored (the outbox "
		"is unchanged). A consolidator that hands back what this node "
		"never signed is not to be trusted with its outbox: check it "
		"(and its key) before running --recover again%s\n",
		(unsigned long long)seq, why, log_hex8(env->key_id, fp),
		pk == NULL ? "; if this node's signing key was replaced, name "
			     "the earlier key's .pub in [node] previous_keys"
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
 * one from the consolidator only once it is found this node's.
 */
static int
put_event(struct rec *r, struct outbox_txn *t, uint64_t seq, const uint8_t *buf,
	  size_t len, const char *ref, enum whose whose)
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
				      OLD_OUTBOX);
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
static int
take_rest(struct rec *r)
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

/* Counts the envelope at seq if this outbox did not sign it. */
static void
count_other(struct rec *r, const struct held_event *h)
{
	if (h->env == NULL || !not_signed_here(r, h->seq, h->env, h->len))
		return;
	if (r->n.other++ == 0)
		r->n.first_other = h->seq;
	if (h->reason != REASON_NONE)
		return;
	if (r->n.other_accepted++ == 0)
		r->n.first_other_accepted = h->seq;
	r->n.last_other_accepted = h->seq;
}

/*
 * Whether the first envelope handed back that this outbox did not sign is
 * certainly not this node's: the outbox holds other bytes at its sequence.
 * One past the outbox's end may be this node's own, signed after the
 * backup it was restored from (or before it was replaced).
 */
static bool
first_other_certain(const struct rec *r)
{
	return r->n.other > 0 && r->n.first_other < r->old_next;
}

/* One piece of the consolidator's copy into the new outbox. */
static int
take_piece(struct rec *r, const struct msg *m)
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
				      THEIR_NOT_VALID);
			if (e == 0 && r->n.revoked++ == 0)
				r->n.first_revoked = h->seq;
		} else if (h->env != NULL)
			e = put_event(r, t, h->seq, h->env, h->len,
				      ref[0] ? ref : NULL,
				      h->reason == REASON_NONE ? THEIR_ACCEPTED
							       : THEIR_REFUSED);
		else if (own != NULL)
			e = put_event(r, t, h->seq, own, own_len,
				      ref[0] ? ref : NULL, OLD_OUTBOX);
		else
			r->n.holes++;
		free(own);
		if (e == 0)
			count_other(r, h);
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

/* Fetches everything the consolidator holds, piece by piece. */
static int
fetch(struct rec *r)
{
	uint64_t from = 1;
	struct msg q, a;
	int e, tries = 0;

	while (from <= r->cons_last) {
		memset(&q, 0, sizeof(q));
		q.type = MSG_RECOVER_REQUEST;
		q.from_seq = from;
		e = ask(r, &q, MSG_RECOVER_REPLY, &a);
		if (e == 0 && (a.n_held == 0 || a.held[0].seq < from)) {
			codec_msg_clear(&a);
			break;
		}
		if (e == 0) {
			uint64_t last = a.held[a.n_held - 1].seq;
			e = take_piece(r, &a);
			codec_msg_clear(&a);
			if (e == 0 && last >= r->cons_last)
				break; /* all it said it holds */
			if (e == 0)
				from = last + 1;
		}
		if (e == -ENOMEM && ++tries < NOMEM_TRIES) {
			fprintf(stderr,
				"kuska-node: memory ran out: asking for "
				"sequence %llu again in %d s\n",
				(unsigned long long)from, NOMEM_WAIT_S);
			sleep(NOMEM_WAIT_S);
			continue;
		}
		if (e != 0)
			return e;
		tries = 0;
	}
	return 0;
}

/*
 * The old outbox's events after the consolidator's last, when it
 * agrees: not yet delivered, kept as far as they can be read.
 */
static int
keep_tail(struct rec *r, uint64_t *ret_dropped)
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
			      OLD_OUTBOX);
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
 * Acknowledged up to the consolidator's last, or below the first
 * sequence it left out that the old outbox gave: that one is kept, and
 * sent again only if the consolidator's last is then below it (a Welcome
 * whose last is higher acknowledges it, as for any node behind its
 * consolidator). Its identity, or ours.
 */
static int
finish_meta(struct rec *r)
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
	if (e != 0) {
		outbox_abort(&t);
		return e;
	}
	return outbox_commit(&t);
}

/*
 * Tells the consolidator, once the new outbox is in place and not
 * before, that this node's outbox was rebuilt: the institution stays
 * (or is) marked diverged until the started node proves its outbox in
 * step, diverged_quiet_s after this hello (OPERATIONS.md section 10).
 * Its answer, or none, changes nothing here.
 */
static void
announce(struct rec *r)
{
	struct msg w;

	if (hello(r, "rebuilt by kuska-node --recover", &w) == 0)
		codec_msg_clear(&w);
}

/* Removes a half-built outbox directory. */
static void
remove_fresh(const char *dir)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}

/* Opens the old outbox if it can be read at all. */
static int
open_old(struct rec *r)
{
	struct outbox_report rep;
	int e;

	/* Another's file (a consolidator's store), or one this user may
	 * not touch: not an outbox to set aside. */
	e = outbox_check(r->p->dir, &rep);
	if (e == -EXDEV || e == -EACCES)
		return e;
	/* Not checked (no memory, the check killed): taken for no outbox,
	 * its events not yet delivered were dropped unsaid. */
	if (e != 0 && rep.why[0] != '\0') {
		fprintf(stderr, "kuska-node: %s: %s\n", r->p->dir, rep.why);
		return e;
	}
	if (e != 0)
		return 0;
	r->had_old = rep.entries > 0 || rep.unreadable;
	r->old_unreadable = rep.unreadable;
	if (rep.unreadable)
		fprintf(stderr,
			"kuska-node: the old outbox cannot be read (%s): "
			"nothing of it is kept\n",
			rep.why);
	else if (rep.entries > 0 &&
		 outbox_open(r->p->dir, r->p->map_size, &r->old) != 0)
		r->old = NULL;
	outbox_report_clear(&rep);
	return 0;
}

static int
connect_consolidator(struct rec *r)
{
	struct tsock_limits lim = {.max_frame = CODEC_MAX_FRAME};
	int e;

	r->t = transport_new();
	if (r->t == NULL)
		return -ENOMEM;
	r->sock = tsock_connect_curve(r->t, r->p->consolidator,
				      r->p->key->curve_pk, r->p->key->curve_sk,
				      r->p->cons_key->curve_pk, &lim, NULL, &e);
	return r->sock == NULL ? e : 0;
}

/*
 * The envelopes handed back that this outbox did not sign, the first of
 * which is a thief's first sequence when the key was stolen and this
 * outbox holds other bytes there; past its end, it may be this node's
 * own, signed after the backup it was restored from.
 */
static void
report_other(const struct rec *r, FILE *out)
{
	unsigned long long first = r->n.first_other;
	bool certain = first_other_certain(r);

	if (r->n.other == 0)
		return;
	if (r->n.revoked == 0) {
		fprintf(out,
			"%llu envelopes it holds are signed with this node's "
			"key but not by this outbox (it holds others at their "
			"sequences, or never reached them), the first at "
			"sequence %llu, and were kept as this node's: its "
			"own from before this outbox was restored from a "
			"backup or replaced; if it was neither, a thief's "
			"with its stolen key: then revoke that key with "
			"revoked_after_seq = %llu, reload the consolidator "
			"and run --recover again (OPERATIONS.md section 6)%s\n",
			(unsigned long long)r->n.other, first, first - 1,
			certain ? ""
				: "; if it was restored and the key stolen "
				  "too, the thief's first may be later, and "
				  "this revokes this node's own before it");
		return;
	}
	if (certain)
		fprintf(out,
			"%llu envelopes it holds are not this outbox's, the "
			"first at sequence %llu: the thief's first, so "
			"revoked_after_seq = %llu leaves none of the thief's "
			"counted",
			(unsigned long long)r->n.other, first, first - 1);
	else
		fprintf(out,
			"%llu envelopes it holds are not this outbox's, all "
			"past its end (its last sequence is %llu), the first "
			"at sequence %llu: the thief's first, or this node's "
			"own delivered after the backup this outbox was "
			"restored from (then the thief's first is later)",
			(unsigned long long)r->n.other,
			(unsigned long long)(r->old_next - 1), first);
	if (r->n.first_revoked < first)
		fprintf(out,
			"; with a lower one, as now, this node's own from "
			"sequence %llu on are refused too, and sent again "
			"when resubmitted",
			(unsigned long long)r->n.first_revoked);
	else if (!certain)
		fprintf(out,
			"; this node's own among them are refused too, and "
			"sent again when the exports since the backup are "
			"resubmitted");
	fputc('\n', out);
}

static void
report(struct rec *r, uint64_t dropped, const char *moved, FILE *out)
{
	if (r->cons_last == 0)
		fprintf(out, "the consolidator holds nothing of this "
			     "institution: the new outbox is empty\n");
	else
		fprintf(out,
			"recovered %llu events from the consolidator "
			"(sequences 1-%llu; %llu of them refused there, %llu "
			"without an envelope)\n",
			(unsigned long long)r->n.got,
			(unsigned long long)r->cons_last,
			(unsigned long long)r->n.refused,
			(unsigned long long)r->n.holes);
	if (r->n.revoked > 0)
		fprintf(
		    out,
		    "%llu of them signed with a key revoked before them, "
		    "the first at sequence %llu (a thief's, or "
		    "this node's own delivered after the thief's, or after "
		    "the backup a restored outbox came from): kept as "
		    "refused, their refs not taken as this node's; "
		    "resubmit the case system's exports made since the "
		    "theft, whose records are then sent anew (OPERATIONS.md "
		    "section 6)\n",
		    (unsigned long long)r->n.revoked,
		    (unsigned long long)r->n.first_revoked);
	report_other(r, out);
	/* Its word alone says what it holds: what it named and left out is
	 * said, not taken for a hole of its store. */
	if (r->cons_last > r->n.got)
		fprintf(out,
			"the consolidator handed back nothing at %llu of "
			"sequences 1-%llu (not in its store, or withheld)\n",
			(unsigned long long)(r->cons_last - r->n.got),
			(unsigned long long)r->cons_last);
	if (r->n.resent > 0)
		fprintf(out,
			"took %llu events it left out (not listed at all) "
			"from this outbox, the first at sequence %llu: kept "
			"unacknowledged, and sent again if the consolidator's "
			"last is then below them; one that says it holds "
			"them and left them out is withholding them\n",
			(unsigned long long)r->n.resent,
			(unsigned long long)r->n.first_resent);
	if (r->n.lost > 0)
		fprintf(out,
			"%llu sequences it left out are not to be had from "
			"this outbox either, the first at sequence %llu: the "
			"new outbox holds nothing there\n",
			(unsigned long long)r->n.lost,
			(unsigned long long)r->n.first_lost);
	if (r->kept > 0)
		fprintf(out,
			"kept %llu events of this outbox not yet delivered "
			"(sequences %llu-%llu)\n",
			(unsigned long long)r->kept,
			(unsigned long long)(r->cons_last + 1),
			(unsigned long long)(r->cons_last + r->kept));
	if (r->foreign)
		fprintf(out, "the old outbox was another institution's: "
			     "nothing of it is kept; what this node took and "
			     "the consolidator never received is not in it "
			     "either: resubmit the case system's exports made "
			     "since this node's last delivery\n");
	else if (r->old_unreadable)
		fprintf(out, "the old outbox could not be read: events it took "
			     "that the consolidator never received are lost; "
			     "resubmit the case system's recent exports\n");
	else if (!r->consistent && r->had_old)
		fprintf(out,
			"this outbox did not agree with the consolidator's "
			"copy: the records it took that the consolidator "
			"never received are not kept; resubmit the case "
			"system's exports made since its last backup\n");
	else if (dropped > 0)
		fprintf(out,
			"dropped %llu events of this outbox that could not be "
			"read: resubmit the case system's exports made since "
			"they were submitted\n",
			(unsigned long long)dropped);
	if (moved[0] != '\0')
		fprintf(out, "the old outbox is kept as %s\n", moved);
}

/*
 * Refuses a recovery that would take a thief's envelope for this node's:
 * the consolidator hands back some as signed by a key revoked before them
 * (a theft, and its key revoked), yet holds as accepted one that this
 * outbox did not sign. When this outbox holds other bytes at the first of
 * those, the revocation's sequence is past the thief's first, named. When
 * all of them are past this outbox's end, they cannot be told from this
 * node's own delivered after the backup it was restored from: that is
 * said, and what revoking before them costs. Returns 0, or -EKEYREJECTED
 * said.
 */
static int
judge_revocation(struct rec *r)
{
	unsigned long long end = r->old_next;

	if (r->n.revoked == 0 || r->n.other_accepted == 0)
		return 0;
	r->said = true;
	if (first_other_certain(r)) {
		fprintf(stderr,
			"kuska-node: the consolidator holds as accepted, at "
			"sequence %llu, an envelope signed with this node's "
			"key that this outbox did not sign, while it hands "
			"back %llu as signed by a key revoked before them: "
			"the revocation comes too late, and the thief's "
			"envelopes would be taken for this node's. The first "
			"this outbox did not sign is at sequence %llu: revoke "
			"the stolen key with revoked_after_seq = %llu (or "
			"lower), reload the consolidator and run --recover "
			"again (OPERATIONS.md section 6): nothing is stored "
			"(the outbox is unchanged)\n",
			(unsigned long long)r->n.first_other_accepted,
			(unsigned long long)r->n.revoked,
			(unsigned long long)r->n.first_other,
			(unsigned long long)(r->n.first_other - 1));
		return -EKEYREJECTED;
	}
	fprintf(stderr,
		"kuska-node: the consolidator holds as accepted envelopes "
		"signed with this node's key that this outbox did not sign, "
		"at sequences %llu-%llu, past its end (its last sequence is "
		"%llu), while it hands back %llu as signed by a key revoked "
		"before them. This outbox cannot tell whose they are: this "
		"node's own if it was restored from a backup (or replaced) "
		"after they were delivered, else a thief's, which would be "
		"taken for this node's. Tell them apart with the case system's "
		"exports "
		"submitted since the backup and the consolidator's journal "
		"(event=batch, at debug level: when each sequence was "
		"stored, against when the key may have been taken). If any "
		"of them is a thief's, or you cannot tell: revoke the stolen "
		"key with revoked_after_seq = %llu, which revokes all of "
		"%llu-%llu: those that are this node's own are then handed "
		"back refused and sent again when the exports since the "
		"backup are resubmitted, counted once; reload the "
		"consolidator and run --recover again. If all of them are "
		"this node's own, the revocation stands: move %s/data.mdb "
		"aside (it does not agree with the consolidator's copy: "
		"nothing of it would be kept) and run --recover again, which "
		"then takes them as this node's (OPERATIONS.md section 6): "
		"nothing is stored (the outbox is unchanged)\n",
		(unsigned long long)r->n.first_other_accepted,
		(unsigned long long)r->n.last_other_accepted, end - 1,
		(unsigned long long)r->n.revoked, end - 1, end,
		(unsigned long long)r->n.last_other_accepted, r->p->dir);
	return -EKEYREJECTED;
}

/* What the old outbox reached, when it is this node's. */
static void
note_old_next(struct rec *r)
{
	struct outbox_state st;

	r->old_next = UINT64_MAX; /* unknown: nothing said never reached */
	if (r->old != NULL && !r->foreign && outbox_state(r->old, &st) == 0)
		r->old_next = st.next_seq;
}

/*
 * Whose the old outbox is (r->foreign: another institution's, nothing of
 * it kept, its ref key not this node's to compare) and, if this node's,
 * whether its records were named with this ref key: with another, the
 * rebuilt outbox would not know the case system's records and each
 * resubmitted one would be stored twice. Returns 0, or -EINVAL said.
 */
static int
judge_old(struct rec *r)
{
	enum institution first;
	char net[CODEC_MAX_NETWORK + 1];
	int origin;

	if (r->old == NULL)
		return 0;
	origin = outbox_first_origin(r->old, &first, net, sizeof(net));
	r->foreign = origin == 0 && first != r->p->inst;
	if (r->foreign || outbox_ref_key_is(r->old, r->p->ref_fp) != 1)
		return 0;
	if (origin == -EBADMSG)
		fprintf(stderr,
			"kuska-node: %s: this outbox's first envelope does "
			"not decode, so whose it is cannot be told, and it "
			"was named with another ref key than [node] ref_key: "
			"a damaged outbox, or another node's. If it is this "
			"node's, put back the ref key backed up with it; if "
			"not, or damaged beyond use, move %s/data.mdb aside "
			"and run kuska-node --recover again, which rebuilds "
			"the outbox from the consolidator's copy (the outbox "
			"is unchanged)\n",
			r->p->dir, r->p->dir);
	else
		fprintf(stderr,
			"kuska-node: [node] ref_key is not the key this "
			"outbox's records were named with: put back the ref "
			"key backed up with it; if it is lost for good, see "
			"OPERATIONS.md section 2 (the outbox is unchanged)\n");
	return -EINVAL;
}

int
recover_run(const struct recover_params *p, FILE *out)
{
	struct rec r;
	char moved[4300] = "";
	uint64_t dropped = 0;
	int e;

	memset(&r, 0, sizeof(r));
	r.p = p;
	r.n.expect = 1;
	r.ev = malloc(sizeof(*r.ev));
	if (r.ev == NULL)
		return -ENOMEM;
	snprintf(r.fresh_dir, sizeof(r.fresh_dir), "%s/recover.tmp", p->dir);
	remove_fresh(r.fresh_dir);
	e = open_old(&r);
	if (e != 0) {
		fprintf(stderr, "kuska-node: %s: %s%s (the outbox is "
				"unchanged)\n",
			p->dir, daemon_store_error(e), daemon_open_hint(e));
		goto out;
	}
	e = judge_old(&r);
	if (e != 0)
		goto out;
	note_old_next(&r);
	e = connect_consolidator(&r);
	if (e == 0)
		e = greet(&r);
	if (e == -ENOMEM) {
		fprintf(stderr, "kuska-node: recovery stopped: memory ran out "
				"(the outbox is unchanged); run it again "
				"later\n");
		goto out;
	}
	if (e != 0) {
		if (!r.said)
			fprintf(stderr,
				"kuska-node: no answer from the consolidator "
				"at %s: %s\n",
				p->consolidator, strerror(-e));
		goto out;
	}
	r.consistent = agrees(&r);
	e = outbox_open(r.fresh_dir, p->map_size, &r.fresh);
	if (e == 0)
		e = fetch(&r);
	if (e == 0)
		e = take_rest(&r);
	if (e == 0)
		e = judge_revocation(&r);
	if (e == 0)
		e = keep_tail(&r, &dropped);
	if (e == 0)
		e = finish_meta(&r);
	if (e == 0)
		e = outbox_pin_ref_key(r.fresh, p->ref_fp) < 0 ? -EIO : 0;
	outbox_close(&r.fresh);
	outbox_close(&r.old);
	if (e == 0)
		e = outbox_swap_in(p->dir, r.fresh_dir, moved, sizeof(moved));
	if (e == -ENOMEM) {
		fprintf(stderr, "kuska-node: recovery stopped: memory ran out "
				"(the outbox is unchanged); run it again "
				"later\n");
		goto out;
	}
	if (e != 0 && r.said)
		goto out; /* the consolidator's copy refused, and why said */
	/* It writes a new outbox beside the old one: the directory must
	 * be writable, with room for it. Say which, and what to do. */
	if (e != 0) {
		fprintf(stderr,
			"kuska-node: recovery failed: %s: %s (the outbox "
			"is unchanged)%s\n",
			p->dir, strerror(-e),
			e == -ENOSPC
			    ? "; it writes the new outbox beside the old "
			      "one: make room for one as large and run it "
			      "again"
			: e == -EACCES || e == -EROFS
			    ? "; it writes the new outbox beside the old "
			      "one: run it as the directory's owner, or "
			      "root"
			    : "");
		goto out;
	}
	announce(&r);
	report(&r, dropped, moved, out);
out:
	if (e != 0)
		remove_fresh(r.fresh_dir);
	outbox_close(&r.fresh);
	outbox_close(&r.old);
	tsock_free(&r.sock);
	transport_free(&r.t);
	free(r.ids);
	free(r.ev);
	return e;
}
