/*
 * codec_oprf.c - the messages between a node and a key holder, and the
 * key holder's status; see codec.h.
 */
#include "codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_pb.h"

static const char *const status_names[OPRF_STATUS_COUNT] = {
    [OPRF_NONE] = "none",
    [OPRF_OK] = "ok",
    [OPRF_RATE_LIMITED] = "rate_limited",
    [OPRF_TOO_LARGE] = "too_large",
    [OPRF_BAD_REQUEST] = "bad_request",
    [OPRF_WRONG_EPOCH] = "wrong_epoch",
    [OPRF_NOT_AUTHORIZED] = "not_authorized",
};

/* The schema's numbers are ours. */
_Static_assert((int)KUSKA__OPRF_STATUS__OPRF_OK == (int)OPRF_OK, "status");
_Static_assert((int)KUSKA__OPRF_STATUS__OPRF_NOT_AUTHORIZED ==
		   (int)OPRF_NOT_AUTHORIZED,
	       "status");

const char *
oprf_status_name(enum oprf_status s)
{
	return (unsigned)s < OPRF_STATUS_COUNT ? status_names[s] : NULL;
}

/* pack - a packed message of len bytes into a new buffer. */
static int
alloc_out(size_t len, uint8_t **ret_buf, size_t *ret_len)
{
	if (len > CODEC_MAX_FRAME)
		return -EMSGSIZE;
	*ret_buf = malloc(len ? len : 1);
	if (*ret_buf == NULL)
		return -ENOMEM;
	*ret_len = len;
	return 0;
}

int
codec_oprf_request_encode(const struct oprf_msg *m, uint8_t **ret_buf,
			  size_t *ret_len)
{
	Kuska__OprfRequest pr = KUSKA__OPRF_REQUEST__INIT;
	int r;

	if (m->n == 0 || m->n > CODEC_MAX_OPRF_ELEMENTS)
		return -EINVAL;
	pr.request_id = m->request_id;
	pr.epoch = m->epoch;
	pr.elements.data = (uint8_t *)m->elements;
	pr.elements.len = m->n * CODEC_OPRF_ELEMENT_LEN;
	r = alloc_out(kuska__oprf_request__get_packed_size(&pr), ret_buf,
		      ret_len);
	if (r == 0)
		kuska__oprf_request__pack(&pr, *ret_buf);
	return r;
}

int
codec_oprf_hello_encode(uint64_t request_id, uint32_t epoch, uint8_t **ret_buf,
			size_t *ret_len)
{
	Kuska__OprfRequest pr = KUSKA__OPRF_REQUEST__INIT;
	int r;

	pr.request_id = request_id;
	pr.epoch = epoch;
	r = alloc_out(kuska__oprf_request__get_packed_size(&pr), ret_buf,
		      ret_len);
	if (r == 0)
		kuska__oprf_request__pack(&pr, *ret_buf);
	return r;
}

int
codec_oprf_reply_encode(const struct oprf_msg *m, uint8_t **ret_buf,
			size_t *ret_len)
{
	Kuska__OprfReply pr = KUSKA__OPRF_REPLY__INIT;
	int r;

	if (m->status <= OPRF_NONE || m->status >= OPRF_STATUS_COUNT ||
	    m->n > CODEC_MAX_OPRF_ELEMENTS)
		return -EINVAL;
	pr.request_id = m->request_id;
	pr.status = (Kuska__OprfStatus)m->status;
	pr.epoch = m->epoch;
	if (m->status == OPRF_OK) {
		pr.has_elements = 1;
		pr.elements.data = (uint8_t *)m->elements;
		pr.elements.len = m->n * CODEC_OPRF_ELEMENT_LEN;
	} else if (m->text[0] != '\0') {
		pr.text = (char *)m->text;
	}
	pr.has_max_batch = m->max_batch != 0;
	pr.max_batch = m->max_batch;
	/* Left out when not said: an older node skips the field anyway. */
	pr.has_reason = m->reason != OPRF_REASON_NONE;
	pr.reason = (Kuska__OprfReason)m->reason;
	r = alloc_out(kuska__oprf_reply__get_packed_size(&pr), ret_buf,
		      ret_len);
	if (r == 0)
		kuska__oprf_reply__pack(&pr, *ret_buf);
	return r;
}

int
codec_oprf_request_decode(const uint8_t *buf, size_t len, size_t max_elements,
			  struct oprf_msg *ret)
{
	Kuska__OprfRequest *pr;
	size_t n;

	memset(ret, 0, sizeof(*ret));
	if (max_elements > CODEC_MAX_OPRF_ELEMENTS)
		max_elements = CODEC_MAX_OPRF_ELEMENTS;
	/* The elements are nearly all of the frame: a frame too big for
	 * the most we take is refused before it is unpacked. */
	if (len > max_elements * CODEC_OPRF_ELEMENT_LEN + 64)
		return -EMSGSIZE;
	pr = kuska__oprf_request__unpack(NULL, len, buf);
	if (pr == NULL)
		return -EBADMSG;
	n = pr->elements.len / CODEC_OPRF_ELEMENT_LEN;
	if (pr->elements.len == 0) {
		/* A hello: the node says it is there, and asks nothing. */
		ret->request_id = pr->request_id;
		ret->epoch = pr->epoch;
		kuska__oprf_request__free_unpacked(pr, NULL);
		return -ENODATA;
	}
	if (pr->elements.len % CODEC_OPRF_ELEMENT_LEN != 0) {
		kuska__oprf_request__free_unpacked(pr, NULL);
		return -EBADMSG;
	}
	if (n > max_elements) {
		kuska__oprf_request__free_unpacked(pr, NULL);
		return -EMSGSIZE;
	}
	ret->request_id = pr->request_id;
	ret->epoch = pr->epoch;
	ret->n = n;
	ret->elements = pr->elements.data;
	ret->priv = pr;
	return 0;
}

int
codec_oprf_reply_decode(const uint8_t *buf, size_t len, struct oprf_msg *ret)
{
	Kuska__OprfReply *pr;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_FRAME)
		return -EBADMSG;
	pr = kuska__oprf_reply__unpack(NULL, len, buf);
	if (pr == NULL)
		return -EBADMSG;
	if ((int)pr->status <= (int)OPRF_NONE ||
	    (int)pr->status >= OPRF_STATUS_COUNT ||
	    pr->elements.len % CODEC_OPRF_ELEMENT_LEN != 0 ||
	    pr->elements.len / CODEC_OPRF_ELEMENT_LEN >
		CODEC_MAX_OPRF_ELEMENTS ||
	    (pr->status == KUSKA__OPRF_STATUS__OPRF_OK && !pr->has_elements)) {
		kuska__oprf_reply__free_unpacked(pr, NULL);
		return -EBADMSG;
	}
	ret->request_id = pr->request_id;
	ret->epoch = pr->epoch;
	ret->status = (enum oprf_status)pr->status;
	ret->n = pr->elements.len / CODEC_OPRF_ELEMENT_LEN;
	ret->elements = ret->n > 0 ? pr->elements.data : NULL;
	copy_str(ret->text, sizeof(ret->text), pr->text);
	ret->max_batch = pr->has_max_batch ? pr->max_batch : 0;
	/* A reason of a later holder, unknown here, is not said. */
	ret->reason =
	    pr->has_reason &&
		    pr->reason == KUSKA__OPRF_REASON__OPRF_REASON_OVER_DAY
		? OPRF_REASON_OVER_DAY
		: OPRF_REASON_NONE;
	ret->priv = pr;
	return 0;
}

/* A varint of at most 10 bytes at *p, before end; -1 if cut or longer. */
static int
wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *ret)
{
	uint64_t v = 0;
	unsigned shift;
	uint8_t b;

	for (shift = 0; shift < 70 && *p < end; shift += 7) {
		b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift; /* bits past 64 drop */
		if ((b & 0x80) == 0) {
			*ret = v;
			return 0;
		}
	}
	return -1;
}

uint64_t
codec_oprf_request_id(const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf, *end;
	uint64_t key, v, id = 0;

	if (buf == NULL)
		return 0; /* an empty frame's data may be NULL: no arithmetic */
	end = buf + len;

	/* Every field is walked, as the unpacker would: the last id wins,
	 * and most bytes that would not unpack give no id. Each step reads
	 * at least one byte, so the walk ends. */
	while (p < end) {
		/* protobuf-c refuses field number 0 only in a one-byte key; a
		 * longer one it skips as an unknown field, and so does this. */
		if ((*p & 0xf8) == 0 || wire_varint(&p, end, &key) != 0)
			return 0;
		if (key >> 3 == 1 && (key & 7) != 0)
			return 0; /* the id is a varint and nothing else */
		switch (key & 7) {
		case 0:
			if (wire_varint(&p, end, &v) != 0)
				return 0;
			if (key >> 3 == 1)
				id = v;
			continue;
		case 1:
			v = 8;
			break;
		case 2:
			if (wire_varint(&p, end, &v) != 0)
				return 0;
			break;
		case 5:
			v = 4;
			break;
		default:
			return 0; /* groups, and wire types that do not exist */
		}
		if (v > (uint64_t)(end - p))
			return 0;
		p += v;
	}
	return id;
}

uint64_t
codec_oprf_request_id_head(const uint8_t *head, size_t len)
{
	const uint8_t *p;
	uint64_t id;

	/* Key 0x08: field 1 (request_id), a varint. */
	if (len < 2 || head[0] != 0x08)
		return 0;
	p = head + 1;
	return wire_varint(&p, head + len, &id) == 0 ? id : 0;
}

void
codec_oprf_clear(struct oprf_msg *m)
{
	/* Requests and replies unpack alike: both free the same way. */
	if (m->priv != NULL)
		protobuf_c_message_free_unpacked(m->priv, NULL);
	memset(m, 0, sizeof(*m));
}

int
codec_keyholder_status_pack(const struct control *c, Kuska__Control *pc,
			    uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__KeyholderStatus ks = KUSKA__KEYHOLDER_STATUS__INIT;
	const struct keyholder_status *in = &c->keyholder;
	Kuska__KeyholderNode *nodes, **ptrs;
	size_t i;
	int r;

	if (in->n_nodes > CODEC_MAX_KEYHOLDER_NODES)
		return -EINVAL;
	nodes = calloc(in->n_nodes + 1, sizeof(*nodes));
	ptrs = calloc(in->n_nodes + 1, sizeof(*ptrs));
	if (nodes == NULL || ptrs == NULL) {
		free(nodes);
		free(ptrs);
		return -ENOMEM;
	}
	for (i = 0; i < in->n_nodes; i++) {
		const struct keyholder_node *n = &in->nodes[i];
		kuska__keyholder_node__init(&nodes[i]);
		nodes[i].id = (char *)n->id;
		nodes[i].requests = n->requests;
		nodes[i].evaluations = n->evaluations;
		nodes[i].refused_rate = n->refused_rate;
		nodes[i].refused_other = n->refused_other;
		nodes[i].last_request_ms = n->last_request_ms;
		nodes[i].last_refusal_ms = n->last_refusal_ms;
		nodes[i].allowance = n->allowance;
		ptrs[i] = &nodes[i];
	}
	ks.epoch = in->epoch;
	ks.now_ms = in->now_ms;
	ks.rate_per_day = in->rate_per_day;
	ks.n_nodes = in->n_nodes;
	ks.nodes = ptrs;
	ks.handshake_failures = in->handshake_failures;
	ks.requests_refused = in->requests_refused;
	ks.has_accounts_failed_ms = in->accounts_failed_ms != 0;
	ks.accounts_failed_ms = in->accounts_failed_ms;
	if (in->accounts_failed_ms != 0)
		ks.accounts_error = (char *)in->accounts_error;
	pc->msg_case = KUSKA__CONTROL__MSG_KEYHOLDER_STATUS;
	pc->keyholder_status = &ks;
	r = alloc_out(kuska__control__get_packed_size(pc), ret_buf, ret_len);
	if (r == 0)
		kuska__control__pack(pc, *ret_buf);
	free(nodes);
	free(ptrs);
	return r;
}

int
codec_keyholder_status_unpack(const Kuska__KeyholderStatus *in,
			      struct control *c)
{
	struct keyholder_status *ks = &c->keyholder;
	size_t i;

	if (in->n_nodes > CODEC_MAX_KEYHOLDER_NODES)
		return -EBADMSG;
	ks->nodes = calloc(in->n_nodes + 1, sizeof(*ks->nodes));
	if (ks->nodes == NULL)
		return -ENOMEM;
	ks->n_nodes = in->n_nodes;
	for (i = 0; i < in->n_nodes; i++) {
		const Kuska__KeyholderNode *n = in->nodes[i];
		struct keyholder_node *o = &ks->nodes[i];
		copy_str(o->id, sizeof(o->id), n->id);
		o->requests = n->requests;
		o->evaluations = n->evaluations;
		o->refused_rate = n->refused_rate;
		o->refused_other = n->refused_other;
		o->last_request_ms = n->last_request_ms;
		o->last_refusal_ms = n->last_refusal_ms;
		o->allowance = n->allowance;
	}
	ks->epoch = in->epoch;
	ks->now_ms = in->now_ms;
	ks->rate_per_day = in->rate_per_day;
	ks->handshake_failures = in->handshake_failures;
	ks->requests_refused = in->requests_refused;
	if (in->has_accounts_failed_ms) {
		ks->accounts_failed_ms = in->accounts_failed_ms;
		copy_str(ks->accounts_error, sizeof(ks->accounts_error),
			 in->accounts_error);
	}
	return 0;
}
