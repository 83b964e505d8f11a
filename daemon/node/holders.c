/* holders.c - the node's side of the key holders; see holders.h. */
#include "holders.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "log.h"
#include "oprf.h"

/* How long a send waits for a connection that is coming up. */
/*
 * Longer than the longest wait between two attempts to reconnect, so that
 * a key holder back up is found before the node says it is unreachable.
 */
#define CONNECT_GRACE_MS (TSOCK_RECONNECT_MAX_MS + 1000)
#define POLL_STEP_MS 50

struct holder {
	char endpoint[SETTINGS_PATH_MAX];
	struct tsock *s, *mon;
	bool auth_failed; /* the last handshake was refused */
	int redial_err;	  /* -errno of the last redial, which failed */
	struct log_budget redial_log;
	bool dropped;	  /* disconnected since the request went out */
	bool greet;	  /* connected, and no hello sent yet */
};

struct holders {
	struct holder h[SETTINGS_MAX_KEYHOLDERS];
	size_t n;
	uint64_t timeout_ms;
	uint64_t next_id;
	uint64_t deadline_ms; /* of the request in flight */
	/* While waiting: also wake for this socket, and call serve. */
	struct tsock *also;
	int (*serve)(void *arg);
	void *serve_arg;
};

void
holders_set_serve(struct holders *h, struct tsock *also,
		  int (*serve)(void *arg), void *arg)
{
	h->also = also;
	h->serve = serve;
	h->serve_arg = arg;
}

struct holders *
holders_new(struct transport *t, const struct node_config *cfg,
	    const struct secret_key *key, char *err, size_t errlen)
{
	struct tsock_limits lim = {.max_frame = CODEC_MAX_FRAME};
	struct holders *hs = calloc(1, sizeof(*hs));
	size_t i;
	int e;

	if (hs == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	hs->timeout_ms = cfg->keyholder_timeout_s * 1000;
	hs->next_id = keys_random64();
	for (i = 0; i < SETTINGS_MAX_KEYHOLDERS; i++) {
		struct holder *h = &hs->h[hs->n];
		struct public_key pub;
		if (cfg->keyholder[i][0] == '\0' &&
		    cfg->keyholder_key[i][0] == '\0')
			continue;
		if (cfg->keyholder[i][0] == '\0' ||
		    cfg->keyholder_key[i][0] == '\0') {
			snprintf(err, errlen,
				 "keyholder%zu and keyholder%zu_key go "
				 "together: give both or neither",
				 i + 1, i + 1);
			goto fail;
		}
		if (keys_load_public(cfg->keyholder_key[i], &pub, err,
				     errlen) != 0)
			goto fail;
		snprintf(h->endpoint, sizeof(h->endpoint), "%s",
			 cfg->keyholder[i]);
		h->s =
		    tsock_connect_curve(t, h->endpoint, key->curve_pk,
					key->curve_sk, pub.curve_pk, &lim, &e);
		if (h->s != NULL)
			h->mon = tsock_monitor(t, h->s, &e);
		hs->n++;
		if (h->s == NULL || h->mon == NULL) {
			snprintf(err, errlen, "%s: cannot connect: %s",
				 h->endpoint, strerror(-e));
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
		tsock_free(&(*ph)->h[i].mon);
		tsock_free(&(*ph)->h[i].s);
	}
	free(*ph);
	*ph = NULL;
}

size_t
holders_count(const struct holders *h)
{
	return h->n;
}

/* Reads what the holder's connection did since last time. */
static void
pump(struct holder *h)
{
	enum tevent ev;
	char addr[256];

	while (tsock_monitor_read(h->mon, &ev, addr, sizeof(addr)) == 0) {
		switch (ev) {
		case TEVENT_HANDSHAKE_OK:
			h->auth_failed = false;
			h->greet = true;
			break;
		case TEVENT_HANDSHAKE_FAILED_AUTH:
			h->auth_failed = true;
			break;
		case TEVENT_DISCONNECTED:
			h->dropped = true;
			break;
		default:
			break;
		}
	}
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
		if (!h->greet)
			continue;
		/* Its answer is dropped with the late ones by holders_send;
		 * the id is one no request of this node has. */
		if (codec_oprf_hello_encode(0, 0, &buf, &len) != 0)
			return;
		data[0] = buf;
		lens[0] = len;
		/* -EAGAIN: not connected after all; at the next tick. */
		if (tsock_send(h->s, data, lens, 1) == 0)
			h->greet = false;
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

/* Sends the request to h, waiting a little for a connection coming up. */
static int
send_one(struct holder *h, const uint8_t *buf, size_t len, uint64_t deadline,
	 char *why, size_t whylen)
{
	const void *data[1] = {buf};
	size_t lens[1] = {len};
	uint64_t start = date_mono_ms();
	int r;

	/* libzmq gives up a holder that refused the handshake: dial it
	 * again, as its registry may have been fixed since. */
	pump(h);
	if (h->auth_failed || h->redial_err != 0) {
		/* Failed, it is tried again at the next request. */
		h->auth_failed = false;
		h->redial_err = tsock_redial(h->s, h->endpoint);
		if (h->redial_err != 0)
			log_warnx_budget(&h->redial_log,
					 "event=redial_failed keyholder=%s "
					 "error=%s",
					 LOG_Q(h->endpoint),
					 LOG_Q(strerror(-h->redial_err)));
	}
	for (;;) {
		pump(h);
		r = tsock_send(h->s, data, lens, 1);
		if (r != -EAGAIN || date_mono_ms() >= deadline ||
		    date_mono_ms() - start >= CONNECT_GRACE_MS)
			break;
		{
			bool ready;
			(void)tsock_poll(&h->mon, 1, &ready, POLL_STEP_MS);
		}
	}
	if (r == 0) {
		h->dropped = false;
		return 0;
	}
	if (h->auth_failed)
		snprintf(why, whylen,
			 "key holder %s refused this node's transport key "
			 "(is the node in the holder's registry?)",
			 h->endpoint);
	else if (h->redial_err != 0)
		snprintf(why, whylen, "key holder %s cannot be dialled again: %s",
			 h->endpoint, strerror(-h->redial_err));
	else
		snprintf(why, whylen, "key holder %s unreachable", h->endpoint);
	return -EHOSTUNREACH;
}

/*
 * Takes one answer of holder h for request id into out (the first) or
 * adds it (the others). Returns 1 when it was the answer, 0 for a stale
 * or unreadable frame, or -errno with why.
 */
static int
take_answer(struct holder *h, uint64_t id, uint32_t epoch, size_t n, bool first,
	    uint8_t *out, char *why, size_t whylen)
{
	struct tframes f;
	struct oprf_msg m;
	char text[CODEC_MAX_TEXT + 1];
	size_t i;
	int r;

	if (tsock_recv(h->s, &f, 1, CODEC_MAX_FRAME) != 0)
		return 0;
	r = codec_oprf_reply_decode(f.data[0], f.len[0], &m);
	tframes_clear(&f);
	if (r != 0 || m.request_id != id) {
		if (r == 0)
			codec_oprf_clear(&m);
		return 0; /* an answer to an abandoned request */
	}
	clean(m.text, text, sizeof(text));
	switch (m.status) {
	case OPRF_OK:
		if (m.epoch != epoch || m.n != n) {
			snprintf(why, whylen,
				 "key holder %s answered %zu elements of key "
				 "epoch %u for %zu of epoch %u",
				 h->endpoint, m.n, (unsigned)m.epoch, n,
				 (unsigned)epoch);
			r = -EPROTO;
			break;
		}
		if (first)
			memcpy(out, m.elements, n * CODEC_OPRF_ELEMENT_LEN);
		for (i = 0; !first && i < n && r == 0; i++)
			r = oprf_element_add(out + 32 * i, m.elements + 32 * i,
					     out + 32 * i);
		if (r != 0) {
			snprintf(why, whylen,
				 "key holder %s answered with elements that "
				 "are not group elements",
				 h->endpoint);
			r = -EPROTO;
		}
		break;
	case OPRF_RATE_LIMITED:
		snprintf(why, whylen, "key holder %s refused: %s", h->endpoint,
			 text[0] != '\0' ? text : "rate limit");
		r = -EAGAIN;
		break;
	case OPRF_WRONG_EPOCH:
		snprintf(why, whylen,
			 "key holder %s works in key epoch %u, this node in "
			 "epoch %u (the linkage key file): install the keys "
			 "of one epoch everywhere",
			 h->endpoint, (unsigned)m.epoch, (unsigned)epoch);
		r = -ESTALE;
		break;
	default:
		snprintf(why, whylen,
			 "key holder %s refused the request: %s%s%s",
			 h->endpoint, oprf_status_name(m.status),
			 text[0] != '\0' ? ": " : "", text);
		r = -EPROTO;
	}
	codec_oprf_clear(&m);
	return r == 0 ? 1 : r;
}

int
holders_send(void *arg, uint32_t epoch, const uint8_t *elements, size_t n,
	     char *why, size_t whylen)
{
	struct holders *hs = arg;
	struct oprf_msg req;
	uint8_t *buf = NULL;
	size_t i, len;
	int r;

	memset(&req, 0, sizeof(req));
	req.request_id = ++hs->next_id;
	req.epoch = epoch;
	req.n = n;
	req.elements = elements;
	r = codec_oprf_request_encode(&req, &buf, &len);
	if (r != 0) {
		snprintf(why, whylen, "cannot encode the request: %s",
			 strerror(-r));
		return r;
	}
	hs->deadline_ms = date_mono_ms() + hs->timeout_ms;
	for (i = 0; i < hs->n; i++) {
		struct tframes f;
		while (tsock_recv(hs->h[i].s, &f, 1, CODEC_MAX_FRAME) == 0)
			tframes_clear(&f); /* answers that came too late */
	}
	for (i = 0; i < hs->n && r == 0; i++)
		r = send_one(&hs->h[i], buf, len, hs->deadline_ms, why, whylen);
	free(buf);
	return r;
}

int
holders_recv(void *arg, uint32_t epoch, size_t n, uint8_t *out, char *why,
	     size_t whylen)
{
	struct holders *hs = arg;
	struct tsock *socks[2 * SETTINGS_MAX_KEYHOLDERS + 1];
	bool ready[2 * SETTINGS_MAX_KEYHOLDERS + 1];
	bool got[SETTINGS_MAX_KEYHOLDERS];
	size_t i, answered = 0;
	int r = 0;

	for (i = 0; i < hs->n; i++) {
		got[i] = false;
		socks[i] = hs->h[i].s;
		socks[hs->n + i] = hs->h[i].mon;
	}
	socks[2 * hs->n] = hs->also; /* NULL: not waited for */
	while (r == 0 && answered < hs->n) {
		uint64_t now = date_mono_ms();
		int p;
		if (now >= hs->deadline_ms) {
			for (i = 0; got[i]; i++)
				;
			snprintf(why, whylen,
				 "key holder %s did not answer within %llu s",
				 hs->h[i].endpoint,
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
			if (ready[hs->n + i]) {
				pump(&hs->h[i]);
				if (hs->h[i].dropped && !got[i]) {
					snprintf(why, whylen,
						 "key holder %s went away "
						 "while evaluating",
						 hs->h[i].endpoint);
					r = -EHOSTUNREACH;
					break;
				}
			}
			while (ready[i] && !got[i] && r == 0) {
				int a = take_answer(&hs->h[i], hs->next_id,
						    epoch, n, answered == 0,
						    out, why, whylen);
				if (a < 0)
					r = a;
				else if (a == 1) {
					got[i] = true;
					answered++;
				} else {
					break;
				}
			}
		}
	}
	return r;
}
