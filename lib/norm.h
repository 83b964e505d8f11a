/*
 * norm.h - normalisation of the text that pseudonyms are computed from.
 *
 * The rules (version 1; a change of rules needs new pseudonym domain tags,
 * see pseudo.h) are written down in docs/NORMALISATION.md:
 *   names: UTF-8 letters folded to upper-case ASCII without accents
 *     (a, A, a-acute... -> A; n-tilde -> N; u-diaeresis -> U), combining
 *     marks dropped; apostrophes (' ` and U+2019, as in Quechua
 *     Ch'aska, K'ana) deleted; other punctuation (hyphen, dot, comma...)
 *     and any white space become one space; runs of spaces collapsed,
 *     leading and trailing spaces removed.
 *   documents: upper-cased, spaces and dashes removed; a DNI keeps
 *     exactly its 8 digits.
 *   referral and case numbers: leading and trailing spaces trimmed,
 *     upper-cased (ASCII).
 * And the one UTF-8 count that text layout needs (utf8_chars).
 */
#ifndef KUSKA_NORM_H
#define KUSKA_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NORM_MAX 256 /* longest normalised text, NUL included */

/*
 * norm_name - normalises the name in s (len bytes of UTF-8) into out
 * (cap bytes, NUL-ended). Returns the length written, -EILSEQ for bytes
 * that are not UTF-8, -EINVAL for a character that cannot be in a name
 * (a digit, a control character, a symbol) or a name with no letter, or
 * -ENAMETOOLONG when the result does not fit.
 */
int norm_name(const char *s, size_t len, char *out, size_t cap)
    __attribute__((warn_unused_result));

/*
 * norm_document - normalises a document number of the given type ("DNI",
 * "CE", "PASSPORT", "PTP", "CPP", "OTHER") into out. Returns the length,
 * or -EINVAL (a DNI not of exactly 8 digits once spaces and dashes are
 * removed; any number with nothing left or with characters other than
 * ASCII letters and digits), -ENAMETOOLONG when it does not fit.
 */
int norm_document(const char *type, const char *s, size_t len, char *out,
		  size_t cap) __attribute__((warn_unused_result));

/*
 * norm_document_placeholder - whether doc, a number as norm_document()
 * wrote it (NUL-ended), is what a case system fills in for a document it
 * does not have rather than a document's number: one character repeated
 * (99999999, 11111111, XXXXXXX), or six or more consecutive digits
 * counting up from 0 or 1 or down to 1 or 0 (12345678, 01234567,
 * 87654321, 123456789). As a match key it would join every victim so
 * written into one (docs/INPUT.md section 4).
 */
bool norm_document_placeholder(const char *doc);

/*
 * norm_number - trims spaces and upper-cases a referral or case number.
 * Returns the length, -EINVAL if nothing is left or a byte is not
 * printable ASCII, -ENAMETOOLONG when it does not fit.
 */
int norm_number(const char *s, size_t len, char *out, size_t cap)
    __attribute__((warn_unused_result));

/*
 * utf8_chars - the characters (not bytes) of UTF-8 s in its first max
 * bytes, or up to its NUL: the columns of text laid out for a terminal
 * or a figure. Counts every byte that does not continue a sequence, so
 * a stray byte counts as one; NULL counts 0.
 */
size_t utf8_chars(const char *s, size_t max);

/*
 * utf8_next - decodes the code point at s[*i] (len bytes in all) and moves
 * *i past it. Returns the code point, or -EILSEQ for a truncated, overlong
 * or surrogate sequence or a value past U+10FFFF (RFC 3629), *i unmoved.
 */
int32_t utf8_next(const unsigned char *s, size_t len, size_t *i);

#endif
