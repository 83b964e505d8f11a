/* ingest_net.c - hello, batch and refusals on the ingest socket. */
#include "ingest_net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "log.h"
#include "peers.h"

static void
send_msg(struct tsock *s, const struct tframes *req, const struct msg *m)
{
	uint8_t *buf;
	size_t len;

	if (codec_msg_encode(m, &buf, &len) != 0) {
		log_warnx("event=reply_not_encoded");
		return;
	}
	send_to(s, req, buf, len);
	free(buf);
}

static void
refuse(struct cons *c, const struct tframes *req, uint64_t batch_id,
       enum reason reason, const char *text)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_REFUSAL;
	m.batch_id = batch_id;
	m.reason = reason;
	snprintf(m.text, sizeof(m.text), "%s", text);
	c->frames_refused++;
	send_msg(c->ingest, req, &m);
}

static void
on_hello(struct cons *c, const struct tframes *req, const struct reg_party *p,
	 const struct msg *m)
{
	struct msg w;

	if (m->inst != p->inst) {
		log_warnx("event=hello_refused institution=%s claims=%s "
			  "reason=wrong_institution",
			  p->id, institution_name(m->inst));
		refuse(c, req, 0, REASON_WRONG_INSTITUTION,
		       "hello names another institution");
		return;
	}
	if (m->version < CODEC_VERSION_MIN || m->version > CODEC_VERSION) {
		refuse(c, req, 0, REASON_BAD_VERSION,
		       "protocol version not supported");
		return;
	}
	if (strcmp(m->network, c->reg->network) != 0) {
		char text[CODEC_MAX_TEXT + 1];
		log_warnx("event=hello_refused institution=%s network=%s "
			  "reason=wrong_network",
			  p->id, LOG_Q(m->network));
		snprintf(text, sizeof(text),
			 "this consolidator serves network %s; the node is "
			 "configured for %s",
			 c->reg->network,
			 m->network[0] != '\0' ? m->network : "none");
		refuse(c, req, 0, REASON_WRONG_NETWORK, text);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.type = MSG_WELCOME;
	w.nonce = m->nonce;
	w.last_seq = c->ig.inst[p->inst].last_seq;
	c->contact_ms[p->inst] = date_now_ms();
	log_info("event=hello institution=%s last_seq=%llu", p->id,
		 (unsigned long long)w.last_seq);
	send_msg(c->ingest, req, &w);
}

static void
on_batch(struct cons *c, const struct tframes *req, const struct reg_party *p,
	 const struct msg *m)
{
	struct msg reply;
	uint64_t before = c->ig.inst[p->inst].accepted;

	uint64_t t0 = date_mono_ms();

	c->contact_ms[p->inst] = date_now_ms();
	(void)ingest_batch(&c->ig, p, m, c->contact_ms[p->inst], &reply);
	metrics_observe(&c->commit, (double)(date_mono_ms() - t0) / 1000.0);
	if (reply.type == MSG_REFUSAL && reply.reason != REASON_GAP)
		c->frames_refused++;
	send_msg(c->ingest, req, &reply);
	if (reply.type == MSG_ACK) {
		log_debug(
		    "event=batch institution=%s batch=%llu accepted=%llu "
		    "refused=%zu last_seq=%llu",
		    p->id, (unsigned long long)m->batch_id,
		    (unsigned long long)(c->ig.inst[p->inst].accepted - before),
		    reply.n_rejections, (unsigned long long)reply.last_seq);
		free(reply.rejections);
	}
}

void
handle_ingest(struct cons *c, struct tframes *req)
{
	const struct reg_party *p;
	const struct reg_key *k;
	struct peer_name who;
	struct msg m;
	int r;

	/* Whatever it sent, the connection completed its handshake. */
	admit_message(c->admit, req->fd, req->user_id, date_mono_ms());
	/* The key is judged again on every message: a reload may have
	 * revoked it since the handshake, or its window closed. */
	k = peer_key(c, req->user_id, date_now_ms(), &who);
	if (k == NULL || k->owner->role != ROLE_INSTITUTION) {
		log_warnx("event=message_refused who=%s key=%s "
			  "reason=key_not_valid",
			  who.party, who.key);
		refuse(c, req, 0, REASON_KEY_NOT_VALID,
		       "the key of this connection is no longer valid "
		       "(revoked, expired or removed): the connection is "
		       "closed");
		peer_refused(c, req);
		return;
	}
	p = k->owner;
	if (req->n != 2) {
		c->frames_refused++;
		log_warnx("event=frame_refused institution=%s parts=%zu "
			  "reason=bad_frame",
			  p->id, req->n - 1);
		if (req->n > 2)
			refuse(c, req, 0, REASON_BAD_FRAME,
			       "a message is exactly one frame");
		return;
	}
	r = codec_msg_decode(req->data[1], req->len[1], &m);
	if (r != 0) {
		log_warnx("event=frame_refused institution=%s bytes=%zu "
			  "reason=%s",
			  p->id, req->len[1],
			  r == -EMSGSIZE ? "too_large" : "bad_frame");
		refuse(c, req, 0,
		       r == -EMSGSIZE ? REASON_TOO_LARGE : REASON_BAD_FRAME,
		       r == -EMSGSIZE ? "message over a size limit"
				      : "undecodable message");
		return;
	}
	switch (m.type) {
	case MSG_HELLO:
		on_hello(c, req, p, &m);
		break;
	case MSG_BATCH:
		on_batch(c, req, p, &m);
		break;
	default:
		refuse(c, req, 0, REASON_BAD_FRAME,
		       "a node may send hello and batch only");
	}
	codec_msg_clear(&m);
}
