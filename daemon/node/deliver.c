/* deliver.c - outbox to consolidator: hellos, batches, tick; see deliver.h. */
#include "deliver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "deliver_int.h"
#include "instep.h"
#include "keys.h"
#include "log.h"
#include "sign.h"

void
deliver_init(struct deliver *d)
{
	struct outbox_state st;

	d->welcomed = false;
	if (!outbox_diverged(d->ob, d->diverged, sizeof(d->diverged)))
		d->diverged[0] = '\0';
	d->nq = 0;
	d->ngone = 0;
	flood_guard_init(&d->flood, DELIVER_FLOOD_MAX);
	d->hello_due_ms = 0;
	d->next_batch_id = 1;
	d->refusals_asked = 0;
	d->refusals_due_ms = 0;
	d->refusals_backoff_ms = 0;
	memset(&d->refusals_log, 0, sizeof(d->refusals_log));
	memset(&d->answer_log, 0, sizeof(d->answer_log));
	memset(&d->refused_log, 0, sizeof(d->refused_log));
	d->reopen_due_ms = 0;
	memset(&d->reopen_log, 0, sizeof(d->reopen_log));
	d->n_unmatched = 0;
	d->unmatched_total = 0;
	d->unmatched_ms = 0;
	d->unmatched_asked_ms = 0;
	d->unmatched_unsaid = false;
	d->unmatched_want = true; /* known from the first Welcome */
	d->unmatched_asked = false;
	if (outbox_state(d->ob, &st) == 0)
		d->acked = st.acked_seq;
	d->sent_upto = d->acked;
	if (d->window > DELIVER_MAX_WINDOW)
		d->window = DELIVER_MAX_WINDOW;
}

int
deliver_send_msg(struct deliver *d, const struct msg *m)
{
	uint8_t *buf;
	size_t len;
	int r;

	/* A flood's new socket not made yet (deliver_reopen): nothing on
	 * the flooded connection, read still, whatever is taken there (an
	 * Ack taken as a Welcome asks for refusals); sent when due again,
	 * on the new one. */
	if (d->reopen_due_ms != 0)
		return -EAGAIN;
	r = codec_msg_encode(m, &buf, &len);
	if (r != 0)
		return r;
	{
		const void *data[1] = {buf};
		r = tsock_send(d->sock, data, &len, 1);
	}
	free(buf);
	return r;
}

/* Empties the queue of batches in flight, remembered as gone. */
void
deliver_drop_queue(struct deliver *d)
{
	if (d->nq > 0) {
		memcpy(d->gone, d->q, d->nq * sizeof(d->q[0]));
		d->ngone = d->nq;
	}
	d->nq = 0;
}

void
deliver_go_idle(struct deliver *d, uint64_t due_ms)
{
	d->welcomed = false;
	deliver_drop_queue(d);
	d->hello_due_ms = due_ms;
	/* No hello awaits its answer now: the next asks anew. */
	d->unmatched_asked = false;
}

/*
 * The hello's proof that this outbox ends with envelope last: signed
 * over its digest, the outbox id, the consolidator's CURVE public key
 * (proof for that one alone) and the hello's fields (sign_in_step).
 * The consolidator clears its DIVERGED mark when its copy ends with the
 * same envelope. Left out when not diverged-free or not readable.
 */
static void
prove_in_step(struct deliver *d, struct msg *m)
{
	uint8_t *env, digest[SIGN_DIGEST_LEN];
	char ref[8];
	size_t len;
	struct in_step p;

	if (d->key == NULL || d->cons_pk == NULL || d->diverged[0] != '\0' ||
	    !m->has_outbox_last_seq || m->outbox_last_seq == 0)
		return;
	if (outbox_get(d->ob, m->outbox_last_seq, &env, &len, ref,
		       sizeof(ref)) != 0)
		return;
	sign_digest(env, len, digest);
	free(env);
	in_step_fields(&p, m, d->key->key_id, digest, d->cons_pk);
	if (sign_in_step(d->key->sign_sk, &p.f, m->in_step_sig) != 0)
		return;
	memcpy(m->in_step_key_id, d->key->key_id, KEY_ID_LEN);
	m->has_in_step = true;
}

static void
send_hello(struct deliver *d, uint64_t now_ms)
{
	struct outbox_state st;
	struct msg m;
	uint64_t wait = HELLO_INTERVAL_MS;
	bool sent;

	memset(&m, 0, sizeof(m));
	d->nonce = keys_random64();
	m.type = MSG_HELLO;
	m.inst = d->inst;
	m.version = CODEC_VERSION;
	m.nonce = d->nonce;
	snprintf(m.network, sizeof(m.network), "%s", d->network);
	m.has_outbox_id = true;
	outbox_id(d->ob, m.outbox_id);
	if (outbox_state(d->ob, &st) == 0) {
		m.has_outbox_last_seq = true;
		m.outbox_last_seq = st.next_seq - 1;
	}
	d->hello_wall_ms = date_now_ms();
	m.now_ms = d->hello_wall_ms;
	snprintf(m.diverged, sizeof(m.diverged), "%s", d->diverged);
	prove_in_step(d, &m);
	/* Diverged, the consolidator's sequences are not this outbox's. */
	if (d->unmatched_want && d->diverged[0] == '\0')
		m.unmatched_max = CODEC_MAX_UNMATCHED;
	sent = deliver_send_msg(d, &m) == 0; /* EAGAIN: not connected yet */
	/* Asking while an ask is unanswered (a keep-alive's hello to a
	 * consolidator that does not answer) is no new ask: kuska status
	 * waits for the first alone. */
	if (sent && m.unmatched_max != 0 && !d->unmatched_asked)
		d->unmatched_asked_ms = now_ms;
	d->unmatched_asked = sent && m.unmatched_max != 0;
	if (sent)
		log_debug("event=hello_sent institution=%s welcomed=%s "
			  "outbox_last_seq=%llu",
			  institution_name(d->inst), d->welcomed ? "yes" : "no",
			  (unsigned long long)m.outbox_last_seq);
	/* Diverged: hello now and then, so the consolidator shows it. */
	if (d->diverged[0] != '\0')
		wait = DIVERGED_HELLO_MS;
	/* Gone out on a live connection, a hello is answered (Welcome or
	 * refusal) however long it waits its turn at a busy consolidator,
	 * behind a peer catching up: another, with another nonce, would make
	 * the answer on its way stale and wait its own turn, so that none
	 * were taken while the consolidator stays that busy. The next goes
	 * out on a new connection, or when the answer is as late as an
	 * Ack would be. */
	else if (sent && d->ack_timeout_ms > HELLO_INTERVAL_MS)
		wait = d->ack_timeout_ms;
	d->hello_due_ms = now_ms + wait;
}

void
deliver_want_unmatched(struct deliver *d, uint64_t now_ms)
{
	if (d->unmatched_asked_ms != 0 &&
	    now_ms - d->unmatched_asked_ms < DELIVER_UNMATCHED_MIN_MS)
		return;
	d->unmatched_want = true;
}

bool
deliver_asking_unmatched(const struct deliver *d, uint64_t now_ms)
{
	if (!d->connected || !d->welcomed)
		return false;
	if (d->unmatched_asked)
		return now_ms - d->unmatched_asked_ms < d->ack_timeout_ms;
	return d->unmatched_want && d->nq == 0 && now_ms >= d->hello_due_ms;
}

/* Collects envelopes for one batch while the outbox read is open. */
struct batch_build {
	struct msg m;
	size_t bytes;
	uint64_t last;
	uint8_t *copy; /* the envelopes, back to back */
	size_t cap;
	size_t *offs;
};

static int
batch_add(void *arg, uint64_t seq, uint64_t created_ms, const uint8_t *env,
	  size_t len)
{
	struct batch_build *b = arg;

	(void)created_ms;
	if (b->m.n_envelopes > 0 &&
	    (seq != b->last + 1 || b->bytes + len > DELIVER_MAX_BATCH_BYTES))
		return 1;
	if (b->bytes + len > b->cap) {
		size_t ncap = (b->bytes + len) * 2;
		uint8_t *n = realloc(b->copy, ncap);
		if (n == NULL)
			return 1;
		b->copy = n;
		b->cap = ncap;
	}
	memcpy(b->copy + b->bytes, env, len);
	b->offs[b->m.n_envelopes] = b->bytes;
	b->m.envelope_lens[b->m.n_envelopes] = len;
	b->m.n_envelopes++;
	b->bytes += len;
	b->last = seq;
	return 0;
}

/* Sends one batch from sent_upto + 1. Returns 1 sent, 0 nothing, <0. */
static int
send_batch(struct deliver *d, uint64_t now_ms)
{
	struct batch_build b;
	const uint8_t **ptrs = NULL;
	size_t i, max = d->batch_events;
	int n, r = 0;

	memset(&b, 0, sizeof(b));
	if (max > CODEC_MAX_BATCH_EVENTS)
		max = CODEC_MAX_BATCH_EVENTS;
	b.offs = calloc(max, sizeof(size_t));
	b.m.envelope_lens = calloc(max, sizeof(size_t));
	ptrs = calloc(max, sizeof(*ptrs));
	if (b.offs == NULL || b.m.envelope_lens == NULL || ptrs == NULL) {
		r = -ENOMEM;
		goto out;
	}
	b.last = d->sent_upto;
	n = outbox_read(d->ob, d->sent_upto + 1, max, batch_add, &b);
	if (n < 0) {
		r = n;
		goto out;
	}
	if (b.m.n_envelopes == 0)
		goto out;
	for (i = 0; i < b.m.n_envelopes; i++)
		ptrs[i] = b.copy + b.offs[i];
	b.m.envelopes = ptrs;
	b.m.type = MSG_BATCH;
	b.m.batch_id = d->next_batch_id++;
	r = deliver_send_msg(d, &b.m);
	if (r != 0)
		goto out;
	d->q[d->nq].batch_id = b.m.batch_id;
	d->q[d->nq].first = d->sent_upto + 1;
	d->q[d->nq].last = b.last;
	d->q[d->nq].sent_ms = now_ms;
	d->nq++;
	d->sent_upto = b.last;
	/* Debug only: one a batch; tests wait on it rather than a sleep. */
	log_debug("event=batch_sent batch=%llu first=%llu last=%llu",
		  (unsigned long long)b.m.batch_id,
		  (unsigned long long)d->q[d->nq - 1].first,
		  (unsigned long long)b.last);
	r = 1;
out:
	free(b.copy);
	free(b.offs);
	free(b.m.envelope_lens);
	free(ptrs);
	return r;
}

void
deliver_tick(struct deliver *d, uint64_t now_ms)
{
	struct outbox_state st;

	/* A flood's new socket first: the flooded one is never redialled,
	 * nor sent anything. */
	if (d->reopen_due_ms != 0) {
		if (now_ms >= d->reopen_due_ms)
			deliver_reopen(d, now_ms);
		if (d->reopen_due_ms != 0)
			return;
	}
	if (d->redial_due_ms != 0 && now_ms >= d->redial_due_ms)
		deliver_redial(d, now_ms);
	if (!d->welcomed) {
		if (now_ms >= d->hello_due_ms)
			send_hello(d, now_ms);
		return;
	}
	if (d->refusals_due_ms != 0 && now_ms >= d->refusals_due_ms)
		deliver_ask_refusals(d, now_ms);
	/* Nothing said for a while, nothing waiting for an ack: are they
	 * still there? (The Welcome answers; unanswered, another hello
	 * after ack_timeout.) */
	if (d->nq == 0 && d->keepalive_ms > 0 &&
	    now_ms - d->heard_mono_ms >= d->keepalive_ms &&
	    now_ms >= d->hello_due_ms)
		send_hello(d, now_ms);
	/* The unmatched take-ups asked for: a hello as a keep-alive's,
	 * answered by a Welcome that acknowledges nothing new; not while an
	 * ask is unanswered (another, with another nonce, would make its
	 * answer stale on the way, as send_hello says). */
	if (d->nq == 0 && d->unmatched_want && !d->unmatched_asked &&
	    now_ms >= d->hello_due_ms)
		send_hello(d, now_ms);
	/* Batches may be stamped a little after now_ms: never wrap. */
	if (d->nq > 0 && now_ms > d->q[0].sent_ms &&
	    now_ms - d->q[0].sent_ms > d->ack_timeout_ms) {
		log_warnx("event=ack_timeout batch=%llu timeout_ms=%llu "
			  "action=resume_from_consolidator_last_seq",
			  (unsigned long long)d->q[0].batch_id,
			  (unsigned long long)d->ack_timeout_ms);
		deliver_go_idle(d, now_ms);
		return;
	}
	if (outbox_state(d->ob, &st) != 0)
		return;
	while (d->nq < d->window && d->sent_upto + 1 < st.next_seq) {
		int r = send_batch(d, now_ms);
		if (r == -EAGAIN || r == -EHOSTUNREACH) {
			deliver_go_idle(d, now_ms + HELLO_INTERVAL_MS);
			return;
		}
		if (r <= 0)
			return;
		if (d->serve != NULL)
			(void)d->serve(d->serve_arg);
	}
}
