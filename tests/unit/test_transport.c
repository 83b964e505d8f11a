/*
 * test_transport.c - tsock_recv's limits: a message over them is read to
 * its end and dropped, and on a ROUTER its routing id, and the head of
 * its first payload frame, stay for the refusal; tsock_recv_routed takes,
 * refuses or drops a message on its routing id; and the socket file of a
 * local listener is removed at its close only while it is still its own;
 * a CURVE connection's monitor hears its handshake however late it is
 * read, and a CURVE listener's hears a peer that came in as it bound;
 * and transport_free returns when libzmq never ends its context.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys.h"
#include "transport.h"

#define MAX_BYTES 4096

struct pair {
	char dir[64], ep[128];
	struct transport *t;
	struct tsock *srv, *cli; /* a ROUTER and a DEALER */
};

static void
pair_open(struct pair *p)
{
	int err;

	snprintf(p->dir, sizeof(p->dir), "/tmp/kuska-transport-XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	snprintf(p->ep, sizeof(p->ep), "ipc://%s/s", p->dir);
	p->t = transport_new();
	assert_non_null(p->t);
	p->srv = tsock_bind_local(p->t, p->ep, 1024 * 1024, &err);
	assert_non_null(p->srv);
	p->cli = tsock_connect_local(p->t, p->ep, NULL, &err);
	assert_non_null(p->cli);
}

static void
pair_close(struct pair *p)
{
	char path[160];

	tsock_free(&p->cli);
	tsock_free(&p->srv);
	transport_free(&p->t);
	snprintf(path, sizeof(path), "%s/s", p->dir);
	unlink(path);
	rmdir(p->dir);
}

/* Sends n frames on s, waiting for the connection. */
static void
send_all(struct tsock *s, const void *const *data, const size_t *len, size_t n)
{
	int err = -EAGAIN, i;

	for (i = 0; i < 500 && err == -EAGAIN; i++) {
		err = tsock_send(s, data, len, n);
		if (err == -EAGAIN)
			usleep(10000);
	}
	assert_int_equal(err, 0);
}

/* Waits for a message on s and takes it within the limits. */
static int
recv_wait(struct tsock *s, struct tframes *f, size_t max_frames)
{
	bool ready[1];

	assert_true(tsock_poll(&s, 1, ready, 5000) > 0);
	return tsock_recv(s, f, max_frames, MAX_BYTES);
}

/* A refused message: the reply to its routing id reaches the sender. */
static void
assert_refused_and_answered(struct pair *p, struct tframes *f, const char *head)
{
	const void *data[2];
	size_t lens[2];
	struct tframes a;

	assert_int_equal(f->n, 1);
	assert_true(f->len[0] > 0);
	assert_true(f->fd >= 0);
	assert_int_equal(f->head_len, strlen(head));
	assert_memory_equal(f->head, head, f->head_len);
	data[0] = f->data[0];
	lens[0] = f->len[0];
	data[1] = "refused";
	lens[1] = 7;
	send_all(p->srv, data, lens, 2);
	tframes_clear(f);
	assert_int_equal(recv_wait(p->cli, &a, 1), 0);
	assert_int_equal(a.n, 1);
	assert_memory_equal(a.data[0], "refused", 7);
	tframes_clear(&a);
}

static void
test_too_many_frames(void **state)
{
	static const char one[] = "0123456789abcdefghij";
	const void *data[3] = {one, "b", "c"};
	size_t lens[3] = {sizeof(one) - 1, 1, 1};
	struct pair p;
	struct tframes f;

	(void)state;
	pair_open(&p);
	/* Routing id and three frames, where two are taken. */
	send_all(p.cli, data, lens, 3);
	assert_int_equal(recv_wait(p.srv, &f, 3), -EMSGSIZE);
	assert_refused_and_answered(&p, &f, "0123456789abcdef");
	/* A short first frame: all of it is the head. */
	lens[0] = 3;
	send_all(p.cli, data, lens, 3);
	assert_int_equal(recv_wait(p.srv, &f, 3), -EMSGSIZE);
	assert_refused_and_answered(&p, &f, "012");
	pair_close(&p);
}

static void
test_too_many_bytes(void **state)
{
	uint8_t *big = malloc(MAX_BYTES + 1);
	const void *data[2] = {"ok", big};
	size_t lens[2] = {MAX_BYTES + 1, 0};
	struct pair p;
	struct tframes f;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', MAX_BYTES + 1);
	memcpy(big, "head", 4);
	pair_open(&p);
	/* The first frame is the one over. */
	data[0] = big;
	send_all(p.cli, data, lens, 1);
	assert_int_equal(recv_wait(p.srv, &f, 3), -EMSGSIZE);
	assert_refused_and_answered(&p, &f, "headxxxxxxxxxxxx");
	/* A later one is: the head is the first frame's. */
	data[0] = "ok";
	data[1] = big;
	lens[0] = 2;
	lens[1] = MAX_BYTES;
	send_all(p.cli, data, lens, 2);
	assert_int_equal(recv_wait(p.srv, &f, 3), -EMSGSIZE);
	assert_refused_and_answered(&p, &f, "ok");
	/* The socket goes on: a message within the limits comes whole. */
	send_all(p.cli, data, lens, 1);
	assert_int_equal(recv_wait(p.srv, &f, 3), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.head_len, 0);
	tframes_clear(&f);
	free(big);
	pair_close(&p);
}

/* tsock_recv_routed's judge: the routes of successive messages, in turn,
 * and the routing id it was shown. */
struct routes {
	enum tsock_route r[4];
	size_t next;
	size_t rid_len;
};

static enum tsock_route
route_next(void *arg, const uint8_t *rid, size_t len)
{
	struct routes *rt = arg;

	(void)rid;
	rt->rid_len = len;
	return rt->r[rt->next++];
}

/* Each message judged on its routing id alone: taken whole, its routing
 * id kept for a refusal, or dropped, each read to its end so that the
 * next comes whole. */
static void
test_recv_routed(void **state)
{
	struct routes rt = {.r = {TSOCK_ROUTE_TAKE, TSOCK_ROUTE_REFUSE,
				  TSOCK_ROUTE_DROP, TSOCK_ROUTE_TAKE}};
	const void *data[2] = {"first", "second"};
	size_t lens[2] = {5, 6};
	bool ready[1];
	struct pair p;
	struct tframes f;
	struct tframes a;
	int i;

	(void)state;
	pair_open(&p);
	for (i = 0; i < 4; i++)
		send_all(p.cli, data, lens, 2);
	assert_true(tsock_poll(&p.srv, 1, ready, 5000) > 0);
	for (i = 0; i < 4; i++) {
		int r;
		/* All four are sent: wait for each in turn. */
		while ((r = tsock_recv_routed(p.srv, &f, 3, MAX_BYTES,
					      route_next, &rt)) == -EAGAIN) {
			tframes_clear(&f);
			assert_true(tsock_poll(&p.srv, 1, ready, 5000) > 0);
		}
		assert_int_equal(rt.next, i + 1);
		assert_true(rt.rid_len > 0);
		if (rt.r[i] == TSOCK_ROUTE_TAKE) {
			assert_int_equal(r, 0);
			assert_int_equal(f.n, 3);
			assert_memory_equal(f.data[2], "second", 6);
			tframes_clear(&f);
		} else if (rt.r[i] == TSOCK_ROUTE_DROP) {
			assert_int_equal(r, -ENOSPC);
			assert_int_equal(f.n, 0);
			tframes_clear(&f);
		} else {
			const void *reply[2] = {f.data[0], "busy"};
			size_t rlens[2] = {f.len[0], 4};
			assert_int_equal(r, -ENOSPC);
			assert_int_equal(f.n, 1);
			assert_int_equal(f.len[0], rt.rid_len);
			send_all(p.srv, reply, rlens, 2);
			tframes_clear(&f);
			assert_int_equal(recv_wait(p.cli, &a, 1), 0);
			assert_memory_equal(a.data[0], "busy", 4);
			tframes_clear(&a);
		}
	}
	pair_close(&p);
}

/* On a DEALER there is no one to answer: nothing is kept. */
static void
test_dealer_keeps_nothing(void **state)
{
	const void *data[3] = {"hello", "two", "frames"};
	size_t lens[3] = {5, 3, 6};
	struct pair p;
	struct tframes f;

	(void)state;
	pair_open(&p);
	send_all(p.cli, data, lens, 1);
	assert_int_equal(recv_wait(p.srv, &f, 3), 0);
	/* The answer: the routing id, then two frames where one is taken. */
	data[0] = f.data[0];
	lens[0] = f.len[0];
	send_all(p.srv, data, lens, 3);
	tframes_clear(&f);
	assert_int_equal(recv_wait(p.cli, &f, 1), -EMSGSIZE);
	assert_int_equal(f.n, 0);
	assert_null(f.data);
	assert_int_equal(f.head_len, 0);
	pair_close(&p);
}

/* A closing listener removes its socket file; but if that file was
 * removed under it and a second listener made a new one at the same path,
 * the first one's close leaves the second one's file alone. */
static void
test_close_removes_own_file_only(void **state)
{
	char path[160];
	struct pair p;
	struct tsock *second;
	struct stat st;
	int err;

	(void)state;
	pair_open(&p);
	snprintf(path, sizeof(path), "%s/s", p.dir);
	assert_int_equal(unlink(path), 0);
	second = tsock_bind_local(p.t, p.ep, 1024, &err);
	assert_non_null(second);
	tsock_free(&p.srv);
	assert_int_equal(stat(path, &st), 0);
	tsock_free(&second);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	pair_close(&p);
}

/* Whether mon tells of a handshake done within timeout_ms. */
static bool
heard_handshake(struct tsock *mon, int timeout_ms)
{
	bool ready[1];
	enum tevent ev;
	char addr[128];
	int i;

	for (i = 0; i < timeout_ms / 50; i++) {
		if (tsock_poll(&mon, 1, ready, 50) <= 0)
			continue;
		while (tsock_monitor_read(mon, &ev, addr, sizeof(addr)) == 0)
			if (ev == TEVENT_HANDSHAKE_OK)
				return true;
	}
	return false;
}

/* Two CURVE peers on an ipc endpoint of their own, and the monitor the
 * second of them made as it came. */
struct curve {
	char dir[64], ep[128];
	struct secret_key *srv_key, *cli_key;
	struct transport *t;
	struct tsock *srv, *cli; /* a ROUTER and a DEALER */
	struct tsock *mon;	 /* the second's, made before it came */
};

/* A CURVE client connecting to its server, with the monitor if mon. */
static void
curve_dial(struct curve *c, struct tsock **mon)
{
	int err;

	c->cli = tsock_connect_curve(c->t, c->ep, c->cli_key->curve_pk,
				     c->cli_key->curve_sk, c->srv_key->curve_pk,
				     NULL, mon, &err);
	assert_non_null(c->cli);
}

/*
 * curve_open - a CURVE server and its client: the server binds first and
 * the client's connect makes the monitor, or with client_first the
 * client dials before the server is there and the server's bind makes
 * it. Either way the monitor is there before a handshake that can end
 * at once.
 */
static void
curve_open(struct curve *c, bool client_first)
{
	int err;

	assert_int_equal(keys_init(), 0);
	c->srv_key = c->cli_key = NULL;
	c->mon = NULL;
	assert_int_equal(keys_generate("server", &c->srv_key), 0);
	assert_int_equal(keys_generate("client", &c->cli_key), 0);
	snprintf(c->dir, sizeof(c->dir), "/tmp/kuska-transport-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(c->ep, sizeof(c->ep), "ipc://%s/c", c->dir);
	c->t = transport_new();
	assert_non_null(c->t);
	if (client_first)
		curve_dial(c, NULL);
	c->srv = tsock_bind_curve(c->t, c->ep, c->srv_key->curve_sk, "test",
				  NULL, client_first ? &c->mon : NULL, &err);
	assert_non_null(c->srv);
	if (!client_first)
		curve_dial(c, &c->mon);
	assert_non_null(c->mon);
}

/*
 * curve_close - frees what curve_open made. Each test frees the sockets
 * first, in its own order (libzmq may leak a monitor event at exit in
 * another); any left are freed here.
 */
static void
curve_close(struct curve *c)
{
	char path[160];

	tsock_free(&c->srv);
	tsock_free(&c->cli);
	tsock_free(&c->mon);
	transport_free(&c->t);
	keys_free(&c->srv_key);
	keys_free(&c->cli_key);
	snprintf(path, sizeof(path), "%s/c", c->dir);
	unlink(path);
	rmdir(c->dir);
}

/* The monitor tsock_connect_curve makes is there before the connection:
 * read only once the handshake is long over (the server has the
 * client's message), as a client starved of the processor reads it, it
 * still tells of it. A monitor made after the connection misses the
 * handshake once it is over by then (kuska_asker's "handshakes 0" in
 * test_query_odd on a loaded machine; a refusal, which libzmq never
 * retries, missed the same way, left kuska query waiting out its
 * time-out). */
static void
test_curve_monitor_hears_handshake(void **state)
{
	const void *data[1] = {"hello"};
	size_t lens[1] = {5};
	struct curve c;
	struct tframes f;

	(void)state;
	curve_open(&c, false);
	send_all(c.cli, data, lens, 1);
	assert_int_equal(recv_wait(c.srv, &f, 2), 0);
	tframes_clear(&f);
	assert_true(heard_handshake(c.mon, 5000));
	tsock_free(&c.mon);
	tsock_free(&c.cli);
	tsock_free(&c.srv);
	curve_close(&c);
}

/* Whether mon tells of a peer accepted and of its handshake done, within
 * timeout_ms. */
static bool
heard_accept_and_handshake(struct tsock *mon, int timeout_ms)
{
	bool ready[1], accepted = false, handshake = false;
	enum tevent ev;
	char addr[128];
	int i;

	for (i = 0; i < timeout_ms / 50 && !(accepted && handshake); i++) {
		if (tsock_poll(&mon, 1, ready, 50) <= 0)
			continue;
		while (tsock_monitor_read(mon, &ev, addr, sizeof(addr)) == 0) {
			accepted = accepted || ev == TEVENT_ACCEPTED;
			handshake = handshake || ev == TEVENT_HANDSHAKE_OK;
		}
	}
	return accepted && handshake;
}

/* The monitor tsock_bind_curve makes is there before the socket binds: a
 * client already dialling (a node retrying while the consolidator
 * restarts) is accepted as soon as it binds, and its handshake ends,
 * before the server's owner could make a monitor after the bind. Read
 * only once the server has the client's message, the monitor still tells
 * of the peer's accept and handshake, which admission counts (pending
 * handshakes per address, connections per key). */
static void
test_bind_monitor_hears_early_peer(void **state)
{
	const void *data[1] = {"hello"};
	size_t lens[1] = {5};
	struct curve c;
	struct tframes f;

	(void)state;
	/* The client first: it dials, and keeps dialling, before the
	 * server is there; its message waits for the connection. */
	curve_open(&c, true);
	send_all(c.cli, data, lens, 1);
	assert_int_equal(recv_wait(c.srv, &f, 2), 0);
	tframes_clear(&f);
	assert_true(heard_accept_and_handshake(c.mon, 5000));
	/* The server first: with its monitor closed first, libzmq left
	 * an event (75 bytes, most likely the client's going) unfreed in
	 * 2 of 6 ASan runs; in this order 0 of 20. */
	tsock_free(&c.srv);
	tsock_free(&c.cli);
	tsock_free(&c.mon);
	curve_close(&c);
}

/* A context libzmq never ends (here a socket left open, which makes
 * zmq_ctx_term wait for ever, as libzmq's own hang does): transport_free
 * still returns, so that a daemon told to stop stops. SIGALRM's default
 * action fails the test where it would wait for ever. In a child that
 * leaves with _exit: the context is left to the process's end, and
 * LeakSanitizer, run at exit, saw now and then (2 runs in 26 under load)
 * what libzmq's threads still held of it as lost. */
static void
test_term_bounded(void **state)
{
	struct pair p;
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pair_open(&p);
		tsock_free(&p.cli);
		alarm(60);
		transport_free(&p.t);
		_exit(p.t == NULL ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_too_many_frames),
	    cmocka_unit_test(test_too_many_bytes),
	    cmocka_unit_test(test_recv_routed),
	    cmocka_unit_test(test_dealer_keeps_nothing),
	    cmocka_unit_test(test_close_removes_own_file_only),
	    cmocka_unit_test(test_curve_monitor_hears_handshake),
	    cmocka_unit_test(test_bind_monitor_hears_early_peer),
	    cmocka_unit_test(test_term_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
