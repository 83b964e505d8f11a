/*
 * report_int.h - what the files that write kuska report's page share:
 * report_page.c (the page's frame, whose view it is), report_figure.c
 * (the sections', figures' and tables' writing helpers),
 * report_children.c (the children among the victims identified),
 * report_indicators.c (the key indicators and their
 * trends), report_sections.c (identification, referrals, protection),
 * report_prosecution.c (prosecution) and report_estimate.c (timeliness,
 * the estimate). Not for the rest of the client: report.h is the page's
 * interface.
 */
#ifndef KUSKA_REPORT_INT_H
#define KUSKA_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"
#include "html.h"
#include "i18n.h"
#include "region.h"
#include "report.h"
#include "svg.h"

#define MAX_BARS CODEC_MAX_ROWS
#define TEXT_MAX sizeof(((struct cell *)0)->text) /* a cell's text, NUL too */

struct report {
	FILE *f;
	const struct report_data *d;
	const char *period; /* as asked */
	uint32_t code;
	/* The region every table was asked for, two digits ("16"), for each
	 * figure's source query and data-q; NULL: the whole country. */
	const char *region;
	char region_code[3];
	char region_label[REGION_LABEL_MAX]; /* "16 Loreto"; "" */
	unsigned fig;	 /* figures written so far */
	bool table_only; /* the figure being written has no chart */
	bool withheld;	 /* it shows an indicator withheld: say what that is */
	bool sex_age_withheld; /* sdg16_2_2 withholds a sex by age group */
	bool marked; /* a bar of its chart reads its row's withheld count */
	bool infinite; /* its table reads an upper limit as infinite */
	/* The rows of its table it shows (NULL: all), for the notes under
	 * it; rp_fig_close sets it back to NULL. */
	bool (*shown)(const struct qtable *, size_t);
	/* What it counts that its table does not say, for the notes under
	 * it (NULL: nothing); rp_fig_close sets it back to NULL. */
	const char *note;
	unsigned k;
	const char *role;
};

/* How a figure lays out its chart and its table. */
enum layout {
	BESIDE,	    /* the table beside the chart (under it on a phone) */
	UNDER,	    /* the table under the chart */
	TABLE_ONLY, /* a table with no chart */
	CARDS,	    /* small charts, then the table; may break between */
};

/* The columns of a table, written in place: an array and its length. */
#define COLS(...)                                                              \
	(const struct html_col[]){__VA_ARGS__},                                \
	    sizeof((const struct html_col[]){__VA_ARGS__}) /                   \
		sizeof(struct html_col)

/* ---- report_page.c: the page, whose view it is ------------------------- */

/* Text made from a sentence of i18n.h (a printf format), escaped. */
void rp_put(struct report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether the page is an institution's own view. */
bool rp_own_view(const struct report *r);

/*
 * rp_no_takeups - the destinations of t with no take-up on record
 * (takeups_none), as the page names them, joined by ", " (in an
 * institution's view, with whose referrals they are of), into buf; ""
 * when none. Returns buf.
 */
char *rp_no_takeups(const struct report *r, const struct qtable *t, char *buf,
		    size_t cap);

/* The institution whose view the page is, as a word, or "the
 * institution" when no answer names it. */
const char *rp_own_word(const struct report *r);

/* The period of code in words, "segundo semestre de 2025", in out. */
const char *rp_period_words(uint32_t code, char *out, size_t cap);

/* ---- report_figure.c: writing helpers ---------------------------------- */

/* Column col of row of t as a chart's value: a number, hidden or none. */
struct svg_val rp_val(const struct qtable *t, size_t row, const char *col);

/* Column col of row of t as text; "" when it is not text. */
const char *rp_text_of(const struct qtable *t, size_t row, const char *col);

/* Whether the answer t for table can be drawn; if not, a note says why. */
bool rp_usable(struct report *r, const struct qtable *t, const char *table);

/*
 * Whether t, answered to an institution, has nothing in column col: every
 * cell empty, which its own view gives only for what it may not record
 * (a count it cannot have is empty, not 0). If so, says it in one line
 * naming what (an M_WHAT_ message), in place of the figure.
 */
bool rp_not_recorded(struct report *r, const struct qtable *t, const char *col,
		     enum i18n_msg what);

/* " --region RR" of a regional report's source queries; nothing for the
 * whole country's. */
void rp_region_option(struct report *r);

/* A section of the page, its id and its title. */
void rp_section(struct report *r, const char *id, enum i18n_msg title);
void rp_section_end(struct report *r);

/*
 * A figure: rp_fig_open writes its caption and how to read it, then the
 * chart; rp_fig_middle goes between the chart and its table;
 * rp_fig_close writes the source line (the query of table, and extra)
 * and the notes on what t shows hidden, withheld or empty, and r->note.
 */
void rp_fig_open(struct report *r, const char *id, enum i18n_msg title,
		 enum i18n_msg how, enum layout layout);
/* The same, its title and how to read it already in words. */
void rp_fig_open_as(struct report *r, const char *id, const char *title,
		    const char *how, enum layout layout);
void rp_fig_middle(struct report *r);
void rp_fig_close(struct report *r, const struct qtable *t, const char *table,
		  const char *extra);

/* The table of the answer t for table: cols (COLS), the rows keep keeps
 * (NULL: all). */
void rp_table_of(struct report *r, const struct qtable *t, const char *table,
		 const struct html_col *cols, size_t n_cols,
		 bool (*keep)(const struct qtable *, size_t));

/* A bar in bars per row of t (label_col, value_col), and the chart c. */
void rp_bars_of(struct report *r, const char *id, enum i18n_msg title,
		const struct qtable *t, const char *label_col,
		const char *value_col, struct svg_bar *bars,
		struct svg_bars *c);

/*
 * rp_high_infinite - whether column col of row in t is an interval's
 * upper limit that is infinite: high95 empty where low95 has a number
 * (the estimate table, ESTIMATION.md: "an infinite upper limit ... is
 * left empty and the note says so"). The page shows it as "∞", not "–".
 */
bool rp_high_infinite(const struct qtable *t, size_t row, const char *col);

/*
 * rp_count_mark - what the table shows for the count in column col of row
 * of t when it is withheld: the mark (M_HIDDEN), or the word for the
 * secretariat's sdg16_2_2 victims of one sex and one age group, withheld
 * whatever their number. NULL when the count is not withheld. A chart's
 * value that rests on that count alone (a rate of it, a share of it)
 * reads the same, so that the chart says what the table says.
 */
const char *rp_count_mark(const struct qtable *t, size_t row, const char *col);

/* "mediana 6 d" for a row's median, in out, or NULL when it has none. */
const char *rp_median_note(const struct qtable *t, size_t row, const char *col,
			   char *out, size_t cap);

/* ---- report_children.c -------------------------------------------------- */

/*
 * How many of the victims identified were children, as breakdown bd (the
 * answer for the same period and view) gives them: its under-18
 * age_group rows summed, each victim counted once by its age at its
 * earliest identification in the period (EVENTS.md), into *ret_n.
 * Returns 1 when every one of those rows is shown; with one withheld, 2
 * when total (identification.victims[institution=all] of that period
 * and view) is a count and bd's 18+ row is shown or absent (no victim
 * 18 or over: a row of 0 is left out), *ret_n then total less 18+ (the
 * age groups partition the victims), as daemon/consolidator/
 * sdg_table.c's from_breakdown works it out: the consolidator gives this
 * role that figure as sdg16_2_2's 0-17, so saying it here discloses
 * nothing more; 0 when not even that can be worked out; -1 when bd was
 * not answered or has no age group.
 */
int rp_children(const struct qtable *bd, struct svg_val total,
		long long *ret_n);

/*
 * Writes, as a paragraph, how many of the total victims identified in
 * period were children, by breakdown bd of that period: M_CHILDREN,
 * M_CHILDREN_DERIVED (total less 18+, rp_children's 2) or
 * M_CHILDREN_WITHHELD, or for a card (card true) M_CHILDREN_CARD or
 * M_CHILDREN_CARD_WITHHELD. Nothing when total is not a count above 0 or
 * rp_children has nothing to say. data-children names the period and
 * data-v holds the number, empty when withheld, for
 * tests/e2e/report_check.py to compare with kuska query.
 */
void rp_children_para(struct report *r, const struct qtable *bd,
		      const char *period, struct svg_val total, bool card);

/* ---- report_indicators.c ---------------------------------------------- */

/* The key indicators' section: their table, their trends, the others. */
void rp_sec_indicators(struct report *r);

/*
 * The word cell col of the indicators' row shows instead of its own, or
 * NULL: for the progress and status, the report's own status,
 * "by_year" for a count read by year in a semester's report,
 * "period_open" for a count in the report of a period not over yet, or
 * "baseline_period" for one with a value in a period before the end of
 * its baseline's (its status no_data); "suppressed" for the value and
 * progress of one withheld, which "–" would give as no data.
 */
const char *rp_indicator_word(const struct report *r, const struct qtable *t,
			      size_t row, const char *col);

/* html_table's instead for the indicators (ht->ctx: the report):
 * rp_indicator_word. */
const char *rp_indicator_instead(const struct html_table *ht, size_t row,
				 const char *col);

/* The notes on the report's own statuses (rp_indicator_word) that a row
 * keep shows (NULL: all) has: why it is read by year, or once its
 * period is over, what a baseline period is; and, when one is on the
 * prosecution funnel or the referrals taken up, that the latest periods read
 * low; when one is on the days to take-up or the timeliness, that they read
 * short and fresh; when a share within 30 days reads 0, what it counts and
 * why it may. Each begins with a space. */
void rp_indicator_notes(struct report *r, const struct qtable *t,
			bool (*keep)(const struct qtable *, size_t));

/* ---- report_sections.c -------------------------------------------------- */

/*
 * rp_adults_note - the note that the victims counted include those
 * identified at 18 or older, as message m (one %s, their number) into
 * out (cap bytes); NULL when the breakdown by age counts none or was not
 * given (report_sections.c says more).
 */
const char *rp_adults_note(const struct report *r, enum i18n_msg m, char *out,
			   size_t cap);

/* rp_any_value - whether a row of t has a value in col. rp_any_negative -
 * whether a row of t has a negative value in col (dates to check). */
bool rp_any_value(const struct qtable *t, const char *col);
bool rp_any_negative(const struct qtable *t, const char *col);

void rp_sec_identification(struct report *r);
void rp_sec_referrals(struct report *r);
void rp_sec_protection(struct report *r);

/* ---- report_prosecution.c ----------------------------------------------- */

void rp_sec_prosecution(struct report *r);

/* ---- report_estimate.c -------------------------------------------------- */

/*
 * rp_timeliness_note - the note under the timeliness table of period code
 * as of day today (days since 1970-01-01): M_TIMELINESS_NOTE's text until
 * the period has been over for 30 days, then how many days it has been
 * over, written into out (cap bytes). Returns either.
 */
const char *rp_timeliness_note(uint32_t code, int32_t today, char *out,
			       size_t cap);

/*
 * rp_recent_note - the warning under the title of period code as of day
 * today: M_PERIOD_RECENT's text in out (cap bytes) when the period has
 * been over for 1 to 30 days, whose figures may still change; else NULL.
 */
const char *rp_recent_note(uint32_t code, int32_t today, char *out, size_t cap);

void rp_sec_timeliness(struct report *r);
void rp_sec_estimate(struct report *r);

#endif
