/* progress.c - a progress line on a terminal; see progress.h. */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "date.h"

#define LINE_MAX_COLS 200

void
progress_start(struct progress *p)
{
	p->on = isatty(STDERR_FILENO) == 1;
	p->shown = false;
	p->start_ms = date_mono_ms();
	p->drawn_ms = 0;
}

/* The terminal's width less one (no wrap on the last column). */
static int
columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col - 1 < LINE_MAX_COLS ? ws.ws_col - 1
						     : LINE_MAX_COLS;
	return 79;
}

void
progress_show(struct progress *p, bool force, const char *fmt, ...)
{
	char line[LINE_MAX_COLS + 1];
	uint64_t now;
	va_list ap;

	if (!p->on)
		return;
	now = date_mono_ms();
	if (!force && p->shown && now - p->drawn_ms < PROGRESS_EVERY_MS)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Carriage return, the text, erase to the end of the line. */
	fprintf(stderr, "\r%.*s\033[K", columns(), line);
	fflush(stderr);
	p->shown = true;
	p->drawn_ms = now;
}

void
progress_clear(struct progress *p)
{
	if (!p->on || !p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}

uint64_t
progress_elapsed_ms(const struct progress *p)
{
	return date_mono_ms() - p->start_ms;
}
