/*
 * record_victim.c - a victim object of a record: her document, names,
 * birth date or age, sex and nationality, and the match keys asked of the
 * pseudonym batch; see record_int.h.
 *
 * Identities pass through four places in the parser: jansson's parse tree
 * (every block of it is wiped when freed, see record_init() in record.c),
 * the normalised texts of record_parse_victim() (wiped before it returns,
 * on every path), the birth date (likewise), and the copies handed to the
 * pseudonym batch (sodium_malloc() memory that the batch wipes once they
 * are evaluated, or at once when the line is refused). Nothing is logged,
 * and no error reason ever quotes a value from the line.
 */
#include "record_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "date.h"
#include "norm.h"
#include "region.h"

/* parse_nationality - two upper-case ASCII letters (ISO alpha-2 or XX). */
static int
parse_nationality(struct parser *p, json_t *v, const char *path, char out[3])
{
	const char *s;
	size_t len;

	if (record_get_string(p, v, path, "nationality", true, &s, &len) < 0)
		return -EINVAL;
	/* A spreadsheet's empty cell, or its text for one. */
	if (strspn(s, " ") == len)
		return record_fail(p, path, "nationality",
				   "is empty: write XX when it is not known");
	/* NA and SN are Namibia and Senegal, not N/A and S/N. */
	if (len != 2 && record_no_value(s, len))
		return record_fail(p, path, "nationality",
				   "%s: write XX when it is not known",
				   RECORD_NO_VALUE);
	if (len != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return record_fail(p, path, "nationality",
				   "must be two upper-case letters (ISO 3166-1 "
				   "alpha-2 or XX)%s",
				   record_spaced(s, len));
	if (!nationality_valid(s))
		return record_fail(
		    p, path, "nationality",
		    "is not an ISO 3166-1 alpha-2 country code (XX "
		    "for unknown)");
	out[0] = s[0];
	out[1] = s[1];
	out[2] = '\0';
	return 0;
}

/*
 * short_digits - whether a document number is 1 to 7 digits, once the
 * spaces and dashes a DNI may be written with are left out: a DNI whose
 * leading zeros a spreadsheet dropped.
 */
static bool
short_digits(const char *s, size_t len)
{
	size_t i, digits = 0;

	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] != ' ' && s[i] != '-')
			return false;
	}
	return digits > 0 && digits < 8;
}

/*
 * ref_holds_document - whether ref, its letters and digits upper-cased and
 * the rest left out, holds doc (a normalised number of 8 or more): the
 * node keeps a ref in clear on its disk, so that one built from the
 * victim's document number (DNI-40721856) would leave her there. A
 * placeholder (00000000, a case system's "no DNI": record_held_only;
 * 99999999 or 12345678: norm_document_placeholder) names no one, and a
 * ref padded with it (MP-0000000042) holds it.
 */
static bool
ref_holds_document(const char *ref, const char *doc)
{
	char r[RECORD_MAX_REF + 1];
	size_t n = 0, len = strlen(doc);
	bool found;

	if (len < 8 || norm_document_placeholder(doc))
		return false;
	for (; *ref != '\0'; ref++)
		if ((*ref >= '0' && *ref <= '9') ||
		    (*ref >= 'A' && *ref <= 'Z'))
			r[n++] = *ref;
		else if (*ref >= 'a' && *ref <= 'z')
			r[n++] = (char)(*ref - 'a' + 'A');
	r[n] = '\0';
	found = strstr(r, doc) != NULL;
	sodium_memzero(r, sizeof(r));
	return found;
}

/* Why a ref that holds an identity is refused, after what it holds. */
#define REF_ADVICE                                                             \
	"the node keeps each ref in clear on its disk; use the case "          \
	"system's own record key"

/*
 * ref_flag - notes that the ref holds a victim's identity, and why (the
 * first reason found): not a refusal here, as the node refuses it only
 * for a record it does not hold already (see struct parsed_record).
 */
static void
ref_flag(struct parser *p, const char *reason)
{
	if (p->ret->ref_identity[0] == '\0')
		snprintf(p->ret->ref_identity, sizeof(p->ret->ref_identity),
			 "%s", reason);
}

/*
 * holds_apart - whether ref holds form with no digit against either end:
 * a day of its own, not the middle of a longer number.
 */
static bool
holds_apart(const char *ref, const char *form)
{
	const char *at;
	size_t len = strlen(form);

	for (at = strstr(ref, form); at != NULL; at = strstr(at + 1, form))
		if ((at == ref || at[-1] < '0' || at[-1] > '9') &&
		    (at[len] < '0' || at[len] > '9'))
			return true;
	return false;
}

/*
 * ref_holds_birth - whether ref holds the birth date written as a day is
 * written: YYYYMMDD, DDMMYYYY, or YYYY-MM-DD and DD-MM-YYYY with one of
 * - / . _ or a space between the parts and no digit against its ends.
 * Not a day number and a year apart (a file's 1203-2015), which a ref
 * names its records by, nor the parts of a longer number (a court file's
 * 00123-2015-12-1801-JR-PE-01: its year, incident and district).
 */
static bool
ref_holds_birth(const char *ref, int32_t birth)
{
	static const char seps[] = "-/._ ";
	char form[24];
	unsigned m, d;
	size_t i;
	bool found;
	int y;

	date_to_ymd(birth, &y, &m, &d);
	snprintf(form, sizeof(form), "%04d%02u%02u", y, m, d);
	found = strstr(ref, form) != NULL;
	snprintf(form, sizeof(form), "%02u%02u%04d", d, m, y);
	found = found || strstr(ref, form) != NULL;
	for (i = 0; !found && seps[i] != '\0'; i++) {
		snprintf(form, sizeof(form), "%04d%c%02u%c%02u", y, seps[i], m,
			 seps[i], d);
		found = holds_apart(ref, form);
		snprintf(form, sizeof(form), "%02u%c%02u%c%04d", d, seps[i], m,
			 seps[i], y);
		found = found || holds_apart(ref, form);
	}
	sodium_memzero(form, sizeof(form));
	sodium_memzero(&y, sizeof(y));
	sodium_memzero(&m, sizeof(m));
	sodium_memzero(&d, sizeof(d));
	return found;
}

/* A word of a text: where it starts and its length. */
struct word {
	const char *s;
	size_t len;
};

/*
 * split_words - the words of s into w (at most cap), split at every byte
 * for which is_break is true. Returns their number.
 */
static size_t
split_words(const char *s, bool (*is_break)(char), struct word *w, size_t cap)
{
	size_t n = 0, i = 0, start;

	while (s[i] != '\0') {
		while (s[i] != '\0' && is_break(s[i]))
			i++;
		start = i;
		while (s[i] != '\0' && !is_break(s[i]))
			i++;
		if (i > start && n < cap)
			w[n++] = (struct word){s + start, i - start};
	}
	return n;
}

static bool
is_space(char c)
{
	return c == ' ';
}

static bool
not_letter(char c)
{
	return c < 'A' || c > 'Z';
}

/*
 * after_place - whether w is a word that begins the name of a place, a
 * saint or a unit named after one (SANTA ROSA, SAN JUAN, LA VICTORIA,
 * VILLA MARIA, PUERTO MALDONADO, JESUS MARIA): the word after it in a ref
 * is that name's, not the victim's.
 */
static bool
after_place(struct word w)
{
	/* SN, STA, STO: as unit names abbreviate them (CPNP STA ROSA). */
	static const char *const words[] = {
	    "SAN", "SANTA", "SANTO", "SN",    "STA",	"STO",	 "LA",
	    "EL",  "LOS",   "LAS",   "VILLA", "PUERTO", "JESUS", NULL};
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (w.len == strlen(words[i]) &&
		    memcmp(w.s, words[i], w.len) == 0)
			return true;
	return false;
}

/*
 * place_word - whether w is a word of a department's name (LIMA, LORETO,
 * PIURA, the MARTIN of San Martín) as the names are folded: a ref that
 * names its region holds it, and a victim may bear it as a surname.
 */
static bool
place_word(struct word w)
{
	return region_name_word(w.s, w.len);
}

/*
 * names_together - whether t is two or more of the victim's names written
 * together, in any order (ZOILAMARTA, MARIAQUISPE, DELACRUZ), each of 2
 * letters or more and one of 3 or more: a word of a ref that is made of
 * her names, which no place or unit is named by.
 */
static bool
names_together(struct word t, const struct word *names, size_t n)
{
	/* reach[pos][pieces, 2 for more][a piece of 3 or more] */
	bool reach[RECORD_MAX_REF + 1][3][2];
	size_t pos, c, l, i, next;

	memset(reach, 0, sizeof(reach));
	reach[0][0][0] = true;
	for (pos = 0; pos < t.len; pos++)
		for (c = 0; c < 3; c++)
			for (l = 0; l < 2; l++)
				for (i = 0; reach[pos][c][l] && i < n; i++) {
					if (names[i].len < 2 ||
					    names[i].len > t.len - pos ||
					    memcmp(t.s + pos, names[i].s,
						   names[i].len) != 0)
						continue;
					next = pos + names[i].len;
					reach[next][c < 2 ? c + 1 : 2]
					     [l || names[i].len >= 3] = true;
				}
	return reach[t.len][2][1];
}

/*
 * ref_holds_name - whether ref, its letters upper-cased, its apostrophes
 * left out and split at every other character, holds two or more of the
 * victim's names (given and surn, normalised, "" when not known) as words
 * of 4 letters or more, in any order (PJ-EXP-Nunez-Quispe-1), or several of
 * them written together (ZOILAMARTA): the node keeps a ref in clear on its
 * disk, and two of her names together identify her. One name alone does
 * not, and refs name hospitals, shelters and units by names a girl bears
 * (HOSP-MARIA-AUXILIADORA, CPNP-ALFONSO-UGARTE), so it is taken. Nor is a
 * word counted where a ref names a place by it, so that a unit's name and
 * one of her surnames pass: a word of a department's name (a victim surnamed
 * LORETO and a ref PNP-LORETO-QUISPE) or a word after one that begins a
 * place's name (a girl named Rosa Quispe and a station's SANTA-ROSA-QUISPE).
 * Each of her names is counted once however often the ref holds it, and a
 * name she bears twice (Quispe Quispe) twice at most: a word counted takes
 * one of her names of its text that no word took before.
 */
static bool
ref_holds_name(const char *ref, const char *given, const char *surn)
{
	char r[RECORD_MAX_REF + 1];
	struct word rw[RECORD_MAX_REF / 2 + 1], nw[NORM_MAX];
	bool taken[NORM_MAX] = {false};
	size_t i, k, n, nr, held = 0;
	bool found = false;

	/* An apostrophe left out, as a name's is (K'ANA is KANA). */
	for (i = 0, k = 0; ref[i] != '\0'; i++)
		if (ref[i] >= 'a' && ref[i] <= 'z')
			r[k++] = (char)(ref[i] - 'a' + 'A');
		else if (ref[i] != '\'' && ref[i] != '`')
			r[k++] = ref[i];
	r[k] = '\0';
	nr = split_words(r, not_letter, rw, sizeof(rw) / sizeof(rw[0]));
	n = split_words(given, is_space, nw, NORM_MAX / 2);
	n += split_words(surn, is_space, nw + n, NORM_MAX / 2);
	for (k = 0; !found && k < nr; k++) {
		for (i = 0; rw[k].len >= 4 && i < n; i++)
			if (!taken[i] && nw[i].len == rw[k].len &&
			    memcmp(nw[i].s, rw[k].s, rw[k].len) == 0)
				break;
		if (rw[k].len >= 4 && i < n && !place_word(rw[k]) &&
		    !(k > 0 && after_place(rw[k - 1]))) {
			taken[i] = true;
			held++;
		}
		found = held >= 2 || names_together(rw[k], nw, n);
	}
	sodium_memzero(r, sizeof(r));
	sodium_memzero(rw, sizeof(rw));
	sodium_memzero(nw, sizeof(nw));
	return found;
}

/* The fields of a victim and of her document, NULL-ended. */
static const char *const victim_fields[] = {
    "document", "given_names", "surnames",    "birth_date",
    "age",	"sex",	       "nationality", NULL};
static const char *const doc_fields[] = {"type", "number", NULL};

/*
 * ref_checks - flags p's ref when it holds a victim's document number doc,
 * her names given and surn ("" when not written), or her birth date birth
 * (INT32_MIN when not written; a newborn's, born on the record's date,
 * is exempt: a ref holding its record's date is common), in that order
 * (ref_flag keeps the first reason); flags a correction's target_ref
 * alike (target_ref_identity). The parse and the scan of a refused line
 * both ask it.
 */
static void
ref_checks(struct parser *p, const char *doc, const char *given,
	   const char *surn, int32_t birth, int32_t date)
{
	const char *target = p->ret->target_ref;

	if (doc[0] != '\0' && ref_holds_document(p->ret->ref, doc))
		ref_flag(p, "holds the victim's document number: " REF_ADVICE);
	if ((given[0] != '\0' || surn[0] != '\0') &&
	    ref_holds_name(p->ret->ref, given, surn))
		ref_flag(p, "holds the victim's name: " REF_ADVICE);
	if (birth != INT32_MIN && birth != date &&
	    ref_holds_birth(p->ret->ref, birth))
		ref_flag(p, "holds the victim's birth date: " REF_ADVICE);
	/* A correction's target_ref is a record held (not refused for
	 * it), but not to be copied where a warning prints it. */
	if (target[0] != '\0' &&
	    ((doc[0] != '\0' && ref_holds_document(target, doc)) ||
	     ((given[0] != '\0' || surn[0] != '\0') &&
	      ref_holds_name(target, given, surn)) ||
	     (birth != INT32_MIN && birth != date &&
	      ref_holds_birth(target, birth))))
		p->ret->target_ref_identity = true;
}

/* A document's types, NULL-ended. */
static const char *const doc_types[] = {"DNI", "CE",	"PASSPORT", "PTP",
					"CPP", "OTHER", NULL};

/*
 * parse_document - a victim's document object: its type and number,
 * normalised into type_out (a static name) and num (NORM_MAX bytes), and
 * into *placeholder whether the number is one a case system fills in for
 * a document it does not have (norm_document_placeholder): counted and
 * its path kept for the line's warning.
 */
static int
parse_document(struct parser *p, json_t *doc, const char *path,
	       const char **type_out, char *num, bool *placeholder)
{
	const char *const *types = doc_types;
	char dpath[64];
	const char *s, *type;
	json_t *number;
	size_t len, i;
	int r;

	snprintf(dpath, sizeof(dpath), "%s%sdocument", path,
		 path[0] != '\0' ? "." : "");
	if (json_is_null(doc))
		return record_null(p, path, "document", false);
	if (!json_is_object(doc))
		return record_fail(p, dpath, "", "must be an object");
	if (record_check_fields(p, doc, dpath, doc_fields, NULL, NULL) < 0)
		return -EINVAL;
	if (record_get_string(p, doc, dpath, "type", true, &type, &len) < 0)
		return -EINVAL;
	/* A spreadsheet's row of a child with no document. */
	if (strspn(type, " ") == len)
		return record_fail(p, dpath, "type",
				   "is empty: leave the document out when the "
				   "victim has none");
	if (record_no_value(type, len))
		return record_fail(p, dpath, "type",
				   "%s: leave the document out when the victim "
				   "has none",
				   RECORD_NO_VALUE);
	for (i = 0; types[i] != NULL; i++)
		if (strcmp(types[i], type) == 0)
			break;
	if (types[i] == NULL)
		return record_fail(
		    p, dpath, "type",
		    "must be DNI or CE or PASSPORT or PTP or CPP or OTHER%s",
		    record_spaced(type, len));
	number = json_object_get(doc, "number");
	if (json_is_integer(number))
		return record_fail(p, dpath, "number",
				   "must be a string in quotes: written as a "
				   "number it loses its leading zeros");
	if (record_get_string(p, doc, dpath, "number", true, &s, &len) < 0)
		return -EINVAL;
	/* 00000000 for "no DNI": as a document key it would join every
	 * child so written into one victim. */
	if (record_no_value(s, len))
		record_held_only(p, dpath, "number",
				 "%s: leave the document out; as a number it "
				 "would join every child so written into one",
				 RECORD_NO_VALUE);
	r = norm_document(types[i], s, len, num, NORM_MAX);
	if (r == -ENAMETOOLONG)
		return record_fail(p, dpath, "number", "is too long");
	if (r < 0 && strcmp(types[i], "DNI") == 0 && short_digits(s, len))
		return record_fail(p, dpath, "number",
				   "a DNI is exactly 8 digits; this one has "
				   "fewer: a spreadsheet may have dropped its "
				   "leading zeros");
	if (r < 0 && strcmp(types[i], "DNI") == 0)
		return record_fail(p, dpath, "number",
				   "a DNI is exactly 8 digits");
	if (r < 0)
		return record_fail(
		    p, dpath, "number",
		    "must hold letters and digits (spaces and dashes "
		    "are ignored)");
	/* Zeros are held_only above, and keep their key as an older node
	 * made it, so that a record held with them is held still. */
	*placeholder =
	    !record_no_value(s, len) && norm_document_placeholder(num);
	if (*placeholder && p->ret->placeholder++ == 0)
		snprintf(p->ret->placeholder_field,
			 sizeof(p->ret->placeholder_field), "%s.number", dpath);
	*type_out = types[i];
	return 0;
}

/*
 * Whether a name field holds an export's text for no value
 * (record_no_value), short words that are also names aside: Na and Nan
 * are surnames and given names, Sn a surname; pandas' NaN, in its own
 * case, is still refused. Such a word alone in a name joins only the
 * children whose other names and birth date agree, where a document
 * number 00000000 would join them all.
 */
static bool
name_no_value(const char *s, size_t len)
{
	size_t i, n = 0;

	record_trim(&s, &len);
	for (i = 0; i < len; i++)
		n += isalpha((unsigned char)s[i]) != 0;
	if (n == len && len <= 3)
		return len == 3 && memcmp(s, "NaN", 3) == 0;
	return record_no_value(s, len);
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

	r = record_get_string(p, v, path, name, false, &s, &len);
	if (r == -ENOENT)
		return -ENOENT;
	if (r < 0)
		return -EINVAL;
	/* "" or spaces: an unknown name exported as a value. */
	if (strspn(s, " ") == len)
		return record_fail(p, path, name,
				   "%s (else it must hold letters)",
				   RECORD_EMPTY_OPTIONAL);
	if (name_no_value(s, len))
		record_held_only(p, path, name,
				 "%s: leave the field out when it is not "
				 "known",
				 RECORD_NO_VALUE);
	r = norm_name(s, len, out, NORM_MAX);
	if (r == -ENAMETOOLONG)
		return record_fail(p, path, name, "is too long");
	if (r < 0)
		return record_fail(p, path, name,
				   "must hold letters with spaces or hyphens "
				   "or apostrophes between them (no digits "
				   "or symbols)");
	return 0;
}

/*
 * victim_slot - v's place in ret's placeholder_type: 0 for the record's
 * victim, i + 1 for a case stage's victims[i].
 */
static size_t
victim_slot(const struct parsed_record *ret, const struct victim *v)
{
	const struct record *rec = &ret->ev.rec;

	return v == &rec->victim ? 0 : (size_t)(v - rec->victims) + 1;
}

void
record_placeholder_form(struct parsed_record *p, bool older)
{
	struct record *rec = &p->ev.rec;
	size_t i;

	if (p->placeholder_type[0] != DOC_NONE)
		rec->victim.doc_type =
		    older ? (enum doc_type)p->placeholder_type[0] : DOC_NONE;
	for (i = 0; i < rec->n_victims && i < EVENT_MAX_CASE_VICTIMS; i++)
		if (p->placeholder_type[i + 1] != DOC_NONE)
			rec->victims[i].doc_type =
			    older ? (enum doc_type)p->placeholder_type[i + 1]
				  : DOC_NONE;
}

/*
 * parse_victim_into - the fields of a victim object, which the caller
 * wipes: normalised names, document and birth date. See record_parse_victim().
 */
static int
parse_victim_into(struct parser *p, json_t *v, const char *path, int32_t date,
		  struct victim *out, char *given, char *surn, char *doc,
		  int32_t *birth)
{
	const char *doc_type = NULL, *held_type = NULL, *s;
	json_t *d;
	size_t len;
	long age = -1;
	int r, years = 0, has_given, has_surn, has_birth;
	bool placeholder = false;

	if (!json_is_object(v))
		return record_fail(p, path, "", "must be an object");
	if (record_check_fields(p, v, path, victim_fields, NULL, NULL) < 0)
		return -EINVAL;
	d = json_object_get(v, "document");
	if (d != NULL &&
	    parse_document(p, d, path, &doc_type, doc, &placeholder) < 0)
		return -EINVAL;
	/* A placeholder is no document: she links by her name key, or is
	 * unlinkable, as when the document is left out. Its key is asked
	 * all the same, never encoded, so that the node can tell a record
	 * that an older node stored with it (record_placeholder_form). */
	if (placeholder) {
		held_type = doc_type;
		doc_type = NULL;
	}
	if ((has_given = parse_name(p, v, path, "given_names", given)) ==
	    -EINVAL)
		return -EINVAL;
	if ((has_surn = parse_name(p, v, path, "surnames", surn)) == -EINVAL)
		return -EINVAL;
	has_birth = record_parse_day(p, v, path, "birth_date", false, birth);
	if (has_birth == -EINVAL)
		return -EINVAL;
	if (has_birth == 0) {
		if (*birth > date)
			return record_fail(p, path, "birth_date",
					   "is after the record's date");
		years = date_age_years(*birth, date);
		if (years > 120)
			return record_fail(p, path, "birth_date",
					   "gives an age over 120");
	}
	ref_checks(p, doc_type != NULL ? doc : "", has_given == 0 ? given : "",
		   has_surn == 0 ? surn : "",
		   has_birth == 0 ? *birth : INT32_MIN, date);
	r = record_get_int(p, v, path, "age", false, 0, 120, &age);
	if (r == -EINVAL)
		return -EINVAL;
	if (record_get_string(p, v, path, "sex", true, &s, &len) < 0)
		return -EINVAL;
	if (strspn(s, " ") == len)
		return record_fail(p, path, "sex",
				   "is empty: write U when it is not known");
	out->sex = sex_from_name(s);
	if (out->sex == SEX_NONE || len != 1)
		return record_fail(p, path, "sex", "must be F or M or U%s",
				   record_spaced(s, len));
	if (parse_nationality(p, v, path, out->nationality) < 0)
		return -EINVAL;
	if (has_birth != 0 && age < 0)
		return record_fail(p, path, "",
				   "one of birth_date or age is required");

	/* Both written: the birth date counts (EVENTS.md). An age taken on
	 * another day than the record's (her intake, the export) may be a
	 * year off either way; more than that no day explains, and the
	 * officer who wrote it is told which one counted. */
	if (has_birth == 0 && age >= 0 &&
	    (age > years + 1 || age < years - 1) &&
	    p->ret->age_mismatch++ == 0) {
		snprintf(p->ret->age_field, sizeof(p->ret->age_field), "%s.age",
			 path);
		p->ret->age_written = (uint8_t)age;
		p->ret->age_computed = (uint8_t)years;
	}
	out->age_years = (uint8_t)(has_birth == 0 ? years : age);
	out->age_group = age_group_of(out->age_years);
	/* Both match keys, each when the record has what it takes. */
	if (doc_type != NULL) {
		if (pseudo_add_document(p->batch, doc_type, doc,
					out->doc_key) != 0)
			return record_fail(p, "", "", "out of memory");
		out->doc_type = doc_type_from_name(doc_type);
	} else if (held_type != NULL) {
		if (pseudo_add_document(p->batch, held_type, doc,
					out->doc_key) != 0)
			return record_fail(p, "", "", "out of memory");
		p->ret->placeholder_type[victim_slot(p->ret, out)] =
		    (uint8_t)doc_type_from_name(held_type);
	}
	if (has_given == 0 && has_surn == 0 && has_birth == 0) {
		if (pseudo_add_name(p->batch, given, surn, *birth, out->sex,
				    out->name_key) != 0)
			return record_fail(p, "", "", "out of memory");
		out->has_name_key = true;
	}
	/* The first one's path, so that the warning can point at her in a
	 * case stage's list of victims. */
	if (!victim_linkable(out) && p->ret->unlinkable++ == 0)
		snprintf(p->ret->unlinkable_field,
			 sizeof(p->ret->unlinkable_field), "%s", path);
	return 0;
}

int
record_parse_victim(struct parser *p, json_t *v, const char *path, int32_t date,
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

/*
 * scan_text - obj's field name for scan_victim: its string into *s and
 * *len (NULL when absent, null or only spaces: nothing to look for).
 * Returns whether it could be read.
 */
static bool
scan_text(json_t *obj, const char *name, const char **s, size_t *len)
{
	json_t *f = json_object_get(obj, name);

	*s = json_string_value(f);
	*len = json_string_length(f);
	if (*s == NULL)
		return f == NULL || json_is_null(f);
	if (strspn(*s, " ") == *len)
		*s = NULL;
	return true;
}

/*
 * scan_identity - scan_victim's reading of v's document, names and birth
 * date into doc, given, surn (NORM_MAX bytes, "" when not written) and
 * *birth (INT32_MIN when not written), which the caller wipes. Returns
 * whether each written one could be read.
 */
static bool
scan_identity(json_t *v, char *doc, char *given, char *surn, int32_t *birth)
{
	json_t *d = json_object_get(v, "document");
	const char *s, *type;
	size_t len, i;

	/* A key outside the known fields may hold an identity unread
	 * ("nombres"): not read. */
	if (!record_only_fields(v, victim_fields))
		return false;
	if (d != NULL && !json_is_null(d)) {
		if (!json_is_object(d) || !record_only_fields(d, doc_fields) ||
		    !scan_text(d, "type", &type, &len) || type == NULL)
			return false;
		for (i = 0; doc_types[i] != NULL; i++)
			if (strcmp(doc_types[i], type) == 0)
				break;
		if (doc_types[i] == NULL || !scan_text(d, "number", &s, &len) ||
		    s == NULL ||
		    norm_document(type, s, len, doc, NORM_MAX) <= 0)
			return false;
	}
	if (!scan_text(v, "given_names", &s, &len) ||
	    (s != NULL && norm_name(s, len, given, NORM_MAX) <= 0))
		return false;
	if (!scan_text(v, "surnames", &s, &len) ||
	    (s != NULL && norm_name(s, len, surn, NORM_MAX) <= 0))
		return false;
	return scan_text(v, "birth_date", &s, &len) &&
	       (s == NULL || date_parse(s, len, birth) == 0);
}

/*
 * scan_victim - the ref checks of record_parse_victim on victim object v
 * of a record dated date (INT32_MIN: not known, no newborn's exemption),
 * its other fields not read. Returns whether her identity could be read.
 */
static bool
scan_victim(struct parser *p, json_t *v, int32_t date)
{
	char given[NORM_MAX] = "", surn[NORM_MAX] = "", doc[NORM_MAX] = "";
	int32_t birth = INT32_MIN;
	bool read =
	    json_is_object(v) && scan_identity(v, doc, given, surn, &birth);

	if (read)
		ref_checks(p, doc, given, surn, birth, date);
	sodium_memzero(given, sizeof(given));
	sodium_memzero(surn, sizeof(surn));
	sodium_memzero(doc, sizeof(doc));
	sodium_memzero(&birth, sizeof(birth));
	return read;
}

/*
 * scan_list - scan_victim on v, a victim object or a list of them (at
 * most EVENT_MAX_CASE_VICTIMS), or nothing when v is NULL or null.
 */
static bool
scan_list(struct parser *p, json_t *v, int32_t date)
{
	json_t *e;
	size_t i;

	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_array(v))
		return scan_victim(p, v, date);
	if (json_array_size(v) > EVENT_MAX_CASE_VICTIMS)
		return false;
	json_array_foreach(v, i, e)
	{
		if (!scan_victim(p, e, date))
			return false;
	}
	return true;
}

/* scan_record - record_ref_scan on obj, a record or a replacement. */
static bool
scan_record(struct parser *p, json_t *obj)
{
	json_t *d = json_object_get(obj, "date");
	int32_t date = INT32_MIN;

	/* A key outside every kind's fields may hold a victim unread
	 * ("victima", a correction's "registro"): not read. */
	if (!record_only_fields(obj, record_fields_any))
		return false;
	if (!json_is_string(d) ||
	    date_parse(json_string_value(d), json_string_length(d), &date) < 0)
		date = INT32_MIN;
	return scan_list(p, json_object_get(obj, "victim"), date) &&
	       scan_list(p, json_object_get(obj, "victims"), date);
}

bool
record_ref_scan(struct parser *p, json_t *root)
{
	json_t *inner = json_object_get(root, "record");

	if (!scan_record(p, root))
		return false;
	if (inner == NULL || json_is_null(inner))
		return true;
	return json_is_object(inner) && scan_record(p, inner);
}
