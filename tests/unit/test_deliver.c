/*
 * test_deliver.c - the node's reading of the answers to its refusals
 * asked (deliver_refusals_answer): a piece and the next, the last piece,
 * nothing more held, and the duplicate answer to an ask sent twice, which
 * must not end the chain before the answer to the ask under way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "deliver.h"

/* Asked from 11, acknowledged 5000, the consolidator holding 5000. */
static void
test_continuation(void **state)
{
	uint64_t next = 99;

	(void)state;
	assert_int_equal(deliver_refusals_answer(11, 1034, 5000, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 1035);
	/* A piece of one sequence still moves on. */
	assert_int_equal(deliver_refusals_answer(11, 11, 5000, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 12);
}

static void
test_done(void **state)
{
	uint64_t next = 99;

	(void)state;
	assert_int_equal(deliver_refusals_answer(1035, 5000, 5000, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 0);
	/* Looked past the acknowledged sequence: all known. */
	next = 99;
	assert_int_equal(deliver_refusals_answer(1035, 6000, 6000, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 0);
	/* Nothing held from there (a consolidator behind): ends. */
	next = 99;
	assert_int_equal(deliver_refusals_answer(1035, 900, 900, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 0);
}

/*
 * The ask from 11 sent twice (a Welcome after an Ack time-out): the first
 * answer moved the node to 1035 and asked from there; the second, the
 * same piece, is stale and must leave that ask alone.
 */
static void
test_stale_duplicate(void **state)
{
	uint64_t next = 99;

	(void)state;
	assert_int_equal(deliver_refusals_answer(1035, 1034, 5000, 5000, &next),
			 REFUSALS_STALE);
	assert_int_equal(next, 99);
	assert_int_equal(deliver_refusals_answer(1035, 1, 1035, 5000, &next),
			 REFUSALS_STALE);
	assert_int_equal(next, 99);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_continuation),
	    cmocka_unit_test(test_done),
	    cmocka_unit_test(test_stale_duplicate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
