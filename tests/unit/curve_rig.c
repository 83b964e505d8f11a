/* curve_rig.c - a CURVE server's place taken by a unit test; see
 * curve_rig.h. */
#include "curve_rig.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

void
curve_server_open(struct curve_server *c, const char *dir, const char *name,
		  int hwm)
{
	struct secret_key *server = NULL;
	char key[128];

	memset(c, 0, sizeof(*c));
	assert_true(strlen(dir) < sizeof(c->dir));
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	snprintf(c->ep, sizeof(c->ep), "ipc://%s/server.sock", c->dir);
	snprintf(c->pub, sizeof(c->pub), "%s/server.pub", c->dir);
	snprintf(key, sizeof(key), "%s/server.key", c->dir);
	assert_int_equal(keys_init(), 0);
	assert_int_equal(keys_generate("node", &c->node), 0);
	assert_int_equal(keys_generate(name, &server), 0);
	assert_int_equal(keys_write(server, c->dir, "server"), 0);
	keys_free(&server);
	fake_server_hwm(hwm);
	assert_int_equal(
	    fake_server_open(&c->fs, "curve_rig", key, c->ep, name), 0);
}

/* The ZAP verdict of the curve_server arg: c->refuse, or admitted. */
static int
curve_server_admit(void *arg, const char *domain, const char *address,
		   const uint8_t key[TRANSPORT_KEY_LEN], char *user_id,
		   size_t cap)
{
	const struct curve_server *c = arg;

	if (c->refuse != 0)
		return c->refuse;
	return fake_server_admit(NULL, domain, address, key, user_id, cap);
}

void
curve_server_serve(struct curve_server *c)
{
	while (tsock_zap_serve(c->fs.zap, curve_server_admit, c) == 0)
		;
}

void
curve_server_close(struct curve_server *c)
{
	char path[128];

	fake_server_close(&c->fs);
	keys_free(&c->node);
	snprintf(path, sizeof(path), "%s/server.key", c->dir);
	unlink(path);
	unlink(c->pub);
	snprintf(path, sizeof(path), "%s/server.sock", c->dir);
	unlink(path);
}

/* The limit fds_hold lowered, while held_fds. */
static struct rlimit held_old;
static bool held_fds;

void
fds_hold(void)
{
	struct rlimit lim;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_false(held_fds);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &held_old), 0);
	lim = held_old;
	lim.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	held_fds = true;
}

/* The limit put back if held: 0, or -1 (errno set). */
static int
fds_put_back(void)
{
	if (!held_fds)
		return 0;
	if (setrlimit(RLIMIT_NOFILE, &held_old) != 0)
		return -1;
	held_fds = false;
	return 0;
}

void
fds_release(void)
{
	assert_true(held_fds);
	assert_int_equal(fds_put_back(), 0);
}

int
fds_teardown(void **state)
{
	(void)state;
	return fds_put_back();
}
