/*
 * stats.h - the state that answers statistics queries, kept in the same
 * LMDB write transaction as the envelopes it derives from.
 *
 * Every accepted record becomes one *fact* (fact.h), which remembers its
 * origin (institution, sequence of the original record), so that a
 * correction replaces it and a withdrawal removes it. A fact is about:
 *	identification, service     -> a victim: a connected component of
 *	                               the match-key graph (link.h), or, for
 *	                               an unlinkable victim, the record alone
 *	referral, referral_received -> the referral: (sender, destination,
 *	                               pseudonym of its number), the sender
 *	                               of a referral and the destination of a
 *	                               take-up being the signer
 *	case_stage                  -> the case (its pseudonym)
 * and the victim objects of every kind of record link victims. The table
 * LIVE maps each origin to its fact, its referral or case, and its victim
 * objects' keys: it is stored by origin so that each new record is an
 * append. In memory, loaded from LIVE at start (stats_load) and changed
 * only as a batch commits, are the referrals and cases with their facts
 * and the victim graph - random-key writes of on-disk entity tables would
 * cost as much per event as verifying it.
 *
 * Counters hold, for each table of EVENTS.md, period (year, semester and
 * quarter: period.h), region (0 = all) and scope (0 = national, 1..5 =
 * one institution's own events), the count of each row, and day
 * histograms for the medians. They are a pure function of the live
 * records: when a batch touches a referral, a case or the keys of a
 * victim, the old contribution of that referral, case or victim (all the
 * victims around the touched keys, as linked before the batch) is
 * subtracted and the new one added (as linked after it, a correction or a
 * withdrawal having perhaps joined two victims or split one), so the
 * counters always equal what a full recount (--rebuild) gives, in
 * whatever order the records came. Changes are gathered in memory during
 * a batch and written once, in key order, when the batch commits.
 */
#ifndef KUSKA_STATS_H
#define KUSKA_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "codec.h"
#include "event.h"
#include "store.h"

/*
 * The layout of this module's tables, kept in T_META under
 * "stats_format" (4 bytes BE). Layout 1 had no marker; 2 keyed victims by
 * one pseudonym; 3 keeps every victim object's match keys in LIVE; 4 the
 * day each record was accepted, and the timeliness counters; 5 victims by
 * sex and age (child or adult) crossed; 6 the tables of counter_by_quarter()
 * by quarter only; 7 the take-ups no referral record matches; 8 the
 * cases no complaint names.
 * stats_load() refuses tables of another layout with -ESTALE, and
 * ingest_open() then rebuilds them from the envelopes.
 */
#define STATS_FORMAT 8

/* The store tables of this module. */
#define T_LIVE ((enum store_table)(T_STATS_FIRST + 0))	   /* origin -> fact */
#define T_COUNTERS ((enum store_table)(T_STATS_FIRST + 1)) /* -> count */

/* Counter tables (first byte of a counter key). */
enum counter_table {
	C_ID_INST = 1, /* dims: institution */
	C_ID_TOTAL,    /* no dims */
	C_OVERLAP,     /* dims: institution set (bit 1 << inst); 0 unlinkable */
	C_BREAKDOWN,   /* dims: dimension, value (2 bytes) */
	C_REF_SENT,    /* dims: from, to */
	C_REF_TAKEN,   /* dims: from, to */
	C_REF_DAYS,    /* dims: from, to, days */
	C_PROT,	       /* dims: service */
	C_PROT_DAYS,   /* dims: service, days */
	C_PROS_CASES,  /* dims: stage */
	C_PROS_PERSONS, /* dims: stage; the value is a sum of persons */
	C_FUNNEL,	/* dims: stage */
	C_DUR_DAYS,	/* dims: first stage of the pair, days */
	C_TIME_RECORDS, /* dims: institution */
	C_TIME_WITHIN,	/* dims: institution; accepted within 30 days */
	C_TIME_DAYS,	/* dims: institution, days */
	C_SEX_AGE,	/* dims: sex, 0 aged 0-17 or 1 aged 18+ (SDG 16.2.2) */
	C_REF_UNMATCHED, /* dims: from, to; take-ups of no referral record */
	C_CASE_UNMATCHED, /* dims: institution; cases with no complaint */
};

/*
 * Whether a counter table is kept by quarter only. Its rows count things
 * dated by one fact each (a record, a case's first event of a stage, a
 * referral's first record), so a semester's or a year's count is the sum
 * of its quarters', and query_build.c reads it so: an event then writes
 * two keys of each such table (the quarter, nationally and in its region),
 * not six.
 * A victim table counts distinct victims, each once in a year however
 * many of its quarters she is in, and is kept for every period.
 */
static inline bool
counter_by_quarter(uint8_t table)
{
	switch (table) {
	case C_REF_SENT:
	case C_REF_TAKEN:
	case C_REF_DAYS:
	case C_REF_UNMATCHED:
	case C_CASE_UNMATCHED:
	case C_PROS_CASES:
	case C_PROS_PERSONS:
	case C_FUNNEL:
	case C_DUR_DAYS:
	case C_TIME_RECORDS:
	case C_TIME_WITHIN:
	case C_TIME_DAYS:
		return true;
	default:
		return false;
	}
}

/* Breakdown dimensions, in output order. */
enum breakdown_dim {
	DIM_SEX = 1,
	DIM_AGE_GROUP,
	DIM_NATIONALITY,
	DIM_REGION,
	DIM_EXPLOITATION,
};
#define DIM_COUNT 5

/* Counter key layout: table, scope, period (4 BE), region, dims. */
#define COUNTER_PREFIX_LEN 7
#define COUNTER_KEY_MAX 16
/* Days in histogram keys are stored offset by 2^31, 4 bytes BE. */
#define DAYS_OFFSET 0x80000000u

struct stats;

/* stats_new - a statistics engine with empty batch caches; NULL: ENOMEM. */
struct stats *stats_new(void);
void stats_free(struct stats **s);

/*
 * The batch functions below accept s == NULL and then do nothing:
 * statistics off, which only benchmarks use to measure their cost.
 */

/*
 * stats_begin - starts a batch inside the write transaction t. When the
 * index and graph were lost (stats_committed or a load ran out of
 * memory), loads them again from t first; if that fails too, the batch's
 * stats_room, stats_apply and stats_flush fail with its error, until a
 * later stats_begin loads them: nothing is counted against a graph that
 * lost the store's victims.
 */
void stats_begin(struct stats *s, struct store_txn *t);

/*
 * stats_apply - applies one accepted event of inst (sequence seq) to the
 * batch; accepted is the day (Peru time) the consolidator accepted it,
 * which a record keeps through its corrections (the timeliness table).
 * Returns 0 or -errno (-ENOSPC: the store is full).
 */
int stats_apply(struct stats *s, enum institution inst, uint64_t seq,
		const struct event *ev, int32_t accepted)
    __attribute__((warn_unused_result));

/*
 * The caps of what one child or one case may cost (stats_room), and their
 * defaults: a real child's long history is about 300 records, two children
 * of the same name and birth date about 600.
 */
#define STATS_MAX_VICTIM_RECORDS 1000
#define STATS_MAX_CASE_RECORDS 200

/*
 * stats_set_caps - sets the caps stats_room applies (max_victim_records
 * at least 2, max_case_records at least 1); safe from another thread than
 * the one applying batches (a reload), taking effect at its next event.
 */
void stats_set_caps(struct stats *s, unsigned long max_victim_records,
		    unsigned long max_case_records);

/*
 * stats_room - whether event ev of inst (sequence seq), about to be
 * applied to this batch (after the events before it), stays within the
 * caps: REASON_NONE, or REASON_TOO_LARGE with a text (no commas: it goes
 * in CSV) into why. Changes no count (what it read of ev is kept for the
 * stats_apply of ev that follows, which need not read it again). Victims:
 * the PLAIN component of each of the record's victim objects (every object
 * joining its document key and its name key, ambiguous names too:
 * link_plain_count), as the batch would leave it, holds at most
 * max_victim_records / 2 victim objects (records naming her: one naming
 * her twice counts twice) of inst's own (walked through inst's records
 * alone: a flood is refused at the flooder whatever the order of other
 * institutions' batches) and at most max_victim_records in all (which
 * event meets this one depends on the order of batches, only at the cap).
 * A correction counts as its record after the change. Referrals and cases:
 * at most max_case_records live facts of inst per referral or case, a
 * correction of one of them not adding one (order-independent). A
 * withdrawal is never refused. On memory running out: REASON_STORE_ERROR,
 * *ret_err = -ENOMEM (or the error of the load that lost the index:
 * stats_begin). --rebuild never asks: what was accepted stays accepted.
 */
enum reason stats_room(struct stats *s, enum institution inst, uint64_t seq,
		       const struct event *ev, char *why, size_t whylen,
		       int *ret_err) __attribute__((warn_unused_result));

/*
 * stats_flush - writes the batch's counter changes into the transaction;
 * call right before committing it. Returns 0 or -errno.
 */
int stats_flush(struct stats *s) __attribute__((warn_unused_result));

/*
 * stats_committed - the transaction committed: the batch's entities
 * become the index. If memory runs out for it, the index and graph are
 * let go and lost, to be loaded again at the next stats_begin.
 */
void stats_committed(struct stats *s);

/*
 * stats_lost - 0, or the error for which the index and graph were lost
 * and not loaded again since (stats_begin), every batch failing with it.
 */
int stats_lost(const struct stats *s);

/*
 * stats_years - the years whose counters the last stats_flush since
 * stats_begin changed (a counter's year is its period's), ascending, the
 * latest STATS_YEARS_MAX when there were more: into ret, their number
 * returned. For the releases made ready before the secretariat asks
 * (prepare.h).
 */
#define STATS_YEARS_MAX 16
size_t stats_years(const struct stats *s, uint32_t ret[STATS_YEARS_MAX]);

/*
 * stats_unmatched - the take-ups (referral_received records) of dest that
 * no live referral record of their sender matches, as the last committed
 * batch left them (what referrals_unmatched counts: a take-up of a number
 * the sender never recorded, withdrew or typed otherwise), each live
 * take-up record once: the max earliest (by date, then sequence) into
 * out[0..max-1], in that order, their number into *ret_n and the number
 * of them all into *ret_total. Each with the sequence of its original
 * record, its sender, its date, and the date of the earliest take-up of
 * its referral number (the quarter the table counts it in). Reads the
 * referrals in memory (no store), every one of them: call between
 * batches, on the writer's thread. Returns 0, -ENOTSUP (statistics off),
 * or the error for which the referrals were lost (stats_lost).
 */
int stats_unmatched(const struct stats *s, enum institution dest,
		    struct unmatched *out, size_t max, size_t *ret_n,
		    uint64_t *ret_total) __attribute__((warn_unused_result));

/* stats_discard - forgets the batch (its transaction was aborted); the
 * index is loaded again from the store if stats_flush had changed it. */
void stats_discard(struct stats *s);

/*
 * stats_load - builds the in-memory entity index from the store's LIVE
 * table (st may be NULL to reuse the last store). Returns 0, -ESTALE when
 * the tables were written in another layout (rebuild them: stats_clear
 * and a replay), or -errno (the index and graph are then lost: see
 * stats_begin).
 */
int stats_load(struct stats *s, struct store *st)
    __attribute__((warn_unused_result));

/* stats_clear - empties this module's tables and index, and marks them
 * as of this layout (for a rebuild). */
int stats_clear(struct stats *s, struct store_txn *t)
    __attribute__((warn_unused_result));

/*
 * stats_mark_stale - in t, which drops envelopes the tables count: marks
 * the tables so that stats_load() refuses them (-ESTALE) until a rebuild
 * (stats_clear) marks them again. A rebuild that fails after t commits
 * (a full disk) then leaves no tables counting what the store lost: the
 * next start rebuilds them before it answers.
 */
int stats_mark_stale(struct store_txn *t) __attribute__((warn_unused_result));

/* stats_stale - stats_load() refused tables marked by stats_mark_stale(),
 * not tables of another layout. */
bool stats_stale(const struct stats *s);

/* stats_layout_found - the layout marker stats_load() found when it
 * refused tables of another layout: above STATS_FORMAT, a later kuska's
 * (a downgrade); 0 when none was stored or when it matched. */
uint32_t stats_layout_found(const struct stats *s);

#endif
