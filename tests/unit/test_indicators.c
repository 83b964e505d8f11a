/*
 * test_indicators.c - the indicator file (indfile.h) and the indicators'
 * values, progress and status (indicators.h).
 *
 * The file: it loads when right; each refusal of INDICATORS.md, and each
 * warning, on its own, with its FILE:LINE and reason; all errors at once,
 * in line order, and nothing loaded when there is any.
 *
 * Progress and status: at each threshold (just below and at 0.95 and 0.6
 * of the elapsed time, 0), achieved in both directions, deteriorating,
 * no_data before the baseline period ends; semesters against years.
 *
 * Values: over a real LMDB store filled by the statistics engine
 * (stats_apply, as ingest does), through query_run - sums over rows, the
 * `all` row left out unless asked for, medians selecting one row,
 * division by zero, a region, semesters and years, the secretariat's
 * suppression (also while ingest commits), an institution's own view
 * (what it may not record has no value), and the indicators table itself.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "date.h"
#include "event.h"
#include "indfile.h"
#include "indicators.h"
#include "period.h"
#include "query.h"
#include "registry.h"
#include "stats.h"
#include "store.h"

#define K 10

/* ---- the file ----------------------------------------------------------- */

/* A valid indicator: line numbers below count from its section, line 1. */
static const char *const base[] = {
    "[indicator takeup]",
    "name = Referrals to MIMP taken up",
    "level = outcome                  ; output | outcome | ...",
    "component = protection",
    "key = yes",
    "value = 100 * referrals.taken_up[to=mimp] / referrals.sent[to=mimp]",
    "unit = percent",
    "direction = increase",
    "baseline = 2024: 61.5",
    "target = 2026H2: 80",
    "frequency = semester",
    "basis = Two residential care centres open in 2025 (MIMP plan)",
    NULL,
};

/*
 * The base file with the line of key replaced by line (NULL: removed;
 * key NULL: nothing replaced), then extra appended. Returns a static
 * buffer.
 */
static const char *
file_with(const char *key, const char *line, const char *extra)
{
	static char buf[8192];
	size_t used = 0, i, kl = key != NULL ? strlen(key) : 0;

	buf[0] = '\0';
	for (i = 0; base[i] != NULL; i++) {
		const char *l = base[i];
		if (key != NULL && strncmp(l, key, kl) == 0 && l[kl] == ' ') {
			if (line == NULL)
				continue;
			l = line;
		}
		used +=
		    (size_t)snprintf(buf + used, sizeof(buf) - used, "%s\n", l);
	}
	if (extra != NULL)
		snprintf(buf + used, sizeof(buf) - used, "%s", extra);
	return buf;
}

static int
parse(const char *text, struct indset **set, struct indfile_msgs *m)
{
	return indfile_parse("t.conf", text, strlen(text), set, m);
}

/* The file is refused with exactly one error, which contains want. */
static void
expect_refused(const char *text, const char *want)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	int r = parse(text, &set, &m);
	size_t i;

	if (r != -EINVAL)
		fail_msg("accepted (%d), wanted \"%s\":\n%s", r, want, text);
	assert_null(set);
	for (i = 0; i < m.n && m.items[i].warning; i++)
		;
	if (m.n_errors != 1 || i == m.n ||
	    strstr(m.items[i].text, want) == NULL)
		fail_msg("wanted one error \"%s\", got %zu: \"%s\"", want,
			 m.n_errors, i < m.n ? m.items[i].text : "");
	indfile_msgs_clear(&m);
}

/* The file loads, with exactly one warning, which contains want. */
static void
expect_warned(const char *text, const char *want)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;

	assert_int_equal(parse(text, &set, &m), 0);
	assert_non_null(set);
	assert_int_equal(m.n_errors, 0);
	if (m.n_warnings != 1 || m.n != 1 || !m.items[0].warning ||
	    strstr(m.items[0].text, want) == NULL)
		fail_msg("wanted one warning \"%s\", got %zu: \"%s\"", want,
			 m.n_warnings, m.n > 0 ? m.items[0].text : "");
	indset_free(&set);
	indfile_msgs_clear(&m);
}

static void
test_file_loads(void **state)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	const struct indicator *ind;
	char p[PERIOD_NAME_MAX];

	(void)state;
	assert_int_equal(parse(file_with(NULL, NULL, NULL), &set, &m), 0);
	assert_int_equal(m.n_errors + m.n_warnings, 0);
	assert_int_equal(set->n, 1);
	ind = &set->items[0];
	assert_string_equal(ind->id, "takeup");
	assert_string_equal(ind->name, "Referrals to MIMP taken up");
	assert_int_equal(ind->level, IND_OUTCOME); /* inline comment gone */
	assert_int_equal(ind->component, IND_PROTECTION);
	assert_true(ind->key);
	assert_string_equal(
	    ind->value_text,
	    "100 * referrals.taken_up[to=mimp] / referrals.sent[to=mimp]");
	assert_int_equal(expr_n_refs(ind->value), 2);
	assert_int_equal(ind->unit, IND_PERCENT);
	assert_int_equal(ind->direction, IND_INCREASE);
	assert_string_equal(period_name(ind->baseline_period, p), "2024");
	assert_true(ind->baseline == 61.5);
	assert_string_equal(period_name(ind->target_period, p), "2026H2");
	assert_true(ind->target == 80);
	assert_int_equal(ind->frequency, IND_SEMESTER);
	assert_string_equal(ind->basis,
			    "Two residential care centres open in 2025 (MIMP "
			    "plan)");
	assert_int_equal(ind->line, 1);
	indset_free(&set);
	assert_null(set);
	indset_free(&set);

	/* key is optional (no); comments, blank lines, CRLF, a BOM; an
	 * empty file is an empty set. */
	assert_int_equal(
	    parse("\xef\xbb\xbf# the Commission's file\r\n\r\n; more\r\n", &set,
		  &m),
	    0);
	assert_int_equal(set->n, 0);
	indset_free(&set);
	assert_int_equal(parse(file_with("key", NULL, NULL), &set, &m), 0);
	assert_false(set->items[0].key);
	indset_free(&set);
	indfile_msgs_clear(&m);
}

/* A name per language, optional: name stands in for a language not given. */
static void
test_file_names_per_language(void **state)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	char long_name[160];

	(void)state;
	assert_int_equal(parse(file_with(NULL, NULL, NULL), &set, &m), 0);
	assert_string_equal(set->items[0].name_es, "");
	assert_string_equal(set->items[0].name_en, "");
	indset_free(&set);
	assert_int_equal(
	    parse(file_with("name",
			    "name = Referrals to MIMP taken up\n"
			    "name_es = Derivaciones al MIMP atendidas\n"
			    "name_en = Referrals to MIMP taken up",
			    NULL),
		  &set, &m),
	    0);
	assert_int_equal(m.n_errors + m.n_warnings, 0);
	assert_string_equal(set->items[0].name, "Referrals to MIMP taken up");
	assert_string_equal(set->items[0].name_es,
			    "Derivaciones al MIMP atendidas");
	assert_string_equal(set->items[0].name_en,
			    "Referrals to MIMP taken up");
	indset_free(&set);
	indfile_msgs_clear(&m);
	/* name is still required: a file of one language must still read. */
	expect_refused(file_with("name", "name_es = Derivaciones", NULL),
		       "name is missing");
	expect_refused(
	    file_with("name", "name = A\nname_en = B\nname_en = C", NULL),
	    "name_en: given twice");
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	memcpy(long_name, "name_es = ", 10);
	expect_refused(file_with("name", "name = A", long_name),
		       "name_es: longer than 100 bytes");
}

/* Lines that are not INI. */
static void
test_file_syntax(void **state)
{
	char longline[300];

	(void)state;
	expect_refused(file_with(NULL, NULL, "this is no key\n"),
		       "t.conf:13: syntax error");
	expect_refused(file_with(NULL, NULL, "= 3\n"),
		       "t.conf:13: syntax error");
	expect_refused(file_with(NULL, NULL, "colour: red = 3\n"),
		       "t.conf:13: syntax error");
	expect_refused(file_with(NULL, NULL, "\n  continued\n"),
		       "t.conf:14: indented line");
	{
		struct indfile_msgs m = {0};
		struct indset *set = NULL;
		size_t i;
		assert_int_equal(
		    parse(file_with(NULL, NULL, "[indicator b]\n  x = 1\n"),
			  &set, &m),
		    -EINVAL);
		for (i = 0; i < m.n; i++)
			if (strstr(m.items[i].text,
				   "t.conf:14: indented line") != NULL)
				break;
		assert_true(i < m.n);
		indfile_msgs_clear(&m);
	}
	expect_refused(file_with(NULL, NULL, "[indicator x\n"),
		       "t.conf:13: unclosed [section]");
	expect_refused(file_with(NULL, NULL, "[indicator x] y\n"),
		       "t.conf:13: text after [section]");
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "basis = ", 8);
	longline[198] = '\0';
	expect_refused(file_with("basis", longline, NULL),
		       "t.conf:12: line longer than 197 characters");
	longline[197] = '\0'; /* the longest line there may be */
	{
		struct indfile_msgs m = {0};
		struct indset *set = NULL;
		assert_int_equal(
		    parse(file_with("basis", longline, NULL), &set, &m), 0);
		indset_free(&set);
		indfile_msgs_clear(&m);
	}
	{
		static const char nul[] = "[indicator a]\nname = x\0y\n";
		struct indfile_msgs m = {0};
		struct indset *set = NULL;
		assert_int_equal(
		    indfile_parse("t.conf", nul, sizeof(nul) - 1, &set, &m),
		    -EINVAL);
		/* Then its name, and all else, is missing (line 1). */
		assert_int_equal(m.items[0].line, 1);
		assert_string_equal(m.items[m.n - 1].text,
				    "t.conf:2: NUL byte in the line");
		indfile_msgs_clear(&m);
	}
}

/* A long value goes on over indented lines right below its key. */
static void
test_file_continued(void **state)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	char text[4096], line[600];

	(void)state;
	snprintf(text, sizeof(text), "%s",
		 file_with("value",
			   "value = 100 * referrals.taken_up[to=mimp]\n"
			   "\t/ referrals.sent[to=mimp] ; a comment\n"
			   "        * 1",
			   "colour = red\n  and blue\n"));
	assert_int_equal(parse(text, &set, &m), -EINVAL);
	/* The unknown key is told once, not its indented line. */
	if (m.n_errors != 1)
		fail_msg("%zu errors: %s | %s", m.n_errors, m.items[0].text,
			 m.items[1].text);
	assert_string_equal(m.items[0].text, "t.conf:15: colour: unknown key "
					     "(name, name_es, name_en, level, "
					     "component, key, "
					     "value, unit, direction, "
					     "baseline, target, frequency, "
					     "basis)");
	snprintf(text, sizeof(text), "%s",
		 file_with("value",
			   "value = 100 * referrals.taken_up[to=mimp]\n"
			   "\t/ referrals.sent[to=mimp] ; a comment\n"
			   "        * 1",
			   NULL));
	assert_int_equal(parse(text, &set, &m), 0);
	assert_string_equal(set->items[0].value_text,
			    "100 * referrals.taken_up[to=mimp] / "
			    "referrals.sent[to=mimp] * 1");
	assert_int_equal(expr_n_refs(set->items[0].value), 2);
	indset_free(&set);
	/* An error in a value over lines is told at its key's line. */
	expect_refused(
	    file_with("value", "value = 100 *\n  referrals.sant", NULL),
	    "t.conf:6: value: referrals has no column \"sant\"");
	/* At most 511 characters, however many lines. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "basis = ", 8);
	memcpy(line + 150, "\n  ", 3);
	memcpy(line + 300, "\n  ", 3);
	memcpy(line + 450, "\n  ", 3);
	line[599] = '\0';
	expect_refused(file_with("basis", line, NULL),
		       "t.conf:12: basis: longer than 511 characters");
	indfile_msgs_clear(&m);
}

/* Sections, ids and keys. */
static void
test_file_sections_and_keys(void **state)
{
	char extra[4096];

	(void)state;
	expect_refused("level = outcome\n", "t.conf:1: level: a key before any "
					    "[indicator ID] section");
	expect_refused(file_with(NULL, NULL, "[consolidator]\nk = 3\n"),
		       "t.conf:13: unknown section [consolidator] (expected "
		       "[indicator ID])");
	expect_refused(file_with(NULL, NULL, "[indicators]\n"),
		       "t.conf:13: unknown section [indicators]");
	expect_refused(file_with(NULL, NULL, "[indicator Take-Up]\n"),
		       "t.conf:13: indicator id \"Take-Up\"");
	expect_refused(file_with(NULL, NULL, "[indicator -x]\n"),
		       "indicator id \"-x\"");
	expect_refused(
	    file_with(
		NULL, NULL,
		"[indicator a2345678901234567890123456789012345678901]\n"),
	    "indicator id");
	snprintf(extra, sizeof(extra), "%s", file_with(NULL, NULL, NULL));
	expect_refused(file_with(NULL, NULL, extra),
		       "t.conf:13: indicator takeup given twice (first at "
		       "line 1)");
	/* The second's keys are checked all the same: one reading names
	 * every fault (it named the id alone, then this on the next try). */
	{
		struct indfile_msgs m = {0};
		struct indset *set = NULL;
		size_t i;
		snprintf(extra, sizeof(extra), "%s",
			 file_with("level", "level = outcom", NULL));
		assert_int_equal(parse(file_with(NULL, NULL, extra), &set, &m),
				 -EINVAL);
		assert_null(set);
		assert_int_equal(m.n_errors, 2);
		for (i = 0; i < m.n && m.items[i].warning; i++)
			;
		assert_non_null(strstr(
		    m.items[i].text, "t.conf:13: indicator takeup given twice "
				     "(first at line 1)"));
		for (i++; i < m.n && m.items[i].warning; i++)
			;
		assert_true(i < m.n);
		assert_non_null(
		    strstr(m.items[i].text, "level: \"outcom\" is not one of"));
		indfile_msgs_clear(&m);
	}
	expect_refused(file_with(NULL, NULL, "colour = red\n"),
		       "t.conf:13: colour: unknown key");
	expect_refused(file_with(NULL, NULL, "unit = count\n"),
		       "t.conf:13: unit: given twice (first at line 7)");
}

/* Every required key, missing in turn. */
static void
test_file_missing_keys(void **state)
{
	static const char *const required[] = {
	    "name",	 "level",    "component", "value",     "unit",
	    "direction", "baseline", "target",	  "frequency", NULL};
	char want[128];
	size_t i;

	(void)state;
	for (i = 0; required[i] != NULL; i++) {
		snprintf(want, sizeof(want),
			 "t.conf:1: indicator takeup: %s is missing",
			 required[i]);
		expect_refused(file_with(required[i], NULL, NULL), want);
	}
}

/* Specific: names and enumerations. */
static void
test_file_values(void **state)
{
	char name[160];

	(void)state;
	expect_refused(file_with("name", "name =", NULL),
		       "t.conf:2: name: empty");
	memset(name, 'n', sizeof(name));
	memcpy(name, "name = ", 7);
	name[7 + 101] = '\0';
	expect_refused(file_with("name", name, NULL),
		       "t.conf:2: name: longer than 100 bytes");
	name[7 + 100] = '\0';
	{
		struct indfile_msgs m = {0};
		struct indset *set = NULL;
		assert_int_equal(parse(file_with("name", name, NULL), &set, &m),
				 0);
		assert_int_equal(strlen(set->items[0].name), 100);
		indset_free(&set);
		indfile_msgs_clear(&m);
	}
	expect_refused(file_with("name", "name = caf\xc3", NULL),
		       "t.conf:2: name: empty, or not text");
	expect_refused(file_with("name", "name = a\x01z", NULL),
		       "t.conf:2: name: empty, or not text");
	expect_refused(file_with("level", "level = impact", NULL),
		       "t.conf:3: level: \"impact\" is not one of output, "
		       "outcome, component, purpose or assumption");
	expect_refused(file_with("component", "component = health", NULL),
		       "t.conf:4: component: \"health\" is not one of "
		       "prosecution, protection, prevention or governance");
	expect_refused(file_with("key", "key = true", NULL),
		       "t.conf:5: key: must be yes or no");
	expect_refused(file_with("unit", "unit = %", NULL),
		       "t.conf:7: unit: \"%\" is not one of count, percent, "
		       "days or rate");
	expect_refused(file_with("direction", "direction = up", NULL),
		       "t.conf:8: direction: \"up\" is not one of increase or "
		       "decrease");
	expect_refused(file_with("frequency", "frequency = quarter", NULL),
		       "t.conf:11: frequency: \"quarter\" is not one of "
		       "semester or year");
	expect_refused(file_with("basis", "basis =", NULL),
		       "t.conf:12: basis: empty");
}

/* Measurable: the value must parse against the tables' shape. */
static void
test_file_value_expression(void **state)
{
	(void)state;
	expect_refused(
	    file_with("value", "value = 100 * (referrals.sent", NULL),
	    "t.conf:6: value: expected \")\" to close");
	expect_refused(file_with("value", "value = cases.total", NULL),
		       "t.conf:6: value: unknown table \"cases\"");
	expect_refused(file_with("value", "value = referrals.received", NULL),
		       "t.conf:6: value: referrals has no column \"received\"");
	expect_refused(
	    file_with("value", "value = referrals.sent[dest=mimp]", NULL),
	    "t.conf:6: value: referrals has no dimension \"dest\"");
	expect_refused(
	    file_with("value", "value = referrals.sent[to=mimdp]", NULL),
	    "t.conf:6: value: referrals.sent: \"mimdp\" is not a "
	    "value of to");
	expect_refused(
	    file_with("value", "value = referrals.median_days[to=mimp]", NULL),
	    "t.conf:6: value: referrals.median_days: a median must "
	    "select exactly one row");
	expect_refused(file_with("value", "value =", NULL),
		       "t.conf:6: value: expected a number");
}

/* Time-bound: a period (year or semester) and a number each, the target
 * ending after the baseline. */
static void
test_file_baseline_target(void **state)
{
	(void)state;
	expect_refused(file_with("baseline", "baseline = 61.5", NULL),
		       "t.conf:9: baseline: expected PERIOD: NUMBER");
	expect_refused(file_with("baseline", "baseline = : 61.5", NULL),
		       "t.conf:9: baseline: expected PERIOD: NUMBER");
	expect_refused(
	    file_with("baseline", "baseline = last year: 61.5", NULL),
	    "t.conf:9: baseline: the period is not a year");
	expect_refused(file_with("baseline", "baseline = 2024Q4: 61.5", NULL),
		       "t.conf:9: baseline: the period is a quarter");
	expect_refused(file_with("baseline", "baseline = 2024: about 60", NULL),
		       "t.conf:9: baseline: the value is not a number");
	expect_refused(file_with("baseline", "baseline = 2024: 6e1", NULL),
		       "t.conf:9: baseline: the value is not a number");
	expect_refused(file_with("target", "target = 2026H2", NULL),
		       "t.conf:10: target: expected PERIOD: NUMBER");
	expect_refused(file_with("target", "target = 2026Q4: 80", NULL),
		       "t.conf:10: target: the period is a quarter");
	expect_refused(file_with("target", "target = 2026H2: 80%", NULL),
		       "t.conf:10: target: the value is not a number");
	/* The table writes a target with 2 decimals and judges achieved
	 * on it as written: 66.667 would read 66.67 and be judged so. */
	expect_refused(file_with("target", "target = 2026H2: 66.667", NULL),
		       "t.conf:10: target: the value has more than 2 "
		       "decimals");
	expect_refused(file_with("baseline", "baseline = 2024: 61.505", NULL),
		       "t.conf:9: baseline: the value has more than 2 "
		       "decimals");
	/* 2024H2 ends when 2024 does: not after it. */
	expect_refused(file_with("target", "target = 2024H2: 80", NULL),
		       "t.conf:10: target: its period 2024H2 does not end "
		       "after the baseline's (2024)");
	expect_refused(file_with("target", "target = 2023: 80", NULL),
		       "t.conf:10: target: its period 2023 does not end after");
	{
		/* 2025H1 ends after 2024: accepted; so are 2 decimals, and
		 * zeros after them that change nothing. */
		struct indfile_msgs m = {0};
		struct indset *set = NULL;
		assert_int_equal(
		    parse(file_with("target", "target = 2025H1: 80", NULL),
			  &set, &m),
		    0);
		indset_free(&set);
		indfile_msgs_clear(&m);
		assert_int_equal(
		    parse(file_with("target", "target = 2026H2: 66.670", NULL),
			  &set, &m),
		    0);
		assert_true(set->items[0].target == 66.67);
		indset_free(&set);
		indfile_msgs_clear(&m);
		assert_int_equal(
		    parse(file_with("baseline", "baseline = 2024: 61.50", NULL),
			  &set, &m),
		    0);
		indset_free(&set);
		indfile_msgs_clear(&m);
	}
}

/* Consistent: direction against baseline and target; percentages. */
static void
test_file_consistency(void **state)
{
	(void)state;
	expect_refused(file_with("target", "target = 2026H2: 61.5", NULL),
		       "t.conf:10: target: 61.5 is not above the baseline "
		       "(61.5), but direction = increase");
	expect_refused(file_with("target", "target = 2026H2: 40", NULL),
		       "t.conf:10: target: 40 is not above the baseline");
	expect_refused(file_with("direction", "direction = decrease", NULL),
		       "t.conf:10: target: 80 is not below the baseline "
		       "(61.5), but direction = decrease");
	expect_refused(file_with("target", "target = 2026H2: 100.5", NULL),
		       "t.conf:10: target: 100.5 is not a percentage (0 to "
		       "100)");
	expect_refused(file_with("baseline", "baseline = 2024: -1", NULL),
		       "t.conf:9: baseline: -1 is not a percentage");
	{
		/* Not a percent: any numbers, negative ones too. */
		struct indfile_msgs m = {0};
		struct indset *set = NULL;
		char text[4096];
		snprintf(text, sizeof(text), "%s",
			 file_with("unit", "unit = rate", NULL));
		assert_int_equal(parse(text, &set, &m), 0);
		indset_free(&set);
		indfile_msgs_clear(&m);
	}
}

/* A count indicator with the given periods and frequency (line 11). */
static const char *
count_file(const char *baseline, const char *target, const char *frequency)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "[indicator victims]\nname = Victims identified\n"
		 "level = output\ncomponent = protection\nkey = yes\n"
		 "value = identification.victims[institution=all]\n"
		 "unit = count\ndirection = increase\nbaseline = %s: 120\n"
		 "target = %s: 200\nfrequency = %s\nbasis = b\n",
		 baseline, target, frequency);
	return buf;
}

/* A count read by semester against a yearly line, or the reverse. */
static void
test_file_count_periods(void **state)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;

	(void)state;
	expect_warned(count_file("2024", "2026", "semester"),
		      "t.conf:11: warning: indicator victims counts over a "
		      "semester but its baseline and target are yearly; its "
		      "progress in a semester compares half a year with a "
		      "year");
	expect_warned(count_file("2024", "2026H2", "semester"),
		      "t.conf:11: warning: indicator victims counts over a "
		      "semester but its baseline is yearly");
	expect_warned(count_file("2024H2", "2026H2", "year"),
		      "t.conf:11: warning: indicator victims counts over a "
		      "year but its baseline and target are a semester's; its "
		      "progress in a year compares a year with half a year");
	expect_warned(count_file("2024", "2026H2", "year"),
		      "t.conf:11: warning: indicator victims counts over a "
		      "year but its target is a semester's");
	/* Periods as long as the frequency's: nothing to say. */
	assert_int_equal(parse(count_file("2024", "2026", "year"), &set, &m),
			 0);
	assert_int_equal(m.n_errors + m.n_warnings, 0);
	indset_free(&set);
	assert_int_equal(
	    parse(count_file("2024H2", "2026H2", "semester"), &set, &m), 0);
	assert_int_equal(m.n_errors + m.n_warnings, 0);
	indset_free(&set);
	indfile_msgs_clear(&m);
}

/* Achievable: a basis, and few key indicators; warnings only. */
static void
test_file_warnings(void **state)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	char text[8192], sec[64], body[1024];
	size_t used = 0, i;

	(void)state;
	snprintf(body, sizeof(body), "%s",
		 strchr(file_with(NULL, NULL, NULL), '\n') + 1);
	expect_warned(file_with("basis", NULL, NULL),
		      "t.conf:1: warning: indicator takeup: no basis");
	/* Twelve key indicators are fine; the thirteenth is warned of. */
	for (i = 1; i <= 13; i++) {
		snprintf(sec, sizeof(sec), "[indicator k%zu]\n", i);
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "%s%s", sec, body);
		if (i == 12) {
			assert_int_equal(parse(text, &set, &m), 0);
			assert_int_equal(m.n_warnings, 0);
			indset_free(&set);
		}
	}
	expect_warned(text, "t.conf:149: warning: more than 12 key "
			    "indicators");
	indfile_msgs_clear(&m);
}

/* All or nothing: every error is told, in line order. */
static void
test_file_all_errors(void **state)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	char text[4096];

	(void)state;
	snprintf(text, sizeof(text), "%s",
		 file_with("unit", "unit = percentage",
			   "[indicator second]\nname = Second\nlevel = x\n"
			   "basis = b\n"));
	assert_int_equal(parse(text, &set, &m), -EINVAL);
	assert_null(set);
	/* unit; component, value, unit, direction, baseline, target and
	 * frequency missing; level (given, but wrong). */
	assert_int_equal(m.n_errors, 9);
	assert_int_equal(m.n, 9);
	assert_int_equal(m.n_warnings, 0);
	assert_string_equal(m.items[0].text,
			    "t.conf:7: unit: \"percentage\" is not one of "
			    "count, percent, days or rate");
	assert_string_equal(m.items[1].text,
			    "t.conf:13: indicator second: component is "
			    "missing");
	assert_string_equal(m.items[7].text,
			    "t.conf:13: indicator second: frequency is "
			    "missing");
	assert_int_equal(m.items[8].line, 15);
	assert_string_equal(m.items[8].text,
			    "t.conf:15: level: \"x\" is not one of output, "
			    "outcome, component, purpose or assumption");
	indfile_msgs_clear(&m);
	assert_null(m.items);
}

/* More indicators than a file may hold. */
static void
test_file_too_many(void **state)
{
	size_t cap = (INDFILE_MAX_INDICATORS + 1) * 400, used = 0, i;
	char *text = malloc(cap), body[1024], want[64];

	(void)state;
	assert_non_null(text);
	/* The base indicator without its section line, and not key. */
	snprintf(body, sizeof(body), "%s",
		 strchr(file_with("key", "key = no", NULL), '\n') + 1);
	for (i = 0; i <= INDFILE_MAX_INDICATORS; i++)
		used += (size_t)snprintf(text + used, cap - used,
					 "[indicator i%zu]\n%s", i, body);
	snprintf(want, sizeof(want), "t.conf:%d: more than %d indicators",
		 INDFILE_MAX_INDICATORS * 12 + 1, INDFILE_MAX_INDICATORS);
	expect_refused(text, want);
	free(text);
}

static void
test_file_load(void **state)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	char dir[] = "/tmp/kuska-ind-XXXXXX", path[64];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ind.conf", dir);
	assert_int_equal(indfile_load(path, &set, &m), -ENOENT);
	assert_int_equal(m.n_errors, 1);
	assert_non_null(strstr(m.items[0].text, "ind.conf: No such file"));
	assert_int_equal(indfile_load(dir, &set, &m), -EINVAL);
	assert_non_null(strstr(m.items[0].text, "not a regular file"));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(file_with(NULL, NULL, NULL), f);
	fclose(f);
	assert_int_equal(indfile_load(path, &set, &m), 0);
	assert_int_equal(set->n, 1);
	indset_free(&set);
	indfile_msgs_clear(&m);
	unlink(path);
	rmdir(dir);
}

/* The shipped starting set loads with no error and no warning, leads with
 * 8 to 12 key indicators, and says its numbers are examples. */
static void
test_file_shipped(void **state)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	bool prosecution = false, protection = false, governance = false;
	bool assumption = false;
	size_t i, keys = 0;

	(void)state;
	assert_int_equal(indfile_load(KUSKA_TEST_DATA
				      "/../../config/indicators.conf",
				      &set, &m),
			 0);
	assert_int_equal(m.n_errors + m.n_warnings, 0);
	for (i = 0; i < set->n; i++) {
		const struct indicator *ind = &set->items[i];
		keys += ind->key;
		prosecution |= ind->component == IND_PROSECUTION;
		protection |= ind->component == IND_PROTECTION;
		governance |= ind->component == IND_GOVERNANCE;
		assumption |= ind->level == IND_ASSUMPTION;
		if (strncmp(ind->basis,
			    "EXAMPLE baseline and target, not "
			    "official.",
			    42) != 0)
			fail_msg("%s: its basis does not say its numbers are "
				 "examples",
				 ind->id);
	}
	assert_true(keys >= 8 && keys <= INDFILE_KEY_MAX);
	assert_true(prosecution && protection && governance && assumption);
	indset_free(&set);
	indfile_msgs_clear(&m);
}

/* ---- progress and status ----------------------------------------------- */

static struct indicator
line_of(const char *baseline_period, double baseline, const char *target_period,
	double target)
{
	struct indicator ind;

	memset(&ind, 0, sizeof(ind));
	assert_int_equal(period_parse(baseline_period, &ind.baseline_period),
			 0);
	assert_int_equal(period_parse(target_period, &ind.target_period), 0);
	ind.baseline = baseline;
	ind.target = target;
	ind.direction = target > baseline ? IND_INCREASE : IND_DECREASE;
	return ind;
}

static enum ind_status
status_at(const struct indicator *ind, const char *period, double value)
{
	struct ind_result r;
	uint32_t p;

	assert_int_equal(period_parse(period, &p), 0);
	indicators_judge(ind, p, true, value, &r);
	return r.status;
}

static double
elapsed_at(const struct indicator *ind, const char *period)
{
	struct ind_result r;
	uint32_t p;

	assert_int_equal(period_parse(period, &p), 0);
	indicators_judge(ind, p, true, ind->baseline, &r);
	assert_true(r.has_progress);
	return r.elapsed;
}

static void
test_judge_thresholds(void **state)
{
	/* Four semesters from the end of 2024 to the end of 2026; at
	 * 2025H1 a quarter of the way: on track from progress 0.2375
	 * (value 61.875), acceleration needed from 0.15 (57.5). */
	struct indicator ind = line_of("2024", 50, "2026H2", 100);
	struct ind_result r;
	uint32_t p;

	(void)state;
	assert_int_equal(period_parse("2025H1", &p), 0);
	indicators_judge(&ind, p, true, 61.875, &r);
	assert_true(r.has_value && r.has_progress);
	assert_true(fabs(r.elapsed - 0.25) < 1e-12);
	assert_true(fabs(r.progress - 0.2375) < 1e-12);
	assert_int_equal(r.status, IND_ON_TRACK);
	assert_int_equal(status_at(&ind, "2025H1", 61.87),
			 IND_ACCELERATION_NEEDED);
	assert_int_equal(status_at(&ind, "2025H1", 57.5),
			 IND_ACCELERATION_NEEDED);
	assert_int_equal(status_at(&ind, "2025H1", 57.49), IND_LIMITED);
	assert_int_equal(status_at(&ind, "2025H1", 50), IND_LIMITED);
	assert_int_equal(status_at(&ind, "2025H1", 49.99), IND_DETERIORATING);
	assert_int_equal(status_at(&ind, "2025H1", 99.99), IND_ON_TRACK);
	assert_int_equal(status_at(&ind, "2025H1", 100), IND_ACHIEVED);
	assert_int_equal(status_at(&ind, "2025H1", 130), IND_ACHIEVED);
	/* At the target period: on track needs 95% of the way. */
	assert_int_equal(status_at(&ind, "2026H2", 97.5), IND_ON_TRACK);
	assert_int_equal(status_at(&ind, "2026H2", 97.49),
			 IND_ACCELERATION_NEEDED);
	assert_int_equal(status_at(&ind, "2026H2", 80),
			 IND_ACCELERATION_NEEDED);
	assert_int_equal(status_at(&ind, "2026H2", 79.99), IND_LIMITED);
	/* Past the target period the line goes on. */
	assert_true(fabs(elapsed_at(&ind, "2027") - 1.5) < 1e-12);
	assert_int_equal(status_at(&ind, "2027", 99), IND_ACCELERATION_NEEDED);
	assert_int_equal(status_at(&ind, "2028", 99), IND_LIMITED);
}

/*
 * Achieved is judged on the value as the table writes it (2 decimals)
 * against the target as written, so that a row never shows a value equal
 * to its target without saying achieved. Hand-worked: baseline 2024: 50,
 * target 2026H2: 66.67; in 2025H2 (elapsed 2/4 = 0.5) two in three,
 * 100 * 2 / 3 = 66.666..., is written 66.67: achieved (it read on_track,
 * progress 16.6667 / 16.67 = 0.9998 >= 0.475). 66.664 is written 66.66:
 * not reached, on_track. Decreasing from 50 to 33.33, 100 / 3 = 33.333...
 * is written 33.33: achieved; 33.336 is written 33.34: not, and its
 * progress 16.664 / 16.67 = 0.9996 is on_track.
 */
static void
test_judge_achieved_as_written(void **state)
{
	struct indicator up = line_of("2024", 50, "2026H2", 66.67);
	struct indicator down = line_of("2024", 50, "2026H2", 33.33);

	(void)state;
	assert_int_equal(status_at(&up, "2025H2", 100.0 * 2 / 3),
			 IND_ACHIEVED);
	assert_int_equal(status_at(&up, "2025H2", 66.664), IND_ON_TRACK);
	assert_int_equal(status_at(&down, "2025H2", 100.0 / 3), IND_ACHIEVED);
	assert_int_equal(status_at(&down, "2025H2", 33.336), IND_ON_TRACK);
}

static void
test_judge_decrease(void **state)
{
	/* Days to take-up, 30 down to 10 by the end of 2026. */
	struct indicator ind = line_of("2024H2", 30, "2026", 10);
	struct ind_result r;
	uint32_t p;

	(void)state;
	assert_int_equal(ind.direction, IND_DECREASE);
	assert_int_equal(status_at(&ind, "2026", 10), IND_ACHIEVED);
	assert_int_equal(status_at(&ind, "2025H1", 9), IND_ACHIEVED);
	/* 2025: half way, on track from progress 0.475 (value 20.5). */
	assert_int_equal(period_parse("2025", &p), 0);
	indicators_judge(&ind, p, true, 20.5, &r);
	assert_true(fabs(r.progress - 0.475) < 1e-12);
	assert_int_equal(r.status, IND_ON_TRACK);
	assert_int_equal(status_at(&ind, "2025", 20.51),
			 IND_ACCELERATION_NEEDED);
	assert_int_equal(status_at(&ind, "2025", 24), IND_ACCELERATION_NEEDED);
	assert_int_equal(status_at(&ind, "2025", 24.01), IND_LIMITED);
	assert_int_equal(status_at(&ind, "2025", 30), IND_LIMITED);
	assert_int_equal(status_at(&ind, "2025", 30.01), IND_DETERIORATING);
	indicators_judge(&ind, p, true, 36, &r);
	assert_true(fabs(r.progress + 0.3) < 1e-12);
	assert_int_equal(r.status, IND_DETERIORATING);
}

static void
test_judge_no_data(void **state)
{
	struct indicator ind = line_of("2024", 50, "2026H2", 100);
	struct ind_result r;
	uint32_t p;

	(void)state;
	/* No value. */
	assert_int_equal(period_parse("2025", &p), 0);
	indicators_judge(&ind, p, false, 0, &r);
	assert_false(r.has_value);
	assert_false(r.has_progress);
	assert_int_equal(r.status, IND_NO_DATA);
	/* Before the end of the baseline period: no_data, value kept. */
	assert_int_equal(period_parse("2024H1", &p), 0);
	indicators_judge(&ind, p, true, 100, &r);
	assert_true(r.has_value);
	assert_false(r.has_progress);
	assert_int_equal(r.status, IND_NO_DATA);
	assert_int_equal(period_parse("2023", &p), 0);
	indicators_judge(&ind, p, true, 70, &r);
	assert_int_equal(r.status, IND_NO_DATA);
	/* The baseline period itself: elapsed 0. */
	assert_true(elapsed_at(&ind, "2024") == 0);
	assert_true(elapsed_at(&ind, "2024H2") == 0);
	assert_int_equal(status_at(&ind, "2024", 50), IND_ON_TRACK);
	assert_int_equal(status_at(&ind, "2024", 49), IND_DETERIORATING);
	/* A quarter has no place on the line. */
	assert_int_equal(period_parse("2025Q2", &p), 0);
	indicators_judge(&ind, p, true, 70, &r);
	assert_int_equal(r.status, IND_NO_DATA);
	assert_string_equal(ind_status_name(IND_NO_DATA), "no_data");
	assert_string_equal(ind_status_name(IND_ACCELERATION_NEEDED),
			    "acceleration_needed");
}

/* A year is two semesters, wherever the baseline and target fall. */
static void
test_judge_semesters_and_years(void **state)
{
	struct indicator a = line_of("2024", 0, "2026H2", 10);
	struct indicator b = line_of("2024H2", 0, "2026", 10);
	struct indicator c = line_of("2025H1", 0, "2026", 10);
	struct indicator d = line_of("2024H1", 0, "2025H1", 10);

	(void)state;
	assert_true(elapsed_at(&a, "2025H1") == 0.25);
	assert_true(elapsed_at(&a, "2025H2") == 0.5);
	assert_true(elapsed_at(&a, "2025") == 0.5);
	assert_true(elapsed_at(&a, "2026") == 1);
	assert_true(elapsed_at(&b, "2025H1") == elapsed_at(&a, "2025H1"));
	assert_true(elapsed_at(&b, "2025") == elapsed_at(&a, "2025"));
	assert_true(fabs(elapsed_at(&c, "2025") - 1.0 / 3) < 1e-12);
	assert_true(fabs(elapsed_at(&c, "2025H2") - 1.0 / 3) < 1e-12);
	assert_true(fabs(elapsed_at(&c, "2026H1") - 2.0 / 3) < 1e-12);
	assert_true(elapsed_at(&d, "2024H2") == 0.5);
	assert_true(elapsed_at(&d, "2024") == 0.5);
	assert_true(elapsed_at(&d, "2025H1") == 1);
	assert_true(elapsed_at(&d, "2025") == 1.5);
}

/* ---- values over a store ----------------------------------------------- */

struct world {
	char dir[64];
	struct store *st;
	uint64_t seq[INST_COUNT + 1];
	struct stats *stats;
	struct store_txn *txn;
};

static struct world *W;

static void
victim(unsigned n, struct victim *v)
{
	memset(v, 0, sizeof(*v));
	v->doc_type = DOC_DNI;
	memset(v->doc_key, 0, PSEUDONYM_LEN);
	v->doc_key[0] = 1;
	v->doc_key[1] = (uint8_t)n;
	v->sex = n % 2 ? SEX_F : SEX_M;
	v->age_years = 14;
	v->age_group = age_group_of(14);
	memcpy(v->nationality, "PE", 3);
}

static void
apply(enum institution inst, const struct event *ev)
{
	assert_int_equal(
	    stats_apply(W->stats, inst, ++W->seq[inst], ev, ev->rec.date), 0);
}

static int32_t
day(int y, unsigned m, unsigned d)
{
	return date_from_ymd(y, m, d);
}

static void
identify(enum institution inst, unsigned v, int32_t date, uint8_t region)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ev.rec.kind = KIND_IDENTIFICATION;
	ev.rec.date = date;
	ev.rec.region = region;
	victim(v, &ev.rec.victim);
	ev.rec.exploitation = 1u << EXPL_LABOUR;
	apply(inst, &ev);
}

/* A referral numbered n from one institution to another, taken up after
 * `days` days (negative: never). */
static void
refer(enum institution from, enum institution to, unsigned n, unsigned v,
      int32_t date, int days)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ev.rec.kind = KIND_REFERRAL;
	ev.rec.date = date;
	ev.rec.region = 15;
	victim(v, &ev.rec.victim);
	ev.rec.other = to;
	ev.rec.purpose = PURPOSE_PROTECTION;
	ev.rec.referral[0] = 2;
	ev.rec.referral[1] = (uint8_t)from;
	ev.rec.referral[2] = (uint8_t)n;
	apply(from, &ev);
	if (days < 0)
		return;
	ev.kind = ev.rec.kind = KIND_REFERRAL_RECEIVED;
	ev.rec.date = date + days;
	ev.rec.other = from;
	apply(to, &ev);
}

static void
serve(enum institution inst, unsigned v, enum service s, int32_t date)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ev.rec.kind = KIND_SERVICE;
	ev.rec.date = date;
	ev.rec.region = 15;
	victim(v, &ev.rec.victim);
	ev.rec.service = s;
	apply(inst, &ev);
}

/*
 * The store: in 2025,
 *  - PNP identifies victims 1..12 in February (10 in Lima, 2 in Loreto),
 *    MP victims 1..3 in August (so 12 victims in all, 15 by institution);
 *  - PNP refers 12 to MIMP on 1 March, MIMP takes 9 up after 4 days;
 *    MINSA refers 2 to MIMP, one taken up after 10 days; MP refers 1
 *    to MIMP in 2024, never taken up;
 *  - MIMP begins mental-health care for victims 1..4 on 2 April (60
 *    days after their identification).
 */
static int
world_setup(void **state)
{
	unsigned v;

	(void)state;
	W = calloc(1, sizeof(*W));
	if (W == NULL)
		return -1;
	snprintf(W->dir, sizeof(W->dir), "/tmp/kuska-ind-XXXXXX");
	if (mkdtemp(W->dir) == NULL ||
	    store_open(W->dir, 8u << 20, 64u << 20, &W->st) != 0)
		return -1;
	W->stats = stats_new();
	if (W->stats == NULL || stats_load(W->stats, W->st) != 0 ||
	    store_begin(W->st, true, &W->txn) != 0)
		return -1;
	stats_begin(W->stats, W->txn);
	for (v = 1; v <= 12; v++)
		identify(INST_PNP, v, day(2025, 2, 1), v <= 10 ? 15 : 16);
	for (v = 1; v <= 3; v++)
		identify(INST_MP, v, day(2025, 8, 1), 15);
	for (v = 1; v <= 12; v++)
		refer(INST_PNP, INST_MIMP, v, v, day(2025, 3, 1),
		      v <= 9 ? 4 : -1);
	refer(INST_MINSA, INST_MIMP, 1, 1, day(2025, 3, 10), 10);
	refer(INST_MINSA, INST_MIMP, 2, 2, day(2025, 3, 10), -1);
	refer(INST_MP, INST_MIMP, 1, 3, day(2024, 5, 10), -1);
	for (v = 1; v <= 4; v++)
		serve(INST_MIMP, v, SERVICE_MENTAL_HEALTH, day(2025, 4, 2));
	if (stats_flush(W->stats) != 0 || store_commit(&W->txn) != 0)
		return -1;
	stats_committed(W->stats);
	*state = W;
	return 0;
}

static int
world_teardown(void **state)
{
	char cmd[128];

	(void)state;
	query_set_indicators(NULL);
	stats_free(&W->stats);
	store_close(&W->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", W->dir);
	if (system(cmd) != 0)
		return -1;
	free(W);
	return 0;
}

static const struct reg_party analyst = {.role = ROLE_ANALYST};
static const struct reg_party secretariat = {.role = ROLE_SECRETARIAT};
static const struct reg_party pnp_officers = {.role = ROLE_INSTITUTION,
					      .inst = INST_PNP};
static const struct reg_party mimp_officers = {.role = ROLE_INSTITUTION,
					       .inst = INST_MIMP};

/* An indicator file of one indicator per value expression, in order,
 * each baseline 2024: 1, target 2026H2: 1000, rate. */
static struct indset *
set_of(const char *const *values)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	char text[8192];
	size_t used = 0, i;

	for (i = 0; values[i] != NULL; i++)
		used += (size_t)snprintf(
		    text + used, sizeof(text) - used,
		    "[indicator i%zu]\nname = I%zu\nlevel = outcome\n"
		    "component = protection\nvalue = %s\nunit = rate\n"
		    "direction = increase\nbaseline = 2024: 1\n"
		    "target = 2026H2: 1000\nfrequency = semester\n"
		    "basis = a test\n",
		    i, i, values[i]);
	if (parse(text, &set, &m) != 0)
		fail_msg("refused: %s", m.n > 0 ? m.items[0].text : "?");
	indfile_msgs_clear(&m);
	return set;
}

/* Evaluates set for period (and region) as who. */
static void
evaluate(const struct indset *set, const char *period, uint32_t region,
	 const struct reg_party *who, struct ind_result *res)
{
	struct query_req q;
	char err[256] = "";

	memset(&q, 0, sizeof(q));
	snprintf(q.period, sizeof(q.period), "%s", period);
	q.region = region;
	if (indicators_evaluate(W->st, set, &q, who, K, res, err,
				sizeof(err)) != 0)
		fail_msg("evaluate %s: %s", period, err);
}

static void
expect_number(const struct ind_result *r, double want)
{
	if (!r->has_value || fabs(r->value - want) > 1e-9)
		fail_msg("value %s%g, want %g", r->has_value ? "" : "(none) ",
			 r->value, want);
}

/* A cell of a table as query_run answers it, found by its key texts. */
static const struct cell *
cell_of(struct qtable *t, const char *table, const char *period,
	const struct reg_party *who, const char *key1, const char *key2,
	const char *column)
{
	struct query_req q;
	size_t r, c;

	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "%s", table);
	snprintf(q.period, sizeof(q.period), "%s", period);
	assert_int_equal(query_run(W->st, &q, who, K, t), 0);
	for (c = 0; c < t->n_cols && strcmp(t->cols[c], column) != 0; c++)
		;
	assert_true(c < t->n_cols);
	for (r = 0; r < t->n_rows; r++)
		if (strcmp(t->rows[r][1].text, key1) == 0 &&
		    (key2 == NULL || strcmp(t->rows[r][2].text, key2) == 0))
			return &t->rows[r][c];
	return NULL;
}

static void
test_values_sums_and_rows(void **state)
{
	static const char *const v[] = {
	    "identification.victims[institution=pnp]",
	    "identification.victims[institution=all]",
	    "identification.victims", /* the all row left out: 12 + 3 */
	    "referrals.sent[to=mimp]",
	    "referrals.sent[from=pnp]",
	    "referrals.sent",
	    "100 * referrals.taken_up[to=mimp] / referrals.sent[to=mimp]",
	    "referrals.sent[from=pj,to=mimp]", /* no such row: 0 */
	    "1 + 2 * referrals.pending[from=pnp,to=mimp]",
	    NULL};
	struct indset *set = set_of(v);
	struct ind_result res[9];
	struct qtable t;
	const struct cell *c;

	(void)state;
	evaluate(set, "2025", 0, &analyst, res);
	expect_number(&res[0], 12);
	expect_number(&res[1], 12);
	expect_number(&res[2], 15);
	expect_number(&res[3], 14);
	expect_number(&res[4], 12);
	expect_number(&res[5], 14);
	expect_number(&res[6], 100.0 * 10 / 14);
	expect_number(&res[7], 0);
	expect_number(&res[8], 7);
	/* The same numbers as the tables. */
	c = cell_of(&t, "identification", "2025", &analyst, "all", NULL,
		    "victims");
	assert_non_null(c);
	assert_int_equal(c->number, 12);
	codec_qtable_clear(&t);
	c = cell_of(&t, "referrals", "2025", &analyst, "pnp", "mimp",
		    "pending");
	assert_int_equal(c->number, 3);
	codec_qtable_clear(&t);
	/* The MP referral of 2024 counts there only. */
	evaluate(set, "2024", 0, &analyst, res);
	expect_number(&res[5], 1);
	expect_number(&res[6], 0);
	expect_number(&res[0], 0);
	indset_free(&set);
}

static void
expect_none(const struct ind_result *r)
{
	if (r->has_value)
		fail_msg("value %g, want none", r->value);
}

/*
 * An institution's own view: a count it may not record (a service, a
 * trial, to PNP) is empty in its table, so an indicator of it has no
 * value where it read 0; a sum over rows leaves such counts out, and is
 * no value only when it holds nothing else.
 */
static void
test_values_institution(void **state)
{
	static const char *const v[] = {
	    "protection.victims[service=mental_health]", "protection.victims",
	    "prosecution.cases[stage=trial]",
	    "prosecution.cases", /* complaint and preliminary: 0 */
	    "identification.victims",
	    /* "all" in an institution's view: its own rows, which are all
	     * of it (the view has no total row); another's: not in it. */
	    "identification.victims[institution=all]",
	    "identification.victims[institution=mp]",
	    "timeliness.within_30_days_pct[institution=all]",
	    "timeliness.within_30_days_pct[institution=pnp]", NULL};
	struct indset *set = set_of(v);
	struct ind_result res[9];

	(void)state;
	evaluate(set, "2025", 0, &pnp_officers, res);
	expect_none(&res[0]);
	expect_none(&res[1]);
	expect_none(&res[2]);
	expect_number(&res[3], 0);
	expect_number(&res[4], 12);
	expect_number(&res[5], 12);
	expect_none(&res[6]);
	assert_true(res[8].has_value);
	expect_number(&res[7], res[8].value);
	evaluate(set, "2025", 0, &mimp_officers, res);
	expect_number(&res[0], 4);
	expect_number(&res[1], 4);
	expect_none(&res[2]);
	expect_none(&res[3]);
	evaluate(set, "2025", 0, &analyst, res);
	expect_number(&res[0], 4);
	expect_number(&res[2], 0);
	expect_number(&res[3], 0);
	indset_free(&set);
}

static void
test_values_medians_and_division(void **state)
{
	static const char *const v[] = {
	    "referrals.median_days[from=pnp,to=mimp]",
	    "referrals.median_days[from=minsa,to=mimp]",
	    "referrals.median_days[from=mp,to=mimp]", /* none taken up */
	    "referrals.median_days[from=pj,to=mimp]", /* no row */
	    "protection.median_days[service=mental_health]",
	    "protection.median_days[service=legal_aid]", /* nobody */
	    "100 * referrals.taken_up[from=mp] / referrals.sent[from=mp]",
	    "durations.median_days[from_stage=complaint,"
	    "to_stage=preliminary_investigation]",
	    NULL};
	struct indset *set = set_of(v);
	struct ind_result res[8];

	(void)state;
	evaluate(set, "2025", 0, &analyst, res);
	expect_number(&res[0], 4);
	expect_number(&res[1], 10);
	assert_false(res[2].has_value);
	assert_false(res[3].has_value);
	expect_number(&res[4], 60);
	assert_false(res[5].has_value);
	assert_false(res[6].has_value); /* 0 / 0 */
	assert_int_equal(res[6].status, IND_NO_DATA);
	assert_false(res[7].has_value);
	evaluate(set, "2024", 0, &analyst, res);
	assert_false(res[2].has_value);
	expect_number(&res[6], 0); /* 0 of 1 taken up */
	indset_free(&set);
}

/* Semesters and years, and one region. */
static void
test_values_periods_and_region(void **state)
{
	static const char *const v[] = {
	    "identification.victims[institution=mp]",
	    "identification.victims[institution=pnp]",
	    "referrals.sent[from=pnp]", NULL};
	struct indset *set = set_of(v);
	struct ind_result res[3];

	(void)state;
	evaluate(set, "2025H1", 0, &analyst, res);
	expect_number(&res[0], 0);
	expect_number(&res[1], 12);
	evaluate(set, "2025H2", 0, &analyst, res);
	expect_number(&res[0], 3);
	expect_number(&res[1], 0);
	evaluate(set, "2025", 0, &analyst, res);
	expect_number(&res[0], 3);
	expect_number(&res[1], 12);
	evaluate(set, "2025", 16, &analyst, res);
	expect_number(&res[0], 0);
	expect_number(&res[1], 2);
	expect_number(&res[2], 0); /* the referrals were made in Lima */
	evaluate(set, "2025", 15, &analyst, res);
	expect_number(&res[1], 10);
	expect_number(&res[2], 12);
	/* A quarter is refused. */
	{
		struct query_req q;
		char err[256] = "";
		memset(&q, 0, sizeof(q));
		snprintf(q.period, sizeof(q.period), "2025Q1");
		assert_int_equal(indicators_evaluate(W->st, set, &q, &analyst,
						     K, res, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "year (2026) or semester"));
	}
	indset_free(&set);
}

/* The secretariat: a reference to any hidden cell hides the indicator. */
static void
test_values_secretariat(void **state)
{
	static const char *const v[] = {
	    "identification.victims[institution=pnp]",	     /* 12: shown */
	    "identification.victims[institution=mp]",	     /* 3: hidden */
	    "identification.victims",			     /* pnp + mp */
	    "identification.victims[institution=pj]",	     /* 0: shown */
	    "protection.median_days[service=mental_health]", /* of 4 */
	    "100 * referrals.taken_up[from=pnp,to=mimp] / "
	    "referrals.sent[from=pnp,to=mimp]", /* 9 taken up: hidden */
	    "2 * 3",
	    NULL};
	struct indset *set = set_of(v);
	struct ind_result res[7];
	struct qtable t;
	const struct cell *c;
	size_t i;

	(void)state;
	evaluate(set, "2025", 0, &secretariat, res);
	/* pnp's 12 is shown unless hiding mp's 3 across the secretariat's
	 * tables took it too (release.h): the indicator follows the cell. */
	c = cell_of(&t, "identification", "2025", &secretariat, "pnp", NULL,
		    "victims");
	if (c->kind == CELL_NUMBER) {
		expect_number(&res[0], 12);
		assert_int_equal(res[0].status, IND_LIMITED); /* 11 of 999 */
	} else {
		assert_int_equal(c->kind, CELL_SUPPRESSED);
		assert_int_equal(res[0].status, IND_SUPPRESSED);
	}
	codec_qtable_clear(&t);
	for (i = 1; i <= 5; i++) {
		if (i == 3) {
			expect_number(&res[3], 0);
			continue;
		}
		assert_int_equal(res[i].status, IND_SUPPRESSED);
		assert_false(res[i].has_value);
		assert_false(res[i].has_progress);
	}
	expect_number(&res[6], 6);
	/* The hidden cells are hidden in the secretariat's tables too. */
	c = cell_of(&t, "identification", "2025", &secretariat, "mp", NULL,
		    "victims");
	assert_int_equal(c->kind, CELL_SUPPRESSED);
	codec_qtable_clear(&t);
	c = cell_of(&t, "protection", "2025", &secretariat, "mental_health",
		    NULL, "median_days");
	assert_int_equal(c->kind, CELL_EMPTY);
	codec_qtable_clear(&t);
	/* The analyst sees them all. */
	evaluate(set, "2025", 0, &analyst, res);
	expect_number(&res[1], 3);
	expect_number(&res[4], 60);
	expect_number(&res[5], 75);
	indset_free(&set);
}

/*
 * A table the secretariat is not given at the level asked (the breakdown
 * by region: docs/DISCLOSURE.md) withholds what the analyst is given from
 * it: the indicator is suppressed, as one on a hidden cell, not no_data,
 * which would say there was nothing to count. Hand-worked: in 2025,
 * region 15 (Lima) has pnp's 10 identifications, so the analyst's
 * breakdown.victims[dimension=age_group] sums to 10 over the age groups;
 * the secretariat's same indicator is suppressed, value and progress
 * empty, while its identification.victims[institution=pnp] keeps the
 * analyst's 10 (10 >= k): the refusal withholds that table alone.
 * Nationally the secretariat is given the breakdown: in 2024, with no
 * identification and so nothing to hide, its value is the analyst's, 0,
 * deteriorating from the baseline 1; by region it is suppressed again.
 */
static void
test_values_secretariat_closed_table(void **state)
{
	static const char *const v[] = {
	    "breakdown.victims[dimension=age_group]",
	    "identification.victims[institution=pnp]", "2 * 3", NULL};
	struct indset *set = set_of(v);
	struct ind_result res[3];

	(void)state;
	evaluate(set, "2025", 15, &analyst, res);
	expect_number(&res[0], 10);
	expect_number(&res[1], 10);
	evaluate(set, "2025", 15, &secretariat, res);
	assert_int_equal(res[0].status, IND_SUPPRESSED);
	assert_false(res[0].has_value);
	assert_false(res[0].has_progress);
	expect_number(&res[1], 10);
	assert_int_not_equal(res[1].status, IND_SUPPRESSED);
	expect_number(&res[2], 6);
	evaluate(set, "2024", 0, &analyst, res);
	expect_number(&res[0], 0);
	evaluate(set, "2024", 0, &secretariat, res);
	expect_number(&res[0], 0);
	assert_int_equal(res[0].status, IND_DETERIORATING);
	evaluate(set, "2024", 15, &secretariat, res);
	assert_int_equal(res[0].status, IND_SUPPRESSED);
	indset_free(&set);
}

/*
 * The funnel is not given to the secretariat by region either (a region
 * whose cases stay in it bounds its funnels by its own prosecution:
 * docs/DISCLOSURE.md): an indicator on it is suppressed by region, for
 * the secretariat alone. The store holds no case, so every value given
 * is 0: the analyst's by region, the secretariat's for the country, and
 * the secretariat's on the region's prosecution table, still given.
 */
static void
test_values_secretariat_regional_funnel(void **state)
{
	static const char *const v[] = {"funnel.cases[stage=complaint]",
					"prosecution.cases[stage=complaint]",
					NULL};
	struct indset *set = set_of(v);
	struct ind_result res[2];

	(void)state;
	evaluate(set, "2025", 15, &analyst, res);
	expect_number(&res[0], 0);
	expect_number(&res[1], 0);
	evaluate(set, "2025", 0, &secretariat, res);
	expect_number(&res[0], 0);
	assert_int_not_equal(res[0].status, IND_SUPPRESSED);
	evaluate(set, "2025", 15, &secretariat, res);
	assert_int_equal(res[0].status, IND_SUPPRESSED);
	assert_false(res[0].has_value);
	assert_false(res[0].has_progress);
	expect_number(&res[1], 0);
	assert_int_not_equal(res[1].status, IND_SUPPRESSED);
	indset_free(&set);
}

/* A table query_run does not answer (yet) leaves its indicators without a
 * value; once it answers, the value is its cell. */
static void
test_values_unanswered_table(void **state)
{
	static const char *const v[] = {"timeliness.records[institution=all]",
					NULL};
	struct indset *set = set_of(v);
	struct ind_result res[1];
	struct query_req q;
	struct qtable t;

	(void)state;
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "timeliness");
	snprintf(q.period, sizeof(q.period), "2025");
	evaluate(set, "2025", 0, &analyst, res);
	if (query_run(W->st, &q, &analyst, K, &t) != 0) {
		assert_false(res[0].has_value);
		assert_int_equal(res[0].status, IND_NO_DATA);
	} else {
		const struct cell *c;
		codec_qtable_clear(&t); /* cell_of asks again into t */
		c = cell_of(&t, "timeliness", "2025", &analyst, "all", NULL,
			    "records");
		assert_non_null(c);
		expect_number(&res[0], (double)c->number);
	}
	codec_qtable_clear(&t);
	indset_free(&set);
}

/* Every table query_run answers has the columns its schema says. */
static void
test_schema_matches_tables(void **state)
{
	static const char *const tables[] = {
	    "identification", "overlap", "breakdown", "referrals", "protection",
	    "prosecution",    "funnel",	 "durations", "timeliness"};
	struct query_req q;
	struct qtable t;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		const struct qschema *s = query_schema(tables[i]);
		memset(&q, 0, sizeof(q));
		snprintf(q.table, sizeof(q.table), "%s", tables[i]);
		snprintf(q.period, sizeof(q.period), "2025");
		assert_non_null(s);
		if (query_run(W->st, &q, &analyst, K, &t) != 0) {
			/* Not answered yet: only timeliness may be. */
			assert_string_equal(tables[i], "timeliness");
			continue;
		}
		assert_int_equal(t.n_cols, s->n_cols);
		for (j = 0; j < s->n_cols; j++)
			assert_string_equal(t.cols[j], s->cols[j].name);
		codec_qtable_clear(&t);
	}
}

/* The indicators table through query_run: header, rows, formats. */
static void
test_indicators_table(void **state)
{
	static const char *const text =
	    "[indicator takeup]\n"
	    "name = Derivaciones a MIMP atendidas, en %\n"
	    "level = outcome\ncomponent = protection\nkey = yes\n"
	    "value = 100 * referrals.taken_up[to=mimp] / "
	    "referrals.sent[to=mimp]\n"
	    "unit = percent\ndirection = increase\nbaseline = 2024: 50\n"
	    "target = 2026H2: 90\nfrequency = semester\nbasis = b\n"
	    "[indicator mh-days]\n"
	    "name = Days to mental-health care\n"
	    "level = assumption\ncomponent = governance\n"
	    "value = protection.median_days[service=mental_health]\n"
	    "unit = days\ndirection = decrease\nbaseline = 2024H2: 90.13\n"
	    "target = 2026: 30\nfrequency = year\nbasis = b\n"
	    "[indicator zero]\n"
	    "name = Nothing to divide\nlevel = output\n"
	    "component = prosecution\n"
	    "value = prosecution.cases[stage=trial] / "
	    "prosecution.cases[stage=complaint]\n"
	    "unit = rate\ndirection = increase\nbaseline = 2025: 0.2\n"
	    "target = 2026: 0.5\nfrequency = year\nbasis = b\n";
	static const char *const want_analyst[][13] = {
	    {"2025", "takeup", "Derivaciones a MIMP atendidas, en %", "outcome",
	     "protection", "yes", "percent", "71.43", "50", "90", "2026H2",
	     "0.536", "on_track"},
	    {"2025", "mh-days", "Days to mental-health care", "assumption",
	     "governance", "no", "days", "60", "90.13", "30", "2026", "0.501",
	     "on_track"},
	    {"2025", "zero", "Nothing to divide", "output", "prosecution", "no",
	     "rate", "", "0.2", "0.5", "2026", "", "no_data"},
	};
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	struct query_req q;
	struct qtable t;
	char cols[256] = "", cell[128];
	size_t i, j;

	(void)state;
	assert_int_equal(parse(text, &set, &m), 0);
	query_set_indicators(set);
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "indicators");
	snprintf(q.period, sizeof(q.period), "2025");
	assert_int_equal(query_run(W->st, &q, &analyst, K, &t), 0);
	for (j = 0; j < t.n_cols; j++) {
		strcat(cols, j ? "," : "");
		strcat(cols, t.cols[j]);
	}
	assert_string_equal(cols, INDICATORS_COLUMNS);
	assert_string_equal(cols, "period,indicator,name,level,component,key,"
				  "unit,value,baseline,target,target_period,"
				  "progress,status");
	assert_int_equal(t.n_rows, 3);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 13; j++) {
			const struct cell *c = &t.rows[i][j];
			snprintf(cell, sizeof(cell), "%s",
				 c->kind == CELL_TEXT || c->kind == CELL_DECIMAL
				     ? c->text
				     : "");
			if (strcmp(cell, want_analyst[i][j]) != 0)
				fail_msg("row %zu %s: \"%s\", want \"%s\"", i,
					 t.cols[j], cell, want_analyst[i][j]);
		}
	codec_qtable_clear(&t);

	/* The secretariat: the take-up rests on 9, hidden. */
	assert_int_equal(query_run(W->st, &q, &secretariat, K, &t), 0);
	assert_string_equal(t.rows[0][12].text, "suppressed");
	assert_int_equal(t.rows[0][7].kind, CELL_EMPTY);
	assert_int_equal(t.rows[0][11].kind, CELL_EMPTY);
	assert_string_equal(t.rows[0][8].text, "50"); /* from the file */
	assert_string_equal(t.rows[1][12].text, "suppressed");
	assert_string_equal(t.rows[2][12].text, "no_data");
	assert_string_equal(t.role, "secretariat");
	codec_qtable_clear(&t);

	/* Before the baseline period ends: no_data, the value still told. */
	snprintf(q.period, sizeof(q.period), "2025H1");
	assert_int_equal(query_run(W->st, &q, &analyst, K, &t), 0);
	assert_string_equal(t.rows[0][0].text, "2025H1");
	assert_string_equal(t.rows[0][12].text, "on_track");
	assert_string_equal(t.rows[2][7].text, "");
	assert_string_equal(t.rows[2][12].text, "no_data");
	codec_qtable_clear(&t);
	/* In 2024H1, before takeup's baseline (2024) ends, MP's one
	 * referral to MIMP, not taken up: 0, with no progress (the line
	 * starts at the end of the baseline period) and status no_data. */
	snprintf(q.period, sizeof(q.period), "2024H1");
	assert_int_equal(query_run(W->st, &q, &analyst, K, &t), 0);
	assert_int_equal(t.rows[0][7].kind, CELL_DECIMAL);
	assert_string_equal(t.rows[0][7].text, "0");
	assert_int_equal(t.rows[0][11].kind, CELL_EMPTY);
	assert_string_equal(t.rows[0][12].text, "no_data");
	codec_qtable_clear(&t);

	/* A quarter, and nobody, are refused as query_run refuses. */
	snprintf(q.period, sizeof(q.period), "2025Q1");
	assert_int_equal(query_run(W->st, &q, &analyst, K, &t), -EINVAL);
	assert_non_null(strstr(t.error, "year (2026) or semester"));
	{
		static const struct reg_party nobody = {.role = ROLE_NONE};
		snprintf(q.period, sizeof(q.period), "2025");
		assert_int_equal(query_run(W->st, &q, &nobody, K, &t), -EINVAL);
	}
	/* No indicators: the header and no row. */
	query_set_indicators(NULL);
	assert_int_equal(query_run(W->st, &q, &analyst, K, &t), 0);
	assert_int_equal(t.n_rows, 0);
	assert_int_equal(t.n_cols, 13);
	codec_qtable_clear(&t);
	indset_free(&set);
	indfile_msgs_clear(&m);
}

/*
 * The indicators answer names the destinations with no take-up on record
 * (no_takeups) that some indicator reads the take-ups of: minsa (taken_up
 * to minsa), not mimp (it has take-ups), not pj (only its referrals sent
 * are read); a reference with no to reads every destination. The
 * referrals answer names every destination with none, and pnp's view
 * those of its own referrals.
 */
static void
test_indicators_no_takeups(void **state)
{
	static const char *const text =
	    "[indicator takeup-minsa]\n"
	    "name = Taken up by MINSA\nlevel = outcome\n"
	    "component = protection\n"
	    "value = referrals.taken_up[to=minsa] + referrals.taken_up[to=mimp]"
	    " + referrals.sent[to=pj]\n"
	    "unit = count\ndirection = increase\nbaseline = 2024: 1\n"
	    "target = 2026: 5\nfrequency = year\nbasis = b\n";
	static const char *const every =
	    "[indicator pending]\n"
	    "name = Pending\nlevel = outcome\ncomponent = protection\n"
	    "value = referrals.pending[from=pnp]\n"
	    "unit = count\ndirection = decrease\nbaseline = 2024: 5\n"
	    "target = 2026: 1\nfrequency = year\nbasis = b\n";
	static const struct reg_party pnp = {.role = ROLE_INSTITUTION,
					     .inst = INST_PNP};
	const uint32_t all = (1u << INST_PNP) | (1u << INST_MP) |
			     (1u << INST_PJ) | (1u << INST_MIMP) |
			     (1u << INST_MINSA);
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	struct query_req q;
	struct qtable t;

	(void)state;
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "indicators");
	snprintf(q.period, sizeof(q.period), "2025");
	assert_int_equal(parse(text, &set, &m), 0);
	query_set_indicators(set);
	assert_int_equal(query_run(W->st, &q, &analyst, K, &t), 0);
	assert_int_equal(t.no_takeups, 1u << INST_MINSA);
	codec_qtable_clear(&t);
	query_set_indicators(NULL);
	indset_free(&set);
	indfile_msgs_clear(&m);
	assert_int_equal(parse(every, &set, &m), 0);
	query_set_indicators(set);
	assert_int_equal(query_run(W->st, &q, &analyst, K, &t), 0);
	assert_int_equal(t.no_takeups, all & ~(1u << INST_MIMP));
	codec_qtable_clear(&t);
	query_set_indicators(NULL);
	indset_free(&set);
	indfile_msgs_clear(&m);
	snprintf(q.table, sizeof(q.table), "referrals");
	assert_int_equal(query_run(W->st, &q, &analyst, K, &t), 0);
	assert_int_equal(t.no_takeups, all & ~(1u << INST_MIMP));
	codec_qtable_clear(&t);
	assert_int_equal(query_run(W->st, &q, &secretariat, K, &t), 0);
	assert_int_equal(t.no_takeups, all & ~(1u << INST_MIMP));
	codec_qtable_clear(&t);
	assert_int_equal(query_run(W->st, &q, &pnp, K, &t), 0);
	assert_int_equal(t.no_takeups, all & ~(1u << INST_MIMP));
	codec_qtable_clear(&t);
}

/*
 * Ingest commits while a query reads (linked with
 * -Wl,--wrap=store_begin): while `commits` is set, each read
 * transaction but the first `skip` begins after a commit of one more
 * referral, in 2023, to MIMP from the next of senders, never taken up -
 * a new row of the referrals table - or of what `what` applies.
 */
int __real_store_begin(struct store *st, bool write, struct store_txn **ret);
int __wrap_store_begin(struct store *st, bool write, struct store_txn **ret);

static struct {
	bool on;
	size_t skip;		/* read transactions to let begin first */
	void (*what)(size_t n); /* the n-th commit's events, if not NULL */
	size_t n;		/* commits made */
} commits;

int
__wrap_store_begin(struct store *st, bool write, struct store_txn **ret)
{
	static const enum institution senders[] = {INST_PNP, INST_MP, INST_PJ};

	if (commits.on && !write && commits.skip > 0)
		commits.skip--;
	else if (commits.on && !write && commits.n < 3) {
		commits.on = false; /* what commits reads nothing itself */
		assert_int_equal(__real_store_begin(st, true, &W->txn), 0);
		stats_begin(W->stats, W->txn);
		if (commits.what != NULL)
			commits.what(commits.n);
		else
			refer(senders[commits.n], INST_MIMP, 60, 60,
			      day(2023, 6, 1), -1);
		assert_int_equal(stats_flush(W->stats), 0);
		assert_int_equal(store_commit(&W->txn), 0);
		stats_committed(W->stats);
		commits.n++;
		commits.on = true;
	}
	return __real_store_begin(st, write, ret);
}

/* A referral from PNP to MINSA in 2022, taken up after 5 days. */
static void
take_up_minsa(size_t n)
{
	refer(INST_PNP, INST_MINSA, 70 + (unsigned)n, 70 + (unsigned)n,
	      day(2022, 6, 1), 5);
}

/*
 * The indicators answer's note of destinations with no take-up on record
 * is of the state of the store its values are: a take-up by MINSA
 * committed after the values were worked out must not take MINSA off the
 * note beside a value that counts none of its take-ups. Read in a second
 * transaction, the note said MINSA had take-ups beside "0" taken up by
 * MINSA. MINSA has none on record before (test_indicators_no_takeups).
 */
static void
test_indicators_note_of_one_state(void **state)
{
	static const char *const text =
	    "[indicator takeup-minsa]\n"
	    "name = Taken up by MINSA\nlevel = outcome\n"
	    "component = protection\n"
	    "value = referrals.taken_up[to=minsa]\n"
	    "unit = count\ndirection = increase\nbaseline = 2021: 1\n"
	    "target = 2026: 5\nfrequency = year\nbasis = b\n";
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	struct query_req q;
	struct qtable t;
	bool none_noted, none_counted;

	(void)state;
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "indicators");
	snprintf(q.period, sizeof(q.period), "2022");
	assert_int_equal(parse(text, &set, &m), 0);
	query_set_indicators(set);
	commits.n = 0;
	commits.skip = 1;
	commits.what = take_up_minsa;
	commits.on = true;
	assert_int_equal(query_run(W->st, &q, &analyst, K, &t), 0);
	commits.on = false;
	commits.skip = 0;
	commits.what = NULL;
	assert_int_equal(t.n_rows, 1);
	none_noted = (t.no_takeups & (1u << INST_MINSA)) != 0;
	none_counted =
	    t.rows[0][7].text[0] == '\0' || strcmp(t.rows[0][7].text, "0") == 0;
	assert_int_equal(none_noted, none_counted);
	codec_qtable_clear(&t);
	query_set_indicators(NULL);
	indset_free(&set);
	indfile_msgs_clear(&m);
	commits.n = 0;
}

/*
 * The secretariat's indicator on a median withheld from it (one
 * referral taken up: fewer than k days to take a median of) is
 * suppressed, not no_data, whatever ingest commits while it is worked
 * out: its view of the referrals table and the analyst's it is told
 * apart by are of one state of the store. Read apart, a referral
 * committed between them gave the analyst's table a row more, and the
 * withheld median read as one there was nothing to take. In 2023, which
 * the other tests leave empty: MINSA refers one victim to MIMP, taken
 * up after 10 days.
 */
static void
test_values_secretariat_while_ingest_commits(void **state)
{
	static const char *const v[] = {
	    "referrals.median_days[from=minsa,to=mimp]", NULL};
	struct indset *set = set_of(v);
	struct ind_result res[1];

	(void)state;
	assert_int_equal(store_begin(W->st, true, &W->txn), 0);
	stats_begin(W->stats, W->txn);
	refer(INST_MINSA, INST_MIMP, 60, 60, day(2023, 3, 10), 10);
	assert_int_equal(stats_flush(W->stats), 0);
	assert_int_equal(store_commit(&W->txn), 0);
	stats_committed(W->stats);
	commits.on = true;
	evaluate(set, "2023", 0, &secretariat, res);
	commits.on = false;
	assert_true(commits.n > 0);
	assert_int_equal(res[0].status, IND_SUPPRESSED);
	assert_false(res[0].has_value);
	evaluate(set, "2023", 0, &analyst, res);
	expect_number(&res[0], 10);
	indset_free(&set);
}

int
main(void)
{
	const struct CMUnitTest file_tests[] = {
	    cmocka_unit_test(test_file_loads),
	    cmocka_unit_test(test_file_names_per_language),
	    cmocka_unit_test(test_file_syntax),
	    cmocka_unit_test(test_file_continued),
	    cmocka_unit_test(test_file_sections_and_keys),
	    cmocka_unit_test(test_file_missing_keys),
	    cmocka_unit_test(test_file_values),
	    cmocka_unit_test(test_file_value_expression),
	    cmocka_unit_test(test_file_baseline_target),
	    cmocka_unit_test(test_file_consistency),
	    cmocka_unit_test(test_file_warnings),
	    cmocka_unit_test(test_file_count_periods),
	    cmocka_unit_test(test_file_all_errors),
	    cmocka_unit_test(test_file_too_many),
	    cmocka_unit_test(test_file_load),
	    cmocka_unit_test(test_file_shipped),
	    cmocka_unit_test(test_judge_thresholds),
	    cmocka_unit_test(test_judge_achieved_as_written),
	    cmocka_unit_test(test_judge_decrease),
	    cmocka_unit_test(test_judge_no_data),
	    cmocka_unit_test(test_judge_semesters_and_years),
	};
	const struct CMUnitTest store_tests[] = {
	    cmocka_unit_test(test_values_sums_and_rows),
	    cmocka_unit_test(test_values_institution),
	    cmocka_unit_test(test_values_medians_and_division),
	    cmocka_unit_test(test_values_periods_and_region),
	    cmocka_unit_test(test_values_secretariat),
	    cmocka_unit_test(test_values_secretariat_closed_table),
	    cmocka_unit_test(test_values_secretariat_regional_funnel),
	    cmocka_unit_test(test_values_unanswered_table),
	    cmocka_unit_test(test_schema_matches_tables),
	    cmocka_unit_test(test_indicators_table),
	    cmocka_unit_test(test_indicators_no_takeups),
	    /* After test_indicators_no_takeups: it may leave a take-up by
	     * MINSA in 2022 behind. */
	    cmocka_unit_test(test_indicators_note_of_one_state),
	    /* Last: it leaves referrals of 2023 behind. */
	    cmocka_unit_test(test_values_secretariat_while_ingest_commits),
	};
	int failed;

	failed = cmocka_run_group_tests(file_tests, NULL, NULL);
	failed +=
	    cmocka_run_group_tests(store_tests, world_setup, world_teardown);
	return failed;
}
