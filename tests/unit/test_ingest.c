/*
 * test_ingest.c - batches committed together (ingest_batches) leave the
 * store, the replies and the in-memory state exactly as the same batches
 * committed one by one (ingest_batch): two batches of one institution in
 * a group follow each other; a batch refused whole in the middle of a
 * group (a gap, a forged first signature) writes nothing and takes
 * nothing down with it; dead letters, duplicates, a correction and a
 * withdrawal inside a group count as they would alone. A group the store
 * cannot hold (its map at the ceiling) is undone and its batches run
 * alone, so that the ones that fit are committed, the one that does not
 * is refused, and memory agrees with the store. Both with the envelopes
 * checked and decoded ahead, as the verifying threads hand them over.
 * A rebuild gives the same tables whatever the number of threads that
 * check the envelopes, and skips those that no longer verify; one that
 * runs out of memory stops, skipping nothing, and a batch taken when it
 * runs out is refused whole for the node to send again; memory running
 * out after a commit loses the statistics' index, and the batches after
 * it are refused until it is loaded again, never counted against it
 * empty. A sequence held sent again with other bytes is refused, not
 * skipped as a duplicate.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "codec.h"
#include "date.h"
#include "event.h"
#include "fail_malloc.h"
#include "ingest.h"
#include "keys.h"
#include "registry.h"
#include "registry_fixture.h"
#include "service.h"
#include "sign.h"
#include "stats.h"
#include "store.h"

#define MAX_BATCHES 8
#define MAX_ENVS 1100
#define NOW_MS 1760000000000ull /* 2025-10-09 */

struct fixture {
	char dir[64];
	struct secret_key *pnp, *mimp;
	struct registry *reg;
	const struct reg_party *p_pnp, *p_mimp;
};

/* Stands in for lib/service.c's (test_service checks that one speaks
 * to systemd): what the rebuild asked for. */
static unsigned extend_calls, extend_seconds;
static char extend_status[96];

void
service_extend_start(unsigned seconds, const char *status)
{
	extend_calls++;
	extend_seconds = seconds;
	snprintf(extend_status, sizeof(extend_status), "%s", status);
}

/*
 * Stands in for store_commit (test_ingest links -Wl,--wrap=store_commit):
 * with fail_after_commit, every allocation after a commit fails, what is
 * left of the batch in memory (stats_committed) and any reload of it.
 */
int __real_store_commit(struct store_txn **t);
int __wrap_store_commit(struct store_txn **t);
static bool fail_after_commit;

int
__wrap_store_commit(struct store_txn **t)
{
	int r = __real_store_commit(t);

	if (r == 0 && fail_after_commit)
		fail_malloc_from(1);
	return r;
}

/* A batch to send, and its envelopes (owned). */
struct tbatch {
	const struct reg_party *speaker;
	struct msg m;
	const uint8_t *envs[MAX_ENVS];
	size_t lens[MAX_ENVS];
	/* Checked ahead (check_ahead), as the verifying threads do. */
	bool ok[MAX_ENVS];
	struct envelope dec[MAX_ENVS];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL || keys_init() != 0)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kuska-ingest-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	if (keys_generate("pnp", &fx->pnp) != 0 ||
	    keys_generate("mimp", &fx->mimp) != 0)
		return -1;
	{
		const struct fixture_party parties[] = {
		    {"pnp", "identification referral correction withdrawal",
		     fx->pnp},
		    {"mimp",
		     "identification referral_received service correction "
		     "withdrawal",
		     fx->mimp},
		};
		if (fixture_registry(fx->dir, parties, 2, &fx->reg) != 0)
			return -1;
	}
	fx->p_pnp = registry_institution(fx->reg, INST_PNP);
	fx->p_mimp = registry_institution(fx->reg, INST_MIMP);
	*state = fx;
	return fx->p_pnp != NULL && fx->p_mimp != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	fixture_registry_remove(fx->dir);
	registry_free(&fx->reg);
	keys_free(&fx->pnp);
	keys_free(&fx->mimp);
	free(fx);
	return 0;
}

/* Match key n of a small pool: victims recur across institutions. */
static void
pool_key(unsigned n, uint8_t tag, uint8_t out[PSEUDONYM_LEN])
{
	memset(out, 0, PSEUDONYM_LEN);
	out[0] = tag;
	out[1] = (uint8_t)n;
	out[2] = (uint8_t)(n >> 8);
}

/*
 * Event seq of inst: mostly identifications of victims drawn from a pool
 * of 23 (a document key, a name key, or both), some services or referral
 * take-ups; `special` makes it a correction or withdrawal of target, or
 * a kind inst may not emit (a dead letter).
 */
enum special { PLAIN, CORRECT, WITHDRAW, NOT_ALLOWED };

static void
make_event(enum institution inst, uint64_t seq, enum special sp,
	   uint64_t target, struct event *ev)
{
	struct record *rec = &ev->rec;
	unsigned who = (unsigned)(seq * 7 + inst) % 23;

	if (sp == CORRECT) {
		/* The target's record, moved to another region. */
		make_event(inst, target, PLAIN, 0, ev);
		ev->id[3] = (uint8_t)sp;
		ev->kind = KIND_CORRECTION;
		ev->target_seq = target;
		rec->region = (uint8_t)(1 + (rec->region + 3) % 25);
		return;
	}

	memset(ev, 0, sizeof(*ev));
	ev->id[0] = (uint8_t)inst;
	ev->id[1] = (uint8_t)seq;
	ev->id[2] = (uint8_t)(seq >> 8);
	ev->id[3] = (uint8_t)sp;
	rec->kind = KIND_IDENTIFICATION;
	if (inst == INST_MIMP && seq % 4 == 0)
		rec->kind = KIND_SERVICE;
	if (inst == INST_PNP && seq % 5 == 0)
		rec->kind = KIND_REFERRAL;
	if (sp == NOT_ALLOWED)
		rec->kind = inst == INST_PNP ? KIND_SERVICE : KIND_REFERRAL;
	ev->kind = rec->kind;
	rec->date = date_of_ms(NOW_MS) - (int32_t)(seq % 400);
	rec->region = (uint8_t)(1 + seq % 25);
	rec->victim.sex = seq % 3 == 0 ? SEX_M : SEX_F;
	rec->victim.age_years = (uint8_t)(5 + seq % 14);
	rec->victim.age_group = age_group_of(rec->victim.age_years);
	memcpy(rec->victim.nationality, seq % 6 == 0 ? "VE" : "PE", 3);
	if (seq % 3 != 2) {
		rec->victim.doc_type = DOC_DNI;
		pool_key(who, 1, rec->victim.doc_key);
	}
	if (seq % 3 != 0) {
		rec->victim.has_name_key = true;
		pool_key(who, 2, rec->victim.name_key);
	}
	switch (rec->kind) {
	case KIND_IDENTIFICATION:
		rec->exploitation = 1u << (1 + seq % EXPL_COUNT);
		break;
	case KIND_SERVICE:
		rec->service = (enum service)(1 + seq % SERVICE_COUNT);
		break;
	case KIND_REFERRAL:
		rec->purpose = (enum purpose)(1 + seq % PURPOSE_COUNT);
		rec->other = INST_MIMP;
		pool_key((unsigned)seq, 3, rec->referral);
		break;
	default:
		break;
	}
	if (sp == WITHDRAW) {
		ev->kind = KIND_WITHDRAWAL;
		ev->target_seq = target;
	}
}

static const struct secret_key *
key_of(const struct fixture *fx, enum institution inst)
{
	return inst == INST_PNP ? fx->pnp : fx->mimp;
}

/* When the envelopes made from now on were created (0: NOW_MS - 1000). */
static uint64_t created_at_ms;

/* The signed envelope of an event, its signature spoiled if forged. */
static uint8_t *
envelope(const struct fixture *fx, enum institution inst, uint64_t seq,
	 const struct event *ev, bool forge, size_t *ret_len)
{
	const struct secret_key *key = key_of(fx, inst);
	struct envelope env;
	struct sign_fields f;
	uint8_t *evb = NULL, *buf = NULL;
	size_t evlen;

	assert_int_equal(codec_event_encode(ev, &evb, &evlen), 0);
	memset(&env, 0, sizeof(env));
	env.version = CODEC_VERSION;
	env.inst = inst;
	env.seq = seq;
	memcpy(env.key_id, key->key_id, KEY_ID_LEN);
	env.created_ms = created_at_ms != 0 ? created_at_ms : NOW_MS - 1000;
	env.event = evb;
	env.event_len = evlen;
	snprintf(env.network, sizeof(env.network), "test-net");
	f.network = env.network;
	f.version = env.version;
	f.institution = (uint8_t)inst;
	f.seq = seq;
	f.created_ms = env.created_ms;
	memcpy(f.key_id, env.key_id, KEY_ID_LEN);
	f.event = evb;
	f.event_len = evlen;
	assert_int_equal(sign_envelope(key->sign_sk, &f, env.signature), 0);
	if (forge)
		env.signature[3] ^= 0x40;
	assert_int_equal(codec_envelope_encode(&env, &buf, ret_len), 0);
	free(evb);
	return buf;
}

/* Appends envelope seq (special sp on target) to b. */
static void
add_env(const struct fixture *fx, struct tbatch *b, uint64_t seq,
	enum special sp, uint64_t target, bool forge)
{
	struct event ev;
	size_t n = b->m.n_envelopes;

	assert_true(n < MAX_ENVS);
	make_event(b->speaker->inst, seq, sp, target, &ev);
	b->envs[n] =
	    envelope(fx, b->speaker->inst, seq, &ev, forge, &b->lens[n]);
	b->m.n_envelopes = n + 1;
}

/* A batch of speaker's plain envelopes from..to. */
static struct tbatch *
new_batch(const struct fixture *fx, const struct reg_party *speaker,
	  uint64_t id, uint64_t from, uint64_t to)
{
	struct tbatch *b = calloc(1, sizeof(*b));
	uint64_t s;

	assert_non_null(b);
	b->speaker = speaker;
	b->m.type = MSG_BATCH;
	b->m.batch_id = id;
	b->m.envelopes = b->envs;
	b->m.envelope_lens = b->lens;
	for (s = from; s <= to && to > 0; s++)
		add_env(fx, b, s, PLAIN, 0, false);
	return b;
}

static void
free_batch(struct tbatch *b)
{
	size_t i;

	for (i = 0; i < b->m.n_envelopes; i++)
		free((void *)b->envs[i]);
	free(b);
}

/*
 * As the pipeline's verifying threads do: checks each envelope of b
 * ahead and keeps those found good decoded, for ingest_batches to take
 * over (it->verified, it->decoded).
 */
static void
check_ahead(const struct fixture *fx, struct tbatch *b, struct ingest_item *it)
{
	size_t i;

	for (i = 0; i < b->m.n_envelopes; i++)
		b->ok[i] = ingest_signature_ok(fx->reg, b->speaker, b->envs[i],
					       b->lens[i], &b->dec[i]);
	it->verified = b->ok;
	it->decoded = b->dec;
}

/* Clears the envelopes decoded ahead and not taken over; their count. */
static size_t
left_ahead(struct tbatch *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->m.n_envelopes; i++) {
		if (b->dec[i].event != NULL) {
			codec_envelope_clear(&b->dec[i]);
			n++;
		}
	}
	return n;
}

static struct store *
open_store(const struct fixture *fx, const char *name, size_t map, size_t max)
{
	struct store *st = NULL;
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(store_open(path, map, max, &st), 0);
	return st;
}

static int
rm_entry(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return unlink(path);
}

static void
close_store(const struct fixture *fx, struct store **st, const char *name)
{
	char path[128];

	store_close(st);
	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	(void)rm_entry(path, "data.mdb");
	(void)rm_entry(path, "lock.mdb");
	assert_int_equal(rmdir(path), 0);
}

/* Every entry of every table, as one byte string. */
struct dump {
	uint8_t *buf;
	size_t len, cap;
};

static int
dump_one(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct dump *d = arg;
	size_t need = d->len + 16 + klen + vlen;

	if (need > d->cap) {
		d->cap = need * 2;
		d->buf = realloc(d->buf, d->cap);
		assert_non_null(d->buf);
	}
	memcpy(d->buf + d->len, &klen, 8);
	memcpy(d->buf + d->len + 8, &vlen, 8);
	memcpy(d->buf + d->len + 16, k, klen);
	memcpy(d->buf + d->len + 16 + klen, v, vlen);
	d->len = need;
	return 0;
}

static void
dump_store(struct store *st, struct dump *d)
{
	struct store_txn *t;
	int tb;

	memset(d, 0, sizeof(*d));
	assert_int_equal(store_begin(st, false, &t), 0);
	for (tb = 0; tb < T_COUNT; tb++) {
		uint8_t mark[16] = {0xee, (uint8_t)tb};
		assert_int_equal(dump_one(d, mark, sizeof(mark), "", 0), 0);
		assert_int_equal(
		    store_each(t, (enum store_table)tb, NULL, 0, dump_one, d),
		    0);
	}
	store_abort(&t);
}

/* ig's idea of each institution equals what its store holds. */
static void
assert_memory_is_store(struct ingest *ig)
{
	struct store_txn *t;
	struct inst_status s;
	int i;

	assert_int_equal(store_begin(ig->st, false, &t), 0);
	for (i = 1; i <= INST_COUNT; i++) {
		(void)ingest_inst_status(t, i, &s);
		assert_memory_equal(&s, &ig->inst[i], sizeof(s));
	}
	store_abort(&t);
}

static void
assert_same_reply(const struct msg *a, const struct msg *b)
{
	size_t i;

	assert_int_equal(a->type, b->type);
	assert_int_equal(a->batch_id, b->batch_id);
	assert_int_equal(a->last_seq, b->last_seq);
	assert_int_equal(a->reason, b->reason);
	assert_string_equal(a->text, b->text);
	assert_int_equal(a->has_expected, b->has_expected);
	assert_int_equal(a->expected_seq, b->expected_seq);
	assert_int_equal(a->n_rejections, b->n_rejections);
	for (i = 0; i < a->n_rejections; i++) {
		assert_int_equal(a->rejections[i].seq, b->rejections[i].seq);
		assert_int_equal(a->rejections[i].reason,
				 b->rejections[i].reason);
	}
}

/*
 * Seven batches of two institutions, with in the middle of them two
 * refused whole, run as one group into one store and one by one into
 * another: the same replies, tables and memory.
 */
static void
test_group_as_one_by_one(void **state)
{
	struct fixture *fx = *state;
	struct tbatch *b[MAX_BATCHES];
	struct ingest_item items[MAX_BATCHES];
	struct msg alone[MAX_BATCHES];
	struct store *sa, *sb;
	struct ingest ga, gb;
	struct dump da, db;
	uint64_t s;
	size_t i, n = 0;

	b[n++] = new_batch(fx, fx->p_pnp, 1, 1, 40);
	b[n++] = new_batch(fx, fx->p_mimp, 2, 1, 30);
	b[n++] = new_batch(fx, fx->p_pnp, 3, 41, 60);  /* after batch 1 */
	b[n++] = new_batch(fx, fx->p_mimp, 4, 50, 55); /* a gap: refused */
	/* Its first signature forged: refused whole, though the rest is
	 * good. */
	b[n] = new_batch(fx, fx->p_mimp, 5, 0, 0);
	add_env(fx, b[n], 31, PLAIN, 0, true);
	for (s = 32; s <= 40; s++)
		add_env(fx, b[n], s, PLAIN, 0, false);
	n++;
	/* A correction, a withdrawal and a dead letter among good ones. */
	b[n] = new_batch(fx, fx->p_mimp, 6, 31, 35);
	add_env(fx, b[n], 36, CORRECT, 3, false);
	add_env(fx, b[n], 37, WITHDRAW, 7, false);
	add_env(fx, b[n], 38, NOT_ALLOWED, 0, false);
	for (s = 39; s <= 50; s++)
		add_env(fx, b[n], s, PLAIN, 0, false);
	n++;
	/* Duplicates of batch 3, then new ones and a correction of an
	 * event of the same group. */
	b[n] = new_batch(fx, fx->p_pnp, 7, 55, 70);
	add_env(fx, b[n], 71, CORRECT, 45, false);
	n++;

	sa = open_store(fx, "a", 8u << 20, 64u << 20);
	sb = open_store(fx, "b", 8u << 20, 64u << 20);
	memset(&ga, 0, sizeof(ga));
	memset(&gb, 0, sizeof(gb));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	assert_int_equal(ingest_open(&gb, sb, fx->reg), 0);
	memset(items, 0, sizeof(items));
	for (i = 0; i < n; i++) {
		items[i].speaker = b[i]->speaker;
		items[i].batch = &b[i]->m;
		items[i].now_ms = NOW_MS;
		check_ahead(fx, b[i], &items[i]);
	}
	assert_int_equal(ingest_batches(&ga, items, n), 0);
	/* What the group took over of the envelopes decoded ahead: all of
	 * a batch it got through (duplicates and a dead letter included),
	 * of one refused whole only the envelope it stopped at (the gap's
	 * first; the forged one was never decoded). */
	assert_false(b[4]->ok[0]);
	assert_null(b[4]->dec[0].event);
	for (i = 0; i < n; i++)
		assert_int_equal(left_ahead(b[i]), i == 3 ? 5 : i == 4 ? 9 : 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(ingest_batch(&gb, b[i]->speaker, &b[i]->m,
					      NULL, NOW_MS, &alone[i]),
				 0);
		assert_int_equal(items[i].err, 0);
		assert_same_reply(&items[i].reply, &alone[i]);
	}
	/* What each had to be. */
	assert_int_equal(items[0].reply.last_seq, 40);
	assert_int_equal(items[2].reply.last_seq, 60);
	assert_int_equal(items[3].reply.type, MSG_REFUSAL);
	assert_int_equal(items[3].reply.reason, REASON_GAP);
	assert_int_equal(items[4].reply.type, MSG_REFUSAL);
	assert_int_equal(items[4].reply.reason, REASON_BAD_SIGNATURE);
	assert_int_equal(items[5].reply.type, MSG_ACK);
	assert_int_equal(items[5].reply.last_seq, 50);
	assert_int_equal(items[5].reply.n_rejections, 1);
	assert_int_equal(items[5].accepted, 19);
	assert_int_equal(items[6].reply.last_seq, 71);
	assert_int_equal(items[6].accepted, 11);
	for (i = 0; i < n; i++) {
		if (items[i].reply.type == MSG_ACK) {
			free(items[i].reply.rejections);
			free(alone[i].rejections);
		}
	}
	assert_memory_equal(ga.inst, gb.inst, sizeof(ga.inst));
	assert_memory_is_store(&ga);
	dump_store(sa, &da);
	dump_store(sb, &db);
	assert_int_equal(da.len, db.len);
	assert_memory_equal(da.buf, db.buf, da.len);
	free(db.buf);

	/* The group's statistics are those a rebuild finds, on one thread
	 * or four; it asks for more time to start as it goes (under
	 * systemd). */
	for (ga.threads = 1; ga.threads <= 4; ga.threads += 3) {
		uint64_t events, skipped;

		extend_calls = 0;
		assert_int_equal(ingest_rebuild(&ga, &events, &skipped), 0);
		assert_int_equal(skipped, 0);
		assert_int_equal(extend_calls, 1); /* fewer than 4,096 */
		assert_int_equal(extend_seconds, 60);
		assert_string_equal(extend_status, "rebuilding the statistics: "
						   "0 events so far");
		dump_store(sa, &db);
		assert_int_equal(da.len, db.len);
		assert_memory_equal(da.buf, db.buf, da.len);
		free(db.buf);
	}
	free(da.buf);
	ingest_close(&ga);
	ingest_close(&gb);
	close_store(fx, &sa, "a");
	close_store(fx, &sb, "b");
	for (i = 0; i < n; i++)
		free_batch(b[i]);
}

/*
 * A group whose middle batch the store cannot hold: undone, then each
 * batch alone - the first and the last committed and Ack'd, the middle
 * one refused as STORE_FULL without a trace; memory, store and a run of
 * the two good batches alone agree, and more batches go on from there.
 */
static void
test_group_fails_alone_go_on(void **state)
{
	struct fixture *fx = *state;
	struct tbatch *b[4];
	struct ingest_item items[3];
	struct msg reply;
	struct store *sa, *sb;
	struct ingest ga, gb;
	struct dump da, db;
	size_t i;

	b[0] = new_batch(fx, fx->p_pnp, 1, 1, 20);
	b[1] = new_batch(fx, fx->p_mimp, 2, 1, 1000); /* too big */
	b[2] = new_batch(fx, fx->p_pnp, 3, 21, 40);
	b[3] = new_batch(fx, fx->p_pnp, 4, 41, 50);
	/* A map with room for the small batches only, and no growing. */
	sa = open_store(fx, "a", 512u << 10, 512u << 10);
	sb = open_store(fx, "b", 8u << 20, 64u << 20);
	memset(&ga, 0, sizeof(ga));
	memset(&gb, 0, sizeof(gb));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	assert_int_equal(ingest_open(&gb, sb, fx->reg), 0);
	memset(items, 0, sizeof(items));
	for (i = 0; i < 3; i++) {
		items[i].speaker = b[i]->speaker;
		items[i].batch = &b[i]->m;
		items[i].now_ms = NOW_MS;
		check_ahead(fx, b[i], &items[i]);
	}
	assert_int_equal(ingest_batches(&ga, items, 3), -EFBIG);
	/* The group took some over before it was undone; run again alone,
	 * the committed batches decoded the rest or their bytes again. */
	assert_int_equal(left_ahead(b[0]), 0);
	assert_int_equal(left_ahead(b[2]), 0);
	(void)left_ahead(b[1]);
	assert_int_equal(items[0].err, 0);
	assert_int_equal(items[0].reply.type, MSG_ACK);
	assert_int_equal(items[0].reply.last_seq, 20);
	assert_int_equal(items[1].err, -EFBIG);
	assert_int_equal(items[1].reply.type, MSG_REFUSAL);
	assert_int_equal(items[1].reply.reason, REASON_STORE_FULL);
	assert_int_equal(items[2].err, 0);
	assert_int_equal(items[2].reply.type, MSG_ACK);
	assert_int_equal(items[2].reply.last_seq, 40);
	free(items[0].reply.rejections);
	free(items[2].reply.rejections);
	assert_int_equal(ga.inst[INST_MIMP].last_seq, 0);
	assert_memory_is_store(&ga);

	/* The good ones alone, elsewhere, then one more batch on each. */
	for (i = 0; i < 4; i += i == 0 ? 2 : 1) {
		assert_int_equal(ingest_batch(&gb, b[i]->speaker, &b[i]->m,
					      NULL, NOW_MS, &reply),
				 0);
		assert_int_equal(reply.type, MSG_ACK);
		free(reply.rejections);
	}
	assert_int_equal(
	    ingest_batch(&ga, b[3]->speaker, &b[3]->m, NULL, NOW_MS, &reply),
	    0);
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.last_seq, 50);
	free(reply.rejections);
	assert_memory_equal(ga.inst, gb.inst, sizeof(ga.inst));
	assert_memory_is_store(&ga);
	dump_store(sa, &da);
	dump_store(sb, &db);
	assert_int_equal(da.len, db.len);
	assert_memory_equal(da.buf, db.buf, da.len);
	free(da.buf);
	free(db.buf);
	ingest_close(&ga);
	ingest_close(&gb);
	close_store(fx, &sa, "a");
	close_store(fx, &sb, "b");
	for (i = 0; i < 4; i++)
		free_batch(b[i]);
}

/* Sends speaker's plain envelopes from..to into ig, 1,000 a batch. */
static void
feed(const struct fixture *fx, struct ingest *ig,
     const struct reg_party *speaker, uint64_t from, uint64_t to)
{
	struct tbatch *b;
	struct msg reply;
	uint64_t s, last;

	for (s = from; s <= to; s = last + 1) {
		last = to - s >= 999 ? s + 999 : to;
		b = new_batch(fx, speaker, s, s, last);
		assert_int_equal(
		    ingest_batch(ig, speaker, &b->m, NULL, NOW_MS, &reply), 0);
		assert_int_equal(reply.type, MSG_ACK);
		assert_int_equal(reply.last_seq, last);
		assert_int_equal(reply.n_rejections, 0);
		free(reply.rejections);
		free_batch(b);
	}
}

/*
 * Replaces the stored envelope (inst, seq) by itself with one bit of its
 * signature flipped or, if garble, by bytes that do not decode: what a
 * key removed from the registry, or a bug, leaves for a rebuild to skip.
 */
static void
spoil_stored(struct store *st, enum institution inst, uint64_t seq, bool garble)
{
	static const uint8_t junk[] = {0xff, 0xff, 0xff, 0x07, 0x01};
	struct store_txn *t;
	struct envelope env;
	const void *v;
	uint8_t k[8], *buf = NULL;
	size_t vlen, len = sizeof(junk);

	store_be64(k, seq);
	assert_int_equal(store_begin(st, true, &t), 0);
	assert_int_equal(store_get(t, T_ENV_FIRST + inst - 1, k, 8, &v, &vlen),
			 0);
	if (!garble) {
		assert_int_equal(codec_envelope_decode(v, vlen, &env), 0);
		env.signature[5] ^= 0x01;
		assert_int_equal(codec_envelope_encode(&env, &buf, &len), 0);
		codec_envelope_clear(&env);
	}
	assert_int_equal(store_put(t, T_ENV_FIRST + inst - 1, k, 8,
				   garble ? junk : buf, len, 0),
			 0);
	assert_int_equal(store_commit(&t), 0);
	free(buf);
}

static int
count_held(void *arg, uint64_t seq, const uint8_t *env, size_t len,
	   enum reason reason, const char *text)
{
	(void)seq, (void)env, (void)len, (void)reason, (void)text;
	(*(int *)arg)++;
	return 0;
}

/*
 * A refusal stored without its reason (a damaged store) is an error for
 * ingest_held, not the end of what is held: a node told "nothing more"
 * would take the sequences after it as not refused.
 */
static void
test_held_damaged(void **state)
{
	struct fixture *fx = *state;
	struct store_txn *t;
	struct store *sa;
	struct ingest ga;
	uint8_t k[9];
	int n = 0;

	sa = open_store(fx, "held", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	feed(fx, &ga, fx->p_pnp, 1, 5);
	assert_int_equal(ingest_held(&ga, INST_PNP, 1, 1024, count_held, &n),
			 5);
	k[0] = (uint8_t)INST_PNP;
	store_be64(k + 1, 6);
	assert_int_equal(store_begin(sa, true, &t), 0);
	assert_int_equal(store_put(t, T_REFUSED, k, 9, "", 0, 0), 0);
	assert_int_equal(store_commit(&t), 0);
	ga.inst[INST_PNP].last_seq = 7;
	n = 0;
	assert_int_equal(ingest_held(&ga, INST_PNP, 1, 1024, count_held, &n),
			 -EUCLEAN);
	ingest_close(&ga);
	store_close(&sa);
}

struct held_last {
	uint64_t seq;
	enum reason reason;
	char text[CODEC_MAX_TEXT + 1];
};

static int
last_held(void *arg, uint64_t seq, const uint8_t *env, size_t len,
	  enum reason reason, const char *text)
{
	struct held_last *h = arg;

	(void)env, (void)len;
	h->seq = seq;
	h->reason = reason;
	snprintf(h->text, sizeof(h->text), "%s", text);
	return 0;
}

/*
 * A refusal whose reason this version does not know (a newer
 * consolidator's, read after a downgrade) or that says none is still a
 * refusal, with its text: as REASON_NONE the node would take the record
 * as accepted and revive or forget it.
 */
static void
test_held_unknown_reason(void **state)
{
	static const uint8_t bytes[] = {REASON_COUNT, 0xff, REASON_NONE};
	struct fixture *fx = *state;
	struct store_txn *t;
	struct store *sa;
	struct ingest ga;
	struct held_last h;
	uint8_t k[9], v[1 + 5];
	size_t i;

	sa = open_store(fx, "held_reason", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	feed(fx, &ga, fx->p_pnp, 1, 5);
	k[0] = (uint8_t)INST_PNP;
	store_be64(k + 1, 6);
	memcpy(v + 1, "newer", 5);
	ga.inst[INST_PNP].last_seq = 6;
	for (i = 0; i < sizeof(bytes); i++) {
		v[0] = bytes[i];
		assert_int_equal(store_begin(sa, true, &t), 0);
		assert_int_equal(store_put(t, T_REFUSED, k, 9, v, sizeof(v), 0),
				 0);
		assert_int_equal(store_commit(&t), 0);
		memset(&h, 0, sizeof(h));
		assert_int_equal(
		    ingest_held(&ga, INST_PNP, 6, 1024, last_held, &h), 1);
		assert_int_equal(h.seq, 6);
		assert_int_equal(h.reason, REASON_BAD_EVENT);
		assert_string_equal(h.text, "newer");
	}
	/* One it knows is passed as it is. */
	v[0] = REASON_KIND_NOT_ALLOWED;
	assert_int_equal(store_begin(sa, true, &t), 0);
	assert_int_equal(store_put(t, T_REFUSED, k, 9, v, sizeof(v), 0), 0);
	assert_int_equal(store_commit(&t), 0);
	assert_int_equal(ingest_held(&ga, INST_PNP, 6, 1024, last_held, &h), 1);
	assert_int_equal(h.reason, REASON_KIND_NOT_ALLOWED);
	ingest_close(&ga);
	store_close(&sa);
}

/*
 * A rebuild recounts the refusals under the reason a node is told
 * (ingest_stored_reason, as test_held_unknown_reason): one this version
 * does not know (a newer consolidator's, read after a downgrade), none,
 * or a value with no reason byte at all, under bad_event; one it knows
 * under its own. None is lost from the counts by reason.
 */
static void
test_rebuild_unknown_reason(void **state)
{
	static const uint8_t bytes[] = {REASON_COUNT, 0xff, REASON_NONE,
					REASON_KIND_NOT_ALLOWED};
	struct fixture *fx = *state;
	struct store_txn *t;
	struct store *sa;
	struct ingest ga;
	struct inst_status s;
	uint64_t events, skipped;
	uint8_t k[9], v[1 + 5];
	size_t i;

	sa = open_store(fx, "rebuild_reason", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	feed(fx, &ga, fx->p_pnp, 1, 5);
	k[0] = (uint8_t)INST_PNP;
	memcpy(v + 1, "newer", 5);
	assert_int_equal(store_begin(sa, true, &t), 0);
	for (i = 0; i < sizeof(bytes); i++) {
		store_be64(k + 1, 6 + i);
		v[0] = bytes[i];
		assert_int_equal(store_put(t, T_REFUSED, k, 9, v, sizeof(v), 0),
				 0);
	}
	store_be64(k + 1, 6 + i);
	assert_int_equal(store_put(t, T_REFUSED, k, 9, v, 0, 0), 0);
	assert_int_equal(store_commit(&t), 0);

	assert_int_equal(ingest_rebuild(&ga, &events, &skipped), 0);
	assert_int_equal(events, 5);
	assert_int_equal(skipped, 0);
	assert_int_equal(store_begin(sa, false, &t), 0);
	assert_int_equal(ingest_inst_status(t, INST_PNP, &s), 0);
	store_abort(&t);
	assert_int_equal(s.accepted, 5);
	assert_int_equal(s.refused, 5);
	assert_int_equal(s.last_seq, 10);
	assert_int_equal(s.refused_by_reason[REASON_BAD_EVENT], 4);
	assert_int_equal(s.refused_by_reason[REASON_KIND_NOT_ALLOWED], 1);
	assert_int_equal(s.refused_by_reason[REASON_NONE], 0);
	assert_int_equal(ga.inst[INST_PNP].refused_by_reason[REASON_BAD_EVENT],
			 4);
	ingest_close(&ga);
	store_close(&sa);
}

/*
 * A rebuild checks its envelopes on as many threads as it is told and
 * applies them in order: over more envelopes than one chunk and than a
 * flush (4,096), with a correction and a withdrawal whose targets are
 * chunks behind, one envelope whose signature no longer verifies and one
 * that no longer decodes, one thread and several leave the same tables
 * byte for byte, skip the same two, and ask systemd for time alike.
 */
static void
test_rebuild_threads(void **state)
{
	static const unsigned threads[] = {1, 2, 4, 16, 1};
	struct fixture *fx = *state;
	struct tbatch *b;
	struct msg reply;
	struct store *sa;
	struct ingest ga;
	struct dump d1, dn;
	uint64_t events, skipped;
	size_t i;

	sa = open_store(fx, "a", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	feed(fx, &ga, fx->p_pnp, 1, 4600);
	feed(fx, &ga, fx->p_mimp, 1, 300);
	b = new_batch(fx, fx->p_pnp, 9, 0, 0);
	add_env(fx, b, 4601, CORRECT, 100, false);
	add_env(fx, b, 4602, WITHDRAW, 2000, false);
	assert_int_equal(
	    ingest_batch(&ga, fx->p_pnp, &b->m, NULL, NOW_MS, &reply), 0);
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.n_rejections, 0);
	free(reply.rejections);
	free_batch(b);
	/* Behind the correction's back, its target stops verifying. */
	spoil_stored(sa, INST_PNP, 100, false);
	spoil_stored(sa, INST_MIMP, 7, true);

	for (i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		ga.threads = threads[i];
		extend_calls = 0;
		assert_int_equal(ingest_rebuild(&ga, &events, &skipped), 0);
		assert_int_equal(events, 4902 - 2);
		assert_int_equal(skipped, 2);
		/* At the start and after 4,096 events. */
		assert_int_equal(extend_calls, 2);
		assert_string_equal(extend_status, "rebuilding the statistics: "
						   "4096 events so far");
		/* Held, though no longer verified. */
		assert_int_equal(ga.inst[INST_PNP].accepted, 4602);
		assert_int_equal(ga.inst[INST_MIMP].accepted, 300);
		assert_memory_is_store(&ga);
		dump_store(sa, i == 0 ? &d1 : &dn);
		if (i == 0)
			continue;
		assert_int_equal(d1.len, dn.len);
		assert_memory_equal(d1.buf, dn.buf, d1.len);
		free(dn.buf);
	}
	free(d1.buf);
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

/* ingest_open of st, its log lines (stderr) into out. */
static void
open_logged(struct ingest *ig, struct store *st, const struct registry *reg,
	    char *out, size_t cap)
{
	capture();
	memset(ig, 0, sizeof(*ig));
	assert_int_equal(ingest_open(ig, st, reg), 0);
	snprintf(out, cap, "%s", captured());
}

/* Store "a" holding pnp's plain events 1..n, counted, its ingest closed. */
static struct store *
store_fed_pnp(const struct fixture *fx, uint64_t n)
{
	struct store *st = open_store(fx, "a", 64u << 20, 256u << 20);
	struct ingest ig;

	memset(&ig, 0, sizeof(ig));
	assert_int_equal(ingest_open(&ig, st, fx->reg), 0);
	feed(fx, &ig, fx->p_pnp, 1, n);
	ingest_close(&ig);
	return st;
}

/*
 * Envelopes dropped (--refetch, --repair) with no rebuild after them (it
 * failed: a full disk): the statistics that still count them are never
 * loaded; the next open rebuilds them from what is held, and says why.
 */
static void
test_forget_marks_stale(void **state)
{
	struct fixture *fx = *state;
	struct store *sa;
	struct ingest ga;
	char out[4096];

	sa = store_fed_pnp(fx, 20);
	assert_int_equal(ingest_forget(sa, INST_PNP, 8), 13);

	open_logged(&ga, sa, fx->reg, out, sizeof(out));
	assert_non_null(strstr(out, "event=stats_stale action=rebuild"));
	assert_non_null(strstr(out, "event=stats_rebuilt events=7 skipped=0"));
	assert_true(ga.rebuilt);
	assert_int_equal(ga.rebuilt_events, 7);
	ingest_close(&ga);
	/* Rebuilt, the tables are marked as of this layout again. */
	open_logged(&ga, sa, fx->reg, out, sizeof(out));
	assert_null(strstr(out, "action=rebuild"));
	assert_false(ga.rebuilt);
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

/* The entries of tables from..to of st, as one byte string. */
static void
dump_tables(struct store *st, int from, int to, struct dump *d)
{
	struct store_txn *t;
	int tb;

	memset(d, 0, sizeof(*d));
	assert_int_equal(store_begin(st, false, &t), 0);
	for (tb = from; tb <= to; tb++) {
		uint8_t mark[16] = {0xee, (uint8_t)tb};
		assert_int_equal(dump_one(d, mark, sizeof(mark), "", 0), 0);
		assert_int_equal(
		    store_each(t, (enum store_table)tb, NULL, 0, dump_one, d),
		    0);
	}
	store_abort(&t);
}

/* The day pnp's sequence seq was accepted, as st keeps it. */
static int32_t
accepted_day_of(struct store *st, uint64_t seq)
{
	struct store_txn *t;
	const void *v;
	size_t vlen;
	uint8_t k[8];
	int32_t day;

	store_be64(k, seq);
	assert_int_equal(store_begin(st, false, &t), 0);
	assert_int_equal(
	    store_get(t, T_ACCEPT_FIRST + INST_PNP - 1, k, 8, &v, &vlen), 0);
	assert_int_equal(vlen, 4);
	day = (int32_t)(store_get32(v) ^ DAYS_OFFSET);
	store_abort(&t);
	return day;
}

/*
 * Envelopes dropped (--refetch, --repair) and sent again 40 days later
 * keep the day they were first accepted: the timeliness table counts
 * each record from its arrival, not from its return, so the statistics
 * and the days kept are those of a store that never dropped them; an
 * envelope created after the day kept at its sequence is another, of
 * the day it comes. They
 * were taken as of the day they came back: a --refetch of one dead
 * letter months ago moved every record after it to "arrived today".
 */
static void
test_forget_keeps_days(void **state)
{
	const uint64_t later_ms = NOW_MS + 40ull * 86400000ull;
	struct fixture *fx = *state;
	struct store *sa, *sb;
	struct ingest ga;
	struct tbatch *b;
	struct msg reply;
	struct dump da, db;
	char out[4096];

	sa = store_fed_pnp(fx, 20);
	sb = open_store(fx, "b", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sb, fx->reg), 0);
	feed(fx, &ga, fx->p_pnp, 1, 20);
	ingest_close(&ga);

	assert_int_equal(ingest_forget(sa, INST_PNP, 8), 13);
	open_logged(&ga, sa, fx->reg, out, sizeof(out));
	b = new_batch(fx, fx->p_pnp, 1, 8, 20);
	assert_int_equal(
	    ingest_batch(&ga, fx->p_pnp, &b->m, NULL, later_ms, &reply), 0);
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.last_seq, 20);
	free(reply.rejections);
	free_batch(b);
	ingest_close(&ga);

	dump_tables(sa, T_STATS_FIRST, T_ACCEPT_LAST, &da);
	dump_tables(sb, T_STATS_FIRST, T_ACCEPT_LAST, &db);
	assert_int_equal(da.len, db.len);
	assert_memory_equal(da.buf, db.buf, da.len);
	free(da.buf);
	free(db.buf);

	/* Sequences signed anew, created after the days kept (the node's
	 * outbox rebuilt short of them): other envelopes, of today. */
	assert_int_equal(ingest_forget(sa, INST_PNP, 15), 6);
	open_logged(&ga, sa, fx->reg, out, sizeof(out));
	created_at_ms = later_ms - 1000;
	b = new_batch(fx, fx->p_pnp, 2, 15, 20);
	created_at_ms = 0;
	assert_int_equal(
	    ingest_batch(&ga, fx->p_pnp, &b->m, NULL, later_ms, &reply), 0);
	assert_int_equal(reply.last_seq, 20);
	free(reply.rejections);
	free_batch(b);
	ingest_close(&ga);
	assert_int_equal(accepted_day_of(sa, 14), date_of_ms(NOW_MS));
	assert_int_equal(accepted_day_of(sa, 15), date_of_ms(later_ms));
	close_store(fx, &sa, "a");
	close_store(fx, &sb, "b");
}

/*
 * A start-up rebuild (the tables' layout older than this build's) that
 * leaves stored envelopes out of the tables says so, with how many
 * (event=stats_not_counted): an operator must hear that the tables miss
 * what the store holds.
 */
static void
test_open_rebuild_not_counted(void **state)
{
	static const uint8_t old_format[4] = {0, 0, 0, 0};
	static const char format_key[] = "stats_format";
	struct fixture *fx = *state;
	struct store_txn *t;
	struct store *sa;
	struct ingest ga;
	char out[4096];

	sa = store_fed_pnp(fx, 20);
	spoil_stored(sa, INST_PNP, 7, true);
	assert_int_equal(store_begin(sa, true, &t), 0);
	assert_int_equal(store_put(t, T_META, format_key,
				   sizeof(format_key) - 1, old_format,
				   sizeof(old_format), 0),
			 0);
	assert_int_equal(store_commit(&t), 0);

	open_logged(&ga, sa, fx->reg, out, sizeof(out));
	assert_non_null(strstr(out, "event=stats_format_old action=rebuild"));
	assert_non_null(strstr(out, "event=stats_rebuilt events=19 skipped=1"));
	assert_non_null(strstr(out, "event=stats_not_counted envelopes=1 "));
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

/*
 * Tables of a later layout than this build's, as a consolidator rolled
 * back finds them: rebuilt all the same, and said to be a later kuska's
 * (found=N), not an older one's.
 */
static void
test_open_rebuild_later(void **state)
{
	static const uint8_t later_format[4] = {0, 0, 0, 99};
	static const char format_key[] = "stats_format";
	struct fixture *fx = *state;
	struct store_txn *t;
	struct store *sa;
	struct ingest ga;
	char out[4096];

	sa = store_fed_pnp(fx, 20);
	assert_int_equal(store_begin(sa, true, &t), 0);
	assert_int_equal(store_put(t, T_META, format_key,
				   sizeof(format_key) - 1, later_format,
				   sizeof(later_format), 0),
			 0);
	assert_int_equal(store_commit(&t), 0);

	open_logged(&ga, sa, fx->reg, out, sizeof(out));
	assert_non_null(strstr(out, "event=stats_format_newer found=99 "
				    "action=rebuild text=\"statistics of a "
				    "later kuska (a downgrade)"));
	assert_null(strstr(out, "event=stats_format_old"));
	assert_non_null(strstr(out, "event=stats_rebuilt events=20 skipped=0"));
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

/*
 * Memory running out in a rebuild, at any one malloc of it (the
 * envelopes' decoding among them), stops it with -ENOMEM: no valid
 * envelope is skipped for it, and the store is left as it was, to be
 * rebuilt again, on one thread or several.
 */
static void
test_rebuild_out_of_memory(void **state)
{
	struct fixture *fx = *state;
	struct store *sa;
	struct ingest ga;
	struct dump d0, d1;
	uint64_t events, skipped;
	unsigned long n;
	int r, failures;

	sa = open_store(fx, "a", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	feed(fx, &ga, fx->p_pnp, 1, 40);
	feed(fx, &ga, fx->p_mimp, 1, 30);
	dump_store(sa, &d0);
	for (ga.threads = 1; ga.threads <= 4; ga.threads += 3) {
		failures = 0;
		for (n = 1;; n++) {
			events = skipped = 777;
			fail_malloc(n);
			r = ingest_rebuild(&ga, &events, &skipped);
			fail_malloc(0);
			if (malloc_failures() == 0)
				break; /* all of them went through */
			failures++;
			assert_int_equal(r, -ENOMEM);
			/* Untouched: nothing was reported skipped. */
			assert_int_equal(events, 777);
			assert_int_equal(skipped, 777);
			dump_store(sa, &d1);
			assert_int_equal(d0.len, d1.len);
			assert_memory_equal(d0.buf, d1.buf, d0.len);
			free(d1.buf);
			assert_memory_is_store(&ga);
		}
		assert_int_equal(r, 0);
		assert_true(failures > 70); /* each envelope's copy, at least */
		assert_int_equal(events, 70);
		assert_int_equal(skipped, 0);
		dump_store(sa, &d1);
		assert_int_equal(d0.len, d1.len);
		assert_memory_equal(d0.buf, d1.buf, d0.len);
		free(d1.buf);
	}
	free(d0.buf);
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

/*
 * Takes batch b (of pnp, ending at last_seq) into ga while memory runs out
 * at each allocation in turn (from: from that one on, walked in a stride
 * growing by 1/16), each time refused whole as the consolidator's failure
 * (STORE_ERROR) with sa's store and ga's memory as before; then, with
 * nothing failing, acknowledged whole. Frees b; returns the failures.
 */
static int
walk_batch_oom(struct fixture *fx, struct ingest *ga, struct store *sa,
	       struct tbatch *b, bool from, uint64_t last_seq)
{
	struct msg reply;
	struct dump d0, d1;
	unsigned long n;
	int r, failures = 0;

	dump_store(sa, &d0);
	for (n = 1;; n += from ? 1 + n / 16 : 1) {
		if (from)
			fail_malloc_from(n);
		else
			fail_malloc(n);
		r = ingest_batch(ga, fx->p_pnp, &b->m, NULL, NOW_MS, &reply);
		fail_malloc(0);
		if (malloc_failures() == 0)
			break; /* all of them went through */
		failures++;
		assert_int_equal(r, -ENOMEM);
		assert_int_equal(reply.type, MSG_REFUSAL);
		assert_int_equal(reply.reason, REASON_STORE_ERROR);
		dump_store(sa, &d1);
		assert_int_equal(d0.len, d1.len);
		assert_memory_equal(d0.buf, d1.buf, d0.len);
		free(d1.buf);
		assert_memory_is_store(ga);
	}
	assert_int_equal(r, 0);
	assert_true(failures >= 10); /* each envelope's copy, at least */
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.last_seq, last_seq);
	assert_int_equal(reply.n_rejections, 0);
	free(reply.rejections);
	free_batch(b);
	free(d0.buf);
	return failures;
}

/*
 * Memory running out while a batch is taken, at any one malloc (an
 * envelope's decoding among them), refuses the batch whole as the
 * consolidator's failure (STORE_ERROR: its node sends it again), never
 * one of its envelopes as a dead letter: nothing of it is kept.
 */
static void
test_batch_out_of_memory(void **state)
{
	struct fixture *fx = *state;
	struct store *sa;
	struct ingest ga;

	sa = open_store(fx, "a", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	feed(fx, &ga, fx->p_pnp, 1, 10);
	walk_batch_oom(fx, &ga, sa, new_batch(fx, fx->p_pnp, 11, 11, 20), false,
		       20);
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

/* Appends to b an envelope at seq other than add_env's: its region moved. */
static void
add_other(const struct fixture *fx, struct tbatch *b, uint64_t seq)
{
	struct event ev;
	size_t n = b->m.n_envelopes;

	assert_true(n < MAX_ENVS);
	make_event(b->speaker->inst, seq, PLAIN, 0, &ev);
	ev.rec.region = (uint8_t)(1 + ev.rec.region % 25);
	b->envs[n] =
	    envelope(fx, b->speaker->inst, seq, &ev, false, &b->lens[n]);
	b->m.n_envelopes = n + 1;
}

/* ingest_batches of b alone; its reply into ret, its conflict returned. */
static uint64_t
batch_conflict(struct ingest *ig, struct tbatch *b, struct msg *ret)
{
	struct ingest_item it;

	memset(&it, 0, sizeof(it));
	it.speaker = b->speaker;
	it.batch = &b->m;
	it.now_ms = NOW_MS;
	assert_int_equal(ingest_batches(ig, &it, 1), 0);
	*ret = it.reply;
	return it.conflict_seq;
}

/*
 * A sequence already held, sent again: skipped and acknowledged when its
 * bytes are those held (a resend after a lost Ack, a dead letter's too);
 * with other bytes (the institution's key signed it twice: a thief, a
 * clone, a node restored and started before --recover) the batch is
 * refused whole as CONFLICT, naming the sequence, nothing stored or
 * counted, alone or in a group beside another institution's batch.
 */
static void
test_duplicate_other_bytes(void **state)
{
	struct fixture *fx = *state;
	struct tbatch *b;
	struct store *sa;
	struct ingest ga;
	struct ingest_item its[2];
	struct inst_status s0;
	struct msg reply;
	struct dump d0, d1;
	uint64_t s;

	sa = open_store(fx, "a", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	/* 1 to 6, 3 a dead letter. */
	b = new_batch(fx, fx->p_pnp, 1, 1, 0);
	for (s = 1; s <= 6; s++)
		add_env(fx, b, s, s == 3 ? NOT_ALLOWED : PLAIN, 0, false);
	assert_int_equal(
	    ingest_batch(&ga, fx->p_pnp, &b->m, NULL, NOW_MS, &reply), 0);
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.last_seq, 6);
	assert_int_equal(reply.n_rejections, 1);
	free(reply.rejections);
	/* Sent again with 7: the same bytes, acknowledged as before. */
	add_env(fx, b, 7, PLAIN, 0, false);
	b->m.batch_id = 2;
	assert_int_equal(batch_conflict(&ga, b, &reply), 0);
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.last_seq, 7);
	assert_int_equal(reply.n_rejections, 0);
	assert_int_equal(ga.inst[INST_PNP].accepted, 6);
	assert_int_equal(ga.inst[INST_PNP].refused, 1);
	free(reply.rejections);
	free_batch(b);

	dump_store(sa, &d0);
	s0 = ga.inst[INST_PNP];
	/* 5 with other bytes, then 8: refused whole. */
	b = new_batch(fx, fx->p_pnp, 3, 1, 0);
	for (s = 1; s <= 4; s++)
		add_env(fx, b, s, s == 3 ? NOT_ALLOWED : PLAIN, 0, false);
	add_other(fx, b, 5);
	add_env(fx, b, 6, PLAIN, 0, false);
	add_env(fx, b, 8, PLAIN, 0, false);
	assert_int_equal(batch_conflict(&ga, b, &reply), 5);
	assert_int_equal(reply.type, MSG_REFUSAL);
	assert_int_equal(reply.reason, REASON_CONFLICT);
	assert_non_null(strstr(reply.text, "sequence 5 held with other bytes"));
	assert_non_null(strstr(reply.text, "OPERATIONS.md section 6"));
	free_batch(b);
	dump_store(sa, &d1);
	assert_int_equal(d0.len, d1.len);
	assert_memory_equal(d0.buf, d1.buf, d0.len);
	free(d1.buf);
	free(d0.buf);
	/* A dead letter's sequence with other bytes; in a group beside
	 * mimp's batch, which goes through. */
	memset(its, 0, sizeof(its));
	its[0].speaker = fx->p_mimp;
	its[0].batch = &(b = new_batch(fx, fx->p_mimp, 4, 1, 2))->m;
	its[0].now_ms = NOW_MS;
	{
		struct tbatch *o = new_batch(fx, fx->p_pnp, 5, 1, 2);
		add_other(fx, o, 3);
		add_env(fx, o, 8, PLAIN, 0, false);
		its[1].speaker = fx->p_pnp;
		its[1].batch = &o->m;
		its[1].now_ms = NOW_MS;
		assert_int_equal(ingest_batches(&ga, its, 2), 0);
		assert_int_equal(its[0].reply.type, MSG_ACK);
		assert_int_equal(its[0].reply.last_seq, 2);
		assert_int_equal(its[0].conflict_seq, 0);
		free(its[0].reply.rejections);
		assert_int_equal(its[1].reply.type, MSG_REFUSAL);
		assert_int_equal(its[1].reply.reason, REASON_CONFLICT);
		assert_int_equal(its[1].conflict_seq, 3);
		free_batch(o);
	}
	free_batch(b);
	/* Nothing of pnp's stored or counted: only mimp's 1 and 2 came. */
	assert_memory_equal(&s0, &ga.inst[INST_PNP], sizeof(s0));
	assert_memory_is_store(&ga);
	/* The dead letter itself sent again, and 8: acknowledged. */
	b = new_batch(fx, fx->p_pnp, 6, 1, 0);
	add_env(fx, b, 3, NOT_ALLOWED, 0, false);
	add_env(fx, b, 8, PLAIN, 0, false);
	assert_int_equal(batch_conflict(&ga, b, &reply), 0);
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.last_seq, 8);
	assert_int_equal(reply.n_rejections, 0);
	free(reply.rejections);
	free_batch(b);
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

/*
 * At a sequence held, other bytes that no registered key of the speaker
 * signed (a forged signature): stopped as unauthenticated, not called a
 * conflict, so that a transport key alone cannot mark the institution
 * diverged as if its signing key were stolen.
 */
static void
test_duplicate_forged(void **state)
{
	struct fixture *fx = *state;
	struct tbatch *b;
	struct store *sa;
	struct ingest ga;
	struct msg reply;
	uint64_t s;

	sa = open_store(fx, "a", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	b = new_batch(fx, fx->p_pnp, 1, 1, 0);
	for (s = 1; s <= 3; s++)
		add_env(fx, b, s, PLAIN, 0, false);
	assert_int_equal(batch_conflict(&ga, b, &reply), 0);
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.last_seq, 3);
	free(reply.rejections);
	free_batch(b);
	b = new_batch(fx, fx->p_pnp, 2, 1, 0);
	add_env(fx, b, 2, PLAIN, 0, true);
	add_env(fx, b, 4, PLAIN, 0, false);
	assert_int_equal(batch_conflict(&ga, b, &reply), 0);
	assert_int_equal(reply.type, MSG_REFUSAL);
	assert_int_equal(reply.reason, REASON_BAD_SIGNATURE);
	assert_non_null(strstr(reply.text, "sequence 2"));
	assert_int_equal(ga.inst[INST_PNP].accepted, 3);
	free_batch(b);
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

/* PNP's identification of victim who (a DNI and a name key of the pool)
 * at seq; or, with target, the correction of target to it. */
static void
add_ident(const struct fixture *fx, struct tbatch *b, uint64_t seq,
	  unsigned who, enum special sp, uint64_t target)
{
	struct event ev;
	size_t n = b->m.n_envelopes;

	make_event(INST_PNP, 1, PLAIN, 0, &ev);
	ev.id[1] = (uint8_t)seq;
	ev.id[3] = (uint8_t)sp;
	pool_key(who, 1, ev.rec.victim.doc_key);
	pool_key(who, 2, ev.rec.victim.name_key);
	if (sp == CORRECT) {
		ev.kind = KIND_CORRECTION;
		ev.target_seq = target;
	} else if (sp == WITHDRAW) {
		ev.kind = KIND_WITHDRAWAL;
		ev.target_seq = target;
	}
	b->envs[n] = envelope(fx, INST_PNP, seq, &ev, false, &b->lens[n]);
	b->m.n_envelopes = n + 1;
}

/* The tables a refusal of stats_room must leave untouched. */
static void
dump_counted(struct store *st, struct dump *d)
{
	static const enum store_table tbs[] = {T_CHANGES, T_LIVE, T_COUNTERS,
					       T_REFUSED};
	struct store_txn *t;
	size_t i;

	memset(d, 0, sizeof(*d));
	assert_int_equal(store_begin(st, false, &t), 0);
	for (i = 0; i < sizeof(tbs) / sizeof(*tbs); i++)
		assert_int_equal(store_each(t, tbs[i], NULL, 0, dump_one, d),
				 0);
	store_abort(&t);
}

/*
 * What one child may cost (stats_room), through a batch: with
 * max_victim_records 2 (an institution's own: 1), the second record of a
 * child, and a correction moving a record onto a child who has one, are
 * refused TOO_LARGE as dead letters, the correction leaving no mark in
 * the corrections' bookkeeping (its target may still be withdrawn and
 * corrected); a withdrawal frees room. A rebuild, which does not judge
 * again, leaves the same tables.
 */
static void
test_too_large(void **state)
{
	struct fixture *fx = *state;
	struct store *sa;
	struct store_txn *t;
	struct ingest ga;
	struct tbatch *b;
	struct msg reply;
	struct dump d1, d2;
	uint64_t events, skipped;
	uint8_t k[9];
	const void *v;
	size_t vlen;

	sa = open_store(fx, "too_large", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	stats_set_caps(ga.stats, 2, 200);
	b = new_batch(fx, fx->p_pnp, 1, 0, 0);
	add_ident(fx, b, 1, 100, PLAIN, 0);
	add_ident(fx, b, 2, 101, PLAIN, 0);
	add_ident(fx, b, 3, 100, PLAIN, 0);   /* refused */
	add_ident(fx, b, 4, 102, CORRECT, 1); /* to a child alone */
	add_ident(fx, b, 5, 101, CORRECT, 1); /* refused */
	add_ident(fx, b, 6, 0, WITHDRAW, 2);  /* frees 101 */
	add_ident(fx, b, 7, 101, PLAIN, 0);
	assert_int_equal(
	    ingest_batch(&ga, fx->p_pnp, &b->m, NULL, NOW_MS, &reply), 0);
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.last_seq, 7);
	assert_int_equal(reply.n_rejections, 2);
	assert_int_equal(reply.rejections[0].seq, 3);
	assert_int_equal(reply.rejections[0].reason, REASON_TOO_LARGE);
	assert_string_equal(
	    reply.rejections[0].text,
	    "the child would have over 1 records of this "
	    "institution (max_victim_records 2 allows one institution 1)");
	assert_int_equal(reply.rejections[1].seq, 5);
	assert_int_equal(reply.rejections[1].reason, REASON_TOO_LARGE);
	free(reply.rejections);
	free_batch(b);
	assert_memory_is_store(&ga);
	assert_int_equal(ga.inst[INST_PNP].accepted, 5);
	assert_int_equal(ga.inst[INST_PNP].refused_by_reason[REASON_TOO_LARGE],
			 2);
	/* The correction kept is 4's, not the refused 5's. */
	assert_int_equal(store_begin(sa, false, &t), 0);
	k[0] = (uint8_t)INST_PNP;
	store_be64(k + 1, 1);
	assert_int_equal(store_get(t, T_CHANGES, k, 9, &v, &vlen), 0);
	assert_int_equal(vlen, 9);
	assert_int_equal(((const uint8_t *)v)[0], 0);
	assert_int_equal(store_get64((const uint8_t *)v + 1), 4);
	store_abort(&t);

	dump_counted(sa, &d1);
	assert_int_equal(ingest_rebuild(&ga, &events, &skipped), 0);
	assert_int_equal(events, 5);
	assert_int_equal(skipped, 0);
	dump_counted(sa, &d2);
	assert_int_equal(d1.len, d2.len);
	assert_memory_equal(d1.buf, d2.buf, d1.len);
	free(d1.buf);
	free(d2.buf);
	ingest_close(&ga);
	close_store(fx, &sa, "too_large");
}

/* A batch of pnp's referrals from..to, each of a referral number of its
 * own (an entity each, besides its victim). */
static struct tbatch *
referral_batch(const struct fixture *fx, uint64_t id, uint64_t from,
	       uint64_t to)
{
	struct tbatch *b = new_batch(fx, fx->p_pnp, id, 0, 0);
	struct event ev;
	uint64_t seq;
	size_t n;

	for (seq = from; seq <= to; seq++) {
		n = b->m.n_envelopes;
		assert_true(n < MAX_ENVS);
		make_event(INST_PNP, seq, PLAIN, 0, &ev);
		ev.kind = ev.rec.kind = KIND_REFERRAL;
		ev.rec.exploitation = 0;
		ev.rec.purpose = (enum purpose)(1 + seq % PURPOSE_COUNT);
		ev.rec.other = INST_MIMP;
		pool_key((unsigned)seq, 3, ev.rec.referral);
		b->envs[n] =
		    envelope(fx, INST_PNP, seq, &ev, false, &b->lens[n]);
		b->m.n_envelopes = n + 1;
	}
	return b;
}

/*
 * Memory running out once a batch is committed, as its referrals join the
 * index (which grows past 767 of them), and for good after it (the
 * reload too): the batch is acknowledged, as stored and counted, but the
 * index and victim graph are lost. The next batch then never counts
 * against them empty: while memory runs out from any one allocation of it
 * on (its reload of them among them) it is refused whole (STORE_ERROR),
 * and once memory is back it is counted as a rebuild counts it. The
 * allocations are walked in a stride growing by 1/16: the reload of 800
 * records makes some 1,800.
 */
static void
test_committed_out_of_memory(void **state)
{
	struct fixture *fx = *state;
	struct tbatch *b;
	struct store *sa;
	struct ingest ga;
	struct msg reply;
	struct dump d0, d1;
	uint64_t events, skipped;
	int r, failures;

	sa = open_store(fx, "a", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	feed(fx, &ga, fx->p_pnp, 1, 10);
	b = referral_batch(fx, 11, 11, 800);
	fail_after_commit = true;
	r = ingest_batch(&ga, fx->p_pnp, &b->m, NULL, NOW_MS, &reply);
	fail_after_commit = false;
	fail_malloc(0);
	assert_true(malloc_failures() > 0);
	assert_int_equal(r, 0);
	assert_int_equal(reply.type, MSG_ACK);
	assert_int_equal(reply.last_seq, 800);
	assert_int_equal(reply.n_rejections, 0);
	free(reply.rejections);
	free_batch(b);
	assert_memory_is_store(&ga);
	assert_true(ga.stats_lost_said); /* event=stats_lost */

	/* Victims of the pool the first batches named: counted again. */
	failures = walk_batch_oom(
	    fx, &ga, sa, new_batch(fx, fx->p_pnp, 12, 801, 810), true, 810);
	print_message("%d failures\n", failures);
	assert_false(ga.stats_lost_said); /* event=stats_loaded */

	dump_counted(sa, &d0);
	assert_int_equal(ingest_rebuild(&ga, &events, &skipped), 0);
	assert_int_equal(events, 810);
	assert_int_equal(skipped, 0);
	dump_counted(sa, &d1);
	assert_int_equal(d0.len, d1.len);
	assert_memory_equal(d0.buf, d1.buf, d0.len);
	free(d0.buf);
	free(d1.buf);
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

/*
 * As test_batch_out_of_memory, the first batch of a store: the first
 * plain walks of stats_room (link_plain_count, the cap on a child's
 * records) allocate their tables within it, which a batch after others
 * finds made, and memory running out there refuses the batch whole too
 * (STORE_ERROR), never an event as a dead letter (TOO_LARGE).
 */
static void
test_batch_oom_fresh(void **state)
{
	struct fixture *fx = *state;
	struct store *sa;
	struct ingest ga;

	sa = open_store(fx, "a", 64u << 20, 256u << 20);
	memset(&ga, 0, sizeof(ga));
	assert_int_equal(ingest_open(&ga, sa, fx->reg), 0);
	walk_batch_oom(fx, &ga, sa, new_batch(fx, fx->p_pnp, 1, 1, 10), false,
		       10);
	ingest_close(&ga);
	close_store(fx, &sa, "a");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_group_as_one_by_one),
	    cmocka_unit_test(test_group_fails_alone_go_on),
	    cmocka_unit_test(test_rebuild_threads),
	    cmocka_unit_test(test_open_rebuild_not_counted),
	    cmocka_unit_test(test_open_rebuild_later),
	    cmocka_unit_test(test_forget_marks_stale),
	    cmocka_unit_test(test_forget_keeps_days),
	    cmocka_unit_test(test_held_damaged),
	    cmocka_unit_test(test_held_unknown_reason),
	    cmocka_unit_test(test_rebuild_unknown_reason),
	    cmocka_unit_test(test_rebuild_out_of_memory),
	    cmocka_unit_test(test_batch_out_of_memory),
	    cmocka_unit_test(test_batch_oom_fresh),
	    cmocka_unit_test(test_committed_out_of_memory),
	    cmocka_unit_test(test_duplicate_other_bytes),
	    cmocka_unit_test(test_duplicate_forged),
	    cmocka_unit_test(test_too_large),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
