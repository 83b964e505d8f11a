/* daemon.c - what every daemon does the same way; see daemon.h. */
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
