/*
 * date.h - calendar days in Peru time (UTC-5 all year, no daylight
 * saving), as days since 1970-01-01; the clocks; the time in a file's name.
 */
#ifndef KUSKA_DATE_H
#define KUSKA_DATE_H

#include <stdint.h>
#include <stddef.h>

#define DATE_MIN_YEAR 2000
/* Clocks of node and consolidator further apart than this are reported. */
#define DATE_SKEW_WARN_MS (60 * 1000)

/*
 * date_parse - reads exactly "YYYY-MM-DD" (len bytes, no NUL needed), a
 * real calendar day. Returns 0 and sets *ret_days, or -EINVAL.
 */
int date_parse(const char *s, size_t len, int32_t *ret_days)
    __attribute__((warn_unused_result));

/* date_format - writes "YYYY-MM-DD" into out[11]; returns out. */
const char *date_format(int32_t days, char out[11]);

/* date_from_ymd - days of a valid y-m-d (not checked). */
int32_t date_from_ymd(int y, unsigned m, unsigned d);

/* date_to_ymd - year, month 1..12 and day 1..31 of days. */
void date_to_ymd(int32_t days, int *ret_y, unsigned *ret_m, unsigned *ret_d);

/* date_today - today's date in Peru (UTC-5). */
int32_t date_today(void);

/* date_of_ms - the day in Peru of a Unix time in milliseconds. */
int32_t date_of_ms(uint64_t ms);

/* Whole years between birth and day (age at day); negative if before. */
int date_age_years(int32_t birth, int32_t day);

/* The period codes of a day: year (2026) and quarter (20263 for Q3). */
int date_year(int32_t days);
int date_quarter_code(int32_t days);

/* date_now_ms - the wall clock, milliseconds since the Unix epoch. */
uint64_t date_now_ms(void);

/* date_mono_ms - a monotonic clock in milliseconds, for time-outs. */
uint64_t date_mono_ms(void);

/*
 * date_skew_ms - a clock reading against another (milliseconds since the
 * epoch), a - b. A peer's reading may be anything up to 2^64 - 1: each is
 * taken no further than 2^53 (some 285,000 years), so that the difference,
 * and its negation, cannot overflow.
 */
int64_t date_skew_ms(uint64_t a, uint64_t b);

/*
 * date_skew_words - a clock difference for people, whatever its sign: in
 * days from 2 days on ("60 days"), hours from 2 h ("5 h"), minutes from
 * 2 min ("12 min"), else seconds ("45 s"), rounded to the nearest. A skew
 * measured across a round trip is off by milliseconds, and the age of an event
 * signed ahead grows by the seconds since: cut down, 60 days read "59 days".
 * Writes into out (cap bytes); returns out.
 */
const char *date_skew_words(int64_t ms, char *out, size_t cap);

#define DATE_STAMP_SIZE 17 /* "YYYYMMDDTHHMMSSZ" and its NUL */

/*
 * date_stamp - writes the present time in UTC as "YYYYMMDDTHHMMSSZ" into
 * out, for the name of a file set aside (no ':', sorts by time); returns
 * out.
 */
const char *date_stamp(char out[DATE_STAMP_SIZE]);

#endif
