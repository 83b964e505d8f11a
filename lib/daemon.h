/*
 * daemon.h - what every kuska daemon does the same way: a control request
 * answered. Each daemon keeps its own decisions: what it says.
 */
#ifndef KUSKA_DAEMON_H
#define KUSKA_DAEMON_H

#include "codec.h"
#include "transport.h"

/*
 * daemon_reply - answers the control request req (its first frame names
 * the client) on the ROUTER s with c. Returns 0; -EPROTO when c cannot be
 * encoded (nothing sent); or tsock_send's -errno (the client is gone).
 * Logs nothing: the daemon says what it makes of a failure.
 */
int daemon_reply(struct tsock *s, const struct tframes *req,
		 const struct control *c);

/*
 * daemon_error_fill - makes *ret the error answer saying text (cut to
 * fit). *ret owns nothing.
 */
void daemon_error_fill(struct control *ret, const char *text);

#endif
