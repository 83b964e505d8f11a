/*
 * csvcell.c - one CSV field, quoted when it must be and never a formula;
 * see csvcell.h.
 */
#include "csvcell.h"

#include <string.h>

bool
csvcell_formula(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/* s between double quotes, each inside doubled; after a ' if tick. */
static void
quoted(FILE *f, const char *s, bool tick)
{
	fputc('"', f);
	if (tick)
		fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
csvcell_write(FILE *f, const char *s)
{
	/* A value that begins with ' gets another, or "'=1" would read
	 * back as =1 whether the value was =1 or '=1. */
	if (csvcell_formula(s) || s[0] == '\'')
		quoted(f, s, true);
	else
		csvcell_write_plain(f, s);
}

void
csvcell_write_plain(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL)
		fputs(s, f);
	else
		quoted(f, s, false);
}
