/*
 * sdg_table.h - the `sdg16_2_2` table: SDG indicator 16.2.2, victims of
 * trafficking per 100,000 population, for a period, national or for one
 * region, with the population of the period's year from the population
 * file (popfile.h).
 *
 * Nine rows: sex F, M and all, each by age group 0-17, 18+ and all (in
 * that order). Each has the group's population, the victims identified
 * in the period and their rate per 100,000 of the group's population
 * (two decimals; for a semester or a quarter the rate is over that
 * period, not a year's). The last row (all, all) also has the stepwise
 * estimate of the `estimate` table and its rate: that estimate counts
 * every victim, detected or not, of both sexes and every age; no
 * estimate is made by sex or by age group. Victims of unknown sex count
 * only in the rows of sex `all`. The last row's source is the population
 * file's own "# source:" line (popfile.h), empty when it has none.
 *
 * Every figure comes from what query_run answers the same role for the
 * tables it is made of (identification, breakdown, estimate) and, for the
 * cells by sex and age group together, from their own counter; so the
 * secretariat sees a count, a rate or the estimate only where its own
 * view of those tables shows what it is computed from, and the sex by
 * age group cells not at all (they are not in any table disclosure
 * control covers; docs/DISCLOSURE.md). An institution is refused, as for
 * the estimate.
 */
#ifndef KUSKA_SDG_TABLE_H
#define KUSKA_SDG_TABLE_H

#include "codec.h"
#include "popfile.h"
#include "registry.h"
#include "store.h"

#define SDG_COLUMNS                                                            \
	"period,sex,age_group,population,victims,victims_per_100k,estimate,"   \
	"estimate_per_100k,note,source"

/*
 * sdg_set_population - the population figures the table answers from
 * from now on (NULL: none configured; the table is then refused). The
 * caller keeps set alive while a table is answered from it (the query
 * thread sets the one in force before each request: query_net_answer.c).
 * Returns the figures it replaces.
 */
const struct popset *sdg_set_population(const struct popset *set);

/*
 * sdg_table - the sdg16_2_2 table for req as who sees it, with
 * disclosure threshold k, into ret (columns SDG_COLUMNS). Returns as
 * query_run does: 0; -EINVAL with ret->error (a bad period or region, a
 * role that may not see it, no population figures for the year and
 * region); or -errno. Release ret with codec_qtable_clear.
 */
int sdg_table(struct store *st, const struct query_req *req,
	      const struct reg_party *who, unsigned k, struct qtable *ret)
    __attribute__((warn_unused_result));

#endif
