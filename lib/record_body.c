/*
 * record_body.c - the body of a record: its date, region and victims,
 * and the fields of each kind (an identification's exploitation, a
 * referral's institution, purpose and number, a service, a case stage's
 * number, stage, victims, persons and article); see record_int.h.
 */
#include "record_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "date.h"
#include "norm.h"
#include "region.h"

/*
 * parse_date - the record's date: not before 2000-01-01, not after today.
 * A date after today names today and its zone: a case system whose clock
 * or zone is off by a day (UTC ahead of Peru in the evening) is told
 * what the node took for today.
 */
static int
parse_date(struct parser *p, json_t *obj, const char *base, int32_t *ret)
{
	char today[11];

	if (record_parse_day(p, obj, base, "date", true, ret) < 0)
		return -EINVAL;
	if (*ret < date_from_ymd(DATE_MIN_YEAR, 1, 1))
		return record_fail(p, base, "date", "is before %d-01-01",
				   DATE_MIN_YEAR);
	if (*ret > p->today)
		return record_fail(p, base, "date",
				   "is after today (%s in Peru time UTC-5)",
				   date_format(p->today, today));
	return 0;
}

/*
 * region_hint - for the reason of a region not written as two digits:
 * the code of a department written by name (" (the department's INEI
 * code: 15 for Lima)"), as a police case system shows it, into buf; a
 * word of letters that names none is told to write the code; else what
 * record_spaced says.
 */
static const char *
region_hint(const char *s, size_t len, char *buf, size_t cap)
{
	uint32_t code = region_from_name(s, len);
	size_t i;

	if (code != 0) {
		snprintf(buf, cap, " (the department's INEI code: %02u for %s)",
			 (unsigned)code, region_name(code));
		return buf;
	}
	for (i = 0; i < len; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z'))
			return " (the department's INEI code and not its name: "
			       "kuska help query lists them)";
	return record_spaced(s, len);
}

/* parse_region - the INEI department code, a string "01" to "25". */
static int
parse_region(struct parser *p, json_t *obj, const char *base, uint8_t *ret)
{
	char hint[96];
	const char *s;
	size_t len;
	int n;

	if (record_get_string(p, obj, base, "region", true, &s, &len) < 0)
		return -EINVAL;
	if (len != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return record_fail(p, base, "region",
				   "must be two digits from 01 to 25%s",
				   region_hint(s, len, hint, sizeof(hint)));
	n = (s[0] - '0') * 10 + (s[1] - '0');
	if (n < 1 || n > 25)
		return record_fail(p, base, "region",
				   "is not a department code (01 to 25)");
	*ret = (uint8_t)n;
	return 0;
}

static int
institution_value(const char *s)
{
	return (int)institution_from_name(s);
}

/*
 * word_hint - for the reason of a refused word (an institution, a
 * purpose, a service, a stage, a form of exploitation): " (in lower
 * case)" when s (len bytes), lower-cased, is a word from_name knows
 * ("PNP", "Medical"), as a case system that shows its codes in capitals
 * exports them; " (with _ for spaces)" when it is one with its
 * underscores written as spaces ("legal aid", "Formalized
 * Investigation": a case system's label of the code); else what
 * record_spaced says. Short: the node's list of the case stages its
 * institution may emit and the hint fill a reason's 160 bytes.
 */
static const char *
word_hint(const char *s, size_t len, int (*from_name)(const char *))
{
	char low[32];
	bool upper = false, spaced = false;
	size_t i;

	if (len == 0 || len >= sizeof(low) || strlen(s) != len)
		return record_spaced(s, len);
	for (i = 0; i < len; i++) {
		low[i] = s[i];
		if (s[i] >= 'A' && s[i] <= 'Z') {
			low[i] = (char)(s[i] - 'A' + 'a');
			upper = true;
		} else if (s[i] == ' ' && i > 0 && i + 1 < len) {
			low[i] = '_';
			spaced = true;
		}
	}
	low[len] = '\0';
	if (from_name(low) == 0)
		return record_spaced(s, len);
	if (!spaced)
		return " (in lower case)";
	return upper ? " (lower case; _ for spaces)" : " (with _ for spaces)";
}

static int
exploitation_value(const char *s)
{
	return (int)exploitation_from_name(s);
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
		return record_fail(p, base, "exploitation", "required");
	if (!json_is_array(a))
		return record_fail(p, base, "exploitation", "must be a list");
	if (json_array_size(a) == 0)
		return record_fail(p, base, "exploitation",
				   "must not be empty");
	*ret = 0;
	json_array_foreach(a, i, e)
	{
		snprintf(name, sizeof(name), "exploitation[%zu]", i);
		if (!json_is_string(e))
			return record_fail(p, base, name, "must be a string");
		x = exploitation_from_name(json_string_value(e));
		if (x == EXPL_NONE)
			return record_fail(p, base, name,
					   "unknown form of exploitation%s",
					   word_hint(json_string_value(e),
						     json_string_length(e),
						     exploitation_value));
		if (*ret & (1u << x))
			return record_fail(p, base, name, "repeated");
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

	if (record_get_string(p, obj, base, name, true, &s, &len) < 0)
		return -EINVAL;
	*ret = institution_from_name(s);
	if (*ret == INST_NONE || strlen(s) != len)
		return record_fail(p, base, name,
				   "must be pnp or mp or pj or mimp or minsa%s",
				   word_hint(s, len, institution_value));
	if (*ret == p->inst) {
		/* Said apart from the text: kuska submit asks whether such
		 * lines are another institution's export. Only when it is
		 * the line's first error, the one reported. */
		if (p->err->reason[0] == '\0')
			p->err->own_institution = true;
		return record_fail(
		    p, base, name,
		    "must differ from the submitting institution");
	}
	return 0;
}

/*
 * Whether s[i] (of len bytes) starts a dash as a word processor writes
 * "-" (Word's AutoFormat, a copy from a letter): U+2010 to U+2014 (the
 * hyphens, figure, en and em dashes) or U+2212 (minus), three bytes in
 * UTF-8.
 */
static bool
is_typographic_dash(const char *s, size_t i, size_t len)
{
	const unsigned char *u = (const unsigned char *)s + i;

	if (i + 2 >= len || u[0] != 0xe2)
		return false;
	return (u[1] == 0x80 && u[2] >= 0x90 && u[2] <= 0x94) ||
	       (u[1] == 0x88 && u[2] == 0x92);
}

/* Whether s[i] (of len bytes) starts a degree or an ordinal sign (° º),
 * two bytes in UTF-8, as Peruvian legal writing puts after an article's
 * number ("Art. 153°") and after the N of a document's ("Oficio N° 12"). */
static bool
is_degree(const char *s, size_t i, size_t len)
{
	return (unsigned char)s[i] == 0xc2 && i + 1 < len &&
	       ((unsigned char)s[i + 1] == 0xb0 ||
		(unsigned char)s[i + 1] == 0xba);
}

/* Whether s[i] (a degree or ordinal sign) follows an N, as in "N° 12" or
 * "N.° 12": a number's, not a court's ordinal ("1° JIP") nor an
 * article's degree sign. */
static bool
after_n(const char *s, size_t i)
{
	while (i > 0 && s[i - 1] == '.')
		i--;
	return i > 0 && (s[i - 1] == 'N' || s[i - 1] == 'n');
}

/*
 * record_ascii_fault - why s (len bytes, UTF-8), which norm_number (or
 * parse_ref) refused, is no referral or case number (or ref): the reason
 * for name's refusal. Either nothing but spaces, or the first character
 * that is not printable ASCII, by its place (in characters, from 1) and
 * its sort, never quoted: an officer finds a no-break space, a long dash
 * or a degree sign by where it is, as none shows on a screen for what it
 * is.
 */
int
record_ascii_fault(struct parser *p, const char *base, const char *name,
		   const char *s, size_t len)
{
	bool is_ref =
	    strcmp(name, "ref") == 0 || strcmp(name, "target_ref") == 0;
	size_t i, at = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80)
			at++;
		if (c < 0x20 || c == 0x7f)
			return record_fail(p, base, name,
					   "must be printable ASCII: character "
					   "%zu is a tab or another control "
					   "character",
					   at);
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa0)
			return record_fail(p, base, name,
					   "must be printable ASCII: character "
					   "%zu is a no-break space as copied "
					   "from a spreadsheet or a web page: "
					   "write a plain space",
					   at);
		if (is_typographic_dash(s, i, len))
			return record_fail(p, base, name,
					   "must be printable ASCII: character "
					   "%zu is a dash as a word processor "
					   "writes it: write a plain hyphen -",
					   at);
		/* An oficio's or a case's N°: the number alone, so that the
		 * sender and the destination, each told so, send the same. */
		if (!is_ref && is_degree(s, i, len) && after_n(s, i))
			return record_fail(p, base, name,
					   "must be printable ASCII: character "
					   "%zu is the sign of numero after an "
					   "N: write the number alone without "
					   "the N and its sign",
					   at);
		/* A ref's: whether it stands for N, NO or NRO is for the
		 * case system to keep alike in every export, as the ref
		 * must be. */
		if (is_ref && is_degree(s, i, len) && after_n(s, i))
			return record_fail(p, base, name,
					   "must be printable ASCII: character "
					   "%zu is a degree or ordinal sign (a "
					   "raised o as after the N of a "
					   "number): write N or NRO alike in "
					   "every export",
					   at);
		if (c >= 0x80)
			return record_fail(
			    p, base, name,
			    "must be printable ASCII: character "
			    "%zu is not (a letter with an accent "
			    "or a tilde or a sign such as the "
			    "degree or ordinal sign)",
			    at);
	}
	return record_fail(p, base, name,
			   "is empty: write the number as the document shows "
			   "it (not only spaces)");
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

	/* An oficio's number made a number by a spreadsheet. */
	if (json_is_number(json_object_get(obj, name)))
		return record_fail(p, base, name,
				   "must be a string in quotes written as "
				   "on the document");
	if (record_get_string(p, obj, base, name, true, &s, &len) < 0)
		return -EINVAL;
	/* An oficio "S/N", a spreadsheet's null: every referral (or case)
	 * so written would be one. */
	if (record_no_value(s, len))
		record_held_only(p, base, name,
				 "%s: write the number the document shows; "
				 "taken as one it would make every %s so "
				 "written one",
				 RECORD_NO_VALUE,
				 strcmp(name, "case_number") == 0 ? "case"
								  : "referral");
	r = norm_number(s, len, out, NORM_MAX);
	if (r == -ENAMETOOLONG)
		return record_fail(p, base, name, "is too long");
	if (r < 0)
		return record_ascii_fault(p, base, name, s, len);
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

	if (record_get_string(p, obj, base, name, true, &s, &len) < 0)
		return -EINVAL;
	*ret = strlen(s) == len ? from_name(s) : 0;
	if (*ret == 0)
		return record_fail(p, base, name, "must be one of %s%s", what,
				   word_hint(s, len, from_name));
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

/*
 * The steps of a case that have no stage, as a court's or a prosecutor's
 * export names them (English or Spanish, any case, accents or not: the
 * start of the word is enough), and what to do with such a line instead
 * of the list of stages, which names none of them: the officer of a
 * court that exports its appeals would look in vain for the stage to
 * write. Peru's codes name each appeal a "recurso" (de apelación, de
 * nulidad, de casación), and a prosecutor's archived case taken up again
 * is "desarchivado".
 */
#define NO_STAGE_APPEAL                                                        \
	"an appeal or an annulment is no case stage: leave the line out; a "   \
	"sentence given on appeal is sent as its stage (docs/INPUT.md "        \
	"section 6)"
#define NO_STAGE_REOPENING                                                     \
	"a reopening is no case stage: leave the line out and send the "       \
	"case's next stage when it comes (docs/INPUT.md section 6)"
static const struct {
	const char *start; /* lower case */
	const char *reason;
} no_stage[] = {
    {"appeal", NO_STAGE_APPEAL},       {"apelac", NO_STAGE_APPEAL},
    {"annul", NO_STAGE_APPEAL},	       {"nulidad", NO_STAGE_APPEAL},
    {"anulac", NO_STAGE_APPEAL},       {"recurso", NO_STAGE_APPEAL},
    {"cassation", NO_STAGE_APPEAL},    {"casac", NO_STAGE_APPEAL},
    {"reopen", NO_STAGE_REOPENING},    {"reapertura", NO_STAGE_REOPENING},
    {"desarchiv", NO_STAGE_REOPENING},
};

/* The reason for a stage written as one of no_stage's steps, or NULL. */
static const char *
no_stage_reason(json_t *obj)
{
	const char *s = json_string_value(json_object_get(obj, "stage"));
	size_t i, j, n;

	if (s == NULL)
		return NULL;
	for (i = 0; i < sizeof(no_stage) / sizeof(no_stage[0]); i++) {
		n = strlen(no_stage[i].start);
		for (j = 0; j < n; j++) {
			char c = s[j];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != no_stage[i].start[j])
				break;
		}
		if (j == n)
			return no_stage[i].reason;
	}
	return NULL;
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
		return record_fail(p, base, "victims", "required");
	if (!json_is_array(a))
		return record_fail(p, base, "victims", "must be a list");
	if (json_array_size(a) > EVENT_MAX_CASE_VICTIMS)
		return record_fail(p, base, "victims", "more than %d victims",
				   EVENT_MAX_CASE_VICTIMS);
	if (json_array_size(a) == 0 && rec->stage == STAGE_COMPLAINT)
		return record_fail(p, base, "victims",
				   "a complaint names at least one victim");
	json_array_foreach(a, i, v)
	{
		snprintf(path, sizeof(path), "%s%svictims[%zu]", base,
			 base[0] != '\0' ? "." : "", i);
		if (record_parse_victim(p, v, path, rec->date,
					&rec->victims[i]) < 0)
			return -EINVAL;
	}
	rec->n_victims = json_array_size(a);
	p->victims_read = true;
	return 0;
}

/* The second byte of a small ñ in UTF-8 (the first is EVENT_ENYE_LEAD). */
#define ENYE_LOWER 0xb1

/* Whether s[i] (of len bytes) starts an Ñ or ñ, two bytes in UTF-8. */
static bool
is_enye(const char *s, size_t i, size_t len)
{
	return event_enye_at(s, i, len) ||
	       ((unsigned char)s[i] == EVENT_ENYE_LEAD && i + 1 < len &&
		(unsigned char)s[i + 1] == ENYE_LOWER);
}

/*
 * article_normal - s (len bytes) as a Criminal Code article in its one
 * written form, into out: 1 to 3 digits, then perhaps a dash and one or
 * two capital letters ("153", "129-A"), the letters the Spanish
 * alphabet's, Ñ among them (slavery is article 129-Ñ). The forms case
 * systems export are taken: a leading "Art." or "art", a degree or an
 * ordinal sign after the number, a space or nothing for the dash, small
 * letters ("Art. 129-a", "153 B", "153A", "129 ñ", "Art. 153°-A").
 * Returns false for anything else: the article is the one free text a
 * record carries to the consolidator, and a document number, a birth date
 * or a name typed into it by mistake must stay on the node.
 */
static bool
article_normal(const char *s, size_t len, char out[EVENT_MAX_ARTICLE])
{
	size_t i = 0, o = 0, n;

	if (len >= 3 && (s[0] | 0x20) == 'a' && (s[1] | 0x20) == 'r' &&
	    (s[2] | 0x20) == 't') {
		i = 3;
		if (i < len && s[i] == '.')
			i++;
		while (i < len && s[i] == ' ')
			i++;
	}
	for (n = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++, n++)
		if (n < 3)
			out[o++] = s[i];
	if (n == 0 || n > 3)
		return false;
	if (i < len && is_degree(s, i, len))
		i += 2;
	if (i < len) {
		if (s[i] == '-' || s[i] == ' ')
			i++;
		else if (is_typographic_dash(s, i, len))
			i += 3; /* "129–A" as a word processor writes it */
		if (i == len)
			return false; /* a dash with no letter after it */
		out[o++] = '-';
	}
	for (n = 0; i < len; i++, n++) {
		char c = (char)(s[i] & ~0x20);
		if (n == 2)
			return false;
		if (is_enye(s, i, len)) {
			out[o++] = (char)EVENT_ENYE_LEAD;
			out[o++] = (char)EVENT_ENYE_UPPER;
			i++;
			continue;
		}
		if (c < 'A' || c > 'Z')
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

/* Whether s (len bytes) is printable ASCII but for Ñ, ñ, ° and º: an
 * article with another byte is refused as ASCII-only, as a name is
 * likelier there than a mistyped article. */
static bool
article_printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (is_enye(s, i, len) || is_degree(s, i, len))
			i++;
		else if (is_typographic_dash(s, i, len))
			i += 2;
		else if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	}
	return true;
}

/* What an article is, for the refusals of parse_article (each shorter
 * than a refusal's reason, 160 bytes). */
#define ARTICLE_FORM                                                           \
	"1 to 3 digits then perhaps one or two letters (153 or 129-A or "      \
	"Art. 153-B)"
#define ARTICLE_IS                                                             \
	"it holds an article number only (153 or 129-A or Art. 153-B) and "    \
	"no name or document number"

/* parse_article - the Criminal Code article (article_normal). */
static int
parse_article(struct parser *p, json_t *obj, const char *base,
	      struct record *rec)
{
	const char *s;
	size_t len;

	if (record_get_string(p, obj, base, "article", true, &s, &len) < 0)
		return -EINVAL;
	if (len == 0)
		return record_fail(p, base, "article", "must not be empty");
	/* A name typed here is the likeliest cause of all three: each
	 * says what the field holds, lest "longer than 15 characters"
	 * read as "shorten it" and "printable ASCII" as "drop the
	 * accents". */
	if (len >= EVENT_MAX_ARTICLE)
		return record_fail(p, base, "article",
				   "longer than %d characters: " ARTICLE_IS,
				   EVENT_MAX_ARTICLE - 1);
	if (!article_printable(s, len))
		return record_fail(p, base, "article",
				   "must be printable ASCII: " ARTICLE_IS);
	if (!article_normal(s, len, rec->article))
		return record_fail(p, base, "article",
				   "must be an article number: " ARTICLE_FORM
				   "; nothing else: no name or document "
				   "number");
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
		r = record_fail(p, "", "", "out of memory");
		goto out;
	}
	if (no_stage_reason(obj) != NULL) {
		r = record_fail(p, base, "stage", "%s", no_stage_reason(obj));
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
	r = record_get_int(p, obj, base, "persons", true, 0, EVENT_MAX_PERSONS,
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
			       "protection or health or justice", &v);
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
		r = record_fail(p, "", "", "out of memory");
out:
	sodium_memzero(num, sizeof(num));
	return r;
}

int
record_parse_body(struct parser *p, json_t *obj, const char *base,
		  struct record *rec)
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
			return record_fail(p, vpath, "", "required");
		/* Siblings found together, listed in one record (walk45). */
		if (json_is_array(v))
			return record_fail(
			    p, vpath, "",
			    "must be an object: one victim a record and not a "
			    "list; send a record for each child with a ref of "
			    "its own (a case_stage alone lists its victims)");
		if (record_parse_victim(p, v, vpath, rec->date, &rec->victim) <
		    0)
			return -EINVAL;
		p->victims_read = true;
	}
	switch (rec->kind) {
	case KIND_IDENTIFICATION:
		return parse_exploitation(p, obj, base, &rec->exploitation);
	case KIND_REFERRAL:
	case KIND_REFERRAL_RECEIVED:
		return parse_referral(p, obj, base, rec);
	case KIND_SERVICE:
		/* A case system that keeps a victim's services together. */
		if (json_is_array(json_object_get(obj, "service")))
			return record_fail(p, base, "service",
					   "must be one service (a string) and "
					   "not a list: send a record for each "
					   "service begun");
		r = parse_enum(p, obj, base, "service", service_value,
			       "residential_care or special_protection or "
			       "mental_health or medical or legal_aid or "
			       "reintegration",
			       &e);
		rec->service = (enum service)e;
		return r;
	case KIND_CASE_STAGE:
		return parse_case_stage(p, obj, base, rec);
	default:
		return record_fail(p, base, "kind", "cannot be %s",
				   kind_name(rec->kind));
	}
}
