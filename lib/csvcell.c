/*
 * csvcell.c - one CSV field, quoted when it must be and never a formula;
 * see csvcell.h.
 */
#include "csvcell.h"

#include <ctype.h>
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
	else if (csvcell_misread(s))
		quoted(f, s, false);
	else
		csvcell_write_plain(f, s);
}

void
csvcell_write_code(FILE *f, const char *s)
{
	if (s[0] == '\0')
		return;
	quoted(f, s, csvcell_formula(s) || s[0] == '\'');
}

void
csvcell_write_plain(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL)
		fputs(s, f);
	else
		quoted(f, s, false);
}

/* The digits at *s, past them; false if none. */
static bool
digits(const char **s)
{
	const char *p = *s;

	while (isdigit((unsigned char)**s))
		(*s)++;
	return *s > p;
}

bool
csvcell_number(const char *s)
{
	if (*s == '-')
		s++;
	/* 01 is a code: a spreadsheet would make it 1. */
	if (s[0] == '0' && isdigit((unsigned char)s[1]))
		return false;
	if (!digits(&s))
		return false;
	if (*s == '.') {
		s++;
		if (!digits(&s))
			return false;
	}
	return *s == '\0';
}

/* Whether a spreadsheet shows the number s as written: it keeps 15
 * significant digits, and drops a fraction's trailing zeros. */
static bool
shown_as_written(const char *s)
{
	size_t len = strlen(s), digits = 0;

	if (strchr(s, '.') != NULL && s[len - 1] == '0')
		return false;
	for (s += strspn(s, "-0."); *s != '\0'; s++)
		digits += *s != '.';
	return digits <= CSVCELL_DIGITS_KEPT;
}

bool
csvcell_misread(const char *s)
{
	if (!isdigit((unsigned char)s[0]) && s[0] != '.')
		return false;
	if (s[strspn(s, "0123456789+-./:eE")] != '\0')
		return false;
	return !csvcell_number(s) || !shown_as_written(s);
}

void
csvcell_write_value(FILE *f, const char *s)
{
	if (csvcell_number(s))
		csvcell_write_plain(f, s);
	else
		csvcell_write(f, s);
}
