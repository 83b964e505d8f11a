/*
 * test_status_unmatched.c - what kuska status says of a node's take-ups
 * that match no referral record of their sender
 * (client/status_unmatched.h): nothing from an older node; not known,
 * and why; the count, and one line each with its ref (none where the
 * node withholds it, escaped where it has control characters), sender,
 * date and quarter; how many more; and when status asks the node again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "status_print.h"
#include "date.h"
#include "status_unmatched.h"

/* What status prints of s's unmatched take-ups. */
static char *
printed(const struct node_status *s)
{
	return status_printed(status_unmatched_print, s);
}

static void
test_unknown(void **state)
{
	struct node_status s;
	char *out;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.now_ms = 1767225600000ull;
	out = printed(&s);
	assert_string_equal(out, ""); /* an older node */
	free(out);
	s.has_unmatched = true;
	out = printed(&s);
	assert_non_null(strstr(out, "unmatched take-ups:     not known yet"));
	free(out);
	s.unmatched_unsaid = true;
	out = printed(&s);
	assert_non_null(strstr(out, "not known (the consolidator does not "
				    "say them: older than this node, or its "
				    "counts not loaded)\n"));
	free(out);
}

static void
test_listed(void **state)
{
	struct unmatched u[2];
	struct node_status s;
	char *out;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(u, 0, sizeof(u));
	s.has_unmatched = true;
	s.now_ms = 1767225600000ull;
	s.unmatched_ms = s.now_ms - 3000;
	out = printed(&s);
	assert_string_equal(out, "  unmatched take-ups:     0 (no referral "
				 "record of their sender matches them, as "
				 "the consolidator said 3 s ago)\n");
	free(out);

	u[0] = (struct unmatched){.seq = 3,
				  .from = INST_PNP,
				  .date = date_from_ymd(2026, 1, 2),
				  .counted_date = date_from_ymd(2025, 12, 30)};
	snprintf(u[0].ref, sizeof(u[0].ref), "MIMP-RR-3\x1b[2J");
	u[1] = (struct unmatched){.seq = 9,
				  .from = INST_MP,
				  .date = date_from_ymd(2026, 4, 1),
				  .counted_date = date_from_ymd(2026, 4, 1)};
	s.unmatched = u;
	s.n_unmatched = 2;
	s.unmatched_total = 5;
	out = printed(&s);
	assert_non_null(strstr(out, "  unmatched take-ups:     5 ("));
	assert_non_null(strstr(out, "    seq 3 ref MIMP-RR-3\\x1b[2J: from "
				    "pnp, taken up 2026-01-02, counted in "
				    "2025Q4\n"));
	assert_non_null(strstr(out, "    seq 9 (its ref not shown): from mp, "
				    "taken up 2026-04-01, counted in "
				    "2026Q2\n"));
	assert_non_null(strstr(out, "    (3 more, later)\n"));
	assert_non_null(strstr(out, "until its sender's referral of the same "
				    "number arrives"));
	assert_null(strchr(out, '\x1b'));
	free(out);
}

/* Asked again while the list is older than the node lets pass and the
 * node is asking for a newer one. */
static void
test_stale(void **state)
{
	struct node_status s;
	uint64_t now = 1767225600000ull;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_false(status_unmatched_stale(&s, now)); /* an older node */
	s.has_unmatched = true;
	/* Not asking: not connected, or batches in flight. */
	assert_false(status_unmatched_stale(&s, now));
	s.unmatched_asking = true;
	assert_true(status_unmatched_stale(&s, now)); /* never said */
	s.unmatched_ms = now - STATUS_UNMATCHED_FRESH_MS - 1;
	assert_true(status_unmatched_stale(&s, now));
	s.unmatched_ms = now - STATUS_UNMATCHED_FRESH_MS;
	assert_false(status_unmatched_stale(&s, now));
	s.unmatched_ms = now + 100; /* the answer to this status's ask */
	assert_false(status_unmatched_stale(&s, now));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_listed),
	    cmocka_unit_test(test_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
