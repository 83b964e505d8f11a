/*
 * ingest_int.h - what ingest.c shares with ingest_rebuild.c (the replay
 * of the stored envelopes) and ingest_held.c: internal to them.
 */
#ifndef KUSKA_INGEST_INT_H
#define KUSKA_INGEST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "ingest.h"
#include "store.h"

/* An institution's status as T_INSTS holds it. */
#define INGEST_STATUS_LEN (8 * (4 + REASON_COUNT))

/* ingest_status_encode - s as T_INSTS holds it, into out. */
void ingest_status_encode(const struct inst_status *s,
			  uint8_t out[INGEST_STATUS_LEN]);

/*
 * ingest_load_status - ig->inst loaded again from the store, as
 * committed. Returns 0 or -errno.
 */
int ingest_load_status(struct ingest *ig);

/*
 * ingest_apply_change - checks the target of correction or withdrawal ev
 * (sequence seq of inst) within t and records the change in T_CHANGES.
 * Returns REASON_NONE, or BAD_TARGET with a text into why; on a store
 * failure or memory running out (not the event's fault)
 * REASON_STORE_ERROR with *ret_err set to the -errno.
 */
enum reason ingest_apply_change(struct store_txn *t, enum institution inst,
				uint64_t seq, const struct event *ev, char *why,
				size_t whylen, int *ret_err);

/*
 * ingest_stored_reason - the reason of a refusal T_REFUSED holds (its
 * first byte), as this version names it. One it does not know (stored by
 * a newer consolidator, read after a downgrade) or none is still a
 * refusal: REASON_BAD_EVENT. REASON_NONE would tell a node "accepted",
 * and it would revive or forget a record that was refused. As the node
 * reads a reason (reason_of_refusal).
 */
enum reason ingest_stored_reason(uint8_t b);

#endif
