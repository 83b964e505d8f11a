/*
 * test_codec_envelope.c - envelopes (codec_event.c): round trips, fields
 * and sizes refused, and memory running out while decoding an event or an
 * envelope (-ENOMEM) told apart from bad input (-EBADMSG).
 */
#include <errno.h>

#include "codec_fixture.h"
#include "fail_malloc.h"

/*
 * Memory running out while decoding, at any one allocation (protobuf-c's
 * past the stack arena, for a large event; the envelope's copy of its
 * event), is -ENOMEM, never -EBADMSG: the bytes are good.
 */
static void
test_decode_out_of_memory(void **state)
{
	struct event *ev = new_event(KIND_CASE_STAGE), *back;
	struct envelope env, eback;
	uint8_t *buf, *ebuf;
	size_t i, len, elen;
	unsigned long n;
	int r, failures = 0;

	(void)state;
	ev->rec.n_victims = EVENT_MAX_CASE_VICTIMS;
	for (i = 0; i < EVENT_MAX_CASE_VICTIMS; i++)
		fill_victim(&ev->rec.victims[i], (unsigned)(i * 7 + 1));
	assert_int_equal(codec_event_encode(ev, &buf, &len), 0);
	back = calloc(1, sizeof(*back));
	assert_non_null(back);
	for (n = 1;; n++) {
		fail_malloc(n);
		r = codec_event_decode(buf, len, back);
		fail_malloc(0);
		if (malloc_failures() == 0)
			break;
		failures++;
		assert_int_equal(r, -ENOMEM);
	}
	assert_int_equal(r, 0);
	assert_true(failures > 256); /* a victim each, at least */
	/* The event in an envelope: larger than the arena too. */
	env = sample_envelope(buf, len);
	assert_int_equal(codec_envelope_encode(&env, &ebuf, &elen), 0);
	failures = 0;
	for (n = 1;; n++) {
		fail_malloc(n);
		r = codec_envelope_decode(ebuf, elen, &eback);
		fail_malloc(0);
		if (malloc_failures() == 0)
			break;
		failures++;
		assert_int_equal(r, -ENOMEM);
		assert_null(eback.event);
	}
	assert_int_equal(r, 0);
	assert_true(failures >= 2); /* the arena's spill, the copy */
	assert_int_equal(eback.event_len, len);
	codec_envelope_clear(&eback);
	/* Bad bytes are still bad, memory or not. */
	buf[0] = 0xff;
	assert_int_equal(codec_event_decode(buf, 1, back), -EBADMSG);
	free(ebuf);
	free(buf);
	free(back);
	free(ev);
}

static void
test_envelope_round_trip(void **state)
{
	uint8_t event[100], *buf, *buf2;
	struct envelope env, back;
	size_t len, len2, i;

	(void)state;
	for (i = 0; i < sizeof(event); i++)
		event[i] = (uint8_t)(255 - i);
	env = sample_envelope(event, sizeof(event));
	assert_int_equal(codec_envelope_encode(&env, &buf, &len), 0);
	assert_int_equal(codec_envelope_decode(buf, len, &back), 0);
	assert_int_equal(back.version, env.version);
	assert_int_equal(back.inst, env.inst);
	assert_int_equal(back.seq, env.seq);
	assert_memory_equal(back.key_id, env.key_id, KEY_ID_LEN);
	assert_int_equal(back.created_ms, env.created_ms);
	assert_int_equal(back.event_len, env.event_len);
	assert_memory_equal(back.event, env.event, env.event_len);
	assert_ptr_not_equal(back.event, env.event);
	assert_memory_equal(back.signature, env.signature, SIGNATURE_LEN);
	assert_string_equal(back.network, "pe-trata-2026");
	assert_int_equal(codec_envelope_encode(&back, &buf2, &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(buf2, buf, len);
	free(buf2);
	codec_envelope_clear(&back);
	assert_null(back.event);
	assert_int_equal(back.event_len, 0);
	codec_envelope_clear(&back); /* a zeroed envelope is fine */

	/* The version is not judged by the decoder; every institution and
	 * an empty event go through. */
	env.version = 99;
	env.event_len = 0;
	for (i = INST_PNP; i <= INST_MINSA; i++) {
		env.inst = (enum institution)i;
		assert_int_equal(codec_envelope_encode(&env, &buf2, &len2), 0);
		assert_int_equal(codec_envelope_decode(buf2, len2, &back), 0);
		assert_int_equal(back.version, 99);
		assert_int_equal(back.inst, i);
		assert_int_equal(back.event_len, 0);
		codec_envelope_clear(&back);
		free(buf2);
	}

	/* Every proper prefix is refused, but the one that ends where the
	 * network (last, optional) begins: it has no network, which no
	 * signature can be made for. */
	for (i = 0; i < len; i++) {
		uint8_t *copy = malloc(i ? i : 1);
		int r;
		assert_non_null(copy);
		memcpy(copy, buf, i);
		r = codec_envelope_decode(copy, i, &back);
		if (i == len - 2 - strlen("pe-trata-2026")) {
			assert_int_equal(r, 0);
			assert_string_equal(back.network, "");
			codec_envelope_clear(&back);
		} else {
			assert_int_equal(r, -EBADMSG);
		}
		assert_null(back.event);
		free(copy);
	}
	free(buf);

	/* A network name longer than one can be is refused, not cut. */
	env = sample_envelope(event, sizeof(event));
	snprintf(env.network, sizeof(env.network), "%s",
		 "0123456789012345678901234567890");
	assert_int_equal(codec_envelope_encode(&env, &buf, &len), 0);
	assert_int_equal(codec_envelope_decode(buf, len, &back), 0);
	assert_string_equal(back.network, env.network);
	codec_envelope_clear(&back);
	free(buf);
	{
		/* By hand: field 8, length 32. */
		uint8_t *b2;
		size_t l2;
		env.network[0] = '\0';
		assert_int_equal(codec_envelope_encode(&env, &b2, &l2), 0);
		buf = malloc(l2 + 34);
		assert_non_null(buf);
		memcpy(buf, b2, l2);
		buf[l2] = 0x42; /* field 8, length-delimited */
		buf[l2 + 1] = 32;
		memset(buf + l2 + 2, 'n', 32);
		assert_int_equal(codec_envelope_decode(buf, l2 + 34, &back),
				 -EBADMSG);
		buf[l2 + 1] = 31;
		assert_int_equal(codec_envelope_decode(buf, l2 + 33, &back), 0);
		assert_int_equal(strlen(back.network), 31);
		codec_envelope_clear(&back);
		free(b2);
		free(buf);
	}
}

static void
test_envelope_refused(void **state)
{
	uint8_t event[16] = {0}, *buf, *big;
	struct envelope env, back;
	size_t len;

	(void)state;
	env = sample_envelope(event, sizeof(event));
	/* Fields out of range, each encoded faithfully then refused. */
	env.inst = INST_NONE;
	assert_int_equal(codec_envelope_encode(&env, &buf, &len), 0);
	assert_int_equal(codec_envelope_decode(buf, len, &back), -EBADMSG);
	free(buf);
	env.inst = (enum institution)(INST_COUNT + 1);
	assert_int_equal(codec_envelope_encode(&env, &buf, &len), 0);
	assert_int_equal(codec_envelope_decode(buf, len, &back), -EBADMSG);
	free(buf);
	env.inst = INST_PJ;
	env.seq = 0;
	assert_int_equal(codec_envelope_encode(&env, &buf, &len), 0);
	assert_int_equal(codec_envelope_decode(buf, len, &back), -EBADMSG);
	free(buf);
	env.seq = 1;

	/* Key id and signature lengths, through a crafted envelope. */
	{
		static const size_t klen[] = {0, 7, 9, 8, 8};
		static const size_t slen[] = {64, 64, 64, 63, 65};
		uint8_t junk[80];
		size_t i;
		memset(junk, 1, sizeof(junk));
		for (i = 0; i < 5; i++) {
			struct pbw w = {0};
			pbw_varint(&w, 1, 1);
			pbw_varint(&w, 2, INST_PJ);
			pbw_varint(&w, 3, 1);
			pbw_bytes(&w, 4, junk, klen[i]);
			pbw_varint(&w, 5, 1);
			pbw_bytes(&w, 6, junk, 10);
			pbw_bytes(&w, 7, junk, slen[i]);
			assert_int_equal(
			    codec_envelope_decode(w.buf, w.len, &back),
			    -EBADMSG);
			pbw_free(&w);
		}
	}

	/* An event over CODEC_MAX_EVENT is not encoded... */
	big = calloc(1, CODEC_MAX_ENVELOPE + 16);
	assert_non_null(big);
	env.event = big;
	env.event_len = CODEC_MAX_ENVELOPE;
	assert_int_equal(codec_envelope_encode(&env, &buf, &len), -EMSGSIZE);
	/* ...and one just over it, inside the envelope cap, is refused by
	 * the decoder. */
	{
		struct pbw w = {0};
		uint8_t junk[64] = {0};
		pbw_varint(&w, 1, 1);
		pbw_varint(&w, 2, INST_PJ);
		pbw_varint(&w, 3, 1);
		pbw_bytes(&w, 4, junk, KEY_ID_LEN);
		pbw_varint(&w, 5, 1);
		pbw_bytes(&w, 6, big, CODEC_MAX_EVENT + 1);
		pbw_bytes(&w, 7, junk, SIGNATURE_LEN);
		assert_true(w.len <= CODEC_MAX_ENVELOPE);
		assert_int_equal(codec_envelope_decode(w.buf, w.len, &back),
				 -EBADMSG);
		pbw_free(&w);
		/* Exactly CODEC_MAX_EVENT decodes. */
		pbw_varint(&w, 1, 1);
		pbw_varint(&w, 2, INST_PJ);
		pbw_varint(&w, 3, 1);
		pbw_bytes(&w, 4, junk, KEY_ID_LEN);
		pbw_varint(&w, 5, 1);
		pbw_bytes(&w, 6, big, CODEC_MAX_EVENT);
		pbw_bytes(&w, 7, junk, SIGNATURE_LEN);
		assert_int_equal(codec_envelope_decode(w.buf, w.len, &back), 0);
		assert_int_equal(back.event_len, CODEC_MAX_EVENT);
		codec_envelope_clear(&back);
		pbw_free(&w);
	}
	/* Over the envelope cap: refused unread. */
	assert_int_equal(
	    codec_envelope_decode(big, CODEC_MAX_ENVELOPE + 1, &back),
	    -EBADMSG);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_envelope_round_trip),
	    cmocka_unit_test(test_decode_out_of_memory),
	    cmocka_unit_test(test_envelope_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
