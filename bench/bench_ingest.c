/*
 * bench_ingest.c - the consolidator alone: how many pre-signed events per
 * second ingest_batch verifies, checks and commits, beside the bare
 * Ed25519 verify rate of this machine measured in the same run: on one
 * thread before and after the ingest (the machine's speed drifts), and on
 * every thread at once (the ceiling of an ingest that verifies all).
 *
 * Before any timing it builds a stream of realistic events (the kinds and
 * case stages each institution may emit; victims drawn from a pool of one
 * per six events, each record carrying her document key, her name key or
 * both, as institutions keep them, so that linking has chains to walk;
 * random pseudonyms for referrals and cases), signs each
 * with a freshly generated key per institution, registers those keys in
 * a temporary registry file and opens a fresh store in a temporary
 * directory. Then it feeds the stream through the consolidator's
 * pipeline (pipeline.h: signatures verified ahead on -t threads, one
 * writer running ingest_batches in order on the batches ready, one LMDB
 * write transaction and fsync for each such group) in batches,
 * round-robin over the institutions as the consolidator would see them. Every
 * Ack is checked: last_seq must advance to the batch's last sequence with no
 * rejections, or the benchmark stops with an error.
 *
 * Usage: bench_ingest [-n EVENTS] [-b BATCH] [-i INSTITUTIONS] [-t THREADS]
 *                     [-v VERIFIES] [-d PARENT] [-k] [-S] [-l]
 *
 * -S turns the statistics off, -l sends every victim without a key (the
 * statistics without the linking work): what each costs.
 *
 * The bare verify rate calls libsodium directly: measuring the library
 * itself is the point, so this program is the one exception to lib/
 * owning libsodium.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "codec.h"
#include "date.h"
#include "event.h"
#include "ingest.h"
#include "keys.h"
#include "log.h"
#include "parallel.h"
#include "pipeline.h"
#include "registry.h"
#include "sign.h"
#include "store.h"

#include "util.h"

#define DEFAULT_EVENTS 200000
#define DEFAULT_BATCH 1024
#define DEFAULT_VERIFIES 20000
#define VERIFY_SET 256		     /* distinct messages in the verify loop */
#define CHECK_SAMPLE 20000	     /* envelopes in the no-store breakdown */
#define SIGN_TAG "kuska/envelope/v2" /* as sign.h, NUL included */
#define SIGN_HEADER                                                            \
	(sizeof(SIGN_TAG) + 1 + SIGN_MAX_NETWORK + 4 + 1 + 8 + 8 +             \
	 KEY_ID_LEN + 4)
#define GOAL_RATIO 0.70	    /* one thread */
#define GOAL_RATIO_SMP 1.60 /* two threads or more (issue 15) */
#define BENCH_JOBS 24	    /* batches taken up at once, as the daemon */

struct options {
	size_t events;
	size_t batch;
	int insts;
	size_t verifies;
	const char *parent;
	int no_stats;	  /* -S: statistics off, to measure what they cost */
	int no_keys;	  /* -l: victims without match keys: no linking */
	unsigned threads; /* -t: verifying threads, the writer included */
};

/* One institution's part of the stream. */
struct inst_stream {
	enum institution inst;
	struct secret_key *key;
	const struct reg_party *speaker;
	size_t n;      /* envelopes */
	uint8_t **env; /* encoded envelopes, malloc'd */
	size_t *len;
	size_t next; /* first envelope not yet ingested */
};

struct bench {
	struct options opt;
	const char *dir;
	struct inst_stream s[INST_COUNT];
	struct registry *reg;
	struct store *st;
	uint64_t rng;
	size_t event_bytes; /* sum of serialized event lengths */
	size_t env_bytes;   /* sum of envelope lengths */
};

/* The temporary directory, removed at exit unless -k. */
static char tmp_dir[4096];
static int keep_dir;

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_ingest: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* User plus system CPU seconds of this process so far. */
static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds of the calling thread so far. */
static double
thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Bytes this process has written by system calls so far (/proc). */
static double
written_bytes(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	double v = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "wchar: ", 7) == 0)
			v = strtod(line + 7, NULL);
	fclose(f);
	return v;
}

/* splitmix64: fast, good enough for synthetic content. */
static uint64_t
rnd(struct bench *b)
{
	uint64_t z = (b->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned
rnd_below(struct bench *b, unsigned n)
{
	return (unsigned)(rnd(b) % n);
}

static void
rnd_bytes(struct bench *b, uint8_t *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = rnd(b);
		size_t k = len - i < 8 ? len - i : 8;
		memcpy(out + i, &v, k);
	}
}

/* A key of pool victim n: tag 1 her document, 2 her name. */
static void
pool_key(uint64_t n, uint8_t tag, uint8_t out[PSEUDONYM_LEN])
{
	uint64_t x = n * 0x9e3779b97f4a7c15ull + tag;
	size_t i;

	for (i = 0; i < PSEUDONYM_LEN; i += 8) {
		x ^= x >> 31;
		x *= 0xbf58476d1ce4e5b9ull;
		x ^= x >> 29;
		memcpy(out + i, &x, 8);
	}
	out[0] = tag;
}

/*
 * make_victim - a victim of the pool (one per six events), as one
 * institution recorded her: 85% of the pool have a document, which a
 * record carries 75% of the time; 90% a full name with birth date,
 * carried 85% of the time; one in a hundred shares her name key with the
 * victim before her (another child); 4% of records carry no key.
 */
static void
make_victim(struct bench *b, struct victim *v)
{
	static const char *const nat[] = {"PE", "PE", "PE", "PE", "PE", "PE",
					  "PE", "VE", "VE", "CO", "EC", "BO"};
	uint64_t pool = b->opt.events / 6 + 1, who = rnd(b) % pool;
	unsigned x = rnd_below(b, 100);

	if (!b->opt.no_keys && rnd_below(b, 100) >= 4) {
		if (who % 100 < 85 && rnd_below(b, 100) < 75) {
			v->doc_type = DOC_DNI;
			pool_key(who, 1, v->doc_key);
		}
		if (who % 10 != 0 && rnd_below(b, 100) < 85) {
			v->has_name_key = true;
			pool_key(who % 100 == 99 ? who - 1 : who, 2,
				 v->name_key);
		}
	}
	v->sex = x < 72 ? SEX_F : x < 97 ? SEX_M : SEX_U;
	v->age_years = (uint8_t)(rnd_below(b, 3) == 0 ? 18 + rnd_below(b, 30)
						      : 4 + rnd_below(b, 14));
	v->age_group = age_group_of(v->age_years);
	memcpy(v->nationality, nat[rnd_below(b, 12)], 3);
}

/*
 * What DESIGN.md lets each institution emit, weighted by repetition: the
 * generator draws from these lists and the registry grants them.
 */
static const struct grant {
	enum kind kinds[6];
	enum stage stages[6];
} grants[INST_COUNT + 1] = {
    [INST_PNP] = {{KIND_IDENTIFICATION, KIND_REFERRAL, KIND_CASE_STAGE},
		  {STAGE_COMPLAINT, STAGE_PRELIMINARY_INVESTIGATION}},
    [INST_MP] = {{KIND_IDENTIFICATION, KIND_REFERRAL, KIND_REFERRAL_RECEIVED,
		  KIND_CASE_STAGE},
		 {STAGE_COMPLAINT, STAGE_PRELIMINARY_INVESTIGATION,
		  STAGE_FORMALIZED_INVESTIGATION, STAGE_ACCUSATION,
		  STAGE_DISMISSAL}},
    [INST_PJ] = {{KIND_REFERRAL_RECEIVED, KIND_CASE_STAGE, KIND_CASE_STAGE},
		 {STAGE_TRIAL, STAGE_CONVICTION, STAGE_ACQUITTAL,
		  STAGE_DISMISSAL}},
    [INST_MIMP] = {{KIND_IDENTIFICATION, KIND_REFERRAL, KIND_REFERRAL_RECEIVED,
		    KIND_SERVICE, KIND_SERVICE}},
    [INST_MINSA] = {{KIND_IDENTIFICATION, KIND_REFERRAL, KIND_REFERRAL_RECEIVED,
		     KIND_SERVICE, KIND_SERVICE}},
};

/* How many entries of a zero-ended list of enumeration values. */
static unsigned
list_len(const int *v, unsigned cap)
{
	unsigned n = 0;

	while (n < cap && v[n] != 0)
		n++;
	return n;
}

static enum kind
pick_kind(struct bench *b, enum institution inst)
{
	const struct grant *g = &grants[inst];

	return g->kinds[rnd_below(b, list_len((const int *)g->kinds, 6))];
}

static enum stage
pick_stage(struct bench *b, enum institution inst)
{
	const struct grant *g = &grants[inst];

	return g->stages[rnd_below(b, list_len((const int *)g->stages, 6))];
}

/* Writes "kinds = ..." and "stages = ..." lines granting inst its list. */
static void
write_grant(FILE *f, enum institution inst)
{
	const struct grant *g = &grants[inst];
	uint32_t kinds = 1u << KIND_CORRECTION | 1u << KIND_WITHDRAWAL;
	uint32_t stages = 0;
	int i;

	for (i = 0; i < 6; i++) {
		kinds |= g->kinds[i] ? 1u << g->kinds[i] : 0;
		stages |= g->stages[i] ? 1u << g->stages[i] : 0;
	}
	fprintf(f, "kinds =");
	for (i = 1; i <= KIND_COUNT; i++)
		if (kinds & 1u << i)
			fprintf(f, " %s", kind_name((enum kind)i));
	fprintf(f, "\n");
	if (stages == 0)
		return;
	fprintf(f, "stages =");
	for (i = 1; i <= STAGE_COUNT; i++)
		if (stages & 1u << i)
			fprintf(f, " %s", stage_name((enum stage)i));
	fprintf(f, "\n");
}

static enum institution
other_than(struct bench *b, enum institution inst)
{
	unsigned o = 1 + rnd_below(b, INST_COUNT - 1);

	return (enum institution)(o >= (unsigned)inst ? o + 1 : o);
}

/* Fills ev with a plausible new record of inst, dated in the last 3 years. */
static void
make_event(struct bench *b, enum institution inst, int32_t today,
	   struct event *ev)
{
	static const char *const articles[] = {"129-A", "129-B", "129-C",
					       "153",	"153-A", "153-B"};
	struct record *rec = &ev->rec;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	rnd_bytes(b, ev->id, EVENT_ID_LEN);
	rec->kind = pick_kind(b, inst);
	ev->kind = rec->kind;
	rec->date = today - (int32_t)rnd_below(b, 3 * 365);
	rec->region = (uint8_t)(1 + rnd_below(b, 25));
	if (rec->kind != KIND_CASE_STAGE)
		make_victim(b, &rec->victim);
	switch (rec->kind) {
	case KIND_IDENTIFICATION:
		rec->exploitation = 1u << (1 + rnd_below(b, EXPL_COUNT));
		if (rnd_below(b, 4) == 0)
			rec->exploitation |= 1u << (1 + rnd_below(b, 3));
		break;
	case KIND_REFERRAL:
		rec->purpose = (enum purpose)(1 + rnd_below(b, PURPOSE_COUNT));
		/* FALLTHROUGH */
	case KIND_REFERRAL_RECEIVED:
		rec->other = other_than(b, inst);
		rnd_bytes(b, rec->referral, PSEUDONYM_LEN);
		break;
	case KIND_SERVICE:
		rec->service = (enum service)(1 + rnd_below(b, SERVICE_COUNT));
		break;
	case KIND_CASE_STAGE:
		rnd_bytes(b, rec->case_id, PSEUDONYM_LEN);
		rec->stage = pick_stage(b, inst);
		rec->persons = 1 + rnd_below(b, 4);
		snprintf(rec->article, sizeof(rec->article), "%s",
			 articles[rnd_below(b, 6)]);
		rec->n_victims = 1 + rnd_below(b, 3);
		for (i = 0; i < rec->n_victims; i++)
			make_victim(b, &rec->victims[i]);
		break;
	default:
		break;
	}
}

/* Signs and encodes event bytes evb as envelope seq of stream s. */
static void
seal(struct inst_stream *s, uint64_t seq, uint64_t created_ms, uint8_t *evb,
     size_t evlen, uint8_t **ret_buf, size_t *ret_len)
{
	struct envelope env;
	struct sign_fields f;
	int r;

	memset(&env, 0, sizeof(env));
	env.version = CODEC_VERSION;
	env.inst = s->inst;
	env.seq = seq;
	memcpy(env.key_id, s->key->key_id, KEY_ID_LEN);
	env.created_ms = created_ms;
	env.event = evb;
	env.event_len = evlen;
	snprintf(env.network, sizeof(env.network), "bench-net");
	f.network = env.network;
	f.version = env.version;
	f.institution = (uint8_t)env.inst;
	f.seq = seq;
	f.created_ms = created_ms;
	memcpy(f.key_id, env.key_id, KEY_ID_LEN);
	f.event = evb;
	f.event_len = evlen;
	r = sign_envelope(s->key->sign_sk, &f, env.signature);
	if (r != 0)
		die("sign_envelope: %s", strerror(-r));
	r = codec_envelope_encode(&env, ret_buf, ret_len);
	if (r != 0)
		die("codec_envelope_encode: %s", strerror(-r));
}

/* Builds and signs every institution's share of the stream. */
static void
build_stream(struct bench *b)
{
	struct event *ev = malloc(sizeof(*ev));
	int32_t today = date_today();
	uint64_t created_ms = date_now_ms();
	int i;

	if (ev == NULL)
		die("out of memory");
	for (i = 0; i < b->opt.insts; i++) {
		struct inst_stream *s = &b->s[i];
		size_t j;

		s->n = b->opt.events / (size_t)b->opt.insts +
		       ((size_t)i < b->opt.events % (size_t)b->opt.insts);
		s->env = calloc(s->n ? s->n : 1, sizeof(*s->env));
		s->len = calloc(s->n ? s->n : 1, sizeof(*s->len));
		if (s->env == NULL || s->len == NULL)
			die("out of memory");
		for (j = 0; j < s->n; j++) {
			uint8_t *evb;
			size_t evlen;
			const char *why = NULL;

			make_event(b, s->inst, today, ev);
			if (event_check(ev, &why) != 0)
				die("made an invalid event (%s)", why);
			if (codec_event_encode(ev, &evb, &evlen) != 0)
				die("codec_event_encode failed");
			seal(s, j + 1, created_ms, evb, evlen, &s->env[j],
			     &s->len[j]);
			b->event_bytes += evlen;
			b->env_bytes += s->len[j];
			free(evb);
		}
	}
	free(ev);
}

/* Keys for each institution, and a registry file naming them. */
static void
make_registry(struct bench *b)
{
	char path[4200], err[512], spk[64], cpk[64];
	FILE *f;
	int i, r;

	snprintf(path, sizeof(path), "%s/registry.conf", b->dir);
	f = fopen(path, "w");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "# bench_ingest: throwaway keys\n[network bench-net]\n");
	for (i = 0; i < b->opt.insts; i++) {
		struct inst_stream *s = &b->s[i];
		const char *id = institution_name(s->inst);

		r = keys_generate(id, &s->key);
		if (r != 0)
			die("keys_generate: %s", strerror(-r));
		keys_b64(s->key->sign_pk, SIGN_PK_LEN, spk, sizeof(spk));
		keys_b64(s->key->curve_pk, CURVE_KEY_LEN, cpk, sizeof(cpk));
		/* A section without lines is not seen at all: always grant. */
		fprintf(f, "\n[institution %s]\n", id);
		write_grant(f, s->inst);
		fprintf(f,
			"\n[key bench-%s]\nowner = %s\n"
			"sign_public = %s\ntransport_public = %s\n",
			id, id, spk, cpk);
	}
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
	r = registry_load(path, &b->reg, err, sizeof(err));
	if (r != 0)
		die("registry_load: %s", err);
	for (i = 0; i < b->opt.insts; i++) {
		b->s[i].speaker = registry_institution(b->reg, b->s[i].inst);
		if (b->s[i].speaker == NULL)
			die("%s missing from the registry",
			    institution_name(b->s[i].inst));
	}
}

/* Writes the message sign.h describes for envelope bytes env into out. */
static size_t
signed_message(const uint8_t *env, size_t len, uint8_t *out, size_t cap)
{
	struct envelope e;
	uint8_t *p = out;

	if (codec_envelope_decode(env, len, &e) != 0)
		die("cannot decode my own envelope");
	if (SIGN_HEADER + e.event_len > cap)
		die("event too large for the verify buffer");
	memcpy(p, SIGN_TAG, sizeof(SIGN_TAG));
	p += sizeof(SIGN_TAG);
	*p++ = (uint8_t)strlen(e.network);
	memcpy(p, e.network, strlen(e.network));
	p += strlen(e.network);
	store_be32(p, e.version);
	p += 4;
	*p++ = (uint8_t)e.inst;
	store_be64(p, e.seq);
	p += 8;
	store_be64(p, e.created_ms);
	p += 8;
	memcpy(p, e.key_id, KEY_ID_LEN);
	p += KEY_ID_LEN;
	store_be32(p, (uint32_t)e.event_len);
	p += 4;
	memcpy(p, e.event, e.event_len);
	p += e.event_len;
	codec_envelope_clear(&e);
	return (size_t)(p - out);
}

/* Messages of the stream's own signed form and size, for the bare rate. */
struct verify_set {
	uint8_t *msg[VERIFY_SET];
	uint8_t sig[VERIFY_SET][SIGNATURE_LEN];
	size_t mlen[VERIFY_SET], n;
	const uint8_t *pk;
	_Atomic int failed;
};

/*
 * Builds the verify set from the first institution's envelopes and checks
 * that our reconstruction verifies, so the figure is for real work.
 * *ret_msg_len gets the mean message length.
 */
static void
verify_set_make(struct bench *b, struct verify_set *v, double *ret_msg_len)
{
	struct inst_stream *s = &b->s[0];
	size_t i, total = 0;

	memset(v, 0, sizeof(*v));
	v->n = s->n < VERIFY_SET ? s->n : VERIFY_SET;
	v->pk = s->key->sign_pk;
	if (v->n == 0)
		die("no events to verify");
	for (i = 0; i < v->n; i++) {
		struct envelope e;

		v->msg[i] = malloc(SIGN_HEADER + CODEC_MAX_EVENT);
		if (v->msg[i] == NULL)
			die("out of memory");
		v->mlen[i] = signed_message(s->env[i], s->len[i], v->msg[i],
					    SIGN_HEADER + CODEC_MAX_EVENT);
		if (codec_envelope_decode(s->env[i], s->len[i], &e) != 0)
			die("cannot decode my own envelope");
		memcpy(v->sig[i], e.signature, SIGNATURE_LEN);
		codec_envelope_clear(&e);
		if (crypto_sign_verify_detached(v->sig[i], v->msg[i],
						v->mlen[i], v->pk) != 0)
			die("the signed message differs from sign.h's");
		total += v->mlen[i];
	}
	*ret_msg_len = (double)total / (double)v->n;
}

static void
verify_set_free(struct verify_set *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->msg[i]);
}

static void
verify_range(void *arg, size_t from, size_t to)
{
	struct verify_set *v = arg;
	size_t i;

	for (i = from; i < to; i++) {
		size_t k = i % v->n;
		if (crypto_sign_verify_detached(v->sig[k], v->msg[k],
						v->mlen[k], v->pk) != 0)
			atomic_store(&v->failed, 1);
	}
}

/*
 * The bare Ed25519 verify rate: `verifies` on each of `threads` threads
 * at once. Returns verifies per second, all threads together. With more
 * than one thread it is what the processors give this work alone: the
 * ceiling of any ingest that verifies every signature.
 */
static double
bench_verify(struct bench *b, struct verify_set *v, unsigned threads)
{
	size_t n = b->opt.verifies * threads;
	double t0 = bench_now_s(), t;

	parallel_for(n, threads, b->opt.verifies, verify_range, v);
	t = bench_now_s() - t0;
	if (atomic_load(&v->failed))
		die("verify failed");
	return (double)n / t;
}

/*
 * Breakdown without the store: envelope decode alone, then decode plus
 * ingest_check (key lookup, verify, event decode, grants) over a sample.
 * Returns checks per second; *ret_decode_us gets microseconds per decode.
 */
static double
bench_check(struct bench *b, double *ret_decode_us)
{
	struct inst_stream *s = &b->s[0];
	size_t n = s->n < CHECK_SAMPLE ? s->n : CHECK_SAMPLE, i;
	struct event *ev = malloc(sizeof(*ev));
	char why[CODEC_MAX_TEXT + 1];
	struct envelope e;
	double t0, t;

	if (ev == NULL)
		die("out of memory");
	t0 = bench_now_s();
	for (i = 0; i < n; i++) {
		if (codec_envelope_decode(s->env[i], s->len[i], &e) != 0)
			die("cannot decode my own envelope");
		codec_envelope_clear(&e);
	}
	*ret_decode_us = (bench_now_s() - t0) * 1e6 / (double)n;
	t0 = bench_now_s();
	for (i = 0; i < n; i++) {
		enum reason r;
		int err = 0;

		if (codec_envelope_decode(s->env[i], s->len[i], &e) != 0)
			die("cannot decode my own envelope");
		r = ingest_check(b->reg, s->speaker, &e, ev, why, sizeof(why),
				 &err);
		codec_envelope_clear(&e);
		if (r != REASON_NONE)
			die("ingest_check refused seq %zu: %s: %s", i + 1,
			    reason_name(r), why);
	}
	t = bench_now_s() - t0;
	free(ev);
	return (double)n / t;
}

struct ingest_result {
	double wall_s, cpu_s;
	double
	    writer_cpu_s;  /* ingest_batches on the writer, its thread's CPU */
	double written_mb; /* bytes the process wrote (the store's pages) */
	size_t batches, groups;
	double median_ms, p99_ms, max_ms; /* ingest_batches on the writer */
};

/* One batch through the pipeline, as the daemon sends it. */
struct bench_job {
	struct pipeline_job pj; /* first */
	struct ingest *ig;
	struct inst_stream *s;
	struct msg m;
	const uint8_t **envs;
	size_t *lens;
	struct msg reply; /* filled by run, on the writer thread */
	int err;
	size_t group; /* the first job of a group: how many; else 0 */
	double run_ms, run_cpu_s;
};

/*
 * Batches run together, as the daemon runs them: one transaction, one
 * commit. The first job keeps the group's times.
 */
static void
run_bench_jobs(struct pipeline_job **pjs, size_t n)
{
	struct ingest_item items[PIPELINE_GROUP_JOBS];
	double t0 = bench_now_s(), c0 = thread_cpu_s();
	uint64_t now = date_now_ms();
	struct bench_job *j;
	size_t i;

	memset(items, 0, n * sizeof(*items));
	for (i = 0; i < n; i++) {
		j = (struct bench_job *)pjs[i];
		items[i].speaker = pjs[i]->speaker;
		items[i].batch = &j->m;
		items[i].verified = pjs[i]->verified;
		items[i].decoded = pjs[i]->decoded;
		items[i].now_ms = now;
	}
	(void)ingest_batches(((struct bench_job *)pjs[0])->ig, items, n);
	for (i = 0; i < n; i++) {
		j = (struct bench_job *)pjs[i];
		j->err = items[i].err;
		j->reply = items[i].reply;
		j->group = i == 0 ? n : 0;
		j->run_ms = i == 0 ? (bench_now_s() - t0) * 1e3 : 0;
		j->run_cpu_s = i == 0 ? thread_cpu_s() - c0 : 0;
	}
}

/* Checks the Ack of a job taken back: every event taken, no refusal. */
static void
check_reply(struct bench_job *j)
{
	struct msg *reply = &j->reply;
	size_t want = j->s->next + j->m.n_envelopes;

	if (j->err != 0)
		die("ingest_batch: %s (%s: %s)", strerror(-j->err),
		    reason_name(reply->reason), reply->text);
	if (reply->type != MSG_ACK)
		die("batch %llu of %s: %s instead of an Ack: %s: %s",
		    (unsigned long long)j->m.batch_id,
		    institution_name(j->s->inst),
		    reply->type == MSG_REFUSAL ? "Refusal" : "odd reply",
		    reason_name(reply->reason), reply->text);
	if (reply->n_rejections > 0)
		die("batch %llu of %s: %zu rejections, first seq %llu: %s: %s",
		    (unsigned long long)j->m.batch_id,
		    institution_name(j->s->inst), reply->n_rejections,
		    (unsigned long long)reply->rejections[0].seq,
		    reason_name(reply->rejections[0].reason),
		    reply->rejections[0].text);
	if (reply->last_seq != want)
		die("batch %llu of %s: Ack last_seq %llu, expected %zu",
		    (unsigned long long)j->m.batch_id,
		    institution_name(j->s->inst),
		    (unsigned long long)reply->last_seq, want);
	free(reply->rejections);
	j->s->next = want;
}

/* The next finished job, waiting for it. */
static struct bench_job *
wait_job(struct pipeline *p)
{
	struct pipeline_job *pj;
	struct pollfd pfd = {.fd = pipeline_fd(p), .events = POLLIN};

	while ((pj = pipeline_done(p)) == NULL)
		(void)poll(&pfd, 1, 100);
	return (struct bench_job *)pj;
}

/*
 * Feeds the whole stream through the pipeline as the daemon does (up to
 * BENCH_JOBS batches taken up at once, round-robin over the
 * institutions), checking every Ack in order.
 */
static void
bench_ingest(struct bench *b, struct ingest_result *res)
{
	struct ingest ig;
	struct pipeline *p = NULL;
	size_t max_batches, queued = 0, left = b->opt.events;
	size_t submitted_to[INST_COUNT] = {0};
	double *lat, t0, c0;
	uint64_t batch_id = 0;
	int r, i = 0;

	max_batches = b->opt.events / b->opt.batch + (size_t)b->opt.insts + 1;
	lat = calloc(max_batches, sizeof(*lat));
	if (lat == NULL)
		die("out of memory");
	memset(&ig, 0, sizeof(ig));
	ig.threads = b->opt.threads;
	r = ingest_open(&ig, b->st, b->reg);
	if (r != 0)
		die("ingest_open: %s", strerror(-r));
	if (b->opt.no_stats)
		stats_free(&ig.stats); /* statistics off: their cost */
	r = pipeline_new(b->opt.threads, &p);
	if (r != 0)
		die("pipeline_new: %s", strerror(-r));
	memset(res, 0, sizeof(*res));
	res->written_mb = written_bytes();
	c0 = cpu_s();
	t0 = bench_now_s();
	while (left > 0) {
		struct bench_job *j;
		int tries;

		/* Queue batches while there is room and stream left. */
		for (tries = 0; queued < BENCH_JOBS && tries < b->opt.insts;
		     tries++, i = (i + 1) % b->opt.insts) {
			struct inst_stream *s = &b->s[i];
			size_t k, n = s->n - submitted_to[i];

			if (n == 0)
				continue;
			if (n > b->opt.batch)
				n = b->opt.batch;
			j = calloc(1, sizeof(*j));
			if (j == NULL ||
			    (j->envs = calloc(n, sizeof(*j->envs))) == NULL ||
			    (j->lens = calloc(n, sizeof(*j->lens))) == NULL)
				die("out of memory");
			for (k = 0; k < n; k++) {
				j->envs[k] = s->env[submitted_to[i] + k];
				j->lens[k] = s->len[submitted_to[i] + k];
			}
			j->ig = &ig;
			j->s = s;
			j->m.type = MSG_BATCH;
			j->m.batch_id = ++batch_id;
			j->m.n_envelopes = n;
			j->m.envelopes = j->envs;
			j->m.envelope_lens = j->lens;
			j->pj.reg = b->reg;
			j->pj.speaker = s->speaker;
			j->pj.batch = &j->m;
			j->pj.run_group = run_bench_jobs;
			submitted_to[i] += n;
			queued++;
			tries = -1; /* a batch queued: go round again */
			pipeline_submit(p, &j->pj);
		}
		j = wait_job(p);
		queued--;
		check_reply(j);
		res->batches++;
		if (j->group > 0) {
			lat[res->groups++] = j->run_ms;
			res->writer_cpu_s += j->run_cpu_s;
		}
		left -= j->m.n_envelopes;
		free(j->envs);
		free(j->lens);
		free(j);
	}
	res->wall_s = bench_now_s() - t0;
	res->cpu_s = cpu_s() - c0;
	res->written_mb = (written_bytes() - res->written_mb) / 1e6;
	pipeline_free(&p, NULL, NULL);
	ingest_close(&ig);
	qsort(lat, res->groups, sizeof(*lat), bench_cmp_double);
	res->median_ms = lat[res->groups / 2];
	res->p99_ms = lat[(res->groups * 99 + 99) / 100 - 1];
	res->max_ms = lat[res->groups - 1];
	free(lat);
}

/*
 * Every institution's events sent again, as after lost Acks (a window, a
 * whole outbox): each a duplicate, to be acknowledged at the last held and
 * nothing more. Batches of -b events through ingest_batch, one at a time.
 * Returns the wall time.
 */
static double
bench_resend(struct bench *b)
{
	struct ingest ig;
	uint64_t batch_id = 0;
	double t0;
	int i, r;

	memset(&ig, 0, sizeof(ig));
	ig.threads = 1;
	r = ingest_open(&ig, b->st, b->reg);
	if (r != 0)
		die("ingest_open: %s", strerror(-r));
	t0 = bench_now_s();
	for (i = 0; i < b->opt.insts; i++) {
		struct inst_stream *s = &b->s[i];
		size_t from, n;

		for (from = 0; from < s->n; from += n) {
			struct msg m, reply;

			n = s->n - from < b->opt.batch ? s->n - from
						       : b->opt.batch;
			memset(&m, 0, sizeof(m));
			m.type = MSG_BATCH;
			m.batch_id = ++batch_id;
			m.n_envelopes = n;
			m.envelopes = (const uint8_t **)&s->env[from];
			m.envelope_lens = &s->len[from];
			r = ingest_batch(&ig, s->speaker, &m, NULL,
					 date_now_ms(), &reply);
			if (r != 0 || reply.type != MSG_ACK ||
			    reply.last_seq != s->n || reply.n_rejections != 0)
				die("resend: not acknowledged as held");
			free(reply.rejections);
		}
	}
	t0 = bench_now_s() - t0;
	ingest_close(&ig);
	return t0;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* At exit, also after die(): the temporary directory goes unless -k. */
static void
remove_tmp_dir(void)
{
	if (tmp_dir[0] == '\0')
		return;
	if (keep_dir)
		fprintf(stderr, "bench_ingest: kept %s\n", tmp_dir);
	else if (nftw(tmp_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "bench_ingest: could not remove %s: %s\n",
			tmp_dir, strerror(errno));
}

static const char *
fs_name(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf) != 0)
		return "unknown";
	switch ((unsigned long)sf.f_type) {
	case 0xEF53:
		return "ext4";
	case 0x01021994:
		return "tmpfs (fsync costs nothing: figures flattered)";
	case 0x58465342:
		return "xfs";
	case 0x9123683E:
		return "btrfs";
	case 0x794c7630:
		return "overlayfs";
	default:
		return "other";
	}
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: bench_ingest [-n EVENTS] [-b BATCH] [-i INSTITUTIONS] "
		"[-t THREADS] [-v VERIFIES] [-d PARENT] [-k] [-S] [-l]\n"
		"  -n  events in the pre-signed stream (default %d)\n"
		"  -b  envelopes per batch, 1..%d (default %d)\n"
		"  -i  institutions sharing the stream, 1..%d (default %d)\n"
		"  -t  verifying threads, the writer among them, 1..%d "
		"(default: one per processor, %u here)\n"
		"  -v  verifies for the bare Ed25519 rate (default %d)\n"
		"  -d  where to make the temporary directory (default "
		"$TMPDIR or /tmp)\n"
		"  -k  keep the temporary directory (store, registry)\n"
		"  -S  statistics off (to measure what they cost)\n"
		"  -l  victims without match keys (the statistics without "
		"linking)\n",
		DEFAULT_EVENTS, CODEC_MAX_BATCH_EVENTS, DEFAULT_BATCH,
		INST_COUNT, INST_COUNT, PARALLEL_MAX_THREADS, parallel_cpus(),
		DEFAULT_VERIFIES);
	exit(2);
}

static size_t
parse_count(const char *s, size_t min, size_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		usage();
	return (size_t)v;
}

int
main(int argc, char **argv)
{
	struct bench b;
	struct ingest_result res;
	char path[4200];
	struct verify_set vs;
	double verify_rate, verify_before, verify_after, verify_all = 0;
	double msg_len, check_rate, decode_us, ingest_rate, t0, build_s, goal;
	double resend_s;
	size_t map_size;
	int ch, i, r;

	memset(&b, 0, sizeof(b));
	b.opt.events = DEFAULT_EVENTS;
	b.opt.batch = DEFAULT_BATCH;
	b.opt.insts = INST_COUNT;
	b.opt.verifies = DEFAULT_VERIFIES;
	b.opt.threads = parallel_cpus();
	b.opt.parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	while ((ch = getopt(argc, argv, "n:b:i:t:v:d:kSlh")) != -1) {
		switch (ch) {
		case 'S':
			b.opt.no_stats = 1;
			break;
		case 'l':
			b.opt.no_keys = 1;
			break;
		case 'n':
			b.opt.events = parse_count(optarg, 1, 100000000);
			break;
		case 'b':
			b.opt.batch =
			    parse_count(optarg, 1, CODEC_MAX_BATCH_EVENTS);
			break;
		case 'i':
			b.opt.insts = (int)parse_count(optarg, 1, INST_COUNT);
			break;
		case 't':
			b.opt.threads = (unsigned)parse_count(
			    optarg, 1, PARALLEL_MAX_THREADS);
			break;
		case 'v':
			b.opt.verifies = parse_count(optarg, 1, 100000000);
			break;
		case 'd':
			b.opt.parent = optarg;
			break;
		case 'k':
			keep_dir = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("bench_ingest", 0);
	if (keys_init() != 0)
		die("libsodium failed to initialise");
	b.rng = keys_random64();
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/kuska-bench.XXXXXX",
		 b.opt.parent);
	if (mkdtemp(tmp_dir) == NULL)
		die("mkdtemp %s: %s", tmp_dir, strerror(errno));
	b.dir = tmp_dir;
	atexit(remove_tmp_dir);
	for (i = 0; i < b.opt.insts; i++)
		b.s[i].inst = (enum institution)(i + 1);

	fprintf(stderr,
		"bench_ingest: building %zu signed events for %d "
		"institution(s) in %s ...\n",
		b.opt.events, b.opt.insts, b.dir);
	make_registry(&b);
	t0 = bench_now_s();
	build_stream(&b);
	build_s = bench_now_s() - t0;

	/* The machine's speed drifts (a shared host): the one-thread rate is
	 * taken before and after the ingest, and the ratio uses their mean. */
	verify_set_make(&b, &vs, &msg_len);
	verify_before = bench_verify(&b, &vs, 1);
	if (b.opt.threads > 1)
		verify_all = bench_verify(&b, &vs, b.opt.threads);
	check_rate = bench_check(&b, &decode_us);

	/* Room for every envelope twice over, so the map never grows. */
	map_size = (b.env_bytes * 2 + (64u << 20)) & ~(size_t)((1u << 20) - 1);
	snprintf(path, sizeof(path), "%s/store", b.dir);
	if (mkdir(path, 0700) != 0)
		die("mkdir %s: %s", path, strerror(errno));
	r = store_open(path, map_size, (size_t)64 << 30, &b.st);
	if (r != 0)
		die("store_open %s: %s", path, strerror(-r));
	bench_ingest(&b, &res);
	ingest_rate = (double)b.opt.events / res.wall_s;
	resend_s = bench_resend(&b);
	verify_after = bench_verify(&b, &vs, 1);
	verify_rate = (verify_before + verify_after) / 2;
	verify_set_free(&vs);

	printf("bench_ingest: the consolidator alone\n");
	printf("  store_dir=%s (%s)\n", path, fs_name(path));
	printf("  events=%zu institutions=%d batch=%zu batches=%zu threads=%u "
	       "(of %u processors) statistics=%s\n",
	       b.opt.events, b.opt.insts, b.opt.batch, res.batches,
	       b.opt.threads, parallel_cpus(),
	       b.opt.no_stats  ? "off"
	       : b.opt.no_keys ? "on, victims without keys (no linking)"
			       : "on, victims linked");
	printf("  event_bytes_mean=%.0f envelope_bytes_mean=%.0f "
	       "signed_msg_bytes_mean=%.0f\n",
	       (double)b.event_bytes / (double)b.opt.events,
	       (double)b.env_bytes / (double)b.opt.events, msg_len);
	printf("  build_and_sign_s=%.2f (sign+encode %.1f us/event, "
	       "untimed)\n",
	       build_s, build_s * 1e6 / (double)b.opt.events);
	printf("verify_rate_per_s=%.0f (one thread, %zu verifies before "
	       "and after the ingest: %.0f and %.0f; %.1f us each)\n",
	       verify_rate, b.opt.verifies, verify_before, verify_after,
	       1e6 / verify_rate);
	if (b.opt.threads > 1)
		printf("verify_all_threads_per_s=%.0f (%u threads at once, "
		       "%.2f x one thread before: what the processors give "
		       "verifying alone)\n",
		       verify_all, b.opt.threads, verify_all / verify_before);
	printf("check_rate_per_s=%.0f (decode+ingest_check, no store; "
	       "%.1f us each, envelope decode %.2f us)\n",
	       check_rate, 1e6 / check_rate, decode_us);
	printf("ingest_events_per_s=%.0f (%.2f s wall, %.2f s cpu, "
	       "%.1f us/event)\n",
	       ingest_rate, res.wall_s, res.cpu_s,
	       res.wall_s * 1e6 / (double)b.opt.events);
	goal = b.opt.threads > 1 ? GOAL_RATIO_SMP : GOAL_RATIO;
	printf("ratio=%.3f (ingest / bare verify of one thread; goal with "
	       "%s >= %.2f: %s)\n",
	       ingest_rate / verify_rate,
	       b.opt.threads > 1 ? "two threads or more" : "one thread", goal,
	       ingest_rate / verify_rate >= goal ? "met" : "NOT met");
	if (b.opt.threads > 1)
		printf("ingest_of_all_threads_verify=%.2f (ingest / bare "
		       "verify on %u threads at once)\n",
		       ingest_rate / verify_all, b.opt.threads);
	printf("group_commit_ms median=%.2f p99=%.2f max=%.2f (ingest_batches "
	       "on the writer: %zu groups, %.1f batches each)\n",
	       res.median_ms, res.p99_ms, res.max_ms, res.groups,
	       (double)res.batches / (double)res.groups);
	printf("writer_cpu_us_per_event=%.1f (ingest_batches, CPU of its "
	       "thread; written %.0f MB, %.1f MB a batch)\n",
	       res.writer_cpu_s * 1e6 / (double)b.opt.events, res.written_mb,
	       res.written_mb / (double)res.batches);
	printf("resend_us_per_event=%.2f (every event sent again, as after "
	       "lost Acks: duplicates, acknowledged as held; %.2f s wall)\n",
	       resend_s * 1e6 / (double)b.opt.events, resend_s);
	/* With more threads the check overlaps the store: no difference. */
	if (b.opt.threads == 1)
		printf("store_per_event_us=%.1f (ingest minus check)\n",
		       res.wall_s * 1e6 / (double)b.opt.events -
			   1e6 / check_rate);

	store_close(&b.st);
	registry_free(&b.reg);
	for (i = 0; i < b.opt.insts; i++) {
		size_t j;
		for (j = 0; j < b.s[i].n; j++)
			free(b.s[i].env[j]);
		free(b.s[i].env);
		free(b.s[i].len);
		keys_free(&b.s[i].key);
	}
	return 0;
}
