/* query_json.c - kuska query's JSON; see query_json.h. */
#include "query_json.h"

#include <ctype.h>
#include <stdint.h>

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

/*
 * The bytes of the UTF-8 character at s (2 to 4), or 0 when s holds no
 * well-formed one (RFC 3629: no overlong form, no surrogate, none past
 * U+10FFFF, no stray continuation byte).
 */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* a NUL ends it too */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* s as a JSON string: ", \ and control characters escaped, a byte of no
 * well-formed UTF-8 character U+FFFD, which JSON (UTF-8) cannot hold. */
static void
json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', f);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else if (*p < 0x80)
			fputc(*p, f);
		else if ((n = utf8_len(p)) == 0)
			fputs("\\ufffd", f);
		else {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		p++;
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
