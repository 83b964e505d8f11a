/* status_epochs.c - kuska status's older key epochs; see status_epochs.h. */
#include "status_epochs.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether s's dead letters may hold a record's content the consolidator
 * refused for that content (bad_event, a kind or stage not allowed):
 * one listed, or more held than listed. What an older node, which does
 * not count the records so held, lets status tell.
 */
static bool
dead_for_content(const struct node_status *s)
{
	size_t i;

	if (s->dead_total > s->n_dead)
		return true;
	for (i = 0; i < s->n_dead; i++)
		if (s->dead[i].reason == REASON_BAD_EVENT ||
		    s->dead[i].reason == REASON_KIND_NOT_ALLOWED ||
		    s->dead[i].reason == REASON_STAGE_NOT_ALLOWED)
			return true;
	return false;
}

/*
 * The live records the node holds under key epochs older than its own:
 * after a rotation, those its institution has not sent again (re-keyed)
 * nor withdrawn. Nothing when there are none. Not a warning (the exit
 * code stays): they are what a rotation in progress holds. Below an
 * epoch holding records whose correction the consolidator refused for
 * its content (the node counts them), that sending again leaves those
 * there (their lines are held, not re-keyed: docs/OPERATIONS.md section
 * 9), and what to do instead: "send them again" alone would send the
 * officer round in circles. An older node does not count them (nor
 * leaves out a record refused for its content when first sent): below
 * them all, while a dead letter refused for its content may be held,
 * what such a node's records may be. The node lists the newest epochs
 * only: the older ones it left out are counted, or their keys would seem
 * free to destroy.
 */
void
status_epochs_print(FILE *out, const struct node_status *s)
{
	size_t i;

	if (s->old_epochs_unknown)
		fprintf(out, "  records under older key epochs: not known (the "
			     "node could not count them: its log says why)\n");
	if (s->old_epochs_more > 0)
		fprintf(out,
			"  records under %u more key %s, older than those "
			"below (not listed: send them again or withdraw them "
			"before destroying %s keys)\n",
			(unsigned)s->old_epochs_more,
			s->old_epochs_more == 1 ? "epoch" : "epochs",
			s->old_epochs_more == 1 ? "that epoch's"
						: "those epochs'");
	for (i = 0; i < s->n_old_epochs; i++) {
		fprintf(out,
			"  records under key epoch %u: %llu (send them again "
			"or withdraw them before destroying epoch %u's keys; "
			"docs/INPUT.md section 7)\n",
			(unsigned)s->old_epoch[i],
			(unsigned long long)s->old_epoch_records[i],
			(unsigned)s->old_epoch[i]);
		if (s->old_epoch_held[i] > 0)
			fprintf(out,
				"    (sending them again does not re-key %llu "
				"of them whose correction the consolidator "
				"refused for its content, a dead letter: each "
				"stays here until corrected anew under a new "
				"ref, or withdrawn; docs/OPERATIONS.md section "
				"9)\n",
				(unsigned long long)s->old_epoch_held[i]);
	}
	if (s->n_old_epochs > 0 && !s->has_old_epoch_held &&
	    dead_for_content(s))
		fprintf(
		    out,
		    "    (an older node: sending them again does not "
		    "re-key a record whose correction the consolidator "
		    "refused for its content, a dead letter above: it "
		    "stays here until corrected anew under a new ref, or "
		    "withdrawn; nor a record refused for its content when "
		    "first sent, which counts nowhere and stays here for "
		    "good: send it anew under a new ref; docs/OPERATIONS.md "
		    "section 9)\n");
}
