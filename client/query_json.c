/* query_json.c - kuska query's JSON; see query_json.h. */
#include "query_json.h"

#include <ctype.h>

bool
query_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (isdigit((unsigned char)*s))
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
query_json_write(FILE *f, const struct qtable *t)
{
	size_t i, j;

	fprintf(f, "[");
	for (i = 0; i < t->n_rows; i++) {
		fprintf(f, "%s\n  {", i ? "," : "");
		for (j = 0; j < t->n_cols; j++) {
			const struct cell *c = &t->rows[i][j];
			fprintf(f, "%s", j ? ", " : "");
			json_string(f, t->cols[j]);
			fprintf(f, ": ");
			switch (c->kind) {
			case CELL_NUMBER:
				fprintf(f, "%lld", (long long)c->number);
				break;
			case CELL_DECIMAL:
				if (query_json_number(c->text))
					fprintf(f, "%s", c->text);
				else
					json_string(f, c->text);
				break;
			case CELL_TEXT:
				json_string(f, codec_cell_str(c));
				break;
			default:
				fprintf(f, "null");
			}
		}
		fprintf(f, "}");
	}
	fprintf(f, "%s]\n", t->n_rows ? "\n" : "");
}
