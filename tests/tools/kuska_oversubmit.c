/*
 * kuska_oversubmit - a buggy local client of a daemon's local socket, for
 * the end-to-end tests: sends one request over the socket's limits, or
 * one malformed, which kuska never sends, and prints the daemon's answer.
 *
 *	kuska_oversubmit -e ipc://PATH lines|bytes|endlines|status|malformed
 *
 * To a node's submit socket, a submit request of "lines":
 * CODEC_MAX_LINES + 1 lines of one byte; or of "bytes": two lines of
 * 40 MiB (each under the socket's 64 MiB a frame, more than 64 MiB in
 * all); or of "endlines": a run's end carrying a line. To a consolidator's or
 *key holder's control socket, "status": a status request followed by two frames
 *of 40 KiB (each under its 64 KiB a frame, more than 64 KiB and one frame in
 *all); or "malformed": one byte that is no control message. Prints "error TEXT"
 *for an error answer, "answer TYPE" for another and "none" when nothing came
 *within 30 s. Exit 0 when an error came, 1 otherwise, 2 on a usage or setup
 * error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "date.h"
#include "transport.h"

#define ANSWER_MS 30000
#define BIG_LINE (40 * 1024 * 1024)
#define BIG_PART (40 * 1024) /* "status" */

/* Sends the n frames data, lens once the connection takes them. */
static int
send_frames(struct tsock *s, const void **data, const size_t *lens, size_t n)
{
	uint64_t until = date_mono_ms() + ANSWER_MS;
	int e;

	while ((e = tsock_send(s, data, lens, n)) == -EAGAIN &&
	       date_mono_ms() < until)
		usleep(10000);
	return e;
}

/*
 * A request of type (CTL_SUBMIT, CTL_STATUS): its control frame, then n
 * frames all pointing at line; end, a submit that ends its run.
 */
static int
send_request(struct tsock *s, enum control_type type, const uint8_t *line,
	     size_t line_len, size_t n, bool end)
{
	struct control req;
	const void **data = calloc(n + 1, sizeof(*data));
	size_t *lens = calloc(n + 1, sizeof(*lens)), i;
	uint8_t *buf = NULL;
	int e = -ENOMEM;

	memset(&req, 0, sizeof(req));
	req.type = type;
	req.first_line = 1;
	req.run = end ? 1 : 0;
	req.end = end;
	snprintf(req.source, sizeof(req.source), "oversubmit");
	if (data == NULL || lens == NULL ||
	    (e = codec_control_encode(&req, &buf, &lens[0])) != 0)
		goto out;
	data[0] = buf;
	for (i = 1; i <= n; i++) {
		data[i] = line;
		lens[i] = line_len;
	}
	e = send_frames(s, data, lens, n + 1);
out:
	free(buf);
	free(data);
	free(lens);
	return e;
}

/* Waits for the answer and prints it. Returns the exit status. */
static int
print_answer(struct tsock *s)
{
	uint64_t until = date_mono_ms() + ANSWER_MS;
	struct tframes f;
	struct control rep;
	bool ready;
	int rc;

	while (date_mono_ms() < until) {
		(void)tsock_poll(&s, 1, &ready, 200);
		if (!ready || tsock_recv(s, &f, 1, CODEC_MAX_FRAME) != 0)
			continue;
		if (codec_control_decode(f.data[0], f.len[0], &rep) != 0) {
			tframes_clear(&f);
			printf("undecodable\n");
			return 1;
		}
		tframes_clear(&f);
		if (rep.type == CTL_ERROR)
			printf("error %s\n", rep.error);
		else
			printf("answer %d\n", (int)rep.type);
		rc = rep.type == CTL_ERROR ? 0 : 1;
		codec_control_clear(&rep);
		return rc;
	}
	printf("none\n");
	return 1;
}

/*
 * Sends the request what names ("lines", "bytes", "status",
 * "malformed").
 */
static int
send_chosen(struct tsock *s, const char *what)
{
	bool status = strcmp(what, "status") == 0;
	size_t big_len = status ? BIG_PART : BIG_LINE;
	uint8_t *big;
	int e;

	if (strcmp(what, "malformed") == 0) {
		const void *data[1] = {"\xff"};
		size_t lens[1] = {1};
		return send_frames(s, data, lens, 1);
	}
	if (strcmp(what, "lines") == 0)
		return send_request(s, CTL_SUBMIT, (const uint8_t *)"x", 1,
				    CODEC_MAX_LINES + 1, false);
	if (strcmp(what, "endlines") == 0)
		return send_request(s, CTL_SUBMIT, (const uint8_t *)"{}", 2, 1,
				    true);
	big = malloc(big_len);
	if (big == NULL)
		return -ENOMEM;
	memset(big, 'x', big_len);
	e = send_request(s, status ? CTL_STATUS : CTL_SUBMIT, big, big_len, 2,
			 false);
	free(big);
	return e;
}

int
main(int argc, char **argv)
{
	const char *ep = NULL;
	struct transport *t;
	struct tsock *s;
	int ch, e, rc = 2;

	while ((ch = getopt(argc, argv, "e:")) != -1) {
		if (ch != 'e')
			goto usage;
		ep = optarg;
	}
	if (ep == NULL || optind + 1 != argc ||
	    (strcmp(argv[optind], "lines") != 0 &&
	     strcmp(argv[optind], "bytes") != 0 &&
	     strcmp(argv[optind], "endlines") != 0 &&
	     strcmp(argv[optind], "status") != 0 &&
	     strcmp(argv[optind], "malformed") != 0))
		goto usage;
	t = transport_new();
	s = t != NULL ? tsock_connect_local(t, ep, NULL, &e) : NULL;
	if (s == NULL) {
		fprintf(stderr, "kuska_oversubmit: %s: cannot connect\n", ep);
		transport_free(&t);
		return 2;
	}
	e = send_chosen(s, argv[optind]);
	if (e == 0)
		rc = print_answer(s);
	else
		fprintf(stderr, "kuska_oversubmit: cannot send: %s\n",
			strerror(-e));
	tsock_free(&s);
	transport_free(&t);
	return rc;
usage:
	fprintf(stderr, "usage: kuska_oversubmit -e ipc://PATH "
			"lines|bytes|endlines|status|malformed\n");
	return 2;
}
