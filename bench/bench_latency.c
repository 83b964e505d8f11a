/*
 * bench_latency.c - how long a daemon takes to answer status, metrics and
 * queries, measured while something else keeps it busy (bench_e2e.sh runs
 * it during saturated ingest).
 *
 * Usage: bench_latency [-n REQUESTS] [-i INTERVAL_MS] [-q CLIENT.conf]
 *                      [-p PERIOD] ENDPOINT...
 *
 * For each ipc:// ENDPOINT (a consolidator's or node's control socket) it
 * keeps one connection, as a monitoring agent would, and sends REQUESTS
 * status requests and as many metrics requests, one at a time, each
 * after the answer to the last and INTERVAL_MS of pause; with -q, as
 * many identification queries for PERIOD over one CURVE connection with
 * that client's key and consolidator. Each time is from the send to the
 * whole answer received (connecting is not counted). Prints, per
 * endpoint and kind, the median, the 99th percentile and the worst, in
 * ms, and how many requests got no answer within 15 s.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "config.h"
#include "date.h"
#include "keys.h"
#include "settings.h"
#include "transport.h"

#include "util.h"

#define ANSWER_MS 15000

struct series {
	double *ms;
	size_t n, failed;
};

static void
pause_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Waits for one message on s; 0 or -ETIMEDOUT. The frames go. */
static int
await_answer(struct tsock *s, size_t frames)
{
	double deadline = bench_now_ms() + ANSWER_MS;
	struct tframes f;
	bool ready;

	while (bench_now_ms() < deadline) {
		if (tsock_recv(s, &f, frames, CODEC_MAX_FRAME) == 0) {
			tframes_clear(&f);
			return 0;
		}
		(void)tsock_poll(&s, 1, &ready,
				 (long)(deadline - bench_now_ms()));
	}
	return -ETIMEDOUT;
}

/* Sends buf on s (waiting for the connection) and times the answer. */
static void
time_one(struct tsock *s, const uint8_t *buf, size_t len, struct series *out)
{
	const void *data[1] = {buf};
	double t0 = bench_now_ms(), deadline = t0 + ANSWER_MS;
	bool ready;

	while (tsock_send(s, data, &len, 1) == -EAGAIN &&
	       bench_now_ms() < deadline)
		(void)tsock_poll(&s, 1, &ready, 5);
	if (await_answer(s, 2) != 0) {
		out->failed++;
		return;
	}
	out->ms[out->n++] = bench_now_ms() - t0;
}

/* The encoded control request of type type. */
static void
control_request(enum control_type type, uint8_t **buf, size_t *len)
{
	struct control c;

	memset(&c, 0, sizeof(c));
	c.type = type;
	if (codec_control_encode(&c, buf, len) != 0) {
		fprintf(stderr, "bench_latency: cannot encode a request\n");
		exit(1);
	}
}

static void
report(const char *what, const char *where, struct series *s)
{
	if (s->n == 0) {
		printf("%s %s: no answer (%zu failed)\n", what, where,
		       s->failed);
		return;
	}
	qsort(s->ms, s->n, sizeof(*s->ms), bench_cmp_double);
	printf("%s_ms %s: n=%zu p50=%.1f p99=%.1f max=%.1f no_answer=%zu\n",
	       what, where, s->n, s->ms[s->n / 2],
	       s->ms[(s->n * 99 + 99) / 100 - 1], s->ms[s->n - 1], s->failed);
}

/* Status and metrics, n of each, alternating, on one connection. */
static void
bench_control(struct transport *t, const char *endpoint, size_t n,
	      unsigned interval_ms)
{
	struct series st = {0}, me = {0};
	struct tsock *s, *mon = NULL;
	uint8_t *sbuf, *mbuf;
	size_t slen, mlen, i;
	int err;

	s = tsock_connect_local(t, endpoint, &mon, &err);
	if (s == NULL) {
		fprintf(stderr, "bench_latency: %s: %s\n", endpoint,
			strerror(-err));
		exit(1);
	}
	st.ms = calloc(n, sizeof(double));
	me.ms = calloc(n, sizeof(double));
	if (st.ms == NULL || me.ms == NULL)
		exit(1);
	control_request(CTL_STATUS, &sbuf, &slen);
	control_request(CTL_METRICS, &mbuf, &mlen);
	for (i = 0; i < n; i++) {
		time_one(s, sbuf, slen, &st);
		pause_ms(interval_ms);
		time_one(s, mbuf, mlen, &me);
		pause_ms(interval_ms);
	}
	report("status", endpoint, &st);
	report("metrics", endpoint, &me);
	free(sbuf);
	free(mbuf);
	free(st.ms);
	free(me.ms);
	tsock_free(&mon);
	tsock_free(&s);
}

/* n identification queries for period, on one CURVE connection. */
static void
bench_query(struct transport *t, const char *conf, const char *period, size_t n,
	    unsigned interval_ms)
{
	struct client_config cfg;
	struct secret_key *key = NULL;
	struct public_key cons;
	struct query_req q;
	struct series qs = {0};
	struct tsock *s;
	char err[512];
	uint8_t *buf;
	size_t len, i;
	int r;

	if (config_load(conf, &settings_client_schema, &cfg, err,
			sizeof(err)) != 0 ||
	    keys_load_secret(cfg.key, &key, err, sizeof(err)) != 0 ||
	    keys_load_public(cfg.consolidator_key, &cons, err, sizeof(err)) !=
		0) {
		fprintf(stderr, "bench_latency: %s\n", err);
		exit(1);
	}
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "identification");
	snprintf(q.period, sizeof(q.period), "%s", period);
	if (codec_query_req_encode(&q, &buf, &len) != 0)
		exit(1);
	s = tsock_connect_curve(t, cfg.consolidator, key->curve_pk,
				key->curve_sk, cons.curve_pk, NULL, NULL, &r);
	if (s == NULL) {
		fprintf(stderr, "bench_latency: %s: %s\n", cfg.consolidator,
			strerror(-r));
		exit(1);
	}
	qs.ms = calloc(n, sizeof(double));
	if (qs.ms == NULL)
		exit(1);
	for (i = 0; i < n; i++) {
		const void *data[1] = {buf};
		double t0 = bench_now_ms(), deadline = t0 + ANSWER_MS;
		bool ready;

		while (tsock_send(s, data, &len, 1) == -EAGAIN &&
		       bench_now_ms() < deadline)
			(void)tsock_poll(&s, 1, &ready, 5);
		/* The first answer also waits for the handshake. */
		if (await_answer(s, 1) != 0)
			qs.failed++;
		else if (i > 0)
			qs.ms[qs.n++] = bench_now_ms() - t0;
		pause_ms(interval_ms);
	}
	report("query", cfg.consolidator, &qs);
	free(buf);
	free(qs.ms);
	tsock_free(&s);
	keys_free(&key);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_latency [-n REQUESTS] [-i INTERVAL_MS] "
			"[-q CLIENT.conf] [-p PERIOD] ENDPOINT...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct transport *t;
	const char *client = NULL, *period = "2025";
	size_t n = 100;
	unsigned interval_ms = 10;
	int ch, i;

	while ((ch = getopt(argc, argv, "n:i:q:p:h")) != -1) {
		switch (ch) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'i':
			interval_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'q':
			client = optarg;
			break;
		case 'p':
			period = optarg;
			break;
		default:
			usage();
		}
	}
	if (n < 1 || n > 100000 || (optind == argc && client == NULL))
		usage();
	if (keys_init() != 0)
		return 1;
	t = transport_new();
	if (t == NULL)
		return 1;
	for (i = optind; i < argc; i++)
		bench_control(t, argv[i], n, interval_ms);
	if (client != NULL)
		bench_query(t, client, period, n + 1, interval_ms);
	transport_free(&t);
	return 0;
}
