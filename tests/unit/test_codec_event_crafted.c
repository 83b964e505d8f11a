/*
 * test_codec_event_crafted.c - events (codec_event.c) crafted byte by byte
 * with codec_fixture.h's protobuf writer: victims, records and case stages
 * out of range, keys of the wrong length, all refused by the decoder.
 */
#include <errno.h>

#include "codec_fixture.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_crafted_victims),
	    cmocka_unit_test(test_event_crafted_records),
	    cmocka_unit_test(test_event_crafted_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
