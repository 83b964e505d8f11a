/* date.c - civil calendar arithmetic; see date.h. */
#include "date.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

/* Days from civil, after Howard Hinnant's public-domain algorithm. */
int32_t
date_from_ymd(int y, unsigned m, unsigned d)
{
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

void
date_to_ymd(int32_t days, int *ret_y, unsigned *ret_m, unsigned *ret_d)
{
	int32_t z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = (int)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	*ret_y = y + (m <= 2);
	*ret_m = m;
	*ret_d = d;
}

static int
days_in_month(int y, unsigned m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dim[m - 1];
}

int
date_parse(const char *s, size_t len, int32_t *ret_days)
{
	int y = 0;
	unsigned m, d;
	size_t i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	}
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1 || m < 1 || m > 12 || d < 1 || (int)d > days_in_month(y, m))
		return -EINVAL;
	*ret_days = date_from_ymd(y, m, d);
	return 0;
}

const char *
date_format(int32_t days, char out[11])
{
	int y;
	unsigned m, d;

	date_to_ymd(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return out;
}

int32_t
date_today(void)
{
	time_t now = time(NULL) - 5 * 3600;

	return (int32_t)(now / 86400 - (now % 86400 < 0));
}

int32_t
date_of_ms(uint64_t ms)
{
	int64_t s = (int64_t)(ms / 1000) - 5 * 3600;

	return (int32_t)(s / 86400 - (s % 86400 < 0));
}

int
date_age_years(int32_t birth, int32_t day)
{
	int by, y;
	unsigned bm, bd, m, d;
	int age;

	date_to_ymd(birth, &by, &bm, &bd);
	date_to_ymd(day, &y, &m, &d);
	age = y - by;
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

int
date_year(int32_t days)
{
	int y;
	unsigned m, d;

	date_to_ymd(days, &y, &m, &d);
	return y;
}

int
date_quarter_code(int32_t days)
{
	int y;
	unsigned m, d;

	date_to_ymd(days, &y, &m, &d);
	return y * 10 + (int)((m - 1) / 3 + 1);
}

uint64_t
date_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
date_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t
date_skew_ms(uint64_t a, uint64_t b)
{
	const uint64_t cap = (uint64_t)1 << 53;

	return (int64_t)(a < cap ? a : cap) - (int64_t)(b < cap ? b : cap);
}

const char *
date_skew_words(int64_t ms, char *out, size_t cap)
{
	static const struct {
		uint64_t ms;
		const char *name;
	} units[] = {{86400000, "days"}, {3600000, "h"}, {60000, "min"}};
	/* Negated as unsigned: INT64_MIN has no positive twin. */
	uint64_t a = ms < 0 ? -(uint64_t)ms : (uint64_t)ms;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (a / units[i].ms >= 2) {
			snprintf(out, cap, "%llu %s",
				 (unsigned long long)(a / units[i].ms +
						      (a % units[i].ms >=
						       units[i].ms / 2)),
				 units[i].name);
			return out;
		}
	}
	snprintf(out, cap, "%llu s",
		 (unsigned long long)(a / 1000 + (a % 1000 >= 500)));
	return out;
}

const char *
date_stamp(char out[DATE_STAMP_SIZE])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, DATE_STAMP_SIZE, "%Y%m%dT%H%M%SZ", &tm);
	return out;
}
