/* cons.c - the shared reply path of the consolidator's sockets; see cons.h. */
#include "cons.h"

#include <string.h>

#include "log.h"

void
send_to(struct tsock *s, const struct tframes *req, const uint8_t *buf,
	size_t len)
{
	const void *data[2] = {req->data[0], buf};
	size_t lens[2] = {req->len[0], len};
	int r = tsock_send(s, data, lens, 2);

	if (r != 0)
		log_debug("event=reply_not_delivered error=%s",
			  LOG_Q(strerror(-r)));
}
