/* ingest_net_answer.c - the writer's answers to the jobs; see ingest_net.h. */
#include "ingest_net.h"
#include "ingest_net_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "instep.h"
#include "log.h"
#include "pipeline.h"
#include "sign.h"

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

/*
 * The hello asked for its institution's take-ups that match no referral
 * record of their sender: into w (its list malloc'd, the caller's), from
 * the statistics in memory, walked at most once a UNMATCHED_MEMO_MS for
 * an institution. Said without them (w->has_unmatched false)
 * when they cannot be read: the node then says it does not know. Only the
 * speaker's own, over its own authenticated connection: sequences, dates
 * and senders, nothing of a child. Writer.
 */
static void
unmatched_for(struct ingest_job *j, struct msg *w)
{
	const struct reg_party *p = j->pj.speaker;
	size_t max = j->m.unmatched_max;
	int r;

	if (max == 0)
		return;
	if (max > CODEC_MAX_UNMATCHED)
		max = CODEC_MAX_UNMATCHED;
	w->unmatched = calloc(max, sizeof(*w->unmatched));
	if (w->unmatched == NULL) {
		log_debug("event=unmatched_unsaid institution=%s "
			  "error=\"out of memory\"",
			  p->id);
		return;
	}
	r = unmatched_memo_get(&j->c->unmatched_memo[p->inst], j->c->ig.stats,
			       p->inst, date_mono_ms(), w->unmatched, max,
			       &w->n_unmatched, &w->unmatched_total);
	if (r != 0) {
		log_debug("event=unmatched_unsaid institution=%s error=\"%s\"",
			  p->id, strerror(-r));
		free(w->unmatched);
		w->unmatched = NULL;
		return;
	}
	w->has_unmatched = true;
	log_debug("event=unmatched_said institution=%s total=%llu listed=%zu",
		  p->id, (unsigned long long)w->unmatched_total,
		  w->n_unmatched);
}

/* A hello that says the same again is logged at info this often. */
#define HELLO_SAME_LOG_MS (3600 * 1000)
/* At info, or at debug when it says the same again. */
#define HELLO_LINE "event=hello institution=%s last_seq=%llu key=%s from=%s"

/*
 * Whether the hello j, from address from, welcomed with last_seq, is news for
 * the journal: on another connection than the last one logged (a node
 * started or reconnected), with another key, from another address, with
 * another last sequence held, or the first in an hour. A node asks for its
 * take-up list in a hello at each kuska status, up to once in 5 s: a
 * monitoring check's every second would otherwise log some 17,000 lines a
 * day. Writer.
 */
static bool
hello_news(struct ingest_job *j, const struct reg_user *who, uint64_t last_seq,
	   const char *from)
{
	const struct hello_said *s = &j->c->hello_said[j->pj.speaker->inst];
	size_t rid_len = j->req.len[0];

	if (rid_len > sizeof(s->rid))
		rid_len = sizeof(s->rid);
	return !s->has || s->rid_len != rid_len ||
	       memcmp(s->rid, j->req.data[0], rid_len) != 0 ||
	       s->last_seq != last_seq || strcmp(s->key, who->key) != 0 ||
	       strcmp(s->peer, from) != 0 ||
	       date_mono_ms() - s->at_ms >= HELLO_SAME_LOG_MS;
}

/*
 * Notes the hello j (as hello_news) as the institution's last said: only
 * once its line is written, for one the budget held back is no word of the
 * journal's (its repeats, each news still, are logged once the budget
 * allows). Writer.
 */
static void
hello_noted(struct ingest_job *j, const struct reg_user *who, uint64_t last_seq,
	    const char *from)
{
	struct hello_said *s = &j->c->hello_said[j->pj.speaker->inst];
	uint64_t now = date_mono_ms();
	size_t rid_len = j->req.len[0];

	if (rid_len > sizeof(s->rid))
		rid_len = sizeof(s->rid);
	s->has = true;
	memcpy(s->rid, j->req.data[0], rid_len);
	s->rid_len = rid_len;
	s->last_seq = last_seq;
	snprintf(s->key, sizeof(s->key), "%s", who->key);
	snprintf(s->peer, sizeof(s->peer), "%s", from);
	s->at_ms = now;
}

/* The welcome to a hello judged good: what the store holds. Writer. */
static void
run_hello(struct ingest_job *j)
{
	struct ingest *ig = &j->c->ig;
	const struct reg_party *p = j->pj.speaker;
	const struct msg *m = &j->m;
	const char *from = j->req.peer[0] != '\0' ? j->req.peer : "unknown";
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
		ingest_note_damaged(ig, r);
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
	unmatched_for(j, &w);
	/* The key it spoke with: after a node's key is replaced (OPERATIONS
	 * section 6) the journal shows the node back with the new one. */
	(void)registry_user_name(j->req.user_id, &who);
	if (hello_news(j, &who, w.last_seq, from)) {
		if (log_info_budget(&j->c->hello_log[p->inst], HELLO_LINE,
				    p->id, (unsigned long long)w.last_seq,
				    who.key, from))
			hello_noted(j, &who, w.last_seq, from);
	} else {
		/* Counted in the next line's unlogged=N. */
		log_budget_hold(&j->c->hello_log[p->inst]);
		log_debug(HELLO_LINE, p->id, (unsigned long long)w.last_seq,
			  who.key, from);
	}
	job_answer(j, &w);
	free(w.unmatched);
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
		ingest_note_damaged(ig, n);
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

/* The answer to a batch job, as ingest_batches gave it. Writer. */
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
void
ingest_net_run_batches(struct pipeline_job **pjs, size_t n)
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
void
ingest_net_run_job(struct pipeline_job *pj)
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
