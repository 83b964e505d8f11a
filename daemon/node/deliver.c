/* deliver.c - outbox to consolidator; see deliver.h. */
#include "deliver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "instep.h"
#include "keys.h"
#include "log.h"
#include "settings.h"
#include "sign.h"

#define HELLO_INTERVAL_MS 1000
#define STORE_FULL_BACKOFF_MS 5000
#define MAX_BACKOFF_MS 60000
#define DIVERGED_HELLO_MS (SETTINGS_DIVERGED_HELLO_S * 1000)
#define REDIAL_FIRST_MS 10000
#define REDIAL_MAX_MS 600000
#define HANDSHAKE_FAILURES_SAID 3 /* in a row, before status says so */
/*
 * The most a node waits to dial again after failed (not refused)
 * handshakes: a consolidator too busy to finish them (a flood of
 * connections) must not keep a node away long once it is over.
 */
#define HANDSHAKE_FAILED_REDIAL_MAX_MS 60000
/* Not reached for this long (not a restart of the consolidator): said. */
#define UNREACHED_SAY_MS 10000
#define NOMEM_RETRY_MS 5000	  /* hello again after an answer lost so */
#define REFUSALS_MAX_BACKOFF_MS 600000 /* asking again, refused */

static void ask_refusals(struct deliver *, uint64_t);

void
deliver_init(struct deliver *d)
{
	struct outbox_state st;

	d->welcomed = false;
	if (!outbox_diverged(d->ob, d->diverged, sizeof(d->diverged)))
		d->diverged[0] = '\0';
	d->nq = 0;
	d->ngone = 0;
	d->hello_due_ms = 0;
	d->next_batch_id = 1;
	d->refusals_asked = 0;
	d->refusals_due_ms = 0;
	d->refusals_backoff_ms = 0;
	memset(&d->refusals_log, 0, sizeof(d->refusals_log));
	memset(&d->answer_log, 0, sizeof(d->answer_log));
	memset(&d->refused_log, 0, sizeof(d->refused_log));
	if (outbox_state(d->ob, &st) == 0)
		d->acked = st.acked_seq;
	d->sent_upto = d->acked;
	if (d->window > DELIVER_MAX_WINDOW)
		d->window = DELIVER_MAX_WINDOW;
}

static int
send_msg(struct deliver *d, const struct msg *m)
{
	uint8_t *buf;
	size_t len;
	int r;

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
static void
drop_queue(struct deliver *d)
{
	if (d->nq > 0) {
		memcpy(d->gone, d->q, d->nq * sizeof(d->q[0]));
		d->ngone = d->nq;
	}
	d->nq = 0;
}

static void
go_idle(struct deliver *d, uint64_t due_ms)
{
	d->welcomed = false;
	drop_queue(d);
	d->hello_due_ms = due_ms;
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
	sent = send_msg(d, &m) == 0; /* EAGAIN: not connected yet */
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
	r = send_msg(d, &b.m);
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

/* The next redial after a refused or failed handshake: 10 s, doubling
 * to max_ms. */
static void
schedule_redial(struct deliver *d, uint64_t now_ms, uint64_t max_ms)
{
	d->redial_backoff_ms = d->redial_backoff_ms == 0
				   ? REDIAL_FIRST_MS
				   : d->redial_backoff_ms * 2;
	if (d->redial_backoff_ms > max_ms)
		d->redial_backoff_ms = max_ms;
	d->redial_due_ms = now_ms + d->redial_backoff_ms;
}

/*
 * Dials the consolidator again after a refused or failed handshake, which
 * libzmq does not retry: the registry may have been fixed and reloaded
 * since (a key added late, a revocation undone), and the node must not
 * wait for a restart to be let in. A redial that fails may have left the
 * socket without its endpoint: it is tried again later, not given up.
 */
static void
redial(struct deliver *d, uint64_t now_ms)
{
	int r;

	d->redial_due_ms = 0;
	d->undialled = false;
	r = tsock_redial(d->sock, d->endpoint);
	if (r != 0) {
		log_warnx("event=redial_failed consolidator=%s error=%s",
			  LOG_Q(d->endpoint), LOG_Q(strerror(-r)));
		schedule_redial(d, now_ms, REDIAL_MAX_MS);
	} else
		log_info("event=redial consolidator=%s", LOG_Q(d->endpoint));
}

void
deliver_tick(struct deliver *d, uint64_t now_ms)
{
	struct outbox_state st;

	if (d->redial_due_ms != 0 && now_ms >= d->redial_due_ms)
		redial(d, now_ms);
	if (!d->welcomed) {
		if (now_ms >= d->hello_due_ms)
			send_hello(d, now_ms);
		return;
	}
	if (d->refusals_due_ms != 0 && now_ms >= d->refusals_due_ms)
		ask_refusals(d, now_ms);
	/* Nothing said for a while, nothing waiting for an ack: are they
	 * still there? (The Welcome answers; unanswered, another hello
	 * after ack_timeout.) */
	if (d->nq == 0 && d->keepalive_ms > 0 &&
	    now_ms - d->heard_mono_ms >= d->keepalive_ms &&
	    now_ms >= d->hello_due_ms)
		send_hello(d, now_ms);
	/* Batches may be stamped a little after now_ms: never wrap. */
	if (d->nq > 0 && now_ms > d->q[0].sent_ms &&
	    now_ms - d->q[0].sent_ms > d->ack_timeout_ms) {
		log_warnx("event=ack_timeout batch=%llu timeout_ms=%llu "
			  "action=resume_from_consolidator_last_seq",
			  (unsigned long long)d->q[0].batch_id,
			  (unsigned long long)d->ack_timeout_ms);
		go_idle(d, now_ms);
		return;
	}
	if (outbox_state(d->ob, &st) != 0)
		return;
	while (d->nq < d->window && d->sent_upto + 1 < st.next_seq) {
		int r = send_batch(d, now_ms);
		if (r == -EAGAIN || r == -EHOSTUNREACH) {
			go_idle(d, now_ms + HELLO_INTERVAL_MS);
			return;
		}
		if (r <= 0)
			return;
		if (d->serve != NULL)
			(void)d->serve(d->serve_arg);
	}
}

/* The hex of the first 8 bytes of an id, for messages. */
static const char *
id_hex(const uint8_t *id, char out[17])
{
	int i;

	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", id[i]);
	return out;
}

/*
 * Whether the consolidator's copy is this outbox's (see deliver.h).
 * Returns 0, or 1 with why filled.
 */
static int
check_copy(struct deliver *d, const struct msg *m,
	   const struct outbox_state *st, char *why, size_t cap)
{
	uint8_t own[OUTBOX_ID_LEN], hash[CODEC_HASH_LEN], *env;
	char a[17], b[17], ref[2];
	size_t len;
	int r;

	outbox_id(d->ob, own);
	if (m->has_outbox_id && memcmp(m->outbox_id, own, OUTBOX_ID_LEN) != 0) {
		snprintf(why, cap,
			 "the consolidator's events came from another outbox "
			 "(%s, this one is %s)",
			 id_hex(m->outbox_id, a), id_hex(own, b));
		return 1;
	}
	if (m->last_seq >= st->next_seq) {
		snprintf(why, cap,
			 "the consolidator holds sequences up to %llu, this "
			 "outbox only up to %llu (restored from an older copy, "
			 "or replaced)",
			 (unsigned long long)m->last_seq,
			 (unsigned long long)(st->next_seq - 1));
		return 1;
	}
	if (!m->has_check || m->check_seq == 0)
		return 0;
	r = outbox_get(d->ob, m->check_seq, &env, &len, ref, sizeof(ref));
	if (r != 0) {
		if (r != -ENOENT)
			log_warnx(
			    "event=check_unreadable seq=%llu error=\"%s\"",
			    (unsigned long long)m->check_seq, strerror(-r));
		return 0; /* nothing to compare with */
	}
	sign_digest(env, len, hash);
	free(env);
	if (memcmp(hash, m->check_hash, CODEC_HASH_LEN) == 0)
		return 0;
	snprintf(why, cap,
		 "sequence %llu is another event at the consolidator than in "
		 "this outbox (restored from an older copy?)",
		 (unsigned long long)m->check_seq);
	return 1;
}

/* Our clock against the consolidator's, from a hello's round trip. */
static void
note_skew(struct deliver *d, const struct msg *m)
{
	uint64_t now = date_now_ms();

	if (m->now_ms == 0 || d->hello_wall_ms == 0 || now < d->hello_wall_ms)
		return;
	d->has_skew = true;
	/* The consolidator's reading is its word: any 64 bits. */
	d->skew_ms = date_skew_ms(
	    d->hello_wall_ms + (now - d->hello_wall_ms) / 2, m->now_ms);
	if (d->skew_ms > DATE_SKEW_WARN_MS || d->skew_ms < -DATE_SKEW_WARN_MS) {
		char words[32];

		log_warnx("event=clock_skew skew_s=%lld (this clock is %s "
			  "%s the consolidator's: check NTP on both "
			  "machines)",
			  (long long)(d->skew_ms / 1000),
			  date_skew_words(d->skew_ms, words, sizeof(words)),
			  d->skew_ms > 0 ? "ahead of" : "behind");
	}
}

/* Keeps (and records) the grants a Welcome says, saying when they change. */
static void
note_grants(struct deliver *d, const struct msg *m)
{
	struct grants *g = d->grants;

	if (g == NULL || !m->has_grants)
		return;
	if (g->said && g->kinds == m->grant_kinds &&
	    g->stages == m->grant_stages)
		return;
	g->kinds = m->grant_kinds;
	g->stages = m->grant_stages;
	g->said = true;
	log_info("event=grants kinds=0x%x stages=0x%x", (unsigned)g->kinds,
		 (unsigned)g->stages);
	if (outbox_grants_put(d->ob, g->kinds, g->stages) != 0)
		log_warnx("event=grants_not_recorded");
}

/* Any answer of the consolidator: it is there. */
static void
heard(struct deliver *d, uint64_t now_ms)
{
	d->heard_ms = date_now_ms();
	d->heard_mono_ms = now_ms;
}

/* The consolidator holds up to seq: the batches it holds leave the queue. */
static void
note_acked(struct deliver *d, uint64_t seq)
{
	size_t drop = 0;

	if (seq > d->acked) {
		d->acked = seq;
		d->backoff_ms = 0; /* progress: refusals are over */
		d->last_refusal[0] = '\0';
	}
	while (drop < d->nq && d->q[drop].last <= d->acked)
		drop++;
	if (drop > 0) {
		memmove(d->q, d->q + drop, (d->nq - drop) * sizeof(d->q[0]));
		d->nq -= drop;
	}
}

/*
 * The consolidator holds less than it acknowledged: restored from an older
 * backup (or its --repair dropped events). The node sends it all again,
 * but a sysadmin should hear that acknowledged data was lost there. The
 * acknowledged sequence is the outbox's, so this holds across a restart
 * of the node; the Welcome's reset then lowers it, and it is said once.
 */
static void
warn_behind(struct deliver *d, uint64_t last_seq,
	    const struct outbox_state *st)
{
	log_warnx("event=consolidator_behind institution=%s acknowledged=%llu "
		  "consolidator_last_seq=%llu action=resending events=%llu "
		  "hint=\"the consolidator holds fewer of this node's events "
		  "than it acknowledged (restored from an older backup?): "
		  "they are sent again\"",
		  institution_name(d->inst),
		  (unsigned long long)st->acked_seq,
		  (unsigned long long)last_seq,
		  (unsigned long long)(st->next_seq - 1 - last_seq));
}

/*
 * Asks the consolidator for its refusals from the outbox's refusals_from
 * on: sequences a Welcome acknowledged whose Ack (and so whose refusals)
 * never arrived, the connection cut or the node killed before it, or an
 * Ack of a later batch did (acks_others). The answers come in pieces
 * (on_refusals), each recorded as an Ack's rejections would be, until
 * the acknowledged sequence. One ask at a time: unanswered after
 * ack_timeout (the answer lost, the ask refused or not sent),
 * deliver_tick asks again.
 */
static void
ask_refusals(struct deliver *d, uint64_t now_ms)
{
	struct outbox_state st;
	struct msg m;
	uint64_t from;

	d->refusals_asked = 0;
	d->refusals_due_ms = now_ms + d->ack_timeout_ms;
	if (outbox_refusals_from(d->ob, &from) != 0 ||
	    outbox_state(d->ob, &st) != 0)
		return; /* asked again when due */
	if (from == 0) {
		d->refusals_due_ms = 0; /* nothing to ask */
		return;
	}
	if (from > st.acked_seq) {
		struct outbox_refusals none = {0};

		/* Lowered by a consolidator behind: Acks will say them. */
		if (outbox_record_refusals(d->ob, &none, date_now_ms(), NULL) <
		    0)
			log_warnx("event=refusals_not_recorded");
		else
			d->refusals_due_ms = 0;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = MSG_RECOVER_REQUEST;
	m.from_seq = from;
	m.refusals_only = true;
	if (send_msg(d, &m) != 0)
		return; /* asked again when due */
	d->refusals_asked = from;
	log_info("event=refusals_asked from_seq=%llu acknowledged=%llu",
		 (unsigned long long)from, (unsigned long long)st.acked_seq);
}

enum refusals_answer
deliver_refusals_answer(uint64_t from, uint64_t upto, uint64_t last_seq,
			uint64_t acked, uint64_t *ret_next)
{
	if (upto < from) {
		/* Not where the node asks: the answer to an ask before it
		 * (sent twice), which would skip what it did not look at. */
		if (last_seq >= from)
			return REFUSALS_STALE;
		*ret_next = 0; /* nothing held from there */
		return REFUSALS_RECORD;
	}
	*ret_next = upto >= acked ? 0 : upto + 1;
	return REFUSALS_RECORD;
}

void
deliver_refusals_covered(uint64_t from, uint64_t upto, uint64_t acked,
			 bool listed, uint64_t *ret_first, uint64_t *ret_last)
{
	*ret_first = 0;
	*ret_last = upto < acked ? upto : acked;
	if (listed && from != 0 && from <= *ret_last)
		*ret_first = from;
}

/* The consolidator's refusals from d->refusals_asked on: dead letters.
 * Returns whether it was taken (may have written the outbox). */
static bool
on_refusals(struct deliver *d, const struct msg *m, uint64_t now_ms)
{
	struct outbox_state st;
	struct outbox_refusals a;
	struct rejection *rej;
	uint64_t from = d->refusals_asked, upto, next;
	size_t i, n = 0;
	bool *fresh;
	int r;

	if (from == 0)
		return false; /* nothing asked: stale */
	if (outbox_state(d->ob, &st) != 0) {
		d->refusals_asked = 0; /* asked again when due */
		return false;
	}
	upto = m->scanned_to != 0 ? m->scanned_to
	       : m->n_held > 0	  ? m->held[m->n_held - 1].seq
				  : st.acked_seq;
	if (deliver_refusals_answer(from, upto, m->last_seq, st.acked_seq,
				    &next) == REFUSALS_STALE) {
		log_debug("event=refusals_stale from_seq=%llu scanned_to=%llu",
			  (unsigned long long)from, (unsigned long long)upto);
		return false; /* the answer to the ask under way is to come */
	}
	rej = calloc(m->n_held + 1, sizeof(*rej));
	fresh = calloc(m->n_held + 1, sizeof(*fresh));
	if (rej == NULL || fresh == NULL) {
		free(rej);
		free(fresh);
		d->refusals_asked = 0; /* asked again when due */
		return false;
	}
	/* An older consolidator sends every event held, envelopes too. */
	for (i = 0; i < m->n_held; i++) {
		const struct held_event *h = &m->held[i];
		if (h->reason == REASON_NONE || h->seq < from ||
		    h->seq > st.acked_seq)
			continue;
		rej[n].seq = h->seq;
		rej[n].reason = h->reason;
		snprintf(rej[n].text, sizeof(rej[n].text), "%s", h->text);
		n++;
	}
	a.rej = rej;
	a.n_rej = n;
	a.next = next;
	deliver_refusals_covered(from, upto, st.acked_seq,
				 m->scanned_to != 0 || m->n_held > 0, &a.first,
				 &a.last);
	r = outbox_record_refusals(d->ob, &a, date_now_ms(), fresh);
	if (r < 0) {
		log_warnx("event=refusals_not_recorded error=%s",
			  LOG_Q(strerror(-r)));
		n = 0;
	} else if (r > 0) {
		log_info("event=dead_letters_revived count=%d ack=lost", r);
	}
	/* Those already held were said when first heard. */
	for (i = 0; i < n; i++)
		if (fresh[i])
			log_warnx("event=refused seq=%llu reason=%s text=%s "
				  "ack=lost",
				  (unsigned long long)rej[i].seq,
				  reason_name(rej[i].reason),
				  LOG_Q(rej[i].text));
	free(rej);
	free(fresh);
	if (r < 0) {
		d->refusals_asked = 0; /* asked again when due */
		return true;
	}
	d->refusals_backoff_ms = 0;
	ask_refusals(d, now_ms);
	return true;
}

/*
 * The consolidator could not answer the ask (its store unreadable, out of
 * memory): that is no batch refused, nothing to stop delivering for. The
 * ask is made again later, waiting longer each time.
 */
static void
refusals_refused(struct deliver *d, const struct msg *m, uint64_t now_ms)
{
	const char *why = reason_name(m->reason) ? reason_name(m->reason) : "?";

	d->refusals_backoff_ms = d->refusals_backoff_ms == 0
				     ? d->ack_timeout_ms
				     : d->refusals_backoff_ms * 2;
	if (d->refusals_backoff_ms > REFUSALS_MAX_BACKOFF_MS)
		d->refusals_backoff_ms = REFUSALS_MAX_BACKOFF_MS;
	log_warnx_budget(&d->refusals_log,
			 "event=refusals_refused reason=%s from_seq=%llu "
			 "text=%s retry_s=%llu",
			 why, (unsigned long long)d->refusals_asked,
			 LOG_Q(m->text),
			 (unsigned long long)(d->refusals_backoff_ms / 1000));
	d->refusals_asked = 0;
	d->refusals_due_ms = now_ms + d->refusals_backoff_ms;
}

/*
 * The consolidator's copy is not this outbox's, for why: nothing is
 * delivered or taken until kuska-node --recover (recorded, so a restart
 * keeps it), and the consolidator is told at once.
 */
static void
set_diverged(struct deliver *d, const char *why, uint64_t now_ms)
{
	log_warnx("event=diverged action=not_delivering text=%s "
		  "hint=\"nothing is delivered or accepted until "
		  "kuska-node --recover rebuilds the outbox from the "
		  "consolidator's copy\"",
		  LOG_Q(why));
	snprintf(d->diverged, sizeof(d->diverged), "%s", why);
	if (outbox_set_diverged(d->ob, why) != 0)
		log_warnx("event=diverged_not_recorded");
	go_idle(d, now_ms); /* tell the consolidator at once */
}

/* Returns whether it was taken (may have written the outbox). */
static bool
on_welcome(struct deliver *d, const struct msg *m, uint64_t now_ms)
{
	struct outbox_state st;
	char why[CODEC_MAX_TEXT + 1];
	bool keep;

	if (m->nonce != d->nonce)
		return false; /* the answer to an older hello */
	/* One Welcome a hello: the same again (a consolidator's key may
	 * send it without end, each a commit) is not taken. */
	d->nonce = keys_random64();
	heard(d, now_ms);
	note_skew(d, m);
	note_grants(d, m);
	if (d->diverged[0] != '\0') {
		go_idle(d, now_ms + DIVERGED_HELLO_MS);
		return true;
	}
	if (outbox_state(d->ob, &st) != 0)
		return true;
	if (check_copy(d, m, &st, why, sizeof(why)) != 0) {
		set_diverged(d, why, now_ms);
		return true;
	}
	/* The answer to a keep-alive hello: the batches sent since went out
	 * behind the hello on the same connection and are answered after it
	 * (lost with a consolidator that stopped, the disconnection or the
	 * Ack time-out says so), so the Welcome acknowledges as an Ack would
	 * and leaves them in flight: resent, they would only be skipped as
	 * held. Holding less than it acknowledged, or more than was sent, the
	 * consolidator is not where the node thought: all from its last. */
	keep = d->welcomed && m->last_seq >= d->acked &&
	       m->last_seq <= d->sent_upto;
	if (m->last_seq < st.acked_seq)
		warn_behind(d, m->last_seq, &st);
	if (outbox_record_welcome(d->ob, m->last_seq, !keep, date_now_ms()) !=
	    0)
		log_warnx("event=ack_not_recorded");
	/* The answer to a keep-alive hello has nothing new to say. */
	if (keep)
		log_debug("event=welcome institution=%s "
			  "consolidator_last_seq=%llu",
			  institution_name(d->inst),
			  (unsigned long long)m->last_seq);
	else
		log_info("event=welcome institution=%s "
			 "consolidator_last_seq=%llu outbox_last_seq=%llu",
			 institution_name(d->inst),
			 (unsigned long long)m->last_seq,
			 (unsigned long long)(st.next_seq - 1));
	d->welcomed = true;
	if (keep) {
		note_acked(d, m->last_seq);
	} else {
		drop_queue(d);
		d->acked = m->last_seq;
		d->sent_upto = m->last_seq;
	}
	/* Answered: no hello waits, the next keep-alive is due as usual. */
	d->hello_due_ms = now_ms;
	/* Refusals it acknowledged without saying them; not while an ask
	 * is under way (a second would make the first's answer look stale)
	 * or waits to be made again: deliver_tick asks when due. */
	if (d->refusals_due_ms == 0 || now_ms >= d->refusals_due_ms)
		ask_refusals(d, now_ms);
	return true;
}

bool
deliver_answer_believable(const struct msg *m, uint64_t next_seq, char *why,
			  size_t cap)
{
	size_t i;

	if (m->type == MSG_REFUSAL) {
		if (m->reason != REASON_GAP || !m->has_expected ||
		    m->expected_seq <= next_seq)
			return true;
		snprintf(why, cap,
			 "it expects sequence %llu, this outbox holds up to "
			 "%llu",
			 (unsigned long long)m->expected_seq,
			 (unsigned long long)(next_seq - 1));
		return false;
	}
	if (m->last_seq >= next_seq) {
		snprintf(why, cap,
			 "it acknowledges sequence %llu, this outbox holds up "
			 "to %llu",
			 (unsigned long long)m->last_seq,
			 (unsigned long long)(next_seq - 1));
		return false;
	}
	for (i = 0; i < m->n_rejections; i++) {
		uint64_t seq = m->rejections[i].seq;
		if (seq >= 1 && seq <= m->last_seq)
			continue;
		snprintf(why, cap,
			 "it refuses sequence %llu, outside the 1 to %llu it "
			 "acknowledges",
			 (unsigned long long)seq,
			 (unsigned long long)m->last_seq);
		return false;
	}
	return true;
}

/*
 * Whether m, an Ack or a refusal, can be true of this outbox; if not it
 * is said (within a budget: such a consolidator may answer every batch so)
 * and nothing of it recorded, and a hello asks the consolidator where it
 * stands: its Welcome, checked as every Welcome is, resends from there or
 * finds the copy diverged.
 */
static bool
believed(struct deliver *d, const struct msg *m, uint64_t now_ms,
	 struct outbox_state *st)
{
	char why[128];

	if (outbox_state(d->ob, st) != 0)
		return false; /* nothing recorded now; the batch times out */
	if (deliver_answer_believable(m, st->next_seq, why, sizeof(why)))
		return true;
	log_warnx_budget(&d->answer_log,
			 "event=answer_refused what=%s batch=%llu "
			 "reason=beyond_outbox text=\"%s\" action=hello_again",
			 m->type == MSG_ACK ? "ack" : "refusal",
			 (unsigned long long)m->batch_id, why);
	go_idle(d, now_ms);
	return false;
}

/* Whether batch batch_id is in flight (awaits its Ack). */
static bool
in_flight(const struct deliver *d, uint64_t batch_id)
{
	size_t i;

	for (i = 0; i < d->nq; i++)
		if (d->q[i].batch_id == batch_id)
			return true;
	return false;
}

/*
 * Whether Ack m acknowledges sequences past the outbox's acknowledged
 * acked_seq before its batch's first: those of batches before it whose
 * Acks (and so whose refusals) were lost, the consolidator's queue to
 * this node full. Its batch is one in flight or one dropped from the
 * queue unanswered (an Ack come after its time-out); of one not known
 * at all, where it began is not known, and so neither is whether it
 * does.
 */
static bool
acks_others(const struct deliver *d, const struct msg *m, uint64_t acked_seq)
{
	size_t i;

	if (m->last_seq <= acked_seq)
		return false;
	for (i = 0; i < d->nq; i++)
		if (d->q[i].batch_id == m->batch_id)
			return acked_seq + 1 < d->q[i].first;
	for (i = 0; i < d->ngone; i++)
		if (d->gone[i].batch_id == m->batch_id)
			return acked_seq + 1 < d->gone[i].first;
	return true;
}

/*
 * Returns whether it was taken (may have written the outbox). An Ack of
 * no batch in flight that acknowledges nothing past the outbox's
 * acknowledged sequence is not: nothing waits for it (its refusals, if
 * any, are of sequences a Welcome acknowledged, which the node asks for,
 * ask_refusals), and a consolidator's key may send it without end, each
 * a commit. One that acknowledges others' sequences too is taken as a
 * Welcome first: their refusals are asked for, as after a Welcome.
 */
static bool
on_ack(struct deliver *d, const struct msg *m, uint64_t now_ms)
{
	struct outbox_state st;
	bool others;
	size_t i;
	int r;

	if (!believed(d, m, now_ms, &st))
		return false;
	if (m->last_seq <= st.acked_seq && !in_flight(d, m->batch_id))
		return false;
	others = acks_others(d, m, st.acked_seq);
	r = others ? outbox_record_welcome(d->ob, m->last_seq, false,
					   date_now_ms())
		   : 0;
	if (r == 0)
		r = outbox_record_ack(d->ob, m->last_seq, false, date_now_ms(),
				      m->rejections, m->n_rejections);
	if (r != 0) {
		log_warnx("event=ack_not_recorded error=%s",
			  LOG_Q(strerror(-r)));
		return true;
	}
	/* Dead letters of this batch the consolidator now accepted (it
	 * had dropped them and asked for them again). */
	for (i = 0; i < d->nq; i++)
		if (d->q[i].batch_id == m->batch_id) {
			uint64_t last = d->q[i].last < m->last_seq
					    ? d->q[i].last
					    : m->last_seq;
			r = outbox_revive(d->ob, d->q[i].first, last,
					  m->rejections, m->n_rejections);
			if (r > 0)
				log_info("event=dead_letters_revived count=%d",
					 r);
			break;
		}
	for (i = 0; i < m->n_rejections; i++)
		log_warnx("event=refused seq=%llu reason=%s text=%s",
			  (unsigned long long)m->rejections[i].seq,
			  reason_name(m->rejections[i].reason),
			  LOG_Q(m->rejections[i].text));
	note_acked(d, m->last_seq);
	/* The consolidator stopped short inside a batch: resend from there
	 * (so that no batch is taken the Ack of twice). */
	if (in_flight(d, m->batch_id)) {
		drop_queue(d);
		d->sent_upto = d->acked;
	}
	if (others && d->refusals_asked == 0 &&
	    (d->refusals_due_ms == 0 || now_ms >= d->refusals_due_ms))
		ask_refusals(d, now_ms);
	return true;
}

/* Returns whether it was taken (may have written the outbox). */
static bool
on_refusal(struct deliver *d, const struct msg *m, uint64_t now_ms)
{
	struct outbox_state st;

	if (!believed(d, m, now_ms, &st))
		return false;
	if (m->reason == REASON_GAP && m->has_expected &&
	    m->expected_seq >= 1) {
		drop_queue(d);
		d->sent_upto = m->expected_seq - 1;
		if (d->sent_upto > d->acked)
			d->acked = d->sent_upto;
		return false;
	}
	/* No batch named, while refusals are asked: a store error is the
	 * ask's (a hello's would be, but the hello is sent again anyway). */
	if (m->batch_id == 0 && d->refusals_asked != 0 &&
	    m->reason == REASON_STORE_ERROR) {
		refusals_refused(d, m, now_ms);
		return false;
	}
	const char *why = reason_name(m->reason) ? reason_name(m->reason) : "?";

	/* A sequence of ours held with other bytes: another signer with
	 * this node's key. Not delivered, and said until --recover. */
	if (m->reason == REASON_CONFLICT) {
		log_warnx_budget(&d->refused_log,
				 "event=batch_refused reason=%s batch=%llu "
				 "text=%s",
				 why, (unsigned long long)m->batch_id,
				 LOG_Q(m->text));
		set_diverged(d,
			     m->text[0] != '\0'
				 ? m->text
				 : "a sequence of this outbox is held at the "
				   "consolidator with other bytes",
			     now_ms);
		return true;
	}
	/* The reason first: OPERATIONS.md gives "event=batch_refused
	 * reason=wrong_network" to search the journal for, as it stands. */
	log_warnx_budget(&d->refused_log,
			 "event=batch_refused reason=%s batch=%llu text=%s",
			 why, (unsigned long long)m->batch_id, LOG_Q(m->text));
	snprintf(d->last_refusal, sizeof(d->last_refusal), "%s: %s", why,
		 m->text);
	d->last_refusal_ms = date_now_ms();
	/* The same refusal again and again: wait longer each time. */
	d->backoff_ms =
	    d->backoff_ms == 0 ? HELLO_INTERVAL_MS : d->backoff_ms * 2;
	if (d->backoff_ms > MAX_BACKOFF_MS)
		d->backoff_ms = MAX_BACKOFF_MS;
	if (m->reason == REASON_STORE_FULL &&
	    d->backoff_ms < STORE_FULL_BACKOFF_MS)
		d->backoff_ms = STORE_FULL_BACKOFF_MS;
	go_idle(d, now_ms + d->backoff_ms);
	return false;
}

bool
deliver_message(struct deliver *d, const uint8_t *buf, size_t len,
		uint64_t now_ms)
{
	struct msg m;
	bool taken = false;
	int e;

	e = codec_msg_decode(buf, len, &m);
	if (e == -ENOMEM) {
		/* Not the consolidator's fault, and its answer is lost: a
		 * hello a little later resumes from what it holds. */
		log_warnx("event=out_of_memory what=consolidator_message "
			  "bytes=%zu action=hello_again retry_s=%d",
			  len, NOMEM_RETRY_MS / 1000);
		go_idle(d, now_ms + NOMEM_RETRY_MS);
		return false;
	}
	if (e != 0) {
		log_warnx_budget(
		    &d->refused_log,
		    "event=bad_message_from_consolidator bytes=%zu", len);
		return false;
	}
	switch (m.type) {
	case MSG_WELCOME:
		taken = on_welcome(d, &m, now_ms);
		break;
	case MSG_ACK:
		heard(d, now_ms);
		taken = on_ack(d, &m, now_ms);
		break;
	case MSG_REFUSAL:
		heard(d, now_ms);
		taken = on_refusal(d, &m, now_ms);
		break;
	case MSG_RECOVER_REPLY:
		heard(d, now_ms);
		taken = on_refusals(d, &m, now_ms);
		break;
	default:
		log_warnx("event=unexpected_message_from_consolidator type=%d",
			  (int)m.type);
	}
	codec_msg_clear(&m);
	return taken;
}

size_t
deliver_read(struct deliver *d, uint64_t now_ms)
{
	struct tframes f;
	size_t k, taken = 0;

	for (k = 0; k < DELIVER_DRAIN_MAX && taken < DELIVER_MAX_PER_CALL &&
		    tsock_recv(d->sock, &f, 1, CODEC_MAX_FRAME) == 0;
	     k++) {
		if (deliver_message(d, f.data[0], f.len[0], now_ms))
			taken++;
		tframes_clear(&f);
	}
	return k;
}

/* A new connection: an ask's answer on the old one is lost; the
 * Welcome asks at once. */
static void
forget_ask(struct deliver *d)
{
	d->refusals_asked = 0;
	d->refusals_due_ms = 0;
}

/*
 * A handshake failed without a refusal. A connection cut during it (a
 * busy or restarting consolidator) libzmq dials again by itself, at once:
 * the redial is only in case it does not, and status speaks of the key
 * only once it repeats. HANDSHAKE_FAILURES_SAID in a row are not cuts but
 * a consolidator_key that is not the consolidator's, and libzmq would dial
 * again within 400 ms for ever, each a handshake for the consolidator and
 * a line here: the endpoint is let go until the redial, backing off as
 * after a refusal, but to a minute at most. A good handshake before the
 * redial cancels it.
 */
static void
on_handshake_failed(struct deliver *d, const char *addr, uint64_t now_ms)
{
	int r;

	/* One of the connection libzmq was making as it was let go. */
	if (d->undialled)
		return;
	if (++d->handshake_failures < HANDSHAKE_FAILURES_SAID) {
		if (d->redial_due_ms == 0)
			d->redial_due_ms = now_ms + REDIAL_FIRST_MS;
		log_warnx("event=handshake_failed consolidator=%s "
			  "hint=\"wrong consolidator_key?\" retry_s=0",
			  LOG_Q(addr));
		return;
	}
	d->handshake_failed_ms = date_now_ms();
	schedule_redial(d, now_ms, HANDSHAKE_FAILED_REDIAL_MAX_MS);
	r = tsock_undial(d->sock, d->endpoint);
	if (r == 0)
		d->undialled = true;
	log_warnx("event=handshake_failed consolidator=%s "
		  "hint=\"wrong consolidator_key?\" failures=%u retry_s=%llu",
		  LOG_Q(addr), d->handshake_failures,
		  (unsigned long long)(d->redial_backoff_ms / 1000));
}

/*
 * A TCP connection to the consolidator could not be made; libzmq tries
 * again (every 5 s at most). Said once, when it has lasted
 * UNREACHED_SAY_MS, until a handshake succeeds: otherwise a node started
 * with a wrong host or port, or before a firewall is opened, says nothing
 * in its log, and kuska status only after alarm_silent_s.
 */
static void
on_connect_retried(struct deliver *d, const char *addr, uint64_t now_ms)
{
	if (d->unreached_ms == 0)
		d->unreached_ms = now_ms != 0 ? now_ms : 1;
	if (d->unreached_said || now_ms - d->unreached_ms < UNREACHED_SAY_MS)
		return;
	d->unreached_said = true;
	log_warnx("event=consolidator_unreachable consolidator=%s "
		  "for_s=%llu hint=\"not running, a wrong host or port, or "
		  "a firewall?\" action=retrying",
		  LOG_Q(addr),
		  (unsigned long long)((now_ms - d->unreached_ms) / 1000));
}

void
deliver_event(struct deliver *d, enum tevent ev, const char *addr,
	      uint64_t now_ms)
{
	switch (ev) {
	case TEVENT_HANDSHAKE_OK:
		d->connected = true;
		d->redial_due_ms = 0;
		d->redial_backoff_ms = 0;
		d->handshake_refused_ms = 0;
		d->handshake_failed_ms = 0;
		d->handshake_failures = 0;
		d->unreached_ms = 0;
		d->unreached_said = false;
		log_info("event=connected consolidator=%s", LOG_Q(addr));
		go_idle(d, now_ms); /* hello right away */
		forget_ask(d);
		break;
	case TEVENT_DISCONNECTED:
		if (d->connected)
			log_info("event=disconnected consolidator=%s",
				 LOG_Q(addr));
		d->connected = false;
		go_idle(d, now_ms + HELLO_INTERVAL_MS);
		forget_ask(d);
		break;
	case TEVENT_HANDSHAKE_FAILED_AUTH:
		schedule_redial(d, now_ms, REDIAL_MAX_MS);
		d->handshake_refused_ms = date_now_ms();
		log_warnx("event=handshake_refused consolidator=%s hint=\"is "
			  "this node's transport key in the registry?\" "
			  "retry_s=%llu",
			  LOG_Q(addr),
			  (unsigned long long)(d->redial_backoff_ms / 1000));
		break;
	case TEVENT_HANDSHAKE_FAILED:
		on_handshake_failed(d, addr, now_ms);
		break;
	case TEVENT_CONNECT_RETRIED:
		on_connect_retried(d, addr, now_ms);
		break;
	default:
		break;
	}
}
