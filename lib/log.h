/*
 * log.h - one line per message on stderr (journald picks it up), in
 * key=value form where a message carries data.
 *
 * Library code logs only at debug level; the caller that decides logs
 * once. Never pass a secret or an identity: log key fingerprints and
 * pseudonym prefixes. Untrusted text is quoted with log_quote().
 */
#ifndef KUSKA_LOG_H
#define KUSKA_LOG_H

#include <stddef.h>

/* Sets the program name printed before each line and the debug switch. */
void log_init(const char *progname, int debug);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": " and strerror(errno). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* fatal and fatalx log, then exit(1); only daemons' main paths use them. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/*
 * log_quote - writes s (len bytes, untrusted) into out as a double-quoted
 * string with non-printable bytes, quotes and backslashes escaped,
 * truncated to fit cap. Returns out.
 */
const char *log_quote(const char *s, size_t len, char *out, size_t cap);

/* The first 8 bytes of buf as 16 lower-case hex digits, into out[17]. */
const char *log_hex8(const void *buf, char out[17]);

#endif
