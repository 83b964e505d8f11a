/*
 * test_codec_msg.c - node <-> consolidator messages (codec_msg.c): round
 * trips of each type, batch and rejection limits, reasons from a newer
 * version, memory running out, and what is refused.
 */
#include <errno.h>

#include "codec_fixture.h"
#include "fail_malloc.h"

static void
msg_round_trip(const struct msg *m, struct msg *back)
{
	uint8_t *buf, *copy;
	size_t len, i;

	assert_int_equal(codec_msg_encode(m, &buf, &len), 0);
	assert_int_equal(codec_msg_decode(buf, len, back), 0);
	assert_int_equal(back->type, m->type);
	/* No proper prefix decodes. */
	for (i = 0; i < len; i++) {
		struct msg t;
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, buf, i);
		assert_int_equal(codec_msg_decode(copy, i, &t), -EBADMSG);
		assert_null(t.priv);
		free(copy);
	}
	free(buf);
}

static void msg_round_trip_whole(const struct msg *m, struct msg *back);

static void
test_msg_hello_welcome(void **state)
{
	struct msg m, back;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = MSG_HELLO;
	m.inst = INST_MINSA;
	m.version = CODEC_VERSION;
	m.nonce = 0xfedcba9876543210ull;
	snprintf(m.network, sizeof(m.network), "pe-trata-2026");
	msg_round_trip(&m, &back);
	assert_int_equal(back.inst, INST_MINSA);
	assert_int_equal(back.version, CODEC_VERSION);
	assert_int_equal(back.nonce, m.nonce);
	assert_string_equal(back.network, "pe-trata-2026");
	codec_msg_clear(&back);
	/* An old node's hello names no network. */
	m.network[0] = '\0';
	msg_round_trip(&m, &back);
	assert_string_equal(back.network, "");
	codec_msg_clear(&back);
	assert_null(back.priv);
	codec_msg_clear(&back);

	memset(&m, 0, sizeof(m));
	m.type = MSG_WELCOME;
	m.nonce = 7;
	m.last_seq = UINT64_MAX;
	msg_round_trip(&m, &back);
	assert_int_equal(back.nonce, 7);
	assert_int_equal(back.last_seq, UINT64_MAX);
	assert_false(back.has_grants);
	codec_msg_clear(&back);
	/* The grants: kinds by name, stages; none at all is said too. */
	m.has_grants = true;
	m.grant_kinds = 1u << KIND_SERVICE | 1u << KIND_WITHDRAWAL;
	m.grant_stages = 1u << STAGE_TRIAL | 1u << STAGE_DISMISSAL;
	msg_round_trip_whole(&m, &back);
	assert_true(back.has_grants);
	assert_int_equal(back.grant_kinds, m.grant_kinds);
	assert_int_equal(back.grant_stages, m.grant_stages);
	codec_msg_clear(&back);
	m.grant_kinds = m.grant_stages = 0;
	msg_round_trip_whole(&m, &back);
	assert_true(back.has_grants);
	assert_int_equal(back.grant_kinds, 0);
	codec_msg_clear(&back);
}

/* A round trip of a message with optional fields: a prefix that stops
 * before them is a valid message, so only the whole is compared. */
static void
msg_round_trip_whole(const struct msg *m, struct msg *back)
{
	uint8_t *buf;
	size_t len;

	assert_int_equal(codec_msg_encode(m, &buf, &len), 0);
	assert_int_equal(codec_msg_decode(buf, len, back), 0);
	assert_int_equal(back->type, m->type);
	free(buf);
}

/*
 * A hello asks for the unmatched take-ups, a Welcome says them with their
 * total; one without the total (an older consolidator's) says none, and
 * one of more than CODEC_MAX_UNMATCHED, or of a sender out of range, is
 * refused.
 */
static void
test_msg_unmatched(void **state)
{
	struct msg m, back;
	uint8_t *buf;
	size_t len, i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = MSG_HELLO;
	m.inst = INST_MIMP;
	m.version = CODEC_VERSION;
	msg_round_trip_whole(&m, &back);
	assert_int_equal(back.unmatched_max, 0);
	codec_msg_clear(&back);
	m.unmatched_max = CODEC_MAX_UNMATCHED;
	msg_round_trip_whole(&m, &back);
	assert_int_equal(back.unmatched_max, CODEC_MAX_UNMATCHED);
	codec_msg_clear(&back);

	memset(&m, 0, sizeof(m));
	m.type = MSG_WELCOME;
	m.nonce = 3;
	/* An older consolidator's: nothing said. */
	msg_round_trip_whole(&m, &back);
	assert_false(back.has_unmatched);
	assert_null(back.unmatched);
	codec_msg_clear(&back);
	/* None unmatched is said too. */
	m.has_unmatched = true;
	msg_round_trip_whole(&m, &back);
	assert_true(back.has_unmatched);
	assert_int_equal(back.unmatched_total, 0);
	assert_int_equal(back.n_unmatched, 0);
	codec_msg_clear(&back);
	m.unmatched = calloc(CODEC_MAX_UNMATCHED + 1, sizeof(*m.unmatched));
	assert_non_null(m.unmatched);
	for (i = 0; i <= CODEC_MAX_UNMATCHED; i++) {
		m.unmatched[i].seq = 100 + i;
		m.unmatched[i].from = INST_PNP;
		m.unmatched[i].date = 20400 + (int32_t)i;
		m.unmatched[i].counted_date = 20399;
		/* Never on the wire. */
		snprintf(m.unmatched[i].ref, sizeof(m.unmatched[i].ref),
			 "MIMP-RR-%zu", i);
	}
	m.n_unmatched = 2;
	m.unmatched_total = 5000;
	m.unmatched[1].from = INST_MINSA;
	assert_int_equal(codec_msg_encode(&m, &buf, &len), 0);
	assert_null(memmem(buf, len, "MIMP-RR", 7));
	assert_int_equal(codec_msg_decode(buf, len, &back), 0);
	free(buf);
	assert_true(back.has_unmatched);
	assert_int_equal(back.unmatched_total, 5000);
	assert_int_equal(back.n_unmatched, 2);
	assert_int_equal(back.unmatched[0].seq, 100);
	assert_int_equal(back.unmatched[0].from, INST_PNP);
	assert_int_equal(back.unmatched[0].date, 20400);
	assert_int_equal(back.unmatched[0].counted_date, 20399);
	assert_string_equal(back.unmatched[0].ref, "");
	assert_int_equal(back.unmatched[1].seq, 101);
	assert_int_equal(back.unmatched[1].from, INST_MINSA);
	codec_msg_clear(&back);
	/* The most a Welcome holds, and one more. */
	m.unmatched[1].from = INST_PNP;
	m.n_unmatched = CODEC_MAX_UNMATCHED;
	msg_round_trip_whole(&m, &back);
	assert_int_equal(back.n_unmatched, CODEC_MAX_UNMATCHED);
	assert_int_equal(back.unmatched[CODEC_MAX_UNMATCHED - 1].seq,
			 100 + CODEC_MAX_UNMATCHED - 1);
	codec_msg_clear(&back);
	m.n_unmatched = CODEC_MAX_UNMATCHED + 1;
	assert_int_equal(codec_msg_encode(&m, &buf, &len), -EMSGSIZE);
	/* More listed than the total says: not believed. */
	m.n_unmatched = 3;
	m.unmatched_total = 2;
	assert_int_equal(codec_msg_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_msg_decode(buf, len, &back), -EBADMSG);
	assert_null(back.priv);
	free(buf);
	/* A sender that is no institution. */
	m.unmatched_total = 3;
	m.unmatched[2].from = (enum institution)(INST_COUNT + 1);
	assert_int_equal(codec_msg_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_msg_decode(buf, len, &back), -EBADMSG);
	free(buf);
	free(m.unmatched);
}

/* Hello and welcome carry the outbox check and the clocks. */
static void
test_msg_outbox_check(void **state)
{
	struct msg m, back;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = MSG_HELLO;
	m.inst = INST_PNP;
	m.version = CODEC_VERSION;
	m.nonce = 3;
	m.has_outbox_id = true;
	memset(m.outbox_id, 0xab, sizeof(m.outbox_id));
	m.has_outbox_last_seq = true;
	m.outbox_last_seq = 2465;
	m.now_ms = 1790000000000ull;
	snprintf(m.diverged, sizeof(m.diverged), "restored");
	m.has_in_step = true;
	memset(m.in_step_sig, 0x5a, SIGNATURE_LEN);
	memset(m.in_step_key_id, 0x6b, KEY_ID_LEN);
	msg_round_trip_whole(&m, &back);
	assert_true(back.has_in_step);
	assert_memory_equal(back.in_step_sig, m.in_step_sig, SIGNATURE_LEN);
	assert_memory_equal(back.in_step_key_id, m.in_step_key_id, KEY_ID_LEN);
	assert_true(back.has_outbox_id);
	assert_memory_equal(back.outbox_id, m.outbox_id, CODEC_OUTBOX_ID_LEN);
	assert_true(back.has_outbox_last_seq);
	assert_int_equal(back.outbox_last_seq, 2465);
	assert_int_equal(back.now_ms, m.now_ms);
	assert_string_equal(back.diverged, "restored");
	codec_msg_clear(&back);
	/* Without them: absent, not zero-filled lookalikes. */
	m.has_outbox_id = m.has_outbox_last_seq = false;
	m.has_in_step = false;
	m.now_ms = 0;
	m.diverged[0] = '\0';
	msg_round_trip(&m, &back);
	assert_false(back.has_in_step);
	assert_false(back.has_outbox_id);
	assert_false(back.has_outbox_last_seq);
	assert_string_equal(back.diverged, "");
	codec_msg_clear(&back);

	memset(&m, 0, sizeof(m));
	m.type = MSG_WELCOME;
	m.nonce = 9;
	m.last_seq = 4930;
	m.has_check = true;
	m.check_seq = 4930;
	memset(m.check_hash, 0x5c, sizeof(m.check_hash));
	m.has_outbox_id = true;
	memset(m.outbox_id, 0x11, sizeof(m.outbox_id));
	m.now_ms = 42;
	msg_round_trip_whole(&m, &back);
	assert_true(back.has_check);
	assert_int_equal(back.check_seq, 4930);
	assert_memory_equal(back.check_hash, m.check_hash, CODEC_HASH_LEN);
	assert_true(back.has_outbox_id);
	assert_int_equal(back.now_ms, 42);
	codec_msg_clear(&back);

	/* A 15-byte outbox id is refused. */
	{
		struct pbw w = {0}, h = {0};
		pbw_varint(&h, 1, INST_PNP);
		pbw_varint(&h, 2, CODEC_VERSION);
		pbw_varint(&h, 3, 1);
		pbw_bytes(&h, 10, "0123456789abcde", 15);
		pbw_sub(&w, 1, &h);
		assert_int_equal(codec_msg_decode(w.buf, w.len, &back),
				 -EBADMSG);
		pbw_free(&w);
	}
}

/* RecoverRequest and RecoverReply: held events in order, each once. */
static void
test_msg_recover(void **state)
{
	struct msg m, back;
	struct held_event h[3];
	uint8_t env[3] = {1, 2, 3};
	uint8_t *buf;
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = MSG_RECOVER_REQUEST;
	m.from_seq = 501;
	msg_round_trip(&m, &back);
	assert_int_equal(back.from_seq, 501);
	assert_false(back.refusals_only);
	codec_msg_clear(&back);
	/* A running node's question for refusals whose Ack was lost. */
	m.refusals_only = true;
	msg_round_trip(&m, &back);
	assert_true(back.refusals_only);
	codec_msg_clear(&back);

	memset(h, 0, sizeof(h));
	h[0].seq = 1;
	h[0].env = env;
	h[0].len = 3;
	h[1].seq = 2;
	h[1].reason = REASON_KEY_NOT_VALID;
	snprintf(h[1].text, sizeof(h[1].text), "revoked");
	h[2].seq = 4;
	h[2].env = env;
	h[2].len = 2;
	h[2].reason = REASON_BAD_EVENT;
	memset(&m, 0, sizeof(m));
	m.type = MSG_RECOVER_REPLY;
	m.last_seq = 4;
	m.n_held = 3;
	m.held = h;
	m.has_outbox_id = true;
	memset(m.outbox_id, 0x22, sizeof(m.outbox_id));
	msg_round_trip_whole(&m, &back);
	assert_int_equal(back.last_seq, 4);
	assert_int_equal(back.n_held, 3);
	assert_int_equal(back.held[0].len, 3);
	assert_memory_equal(back.held[0].env, env, 3);
	assert_int_equal(back.held[0].reason, REASON_NONE);
	assert_null(back.held[1].env);
	assert_int_equal(back.held[1].reason, REASON_KEY_NOT_VALID);
	assert_string_equal(back.held[1].text, "revoked");
	assert_int_equal(back.held[2].seq, 4);
	assert_int_equal(back.held[2].reason, REASON_BAD_EVENT);
	assert_true(back.has_outbox_id);
	assert_int_equal(back.scanned_to, 0); /* not said */
	codec_msg_clear(&back);
	m.scanned_to = 7;
	msg_round_trip_whole(&m, &back);
	assert_int_equal(back.scanned_to, 7);
	codec_msg_clear(&back);
	m.scanned_to = 0;

	/* Out of order is refused. */
	h[2].seq = 2;
	assert_int_equal(codec_msg_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_msg_decode(buf, len, &back), -EBADMSG);
	free(buf);
	/* So is more than a batch's worth. */
	m.n_held = CODEC_MAX_BATCH_EVENTS + 1;
	assert_int_equal(codec_msg_encode(&m, &buf, &len), -EMSGSIZE);
}

static void
test_msg_batch(void **state)
{
	struct msg m, back;
	uint8_t e0[1] = {9}, e1[300], e2[CODEC_MAX_ENVELOPE];
	const uint8_t *envs[4];
	size_t lens[4], i;

	(void)state;
	memset(e1, 0x61, sizeof(e1));
	memset(e2, 0x62, sizeof(e2));
	envs[0] = e0;
	lens[0] = sizeof(e0);
	envs[1] = e1;
	lens[1] = sizeof(e1);
	envs[2] = e2;
	lens[2] = sizeof(e2);
	envs[3] = e1;
	lens[3] = 0;
	memset(&m, 0, sizeof(m));
	m.type = MSG_BATCH;
	m.batch_id = 31337;
	m.n_envelopes = 4;
	m.envelopes = envs;
	m.envelope_lens = lens;
	msg_round_trip(&m, &back);
	assert_int_equal(back.batch_id, 31337);
	assert_int_equal(back.n_envelopes, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(back.envelope_lens[i], lens[i]);
		if (lens[i] > 0)
			assert_memory_equal(back.envelopes[i], envs[i],
					    lens[i]);
	}
	codec_msg_clear(&back);

	/* An empty batch. */
	m.n_envelopes = 0;
	msg_round_trip(&m, &back);
	assert_int_equal(back.n_envelopes, 0);
	codec_msg_clear(&back);
}

/* A batch decoded short of memory, at any one allocation: -ENOMEM, not
 * -EBADMSG (the consolidator would refuse it as undecodable). */
static void
test_msg_out_of_memory(void **state)
{
	struct msg m, back;
	uint8_t e[300], *buf;
	const uint8_t *envs[3] = {e, e, e};
	size_t lens[3] = {sizeof(e), 100, 1}, len;
	unsigned long n;
	int r, failures = 0;

	(void)state;
	memset(e, 0x61, sizeof(e));
	memset(&m, 0, sizeof(m));
	m.type = MSG_BATCH;
	m.batch_id = 7;
	m.n_envelopes = 3;
	m.envelopes = envs;
	m.envelope_lens = lens;
	assert_int_equal(codec_msg_encode(&m, &buf, &len), 0);
	for (n = 1;; n++) {
		fail_malloc(n);
		r = codec_msg_decode(buf, len, &back);
		fail_malloc(0);
		if (malloc_failures() == 0)
			break;
		failures++;
		assert_int_equal(r, -ENOMEM);
	}
	assert_int_equal(r, 0);
	assert_true(failures >= 4); /* the message, a batch, 3 envelopes */
	assert_int_equal(back.n_envelopes, 3);
	codec_msg_clear(&back);
	free(buf);
}

static void
test_msg_batch_limit(void **state)
{
	const uint8_t **envs;
	size_t *lens, i, len;
	uint8_t one = 1, *buf;
	struct msg m, back;
	struct pbw w = {0}, b = {0};

	(void)state;
	envs = calloc(CODEC_MAX_BATCH_EVENTS + 1, sizeof(*envs));
	lens = calloc(CODEC_MAX_BATCH_EVENTS + 1, sizeof(*lens));
	assert_non_null(envs);
	assert_non_null(lens);
	for (i = 0; i <= CODEC_MAX_BATCH_EVENTS; i++) {
		envs[i] = &one;
		lens[i] = 1;
	}
	memset(&m, 0, sizeof(m));
	m.type = MSG_BATCH;
	m.batch_id = 1;
	m.envelopes = envs;
	m.envelope_lens = lens;
	m.n_envelopes = CODEC_MAX_BATCH_EVENTS;
	assert_int_equal(codec_msg_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_msg_decode(buf, len, &back), 0);
	assert_int_equal(back.n_envelopes, CODEC_MAX_BATCH_EVENTS);
	codec_msg_clear(&back);
	free(buf);
	m.n_envelopes = CODEC_MAX_BATCH_EVENTS + 1;
	assert_int_equal(codec_msg_encode(&m, &buf, &len), -EMSGSIZE);

	/* A crafted batch one over the limit. */
	pbw_varint(&b, 1, 1);
	for (i = 0; i <= CODEC_MAX_BATCH_EVENTS; i++)
		pbw_bytes(&b, 2, &one, 1);
	pbw_sub(&w, 3, &b);
	assert_int_equal(codec_msg_decode(w.buf, w.len, &back), -EMSGSIZE);
	assert_null(back.priv);
	assert_null(back.envelopes);
	pbw_free(&w);

	/* A crafted ack with one rejection over the limit. */
	pbw_varint(&b, 1, 1);
	pbw_varint(&b, 2, 1);
	for (i = 0; i <= CODEC_MAX_REJECTIONS; i++) {
		struct pbw r = {0};
		pbw_varint(&r, 1, i + 1);
		pbw_varint(&r, 2, REASON_BAD_EVENT);
		pbw_str(&r, 3, "x");
		pbw_sub(&b, 3, &r);
	}
	pbw_sub(&w, 4, &b);
	assert_int_equal(codec_msg_decode(w.buf, w.len, &back), -EMSGSIZE);
	assert_null(back.rejections);
	pbw_free(&w);

	/* A frame over CODEC_MAX_FRAME is refused unread. */
	buf = calloc(1, CODEC_MAX_FRAME + 1);
	assert_non_null(buf);
	assert_int_equal(codec_msg_decode(buf, CODEC_MAX_FRAME + 1, &back),
			 -EMSGSIZE);
	free(buf);
	free(envs);
	free(lens);
}

/*
 * A frame of many tiny entries (an empty envelope is two bytes on the
 * wire, a held event with its sequence alone four): refused as too large,
 * having asked malloc for about twice the frame, where unpacking every
 * entry before counting them took some fifty bytes each (200 MiB for
 * one 8 MiB batch, on the consolidator, from a node's transport key).
 */
static void
test_msg_many_tiny_entries(void **state)
{
	struct pbw w = {0}, b = {0};
	struct msg back;
	uint8_t one = 1;
	unsigned long asked;
	size_t i;

	(void)state;
	pbw_varint(&b, 1, 1);
	for (i = 0; i < 4000000; i++)
		pbw_bytes(&b, 2, &one, 0);
	pbw_sub(&w, 3, &b); /* Message.batch */
	assert_true(w.len <= CODEC_MAX_FRAME);
	malloc_bytes(true);
	assert_int_equal(codec_msg_decode(w.buf, w.len, &back), -EMSGSIZE);
	asked = malloc_bytes(false);
	print_message("batch of 4,000,000 empty envelopes (%zu bytes): "
		      "%lu bytes asked\n",
		      w.len, asked);
	assert_true(asked <= 2 * w.len + (2u << 20));
	assert_null(back.priv);
	pbw_free(&w);

	pbw_varint(&b, 1, 1); /* RecoverReply.last_seq */
	for (i = 0; i < 2000000; i++) {
		struct pbw h = {0};
		pbw_varint(&h, 1, 1);
		pbw_sub(&b, 2, &h);
	}
	pbw_sub(&w, 11, &b); /* Message.recover_reply */
	assert_true(w.len <= CODEC_MAX_FRAME);
	malloc_bytes(true);
	assert_int_equal(codec_msg_decode(w.buf, w.len, &back), -EMSGSIZE);
	asked = malloc_bytes(false);
	print_message("recover reply of 2,000,000 held events (%zu bytes): "
		      "%lu bytes asked\n",
		      w.len, asked);
	assert_true(asked <= 2 * w.len + (2u << 20));
	pbw_free(&w);
}

static void
test_msg_ack_refusal(void **state)
{
	struct rejection rej[3];
	struct msg m, back;
	size_t i;

	(void)state;
	memset(rej, 0, sizeof(rej));
	rej[0].seq = 10;
	rej[0].reason = REASON_BAD_SIGNATURE;
	snprintf(rej[0].text, sizeof(rej[0].text), "signature does not verify");
	rej[1].seq = 11;
	rej[1].reason = REASON_KIND_NOT_ALLOWED;
	rej[1].text[0] = '\0';
	rej[2].seq = UINT64_MAX;
	rej[2].reason = REASON_BAD_REQUEST;
	memset(rej[2].text, 'z', CODEC_MAX_TEXT);
	rej[2].text[CODEC_MAX_TEXT] = '\0';
	memset(&m, 0, sizeof(m));
	m.type = MSG_ACK;
	m.batch_id = 5;
	m.last_seq = 12;
	m.n_rejections = 3;
	m.rejections = rej;
	msg_round_trip(&m, &back);
	assert_int_equal(back.batch_id, 5);
	assert_int_equal(back.last_seq, 12);
	assert_int_equal(back.n_rejections, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(back.rejections[i].seq, rej[i].seq);
		assert_int_equal(back.rejections[i].reason, rej[i].reason);
		assert_string_equal(back.rejections[i].text, rej[i].text);
	}
	codec_msg_clear(&back);

	/* An ack without rejections. */
	m.n_rejections = 0;
	m.rejections = NULL;
	msg_round_trip(&m, &back);
	assert_int_equal(back.n_rejections, 0);
	codec_msg_clear(&back);

	/* Refusal with an expected sequence number. */
	memset(&m, 0, sizeof(m));
	m.type = MSG_REFUSAL;
	m.batch_id = 8;
	m.reason = REASON_GAP;
	snprintf(m.text, sizeof(m.text), "expected %u", 40u);
	m.has_expected = true;
	m.expected_seq = 40;
	msg_round_trip(&m, &back);
	assert_int_equal(back.batch_id, 8);
	assert_int_equal(back.reason, REASON_GAP);
	assert_string_equal(back.text, "expected 40");
	assert_true(back.has_expected);
	assert_int_equal(back.expected_seq, 40);
	codec_msg_clear(&back);
	/* Without batch or expected sequence. */
	memset(&m, 0, sizeof(m));
	m.type = MSG_REFUSAL;
	m.reason = REASON_NOT_AUTHORIZED;
	msg_round_trip(&m, &back);
	assert_int_equal(back.batch_id, 0);
	assert_false(back.has_expected);
	assert_int_equal(back.reason, REASON_NOT_AUTHORIZED);
	assert_string_equal(back.text, "");
	codec_msg_clear(&back);
	/* Expected sequence 0 is still "given". */
	m.has_expected = true;
	m.expected_seq = 0;
	msg_round_trip(&m, &back);
	assert_true(back.has_expected);
	codec_msg_clear(&back);
}

/*
 * A reason this version does not know (a newer version's) stays a
 * refusal everywhere: bad_event, the generic one, its number in front of
 * the text for the operator. As none, a rejected record read as accepted,
 * and a held answer holding one was undecodable whole.
 */
static void
test_msg_unknown_reason(void **state)
{
	struct pbw w = {0}, b = {0}, r = {0};
	struct msg back;

	(void)state;
	/* A whole batch refused. */
	pbw_varint(&b, 2, 77);
	pbw_str(&b, 3, "later");
	pbw_sub(&w, 5, &b);
	assert_int_equal(codec_msg_decode(w.buf, w.len, &back), 0);
	assert_int_equal(back.type, MSG_REFUSAL);
	assert_int_equal(back.reason, REASON_BAD_EVENT);
	assert_string_equal(back.text,
			    "unknown reason 77 (from a newer version?): later");
	codec_msg_clear(&back);
	pbw_free(&w);

	/* An ack's rejections: one unknown with no text, one none. */
	pbw_varint(&b, 1, 1);
	pbw_varint(&b, 2, 4);
	pbw_varint(&r, 1, 3);
	pbw_varint(&r, 2, 77);
	pbw_str(&r, 3, "");
	pbw_sub(&b, 3, &r);
	pbw_varint(&r, 1, 4);
	pbw_varint(&r, 2, REASON_NONE);
	pbw_str(&r, 3, "why");
	pbw_sub(&b, 3, &r);
	pbw_sub(&w, 4, &b);
	assert_int_equal(codec_msg_decode(w.buf, w.len, &back), 0);
	assert_int_equal(back.n_rejections, 2);
	assert_int_equal(back.rejections[0].reason, REASON_BAD_EVENT);
	assert_string_equal(back.rejections[0].text,
			    "unknown reason 77 (from a newer version?)");
	assert_int_equal(back.rejections[1].reason, REASON_BAD_EVENT);
	assert_string_equal(back.rejections[1].text, "reason unknown: why");
	codec_msg_clear(&back);
	pbw_free(&w);

	/* A held answer: read whole, the refusal a refusal. */
	pbw_varint(&b, 1, 3);
	pbw_varint(&r, 1, 2);
	pbw_varint(&r, 3, 77);
	pbw_str(&r, 4, "newer");
	pbw_sub(&b, 2, &r);
	pbw_varint(&r, 1, 3);
	pbw_varint(&r, 3, REASON_KEY_NOT_VALID);
	pbw_str(&r, 4, "revoked");
	pbw_sub(&b, 2, &r);
	pbw_sub(&w, 11, &b);
	assert_int_equal(codec_msg_decode(w.buf, w.len, &back), 0);
	assert_int_equal(back.type, MSG_RECOVER_REPLY);
	assert_int_equal(back.n_held, 2);
	assert_int_equal(back.held[0].seq, 2);
	assert_int_equal(back.held[0].reason, REASON_BAD_EVENT);
	assert_string_equal(back.held[0].text,
			    "unknown reason 77 (from a newer version?): newer");
	assert_int_equal(back.held[1].reason, REASON_KEY_NOT_VALID);
	assert_string_equal(back.held[1].text, "revoked");
	codec_msg_clear(&back);
	pbw_free(&w);
}

static void
test_msg_refused(void **state)
{
	struct msg m, back;
	uint8_t *buf;
	size_t len;
	struct pbw w = {0}, b = {0};
	char longtext[600];

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(codec_msg_encode(&m, &buf, &len), -EINVAL);
	m.type = (enum msg_type)(MSG_RECOVER_REPLY + 1);
	assert_int_equal(codec_msg_encode(&m, &buf, &len), -EINVAL);

	/* A hello from no institution. */
	m.type = MSG_HELLO;
	m.inst = INST_NONE;
	assert_int_equal(codec_msg_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_msg_decode(buf, len, &back), -EBADMSG);
	assert_null(back.priv);
	free(buf);
	m.inst = (enum institution)(INST_COUNT + 1);
	assert_int_equal(codec_msg_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_msg_decode(buf, len, &back), -EBADMSG);
	free(buf);

	/* An empty message, and garbage. */
	assert_int_equal(codec_msg_decode((const uint8_t *)"", 0, &back),
			 -EBADMSG);
	{
		uint8_t g[64];
		memset(g, 0xff, sizeof(g));
		assert_int_equal(codec_msg_decode(g, sizeof(g), &back),
				 -EBADMSG);
	}

	/* Unknown reasons stay refusals (test_msg_unknown_reason); over-long
	 * texts are cut, the reason's number in front. */
	memset(longtext, 'q', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	pbw_varint(&b, 2, 250);
	pbw_str(&b, 3, longtext);
	pbw_sub(&w, 5, &b);
	assert_int_equal(codec_msg_decode(w.buf, w.len, &back), 0);
	assert_int_equal(back.type, MSG_REFUSAL);
	assert_int_equal(back.reason, REASON_BAD_EVENT);
	assert_int_equal(strlen(back.text), CODEC_MAX_TEXT);
	assert_memory_equal(back.text, "unknown reason 250 ", 19);
	codec_msg_clear(&back);
	pbw_free(&w);
	{
		struct pbw r = {0};
		pbw_varint(&b, 1, 1);
		pbw_varint(&b, 2, 1);
		pbw_varint(&r, 1, 3);
		pbw_varint(&r, 2, REASON_COUNT);
		pbw_str(&r, 3, longtext);
		pbw_sub(&b, 3, &r);
		pbw_sub(&w, 4, &b);
		assert_int_equal(codec_msg_decode(w.buf, w.len, &back), 0);
		assert_int_equal(back.n_rejections, 1);
		assert_int_equal(back.rejections[0].reason, REASON_BAD_EVENT);
		assert_int_equal(strlen(back.rejections[0].text),
				 CODEC_MAX_TEXT);
		codec_msg_clear(&back);
		pbw_free(&w);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_msg_hello_welcome),
	    cmocka_unit_test(test_msg_unmatched),
	    cmocka_unit_test(test_msg_outbox_check),
	    cmocka_unit_test(test_msg_recover),
	    cmocka_unit_test(test_msg_batch),
	    cmocka_unit_test(test_msg_out_of_memory),
	    cmocka_unit_test(test_msg_batch_limit),
	    cmocka_unit_test(test_msg_many_tiny_entries),
	    cmocka_unit_test(test_msg_ack_refusal),
	    cmocka_unit_test(test_msg_refused),
	    cmocka_unit_test(test_msg_unknown_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
