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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "log.h"
#include "registry.h"
#include "stats.h"
#include "store.h"

struct ingest {
	struct store *st;
	const struct registry *reg;
	struct stats *stats;			 /* owned */
	struct inst_status inst[INST_COUNT + 1]; /* as committed */
	/* Since start: events signed later than our clock says it is now
	 * (a node's clock ahead, or ours behind); batches refused because
	 * the disk was full, and when the last was (0: the last commit
	 * worked). */
	uint64_t created_in_future[INST_COUNT + 1];
	uint64_t disk_full_total;
	uint64_t disk_full_ms;
	/* When the last batch was refused for this store, whatever the
	 * cause (its ceiling, an I/O error, memory), and what to say of it
	 * to the operator (0: the last commit worked). */
	uint64_t store_failed_ms;
	char store_failed[224];
	/* When a batch, hello or recovery first found the store damaged (0:
	 * not since start).
	 * A later commit that worked does not mend it: only a restart's
	 * check and a restore or --repair do. */
	uint64_t store_damaged_ms;
	/* Lines of batches stopped at an envelope (a bad signature, say):
	 * a node can send them as fast as it likes, nothing stored. */
	struct log_budget stop_log[INST_COUNT + 1];
	/* Lines of dead letters (event=refused): each is stored and listed
	 * by its node's status, but a node's key can make one an event (a
	 * child past max_victim_records, sent without end):
	 * INGEST_REFUSED_BURST at once, then one a second, per institution. */
	struct log_budget refused_log[INST_COUNT + 1];
	/* Threads that check envelopes in ingest_rebuild (0: one), the
	 * caller's to set before ingest_open: as many as the daemon's
	 * verifying threads. */
	unsigned threads;
	/* ingest_open() rebuilt the statistics (of another layout, or
	 * marked stale), from rebuilt_events envelopes, rebuilt_skipped of
	 * them left out. */
	bool rebuilt;
	uint64_t rebuilt_events, rebuilt_skipped;
	/* event=stats_lost was logged, not yet its recovery. */
	bool stats_lost_said;
};

/* Dead letters' lines an institution may write at once (refused_log). */
#define INGEST_REFUSED_BURST 100

/* How far in the future (our clock) an event may be signed unremarked. */
#define INGEST_FUTURE_SLACK_MS (5 * 60 * 1000)

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
 * the stored envelopes and refusals (corrections' bookkeeping, each
 * institution's counts, all statistics), verifying each envelope again, on
 * ig->threads threads (then applied in sequence order on the calling
 * thread: the result does not depend on their number). Envelopes that no
 * longer verify (a key removed from the registry) are counted in
 * *ret_skipped and left out. Returns 0 or -errno. Memory running out is
 * never taken for an envelope that no longer verifies: the rebuild stops
 * with -ENOMEM, nothing skipped, its transaction dropped (the store as it
 * was before: the rebuild can be run again). The daemon must not be
 * running.
 */
int ingest_rebuild(struct ingest *ig, uint64_t *ret_events,
		   uint64_t *ret_skipped) __attribute__((warn_unused_result));

/*
 * What status and metrics show of a struct ingest, copied out of it by
 * the thread that owns it (ingest_view) for the one that answers.
 */
struct ingest_view {
	struct inst_status inst[INST_COUNT + 1];
	uint64_t created_in_future[INST_COUNT + 1];
	uint64_t disk_full_total;
	uint64_t disk_full_ms;
	uint64_t store_failed_ms;
	char store_failed[224];
	uint64_t store_damaged_ms;
	size_t map_size; /* the store's map, bytes */
};

/* ingest_note_damaged - keeps, for kuska status, that a read found the
 * store damaged (err -EUCLEAN; other errors are left alone). */
void ingest_note_damaged(struct ingest *ig, int err);

/* ingest_view - copies what status and metrics show of ig into *ret. */
void ingest_view(const struct ingest *ig, struct ingest_view *ret);

/*
 * ingest_signature_ok - whether envelope buf (len bytes) decodes, names
 * speaker's institution and carries a signature that verifies with the
 * key of speaker that reg gives for its key id: the costly part of
 * ingest_check, for threads that verify ahead of ingest_batch. Safe on
 * any thread (reg is only read). When it is good and ret_env is not
 * NULL, *ret_env gets the envelope decoded (release it with
 * codec_envelope_clear; ingest_batches takes it over, see ingest_item),
 * otherwise *ret_env is zeroed.
 */
bool ingest_signature_ok(const struct registry *reg,
			 const struct reg_party *speaker, const uint8_t *buf,
			 size_t len, struct envelope *ret_env);

/*
 * ingest_batch - takes one Batch from speaker (an institution) and fills
 * reply with the Ack or Refusal to send (an Ack's rejections array is
 * malloc'd, NULL when it has none: the caller frees reply->rejections).
 * verified (NULL: none) holds, for each envelope, whether ingest_signature_ok
 * found it good with ig->reg: those signatures are not verified again (a hint
 * only: an envelope marked false is checked in full, and everything but the
 * signature is checked for all). Returns 0, or -errno when the
 * store failed or memory ran out (reply then refuses with STORE_FULL or
 * STORE_ERROR and nothing of the batch was kept): STORE_FULL for a full map or
 * a full disk ("no space left on DIR"), STORE_ERROR otherwise (a damaged store
 * among them). Either way the node keeps the events and retries.
 * An envelope at a sequence already held (a resend after a lost Ack) is
 * skipped when its bytes are the ones held there; with other bytes (the
 * institution's key signed that sequence twice) the batch stops there,
 * refused whole with CONFLICT when nothing of it came before (a node's
 * batches run in order, so its duplicates come first): nothing is stored
 * or counted for it.
 */
int ingest_batch(struct ingest *ig, const struct reg_party *speaker,
		 const struct msg *batch, const bool *verified, uint64_t now_ms,
		 struct msg *reply);

/* One batch of a group (ingest_batches). */
struct ingest_item {
	const struct reg_party *speaker;
	const struct msg *batch;
	const bool *verified; /* as ingest_batch's */
	/*
	 * NULL, or for each envelope found good ahead, the envelope as
	 * ingest_signature_ok decoded it (event not NULL): ingest_batches
	 * takes it instead of decoding the bytes again, and clears each one
	 * it took (the rest stay the caller's to clear).
	 */
	struct envelope *decoded;
	uint64_t now_ms;
	/* Filled by ingest_batches. */
	struct msg reply;  /* as ingest_batch's (an Ack's rejections the
			    * caller's to free) */
	int err;	   /* as ingest_batch returns */
	uint64_t accepted; /* events of it accepted */
	/* A sequence it held with other bytes than those stored there (a
	 * second signer: refused, see take_envelope), 0 none. */
	uint64_t conflict_seq;
};

/*
 * ingest_batches - ingest_batch for items[0..n-1], in that order, in one
 * write transaction and one commit: batches of one institution follow
 * each other as if committed one by one, and each gets the reply it would
 * get alone. A batch refused whole writes nothing and leaves the others
 * be. Should the store fail on the group (the map growing does not
 * count), the transaction is dropped and every batch is run again alone
 * (ingest_batch), so that a failure refuses only the batches it
 * belongs to. Returns 0 when the group committed, else the -errno that
 * undid it (the items then say how each went alone).
 */
int ingest_batches(struct ingest *ig, struct ingest_item *items, size_t n);

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
 * a text into why. Should memory run out, the envelope is not judged:
 * *ret_err gets -ENOMEM (else it is left alone) and REASON_STORE_ERROR
 * comes back. Used for live batches, --rebuild and --audit; safe on any
 * thread (reg is only read).
 *
 * The verdict depends on the envelope and the registry only, never on
 * this machine's clock: an event may not be dated after the day it was
 * signed (the node's clock, in the signed creation time), so a slow
 * consolidator clock cannot turn valid events into dead letters.
 */
enum reason ingest_check(const struct registry *reg,
			 const struct reg_party *speaker,
			 const struct envelope *env, struct event *ev,
			 char *why, size_t whylen, int *ret_err);

/*
 * ingest_check_point - the highest sequence of inst whose envelope the
 * store holds (accepted, or refused and kept) into *ret_seq (0: none),
 * and the BLAKE2b-256 of those bytes into ret_hash: what a node compares
 * with its own outbox at hello. Returns 0 or -errno.
 */
int ingest_check_point(struct ingest *ig, enum institution inst,
		       uint64_t *ret_seq, uint8_t ret_hash[CODEC_HASH_LEN])
    __attribute__((warn_unused_result));

#define INGEST_OUTBOX_ID_LEN 16

/*
 * ingest_outbox_id - the identity of the outbox inst delivers from, as
 * first heard at hello. Returns 0, or -ENOENT when none is known.
 * ingest_set_outbox_id records it (0 or -errno).
 */
int ingest_outbox_id(struct ingest *ig, enum institution inst,
		     uint8_t ret_id[INGEST_OUTBOX_ID_LEN]);
int ingest_set_outbox_id(struct ingest *ig, enum institution inst,
			 const uint8_t id[INGEST_OUTBOX_ID_LEN])
    __attribute__((warn_unused_result));

/*
 * ingest_held - calls fn for each sequence of inst the store holds from
 * `from` on, in order, until fn returns nonzero or max were passed: the
 * envelope (NULL, 0 for a refusal kept without it) and, for a refusal,
 * its reason and text (REASON_NONE, "" for an accepted event; a reason
 * this version does not know, REASON_BAD_EVENT with its text). Pointers
 * are valid during the call only. Returns the number passed or -errno
 * (-EUCLEAN: a refusal damaged in the store).
 */
typedef int (*ingest_held_fn)(void *arg, uint64_t seq, const uint8_t *env,
			      size_t len, enum reason reason, const char *text);
int ingest_held(struct ingest *ig, enum institution inst, uint64_t from,
		size_t max, ingest_held_fn fn, void *arg);

/*
 * ingest_forget - drops, in one transaction, every envelope and refusal
 * of inst from sequence `from` on, so that its node sends them again
 * (the store's statistics must then be rebuilt: ingest_rebuild). The
 * days they were accepted stay, for the same sequences accepted again.
 * Needs only the store. Returns the number of sequences dropped or
 * -errno.
 */
int ingest_forget(struct store *st, enum institution inst, uint64_t from);

/*
 * ingest_first_gap - the lowest sequence of inst, up to the highest held,
 * that is neither an envelope nor a refusal (a damaged key lost it), into
 * *ret_seq; 0 when there is none. Needs only the store. 0 or -errno.
 */
int ingest_first_gap(struct store *st, enum institution inst, uint64_t *ret_seq)
    __attribute__((warn_unused_result));

#endif
