/*
 * ingest_net.c - hello, batch and refusals on the ingest socket: each
 * message judged, refused at once or made a job, the jobs waiting, sent
 * and finished; ingest_net_hello.c judges a hello and keeps the marks of
 * diverged outboxes, ingest_net_answer.c answers the jobs
 * (ingest_net_int.h).
 *
 * The main thread judges each message (whose key, well-formed, a hello
 * for the right institution and network) and refuses at once what it
 * must; everything that reads or writes the store goes through the
 * pipeline as a job, in the order it came. The job's work
 * (ingest_net_run_job, or ingest_net_run_batches for batches run
 * together, on the writer thread) touches c->ig, the store and the jobs
 * only; its answer is encoded into each job, which the main thread sends
 * (ingest_finish).
 *
 * So a refusal sent at once (a bad frame, a hello for the wrong network
 * or version, a revoked key, out of memory) can reach a node before the
 * answers to its earlier batches still in the pipeline: the pipeline
 * keeps one peer's answers in order among themselves, not behind these.
 * Nothing is lost or doubled by it: what is refused at once changed
 * nothing, a node backs off and says hello again on a refusal, and the
 * welcome tells it the last sequence committed.
 */
#include "ingest_net.h"
#include "ingest_net_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "log.h"
#include "peers.h"
#include "pipeline.h"

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

/*
 * Counts a refusal: in frames_refused when it is for what the peer sent;
 * in store_refused when it is for our own store (a full disk, its
 * ceiling, a read or write error, memory running out), which is no bad
 * frame: the node keeps its events and sends them again.
 */
static void
refusal_count(struct cons *c, enum reason reason)
{
	if (reason == REASON_STORE_FULL || reason == REASON_STORE_ERROR)
		c->store_refused++;
	else
		c->frames_refused++;
}

void
ingest_net_refuse(struct cons *c, const struct tframes *req, uint64_t batch_id,
		  enum reason reason, const char *text)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_REFUSAL;
	m.batch_id = batch_id;
	m.reason = reason;
	snprintf(m.text, sizeof(m.text), "%s", text);
	refusal_count(c, reason);
	send_msg(c->ingest, req, &m);
}

/* Appends j to its institution's messages waiting for room. */
static void
wait_push(struct cons *c, struct ingest_job *j, size_t bytes)
{
	enum institution i = (enum institution)j->pj.peer;

	j->wait_bytes = bytes;
	j->wait_next = NULL;
	if (c->waiting_tail[i] != NULL)
		c->waiting_tail[i]->wait_next = j;
	else
		c->waiting_head[i] = j;
	c->waiting_tail[i] = j;
	c->waiting_all++;
	c->waiting_n[i]++;
	c->waiting_bytes[i] += bytes;
}

/*
 * The first message waiting of the next institution in turn that has
 * one, taken off its list; NULL: none.
 */
static struct ingest_job *
wait_pop(struct cons *c)
{
	struct ingest_job *j = NULL;
	size_t k, i = 0;

	for (k = 0; k <= INST_COUNT && j == NULL; k++) {
		i = (c->waiting_turn + k) % (INST_COUNT + 1);
		j = c->waiting_head[i];
	}
	if (j == NULL)
		return NULL;
	c->waiting_turn = (i + 1) % (INST_COUNT + 1);
	c->waiting_head[i] = j->wait_next;
	if (c->waiting_head[i] == NULL)
		c->waiting_tail[i] = NULL;
	c->waiting_all--;
	c->waiting_n[i]--;
	c->waiting_bytes[i] -= j->wait_bytes;
	return j;
}

/*
 * Whether a message of p's of bytes bytes, read while the pipeline is
 * full, may wait; if not it is refused at once as busy (its node backs
 * off and sends it again), and said within p's budget.
 */
static bool
may_wait(struct cons *c, const struct tframes *req, const struct reg_party *p,
	 const struct msg *m, size_t bytes)
{
	enum institution i = p->inst;
	struct msg r;

	if (c->waiting_n[i] < INGEST_WAIT_MAX &&
	    c->waiting_bytes[i] + bytes <= INGEST_WAIT_MAX_BYTES)
		return true;
	log_warnx_budget(&c->refusal_log[i],
			 "event=ingest_busy_refused institution=%s "
			 "waiting=%zu bytes=%zu (its store's commits are "
			 "slow; past its node's window)",
			 p->id, c->waiting_n[i], c->waiting_bytes[i]);
	memset(&r, 0, sizeof(r));
	r.type = MSG_REFUSAL;
	r.batch_id = m->batch_id;
	r.reason = REASON_STORE_ERROR;
	snprintf(r.text, sizeof(r.text),
		 "the consolidator is busy: its store commits slowly; retry "
		 "later");
	send_msg(c->ingest, req, &r);
	c->ingest_busy_refused++;
	return false;
}

/*
 * Hands the message to the pipeline, or while it is full (or messages
 * wait already: they go first) to the messages waiting; req's frames
 * become the job's. Refused at once past what p's node may have waiting.
 */
static void
submit_job(struct cons *c, struct tframes *req, const struct reg_party *p,
	   struct msg *m)
{
	struct ingest_job *j;
	size_t bytes = req->len[1];
	bool wait =
	    c->waiting_all > 0 || pipeline_pending(c->pipe) >= INGEST_JOBS_MAX;

	if (wait && !may_wait(c, req, p, m, bytes)) {
		codec_msg_clear(m);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		ingest_net_refuse(c, req, m->batch_id, REASON_STORE_ERROR,
				  "out of memory; retry later");
		codec_msg_clear(m);
		return;
	}
	j->c = c;
	j->req = *req;
	memset(req, 0, sizeof(*req));
	/* Decoded, the message is in j->m: only the routing id is kept of
	 * the frames, not a second copy of a batch of up to 8 MiB. */
	free(j->req.data[1]);
	j->req.data[1] = NULL;
	j->req.len[1] = 0;
	j->m = *m;
	memset(m, 0, sizeof(*m));
	j->taken_ms = date_mono_ms();
	j->pj.reg = c->reg;
	j->pj.speaker = p;
	j->pj.peer = (unsigned)p->inst; /* a node catching up takes turns */
	j->pj.batch = j->m.type == MSG_BATCH ? &j->m : NULL;
	j->pj.run = ingest_net_run_job;
	j->pj.run_group =
	    j->m.type == MSG_BATCH ? ingest_net_run_batches : NULL;
	c->reg_users++;
	if (wait)
		wait_push(c, j, bytes);
	else
		pipeline_submit(c->pipe, &j->pj);
}

static void
job_free(struct ingest_job *j)
{
	tframes_clear(&j->req);
	codec_msg_clear(&j->m);
	free(j->reply);
	free(j);
}

/* One job fewer uses reg, the registry it was judged by. */
static void
registry_released(struct cons *c, const struct registry *reg)
{
	struct retired_reg *r;

	if (reg == c->reg) {
		c->reg_users--;
		return;
	}
	for (r = c->retired; r != NULL; r = r->next)
		if (r->reg == reg) {
			r->users--;
			return;
		}
}

/*
 * Whether j, which waited across a reload, still goes on: its key is
 * judged again by the registry in force, as if read now, and j judged by
 * it from here on; refused key_not_valid (and freed) when the reload
 * revoked, removed or replaced it. Its connection is not touched: the
 * reload closed those of the keys it revoked (peers_revalidate), and its
 * descriptor may be another connection's by now.
 */
static bool
rejudged(struct cons *c, struct ingest_job *j)
{
	const struct reg_key *k;
	struct reg_user who;

	if (j->pj.reg == c->reg)
		return true;
	registry_released(c, j->pj.reg);
	k = registry_by_user_id(c->reg, j->req.user_id, date_now_ms(), &who);
	if (k == NULL || !k->owner->node || k->owner->inst != j->pj.peer) {
		log_warnx_budget(&c->refusal_log[INST_NONE],
				 "event=message_refused who=%s key=%s "
				 "reason=key_not_valid",
				 who.party, who.key);
		ingest_net_refuse(
		    c, &j->req, j->m.batch_id, REASON_KEY_NOT_VALID,
		    "the key of this connection is no longer valid "
		    "(revoked, expired or removed)");
		job_free(j);
		return false;
	}
	j->pj.reg = c->reg;
	j->pj.speaker = k->owner;
	c->reg_users++;
	return true;
}

void
ingest_submit_waiting(struct cons *c)
{
	while (c->waiting_all > 0 &&
	       pipeline_pending(c->pipe) < INGEST_JOBS_MAX) {
		struct ingest_job *j = wait_pop(c);
		if (rejudged(c, j))
			pipeline_submit(c->pipe, &j->pj);
	}
}

void
ingest_drop_waiting(struct cons *c)
{
	struct ingest_job *j;

	while ((j = wait_pop(c)) != NULL) {
		registry_released(c, j->pj.reg);
		job_free(j);
	}
}

void
ingest_finish(struct cons *c, struct pipeline_job *pj)
{
	struct ingest_job *j = (struct ingest_job *)pj;

	registry_released(c, pj->reg);
	if (!pj->ran) {
		job_free(j);
		return;
	}
	c->view = j->view;
	if (j->m.type == MSG_BATCH && j->accepted > 0)
		ingest_net_diverged_accepted(c, (enum institution)pj->peer,
					     &j->req);
	if (j->m.type == MSG_BATCH && j->conflict_seq != 0)
		ingest_net_set_conflict(c, (enum institution)pj->peer,
					j->conflict_seq);
	if (j->m.type == MSG_HELLO && j->in_step)
		ingest_net_diverged_proved(c, (enum institution)pj->peer,
					   &j->req, j->m.now_ms);
	if (j->refusal != REASON_NONE)
		refusal_count(c, j->refusal);
	if (j->m.type == MSG_BATCH)
		metrics_observe(&c->commit,
				(double)(date_mono_ms() - j->taken_ms) /
				    1000.0);
	if (j->reply != NULL)
		send_to(c->ingest, &j->req, j->reply, j->reply_len);
	job_free(j);
}

/*
 * The node that sent req, whose connection completed its handshake
 * whatever it sent; NULL when its key is no longer valid: the key is
 * judged again on every message (a reload may have revoked it since the
 * handshake, or its window closed), and the message is then refused and
 * the connection closed.
 */
static const struct reg_party *
sender(struct cons *c, const struct tframes *req)
{
	const struct reg_key *k;
	struct reg_user who;
	uint64_t id;

	id = peer_message(c, req);
	k = registry_by_user_id(c->reg, req->user_id, date_now_ms(), &who);
	if (k != NULL && k->owner->node)
		return k->owner;
	log_warnx_budget(&c->refusal_log[INST_NONE],
			 "event=message_refused who=%s key=%s "
			 "reason=key_not_valid",
			 who.party, who.key);
	ingest_net_refuse(
	    c, req, 0, REASON_KEY_NOT_VALID,
	    "the key of this connection is no longer valid "
	    "(revoked, expired or removed): the connection is closed");
	peer_refused(c, req->fd, id);
	return NULL;
}

void
ingest_refuse_large(struct cons *c, const struct tframes *req)
{
	const struct reg_party *p;

	if (req->n != 1) {
		c->frames_refused++; /* no routing id to answer */
		return;
	}
	p = sender(c, req);
	if (p == NULL)
		return;
	log_warnx_budget(&c->refusal_log[p->inst],
			 "event=frame_refused institution=%s reason=too_large",
			 p->id);
	ingest_net_refuse(c, req, 0, REASON_TOO_LARGE,
			  "message over a size limit");
}

void
handle_ingest(struct cons *c, struct tframes *req)
{
	const struct reg_party *p;
	struct msg m;
	int r;

	p = sender(c, req);
	if (p == NULL)
		return;
	if (req->n != 2) {
		log_warnx_budget(&c->refusal_log[p->inst],
				 "event=frame_refused institution=%s "
				 "parts=%zu reason=bad_frame",
				 p->id, req->n - 1);
		if (req->n > 2) /* counted there */
			ingest_net_refuse(c, req, 0, REASON_BAD_FRAME,
					  "a message is exactly one frame");
		else
			c->frames_refused++;
		return;
	}
	r = codec_msg_decode(req->data[1], req->len[1], &m);
	if (r == -ENOMEM) {
		/* Not the frame's fault: its node sends it again. */
		log_warnx("event=frame_refused institution=%s bytes=%zu "
			  "reason=store_error text=\"out of memory\"",
			  p->id, req->len[1]);
		ingest_net_refuse(
		    c, req, 0, REASON_STORE_ERROR,
		    "the consolidator ran out of memory; retry later");
		return;
	}
	if (r != 0) {
		log_warnx_budget(&c->refusal_log[p->inst],
				 "event=frame_refused institution=%s "
				 "bytes=%zu reason=%s",
				 p->id, req->len[1],
				 r == -EMSGSIZE ? "too_large" : "bad_frame");
		ingest_net_refuse(c, req, 0,
				  r == -EMSGSIZE ? REASON_TOO_LARGE
						 : REASON_BAD_FRAME,
				  r == -EMSGSIZE ? "message over a size limit"
						 : "undecodable message");
		return;
	}
	switch (m.type) {
	case MSG_HELLO:
		if (!ingest_net_judge_hello(c, req, p, &m))
			break;
		submit_job(c, req, p, &m);
		return;
	case MSG_BATCH:
		c->contact_ms[p->inst] = date_now_ms();
		submit_job(c, req, p, &m);
		return;
	case MSG_RECOVER_REQUEST:
		submit_job(c, req, p, &m);
		return;
	default:
		ingest_net_refuse(
		    c, req, 0, REASON_BAD_FRAME,
		    "a node may send hello, batch and recover only");
	}
	codec_msg_clear(&m);
}
