/*
 * ingest_int.h - what ingest.c (open, status, a batch or a group
 * committed), ingest_check.c (an envelope's checks and a change's),
 * ingest_take.c (a batch's envelopes taken into the store),
 * ingest_rebuild.c (the replay of the stored envelopes) and ingest_held.c
 * share: internal to them.
 */
#ifndef KUSKA_INGEST_INT_H
#define KUSKA_INGEST_INT_H

#include <stdbool.h>
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

/* The T_CHANGES value: withdrawn flag, latest correction's sequence. */
#define CHANGE_LEN 9

/* The work of one batch, inside its transaction. */
struct batch_ctx {
	struct ingest *ig;
	const struct reg_party *speaker;
	struct store_txn *t;
	struct inst_status s;	  /* the institution's state as it goes */
	struct inst_status start; /* as the batch found it */
	struct event *ev;
	int32_t today;
	const bool *verified;	  /* the caller's hints, or NULL */
	struct envelope *decoded; /* as ingest_item's, or NULL */
	uint64_t now_ms;
	uint64_t future, future_ahead_ms; /* signed after our now */
	struct rejection *rej; /* allocated at the batch's first refusal */
	size_t n_rej, cap_rej;
	enum reason stop_reason; /* why the batch stopped short (or NONE) */
	uint64_t stop_seq;	 /* at which sequence */
	char stop_text[CODEC_MAX_TEXT + 1];
};

struct sign_fields;

/* ingest_check.c: the signed fields of env. */
void ingest_fields_of(const struct envelope *env, struct sign_fields *f);

/*
 * ingest_check_envelope - ingest_check, told whether env's signature was
 * already found to verify with the key registry_by_key_id gives for it
 * (then not verified again).
 */
enum reason ingest_check_envelope(const struct registry *reg,
				  const struct reg_party *speaker,
				  const struct envelope *env, struct event *ev,
				  char *why, size_t whylen, bool verified,
				  int *ret_err);

/*
 * ingest_check_change - the checks of ingest_apply_change, writing
 * nothing: cv gets the T_CHANGES value the change would leave
 * (ingest_put_change writes it).
 */
enum reason ingest_check_change(struct store_txn *t, enum institution inst,
				uint64_t seq, const struct event *ev, char *why,
				size_t whylen, int *ret_err,
				uint8_t cv[CHANGE_LEN]);

/* Writes the T_CHANGES value cv of ev's target (ingest_check_change's). */
enum reason ingest_put_change(struct store_txn *t, enum institution inst,
			      const struct event *ev,
			      const uint8_t cv[CHANGE_LEN], char *why,
			      size_t whylen, int *ret_err);

/*
 * ingest_take.c: takes the envelopes of batch into the open transaction
 * c->t, from the institution's state c->s. Fills reply with the Ack, or
 * with the refusal of the whole batch, which writes nothing (only
 * duplicates came before the envelope it stopped at). Returns 0 or -errno
 * (a store failure or memory running out: the transaction must be
 * dropped).
 */
int ingest_take_batch(struct batch_ctx *c, const struct msg *batch,
		      uint64_t now_ms, struct msg *reply);

#endif
