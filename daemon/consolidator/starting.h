/*
 * starting.h - the consolidator's answer while it starts. From the bind
 * of its control socket, after the store's checks (they fork: main.c's
 * start_answering), before its open and any statistics rebuild (about a
 * minute per million events), until it serves, a thread of its own
 * answers every control request with CTL_STARTING and what the start is
 * doing, so that kuska status tells a start from an outage. One per
 * process.
 */
#ifndef KUSKA_STARTING_H
#define KUSKA_STARTING_H

#include "transport.h"

/*
 * starting_begin - answers the requests on control, on a thread of its
 * own (every signal blocked: they go to the main thread), until
 * starting_end; control is that thread's meanwhile. Returns 0 or -errno
 * (no thread; main.c then stops the start).
 */
int starting_begin(struct tsock *control) __attribute__((warn_unused_result));

/*
 * starting_say - what the start does now ("opening the store"), for the
 * answers from here on; copied. Any thread; harmless when not begun.
 */
void starting_say(const char *what);

/*
 * starting_end - stops answering and waits for the thread: the control
 * socket is the caller's again. Returns the requests it refused (over the
 * socket's limits, daemon_control_serve), for the daemon's count; 0, and
 * nothing done, when not begun.
 */
unsigned long starting_end(void);

#endif
