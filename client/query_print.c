/*
 * query_print.c - kuska query's table on standard output: aligned text,
 * a block per row for long texts, or CSV (query_json.c writes the JSON).
 * See query_int.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "csvcell.h"
#include "norm.h"
#include "query_int.h"

/* A cell as text: counts, "<k" when suppressed, "" when empty. */
static const char *
cell_text(const struct cell *c, unsigned k, char *buf, size_t cap)
{
	switch (c->kind) {
	case CELL_NUMBER:
		snprintf(buf, cap, "%lld", (long long)c->number);
		break;
	case CELL_SUPPRESSED:
		snprintf(buf, cap, "<%u", k);
		break;
	case CELL_TEXT:
	case CELL_DECIMAL:
		return codec_cell_str(c);
	default:
		buf[0] = '\0';
	}
	return buf;
}

/*
 * One aligned cell: s in width characters (an accented letter is one,
 * not two bytes), right-aligned when right. Spaces wait in *pending
 * until something follows them, so that a line does not end in the
 * padding of empty last columns.
 */
static void
put_cell(const char *s, size_t width, bool right, size_t *pending)
{
	size_t len = utf8_chars(s, SIZE_MAX);
	size_t pad = len < width ? width - len : 0;

	if (right)
		*pending += pad;
	if (len > 0) {
		printf("%*s%s", (int)*pending, "", s);
		*pending = 0;
	}
	if (!right)
		*pending += pad;
}

void
query_print_text(const struct qtable *t)
{
	size_t w[CODEC_MAX_COLUMNS], i, j, pending;
	char buf[sizeof(((struct cell *)0)->text) + 16];

	for (j = 0; j < t->n_cols; j++)
		w[j] = utf8_chars(t->cols[j], SIZE_MAX);
	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++) {
			size_t l = utf8_chars(
			    cell_text(&t->rows[i][j], t->k, buf, sizeof(buf)),
			    SIZE_MAX);
			if (l > w[j])
				w[j] = l;
		}
	pending = 0;
	for (j = 0; j < t->n_cols; j++) {
		pending += j ? 2 : 0;
		put_cell(t->cols[j], w[j], false, &pending);
	}
	printf("\n");
	for (i = 0; i < t->n_rows; i++) {
		pending = 0;
		for (j = 0; j < t->n_cols; j++) {
			const struct cell *c = &t->rows[i][j];
			/* Numbers right-aligned, words left-aligned. */
			pending += j ? 2 : 0;
			put_cell(cell_text(c, t->k, buf, sizeof(buf)), w[j],
				 c->kind != CELL_TEXT, &pending);
		}
		printf("\n");
	}
}

/* The terminal width text blocks are wrapped to. */
#define BLOCK_WIDTH 78

/* The width the indicators' lines keep within. */
#define INDICATORS_WIDTH 100

/*
 * Prints s from column indent on, wrapped at spaces so that no line
 * passes width (a word longer than the room goes whole on its own line);
 * the lines after the first are indented.
 */
static void
print_wrapped_to(const char *s, size_t indent, size_t width)
{
	size_t room = width > indent + 20 ? width - indent : 20;
	size_t col = 0, n;

	while (*s == ' ')
		s++;
	while (*s != '\0') {
		n = strcspn(s, " ");
		if (col > 0 && col + 1 + utf8_chars(s, n) > room) {
			printf("\n%*s", (int)indent, "");
			col = 0;
		} else if (col > 0) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)n, s);
		col += utf8_chars(s, n);
		s += n;
		while (*s == ' ')
			s++;
	}
	putchar('\n');
}

static void
print_wrapped(const char *s, size_t indent)
{
	print_wrapped_to(s, indent, BLOCK_WIDTH);
}

void
query_print_blocks(const struct qtable *t)
{
	size_t label = 0, i, j;
	char buf[sizeof(((struct cell *)0)->text) + 16];

	for (j = 0; j < t->n_cols; j++)
		if (strlen(t->cols[j]) > label)
			label = strlen(t->cols[j]);
	label += 2; /* the colon and a space */
	for (i = 0; i < t->n_rows; i++) {
		if (i > 0)
			putchar('\n');
		for (j = 0; j < t->n_cols; j++) {
			const char *v =
			    cell_text(&t->rows[i][j], t->k, buf, sizeof(buf));
			printf("%s:", t->cols[j]);
			if (v[0] == '\0') {
				putchar('\n');
				continue;
			}
			printf("%*s", (int)(label - strlen(t->cols[j]) - 1),
			       "");
			print_wrapped(v, label);
		}
	}
}

/* The indicators' columns (INDICATORS.md) on the first two lines of
 * each indicator; the name goes on the third. */
static const char *const ind_first[] = {"period", "indicator", "key", "level",
					"component"};
static const char *const ind_second[] = {"unit",   "value",	    "baseline",
					 "target", "target_period", "progress",
					 "status"};
#define IND_FIRST (sizeof(ind_first) / sizeof(ind_first[0]))
#define IND_SECOND (sizeof(ind_second) / sizeof(ind_second[0]))

/* The column of t named name, or -1. */
static int
column_of(const struct qtable *t, const char *name)
{
	size_t j;

	for (j = 0; j < t->n_cols; j++)
		if (strcmp(t->cols[j], name) == 0)
			return (int)j;
	return -1;
}

/* The widest of column col's header and cells in t. */
static size_t
column_width(const struct qtable *t, int col)
{
	char buf[sizeof(((struct cell *)0)->text) + 16];
	size_t w = utf8_chars(t->cols[col], SIZE_MAX), i, l;

	for (i = 0; i < t->n_rows; i++) {
		l = utf8_chars(
		    cell_text(&t->rows[i][col], t->k, buf, sizeof(buf)),
		    SIZE_MAX);
		if (l > w)
			w = l;
	}
	return w;
}

/*
 * One line of the indicators' printout: from column indent on, the n
 * columns of t at cols[], of widths w[], two spaces apart; row (SIZE_MAX:
 * the header) gives the cells, numbers right-aligned, words left.
 */
static void
put_line(const struct qtable *t, size_t row, const int *cols, const size_t *w,
	 size_t n, size_t indent)
{
	char buf[sizeof(((struct cell *)0)->text) + 16];
	size_t j, pending = indent;

	for (j = 0; j < n; j++) {
		pending += j ? 2 : 0;
		if (row == SIZE_MAX) {
			put_cell(t->cols[cols[j]], w[j], false, &pending);
		} else {
			const struct cell *c = &t->rows[row][cols[j]];
			put_cell(cell_text(c, t->k, buf, sizeof(buf)), w[j],
				 c->kind != CELL_TEXT, &pending);
		}
	}
	putchar('\n');
}

void
query_print_indicators(const struct qtable *t)
{
	int first[IND_FIRST], second[IND_SECOND], name;
	size_t w1[IND_FIRST], w2[IND_SECOND], indent, i, j;

	name = column_of(t, "name");
	for (j = 0; j < IND_FIRST; j++)
		first[j] = column_of(t, ind_first[j]);
	for (j = 0; j < IND_SECOND; j++)
		second[j] = column_of(t, ind_second[j]);
	/* Every column named once, and no other. */
	for (j = 0; j < IND_FIRST; j++)
		if (first[j] < 0)
			name = -1;
	for (j = 0; j < IND_SECOND; j++)
		if (second[j] < 0)
			name = -1;
	if (name < 0 || t->n_cols != IND_FIRST + IND_SECOND + 1) {
		query_print_blocks(t);
		return;
	}
	for (j = 0; j < IND_FIRST; j++)
		w1[j] = column_width(t, first[j]);
	for (j = 0; j < IND_SECOND; j++)
		w2[j] = column_width(t, second[j]);
	indent = w1[0] + 2;
	put_line(t, SIZE_MAX, first, w1, IND_FIRST, 0);
	put_line(t, SIZE_MAX, second, w2, IND_SECOND, indent);
	printf("%*s", (int)indent, "");
	print_wrapped_to(t->cols[name], indent, INDICATORS_WIDTH);
	for (i = 0; i < t->n_rows; i++) {
		putchar('\n');
		put_line(t, i, first, w1, IND_FIRST, 0);
		put_line(t, i, second, w2, IND_SECOND, indent);
		if (t->rows[i][name].kind == CELL_TEXT) {
			printf("%*s", (int)indent, "");
			print_wrapped_to(codec_cell_str(&t->rows[i][name]),
					 indent, INDICATORS_WIDTH);
		}
	}
}

/*
 * A CSV field of the table: never a formula when opened (csvcell.h).
 * Its texts come from the consolidator's codes and configuration (an
 * indicator's name or basis); a number, a negative one too, stays a
 * number. A text cell of a column of codes or of periods is always
 * quoted, so that a spreadsheet taking quoted fields as text holds the
 * column as one type: the breakdown's region 16 is text as 01 is, and
 * the year 2025 as 2025H2 is.
 */
static void
csv_field(const char *s, bool code)
{
	if (code)
		csvcell_write_code(stdout, s);
	else
		csvcell_write_value(stdout, s);
}

/* The columns of codes of the tables: codes that may be digits (a region
 * 01 to 25, an age group 18+, an indicator's id 16). */
static const char *const code_columns[][2] = {
    {"breakdown", "value"},
    {"sdg16_2_2", "sex"},
    {"sdg16_2_2", "age_group"},
    {"indicators", "indicator"},
    {"indicator_definitions", "indicator"},
};

/* Whether col names a period: period, and an indicator's baseline_period
 * and target_period. A year (2026) alone would be a number beside the
 * text of a semester (2026H2) or a quarter: sorted, filtered, looked up
 * apart, and summed in a pivot. */
static bool
period_column(const char *col)
{
	static const char suffix[] = "_period";
	size_t len = strlen(col), n = sizeof(suffix) - 1;

	return strcmp(col, "period") == 0 ||
	       (len > n && strcmp(col + len - n, suffix) == 0);
}

static bool
code_column(const char *table, const char *col)
{
	size_t i;

	if (period_column(col))
		return true;
	for (i = 0; i < sizeof(code_columns) / sizeof(code_columns[0]); i++)
		if (strcmp(code_columns[i][0], table) == 0 &&
		    strcmp(code_columns[i][1], col) == 0)
			return true;
	return false;
}

void
query_print_csv(const struct qtable *t, const char *table)
{
	bool code[CODEC_MAX_COLUMNS];
	size_t i, j;
	char buf[sizeof(((struct cell *)0)->text) + 16];

	for (j = 0; j < t->n_cols; j++) {
		code[j] = code_column(table, t->cols[j]);
		if (j)
			putchar(',');
		csv_field(t->cols[j], false);
	}
	putchar('\n');
	for (i = 0; i < t->n_rows; i++) {
		for (j = 0; j < t->n_cols; j++) {
			const struct cell *c = &t->rows[i][j];
			if (j)
				putchar(',');
			csv_field(cell_text(c, t->k, buf, sizeof(buf)),
				  code[j] && c->kind == CELL_TEXT);
		}
		putchar('\n');
	}
}

void
query_print_refusal(FILE *f, const char *error)
{
	/* The client checked the name against its own tables: one the
	 * consolidator does not know is one of a later version than its. */
	if (strncmp(error, "unknown table", 13) == 0)
		fprintf(f,
			"kuska query: %s: the consolidator runs an older kuska "
			"than this one and has no such table (upgrade it: "
			"docs/OPERATIONS.md section 7)\n",
			error);
	else
		fprintf(f, "kuska query: %s\n", error);
}
