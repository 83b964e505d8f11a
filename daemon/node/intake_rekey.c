/*
 * intake_rekey.c - a record held under an older key epoch, its line sent
 * again: re-keyed, held or refused; see intake_rekey.h.
 *
 * Key epochs. Every event carrying pseudonyms says which key epoch made
 * them (Event.key_epoch); each ref remembers the epoch of the envelope
 * carrying its content. After a key rotation the case system resubmits
 * its export: a record whose ref is held under an older epoch is re-sent
 * as a correction of itself (or, for a correction, as a correction of the
 * same target) carrying the new pseudonyms, unless a later record already
 * carries its content (it was corrected since, or withdrawn). So each
 * record keeps counting once, and once every institution has resubmitted
 * every live record carries pseudonyms of the new epoch. Such a line is
 * compared with what is held, pseudonyms aside (same_but_pseudonyms):
 * "already held" only with the content it was sent with; as its record
 * now stands (its latest correction's content), it re-sends that
 * correction (a case system exporting records as they stand sends no
 * correction lines); any other content is refused as at the same epoch.
 * A re-keying correction the consolidator refused (a dead letter), not
 * for its content, left it the content under the older epoch's
 * pseudonyms: the line sent again re-keys it again
 * (intake_rekey_refused). One refused for its content (an ordinary
 * correction, or a re-keying) is not re-keyed at a later rotation
 * either: held with that content, refused with another
 * (held_as_refused).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dryrun.h"
#include "intake_int.h"
#include "intake_rekey.h"
#include "sign.h"

static int resend_correction(struct outbox_txn *t, struct intake *in,
			     struct taking *tk, struct taking *ct,
			     const char *cref, const uint8_t cid[EVENT_ID_LEN],
			     struct line_result *res);

/*
 * Whether ri's content was last sent by a re-keying correction (`own`
 * not its first envelope) that the consolidator refused: it then holds
 * the content under an older epoch's pseudonyms, and the line sent again
 * re-keys it again (a correction, which cannot count twice). Not when
 * the record itself (envelope first) was refused: a correction of it
 * would be refused in turn (bad_target). Nor when the re-keying was
 * refused for its content (too large, say): sent again, the same content
 * would be refused again, a new dead letter at every export resubmitted;
 * bad_target aside, the record refused when it was sent, taken since. An
 * ordinary record or correction refused is not re-sent: its line would
 * make the same envelope, refused again for its content, or, refused for
 * the node's key or network, taken again by the operators (--refetch).
 * A reason this version does not know reads as its content's (see
 * refused_for_content). Two lookups, for re-keyed refs only. Returns 1,
 * 0, or -errno.
 */
int
intake_rekey_refused(struct outbox_txn *t, const struct ref_info *ri,
		     uint64_t first)
{
	enum reason why;
	uint64_t at_ms;
	uint8_t code;
	int r;

	if (ri->own == 0 || ri->own == ri->seq)
		return 0;
	r = outbox_seq_dead(t, ri->own, &code, &at_ms);
	if (r != 0)
		return r == -ENOENT ? 0 : r;
	why = reason_of_refusal(code, NULL, 0);
	if (outbox_refused_as_sent(why) && why != REASON_BAD_TARGET)
		return 0;
	r = outbox_seq_dead(t, first, &code, &at_ms);
	return r == -ENOENT ? 1 : r;
}

/* Blanks what a key epoch makes of a victim: its match keys. */
static void
blank_victim(struct victim *v)
{
	memset(v->doc_key, 0, PSEUDONYM_LEN);
	memset(v->name_key, 0, PSEUDONYM_LEN);
	memset(v->v1_key, 0, PSEUDONYM_LEN);
}

/* Blanks what a key epoch makes of an event: its pseudonyms. */
static void
blank_pseudonyms(struct event *ev)
{
	size_t i;

	blank_victim(&ev->rec.victim);
	for (i = 0; i < ev->rec.n_victims && i < EVENT_MAX_CASE_VICTIMS; i++)
		blank_victim(&ev->rec.victims[i]);
	memset(ev->rec.referral, 0, PSEUDONYM_LEN);
	memset(ev->rec.case_id, 0, PSEUDONYM_LEN);
	ev->key_epoch = 0;
}

/*
 * Whether line has the content of the event stored as envelope seq, its
 * pseudonyms aside: after a key rotation they cannot be compared (the
 * node keeps no identity), the rest can. line is put in the stored
 * event's shape (its id, kind and target: a record re-keyed before is a
 * correction of itself). Returns 1 (the same), 0 (not), -ENOENT when the
 * stored event cannot tell (a recovered outbox's gap, an envelope of an
 * older schema, whose keys had another shape), or -errno.
 */
static int
same_but_pseudonyms(struct outbox_txn *t, const struct event *line,
		    uint64_t seq)
{
	struct event *held = calloc(1, sizeof(*held));
	struct event *x = malloc(sizeof(*x));
	uint8_t *hb = NULL, *xb = NULL;
	size_t hlen, xlen;
	uint32_t version;
	int r;

	if (held == NULL || x == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = outbox_seq_event(t, seq, held, &version);
	if (r == 0 && version != CODEC_VERSION)
		r = -ENOENT;
	if (r != 0)
		goto out;
	memcpy(x, line, sizeof(*x));
	memcpy(x->id, held->id, EVENT_ID_LEN);
	x->kind = held->kind;
	x->target_seq = held->target_seq;
	blank_pseudonyms(x);
	blank_pseudonyms(held);
	r = codec_event_encode(held, &hb, &hlen);
	if (r == 0)
		r = codec_event_encode(x, &xb, &xlen);
	if (r == 0)
		r = hlen == xlen && memcmp(hb, xb, hlen) == 0;
	free(hb);
	free(xb);
out:
	free(held);
	free(x);
	return r;
}

/*
 * same_but_pseudonyms of p's line, or, when a victim's document number is
 * a placeholder, of the line as a node older than that rule stored it
 * (with the placeholder as her document: record_placeholder_form), which
 * is then the same record. Returns as same_but_pseudonyms.
 */
static int
same_as_held(struct outbox_txn *t, struct parsed_record *p, uint64_t seq)
{
	int r = same_but_pseudonyms(t, &p->ev, seq);

	if (r != 0 || p->placeholder == 0)
		return r;
	record_placeholder_form(p, true);
	r = same_but_pseudonyms(t, &p->ev, seq);
	record_placeholder_form(p, false);
	return r;
}

/*
 * Whether a dead letter's reason (code, as stored) is one its content
 * would meet again re-keyed: outbox_refused_as_sent's but bad_target (the
 * target's refusal, not its own) and too_large, which comes of the
 * records linked to its child or case: a number mended in the case
 * system changes only pseudonyms, which same_but_pseudonyms blanks, so
 * the mended line would read as the refused one and be held unseen;
 * re-keyed, it costs at worst one more dead letter.
 * A code this version does not know reads as bad_event (a newer
 * consolidator's), so its content held rather than re-keyed, here and at
 * the same epoch (intake_rekey_refused): re-keyed, the line would make a new
 * dead letter at every resubmission, each the next one's `own`, if the
 * code is the content's; held, the record stays under the old epoch,
 * counted there in status and its dead letter listed, until the
 * operators take it again (--refetch) or the node is upgraded.
 */
static bool
refused_for_content(uint8_t code)
{
	enum reason why = reason_of_refusal(code, NULL, 0);

	return outbox_refused_as_sent(why) && why != REASON_BAD_TARGET &&
	       why != REASON_TOO_LARGE;
}

/*
 * intake_rekey's line of a ref whose content was last sent by an
 * envelope (a correction, or a re-keying) the consolidator refused for
 * that content (refused_for_content): re-keyed, it would be refused
 * again, one more dead letter at every rotation. Held when the line
 * carries that content (pseudonyms aside), refused as at the same epoch
 * when it does not. Not when the refused envelope cannot be read to
 * compare (an older schema, a recovered outbox's gap): re-keyed, as
 * before. The record's own line with its own earlier content is not
 * re-keyed instead (held_since): the consolidator would apply it over a
 * correction it took, a figure wrong unseen; the record stays under the
 * old epoch until the refused one is taken after all, or the record is
 * corrected anew or withdrawn.
 * Returns 1 (res says so), 0 (to be re-keyed), -errno.
 */
static int
held_as_refused(struct outbox_txn *t, struct taking *tk,
		struct line_result *res)
{
	const struct ref_info *known = &tk->known;
	uint64_t at_ms;
	uint8_t code;
	int r;

	r = outbox_seq_dead(t, known->own, &code, &at_ms);
	if (r != 0)
		return r == -ENOENT ? 0 : r;
	if (!refused_for_content(code))
		return 0;
	r = same_as_held(t, tk->p, known->own);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (r == 1) {
		res->status = LINE_HELD;
		res->seq = known->seq;
		r = intake_held_dead(t, known, res);
		if (r < 0)
			return r;
	} else {
		intake_refuse_other(res, known);
	}
	return 1;
}

/*
 * The latest correction of known's record (envelope known->current):
 * its ref into cref[RECORD_MAX_REF + 1], its id, info and whether its
 * digest is over provisional values. Returns 0, -ENOENT when it is not
 * to be found (a recovered outbox's gap), or -errno.
 */
static int
latest_correction(struct outbox_txn *t, struct intake *in,
		  const struct ref_info *known, char *cref,
		  uint8_t cid[EVENT_ID_LEN], struct ref_info *ci, bool *cprov)
{
	int r;

	r = outbox_seq_ref(t, known->current, cref, RECORD_MAX_REF + 1);
	if (r == 0) {
		pseudo_event_id(in->ref_key->key, in->inst, cref, cid);
		r = intake_ref_get(t, in, cid, ci, cprov);
	} else if (r == -ENOENT && in->dry != NULL) {
		/* A correction earlier in the dry run: stored nowhere. */
		cref[0] = '\0';
		r = dryrun_ref_by_own(in->dry, known->current, cid, ci, cprov);
	}
	return r == -ENAMETOOLONG ? -ENOENT : r;
}

/*
 * A record's line as the record now stands (the content of its latest
 * correction, held under an older epoch) re-sends that correction with
 * the line's pseudonyms, as the correction's own line would: a case
 * system exporting its records as they stand sends no correction lines,
 * so that correction would otherwise keep the old epoch's pseudonyms.
 * Returns 1 (res says so), 0 (not that content), -errno.
 */
static int
rekey_as_corrected(struct outbox_txn *t, struct intake *in, struct taking *tk,
		   struct line_result *res)
{
	struct parsed_record *p = tk->p;
	struct taking ct = {.p = p, .provisional = tk->provisional};
	uint8_t cid[EVENT_ID_LEN];
	char cref[RECORD_MAX_REF + 1];
	int r;

	r = latest_correction(t, in, &tk->known, cref, cid, &ct.known,
			      &ct.known_provisional);
	if (r != 0)
		return r == -ENOENT ? 0 : r;
	/* At the line's epoch already: intake_held_as_corrected's business. */
	if (ct.known.target != TARGET_CORRECTION ||
	    ct.known.epoch >= p->ev.key_epoch || cref[0] == '\0')
		return 0;
	r = same_as_held(t, p, tk->known.current);
	if (r != 1)
		return r == -ENOENT ? 0 : r;
	return resend_correction(t, in, tk, &ct, cref, cid, res);
}

/*
 * Re-sends the record's latest correction (its ref cref, id cid, info
 * ct->known) with the line's pseudonyms: the line in the correction's
 * shape, as its own line would be. Returns 1 (res says so) or -errno.
 */
static int
resend_correction(struct outbox_txn *t, struct intake *in, struct taking *tk,
		  struct taking *ct, const char *cref,
		  const uint8_t cid[EVENT_ID_LEN], struct line_result *res)
{
	struct parsed_record *p = tk->p;
	uint8_t digest[REF_DIGEST_LEN], *evb;
	char saved_ref[RECORD_MAX_REF + 1];
	enum kind saved_kind = p->ev.kind;
	uint64_t saved_target = p->ev.target_seq;
	size_t evlen;
	int r;

	memcpy(ct->tid, p->ev.id, EVENT_ID_LEN);
	ct->target = tk->known;
	ct->target_provisional = tk->known_provisional;
	memcpy(saved_ref, p->ref, sizeof(saved_ref));
	memcpy(p->ref, cref, sizeof(saved_ref));
	memcpy(p->ev.id, cid, EVENT_ID_LEN);
	p->ev.kind = KIND_CORRECTION;
	p->ev.target_seq = tk->known.seq;
	r = codec_event_encode(&p->ev, &evb, &evlen);
	if (r == 0) {
		sign_digest(evb, evlen, digest);
		free(evb);
		r = intake_rekey(t, in, ct, digest, res);
	}
	memcpy(p->ev.id, ct->tid, EVENT_ID_LEN);
	memcpy(p->ref, saved_ref, sizeof(saved_ref));
	p->ev.kind = saved_kind;
	p->ev.target_seq = saved_target;
	return r < 0 ? r : 1;
}

/*
 * intake_rekey's line of a record withdrawn, or whose content a later
 * correction carries: nothing of it to re-send if it is what it was
 * (held, warned as at the same epoch: of its record's first envelope
 * when the consolidator refused that one); the record as it now stands
 * re-sends its latest correction (rekey_as_corrected); any other content
 * is refused, as at the same epoch. Where the held event cannot tell,
 * held as before.
 */
static int
held_since(struct outbox_txn *t, struct intake *in, struct taking *tk,
	   struct line_result *res)
{
	struct parsed_record *p = tk->p;
	const struct ref_info *known = &tk->known;
	int r;

	r = same_as_held(t, p, known->own);
	if (r == 1 || r == -ENOENT) {
		res->status = LINE_HELD;
		res->seq = known->seq;
		/* Its record's first refused, the record counts nowhere,
		 * whatever became of the line's own (in flight, say). */
		r = intake_warn_held_dead(t, tk, res);
		if (r < 0)
			intake_refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	if (r == 0 && p->ev.kind != KIND_CORRECTION &&
	    known->state != REF_WITHDRAWN) {
		r = intake_held_as_corrected(t, in, tk, res);
		if (r == 0)
			r = rekey_as_corrected(t, in, tk, res);
	}
	if (r < 0) {
		intake_refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	if (r == 1)
		return 0;
	if (p->ev.kind != KIND_CORRECTION && known->state == REF_WITHDRAWN)
		intake_refuse_withdrawn(t, res, known);
	else
		intake_refuse_other(res, known);
	return 0;
}

/*
 * A record whose ref is held under an older key epoch: re-sends its
 * content with this epoch's pseudonyms, as a correction, when it is
 * still the live content of its record (see the top of this file).
 * Returns 0 (res says what happened) or -errno for a store failure.
 */
int
intake_rekey(struct outbox_txn *t, struct intake *in, struct taking *tk,
	     const uint8_t digest[REF_DIGEST_LEN], struct line_result *res)
{
	struct parsed_record *p = tk->p;
	struct ref_info *known = &tk->known, *target = &tk->target;
	bool correction = p->ev.kind == KIND_CORRECTION;
	uint64_t seq, first, at_ms;
	uint8_t code;
	int r;

	if (correction ? known->target != TARGET_CORRECTION
		       : known->target != TARGET_NONE ||
			     known->kind != (uint8_t)p->ev.rec.kind) {
		intake_refuse_other(res, known);
		return 0;
	}
	if (correction ? target->state == REF_WITHDRAWN ||
			     target->current != known->own
		       : known->state == REF_WITHDRAWN ||
			     known->current != known->own) {
		/* Withdrawn, or a later correction carries the content: it
		 * is re-sent when that correction's line comes. */
		return held_since(t, in, tk, res);
	}
	/* The record refused when first sent (a dead letter): a correction
	 * of it would be refused in turn (bad_target). Held, as at the same
	 * epoch, and warned of that envelope (its own content's, a
	 * re-keying's, may be in flight or refused for another reason);
	 * taken after all (--refetch), its line re-keys it. */
	first = correction ? target->seq : known->seq;
	r = outbox_seq_dead(t, first, &code, &at_ms);
	if (r == 0) {
		res->status = LINE_HELD;
		res->seq = known->seq;
		r = intake_held_dead_first(t, first, correction, res);
		if (r == 0)
			return 0;
		goto fail;
	}
	if (r != -ENOENT)
		goto fail;
	r = held_as_refused(t, tk, res);
	if (r < 0)
		goto fail;
	if (r == 1)
		return 0;
	if (!correction) {
		p->ev.kind = KIND_CORRECTION;
		p->ev.target_seq = known->seq;
	}
	r = intake_store_event(t, in, &p->ev, p->ref, &seq);
	if (r != 0)
		goto fail;
	known->own = seq;
	known->epoch = p->ev.key_epoch;
	memcpy(known->digest, digest, REF_DIGEST_LEN);
	if (correction) {
		target->current = seq;
		r = intake_ref_put(t, in, tk->tid, target,
				   tk->target_provisional);
	} else {
		known->current = seq;
	}
	if (r == 0)
		r = intake_ref_put(t, in, p->ev.id, known, tk->provisional);
	/* The record's case stage under the new pseudonyms: held as it
	 * was, so not warned of again. A ref holding its victim's identity
	 * (stored by an older node, which kept it in the index too; a
	 * correction's target_ref alike) is not copied back: the index's
	 * own check sees digits only. */
	if (r == 0)
		r = intake_stage_take(
		    t, in, correction ? target->seq : known->seq, &p->ev.rec,
		    p->ref_identity[0] != '\0' || p->target_ref_identity ? ""
									 : NULL,
		    true, false, res);
	if (r != 0)
		goto fail;
	/* Counted once stored: intake_submit, after the commit. */
	res->status = LINE_REKEYED;
	res->seq = seq;
	return 0;
fail:
	intake_refuse(res, "", "store error: %s", strerror(-r));
	return r;
}

/*
 * The digest of p's line in the shape of the record's correction (its id
 * cid, a correction of envelope target_seq), in this node's form or, with
 * older, in that of a node older than the placeholder rule
 * (record_placeholder_form). Returns 0 or -errno.
 */
static int
shaped_digest(struct parsed_record *p, const uint8_t cid[EVENT_ID_LEN],
	      uint64_t target_seq, bool older, uint8_t digest[REF_DIGEST_LEN])
{
	uint8_t saved_id[EVENT_ID_LEN], *evb;
	enum kind saved_kind = p->ev.kind;
	uint64_t saved_target = p->ev.target_seq;
	size_t evlen;
	int r;

	memcpy(saved_id, p->ev.id, EVENT_ID_LEN);
	memcpy(p->ev.id, cid, EVENT_ID_LEN);
	p->ev.kind = KIND_CORRECTION;
	p->ev.target_seq = target_seq;
	if (older)
		record_placeholder_form(p, true);
	r = codec_event_encode(&p->ev, &evb, &evlen);
	if (older)
		record_placeholder_form(p, false);
	memcpy(p->ev.id, saved_id, EVENT_ID_LEN);
	p->ev.kind = saved_kind;
	p->ev.target_seq = saved_target;
	if (r != 0)
		return r;
	sign_digest(evb, evlen, digest);
	free(evb);
	return 0;
}

/*
 * Whether the consolidator refused neither envelope: the record's first
 * nor the content's own. 1, 0 or -errno.
 */
static int
none_dead(struct outbox_txn *t, uint64_t first, uint64_t own)
{
	uint64_t at_ms;
	uint8_t code;
	int r;

	r = outbox_seq_dead(t, first, &code, &at_ms);
	if (r == -ENOENT && own != first)
		r = outbox_seq_dead(t, own, &code, &at_ms);
	return r == -ENOENT ? 1 : r;
}

/*
 * A record's ref again with content other than the original's: whether
 * it is the content of the record's latest correction (a case system
 * exporting the record as it now stands). The correction's ref is the one
 * its envelope was stored with; the comparison is between digests, as
 * for the record itself: the line's event, put in the correction's shape
 * (its id, a correction of the record), against the correction's digest.
 * A correction that a node older than the placeholder rule stored with a
 * placeholder as a victim's document, the line that content: re-sent in
 * this node's form, as its own line would be (as mend_older does in
 * intake_record.c), unless
 * the consolidator refused it or the record, or this dry run made it.
 * Returns 1 (res says "already held", or re-sent), 0 (not that content),
 * -errno.
 */
int
intake_held_as_corrected(struct outbox_txn *t, struct intake *in,
			 struct taking *tk, struct line_result *res)
{
	struct parsed_record *p = tk->p;
	const struct ref_info *known = &tk->known;
	struct ref_info ci;
	uint8_t cid[EVENT_ID_LEN], digest[REF_DIGEST_LEN];
	char cref[RECORD_MAX_REF + 1];
	bool cprov, older = false;
	int r;

	if (known->target != TARGET_NONE || known->current == known->own)
		return 0;
	r = latest_correction(t, in, known, cref, cid, &ci, &cprov);
	if (r != 0)
		/* A recovered outbox's gap: nothing to compare with. */
		return r == -ENOENT ? 0 : r;
	if (ci.target != TARGET_CORRECTION || ci.epoch != p->ev.key_epoch ||
	    cprov != tk->provisional)
		return 0;
	if (shaped_digest(p, cid, known->seq, false, digest) != 0)
		return 0;
	if (memcmp(ci.digest, digest, REF_DIGEST_LEN) != 0) {
		older = p->placeholder > 0 &&
			shaped_digest(p, cid, known->seq, true, digest) == 0 &&
			memcmp(ci.digest, digest, REF_DIGEST_LEN) == 0;
		if (!older)
			return 0;
	}
	/* Its re-keying refused: the consolidator holds the content under
	 * an older epoch's pseudonyms. */
	r = cref[0] != '\0' && known->current == ci.own
		? intake_rekey_refused(t, &ci, known->seq)
		: 0;
	if (r == 0 && older && cref[0] != '\0' && known->current == ci.own)
		r = none_dead(t, known->seq, ci.own);
	if (r == 1) {
		struct taking ct = {.p = p,
				    .provisional = tk->provisional,
				    .known = ci,
				    .known_provisional = cprov};
		r = resend_correction(t, in, tk, &ct, cref, cid, res);
		if (r == 1 && older && res->status == LINE_REKEYED) {
			res->status = LINE_ACCEPTED;
			intake_warn_placeholder(p, true, res);
		}
		return r;
	}
	if (r < 0)
		return r;
	res->status = LINE_HELD;
	res->seq = known->current;
	return 1;
}
