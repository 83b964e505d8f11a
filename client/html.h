/*
 * html.h - the HTML of kuska report: escaping, the page around the
 * sections (a Content-Security-Policy that loads nothing, the style
 * sheet for screen, phone and A4 print) and tables of query answers.
 *
 * Every number a table shows comes from one cell of one query answer and
 * says which: data-q="TABLE PERIOD ROW COLUMN" (ROW counts the answer's
 * rows from 0), so a test can compare the page with `kuska query`.
 */
#ifndef KUSKA_HTML_H
#define KUSKA_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "codec.h"

/* html_escape - writes s with & < > " ' escaped: safe in text and in
 * quoted attribute values. NULL writes nothing. */
void html_escape(FILE *f, const char *s);

/*
 * html_cell_text - a query cell as the report shows it: the number or
 * text as `kuska query` prints it, "<k" when suppressed, an en dash when
 * empty. Returns out, or the cell's own text (a text longer than out is
 * not cut), valid as long as the cell.
 */
const char *html_cell_text(const struct cell *c, unsigned k, char *out,
			   size_t cap);

/* html_col_index - the index of the column called name, or -1. */
int html_col_index(const struct qtable *t, const char *name);

/* html_cell - the cell of row and named column, or NULL if no such. */
const struct cell *html_cell(const struct qtable *t, size_t row,
			     const char *name);

/*
 * html_served_unmedianed - whether a row of t (the protection table) has
 * victims but no median_days: in an institution's own view, victims that
 * only other institutions identified. False when t has no such columns.
 */
bool html_served_unmedianed(const struct qtable *t);

/*
 * html_td - one <td> for row/col of answer t to (table, period, region):
 * numbers right-aligned, suppressed and empty cells marked by class,
 * data-q set ("TABLE PERIOD ROW COL", then " REGION" when region, the
 * two digits asked, is not NULL). display, when not NULL, is shown
 * instead of the cell's own text (a translated word), and the cell's
 * text then goes in data-v.
 */
void html_td(FILE *f, const struct qtable *t, size_t row, const char *col,
	     const char *table, const char *period, const char *region,
	     const char *display);

/*
 * html_td_open - opens a cell: <td CLS data-q="TABLE PERIOD ROW COL", with
 * " REGION" after COL when region is not NULL, the tag left open for a
 * data-v: for a cell html_td does not write as it stands.
 */
void html_td_open(FILE *f, const char *cls, const char *table,
		  const char *period, const char *region, size_t row,
		  const char *col);

enum html_col_kind {
	HTML_LABEL, /* a row header: <th scope="row">, shown through word */
	HTML_VALUE, /* the cell as it is, a negative number with a minus sign */
	HTML_WORD,  /* a word shown through word (data-v keeps it) */
	HTML_BADGE, /* a word in a coloured badge, class "b-VALUE" */
	HTML_EXPR,  /* an expression, class "x": it wraps between terms */
	HTML_NOTE,  /* as HTML_WORD, but empty reads blank, not "–" */
};

struct html_col {
	const char *name; /* the answer's column */
	const char *head; /* its heading */
	enum html_col_kind kind;
};

struct html_table {
	const struct qtable *t;
	const char *table;  /* the query table, for data-q */
	const char *period; /* the period asked, for data-q */
	const char *region; /* the region asked ("16"), for data-q; NULL: all */
	const char *caption;
	const char *cls; /* the table's class, or NULL */
	const struct html_col *cols;
	size_t n_cols;
	/* The text shown for a word of a column; NULL: the word itself. */
	const char *(*word)(const char *col, const char *value);
	/* Which rows to show; NULL: all. */
	bool (*keep)(const struct qtable *t, size_t row);
	/* A word to show instead of a cell's value, or NULL: the value.
	 * Shown through word (col, WORD), as a badge of class "b-WORD" in
	 * a badge column; the cell's value stays in data-v. */
	const char *(*instead)(const struct html_table *ht, size_t row,
			       const char *col);
	/* Whether instead's words stand for numbers (the estimate's "∞"):
	 * shown as numbers are, right-aligned in the text's colour, not as
	 * the muted italic of words in a column of numbers. */
	bool instead_number;
	const void *ctx; /* for instead */
	/* What a suppressed cell reads, its "<k" kept in data-v; NULL:
	 * "<k". */
	const char *hidden;
	/* Between groups of digits of a count of 10000 or more (html_group),
	 * its digits kept in data-v; NULL: the digits alone. */
	const char *thousands;
};

/*
 * html_group - n as digits, in groups of three parted by sep when n has
 * five digits or more (34122220: "34,122,220" with ","); four or fewer,
 * or sep NULL, the digits alone. Writes into out and returns it.
 */
const char *html_group(long long n, const char *sep, char *out, size_t cap);

/*
 * html_table - the answer as an HTML table inside a horizontally
 * scrolling wrapper. Columns the answer lacks are left out. Returns 0 or
 * -EIO.
 */
int html_table(FILE *f, const struct html_table *ht);

/*
 * html_page_open - <!DOCTYPE html> up to the opening of the page's body:
 * charset, a Content-Security-Policy that lets the page load nothing at
 * all (inline style only), viewport, title and the style sheet.
 */
void html_page_open(FILE *f, const char *lang, const char *title);

/* html_page_close - closes what html_page_open opened. Returns 0 or
 * -EIO if anything written to f failed. */
int html_page_close(FILE *f);

#endif
