/*
 * kuska_liar - a hostile key holder for the end-to-end tests: it tells
 * nodes bounds it should not.
 *
 *	kuska_liar -k KEYHOLDER.key -e tcp://HOST:PORT -m HELLO_MAX
 *		-M REFUSAL_MAX [-u COUNT] [-f] [-r] [-b MS]
 *
 * Binds where a key holder listens, with its key, and admits any node.
 * It answers a hello OK telling max_batch HELLO_MAX, and then sends the
 * node COUNT replies it never asked for: half answers to a hello (id 0)
 * telling max_batch 100 and 102 in turn, half too_large refusals of a
 * request id the node never sent, telling 101 and 103 in turn; with -f,
 * it goes on sending them to the last node that said hello, without end.
 * It refuses every request with elements too_large, telling REFUSAL_MAX.
 * Runs until SIGTERM; exit status 0, or 2 on a usage or setup error.
 * With -r it ends its connections at SIGTERM with a reset (as a holder
 * may whose host drops them), not an orderly close.
 * With -b it sends its peers a heartbeat PING every MS milliseconds (the
 * daemons' 2,000 by default), which libzmq answers at once: a PING read
 * among a flood's bytes is what made libzmq 4.3.4 write on a connection
 * it had seen end (docs/SECURITY.md, "Hostile peers").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "keys.h"
#include "fakeserver.h"
#include "reset.h"
#include "transport.h"

#define NEVER_SENT_ID 0x7fffffff00000000ULL /* no node counts this far */
#define FLOOD_BURST 1000 /* unasked replies between two polls, with -f */

static uint8_t flood_route[256]; /* the last node that said hello */
static size_t flood_route_len;	 /* 0: none yet */

/* Sends reply m to the peer of routing frame (route, route_len). */
static void
send_reply(struct tsock *s, const void *route, size_t route_len,
	   const struct oprf_msg *m)
{
	const void *data[2];
	size_t lens[2];
	uint8_t *buf;
	size_t len;

	if (codec_oprf_reply_encode(m, &buf, &len) != 0)
		return;
	data[0] = route;
	lens[0] = route_len;
	data[1] = buf;
	lens[1] = len;
	(void)tsock_send(s, data, lens, 2);
	free(buf);
}

/* Sends count replies the node never asked for to route. */
static void
send_unasked(struct tsock *s, const void *route, size_t route_len,
	     unsigned long count)
{
	static const uint8_t none[1];
	struct oprf_msg rep;
	unsigned long i;

	memset(&rep, 0, sizeof(rep));
	rep.elements = none;
	for (i = 0; i < count; i++) {
		rep.request_id = i % 2 == 0 ? 0 : NEVER_SENT_ID + i;
		rep.status = i % 2 == 0 ? OPRF_OK : OPRF_TOO_LARGE;
		rep.max_batch = 100 + (uint32_t)(i % 4);
		send_reply(s, route, route_len, &rep);
	}
}

/* Answers one request f of a node as the options say. */
static void
answer(struct tsock *s, const struct tframes *f, uint32_t hello_max,
       uint32_t refusal_max, unsigned long unasked)
{
	static const uint8_t none[1];
	struct oprf_msg req, rep;
	int r;

	if (f->n != 2)
		return;
	r = codec_oprf_request_decode(f->data[1], f->len[1],
				      CODEC_MAX_OPRF_ELEMENTS, &req);
	if (r != 0 && r != -ENODATA)
		return;
	memset(&rep, 0, sizeof(rep));
	rep.request_id = req.request_id;
	rep.epoch = req.epoch;
	rep.elements = none;
	if (r == -ENODATA) {
		rep.status = OPRF_OK;
		rep.max_batch = hello_max;
		send_reply(s, f->data[0], f->len[0], &rep);
		send_unasked(s, f->data[0], f->len[0], unasked);
		if (f->len[0] <= sizeof(flood_route)) {
			memcpy(flood_route, f->data[0], f->len[0]);
			flood_route_len = f->len[0];
		}
		return;
	}
	codec_oprf_clear(&req);
	rep.status = OPRF_TOO_LARGE;
	rep.max_batch = refusal_max;
	send_reply(s, f->data[0], f->len[0], &rep);
}

int
main(int argc, char **argv)
{
	const char *key_path = NULL, *endpoint = NULL;
	unsigned long hello_max = 0, refusal_max = 0, unasked = 0;
	struct fake_server fs;
	int c, flood = 0, reset = 0, ping_ms = 0;

	while ((c = getopt(argc, argv, "k:e:m:M:u:frb:")) != -1) {
		switch (c) {
		case 'k':
			key_path = optarg;
			break;
		case 'e':
			endpoint = optarg;
			break;
		case 'm':
			hello_max = strtoul(optarg, NULL, 10);
			break;
		case 'M':
			refusal_max = strtoul(optarg, NULL, 10);
			break;
		case 'u':
			unasked = strtoul(optarg, NULL, 10);
			break;
		case 'f':
			flood = 1;
			break;
		case 'r':
			reset = 1;
			break;
		case 'b':
			ping_ms = atoi(optarg);
			if (ping_ms <= 0)
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (key_path == NULL || endpoint == NULL) {
		fprintf(stderr, "usage: kuska_liar -k KEY -e ENDPOINT -m N "
				"-M N [-u COUNT] [-f] [-r] [-b MS]\n");
		return 2;
	}
	if (ping_ms > 0)
		fake_server_ping(ping_ms);
	if (fake_server_open(&fs, "kuska_liar", key_path, endpoint,
			     "keyholder") != 0)
		return 2;
	while (fake_server_running()) {
		struct tframes f;
		bool flooding = flood && flood_route_len != 0;
		if (flooding)
			send_unasked(fs.s, flood_route, flood_route_len,
				     FLOOD_BURST);
		if (!fake_server_wait(&fs, flooding ? 0 : 100))
			continue;
		while (tsock_recv(fs.s, &f, 2, CODEC_MAX_FRAME) == 0) {
			answer(fs.s, &f, (uint32_t)hello_max,
			       (uint32_t)refusal_max, unasked);
			tframes_clear(&f);
		}
	}
	if (reset)
		reset_and_exit(0);
	fake_server_close(&fs);
	return 0;
}
