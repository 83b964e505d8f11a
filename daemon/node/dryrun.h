/*
 * dryrun.h - what a dry run (kuska submit --dry-run) would have stored,
 * in memory only.
 *
 * A dry run checks every rule as a real submission does, but stores,
 * signs and sends nothing: the outbox is only read. Its requests (one
 * per 5,000 lines) must still see what the earlier ones would have
 * stored (a correction aims at a record a few thousand lines up, a ref
 * comes twice), so the refs it would have written are kept here, over
 * the outbox, for as long as the run lasts. A run is named by the id
 * its client chose.
 *
 * Each ref written here says whether its digest is over provisional
 * pseudonyms (pseudo_batch_provisional) or real ones: a record is
 * compared with a ref of the same kind only.
 */
#ifndef KUSKA_DRYRUN_H
#define KUSKA_DRYRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "outbox.h"

#define DRYRUN_MAX_REFS 1000000 /* refs one run may write */
#define DRYRUN_IDLE_MS 600000	/* a run unheard this long is dropped */

struct dryrun;

/*
 * dryrun_new - an empty run named id, whose first envelope would take
 * sequence next_seq. NULL when out of memory. dryrun_free releases it
 * (accepts NULL, clears the pointer).
 */
struct dryrun *dryrun_new(uint64_t id, uint64_t next_seq);
void dryrun_free(struct dryrun **d);

/* dryrun_id - the id the run was made with. */
uint64_t dryrun_id(const struct dryrun *d);

/*
 * dryrun_ref_get - the ref info the run wrote for event id into *ret
 * and whether its digest is provisional. Returns 0 or -ENOENT.
 */
int dryrun_ref_get(const struct dryrun *d, const uint8_t id[EVENT_ID_LEN],
		   struct ref_info *ret, bool *ret_provisional);

/*
 * dryrun_ref_put - writes (or overwrites) the ref info of event id.
 * Returns 0, -ENOMEM, or -E2BIG when the run already holds
 * DRYRUN_MAX_REFS refs.
 */
int dryrun_ref_put(struct dryrun *d, const uint8_t id[EVENT_ID_LEN],
		   const struct ref_info *ri, bool provisional)
    __attribute__((warn_unused_result));

/*
 * dryrun_ref_by_own - the ref the run wrote whose own content is envelope
 * seq (one the run took, so no envelope holds it): its event id, info and
 * whether its digest is provisional. Returns 0 or -ENOENT. Reads every
 * ref of the run.
 */
int dryrun_ref_by_own(const struct dryrun *d, uint64_t seq,
		      uint8_t ret_id[EVENT_ID_LEN], struct ref_info *ret,
		      bool *ret_provisional);

/*
 * The case stages' index (outbox.h) as the run would have left it, over
 * the outbox's. The run's entries are keyed by the case pseudonyms its
 * lines carry (provisional values, mostly: see intake.c).
 * dryrun_stage_get - 0 and *ret (written by the run), 1 (deleted by the
 *	run), -ENOENT (not written: the outbox's stands).
 * dryrun_stage_set - writes it (e NULL: deleted). 0, -ENOMEM, -E2BIG.
 * dryrun_stage_of - the case and stage of record seq, and its entry as
 *	it would hold them (ret_e, NULL: not asked): 0, 1 (none, said by
 *	the run: withdrawn or corrected to another kind), -ENOENT (not
 *	written: the outbox's stands).
 * dryrun_stage_touched - whether the run wrote record seq's (it changed
 *	the record, so the outbox's entries of it no longer stand).
 * dryrun_stage_of_set - writes it (case_id NULL: none; e its date and ref
 *	else). As _set. Every case stage record the run takes is written.
 * dryrun_stage_first - the earliest of the records the run wrote of
 *	(case_id, stage) (of one day, the first sent): 0 and *ret, or
 *	-ENOENT. Reads every record of the run when it holds one of the
 *	stage (the run counts them), none else.
 */
int dryrun_stage_get(const struct dryrun *d,
		     const uint8_t case_id[PSEUDONYM_LEN], enum stage stage,
		     struct stage_entry *ret);
int dryrun_stage_set(struct dryrun *d, const uint8_t case_id[PSEUDONYM_LEN],
		     enum stage stage, const struct stage_entry *e)
    __attribute__((warn_unused_result));
int dryrun_stage_of(const struct dryrun *d, uint64_t seq,
		    uint8_t case_id[PSEUDONYM_LEN], enum stage *ret,
		    struct stage_entry *ret_e);
bool dryrun_stage_touched(const struct dryrun *d, uint64_t seq);
int dryrun_stage_of_set(struct dryrun *d, uint64_t seq,
			const uint8_t case_id[PSEUDONYM_LEN], enum stage stage,
			const struct stage_entry *e)
    __attribute__((warn_unused_result));
int dryrun_stage_first(const struct dryrun *d,
		       const uint8_t case_id[PSEUDONYM_LEN], enum stage stage,
		       struct stage_entry *ret);

/* dryrun_take_seq - the sequence the next envelope would have taken. */
uint64_t dryrun_take_seq(struct dryrun *d);

#endif
