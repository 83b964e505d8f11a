/* ingest_check.c - an envelope's checks and a change's; see ingest.h. */
#include "ingest.h"
#include "ingest_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "log.h"
#include "sign.h"

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
void
ingest_fields_of(const struct envelope *env, struct sign_fields *f)
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
 * ingest_check_envelope - ingest_check, told whether env's signature was
 * already found to verify with the key registry_by_key_id gives for it (then
 * not verified again).
 */
enum reason
ingest_check_envelope(const struct registry *reg,
		      const struct reg_party *speaker,
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
	ingest_fields_of(env, &f);
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
	return ingest_check_envelope(reg, speaker, env, ev, why, whylen, false,
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
		ingest_fields_of(&env, &f);
		ok = sign_verify(key->sign_pk, &f, env.signature) == 0;
	}
	if (ok && ret_env != NULL)
		*ret_env = env; /* the writer's, not to be decoded again */
	else
		codec_envelope_clear(&env);
	return ok;
}

/*
 * The checks of ingest_apply_change, writing nothing: cv gets the
 * T_CHANGES value the change would leave (ingest_put_change writes it).
 */
enum reason
ingest_check_change(struct store_txn *t, enum institution inst, uint64_t seq,
		    const struct event *ev, char *why, size_t whylen,
		    int *ret_err, uint8_t cv[CHANGE_LEN])
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

/* Writes the T_CHANGES value cv of ev's target (ingest_check_change's). */
enum reason
ingest_put_change(struct store_txn *t, enum institution inst,
		  const struct event *ev, const uint8_t cv[CHANGE_LEN],
		  char *why, size_t whylen, int *ret_err)
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

	res = ingest_check_change(t, inst, seq, ev, why, whylen, ret_err, cv);
	if (res != REASON_NONE)
		return res;
	return ingest_put_change(t, inst, ev, cv, why, whylen, ret_err);
}
