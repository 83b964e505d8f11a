/*
 * ingest_net_int.h - what ingest_net.c (messages judged, jobs waiting,
 * sent and finished), ingest_net_hello.c (hellos judged, diverged
 * outboxes marked and cleared) and ingest_net_answer.c (the writer's
 * answers to the jobs) share: internal to the three.
 */
#ifndef KUSKA_INGEST_NET_INT_H
#define KUSKA_INGEST_NET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "cons.h"
#include "ingest.h"
#include "pipeline.h"

/* A message on its way through the pipeline. */
struct ingest_job {
	struct pipeline_job pj; /* first: the pipeline gives this back */
	struct cons *c;
	struct tframes req; /* the request, its routing id first */
	struct msg m;	    /* decoded from it */
	uint64_t taken_ms;  /* monotonic, when submitted */
	/* Filled on the writer thread. */
	uint8_t *reply; /* encoded; NULL: nothing to send */
	size_t reply_len;
	/* Refused (not REASON_NONE): counted by refusal_count. */
	enum reason refusal;
	uint64_t accepted;     /* a batch's events accepted */
	uint64_t conflict_seq; /* a batch's sequence signed twice, 0 none */
	bool in_step;	       /* a hello's proof held good (run_hello) */
	struct ingest_view view;
	size_t wait_bytes; /* its frame's, while waiting (wait_push) */
	struct ingest_job *wait_next;
};

/* ingest_net.c: refuses req's message at once, for reason (counted). */
void ingest_net_refuse(struct cons *c, const struct tframes *req,
		       uint64_t batch_id, enum reason reason, const char *text);

/*
 * ingest_net_hello.c: a hello, judged on the main thread: refused at once
 * when it names another institution, version or network; otherwise its
 * clock and outbox noted. Returns whether it goes on to the pipeline
 * (welcome).
 */
bool ingest_net_judge_hello(struct cons *c, const struct tframes *req,
			    const struct reg_party *p, const struct msg *m);
/* A batch on req's connection had an event of institution i accepted. */
void ingest_net_diverged_accepted(struct cons *c, enum institution i,
				  const struct tframes *req);
/*
 * A hello on req's connection proved its outbox in step, made at made_ms
 * by the node's clock: clears the mark as an accepted event does, when
 * the proof is fresh and no hello said diverged lately.
 */
void ingest_net_diverged_proved(struct cons *c, enum institution i,
				const struct tframes *req, uint64_t made_ms);
/* A batch of institution i held sequence seq with other bytes than ours:
 * shown as a divergence. */
void ingest_net_set_conflict(struct cons *c, enum institution i, uint64_t seq);

/* ingest_net_answer.c: the writer's part of every job (pipeline_run_fn). */
void ingest_net_run_job(struct pipeline_job *pj);
/*
 * Batches, verified (the pipeline's hints), stored and committed
 * together (pipeline_run_group_fn: jobs of one registry). Writer.
 */
void ingest_net_run_batches(struct pipeline_job **pjs, size_t n);

#endif
