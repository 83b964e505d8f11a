/*
 * test_dead_advice.c - what kuska status says to do of the dead letters
 * it lists (client/dead_advice.h): a line for each kind of refusal
 * among them, bad_target and too_large included (refs50).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dead_advice.h"

/* The advice for dead letters of the n reasons given, as printed. */
static char *
advice(const enum reason *why, size_t n)
{
	struct dead_letter dead[4];
	struct node_status s;
	char *out = NULL;
	size_t len = 0, i;
	FILE *f;

	memset(&s, 0, sizeof(s));
	memset(dead, 0, sizeof(dead));
	assert_true(n <= 4);
	for (i = 0; i < n; i++)
		dead[i].reason = why[i];
	s.dead = dead;
	s.n_dead = n;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	dead_advice_print(f, &s);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void
test_bad_target(void **state)
{
	static const enum reason why[] = {REASON_BAD_TARGET};
	char *out = advice(why, 1);

	(void)state;
	assert_string_equal(
	    out, "    (a correction or withdrawal refused bad_target names a "
		 "record the consolidator does not hold: it changed nothing; "
		 "that record counts nowhere: fix it and send it as a new "
		 "record with a new ref; docs/INPUT.md section 9)\n");
	free(out);
}

static void
test_too_large(void **state)
{
	static const enum reason why[] = {REASON_TOO_LARGE, REASON_TOO_LARGE};
	char *out = advice(why, 2);

	(void)state;
	assert_string_equal(
	    out, "    (one refused too_large would give its child or case "
		 "more records than the consolidator takes: a record so "
		 "refused counts nowhere and a correction leaves the record "
		 "counting as it was; look for a case system sending one "
		 "record again and again under new refs and withdraw the "
		 "copies; a real history is the operators' to take again once "
		 "the cap is raised, --refetch: docs/OPERATIONS.md section "
		 "4)\n");
	free(out);
}

/* Each kind once, in a fixed order; none listed, nothing. */
static void
test_mixed(void **state)
{
	static const enum reason why[] = {REASON_TOO_LARGE, REASON_BAD_EVENT,
					  REASON_BAD_TARGET, REASON_BAD_EVENT};
	char *out = advice(why, 4);
	const char *c, *t, *l;

	(void)state;
	c = strstr(out, "(a record refused for its content");
	t = strstr(out, "refused bad_target");
	l = strstr(out, "refused too_large");
	assert_non_null(c);
	assert_non_null(t);
	assert_non_null(l);
	assert_true(c < t && t < l);
	assert_null(strstr(out, "network or envelope"));
	free(out);
	out = advice(why, 0);
	assert_string_equal(out, "");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_target),
	    cmocka_unit_test(test_too_large),
	    cmocka_unit_test(test_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
