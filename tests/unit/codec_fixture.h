/*
 * codec_fixture.h - what the unit tests of the wire codec (codec.h,
 * test_codec*.c) share: a minimal protobuf writer, so malformed messages
 * can be crafted without the generated protobuf-c code (lib/codec*.c own
 * it), a valid event of each kind, and a sample envelope.
 */
#ifndef KUSKA_CODEC_FIXTURE_H
#define KUSKA_CODEC_FIXTURE_H

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

/* ---- a minimal protobuf writer ------------------------------------- */

struct pbw {
	uint8_t *buf;
	size_t len, cap;
};

static void __attribute__((unused))
pbw_byte(struct pbw *w, uint8_t b)
{
	if (w->len == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->buf = realloc(w->buf, w->cap);
		assert_non_null(w->buf);
	}
	w->buf[w->len++] = b;
}

static void __attribute__((unused))
pbw_raw_varint(struct pbw *w, uint64_t v)
{
	while (v >= 0x80) {
		pbw_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	pbw_byte(w, (uint8_t)v);
}

static void __attribute__((unused))
pbw_varint(struct pbw *w, unsigned field, uint64_t v)
{
	pbw_raw_varint(w, (uint64_t)field << 3);
	pbw_raw_varint(w, v);
}

static void __attribute__((unused))
pbw_bytes(struct pbw *w, unsigned field, const void *p, size_t len)
{
	size_t i;

	pbw_raw_varint(w, (uint64_t)field << 3 | 2);
	pbw_raw_varint(w, len);
	for (i = 0; i < len; i++)
		pbw_byte(w, ((const uint8_t *)p)[i]);
}

static void __attribute__((unused))
pbw_str(struct pbw *w, unsigned field, const char *s)
{
	pbw_bytes(w, field, s, strlen(s));
}

/* Writes sub as a length-delimited field of w and frees it. */
static void __attribute__((unused))
pbw_sub(struct pbw *w, unsigned field, struct pbw *sub)
{
	pbw_bytes(w, field, sub->buf, sub->len);
	free(sub->buf);
	memset(sub, 0, sizeof(*sub));
}

static void __attribute__((unused))
pbw_free(struct pbw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/* ---- valid events --------------------------------------------------- */

static void __attribute__((unused))
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

static __attribute__((unused)) struct event *
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

/* ---- envelopes ------------------------------------------------------- */

static struct envelope __attribute__((unused))
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

#endif
