/*
 * submissions.c - the counts of the node's last submissions for kuska
 * status; see submissions.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "submissions.h"

/* Whether req goes on with the last submission rather than starting one. */
static bool
continues(const struct submissions *s, const struct control *req)
{
	if (s->n == 0)
		return false;
	if (req->run != 0 || s->run != 0)
		return req->run == s->run;
	return strcmp(req->source, s->source) == 0 &&
	       req->first_line >= s->next_line;
}

/* One line's result into c, as kuska submit's summary counts it. */
static void
count_line(struct submit_counts *c, const struct line_result *res)
{
	switch (res->status) {
	case LINE_ACCEPTED:
		c->accepted++;
		break;
	case LINE_HELD:
		c->held++;
		break;
	case LINE_REKEYED:
		c->rekeyed++;
		break;
	case LINE_REFUSED:
		c->refused++;
		break;
	default:
		break;
	}
	if (line_warns_unlinkable(res))
		c->unlinkable++;
}

void
submissions_note(struct submissions *s, const struct control *req,
		 const struct control *rep, uint64_t now_ms)
{
	size_t i;

	if (!continues(s, req)) {
		s->n++;
		s->run = req->run;
		memset(&s->last, 0, sizeof(s->last));
		s->first_refused_line = 0;
		s->first_refused_field[0] = '\0';
	}
	snprintf(s->source, sizeof(s->source), "%s", req->source);
	s->next_line = req->first_line + rep->n_results;
	s->last_ms = now_ms;
	for (i = 0; i < rep->n_results; i++) {
		const struct line_result *res = &rep->results[i];
		count_line(&s->last, res);
		count_line(&s->total, res);
		if (res->status == LINE_REFUSED && s->first_refused_line == 0) {
			s->first_refused_line = res->line;
			/* An unknown key is the case system's, not the
			 * format's: status, read more widely than submit's
			 * report, does not repeat it. */
			snprintf(s->first_refused_field,
				 sizeof(s->first_refused_field), "%s",
				 strncmp(res->reason, RECORD_UNKNOWN_FIELD,
					 strlen(RECORD_UNKNOWN_FIELD)) == 0
				     ? "an unknown field"
				     : res->field);
		}
	}
}

void
submissions_fill(const struct submissions *s, struct node_status *out)
{
	out->has_submissions = true;
	out->submissions = s->n;
	out->last_submission_ms = s->last_ms;
	out->last_submission = s->last;
	out->submitted_total = s->total;
	out->first_refused_line = s->first_refused_line;
	snprintf(out->first_refused_field, sizeof(out->first_refused_field),
		 "%s", s->first_refused_field);
}
