/*
 * test_service.c - lib/service.h speaking to systemd: a datagram socket
 * bound where NOTIFY_SOCKET says, as the service manager's, receives what
 * the daemon says while it starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "service.h"

/* A socket where NOTIFY_SOCKET points; its path in path. */
static int
listen_notify(char *path, size_t cap)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(path, cap, "/tmp/kuska-notify.%ld", (long)getpid());
	unlink(path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	return fd;
}

/* The next datagram, as a string ("" when none is waiting). */
static void
next(int fd, char *got, size_t cap)
{
	ssize_t len = recv(fd, got, cap - 1, MSG_DONTWAIT);

	got[len > 0 ? len : 0] = '\0';
}

/* A start that takes long asks for more time, with what it is doing;
 * then the daemon says it is ready. */
static void
test_extend_then_ready(void **state)
{
	char path[64], got[256];
	int fd;

	(void)state;
	fd = listen_notify(path, sizeof(path));
	service_extend_start(60, "rebuilding the statistics: 4096 events "
				 "so far");
	next(fd, got, sizeof(got));
	assert_string_equal(got, "EXTEND_TIMEOUT_USEC=60000000\nSTATUS="
				 "rebuilding the statistics: 4096 events so "
				 "far");
	service_ready("accepting events");
	next(fd, got, sizeof(got));
	assert_string_equal(got, "READY=1\nSTATUS=accepting events");
	/* Outside systemd nothing is sent, and nothing fails. */
	assert_int_equal(unsetenv("NOTIFY_SOCKET"), 0);
	service_extend_start(60, "x");
	next(fd, got, sizeof(got));
	assert_string_equal(got, "");
	close(fd);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_extend_then_ready),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
