/* test_norm.c - normalisation of names, documents and numbers (norm.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "norm.h"

/* name_is - asserts that name s normalises to want. */
static void
name_is(const char *s, const char *want)
{
	char out[NORM_MAX];
	int r = norm_name(s, strlen(s), out, sizeof(out));

	if (r < 0)
		fail_msg("norm_name(\"%s\") = %d, want \"%s\"", s, r, want);
	assert_int_equal(r, (int)strlen(want));
	assert_string_equal(out, want);
}

/* name_fails - asserts that name s (len bytes) is refused with err. */
static void
name_fails(const char *s, size_t len, int err)
{
	char out[NORM_MAX];

	memset(out, 'x', sizeof(out));
	assert_int_equal(norm_name(s, len, out, sizeof(out)), err);
	/* A refused name leaves nothing of itself behind. */
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);
}

static void
test_spanish(void **state)
{
	(void)state;
	name_is("María José", "MARIA JOSE");
	name_is("María José Ñahui Quispe", "MARIA JOSE NAHUI QUISPE");
	name_is("ñahui", "NAHUI");
	name_is("Begoña Ibáñez", "BEGONA IBANEZ");
	name_is("Agüero Güiza", "AGUERO GUIZA");
	name_is("ÁÉÍÓÚÜÑ áéíóúüñ", "AEIOUUN AEIOUUN");
	name_is("Quispe Mamani, Rosa", "QUISPE MAMANI ROSA");
	name_is("de la Cruz", "DE LA CRUZ");
	name_is("Sta. Rosa", "STA ROSA");
	name_is("(Rosa)", "ROSA");
	name_is("«Rosa»", "ROSA");
	name_is("¿Rosa?", "ROSA");
}

static void
test_quechua(void **state)
{
	(void)state;
	/* Apostrophes of ejective consonants are deleted, in any form. */
	name_is("Ch'aska", "CHASKA");
	name_is("Ch\u2019aska", "CHASKA");
	name_is("Ch\u2018aska", "CHASKA");
	name_is("Ch`aska", "CHASKA");
	name_is("Ch\u02bcaska", "CHASKA");
	name_is("Ch\u00b4aska", "CHASKA");
	name_is("Chaska", "CHASKA");
	name_is("K’ana", "KANA");
	name_is("K'ana", "KANA");
	name_is("Q'orianka T'ika", "QORIANKA TIKA");
	name_is("O'Brien", "OBRIEN");
	/* Hyphens separate words, like a space. */
	name_is("Huamán-Condori", "HUAMAN CONDORI");
	name_is("Huaman Condori", "HUAMAN CONDORI");
	name_is("HUAMAN - CONDORI", "HUAMAN CONDORI");
	name_is("Huamán\u2013Condori", "HUAMAN CONDORI");
	name_is("Huamán\u2010Condori", "HUAMAN CONDORI");
}

static void
test_decomposed(void **state)
{
	(void)state;
	/* e + COMBINING ACUTE, n + COMBINING TILDE, u + DIAERESIS */
	name_is("Jose\u0301", "JOSE");
	name_is("Mari\u0301a Jose\u0301 N\u0303ahui", "MARIA JOSE NAHUI");
	name_is("Gu\u0308iza", "GUIZA");
	/* A combining mark on a precomposed letter is dropped too. */
	name_is("\u00e9\u0301", "E");
}

static void
test_spacing(void **state)
{
	(void)state;
	name_is("  María   José  ", "MARIA JOSE");
	name_is("María\tJosé", "MARIA JOSE");
	name_is("María\u00a0José", "MARIA JOSE");
	name_is("María\u2003José", "MARIA JOSE");
	name_is("María \u3000 José\n", "MARIA JOSE");
	name_is("Ma\u00adría", "MARIA"); /* soft hyphen */
	name_is("\ufeffMaría", "MARIA"); /* byte-order mark */
	name_is("Ma\u200bría", "MARIA"); /* zero-width space */
	name_is("-María-", "MARIA");
	name_is("María..José", "MARIA JOSE");
}

static void
test_other_latin(void **state)
{
	(void)state;
	name_is("Œdipe Ærø Straße", "OEDIPE AERO STRASSE");
	name_is("Łukasz Dvořák", "LUKASZ DVORAK");
	name_is("İstanbul ıi", "ISTANBUL II");
	name_is("Þór", "THOR");
	name_is("Ĳssel", "IJSSEL");
	name_is("Lǚ Xiǎo", "LU XIAO");
	name_is("Ștefan Țară", "STEFAN TARA");
	name_is("ÿ", "Y");
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	name_fails("Mar\xed"
		   "a",
		   4, -EILSEQ);			    /* Latin-1 byte */
	name_fails("Mar\xc3", 4, -EILSEQ);	    /* truncated */
	name_fails("\xc0\xaf", 2, -EILSEQ);	    /* overlong '/' */
	name_fails("\xe0\x80\xaf", 3, -EILSEQ);	    /* overlong */
	name_fails("\xed\xa0\x80", 3, -EILSEQ);	    /* surrogate */
	name_fails("\xf4\x90\x80\x80", 4, -EILSEQ); /* past U+10FFFF */
	name_fails("\x80", 1, -EILSEQ);		    /* lone continuation */
	name_fails("Jos\xc3\xa9\xff", 6, -EILSEQ);
}

static void
test_refused(void **state)
{
	(void)state;
	name_fails("Maria2", 6, -EINVAL);
	name_fails("Maria 2da", 9, -EINVAL);
	name_fails("Maria$", 6, -EINVAL);
	name_fails("Maria+Jose", 10, -EINVAL);
	name_fails("Maria\x01", 6, -EINVAL);
	name_fails("Maria\x7f", 6, -EINVAL);
	name_fails("Maria\u00b2", 7, -EINVAL);	   /* superscript two */
	name_fails("Maria\u00d7", 7, -EINVAL);	   /* multiplication sign */
	name_fails("Mar\xef\xbc\xa1", 6, -EINVAL); /* fullwidth A */
	/* Nothing that is a letter. */
	name_fails("", 0, -EINVAL);
	name_fails("   ", 3, -EINVAL);
	name_fails("'-.", 3, -EINVAL);
	name_fails("\u0301", 2, -EINVAL);
	/* An embedded NUL is a control character. */
	name_fails("Ana\0Ana", 7, -EINVAL);
}

static void
test_too_long(void **state)
{
	char in[600], out[NORM_MAX], small[5];

	(void)state;
	memset(in, 'a', sizeof(in));
	assert_int_equal(norm_name(in, sizeof(in), out, sizeof(out)),
			 -ENAMETOOLONG);
	assert_int_equal(norm_name(in, NORM_MAX - 1, out, sizeof(out)),
			 NORM_MAX - 1);
	assert_int_equal(norm_name("ABCD", 4, small, sizeof(small)), 4);
	assert_int_equal(norm_name("ABCDE", 5, small, sizeof(small)),
			 -ENAMETOOLONG);
	/* A two-letter fold that does not fit. */
	assert_int_equal(norm_name("ABC\u00df", 5, small, sizeof(small)),
			 -ENAMETOOLONG);
	assert_int_equal(norm_name("AB C", 4, small, sizeof(small)), 4);
	assert_int_equal(norm_name("ABC D", 5, small, sizeof(small)),
			 -ENAMETOOLONG);
	assert_int_equal(norm_name("A", 1, small, 0), -ENAMETOOLONG);
}

/* encode - UTF-8 of code point cp into buf; returns the length. */
static size_t
encode(uint32_t cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | cp >> 18);
	buf[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	buf[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	buf[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Whatever the input, an accepted name is upper-case ASCII words. */
static void
test_output_ascii(void **state)
{
	char in[8], out[NORM_MAX];
	uint32_t cp;
	size_t len, i;
	int r, letters = 0, kept = 0;

	(void)state;
	for (cp = 0; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		in[0] = 'a';
		len = 1 + encode(cp, in + 1);
		in[len++] = 'b';
		r = norm_name(in, len, out, sizeof(out));
		if (r < 0) {
			assert_int_equal(r, -EINVAL);
			continue;
		}
		assert_int_equal(out[0], 'A');
		assert_int_equal(out[r - 1], 'B');
		/* Upper-case ASCII, spaces, or a letter of another script
		 * kept as its UTF-8 (never a lower-case ASCII letter, never
		 * a control or symbol). */
		for (i = 0; i < (size_t)r; i++)
			assert_true((out[i] >= 'A' && out[i] <= 'Z') ||
				    out[i] == ' ' ||
				    (unsigned char)out[i] >= 0x80);
		if (r > 2 && out[1] >= 'A' && out[1] <= 'Z')
			letters++;
		else if (r > 2 && (unsigned char)out[1] >= 0x80)
			kept++;
	}
	/* 52 ASCII, 62 Latin-1, 128 Extended-A, 16 pinyin, 4 Romanian */
	assert_int_equal(letters, 52 + 62 + 128 + 16 + 4);
	assert_true(kept > 20000); /* CJK, Hangul, Cyrillic, ... */
}

/* Letters of other scripts are kept, Greek and Cyrillic upper-cased. */
static void
test_other_scripts(void **state)
{
	char out[NORM_MAX];

	(void)state;
	assert_true(norm_name("\u0418\u0432\u0430\u043d", 8, out, sizeof(out)) >
		    0);
	assert_string_equal(out, "\u0418\u0412\u0410\u041d"); /* IVAN */
	assert_true(norm_name("\u0438\u0432\u0430\u043d", 8, out, sizeof(out)) >
		    0);
	assert_string_equal(out, "\u0418\u0412\u0410\u041d");
	assert_true(norm_name("\u0391\u03bb\u03ad\u03be\u03b7\u03c2", 12, out,
			      sizeof(out)) > 0);
	assert_string_equal(out, "\u0391\u039b\u03ad\u039e\u0397\u03a3");
	assert_true(norm_name("\u674e  \u5c0f\u9f99", 11, out, sizeof(out)) >
		    0);
	assert_string_equal(out, "\u674e \u5c0f\u9f99");
	/* Fullwidth Latin is not a script of its own: refused. */
	name_fails("Mar\xef\xbc\xa1", 6, -EINVAL);
}

static void
test_document(void **state)
{
	char out[NORM_MAX], small[4];

	(void)state;
	assert_int_equal(norm_document("DNI", "12345678", 8, out, NORM_MAX), 8);
	assert_string_equal(out, "12345678");
	assert_int_equal(norm_document("DNI", "1234-5678", 9, out, NORM_MAX),
			 8);
	assert_string_equal(out, "12345678");
	assert_int_equal(
	    norm_document("DNI", " 12 345 678 ", 12, out, NORM_MAX), 8);
	assert_string_equal(out, "12345678");
	assert_int_equal(norm_document("DNI", "1234567", 7, out, NORM_MAX),
			 -EINVAL);
	assert_int_equal(norm_document("DNI", "123456789", 9, out, NORM_MAX),
			 -EINVAL);
	assert_int_equal(norm_document("DNI", "1234567A", 8, out, NORM_MAX),
			 -EINVAL);
	assert_int_equal(norm_document("DNI", "1234.5678", 9, out, NORM_MAX),
			 -EINVAL);
	assert_int_equal(norm_document("CE", "ab-1234 5", 9, out, NORM_MAX), 7);
	assert_string_equal(out, "AB12345");
	assert_int_equal(norm_document("PASSPORT", "x/1", 3, out, NORM_MAX),
			 -EINVAL);
	assert_int_equal(norm_document("PTP",
				       "\xc3\x91"
				       "1",
				       3, out, NORM_MAX),
			 -EINVAL);
	assert_int_equal(norm_document("OTHER", " - ", 3, out, NORM_MAX),
			 -EINVAL);
	assert_int_equal(norm_document("OTHER", "", 0, out, NORM_MAX), -EINVAL);
	assert_int_equal(norm_document("dni", "12345678", 8, out, NORM_MAX),
			 -EINVAL);
	assert_int_equal(norm_document(NULL, "12345678", 8, out, NORM_MAX),
			 -EINVAL);
	assert_int_equal(norm_document("CPP", "abc", 3, small, sizeof(small)),
			 3);
	assert_int_equal(norm_document("CPP", "abcd", 4, small, sizeof(small)),
			 -ENAMETOOLONG);
}

/*
 * What case systems fill in for a document they do not have is a
 * placeholder; the numbers one digit or one step away from them are
 * real ones.
 */
static void
test_document_placeholder(void **state)
{
	static const char *const placeholders[] = {
	    "00000000",	 "11111111",  "22222222",  "33333333", "44444444",
	    "55555555",	 "66666666",  "77777777",  "88888888", "99999999",
	    "12345678",	 "01234567",  "87654321",  "76543210", "123456789",
	    "987654321", "000000000", "999999999", "XXXXXXX",  "0",
	    "123456",	 "654321",    NULL};
	static const char *const real[] = {
	    "11111112", "21111111", "12345679", "12345687",
	    "02345678", "87654320", "98765432", "23456789",
	    "40721856", "12346578", "12345",	"54321",
	    "AB12345",	"X1",	    "123457",	NULL};
	size_t i;

	(void)state;
	for (i = 0; placeholders[i] != NULL; i++)
		if (!norm_document_placeholder(placeholders[i]))
			fail_msg("%s is a placeholder", placeholders[i]);
	for (i = 0; real[i] != NULL; i++)
		if (norm_document_placeholder(real[i]))
			fail_msg("%s is no placeholder", real[i]);
	assert_false(norm_document_placeholder(""));
}

static void
test_number(void **state)
{
	char out[NORM_MAX], small[4];

	(void)state;
	assert_int_equal(norm_number("  fis-2024-15 ", 14, out, NORM_MAX), 11);
	assert_string_equal(out, "FIS-2024-15");
	assert_int_equal(norm_number("a  b", 4, out, NORM_MAX), 4);
	assert_string_equal(out, "A  B");
	assert_int_equal(norm_number("", 0, out, NORM_MAX), -EINVAL);
	assert_int_equal(norm_number("   ", 3, out, NORM_MAX), -EINVAL);
	assert_int_equal(norm_number("a\x01", 2, out, NORM_MAX), -EINVAL);
	assert_int_equal(norm_number("\xc3\xb1", 2, out, NORM_MAX), -EINVAL);
	assert_int_equal(norm_number("\ta", 2, out, NORM_MAX), -EINVAL);
	assert_int_equal(norm_number(" abc ", 5, small, sizeof(small)), 3);
	assert_int_equal(norm_number("abcd", 4, small, sizeof(small)),
			 -ENAMETOOLONG);
}

/* Characters, not bytes, within a byte limit and up to the NUL. */
static void
test_utf8_chars(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars("Nahui", SIZE_MAX), 5);
	assert_int_equal(utf8_chars("\xc3\x91o\xc3\xb1o", SIZE_MAX), 4);
	assert_int_equal(utf8_chars("Ch\xe2\x80\x99isi", SIZE_MAX), 6);
	assert_int_equal(utf8_chars("\xf0\x9f\x98\x80", SIZE_MAX), 1);
	/* A sequence cut by the limit counts once it has begun. */
	assert_int_equal(utf8_chars("\xc3\x91o\xc3\xb1o", 3), 2);
	assert_int_equal(utf8_chars("\xc3\x91o\xc3\xb1o", 4), 3);
	assert_int_equal(utf8_chars("ab\0cd", 5), 2);
	assert_int_equal(utf8_chars("", SIZE_MAX), 0);
	assert_int_equal(utf8_chars(NULL, SIZE_MAX), 0);
	/* A stray byte is one character; a lone continuation none. */
	assert_int_equal(utf8_chars("a\xffz", SIZE_MAX), 3);
	assert_int_equal(utf8_chars("\x80\x80", SIZE_MAX), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spanish),
	    cmocka_unit_test(test_quechua),
	    cmocka_unit_test(test_decomposed),
	    cmocka_unit_test(test_spacing),
	    cmocka_unit_test(test_other_latin),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_too_long),
	    cmocka_unit_test(test_output_ascii),
	    cmocka_unit_test(test_other_scripts),
	    cmocka_unit_test(test_document),
	    cmocka_unit_test(test_document_placeholder),
	    cmocka_unit_test(test_number),
	    cmocka_unit_test(test_utf8_chars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
