/*
 * submissions.h - what the node's last submissions did to their lines,
 * for kuska status: counts only, in memory since the node started.
 *
 * A submission is one kuska submit run, however many files and requests
 * it sends: its requests carry the run's id. A request of an older
 * client, which carries none, continues the last submission when it
 * names the same source and starts after its lines; otherwise it starts
 * a new one. Dry runs are no submissions (nothing of them is stored) and
 * are never noted. Nothing of a record is kept: no ref, no value, only
 * counts, the first refused line's number and the field its refusal
 * names (a path such as "victims[0].birth_date").
 */
#ifndef KUSKA_SUBMISSIONS_H
#define KUSKA_SUBMISSIONS_H

#include <stdint.h>

#include "codec.h"

struct submissions {
	uint64_t n;	    /* submissions since start */
	uint64_t run;	    /* the last one's id (0: an older client's) */
	char source[256];   /* the source of its last request */
	uint64_t next_line; /* the line after its last request's */
	uint64_t last_ms;   /* wall clock of its last request */
	struct submit_counts last, total;
	uint64_t first_refused_line; /* of the last one; 0: none */
	char first_refused_field[64];
};

/*
 * submissions_note - counts into s the answered request req (a
 * CTL_SUBMIT, not a dry run) whose reply is rep, at wall clock now_ms.
 */
void submissions_note(struct submissions *s, const struct control *req,
		      const struct control *rep, uint64_t now_ms);

/* submissions_fill - s into a status's fields. */
void submissions_fill(const struct submissions *s, struct node_status *out);

#endif
