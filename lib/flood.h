/*
 * flood.h - a peer's messages read that nothing waited for, counted in
 * a row: the node's key holders (holders.c), its consolidator
 * (deliver_answer.c) and kuska-node --recover's consolidator
 * (recover_talk.c) each keep one. Their sockets have ZMQ_RCVHWM lifted
 * (libzmq 4.3.4 aborts when a connection it stopped reading ends with a
 * heartbeat due), so a run of the peer's key's messages is bounded here
 * instead: the caller cuts the connection, or gives up, when the limit is
 * reached, and says so with its own event within the guard's budget
 * (docs/SECURITY.md, "Hostile peers").
 */
#ifndef KUSKA_FLOOD_H
#define KUSKA_FLOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct flood_guard {
	size_t max;	       /* untaken in a row that reach the limit */
	size_t untaken;	       /* read since the last one taken */
	uint64_t cuts;	       /* times the limit was reached */
	struct log_budget log; /* for the caller's line at each cut */
};

/* flood_guard_init - a guard reaching its limit at max (> 0) in a row,
 * none counted, no cut, its budget fresh. */
void flood_guard_init(struct flood_guard *g, size_t max);

/*
 * flood_guard_note - counts a message read, taken (what the reader
 * waited for: the run starts again) or not. Returns true when this one is
 * the max-th in a row not taken: the run starts again and g->cuts grows by
 * one; the caller cuts (or gives up) and logs within g->log.
 */
bool flood_guard_note(struct flood_guard *g, bool taken);

#endif
