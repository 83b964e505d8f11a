/*
 * recover_report.c - what kuska-node --recover says of what it did, and
 * its refusal of a recovery that would take a thief's envelopes for this
 * node's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "recover_int.h"

#define KEY_NAME_LEN sizeof("this node's earlier key 0123456789abcdef")

/*
 * How a key of this node's is named to the operator: by its fingerprint
 * (the fingerprint line of its .pub, which the registry names), and as
 * the key it signs with now or an earlier one of [node] previous_keys.
 * After a rotation a thief's envelopes are the earlier key's, and that
 * is the one to revoke. Returns out.
 */
static const char *
key_name(const struct rec *r, const uint8_t key_id[KEY_ID_LEN],
	 char out[KEY_NAME_LEN])
{
	char fp[17];
	bool now = memcmp(key_id, r->p->key->key_id, KEY_ID_LEN) == 0;

	snprintf(out, KEY_NAME_LEN, "this node's %skey %s",
		 now ? "" : "earlier ", log_hex8(key_id, fp));
	return out;
}

/*
 * What revoking key_id leaves to do when it is the key this node signs
 * with now, a step between the revocation and the reload: a new key, as
 * the consolidator turns a revoked key away, the next --recover's too
 * (which then says it refused this node's key), and refuses its events.
 * "" for an earlier key. Ends with ", ", before "reload the consolidator".
 */
static const char *
rotation_note(const struct rec *r, const uint8_t key_id[KEY_ID_LEN])
{
	if (memcmp(key_id, r->p->key->key_id, KEY_ID_LEN) != 0)
		return "";
	return "give this node a new key, as it signs with that one now (a "
	       "rotation, OPERATIONS.md section 6: the consolidator turns a "
	       "revoked key away, --recover's too, \"the consolidator at ... "
	       "refused this node's key\", and refuses its next events), ";
}

/*
 * Whether an envelope handed back at seq, signed with key_id, that this
 * outbox did not sign is certainly not this node's: the outbox holds
 * other bytes at its sequence, or it is past the outbox's end and signed
 * with an earlier key while the outbox's last envelope is signed with the
 * key this node signs with now (it never goes back to an earlier one).
 * Else one past the end may be this node's own, signed after the backup
 * the outbox was restored from (or before it was replaced), with either
 * of its keys.
 */
static bool
not_own(const struct rec *r, uint64_t seq, const uint8_t key_id[KEY_ID_LEN])
{
	return seq < r->old_next ||
	       (r->old_last_now &&
		memcmp(key_id, r->p->key->key_id, KEY_ID_LEN) != 0);
}

/* Whether it is past the outbox's end that not_own judged it by key. */
static bool
not_own_by_key(const struct rec *r, uint64_t seq,
	       const uint8_t key_id[KEY_ID_LEN])
{
	return seq >= r->old_next && not_own(r, seq, key_id);
}

bool
rec_first_other_certain(const struct rec *r)
{
	return r->n.other > 0 && not_own(r, r->n.first_other, r->n.other_key);
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
	bool certain = rec_first_other_certain(r);
	bool by_key = not_own_by_key(r, r->n.first_other, r->n.other_key);
	bool mixed = r->n.other_mixed;
	char key[KEY_NAME_LEN];

	if (r->n.other == 0)
		return;
	key_name(r, r->n.other_key, key);
	if (r->n.revoked == 0) {
		/* What happened, whose they may be, then what to do, in
		 * the order it is done. */
		fprintf(out,
			"%llu envelopes it holds are signed with %s but not "
			"by this outbox (it holds others at their sequences, "
			"or never reached them), the first at sequence "
			"%llu%s%s: kept as this node's. ",
			(unsigned long long)r->n.other,
			mixed ? "this node's keys" : key, first,
			mixed ? " with " : "", mixed ? key : "");
		if (by_key)
			fprintf(out,
				"Yet the first is not its own (past this "
				"outbox's end and signed with an earlier key "
				"than its last envelope: a node never goes "
				"back to an earlier key): a thief's, with its "
				"stolen key. ");
		else
			fprintf(out,
				"They are its own if this outbox was restored "
				"from a backup or replaced; if it was neither, "
				"a thief's, with its stolen key%s. If a "
				"thief's, ",
				certain
				    ? ""
				    : " (if it was restored and the key "
				      "stolen too, the thief's first may "
				      "be later: the revocation that "
				      "follows then refuses this node's own "
				      "before it too, sent again when the "
				      "exports since the backup are "
				      "resubmitted)");
		fprintf(out,
			"%svoke %s (the registry's [key] whose .pub has that "
			"fingerprint) with revoked_after_seq = %llu, %sreload "
			"the consolidator and run --recover again "
			"(OPERATIONS.md section 6)\n",
			by_key ? "Re" : "re", key, first - 1,
			rotation_note(r, r->n.other_key));
		return;
	}
	if (certain)
		fprintf(out,
			"%llu envelopes it holds are not this outbox's, the "
			"first at sequence %llu%s: the thief's first, so "
			"revoked_after_seq = %llu on %s leaves none of the "
			"thief's counted",
			(unsigned long long)r->n.other, first,
			by_key ? " (past its end, signed with an earlier key "
				 "than its last envelope: not this node's)"
			       : "",
			first - 1, key);
	else
		fprintf(
		    out,
		    "%llu envelopes it holds are not this outbox's, all "
		    "past its end (its last sequence is %llu), the first "
		    "at sequence %llu, signed with %s: the thief's first, or "
		    "this node's own delivered after the backup this "
		    "outbox was restored from (then the thief's first is "
		    "later)",
		    (unsigned long long)r->n.other,
		    (unsigned long long)(r->old_next - 1), first, key);
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

/*
 * This outbox ends before the consolidator's copy: said with what is
 * known of the envelopes past its end (what, ended by "; " or ", "), and
 * what to resubmit if it was restored from a backup.
 */
static void
report_behind(const struct rec *r, const char *what, FILE *out)
{
	fprintf(out,
		"this outbox ends at sequence %llu, before the consolidator's "
		"copy (at %llu)%sthe records taken after it and never "
		"delivered are in neither: resubmit the case system's exports "
		"made since that backup\n",
		(unsigned long long)(r->old_next - 1),
		(unsigned long long)r->cons_last, what);
}

void
rec_report(struct rec *r, uint64_t dropped, const char *moved, FILE *out)
{
	/* An outbox restored from a backup, as OPERATIONS.md section 7 does
	 * it, and nothing certainly a thief's: said first, before what may
	 * be a theft, which the operator of a restore reads in its light. */
	bool restored = !r->foreign && !r->old_unreadable && r->behind &&
			!rec_first_other_certain(r);

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
	if (restored)
		report_behind(r, ": an older copy of it, such as a backup; ",
			      out);
	/* Never of the key this node signs with now: the consolidator turns
	 * a revoked key away, this recovery's too (rec_greet). */
	if (r->n.revoked > 0) {
		char key[KEY_NAME_LEN];

		fprintf(
		    out,
		    "%llu of them signed with a key revoked before them, "
		    "the first at sequence %llu, signed with %s (a thief's, "
		    "or this node's own delivered after the thief's, or "
		    "after the backup a restored outbox came from): kept as "
		    "refused, their refs not taken as this node's; "
		    "resubmit the case system's exports made since the "
		    "theft, whose records are then sent anew (OPERATIONS.md "
		    "section 6)\n",
		    (unsigned long long)r->n.revoked,
		    (unsigned long long)r->n.first_revoked,
		    key_name(r, r->n.revoked_key, key));
	}
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
	else if (r->behind && r->n.other > 0 &&
		 not_own_by_key(r, r->n.first_other, r->n.other_key))
		report_behind(r,
			      ", whose envelopes past it are not this node's "
			      "(above): nothing this outbox holds is lost; if "
			      "it was restored from a backup, ",
			      out);
	else if (!restored && !r->consistent && r->had_old)
		fprintf(out,
			"this outbox did not agree with the consolidator's "
			"copy: the records it took that the consolidator "
			"never received are not kept; resubmit the case "
			"system's exports made since its last backup\n");
	else if (!restored && dropped > 0)
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
 * outbox did not sign. When the first of those not handed back revoked
 * is certainly not this node's (not_own: other bytes at its sequence, or
 * past the outbox's end with an earlier key than its last envelope's),
 * the revocation's sequence is past the
 * thief's first, named with the key that signed it (the one to revoke:
 * one handed back revoked before it may be another key's, revoked
 * already, such as a thief's with both the earlier key and the one that
 * replaced it: then it is not "too late" a revocation that names another
 * key). Otherwise, past this outbox's end, they cannot be told from this
 * node's own delivered
 * after the backup it was restored from: that is said, and what revoking
 * before them costs. Returns 0, or -EKEYREJECTED said.
 */
int
rec_judge_revocation(struct rec *r)
{
	unsigned long long end = r->old_next;
	char key[KEY_NAME_LEN], accepted[KEY_NAME_LEN];
	bool same =
	    memcmp(r->n.unrevoked_key, r->n.revoked_key, KEY_ID_LEN) == 0;

	if (r->n.revoked == 0 || r->n.other_accepted == 0)
		return 0;
	r->said = true;
	key_name(r, r->n.unrevoked_key, key);
	key_name(r, r->n.other_accepted_key, accepted);
	if (not_own(r, r->n.first_unrevoked, r->n.unrevoked_key)) {
		fprintf(stderr,
			"kuska-node: the consolidator holds as accepted, at "
			"sequence %llu, an envelope signed with %s that this "
			"outbox did not sign, while it hands back %llu as "
			"signed by a key revoked before them: %s, and the "
			"thief's envelopes would be taken for this node's. "
			"The first this outbox did not sign%s is at sequence "
			"%llu, signed with %s: revoke that key (the "
			"registry's [key] whose .pub has that fingerprint) "
			"with revoked_after_seq = %llu (or lower), %sreload "
			"the consolidator and run --recover again "
			"(OPERATIONS.md section 6): nothing is stored (the "
			"outbox is unchanged)\n",
			(unsigned long long)r->n.first_other_accepted, accepted,
			(unsigned long long)r->n.revoked,
			same ? "the revocation comes too late"
			     : "another of this node's keys signed envelopes "
			       "it does not hand back revoked",
			r->n.first_unrevoked != r->n.first_other
			    ? " and not handed back revoked"
			    : "",
			(unsigned long long)r->n.first_unrevoked, key,
			(unsigned long long)(r->n.first_unrevoked - 1),
			rotation_note(r, r->n.unrevoked_key));
		return -EKEYREJECTED;
	}
	fprintf(stderr,
		"kuska-node: the consolidator holds as accepted envelopes "
		"signed with %s%s%s that this outbox did not sign, "
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
		"of them is a thief's, or you cannot tell: revoke %s (the "
		"registry's [key] whose .pub has that fingerprint) with "
		"revoked_after_seq = %llu, which revokes all of "
		"%llu-%llu%s: those that are this node's own are then handed "
		"back refused and sent again when the exports since the "
		"backup are resubmitted, counted once; %sreload the "
		"consolidator and run --recover again. If all of them are "
		"this node's own, the revocation stands: move %s/data.mdb "
		"aside (it does not agree with the consolidator's copy: "
		"nothing of it would be kept) and run --recover again, which "
		"then takes them as this node's (OPERATIONS.md section 6): "
		"nothing is stored (the outbox is unchanged)\n",
		r->n.other_accepted_mixed ? "this node's keys (the first with "
					  : "",
		accepted, r->n.other_accepted_mixed ? ")" : "",
		(unsigned long long)r->n.first_other_accepted,
		(unsigned long long)r->n.last_other_accepted, end - 1,
		(unsigned long long)r->n.revoked, accepted, end - 1, end,
		(unsigned long long)r->n.last_other_accepted,
		r->n.other_accepted_mixed ? " signed with that key" : "",
		rotation_note(r, r->n.other_accepted_key), r->p->dir);
	return -EKEYREJECTED;
}
