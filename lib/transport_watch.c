/* transport_watch.c - monitor events, peers, ZAP; see transport.h. */
#include "transport.h"
#include "transport_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Linux's tcp_info (tcpi_bytes_received); not netinet/tcp.h's, which
 * stops short of it. */
#include <linux/tcp.h>

#include <zmq.h>

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
			ret->status = value;
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
	r = decide(arg, domain, address, f.data[6], user_id, sizeof(user_id));
	/* 500, not 300, for "not now": libzmq 4.3 closes a connection
	 * refused 300 without a word, which its peer takes for a failed
	 * handshake and dials again at once; 400 and 500 reach the peer's
	 * monitor with the code. */
	if (r == 0)
		zap_reply(zap->s, f.data[1], f.len[1], "200", "OK", user_id);
	else if (r == -EBUSY)
		zap_reply(zap->s, f.data[1], f.len[1], "500", "busy", "");
	else
		zap_reply(zap->s, f.data[1], f.len[1], "400", "not registered",
			  "");
	tframes_clear(&f);
	return 0;
}
