/*
 * intake.c - parse, pseudonymise through the key holders, validate, sign,
 * store; see intake.h.
 *
 * Key epochs. Every event carrying pseudonyms says which key epoch made
 * them (Event.key_epoch); each ref remembers the epoch of the envelope
 * carrying its content. After a key rotation the case system resubmits
 * its export: a record whose ref is held under an older epoch is re-sent
 * as a correction of itself (or, for a correction, as a correction of the
 * same target) carrying the new pseudonyms, unless a later record already
 * carries its content (it was corrected since, or withdrawn). So each
 * record keeps counting once, and once every institution has resubmitted
 * every live record carries pseudonyms of the new epoch.
 */
#include "intake.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "log.h"
#include "sign.h"

/* ref_info.target: what a ref's own envelope amends. */
enum { TARGET_NONE = 0, TARGET_CORRECTION = 1, TARGET_WITHDRAWAL = 2 };

static bool
blank(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

static void refuse(struct line_result *res, const char *field, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void
refuse(struct line_result *res, const char *field, const char *fmt, ...)
{
	va_list ap;

	res->status = LINE_REFUSED;
	snprintf(res->field, sizeof(res->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
}

static void
refuse_other_record(struct line_result *res, const struct ref_info *known)
{
	refuse(res, "ref", "already used for a different record (seq %llu)",
	       (unsigned long long)known->seq);
}

int
intake_init(struct intake *in)
{
	in->batch = pseudo_batch_new();
	in->recs = calloc(2 * INTAKE_ROUND_RECORDS, sizeof(*in->recs));
	if (in->batch == NULL || in->recs == NULL) {
		intake_free(in);
		return -ENOMEM;
	}
	return 0;
}

void
intake_free(struct intake *in)
{
	pseudo_batch_free(&in->batch);
	free(in->recs);
	in->recs = NULL;
}

/*
 * Resolves a correction's or withdrawal's target (its id into tid, its
 * ref info into ret). With `strict`, also applies the rules that matter
 * only for a new record (target live, a correction the target's kind).
 * Returns 0, or -EINVAL with res filled, or -errno for a store failure.
 */
static int
resolve_target(struct outbox_txn *t, struct intake *in, struct parsed_record *p,
	       bool strict, struct ref_info *ret, uint8_t tid[EVENT_ID_LEN],
	       struct line_result *res)
{
	int r;

	pseudo_event_id(in->ref_key->key, in->inst, p->target_ref, tid);
	r = outbox_ref_get(t, tid, ret);
	if (r == -ENOENT) {
		refuse(res, "target_ref", "no earlier record has this ref");
		return -EINVAL;
	}
	if (r != 0) {
		refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	p->ev.target_seq = ret->seq;
	if (!strict)
		return 0;
	if (ret->target) {
		refuse(res, "target_ref",
		       "names a correction or withdrawal; name the original "
		       "record");
		return -EINVAL;
	}
	if (ret->state == REF_WITHDRAWN) {
		refuse(res, "target_ref", "that record was withdrawn");
		return -EINVAL;
	}
	if (p->ev.kind == KIND_CORRECTION && p->ev.rec.kind != ret->kind) {
		refuse(res, "record.kind", "must be the target's kind, %s",
		       kind_name((enum kind)ret->kind));
		return -EINVAL;
	}
	return 0;
}

/* Signs the event bytes as envelope seq and appends it to the outbox. */
static int
seal(struct outbox_txn *t, struct intake *in, uint64_t seq, const uint8_t *evb,
     size_t evlen, const char *ref)
{
	struct envelope env;
	struct sign_fields f;
	uint8_t *buf;
	size_t len;
	int r;

	memset(&env, 0, sizeof(env));
	env.version = CODEC_VERSION;
	env.inst = in->inst;
	env.seq = seq;
	memcpy(env.key_id, in->key->key_id, KEY_ID_LEN);
	env.created_ms = date_now_ms();
	env.event = (uint8_t *)evb;
	env.event_len = evlen;
	snprintf(env.network, sizeof(env.network), "%s", in->network);
	f.network = env.network;
	f.version = env.version;
	f.institution = (uint8_t)env.inst;
	f.seq = seq;
	f.created_ms = env.created_ms;
	memcpy(f.key_id, env.key_id, KEY_ID_LEN);
	f.event = evb;
	f.event_len = evlen;
	r = sign_envelope(in->key->sign_sk, &f, env.signature);
	if (r != 0)
		return r;
	r = codec_envelope_encode(&env, &buf, &len);
	if (r != 0)
		return r;
	r = outbox_append(t, seq, env.created_ms, buf, len, ref);
	free(buf);
	return r;
}

/* Encodes ev and stores it as the next envelope (*ret_seq). */
static int
store_event(struct outbox_txn *t, struct intake *in, const struct event *ev,
	    const char *ref, uint64_t *ret_seq)
{
	uint8_t *evb;
	size_t evlen;
	int r;

	r = codec_event_encode(ev, &evb, &evlen);
	if (r != 0)
		return r;
	*ret_seq = outbox_next_seq(t);
	r = seal(t, in, *ret_seq, evb, evlen, ref);
	free(evb);
	return r;
}

/*
 * A record whose ref is held under an older key epoch: re-sends its
 * content with this epoch's pseudonyms, as a correction, when it is
 * still the live content of its record (see the top of this file).
 * Returns 0 (res says what happened) or -errno for a store failure.
 */
static int
rekey(struct outbox_txn *t, struct intake *in, struct parsed_record *p,
      struct ref_info *known, struct ref_info *target,
      const uint8_t tid[EVENT_ID_LEN], const uint8_t digest[32],
      struct line_result *res)
{
	bool correction = p->ev.kind == KIND_CORRECTION;
	uint64_t seq;
	int r;

	if (correction ? known->target != TARGET_CORRECTION
		       : known->target != TARGET_NONE ||
			     known->kind != (uint8_t)p->ev.rec.kind) {
		refuse_other_record(res, known);
		return 0;
	}
	if (correction ? target->state == REF_WITHDRAWN ||
			     target->current != known->own
		       : known->state == REF_WITHDRAWN ||
			     known->current != known->own) {
		/* Withdrawn, or a later correction carries the content: it
		 * is re-sent when that correction's line comes. */
		res->status = LINE_HELD;
		res->seq = known->seq;
		return 0;
	}
	if (!correction) {
		p->ev.kind = KIND_CORRECTION;
		p->ev.target_seq = known->seq;
	}
	r = store_event(t, in, &p->ev, p->ref, &seq);
	if (r != 0)
		goto fail;
	known->own = seq;
	known->epoch = p->ev.key_epoch;
	memcpy(known->digest, digest, 32);
	if (correction) {
		target->current = seq;
		r = outbox_ref_put(t, tid, target);
	} else {
		known->current = seq;
	}
	if (r == 0)
		r = outbox_ref_put(t, p->ev.id, known);
	if (r != 0)
		goto fail;
	in->rekeyed++;
	res->status = LINE_REKEYED;
	res->seq = seq;
	return 0;
fail:
	refuse(res, "", "store error: %s", strerror(-r));
	return r;
}

/* A ref not held yet: the record is signed and stored. */
static int
store_new(struct outbox_txn *t, struct intake *in, struct parsed_record *p,
	  const uint8_t *evb, size_t evlen, const uint8_t digest[32],
	  struct ref_info *target, const uint8_t tid[EVENT_ID_LEN],
	  struct line_result *res)
{
	struct ref_info ni;
	uint64_t seq = outbox_next_seq(t);
	int r;

	r = seal(t, in, seq, evb, evlen, p->ref);
	if (r == 0) {
		memset(&ni, 0, sizeof(ni));
		ni.seq = ni.own = ni.current = seq;
		ni.state = REF_LIVE;
		ni.epoch = p->ev.key_epoch;
		memcpy(ni.digest, digest, 32);
		switch (p->ev.kind) {
		case KIND_WITHDRAWAL:
			ni.kind = target->kind;
			ni.target = TARGET_WITHDRAWAL;
			target->state = REF_WITHDRAWN;
			break;
		case KIND_CORRECTION:
			ni.kind = (uint8_t)p->ev.rec.kind;
			ni.target = TARGET_CORRECTION;
			target->current = seq;
			break;
		default:
			ni.kind = (uint8_t)p->ev.rec.kind;
			ni.target = TARGET_NONE;
		}
		r = outbox_ref_put(t, p->ev.id, &ni);
	}
	if (r == 0 && ni.target != TARGET_NONE)
		r = outbox_ref_put(t, tid, target);
	if (r != 0) {
		refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	res->status = LINE_ACCEPTED;
	res->seq = seq;
	return 0;
}

/*
 * One parsed record, its pseudonyms written. Returns 0 (res says what
 * happened to the line) or -errno for a store failure that must abort
 * the whole request.
 */
static int
take_line(struct outbox_txn *t, struct intake *in, struct parsed_record *p,
	  struct line_result *res)
{
	struct ref_info known, target;
	uint8_t digest[32], tid[EVENT_ID_LEN], *evb = NULL;
	size_t evlen;
	bool have_known, amend;
	int r;

	res->unlinkable = p->unlinkable;
	amend = p->ev.kind == KIND_CORRECTION || p->ev.kind == KIND_WITHDRAWAL;
	pseudo_event_id(in->ref_key->key, in->inst, p->ref, p->ev.id);
	/* A withdrawal carries no pseudonym, so no epoch: resubmitting it
	 * after a rotation finds it held as it was. */
	p->ev.key_epoch =
	    p->ev.kind == KIND_WITHDRAWAL ? 0 : in->linkage->epoch;
	memset(&target, 0, sizeof(target));
	r = outbox_ref_get(t, p->ev.id, &known);
	if (r != 0 && r != -ENOENT) {
		refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	have_known = r == 0;
	if (amend) {
		r = resolve_target(t, in, p, !have_known, &target, tid, res);
		if (r == -EINVAL && have_known) {
			refuse_other_record(res, &known);
			return 0;
		}
		if (r != 0)
			return r == -EINVAL ? 0 : r;
	}
	r = codec_event_encode(&p->ev, &evb, &evlen);
	if (r != 0) {
		refuse(res, "", "cannot encode the record: %s", strerror(-r));
		return 0;
	}
	sign_digest(evb, evlen, digest);
	if (!have_known) {
		r = store_new(t, in, p, evb, evlen, digest, &target, tid, res);
		free(evb);
		return r;
	}
	free(evb);
	if (known.epoch == p->ev.key_epoch) {
		if (memcmp(known.digest, digest, 32) == 0) {
			res->status = LINE_HELD;
			res->seq = known.seq;
		} else {
			refuse_other_record(res, &known);
		}
		return 0;
	}
	if (known.epoch > p->ev.key_epoch) {
		refuse(res, "ref",
		       "held with pseudonyms of key epoch %u, newer than this "
		       "node's (%u): is the node's linkage key file current?",
		       (unsigned)known.epoch, (unsigned)p->ev.key_epoch);
		return 0;
	}
	return rekey(t, in, p, &known, &target, tid, digest, res);
}

/* A round of records: where they are, and whether it went out. */
struct round {
	struct parsed_record *recs;	   /* INTAKE_ROUND_RECORDS */
	size_t slot[INTAKE_ROUND_RECORDS]; /* their lines */
	size_t k;			   /* records parsed */
	size_t n;			   /* elements sent, 0: none */
};

/*
 * round_send - blinds the inputs new since the last round and sends them
 * to the key holders (nothing to send: n stays 0). Returns 0, or -errno
 * with a sentence in why.
 */
static int
round_send(struct intake *in, struct round *rd, char *why, size_t whylen)
{
	const uint8_t *elements;
	int r;

	rd->n = 0;
	if (pseudo_batch_new_inputs(in->batch) == 0)
		return 0;
	r = pseudo_batch_blind(in->batch, in->workers, &elements, &rd->n);
	if (r != 0) {
		snprintf(why, whylen, "cannot blind the identities: %s",
			 strerror(-r));
		return r;
	}
	in->evaluations += rd->n;
	return in->send(in->holders, in->linkage->epoch, elements, rd->n, why,
			whylen);
}

/*
 * round_finish - takes the key holders' answer to the round sent,
 * finishes the batch (every pseudonym of the round's records written),
 * and checks the holders' hidden check value against the one this node
 * recorded for the key epoch. Returns 0, or -errno with a sentence in why.
 */
static int
round_finish(struct intake *in, struct round *rd, struct outbox_txn *t,
	     char *why, size_t whylen)
{
	uint8_t *evaluated, check[PSEUDO_CHECK_LEN], known[32];
	uint32_t epoch = in->linkage->epoch;
	int r;

	if (rd->n == 0)
		return 0;
	evaluated = malloc(rd->n * PSEUDO_ELEMENT_LEN);
	if (evaluated == NULL) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	r = in->recv(in->holders, epoch, rd->n, evaluated, why, whylen);
	if (r != 0)
		goto out;
	r = pseudo_batch_finish(in->batch, evaluated, in->linkage->key,
				in->workers, check);
	if (r == -EBADMSG) {
		snprintf(why, whylen,
			 "the key holders' answers are inconsistent (the "
			 "hidden check elements differ)");
		goto out;
	}
	if (r != 0) {
		snprintf(why, whylen,
			 "a key holder answered with elements that are not "
			 "group elements");
		goto out;
	}
	r = outbox_check_get(t, epoch, known);
	if (r == -ENOENT) {
		r = outbox_check_put(t, epoch, check);
	} else if (r == 0 && memcmp(known, check, sizeof(known)) != 0) {
		snprintf(why, whylen,
			 "the key holders' answers differ from this node's "
			 "earlier ones for key epoch %u (a key share changed "
			 "without a new epoch?)",
			 (unsigned)epoch);
		r = -EBADMSG;
		goto out;
	}
	if (r != 0) {
		snprintf(why, whylen, "store error: %s", strerror(-r));
		goto out;
	}
	memcpy(in->check, check, sizeof(in->check));
	in->has_check = true;
out:
	free(evaluated);
	return r;
}

/*
 * round_parse - parses lines from *i on into rd, until INTAKE_ROUND_RECORDS
 * records or INTAKE_ROUND_INPUTS new inputs or the end; blank, overlong
 * and refused lines are answered in reply at once.
 */
static void
round_parse(struct intake *in, struct round *rd, uint8_t *const *lines,
	    const size_t *lens, size_t n, size_t *i, uint64_t first_line,
	    int32_t today, struct control *reply)
{
	struct record_error err;

	for (rd->k = 0;
	     *i < n && rd->k < INTAKE_ROUND_RECORDS &&
	     pseudo_batch_new_inputs(in->batch) < INTAKE_ROUND_INPUTS;
	     (*i)++) {
		struct line_result *res = &reply->results[*i];
		res->line = first_line + *i;
		if (blank(lines[*i], lens[*i])) {
			res->status = LINE_BLANK;
			continue;
		}
		if (lens[*i] > RECORD_MAX_LINE) {
			refuse(res, "", "line longer than %d bytes",
			       RECORD_MAX_LINE);
			continue;
		}
		if (record_parse((const char *)lines[*i], lens[*i], in->inst,
				 today, in->batch, &rd->recs[rd->k],
				 &err) != 0) {
			refuse(res, err.field, "%s", err.reason);
			continue;
		}
		rd->slot[rd->k++] = *i;
	}
}

int
intake_submit(struct intake *in, uint64_t first_line, uint8_t *const *lines,
	      const size_t *lens, size_t n, struct control *reply)
{
	struct outbox_txn *t = NULL;
	struct round rounds[2], *cur = NULL, *next;
	int32_t today = date_today();
	size_t i = 0, j;
	char why[CODEC_MAX_TEXT + 1];
	bool holders = false;
	int r;

	memset(reply, 0, sizeof(*reply));
	reply->type = CTL_SUBMIT_REPLY;
	if (outbox_diverged(in->ob, why, sizeof(why))) {
		snprintf(reply->error, sizeof(reply->error),
			 "this node's outbox diverged from the consolidator's "
			 "copy (%.100s): nothing is accepted until kuska-node "
			 "--recover",
			 why);
		return -ESTALE;
	}
	reply->results = calloc(n + 1, sizeof(*reply->results));
	if (reply->results == NULL) {
		snprintf(reply->error, sizeof(reply->error), "out of memory");
		return -ENOMEM;
	}
	reply->n_results = n;
	rounds[0].recs = in->recs;
	rounds[1].recs = in->recs + INTAKE_ROUND_RECORDS;
	rounds[0].k = rounds[1].k = 0;
	r = outbox_begin(in->ob, &t);
	/*
	 * cur: the round out at the key holders. Parse the next one while
	 * they work; take their answer; send the next; then sign and store
	 * cur while they work on the next. When the memo is full, no round
	 * is parsed ahead: the last one is finished, and the memo forgotten.
	 */
	while (r == 0 && (cur != NULL || i < n)) {
		bool ahead =
		    i < n && (cur == NULL ||
			      pseudo_batch_known(in->batch) <= INTAKE_MEMO_MAX);
		next = cur == &rounds[0] ? &rounds[1] : &rounds[0];
		if (ahead)
			round_parse(in, next, lines, lens, n, &i, first_line,
				    today, reply);
		if (cur != NULL &&
		    (r = round_finish(in, cur, t, why, sizeof(why))) != 0) {
			holders = true;
			break;
		}
		if (ahead &&
		    (r = round_send(in, next, why, sizeof(why))) != 0) {
			holders = true;
			break;
		}
		for (j = 0; cur != NULL && j < cur->k && r == 0; j++)
			r = take_line(t, in, &cur->recs[j],
				      &reply->results[cur->slot[j]]);
		cur = ahead ? next : NULL;
		if (cur == NULL &&
		    pseudo_batch_known(in->batch) > INTAKE_MEMO_MAX)
			pseudo_batch_forget(in->batch);
	}
	pseudo_batch_forget(in->batch);
	memset(in->recs, 0, 2 * INTAKE_ROUND_RECORDS * sizeof(*in->recs));
	if (r == 0) {
		for (i = 0; i < n; i++)
			if (reply->results[i].status == LINE_REFUSED)
				in->refused++;
		r = outbox_commit(&t);
	}
	if (r == 0) {
		in->disk_full_ms = 0;
		return 0;
	}
	outbox_abort(&t);
	reply->n_results = 0;
	if (holders) {
		in->holder_failures++;
		snprintf(in->holder_error, sizeof(in->holder_error), "%s", why);
		in->holder_error_ms = date_now_ms();
		snprintf(reply->error, sizeof(reply->error),
			 "%.190s: nothing of this request was stored; submit "
			 "again later",
			 why);
	} else if (r == -ENOSPC) {
		in->disk_full_total++;
		in->disk_full_ms = date_now_ms();
		snprintf(reply->error, sizeof(reply->error),
			 "no space left on %.150s; nothing of this request was "
			 "stored",
			 outbox_dir(in->ob));
	} else if (r == -EFBIG) {
		snprintf(reply->error, sizeof(reply->error),
			 "the node's outbox is full (map_size_mb); nothing of "
			 "this request was stored");
	} else if (r == -EUCLEAN) {
		snprintf(reply->error, sizeof(reply->error),
			 "the node's outbox is damaged (stop the node, run "
			 "kuska-node --recover); nothing of this request was "
			 "stored");
	} else {
		snprintf(reply->error, sizeof(reply->error),
			 "store error (%s); nothing of this request was "
			 "stored",
			 strerror(-r));
	}
	log_warnx("event=submit_refused text=%s", LOG_Q(reply->error));
	return r;
}
