/* query_reader.c - the query socket's reader thread; see query_reader.h. */
#include "query_reader.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "codec.h"
#include "daemon.h"
#include "date.h"
#include "log.h"
#include "peers.h"

/* A request waiting, in its connection's list. */
struct qr_req {
	struct tframes f;
	bool too_large;
	size_t bytes; /* counted against QUERY_READER_MAX_BYTES */
	struct qr_req *next;
};

/* A connection with requests waiting, in arrival order. */
struct qr_conn {
	uint8_t *rid; /* its routing id (the first request's frame 0) */
	size_t rid_len;
	size_t n;
	struct qr_req *head, *tail;
};

/* An answer to send: routing id and bytes, in one allocation. */
struct qr_answer {
	struct qr_answer *next;
	int fd;		  /* its request's tframes.fd */
	uint64_t conn_id; /* .conn_id */
	bool close_after; /* and .close_after, or refused since */
	size_t rid_len, len;
	uint8_t data[]; /* rid_len bytes of routing id, then len */
};

struct query_reader {
	struct cons *c;
	struct tsock *s;
	size_t max_parts, max_bytes;
	pthread_t thread;
	int req_fd;  /* readable while n > 0 (query_reader_fd) */
	int wake_fd; /* answers to send, or the stop */
	/* The refusals, encoded once. */
	uint8_t *busy, *stopping_text;
	size_t busy_len, stopping_len;
	pthread_mutex_t mu; /* guards what follows */
	/* Connections with requests waiting, taken in turn from turn;
	 * at most as many as requests (each has one at least). */
	struct qr_conn *conns[QUERY_READER_MAX + QUERY_READER_SPARE];
	size_t n_conns, turn;
	size_t n, bytes; /* requests waiting, and their bytes */
	struct qr_answer *ans_head, *ans_tail;
	bool stop, stopping;
	bool refused_stopping; /* a stopping refusal went out, or will */
	int stop_linger_ms;
};

/* Bytes a request keeps: its frames and what holds them. */
static size_t
req_bytes(const struct tframes *f)
{
	size_t b = sizeof(struct qr_req), i;

	for (i = 0; i < f->n; i++)
		b += f->len[i] + sizeof(f->data[i]) + sizeof(f->len[i]);
	return b;
}

/* The connection of routing id rid among those waiting, or NULL. */
static struct qr_conn *
conn_find(struct query_reader *r, const uint8_t *rid, size_t len)
{
	size_t i;

	for (i = 0; i < r->n_conns; i++)
		if (r->conns[i]->rid_len == len &&
		    memcmp(r->conns[i]->rid, rid, len) == 0)
			return r->conns[i];
	return NULL;
}

/*
 * Whether a request of bytes (as req_bytes counts them) from connection q
 * (NULL: none of its requests waits) is kept; under mu. A connection
 * with none waiting may use the spare (QUERY_READER_SPARE), so r->bytes
 * may be over QUERY_READER_MAX_BYTES.
 */
static bool
fits(const struct query_reader *r, const struct qr_conn *q, size_t bytes)
{
	size_t max = QUERY_READER_MAX, max_bytes = QUERY_READER_MAX_BYTES;

	if (q == NULL) {
		max += QUERY_READER_SPARE;
		max_bytes += QUERY_READER_SPARE_BYTES;
	} else if (q->n >= QUERY_READER_CONN_MAX)
		return false;
	return r->n < max && r->bytes <= max_bytes &&
	       bytes <= max_bytes - r->bytes;
}

static void
conn_free(struct qr_conn *q)
{
	free(q->rid);
	free(q);
}

/*
 * Queues f on its connection when the bounds allow; under mu. Returns 0
 * (f is the queue's), or -ENOSPC or -ENOMEM (f is still the caller's).
 */
static int
push(struct query_reader *r, struct tframes *f, bool too_large)
{
	struct qr_conn *q = conn_find(r, f->data[0], f->len[0]);
	size_t bytes = req_bytes(f);
	struct qr_req *e;

	if (!fits(r, q, bytes))
		return -ENOSPC;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	if (q == NULL) {
		q = calloc(1, sizeof(*q));
		if (q == NULL || (q->rid = malloc(f->len[0] + 1)) == NULL) {
			free(q);
			free(e);
			return -ENOMEM;
		}
		memcpy(q->rid, f->data[0], f->len[0]);
		q->rid_len = f->len[0];
		r->conns[r->n_conns++] = q;
	}
	e->f = *f;
	e->too_large = too_large;
	e->bytes = bytes;
	if (q->tail != NULL)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	q->n++;
	if (r->n++ == 0) {
		uint64_t one = 1;
		(void)!write(r->req_fd, &one, sizeof(one));
	}
	r->c->queries_waiting = r->n;
	r->bytes += bytes;
	return 0;
}

/* One pass of read_all: the requests over the bounds, and those of them
 * refused (the others dropped). */
struct pass {
	struct query_reader *r;
	size_t over, refused;
};

/* Whether a request from routing id rid is taken (queued), refused at
 * once (over the bounds) or, past the pass's refusals, dropped. */
static enum tsock_route
judge(void *arg, const uint8_t *rid, size_t len)
{
	struct pass *p = arg;
	struct query_reader *r = p->r;
	struct qr_conn *q;
	bool room;

	pthread_mutex_lock(&r->mu);
	q = conn_find(r, rid, len);
	room = fits(r, q, 1); /* its bytes are not known yet */
	pthread_mutex_unlock(&r->mu);
	if (room)
		return TSOCK_ROUTE_TAKE;
	p->over++;
	if (p->refused < QUERY_READER_REFUSE_MAX) {
		p->refused++;
		return TSOCK_ROUTE_REFUSE;
	}
	r->c->queries_dropped++;
	return TSOCK_ROUTE_DROP;
}

/* Once an answer is sent on connection fd: closed shortly if it was a
 * refusal that closes (close), and fd still holds connection conn_id. */
static void
close_refused(struct query_reader *r, int fd, uint64_t conn_id, bool close)
{
	if (close && conn_id != 0)
		peer_refused(r->c, fd, conn_id);
}

/* Refuses f (its routing id) at once, as busy or, stopping, as such; f
 * is cleared. */
static void
refuse(struct query_reader *r, struct tframes *f)
{
	bool stopping;

	pthread_mutex_lock(&r->mu);
	stopping = r->stopping;
	if (stopping)
		r->refused_stopping = true;
	pthread_mutex_unlock(&r->mu);
	{
		const void *data[2] = {f->data[0],
				       stopping ? r->stopping_text : r->busy};
		size_t lens[2] = {f->len[0],
				  stopping ? r->stopping_len : r->busy_len};
		/* Not logged: a flood's connection, full, refuses thousands
		 * a second. */
		(void)tsock_send(r->s, data, lens, 2);
	}
	close_refused(r, f->fd, f->conn_id, f->close_after);
	if (!stopping)
		r->c->queries_refused_busy++;
	tframes_clear(f);
}

/*
 * Reads what the socket holds, up to QUERY_READER_READ_MAX messages:
 * each queued, or refused, or dropped. Returns whether it stopped at the
 * bound (more may wait).
 */
static bool
read_all(struct query_reader *r)
{
	struct pass p = {.r = r};
	bool more = true;
	size_t n;

	for (n = 0; n < QUERY_READER_READ_MAX; n++) {
		struct tframes f;
		int e = tsock_recv_routed(r->s, &f, r->max_parts, r->max_bytes,
					  judge, &p);
		bool too_large = e == -EMSGSIZE;

		if (e == -ENOSPC) {
			if (f.n == 1)
				refuse(r, &f);
			tframes_clear(&f);
			continue;
		}
		if (too_large && f.n != 1) {
			r->c->frames_refused++; /* no routing id kept */
			tframes_clear(&f);
			continue;
		}
		if (e != 0 && !too_large) {
			tframes_clear(&f);
			more = false;
			break;
		}
		/* Now, while f.fd names its connection still. */
		f.conn_id = peer_read(r->c, &f, &f.close_after);
		pthread_mutex_lock(&r->mu);
		e = push(r, &f, too_large);
		pthread_mutex_unlock(&r->mu);
		if (e == 0)
			continue;
		/* Over the bytes (judge could not know them), or no memory. */
		p.over++;
		if (p.refused < QUERY_READER_REFUSE_MAX) {
			p.refused++;
			refuse(r, &f);
		} else {
			r->c->queries_dropped++;
			close_refused(r, f.fd, f.conn_id, f.close_after);
		}
		tframes_clear(&f);
	}
	if (p.over > 0)
		log_debug("event=query_reader_refused over=%zu refused=%zu "
			  "dropped=%zu",
			  p.over, p.refused, p.over - p.refused);
	return more;
}

/* Sends the answers handed over so far. */
static void
send_answers(struct query_reader *r)
{
	struct qr_answer *a, *next;

	pthread_mutex_lock(&r->mu);
	a = r->ans_head;
	r->ans_head = r->ans_tail = NULL;
	pthread_mutex_unlock(&r->mu);
	for (; a != NULL; a = next) {
		const void *data[2] = {a->data, a->data + a->rid_len};
		size_t lens[2] = {a->rid_len, a->len};
		int e = tsock_send(r->s, data, lens, 2);

		if (e != 0)
			log_debug("event=reply_not_delivered error=%s",
				  LOG_Q(strerror(-e)));
		close_refused(r, a->fd, a->conn_id, a->close_after);
		next = a->next;
		free(a);
	}
}

/* Refuses (refuse) every request waiting; returns how many. */
static size_t
refuse_queued(struct query_reader *r)
{
	struct tframes f;
	bool too_large;
	size_t n = 0;

	while (query_reader_take(r, &f, &too_large) == 0) {
		refuse(r, &f);
		n++;
	}
	return n;
}

/*
 * At the stop, once the query thread takes no more: the requests still
 * waiting are refused (CODEC_QUERY_STOPPING) rather than dropped, their
 * clients otherwise left to their time-out; those the query thread had
 * not taken yet (query_net_unread_refuse) once it found none, or past the ones
 * it refuses. Then, when any stopping refusal went out (here, or the query
 * thread's: query_reader_refused_stopping), the socket is read on for
 * the stop's linger, refusing what comes, before it is closed: closed
 * just after its refusals, one was lost now and then, its linger
 * notwithstanding (1 run in 8 of test_query_stop_waiting under ASan;
 * test_audit_serve, a few of 56 in one run of three). This thread alone
 * lingers, once, whichever thread refused. Nothing when the query thread
 * did not stop (never started).
 */
static void
refuse_waiting(struct query_reader *r)
{
	struct tsock *socks[1] = {r->s};
	uint64_t now, until;
	bool stopping, linger;
	size_t n;

	pthread_mutex_lock(&r->mu);
	stopping = r->stopping;
	pthread_mutex_unlock(&r->mu);
	if (!stopping)
		return;
	n = refuse_queued(r);
	pthread_mutex_lock(&r->mu);
	linger = r->refused_stopping;
	pthread_mutex_unlock(&r->mu);
	if (!linger)
		return;
	until = date_mono_ms() + (uint64_t)r->stop_linger_ms;
	while ((now = date_mono_ms()) < until) {
		bool ready[1] = {false};

		if (tsock_poll_fd(socks, 1, ready, -1, NULL,
				  (long)(until - now)) <= 0)
			break;
		if (ready[0]) {
			(void)read_all(r);
			n += refuse_queued(r);
		}
	}
	if (n > 0)
		log_info("event=query_stop_refused waiting=%zu", n);
}

static void *
reader_main(void *arg)
{
	struct query_reader *r = arg;
	struct tsock *socks[1] = {r->s};
	bool more = false;

	(void)pthread_setname_np(pthread_self(), QUERY_READER_THREAD_NAME);
	for (;;) {
		bool ready[1] = {false}, wake = false, stop;
		uint64_t v;
		int e;

		e = tsock_poll_fd(socks, 1, ready, r->wake_fd, &wake,
				  more ? 0 : -1);
		if (e < 0 && e != -EINTR) {
			log_warnx("event=query_poll_failed error=%s",
				  LOG_Q(strerror(-e)));
			usleep(100000);
			continue;
		}
		if (wake)
			(void)!read(r->wake_fd, &v, sizeof(v));
		more = e > 0 && ready[0] && read_all(r);
		send_answers(r);
		pthread_mutex_lock(&r->mu);
		stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
	}
	send_answers(r);
	refuse_waiting(r);
	return NULL;
}

struct query_reader *
query_reader_start(struct cons *c, struct tsock *s, size_t max_parts,
		   size_t max_bytes, uint32_t k, int *ret_err)
{
	struct query_reader *r = calloc(1, sizeof(*r));
	struct qtable tab;
	sigset_t all, old;
	int e = -ENOMEM;

	if (r == NULL)
		goto fail;
	r->c = c;
	r->s = s;
	r->max_parts = max_parts;
	r->max_bytes = max_bytes;
	r->req_fd = r->wake_fd = -1;
	memset(&tab, 0, sizeof(tab));
	tab.k = k;
	snprintf(tab.error, sizeof(tab.error), "%s", CODEC_QUERY_CROWDED);
	if (codec_qtable_encode(&tab, &r->busy, &r->busy_len) != 0)
		goto fail;
	snprintf(tab.error, sizeof(tab.error), "%s", CODEC_QUERY_STOPPING);
	if (codec_qtable_encode(&tab, &r->stopping_text, &r->stopping_len) != 0)
		goto fail;
	pthread_mutex_init(&r->mu, NULL);
	r->req_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->req_fd < 0 || r->wake_fd < 0) {
		e = -errno;
		goto fail_mu;
	}
	/* Signals go to the main thread. */
	daemon_thread_signals(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = -pthread_create(&r->thread, NULL, reader_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		goto fail_mu;
	return r;
fail_mu:
	pthread_mutex_destroy(&r->mu);
fail:
	if (r != NULL) {
		if (r->req_fd >= 0)
			close(r->req_fd);
		if (r->wake_fd >= 0)
			close(r->wake_fd);
		free(r->busy);
		free(r->stopping_text);
		free(r);
	}
	*ret_err = e;
	return NULL;
}

static void
wake(struct query_reader *r)
{
	uint64_t one = 1;

	(void)!write(r->wake_fd, &one, sizeof(one));
}

void
query_reader_stop(struct query_reader **rp)
{
	struct query_reader *r = *rp;
	size_t i;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_mutex_unlock(&r->mu);
	wake(r);
	pthread_join(r->thread, NULL);
	/* The thread is gone: no lock needed from here on. */
	if (r->refused_stopping && r->stop_linger_ms > 0)
		(void)tsock_set_linger(r->s, r->stop_linger_ms);
	for (i = 0; i < r->n_conns; i++) {
		struct qr_req *e, *next;
		for (e = r->conns[i]->head; e != NULL; e = next) {
			next = e->next;
			tframes_clear(&e->f);
			free(e);
		}
		conn_free(r->conns[i]);
	}
	r->c->queries_waiting = 0;
	close(r->req_fd);
	close(r->wake_fd);
	pthread_mutex_destroy(&r->mu);
	free(r->busy);
	free(r->stopping_text);
	free(r);
	*rp = NULL;
}

int
query_reader_fd(const struct query_reader *r)
{
	return r->req_fd;
}

int
query_reader_take(struct query_reader *r, struct tframes *ret,
		  bool *ret_too_large)
{
	struct qr_conn *q;
	struct qr_req *e;
	size_t i;

	pthread_mutex_lock(&r->mu);
	if (r->n_conns == 0) {
		pthread_mutex_unlock(&r->mu);
		return -EAGAIN;
	}
	i = r->turn % r->n_conns;
	q = r->conns[i];
	e = q->head;
	q->head = e->next;
	if (q->head == NULL)
		q->tail = NULL;
	if (--q->n == 0) {
		/* The next connection slides into its place: its turn. */
		memmove(&r->conns[i], &r->conns[i + 1],
			(r->n_conns - i - 1) * sizeof(r->conns[0]));
		r->n_conns--;
		conn_free(q);
		r->turn = i;
	} else
		r->turn = i + 1;
	r->bytes -= e->bytes;
	if (--r->n == 0) {
		uint64_t v;
		(void)!read(r->req_fd, &v, sizeof(v));
	}
	r->c->queries_waiting = r->n;
	pthread_mutex_unlock(&r->mu);
	*ret = e->f;
	*ret_too_large = e->too_large;
	free(e);
	return 0;
}

void
query_reader_answer(struct query_reader *r, const struct tframes *req,
		    const uint8_t *buf, size_t len, bool close)
{
	size_t rid_len = req->n > 0 ? req->len[0] : 0;
	struct qr_answer *a;
	bool first;

	if (rid_len == 0 || len > SIZE_MAX - sizeof(*a) - rid_len)
		return;
	a = malloc(sizeof(*a) + rid_len + len);
	if (a == NULL) {
		log_debug("event=reply_not_delivered error=%s",
			  LOG_Q(strerror(ENOMEM)));
		close_refused(r, req->fd, req->conn_id,
			      req->close_after || close);
		return;
	}
	a->next = NULL;
	a->fd = req->fd;
	a->conn_id = req->conn_id;
	a->close_after = req->close_after || close;
	a->rid_len = rid_len;
	a->len = len;
	memcpy(a->data, req->data[0], rid_len);
	if (len > 0)
		memcpy(a->data + rid_len, buf, len);
	pthread_mutex_lock(&r->mu);
	first = r->ans_head == NULL;
	if (r->ans_tail != NULL)
		r->ans_tail->next = a;
	else
		r->ans_head = a;
	r->ans_tail = a;
	pthread_mutex_unlock(&r->mu);
	if (first)
		wake(r);
}

void
query_reader_stopping(struct query_reader *r, int linger_ms)
{
	pthread_mutex_lock(&r->mu);
	r->stopping = true;
	r->stop_linger_ms = linger_ms;
	pthread_mutex_unlock(&r->mu);
}

void
query_reader_refused_stopping(struct query_reader *r)
{
	pthread_mutex_lock(&r->mu);
	r->refused_stopping = true;
	pthread_mutex_unlock(&r->mu);
}
