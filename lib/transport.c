/* transport.c - libzmq's context, sockets set up (CURVE); see transport.h. */
#include "transport.h"
#include "transport_int.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "log.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define DEFAULT_HEARTBEAT_MS 2000

struct transport {
	void *ctx;
	unsigned monitors; /* to name monitor endpoints uniquely */
};

struct transport *
transport_new(void)
{
	struct transport *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->ctx = zmq_ctx_new();
	if (t->ctx == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

/* The ending of a context, shared by term_bounded and its thread. */
enum { TERM_RUNNING, TERM_DONE, TERM_ABANDONED };
struct term {
	void *ctx;
	_Atomic int state; /* TERM_*: the last to leave frees it */
};

/* How often term_bounded looks whether libzmq is done. */
#define TERM_LOOK_US 1000

static void *
term_main(void *arg)
{
	struct term *tm = arg;

	zmq_ctx_term(tm->ctx);
	if (atomic_exchange(&tm->state, TERM_DONE) == TERM_ABANDONED)
		free(tm);
	return NULL;
}

/*
 * Ends ctx, waiting about TRANSPORT_TERM_S for libzmq. Every socket
 * is closed by then, with no linger (the consolidator's query socket: at
 * most a second, for the refusals of requests held or unread at a stop),
 * yet zmq_ctx_term can still wait for
 * ever on a slow machine with CURVE and ZAP (libzmq issue 2733: a socket
 * whose closing is never acknowledged); seen as a consolidator that said
 * event=stop under ASan on a loaded machine and never exited. A daemon
 * must stop when told, so the wait runs in a thread of its own, which
 * is left to the process's exit when it does not end in time. Returns
 * false then.
 *
 * The wait is counted in sleeps of TERM_LOOK_US, not against a clock:
 * a wall clock set back (libfaketime in the demo, or a step by NTP) put
 * a deadline in the past, and every client warned that libzmq was stuck;
 * libfaketime's condition-variable wait missed a monotonic one the same
 * way. And pthread_join at the end, not pthread_clockjoin_np, which
 * ThreadSanitizer does not know: it took every such thread for leaked.
 */
static bool
term_bounded(void *ctx)
{
	struct term *tm;
	sigset_t all, old;
	pthread_t th;
	long looks;
	int r, running = TERM_RUNNING;

	tm = calloc(1, sizeof(*tm));
	if (tm == NULL) {
		zmq_ctx_term(ctx); /* no thread: wait as before */
		return true;
	}
	tm->ctx = ctx;
	atomic_init(&tm->state, TERM_RUNNING);
	/* Signals stay with the threads that handle them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&th, NULL, term_main, tm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		free(tm);
		zmq_ctx_term(ctx);
		return true;
	}
	for (looks = 0; atomic_load(&tm->state) == TERM_RUNNING &&
			looks < TRANSPORT_TERM_S * (1000000L / TERM_LOOK_US);
	     looks++)
		usleep(TERM_LOOK_US);
	if (atomic_compare_exchange_strong(&tm->state, &running,
					   TERM_ABANDONED)) {
		pthread_detach(th); /* it frees tm when libzmq returns */
		return false;
	}
	pthread_join(th, NULL);
	free(tm);
	return true;
}

void
transport_free(struct transport **t)
{
	if (t == NULL || *t == NULL)
		return;
	if (!term_bounded((*t)->ctx))
		log_warnx("event=transport_stuck text=\"libzmq did not end its "
			  "context within %d s; left to the process's exit\"",
			  TRANSPORT_TERM_S);
	free(*t);
	*t = NULL;
}

static struct tsock *
tsock_wrap(void *s, int *ret_err)
{
	struct tsock *ts;
	int type = 0;
	size_t sz = sizeof(type);

	if (s == NULL) {
		*ret_err = -errno;
		return NULL;
	}
	ts = calloc(1, sizeof(*ts));
	if (ts == NULL) {
		zmq_close(s);
		*ret_err = -ENOMEM;
		return NULL;
	}
	ts->s = s;
	ts->router =
	    zmq_getsockopt(s, ZMQ_TYPE, &type, &sz) == 0 && type == ZMQ_ROUTER;
	return ts;
}

/* Whether the file at path is the one of device dev and inode ino. */
static bool
local_file_is(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	return lstat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

void
tsock_free(struct tsock **s)
{
	if (s == NULL || *s == NULL)
		return;
	/* Unlinked while it still listens, so no later daemon can have
	 * bound this path, unless someone removed our file and another
	 * daemon made a new one there: that one is not ours (another
	 * inode). A forked child leaves it to its parent. */
	if ((*s)->file[0] != '\0' && (*s)->file_owner == getpid() &&
	    local_file_is((*s)->file, (*s)->file_dev, (*s)->file_ino))
		(void)unlink((*s)->file);
	/* Its monitor stopped first: libzmq 4.3.4 leaks an event's address
	 * frame (monitor_event never closes a message it failed to send)
	 * when one comes, a reconnection's as the socket is taken down,
	 * after the monitor's reader is gone. None comes once stopped. */
	(void)zmq_socket_monitor((*s)->s, NULL, 0);
	zmq_close((*s)->s);
	free(*s);
	*s = NULL;
}

static int
set_int(void *s, int opt, int v)
{
	return zmq_setsockopt(s, opt, &v, sizeof(v));
}

/* Options every socket gets: no lingering, heartbeats (unless lim says
 * none), a size cap. */
static int
set_common(void *s, const struct tsock_limits *lim)
{
	int hb = DEFAULT_HEARTBEAT_MS, hb_timeout;
	int64_t max = -1;

	/* A peer that never reads makes its answers queue: the high-water
	 * mark bounds that queue (a ROUTER drops what is past it). Not the
	 * receiving side: with heartbeats, a connection stalled on a low
	 * ZMQ_RCVHWM and then dropped aborts libzmq 4.3.4 (an assertion in
	 * stream_engine_base.cpp, libzmq issues 3937 and 4229); an ASan run
	 * of test_unread met it every time. Lifted (0) only for an owner
	 * that reads all the socket holds at every pass and keeps a bound
	 * of its own: else libzmq keeps whatever a flooder sends faster
	 * than the daemon reads, with no bound but memory (docs/SECURITY.md,
	 * "Hostile peers"). The abort needs a write after the end was
	 * seen: a heartbeat due, or the answer to a PING the peer sent among
	 * what libzmq read before it stopped (the local sockets, whose peer
	 * may speak ZMTP itself, are lifted). */
	if (lim != NULL && lim->hwm > 0 &&
	    set_int(s, ZMQ_SNDHWM, lim->hwm) != 0)
		return -errno;
	if (lim != NULL && lim->rcv_unbounded && set_int(s, ZMQ_RCVHWM, 0) != 0)
		return -errno;
	if (lim != NULL && lim->heartbeat_ms != 0)
		hb = lim->heartbeat_ms > 0 ? lim->heartbeat_ms : 0;
	hb_timeout = 3 * hb;
	if (lim != NULL && lim->heartbeat_timeout_ms > 0)
		hb_timeout = lim->heartbeat_timeout_ms;
	if (lim != NULL && lim->max_frame > 0)
		max = (int64_t)lim->max_frame;
	if (set_int(s, ZMQ_LINGER, 0) != 0 ||
	    set_int(s, ZMQ_HEARTBEAT_IVL, hb) != 0 ||
	    set_int(s, ZMQ_HEARTBEAT_TIMEOUT, hb_timeout) != 0 ||
	    set_int(s, ZMQ_HEARTBEAT_TTL, hb_timeout) != 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof(max)) != 0)
		return -errno;
	return 0;
}

/*
 * Binds (bind) or connects ts to endpoint, its monitor made first into
 * *ret_mon (unless ret_mon is NULL): a peer waiting to reconnect is
 * accepted (and its handshake may end) as soon as a socket binds, and a
 * handshake can end (or be refused, never to be tried again) as soon as
 * one connects, before a monitor made after exists, and libzmq then
 * tells nobody of it. Returns ts, or NULL with ts (before its monitor,
 * as libzmq's own tests close them) freed and *ret_err = -errno.
 */
static struct tsock *
monitored(struct transport *t, struct tsock *ts, const char *endpoint,
	  bool bind, struct tsock **ret_mon, int *ret_err)
{
	if (ret_mon != NULL) {
		*ret_mon = tsock_monitor(t, ts, ret_err);
		if (*ret_mon == NULL) {
			tsock_free(&ts);
			return NULL;
		}
	}
	if ((bind ? zmq_bind(ts->s, endpoint) : zmq_connect(ts->s, endpoint)) !=
	    0) {
		*ret_err = -errno;
		tsock_free(&ts);
		if (ret_mon != NULL)
			tsock_free(ret_mon);
		return NULL;
	}
	return ts;
}

struct tsock *
tsock_bind_curve(struct transport *t, const char *endpoint,
		 const uint8_t server_sk[TRANSPORT_KEY_LEN],
		 const char *zap_domain, const struct tsock_limits *lim,
		 struct tsock **ret_mon, int *ret_err)
{
	struct tsock *ts = tsock_wrap(zmq_socket(t->ctx, ZMQ_ROUTER), ret_err);
	void *s;

	if (ts == NULL)
		return NULL;
	s = ts->s;
	if (set_common(s, lim) != 0 || set_int(s, ZMQ_ROUTER_HANDOVER, 1) ||
	    set_int(s, ZMQ_ROUTER_MANDATORY, 1) ||
	    (lim != NULL && lim->handshake_ms > 0 &&
	     set_int(s, ZMQ_HANDSHAKE_IVL, lim->handshake_ms) != 0) ||
	    set_int(s, ZMQ_CURVE_SERVER, 1) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, server_sk,
			   TRANSPORT_KEY_LEN) != 0 ||
	    zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, zap_domain, strlen(zap_domain)) !=
		0) {
		*ret_err = -errno;
		tsock_free(&ts);
		return NULL;
	}
	return monitored(t, ts, endpoint, true, ret_mon, ret_err);
}

struct tsock *
tsock_connect_curve(struct transport *t, const char *endpoint,
		    const uint8_t pk[TRANSPORT_KEY_LEN],
		    const uint8_t sk[TRANSPORT_KEY_LEN],
		    const uint8_t server_pk[TRANSPORT_KEY_LEN],
		    const struct tsock_limits *lim, struct tsock **ret_mon,
		    int *ret_err)
{
	struct tsock *ts = tsock_wrap(zmq_socket(t->ctx, ZMQ_DEALER), ret_err);
	void *s;

	if (ts == NULL)
		return NULL;
	s = ts->s;
	if (set_common(s, lim) != 0 || set_int(s, ZMQ_IMMEDIATE, 1) != 0 ||
	    set_int(s, ZMQ_RECONNECT_IVL, 200) != 0 ||
	    set_int(s, ZMQ_RECONNECT_IVL_MAX, TSOCK_RECONNECT_MAX_MS) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_pk,
			   TRANSPORT_KEY_LEN) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pk, TRANSPORT_KEY_LEN) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sk, TRANSPORT_KEY_LEN)) {
		*ret_err = -errno;
		tsock_free(&ts);
		return NULL;
	}
	return monitored(t, ts, endpoint, false, ret_mon, ret_err);
}

int
tsock_undial(struct tsock *s, const char *endpoint)
{
	/* ENOENT: libzmq already let the endpoint go. */
	if (zmq_disconnect(s->s, endpoint) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
tsock_redial(struct tsock *s, const char *endpoint)
{
	int r = tsock_undial(s, endpoint);

	if (r != 0)
		return r;
	return zmq_connect(s->s, endpoint) != 0 ? -errno : 0;
}

int
tsock_reopen_curve(struct transport *t, struct tsock *s, struct tsock *mon,
		   const char *endpoint, const uint8_t pk[TRANSPORT_KEY_LEN],
		   const uint8_t sk[TRANSPORT_KEY_LEN],
		   const uint8_t server_pk[TRANSPORT_KEY_LEN],
		   const struct tsock_limits *lim)
{
	struct tsock *ns, *nmon = NULL, tmp;
	int e = 0;

	ns =
	    tsock_connect_curve(t, endpoint, pk, sk, server_pk, lim, &nmon, &e);
	if (ns == NULL)
		return e;
	/* The new sockets into the caller's structs (whose addresses its
	 * poll lists hold), the old ones closed (linger 0: libzmq's reaper
	 * ends their connections, not this thread). */
	tmp = *s;
	*s = *ns;
	*ns = tmp;
	tmp = *mon;
	*mon = *nmon;
	*nmon = tmp;
	tsock_free(&ns);
	tsock_free(&nmon);
	return 0;
}

int
tsock_local_probe(const char *endpoint)
{
	struct sockaddr_un sa;
	int fd, r = 0;

	if (strncmp(endpoint, "ipc://", 6) != 0)
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(endpoint + 6) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, endpoint + 6);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		r = -errno;
	close(fd);
	return r;
}

struct tsock *
tsock_bind_local(struct transport *t, const char *endpoint, size_t max_frame,
		 int *ret_err)
{
	/* ZMQ_RCVHWM lifted: libzmq 4.3.4 aborts when a connection it
	 * stopped reading at the mark ends and then has to write, and a
	 * client speaking ZMTP itself makes it write at will (a PING left
	 * among the bytes read, answered when reading resumes). No
	 * heartbeats either: the kernel tells of a local client that ends.
	 * What a flooder sends faster than the daemon reads is bounded by
	 * its memory ceiling (docs/SECURITY.md, "Hostile peers"). */
	struct tsock_limits lim = {
	    .max_frame = max_frame, .heartbeat_ms = -1, .rcv_unbounded = true};
	struct tsock *ts;
	struct stat st;
	void *s;

	if (strncmp(endpoint, "ipc://", 6) == 0) {
		int r = tsock_local_probe(endpoint);
		if (r == 0) {
			*ret_err = -EADDRINUSE; /* another daemon's */
			return NULL;
		}
		if (r == -ECONNREFUSED)
			unlink(endpoint + 6); /* left by a killed run */
	}
	s = zmq_socket(t->ctx, ZMQ_ROUTER);
	if (s == NULL) {
		*ret_err = -errno;
		return NULL;
	}
	if (set_common(s, &lim) != 0 || set_int(s, ZMQ_ROUTER_MANDATORY, 1) ||
	    zmq_bind(s, endpoint) != 0) {
		*ret_err = -errno;
		zmq_close(s);
		return NULL;
	}
	if (strncmp(endpoint, "ipc://", 6) != 0)
		return tsock_wrap(s, ret_err);
	chmod(endpoint + 6, 0660);
	ts = tsock_wrap(s, ret_err);
	if (ts != NULL && lstat(endpoint + 6, &st) == 0) {
		snprintf(ts->file, sizeof(ts->file), "%s", endpoint + 6);
		ts->file_owner = getpid();
		ts->file_dev = st.st_dev;
		ts->file_ino = st.st_ino;
	}
	return ts;
}

struct tsock *
tsock_connect_local(struct transport *t, const char *endpoint,
		    struct tsock **ret_mon, int *ret_err)
{
	struct tsock *ts;

	ts = tsock_wrap(zmq_socket(t->ctx, ZMQ_DEALER), ret_err);
	if (ts == NULL)
		return NULL;
	if (set_int(ts->s, ZMQ_LINGER, 0) != 0) {
		*ret_err = -errno;
		tsock_free(&ts);
		return NULL;
	}
	return monitored(t, ts, endpoint, false, ret_mon, ret_err);
}

struct tsock *
tsock_zap(struct transport *t, int *ret_err)
{
	void *s = zmq_socket(t->ctx, ZMQ_REP);

	if (s == NULL) {
		*ret_err = -errno;
		return NULL;
	}
	if (set_int(s, ZMQ_LINGER, 0) != 0 || zmq_bind(s, ZAP_ENDPOINT) != 0) {
		*ret_err = -errno;
		zmq_close(s);
		return NULL;
	}
	return tsock_wrap(s, ret_err);
}

struct tsock *
tsock_monitor(struct transport *t, struct tsock *s, int *ret_err)
{
	char ep[64];
	void *pair;

	snprintf(ep, sizeof(ep), "inproc://kuska-monitor-%u", t->monitors++);
	if (zmq_socket_monitor(s->s, ep,
			       ZMQ_EVENT_CONNECTED | ZMQ_EVENT_ACCEPTED |
				   ZMQ_EVENT_CONNECT_RETRIED |
				   ZMQ_EVENT_DISCONNECTED |
				   ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
				   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
				   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
				   ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0) {
		*ret_err = -errno;
		return NULL;
	}
	pair = zmq_socket(t->ctx, ZMQ_PAIR);
	if (pair == NULL) {
		*ret_err = -errno;
		return NULL;
	}
	if (set_int(pair, ZMQ_LINGER, 0) != 0 || zmq_connect(pair, ep) != 0) {
		*ret_err = -errno;
		zmq_close(pair);
		return NULL;
	}
	return tsock_wrap(pair, ret_err);
}

int
tsock_set_linger(struct tsock *s, int ms)
{
	return set_int(s->s, ZMQ_LINGER, ms) != 0 ? -errno : 0;
}

void
tsock_set_wipe(struct tsock *s)
{
	s->wipe = true;
}

const char *
transport_z85(const uint8_t key[TRANSPORT_KEY_LEN], char out[41])
{
	if (zmq_z85_encode(out, key, TRANSPORT_KEY_LEN) == NULL)
		out[0] = '\0';
	return out;
}
