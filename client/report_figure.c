/*
 * report_figure.c - what every section of kuska report's page writes
 * its figures with (report_int.h): the answers' cells read as a chart's
 * values, a section and a figure opened and closed (caption, how to read
 * it, the source line and the notes under it), a note in place of one
 * that cannot be drawn, its table and its bars.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "i18n.h"
#include "report_int.h"
#include "svg.h"

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
