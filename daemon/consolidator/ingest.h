/*
 * ingest.h - the consolidator's intake of batches: verify, validate and
 * commit in one write transaction, then say what to answer.
 *
 * Each envelope of a batch is taken in sequence order. A duplicate (a
 * sequence already held) is skipped; a gap stops the batch there (and is
 * refused with the sequence expected when nothing before it was taken);
 * every other envelope is either accepted (stored as received) or
 * refused with a reason that is stored too, so that its sequence is
 * held and never blocks those behind it.
 */
#ifndef KUSKA_INGEST_H
#define KUSKA_INGEST_H

#include <stdint.h>

#include "codec.h"
#include "registry.h"
#include "stats.h"
#include "store.h"

struct ingest {
	struct store *st;
	const struct registry *reg;
	struct stats *stats;			 /* owned */
	struct inst_status inst[INST_COUNT + 1]; /* as committed */
};

/*
 * ingest_open - loads each institution's state from the store and makes
 * the statistics engine; statistics tables written by an older version in
 * another layout are first rebuilt from the envelopes (ingest_rebuild).
 * Returns 0 or -errno; release with ingest_close.
 */
int ingest_open(struct ingest *ig, struct store *st, const struct registry *reg)
    __attribute__((warn_unused_result));
void ingest_close(struct ingest *ig);

/*
 * ingest_rebuild - recomputes, in one transaction, everything derived from
 * the stored envelopes (corrections' bookkeeping and all statistics),
 * verifying each envelope again. Envelopes that no longer verify (a key
 * removed from the registry) are counted in *ret_skipped and left out.
 * Returns 0 or -errno. The daemon must not be running.
 */
int ingest_rebuild(struct ingest *ig, uint64_t *ret_events,
		   uint64_t *ret_skipped) __attribute__((warn_unused_result));

/*
 * ingest_batch - takes one Batch from speaker (an institution) and fills
 * reply with the Ack or Refusal to send (an Ack's rejections array is
 * malloc'd: the caller frees reply->rejections). Returns 0, or -errno when the
 * store failed (reply then refuses with STORE_FULL or STORE_ERROR and
 * nothing of the batch was kept).
 */
int ingest_batch(struct ingest *ig, const struct reg_party *speaker,
		 const struct msg *batch, uint64_t now_ms, struct msg *reply);

/*
 * ingest_inst_status - institution inst's counters (last sequence,
 * accepted, refused...) as committed, read within t. Returns 0, or
 * -ENOENT (and zeroes *ret) when it never sent anything.
 */
int ingest_inst_status(struct store_txn *t, int inst, struct inst_status *ret);

/*
 * ingest_check - every check an accepted envelope passes, for speaker's
 * envelope env (already decoded; its institution is speaker's). On
 * success returns REASON_NONE and fills *ev; otherwise the reason, with
 * a text into why. Used for live batches and for --rebuild.
 */
enum reason ingest_check(const struct registry *reg,
			 const struct reg_party *speaker,
			 const struct envelope *env, int32_t today,
			 struct event *ev, char *why, size_t whylen);

#endif
