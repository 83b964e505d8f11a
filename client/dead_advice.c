/*
 * dead_advice.c - what kuska status says to do of the dead letters it
 * lists; see dead_advice.h.
 */
#include "dead_advice.h"

#include <stdbool.h>

/*
 * What to do of the listed dead letters, under their warning, by their
 * reasons, in docs/INPUT.md section 9's words: one refused for its
 * content is mended under a new ref (its line sent again is only
 * "already held"); bad_target and too_large are said what kuska submit
 * says of them; one refused for the node's key, network or envelope is
 * the operators' to take again (sent anew it would count twice).
 */
void
dead_advice_print(FILE *out, const struct node_status *s)
{
	bool content = false, other = false, target = false, large = false;
	size_t i;

	for (i = 0; i < s->n_dead; i++)
		switch (s->dead[i].reason) {
		case REASON_BAD_EVENT:
		case REASON_KIND_NOT_ALLOWED:
		case REASON_STAGE_NOT_ALLOWED:
			content = true;
			break;
		case REASON_BAD_TARGET:
			target = true;
			break;
		case REASON_TOO_LARGE:
			large = true;
			break;
		default:
			other = true;
			break;
		}
	if (content)
		fprintf(out,
			"    (a record refused for its content counts "
			"nowhere, and a correction or withdrawal so refused "
			"leaves the record counting as it was; its line sent "
			"again is only \"already held\": mend it and send it "
			"under a new ref, a record as a new record, a "
			"correction as a correction naming the original "
			"record or a withdrawal, a withdrawal again; "
			"docs/INPUT.md section 9)\n");
	/* As kuska submit refuses a correction or withdrawal of a dead
	 * letter: the consolidator, which does not hold its target (most
	 * often one it refused), took nothing of it. */
	if (target)
		fprintf(out,
			"    (a correction or withdrawal refused "
			"bad_target names a record the consolidator does not "
			"hold: it changed nothing; that record counts nowhere: "
			"fix it and send it as a new record with a new ref; "
			"docs/INPUT.md section 9)\n");
	/* The consolidator's cap on one child's or case's records
	 * (OPERATIONS.md section 4): mended in the case system, or by the
	 * operators where the history is real. */
	if (large)
		fprintf(out,
			"    (one refused too_large would give its child "
			"or case more records than the consolidator takes: a "
			"record so refused counts nowhere and a correction "
			"leaves the record counting as it was; look for a case "
			"system sending one record again and again under new "
			"refs and withdraw the copies; a real history is "
			"the operators' to take again once the cap is raised, "
			"--refetch: docs/OPERATIONS.md section 4)\n");
	if (other)
		fprintf(out,
			"    (one refused for the node's key, network or "
			"envelope, not its content: ask the operators to take "
			"it again, --refetch; sent anew it would count twice: "
			"docs/INPUT.md section 9)\n");
}
