/*
 * test_codec.c - what the codec's message families share (codec.c): the
 * reason names, and every decoder over garbage and over every bit flip of
 * valid encodings, refusing or giving a value its own checks accept.
 * Each family has its own test_codec_*.c.
 */
#include <errno.h>

#include "codec_fixture.h"

/* ---- garbage ----------------------------------------------------------- */

/* A small deterministic generator (xorshift64*). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Runs every decoder over buf; each either refuses or gives a value that
 * its own checks accept and that can be released. */
static void
decode_all(const uint8_t *buf, size_t len)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct control *c = calloc(1, sizeof(*c));
	struct envelope env;
	struct msg m;
	struct query_req q;
	struct qtable t;
	int r;

	assert_non_null(ev);
	assert_non_null(c);
	r = codec_event_decode(buf, len, ev);
	assert_true(r == 0 || r == -EBADMSG);
	if (r == 0)
		assert_int_equal(event_check(ev, NULL), 0);
	r = codec_envelope_decode(buf, len, &env);
	assert_true(r == 0 || r == -EBADMSG);
	if (r == 0) {
		assert_true(env.inst >= INST_PNP && env.inst <= INST_MINSA);
		assert_true(env.seq > 0);
	}
	codec_envelope_clear(&env);
	r = codec_msg_decode(buf, len, &m);
	assert_true(r == 0 || r == -EBADMSG || r == -EMSGSIZE);
	codec_msg_clear(&m);
	r = codec_control_decode(buf, len, c);
	assert_true(r == 0 || r == -EBADMSG);
	codec_control_clear(c);
	r = codec_query_req_decode(buf, len, &q);
	assert_true(r == 0 || r == -EBADMSG);
	r = codec_qtable_decode(buf, len, &t);
	assert_true(r == 0 || r == -EBADMSG);
	codec_qtable_clear(&t);
	free(ev);
	free(c);
}

static void
test_garbage(void **state)
{
	uint8_t buf[512];
	size_t i, j, len;

	(void)state;
	/* Patterns that are not protobuf at all are refused everywhere. */
	memset(buf, 0xff, sizeof(buf));
	{
		struct event *ev = calloc(1, sizeof(*ev));
		struct envelope env;
		struct msg m;
		struct control c;
		struct qtable t;
		struct query_req q;
		assert_non_null(ev);
		assert_int_equal(codec_event_decode(buf, 64, ev), -EBADMSG);
		assert_int_equal(codec_envelope_decode(buf, 64, &env),
				 -EBADMSG);
		assert_int_equal(codec_msg_decode(buf, 64, &m), -EBADMSG);
		assert_int_equal(codec_control_decode(buf, 64, &c), -EBADMSG);
		assert_int_equal(codec_qtable_decode(buf, 64, &t), -EBADMSG);
		assert_int_equal(codec_query_req_decode(buf, 64, &q), -EBADMSG);
		free(ev);
	}
	for (i = 0; i < 3000; i++) {
		len = rng() % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)rng();
		decode_all(buf, len);
	}
}

/* Every single-bit change of valid encodings: never a crash, and an
 * event that still decodes still passes event_check. */
static void
test_bit_flips(void **state)
{
	struct event *ev = new_event(KIND_CASE_STAGE);
	uint8_t *ebuf, *envbuf, *mbuf;
	size_t elen, envlen, mlen, i;
	struct envelope env;
	struct msg m;
	const uint8_t *envs[1];
	size_t lens[1];

	(void)state;
	ev->rec.n_victims = 2;
	assert_int_equal(codec_event_encode(ev, &ebuf, &elen), 0);
	env = sample_envelope(ebuf, elen);
	assert_int_equal(codec_envelope_encode(&env, &envbuf, &envlen), 0);
	memset(&m, 0, sizeof(m));
	m.type = MSG_BATCH;
	m.batch_id = 3;
	m.n_envelopes = 1;
	envs[0] = envbuf;
	lens[0] = envlen;
	m.envelopes = envs;
	m.envelope_lens = lens;
	assert_int_equal(codec_msg_encode(&m, &mbuf, &mlen), 0);
	for (i = 0; i < elen * 8; i++) {
		ebuf[i / 8] ^= (uint8_t)(1u << (i % 8));
		decode_all(ebuf, elen);
		ebuf[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	for (i = 0; i < mlen * 8; i += 3) {
		mbuf[i / 8] ^= (uint8_t)(1u << (i % 8));
		decode_all(mbuf, mlen);
		mbuf[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	free(ebuf);
	free(envbuf);
	free(mbuf);
	free(ev);
}

static void
test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(reason_name(REASON_NONE), "none");
	assert_string_equal(reason_name(REASON_BAD_SIGNATURE), "bad_signature");
	assert_string_equal(reason_name(REASON_BAD_REQUEST), "bad_request");
	assert_null(reason_name((enum reason)REASON_COUNT));
	assert_null(reason_name((enum reason) - 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_bit_flips),
	    cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
