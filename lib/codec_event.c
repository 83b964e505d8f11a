/* codec_event.c - Event and Envelope encoding; see codec.h. */
#include "codec.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_pb.h"

/*
 * protobuf-c allocates every submessage, repeated field and byte string
 * of a message it unpacks, and frees each again: ten or so malloc and
 * free calls an event, on the consolidator's one writing thread. An
 * arena on the caller's stack takes them instead and goes with its
 * frame; only what does not fit (a large event) goes to malloc.
 */
#define ARENA_LEN 4096

struct arena {
	ProtobufCAllocator pa;
	size_t used;
	bool spilled; /* something went to malloc: free_unpacked it */
	bool oom;     /* malloc failed: a NULL unpack is not the input's */
	_Alignas(16) uint8_t buf[ARENA_LEN];
};

static void *
arena_alloc(void *data, size_t size)
{
	struct arena *a = data;
	size_t n = (size + 15) & ~(size_t)15;
	void *p;

	if (n >= size && n <= ARENA_LEN - a->used) {
		a->used += n;
		return a->buf + a->used - n;
	}
	a->spilled = true;
	p = malloc(size);
	if (p == NULL)
		a->oom = true;
	return p;
}

static void
arena_free(void *data, void *p)
{
	struct arena *a = data;
	uintptr_t at = (uintptr_t)p, from = (uintptr_t)a->buf;

	if (at < from || at >= from + ARENA_LEN)
		free(p);
}

static void
arena_init(struct arena *a)
{
	a->pa.alloc = arena_alloc;
	a->pa.free = arena_free;
	a->pa.allocator_data = a;
	a->used = 0;
	a->spilled = false;
	a->oom = false;
}

/*
 * What a NULL from protobuf-c's unpack means: it says the same for bytes
 * that are no message and for an allocation that failed, and an event
 * refused because memory ran out would be refused for a wrong reason.
 */
static int
arena_unpack_err(const struct arena *a)
{
	return a->oom ? -ENOMEM : -EBADMSG;
}

/* Frees m unpacked with a: only what went to malloc needs it. */
static void
arena_done(struct arena *a, ProtobufCMessage *m)
{
	if (a->spilled)
		protobuf_c_message_free_unpacked(m, &a->pa);
}

/* Storage for one victim being encoded; lives on the caller's stack. */
struct pb_victim {
	Kuska__Victim v;
	char nat[3];
};

static void
victim_to_pb(const struct victim *in, struct pb_victim *out)
{
	kuska__victim__init(&out->v);
	if (in->has_v1_key) {
		out->v.has_pseudonym = 1;
		out->v.pseudonym.data = (uint8_t *)in->v1_key;
		out->v.pseudonym.len = PSEUDONYM_LEN;
	}
	if (in->doc_type != DOC_NONE) {
		out->v.has_document_type = 1;
		out->v.document_type = (Kuska__DocumentType)in->doc_type;
		out->v.has_document_key = 1;
		out->v.document_key.data = (uint8_t *)in->doc_key;
		out->v.document_key.len = PSEUDONYM_LEN;
	}
	if (in->has_name_key) {
		out->v.has_name_key = 1;
		out->v.name_key.data = (uint8_t *)in->name_key;
		out->v.name_key.len = PSEUDONYM_LEN;
	}
	out->v.sex = (Kuska__Sex)in->sex;
	out->v.age_group = (Kuska__AgeGroup)in->age_group;
	out->v.age_years = in->age_years;
	memcpy(out->nat, in->nationality, 3);
	out->nat[2] = '\0';
	out->v.nationality = out->nat;
}

static int
victim_from_pb(const Kuska__Victim *in, struct victim *out)
{
	memset(out, 0, sizeof(*out));
	if (in == NULL)
		return -EBADMSG;
	if (in->has_pseudonym) {
		if (in->pseudonym.len != PSEUDONYM_LEN)
			return -EBADMSG;
		out->has_v1_key = true;
		memcpy(out->v1_key, in->pseudonym.data, PSEUDONYM_LEN);
	}
	/* A document key comes with its type, and a type with its key. */
	if (in->has_document_type != in->has_document_key)
		return -EBADMSG;
	if (in->has_document_key) {
		if (in->document_key.len != PSEUDONYM_LEN ||
		    in->document_type < (int)DOC_DNI ||
		    in->document_type > (int)DOC_OTHER)
			return -EBADMSG;
		out->doc_type = (enum doc_type)in->document_type;
		memcpy(out->doc_key, in->document_key.data, PSEUDONYM_LEN);
	}
	if (in->has_name_key) {
		if (in->name_key.len != PSEUDONYM_LEN)
			return -EBADMSG;
		out->has_name_key = true;
		memcpy(out->name_key, in->name_key.data, PSEUDONYM_LEN);
	}
	out->sex = (enum sex)in->sex;
	out->age_group = (enum age_group)in->age_group;
	if (in->age_years > 255)
		return -EBADMSG;
	out->age_years = (uint8_t)in->age_years;
	if (in->nationality == NULL || strlen(in->nationality) != 2)
		return -EBADMSG;
	memcpy(out->nationality, in->nationality, 3);
	return 0;
}

/* Everything a Record needs while it is being packed. */
struct pb_record {
	Kuska__Record r;
	Kuska__Identification ident;
	Kuska__Referral ref;
	Kuska__ReferralReceived recv;
	Kuska__Service serv;
	Kuska__CaseStage cs;
	struct pb_victim victim;
	Kuska__Exploitation expl[EXPL_COUNT];
	struct pb_victim *victims;   /* n_victims, malloc'd */
	Kuska__Victim **victim_ptrs; /* n_victims, malloc'd */
};

static void
pb_record_release(struct pb_record *p)
{
	free(p->victims);
	free(p->victim_ptrs);
	p->victims = NULL;
	p->victim_ptrs = NULL;
}

static int
record_to_pb(const struct record *in, struct pb_record *p)
{
	size_t i, n = 0;

	memset(p, 0, sizeof(*p));
	kuska__record__init(&p->r);
	p->r.date = (uint32_t)in->date;
	p->r.region = in->region;
	switch (in->kind) {
	case KIND_IDENTIFICATION:
		kuska__identification__init(&p->ident);
		victim_to_pb(&in->victim, &p->victim);
		p->ident.victim = &p->victim.v;
		for (i = 1; i <= EXPL_COUNT; i++)
			if (in->exploitation & (1u << i))
				p->expl[n++] = (Kuska__Exploitation)i;
		p->ident.n_exploitation = n;
		p->ident.exploitation = p->expl;
		p->r.body_case = KUSKA__RECORD__BODY_IDENTIFICATION;
		p->r.identification = &p->ident;
		break;
	case KIND_REFERRAL:
		kuska__referral__init(&p->ref);
		victim_to_pb(&in->victim, &p->victim);
		p->ref.victim = &p->victim.v;
		p->ref.to = (Kuska__Institution)in->other;
		p->ref.purpose = (Kuska__Purpose)in->purpose;
		p->ref.referral.data = (uint8_t *)in->referral;
		p->ref.referral.len = PSEUDONYM_LEN;
		p->r.body_case = KUSKA__RECORD__BODY_REFERRAL;
		p->r.referral = &p->ref;
		break;
	case KIND_REFERRAL_RECEIVED:
		kuska__referral_received__init(&p->recv);
		victim_to_pb(&in->victim, &p->victim);
		p->recv.victim = &p->victim.v;
		p->recv.from = (Kuska__Institution)in->other;
		p->recv.referral.data = (uint8_t *)in->referral;
		p->recv.referral.len = PSEUDONYM_LEN;
		p->r.body_case = KUSKA__RECORD__BODY_REFERRAL_RECEIVED;
		p->r.referral_received = &p->recv;
		break;
	case KIND_SERVICE:
		kuska__service__init(&p->serv);
		victim_to_pb(&in->victim, &p->victim);
		p->serv.victim = &p->victim.v;
		p->serv.service = (Kuska__ServiceKind)in->service;
		p->r.body_case = KUSKA__RECORD__BODY_SERVICE;
		p->r.service = &p->serv;
		break;
	case KIND_CASE_STAGE:
		kuska__case_stage__init(&p->cs);
		p->cs.case_id.data = (uint8_t *)in->case_id;
		p->cs.case_id.len = PSEUDONYM_LEN;
		p->cs.stage = (Kuska__Stage)in->stage;
		p->cs.persons = in->persons;
		p->cs.article = (char *)in->article;
		if (in->n_victims > 0) {
			p->victims = calloc(in->n_victims, sizeof(*p->victims));
			p->victim_ptrs =
			    calloc(in->n_victims, sizeof(*p->victim_ptrs));
			if (p->victims == NULL || p->victim_ptrs == NULL) {
				pb_record_release(p);
				return -ENOMEM;
			}
			for (i = 0; i < in->n_victims; i++) {
				victim_to_pb(&in->victims[i], &p->victims[i]);
				p->victim_ptrs[i] = &p->victims[i].v;
			}
		}
		p->cs.n_victims = in->n_victims;
		p->cs.victims = p->victim_ptrs;
		p->r.body_case = KUSKA__RECORD__BODY_CASE_STAGE;
		p->r.case_stage = &p->cs;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int
record_from_pb(const Kuska__Record *in, struct record *out)
{
	size_t i;

	memset(out, 0, offsetof(struct record, victims));
	if (in == NULL || in->date > INT32_MAX || in->region > 255)
		return -EBADMSG;
	out->date = (int32_t)in->date;
	out->region = (uint8_t)in->region;
	switch (in->body_case) {
	case KUSKA__RECORD__BODY_IDENTIFICATION:
		out->kind = KIND_IDENTIFICATION;
		if (victim_from_pb(in->identification->victim, &out->victim))
			return -EBADMSG;
		for (i = 0; i < in->identification->n_exploitation; i++) {
			unsigned e =
			    (unsigned)in->identification->exploitation[i];
			if (e < 1 || e > EXPL_COUNT ||
			    (out->exploitation & (1u << e)))
				return -EBADMSG;
			out->exploitation |= 1u << e;
		}
		break;
	case KUSKA__RECORD__BODY_REFERRAL:
		out->kind = KIND_REFERRAL;
		if (victim_from_pb(in->referral->victim, &out->victim) ||
		    in->referral->referral.len != PSEUDONYM_LEN)
			return -EBADMSG;
		out->other = (enum institution)in->referral->to;
		out->purpose = (enum purpose)in->referral->purpose;
		memcpy(out->referral, in->referral->referral.data,
		       PSEUDONYM_LEN);
		break;
	case KUSKA__RECORD__BODY_REFERRAL_RECEIVED:
		out->kind = KIND_REFERRAL_RECEIVED;
		if (victim_from_pb(in->referral_received->victim,
				   &out->victim) ||
		    in->referral_received->referral.len != PSEUDONYM_LEN)
			return -EBADMSG;
		out->other = (enum institution)in->referral_received->from;
		memcpy(out->referral, in->referral_received->referral.data,
		       PSEUDONYM_LEN);
		break;
	case KUSKA__RECORD__BODY_SERVICE:
		out->kind = KIND_SERVICE;
		if (victim_from_pb(in->service->victim, &out->victim))
			return -EBADMSG;
		out->service = (enum service)in->service->service;
		break;
	case KUSKA__RECORD__BODY_CASE_STAGE: {
		const Kuska__CaseStage *cs = in->case_stage;
		out->kind = KIND_CASE_STAGE;
		if (cs->case_id.len != PSEUDONYM_LEN ||
		    cs->n_victims > EVENT_MAX_CASE_VICTIMS ||
		    cs->article == NULL ||
		    strlen(cs->article) >= EVENT_MAX_ARTICLE)
			return -EBADMSG;
		memcpy(out->case_id, cs->case_id.data, PSEUDONYM_LEN);
		out->stage = (enum stage)cs->stage;
		out->persons = cs->persons;
		snprintf(out->article, sizeof(out->article), "%s", cs->article);
		out->n_victims = cs->n_victims;
		for (i = 0; i < cs->n_victims; i++)
			if (victim_from_pb(cs->victims[i], &out->victims[i]))
				return -EBADMSG;
		break;
	}
	default:
		return -EBADMSG;
	}
	return 0;
}

int
codec_event_encode(const struct event *ev, uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__Event pe = KUSKA__EVENT__INIT;
	Kuska__Correction corr = KUSKA__CORRECTION__INIT;
	Kuska__Withdrawal wd = KUSKA__WITHDRAWAL__INIT;
	struct pb_record rec;
	uint8_t *buf;
	size_t len;
	int r;

	memset(&rec, 0, sizeof(rec));
	if (event_check(ev, NULL) != 0)
		return -EINVAL;
	pe.id.data = (uint8_t *)ev->id;
	pe.id.len = EVENT_ID_LEN;
	pe.has_key_epoch = ev->key_epoch != 0;
	pe.key_epoch = ev->key_epoch;
	if (ev->kind == KIND_WITHDRAWAL) {
		wd.target_seq = ev->target_seq;
		pe.change_case = KUSKA__EVENT__CHANGE_WITHDRAWAL;
		pe.withdrawal = &wd;
	} else {
		r = record_to_pb(&ev->rec, &rec);
		if (r != 0)
			return r;
		if (ev->kind == KIND_CORRECTION) {
			corr.target_seq = ev->target_seq;
			corr.record = &rec.r;
			pe.change_case = KUSKA__EVENT__CHANGE_CORRECTION;
			pe.correction = &corr;
		} else {
			pe.change_case = KUSKA__EVENT__CHANGE_RECORD;
			pe.record = &rec.r;
		}
	}
	len = kuska__event__get_packed_size(&pe);
	if (len > CODEC_MAX_EVENT) {
		r = -EMSGSIZE;
		goto out;
	}
	buf = malloc(len ? len : 1);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	kuska__event__pack(&pe, buf);
	*ret_buf = buf;
	*ret_len = len;
	r = 0;
out:
	pb_record_release(&rec);
	return r;
}

int
codec_event_decode(const uint8_t *buf, size_t len, struct event *ret)
{
	struct arena a;
	Kuska__Event *pe;
	int r = -EBADMSG;

	if (len > CODEC_MAX_EVENT)
		return -EBADMSG;
	arena_init(&a);
	pe = kuska__event__unpack(&a.pa, len, buf);
	if (pe == NULL)
		return arena_unpack_err(&a);
	memset(ret, 0, offsetof(struct event, rec));
	if (pe->id.len != EVENT_ID_LEN)
		goto out;
	memcpy(ret->id, pe->id.data, EVENT_ID_LEN);
	ret->key_epoch = pe->has_key_epoch ? pe->key_epoch : 0;
	switch (pe->change_case) {
	case KUSKA__EVENT__CHANGE_RECORD:
		if (record_from_pb(pe->record, &ret->rec) != 0)
			goto out;
		ret->kind = ret->rec.kind;
		break;
	case KUSKA__EVENT__CHANGE_CORRECTION:
		if (record_from_pb(pe->correction->record, &ret->rec) != 0)
			goto out;
		ret->kind = KIND_CORRECTION;
		ret->target_seq = pe->correction->target_seq;
		break;
	case KUSKA__EVENT__CHANGE_WITHDRAWAL:
		memset(&ret->rec, 0, offsetof(struct record, victims));
		ret->kind = KIND_WITHDRAWAL;
		ret->target_seq = pe->withdrawal->target_seq;
		break;
	default:
		goto out;
	}
	if (event_check(ret, NULL) != 0)
		goto out;
	r = 0;
out:
	arena_done(&a, &pe->base);
	return r;
}

/* ---- envelopes ------------------------------------------------------- */

int
codec_envelope_encode(const struct envelope *env, uint8_t **ret_buf,
		      size_t *ret_len)
{
	Kuska__Envelope pe = KUSKA__ENVELOPE__INIT;
	uint8_t *buf;
	size_t len;

	pe.version = env->version;
	pe.institution = (Kuska__Institution)env->inst;
	pe.seq = env->seq;
	pe.key_id.data = (uint8_t *)env->key_id;
	pe.key_id.len = KEY_ID_LEN;
	pe.created_ms = env->created_ms;
	pe.event.data = env->event;
	pe.event.len = env->event_len;
	pe.signature.data = (uint8_t *)env->signature;
	pe.signature.len = SIGNATURE_LEN;
	if (env->network[0] != '\0')
		pe.network = (char *)env->network;
	len = kuska__envelope__get_packed_size(&pe);
	if (len > CODEC_MAX_ENVELOPE)
		return -EMSGSIZE;
	buf = malloc(len);
	if (buf == NULL)
		return -ENOMEM;
	kuska__envelope__pack(&pe, buf);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int
codec_envelope_decode(const uint8_t *buf, size_t len, struct envelope *ret)
{
	struct arena a;
	Kuska__Envelope *pe;
	int r = -EBADMSG;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_ENVELOPE)
		return -EBADMSG;
	arena_init(&a);
	pe = kuska__envelope__unpack(&a.pa, len, buf);
	if (pe == NULL)
		return arena_unpack_err(&a);
	if (pe->institution < 1 || pe->institution > INST_COUNT ||
	    pe->seq == 0 || pe->key_id.len != KEY_ID_LEN ||
	    pe->signature.len != SIGNATURE_LEN ||
	    pe->event.len > CODEC_MAX_EVENT ||
	    (pe->network != NULL &&
	     codec_copy_name(pe->network, ret->network) != 0))
		goto out;
	ret->event = malloc(pe->event.len ? pe->event.len : 1);
	if (ret->event == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (pe->event.len > 0)
		memcpy(ret->event, pe->event.data, pe->event.len);
	ret->event_len = pe->event.len;
	ret->version = pe->version;
	ret->inst = (enum institution)pe->institution;
	ret->seq = pe->seq;
	memcpy(ret->key_id, pe->key_id.data, KEY_ID_LEN);
	ret->created_ms = pe->created_ms;
	memcpy(ret->signature, pe->signature.data, SIGNATURE_LEN);
	r = 0;
out:
	arena_done(&a, &pe->base);
	return r;
}

void
codec_envelope_clear(struct envelope *env)
{
	free(env->event);
	memset(env, 0, sizeof(*env));
}
