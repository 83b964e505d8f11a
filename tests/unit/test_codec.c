/*
 * test_codec.c - the wire codec (codec.h): round trips of events,
 * envelopes, protocol, control and query messages, and decoders refusing
 * truncated, garbage, oversize and out-of-range input, and telling
 * memory running out (-ENOMEM) apart from bad input (-EBADMSG).
 *
 * Malformed events are built with a small protobuf writer below, so the
 * test does not need the generated protobuf-c code (lib/codec*.c own it).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "date.h"
#include "event.h"
#include "fail_malloc.h"

/* ---- a minimal protobuf writer ------------------------------------- */

struct pbw {
	uint8_t *buf;
	size_t len, cap;
};

static void
pbw_byte(struct pbw *w, uint8_t b)
{
	if (w->len == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->buf = realloc(w->buf, w->cap);
		assert_non_null(w->buf);
	}
	w->buf[w->len++] = b;
}

static void
pbw_raw_varint(struct pbw *w, uint64_t v)
{
	while (v >= 0x80) {
		pbw_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	pbw_byte(w, (uint8_t)v);
}

static void
pbw_varint(struct pbw *w, unsigned field, uint64_t v)
{
	pbw_raw_varint(w, (uint64_t)field << 3);
	pbw_raw_varint(w, v);
}

static void
pbw_bytes(struct pbw *w, unsigned field, const void *p, size_t len)
{
	size_t i;

	pbw_raw_varint(w, (uint64_t)field << 3 | 2);
	pbw_raw_varint(w, len);
	for (i = 0; i < len; i++)
		pbw_byte(w, ((const uint8_t *)p)[i]);
}

static void
pbw_str(struct pbw *w, unsigned field, const char *s)
{
	pbw_bytes(w, field, s, strlen(s));
}

/* Writes sub as a length-delimited field of w and frees it. */
static void
pbw_sub(struct pbw *w, unsigned field, struct pbw *sub)
{
	pbw_bytes(w, field, sub->buf, sub->len);
	free(sub->buf);
	memset(sub, 0, sizeof(*sub));
}

static void
pbw_free(struct pbw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/*
 * The fields of a crafted victim: pseudo_len is the length of the one
 * key of schema version 2 (0: absent), doc_type the document type (-1:
 * absent), doc_len and name_len the lengths of the two keys of version 3
 * (0: absent). A victim with no key is unlinkable.
 */
struct raw_victim {
	size_t pseudo_len;
	uint64_t sex, age_group, age_years;
	const char *nat;
	int64_t doc_type;
	size_t doc_len, name_len;
};

static const struct raw_victim good_victim = {0,    SEX_F,   AGE_14_17, 15,
					      "PE", DOC_DNI, 32,	32};

static void
pbw_victim(struct pbw *w, unsigned field, const struct raw_victim *v)
{
	struct pbw s = {0};
	uint8_t ps[65]; /* the name key starts one byte in */

	memset(ps, 0xab, sizeof(ps));
	if (v->pseudo_len > 0)
		pbw_bytes(&s, 1, ps, v->pseudo_len);
	pbw_varint(&s, 2, v->sex);
	pbw_varint(&s, 3, v->age_group);
	pbw_varint(&s, 4, v->age_years);
	pbw_str(&s, 5, v->nat);
	if (v->doc_type >= 0)
		pbw_varint(&s, 6, (uint64_t)v->doc_type);
	if (v->doc_len > 0)
		pbw_bytes(&s, 7, ps, v->doc_len);
	if (v->name_len > 0)
		pbw_bytes(&s, 8, ps + 1, v->name_len);
	pbw_sub(w, field, &s);
}

/* Event{id, record{date, region, <body field> body}}. */
static void
pbw_event(struct pbw *w, size_t id_len, uint64_t date, uint64_t region,
	  unsigned body_field, struct pbw *body)
{
	struct pbw rec = {0};
	uint8_t id[32];

	memset(id, 0x11, sizeof(id));
	pbw_bytes(w, 1, id, id_len);
	pbw_varint(&rec, 1, date);
	pbw_varint(&rec, 2, region);
	pbw_sub(&rec, body_field, body);
	pbw_sub(w, 2, &rec);
}

static uint64_t
day(int y, unsigned m, unsigned d)
{
	return (uint64_t)date_from_ymd(y, m, d);
}

/* ---- valid events --------------------------------------------------- */

static void
fill_victim(struct victim *v, unsigned seed)
{
	static const char *const nats[] = {"PE", "VE", "CO", "XX", "BO"};
	unsigned age = seed % 121;

	memset(v, 0, sizeof(*v));
	/* Every mix of the two keys; seed % 4 == 0 is unlinkable. */
	if (seed % 4 == 1 || seed % 4 == 3) {
		v->doc_type = (enum doc_type)(1 + seed % DOC_TYPE_COUNT);
		memset(v->doc_key, (int)(seed * 31 + 7), PSEUDONYM_LEN);
		v->doc_key[0] = (uint8_t)seed;
	}
	if (seed % 4 >= 2) {
		v->has_name_key = true;
		memset(v->name_key, (int)(seed * 17 + 3), PSEUDONYM_LEN);
		v->name_key[0] = (uint8_t)seed;
	}
	v->sex = (enum sex)(1 + seed % 3);
	v->age_years = (uint8_t)age;
	v->age_group = age_group_of(age);
	memcpy(v->nationality, nats[seed % 5], 3);
}

static struct event *
new_event(enum kind kind)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct record *r;
	size_t i;

	assert_non_null(ev);
	r = &ev->rec;
	for (i = 0; i < EVENT_ID_LEN; i++)
		ev->id[i] = (uint8_t)(0xa0 + i + kind);
	ev->kind = kind;
	r->kind = kind;
	r->date = date_from_ymd(2026, 3, 14);
	r->region = 15;
	switch (kind) {
	case KIND_IDENTIFICATION:
		fill_victim(&r->victim, 1);
		r->exploitation =
		    1u << EXPL_SEXUAL | 1u << EXPL_LABOUR | 1u << EXPL_OTHER;
		break;
	case KIND_REFERRAL:
		fill_victim(&r->victim, 2);
		r->other = INST_MIMP;
		r->purpose = PURPOSE_HEALTH;
		memset(r->referral, 0x5c, PSEUDONYM_LEN);
		break;
	case KIND_REFERRAL_RECEIVED:
		fill_victim(&r->victim, 4); /* unlinkable */
		r->other = INST_PNP;
		memset(r->referral, 0x3d, PSEUDONYM_LEN);
		break;
	case KIND_SERVICE:
		fill_victim(&r->victim, 3);
		r->service = SERVICE_REINTEGRATION;
		break;
	case KIND_CASE_STAGE:
		memset(r->case_id, 0x77, PSEUDONYM_LEN);
		r->stage = STAGE_ACCUSATION;
		r->persons = 3;
		snprintf(r->article, sizeof(r->article), "129-A");
		r->n_victims = 4;
		for (i = 0; i < r->n_victims; i++)
			fill_victim(&r->victims[i], (unsigned)i + 10);
		break;
	default:
		break;
	}
	return ev;
}

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

/* Named by the caller's line, so a failure says which case it was. */
#define expect_bad_event(w) expect_bad_event_at((w), __LINE__)

static void
expect_bad_event_at(const struct pbw *w, int line)
{
	struct event *back = calloc(1, sizeof(*back));
	int r;

	assert_non_null(back);
	r = codec_event_decode(w->buf, w->len, back);
	free(back);
	if (r != -EBADMSG)
		fail_msg("case at line %d: decode returned %d, not -EBADMSG",
			 line, r);
}

static void
expect_good_event(const struct pbw *w)
{
	struct event *back = calloc(1, sizeof(*back));

	assert_non_null(back);
	assert_int_equal(codec_event_decode(w->buf, w->len, back), 0);
	assert_int_equal(event_check(back, NULL), 0);
	free(back);
}

/* An identification with victim v and exploitations expl[0..n). */
static void
craft_identification(struct pbw *w, const struct raw_victim *v,
		     const uint64_t *expl, size_t n)
{
	struct pbw b = {0};
	size_t i;

	pbw_victim(&b, 1, v);
	for (i = 0; i < n; i++)
		pbw_varint(&b, 2, expl[i]);
	pbw_event(w, EVENT_ID_LEN, day(2026, 1, 2), 7, 3, &b);
}

static void
test_event_crafted_victims(void **state)
{
	static const uint64_t sexual[] = {EXPL_SEXUAL};
	struct raw_victim v;
	struct pbw w = {0};

	(void)state;
	craft_identification(&w, &good_victim, sexual, 1);
	expect_good_event(&w);
	pbw_free(&w);

	/* Unlinkable is fine; so is either key alone, and a schema-2
	 * victim's one key alone. */
	{
		static const struct {
			size_t pseudo, doc, name;
		} keys[] = {{0, 0, 0}, {0, 32, 0}, {0, 0, 32}, {32, 0, 0}};
		size_t i;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			v = good_victim;
			v.pseudo_len = keys[i].pseudo;
			v.doc_len = keys[i].doc;
			v.doc_type = keys[i].doc ? DOC_PASSPORT : -1;
			v.name_len = keys[i].name;
			craft_identification(&w, &v, sexual, 1);
			expect_good_event(&w);
			pbw_free(&w);
		}
	}

	/* Keys of the wrong length. */
	{
		static const size_t lens[] = {1, 16, 31, 33, 64};
		size_t i;
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			v = good_victim;
			v.doc_type = -1;
			v.doc_len = v.name_len = 0;
			v.pseudo_len = lens[i];
			craft_identification(&w, &v, sexual, 1);
			expect_bad_event(&w);
			pbw_free(&w);
			v = good_victim;
			v.doc_len = lens[i];
			craft_identification(&w, &v, sexual, 1);
			expect_bad_event(&w);
			pbw_free(&w);
			v = good_victim;
			v.name_len = lens[i];
			craft_identification(&w, &v, sexual, 1);
			expect_bad_event(&w);
			pbw_free(&w);
		}
	}

	/* A document key without its type, a type without its key, a type
	 * out of range, and the keys of both versions in one victim. */
	v = good_victim;
	v.doc_type = -1;
	craft_identification(&w, &v, sexual, 1);
	expect_bad_event(&w);
	pbw_free(&w);
	v = good_victim;
	v.doc_len = 0;
	craft_identification(&w, &v, sexual, 1);
	expect_bad_event(&w);
	pbw_free(&w);
	{
		static const int64_t types[] = {0, DOC_TYPE_COUNT + 1, 100};
		size_t i;
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			v = good_victim;
			v.doc_type = types[i];
			craft_identification(&w, &v, sexual, 1);
			expect_bad_event(&w);
			pbw_free(&w);
		}
	}
	v = good_victim;
	v.pseudo_len = 32;
	craft_identification(&w, &v, sexual, 1);
	expect_bad_event(&w);
	pbw_free(&w);
	v.doc_type = -1;
	v.doc_len = 0;
	craft_identification(&w, &v, sexual, 1);
	expect_bad_event(&w);
	pbw_free(&w);

	/* Out-of-range enumerations and ages. */
	{
		static const uint64_t sexes[] = {0, 4, 100, UINT64_MAX};
		static const uint64_t groups[] = {0, 6, 1000};
		size_t i;
		for (i = 0; i < sizeof(sexes) / sizeof(sexes[0]); i++) {
			v = good_victim;
			v.sex = sexes[i];
			craft_identification(&w, &v, sexual, 1);
			expect_bad_event(&w);
			pbw_free(&w);
		}
		for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
			v = good_victim;
			v.age_group = groups[i];
			craft_identification(&w, &v, sexual, 1);
			expect_bad_event(&w);
			pbw_free(&w);
		}
	}
	v = good_victim;
	v.age_years = 121;
	v.age_group = AGE_18_PLUS;
	craft_identification(&w, &v, sexual, 1);
	expect_bad_event(&w);
	pbw_free(&w);
	v.age_years = 256 + 20; /* would wrap to 20 in a uint8_t */
	craft_identification(&w, &v, sexual, 1);
	expect_bad_event(&w);
	pbw_free(&w);
	v.age_years = 1ull << 40;
	craft_identification(&w, &v, sexual, 1);
	expect_bad_event(&w);
	pbw_free(&w);
	v = good_victim;
	v.age_years = 30; /* not in AGE_14_17 */
	craft_identification(&w, &v, sexual, 1);
	expect_bad_event(&w);
	pbw_free(&w);

	/* Nationalities. */
	{
		static const char *const nats[] = {"",	 "P",  "PER",
						   "pe", "P1", "\xc3\x91"};
		size_t i;
		for (i = 0; i < sizeof(nats) / sizeof(nats[0]); i++) {
			v = good_victim;
			v.nat = nats[i];
			craft_identification(&w, &v, sexual, 1);
			expect_bad_event(&w);
			pbw_free(&w);
		}
	}
}

static void
test_event_crafted_records(void **state)
{
	struct pbw w = {0}, b = {0};
	uint8_t ps[40];

	(void)state;
	memset(ps, 0x21, sizeof(ps));
	/* Exploitation: none, unknown, repeated. */
	{
		static const uint64_t unknown[] = {EXPL_COUNT + 1};
		static const uint64_t zero[] = {0};
		static const uint64_t twice[] = {EXPL_LABOUR, EXPL_LABOUR};
		craft_identification(&w, &good_victim, NULL, 0);
		expect_bad_event(&w);
		pbw_free(&w);
		craft_identification(&w, &good_victim, unknown, 1);
		expect_bad_event(&w);
		pbw_free(&w);
		craft_identification(&w, &good_victim, zero, 1);
		expect_bad_event(&w);
		pbw_free(&w);
		craft_identification(&w, &good_victim, twice, 2);
		expect_bad_event(&w);
		pbw_free(&w);
	}

	/* Region and date. */
	{
		static const uint64_t sexual[] = {EXPL_SEXUAL};
		struct pbw rec = {0};
		static const uint8_t id[EVENT_ID_LEN] = {1};
		static const uint64_t regions[] = {0, 26, 255, 256, 1u << 31};
		size_t i;
		for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
			pbw_victim(&b, 1, &good_victim);
			pbw_varint(&b, 2, EXPL_SEXUAL);
			pbw_event(&w, EVENT_ID_LEN, day(2026, 1, 2), regions[i],
				  3, &b);
			expect_bad_event(&w);
			pbw_free(&w);
		}
		/* Before DATE_MIN_YEAR, and past INT32_MAX. */
		pbw_victim(&b, 1, &good_victim);
		pbw_varint(&b, 2, EXPL_SEXUAL);
		pbw_event(&w, EVENT_ID_LEN, day(1999, 12, 31), 5, 3, &b);
		expect_bad_event(&w);
		pbw_free(&w);
		pbw_victim(&b, 1, &good_victim);
		pbw_varint(&b, 2, EXPL_SEXUAL);
		pbw_event(&w, EVENT_ID_LEN, 0x80000000ull, 5, 3, &b);
		expect_bad_event(&w);
		pbw_free(&w);
		/* Event ids of the wrong length. */
		for (i = 0; i <= 32; i += 1) {
			if (i == EVENT_ID_LEN)
				continue;
			craft_identification(&w, &good_victim, sexual, 1);
			pbw_free(&w);
			pbw_victim(&b, 1, &good_victim);
			pbw_varint(&b, 2, EXPL_SEXUAL);
			pbw_event(&w, i, day(2026, 1, 2), 5, 3, &b);
			expect_bad_event(&w);
			pbw_free(&w);
		}
		/* No change at all: just an id. */
		pbw_bytes(&w, 1, id, EVENT_ID_LEN);
		expect_bad_event(&w);
		pbw_free(&w);
		/* A record without a body. */
		pbw_bytes(&w, 1, id, EVENT_ID_LEN);
		pbw_varint(&rec, 1, day(2026, 1, 2));
		pbw_varint(&rec, 2, 5);
		pbw_sub(&w, 2, &rec);
		expect_bad_event(&w);
		pbw_free(&w);
	}

	/* Referral: purpose, institution, referral length. */
	{
		static const uint64_t purposes[] = {0, PURPOSE_COUNT + 1};
		static const uint64_t insts[] = {0, INST_COUNT + 1};
		static const size_t rlens[] = {0, 31, 33};
		size_t i;

		pbw_victim(&b, 1, &good_victim);
		pbw_varint(&b, 2, INST_MP);
		pbw_varint(&b, 3, PURPOSE_JUSTICE);
		pbw_bytes(&b, 4, ps, PSEUDONYM_LEN);
		pbw_event(&w, EVENT_ID_LEN, day(2026, 1, 2), 5, 4, &b);
		expect_good_event(&w);
		pbw_free(&w);
		for (i = 0; i < 2; i++) {
			pbw_victim(&b, 1, &good_victim);
			pbw_varint(&b, 2, INST_MP);
			pbw_varint(&b, 3, purposes[i]);
			pbw_bytes(&b, 4, ps, PSEUDONYM_LEN);
			pbw_event(&w, EVENT_ID_LEN, day(2026, 1, 2), 5, 4, &b);
			expect_bad_event(&w);
			pbw_free(&w);
			pbw_victim(&b, 1, &good_victim);
			pbw_varint(&b, 2, insts[i]);
			pbw_varint(&b, 3, PURPOSE_JUSTICE);
			pbw_bytes(&b, 4, ps, PSEUDONYM_LEN);
			pbw_event(&w, EVENT_ID_LEN, day(2026, 1, 2), 5, 4, &b);
			expect_bad_event(&w);
			pbw_free(&w);
		}
		for (i = 0; i < 3; i++) {
			pbw_victim(&b, 1, &good_victim);
			pbw_varint(&b, 2, INST_MP);
			pbw_varint(&b, 3, PURPOSE_JUSTICE);
			pbw_bytes(&b, 4, ps, rlens[i]);
			pbw_event(&w, EVENT_ID_LEN, day(2026, 1, 2), 5, 4, &b);
			expect_bad_event(&w);
			pbw_free(&w);
			/* Referral received too. */
			pbw_victim(&b, 1, &good_victim);
			pbw_varint(&b, 2, INST_MP);
			pbw_bytes(&b, 3, ps, rlens[i]);
			pbw_event(&w, EVENT_ID_LEN, day(2026, 1, 2), 5, 5, &b);
			expect_bad_event(&w);
			pbw_free(&w);
		}
		pbw_victim(&b, 1, &good_victim);
		pbw_varint(&b, 2, INST_COUNT + 1);
		pbw_bytes(&b, 3, ps, PSEUDONYM_LEN);
		pbw_event(&w, EVENT_ID_LEN, day(2026, 1, 2), 5, 5, &b);
		expect_bad_event(&w);
		pbw_free(&w);
	}

	/* Service. */
	pbw_victim(&b, 1, &good_victim);
	pbw_varint(&b, 2, SERVICE_COUNT + 1);
	pbw_event(&w, EVENT_ID_LEN, day(2026, 1, 2), 5, 6, &b);
	expect_bad_event(&w);
	pbw_free(&w);
	pbw_victim(&b, 1, &good_victim);
	pbw_varint(&b, 2, 0);
	pbw_event(&w, EVENT_ID_LEN, day(2026, 1, 2), 5, 6, &b);
	expect_bad_event(&w);
	pbw_free(&w);
}

/* A case stage with n victims and the given fields. */
static void
craft_case(struct pbw *w, size_t case_len, uint64_t stage, size_t n,
	   const struct raw_victim *v, uint64_t persons, const char *article)
{
	struct pbw b = {0};
	uint8_t ps[40];
	size_t i;

	memset(ps, 0x33, sizeof(ps));
	pbw_bytes(&b, 1, ps, case_len);
	pbw_varint(&b, 2, stage);
	for (i = 0; i < n; i++)
		pbw_victim(&b, 3, v);
	pbw_varint(&b, 4, persons);
	pbw_str(&b, 5, article);
	pbw_event(w, EVENT_ID_LEN, day(2026, 6, 1), 15, 7, &b);
}

static void
test_event_crafted_case(void **state)
{
	struct raw_victim v = good_victim;
	struct pbw w = {0};

	(void)state;
	craft_case(&w, 32, STAGE_TRIAL, EVENT_MAX_CASE_VICTIMS, &v, 2, "153");
	expect_good_event(&w);
	pbw_free(&w);
	/* One victim too many. */
	craft_case(&w, 32, STAGE_TRIAL, EVENT_MAX_CASE_VICTIMS + 1, &v, 2,
		   "153");
	expect_bad_event(&w);
	pbw_free(&w);
	/* Far too many: still within the event cap, still refused. */
	v.name_len = 0;
	craft_case(&w, 32, STAGE_TRIAL, 1000, &v, 2, "153");
	v = good_victim;
	assert_true(w.len <= CODEC_MAX_EVENT);
	expect_bad_event(&w);
	pbw_free(&w);
	/* Case id length, stage, persons, article. */
	craft_case(&w, 31, STAGE_TRIAL, 1, &v, 2, "153");
	expect_bad_event(&w);
	pbw_free(&w);
	craft_case(&w, 33, STAGE_TRIAL, 1, &v, 2, "153");
	expect_bad_event(&w);
	pbw_free(&w);
	craft_case(&w, 32, 0, 1, &v, 2, "153");
	expect_bad_event(&w);
	pbw_free(&w);
	craft_case(&w, 32, STAGE_COUNT + 1, 1, &v, 2, "153");
	expect_bad_event(&w);
	pbw_free(&w);
	craft_case(&w, 32, STAGE_TRIAL, 1, &v, EVENT_MAX_PERSONS + 1, "153");
	expect_bad_event(&w);
	pbw_free(&w);
	craft_case(&w, 32, STAGE_TRIAL, 1, &v, 2, "");
	expect_bad_event(&w);
	pbw_free(&w);
	craft_case(&w, 32, STAGE_TRIAL, 1, &v, 2, "1234567890123456");
	expect_bad_event(&w);
	pbw_free(&w);
	craft_case(&w, 32, STAGE_TRIAL, 1, &v, 2, "12\t3");
	expect_bad_event(&w);
	pbw_free(&w);
	/* A bad victim among good ones. */
	v.name_len = 31;
	craft_case(&w, 32, STAGE_TRIAL, 1, &v, 2, "153");
	expect_bad_event(&w);
	pbw_free(&w);
	v = good_victim;
	v.sex = 9;
	craft_case(&w, 32, STAGE_TRIAL, 3, &v, 2, "153");
	expect_bad_event(&w);
	pbw_free(&w);
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

/* ---- envelopes ------------------------------------------------------- */

static struct envelope
sample_envelope(uint8_t *event, size_t event_len)
{
	struct envelope env;
	size_t i;

	memset(&env, 0, sizeof(env));
	env.version = CODEC_VERSION;
	env.inst = INST_MIMP;
	env.seq = 123456789012ull;
	for (i = 0; i < KEY_ID_LEN; i++)
		env.key_id[i] = (uint8_t)(0xf0 + i);
	env.created_ms = 1767225600123ull;
	env.event = event;
	env.event_len = event_len;
	for (i = 0; i < SIGNATURE_LEN; i++)
		env.signature[i] = (uint8_t)(i * 3);
	snprintf(env.network, sizeof(env.network), "pe-trata-2026");
	return env;
}

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

/* ---- protocol messages ------------------------------------------------ */

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
	msg_round_trip_whole(&m, &back);
	assert_true(back.has_outbox_id);
	assert_memory_equal(back.outbox_id, m.outbox_id, CODEC_OUTBOX_ID_LEN);
	assert_true(back.has_outbox_last_seq);
	assert_int_equal(back.outbox_last_seq, 2465);
	assert_int_equal(back.now_ms, m.now_ms);
	assert_string_equal(back.diverged, "restored");
	codec_msg_clear(&back);
	/* Without them: absent, not zero-filled lookalikes. */
	m.has_outbox_id = m.has_outbox_last_seq = false;
	m.now_ms = 0;
	m.diverged[0] = '\0';
	msg_round_trip(&m, &back);
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

/* ---- control messages ------------------------------------------------ */

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
	res[2] = (struct line_result){.line = 3, .status = LINE_REFUSED};
	snprintf(res[2].field, sizeof(res[2].field), "victim.dni");
	snprintf(res[2].reason, sizeof(res[2].reason), "not 8 digits: \"12A\"");
	res[3] = (struct line_result){.line = 4, .status = LINE_BLANK};
	res[4] = (struct line_result){
	    .line = UINT64_MAX, .status = LINE_ACCEPTED, .seq = UINT64_MAX};
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
		assert_int_equal(back->results[i].unlinkable,
				 res[i].unlinkable);
	}
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
		s->has_skew = i != 3;
		s->clock_skew_ms = i == 3   ? 0
				   : i == 4 ? -86400000ll * 30
					    : 1000 * i;
	}
	snprintf(c->cons.disk_full, sizeof(c->cons.disk_full),
		 "no space left on /var/lib/kuska/consolidator");
	c->cons.disk_full_ms = 1767225650000ull;
	c->cons.now_ms = 1767225700000ull;
	c->cons.handshake_failures = 3;
	c->cons.frames_refused = 4;
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
		c->type = (enum control_type)(CTL_KEYHOLDER_STATUS + 1);
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
	back = control_round_trip(c);
	assert_int_equal(back->node.key_epoch, 3);
	assert_string_equal(back->node.keyholder_error,
			    c->node.keyholder_error);
	assert_int_equal(back->node.keyholder_error_ms, 77);
	assert_true(back->node.has_key_check);
	assert_memory_equal(back->node.key_check, c->node.key_check, 8);
	assert_int_equal(back->node.evaluations, 123456);
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
	codec_control_clear(back);
	free(back);
	free(c);
}

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

/* ---- queries ---------------------------------------------------------- */

static void
test_query_req(void **state)
{
	struct query_req q, back;
	uint8_t *buf, *copy;
	size_t len, i;

	(void)state;
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "referrals");
	snprintf(q.period, sizeof(q.period), "2026Q3");
	q.region = 15;
	assert_int_equal(codec_query_req_encode(&q, &buf, &len), 0);
	assert_int_equal(codec_query_req_decode(buf, len, &back), 0);
	assert_memory_equal(&back, &q, sizeof(q));
	free(buf);
	/* All regions; the longest names that fit. */
	q.region = 0;
	memset(q.table, 't', sizeof(q.table) - 1);
	memset(q.period, 'p', sizeof(q.period) - 1);
	assert_int_equal(codec_query_req_encode(&q, &buf, &len), 0);
	assert_int_equal(codec_query_req_decode(buf, len, &back), 0);
	assert_memory_equal(&back, &q, sizeof(q));
	/* With the optional region absent, every prefix lacks a required
	 * field or is cut inside one. */
	for (i = 0; i < len; i++) {
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, buf, i);
		assert_int_equal(codec_query_req_decode(copy, i, &back),
				 -EBADMSG);
		free(copy);
	}
	free(buf);

	/* Strings over their fields. */
	{
		struct pbw w = {0};
		char s[40];
		memset(s, 'a', sizeof(s) - 1);
		s[sizeof(s) - 1] = '\0';
		s[sizeof(q.table)] = '\0'; /* 32 characters: one too many */
		pbw_str(&w, 1, s);
		pbw_str(&w, 2, "2026");
		assert_int_equal(codec_query_req_decode(w.buf, w.len, &back),
				 -EBADMSG);
		pbw_free(&w);
		s[sizeof(q.table)] = 'a';
		s[sizeof(q.period)] = '\0';
		pbw_str(&w, 1, "overlap");
		pbw_str(&w, 2, s);
		assert_int_equal(codec_query_req_decode(w.buf, w.len, &back),
				 -EBADMSG);
		pbw_free(&w);
	}
	/* The estimate's bootstrap: a count and a seed; a count without a
	 * seed gets seed 1, as kuska estimate. */
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "estimate");
	snprintf(q.period, sizeof(q.period), "2025");
	q.boot = 1000;
	q.seed = UINT64_MAX;
	assert_int_equal(codec_query_req_encode(&q, &buf, &len), 0);
	assert_int_equal(codec_query_req_decode(buf, len, &back), 0);
	assert_memory_equal(&back, &q, sizeof(q));
	free(buf);
	{
		struct pbw w = {0};
		pbw_str(&w, 1, "estimate");
		pbw_str(&w, 2, "2025");
		pbw_varint(&w, 4, 200);
		assert_int_equal(codec_query_req_decode(w.buf, w.len, &back),
				 0);
		assert_int_equal(back.boot, 200);
		assert_int_equal(back.seed, 1);
		pbw_free(&w);
	}
	/* Over its cap. */
	buf = calloc(1, 4097);
	assert_non_null(buf);
	assert_int_equal(codec_query_req_decode(buf, 4097, &back), -EBADMSG);
	free(buf);
}

static void
test_qtable(void **state)
{
	struct qtable t, back;
	uint8_t *buf, *copy;
	size_t len, i, j;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.n_cols = 5;
	for (i = 0; i < t.n_cols; i++)
		snprintf(t.cols[i], sizeof(t.cols[i]), "col%zu", i);
	t.n_rows = 7;
	t.rows = calloc(t.n_rows, sizeof(*t.rows));
	assert_non_null(t.rows);
	for (i = 0; i < t.n_rows; i++) {
		for (j = 0; j < t.n_cols; j++) {
			struct cell *c = &t.rows[i][j];
			c->kind = (enum cell_kind)((i + j) % 5);
			switch (c->kind) {
			case CELL_TEXT:
				snprintf(c->text, sizeof(c->text), "r%uc%u",
					 (unsigned)i & 0xff,
					 (unsigned)j & 0xff);
				break;
			case CELL_NUMBER:
				c->number = (int64_t)(i * 1000 + j) - 3000;
				break;
			case CELL_DECIMAL:
				snprintf(c->text, sizeof(c->text), "0.%03u",
					 (unsigned)(i * 10 + j) & 0x3ff);
				break;
			default:
				break;
			}
		}
	}
	memset(&t.rows[0][1], 0, sizeof(t.rows[0][1]));
	memset(&t.rows[0][2], 0, sizeof(t.rows[0][2]));
	t.rows[0][1].kind = CELL_NUMBER;
	t.rows[0][1].number = INT64_MIN;
	t.rows[0][2].kind = CELL_NUMBER;
	t.rows[0][2].number = INT64_MAX;
	t.k = 10;
	snprintf(t.role, sizeof(t.role), "secretariat");
	snprintf(t.error, sizeof(t.error), "partial: region unknown");
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), 0);
	assert_int_equal(codec_qtable_decode(buf, len, &back), 0);
	assert_string_equal(back.error, t.error);
	assert_string_equal(back.role, t.role);
	assert_int_equal(back.k, 10);
	assert_int_equal(back.n_cols, t.n_cols);
	assert_int_equal(back.n_rows, t.n_rows);
	for (i = 0; i < t.n_cols; i++)
		assert_string_equal(back.cols[i], t.cols[i]);
	for (i = 0; i < t.n_rows; i++)
		for (j = 0; j < t.n_cols; j++) {
			const struct cell *a = &t.rows[i][j],
					  *b = &back.rows[i][j];
			assert_int_equal(a->kind, b->kind);
			assert_int_equal(a->number, b->number);
			assert_string_equal(a->text, b->text);
		}
	codec_qtable_clear(&back);
	assert_null(back.rows);
	codec_qtable_clear(&back);
	for (i = 0; i < len; i++) {
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, buf, i);
		assert_int_equal(codec_qtable_decode(copy, i, &back), -EBADMSG);
		assert_null(back.rows);
		free(copy);
	}
	free(buf);

	/* Limits on the encoding side. */
	t.n_cols = CODEC_MAX_COLUMNS + 1;
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), -EINVAL);
	t.n_cols = 5;
	t.n_rows = CODEC_MAX_ROWS + 1;
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), -EINVAL);
	free(t.rows);

	/* An empty table. */
	memset(&t, 0, sizeof(t));
	t.k = 5;
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), 0);
	assert_int_equal(codec_qtable_decode(buf, len, &back), 0);
	assert_int_equal(back.n_rows, 0);
	assert_int_equal(back.n_cols, 0);
	assert_string_equal(back.role, "");
	codec_qtable_clear(&back);
	free(buf);
}

/* A text longer than a cell's text[] travels whole (up to
 * CODEC_MAX_LONG_TEXT - 1 bytes) and is freed with its table. */
static void
test_qtable_long_text(void **state)
{
	struct qtable t, back;
	char longer[700], huge[CODEC_MAX_LONG_TEXT + 50];
	uint8_t *buf;
	size_t len;

	(void)state;
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memset(huge, 'b', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	memset(&t, 0, sizeof(t));
	t.n_cols = 3;
	t.n_rows = 1;
	t.rows = calloc(1, sizeof(*t.rows));
	assert_non_null(t.rows);
	assert_int_equal(codec_cell_set_long(&t.rows[0][0], "short"), 0);
	assert_null(t.rows[0][0].long_text);
	assert_int_equal(codec_cell_set_long(&t.rows[0][1], longer), 0);
	assert_non_null(t.rows[0][1].long_text);
	assert_int_equal(codec_cell_set_long(&t.rows[0][2], huge), 0);
	assert_int_equal(strlen(codec_cell_str(&t.rows[0][2])),
			 CODEC_MAX_LONG_TEXT - 1);
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), 0);
	codec_qtable_clear(&t);
	assert_null(t.rows);
	assert_int_equal(codec_qtable_decode(buf, len, &back), 0);
	free(buf);
	assert_string_equal(codec_cell_str(&back.rows[0][0]), "short");
	assert_string_equal(codec_cell_str(&back.rows[0][1]), longer);
	assert_int_equal(back.rows[0][1].kind, CELL_TEXT);
	assert_int_equal(strlen(codec_cell_str(&back.rows[0][2])),
			 CODEC_MAX_LONG_TEXT - 1);
	codec_qtable_clear(&back);
}

static void
test_qtable_refused(void **state)
{
	struct qtable back;
	struct pbw w = {0}, row = {0}, cell = {0};
	size_t i;

	(void)state;
	/* A row with fewer cells than columns. */
	pbw_str(&w, 2, "a");
	pbw_str(&w, 2, "b");
	pbw_varint(&cell, 2, 5);
	pbw_sub(&row, 1, &cell);
	pbw_sub(&w, 3, &row);
	pbw_varint(&w, 4, 10);
	pbw_str(&w, 5, "analyst");
	assert_int_equal(codec_qtable_decode(w.buf, w.len, &back), -EBADMSG);
	assert_null(back.rows);
	pbw_free(&w);
	/* Too many columns. */
	for (i = 0; i <= CODEC_MAX_COLUMNS; i++)
		pbw_str(&w, 2, "c");
	pbw_varint(&w, 4, 10);
	pbw_str(&w, 5, "analyst");
	assert_int_equal(codec_qtable_decode(w.buf, w.len, &back), -EBADMSG);
	assert_null(back.rows);
	pbw_free(&w);
	/* Too many rows. */
	for (i = 0; i <= CODEC_MAX_ROWS; i++) {
		pbw_bytes(&w, 3, "", 0);
	}
	pbw_varint(&w, 4, 10);
	pbw_str(&w, 5, "analyst");
	assert_int_equal(codec_qtable_decode(w.buf, w.len, &back), -EBADMSG);
	assert_null(back.rows);
	pbw_free(&w);
}

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
	    cmocka_unit_test(test_event_round_trip_kinds),
	    cmocka_unit_test(test_event_round_trip_variants),
	    cmocka_unit_test(test_event_correction_withdrawal),
	    cmocka_unit_test(test_event_many_victims),
	    cmocka_unit_test(test_event_encode_refuses_bad),
	    cmocka_unit_test(test_event_truncated),
	    cmocka_unit_test(test_event_crafted_victims),
	    cmocka_unit_test(test_event_crafted_records),
	    cmocka_unit_test(test_event_crafted_case),
	    cmocka_unit_test(test_event_oversize),
	    cmocka_unit_test(test_envelope_round_trip),
	    cmocka_unit_test(test_decode_out_of_memory),
	    cmocka_unit_test(test_envelope_refused),
	    cmocka_unit_test(test_msg_hello_welcome),
	    cmocka_unit_test(test_msg_outbox_check),
	    cmocka_unit_test(test_msg_recover),
	    cmocka_unit_test(test_msg_batch),
	    cmocka_unit_test(test_msg_out_of_memory),
	    cmocka_unit_test(test_msg_batch_limit),
	    cmocka_unit_test(test_msg_ack_refusal),
	    cmocka_unit_test(test_msg_refused),
	    cmocka_unit_test(test_msg_unknown_reason),
	    cmocka_unit_test(test_control_submit),
	    cmocka_unit_test(test_control_node_status),
	    cmocka_unit_test(test_control_cons_status),
	    cmocka_unit_test(test_control_metrics),
	    cmocka_unit_test(test_control_refused),
	    cmocka_unit_test(test_control_keyholder),
	    cmocka_unit_test(test_oprf_messages),
	    cmocka_unit_test(test_oprf_request_id),
	    cmocka_unit_test(test_query_req),
	    cmocka_unit_test(test_qtable),
	    cmocka_unit_test(test_qtable_long_text),
	    cmocka_unit_test(test_qtable_refused),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_bit_flips),
	    cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
