/*
 * test_svg.c - the charts of kuska report (svg.h) against golden files in
 * tests/data/report/: the same input gives the same bytes; a hidden
 * (suppressed) value is written "<k" and never drawn, an absent one is a
 * dash; labels stay text and are escaped.
 *
 * After an intended change to the charts, regenerate the golden files and
 * review their diff:
 *	KUSKA_REGEN=1 build/test_svg
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svg.h"

#define GOLDEN KUSKA_TEST_DATA "/report/"

/* Runs write into memory and compares with (or, regenerating, writes)
 * the golden file; returns the text for more checks (caller frees). */
static char *
golden(const char *name, int (*write)(FILE *, const void *), const void *arg)
{
	char *buf = NULL, *want;
	size_t len = 0, wlen;
	FILE *f = open_memstream(&buf, &len);
	char path[512];

	assert_non_null(f);
	assert_int_equal(write(f, arg), 0);
	assert_int_equal(fclose(f), 0);
	snprintf(path, sizeof(path), "%s%s", GOLDEN, name);
	if (getenv("KUSKA_REGEN") != NULL) {
		f = fopen(path, "w");
		assert_non_null(f);
		fwrite(buf, 1, len, f);
		fclose(f);
		return buf;
	}
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("no golden file %s (KUSKA_REGEN=1 makes it)", path);
	want = malloc(len + 2);
	assert_non_null(want);
	wlen = fread(want, 1, len + 1, f);
	fclose(f);
	if (wlen != len || memcmp(want, buf, len) != 0)
		fail_msg("%s differs from the golden file (see the comment at "
			 "the top of test_svg.c)",
			 name);
	free(want);
	return buf;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

/* ---- bars --------------------------------------------------------------- */

static int
write_bars(FILE *f, const void *arg)
{
	return svg_bars(f, arg);
}

/* Referrals: a suppressed part, a suppressed whole, an empty median. */
static void
test_bars_suppressed_and_empty(void **state)
{
	struct svg_bar bars[] = {
	    {"PNP \u2192 MP", {SVG_NUM, 63}, {SVG_NUM, 49}, "median 6 d"},
	    {"MP \u2192 MIMP", {SVG_NUM, 31}, {SVG_HIDDEN, 0}, NULL},
	    {"MINSA \u2192 MIMP", {SVG_HIDDEN, 0}, {SVG_HIDDEN, 0}, NULL},
	    {"MIMP \u2192 PJ", {SVG_NUM, 0}, {SVG_NUM, 0}, NULL},
	};
	struct svg_bars c = {
	    .id = "ref",
	    .title = "Referrals & take-up <2025H2>",
	    .bars = bars,
	    .n = 4,
	    .has_part = true,
	    .legend_v = "sent",
	    .legend_part = "taken up",
	    .k = 10,
	    .counts = true,
	};
	char *s;

	(void)state;
	s = golden("bars.svg", write_bars, &c);
	/* Two bars of 63, 49 and one of 31: nothing drawn for the rest. */
	assert_int_equal(count(s, "<rect"), 3 + 2 /* legend */);
	assert_int_equal(count(s, "&lt;10"), 3);
	assert_non_null(strstr(s, "Referrals &amp; take-up &lt;2025H2&gt;"));
	assert_non_null(strstr(s, "data-kind=\"count\""));
	free(s);
}

/* A funnel with an absent value, and a unit. */
static void
test_funnel(void **state)
{
	struct svg_bar bars[] = {
	    {"Complaint", {SVG_NUM, 101}, {0, 0}, NULL},
	    {"Preliminary", {SVG_NUM, 76}, {0, 0}, "\u221224.8%"},
	    {"Formalised", {SVG_NUM, 18}, {0, 0}, "\u221276.3%"},
	    {"Accusation", {SVG_HIDDEN, 0}, {0, 0}, NULL},
	    {"Trial", {SVG_NONE, 0}, {0, 0}, NULL},
	};
	struct svg_bars c = {
	    .id = "funnel",
	    .title = "Funnel",
	    .bars = bars,
	    .n = 5,
	    .funnel = true,
	    .unit = " d",
	    .k = 5,
	};
	char *s;

	(void)state;
	s = golden("funnel.svg", write_bars, &c);
	assert_int_equal(count(s, "<rect"), 3);
	assert_non_null(strstr(s, "&lt;5</text>"));
	assert_non_null(strstr(s, "\u2013</text>"));
	assert_null(strstr(s, "data-kind"));
	free(s);
}

/* ---- UpSet -------------------------------------------------------------- */

static int
write_upset(FILE *f, const void *arg)
{
	return svg_upset(f, arg);
}

static void
test_upset(void **state)
{
	static const char *const sets[] = {"PNP", "MP", "MIMP"};
	struct svg_val set_size[] = {
	    {SVG_NUM, 156}, {SVG_NUM, 113}, {SVG_HIDDEN, 0}};
	unsigned members[] = {1, 2, 4, 3, 5, 6, 7};
	struct svg_val size[] = {{SVG_NUM, 70}, {SVG_NUM, 42},	 {SVG_NUM, 23},
				 {SVG_NUM, 20}, {SVG_HIDDEN, 0}, {SVG_NUM, 0},
				 {SVG_NONE, 0}};
	struct svg_upset c = {
	    .id = "ov",
	    .title = "Overlap",
	    .sets = sets,
	    .set_size = set_size,
	    .n_sets = 3,
	    .members = members,
	    .size = size,
	    .n = 7,
	    .set_heading = "Per institution",
	    .heading = "Per combination",
	    .k = 10,
	};
	char *s;

	(void)state;
	s = golden("upset.svg", write_upset, &c);
	/* Columns: 70, 42, 23, 20 drawn, then the hidden one; the zero and
	 * the absent one left out. Set bars: 156 and 113. Stripes: 2. */
	assert_int_equal(count(s, "class=\"bar\""), 4);
	assert_int_equal(count(s, "class=\"bar-light\""), 2);
	assert_int_equal(count(s, "dot-on"), 1 + 1 + 1 + 2 + 2);
	assert_int_equal(count(s, "&lt;10"), 2);
	free(s);
}

/* ---- trend, intervals --------------------------------------------------- */

/* c drawn, as a string the caller frees. */
static char *
trend_of(const struct svg_trend *c)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	assert_non_null(f);
	assert_int_equal(svg_trend(f, c), 0);
	assert_int_equal(fclose(f), 0);
	return s;
}

static int
write_trend(FILE *f, const void *arg)
{
	return svg_trend(f, arg);
}

static void
test_trend(void **state)
{
	static const char *const x[] = {"2024H1", "2024H2", "2025H1", "2025H2"};
	struct svg_val y[] = {
	    {SVG_NUM, 61.5}, {SVG_NUM, 63.25}, {SVG_NONE, 0}, {SVG_NUM, 64}};
	struct svg_trend c = {
	    .id = "tr",
	    .title = "Referrals to MIMP taken up",
	    .x = x,
	    .y = y,
	    .n = 4,
	    .baseline = {SVG_NUM, 61.5},
	    .target = {SVG_NUM, 62},
	    .baseline_label = "base",
	    .target_label = "target",
	    .unit = "%",
	    .max = 100,
	    .k = 10,
	};
	char *s;

	(void)state;
	s = golden("trend.svg", write_trend, &c);
	/* A gap where the value is absent: one segment, not two. */
	assert_int_equal(count(s, "class=\"trend\""), 1);
	assert_int_equal(count(s, "class=\"point\""), 3);
	/* Four points: only the last is labelled (the table has them). */
	assert_non_null(strstr(s, ">64%</text>"));
	assert_null(strstr(s, "63.25%"));
	free(s);
}

/* The x of each period named under a trend in s, into xs (at most max);
 * how many. */
static size_t
tick_xs(const char *s, double *xs, size_t max)
{
	static const char needle[] = "class=\"tick\" text-anchor=\"middle\"";
	const char *at, *t;
	size_t n = 0;

	for (at = s; n < max && (at = strstr(at, needle)) != NULL; at++) {
		for (t = at; t > s && strncmp(t, "<text", 5) != 0; t--)
			;
		t = strstr(t, " x=\"");
		assert_true(t != NULL && t < at);
		xs[n++] = strtod(t + 4, NULL);
	}
	return n;
}

/* With more periods than fit, the periods named under a trend keep their
 * spacing, the last (the report's) among them: six semesters named every
 * other one from the first put 2026H2 right beside 2026H1, one printed
 * over the other. */
static void
test_trend_periods_apart(void **state)
{
	static const char *const x[] = {"2024H1", "2024H2", "2025H1",
					"2025H2", "2026H1", "2026H2"};
	struct svg_val y[] = {{SVG_NUM, 20}, {SVG_NUM, 22}, {SVG_NUM, 25},
			      {SVG_NUM, 27}, {SVG_NUM, 26}, {SVG_NUM, 28}};
	struct svg_trend c = {
	    .id = "tr",
	    .title = "Mental-health care per 100 victims",
	    .x = x,
	    .y = y,
	    .baseline = {SVG_NUM, 40},
	    .target = {SVG_NUM, 70},
	    .baseline_label = "base",
	    .target_label = "target",
	    .max = 100,
	    .k = 10,
	};
	size_t n;

	(void)state;
	for (n = 1; n <= 6; n++) {
		char *s;
		size_t m, i;
		double xs[8];

		c.n = n;
		s = trend_of(&c);
		assert_non_null(strstr(s, x[n - 1]));
		m = tick_xs(s, xs, 8);
		assert_true(m >= 1);
		/* 44: the room a period's name is given (svg_trend). */
		for (i = 1; i < m; i++)
			assert_true(xs[i] - xs[i - 1] >= 44);
		free(s);
	}
}

/* The y of the <text> whose content is label, or -1. */
static double
label_y(const char *s, const char *label)
{
	char needle[64];
	const char *end, *y;

	snprintf(needle, sizeof(needle), ">%s</text>", label);
	end = strstr(s, needle);
	if (end == NULL)
		return -1;
	for (y = end; y > s && strncmp(y, "<text", 5) != 0; y--)
		;
	y = strstr(y, " y=\"");
	return y != NULL && y < end ? strtod(y + 4, NULL) : -1;
}

/* The last value's label never sits on the baseline's or the target's
 * label beside it: when the value is close to either, it moves, clear
 * of both by a line of text (12px), and stays inside the chart. */
static void
test_trend_labels_apart(void **state)
{
	static const char *const x[] = {"2024H2", "2025H1", "2025H2"};
	struct svg_val y[] = {{SVG_NUM, 30}, {SVG_NUM, 25}, {SVG_NUM, 19.14}};
	struct svg_trend c = {
	    .id = "tr",
	    .title = "Complaints formalized",
	    .x = x,
	    .y = y,
	    .n = 3,
	    .baseline = {SVG_NUM, 35},
	    .target = {SVG_NUM, 45},
	    .baseline_label = "base",
	    .target_label = "target",
	    .unit = "%",
	    .max = 100,
	    .k = 10,
	};
	static const double lows[] = {19.14, 33, 35, 37, 44, 46, 2, 0};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lows) / sizeof(lows[0]); i++) {
		char *s, v[16];
		double vy, by, ty;

		y[2].v = lows[i];
		/* the baseline near the bottom too, for the last two */
		c.baseline.v = i >= 6 ? 1 : 35;
		s = trend_of(&c);
		snprintf(v, sizeof(v), "%g%%", lows[i]);
		vy = label_y(s, v);
		by = label_y(s, c.baseline.v == 1 ? "base 1%" : "base 35%");
		ty = label_y(s, "target 45%");
		assert_true(vy > 0 && by > 0 && ty > 0);
		assert_true(fabs(vy - by) >= 12);
		assert_true(fabs(vy - ty) >= 12);
		assert_true(vy >= 12 && vy <= 170 - 30 + 2);
		free(s);
	}
}

static double attr_of(const char *s, const char *cls, const char *attr);

/* No value's label is struck through by the baseline's or the target's
 * line: 546 of a card's first year sat under the dashed line of a
 * target of 600 on a scale to 1,000 (walk56b). Its digits, from 9.5px
 * above its baseline to 1px below, are clear of both lines. */
static void
test_trend_labels_off_lines(void **state)
{
	static const char *const x[] = {"2024", "2025"};
	struct svg_val y[] = {{SVG_NUM, 546}, {SVG_NUM, 516}};
	struct svg_trend c = {
	    .id = "tr",
	    .title = "Presumed victims identified",
	    .x = x,
	    .y = y,
	    .n = 2,
	    .baseline = {SVG_NUM, 500},
	    .target = {SVG_NUM, 600},
	    .baseline_label = "base",
	    .target_label = "target",
	    .k = 10,
	};
	static const double firsts[] = {546, 560, 590, 600, 610, 470, 505};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++) {
		char *s, v[16];
		double lines[2];

		y[0].v = firsts[i];
		s = trend_of(&c);
		lines[0] = attr_of(s, "class=\"base\"", "y1");
		lines[1] = attr_of(s, "class=\"target\"", "y1");
		assert_false(isnan(lines[0]) || isnan(lines[1]));
		for (j = 0; j < 2; j++) {
			double vy, *l;
			snprintf(v, sizeof(v), "%g", y[j].v);
			vy = label_y(s, v);
			assert_true(vy >= 12 && vy <= 170 - 30 + 2);
			for (l = lines; l < lines + 2; l++)
				if (*l > vy - 9.5 && *l < vy + 1)
					fail_msg("%s at %.1f struck by a line "
						 "at %.1f",
						 v, vy, *l);
		}
		free(s);
	}
}

/* The x of the <text> whose content is label, or -1. */
static double
label_x(const char *s, const char *label)
{
	char needle[64];
	const char *end, *x;

	snprintf(needle, sizeof(needle), ">%s</text>", label);
	end = strstr(s, needle);
	if (end == NULL)
		return -1;
	for (x = end; x > s && strncmp(x, "<text", 5) != 0; x--)
		;
	x = strstr(x, " x=\"");
	return x != NULL && x < end ? strtod(x + 4, NULL) : -1;
}

/* A wide value on the first point of a short series (a rate over 100,
 * 179.97 on a scale to 200) stays clear of the scale's numbers at the
 * left: centred on its point it began where "200" ends, and the card
 * read "200179.97". */
static void
test_trend_first_label_clear(void **state)
{
	static const char *const x[] = {"2024", "2025"};
	struct svg_val y[] = {{SVG_NUM, 179.97}, {SVG_NUM, 175.33}};
	struct svg_trend c = {
	    .id = "tr",
	    .title = "Victims per 100 identified by PNP",
	    .x = x,
	    .y = y,
	    .n = 2,
	    .baseline = {SVG_NUM, 100},
	    .target = {SVG_NUM, 120},
	    .baseline_label = "base",
	    .target_label = "target",
	    .k = 10,
	};
	char *s;
	double vx, tx;

	(void)state;
	s = trend_of(&c);
	vx = label_x(s, "179.97");
	tx = label_x(s, "200"); /* the scale's top, anchored at its end */
	assert_true(vx > 0 && tx > 0);
	/* centred, 6 characters of at most 7.8px (svg.c's CHAR_W) each,
	 * and a gap of 6px past the end of "200" */
	assert_true(vx - 6 * 7.8 / 2 >= tx + 6);
	free(s);
}

/* The number after attr=" in the element of s that holds cls, or NAN. */
static double
attr_of(const char *s, const char *cls, const char *attr)
{
	char a[16];
	const char *at = strstr(s, cls), *t;

	if (at == NULL)
		return NAN;
	for (t = at; t > s && *t != '<'; t--)
		;
	snprintf(a, sizeof(a), " %s=\"", attr);
	t = strstr(t, a);
	return t != NULL && t < at ? strtod(t + strlen(a), NULL) : NAN;
}

/* A negative value (a median of days whose dates are out of order) is
 * drawn below the axis, on a scale that reaches below 0, not on the axis
 * as if it were 0; a scale of values none negative starts at 0. */
static void
test_trend_negative(void **state)
{
	static const char *const x[] = {"2025H1", "2025H2"};
	struct svg_val y[] = {{SVG_NUM, -16}, {SVG_NUM, 12}};
	struct svg_trend c = {
	    .id = "tr",
	    .title = "Median days from trial to sentence",
	    .x = x,
	    .y = y,
	    .n = 2,
	    .baseline = {SVG_NUM, 30},
	    .target = {SVG_NUM, 20},
	    .baseline_label = "base",
	    .target_label = "target",
	    .unit = " d",
	    .k = 10,
	};
	char *s;
	double axis, first;

	(void)state;
	s = trend_of(&c);
	axis = attr_of(s, "class=\"axis\"", "y1");
	first = attr_of(s, "class=\"point\"", "cy");
	assert_false(isnan(axis) || isnan(first));
	assert_true(first > axis + 10); /* below it, by far more than a hair */
	/* The scale's bottom, named with the tables' minus sign. */
	assert_non_null(strstr(s, ">\u221220</text>"));
	free(s);
	/* Under a scale to 500, the bottom's number would print over the
	 * 0: its line is drawn, unnamed. */
	y[1].v = 480;
	s = trend_of(&c);
	assert_true(attr_of(s, "class=\"point\"", "cy") >
		    attr_of(s, "class=\"axis\"", "y1"));
	assert_null(strstr(s, ">\u221220</text>"));
	assert_int_equal(count(s, "class=\"grid\""), 2);
	free(s);
	y[0].v = 16;
	y[1].v = 12;
	s = trend_of(&c);
	assert_null(strstr(s, "\u2212"));
	free(s);
}

static int
write_intervals(FILE *f, const void *arg)
{
	return svg_intervals(f, arg);
}

static void
test_intervals(void **state)
{
	struct svg_interval rows[] = {
	    {"main",
	     {SVG_NUM, 275},
	     {SVG_NUM, 512},
	     {SVG_NUM, 431},
	     {SVG_NUM, 622}},
	    {"stepwise",
	     {SVG_NUM, 275},
	     {SVG_NUM, 468.4},
	     {SVG_NONE, 0},
	     {SVG_NONE, 0}},
	    {"none",
	     {SVG_NUM, 275},
	     {SVG_NONE, 0},
	     {SVG_NONE, 0},
	     {SVG_NONE, 0}},
	};
	struct svg_intervals c = {
	    .id = "est",
	    .title = "Estimate",
	    .rows = rows,
	    .n = 3,
	    .legend_observed = "observed",
	    .legend_estimate = "estimate and 95% interval",
	    .k = 10,
	};
	char *s;

	(void)state;
	s = golden("intervals.svg", write_intervals, &c);
	assert_int_equal(count(s, "class=\"whisker\""), 3);
	assert_int_equal(count(s, "class=\"point\""), 1 + 2);
	free(s);
}

/*
 * An interval with no upper limit: its whisker runs from the low cap past
 * the scale's last tick and ends in an arrow there (it goes on), with no
 * cap; its label, clear of the arrow, ends in "\u221e".
 */
static void
test_intervals_unbounded(void **state)
{
	struct svg_interval rows[] = {
	    {"bootstrap",
	     {SVG_NUM, 275},
	     {SVG_NUM, 400},
	     {SVG_NUM, 300},
	     {SVG_NONE, 0},
	     true},
	};
	struct svg_intervals c = {
	    .id = "est",
	    .title = "Estimate",
	    .rows = rows,
	    .n = 1,
	    .legend_observed = "observed",
	    .legend_estimate = "estimate and 95% interval",
	    .k = 10,
	};
	char *s = NULL, *p, *tick = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	double tick_x = 0, tip_x = 0, line_x2 = 0, label_x = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(svg_intervals(f, &c), 0);
	assert_int_equal(fclose(f), 0);
	/* The last tick: the scale's end. */
	for (p = s; (p = strstr(p, "class=\"tick\"")) != NULL; p++)
		tick = p;
	assert_non_null(tick);
	while (tick > s && strncmp(tick, "<text", 5) != 0)
		tick--;
	assert_int_equal(sscanf(tick, "<text x=\"%lf\"", &tick_x), 1);
	assert_int_equal(count(s, "class=\"whisker\""), 2); /* no high cap */
	assert_int_equal(count(s, "class=\"arrow\""), 1);
	p = strstr(s, "<line");
	assert_non_null(p);
	assert_int_equal(
	    sscanf(p, "<line x1=\"%*f\" y1=\"%*f\" x2=\"%lf\"", &line_x2), 1);
	p = strstr(s, "<polygon points=\"");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "<polygon points=\"%lf,", &tip_x), 1);
	assert_true(line_x2 >= tick_x);
	assert_true(tip_x > tick_x);
	p = strstr(s, "400 (300\u2013\u221e)</text>");
	assert_non_null(p);
	while (p > s && strncmp(p, "<text", 5) != 0)
		p--;
	assert_int_equal(sscanf(p, "<text x=\"%lf\"", &label_x), 1);
	assert_true(label_x > tip_x);
	free(s);
}

static void
test_value_text(void **state)
{
	char b[48];

	(void)state;
	assert_string_equal(svg_value_text(svg_num(61.5), "%", 10, b, 48),
			    "61.5%");
	assert_string_equal(svg_value_text(svg_num(12), " d", 10, b, 48),
			    "12 d");
	assert_string_equal(svg_value_text(svg_num(0.126), NULL, 10, b, 48),
			    "0.13");
	assert_string_equal(svg_value_text(svg_num(-0.001), NULL, 10, b, 48),
			    "0");
	assert_string_equal(svg_value_text(svg_hidden(), "%", 10, b, 48),
			    "<10");
	assert_string_equal(svg_value_text(svg_none(), "%", 10, b, 48),
			    "\u2013");
	/* With its table's decimals: "16.0" there reads "16.0%" here, not
	 * "16%"; "1.20" not "1.2". */
	assert_string_equal(svg_value_text(svg_num_dp(16, 1), "%", 10, b, 48),
			    "16.0%");
	assert_string_equal(svg_value_text(svg_num_dp(1.2, 2), NULL, 10, b, 48),
			    "1.20");
	assert_string_equal(svg_value_text(svg_num_dp(7, 0), " d", 10, b, 48),
			    "7 d");
	assert_string_equal(
	    svg_value_text(svg_num_dp(-0.001, 1), NULL, 10, b, 48), "0.0");
	/* A negative number has the minus sign the tables write, not a
	 * hyphen: a median of days whose stages were dated out of order. */
	assert_string_equal(svg_value_text(svg_num(-3), " d", 10, b, 48),
			    "\u22123 d");
	assert_string_equal(
	    svg_value_text(svg_num_dp(-0.25, 2), NULL, 10, b, 48),
	    "\u22120.25");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bars_suppressed_and_empty),
	    cmocka_unit_test(test_funnel),
	    cmocka_unit_test(test_upset),
	    cmocka_unit_test(test_trend),
	    cmocka_unit_test(test_trend_labels_apart),
	    cmocka_unit_test(test_trend_labels_off_lines),
	    cmocka_unit_test(test_trend_first_label_clear),
	    cmocka_unit_test(test_trend_negative),
	    cmocka_unit_test(test_trend_periods_apart),
	    cmocka_unit_test(test_intervals),
	    cmocka_unit_test(test_intervals_unbounded),
	    cmocka_unit_test(test_value_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
