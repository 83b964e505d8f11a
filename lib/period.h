/*
 * period.h - the periods every statistics table is asked for: a calendar
 * year (2026), a semester (2026H1 = January-June, 2026H2 = July-December)
 * or a quarter (2026Q3), of the date a thing happened (Peru time).
 *
 * A period travels as a code: year * 10 for a year, year * 10 + q for
 * quarter q (1..4), year * 10 + 4 + s for semester s (1..2, so 5 and 6).
 * Years run 2000..2999.
 */
#ifndef KUSKA_PERIOD_H
#define KUSKA_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERIOD_NAME_MAX 8 /* "2026Q3" and its NUL, with room */
/* The forms a period takes, for messages. */
#define PERIOD_FORMS "a year (2026), a semester (2026H1) or a quarter (2026Q3)"
#define PERIODS_PER_DAY 3 /* a day lies in one year, semester and quarter */

enum period_kind { PERIOD_YEAR, PERIOD_SEMESTER, PERIOD_QUARTER };

/*
 * period_parse - the code of "2026", "2026H1" or "2026Q3"; the letter may
 * be lower case ("2026h1" names the same semester, and period_name gives
 * it back as "2026H1"). Returns 0, or -EINVAL (and leaves *ret_code
 * alone) for anything else. Every period read (kuska query, report, the
 * consolidator's requests, the indicator file) goes through it.
 */
int period_parse(const char *s, uint32_t *ret_code)
    __attribute__((warn_unused_result));

/*
 * period_problem - why a table cannot be asked for the period s on the day
 * `today` (Peru time), in a sentence for option OPT ("--period") into out;
 * NULL when it can. Records are dated from 2000-01-01 to today, so a year
 * before 2000 or a period that has not begun could only count zeros; a
 * mistyped year (2062 for 2026) is said as such instead.
 */
const char *period_problem(const char *s, int32_t today, const char *opt,
			   char *out, size_t cap);

/* period_name - writes the name of code into out and returns out. */
const char *period_name(uint32_t code, char out[PERIOD_NAME_MAX]);

/* period_kind - what kind of period a valid code is. */
enum period_kind period_kind(uint32_t code);

/*
 * period_codes_of - the year, semester and quarter (in that order) that
 * the day `days` (since 1970-01-01) falls in.
 */
void period_codes_of(int32_t days, uint32_t out[PERIODS_PER_DAY]);

/* period_contains - whether the day lies in the period. */
bool period_contains(uint32_t code, int32_t days);

/* period_first_day, period_last_day - the period's bounds, in days. */
int32_t period_first_day(uint32_t code);
int32_t period_last_day(uint32_t code);

/*
 * period_end_semesters - the end of a year or semester counted in
 * semesters since year 0: 2026H1 ends at 2026 * 2 + 1, 2026 and 2026H2 at
 * 2026 * 2 + 2. Differences of these count semesters between ends (a
 * year is two). Returns -1 for a quarter.
 */
int period_end_semesters(uint32_t code);

#endif
