/*
 * intake_record.c - a parsed record taken into the outbox: the grants it
 * needs, its ref and the target it amends, as the request sees them, and
 * its envelope signed and appended; see intake.h and intake_int.h. A
 * record held under an older key epoch: intake_rekey.c.
 */
#include "intake.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "dryrun.h"
#include "intake_int.h"
#include "intake_rekey.h"
#include "sign.h"

void
intake_refuse(struct line_result *res, const char *field, const char *fmt, ...)
{
	va_list ap;

	res->status = LINE_REFUSED;
	res->why = LINE_REASON_NONE;
	snprintf(res->field, sizeof(res->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
}

void
intake_refuse_other(struct line_result *res, const struct ref_info *known)
{
	/* The seq alone tells a statistics officer nothing: say both ways
	 * out, as the line may be a new record or a changed old one. */
	intake_refuse(
	    res, "ref",
	    "already used for a different record (seq %llu): a new record "
	    "needs a new ref; send a correction to change that one",
	    (unsigned long long)known->seq);
	res->why = LINE_REF_REUSED;
}

/*
 * Whether the node holds the ref of the withdrawal that withdrew known's
 * record: not when withdrawn before the refs kept it, or earlier in a dry
 * run, whose envelopes are stored nowhere, or by an envelope a recovery
 * took back without its ref. Never printed: a withdrawal's line carries
 * no victim, so nothing checked its ref for her identity (a case system
 * may make one of her name); the officer finds the withdrawal by the
 * record it withdrew, whose ref the line names.
 */
static bool
withdrawal_known(struct outbox_txn *t, const struct ref_info *known)
{
	char ref[RECORD_MAX_REF + 1];
	bool held;

	held = known->withdrawn_by != 0 &&
	       outbox_seq_ref(t, known->withdrawn_by, ref, sizeof(ref)) == 0 &&
	       ref[0] != '\0';
	memset(ref, 0, sizeof(ref));
	return held;
}

/*
 * A line under the ref of a record that was withdrawn, its content not
 * the original's (which is "already held", as a case system's export of
 * its history sends it again beside the withdrawal). The withdrawal is
 * named by its sequence, its ref withheld (withdrawal_known).
 */
void
intake_refuse_withdrawn(struct outbox_txn *t, struct line_result *res,
			const struct ref_info *known)
{
	if (withdrawal_known(t, known))
		intake_refuse(
		    res, "ref",
		    "that record (seq %llu) was withdrawn by seq %llu "
		    "(its ref withheld): to count it send it again "
		    "with a new ref",
		    (unsigned long long)known->seq,
		    (unsigned long long)known->withdrawn_by);
	else
		intake_refuse(res, "ref",
			      "that record (seq %llu) was withdrawn: the node "
			      "no longer counts it; to count it send it as a "
			      "new record with a new ref",
			      (unsigned long long)known->seq);
}

int
intake_ref_get(struct outbox_txn *t, struct intake *in,
	       const uint8_t id[EVENT_ID_LEN], struct ref_info *ret,
	       bool *ret_provisional)
{
	uint64_t at_ms;
	uint8_t code;
	int r;

	*ret_provisional = false;
	if (in->dry != NULL) {
		r = dryrun_ref_get(in->dry, id, ret, ret_provisional);
		if (r != -ENOENT)
			return r;
	}
	r = outbox_ref_get(t, id, ret);
	if (r != 0 || ret->state != REF_WITHDRAWN || ret->withdrawn_by == 0)
		return r;
	/* A withdrawal the consolidator refused (a dead letter) withdrew
	 * nothing: it counts the record, which may be corrected or withdrawn
	 * again, and is not to be sent anew (it would count twice). */
	r = outbox_seq_dead(t, ret->withdrawn_by, &code, &at_ms);
	if (r == 0) {
		ret->state = REF_LIVE;
		ret->withdrawn_by = 0;
	}
	return r == -ENOENT ? 0 : r;
}

int
intake_ref_put(struct outbox_txn *t, struct intake *in,
	       const uint8_t id[EVENT_ID_LEN], const struct ref_info *ri,
	       bool provisional)
{
	if (in->dry != NULL)
		return dryrun_ref_put(in->dry, id, ri, provisional);
	return outbox_ref_put(t, id, ri);
}

bool
intake_granted(const struct intake *in, enum kind kind, enum kind rec_kind,
	       enum stage stage, struct line_result *res)
{
	const struct grants *g = in->grants;
	const char *who = institution_name(in->inst);
	const char *note = "";
	bool amend = kind == KIND_CORRECTION;

	if (g == NULL || kind == KIND_NONE)
		return true;
	if (!g->said)
		note = " (the default grants: the consolidator has not said "
		       "this node's yet)";
	if (!(g->kinds & (1u << kind))) {
		intake_refuse(res, "kind", "%s may not emit %s%s", who,
			      kind_name(kind), note);
		res->why = LINE_NOT_GRANTED;
		return false;
	}
	if (kind == KIND_WITHDRAWAL || rec_kind == KIND_NONE)
		return true;
	if (!(g->kinds & (1u << rec_kind))) {
		intake_refuse(res, amend ? "record.kind" : "kind",
			      "%s may not emit %s%s", who, kind_name(rec_kind),
			      note);
		res->why = LINE_NOT_GRANTED;
		return false;
	}
	if (rec_kind == KIND_CASE_STAGE && stage != STAGE_NONE &&
	    !(g->stages & (1u << stage))) {
		intake_refuse(res, amend ? "record.stage" : "stage",
			      "%s may not emit case stage %s%s", who,
			      stage_name(stage), note);
		res->why = LINE_NOT_GRANTED;
		return false;
	}
	return true;
}

void
intake_stage_words(const struct intake *in, struct line_result *res)
{
	static const char lead[] = "must be one of ";
	const struct grants *g = in->grants;
	char all[512], mine[256], rest[sizeof(res->reason)];
	size_t la = 0, lm = 0;
	int st, n;

	if (g == NULL || (strcmp(res->field, "stage") != 0 &&
			  strcmp(res->field, "record.stage") != 0))
		return;
	for (st = STAGE_COMPLAINT; st <= STAGE_COUNT; st++) {
		const char *w = stage_name((enum stage)st);
		la += (size_t)snprintf(all + la, sizeof(all) - la, "%s%s",
				       la > 0 ? ", " : "", w);
		if (g->stages & (1u << st))
			lm += (size_t)snprintf(mine + lm, sizeof(mine) - lm,
					       "%s%s", lm > 0 ? ", " : "", w);
	}
	/* All eight granted, or none (no case stage reaches here then). */
	if (lm == 0 || strcmp(mine, all) == 0 ||
	    strncmp(res->reason, lead, sizeof(lead) - 1) != 0 ||
	    strncmp(res->reason + sizeof(lead) - 1, all, la) != 0)
		return;
	/* What the parser said after the list: " (in lower case)". */
	snprintf(rest, sizeof(rest), "%s", res->reason + sizeof(lead) - 1 + la);
	n = snprintf(all, sizeof(all), "%sthe case stages %s may emit: %s%s",
		     lead, institution_name(in->inst), mine, rest);
	/* Too long for a reason (seven stages and a hint): left as it is. */
	if (n > 0 && (size_t)n < sizeof(res->reason))
		memcpy(res->reason, all, (size_t)n + 1);
}

/* res->dead_warning: whom (it, its record) envelope seq the consolidator
 * refused for why, what that left and what to do (advice: for the
 * record's own refusals; the node's are the operators'). */
static void
say_dead(struct line_result *res, const char *whom, uint64_t seq,
	 enum reason why, const char *left, const char *advice)
{
	if (!outbox_refused_as_sent(why))
		advice = "not its content: ask the operators to take it again "
			 "(--refetch)";
	snprintf(res->dead_warning, sizeof(res->dead_warning),
		 "already held but the consolidator refused %s (seq %llu: "
		 "%s): %s; %s",
		 whom, (unsigned long long)seq, reason_name(why), left, advice);
}

/*
 * A line held ("already held") whose content's envelope own the
 * consolidator refused: without a word the officer reads it as taken.
 * What the refusal leaves depends on the envelope: a record's own first
 * one counts nowhere; a correction (or a re-keying's) leaves the record
 * counting as it was; a withdrawal leaves it counting still. Refused for
 * its content, it is mended under a new ref (a new record would count
 * twice where the record counts still); refused for the node's key or
 * network, taken again by the operators (a new ref would count it twice
 * once taken).
 */
int
intake_held_dead(struct outbox_txn *t, const struct ref_info *known,
		 struct line_result *res)
{
	const char *left, *advice;
	enum reason why;
	uint64_t at_ms;
	uint8_t code;
	int r;

	r = outbox_seq_dead(t, known->own, &code, &at_ms);
	if (r == -ENOENT)
		return 0;
	if (r != 0)
		return r;
	why = reason_of_refusal(code, NULL, 0);
	if (known->target == TARGET_WITHDRAWAL) {
		left = "the record still counts";
		advice = "send the withdrawal again under a new ref";
	} else if (known->target == TARGET_CORRECTION ||
		   known->own != known->seq) {
		left = "the record counts as it was";
		advice = "send a correction naming the record (under a new "
			 "ref) or a withdrawal";
	} else {
		left = "it counts nowhere";
		advice = "fix it and send it under a new ref";
	}
	say_dead(res, "it", known->own, why, left, advice);
	return 0;
}

int
intake_held_dead_first(struct outbox_txn *t, uint64_t first, bool correction,
		       struct line_result *res)
{
	uint64_t at_ms;
	uint8_t code;
	int r;

	r = outbox_seq_dead(t, first, &code, &at_ms);
	if (r == -ENOENT)
		return 0;
	if (r != 0)
		return r;
	say_dead(res, correction ? "its record" : "it", first,
		 reason_of_refusal(code, NULL, 0), "it counts nowhere",
		 "fix it and send it under a new ref");
	return 0;
}

/*
 * Whether the consolidator refused the target (its first envelope, the
 * one a correction or withdrawal names): a dead letter held in the dead
 * table as t sees it. It counts nowhere, and the consolidator would
 * refuse the line in turn (bad_target), a dead letter of its own; one
 * revived (taken after all) is no longer there, and one still in flight
 * never was. Returns 0 (not refused), -EINVAL with res filled, or -errno
 * for a store failure.
 */
static int
refused_target(struct outbox_txn *t, const struct parsed_record *p,
	       const struct ref_info *target, struct line_result *res)
{
	enum reason why;
	uint64_t at_ms;
	uint8_t code;
	int r;

	r = outbox_seq_dead(t, target->seq, &code, &at_ms);
	if (r == -ENOENT)
		return 0;
	if (r != 0) {
		intake_refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	why = reason_of_refusal(code, NULL, 0);
	intake_refuse(res, "target_ref",
		      "the consolidator refused that record (seq %llu: %s): "
		      "it counts nowhere; %s",
		      (unsigned long long)target->seq, reason_name(why),
		      p->ev.kind == KIND_WITHDRAWAL ? "nothing to withdraw"
		      : outbox_refused_as_sent(why)
			  ? "fix it and send it as a new record with a new "
			    "ref"
			  : "not its content: ask the operators to take "
			    "it again (--refetch)");
	return -EINVAL;
}

/*
 * held_otherwise - whether the node holds a record under ref written
 * otherwise: without the spaces at its ends, or all in upper or all in
 * lower case (a target_ref retyped by hand, a spreadsheet's padded
 * cell). Refs are compared exactly, so such a target_ref names nothing,
 * and the refusal says why rather than that there is no such record.
 * Returns 0 (held so), -ENOENT (not), or -errno for a store failure.
 */
static int
held_otherwise(struct outbox_txn *t, struct intake *in, const char *ref)
{
	char v[RECORD_MAX_REF + 1];
	uint8_t id[EVENT_ID_LEN];
	struct ref_info info;
	size_t start = 0, end = strlen(ref), i;
	bool provisional;
	int form, r = -ENOENT;

	while (ref[start] == ' ')
		start++;
	while (end > start && ref[end - 1] == ' ')
		end--;
	for (form = 0; form < 3 && r == -ENOENT && end > start; form++) {
		for (i = start; i < end; i++)
			v[i - start] =
			    form == 1	? (char)toupper((unsigned char)ref[i])
			    : form == 2 ? (char)tolower((unsigned char)ref[i])
					: ref[i];
		v[end - start] = '\0';
		if (strcmp(v, ref) == 0)
			continue;
		pseudo_event_id(in->ref_key->key, in->inst, v, id);
		r = intake_ref_get(t, in, id, &info, &provisional);
	}
	return r;
}

/*
 * Resolves a correction's or withdrawal's target (its id into tid, its
 * ref info into ret). With `strict`, also applies the rules that matter
 * only for a new record (target live and no dead letter, a correction
 * the target's kind).
 * Returns 0, or -EINVAL with res filled, or -errno for a store failure.
 */
static int
resolve_target(struct outbox_txn *t, struct intake *in, struct parsed_record *p,
	       bool strict, struct ref_info *ret, bool *ret_provisional,
	       uint8_t tid[EVENT_ID_LEN], struct line_result *res)
{
	int r;

	pseudo_event_id(in->ref_key->key, in->inst, p->target_ref, tid);
	r = intake_ref_get(t, in, tid, ret, ret_provisional);
	if (r == -ENOENT) {
		/* Its store error, as the first look-up's, fails the
		 * request (below). */
		r = held_otherwise(t, in, p->target_ref);
		if (r == 0) {
			intake_refuse(res, "target_ref",
				      "no earlier record has this ref as "
				      "written but one has it in other case "
				      "or without the spaces at its ends: "
				      "write it exactly as that record's ref");
			return -EINVAL;
		}
	}
	if (r == -ENOENT) {
		/* A ministry that would correct the police's referral
		 * number names the police's record: say whose it must be. */
		intake_refuse(res, "target_ref",
			      "no earlier record of %s has this ref: name a "
			      "record %s sent by its own ref",
			      institution_name(in->inst),
			      institution_name(in->inst));
		return -EINVAL;
	}
	if (r != 0) {
		intake_refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	p->ev.target_seq = ret->seq;
	if (!strict)
		return 0;
	if (ret->target) {
		intake_refuse(
		    res, "target_ref",
		    "names a correction or withdrawal; name the original "
		    "record");
		return -EINVAL;
	}
	if (ret->state == REF_WITHDRAWN) {
		if (withdrawal_known(t, ret))
			intake_refuse(res, "target_ref",
				      "that record was withdrawn by seq %llu "
				      "(its ref withheld)",
				      (unsigned long long)ret->withdrawn_by);
		else
			intake_refuse(res, "target_ref",
				      "that record was withdrawn");
		return -EINVAL;
	}
	r = refused_target(t, p, ret, res);
	if (r != 0)
		return r;
	if (p->ev.kind == KIND_CORRECTION && p->ev.rec.kind != ret->kind) {
		intake_refuse(res, "record.kind",
			      "must be the target's kind (%s)",
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

/*
 * Signs the event bytes as the next envelope (*ret_seq) and appends it;
 * a dry run only takes the number it would have had.
 */
static int
append(struct outbox_txn *t, struct intake *in, const uint8_t *evb,
       size_t evlen, const char *ref, uint64_t *ret_seq)
{
	if (in->dry != NULL) {
		*ret_seq = dryrun_take_seq(in->dry);
		return 0;
	}
	*ret_seq = outbox_next_seq(t);
	return seal(t, in, *ret_seq, evb, evlen, ref);
}

/* Encodes ev and stores it as the next envelope (*ret_seq). */
int
intake_store_event(struct outbox_txn *t, struct intake *in,
		   const struct event *ev, const char *ref, uint64_t *ret_seq)
{
	uint8_t *evb;
	size_t evlen;
	int r;

	r = codec_event_encode(ev, &evb, &evlen);
	if (r != 0)
		return r;
	r = append(t, in, evb, evlen, ref, ret_seq);
	free(evb);
	return r;
}

/* A ref not held yet: the record is signed and stored. */
static int
store_new(struct outbox_txn *t, struct intake *in, struct taking *tk,
	  const uint8_t *evb, size_t evlen,
	  const uint8_t digest[REF_DIGEST_LEN], struct line_result *res)
{
	struct parsed_record *p = tk->p;
	struct ref_info ni, *target = &tk->target;
	uint64_t seq;
	int r;

	r = append(t, in, evb, evlen, p->ref, &seq);
	if (r == 0) {
		memset(&ni, 0, sizeof(ni));
		ni.seq = ni.own = ni.current = seq;
		ni.state = REF_LIVE;
		ni.epoch = p->ev.key_epoch;
		memcpy(ni.digest, digest, REF_DIGEST_LEN);
		switch (p->ev.kind) {
		case KIND_WITHDRAWAL:
			ni.kind = target->kind;
			ni.target = TARGET_WITHDRAWAL;
			target->state = REF_WITHDRAWN;
			/* A dry run's sequence may be a real envelope's
			 * by the time it is read. */
			target->withdrawn_by = in->dry == NULL ? seq : 0;
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
		r = intake_ref_put(t, in, p->ev.id, &ni, tk->provisional);
	}
	if (r == 0 && ni.target != TARGET_NONE)
		r = intake_ref_put(t, in, tk->tid, target,
				   tk->target_provisional);
	if (r == 0 && ni.target == TARGET_WITHDRAWAL)
		r = intake_stage_drop(t, in, target->seq);
	else if (r == 0)
		r = intake_stage_take(
		    t, in, ni.target == TARGET_CORRECTION ? target->seq : seq,
		    &p->ev.rec,
		    /* A ref holding its victim's identity is not copied
		     * into the stages' index, which warnings print. */
		    ni.target != TARGET_CORRECTION
			? (p->ref_identity[0] != '\0' ? "" : p->ref)
			: (p->ref_identity[0] != '\0' || p->target_ref_identity
			       ? ""
			       : p->target_ref),
		    ni.target == TARGET_CORRECTION, true, res);
	if (r != 0) {
		intake_refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	res->status = LINE_ACCEPTED;
	res->seq = seq;
	return 0;
}

/*
 * The tail of a warning that one victim's words stand for `victims` of the
 * record: empty for one.
 */
static void
more_likewise(char *buf, size_t size, unsigned victims)
{
	buf[0] = '\0';
	if (victims > 1)
		snprintf(buf, size, "; %u more victims of this record likewise",
			 victims - 1);
}

/*
 * A victim's age and birth date both written, more than a year apart on
 * the record's date: the birth date counts (EVENTS.md), which the officer
 * may not know. The warning gives the computed age, never the birth date
 * (an identity: the reply reaches --report files and logs).
 */
static void
warn_age(const struct parsed_record *p, struct line_result *res)
{
	char more[64];

	more_likewise(more, sizeof(more), p->age_mismatch);
	snprintf(res->age_warning, sizeof(res->age_warning),
		 "victim age %u is not the age the birth date gives on the "
		 "record's date (%u): the birth date is used; correct one of "
		 "them%s",
		 p->age_written, p->age_computed, more);
	snprintf(res->age_field, sizeof(res->age_field), "%s", p->age_field);
}

/*
 * A victim's document number that a case system fills in for one it does
 * not have (99999999, 12345678): taken as no document, as it would join
 * every victim so written into one. Names the field, never the number.
 */
void
intake_warn_placeholder(const struct parsed_record *p, bool mended,
			struct line_result *res)
{
	char more[64];

	more_likewise(more, sizeof(more), p->placeholder);
	snprintf(res->placeholder_warning, sizeof(res->placeholder_warning),
		 "is a placeholder (one character repeated or a run of digits "
		 "like 12345678): %s%s",
		 mended ? "no longer used to link this victim; the record "
			  "held under this ref is corrected"
			: "not used to link this victim; leave the document "
			  "out when it is not known",
		 more);
	snprintf(res->placeholder_field, sizeof(res->placeholder_field), "%s",
		 p->placeholder_field);
}

/*
 * Of the record's first envelope (the target of a correction or
 * withdrawal) when the consolidator refused it, as intake_rekey warns,
 * for the record then counts nowhere whatever became of the line's own
 * envelope (a re-keying, correction or withdrawal in flight, or refused
 * in turn as bad_target), and a withdrawal has nothing to withdraw; else
 * of that own envelope.
 */
int
intake_warn_held_dead(struct outbox_txn *t, const struct taking *tk,
		      struct line_result *res)
{
	bool amend = tk->known.target != TARGET_NONE;
	uint64_t first = amend ? tk->target.seq : tk->known.seq, at_ms;
	uint8_t code;
	int r;

	r = outbox_seq_dead(t, first, &code, &at_ms);
	if (r == -ENOENT)
		return intake_held_dead(t, &tk->known, res);
	if (r != 0)
		return r;
	if (tk->known.target == TARGET_WITHDRAWAL) {
		say_dead(res, "its record", first,
			 reason_of_refusal(code, NULL, 0), "it counts nowhere",
			 "nothing to withdraw");
		return 0;
	}
	return intake_held_dead_first(t, first, amend, res);
}

/*
 * Whether known, held under p's ref at the line's key epoch, holds p's
 * line as a node older than the placeholder rule stored it: each victim
 * whose document number is a placeholder with it as her document
 * (record_placeholder_form). Its digest is then the line's in that form.
 */
static bool
held_older(struct parsed_record *p, const struct ref_info *known)
{
	uint8_t digest[REF_DIGEST_LEN], *evb;
	size_t evlen;
	int r;

	if (p->placeholder == 0)
		return false;
	record_placeholder_form(p, true);
	r = codec_event_encode(&p->ev, &evb, &evlen);
	record_placeholder_form(p, false);
	if (r != 0)
		return false;
	sign_digest(evb, evlen, digest);
	free(evb);
	return memcmp(known->digest, digest, REF_DIGEST_LEN) == 0;
}

/*
 * The line of a record held as a node older than the placeholder rule
 * stored it (held_older), still its record's live content: re-sent as a
 * correction of itself in this node's form, as a key rotation re-sends a
 * record (intake_rekey), so that the placeholder no longer joins its
 * victims to every child written with it, and the line is held from then
 * on. Told as accepted, with the placeholder's warning saying the record
 * was corrected: a case system resends its whole export, and an officer
 * left to correct each such record by hand would see it refused as
 * "already used for a different record" at every export until then. Not
 * when the record was withdrawn or corrected since (nothing of the line
 * counts), nor when the consolidator refused the record or the line's
 * envelope (a correction of it would be refused in turn, or counts no
 * more than it): held as it was, as its line was before. Returns 1 (res
 * says so), 0 (held as it was) or -errno.
 */
static int
mend_older(struct outbox_txn *t, struct intake *in, struct taking *tk,
	   const uint8_t digest[REF_DIGEST_LEN], struct line_result *res)
{
	const struct ref_info *known = &tk->known;
	const struct ref_info *rec =
	    tk->p->ev.kind == KIND_CORRECTION ? &tk->target : known;
	uint64_t at_ms;
	uint8_t code;
	int r;

	if (rec->state == REF_WITHDRAWN || rec->current != known->own)
		return 0;
	r = outbox_seq_dead(t, rec->seq, &code, &at_ms);
	if (r == -ENOENT && known->own != rec->seq)
		r = outbox_seq_dead(t, known->own, &code, &at_ms);
	if (r != -ENOENT)
		return r;
	r = intake_rekey(t, in, tk, digest, res);
	if (r != 0)
		return r;
	if (res->status == LINE_REKEYED) {
		res->status = LINE_ACCEPTED;
		intake_warn_placeholder(tk->p, true, res);
	}
	return 1;
}

int
intake_take_line(struct outbox_txn *t, struct intake *in,
		 struct parsed_record *p, bool provisional,
		 struct line_result *res)
{
	struct taking tk = {.p = p, .provisional = provisional};
	uint8_t digest[REF_DIGEST_LEN], *evb = NULL;
	size_t evlen;
	bool have_known, amend, held, older;
	int r;

	res->unlinkable = p->unlinkable;
	if (p->unlinkable > 0)
		snprintf(res->field, sizeof(res->field), "%s",
			 p->unlinkable_field);
	if (p->age_mismatch > 0)
		warn_age(p, res);
	if (p->placeholder > 0)
		intake_warn_placeholder(p, false, res);
	if (!intake_granted(in, p->ev.kind, p->ev.rec.kind, p->ev.rec.stage,
			    res))
		return 0;
	amend = p->ev.kind == KIND_CORRECTION || p->ev.kind == KIND_WITHDRAWAL;
	pseudo_event_id(in->ref_key->key, in->inst, p->ref, p->ev.id);
	/* A withdrawal carries no pseudonym, so no epoch: resubmitting it
	 * after a rotation finds it held as it was. */
	p->ev.key_epoch =
	    p->ev.kind == KIND_WITHDRAWAL ? 0 : in->linkage->epoch;
	r = intake_ref_get(t, in, p->ev.id, &tk.known, &tk.known_provisional);
	if (r != 0 && r != -ENOENT) {
		intake_refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	have_known = r == 0;
	if (amend) {
		r = resolve_target(t, in, p, !have_known, &tk.target,
				   &tk.target_provisional, tk.tid, res);
		if (r == -EINVAL && have_known) {
			intake_refuse_other(res, &tk.known);
			return 0;
		}
		if (r != 0)
			return r == -EINVAL ? 0 : r;
	}
	r = codec_event_encode(&p->ev, &evb, &evlen);
	if (r != 0) {
		intake_refuse(res, "", "cannot encode the record: %s",
			      strerror(-r));
		return 0;
	}
	sign_digest(evb, evlen, digest);
	if (!have_known) {
		r = store_new(t, in, &tk, evb, evlen, digest, res);
		free(evb);
		return r;
	}
	free(evb);
	if (tk.known.epoch == p->ev.key_epoch) {
		/* Digests over values of one kind only (see dry_parse,
		 * intake.c). */
		held = tk.known_provisional == provisional &&
		       memcmp(tk.known.digest, digest, REF_DIGEST_LEN) == 0;
		older = !held && tk.known_provisional == provisional &&
			held_older(p, &tk.known);
		if (held || older) {
			/* Its re-keying refused: re-keyed again. */
			r = intake_rekey_refused(t, &tk.known,
						 tk.known.target ==
							 TARGET_CORRECTION
						     ? tk.target.seq
						     : tk.known.seq);
			if (r < 0) {
				intake_refuse(res, "", "store error: %s",
					      strerror(-r));
				return r;
			}
			if (r == 1)
				return intake_rekey(t, in, &tk, digest, res);
			if (older &&
			    (r = mend_older(t, in, &tk, digest, res)) != 0) {
				if (r < 0 && res->status != LINE_REFUSED)
					intake_refuse(res, "",
						      "store error: %s",
						      strerror(-r));
				return r < 0 ? r : 0;
			}
			res->status = LINE_HELD;
			res->seq = tk.known.seq;
			r = intake_warn_held_dead(t, &tk, res);
			if (r < 0)
				intake_refuse(res, "", "store error: %s",
					      strerror(-r));
			return r;
		}
		if (tk.known.target == TARGET_NONE &&
		    tk.known.state == REF_WITHDRAWN) {
			intake_refuse_withdrawn(t, res, &tk.known);
			return 0;
		}
		r = intake_held_as_corrected(t, in, &tk, res);
		if (r < 0) {
			intake_refuse(res, "", "store error: %s", strerror(-r));
			return r;
		}
		if (r == 0)
			intake_refuse_other(res, &tk.known);
		return 0;
	}
	if (tk.known.epoch > p->ev.key_epoch) {
		intake_refuse(
		    res, "ref",
		    "held with pseudonyms of key epoch %u newer than this "
		    "node's (%u): is the node's linkage key file current?",
		    (unsigned)tk.known.epoch, (unsigned)p->ev.key_epoch);
		return 0;
	}
	return intake_rekey(t, in, &tk, digest, res);
}
