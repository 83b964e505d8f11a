/*
 * progress.h - one line of progress on standard error, redrawn in place a
 * few times a second, for work that takes long (kuska submit, report,
 * estimate --boot); nothing at all when standard error is not a
 * terminal, so that logs and pipes see only the results.
 *
 * Output of the command's own (results on standard output, messages on
 * standard error) goes between progress_clear and the next progress_show:
 * on a terminal both streams share the screen.
 */
#ifndef KUSKA_PROGRESS_H
#define KUSKA_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define PROGRESS_EVERY_MS 250

struct progress {
	bool on;	   /* standard error is a terminal */
	bool shown;	   /* a line is on the screen */
	uint64_t start_ms; /* monotonic, at progress_start */
	uint64_t drawn_ms; /* when the line was last drawn */
};

/* progress_start - a progress line for what follows (on or not). */
void progress_start(struct progress *p);

/*
 * progress_show - draws the line (printf-like; kept to the width of a
 * terminal line) when the last was drawn PROGRESS_EVERY_MS ago or more,
 * or none was, or force. Nothing when p is off.
 */
void progress_show(struct progress *p, bool force, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* progress_clear - takes the line off the screen (until the next show). */
void progress_clear(struct progress *p);

/* progress_elapsed_ms - milliseconds since progress_start. */
uint64_t progress_elapsed_ms(const struct progress *p);

#endif
