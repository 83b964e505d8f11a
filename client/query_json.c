/* query_json.c - kuska query's JSON; see query_json.h. */
#include "query_json.h"

#include "norm.h"

#include <ctype.h>
#include <string.h>

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

/* s as a JSON string: ", \ and control characters escaped, a byte of no
 * well-formed UTF-8 character U+FFFD, which JSON (UTF-8) cannot hold. */
static void
json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, at;

	fputc('"', f);
	while (i < len) {
		at = i;
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i++]);
		else if (p[i] < 0x20)
			fprintf(f, "\\u%04x", p[i++]);
		else if (p[i] < 0x80)
			fputc(p[i++], f);
		else if (utf8_next(p, len, &i) >= 0)
			fwrite(p + at, 1, i - at, f);
		else {
			fputs("\\ufffd", f);
			i++;
		}
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
