/*
 * csv.c - reads a capture-history table from CSV; see mse_csv_parse in
 * mse.h. Untrusted input: every line is bounded and every refusal names
 * its line, with the offending text quoted and escaped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mse.h"

#define CSV_LINE_MAX 4096
#define CSV_MAX_FIELDS (MSE_MAX_LISTS + 1)
#define CSV_QUOTE_MAX 40

struct field {
	const char *s;
	size_t len;
};

struct parser {
	const char *buf;
	size_t len, pos;
	unsigned line; /* of the line last read */
	struct mse_csv_error *err;
	struct mse_table t;
	unsigned seen[MSE_MAX_HISTORIES]; /* line of each history */
	char cell[CSV_LINE_MAX];	  /* the line's quoted fields, read */
};

__attribute__((format(printf, 3, 4))) static int
fail(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	p->err->line = line;
	va_start(ap, fmt);
	vsnprintf(p->err->reason, sizeof(p->err->reason), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* s as a quoted string, non-printable bytes escaped, cut at 40 bytes. */
static const char *
quote(const char *s, size_t len, char *out, size_t cap)
{
	size_t i, o = 0;

	out[o++] = '"';
	for (i = 0; i < len && i < CSV_QUOTE_MAX && o + 6 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
	}
	if (i < len && o + 4 < cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/*
 * The next line (without its "\n" or "\r\n") in *ret; false at the end.
 * Refuses a line that is too long or holds a NUL byte.
 */
static int
next_line(struct parser *p, struct field *ret)
{
	const char *s, *nl;
	size_t rest;

	if (p->pos >= p->len)
		return 0;
	p->line++;
	s = p->buf + p->pos;
	rest = p->len - p->pos;
	nl = memchr(s, '\n', rest);
	ret->s = s;
	ret->len = nl != NULL ? (size_t)(nl - s) : rest;
	p->pos += ret->len + (nl != NULL);
	if (ret->len > 0 && s[ret->len - 1] == '\r')
		ret->len--;
	if (ret->len > CSV_LINE_MAX)
		return fail(p, p->line, "longer than %d bytes", CSV_LINE_MAX);
	if (memchr(s, '\0', ret->len) != NULL)
		return fail(p, p->line, "holds a NUL byte");
	return 1;
}

/*
 * Whether the line says nothing: blank, or a comment (its first non-blank
 * a "#", as in the population file), where an analyst keeps the source of
 * the figures. No list name or count begins with "#".
 */
static bool
says_nothing(const struct field *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return l->s[i] == '#';
	return true;
}

static void
trim(struct field *f)
{
	while (f->len > 0 && (f->s[0] == ' ' || f->s[0] == '\t')) {
		f->s++;
		f->len--;
	}
	while (f->len > 0 &&
	       (f->s[f->len - 1] == ' ' || f->s[f->len - 1] == '\t'))
		f->len--;
}

static const char *
skip_blanks(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/*
 * Reads the quoted field that opens at s (its '"'), as RFC 4180 has it
 * and a spreadsheet saves with "quote all text cells": its text, commas
 * and all, with "" for one quote, to p->cell at *o, in *ret; returns
 * where it ends (at its comma or the line's end), NULL refused: a quote
 * left open at the line's end (a field over two lines) or text after the
 * closing quote.
 */
static const char *
read_quoted(struct parser *p, const char *s, const char *end, unsigned n,
	    size_t *o, struct field *ret)
{
	char q[CSV_QUOTE_MAX * 4 + 8];
	const char *from = s;

	ret->s = p->cell + *o;
	for (s++;; s++) {
		if (s == end) {
			fail(p, p->line,
			     "field %u: its opening quote is not closed on "
			     "this line (a field over two lines is not read)",
			     n + 1);
			return NULL;
		}
		if (*s == '"' && (s + 1 == end || s[1] != '"'))
			break;
		if (*s == '"')
			s++; /* "" is one quote */
		p->cell[(*o)++] = *s;
	}
	ret->len = (size_t)(p->cell + *o - ret->s);
	s = skip_blanks(s + 1, end);
	if (s < end && *s != ',') {
		fail(p, p->line,
		     "field %u: %s has text after its closing quote", n + 1,
		     quote(from, (size_t)(end - from), q, sizeof(q)));
		return NULL;
	}
	return s;
}

/*
 * Splits l at commas into f[0..max-1], the number of fields in *ret_n;
 * a field between double quotes is read by read_quoted, and spaces
 * around a field are dropped. Returns 0, or -EINVAL with p->err filled.
 */
static int
split(struct parser *p, const struct field *l, struct field *f, unsigned max,
      unsigned *ret_n)
{
	const char *s = l->s, *end = l->s + l->len, *c;
	unsigned n = 0;
	size_t o = 0;
	struct field v;

	for (;;) {
		s = skip_blanks(s, end);
		if (s < end && *s == '"') {
			s = read_quoted(p, s, end, n, &o, &v);
			if (s == NULL)
				return -EINVAL;
			c = s < end ? s : NULL;
		} else {
			c = memchr(s, ',', (size_t)(end - s));
			v.s = s;
			v.len = (size_t)((c != NULL ? c : end) - s);
			trim(&v);
		}
		if (n < max)
			f[n] = v;
		n++;
		if (c == NULL)
			break;
		s = c + 1;
	}
	*ret_n = n;
	return 0;
}

/*
 * A spreadsheet set to Spanish (Peru's) saves "CSV" with semicolons, and
 * some tools with tabs: say so, rather than leave the reader counting
 * columns that are plainly there.
 */
static const char *
other_separator(const struct field *l)
{
	if (memchr(l->s, ';', l->len) != NULL)
		return ", separated by commas (this line has semicolons)";
	if (memchr(l->s, '\t', l->len) != NULL)
		return ", separated by commas (this line has tabs)";
	return "";
}

/*
 * Whether the header is that of kuska query's overlap table in CSV
 * (period,institutions,victims: a row per combination, "pnp+mp"), which
 * an analyst may well hand over as it is: read as lists, it would be
 * refused at its first row for a period that is not 0 or 1.
 */
static bool
overlap_header(const struct field *f, unsigned n)
{
	static const char *const cols[] = {"period", "institutions", "victims"};
	unsigned i;

	if (n != 3)
		return false;
	for (i = 0; i < n; i++)
		if (f[i].len != strlen(cols[i]) ||
		    memcmp(f[i].s, cols[i], f[i].len) != 0)
			return false;
	return true;
}

static int
parse_header(struct parser *p, const struct field *l)
{
	struct field f[CSV_MAX_FIELDS];
	char q[CSV_QUOTE_MAX * 4 + 8];
	unsigned n, k, i, j;

	if (split(p, l, f, CSV_MAX_FIELDS, &n) != 0)
		return -EINVAL;
	if (overlap_header(f, n))
		return fail(p, p->line,
			    "this is kuska query's overlap table (a row per "
			    "combination, such as pnp+mp), not a capture "
			    "history: write a 0/1 column per institution and "
			    "the count, as kuska(1) says, or ask the "
			    "consolidator: kuska query estimate");
	if (n < 3)
		return fail(p, p->line,
			    "the header names %u column%s: it needs at least "
			    "two lists and the count%s",
			    n, n == 1 ? "" : "s", other_separator(l));
	if (n > CSV_MAX_FIELDS)
		return fail(p, p->line, "%u lists: at most %d", n - 1,
			    MSE_MAX_LISTS);
	k = n - 1;
	memset(&p->t, 0, sizeof(p->t));
	p->t.k = k;
	for (i = 0; i < n; i++) {
		if (i == k) {
			if (f[i].len == 0)
				return fail(p, p->line,
					    "the count column has no name");
			break;
		}
		if (!mse_name_valid(f[i].s, f[i].len))
			return fail(p, p->line,
				    "column %u: %s is not a list name (1 to "
				    "%d of A-Z a-z 0-9 _ . -)",
				    i + 1,
				    quote(f[i].s, f[i].len, q, sizeof(q)),
				    MSE_NAME_MAX);
		memcpy(p->t.names[i], f[i].s, f[i].len);
		p->t.names[i][f[i].len] = '\0';
		for (j = 0; j < i; j++)
			if (strcmp(p->t.names[i], p->t.names[j]) == 0)
				return fail(p, p->line,
					    "list %s is named twice",
					    p->t.names[i]);
	}
	return 0;
}

/* A count: digits only, at most MSE_MAX_COUNT. */
static int
parse_count(struct parser *p, const struct field *f, uint64_t *ret)
{
	char q[CSV_QUOTE_MAX * 4 + 8];
	uint64_t v = 0;
	size_t i, digits = 0;

	if (f->len > 1 && f->s[0] == '-') {
		for (i = 1; i < f->len && f->s[i] >= '0' && f->s[i] <= '9'; i++)
			;
		if (i == f->len)
			return fail(p, p->line, "negative count %s",
				    quote(f->s, f->len, q, sizeof(q)));
	}
	for (i = 0; i < f->len; i++) {
		if (f->s[i] < '0' || f->s[i] > '9')
			break;
		digits++;
		if (v <= MSE_MAX_COUNT)
			v = v * 10 + (uint64_t)(f->s[i] - '0');
	}
	if (digits == 0 || i != f->len)
		return fail(p, p->line, "count %s is not a whole number",
			    quote(f->s, f->len, q, sizeof(q)));
	if (v > MSE_MAX_COUNT)
		return fail(p, p->line, "count %s is over %llu",
			    quote(f->s, f->len, q, sizeof(q)),
			    (unsigned long long)MSE_MAX_COUNT);
	*ret = v;
	return 0;
}

/* Whether a list's field v holds a whole number and the count's field
 * c a 0 or 1: the columns in another order than lists, then the count
 * (a header "n,A,B" as some tools write it). */
static bool
count_misplaced(const struct field *v, const struct field *c)
{
	size_t i;

	if (v->len == 0 || c->len != 1 || (c->s[0] != '0' && c->s[0] != '1'))
		return false;
	for (i = 0; i < v->len; i++)
		if (v->s[i] < '0' || v->s[i] > '9')
			return false;
	return true;
}

static int
parse_row(struct parser *p, const struct field *l, uint64_t *total)
{
	struct field f[CSV_MAX_FIELDS];
	char q[CSV_QUOTE_MAX * 4 + 8];
	unsigned k = p->t.k, n, h = 0, i;
	uint64_t count = 0;
	int r;

	if (split(p, l, f, CSV_MAX_FIELDS, &n) != 0)
		return -EINVAL;
	if (n != k + 1)
		return fail(p, p->line,
			    "%u field%s, expected %u (a 0 or 1 for each of "
			    "the %u lists, then the count)",
			    n, n == 1 ? "" : "s", k + 1, k);
	for (i = 0; i < k; i++) {
		if (f[i].len == 1 && (f[i].s[0] == '0' || f[i].s[0] == '1')) {
			h |= (unsigned)(f[i].s[0] - '0') << i;
			continue;
		}
		return fail(p, p->line, "list %s: %s is not 0 or 1%s",
			    p->t.names[i],
			    quote(f[i].s, f[i].len, q, sizeof(q)),
			    count_misplaced(&f[i], &f[k])
				? " (a count here, and a 0 or 1 last? the "
				  "count is the last column, after a 0 or 1 "
				  "for each list)"
				: "");
	}
	if ((r = parse_count(p, &f[k], &count)) != 0)
		return r;
	if (h == 0)
		return fail(p, p->line,
			    "the history on no list is what is estimated; "
			    "it cannot be given");
	if (p->seen[h] != 0)
		return fail(p, p->line, "this history repeats line %u",
			    p->seen[h]);
	p->seen[h] = p->line;
	if (*total + count > MSE_MAX_COUNT)
		return fail(p, p->line, "the total count passes %llu",
			    (unsigned long long)MSE_MAX_COUNT);
	*total += count;
	p->t.count[h] = count;
	return 0;
}

static int
parse(struct parser *p)
{
	struct field l;
	uint64_t total = 0;
	bool header = false;
	int r;

	if (p->len >= 3 && memcmp(p->buf, "\xef\xbb\xbf", 3) == 0)
		p->pos = 3;
	while ((r = next_line(p, &l)) == 1) {
		if (says_nothing(&l))
			continue;
		r = header ? parse_row(p, &l, &total) : parse_header(p, &l);
		if (r != 0)
			return r;
		header = true;
	}
	if (r != 0)
		return r;
	if (!header)
		return fail(p, p->line > 0 ? p->line : 1,
			    "no header: expected the list names and the "
			    "count column");
	if (total == 0)
		return fail(p, 0, "no case: every count is 0");
	return 0;
}

int
mse_csv_parse(const char *buf, size_t len, struct mse_table *ret,
	      struct mse_csv_error *err)
{
	static const struct mse_csv_error none;
	struct parser *p;
	int r;

	*err = none;
	/* The parser holds a table and an index: too big for some stacks. */
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err->reason, sizeof(err->reason), "out of memory");
		return -ENOMEM;
	}
	p->buf = buf;
	p->len = len;
	p->err = err;
	r = parse(p);
	if (r == 0)
		*ret = p->t;
	free(p);
	return r;
}
