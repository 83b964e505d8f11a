/*
 * curve_rig.h - a CURVE server's place (a key holder's, the
 * consolidator's) taken by a unit test that dials it as the node does
 * (test_holders, test_deliver; tests.cmake links them with curve_rig.c
 * and the tools' fake server, tests/tools/common/fakeserver.h), and the
 * process kept to the descriptors it has, so that a new socket is refused.
 */
#ifndef KUSKA_CURVE_RIG_H
#define KUSKA_CURVE_RIG_H

#include <stddef.h>

#include "fakeserver.h"
#include "keys.h"

struct curve_server {
	char dir[64];  /* the caller's: the key and socket files in it */
	char ep[128];  /* ipc://DIR/server.sock */
	char pub[128]; /* DIR/server.pub, the server's public key */
	struct fake_server fs;	 /* its transport, ZAP handler, ROUTER, key */
	struct secret_key *node; /* a node's key, to dial it with */
	/* The ZAP verdict curve_server_serve gives: 0 admits; otherwise
	 * it refuses, as tsock_zap_fn returns it (-EBUSY: refused for
	 * now, ZAP 500; any other: the key refused, 400). */
	int refuse;
};

/*
 * curve_server_open - in dir (an existing directory), a server's key
 * written (server.key, server.pub) and a fake server bound with it on
 * ipc://dir/server.sock under ZAP domain name, queueing up to hwm
 * messages for a peer (all a test sends at once), on a transport of its
 * own that the node's sockets may share; and a node's key.
 */
void curve_server_open(struct curve_server *c, const char *dir,
		       const char *name, int hwm);

/*
 * curve_server_serve - answers the ZAP requests waiting: every node
 * admitted, as "node", unless c->refuse says otherwise.
 */
void curve_server_serve(struct curve_server *c);

/* curve_server_close - closes what curve_server_open made and removes its
 * files, not dir. The node's sockets on its transport are closed first. */
void curve_server_close(struct curve_server *c);

/*
 * fds_hold - this process kept to the descriptors it has: RLIMIT_NOFILE's
 * soft limit lowered to the lowest one free, so that the next descriptor
 * asked for (libzmq's next socket's mailbox) is refused EMFILE, as in a
 * daemon out of them; the limit it had is kept for fds_release. A test
 * that calls it is run with fds_teardown.
 */
void fds_hold(void);

/* fds_release - the limit fds_hold lowered put back. */
void fds_release(void);

/*
 * fds_teardown - a cmocka teardown (cmocka_unit_test_teardown) for each
 * test that calls fds_hold: the limit put back if the test did not (an
 * assertion failed between fds_hold and fds_release), so that the tests
 * after it have their descriptors. Returns 0, or -1 if it could not.
 */
int fds_teardown(void **state);

#endif
