/*
 * record_int.h - what the record parser's files share: internal to them,
 * the only files besides record.c that see jansson. record.c takes a line
 * to a record object (jansson's memory and errors, the kind, its fields,
 * ref, target and replacement) and holds record.h's calls;
 * record_field.c reads one field of an object and words the error that
 * names it; record_victim.c a victim, her identity and its pseudonyms;
 * record_body.c a record's body: date, region, victims and the fields of
 * each kind.
 */
#ifndef KUSKA_RECORD_INT_H
#define KUSKA_RECORD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "event.h"
#include "pseudo.h"
#include "record.h"

/* What record_parse() carries down the parse. */
struct parser {
	enum institution inst;	    /* the institution submitting the line */
	struct pseudo_batch *batch; /* where pseudonyms are asked for */
	int32_t today;
	struct parsed_record *ret;
	struct record_error *err;
	bool victims_read; /* every victim of the line parsed */
	/* The first stand-in for no value in a field an older node
	 * took (record_held_only): "" when none. */
	char held_field[64];
	char held_reason[160];
};

/* Reading fields (record_field.c). */

/*
 * record_fail - records the first error of the line: the field path (base
 * and name joined by a dot; either may be empty) and the reason, a printf
 * format that must never be given a value from the line. Returns -EINVAL.
 */
int record_fail(struct parser *p, const char *base, const char *name,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The top-level fields of records of any kind, NULL-ended (record.c). */
extern const char *const record_fields_any[];

/* record_only_fields - whether every key of object obj is in allowed. */
bool record_only_fields(json_t *obj, const char *const *allowed);

/*
 * record_check_fields - refuses the first key of obj not in allowed:
 * "unknown field", or, when it is in other (fields of other kinds), "not
 * a field of" the what_kind. An unknown key is named in the error only
 * when written like a field name (lower-case letters and '_'): any other
 * may be a name or number. Returns 0 or -EINVAL.
 */
int record_check_fields(struct parser *p, json_t *obj, const char *base,
			const char *const *allowed, const char *const *other,
			const char *what_kind);

/*
 * The reasons for a field written null, or an optional text field left
 * empty: case systems export a value they do not have so, where the
 * format wants the field left out (an absent optional field is no error).
 */
#define RECORD_NULL_OPTIONAL "is null: leave the field out when it is not known"
#define RECORD_NULL_REQUIRED "required (null is no value)"
#define RECORD_EMPTY_OPTIONAL                                                  \
	"is empty: leave the field out when it is not known"

/*
 * The start of the reason for a text field that holds a stand-in for no
 * value (record_no_value); the caller adds what to do.
 */
#define RECORD_NO_VALUE "stands for no value (null or N/A or S/N or zeros...)"

/*
 * record_trim - moves *s past the spaces at its start and shortens *len
 * by them and by those at its end; other blanks are kept.
 */
void record_trim(const char **s, size_t *len);

/*
 * record_no_value - whether s (len bytes), its spaces at the ends aside
 * and read without case, is what an export writes where it had no value:
 * null, none, nan, undefined (CSV-to-JSON tools', pandas', JavaScript's
 * text for an empty cell), n/a, na, s/n or sn (sin número), or zeros
 * with nothing but dashes among them (00000000 for "no DNI", 0000-00-00
 * for no day). Taken as a name or a number, it would make every child (or
 * referral, or case) so written one.
 */
bool record_no_value(const char *s, size_t len);

/*
 * record_held_only - records, as record_fail would, the first stand-in
 * for no value in a field that an older node took (a document or
 * referral number, a name), and lets the parse go on: a line so taken
 * flags parsed_record's held_only, and the node refuses it unless a
 * record is held under its ref, stored before (re-sent, re-keyed after a
 * rotation: as any record held). A line refused for something after it
 * is refused for it (the first error), unless for naming the submitter.
 */
void record_held_only(struct parser *p, const char *base, const char *name,
		      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * record_null - refuses a field written null (see above); required says
 * which reason. Returns -EINVAL.
 */
int record_null(struct parser *p, const char *base, const char *name,
		bool required);

/*
 * record_get_string - obj's field name as a string (*ret_s, *ret_len; the
 * pointer lives as long as obj). Returns 0; -ENOENT when absent (an error
 * only if required); -EINVAL when null or not a string.
 */
int record_get_string(struct parser *p, json_t *obj, const char *base,
		      const char *name, bool required, const char **ret_s,
		      size_t *ret_len);

/*
 * record_get_int - obj's field name as a whole number in lo..hi. Returns
 * 0 and *ret, -ENOENT when absent (an error only if required) or -EINVAL.
 */
int record_get_int(struct parser *p, json_t *obj, const char *base,
		   const char *name, bool required, long lo, long hi,
		   long *ret);

/*
 * record_spaced - for the reason of a refused word or code (a region, a
 * sex, a kind): " (it has a space at an end)" when s starts or ends with
 * a space or tab, as a case system's fixed-width column pads it; else "".
 * The string is static.
 */
const char *record_spaced(const char *s, size_t len);

/* record_printable - whether all len bytes of s are printable ASCII. */
bool record_printable(const char *s, size_t len);

/*
 * record_ascii_fault - fails name (under base) for s, len bytes of UTF-8
 * that are not all printable ASCII, naming the first character that is
 * not by its place and sort (or, when s holds only spaces, saying it is
 * empty). Returns -EINVAL.
 */
int record_ascii_fault(struct parser *p, const char *base, const char *name,
		       const char *s, size_t len);

/*
 * record_parse_day - obj's field name as a real day "YYYY-MM-DD". Returns
 * 0, -ENOENT when absent and not required, or -EINVAL.
 */
int record_parse_day(struct parser *p, json_t *obj, const char *base,
		     const char *name, bool required, int32_t *ret);

/*
 * record_parse_victim - a victim object at path (e.g. "victim",
 * "victims[2]"), its age taken at date (record_victim.c). Fills *out,
 * pseudonym included, and counts an unlinkable victim. Every copy of the
 * identity is wiped before it returns. Returns 0 or -EINVAL.
 */
int record_parse_victim(struct parser *p, json_t *v, const char *path,
			int32_t date, struct victim *out);

/*
 * record_ref_scan - the ref checks of record_parse_victim() on every
 * victim of root, the record object of a line refused before its victims
 * were all parsed (a correction's replacement's too): her document, names
 * and birth date alone are read, whatever else is wrong with the line.
 * Flags p->ret->ref_identity as the parse would. Returns whether every
 * victim's identity could be read (false: a victim not an object, or a
 * document, name or birth date the parse would refuse, or a key outside
 * the known fields of a victim, of her document or of a record of any
 * kind, where an identity may sit unread).
 */
bool record_ref_scan(struct parser *p, json_t *root);

/*
 * record_parse_body - date, region and the fields of kind rec->kind
 * (already read) of obj, at base ("" or "record"), into rec
 * (record_body.c).
 */
int record_parse_body(struct parser *p, json_t *obj, const char *base,
		      struct record *rec);

#endif
