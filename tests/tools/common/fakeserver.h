/*
 * fakeserver.h - a daemon's place taken by a test tool (kuska_fakecons,
 * kuska_liar) or a unit test (tests/unit/curve_rig.h): bound where the
 * daemon listens, with its key, admitting every node under one name,
 * until SIGTERM.
 */
#ifndef KUSKA_TOOLS_FAKESERVER_H
#define KUSKA_TOOLS_FAKESERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "transport.h"

struct fake_server {
	struct transport *t;
	struct tsock *zap; /* every node admitted, as "node" */
	struct tsock *s;   /* the CURVE server socket nodes connect to */
	struct secret_key *key;
};

/*
 * fake_server_open - binds endpoint with the secret key at key_path,
 * as server name (a ZAP domain), and has SIGTERM end fake_server_running.
 * Returns 0, or 2 (the tools' setup error status) after saying why on
 * the standard error, prefixed with prog.
 */
int fake_server_open(struct fake_server *fs, const char *prog,
		     const char *key_path, const char *endpoint,
		     const char *name);

/*
 * fake_server_ping - has the next fake_server_open's socket send its
 * peers a heartbeat PING every interval_ms (> 0; the daemons', 2,000, by
 * default), still timing a silent peer out after the daemons' 6 s: a
 * peer that pings often, whose PINGs libzmq answers at once.
 */
void fake_server_ping(int interval_ms);

/*
 * fake_server_hwm - has the next fake_server_open's socket queue up to
 * messages (> 0) for one peer, not libzmq's 1,000, past which it drops
 * what it is given to send: a tool that must deliver every one of a
 * burst it sends at once.
 */
void fake_server_hwm(int messages);

/* fake_server_running - false once SIGTERM has come. */
bool fake_server_running(void);

/*
 * fake_server_wait - waits up to timeout_ms for a message, admitting
 * the nodes that connect meanwhile. Returns true when fs->s may have
 * one to receive.
 */
bool fake_server_wait(struct fake_server *fs, int timeout_ms);

/*
 * fake_server_admit - the ZAP decision of a fake server (a tsock_zap_fn):
 * every node admitted, as "node"; for a test that serves the ZAP handler
 * itself (the unit tests' rigs).
 */
int fake_server_admit(void *arg, const char *domain, const char *address,
		      const uint8_t key[TRANSPORT_KEY_LEN], char *user_id,
		      size_t cap);

/* fake_server_close - closes everything fake_server_open made. */
void fake_server_close(struct fake_server *fs);

#endif
