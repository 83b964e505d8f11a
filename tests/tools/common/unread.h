/*
 * unread.h - a peer that never reads its answers, for the test tools
 * (kuska_asker -F, kuska_rogue unread): what a daemon cannot send it
 * must stay within the daemon's bounds.
 */
#ifndef KUSKA_TOOLS_UNREAD_H
#define KUSKA_TOOLS_UNREAD_H

#include <stddef.h>

#include "keys.h"

/*
 * How long the sending may take: the handshake and the daemon reading
 * what fills the queues, on a machine loaded by a whole test suite.
 */
#define UNREAD_SEND_MS 30000

/*
 * unread_flood - on a CURVE connection of its own to ep (key's, to the
 * server's key; with key NULL, a plain one, as to a local control
 * socket) whose receive queue holds one message, sends the len
 * bytes at msg count times, or as many as go out within UNREAD_SEND_MS
 * (hold_ms if longer);
 * prints "LABEL N" (N the messages that went out); then holds the
 * connection open, reading nothing, for hold_ms more.
 * Returns 0, or -1 when the connection could not be set up.
 */
/*
 * unread_set_heartbeat - the ZMQ_HEARTBEAT_IVL (ms) of the connections
 * unread_flood sets up from now on; 0 (the default): none. A short one
 * puts libzmq's own PINGs among the messages, each answered with a PONG
 * by the daemon's libzmq when it decodes it.
 */
void unread_set_heartbeat(int ms);

/*
 * unread_set_keepalive - as unread_set_heartbeat(ms), and this end never
 * times the daemon out (ZMQ_HEARTBEAT_TIMEOUT of a day: its PONGs are
 * never read here). The daemon's libzmq decodes each PING, which puts
 * off its own heartbeat time-out: the connection, its answers unread,
 * stays open as long as it is held, where else the daemon's heartbeats
 * (6 s, lib/transport.c) end it a few seconds after its reads stop.
 */
void unread_set_keepalive(int ms);

int unread_flood(const char *ep, const struct secret_key *key,
		 const struct public_key *server, const void *msg, size_t len,
		 unsigned long count, long hold_ms, const char *label);

#endif
