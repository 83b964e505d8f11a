/*
 * test_html.c - the HTML of kuska report (html.h): escaping of text and
 * attributes, cells as the report shows them, and a table of a query
 * answer with suppressed and empty cells against a golden file in
 * tests/data/report/.
 *
 * After an intended change to the tables, regenerate the golden file and
 * review its diff:
 *	KUSKA_REGEN=1 build/test_html
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"
#include "report_fixture.h"

#define GOLDEN KUSKA_TEST_DATA "/report/"

static char *
escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	html_escape(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"", ""},
	    {"plain", "plain"},
	    {"<10", "&lt;10"},
	    {"a & b", "a &amp; b"},
	    {"\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"},
	    {"<script>alert(1)</script>",
	     "&lt;script&gt;alert(1)&lt;/script&gt;"},
	    {"&amp;", "&amp;amp;"},
	    /* UTF-8 passes through untouched. */
	    {"Ñahui Ch\u2019aska \u00abmeta\u00bb \u2013",
	     "Ñahui Ch\u2019aska \u00abmeta\u00bb \u2013"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = escaped(cases[i].in);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	/* NULL writes nothing. */
	{
		char *s = escaped(NULL);
		assert_string_equal(s, "");
		free(s);
	}
}

static void
test_cell_text(void **state)
{
	struct cell c;
	char b[64];

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_string_equal(html_cell_text(&c, 10, b, sizeof(b)), "\u2013");
	c.kind = CELL_SUPPRESSED;
	assert_string_equal(html_cell_text(&c, 10, b, sizeof(b)), "<10");
	assert_string_equal(html_cell_text(&c, 5, b, sizeof(b)), "<5");
	c.kind = CELL_NUMBER;
	c.number = -3;
	assert_string_equal(html_cell_text(&c, 10, b, sizeof(b)), "-3");
	c.kind = CELL_DECIMAL;
	snprintf(c.text, sizeof(c.text), "0.248");
	assert_string_equal(html_cell_text(&c, 10, b, sizeof(b)), "0.248");
	c.kind = CELL_TEXT;
	c.text[0] = '\0';
	assert_string_equal(html_cell_text(&c, 10, b, sizeof(b)), "\u2013");
}

/* A count of five digits or more in groups of three; fewer, or no
 * separator, as they are. */
static void
test_group(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(html_group(34122220, ",", b, sizeof(b)),
			    "34,122,220");
	assert_string_equal(html_group(5012345, "\u00a0", b, sizeof(b)),
			    "5\u00a0012\u00a0345");
	assert_string_equal(html_group(10000, ",", b, sizeof(b)), "10,000");
	assert_string_equal(html_group(123456, ",", b, sizeof(b)), "123,456");
	assert_string_equal(html_group(-12345, ",", b, sizeof(b)), "-12,345");
	assert_string_equal(html_group(9999, ",", b, sizeof(b)), "9999");
	assert_string_equal(html_group(0, ",", b, sizeof(b)), "0");
	assert_string_equal(html_group(34122220, NULL, b, sizeof(b)),
			    "34122220");
	/* Cut to the room there is, never past it. */
	assert_string_equal(html_group(34122220, ",", b, 6), "34,12");
	/* The most negative count has no positive twin: its digits are
	 * taken unsigned, not negated (one minus sign, not two). */
	assert_string_equal(html_group(LLONG_MIN, ",", b, sizeof(b)),
			    "-9,223,372,036,854,775,808");
}

static const char *
upper(const char *col, const char *value)
{
	static char b[64];
	size_t i;

	(void)col;
	for (i = 0; value[i] && i + 1 < sizeof(b); i++)
		b[i] = (char)(value[i] >= 'a' && value[i] <= 'z' ? value[i] - 32
								 : value[i]);
	b[i] = '\0';
	return b;
}

static bool
not_second(const struct qtable *t, size_t row)
{
	(void)t;
	return row != 1;
}

/* A referrals answer as the secretariat gets it, and an indicators one
 * with words shown through a function and a badge. */
static void
test_table_golden(void **state)
{
	static const char *const referrals[] = {
	    "2025H2,pnp,mp,63,49,14,6",	     "2025H2,mp,pj,<10,<10,0,",
	    "2025H2,mp,mimp,31,<10,<10,",    "2025H2,mimp,minsa,0,0,0,",
	    "2025H2,pnp,mimp&co,75,48,27,6", NULL};
	static const char *const ind[] = {
	    "a,Take-up <MIMP>,yes,percent,64.5,limited",
	    "b,hidden row,no,count,1,on_track",
	    "c,Withheld,yes,count,,suppressed", NULL};
	static const struct html_col rcols[] = {
	    {"from", "From", HTML_LABEL},
	    {"to", "To", HTML_WORD},
	    {"sent", "Sent", HTML_VALUE},
	    {"taken_up", "Taken up", HTML_VALUE},
	    {"pending", "Pending", HTML_VALUE},
	    {"median_days", "Median (days)", HTML_VALUE},
	    {"not_in_answer", "Left out", HTML_VALUE},
	};
	static const struct html_col icols[] = {
	    {"name", "Indicator", HTML_LABEL},
	    {"value", "Value", HTML_VALUE},
	    {"unit", "Unit", HTML_WORD},
	    {"status", "Status", HTML_BADGE},
	};
	struct qtable rt, it;
	struct html_table ht;
	char *buf = NULL, *want;
	size_t len = 0, wlen;
	FILE *f = open_memstream(&buf, &len);
	char path[512];

	(void)state;
	fixture_table(&rt, "secretariat", 10,
		      "period,from,to,sent,taken_up,pending,median_days",
		      referrals);
	fixture_table(&it, "secretariat", 10,
		      "indicator,name,key,unit,value,status", ind);
	memset(&ht, 0, sizeof(ht));
	ht.t = &rt;
	ht.table = "referrals";
	ht.period = "2025H2";
	ht.caption = "Numbers of figure 3 & more";
	ht.cols = rcols;
	ht.n_cols = sizeof(rcols) / sizeof(rcols[0]);
	ht.word = upper;
	assert_int_equal(html_table(f, &ht), 0);
	memset(&ht, 0, sizeof(ht));
	ht.t = &it;
	ht.table = "indicators";
	ht.period = "2025H2";
	ht.cols = icols;
	ht.n_cols = sizeof(icols) / sizeof(icols[0]);
	ht.word = upper;
	ht.keep = not_second;
	assert_int_equal(html_table(f, &ht), 0);
	assert_int_equal(fclose(f), 0);
	codec_qtable_clear(&rt);
	codec_qtable_clear(&it);

	snprintf(path, sizeof(path), "%stable.html", GOLDEN);
	if (getenv("KUSKA_REGEN") != NULL) {
		f = fopen(path, "w");
		assert_non_null(f);
		fwrite(buf, 1, len, f);
		fclose(f);
	} else {
		f = fopen(path, "r");
		if (f == NULL)
			fail_msg("no golden file %s (KUSKA_REGEN=1 makes it)",
				 path);
		want = malloc(len + 2);
		assert_non_null(want);
		wlen = fread(want, 1, len + 1, f);
		fclose(f);
		if (wlen != len || memcmp(want, buf, len) != 0)
			fail_msg("table.html differs from the golden file "
				 "(see the top of test_html.c)");
		free(want);
	}
	/* Suppressed cells are "<10", marked, and tied to their cell. */
	assert_non_null(strstr(buf, "<td class=\"sup\" data-q=\"referrals "
				    "2025H2 1 sent\">&lt;10</td>"));
	/* Empty ones a dash, marked too. */
	assert_non_null(strstr(buf, "<td class=\"na\" data-q=\"referrals "
				    "2025H2 1 median_days\">\u2013</td>"));
	/* Words through the function, the raw word kept. */
	assert_non_null(strstr(buf, "data-v=\"mimp&amp;co\">MIMP&amp;CO</td>"));
	assert_null(strstr(buf, "Left out"));
	assert_null(strstr(buf, "hidden row"));
	assert_non_null(strstr(buf, "<span class=\"badge b-limited\">"
				    "LIMITED</span>"));
	assert_non_null(strstr(buf, "TAKE-UP &lt;MIMP&gt;"));
	free(buf);
}

/* A negative value reads the charts' minus sign, its text in data-v
 * for what reads the table back; a positive one as it is. */
static void
test_negative(void **state)
{
	static const char *const rows[] = {"a,Progress,-0.464", "b,Change,-12",
					   "c,Value,0.5", NULL};
	static const struct html_col cols[] = {
	    {"name", "Indicator", HTML_LABEL},
	    {"value", "Value", HTML_VALUE},
	};
	struct qtable t;
	struct html_table ht;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	fixture_table(&t, "secretariat", 10, "indicator,name,value", rows);
	memset(&ht, 0, sizeof(ht));
	ht.t = &t;
	ht.table = "indicators";
	ht.period = "2025";
	ht.cols = cols;
	ht.n_cols = sizeof(cols) / sizeof(cols[0]);
	assert_int_equal(html_table(f, &ht), 0);
	assert_int_equal(fclose(f), 0);
	codec_qtable_clear(&t);
	assert_non_null(strstr(buf, "data-v=\"-0.464\">\u22120.464</td>"));
	assert_non_null(strstr(buf, "data-v=\"-12\">\u221212</td>"));
	assert_non_null(strstr(buf, ">0.5</td>"));
	assert_null(strstr(buf, ">-"));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_cell_text),
	    cmocka_unit_test(test_group),
	    cmocka_unit_test(test_table_golden),
	    cmocka_unit_test(test_negative),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
