/*
 * bench_deadscan.c - fills a node's outbox with dead letters, as a
 * consolidator refusing everything (a node signing for a mistyped
 * network) would leave them, and times what kuska status and a metrics
 * scrape read of them. bench_deadscan.sh runs it between two starts of
 * a real node.
 *
 * Usage: bench_deadscan [-n LETTERS] [-m MAP_MB] [-r RUNS] DIR
 *
 * DIR is a node's data_dir (the node stopped), holding at least one
 * envelope: LETTERS more envelopes, copies of its last one under refs of
 * their own, are appended through the outbox API, then acknowledged in
 * Acks of CODEC_MAX_REJECTIONS refusals each (outbox_record_ack, as the
 * node records an Ack), every one refused as wrong_network. Then it times
 * RUNS (default 5) calls of outbox_state, outbox_dead_by_reason and
 * outbox_dead_list (20 letters, kuska status's default) on the warm
 * outbox and prints the median and the worst, in ms (and the time
 * outbox_open took, before LETTERS were added).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "date.h"
#include "outbox.h"

#include "util.h"

#define GROUP 1000 /* envelopes appended in one transaction */

/* The last envelope of ob: its bytes (malloc'd) and its sequence. */
static uint8_t *
last_envelope(struct outbox *ob, size_t *ret_len, uint64_t *ret_seq)
{
	struct outbox_state st;
	uint8_t *env = NULL;
	char ref[256];
	int r;

	r = outbox_state(ob, &st);
	if (r != 0)
		bench_die("outbox_state", r);
	if (st.next_seq < 2) {
		fprintf(stderr, "bench_deadscan: the outbox holds no envelope: "
				"submit a record first\n");
		exit(1);
	}
	*ret_seq = st.next_seq - 1;
	r = outbox_get(ob, *ret_seq, &env, ret_len, ref, sizeof(ref));
	if (r != 0)
		bench_die("outbox_get", r);
	return env;
}

/* Appends n copies of env after the outbox's last sequence. */
static void
append(struct outbox *ob, const uint8_t *env, size_t len, size_t n)
{
	size_t done = 0;

	while (done < n) {
		struct outbox_txn *t;
		size_t i;
		int r;

		r = outbox_begin(ob, &t);
		if (r != 0)
			bench_die("outbox_begin", r);
		for (i = 0; i < GROUP && done < n; i++, done++) {
			uint64_t seq = outbox_next_seq(t);
			char ref[32];

			snprintf(ref, sizeof(ref), "DEAD-%llu",
				 (unsigned long long)seq);
			r = outbox_append(t, seq, date_now_ms(), env, len, ref);
			if (r != 0)
				bench_die("outbox_append", r);
		}
		r = outbox_commit(&t);
		if (r != 0)
			bench_die("outbox_commit", r);
	}
}

/* Acks first..last, every envelope refused, CODEC_MAX_REJECTIONS an Ack. */
static void
refuse(struct outbox *ob, uint64_t first, uint64_t last)
{
	struct rejection *rej = calloc(CODEC_MAX_REJECTIONS, sizeof(*rej));
	uint64_t seq = first;

	if (rej == NULL)
		bench_die("calloc", -ENOMEM);
	while (seq <= last) {
		size_t n = 0;
		int r;

		for (; n < CODEC_MAX_REJECTIONS && seq <= last; n++, seq++) {
			rej[n].seq = seq;
			rej[n].reason = REASON_WRONG_NETWORK;
			snprintf(rej[n].text, sizeof(rej[n].text),
				 "signed for network kuska-demo; this is "
				 "network kuska-prod");
		}
		r = outbox_record_ack(ob, seq - 1, false, date_now_ms(), rej,
				      n);
		if (r != 0)
			bench_die("outbox_record_ack", r);
	}
	free(rej);
}

static void
report(const char *what, double *ms, int runs)
{
	qsort(ms, (size_t)runs, sizeof(ms[0]), bench_cmp_double);
	printf("%-22s median %9.3f ms  worst %9.3f ms\n", what, ms[runs / 2],
	       ms[runs - 1]);
}

/* Times runs calls of what status and a metrics scrape read. */
static void
time_reads(struct outbox *ob, int runs)
{
	double *ms = calloc((size_t)runs * 3, sizeof(*ms));
	struct dead_letter *dl = calloc(20, sizeof(*dl));
	uint64_t counts[REASON_COUNT], newest = 0;
	struct outbox_state st;
	int i, r;

	if (ms == NULL || dl == NULL)
		bench_die("calloc", -ENOMEM);
	for (i = 0; i < runs; i++) {
		double t0 = bench_now_ms(), t1, t2, t3;

		r = outbox_state(ob, &st);
		t1 = bench_now_ms();
		if (r == 0)
			r = outbox_dead_by_reason(ob, counts, &newest);
		t2 = bench_now_ms();
		if (r == 0)
			r = outbox_dead_list(ob, dl, 20) < 0 ? -EIO : 0;
		t3 = bench_now_ms();
		if (r != 0)
			bench_die("reading the outbox", r);
		ms[i] = t1 - t0;
		ms[runs + i] = t2 - t1;
		ms[2 * runs + i] = t3 - t2;
	}
	printf("dead letters held: %llu (wrong_network %llu)\n",
	       (unsigned long long)st.dead_total,
	       (unsigned long long)counts[REASON_WRONG_NETWORK]);
	report("outbox_state", ms, runs);
	report("outbox_dead_by_reason", ms + runs, runs);
	report("outbox_dead_list(20)", ms + 2 * runs, runs);
	free(ms);
	free(dl);
}

int
main(int argc, char **argv)
{
	struct outbox *ob = NULL;
	unsigned long long n = 1000, map_mb = 4096;
	uint64_t last;
	uint8_t *env;
	size_t len;
	double t0;
	int ch, runs = 5, r;

	while ((ch = getopt(argc, argv, "n:m:r:h")) != -1) {
		switch (ch) {
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		case 'm':
			map_mb = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_deadscan [-n LETTERS] "
					"[-m MAP_MB] [-r RUNS] DIR\n");
			return 2;
		}
	}
	if (optind + 1 != argc || runs < 1)
		return 2;
	t0 = bench_now_ms();
	r = outbox_open(argv[optind], (size_t)map_mb << 20, &ob);
	if (r != 0)
		bench_die(argv[optind], r);
	printf("outbox opened in %.1f ms\n", bench_now_ms() - t0);
	env = last_envelope(ob, &len, &last);
	if (n > 0) {
		t0 = bench_now_ms();
		append(ob, env, len, (size_t)n);
		refuse(ob, last + 1, last + n);
		printf("made %llu dead letters (envelopes of %zu bytes) in "
		       "%.1f s\n",
		       n, len, (bench_now_ms() - t0) / 1000.0);
	}
	free(env);
	time_reads(ob, runs);
	outbox_close(&ob);
	return 0;
}
