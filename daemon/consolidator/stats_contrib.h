/*
 * stats_contrib.h - what the facts of a victim, a referral, a case and a
 * record's timeliness add to the counters (the tables of stats.h), as
 * changes by counter key into a delta table. Internal to the statistics
 * engine (stats_int.h), which keeps the facts and decides what is taken
 * off and added again; these only count. Each adds sign times the
 * contribution (sign -1 takes it off) and sets *err to -ENOMEM when an add
 * or a copy failed (some rows are then lost: the batch must be discarded);
 * *err is left alone otherwise.
 */
#ifndef KUSKA_STATS_CONTRIB_H
#define KUSKA_STATS_CONTRIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fact.h"

struct delta_table;

/*
 * stats_contrib_victim - one victim, the facts of her identifications and
 * services (n of them, any order), nationally and for each institution
 * whose own records she holds. An unlinkable victim has one fact and her
 * own "unlinkable" overlap row.
 */
void stats_contrib_victim(struct delta_table *to, const struct fact *f,
			  size_t n, bool unlinkable, int64_t sign, int *err);

/*
 * stats_contrib_referral - one referral (sender from, destination dest,
 * a number), whose facts are the sender's referral records and the
 * destination's take-ups. National rows only: an institution sees those
 * it is the sender or the destination of (query_tables.c filters them).
 */
void stats_contrib_referral(struct delta_table *to, uint8_t from, uint8_t dest,
			    const struct fact *f, size_t n, int64_t sign,
			    int *err);

/*
 * stats_contrib_case - one case, the facts of its stages, nationally and
 * for each institution whose own records it holds.
 */
void stats_contrib_case(struct delta_table *to, const struct fact *f, size_t n,
			int64_t sign, int *err);

/*
 * stats_contrib_timeliness - one record of f's institution, dated as it
 * now is, accepted on day accepted (when it first was). National
 * counters; the row of all institutions is their sum, made when asked
 * (query_tables.c).
 */
void stats_contrib_timeliness(struct delta_table *to, const struct fact *f,
			      int32_t accepted, int64_t sign, int *err);

#endif
