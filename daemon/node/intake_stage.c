/*
 * intake_stage.c - the case stages' index (outbox.h) as intake keeps it,
 * and the warnings it gives at submit: a second record of a case's stage
 * (the consolidator counts the first only: the second counts for
 * nothing), a stage dated before an earlier stage of its case, or after
 * a later one (a duration between them reads negative). The record is
 * taken all the same: it is not wrong in itself. A record the
 * consolidator refused (a dead letter) counts nowhere: a stage it holds
 * goes to the earliest live record of it left, or else to the next sent,
 * unwarned. See intake_int.h.
 *
 * In a dry run the index is read through the run's own (dryrun.h), which
 * its lines write instead of the outbox's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "dryrun.h"
#include "intake_int.h"

/* After a held record's seq or date when the outbox has no ref for it. */
#define REF_UNKNOWN ": its ref not known to this node"
/* ... or when it has one that may hold the victim's identity. */
#define REF_WITHHELD ": its ref withheld as it may hold the victim's identity"
/* ... or one stored before refs were checked for it (outbox_ref_checked). */
#define REF_UNCHECKED                                                          \
	": its ref withheld as it was stored before refs were checked"

/*
 * e's ref as a warning may print it: "" when it may hold an identity, or
 * was stored by a node that did not check it against its line's victims
 * (an identity of any shape: only its own line's could tell, and that is
 * stored nowhere).
 */
static const char *
shown_ref(struct outbox_txn *t, const struct stage_entry *e)
{
	return outbox_ref_may_hold_identity(e->ref) ||
		       !outbox_ref_checked(t, e->seq)
		   ? ""
		   : e->ref;
}

/*
 * Why a warning names e's record without its ref: REF_WITHHELD when the
 * node holds one (the index withheld it, or kept it and shown_ref hides
 * it; or a dry run took the record), REF_UNCHECKED when it was stored
 * before refs were checked, REF_UNKNOWN when it holds none (an outbox
 * rebuilt by --recover). The ref looked up is never printed.
 */
static const char *
ref_missing(struct outbox_txn *t, struct intake *in,
	    const struct stage_entry *e)
{
	char ref[RECORD_MAX_REF + 1] = "";
	uint8_t id[EVENT_ID_LEN];
	struct ref_info ri;
	bool prov, held;

	held = e->ref[0] != '\0' ||
	       (outbox_seq_ref(t, e->seq, ref, sizeof(ref)) == 0 &&
		ref[0] != '\0') ||
	       (in->dry != NULL &&
		dryrun_ref_by_own(in->dry, e->seq, id, &ri, &prov) == 0);
	memset(ref, 0, sizeof(ref));
	if (!held)
		return REF_UNKNOWN;
	return outbox_ref_checked(t, e->seq) ? REF_WITHHELD : REF_UNCHECKED;
}

/*
 * Whether the record of entry e counts: not when the consolidator refused
 * it (a dead letter, which counts nowhere and is sent anew under a new
 * ref: the new one is no second record).
 */
static bool
counts(struct outbox_txn *t, const struct stage_entry *e)
{
	uint64_t at_ms;
	uint8_t code;

	return outbox_seq_dead(t, e->seq, &code, &at_ms) != 0;
}

/* outbox_stage_next's skip in a dry run: a record the run changed, whose
 * outbox entries no longer stand. */
static bool
touched(void *arg, uint64_t seq)
{
	return dryrun_stage_touched(arg, seq);
}

/*
 * A dry run's next record of (case_id, stage) that counts, as
 * outbox_stage_del and outbox_stage_get find it in the outbox: the
 * earliest of the outbox's records the run left as they were and those
 * it wrote. 0 and *ret, -ENOENT, -errno.
 */
static int
dry_next(struct outbox_txn *t, struct intake *in,
	 const uint8_t case_id[PSEUDONYM_LEN], enum stage stage,
	 struct stage_entry *ret)
{
	struct stage_entry w;
	int r, rw;

	r = outbox_stage_next(t, case_id, stage, touched, in->dry, ret);
	if (r != 0 && r != -ENOENT)
		return r;
	rw = dryrun_stage_first(in->dry, case_id, stage, &w);
	if (rw == 0 && (r != 0 || w.date < ret->date ||
			(w.date == ret->date && w.seq < ret->seq))) {
		*ret = w;
		r = 0;
	}
	return r;
}

/* The entry of (case_id, stage) as this request sees it: 0 or -ENOENT
 * (a damaged entry reads as none: a warning is not worth a refusal). A
 * dry run writes the entry of every stage it takes a record of (see
 * intake_stage_take): one it did not is the outbox's, or, when the
 * consolidator refused its holder, the next that counts (dry_next). */
static int
view_get(struct outbox_txn *t, struct intake *in,
	 const uint8_t case_id[PSEUDONYM_LEN], enum stage stage,
	 struct stage_entry *ret)
{
	int r;

	if (in->dry == NULL)
		return outbox_stage_get(t, case_id, stage, ret) == 0 ? 0
								     : -ENOENT;
	r = dryrun_stage_get(in->dry, case_id, stage, ret);
	if (r != -ENOENT)
		return r == 0 ? 0 : -ENOENT;
	if (outbox_stage_held(t, case_id, stage, ret) != 0)
		return -ENOENT;
	if (counts(t, ret) && !dryrun_stage_touched(in->dry, ret->seq))
		return 0;
	return dry_next(t, in, case_id, stage, ret) == 0 ? 0 : -ENOENT;
}

/* The case and stage record seq holds: 0 or -ENOENT. */
static int
view_of(struct outbox_txn *t, struct intake *in, uint64_t seq,
	uint8_t case_id[PSEUDONYM_LEN], enum stage *ret)
{
	int r;

	if (in->dry != NULL) {
		r = dryrun_stage_of(in->dry, seq, case_id, ret, NULL);
		if (r != -ENOENT)
			return r == 0 ? 0 : -ENOENT;
	}
	return outbox_stage_of(t, seq, case_id, ret) == 0 ? 0 : -ENOENT;
}

int
intake_stage_drop(struct outbox_txn *t, struct intake *in, uint64_t seq)
{
	struct stage_entry e;
	uint8_t case_id[PSEUDONYM_LEN];
	enum stage stage;
	bool held;
	int r;

	if (in->dry == NULL)
		return outbox_stage_del(t, seq);
	/* As outbox_stage_del, in the run's own view: a holder dropped
	 * gives its entry to the next record that counts. */
	if (view_of(t, in, seq, case_id, &stage) != 0)
		return 0;
	held = view_get(t, in, case_id, stage, &e) == 0 && e.seq == seq;
	r = dryrun_stage_of_set(in->dry, seq, NULL, STAGE_NONE, NULL);
	if (r != 0 || !held)
		return r;
	r = dry_next(t, in, case_id, stage, &e);
	if (r != 0 && r != -ENOENT)
		return r;
	return dryrun_stage_set(in->dry, case_id, stage, r == 0 ? &e : NULL);
}

/* Where a stage stands in a case's course: the three ends are one. */
static int
rank(enum stage s)
{
	return s > STAGE_TRIAL ? STAGE_TRIAL + 1 : (int)s;
}

/*
 * Whether a dismissal dated before stage later may be right as sent: a
 * case reopened after its dismissal (an archived investigation taken up
 * again, a dismissal revoked on appeal) reaches later stages after it.
 * Not a complaint, which opens the case. The longest warning saying so
 * (preliminary_investigation and a 64-character ref) is 289 characters:
 * res->warning holds 319.
 */
static bool
reopened(enum stage earlier, enum stage later)
{
	return earlier == STAGE_DISMISSAL && later != STAGE_COMPLAINT &&
	       later != STAGE_DISMISSAL;
}

/* The record's stage against the case's other stages held: res->warning
 * for the first out of order. */
static void
warn_order(struct outbox_txn *t, struct intake *in, uint64_t seq,
	   const struct record *rec, struct line_result *res)
{
	struct stage_entry e;
	const char *ref;
	char d[11], od[11];
	int st;

	for (st = STAGE_COMPLAINT; st <= STAGE_COUNT; st++) {
		bool before, paired, reopen;
		if ((enum stage)st == rec->stage ||
		    rank(st) == rank(rec->stage))
			continue;
		if (view_get(t, in, rec->case_id, (enum stage)st, &e) != 0 ||
		    e.seq == seq || !counts(t, &e))
			continue;
		before = rank(st) < rank(rec->stage);
		if (before ? e.date <= rec->date : e.date >= rec->date)
			continue;
		/* Durations are of the main line's consecutive stages. */
		paired =
		    st <= STAGE_MAIN_LAST && rec->stage <= STAGE_MAIN_LAST &&
		    (st == (int)rec->stage + 1 || st + 1 == (int)rec->stage);
		/* The earlier dated of the two a dismissal: maybe no
		 * mistake, and the officer told "check the dates" of a
		 * reopened case would find them right and wonder. */
		reopen = before ? reopened(rec->stage, (enum stage)st)
				: reopened((enum stage)st, rec->stage);
		ref = shown_ref(t, &e);
		snprintf(res->warning, sizeof(res->warning),
			 "stage %s dated %s is %s this case's %s (%s%s%s%s): "
			 "%s; check the dates%s",
			 stage_name(rec->stage), date_format(rec->date, d),
			 before ? "before" : "after",
			 stage_name((enum stage)st), date_format(e.date, od),
			 ref[0] != '\0' ? " ref " : "", ref,
			 ref[0] != '\0' ? "" : ref_missing(t, in, &e),
			 paired ? "the days between them will read negative"
				: "a case's stages come in their order",
			 reopen ? " (right as sent if the case was reopened "
				  "after its dismissal: both count)"
				: "");
		return;
	}
}

/* Whether record seq of rec counts before the holder of e, as the
 * consolidator orders them (stats_contrib.c earlier(): the earliest
 * dated; of one day, the first sent, a corrected record keeping its
 * sequence). */
static bool
before(uint64_t seq, const struct record *rec, const struct stage_entry *e)
{
	return rec->date < e->date || (rec->date == e->date && seq < e->seq);
}

/* held_name's longest: "ref " and a ref, or REF_UNCHECKED (REF_WITHHELD
 * and REF_UNKNOWN are shorter), " seq " and a seq's 20 digits. */
#define HELD_NAME_LEN                                                          \
	(sizeof("ref ") - 1 + sizeof(((struct stage_entry *)0)->ref) +         \
	 sizeof(" seq ") - 1 + 20 + sizeof(REF_UNCHECKED))

/*
 * held_name - the held record of e as warn_repeat names it, into buf:
 * "ref R seq N", or "seq N" and why not its ref (ref_missing: an outbox
 * rebuilt by --recover has no ref for what it took back from the
 * consolidator, or the ref may hold an identity: say which, where
 * "ref  seq 7" said nothing). Returns buf.
 */
static const char *
held_name(struct outbox_txn *t, struct intake *in, const struct stage_entry *e,
	  char buf[HELD_NAME_LEN])
{
	if (shown_ref(t, e)[0] != '\0')
		snprintf(buf, HELD_NAME_LEN, "ref %s seq %llu", e->ref,
			 (unsigned long long)e->seq);
	else
		snprintf(buf, HELD_NAME_LEN, "seq %llu%s",
			 (unsigned long long)e->seq, ref_missing(t, in, e));
	return buf;
}

/*
 * The record repeats a stage held: a stage counts once per case, by its
 * earliest-dated record (the first sent on the same day), so which of
 * the two counts depends on their dates. The longest text (a 64-character
 * ref and a 20-digit seq, preliminary_investigation, the same day and
 * sent before it) is 307 characters: res->warning holds 319.
 */
static void
warn_repeat(struct outbox_txn *t, struct intake *in, uint64_t seq,
	    const struct record *rec, const struct stage_entry *held,
	    struct line_result *res)
{
	char hd[11], name[HELD_NAME_LEN];

	if (!before(seq, rec, held))
		snprintf(res->warning, sizeof(res->warning),
			 "case stage %s already held for this case (%s): a "
			 "second record counts for nothing; to change the "
			 "first send a correction with target_ref %s",
			 stage_name(rec->stage), held_name(t, in, held, name),
			 shown_ref(t, held)[0] != '\0' ? held->ref : "its ref");
	else
		snprintf(res->warning, sizeof(res->warning),
			 "case stage %s already held for this case (%s): this "
			 "record dated %s (%s)%s counts in its place (a stage "
			 "counts by its earliest record); withdraw the wrong "
			 "one",
			 stage_name(rec->stage), held_name(t, in, held, name),
			 rec->date < held->date ? "before it" : "the same day",
			 date_format(held->date, hd),
			 rec->date < held->date ? "" : " and sent before it");
}

int
intake_stage_take(struct outbox_txn *t, struct intake *in, uint64_t seq,
		  const struct record *rec, const char *ref, bool correction,
		  bool warn, struct line_result *res)
{
	struct stage_entry e, held;
	uint8_t case_id[PSEUDONYM_LEN];
	enum stage stage;
	char cref[RECORD_MAX_REF + 1];
	bool taken, repeat;
	int r;

	if (rec->kind != KIND_CASE_STAGE)
		return correction ? intake_stage_drop(t, in, seq) : 0;
	if (ref == NULL) {
		/* The record's ref: the one its entry keeps, or its
		 * envelope's. */
		cref[0] = '\0';
		if (view_of(t, in, seq, case_id, &stage) == 0 &&
		    view_get(t, in, case_id, stage, &held) == 0 &&
		    held.seq == seq)
			snprintf(cref, sizeof(cref), "%s", held.ref);
		else if (outbox_seq_ref(t, seq, cref, sizeof(cref)) != 0)
			cref[0] = '\0';
		ref = cref;
	}
	if (correction && (r = intake_stage_drop(t, in, seq)) != 0)
		return r;
	memset(&e, 0, sizeof(e));
	e.seq = seq;
	e.date = rec->date;
	/* Not kept where it may hold an identity: named as one unknown. */
	snprintf(e.ref, sizeof(e.ref), "%s",
		 outbox_ref_may_hold_identity(ref) ? "" : ref);
	/* The holder that counts before this record is one of them (a
	 * dead letter's entry goes to the next: outbox_stage_get). */
	taken = view_get(t, in, rec->case_id, rec->stage, &held) == 0 &&
		counts(t, &held);
	/* Every live record of the stage, for the next to take its entry
	 * when its holder goes. */
	if (in->dry == NULL)
		r = outbox_stage_add(t, rec->case_id, rec->stage, rec->date,
				     seq);
	else
		r = dryrun_stage_of_set(in->dry, seq, rec->case_id, rec->stage,
					&e);
	if (r != 0)
		return r;
	repeat = taken && held.seq != seq;
	if (repeat && warn)
		warn_repeat(t, in, seq, rec, &held, res);
	/* The entry is the record the consolidator counts: the earliest
	 * dated (of one day, the first sent), so one before it takes it,
	 * and a third record is judged against that one. A dry run writes
	 * the entry it keeps too, so that view_get need not look for the
	 * records it took of the stage. */
	if (taken && (!repeat || !before(seq, rec, &held)))
		return in->dry == NULL ? 0
				       : dryrun_stage_set(in->dry, rec->case_id,
							  rec->stage, &held);
	if (in->dry == NULL)
		r = outbox_stage_put(t, rec->case_id, rec->stage, &e);
	else
		r = dryrun_stage_set(in->dry, rec->case_id, rec->stage, &e);
	if (r == 0 && warn && !repeat)
		warn_order(t, in, seq, rec, res);
	return r;
}
