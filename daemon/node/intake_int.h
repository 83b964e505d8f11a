/*
 * intake_int.h - what intake.c (a request: its rounds with the key
 * holders, its dry run) and intake_record.c (a parsed record taken into
 * the outbox, with intake_rekey.c after a key rotation) share: internal
 * to the three.
 */
#ifndef KUSKA_INTAKE_INT_H
#define KUSKA_INTAKE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "codec.h"
#include "intake.h"
#include "outbox.h"
#include "record.h"

/* intake_refuse - res refused: field, and the reason as printf says. */
void intake_refuse(struct line_result *res, const char *field, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

/*
 * intake_granted - whether the registry's grants (as the consolidator
 * said them, or DESIGN.md's defaults until it has) let this institution
 * emit a line of kind, its record of rec_kind and, for a case stage,
 * stage; if not, res says why, as the consolidator would. KIND_NONE and
 * STAGE_NONE are what a refused line was not read far enough to say:
 * not checked.
 */
bool intake_granted(const struct intake *in, enum kind kind, enum kind rec_kind,
		    enum stage stage, struct line_result *res);

/*
 * intake_stage_words - res, a refusal of a case stage's word ("must be
 * one of" the eight stages), lists instead the stages this institution
 * may emit, when its grants leave some out: a court's officer who wrote
 * "sentence" is shown the four words the court may send, not the police's
 * too. Any other refusal is left as it is.
 */
void intake_stage_words(const struct intake *in, struct line_result *res);

/*
 * intake_ref_get - the refs as this request sees them: in a dry run, what
 * the run wrote over the outbox. *ret_provisional: the digest is over
 * provisional values (only ever in a dry run). 0, -ENOENT or -errno.
 */
int intake_ref_get(struct outbox_txn *t, struct intake *in,
		   const uint8_t id[EVENT_ID_LEN], struct ref_info *ret,
		   bool *ret_provisional);

/*
 * intake_take_line - one parsed record, its pseudonyms written
 * (provisional: provisional values, in a dry run), checked, signed and
 * appended in t. Returns 0 (res says what happened to the line) or -errno
 * for a store failure that must abort the whole request.
 */
int intake_take_line(struct outbox_txn *t, struct intake *in,
		     struct parsed_record *p, bool provisional,
		     struct line_result *res);

/*
 * The case stages' index (intake_stage.c), kept as the records are taken:
 * intake_stage_take - record seq (its ref: NULL to look it up) now
 *	carries rec's content; a correction's (or a re-keying's) `correction`
 *	first drops what the record held. rec takes its case's stage unless
 *	another record dated before it, or the same day and sent before it,
 *	holds it. With `warn`, res->warning says a
 *stage held by another record, or one out of date order with the case's others.
 * intake_stage_drop - record seq holds nothing (withdrawn).
 * Both return 0 or -errno for a store failure.
 */
int intake_stage_take(struct outbox_txn *t, struct intake *in, uint64_t seq,
		      const struct record *rec, const char *ref,
		      bool correction, bool warn, struct line_result *res)
    __attribute__((warn_unused_result));
int intake_stage_drop(struct outbox_txn *t, struct intake *in, uint64_t seq)
    __attribute__((warn_unused_result));

#endif
