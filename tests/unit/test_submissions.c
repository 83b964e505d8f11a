/*
 * test_submissions.c - what kuska status says of the node's last
 * submissions (daemon/node/submissions.h): a run's files and pieces are
 * one submission, an older client's pieces of one file too, two runs at
 * once two submissions, and only counts, a file, a line number and a
 * field are kept; and what the node's journal says of each
 * (event=submission): a line once it ends, with its counts alone, once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "record.h"
#include "submissions.h"

/* A request of n lines from first_line on, and its reply: line i+1 of
 * it is what status[i] says ('a' accepted, 'h' held, 'r' refused, 'u'
 * accepted with an unlinkable victim, 'k' re-keyed, 'x' refused for an
 * unknown key, 'i' held under a ref that holds a victim's identity, 'b'
 * blank). */
static void
note(struct submissions *s, uint64_t run, const char *source,
     uint64_t first_line, const char *status, uint64_t now_ms)
{
	struct control req, rep;
	struct line_result res[16];
	size_t i, n = strlen(status);

	assert_true(n <= 16);
	memset(&req, 0, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	memset(res, 0, sizeof(res));
	req.type = CTL_SUBMIT;
	req.run = run;
	req.first_line = first_line;
	snprintf(req.source, sizeof(req.source), "%s", source);
	for (i = 0; i < n; i++) {
		res[i].line = first_line + i;
		switch (status[i]) {
		case 'a':
			res[i].status = LINE_ACCEPTED;
			break;
		case 'u':
			res[i].status = LINE_ACCEPTED;
			res[i].unlinkable = 1;
			break;
		case 'h':
			res[i].status = LINE_HELD;
			res[i].unlinkable = 1; /* warned of when first taken */
			break;
		case 'k':
			res[i].status = LINE_REKEYED;
			break;
		case 'i':
			res[i].status = LINE_HELD;
			snprintf(res[i].ref_warning, sizeof(res[i].ref_warning),
				 "holds the victim's name: a record");
			break;
		case 'r':
			res[i].status = LINE_REFUSED;
			snprintf(res[i].field, sizeof(res[i].field),
				 "victim.sex");
			snprintf(res[i].reason, sizeof(res[i].reason),
				 "must be F or M or U");
			break;
		case 'x': /* an unknown key written like a field name */
			res[i].status = LINE_REFUSED;
			snprintf(res[i].field, sizeof(res[i].field),
				 "maria_quispe");
			snprintf(res[i].reason, sizeof(res[i].reason),
				 RECORD_UNKNOWN_FIELD);
			break;
		default:
			res[i].status = LINE_BLANK;
		}
	}
	rep.type = CTL_SUBMIT_REPLY;
	rep.n_results = n;
	rep.results = res;
	submissions_note(s, &req, &rep, now_ms, now_ms);
}

/* An unknown key is the case system's: status does not repeat it. */
static void
test_unknown_key_not_kept(void **state)
{
	struct submissions s;
	struct node_status ns;

	(void)state;
	memset(&s, 0, sizeof(s));
	note(&s, 9, "c.jsonl", 1, "axr", 100);
	memset(&ns, 0, sizeof(ns));
	submissions_fill(&s, &ns);
	assert_int_equal(ns.first_refused_line, 2);
	assert_string_equal(ns.first_refused_field, "an unknown field");
	assert_string_equal(ns.first_refused_source, "c.jsonl");
	assert_int_equal(ns.last_submission.refused, 2);
}

/* A run of several files: the first refused line's file is kept, not
 * the last file's, nor one with a refusal after it (walk45). */
static void
test_first_refused_file(void **state)
{
	struct submissions s;
	struct node_status ns;

	(void)state;
	memset(&s, 0, sizeof(s));
	note(&s, 5, "octubre.jsonl", 1, "aa", 100);
	note(&s, 5, "/home/maria/casos/hand1.jsonl", 1, "ar", 200);
	note(&s, 5, "hand2.jsonl", 1, "r", 300);
	note(&s, 5, "hand3.jsonl", 1, "a", 400);
	memset(&ns, 0, sizeof(ns));
	submissions_fill(&s, &ns);
	assert_int_equal(ns.submissions, 1);
	assert_int_equal(ns.last_submission.refused, 2);
	assert_int_equal(ns.first_refused_line, 2);
	assert_string_equal(ns.first_refused_source, "hand1.jsonl");
	assert_string_equal(ns.first_refused_field, "victim.sex");

	/* The next run, clean: no file named. */
	note(&s, 6, "noviembre.jsonl", 1, "a", 500);
	memset(&ns, 0, sizeof(ns));
	submissions_fill(&s, &ns);
	assert_int_equal(ns.first_refused_line, 0);
	assert_string_equal(ns.first_refused_source, "");
}

static void
test_none(void **state)
{
	struct submissions s;
	struct node_status ns;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&ns, 0, sizeof(ns));
	submissions_fill(&s, &ns);
	assert_true(ns.has_submissions);
	assert_int_equal(ns.submissions, 0);
	assert_int_equal(ns.last_submission_ms, 0);
	assert_int_equal(ns.first_refused_line, 0);
}

/* A run of two files, the first in two pieces: one submission. */
static void
test_run(void **state)
{
	struct submissions s;
	struct node_status ns;

	(void)state;
	memset(&s, 0, sizeof(s));
	note(&s, 7, "a.jsonl", 1, "aarh", 100);
	note(&s, 7, "a.jsonl", 5, "ubrk", 200);
	note(&s, 7, "b.jsonl", 1, "aa", 300);
	memset(&ns, 0, sizeof(ns));
	submissions_fill(&s, &ns);
	assert_int_equal(ns.submissions, 1);
	assert_int_equal(ns.last_submission_ms, 300);
	assert_int_equal(ns.last_submission.accepted, 5);
	assert_int_equal(ns.last_submission.held, 1);
	assert_int_equal(ns.last_submission.refused, 2);
	assert_int_equal(ns.last_submission.unlinkable, 1);
	assert_int_equal(ns.last_submission.rekeyed, 1);
	assert_int_equal(ns.first_refused_line, 3);
	assert_string_equal(ns.first_refused_field, "victim.sex");

	/* The next run, clean: the last one's refusals are gone from it,
	 * not from the totals. */
	note(&s, 8, "a.jsonl", 1, "hhhh", 400);
	memset(&ns, 0, sizeof(ns));
	submissions_fill(&s, &ns);
	assert_int_equal(ns.submissions, 2);
	assert_int_equal(ns.last_submission_ms, 400);
	assert_int_equal(ns.last_submission.accepted, 0);
	assert_int_equal(ns.last_submission.held, 4);
	assert_int_equal(ns.last_submission.refused, 0);
	assert_int_equal(ns.last_submission.unlinkable, 0);
	assert_int_equal(ns.first_refused_line, 0);
	assert_string_equal(ns.first_refused_field, "");
	assert_int_equal(ns.submitted_total.accepted, 5);
	assert_int_equal(ns.submitted_total.held, 5);
	assert_int_equal(ns.submitted_total.refused, 2);
	assert_int_equal(ns.submitted_total.unlinkable, 1);
	assert_int_equal(ns.submitted_total.rekeyed, 1);
}

/* An older client says no run: a file's later pieces continue it; the
 * file again, or another file, is a new submission. */
static void
test_older_client(void **state)
{
	struct submissions s;

	(void)state;
	memset(&s, 0, sizeof(s));
	note(&s, 0, "a.jsonl", 1, "ar", 100);
	note(&s, 0, "a.jsonl", 3, "aa", 200);
	assert_int_equal(s.n, 1);
	assert_int_equal(submissions_last(&s)->counts.accepted, 3);
	assert_int_equal(submissions_last(&s)->counts.refused, 1);
	note(&s, 0, "a.jsonl", 1, "ha", 300);
	assert_int_equal(s.n, 2);
	assert_int_equal(submissions_last(&s)->counts.refused, 0);
	note(&s, 0, "b.jsonl", 3, "r", 400);
	assert_int_equal(s.n, 3);
	assert_int_equal(submissions_last(&s)->counts.refused, 1);
	assert_int_equal(submissions_last(&s)->first_refused_line, 3);
	/* A run after an older client's requests is its own. */
	note(&s, 9, "b.jsonl", 4, "a", 500);
	assert_int_equal(s.n, 4);
	assert_int_equal(submissions_last(&s)->counts.refused, 0);
	assert_int_equal(s.total.refused, 2);
}

/* Two kuska submit at once: their requests come in turn, each counted
 * to its own run; status shows the run whose request came last, whole,
 * and the totals all of them. */
static void
test_concurrent(void **state)
{
	struct submissions s;
	struct node_status ns;

	(void)state;
	memset(&s, 0, sizeof(s));
	note(&s, 11, "a.jsonl", 1, "aar", 100);
	note(&s, 12, "b.jsonl", 1, "hh", 110);
	note(&s, 11, "a.jsonl", 4, "aa", 120);
	note(&s, 12, "b.jsonl", 3, "rr", 130);
	memset(&ns, 0, sizeof(ns));
	submissions_fill(&s, &ns);
	assert_int_equal(ns.submissions, 2);
	assert_int_equal(ns.last_submission_ms, 130);
	assert_int_equal(ns.last_submission.accepted, 0);
	assert_int_equal(ns.last_submission.held, 2);
	assert_int_equal(ns.last_submission.refused, 2);
	assert_int_equal(ns.first_refused_line, 3);

	/* Run 11 ends last: its figures whole, its first refusal its own. */
	note(&s, 11, "a.jsonl", 6, "a", 140);
	memset(&ns, 0, sizeof(ns));
	submissions_fill(&s, &ns);
	assert_int_equal(ns.submissions, 2);
	assert_int_equal(ns.last_submission_ms, 140);
	assert_int_equal(ns.last_submission.accepted, 5);
	assert_int_equal(ns.last_submission.held, 0);
	assert_int_equal(ns.last_submission.refused, 1);
	assert_int_equal(ns.first_refused_line, 3);
	assert_int_equal(ns.submitted_total.accepted, 5);
	assert_int_equal(ns.submitted_total.held, 2);
	assert_int_equal(ns.submitted_total.refused, 3);
}

/* The last SUBMISSIONS_RUNS runs are told apart: a run quiet for longer
 * than that many others starts a submission again. */
static void
test_runs_forgotten(void **state)
{
	struct submissions s;
	uint64_t run;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (run = 1; run <= SUBMISSIONS_RUNS; run++)
		note(&s, run, "a.jsonl", 1, "a", run);
	note(&s, 1, "a.jsonl", 2, "a", 100);
	assert_int_equal(s.n, SUBMISSIONS_RUNS);
	assert_int_equal(submissions_last(&s)->counts.accepted, 2);
	/* A new run takes the place of run 2, the quietest. */
	note(&s, 100, "a.jsonl", 1, "a", 200);
	assert_int_equal(s.n, SUBMISSIONS_RUNS + 1);
	note(&s, 1, "a.jsonl", 3, "a", 300);
	assert_int_equal(s.n, SUBMISSIONS_RUNS + 1);
	assert_int_equal(submissions_last(&s)->counts.accepted, 3);
	note(&s, 2, "a.jsonl", 2, "r", 400);
	assert_int_equal(s.n, SUBMISSIONS_RUNS + 2);
	assert_int_equal(submissions_last(&s)->counts.accepted, 0);
	assert_int_equal(submissions_last(&s)->counts.refused, 1);
	assert_int_equal(s.total.accepted, SUBMISSIONS_RUNS + 3);
}

/* A run that says it is over is logged at once, once, with its counts and
 * nothing of its files; a request of it after that starts another. */
static void
test_end_logged_once(void **state)
{
	struct submissions s;
	const char *l;

	(void)state;
	memset(&s, 0, sizeof(s));
	capture();
	note(&s, 7, "maria_quispe.jsonl", 1, "aarh", 1000);
	note(&s, 7, "b.jsonl", 1, "ubk", 2000);
	submissions_end(&s, 7);
	submissions_end(&s, 7);
	submissions_idle(&s, 1000000);
	submissions_stop(&s);
	l = captured();
	assert_int_equal(captured_count(l, "event=submission "), 1);
	assert_non_null(strstr(l, "event=submission accepted=3 "
				  "already_held=1 rekeyed=1 refused=1 "
				  "unlinkable=1 requests=2 seconds=1 "
				  "ended=client"));
	assert_null(strstr(l, "jsonl"));
	assert_null(strstr(l, "maria"));
	assert_null(strstr(l, "victim"));

	capture();
	note(&s, 7, "b.jsonl", 4, "a", 3000);
	assert_int_equal(s.n, 2);
	submissions_end(&s, 8); /* another run's end: not this one's */
	l = captured();
	assert_int_equal(captured_count(l, "event=submission "), 0);
}

/* Records held under a ref that holds a victim's identity: a warning line
 * after the submission's, with their count, never a ref; none when the
 * submission has none. */
static void
test_ref_identity_logged(void **state)
{
	struct submissions s;
	const char *l;

	(void)state;
	memset(&s, 0, sizeof(s));
	capture();
	note(&s, 7, "a.jsonl", 1, "aiir", 1000);
	note(&s, 7, "a.jsonl", 5, "ih", 2000);
	submissions_end(&s, 7);
	note(&s, 8, "b.jsonl", 1, "ah", 3000);
	submissions_end(&s, 8);
	l = captured();
	assert_int_equal(captured_count(l, "event=submission "), 2);
	assert_int_equal(captured_count(l, "event=ref_identity_held "), 1);
	assert_non_null(strstr(l, "event=ref_identity_held count=3 hint="));
	assert_non_null(strstr(l, "already_held=4 "));
	assert_null(strstr(l, "victim's name"));
}

/* A local client ending runs as fast as it can: the journal's lines are
 * held to a budget, the next one written saying how many were not. */
static void
test_end_budget(void **state)
{
	struct submissions s;
	const char *l;
	uint64_t run;

	(void)state;
	memset(&s, 0, sizeof(s));
	capture();
	for (run = 1; run <= 3 * LOG_BUDGET_BURST; run++) {
		note(&s, run, "a.jsonl", 1, "a", 1000);
		submissions_end(&s, run);
	}
	l = captured();
	assert_in_range(captured_count(l, "event=submission "),
			LOG_BUDGET_BURST, LOG_BUDGET_BURST + 1);
	assert_int_equal(s.n, 3 * LOG_BUDGET_BURST);
}

/* Runs whose lines are all refused, ended as fast as a local client can,
 * spend event=submission's budget: a run holding records under refs that
 * hold a victim's identity is still told of in the journal. */
static void
test_ref_identity_budget(void **state)
{
	struct submissions s;
	const char *l;
	uint64_t run;

	(void)state;
	memset(&s, 0, sizeof(s));
	capture();
	for (run = 1; run <= 3 * LOG_BUDGET_BURST; run++) {
		note(&s, run, "bad.jsonl", 1, "rr", 1000);
		submissions_end(&s, run);
	}
	note(&s, run, "a.jsonl", 1, "ii", 1000);
	submissions_end(&s, run);
	l = captured();
	assert_int_equal(captured_count(l, "event=ref_identity_held "), 1);
	assert_non_null(strstr(l, "event=ref_identity_held count=2 hint="));
}

/* A run killed says nothing: it is logged once, with what it stored,
 * after SUBMISSIONS_IDLE_MS without its requests, or when the node stops;
 * an older client's the same. */
static void
test_idle_and_stop(void **state)
{
	struct submissions s;
	const char *l;

	(void)state;
	memset(&s, 0, sizeof(s));
	capture();
	note(&s, 7, "a.jsonl", 1, "aa", 1000);
	note(&s, 0, "old.jsonl", 1, "r", 2000);
	/* mono older than a request noted since it was read: not idle */
	submissions_idle(&s, 500);
	submissions_idle(&s, 1000 + SUBMISSIONS_IDLE_MS - 1);
	l = captured();
	assert_int_equal(captured_count(l, "event=submission "), 0);

	capture();
	submissions_idle(&s, 1000 + SUBMISSIONS_IDLE_MS);
	submissions_idle(&s, 1500 + SUBMISSIONS_IDLE_MS);
	l = captured();
	assert_int_equal(captured_count(l, "event=submission "), 1);
	assert_non_null(strstr(l, "accepted=2 already_held=0 rekeyed=0 "
				  "refused=0 unlinkable=0 requests=1 "
				  "seconds=0 ended=idle"));

	capture();
	submissions_stop(&s);
	submissions_stop(&s);
	submissions_end(&s, 7);
	l = captured();
	assert_int_equal(captured_count(l, "event=submission "), 1);
	assert_non_null(strstr(l, "accepted=0 already_held=0 rekeyed=0 "
				  "refused=1 unlinkable=0 requests=1 "
				  "seconds=0 ended=stop"));
	/* Status still shows the last one. */
	assert_int_equal(submissions_last(&s)->counts.refused, 1);
}

/* A submission whose slot a newer run takes is logged then. */
static void
test_evicted_logged(void **state)
{
	struct submissions s;
	const char *l;
	uint64_t run;

	(void)state;
	memset(&s, 0, sizeof(s));
	capture();
	for (run = 1; run <= SUBMISSIONS_RUNS; run++)
		note(&s, run, "a.jsonl", 1, "a", run);
	submissions_end(&s, 1);
	note(&s, 100, "a.jsonl", 1, "a", 200); /* takes run 1's: logged */
	note(&s, 101, "a.jsonl", 1, "a", 300); /* takes run 2's */
	l = captured();
	assert_int_equal(captured_count(l, "event=submission "), 2);
	assert_int_equal(captured_count(l, "ended=client"), 1);
	assert_int_equal(captured_count(l, "ended=evicted"), 1);
}

/* A run that goes on is not evicted while an ended one's slot is free:
 * two runs at once are not "more than 8", however many ended before. */
static void
test_ended_slot_taken_first(void **state)
{
	struct submissions s;
	const char *l;
	uint64_t run;

	(void)state;
	memset(&s, 0, sizeof(s));
	capture();
	note(&s, 1, "a.jsonl", 1, "a", 1); /* goes on, quiet */
	for (run = 2; run <= SUBMISSIONS_RUNS; run++) {
		note(&s, run, "a.jsonl", 1, "a", run);
		submissions_end(&s, run);
	}
	note(&s, 100, "a.jsonl", 1, "a", 200);
	note(&s, 1, "a.jsonl", 2, "a", 300);
	submissions_end(&s, 1);
	l = captured();
	assert_int_equal(captured_count(l, "ended=evicted"), 0);
	assert_int_equal(captured_count(l, "event=submission "),
			 SUBMISSIONS_RUNS);
	assert_non_null(strstr(l, "accepted=2 already_held=0 rekeyed=0 "
				  "refused=0 unlinkable=0 requests=2 "
				  "seconds=0 ended=client"));
	assert_int_equal(s.n, SUBMISSIONS_RUNS + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_none),
	    cmocka_unit_test(test_unknown_key_not_kept),
	    cmocka_unit_test(test_first_refused_file),
	    cmocka_unit_test(test_run),
	    cmocka_unit_test(test_older_client),
	    cmocka_unit_test(test_concurrent),
	    cmocka_unit_test(test_runs_forgotten),
	    cmocka_unit_test(test_end_logged_once),
	    cmocka_unit_test(test_ref_identity_logged),
	    cmocka_unit_test(test_end_budget),
	    cmocka_unit_test(test_ref_identity_budget),
	    cmocka_unit_test(test_idle_and_stop),
	    cmocka_unit_test(test_evicted_logged),
	    cmocka_unit_test(test_ended_slot_taken_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
