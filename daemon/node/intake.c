/*
 * intake.c - parse, pseudonymise through the key holders, validate, sign,
 * store; see intake.h. A request and its rounds are here; what a parsed
 * record does to the outbox (its ref, its target, its envelope) is
 * intake_record.c's, and intake_rekey.c's after a key rotation.
 *
 * Dry runs. A dry run takes every step of a real submission but reads
 * the outbox only: what it would store goes to its struct dryrun, which
 * later requests of the run see over the outbox, and nothing is signed.
 * A record needs no pseudonym to be checked, except to tell whether a
 * ref already held is the same record again ("already held") or another
 * one ("already used for a different record"): the digest compared
 * covers the pseudonyms. So a dry run asks the key holders only for the
 * records whose ref the outbox already holds under this key epoch; every
 * other record gets provisional values (pseudo_batch_provisional), equal
 * for equal identities, and is compared, when its ref comes again in the
 * run, with what the run wrote under the same kind of values.
 */
#include "intake.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "dryrun.h"
#include "intake_int.h"
#include "log.h"

static bool
blank(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* serve, from within the pseudonym batch's long loops. */
static void
serve_progress(void *arg)
{
	struct intake *in = arg;

	(void)in->serve(in->serve_arg);
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
	if (in->serve != NULL)
		pseudo_batch_progress(in->batch, serve_progress, in);
	return 0;
}

void
intake_free(struct intake *in)
{
	pseudo_batch_free(&in->batch);
	free(in->recs);
	in->recs = NULL;
	dryrun_free(&in->dry_run);
}

/* A round of records: where they are, and whether it went out. */
struct round {
	struct parsed_record *recs;		/* INTAKE_ROUND_RECORDS */
	size_t slot[INTAKE_ROUND_RECORDS];	/* their lines */
	bool provisional[INTAKE_ROUND_RECORDS]; /* a dry run's values */
	size_t k;				/* records parsed */
	size_t n;				/* elements sent, 0: none */
	int error; /* a store error met parsing: the request fails */
};

/*
 * round_send - blinds the inputs new since the last round and sends them
 * to the key holders, in requests of at most what each takes (nothing to
 * send: n stays 0). Returns 0, or -errno with a sentence in why.
 */
static int
round_send(struct intake *in, struct round *rd, char *why, size_t whylen)
{
	const uint8_t *elements;
	size_t per_request;
	int r;

	rd->n = 0;
	if (pseudo_batch_new_inputs(in->batch) == 0)
		return 0;
	per_request =
	    in->request_max != NULL ? in->request_max(in->holders) : 0;
	if (per_request != 0 && per_request <= PSEUDO_CHECK_ELEMENTS) {
		snprintf(why, whylen,
			 "a key holder takes %zu elements in one request "
			 "(max_batch), and a node's request needs %d check "
			 "elements and an identity: its operator must raise "
			 "max_batch",
			 per_request, PSEUDO_CHECK_ELEMENTS);
		return -EPROTO;
	}
	r = pseudo_batch_blind(in->batch, in->workers, per_request, &elements,
			       &rd->n);
	if (r != 0) {
		snprintf(why, whylen, "cannot blind the identities: %s",
			 strerror(-r));
		return r;
	}
	in->evaluations += rd->n;
	return in->send(in->holders, in->linkage->epoch, elements, rd->n,
			per_request, why, whylen);
}

/*
 * round_answer - the key holders' answer to the round sent, in a new
 * malloc'd *ret_evaluated (rd->n elements, the caller's). A round a
 * holder refused as too large, after a reload lowered its max_batch, is
 * blinded again with the next round's inputs parsed meanwhile (up to
 * twice INTAKE_ROUND_INPUTS in all; the next round then sends none) and
 * sent in smaller requests, up to INTAKE_RESIZE_TRIES times; refused
 * still, it is -EPROTO. Returns 0, or -errno with a sentence in why.
 */
static int
round_answer(struct intake *in, struct round *rd, uint8_t **ret_evaluated,
	     char *why, size_t whylen)
{
	uint8_t *evaluated;
	unsigned tries = 0;
	int r;

	for (;;) {
		evaluated = malloc(rd->n * PSEUDO_ELEMENT_LEN);
		if (evaluated == NULL) {
			snprintf(why, whylen, "out of memory");
			return -ENOMEM;
		}
		r = in->recv(in->holders, in->linkage->epoch, rd->n, evaluated,
			     why, whylen);
		if (r == 0) {
			*ret_evaluated = evaluated;
			return 0;
		}
		free(evaluated);
		if (r != -E2BIG)
			return r;
		/* Still too large after the retries: a holder's failure,
		 * its reason in why (-E2BIG tells the caller another). */
		if (tries++ == INTAKE_RESIZE_TRIES)
			return -EPROTO;
		(void)pseudo_batch_abandon(in->batch);
		if ((r = round_send(in, rd, why, whylen)) != 0)
			return r;
	}
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
	uint8_t *evaluated = NULL, check[PSEUDO_CHECK_LEN],
		known[PSEUDO_CHECK_LEN];
	uint32_t epoch = in->linkage->epoch;
	int r;

	if (rd->n == 0)
		return 0;
	r = round_answer(in, rd, &evaluated, why, whylen);
	if (r != 0)
		goto out;
	r = pseudo_batch_finish(in->batch, evaluated, in->linkage->key,
				in->workers, check);
	if (r == -EBADMSG) {
		snprintf(why, whylen,
			 "the key holders' answers are inconsistent (the "
			 "hidden check elements differ): their operators "
			 "must check that their shares are of one key");
		goto out;
	}
	if (r != 0) {
		snprintf(why, whylen,
			 "a key holder answered with elements that are not "
			 "group elements (their operators must check them)");
		r = -EPROTO;
		goto out;
	}
	r = outbox_check_get(t, epoch, known);
	if (r == -ENOENT) {
		r = outbox_check_put(t, epoch, check);
	} else if (r == 0 && memcmp(known, check, sizeof(known)) != 0) {
		/* The check mixes the holders' answers with the linkage
		 * key: either file may be the one replaced. */
		snprintf(why, whylen,
			 "pseudonyms of key epoch %u would differ from this "
			 "node's earlier ones: linkage_key or a key holder's "
			 "share was replaced without a new epoch; put back "
			 "the files used before",
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
 * Whether a key holders' failure r meets every later request the same
 * until someone changes a configuration: a holder's max_batch,
 * rate_per_day or registry, a key or share (why says whose). The officer is
 * then not told to "submit again later" (walk55u, walk55k): the others (a
 * holder unreachable, slow, busy, its allowance spent for now) pass by
 * themselves.
 */
static bool
holders_lasting(int r)
{
	return r == -EPROTO || r == -ESTALE || r == -EBADMSG || r == -EDQUOT ||
	       r == -EACCES;
}

/* Lets the node answer status requests, every INTAKE_SERVE_RECORDS. */
static void
serve_now(struct intake *in, size_t k)
{
	if (in->serve != NULL &&
	    k % INTAKE_SERVE_RECORDS == INTAKE_SERVE_RECORDS - 1)
		(void)in->serve(in->serve_arg);
}

/*
 * dry_parse - a dry run's parse of one line: with provisional values,
 * then once more asking the key holders when the record's ref is held
 * in the outbox under this key epoch (the one case where the answer
 * depends on the pseudonyms: see the top of this file). Returns as
 * record_parse; *ret_provisional says which values p carries (a
 * withdrawal carries none: false).
 */
static int
dry_parse(struct outbox_txn *t, struct intake *in, const uint8_t *line,
	  size_t len, int32_t today, struct parsed_record *p,
	  bool *ret_provisional, struct record_error *err)
{
	struct ref_info known;
	uint8_t id[EVENT_ID_LEN];
	bool provisional;
	int r;

	pseudo_batch_provisional(in->batch, true);
	r = record_parse((const char *)line, len, in->inst, today, in->batch, p,
			 err);
	pseudo_batch_provisional(in->batch, false);
	*ret_provisional = r == 0 && p->ev.kind != KIND_WITHDRAWAL;
	if (!*ret_provisional)
		return r;
	/* A store error reads as nothing held here: the next look-up of
	 * the same entry in the same transaction (refuse_identity's or
	 * intake_take_line's) meets it again and fails the request whole,
	 * as in a real submission. Refusing the line alone here would tell
	 * the rest of the request "would be accepted". */
	pseudo_event_id(in->ref_key->key, in->inst, p->ref, id);
	if (intake_ref_get(t, in, id, &known, &provisional) != 0 ||
	    provisional || known.epoch != in->linkage->epoch)
		return 0;
	*ret_provisional = false;
	return record_parse((const char *)line, len, in->inst, today, in->batch,
			    p, err);
}

/*
 * held_under - intake_ref_get of ref: 0 when a record is held under it
 * (or stored by this dry run), -ENOENT when none is, -errno.
 */
static int
held_under(struct outbox_txn *t, struct intake *in, const char *ref)
{
	struct ref_info known;
	uint8_t id[EVENT_ID_LEN];
	bool provisional;

	pseudo_event_id(in->ref_key->key, in->inst, ref, id);
	return intake_ref_get(t, in, id, &known, &provisional);
}

/*
 * held_warning - res->ref_warning for a record held under a ref that
 * holds its victim's identity, ref_identity saying why: what the ref
 * holds, and that the record is to be withdrawn and sent again under a
 * record key.
 */
static void
held_warning(const char *ref_identity, struct line_result *res)
{
	/* "holds the victim's name", without the advice for a new record. */
	int what = (int)strcspn(ref_identity, ":");

	snprintf(res->ref_warning, sizeof(res->ref_warning),
		 "%.*s: a record stored before the node refused such refs: "
		 "withdraw it and send it again under the case system's "
		 "record key (docs/INPUT.md section 7)",
		 what, ref_identity);
}

/*
 * refuse_identity - whether p is to be refused for a ref holding its
 * victim's identity: when it does and no record is held under it (nor
 * stored by this dry run). A record held under such a ref was stored
 * before the node refused them: it stays stored and counted, and its
 * line goes on as any held record's (re-sent, re-keyed after a rotation,
 * corrected). Returns 0 (not refused), 1 (refused for its ref), or
 * -errno, a store error on the ref's entry, which fails the request as
 * any other does (refused for its ref, a record held under it, mended
 * and sent again under a new ref, would count twice). When refused, *err
 * says why, with no ref to hand back.
 */
static int
refuse_identity(struct outbox_txn *t, struct intake *in,
		const struct parsed_record *p, struct record_error *err)
{
	int r;

	if (p->ref_identity[0] == '\0')
		return 0;
	r = held_under(t, in, p->ref);
	if (r == 0)
		return 0;
	if (r == -ENOENT) {
		snprintf(err->field, sizeof(err->field), "ref");
		snprintf(err->reason, sizeof(err->reason), "%s",
			 p->ref_identity);
		r = 1;
	} else {
		err->field[0] = '\0';
		snprintf(err->reason, sizeof(err->reason), "store error: %s",
			 strerror(-r));
	}
	err->ref[0] = '\0';
	return r;
}

/*
 * refuse_held_only - whether p, taken only for a record held under its
 * ref (held_only: a document number 00000000, a referral S/N, a name
 * null, which an older node took), is to be refused: when no record is
 * held under its ref (nor stored by this dry run), *err saying why. A
 * record held under it goes on as any held record's line (re-sent,
 * re-keyed after a rotation, told it is another record's ref). Returns
 * 0, 1 (refused) or -errno, a store error, which fails the request.
 */
static int
refuse_held_only(struct outbox_txn *t, struct intake *in,
		 const struct parsed_record *p, struct record_error *err)
{
	int r;

	if (!p->held_only)
		return 0;
	r = held_under(t, in, p->ref);
	if (r == 0)
		return 0;
	if (r == -ENOENT)
		return 1;
	err->field[0] = '\0';
	snprintf(err->reason, sizeof(err->reason), "store error: %s",
		 strerror(-r));
	return r;
}

/*
 * ref_warn - res->ref_warning for p, taken though its ref holds its
 * victim's identity (a record held under it: refuse_identity):
 * held_warning. Sent only if the line is not refused in the end.
 */
static void
ref_warn(const struct parsed_record *p, struct line_result *res)
{
	if (p->ref_identity[0] != '\0')
		held_warning(p->ref_identity, res);
}

/*
 * ref_also - res->ref_warning for a line refused for something else whose
 * ref holds its victim's identity too (err->ref_identity): what the line
 * would be told once the rest is mended, a refusal of the ref (none held
 * under it) or held_warning (one held), so that the officer mends both
 * at once. Never the ref, which is wiped from err. Returns 0, or -errno,
 * a store error on the ref's entry, which fails the request as any other
 * does (told "refused for this too", the officer would send under a new
 * ref a record perhaps held under this one, to count twice).
 */
static int
ref_also(struct outbox_txn *t, struct intake *in, struct record_error *err,
	 struct line_result *res)
{
	int what = (int)strcspn(err->ref_identity, ":");
	int r;

	if (err->ref_identity[0] == '\0')
		return 0;
	r = held_under(t, in, err->identity_ref);
	explicit_bzero(err->identity_ref, sizeof(err->identity_ref));
	if (r == 0)
		held_warning(err->ref_identity, res);
	else if (r == -ENOENT)
		snprintf(res->ref_warning, sizeof(res->ref_warning),
			 "%.*s: refused for this too:%s", what,
			 err->ref_identity,
			 err->ref_identity[what] == ':'
			     ? err->ref_identity + what + 1
			     : "");
	return r == 0 || r == -ENOENT ? 0 : r;
}

/*
 * round_parse - parses lines from *i on into rd, until INTAKE_ROUND_RECORDS
 * records or INTAKE_ROUND_INPUTS new inputs or the end; blank, overlong
 * and refused lines are answered in reply at once.
 */
static void
round_parse(struct outbox_txn *t, struct intake *in, struct round *rd,
	    uint8_t *const *lines, const size_t *lens, size_t n, size_t *i,
	    uint64_t first_line, int32_t today, struct control *reply)
{
	struct record_error err;
	struct pseudo_mark mark;
	bool provisional = false;
	int r;

	for (rd->k = 0;
	     *i < n && rd->k < INTAKE_ROUND_RECORDS &&
	     pseudo_batch_new_inputs(in->batch) < INTAKE_ROUND_INPUTS;
	     (*i)++) {
		struct line_result *res = &reply->results[*i];
		serve_now(in, *i);
		res->line = first_line + *i;
		/* Length first: kuska submit sends only the head of a
		 * longer line, and a head of blanks is no blank line (the
		 * record after them would be lost without a word). */
		if (lens[*i] > RECORD_MAX_LINE) {
			intake_refuse(res, "", "line longer than %d bytes",
				      RECORD_MAX_LINE);
			continue;
		}
		if (blank(lines[*i], lens[*i])) {
			res->status = LINE_BLANK;
			continue;
		}
		mark = pseudo_batch_mark(in->batch);
		if (in->dry != NULL)
			r = dry_parse(t, in, lines[*i], lens[*i], today,
				      &rd->recs[rd->k], &provisional, &err);
		else
			r = record_parse((const char *)lines[*i], lens[*i],
					 in->inst, today, in->batch,
					 &rd->recs[rd->k], &err);
		if (r == 0 &&
		    ((r = refuse_identity(t, in, &rd->recs[rd->k], &err)) !=
			 0 ||
		     (r = refuse_held_only(t, in, &rd->recs[rd->k], &err)) !=
			 0)) {
			/* Nothing of a refused line is evaluated. */
			pseudo_batch_rollback(in->batch, mark);
			memset(&rd->recs[rd->k], 0, sizeof(rd->recs[rd->k]));
			if (r < 0 && rd->error == 0)
				rd->error = r;
		}
		/* For kuska submit's --report: the case system finds the
		 * record by it (not when it holds a victim's identity, nor a
		 * withdrawal's). */
		snprintf(res->ref, sizeof(res->ref), "%s", err.ref);
		if (r != 0) {
			intake_refuse(res, err.field, "%s", err.reason);
			if ((r = ref_also(t, in, &err, res)) != 0 &&
			    rd->error == 0)
				rd->error = r;
			if (err.own_institution)
				res->why = LINE_OWN_INSTITUTION;
			/* What the institution may not emit is said before
			 * anything else wrong with the line: mending the
			 * rest would only lead to it. */
			if (intake_granted(in, err.kind, err.rec_kind,
					   err.stage, res))
				intake_stage_words(in, res);
			continue;
		}
		ref_warn(&rd->recs[rd->k], res);
		rd->provisional[rd->k] = provisional;
		rd->slot[rd->k++] = *i;
	}
}

/*
 * dry_refused - whether run id is one whose requests are refused: one of
 * the last INTAKE_DRY_DROPPED dropped, or the last one ended.
 */
static bool
dry_refused(const struct intake *in, uint64_t id)
{
	unsigned i;

	if (id == in->dry_ended)
		return true;
	for (i = 0; i < INTAKE_DRY_DROPPED; i++)
		if (in->dry_dropped[i] == id)
			return true;
	return false;
}

/*
 * dry_drop - forgets the kept run, whose later requests are refused: its
 * id takes the place of the oldest of the last INTAKE_DRY_DROPPED
 * dropped. That one's later request (16 runs dropped since, as by
 * officers dry-running on the node at once) is no longer refused: it
 * starts a new, empty run, which does not see what its earlier requests
 * would have stored (a correction of one of their records is refused as
 * of no earlier record), and drops the run then kept.
 */
static void
dry_drop(struct intake *in)
{
	if (in->dry_run != NULL) {
		in->dry_dropped[in->dry_dropped_next] = dryrun_id(in->dry_run);
		in->dry_dropped_next =
		    (in->dry_dropped_next + 1) % INTAKE_DRY_DROPPED;
	}
	dryrun_free(&in->dry_run);
	in->dry = NULL;
}

/*
 * dry_begin - makes in->dry the run named id: the one kept, or a new one
 * (which drops the one kept). Returns 0, -ESRCH when run id was dropped
 * or ended (its requests would not see what its earlier ones would have
 * stored), or -ENOMEM.
 */
static int
dry_begin(struct intake *in, struct outbox_txn *t, uint64_t id)
{
	if (in->dry_run == NULL || dryrun_id(in->dry_run) != id) {
		if (dry_refused(in, id))
			return -ESRCH;
		dry_drop(in);
		in->dry_run = dryrun_new(id, outbox_next_seq(t));
		if (in->dry_run == NULL)
			return -ENOMEM;
		pseudo_batch_provisional_renew(in->batch);
	}
	in->dry = in->dry_run;
	in->dry_used_ms = date_mono_ms();
	return 0;
}

void
intake_idle(struct intake *in, uint64_t mono_ms)
{
	/* The node's loop reads its clock before it serves the requests:
	 * a run used since is not idle (mono_ms - dry_used_ms would wrap
	 * round to a huge span and drop it). */
	if (in->dry_run != NULL && mono_ms > in->dry_used_ms &&
	    mono_ms - in->dry_used_ms > DRYRUN_IDLE_MS)
		dry_drop(in);
}

void
intake_dry_end(struct intake *in, uint64_t id)
{
	/* Not dropped: it takes no place among the dropped ones. */
	if (in->dry_run != NULL && dryrun_id(in->dry_run) == id) {
		in->dry_ended = id;
		dryrun_free(&in->dry_run);
		in->dry = NULL;
		log_debug("event=dry_run_ended");
	}
}

int
intake_submit(struct intake *in, uint64_t first_line, uint8_t *const *lines,
	      const size_t *lens, size_t n, uint64_t dry_run,
	      struct control *reply)
{
	struct outbox_txn *t = NULL;
	struct round rounds[2], *cur = NULL, *next;
	int32_t today = date_today();
	size_t i = 0, j;
	char why[CODEC_MAX_TEXT + 1];
	bool holders = false;
	uint64_t asked = in->evaluations;
	int r;

	memset(reply, 0, sizeof(*reply));
	reply->type = CTL_SUBMIT_REPLY;
	if (outbox_diverged(in->ob, why, sizeof(why))) {
		/* 147: what of the reply is left after the fixed text, and
		 * more than the longest reason (check_copy's) needs. */
		snprintf(reply->error, sizeof(reply->error),
			 "this node's outbox diverged from the consolidator's "
			 "copy (%.147s): nothing is accepted until kuska-node "
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
	rounds[0].error = rounds[1].error = 0;
	r = outbox_begin(in->ob, &t);
	if (r == 0 && dry_run != 0)
		r = dry_begin(in, t, dry_run);
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
		if (ahead) {
			round_parse(t, in, next, lines, lens, n, &i, first_line,
				    today, reply);
			/* A store error met parsing fails the request as
			 * one met storing (nothing of it stored, the
			 * outbox's state said): at once, not to the key
			 * holders again (their rate_per_day) only to abort. */
			if (next->error != 0) {
				r = next->error;
				break;
			}
		}
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
		for (j = 0; cur != NULL && j < cur->k && r == 0; j++) {
			serve_now(in, j);
			r = intake_take_line(t, in, &cur->recs[j],
					     cur->provisional[j],
					     &reply->results[cur->slot[j]]);
		}
		cur = ahead ? next : NULL;
		if (cur == NULL &&
		    pseudo_batch_known(in->batch) > INTAKE_MEMO_MAX)
			pseudo_batch_forget(in->batch);
	}
	pseudo_batch_forget(in->batch);
	memset(in->recs, 0, 2 * INTAKE_ROUND_RECORDS * sizeof(*in->recs));
	if (r == 0 && in->dry != NULL) {
		/* Nothing of a dry run is stored. */
		outbox_abort(&t);
		in->dry = NULL;
		return 0;
	}
	if (r == 0) {
		if (in->serve != NULL)
			(void)in->serve(in->serve_arg); /* before the fsync */
		r = outbox_commit(&t);
	}
	if (r == 0) {
		/* Counted once stored: a request that fails whole (its key
		 * holders, a full disk, a store error) stores none of it. */
		for (i = 0; i < n; i++)
			if (reply->results[i].status == LINE_REFUSED)
				in->refused++;
			else if (reply->results[i].status == LINE_REKEYED)
				in->rekeyed++;
		in->disk_full_ms = 0;
		/* The key holders answered this request: a refusal for their
		 * sake is over, and kuska status no longer warns of it. */
		if (in->evaluations > asked) {
			in->holder_error[0] = '\0';
			in->holder_error_ms = 0;
		}
		return 0;
	}
	outbox_abort(&t);
	reply->n_results = 0;
	if (in->dry != NULL) {
		/* Some of what this request would have stored may be in the
		 * run already: the run cannot go on. */
		dry_drop(in);
	}
	/* A dry run's own refusals: not a key holder's error, nor a real
	 * submission's (dry_ended is 0 until a run ends). */
	if (r == -ESRCH && !holders && dry_run != 0 &&
	    dry_run == in->dry_ended) {
		/* Not dropped: "another one started" would send the officer
		 * looking for one. */
		snprintf(reply->error, sizeof(reply->error),
			 "this dry run had ended (its kuska submit said it was "
			 "over): run it again");
	} else if (r == -ESRCH && !holders && dry_run != 0) {
		snprintf(reply->error, sizeof(reply->error),
			 "this dry run was dropped (another one started, or "
			 "it stopped for over %d minutes, or a request of it "
			 "failed): run it again",
			 DRYRUN_IDLE_MS / 60000);
	} else if (r == -E2BIG && !holders && dry_run != 0) {
		snprintf(reply->error, sizeof(reply->error),
			 "a dry run checks at most %d new records at once: "
			 "check the file in parts",
			 DRYRUN_MAX_REFS);
	} else if (holders) {
		in->holder_failures++;
		in->evaluations_failed += in->evaluations - asked;
		snprintf(in->holder_error, sizeof(in->holder_error), "%s", why);
		in->holder_error_ms = date_now_ms();
		snprintf(reply->error, sizeof(reply->error),
			 "%.190s: nothing of this request was stored%s", why,
			 holders_lasting(r) ? "" : "; submit again later");
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
			 "store error (%s) on the outbox in %.120s; nothing "
			 "of this request was stored",
			 strerror(-r), outbox_dir(in->ob));
	}
	log_warnx("event=submit_refused text=%s", LOG_QT(reply->error));
	return r;
}
