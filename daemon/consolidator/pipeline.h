/*
 * pipeline.h - batches verified on every core, committed in order by one
 * writer thread.
 *
 * The thread that owns the sockets (the owner) submits jobs in the order
 * their messages arrived and takes them back finished, in the order they
 * ran. Each job names its peer (job->peer): one peer's jobs run in the
 * order submitted, and between peers the writer takes turns, so that a
 * peer with many jobs queued (a node catching up on a backlog) delays
 * another's next job by at most the one being run. Meanwhile the
 * signatures of each job's envelopes are checked, a chunk of
 * PIPELINE_CHUNK at a time, the job that runs next first, then the
 * oldest, by every verifying thread; then the writer thread runs the job
 * (job->run, which is told which signatures were found good). The
 * writer verifies too while the job it runs next waits for its chunks,
 * so of `threads` verifying threads one is the writer and the others are
 * helpers. With threads = 1 nothing is checked ahead: the writer runs
 * each job as it comes, and the job verifies its envelopes as it takes
 * them.
 *
 * Jobs that say how to run several at once (job->run_group) are run in
 * groups: when the writer takes such a job, the jobs that would run right
 * after it, in the same order and turns, join it while each has the same
 * run_group and registry and has its signatures all checked, up to half
 * of the jobs queued (the verifying threads keep the other half to check
 * while the writer commits, and a node waiting for Acks to send more
 * gets some early), PIPELINE_GROUP_JOBS jobs and PIPELINE_GROUP_EVENTS
 * envelopes; the writer then calls run_group once for all of them (a
 * batch per job, in one store transaction), and hands them back in that
 * order. So that groups form when every processor is busy, a writer
 * whose next job runs in groups verifies first while chunks of queued
 * jobs are left unclaimed and the jobs ready are fewer than a group
 * takes; it never waits for a chunk another thread is verifying, and a
 * job alone in the queue runs as soon as it is verified.
 *
 * Only the writer runs jobs, so whatever run touches (struct ingest, the
 * statistics, the store's write transaction) is the writer's alone while
 * the pipeline exists; what the owner shows of it (status, metrics)
 * travels back in the jobs. A job passes from thread to thread under the
 * pipeline's lock, which orders every access to it.
 */
#ifndef KUSKA_PIPELINE_H
#define KUSKA_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "codec.h"
#include "registry.h"

#define PIPELINE_CHUNK 64	   /* envelopes verified in one go */
#define PIPELINE_GROUP_JOBS 32	   /* jobs run together at most */
#define PIPELINE_GROUP_EVENTS 8192 /* their envelopes at most */

struct pipeline;
struct pipeline_job;

/* The work of a job, run on the writer thread. */
typedef void (*pipeline_run_fn)(struct pipeline_job *job);

/* The work of jobs[0..n-1] (n >= 1) together, in that order; writer. */
typedef void (*pipeline_run_group_fn)(struct pipeline_job **jobs, size_t n);

struct pipeline_job {
	/* Set by the owner before pipeline_submit. */
	const struct registry *reg;	 /* the registry to verify with */
	const struct reg_party *speaker; /* whose envelopes they must be */
	unsigned peer; /* jobs of one peer run in order; peers take turns */
	const struct msg *batch; /* envelopes to verify ahead; NULL: none */
	pipeline_run_fn run;
	pipeline_run_group_fn run_group; /* NULL: run alone, with run */
	/*
	 * For run: whether envelope i of batch was found to be speaker's
	 * and signed by one of its keys in reg (ingest_signature_ok); NULL
	 * when nothing was checked ahead. A hint, as ingest_batch says.
	 */
	const bool *verified;
	/*
	 * For run: NULL, or for each envelope found good ahead, the envelope
	 * decoded (ingest_item's decoded): run may take them over; the
	 * pipeline clears what is left when it hands the job back.
	 */
	struct envelope *decoded;
	/* The pipeline's own. */
	bool *ok;
	struct envelope *envs;
	size_t n_chunks, next_chunk, chunks_done;
	bool ran;
	struct pipeline_job *next;
};

/*
 * pipeline_new - starts the writer and threads - 1 helpers (threads is
 * 1..PARALLEL_MAX_THREADS). Returns 0 and *ret, or -errno (no thread was
 * left running).
 */
int pipeline_new(unsigned threads, struct pipeline **ret)
    __attribute__((warn_unused_result));

/*
 * pipeline_free - stops the threads once the job being run (if any) is
 * finished, then hands every job not yet taken back to discard, in
 * order, with job->ran telling whether it was run; accepts NULL and
 * clears the pointer.
 */
void pipeline_free(struct pipeline **p,
		   void (*discard)(struct pipeline_job *job, void *arg),
		   void *arg);

/*
 * pipeline_submit - queues job (owner thread only). The job is the
 * pipeline's until pipeline_done gives it back; what it points to must
 * stay valid and unchanged until then.
 */
void pipeline_submit(struct pipeline *p, struct pipeline_job *job);

/*
 * pipeline_done - the first job the writer ran of those not taken back
 * yet (owner thread only), or NULL when none is finished.
 */
struct pipeline_job *pipeline_done(struct pipeline *p);

/* pipeline_pending - jobs submitted and not yet taken back. */
size_t pipeline_pending(const struct pipeline *p);

/*
 * pipeline_fd - a descriptor that polls readable when a finished job
 * waits for pipeline_done (which clears it).
 */
int pipeline_fd(const struct pipeline *p);

#endif
