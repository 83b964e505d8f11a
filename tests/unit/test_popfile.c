/*
 * test_popfile.c - the population file of SDG 16.2.2 (popfile.h): a good
 * file in every form kuska.conf(5) allows, and each refusal on its own,
 * with its FILE:LINE and reason; nothing loaded when refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "popfile.h"

#define HEADER "year,region,sex,age_group,population\n"
/* The four figures of a year and region, lines 2 to 5 after HEADER. */
#define FOUR(y, r)                                                             \
	y "," r ",F,0-17,100\n" y "," r ",F,18+,200\n" y "," r                 \
	  ",M,0-17,300\n" y "," r ",M,18+,400\n"

static int
parse(const char *text, struct popset **set, char *err, size_t cap)
{
	return popfile_parse("t.csv", text, strlen(text), set, err, cap);
}

/* The file is refused with exactly want as its message. */
static void
expect_refused(const char *text, const char *want)
{
	struct popset *set = NULL;
	char err[POPFILE_ERR_MAX + 64] = "";
	int r = parse(text, &set, err, sizeof(err));

	if (r != -EINVAL)
		fail_msg("accepted (%d), wanted \"%s\":\n%s", r, want, text);
	assert_null(set);
	if (strcmp(err, want) != 0)
		fail_msg("wanted \"%s\", got \"%s\"", want, err);
}

static void
test_loads(void **state)
{
	const struct pop_entry *e;
	struct popset *set = NULL;
	char err[POPFILE_ERR_MAX];

	(void)state;
	assert_int_equal(parse(HEADER FOUR("2025", "00") FOUR("2025", "15")
				   FOUR("2026", ""),
			       &set, err, sizeof(err)),
			 0);
	assert_int_equal(set->n, 3);
	e = popset_find(set, 2025, 0);
	assert_non_null(e);
	assert_int_equal(e->count[POP_F][POP_0_17], 100);
	assert_int_equal(e->count[POP_F][POP_18_PLUS], 200);
	assert_int_equal(e->count[POP_M][POP_0_17], 300);
	assert_int_equal(e->count[POP_M][POP_18_PLUS], 400);
	assert_int_equal(e->line[POP_M][POP_18_PLUS], 5);
	assert_non_null(popset_find(set, 2025, 15));
	assert_non_null(popset_find(set, 2026, 0)); /* empty region */
	assert_null(popset_find(set, 2026, 15));
	assert_null(popset_find(set, 2024, 0));
	assert_null(popset_find(NULL, 2025, 0));
	popset_free(&set);
	assert_null(set);
	popset_free(&set);

	/* A byte-order mark, comments and blank lines, CRLF, spaces and
	 * quotes around fields; figures in any order; the largest. */
	assert_int_equal(
	    parse("\xef\xbb\xbf# INEI, estimates\r\n\r\n"
		  "\"year\", \"region\",sex,age_group ,population\r\n"
		  "  # a comment\r\n"
		  "2100,25,M,18+,1000000000\r\n2100,25,F,18+,1\r\n"
		  "\"2100\",\"25\",\"M\",\"0-17\",\"7\"\r\n"
		  " 2100 , 25 , F , 0-17 , 8 ",
		  &set, err, sizeof(err)),
	    0);
	e = popset_find(set, 2100, 25);
	assert_non_null(e);
	assert_int_equal(e->count[POP_M][POP_18_PLUS], 1000000000);
	assert_int_equal(e->count[POP_F][POP_0_17], 8);
	assert_int_equal(e->line[POP_F][POP_0_17], 8);
	popset_free(&set);
}

static void
test_refusals(void **state)
{
	(void)state;
	expect_refused("", "t.csv: empty: no header (year,region,sex,"
			   "age_group,population)");
	expect_refused("\n# nothing\n\n", "t.csv: empty: no header (year,"
					  "region,sex,age_group,population)");
	expect_refused(HEADER, "t.csv: no figures after the header");
	expect_refused("year,region,sex,age,population\n" FOUR("2025", "00"),
		       "t.csv:1: the header must be "
		       "year,region,sex,age_group,population");
	expect_refused("year;region;sex;age_group;population\n",
		       "t.csv:1: the header must be "
		       "year,region,sex,age_group,population");
	expect_refused(HEADER "2025,00,F,0-17\n",
		       "t.csv:2: 4 fields, wanted 5 "
		       "(year,region,sex,age_group,population)");
	expect_refused(HEADER "2025,00,F,0-17,1,2\n",
		       "t.csv:2: more than 5 fields, wanted 5 "
		       "(year,region,sex,age_group,population)");
	expect_refused(HEADER "1999,00,F,0-17,1\n",
		       "t.csv:2: year \"1999\": a year 2000 to 2100");
	expect_refused(HEADER "2101,00,F,0-17,1\n",
		       "t.csv:2: year \"2101\": a year 2000 to 2100");
	expect_refused(HEADER "20x5,00,F,0-17,1\n",
		       "t.csv:2: year \"20x5\": a year 2000 to 2100");
	expect_refused(HEADER ",00,F,0-17,1\n",
		       "t.csv:2: year \"\": a year 2000 to 2100");
	expect_refused(HEADER "2025,26,F,0-17,1\n",
		       "t.csv:2: region \"26\": 00 (or empty) for the "
		       "country, or an INEI department code 01 to 25");
	expect_refused(HEADER "2025,5,F,0-17,1\n",
		       "t.csv:2: region \"5\": 00 (or empty) for the "
		       "country, or an INEI department code 01 to 25");
	expect_refused(HEADER "2025,LI,F,0-17,1\n",
		       "t.csv:2: region \"LI\": 00 (or empty) for the "
		       "country, or an INEI department code 01 to 25");
	expect_refused(HEADER "2025,00,U,0-17,1\n",
		       "t.csv:2: sex \"U\": F or M");
	expect_refused(HEADER "2025,00,f,0-17,1\n",
		       "t.csv:2: sex \"f\": F or M");
	expect_refused(HEADER "2025,00,F,0-5,1\n",
		       "t.csv:2: age_group \"0-5\": 0-17 or 18+");
	expect_refused(HEADER "2025,00,F,18,1\n",
		       "t.csv:2: age_group \"18\": 0-17 or 18+");
	expect_refused(HEADER "2025,00,F,18+,0\n",
		       "t.csv:2: population \"0\": a whole number 1 to "
		       "1000000000");
	expect_refused(HEADER "2025,00,F,18+,-4\n",
		       "t.csv:2: population \"-4\": a whole number 1 to "
		       "1000000000");
	expect_refused(HEADER "2025,00,F,18+,1e6\n",
		       "t.csv:2: population \"1e6\": a whole number 1 to "
		       "1000000000");
	expect_refused(HEADER "2025,00,F,18+,12 000\n",
		       "t.csv:2: population \"12 000\": a whole number 1 to "
		       "1000000000");
	expect_refused(HEADER "2025,00,F,18+,1000000001\n",
		       "t.csv:2: population \"1000000001\": a whole number "
		       "1 to 1000000000");
	expect_refused(HEADER "2025,00,F,18+,99999999999999999999999\n",
		       "t.csv:2: population \"99999999999999999999\": a whole "
		       "number 1 to 1000000000");
	/* Twice, naming the first; the empty region is the country. */
	expect_refused(HEADER FOUR("2025", "00") "2025,,M,18+,5\n",
		       "t.csv:6: 2025 country M 18+ given twice (first at "
		       "line 5)");
	/* A year and region without its four figures, at its first line. */
	expect_refused(HEADER FOUR("2025", "00") "\n2025,16,M,18+,5\n"
						 "2025,16,F,18+,5\n",
		       "t.csv:7: 2025, region 16: no figure for F 0-17 "
		       "(each year and region needs F and M, 0-17 and 18+)");
	expect_refused(HEADER "2025,00,F,0-17,1\n2025,00,M,0-17,1\n"
			      "2025,00,M,18+,1\n",
		       "t.csv:2: 2025, the country: no figure for F 18+ "
		       "(each year and region needs F and M, 0-17 and 18+)");
	/* Bytes that are no text. */
	expect_refused(HEADER "2025,00,F,0-17,1\n"
			      "2025,00,F,18+,1          "
			      "                                        "
			      "                                        "
			      "                                        "
			      "                                        "
			      "                                        "
			      "                                        \n",
		       "t.csv:3: longer than 256 bytes");
	{
		static const char nul[] = HEADER "2025,00,F,0-17,5\0"
						 "12\n";
		struct popset *set = NULL;
		char err[POPFILE_ERR_MAX + 64];
		assert_int_equal(popfile_parse("t.csv", nul, sizeof(nul) - 1,
					       &set, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "t.csv:2: a NUL byte");
		assert_null(set);
	}
}

/*
 * Every fault of a file is named in one reading, one a line, so that the
 * Commission mends them all at once (it was told the first alone, and
 * found the next only on the next try); past POPFILE_MAX_FAULTS, or what
 * the buffer holds in whole lines, a last line counts the rest. A year
 * and region is checked whole only in a file with no other fault.
 */
static void
test_every_fault(void **state)
{
	char err[POPFILE_ERRS_MAX(8)], small[120], *text;
	struct popset *set = NULL;
	size_t cap = 4096, used;
	unsigned i;

	(void)state;
	assert_int_equal(parse(HEADER "2025,00,F,0-17,5012345\n"
				      "2025,00,M,0-17,-5\n"
				      "2025,15,F,0-18,1456789\n"
				      "2025,15,U,0-17,1498765\n"
				      "2025,00,F,0-17,5012345\n"
				      "2025,16,F,0-17,500000\n",
			       &set, err, sizeof(err)),
			 -EINVAL);
	assert_null(set);
	assert_string_equal(err,
			    "t.csv:3: population \"-5\": a whole number 1 to "
			    "1000000000\n"
			    "t.csv:4: age_group \"0-18\": 0-17 or 18+\n"
			    "t.csv:5: sex \"U\": F or M\n"
			    "t.csv:6: 2025 country F 0-17 given twice (first "
			    "at line 2)");
	/* Two years and regions without their four figures, each named. */
	assert_int_equal(parse(HEADER "2025,00,F,0-17,1\n2025,16,M,18+,5\n",
			       &set, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.csv:2: 2025, the country: no figure for "
				 "F 18+ (each year and region needs F and M, "
				 "0-17 and 18+)\n"
				 "t.csv:3: 2025, region 16: no figure for F "
				 "0-17 (each year and region needs F and M, "
				 "0-17 and 18+)");
	/* Past the cap, counted. */
	text = malloc(cap);
	assert_non_null(text);
	used = (size_t)snprintf(text, cap, HEADER);
	for (i = 0; i < POPFILE_MAX_FAULTS + 5; i++)
		used += (size_t)snprintf(text + used, cap - used,
					 "2025,00,X,0-17,%u\n", i + 1);
	assert_int_equal(
	    popfile_parse("t.csv", text, used, &set, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "t.csv:2: sex \"X\": F or M\n"));
	assert_non_null(strstr(err, "\nt.csv:21: sex \"X\": F or M\n"
				    "t.csv: 5 more faults"));
	assert_null(strstr(err, "t.csv:22:"));
	/* A buffer too small for them all: whole lines, then the count. */
	assert_int_equal(
	    popfile_parse("t.csv", text, used, &set, small, sizeof(small)),
	    -EINVAL);
	assert_string_equal(small, "t.csv:2: sex \"X\": F or M\n"
				   "t.csv:3: sex \"X\": F or M\n"
				   "t.csv:4: sex \"X\": F or M\n"
				   "t.csv: 22 more faults");
	free(text);
}

/* The largest file there can be: every year and region, 10,504 lines. */
static void
test_every_year_and_region(void **state)
{
	static const char *const g[4] = {"F,0-17", "F,18+", "M,0-17", "M,18+"};
	size_t cap = 12000 * 24, used = 0;
	char *text = malloc(cap), err[POPFILE_ERR_MAX + 64];
	struct popset *set = NULL;
	unsigned year, region, i;

	(void)state;
	assert_non_null(text);
	used += (size_t)snprintf(text, cap, HEADER);
	for (year = POPFILE_MIN_YEAR; year <= POPFILE_MAX_YEAR; year++)
		for (region = 0; region <= 25; region++)
			for (i = 0; i < 4; i++)
				used += (size_t)snprintf(
				    text + used, cap - used, "%u,%02u,%s,%u\n",
				    year, region, g[i], i + 1);
	assert_true(used < POPFILE_MAX_BYTES);
	assert_int_equal(
	    popfile_parse("t.csv", text, used, &set, err, sizeof(err)), 0);
	assert_int_equal(set->n, 101 * 26);
	assert_int_equal(popset_find(set, 2100, 25)->count[POP_M][POP_18_PLUS],
			 4);
	assert_int_equal(popset_find(set, 2100, 25)->line[POP_M][POP_18_PLUS],
			 101 * 26 * 4 + 1);
	popset_free(&set);
	free(text);
}

static void
test_load(void **state)
{
	char dir[] = "/tmp/kuska-pop-XXXXXX", path[64],
	     err[POPFILE_ERR_MAX + 64];
	struct popset *set = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/population.csv", dir);
	assert_int_equal(popfile_load(path, &set, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	assert_int_equal(popfile_load(dir, &set, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(HEADER FOUR("2025", "00"), f);
	fclose(f);
	assert_int_equal(popfile_load(path, &set, err, sizeof(err)), 0);
	assert_int_equal(set->n, 1);
	popset_free(&set);
	/* A refusal names the path and line. */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("2025,00,X,18+,3\n", f);
	fclose(f);
	assert_int_equal(popfile_load(path, &set, err, sizeof(err)), -EINVAL);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_non_null(strstr(err, ":6: sex \"X\""));
	assert_null(set);
	unlink(path);
	rmdir(dir);
}

/* "# source: TEXT" names where the figures come from, kept trimmed; a
 * file without one has none; a bad or second one is refused at its line. */
static void
test_source(void **state)
{
	struct popset *set = NULL;
	char err[POPFILE_ERR_MAX], text[POPFILE_SOURCE_MAX + 512];

	(void)state;
	assert_int_equal(
	    parse("# INEI's figures, not a source line\n"
		  " #  source:  INEI, Perú: Estimaciones  \n" HEADER FOUR(
		      "2025", "00"),
		  &set, err, sizeof(err)),
	    0);
	assert_string_equal(set->source, "INEI, Perú: Estimaciones");
	popset_free(&set);
	assert_int_equal(
	    parse(HEADER FOUR("2025", "00"), &set, err, sizeof(err)), 0);
	assert_string_equal(set->source, "");
	popset_free(&set);
	/* The longest kept whole, one byte more refused. */
	snprintf(text, sizeof(text), "# source: %0*d\n" HEADER "%s",
		 POPFILE_SOURCE_MAX - 1, 0, FOUR("2025", "00"));
	assert_int_equal(parse(text, &set, err, sizeof(err)), 0);
	assert_int_equal(strlen(set->source), POPFILE_SOURCE_MAX - 1);
	popset_free(&set);
	snprintf(text, sizeof(text), "# source: %0*d\n" HEADER "%s",
		 POPFILE_SOURCE_MAX, 0, FOUR("2025", "00"));
	expect_refused(text, "t.csv:1: source: longer than 100 bytes");
	expect_refused("# source:\n" HEADER FOUR("2025", "00"),
		       "t.csv:1: source: empty: write where the figures "
		       "come from");
	expect_refused("# source: a\tb\n" HEADER FOUR("2025", "00"),
		       "t.csv:1: source: not printable UTF-8 text");
	expect_refused("# source: \xff\n" HEADER FOUR("2025", "00"),
		       "t.csv:1: source: not printable UTF-8 text");
	expect_refused("# source: INEI\n" HEADER
		       "# source: MINSA\n" FOUR("2025", "00"),
		       "t.csv:3: a second source line (the first is line 1)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loads),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_every_fault),
	    cmocka_unit_test(test_every_year_and_region),
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
