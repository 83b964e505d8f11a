/*
 * reset.c - a peer that ends its connections with a reset (reset.h).
 *
 * Apart from the tools' other code: <sys/socket.h> names MSG_BATCH, as
 * codec.h does.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "reset.h"

void
reset_and_exit(int status)
{
	struct linger now = {.l_onoff = 1, .l_linger = 0};
	struct sockaddr_storage peer;
	int fd, type;

	for (fd = 3; fd < 1024; fd++) {
		socklen_t len = sizeof(type);
		socklen_t plen = sizeof(peer);

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
		    type != SOCK_STREAM ||
		    getpeername(fd, (struct sockaddr *)&peer, &plen) != 0 ||
		    peer.ss_family == AF_UNIX)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
	}
	_exit(status);
}
