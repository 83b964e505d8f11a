/*
 * query_int.h - what the files of kuska query share: query.c (the
 * arguments, the request and its answer), query_print.c (the table as
 * aligned text, as blocks, as CSV) and query_notes.c (the notes on
 * standard error). Internal to the three: cmd.h is the command,
 * query_json.h the JSON.
 */
#ifndef KUSKA_QUERY_INT_H
#define KUSKA_QUERY_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"

enum format { FMT_TEXT, FMT_CSV, FMT_JSON };

/* ---- query.c ------------------------------------------------------------ */

/* Whether the table is the same for every period. */
bool query_timeless(const char *table);

/* ---- query_print.c: the table on standard output ------------------------- */

/* The table as aligned text: numbers right-aligned, words left-aligned. */
void query_print_text(const struct qtable *t);

/*
 * A table whose cells are long texts (the indicators' definitions: an
 * expression, a basis of several sentences) as one block per row,
 * "column: value", wrapped: as columns its lines run to hundreds of
 * characters.
 */
void query_print_blocks(const struct qtable *t);

/*
 * The indicators' answer as text within 100 columns: as columns its 13
 * fields made lines of about 200 characters. Three lines an indicator,
 * a blank line after each: its period, id, key, level and component; its
 * unit and figures (value, baseline, target and its period, progress,
 * status), aligned across the indicators; its name, wrapped. A header of
 * the same three lines names the columns. An answer with other columns
 * (a consolidator of another kuska) goes as blocks.
 */
void query_print_indicators(const struct qtable *t);

/* The table as CSV, a header line first; no field a formula when opened
 * (csvcell.h); every text cell of a column of codes of table (the
 * breakdown's value: a region 01 to 25) or of periods (period,
 * target_period: 2026 as 2026H2) quoted. */
void query_print_csv(const struct qtable *t, const char *table);

/* The consolidator's refusal of a table (error, its text) on f, as
 * "kuska query: ERROR"; a table it does not know, which this kuska knows,
 * said to be of a kuska later than the consolidator's. */
void query_print_refusal(FILE *f, const char *error);

/* ---- query_notes.c: what the table alone does not say ---------------------
 */

/*
 * Says on standard error, after the table q asked for (tab, printed in
 * fmt) of period (code) as of day today, what a reader would misread in
 * it: a period not over or just over, the mark of a withheld count, an
 * answer of zeros, national baselines, destinations with no take-up, an
 * institution's own view, negative medians, un's take-ups that match no
 * referral (un: the referrals_unmatched answer of the same period and
 * region when q asked for referrals, cases_unmatched's when it asked for
 * prosecution or funnel, else zeroed) and un's cases no complaint names, rates
 * past 100 and counts whose status reads low (or high, to bring down), no
 * indicator configured. The CSV and the JSON stay the table alone.
 */
void query_notes(const struct query_req *q, const struct qtable *tab,
		 const struct qtable *un, const char *period, uint32_t code,
		 int32_t today, enum format fmt);

#endif
