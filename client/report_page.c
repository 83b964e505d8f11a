/*
 * report_page.c - the page of kuska report; see report.h. Sections in the
 * order the Commission reads them: key indicators, identification,
 * referrals, protection, prosecution, timeliness, the estimate of the
 * undetected, and where the numbers come from. Each figure is a chart
 * (svg.h), its numbers in a table (html.h), a line on how to read it and
 * the query that gives it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "event.h"
#include "html.h"
#include "i18n.h"
#include "report.h"
#include "report_deliveries.h"
#include "svg.h"

#define MAX_BARS CODEC_MAX_ROWS
#define TEXT_MAX sizeof(((struct cell *)0)->text) /* a cell's text, NUL too */

struct report {
	FILE *f;
	const struct report_data *d;
	const char *period; /* as asked */
	uint32_t code;
	unsigned fig;	 /* figures written so far */
	bool table_only; /* the figure being written has no chart */
	bool withheld;	 /* it shows an indicator withheld: say what that is */
	bool by_year;	 /* it shows one read by year: say why */
	unsigned k;
	const char *role;
};

/* ---- writing helpers -------------------------------------------------- */

/* Text made from a sentence of i18n.h, escaped. */
static void __attribute__((format(printf, 2, 3)))
put(struct report *r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	html_escape(r->f, buf);
}

static struct svg_val
val(const struct qtable *t, size_t row, const char *col)
{
	const struct cell *c = html_cell(t, row, col);

	if (c == NULL)
		return svg_none();
	switch (c->kind) {
	case CELL_NUMBER:
		return svg_num((double)c->number);
	case CELL_DECIMAL:
		return c->text[0] ? svg_num(strtod(c->text, NULL)) : svg_none();
	case CELL_SUPPRESSED:
		return svg_hidden();
	default:
		return svg_none();
	}
}

static const char *
text_of(const struct qtable *t, size_t row, const char *col)
{
	const struct cell *c = html_cell(t, row, col);

	return c != NULL && c->kind == CELL_TEXT ? codec_cell_str(c) : "";
}

static bool
any_kind(const struct qtable *t, enum cell_kind kind)
{
	size_t i, j;

	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++)
			if (t->rows[i][j].kind == kind)
				return true;
	return false;
}

/* Whether a section can be drawn; if not, a note says why. */
static bool
usable(struct report *r, const struct qtable *t, const char *table)
{
	if (t->error[0] == '\0')
		return true;
	fprintf(r->f, "<p class=\"notice\">");
	if (strncmp(t->error, "unknown table", 13) == 0)
		put(r, tr(M_NOT_YET), table);
	else
		put(r, tr(M_REFUSED), table, i18n_reason(t->error));
	fprintf(r->f, "</p>\n");
	return false;
}

static void
section(struct report *r, const char *id, enum i18n_msg title)
{
	fprintf(r->f, "<section id=\"%s\">\n<h2>", id);
	html_escape(r->f, tr(title));
	fprintf(r->f, "</h2>\n");
}

static void
section_end(struct report *r)
{
	fprintf(r->f, "</section>\n");
}

/* How a figure lays out its chart and its table. */
enum layout {
	BESIDE,	    /* the table beside the chart (under it on a phone) */
	UNDER,	    /* the table under the chart */
	TABLE_ONLY, /* a table with no chart */
	CARDS,	    /* small charts, then the table; may break between */
};

static void
fig_open(struct report *r, const char *id, enum i18n_msg title,
	 enum i18n_msg how, enum layout layout)
{
	r->fig++;
	/* A figure is never split across pages, but for one of many small
	 * charts, which may be taller than a page: that one starts a page
	 * (a page break of its own, as Chromium ignores one on a figure
	 * that follows an unbreakable one). A table with no chart (the
	 * indicators, their expressions wrapped on A4) may be taller than
	 * a page too: it breaks between rows rather than leaving the page
	 * before it blank. */
	if (layout == CARDS)
		fprintf(r->f, "<div class=\"pb\"></div>\n");
	fprintf(r->f, "<figure id=\"%s\"%s>\n<figcaption><span class=\"num\">",
		id,
		layout == CARDS || layout == TABLE_ONLY ? " class=\"long\""
							: "");
	put(r, tr(M_FIGURE), r->fig);
	fprintf(r->f, "</span> ");
	html_escape(r->f, tr(title));
	fprintf(r->f, "</figcaption>\n<p class=\"how\"><b>");
	html_escape(r->f, tr(M_HOW));
	fprintf(r->f, "</b> ");
	html_escape(r->f, tr(how));
	fprintf(r->f, "</p>\n<div class=\"fig-body%s\">\n<div class=\"cw\">\n",
		layout == BESIDE ? "" : " under");
	r->table_only = layout == TABLE_ONLY;
}

/* Between the chart and its table. */
static void
fig_middle(struct report *r)
{
	if (!r->table_only)
		fprintf(r->f, "</div>\n<div>\n");
}

/*
 * What "–" means under the table of query `table`. For the secretariat
 * a median, share or estimate withheld by disclosure control arrives
 * empty, as one there is nothing to take does, and nothing on the wire
 * (nor the counts beside it: a median of fewer than k values may sit by
 * a count that is shown) tells the two apart: the note names both. A
 * withheld indicator is a badge of its own, so its "–" is no data.
 */
static void
empty_note(struct report *r, const char *table)
{
	if (strcmp(r->role, "secretariat") == 0 &&
	    strcmp(table, "indicators") != 0)
		put(r, tr(M_EMPTY_WITHHELD_NOTE), r->k);
	else
		html_escape(r->f, tr(M_EMPTY_NOTE));
}

/* The source line: the query that gives the figure's numbers. */
static void
fig_close(struct report *r, const struct qtable *t, const char *table,
	  const char *extra)
{
	fprintf(r->f, "</div>\n</div>\n<p class=\"src\">");
	html_escape(r->f, tr(M_SOURCE));
	fprintf(r->f, " <code>kuska query ");
	html_escape(r->f, table);
	fprintf(r->f, " --period ");
	html_escape(r->f, r->period);
	fprintf(r->f, "</code>");
	if (extra != NULL) {
		fprintf(r->f, "; ");
		html_escape(r->f, extra);
	}
	fprintf(r->f, ".");
	if (t != NULL && any_kind(t, CELL_SUPPRESSED)) {
		fprintf(r->f, " ");
		put(r, tr(M_SUPPRESSED_NOTE), r->k, r->k - 1);
	}
	if (r->withheld) {
		fprintf(r->f, " ");
		put(r, tr(M_WITHHELD_NOTE), i18n_word("status", "suppressed"));
		r->withheld = false;
	}
	if (r->by_year) {
		fprintf(r->f, " ");
		put(r, tr(M_BY_YEAR_NOTE), i18n_word("status", "by_year"),
		    (int)(r->code / 10));
		r->by_year = false;
	}
	if (t != NULL && any_kind(t, CELL_EMPTY)) {
		fprintf(r->f, " ");
		empty_note(r, table);
	}
	fprintf(r->f, "</p>\n</figure>\n");
}

static const char *instead(const struct html_table *ht, size_t row,
			   const char *col);

static void
table_of(struct report *r, const struct qtable *t, const char *table,
	 const struct html_col *cols, size_t n_cols,
	 bool (*keep)(const struct qtable *, size_t))
{
	struct html_table ht;
	char caption[96];
	struct html_col c[16];
	size_t i;

	for (i = 0; i < n_cols && i < 16; i++) {
		c[i] = cols[i];
		c[i].head = i18n_column(cols[i].name);
	}
	snprintf(caption, sizeof(caption), tr(M_TABLE_CAPTION), r->fig);
	memset(&ht, 0, sizeof(ht));
	ht.t = t;
	ht.table = table;
	ht.period = r->period;
	ht.caption = caption;
	ht.cols = c;
	ht.n_cols = i;
	ht.word = i18n_word;
	ht.keep = keep;
	/* Indicators' names are long: their column gets room to wrap. */
	if (strcmp(table, "indicators") == 0) {
		ht.cls = "ind";
		ht.instead = instead;
		ht.ctx = r;
	}
	(void)html_table(r->f, &ht);
}

/* The columns of a table, written in place: an array and its length. */
#define COLS(...)                                                              \
	(const struct html_col[]){__VA_ARGS__},                                \
	    sizeof((const struct html_col[]){__VA_ARGS__}) /                   \
		sizeof(struct html_col)

/* A bar per row of t: label from label_col, value from value_col. */
static void
bars_of(struct report *r, const char *id, enum i18n_msg title,
	const struct qtable *t, const char *label_col, const char *value_col,
	struct svg_bar *bars, struct svg_bars *c)
{
	size_t i;

	for (i = 0; i < t->n_rows && i < MAX_BARS; i++) {
		bars[i].label = i18n_short(label_col, text_of(t, i, label_col));
		bars[i].v = val(t, i, value_col);
	}
	c->id = id;
	c->title = tr(title);
	c->bars = bars;
	c->n = i;
	c->k = r->k;
}

/* "mediana 6 d" for a row's median, or NULL when it has none. */
static const char *
median_note(const struct qtable *t, size_t row, const char *col, char *out,
	    size_t cap)
{
	char n[48];
	struct svg_val v = val(t, row, col);

	if (v.kind != SVG_NUM)
		return NULL;
	snprintf(out, cap, tr(M_MEDIAN_DAYS),
		 svg_value_text(v, NULL, 0, n, sizeof(n)));
	return out;
}

/* ---- indicators ------------------------------------------------------- */

static bool
key_row(const struct qtable *t, size_t row)
{
	return strcmp(text_of(t, row, "key"), "yes") == 0;
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

/*
 * Whether row of the indicators answer t is a count read by year
 * (frequency year) in a semester's report: its value is about half a
 * year's, so its progress against a year's target, and the status from
 * it, would mislead (INDICATORS.md: read counts by year). A withheld one
 * stays withheld, and one without a value says so: that is why its value
 * is missing.
 */
static bool
by_year(const struct report *r, const struct qtable *t, size_t row)
{
	const char *status = text_of(t, row, "status");

	return period_kind(r->code) == PERIOD_SEMESTER &&
	       strcmp(text_of(t, row, "frequency"), "year") == 0 &&
	       strcmp(status, "suppressed") != 0 &&
	       strcmp(status, "no_data") != 0;
}

/* The status a row shows: the consolidator's, or "by_year". */
static const char *
shown_status(const struct report *r, const struct qtable *t, size_t row)
{
	return by_year(r, t, row) ? "by_year" : text_of(t, row, "status");
}

/* html_table's instead for the indicators: "by_year" for the progress
 * and status of a row read by year. */
static const char *
instead(const struct html_table *ht, size_t row, const char *col)
{
	if ((strcmp(col, "progress") == 0 || strcmp(col, "status") == 0) &&
	    by_year(ht->ctx, ht->t, row))
		return "by_year";
	return NULL;
}

/* Whether a row keep shows is read by year (by_year). */
static bool
any_by_year(const struct report *r, const struct qtable *t,
	    bool (*keep)(const struct qtable *, size_t))
{
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if ((keep == NULL || keep(t, i)) && by_year(r, t, i))
			return true;
	return false;
}

/* The row of indicator id in t, or -1. */
static int
indicator_row(const struct qtable *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if (strcmp(text_of(t, i, "indicator"), id) == 0)
			return (int)i;
	return -1;
}

static const struct html_col indicator_cols[] = {
    {"name", NULL, HTML_LABEL},	     {"value", NULL, HTML_VALUE},
    {"unit", NULL, HTML_WORD},	     {"baseline", NULL, HTML_VALUE},
    {"target", NULL, HTML_VALUE},    {"target_period", NULL, HTML_VALUE},
    {"progress", NULL, HTML_VALUE},  {"status", NULL, HTML_BADGE},
    {"indicator", NULL, HTML_VALUE}, {"expression", NULL, HTML_VALUE},
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
	if (strcmp(text_of(t, (size_t)row, "status"), "suppressed") != 0) {
		html_td(r->f, t, (size_t)row, "value", "indicators", p, NULL);
		return html_cell(t, (size_t)row, "value") == NULL ||
			       html_cell(t, (size_t)row, "value")->kind ==
				   CELL_EMPTY
			   ? TREND_NONE
			   : TREND_VALUE;
	}
	fprintf(r->f, "<td class=\"sup\" data-q=\"indicators ");
	html_escape(r->f, p);
	fprintf(r->f, " %d value\" data-v=\"\">", row);
	html_escape(r->f, i18n_word("status", "suppressed"));
	fprintf(r->f, "</td>");
	return TREND_WITHHELD;
}

bool
report_year_whole(uint32_t code, uint32_t y)
{
	return period_end_semesters(code) >= period_end_semesters(y * 10) &&
	       period_last_day(y * 10) < date_today();
}

/*
 * Whether row of t is read by year (frequency year): a count, whose
 * trend follows whole years, as its target does, not semesters, each
 * about half a year's (INDICATORS.md).
 */
static bool
yearly(const struct qtable *t, size_t row)
{
	return strcmp(text_of(t, row, "frequency"), "year") == 0;
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

/* Under a yearly card: it follows whole years, and which year of the
 * trend it leaves out, and why. */
static void
yearly_note(struct report *r)
{
	uint32_t y = r->code / 10;
	char last[PERIOD_NAME_MAX];

	fprintf(r->f, "<p>");
	html_escape(r->f, tr(M_YEARLY_CARD));
	if (!report_year_whole(r->code, y)) {
		fprintf(r->f, " ");
		if (period_last_day(y * 10) >= date_today())
			put(r, tr(M_YEAR_NOT_OVER), (int)y);
		else
			put(r, tr(M_YEAR_PAST_REPORT), (int)y,
			    period_name(r->code, last));
	}
	fprintf(r->f, "</p>\n");
}

/*
 * The card of row i of t: a small chart of its values, semester by
 * semester, or for one read by year year by year (the whole years only:
 * a year's count against a year's target), with its baseline and target.
 */
static void
trend_card(struct report *r, const struct qtable *t, size_t i)
{
	const struct report_data *d = r->d;
	const char *ind = text_of(t, i, "indicator");
	const char *unit = unit_suffix(text_of(t, i, "unit"));
	const char *status = shown_status(r, t, i);
	const char *x[REPORT_MAX_TREND], *at = r->period;
	struct svg_val y[REPORT_MAX_TREND], v = val(t, i, "value");
	bool by_years = yearly(t, i), withheld[REPORT_MAX_TREND];
	bool w = strcmp(text_of(t, i, "status"), "suppressed") == 0;
	size_t n = by_years ? d->n_year : d->n_trend, s;
	struct svg_trend c;
	char id[32], a[48], b[48];

	for (s = 0; s < n; s++) {
		const struct qtable *p = by_years ? &d->year[s] : &d->trend[s];
		int row = indicator_row(p, ind);
		x[s] = by_years ? d->year_period[s] : d->trend_period[s];
		y[s] = row < 0 ? svg_none() : val(p, (size_t)row, "value");
		withheld[s] =
		    row >= 0 && strcmp(text_of(p, (size_t)row, "status"),
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
	c.title = text_of(t, i, "name");
	c.x = x;
	c.y = y;
	c.n = n;
	c.baseline = val(t, i, "baseline");
	c.target = val(t, i, "target");
	c.baseline_label = tr(M_BASELINE_SHORT);
	c.target_label = tr(M_TARGET_SHORT);
	c.unit = unit;
	c.max = strcmp(text_of(t, i, "unit"), "percent") == 0 ? 100 : 0;
	c.k = r->k;
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
	put(r, tr(M_VALUE_LINE), at, a,
	    svg_value_text(c.target, unit, r->k, b, sizeof(b)));
	if (text_of(t, i, "target_period")[0] != '\0')
		put(r, tr(M_BY_PERIOD), text_of(t, i, "target_period"));
	fprintf(r->f, "</p>\n");
	(void)svg_trend(r->f, &c);
	if (by_years)
		yearly_note(r);
	fprintf(r->f, "</div>\n");
}

/*
 * The values the cards drew, one row per indicator keep shows and
 * yearly() tells as want: one column per semester of the trend, or, for
 * those read by year, per whole year. Returns what its cells showed.
 */
static unsigned
trend_table(struct report *r, const struct qtable *t,
	    bool (*keep)(const struct qtable *, size_t), bool want)
{
	const struct report_data *d = r->d;
	size_t n = want ? d->n_year : d->n_trend, i, s;
	unsigned shown = 0;

	if (n == 0 || !any_yearly(t, keep, want))
		return 0;
	fprintf(r->f, "<div class=\"tw\"><table>\n<caption>");
	put(r, tr(want ? M_TABLE_CAPTION_YEARS : M_TABLE_CAPTION), r->fig);
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
		const char *ind = text_of(t, i, "indicator");
		if (!keep(t, i) || yearly(t, i) != want)
			continue;
		fprintf(r->f, "<tr><th scope=\"row\">");
		html_escape(r->f, text_of(t, i, "name"));
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
 * those read by year in one of their own). */
static void
indicator_trends(struct report *r, const struct qtable *t,
		 bool (*keep)(const struct qtable *, size_t))
{
	const struct report_data *d = r->d;
	bool years = any_yearly(t, keep, true);
	unsigned shown;
	size_t i;

	if (d->n_trend == 0)
		return;
	fig_open(r, "f-trend", years ? M_FIG_TREND_YEARS : M_FIG_TREND,
		 years ? M_HOW_TREND_YEARS : M_HOW_TREND, CARDS);
	fprintf(r->f, "<div class=\"cards\">\n");
	for (i = 0; i < t->n_rows; i++)
		if (keep(t, i))
			trend_card(r, t, i);
	fprintf(r->f, "</div>\n");
	fig_middle(r);
	shown = trend_table(r, t, keep, false);
	shown |= trend_table(r, t, keep, true);
	fprintf(r->f, "</div>\n</div>\n<p class=\"src\">");
	html_escape(r->f, tr(M_SOURCE));
	fprintf(r->f, " <code>kuska query indicators --period S</code> ");
	put(r, tr(M_TREND_FROM), d->trend_period[0],
	    d->trend_period[d->n_trend - 1]);
	if (years && d->n_year > 0) {
		fprintf(r->f,
			"; <code>kuska query indicators --period Y</code> ");
		put(r, tr(M_YEARS_FROM), d->year_period[0],
		    d->year_period[d->n_year - 1]);
	}
	fprintf(r->f, ".");
	if (shown & TREND_WITHHELD) {
		fprintf(r->f, " ");
		put(r, tr(M_WITHHELD_NOTE), i18n_word("status", "suppressed"));
	}
	if (any_by_year(r, t, keep)) {
		fprintf(r->f, " ");
		put(r, tr(M_BY_YEAR_NOTE), i18n_word("status", "by_year"),
		    (int)(r->code / 10));
	}
	if (shown & TREND_NONE) {
		fprintf(r->f, " ");
		html_escape(r->f, tr(M_EMPTY_NOTE));
	}
	fprintf(r->f, "</p>\n</figure>\n");
}

/* Whether a row keep shows is withheld (status suppressed): its value
 * reads "–", and the badge alone would not say why. */
static bool
any_withheld(const struct qtable *t,
	     bool (*keep)(const struct qtable *, size_t))
{
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if ((keep == NULL || keep(t, i)) &&
		    strcmp(text_of(t, i, "status"), "suppressed") == 0)
			return true;
	return false;
}

static void
sec_indicators(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_INDICATORS];
	bool (*keep)(const struct qtable *, size_t) = key_row;
	size_t i, n_key = 0;

	section(r, "indicators", M_SEC_INDICATORS);
	if (period_kind(r->code) == PERIOD_QUARTER &&
	    strncmp(t->error, "bad period", 10) == 0) {
		/* The consolidator refuses a quarter, in English: say it in
		 * the page's language, with the periods that have them. Any
		 * other refusal (an older consolidator) is usable()'s. */
		char sem[PERIOD_NAME_MAX];
		uint32_t y = r->code / 10, q = r->code % 10;

		fprintf(r->f, "<p class=\"notice\">");
		put(r, tr(M_IND_NOT_QUARTER),
		    period_name(y * 10 + (q <= 2 ? 5 : 6), sem), (int)y);
		fprintf(r->f, "</p>\n");
		goto out;
	}
	if (!usable(r, t, "indicators"))
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
	fig_open(r, "f-key", M_FIG_KEY, M_HOW_KEY, TABLE_ONLY);
	fig_middle(r);
	table_of(r, t, "indicators", indicator_cols, N_INDICATOR_COLS, keep);
	r->withheld = any_withheld(t, keep);
	r->by_year = any_by_year(r, t, keep);
	fig_close(r, t, "indicators", tr(M_INDICATOR_SOURCE));
	indicator_trends(r, t, keep != NULL ? keep : other_row);
	if (keep == NULL || n_key == t->n_rows)
		goto out;
	fig_open(r, "f-other", M_FIG_OTHER, M_HOW_OTHER, TABLE_ONLY);
	fig_middle(r);
	table_of(r, t, "indicators", indicator_cols, N_INDICATOR_COLS,
		 other_row);
	r->withheld = any_withheld(t, other_row);
	r->by_year = any_by_year(r, t, other_row);
	fig_close(r, t, "indicators", tr(M_INDICATOR_SOURCE));
out:
	section_end(r);
}

/* ---- identification ----------------------------------------------------- */

static const char *const inst_order[] = {"pnp", "mp", "pj", "mimp", "minsa"};
#define N_INST 5

static void
fig_overlap(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_OVERLAP];
	const struct qtable *id = &r->d->t[RT_IDENTIFICATION];
	const char *sets[N_INST];
	struct svg_val set_size[N_INST];
	unsigned present = 0, members[MAX_BARS];
	struct svg_val size[MAX_BARS];
	size_t i, n = 0, n_sets = 0, s;
	int slot[N_INST];
	struct svg_upset c;

	/* The institutions that appear in any combination, in order. */
	for (i = 0; i < t->n_rows; i++) {
		const char *name = text_of(t, i, "institutions");
		char buf[TEXT_MAX + 2], needle[16];
		snprintf(buf, sizeof(buf), "+%s+", name);
		for (s = 0; s < N_INST; s++) {
			snprintf(needle, sizeof(needle), "+%s+", inst_order[s]);
			if (strstr(buf, needle) != NULL)
				present |= 1u << s;
		}
	}
	for (s = 0; s < N_INST; s++) {
		slot[s] = -1;
		if (!(present & (1u << s)))
			continue;
		slot[s] = (int)n_sets;
		sets[n_sets] = i18n_word("institution", inst_order[s]);
		set_size[n_sets] = svg_none();
		for (i = 0; i < id->n_rows; i++)
			if (strcmp(text_of(id, i, "institution"),
				   inst_order[s]) == 0)
				set_size[n_sets] = val(id, i, "victims");
		n_sets++;
	}
	for (i = 0; i < t->n_rows && n < MAX_BARS; i++) {
		const char *name = text_of(t, i, "institutions");
		char buf[TEXT_MAX + 2];
		if (strcmp(name, "unlinkable") == 0)
			continue;
		members[n] = 0;
		snprintf(buf, sizeof(buf), "+%s+", name);
		for (s = 0; s < N_INST; s++) {
			char needle[16];
			snprintf(needle, sizeof(needle), "+%s+", inst_order[s]);
			if (slot[s] >= 0 && strstr(buf, needle) != NULL)
				members[n] |= 1u << slot[s];
		}
		size[n++] = val(t, i, "victims");
	}
	memset(&c, 0, sizeof(c));
	c.id = "overlap";
	c.title = tr(M_FIG_OVERLAP);
	c.sets = sets;
	c.set_size = set_size;
	c.n_sets = n_sets;
	c.members = members;
	c.size = size;
	c.n = n;
	c.set_heading = tr(M_OVERLAP_SETS);
	c.heading = tr(M_OVERLAP_HEADING);
	c.k = r->k;
	fig_open(r, "f-overlap", M_FIG_OVERLAP, M_HOW_OVERLAP, UNDER);
	(void)svg_upset(r->f, &c);
	fprintf(r->f, "<p class=\"how\">");
	html_escape(r->f, tr(M_UNLINKABLE_NOTE));
	fprintf(r->f, "</p>\n");
	fig_middle(r);
	table_of(r, t, "overlap",
		 COLS({"institutions", NULL, HTML_LABEL},
		      {"victims", NULL, HTML_VALUE}),
		 NULL);
	fig_close(r, t, "overlap", NULL);
}

static void
sec_identification(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_IDENTIFICATION];
	struct svg_bar bars[MAX_BARS];
	struct svg_bars c;

	section(r, "identification", M_SEC_IDENTIFICATION);
	if (usable(r, t, "identification")) {
		memset(&c, 0, sizeof(c));
		memset(bars, 0, sizeof(bars));
		bars_of(r, "identification", M_FIG_IDENTIFICATION, t,
			"institution", "victims", bars, &c);
		c.counts = true;
		fig_open(r, "f-identification", M_FIG_IDENTIFICATION,
			 M_HOW_IDENTIFICATION, BESIDE);
		(void)svg_bars(r->f, &c);
		fig_middle(r);
		table_of(r, t, "identification",
			 COLS({"institution", NULL, HTML_LABEL},
			      {"victims", NULL, HTML_VALUE}),
			 NULL);
		fig_close(r, t, "identification", NULL);
	}
	if (usable(r, &r->d->t[RT_OVERLAP], "overlap"))
		fig_overlap(r);
	section_end(r);
}

/* ---- referrals, protection ---------------------------------------------- */

static void
sec_referrals(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_REFERRALS];
	static struct svg_bar bars[MAX_BARS];
	static char labels[MAX_BARS][2 * TEXT_MAX + 8], notes[MAX_BARS][48];
	struct svg_bars c;
	size_t i;

	section(r, "referrals", M_SEC_REFERRALS);
	if (!usable(r, t, "referrals"))
		goto out;
	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	for (i = 0; i < t->n_rows && i < MAX_BARS; i++) {
		snprintf(labels[i], sizeof(labels[i]), "%s \u2192 %s",
			 i18n_word("from", text_of(t, i, "from")),
			 i18n_word("to", text_of(t, i, "to")));
		bars[i].label = labels[i];
		bars[i].v = val(t, i, "sent");
		bars[i].part = val(t, i, "taken_up");
		bars[i].note = median_note(t, i, "median_days", notes[i],
					   sizeof(notes[i]));
	}
	c.id = "referrals";
	c.title = tr(M_FIG_REFERRALS);
	c.bars = bars;
	c.n = i;
	c.has_part = true;
	c.legend_v = tr(M_SENT);
	c.legend_part = tr(M_TAKEN_UP);
	c.k = r->k;
	c.counts = true;
	fig_open(r, "f-referrals", M_FIG_REFERRALS, M_HOW_REFERRALS, UNDER);
	if (t->n_rows > 0)
		(void)svg_bars(r->f, &c);
	fig_middle(r);
	table_of(r, t, "referrals",
		 COLS({"from", NULL, HTML_LABEL}, {"to", NULL, HTML_WORD},
		      {"sent", NULL, HTML_VALUE},
		      {"taken_up", NULL, HTML_VALUE},
		      {"pending", NULL, HTML_VALUE},
		      {"median_days", NULL, HTML_VALUE}),
		 NULL);
	fig_close(r, t, "referrals", NULL);
out:
	section_end(r);
}

static void
sec_protection(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_PROTECTION];
	static struct svg_bar bars[MAX_BARS];
	static char notes[MAX_BARS][48];
	struct svg_bars c;
	size_t i;

	section(r, "protection", M_SEC_PROTECTION);
	if (!usable(r, t, "protection"))
		goto out;
	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	bars_of(r, "protection", M_FIG_PROTECTION, t, "service", "victims",
		bars, &c);
	for (i = 0; i < c.n; i++)
		bars[i].note = median_note(t, i, "median_days", notes[i],
					   sizeof(notes[i]));
	c.counts = true;
	fig_open(r, "f-protection", M_FIG_PROTECTION, M_HOW_PROTECTION, BESIDE);
	(void)svg_bars(r->f, &c);
	fig_middle(r);
	table_of(r, t, "protection",
		 COLS({"service", NULL, HTML_LABEL},
		      {"victims", NULL, HTML_VALUE},
		      {"median_days", NULL, HTML_VALUE}),
		 NULL);
	fig_close(r, t, "protection", NULL);
out:
	section_end(r);
}

/* ---- prosecution -------------------------------------------------------- */

static bool
main_line(const char *stage)
{
	return strcmp(stage, "acquittal") != 0 &&
	       strcmp(stage, "dismissal") != 0;
}

static void
fig_funnel(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_FUNNEL];
	static struct svg_bar bars[MAX_BARS];
	static char notes[MAX_BARS][32];
	struct svg_bars c;
	size_t i, n = 0;

	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	for (i = 0; i < t->n_rows && n < MAX_BARS; i++) {
		struct svg_val a = val(t, i, "attrition");
		if (!main_line(text_of(t, i, "stage")))
			continue;
		bars[n].label = i18n_short("stage", text_of(t, i, "stage"));
		bars[n].v = val(t, i, "cases");
		if (a.kind == SVG_NUM) {
			snprintf(notes[n], sizeof(notes[n]), "\u2212%.1f%%",
				 a.v * 100);
			bars[n].note = notes[n];
		}
		n++;
	}
	c.id = "funnel";
	c.title = tr(M_FIG_FUNNEL);
	c.bars = bars;
	c.n = n;
	c.funnel = true;
	c.k = r->k;
	c.counts = true;
	fig_open(r, "f-funnel", M_FIG_FUNNEL, M_HOW_FUNNEL, BESIDE);
	(void)svg_bars(r->f, &c);
	fig_middle(r);
	table_of(r, t, "funnel",
		 COLS({"stage", NULL, HTML_LABEL}, {"cases", NULL, HTML_VALUE},
		      {"attrition", NULL, HTML_VALUE}),
		 NULL);
	fig_close(r, t, "funnel", NULL);
}

static void
fig_prosecution(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_PROSECUTION];
	static struct svg_bar bars[MAX_BARS];
	static char notes[MAX_BARS][48];
	struct svg_bars c;
	size_t i;
	char n[48];

	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	bars_of(r, "prosecution", M_FIG_PROSECUTION, t, "stage", "cases", bars,
		&c);
	for (i = 0; i < c.n; i++) {
		snprintf(notes[i], sizeof(notes[i]), tr(M_PERSONS),
			 svg_value_text(val(t, i, "persons"), NULL, r->k, n,
					sizeof(n)));
		bars[i].note = notes[i];
	}
	c.counts = true;
	fig_open(r, "f-prosecution", M_FIG_PROSECUTION, M_HOW_PROSECUTION,
		 BESIDE);
	(void)svg_bars(r->f, &c);
	fig_middle(r);
	table_of(r, t, "prosecution",
		 COLS({"stage", NULL, HTML_LABEL}, {"cases", NULL, HTML_VALUE},
		      {"persons", NULL, HTML_VALUE}),
		 NULL);
	fig_close(r, t, "prosecution", NULL);
}

static void
fig_durations(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_DURATIONS];
	static struct svg_bar bars[MAX_BARS];
	static char labels[MAX_BARS][2 * TEXT_MAX + 8];
	struct svg_bars c;
	size_t i;

	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	bars_of(r, "durations", M_FIG_DURATIONS, t, "from_stage", "median_days",
		bars, &c);
	for (i = 0; i < c.n; i++) {
		snprintf(labels[i], sizeof(labels[i]), "%s \u2192 %s",
			 i18n_short("stage", text_of(t, i, "from_stage")),
			 i18n_short("stage", text_of(t, i, "to_stage")));
		bars[i].label = labels[i];
	}
	c.unit = tr(M_DAYS_UNIT);
	fig_open(r, "f-durations", M_FIG_DURATIONS, M_HOW_DURATIONS, UNDER);
	(void)svg_bars(r->f, &c);
	fig_middle(r);
	table_of(r, t, "durations",
		 COLS({"from_stage", NULL, HTML_LABEL},
		      {"to_stage", NULL, HTML_WORD},
		      {"median_days", NULL, HTML_VALUE}),
		 NULL);
	fig_close(r, t, "durations", NULL);
}

static void
sec_prosecution(struct report *r)
{
	section(r, "prosecution", M_SEC_PROSECUTION);
	if (usable(r, &r->d->t[RT_FUNNEL], "funnel"))
		fig_funnel(r);
	if (usable(r, &r->d->t[RT_PROSECUTION], "prosecution"))
		fig_prosecution(r);
	if (usable(r, &r->d->t[RT_DURATIONS], "durations"))
		fig_durations(r);
	section_end(r);
}

/* ---- timeliness, estimate ----------------------------------------------- */

static void
sec_timeliness(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_TIMELINESS];
	static struct svg_bar bars[MAX_BARS];
	static char notes[MAX_BARS][48];
	struct svg_bars c;
	size_t i;

	section(r, "timeliness", M_SEC_TIMELINESS);
	if (!usable(r, t, "timeliness"))
		goto out;
	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	bars_of(r, "timeliness", M_FIG_TIMELINESS, t, "institution",
		"within_30_days_pct", bars, &c);
	for (i = 0; i < c.n; i++)
		bars[i].note = median_note(t, i, "median_days", notes[i],
					   sizeof(notes[i]));
	c.unit = "%";
	c.max = 100;
	fig_open(r, "f-timeliness", M_FIG_TIMELINESS, M_HOW_TIMELINESS, BESIDE);
	(void)svg_bars(r->f, &c);
	fig_middle(r);
	table_of(r, t, "timeliness",
		 COLS({"institution", NULL, HTML_LABEL},
		      {"records", NULL, HTML_VALUE},
		      {"median_days", NULL, HTML_VALUE},
		      {"within_30_days_pct", NULL, HTML_VALUE}),
		 NULL);
	fig_close(r, t, "timeliness", NULL);
out:
	section_end(r);
}

/*
 * SDG 16.2.2, when the consolidator has population figures: a bar per
 * group for the victims identified per 100,000, and one for the estimate
 * of all victims per 100,000.
 */
static void
fig_sdg(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_SDG];
	static struct svg_bar bars[MAX_BARS];
	static char labels[MAX_BARS][96];
	struct svg_bars c;
	size_t i, n;

	if (!usable(r, t, "sdg16_2_2"))
		return;
	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	for (i = n = 0; i < t->n_rows && n + 1 < MAX_BARS; i++) {
		snprintf(labels[n], sizeof(labels[n]), "%s, %s",
			 i18n_word("sex", text_of(t, i, "sex")),
			 i18n_word("age_group", text_of(t, i, "age_group")));
		bars[n].label = labels[n];
		bars[n++].v = val(t, i, "victims_per_100k");
		if (html_cell(t, i, "estimate_per_100k") != NULL &&
		    val(t, i, "estimate_per_100k").kind != SVG_NONE) {
			bars[n].label = tr(M_SDG_ESTIMATE_BAR);
			bars[n++].v = val(t, i, "estimate_per_100k");
		}
	}
	c.id = "sdg";
	c.title = tr(M_FIG_SDG);
	c.bars = bars;
	c.n = n;
	c.k = r->k;
	fig_open(r, "f-sdg", M_FIG_SDG, M_HOW_SDG, UNDER);
	if (t->n_rows > 0)
		(void)svg_bars(r->f, &c);
	fig_middle(r);
	table_of(r, t, "sdg16_2_2",
		 COLS({"sex", NULL, HTML_LABEL}, {"age_group", NULL, HTML_WORD},
		      {"population", NULL, HTML_VALUE},
		      {"victims", NULL, HTML_VALUE},
		      {"victims_per_100k", NULL, HTML_VALUE},
		      {"estimate", NULL, HTML_VALUE},
		      {"estimate_per_100k", NULL, HTML_VALUE},
		      {"note", NULL, HTML_WORD}),
		 NULL);
	fig_close(r, t, "sdg16_2_2", tr(M_SDG_NOTE));
}

static void
sec_estimate(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_ESTIMATE];
	static struct svg_interval rows[MAX_BARS];
	struct svg_intervals c;
	char query[64];
	size_t i;

	section(r, "estimate", M_SEC_ESTIMATE);
	if (!usable(r, t, "estimate"))
		goto out;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < t->n_rows && i < MAX_BARS; i++) {
		rows[i].label = i18n_word("method", text_of(t, i, "method"));
		rows[i].observed = val(t, i, "observed");
		rows[i].estimate = val(t, i, "estimate");
		rows[i].low = val(t, i, "low95");
		rows[i].high = val(t, i, "high95");
	}
	c.id = "estimate";
	c.title = tr(M_FIG_ESTIMATE);
	c.rows = rows;
	c.n = i;
	c.legend_observed = tr(M_OBSERVED);
	c.legend_estimate = tr(M_ESTIMATE_CI);
	c.k = r->k;
	fig_open(r, "f-estimate", M_FIG_ESTIMATE, M_HOW_ESTIMATE, UNDER);
	if (t->n_rows > 0)
		(void)svg_intervals(r->f, &c);
	else {
		fprintf(r->f, "<p class=\"notice\">");
		html_escape(r->f, tr(M_NO_ROWS));
		fprintf(r->f, "</p>\n");
	}
	fig_middle(r);
	table_of(r, t, "estimate",
		 COLS({"method", NULL, HTML_LABEL}, {"lists", NULL, HTML_WORD},
		      {"observed", NULL, HTML_VALUE},
		      {"estimate", NULL, HTML_VALUE},
		      {"low95", NULL, HTML_VALUE}, {"high95", NULL, HTML_VALUE},
		      {"interactions", NULL, HTML_VALUE},
		      {"note", NULL, HTML_WORD}),
		 NULL);
	snprintf(query, sizeof(query), "estimate --boot %d --seed %d",
		 REPORT_BOOT, REPORT_SEED);
	fig_close(r, t, query, tr(M_ESTIMATE_NOTE));
	/* What the figure rests on, and which interval to publish. */
	fprintf(r->f, "<p>");
	html_escape(r->f, tr(M_ESTIMATE_ASSUMES));
	for (i = 0; i < t->n_rows; i++)
		if (strcmp(text_of(t, i, "method"), "bootstrap") == 0) {
			fprintf(r->f, " ");
			put(r, tr(M_ESTIMATE_INTERVAL), REPORT_BOOT,
			    REPORT_SEED);
			break;
		}
	fprintf(r->f, "</p>\n");
	fig_sdg(r);
out:
	section_end(r);
}

/* ---- the page ----------------------------------------------------------- */

static const char *
role_word(const char *role)
{
	if (strcmp(role, "secretariat") == 0)
		return tr(M_ROLE_SECRETARIAT);
	if (strcmp(role, "analyst") == 0)
		return tr(M_ROLE_ANALYST);
	if (strcmp(role, "institution") == 0)
		return tr(M_ROLE_INSTITUTION);
	return role;
}

/* "segundo semestre de 2025" */
static const char *
period_words(uint32_t code, char *out, size_t cap)
{
	int y = (int)(code / 10), p = (int)(code % 10);

	if (p == 0)
		snprintf(out, cap, tr(M_PERIOD_YEAR), y);
	else if (p == 5)
		snprintf(out, cap, tr(M_PERIOD_SEMESTER_1), y);
	else if (p == 6)
		snprintf(out, cap, tr(M_PERIOD_SEMESTER_2), y);
	else
		snprintf(out, cap, tr(M_PERIOD_QUARTER), p, y);
	return out;
}

/*
 * Which institution an institution's key sees: the one institution its
 * own rows name (deliveries, else sources). Not its key's id, the name
 * of its officers' query key ("pnp-stats"). NULL: no answer tells.
 */
static const char *
own_institution(const struct report_data *d)
{
	static const enum report_table from[] = {RT_DELIVERIES, RT_SOURCES};
	const struct cell *c;
	size_t i;

	for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		const struct qtable *t = &d->t[from[i]];
		if (t->error[0] != '\0' || strcmp(t->role, "institution") != 0 ||
		    t->n_rows != 1)
			continue;
		c = html_cell(t, 0, "institution");
		if (c != NULL && c->kind == CELL_TEXT)
			return codec_cell_str(c);
	}
	return NULL;
}

static void
header(struct report *r)
{
	char words[64], from[11], to[11];
	static const struct {
		const char *id;
		enum i18n_msg title;
	} toc[] = {
	    {"indicators", M_SEC_INDICATORS},
	    {"identification", M_SEC_IDENTIFICATION},
	    {"referrals", M_SEC_REFERRALS},
	    {"protection", M_SEC_PROTECTION},
	    {"prosecution", M_SEC_PROSECUTION},
	    {"timeliness", M_SEC_TIMELINESS},
	    {"estimate", M_SEC_ESTIMATE},
	    {"sources", M_SEC_SOURCES},
	};
	size_t i;

	fprintf(r->f, "<header class=\"top\">\n<p class=\"kicker\">");
	html_escape(r->f, tr(M_KICKER));
	fprintf(r->f, "</p>\n<h1>");
	put(r, tr(M_TITLE), period_words(r->code, words, sizeof(words)));
	fprintf(r->f, "</h1>\n<p class=\"meta\">");
	put(r, tr(M_PERIOD_RANGE), r->period,
	    date_format(period_first_day(r->code), from),
	    date_format(period_last_day(r->code), to));
	fprintf(r->f, " \u00b7 ");
	html_escape(r->f, tr(M_VIEW));
	fprintf(r->f, " <span class=\"role%s\">",
		strcmp(r->role, "secretariat") == 0 ? "" : " exact");
	html_escape(r->f, role_word(r->role));
	fprintf(r->f, "</span>");
	if (strcmp(r->role, "secretariat") == 0) {
		fprintf(r->f, " \u00b7 ");
		put(r, tr(M_SECRETARIAT_RULE), r->k - 1, r->k);
	}
	fprintf(r->f, "</p>\n");
	/* A period still running reads as final otherwise. */
	if (period_last_day(r->code) >= date_today()) {
		fprintf(r->f, "<p class=\"warn\">");
		put(r, tr(M_PERIOD_OPEN), date_format(date_today(), to));
		fprintf(r->f, "</p>\n");
	}
	if (strcmp(r->role, "analyst") == 0) {
		fprintf(r->f, "<p class=\"warn\">");
		put(r, tr(M_ANALYST_WARNING), r->k);
		fprintf(r->f, "</p>\n");
	} else if (strcmp(r->role, "institution") == 0) {
		const char *inst = own_institution(r->d);
		fprintf(r->f, "<p class=\"warn\">");
		if (inst != NULL)
			put(r, tr(M_INSTITUTION_NOTE),
			    i18n_word("institution", inst));
		else
			html_escape(r->f, tr(M_INSTITUTION_NOTE_ANY));
		fprintf(r->f, "</p>\n");
	}
	fprintf(r->f, "</header>\n<nav class=\"toc\"><b>");
	html_escape(r->f, tr(M_CONTENTS));
	fprintf(r->f, "</b>\n<ol>\n");
	for (i = 0; i < sizeof(toc) / sizeof(toc[0]); i++) {
		fprintf(r->f, "<li><a href=\"#%s\">", toc[i].id);
		html_escape(r->f, tr(toc[i].title));
		fprintf(r->f, "</a></li>\n");
	}
	fprintf(r->f, "</ol>\n</nav>\n<main>\n");
}

/*
 * Which institutions sent nothing dated in the period: their zeros are
 * missing data, which the sources table (all periods) does not show.
 * From timeliness, whose records count is 0 only for those (a withheld
 * count, 1 to k-1 or one hidden to protect such, is not silence).
 * Nothing without that table; and "all five have records" only where all
 * five rows are there: an institution's client gets its own row only.
 */
static void
silent(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_TIMELINESS];
	char names[64] = "";
	size_t i, n = 0, rows = 0;

	if (t->error[0] != '\0' || t->n_rows == 0)
		return;
	for (i = 0; i < t->n_rows; i++) {
		const struct cell *c = html_cell(t, i, "records");
		const char *inst = text_of(t, i, "institution");
		if (strcmp(inst, "all") == 0)
			continue;
		rows++;
		if (c == NULL || c->kind != CELL_NUMBER || c->number != 0)
			continue;
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", n++ > 0 ? ", " : "",
			 i18n_word("institution", inst));
	}
	if (n == 0 && rows < INST_COUNT)
		return;
	fprintf(r->f, "<p id=\"silent\">");
	if (n > 0)
		put(r, tr(M_SILENT), names);
	else
		html_escape(r->f, tr(M_NONE_SILENT));
	fprintf(r->f, "</p>\n");
}

static void
footer(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_SOURCES];
	time_t now = r->d->made - 5 * 3600; /* Peru: UTC-5, no summer time */
	char when[32], caption[96];
	struct tm tm;
	struct html_table ht;
	struct html_col cols[] = {
	    {"institution", i18n_column("institution"), HTML_LABEL},
	    {"events", i18n_column("events"), HTML_VALUE},
	};

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	fprintf(r->f, "</main>\n<footer id=\"sources\">\n<h2>");
	html_escape(r->f, tr(M_SEC_SOURCES));
	fprintf(r->f, "</h2>\n<p>");
	put(r, tr(M_COMPUTED_BY), r->d->consolidator, r->d->cons_id,
	    r->d->cons_fp);
	fprintf(r->f, "</p>\n");
	if (t->error[0] == '\0') {
		snprintf(caption, sizeof(caption), "%s", i18n_column("events"));
		memset(&ht, 0, sizeof(ht));
		ht.t = t;
		ht.table = "sources";
		ht.period = r->period;
		ht.caption = caption;
		ht.cols = cols;
		ht.n_cols = 2;
		ht.word = i18n_word;
		(void)html_table(r->f, &ht);
	} else {
		(void)usable(r, t, "sources");
	}
	silent(r);
	report_deliveries(r->f, r->d);
	fprintf(r->f, "<p>");
	put(r, tr(M_GENERATED), when, KUSKA_VERSION, r->d->client_id,
	    role_word(r->role), r->k);
	fprintf(r->f, " ");
	html_escape(r->f, tr(M_HOW_TO_CHECK));
	fprintf(r->f, " <code>kuska query -c CLIENT.conf TABLE --period ");
	html_escape(r->f, r->period);
	fprintf(r->f, "</code>.</p>\n</footer>\n");
}

/* The role and k the consolidator answered with (any table will do). */
static void
answer_facts(struct report *r)
{
	size_t i;

	r->k = 10;
	r->role = "";
	for (i = 0; i < RT_COUNT; i++)
		if (r->d->t[i].role[0] != '\0') {
			r->k = r->d->t[i].k;
			r->role = r->d->t[i].role;
			return;
		}
}

int
report_page(FILE *f, const struct report_data *d)
{
	struct report r;
	char title[128];

	memset(&r, 0, sizeof(r));
	r.f = f;
	r.d = d;
	r.period = d->period;
	r.code = d->code;
	answer_facts(&r);
	snprintf(title, sizeof(title), tr(M_PAGE_TITLE), r.period,
		 role_word(r.role));
	html_page_open(f, tr(M_LANG_CODE), title);
	header(&r);
	sec_indicators(&r);
	sec_identification(&r);
	sec_referrals(&r);
	sec_protection(&r);
	sec_prosecution(&r);
	sec_timeliness(&r);
	sec_estimate(&r);
	footer(&r);
	return html_page_close(f);
}
