/* transport.c - libzmq sockets, CURVE and ZAP; see transport.h. */
#include "transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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

/* Linux's tcp_info (tcpi_bytes_received); not netinet/tcp.h's, which
 * stops short of it. */
#include <linux/tcp.h>

#include <zmq.h>

#include "log.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define DEFAULT_HEARTBEAT_MS 2000

struct transport {
	void *ctx;
	unsigned monitors; /* to name monitor endpoints uniquely */
};

struct tsock {
	void *s;
	bool wipe;   /* wipe received frames in libzmq's memory */
	bool router; /* a ROUTER: keeps a refused message's routing id */
	/* The socket file tsock_bind_local made, which libzmq leaves behind
	 * when the socket closes ("" for any other socket), the process
	 * that made it, and the file's identity, to know it is still ours. */
	char file[sizeof(((struct sockaddr_un *)0)->sun_path)];
	pid_t file_owner;
	dev_t file_dev;
	ino_t file_ino;
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

void
tframes_clear(struct tframes *f)
{
	size_t i;

	if (f->data != NULL)
		for (i = 0; i < f->n; i++)
			free(f->data[i]);
	free(f->data);
	free(f->len);
	explicit_bzero(f->head, sizeof(f->head)); /* a wiping socket's too */
	memset(f, 0, sizeof(*f));
}

/* Drops frame m of s, wiped first if s wipes what it receives. */
static void
msg_drop(const struct tsock *s, zmq_msg_t *m)
{
	if (s->wipe && zmq_msg_size(m) > 0)
		explicit_bzero(zmq_msg_data(m), zmq_msg_size(m));
	zmq_msg_close(m);
}

/* Reads and drops the remaining frames of a message. */
static void
drain(const struct tsock *s)
{
	int more = 1;
	size_t sz = sizeof(more);

	while (zmq_getsockopt(s->s, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->s, 0) < 0) {
			zmq_msg_close(&m);
			return;
		}
		msg_drop(s, &m);
	}
}

/* Frees the frames of f from keep on, wiped first if s wipes them. */
static void
frames_cut(const struct tsock *s, struct tframes *f, size_t keep)
{
	for (; f->n > keep; f->n--) {
		if (s->wipe)
			explicit_bzero(f->data[f->n - 1], f->len[f->n - 1]);
		free(f->data[f->n - 1]);
	}
}

/*
 * A refused message: keeps its frame 0 and the head of its frame 1,
 * which is either already copied or m, the frame that went over.
 */
static void
keep_refused(const struct tsock *s, struct tframes *f, zmq_msg_t *m)
{
	const uint8_t *one = NULL;
	size_t len = 0;

	if (f->n >= 2) {
		one = f->data[1];
		len = f->len[1];
	} else if (f->n == 1) {
		one = zmq_msg_data(m);
		len = zmq_msg_size(m);
	}
	f->head_len = len < TFRAMES_HEAD_LEN ? len : TFRAMES_HEAD_LEN;
	if (f->head_len > 0)
		memcpy(f->head, one, f->head_len);
	frames_cut(s, f, 1);
}

/* tsock_recv, and tsock_recv_routed when judge is not NULL. */
static int
recv_message(struct tsock *s, struct tframes *ret, size_t max_frames,
	     size_t max_bytes, tsock_route_fn judge, void *arg)
{
	enum tsock_route route = TSOCK_ROUTE_TAKE;
	size_t cap = 0, total = 0;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	ret->fd = -1;
	for (;;) {
		zmq_msg_t m;
		size_t len;
		int more;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->s, ret->n == 0 ? ZMQ_DONTWAIT : 0) <
		    0) {
			r = -errno;
			zmq_msg_close(&m);
			break;
		}
		len = zmq_msg_size(&m);
		more = zmq_msg_more(&m);
		if (ret->n == 0 && judge != NULL && s->router)
			route = judge(arg, zmq_msg_data(&m), len);
		if (route == TSOCK_ROUTE_DROP) {
			msg_drop(s, &m);
			if (more)
				drain(s);
			r = -ENOSPC;
			break;
		}
		/* A ROUTER's routing-id frame has no metadata: ask each. */
		if (ret->user_id[0] == '\0') {
			const char *uid = zmq_msg_gets(&m, "User-Id");
			if (uid != NULL)
				snprintf(ret->user_id, sizeof(ret->user_id),
					 "%s", uid);
		}
		if (ret->peer[0] == '\0') {
			const char *pa = zmq_msg_gets(&m, "Peer-Address");
			if (pa != NULL)
				snprintf(ret->peer, sizeof(ret->peer), "%s",
					 pa);
		}
		/* The connection's descriptor (ZMQ_SRCFD: deprecated, and
		 * the only way libzmq 4.3 tells which connection spoke). */
		if (ret->fd < 0)
			ret->fd = zmq_msg_get(&m, ZMQ_SRCFD);
		total += len;
		if (ret->n >= max_frames || total > max_bytes) {
			if (s->router)
				keep_refused(s, ret, &m);
			msg_drop(s, &m);
			if (more)
				drain(s);
			r = -EMSGSIZE;
			break;
		}
		if (ret->n == cap) {
			size_t ncap = cap ? 2 * cap : 4;
			uint8_t **nd = realloc(ret->data, ncap * sizeof(*nd));
			size_t *nl;
			if (nd != NULL)
				ret->data = nd;
			nl = realloc(ret->len, ncap * sizeof(*nl));
			if (nl != NULL)
				ret->len = nl;
			if (nd == NULL || nl == NULL) {
				msg_drop(s, &m);
				if (more)
					drain(s);
				r = -ENOMEM;
				break;
			}
			cap = ncap;
		}
		ret->data[ret->n] = malloc(len ? len : 1);
		if (ret->data[ret->n] == NULL) {
			msg_drop(s, &m);
			if (more)
				drain(s);
			r = -ENOMEM;
			break;
		}
		if (len > 0)
			memcpy(ret->data[ret->n], zmq_msg_data(&m), len);
		if (s->wipe && len > 0)
			explicit_bzero(zmq_msg_data(&m), len);
		ret->len[ret->n] = len;
		ret->n++;
		zmq_msg_close(&m);
		if (route == TSOCK_ROUTE_REFUSE) {
			if (more)
				drain(s);
			return -ENOSPC;
		}
		if (!more)
			break;
	}
	if (r != 0 && !(r == -EMSGSIZE && s->router) && r != -ENOSPC) {
		frames_cut(s, ret, 0);
		tframes_clear(ret);
	}
	if (ret->n == 0)
		ret->fd = -1;
	return r;
}

int
tsock_recv(struct tsock *s, struct tframes *ret, size_t max_frames,
	   size_t max_bytes)
{
	return recv_message(s, ret, max_frames, max_bytes, NULL, NULL);
}

int
tsock_recv_routed(struct tsock *s, struct tframes *ret, size_t max_frames,
		  size_t max_bytes, tsock_route_fn judge, void *arg)
{
	return recv_message(s, ret, max_frames, max_bytes, judge, arg);
}

/*
 * refresh - makes libzmq process the commands the socket's mailbox holds,
 * among them its I/O thread's word of how far each peer's pipe has been
 * read (activate_write, sent once for every half high-water mark read).
 * A send refused for a full pipe (EAGAIN) may have met a count of unread
 * messages that is only out of date: after this, it is the I/O thread's.
 * Whether a second try is worth it (the pipe may have room now).
 */
static bool
refresh(struct tsock *s)
{
	int events = 0;
	size_t sz = sizeof(events);

	return zmq_getsockopt(s->s, ZMQ_EVENTS, &events, &sz) == 0;
}

int
tsock_send(struct tsock *s, const void *const *data, const size_t *len,
	   size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
		if (zmq_send(s->s, data[i], len[i], flags) >= 0)
			continue;
		/* The first frame only: then nothing was taken. */
		if (errno != EAGAIN || i > 0 || !refresh(s) ||
		    zmq_send(s->s, data[i], len[i], flags) < 0)
			return -errno;
	}
	return 0;
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

/* libzmq's free function for a handed-over buffer: wipe, then free. */
static void
wipe_free(void *data, void *hint)
{
	explicit_bzero(data, (size_t)(uintptr_t)hint);
	free(data);
}

static void
wipe_free_all(uint8_t **bufs, const size_t *lens, size_t from, size_t n)
{
	size_t i;

	for (i = from; i < n; i++) {
		if (bufs[i] == NULL)
			continue;
		explicit_bzero(bufs[i], lens[i]);
		free(bufs[i]);
		bufs[i] = NULL;
	}
}

int
tsock_send_handover(struct tsock *s, const void *head, size_t head_len,
		    uint8_t **bufs, const size_t *lens, size_t n)
{
	size_t i;
	int r;

	/* Only the first frame can meet the high-water mark (or no peer):
	 * then nothing was taken, and a full pipe is looked at again. */
	if (zmq_send(s->s, head, head_len,
		     ZMQ_DONTWAIT | (n > 0 ? ZMQ_SNDMORE : 0)) < 0 &&
	    (errno != EAGAIN || !refresh(s) ||
	     zmq_send(s->s, head, head_len,
		      ZMQ_DONTWAIT | (n > 0 ? ZMQ_SNDMORE : 0)) < 0))
		return -errno;
	for (i = 0; i < n; i++) {
		zmq_msg_t m;
		int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
		/* A zero-length buffer is still ours to free. */
		if (zmq_msg_init_data(&m, bufs[i], lens[i], wipe_free,
				      (void *)(uintptr_t)lens[i]) != 0) {
			r = -errno;
			wipe_free_all(bufs, lens, i, n);
			return r;
		}
		bufs[i] = NULL; /* the message owns it now */
		if (zmq_msg_send(&m, s->s, flags) < 0) {
			r = -errno;
			zmq_msg_close(&m); /* calls wipe_free */
			wipe_free_all(bufs, lens, i + 1, n);
			return r;
		}
	}
	return 0;
}

#define TSOCK_POLL_MAX 16

int
tsock_poll(struct tsock **socks, size_t n, bool *ready, long timeout_ms)
{
	return tsock_poll_fd(socks, n, ready, -1, NULL, timeout_ms);
}

int
tsock_poll_fd(struct tsock **socks, size_t n, bool *ready, int fd,
	      bool *ret_fd_ready, long timeout_ms)
{
	zmq_pollitem_t items[TSOCK_POLL_MAX + 1];
	size_t i, m = n;
	int r;

	if (n > TSOCK_POLL_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		items[i].socket = socks[i] != NULL ? socks[i]->s : NULL;
		items[i].fd = -1;
		items[i].events = socks[i] != NULL ? ZMQ_POLLIN : 0;
		items[i].revents = 0;
	}
	if (fd >= 0) {
		items[m].socket = NULL;
		items[m].fd = fd;
		items[m].events = ZMQ_POLLIN;
		items[m].revents = 0;
		m++;
	}
	r = zmq_poll(items, (int)m, timeout_ms);
	if (r < 0)
		return -errno;
	for (i = 0; i < n; i++)
		ready[i] = (items[i].revents & ZMQ_POLLIN) != 0;
	if (ret_fd_ready != NULL)
		*ret_fd_ready = fd >= 0 && (items[n].revents & ZMQ_POLLIN) != 0;
	return r;
}

int
tsock_monitor_read(struct tsock *mon, enum tevent *ret, char *addr, size_t cap)
{
	struct tmon_event e;
	int r = tsock_monitor_next(mon, &e);

	if (r != 0)
		return r;
	*ret = e.ev;
	if (cap > 0)
		snprintf(addr, cap, "%s", e.addr);
	return 0;
}

int
tsock_monitor_next(struct tsock *mon, struct tmon_event *ret)
{
	struct tframes f;
	uint16_t ev;
	uint32_t value = 0;
	int r;

	r = tsock_recv(mon, &f, 2, 4096);
	if (r != 0)
		return r;
	memset(ret, 0, sizeof(*ret));
	ret->ev = TEVENT_OTHER;
	ret->fd = -1;
	if (f.n >= 1 && f.len[0] >= 6) {
		memcpy(&ev, f.data[0], 2);
		memcpy(&value, f.data[0] + 2, 4);
		switch (ev) {
		case ZMQ_EVENT_CONNECTED:
			ret->ev = TEVENT_CONNECTED;
			break;
		case ZMQ_EVENT_CONNECT_RETRIED:
			ret->ev = TEVENT_CONNECT_RETRIED;
			break;
		case ZMQ_EVENT_ACCEPTED:
			ret->ev = TEVENT_ACCEPTED;
			ret->fd = (int)value;
			/* Ask now: the connection may end at any time, and
			 * its number be given to another. */
			if (transport_peer_name(ret->fd, ret->peer,
						sizeof(ret->peer)) != 0)
				ret->peer[0] = '\0';
			break;
		case ZMQ_EVENT_DISCONNECTED:
			ret->ev = TEVENT_DISCONNECTED;
			ret->fd = (int)value;
			break;
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			ret->ev = TEVENT_HANDSHAKE_OK;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			ret->ev = TEVENT_HANDSHAKE_FAILED_AUTH;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
			ret->ev = TEVENT_HANDSHAKE_FAILED;
			break;
		}
	}
	if (f.n >= 2) {
		size_t l = f.len[1] < sizeof(ret->addr) - 1
			       ? f.len[1]
			       : sizeof(ret->addr) - 1;
		memcpy(ret->addr, f.data[1], l);
		ret->addr[l] = '\0';
	}
	tframes_clear(&f);
	return 0;
}

int
transport_peer_name(int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN];

	if (fd < 0)
		return -EBADF;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return -errno;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
		if (inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip)) == NULL)
			return -errno;
		snprintf(out, cap, "%s:%u", ip, ntohs(a->sin_port));
		return 0;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
		if (inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip)) == NULL)
			return -errno;
		snprintf(out, cap, "[%s]:%u", ip, ntohs(a->sin6_port));
		return 0;
	}
	return -EAFNOSUPPORT;
}

int
transport_bytes_in(int fd, uint64_t *ret)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return -errno;
	if (len < offsetof(struct tcp_info, tcpi_bytes_received) +
		      sizeof(ti.tcpi_bytes_received))
		return -EOPNOTSUPP;
	*ret = ti.tcpi_bytes_received;
	return 0;
}

int
transport_drop(int fd, const char *peer)
{
	char now[TRANSPORT_PEER_MAX];

	/* The same peer address and port: the same connection. Had it
	 * ended and its number gone to another, that other would come
	 * from another port (the old pair lingers in TIME_WAIT). */
	if (transport_peer_name(fd, now, sizeof(now)) != 0 ||
	    strcmp(now, peer) != 0)
		return -ESTALE;
	/* Only the ends are shut: libzmq still owns the descriptor and
	 * closes it when it sees the connection end. */
	if (shutdown(fd, SHUT_RDWR) != 0)
		return -errno;
	return 0;
}

/* Sends a ZAP reply: version, request id, status, text, user id, meta. */
static void
zap_reply(void *s, const uint8_t *req_id, size_t req_id_len, const char *status,
	  const char *text, const char *user_id)
{
	zmq_send(s, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(s, req_id, req_id_len, ZMQ_SNDMORE);
	zmq_send(s, status, strlen(status), ZMQ_SNDMORE);
	zmq_send(s, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(s, user_id, strlen(user_id), ZMQ_SNDMORE);
	zmq_send(s, "", 0, 0);
}

/* A copy of a frame as a NUL-ended string, truncated to cap. */
static void
frame_str(const struct tframes *f, size_t i, char *out, size_t cap)
{
	size_t l = f->len[i] < cap - 1 ? f->len[i] : cap - 1;

	memcpy(out, f->data[i], l);
	out[l] = '\0';
}

int
tsock_zap_serve(struct tsock *zap, tsock_zap_fn decide, void *arg)
{
	struct tframes f;
	char domain[64], address[64], mech[16];
	char user_id[TRANSPORT_USER_ID_MAX] = "";
	int r;

	r = tsock_recv(zap, &f, 16, 64 * 1024);
	if (r == -EMSGSIZE) {
		zap_reply(zap->s, (const uint8_t *)"", 0, "500", "bad request",
			  "");
		return -EBADMSG;
	}
	if (r != 0)
		return r;
	/* version, request id, domain, address, identity, mechanism, key */
	if (f.n < 6 || f.len[0] != 3 || memcmp(f.data[0], "1.0", 3) != 0) {
		zap_reply(zap->s, f.n > 1 ? f.data[1] : (const uint8_t *)"",
			  f.n > 1 ? f.len[1] : 0, "500", "bad request", "");
		tframes_clear(&f);
		return -EBADMSG;
	}
	frame_str(&f, 2, domain, sizeof(domain));
	frame_str(&f, 3, address, sizeof(address));
	frame_str(&f, 5, mech, sizeof(mech));
	if (strcmp(mech, "CURVE") != 0 || f.n < 7 ||
	    f.len[6] != TRANSPORT_KEY_LEN) {
		zap_reply(zap->s, f.data[1], f.len[1], "400", "CURVE required",
			  "");
		tframes_clear(&f);
		return 0;
	}
	if (decide(arg, domain, address, f.data[6], user_id, sizeof(user_id)) ==
	    0)
		zap_reply(zap->s, f.data[1], f.len[1], "200", "OK", user_id);
	else
		zap_reply(zap->s, f.data[1], f.len[1], "400", "not registered",
			  "");
	tframes_clear(&f);
	return 0;
}

const char *
transport_z85(const uint8_t key[TRANSPORT_KEY_LEN], char out[41])
{
	if (zmq_z85_encode(out, key, TRANSPORT_KEY_LEN) == NULL)
		out[0] = '\0';
	return out;
}
