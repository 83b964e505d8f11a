/*
 * kuska_ctlflood - a local user of the control group (kuska-control) that
 * never reads its answers, for the end-to-end tests.
 *
 *	kuska_ctlflood -e ipc://PATH [-F COUNT] [-t HOLD_MS] [-P]
 *
 * On a connection of its own to a daemon's control socket (a node's, the
 * key holder's or the consolidator's), sends COUNT (default 3000) status
 * requests (unread_flood), prints "flooded N", keeps the connection open
 * for HOLD_MS (default 300) reading nothing, and ends it. With -P it
 * speaks ZMTP 3.1 itself on a plain unix socket, not through libzmq:
 * greeting, NULL handshake (READY, Socket-Type DEALER), then each request
 * followed by a PING command, which libzmq 4.3.4 answers with a write
 * even after it has seen the connection end (docs/SECURITY.md, "Hostile
 * peers"). Exit 0, 1 when the connection could not be set up, 2 on a
 * usage error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "rawzmtp.h"
#include "unread.h"

static int
usage(void)
{
	fprintf(stderr, "usage: kuska_ctlflood -e ipc://PATH [-F COUNT] "
			"[-t HOLD_MS] [-P]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *ep = NULL;
	unsigned long count = 3000;
	long hold_ms = 300;
	bool raw = false;
	struct control req;
	uint8_t *buf;
	size_t len;
	int ch, r;

	while ((ch = getopt(argc, argv, "e:F:t:P")) != -1) {
		if (ch == 'e')
			ep = optarg;
		else if (ch == 'F')
			count = strtoul(optarg, NULL, 10);
		else if (ch == 't')
			hold_ms = strtol(optarg, NULL, 10);
		else if (ch == 'P')
			raw = true;
		else
			return usage();
	}
	if (ep == NULL || optind != argc)
		return usage();
	memset(&req, 0, sizeof(req));
	req.type = CTL_STATUS;
	req.max_dead = 20;
	if (codec_control_encode(&req, &buf, &len) != 0)
		return 2;
	if (raw)
		r = rawzmtp_flood(ep, buf, len, count, hold_ms);
	else
		r = unread_flood(ep, NULL, NULL, buf, len, count, hold_ms,
				 "flooded");
	free(buf);
	return r == 0 ? 0 : 1;
}
