/*
 * record_field.c - one field of a record's JSON object read as a string,
 * a whole number or a day, the keys an object may have, and the error
 * that names the first field found wrong; see record_int.h.
 */
#include "record_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "date.h"

int
record_fail(struct parser *p, const char *base, const char *name,
	    const char *fmt, ...)
{
	va_list ap;

	if (p->err->reason[0] != '\0')
		return -EINVAL;
	snprintf(p->err->field, sizeof(p->err->field), "%s%s%s", base,
		 base[0] != '\0' && name[0] != '\0' ? "." : "", name);
	va_start(ap, fmt);
	vsnprintf(p->err->reason, sizeof(p->err->reason), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void
record_held_only(struct parser *p, const char *base, const char *name,
		 const char *fmt, ...)
{
	va_list ap;

	if (p->err->reason[0] != '\0' || p->held_reason[0] != '\0')
		return;
	snprintf(p->held_field, sizeof(p->held_field), "%s%s%s", base,
		 base[0] != '\0' && name[0] != '\0' ? "." : "", name);
	va_start(ap, fmt);
	vsnprintf(p->held_reason, sizeof(p->held_reason), fmt, ap);
	va_end(ap);
}

/* in_list - whether s is one of the NULL-ended list of names. */
static bool
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/*
 * key_shown - whether an unknown object key may be quoted in the error:
 * only when written like the format's field names (lower-case ASCII
 * letters and '_', at most 47 of them), as a typo of one is. Any other
 * key may be data: a case system's export whose header row went missing
 * makes the first record's names and numbers the keys of every line.
 */
static bool
key_shown(const char *key)
{
	size_t i;

	for (i = 0; key[i] != '\0'; i++)
		if (i == 47 || !((key[i] >= 'a' && key[i] <= 'z') ||
				 key[i] == '_'))
			return false;
	return i > 0;
}

bool
record_only_fields(json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		if (!in_list(allowed, key))
			return false;
	}
	return true;
}

int
record_check_fields(struct parser *p, json_t *obj, const char *base,
		    const char *const *allowed, const char *const *other,
		    const char *what_kind)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		if (in_list(allowed, key))
			continue;
		if (other != NULL && in_list(other, key))
			return record_fail(p, base, key, "not a field of %s",
					   what_kind);
		/* A spreadsheet's column with no header. */
		if (key[0] == '\0')
			return record_fail(p, base, "",
					   "a field with no name (a column "
					   "with no header in a spreadsheet's "
					   "export): leave it out");
		if (!key_shown(key))
			return record_fail(
			    p, base, "",
			    RECORD_UNKNOWN_FIELD
			    " whose key is not shown: it is not "
			    "written like a field name (lower-case letters "
			    "and _) and may be a name or number");
		return record_fail(p, base, key, RECORD_UNKNOWN_FIELD);
	}
	return 0;
}

void
record_trim(const char **s, size_t *len)
{
	while (*len > 0 && (*s)[0] == ' ') {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && (*s)[*len - 1] == ' ')
		(*len)--;
}

bool
record_no_value(const char *s, size_t len)
{
	static const char *const words[] = {
	    "null", "none", "nan", "undefined", "n/a", "na", "s/n", "sn", NULL};
	size_t i, zeros = 0;

	record_trim(&s, &len);
	for (i = 0; i < len && (s[i] == '0' || s[i] == '-'); i++)
		zeros += s[i] == '0';
	if (zeros > 0 && i == len)
		return true;
	for (i = 0; words[i] != NULL; i++)
		if (len == strlen(words[i]) &&
		    strncasecmp(s, words[i], len) == 0)
			return true;
	return false;
}

int
record_null(struct parser *p, const char *base, const char *name, bool required)
{
	return record_fail(p, base, name, "%s",
			   required ? RECORD_NULL_REQUIRED
				    : RECORD_NULL_OPTIONAL);
}

int
record_get_string(struct parser *p, json_t *obj, const char *base,
		  const char *name, bool required, const char **ret_s,
		  size_t *ret_len)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL) {
		if (required)
			record_fail(p, base, name, "required");
		return -ENOENT;
	}
	if (json_is_null(v))
		return record_null(p, base, name, required);
	if (!json_is_string(v))
		return record_fail(p, base, name, "must be a string");
	*ret_s = json_string_value(v);
	*ret_len = json_string_length(v);
	return 0;
}

int
record_get_int(struct parser *p, json_t *obj, const char *base,
	       const char *name, bool required, long lo, long hi, long *ret)
{
	json_t *v = json_object_get(obj, name);
	json_int_t n;

	if (v == NULL) {
		if (required)
			record_fail(p, base, name, "required");
		return -ENOENT;
	}
	if (json_is_null(v))
		return record_null(p, base, name, required);
	/* A spreadsheet's cell of digits, exported as text. */
	if (json_is_string(v))
		return record_fail(p, base, name,
				   "must be a whole number written without "
				   "quotes");
	/* 12.0: a column of whole numbers with an empty cell, which
	 * pandas and spreadsheets turn into decimals. */
	if (json_is_real(v) && json_real_value(v) > -1e9 &&
	    json_real_value(v) < 1e9 &&
	    json_real_value(v) == (double)(long)json_real_value(v))
		return record_fail(p, base, name,
				   "must be a whole number written without a "
				   "decimal point (12 and not 12.0 as a "
				   "spreadsheet may export it)");
	if (!json_is_integer(v))
		return record_fail(p, base, name, "must be a whole number");
	n = json_integer_value(v);
	if (n < lo || n > hi)
		return record_fail(p, base, name, "must be from %ld to %ld", lo,
				   hi);
	*ret = (long)n;
	return 0;
}

const char *
record_spaced(const char *s, size_t len)
{
	if (len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
			s[len - 1] == '\t'))
		return " (it has a space at an end)";
	return "";
}

bool
record_printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/*
 * Why s (len bytes), which date_parse refused, is no day as written, when
 * an export writes one in a usual other way: a space at an end, a time
 * after the day ("2025-10-04 00:00:00", "2025-10-04T08:30"), the year
 * last ("04/10/2025", as Peru writes a date); else "". The value is not
 * quoted: a birth date is part of an identity.
 */
static const char *
day_hint(const char *s, size_t len)
{
	const char *spaced = record_spaced(s, len);
	size_t i, part = 0, digits[3] = {0, 0, 0};
	int32_t day;

	if (spaced[0] != '\0')
		return spaced;
	if (len > 10 && (s[10] == 'T' || s[10] == ' ') &&
	    date_parse(s, 10, &day) == 0)
		return " (it has a time part: send the day alone)";
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits[part]++;
		else if ((s[i] == '/' || s[i] == '-' || s[i] == '.') &&
			 part < 2)
			part++;
		else
			return "";
	}
	if (part == 2 && digits[0] >= 1 && digits[0] <= 2 && digits[1] >= 1 &&
	    digits[1] <= 2 && digits[2] == 4)
		return " (the year is last as in DD/MM/YYYY: write it first)";
	/* 2025/04/09, 2025.4.9, 2025-4-9: the year first, but not as the
	 * format writes a day (the real day that is no day says nothing). */
	if (part == 2 && digits[0] == 4 && digits[1] >= 1 && digits[1] <= 2 &&
	    digits[2] >= 1 && digits[2] <= 2 &&
	    (s[4] != '-' || digits[1] != 2 || digits[2] != 2))
		return " (write it with hyphens and two digits for the month "
		       "and the day: 2025-04-09)";
	/* A spreadsheet's serial day number (days since 1899-12-30:
	 * 36526 is 2000-01-01) exported as text. */
	if (part == 0 && digits[0] == 5)
		return " (it is a number as a spreadsheet keeps a day: "
		       "format the column as text written YYYY-MM-DD "
		       "before exporting)";
	return "";
}

int
record_parse_day(struct parser *p, json_t *obj, const char *base,
		 const char *name, bool required, int32_t *ret)
{
	const char *s;
	size_t len;
	int r;

	/* A spreadsheet's serial day number, its cell exported as one. */
	if (json_is_number(json_object_get(obj, name)))
		return record_fail(p, base, name,
				   "must be a string written YYYY-MM-DD (a "
				   "number is how a spreadsheet keeps a day: "
				   "format the column as text before "
				   "exporting)");
	r = record_get_string(p, obj, base, name, required, &s, &len);
	if (r == -ENOENT && !required)
		return -ENOENT;
	if (r < 0)
		return -EINVAL;
	if (len == 0 && !required)
		return record_fail(p, base, name, RECORD_EMPTY_OPTIONAL);
	if (len == 0)
		return record_fail(p, base, name,
				   "is empty: write the day it happened");
	if (record_no_value(s, len))
		return record_fail(p, base, name, "%s: %s", RECORD_NO_VALUE,
				   required ? "write the day it happened"
					    : "leave the field out when it "
					      "is not known");
	if (date_parse(s, len, ret) < 0)
		return record_fail(p, base, name,
				   "must be a real day written YYYY-MM-DD%s",
				   day_hint(s, len));
	return 0;
}
