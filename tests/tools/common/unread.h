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
 * unread_flood - on a CURVE connection of its own to ep (key's, to the
 * server's key) whose receive queue holds one message, sends the len
 * bytes at msg count times, or as many as go out within hold_ms; prints
 * "LABEL N" (N the messages that went out); then holds the connection
 * open, reading nothing, until hold_ms have passed since it began.
 * Returns 0, or -1 when the connection could not be set up.
 */
int unread_flood(const char *ep, const struct secret_key *key,
		 const struct public_key *server, const void *msg, size_t len,
		 unsigned long count, long hold_ms, const char *label);

#endif
