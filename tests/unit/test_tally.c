/*
 * test_tally.c - kuska submit's summary of a file (client/tally.h): what
 * it asks and advises is decided by the node's reason codes
 * (LineResult.why), never by the wording of the reasons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "submit_int.h"
#include "tally.h"

/* The summary of the results, as kuska submit prints it. */
static char *
summary(const struct line_result *res, size_t n, bool dry_run)
{
	struct tally_run run = {
	    .name = "mp.jsonl", .inst = "pnp", .dry_run = dry_run};
	struct tally t;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	memset(&t, 0, sizeof(t));
	for (i = 0; i < n; i++)
		tally_add(&t, &res[i]);
	tally_print(f, &run, &t);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static struct line_result
refused(const char *field, const char *reason, enum line_reason why)
{
	struct line_result r = {.status = LINE_REFUSED, .why = why};

	snprintf(r.field, sizeof(r.field), "%s", field);
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	return r;
}

/*
 * Lines another institution makes: asked about by their codes, whatever
 * the words (a node whose reasons are reworded, translated); the words
 * alone, from a node too old to send a code, ask nothing.
 */
static void
test_foreign_by_code(void **state)
{
	struct line_result res[4];
	char *out;

	(void)state;
	res[0] = (struct line_result){.status = LINE_ACCEPTED};
	res[1] =
	    refused("kind", "pnp no puede emitir service", LINE_NOT_GRANTED);
	res[2] = refused("from", "is the submitting institution itself",
			 LINE_OWN_INSTITUTION);
	res[3] = refused("victim.sex", "must be F or M or U", LINE_REASON_NONE);
	out = summary(res, 4, false);
	assert_non_null(strstr(
	    out, "mp.jsonl: warning: 2 lines refused as what pnp may not "
		 "emit (a kind or case stage not granted to it, a referral to "
		 "or from pnp itself): is this another institution's export? "
		 "If so, the lines accepted (1) were stored as pnp's records: "
		 "withdraw them (docs/INPUT.md section 8)\n"));
	/* It must not then be told to send that file again. */
	assert_null(strstr(out, "mp.jsonl: correct the"));
	/* In its own export, a line of a kind it may not emit is left
	 * out, not corrected: another institution records it. */
	assert_non_null(strstr(
	    out, "mp.jsonl: if it is pnp's own export, leave out the line of "
		 "what pnp may not emit (another institution records it), "
		 "correct the other refused lines and submit the file again: "
		 "the records the node holds are skipped as \"already "
		 "held\"\n"));
	assert_null(strstr(out, "correct the refused"));
	free(out);

	/* Only such lines refused: nothing to correct or send again. */
	res[2] =
	    refused("stage", "pnp no puede emitir trial", LINE_NOT_GRANTED);
	res[3] = (struct line_result){.status = LINE_ACCEPTED};
	out = summary(res, 4, false);
	assert_non_null(strstr(
	    out, "mp.jsonl: if it is pnp's own export, leave out the 2 lines "
		 "of what pnp may not emit: another institution records "
		 "them\n"));
	assert_null(strstr(out, "submit the file again"));
	free(out);

	/* A referral to itself alone: its to or from is corrected. */
	res[1] = refused("to", "is the submitting institution itself",
			 LINE_OWN_INSTITUTION);
	res[2] = (struct line_result){.status = LINE_ACCEPTED};
	out = summary(res, 4, false);
	assert_non_null(strstr(
	    out, "mp.jsonl: if it is pnp's own export, correct the refused "
		 "lines and submit the file again: the records the node holds "
		 "are skipped as \"already held\"\n"));
	free(out);
	res[3] = refused("victim.sex", "must be F or M or U", LINE_REASON_NONE);

	/* An older node: the very words, no code. */
	res[1] = refused("kind", "pnp may not emit service", LINE_REASON_NONE);
	res[2] = refused("from", "must differ from the submitting institution",
			 LINE_REASON_NONE);
	out = summary(res, 4, false);
	assert_null(strstr(out, "another institution's export"));
	assert_non_null(strstr(out, "mp.jsonl: 1 accepted, 0 already held, 3 "
				    "refused, 0 with unlinkable victims\n"));
	free(out);
}

/*
 * A ref already used for a different record: sent again, the line is
 * refused again, so the summary does not say to correct it and send the
 * file again; it says what changes a record (EVENTS.md): a correction of
 * it, or its withdrawal, and that another record needs its own ref.
 * Told by the code, whatever the words.
 */
static void
test_ref_reused(void **state)
{
	static const char advice[] =
	    "mp.jsonl: 1 line refused as its ref is already used for a "
	    "different record: submitted again, it is refused again. Where "
	    "such a line changes the record sent before under its ref, send "
	    "it as a correction (kind correction, a new ref of its own, "
	    "target_ref the original record's ref), or withdraw that record "
	    "if it should no longer count (docs/INPUT.md section 8); where "
	    "it is another record, it needs a ref of its own: tell the team "
	    "that maintains the case system's export\n";
	struct line_result res[3];
	char *out;

	(void)state;
	res[0] = (struct line_result){.status = LINE_ACCEPTED};
	res[1] = refused("ref", "reworded", LINE_REF_REUSED);
	res[2] = refused("victim.sex", "must be F or M or U", LINE_REASON_NONE);
	out = summary(res, 2, false);
	assert_non_null(strstr(out, advice));
	assert_null(strstr(out, "correct the"));
	free(out);

	/* Beside another refusal, that one is to be corrected. */
	out = summary(res, 3, false);
	assert_non_null(strstr(out, advice));
	assert_non_null(strstr(
	    out, "mp.jsonl: correct the other refused lines and submit the "
		 "file again: the records the node holds are skipped as "
		 "\"already held\"\n"));
	free(out);

	/* Two of them; an older node's refusal, without the code, has the
	 * usual closing line. */
	res[2] = refused("ref", "reworded", LINE_REF_REUSED);
	out = summary(res, 3, false);
	assert_non_null(strstr(out, "mp.jsonl: 2 lines refused as their ref "
				    "is already used for a different record: "
				    "submitted again, they are refused "
				    "again. "));
	free(out);
	res[1].why = LINE_REASON_NONE;
	out = summary(res, 2, false);
	assert_null(strstr(out, "already used"));
	assert_non_null(strstr(out, "mp.jsonl: correct the refused lines"));
	free(out);
}

/*
 * A dry run stored nothing: its counts say what would be accepted (or
 * re-keyed), never "accepted"; the real run's say "accepted".
 */
static void
test_dry_run(void **state)
{
	struct line_result res[4];
	char *out;

	(void)state;
	res[0] = (struct line_result){.status = LINE_ACCEPTED};
	res[1] = (struct line_result){.status = LINE_HELD};
	res[2] = (struct line_result){.status = LINE_REKEYED};
	res[3] = refused("victim.sex", "must be F or M or U", LINE_REASON_NONE);
	out = summary(res, 4, true);
	assert_non_null(strstr(
	    out, "mp.jsonl: 1 would be accepted, 1 already held, 1 refused, 0 "
		 "with unlinkable victims, 1 would be re-keyed (dry run: "
		 "nothing stored)\n"));
	assert_null(strstr(out, ": 1 accepted"));
	free(out);
	out = summary(res, 4, false);
	assert_non_null(strstr(out, "mp.jsonl: 1 accepted, 1 already held, 1 "
				    "refused, 0 with unlinkable victims, 1 "
				    "re-keyed\n"));
	free(out);
}

/*
 * A file stopped early says from which line on its counts leave it out,
 * and why: a node that took none of them, one that did not answer in
 * time (and may still store them), or one that stopped meanwhile.
 */
static void
test_stopped(void **state)
{
	struct tally_run run = {
	    .name = "pnp.jsonl", .inst = "pnp", .stopped_early = true};
	struct tally t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.stopped = 5001;
	t.maybe_stored = true;
	t.node_stopped = true;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	tally_print(f, &run, &t);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(
	    buf, "pnp.jsonl: the lines from 5001 on are not in these counts: "
		 "the node stopped before it answered them, and may have "
		 "stored some of them\n"));
	assert_null(strstr(buf, "may still store"));
	free(buf);

	t.node_stopped = false;
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	tally_print(f, &run, &t);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "no answer came for them, and the node "
				    "may still store them\n"));
	free(buf);
}

/*
 * Case stage warnings: counted on a line of their own (the counts' line
 * reads as before), saying that the first five were listed when there
 * are more; a refused line's text is no warning.
 */
static void
test_stage_warnings(void **state)
{
	struct line_result res[7];
	char *out;
	size_t i;

	(void)state;
	memset(res, 0, sizeof(res));
	for (i = 0; i < 7; i++) {
		res[i].status = LINE_ACCEPTED;
		snprintf(res[i].warning, sizeof(res[i].warning),
			 "case stage complaint already held");
	}
	res[6].status = LINE_REFUSED;
	out = summary(res, 1, false);
	assert_non_null(strstr(out, "mp.jsonl: 1 accepted, 0 already held, 0 "
				    "refused, 0 with unlinkable victims\n"));
	assert_non_null(strstr(out, "mp.jsonl: 1 line with a case stage "
				    "warning (a stage the case has already, "
				    "or dated out of order)\n"));
	free(out);
	out = summary(res, 7, false);
	assert_non_null(strstr(out, "mp.jsonl: 6 lines with a case stage "
				    "warning (a stage the case has already, "
				    "or dated out of order): the first five "
				    "listed"));
	free(out);
	res[0].warning[0] = '\0';
	out = summary(res, 1, false);
	assert_null(strstr(out, "case stage"));
	free(out);
}

/*
 * Age warnings: counted apart from a case stage's warning of the same
 * line, on a line of their own; not for a line held already (warned when
 * first taken) or refused.
 */
static void
test_age_warnings(void **state)
{
	struct line_result res[8];
	char *out;
	size_t i;

	(void)state;
	memset(res, 0, sizeof(res));
	for (i = 0; i < 8; i++) {
		res[i].status = LINE_ACCEPTED;
		snprintf(res[i].age_warning, sizeof(res[i].age_warning),
			 "victim age 12 is not the age");
	}
	snprintf(res[0].warning, sizeof(res[0].warning),
		 "case stage complaint already held");
	res[6].status = LINE_REFUSED;
	res[7].status = LINE_HELD;
	out = summary(res, 1, false);
	assert_non_null(strstr(out, "mp.jsonl: 1 line with a case stage "
				    "warning"));
	assert_non_null(strstr(out, "mp.jsonl: 1 line with a victim's age "
				    "that the birth date contradicts (the "
				    "birth date is used)\n"));
	free(out);
	out = summary(res, 8, false);
	assert_non_null(strstr(out, "mp.jsonl: 6 lines with a victim's age "
				    "that the birth date contradicts (the "
				    "birth date is used): the first five "
				    "listed"));
	free(out);
	out = summary(res + 6, 2, false);
	assert_null(strstr(out, "victim's age"));
	free(out);
}

/*
 * Victims' document numbers taken as placeholders: a count of the lines,
 * on a line of its own; not for a line held already or refused.
 */
static void
test_placeholder_warnings(void **state)
{
	struct line_result res[8];
	char *out;
	size_t i;

	(void)state;
	memset(res, 0, sizeof(res));
	for (i = 0; i < 8; i++) {
		res[i].status = LINE_ACCEPTED;
		snprintf(res[i].placeholder_warning,
			 sizeof(res[i].placeholder_warning),
			 "is a placeholder");
	}
	res[6].status = LINE_REFUSED;
	res[7].status = LINE_HELD;
	out = summary(res, 1, false);
	assert_non_null(strstr(out, "mp.jsonl: 1 line with a victim's "
				    "document number that is a placeholder "
				    "(not used to link: leave the document "
				    "out when it is not known)\n"));
	free(out);
	out = summary(res, 8, false);
	assert_non_null(strstr(out, "mp.jsonl: 6 lines with a victim's "
				    "document number that is a placeholder "
				    "(not used to link: leave the document "
				    "out when it is not known): the first "
				    "five listed"));
	free(out);
	out = summary(res + 6, 2, false);
	assert_null(strstr(out, "placeholder"));
	free(out);
}

/*
 * Records held under a ref that holds a victim's identity: a count, on a
 * line of its own saying what to do, each time the file is sent (held or
 * re-keyed lines), not for a refused line; never a ref.
 */
static void
test_ref_warnings(void **state)
{
	struct line_result res[8];
	char *out;
	size_t i;

	(void)state;
	memset(res, 0, sizeof(res));
	for (i = 0; i < 8; i++) {
		res[i].status = LINE_HELD;
		snprintf(res[i].ref_warning, sizeof(res[i].ref_warning),
			 "holds the victim's name: a record stored before");
	}
	res[1].status = LINE_REKEYED;
	res[7].status = LINE_REFUSED;
	out = summary(res, 2, false);
	assert_non_null(strstr(out, "mp.jsonl: 2 lines held under a ref that "
				    "holds a victim's identity (stored before "
				    "the node refused such refs): withdraw "
				    "those records and send them again under "
				    "the case system's record key "
				    "(docs/INPUT.md section 7)\n"));
	free(out);
	out = summary(res, 8, false);
	assert_non_null(strstr(out, "mp.jsonl: 7 lines held under a ref"));
	assert_non_null(strstr(out, "section 7): the first five listed"));
	free(out);
	out = summary(res + 7, 1, false);
	assert_null(strstr(out, "held under a ref"));
	free(out);
}

/*
 * Lines held whose records the consolidator refused (a dead warning each)
 * are counted apart on a line of their own, as "already held" reads as
 * taken (refs50); none, no such line.
 */
static void
test_dead_warnings(void **state)
{
	struct line_result res[3];
	char *out;
	size_t i;

	(void)state;
	memset(res, 0, sizeof(res));
	for (i = 0; i < 3; i++)
		res[i].status = LINE_HELD;
	snprintf(res[0].dead_warning, sizeof(res[0].dead_warning),
		 "already held but the consolidator refused it (seq 8: "
		 "bad_event): it counts nowhere");
	res[1] = res[0];
	out = summary(res, 3, false);
	assert_non_null(strstr(out, "mp.jsonl: 0 accepted, 3 already held"));
	assert_non_null(strstr(
	    out, "mp.jsonl: 2 held but refused earlier: see above (the "
		 "consolidator refused them as dead letters; sent again they "
		 "are only \"already held\": docs/INPUT.md section 9)\n"));
	free(out);
	out = summary(res, 1, false);
	assert_non_null(strstr(out, "mp.jsonl: 1 held but refused earlier: "
				    "see above (the consolidator refused it "
				    "as a dead letter; sent again it is"));
	free(out);
	out = summary(res + 2, 1, false);
	assert_null(strstr(out, "refused earlier"));
	free(out);
}

/*
 * The lines a result prints (submit_out.c): a refused line's ref warning
 * (its ref holds a victim's identity too) is always listed, after the
 * first five held records' ones, with a --report row of its own of the
 * five columns, field ref and no ref.
 */
static void
test_ref_warning_refused_listed(void **state)
{
	struct line_result res[7];
	struct run run;
	struct tally t;
	char *csv = NULL, out[4096];
	size_t len = 0, i;
	FILE *tmp = tmpfile();
	int saved = dup(1);
	ssize_t n;

	(void)state;
	assert_non_null(tmp);
	assert_true(saved >= 0);
	memset(res, 0, sizeof(res));
	memset(&run, 0, sizeof(run));
	memset(&t, 0, sizeof(t));
	for (i = 0; i < 7; i++) {
		res[i].line = i + 1;
		res[i].status = LINE_HELD;
		snprintf(res[i].ref_warning, sizeof(res[i].ref_warning),
			 "holds the victim's name: a record stored before");
	}
	res[6].status = LINE_REFUSED;
	snprintf(res[6].field, sizeof(res[6].field), "date");
	snprintf(res[6].reason, sizeof(res[6].reason), "not a day");
	snprintf(res[6].ref_warning, sizeof(res[6].ref_warning),
		 "holds the victim's name: refused for this too: use a key");
	run.report = open_memstream(&csv, &len);
	assert_non_null(run.report);
	fflush(stdout);
	assert_true(dup2(fileno(tmp), 1) == 1);
	for (i = 0; i < 7; i++)
		submit_print_result(&run, "mp.jsonl", &res[i], false, &t);
	fflush(stdout);
	assert_true(dup2(saved, 1) == 1);
	close(saved);
	assert_int_equal(fclose(run.report), 0);
	rewind(tmp);
	n = (ssize_t)fread(out, 1, sizeof(out) - 1, tmp);
	fclose(tmp);
	out[n > 0 ? n : 0] = '\0';
	assert_non_null(strstr(out, "mp.jsonl:5: warning: ref: holds"));
	assert_null(strstr(out, "mp.jsonl:6: warning: ref:"));
	assert_non_null(strstr(out, "mp.jsonl:7: refused: date: not a day\n"
				    "mp.jsonl:7: warning: ref: holds the "
				    "victim's name: refused for this too: "
				    "use a key\n"));
	assert_non_null(strstr(csv, "mp.jsonl,7,date,refused: not a day,\n"
				    "mp.jsonl,7,ref,warning: holds the "
				    "victim's name: refused for this too: use "
				    "a key,\n"));
	/* Counted among the held lines' warnings: six, not seven. */
	assert_int_equal(t.ref_warned, 6);
	free(csv);
}

/*
 * A withdrawal's ref never reaches the --report file, refused or held
 * with a dead letter, even from an older node that hands it back: its
 * line carries no victim to check it against. Another line's ref does.
 */
static void
test_withdrawal_ref_left_out(void **state)
{
	struct line_result res[2];
	struct run run;
	struct tally t;
	char *csv = NULL;
	size_t len = 0, i;
	FILE *null = fopen("/dev/null", "w");
	int saved = dup(1);

	(void)state;
	assert_non_null(null);
	assert_true(saved >= 0);
	memset(res, 0, sizeof(res));
	memset(&run, 0, sizeof(run));
	memset(&t, 0, sizeof(t));
	res[0].line = 1;
	res[0].status = LINE_REFUSED;
	snprintf(res[0].field, sizeof(res[0].field), "target_ref");
	snprintf(res[0].reason, sizeof(res[0].reason), "no such record");
	res[1].line = 2;
	res[1].status = LINE_HELD;
	snprintf(res[1].dead_warning, sizeof(res[1].dead_warning),
		 "refused at seq 7");
	for (i = 0; i < 2; i++)
		snprintf(res[i].ref, sizeof(res[i].ref), "WD-Quispe-%zu", i);
	run.report = open_memstream(&csv, &len);
	assert_non_null(run.report);
	fflush(stdout);
	assert_true(dup2(fileno(null), 1) == 1);
	for (i = 0; i < 2; i++)
		submit_print_result(&run, "mp.jsonl", &res[i], true, &t);
	for (i = 0; i < 2; i++)
		submit_print_result(&run, "other.jsonl", &res[i], false, &t);
	fflush(stdout);
	assert_true(dup2(saved, 1) == 1);
	close(saved);
	fclose(null);
	assert_int_equal(fclose(run.report), 0);
	assert_non_null(strstr(csv, "mp.jsonl,1,target_ref,refused: no such "
				    "record,\n"));
	assert_non_null(
	    strstr(csv, "mp.jsonl,2,ref,warning: refused at seq 7,\n"));
	assert_null(strstr(csv, "mp.jsonl,1,target_ref,refused: no such "
				"record,\"WD"));
	assert_non_null(strstr(csv, "other.jsonl,1,target_ref,refused: no "
				    "such record,\"WD-Quispe-0\"\n"));
	assert_non_null(strstr(
	    csv,
	    "other.jsonl,2,ref,warning: refused at seq 7,\"WD-Quispe-1\"\n"));
	free(csv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_foreign_by_code),
	    cmocka_unit_test(test_ref_reused),
	    cmocka_unit_test(test_dry_run),
	    cmocka_unit_test(test_stopped),
	    cmocka_unit_test(test_stage_warnings),
	    cmocka_unit_test(test_age_warnings),
	    cmocka_unit_test(test_placeholder_warnings),
	    cmocka_unit_test(test_ref_warnings),
	    cmocka_unit_test(test_dead_warnings),
	    cmocka_unit_test(test_ref_warning_refused_listed),
	    cmocka_unit_test(test_withdrawal_ref_left_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
