/* codec.c - protobuf-c encoding of events and messages; see codec.h. */
#include "codec.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kuska.pb-c.h"

/* The C enums of event.h and codec.h must be the schema's numbers. */
_Static_assert((int)INST_PNP == (int)KUSKA__INSTITUTION__PNP &&
		   (int)INST_MINSA == (int)KUSKA__INSTITUTION__MINSA,
	       "institution numbers");
_Static_assert((int)SEX_U == (int)KUSKA__SEX__SEX_U, "sex numbers");
_Static_assert((int)AGE_18_PLUS == (int)KUSKA__AGE_GROUP__AGE_18_PLUS,
	       "age numbers");
_Static_assert((int)EXPL_OTHER ==
		       (int)KUSKA__EXPLOITATION__EXPLOITATION_OTHER &&
		   (int)EXPL_ORGAN_REMOVAL ==
		       (int)KUSKA__EXPLOITATION__ORGAN_REMOVAL,
	       "exploitation numbers");
_Static_assert((int)PURPOSE_JUSTICE == (int)KUSKA__PURPOSE__JUSTICE,
	       "purposes");
_Static_assert((int)SERVICE_REINTEGRATION ==
		   (int)KUSKA__SERVICE_KIND__REINTEGRATION,
	       "services");
_Static_assert((int)STAGE_DISMISSAL == (int)KUSKA__STAGE__DISMISSAL &&
		   (int)STAGE_CONVICTION == (int)KUSKA__STAGE__CONVICTION,
	       "stages");
_Static_assert((int)REASON_BAD_REQUEST == (int)KUSKA__REASON__BAD_REQUEST,
	       "reasons");

static const char *const reason_names[REASON_COUNT] = {
    "none",
    "bad_frame",
    "bad_envelope",
    "bad_version",
    "wrong_institution",
    "unknown_key",
    "key_not_valid",
    "bad_signature",
    "bad_event",
    "kind_not_allowed",
    "stage_not_allowed",
    "bad_target",
    "gap",
    "too_large",
    "store_full",
    "store_error",
    "not_authorized",
    "bad_request",
};

const char *
reason_name(enum reason r)
{
	if ((unsigned)r >= REASON_COUNT)
		return NULL;
	return reason_names[r];
}

/* ---- events ---------------------------------------------------------- */

/* Storage for one victim being encoded; lives on the caller's stack. */
struct pb_victim {
	Kuska__Victim v;
	char nat[3];
};

static void
victim_to_pb(const struct victim *in, struct pb_victim *out)
{
	kuska__victim__init(&out->v);
	if (in->linkable) {
		out->v.has_pseudonym = 1;
		out->v.pseudonym.data = (uint8_t *)in->pseudonym;
		out->v.pseudonym.len = PSEUDONYM_LEN;
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
		out->linkable = true;
		memcpy(out->pseudonym, in->pseudonym.data, PSEUDONYM_LEN);
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
	Kuska__Event *pe;
	int r = -EBADMSG;

	if (len > CODEC_MAX_EVENT)
		return -EBADMSG;
	pe = kuska__event__unpack(NULL, len, buf);
	if (pe == NULL)
		return -EBADMSG;
	memset(ret, 0, offsetof(struct event, rec));
	if (pe->id.len != EVENT_ID_LEN)
		goto out;
	memcpy(ret->id, pe->id.data, EVENT_ID_LEN);
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
	kuska__event__free_unpacked(pe, NULL);
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
	Kuska__Envelope *pe;
	int r = -EBADMSG;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_ENVELOPE)
		return -EBADMSG;
	pe = kuska__envelope__unpack(NULL, len, buf);
	if (pe == NULL)
		return -EBADMSG;
	if (pe->institution < 1 || pe->institution > INST_COUNT ||
	    pe->seq == 0 || pe->key_id.len != KEY_ID_LEN ||
	    pe->signature.len != SIGNATURE_LEN ||
	    pe->event.len > CODEC_MAX_EVENT)
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
	kuska__envelope__free_unpacked(pe, NULL);
	return r;
}

void
codec_envelope_clear(struct envelope *env)
{
	free(env->event);
	memset(env, 0, sizeof(*env));
}

/* ---- protocol messages ----------------------------------------------- */

static void
copy_text(char *dst, const char *src)
{
	snprintf(dst, CODEC_MAX_TEXT + 1, "%s", src != NULL ? src : "");
}

int
codec_msg_encode(const struct msg *m, uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__Message pm = KUSKA__MESSAGE__INIT;
	Kuska__Hello hello = KUSKA__HELLO__INIT;
	Kuska__Welcome welcome = KUSKA__WELCOME__INIT;
	Kuska__Batch batch = KUSKA__BATCH__INIT;
	Kuska__Ack ack = KUSKA__ACK__INIT;
	Kuska__Refusal refusal = KUSKA__REFUSAL__INIT;
	ProtobufCBinaryData *envs = NULL;
	Kuska__Rejection *rejs = NULL, **rej_ptrs = NULL;
	uint8_t *buf;
	size_t i, len;
	int r = 0;

	switch (m->type) {
	case MSG_HELLO:
		hello.institution = (Kuska__Institution)m->inst;
		hello.version = m->version;
		hello.nonce = m->nonce;
		pm.msg_case = KUSKA__MESSAGE__MSG_HELLO;
		pm.hello = &hello;
		break;
	case MSG_WELCOME:
		welcome.nonce = m->nonce;
		welcome.last_seq = m->last_seq;
		pm.msg_case = KUSKA__MESSAGE__MSG_WELCOME;
		pm.welcome = &welcome;
		break;
	case MSG_BATCH:
		if (m->n_envelopes > CODEC_MAX_BATCH_EVENTS)
			return -EMSGSIZE;
		envs = calloc(m->n_envelopes + 1, sizeof(*envs));
		if (envs == NULL)
			return -ENOMEM;
		for (i = 0; i < m->n_envelopes; i++) {
			envs[i].data = (uint8_t *)m->envelopes[i];
			envs[i].len = m->envelope_lens[i];
		}
		batch.batch_id = m->batch_id;
		batch.n_envelopes = m->n_envelopes;
		batch.envelopes = envs;
		pm.msg_case = KUSKA__MESSAGE__MSG_BATCH;
		pm.batch = &batch;
		break;
	case MSG_ACK:
		rejs = calloc(m->n_rejections + 1, sizeof(*rejs));
		rej_ptrs = calloc(m->n_rejections + 1, sizeof(*rej_ptrs));
		if (rejs == NULL || rej_ptrs == NULL) {
			r = -ENOMEM;
			goto out;
		}
		for (i = 0; i < m->n_rejections; i++) {
			kuska__rejection__init(&rejs[i]);
			rejs[i].seq = m->rejections[i].seq;
			rejs[i].reason = (Kuska__Reason)m->rejections[i].reason;
			rejs[i].text = (char *)m->rejections[i].text;
			rej_ptrs[i] = &rejs[i];
		}
		ack.batch_id = m->batch_id;
		ack.last_seq = m->last_seq;
		ack.n_rejections = m->n_rejections;
		ack.rejections = rej_ptrs;
		pm.msg_case = KUSKA__MESSAGE__MSG_ACK;
		pm.ack = &ack;
		break;
	case MSG_REFUSAL:
		if (m->batch_id != 0) {
			refusal.has_batch_id = 1;
			refusal.batch_id = m->batch_id;
		}
		refusal.reason = (Kuska__Reason)m->reason;
		refusal.text = (char *)m->text;
		if (m->has_expected) {
			refusal.has_expected_seq = 1;
			refusal.expected_seq = m->expected_seq;
		}
		pm.msg_case = KUSKA__MESSAGE__MSG_REFUSAL;
		pm.refusal = &refusal;
		break;
	default:
		return -EINVAL;
	}
	len = kuska__message__get_packed_size(&pm);
	if (len > CODEC_MAX_FRAME) {
		r = -EMSGSIZE;
		goto out;
	}
	buf = malloc(len ? len : 1);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	kuska__message__pack(&pm, buf);
	*ret_buf = buf;
	*ret_len = len;
out:
	free(envs);
	free(rejs);
	free(rej_ptrs);
	return r;
}

static int
msg_from_pb(const Kuska__Message *pm, struct msg *m)
{
	size_t i;

	switch (pm->msg_case) {
	case KUSKA__MESSAGE__MSG_HELLO:
		m->type = MSG_HELLO;
		if (pm->hello->institution < 1 ||
		    pm->hello->institution > INST_COUNT)
			return -EBADMSG;
		m->inst = (enum institution)pm->hello->institution;
		m->version = pm->hello->version;
		m->nonce = pm->hello->nonce;
		return 0;
	case KUSKA__MESSAGE__MSG_WELCOME:
		m->type = MSG_WELCOME;
		m->nonce = pm->welcome->nonce;
		m->last_seq = pm->welcome->last_seq;
		return 0;
	case KUSKA__MESSAGE__MSG_BATCH:
		m->type = MSG_BATCH;
		m->batch_id = pm->batch->batch_id;
		if (pm->batch->n_envelopes > CODEC_MAX_BATCH_EVENTS)
			return -EMSGSIZE;
		m->n_envelopes = pm->batch->n_envelopes;
		m->envelopes = calloc(m->n_envelopes + 1, sizeof(uint8_t *));
		m->envelope_lens = calloc(m->n_envelopes + 1, sizeof(size_t));
		if (m->envelopes == NULL || m->envelope_lens == NULL)
			return -ENOMEM;
		for (i = 0; i < m->n_envelopes; i++) {
			m->envelopes[i] = pm->batch->envelopes[i].data;
			m->envelope_lens[i] = pm->batch->envelopes[i].len;
		}
		return 0;
	case KUSKA__MESSAGE__MSG_ACK:
		m->type = MSG_ACK;
		m->batch_id = pm->ack->batch_id;
		m->last_seq = pm->ack->last_seq;
		if (pm->ack->n_rejections > CODEC_MAX_REJECTIONS)
			return -EMSGSIZE;
		m->n_rejections = pm->ack->n_rejections;
		m->rejections =
		    calloc(m->n_rejections + 1, sizeof(*m->rejections));
		if (m->rejections == NULL)
			return -ENOMEM;
		for (i = 0; i < m->n_rejections; i++) {
			const Kuska__Rejection *pr = pm->ack->rejections[i];
			m->rejections[i].seq = pr->seq;
			m->rejections[i].reason = (enum reason)pr->reason;
			if ((unsigned)pr->reason >= REASON_COUNT)
				m->rejections[i].reason = REASON_NONE;
			copy_text(m->rejections[i].text, pr->text);
		}
		return 0;
	case KUSKA__MESSAGE__MSG_REFUSAL:
		m->type = MSG_REFUSAL;
		m->batch_id =
		    pm->refusal->has_batch_id ? pm->refusal->batch_id : 0;
		m->reason = (enum reason)pm->refusal->reason;
		if ((unsigned)pm->refusal->reason >= REASON_COUNT)
			m->reason = REASON_NONE;
		copy_text(m->text, pm->refusal->text);
		m->has_expected = pm->refusal->has_expected_seq;
		m->expected_seq = pm->refusal->expected_seq;
		return 0;
	default:
		return -EBADMSG;
	}
}

int
codec_msg_decode(const uint8_t *buf, size_t len, struct msg *ret)
{
	Kuska__Message *pm;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_FRAME)
		return -EMSGSIZE;
	pm = kuska__message__unpack(NULL, len, buf);
	if (pm == NULL)
		return -EBADMSG;
	ret->priv = pm;
	r = msg_from_pb(pm, ret);
	if (r != 0)
		codec_msg_clear(ret);
	return r;
}

void
codec_msg_clear(struct msg *m)
{
	if (m->priv != NULL)
		kuska__message__free_unpacked(m->priv, NULL);
	free(m->envelopes);
	free(m->envelope_lens);
	free(m->rejections);
	memset(m, 0, sizeof(*m));
}

/* ---- local control --------------------------------------------------- */

_Static_assert((int)LINE_BLANK == (int)KUSKA__LINE_STATUS__LINE_BLANK,
	       "line status");

static void
copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

static int
control_pack(const Kuska__Control *pc, uint8_t **ret_buf, size_t *ret_len)
{
	size_t len = kuska__control__get_packed_size(pc);
	uint8_t *buf;

	if (len > CODEC_MAX_FRAME)
		return -EMSGSIZE;
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		return -ENOMEM;
	kuska__control__pack(pc, buf);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

static int
encode_submit_reply(const struct control *c, Kuska__Control *pc,
		    uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__SubmitReply rep = KUSKA__SUBMIT_REPLY__INIT;
	Kuska__LineResult *lr;
	Kuska__LineResult **ptrs;
	size_t i;
	int r;

	lr = calloc(c->n_results + 1, sizeof(*lr));
	ptrs = calloc(c->n_results + 1, sizeof(*ptrs));
	if (lr == NULL || ptrs == NULL) {
		free(lr);
		free(ptrs);
		return -ENOMEM;
	}
	for (i = 0; i < c->n_results; i++) {
		const struct line_result *in = &c->results[i];
		kuska__line_result__init(&lr[i]);
		lr[i].line = in->line;
		lr[i].status = (Kuska__LineStatus)in->status;
		if (in->status == LINE_ACCEPTED || in->status == LINE_HELD) {
			lr[i].has_seq = 1;
			lr[i].seq = in->seq;
		}
		if (in->status == LINE_REFUSED) {
			lr[i].field = (char *)in->field;
			lr[i].reason = (char *)in->reason;
		}
		if (in->unlinkable > 0) {
			lr[i].has_unlinkable = 1;
			lr[i].unlinkable = in->unlinkable;
		}
		ptrs[i] = &lr[i];
	}
	rep.n_results = c->n_results;
	rep.results = ptrs;
	if (c->error[0] != '\0')
		rep.error = (char *)c->error;
	pc->msg_case = KUSKA__CONTROL__MSG_SUBMIT_REPLY;
	pc->submit_reply = &rep;
	r = control_pack(pc, ret_buf, ret_len);
	free(lr);
	free(ptrs);
	return r;
}

static int
encode_node_status(const struct control *c, Kuska__Control *pc,
		   uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__NodeStatus ns = KUSKA__NODE_STATUS__INIT;
	Kuska__DeadLetter *dl;
	Kuska__DeadLetter **ptrs;
	const struct node_status *in = &c->node;
	size_t i;
	int r;

	dl = calloc(in->n_dead + 1, sizeof(*dl));
	ptrs = calloc(in->n_dead + 1, sizeof(*ptrs));
	if (dl == NULL || ptrs == NULL) {
		free(dl);
		free(ptrs);
		return -ENOMEM;
	}
	for (i = 0; i < in->n_dead; i++) {
		kuska__dead_letter__init(&dl[i]);
		dl[i].seq = in->dead[i].seq;
		dl[i].ref = (char *)in->dead[i].ref;
		dl[i].reason = (Kuska__Reason)in->dead[i].reason;
		dl[i].text = (char *)in->dead[i].text;
		dl[i].at_ms = in->dead[i].at_ms;
		ptrs[i] = &dl[i];
	}
	ns.institution = (Kuska__Institution)in->inst;
	ns.last_seq = in->last_seq;
	ns.acked_seq = in->acked_seq;
	ns.oldest_pending_ms = in->oldest_pending_ms;
	ns.last_contact_ms = in->last_contact_ms;
	ns.connected = in->connected;
	ns.dead_total = in->dead_total;
	ns.n_dead = in->n_dead;
	ns.dead = ptrs;
	ns.accepted_total = in->accepted_total;
	ns.now_ms = in->now_ms;
	ns.alarm_backlog_hours = in->alarm_backlog_hours;
	if (in->last_refusal[0] != '\0') {
		ns.last_refusal = (char *)in->last_refusal;
		ns.has_last_refusal_ms = 1;
		ns.last_refusal_ms = in->last_refusal_ms;
	}
	pc->msg_case = KUSKA__CONTROL__MSG_NODE_STATUS;
	pc->node_status = &ns;
	r = control_pack(pc, ret_buf, ret_len);
	free(dl);
	free(ptrs);
	return r;
}

static int
encode_cons_status(const struct control *c, Kuska__Control *pc,
		   uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__ConsolidatorStatus cs = KUSKA__CONSOLIDATOR_STATUS__INIT;
	Kuska__InstitutionStatus is[INST_COUNT];
	Kuska__InstitutionStatus *isp[INST_COUNT];
	Kuska__ReasonCount rc[INST_COUNT][REASON_COUNT];
	Kuska__ReasonCount *rcp[INST_COUNT][REASON_COUNT];
	int i, j;

	for (i = 0; i < INST_COUNT; i++) {
		const struct inst_status *in = &c->cons.inst[i + 1];
		size_t n = 0;
		kuska__institution_status__init(&is[i]);
		is[i].institution = (Kuska__Institution)(i + 1);
		is[i].last_seq = in->last_seq;
		is[i].accepted = in->accepted;
		is[i].refused = in->refused;
		is[i].last_contact_ms = in->last_contact_ms;
		for (j = 1; j < REASON_COUNT; j++) {
			if (in->refused_by_reason[j] == 0)
				continue;
			kuska__reason_count__init(&rc[i][n]);
			rc[i][n].reason = (Kuska__Reason)j;
			rc[i][n].count = in->refused_by_reason[j];
			rcp[i][n] = &rc[i][n];
			n++;
		}
		is[i].n_refused_by_reason = n;
		is[i].refused_by_reason = rcp[i];
		isp[i] = &is[i];
	}
	cs.n_institutions = INST_COUNT;
	cs.institutions = isp;
	cs.now_ms = c->cons.now_ms;
	cs.alarm_silent_hours = c->cons.alarm_silent_hours;
	cs.handshake_failures = c->cons.handshake_failures;
	cs.frames_refused = c->cons.frames_refused;
	pc->msg_case = KUSKA__CONTROL__MSG_CONSOLIDATOR_STATUS;
	pc->consolidator_status = &cs;
	return control_pack(pc, ret_buf, ret_len);
}

int
codec_control_encode(const struct control *c, uint8_t **ret_buf,
		     size_t *ret_len)
{
	Kuska__Control pc = KUSKA__CONTROL__INIT;
	Kuska__SubmitHeader sh = KUSKA__SUBMIT_HEADER__INIT;
	Kuska__StatusRequest sr = KUSKA__STATUS_REQUEST__INIT;
	Kuska__MetricsRequest mr = KUSKA__METRICS_REQUEST__INIT;

	switch (c->type) {
	case CTL_SUBMIT:
		sh.source = (char *)c->source;
		sh.first_line = c->first_line;
		pc.msg_case = KUSKA__CONTROL__MSG_SUBMIT;
		pc.submit = &sh;
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_SUBMIT_REPLY:
		return encode_submit_reply(c, &pc, ret_buf, ret_len);
	case CTL_STATUS:
		if (c->max_dead > 0) {
			sr.has_max_dead = 1;
			sr.max_dead = c->max_dead;
		}
		pc.msg_case = KUSKA__CONTROL__MSG_STATUS;
		pc.status = &sr;
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_NODE_STATUS:
		return encode_node_status(c, &pc, ret_buf, ret_len);
	case CTL_CONS_STATUS:
		return encode_cons_status(c, &pc, ret_buf, ret_len);
	case CTL_ERROR:
		pc.msg_case = KUSKA__CONTROL__MSG_ERROR;
		pc.error = (char *)c->error;
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_METRICS:
		pc.msg_case = KUSKA__CONTROL__MSG_METRICS;
		pc.metrics = &mr;
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_METRICS_TEXT:
		pc.msg_case = KUSKA__CONTROL__MSG_METRICS_TEXT;
		pc.metrics_text = c->text != NULL ? c->text : (char *)"";
		return control_pack(&pc, ret_buf, ret_len);
	default:
		return -EINVAL;
	}
}

static int
decode_submit_reply(const Kuska__SubmitReply *in, struct control *c)
{
	size_t i;

	if (in->n_results > CODEC_MAX_LINES)
		return -EBADMSG;
	c->results = calloc(in->n_results + 1, sizeof(*c->results));
	if (c->results == NULL)
		return -ENOMEM;
	c->n_results = in->n_results;
	for (i = 0; i < in->n_results; i++) {
		const Kuska__LineResult *lr = in->results[i];
		struct line_result *out = &c->results[i];
		out->line = lr->line;
		out->status = (enum line_status)lr->status;
		if ((int)lr->status < (int)LINE_ACCEPTED ||
		    (int)lr->status > (int)LINE_BLANK)
			return -EBADMSG;
		out->seq = lr->seq;
		copy_str(out->field, sizeof(out->field), lr->field);
		copy_str(out->reason, sizeof(out->reason), lr->reason);
		out->unlinkable = lr->unlinkable;
	}
	copy_str(c->error, sizeof(c->error), in->error);
	return 0;
}

static int
decode_node_status(const Kuska__NodeStatus *in, struct control *c)
{
	struct node_status *ns = &c->node;
	size_t i;

	if (in->n_dead > CODEC_MAX_DEAD || in->institution < 1 ||
	    in->institution > INST_COUNT)
		return -EBADMSG;
	ns->dead = calloc(in->n_dead + 1, sizeof(*ns->dead));
	if (ns->dead == NULL)
		return -ENOMEM;
	ns->n_dead = in->n_dead;
	for (i = 0; i < in->n_dead; i++) {
		const Kuska__DeadLetter *d = in->dead[i];
		ns->dead[i].seq = d->seq;
		copy_str(ns->dead[i].ref, sizeof(ns->dead[i].ref), d->ref);
		ns->dead[i].reason = (unsigned)d->reason < REASON_COUNT
					 ? (enum reason)d->reason
					 : REASON_NONE;
		copy_str(ns->dead[i].text, sizeof(ns->dead[i].text), d->text);
		ns->dead[i].at_ms = d->at_ms;
	}
	ns->inst = (enum institution)in->institution;
	ns->last_seq = in->last_seq;
	ns->acked_seq = in->acked_seq;
	ns->oldest_pending_ms = in->oldest_pending_ms;
	ns->last_contact_ms = in->last_contact_ms;
	ns->connected = in->connected;
	ns->dead_total = in->dead_total;
	ns->accepted_total = in->accepted_total;
	ns->now_ms = in->now_ms;
	ns->alarm_backlog_hours = in->alarm_backlog_hours;
	copy_str(ns->last_refusal, sizeof(ns->last_refusal), in->last_refusal);
	ns->last_refusal_ms = in->last_refusal_ms;
	return 0;
}

static int
decode_cons_status(const Kuska__ConsolidatorStatus *in, struct control *c)
{
	size_t i, j;

	for (i = 0; i < in->n_institutions; i++) {
		const Kuska__InstitutionStatus *is = in->institutions[i];
		struct inst_status *out;
		if (is->institution < 1 || is->institution > INST_COUNT)
			return -EBADMSG;
		out = &c->cons.inst[is->institution];
		out->last_seq = is->last_seq;
		out->accepted = is->accepted;
		out->refused = is->refused;
		out->last_contact_ms = is->last_contact_ms;
		for (j = 0; j < is->n_refused_by_reason; j++) {
			unsigned rr =
			    (unsigned)is->refused_by_reason[j]->reason;
			if (rr < REASON_COUNT)
				out->refused_by_reason[rr] =
				    is->refused_by_reason[j]->count;
		}
	}
	c->cons.now_ms = in->now_ms;
	c->cons.alarm_silent_hours = in->alarm_silent_hours;
	c->cons.handshake_failures = in->handshake_failures;
	c->cons.frames_refused = in->frames_refused;
	return 0;
}

int
codec_control_decode(const uint8_t *buf, size_t len, struct control *ret)
{
	Kuska__Control *pc;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_FRAME)
		return -EBADMSG;
	pc = kuska__control__unpack(NULL, len, buf);
	if (pc == NULL)
		return -EBADMSG;
	switch (pc->msg_case) {
	case KUSKA__CONTROL__MSG_SUBMIT:
		ret->type = CTL_SUBMIT;
		copy_str(ret->source, sizeof(ret->source), pc->submit->source);
		ret->first_line = pc->submit->first_line;
		break;
	case KUSKA__CONTROL__MSG_SUBMIT_REPLY:
		ret->type = CTL_SUBMIT_REPLY;
		r = decode_submit_reply(pc->submit_reply, ret);
		break;
	case KUSKA__CONTROL__MSG_STATUS:
		ret->type = CTL_STATUS;
		ret->max_dead = pc->status->max_dead;
		break;
	case KUSKA__CONTROL__MSG_NODE_STATUS:
		ret->type = CTL_NODE_STATUS;
		r = decode_node_status(pc->node_status, ret);
		break;
	case KUSKA__CONTROL__MSG_CONSOLIDATOR_STATUS:
		ret->type = CTL_CONS_STATUS;
		r = decode_cons_status(pc->consolidator_status, ret);
		break;
	case KUSKA__CONTROL__MSG_ERROR:
		ret->type = CTL_ERROR;
		copy_str(ret->error, sizeof(ret->error), pc->error);
		break;
	case KUSKA__CONTROL__MSG_METRICS:
		ret->type = CTL_METRICS;
		break;
	case KUSKA__CONTROL__MSG_METRICS_TEXT:
		ret->type = CTL_METRICS_TEXT;
		ret->text = strdup(pc->metrics_text);
		if (ret->text == NULL)
			r = -ENOMEM;
		break;
	default:
		r = -EBADMSG;
	}
	kuska__control__free_unpacked(pc, NULL);
	if (r != 0)
		codec_control_clear(ret);
	return r == -ENOMEM ? r : (r != 0 ? -EBADMSG : 0);
}

void
codec_control_clear(struct control *c)
{
	free(c->results);
	free(c->node.dead);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

/* ---- queries ----------------------------------------------------------- */

int
codec_query_req_encode(const struct query_req *q, uint8_t **ret_buf,
		       size_t *ret_len)
{
	Kuska__QueryRequest pq = KUSKA__QUERY_REQUEST__INIT;
	uint8_t *buf;
	size_t len;

	pq.table = (char *)q->table;
	pq.period = (char *)q->period;
	if (q->region != 0) {
		pq.has_region = 1;
		pq.region = q->region;
	}
	len = kuska__query_request__get_packed_size(&pq);
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		return -ENOMEM;
	kuska__query_request__pack(&pq, buf);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int
codec_query_req_decode(const uint8_t *buf, size_t len, struct query_req *ret)
{
	Kuska__QueryRequest *pq;
	int r = -EBADMSG;

	memset(ret, 0, sizeof(*ret));
	if (len > 4096)
		return -EBADMSG;
	pq = kuska__query_request__unpack(NULL, len, buf);
	if (pq == NULL)
		return -EBADMSG;
	if (strlen(pq->table) < sizeof(ret->table) &&
	    strlen(pq->period) < sizeof(ret->period)) {
		snprintf(ret->table, sizeof(ret->table), "%s", pq->table);
		snprintf(ret->period, sizeof(ret->period), "%s", pq->period);
		ret->region = pq->has_region ? pq->region : 0;
		r = 0;
	}
	kuska__query_request__free_unpacked(pq, NULL);
	return r;
}

int
codec_qtable_encode(const struct qtable *t, uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__QueryReply pr = KUSKA__QUERY_REPLY__INIT;
	Kuska__Row *rows = NULL, **row_ptrs = NULL;
	Kuska__Cell *cells = NULL, **cell_ptrs = NULL;
	char *cols[CODEC_MAX_COLUMNS];
	size_t i, j, nc = t->n_cols, len;
	uint8_t *buf;
	int r = -ENOMEM;

	if (nc > CODEC_MAX_COLUMNS || t->n_rows > CODEC_MAX_ROWS)
		return -EINVAL;
	rows = calloc(t->n_rows + 1, sizeof(*rows));
	row_ptrs = calloc(t->n_rows + 1, sizeof(*row_ptrs));
	cells = calloc(t->n_rows * nc + 1, sizeof(*cells));
	cell_ptrs = calloc(t->n_rows * nc + 1, sizeof(*cell_ptrs));
	if (rows == NULL || row_ptrs == NULL || cells == NULL ||
	    cell_ptrs == NULL)
		goto out;
	for (i = 0; i < nc; i++)
		cols[i] = (char *)t->cols[i];
	for (i = 0; i < t->n_rows; i++) {
		kuska__row__init(&rows[i]);
		for (j = 0; j < nc; j++) {
			const struct cell *c = &t->rows[i][j];
			Kuska__Cell *pc = &cells[i * nc + j];
			kuska__cell__init(pc);
			switch (c->kind) {
			case CELL_TEXT:
				pc->value_case = KUSKA__CELL__VALUE_TEXT;
				pc->text = (char *)c->text;
				break;
			case CELL_NUMBER:
				pc->value_case = KUSKA__CELL__VALUE_NUMBER;
				pc->number = c->number;
				break;
			case CELL_SUPPRESSED:
				pc->value_case = KUSKA__CELL__VALUE_SUPPRESSED;
				pc->suppressed = 1;
				break;
			case CELL_DECIMAL:
				pc->value_case = KUSKA__CELL__VALUE_DECIMAL;
				pc->decimal = (char *)c->text;
				break;
			default:
				pc->value_case = KUSKA__CELL__VALUE_EMPTY;
				pc->empty = 1;
			}
			cell_ptrs[i * nc + j] = pc;
		}
		rows[i].n_cells = nc;
		rows[i].cells = cell_ptrs + i * nc;
		row_ptrs[i] = &rows[i];
	}
	if (t->error[0] != '\0')
		pr.error = (char *)t->error;
	pr.n_columns = nc;
	pr.columns = cols;
	pr.n_rows = t->n_rows;
	pr.rows = row_ptrs;
	pr.k = t->k;
	pr.role = (char *)t->role;
	len = kuska__query_reply__get_packed_size(&pr);
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		goto out;
	kuska__query_reply__pack(&pr, buf);
	*ret_buf = buf;
	*ret_len = len;
	r = 0;
out:
	free(rows);
	free(row_ptrs);
	free(cells);
	free(cell_ptrs);
	return r;
}

int
codec_qtable_decode(const uint8_t *buf, size_t len, struct qtable *ret)
{
	Kuska__QueryReply *pr;
	size_t i, j;
	int r = -EBADMSG;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_FRAME)
		return -EBADMSG;
	pr = kuska__query_reply__unpack(NULL, len, buf);
	if (pr == NULL)
		return -EBADMSG;
	if (pr->n_columns > CODEC_MAX_COLUMNS || pr->n_rows > CODEC_MAX_ROWS)
		goto out;
	copy_str(ret->error, sizeof(ret->error), pr->error);
	copy_str(ret->role, sizeof(ret->role), pr->role);
	ret->k = pr->k;
	ret->n_cols = pr->n_columns;
	for (i = 0; i < pr->n_columns; i++)
		copy_str(ret->cols[i], sizeof(ret->cols[i]), pr->columns[i]);
	ret->rows = calloc(pr->n_rows + 1, sizeof(*ret->rows));
	if (ret->rows == NULL) {
		r = -ENOMEM;
		goto out;
	}
	ret->n_rows = pr->n_rows;
	for (i = 0; i < pr->n_rows; i++) {
		if (pr->rows[i]->n_cells != pr->n_columns)
			goto bad;
		for (j = 0; j < pr->n_columns; j++) {
			const Kuska__Cell *pc = pr->rows[i]->cells[j];
			struct cell *c = &ret->rows[i][j];
			switch (pc->value_case) {
			case KUSKA__CELL__VALUE_TEXT:
				c->kind = CELL_TEXT;
				copy_str(c->text, sizeof(c->text), pc->text);
				break;
			case KUSKA__CELL__VALUE_NUMBER:
				c->kind = CELL_NUMBER;
				c->number = pc->number;
				break;
			case KUSKA__CELL__VALUE_SUPPRESSED:
				c->kind = CELL_SUPPRESSED;
				break;
			case KUSKA__CELL__VALUE_DECIMAL:
				c->kind = CELL_DECIMAL;
				copy_str(c->text, sizeof(c->text), pc->decimal);
				break;
			default:
				c->kind = CELL_EMPTY;
			}
		}
	}
	r = 0;
	goto out;
bad:
	codec_qtable_clear(ret);
out:
	kuska__query_reply__free_unpacked(pr, NULL);
	return r;
}

void
codec_qtable_clear(struct qtable *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n_rows = 0;
}
