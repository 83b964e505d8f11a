/* period.c - years, semesters and quarters; see period.h. */
#include "period.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

int
period_parse(const char *s, uint32_t *ret_code)
{
	size_t len = strlen(s);
	unsigned y = 0;
	size_t i;
	char letter;

	if (len != 4 && len != 6)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		y = y * 10 + (unsigned)(s[i] - '0');
	}
	if (y < 2000 || y > 2999)
		return -EINVAL;
	if (len == 4) {
		*ret_code = y * 10;
		return 0;
	}
	/* Typed by hand, "2025h2" is as plain as "2025H2". */
	letter = s[4] == 'q' ? 'Q' : s[4] == 'h' ? 'H' : s[4];
	if (letter == 'Q' && s[5] >= '1' && s[5] <= '4') {
		*ret_code = y * 10 + (unsigned)(s[5] - '0');
		return 0;
	}
	if (letter == 'H' && (s[5] == '1' || s[5] == '2')) {
		*ret_code = y * 10 + 4 + (unsigned)(s[5] - '0');
		return 0;
	}
	return -EINVAL;
}

const char *
period_problem(const char *s, int32_t today, const char *opt, char *out,
	       size_t cap)
{
	uint32_t code;
	char day[11];
	unsigned y = 0;
	size_t i, len = strlen(s);

	for (i = 0; i < 4 && s[i] >= '0' && s[i] <= '9'; i++)
		y = y * 10 + (unsigned)(s[i] - '0');
	if (i == 4 && y < DATE_MIN_YEAR && (len == 4 || len == 6)) {
		snprintf(out, cap,
			 "%s %s: before %d: no record is dated before "
			 "%d-01-01",
			 opt, s, DATE_MIN_YEAR, DATE_MIN_YEAR);
		return out;
	}
	/* A month (2026-11), as an officer who loaded one asks for it:
	 * the tables are by year, semester and quarter; name its own. */
	if (i == 4 && len == 7 && s[4] == '-' &&
	    strspn(s + 5, "0123456789") == 2 && y >= DATE_MIN_YEAR &&
	    y <= 2999) {
		unsigned m =
		    (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
		if (m >= 1 && m <= 12) {
			snprintf(
			    out, cap,
			    "bad %s \"%s\": a month is not a period of "
			    "the tables, which are by year (2026), semester "
			    "(2026H1) or quarter (2026Q3): %s is in %uQ%u "
			    "and %uH%u",
			    opt, s, s, y, (m + 2) / 3, y, (m + 5) / 6);
			return out;
		}
	}
	if (period_parse(s, &code) != 0) {
		snprintf(out, cap,
			 "bad %s \"%s\": " PERIOD_FORMS,
			 opt, s);
		return out;
	}
	if (period_first_day(code) > today) {
		snprintf(out, cap,
			 "%s %s has not begun (today is %s, Peru time): no "
			 "record is dated after today",
			 opt, s, date_format(today, day));
		return out;
	}
	return NULL;
}

enum period_kind
period_kind(uint32_t code)
{
	unsigned p = code % 10;

	if (p == 0)
		return PERIOD_YEAR;
	return p <= 4 ? PERIOD_QUARTER : PERIOD_SEMESTER;
}

const char *
period_name(uint32_t code, char out[PERIOD_NAME_MAX])
{
	unsigned y = code / 10 % 10000, p = code % 10;

	if (p == 0)
		snprintf(out, PERIOD_NAME_MAX, "%04u", y);
	else if (p <= 4)
		snprintf(out, PERIOD_NAME_MAX, "%04uQ%u", y, p);
	else
		snprintf(out, PERIOD_NAME_MAX, "%04uH%u", y, p - 4);
	return out;
}

void
period_codes_of(int32_t days, uint32_t out[PERIODS_PER_DAY])
{
	int y;
	unsigned m, d;

	date_to_ymd(days, &y, &m, &d);
	out[0] = (uint32_t)y * 10;
	out[1] = (uint32_t)y * 10 + (m <= 6 ? 5 : 6);
	out[2] = (uint32_t)y * 10 + (m - 1) / 3 + 1;
}

bool
period_contains(uint32_t code, int32_t days)
{
	uint32_t ps[PERIODS_PER_DAY];
	size_t i;

	period_codes_of(days, ps);
	for (i = 0; i < PERIODS_PER_DAY; i++)
		if (ps[i] == code)
			return true;
	return false;
}

/* The first and last month (1..12) of a period. */
static void
months_of(uint32_t code, unsigned *first, unsigned *last)
{
	unsigned p = code % 10;

	if (p == 0) {
		*first = 1;
		*last = 12;
	} else if (p <= 4) {
		*first = 3 * p - 2;
		*last = 3 * p;
	} else {
		*first = p == 5 ? 1 : 7;
		*last = p == 5 ? 6 : 12;
	}
}

int32_t
period_first_day(uint32_t code)
{
	unsigned first, last;

	months_of(code, &first, &last);
	return date_from_ymd((int)(code / 10), first, 1);
}

int32_t
period_last_day(uint32_t code)
{
	unsigned first, last;

	months_of(code, &first, &last);
	if (last == 12)
		return date_from_ymd((int)(code / 10) + 1, 1, 1) - 1;
	return date_from_ymd((int)(code / 10), last + 1, 1) - 1;
}

int
period_end_semesters(uint32_t code)
{
	int y = (int)(code / 10);

	switch (period_kind(code)) {
	case PERIOD_YEAR:
		return y * 2 + 2;
	case PERIOD_SEMESTER:
		return y * 2 + (int)(code % 10) - 4;
	default:
		return -1;
	}
}
