/* deliver_conn.c - the connection's events, redials; see deliver.h. */
#include "deliver.h"

#include <string.h>

#include "date.h"
#include "deliver_int.h"
#include "log.h"

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
/* A flood's new socket that could not be made: tried again after. */
#define REOPEN_RETRY_MS 1000

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
void
deliver_redial(struct deliver *d, uint64_t now_ms)
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

/*
 * After a flood, a new socket (and monitor) in place of the old, closed
 * with its connection ended by libzmq's reaper thread (zmq_disconnect
 * then zmq_connect on the same socket aborted libzmq 4.3.4 under ASan,
 * its stopped engine meeting a heartbeat). One that cannot be made (the
 * node out of descriptors: EMFILE) is tried again REOPEN_RETRY_MS later,
 * as a new socket too, never the flooded one redialled (a redial due
 * waits for it: deliver_tick); failures are said within a budget, the
 * flood's cuts going on meanwhile.
 */
void
deliver_reopen(struct deliver *d, uint64_t now_ms)
{
	struct tsock_limits lim = {.max_frame = CODEC_MAX_FRAME,
				   .rcv_unbounded = true};
	int r;

	r = tsock_reopen_curve(d->t, d->sock, d->mon, d->endpoint,
			       d->key->curve_pk, d->key->curve_sk, d->cons_pk,
			       &lim);
	if (r != 0) {
		d->reopen_due_ms = now_ms + REOPEN_RETRY_MS;
		log_warnx_budget(&d->reopen_log,
				 "event=redial_failed consolidator=%s "
				 "error=%s socket=new retry_s=%d",
				 LOG_Q(d->endpoint), LOG_Q(strerror(-r)),
				 REOPEN_RETRY_MS / 1000);
		return;
	}
	d->reopen_due_ms = 0;
	/* The old monitor, closed, says no disconnection. A Welcome read
	 * meanwhile on the flooded connection is not this one's. */
	d->connected = false;
	deliver_go_idle(d, now_ms);
	deliver_forget_ask(d);
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
/*
 * Why a handshake fails, as far as the node can tell: the consolidator
 * refusing a HELLO sealed for another key and a service that is not the
 * consolidator (a wrong port, a proxy whose consolidator is down) both
 * close the connection, which the TCP connection made no longer calls
 * unreachable.
 */
#define HANDSHAKE_HINT NODE_HANDSHAKE_HINT

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
			  "hint=\"" HANDSHAKE_HINT "\" retry_s=0",
			  LOG_Q(addr));
		return;
	}
	d->handshake_failed_ms = date_now_ms();
	schedule_redial(d, now_ms, HANDSHAKE_FAILED_REDIAL_MAX_MS);
	r = tsock_undial(d->sock, d->endpoint);
	if (r == 0)
		d->undialled = true;
	log_warnx("event=handshake_failed consolidator=%s "
		  "hint=\"" HANDSHAKE_HINT "\" failures=%u retry_s=%llu",
		  LOG_Q(addr), d->handshake_failures,
		  (unsigned long long)(d->redial_backoff_ms / 1000));
}

/*
 * A TCP connection to the consolidator could not be made; libzmq tries
 * again (every 5 s at most). Said once, when it has lasted
 * UNREACHED_SAY_MS, until a connection is made: otherwise a node started
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
		deliver_go_idle(d, now_ms); /* hello right away */
		deliver_forget_ask(d);
		break;
	case TEVENT_DISCONNECTED:
		if (d->connected)
			log_info("event=disconnected consolidator=%s",
				 LOG_Q(addr));
		d->connected = false;
		deliver_go_idle(d, now_ms + HELLO_INTERVAL_MS);
		deliver_forget_ask(d);
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
	case TEVENT_CONNECTED:
		/* Reached, whatever its handshake makes of it: libzmq's
		 * reconnection after a failed handshake is a "retried"
		 * too, and a wrong consolidator_key (its key rotated)
		 * must not read as a consolidator not running. */
		d->unreached_ms = 0;
		d->unreached_said = false;
		break;
	case TEVENT_CONNECT_RETRIED:
		on_connect_retried(d, addr, now_ms);
		break;
	default:
		break;
	}
}
