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
 * service_init - installs the signal handlers (SIGTERM and SIGINT ask to
 * stop, SIGHUP to reload; SIGPIPE and SIGXFSZ ignored) and reads the
 * watchdog interval. Returns 0 or -errno.
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
