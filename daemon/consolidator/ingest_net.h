/*
 * ingest_net.h - the consolidator's ingest socket: the messages a node
 * sends (hello, batch, recover) and the answers or refusals it gets.
 * What a batch does to the store is ingest.h's business; the order in
 * which messages reach the store is the pipeline's (pipeline.h).
 */
#ifndef KUSKA_INGEST_NET_H
#define KUSKA_INGEST_NET_H

#include "cons.h"

struct pipeline_job;

/* Jobs (batches mostly) in the pipeline at most: past them a node's
 * messages are still read, and wait: an institution's in the order they
 * came, the institutions in turn. */
#define INGEST_JOBS_MAX 24
/*
 * An institution's messages waiting at most, and their frames' bytes:
 * what its node may have unanswered, its window of 64 batches of up to
 * 4 MiB (daemon/node/deliver.h) and the hellos and refusal asks it adds
 * while a commit stalls (an ack time-out says hello again). Past them
 * each is refused at once as busy (REASON_STORE_ERROR, retried), so that
 * the socket is read whatever the writer does: libzmq 4.3.4 aborts on
 * the end of a connection it stopped reading at ZMQ_RCVHWM
 * (docs/SECURITY.md).
 */
#define INGEST_WAIT_MAX 80
#define INGEST_WAIT_MAX_BYTES ((64u * 4 + 8) << 20)

/*
 * handle_ingest - takes one request req read from the ingest socket (main
 * thread). A refusal with a reason (counted in frames_refused, or in
 * store_refused when it is for our own store) goes out
 * at once; a hello, batch or recovery request becomes a pipeline job,
 * which takes req's frames (req is left cleared) and is answered when it
 * comes back (ingest_finish).
 */
void handle_ingest(struct cons *c, struct tframes *req);

/*
 * ingest_refuse_large - a message of the ingest socket over its limits,
 * which tsock_recv dropped (req: its routing id alone): refused
 * too_large, once its key is judged as handle_ingest judges it, so that
 * a node learns why rather than waiting for an answer. Counted in
 * frames_refused; the caller clears req.
 */
void ingest_refuse_large(struct cons *c, const struct tframes *req);

/*
 * ingest_finish - a job pipeline_done gave back, or pipeline_free
 * discarded (main thread): sends its answer if it was run, takes its view
 * of the intake and counters, and frees it.
 */
void ingest_finish(struct cons *c, struct pipeline_job *job);

/*
 * ingest_submit_waiting - hands the messages waiting to the pipeline, one
 * institution's after another's in turn, each institution's in the order
 * they came, while it holds fewer than INGEST_JOBS_MAX jobs
 * (main thread; after the jobs finished are taken back).
 */
void ingest_submit_waiting(struct cons *c);

/*
 * ingest_drop_waiting - frees the messages still waiting, unanswered (at
 * a stop: their nodes send them again).
 */
void ingest_drop_waiting(struct cons *c);

/*
 * diverged_tick - on the main loop's timer: where hellos changed an
 * institution's diverged state faster than its log budget let them say
 * so, states the current one once the budget allows, counting the
 * changes held back (unlogged=N), so the journal's last word is the
 * state kuska status shows.
 */
void diverged_tick(struct cons *c);

#endif
