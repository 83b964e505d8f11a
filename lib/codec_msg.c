/* codec_msg.c - node <-> consolidator Messages; see codec.h. */
#include "codec.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_pb.h"

static void
copy_text(char *dst, const char *src)
{
	snprintf(dst, CODEC_MAX_TEXT + 1, "%s", src != NULL ? src : "");
}

void
codec_grants_pack(uint32_t kinds, uint32_t stages, Kuska__Grants *g,
		  struct codec_grants_buf *buf)
{
	int i;

	kuska__grants__init(g);
	for (i = 1; i <= KIND_COUNT; i++)
		if (kinds & (1u << i))
			buf->names[g->n_kinds++] =
			    (char *)kind_name((enum kind)i);
	for (i = 1; i <= STAGE_COUNT; i++)
		if (stages & (1u << i))
			buf->stages[g->n_stages++] = (Kuska__Stage)i;
	g->kinds = buf->names;
	g->stages = buf->stages;
}

void
codec_grants_unpack(const Kuska__Grants *g, uint32_t *ret_kinds,
		    uint32_t *ret_stages)
{
	size_t i;
	enum kind k;

	*ret_kinds = 0;
	*ret_stages = 0;
	for (i = 0; i < g->n_kinds; i++)
		if ((k = kind_from_name(g->kinds[i])) != KIND_NONE)
			*ret_kinds |= 1u << k;
	for (i = 0; i < g->n_stages; i++)
		if ((int)g->stages[i] >= 1 && (int)g->stages[i] <= STAGE_COUNT)
			*ret_stages |= 1u << g->stages[i];
}

void
codec_unmatched_pack(const struct unmatched *in, Kuska__UnmatchedTakeup *out)
{
	kuska__unmatched_takeup__init(out);
	out->seq = in->seq;
	out->from = (Kuska__Institution)in->from;
	out->date = (uint32_t)in->date;
	out->counted_date = (uint32_t)in->counted_date;
}

int
codec_unmatched_unpack(const Kuska__UnmatchedTakeup *in, struct unmatched *out)
{
	memset(out, 0, sizeof(*out));
	if ((int)in->from < 1 || (int)in->from > INST_COUNT ||
	    in->date > INT32_MAX || in->counted_date > INT32_MAX)
		return -EBADMSG;
	out->seq = in->seq;
	out->from = (enum institution)in->from;
	out->date = (int32_t)in->date;
	out->counted_date = (int32_t)in->counted_date;
	return 0;
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
	Kuska__RecoverRequest rreq = KUSKA__RECOVER_REQUEST__INIT;
	Kuska__RecoverReply rrep = KUSKA__RECOVER_REPLY__INIT;
	Kuska__Grants grants;
	struct codec_grants_buf gbuf;
	Kuska__HeldEvent *held = NULL, **held_ptrs = NULL;
	ProtobufCBinaryData *envs = NULL;
	Kuska__Rejection *rejs = NULL, **rej_ptrs = NULL;
	Kuska__UnmatchedTakeup *ut = NULL, **ut_ptrs = NULL;
	uint8_t *buf;
	size_t i, len;
	int r = 0;

	switch (m->type) {
	case MSG_HELLO:
		hello.institution = (Kuska__Institution)m->inst;
		hello.version = m->version;
		hello.nonce = m->nonce;
		if (m->network[0] != '\0')
			hello.network = (char *)m->network;
		if (m->has_outbox_id) {
			hello.has_outbox_id = 1;
			hello.outbox_id.data = (uint8_t *)m->outbox_id;
			hello.outbox_id.len = CODEC_OUTBOX_ID_LEN;
		}
		if (m->has_outbox_last_seq) {
			hello.has_outbox_last_seq = 1;
			hello.outbox_last_seq = m->outbox_last_seq;
		}
		if (m->now_ms != 0) {
			hello.has_now_ms = 1;
			hello.now_ms = m->now_ms;
		}
		if (m->diverged[0] != '\0')
			hello.diverged = (char *)m->diverged;
		if (m->has_in_step) {
			hello.has_in_step_sig = 1;
			hello.in_step_sig.data = (uint8_t *)m->in_step_sig;
			hello.in_step_sig.len = SIGNATURE_LEN;
			hello.has_in_step_key_id = 1;
			hello.in_step_key_id.data =
			    (uint8_t *)m->in_step_key_id;
			hello.in_step_key_id.len = KEY_ID_LEN;
		}
		if (m->unmatched_max > 0) {
			hello.has_unmatched_max = 1;
			hello.unmatched_max = m->unmatched_max;
		}
		pm.msg_case = KUSKA__MESSAGE__MSG_HELLO;
		pm.hello = &hello;
		break;
	case MSG_WELCOME:
		welcome.nonce = m->nonce;
		welcome.last_seq = m->last_seq;
		if (m->has_check) {
			welcome.has_check_seq = 1;
			welcome.check_seq = m->check_seq;
			welcome.has_check_hash = 1;
			welcome.check_hash.data = (uint8_t *)m->check_hash;
			welcome.check_hash.len = CODEC_HASH_LEN;
		}
		if (m->has_outbox_id) {
			welcome.has_outbox_id = 1;
			welcome.outbox_id.data = (uint8_t *)m->outbox_id;
			welcome.outbox_id.len = CODEC_OUTBOX_ID_LEN;
		}
		if (m->now_ms != 0) {
			welcome.has_now_ms = 1;
			welcome.now_ms = m->now_ms;
		}
		if (m->has_grants) {
			codec_grants_pack(m->grant_kinds, m->grant_stages,
					  &grants, &gbuf);
			welcome.grants = &grants;
		}
		if (m->has_unmatched) {
			if (m->n_unmatched > CODEC_MAX_UNMATCHED)
				return -EMSGSIZE;
			ut = calloc(m->n_unmatched + 1, sizeof(*ut));
			ut_ptrs = calloc(m->n_unmatched + 1, sizeof(*ut_ptrs));
			if (ut == NULL || ut_ptrs == NULL) {
				r = -ENOMEM;
				goto out;
			}
			for (i = 0; i < m->n_unmatched; i++) {
				codec_unmatched_pack(&m->unmatched[i], &ut[i]);
				ut_ptrs[i] = &ut[i];
			}
			welcome.n_unmatched = m->n_unmatched;
			welcome.unmatched = ut_ptrs;
			welcome.has_unmatched_total = 1;
			welcome.unmatched_total = m->unmatched_total;
		}
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
	case MSG_RECOVER_REQUEST:
		rreq.from_seq = m->from_seq;
		if (m->refusals_only) {
			rreq.has_refusals_only = 1;
			rreq.refusals_only = 1;
		}
		pm.msg_case = KUSKA__MESSAGE__MSG_RECOVER_REQUEST;
		pm.recover_request = &rreq;
		break;
	case MSG_RECOVER_REPLY:
		if (m->n_held > CODEC_MAX_BATCH_EVENTS)
			return -EMSGSIZE;
		held = calloc(m->n_held + 1, sizeof(*held));
		held_ptrs = calloc(m->n_held + 1, sizeof(*held_ptrs));
		if (held == NULL || held_ptrs == NULL) {
			r = -ENOMEM;
			goto out;
		}
		for (i = 0; i < m->n_held; i++) {
			const struct held_event *h = &m->held[i];
			kuska__held_event__init(&held[i]);
			held[i].seq = h->seq;
			if (h->env != NULL) {
				held[i].has_envelope = 1;
				held[i].envelope.data = (uint8_t *)h->env;
				held[i].envelope.len = h->len;
			}
			if (h->reason != REASON_NONE) {
				held[i].has_reason = 1;
				held[i].reason = (Kuska__Reason)h->reason;
				held[i].text = (char *)h->text;
			}
			held_ptrs[i] = &held[i];
		}
		rrep.last_seq = m->last_seq;
		if (m->scanned_to != 0) {
			rrep.has_scanned_to = 1;
			rrep.scanned_to = m->scanned_to;
		}
		rrep.n_events = m->n_held;
		rrep.events = held_ptrs;
		if (m->has_outbox_id) {
			rrep.has_outbox_id = 1;
			rrep.outbox_id.data = (uint8_t *)m->outbox_id;
			rrep.outbox_id.len = CODEC_OUTBOX_ID_LEN;
		}
		pm.msg_case = KUSKA__MESSAGE__MSG_RECOVER_REPLY;
		pm.recover_reply = &rrep;
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
	free(ut);
	free(ut_ptrs);
	free(envs);
	free(rejs);
	free(rej_ptrs);
	free(held);
	free(held_ptrs);
	return r;
}

/* A 16-byte id from an optional bytes field: false when absent. */
static int
take_id(protobuf_c_boolean has, const ProtobufCBinaryData *b, bool *ret_has,
	uint8_t out[CODEC_OUTBOX_ID_LEN])
{
	*ret_has = false;
	if (!has)
		return 0;
	if (b->len != CODEC_OUTBOX_ID_LEN)
		return -EBADMSG;
	memcpy(out, b->data, CODEC_OUTBOX_ID_LEN);
	*ret_has = true;
	return 0;
}

static int
recover_reply_from_pb(const Kuska__RecoverReply *pr, struct msg *m)
{
	size_t i;

	m->type = MSG_RECOVER_REPLY;
	m->last_seq = pr->last_seq;
	m->scanned_to = pr->has_scanned_to ? pr->scanned_to : 0;
	if (pr->n_events > CODEC_MAX_BATCH_EVENTS)
		return -EMSGSIZE;
	m->n_held = pr->n_events;
	m->held = calloc(m->n_held + 1, sizeof(*m->held));
	if (m->held == NULL)
		return -ENOMEM;
	for (i = 0; i < m->n_held; i++) {
		const Kuska__HeldEvent *ph = pr->events[i];
		struct held_event *h = &m->held[i];
		h->seq = ph->seq;
		if (ph->has_envelope) {
			if (ph->envelope.len > CODEC_MAX_ENVELOPE)
				return -EBADMSG;
			h->env = ph->envelope.data;
			h->len = ph->envelope.len;
		}
		if (ph->has_reason) {
			copy_text(h->text, ph->text);
			h->reason = reason_of_refusal((int)ph->reason, h->text,
						      sizeof(h->text));
		}
		if (i > 0 && h->seq <= m->held[i - 1].seq)
			return -EBADMSG; /* in order, each once */
	}
	return take_id(pr->has_outbox_id, &pr->outbox_id, &m->has_outbox_id,
		       m->outbox_id);
}

/* A Welcome's unmatched take-ups into m (which owns them): 0, -EBADMSG
 * (over the limit, or one out of range) or -ENOMEM. */
static int
welcome_unmatched(const Kuska__Welcome *pw, struct msg *m)
{
	size_t i;

	if (!pw->has_unmatched_total)
		return 0; /* not said: a list without its total is none */
	if (pw->n_unmatched > CODEC_MAX_UNMATCHED ||
	    pw->n_unmatched > pw->unmatched_total)
		return -EBADMSG;
	m->unmatched = calloc(pw->n_unmatched + 1, sizeof(*m->unmatched));
	if (m->unmatched == NULL)
		return -ENOMEM;
	for (i = 0; i < pw->n_unmatched; i++)
		if (codec_unmatched_unpack(pw->unmatched[i],
					   &m->unmatched[i]) != 0)
			return -EBADMSG;
	m->n_unmatched = pw->n_unmatched;
	m->has_unmatched = true;
	m->unmatched_total = pw->unmatched_total;
	return 0;
}

static int
msg_from_pb(const Kuska__Message *pm, struct msg *m)
{
	size_t i;
	int r;

	switch (pm->msg_case) {
	case KUSKA__MESSAGE__MSG_HELLO:
		m->type = MSG_HELLO;
		if (pm->hello->institution < 1 ||
		    pm->hello->institution > INST_COUNT)
			return -EBADMSG;
		m->inst = (enum institution)pm->hello->institution;
		m->version = pm->hello->version;
		m->nonce = pm->hello->nonce;
		if (pm->hello->network != NULL &&
		    codec_copy_name(pm->hello->network, m->network) != 0)
			return -EBADMSG;
		m->has_outbox_last_seq = pm->hello->has_outbox_last_seq;
		m->outbox_last_seq = pm->hello->outbox_last_seq;
		m->now_ms = pm->hello->now_ms;
		m->unmatched_max = pm->hello->unmatched_max;
		copy_text(m->diverged, pm->hello->diverged);
		/* A proof of another shape is no proof: left out. */
		m->has_in_step = pm->hello->has_in_step_sig &&
				 pm->hello->in_step_sig.len == SIGNATURE_LEN &&
				 pm->hello->has_in_step_key_id &&
				 pm->hello->in_step_key_id.len == KEY_ID_LEN;
		if (m->has_in_step) {
			memcpy(m->in_step_sig, pm->hello->in_step_sig.data,
			       SIGNATURE_LEN);
			memcpy(m->in_step_key_id,
			       pm->hello->in_step_key_id.data, KEY_ID_LEN);
		}
		return take_id(pm->hello->has_outbox_id, &pm->hello->outbox_id,
			       &m->has_outbox_id, m->outbox_id);
	case KUSKA__MESSAGE__MSG_WELCOME:
		m->type = MSG_WELCOME;
		m->nonce = pm->welcome->nonce;
		m->last_seq = pm->welcome->last_seq;
		m->now_ms = pm->welcome->now_ms;
		if (pm->welcome->has_check_seq) {
			if (!pm->welcome->has_check_hash ||
			    pm->welcome->check_hash.len != CODEC_HASH_LEN)
				return -EBADMSG;
			m->has_check = true;
			m->check_seq = pm->welcome->check_seq;
			memcpy(m->check_hash, pm->welcome->check_hash.data,
			       CODEC_HASH_LEN);
		}
		if (pm->welcome->grants != NULL) {
			m->has_grants = true;
			codec_grants_unpack(pm->welcome->grants,
					    &m->grant_kinds, &m->grant_stages);
		}
		r = welcome_unmatched(pm->welcome, m);
		if (r != 0)
			return r;
		return take_id(pm->welcome->has_outbox_id,
			       &pm->welcome->outbox_id, &m->has_outbox_id,
			       m->outbox_id);
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
			copy_text(m->rejections[i].text, pr->text);
			m->rejections[i].reason = reason_of_refusal(
			    (int)pr->reason, m->rejections[i].text,
			    sizeof(m->rejections[i].text));
		}
		return 0;
	case KUSKA__MESSAGE__MSG_REFUSAL:
		m->type = MSG_REFUSAL;
		m->batch_id =
		    pm->refusal->has_batch_id ? pm->refusal->batch_id : 0;
		copy_text(m->text, pm->refusal->text);
		m->reason = reason_of_refusal((int)pm->refusal->reason, m->text,
					      sizeof(m->text));
		m->has_expected = pm->refusal->has_expected_seq;
		m->expected_seq = pm->refusal->expected_seq;
		return 0;
	case KUSKA__MESSAGE__MSG_RECOVER_REQUEST:
		m->type = MSG_RECOVER_REQUEST;
		m->from_seq = pm->recover_request->from_seq;
		m->refusals_only = pm->recover_request->has_refusals_only &&
				   pm->recover_request->refusals_only;
		return 0;
	case KUSKA__MESSAGE__MSG_RECOVER_REPLY:
		return recover_reply_from_pb(pm->recover_reply, m);
	default:
		return -EBADMSG;
	}
}

/*
 * protobuf-c's own allocator (malloc, free: what it gives is freed with
 * free_unpacked(NULL)), telling a failed malloc apart: its unpack returns
 * NULL alike for bytes that are no message and for memory running out,
 * and a batch must not be refused as undecodable for want of memory.
 *
 * And bounded: protobuf-c unpacks every entry of a repeated field before
 * the counts are checked (msg_from_pb), and an entry of two bytes on the
 * wire (an empty envelope, a held event with only its sequence) costs
 * some fifty bytes of arrays and parser state. An 8 MiB frame of them
 * held about 200 MiB. The bytes asked for while one message is unpacked
 * stop at MSG_ALLOC_BUDGET(len); what needs more is refused as too
 * large. A message within the counts' limits (1,024 entries) needs its
 * byte strings once (at most len) and a few hundred KiB besides.
 */
#define MSG_ALLOC_BUDGET(len) (2 * (size_t)(len) + ((size_t)1 << 20))

struct msg_alloc {
	ProtobufCAllocator pa;
	size_t used, budget;
	bool oom;
	bool over; /* the budget ran out: too large, not undecodable */
};

static void *
msg_alloc(void *data, size_t size)
{
	struct msg_alloc *a = data;
	void *p;

	if (size > a->budget - a->used) {
		a->over = true;
		return NULL;
	}
	p = malloc(size);
	if (p == NULL)
		a->oom = true;
	else
		a->used += size;
	return p;
}

static void
msg_free(void *data, void *p)
{
	(void)data;
	free(p);
}

int
codec_msg_decode(const uint8_t *buf, size_t len, struct msg *ret)
{
	struct msg_alloc a = {{msg_alloc, msg_free, NULL}, 0, 0, false, false};
	Kuska__Message *pm;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_FRAME)
		return -EMSGSIZE;
	a.pa.allocator_data = &a;
	a.budget = MSG_ALLOC_BUDGET(len);
	pm = kuska__message__unpack(&a.pa, len, buf);
	if (pm == NULL)
		return a.over ? -EMSGSIZE : a.oom ? -ENOMEM : -EBADMSG;
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
	free(m->held);
	free(m->unmatched);
	memset(m, 0, sizeof(*m));
}
