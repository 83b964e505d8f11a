/*
 * test_peers.c - the consolidator's ZAP handler under a flood of
 * handshakes: peers_serve_zap answers at most PEERS_ZAP_MAX_PER_CALL of
 * the requests waiting (here 200 of keys the registry does not name,
 * each refused and counted), the rest at the next calls, so that the
 * main loop comes back to the nodes' messages, the control socket and
 * the watchdog. The requests are written straight to libzmq's ZAP
 * endpoint (inproc, where all of them wait at once): without the bound
 * the first call answered 200.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "peers.h"
#include "registry_fixture.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

static void
test_zap_bounded(void **state)
{
	enum { SENT = 200 };
	char dir[] = "/tmp/kuska-peers-XXXXXX";
	struct secret_key *pnp = NULL;
	struct fixture_party party;
	struct cons c;
	struct tsock *client;
	size_t total = 0, calls = 0, n, i;
	int e;

	(void)state;
	assert_int_equal(keys_init(), 0);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(keys_generate("pnp", &pnp), 0);
	party.id = "pnp";
	party.kinds = "identification";
	party.key = pnp;
	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.admit_mu, NULL);
	assert_int_equal(fixture_registry(dir, &party, 1, &c.reg), 0);
	c.t = transport_new();
	assert_non_null(c.t);
	c.zap = tsock_zap(c.t, &e);
	assert_non_null(c.zap);
	/* As libzmq asks, each after an empty delimiter (REQ's envelope). */
	client = tsock_connect_local(c.t, ZAP_ENDPOINT, NULL, &e);
	assert_non_null(client);
	for (i = 0; i < SENT; i++) {
		uint8_t key[TRANSPORT_KEY_LEN];
		char id[16];
		const void *parts[8] = {"",	     "1.0", id,	     "ingest",
					"127.0.0.1", "",    "CURVE", key};
		size_t lens[8] = {0, 3, 0, 6, 9, 0, 5, sizeof(key)};
		randombytes_buf(key, sizeof(key)); /* no registered key */
		lens[2] = (size_t)snprintf(id, sizeof(id), "%zu", i);
		assert_int_equal(tsock_send(client, parts, lens, 8), 0);
	}

	while (total < SENT && calls < 2 * SENT) {
		bool ready;
		(void)tsock_poll(&c.zap, 1, &ready, 5000);
		n = peers_serve_zap(&c);
		assert_true(n <= PEERS_ZAP_MAX_PER_CALL);
		if (calls == 0) /* every one of them was waiting */
			assert_int_equal(n, PEERS_ZAP_MAX_PER_CALL);
		total += n;
		calls++;
		assert_int_equal(c.handshake_failures, total);
	}
	assert_int_equal(total, SENT);
	assert_int_equal(peers_serve_zap(&c), 0);

	tsock_free(&client);
	tsock_free(&c.zap);
	transport_free(&c.t);
	registry_free(&c.reg);
	keys_free(&pnp);
	fixture_registry_remove(dir);
	pthread_mutex_destroy(&c.admit_mu);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zap_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
