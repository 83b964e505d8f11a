/* service.c - systemd notification and signals; see service.h. */
#include "service.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-daemon.h>

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t reload_flag;
static uint64_t watchdog_ms; /* 0: no watchdog */
static uint64_t watchdog_last;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

void
service_ignore_signals(bool sigpipe)
{
	/* A write past a file size limit (LimitFSIZE=, ulimit -f) fails with
	 * EFBIG, an error said, rather than killing the process. */
	signal(SIGXFSZ, SIG_IGN);
	if (sigpipe)
		signal(SIGPIPE, SIG_IGN);
}

int
service_init(void)
{
	struct sigaction sa;
	uint64_t usec = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal must wake the event loop's poll. */
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0)
		return -errno;
	service_ignore_signals(true);
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
		watchdog_ms = usec / 2000; /* pet twice per interval */
	return 0;
}

bool
service_stopping(void)
{
	return stop_flag != 0;
}

bool
service_reload_requested(void)
{
	if (!reload_flag)
		return false;
	reload_flag = 0;
	return true;
}

void
service_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void
service_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void
service_watchdog(uint64_t mono_ms)
{
	if (watchdog_ms == 0 || mono_ms - watchdog_last < watchdog_ms)
		return;
	watchdog_last = mono_ms;
	sd_notify(0, "WATCHDOG=1");
}

void
service_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

void
service_extend_start(unsigned seconds, const char *status)
{
	sd_notifyf(0, "EXTEND_TIMEOUT_USEC=%llu\nSTATUS=%s",
		   (unsigned long long)seconds * 1000000ULL, status);
}
