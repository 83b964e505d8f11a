/* rates.c - indicators that read more than 100 per 100; see rates.h. */
#include "rates.h"

#include <stdlib.h>
#include <string.h>

/* The cell of row under column name, or NULL. */
static const struct cell *
cell_of(const struct qtable *t, size_t row, const char *name)
{
	size_t j;

	for (j = 0; j < t->n_cols && row < t->n_rows; j++)
		if (strcmp(t->cols[j], name) == 0)
			return &t->rows[row][j];
	return NULL;
}

bool
rates_over_100(const struct qtable *t, size_t row)
{
	const struct cell *unit = cell_of(t, row, "unit");
	const struct cell *value = cell_of(t, row, "value");

	if (unit == NULL || value == NULL || unit->kind != CELL_TEXT ||
	    strcmp(codec_cell_str(unit), "rate") != 0)
		return false;
	if (value->kind == CELL_NUMBER)
		return value->number > 100;
	return value->kind == CELL_DECIMAL && value->text[0] != '\0' &&
	       strtod(value->text, NULL) > 100;
}
