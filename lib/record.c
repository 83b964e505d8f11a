/*
 * record.c - one JSON line of EVENTS.md into an event and the pseudonyms
 * it needs; see record.h. This module owns jansson.
 *
 * Identities pass through four places here: jansson's parse tree (every
 * block of it is wiped when freed, see record_init()), the normalised
 * texts of parse_victim() (wiped before it returns, on every path), the
 * birth date (likewise), and the copies handed to the pseudonym batch
 * (sodium_malloc() memory that the batch wipes once they are evaluated,
 * or at once when the line is refused). Nothing is logged, and no error
 * reason ever quotes a value from the line.
 */
#include "record.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "date.h"
#include "norm.h"

/* What record_parse() carries down the parse. */
struct parser {
	enum institution inst;	    /* the institution submitting the line */
	struct pseudo_batch *batch; /* where pseudonyms are asked for */
	int32_t today;
	struct parsed_record *ret;
	struct record_error *err;
};

/* Header in front of each jansson block: its size, kept aligned. */
union wipe_header {
	size_t size;
	max_align_t align;
};

/*
 * wipe_malloc - jansson's allocator: a block with its size in a header so
 * that wipe_free() can clear all of it.
 */
static void *
wipe_malloc(size_t size)
{
	union wipe_header *h;

	if (size > SIZE_MAX - sizeof(*h))
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (h == NULL)
		return NULL;
	h->size = size;
	return h + 1;
}

/* wipe_free - jansson's free: clears the whole block, then frees it. */
static void
wipe_free(void *p)
{
	union wipe_header *h;

	if (p == NULL)
		return;
	h = (union wipe_header *)p - 1;
	sodium_memzero(h, sizeof(*h) + h->size);
	free(h);
}

void
record_init(void)
{
	json_set_alloc_funcs(wipe_malloc, wipe_free);
}

/*
 * fail - records the first error of the line: the field path (base and
 * name joined by a dot; either may be empty) and the reason, a printf
 * format that must never be given a value from the line. Returns -EINVAL.
 */
static int __attribute__((format(printf, 4, 5)))
fail(struct parser *p, const char *base, const char *name, const char *fmt, ...)
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
 * key_for_path - a copy of an object key fit for an error path: bytes
 * that are not printable ASCII become '?', as the key is untrusted.
 */
static void
key_for_path(const char *key, char *out, size_t cap)
{
	size_t i;

	for (i = 0; key[i] != '\0' && i + 1 < cap; i++)
		out[i] = key[i] > 0x20 && key[i] < 0x7f ? key[i] : '?';
	out[i] = '\0';
}

/*
 * check_fields - refuses the first key of obj not in allowed: "unknown
 * field", or, when it is in other (fields of other kinds), "not a field
 * of" the what_kind. Returns 0 or -EINVAL.
 */
static int
check_fields(struct parser *p, json_t *obj, const char *base,
	     const char *const *allowed, const char *const *other,
	     const char *what_kind)
{
	const char *key;
	json_t *v;
	char name[48];

	json_object_foreach(obj, key, v)
	{
		if (in_list(allowed, key))
			continue;
		key_for_path(key, name, sizeof(name));
		if (other != NULL && in_list(other, key))
			return fail(p, base, name, "not a field of %s",
				    what_kind);
		return fail(p, base, name, "unknown field");
	}
	return 0;
}

/*
 * get_string - obj's field name as a string (*ret_s, *ret_len; the pointer
 * lives as long as obj). Returns 0; -ENOENT when absent (an error only if
 * required); -EINVAL when not a string.
 */
static int
get_string(struct parser *p, json_t *obj, const char *base, const char *name,
	   bool required, const char **ret_s, size_t *ret_len)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL) {
		if (required)
			fail(p, base, name, "required");
		return -ENOENT;
	}
	if (!json_is_string(v))
		return fail(p, base, name, "must be a string");
	*ret_s = json_string_value(v);
	*ret_len = json_string_length(v);
	return 0;
}

/*
 * get_int - obj's field name as a whole number in lo..hi. Returns 0 and
 * *ret, -ENOENT when absent (an error only if required) or -EINVAL.
 */
static int
get_int(struct parser *p, json_t *obj, const char *base, const char *name,
	bool required, long lo, long hi, long *ret)
{
	json_t *v = json_object_get(obj, name);
	json_int_t n;

	if (v == NULL) {
		if (required)
			fail(p, base, name, "required");
		return -ENOENT;
	}
	if (!json_is_integer(v))
		return fail(p, base, name, "must be a whole number");
	n = json_integer_value(v);
	if (n < lo || n > hi)
		return fail(p, base, name, "must be from %ld to %ld", lo, hi);
	*ret = (long)n;
	return 0;
}

/* printable - whether all len bytes of s are printable ASCII. */
static bool
printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* parse_ref - a ref or target_ref: 1 to 64 printable ASCII characters. */
static int
parse_ref(struct parser *p, json_t *obj, const char *name,
	  char out[RECORD_MAX_REF + 1])
{
	const char *s;
	size_t len;
	int r;

	if ((r = get_string(p, obj, "", name, true, &s, &len)) < 0)
		return -EINVAL;
	if (len == 0)
		return fail(p, "", name, "must not be empty");
	if (len > RECORD_MAX_REF)
		return fail(p, "", name, "longer than %d characters",
			    RECORD_MAX_REF);
	if (!printable(s, len))
		return fail(p, "", name, "must be printable ASCII");
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/*
 * parse_day - obj's field name as a real day "YYYY-MM-DD". Returns 0,
 * -ENOENT when absent and not required, or -EINVAL.
 */
static int
parse_day(struct parser *p, json_t *obj, const char *base, const char *name,
	  bool required, int32_t *ret)
{
	const char *s;
	size_t len;
	int r;

	r = get_string(p, obj, base, name, required, &s, &len);
	if (r == -ENOENT && !required)
		return -ENOENT;
	if (r < 0)
		return -EINVAL;
	if (date_parse(s, len, ret) < 0)
		return fail(p, base, name,
			    "must be a real day written YYYY-MM-DD");
	return 0;
}

/* parse_date - the record's date: not before 2000-01-01, not after today. */
static int
parse_date(struct parser *p, json_t *obj, const char *base, int32_t *ret)
{
	if (parse_day(p, obj, base, "date", true, ret) < 0)
		return -EINVAL;
	if (*ret < date_from_ymd(DATE_MIN_YEAR, 1, 1))
		return fail(p, base, "date", "is before %d-01-01",
			    DATE_MIN_YEAR);
	if (*ret > p->today)
		return fail(p, base, "date", "is after today");
	return 0;
}

/* parse_region - the INEI department code, a string "01" to "25". */
static int
parse_region(struct parser *p, json_t *obj, const char *base, uint8_t *ret)
{
	const char *s;
	size_t len;
	int n;

	if (get_string(p, obj, base, "region", true, &s, &len) < 0)
		return -EINVAL;
	if (len != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return fail(p, base, "region", "must be two digits, 01 to 25");
	n = (s[0] - '0') * 10 + (s[1] - '0');
	if (n < 1 || n > 25)
		return fail(p, base, "region",
			    "is not a department code, 01 to 25");
	*ret = (uint8_t)n;
	return 0;
}

/* parse_nationality - two upper-case ASCII letters (ISO alpha-2 or XX). */
static int
parse_nationality(struct parser *p, json_t *v, const char *path, char out[3])
{
	const char *s;
	size_t len;

	if (get_string(p, v, path, "nationality", true, &s, &len) < 0)
		return -EINVAL;
	if (len != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return fail(p, path, "nationality",
			    "must be two upper-case letters (ISO 3166-1 "
			    "alpha-2, or XX)");
	if (!nationality_valid(s))
		return fail(p, path, "nationality",
			    "is not an ISO 3166-1 alpha-2 country code (XX "
			    "for unknown)");
	out[0] = s[0];
	out[1] = s[1];
	out[2] = '\0';
	return 0;
}

/*
 * parse_document - a victim's document object: its type and number,
 * normalised into type_out (a static name) and num (NORM_MAX bytes).
 */
static int
parse_document(struct parser *p, json_t *doc, const char *path,
	       const char **type_out, char *num)
{
	static const char *const fields[] = {"type", "number", NULL};
	static const char *const types[] = {"DNI", "CE",    "PASSPORT", "PTP",
					    "CPP", "OTHER", NULL};
	char dpath[64];
	const char *s, *type;
	size_t len, i;
	int r;

	snprintf(dpath, sizeof(dpath), "%s%sdocument", path,
		 path[0] != '\0' ? "." : "");
	if (!json_is_object(doc))
		return fail(p, dpath, "", "must be an object");
	if (check_fields(p, doc, dpath, fields, NULL, NULL) < 0)
		return -EINVAL;
	if (get_string(p, doc, dpath, "type", true, &type, &len) < 0)
		return -EINVAL;
	for (i = 0; types[i] != NULL; i++)
		if (strcmp(types[i], type) == 0)
			break;
	if (types[i] == NULL)
		return fail(p, dpath, "type",
			    "must be DNI, CE, PASSPORT, PTP, CPP or OTHER");
	if (get_string(p, doc, dpath, "number", true, &s, &len) < 0)
		return -EINVAL;
	r = norm_document(types[i], s, len, num, NORM_MAX);
	if (r == -ENAMETOOLONG)
		return fail(p, dpath, "number", "is too long");
	if (r < 0 && strcmp(types[i], "DNI") == 0)
		return fail(p, dpath, "number", "a DNI is exactly 8 digits");
	if (r < 0)
		return fail(p, dpath, "number",
			    "must hold letters and digits (spaces and dashes "
			    "are ignored)");
	*type_out = types[i];
	return 0;
}

/*
 * parse_name - a victim's given_names or surnames, normalised into out
 * (NORM_MAX bytes). Returns 0, -ENOENT when absent, or -EINVAL.
 */
static int
parse_name(struct parser *p, json_t *v, const char *path, const char *name,
	   char *out)
{
	const char *s;
	size_t len;
	int r;

	r = get_string(p, v, path, name, false, &s, &len);
	if (r == -ENOENT)
		return -ENOENT;
	if (r < 0)
		return -EINVAL;
	r = norm_name(s, len, out, NORM_MAX);
	if (r == -ENAMETOOLONG)
		return fail(p, path, name, "is too long");
	if (r < 0)
		return fail(p, path, name,
			    "must hold letters, with spaces, hyphens or "
			    "apostrophes between them (no digits or "
			    "symbols)");
	return 0;
}

/*
 * parse_victim_into - the fields of a victim object, which the caller
 * wipes: normalised names, document and birth date. See parse_victim().
 */
static int
parse_victim_into(struct parser *p, json_t *v, const char *path, int32_t date,
		  struct victim *out, char *given, char *surn, char *doc,
		  int32_t *birth)
{
	static const char *const fields[] = {
	    "document", "given_names", "surnames",    "birth_date",
	    "age",	"sex",	       "nationality", NULL};
	const char *doc_type = NULL, *s;
	json_t *d;
	size_t len;
	long age = -1;
	int r, years = 0, has_given, has_surn, has_birth;

	if (!json_is_object(v))
		return fail(p, path, "", "must be an object");
	if (check_fields(p, v, path, fields, NULL, NULL) < 0)
		return -EINVAL;
	d = json_object_get(v, "document");
	if (d != NULL && parse_document(p, d, path, &doc_type, doc) < 0)
		return -EINVAL;
	if ((has_given = parse_name(p, v, path, "given_names", given)) ==
	    -EINVAL)
		return -EINVAL;
	if ((has_surn = parse_name(p, v, path, "surnames", surn)) == -EINVAL)
		return -EINVAL;
	has_birth = parse_day(p, v, path, "birth_date", false, birth);
	if (has_birth == -EINVAL)
		return -EINVAL;
	if (has_birth == 0) {
		if (*birth > date)
			return fail(p, path, "birth_date",
				    "is after the record's date");
		years = date_age_years(*birth, date);
		if (years > 120)
			return fail(p, path, "birth_date",
				    "gives an age over 120");
	}
	r = get_int(p, v, path, "age", false, 0, 120, &age);
	if (r == -EINVAL)
		return -EINVAL;
	if (get_string(p, v, path, "sex", true, &s, &len) < 0)
		return -EINVAL;
	out->sex = sex_from_name(s);
	if (out->sex == SEX_NONE || len != 1)
		return fail(p, path, "sex", "must be F, M or U");
	if (parse_nationality(p, v, path, out->nationality) < 0)
		return -EINVAL;
	if (has_birth != 0 && age < 0)
		return fail(p, path, "",
			    "one of birth_date or age is required");

	out->age_years = (uint8_t)(has_birth == 0 ? years : age);
	out->age_group = age_group_of(out->age_years);
	/* Both match keys, each when the record has what it takes. */
	if (doc_type != NULL) {
		if (pseudo_add_document(p->batch, doc_type, doc,
					out->doc_key) != 0)
			return fail(p, "", "", "out of memory");
		out->doc_type = doc_type_from_name(doc_type);
	}
	if (has_given == 0 && has_surn == 0 && has_birth == 0) {
		if (pseudo_add_name(p->batch, given, surn, *birth, out->sex,
				    out->name_key) != 0)
			return fail(p, "", "", "out of memory");
		out->has_name_key = true;
	}
	/* The first one's path, so that the warning can point at her in a
	 * case stage's list of victims. */
	if (!victim_linkable(out) && p->ret->unlinkable++ == 0)
		snprintf(p->ret->unlinkable_field,
			 sizeof(p->ret->unlinkable_field), "%s", path);
	return 0;
}

/*
 * parse_victim - a victim object at path (e.g. "victim", "victims[2]"),
 * its age taken at date. Fills *out, pseudonym included, and counts an
 * unlinkable victim. Every copy of the identity is wiped before it
 * returns. Returns 0 or -EINVAL.
 */
static int
parse_victim(struct parser *p, json_t *v, const char *path, int32_t date,
	     struct victim *out)
{
	char given[NORM_MAX], surn[NORM_MAX], doc[NORM_MAX];
	int32_t birth = 0;
	int r;

	r = parse_victim_into(p, v, path, date, out, given, surn, doc, &birth);
	sodium_memzero(given, sizeof(given));
	sodium_memzero(surn, sizeof(surn));
	sodium_memzero(doc, sizeof(doc));
	sodium_memzero(&birth, sizeof(birth));
	return r;
}

/* parse_exploitation - a non-empty list of known forms, no repeats. */
static int
parse_exploitation(struct parser *p, json_t *obj, const char *base,
		   uint32_t *ret)
{
	json_t *a = json_object_get(obj, "exploitation"), *e;
	enum exploitation x;
	char name[48];
	size_t i;

	if (a == NULL)
		return fail(p, base, "exploitation", "required");
	if (!json_is_array(a))
		return fail(p, base, "exploitation", "must be a list");
	if (json_array_size(a) == 0)
		return fail(p, base, "exploitation", "must not be empty");
	*ret = 0;
	json_array_foreach(a, i, e)
	{
		snprintf(name, sizeof(name), "exploitation[%zu]", i);
		if (!json_is_string(e))
			return fail(p, base, name, "must be a string");
		x = exploitation_from_name(json_string_value(e));
		if (x == EXPL_NONE)
			return fail(p, base, name,
				    "unknown form of exploitation");
		if (*ret & (1u << x))
			return fail(p, base, name, "repeated");
		*ret |= 1u << x;
	}
	return 0;
}

/*
 * parse_institution - the field to or from: a known institution other
 * than the one submitting.
 */
static int
parse_institution(struct parser *p, json_t *obj, const char *base,
		  const char *name, enum institution *ret)
{
	const char *s;
	size_t len;

	if (get_string(p, obj, base, name, true, &s, &len) < 0)
		return -EINVAL;
	*ret = institution_from_name(s);
	if (*ret == INST_NONE || strlen(s) != len)
		return fail(p, base, name,
			    "must be pnp, mp, pj, mimp or minsa");
	if (*ret == p->inst)
		return fail(p, base, name,
			    "must differ from the submitting institution");
	return 0;
}

/*
 * parse_number - a referral or case number, trimmed and upper-cased into
 * out (NORM_MAX bytes).
 */
static int
parse_number(struct parser *p, json_t *obj, const char *base, const char *name,
	     char *out)
{
	const char *s;
	size_t len;
	int r;

	if (get_string(p, obj, base, name, true, &s, &len) < 0)
		return -EINVAL;
	r = norm_number(s, len, out, NORM_MAX);
	if (r == -ENAMETOOLONG)
		return fail(p, base, name, "is too long");
	if (r < 0)
		return fail(p, base, name,
			    "must be printable ASCII, not only spaces");
	return 0;
}

/*
 * parse_enum - obj's field name, a string that from_name knows; what
 * lists the allowed words for the error.
 */
static int
parse_enum(struct parser *p, json_t *obj, const char *base, const char *name,
	   int (*from_name)(const char *), const char *what, int *ret)
{
	const char *s;
	size_t len;

	if (get_string(p, obj, base, name, true, &s, &len) < 0)
		return -EINVAL;
	*ret = strlen(s) == len ? from_name(s) : 0;
	if (*ret == 0)
		return fail(p, base, name, "must be one of %s", what);
	return 0;
}

static int
purpose_value(const char *s)
{
	return (int)purpose_from_name(s);
}

static int
service_value(const char *s)
{
	return (int)service_from_name(s);
}

static int
stage_value(const char *s)
{
	return (int)stage_from_name(s);
}

/* parse_case_victims - the victims list of a case stage, at most 256. */
static int
parse_case_victims(struct parser *p, json_t *obj, const char *base,
		   struct record *rec)
{
	json_t *a = json_object_get(obj, "victims"), *v;
	char path[64];
	size_t i;

	if (a == NULL)
		return fail(p, base, "victims", "required");
	if (!json_is_array(a))
		return fail(p, base, "victims", "must be a list");
	if (json_array_size(a) > EVENT_MAX_CASE_VICTIMS)
		return fail(p, base, "victims", "more than %d victims",
			    EVENT_MAX_CASE_VICTIMS);
	if (json_array_size(a) == 0 && rec->stage == STAGE_COMPLAINT)
		return fail(p, base, "victims",
			    "a complaint names at least one victim");
	json_array_foreach(a, i, v)
	{
		snprintf(path, sizeof(path), "%s%svictims[%zu]", base,
			 base[0] != '\0' ? "." : "", i);
		if (parse_victim(p, v, path, rec->date, &rec->victims[i]) < 0)
			return -EINVAL;
	}
	rec->n_victims = json_array_size(a);
	return 0;
}

/* parse_article - the Criminal Code article, short printable ASCII. */
static int
parse_article(struct parser *p, json_t *obj, const char *base,
	      struct record *rec)
{
	const char *s;
	size_t len;

	if (get_string(p, obj, base, "article", true, &s, &len) < 0)
		return -EINVAL;
	if (len == 0)
		return fail(p, base, "article", "must not be empty");
	if (len >= EVENT_MAX_ARTICLE)
		return fail(p, base, "article", "longer than %d characters",
			    EVENT_MAX_ARTICLE - 1);
	if (!printable(s, len))
		return fail(p, base, "article", "must be printable ASCII");
	memcpy(rec->article, s, len);
	rec->article[len] = '\0';
	return 0;
}

/* parse_case_stage - the body of a case_stage record. */
static int
parse_case_stage(struct parser *p, json_t *obj, const char *base,
		 struct record *rec)
{
	char num[NORM_MAX];
	long persons = 0;
	int v = 0, r;

	r = parse_number(p, obj, base, "case_number", num);
	if (r < 0)
		goto out;
	if (pseudo_add_case(p->batch, num, rec->case_id) != 0) {
		r = fail(p, "", "", "out of memory");
		goto out;
	}
	r = parse_enum(p, obj, base, "stage", stage_value,
		       "complaint, preliminary_investigation, "
		       "formalized_investigation, accusation, trial, "
		       "conviction, acquittal, dismissal",
		       &v);
	if (r < 0)
		goto out;
	rec->stage = (enum stage)v;
	if ((r = parse_case_victims(p, obj, base, rec)) < 0)
		goto out;
	r = get_int(p, obj, base, "persons", true, 0, EVENT_MAX_PERSONS,
		    &persons);
	if (r < 0) {
		r = -EINVAL;
		goto out;
	}
	rec->persons = (uint32_t)persons;
	r = parse_article(p, obj, base, rec);
out:
	sodium_memzero(num, sizeof(num));
	return r;
}

/* parse_referral - the body of a referral or referral_received record. */
static int
parse_referral(struct parser *p, json_t *obj, const char *base,
	       struct record *rec)
{
	char num[NORM_MAX];
	enum institution sender = INST_NONE;
	int v = 0, r;

	if (rec->kind == KIND_REFERRAL) {
		if ((r = parse_institution(p, obj, base, "to", &rec->other)) <
		    0)
			goto out;
		r = parse_enum(p, obj, base, "purpose", purpose_value,
			       "protection, health, justice", &v);
		if (r < 0)
			goto out;
		rec->purpose = (enum purpose)v;
		sender = p->inst;
	} else {
		r = parse_institution(p, obj, base, "from", &rec->other);
		if (r < 0)
			goto out;
		sender = rec->other;
	}
	if ((r = parse_number(p, obj, base, "referral_number", num)) < 0)
		goto out;
	if (pseudo_add_referral(p->batch, sender, num, rec->referral) != 0)
		r = fail(p, "", "", "out of memory");
out:
	sodium_memzero(num, sizeof(num));
	return r;
}

/* Top-level fields by kind, NULL-ended; a replacement record has no ref. */
static const char *const fields_identification[] = {
    "kind", "ref", "date", "region", "victim", "exploitation", NULL};
static const char *const fields_referral[] = {
    "kind",   "ref", "date",	"region",
    "victim", "to",  "purpose", "referral_number",
    NULL};
static const char *const fields_referral_received[] = {
    "kind", "ref", "date", "region", "victim", "from", "referral_number", NULL};
static const char *const fields_service[] = {
    "kind", "ref", "date", "region", "victim", "service", NULL};
static const char *const fields_case_stage[] = {
    "kind",  "ref",	"date",	   "region",  "case_number",
    "stage", "victims", "persons", "article", NULL};
static const char *const fields_amend[] = {"kind", "ref", "target_ref",
					   "record", NULL};
static const char *const fields_withdrawal[] = {"kind", "ref", "target_ref",
						NULL};
static const char *const fields_any[] = {
    "kind",    "ref",	     "date",
    "region",  "victim",     "exploitation",
    "to",      "purpose",    "referral_number",
    "from",    "service",    "case_number",
    "stage",   "victims",    "persons",
    "article", "target_ref", "record",
    NULL};

static const char *const *
fields_of(enum kind k)
{
	switch (k) {
	case KIND_IDENTIFICATION:
		return fields_identification;
	case KIND_REFERRAL:
		return fields_referral;
	case KIND_REFERRAL_RECEIVED:
		return fields_referral_received;
	case KIND_SERVICE:
		return fields_service;
	case KIND_CASE_STAGE:
		return fields_case_stage;
	case KIND_CORRECTION:
		return fields_amend;
	default:
		return fields_withdrawal;
	}
}

/* An "a"/"an" phrase naming a kind's records, for error reasons. */
static const char *
kind_phrase(enum kind k)
{
	switch (k) {
	case KIND_IDENTIFICATION:
		return "an identification record";
	case KIND_REFERRAL:
		return "a referral record";
	case KIND_REFERRAL_RECEIVED:
		return "a referral_received record";
	case KIND_SERVICE:
		return "a service record";
	case KIND_CASE_STAGE:
		return "a case_stage record";
	case KIND_CORRECTION:
		return "a correction record";
	default:
		return "a withdrawal record";
	}
}

/* parse_kind - obj's kind, required and known. */
static int
parse_kind(struct parser *p, json_t *obj, const char *base, enum kind *ret)
{
	const char *s;
	size_t len;

	if (get_string(p, obj, base, "kind", true, &s, &len) < 0)
		return -EINVAL;
	*ret = strlen(s) == len ? kind_from_name(s) : KIND_NONE;
	if (*ret == KIND_NONE)
		return fail(p, base, "kind",
			    "must be identification, referral, "
			    "referral_received, service, case_stage, "
			    "correction or withdrawal");
	return 0;
}

/*
 * parse_body - date, region and the fields of kind rec->kind (already
 * read) of obj, at base ("" or "record"), into rec.
 */
static int
parse_body(struct parser *p, json_t *obj, const char *base, struct record *rec)
{
	char vpath[64];
	json_t *v;
	int e = 0, r;

	if (parse_date(p, obj, base, &rec->date) < 0)
		return -EINVAL;
	if (parse_region(p, obj, base, &rec->region) < 0)
		return -EINVAL;
	if (rec->kind != KIND_CASE_STAGE) {
		snprintf(vpath, sizeof(vpath), "%s%svictim", base,
			 base[0] != '\0' ? "." : "");
		if ((v = json_object_get(obj, "victim")) == NULL)
			return fail(p, vpath, "", "required");
		if (parse_victim(p, v, vpath, rec->date, &rec->victim) < 0)
			return -EINVAL;
	}
	switch (rec->kind) {
	case KIND_IDENTIFICATION:
		return parse_exploitation(p, obj, base, &rec->exploitation);
	case KIND_REFERRAL:
	case KIND_REFERRAL_RECEIVED:
		return parse_referral(p, obj, base, rec);
	case KIND_SERVICE:
		r = parse_enum(p, obj, base, "service", service_value,
			       "residential_care, special_protection, "
			       "mental_health, medical, legal_aid, "
			       "reintegration",
			       &e);
		rec->service = (enum service)e;
		return r;
	case KIND_CASE_STAGE:
		return parse_case_stage(p, obj, base, rec);
	default:
		return fail(p, base, "kind", "cannot be %s",
			    kind_name(rec->kind));
	}
}

/* parse_replacement - the record object of a correction. */
static int
parse_replacement(struct parser *p, json_t *obj, struct record *rec)
{
	json_t *inner = json_object_get(obj, "record");

	if (inner == NULL)
		return fail(p, "", "record", "required");
	if (!json_is_object(inner))
		return fail(p, "", "record", "must be an object");
	if (parse_kind(p, inner, "record", &rec->kind) < 0)
		return -EINVAL;
	if (rec->kind == KIND_CORRECTION || rec->kind == KIND_WITHDRAWAL)
		return fail(p, "record", "kind",
			    "a replacement cannot be a correction or "
			    "withdrawal");
	if (json_object_get(inner, "ref") != NULL)
		return fail(p, "record", "ref",
			    "a replacement record has no ref of its own");
	if (check_fields(p, inner, "record", fields_of(rec->kind), fields_any,
			 kind_phrase(rec->kind)) < 0)
		return -EINVAL;
	return parse_body(p, inner, "record", rec);
}

/* parse_object - a whole record object into p->ret. */
static int
parse_object(struct parser *p, json_t *obj)
{
	struct parsed_record *ret = p->ret;
	enum kind kind;

	if (parse_kind(p, obj, "", &kind) < 0)
		return -EINVAL;
	if (check_fields(p, obj, "", fields_of(kind), fields_any,
			 kind_phrase(kind)) < 0)
		return -EINVAL;
	if (parse_ref(p, obj, "ref", ret->ref) < 0)
		return -EINVAL;
	ret->ev.kind = kind;
	if (kind == KIND_CORRECTION || kind == KIND_WITHDRAWAL) {
		if (parse_ref(p, obj, "target_ref", ret->target_ref) < 0)
			return -EINVAL;
		if (strcmp(ret->ref, ret->target_ref) == 0)
			return fail(p, "", "target_ref",
				    "must differ from ref");
		if (kind == KIND_CORRECTION &&
		    parse_replacement(p, obj, &ret->ev.rec) < 0)
			return -EINVAL;
	} else {
		ret->ev.rec.kind = kind;
		if (parse_body(p, obj, "", &ret->ev.rec) < 0)
			return -EINVAL;
	}
	return 0;
}

/*
 * json_reason - jansson's error text without its "near '...'" part,
 * which would quote the line (and perhaps a name) into the reason.
 */
static void
json_reason(struct parser *p, json_error_t *je)
{
	char *near = strstr(je->text, " near ");
	unsigned byte;

	if (near != NULL)
		*near = '\0';
	/* Say in the officer's words what jansson says in its own. */
	if (strstr(je->text, "\\u0000 is not allowed") != NULL)
		fail(p, "", "",
		     "invalid JSON at column %d: a NUL character (\\u0000) "
		     "is not allowed",
		     je->column);
	else if (sscanf(je->text, "unable to decode byte 0x%x", &byte) == 1)
		/* jansson counts the characters read before the bad byte:
		 * the byte itself is at the next column. */
		fail(p, "", "",
		     "not UTF-8 text (byte 0x%02x at column %d): save the "
		     "file as UTF-8",
		     byte & 0xff, je->column + 1);
	else
		fail(p, "", "", "invalid JSON at column %d: %s", je->column,
		     je->text);
}

int
record_parse(const char *line, size_t len, enum institution inst, int32_t today,
	     struct pseudo_batch *batch, struct parsed_record *ret,
	     struct record_error *err)
{
	struct parser p = {.inst = inst,
			   .batch = batch,
			   .today = today,
			   .ret = ret,
			   .err = err};
	struct pseudo_mark mark = pseudo_batch_mark(batch);
	json_error_t je;
	json_t *root = NULL;
	int r;

	record_init();
	memset(ret, 0, sizeof(*ret));
	memset(err, 0, sizeof(*err));
	if (len > RECORD_MAX_LINE) {
		r = fail(&p, "", "", "line longer than %d bytes",
			 RECORD_MAX_LINE);
		goto out;
	}
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		r = fail(&p, "", "",
			 "the line starts with a byte-order mark (BOM): save "
			 "the file as UTF-8 without BOM");
		goto out;
	}
	/* Saved as "Unicode text": UTF-16, every other byte a NUL. */
	if (len >= 2 && (memcmp(line, "\xff\xfe", 2) == 0 ||
			 memcmp(line, "\xfe\xff", 2) == 0)) {
		r = fail(&p, "", "",
			 "the line starts with a UTF-16 byte-order mark: save "
			 "the file as UTF-8");
		goto out;
	}
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		if (json_error_code(&je) == json_error_out_of_memory) {
			fail(&p, "", "", "out of memory");
			r = -ENOMEM;
		} else {
			json_reason(&p, &je);
			r = -EINVAL;
		}
		goto out;
	}
	if (!json_is_object(root)) {
		r = fail(&p, "", "", "a record is a JSON object");
		goto out;
	}
	r = parse_object(&p, root);
out:
	json_decref(root);
	sodium_memzero(&je, sizeof(je));
	if (r < 0) {
		/* Nothing of a refused line is evaluated. */
		pseudo_batch_rollback(batch, mark);
		memset(ret, 0, sizeof(*ret));
	}
	return r;
}
