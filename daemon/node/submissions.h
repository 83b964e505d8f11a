/*
 * submissions.h - what the node's last submissions did to their lines,
 * for kuska status: counts only, in memory since the node started.
 *
 * A submission is one kuska submit run, however many files and requests
 * it sends: its requests carry the run's id, and are counted to that run
 * alone, however they come between another run's (two kuska submit at
 * once). The last SUBMISSIONS_RUNS runs are told apart; a request of a
 * run older than those starts a submission of its own. A request of an
 * older client, which carries no id, continues the last submission when
 * that is an older client's too, names the same source and the request
 * starts after its lines; otherwise it starts a new one. Status shows
 * the submission whose request came last: of runs that overlapped, the
 * one that finished last, whole. Dry runs are no submissions (nothing
 * of them is stored) and are never noted. Nothing of a record is kept:
 * no ref, no value, only counts, the first refused line's file (the
 * source its request named), number and the field its refusal names (a
 * path such as "victims[0].birth_date").
 *
 * A submission ends when its run says it is over (kuska submit's last
 * request), when none of its requests has come for SUBMISSIONS_IDLE_MS
 * (a run killed, an older client), when a newer one takes its slot, or
 * when the node stops; it is then logged once, as event=submission with
 * its counts (and never a file name or anything of a record: the journal
 * is read more widely than the data), followed by event=ref_identity_held
 * with a count when some of its records are held under a ref that holds a
 * victim's identity, and a later request of its run starts another.
 */
#ifndef KUSKA_SUBMISSIONS_H
#define KUSKA_SUBMISSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "log.h"

/* Runs told apart at once: more kuska submit at once than a node's
 * officers and scheduled jobs start. */
#define SUBMISSIONS_RUNS 8
/* A submission none of whose requests came for this long is over. */
#define SUBMISSIONS_IDLE_MS (5 * 60 * 1000)

/* One submission. */
struct submission {
	uint64_t run;	    /* its id (0: an older client's) */
	uint64_t seq;	    /* order of its last request; 0: slot unused */
	char source[256];   /* the source of its last request */
	uint64_t next_line; /* the line after its last request's */
	uint64_t last_ms;   /* wall clock of its last request */
	uint64_t first_ms;  /* wall clock of its first request */
	uint64_t last_mono; /* monotonic clock of its last request */
	uint64_t requests;
	bool ended; /* logged: no request goes on with it */
	struct submit_counts counts;
	/* Lines taken (held, re-keyed) under a ref that holds a victim's
	 * identity, stored before the node refused such refs */
	uint64_t ref_identity;
	uint64_t first_refused_line; /* 0: none */
	char first_refused_field[64];
	char first_refused_source[256]; /* the file of that line */
};

struct submissions {
	uint64_t n;   /* submissions since start */
	uint64_t seq; /* requests noted since start */
	size_t last;  /* the slot of the request noted last */
	struct submission runs[SUBMISSIONS_RUNS];
	struct submit_counts total;
	/* event=submission's: any local user of the submit socket's group
	 * ends a run with each request, which must not flood the journal. */
	struct log_budget log;
	/* event=ref_identity_held's: only a run that holds such records
	 * spends it, so that others' runs cannot hold it back. */
	struct log_budget ref_log;
};

/*
 * submissions_note - counts into s the answered request req (a
 * CTL_SUBMIT, not a dry run) whose reply is rep, at wall clock now_ms and
 * monotonic clock mono.
 */
void submissions_note(struct submissions *s, const struct control *req,
		      const struct control *rep, uint64_t now_ms,
		      uint64_t mono);

/*
 * submissions_end - ends (and logs) the submission of the run whose id is
 * run, when one goes on: its kuska submit said it is over.
 */
void submissions_end(struct submissions *s, uint64_t run);

/*
 * submissions_idle - ends (and logs) the submissions none of whose
 * requests came for SUBMISSIONS_IDLE_MS before mono; the caller calls it
 * only while no request waits for the node, lest a run whose request
 * waited behind another's be ended.
 */
void submissions_idle(struct submissions *s, uint64_t mono);

/* submissions_stop - ends (and logs) every submission: the node stops. */
void submissions_stop(struct submissions *s);

/*
 * submissions_last - the submission whose request s noted last (all
 * zeros when none was); valid until s is next noted into.
 */
const struct submission *submissions_last(const struct submissions *s);

/* submissions_fill - s into a status's fields. */
void submissions_fill(const struct submissions *s, struct node_status *out);

#endif
