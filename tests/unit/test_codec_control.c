/*
 * test_codec_control.c - local control messages (codec_control.c): submit
 * and its reply, the node's, consolidator's and key holder's status,
 * metrics, and what is refused.
 */
#include <errno.h>

#include "codec_fixture.h"

static struct control *
control_round_trip(const struct control *c)
{
	struct control *back = calloc(1, sizeof(*back));
	uint8_t *buf, *copy;
	size_t len, i;

	assert_non_null(back);
	assert_int_equal(codec_control_encode(c, &buf, &len), 0);
	assert_int_equal(codec_control_decode(buf, len, back), 0);
	assert_int_equal(back->type, c->type);
	for (i = 0; i < len; i++) {
		struct control *t = calloc(1, sizeof(*t));
		assert_non_null(t);
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, buf, i);
		assert_int_equal(codec_control_decode(copy, i, t), -EBADMSG);
		assert_null(t->results);
		assert_null(t->node.dead);
		free(copy);
		free(t);
	}
	free(buf);
	return back;
}

static void
test_control_submit(void **state)
{
	struct control *c = calloc(1, sizeof(*c)), *back;
	struct line_result res[5];
	size_t i;

	(void)state;
	assert_non_null(c);
	c->type = CTL_SUBMIT;
	snprintf(c->source, sizeof(c->source), "intake/2026-03.jsonl");
	c->first_line = 1001;
	back = control_round_trip(c);
	assert_string_equal(back->source, c->source);
	assert_int_equal(back->first_line, 1001);
	assert_int_equal(back->dry_run, 0);
	codec_control_clear(back);
	free(back);
	c->dry_run = 0x8000000000000001ull;
	back = control_round_trip(c);
	assert_int_equal(back->dry_run, 0x8000000000000001ull);
	codec_control_clear(back);
	free(back);

	memset(res, 0, sizeof(res));
	res[0] = (struct line_result){
	    .line = 1, .status = LINE_ACCEPTED, .seq = 17, .unlinkable = 2};
	res[1] = (struct line_result){.line = 2, .status = LINE_HELD, .seq = 9};
	res[2] = (struct line_result){
	    .line = 3, .status = LINE_REFUSED, .why = LINE_REF_REUSED};
	snprintf(res[2].field, sizeof(res[2].field), "victim.dni");
	snprintf(res[2].reason, sizeof(res[2].reason), "not 8 digits: \"12A\"");
	/* The line's ref, refused or not, for --report; the longest one
	 * a ref may be (set after res[4] is, or that would clear it). */
	snprintf(res[2].ref, sizeof(res[2].ref), "PNP-ID-2025-000123");
	res[3] = (struct line_result){.line = 4, .status = LINE_BLANK};
	res[4] = (struct line_result){
	    .line = UINT64_MAX, .status = LINE_ACCEPTED, .seq = UINT64_MAX};
	snprintf(res[4].ref, sizeof(res[4].ref), "%064d", 7);
	/* A case stage's warning travels with an accepted line. */
	snprintf(res[4].warning, sizeof(res[4].warning),
		 "case stage complaint already held for this case (ref K1 "
		 "seq 1)");
	/* And a victim's age warning, with its own path. */
	snprintf(res[4].age_warning, sizeof(res[4].age_warning),
		 "victim age 12 is not the age the birth date gives");
	snprintf(res[4].age_field, sizeof(res[4].age_field), "victims[1].age");
	/* And a placeholder document number's, with its path. */
	snprintf(res[4].placeholder_warning, sizeof(res[4].placeholder_warning),
		 "is a placeholder");
	snprintf(res[4].placeholder_field, sizeof(res[4].placeholder_field),
		 "victims[2].document.number");
	/* A record held under a ref holding a victim's identity. */
	snprintf(res[1].ref_warning, sizeof(res[1].ref_warning),
		 "holds the victim's name: a record stored before");
	/* And a line refused for another field whose ref holds one too. */
	snprintf(res[2].ref_warning, sizeof(res[2].ref_warning),
		 "holds the victim's name: refused for this too");
	memset(c, 0, sizeof(*c));
	c->type = CTL_SUBMIT_REPLY;
	c->n_results = 5;
	c->results = res;
	snprintf(c->error, sizeof(c->error), "stopped at line 5: disk full");
	back = control_round_trip(c);
	assert_int_equal(back->n_results, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(back->results[i].line, res[i].line);
		assert_int_equal(back->results[i].status, res[i].status);
		assert_int_equal(back->results[i].seq, res[i].seq);
		assert_string_equal(back->results[i].field, res[i].field);
		assert_string_equal(back->results[i].reason, res[i].reason);
		assert_int_equal(back->results[i].why, res[i].why);
		assert_int_equal(back->results[i].unlinkable,
				 res[i].unlinkable);
		assert_string_equal(back->results[i].warning, res[i].warning);
		assert_string_equal(back->results[i].age_warning,
				    res[i].age_warning);
		assert_string_equal(back->results[i].age_field,
				    res[i].age_field);
		assert_string_equal(back->results[i].ref_warning,
				    res[i].ref_warning);
		assert_string_equal(back->results[i].placeholder_warning,
				    res[i].placeholder_warning);
		assert_string_equal(back->results[i].placeholder_field,
				    res[i].placeholder_field);
		assert_string_equal(back->results[i].ref, res[i].ref);
	}
	assert_int_equal(strlen(back->results[4].ref), 64);
	assert_string_equal(back->error, c->error);
	codec_control_clear(back);
	assert_null(back->results);
	codec_control_clear(back);
	free(back);

	/* A reply without error, a status request, an error. */
	c->error[0] = '\0';
	c->n_results = 0;
	back = control_round_trip(c);
	assert_string_equal(back->error, "");
	assert_int_equal(back->n_results, 0);
	codec_control_clear(back);
	free(back);
	memset(c, 0, sizeof(*c));
	c->type = CTL_STATUS;
	c->max_dead = 50;
	back = control_round_trip(c);
	assert_int_equal(back->max_dead, 50);
	codec_control_clear(back);
	free(back);
	memset(c, 0, sizeof(*c));
	c->type = CTL_ERROR;
	snprintf(c->error, sizeof(c->error), "unknown request");
	back = control_round_trip(c);
	assert_string_equal(back->error, "unknown request");
	codec_control_clear(back);
	free(back);
	memset(c, 0, sizeof(*c));
	c->type = CTL_STARTING;
	snprintf(c->error, sizeof(c->error), "rebuilding the statistics");
	back = control_round_trip(c);
	assert_int_equal(back->type, CTL_STARTING);
	assert_string_equal(back->error, "rebuilding the statistics");
	codec_control_clear(back);
	free(back);
	free(c);
}

static void
test_control_node_status(void **state)
{
	struct control *c = calloc(1, sizeof(*c)), *back;
	struct dead_letter dead[3];
	size_t i;

	(void)state;
	assert_non_null(c);
	memset(dead, 0, sizeof(dead));
	for (i = 0; i < 3; i++) {
		dead[i].seq = 100 - i;
		snprintf(dead[i].ref, sizeof(dead[i].ref), "PNP-2026-%05zu", i);
		dead[i].reason = (enum reason)(REASON_BAD_EVENT + i);
		snprintf(dead[i].text, sizeof(dead[i].text), "text %zu", i);
		dead[i].at_ms = 1767225600000ull + i;
	}
	memset(dead[2].ref, 'r', 64);
	dead[2].ref[64] = '\0';
	c->type = CTL_NODE_STATUS;
	c->node.inst = INST_PJ;
	c->node.last_seq = 500;
	c->node.acked_seq = 480;
	c->node.accepted_total = 470;
	c->node.dead_total = 10;
	c->node.oldest_pending_ms = 11;
	c->node.last_contact_ms = 12;
	c->node.now_ms = 13;
	c->node.connected = true;
	c->node.alarm_backlog_hours = 24;
	c->node.n_dead = 3;
	c->node.dead = dead;
	snprintf(c->node.diverged, sizeof(c->node.diverged), "restored");
	c->node.has_skew = true;
	c->node.clock_skew_ms = -5184000000ll;
	snprintf(c->node.disk_full, sizeof(c->node.disk_full),
		 "no space left on /var/lib/kuska/pj");
	c->node.disk_full_ms = 14;
	c->node.alarm_silent_s = 900;
	c->node.started_ms = 15;
	c->node.handshake_refused_ms = 16;
	c->node.handshake_failed_ms = 17;
	c->node.has_grants = true;
	c->node.grants_default = true;
	c->node.grant_kinds = 1u << KIND_REFERRAL_RECEIVED;
	c->node.grant_stages = 1u << STAGE_CONVICTION;
	back = control_round_trip(c);
	assert_int_equal(back->node.alarm_silent_s, 900);
	/* Not said (an older node): every dead letter an alarm. */
	assert_false(back->node.has_dead_window);
	assert_int_equal(back->node.started_ms, 15);
	assert_int_equal(back->node.handshake_refused_ms, 16);
	assert_int_equal(back->node.handshake_failed_ms, 17);
	assert_true(back->node.has_grants);
	assert_true(back->node.grants_default);
	assert_int_equal(back->node.grant_kinds, 1u << KIND_REFERRAL_RECEIVED);
	assert_int_equal(back->node.grant_stages, 1u << STAGE_CONVICTION);
	assert_string_equal(back->node.diverged, "restored");
	assert_true(back->node.has_skew);
	assert_int_equal(back->node.clock_skew_ms, -5184000000ll);
	assert_string_equal(back->node.disk_full, c->node.disk_full);
	assert_int_equal(back->node.disk_full_ms, 14);
	assert_int_equal(back->node.inst, INST_PJ);
	assert_int_equal(back->node.last_seq, 500);
	assert_int_equal(back->node.acked_seq, 480);
	assert_int_equal(back->node.accepted_total, 470);
	assert_int_equal(back->node.dead_total, 10);
	assert_int_equal(back->node.oldest_pending_ms, 11);
	assert_int_equal(back->node.last_contact_ms, 12);
	assert_int_equal(back->node.now_ms, 13);
	assert_true(back->node.connected);
	assert_int_equal(back->node.alarm_backlog_hours, 24);
	assert_int_equal(back->node.n_dead, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(back->node.dead[i].seq, dead[i].seq);
		assert_string_equal(back->node.dead[i].ref, dead[i].ref);
		assert_int_equal(back->node.dead[i].reason, dead[i].reason);
		assert_string_equal(back->node.dead[i].text, dead[i].text);
		assert_int_equal(back->node.dead[i].at_ms, dead[i].at_ms);
	}
	codec_control_clear(back);
	assert_null(back->node.dead);
	free(back);

	/* A newer node's reason: a dead letter all the same, not "none". */
	dead[1].reason = (enum reason)77;
	back = control_round_trip(c);
	assert_int_equal(back->node.dead[1].reason, REASON_BAD_EVENT);
	assert_string_equal(back->node.dead[1].text,
			    "unknown reason 77 (from a newer version?): text 1");
	codec_control_clear(back);
	free(back);
	dead[1].reason = REASON_BAD_EVENT + 1;

	/* The dead letter alarm's window, 0 (always) told apart from not
	 * said, and the newest refusal's time. */
	c->node.has_dead_window = true;
	c->node.alarm_dead_letter_hours = 0;
	c->node.dead_newest_ms = 1767225600002ull;
	back = control_round_trip(c);
	assert_true(back->node.has_dead_window);
	assert_int_equal(back->node.alarm_dead_letter_hours, 0);
	assert_int_equal(back->node.dead_newest_ms, 1767225600002ull);
	codec_control_clear(back);
	free(back);
	c->node.alarm_dead_letter_hours = 168;
	back = control_round_trip(c);
	assert_int_equal(back->node.alarm_dead_letter_hours, 168);
	codec_control_clear(back);
	free(back);

	/* Refused: no institution, too many dead letters. */
	{
		uint8_t *buf;
		size_t len;
		struct control t;
		struct dead_letter *many;
		c->node.inst = INST_NONE;
		assert_int_equal(codec_control_encode(c, &buf, &len), 0);
		assert_int_equal(codec_control_decode(buf, len, &t), -EBADMSG);
		assert_null(t.node.dead);
		free(buf);
		many = calloc(CODEC_MAX_DEAD + 1, sizeof(*many));
		assert_non_null(many);
		c->node.inst = INST_PJ;
		c->node.dead = many;
		c->node.n_dead = CODEC_MAX_DEAD;
		assert_int_equal(codec_control_encode(c, &buf, &len), 0);
		assert_int_equal(codec_control_decode(buf, len, &t), 0);
		assert_int_equal(t.node.n_dead, CODEC_MAX_DEAD);
		codec_control_clear(&t);
		free(buf);
		c->node.n_dead = CODEC_MAX_DEAD + 1;
		assert_int_equal(codec_control_encode(c, &buf, &len), 0);
		assert_int_equal(codec_control_decode(buf, len, &t), -EBADMSG);
		assert_null(t.node.dead);
		free(buf);
		free(many);
	}
	free(c);
}

/* The unmatched take-ups a node holds, with their refs: absent from an
 * older node; not said yet; said; not said by an older consolidator. And
 * how many a client asks for (none: an older client). */
static void
test_control_node_unmatched(void **state)
{
	struct control *c = calloc(1, sizeof(*c)), *back;
	struct unmatched u[2];

	(void)state;
	assert_non_null(c);
	c->type = CTL_STATUS;
	back = control_round_trip(c);
	assert_int_equal(back->max_unmatched, 0);
	codec_control_clear(back);
	free(back);
	c->max_unmatched = CODEC_MAX_UNMATCHED;
	back = control_round_trip(c);
	assert_int_equal(back->max_unmatched, CODEC_MAX_UNMATCHED);
	codec_control_clear(back);
	free(back);

	memset(c, 0, sizeof(*c));
	c->type = CTL_NODE_STATUS;
	c->node.inst = INST_MIMP;
	c->node.now_ms = 20;
	back = control_round_trip(c);
	assert_false(back->node.has_unmatched);
	assert_int_equal(back->node.n_unmatched, 0);
	codec_control_clear(back);
	free(back);
	c->node.has_unmatched = true;
	back = control_round_trip(c);
	assert_true(back->node.has_unmatched);
	assert_int_equal(back->node.unmatched_ms, 0);
	assert_false(back->node.unmatched_unsaid);
	codec_control_clear(back);
	free(back);

	memset(u, 0, sizeof(u));
	u[0] = (struct unmatched){
	    .seq = 7, .from = INST_PNP, .date = 20400, .counted_date = 20398};
	snprintf(u[0].ref, sizeof(u[0].ref), "MIMP-RR-3");
	u[1] = (struct unmatched){
	    .seq = 9, .from = INST_MP, .date = 20401, .counted_date = 20401};
	c->node.unmatched = u;
	c->node.n_unmatched = 2;
	c->node.unmatched_total = 40;
	c->node.unmatched_ms = 1767225600123ull;
	back = control_round_trip(c);
	assert_true(back->node.has_unmatched);
	assert_int_equal(back->node.unmatched_total, 40);
	assert_int_equal(back->node.unmatched_ms, 1767225600123ull);
	assert_int_equal(back->node.n_unmatched, 2);
	assert_int_equal(back->node.unmatched[0].seq, 7);
	assert_int_equal(back->node.unmatched[0].from, INST_PNP);
	assert_int_equal(back->node.unmatched[0].date, 20400);
	assert_int_equal(back->node.unmatched[0].counted_date, 20398);
	assert_string_equal(back->node.unmatched[0].ref, "MIMP-RR-3");
	assert_string_equal(back->node.unmatched[1].ref, "");
	assert_int_equal(back->node.unmatched[1].from, INST_MP);
	assert_false(back->node.unmatched_asking);
	codec_control_clear(back);
	free(back);
	c->node.unmatched_asking = true;
	back = control_round_trip(c);
	assert_true(back->node.unmatched_asking);
	codec_control_clear(back);
	free(back);
	c->node.n_unmatched = 0;
	c->node.unmatched_unsaid = true;
	back = control_round_trip(c);
	assert_true(back->node.unmatched_unsaid);
	codec_control_clear(back);
	free(back);
	free(c);
}

/* What the last submissions did: counts, the first refused line's
 * number and field; absent from an older node, and then not made up. */
static void
test_control_node_submissions(void **state)
{
	struct control *c = calloc(1, sizeof(*c)), *back;

	(void)state;
	assert_non_null(c);
	c->type = CTL_NODE_STATUS;
	c->node.inst = INST_PNP;
	c->node.now_ms = 20;
	back = control_round_trip(c);
	assert_false(back->node.has_submissions);
	assert_int_equal(back->node.submissions, 0);
	assert_int_equal(back->node.last_submission_ms, 0);
	assert_int_equal(back->node.first_refused_line, 0);
	codec_control_clear(back);
	free(back);

	/* A node that started and has had none says so. */
	c->node.has_submissions = true;
	back = control_round_trip(c);
	assert_true(back->node.has_submissions);
	assert_int_equal(back->node.submissions, 0);
	assert_int_equal(back->node.last_submission.refused, 0);
	codec_control_clear(back);
	free(back);

	c->node.submissions = 3;
	c->node.last_submission_ms = 1767225600123ull;
	c->node.last_submission = (struct submit_counts){
	    .accepted = 1234, .held = 5, .refused = 3, .unlinkable = 1};
	c->node.submitted_total = (struct submit_counts){.accepted = 5000,
							 .held = 6,
							 .refused = 4,
							 .unlinkable = 2,
							 .rekeyed = 7};
	c->node.first_refused_line = 17;
	snprintf(c->node.first_refused_field,
		 sizeof(c->node.first_refused_field), "victims[0].birth_date");
	snprintf(c->node.first_refused_source,
		 sizeof(c->node.first_refused_source), "noviembre.jsonl");
	back = control_round_trip(c);
	assert_true(back->node.has_submissions);
	assert_int_equal(back->node.submissions, 3);
	assert_int_equal(back->node.last_submission_ms, 1767225600123ull);
	assert_int_equal(back->node.last_submission.accepted, 1234);
	assert_int_equal(back->node.last_submission.held, 5);
	assert_int_equal(back->node.last_submission.refused, 3);
	assert_int_equal(back->node.last_submission.unlinkable, 1);
	assert_int_equal(back->node.last_submission.rekeyed, 0);
	assert_int_equal(back->node.submitted_total.accepted, 5000);
	assert_int_equal(back->node.submitted_total.held, 6);
	assert_int_equal(back->node.submitted_total.refused, 4);
	assert_int_equal(back->node.submitted_total.unlinkable, 2);
	assert_int_equal(back->node.submitted_total.rekeyed, 7);
	assert_int_equal(back->node.first_refused_line, 17);
	assert_string_equal(back->node.first_refused_source, "noviembre.jsonl");
	assert_string_equal(back->node.first_refused_field,
			    "victims[0].birth_date");
	codec_control_clear(back);
	free(back);

	/* The run a submit request belongs to; none from an older client. */
	memset(c, 0, sizeof(*c));
	c->type = CTL_SUBMIT;
	snprintf(c->source, sizeof(c->source), "a.jsonl");
	c->first_line = 1;
	back = control_round_trip(c);
	assert_int_equal(back->run, 0);
	assert_false(back->end);
	codec_control_clear(back);
	free(back);
	c->run = 0xfedcba9876543210ull;
	back = control_round_trip(c);
	assert_int_equal(back->run, 0xfedcba9876543210ull);
	assert_false(back->end);
	codec_control_clear(back);
	free(back);
	/* The run's end, which the node logs. */
	c->end = true;
	back = control_round_trip(c);
	assert_int_equal(back->run, 0xfedcba9876543210ull);
	assert_true(back->end);
	codec_control_clear(back);
	free(back);
	free(c);
}

static void
test_control_cons_status(void **state)
{
	struct control *c = calloc(1, sizeof(*c)), *back;
	int i, j;

	(void)state;
	assert_non_null(c);
	c->type = CTL_CONS_STATUS;
	for (i = 1; i <= INST_COUNT; i++) {
		struct inst_status *s = &c->cons.inst[i];
		s->last_seq = 1000u * (unsigned)i;
		s->accepted = 900u * (unsigned)i;
		s->refused = 7u * (unsigned)i;
		s->last_contact_ms = 1767225600000ull + (unsigned)i;
		for (j = 1; j < REASON_COUNT; j += i)
			s->refused_by_reason[j] = (uint64_t)(i * 100 + j);
		s->diverged = i == 2;
		s->unregistered = i == 5;
		s->has_skew = i != 3;
		s->clock_skew_ms = i == 3   ? 0
				   : i == 4 ? -86400000ll * 30
					    : 1000 * i;
	}
	snprintf(c->cons.disk_full, sizeof(c->cons.disk_full),
		 "no space left on /var/lib/kuska/consolidator");
	c->cons.disk_full_ms = 1767225650000ull;
	c->cons.store_damaged_ms = 1767225640000ull;
	c->cons.now_ms = 1767225700000ull;
	c->cons.handshake_failures = 3;
	c->cons.frames_refused = 4;
	c->cons.control_refused = 5;
	c->cons.has_store_refused = true;
	c->cons.store_refused = 6;
	c->cons.alarm_silent_hours = 72;
	back = control_round_trip(c);
	/* Decoded into zeroed memory: the whole struct compares. */
	assert_memory_equal(&back->cons, &c->cons, sizeof(c->cons));
	codec_control_clear(back);
	free(back);

	/* An unknown control type is not encoded. */
	{
		uint8_t *buf;
		size_t len;
		c->type = CTL_NONE;
		assert_int_equal(codec_control_encode(c, &buf, &len), -EINVAL);
		c->type = (enum control_type)(CTL_STARTING + 1);
		assert_int_equal(codec_control_encode(c, &buf, &len), -EINVAL);
	}
	free(c);
}

static void
test_control_metrics(void **state)
{
	struct control *c = calloc(1, sizeof(*c)), *back;
	char *text;
	size_t i;

	(void)state;
	assert_non_null(c);
	c->type = CTL_METRICS;
	back = control_round_trip(c);
	assert_null(back->text);
	codec_control_clear(back);
	free(back);

	c->type = CTL_METRICS_TEXT;
	text = malloc(100000);
	assert_non_null(text);
	for (i = 0; i < 99999; i++)
		text[i] = (char)(i % 64 == 63 ? '\n' : 'a' + i % 26);
	text[99999] = '\0';
	c->text = text;
	back = control_round_trip(c);
	assert_non_null(back->text);
	assert_ptr_not_equal(back->text, text);
	assert_string_equal(back->text, text);
	codec_control_clear(back);
	assert_null(back->text);
	free(back);
	/* No text is an empty text. */
	c->text = NULL;
	back = control_round_trip(c);
	assert_string_equal(back->text, "");
	codec_control_clear(back);
	free(back);
	free(text);
	free(c);
}

/* The node's new status fields, and the key holder's status. */
static void
test_control_keyholder(void **state)
{
	struct control *c = calloc(1, sizeof(*c)), *back;
	struct keyholder_node nodes[2];

	(void)state;
	assert_non_null(c);
	c->type = CTL_NODE_STATUS;
	c->node.inst = INST_MP;
	c->node.key_epoch = 3;
	snprintf(c->node.keyholder_error, sizeof(c->node.keyholder_error),
		 "key holder tcp://h:1 unreachable");
	c->node.keyholder_error_ms = 77;
	c->node.has_key_check = true;
	memcpy(c->node.key_check, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	c->node.evaluations = 123456;
	c->node.n_old_epochs = 2;
	c->node.old_epoch[0] = 1;
	c->node.old_epoch_records[0] = 4;
	c->node.old_epoch[1] = 2;
	c->node.old_epoch_records[1] = 2000000;
	c->node.old_epoch_held[1] = 3;
	c->node.has_old_epoch_held = true;
	c->node.old_epochs_more = 5;
	back = control_round_trip(c);
	assert_int_equal(back->node.key_epoch, 3);
	/* The older epochs left out of the list are counted. */
	assert_int_equal(back->node.old_epochs_more, 5);
	assert_int_equal(back->node.n_old_epochs, 2);
	assert_int_equal(back->node.old_epoch[0], 1);
	assert_int_equal(back->node.old_epoch_records[0], 4);
	assert_int_equal(back->node.old_epoch[1], 2);
	assert_int_equal(back->node.old_epoch_records[1], 2000000);
	assert_int_equal(back->node.old_epoch_held[0], 0);
	assert_int_equal(back->node.old_epoch_held[1], 3);
	/* None held is said, not left out: status tells it from an older
	 * node's silence. */
	assert_true(back->node.has_old_epoch_held);
	assert_false(back->node.old_epochs_unknown);
	assert_string_equal(back->node.keyholder_error,
			    c->node.keyholder_error);
	assert_int_equal(back->node.keyholder_error_ms, 77);
	assert_true(back->node.has_key_check);
	assert_memory_equal(back->node.key_check, c->node.key_check, 8);
	assert_int_equal(back->node.evaluations, 123456);
	codec_control_clear(back);
	free(back);
	/* An older node's epochs, none held said: not known to be none. */
	c->node.has_old_epoch_held = false;
	back = control_round_trip(c);
	assert_int_equal(back->node.n_old_epochs, 2);
	assert_int_equal(back->node.old_epoch_records[1], 2000000);
	assert_int_equal(back->node.old_epoch_held[1], 0);
	assert_false(back->node.has_old_epoch_held);
	codec_control_clear(back);
	free(back);
	/* Not known: said so, no epoch. */
	c->node.n_old_epochs = 0;
	c->node.old_epochs_unknown = true;
	back = control_round_trip(c);
	assert_int_equal(back->node.n_old_epochs, 0);
	assert_true(back->node.old_epochs_unknown);
	codec_control_clear(back);
	free(back);

	memset(c, 0, sizeof(*c));
	memset(nodes, 0, sizeof(nodes));
	snprintf(nodes[0].id, sizeof(nodes[0].id), "pnp");
	nodes[0].requests = 1;
	nodes[0].evaluations = 2;
	nodes[0].refused_rate = 3;
	nodes[0].refused_other = 4;
	nodes[0].last_request_ms = 5;
	nodes[0].last_refusal_ms = 6;
	nodes[0].allowance = 7;
	snprintf(nodes[1].id, sizeof(nodes[1].id), "minsa");
	c->type = CTL_KEYHOLDER_STATUS;
	c->keyholder.epoch = 2;
	c->keyholder.now_ms = 9;
	c->keyholder.rate_per_day = 300000;
	c->keyholder.handshake_failures = 10;
	c->keyholder.requests_refused = 11;
	c->keyholder.n_nodes = 2;
	c->keyholder.nodes = nodes;
	back = control_round_trip(c);
	assert_int_equal(back->keyholder.epoch, 2);
	assert_int_equal(back->keyholder.now_ms, 9);
	assert_int_equal(back->keyholder.rate_per_day, 300000);
	assert_int_equal(back->keyholder.handshake_failures, 10);
	assert_int_equal(back->keyholder.requests_refused, 11);
	assert_int_equal(back->keyholder.n_nodes, 2);
	assert_memory_equal(back->keyholder.nodes, nodes, sizeof(nodes));
	assert_int_equal(back->keyholder.accounts_failed_ms, 0);
	assert_string_equal(back->keyholder.accounts_error, "");
	codec_control_clear(back);
	free(back);
	/* An accounts file that could not be written: when, and why. */
	c->keyholder.accounts_failed_ms = 12;
	snprintf(c->keyholder.accounts_error,
		 sizeof(c->keyholder.accounts_error), "%s",
		 "/var/lib/kuska/keyholder/accounts: No space left on device");
	back = control_round_trip(c);
	assert_int_equal(back->keyholder.accounts_failed_ms, 12);
	assert_string_equal(
	    back->keyholder.accounts_error,
	    "/var/lib/kuska/keyholder/accounts: No space left on device");
	codec_control_clear(back);
	free(back);
	free(c);
}

static void
test_control_refused(void **state)
{
	struct control t;
	struct pbw w = {0}, b = {0};
	size_t i;

	(void)state;
	assert_int_equal(codec_control_decode((const uint8_t *)"", 0, &t),
			 -EBADMSG);
	/* A submit reply with a line status out of range. */
	{
		struct pbw r = {0};
		pbw_varint(&r, 1, 1);
		pbw_varint(&r, 2, LINE_STATUS_LAST + 1);
		pbw_sub(&b, 1, &r);
		pbw_sub(&w, 2, &b);
		assert_int_equal(codec_control_decode(w.buf, w.len, &t),
				 -EBADMSG);
		assert_null(t.results);
		pbw_free(&w);
		pbw_varint(&r, 1, 1);
		pbw_varint(&r, 2, LINE_NONE);
		pbw_sub(&b, 1, &r);
		pbw_sub(&w, 2, &b);
		assert_int_equal(codec_control_decode(w.buf, w.len, &t),
				 -EBADMSG);
		pbw_free(&w);
	}
	/* A refusal's code: one this build knows is kept; one from a newer
	 * node reads as none (the reply is still good, its text printed),
	 * and so does one on a line not refused. */
	{
		static const struct {
			uint64_t status, why;
			enum line_reason want;
		} cases[] = {
		    {LINE_REFUSED, LINE_OWN_INSTITUTION, LINE_OWN_INSTITUTION},
		    {LINE_REFUSED, LINE_REASON_LAST + 1, LINE_REASON_NONE},
		    {LINE_ACCEPTED, LINE_REF_REUSED, LINE_REASON_NONE},
		};
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct pbw r = {0};
			pbw_varint(&r, 1, 1);
			pbw_varint(&r, 2, cases[i].status);
			pbw_bytes(&r, 5, "reworded", 8);
			pbw_varint(&r, 7, cases[i].why);
			pbw_sub(&b, 1, &r);
			pbw_sub(&w, 2, &b);
			assert_int_equal(codec_control_decode(w.buf, w.len, &t),
					 0);
			assert_int_equal(t.n_results, 1);
			assert_int_equal(t.results[0].why, cases[i].want);
			codec_control_clear(&t);
			pbw_free(&w);
		}
	}
	/* Too many lines in a reply. */
	for (i = 0; i <= CODEC_MAX_LINES; i++) {
		struct pbw r = {0};
		pbw_varint(&r, 1, i);
		pbw_varint(&r, 2, LINE_BLANK);
		pbw_sub(&b, 1, &r);
	}
	pbw_sub(&w, 2, &b);
	assert_int_equal(codec_control_decode(w.buf, w.len, &t), -EBADMSG);
	assert_null(t.results);
	pbw_free(&w);
	/* An institution status for no institution. */
	{
		struct pbw s = {0};
		pbw_varint(&s, 1, 0);
		pbw_varint(&s, 2, 1);
		pbw_varint(&s, 3, 1);
		pbw_varint(&s, 4, 1);
		pbw_varint(&s, 5, 1);
		pbw_sub(&b, 1, &s);
		pbw_varint(&b, 2, 1);
		pbw_varint(&b, 3, 1);
		pbw_varint(&b, 4, 1);
		pbw_varint(&b, 5, 1);
		pbw_sub(&w, 5, &b);
		assert_int_equal(codec_control_decode(w.buf, w.len, &t),
				 -EBADMSG);
		pbw_free(&w);
	}
	/* Oversize. */
	{
		uint8_t *big = calloc(1, CODEC_MAX_FRAME + 1);
		assert_non_null(big);
		assert_int_equal(
		    codec_control_decode(big, CODEC_MAX_FRAME + 1, &t),
		    -EBADMSG);
		free(big);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_control_submit),
	    cmocka_unit_test(test_control_node_status),
	    cmocka_unit_test(test_control_node_submissions),
	    cmocka_unit_test(test_control_node_unmatched),
	    cmocka_unit_test(test_control_cons_status),
	    cmocka_unit_test(test_control_metrics),
	    cmocka_unit_test(test_control_refused),
	    cmocka_unit_test(test_control_keyholder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
