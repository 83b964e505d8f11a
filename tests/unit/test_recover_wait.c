/*
 * test_recover_wait.c - what kuska-node --recover says when the
 * consolidator's Welcome does not come in time (daemon/node/recover.h,
 * rec_say_timeout), its place taken by a CURVE server (curve_rig.h), the
 * time out 0.5 s where the node's is 30 s. Three cases told apart, which
 * it called all alike no connection ("not running, a wrong host or port,
 * or a firewall?", review56o): nothing listening; a server whose
 * handshake never passes (its ZAP handler unanswered); one whose
 * handshake passes and that never answers the hello. And a fourth: one
 * that welcomes the node and then never answers the fetch, which was
 * said as the outbox directory's fault ("recovery failed: DIR:
 * Connection timed out").
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "codec.h"
#include "curve_rig.h"
#include "recover.h"

struct run {
	struct recover_params p;
	struct public_key cons;
	uint8_t ref_fp[32];
	char outbox[96];
	char none[128]; /* an endpoint nothing listens on */
	int e;
	atomic_bool done;
};

static void *
recover_thread(void *arg)
{
	struct run *r = arg;
	FILE *out = fopen("/dev/null", "w");

	assert_non_null(out);
	r->e = recover_run(&r->p, out);
	fclose(out);
	atomic_store(&r->done, true);
	return NULL;
}

/*
 * A hello on srv's socket answered with a Welcome saying the
 * consolidator holds 5 events; anything else (a RECOVER_REQUEST) left
 * unanswered.
 */
static void
welcome_hello(struct curve_server *srv)
{
	struct tframes f;
	struct msg m, w;
	const void *parts[2];
	size_t lens[2];
	uint8_t *buf;
	size_t len;

	while (tsock_recv(srv->fs.s, &f, 2, CODEC_MAX_FRAME) == 0) {
		if (f.n == 2 &&
		    codec_msg_decode(f.data[1], f.len[1], &m) == 0) {
			if (m.type == MSG_HELLO) {
				memset(&w, 0, sizeof(w));
				w.type = MSG_WELCOME;
				w.nonce = m.nonce;
				w.last_seq = 5;
				assert_int_equal(
				    codec_msg_encode(&w, &buf, &len), 0);
				parts[0] = f.data[0];
				lens[0] = f.len[0];
				parts[1] = buf;
				lens[1] = len;
				/* A hello of an earlier run, its peer gone,
				 * is not answered. */
				(void)tsock_send(srv->fs.s, parts, lens, 2);
				free(buf);
			}
			codec_msg_clear(&m);
		}
		tframes_clear(&f);
	}
}

/*
 * Runs a recovery against srv (at ep), its ZAP handler answered when
 * serve says so, and its hello welcomed when welcome does, until it
 * stops: what it said on stderr.
 */
static const char *
recover_against(struct curve_server *srv, struct run *r, const char *ep,
		bool serve, bool welcome)
{
	pthread_t th;

	r->p.consolidator = ep;
	atomic_store(&r->done, false);
	capture();
	assert_int_equal(pthread_create(&th, NULL, recover_thread, r), 0);
	while (!atomic_load(&r->done)) {
		struct tsock *socks[2] = {srv->fs.zap, srv->fs.s};
		bool ready[2];
		(void)tsock_poll(socks, 2, ready, 20);
		if (serve)
			curve_server_serve(srv);
		if (welcome)
			welcome_hello(srv);
	}
	pthread_join(th, NULL);
	assert_int_equal(r->e, -ETIMEDOUT);
	return captured();
}

static void
test_timeouts(void **state)
{
	struct curve_server srv;
	struct run r;
	char dir[] = "/tmp/krw.XXXXXX";
	const char *said;

	(void)state;
	assert_non_null(mkdtemp(dir));
	curve_server_open(&srv, dir, "consolidator", 16);
	memset(&r, 0, sizeof(r));
	snprintf(r.outbox, sizeof(r.outbox), "%s/outbox", dir);
	assert_int_equal(mkdir(r.outbox, 0700), 0);
	snprintf(r.none, sizeof(r.none), "ipc://%s/none.sock", dir);
	memcpy(r.cons.curve_pk, srv.fs.key->curve_pk, sizeof(r.cons.curve_pk));
	r.p.dir = r.outbox;
	r.p.map_size = 1 << 24;
	r.p.inst = INST_PNP;
	r.p.network = "test";
	r.p.key = srv.node;
	r.p.cons_key = &r.cons;
	r.p.timeout_ms = 1000;
	r.p.ref_fp = r.ref_fp;

	said = recover_against(&srv, &r, r.none, true, false);
	assert_non_null(strstr(said, "no connection to the consolidator at "));
	assert_non_null(strstr(said, "within 1 s: recovery stopped (the "
				     "outbox is unchanged); not running, a "
				     "wrong host or port, or a firewall?\n"));

	said = recover_against(&srv, &r, srv.ep, false, false);
	assert_non_null(strstr(said, "connected to the consolidator at "));
	assert_non_null(strstr(said, ", but no handshake passed within 1 s: "
				     "recovery stopped (the outbox is "
				     "unchanged); wrong consolidator_key?"));
	assert_null(strstr(said, "firewall"));

	said = recover_against(&srv, &r, srv.ep, true, false);
	assert_non_null(strstr(said, "passed this node's handshake but did "
				     "not answer its hello within 1 s"));
	assert_null(strstr(said, "firewall"));

	/* Welcomed, then the fetch unanswered: the consolidator named,
	 * not the outbox's directory. */
	said = recover_against(&srv, &r, srv.ep, true, true);
	assert_non_null(strstr(said, "answered the hello but stopped "
				     "answering while its copy was fetched "
				     "(nothing for 1 s after 0 of its 5 "
				     "events): recovery stopped (the outbox "
				     "is unchanged); it may have stopped or "
				     "restarted, or be overloaded: see its "
				     "journal"));
	assert_null(strstr(said, "recovery failed"));
	assert_null(strstr(said, r.outbox));
	/* Nothing left of the new outbox it began. */
	{
		char fresh[128];
		struct stat sb;
		snprintf(fresh, sizeof(fresh), "%s/recover.tmp", r.outbox);
		assert_int_equal(stat(fresh, &sb), -1);
	}

	curve_server_close(&srv);
	(void)rmdir(r.outbox);
	(void)rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timeouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
