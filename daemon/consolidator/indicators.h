/*
 * indicators.h - the values of an indicator set (indfile.h) for a period,
 * their progress from baseline to target and their status
 * (INDICATORS.md), and the `indicators` table that query_run answers.
 *
 * Values are worked out from what query_run answers for each table an
 * indicator refers to, for the same period, region and role, so they
 * always equal what `kuska query` shows that role: a count reference is
 * the sum of its column over the rows that match every filter (without a
 * filter on it, a table's `all` row is left out), a median or share
 * reference the one row it selects (none: no value). A table query_run
 * does not answer (unknown yet, or closed to the role) gives no value.
 * For the secretariat, an indicator that refers to any cell hidden in the
 * secretariat's view of its table is suppressed.
 *
 * Progress runs along the straight line from baseline to target:
 *	elapsed  = semesters from the end of the baseline period to the end
 *	           of P / semesters from there to the end of the target
 *	           period (a year is two semesters)
 *	progress = (value - baseline) / (target - baseline)
 * and the status is achieved (the value reached the target in its
 * direction), else on_track (progress >= 0.95 x elapsed),
 * acceleration_needed (>= 0.6 x elapsed), limited (>= 0), deteriorating
 * (< 0); no_data without a value or for a P that ends before the baseline
 * period does.
 */
#ifndef KUSKA_INDICATORS_H
#define KUSKA_INDICATORS_H

#include <stdbool.h>
#include <stdint.h>

#include "codec.h"
#include "indfile.h"
#include "registry.h"
#include "store.h"

enum ind_status {
	IND_NO_DATA = 0,
	IND_ACHIEVED,
	IND_ON_TRACK,
	IND_ACCELERATION_NEEDED,
	IND_LIMITED,
	IND_DETERIORATING,
	IND_SUPPRESSED,
};

/* One indicator's standing for a period. */
struct ind_result {
	bool has_value;
	double value;
	bool has_progress; /* P ends no earlier than the baseline period */
	double elapsed;
	double progress;
	enum ind_status status;
};

/* The CSV header of the indicators table (EVENTS.md), comma-separated. */
#define INDICATORS_COLUMNS                                                     \
	"period,indicator,name,level,component,key,unit,value,baseline,"       \
	"target,target_period,progress,status"

/* ind_status_name - "achieved", "on_track", ... as the table writes it. */
const char *ind_status_name(enum ind_status s);

/*
 * indicators_judge - the progress and status of ind for period (a year or
 * semester code) given its value (has_value false: none) into *ret. A
 * pure function of its arguments.
 */
void indicators_judge(const struct indicator *ind, uint32_t period,
		      bool has_value, double value, struct ind_result *ret);

/*
 * indicators_evaluate - the standing of every indicator of set (results
 * has set->n entries, in set order) for req's period and region as who
 * sees the tables, with disclosure threshold k, every table read in one
 * read transaction (one state of the store). Returns 0; -EINVAL with
 * the reason in err for a period that is not a year or a semester; or
 * -errno from the store.
 */
int indicators_evaluate(struct store *st, const struct indset *set,
			const struct query_req *req,
			const struct reg_party *who, unsigned k,
			struct ind_result *results, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * indicators_table - the indicators table for req into ret (columns
 * INDICATORS_COLUMNS, one row per indicator of set in file order; set
 * may be NULL: no rows). Values, baselines and targets have up to two
 * decimals, progress three. The values and ret->no_takeups, the note on
 * them, are read in one read transaction: of one state of the store.
 * Returns as query_run does: 0, -EINVAL with ret->error, or -errno.
 * Release ret with codec_qtable_clear.
 */
int indicators_table(struct store *st, const struct indset *set,
		     const struct query_req *req, const struct reg_party *who,
		     unsigned k, struct qtable *ret)
    __attribute__((warn_unused_result));

/* The columns of the indicator_definitions table. */
#define INDICATOR_DEFINITIONS_COLUMNS                                          \
	"indicator,name,unit,direction,frequency,baseline_period,baseline,"    \
	"target_period,target,expression,basis,name_es,name_en"

/*
 * indicators_definitions - what each indicator of set is (the
 * indicator_definitions table, the same for every period and region):
 * one row per indicator in file order, with the expression and basis as
 * written, so that a reader of any figure can see its means of
 * verification. Every role that may query may read it: it holds no
 * count. Returns 0, -EINVAL with ret->error, or -ENOMEM. Release ret
 * with codec_qtable_clear.
 */
int indicators_definitions(const struct indset *set,
			   const struct reg_party *who, unsigned k,
			   struct qtable *ret)
    __attribute__((warn_unused_result));

#endif
