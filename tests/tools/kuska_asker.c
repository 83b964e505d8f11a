/*
 * kuska_asker - a query client that keeps one connection to the
 * consolidator open and sends every request on it, for the end-to-end
 * tests: a revoked key's open connection must be refused, and hostile
 * table names must not forge log lines.
 *
 *	kuska_asker -k KEY -s CONSOLIDATOR.pub -e tcp://HOST:PORT
 *		[-t TIMEOUT_MS] [-F COUNT] [-M PARTS]
 *
 * Reads requests from standard input, one per line: the table, a tab and
 * the period, each with the escapes \n \r \t \\ and \xHH, so that any
 * byte can be sent; then, optionally, a tab and the region and a tab and
 * the bootstrap count (numbers, sent as they are). A line "raw", a tab
 * and fields separated by tabs (with the same escapes) is instead sent
 * as it is, one frame a field, whatever -M says: a request that is not
 * one. For each request it prints one line and flushes:
 *
 *	answer rows=N role=ROLE		a table came back
 *	answer error=TEXT		the consolidator refused the request
 *	none refused			the handshake was refused (ZAP)
 *	none timeout			nothing came back in time
 *
 * At the end of input it prints "handshakes N disconnects N" (how often
 * the connection was made and lost). Exit status 0, or 2 on a usage or
 * setup error.
 *
 * With -M PARTS each request goes out as a message of PARTS frames, each
 * its encoding (two or more: a request the consolidator refuses for its
 * frames, past four over what it reads of one message).
 *
 * With -F COUNT it is instead a peer that never reads its answers: it
 * sends the first request (not a raw one) COUNT times on a connection of
 * its own, its only one, whose receive
 * queue holds a single message, prints "flooded N" (the requests that
 * went out), then keeps the connection open, reading nothing, for -t
 * milliseconds. What the consolidator cannot send stays in its queue
 * for that connection.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "date.h"
#include "keys.h"
#include "transport.h"
#include "unread.h"

#define DEFAULT_TIMEOUT_MS 5000
#define MAX_PARTS 8 /* -M */

struct asker {
	struct tsock *s, *mon;
	unsigned long handshakes, disconnects, refusals;
	long timeout_ms;
	size_t parts; /* -M: frames of each request (default 1) */
};

static void
usage(void)
{
	fprintf(stderr, "usage: kuska_asker -k KEY -s CONSOLIDATOR.pub -e "
			"ENDPOINT [-t TIMEOUT_MS] [-F COUNT] [-M PARTS] "
			"< REQUESTS\n");
	exit(2);
}

/* Undoes the escapes of one field in place; returns its length. */
static size_t
unescape(char *s)
{
	char *start = s, *o = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] == 'x' && s[2] != '\0' &&
		    s[3] != '\0') {
			char hex[3] = {s[2], s[3], '\0'};
			*o++ = (char)strtoul(hex, NULL, 16);
			s += 4;
		} else if (s[0] == '\\' && s[1] != '\0') {
			char c = s[1];
			*o++ = c == 'n'	  ? '\n'
			       : c == 'r' ? '\r'
			       : c == 't' ? '\t'
					  : c;
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return (size_t)(o - start);
}

static void
read_monitor(struct asker *a)
{
	enum tevent ev;
	char addr[256];

	while (tsock_monitor_read(a->mon, &ev, addr, sizeof(addr)) == 0) {
		if (ev == TEVENT_HANDSHAKE_OK)
			a->handshakes++;
		else if (ev == TEVENT_DISCONNECTED)
			a->disconnects++;
		else if (ev == TEVENT_HANDSHAKE_FAILED_AUTH)
			a->refusals++;
	}
}

/* Sends q count times on a connection that reads nothing (unread.h). */
static int
flood(const char *ep, const struct secret_key *key,
      const struct public_key *server, const struct query_req *q,
      unsigned long count, long hold_ms)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (codec_query_req_encode(q, &buf, &len) != 0)
		return -1;
	rc = unread_flood(ep, key, server, buf, len, count, hold_ms, "flooded");
	free(buf);
	return rc;
}

/* Sends the n frames data (lens bytes each) as one message and prints
 * what came of it. */
static void
send_and_print(struct asker *a, const void *const *data, const size_t *lens,
	       size_t n)
{
	uint64_t until = date_mono_ms() + (uint64_t)a->timeout_ms;
	unsigned long refusals = a->refusals;
	bool sent = false;

	while (date_mono_ms() < until) {
		struct tsock *socks[2] = {a->s, a->mon};
		bool ready[2];
		struct tframes f;
		struct qtable t;

		if (!sent)
			sent = tsock_send(a->s, data, lens, n) == 0;
		if (tsock_poll(socks, 2, ready, 50) <= 0)
			continue;
		if (ready[1])
			read_monitor(a);
		if (a->refusals > refusals) {
			printf("none refused\n");
			goto out;
		}
		if (!ready[0] || tsock_recv(a->s, &f, 1, CODEC_MAX_FRAME) != 0)
			continue;
		if (codec_qtable_decode(f.data[0], f.len[0], &t) != 0) {
			printf("none undecodable\n");
		} else {
			if (t.error[0] != '\0')
				printf("answer error=%s\n", t.error);
			else
				printf("answer rows=%zu role=%s\n", t.n_rows,
				       t.role);
			codec_qtable_clear(&t);
		}
		tframes_clear(&f);
		goto out;
	}
	printf("none timeout\n");
out:
	fflush(stdout);
}

/* Sends one request as a->parts frames, each its encoding. */
static void
ask(struct asker *a, const struct query_req *q)
{
	const void *data[MAX_PARTS];
	size_t lens[MAX_PARTS], len, i;
	uint8_t *buf;

	if (codec_query_req_encode(q, &buf, &len) != 0) {
		printf("none unencodable\n");
		fflush(stdout);
		return;
	}
	for (i = 0; i < a->parts; i++) {
		data[i] = buf;
		lens[i] = len;
	}
	send_and_print(a, data, lens, a->parts);
	free(buf);
}

/* Sends the tab-separated fields of line (escaped), one frame each. */
static void
ask_raw(struct asker *a, char *line)
{
	const void *data[MAX_PARTS];
	size_t lens[MAX_PARTS], n = 0;
	char *field = line;

	while (field != NULL && n < MAX_PARTS) {
		char *tab = strchr(field, '\t');
		if (tab != NULL)
			*tab++ = '\0';
		lens[n] = unescape(field);
		data[n++] = field;
		field = tab;
	}
	send_and_print(a, data, lens, n);
}

int
main(int argc, char **argv)
{
	struct asker a;
	struct secret_key *key = NULL;
	struct public_key server;
	struct transport *t = NULL;
	const char *kpath = NULL, *spub = NULL, *ep = NULL;
	char err[512], line[1024];
	unsigned long flood_count = 0;
	int ch, e, status = 2;

	memset(&a, 0, sizeof(a));
	a.timeout_ms = DEFAULT_TIMEOUT_MS;
	a.parts = 1;
	while ((ch = getopt(argc, argv, "k:s:e:t:F:M:")) != -1) {
		switch (ch) {
		case 'k':
			kpath = optarg;
			break;
		case 's':
			spub = optarg;
			break;
		case 'e':
			ep = optarg;
			break;
		case 't':
			a.timeout_ms = strtol(optarg, NULL, 10);
			break;
		case 'F':
			flood_count = strtoul(optarg, NULL, 10);
			break;
		case 'M':
			a.parts = strtoul(optarg, NULL, 10);
			if (a.parts < 1 || a.parts > MAX_PARTS)
				usage();
			break;
		default:
			usage();
		}
	}
	if (kpath == NULL || spub == NULL || ep == NULL || optind != argc)
		usage();
	if (keys_init() != 0)
		return 2;
	if (keys_load_secret(kpath, &key, err, sizeof(err)) != 0 ||
	    keys_load_public(spub, &server, err, sizeof(err)) != 0) {
		fprintf(stderr, "kuska_asker: %s\n", err);
		goto out;
	}
	/* A flood has a connection of its own (unread_flood): this one,
	 * never used, would be one more the consolidator holds anonymous
	 * (never heard from), and 32 such floods twice its bound from one
	 * address (max_pending_per_address): it closed some, flood
	 * connections with their requests in flight among them. */
	if (flood_count == 0) {
		t = transport_new();
		if (t == NULL)
			goto out;
		a.s = tsock_connect_curve(t, ep, key->curve_pk, key->curve_sk,
					  server.curve_pk, NULL, &a.mon, &e);
		if (a.s == NULL) {
			fprintf(stderr, "kuska_asker: %s: %s\n", ep,
				strerror(-e));
			goto out;
		}
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		struct query_req q;
		char *tab, *extra, *nl = strchr(line, '\n');

		if (nl != NULL)
			*nl = '\0';
		if (strncmp(line, "raw\t", 4) == 0) {
			if (flood_count > 0)
				printf("none bad_request_line\n");
			else
				ask_raw(&a, line + 4);
			fflush(stdout);
			continue;
		}
		tab = strchr(line, '\t');
		if (tab == NULL) {
			printf("none bad_request_line\n");
			fflush(stdout);
			continue;
		}
		*tab = '\0';
		memset(&q, 0, sizeof(q));
		extra = strchr(tab + 1, '\t');
		if (extra != NULL) {
			char *boot;
			*extra++ = '\0';
			q.region = (uint32_t)strtoul(extra, &boot, 10);
			if (*boot == '\t')
				q.boot = (uint32_t)strtoul(boot + 1, NULL, 10);
		}
		unescape(line);
		unescape(tab + 1);
		/* Fields longer than the request's are cut to fit. */
		snprintf(q.table, sizeof(q.table), "%.*s",
			 (int)sizeof(q.table) - 1, line);
		snprintf(q.period, sizeof(q.period), "%.*s",
			 (int)sizeof(q.period) - 1, tab + 1);
		if (flood_count > 0) {
			status = flood(ep, key, &server, &q, flood_count,
				       a.timeout_ms) != 0
				     ? 2
				     : 0;
			goto out;
		}
		ask(&a, &q);
	}
	if (a.mon != NULL)
		read_monitor(&a);
	printf("handshakes %lu disconnects %lu\n", a.handshakes, a.disconnects);
	status = 0;
out:
	tsock_free(&a.s); /* before its monitor, as libzmq's tests */
	tsock_free(&a.mon);
	transport_free(&t);
	keys_free(&key);
	return status;
}
