/*
 * query.h - the statistics tables of EVENTS.md, read from the counters
 * that stats.c keeps (never by scanning events), shaped for the role that
 * asks:
 *	analyst      national and regional tables, exact counts
 *	secretariat  national tables for years, semesters and quarters, and
 *	             regional ones for years (not the overlap, breakdown,
 *	             funnel, timeliness or estimate),
 *	             under disclosure control over all of them at once
 *	             (release.h); other requests are refused, saying what
 *	             it may ask instead
 *	institution  tables over its own events only, its victims linked as
 *	             nationally (two of its records of one child count once
 *	             when any live record joins them); no overlap table;
 *	             what its registry entry does not let it record (a
 *	             stage, a service, an identification) empty, not 0,
 *	             and no share or attrition taken from it
 */
#ifndef KUSKA_QUERY_H
#define KUSKA_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "codec.h"
#include "registry.h"
#include "store.h"

/*
 * The table names, in the order `kuska query` lists them, NULL after the
 * last. QUERY_TABLES counts them: what is kept per table (the query
 * counters of cons.h) is sized by it, and query.c fails to build when a
 * table is added without raising it.
 */
#define QUERY_TABLES 17
extern const char *const query_tables[QUERY_TABLES + 1];

/*
 * query_run - answers req for who, with disclosure threshold k, into ret
 * (rows malloc'd: release with codec_qtable_clear). A request that names
 * no known table, a malformed period or region, or a table the role may
 * not see gets ret->error and -EINVAL; a store failure -errno.
 */
int query_run(struct store *st, const struct query_req *req,
	      const struct reg_party *who, unsigned k, struct qtable *ret);

/*
 * query_run_in - query_run for a table built from the counters, read in
 * the caller's transaction t: answers asked in one transaction are of
 * one state of the store, whatever ingest commits meanwhile
 * (indicators.c compares the secretariat's view of a table with the
 * analyst's, row by row). The tables answered apart (estimate,
 * sdg16_2_2, deliveries, indicators, indicator_definitions) are unknown
 * here: -EINVAL.
 */
int query_run_in(struct store_txn *t, const struct query_req *req,
		 const struct reg_party *who, unsigned k, struct qtable *ret);

/*
 * query_events_withheld - the institutions (bit 1 << institution) whose
 * events of all time (the sources and deliveries tables) the secretariat
 * is not given at threshold k: those with a year whose records (the
 * timeliness table's, nationally) number 1 to k-1. Shown, those events
 * less the other years' records would bound that year's records, hidden
 * and so at least 1, and might pin them (13 events, 12 records in 2025:
 * one in 2024), and with them every count of the year they bound; no
 * year's audit can widen that by hiding its own counts. The rule asks
 * nothing but whether a count is small, which the reader the audits
 * protect against is taken to know: a rule on how far the events exceed
 * the records would itself tell the reader something of them. The audits
 * leave the relation out for these institutions (gather_others).
 */
unsigned query_events_withheld(struct store_txn *t, unsigned k);

/*
 * query_no_takeups - the destinations (bit 1 << institution) that have no
 * live take-up (referral_received) on record, of any date and region,
 * matched to a referral record or not, as the view of scope sees them
 * (0: the nation's; an institution: the referrals it sent or received,
 * as its referrals table shows). It tells a count of 0 taken up from a
 * gap in the data: a destination whose case system sends no take-ups.
 * Every bit is derivable from the national tables of every year, where
 * no zero is hidden. Returns 0 and *ret, or -errno of the store.
 */
int query_no_takeups(struct store_txn *t, uint8_t scope, uint32_t *ret)
    __attribute__((warn_unused_result));

/*
 * query_prepare - computes the secretariat's release of year at threshold
 * k (release.h), as its first question of that year would, so that the
 * question finds it cached; *ret_computed says whether it was computed
 * (false: it was cached already). For the query thread (prepare.h),
 * which has called release_set_grants. The audit gives way as soon as
 * cancelled(arg) says so (NULL: never; release_set_cancel): -ECANCELED,
 * and nothing of it is kept. Returns 0, -ENOMEM, -ECANCELED, or -errno
 * of the store.
 */
int query_prepare(struct store *st, uint32_t year, unsigned k,
		  bool (*cancelled)(void *), void *arg, bool *ret_computed)
    __attribute__((warn_unused_result));

/*
 * query_release_year - whether query_run, answering req for who, takes
 * the secretariat's release of a year (release.h), and which, into
 * *ret_year: a secretariat's request of a counting table at a level it
 * gets. The tables answered apart (indicators, estimate, sdg16_2_2) are
 * said not to, even those built of the counting tables. The query
 * thread carries a year's preparation on for such a request of that
 * year (prepare.h).
 */
bool query_release_year(const struct query_req *req,
			const struct reg_party *who, uint32_t *ret_year);

/*
 * query_takes_release - whether query_run, answering req for who, may wait
 * for a secretariat's release to be computed, and the year of its period
 * into *ret_year: a request query_release_year says so of, or the
 * secretariat's indicators, estimate (with a bootstrap too) or sdg16_2_2
 * of a well-formed period, which are made of the counting tables (their
 * releases may be of other years too: a baseline). Such a request is
 * answered CODEC_QUERY_PREPARING_PREFIX... rather than left waiting for
 * an audit that runs long (query_net_watch.c).
 */
bool query_takes_release(const struct query_req *req,
			 const struct reg_party *who, uint32_t *ret_year);

/*
 * query_apart - whether query_run, answering req for who, reads the store
 * alone, in read transactions of its own: any table asked by an
 * institution or an analyst (no bootstrap), counting tables, indicators
 * and their definitions, deliveries, the estimate and sdg16_2_2. Such an
 * answer takes no release, none of the caches before it (the others'
 * cells, the releases by state), no GLPK problem but one of its own made
 * and freed in the call (the estimate's fits), and no static of
 * query.c's, so the query thread may give it while an audit runs (on a
 * thread of its own) or a bootstrap draws, and it is the answer given alone
 * (query_net_watch.c's query_net_request_waits). The secretariat's
 * tables and a bootstrap (long, and drawing on the daemon's budget) are
 * not, but for the secretariat's questions refused for their level,
 * which build nothing.
 */
bool query_apart(const struct query_req *req, const struct reg_party *who);

/*
 * query_others_built - for tests and benchmarks: how many times the
 * whole country's yearly tables of the other years, which every
 * secretariat query's relations across years need, were built since
 * start (once per year asked and commit of the store, not per query).
 */
uint64_t query_others_built(void);

/*
 * query_years_gathered - for tests and benchmarks: how many times a
 * year's cells were gathered for its release (once per year, threshold
 * and state of the store while the release cache holds what they gave,
 * not per secretariat query). query_forget_states - for tests: forgets
 * which release each state gave, so the next query gathers afresh.
 */
uint64_t query_years_gathered(void);
void query_forget_states(void);

struct indset;

/*
 * query_set_indicators - the indicator set (indfile.h) the indicators
 * table answers from from now on; NULL: none (the table has no rows). The
 * caller keeps set alive while a table is answered from it (the query
 * thread sets the one in force before each request: query_net_answer.c).
 * Returns the set it replaces.
 */
const struct indset *query_set_indicators(const struct indset *set);

/* ---- the tables' shape, for the indicator expressions (expr.h) -------- */

enum qcol_kind {
	QCOL_PERIOD,  /* the period asked for; never filtered on */
	QCOL_KEY,     /* a dimension: text that names the row */
	QCOL_COUNT,   /* a count: rows add up */
	QCOL_MEDIAN,  /* a median in whole days: one row at a time */
	QCOL_DECIMAL, /* a share or a percentage: one row at a time */
};

struct qcolumn {
	const char *name;
	enum qcol_kind kind;
	/*
	 * QCOL_KEY: whether value can name a row, given the value dep of
	 * the key column named by depends (dep NULL: that column is not
	 * given; then any value some row could hold is accepted).
	 */
	bool (*valid)(const char *value, const char *dep);
	const char *depends;
	const char *values; /* the valid values, for messages */
};

struct qschema {
	const char *table;
	const struct qcolumn *cols; /* every column, in CSV order */
	size_t n_cols;
	/* The key column whose value "all" marks the table's total row,
	 * or NULL: a sum over rows leaves that row out unless asked. */
	const char *total_key;
};

/*
 * query_schema - the columns of a statistics table of EVENTS.md (the
 * ones an indicator can refer to: not indicators itself), or NULL for an
 * unknown name. The schema is static data: the pointer is valid for the
 * life of the program. It also describes tables query_run may not answer
 * yet (timeliness); query_run then says "unknown table".
 */
const struct qschema *query_schema(const char *table);

/* query_schema_names - the tables query_schema knows, comma-separated
 * ("identification, overlap, ..."), for messages. */
const char *query_schema_names(void);

/* query_schema_column - the index of column name in s, or -1. */
int query_schema_column(const struct qschema *s, const char *name);

/*
 * query_sex_age - victims identified in req's period and region (0: the
 * whole country) by sex and age crossed, for SDG 16.2.2: ret[s][a] for s
 * 0 F, 1 M and a 0 aged 0-17, 1 aged 18+, counted as the identification
 * table counts them. Victims of unknown sex are in no cell. These counts
 * are in no table under disclosure control, and kept nationally only:
 * for the analyst alone (else -EPERM). Returns 0, -EINVAL (a bad period
 * or region), or -errno.
 */
int query_sex_age(struct store *st, const struct query_req *req,
		  const struct reg_party *who, int64_t ret[2][2])
    __attribute__((warn_unused_result));

/*
 * query_overlap_shown - the disclosure rule for anything computed from
 * the overlap counts that is not itself a count (the estimate table of
 * ESTIMATION.md): the secretariat may see it for a period, rounded as
 * the table prints it, only when every cell of that period's national
 * overlap table is shown in its view, with threshold k (for the whole
 * country only: it gets no regional overlap). Otherwise the estimate, its
 * interval and any count in its note (the unlinkable victims) must be
 * left empty for it. Sets *ret_shown; returns 0 or -errno.
 */
int query_overlap_shown(struct store_txn *t, uint32_t period, unsigned k,
			bool *ret_shown) __attribute__((warn_unused_result));

#endif
