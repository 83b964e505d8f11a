/*
 * fakeserver.c - a daemon's place taken by a test tool (fakeserver.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "fakeserver.h"

static volatile sig_atomic_t stop;
static int ping_ms; /* fake_server_ping: 0, the daemons' heartbeat */
static int hwm;	    /* fake_server_hwm: 0, libzmq's 1,000 */

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int
fake_server_admit(void *arg, const char *domain, const char *address,
		  const uint8_t key[TRANSPORT_KEY_LEN], char *user_id,
		  size_t cap)
{
	(void)arg;
	(void)domain;
	(void)address;
	(void)key;
	snprintf(user_id, cap, "node");
	return 0;
}

int
fake_server_open(struct fake_server *fs, const char *prog, const char *key_path,
		 const char *endpoint, const char *name)
{
	struct tsock_limits lim = {.max_frame = CODEC_MAX_FRAME, .hwm = hwm};
	char err[256] = "";
	int e;

	if (ping_ms > 0) {
		lim.heartbeat_ms = ping_ms;
		lim.heartbeat_timeout_ms = 6000; /* the daemons' */
	}
	memset(fs, 0, sizeof(*fs));
	if (keys_init() != 0 ||
	    keys_load_secret(key_path, &fs->key, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	signal(SIGTERM, on_term);
	fs->t = transport_new();
	fs->zap = fs->t != NULL ? tsock_zap(fs->t, &e) : NULL;
	fs->s = fs->zap != NULL
		    ? tsock_bind_curve(fs->t, endpoint, fs->key->curve_sk, name,
				       &lim, NULL, &e)
		    : NULL;
	if (fs->s == NULL) {
		fprintf(stderr, "%s: cannot bind %s\n", prog, endpoint);
		fake_server_close(fs);
		return 2;
	}
	return 0;
}

void
fake_server_ping(int interval_ms)
{
	ping_ms = interval_ms;
}

void
fake_server_hwm(int messages)
{
	hwm = messages;
}

bool
fake_server_running(void)
{
	return !stop;
}

bool
fake_server_wait(struct fake_server *fs, int timeout_ms)
{
	struct tsock *socks[2] = {fs->zap, fs->s};
	bool ready[2];

	if (tsock_poll(socks, 2, ready, timeout_ms) <= 0)
		return false;
	while (tsock_zap_serve(fs->zap, fake_server_admit, NULL) != -EAGAIN)
		;
	return true;
}

void
fake_server_close(struct fake_server *fs)
{
	tsock_free(&fs->s);
	tsock_free(&fs->zap);
	transport_free(&fs->t);
	keys_free(&fs->key);
}
