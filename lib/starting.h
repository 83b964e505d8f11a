/*
 * starting.h - a daemon's answer while it starts. From the bind of its
 * control socket (a node's submit socket), before the checks of its file
 * (seconds on a big one) and the consolidator's statistics rebuild (about
 * a minute per million events), until it serves, a thread of its own
 * answers every request with CTL_STARTING, what the start is doing and
 * how long ago the process began (not the bind: the keys read and the
 * check's child forked before it), so that kuska status tells a start
 * from an outage. One per process.
 */
#ifndef KUSKA_STARTING_H
#define KUSKA_STARTING_H

#include <stdbool.h>

#include "transport.h"

/*
 * starting_begin - answers the requests on control, on a thread of its
 * own (every signal blocked: they go to the main thread), until
 * starting_end; control is that thread's meanwhile. A request is read
 * within the daemon's own limits (frames, bytes: tsock_recv); one over
 * them is answered too, counted as refused and logged as refused_as says
 * (a fixed line, within a budget, as once started). Returns 0 or -errno
 * (no thread; the daemon then stops its start).
 */
int starting_begin(struct tsock *control, size_t frames, size_t bytes,
		   const char *refused_as) __attribute__((warn_unused_result));

/*
 * starting_say - what the start does now ("checking the store"), for the
 * answers from here on; copied. While starting_extend is on, systemd is
 * asked at once for a minute more, in these words. Any thread; harmless
 * when not begun.
 */
void starting_say(const char *what);

/*
 * starting_extend - on: from now on, until off, the thread asks systemd
 * for a minute more to start (EXTEND_TIMEOUT_USEC, with what the start
 * does) at once and every 20 s. For the checks of the daemon's file,
 * which read it all in a child (about a second per GiB from the page
 * cache, the disk's speed after a reboot), and its open, which may read
 * it all too (a node's outbox written by an earlier kuska: its case
 * stages' index built, 3-4 s per 300,000 envelopes from the page cache,
 * bench_stages; the consolidator's statistics read after its store's
 * open, 2-4 s per million events): past TimeoutStartSec= (90 s
 * by default) systemd would kill the start and begin it again, the check
 * from nothing, for ever. The watchdog counts only once the daemon says
 * it is ready. Harmless when not begun, and outside systemd.
 */
void starting_extend(bool on);

/*
 * starting_end - stops answering and waits for the thread: the control
 * socket is the caller's again. Returns the requests over the limits it
 * answered, for the daemon's count of refused ones; 0, and nothing done,
 * when not begun.
 */
unsigned long starting_end(void);

#endif
