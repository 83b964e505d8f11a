/* pipeline.c - verify on every core, commit in order; see pipeline.h. */
#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon.h"
#include "ingest.h"
#include "parallel.h"

/*
 * The pipeline's threads run this much nicer than the owner's: when every
 * processor is busy verifying and committing, the owner still gets one at
 * once to answer status and queries.
 */
#define PIPELINE_NICE 5

/* Makes the calling thread PIPELINE_NICE nicer (Linux: per thread). */
static void
be_nicer(void)
{
	int cur;

	errno = 0;
	cur = getpriority(PRIO_PROCESS, (id_t)gettid());
	if (cur == -1 && errno != 0)
		return;
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), cur + PIPELINE_NICE);
}

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t helpers_cv; /* a chunk to verify, or stop */
	pthread_cond_t writer_cv;  /* a job, a chunk verified, or stop */
	/* Submitted, not yet run, in the order submitted. */
	struct pipeline_job *head, *tail;
	unsigned last_peer; /* of the job run last: the turn passes on */
	/* Run, not yet taken back, in order. */
	struct pipeline_job *done_head, *done_tail;
	bool stop;
	size_t pending; /* the owner's count: submitted, not taken back */
	int efd;	/* an eventfd: finished jobs wait */
	pthread_t writer;
	pthread_t helpers[PARALLEL_MAX_THREADS];
	unsigned n_helpers;
};

/* Whether a job older than j is of j's peer; under mu. */
static bool
waits_for_older(const struct pipeline *p, const struct pipeline_job *j)
{
	const struct pipeline_job *o;

	for (o = p->head; o != j; o = o->next)
		if (o->peer == j->peer)
			return true;
	return false;
}

/*
 * The job the writer runs next, NULL when none is queued; under mu. Of
 * each peer only its oldest job may run; of those, the one whose peer
 * comes first after the last job's in the (wrapping) order of peer
 * numbers, so every peer with work gets a turn.
 */
static struct pipeline_job *
next_job(const struct pipeline *p)
{
	struct pipeline_job *j, *best = NULL;
	unsigned d, best_d = 0;

	for (j = p->head; j != NULL; j = j->next) {
		if (waits_for_older(p, j))
			continue;
		/* Unsigned: wraps, so the last job's peer itself comes last. */
		d = j->peer - p->last_peer - 1;
		if (best == NULL || d < best_d) {
			best = j;
			best_d = d;
		}
	}
	return best;
}

/*
 * A chunk nobody took, and its job: the next job's first, else the
 * oldest job's; NULL when every chunk is taken; under mu.
 */
static struct pipeline_job *
claim_chunk(struct pipeline *p, size_t *ret_chunk)
{
	struct pipeline_job *j = next_job(p);

	if (j == NULL || j->next_chunk == j->n_chunks)
		for (j = p->head; j != NULL; j = j->next)
			if (j->next_chunk < j->n_chunks)
				break;
	if (j == NULL)
		return NULL;
	*ret_chunk = j->next_chunk++;
	return j;
}

/* Takes j off the queue of jobs not yet run; under mu. */
static void
unlink_job(struct pipeline *p, struct pipeline_job *j)
{
	struct pipeline_job **at = &p->head, *prev = NULL;

	while (*at != j) {
		prev = *at;
		at = &prev->next;
	}
	*at = j->next;
	if (p->tail == j)
		p->tail = prev;
	j->next = NULL;
}

/*
 * Verifies chunk c of j, without the lock (held on entry and again on
 * return). Nobody else touches those entries of j->ok; the job cannot
 * run before the chunk is counted done.
 */
static void
verify_chunk(struct pipeline *p, struct pipeline_job *j, size_t c)
{
	const struct msg *b = j->batch;
	size_t i, from = c * PIPELINE_CHUNK, to = from + PIPELINE_CHUNK;

	if (to > b->n_envelopes)
		to = b->n_envelopes;
	pthread_mutex_unlock(&p->mu);
	for (i = from; i < to; i++)
		j->ok[i] = ingest_signature_ok(
		    j->reg, j->speaker, b->envelopes[i], b->envelope_lens[i],
		    j->envs != NULL ? &j->envs[i] : NULL);
	pthread_mutex_lock(&p->mu);
	if (++j->chunks_done == j->n_chunks)
		pthread_cond_signal(&p->writer_cv);
}

static void *
helper_main(void *arg)
{
	struct pipeline *p = arg;
	struct pipeline_job *j;
	size_t c;

	be_nicer();
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		j = claim_chunk(p, &c);
		if (j != NULL)
			verify_chunk(p, j, c);
		else
			pthread_cond_wait(&p->helpers_cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Envelopes of j. */
static size_t
envelopes_of(const struct pipeline_job *j)
{
	return j->batch != NULL ? j->batch->n_envelopes : 0;
}

/* Jobs queued, not yet run; under mu. */
static size_t
queued(const struct pipeline *p)
{
	const struct pipeline_job *o;
	size_t n = 0;

	for (o = p->head; o != NULL; o = o->next)
		n++;
	return n;
}

/*
 * The most jobs a group takes of the `in_queue` queued: half of them, so
 * that the verifying threads have the other half to check while the
 * writer commits, and a node that waits for Acks to send more (its
 * window) gets some early (at least one; at most PIPELINE_GROUP_JOBS).
 */
static size_t
group_cap(size_t in_queue)
{
	size_t cap = in_queue / 2;

	if (cap < 1)
		cap = 1;
	return cap < PIPELINE_GROUP_JOBS ? cap : PIPELINE_GROUP_JOBS;
}

/*
 * Takes j off the queue and, if it runs in groups, the jobs that join it
 * (pipeline.h), into jobs; returns how many. Under mu.
 */
static size_t
take_group(struct pipeline *p, struct pipeline_job *j,
	   struct pipeline_job *jobs[PIPELINE_GROUP_JOBS])
{
	size_t n = 0, events = 0, cap = group_cap(queued(p));

	for (;;) {
		unlink_job(p, j);
		p->last_peer = j->peer;
		jobs[n++] = j;
		events += envelopes_of(j);
		if (jobs[0]->run_group == NULL || n == cap)
			return n;
		j = next_job(p);
		if (j == NULL || j->run_group != jobs[0]->run_group ||
		    j->reg != jobs[0]->reg || j->chunks_done != j->n_chunks ||
		    events + envelopes_of(j) > PIPELINE_GROUP_EVENTS)
			return n;
	}
}

/*
 * Runs j (the next job, all its chunks verified) and the jobs that join
 * it, then queues them for the owner; under mu.
 */
static void
run_job(struct pipeline *p, struct pipeline_job *j)
{
	struct pipeline_job *jobs[PIPELINE_GROUP_JOBS];
	uint64_t one = 1;
	size_t i, n = take_group(p, j, jobs);

	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < n; i++) {
		jobs[i]->verified = jobs[i]->n_chunks > 0 ? jobs[i]->ok : NULL;
		jobs[i]->decoded = jobs[i]->n_chunks > 0 ? jobs[i]->envs : NULL;
	}
	if (jobs[0]->run_group != NULL)
		jobs[0]->run_group(jobs, n);
	else
		j->run(j);
	pthread_mutex_lock(&p->mu);
	for (i = 0; i < n; i++) {
		jobs[i]->ran = true;
		if (p->done_tail != NULL)
			p->done_tail->next = jobs[i];
		else
			p->done_head = jobs[i];
		p->done_tail = jobs[i];
	}
	/* Cannot fail short of a counter at 2^64 - 2. */
	(void)!write(p->efd, &one, sizeof(one));
}

/*
 * Whether the writer, whose next job j runs in groups and is ready,
 * should rather verify first: while chunks are left to claim and the
 * jobs ready are fewer than a group takes (group_cap) and hold fewer
 * than PIPELINE_GROUP_EVENTS envelopes, verifying them first makes one
 * commit of what would be several. Under mu.
 */
static bool
group_grows(const struct pipeline *p, const struct pipeline_job *j)
{
	const struct pipeline_job *o;
	size_t ready = 0, ready_jobs = 0, n = 0;
	bool unclaimed = false;

	if (j->run_group == NULL)
		return false;
	for (o = p->head; o != NULL; o = o->next) {
		n++;
		if (o->chunks_done == o->n_chunks) {
			ready += envelopes_of(o);
			ready_jobs++;
		} else if (o->next_chunk < o->n_chunks) {
			unclaimed = true;
		}
	}
	return unclaimed && ready_jobs < group_cap(n) &&
	       ready < PIPELINE_GROUP_EVENTS;
}

static void *
writer_main(void *arg)
{
	struct pipeline *p = arg;
	struct pipeline_job *j, *k;
	size_t c;

	be_nicer();
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		j = next_job(p);
		if (j != NULL && j->chunks_done == j->n_chunks &&
		    !group_grows(p, j)) {
			run_job(p, j);
			continue;
		}
		/* While the next job waits for its chunks, or more jobs could
		 * join it, verify. */
		k = claim_chunk(p, &c);
		if (k != NULL)
			verify_chunk(p, k, c);
		else if (j != NULL && j->chunks_done == j->n_chunks)
			run_job(p, j);
		else
			pthread_cond_wait(&p->writer_cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Stops and joins the writer (if started) and the first n helpers. */
static void
stop_threads(struct pipeline *p, bool writer, unsigned n)
{
	unsigned i;

	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->helpers_cv);
	pthread_cond_broadcast(&p->writer_cv);
	pthread_mutex_unlock(&p->mu);
	if (writer)
		pthread_join(p->writer, NULL);
	for (i = 0; i < n; i++)
		pthread_join(p->helpers[i], NULL);
}

static void
destroy(struct pipeline *p)
{
	if (p->efd >= 0)
		close(p->efd);
	pthread_cond_destroy(&p->writer_cv);
	pthread_cond_destroy(&p->helpers_cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int
pipeline_new(unsigned threads, struct pipeline **ret)
{
	struct pipeline *p;
	sigset_t all, old;
	unsigned i;
	int r;

	if (threads < 1 || threads > PARALLEL_MAX_THREADS)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->helpers_cv, NULL);
	pthread_cond_init(&p->writer_cv, NULL);
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->efd < 0) {
		r = -errno;
		destroy(p);
		return r;
	}
	/* Signals go to the owner, whose poll they must wake: the threads
	 * start with every signal blocked. */
	daemon_thread_signals(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&p->writer, NULL, writer_main, p);
	for (i = 0; r == 0 && i + 1 < threads; i++) {
		r = pthread_create(&p->helpers[i], NULL, helper_main, p);
		if (r != 0)
			stop_threads(p, true, i);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		destroy(p);
		return -r;
	}
	p->n_helpers = threads - 1;
	*ret = p;
	return 0;
}

/* Frees what was verified and decoded ahead of j. */
static void
free_hints(struct pipeline_job *j)
{
	size_t i;

	/* Those the writer took over are cleared already. */
	for (i = 0; j->envs != NULL && i < j->batch->n_envelopes; i++)
		if (j->envs[i].event != NULL)
			codec_envelope_clear(&j->envs[i]);
	free(j->envs);
	free(j->ok);
	j->envs = NULL;
	j->ok = NULL;
	j->verified = NULL;
	j->decoded = NULL;
}

/* Hands each job of the list from j on to discard. */
static void
discard_list(struct pipeline_job *j,
	     void (*discard)(struct pipeline_job *job, void *arg), void *arg)
{
	struct pipeline_job *next;

	for (; j != NULL; j = next) {
		next = j->next;
		free_hints(j);
		j->next = NULL;
		if (discard != NULL)
			discard(j, arg);
	}
}

void
pipeline_free(struct pipeline **pp,
	      void (*discard)(struct pipeline_job *job, void *arg), void *arg)
{
	struct pipeline *p;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	stop_threads(p, true, p->n_helpers);
	discard_list(p->done_head, discard, arg);
	discard_list(p->head, discard, arg);
	destroy(p);
	*pp = NULL;
}

void
pipeline_submit(struct pipeline *p, struct pipeline_job *job)
{
	size_t n = job->batch != NULL ? job->batch->n_envelopes : 0;

	job->verified = NULL;
	job->decoded = NULL;
	job->ok = NULL;
	job->envs = NULL;
	job->n_chunks = job->next_chunk = job->chunks_done = 0;
	job->ran = false;
	job->next = NULL;
	/* No memory for the hints: the job verifies as it runs. */
	if (p->n_helpers > 0 && n > 0 &&
	    (job->ok = calloc(n, sizeof(*job->ok))) != NULL) {
		job->n_chunks = (n + PIPELINE_CHUNK - 1) / PIPELINE_CHUNK;
		/* Without memory for them, the writer decodes again. */
		job->envs = calloc(n, sizeof(*job->envs));
	}
	pthread_mutex_lock(&p->mu);
	if (p->tail != NULL)
		p->tail->next = job;
	else
		p->head = job;
	p->tail = job;
	if (job->n_chunks > 0)
		pthread_cond_broadcast(&p->helpers_cv);
	pthread_cond_signal(&p->writer_cv);
	pthread_mutex_unlock(&p->mu);
	p->pending++;
}

struct pipeline_job *
pipeline_done(struct pipeline *p)
{
	struct pipeline_job *j;
	uint64_t count;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		pthread_mutex_lock(&p->mu);
		j = p->done_head;
		if (j != NULL) {
			p->done_head = j->next;
			if (p->done_head == NULL)
				p->done_tail = NULL;
		}
		pthread_mutex_unlock(&p->mu);
		if (j != NULL) {
			j->next = NULL;
			free_hints(j);
			p->pending--;
			return j;
		}
		/* Cleared before the second look: a job finished after it
		 * makes the descriptor readable again. */
		if (pass == 0)
			(void)!read(p->efd, &count, sizeof(count));
	}
	return NULL;
}

size_t
pipeline_pending(const struct pipeline *p)
{
	return p->pending;
}

int
pipeline_fd(const struct pipeline *p)
{
	return p->efd;
}
