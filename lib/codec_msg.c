/* codec_msg.c - node <-> consolidator Messages; see codec.h. */
#include "codec.h"

#include <errno.h>
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
		if (m->network[0] != '\0')
			hello.network = (char *)m->network;
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
		if (pm->hello->network != NULL &&
		    codec_copy_name(pm->hello->network, m->network) != 0)
			return -EBADMSG;
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
