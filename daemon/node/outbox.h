/*
 * outbox.h - the node's durable store (LMDB; this module owns it).
 *
 * Tables:
 *	outbox	seq -> created_ms (8 bytes) + the signed envelope, kept after
 *		acknowledgement so a consolidator restored from backup can be
 *		refilled
 *	refs	event id (keyed hash of the ref) -> seq, record digest, kind,
 *		state (live or withdrawn), the envelopes carrying its content
 *		and their key epoch (struct ref_info)
 *	seqref	seq -> the case system's ref, to name dead letters
 *	dead	seq -> reason, time, text: events the consolidator refused
 *	meta	next_seq, acked_seq, last_contact_ms, dead_total; and per key
 *		epoch the key holders' check value (outbox_check_*)
 * Every write happens in a transaction that commits (fsync) before the
 * node answers anyone.
 */
#ifndef KUSKA_OUTBOX_H
#define KUSKA_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "event.h"

struct outbox;
struct outbox_txn;

enum ref_state { REF_LIVE = 0, REF_WITHDRAWN = 1 };

struct ref_info {
	uint64_t seq;	    /* the envelope the ref made first */
	uint8_t digest[32]; /* BLAKE2b of the event bytes, at `epoch` */
	uint8_t kind;	    /* enum kind of the record (a correction's too) */
	uint8_t state;	    /* enum ref_state */
	uint8_t target;	    /* for CORRECTION/WITHDRAWAL: 1 */
	/* The newest envelope carrying this ref's own content: seq, or the
	 * correction that re-sent it under a newer key epoch. */
	uint64_t own;
	/* For a record (not a correction): the newest envelope carrying its
	 * live content: its own, or its latest correction's own. */
	uint64_t current;
	uint32_t epoch; /* key epoch of the pseudonyms in `own` */
};

/*
 * outbox_open - opens (creating) the store in dir with a map of
 * map_size bytes. Returns 0 and *ret, or -errno.
 */
int outbox_open(const char *dir, size_t map_size, struct outbox **ret)
    __attribute__((warn_unused_result));
void outbox_close(struct outbox **ob);

/* outbox_begin - starts the one write transaction. */
int outbox_begin(struct outbox *ob, struct outbox_txn **ret)
    __attribute__((warn_unused_result));
/* outbox_commit - commits (durably) and frees *t. -ENOSPC: map full. */
int outbox_commit(struct outbox_txn **t) __attribute__((warn_unused_result));
/* outbox_abort - drops *t; accepts NULL. */
void outbox_abort(struct outbox_txn **t);

/* The next sequence number to assign, inside t. */
uint64_t outbox_next_seq(struct outbox_txn *t);

/* outbox_ref_get - 0 and *ret, or -ENOENT. */
int outbox_ref_get(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
		   struct ref_info *ret);
int outbox_ref_put(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
		   const struct ref_info *info)
    __attribute__((warn_unused_result));

/*
 * outbox_check_get - the key holders' check value recorded for a key
 * epoch (32 bytes into out): 0, or -ENOENT when none is recorded yet.
 * outbox_check_put records it.
 */
int outbox_check_get(struct outbox_txn *t, uint32_t epoch, uint8_t out[32]);
int outbox_check_put(struct outbox_txn *t, uint32_t epoch,
		     const uint8_t check[32])
    __attribute__((warn_unused_result));

/*
 * outbox_append - stores envelope bytes under seq (which must be
 * outbox_next_seq) with the ref that produced it, and advances next_seq.
 * -ENOSPC when the map is full.
 */
int outbox_append(struct outbox_txn *t, uint64_t seq, uint64_t created_ms,
		  const uint8_t *env, size_t len, const char *ref)
    __attribute__((warn_unused_result));

/*
 * outbox_record_ack - in one transaction: acked_seq := acked (never
 * backwards unless `reset`), last contact time, and dead letters.
 */
int outbox_record_ack(struct outbox *ob, uint64_t acked, bool reset,
		      uint64_t now_ms, const struct rejection *rej,
		      size_t n_rej) __attribute__((warn_unused_result));

struct outbox_state {
	uint64_t next_seq, acked_seq, last_contact_ms, dead_total;
};

/* outbox_state - the meta values. */
int outbox_state(struct outbox *ob, struct outbox_state *ret)
    __attribute__((warn_unused_result));

/*
 * outbox_read - calls fn for the envelopes from seq `from` on, in order,
 * until fn returns nonzero, max events were passed, or the store ends.
 * The bytes are valid only during the call. Returns the number passed or
 * -errno.
 */
typedef int (*outbox_read_fn)(void *arg, uint64_t seq, uint64_t created_ms,
			      const uint8_t *env, size_t len);
int outbox_read(struct outbox *ob, uint64_t from, size_t max, outbox_read_fn fn,
		void *arg);

/*
 * outbox_dead_list - fills out with up to max dead letters, newest first.
 * Returns the number filled or -errno.
 */
int outbox_dead_list(struct outbox *ob, struct dead_letter *out, size_t max);

/*
 * outbox_dead_by_reason - counts the dead letters by reason code into
 * counts[REASON_COUNT] (zeroed first). Returns 0 or -errno.
 */
int outbox_dead_by_reason(struct outbox *ob, uint64_t counts[REASON_COUNT])
    __attribute__((warn_unused_result));

#endif
