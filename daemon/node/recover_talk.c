/*
 * recover_talk.c - kuska-node --recover's exchange with the consolidator:
 * the connection, its hello and Welcome, the pieces of its copy asked
 * for, and the hello that announces the rebuilt outbox.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "date.h"
#include "flood.h"
#include "keys.h"
#include "recover_int.h"
#include "transport.h"

/* Memory running out is no fault of the consolidator's copy: a piece is
 * asked for again this many times, this long apart, before giving up. */
#define NOMEM_TRIES 5
#define NOMEM_WAIT_S 2

/* No envelope is shorter: its signature alone is 64 bytes. An outbox of
 * map_size bytes holds fewer envelopes than map_size / this. */
#define RECOVER_MIN_ENVELOPE 64

/*
 * Messages read while waiting for one answer, none of which it was,
 * that the recovery takes: one more gives it up. A genuine consolidator
 * sends answers to what the node asks, one at a time. The socket has
 * ZMQ_RCVHWM lifted (at 1,000, a consolidator's key flooding it and
 * resetting the connection aborted libzmq 4.3.4), so a flood is bounded
 * here instead.
 */
#define RECOVER_UNASKED_MAX 4096

/*
 * Handshakes failed in a row that stop the recovery: libzmq dials again
 * within 400 ms after each, and one may be a connection cut (a busy or
 * restarting consolidator); as the running node, three are a
 * consolidator_key that is not the consolidator's.
 */
#define RECOVER_HANDSHAKE_FAILURES 3

/*
 * Reads what the connection's handshakes did. A refusal stops the
 * recovery at once (libzmq dials no more after it), as do
 * RECOVER_HANDSHAKE_FAILURES failed in a row; each is said in the words
 * of the running node's event=handshake_refused and handshake_failed
 * (deliver_conn.c), and returns -ECONNREFUSED; otherwise 0.
 */
static int
read_handshakes(struct rec *r)
{
	enum tevent ev;
	char addr[256];

	while (r->mon != NULL &&
	       tsock_monitor_read(r->mon, &ev, addr, sizeof(addr)) == 0) {
		if (ev == TEVENT_CONNECTED)
			r->tcp_up = true;
		if (ev == TEVENT_HANDSHAKE_OK) {
			r->hs_failures = 0;
			r->tcp_up = r->handshaken = true;
		}
		if (ev == TEVENT_HANDSHAKE_FAILED)
			r->hs_failed++;
		if (ev == TEVENT_HANDSHAKE_FAILED_AUTH) {
			fprintf(stderr,
				"kuska-node: the consolidator at %s refused "
				"this node's key: recovery stopped (the outbox "
				"is unchanged); is this node's transport key "
				"in the registry? it refuses a key it has "
				"revoked or does not list, one outside its "
				"valid_from and valid_until, and one over "
				"max_connections_per_key or max_connections "
				"(its journal says why: event=auth_refused): "
				"if this node's key "
				"was revoked, give the node a new key first "
				"(a rotation, OPERATIONS.md section 6); if it "
				"expired, this node's key files may be from a "
				"backup older than a rotation (OPERATIONS.md "
				"section 7)\n",
				r->p->consolidator);
			r->said = true;
			return -ECONNREFUSED;
		}
		if (ev == TEVENT_HANDSHAKE_FAILED &&
		    ++r->hs_failures >= RECOVER_HANDSHAKE_FAILURES) {
			fprintf(stderr,
				"kuska-node: the handshake with the "
				"consolidator at %s failed %u times in a row: "
				"recovery stopped (the outbox is "
				"unchanged); " NODE_HANDSHAKE_HINT "\n",
				r->p->consolidator, r->hs_failures);
			r->said = true;
			return -ECONNREFUSED;
		}
	}
	return 0;
}

/*
 * Sends m and waits for an answer of type want (nonce for WELCOME).
 * Returns 0, -EPERM (a refusal, said), -EPROTO (more than
 * RECOVER_UNASKED_MAX messages read that were not it), -ECONNREFUSED
 * (the handshake refused or failing, said: read_handshakes),
 * -ETIMEDOUT, -ENOMEM or another -errno.
 */
static int
ask(struct rec *r, const struct msg *m, enum msg_type want, struct msg *ret)
{
	uint64_t deadline = date_mono_ms() + (uint64_t)r->p->timeout_ms;
	struct tsock *socks[2] = {r->sock, r->mon};
	size_t n_socks = r->mon != NULL ? 2 : 1;
	struct flood_guard unasked;
	bool ready[2];
	uint8_t *buf;
	size_t len;
	int e, h;

	/* Decoded before counted: the answer after RECOVER_UNASKED_MAX
	 * others is taken (counted first, it stopped the recovery). */
	flood_guard_init(&unasked, RECOVER_UNASKED_MAX + 1);
	e = codec_msg_encode(m, &buf, &len);
	if (e != 0)
		return e;
	for (;;) { /* the connection comes up in the background */
		const void *data[1] = {buf};
		e = tsock_send(r->sock, data, &len, 1);
		if (e != -EAGAIN || date_mono_ms() >= deadline)
			break;
		(void)tsock_poll(socks, n_socks, ready, 100);
		h = read_handshakes(r);
		if (h != 0) {
			e = h;
			break;
		}
	}
	free(buf);
	if (e != 0)
		return e == -EAGAIN ? -ETIMEDOUT : e;
	while (date_mono_ms() < deadline) {
		struct tframes f;
		e = tsock_poll(socks, n_socks, ready,
			       (long)(deadline - date_mono_ms()));
		if (e < 0 && e != -EINTR)
			return e;
		/* Only when it has something: a flood is read as fast. */
		h = e > 0 && n_socks == 2 && ready[1] ? read_handshakes(r) : 0;
		if (h != 0)
			return h;
		if (e <= 0 || !ready[0] ||
		    tsock_recv(r->sock, &f, 1, CODEC_MAX_FRAME) != 0)
			continue;
		e = codec_msg_decode(f.data[0], f.len[0], ret);
		tframes_clear(&f);
		if (e == -ENOMEM)
			return e; /* the answer is lost: ask again later */
		if (e != 0) {
			if (flood_guard_note(&unasked, false))
				return -EPROTO;
			continue;
		}
		if (ret->type == MSG_REFUSAL) {
			fprintf(stderr,
				"kuska-node: the consolidator refused: "
				"%s: %s\n",
				reason_name(ret->reason), ret->text);
			codec_msg_clear(ret);
			return -EPERM;
		}
		if (ret->type == want &&
		    (want != MSG_WELCOME || ret->nonce == m->nonce))
			return 0;
		codec_msg_clear(ret); /* an answer to something older */
		if (flood_guard_note(&unasked, false))
			return -EPROTO;
	}
	return -ETIMEDOUT;
}

void
rec_say_timeout(struct rec *r)
{
	long s = r->p->timeout_ms / 1000;
	char failed[48] = "";

	if (read_handshakes(r) != 0)
		return; /* a refusal, said */
	if (r->handshaken)
		fprintf(stderr,
			"kuska-node: the consolidator at %s passed this "
			"node's handshake but did not answer its hello within "
			"%ld s: recovery stopped (the outbox is unchanged); it "
			"may be stuck or overloaded: see its journal and "
			"kuska status -c CONSOLIDATOR.conf, then run --recover "
			"again\n",
			r->p->consolidator, s);
	else if (r->tcp_up) {
		if (r->hs_failed > 0)
			snprintf(failed, sizeof(failed), " (%u failed)",
				 r->hs_failed);
		fprintf(stderr,
			"kuska-node: connected to the consolidator at %s, but "
			"no handshake passed within %ld s%s: recovery stopped "
			"(the outbox is unchanged); " NODE_HANDSHAKE_HINT
			" or a consolidator too busy to answer?\n",
			r->p->consolidator, s, failed);
	} else
		fprintf(stderr,
			"kuska-node: no connection to the consolidator at %s "
			"within %ld s: recovery stopped (the outbox is "
			"unchanged); not running, a wrong host or port, or a "
			"firewall?\n",
			r->p->consolidator, s);
	r->said = true;
}

/* Says why the recovery stops when ask read too many unasked (e, -EPROTO);
 * returns e. */
static int
said_unasked(struct rec *r, int e)
{
	if (e != -EPROTO)
		return e;
	fprintf(stderr,
		"kuska-node: the consolidator sent %d messages in a row that "
		"nothing asked for: recovery stopped (the outbox is "
		"unchanged); check the consolidator's machine and key\n",
		RECOVER_UNASKED_MAX);
	r->said = true;
	return e;
}

/* A hello saying diverged (text, or "" for nothing): its Welcome. */
static int
hello(struct rec *r, const char *diverged, struct msg *ret)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_HELLO;
	m.inst = r->p->inst;
	m.version = CODEC_VERSION;
	m.nonce = keys_random64();
	snprintf(m.network, sizeof(m.network), "%s", r->p->network);
	m.now_ms = date_now_ms();
	snprintf(m.diverged, sizeof(m.diverged), "%s", diverged);
	return ask(r, &m, MSG_WELCOME, ret);
}

/*
 * The consolidator's last sequence, check point and known outbox id.
 * Its hello says nothing of a divergence: a recovery that fails leaves
 * the outbox unchanged, and no mark on the consolidator (announce).
 */
int
rec_greet(struct rec *r)
{
	struct msg w;
	int e;

	e = hello(r, "", &w);
	if (e != 0)
		return said_unasked(r, e);
	if (w.last_seq > r->p->map_size / RECOVER_MIN_ENVELOPE) {
		/* Its word sizes what follows (the id table, the pieces
		 * asked): not believed past what the new outbox could hold. */
		fprintf(stderr,
			"kuska-node: the consolidator says it holds %llu "
			"events of this institution, more than an outbox of "
			"[node] map_size_mb could hold: not believed, nothing "
			"fetched (the outbox is unchanged)\n",
			(unsigned long long)w.last_seq);
		codec_msg_clear(&w);
		r->said = true;
		return -EFBIG;
	}
	r->cons_last = w.last_seq;
	r->has_check = w.has_check;
	r->check_seq = w.check_seq;
	memcpy(r->check_hash, w.check_hash, CODEC_HASH_LEN);
	r->has_id = w.has_outbox_id;
	memcpy(r->id, w.outbox_id, OUTBOX_ID_LEN);
	codec_msg_clear(&w);
	return 0;
}

/* Fetches everything the consolidator holds, piece by piece. */
int
rec_fetch(struct rec *r)
{
	uint64_t from = 1;
	struct msg q, a;
	int e, tries = 0;

	while (from <= r->cons_last) {
		memset(&q, 0, sizeof(q));
		q.type = MSG_RECOVER_REQUEST;
		q.from_seq = from;
		e = ask(r, &q, MSG_RECOVER_REPLY, &a);
		if (e == 0 && (a.n_held == 0 || a.held[0].seq < from)) {
			codec_msg_clear(&a);
			break;
		}
		if (e == 0) {
			uint64_t last = a.held[a.n_held - 1].seq;
			e = rec_take_piece(r, &a);
			codec_msg_clear(&a);
			if (e == 0 && last >= r->cons_last)
				break; /* all it said it holds */
			if (e == 0)
				from = last + 1;
		}
		if (e == -ENOMEM && ++tries < NOMEM_TRIES) {
			fprintf(stderr,
				"kuska-node: memory ran out: asking for "
				"sequence %llu again in %d s\n",
				(unsigned long long)from, NOMEM_WAIT_S);
			sleep(NOMEM_WAIT_S);
			continue;
		}
		if (e == -ETIMEDOUT && !r->said) {
			/* Not the directory's fault, as recover_run would
			 * say it: the consolidator that welcomed this node
			 * went quiet. */
			fprintf(stderr,
				"kuska-node: the consolidator at %s answered "
				"the hello but stopped answering while its "
				"copy was fetched (nothing for %ld s after "
				"%llu of its %llu events): recovery stopped "
				"(the outbox is unchanged); it may have "
				"stopped or restarted, or be overloaded: see "
				"its journal and kuska status -c "
				"CONSOLIDATOR.conf, then run --recover "
				"again\n",
				r->p->consolidator,
				(long)(r->p->timeout_ms / 1000),
				(unsigned long long)(from - 1),
				(unsigned long long)r->cons_last);
			r->said = true;
		}
		if (e != 0)
			return said_unasked(r, e);
		tries = 0;
	}
	return 0;
}

/*
 * Tells the consolidator, once the new outbox is in place and not
 * before, that this node's outbox was rebuilt: the institution stays
 * (or is) marked diverged until the started node proves its outbox in
 * step, diverged_quiet_s after this hello (OPERATIONS.md section 10).
 * Its answer, or none, changes nothing here.
 */
void
rec_announce(struct rec *r)
{
	struct msg w;

	if (hello(r, "rebuilt by kuska-node --recover", &w) == 0)
		codec_msg_clear(&w);
}

int
rec_connect(struct rec *r)
{
	/* ZMQ_RCVHWM lifted: libzmq 4.3.4 aborts when a connection it
	 * stopped reading at 1,000 ends with a heartbeat due, and a
	 * consolidator's key could fill 1,000 while a piece is stored. ask
	 * bounds what it reads (RECOVER_UNASKED_MAX). */
	struct tsock_limits lim = {.max_frame = CODEC_MAX_FRAME,
				   .rcv_unbounded = true};
	int e;

	r->t = transport_new();
	if (r->t == NULL)
		return -ENOMEM;
	r->sock = tsock_connect_curve(
	    r->t, r->p->consolidator, r->p->key->curve_pk, r->p->key->curve_sk,
	    r->p->cons_key->curve_pk, &lim, &r->mon, &e);
	return r->sock == NULL ? e : 0;
}
