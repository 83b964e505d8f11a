/*
 * intake_rekey.h - what intake_record.c (a record taken into the outbox)
 * and intake_rekey.c (a record held under an older key epoch, its line
 * sent again) share: internal to the two.
 */
#ifndef KUSKA_INTAKE_REKEY_H
#define KUSKA_INTAKE_REKEY_H

#include <stdbool.h>
#include <stdint.h>

#include "codec.h"
#include "intake.h"
#include "outbox.h"
#include "record.h"

/*
 * A line being taken: its record, and the refs it names as read. The
 * *_provisional flags say whose digest is over provisional values (a
 * dry run's): when a ref's info is written back, its flag goes with the
 * digest it carries.
 */
struct taking {
	struct parsed_record *p;
	bool provisional; /* p's pseudonyms are provisional values */
	struct ref_info known, target;
	bool known_provisional, target_provisional;
	uint8_t tid[EVENT_ID_LEN]; /* the target's event id */
};

/*
 * Of intake_record.c:
 * intake_refuse_other - res refused as a line of known's ref with other
 *	content (LINE_REF_REUSED).
 * intake_refuse_withdrawn - res refused as a line of a record withdrawn,
 *	naming the withdrawal by its sequence where its ref is known (never
 *	printed: nothing checked it for an identity).
 * intake_held_dead - res->dead_warning for a line held whose content
 *	envelope known->own is a dead letter: the sequence and reason,
 *	what the record counts as (nowhere for its own first envelope, as
 *	it was for a correction or re-keying, still for a withdrawal) and
 *	what to do. 0 (none is also 0) or -errno.
 * intake_held_dead_first - res->dead_warning for a line held as its
 *	record's first envelope `first` is a dead letter (a re-keying
 *	judges the record by it, whatever its own content's envelope):
 *	the record counts nowhere. A correction's line says "its record".
 *	0 (none is also 0) or -errno.
 * intake_warn_held_dead - res->dead_warning for tk's line held: of its
 *	record's first envelope (intake_held_dead_first; a withdrawal's
 *	"nothing to withdraw") when the consolidator refused that one, the
 *	record then counting nowhere whatever became of the line's own;
 *	else of the line's own (intake_held_dead). 0 or -errno.
 * intake_store_event - ev encoded and stored as the next envelope
 *	(*ret_seq; a dry run only takes the number). 0 or -errno.
 * intake_ref_put - ri stored as id's ref info (a dry run's over the
 *	outbox's), its digest provisional or not. 0 or -errno.
 * intake_warn_placeholder - res->placeholder_warning and _field for p's
 *	victims whose document number is a placeholder; mended: the
 *	record held under the line's ref, stored by a node older than that
 *	rule with it as a document, was corrected to leave it out.
 */
void intake_refuse_other(struct line_result *res, const struct ref_info *known);
void intake_refuse_withdrawn(struct outbox_txn *t, struct line_result *res,
			     const struct ref_info *known);
int intake_held_dead(struct outbox_txn *t, const struct ref_info *known,
		     struct line_result *res)
    __attribute__((warn_unused_result));
int intake_held_dead_first(struct outbox_txn *t, uint64_t first,
			   bool correction, struct line_result *res)
    __attribute__((warn_unused_result));
int intake_warn_held_dead(struct outbox_txn *t, const struct taking *tk,
			  struct line_result *res)
    __attribute__((warn_unused_result));
int intake_store_event(struct outbox_txn *t, struct intake *in,
		       const struct event *ev, const char *ref,
		       uint64_t *ret_seq) __attribute__((warn_unused_result));
int intake_ref_put(struct outbox_txn *t, struct intake *in,
		   const uint8_t id[EVENT_ID_LEN], const struct ref_info *ri,
		   bool provisional) __attribute__((warn_unused_result));
void intake_warn_placeholder(const struct parsed_record *p, bool mended,
			     struct line_result *res);

/*
 * Of intake_rekey.c (see its top comment):
 * intake_rekey - tk's line, its ref held under an older key epoch:
 *	re-keyed (its content sent again with this epoch's pseudonyms, as a
 *	correction), held, or refused. 0 (res says which) or -errno.
 * intake_rekey_refused - whether ri's content was last sent by a
 *	re-keying correction the consolidator refused, not for its content,
 *	nor its record's first envelope (`first`): to be re-keyed again.
 *	1, 0 or -errno.
 * intake_held_as_corrected - whether tk's line, a record's, carries the
 *	content of the record's latest correction (the record as it now
 *	stands): 1 (res says "already held", or re-keyed when that
 *	correction's re-keying was refused), 0 (not), -errno.
 */
int intake_rekey(struct outbox_txn *t, struct intake *in, struct taking *tk,
		 const uint8_t digest[REF_DIGEST_LEN], struct line_result *res)
    __attribute__((warn_unused_result));
int intake_rekey_refused(struct outbox_txn *t, const struct ref_info *ri,
			 uint64_t first) __attribute__((warn_unused_result));
int intake_held_as_corrected(struct outbox_txn *t, struct intake *in,
			     struct taking *tk, struct line_result *res)
    __attribute__((warn_unused_result));

#endif
