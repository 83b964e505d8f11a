/*
 * test_deliver.c - the node's reading of the answers to its refusals
 * asked (deliver_refusals_answer): a piece and the next, the last piece,
 * nothing more held, and the duplicate answer to an ask sent twice, which
 * must not end the chain before the answer to the ask under way; and
 * which sequences a recorded answer speaks for all of
 * (deliver_refusals_covered), where a dead letter it does not name was
 * accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
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

static void
test_covered(void **state)
{
	uint64_t first = 99, last = 99;

	(void)state;
	/* A piece: from where asked to where the consolidator stopped. */
	deliver_refusals_covered(11, 1034, 5000, true, &first, &last);
	assert_int_equal(first, 11);
	assert_int_equal(last, 1034);
	/* Never past what the node holds acknowledged. */
	deliver_refusals_covered(11, 6000, 5000, true, &first, &last);
	assert_int_equal(first, 11);
	assert_int_equal(last, 5000);
	/* Nothing held from there, or only a guess: none. */
	deliver_refusals_covered(1035, 1034, 5000, true, &first, &last);
	assert_int_equal(first, 0);
	deliver_refusals_covered(11, 5000, 5000, false, &first, &last);
	assert_int_equal(first, 0);
	deliver_refusals_covered(0, 5000, 5000, true, &first, &last);
	assert_int_equal(first, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_continuation),
	    cmocka_unit_test(test_done),
	    cmocka_unit_test(test_stale_duplicate),
	    cmocka_unit_test(test_covered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
