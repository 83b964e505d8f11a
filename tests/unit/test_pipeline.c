/*
 * test_pipeline.c - the consolidator's ingest pipeline: jobs run one at a
 * time in the order they were submitted and come back in that order,
 * whatever the number of threads; the signatures checked ahead say which
 * envelopes are good (a forged signature, another institution's key or
 * undecodable bytes are not); with one thread nothing is checked ahead;
 * a pipeline freed while busy hands every job back exactly once, those
 * it ran first; jobs of several peers run in turns, each peer's in order;
 * jobs that run in groups keep that order and those turns, a group
 * takes at most half of the jobs queued and never takes in a job that
 * runs alone or was judged by another registry.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec.h"
#include "keys.h"
#include "pipeline.h"
#include "registry.h"
#include "registry_fixture.h"
#include "sign.h"

#define JOBS 40
#define MAX_ENVS 150

struct fixture {
	char dir[64];
	struct secret_key *pnp, *mp;
	struct registry *reg;
	const struct reg_party *speaker;
};

struct tjob {
	struct pipeline_job pj; /* first */
	int index;
	struct msg m;
	const uint8_t *envs[MAX_ENVS];
	size_t lens[MAX_ENVS];
	uint8_t *bufs[MAX_ENVS];
	bool good[MAX_ENVS]; /* what a check must find */
	/* Written by run, on the writer thread. */
	bool had_hints;
	bool hint[MAX_ENVS];
	int ran_as; /* position among the jobs run */
	unsigned slow_us;
};

static int runs; /* jobs run so far: the writer's alone */

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL || keys_init() != 0)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kuska-pipeline-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	if (keys_generate("pnp", &fx->pnp) != 0 ||
	    keys_generate("mp", &fx->mp) != 0)
		return -1;
	{
		const struct fixture_party parties[] = {
		    {"pnp", "identification", fx->pnp},
		    {"mp", "identification", fx->mp},
		};
		if (fixture_registry(fx->dir, parties, 2, &fx->reg) != 0)
			return -1;
	}
	fx->speaker = registry_institution(fx->reg, INST_PNP);
	*state = fx;
	return fx->speaker != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	fixture_registry_remove(fx->dir);
	registry_free(&fx->reg);
	keys_free(&fx->pnp);
	keys_free(&fx->mp);
	free(fx);
	return 0;
}

/*
 * Envelope seq signed by key (claiming institution inst), its signature
 * spoiled when forge is set.
 */
static uint8_t *
envelope(const struct secret_key *key, enum institution inst, uint64_t seq,
	 bool forge, size_t *ret_len)
{
	uint8_t event[40], *buf = NULL;
	struct envelope env;
	struct sign_fields f;

	memset(event, (int)seq, sizeof(event));
	memset(&env, 0, sizeof(env));
	env.version = CODEC_VERSION;
	env.inst = inst;
	env.seq = seq;
	memcpy(env.key_id, key->key_id, KEY_ID_LEN);
	env.created_ms = 1700000000000ull + seq;
	env.event = event;
	env.event_len = sizeof(event);
	snprintf(env.network, sizeof(env.network), "test-net");
	f.network = env.network;
	f.version = env.version;
	f.institution = (uint8_t)inst;
	f.seq = seq;
	f.created_ms = env.created_ms;
	memcpy(f.key_id, env.key_id, KEY_ID_LEN);
	f.event = event;
	f.event_len = sizeof(event);
	assert_int_equal(sign_envelope(key->sign_sk, &f, env.signature), 0);
	if (forge)
		env.signature[7] ^= 0x20;
	assert_int_equal(codec_envelope_encode(&env, &buf, ret_len), 0);
	return buf;
}

static void
run_record(struct pipeline_job *pj)
{
	struct tjob *j = (struct tjob *)pj;
	size_t i;

	j->had_hints = pj->verified != NULL;
	for (i = 0; pj->verified != NULL && i < j->m.n_envelopes; i++)
		j->hint[i] = pj->verified[i];
	if (j->slow_us > 0)
		usleep(j->slow_us);
	j->ran_as = runs++;
}

/* Job k: k * 7 % MAX_ENVS envelopes, every fifth of them bad somehow. */
static struct tjob *
make_job(const struct fixture *fx, int k)
{
	struct tjob *j = calloc(1, sizeof(*j));
	size_t i, n = (size_t)(k * 7) % MAX_ENVS;

	assert_non_null(j);
	j->index = k;
	j->ran_as = -1;
	for (i = 0; i < n; i++) {
		uint64_t seq = (uint64_t)k * 1000 + i + 1;
		int kind = (int)((k + i) % 5);

		j->good[i] = kind != 0;
		if (kind == 0 && i % 3 == 0) {
			/* Not an envelope at all. */
			j->bufs[i] = malloc(5);
			assert_non_null(j->bufs[i]);
			memcpy(j->bufs[i], "\xff\xff\xff\xff\xff", 5);
			j->lens[i] = 5;
		} else if (kind == 0 && i % 3 == 1) {
			/* Signed by mp, which is not the speaker. */
			j->bufs[i] =
			    envelope(fx->mp, INST_MP, seq, false, &j->lens[i]);
		} else {
			j->bufs[i] = envelope(fx->pnp, INST_PNP, seq, kind == 0,
					      &j->lens[i]);
		}
		j->envs[i] = j->bufs[i];
	}
	j->m.type = MSG_BATCH;
	j->m.n_envelopes = n;
	j->m.envelopes = j->envs;
	j->m.envelope_lens = j->lens;
	j->pj.reg = fx->reg;
	j->pj.speaker = fx->speaker;
	j->pj.batch = n > 0 ? &j->m : NULL;
	j->pj.run = run_record;
	return j;
}

static void
free_job(struct tjob *j)
{
	size_t i;

	for (i = 0; i < j->m.n_envelopes; i++)
		free(j->bufs[i]);
	free(j);
}

/* The next finished job, waiting on the descriptor for it. */
static struct tjob *
wait_done(struct pipeline *p)
{
	struct pipeline_job *pj;
	struct pollfd pfd = {.fd = pipeline_fd(p), .events = POLLIN};
	int tries;

	for (tries = 0; tries < 3000; tries++) {
		pj = pipeline_done(p);
		if (pj != NULL)
			return (struct tjob *)pj;
		(void)poll(&pfd, 1, 10);
	}
	fail_msg("no job came back");
	return NULL;
}

static void
order_and_hints(void **state, unsigned threads)
{
	struct fixture *fx = *state;
	struct pipeline *p = NULL;
	struct tjob *jobs[JOBS];
	int k, hinted = 0;
	size_t i;

	runs = 0;
	assert_int_equal(pipeline_new(threads, &p), 0);
	for (k = 0; k < JOBS; k++) {
		jobs[k] = make_job(fx, k);
		pipeline_submit(p, &jobs[k]->pj);
	}
	assert_int_equal(pipeline_pending(p), JOBS);
	for (k = 0; k < JOBS; k++) {
		struct tjob *j = wait_done(p);

		assert_ptr_equal(j, jobs[k]); /* back in order */
		assert_true(j->pj.ran);
		assert_int_equal(j->ran_as, k); /* and run in order */
		if (threads == 1 || j->m.n_envelopes == 0)
			assert_false(j->had_hints);
		if (j->had_hints) {
			hinted++;
			for (i = 0; i < j->m.n_envelopes; i++)
				assert_int_equal(j->hint[i], j->good[i]);
		}
	}
	assert_int_equal(pipeline_pending(p), 0);
	assert_null(pipeline_done(p));
	if (threads > 1)
		assert_int_equal(hinted, JOBS - 1); /* all but the empty */
	pipeline_free(&p, NULL, NULL);
	assert_null(p);
	for (k = 0; k < JOBS; k++)
		free_job(jobs[k]);
}

static void
test_one_thread(void **state)
{
	order_and_hints(state, 1);
}

static void
test_two_threads(void **state)
{
	order_and_hints(state, 2);
}

static void
test_four_threads(void **state)
{
	order_and_hints(state, 4);
}

static atomic_bool gate_open, gate_entered;

/* The first job: holds the writer until the test has queued the rest. */
static void
run_gate(struct pipeline_job *pj)
{
	atomic_store(&gate_entered, true);
	while (!atomic_load(&gate_open))
		usleep(1000);
	run_record(pj);
}

/*
 * Behind a job of peer 0: six of peer 1 (a node catching up), then two
 * of peer 2 and one of peer 3. Peers take turns; each one's run in the
 * order submitted; they come back in the order run.
 */
static void
peers_take_turns(void **state, unsigned threads)
{
	static const int peer[10] = {0, 1, 1, 1, 1, 1, 1, 2, 2, 3};
	/* Job indexes in the order they must run. */
	static const int want[10] = {0, 1, 7, 9, 2, 8, 3, 4, 5, 6};
	struct fixture *fx = *state;
	struct pipeline *p = NULL;
	struct tjob *jobs[10];
	int k;

	runs = 0;
	atomic_store(&gate_open, false);
	atomic_store(&gate_entered, false);
	assert_int_equal(pipeline_new(threads, &p), 0);
	for (k = 0; k < 10; k++) {
		jobs[k] = make_job(fx, k + 1);
		jobs[k]->pj.peer = (unsigned)peer[k];
	}
	jobs[0]->pj.run = run_gate;
	pipeline_submit(p, &jobs[0]->pj);
	while (!atomic_load(&gate_entered))
		usleep(1000);
	for (k = 1; k < 10; k++)
		pipeline_submit(p, &jobs[k]->pj);
	atomic_store(&gate_open, true);
	for (k = 0; k < 10; k++) {
		struct tjob *j = wait_done(p);

		assert_ptr_equal(j, jobs[want[k]]);
		assert_int_equal(j->ran_as, k);
		if (threads > 1) {
			size_t i;
			assert_true(j->had_hints);
			for (i = 0; i < j->m.n_envelopes; i++)
				assert_int_equal(j->hint[i], j->good[i]);
		}
	}
	assert_int_equal(pipeline_pending(p), 0);
	pipeline_free(&p, NULL, NULL);
	for (k = 0; k < 10; k++)
		free_job(jobs[k]);
}

static void
test_peers_one_thread(void **state)
{
	peers_take_turns(state, 1);
}

static void
test_peers_two_threads(void **state)
{
	peers_take_turns(state, 2);
}

static int groups, grouped; /* groups run, jobs in groups of two or more */

/* Jobs run together: each as run_record would, in the order given. */
static void
run_records(struct pipeline_job **pjs, size_t n)
{
	size_t i;

	groups++;
	if (n > 1)
		grouped += (int)n;
	for (i = 0; i < n; i++) {
		assert_ptr_equal(pjs[i]->run_group, run_records);
		assert_ptr_equal(pjs[i]->reg, pjs[0]->reg);
		run_record(pjs[i]);
	}
}

/*
 * The jobs of peers_take_turns, all but the first run in groups; the
 * sixth judged by another registry and the eighth running alone: the
 * same order, and groups that were formed around those two.
 */
static void
groups_take_turns(void **state, unsigned threads)
{
	static const int peer[10] = {0, 1, 1, 1, 1, 1, 1, 2, 2, 3};
	static const int want[10] = {0, 1, 7, 9, 2, 8, 3, 4, 5, 6};
	struct fixture *fx = *state;
	struct registry *other = NULL;
	char path[128], err[512];
	struct pipeline *p = NULL;
	struct tjob *jobs[10];
	int k;

	/* The same file loaded again: another registry, as after a reload. */
	snprintf(path, sizeof(path), "%s/registry.conf", fx->dir);
	assert_int_equal(registry_load(path, &other, err, sizeof(err)), 0);
	runs = groups = grouped = 0;
	atomic_store(&gate_open, false);
	atomic_store(&gate_entered, false);
	assert_int_equal(pipeline_new(threads, &p), 0);
	for (k = 0; k < 10; k++) {
		jobs[k] = make_job(fx, k + 1);
		jobs[k]->pj.peer = (unsigned)peer[k];
		jobs[k]->pj.run_group = run_records;
	}
	jobs[0]->pj.run = run_gate;
	jobs[0]->pj.run_group = NULL;
	jobs[5]->pj.reg = other;
	jobs[5]->pj.speaker = registry_institution(other, INST_PNP);
	jobs[7]->pj.run_group = NULL;
	pipeline_submit(p, &jobs[0]->pj);
	while (!atomic_load(&gate_entered))
		usleep(1000);
	for (k = 1; k < 10; k++)
		pipeline_submit(p, &jobs[k]->pj);
	atomic_store(&gate_open, true);
	for (k = 0; k < 10; k++) {
		struct tjob *j = wait_done(p);

		assert_ptr_equal(j, jobs[want[k]]);
		assert_int_equal(j->ran_as, k);
	}
	/* When every job is ready (one thread), a group takes at most half
	 * of the queue: 1 | 7 alone | 9 2 8 (of 7 queued) | 3 4 (of 4) | 5
	 * of another registry | 6. With more threads, more and smaller
	 * groups when one was not verified in time. */
	assert_true(groups >= 5);
	if (threads == 1) {
		assert_int_equal(groups, 5);
		assert_int_equal(grouped, 5);
	}
	assert_int_equal(pipeline_pending(p), 0);
	pipeline_free(&p, NULL, NULL);
	for (k = 0; k < 10; k++)
		free_job(jobs[k]);
	registry_free(&other);
}

static void
test_groups_one_thread(void **state)
{
	groups_take_turns(state, 1);
}

static void
test_groups_two_threads(void **state)
{
	groups_take_turns(state, 2);
}

struct discarded {
	int seen[JOBS];
	int ran_prefix; /* jobs run, which must come first */
	bool ran_after_unrun;
};

static void
note_discard(struct pipeline_job *pj, void *arg)
{
	struct discarded *d = arg;
	struct tjob *j = (struct tjob *)pj;

	d->seen[j->index]++;
	if (pj->ran && d->ran_prefix != j->index)
		d->ran_after_unrun = true;
	if (pj->ran)
		d->ran_prefix++;
}

/* Freed while busy: every job handed back once, the ones run first. */
static void
test_free_while_busy(void **state)
{
	struct fixture *fx = *state;
	struct pipeline *p = NULL;
	struct tjob *jobs[JOBS];
	struct discarded d;
	int k;

	memset(&d, 0, sizeof(d));
	runs = 0;
	assert_int_equal(pipeline_new(3, &p), 0);
	for (k = 0; k < JOBS; k++) {
		jobs[k] = make_job(fx, k);
		jobs[k]->slow_us = 2000;
	}
	for (k = 0; k < JOBS; k++)
		pipeline_submit(p, &jobs[k]->pj);
	pipeline_free(&p, note_discard, &d);
	for (k = 0; k < JOBS; k++) {
		assert_int_equal(d.seen[k], 1);
		assert_int_equal(jobs[k]->pj.ran, jobs[k]->ran_as >= 0);
		free_job(jobs[k]);
	}
	assert_false(d.ran_after_unrun);
}

static void
test_bad_thread_count(void **state)
{
	struct pipeline *p = NULL;

	(void)state;
	assert_int_equal(pipeline_new(0, &p), -EINVAL);
	assert_int_equal(pipeline_new(1000, &p), -EINVAL);
	assert_null(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_thread),
	    cmocka_unit_test(test_two_threads),
	    cmocka_unit_test(test_four_threads),
	    cmocka_unit_test(test_peers_one_thread),
	    cmocka_unit_test(test_peers_two_threads),
	    cmocka_unit_test(test_groups_one_thread),
	    cmocka_unit_test(test_groups_two_threads),
	    cmocka_unit_test(test_free_while_busy),
	    cmocka_unit_test(test_bad_thread_count),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
