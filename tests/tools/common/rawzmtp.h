/*
 * rawzmtp.h - a control client speaking ZMTP 3.1 itself on a unix socket,
 * for kuska_ctlflood -P: what libzmq never sends, a local user may.
 */
#ifndef KUSKA_TOOLS_RAWZMTP_H
#define KUSKA_TOOLS_RAWZMTP_H

#include <stddef.h>
#include <stdint.h>

/*
 * rawzmtp_flood - on a unix socket of its own to ep (ipc://PATH), the
 * NULL handshake as a DEALER (greeting, READY with Socket-Type), then
 * count one-frame messages of the len bytes at msg (len under 256),
 * each followed by a PING command, for at most UNREAD_SEND_MS; prints
 * "flooded N" (the messages that went out), holds the connection hold_ms
 * reading nothing, and closes it. Returns 0, or -1 when the connection
 * could not be set up.
 */
int rawzmtp_flood(const char *ep, const uint8_t *msg, size_t len,
		  unsigned long count, long hold_ms);

#endif
