/*
 * test_codec_oprf.c - the messages between a node and a key holder
 * (codec_oprf.c): requests, hellos and replies, and a request's id read
 * from its wire bytes whatever they are, or from their head alone.
 */
#include <errno.h>

#include "codec_fixture.h"

/* OPRF requests and replies: round trips, and what is refused. */
static void
test_oprf_messages(void **state)
{
	uint8_t el[3 * 32], *buf;
	struct oprf_msg m, back;
	struct pbw w = {0};
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(el); i++)
		el[i] = (uint8_t)i;
	memset(&m, 0, sizeof(m));
	m.request_id = 0x1234567890ull;
	m.epoch = 7;
	m.n = 3;
	m.elements = el;
	assert_int_equal(codec_oprf_request_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_oprf_request_decode(buf, len, 3, &back), 0);
	assert_int_equal(back.request_id, m.request_id);
	assert_int_equal(back.epoch, 7);
	assert_int_equal(back.n, 3);
	assert_memory_equal(back.elements, el, sizeof(el));
	codec_oprf_clear(&back);
	assert_null(back.priv);
	/* More elements than the holder takes: too large, not unpacked. */
	assert_int_equal(codec_oprf_request_decode(buf, len, 2, &back),
			 -EMSGSIZE);
	assert_null(back.priv);
	/* Every truncation is refused. */
	for (i = 0; i < len; i++)
		assert_int_not_equal(
		    codec_oprf_request_decode(buf, i, 3, &back), 0);
	free(buf);
	/* No element, or a partial one. */
	m.n = 0;
	assert_int_equal(codec_oprf_request_encode(&m, &buf, &len), -EINVAL);
	pbw_varint(&w, 1, 1);
	pbw_varint(&w, 2, 1);
	pbw_bytes(&w, 3, el, 31);
	assert_int_equal(codec_oprf_request_decode(w.buf, w.len, 10, &back),
			 -EBADMSG);
	pbw_free(&w);
	/* A hello: no elements at all, told apart, nothing to clear. */
	assert_int_equal(codec_oprf_hello_encode(5, 7, &buf, &len), 0);
	assert_int_equal(codec_oprf_request_decode(buf, len, 10, &back),
			 -ENODATA);
	assert_true(back.request_id == 5 && back.epoch == 7 && back.n == 0);
	assert_null(back.priv);
	free(buf);
	/* Answered OK with no elements. */
	memset(&m, 0, sizeof(m));
	m.request_id = 5;
	m.status = OPRF_OK;
	m.elements = el;
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_oprf_reply_decode(buf, len, &back), 0);
	assert_true(back.status == OPRF_OK && back.n == 0);
	codec_oprf_clear(&back);
	free(buf);

	/* A reply: OK with elements; a refusal with its text. */
	memset(&m, 0, sizeof(m));
	m.request_id = 9;
	m.status = OPRF_OK;
	m.epoch = 7;
	m.n = 3;
	m.elements = el;
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_oprf_reply_decode(buf, len, &back), 0);
	assert_int_equal(back.status, OPRF_OK);
	assert_int_equal(back.n, 3);
	assert_memory_equal(back.elements, el, sizeof(el));
	codec_oprf_clear(&back);
	free(buf);
	m.status = OPRF_RATE_LIMITED;
	snprintf(m.text, sizeof(m.text), "rate limit");
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_oprf_reply_decode(buf, len, &back), 0);
	assert_int_equal(back.status, OPRF_RATE_LIMITED);
	assert_int_equal(back.n, 0);
	assert_string_equal(back.text, "rate limit");
	assert_string_equal(oprf_status_name(back.status), "rate_limited");
	codec_oprf_clear(&back);
	free(buf);
	m.status = OPRF_NONE;
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), -EINVAL);
	assert_null(oprf_status_name((enum oprf_status)OPRF_STATUS_COUNT));
	/* A reply OK without elements, or with a status out of range. */
	pbw_varint(&w, 1, 1);
	pbw_varint(&w, 2, OPRF_OK);
	pbw_varint(&w, 3, 1);
	assert_int_equal(codec_oprf_reply_decode(w.buf, w.len, &back),
			 -EBADMSG);
	pbw_free(&w);
	pbw_varint(&w, 1, 1);
	pbw_varint(&w, 2, OPRF_STATUS_COUNT);
	pbw_varint(&w, 3, 1);
	assert_int_equal(codec_oprf_reply_decode(w.buf, w.len, &back),
			 -EBADMSG);
	pbw_free(&w);
}

/*
 * A holder's max_batch: said in its answer to a hello and in a too_large
 * refusal; a reply of an older holder, without the field, reads as 0.
 */
static void
test_oprf_max_batch(void **state)
{
	static const uint8_t none[1];
	struct oprf_msg m, back;
	struct pbw w = {0};
	uint8_t *buf;
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.request_id = 5;
	m.status = OPRF_OK;
	m.elements = none;
	m.max_batch = 100;
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_oprf_reply_decode(buf, len, &back), 0);
	assert_true(back.status == OPRF_OK && back.n == 0);
	assert_int_equal(back.max_batch, 100);
	codec_oprf_clear(&back);
	free(buf);
	m.status = OPRF_TOO_LARGE;
	m.max_batch = 65536;
	snprintf(m.text, sizeof(m.text), "more than 65536 elements");
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_oprf_reply_decode(buf, len, &back), 0);
	assert_int_equal(back.status, OPRF_TOO_LARGE);
	assert_int_equal(back.max_batch, 65536);
	codec_oprf_clear(&back);
	free(buf);
	/* Not said: the field is left out, as an older holder sends. */
	m.max_batch = 0;
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_oprf_reply_decode(buf, len, &back), 0);
	assert_int_equal(back.max_batch, 0);
	codec_oprf_clear(&back);
	free(buf);
	pbw_varint(&w, 1, 5);
	pbw_varint(&w, 2, OPRF_OK);
	pbw_varint(&w, 3, 1);
	pbw_bytes(&w, 4, none, 0);
	assert_int_equal(codec_oprf_reply_decode(w.buf, w.len, &back), 0);
	assert_int_equal(back.max_batch, 0);
	codec_oprf_clear(&back);
	pbw_varint(&w, 6, 1000);
	assert_int_equal(codec_oprf_reply_decode(w.buf, w.len, &back), 0);
	assert_int_equal(back.max_batch, 1000);
	codec_oprf_clear(&back);
	pbw_free(&w);
}

/*
 * A refusal's reason code: said, it reads back; an older holder's reply,
 * without the field, reads as none (its text is all there is), and so
 * does a code of a later holder this one does not know.
 */
static void
test_oprf_reason(void **state)
{
	struct oprf_msg m, back;
	struct pbw w = {0};
	uint8_t *buf;
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.request_id = 5;
	m.status = OPRF_RATE_LIMITED;
	m.reason = OPRF_REASON_OVER_DAY;
	snprintf(m.text, sizeof(m.text), "never answered at this rate");
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_oprf_reply_decode(buf, len, &back), 0);
	assert_int_equal(back.status, OPRF_RATE_LIMITED);
	assert_int_equal(back.reason, OPRF_REASON_OVER_DAY);
	assert_string_equal(back.text, "never answered at this rate");
	codec_oprf_clear(&back);
	free(buf);
	m.reason = OPRF_REASON_NONE;
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), 0);
	assert_int_equal(codec_oprf_reply_decode(buf, len, &back), 0);
	assert_int_equal(back.reason, OPRF_REASON_NONE);
	codec_oprf_clear(&back);
	free(buf);
	pbw_varint(&w, 1, 5);
	pbw_varint(&w, 2, OPRF_RATE_LIMITED);
	pbw_varint(&w, 3, 1);
	assert_int_equal(codec_oprf_reply_decode(w.buf, w.len, &back), 0);
	assert_int_equal(back.reason, OPRF_REASON_NONE);
	codec_oprf_clear(&back);
	pbw_varint(&w, 7, 1);
	assert_int_equal(codec_oprf_reply_decode(w.buf, w.len, &back), 0);
	assert_int_equal(back.reason, OPRF_REASON_OVER_DAY);
	codec_oprf_clear(&back);
	pbw_free(&w);
	pbw_varint(&w, 1, 5);
	pbw_varint(&w, 2, OPRF_RATE_LIMITED);
	pbw_varint(&w, 3, 1);
	pbw_varint(&w, 7, 99);
	assert_int_equal(codec_oprf_reply_decode(w.buf, w.len, &back), 0);
	assert_int_equal(back.reason, OPRF_REASON_NONE);
	codec_oprf_clear(&back);
	pbw_free(&w);
}

/* Scans a copy of exactly len bytes, so a read past them is caught. */
static uint64_t
scan_id(const uint8_t *buf, size_t len)
{
	uint8_t *copy;
	uint64_t id;

	if (buf == NULL)
		return codec_oprf_request_id(NULL, len);
	copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, buf, len);
	id = codec_oprf_request_id(copy, len);
	free(copy);
	return id;
}

/* The id of a request read from its wire bytes, whatever they are. */
static void
test_oprf_request_id(void **state)
{
	static const uint8_t cut_varint[] = {0x08, 0xff, 0xff};
	static const uint8_t long_varint[] = {0x08, 0xff, 0xff, 0xff,
					      0xff, 0xff, 0xff, 0xff,
					      0xff, 0xff, 0xff, 0x01};
	static const uint8_t field_zero[] = {0x00, 0x05, 0x08, 0x05};
	/* Field 0 in a key of two bytes, a varint 0: skipped as unknown. */
	static const uint8_t field_zero_long[] = {0x08, 0x05, 0x80, 0x00,
						  0x00};
	static const uint8_t group[] = {0x08, 0x05, 0x13, 0x14};
	static const uint8_t bad_type[] = {0x08, 0x05, 0x17, 0x00};
	static const uint8_t id_as_bytes[] = {0x0a, 0x01, 0x05};
	uint8_t el[3 * 32] = {0}, *buf;
	struct oprf_msg m, back;
	struct pbw w = {0};
	size_t len, i, id_end;
	uint64_t id;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.request_id = 0xfedcba9876543210ull; /* a varint of 10 bytes */
	m.epoch = 7;
	m.n = 3;
	m.elements = el;
	assert_int_equal(codec_oprf_request_encode(&m, &buf, &len), 0);
	assert_true(scan_id(buf, len) == m.request_id);
	/* Too large for the holder: refused unread, the id still known. */
	assert_int_equal(codec_oprf_request_decode(buf, len, 2, &back),
			 -EMSGSIZE);
	assert_true(scan_id(buf, len) == m.request_id);
	/* Cut anywhere: no id until the id is whole, then it or none. */
	id_end = 1 + 10;
	for (i = 0; i < len; i++) {
		id = scan_id(buf, i);
		if (i < id_end)
			assert_true(id == 0);
		else
			assert_true(id == 0 || id == m.request_id);
	}
	/* What the unpacker takes, the scan takes: a request that decodes
	 * with a long-keyed field 0 after it has the same id. */
	buf = realloc(buf, len + sizeof(field_zero_long) - 2);
	assert_non_null(buf);
	memcpy(buf + len, field_zero_long + 2, sizeof(field_zero_long) - 2);
	assert_int_equal(codec_oprf_request_decode(
			     buf, len + sizeof(field_zero_long) - 2, 16, &back),
			 0);
	assert_true(scan_id(buf, len + sizeof(field_zero_long) - 2) ==
		    back.request_id);
	assert_true(back.request_id == m.request_id);
	codec_oprf_clear(&back);
	free(buf);

	assert_true(scan_id(NULL, 0) == 0);
	assert_true(scan_id(cut_varint, sizeof(cut_varint)) == 0);
	assert_true(scan_id(long_varint, sizeof(long_varint)) == 0);
	assert_true(scan_id(field_zero, sizeof(field_zero)) == 0);
	assert_true(scan_id(field_zero_long, sizeof(field_zero_long)) == 5);
	assert_true(scan_id(group, sizeof(group)) == 0);
	assert_true(scan_id(bad_type, sizeof(bad_type)) == 0);
	assert_true(scan_id(id_as_bytes, sizeof(id_as_bytes)) == 0);
	/* A length past the end, however large, is not followed. */
	pbw_varint(&w, 1, 5);
	pbw_raw_varint(&w, 3 << 3 | 2);
	pbw_raw_varint(&w, UINT64_MAX);
	assert_true(scan_id(w.buf, w.len) == 0);
	pbw_free(&w);
	/* Any order, unknown fields skipped, the last id wins (as the
	 * unpacker does); no id at all is 0. */
	pbw_bytes(&w, 3, el, 32);
	pbw_varint(&w, 1, 5);
	pbw_raw_varint(&w, 9 << 3 | 1);
	for (i = 0; i < 8; i++)
		pbw_byte(&w, 0xff);
	pbw_raw_varint(&w, 10 << 3 | 5);
	for (i = 0; i < 4; i++)
		pbw_byte(&w, 0xff);
	pbw_varint(&w, 1, 6);
	pbw_varint(&w, 2, 7);
	assert_true(scan_id(w.buf, w.len) == 6);
	assert_int_equal(codec_oprf_request_decode(w.buf, w.len, 3, &back), 0);
	assert_true(back.request_id == 6);
	codec_oprf_clear(&back);
	pbw_free(&w);
	pbw_varint(&w, 2, 7);
	pbw_bytes(&w, 3, el, 32);
	assert_true(scan_id(w.buf, w.len) == 0);
	pbw_free(&w);
}

/* The id of a request from its head alone, as a key holder keeps it of
 * one too large to read. */
static void
test_oprf_request_id_head(void **state)
{
	static const uint8_t id_as_bytes[] = {0x0a, 0x01, 0x05};
	uint8_t el[32] = {0}, *buf, *head;
	struct oprf_msg m;
	size_t len, i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.request_id = 0xfedcba9876543210ull; /* a varint of 10 bytes */
	m.epoch = 7;
	m.n = 1;
	m.elements = el;
	assert_int_equal(codec_oprf_request_encode(&m, &buf, &len), 0);
	/* Each head in a copy of its own length: a read past it is caught. */
	for (i = 0; i <= CODEC_OPRF_ID_HEAD_LEN + 5; i++) {
		uint64_t want = i < CODEC_OPRF_ID_HEAD_LEN ? 0 : m.request_id;
		head = malloc(i ? i : 1);
		assert_non_null(head);
		memcpy(head, buf, i);
		assert_true(codec_oprf_request_id_head(head, i) == want);
		free(head);
	}
	free(buf);
	m.request_id = 5;
	assert_int_equal(codec_oprf_request_encode(&m, &buf, &len), 0);
	assert_true(codec_oprf_request_id_head(buf, 2) == 5);
	free(buf);
	/* Not the id first: none. */
	assert_true(
	    codec_oprf_request_id_head(id_as_bytes, sizeof(id_as_bytes)) == 0);
	assert_true(codec_oprf_request_id_head(NULL, 0) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_oprf_messages),
	    cmocka_unit_test(test_oprf_max_batch),
	    cmocka_unit_test(test_oprf_reason),
	    cmocka_unit_test(test_oprf_request_id),
	    cmocka_unit_test(test_oprf_request_id_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
