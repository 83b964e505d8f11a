/* ingest.c - verify, validate, commit a batch; see ingest.h. */
#include "ingest.h"
#include "ingest_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "log.h"
#include "prepare.h"
#include "sign.h"

void
ingest_status_encode(const struct inst_status *s,
		     uint8_t out[INGEST_STATUS_LEN])
{
	int i;

	store_be64(out, s->last_seq);
	store_be64(out + 8, s->accepted);
	store_be64(out + 16, s->refused);
	store_be64(out + 24, s->last_contact_ms);
	for (i = 0; i < REASON_COUNT; i++)
		store_be64(out + 32 + 8 * i, s->refused_by_reason[i]);
}

static void
inst_decode(const uint8_t *p, size_t len, struct inst_status *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	if (len < 32)
		return;
	s->last_seq = store_get64(p);
	s->accepted = store_get64(p + 8);
	s->refused = store_get64(p + 16);
	s->last_contact_ms = store_get64(p + 24);
	for (i = 0; i < REASON_COUNT && 32 + 8 * i + 8 <= len; i++)
		s->refused_by_reason[i] = store_get64(p + 32 + 8 * i);
}

int
ingest_inst_status(struct store_txn *t, int inst, struct inst_status *ret)
{
	uint8_t k = (uint8_t)inst;
	const void *v;
	size_t vlen;

	if (store_get(t, T_INSTS, &k, 1, &v, &vlen) != 0) {
		memset(ret, 0, sizeof(*ret));
		return -ENOENT;
	}
	inst_decode(v, vlen, ret);
	return 0;
}

int
ingest_load_status(struct ingest *ig)
{
	struct store_txn *t;
	int i, r;

	r = store_begin(ig->st, false, &t);
	if (r != 0)
		return r;
	for (i = 1; i <= INST_COUNT; i++)
		(void)ingest_inst_status(t, i, &ig->inst[i]);
	store_abort(&t);
	return 0;
}

int
ingest_open(struct ingest *ig, struct store *st, const struct registry *reg)
{
	int r;

	ig->st = st;
	ig->reg = reg;
	ig->rebuilt = false;
	for (r = 0; r <= INST_COUNT; r++)
		ig->refused_log[r].burst = INGEST_REFUSED_BURST;
	ig->stats = stats_new();
	if (ig->stats == NULL)
		return -ENOMEM;
	r = ingest_load_status(ig);
	if (r == 0)
		r = stats_load(ig->stats, st);
	if (r == -ESTALE) {
		uint64_t events = 0, skipped = 0;
		if (stats_stale(ig->stats))
			log_info("event=stats_stale action=rebuild "
				 "text=\"envelopes were dropped (--refetch or "
				 "--repair): the statistics that counted them "
				 "are rebuilt\"");
		else
			log_info("event=stats_format_old action=rebuild");
		r = ingest_rebuild(ig, &events, &skipped);
		ig->rebuilt = r == 0;
		ig->rebuilt_events = events;
		ig->rebuilt_skipped = skipped;
		if (r == 0)
			log_info("event=stats_rebuilt events=%llu skipped=%llu",
				 (unsigned long long)events,
				 (unsigned long long)skipped);
		/* Stored, acknowledged, and now missing from every table:
		 * after a downgrade, events of a newer schema version. */
		if (r == 0 && skipped > 0)
			log_warnx("event=stats_not_counted envelopes=%llu "
				  "text=\"stored envelopes that no longer pass "
				  "this version's checks are left out of the "
				  "statistics: a thief's after revoked_after_seq, "
				  "as meant; or, after a downgrade, events of a "
				  "newer schema version, which the tables then "
				  "miss. kuska-consolidator --audit names them; "
				  "run the version that accepted them\"",
				  (unsigned long long)skipped);
	}
	return r;
}

void
ingest_view(const struct ingest *ig, struct ingest_view *ret)
{
	memcpy(ret->inst, ig->inst, sizeof(ret->inst));
	memcpy(ret->created_in_future, ig->created_in_future,
	       sizeof(ret->created_in_future));
	ret->disk_full_total = ig->disk_full_total;
	ret->disk_full_ms = ig->disk_full_ms;
	ret->map_size = store_map_size(ig->st);
}

void
ingest_close(struct ingest *ig)
{
	stats_free(&ig->stats);
}

/* Whether the registry lets speaker emit this record (kind, stage). */
static enum reason
check_record_allowed(const struct reg_party *p, const struct record *rec,
		     char *why, size_t whylen)
{
	if (!(p->kinds & (1u << rec->kind)))
		return reason_say(why, whylen, REASON_KIND_NOT_ALLOWED,
				  "%s may not emit %s", p->id,
				  kind_name(rec->kind));
	if (rec->kind == KIND_CASE_STAGE && !(p->stages & (1u << rec->stage)))
		return reason_say(why, whylen, REASON_STAGE_NOT_ALLOWED,
				  "%s may not emit case stage %s", p->id,
				  stage_name(rec->stage));
	if ((rec->kind == KIND_REFERRAL ||
	     rec->kind == KIND_REFERRAL_RECEIVED) &&
	    rec->other == p->inst)
		return reason_say(why, whylen, REASON_BAD_EVENT,
				  "a referral between %s and itself", p->id);
	return REASON_NONE;
}

/* The signed fields of env. */
static void
fields_of(const struct envelope *env, struct sign_fields *f)
{
	f->network = env->network;
	f->version = env->version;
	f->institution = (uint8_t)env->inst;
	f->seq = env->seq;
	f->created_ms = env->created_ms;
	memcpy(f->key_id, env->key_id, KEY_ID_LEN);
	f->event = env->event;
	f->event_len = env->event_len;
}

/*
 * check_envelope - ingest_check, told whether env's signature was already
 * found to verify with the key registry_by_key_id gives for it (then not
 * verified again).
 */
static enum reason
check_envelope(const struct registry *reg, const struct reg_party *speaker,
	       const struct envelope *env, struct event *ev, char *why,
	       size_t whylen, bool verified, int *ret_err)
{
	const struct reg_key *key;
	struct sign_fields f;
	char fp[17];
	int r;

	/* First whether a registered key of the speaker signed it: until
	 * then the envelope is nobody's, and may not cost a sequence. */
	key = registry_by_key_id(reg, speaker, env->key_id);
	if (key == NULL)
		return reason_say(why, whylen, REASON_UNKNOWN_KEY,
				  "key %s is not registered for %s",
				  log_hex8(env->key_id, fp), speaker->id);
	/* The signature covers the network the envelope names: an altered
	 * one fails here, an honest one of another network just below. */
	fields_of(env, &f);
	if (!verified && sign_verify(key->sign_pk, &f, env->signature) != 0)
		return reason_say(why, whylen, REASON_BAD_SIGNATURE,
				  "signature does not verify with key %s",
				  key->name);
	if (strcmp(env->network, reg->network) != 0)
		return reason_say(why, whylen, REASON_WRONG_NETWORK,
				  "signed for network %s; this is network %s",
				  env->network, reg->network);
	if (env->seq > key->revoked_after_seq)
		return reason_say(why, whylen, REASON_KEY_NOT_VALID,
				  "key %s was revoked after sequence %llu",
				  key->name,
				  (unsigned long long)key->revoked_after_seq);
	if (!registry_key_signs(key, env->created_ms, env->seq))
		return reason_say(
		    why, whylen, REASON_KEY_NOT_VALID,
		    "key %s was not valid when the event was created",
		    key->name);
	if (env->version < CODEC_VERSION_MIN || env->version > CODEC_VERSION)
		return reason_say(why, whylen, REASON_BAD_VERSION,
				  "schema version %u not supported (this "
				  "consolidator reads %d to %d)",
				  env->version, CODEC_VERSION_MIN,
				  CODEC_VERSION);
	r = codec_event_decode(env->event, env->event_len, ev);
	if (r == -ENOMEM) {
		*ret_err = r; /* not the event's fault: retried */
		return reason_say(why, whylen, REASON_STORE_ERROR,
				  "out of memory");
	}
	if (r != 0)
		return reason_say(why, whylen, REASON_BAD_EVENT,
				  "event undecodable or a field out of range");
	if (!event_fits_version(ev, env->version))
		return reason_say(why, whylen, REASON_BAD_EVENT,
				  "victim keys not those of schema version %u",
				  env->version);
	if (ev->kind == KIND_WITHDRAWAL) {
		if (!(speaker->kinds & (1u << KIND_WITHDRAWAL)))
			return reason_say(why, whylen, REASON_KIND_NOT_ALLOWED,
					  "%s may not emit withdrawal",
					  speaker->id);
		return REASON_NONE;
	}
	if (ev->kind == KIND_CORRECTION &&
	    !(speaker->kinds & (1u << KIND_CORRECTION)))
		return reason_say(why, whylen, REASON_KIND_NOT_ALLOWED,
				  "%s may not emit correction", speaker->id);
	/* The node refused it at intake if it was dated after the node's
	 * today; a day of slack for a node near midnight. */
	if (ev->rec.date > date_of_ms(env->created_ms) + 1)
		return reason_say(why, whylen, REASON_BAD_EVENT,
				  "event dated after the day it was signed");
	return check_record_allowed(speaker, &ev->rec, why, whylen);
}

enum reason
ingest_check(const struct registry *reg, const struct reg_party *speaker,
	     const struct envelope *env, struct event *ev, char *why,
	     size_t whylen, int *ret_err)
{
	return check_envelope(reg, speaker, env, ev, why, whylen, false,
			      ret_err);
}

bool
ingest_signature_ok(const struct registry *reg, const struct reg_party *speaker,
		    const uint8_t *buf, size_t len, struct envelope *ret_env)
{
	const struct reg_key *key;
	struct envelope env;
	struct sign_fields f;
	bool ok = false;

	if (ret_env != NULL)
		memset(ret_env, 0, sizeof(*ret_env));
	if (codec_envelope_decode(buf, len, &env) != 0)
		return false;
	if (env.inst == speaker->inst &&
	    (key = registry_by_key_id(reg, speaker, env.key_id)) != NULL) {
		fields_of(&env, &f);
		ok = sign_verify(key->sign_pk, &f, env.signature) == 0;
	}
	if (ok && ret_env != NULL)
		*ret_env = env; /* the writer's, not to be decoded again */
	else
		codec_envelope_clear(&env);
	return ok;
}

/* The T_CHANGES value: withdrawn flag, latest correction's sequence. */
#define CHANGE_LEN 9

/*
 * The checks of ingest_apply_change, writing nothing: cv gets the
 * T_CHANGES value the change would leave (put_change writes it).
 */
static enum reason
check_change(struct store_txn *t, enum institution inst, uint64_t seq,
	     const struct event *ev, char *why, size_t whylen, int *ret_err,
	     uint8_t cv[CHANGE_LEN])
{
	uint8_t k[9];
	const void *v;
	size_t vlen;
	struct envelope tenv;
	struct event *tev;
	enum reason res = REASON_NONE;
	int r;

	if (ev->target_seq == 0 || ev->target_seq >= seq)
		return reason_say(why, whylen, REASON_BAD_TARGET,
				  "target %llu is not an earlier event",
				  (unsigned long long)ev->target_seq);
	store_be64(k + 1, ev->target_seq);
	r = store_get(t, T_ENV_FIRST + inst - 1, k + 1, 8, &v, &vlen);
	if (r == -ENOENT)
		return reason_say(why, whylen, REASON_BAD_TARGET,
				  "target %llu was refused or is not held",
				  (unsigned long long)ev->target_seq);
	if (r != 0) {
		*ret_err = r; /* not the event's fault: retried */
		return reason_say(why, whylen, REASON_STORE_ERROR, "store: %s",
				  strerror(-r));
	}
	tev = malloc(sizeof(*tev));
	if (tev == NULL) {
		*ret_err = -ENOMEM;
		return reason_say(why, whylen, REASON_STORE_ERROR,
				  "out of memory");
	}
	r = codec_envelope_decode(v, vlen, &tenv);
	if (r == 0)
		r = codec_event_decode(tenv.event, tenv.event_len, tev);
	if (r == -ENOMEM) {
		*ret_err = r;
		res = reason_say(why, whylen, REASON_STORE_ERROR,
				 "out of memory");
		goto out;
	}
	if (r != 0) {
		res = reason_say(why, whylen, REASON_BAD_TARGET,
				 "target %llu cannot be read",
				 (unsigned long long)ev->target_seq);
		goto out;
	}
	if (tev->kind == KIND_CORRECTION || tev->kind == KIND_WITHDRAWAL) {
		res = reason_say(why, whylen, REASON_BAD_TARGET,
				 "target %llu is itself a %s",
				 (unsigned long long)ev->target_seq,
				 kind_name(tev->kind));
		goto out;
	}
	if (ev->kind == KIND_CORRECTION && tev->kind != ev->rec.kind) {
		res =
		    reason_say(why, whylen, REASON_BAD_TARGET,
			       "a correction must keep the target's kind (%s)",
			       kind_name(tev->kind));
		goto out;
	}
	k[0] = (uint8_t)inst;
	r = store_get(t, T_CHANGES, k, 9, &v, &vlen);
	if (r == 0 && vlen == CHANGE_LEN)
		memcpy(cv, v, CHANGE_LEN);
	if (r != 0 && r != -ENOENT) {
		*ret_err = r;
		res = reason_say(why, whylen, REASON_STORE_ERROR, "store: %s",
				 strerror(-r));
		goto out;
	}
	if (cv[0]) {
		res = reason_say(why, whylen, REASON_BAD_TARGET,
				 "target %llu was withdrawn",
				 (unsigned long long)ev->target_seq);
		goto out;
	}
	if (ev->kind == KIND_WITHDRAWAL)
		cv[0] = 1;
	else
		store_be64(cv + 1, seq);
out:
	codec_envelope_clear(&tenv);
	free(tev);
	return res;
}

/* Writes the T_CHANGES value cv of ev's target (check_change's). */
static enum reason
put_change(struct store_txn *t, enum institution inst, const struct event *ev,
	   const uint8_t cv[CHANGE_LEN], char *why, size_t whylen, int *ret_err)
{
	uint8_t k[9];
	int r;

	k[0] = (uint8_t)inst;
	store_be64(k + 1, ev->target_seq);
	r = store_put(t, T_CHANGES, k, 9, cv, CHANGE_LEN, 0);
	if (r != 0) {
		*ret_err = r;
		return reason_say(why, whylen, REASON_STORE_ERROR, "store: %s",
				  strerror(-r));
	}
	return REASON_NONE;
}

enum reason
ingest_apply_change(struct store_txn *t, enum institution inst, uint64_t seq,
		    const struct event *ev, char *why, size_t whylen,
		    int *ret_err)
{
	uint8_t cv[CHANGE_LEN] = {0};
	enum reason res;

	res = check_change(t, inst, seq, ev, why, whylen, ret_err, cv);
	if (res != REASON_NONE)
		return res;
	return put_change(t, inst, ev, cv, why, whylen, ret_err);
}

/* The work of one batch, inside its transaction. */
struct batch_ctx {
	struct ingest *ig;
	const struct reg_party *speaker;
	struct store_txn *t;
	struct inst_status s;	  /* the institution's state as it goes */
	struct inst_status start; /* as the batch found it */
	struct event *ev;
	int32_t today;
	const bool *verified;	  /* the caller's hints, or NULL */
	struct envelope *decoded; /* as ingest_item's, or NULL */
	uint64_t now_ms;
	uint64_t future, future_ahead_ms; /* signed after our now */
	struct rejection *rej; /* allocated at the batch's first refusal */
	size_t n_rej, cap_rej;
	enum reason stop_reason; /* why the batch stopped short (or NONE) */
	uint64_t stop_seq;	 /* at which sequence */
	char stop_text[CODEC_MAX_TEXT + 1];
};

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
	fields_of(env, &f);
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
	reason = check_envelope(c->ig->reg, c->speaker, &env, c->ev, why,
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
		reason = check_change(c->t, c->speaker->inst, env.seq, c->ev,
				      why, sizeof(why), &r, cv);
	/* What one child or one case may cost: nothing is written for an
	 * event refused here. */
	if (reason == REASON_NONE && r == 0)
		reason = stats_room(c->ig->stats, c->speaker->inst, env.seq,
				    c->ev, why, sizeof(why), &r);
	if (reason == REASON_NONE && r == 0 && change)
		reason = put_change(c->t, c->speaker->inst, c->ev, cv, why,
				    sizeof(why), &r);
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
		uint8_t k[8], day[4];
		store_be64(k, env.seq);
		store_be32(day, (uint32_t)c->today ^ DAYS_OFFSET);
		r = store_put(c->t, T_ENV_FIRST + c->speaker->inst - 1, k, 8,
			      buf, len, STORE_APPEND);
		/* The day it was accepted, for the timeliness table: kept
		 * beside the envelope so that a rebuild finds it again. */
		if (r == 0)
			r = store_put(c->t,
				      T_ACCEPT_FIRST + c->speaker->inst - 1, k,
				      8, day, 4, STORE_APPEND);
	}
	codec_envelope_clear(&env);
	if (r == 0)
		r = stats_apply(c->ig->stats, c->speaker->inst, expected, c->ev,
				c->today);
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
static int
take_batch(struct batch_ctx *c, const struct msg *batch, uint64_t now_ms,
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

/*
 * Sets c up for item it, decoding into ev (NULL: out of memory, as the
 * return says; ctx_init then still clears c). Returns 0 or -ENOMEM.
 */
static int
ctx_init(struct batch_ctx *c, struct ingest *ig, const struct ingest_item *it,
	 struct event *ev)
{
	memset(c, 0, sizeof(*c));
	c->ig = ig;
	c->speaker = it->speaker;
	c->ev = ev;
	c->now_ms = it->now_ms;
	c->today = date_of_ms(it->now_ms);
	c->verified = it->verified;
	c->decoded = it->decoded;
	/* Most batches refuse nothing: their room for refusals (200 KB for
	 * a full batch) would be allocated and zeroed for nothing. */
	c->cap_rej = it->batch->n_envelopes + 1;
	return c->ev == NULL ? -ENOMEM : 0;
}

/*
 * What a batch leaves once its group's fate is known - committed, or
 * refused whole with nothing written: the log lines and, for an Ack, the
 * institution's new state in memory. Not before: a group undone and run
 * again alone would say it twice, or name a dead letter never stored.
 */
static void
batch_done(struct batch_ctx *c, const struct msg *reply)
{
	size_t i;

	if (c->stop_reason != REASON_NONE)
		log_warnx_budget(
		    &c->ig->stop_log[c->speaker->inst],
		    "event=batch_stopped institution=%s seq=%llu "
		    "reason=%s text=%s",
		    c->speaker->id, (unsigned long long)c->stop_seq,
		    reason_name(c->stop_reason), LOG_Q(c->stop_text));
	if (reply->type != MSG_ACK)
		return;
	for (i = 0; i < c->n_rej; i++)
		log_warnx_budget(
		    &c->ig->refused_log[c->speaker->inst],
		    "event=refused institution=%s seq=%llu "
		    "reason=%s text=%s",
		    c->speaker->id, (unsigned long long)c->rej[i].seq,
		    reason_name(c->rej[i].reason), LOG_Q(c->rej[i].text));
	c->ig->inst[c->speaker->inst] = c->s;
	c->ig->disk_full_ms = 0;
	if (c->future > 0) {
		c->ig->created_in_future[c->speaker->inst] += c->future;
		log_warnx("event=created_in_future institution=%s events=%llu "
			  "ahead_s=%llu (signed later than this clock says "
			  "it is: one of the two clocks is wrong)",
			  c->speaker->id, (unsigned long long)c->future,
			  (unsigned long long)(c->future_ahead_ms / 1000));
	}
}

/*
 * Says once that the statistics' index and graph were lost to an error
 * (memory running out), every batch refused until they are loaded again,
 * and once that they were.
 */
static void
say_stats_lost(struct ingest *ig)
{
	int e = stats_lost(ig->stats);

	if (e != 0 && !ig->stats_lost_said)
		log_warnx("event=stats_lost error=%s "
			  "action=refuse_batches_until_loaded",
			  LOG_Q(strerror(-e)));
	else if (e == 0 && ig->stats_lost_said)
		log_info("event=stats_loaded action=take_batches");
	ig->stats_lost_said = e != 0;
}

/*
 * Runs the batches of a group, ctx i for items[i], in one transaction
 * and one commit (a group of one for ingest_batch). Returns 0 or -errno
 * (then nothing of them is kept, and nothing in memory changed: the
 * statistics are told to discard).
 */
static int
run_group(struct ingest *ig, struct batch_ctx *cs, struct ingest_item *items,
	  size_t n)
{
	struct inst_status cur[INST_COUNT + 1];
	uint32_t years[STATS_YEARS_MAX], noted[PREPARE_YEARS_MAX];
	struct store_txn *t = NULL;
	bool any = false;
	size_t i, n_noted = 0;
	int r;

	/* The institutions' state as the group goes: a batch follows the
	 * one before it of its institution, committed or not. */
	memcpy(cur, ig->inst, sizeof(cur));
	r = store_begin(ig->st, true, &t);
	if (r != 0)
		return r;
	stats_begin(ig->stats, t);
	say_stats_lost(ig);
	for (i = 0; i < n && r == 0; i++) {
		struct batch_ctx *c = &cs[i];
		c->t = t;
		c->s = cur[c->speaker->inst];
		r = take_batch(c, items[i].batch, items[i].now_ms,
			       &items[i].reply);
		if (r == 0 && items[i].reply.type == MSG_ACK) {
			cur[c->speaker->inst] = c->s;
			any = true;
		}
	}
	if (r == 0 && !any) {
		/* Every batch refused whole: nothing was written. */
		stats_discard(ig->stats);
		store_abort(&t);
	} else {
		if (r == 0)
			r = stats_flush(ig->stats);
		/* Counters of some year changed: so did the release of
		 * every year with data (prepare_years_in), up to the
		 * batches' today. */
		if (r == 0 && stats_years(ig->stats, years) > 0)
			n_noted = prepare_years_in(
			    t, date_of_ms(items[n - 1].now_ms), noted);
		if (r == 0)
			r = store_commit(&t);
		if (r != 0) {
			stats_discard(ig->stats);
			store_abort(&t);
			return r;
		}
		stats_committed(ig->stats);
		say_stats_lost(ig);
		/* The secretariat's releases of those years, made ready
		 * once ingest is quiet (prepare.h). */
		prepare_note(noted, n_noted, date_mono_ms());
	}
	for (i = 0; i < n; i++) {
		batch_done(&cs[i], &items[i].reply);
		items[i].conflict_seq =
		    cs[i].stop_reason == REASON_CONFLICT ? cs[i].stop_seq : 0;
	}
	return 0;
}

/* ingest_batch, taking the envelopes decoded ahead (NULL: none), and
 * saying a conflict (ingest_item's conflict_seq) when ret_conflict_seq. */
static int
batch_alone(struct ingest *ig, const struct reg_party *speaker,
	    const struct msg *batch, const bool *verified,
	    struct envelope *decoded, uint64_t now_ms, struct msg *reply,
	    uint64_t *ret_conflict_seq)
{
	struct ingest_item item = {.speaker = speaker,
				   .batch = batch,
				   .verified = verified,
				   .decoded = decoded,
				   .now_ms = now_ms};
	struct batch_ctx c;
	int r, tries;

	memset(reply, 0, sizeof(*reply));
	if (ret_conflict_seq != NULL)
		*ret_conflict_seq = 0;
	r = ctx_init(&c, ig, &item, malloc(sizeof(*c.ev)));
	if (r != 0)
		goto refuse;
	for (tries = 0; tries < 4; tries++) {
		r = run_group(ig, &c, &item, 1);
		if (r != -EFBIG || store_grow(ig->st) != 0)
			break;
	}
	free(c.ev);
	c.ev = NULL;
	if (r == 0) {
		*reply = item.reply;
		if (ret_conflict_seq != NULL)
			*ret_conflict_seq = item.conflict_seq;
		if (reply->type != MSG_ACK)
			free(c.rej);
		/* else the caller frees reply->rejections */
		return 0;
	}
refuse:
	free(c.ev);
	free(c.rej);
	memset(reply, 0, sizeof(*reply));
	reply->type = MSG_REFUSAL;
	reply->batch_id = batch->batch_id;
	reply->reason = r == -ENOSPC || r == -EFBIG ? REASON_STORE_FULL
						    : REASON_STORE_ERROR;
	if (r == -ENOSPC) {
		ig->disk_full_total++;
		ig->disk_full_ms = date_now_ms();
		snprintf(reply->text, sizeof(reply->text),
			 "no space left on %.120s at the consolidator; retry "
			 "later",
			 store_dir(ig->st));
	} else if (r == -EFBIG) {
		snprintf(reply->text, sizeof(reply->text),
			 "the consolidator's store reached its ceiling "
			 "(max_map_size_mb); retry later");
	} else if (r == -ENOMEM) {
		snprintf(reply->text, sizeof(reply->text),
			 "the consolidator ran out of memory; retry later");
	} else if (r == -EUCLEAN) {
		snprintf(reply->text, sizeof(reply->text),
			 "the consolidator's store is damaged; retry later");
	} else {
		snprintf(reply->text, sizeof(reply->text),
			 "the consolidator's store failed (%s); retry later",
			 strerror(-r));
	}
	log_warnx("event=batch_refused institution=%s reason=%s text=%s",
		  speaker->id, reason_name(reply->reason), LOG_Q(reply->text));
	/* A failed transaction may have left the cache ahead of the store. */
	(void)ingest_load_status(ig);
	return r;
}

int
ingest_batch(struct ingest *ig, const struct reg_party *speaker,
	     const struct msg *batch, const bool *verified, uint64_t now_ms,
	     struct msg *reply)
{
	return batch_alone(ig, speaker, batch, verified, NULL, now_ms, reply,
			   NULL);
}

/* Each item alone, through ingest_batch: the group's fallback. */
static void
run_alone(struct ingest *ig, struct ingest_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum institution inst = items[i].speaker->inst;
		uint64_t before = ig->inst[inst].accepted;
		items[i].err = batch_alone(ig, items[i].speaker, items[i].batch,
					   items[i].verified, items[i].decoded,
					   items[i].now_ms, &items[i].reply,
					   &items[i].conflict_seq);
		items[i].accepted = ig->inst[inst].accepted - before;
	}
}

int
ingest_batches(struct ingest *ig, struct ingest_item *items, size_t n)
{
	struct batch_ctx *cs;
	struct event *ev;
	size_t i;
	int r = 0, tries;

	if (n == 1) {
		run_alone(ig, items, 1);
		return items[0].err;
	}
	cs = calloc(n, sizeof(*cs));
	ev = malloc(sizeof(*ev));
	if (cs == NULL || ev == NULL)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < n; i++)
		r = ctx_init(&cs[i], ig, &items[i], ev);
	for (tries = 0; r == 0 || r == -EFBIG; tries++) {
		if (tries == 4 || (r == -EFBIG && store_grow(ig->st) != 0))
			break;
		r = run_group(ig, cs, items, n);
		if (r == 0)
			break;
	}
	for (i = 0; i < n && cs != NULL; i++) {
		items[i].err = 0;
		items[i].accepted = cs[i].s.accepted - cs[i].start.accepted;
		/* An Ack's rejections are the caller's to free. */
		if (r != 0 || items[i].reply.type != MSG_ACK)
			free(cs[i].rej);
	}
	free(ev);
	free(cs);
	if (r != 0) {
		log_warnx("event=group_failed batches=%zu error=\"%s\" "
			  "action=one_by_one",
			  n, strerror(-r));
		run_alone(ig, items, n);
	}
	return r;
}
