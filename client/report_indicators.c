/*
 * report_indicators.c - the key indicators' section of kuska report's
 * page: the table of the key indicators and of the others, and each one's
 * trend, semester by semester, or year by year for a count read by year
 * (INDICATORS.md). See report_int.h.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "event.h"
#include "html.h"
#include "i18n.h"
#include "period.h"
#include "rates.h"
#include "report.h"
#include "report_int.h"
#include "svg.h"

/* ---- indicators ------------------------------------------------------- */

static bool
key_row(const struct qtable *t, size_t row)
{
	return strcmp(rp_text_of(t, row, "key"), "yes") == 0;
}

static bool
other_row(const struct qtable *t, size_t row)
{
	return !key_row(t, row);
}

static const char *
unit_suffix(const char *unit)
{
	if (strcmp(unit, "percent") == 0)
		return "%";
	if (strcmp(unit, "days") == 0)
		return tr(M_DAYS_UNIT);
	return "";
}

/* Whether row of the indicators answer t has a status the consolidator
 * judged: neither withheld (suppressed) nor without a value (no_data),
 * which the report's own statuses leave as they are. */
static bool
judged(const struct qtable *t, size_t row)
{
	const char *status = rp_text_of(t, row, "status");

	return strcmp(status, "suppressed") != 0 &&
	       strcmp(status, "no_data") != 0;
}

/*
 * Whether row of the indicators answer t is a count read by year
 * (frequency year) in a semester's report: its value is about half a
 * year's, so its progress against a year's target, and the status from
 * it, would mislead (INDICATORS.md: read counts by year). A withheld one
 * stays withheld, and a no_data one says what its no_data means: no
 * value, or a period before the end of the baseline's (in_baseline).
 */
static bool
by_year(const struct report *r, const struct qtable *t, size_t row)
{
	return period_kind(r->code) == PERIOD_SEMESTER &&
	       strcmp(rp_text_of(t, row, "frequency"), "year") == 0 &&
	       judged(t, row);
}

/*
 * Whether row of the indicators answer t has reached a target above its
 * baseline: a count, which only grows, stays there however the period
 * ends, so "achieved" is true already. One below its baseline (fewer is
 * better) is not: the period's remaining records may still pass it.
 */
static bool
reached_for_good(const struct qtable *t, size_t row)
{
	struct svg_val b = rp_val(t, row, "baseline"),
		       g = rp_val(t, row, "target");

	return strcmp(rp_text_of(t, row, "status"), "achieved") == 0 &&
	       b.kind == SVG_NUM && g.kind == SVG_NUM && g.v > b.v;
}

static bool
count_row(const struct qtable *t, size_t row)
{
	return strcmp(rp_text_of(t, row, "unit"), "count") == 0;
}

/*
 * Whether row of the indicators answer t counts the victims identified
 * in the whole view (its expression identification.victims
 * [institution=all], spaces aside, a count): the page's headline number,
 * of victims of every age, which the breakdown's age groups share out.
 */
static bool
identified_row(const struct qtable *t, size_t row)
{
	static const char *const want =
	    "identification.victims[institution=all]";
	const char *e = rp_text_of(t, row, "expression");
	char s[64];
	size_t n = 0;

	for (; *e != '\0' && n + 1 < sizeof(s); e++)
		if (!isspace((unsigned char)*e))
			s[n++] = *e;
	s[n] = '\0';
	return count_row(t, row) && strcmp(s, want) == 0;
}

/*
 * Whether row of the indicators answer t is a count (unit count) in the
 * report of a period not over yet (its last day is today or later): a
 * total that only grows until the period ends and its records arrive, so
 * its progress against a whole period's target, and the status from it,
 * would read the calendar as a setback. As for by_year, a withheld one
 * stays withheld and a no_data one says what its no_data means.
 */
static bool
period_open(const struct report *r, const struct qtable *t, size_t row)
{
	return period_last_day(r->code) >= r->d->today && count_row(t, row) &&
	       judged(t, row) && !reached_for_good(t, row);
}

/*
 * Whether row of the indicators answer t is no_data and yet has a value:
 * the period ends before the indicator's baseline period does, when the
 * value is measured (a baseline is) but progress has not started
 * (INDICATORS.md). "No data" beside its value would contradict it.
 */
static bool
in_baseline(const struct qtable *t, size_t row)
{
	return strcmp(rp_text_of(t, row, "status"), "no_data") == 0 &&
	       rp_val(t, row, "value").kind == SVG_NUM;
}

/* The report's own status for a row, in place of the consolidator's:
 * "by_year", "period_open", "baseline_period", or NULL for the
 * consolidator's. A semester's count of a year is read by year even in a
 * semester not over yet: the year's report is where it is judged. */
static const char *
report_status(const struct report *r, const struct qtable *t, size_t row)
{
	if (by_year(r, t, row))
		return "by_year";
	if (period_open(r, t, row))
		return "period_open";
	if (in_baseline(t, row))
		return "baseline_period";
	return NULL;
}

/* The status a row shows: the report's own, or the consolidator's. */
static const char *
shown_status(const struct report *r, const struct qtable *t, size_t row)
{
	const char *s = report_status(r, t, row);

	return s != NULL ? s : rp_text_of(t, row, "status");
}

/* Whether row of t is withheld (status suppressed): its value reads
 * "–", and the badge alone would not say why. */
static bool
withheld_row(const struct qtable *t, size_t row)
{
	return strcmp(rp_text_of(t, row, "status"), "suppressed") == 0;
}

/* Whether cell col of row is withheld: the value or progress of an
 * indicator withheld (withheld_row). */
static bool
withheld_cell(const struct qtable *t, size_t row, const char *col)
{
	return (strcmp(col, "value") == 0 || strcmp(col, "progress") == 0) &&
	       withheld_row(t, row);
}

const char *
rp_indicator_word(const struct report *r, const struct qtable *t, size_t row,
		  const char *col)
{
	if (strcmp(col, "progress") == 0 || strcmp(col, "status") == 0) {
		const char *s = report_status(r, t, row);
		if (s != NULL)
			return s;
	}
	if (withheld_cell(t, row, col))
		return "suppressed";
	return NULL;
}

const char *
rp_indicator_instead(const struct html_table *ht, size_t row, const char *col)
{
	return rp_indicator_word(ht->ctx, ht->t, row, col);
}

/* Whether a row keep shows (NULL: all) has the report's own status s. */
static bool
any_report_status(const struct report *r, const struct qtable *t,
		  bool (*keep)(const struct qtable *, size_t), const char *s)
{
	const char *own;
	size_t i;

	for (i = 0; i < t->n_rows; i++) {
		if (keep != NULL && !keep(t, i))
			continue;
		own = report_status(r, t, i);
		if (own != NULL && strcmp(own, s) == 0)
			return true;
	}
	return false;
}

/* Whether a row keep shows (NULL: all) is. */
static bool
any_row(const struct qtable *t, bool (*keep)(const struct qtable *, size_t),
	bool (*is)(const struct qtable *, size_t))
{
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if ((keep == NULL || keep(t, i)) && is(t, i))
			return true;
	return false;
}

static bool
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/*
 * Whether the expression e refers to table: its name, whole, then "."
 * and, col non-NULL, the column col, whole (the consolidator lets
 * spaces come before the column).
 */
static bool
refers_to(const char *e, const char *table, const char *col)
{
	size_t n = strlen(table), m = col != NULL ? strlen(col) : 0;
	const char *p, *c;

	for (p = e; (p = strstr(p, table)) != NULL; p++) {
		if ((p > e && name_char(p[-1])) || p[n] != '.')
			continue;
		c = p + n + 1 + strspn(p + n + 1, " \t");
		if (col == NULL ||
		    (strncmp(c, col, m) == 0 && !name_char(c[m])))
			return true;
	}
	return false;
}

/*
 * Whether row of t is an indicator on the prosecution funnel or on the
 * referrals taken up: it counts the period's complaints or referrals as
 * they stand today, so a recent period reads low until its cases advance
 * and its take-ups arrive (INDICATORS.md).
 */
static bool
followed_to_today(const struct qtable *t, size_t row)
{
	const char *e = rp_text_of(t, row, "expression");

	return refers_to(e, "funnel", NULL) ||
	       refers_to(e, "referrals", "taken_up");
}

/*
 * Whether row of t is an indicator on a median of days, or a share within
 * 30 days, over what has happened by today: the days to take-up count
 * only the referrals taken up, the timeliness only the records accepted,
 * so a recent period reads shorter and fresher until the late ones arrive
 * (EVENTS.md). Not the durations, over cases dated by their later stage,
 * nor protection, by the service: what they count has happened.
 */
static bool
arrived_by_today(const struct qtable *t, size_t row)
{
	const char *e = rp_text_of(t, row, "expression");

	return refers_to(e, "referrals", "median_days") ||
	       refers_to(e, "timeliness", "median_days") ||
	       refers_to(e, "timeliness", "within_30_days_pct");
}

/*
 * Whether row of t is an indicator on the referrals taken up (or pending,
 * or their days, or the take-ups no referral matches): one that reads 0
 * or nothing where a destination records no take-ups at all.
 */
static bool
reads_takeups(const struct qtable *t, size_t row)
{
	const char *e = rp_text_of(t, row, "expression");

	return refers_to(e, "referrals", "taken_up") ||
	       refers_to(e, "referrals", "pending") ||
	       refers_to(e, "referrals", "median_days") ||
	       refers_to(e, "referrals_unmatched", NULL);
}

/*
 * Whether row of t is an indicator that is a share of records within 30
 * days (its expression timeliness.within_30_days_pct[...] alone, spaces
 * aside) and reads 0: none of the period's records reached the
 * consolidator within 30 days of its date, as when an institution loads
 * months of records at once or a node sends nothing for weeks. A reader
 * could not tell that from a failure of the institution's work (walk56b:
 * records all submitted on one day, long after their dates, read 0.0%).
 */
static bool
timeliness_zero(const struct qtable *t, size_t row)
{
	static const char want[] = "timeliness.within_30_days_pct[";
	const char *e = rp_text_of(t, row, "expression");
	struct svg_val v = rp_val(t, row, "value");
	char s[160];
	size_t n = 0;

	for (; *e != '\0' && n + 1 < sizeof(s); e++)
		if (!isspace((unsigned char)*e))
			s[n++] = *e;
	s[n] = '\0';
	return v.kind == SVG_NUM && v.v == 0 &&
	       strncmp(s, want, sizeof(want) - 1) == 0 &&
	       strchr(s + sizeof(want) - 1, '[') == NULL && n > 0 &&
	       s[n - 1] == ']';
}

/*
 * The names of the rows keep shows (NULL: all) of t that which is true
 * of (a rate over 100 per 100, rates.h; a share within 30 days reading 0),
 * each quoted, joined by ", ", into buf; "" if none. Returns buf.
 */
static char *
rows_named(const struct qtable *t, bool (*keep)(const struct qtable *, size_t),
	   bool (*which)(const struct qtable *, size_t), char *buf, size_t cap)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < t->n_rows; i++) {
		char quoted[160];
		int w;
		if ((keep != NULL && !keep(t, i)) || !which(t, i))
			continue;
		snprintf(quoted, sizeof(quoted), tr(M_QUOTED),
			 rp_text_of(t, i, "name"));
		w = snprintf(buf + len, cap - len, "%s%s", len > 0 ? ", " : "",
			     quoted);
		if (w < 0 || (size_t)w >= cap - len) {
			buf[len] = '\0'; /* the names that fit */
			break;
		}
		len += (size_t)w;
	}
	return buf;
}

void
rp_indicator_notes(struct report *r, const struct qtable *t,
		   bool (*keep)(const struct qtable *, size_t))
{
	char names[512];

	if (any_row(t, keep, reads_takeups) &&
	    rp_no_takeups(r, t, names, sizeof(names))[0] != '\0') {
		fprintf(r->f, " ");
		rp_put(r, tr(M_NO_TAKEUPS_IND_NOTE), names);
	}
	if (rows_named(t, keep, rates_over_100, names, sizeof(names))[0] !=
	    '\0') {
		fprintf(r->f, " ");
		rp_put(r, tr(M_RATE_OVER_100_NOTE), names);
	}
	if (any_report_status(r, t, keep, "by_year")) {
		/* The year's report of a year not over yet reads its counts
		 * when the year ends: the note sends the reader there. */
		uint32_t year = r->code / 10 * 10;
		char last[11];
		fprintf(r->f, " ");
		if (period_last_day(year) >= r->d->today)
			rp_put(r, tr(M_BY_YEAR_OPEN_NOTE),
			       i18n_word("status", "by_year"),
			       (int)(r->code / 10),
			       date_format(period_last_day(year), last));
		else
			rp_put(r, tr(M_BY_YEAR_NOTE),
			       i18n_word("status", "by_year"),
			       (int)(r->code / 10));
	}
	if (any_report_status(r, t, keep, "period_open")) {
		char last[11];
		fprintf(r->f, " ");
		rp_put(r, tr(M_PERIOD_OPEN_NOTE),
		       i18n_word("status", "period_open"),
		       date_format(period_last_day(r->code), last));
	}
	if (any_report_status(r, t, keep, "baseline_period")) {
		fprintf(r->f, " ");
		rp_put(r, tr(M_BASELINE_NOTE),
		       i18n_word("status", "baseline_period"));
	}
	/* An institution's view evaluates the same expression over its own
	 * events, against the one baseline and target (INDICATORS.md): a
	 * count of part of the country set against the whole. */
	if (r->region != NULL && any_row(t, keep, count_row)) {
		char where[REGION_LABEL_MAX + 32];
		snprintf(where, sizeof(where), tr(M_REGION_WORDS),
			 r->region_label);
		fprintf(r->f, " ");
		rp_put(r, tr(M_NATIONAL_NOTE), where);
	} else if (rp_own_view(r) && any_row(t, keep, count_row)) {
		fprintf(r->f, " ");
		rp_put(r, tr(M_NATIONAL_NOTE), rp_own_word(r));
	}
	if (any_row(t, keep, followed_to_today)) {
		fprintf(r->f, " ");
		rp_put(r, tr(M_FOLLOWED_NOTE),
		       i18n_word("status", "deteriorating"));
	}
	if (any_row(t, keep, arrived_by_today)) {
		fprintf(r->f, " ");
		rp_put(r, tr(M_ARRIVED_NOTE), i18n_word("status", "achieved"));
	}
	if (rows_named(t, keep, timeliness_zero, names, sizeof(names))[0] !=
	    '\0') {
		fprintf(r->f, " ");
		rp_put(r, tr(M_TIMELINESS_ZERO_NOTE), names);
	}
}

/* The row of indicator id in t, or -1. */
static int
indicator_row(const struct qtable *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if (strcmp(rp_text_of(t, i, "indicator"), id) == 0)
			return (int)i;
	return -1;
}

static const struct html_col indicator_cols[] = {
    {"name", NULL, HTML_LABEL},	     {"value", NULL, HTML_VALUE},
    {"unit", NULL, HTML_WORD},	     {"baseline", NULL, HTML_VALUE},
    {"target", NULL, HTML_VALUE},    {"target_period", NULL, HTML_VALUE},
    {"progress", NULL, HTML_VALUE},  {"status", NULL, HTML_BADGE},
    {"indicator", NULL, HTML_VALUE}, {"expression", NULL, HTML_EXPR},
};

#define N_INDICATOR_COLS (sizeof(indicator_cols) / sizeof(indicator_cols[0]))

/* What a cell of the trend table showed, for the notes under it. */
#define TREND_VALUE 0
#define TREND_NONE 1	 /* no value: "–" */
#define TREND_WITHHELD 2 /* suppressed for disclosure */

/*
 * The value of indicator ind in the answer t for period p of the trend.
 * A withheld one (status suppressed: it rests on a withheld figure) says
 * so, as the other tables show a withheld count, rather than "–", which
 * is no data.
 */
static unsigned
trend_td(struct report *r, const struct qtable *t, const char *p,
	 const char *ind)
{
	int row = indicator_row(t, ind);

	if (row < 0) {
		fprintf(r->f, "<td class=\"na\">\u2013</td>");
		return TREND_NONE;
	}
	if (strcmp(rp_text_of(t, (size_t)row, "status"), "suppressed") != 0) {
		html_td(r->f, t, (size_t)row, "value", "indicators", p,
			r->region, NULL);
		return html_cell(t, (size_t)row, "value") == NULL ||
			       html_cell(t, (size_t)row, "value")->kind ==
				   CELL_EMPTY
			   ? TREND_NONE
			   : TREND_VALUE;
	}
	html_td_open(r->f, " class=\"sup\"", "indicators", p, r->region,
		     (size_t)row, "value");
	fprintf(r->f, " data-v=\"\">");
	html_escape(r->f, i18n_word("status", "suppressed"));
	fprintf(r->f, "</td>");
	return TREND_WITHHELD;
}

bool
report_year_whole(uint32_t code, uint32_t y, int32_t today)
{
	return period_end_semesters(code) >= period_end_semesters(y * 10) &&
	       period_last_day(y * 10) < today;
}

/*
 * Whether row of t is read by year (frequency year): a count, whose
 * trend follows whole years, as its target does, not semesters, each
 * about half a year's (INDICATORS.md).
 */
static bool
yearly(const struct qtable *t, size_t row)
{
	return strcmp(rp_text_of(t, row, "frequency"), "year") == 0;
}

/* Whether a row keep shows is read by year (yearly). */
static bool
any_yearly(const struct qtable *t, bool (*keep)(const struct qtable *, size_t),
	   bool want)
{
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if (keep(t, i) && yearly(t, i) == want)
			return true;
	return false;
}

/* Under a card of whole years: it follows them (as its target, for one
 * read by year), and which year of the trend it leaves out, and why. */
static void
yearly_note(struct report *r, bool as_target)
{
	uint32_t y = r->code / 10;
	char last[PERIOD_NAME_MAX];

	fprintf(r->f, "<p>");
	html_escape(r->f, tr(as_target ? M_YEARLY_CARD : M_YEARS_CARD));
	if (!report_year_whole(r->code, y, r->d->today)) {
		fprintf(r->f, " ");
		if (period_last_day(y * 10) >= r->d->today)
			rp_put(r, tr(M_YEAR_NOT_OVER), (int)y);
		else
			rp_put(r, tr(M_YEAR_PAST_REPORT), (int)y,
			       period_name(r->code, last));
	}
	fprintf(r->f, "</p>\n");
}

/*
 * Under a card's value v of victims identified in period at: how many
 * were children, from the breakdown of that period (the report's, or in
 * a semester's report the last whole year's); nothing when none was
 * asked for it.
 */
static void
card_children(struct report *r, const char *at, struct svg_val v)
{
	const struct report_data *d = r->d;

	if (strcmp(at, r->period) == 0)
		rp_children_para(r, &d->t[RT_BREAKDOWN], at, v, true);
	else if (strcmp(at, d->year_breakdown_period) == 0)
		rp_children_para(r, &d->year_breakdown, at, v, true);
}

/*
 * Under an indicators' table of the rows keep shows: how many of the
 * victims identified that a row counts (identified_row) were children,
 * in a sentence of its own, not in a cell (each cell is one count of
 * its query). Nothing for a withheld row: it shows no count to share out.
 */
static void
table_children(struct report *r, const struct qtable *t,
	       bool (*keep)(const struct qtable *, size_t))
{
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if ((keep == NULL || keep(t, i)) && identified_row(t, i) &&
		    !withheld_row(t, i))
			rp_children_para(r, &r->d->t[RT_BREAKDOWN], r->period,
					 rp_val(t, i, "value"), false);
}

/* Whether the trend is of whole years alone: the consolidator refused
 * the role the region's semesters (report_data's trend_refused), and gave
 * its years. */
static bool
years_alone(const struct report_data *d)
{
	return d->n_trend == 0 && d->n_year > 0;
}

/*
 * The card of row i of t: a small chart of its values, semester by
 * semester, or for one read by year year by year (the whole years only:
 * a year's count against a year's target), with its baseline and target.
 * A trend of whole years alone (the region's semesters refused the role:
 * report_data's trend_refused) draws every card year by year.
 */
static void
trend_card(struct report *r, const struct qtable *t, size_t i)
{
	const struct report_data *d = r->d;
	const char *ind = rp_text_of(t, i, "indicator");
	const char *unit = unit_suffix(rp_text_of(t, i, "unit"));
	const char *status = shown_status(r, t, i);
	const char *x[REPORT_MAX_TREND], *at = r->period;
	struct svg_val y[REPORT_MAX_TREND], v = rp_val(t, i, "value");
	bool by_years = yearly(t, i) || years_alone(d);
	bool withheld[REPORT_MAX_TREND], drawn, hid;
	bool w = strcmp(rp_text_of(t, i, "status"), "suppressed") == 0;
	size_t n = by_years ? d->n_year : d->n_trend, s;
	struct svg_trend c;
	char id[32], a[48], b[48];

	for (s = 0; s < n; s++) {
		const struct qtable *p = by_years ? &d->year[s] : &d->trend[s];
		int row = indicator_row(p, ind);
		x[s] = by_years ? d->year_period[s] : d->trend_period[s];
		y[s] = row < 0 ? svg_none() : rp_val(p, (size_t)row, "value");
		withheld[s] =
		    row >= 0 && strcmp(rp_text_of(p, (size_t)row, "status"),
				       "suppressed") == 0;
	}
	/* In a semester's report, the card of a count tells its last whole
	 * year, the value its chart ends with, not half a year's. */
	if (by_years && n > 0 && period_kind(r->code) == PERIOD_SEMESTER) {
		at = x[n - 1];
		v = y[n - 1];
		w = withheld[n - 1];
	}
	memset(&c, 0, sizeof(c));
	snprintf(id, sizeof(id), "trend-%zu", i);
	c.id = id;
	c.title = rp_text_of(t, i, "name");
	c.x = x;
	c.y = y;
	c.n = n;
	c.baseline = rp_val(t, i, "baseline");
	c.target = rp_val(t, i, "target");
	c.baseline_label = tr(M_BASELINE_SHORT);
	c.target_label = tr(M_TARGET_SHORT);
	c.unit = unit;
	c.max = strcmp(rp_text_of(t, i, "unit"), "percent") == 0 ? 100 : 0;
	c.k = r->k;
	c.hidden = tr(M_HIDDEN);
	fprintf(r->f, "<div class=\"card\"><h3>");
	html_escape(r->f, c.title);
	fprintf(r->f, "</h3>\n<p>");
	if (status[0] != '\0') {
		fprintf(r->f, "<span class=\"badge b-");
		html_escape(r->f, status);
		fprintf(r->f, "\">");
		html_escape(r->f, i18n_word("status", status));
		fprintf(r->f, "</span> ");
	}
	/* A withheld value has no number to write, not even "–", which
	 * would read as no data. */
	if (w)
		snprintf(a, sizeof(a), "%s", tr(M_WITHHELD_VALUE));
	else
		svg_value_text(v, unit, r->k, a, sizeof(a));
	/* The value above a line of semesters is the whole year's, not
	 * the last point's: the headline says so where the eye lands. */
	if (!by_years && n > 0 && period_kind(r->code) == PERIOD_YEAR) {
		fprintf(r->f, "<strong class=\"per\">");
		html_escape(r->f, tr(M_WHOLE_YEAR));
		fprintf(r->f, "</strong> ");
	}
	rp_put(r, tr(M_VALUE_LINE), at, a,
	       svg_value_text(c.target, unit, r->k, b, sizeof(b)));
	if (rp_text_of(t, i, "target_period")[0] != '\0')
		rp_put(r, tr(M_BY_PERIOD), rp_text_of(t, i, "target_period"));
	fprintf(r->f, "</p>\n");
	if (identified_row(t, i) && !w)
		card_children(r, at, v);
	for (s = 0, drawn = false, hid = false; s < n; s++) {
		drawn |= y[s].kind == SVG_NUM;
		hid |= withheld[s] || y[s].kind == SVG_HIDDEN;
	}
	/* Empty axes read as a broken chart (an institution's page had six
	 * of nine): a card with no value to draw says so instead. */
	if (n > 0 && !drawn) {
		fprintf(r->f, "<p class=\"none\">");
		rp_put(r, tr(hid ? M_CARD_NONE_WITHHELD : M_CARD_NONE), x[0],
		       x[n - 1]);
		fprintf(r->f, "</p>\n</div>\n");
		return;
	}
	(void)svg_trend(r->f, &c);
	if (by_years) {
		yearly_note(r, yearly(t, i));
	} else if (n > 0 && period_kind(r->code) == PERIOD_YEAR) {
		/* The year's value above a line of semesters: its last
		 * point, the year's second half, differs from it. */
		fprintf(r->f, "<p>");
		rp_put(r, tr(M_SEMESTER_CARD), (int)(r->code / 10));
		fprintf(r->f, "</p>\n");
	}
	fprintf(r->f, "</div>\n");
}

/*
 * The values the cards drew, one row per indicator keep shows and
 * yearly() tells as want: one column per semester of the trend, or, for
 * those read by year, per whole year. A trend of whole years alone
 * (years_alone) has every row keep shows in its one table, want true.
 * Returns what its cells showed.
 */
static unsigned
trend_table(struct report *r, const struct qtable *t,
	    bool (*keep)(const struct qtable *, size_t), bool want)
{
	const struct report_data *d = r->d;
	size_t n = want ? d->n_year : d->n_trend, i, s;
	bool all = years_alone(d);
	unsigned shown = 0;

	if (n == 0 ||
	    !(any_yearly(t, keep, want) || (all && any_yearly(t, keep, !want))))
		return 0;
	fprintf(r->f, "<div class=\"tw\"><table>\n<caption>");
	rp_put(r, tr(want && !all ? M_TABLE_CAPTION_YEARS : M_TABLE_CAPTION),
	       r->fig);
	fprintf(r->f, "</caption>\n<thead><tr><th scope=\"col\">");
	html_escape(r->f, i18n_column("name"));
	fprintf(r->f, "</th>");
	for (s = 0; s < n; s++) {
		fprintf(r->f, "<th scope=\"col\">");
		html_escape(r->f,
			    want ? d->year_period[s] : d->trend_period[s]);
		fprintf(r->f, "</th>");
	}
	fprintf(r->f, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < t->n_rows; i++) {
		const char *ind = rp_text_of(t, i, "indicator");
		if (!keep(t, i) || (!all && yearly(t, i) != want))
			continue;
		fprintf(r->f, "<tr><th scope=\"row\">");
		html_escape(r->f, rp_text_of(t, i, "name"));
		fprintf(r->f, "</th>");
		for (s = 0; s < n; s++)
			shown |= want ? trend_td(r, &d->year[s],
						 d->year_period[s], ind)
				      : trend_td(r, &d->trend[s],
						 d->trend_period[s], ind);
		fprintf(r->f, "</tr>\n");
	}
	fprintf(r->f, "</tbody></table></div>\n");
	return shown;
}

/* One small chart per key indicator, then their values in a table (and
 * those read by year in one of their own); where the consolidator refuses
 * the role a region's semesters (trend_refused), every one year by year,
 * saying why. */
static void
indicator_trends(struct report *r, const struct qtable *t,
		 bool (*keep)(const struct qtable *, size_t))
{
	const struct report_data *d = r->d;
	bool only_years = years_alone(d);
	bool years = any_yearly(t, keep, true);
	unsigned shown;
	size_t i;

	if (only_years) {
		fprintf(r->f, "<p class=\"notice\" id=\"trend-years\">");
		rp_put(r, tr(M_REGION_TREND_YEARS), r->period);
		fprintf(r->f, "</p>\n");
	} else if (d->n_trend == 0 && r->region != NULL &&
		   strcmp(r->role, "secretariat") == 0) {
		fprintf(r->f, "<p class=\"notice\">");
		rp_put(r, tr(M_REGION_NO_TREND), r->period);
		fprintf(r->f, "</p>\n");
	}
	if (d->n_trend == 0 && !only_years)
		return;
	if (only_years)
		rp_fig_open(r, "f-trend", M_FIG_TREND_BY_YEAR,
			    M_HOW_TREND_BY_YEAR, CARDS);
	else
		rp_fig_open(r, "f-trend",
			    years ? M_FIG_TREND_YEARS : M_FIG_TREND,
			    years ? M_HOW_TREND_YEARS : M_HOW_TREND, CARDS);
	fprintf(r->f, "<div class=\"cards\">\n");
	for (i = 0; i < t->n_rows; i++)
		if (keep(t, i))
			trend_card(r, t, i);
	fprintf(r->f, "</div>\n");
	rp_fig_middle(r);
	shown = trend_table(r, t, keep, false);
	shown |= trend_table(r, t, keep, true);
	fprintf(r->f, "</div>\n</div>\n<p class=\"src\">");
	html_escape(r->f, tr(M_SOURCE));
	if (!only_years) {
		fprintf(r->f, " <code>kuska query indicators --period S");
		rp_region_option(r);
		fprintf(r->f, "</code> ");
		rp_put(r, tr(M_TREND_FROM), d->trend_period[0],
		       d->trend_period[d->n_trend - 1]);
	}
	if ((years || only_years) && d->n_year > 0) {
		fprintf(r->f, only_years ? " " : "; ");
		fprintf(r->f, "<code>kuska query indicators --period Y");
		rp_region_option(r);
		fprintf(r->f, "</code> ");
		rp_put(r, tr(M_YEARS_FROM), d->year_period[0],
		       d->year_period[d->n_year - 1]);
	}
	fprintf(r->f, ".");
	if (shown & TREND_WITHHELD) {
		fprintf(r->f, " ");
		rp_put(r, tr(M_WITHHELD_NOTE),
		       i18n_word("status", "suppressed"));
	}
	rp_indicator_notes(r, t, keep);
	if (shown & TREND_NONE) {
		fprintf(r->f, " ");
		html_escape(r->f, tr(M_EMPTY_NOTE));
	}
	fprintf(r->f, "</p>\n</figure>\n");
}

void
rp_sec_indicators(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_INDICATORS];
	bool (*keep)(const struct qtable *, size_t) = key_row;
	size_t i, n_key = 0;

	rp_section(r, "indicators", M_SEC_INDICATORS);
	if (period_kind(r->code) == PERIOD_QUARTER &&
	    strncmp(t->error, "bad period", 10) == 0) {
		/* The consolidator refuses a quarter, in English: say it in
		 * the page's language, with the periods that have them. Any
		 * other refusal (an older consolidator) is rp_usable()'s. */
		char sem[PERIOD_NAME_MAX];
		uint32_t y = r->code / 10, q = r->code % 10;

		fprintf(r->f, "<p class=\"notice\">");
		rp_put(r, tr(M_IND_NOT_QUARTER),
		       period_name(y * 10 + (q <= 2 ? 5 : 6), sem), (int)y);
		fprintf(r->f, "</p>\n");
		goto out;
	}
	if (!rp_usable(r, t, "indicators"))
		goto out;
	if (t->n_rows == 0) {
		fprintf(r->f, "<p class=\"notice\">");
		html_escape(r->f, tr(M_NO_INDICATORS));
		fprintf(r->f, "</p>\n");
		goto out;
	}
	for (i = 0; i < t->n_rows; i++)
		n_key += key_row(t, i);
	if (n_key == 0) {
		fprintf(r->f, "<p class=\"notice\">");
		html_escape(r->f, tr(M_NO_KEY));
		fprintf(r->f, "</p>\n");
		keep = NULL;
	}
	rp_fig_open(r, "f-key", M_FIG_KEY, M_HOW_KEY, TABLE_ONLY);
	rp_fig_middle(r);
	rp_table_of(r, t, "indicators", indicator_cols, N_INDICATOR_COLS, keep);
	table_children(r, t, keep);
	r->withheld = any_row(t, keep, withheld_row);
	r->shown = keep;
	rp_fig_close(r, t, "indicators", tr(M_INDICATOR_SOURCE));
	indicator_trends(r, t, keep != NULL ? keep : other_row);
	if (keep == NULL || n_key == t->n_rows)
		goto out;
	rp_fig_open(r, "f-other", M_FIG_OTHER, M_HOW_OTHER, TABLE_ONLY);
	rp_fig_middle(r);
	rp_table_of(r, t, "indicators", indicator_cols, N_INDICATOR_COLS,
		    other_row);
	table_children(r, t, other_row);
	r->withheld = any_row(t, other_row, withheld_row);
	r->shown = other_row;
	rp_fig_close(r, t, "indicators", tr(M_INDICATOR_SOURCE));
out:
	rp_section_end(r);
}
