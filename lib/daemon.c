/* daemon.c - what every daemon does the same way; see daemon.h. */
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "lockdir.h"
#include "log.h"

bool
daemon_option(struct daemon_args *a, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		a->conf = arg;
		return true;
	case 'd':
		a->debug = 1;
		return true;
	case 'n':
		a->check = 1;
		return true;
	default:
		return false;
	}
}

int
daemon_begin(const char *name, int debug)
{
	log_init(name, debug);
	return keys_init();
}

int
daemon_lock(const char *dir, const char *name, const char *what, char *why,
	    size_t why_len)
{
	/* The descriptor holds the lock: it stays open until the end. */
	int fd = lockdir_take(dir);

	if (fd == -EBUSY)
		snprintf(why, why_len,
			 "%s: another %s is using this %s (stop it first)", dir,
			 name, what);
	else if (fd < 0)
		snprintf(why, why_len, "%s: cannot lock: %s", dir,
			 strerror(-fd));
	return fd < 0 ? fd : 0;
}

struct tsock *
daemon_bind_local(struct transport *t, const char *endpoint, size_t max_bytes,
		  char *why, size_t why_len)
{
	int err;
	struct tsock *s = tsock_bind_local(t, endpoint, max_bytes, &err);

	if (s == NULL && err == -EADDRINUSE)
		snprintf(why, why_len,
			 "%s: in use by another running daemon (stop it first)",
			 endpoint);
	else if (s == NULL)
		snprintf(why, why_len, "%s: cannot bind: %s", endpoint,
			 strerror(-err));
	return s;
}

int
daemon_reply(struct tsock *s, const struct tframes *req,
	     const struct control *c)
{
	const void *data[2];
	size_t lens[2];
	uint8_t *buf;
	size_t len;
	int err;

	if (codec_control_encode(c, &buf, &len) != 0)
		return -EPROTO;
	data[0] = req->data[0];
	lens[0] = req->len[0];
	data[1] = buf;
	lens[1] = len;
	err = tsock_send(s, data, lens, 2);
	free(buf);
	return err;
}

void
daemon_error_fill(struct control *ret, const char *text)
{
	memset(ret, 0, sizeof(*ret));
	ret->type = CTL_ERROR;
	snprintf(ret->error, sizeof(ret->error), "%s", text);
}
