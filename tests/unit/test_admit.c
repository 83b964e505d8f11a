/*
 * test_admit.c - the connection table of lib/admit.h, over real TCP
 * connections on 127.0.0.1 (the table closes them with shutdown(2), and
 * the client ends see it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "admit.h"
#include "transport.h"

#define MAXC 64

struct net {
	int listener;
	int client[MAXC], server[MAXC];
	char peer[MAXC][TRANSPORT_PEER_MAX];
	size_t n;
};

static int
setup(void **state)
{
	static struct net net;
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int one = 1;

	memset(&net, 0, sizeof(net));
	net.listener = socket(AF_INET, SOCK_STREAM, 0);
	if (net.listener < 0)
		return -1;
	setsockopt(net.listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(net.listener, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(net.listener, MAXC) != 0 ||
	    getsockname(net.listener, (struct sockaddr *)&a, &len) != 0)
		return -1;
	*state = &net;
	return 0;
}

static int
teardown(void **state)
{
	struct net *net = *state;
	size_t i;

	for (i = 0; i < net->n; i++) {
		close(net->client[i]);
		close(net->server[i]);
	}
	close(net->listener);
	return 0;
}

/* Opens one more connection; returns its index. from: the source IP. */
static size_t
connect_one(struct net *net, const char *from)
{
	struct sockaddr_in a, src;
	socklen_t len = sizeof(a);
	size_t i = net->n++;

	assert_true(i < MAXC);
	assert_int_equal(
	    getsockname(net->listener, (struct sockaddr *)&a, &len), 0);
	net->client[i] = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(net->client[i] >= 0);
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, from, &src.sin_addr), 1);
	assert_int_equal(
	    bind(net->client[i], (struct sockaddr *)&src, sizeof(src)), 0);
	assert_int_equal(
	    connect(net->client[i], (struct sockaddr *)&a, sizeof(a)), 0);
	net->server[i] = accept(net->listener, NULL, NULL);
	assert_true(net->server[i] >= 0);
	assert_int_equal(transport_peer_name(net->server[i], net->peer[i],
					     sizeof(net->peer[i])),
			 0);
	return i;
}

/* The ACCEPTED event of connection i. */
static void
accepted(struct admit *a, struct net *net, size_t i, uint64_t now)
{
	struct tmon_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ev = TEVENT_ACCEPTED;
	ev.fd = net->server[i];
	snprintf(ev.peer, sizeof(ev.peer), "%s", net->peer[i]);
	admit_event(a, &ev, now);
}

/* Connection i's client sends a byte (a handshake begins). */
static void
speak(struct net *net, size_t i)
{
	assert_int_equal(send(net->client[i], "\x7f", 1, 0), 1);
	usleep(20000); /* on its way through loopback */
}

/* Whether the server side shut connection i (the client reads EOF). */
static int
shut(struct net *net, size_t i)
{
	char b;
	ssize_t r = recv(net->client[i], &b, 1, MSG_DONTWAIT);

	return r == 0;
}

static const struct admit_limits lim = {
    .max_peers = 2,
    .max_pending = 10,
    .max_pending_per_address = 3,
    .grace_ms = 2000,
};

/* Peers are those that spoke; only they fill max_peers. */
static void
test_peers_and_pending(void **state)
{
	struct net *net = *state;
	struct admit *a = admit_new(&lim);
	struct admit_counts k;
	struct tmon_event ev;
	size_t i, c0, c1;
	const char *bound;
	unsigned long limit;

	assert_non_null(a);
	for (i = 0; i < 3; i++)
		accepted(a, net, connect_one(net, "127.0.0.1"), 1000);
	admit_get_counts(a, &k);
	assert_int_equal(k.pending, 3);
	assert_int_equal(k.peers, 0);
	assert_false(admit_full(a)); /* anonymous ones do not count */
	c0 = net->n - 3;
	c1 = net->n - 2;
	admit_message(a, net->server[c0], "pnp/pnp-1/00", 1100);
	admit_message(a, net->server[c1], "mp/mp-1/00", 1100);
	admit_message(a, net->server[c1], "mp/mp-1/00", 1200); /* again */
	admit_get_counts(a, &k);
	assert_int_equal(k.peers, 2);
	assert_int_equal(k.pending, 1);
	assert_true(admit_full(a));
	assert_string_equal(admit_refusal(a, "pj/pj-1/00", &bound, &limit),
			    "too_many_connections");
	assert_string_equal(bound, "max_connections");
	assert_int_equal(limit, 2);
	/* A peer goes: room again. */
	memset(&ev, 0, sizeof(ev));
	ev.ev = TEVENT_DISCONNECTED;
	ev.fd = net->server[c0];
	admit_event(a, &ev, 1300);
	assert_false(admit_full(a));
	admit_get_counts(a, &k);
	assert_int_equal(k.peers, 1);
	/* A message whose ACCEPTED was not read yet counts too. */
	i = connect_one(net, "127.0.0.1");
	admit_message(a, net->server[i], "pj/pj-1/00", 1400);
	accepted(a, net, i, 1400); /* then its ACCEPTED: the same one */
	admit_get_counts(a, &k);
	assert_int_equal(k.peers, 2);
	assert_int_equal(k.pending, 1);
	admit_free(&a);
	assert_null(a);
	admit_free(&a);
}

/* Over the bound per address: the oldest past the grace goes first. */
static void
test_per_address_oldest(void **state)
{
	struct net *net = *state;
	struct admit *a = admit_new(&lim);
	struct admit_counts k;
	size_t first = net->n, i;

	assert_non_null(a);
	for (i = 0; i < 3; i++)
		accepted(a, net, connect_one(net, "127.0.0.2"), 1000 + i);
	assert_int_equal(admit_tick(a, 1003), 0);
	/* A fourth, long after: the oldest (first) is closed. */
	accepted(a, net, connect_one(net, "127.0.0.2"), 9000);
	assert_int_equal(admit_tick(a, 9000), 1);
	assert_true(shut(net, first));
	for (i = first + 1; i < net->n; i++)
		assert_false(shut(net, i));
	/* Another address is not touched by it. */
	for (i = 0; i < 3; i++)
		accepted(a, net, connect_one(net, "127.0.0.3"), 9001);
	assert_int_equal(admit_tick(a, 9001), 0);
	admit_get_counts(a, &k);
	assert_int_equal(k.pending, 6);
	assert_int_equal(k.closed_limit, 1);
	admit_free(&a);
}

/* Within the grace (handshakes in progress): the newest goes. */
static void
test_per_address_newest_in_grace(void **state)
{
	struct net *net = *state;
	struct admit *a = admit_new(&lim);
	size_t first = net->n, i;

	assert_non_null(a);
	for (i = 0; i < 4; i++) {
		accepted(a, net, connect_one(net, "127.0.0.4"), 5000 + i);
		speak(net, first + i);
	}
	assert_int_equal(admit_tick(a, 5004), 1);
	assert_true(shut(net, first + 3));
	for (i = first; i < first + 3; i++)
		assert_false(shut(net, i));
	admit_free(&a);
}

/*
 * Connections that have sent nothing go before any that began a
 * handshake, however young: an idle holder cannot push out a client.
 */
static void
test_silent_first(void **state)
{
	struct net *net = *state;
	struct admit *a = admit_new(&lim);
	size_t first = net->n, i;

	assert_non_null(a);
	accepted(a, net, connect_one(net, "127.0.0.7"), 100); /* talks */
	speak(net, first);
	for (i = 1; i < 4; i++) /* silent, all younger than the talker */
		accepted(a, net, connect_one(net, "127.0.0.7"), 100 + i);
	accepted(a, net, connect_one(net, "127.0.0.7"), 104); /* talks */
	speak(net, first + 4);
	assert_int_equal(admit_tick(a, 105), 2);
	assert_false(shut(net, first));
	assert_true(shut(net, first + 1));
	assert_true(shut(net, first + 2));
	assert_false(shut(net, first + 3));
	assert_false(shut(net, first + 4));
	admit_free(&a);
}

/* The bound over all addresses. */
static void
test_pending_total(void **state)
{
	struct net *net = *state;
	struct admit_limits l = lim;
	struct admit *a;
	struct admit_counts k;
	size_t first = net->n, i;
	char ip[16];

	l.max_pending = 4;
	a = admit_new(&l);
	assert_non_null(a);
	for (i = 0; i < 6; i++) {
		snprintf(ip, sizeof(ip), "127.0.1.%zu", i + 1);
		accepted(a, net, connect_one(net, ip), 100 * i);
	}
	assert_int_equal(admit_tick(a, 10000), 2);
	assert_true(shut(net, first));
	assert_true(shut(net, first + 1));
	for (i = first + 2; i < first + 6; i++)
		assert_false(shut(net, i));
	admit_get_counts(a, &k);
	assert_int_equal(k.pending, 4);
	admit_free(&a);
}

static bool
gone_if_pj(void *arg, const char *user_id)
{
	(*(int *)arg)++;
	return strncmp(user_id, "pj/", 3) == 0;
}

/* Revoked keys' connections: at once, or after a refusal went out. */
static void
test_drops(void **state)
{
	struct net *net = *state;
	struct admit *a = admit_new(&lim);
	struct admit_counts k;
	size_t p, q, r;
	int asked = 0;

	assert_non_null(a);
	p = connect_one(net, "127.0.0.5");
	q = connect_one(net, "127.0.0.5");
	r = connect_one(net, "127.0.0.5");
	accepted(a, net, p, 0);
	accepted(a, net, q, 0);
	accepted(a, net, r, 0);
	admit_message(a, net->server[p], "pj/pj-1/00", 1);
	admit_message(a, net->server[q], "mp/mp-1/00", 1);
	assert_int_equal(admit_drop_if(a, gone_if_pj, &asked), 1);
	assert_int_equal(asked, 2); /* peers only, not the anonymous one */
	assert_true(shut(net, p));
	assert_false(shut(net, q));
	admit_drop_later(a, net->server[q], admit_id(a, net->server[q]), 500);
	assert_int_equal(admit_tick(a, 499), 0);
	assert_false(shut(net, q));
	(void)admit_tick(a, 500);
	assert_true(shut(net, q));
	assert_false(shut(net, r));
	admit_get_counts(a, &k);
	assert_int_equal(k.closed_drop, 2);
	assert_int_equal(k.peers, 0);
	admit_free(&a);
}

/* A descriptor that no longer holds the connection is not shut. */
static void
test_stale(void **state)
{
	struct net *net = *state;
	struct admit *a = admit_new(&lim);
	struct tmon_event ev;
	struct admit_counts k;
	size_t i = connect_one(net, "127.0.0.6");

	assert_non_null(a);
	memset(&ev, 0, sizeof(ev));
	ev.ev = TEVENT_ACCEPTED;
	ev.fd = net->server[i];
	snprintf(ev.peer, sizeof(ev.peer), "127.0.0.6:1"); /* not its port */
	admit_event(a, &ev, 0);
	admit_message(a, net->server[i], "pj/pj-1/00", 1);
	admit_drop_later(a, net->server[i], admit_id(a, net->server[i]), 1);
	(void)admit_tick(a, 10);
	assert_false(shut(net, i));
	admit_get_counts(a, &k);
	assert_int_equal(k.peers, 0);
	assert_int_equal(k.closed_drop, 0);
	/* An event without a descriptor or peer name changes nothing. */
	ev.fd = -1;
	admit_event(a, &ev, 0);
	admit_message(a, -1, "x", 0);
	admit_get_counts(a, &k);
	assert_int_equal(k.pending, 0);
	admit_free(&a);
}

/*
 * A close asked for a connection gone, whose descriptor another one took
 * since, leaves that one open: each has an id of its own.
 */
static void
test_drop_later_other(void **state)
{
	struct net *net = *state;
	struct admit *a = admit_new(&lim);
	struct tmon_event ev;
	struct admit_counts k;
	uint64_t old_id, new_id;
	size_t i = connect_one(net, "127.0.0.7");

	assert_non_null(a);
	accepted(a, net, i, 0);
	admit_message(a, net->server[i], "minsa/minsa-1/00", 1);
	old_id = admit_id(a, net->server[i]);
	assert_true(old_id != 0);
	assert_int_equal(admit_id(a, -1), 0);
	/* It goes; the next connection gets its descriptor. */
	memset(&ev, 0, sizeof(ev));
	ev.ev = TEVENT_DISCONNECTED;
	ev.fd = net->server[i];
	admit_event(a, &ev, 2);
	assert_int_equal(admit_id(a, net->server[i]), 0);
	accepted(a, net, i, 3); /* the same descriptor and peer: a stand-in */
	admit_message(a, net->server[i], "mp/mp-1/00", 4);
	new_id = admit_id(a, net->server[i]);
	assert_true(new_id != 0 && new_id != old_id);
	admit_drop_later(a, net->server[i], old_id, 5);
	admit_drop_later(a, net->server[i], 0, 5);
	(void)admit_tick(a, 1000);
	assert_false(shut(net, i));
	admit_get_counts(a, &k);
	assert_int_equal(k.closed_drop, 0);
	assert_int_equal(k.peers, 1);
	/* Its own id closes it. */
	admit_drop_later(a, net->server[i], new_id, 1001);
	(void)admit_tick(a, 1001);
	assert_true(shut(net, i));
	admit_free(&a);
}

/*
 * One key's peers are bounded: ZAP asks admit_key_full, and a key over
 * the bound (handshakes done at once) loses its oldest connections,
 * other keys none; a reload lowering the bound applies at the key's next
 * message.
 */
static void
test_per_key(void **state)
{
	struct net *net = *state;
	struct admit_limits l = lim;
	struct admit *a;
	struct admit_counts k;
	size_t first = net->n, i;
	const char *bound;
	unsigned long limit;

	l.max_peers = 100;
	l.max_per_key = 3;
	l.max_pending = 20;
	l.max_pending_per_address = 20;
	a = admit_new(&l);
	assert_non_null(a);
	for (i = 0; i < 6; i++)
		accepted(a, net, connect_one(net, "127.0.0.8"), 100 + i);
	/* The thief's key on 0..4, another node on 5; the oldest speaks
	 * last (a connection's age is from its acceptance). */
	for (i = 1; i < 3; i++)
		assert_int_equal(
		    admit_message(a, net->server[first + i], "pj/pj-1/aa", 200),
		    0);
	assert_int_equal(
	    admit_message(a, net->server[first + 5], "mp/mp-1/bb", 200), 0);
	assert_false(admit_key_full(a, "pj/pj-1/aa"));
	assert_int_equal(
	    admit_message(a, net->server[first], "pj/pj-1/aa", 201), 0);
	assert_int_equal(admit_key_peers(a, "pj/pj-1/aa"), 3);
	assert_true(admit_key_full(a, "pj/pj-1/aa"));
	assert_false(admit_key_full(a, "mp/mp-1/bb"));
	assert_false(admit_key_full(a, "pj/pj-1/cc")); /* another key */
	/* What the ZAP callback logs. */
	assert_string_equal(admit_refusal(a, "pj/pj-1/aa", &bound, &limit),
			    "too_many_connections_for_key");
	assert_string_equal(bound, "max_connections_per_key");
	assert_int_equal(limit, 3);
	assert_null(admit_refusal(a, "mp/mp-1/bb", &bound, &limit));
	/* Two more at once: the two oldest go, the newest stay. */
	assert_int_equal(
	    admit_message(a, net->server[first + 3], "pj/pj-1/aa", 300), 1);
	assert_true(shut(net, first));
	assert_int_equal(
	    admit_message(a, net->server[first + 4], "pj/pj-1/aa", 300), 1);
	assert_true(shut(net, first + 1));
	for (i = 2; i < 6; i++)
		assert_false(shut(net, first + i));
	assert_int_equal(admit_key_peers(a, "pj/pj-1/aa"), 3);
	assert_int_equal(admit_key_peers(a, "mp/mp-1/bb"), 1);
	/* Again on a peer: nothing to do. */
	assert_int_equal(
	    admit_message(a, net->server[first + 4], "pj/pj-1/aa", 301), 0);
	/* A reload lowers the bound: the key's next message, even on its
	 * oldest connection, closes the oldest. */
	l.max_per_key = 2;
	admit_set_limits(a, &l);
	assert_int_equal(
	    admit_message(a, net->server[first + 2], "pj/pj-1/aa", 400), 1);
	assert_true(shut(net, first + 2));
	assert_false(shut(net, first + 3));
	/* Lowered again, trimmed at once: only the newest stays. */
	l.max_per_key = 1;
	admit_set_limits(a, &l);
	assert_int_equal(admit_trim_keys(a), 1);
	assert_true(shut(net, first + 3));
	assert_false(shut(net, first + 4));
	assert_false(shut(net, first + 5));
	assert_int_equal(admit_trim_keys(a), 0);
	assert_int_equal(
	    admit_message(a, net->server[first + 5], "mp/mp-1/bb", 400), 0);
	admit_get_counts(a, &k);
	assert_int_equal(k.closed_key, 4);
	assert_int_equal(k.closed_drop, 0);
	assert_int_equal(k.peers, 2); /* the closed ones are closing */
	admit_free(&a);
}

/* The config keys' bounds: a key's at most max_connections. */
static void
test_limits_of(void **state)
{
	struct admit_limits l;

	(void)state;
	l = admit_limits_of(256, 16, 100, 32);
	assert_int_equal(l.max_peers, 256);
	assert_int_equal(l.max_per_key, 16);
	assert_int_equal(l.max_pending, 100);
	assert_int_equal(l.max_pending_per_address, 32);
	assert_int_equal(l.grace_ms, ADMIT_GRACE_MS);
	l = admit_limits_of(8, 16, 1, 1);
	assert_int_equal(l.max_per_key, 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peers_and_pending),
	    cmocka_unit_test(test_per_address_oldest),
	    cmocka_unit_test(test_per_address_newest_in_grace),
	    cmocka_unit_test(test_silent_first),
	    cmocka_unit_test(test_pending_total),
	    cmocka_unit_test(test_drops),
	    cmocka_unit_test(test_stale),
	    cmocka_unit_test(test_drop_later_other),
	    cmocka_unit_test(test_per_key),
	    cmocka_unit_test(test_limits_of),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
