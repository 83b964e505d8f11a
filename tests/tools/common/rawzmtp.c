/*
 * rawzmtp.c - a control client speaking ZMTP itself (rawzmtp.h).
 *
 * Plain sockets, not libzmq: what libzmq would never send, a local user
 * may.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "date.h"
#include "rawzmtp.h"
#include "unread.h"

/* Writes all len bytes at buf to fd (blocking), 0 or -1. */
static int
write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes from fd into buf (blocking), 0 or -1. */
static int
read_all(int fd, uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The ZMTP 3.1 NULL handshake as a DEALER on fd: our greeting, the
 * server's, our READY, the server's READY (a short command frame).
 * Returns 0 or -1.
 */
static int
zmtp_handshake(int fd)
{
	static const uint8_t ready[] = {0x04, 28,  5,	'R', 'E', 'A', 'D', 'Y',
					11,   'S', 'o', 'c', 'k', 'e', 't', '-',
					'T',  'y', 'p', 'e', 0,	  0,   0,   6,
					'D',  'E', 'A', 'L', 'E', 'R'};
	uint8_t greeting[64] = {0xff, 0,    0, 0, 0,   0,   0,	 0,
				0,    0x7f, 3, 1, 'N', 'U', 'L', 'L'};
	uint8_t in[256];

	if (write_all(fd, greeting, sizeof(greeting)) != 0 ||
	    read_all(fd, in, 64) != 0 || in[0] != 0xff || in[10] != 3 ||
	    write_all(fd, ready, sizeof(ready)) != 0 ||
	    read_all(fd, in, 2) != 0 || in[0] != 0x04)
		return -1;
	return read_all(fd, in, in[1]);
}

int
rawzmtp_flood(const char *ep, const uint8_t *msg, size_t len,
	      unsigned long count, long hold_ms)
{
	static const uint8_t ping[] = {0x04, 7, 4, 'P', 'I', 'N', 'G', 0, 0};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t unit = 2 + len + sizeof(ping), off = 0, total;
	unsigned long sent = 0;
	uint8_t *buf;
	uint64_t until;
	int fd, rc = -1;

	if (strncmp(ep, "ipc://", 6) != 0 ||
	    strlen(ep + 6) >= sizeof(sa.sun_path) || len > 255)
		return -1;
	memcpy(sa.sun_path, ep + 6, strlen(ep + 6));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	buf = calloc(count ? count : 1, unit);
	if (buf == NULL)
		goto out;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    zmtp_handshake(fd) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
		goto out;
	for (unsigned long i = 0; i < count; i++) {
		uint8_t *p = buf + i * unit;
		p[0] = 0x00; /* the last (only) frame, short */
		p[1] = (uint8_t)len;
		memcpy(p + 2, msg, len);
		memcpy(p + 2 + len, ping, sizeof(ping));
	}
	total = count * unit;
	until = date_mono_ms() + UNREAD_SEND_MS;
	while (off < total && date_mono_ms() < until) {
		struct pollfd pf = {.fd = fd, .events = POLLOUT};
		ssize_t n = write(fd, buf + off, total - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
		else
			(void)poll(&pf, 1, 100);
	}
	sent = off / unit;
	printf("flooded %lu\n", sent);
	fflush(stdout);
	until = date_mono_ms() + (uint64_t)(hold_ms > 0 ? hold_ms : 0);
	while (date_mono_ms() < until)
		usleep(50000);
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}
