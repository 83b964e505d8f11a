/* test_region.c - INEI department codes and names (region.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "norm.h"
#include "region.h"

static void
test_region_parse(void **state)
{
	static const char *const bad[] = {"",	"0",   "6",   "00",  "26",
					  "99", "016", " 16", "16 ", "1a",
					  "-1", "+1",  "1.",  "ab"};
	uint32_t code = 77;
	char s[3];
	size_t i;

	(void)state;
	for (i = 1; i <= 25; i++) {
		snprintf(s, sizeof(s), "%02zu", i);
		assert_int_equal(region_parse(s, &code), 0);
		assert_int_equal(code, i);
	}
	code = 77;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(region_parse(bad[i], &code), -EINVAL);
		assert_int_equal(code, 77); /* left alone */
	}
}

static void
test_region_names(void **state)
{
	char out[REGION_LABEL_MAX];
	uint32_t i;

	(void)state;
	assert_string_equal(region_name(8), "Cusco");
	assert_string_equal(region_name(15), "Lima");
	assert_string_equal(region_name(16), "Loreto");
	assert_string_equal(region_name(17), "Madre de Dios");
	assert_string_equal(region_name(21), "Puno");
	assert_string_equal(region_name(2), "Áncash");
	assert_string_equal(region_name(25), "Ucayali");
	assert_null(region_name(0));
	assert_null(region_name(26));
	for (i = 1; i <= REGION_COUNT; i++)
		assert_non_null(region_name(i));
	assert_string_equal(region_label(16, out), "16 Loreto");
	assert_string_equal(region_label(1, out), "01 Amazonas");
	assert_ptr_equal(region_label(26, out), out);
	assert_string_equal(out, "");
}

/* The words of the departments' names, folded by hand in region.c: each
 * word norm_name makes of a name, and no other. */
static void
test_region_name_words(void **state)
{
	static const char *const not [] = {"LORET", "LIMAS", "ROSA",  "MARIA",
					   "DEL",   "Lima",  "LIMA ", ""};
	char name[NORM_MAX], *w, *save = NULL;
	uint32_t code;
	size_t i, words = 0;

	(void)state;
	for (code = 1; code <= REGION_COUNT; code++) {
		assert_true(norm_name(region_name(code),
				      strlen(region_name(code)), name,
				      sizeof(name)) > 0);
		for (w = strtok_r(name, " ", &save); w != NULL;
		     w = strtok_r(NULL, " ", &save), words++)
			assert_true(region_name_word(w, strlen(w)));
	}
	assert_int_equal(words, 29);
	assert_true(region_name_word("MARTIN-7", 6));
	for (i = 0; i < sizeof(not ) / sizeof(not [0]); i++)
		assert_false(region_name_word(not [i], strlen(not [i])));
}

/* A department written by name, as a police case system shows it: its
 * code; any other text 0, a code written with the name too (walk45). */
static void
test_region_from_name(void **state)
{
	static const struct {
		const char *s;
		uint32_t code;
	} cases[] = {
	    {"LIMA", 15},
	    {"Lima", 15},
	    {"LIMA METROPOLITANA", 15},
	    {"LIMA PROVINCIAS", 15},
	    {"Lima Región", 15},
	    {"  lima  ", 15},
	    {"CALLAO", 7},
	    {"ÁNCASH", 2},
	    {"Ancash", 2},
	    {"A\xcc\x81ncash", 2}, /* the accent a combining mark */
	    {"APURIMAC", 3},
	    {"LA LIBERTAD", 13},
	    {"MADRE-DE-DIOS", 17},
	    {"San Martín", 22},
	    {"ICA", 11},
	    {"Ucayali", 25},
	    {"Amazonas", 1},
	    {"LA", 0},
	    {"LIBERTAD", 0},
	    {"LIMAS", 0},
	    {"15", 0},
	    {"15 LIMA", 0},
	    {"", 0},
	    {"NORTE", 0},
	    /* The words a case system writes before the name, and the
	     * older spelling of Cusco. */
	    {"CUZCO", 8},
	    {"Cuzco", 8},
	    {"REGION LIMA", 15},
	    {"Región Cusco", 8},
	    {"REGION CUSCO", 8},
	    {"REGION DE AREQUIPA", 4},
	    {"DEPARTAMENTO DE PIURA", 20},
	    {"Departamento del Cusco", 8},
	    {"GOBIERNO REGIONAL DE LORETO", 16},
	    {"GOBIERNO REGIONAL DE LA LIBERTAD", 13},
	    {"GOBIERNO REGIONAL CUZCO", 8},
	    {"PROVINCIA CONSTITUCIONAL DEL CALLAO", 7},
	    {"Prov. Const. del Callao", 7},
	    {"REGION", 0},
	    {"DEPARTAMENTO DE", 0},
	    {"REGION NORTE", 0},
	    {"CUZCOS", 0},
	    {"LIMA REGION CUSCO", 15},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (region_from_name(cases[i].s, strlen(cases[i].s)) !=
		    cases[i].code)
			fail_msg("\"%s\": not %u", cases[i].s,
				 (unsigned)cases[i].code);
	/* Each name as INEI writes it is its own code. */
	for (i = 1; i <= REGION_COUNT; i++)
		assert_int_equal(
		    region_from_name(region_name((uint32_t)i),
				     strlen(region_name((uint32_t)i))),
		    i);
	/* Only its len bytes are read. */
	assert_int_equal(region_from_name("LIMAS", 4), 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_region_parse),
	    cmocka_unit_test(test_region_names),
	    cmocka_unit_test(test_region_name_words),
	    cmocka_unit_test(test_region_from_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
