/*
 * serve.c - the key holder's network side: who may connect, and the
 * answer to each request; see keyholder.h.
 *
 * Nothing a node sends is trusted: the frame's size is capped before it
 * is read, the request's element count before it is unpacked, and every
 * element is checked to be a group element (libsodium refuses a bad
 * encoding) before anything is answered. A request is evaluated whole or
 * refused whole.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "keyholder.h"
#include "log.h"
#include "oprf.h"
#include "parallel.h"

#define RATE_LOG_EVERY_MS 60000 /* one rate refusal line a minute a node */
#define AUDIT_EVERY_MS 60000	/* one evaluated line a minute a node */
#define MIN_PER_THREAD 16
/*
 * Elements a worker evaluates between two reads of the listening socket
 * (about 45 us each: some 6 ms).
 */
#define EVAL_CHUNK_PER_WORKER 128
/* A refused connection is closed this long after its refusal is sent. */
#define REFUSED_CLOSE_MS 500

/*
 * Why the registry's key k does not admit its node at now_ms, for the
 * log line of a refused handshake: the node is told only the ZAP status
 * (libzmq passes it no text), so the operators learn it from here.
 */
static const char *
key_state(const struct reg_key *k, uint64_t now_ms)
{
	if (k->revoked_after_seq != UINT64_MAX || now_ms >= k->revoked_ms)
		return "revoked";
	if (now_ms >= k->valid_until_ms)
		return "expired";
	if (now_ms < k->valid_from_ms)
		return "not_yet_valid";
	return "valid";
}

int
keyholder_zap(void *arg, const char *domain, const char *address,
	      const uint8_t key[TRANSPORT_KEY_LEN], char *user_id, size_t cap)
{
	struct keyholder *kh = arg;
	const struct reg_key *k, *known;
	const char *name, *why, *bound;
	uint64_t now = date_now_ms();
	unsigned long limit;
	char fp[17];

	k = registry_by_transport(kh->reg, key, now);
	if (k == NULL) {
		kh->handshake_failures++;
		/* A key the registry names has a budget of its own: a flood
		 * of unknown keys must not hide its refusal. */
		name = registry_transport_name(kh->reg, key);
		known =
		    name != NULL ? registry_key_by_name(kh->reg, name) : NULL;
		log_warnx_budget(
		    name != NULL ? &kh->auth_known_log : &kh->auth_log,
		    "event=auth_refused domain=%s address=%s "
		    "transport_key=%s key=%s "
		    "reason=not_registered_or_not_valid state=%s",
		    domain, address, log_hex8(key, fp),
		    name != NULL ? name : "none",
		    known != NULL ? key_state(known, now) : "unlisted");
		return -1;
	}
	if (!k->owner->node) {
		kh->handshake_failures++;
		log_warnx_budget(&kh->auth_known_log,
				 "event=auth_refused domain=%s address=%s "
				 "key=%s owner=%s reason=not_a_node",
				 domain, address, k->name, k->owner->id);
		return -1;
	}
	/* Who speaks, as the consolidator names it: each request is judged
	 * again by this key against the registry in force. */
	registry_user_id(k, user_id, cap);
	/* Only peers that completed a handshake count: idle or half-open
	 * connections are bounded on their own (admit.h). */
	why = admit_refusal(kh->admit, user_id, &bound, &limit);
	if (why != NULL) {
		user_id[0] = '\0';
		kh->handshake_failures++;
		log_warnx_budget(&kh->auth_known_log,
				 "event=auth_refused domain=%s address=%s "
				 "key=%s reason=%s %s=%lu",
				 domain, address, k->name, why, bound, limit);
		/* A good key, refused for now: the node tells it from a
		 * key not registered (ZAP 500, not 400). */
		return -EBUSY;
	}
	log_debug("event=auth_ok address=%s key=%s owner=%s", address, k->name,
		  k->owner->id);
	return 0;
}

/*
 * speaker - the key a request came with (its ZAP user id), if the
 * registry in force still admits it now: a key revoked, expired or
 * removed by a reload stops being served on the connection it opened
 * before. The party's id goes to party (KEYS_ID_MAX bytes), "?" if none.
 */
static const struct reg_key *
speaker(const struct keyholder *kh, const char *user_id, char *party)
{
	struct reg_user who;
	const struct reg_key *k;

	k = registry_by_user_id(kh->reg, user_id, date_now_ms(), &who);
	snprintf(party, KEYS_ID_MAX, "%s", who.party);
	return k != NULL && k->owner->node ? k : NULL;
}

/*
 * The connection of f spoke: it is a peer. Its key's peers over the bound
 * (handshakes done at once all pass the ZAP check) are closed, the oldest
 * first: a node back from a network cut leaves dead ones behind.
 */
static void
peer_spoke(struct keyholder *kh, const struct tframes *f)
{
	struct reg_user who;
	size_t closed;

	closed = admit_message(kh->admit, f->fd, f->user_id, date_mono_ms());
	if (closed == 0)
		return;
	registry_user_name(f->user_id, &who);
	log_warnx_budget(&kh->per_key_log,
			 "event=connections_closed key=%s count=%zu "
			 "reason=too_many_connections_for_key "
			 "max_connections_per_key=%lu",
			 who.key, closed, kh->lim.max_per_key);
}

/* Sends a reply to the peer of routing id f->data[0]. */
static void
reply(struct keyholder *kh, const struct tframes *f, const struct oprf_msg *m)
{
	const void *data[2];
	size_t lens[2];
	uint8_t *buf;
	size_t len;

	if (codec_oprf_reply_encode(m, &buf, &len) != 0) {
		log_warnx("event=reply_not_encoded");
		return;
	}
	data[0] = f->data[0];
	lens[0] = f->len[0];
	data[1] = buf;
	lens[1] = len;
	if (tsock_send(kh->listen, data, lens, 2) != 0)
		log_debug("reply not delivered (node gone)");
	free(buf);
}

static void refuse(struct keyholder *kh, const struct tframes *f,
		   struct account *a, uint64_t request_id, size_t n,
		   enum oprf_status status, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/*
 * Refuses a request whole, counts it against a (as its allowance spent
 * when spent, else as refused for another reason) and answers why: the
 * status, the reason code when there is one, and the text.
 */
static void
vrefuse(struct keyholder *kh, const struct tframes *f, struct account *a,
	uint64_t request_id, size_t n, enum oprf_status status,
	enum oprf_reason reason, bool spent, const char *fmt, va_list ap)
{
	struct oprf_msg m;

	memset(&m, 0, sizeof(m));
	m.request_id = request_id;
	m.status = status;
	m.reason = reason;
	m.epoch = kh->share->epoch;
	/* The node learns the bound in force and asks again, smaller. */
	if (status == OPRF_TOO_LARGE)
		m.max_batch = (uint32_t)kh->cfg.max_batch;
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	kh->requests_refused++;
	if (a != NULL) {
		/* Only a refusal for the rate is kuska status's warning of a
		 * sweep: another (a full disk, a rotation's key epoch) must
		 * not revive an old one. */
		if (spent) {
			a->refused_rate += n;
			a->last_refusal_ms = date_now_ms();
		} else {
			a->refused_other += n;
		}
	}
	reply(kh, f, &m);
}

/* Refuses a request whole: vrefuse, a rate_limited one as spent. */
static void
refuse(struct keyholder *kh, const struct tframes *f, struct account *a,
       uint64_t request_id, size_t n, enum oprf_status status, const char *fmt,
       ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrefuse(kh, f, a, request_id, n, status, OPRF_REASON_NONE,
		status == OPRF_RATE_LIMITED, fmt, ap);
	va_end(ap);
}

static void refuse_over_day(struct keyholder *kh, const struct tframes *f,
			    struct account *a, uint64_t request_id, size_t n,
			    const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * Refuses a request of more elements than rate_per_day: rate_limited,
 * its allowance spent, with the reason code that tells the node no wait
 * answers it (an older node reads the text's "(raise rate_per_day)").
 */
static void
refuse_over_day(struct keyholder *kh, const struct tframes *f,
		struct account *a, uint64_t request_id, size_t n,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrefuse(kh, f, a, request_id, n, OPRF_RATE_LIMITED,
		OPRF_REASON_OVER_DAY, true, fmt, ap);
	va_end(ap);
}

static void refuse_unsaved(struct keyholder *kh, const struct tframes *f,
			   struct account *a, uint64_t request_id, size_t n,
			   const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * Refuses a request whole as rate_limited (the node tries again later)
 * when the accounts could not be written: counted as refused for another
 * reason, not as the node's allowance spent, which kuska status would
 * show as a sweep with a stolen key.
 */
static void
refuse_unsaved(struct keyholder *kh, const struct tframes *f, struct account *a,
	       uint64_t request_id, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrefuse(kh, f, a, request_id, n, OPRF_RATE_LIMITED, OPRF_REASON_NONE,
		false, fmt, ap);
	va_end(ap);
}

struct eval_job {
	const uint8_t *key, *in;
	uint8_t *out;
	uint8_t *failed;
};

static void
eval_range(void *arg, size_t from, size_t to)
{
	struct eval_job *j = arg;
	size_t i;

	for (i = from; i < to; i++)
		j->failed[i] =
		    oprf_evaluate(j->key, j->in + 32 * i, j->out + 32 * i) != 0;
}

/*
 * Keeps the result r of a write of the accounts (0 or -errno) for kuska
 * status: the time and reason of a failure, until a write succeeds.
 */
static void
accounts_written(struct keyholder *kh, int r)
{
	if (r == 0) {
		kh->accounts_failed_ms = 0;
		return;
	}
	kh->accounts_failed_ms = date_now_ms();
	kh->accounts_error = r;
}

/*
 * Writes the accounts with a line of a's rate refusals (event=rate_limited
 * or its held-back count, event=rate_limited_unlogged), as often as the
 * line: a restart, which the node's key can force, must not hide them
 * from kuska status (a request refused writes nothing, or a flood of them
 * would be a flood of writes).
 */
static void
save_refusals(struct keyholder *kh, struct account *a, uint64_t mono)
{
	int r;

	if (kh->cfg.accounts[0] == '\0')
		return;
	/* Its failure in kuska status too: a refusal not kept is one a
	 * restart hides. */
	r = account_save(&kh->acc, kh->cfg.accounts, kh->cfg.rate_per_day, mono,
			 date_now_ms(), NULL);
	accounts_written(kh, r);
	if (r != 0)
		log_warnx_budget(&kh->save_log,
				 "event=accounts_not_saved node=%s path=%s "
				 "error=%s (a refusal not kept)",
				 a->id, LOG_Q(kh->cfg.accounts), strerror(-r));
}

/*
 * Logs a rate refusal: the first, then at most one line a minute, and
 * writes the accounts with it. Those held back are said by the next
 * line, or by keyholder_rate_flush once the minute is over.
 */
static void
log_rate(struct keyholder *kh, struct account *a, size_t n, uint64_t mono)
{
	a->unlogged++;
	if (a->logged_ms != 0 && mono - a->logged_ms < RATE_LOG_EVERY_MS)
		return;
	log_warnx(
	    "event=rate_limited node=%s elements=%zu allowance=%llu "
	    "rate_per_day=%lu refused_requests=%llu refused_elements="
	    "%llu (a sweep, or a volume the rate does not allow: see "
	    "kuska status)",
	    a->id, n,
	    (unsigned long long)account_left(a, kh->cfg.rate_per_day, mono),
	    kh->cfg.rate_per_day, (unsigned long long)a->unlogged,
	    (unsigned long long)a->refused_rate);
	a->unlogged = 0;
	a->logged_ms = mono;
	save_refusals(kh, a, mono);
}

void
keyholder_rate_flush(struct keyholder *kh, uint64_t mono, bool all)
{
	size_t i;

	for (i = 0; i < kh->acc.n; i++) {
		struct account *a = &kh->acc.a[i];

		if (a->unlogged == 0 ||
		    (!all && mono - a->logged_ms < RATE_LOG_EVERY_MS))
			continue;
		log_warnx("event=rate_limited_unlogged node=%s allowance=%llu "
			  "rate_per_day=%lu refused_requests=%llu "
			  "refused_elements=%llu (refused for the rate since "
			  "its last event=rate_limited line: see kuska "
			  "status)",
			  a->id,
			  (unsigned long long)account_left(
			      a, kh->cfg.rate_per_day, mono),
			  kh->cfg.rate_per_day, (unsigned long long)a->unlogged,
			  (unsigned long long)a->refused_rate);
		a->unlogged = 0;
		a->logged_ms = mono;
		/* At stop, the stop's own write keeps them. */
		if (!all)
			save_refusals(kh, a, mono);
	}
}

/* Writes a's evaluated line for what is pending, and starts again. */
static void
audit_line(struct keyholder *kh, struct account *a, uint64_t mono)
{
	char keys[ACCOUNT_AUDIT_KEYS * KEYS_ID_MAX + 24];

	account_audit_keys(a, keys, sizeof(keys));
	log_info(
	    "event=evaluated node=%s requests=%llu elements=%llu "
	    "evaluations=%llu allowance=%llu key=%s",
	    a->id, (unsigned long long)a->audit_requests,
	    (unsigned long long)a->audit_elements,
	    (unsigned long long)a->evaluations,
	    (unsigned long long)account_left(a, kh->cfg.rate_per_day, mono),
	    keys);
	a->audit_requests = 0;
	a->audit_elements = 0;
	a->audit_ms = mono;
}

/*
 * The audit trail of a node's evaluations: its first request after a
 * quiet minute gets a line at once, later ones are summed into at most
 * one line a minute (keyholder_audit_flush writes what is left). A node
 * asks in few large requests; a thief with its key, however it spreads
 * its guesses, leaves its volume and its times in the log. The line
 * names the keys used (key=, one a line unless two were in use within
 * the minute), so that a key swap shows, and not a line a request.
 */
static void
audit(struct keyholder *kh, struct account *a, const char *key, size_t n,
      uint64_t mono)
{
	a->audit_requests++;
	a->audit_elements += n;
	account_audit_key(a, key);
	if (a->audit_ms == 0 || mono - a->audit_ms >= AUDIT_EVERY_MS)
		audit_line(kh, a, mono);
}

void
keyholder_audit_flush(struct keyholder *kh, uint64_t mono, bool all)
{
	size_t i;

	for (i = 0; i < kh->acc.n; i++) {
		struct account *a = &kh->acc.a[i];

		if (a->audit_requests > 0 &&
		    (all || mono - a->audit_ms >= AUDIT_EVERY_MS))
			audit_line(kh, a, mono);
	}
}

/*
 * Has the accounts file, if the config keeps one, charge the n elements
 * taken from a before they are evaluated (account_charge): a reserve an
 * earlier write charged, or a write now. Returns whether the request may
 * go on: not when the file could not be written (the n are given back).
 * A file written whose directory could not be synced charges them: the
 * request goes on, and the warning says a power cut may give them back.
 */
static bool
saved(struct keyholder *kh, struct account *a, size_t n, uint64_t mono)
{
	int r, unsynced = 0;

	if (kh->cfg.accounts[0] == '\0')
		return true;
	r = account_charge(&kh->acc, a, n, kh->cfg.accounts,
			   kh->cfg.rate_per_day, mono, date_now_ms(),
			   &unsynced);
	/* Nothing written: says nothing of whether the file can be. */
	if (r == 1)
		return true;
	if (r == 0 && unsynced != 0)
		log_warnx_budget(&kh->save_log,
				 "event=accounts_not_synced node=%s path=%s "
				 "error=%s (written, but its directory could "
				 "not be synced: a power cut may give back "
				 "what it charges)",
				 a->id, LOG_Q(kh->cfg.accounts),
				 strerror(-unsynced));
	accounts_written(kh, r);
	if (r == 0)
		return true;
	kh->accounts_refused++;
	log_warnx_budget(&kh->save_log,
			 "event=accounts_not_saved node=%s path=%s error=%s "
			 "(requests refused until it can be written)",
			 a->id, LOG_Q(kh->cfg.accounts), strerror(-r));
	return false;
}

/*
 * Answers a hello (a request with no elements) OK with none and the
 * max_batch in force: the node sent it on connecting, so that its
 * connection counts as a peer (the message did that already) and is not
 * closed as an idle stranger, and it sizes its requests by the answer. It
 * costs the node nothing and is not a request: not counted, not logged.
 */
static void
hello(struct keyholder *kh, const struct tframes *f, const struct oprf_msg *m)
{
	static const uint8_t none[1]; /* no NULL to the packer's memcpy */
	struct oprf_msg rep;

	memset(&rep, 0, sizeof(rep));
	rep.request_id = m->request_id;
	rep.status = OPRF_OK;
	rep.epoch = kh->share->epoch;
	rep.elements = none;
	rep.max_batch = (uint32_t)kh->cfg.max_batch;
	reply(kh, f, &rep);
}

/*
 * Refuses request id of f, of party, whose key the registry in force no
 * longer admits now (speaker): counted, logged within a budget, answered
 * not_authorized; then, told why, its connection is closed shortly, if
 * descriptor f->fd still holds connection conn_id (admit_id) by then.
 */
static void
refuse_key(struct keyholder *kh, const struct tframes *f, uint64_t id,
	   const char *party, uint64_t conn_id)
{
	struct oprf_msg rep;

	kh->requests_refused++;
	log_warnx_budget(&kh->invalid_log,
			 "event=request_refused node=%s "
			 "reason=key_not_valid (revoked, expired or "
			 "gone from the registry)",
			 party);
	memset(&rep, 0, sizeof(rep));
	rep.request_id = id;
	rep.status = OPRF_NOT_AUTHORIZED;
	rep.epoch = kh->share->epoch;
	snprintf(rep.text, sizeof(rep.text),
		 "this node's key is not valid in the key holder's registry");
	reply(kh, f, &rep);
	admit_drop_later(kh->admit, f->fd, conn_id,
			 date_mono_ms() + REFUSED_CLOSE_MS);
}

/*
 * The account of the node that sent f, request id, of parts frames (the
 * routing id and the request; the routing id alone of one refused unread).
 * NULL when f is no request of an admitted node (counted in
 * frames_refused), or its key is no longer valid: then it is refused
 * not_authorized, and its connection closed soon after.
 */
static struct account *
sender(struct keyholder *kh, const struct tframes *f, size_t parts, uint64_t id)
{
	struct account *a;
	char party[KEYS_ID_MAX];

	if (f->user_id[0] != '\0')
		peer_spoke(kh, f);
	if (f->n != parts || f->user_id[0] == '\0') {
		kh->frames_refused++;
		return NULL;
	}
	if (speaker(kh, f->user_id, party) == NULL) {
		/* Sent just now, as f was read: f->fd holds its connection
		 * still. */
		refuse_key(kh, f, id, party, admit_id(kh->admit, f->fd));
		return NULL;
	}
	a = account_of(&kh->acc, party, kh->cfg.rate_per_day, date_mono_ms());
	if (a == NULL)
		kh->frames_refused++;
	return a;
}

_Static_assert(TFRAMES_HEAD_LEN >= CODEC_OPRF_ID_HEAD_LEN,
	       "a refused request's head holds its id");

void
keyholder_refuse_large(struct keyholder *kh, const struct tframes *f)
{
	uint64_t id = codec_oprf_request_id_head(f->head, f->head_len);
	struct account *a = sender(kh, f, 1, id);

	if (a == NULL)
		return;
	a->requests++;
	a->last_request_ms = date_now_ms();
	log_warnx_budget(&a->refused_log,
			 "event=request_refused node=%s reason=too_large "
			 "max_batch=%lu (dropped unread)",
			 a->id, kh->cfg.max_batch);
	refuse(kh, f, a, id, 0, OPRF_TOO_LARGE,
	       "more than %lu elements in one request, or more than one "
	       "frame",
	       kh->cfg.max_batch);
}

struct account *
keyholder_sender(struct keyholder *kh, const struct tframes *f)
{
	return sender(kh, f, 2,
		      f->n == 2 ? codec_oprf_request_id(f->data[1], f->len[1])
				: 0);
}

void
keyholder_refuse_busy(struct keyholder *kh, const struct tframes *f,
		      size_t waiting)
{
	struct oprf_msg m;

	memset(&m, 0, sizeof(m));
	m.request_id = codec_oprf_request_id(f->data[1], f->len[1]);
	/* The node takes it as it takes its allowance spent: its round
	 * fails, "try again later". */
	m.status = OPRF_RATE_LIMITED;
	m.epoch = kh->share->epoch;
	snprintf(m.text, sizeof(m.text),
		 "the key holder is busy: %zu requests of this node wait; try "
		 "again later",
		 waiting);
	kh->requests_busy++;
	reply(kh, f, &m);
}

/*
 * Evaluates the n elements of job in chunks, reading the listening socket
 * (keyholder_intake) and answering the control socket
 * (keyholder_control_serve) between two, no worker running then: a
 * request of max_batch elements takes a second or more, what a flooder
 * sends meanwhile waits in libzmq (docs/SECURITY.md, "Hostile peers"),
 * and kuska status and the watchdog would wait as long.
 */
static void
evaluate(struct keyholder *kh, const struct eval_job *job, size_t n)
{
	size_t workers = kh->workers > 0 ? kh->workers : 1;
	size_t chunk = EVAL_CHUNK_PER_WORKER * workers, from;

	for (from = 0; from < n; from += chunk) {
		struct eval_job part = *job;
		size_t k = n - from < chunk ? n - from : chunk;

		part.in += 32 * from;
		part.out += 32 * from;
		part.failed += from;
		parallel_for(k, kh->workers, MIN_PER_THREAD, eval_range, &part);
		if (from + k < n) {
			keyholder_intake(kh);
			keyholder_control_serve(kh);
		}
	}
}

void
keyholder_evaluate(struct keyholder *kh, struct account *a,
		   const struct tframes *f)
{
	struct eval_job job;
	struct oprf_msg req, rep;
	uint64_t mono = date_mono_ms();
	struct reg_user who;
	char party[KEYS_ID_MAX];
	size_t i;
	int r;

	/* Judged as it was read; a reload since, or a revocation's time
	 * passed while it waited, may have made its key invalid: refused as
	 * it would be read now, its connection closed if still the one it
	 * came on (f->conn_id, set as it was read). */
	if (speaker(kh, f->user_id, party) == NULL) {
		refuse_key(kh, f, codec_oprf_request_id(f->data[1], f->len[1]),
			   party, f->conn_id);
		return;
	}
	r = codec_oprf_request_decode(f->data[1], f->len[1], kh->cfg.max_batch,
				      &req);
	if (r == -ENODATA) {
		hello(kh, f, &req);
		return;
	}
	a->requests++;
	a->last_request_ms = date_now_ms();
	if (r == -EMSGSIZE) {
		log_warnx_budget(&a->refused_log,
				 "event=request_refused node=%s "
				 "reason=too_large bytes=%zu max_batch=%lu",
				 a->id, f->len[1], kh->cfg.max_batch);
		refuse(kh, f, a, codec_oprf_request_id(f->data[1], f->len[1]),
		       0, OPRF_TOO_LARGE,
		       "more than %lu elements in one request",
		       kh->cfg.max_batch);
		return;
	}
	if (r != 0) {
		log_warnx_budget(&a->refused_log,
				 "event=request_refused node=%s "
				 "reason=bad_request bytes=%zu",
				 a->id, f->len[1]);
		refuse(kh, f, a, codec_oprf_request_id(f->data[1], f->len[1]),
		       0, OPRF_BAD_REQUEST, "undecodable request");
		return;
	}
	if (req.epoch != kh->share->epoch) {
		log_warnx_budget(&a->refused_log,
				 "event=request_refused node=%s "
				 "reason=wrong_epoch node_epoch=%u epoch=%u",
				 a->id, (unsigned)req.epoch,
				 (unsigned)kh->share->epoch);
		refuse(kh, f, a, req.request_id, req.n, OPRF_WRONG_EPOCH,
		       "this key holder works in key epoch %u",
		       (unsigned)kh->share->epoch);
		goto out;
	}
	if (!account_take(a, kh->cfg.rate_per_day, req.n, mono)) {
		if (req.n > kh->cfg.rate_per_day)
			/* No wait refills more than a day's worth: "try
			 * again later" would have the officer try for
			 * ever. The text as before, for older nodes. */
			refuse_over_day(kh, f, a, req.request_id, req.n,
					"rate limit: %lu evaluations a day for "
					"each node, %zu asked at once: never "
					"answered at this rate (raise "
					"rate_per_day)",
					kh->cfg.rate_per_day, req.n);
		else
			refuse(kh, f, a, req.request_id, req.n,
			       OPRF_RATE_LIMITED,
			       "rate limit: %lu evaluations a day for each "
			       "node, %llu left now, %zu asked; try again "
			       "later",
			       kh->cfg.rate_per_day,
			       (unsigned long long)account_left(
				   a, kh->cfg.rate_per_day, mono),
			       req.n);
		/* After the refusal, so that the line's count of refused
		 * elements includes this request's. */
		log_rate(kh, a, req.n, mono);
		goto out;
	}
	if (!saved(kh, a, req.n, mono)) {
		refuse_unsaved(kh, f, a, req.request_id, req.n,
			       "the key holder cannot record this node's "
			       "allowance (its accounts file: %s); try again "
			       "later",
			       strerror(-kh->accounts_error));
		goto out;
	}
	memset(&job, 0, sizeof(job));
	job.key = kh->share->key;
	job.in = req.elements;
	job.out = malloc(req.n * 32);
	job.failed = calloc(req.n, 1);
	if (job.out == NULL || job.failed == NULL) {
		refuse(kh, f, a, req.request_id, req.n, OPRF_TOO_LARGE,
		       "out of memory");
		goto done;
	}
	evaluate(kh, &job, req.n);
	for (i = 0; i < req.n; i++)
		if (job.failed[i])
			break;
	if (i < req.n) {
		log_warnx_budget(&a->refused_log,
				 "event=request_refused node=%s "
				 "reason=bad_element index=%zu elements=%zu",
				 a->id, i, req.n);
		refuse(kh, f, a, req.request_id, req.n, OPRF_BAD_REQUEST,
		       "element %zu is not a valid group element", i);
		goto done;
	}
	a->evaluations += req.n;
	/* The key it was asked with (one of the node's, registry_user_name
	 * as for its other lines), so that a key replaced shows. */
	(void)registry_user_name(f->user_id, &who);
	audit(kh, a, who.key, req.n, mono);
	memset(&rep, 0, sizeof(rep));
	rep.request_id = req.request_id;
	rep.status = OPRF_OK;
	rep.epoch = kh->share->epoch;
	rep.n = req.n;
	rep.elements = job.out;
	reply(kh, f, &rep);
done:
	free(job.out);
	free(job.failed);
out:
	codec_oprf_clear(&req);
}
