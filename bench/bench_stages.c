/*
 * bench_stages.c - what the node's index of case stages costs where a
 * whole pass is made: the index built again from the envelopes (at start
 * after an upgrade, and while running after the consolidator refuses a
 * correction or withdrawal: outbox_stages_again, which holds the node's
 * one loop), and an Ack carrying such a refusal, after which the next
 * submission builds it.
 *
 * Usage: bench_stages [-n RECORDS] [-m MAP_MB] [-r RUNS] DIR
 *
 * DIR, empty or missing, gets a new outbox; RECORDS case stages (default
 * 300000: three stages of RECORDS / 3 cases, every tenth sent twice) are
 * appended through the outbox API, unsigned (the build reads the events,
 * not the signatures), then one correction. Timed, RUNS times (default
 * 3): outbox_stages_build alone; then outbox_record_ack refusing the
 * correction, and the next outbox_begin (a submission's), which builds the
 * index again then. Prints the median and the worst, in ms.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "date.h"
#include "outbox.h"

#include "util.h"

#define GROUP 1000 /* envelopes appended in one transaction */

/* Envelope i's bytes: a case stage of case i / 3 (every tenth a
 * repeat of the one before), or with target a correction of it. */
static uint8_t *
envelope(uint64_t seq, uint64_t i, uint64_t target, size_t *ret_len)
{
	struct event ev;
	struct envelope env;
	uint8_t *evb = NULL, *out = NULL;
	uint64_t c = i / 3;
	int r;

	memset(&ev, 0, sizeof(ev));
	memcpy(ev.id, &seq, sizeof(seq));
	ev.kind = target != 0 ? KIND_CORRECTION : KIND_CASE_STAGE;
	ev.target_seq = target;
	ev.key_epoch = 1;
	ev.rec.kind = KIND_CASE_STAGE;
	ev.rec.date = date_from_ymd(2026, 1, 1) + (int32_t)(i % 300);
	ev.rec.region = 15;
	memcpy(ev.rec.case_id, &c, sizeof(c));
	ev.rec.case_id[31] = 0x5a;
	ev.rec.stage = (enum stage)(STAGE_COMPLAINT + i % 3);
	if (i % 10 == 9 && i > 0)
		ev.rec.stage = (enum stage)(STAGE_COMPLAINT + (i - 1) % 3);
	ev.rec.persons = 1;
	snprintf(ev.rec.article, sizeof(ev.rec.article), "153-B");
	memset(&env, 0, sizeof(env));
	r = codec_event_encode(&ev, &evb, &env.event_len);
	if (r != 0)
		bench_die("codec_event_encode", r);
	env.version = CODEC_VERSION;
	env.inst = INST_MP;
	env.seq = seq;
	env.created_ms = date_now_ms();
	env.event = evb;
	r = codec_envelope_encode(&env, &out, ret_len);
	free(evb);
	if (r != 0)
		bench_die("codec_envelope_encode", r);
	return out;
}

/* Appends n case stages, then a correction of the first: its seq. */
static uint64_t
fill(struct outbox *ob, uint64_t n)
{
	uint64_t done = 0, first = 0, seq = 0;

	while (done <= n) {
		struct outbox_txn *t;
		size_t i, len;
		int r;

		r = outbox_begin(ob, &t);
		if (r != 0)
			bench_die("outbox_begin", r);
		for (i = 0; i < GROUP && done <= n; i++, done++) {
			char ref[32];
			uint8_t *env;

			seq = outbox_next_seq(t);
			if (first == 0)
				first = seq;
			env = envelope(seq, done, done == n ? first : 0, &len);
			snprintf(ref, sizeof(ref), "S-%llu",
				 (unsigned long long)seq);
			r = outbox_append(t, seq, date_now_ms(), env, len, ref);
			free(env);
			if (r != 0)
				bench_die("outbox_append", r);
		}
		r = outbox_commit(&t);
		if (r != 0)
			bench_die("outbox_commit", r);
	}
	return seq;
}

static void
report(const char *what, double *ms, int runs)
{
	qsort(ms, (size_t)runs, sizeof(ms[0]), bench_cmp_double);
	printf("%-34s median %9.1f ms  worst %9.1f ms\n", what, ms[runs / 2],
	       ms[runs - 1]);
}

int
main(int argc, char **argv)
{
	struct outbox *ob = NULL;
	struct outbox_txn *t;
	unsigned long long n = 300000, map_mb = 4096;
	struct rejection rej;
	double *ms, t0;
	uint64_t corr;
	int ch, i, runs = 3, r = 0;

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
			fprintf(stderr, "usage: bench_stages [-n RECORDS] "
					"[-m MAP_MB] [-r RUNS] DIR\n");
			return ch == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1 || runs < 1 || n < 1) {
		fprintf(stderr, "usage: bench_stages [-n RECORDS] [-m MAP_MB] "
				"[-r RUNS] DIR\n");
		return 2;
	}
	if (mkdir(argv[optind], 0700) != 0 && errno != EEXIST)
		bench_die(argv[optind], -errno);
	r = outbox_open(argv[optind], (size_t)map_mb << 20, &ob);
	if (r != 0)
		bench_die("outbox_open", r);
	t0 = bench_now_ms();
	corr = fill(ob, n);
	printf("appended %llu case stages and a correction in %.0f ms\n", n,
	       bench_now_ms() - t0);
	ms = calloc((size_t)runs * 3, sizeof(*ms));
	if (ms == NULL)
		bench_die("calloc", -ENOMEM);
	for (i = 0; i < runs; i++) {
		t0 = bench_now_ms();
		r = outbox_stages_build(ob);
		ms[i] = bench_now_ms() - t0;
		if (r < 0)
			bench_die("outbox_stages_build", r);
	}
	printf("entries: %d\n", r);
	report("outbox_stages_build", ms, runs);
	memset(&rej, 0, sizeof(rej));
	rej.reason = REASON_KIND_NOT_ALLOWED;
	snprintf(rej.text, sizeof(rej.text), "not allowed");
	for (i = 0; i < runs; i++) {
		rej.seq = corr;
		t0 = bench_now_ms();
		r = outbox_record_ack(ob, corr, false, date_now_ms(), &rej, 1);
		ms[runs + i] = bench_now_ms() - t0;
		if (r != 0)
			bench_die("outbox_record_ack", r);
		t0 = bench_now_ms();
		r = outbox_begin(ob, &t);
		ms[2 * runs + i] = bench_now_ms() - t0;
		if (r != 0)
			bench_die("outbox_begin", r);
		outbox_abort(&t);
		/* Taken after all, to be refused again. */
		if (i + 1 < runs &&
		    (r = outbox_revive(ob, corr, corr, NULL, 0)) < 0)
			bench_die("outbox_revive", r);
	}
	report("outbox_record_ack (a dead corr.)", ms + runs, runs);
	report("the next outbox_begin (builds)", ms + 2 * runs, runs);
	free(ms);
	outbox_close(&ob);
	return 0;
}
