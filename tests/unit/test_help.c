/* test_help.c - the help table and the command-line check (help.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "help.h"
#include "region.h"

/* Runs help_handle on a NULL-ended list of words; returns the exit code,
 * or -1 when the command would run. */
static int
run(const char *prog, const char *name, ...)
{
	char *argv[16];
	const char *w;
	va_list ap;
	int argc = 1, code = -1;

	argv[0] = (char *)(name ? name : prog);
	va_start(ap, name);
	while ((w = va_arg(ap, const char *)) != NULL && argc < 15)
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	if (!help_handle(prog, name, argc, argv, &code))
		return -1;
	return code;
}

/* Every entry is well formed: the things a new one could get wrong. */
static void
test_help_table(void **state)
{
	const struct help_cmd *c;
	size_t i, j, n;

	(void)state;
	for (c = help_table; c->prog != NULL; c++) {
		assert_non_null(c->synopsis);
		assert_non_null(c->summary);
		/* "kuska help" shows it after a 12-column name. */
		assert_true(strlen(c->summary) <= 66);
		assert_true(c->summary[strlen(c->summary) - 1] != '.');
		assert_true(c->max_args == HELP_ANY ||
			    c->max_args >= c->min_args);
		assert_ptr_equal(help_find(c->prog, c->name), c);
		for (n = 0; c->opts != NULL && c->opts[n].text != NULL; n++)
			assert_true(c->opts[n].short_name != 0 ||
				    c->opts[n].long_name != NULL);
		assert_true(n < 31);
		/* What it lacks is not one of its options. */
		for (j = 0; c->lacks != NULL && c->lacks[j].text != NULL; j++)
			for (i = 0; i < n; i++)
				assert_true(c->opts[i].long_name == NULL ||
					    strcmp(c->opts[i].long_name,
						   c->lacks[j].term) != 0);
		for (i = 0; i < n; i++) {
			assert_true(c->opts[i].short_name != 'h');
			assert_true(c->opts[i].long_name == NULL ||
				    strcmp(c->opts[i].long_name, "help") != 0);
			for (j = i + 1; j < n; j++) {
				const struct help_opt *a = &c->opts[i],
						      *b = &c->opts[j];
				assert_false(a->short_name &&
					     a->short_name == b->short_name);
				assert_false(
				    a->long_name && b->long_name &&
				    strcmp(a->long_name, b->long_name) == 0);
			}
		}
	}
	assert_null(help_find("kuska", "nosuch"));
	assert_non_null(help_find("kuska-node", NULL));
}

/* kuska query's tables are read from its help: the section is there,
 * and a section nobody has is NULL. */
static void
test_help_items(void **state)
{
	const struct help_cmd *q = help_find("kuska", "query");
	const struct help_item *t;

	(void)state;
	t = help_items(q, "Tables");
	assert_non_null(t);
	assert_string_equal(t[0].term, "identification");
	assert_null(help_items(q, "Nosuch"));
	/* kuska submit --help says how a record sent is changed. */
	t = help_items(help_find("kuska", "submit"),
		       "Records sent before (docs/INPUT.md sections 7 and 8)");
	assert_non_null(t);
	assert_string_equal(t[1].term, "to change one");
	assert_non_null(
	    help_items(help_find("kuska", "submit"), "Exit status"));
	assert_null(help_items(help_find("kuska", "estimate"), "Tables"));
	/* kuska query exits 3 past its 5 minutes of asking again as
	 * kuska report does (busy57 told only kuska help report). */
	t = help_items(help_find("kuska", "query"), "Exit status");
	assert_non_null(t);
	assert_string_equal(t[2].term, "3");
	assert_non_null(strstr(t[2].text, "past 5 minutes of asking again"));
	t = help_items(help_find("kuska", "report"), "Exit status");
	assert_non_null(t);
	assert_string_equal(t[3].term, "3");
}

/* The regions kuska query and kuska report list (and the completion
 * offers for --region) are region.c's, code and name, in order. */
static void
test_help_regions(void **state)
{
	static const char *const cmds[] = {"query", "report"};
	const struct help_item *t;
	uint32_t code;
	size_t c, i;

	(void)state;
	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		t = help_items(help_find("kuska", cmds[c]), "Regions");
		assert_non_null(t);
		for (i = 0; t[i].term != NULL; i++) {
			assert_int_equal(region_parse(t[i].term, &code), 0);
			assert_int_equal(code, i + 1);
			assert_string_equal(t[i].text, region_name(code));
		}
		assert_int_equal(i, REGION_COUNT);
	}
}

static void
test_help_accepts(void **state)
{
	(void)state;
	assert_int_equal(run("kuska", "submit", "-c", "n.conf", "a", "-", NULL),
			 -1);
	assert_int_equal(run("kuska", "submit", "a", "-cn.conf", NULL), -1);
	assert_int_equal(run("kuska-node", NULL, "-dnc", "n.conf", NULL), -1);
	assert_int_equal(run("kuska", "query", "-c", "c", "funnel",
			     "--period=2026", "-fcsv", "--form", "json", NULL),
			 -1);
	/* A value may start with a dash; "--" ends the options. */
	assert_int_equal(
	    run("kuska", "estimate", "--seed", "-1", "--", "-x.csv", NULL), -1);
}

static void
test_help_refuses(void **state)
{
	(void)state;
	assert_int_equal(run("kuska", "submit", "--frobnicate", NULL), 2);
	assert_int_equal(run("kuska", "submit", "-c", NULL), 2);
	assert_int_equal(run("kuska", "submit", "x", NULL), 2);
	assert_int_equal(run("kuska", "submit", "-c", "n", NULL), 2);
	assert_int_equal(run("kuska", "status", "-c", "n", "--", "-x", NULL),
			 2);
	assert_int_equal(
	    run("kuska", "query", "-c", "c", "t", "--format=", NULL), 2);
	assert_int_equal(run("kuska", "query", "-c", "c", "t", "-fxml", NULL),
			 2);
	assert_int_equal(run("kuska", "query", "-c", "c", "t", "--", NULL), -1);
	assert_int_equal(
	    run("kuska-consolidator", NULL, "--audit=1", "-c", "f", NULL), 2);
	assert_int_equal(run("kuska-node", NULL, "-dxc", "f", NULL), 2);
	assert_int_equal(run("kuska", "sim", "--", NULL), 2);
	assert_int_equal(run("kuska", "nosuch", NULL), 70);
	/* An option a command lacks but its users try: refused, saying
	 * what to do instead (test_help.sh reads the words). */
	assert_non_null(help_find("kuska", "report")->lacks);
	assert_int_equal(run("kuska", "report", "-c", "c", "--period", "2025",
			     "--format", "csv", NULL),
			 2);
	assert_int_equal(run("kuska", "report", "--format=csv", NULL), 2);
	/* A region's report is one of its options now (it lacked it). */
	assert_int_equal(run("kuska", "report", "-c", "c", "--period", "2025",
			     "--region", "16", NULL),
			 -1);
	assert_int_equal(run("kuska", "report", "-c", "c", "--period", "2025",
			     "-r", "16", NULL),
			 -1);
}

static void
test_help_help(void **state)
{
	(void)state;
	assert_int_equal(run("kuska", "submit", "--help", NULL), 0);
	assert_int_equal(run("kuska", "submit", "--he", NULL), 0);
	assert_int_equal(run("kuska-node", NULL, "-h", NULL), 0);
	/* An error before --help wins. */
	assert_int_equal(run("kuska", "submit", "-x", "--help", NULL), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_help_table),
	    cmocka_unit_test(test_help_items),
	    cmocka_unit_test(test_help_regions),
	    cmocka_unit_test(test_help_accepts),
	    cmocka_unit_test(test_help_refuses),
	    cmocka_unit_test(test_help_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
