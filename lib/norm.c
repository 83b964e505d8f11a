/*
 * norm.c - normalisation of names, document numbers and referral and case
 * numbers before they are pseudonymised; see norm.h and
 * docs/NORMALISATION.md (rules version 1).
 *
 * Names: Latin script is folded to upper-case ASCII (ASCII, Latin-1
 * Supplement, Latin Extended-A, and the pinyin and Romanian letters of
 * Latin Extended-B). Letters of other scripts (Greek, Cyrillic, Arabic,
 * Chinese, ...) are any Unicode letters too: they are kept as they are,
 * Greek and Cyrillic upper-cased, with no transliteration - two
 * institutions writing one name in the same script link; in two scripts
 * they do not. Digits, symbols and controls are refused.
 */
#include "norm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The most bytes one code point folds to, NUL included. */
#define FOLD_MAX 4

/* What one code point of a name becomes. */
enum cp_class {
	CP_BAD,	   /* refused: digit, symbol, control */
	CP_LETTER, /* folded to the letters (UTF-8) in fold[] */
	CP_SPACE,  /* white space or punctuation: a word break */
	CP_DROP,   /* apostrophe, combining mark, invisible format mark */
};

/*
 * Folding of U+00C0..U+00FF and U+0100..U+017F: one upper-case ASCII
 * letter, or a digit naming a two-letter fold in pairs[] ('0': not a
 * letter, the multiplication and division signs).
 */
static const char latin1_fold[64] = "AAAAAA3CEEEEIIII"
				    "DNOOOOO0OUUUUY45"
				    "AAAAAA3CEEEEIIII"
				    "DNOOOOO0OUUUUY4Y";
static const char ext_a_fold[128] = "AAAAAACCCCCCCCDD"
				    "DDEEEEEEEEEEGGGG"
				    "GGGGHHHHIIIIIIII"
				    "II11JJKKKLLLLLLL"
				    "LLLNNNNNNNNNOOOO"
				    "OO22RRRRRRSSSSSS"
				    "SSTTTTTTUUUUUUUU"
				    "UUUUWWYYYZZZZZZS";
/* U+01CD..U+01DC, the pinyin vowels with caron and u-diaeresis tones. */
static const char pinyin_fold[16] = "AAIIOOUUUUUUUUUU";
/* U+0218..U+021B, Romanian S and T with comma below. */
static const char romanian_fold[4] = "SSTT";
static const char pairs[][3] = {"", "IJ", "OE", "AE", "TH", "SS"};

int32_t
utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	uint32_t cp, min;
	size_t n, k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return -EILSEQ;
	}
	if (len - *i <= n)
		return -EILSEQ;
	for (k = 1; k <= n; k++) {
		c = s[*i + k];
		if ((c & 0xc0) != 0x80)
			return -EILSEQ;
		cp = (cp << 6) | (c & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -EILSEQ;
	*i += n + 1;
	return (int32_t)cp;
}

/* ASCII punctuation (Unicode category P), a word break in a name. */
static bool
ascii_punct(int32_t cp)
{
	if (cp <= 0 || cp >= 0x80)
		return false;
	return strchr("!\"#%&()*,-./:;?@[\\]_{}", (int)cp) != NULL;
}

/*
 * classify - the class of code point cp in a name; for a letter, fold
 * receives its one or two upper-case ASCII letters, NUL-ended.
 */
/*
 * other_letter - whether cp is a letter (or a mark within a word) of a
 * script other than Latin: Latin Extended-B and Additional beyond the
 * folded ones, Greek, Cyrillic, Armenian, Hebrew, Arabic, the Indic and
 * South-East Asian scripts, Georgian, Ethiopic, Hangul, kana and the CJK
 * ideographs. Their punctuation is left to the other rules.
 */
static bool
other_letter(int32_t cp)
{
	static const int32_t ranges[][2] = {
	    {0x0180, 0x024f}, {0x0370, 0x0373}, {0x0376, 0x037d},
	    {0x0386, 0x0386}, {0x0388, 0x03ff}, {0x0400, 0x0482},
	    {0x048a, 0x052f}, {0x0531, 0x0556}, {0x0561, 0x0587},
	    {0x05d0, 0x05ea}, {0x0620, 0x064a}, {0x066e, 0x06d3},
	    {0x0900, 0x0963}, {0x0966, 0x0dff}, {0x0e01, 0x0e3a},
	    {0x0e40, 0x0e4e}, {0x10a0, 0x10ff}, {0x1100, 0x11ff},
	    {0x1200, 0x135a}, {0x1e00, 0x1eff}, {0x3041, 0x3096},
	    {0x30a1, 0x30fa}, {0x30fc, 0x30ff}, {0x3400, 0x4dbf},
	    {0x4e00, 0x9fff}, {0xac00, 0xd7a3}, {0xf900, 0xfaff},
	};
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return true;
	return false;
}

/* Upper case of the basic Greek and Cyrillic letters; cp otherwise. */
static int32_t
upper_other(int32_t cp)
{
	if (cp == 0x03c2)
		return 0x03a3; /* final sigma */
	if (cp >= 0x03b1 && cp <= 0x03c9)
		return cp - 0x20;
	if (cp >= 0x0430 && cp <= 0x044f)
		return cp - 0x20;
	if (cp >= 0x0450 && cp <= 0x045f)
		return cp - 0x50;
	return cp;
}

/* The UTF-8 bytes of cp (below U+10000 here) into out, NUL-ended. */
static void
utf8_put(int32_t cp, char out[FOLD_MAX])
{
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		out[2] = '\0';
	} else {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		out[3] = '\0';
	}
}

static enum cp_class
classify(int32_t cp, char fold[FOLD_MAX])
{
	char f = 0;

	if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'))
		f = (char)(cp & ~0x20);
	else if (cp >= 0xc0 && cp <= 0xff)
		f = latin1_fold[cp - 0xc0];
	else if (cp >= 0x100 && cp <= 0x17f)
		f = ext_a_fold[cp - 0x100];
	else if (cp >= 0x1cd && cp <= 0x1dc)
		f = pinyin_fold[cp - 0x1cd];
	else if (cp >= 0x218 && cp <= 0x21b)
		f = romanian_fold[cp - 0x218];
	if (f >= '1' && f <= '5') {
		memcpy(fold, pairs[f - '0'], 3);
		return CP_LETTER;
	}
	if (f >= 'A' && f <= 'Z') {
		fold[0] = f;
		fold[1] = '\0';
		return CP_LETTER;
	}
	if (f == '0')
		return CP_BAD;

	switch (cp) {
	case '\'':
	case '`':
	case 0xb4:
	case 0x2bc:
	case 0x2018:
	case 0x2019:
		return CP_DROP; /* apostrophes */
	case ' ':
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
	case 0x85:
	case 0xa0:
	case 0x1680:
	case 0x2028:
	case 0x2029:
	case 0x202f:
	case 0x205f:
	case 0x3000:
		return CP_SPACE; /* white space */
	case 0xa1:
	case 0xa7:
	case 0xab:
	case 0xb6:
	case 0xb7:
	case 0xbb:
	case 0xbf:
		return CP_SPACE; /* Latin-1 punctuation */
	case 0xad:
	case 0x2060:
	case 0xfeff:
		return CP_DROP; /* soft hyphen, word joiner, BOM */
	default:
		break;
	}
	if (ascii_punct(cp))
		return CP_SPACE;
	if (cp >= 0x300 && cp <= 0x36f)
		return CP_DROP; /* combining diacritical marks */
	if (cp >= 0x2000 && cp <= 0x200a)
		return CP_SPACE; /* spaces of various widths */
	if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e))
		return CP_DROP; /* zero-width and direction marks */
	if (cp >= 0x2010 && cp <= 0x2027)
		return CP_SPACE; /* dashes, quotes, bullets, ellipsis */
	if (cp == 0x30fb)
		return CP_SPACE; /* katakana middle dot between names */
	if (other_letter(cp)) {
		utf8_put(upper_other(cp), fold);
		return CP_LETTER;
	}
	return CP_BAD;
}

/* wipe - clears an output that may hold part of an identity. */
static void
wipe(char *out, size_t cap)
{
	if (cap > 0)
		explicit_bzero(out, cap);
}

int
norm_name(const char *s, size_t len, char *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	char fold[FOLD_MAX];
	size_t i = 0, n = 0, k;
	bool space = false;
	int32_t cp;
	int r;

	while (i < len) {
		cp = utf8_next(u, len, &i);
		if (cp < 0) {
			r = -EILSEQ;
			goto fail;
		}
		switch (classify(cp, fold)) {
		case CP_LETTER:
			if (space && n > 0) {
				if (n + 1 >= cap) {
					r = -ENAMETOOLONG;
					goto fail;
				}
				out[n++] = ' ';
			}
			space = false;
			for (k = 0; fold[k] != '\0'; k++) {
				if (n + 1 >= cap) {
					r = -ENAMETOOLONG;
					goto fail;
				}
				out[n++] = fold[k];
			}
			break;
		case CP_SPACE:
			space = true;
			break;
		case CP_DROP:
			break;
		case CP_BAD:
		default:
			r = -EINVAL;
			goto fail;
		}
	}
	if (n == 0) {
		r = -EINVAL;
		goto fail;
	}
	out[n] = '\0';
	explicit_bzero(fold, sizeof(fold));
	return (int)n;
fail:
	explicit_bzero(fold, sizeof(fold));
	wipe(out, cap);
	return r;
}

/* The document types of EVENTS.md. */
static bool
document_type_known(const char *type)
{
	static const char *const types[] = {"DNI", "CE",  "PASSPORT",
					    "PTP", "CPP", "OTHER"};
	size_t i;

	if (type == NULL)
		return false;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

int
norm_document(const char *type, const char *s, size_t len, char *out,
	      size_t cap)
{
	size_t i, n = 0;
	char c;
	int r = -EINVAL;

	if (!document_type_known(type))
		goto fail;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9'))
			goto fail;
		if (n + 1 >= cap) {
			r = -ENAMETOOLONG;
			goto fail;
		}
		out[n++] = c;
	}
	if (n == 0)
		goto fail;
	if (strcmp(type, "DNI") == 0) {
		if (n != 8)
			goto fail;
		for (i = 0; i < n; i++)
			if (out[i] < '0' || out[i] > '9')
				goto fail;
	}
	out[n] = '\0';
	return (int)n;
fail:
	wipe(out, cap);
	return r;
}

/*
 * counting - whether doc is n >= 6 digits, each one more (step 1) or one
 * less (step -1) than the one before it, starting at 0 or 1 (counting
 * up) or ending at 1 or 0 (counting down).
 */
static bool
counting(const char *doc, size_t n, int step)
{
	size_t i;

	if (n < 6 || !(doc[0] >= '0' && doc[0] <= '9'))
		return false;
	for (i = 1; i < n; i++)
		if (doc[i] != doc[i - 1] + step)
			return false;
	return step > 0 ? doc[0] <= '1' : doc[n - 1] <= '1';
}

bool
norm_document_placeholder(const char *doc)
{
	size_t n = strlen(doc), same = 0;

	while (same < n && doc[same] == doc[0])
		same++;
	return n > 0 &&
	       (same == n || counting(doc, n, 1) || counting(doc, n, -1));
}

int
norm_number(const char *s, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;
	char c;

	while (len > 0 && s[0] == ' ') {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 0)
		return -EINVAL;
	if (len >= cap)
		return -ENAMETOOLONG;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c < 0x20 || c > 0x7e) {
			wipe(out, cap);
			return -EINVAL;
		}
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		out[n++] = c;
	}
	out[n] = '\0';
	return (int)n;
}

size_t
utf8_chars(const char *s, size_t max)
{
	size_t i, n = 0;

	for (i = 0; s != NULL && i < max && s[i] != '\0'; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}
