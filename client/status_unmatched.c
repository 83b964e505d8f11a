/* status_unmatched.c - kuska status's unmatched take-ups; see
 * status_unmatched.h. */
#include "status_unmatched.h"

#include <stddef.h>

#include "date.h"
#include "log.h"
#include "status_backlog.h"

bool
status_unmatched_stale(const struct node_status *s, uint64_t asked_ms)
{
	if (!s->has_unmatched || !s->unmatched_asking)
		return false;
	return s->unmatched_ms + STATUS_UNMATCHED_FRESH_MS < asked_ms;
}

/* The quarter a day is in, "2026Q1". */
static const char *
quarter(int32_t days, char out[16])
{
	unsigned m, d;
	int y;

	date_to_ymd(days, &y, &m, &d);
	snprintf(out, 16, "%dQ%u", y, (m - 1) / 3 + 1);
	return out;
}

void
status_unmatched_print(FILE *out, const struct node_status *s)
{
	char a[32], day[11], q[16], e[4 * 64 + 1];
	size_t i;

	if (!s->has_unmatched)
		return; /* an older node */
	if (s->unmatched_unsaid) {
		fprintf(out, "  unmatched take-ups:     not known (the "
			     "consolidator does not say them: older than "
			     "this node, or its counts not loaded)\n");
		return;
	}
	if (s->unmatched_ms == 0) {
		fprintf(out, "  unmatched take-ups:     not known yet (the "
			     "consolidator has not said them since the node "
			     "started)\n");
		return;
	}
	fprintf(out,
		"  unmatched take-ups:     %llu (no referral record of their "
		"sender matches them, as the consolidator said %s)\n",
		(unsigned long long)s->unmatched_total,
		status_ago(s->unmatched_ms, s->now_ms, a, sizeof(a)));
	/* A ref the node withholds (one that may hold an identity, stored
	 * before refs were checked) comes empty, as a dead letter's. */
	for (i = 0; i < s->n_unmatched; i++) {
		const struct unmatched *u = &s->unmatched[i];
		fprintf(out,
			"    seq %llu %s%s: from %s, taken up %s, counted in "
			"%s\n",
			(unsigned long long)u->seq,
			u->ref[0] != '\0' ? "ref " : "(its ref not shown)",
			log_escape(u->ref, e, sizeof(e)),
			institution_name(u->from) ? institution_name(u->from)
						  : "?",
			date_format(u->date, day), quarter(u->counted_date, q));
	}
	if (s->unmatched_total > s->n_unmatched)
		fprintf(
		    out, "    (%llu more, later)\n",
		    (unsigned long long)(s->unmatched_total - s->n_unmatched));
	if (s->unmatched_total > 0)
		fprintf(out, "    each counts in referrals_unmatched, not as "
			     "taken up, until its sender's referral of the "
			     "same number arrives (docs/INPUT.md)\n");
}
