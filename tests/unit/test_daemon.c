/* test_daemon.c - what every daemon does the same way (daemon.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"

/* A client asks on the bound endpoint; the daemon answers with an error. */
static void
test_reply_reaches_the_client(void **state)
{
	char dir[64], ep[128];
	struct transport *t;
	struct tsock *srv, *cli;
	struct control req, rep;
	struct tframes f = {0};
	uint8_t *buf;
	size_t len;
	bool ready[1];
	int err, i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kuska-daemon-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(ep, sizeof(ep), "ipc://%s/control", dir);
	t = transport_new();
	assert_non_null(t);
	srv = tsock_bind_local(t, ep, 4096, &err);
	assert_non_null(srv);
	cli = tsock_connect_local(t, ep, NULL, &err);
	assert_non_null(cli);
	memset(&req, 0, sizeof(req));
	req.type = CTL_STATUS;
	assert_int_equal(codec_control_encode(&req, &buf, &len), 0);
	{
		const void *data[1] = {buf};
		size_t lens[1] = {len};
		for (i = 0; i < 100; i++) {
			err = tsock_send(cli, data, lens, 1);
			if (err != -EAGAIN)
				break;
			usleep(10000);
		}
		assert_int_equal(err, 0);
	}
	free(buf);
	assert_true(tsock_poll(&srv, 1, ready, 5000) > 0);
	assert_int_equal(tsock_recv(srv, &f, 2, 4096), 0);
	assert_int_equal(f.n, 2);
	daemon_error_fill(&rep, "unexpected control request");
	assert_int_equal(daemon_reply(srv, &f, &rep), 0);
	tframes_clear(&f);
	assert_true(tsock_poll(&cli, 1, ready, 5000) > 0);
	assert_int_equal(tsock_recv(cli, &f, 1, 4096), 0);
	assert_int_equal(codec_control_decode(f.data[0], f.len[0], &rep), 0);
	assert_int_equal(rep.type, CTL_ERROR);
	assert_string_equal(rep.error, "unexpected control request");
	codec_control_clear(&rep);
	tframes_clear(&f);
	tsock_free(&cli);
	tsock_free(&srv);
	transport_free(&t);
	snprintf(ep, sizeof(ep), "%s/control", dir);
	unlink(ep);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reply_reaches_the_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
