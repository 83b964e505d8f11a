/*
 * report_page.c - the page of kuska report; see report.h. Sections in the
 * order the Commission reads them: key indicators, identification,
 * referrals, protection, prosecution, timeliness, the estimate of the
 * undetected, and where the numbers come from. Each figure is a chart
 * (svg.h), its numbers in a table (html.h), a line on how to read it and
 * the query that gives it. This file writes the page's frame (header,
 * contents, footer) and holds the helpers every section writes with
 * (report_int.h); the sections are report_indicators.c,
 * report_sections.c, report_prosecution.c and report_estimate.c.
 */
#include <assert.h>
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
#include "report_int.h"
#include "svg.h"
#include "takeups.h"

/* ---- writing helpers -------------------------------------------------- */

/* Text made from a sentence of i18n.h, escaped. */
void __attribute__((format(printf, 2, 3)))
rp_put(struct report *r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	html_escape(r->f, buf);
}

struct svg_val
rp_val(const struct qtable *t, size_t row, const char *col)
{
	const struct cell *c = html_cell(t, row, col);

	if (c == NULL)
		return svg_none();
	switch (c->kind) {
	case CELL_NUMBER:
		return svg_num((double)c->number);
	case CELL_DECIMAL:
		/* With the table's decimals: "16.0" there, not "16" here. */
		if (c->text[0] == '\0')
			return svg_none();
		return svg_num_dp(
		    strtod(c->text, NULL),
		    strchr(c->text, '.') != NULL
			? (int)strspn(strchr(c->text, '.') + 1, "0123456789")
			: 0);
	case CELL_SUPPRESSED:
		return svg_hidden();
	default:
		return svg_none();
	}
}

const char *
rp_text_of(const struct qtable *t, size_t row, const char *col)
{
	const struct cell *c = html_cell(t, row, col);

	return c != NULL && c->kind == CELL_TEXT ? codec_cell_str(c) : "";
}

bool
rp_high_infinite(const struct qtable *t, size_t row, const char *col)
{
	const struct cell *c = html_cell(t, row, col);
	const struct cell *low = html_cell(t, row, "low95");

	return strcmp(col, "high95") == 0 && c != NULL &&
	       c->kind == CELL_EMPTY && low != NULL && low->kind == CELL_NUMBER;
}

/*
 * Whether a cell of t, the answer to query `table`, in a row the figure
 * shows (r->shown), reads "–": an empty one, but for the cells of an
 * indicator that read as a word instead (rp_indicator_word): withheld,
 * or the progress of one in its baseline period.
 */
static bool
any_dash(const struct report *r, const struct qtable *t, const char *table)
{
	bool indicators = strcmp(table, "indicators") == 0;
	size_t i, j;

	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++)
			if ((r->shown == NULL || r->shown(t, i)) &&
			    t->rows[i][j].kind == CELL_EMPTY &&
			    !rp_high_infinite(t, i, t->cols[j]) &&
			    !(indicators &&
			      rp_indicator_word(r, t, i, t->cols[j]) != NULL))
				return true;
	return false;
}

/* Whether a cell of t in a row the figure shows is of that kind. */
static bool
any_kind(const struct report *r, const struct qtable *t, enum cell_kind kind)
{
	size_t i, j;

	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++)
			if ((r->shown == NULL || r->shown(t, i)) &&
			    t->rows[i][j].kind == kind)
				return true;
	return false;
}

/* Whether a section can be drawn; if not, a note says why. */
bool
rp_usable(struct report *r, const struct qtable *t, const char *table)
{
	if (t->error[0] == '\0')
		return true;
	fprintf(r->f, "<p class=\"notice\">");
	/* A table the secretariat gets for the whole country only
	 * (docs/DISCLOSURE.md): left out of a region's report by design,
	 * saying where it is, not as a failure. */
	if (r->region != NULL &&
	    strstr(t->error, "for the whole country only") != NULL) {
		if (strcmp(table, "funnel") == 0)
			rp_put(r, tr(M_REGION_REFUSED_FUNNEL), r->period);
		else
			rp_put(r, tr(M_REGION_REFUSED), table, r->period);
	} else if (strncmp(t->error, "unknown table", 13) == 0)
		rp_put(r, tr(M_NOT_YET), table);
	/* Closed to every institution by design: not a failure of the
	 * consolidator's, as "did not give the table" read. */
	else if (rp_own_view(r) &&
		 strstr(t->error, "not open to an institution") != NULL)
		rp_put(r, tr(M_CLOSED), i18n_reason(t->error));
	else
		rp_put(r, tr(M_REFUSED), table, i18n_reason(t->error));
	fprintf(r->f, "</p>\n");
	return false;
}

static const char *own_institution(const struct report_data *d);

bool
rp_own_view(const struct report *r)
{
	return strcmp(r->role, "institution") == 0;
}

const char *
rp_own_word(const struct report *r)
{
	const char *inst = own_institution(r->d);

	return inst != NULL ? i18n_word("institution", inst)
			    : tr(M_THE_INSTITUTION);
}

static const char *
to_word(const char *inst)
{
	return i18n_word("to", inst);
}

char *
rp_no_takeups(const struct report *r, const struct qtable *t, char *buf,
	      size_t cap)
{
	char names[128];

	takeups_names(takeups_none(t), to_word, names, sizeof(names));
	if (names[0] == '\0' || !rp_own_view(r))
		snprintf(buf, cap, "%s", names);
	else
		snprintf(buf, cap, tr(M_NO_TAKEUPS_OWN), names, rp_own_word(r));
	return buf;
}

static bool
none_recorded(const struct report *r, const struct qtable *t, const char *col)
{
	size_t i;

	if (!rp_own_view(r) || t->error[0] != '\0' || t->n_rows == 0)
		return false;
	for (i = 0; i < t->n_rows; i++) {
		const struct cell *c = html_cell(t, i, col);
		if (c == NULL || c->kind != CELL_EMPTY)
			return false;
	}
	return true;
}

bool
rp_not_recorded(struct report *r, const struct qtable *t, const char *col,
		enum i18n_msg what)
{
	if (!none_recorded(r, t, col))
		return false;
	fprintf(r->f, "<p class=\"notice\">");
	rp_put(r, tr(M_NOT_RECORDED), rp_own_word(r), tr(what));
	fprintf(r->f, "</p>\n");
	return true;
}

void
rp_section(struct report *r, const char *id, enum i18n_msg title)
{
	fprintf(r->f, "<section id=\"%s\">\n<h2>", id);
	html_escape(r->f, tr(title));
	fprintf(r->f, "</h2>\n");
}

void
rp_section_end(struct report *r)
{
	fprintf(r->f, "</section>\n");
}

void
rp_fig_open(struct report *r, const char *id, enum i18n_msg title,
	    enum i18n_msg how, enum layout layout)
{
	rp_fig_open_as(r, id, tr(title), tr(how), layout);
}

void
rp_fig_open_as(struct report *r, const char *id, const char *title,
	       const char *how, enum layout layout)
{
	r->fig++;
	/* Printed, a figure breaks where it must (html.c's print rules):
	 * no page break of its own, which left the page before the trend's
	 * cards nearly blank. */
	fprintf(r->f, "<figure id=\"%s\">\n<figcaption><span class=\"num\">",
		id);
	rp_put(r, tr(M_FIGURE), r->fig);
	fprintf(r->f, "</span> ");
	html_escape(r->f, title);
	fprintf(r->f, "</figcaption>\n<p class=\"how\"><b>");
	html_escape(r->f, tr(M_HOW));
	fprintf(r->f, "</b> ");
	html_escape(r->f, how);
	fprintf(r->f, "</p>\n<div class=\"fig-body%s\">\n<div class=\"cw\">\n",
		layout == BESIDE ? "" : " under");
	r->table_only = layout == TABLE_ONLY;
}

/* Between the chart and its table. */
void
rp_fig_middle(struct report *r)
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
 * withheld indicator says so in words (rp_indicator_instead), so an
 * indicator's "–" is no data.
 */
static void
empty_note(struct report *r, const char *table)
{
	/* The tables where an institution's view leaves empty what it may
	 * not record (query.h). */
	static const char *const own[] = {"identification", "protection",
					  "funnel", "prosecution", "durations"};
	size_t i;

	if (strcmp(r->role, "secretariat") == 0 &&
	    strcmp(table, "indicators") != 0) {
		rp_put(r, tr(M_EMPTY_WITHHELD_NOTE), r->k);
		return;
	}
	for (i = 0; rp_own_view(r) && i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(table, own[i]) == 0) {
			rp_put(r, tr(M_EMPTY_OWN_NOTE), rp_own_word(r));
			return;
		}
	html_escape(r->f, tr(M_EMPTY_NOTE));
}

void
rp_region_option(struct report *r)
{
	if (r->region == NULL)
		return;
	fprintf(r->f, " --region ");
	html_escape(r->f, r->region);
}

/* The source line: the query that gives the figure's numbers. */
void
rp_fig_close(struct report *r, const struct qtable *t, const char *table,
	     const char *extra)
{
	fprintf(r->f, "</div>\n</div>\n<p class=\"src\">");
	html_escape(r->f, tr(M_SOURCE));
	fprintf(r->f, " <code>kuska query ");
	html_escape(r->f, table);
	fprintf(r->f, " --period ");
	html_escape(r->f, r->period);
	rp_region_option(r);
	fprintf(r->f, "</code>");
	if (extra != NULL) {
		fprintf(r->f, "; ");
		html_escape(r->f, extra);
	}
	fprintf(r->f, ".");
	if (t != NULL && any_kind(r, t, CELL_SUPPRESSED)) {
		fprintf(r->f, " ");
		rp_put(r, tr(M_SUPPRESSED_NOTE), tr(M_HIDDEN), r->k - 1);
	}
	if (r->withheld) {
		fprintf(r->f, " ");
		rp_put(r, tr(M_WITHHELD_NOTE),
		       i18n_word("status", "suppressed"));
		r->withheld = false;
	}
	if (r->sex_age_withheld) {
		fprintf(r->f, " ");
		rp_put(r, tr(M_SEX_AGE_WITHHELD_NOTE),
		       i18n_word("status", "suppressed"));
		r->sex_age_withheld = false;
	}
	if (r->marked) {
		fprintf(r->f, " ");
		html_escape(r->f, tr(M_MARKED_BAR_NOTE));
		r->marked = false;
	}
	if (r->infinite) {
		fprintf(r->f, " ");
		html_escape(r->f, tr(M_INFINITE_NOTE));
		r->infinite = false;
	}
	if (strcmp(table, "indicators") == 0 && t != NULL)
		rp_indicator_notes(r, t, r->shown);
	if (r->note != NULL) {
		fprintf(r->f, " ");
		html_escape(r->f, r->note);
		r->note = NULL;
	}
	if (t != NULL && any_dash(r, t, table)) {
		fprintf(r->f, " ");
		empty_note(r, table);
	}
	r->shown = NULL;
	fprintf(r->f, "</p>\n</figure>\n");
}

/* An upper limit that is infinite reads "∞" (rp_high_infinite), the
 * cell's data-v empty as the consolidator sent it. */
static const char *
estimate_instead(const struct html_table *ht, size_t row, const char *col)
{
	return rp_high_infinite(ht->t, row, col) ? "\u221e" : NULL;
}

/* Whether row of the sdg16_2_2 answer t is of one sex and one age group. */
static bool
sdg_sex_by_age(const struct qtable *t, size_t row)
{
	return strcmp(rp_text_of(t, row, "sex"), "all") != 0 &&
	       strcmp(rp_text_of(t, row, "age_group"), "all") != 0;
}

/*
 * The secretariat's victims of one sex and one age group (girls, boys,
 * women, men): withheld because no table under disclosure control holds
 * them, whatever their size (docs/DISCLOSURE.md), so "Withheld", with the
 * row's note and the figure's legend saying why; "<10" would say 1 to 9, or a
 * count that would give such a one away, of hundreds of girls.
 */
static const char *
sdg_instead(const struct html_table *ht, size_t row, const char *col)
{
	const struct cell *c = html_cell(ht->t, row, col);

	if (strcmp(col, "victims") != 0 || c == NULL ||
	    c->kind != CELL_SUPPRESSED || !sdg_sex_by_age(ht->t, row))
		return NULL;
	return "suppressed";
}

const char *
rp_count_mark(const struct qtable *t, size_t row, const char *col)
{
	const struct cell *c = html_cell(t, row, col);

	if (c == NULL || c->kind != CELL_SUPPRESSED)
		return NULL;
	if (strcmp(col, "victims") == 0 && html_cell(t, row, "sex") != NULL &&
	    sdg_sex_by_age(t, row))
		return i18n_word(col, "suppressed");
	return tr(M_HIDDEN);
}

void
rp_table_of(struct report *r, const struct qtable *t, const char *table,
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
	ht.region = r->region;
	ht.caption = caption;
	ht.cols = c;
	ht.n_cols = i;
	ht.word = i18n_word;
	ht.keep = keep;
	ht.hidden = tr(M_HIDDEN);
	ht.thousands = tr(M_THOUSANDS);
	/* Indicators' names are long: their column gets room to wrap. */
	if (strcmp(table, "indicators") == 0) {
		ht.cls = "ind";
		ht.instead = rp_indicator_instead;
		ht.ctx = r;
	} else if (strcmp(table, "estimate") == 0) {
		ht.instead = estimate_instead;
		ht.instead_number = true;
		for (i = 0; i < t->n_rows; i++)
			if (rp_high_infinite(t, i, "high95"))
				r->infinite = true;
	} else if (strcmp(table, "sdg16_2_2") == 0) {
		ht.instead = sdg_instead;
		for (i = 0; i < t->n_rows; i++)
			if (sdg_instead(&ht, i, "victims") != NULL)
				r->sex_age_withheld = true;
	}
	(void)html_table(r->f, &ht);
}

/* A bar per row of t: label from label_col, value from value_col. */
void
rp_bars_of(struct report *r, const char *id, enum i18n_msg title,
	   const struct qtable *t, const char *label_col, const char *value_col,
	   struct svg_bar *bars, struct svg_bars *c)
{
	size_t i;

	for (i = 0; i < t->n_rows && i < MAX_BARS; i++) {
		bars[i].label =
		    i18n_short(label_col, rp_text_of(t, i, label_col));
		bars[i].v = rp_val(t, i, value_col);
	}
	c->id = id;
	c->title = tr(title);
	c->bars = bars;
	c->n = i;
	c->k = r->k;
	c->hidden = tr(M_HIDDEN);
}

/* "mediana 6 d" for a row's median, or NULL when it has none. */
const char *
rp_median_note(const struct qtable *t, size_t row, const char *col, char *out,
	       size_t cap)
{
	char n[48];
	struct svg_val v = rp_val(t, row, col);

	if (v.kind != SVG_NUM)
		return NULL;
	snprintf(out, cap, tr(M_MEDIAN_DAYS),
		 svg_value_text(v, NULL, 0, n, sizeof(n)));
	return out;
}

/* The breakdown's age groups under 18 (EVENTS.md). */
static const char *const child_groups[] = {"0-5", "6-11", "12-13", "14-17"};

int
rp_children(const struct qtable *bd, struct svg_val total, long long *ret_n)
{
	long long n = 0, adult = 0; /* no 18+ row: none (rows of 0 left out) */
	bool any = false, withheld = false, adult_hidden = false;
	size_t i, g;

	if (bd == NULL || bd->error[0] != '\0')
		return -1;
	for (i = 0; i < bd->n_rows; i++) {
		const struct cell *c = html_cell(bd, i, "victims");
		const char *v = rp_text_of(bd, i, "value");
		if (strcmp(rp_text_of(bd, i, "dimension"), "age_group") != 0)
			continue;
		any = true;
		if (strcmp(v, "18+") == 0) {
			adult_hidden = c == NULL || c->kind != CELL_NUMBER;
			adult = adult_hidden ? 0 : c->number;
		}
		for (g = 0; g < sizeof(child_groups) / sizeof(child_groups[0]);
		     g++)
			if (strcmp(v, child_groups[g]) == 0)
				break;
		if (g == sizeof(child_groups) / sizeof(child_groups[0]))
			continue;
		if (c != NULL && c->kind == CELL_NUMBER)
			n += c->number;
		else if (c != NULL && c->kind == CELL_SUPPRESSED)
			withheld = true;
		else
			return -1;
	}
	if (!any)
		return -1;
	if (!withheld) {
		*ret_n = n;
		return 1;
	}
	/* Age groups partition the victims: the total less 18+, as
	 * sdg_table.c's from_breakdown gives the same role in sdg16_2_2. */
	if (total.kind != SVG_NUM || adult_hidden || total.v < (double)adult)
		return 0;
	*ret_n = (long long)total.v - adult;
	return 2;
}

void
rp_children_para(struct report *r, const struct qtable *bd, const char *period,
		 struct svg_val total, bool card)
{
	char all[48], kids[48] = "";
	long long n = 0;
	int shown;

	if (total.kind != SVG_NUM || total.v < 1)
		return;
	shown = rp_children(bd, total, &n);
	if (shown < 0)
		return;
	if (shown > 0)
		html_group(n, tr(M_THOUSANDS), kids, sizeof(kids));
	html_group((long long)total.v, tr(M_THOUSANDS), all, sizeof(all));
	fprintf(r->f, "<p class=\"children\" data-children=\"");
	html_escape(r->f, period);
	fprintf(r->f, "\" data-v=\"%s\">", shown > 0 ? kids : "");
	if (card && shown == 0)
		html_escape(r->f, tr(M_CHILDREN_CARD_WITHHELD));
	else if (card)
		rp_put(r, tr(M_CHILDREN_CARD), kids);
	else if (shown == 0)
		rp_put(r, tr(M_CHILDREN_WITHHELD), all);
	else if (shown == 2)
		rp_put(r, tr(M_CHILDREN_DERIVED), all, kids);
	else
		rp_put(r, tr(M_CHILDREN), all, kids);
	fprintf(r->f, "</p>\n");
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

const char *
rp_period_words(uint32_t code, char *out, size_t cap)
{
	int y = (int)(code / 10), p = (int)(code % 10);

	if (p == 0)
		snprintf(out, cap, tr(M_PERIOD_YEAR), y);
	else if (p == 5)
		snprintf(out, cap, tr(M_PERIOD_SEMESTER_1), y);
	else if (p == 6)
		snprintf(out, cap, tr(M_PERIOD_SEMESTER_2), y);
	else /* a quarter, 1 to 4 (period.h) */
		snprintf(out, cap, tr(M_PERIOD_QUARTER_1 + (p - 1)), y);
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
		if (t->error[0] != '\0' ||
		    strcmp(t->role, "institution") != 0 || t->n_rows != 1)
			continue;
		c = html_cell(t, 0, "institution");
		if (c != NULL && c->kind == CELL_TEXT)
			return codec_cell_str(c);
	}
	return NULL;
}

/* "Vista secretaría", "secretariat view": the role's word set apart, in
 * the order of the page's language (M_VIEW). */
static void
view_of(struct report *r)
{
	const char *fmt = tr(M_VIEW), *at = strstr(fmt, "%s");
	char before[64];

	assert(at != NULL && (size_t)(at - fmt) < sizeof(before));
	snprintf(before, sizeof(before), "%.*s", (int)(at - fmt), fmt);
	html_escape(r->f, before);
	fprintf(r->f, "<span class=\"role%s\">",
		strcmp(r->role, "secretariat") == 0 ? "" : " exact");
	html_escape(r->f, role_word(r->role));
	fprintf(r->f, "</span>");
	html_escape(r->f, at + 2);
}

static void
header(struct report *r)
{
	char words[64], from[11], to[11], recent[512];
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
	rp_period_words(r->code, words, sizeof(words));
	if (r->region != NULL) {
		char where[sizeof(words) + REGION_LABEL_MAX + 16];
		snprintf(where, sizeof(where), tr(M_REGION_TITLE), words,
			 r->region_label);
		rp_put(r, tr(M_TITLE), where);
	} else {
		rp_put(r, tr(M_TITLE), words);
	}
	fprintf(r->f, "</h1>\n<p class=\"meta\">");
	rp_put(r, tr(M_PERIOD_RANGE), r->period,
	       date_format(period_first_day(r->code), from),
	       date_format(period_last_day(r->code), to));
	fprintf(r->f, " \u00b7 ");
	view_of(r);
	if (strcmp(r->role, "secretariat") == 0) {
		fprintf(r->f, " \u00b7 ");
		rp_put(r, tr(M_SECRETARIAT_RULE), r->k - 1, tr(M_HIDDEN));
	}
	fprintf(r->f, "</p>\n");
	if (r->region != NULL) {
		fprintf(r->f, "<p class=\"warn\" id=\"region\">");
		rp_put(r, tr(M_REGION_NOTE), r->region_label, r->region);
		fprintf(r->f, "</p>\n");
	}
	/* A period still running reads as final otherwise. */
	if (period_last_day(r->code) >= r->d->today) {
		fprintf(r->f, "<p class=\"warn\">");
		rp_put(r, tr(M_PERIOD_OPEN), date_format(r->d->today, to));
		fprintf(r->f, "</p>\n");
	} else if (rp_recent_note(r->code, r->d->today, recent,
				  sizeof(recent)) != NULL) {
		/* Just over reads as final too: late records still come. */
		fprintf(r->f, "<p class=\"warn\" id=\"recent\">");
		rp_put(r, "%s", recent);
		fprintf(r->f, "</p>\n");
	}
	if (strcmp(r->role, "analyst") == 0) {
		fprintf(r->f, "<p class=\"warn\">");
		rp_put(r, tr(M_ANALYST_WARNING), r->k);
		fprintf(r->f, "</p>\n");
	} else if (strcmp(r->role, "institution") == 0) {
		const char *inst = own_institution(r->d);
		fprintf(r->f, "<p class=\"warn\">");
		if (inst != NULL)
			rp_put(r, tr(M_INSTITUTION_NOTE),
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
		const char *inst = rp_text_of(t, i, "institution");
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
	if (n > 0 && r->region != NULL)
		rp_put(r, tr(M_REGION_SILENT), r->region_label, names);
	else if (n > 0)
		rp_put(r, tr(M_SILENT), names);
	else if (r->region != NULL)
		rp_put(r, tr(M_REGION_NONE_SILENT), r->region_label);
	else
		html_escape(r->f, tr(M_NONE_SILENT));
	fprintf(r->f, "</p>\n");
}

static void
footer(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_SOURCES];
	time_t now = r->d->made - 5 * 3600; /* Peru: UTC-5, no summer time */
	time_t made = r->d->made;
	char when[32], utc[32], caption[96];
	struct tm tm;
	struct html_table ht;
	struct html_col cols[] = {
	    {"institution", i18n_column("institution"), HTML_LABEL},
	    {"events", i18n_column("events"), HTML_VALUE},
	};

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	/* The deliveries above are in UTC: the time made is given in UTC
	 * too, or a delivery would read as later than the page. */
	gmtime_r(&made, &tm);
	strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M", &tm);
	fprintf(r->f, "</main>\n<footer id=\"sources\">\n<h2>");
	html_escape(r->f, tr(M_SEC_SOURCES));
	fprintf(r->f, "</h2>\n<p>");
	rp_put(r, tr(M_COMPUTED_BY), r->d->consolidator, r->d->cons_id,
	       r->d->cons_fp);
	fprintf(r->f, "</p>\n");
	if (t->error[0] == '\0') {
		snprintf(caption, sizeof(caption), "%s", i18n_column("events"));
		memset(&ht, 0, sizeof(ht));
		ht.t = t;
		ht.table = "sources";
		ht.period = r->period;
		ht.region = r->region;
		ht.caption = caption;
		ht.cols = cols;
		ht.n_cols = 2;
		ht.word = i18n_word;
		ht.hidden = tr(M_HIDDEN);
		(void)html_table(r->f, &ht);
	} else {
		(void)rp_usable(r, t, "sources");
	}
	silent(r);
	report_deliveries(r->f, r->d);
	fprintf(r->f, "<p>");
	rp_put(r, tr(M_GENERATED), when, utc, KUSKA_VERSION, r->d->client_id,
	       role_word(r->role), r->k);
	fprintf(r->f, " ");
	html_escape(r->f, tr(M_HOW_TO_CHECK));
	fprintf(r->f, " <code>kuska query -c CLIENT.conf TABLE --period ");
	html_escape(r->f, r->period);
	rp_region_option(r);
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
	char title[128], who[64];
	const char *inst;

	memset(&r, 0, sizeof(r));
	r.f = f;
	r.d = d;
	r.period = d->period;
	r.code = d->code;
	if (d->region != 0) {
		snprintf(r.region_code, sizeof(r.region_code), "%02u",
			 (unsigned)d->region % 100);
		r.region = r.region_code;
		region_label(d->region, r.region_label);
	}
	answer_facts(&r);
	/* The title heads a printed page and names the saved file: an
	 * institution's says which one, as its first lines do. */
	inst = strcmp(r.role, "institution") == 0 ? own_institution(d) : NULL;
	snprintf(who, sizeof(who), inst != NULL ? "%s, %s" : "%s",
		 role_word(r.role),
		 inst != NULL ? i18n_word("institution", inst) : "");
	if (r.region != NULL) {
		char where[PERIOD_NAME_MAX + REGION_LABEL_MAX + 4];
		snprintf(where, sizeof(where), "%s, %s", r.period,
			 r.region_label);
		snprintf(title, sizeof(title), tr(M_PAGE_TITLE), where, who);
	} else {
		snprintf(title, sizeof(title), tr(M_PAGE_TITLE), r.period, who);
	}
	html_page_open(f, tr(M_LANG_CODE), title);
	header(&r);
	rp_sec_indicators(&r);
	rp_sec_identification(&r);
	rp_sec_referrals(&r);
	rp_sec_protection(&r);
	rp_sec_prosecution(&r);
	rp_sec_timeliness(&r);
	rp_sec_estimate(&r);
	footer(&r);
	return html_page_close(f);
}
