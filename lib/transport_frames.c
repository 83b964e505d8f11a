/* transport_frames.c - messages received, sent, polled; see transport.h. */
#include "transport.h"
#include "transport_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

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
