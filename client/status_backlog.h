/*
 * status_backlog.h - what kuska status says of the events a node holds
 * for delivery, and how long ago something was. Apart from status.c so
 * that it is tested without a node (tests/unit/test_status_backlog.c).
 */
#ifndef KUSKA_STATUS_BACKLOG_H
#define KUSKA_STATUS_BACKLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"

/* status_ago - "12 s ago", "3 h ago", "never" (then_ms 0), at now_ms,
 * written to out (cap bytes). Returns out. */
const char *status_ago(uint64_t then_ms, uint64_t now_ms, char *out,
		       size_t cap);

/*
 * status_backlog_print - writes to out the line of the events s waits to
 * deliver: how many, how old the oldest, a warning past
 * alarm_backlog_hours or for a clock that was ahead when it signed. A
 * diverged node delivers none until its outbox is rebuilt: the line says
 * so instead of the age warning, which would send the reader to the
 * network rather than to --recover. Returns 1 when it warned, else 0.
 */
int status_backlog_print(FILE *out, const struct node_status *s);

#endif
