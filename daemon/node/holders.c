/* holders.c - the node's side of the key holders; see holders.h. */
#include "holders.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "config.h"
#include "date.h"
#include "flood.h"
#include "log.h"
#include "oprf.h"

/* How long a send waits for a connection that is coming up. */
/*
 * Longer than the longest wait between two attempts to reconnect, so that
 * a key holder back up is found before the node says it is unreachable.
 */
#define CONNECT_GRACE_MS (TSOCK_RECONNECT_MAX_MS + 1000)
#define POLL_STEP_MS 50
/*
 * Handshakes failed (not refused) in a row before the holder is let go
 * until the next request: libzmq would dial it again within 400 ms for
 * ever (lib/transport.h), a handshake each for the holder.
 */
#define HANDSHAKE_FAILURES_LET_GO 3
/*
 * The most of a key holder's address a reason shows ("..." included):
 * the reply to kuska submit keeps 190 characters of a reason, and the
 * longest with advice after the address (a refused key's, KEY_REFUSED)
 * has 122 of its own. The journal's lines keep the whole address.
 */
#define SHOWN_MAX 56
#define SHOWN_TAIL 16 /* of it, the address's end (its port) */

/*
 * A key holder's ZAP 400: its registry does not admit this node's key.
 * libzmq passes the node the status alone, never the holder's text, and
 * the node's key files hold no valid_until: each cause is said with its
 * remedy (a key restored from a backup older than a rotation is past
 * its valid_until, OPERATIONS.md section 7, and needs a new one too).
 */
#define KEY_REFUSED                                                            \
	"refused this node's key: unlisted or not yet valid (its operator "    \
	"adds it), revoked or expired (a new key: OPERATIONS.md 6)"
/*
 * The same from a holder that admitted the key before (since this node
 * started): revoked or expired since, or a key holder before 0.4.0 at
 * its connection limit, which it refused with 400 as well (500 now).
 */
#define KEY_REFUSED_ADMITTED                                                   \
	"refused this node's key, admitted before: revoked or expired (a "     \
	"new key) or at its connection limit (if before 0.4.0)"

struct holder {
	char endpoint[SETTINGS_PATH_MAX];
	char shown[SHOWN_MAX + 1]; /* endpoint as reasons show it */
	/* Replaced in place (the same structs) after a flood: the node's
	 * loop and holders_recv poll them. */
	struct tsock *s, *mon;
	uint8_t server_pk[CURVE_KEY_LEN]; /* the holder's, to dial anew */
	bool auth_failed; /* the last handshake was refused */
	/* ...for now: the holder at a connection bound (ZAP 500), not
	 * this node's key unknown to it or not valid (400) */
	bool auth_busy;
	unsigned failures; /* handshakes failed (not refused) in a row */
	bool undialled;	   /* let go after them, until the next request */
	int redial_err;	  /* -errno of the last redial, which failed */
	/* That redial was a flood's new socket: the flooded connection,
	 * still on h->s, is sent nothing until a new one is made. */
	bool reopen;
	struct log_budget redial_log;
	struct log_budget batch_log; /* event=keyholder_max_batch */
	/* Replies read since one taken, the connections dropped for
	 * HOLDERS_FLOOD_MAX of them, event=keyholder_flood's budget. */
	struct flood_guard flood;
	size_t owed;	    /* requests sent on this connection, not answered */
	bool dropped;	    /* disconnected since the request went out */
	bool greet;	    /* connected, and no hello sent yet */
	bool hello_out;	    /* a hello sent, its answer not read yet */
	uint32_t max_batch; /* elements it takes in one request, as it said
			     * last (hello, too_large); 0: not said */
	bool heard;	    /* it answered a hello: with max_batch 0 older
			     * than this node (which refuses the hello) */
	/* The connection as the monitor told it: up since a handshake
	 * that succeeded, down since down_ms (wall clock; the node's
	 * start when it never was up). */
	bool up, ever_up;
	uint64_t down_ms;
	size_t pieces_got;  /* of the round in flight, answered */
};

/*
 * The holders' sockets: ZMQ_RCVHWM lifted, as libzmq 4.3.4 aborts when a
 * connection it stopped reading at 1,000 ends with a heartbeat due, and a
 * hostile holder could fill 1,000 between two passes of the node's loop.
 * The loop wakes on these sockets and drain reads them.
 */
static const struct tsock_limits limits = {.max_frame = CODEC_MAX_FRAME,
					   .rcv_unbounded = true};

_Static_assert(SETTINGS_MAX_KEYHOLDERS <= 8,
	       "a piece's answers are told by a byte's bits");

struct holders {
	struct holder h[SETTINGS_MAX_KEYHOLDERS];
	size_t n;
	uint64_t timeout_ms;
	uint64_t next_id;
	uint64_t base_id;     /* next_id at the start: ids sent are past it */
	uint64_t deadline_ms; /* of the round in flight */
	/* The round in flight: n_elems elements in pieces of per_piece (the
	 * last shorter), one request each, of ids first_id onwards. */
	uint64_t first_id;
	size_t n_elems, per_piece, pieces;
	uint8_t *answered; /* per piece, bit i: holder i answered it */
	/* While waiting: also wake for this socket, and call serve. */
	struct tsock *also;
	int (*serve)(void *arg);
	void *serve_arg;
	/* What a new socket after a flood is made with: the node's
	 * transport and key (the caller's, outliving the set). */
	struct transport *t;
	const struct secret_key *key;
};

void
holders_set_serve(struct holders *h, struct tsock *also,
		  int (*serve)(void *arg), void *arg)
{
	h->also = also;
	h->serve = serve;
	h->serve_arg = arg;
}

/* The config key of key holder i (0 on): keyholder, keyholder2, ...,
 * with suffix ("" or "_key"). */
static void
holder_key_name(size_t i, const char *suffix, char *out, size_t cap)
{
	if (i == 0)
		snprintf(out, cap, "keyholder%s", suffix);
	else
		snprintf(out, cap, "keyholder%zu%s", i + 1, suffix);
}

/*
 * Writes endpoint into shown (SHOWN_MAX + 1 bytes): whole if it fits,
 * else its start and its last SHOWN_TAIL characters around "...", so
 * that both the host and the port show.
 */
static void
shorten(const char *endpoint, char *shown)
{
	size_t len = strlen(endpoint), head = SHOWN_MAX - 3 - SHOWN_TAIL;

	if (len <= SHOWN_MAX) {
		memcpy(shown, endpoint, len + 1);
		return;
	}
	memcpy(shown, endpoint, head);
	memcpy(shown + head, "...", 3);
	memcpy(shown + head + 3, endpoint + len - SHOWN_TAIL, SHOWN_TAIL + 1);
}

struct holders *
holders_new(struct transport *t, const struct node_config *cfg,
	    const char *conf_path, const struct secret_key *key, char *err,
	    size_t errlen)
{
	struct holders *hs = calloc(1, sizeof(*hs));
	char name[24], why[512];
	size_t i;
	int e;

	if (hs == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	hs->timeout_ms = cfg->keyholder_timeout_s * 1000;
	hs->t = t;
	hs->key = key;
	hs->next_id = keys_random64();
	hs->base_id = hs->next_id;
	for (i = 0; i < SETTINGS_MAX_KEYHOLDERS; i++) {
		struct holder *h = &hs->h[hs->n];
		struct public_key pub;
		if (cfg->keyholder[i][0] == '\0' &&
		    cfg->keyholder_key[i][0] == '\0')
			continue;
		holder_key_name(i, "", name, sizeof(name));
		if (cfg->keyholder[i][0] == '\0' ||
		    cfg->keyholder_key[i][0] == '\0') {
			snprintf(err, errlen,
				 "%s: %s and %s_key go together: give both or "
				 "neither",
				 conf_path, name, name);
			goto fail;
		}
		/* Read again since the start's check: it may have gone or
		 * changed since, and the error names the config's line. */
		if (keys_load_public(cfg->keyholder_key[i], &pub, why,
				     sizeof(why)) != 0) {
			holder_key_name(i, "_key", name, sizeof(name));
			config_key_error(conf_path, "node", name, why, err,
					 errlen);
			goto fail;
		}
		snprintf(h->endpoint, sizeof(h->endpoint), "%s",
			 cfg->keyholder[i]);
		shorten(h->endpoint, h->shown);
		h->down_ms = date_now_ms();
		flood_guard_init(&h->flood, HOLDERS_FLOOD_MAX);
		memcpy(h->server_pk, pub.curve_pk, sizeof(h->server_pk));
		h->s = tsock_connect_curve(t, h->endpoint, key->curve_pk,
					   key->curve_sk, pub.curve_pk, &limits,
					   &h->mon, &e);
		hs->n++;
		if (h->s == NULL) {
			snprintf(why, sizeof(why), "%.300s: cannot connect: %s",
				 h->endpoint, strerror(-e));
			config_key_error(conf_path, "node", name, why, err,
					 errlen);
			goto fail;
		}
	}
	return hs;
fail:
	holders_free(&hs);
	return NULL;
}

void
holders_free(struct holders **ph)
{
	size_t i;

	if (ph == NULL || *ph == NULL)
		return;
	for (i = 0; i < (*ph)->n; i++) {
		/* Each socket before its monitor, as libzmq's tests. */
		tsock_free(&(*ph)->h[i].s);
		tsock_free(&(*ph)->h[i].mon);
	}
	free((*ph)->answered);
	free(*ph);
	*ph = NULL;
}

size_t
holders_count(const struct holders *h)
{
	return h->n;
}

struct tsock *
holders_socket(const struct holders *h, size_t i)
{
	return h->h[i].s;
}

static void
went_down(struct holder *h)
{
	/* What was sent on it is answered on it or never. */
	h->owed = 0;
	if (h->up)
		h->down_ms = date_now_ms();
	h->up = false;
}

uint64_t
holders_floods(const struct holders *hs)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < hs->n; i++)
		n += hs->h[i].flood.cuts;
	return n;
}

size_t
holders_unreached(const struct holders *hs, char *why, size_t whylen,
		  uint64_t *since_ms)
{
	size_t i, n = 0;

	why[0] = '\0';
	*since_ms = 0;
	for (i = 0; i < hs->n; i++) {
		const struct holder *h = &hs->h[i];
		if (h->up)
			continue;
		if (n++ > 0)
			continue;
		*since_ms = h->down_ms;
		snprintf(why, whylen, "key holder %s %s", h->shown,
			 h->auth_failed && h->auth_busy
			     ? "turned this node away at its connection "
			       "limit (max_connections, "
			       "max_connections_per_key)"
			 : h->auth_failed && h->ever_up ? KEY_REFUSED_ADMITTED
			 : h->auth_failed		? KEY_REFUSED
			 : h->failures >= HANDSHAKE_FAILURES_LET_GO
			     ? "not reached: the handshake failed (is "
			       "keyholder_key its public key?)"
			 : h->ever_up ? "not connected (connection lost)"
				      : "not reached (wrong host or port, "
					"or not running?)");
	}
	return n;
}

/*
 * Stops libzmq dialling h after handshakes failed in a row, until the
 * next request dials it again (send_one).
 */
static void
let_go(struct holder *h)
{
	if (tsock_undial(h->s, h->endpoint) == 0)
		h->undialled = true;
	log_warnx_budget(&h->redial_log,
			 "event=handshake_failed keyholder=%s "
			 "hint=\"wrong keyholder_key?\" failures=%u "
			 "retry=next_request",
			 LOG_Q(h->endpoint), h->failures);
}

/* Reads what the holder's connection did since last time. */
static void
pump(struct holder *h)
{
	struct tmon_event e;

	while (tsock_monitor_next(h->mon, &e) == 0) {
		switch (e.ev) {
		case TEVENT_HANDSHAKE_OK:
			h->auth_failed = false;
			h->auth_busy = false;
			h->failures = 0;
			h->greet = true;
			h->up = h->ever_up = true;
			break;
		case TEVENT_HANDSHAKE_FAILED_AUTH:
			h->auth_failed = true;
			/* A key holder of an earlier kuska says 400 for
			 * its bounds too. */
			h->auth_busy = e.status == 500;
			went_down(h);
			break;
		case TEVENT_DISCONNECTED:
			h->dropped = true;
			went_down(h);
			break;
		case TEVENT_HANDSHAKE_FAILED:
			went_down(h);
			if (!h->undialled &&
			    ++h->failures >= HANDSHAKE_FAILURES_LET_GO)
				let_go(h);
			break;
		default:
			break;
		}
	}
}

/*
 * Keeps the max_batch h told, logging a change within h's budget: a
 * holder can tell one in every reply it sends. Returns false, keeping
 * none, for one below SETTINGS_MIN_MAX_BATCH: the least bound told sizes
 * the requests to every holder.
 */
static bool
note_max_batch(struct holder *h, uint32_t max_batch)
{
	if (max_batch != 0 && max_batch < SETTINGS_MIN_MAX_BATCH) {
		log_warnx_budget(&h->batch_log,
				 "event=keyholder_max_batch keyholder=%s "
				 "max_batch=%u refused=below_%d",
				 LOG_Q(h->endpoint), (unsigned)max_batch,
				 SETTINGS_MIN_MAX_BATCH);
		return false;
	}
	if (max_batch != 0 && max_batch != h->max_batch) {
		log_info_budget(&h->batch_log,
				"event=keyholder_max_batch keyholder=%s "
				"max_batch=%u",
				LOG_Q(h->endpoint), (unsigned)max_batch);
		h->max_batch = max_batch;
	}
	return true;
}

/*
 * Reads one reply of h waiting into m (cleared by the caller), noting
 * the max_batch told in the answer to the hello the node sent (the first
 * reply of id 0 since; any other reply's is taken only from a too_large
 * refusal of the round in flight), and whether it was that answer in
 * *hello. Returns 0, -EAGAIN (nothing read) or -EBADMSG (unreadable,
 * dropped).
 */
static int
read_reply(struct holder *h, struct oprf_msg *m, bool *hello)
{
	struct tframes f;
	int r;

	*hello = false;
	if (tsock_recv(h->s, &f, 1, CODEC_MAX_FRAME) != 0)
		return -EAGAIN;
	r = codec_oprf_reply_decode(f.data[0], f.len[0], m);
	tframes_clear(&f);
	/* Only the hello's answer: a holder sending id 0 unasked would move
	 * every node's bound at will. The callers drop the others. */
	if (r == 0 && m->request_id == 0 && h->hello_out) {
		h->hello_out = false;
		h->heard = true;
		*hello = true;
		if (m->status == OPRF_OK)
			(void)note_max_batch(h, m->max_batch);
	}
	return r;
}

/*
 * Replaces h's socket and monitor by new ones dialling it (the same
 * structs), the old closed with their connection: after a flood, whose
 * connection is not to be redialled on its socket (flooded). Failed (the
 * node out of descriptors), it is said, and tried again at the next
 * request (send_one), which meanwhile sends nothing on the flooded one.
 */
static void
reopen(struct holders *hs, struct holder *h)
{
	h->redial_err = tsock_reopen_curve(hs->t, h->s, h->mon, h->endpoint,
					   hs->key->curve_pk, hs->key->curve_sk,
					   h->server_pk, &limits);
	h->reopen = h->redial_err != 0;
	if (h->reopen)
		log_warnx_budget(&h->redial_log,
				 "event=redial_failed keyholder=%s error=%s "
				 "socket=new retry=next_request",
				 LOG_Q(h->endpoint),
				 LOG_Q(strerror(-h->redial_err)));
}

/*
 * Counts a reply of h read, taken or not: HOLDERS_FLOOD_MAX in a row not
 * taken drop the connection, and what libzmq holds of it (the requests
 * sent and not answered too), and dial again: a new socket (and monitor)
 * in place of the old, closed with its connection ended by libzmq's
 * reaper thread, as the consolidator's (deliver_conn.c, deliver_reopen:
 * zmq_disconnect then zmq_connect on the same socket aborted libzmq 4.3.4
 * under ASan).
 * The old monitor closed, no late disconnection of the old connection is
 * told. Returns whether it did.
 */
static bool
flooded(struct holders *hs, struct holder *h, bool taken)
{
	if (!flood_guard_note(&h->flood, taken))
		return false;
	/* Down until the new connection's handshake, hello again then. */
	h->greet = false;
	h->hello_out = false;
	h->dropped = true;
	went_down(h);
	h->undialled = false;
	log_warnx_budget(&h->flood.log,
			 "event=keyholder_flood keyholder=%s untaken=%d "
			 "action=redial",
			 LOG_Q(h->endpoint), HOLDERS_FLOOD_MAX);
	reopen(hs, h);
	return true;
}

/*
 * Whether m answers a request this node sent h on this connection and h
 * has not answered yet (an answer come after its round ended: a time-out,
 * another holder's refusal), using one up: such late answers are not
 * counted toward HOLDERS_FLOOD_MAX, so that a genuine holder answering
 * the rounds of a run of failed submissions is never taken for a flood;
 * a hostile one gains at most as many replies as it was sent requests.
 */
static bool
owed_answer(const struct holders *hs, struct holder *h,
	    const struct oprf_msg *m)
{
	/* Ids wrap around: those sent are base_id + 1 to next_id. */
	if (h->owed == 0 ||
	    m->request_id - hs->base_id - 1 >= hs->next_id - hs->base_id)
		return false;
	h->owed--;
	return true;
}

/*
 * Reads one reply of holder i into m. With piece (a round awaits the
 * holder's answers), an answer to a piece of the round in flight it has
 * not answered yet is kept in m, its index in *piece: returns 1. Any
 * other reply is dropped: a hello's answer (the max_batch it tells kept),
 * a late answer owed (owed_answer), an unreadable frame, anything else;
 * all but the late answers are counted toward HOLDERS_FLOOD_MAX, which
 * drops the connection (flooded): returns -EHOSTUNREACH; else 0. Returns
 * -EAGAIN when none waits.
 */
static int
read_one(struct holders *hs, size_t i, struct oprf_msg *m, size_t *piece)
{
	struct holder *h = &hs->h[i];
	bool hello, late = false;
	uint64_t p;
	int r;

	r = read_reply(h, m, &hello);
	if (r == -EAGAIN)
		return r;
	if (r == 0) {
		/* Ids wrap around: the piece is their difference. */
		p = m->request_id - hs->first_id;
		if (piece != NULL && p < hs->pieces &&
		    (hs->answered[p] & 1u << i) == 0) {
			(void)flooded(hs, h, true);
			(void)owed_answer(hs, h, m);
			*piece = (size_t)p;
			return 1;
		}
		late = !hello && owed_answer(hs, h, m);
		codec_oprf_clear(m);
	}
	return !late && flooded(hs, h, hello) ? -EHOSTUNREACH : 0;
}

/* Drops the replies of holder i that nothing waits for (read_one), at
 * most HOLDERS_DRAIN_MAX of them; HOLDERS_FLOOD_MAX in a row drop the
 * connection. */
static void
drain(struct holders *hs, size_t i)
{
	struct oprf_msg m;
	int n;

	for (n = 0; n < HOLDERS_DRAIN_MAX; n++)
		if (read_one(hs, i, &m, NULL) != 0)
			break;
}

void
holders_tick(struct holders *hs)
{
	const void *data[1];
	size_t i, lens[1], len;
	uint8_t *buf;

	for (i = 0; i < hs->n; i++) {
		struct holder *h = &hs->h[i];
		pump(h);
		drain(hs, i);
		if (!h->greet)
			continue;
		/* Its answer is read by drain, for the max_batch it tells;
		 * the id is one no request of this node has. */
		if (codec_oprf_hello_encode(0, 0, &buf, &len) != 0)
			return;
		data[0] = buf;
		lens[0] = len;
		/* -EAGAIN: not connected after all; at the next tick. */
		if (tsock_send(h->s, data, lens, 1) == 0) {
			h->greet = false;
			h->hello_out = true;
		}
		free(buf);
	}
}

/* A holder's text for a sentence: printable ASCII, no quotes. */
static const char *
clean(const char *in, char *out, size_t cap)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < cap; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f && in[i] != '"' &&
				 in[i] != '\\'
			     ? in[i]
			     : '?';
	out[i] = '\0';
	return out;
}

/* Sends the request to h, waiting a little for a connection coming up;
 * none when a flood's new socket cannot be made (-EHOSTUNREACH). */
static int
send_one(struct holders *hs, struct holder *h, const uint8_t *buf, size_t len,
	 uint64_t deadline, char *why, size_t whylen)
{
	const void *data[1] = {buf};
	size_t lens[1] = {len};
	uint64_t start = date_mono_ms();
	int r;

	/* libzmq gives up a holder that refused the handshake: dial it
	 * again, as its registry may have been fixed since. */
	pump(h);
	if (h->auth_failed || h->undialled || h->redial_err != 0) {
		/* Failed, it is tried again at the next request. */
		h->auth_failed = false;
		h->undialled = false;
		if (h->reopen)
			reopen(hs, h); /* said if it fails */
		else if ((h->redial_err = tsock_redial(h->s, h->endpoint)) != 0)
			log_warnx_budget(&h->redial_log,
					 "event=redial_failed keyholder=%s "
					 "error=%s",
					 LOG_Q(h->endpoint),
					 LOG_Q(strerror(-h->redial_err)));
	}
	/* No new socket after a flood: nothing goes on the flooded
	 * connection, still up on the old one; the round fails at once,
	 * as with a holder unreachable (every holder must answer), and
	 * the next request tries a new socket again. */
	if (h->reopen) {
		snprintf(why, whylen,
			 "key holder %s unreachable: no new connection after "
			 "its flood: %s",
			 h->shown, strerror(-h->redial_err));
		return -EHOSTUNREACH;
	}
	for (;;) {
		pump(h);
		r = tsock_send(h->s, data, lens, 1);
		/* Refused: libzmq dials no more, nothing to wait for. */
		if (r != -EAGAIN || h->undialled || h->auth_failed ||
		    date_mono_ms() >= deadline ||
		    date_mono_ms() - start >= CONNECT_GRACE_MS)
			break;
		{
			bool ready;
			(void)tsock_poll(&h->mon, 1, &ready, POLL_STEP_MS);
		}
	}
	if (r == 0) {
		h->dropped = false;
		h->owed++;
		return 0;
	}
	/* A bound of the holder's passes: "submit again later"
	 * (intake.c); a key it does not admit waits for its operator or a
	 * new key (-EACCES: no such words), unless an older holder's bound
	 * may be what refused it. Whole in the reply's 190 with the
	 * longest address shown. */
	if (h->auth_failed && h->auth_busy) {
		snprintf(why, whylen,
			 "key holder %s turned this node away at its "
			 "connection limit (max_connections, "
			 "max_connections_per_key)",
			 h->shown);
	} else if (h->auth_failed && h->ever_up) {
		snprintf(why, whylen, "key holder %s " KEY_REFUSED_ADMITTED,
			 h->shown);
	} else if (h->auth_failed) {
		snprintf(why, whylen, "key holder %s " KEY_REFUSED, h->shown);
		return -EACCES;
	} else if (h->redial_err != 0)
		snprintf(why, whylen,
			 "key holder %s cannot be dialled again: %s", h->shown,
			 strerror(-h->redial_err));
	else if (h->failures >= HANDSHAKE_FAILURES_LET_GO)
		snprintf(why, whylen,
			 "key holder %s unreachable: the handshake failed "
			 "(is keyholder_key its public key? if not: correct "
			 "it and restart the node)",
			 h->shown);
	else
		snprintf(why, whylen, "key holder %s unreachable", h->shown);
	return -EHOSTUNREACH;
}

/* The elements of piece j of the round in flight. */
static size_t
piece_len(const struct holders *hs, size_t j)
{
	size_t from = j * hs->per_piece;

	return hs->n_elems - from < hs->per_piece ? hs->n_elems - from
						  : hs->per_piece;
}

/*
 * Adds the evaluated elements of piece j, n of them, into out: copied
 * when no other holder answered the piece yet. Returns 0 or -EPROTO.
 */
static int
add_piece(struct holders *hs, size_t j, const uint8_t *el, size_t n,
	  uint8_t *out)
{
	uint8_t *at = out + j * hs->per_piece * CODEC_OPRF_ELEMENT_LEN;
	size_t i;

	if (hs->answered[j] == 0) {
		memcpy(at, el, n * CODEC_OPRF_ELEMENT_LEN);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (oprf_element_add(at + 32 * i, el + 32 * i, at + 32 * i) !=
		    0)
			return -EPROTO;
	return 0;
}

/*
 * Reads the replies of holder i waiting until one answers a piece of the
 * round in flight not answered yet (into m, its index in *piece), dropping
 * the others (answers to abandoned requests, hellos', unreadable frames),
 * at most HOLDERS_DRAIN_MAX of them a call. Returns 1 when it found one,
 * 0 when none waits (or it dropped that many), or -EHOSTUNREACH with why
 * when they dropped the connection (HOLDERS_FLOOD_MAX in a row).
 */
static int
next_answer(struct holders *hs, size_t i, struct oprf_msg *m, size_t *piece,
	    char *why, size_t whylen)
{
	int k, r;

	for (k = 0; k < HOLDERS_DRAIN_MAX; k++) {
		r = read_one(hs, i, m, piece);
		if (r == -EAGAIN)
			return 0;
		if (r == 1)
			return 1;
		if (r == -EHOSTUNREACH) {
			snprintf(
			    why, whylen,
			    "key holder %s unreachable: it sent %d replies "
			    "in a row that nothing asked for (connection "
			    "dropped)",
			    hs->h[i].shown, HOLDERS_FLOOD_MAX);
			return r;
		}
	}
	return 0;
}

/*
 * Takes one answer of holder i to a piece of the round in flight into out
 * (the first for its piece) or adds it (the others), dropping the stale
 * or unreadable frames before it (next_answer). Returns 1 when it took
 * one, 0 when none waits, or -errno with why: -E2BIG when the holder
 * refused the piece as too large and told a smaller max_batch (noted for
 * the next round), -EHOSTUNREACH when its replies nothing asked for
 * dropped the connection.
 */
static int
take_answer(struct holders *hs, size_t i, uint32_t epoch, uint8_t *out,
	    char *why, size_t whylen)
{
	struct holder *h = &hs->h[i];
	struct oprf_msg m;
	char text[CODEC_MAX_TEXT + 1];
	size_t j, n;
	int r;

	if ((r = next_answer(hs, i, &m, &j, why, whylen)) != 1)
		return r;
	n = piece_len(hs, j);
	clean(m.text, text, sizeof(text));
	switch (m.status) {
	case OPRF_OK:
		if (m.epoch != epoch || m.n != n) {
			snprintf(why, whylen,
				 "key holder %s answered %zu elements of key "
				 "epoch %u for %zu of epoch %u (its operator "
				 "must check it)",
				 h->shown, m.n, (unsigned)m.epoch, n,
				 (unsigned)epoch);
			r = -EPROTO;
			break;
		}
		r = add_piece(hs, j, m.elements, n, out);
		if (r != 0)
			snprintf(why, whylen,
				 "key holder %s answered with elements that "
				 "are not group elements (its operator must "
				 "check it)",
				 h->shown);
		break;
	case OPRF_RATE_LIMITED:
		/* A request over a whole day's allowance, as the holder's
		 * reason code says (an older holder's text only: "(raise
		 * rate_per_day)"): no wait answers it, so not "submit again
		 * later" (walk55k). Said by the node: the holder's text
		 * after the longest address would not fit the reply's 190
		 * (intake.c). */
		if (m.reason == OPRF_REASON_OVER_DAY ||
		    strstr(text, "(raise rate_per_day)") != NULL) {
			snprintf(why, whylen,
				 "key holder %s never answers %zu elements at "
				 "once: more than its rate_per_day (its "
				 "operator must raise that)",
				 h->shown, n);
			r = -EDQUOT;
			break;
		}
		snprintf(why, whylen, "key holder %s refused: %s", h->shown,
			 text[0] != '\0' ? text : "rate limit");
		r = -EAGAIN;
		break;
	case OPRF_WRONG_EPOCH:
		snprintf(why, whylen,
			 "key holder %s works in key epoch %u, this node in "
			 "epoch %u (the linkage key file): install the keys "
			 "of one epoch everywhere",
			 h->shown, (unsigned)m.epoch, (unsigned)epoch);
		r = -ESTALE;
		break;
	default:
		if (m.status == OPRF_TOO_LARGE &&
		    !note_max_batch(h, m.max_batch)) {
			snprintf(why, whylen,
				 "key holder %s takes at most %u elements in "
				 "one request, below the %d a node works with: "
				 "its operator must raise max_batch",
				 h->shown, (unsigned)m.max_batch,
				 SETTINGS_MIN_MAX_BATCH);
			r = -EPROTO;
			break;
		}
		/* One that tells no bound is older than this node: it
		 * refuses every request over its max_batch, at every
		 * submission (walk55u). What to do before the holder's
		 * text, which the reply's 190 may cut. */
		snprintf(why, whylen,
			 "key holder %s refused the request: %s%s%s%s",
			 h->shown, oprf_status_name(m.status),
			 m.status == OPRF_TOO_LARGE && m.max_batch == 0
			     ? " (an older key holder: its operator must "
			       "raise max_batch to 256)"
			     : "",
			 text[0] != '\0' ? ": " : "", text);
		/* A max_batch lowered since the holder said it: the round
		 * may be asked again in smaller requests. One at or above
		 * the request's size: refused for the holder's memory,
		 * which the next request may find (keyholder serve.c). */
		if (m.status == OPRF_TOO_LARGE && m.max_batch != 0)
			r = m.max_batch < n ? -E2BIG : -EBUSY;
		else
			r = -EPROTO;
	}
	codec_oprf_clear(&m);
	if (r != 0)
		return r;
	hs->answered[j] |= (uint8_t)(1u << i);
	h->pieces_got++;
	return 1;
}

size_t
holders_request_max(void *arg)
{
	struct holders *hs = arg;
	size_t i, max = HOLDERS_MAX_REQUEST;

	for (i = 0; i < hs->n; i++) {
		drain(hs, i);
		if (hs->h[i].max_batch != 0 && hs->h[i].max_batch < max)
			max = hs->h[i].max_batch;
	}
	return max;
}

/* Sends piece j of elements to every holder. Returns as send_one. */
static int
send_piece(struct holders *hs, uint32_t epoch, const uint8_t *elements,
	   size_t j, char *why, size_t whylen)
{
	struct oprf_msg req;
	uint8_t *buf = NULL;
	size_t i, len;
	int r;

	memset(&req, 0, sizeof(req));
	req.request_id = hs->first_id + j;
	req.epoch = epoch;
	req.n = piece_len(hs, j);
	req.elements = elements + j * hs->per_piece * CODEC_OPRF_ELEMENT_LEN;
	r = codec_oprf_request_encode(&req, &buf, &len);
	if (r != 0) {
		snprintf(why, whylen, "cannot encode the request: %s",
			 strerror(-r));
		return r;
	}
	for (i = 0; i < hs->n && r == 0; i++)
		r = send_one(hs, &hs->h[i], buf, len, hs->deadline_ms, why,
			     whylen);
	free(buf);
	return r;
}

int
holders_send(void *arg, uint32_t epoch, const uint8_t *elements, size_t n,
	     size_t per_request, char *why, size_t whylen)
{
	struct holders *hs = arg;
	size_t i, j;
	int r = 0;

	if (n == 0) {
		snprintf(why, whylen, "no elements to send");
		return -EINVAL;
	}
	hs->per_piece = per_request != 0 && per_request < n ? per_request : n;
	hs->pieces = (n + hs->per_piece - 1) / hs->per_piece;
	hs->n_elems = n;
	free(hs->answered);
	hs->answered = calloc(hs->pieces, 1);
	if (hs->answered == NULL) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	hs->first_id = hs->next_id + 1;
	hs->next_id += hs->pieces;
	hs->deadline_ms = date_mono_ms() + hs->timeout_ms;
	for (i = 0; i < hs->n; i++) {
		drain(hs, i); /* answers that came too late */
		hs->h[i].pieces_got = 0;
	}
	for (j = 0; j < hs->pieces && r == 0; j++)
		r = send_piece(hs, epoch, elements, j, why, whylen);
	return r;
}

int
holders_recv(void *arg, uint32_t epoch, size_t n, uint8_t *out, char *why,
	     size_t whylen)
{
	struct holders *hs = arg;
	struct tsock *socks[2 * SETTINGS_MAX_KEYHOLDERS + 1];
	bool ready[2 * SETTINGS_MAX_KEYHOLDERS + 1];
	size_t i, done = 0;
	int r = 0;

	if (n != hs->n_elems) {
		snprintf(why, whylen, "%zu elements awaited, %zu sent", n,
			 hs->n_elems);
		return -EINVAL;
	}
	for (i = 0; i < hs->n; i++) {
		socks[i] = hs->h[i].s;
		socks[hs->n + i] = hs->h[i].mon;
	}
	socks[2 * hs->n] = hs->also; /* NULL: not waited for */
	while (r == 0 && done < hs->n) {
		uint64_t now = date_mono_ms();
		int p;
		if (now >= hs->deadline_ms) {
			for (i = 0; hs->h[i].pieces_got == hs->pieces; i++)
				;
			snprintf(why, whylen,
				 "key holder %s did not answer within %llu s",
				 hs->h[i].shown,
				 (unsigned long long)hs->timeout_ms / 1000);
			r = -ETIMEDOUT;
			break;
		}
		p = tsock_poll(socks, 2 * hs->n + 1, ready,
			       (long)(hs->deadline_ms - now));
		/* A message serve cannot take: no more waking for it. */
		if (p > 0 && ready[2 * hs->n] &&
		    (hs->serve == NULL || hs->serve(hs->serve_arg) != 0))
			socks[2 * hs->n] = NULL;
		if (p < 0 && p != -EINTR) {
			snprintf(why, whylen, "poll: %s", strerror(-p));
			r = p;
			break;
		}
		for (i = 0; p > 0 && i < hs->n && r == 0; i++) {
			struct holder *h = &hs->h[i];
			if (ready[hs->n + i]) {
				pump(h);
				if (h->dropped && h->pieces_got < hs->pieces) {
					/* One that answered the hello with
					 * no max_batch is older than this
					 * node, and closes at a request
					 * over its own: so at every
					 * submission, until its operator
					 * raises it (-EPROTO: no "submit
					 * again later", walk55u). One not
					 * heard yet (a request as the node
					 * starts) may be of any version.
					 * Short enough to be whole with the
					 * longest shown in the reply's 190
					 * (intake.c). */
					bool older =
					    h->max_batch == 0 && h->heard;
					snprintf(
					    why, whylen,
					    "key holder %s went away "
					    "while evaluating%s",
					    h->shown,
					    !older
						? ""
						: " (older key holders do so "
						  "at a request over "
						  "max_batch: its operator "
						  "must raise that to 256)");
					r = older ? -EPROTO : -EHOSTUNREACH;
					break;
				}
			}
			/* Answered all: what it sends still is nothing
			 * asked for, read (not left to libzmq) and counted. */
			if (ready[i] && h->pieces_got == hs->pieces)
				drain(hs, i);
			while (ready[i] && h->pieces_got < hs->pieces &&
			       r == 0) {
				int a =
				    take_answer(hs, i, epoch, out, why, whylen);
				if (a < 0)
					r = a;
				else if (a == 0)
					break;
				else if (h->pieces_got == hs->pieces)
					done++;
			}
		}
	}
	return r;
}
