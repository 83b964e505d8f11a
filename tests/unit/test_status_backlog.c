/*
 * test_status_backlog.c - what kuska status says of the events a node
 * waits to deliver (client/status_backlog.h): past alarm_backlog_hours a
 * warning, but not while the node is diverged, where the warning sent
 * the reader to the network while nothing is delivered until
 * kuska-node --recover (session 56's restore walk).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "status_backlog.h"
#include "status_print.h"

static int health; /* status_backlog_print's, of the last printed */

static void
print(FILE *out, const struct node_status *s)
{
	health = status_backlog_print(out, s);
}

/* A node holding 5 events not acknowledged, the oldest created 3 h ago,
 * its alarm at 1 h. */
static void
backlog(struct node_status *s)
{
	memset(s, 0, sizeof(*s));
	s->now_ms = 1800000000000ULL;
	s->last_seq = 105;
	s->acked_seq = 100;
	s->oldest_pending_ms = s->now_ms - 3 * 3600000ULL;
	s->alarm_backlog_hours = 1;
}

static void
test_old(void **state)
{
	struct node_status s;
	char *out;

	(void)state;
	backlog(&s);
	out = status_printed(print, &s);
	assert_string_equal(out, "  waiting for delivery:   5 (oldest created "
				 "3 h ago)  WARNING: older than 1 h\n");
	assert_int_equal(health, 1);
	free(out);
}

/* Diverged: the divergence is the warning, with what to do; the age is
 * none of its own. */
static void
test_diverged(void **state)
{
	struct node_status s;
	char *out;

	(void)state;
	backlog(&s);
	snprintf(s.diverged, sizeof(s.diverged),
		 "the consolidator holds "
		 "sequences up to 200");
	out = status_printed(print, &s);
	assert_string_equal(out, "  waiting for delivery:   5 (oldest created "
				 "3 h ago): none is delivered while the "
				 "outbox is diverged (below)\n");
	assert_int_equal(health, 0);
	free(out);
}

static void
test_none(void **state)
{
	struct node_status s;
	char *out;

	(void)state;
	backlog(&s);
	s.acked_seq = s.last_seq;
	out = status_printed(print, &s);
	assert_string_equal(out, "  waiting for delivery:   0\n");
	assert_int_equal(health, 0);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_old),
	    cmocka_unit_test(test_diverged),
	    cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
