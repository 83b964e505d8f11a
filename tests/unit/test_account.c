/*
 * test_account.c - the key holder's per-node allowances (account.h): a
 * full day's worth at first, a request over what is left refused whole
 * and taking nothing, a continuous refill capped at one day's worth, and
 * a lowered rate capping what was saved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "account.h"

#define DAY_MS 86400000ull

static void
test_allowance(void **state)
{
	static struct accounts as;
	struct account *a, *b;

	(void)state;
	a = account_of(&as, "pnp", 1000, 5);
	assert_non_null(a);
	assert_string_equal(a->id, "pnp");
	assert_ptr_equal(account_of(&as, "pnp", 1000, 5), a);
	assert_int_equal(account_left(a, 1000, 5), 1000);
	assert_true(account_take(a, 1000, 600, 5));
	assert_int_equal(account_left(a, 1000, 5), 400);
	/* More than is left: refused whole, nothing taken. */
	assert_false(account_take(a, 1000, 401, 5));
	assert_int_equal(account_left(a, 1000, 5), 400);
	assert_true(account_take(a, 1000, 400, 5));
	assert_false(account_take(a, 1000, 1, 5));
	/* A tenth of a day gives back a tenth of the rate. */
	assert_int_equal(account_left(a, 1000, 5 + DAY_MS / 10), 100);
	/* Never more than one day's worth, however long it waits. */
	assert_int_equal(account_left(a, 1000, 5 + 7 * DAY_MS), 1000);
	assert_false(account_take(a, 1000, 1001, 5 + 7 * DAY_MS));
	/* A lower rate (a reload) caps what was saved. */
	assert_int_equal(account_left(a, 10, 5 + 7 * DAY_MS), 10);
	/* Each node its own account. */
	b = account_of(&as, "mimp", 1000, 0);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(account_left(b, 1000, 0), 1000);
	assert_int_equal(as.n, 2);
}

/* No more accounts than a registry may list parties. */
static void
test_full(void **state)
{
	static struct accounts as;
	char id[16];
	size_t i;

	(void)state;
	for (i = 0; i < ACCOUNT_MAX; i++) {
		snprintf(id, sizeof(id), "n%zu", i);
		assert_non_null(account_of(&as, id, 10, 0));
	}
	assert_null(account_of(&as, "one-more", 10, 0));
	assert_non_null(account_of(&as, "n3", 10, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_allowance),
	    cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
