/*
 * service.h - life under systemd (this module owns libsystemd) and
 * signals: READY and STOPPING notifications, the watchdog, and flags set
 * by SIGTERM/SIGINT and SIGHUP. Harmless when not run by systemd.
 */
#ifndef KUSKA_SERVICE_H
#define KUSKA_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * service_ignore_signals - ignores SIGXFSZ, so that a write past a file
 * size limit (LimitFSIZE=, ulimit -f) fails with EFBIG, an error the
 * program says, rather than killing it; and SIGPIPE when sigpipe (a
 * daemon: its stderr may be a pipe whose reader died; the client keeps
 * the default, so that `kuska query ... | head` ends quietly). Each main
 * calls it first, before anything it does at start writes a file (a
 * store's checks, a statistics rebuild).
 */
void service_ignore_signals(bool sigpipe);

/*
 * service_init - installs the signal handlers (SIGTERM and SIGINT ask to
 * stop, SIGHUP to reload; SIGPIPE and SIGXFSZ ignored, as by
 * service_ignore_signals) and reads the watchdog interval. Returns 0 or
 * -errno.
 */
int service_init(void) __attribute__((warn_unused_result));

/* True once SIGTERM or SIGINT came. */
bool service_stopping(void);

/* True once after each SIGHUP (the flag is cleared by reading it). */
bool service_reload_requested(void);

/* Tells systemd the service is ready, with a status line. */
void service_ready(const char *status);

/* Tells systemd the service is stopping. */
void service_notify_stopping(void);

/* Pets the watchdog if it is due; call from the event loop. */
void service_watchdog(uint64_t mono_ms);

/* Updates the status line systemctl shows. */
void service_status(const char *status);

/*
 * Tells systemd that a start still under way (before service_ready)
 * needs up to `seconds` more from now, with a status line: a long rebuild
 * of the statistics at start is not taken for a hung start and killed at
 * TimeoutStartSec=. Does nothing outside systemd.
 */
void service_extend_start(unsigned seconds, const char *status);

#endif
