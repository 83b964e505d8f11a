/*
 * ingest_net.c - hello, batch and refusals on the ingest socket.
 *
 * The main thread judges each message (whose key, well-formed, a hello
 * for the right institution and network) and refuses at once what it
 * must; everything that reads or writes the store goes through the
 * pipeline as a job, in the order it came. The job's work (run_job, or
 * run_batches for batches run together, on the writer thread) touches
 * c->ig, the store and the jobs only; its answer is encoded into each
 * job, which the main thread sends (ingest_finish).
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

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "instep.h"
#include "log.h"
#include "peers.h"
#include "pipeline.h"
#include "sign.h"

/* A message on its way through the pipeline. */
struct ingest_job {
	struct pipeline_job pj; /* first: the pipeline gives this back */
	struct cons *c;
	struct tframes req; /* the request, its routing id first */
	struct msg m;	    /* decoded from it */
	uint64_t taken_ms;  /* monotonic, when submitted */
	/* Filled on the writer thread. */
	uint8_t *reply; /* encoded; NULL: nothing to send */
	size_t reply_len;
	/* Refused (not REASON_NONE): counted by refusal_count. */
	enum reason refusal;
	uint64_t accepted; /* a batch's events accepted */
	uint64_t conflict_seq; /* a batch's sequence signed twice, 0 none */
	bool in_step;	   /* a hello's proof held good (run_hello) */
	struct ingest_view view;
	size_t wait_bytes; /* its frame's, while waiting (wait_push) */
	struct ingest_job *wait_next;
};

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
	refusal_count(c, reason);
	send_msg(c->ingest, req, &m);
}

/* The writer's answer m to job j, encoded into it. */
static void
job_answer(struct ingest_job *j, const struct msg *m)
{
	if (codec_msg_encode(m, &j->reply, &j->reply_len) != 0) {
		log_warnx("event=reply_not_encoded");
		j->reply = NULL;
	}
}

/* The writer's refusal of job j (counted by refusal_count). */
static void
job_refuse(struct ingest_job *j, enum reason reason, const char *text)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_REFUSAL;
	m.reason = reason;
	snprintf(m.text, sizeof(m.text), "%s", text);
	j->refusal = reason;
	job_answer(j, &m);
}

/*
 * Whether institution i's outbox diverged (note_diverged), within its
 * budget: on a change, and again when changes were held back.
 */
static void
log_diverged(struct cons *c, enum institution i)
{
	if (c->diverged[i][0] != '\0')
		log_warnx_budget(&c->diverged_log[i],
				 "event=diverged institution=%s text=%s "
				 "(cleared when its node proves its outbox "
				 "in step with this store, or an event of it "
				 "is accepted)",
				 institution_name(i), LOG_Q(c->diverged[i]));
	else
		log_info_budget(&c->diverged_log[i],
				"event=diverged_cleared institution=%s",
				institution_name(i));
}

/*
 * What a hello on req's connection says about the node's outbox: that it
 * diverged raises the alarm at once; that it did not only names the
 * connection whose next accepted event (diverged_accepted), or this
 * hello's own proof once checked (diverged_proved), clears it.
 */
/*
 * Marks institution i diverged, for why: as a hello saying so does, and a
 * batch with a sequence signed twice (set_conflict).
 */
static void
set_diverged(struct cons *c, enum institution i, const char *why)
{
	bool changed = c->diverged[i][0] == '\0';

	/* Our clock: the node's is its word, any 64 bits. */
	c->diverged_said_ms[i] = date_mono_ms();
	c->diverged_said[i] = true;
	c->diverged_clear[i].has = false;
	snprintf(c->diverged[i], sizeof(c->diverged[i]), "%s", why);
	if (changed)
		log_diverged(c, i);
}

static void
note_diverged(struct cons *c, enum institution i, const struct tframes *req,
	      const struct msg *m)
{
	struct diverged_clear *dc = &c->diverged_clear[i];

	if (m->diverged[0] != '\0') {
		c->diverged_hellos[i]++;
		set_diverged(c, i, m->diverged);
		return;
	}
	if (c->diverged[i][0] == '\0' || req->len[0] > sizeof(dc->rid))
		return;
	dc->has = true;
	memcpy(dc->rid, req->data[0], req->len[0]);
	dc->rid_len = req->len[0];
}

/*
 * A batch of institution i held sequence seq with other bytes than ours
 * (refused, see ingest_batch): two signers with its key. Shown as a
 * divergence, which only the node's proof or a later accepted event on a
 * connection whose hello did not say diverged clears.
 */
static void
set_conflict(struct cons *c, enum institution i, uint64_t seq)
{
	char why[CODEC_MAX_TEXT + 1];

	snprintf(why, sizeof(why),
		 "sequence %llu was signed twice: a batch held it with other "
		 "bytes than ours (a stolen key? OPERATIONS.md section 6; a "
		 "restored outbox? section 10)",
		 (unsigned long long)seq);
	c->conflicts[i]++;
	set_diverged(c, i, why);
}

/* A batch on req's connection had an event of institution i accepted. */
static void
diverged_accepted(struct cons *c, enum institution i, const struct tframes *req)
{
	struct diverged_clear *dc = &c->diverged_clear[i];

	if (!dc->has || req->len[0] != dc->rid_len ||
	    memcmp(req->data[0], dc->rid, dc->rid_len) != 0)
		return;
	dc->has = false;
	c->diverged[i][0] = '\0';
	log_diverged(c, i);
}

/*
 * A hello on req's connection proved its outbox ends where our copy does
 * (in_step): like an accepted event, it clears the mark, if made now by
 * our wall clock (within DATE_SKEW_WARN_MS: an old proof sent again
 * proves nothing now), and if no hello said diverged for
 * diverged_quiet_s by our monotonic clock. A node that diverged says so
 * every DIVERGED_HELLO_MS; a second live node with its key (a cloned
 * machine, a stolen key file with a copy of the outbox), in step, proves
 * it at each of its hellos: without the wait its proofs would clear the
 * mark the diverged one raises, most of the time.
 */
static void
diverged_proved(struct cons *c, enum institution i, const struct tframes *req,
		uint64_t made_ms)
{
	int64_t skew = date_skew_ms(made_ms, date_now_ms());

	if (skew > DATE_SKEW_WARN_MS || skew < -DATE_SKEW_WARN_MS)
		return;
	if (c->diverged_said[i] && date_mono_ms() - c->diverged_said_ms[i] <
				       (uint64_t)c->cfg.diverged_quiet_s * 1000)
		return;
	diverged_accepted(c, i, req);
}

/* What a hello says about the node's clock and its outbox. */
static void
note_hello(struct cons *c, const struct tframes *req, const struct reg_party *p,
	   const struct msg *m, uint64_t now)
{
	enum institution i = p->inst;
	char sp[32];

	if (m->now_ms != 0) {
		c->has_skew[i] = true;
		/* The node's reading is its word: any 64 bits. */
		c->skew_ms[i] = date_skew_ms(m->now_ms, now);
		if (c->skew_ms[i] > DATE_SKEW_WARN_MS ||
		    c->skew_ms[i] < -DATE_SKEW_WARN_MS)
			log_warnx_budget(
			    &c->skew_log[i],
			    "event=clock_skew institution=%s skew_s=%lld "
			    "(its clock is %s %s ours: check NTP on both "
			    "machines)",
			    p->id, (long long)(c->skew_ms[i] / 1000),
			    date_skew_words(c->skew_ms[i], sp, sizeof(sp)),
			    c->skew_ms[i] > 0 ? "ahead of" : "behind");
	}
	note_diverged(c, i, req, m);
}

void
diverged_tick(struct cons *c)
{
	uint64_t now = date_mono_ms();
	int i;

	for (i = 1; i <= INST_COUNT; i++)
		if (log_budget_due(&c->diverged_log[i], now))
			log_diverged(c, (enum institution)i);
}

/*
 * A hello, judged on the main thread: refused at once when it names
 * another institution, version or network; otherwise its clock and
 * outbox noted. Returns whether it goes on to the pipeline (welcome).
 */
static bool
judge_hello(struct cons *c, const struct tframes *req,
	    const struct reg_party *p, const struct msg *m)
{
	uint64_t now = date_now_ms();

	if (m->inst != p->inst) {
		log_warnx_budget(&c->refusal_log[p->inst],
				 "event=hello_refused institution=%s "
				 "claims=%s reason=wrong_institution",
				 p->id, institution_name(m->inst));
		refuse(c, req, 0, REASON_WRONG_INSTITUTION,
		       "hello names another institution");
		return false;
	}
	if (m->version < CODEC_VERSION_MIN || m->version > CODEC_VERSION) {
		refuse(c, req, 0, REASON_BAD_VERSION,
		       "protocol version not supported");
		return false;
	}
	if (strcmp(m->network, c->reg->network) != 0) {
		char text[CODEC_MAX_TEXT + 1];
		log_warnx_budget(&c->refusal_log[p->inst],
				 "event=hello_refused institution=%s "
				 "network=%s reason=wrong_network",
				 p->id, LOG_Q(m->network));
		snprintf(text, sizeof(text),
			 "this consolidator serves network %s; the node is "
			 "configured for %s",
			 c->reg->network,
			 m->network[0] != '\0' ? m->network : "none");
		refuse(c, req, 0, REASON_WRONG_NETWORK, text);
		return false;
	}
	note_hello(c, req, p, m, now);
	c->contact_ms[p->inst] = now;
	return true;
}

/*
 * Whether the hello proves, by the node's signature (sign_in_step), that
 * its outbox ends where our copy does (w: what the store holds): its last
 * sequence our last, and the envelope we hold there its last, from the
 * outbox we know, to us (our CURVE public key signed too). Writer.
 */
static bool
in_step(const struct ingest_job *j, const struct msg *w)
{
	const struct msg *m = &j->m;
	const struct reg_key *k;
	struct in_step p;

	if (!m->has_in_step || !m->has_outbox_id || !m->has_outbox_last_seq ||
	    m->diverged[0] != '\0' || !w->has_check ||
	    m->outbox_last_seq != w->last_seq || w->check_seq != w->last_seq ||
	    memcmp(m->outbox_id, w->outbox_id, CODEC_OUTBOX_ID_LEN) != 0)
		return false;
	k = registry_by_key_id(j->pj.reg, j->pj.speaker, m->in_step_key_id);
	if (k == NULL || !registry_key_admits(k, date_now_ms()))
		return false;
	/* Made for us: a standby with the same network's proof is not. */
	in_step_fields(&p, m, m->in_step_key_id, w->check_hash,
		       j->c->key->curve_pk);
	return sign_in_step_verify(k->sign_pk, &p.f, m->in_step_sig) == 0;
}

/* The welcome to a hello judged good: what the store holds. Writer. */
static void
run_hello(struct ingest_job *j)
{
	struct ingest *ig = &j->c->ig;
	const struct reg_party *p = j->pj.speaker;
	const struct msg *m = &j->m;
	struct reg_user who;
	struct msg w;
	int r;

	memset(&w, 0, sizeof(w));
	w.type = MSG_WELCOME;
	w.nonce = m->nonce;
	w.last_seq = ig->inst[p->inst].last_seq;
	w.now_ms = date_now_ms();
	/* The node refuses at submission what the registry does not grant
	 * (rather than deliver it to be refused here as a dead letter). */
	w.has_grants = true;
	w.grant_kinds = p->kinds;
	w.grant_stages = p->stages;
	r = ingest_check_point(ig, p->inst, &w.check_seq, w.check_hash);
	if (r != 0) {
		log_warnx("event=hello_refused institution=%s text=\"cannot "
			  "read the store: %s\"",
			  p->id, strerror(-r));
		job_refuse(j, REASON_STORE_ERROR,
			   "the consolidator cannot read its store; retry "
			   "later");
		return;
	}
	w.has_check = w.check_seq > 0;
	r = ingest_outbox_id(ig, p->inst, w.outbox_id);
	if (r == -ENOENT && m->has_outbox_id && m->diverged[0] == '\0' &&
	    j->req.len[0] <= sizeof(j->c->outbox_heard[0].rid)) {
		/* The first outbox to deliver an event is the one to
		 * deliver (remember_outbox); till then each hello's is
		 * said back to it, and nothing is stored: a transport key
		 * alone, before the institution's node first said hello,
		 * would otherwise pin an outbox its node does not have. */
		struct outbox_heard *h = &j->c->outbox_heard[p->inst];
		h->has = true;
		memcpy(h->id, m->outbox_id, CODEC_OUTBOX_ID_LEN);
		memcpy(h->rid, j->req.data[0], j->req.len[0]);
		h->rid_len = j->req.len[0];
		memcpy(w.outbox_id, m->outbox_id, CODEC_OUTBOX_ID_LEN);
		r = 0;
	}
	w.has_outbox_id = r == 0;
	j->in_step = r == 0 && in_step(j, &w);
	/* The key it spoke with: after a node's key is replaced (OPERATIONS
	 * section 6) the journal shows the node back with the new one. */
	(void)registry_user_name(j->req.user_id, &who);
	log_info_budget(&j->c->hello_log[p->inst],
			"event=hello institution=%s last_seq=%llu key=%s "
			"from=%s",
			p->id, (unsigned long long)w.last_seq, who.key,
			j->req.peer[0] != '\0' ? j->req.peer : "unknown");
	job_answer(j, &w);
}

/* Collects one RecoverReply: the held events, copied. */
struct recover_build {
	struct msg m;
	uint8_t *bytes;
	size_t used, cap;
	size_t *offs;	    /* of each envelope in bytes (SIZE_MAX: none) */
	bool refusals_only; /* the refusals alone, without envelopes */
	bool stopped;	    /* full before the last sequence held */
	uint64_t scanned;   /* the last sequence looked at */
	const struct registry *reg;
	const struct reg_party *speaker;
	uint64_t revoked; /* of those handed back: said not valid now */
};

#define RECOVER_MAX_BYTES (4u << 20)

/*
 * Whether an envelope stored as accepted is, by the registry now, signed
 * by a key revoked before its sequence (or, with no sequence named, before
 * its time), as ingest_check judges it: a thief's, taken before the
 * revocation (OPERATIONS.md section 6). --rebuild leaves it out of the
 * statistics; handed back to kuska-node --recover, or to a node asking
 * for its refusals, as refused, it is not taken for the node's own
 * record. Its reason is then in text[cap].
 */
static bool
revoked_since(const struct recover_build *b, const uint8_t *env, size_t len,
	      char *text, size_t cap)
{
	const struct reg_key *key;
	struct envelope e;
	bool revoked = false;

	if (codec_envelope_decode(env, len, &e) != 0)
		return false; /* the node judges what does not decode */
	key = registry_by_key_id(b->reg, b->speaker, e.key_id);
	if (key != NULL && e.seq > key->revoked_after_seq) {
		snprintf(text, cap, "key %s was revoked after sequence %llu",
			 key->name, (unsigned long long)key->revoked_after_seq);
		revoked = true;
	} else if (key != NULL &&
		   !registry_key_signs(key, e.created_ms, e.seq)) {
		/* Revoked at a time, with no sequence: as ingest says it. */
		snprintf(text, cap,
			 "key %s was not valid when the event was created",
			 key->name);
		revoked = true;
	}
	codec_envelope_clear(&e);
	return revoked;
}

static int
recover_add(void *arg, uint64_t seq, const uint8_t *env, size_t len,
	    enum reason reason, const char *text)
{
	struct recover_build *b = arg;
	struct held_event *h;
	char why[CODEC_MAX_TEXT + 1];
	const uint8_t *stored = env;
	size_t stored_len = len;

	if (b->refusals_only) {
		env = NULL; /* the node has it */
		len = 0;
	}
	if (b->m.n_held == CODEC_MAX_BATCH_EVENTS ||
	    (b->m.n_held > 0 && b->used + len > RECOVER_MAX_BYTES)) {
		b->stopped = true;
		return 1;
	}
	/* The refusals alone say it too: a node asks them for sequences
	 * whose Acks it lost, and takes every one not listed for accepted
	 * (deliver_refusals.c, deliver_on_refusals), reviving a dead letter it
	 * held there. */
	if (reason == REASON_NONE && stored != NULL &&
	    revoked_since(b, stored, stored_len, why, sizeof(why))) {
		reason = REASON_KEY_NOT_VALID;
		text = why;
		b->revoked++;
	}
	if (b->refusals_only && reason == REASON_NONE) {
		b->scanned = seq;
		return 0;
	}
	if (b->used + len > b->cap) {
		size_t ncap = (b->used + len) * 2;
		uint8_t *n = realloc(b->bytes, ncap);
		if (n == NULL) {
			b->stopped = true;
			return 1;
		}
		b->bytes = n;
		b->cap = ncap;
	}
	b->scanned = seq;
	h = &b->m.held[b->m.n_held];
	h->seq = seq;
	h->reason = reason;
	snprintf(h->text, sizeof(h->text), "%s", text);
	b->offs[b->m.n_held] = env != NULL ? b->used : SIZE_MAX;
	h->len = len;
	if (env != NULL) {
		memcpy(b->bytes + b->used, env, len);
		b->used += len;
	}
	b->m.n_held++;
	return 0;
}

/* kuska-node --recover: what we hold of the speaker's institution. */
static void
run_recover(struct ingest_job *j)
{
	struct ingest *ig = &j->c->ig;
	const struct reg_party *p = j->pj.speaker;
	struct recover_build b;
	size_t i;
	int n;

	memset(&b, 0, sizeof(b));
	b.m.held = calloc(CODEC_MAX_BATCH_EVENTS, sizeof(*b.m.held));
	b.offs = calloc(CODEC_MAX_BATCH_EVENTS, sizeof(*b.offs));
	if (b.m.held == NULL || b.offs == NULL) {
		job_refuse(j, REASON_STORE_ERROR, "out of memory");
		goto out;
	}
	b.refusals_only = j->m.refusals_only;
	b.reg = ig->reg;
	b.speaker = p;
	n = ingest_held(ig, p->inst, j->m.from_seq, CODEC_MAX_BATCH_EVENTS,
			recover_add, &b);
	if (n < 0) {
		log_warnx("event=recover_refused institution=%s error=\"%s\"",
			  p->id, strerror(-n));
		job_refuse(j, REASON_STORE_ERROR,
			   "the consolidator cannot read its store");
		goto out;
	}
	for (i = 0; i < b.m.n_held; i++)
		b.m.held[i].env =
		    b.offs[i] == SIZE_MAX ? NULL : b.bytes + b.offs[i];
	b.m.type = MSG_RECOVER_REPLY;
	b.m.last_seq = ig->inst[p->inst].last_seq;
	/* Not full: every sequence held from from_seq was looked at. */
	if (b.refusals_only)
		b.m.scanned_to =
		    b.stopped || (size_t)n == CODEC_MAX_BATCH_EVENTS
			? b.scanned
			: b.m.last_seq;
	b.m.has_outbox_id = ingest_outbox_id(ig, p->inst, b.m.outbox_id) == 0;
	log_info_budget(&j->c->recover_log[p->inst],
			"event=recover institution=%s from_seq=%llu "
			"events=%zu revoked=%llu last_seq=%llu "
			"refusals_only=%s",
			p->id, (unsigned long long)j->m.from_seq, b.m.n_held,
			(unsigned long long)b.revoked,
			(unsigned long long)b.m.last_seq,
			b.refusals_only ? "yes" : "no");
	job_answer(j, &b.m);
out:
	free(b.m.held);
	free(b.offs);
	free(b.bytes);
}

/* The answer to a batch job, as ingest_batches gave it. Writer. */
/*
 * Stores the outbox id the hello on this batch's connection gave, once
 * the batch had an event accepted and none is stored yet (run_hello).
 * Writer.
 */
static void
remember_outbox(struct ingest_job *j, const struct ingest_item *it)
{
	const struct reg_party *p = j->pj.speaker;
	struct outbox_heard *h = &j->c->outbox_heard[p->inst];
	uint8_t stored[CODEC_OUTBOX_ID_LEN];
	int r;

	if (!h->has || it->accepted == 0 || j->req.len[0] != h->rid_len ||
	    memcmp(j->req.data[0], h->rid, h->rid_len) != 0)
		return;
	h->has = false;
	if (ingest_outbox_id(&j->c->ig, p->inst, stored) != -ENOENT)
		return;
	r = ingest_set_outbox_id(&j->c->ig, p->inst, h->id);
	if (r != 0)
		log_warnx("event=outbox_id_not_stored institution=%s "
			  "error=\"%s\"",
			  p->id, strerror(-r));
}

static void
answer_batch(struct ingest_job *j, struct ingest_item *it)
{
	const struct reg_party *p = j->pj.speaker;

	if (it->reply.type == MSG_REFUSAL && it->reply.reason != REASON_GAP)
		j->refusal = it->reply.reason;
	job_answer(j, &it->reply);
	if (it->reply.type == MSG_ACK) {
		log_debug("event=batch institution=%s batch=%llu "
			  "accepted=%llu refused=%zu last_seq=%llu",
			  p->id, (unsigned long long)j->m.batch_id,
			  (unsigned long long)it->accepted,
			  it->reply.n_rejections,
			  (unsigned long long)it->reply.last_seq);
		free(it->reply.rejections);
	}
}

/*
 * Batches, verified (the pipeline's hints), stored and committed
 * together (pipeline_run_group_fn: jobs of one registry). Writer.
 */
static void
run_batches(struct pipeline_job **pjs, size_t n)
{
	struct ingest_job *first = (struct ingest_job *)pjs[0];
	struct ingest *ig = &first->c->ig;
	struct ingest_item items[PIPELINE_GROUP_JOBS];
	uint64_t now = date_now_ms();
	size_t i;

	/* The registry the jobs were judged by, kept until they come back. */
	ig->reg = pjs[0]->reg;
	memset(items, 0, n * sizeof(*items));
	for (i = 0; i < n; i++) {
		struct ingest_job *j = (struct ingest_job *)pjs[i];
		items[i].speaker = pjs[i]->speaker;
		items[i].batch = &j->m;
		items[i].verified = pjs[i]->verified;
		items[i].decoded = pjs[i]->decoded;
		items[i].now_ms = now;
	}
	(void)ingest_batches(ig, items, n);
	for (i = 0; i < n; i++) {
		struct ingest_job *j = (struct ingest_job *)pjs[i];
		remember_outbox(j, &items[i]);
		j->accepted = items[i].accepted;
		j->conflict_seq = items[i].conflict_seq;
		answer_batch(j, &items[i]);
		ingest_view(ig, &j->view);
	}
}

/* The writer's part of every job: pipeline_run_fn. */
static void
run_job(struct pipeline_job *pj)
{
	struct ingest_job *j = (struct ingest_job *)pj;

	/* The registry the job was judged by, kept until it comes back. */
	j->c->ig.reg = pj->reg;
	switch (j->m.type) {
	case MSG_HELLO:
		run_hello(j);
		break;
	default:
		run_recover(j);
	}
	ingest_view(&j->c->ig, &j->view);
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
		refuse(c, req, m->batch_id, REASON_STORE_ERROR,
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
	j->pj.run = run_job;
	j->pj.run_group = j->m.type == MSG_BATCH ? run_batches : NULL;
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
		refuse(c, &j->req, j->m.batch_id, REASON_KEY_NOT_VALID,
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
		diverged_accepted(c, (enum institution)pj->peer, &j->req);
	if (j->m.type == MSG_BATCH && j->conflict_seq != 0)
		set_conflict(c, (enum institution)pj->peer, j->conflict_seq);
	if (j->m.type == MSG_HELLO && j->in_step)
		diverged_proved(c, (enum institution)pj->peer, &j->req,
				j->m.now_ms);
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
	refuse(c, req, 0, REASON_KEY_NOT_VALID,
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
	refuse(c, req, 0, REASON_TOO_LARGE, "message over a size limit");
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
			refuse(c, req, 0, REASON_BAD_FRAME,
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
		refuse(c, req, 0, REASON_STORE_ERROR,
		       "the consolidator ran out of memory; retry later");
		return;
	}
	if (r != 0) {
		log_warnx_budget(&c->refusal_log[p->inst],
				 "event=frame_refused institution=%s "
				 "bytes=%zu reason=%s",
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
		if (!judge_hello(c, req, p, &m))
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
		refuse(c, req, 0, REASON_BAD_FRAME,
		       "a node may send hello, batch and recover only");
	}
	codec_msg_clear(&m);
}
