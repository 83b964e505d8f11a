/*
 * test_recover_wait.c - what kuska-node --recover says when the
 * consolidator's Welcome does not come in time (daemon/node/recover.h,
 * rec_say_timeout), its place taken by a CURVE server (curve_rig.h), the
 * time out 0.5 s where the node's is 30 s. Three cases told apart, which
 * it called all alike no connection ("not running, a wrong host or port,
 * or a firewall?", review56o): nothing listening; a server whose
 * handshake never passes (its ZAP handler unanswered); one whose
 * handshake passes and that never answers the hello.
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
 * Runs a recovery against srv (at ep), its ZAP handler answered when
 * serve says so, until it stops: what it said on stderr.
 */
static const char *
recover_against(struct curve_server *srv, struct run *r, const char *ep,
		bool serve)
{
	pthread_t th;

	r->p.consolidator = ep;
	atomic_store(&r->done, false);
	capture();
	assert_int_equal(pthread_create(&th, NULL, recover_thread, r), 0);
	while (!atomic_load(&r->done)) {
		bool ready;
		(void)tsock_poll(&srv->fs.zap, 1, &ready, 20);
		if (serve)
			curve_server_serve(srv);
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

	said = recover_against(&srv, &r, r.none, true);
	assert_non_null(strstr(said, "no connection to the consolidator at "));
	assert_non_null(strstr(said, "within 1 s: recovery stopped (the "
				     "outbox is unchanged); not running, a "
				     "wrong host or port, or a firewall?\n"));

	said = recover_against(&srv, &r, srv.ep, false);
	assert_non_null(strstr(said, "connected to the consolidator at "));
	assert_non_null(strstr(said, ", but no handshake passed within 1 s: "
				     "recovery stopped (the outbox is "
				     "unchanged); wrong consolidator_key?"));
	assert_null(strstr(said, "firewall"));

	said = recover_against(&srv, &r, srv.ep, true);
	assert_non_null(strstr(said, "passed this node's handshake but did "
				     "not answer its hello within 1 s"));
	assert_null(strstr(said, "firewall"));

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
