/*
 * status_unmatched.h - what kuska status says of a node's take-ups that
 * match no referral record of their sender (docs/INPUT.md, "What a
 * take-up counts for"). Apart from status.c so that it is tested without
 * a node (tests/unit/test_status_unmatched.c).
 */
#ifndef KUSKA_STATUS_UNMATCHED_H
#define KUSKA_STATUS_UNMATCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"

/* How long kuska status waits for the list the node asks for anew, asking
 * the node again every STATUS_UNMATCHED_POLL_MS (a round trip to an idle
 * consolidator takes a few ms). */
#define STATUS_UNMATCHED_WAIT_MS 3000
#define STATUS_UNMATCHED_POLL_MS 50
/* A list said this recently is not asked for again (the node's
 * DELIVER_UNMATCHED_MIN_MS). */
#define STATUS_UNMATCHED_FRESH_MS 5000

/*
 * status_unmatched_stale - whether s's list is older than the request
 * answered at asked_ms (the node's clock) by more than the node lets pass
 * without asking again, while the node is asking the consolidator for it
 * (a newer one is to come). Then kuska status asks again, for a while.
 */
bool status_unmatched_stale(const struct node_status *s, uint64_t asked_ms);

/*
 * status_unmatched_print - writes to out the unmatched take-ups of s: how
 * many, when the consolidator said so, and one line each of those listed,
 * oldest first (its sequence, its ref where the node shows it, its
 * sender, its date and the quarter it counts in); or that they are not
 * known, and why. Nothing for an older node, which does not say. Texts
 * are escaped: a ref comes from the case system.
 */
void status_unmatched_print(FILE *out, const struct node_status *s);

#endif
