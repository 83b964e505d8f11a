/*
 * submissions.c - the counts of the node's last submissions for kuska
 * status; see submissions.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "record.h"
#include "submissions.h"

/* The journal's line of sub, which is over (why: what ended it), once,
 * within s's budget. */
static void
end(struct submissions *s, struct submission *sub, const char *why)
{
	if (sub->seq == 0 || sub->ended)
		return;
	sub->ended = true;
	log_info_budget(
	    &s->log,
	    "event=submission accepted=%llu already_held=%llu "
	    "rekeyed=%llu refused=%llu unlinkable=%llu requests=%llu "
	    "seconds=%llu ended=%s",
	    (unsigned long long)sub->counts.accepted,
	    (unsigned long long)sub->counts.held,
	    (unsigned long long)sub->counts.rekeyed,
	    (unsigned long long)sub->counts.refused,
	    (unsigned long long)sub->counts.unlinkable,
	    (unsigned long long)sub->requests,
	    (unsigned long long)(sub->last_ms > sub->first_ms
				     ? (sub->last_ms - sub->first_ms) / 1000
				     : 0),
	    why);
	/* Records the node took before it refused such refs: the refs
	 * stay on its disk until the records are withdrawn. A budget of
	 * its own: event=submission's, spent by any run (all its lines
	 * refused, say), would hold it back. */
	if (sub->ref_identity > 0)
		log_warnx_budget(
		    &s->ref_log,
		    "event=ref_identity_held count=%llu hint=\"refs that "
		    "hold a victim's identity: withdraw those records and "
		    "send them again under a record key (INPUT.md section "
		    "7)\"",
		    (unsigned long long)sub->ref_identity);
}

/*
 * The slot of s that req goes on with, or NULL when req starts a
 * submission: its run's, when it names one; for an older client's, the
 * last one noted, when that too is an older client's, of the same source,
 * and req starts after its lines.
 */
static struct submission *
continued(struct submissions *s, const struct control *req)
{
	struct submission *last = &s->runs[s->last];
	size_t i;

	if (s->n == 0)
		return NULL;
	if (req->run != 0) {
		for (i = 0; i < SUBMISSIONS_RUNS; i++)
			if (s->runs[i].seq != 0 && !s->runs[i].ended &&
			    s->runs[i].run == req->run)
				return &s->runs[i];
		return NULL;
	}
	if (last->run == 0 && !last->ended &&
	    strcmp(req->source, last->source) == 0 &&
	    req->first_line >= last->next_line)
		return last;
	return NULL;
}

/* The slot a new submission takes: an unused one, else the ended one
 * whose last request is the oldest, else the one whose last request is
 * the oldest (ended now: a run is evicted only when every slot goes on). */
static struct submission *
fresh(struct submissions *s)
{
	struct submission *old = &s->runs[0], *done = NULL;
	size_t i;

	for (i = 0; i < SUBMISSIONS_RUNS; i++) {
		if (s->runs[i].seq == 0)
			return &s->runs[i];
		if (s->runs[i].seq < old->seq)
			old = &s->runs[i];
		if (s->runs[i].ended &&
		    (done == NULL || s->runs[i].seq < done->seq))
			done = &s->runs[i];
	}
	if (done != NULL)
		return done;
	end(s, old, "evicted");
	return old;
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

/*
 * A file's name without its directories, for status: read by whoever
 * watches the node, where a path as typed (/home/maria/casos/...) says
 * more of the officer's disk than the name the --report rows carry.
 */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

void
submissions_note(struct submissions *s, const struct control *req,
		 const struct control *rep, uint64_t now_ms, uint64_t mono)
{
	struct submission *sub = continued(s, req);
	size_t i;

	if (sub == NULL) {
		sub = fresh(s);
		memset(sub, 0, sizeof(*sub));
		sub->run = req->run;
		sub->first_ms = now_ms;
		s->n++;
	}
	sub->seq = ++s->seq;
	sub->requests++;
	sub->last_mono = mono;
	s->last = (size_t)(sub - s->runs);
	snprintf(sub->source, sizeof(sub->source), "%s", req->source);
	sub->next_line = req->first_line + rep->n_results;
	sub->last_ms = now_ms;
	for (i = 0; i < rep->n_results; i++) {
		const struct line_result *res = &rep->results[i];
		count_line(&sub->counts, res);
		count_line(&s->total, res);
		if (line_warns_ref(res))
			sub->ref_identity++;
		if (res->status == LINE_REFUSED &&
		    sub->first_refused_line == 0) {
			sub->first_refused_line = res->line;
			snprintf(sub->first_refused_source,
				 sizeof(sub->first_refused_source), "%s",
				 base_name(req->source));
			/* An unknown key is the case system's, not the
			 * format's: status, read more widely than submit's
			 * report, does not repeat it. */
			snprintf(sub->first_refused_field,
				 sizeof(sub->first_refused_field), "%s",
				 strncmp(res->reason, RECORD_UNKNOWN_FIELD,
					 strlen(RECORD_UNKNOWN_FIELD)) == 0
				     ? "an unknown field"
				     : res->field);
		}
	}
}

void
submissions_end(struct submissions *s, uint64_t run)
{
	size_t i;

	if (run == 0)
		return;
	for (i = 0; i < SUBMISSIONS_RUNS; i++)
		if (s->runs[i].run == run)
			end(s, &s->runs[i], "client");
}

void
submissions_idle(struct submissions *s, uint64_t mono)
{
	size_t i;

	for (i = 0; i < SUBMISSIONS_RUNS; i++)
		/* Not mono - last_mono: mono may be older than a request
		 * noted since it was read. */
		if (s->runs[i].last_mono + SUBMISSIONS_IDLE_MS <= mono)
			end(s, &s->runs[i], "idle");
}

void
submissions_stop(struct submissions *s)
{
	size_t i;

	for (i = 0; i < SUBMISSIONS_RUNS; i++)
		end(s, &s->runs[i], "stop");
}

const struct submission *
submissions_last(const struct submissions *s)
{
	return &s->runs[s->last];
}

void
submissions_fill(const struct submissions *s, struct node_status *out)
{
	const struct submission *last = submissions_last(s);

	out->has_submissions = true;
	out->submissions = s->n;
	out->last_submission_ms = last->last_ms;
	out->last_submission = last->counts;
	out->submitted_total = s->total;
	out->first_refused_line = last->first_refused_line;
	snprintf(out->first_refused_field, sizeof(out->first_refused_field),
		 "%s", last->first_refused_field);
	snprintf(out->first_refused_source, sizeof(out->first_refused_source),
		 "%s", last->first_refused_source);
}
