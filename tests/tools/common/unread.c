/*
 * unread.c - a peer that never reads its answers (unread.h).
 *
 * libzmq directly: a tsock reads what comes, and this peer must not.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "date.h"
#include "transport.h"
#include "unread.h"

#include <zmq.h>

static int heartbeat_ms;
static int heartbeat_timeout_ms; /* 0: libzmq's (heartbeat_ms) */

void
unread_set_heartbeat(int ms)
{
	heartbeat_ms = ms;
}

void
unread_set_keepalive(int ms)
{
	heartbeat_ms = ms;
	heartbeat_timeout_ms = 86400000;
}

int
unread_flood(const char *ep, const struct secret_key *key,
	     const struct public_key *server, const void *msg, size_t len,
	     unsigned long count, long hold_ms, const char *label)
{
	void *ctx, *s = NULL;
	int one = 1, small = 4096, zero = 0, rc = -1;
	unsigned long sent = 0;
	uint64_t until;

	ctx = zmq_ctx_new();
	if (ctx == NULL)
		return -1;
	/*
	 * A receive queue of one message and a small socket buffer: the
	 * answers pile up on the daemon's side, not here.
	 */
	s = zmq_socket(ctx, ZMQ_DEALER);
	if (s == NULL ||
	    zmq_setsockopt(s, ZMQ_RCVHWM, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(s, ZMQ_RCVBUF, &small, sizeof(small)) != 0 ||
	    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero)) != 0)
		goto out;
	if (heartbeat_ms > 0 &&
	    zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &heartbeat_ms,
			   sizeof(heartbeat_ms)) != 0)
		goto out;
	if (heartbeat_timeout_ms > 0 &&
	    zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &heartbeat_timeout_ms,
			   sizeof(heartbeat_timeout_ms)) != 0)
		goto out;
	if (key != NULL &&
	    (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server->curve_pk,
			    TRANSPORT_KEY_LEN) != 0 ||
	     zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, key->curve_pk,
			    TRANSPORT_KEY_LEN) != 0 ||
	     zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, key->curve_sk,
			    TRANSPORT_KEY_LEN) != 0))
		goto out;
	if (zmq_connect(s, ep) != 0)
		goto out;
	/* Our own send queue full: wait a little, the daemon reads. */
	until = date_mono_ms() +
		(uint64_t)(hold_ms > UNREAD_SEND_MS ? hold_ms : UNREAD_SEND_MS);
	while (sent < count && date_mono_ms() < until) {
		if (zmq_send(s, msg, len, ZMQ_DONTWAIT) == (int)len)
			sent++;
		else
			usleep(1000);
	}
	printf("%s %lu\n", label, sent);
	fflush(stdout);
	until = date_mono_ms() + (uint64_t)hold_ms;
	while (date_mono_ms() < until)
		usleep(50000);
	rc = 0;
out:
	if (s != NULL)
		zmq_close(s);
	zmq_ctx_term(ctx);
	return rc;
}
