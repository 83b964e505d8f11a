/* ingest_take.c - a batch's envelopes taken into the store; see ingest.h. */
#include "ingest.h"
#include "ingest_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "log.h"
#include "sign.h"

/*
 * Refuses sequence seq for a reason (a dead letter at the node), keeping
 * the envelope: a node whose outbox is lost gets it back (--recover).
 */
static int
refuse_seq(struct batch_ctx *c, uint64_t seq, enum reason reason,
	   const char *why, const uint8_t *env, size_t len)
{
	uint8_t k[9], v[1 + CODEC_MAX_TEXT];
	size_t tl = strnlen(why, CODEC_MAX_TEXT);
	struct rejection *rj;
	int r;

	if (c->rej == NULL &&
	    (c->rej = calloc(c->cap_rej, sizeof(*c->rej))) == NULL)
		return -ENOMEM;
	rj = &c->rej[c->n_rej];
	k[0] = (uint8_t)c->speaker->inst;
	store_be64(k + 1, seq);
	v[0] = (uint8_t)reason;
	memcpy(v + 1, why, tl);
	r = store_put(c->t, T_REFUSED, k, 9, v, 1 + tl, 0);
	if (r == 0)
		r = store_put(c->t, T_REFUSED_ENV, k, 9, env, len, 0);
	if (r != 0)
		return r;
	c->n_rej++;
	rj->seq = seq;
	rj->reason = reason;
	snprintf(rj->text, sizeof(rj->text), "%s", why);
	c->s.refused++;
	c->s.refused_by_reason[reason]++;
	c->s.last_seq = seq;
	return 0; /* logged once committed (batch_done) */
}

/* Stops the batch at an envelope no key of the speaker vouches for. */
static int
stop_batch(struct batch_ctx *c, enum reason reason, const char *why)
{
	c->stop_reason = reason;
	c->stop_seq = c->s.last_seq + 1;
	snprintf(c->stop_text, sizeof(c->stop_text), "sequence %llu: %.160s",
		 (unsigned long long)c->stop_seq, why);
	return 3; /* logged once the group's fate is known (batch_done) */
}

/*
 * Whether the envelope buf[len] at sequence seq, below the one expected,
 * is the one held there (accepted or refused): a resend after a lost Ack.
 * A node signs each sequence once and its envelopes are never re-encoded
 * (kuska-node --recover takes ours back byte for byte), so other bytes
 * there mean a second signer with the institution's key: a stolen key, a
 * cloned machine, a node restored from a backup and started before
 * --recover. Returns 0 the same (or nothing held to compare: a hole), 3
 * a conflict, or other bytes no registered key of the speaker signed
 * (stop: c->stop_reason says why), <0 a store error. verified: as
 * take_envelope's.
 */
static int
check_duplicate(struct batch_ctx *c, const struct envelope *env,
		const uint8_t *buf, size_t len, bool verified)
{
	const struct reg_key *key;
	struct sign_fields f;
	uint64_t seq = env->seq;
	uint8_t k[9];
	const void *v;
	size_t vlen;
	char fp[17];
	int r;

	k[0] = (uint8_t)c->speaker->inst;
	store_be64(k + 1, seq);
	r = store_get(c->t, T_ENV_FIRST + c->speaker->inst - 1, k + 1, 8, &v,
		      &vlen);
	if (r == -ENOENT)
		r = store_get(c->t, T_REFUSED_ENV, k, 9, &v, &vlen);
	if (r == -ENOENT)
		return 0;
	if (r != 0)
		return r;
	if (vlen == len && memcmp(v, buf, len) == 0)
		return 0;
	/* Signed twice only if a registered key of the speaker signed it:
	 * else whoever holds a transport key alone could raise a theft's
	 * alarm. Stopped as unauthenticated, as at the expected sequence. */
	key = registry_by_key_id(c->ig->reg, c->speaker, env->key_id);
	if (key == NULL) {
		c->stop_reason = REASON_UNKNOWN_KEY;
		c->stop_seq = seq;
		snprintf(c->stop_text, sizeof(c->stop_text),
			 "sequence %llu: key %s is not registered for %s",
			 (unsigned long long)seq, log_hex8(env->key_id, fp),
			 c->speaker->id);
		return 3;
	}
	ingest_fields_of(env, &f);
	if (!verified && sign_verify(key->sign_pk, &f, env->signature) != 0) {
		c->stop_reason = REASON_BAD_SIGNATURE;
		c->stop_seq = seq;
		snprintf(c->stop_text, sizeof(c->stop_text),
			 "sequence %llu: signature does not verify with key "
			 "%.100s",
			 (unsigned long long)seq, key->name);
		return 3;
	}
	c->stop_reason = REASON_CONFLICT;
	c->stop_seq = seq;
	snprintf(c->stop_text, sizeof(c->stop_text),
		 "sequence %llu held with other bytes: signed twice with "
		 "this institution's key (stolen? OPERATIONS.md section 6; "
		 "restored? section 10)",
		 (unsigned long long)seq);
	return 3; /* logged once the group's fate is known (batch_done) */
}

/* Reasons that leave the envelope unauthenticated. */
static bool
unauthenticated(enum reason r)
{
	return r == REASON_UNKNOWN_KEY || r == REASON_BAD_SIGNATURE;
}

/*
 * Keeps the day envelope k is accepted, today, for the timeliness table:
 * beside the envelope, so that a rebuild finds it again. A day already
 * kept under k stays, and *ret_day is that one: the sequence was
 * accepted that day, then dropped to be sent again (--refetch, --repair:
 * ingest_forget), and its record arrived then, not now. Unless that day
 * is before the day the envelope was created (created_day): then it was
 * another envelope's, whose sequence the node signed again (its outbox
 * rebuilt short of it), and today is kept in its place. Returns 0 or
 * -errno.
 */
static int
put_accepted_day(struct store_txn *t, enum store_table tb, const uint8_t k[8],
		 int32_t today, int32_t created_day, int32_t *ret_day)
{
	uint8_t day[4];
	const void *v;
	size_t vlen;
	int r;

	*ret_day = today;
	store_be32(day, (uint32_t)today ^ DAYS_OFFSET);
	r = store_put(t, tb, k, 8, day, 4, STORE_APPEND);
	if (r != -EEXIST)
		return r;
	/* Not past the last day kept: one of those, or a sequence that was
	 * a dead letter and has none. */
	r = store_get(t, tb, k, 8, &v, &vlen);
	if (r == 0 && vlen == 4 &&
	    (int32_t)(store_get32(v) ^ DAYS_OFFSET) >= created_day) {
		*ret_day = (int32_t)(store_get32(v) ^ DAYS_OFFSET);
		return 0;
	}
	if (r != 0 && r != -ENOENT)
		return r;
	return store_put(t, tb, k, 8, day, 4, 0);
}

/*
 * One envelope at the position of sequence expected. Returns 1 taken
 * (accepted or refused as a dead letter), 0 skipped (duplicate), 2 gap,
 * 3 not authenticated or a duplicate with other bytes than those held
 * (stop: c->stop_reason says why), <0 a store
 * error or memory running out (the transaction is dropped).
 * Only an envelope signed by one of the speaker's registered keys can
 * take a sequence number: otherwise whoever holds a transport key alone
 * could burn an institution's sequence numbers.
 */
static int
take_envelope(struct batch_ctx *c, const uint8_t *buf, size_t len,
	      bool verified, struct envelope *decoded, uint64_t *ret_gap_seq)
{
	uint64_t expected = c->s.last_seq + 1;
	struct envelope env;
	char why[CODEC_MAX_TEXT + 1];
	uint8_t cv[CHANGE_LEN] = {0};
	enum reason reason;
	int32_t day = c->today;
	bool change;
	int r;

	/* Decoded ahead: taken over (a batch run again decodes its bytes). */
	if (decoded != NULL && decoded->event != NULL) {
		env = *decoded;
		memset(decoded, 0, sizeof(*decoded));
	} else if ((r = codec_envelope_decode(buf, len, &env)) != 0) {
		/* Memory running out is no fault of the batch's: the
		 * transaction is dropped and its node sends it again. */
		if (r == -ENOMEM)
			return r;
		return stop_batch(c, REASON_BAD_ENVELOPE,
				  "envelope undecodable");
	}
	if (env.inst != c->speaker->inst) {
		codec_envelope_clear(&env);
		return stop_batch(c, REASON_WRONG_INSTITUTION,
				  "envelope names another institution");
	}
	if (env.seq < expected) {
		r = check_duplicate(c, &env, buf, len, verified);
		codec_envelope_clear(&env);
		return r;
	}
	if (env.seq > expected) {
		*ret_gap_seq = env.seq;
		codec_envelope_clear(&env);
		return 2;
	}
	r = 0;
	reason = ingest_check_envelope(c->ig->reg, c->speaker, &env, c->ev, why,
				       sizeof(why), verified, &r);
	if (r != 0) {
		codec_envelope_clear(&env);
		return r;
	}
	if (unauthenticated(reason)) {
		codec_envelope_clear(&env);
		return stop_batch(c, reason, why);
	}
	change =
	    c->ev->kind == KIND_CORRECTION || c->ev->kind == KIND_WITHDRAWAL;
	if (reason == REASON_NONE && change)
		reason = ingest_check_change(c->t, c->speaker->inst, env.seq,
					     c->ev, why, sizeof(why), &r, cv);
	/* What one child or one case may cost: nothing is written for an
	 * event refused here. */
	if (reason == REASON_NONE && r == 0)
		reason = stats_room(c->ig->stats, c->speaker->inst, env.seq,
				    c->ev, why, sizeof(why), &r);
	if (reason == REASON_NONE && r == 0 && change)
		reason = ingest_put_change(c->t, c->speaker->inst, c->ev, cv,
					   why, sizeof(why), &r);
	if (r != 0) {
		codec_envelope_clear(&env);
		return r;
	}
	if (reason != REASON_NONE) {
		codec_envelope_clear(&env);
		r = refuse_seq(c, expected, reason, why, buf, len);
		return r < 0 ? r : 1;
	}
	if (env.created_ms > c->now_ms + INGEST_FUTURE_SLACK_MS) {
		c->future++;
		if (env.created_ms - c->now_ms > c->future_ahead_ms)
			c->future_ahead_ms = env.created_ms - c->now_ms;
	}
	{
		uint8_t k[8];
		store_be64(k, env.seq);
		r = store_put(c->t, T_ENV_FIRST + c->speaker->inst - 1, k, 8,
			      buf, len, STORE_APPEND);
		if (r == 0)
			r = put_accepted_day(
			    c->t, T_ACCEPT_FIRST + c->speaker->inst - 1, k,
			    c->today, date_of_ms(env.created_ms), &day);
	}
	codec_envelope_clear(&env);
	if (r == 0)
		r = stats_apply(c->ig->stats, c->speaker->inst, expected, c->ev,
				day);
	if (r != 0)
		return r;
	c->s.accepted++;
	c->s.last_seq = expected;
	return 1;
}

/*
 * Takes the envelopes of batch into the open transaction c->t, from the
 * institution's state c->s. Fills reply with the Ack, or with the
 * refusal of the whole batch, which writes nothing (only duplicates came
 * before the envelope it stopped at). Returns 0 or -errno (a store
 * failure or memory running out: the transaction must be dropped).
 */
int
ingest_take_batch(struct batch_ctx *c, const struct msg *batch, uint64_t now_ms,
		  struct msg *reply)
{
	uint64_t gap_seq = 0;
	size_t i, taken = 0;
	uint8_t ik = (uint8_t)c->speaker->inst;
	uint8_t iv[INGEST_STATUS_LEN];
	int r = 0;

	memset(reply, 0, sizeof(*reply));
	c->n_rej = 0;
	c->future = 0;
	c->future_ahead_ms = 0;
	c->stop_reason = REASON_NONE;
	c->start = c->s;
	for (i = 0; i < batch->n_envelopes; i++) {
		r = take_envelope(
		    c, batch->envelopes[i], batch->envelope_lens[i],
		    c->verified != NULL && c->verified[i],
		    c->decoded != NULL ? &c->decoded[i] : NULL, &gap_seq);
		if (r < 0)
			return r;
		if (r == 2 || r == 3)
			break;
		taken += (size_t)r;
	}
	reply->batch_id = batch->batch_id;
	if (r == 3 && taken == 0) {
		/* Nothing of it is anybody's: refuse the batch whole. */
		reply->type = MSG_REFUSAL;
		reply->reason = c->stop_reason;
		snprintf(reply->text, sizeof(reply->text), "%s", c->stop_text);
		return 0;
	}
	if (r == 2 && taken == 0) {
		reply->type = MSG_REFUSAL;
		reply->reason = REASON_GAP;
		snprintf(reply->text, sizeof(reply->text),
			 "sequence %llu received, %llu expected",
			 (unsigned long long)gap_seq,
			 (unsigned long long)(c->s.last_seq + 1));
		reply->has_expected = true;
		reply->expected_seq = c->s.last_seq + 1;
		return 0;
	}
	c->s.last_contact_ms = now_ms;
	ingest_status_encode(&c->s, iv);
	r = store_put(c->t, T_INSTS, &ik, 1, iv, sizeof(iv), 0);
	if (r != 0)
		return r;
	reply->type = MSG_ACK;
	reply->last_seq = c->s.last_seq;
	reply->n_rejections = c->n_rej;
	reply->rejections = c->rej;
	return 0;
}
