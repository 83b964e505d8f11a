/*
 * test_codec_event.c - events (codec_event.c): round trips of every kind,
 * corrections and withdrawals, encoding refusing what event_check refuses,
 * and decoding refusing truncated and oversize events.
 */
#include <errno.h>

#include "codec_fixture.h"

static void
assert_victim_equal(const struct victim *a, const struct victim *b)
{
	assert_int_equal(a->doc_type, b->doc_type);
	if (a->doc_type != DOC_NONE)
		assert_memory_equal(a->doc_key, b->doc_key, PSEUDONYM_LEN);
	assert_int_equal(a->has_name_key, b->has_name_key);
	if (a->has_name_key)
		assert_memory_equal(a->name_key, b->name_key, PSEUDONYM_LEN);
	assert_int_equal(a->has_v1_key, b->has_v1_key);
	if (a->has_v1_key)
		assert_memory_equal(a->v1_key, b->v1_key, PSEUDONYM_LEN);
	assert_int_equal(a->sex, b->sex);
	assert_int_equal(a->age_group, b->age_group);
	assert_int_equal(a->age_years, b->age_years);
	assert_string_equal(a->nationality, b->nationality);
}

/* Field by field, for the fields the kind uses. */
static void
assert_event_equal(const struct event *a, const struct event *b)
{
	const struct record *x = &a->rec, *y = &b->rec;
	size_t i;

	assert_memory_equal(a->id, b->id, EVENT_ID_LEN);
	assert_int_equal(a->kind, b->kind);
	if (a->kind == KIND_CORRECTION || a->kind == KIND_WITHDRAWAL)
		assert_int_equal(a->target_seq, b->target_seq);
	if (a->kind == KIND_WITHDRAWAL)
		return;
	assert_int_equal(x->kind, y->kind);
	assert_int_equal(x->date, y->date);
	assert_int_equal(x->region, y->region);
	switch (x->kind) {
	case KIND_IDENTIFICATION:
		assert_victim_equal(&x->victim, &y->victim);
		assert_int_equal(x->exploitation, y->exploitation);
		break;
	case KIND_REFERRAL:
		assert_victim_equal(&x->victim, &y->victim);
		assert_int_equal(x->other, y->other);
		assert_int_equal(x->purpose, y->purpose);
		assert_memory_equal(x->referral, y->referral, PSEUDONYM_LEN);
		break;
	case KIND_REFERRAL_RECEIVED:
		assert_victim_equal(&x->victim, &y->victim);
		assert_int_equal(x->other, y->other);
		assert_memory_equal(x->referral, y->referral, PSEUDONYM_LEN);
		break;
	case KIND_SERVICE:
		assert_victim_equal(&x->victim, &y->victim);
		assert_int_equal(x->service, y->service);
		break;
	case KIND_CASE_STAGE:
		assert_memory_equal(x->case_id, y->case_id, PSEUDONYM_LEN);
		assert_int_equal(x->stage, y->stage);
		assert_int_equal(x->persons, y->persons);
		assert_string_equal(x->article, y->article);
		assert_int_equal(x->n_victims, y->n_victims);
		for (i = 0; i < x->n_victims; i++)
			assert_victim_equal(&x->victims[i], &y->victims[i]);
		break;
	default:
		fail_msg("unexpected record kind %d", x->kind);
	}
}

/* Encodes ev, decodes it again, compares, and checks re-encoding gives
 * the same bytes. Returns the encoding (caller frees). */
static uint8_t *
round_trip(const struct event *ev, size_t *ret_len)
{
	struct event *back = calloc(1, sizeof(*back));
	uint8_t *buf = NULL, *buf2 = NULL;
	size_t len = 0, len2 = 0;

	assert_non_null(back);
	assert_int_equal(event_check(ev, NULL), 0);
	assert_int_equal(codec_event_encode(ev, &buf, &len), 0);
	assert_non_null(buf);
	assert_true(len > EVENT_ID_LEN);
	memset(back, 0xee, sizeof(*back));
	assert_int_equal(codec_event_decode(buf, len, back), 0);
	assert_event_equal(ev, back);
	assert_int_equal(event_check(back, NULL), 0);
	assert_int_equal(codec_event_encode(back, &buf2, &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(buf2, buf, len);
	free(buf2);
	free(back);
	*ret_len = len;
	return buf;
}

static void
test_event_round_trip_kinds(void **state)
{
	enum kind k;

	(void)state;
	for (k = KIND_IDENTIFICATION; k <= KIND_CASE_STAGE; k++) {
		struct event *ev = new_event(k);
		size_t len;
		free(round_trip(ev, &len));
		free(ev);
	}
}

static void
test_event_round_trip_variants(void **state)
{
	struct event *ev;
	size_t len;
	int e;

	(void)state;
	/* Each exploitation alone, and all of them. */
	ev = new_event(KIND_IDENTIFICATION);
	for (e = 1; e <= EXPL_COUNT; e++) {
		ev->rec.exploitation = 1u << e;
		free(round_trip(ev, &len));
	}
	ev->rec.exploitation = ((1u << (EXPL_COUNT + 1)) - 1) & ~1u;
	free(round_trip(ev, &len));
	/* Unlinkable, limits of age and region and date. */
	ev->rec.victim.doc_type = DOC_NONE;
	ev->rec.victim.has_name_key = false;
	memset(ev->rec.victim.doc_key, 0, PSEUDONYM_LEN);
	ev->rec.victim.age_years = 120;
	ev->rec.victim.age_group = AGE_18_PLUS;
	ev->rec.region = 25;
	ev->rec.date = date_from_ymd(DATE_MIN_YEAR, 1, 1);
	free(round_trip(ev, &len));
	ev->rec.victim.age_years = 0;
	ev->rec.victim.age_group = AGE_0_5;
	ev->rec.region = 1;
	ev->rec.date = date_from_ymd(9999, 12, 31);
	free(round_trip(ev, &len));
	free(ev);

	/* A case stage without victims, persons 0 and at the limit. */
	ev = new_event(KIND_CASE_STAGE);
	ev->rec.n_victims = 0;
	ev->rec.persons = 0;
	free(round_trip(ev, &len));
	ev->rec.persons = EVENT_MAX_PERSONS;
	snprintf(ev->rec.article, sizeof(ev->rec.article), "%s",
		 "123456789012345"); /* 15 characters: the most */
	free(round_trip(ev, &len));
	for (e = STAGE_COMPLAINT; e <= STAGE_DISMISSAL; e++) {
		ev->rec.stage = (enum stage)e;
		free(round_trip(ev, &len));
	}
	free(ev);
}

static void
test_event_correction_withdrawal(void **state)
{
	enum kind k;
	struct event *ev;
	size_t len;

	(void)state;
	for (k = KIND_IDENTIFICATION; k <= KIND_CASE_STAGE; k++) {
		ev = new_event(k);
		ev->kind = KIND_CORRECTION;
		ev->target_seq = 1000 + k;
		free(round_trip(ev, &len));
		ev->target_seq = UINT64_MAX;
		free(round_trip(ev, &len));
		free(ev);
	}
	ev = calloc(1, sizeof(*ev));
	assert_non_null(ev);
	memset(ev->id, 0x42, EVENT_ID_LEN);
	ev->kind = KIND_WITHDRAWAL;
	ev->target_seq = 77;
	free(round_trip(ev, &len));
	ev->target_seq = UINT64_MAX;
	free(round_trip(ev, &len));
	free(ev);
}

/* The largest case stage: every victim slot used. */
static void
test_event_many_victims(void **state)
{
	struct event *ev = new_event(KIND_CASE_STAGE);
	uint8_t *buf;
	size_t i, len;

	(void)state;
	ev->rec.n_victims = EVENT_MAX_CASE_VICTIMS;
	for (i = 0; i < EVENT_MAX_CASE_VICTIMS; i++)
		fill_victim(&ev->rec.victims[i], (unsigned)(i * 7 + 1));
	buf = round_trip(ev, &len);
	assert_true(len < CODEC_MAX_EVENT);
	free(buf);
	/* The same as a correction. */
	ev->kind = KIND_CORRECTION;
	ev->target_seq = 5;
	free(round_trip(ev, &len));
	free(ev);
}

/* codec_event_encode refuses what event_check refuses. */
static void
test_event_encode_refuses_bad(void **state)
{
	struct event *ev;
	uint8_t *buf = (uint8_t *)0x1;
	size_t len = 12345;

	(void)state;
	ev = new_event(KIND_IDENTIFICATION);
	ev->rec.region = 0;
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	ev->rec.region = 15;
	ev->rec.exploitation = 0;
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	ev->rec.exploitation = 1u << EXPL_SEXUAL;
	ev->rec.victim.sex = SEX_NONE;
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	ev->rec.victim.sex = SEX_F;
	ev->rec.victim.nationality[0] = 'p';
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	ev->rec.victim.nationality[0] = 'P';
	ev->rec.kind = KIND_SERVICE; /* disagrees with ev->kind */
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	ev->kind = KIND_NONE;
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	ev->kind = (enum kind)(KIND_COUNT + 1);
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	free(ev);

	ev = new_event(KIND_CASE_STAGE);
	ev->rec.n_victims = EVENT_MAX_CASE_VICTIMS + 1;
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	ev->rec.n_victims = 1;
	ev->rec.article[0] = '\0';
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	snprintf(ev->rec.article, sizeof(ev->rec.article), "129");
	ev->rec.persons = EVENT_MAX_PERSONS + 1;
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	ev->rec.persons = 1;
	ev->rec.victims[0].age_years = 121;
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	/* A correction's record is checked too. */
	ev->kind = KIND_CORRECTION;
	assert_int_equal(codec_event_encode(ev, &buf, &len), -EINVAL);
	free(ev);
	/* Outputs untouched. */
	assert_ptr_equal(buf, (uint8_t *)0x1);
	assert_int_equal(len, 12345);
}

/* Every proper prefix of a valid encoding is refused. */
static void
test_event_truncated(void **state)
{
	enum kind k;

	(void)state;
	for (k = KIND_IDENTIFICATION; k <= KIND_WITHDRAWAL; k++) {
		struct event *ev =
		    new_event(k == KIND_CORRECTION || k == KIND_WITHDRAWAL
				  ? KIND_CASE_STAGE
				  : k);
		struct event *back = calloc(1, sizeof(*back));
		uint8_t *buf, *copy;
		size_t len, i;

		assert_non_null(back);
		if (k == KIND_CORRECTION || k == KIND_WITHDRAWAL) {
			ev->kind = k;
			ev->target_seq = 9;
		}
		buf = round_trip(ev, &len);
		for (i = 0; i < len; i++) {
			/* An exact-size copy, so ASan sees any over-read. */
			copy = malloc(i ? i : 1);
			assert_non_null(copy);
			memcpy(copy, buf, i);
			assert_int_equal(codec_event_decode(copy, i, back),
					 -EBADMSG);
			free(copy);
		}
		free(buf);
		free(back);
		free(ev);
	}
}

/* Decoders refuse more than their cap before looking inside. */
static void
test_event_oversize(void **state)
{
	struct event *ev = new_event(KIND_SERVICE);
	struct event *back = calloc(1, sizeof(*back));
	uint8_t *buf, *big;
	size_t len, pad;

	(void)state;
	assert_non_null(back);
	assert_int_equal(codec_event_encode(ev, &buf, &len), 0);
	/* The valid event followed by an unknown field making it one byte
	 * over the cap: valid protobuf, refused for its size. */
	big = malloc(CODEC_MAX_EVENT + 1);
	assert_non_null(big);
	memcpy(big, buf, len);
	pad = CODEC_MAX_EVENT + 1 - len;
	/* field 15, length-delimited, 3-byte length */
	big[len] = 15 << 3 | 2;
	big[len + 1] = (uint8_t)((pad - 4) | 0x80);
	big[len + 2] = (uint8_t)(((pad - 4) >> 7) | 0x80);
	big[len + 3] = (uint8_t)((pad - 4) >> 14);
	memset(big + len + 4, 0, pad - 4);
	assert_int_equal(codec_event_decode(big, CODEC_MAX_EVENT + 1, back),
			 -EBADMSG);
	/* One byte shorter of padding is within the cap and decodes. */
	pad--;
	big[len + 1] = (uint8_t)((pad - 4) | 0x80);
	big[len + 2] = (uint8_t)(((pad - 4) >> 7) | 0x80);
	big[len + 3] = (uint8_t)((pad - 4) >> 14);
	assert_int_equal(codec_event_decode(big, CODEC_MAX_EVENT, back), 0);
	assert_event_equal(ev, back);
	free(big);
	free(buf);
	free(back);
	free(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_round_trip_kinds),
	    cmocka_unit_test(test_event_round_trip_variants),
	    cmocka_unit_test(test_event_correction_withdrawal),
	    cmocka_unit_test(test_event_many_victims),
	    cmocka_unit_test(test_event_encode_refuses_bad),
	    cmocka_unit_test(test_event_truncated),
	    cmocka_unit_test(test_event_oversize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
