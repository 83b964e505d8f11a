/*
 * test_holders.c - holders_new's errors name the config's file, line and
 * key: a key holder's public key file read again at connect time (gone
 * since the start's check, say) is named as the start names it,
 * "FILE:LINE: [node] keyholder2_key: ...". A holder's replies nothing
 * asked for, HOLDERS_FLOOD_MAX in a row, drop its connection, idle or
 * while a round waits, for it or (once it answered) for another holder,
 * or as a round starts, which goes on the new socket; a new socket
 * refused (out of descriptors) is made at the next request, which is
 * sent nowhere while it is refused still, never on the flooded one.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "codec.h"
#include "curve_rig.h"
#include "date.h"
#include "holders.h"
#include "keys.h"
#include "transport.h"

/* holders_new's error for cfg read from the file conf (keyholder_key's
 * file missing), written into err. */
static void
holders_error(const struct node_config *cfg, const char *conf, char *err,
	      size_t errlen)
{
	struct secret_key *key = NULL;
	struct transport *t;

	assert_int_equal(keys_init(), 0);
	assert_int_equal(keys_generate("node", &key), 0);
	t = transport_new();
	assert_non_null(t);
	err[0] = '\0';
	assert_null(holders_new(t, cfg, conf, key, err, errlen));
	transport_free(&t);
	keys_free(&key);
}

static void
test_missing_key_names_config_line(void **state)
{
	struct node_config *cfg;
	char dir[64], conf[128], want[256], err[1024];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kuska-holders-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/node.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f,
		"[node]\n"
		"keyholder = tcp://127.0.0.1:1\n"
		"keyholder_key = %s/kh1.pub\n"
		"\n"
		"keyholder2 = tcp://127.0.0.1:2\n"
		"keyholder2_key = %s/kh2.pub\n",
		dir, dir);
	assert_int_equal(fclose(f), 0);
	cfg = calloc(1, sizeof(*cfg));
	assert_non_null(cfg);
	cfg->keyholder_timeout_s = 1;

	/* The second holder alone: keyholder2_key, line 6. */
	snprintf(cfg->keyholder[1], sizeof(cfg->keyholder[1]),
		 "tcp://127.0.0.1:2");
	snprintf(cfg->keyholder_key[1], sizeof(cfg->keyholder_key[1]),
		 "%s/kh2.pub", dir);
	holders_error(cfg, conf, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:6: [node] keyholder2_key: ", conf);
	assert_memory_equal(err, want, strlen(want));
	assert_non_null(strstr(err, "kh2.pub"));

	/* The first: keyholder_key (no "1"), line 3. */
	snprintf(cfg->keyholder[0], sizeof(cfg->keyholder[0]),
		 "tcp://127.0.0.1:1");
	snprintf(cfg->keyholder_key[0], sizeof(cfg->keyholder_key[0]),
		 "%s/kh1.pub", dir);
	holders_error(cfg, conf, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:3: [node] keyholder_key: ", conf);
	assert_memory_equal(err, want, strlen(want));
	assert_non_null(strstr(err, "kh1.pub"));

	free(cfg);
	unlink(conf);
	rmdir(dir);
}

/* A key holder's place taken by the test: a CURVE ROUTER on an ipc
 * socket, every node admitted (curve_rig.h), and the node's holders
 * connected to it. */
struct rig {
	char dir[64];
	struct curve_server srv; /* its ROUTER, srv.fs.s */
	struct node_config *cfg;
	struct holders *hs;
	uint8_t route[256]; /* the node's routing id at the router */
	size_t route_len;
};

static void
rig_open(struct rig *r)
{
	char err[512];

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/kuska-holders-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	/* All a test sends queued at once: none dropped at the mark. */
	curve_server_open(&r->srv, r->dir, "keyholder", 4 * HOLDERS_FLOOD_MAX);
	r->cfg = calloc(1, sizeof(*r->cfg));
	assert_non_null(r->cfg);
	r->cfg->keyholder_timeout_s = 30;
	snprintf(r->cfg->keyholder[0], sizeof(r->cfg->keyholder[0]), "%s",
		 r->srv.ep);
	snprintf(r->cfg->keyholder_key[0], sizeof(r->cfg->keyholder_key[0]),
		 "%s", r->srv.pub);
	r->hs = holders_new(r->srv.fs.t, r->cfg, "node.conf", r->srv.node, err,
			    sizeof(err));
	assert_non_null(r->hs);
}

static void
rig_close(struct rig *r)
{
	holders_free(&r->hs);
	curve_server_close(&r->srv);
	free(r->cfg);
	rmdir(r->dir);
}

/* Sends the node reply id (status, n elements of epoch, max_batch, the
 * holder's text and reason code). */
static void
rig_reply_reason(struct rig *r, uint64_t id, enum oprf_status status, size_t n,
		 uint32_t epoch, uint32_t max_batch, const char *text,
		 enum oprf_reason reason)
{
	static const uint8_t zeros[4 * CODEC_OPRF_ELEMENT_LEN];
	struct oprf_msg m;
	const void *data[2];
	size_t lens[2];
	uint8_t *buf;
	size_t len;

	memset(&m, 0, sizeof(m));
	m.request_id = id;
	m.status = status;
	m.epoch = epoch;
	m.n = n;
	m.elements = zeros;
	m.max_batch = max_batch;
	m.reason = reason;
	snprintf(m.text, sizeof(m.text), "%s", text);
	assert_true(n <= 4);
	assert_int_equal(codec_oprf_reply_encode(&m, &buf, &len), 0);
	data[0] = r->route;
	lens[0] = r->route_len;
	data[1] = buf;
	lens[1] = len;
	assert_int_equal(tsock_send(r->srv.fs.s, data, lens, 2), 0);
	free(buf);
}

/* Sends the node reply id (status, n elements of epoch, max_batch, the
 * holder's text; no reason code). */
static void
rig_reply_text(struct rig *r, uint64_t id, enum oprf_status status, size_t n,
	       uint32_t epoch, uint32_t max_batch, const char *text)
{
	rig_reply_reason(r, id, status, n, epoch, max_batch, text,
			 OPRF_REASON_NONE);
}

/* Sends the node reply id (status, n elements of epoch, max_batch). */
static void
rig_reply(struct rig *r, uint64_t id, enum oprf_status status, size_t n,
	  uint32_t epoch, uint32_t max_batch)
{
	rig_reply_text(r, id, status, n, epoch, max_batch, "");
}

/* Sends count replies nothing asked for: too_large refusals of ids the
 * node never sent. */
static void
rig_unasked(struct rig *r, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		rig_reply(r, 0x7fffffff00000000ULL + i, OPRF_TOO_LARGE, 0, 0,
			  100);
}

/*
 * Serves the ZAP handler and ticks the holders until the router has a
 * request of the node, decoded into m (-ENODATA: a hello); keeps the
 * node's routing id.
 */
static int
rig_request(struct rig *r, struct oprf_msg *m)
{
	struct tsock *socks[2] = {r->srv.fs.zap, r->srv.fs.s};
	bool ready[2];
	struct tframes f;
	int i, e;

	for (i = 0; i < 200; i++) {
		holders_tick(r->hs);
		(void)tsock_poll(socks, 2, ready, 50);
		curve_server_serve(&r->srv);
		if (tsock_recv(r->srv.fs.s, &f, 2, CODEC_MAX_FRAME) == 0)
			break;
	}
	assert_true(i < 200);
	assert_int_equal(f.n, 2);
	assert_true(f.len[0] <= sizeof(r->route));
	memcpy(r->route, f.data[0], f.len[0]);
	r->route_len = f.len[0];
	e = codec_oprf_request_decode(f.data[1], f.len[1],
				      CODEC_MAX_OPRF_ELEMENTS, m);
	tframes_clear(&f);
	assert_true(e == 0 || e == -ENODATA);
	return e;
}

/* Waits for the node's hello on a new connection and answers it. */
static void
rig_hello(struct rig *r)
{
	struct oprf_msg m;

	assert_int_equal(rig_request(r, &m), -ENODATA);
	rig_reply(r, 0, OPRF_OK, 0, 0, 256);
}

/*
 * Ticks the holders while their socket has replies, until it has had
 * none for 300 ms or floods reached want (then at once).
 */
static void
rig_settle(struct rig *r, uint64_t want)
{
	struct tsock *s = holders_socket(r->hs, 0);
	bool ready;
	int i;

	for (i = 0; i < 100 && (want == 0 || holders_floods(r->hs) < want); i++)
		if (tsock_poll(&s, 1, &ready, 300) > 0)
			holders_tick(r->hs);
		else if (want == 0)
			break;
}

/* One round of n elements: sent, answered by the router, received. */
static void
rig_round(struct rig *r, size_t n)
{
	uint8_t el[4 * CODEC_OPRF_ELEMENT_LEN], out[sizeof(el)];
	struct oprf_msg m;
	char why[256];

	memset(el, 7, sizeof(el));
	assert_int_equal(holders_send(r->hs, 5, el, n, 0, why, sizeof(why)), 0);
	assert_int_equal(rig_request(r, &m), 0);
	assert_int_equal(m.n, n);
	rig_reply(r, m.request_id, OPRF_OK, n, 5, 0);
	codec_oprf_clear(&m);
	assert_int_equal(holders_recv(r->hs, 5, n, out, why, sizeof(why)), 0);
}

/*
 * A holder's key sending replies nothing asked for faster than the node
 * reads them (docs/SECURITY.md, "Hostile peers"): libzmq's queue,
 * ZMQ_RCVHWM lifted, held the difference without bound (the node grew by
 * 77 MiB in test_holder_flood.sh). HOLDERS_FLOOD_MAX in a row none taken,
 * read by holders_tick, drop the connection and dial again; one fewer do
 * not, nor does a run broken by an answer taken. Then the node says hello
 * on the new connection.
 */
static void
test_flood_redial(void **state)
{
	char why[256];
	uint64_t since;
	struct rig r;

	(void)state;
	rig_open(&r);
	rig_hello(&r);
	rig_unasked(&r, HOLDERS_FLOOD_MAX - 1);
	rig_settle(&r, 0);
	assert_int_equal(holders_floods(r.hs), 0);
	rig_round(&r, 3); /* taken: the run starts again */
	rig_unasked(&r, HOLDERS_FLOOD_MAX - 1);
	rig_settle(&r, 0);
	assert_int_equal(holders_floods(r.hs), 0);
	assert_int_equal(holders_unreached(r.hs, why, sizeof(why), &since), 0);
	rig_unasked(&r, 1);
	rig_settle(&r, 1);
	assert_int_equal(holders_floods(r.hs), 1);
	rig_hello(&r); /* on the new connection */
	rig_round(&r, 2);
	rig_close(&r);
}

/*
 * The same flood while a submission waits for the holder's answers:
 * holders_recv reads and drops the replies nothing asked for (it read
 * one a poll before, and never stopped), and HOLDERS_FLOOD_MAX in a row
 * drop the connection and fail the round at once, the holder unreachable,
 * not at the time-out (30 s).
 */
static void
test_flood_while_waiting(void **state)
{
	uint8_t el[2 * CODEC_OPRF_ELEMENT_LEN], out[sizeof(el)];
	struct oprf_msg m;
	char why[256];
	uint64_t start;
	struct rig r;

	(void)state;
	rig_open(&r);
	rig_hello(&r);
	memset(el, 7, sizeof(el));
	assert_int_equal(holders_send(r.hs, 5, el, 2, 0, why, sizeof(why)), 0);
	assert_int_equal(rig_request(&r, &m), 0);
	codec_oprf_clear(&m);
	rig_unasked(&r, HOLDERS_FLOOD_MAX);
	start = date_mono_ms();
	assert_int_equal(holders_recv(r.hs, 5, 2, out, why, sizeof(why)),
			 -EHOSTUNREACH);
	assert_true(date_mono_ms() - start < 10000);
	assert_non_null(strstr(why, "nothing asked for"));
	assert_null(strchr(why, ','));
	assert_int_equal(holders_floods(r.hs), 1);
	rig_hello(&r); /* the next round goes on the new connection */
	rig_round(&r, 1);
	rig_close(&r);
}

/*
 * Of two holders (two connections to the same router), the first answers
 * the round and floods, the second never answers: while holders_recv
 * waits for the second it drains the first (it read nothing of a holder
 * that had answered the round, all left to libzmq's queue), and
 * HOLDERS_FLOOD_MAX in a row drop that connection before the time-out.
 */
static void
test_flood_after_answering(void **state)
{
	uint8_t el[CODEC_OPRF_ELEMENT_LEN], out[sizeof(el)], first[256];
	struct oprf_msg m;
	size_t first_len;
	uint64_t first_id;
	char err[512], why[256];
	struct rig r;

	(void)state;
	rig_open(&r);
	holders_free(&r.hs);
	r.cfg->keyholder_timeout_s = 1;
	snprintf(r.cfg->keyholder[1], sizeof(r.cfg->keyholder[1]), "%s",
		 r.srv.ep);
	snprintf(r.cfg->keyholder_key[1], sizeof(r.cfg->keyholder_key[1]), "%s",
		 r.srv.pub);
	r.hs = holders_new(r.srv.fs.t, r.cfg, "node.conf", r.srv.node, err,
			   sizeof(err));
	assert_non_null(r.hs);
	assert_int_equal(holders_count(r.hs), 2);
	rig_hello(&r);
	rig_hello(&r);
	memset(el, 7, sizeof(el));
	assert_int_equal(holders_send(r.hs, 5, el, 1, 0, why, sizeof(why)), 0);
	assert_int_equal(rig_request(&r, &m), 0);
	first_id = m.request_id;
	codec_oprf_clear(&m);
	memcpy(first, r.route, r.route_len);
	first_len = r.route_len;
	assert_int_equal(rig_request(&r, &m), 0);
	codec_oprf_clear(&m);
	memcpy(r.route, first, first_len);
	r.route_len = first_len;
	rig_reply(&r, first_id, OPRF_OK, 1, 5, 0);
	rig_unasked(&r, HOLDERS_FLOOD_MAX);
	assert_int_equal(holders_recv(r.hs, 5, 1, out, why, sizeof(why)),
			 -ETIMEDOUT);
	assert_int_equal(holders_floods(r.hs), 1);
	rig_close(&r);
}

/* The ZAP handler served from another thread while the test's is held
 * in a call (holders_send dialling a holder anew). */
struct zap_thread {
	pthread_t id;
	struct curve_server *srv;
	atomic_bool stop;
};

static void *
zap_loop(void *arg)
{
	struct zap_thread *z = arg;
	bool ready;

	while (!atomic_load(&z->stop)) {
		(void)tsock_poll(&z->srv->fs.zap, 1, &ready, 20);
		curve_server_serve(z->srv);
	}
	return NULL;
}

/* holders_send of one element to r's holder, its ZAP handler served from
 * another thread (a send that dials anew). Returns holders_send's. */
static int
send_served(struct rig *r, char *why, size_t whylen)
{
	uint8_t el[CODEC_OPRF_ELEMENT_LEN];
	struct zap_thread z;
	int e;

	memset(el, 7, sizeof(el));
	z.srv = &r->srv;
	atomic_init(&z.stop, false);
	assert_int_equal(pthread_create(&z.id, NULL, zap_loop, &z), 0);
	e = holders_send(r->hs, 5, el, 1, 0, why, whylen);
	atomic_store(&z.stop, true);
	assert_int_equal(pthread_join(z.id, NULL), 0);
	return e;
}

/* A flood's last reply waiting, unread, on r's socket of holder 0, which
 * it returns: no flood counted before it. */
static struct tsock *
flood_waiting(struct rig *r)
{
	struct tsock *s = holders_socket(r->hs, 0);
	bool ready;

	rig_unasked(r, HOLDERS_FLOOD_MAX - 1);
	rig_settle(r, 0);
	assert_int_equal(holders_floods(r->hs), 0);
	rig_unasked(r, 1);
	assert_int_equal(tsock_poll(&s, 1, &ready, 5000), 1); /* unread */
	return s;
}

/*
 * The flood's last reply waiting when a round starts: holders_send's
 * drain reads it and cuts, and the round goes on the new connection and
 * is answered. The cut opens a new socket and monitor in place of the
 * old (the same structs, which the node's loop and holders_recv poll):
 * the old connection's end, which the same socket redialled told late,
 * is never told, and cannot fail the round "went away while evaluating"
 * (review51h).
 */
static void
test_flood_cut_at_send(void **state)
{
	uint8_t out[CODEC_OPRF_ELEMENT_LEN];
	struct tsock *s;
	struct oprf_msg m;
	char why[256];
	struct rig r;
	int e;

	(void)state;
	rig_open(&r);
	rig_hello(&r);
	s = flood_waiting(&r);
	e = send_served(&r, why, sizeof(why));
	assert_int_equal(e, 0);
	assert_int_equal(holders_floods(r.hs), 1);
	assert_ptr_equal(holders_socket(r.hs, 0), s);
	assert_int_equal(rig_request(&r, &m), 0);
	rig_reply(&r, m.request_id, OPRF_OK, 1, 5, 0);
	codec_oprf_clear(&m);
	e = holders_recv(r.hs, 5, 1, out, why, sizeof(why));
	if (e != 0)
		print_error("holders_recv: %s\n", why);
	assert_int_equal(e, 0);
	rig_close(&r);
}

/*
 * After a flood cut whose new socket was refused, descriptors back: the
 * next request goes on a new connection (another routing id than old's)
 * of the same socket struct s, is answered and taken, and no second flood
 * is counted.
 */
static void
answered_anew(struct rig *r, struct tsock *s, const uint8_t *old,
	      size_t old_len)
{
	uint8_t out[CODEC_OPRF_ELEMENT_LEN];
	struct oprf_msg m;
	char why[256];
	int e;

	e = send_served(r, why, sizeof(why));
	if (e != 0)
		print_error("holders_send: %s\n", why);
	assert_int_equal(e, 0);
	assert_ptr_equal(holders_socket(r->hs, 0), s);
	assert_int_equal(rig_request(r, &m), 0);
	assert_false(r->route_len == old_len &&
		     memcmp(r->route, old, old_len) == 0);
	rig_reply(r, m.request_id, OPRF_OK, 1, 5, 0);
	codec_oprf_clear(&m);
	e = holders_recv(r->hs, 5, 1, out, why, sizeof(why));
	if (e != 0)
		print_error("holders_recv: %s\n", why);
	assert_int_equal(e, 0);
	assert_int_equal(holders_floods(r->hs), 1);
}

/*
 * The flood cut's new socket refused (the node out of descriptors:
 * RLIMIT_NOFILE held at those it has, libzmq's next socket refused
 * EMFILE): the cut is counted, and the next request tries a new socket
 * again (send_one: h->reopen), which with descriptors back is made: the
 * request goes on a new connection, not the flooded one, and is answered.
 */
static void
test_flood_reopen_failed(void **state)
{
	struct tsock *s;
	uint8_t old[256];
	size_t old_len;
	struct rig r;

	(void)state;
	rig_open(&r);
	rig_hello(&r);
	s = holders_socket(r.hs, 0);
	assert_true(r.route_len <= sizeof(old));
	memcpy(old, r.route, r.route_len);
	old_len = r.route_len;
	rig_unasked(&r, HOLDERS_FLOOD_MAX);
	fds_hold();
	rig_settle(&r, 1);
	fds_release();
	assert_int_equal(holders_floods(r.hs), 1);
	assert_ptr_equal(holders_socket(r.hs, 0), s);
	answered_anew(&r, s, old, old_len);
	rig_close(&r);
}

/*
 * The flood cut's new socket refused, and refused again at the next
 * request (descriptors still held): that request goes nowhere, not on
 * the flooded connection, still up on the old socket (before, send_one
 * sent it there); the round fails at once naming the holder and why
 * (every holder must answer), each failure said as a new socket's.
 * Descriptors back, the next request is made on a new connection and
 * answered.
 */
static void
test_flood_reopen_failed_twice(void **state)
{
	uint8_t el[CODEC_OPRF_ELEMENT_LEN], old[256];
	struct tsock *s;
	uint64_t since;
	size_t old_len;
	char why[256];
	const char *l;
	struct rig r;
	bool ready;
	int e;

	(void)state;
	rig_open(&r);
	rig_hello(&r);
	s = holders_socket(r.hs, 0);
	assert_true(r.route_len <= sizeof(old));
	memcpy(old, r.route, r.route_len);
	old_len = r.route_len;
	memset(el, 7, sizeof(el));
	rig_unasked(&r, HOLDERS_FLOOD_MAX);
	capture();
	fds_hold();
	rig_settle(&r, 1);
	assert_int_equal(holders_floods(r.hs), 1);
	e = holders_send(r.hs, 5, el, 1, 0, why, sizeof(why));
	fds_release();
	l = captured();
	/* Nothing reached the holder on the flooded connection. */
	assert_int_equal(tsock_poll(&r.srv.fs.s, 1, &ready, 300), 0);
	assert_int_equal(e, -EHOSTUNREACH);
	assert_non_null(strstr(why, r.srv.ep));
	assert_non_null(strstr(why, "unreachable: no new connection after "
				    "its flood: Too many open files"));
	assert_null(strchr(why, ','));
	assert_int_equal(holders_unreached(r.hs, why, sizeof(why), &since), 1);
	assert_int_equal(captured_count(l, "event=keyholder_flood"), 1);
	assert_int_equal(captured_count(l, "event=redial_failed"), 2);
	assert_int_equal(captured_count(l, "socket=new"), 2);

	answered_anew(&r, s, old, old_len);
	rig_close(&r);
}

/*
 * A genuine holder answering late, the rounds of a run of failed
 * submissions (each timed out here; another holder's refusal does the
 * same) answered after they ended: none of those answers is taken, and
 * 4,096 of them in a row cut the holder as a flood, warning that its key
 * was in other hands (review51h). Answers to requests this node sent it
 * and it has not answered yet are now not counted: five rounds of 900
 * pieces answered late cut nothing, and the next round is taken.
 */
/*
 * The connection to the key holder lost while a round waits (here cut by
 * the node's libzmq at a frame over CODEC_MAX_FRAME): "went away while
 * evaluating". A holder that told no max_batch (refused the hello, as
 * one older than the node does) is an older one, which closes so at a
 * request over its max_batch (walk55u: a holder of the 2026-12-01 build
 * with max_batch 255, every submission failing): the reason says who
 * must raise what, and is -EPROTO, which the node's reply tells not to
 * "submit again later" (intake.c). One that told its max_batch gets no
 * such words, and -EHOSTUNREACH: it may be back at the next request; so
 * does one that has not answered the hello yet (a request sent as the
 * node starts: review56o), which may be of any version.
 */
enum hello_answer { HELLO_UNANSWERED, HELLO_REFUSED, HELLO_TOLD };

static void
went_away(enum hello_answer hello, char *why, size_t whylen)
{
	uint8_t el[CODEC_OPRF_ELEMENT_LEN], out[sizeof(el)];
	const void *data[2];
	size_t lens[2];
	struct oprf_msg m;
	uint8_t *big;
	struct rig r;

	rig_open(&r);
	assert_int_equal(rig_request(&r, &m), -ENODATA);
	if (hello == HELLO_TOLD)
		rig_reply(&r, 0, OPRF_OK, 0, 0, 256);
	else if (hello == HELLO_REFUSED)
		rig_reply(&r, 0, OPRF_BAD_REQUEST, 0, 0, 0);
	memset(el, 7, sizeof(el));
	assert_int_equal(holders_send(r.hs, 5, el, 1, 0, why, whylen), 0);
	assert_int_equal(rig_request(&r, &m), 0);
	codec_oprf_clear(&m);
	big = calloc(1, CODEC_MAX_FRAME + 1);
	assert_non_null(big);
	data[0] = r.route;
	lens[0] = r.route_len;
	data[1] = big;
	lens[1] = CODEC_MAX_FRAME + 1;
	assert_int_equal(tsock_send(r.srv.fs.s, data, lens, 2), 0);
	free(big);
	assert_int_equal(holders_recv(r.hs, 5, 1, out, why, whylen),
			 hello == HELLO_REFUSED ? -EPROTO : -EHOSTUNREACH);
	rig_close(&r);
}

static void
test_went_away_older(void **state)
{
	char why[256];
	size_t shown;

	(void)state;
	went_away(HELLO_REFUSED, why, sizeof(why));
	assert_non_null(strstr(why, " went away while evaluating (older key "
				    "holders do so at a request over "
				    "max_batch: its operator must raise that "
				    "to 256)"));
	/* Kept whole in the reply (intake.c's "%.190s") with the longest
	 * endpoint a reason shows (holders.c's SHOWN_MAX, 56), not only
	 * with this rig's: review55s. */
	assert_memory_equal(why, "key holder ", 11);
	shown = (size_t)(strstr(why, " went away") - why) - 11;
	assert_true(strlen(why) - shown + 56 <= 190);
	went_away(HELLO_TOLD, why, sizeof(why));
	assert_non_null(strstr(why, " went away while evaluating"));
	assert_null(strstr(why, "max_batch"));
	went_away(HELLO_UNANSWERED, why, sizeof(why));
	assert_non_null(strstr(why, " went away while evaluating"));
	assert_null(strstr(why, "max_batch"));
}

/*
 * A round of one element refused by the holder (status, max_batch, its
 * text and reason code), after a hello answered as an older holder does
 * (refused) or as this version's (told, 256): holders_recv's return, its
 * reason in why.
 */
static int
refused_reason(bool told, enum oprf_status status, uint32_t max_batch,
	       const char *text, enum oprf_reason reason, char *why,
	       size_t whylen)
{
	uint8_t el[CODEC_OPRF_ELEMENT_LEN], out[sizeof(el)];
	struct oprf_msg m;
	struct rig r;
	int e;

	rig_open(&r);
	assert_int_equal(rig_request(&r, &m), -ENODATA);
	if (told)
		rig_reply(&r, 0, OPRF_OK, 0, 0, 256);
	else
		rig_reply(&r, 0, OPRF_BAD_REQUEST, 0, 0, 0);
	memset(el, 7, sizeof(el));
	assert_int_equal(holders_send(r.hs, 5, el, 1, 0, why, whylen), 0);
	assert_int_equal(rig_request(&r, &m), 0);
	rig_reply_reason(&r, m.request_id, status, 0, 5, max_batch, text,
			 reason);
	codec_oprf_clear(&m);
	e = holders_recv(r.hs, 5, 1, out, why, whylen);
	rig_close(&r);
	return e;
}

/* refused_reason with no reason code, as an older holder answers. */
static int
refused(bool told, enum oprf_status status, uint32_t max_batch,
	const char *text, char *why, size_t whylen)
{
	return refused_reason(told, status, max_batch, text, OPRF_REASON_NONE,
			      why, whylen);
}

/* The length of why with the longest address a reason shows (SHOWN_MAX,
 * 56) in place of this rig's, up to the end of what: what of it the
 * reply's "%.190s" (intake.c) keeps whole must fit in 190. */
static size_t
longest(const char *why, const char *what)
{
	const char *at = strstr(why, what);
	size_t shown;

	assert_non_null(at);
	assert_memory_equal(why, "key holder ", 11);
	shown = (size_t)(strchr(why + 11, ' ') - why) - 11;
	return (size_t)(at - why) + strlen(what) - shown + 56;
}

/*
 * Refusals that every later submission meets the same until a holder's
 * operator changes its configuration: -EDQUOT or -EPROTO (no "submit
 * again later" in the node's reply, intake.c), the reason saying who
 * must raise what, whole in the reply with the longest address. A
 * refusal that passes by itself stays -EAGAIN, the holder's text told.
 */
static void
test_refusals_lasting(void **state)
{
	char why[256];

	(void)state;
	/* walk55k: a request over a whole day's allowance, said by a
	 * key holder of 0.3. */
	assert_int_equal(refused(true, OPRF_RATE_LIMITED, 0,
				 "rate limit: 100 evaluations a day for each "
				 "node, 200 asked at once: never answered at "
				 "this rate (raise rate_per_day)",
				 why, sizeof(why)),
			 -EDQUOT);
	assert_non_null(strstr(why, " never answers 1 elements at once: "
				    "more than its rate_per_day (its "
				    "operator must raise that)"));
	/* With a request of 65,536 elements, 4 more digits. */
	assert_true(longest(why, "raise that)") + 4 <= 190);
	/* The reason code said, the node needs no words of the holder's:
	 * a later holder may word its text otherwise. */
	assert_int_equal(refused_reason(true, OPRF_RATE_LIMITED, 0,
					"over the daily allowance",
					OPRF_REASON_OVER_DAY, why, sizeof(why)),
			 -EDQUOT);
	assert_non_null(strstr(why, " never answers 1 elements at once: "
				    "more than its rate_per_day (its "
				    "operator must raise that)"));
	assert_int_equal(refused(true, OPRF_RATE_LIMITED, 0,
				 "rate limit: 100 evaluations a day for each "
				 "node, 0 left now, 1 asked; try again later",
				 why, sizeof(why)),
			 -EAGAIN);
	assert_non_null(strstr(why, " refused: rate limit: 100 evaluations a "
				    "day for each node, 0 left now, 1 asked; "
				    "try again later"));
	assert_null(strstr(why, "operator"));
	/* walk55u: an older key holder, telling no max_batch, refusing
	 * the node's requests of 256 as too large. */
	assert_int_equal(refused(false, OPRF_TOO_LARGE, 0,
				 "more than 255 elements in one request", why,
				 sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, " refused the request: too_large (an "
				    "older key holder: its operator must "
				    "raise max_batch to 256): more than 255 "
				    "elements in one request"));
	assert_true(longest(why, "to 256)") <= 190);
	/* One telling a bound below what a node works with. */
	assert_int_equal(refused(true, OPRF_TOO_LARGE, 3, "", why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, " takes at most 3 elements in one "
				    "request, below the 64 a node works with: "
				    "its operator must raise max_batch"));
	/* 4294967295 told: 9 more digits. */
	assert_true(longest(why, "max_batch") + 9 <= 190);
	/* A holder that took the request's size (its max_batch told, 256,
	 * above the 1 asked) refuses it too_large only short of memory
	 * (daemon/keyholder/serve.c): the next may pass, so not -EPROTO,
	 * which told the officer not to submit again (review56o). */
	assert_int_equal(refused(true, OPRF_TOO_LARGE, 256, "out of memory",
				 why, sizeof(why)),
			 -EBUSY);
	assert_non_null(strstr(why, " refused the request: too_large: out "
				    "of memory"));
	assert_null(strstr(why, "operator"));
}

/*
 * The holder's ZAP handler refuses the node's handshake (verdict as
 * tsock_zap_fn returns it): holders_send's return, its reason in why,
 * and what kuska status says (holders_unreached) in shown.
 */
static int
handshake_refused(int verdict, char *why, size_t whylen, char *shown,
		  size_t shownlen)
{
	uint64_t since;
	struct rig r;
	int e;

	rig_open(&r);
	r.srv.refuse = verdict;
	e = send_served(&r, why, whylen);
	assert_int_equal(holders_unreached(r.hs, shown, shownlen, &since), 1);
	rig_close(&r);
	return e;
}

/*
 * A key the holder does not admit (ZAP 400: not in its registry, or not
 * valid there) waits for its operator: -EACCES, no "submit again later"
 * in the node's reply (intake.c), the reason saying who must act; the
 * holder at a connection bound (ZAP 500) passes by itself: -EHOSTUNREACH
 * (walk55: both said "submit again later", and "is the node in the
 * holder's registry?"). Both whole in the reply with the longest address.
 */
static void
test_handshake_refused(void **state)
{
	char why[256], shown[CODEC_MAX_TEXT + 1];

	(void)state;
	assert_int_equal(
	    handshake_refused(-EPERM, why, sizeof(why), shown, sizeof(shown)),
	    -EACCES);
	assert_non_null(strstr(why, " refused this node's key: unlisted or "
				    "not yet valid (its operator adds it), "
				    "revoked or expired (a new key: "
				    "OPERATIONS.md 6)"));
	assert_true(longest(why, "OPERATIONS.md 6)") <= 190);
	assert_null(strstr(why, "connection limit"));
	assert_non_null(strstr(shown, " refused this node's key: unlisted or "
				      "not yet valid (its operator adds it), "
				      "revoked or expired (a new key: "
				      "OPERATIONS.md 6)"));
	assert_int_equal(
	    handshake_refused(-EBUSY, why, sizeof(why), shown, sizeof(shown)),
	    -EHOSTUNREACH);
	assert_non_null(strstr(why, " turned this node away at its connection "
				    "limit (max_connections, "
				    "max_connections_per_key)"));
	assert_true(longest(why, "per_key)") <= 190);
	assert_null(strstr(why, "registry"));
	assert_non_null(strstr(shown, " turned this node away at its "
				      "connection limit"));
}

/*
 * A holder that admitted the node's key refuses it (ZAP 400) at its next
 * handshake, here the new socket of a flood cut: the key revoked or
 * expired since, or a key holder before 0.4.0 at its connection limit,
 * which it refused with 400 too (review56k: "operator must add it", of
 * a key it had admitted). -EHOSTUNREACH: the reply says "submit again
 * later", which passes the limit. Whole in the reply, and what kuska
 * status says.
 */
static void
test_handshake_refused_admitted(void **state)
{
	char why[256], shown[CODEC_MAX_TEXT + 1];
	uint64_t since;
	struct rig r;
	int e;

	(void)state;
	rig_open(&r);
	rig_hello(&r);
	r.srv.refuse = -EPERM;
	(void)flood_waiting(&r);
	e = send_served(&r, why, sizeof(why));
	assert_int_equal(holders_floods(r.hs), 1);
	assert_int_equal(e, -EHOSTUNREACH);
	assert_non_null(strstr(why, " refused this node's key, admitted "
				    "before: revoked or expired (a new key) "
				    "or at its connection limit (if before "
				    "0.4.0)"));
	assert_true(longest(why, "0.4.0)") <= 190);
	assert_int_equal(holders_unreached(r.hs, shown, sizeof(shown), &since),
			 1);
	assert_non_null(strstr(shown, " refused this node's key, admitted "
				      "before: revoked or expired"));
	rig_close(&r);
}

static void
test_late_answers_not_flood(void **state)
{
	enum { PIECES = 900, ROUNDS = 5 };
	uint8_t *el, *out;
	uint64_t ids[PIECES];
	struct oprf_msg m;
	char why[256];
	struct rig r;
	size_t k, j;

	(void)state;
	el = calloc(PIECES, CODEC_OPRF_ELEMENT_LEN);
	out = calloc(PIECES, CODEC_OPRF_ELEMENT_LEN);
	assert_non_null(el);
	assert_non_null(out);
	memset(el, 7, (size_t)PIECES * CODEC_OPRF_ELEMENT_LEN);
	rig_open(&r);
	r.cfg->keyholder_timeout_s = 1;
	holders_free(&r.hs);
	r.hs = holders_new(r.srv.fs.t, r.cfg, "node.conf", r.srv.node, why,
			   sizeof(why));
	assert_non_null(r.hs);
	rig_hello(&r);
	for (k = 0; k < ROUNDS; k++) {
		assert_int_equal(
		    holders_send(r.hs, 5, el, PIECES, 1, why, sizeof(why)), 0);
		for (j = 0; j < PIECES; j++) {
			assert_int_equal(rig_request(&r, &m), 0);
			ids[j] = m.request_id;
			codec_oprf_clear(&m);
		}
		assert_int_equal(
		    holders_recv(r.hs, 5, PIECES, out, why, sizeof(why)),
		    -ETIMEDOUT);
		for (j = 0; j < PIECES; j++)
			rig_reply(&r, ids[j], OPRF_OK, 1, 5, 0);
	}
	rig_settle(&r, 0);
	assert_int_equal(holders_floods(r.hs), 0);
	rig_round(&r, 2);
	assert_int_equal(holders_floods(r.hs), 0);
	rig_close(&r);
	free(el);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_key_names_config_line),
	    cmocka_unit_test(test_flood_redial),
	    cmocka_unit_test(test_flood_while_waiting),
	    cmocka_unit_test(test_flood_after_answering),
	    cmocka_unit_test(test_flood_cut_at_send),
	    cmocka_unit_test_teardown(test_flood_reopen_failed, fds_teardown),
	    cmocka_unit_test_teardown(test_flood_reopen_failed_twice,
				      fds_teardown),
	    cmocka_unit_test(test_late_answers_not_flood),
	    cmocka_unit_test(test_went_away_older),
	    cmocka_unit_test(test_refusals_lasting),
	    cmocka_unit_test(test_handshake_refused),
	    cmocka_unit_test(test_handshake_refused_admitted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
