/*
 * report_fixture.h - query answers written as CSV text, for the unit tests
 * of kuska report (test_html.c, test_report.c). A cell is empty (""),
 * suppressed ("<10"), a whole number, a decimal ("0.248") or text.
 */
#ifndef KUSKA_REPORT_FIXTURE_H
#define KUSKA_REPORT_FIXTURE_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

static void __attribute__((unused))
fixture_cell(struct cell *c, const char *s, size_t len)
{
	size_t i, dots = 0, digits = 0;

	memset(c, 0, sizeof(*c));
	if (len == 0)
		return;
	if (s[0] == '<') {
		c->kind = CELL_SUPPRESSED;
		return;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '.')
			dots++;
		else if (isdigit((unsigned char)s[i]) ||
			 (i == 0 && s[i] == '-'))
			digits++;
	}
	if (dots + digits == len && dots == 0) {
		c->kind = CELL_NUMBER;
		c->number = strtoll(s, NULL, 10);
		return;
	}
	c->kind = dots == 1 && dots + digits == len ? CELL_DECIMAL : CELL_TEXT;
	snprintf(c->text, sizeof(c->text), "%.*s", (int)len, s);
}

/*
 * fixture_table - *t as the consolidator would answer role with threshold
 * k: header "a,b,c", then rows, NULL-terminated. Release with
 * codec_qtable_clear.
 */
static void __attribute__((unused))
fixture_table(struct qtable *t, const char *role, unsigned k,
	      const char *header, const char *const *rows)
{
	const char *s, *e;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	t->k = k;
	snprintf(t->role, sizeof(t->role), "%s", role);
	for (s = header; *s && t->n_cols < CODEC_MAX_COLUMNS;
	     s = *e ? e + 1 : e) {
		e = strchr(s, ',');
		if (e == NULL)
			e = s + strlen(s);
		snprintf(t->cols[t->n_cols++], sizeof(t->cols[0]), "%.*s",
			 (int)(e - s), s);
	}
	for (i = 0; rows != NULL && rows[i] != NULL; i++)
		t->n_rows++;
	t->rows = calloc(t->n_rows ? t->n_rows : 1, sizeof(*t->rows));
	for (i = 0; i < t->n_rows; i++)
		for (j = 0, s = rows[i]; j < t->n_cols; j++) {
			e = strchr(s, ',');
			if (e == NULL)
				e = s + strlen(s);
			fixture_cell(&t->rows[i][j], s, (size_t)(e - s));
			s = *e ? e + 1 : e;
		}
}

/* fixture_error - an answer refusing the table with the given reason. */
static void __attribute__((unused))
fixture_error(struct qtable *t, const char *role, const char *error)
{
	memset(t, 0, sizeof(*t));
	t->k = 10;
	snprintf(t->role, sizeof(t->role), "%s", role);
	snprintf(t->error, sizeof(t->error), "%s", error);
}

#endif
