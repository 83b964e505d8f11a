/* rates.c - indicators that read more than 100 per 100; see rates.h. */
#include "rates.h"

#include <stdlib.h>
#include <string.h>

#include "html.h"

bool
rates_over_100(const struct qtable *t, size_t row)
{
	const struct cell *unit = html_cell(t, row, "unit");
	const struct cell *value = html_cell(t, row, "value");

	if (unit == NULL || value == NULL || unit->kind != CELL_TEXT ||
	    strcmp(codec_cell_str(unit), "rate") != 0)
		return false;
	if (value->kind == CELL_NUMBER)
		return value->number > 100;
	return value->kind == CELL_DECIMAL && value->text[0] != '\0' &&
	       strtod(value->text, NULL) > 100;
}
