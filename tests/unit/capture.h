/*
 * capture.h - what a unit test's code writes to stderr (the daemons' log
 * lines), read back, for the unit tests linked with capture.c
 * (tests.cmake): test_submissions, test_ingest and test_deliver, which
 * each wrote the same redirection out, test_old_epochs and test_holders.
 */
#ifndef KUSKA_CAPTURE_H
#define KUSKA_CAPTURE_H

#define CAPTURE_MAX 65536 /* bytes captured() keeps, its NUL included */

/* capture - stderr (fd 2) to a new temporary file until captured(). */
void capture(void);

/*
 * captured - stderr back where it was; returns what was written to it
 * since capture(), NUL-ended, cut at CAPTURE_MAX - 1 bytes. A static
 * buffer, valid until the next captured().
 */
const char *captured(void);

/* captured_count - how many times needle is in text. */
int captured_count(const char *text, const char *needle);

#endif
