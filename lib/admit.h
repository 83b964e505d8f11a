/*
 * admit.h - who holds a connection to a server's CURVE sockets, and
 * which connections to close.
 *
 * Fed with the sockets' monitor events (tsock_monitor_next) and with the
 * messages they receive (tframes.fd and .user_id), it knows each TCP
 * connection as
 *
 *	anonymous	accepted and not yet heard from: in its handshake,
 *			refused by ZAP and not yet closed, or silent
 *	a peer		it sent a message, so its handshake succeeded; its
 *			ZAP user id says who it is
 *
 * Peers count against max_peers: the ZAP callback refuses a handshake
 * while admit_full() (so only registered keys can fill the server, and
 * idle TCP connections cannot). The peers of one user id (one key) count
 * against max_per_key too, so that one stolen key cannot fill the server
 * either: the ZAP callback refuses its handshake while admit_key_full(),
 * and since handshakes done at once all pass that, admit_message() closes
 * the key's peers over the bound, the oldest first (a node back from a
 * network cut leaves dead connections behind: its new one must stay).
 *
 * Anonymous connections are bounded on their own: at most max_pending in
 * all and max_pending_per_address from one address. Over a bound,
 * admit_tick() closes first the oldest connection whose peer has sent
 * nothing at all (a real client sends its greeting the moment it
 * connects), then the oldest older than grace_ms (one younger may be a
 * handshake in progress), and only when none is left the newest. libzmq
 * itself closes a connection still in its handshake after
 * ZMQ_HANDSHAKE_IVL (tsock_limits.handshake_ms).
 *
 * A daemon with ZAP admission keeps one admit for all its CURVE sockets:
 * every monitor event goes to admit_event(), every message received to
 * admit_message(), the ZAP callback asks admit_refusal() (admit_full()
 * then admit_key_full()), the loop calls admit_tick(), and a reload
 * admit_set_limits() and admit_trim_keys(). Only the caller logs (this
 * module decides nothing it would need to explain).
 *
 * Descriptors are libzmq's; connections are closed with transport_drop,
 * which checks that a descriptor still holds the connection it names.
 */
#ifndef KUSKA_ADMIT_H
#define KUSKA_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

#define ADMIT_GRACE_MS 2000 /* the default grace_ms */

struct admit;

struct admit_limits {
	unsigned long max_peers;	       /* max_connections */
	unsigned long max_per_key;	       /* of one user id; 0: none */
	unsigned long max_pending;	       /* anonymous, in all */
	unsigned long max_pending_per_address; /* anonymous, from one */
	uint64_t grace_ms; /* anonymous this young are closed last */
};

/* Counts, for metrics and status. */
struct admit_counts {
	uint64_t peers;	       /* connections that spoke, now */
	uint64_t pending;      /* anonymous connections, now */
	uint64_t closed_limit; /* anonymous ones closed over a bound */
	uint64_t closed_drop;  /* closed by admit_drop_if/_later */
	uint64_t closed_key;   /* peers closed over max_per_key */
};

/*
 * admit_limits_of - the bounds of a daemon's config keys of the same
 * names (the consolidator's, the key holder's), grace_ms the default: a
 * key may hold max_connections_per_key peers, and no more than
 * max_connections (a bound of 16 with room for 8 is 8).
 */
struct admit_limits admit_limits_of(unsigned long max_connections,
				    unsigned long max_connections_per_key,
				    unsigned long max_pending,
				    unsigned long max_pending_per_address);

/* admit_new - an empty table with lim. NULL when out of memory. */
struct admit *admit_new(const struct admit_limits *lim);

/* admit_free - frees *a (accepts NULL) and clears the pointer. */
void admit_free(struct admit **a);

/* admit_set_limits - new bounds (a reload); they apply at the next tick. */
void admit_set_limits(struct admit *a, const struct admit_limits *lim);

/* admit_event - takes one monitor event at now_ms (a monotonic clock). */
void admit_event(struct admit *a, const struct tmon_event *ev, uint64_t now_ms);

/*
 * admit_message - a message came on connection fd (tframes.fd; -1 is
 * ignored) from user_id: the connection is a peer. When user_id now has
 * more than max_per_key peers (checked when the connection becomes a
 * peer, and on its first message after admit_set_limits), closes the
 * oldest of them until max_per_key remain; returns how many it closed
 * (the caller logs them).
 */
size_t admit_message(struct admit *a, int fd, const char *user_id,
		     uint64_t now_ms);

/* admit_full - whether peers already number max_peers. */
bool admit_full(const struct admit *a);

/* admit_key_peers - how many peers user_id has. */
size_t admit_key_peers(const struct admit *a, const char *user_id);

/* admit_key_full - whether user_id's peers already number max_per_key. */
bool admit_key_full(const struct admit *a, const char *user_id);

/*
 * admit_refusal - why the handshake of user_id must wait for a connection
 * to close, for the ZAP callback to refuse it and log: NULL when it need
 * not; else the reason, "too_many_connections" (*ret_bound
 * "max_connections") or "too_many_connections_for_key" (*ret_bound
 * "max_connections_per_key"), and *ret_limit the bound.
 */
const char *admit_refusal(const struct admit *a, const char *user_id,
			  const char **ret_bound, unsigned long *ret_limit);

/* admit_get_counts - the counts now. */
void admit_get_counts(const struct admit *a, struct admit_counts *ret);

struct mtext;

/*
 * admit_metrics - the counts k as metrics named PREFIX_connections,
 * PREFIX_connections_pending and PREFIX_connections_closed_total (by
 * reason), the last one's help naming who closes them ("consolidator").
 */
void admit_metrics(struct mtext *m, const struct admit_counts *k,
		   const char *prefix, const char *who);

/*
 * admit_trim_keys - after admit_set_limits lowered max_per_key: closes
 * the peers of every user id over it, the oldest first. Returns how many.
 */
size_t admit_trim_keys(struct admit *a);

/*
 * admit_id - the id of the connection descriptor fd holds, as the table
 * knows it: given when it was accepted (or first heard from, its
 * ACCEPTED not read yet), never 0, never given again. 0 when the table
 * knows none on fd.
 */
uint64_t admit_id(const struct admit *a, int fd);

/*
 * admit_drop_later - closes connection fd at at_ms (at the first tick
 * from then), so that a refusal sent on it first has time to go out;
 * only while fd still holds connection id (admit_id, taken when its
 * message was read): a connection gone meanwhile leaves its descriptor
 * to the next one made, which is not closed for it. Nothing when id is 0.
 */
void admit_drop_later(struct admit *a, int fd, uint64_t id, uint64_t at_ms);

/*
 * admit_drop_if - closes now every peer for whose user id gone(arg,
 * user_id) returns true (a key a reload revoked). Returns how many.
 */
size_t admit_drop_if(struct admit *a,
		     bool (*gone)(void *arg, const char *user_id), void *arg);

/*
 * admit_tick - closes the connections whose admit_drop_later time has
 * come, and anonymous ones over a bound. Returns how many anonymous
 * connections it closed over a bound.
 */
size_t admit_tick(struct admit *a, uint64_t now_ms);

#endif
