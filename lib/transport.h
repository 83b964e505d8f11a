/*
 * transport.h - ZeroMQ sockets as kuska uses them. This module owns
 * libzmq; nothing else includes zmq.h.
 *
 * Network sockets are CURVE-encrypted and authenticated: the consolidator
 * binds ROUTERs as CURVE server and answers ZAP requests (tsock_zap_*),
 * which tell it who each peer is (tframes.user_id). Nodes connect DEALERs
 * as CURVE clients. Local sockets (ipc://, guarded by file permissions)
 * carry `kuska submit`, `kuska status` and the like. ZeroMQ heartbeats
 * detect dead peers on every network socket.
 *
 * All sends and receives are non-blocking; a program waits in tsock_poll.
 */
#ifndef KUSKA_TRANSPORT_H
#define KUSKA_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRANSPORT_KEY_LEN 32
#define TRANSPORT_USER_ID_MAX 96 /* "party/key/fingerprint", see registry.h */
#define TRANSPORT_PEER_MAX 64	 /* "ADDRESS:PORT" of a TCP peer */
/* A connecting socket retries after 200 ms, doubling up to this. */
#define TSOCK_RECONNECT_MAX_MS 5000

struct transport;
struct tsock;

/* Bytes of a refused message's second frame that tsock_recv keeps. */
#define TFRAMES_HEAD_LEN 16

/* Frames of one received message; the caller clears it. */
struct tframes {
	size_t n;
	uint8_t **data; /* n frames, each malloc'd */
	size_t *len;
	char user_id[TRANSPORT_USER_ID_MAX]; /* ZAP identity, "" if none */
	/* The peer's IP address (libzmq's Peer-Address), "" if none: two
	 * machines speaking with one key are told apart in a journal. */
	char peer[TRANSPORT_PEER_MAX];
	int fd; /* the TCP connection it came on (a bound socket), or -1 */
	/* 0 and false from tsock_recv, the receiver's to set: conn_id, the
	 * admit_id (admit.h) of connection fd as the message was read (by
	 * the time it is answered, fd may hold another's), for a close
	 * should it be refused; close_after, the consolidator's query
	 * reader's, that it was refused as it was read, its connection
	 * to be closed once it is answered. */
	uint64_t conn_id;
	bool close_after;
	/* After -EMSGSIZE: the first head_len bytes of frame 1 (a ROUTER's
	 * first payload frame), for a refusal that must quote them. */
	uint8_t head[TFRAMES_HEAD_LEN];
	size_t head_len;
};

/*
 * The handshake_ms of the daemons' CURVE servers: a network connection
 * that has not completed its handshake by then is closed by libzmq
 * (ZMQ_HANDSHAKE_IVL), so that admit.h's anonymous ones do not linger.
 */
#define TSOCK_HANDSHAKE_MS 10000

struct tsock_limits {
	size_t max_frame;	  /* bytes; the socket drops larger messages */
	int heartbeat_ms;	  /* 0: the default, 2000; -1: none */
	int heartbeat_timeout_ms; /* 0: three heartbeats */
	int handshake_ms;	  /* bound sockets: a connection that has not
				     completed its handshake by then is closed;
				     0: libzmq's default, 30 s */
	int hwm;		  /* answers queued for one peer
				     (ZMQ_SNDHWM); 0: libzmq's default,
				     1000 */
	bool rcv_unbounded;	  /* ZMQ_RCVHWM 0: libzmq keeps all a peer
				     sends, for an owner that reads all the
				     socket holds at every pass and bounds
				     it itself (query_reader.h,
				     keyholder/intake.c) */
};

/* transport_new - a ZeroMQ context. NULL on failure (errno set). */
struct transport *transport_new(void);
/*
 * transport_free - closes the context; sockets must be freed first.
 * libzmq is given TRANSPORT_TERM_S to end it: past that (a libzmq hang,
 * or a socket left open) the context is left to the process's exit and
 * event=transport_stuck is logged, so that a daemon told to stop stops.
 */
#define TRANSPORT_TERM_S 5
void transport_free(struct transport **t);

/*
 * tsock_bind_curve - a ROUTER bound to endpoint as CURVE server with
 * secret key server_sk, its peers checked by the ZAP handler under
 * zap_domain. With ret_mon, a monitor of it (as tsock_monitor) made
 * before it binds, so that it hears every peer accepted: one made after
 * (tsock_monitor) misses a peer that was waiting to reconnect and came
 * in between, and the handshake of one over by then. Returns the socket
 * (and *ret_mon), or NULL with *ret_err = -errno.
 */
struct tsock *tsock_bind_curve(struct transport *t, const char *endpoint,
			       const uint8_t server_sk[TRANSPORT_KEY_LEN],
			       const char *zap_domain,
			       const struct tsock_limits *lim,
			       struct tsock **ret_mon, int *ret_err);

/*
 * tsock_connect_curve - a DEALER connecting to endpoint as CURVE client
 * (own pair pk/sk, server's public key server_pk). It keeps reconnecting
 * by itself, except after a handshake the server refused
 * (TEVENT_HANDSHAKE_FAILED_AUTH): libzmq then gives the endpoint up, and
 * only tsock_redial tries again. After a handshake that failed
 * (TEVENT_HANDSHAKE_FAILED: the server could not read it, as with a
 * server_pk that is not the server's, or the connection was cut) libzmq
 * dials again within 400 ms, for ever: its back-off starts again at each
 * TCP connection made. tsock_undial stops that.
 * With ret_mon, a monitor of it (as tsock_monitor) made before it
 * connects, so that it hears the handshake however soon it ends: one
 * made after (tsock_monitor) misses the events of a handshake over by
 * then, a refusal among them. Returns the socket (and *ret_mon), or NULL
 * with *ret_err.
 */
struct tsock *tsock_connect_curve(struct transport *t, const char *endpoint,
				  const uint8_t pk[TRANSPORT_KEY_LEN],
				  const uint8_t sk[TRANSPORT_KEY_LEN],
				  const uint8_t server_pk[TRANSPORT_KEY_LEN],
				  const struct tsock_limits *lim,
				  struct tsock **ret_mon, int *ret_err);

/*
 * tsock_reopen_curve - replaces s (and its monitor mon), made by
 * tsock_connect_curve with the same arguments, by a new socket connecting
 * to endpoint: the old one closed with linger 0, its connection ended by
 * libzmq's reaper thread. s and mon stay the caller's pointers. Returns 0,
 * or -errno with s and mon as they were.
 */
int tsock_reopen_curve(struct transport *t, struct tsock *s, struct tsock *mon,
		       const char *endpoint,
		       const uint8_t pk[TRANSPORT_KEY_LEN],
		       const uint8_t sk[TRANSPORT_KEY_LEN],
		       const uint8_t server_pk[TRANSPORT_KEY_LEN],
		       const struct tsock_limits *lim);

/*
 * tsock_redial - drops s's connection to endpoint (and what is queued for
 * it) and connects again: after a refused handshake, once the registry
 * that refused it may have been fixed. Returns 0 or -errno.
 */
int tsock_redial(struct tsock *s, const char *endpoint)
    __attribute__((warn_unused_result));

/*
 * tsock_undial - drops s's connection to endpoint (and what is queued for
 * it) without connecting again: libzmq stops dialling it until
 * tsock_redial. Returns 0 (also when libzmq had let it go already) or
 * -errno.
 */
int tsock_undial(struct tsock *s, const char *endpoint)
    __attribute__((warn_unused_result));

/*
 * tsock_bind_local - a ROUTER bound to an ipc:// endpoint, the socket
 * file made mode 0660, with no heartbeats (the kernel tells of a closed
 * peer) and ZMQ_RCVHWM lifted: a connection stalled at the mark that ends
 * and then must write (a heartbeat, the answer to a PING a client
 * speaking ZMTP itself sent) aborts libzmq 4.3.4 (set_common). The owner
 * reads it at every pass of its loop; libzmq keeps what comes meanwhile. A
 * socket file nobody listens on (left by a process that died) is replaced; one
 * a live process listens on is not: *ret_err = -EADDRINUSE. tsock_free removes
 * the socket file, so that a daemon that stops cleanly leaves none.
 */
struct tsock *tsock_bind_local(struct transport *t, const char *endpoint,
			       size_t max_frame, int *ret_err);

/*
 * tsock_local_probe - whether a process listens on an ipc:// endpoint,
 * at once: 0 yes; -ECONNREFUSED a socket file nobody listens on (its
 * daemon died); -ENOENT no socket file; or another -errno. A listener
 * that is stopped or hung still counts as one (the kernel accepts for
 * it): tell those apart by the handshake (tsock_monitor).
 */
int tsock_local_probe(const char *endpoint);

/*
 * tsock_connect_local - a DEALER connected to an ipc:// endpoint; with
 * ret_mon, a monitor of it (as tsock_monitor) made before it connects,
 * so that it hears the handshake.
 */
struct tsock *tsock_connect_local(struct transport *t, const char *endpoint,
				  struct tsock **ret_mon, int *ret_err);

/* tsock_zap - the ZAP handler's socket; create before any CURVE bind. */
struct tsock *tsock_zap(struct transport *t, int *ret_err);

/*
 * tsock_monitor - a socket on which s reports connection events
 * (read them with tsock_monitor_read), from now on: for a connecting
 * socket's handshake, ask tsock_connect_curve or tsock_connect_local;
 * for a listening socket's peers, tsock_bind_curve.
 */
struct tsock *tsock_monitor(struct transport *t, struct tsock *s, int *ret_err);

/*
 * tsock_free - closes *s, and removes the socket file of one made by
 * tsock_bind_local in this process; accepts NULL; clears the pointer.
 */
void tsock_free(struct tsock **s);

/*
 * tsock_recv - takes one whole message (all its frames) if one is
 * waiting. Returns 0 and fills *ret; -EAGAIN when none is waiting;
 * -EMSGSIZE when it has more than max_frames frames or max_bytes in all.
 * Such a message is read to its end and dropped, never copied whole; on
 * a ROUTER, what a refusal needs stays in *ret, which the caller clears:
 * the routing id a reply goes to (frame 0 alone, ret->n == 1; 0 when it
 * was over max_bytes itself), user_id, fd and the head of frame 1. On
 * other errors, and on other sockets, *ret is left empty.
 */
int tsock_recv(struct tsock *s, struct tframes *ret, size_t max_frames,
	       size_t max_bytes) __attribute__((warn_unused_result));

/* What a tsock_recv_routed caller makes of a message, told its routing
 * id alone. */
enum tsock_route {
	TSOCK_ROUTE_TAKE,   /* read it whole, as tsock_recv */
	TSOCK_ROUTE_REFUSE, /* keep its routing id alone, drop the rest */
	TSOCK_ROUTE_DROP,   /* drop it all */
};
typedef enum tsock_route (*tsock_route_fn)(void *arg, const uint8_t *rid,
					   size_t len);

/*
 * tsock_recv_routed - tsock_recv on a ROUTER that first asks judge(arg,
 * routing id) whether the message is wanted: a reader that keeps a bound
 * per connection drops a flood's surplus without copying it, or asking
 * libzmq for its metadata. Returns as tsock_recv, or -ENOSPC when judge
 * did not take it: the message was read to its end and dropped, *ret
 * holding its routing id alone (ret->n == 1; TSOCK_ROUTE_REFUSE) or
 * nothing (TSOCK_ROUTE_DROP); the caller clears it.
 */
int tsock_recv_routed(struct tsock *s, struct tframes *ret, size_t max_frames,
		      size_t max_bytes, tsock_route_fn judge, void *arg)
    __attribute__((warn_unused_result));

/* tframes_clear - frees the frames; accepts a zeroed or cleared value. */
void tframes_clear(struct tframes *f);

/*
 * tsock_send - sends n frames as one message without blocking. Returns 0,
 * -EAGAIN (high-water mark, or no connected peer yet), -EHOSTUNREACH (a
 * ROUTER's peer is gone), or another -errno. A pipe found full is looked
 * at again once, after the socket's pending commands: libzmq learns how
 * far its I/O thread has read a pipe only through them, so that a busy
 * thread's sends can meet a count of unread messages that is out of date
 * (a client asking one table at a time lost an answer now and then under
 * load). tsock_send_handover does the same.
 */
int tsock_send(struct tsock *s, const void *const *data, const size_t *len,
	       size_t n);

/*
 * tsock_send_handover - sends head (head_len bytes, copied) followed by n
 * frames whose malloc'd buffers bufs[i] (lens[i] bytes) are handed to
 * libzmq without a copy: each is wiped and freed once libzmq is done with
 * it, so text that must not linger (a case system's raw lines) stays in
 * memory this process owns and wipes. Returns 0 (the buffers are gone),
 * -EAGAIN (nothing sent: the buffers are still the caller's), or another
 * -errno (the buffers were wiped and freed).
 */
int tsock_send_handover(struct tsock *s, const void *head, size_t head_len,
			uint8_t **bufs, const size_t *lens, size_t n);

/*
 * tsock_set_linger - how long, at most, tsock_free and transport_free wait
 * for what s still has to send (every socket starts with none: what is
 * unsent is dropped). For the last answers of a thread that stops, sent
 * just before its socket is closed. Returns 0 or -errno.
 */
int tsock_set_linger(struct tsock *s, int ms);

/*
 * tsock_set_wipe - from now on, tsock_recv on s wipes each frame in
 * libzmq's memory once it has copied it out (for sockets that receive
 * identities).
 */
void tsock_set_wipe(struct tsock *s);

/*
 * tsock_poll - waits up to timeout_ms (-1: forever) until one of socks
 * has a message; ready[i] tells which. Returns the number ready (0 on
 * time-out), or -errno (-EINTR when a signal came).
 */
int tsock_poll(struct tsock **socks, size_t n, bool *ready, long timeout_ms);

/*
 * tsock_poll_fd - tsock_poll that also wakes when descriptor fd (-1:
 * none) is readable, which *ret_fd_ready (may be NULL) then says. A NULL
 * entry of socks is not waited for.
 */
int tsock_poll_fd(struct tsock **socks, size_t n, bool *ready, int fd,
		  bool *ret_fd_ready, long timeout_ms);

enum tevent {
	TEVENT_OTHER = 0,
	TEVENT_CONNECTED, /* TCP up (handshake follows) */
	TEVENT_ACCEPTED,  /* a peer connected to a bound socket */
	TEVENT_DISCONNECTED,
	TEVENT_HANDSHAKE_OK,
	TEVENT_HANDSHAKE_FAILED_AUTH, /* ZAP refused (tmon_event.status) */
	TEVENT_HANDSHAKE_FAILED,      /* protocol error, no detail */
	TEVENT_CONNECT_RETRIED,	      /* TCP connect failed; will retry */
};

/*
 * tsock_monitor_read - reads one event from a monitor socket: its kind
 * and the endpoint (into addr). Returns 0 or -EAGAIN.
 */
int tsock_monitor_read(struct tsock *mon, enum tevent *ret, char *addr,
		       size_t cap);

/* One monitor event, with the connection it is about. */
struct tmon_event {
	enum tevent ev;
	int fd;			       /* ACCEPTED, DISCONNECTED; else -1 */
	char addr[256];		       /* the endpoint */
	char peer[TRANSPORT_PEER_MAX]; /* ACCEPTED: "ADDRESS:PORT", or "" */
	/* HANDSHAKE_FAILED_AUTH: the ZAP status, as the peer's libzmq
	 * tells it: 400 (the key refused) or 500 (refused for now:
	 * tsock_zap_fn's -EBUSY); 0 otherwise. libzmq sends no ZAP
	 * status text to the peer, and for a 300 no refusal at all (it
	 * closes the connection: a handshake failed, no detail). */
	unsigned status;
};

/*
 * tsock_monitor_next - reads one event from a monitor socket, with the
 * descriptor of the connection it concerns and, for a connection just
 * accepted, its peer's address (asked at once, while the descriptor
 * surely is that connection's). Returns 0 or -EAGAIN.
 */
int tsock_monitor_next(struct tsock *mon, struct tmon_event *ret);

/*
 * transport_peer_name - the "ADDRESS:PORT" (IPv6: "[ADDRESS]:PORT") of
 * the TCP peer on descriptor fd, into out (TRANSPORT_PEER_MAX bytes).
 * Returns 0, or -errno (-ENOTCONN for a connection gone, -EAFNOSUPPORT
 * for one that is not TCP).
 */
int transport_peer_name(int fd, char *out, size_t cap);

/*
 * transport_bytes_in - how many bytes the peer on descriptor fd has sent
 * so far (TCP_INFO, Linux 4.1 and later), into *ret. Returns 0 or -errno
 * (-EOPNOTSUPP where the kernel does not count them).
 */
int transport_bytes_in(int fd, uint64_t *ret);

/*
 * transport_drop - ends the TCP connection on descriptor fd (one a bound
 * socket accepted: tframes.fd, tmon_event.fd) if its peer is still peer,
 * as transport_peer_name gave it: libzmq sees the connection end, closes
 * it and reports DISCONNECTED. Returns 0, or -ESTALE when fd holds no
 * connection or another one (its peer went and the number was reused).
 */
int transport_drop(int fd, const char *peer);

/*
 * The ZAP decision: domain, peer address and CURVE public key in; returns
 * 0 to admit (and writes the identity into user_id), or <0 to refuse:
 * -EBUSY for a key that is good but refused for now (a connection bound),
 * answered ZAP status 500, which the peer's monitor tells apart
 * (tmon_event.status); any other, the key refused, 400.
 */
typedef int (*tsock_zap_fn)(void *arg, const char *domain, const char *address,
			    const uint8_t key[TRANSPORT_KEY_LEN], char *user_id,
			    size_t cap);

/*
 * tsock_zap_serve - answers one waiting ZAP request with decide's
 * verdict. Returns 0, -EAGAIN if none waited, -EBADMSG for a malformed
 * request (answered 500).
 */
int tsock_zap_serve(struct tsock *zap, tsock_zap_fn decide, void *arg);

/* The Z85 text of a 32-byte key (41 bytes with NUL), for logs. */
const char *transport_z85(const uint8_t key[TRANSPORT_KEY_LEN], char out[41]);

#endif
