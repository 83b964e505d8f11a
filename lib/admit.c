/* admit.c - connections of a server's CURVE sockets; see admit.h. */
#include "admit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"

enum conn_state {
	CONN_FREE = 0,
	CONN_ANON,    /* accepted, not heard from */
	CONN_PEER,    /* spoke: authenticated */
	CONN_CLOSING, /* shut by us; libzmq has yet to say DISCONNECTED */
};

struct conn {
	enum conn_state state;
	uint64_t id;	     /* admit_id: this connection's alone */
	uint64_t since_ms;   /* accepted */
	uint64_t drop_at_ms; /* 0: none */
	unsigned gen;	     /* of the limits its key was checked on */
	char peer[TRANSPORT_PEER_MAX]; /* "ADDRESS:PORT" */
	char user_id[TRANSPORT_USER_ID_MAX];
};

struct admit {
	struct admit_limits lim;
	struct conn *conns; /* indexed by descriptor */
	size_t cap;
	size_t peers, pending;
	uint64_t closed_limit, closed_drop, closed_key;
	bool dirty;   /* anonymous connections came since the last check */
	unsigned gen; /* a new one: every key is checked again */
	uint64_t last_id; /* the last connection's admit_id */
};

struct admit_limits
admit_limits_of(unsigned long max_connections,
		unsigned long max_connections_per_key, unsigned long max_pending,
		unsigned long max_pending_per_address)
{
	struct admit_limits l = {
	    .max_peers = max_connections,
	    .max_per_key = max_connections_per_key < max_connections
			       ? max_connections_per_key
			       : max_connections,
	    .max_pending = max_pending,
	    .max_pending_per_address = max_pending_per_address,
	    .grace_ms = ADMIT_GRACE_MS,
	};
	return l;
}

struct admit *
admit_new(const struct admit_limits *lim)
{
	struct admit *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->lim = *lim;
	return a;
}

void
admit_free(struct admit **a)
{
	if (a == NULL || *a == NULL)
		return;
	free((*a)->conns);
	free(*a);
	*a = NULL;
}

void
admit_set_limits(struct admit *a, const struct admit_limits *lim)
{
	a->lim = *lim;
	a->dirty = true;
	a->gen++;
}

/* The entry of fd, the table grown to hold it; NULL when out of memory. */
static struct conn *
slot(struct admit *a, int fd)
{
	if (fd < 0)
		return NULL;
	if ((size_t)fd >= a->cap) {
		size_t ncap = a->cap ? a->cap : 64;
		struct conn *n;
		while (ncap <= (size_t)fd)
			ncap *= 2;
		n = realloc(a->conns, ncap * sizeof(*n));
		if (n == NULL)
			return NULL;
		memset(n + a->cap, 0, (ncap - a->cap) * sizeof(*n));
		a->conns = n;
		a->cap = ncap;
	}
	return &a->conns[fd];
}

/* Leaves a state: the counts follow. */
static void
set_state(struct admit *a, struct conn *c, enum conn_state s)
{
	if (c->state == CONN_PEER)
		a->peers--;
	else if (c->state == CONN_ANON)
		a->pending--;
	if (s == CONN_PEER)
		a->peers++;
	else if (s == CONN_ANON)
		a->pending++;
	c->state = s;
	if (s == CONN_FREE)
		memset(c, 0, sizeof(*c));
}

void
admit_event(struct admit *a, const struct tmon_event *ev, uint64_t now_ms)
{
	struct conn *c;

	if (ev->fd < 0 ||
	    (ev->ev != TEVENT_ACCEPTED && ev->ev != TEVENT_DISCONNECTED))
		return;
	if (ev->ev == TEVENT_DISCONNECTED) {
		if ((size_t)ev->fd < a->cap)
			set_state(a, &a->conns[ev->fd], CONN_FREE);
		return;
	}
	c = slot(a, ev->fd);
	if (c == NULL)
		return;
	/* A peer already known by its first message (the monitor is read
	 * after the sockets): the same connection, keep it. */
	if (c->state == CONN_PEER && strcmp(c->peer, ev->peer) == 0)
		return;
	set_state(a, c, CONN_FREE);
	if (ev->peer[0] == '\0')
		return; /* gone before we could ask who it was */
	set_state(a, c, CONN_ANON);
	c->id = ++a->last_id;
	c->since_ms = now_ms;
	snprintf(c->peer, sizeof(c->peer), "%s", ev->peer);
	a->dirty = true;
}

static size_t per_key(struct admit *, const char *);

size_t
admit_message(struct admit *a, int fd, const char *user_id, uint64_t now_ms)
{
	struct conn *c = slot(a, fd);
	char uid[TRANSPORT_USER_ID_MAX];
	bool check;

	if (c == NULL || c->state == CONN_CLOSING)
		return 0;
	if (c->state == CONN_FREE) {
		/* Its ACCEPTED is still in the monitor's queue. */
		if (transport_peer_name(fd, c->peer, sizeof(c->peer)) != 0) {
			memset(c, 0, sizeof(*c));
			return 0;
		}
		c->id = ++a->last_id;
		c->since_ms = now_ms;
	}
	/* A key's peers grow only when a connection becomes one; a reload
	 * may lower the bound: only then is the table searched. */
	check = c->state != CONN_PEER || c->gen != a->gen ||
		strcmp(c->user_id, user_id) != 0;
	if (c->state != CONN_PEER)
		set_state(a, c, CONN_PEER);
	snprintf(c->user_id, sizeof(c->user_id), "%s", user_id);
	c->gen = a->gen;
	/* A copy: closing c itself may clear it. */
	memcpy(uid, c->user_id, sizeof(uid));
	return check ? per_key(a, uid) : 0;
}

bool
admit_full(const struct admit *a)
{
	return a->peers >= a->lim.max_peers;
}

size_t
admit_key_peers(const struct admit *a, const char *user_id)
{
	size_t fd, n = 0;

	for (fd = 0; fd < a->cap; fd++)
		n += a->conns[fd].state == CONN_PEER &&
		     strcmp(a->conns[fd].user_id, user_id) == 0;
	return n;
}

bool
admit_key_full(const struct admit *a, const char *user_id)
{
	return a->lim.max_per_key != 0 &&
	       admit_key_peers(a, user_id) >= a->lim.max_per_key;
}

const char *
admit_refusal(const struct admit *a, const char *user_id,
	      const char **ret_bound, unsigned long *ret_limit)
{
	if (admit_full(a)) {
		*ret_bound = "max_connections";
		*ret_limit = a->lim.max_peers;
		return "too_many_connections";
	}
	if (admit_key_full(a, user_id)) {
		*ret_bound = "max_connections_per_key";
		*ret_limit = a->lim.max_per_key;
		return "too_many_connections_for_key";
	}
	return NULL;
}

void
admit_get_counts(const struct admit *a, struct admit_counts *ret)
{
	ret->peers = a->peers;
	ret->pending = a->pending;
	ret->closed_limit = a->closed_limit;
	ret->closed_drop = a->closed_drop;
	ret->closed_key = a->closed_key;
}

/* Shuts connection fd; returns 1 when it was shut, 0 when gone already. */
static int
close_conn(struct admit *a, int fd)
{
	struct conn *c = &a->conns[fd];

	if (transport_drop(fd, c->peer) != 0) {
		/* No longer that connection: its DISCONNECTED is on the
		 * way, or was missed. Forget it. */
		set_state(a, c, CONN_FREE);
		return 0;
	}
	set_state(a, c, CONN_CLOSING);
	c->drop_at_ms = 0;
	log_debug("event=connection_shut fd=%d peer=%s", fd, LOG_Q(c->peer));
	return 1;
}

uint64_t
admit_id(const struct admit *a, int fd)
{
	if (fd < 0 || (size_t)fd >= a->cap || a->conns[fd].state == CONN_FREE)
		return 0;
	return a->conns[fd].id;
}

void
admit_drop_later(struct admit *a, int fd, uint64_t id, uint64_t at_ms)
{
	if (id == 0 || admit_id(a, fd) != id ||
	    a->conns[fd].state == CONN_CLOSING)
		return;
	if (a->conns[fd].drop_at_ms == 0 || at_ms < a->conns[fd].drop_at_ms)
		a->conns[fd].drop_at_ms = at_ms ? at_ms : 1;
}

size_t
admit_drop_if(struct admit *a, bool (*gone)(void *arg, const char *user_id),
	      void *arg)
{
	size_t fd, n = 0;

	for (fd = 0; fd < a->cap; fd++)
		if (a->conns[fd].state == CONN_PEER &&
		    gone(arg, a->conns[fd].user_id) && close_conn(a, (int)fd)) {
			a->closed_drop++;
			n++;
		}
	return n;
}

size_t
admit_trim_keys(struct admit *a)
{
	char uid[TRANSPORT_USER_ID_MAX];
	size_t fd, n = 0;

	a->gen++; /* per_key marks each key's peers: one pass a key */
	for (fd = 0; fd < a->cap; fd++)
		if (a->conns[fd].state == CONN_PEER &&
		    a->conns[fd].gen != a->gen) {
			memcpy(uid, a->conns[fd].user_id, sizeof(uid));
			n += per_key(a, uid);
		}
	return n;
}

/* The address of "ADDRESS:PORT" compared with another's. */
static int
addr_cmp(const char *x, const char *y)
{
	const char *ex = strrchr(x, ':'), *ey = strrchr(y, ':');
	size_t lx = ex ? (size_t)(ex - x) : strlen(x);
	size_t ly = ey ? (size_t)(ey - y) : strlen(y);
	int r = memcmp(x, y, lx < ly ? lx : ly);

	if (r != 0)
		return r;
	return lx < ly ? -1 : lx > ly;
}

/* Sorting descriptors of anonymous connections (qsort_r, arg the
 * table): oldest first, or by address and then oldest first. */
static int
by_age(const void *p, const void *q, void *arg)
{
	const struct conn *t = arg;
	const struct conn *x = &t[*(const int *)p], *y = &t[*(const int *)q];

	return x->since_ms < y->since_ms ? -1 : x->since_ms > y->since_ms;
}

/*
 * The peers of user_id over max_per_key: closed, the oldest first. Its
 * other peers are marked checked. Returns how many were closed.
 */
static size_t
per_key(struct admit *a, const char *user_id)
{
	size_t fd, n = 0, i, closed = 0;
	int *fds;

	if (a->lim.max_per_key == 0 ||
	    (n = admit_key_peers(a, user_id)) <= a->lim.max_per_key)
		goto mark;
	fds = malloc(n * sizeof(*fds));
	if (fds == NULL)
		return 0;
	for (fd = 0, i = 0; fd < a->cap && i < n; fd++)
		if (a->conns[fd].state == CONN_PEER &&
		    strcmp(a->conns[fd].user_id, user_id) == 0)
			fds[i++] = (int)fd;
	qsort_r(fds, n, sizeof(*fds), by_age, a->conns);
	for (i = 0; i < n - a->lim.max_per_key; i++)
		closed += (size_t)close_conn(a, fds[i]);
	free(fds);
	a->closed_key += closed;
mark:
	for (fd = 0; fd < a->cap; fd++)
		if (a->conns[fd].state == CONN_PEER &&
		    strcmp(a->conns[fd].user_id, user_id) == 0)
			a->conns[fd].gen = a->gen;
	return closed;
}

static int
by_address_age(const void *p, const void *q, void *arg)
{
	const struct conn *t = arg;
	int r = addr_cmp(t[*(const int *)p].peer, t[*(const int *)q].peer);

	return r != 0 ? r : by_age(p, q, arg);
}

/* Whether the peer on fd has sent nothing yet (not even a greeting). */
static bool
silent(int fd)
{
	uint64_t n;

	return transport_bytes_in(fd, &n) == 0 && n == 0;
}

/*
 * Closes connections of fds[from..to) (oldest first) until at most keep
 * remain: each time the oldest silent one, else the oldest past grace,
 * else the newest. Closed ones become -1. Returns how many were closed.
 */
static size_t
trim(struct admit *a, int *fds, size_t from, size_t to, size_t keep,
     uint64_t now_ms)
{
	size_t live = 0, closed = 0, i, v;

	for (i = from; i < to; i++)
		live += fds[i] >= 0;
	while (live > keep) {
		for (v = from; v < to; v++)
			if (fds[v] >= 0 && silent(fds[v]))
				break;
		if (v == to)
			for (v = from; v < to; v++)
				if (fds[v] >= 0 &&
				    now_ms - a->conns[fds[v]].since_ms >=
					a->lim.grace_ms)
					break;
		if (v == to)
			for (i = to; i-- > from;)
				if (fds[i] >= 0) {
					v = i;
					break;
				}
		closed += (size_t)close_conn(a, fds[v]);
		fds[v] = -1;
		live--;
	}
	return closed;
}

/* Anonymous connections over the bounds: closed. Returns how many. */
static size_t
enforce(struct admit *a, uint64_t now_ms)
{
	size_t n = 0, fd, i, start, closed = 0;
	int *fds;

	if (a->pending <= a->lim.max_pending_per_address &&
	    a->pending <= a->lim.max_pending)
		return 0;
	fds = malloc(a->pending * sizeof(*fds));
	if (fds == NULL)
		return 0;
	for (fd = 0; fd < a->cap && n < a->pending; fd++)
		if (a->conns[fd].state == CONN_ANON)
			fds[n++] = (int)fd;
	qsort_r(fds, n, sizeof(*fds), by_age, a->conns);
	closed += trim(a, fds, 0, n, a->lim.max_pending, now_ms);
	/* Per address: the survivors, grouped. */
	for (i = 0, start = 0; i < n; i++)
		if (fds[i] >= 0)
			fds[start++] = fds[i];
	n = start;
	qsort_r(fds, n, sizeof(*fds), by_address_age, a->conns);
	for (start = 0; start < n; start = i) {
		for (i = start + 1;
		     i < n && addr_cmp(a->conns[fds[start]].peer,
				       a->conns[fds[i]].peer) == 0;
		     i++)
			;
		closed += trim(a, fds, start, i, a->lim.max_pending_per_address,
			       now_ms);
	}
	free(fds);
	return closed;
}

size_t
admit_tick(struct admit *a, uint64_t now_ms)
{
	size_t fd, closed;

	for (fd = 0; fd < a->cap; fd++)
		if (a->conns[fd].drop_at_ms != 0 &&
		    now_ms >= a->conns[fd].drop_at_ms &&
		    (a->conns[fd].state == CONN_PEER ||
		     a->conns[fd].state == CONN_ANON) &&
		    close_conn(a, (int)fd))
			a->closed_drop++;
	if (!a->dirty)
		return 0;
	a->dirty = false;
	closed = enforce(a, now_ms);
	a->closed_limit += closed;
	return closed;
}

void
admit_metrics(struct mtext *m, const struct admit_counts *k,
	      const char *prefix, const char *who)
{
	char peers[64], pending[64], closed[64], help[96];

	snprintf(peers, sizeof(peers), "%s_connections", prefix);
	snprintf(pending, sizeof(pending), "%s_connections_pending", prefix);
	snprintf(closed, sizeof(closed), "%s_connections_closed_total",
		 prefix);
	snprintf(help, sizeof(help), "Connections the %s closed, by reason.",
		 who);
	metrics_family(m, peers, "gauge",
		       "Network peers connected now (handshake done, spoken).");
	metrics_sample(m, peers, NULL, (double)k->peers);
	metrics_family(m, pending, "gauge",
		       "TCP connections not yet heard from (anonymous).");
	metrics_sample(m, pending, NULL, (double)k->pending);
	metrics_family(m, closed, "counter", help);
	metrics_sample(m, closed, "reason=\"pending_limit\"",
		       (double)k->closed_limit);
	metrics_sample(m, closed, "reason=\"key_not_valid\"",
		       (double)k->closed_drop);
	metrics_sample(m, closed, "reason=\"per_key\"",
		       (double)k->closed_key);
}
