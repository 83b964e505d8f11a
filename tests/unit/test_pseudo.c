/*
 * test_pseudo.c - pseudonyms (pseudo.h): stable values, domain separation,
 * key separation, and spelling variants that normalise alike.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "norm.h"
#include "pseudo.h"

static uint8_t key[LINKAGE_KEY_LEN];
static uint8_t key2[LINKAGE_KEY_LEN];

static int
setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < LINKAGE_KEY_LEN; i++) {
		key[i] = (uint8_t)i;
		key2[i] = (uint8_t)(i + 1);
	}
	return 0;
}

/* hex - lower-case hex of len bytes into out (2 * len + 1 bytes). */
static const char *
hex(const uint8_t *buf, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
	return out;
}

/*
 * Values computed once, independently (Python hashlib.blake2b, keyed,
 * digest_size=32, over length-prefixed fields), with the key 00 01 .. 1f;
 * the event id is the first 16 bytes of such a 32-byte hash.
 * If one of these changes, the rules changed: bump the domain tags.
 */
static void
test_known_values(void **state)
{
	uint8_t p[PSEUDONYM_LEN], id[EVENT_ID_LEN];
	char h[2 * PSEUDONYM_LEN + 1];

	(void)state;
	pseudo_victim_document(key, "DNI", "12345678", p);
	assert_string_equal(hex(p, sizeof(p), h),
			    "a665a05f72c39b34b8594abfa2a75c73"
			    "4406722c49693e503b686826e8e1538a");
	pseudo_victim_name(key, "MARIA JOSE", "NAHUI QUISPE", 14000, SEX_F, p);
	assert_string_equal(hex(p, sizeof(p), h),
			    "9a4498ccfaa09f034083c3d3fe582869"
			    "8eb695a65ea2ad8b7881ea1d7b9a25fa");
	pseudo_case(key, "FIS-2024-15", p);
	assert_string_equal(hex(p, sizeof(p), h),
			    "2a48ee598e194ad91683dea239176c9e"
			    "f8a4f4ae68a4a69d81fd8e03b65effe6");
	pseudo_referral(key, INST_PNP, "OF-77", p);
	assert_string_equal(hex(p, sizeof(p), h),
			    "1c94a9acdc8c8e01429d9e51ad230291"
			    "02441b2a476ca04276e289bec81320f4");
	pseudo_event_id(key, INST_MIMP, "rec-1", id);
	assert_string_equal(hex(id, sizeof(id), h),
			    "002d4faac3cddbfa087781712577c887");
}

static void
test_stable(void **state)
{
	uint8_t a[PSEUDONYM_LEN], b[PSEUDONYM_LEN];

	(void)state;
	pseudo_victim_document(key, "CE", "AB123", a);
	pseudo_victim_document(key, "CE", "AB123", b);
	assert_memory_equal(a, b, sizeof(a));
	pseudo_case(key, "X", a);
	pseudo_case(key, "X", b);
	assert_memory_equal(a, b, sizeof(a));
}

/* The same text as a case, a referral, a document, a name: all differ. */
static void
test_domains(void **state)
{
	uint8_t c[PSEUDONYM_LEN], r[PSEUDONYM_LEN], d[PSEUDONYM_LEN];
	uint8_t n[PSEUDONYM_LEN], id[EVENT_ID_LEN];

	(void)state;
	pseudo_case(key, "ABC123", c);
	pseudo_referral(key, INST_PNP, "ABC123", r);
	pseudo_victim_document(key, "OTHER", "ABC123", d);
	pseudo_victim_name(key, "ABC123", "", 0, SEX_U, n);
	pseudo_event_id(key, INST_PNP, "ABC123", id);
	assert_memory_not_equal(c, r, sizeof(c));
	assert_memory_not_equal(c, d, sizeof(c));
	assert_memory_not_equal(c, n, sizeof(c));
	assert_memory_not_equal(r, d, sizeof(c));
	assert_memory_not_equal(r, n, sizeof(c));
	assert_memory_not_equal(d, n, sizeof(c));
	assert_memory_not_equal(id, r, sizeof(id));
}

/* Every field counts, and a field boundary cannot be shifted. */
static void
test_fields(void **state)
{
	uint8_t a[PSEUDONYM_LEN], b[PSEUDONYM_LEN];
	uint8_t ia[EVENT_ID_LEN], ib[EVENT_ID_LEN];

	(void)state;
	pseudo_victim_name(key, "AB", "C", 100, SEX_F, a);
	pseudo_victim_name(key, "A", "BC", 100, SEX_F, b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_victim_name(key, "AB", "C", 101, SEX_F, b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_victim_name(key, "AB", "C", 100, SEX_M, b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_victim_name(key, "AB", "C", -100, SEX_F, b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_victim_document(key, "DNI", "12345678", a);
	pseudo_victim_document(key, "CE", "12345678", b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_referral(key, INST_PNP, "7", a);
	pseudo_referral(key, INST_MIMP, "7", b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_event_id(key, INST_PNP, "r1", ia);
	pseudo_event_id(key, INST_MP, "r1", ib);
	assert_memory_not_equal(ia, ib, sizeof(ia));
	pseudo_event_id(key, INST_PNP, "r2", ib);
	assert_memory_not_equal(ia, ib, sizeof(ia));
}

static void
test_keys(void **state)
{
	uint8_t a[PSEUDONYM_LEN], b[PSEUDONYM_LEN];
	uint8_t ia[EVENT_ID_LEN], ib[EVENT_ID_LEN];

	(void)state;
	pseudo_victim_document(key, "DNI", "12345678", a);
	pseudo_victim_document(key2, "DNI", "12345678", b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_case(key, "C", a);
	pseudo_case(key2, "C", b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_event_id(key, INST_PJ, "r", ia);
	pseudo_event_id(key2, INST_PJ, "r", ib);
	assert_memory_not_equal(ia, ib, sizeof(ia));
}

/* name_pseudonym - the victim pseudonym of raw names, normalised. */
static void
name_pseudonym(const char *given, const char *surnames, uint8_t out[32])
{
	char g[NORM_MAX], s[NORM_MAX];

	assert_true(norm_name(given, strlen(given), g, sizeof(g)) > 0);
	assert_true(norm_name(surnames, strlen(surnames), s, sizeof(s)) > 0);
	pseudo_victim_name(key, g, s, 14000, SEX_F, out);
}

static void
test_spelling_variants(void **state)
{
	uint8_t a[PSEUDONYM_LEN], b[PSEUDONYM_LEN];
	char d1[NORM_MAX], d2[NORM_MAX];

	(void)state;
	name_pseudonym("María José", "Ñahui Quispe", a);
	name_pseudonym("MARIA  JOSE", "nahui quispe", b);
	assert_memory_equal(a, b, sizeof(a));
	name_pseudonym("Mari\u0301a Jose\u0301", " N\u0303ahui-Quispe ", b);
	assert_memory_equal(a, b, sizeof(a));
	name_pseudonym("Ch'aska", "Huamán-Condori", a);
	name_pseudonym("Ch\u2019aska", "Huaman Condori", b);
	assert_memory_equal(a, b, sizeof(a));
	name_pseudonym("Chaska", "HUAMAN CONDORI", b);
	assert_memory_equal(a, b, sizeof(a));
	/* Surnames in another order are another person. */
	name_pseudonym("Chaska", "Condori Huaman", b);
	assert_memory_not_equal(a, b, sizeof(a));

	assert_int_equal(norm_document("DNI", "1234-5678", 9, d1, NORM_MAX), 8);
	assert_int_equal(norm_document("DNI", " 12345678", 9, d2, NORM_MAX), 8);
	pseudo_victim_document(key, "DNI", d1, a);
	pseudo_victim_document(key, "DNI", d2, b);
	assert_memory_equal(a, b, sizeof(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_values),
	    cmocka_unit_test(test_stable),
	    cmocka_unit_test(test_domains),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_spelling_variants),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
