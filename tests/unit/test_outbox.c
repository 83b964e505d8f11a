/* test_outbox.c - the node's durable store (outbox.h), in a temp dir. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <lmdb.h>

#include "bytes.h"
#include "date.h"
#include "lmdbcheck.h"
#include "outbox.h"
#include "outbox_int.h"
#include "recover_int.h"

#define MAP (16u << 20)

/* The write transaction begun fail_write_begin-th from now (0: none)
 * fails (-Wl,--wrap=mdb_txn_begin, tests/tests.cmake). */
static int fail_write_begin;

int __real_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags,
			 MDB_txn **txn);
int __wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags,
			 MDB_txn **txn);

int
__wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags,
		     MDB_txn **txn)
{
	if (!(flags & MDB_RDONLY) && fail_write_begin > 0 &&
	    --fail_write_begin == 0)
		return ENOSPC;
	return __real_mdb_txn_begin(env, parent, flags, txn);
}

/* The values read from the store so far (-Wl,--wrap=mdb_get). */
static unsigned long lmdb_gets;

int __real_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
int __wrap_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);

int
__wrap_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data)
{
	lmdb_gets++;
	return __real_mdb_get(txn, dbi, key, data);
}

struct fixture {
	char dir[64];
	char db[96];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kuska-outbox-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	/* A directory outbox_open must create. */
	snprintf(fx->db, sizeof(fx->db), "%s/db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* The envelope bytes used for seq: len bytes derived from seq. */
static size_t
fake_env(uint64_t seq, uint8_t *buf, size_t cap)
{
	size_t len = 20 + (size_t)(seq * 37 % 200), i;

	assert_true(len <= cap);
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 13 + i);
	return len;
}

/* Appends seqs first..last (each in its own transaction if each_txn). */
static void
append_range(struct outbox *ob, uint64_t first, uint64_t last)
{
	struct outbox_txn *t = NULL;
	uint8_t env[512];
	char ref[32];
	uint64_t s;

	assert_int_equal(outbox_begin(ob, &t), 0);
	for (s = first; s <= last; s++) {
		size_t len = fake_env(s, env, sizeof(env));
		assert_int_equal(outbox_next_seq(t), s);
		snprintf(ref, sizeof(ref), "REF-%llu", (unsigned long long)s);
		assert_int_equal(outbox_append(t, s, 1000 + s, env, len, ref),
				 0);
	}
	assert_int_equal(outbox_commit(&t), 0);
	assert_null(t);
}

struct read_ctx {
	uint64_t expect; /* next seq expected */
	size_t n, stop_after;
};

static int
read_fn(void *arg, uint64_t seq, uint64_t created_ms, const uint8_t *env,
	size_t len)
{
	struct read_ctx *c = arg;
	uint8_t want[512];
	size_t wl = fake_env(seq, want, sizeof(want));

	assert_int_equal(seq, c->expect);
	assert_int_equal(created_ms, 1000 + seq);
	assert_int_equal(len, wl);
	assert_memory_equal(env, want, len);
	c->expect++;
	c->n++;
	return c->stop_after != 0 && c->n >= c->stop_after;
}

/*
 * The kernel's "file too large" (a write past a file size limit) is an
 * I/O error, not the map full (-EFBIG), which no map_size_mb mends.
 */
static void
test_err_file_too_large(void **state)
{
	(void)state;
	assert_int_equal(outbox_err(EFBIG), -EIO);
	assert_int_equal(outbox_err(MDB_MAP_FULL), -EFBIG);
	assert_int_equal(outbox_err(ENOSPC), -ENOSPC);
}

static void
test_append_read(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct read_ctx c;
	struct outbox_state st;
	int n;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.next_seq, 1);
	assert_int_equal(st.acked_seq, 0);
	assert_int_equal(st.dead_total, 0);
	assert_int_equal(st.last_contact_ms, 0);
	/* Nothing to read yet. */
	memset(&c, 0, sizeof(c));
	c.expect = 1;
	assert_int_equal(outbox_read(ob, 1, 100, read_fn, &c), 0);

	append_range(ob, 1, 10);
	append_range(ob, 11, 50);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.next_seq, 51);

	memset(&c, 0, sizeof(c));
	c.expect = 1;
	assert_int_equal(outbox_read(ob, 1, 1000, read_fn, &c), 50);
	assert_int_equal(c.expect, 51);
	/* From the middle, with a maximum. */
	memset(&c, 0, sizeof(c));
	c.expect = 20;
	assert_int_equal(outbox_read(ob, 20, 5, read_fn, &c), 5);
	assert_int_equal(c.expect, 25);
	/* From 0 is from the start; past the end is nothing. */
	memset(&c, 0, sizeof(c));
	c.expect = 1;
	assert_int_equal(outbox_read(ob, 0, 3, read_fn, &c), 3);
	memset(&c, 0, sizeof(c));
	assert_int_equal(outbox_read(ob, 51, 3, read_fn, &c), 0);
	/* The callback stops the walk. */
	memset(&c, 0, sizeof(c));
	c.expect = 10;
	c.stop_after = 4;
	n = outbox_read(ob, 10, 100, read_fn, &c);
	assert_int_equal(c.n, 4);
	assert_true(n == 3 || n == 4);
	outbox_close(&ob);
	assert_null(ob);
	outbox_close(&ob);
	outbox_close(NULL);
}

static void
test_next_seq_persists(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	struct outbox_state st;
	struct read_ctx c;
	uint8_t env[512];

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 7);
	outbox_close(&ob);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.next_seq, 8);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_next_seq(t), 8);
	outbox_abort(&t);
	assert_null(t);
	outbox_abort(&t);
	outbox_abort(NULL);

	/* An aborted append leaves nothing behind. */
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(
	    outbox_append(t, 8, 1008, env, fake_env(8, env, sizeof(env)), "x"),
	    0);
	assert_int_equal(outbox_next_seq(t), 9);
	outbox_abort(&t);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.next_seq, 8);
	memset(&c, 0, sizeof(c));
	c.expect = 1;
	assert_int_equal(outbox_read(ob, 1, 100, read_fn, &c), 7);
	outbox_close(&ob);

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 8, 9);
	outbox_close(&ob);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.next_seq, 10);
	memset(&c, 0, sizeof(c));
	c.expect = 1;
	assert_int_equal(outbox_read(ob, 1, 100, read_fn, &c), 9);
	outbox_close(&ob);
}

/*
 * Whose an outbox is, from its first envelope: none when empty; a first
 * envelope that does not decode is said apart (a damaged outbox, or not
 * a node's), not taken for the node's own.
 */
static void
test_first_origin(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	enum institution inst = INST_NONE;
	char net[64] = "";

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_first_origin(ob, &inst, net, sizeof(net)),
			 -ENOENT);
	append_range(ob, 1, 2);
	assert_int_equal(outbox_first_origin(ob, &inst, net, sizeof(net)),
			 -EBADMSG);
	assert_int_equal(inst, INST_NONE);
	outbox_close(&ob);
}

static void
test_append_wrong_seq(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	uint8_t env[8] = {1, 2, 3};

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_append(t, 0, 1, env, 3, "a"), -EINVAL);
	assert_int_equal(outbox_append(t, 2, 1, env, 3, "a"), -EINVAL);
	assert_int_equal(outbox_append(t, 1, 1, env, 3, "a"), 0);
	assert_int_equal(outbox_append(t, 1, 1, env, 3, "a"), -EINVAL);
	assert_int_equal(outbox_append(t, 3, 1, env, 3, "a"), -EINVAL);
	assert_int_equal(outbox_append(t, 2, 1, env, 3, ""), 0);
	assert_int_equal(outbox_next_seq(t), 3);
	assert_int_equal(outbox_commit(&t), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_append(t, 2, 1, env, 3, "a"), -EINVAL);
	assert_int_equal(outbox_append(t, UINT64_MAX, 1, env, 3, "a"), -EINVAL);
	outbox_abort(&t);
	outbox_close(&ob);
}

static void
test_refs(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	uint8_t id[EVENT_ID_LEN], id2[EVENT_ID_LEN];
	struct ref_info in, out;

	memset(id, 0x11, sizeof(id));
	memset(id2, 0x11, sizeof(id2));
	id2[EVENT_ID_LEN - 1] = 0x12;
	memset(&in, 0, sizeof(in));
	in.seq = 0x0102030405060708ull;
	memset(in.digest, 0xd1, sizeof(in.digest));
	in.digest[31] = 0x7f;
	in.kind = KIND_CASE_STAGE;
	in.state = REF_LIVE;
	in.target = 0;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_ref_get(t, id, &out), -ENOENT);
	assert_int_equal(outbox_ref_put(t, id, &in), 0);
	/* Seen inside the same transaction. */
	memset(&out, 0, sizeof(out));
	assert_int_equal(outbox_ref_get(t, id, &out), 0);
	assert_int_equal(out.seq, in.seq);
	assert_int_equal(outbox_ref_get(t, id2, &out), -ENOENT);
	assert_int_equal(outbox_commit(&t), 0);
	outbox_close(&ob);

	/* After reopening; then overwritten. */
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	memset(&out, 0, sizeof(out));
	assert_int_equal(outbox_ref_get(t, id, &out), 0);
	assert_int_equal(out.seq, in.seq);
	assert_memory_equal(out.digest, in.digest, 32);
	assert_int_equal(out.kind, in.kind);
	assert_int_equal(out.state, in.state);
	assert_int_equal(out.target, in.target);
	assert_int_equal(out.withdrawn_by, 0);
	in.state = REF_WITHDRAWN;
	in.target = 1;
	in.kind = KIND_WITHDRAWAL;
	in.withdrawn_by = 0x0a0b0c0d0e0f1011ull;
	assert_int_equal(outbox_ref_put(t, id, &in), 0);
	assert_int_equal(outbox_commit(&t), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_ref_get(t, id, &out), 0);
	assert_int_equal(out.state, REF_WITHDRAWN);
	assert_int_equal(out.withdrawn_by, in.withdrawn_by);
	assert_int_equal(out.target, 1);
	assert_int_equal(out.kind, KIND_WITHDRAWAL);
	/* An aborted put is forgotten. */
	assert_int_equal(outbox_ref_put(t, id2, &in), 0);
	outbox_abort(&t);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_ref_get(t, id2, &out), -ENOENT);
	outbox_abort(&t);
	outbox_close(&ob);
}

/* The outbox's LMDB environment, opened directly (the outbox closed). */
static MDB_env *
lmdb_env(const char *dir)
{
	MDB_env *env;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
	assert_int_equal(mdb_env_set_mapsize(env, MAP), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), 0);
	return env;
}

/* Cuts the value of ref id to len bytes, tagged again (the outbox
 * closed): its layout as an earlier kuska wrote it. */
static void
cut_ref(const char *dir, const uint8_t id[EVENT_ID_LEN], size_t len)
{
	uint8_t b[128];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi refs;
	MDB_val k = {EVENT_ID_LEN, (void *)id}, v;

	env = lmdb_env(dir);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "refs", 0, &refs), 0);
	assert_int_equal(mdb_get(txn, refs, &k, &v), 0);
	assert_true(len + LMDBCHECK_TAG_LEN <= v.mv_size);
	memcpy(b, v.mv_data, len);
	bytes_put_be32(b + len, lmdbcheck_tag(id, EVENT_ID_LEN, b, len));
	v.mv_data = b;
	v.mv_size = len + LMDBCHECK_TAG_LEN;
	assert_int_equal(mdb_put(txn, refs, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* ref_get after cut_ref (len bytes) and the outbox opened again. */
static int
ref_cut(const char *dir, const uint8_t id[EVENT_ID_LEN], size_t len,
	struct ref_info *out)
{
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	int r;

	cut_ref(dir, id, len);
	assert_int_equal(outbox_open(dir, MAP, &ob), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	memset(out, 0xee, sizeof(*out));
	r = outbox_ref_get(t, id, out);
	outbox_abort(&t);
	outbox_close(&ob);
	return r;
}

/*
 * A ref's value in each of the three layouts it has had: 43 bytes (no
 * own, current nor key epoch: the record's own, epoch 0), 63 (no
 * withdrawal named: 0) and 71; any other length is damage.
 */
static void
test_ref_layouts(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	uint8_t id[EVENT_ID_LEN];
	struct ref_info in, out;

	memset(id, 0x21, sizeof(id));
	memset(&in, 0, sizeof(in));
	in.seq = 7;
	memset(in.digest, 0xd2, sizeof(in.digest));
	in.kind = KIND_IDENTIFICATION;
	in.state = REF_WITHDRAWN;
	in.own = 9;
	in.current = 11;
	in.epoch = 3;
	in.withdrawn_by = 12;
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_ref_put(t, id, &in), 0);
	assert_int_equal(outbox_commit(&t), 0);
	outbox_close(&ob);

	assert_int_equal(ref_cut(fx->db, id, 71, &out), 0);
	assert_int_equal(out.withdrawn_by, 12);
	assert_int_equal(ref_cut(fx->db, id, 63, &out), 0);
	assert_int_equal(out.seq, 7);
	assert_memory_equal(out.digest, in.digest, sizeof(in.digest));
	assert_int_equal(out.kind, KIND_IDENTIFICATION);
	assert_int_equal(out.state, REF_WITHDRAWN);
	assert_int_equal(out.own, 9);
	assert_int_equal(out.current, 11);
	assert_int_equal(out.epoch, 3);
	assert_int_equal(out.withdrawn_by, 0);
	assert_int_equal(ref_cut(fx->db, id, 43, &out), 0);
	assert_int_equal(out.seq, 7);
	assert_int_equal(out.state, REF_WITHDRAWN);
	assert_int_equal(out.own, 7);
	assert_int_equal(out.current, 7);
	assert_int_equal(out.epoch, 0);
	assert_int_equal(out.withdrawn_by, 0);
	assert_int_equal(ref_cut(fx->db, id, 42, &out), -EUCLEAN);
}

static struct rejection
rej(uint64_t seq, enum reason r, const char *text)
{
	struct rejection x;

	memset(&x, 0, sizeof(x));
	x.seq = seq;
	x.reason = r;
	snprintf(x.text, sizeof(x.text), "%s", text);
	return x;
}

static void
test_record_ack(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct rejection r[3];

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 30);
	assert_int_equal(outbox_record_ack(ob, 10, false, 5000, NULL, 0), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 10);
	assert_int_equal(st.last_contact_ms, 5000);
	/* Never backwards... */
	assert_int_equal(outbox_record_ack(ob, 4, false, 6000, NULL, 0), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 10);
	assert_int_equal(st.last_contact_ms, 6000);
	assert_int_equal(outbox_record_ack(ob, 10, false, 6001, NULL, 0), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 10);
	/* ...unless reset (a consolidator restored from backup). */
	assert_int_equal(outbox_record_ack(ob, 4, true, 7000, NULL, 0), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 4);
	assert_int_equal(outbox_record_ack(ob, 0, true, 7001, NULL, 0), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 0);
	assert_int_equal(outbox_record_ack(ob, 20, false, 8000, NULL, 0), 0);

	/* Dead letters: stored once, counted once. */
	r[0] = rej(12, REASON_BAD_EVENT, "region 26");
	r[1] = rej(15, REASON_KIND_NOT_ALLOWED, "service from pnp");
	assert_int_equal(outbox_record_ack(ob, 20, false, 9000, r, 2), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 2);
	/* The same ack heard again, and one new rejection. */
	r[2] = rej(18, REASON_BAD_TARGET, "no such seq");
	assert_int_equal(outbox_record_ack(ob, 20, false, 9100, r, 3), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 3);
	assert_int_equal(outbox_record_ack(ob, 20, false, 9200, r, 3), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 3);
	assert_int_equal(st.acked_seq, 20);
	assert_int_equal(st.last_contact_ms, 9200);
	/* Read inside the write transaction too, as the intake does. */
	{
		struct outbox_txn *t = NULL;
		uint8_t code = 0;
		uint64_t at = 0;

		assert_int_equal(outbox_begin(ob, &t), 0);
		assert_int_equal(outbox_seq_dead(t, 15, &code, &at), 0);
		assert_int_equal(code, REASON_KIND_NOT_ALLOWED);
		assert_true(at >= 9000);
		assert_int_equal(outbox_seq_dead(t, 13, &code, &at), -ENOENT);
		outbox_abort(&t);
	}
	/* Survives reopening. */
	outbox_close(&ob);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 3);
	assert_int_equal(st.acked_seq, 20);
	assert_int_equal(st.next_seq, 31);
	outbox_close(&ob);
}

/*
 * A Welcome acknowledging past acked_seq leaves the refusals of those
 * sequences to be asked (their Ack was lost); once recorded, they are dead
 * letters like an Ack's, heard twice counted once.
 */
static void
test_record_welcome(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct outbox_refusals a;
	struct rejection r[3];
	bool fresh[3];
	uint64_t from;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 30);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 0);
	assert_int_equal(outbox_record_ack(ob, 10, false, 1, NULL, 0), 0);
	/* Acknowledging nothing new: nothing to ask. */
	assert_int_equal(outbox_record_welcome(ob, 10, true, 2), 0);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 0);
	assert_int_equal(outbox_record_welcome(ob, 15, true, 3), 0);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 11);
	/* Another before the answer: from the first still. */
	assert_int_equal(outbox_record_welcome(ob, 20, true, 4), 0);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 11);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 20);
	/* Asked across a restart. */
	outbox_close(&ob);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 11);
	r[0] = rej(12, REASON_KIND_NOT_ALLOWED, "pnp may not emit");
	r[1] = rej(14, REASON_BAD_TARGET, "no such seq");
	a.rej = r;
	a.n_rej = 2;
	a.first = 11;
	a.last = 14;
	a.next = 15;
	assert_int_equal(outbox_record_refusals(ob, &a, 5, fresh), 0);
	assert_true(fresh[0] && fresh[1]);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 15);
	/* Heard again: kept once, and said to be no news. */
	r[2] = rej(16, REASON_BAD_TARGET, "no such seq");
	a.n_rej = 3;
	a.first = 15;
	a.last = 20;
	a.next = 0;
	assert_int_equal(outbox_record_refusals(ob, &a, 6, fresh), 0);
	assert_true(!fresh[0] && !fresh[1] && fresh[2]);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 3);
	/* Sent again (--refetch) and the Ack lost: answers that name 14
	 * and 16 only. One covering 13..20 keeps all three (12 is outside
	 * it, 14 and 16 named); one covering 11..20 deletes 12, accepted
	 * this time. */
	a.rej = &r[1];
	a.n_rej = 2;
	a.first = 13;
	a.last = 20;
	assert_int_equal(outbox_record_refusals(ob, &a, 7, NULL), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 3);
	a.first = 11;
	assert_int_equal(outbox_record_refusals(ob, &a, 8, NULL), 1);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 2);
	/* Nothing named and nothing covered: nothing deleted. */
	memset(&a, 0, sizeof(a));
	assert_int_equal(outbox_record_refusals(ob, &a, 9, NULL), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 2);
	outbox_close(&ob);
}

static void
test_dead_list(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct dead_letter d[10];
	struct rejection r[4];
	char longtext[CODEC_MAX_TEXT + 1];
	int n;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_dead_list(ob, d, 10), 0);
	{
		uint64_t counts[REASON_COUNT];
		size_t i;
		uint64_t newest = 1;
		memset(counts, 0xff, sizeof(counts));
		assert_int_equal(outbox_dead_by_reason(ob, counts, &newest), 0);
		for (i = 0; i < REASON_COUNT; i++)
			assert_int_equal(counts[i], 0);
		assert_int_equal(newest, 0);
	}
	append_range(ob, 1, 40);
	memset(longtext, 'L', CODEC_MAX_TEXT);
	longtext[CODEC_MAX_TEXT] = '\0';
	r[0] = rej(3, REASON_BAD_EVENT, "first");
	r[1] = rej(30, REASON_BAD_SIGNATURE, longtext);
	assert_int_equal(outbox_record_ack(ob, 30, false, 111, r, 2), 0);
	r[2] = rej(17, REASON_GAP, "");
	r[3] = rej(40, (enum reason)200, "unknown reason");
	assert_int_equal(outbox_record_ack(ob, 40, false, 222, &r[2], 2), 0);

	memset(d, 0x55, sizeof(d));
	n = outbox_dead_list(ob, d, 10);
	assert_int_equal(n, 4);
	/* Newest (highest sequence) first, each with its ref. */
	assert_int_equal(d[0].seq, 40);
	assert_string_equal(d[0].ref, "REF-40");
	/* A reason this version does not know is still a refusal. */
	assert_int_equal(d[0].reason, REASON_BAD_EVENT);
	assert_string_equal(d[0].text, "unknown reason 200 (from a newer "
				       "version?): unknown reason");
	assert_int_equal(d[0].at_ms, 222);
	assert_int_equal(d[1].seq, 30);
	assert_string_equal(d[1].ref, "REF-30");
	assert_int_equal(d[1].reason, REASON_BAD_SIGNATURE);
	assert_string_equal(d[1].text, longtext);
	assert_int_equal(d[1].at_ms, 111);
	assert_int_equal(d[2].seq, 17);
	assert_string_equal(d[2].ref, "REF-17");
	assert_int_equal(d[2].reason, REASON_GAP);
	assert_string_equal(d[2].text, "");
	assert_int_equal(d[3].seq, 3);
	assert_string_equal(d[3].ref, "REF-3");
	assert_string_equal(d[3].text, "first");
	/* A maximum. */
	memset(d, 0, sizeof(d));
	assert_int_equal(outbox_dead_list(ob, d, 2), 2);
	assert_int_equal(d[0].seq, 40);
	assert_int_equal(d[1].seq, 30);
	assert_int_equal(outbox_dead_list(ob, d, 0), 0);

	/* Counted by reason; an unknown reason counts as bad_event. */
	{
		uint64_t counts[REASON_COUNT];
		uint64_t newest = 0;
		memset(counts, 0xff, sizeof(counts));
		assert_int_equal(outbox_dead_by_reason(ob, counts, &newest), 0);
		assert_int_equal(newest, 222);
		assert_int_equal(counts[REASON_BAD_EVENT], 2);
		assert_int_equal(counts[REASON_BAD_SIGNATURE], 1);
		assert_int_equal(counts[REASON_GAP], 1);
		assert_int_equal(counts[REASON_NONE], 0);
		assert_int_equal(counts[REASON_BAD_TARGET], 0);
	}

	/* A rejection for a sequence never appended has no ref. */
	r[0] = rej(1000, REASON_BAD_ENVELOPE, "?");
	assert_int_equal(outbox_record_ack(ob, 40, false, 333, r, 1), 0);
	assert_int_equal(outbox_dead_list(ob, d, 1), 1);
	assert_int_equal(d[0].seq, 1000);
	assert_string_equal(d[0].ref, "");

	/* The newest refusal is the latest in time, whatever its
	 * sequence (a theft's events refused at --recover). */
	r[0] = rej(5, REASON_BAD_EVENT, "later");
	assert_int_equal(outbox_record_ack(ob, 40, false, 444, r, 1), 0);
	{
		uint64_t counts[REASON_COUNT], newest = 0;
		assert_int_equal(outbox_dead_by_reason(ob, counts, NULL), 0);
		assert_int_equal(outbox_dead_by_reason(ob, counts, &newest), 0);
		assert_int_equal(newest, 444);
	}
	outbox_close(&ob);
}

/* A long ref is cut to fit dead_letter.ref. */
static void
test_long_ref(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	struct dead_letter d;
	struct rejection r = rej(1, REASON_BAD_EVENT, "x");
	char ref[300];
	uint8_t env[4] = {0};

	memset(ref, 'R', sizeof(ref) - 1);
	ref[sizeof(ref) - 1] = '\0';
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_append(t, 1, 1, env, sizeof(env), ref), 0);
	assert_int_equal(outbox_commit(&t), 0);
	assert_int_equal(outbox_record_ack(ob, 1, false, 1, &r, 1), 0);
	assert_int_equal(outbox_dead_list(ob, &d, 1), 1);
	assert_int_equal(strlen(d.ref), sizeof(d.ref) - 1);
	assert_memory_equal(d.ref, ref, sizeof(d.ref) - 1);
	outbox_close(&ob);
}

/* Opens dir, appends seqs 1..3 and, from != 0, marks their refs checked
 * from `from` on; closed. */
static void
old_outbox(const char *dir, uint64_t from)
{
	struct outbox *ob;
	struct outbox_txn *t;

	assert_int_equal(outbox_open(dir, MAP, &ob), 0);
	append_range(ob, 1, 3);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_true(outbox_ref_checked(t, 1)); /* a new outbox's */
	if (from != 0)
		assert_int_equal(outbox_refs_checked_put(t, from), 0);
	assert_int_equal(outbox_commit(&t), 0);
	outbox_close(&ob);
	if (from == 0) {
		/* As a kuska before the refs' checks left it. */
		MDB_env *env = lmdb_env(dir);
		MDB_txn *txn;
		MDB_dbi dbi;
		MDB_val k = {17, "refs_checked_from"};

		assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
		assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
		assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
		assert_int_equal(mdb_txn_commit(txn), 0);
		mdb_env_close(env);
	}
}

/* The seqs 1..4 of a recovered outbox whose refs read as checked, as a
 * bit each (seq 1 the lowest). */
static unsigned
recovered_checked(const char *old_dir, const char *fresh_dir)
{
	struct outbox *old, *fresh;
	struct outbox_txn *t;
	struct rec r;
	unsigned bits = 0, s;

	assert_int_equal(outbox_open_read(old_dir, MAP, &old), 0);
	assert_int_equal(outbox_open(fresh_dir, MAP, &fresh), 0);
	append_range(fresh, 1, 3);
	memset(&r, 0, sizeof(r));
	r.old = old;
	r.fresh = fresh;
	r.cons_last = 3;
	assert_int_equal(rec_finish_meta(&r), 0);
	assert_int_equal(outbox_begin(fresh, &t), 0);
	for (s = 1; s <= 4; s++)
		if (outbox_ref_checked(t, s))
			bits |= 1u << (s - 1);
	outbox_abort(&t);
	outbox_close(&fresh);
	outbox_close(&old);
	return bits;
}

/*
 * kuska-node --recover takes refs from the old outbox: they stay as
 * checked for a victim's identity as they were there, from its mark on,
 * none of them when it has none (an older kuska's), where the fresh
 * outbox, new, said all of them checked (refs50).
 */
static void
test_refs_checked_recover(void **state)
{
	struct fixture *fx = *state;
	char old[96], fresh[96];

	old_outbox(fx->db, 2);
	snprintf(fresh, sizeof(fresh), "%s/fresh1", fx->dir);
	assert_int_equal(recovered_checked(fx->db, fresh), 0xeu);
	snprintf(old, sizeof(old), "%s/old2", fx->dir);
	old_outbox(old, 0);
	snprintf(fresh, sizeof(fresh), "%s/fresh2", fx->dir);
	assert_int_equal(recovered_checked(old, fresh), 0x8u);
}

/* The seqs 1..6 of outbox dir, opened to write, whose refs read as
 * checked, as a bit each (seq 1 the lowest); closed. */
static unsigned
checked_bits(const char *dir)
{
	struct outbox *ob;
	struct outbox_txn *t;
	unsigned bits = 0, s;

	assert_int_equal(outbox_open(dir, MAP, &ob), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	for (s = 1; s <= 6; s++)
		if (outbox_ref_checked(t, s))
			bits |= 1u << (s - 1);
	outbox_abort(&t);
	outbox_close(&ob);
	return bits;
}

/* A commit of a kuska that keeps no mark of checked refs: it renews no
 * stamp of ours (next_seq put again as it was). */
static void
older_kuska_commit(const char *dir)
{
	MDB_env *env = lmdb_env(dir);
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {8, "next_seq"}, v;
	uint8_t b[64];

	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	assert_true(v.mv_size <= sizeof(b));
	memcpy(b, v.mv_data, v.mv_size);
	v.mv_data = b;
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/*
 * An outbox an older kuska wrote to after this one marked its refs
 * checked (a downgrade and back) holds refs past the mark that no one
 * checked: opened again to write, the mark moves to the next sequence;
 * --recover, reading it as it is, takes none of its refs as checked.
 * Left as it was, a stage warning printed those refs.
 */
static void
test_refs_checked_downgrade(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob;
	char fresh[96];

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 3);
	outbox_close(&ob);
	assert_int_equal(checked_bits(fx->db), 0x3fu); /* kept at 1 */
	/* The older kuska stores seqs 4 and 5 (their refs as this one's). */
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 4, 5);
	outbox_close(&ob);
	older_kuska_commit(fx->db);
	snprintf(fresh, sizeof(fresh), "%s/fresh", fx->dir);
	assert_int_equal(recovered_checked(fx->db, fresh), 0x8u);
	assert_int_equal(checked_bits(fx->db), 0x20u);
	assert_int_equal(checked_bits(fx->db), 0x20u); /* stays there */
}

/*
 * The mark not moved at an opening after an older kuska wrote (its
 * transaction failed: a full disk): every ref is taken as unchecked
 * until an opening moves it, however much this one commits meanwhile
 * (its commits renew no stamp, which would hide the older kuska's).
 */
static void
test_refs_checked_unsettled(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 3);
	outbox_close(&ob);
	older_kuska_commit(fx->db);
	/* The opening's own, the dead letters' summary's, the mark's. */
	fail_write_begin = 3;
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	fail_write_begin = 0;
	append_range(ob, 4, 5);
	{
		struct outbox_txn *t;
		unsigned s;

		assert_int_equal(outbox_begin(ob, &t), 0);
		for (s = 1; s <= 6; s++)
			assert_false(outbox_ref_checked(t, s));
		outbox_abort(&t);
	}
	outbox_close(&ob);
	assert_int_equal(checked_bits(fx->db), 0x20u);
}

/*
 * The mark of checked refs is read from the store at the opening, and
 * moved by outbox_refs_checked_put alone: outbox_ref_checked, asked of
 * each ref a stage warning or a dead-letter listing names, reads nothing
 * (it read meta each time). A mark put counts within its transaction,
 * then only if committed.
 */
static void
test_refs_checked_kept(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob;
	struct outbox_txn *t;
	unsigned s;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 3);
	assert_int_equal(outbox_begin(ob, &t), 0);
	lmdb_gets = 0;
	for (s = 1; s <= 6; s++)
		assert_true(outbox_ref_checked(t, s));
	assert_int_equal(lmdb_gets, 0);
	assert_int_equal(outbox_refs_checked_put(t, 3), 0);
	assert_false(outbox_ref_checked(t, 2));
	assert_true(outbox_ref_checked(t, 3));
	outbox_abort(&t);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_true(outbox_ref_checked(t, 2)); /* aborted: as it was */
	assert_int_equal(outbox_refs_checked_put(t, 3), 0);
	assert_int_equal(outbox_commit(&t), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_false(outbox_ref_checked(t, 2));
	assert_true(outbox_ref_checked(t, 3));
	outbox_abort(&t);
	outbox_close(&ob);
	assert_int_equal(checked_bits(fx->db), 0x3cu); /* opened again */
}

/*
 * A tiny map fills: outbox_append or outbox_commit says -EFBIG, and
 * everything committed before is intact and readable, after reopening
 * too.
 */
static void
test_map_full(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	struct outbox_state st;
	struct read_ctx c;
	uint8_t env[512];
	uint64_t committed = 0, s;
	int r = 0, rounds;

	assert_int_equal(outbox_open(fx->db, 64 * 1024, &ob), 0);
	/* Batches of 5 until the map is full. */
	for (rounds = 0; rounds < 1000; rounds++) {
		assert_int_equal(outbox_begin(ob, &t), 0);
		for (s = committed + 1; s <= committed + 5; s++) {
			char ref[32];
			snprintf(ref, sizeof(ref), "REF-%llu",
				 (unsigned long long)s);
			r = outbox_append(t, s, 1000 + s, env,
					  fake_env(s, env, sizeof(env)), ref);
			if (r != 0)
				break;
		}
		if (r != 0) {
			assert_int_equal(r, -EFBIG);
			outbox_abort(&t);
			break;
		}
		r = outbox_commit(&t);
		assert_null(t);
		if (r != 0) {
			assert_int_equal(r, -EFBIG);
			break;
		}
		committed += 5;
	}
	assert_int_equal(r, -EFBIG);
	assert_true(committed > 0);

	/* What was committed is all there, and nothing more. */
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.next_seq, committed + 1);
	memset(&c, 0, sizeof(c));
	c.expect = 1;
	assert_int_equal(outbox_read(ob, 1, 100000, read_fn, &c),
			 (int)committed);
	/* Still usable: acks (small writes) may or may not fit, but never
	 * corrupt anything. */
	r = outbox_record_ack(ob, committed, false, 42, NULL, 0);
	assert_true(r == 0 || r == -EFBIG);
	outbox_close(&ob);

	/* Reopened with room, it carries on from the same point. */
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.next_seq, committed + 1);
	memset(&c, 0, sizeof(c));
	c.expect = 1;
	assert_int_equal(outbox_read(ob, 1, 100000, read_fn, &c),
			 (int)committed);
	append_range(ob, committed + 1, committed + 20);
	memset(&c, 0, sizeof(c));
	c.expect = 1;
	assert_int_equal(outbox_read(ob, 1, 100000, read_fn, &c),
			 (int)committed + 20);
	outbox_close(&ob);
}

/* A big single envelope in a tiny map. */
static void
test_map_full_one_value(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	struct outbox_state st;
	uint8_t *big = calloc(1, 256 * 1024);
	int r;

	assert_non_null(big);
	assert_int_equal(outbox_open(fx->db, 64 * 1024, &ob), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	r = outbox_append(t, 1, 1, big, 256 * 1024, "big");
	if (r == 0)
		r = outbox_commit(&t);
	else
		outbox_abort(&t);
	assert_int_equal(r, -EFBIG);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.next_seq, 1);
	outbox_close(&ob);
	free(big);
}

static void
test_open_errors(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	char path[128];
	FILE *f;

	/* A parent that does not exist. */
	snprintf(path, sizeof(path), "%s/no/such/dir", fx->dir);
	assert_int_equal(outbox_open(path, MAP, &ob), -ENOENT);
	assert_null(ob);
	/* A file where the directory should be. */
	snprintf(path, sizeof(path), "%s/file", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_true(outbox_open(path, MAP, &ob) < 0);
	assert_null(ob);
}

/* Overwrites every occurrence of pat in dir/data.mdb; returns how many. */
static int
damage_file(const char *dir, const char *pat)
{
	char path[160];
	FILE *f;
	uint8_t *buf;
	long size, i;
	size_t pl = strlen(pat);
	int n = 0;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	for (i = 0; i + (long)pl <= size; i++)
		if (memcmp(buf + i, pat, pl) == 0) {
			buf[i] ^= 0x20;
			n++;
		}
	rewind(f);
	assert_int_equal(fwrite(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	free(buf);
	return n;
}

/* A damaged ref and a truncated file: named by outbox_check. */
static void
test_check_damage(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_report rep;
	char path[160];

	assert_int_equal(outbox_check(fx->db, &rep), 0);
	assert_true(outbox_sound(&rep)); /* none yet */
	outbox_report_clear(&rep);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 30);
	outbox_close(&ob);
	assert_int_equal(outbox_check(fx->db, &rep), 0);
	assert_true(outbox_sound(&rep));
	assert_true(rep.entries >= 60);
	outbox_report_clear(&rep);

	assert_true(damage_file(fx->db, "REF-17") >= 1);
	assert_int_equal(outbox_check(fx->db, &rep), 0);
	assert_false(rep.unreadable);
	assert_int_equal(rep.n_damaged, 1);
	assert_string_equal(rep.damaged[0].table, "seqref");
	assert_true(rep.damaged[0].has_seq);
	assert_int_equal(rep.damaged[0].seq, 17);
	outbox_report_clear(&rep);

	snprintf(path, sizeof(path), "%s/data.mdb", fx->db);
	assert_int_equal(truncate(path, 8192 + 4096), 0);
	assert_int_equal(outbox_check(fx->db, &rep), 0);
	assert_true(rep.unreadable);
	assert_non_null(strstr(rep.why, "truncated: the data file holds "));
	assert_non_null(strstr(rep.why, " bytes, the outbox needs "));
	outbox_report_clear(&rep);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), -EUCLEAN);
	assert_null(ob);
}

/* A directory where lock.mdb belongs: named, not data.mdb, and the
 * outbox not called damaged for it. */
static void
test_check_lock_dir(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_report rep;
	char path[160];

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 3);
	outbox_close(&ob);
	snprintf(path, sizeof(path), "%s/lock.mdb", fx->db);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(outbox_check(fx->db, &rep), -EISDIR);
	assert_false(rep.unreadable);
	assert_non_null(strstr(rep.why, "/lock.mdb is not a regular file"));
	assert_non_null(strstr(rep.why, "remove it"));
	outbox_report_clear(&rep);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(outbox_check(fx->db, &rep), 0);
	assert_true(outbox_sound(&rep));
	outbox_report_clear(&rep);
}

/* What --recover writes, and reads back from an old outbox. */
static void
test_rebuild_pieces(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	struct outbox_state st;
	struct dead_letter d[4];
	uint8_t id[OUTBOX_ID_LEN], id2[OUTBOX_ID_LEN], env[512], *got;
	size_t len;
	char ref[32];

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	outbox_id(ob, id);
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(
	    outbox_put_held(t, 1, 11, env, fake_env(1, env, sizeof(env)), "R1"),
	    0);
	/* A gap: a refusal kept without its envelope. */
	assert_int_equal(
	    outbox_put_held(t, 3, 13, env, fake_env(3, env, sizeof(env)), NULL),
	    0);
	assert_int_equal(outbox_put_held(t, 2, 12, env, 4, NULL), -EINVAL);
	assert_int_equal(outbox_put_dead(t, 2, REASON_BAD_EVENT, 99, "why"), 0);
	memset(id2, 7, sizeof(id2));
	assert_int_equal(outbox_put_meta(t, 3, 1234, id2), 0);
	assert_int_equal(outbox_commit(&t), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.next_seq, 4);
	assert_int_equal(st.acked_seq, 3);
	assert_int_equal(st.last_contact_ms, 1234);
	assert_int_equal(st.dead_total, 1);
	assert_int_equal(outbox_dead_list(ob, d, 4), 1);
	assert_int_equal(d[0].seq, 2);
	outbox_id(ob, id);
	assert_memory_equal(id, id2, OUTBOX_ID_LEN);
	assert_int_equal(outbox_get(ob, 1, &got, &len, ref, sizeof(ref)), 0);
	assert_int_equal(len, fake_env(1, env, sizeof(env)));
	assert_memory_equal(got, env, len);
	assert_string_equal(ref, "R1");
	free(got);
	assert_int_equal(outbox_get(ob, 3, &got, &len, ref, sizeof(ref)), 0);
	assert_string_equal(ref, "");
	free(got);
	assert_int_equal(outbox_get(ob, 2, &got, &len, ref, sizeof(ref)),
			 -ENOENT);
	outbox_close(&ob);
	/* The identity persists. */
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	outbox_id(ob, id);
	assert_memory_equal(id, id2, OUTBOX_ID_LEN);
	outbox_close(&ob);
}

/* Divergence is recorded until cleared; dead letters come back to life. */
/*
 * Many neighbouring dead letters over several LMDB pages, every other one
 * named: the cursor deletes a run and steps on correctly after each.
 */
static void
test_revive_run(void **state)
{
	enum { N = 1500 };
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_refusals a;
	struct outbox_state st;
	static struct rejection all[N], kept[N / 2];
	uint64_t i;
	size_t k = 0;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, N);
	for (i = 0; i < N; i++) {
		all[i] = rej(i + 1, REASON_BAD_TARGET, "no such seq");
		if (i % 2 == 1)
			kept[k++] = all[i];
	}
	assert_int_equal(outbox_record_ack(ob, N, false, 1, all, N), 0);
	memset(&a, 0, sizeof(a));
	a.rej = kept;
	a.n_rej = k;
	a.first = 1;
	a.last = N;
	assert_int_equal(outbox_record_refusals(ob, &a, 2, NULL), N / 2);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, N / 2);
	/* The rest, none named: all gone. */
	a.n_rej = 0;
	assert_int_equal(outbox_record_refusals(ob, &a, 3, NULL), N / 2);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 0);
	outbox_close(&ob);
}

static void
test_diverged_and_revive(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct rejection r[2] = {rej(3, REASON_BAD_EVENT, "a"),
				 rej(5, REASON_BAD_TARGET, "b")};
	char why[64];

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_false(outbox_diverged(ob, why, sizeof(why)));
	assert_int_equal(outbox_set_diverged(ob, "restored"), 0);
	outbox_close(&ob);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_true(outbox_diverged(ob, why, sizeof(why)));
	assert_string_equal(why, "restored");
	assert_int_equal(outbox_set_diverged(ob, ""), 0);
	assert_false(outbox_diverged(ob, why, sizeof(why)));

	append_range(ob, 1, 6);
	assert_int_equal(outbox_record_ack(ob, 6, false, 1, r, 2), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 2);
	/* Sent again, 5 refused again, 3 accepted this time. */
	assert_int_equal(outbox_revive(ob, 1, 6, &r[1], 1), 1);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.dead_total, 1);
	assert_int_equal(outbox_revive(ob, 1, 6, &r[1], 1), 0);
	assert_int_equal(outbox_revive(ob, 0, 6, NULL, 0), 0);
	outbox_close(&ob);
}

/*
 * What outbox_dead_by_reason must say, counted here from every dead letter
 * outbox_dead_list gives (the table itself, not the summary kept of it).
 */
static void
dead_counted(struct outbox *ob, uint64_t counts[REASON_COUNT], uint64_t *newest)
{
	struct outbox_state st;
	struct dead_letter *d;
	int n, i;

	memset(counts, 0, REASON_COUNT * sizeof(counts[0]));
	*newest = 0;
	assert_int_equal(outbox_state(ob, &st), 0);
	d = calloc(st.dead_total + 1, sizeof(*d));
	assert_non_null(d);
	n = outbox_dead_list(ob, d, st.dead_total + 1);
	assert_int_equal(n, (int)st.dead_total);
	for (i = 0; i < n; i++) {
		counts[d[i].reason]++;
		if (d[i].at_ms > *newest)
			*newest = d[i].at_ms;
	}
	free(d);
}

/* outbox_dead_by_reason agrees with the dead letters held, and holds
 * `total` of them. */
static void
assert_dead_summary(struct outbox *ob, uint64_t total)
{
	uint64_t want[REASON_COUNT], got[REASON_COUNT], wn, gn = 1, sum = 0;
	size_t i;

	dead_counted(ob, want, &wn);
	memset(got, 0xff, sizeof(got));
	assert_int_equal(outbox_dead_by_reason(ob, got, &gn), 0);
	for (i = 0; i < REASON_COUNT; i++) {
		assert_int_equal(got[i], want[i]);
		sum += got[i];
	}
	assert_int_equal(gn, wn);
	assert_int_equal(sum, total);
}

/* Runs fn on the outbox's LMDB tables directly (the outbox closed):
 * what an earlier kuska, which kept no summary, would have done. */
static void
lmdb_edit(const char *dir, void (*fn)(MDB_txn *, MDB_dbi, MDB_dbi))
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dead, meta;

	env = lmdb_env(dir);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "dead", 0, &dead), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	fn(txn, dead, meta);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* The id of the outbox's last commit (the outbox closed). */
static size_t
last_txnid(const char *dir)
{
	MDB_env *env;
	MDB_envinfo info;

	env = lmdb_env(dir);
	assert_int_equal(mdb_env_info(env, &info), 0);
	mdb_env_close(env);
	return info.me_last_txnid;
}

static bool
has_summary(MDB_txn *txn, MDB_dbi meta)
{
	MDB_val k = {12, "dead_summary"}, v;

	return mdb_get(txn, meta, &k, &v) == 0;
}

/* An outbox of a kuska that kept no summary. */
static void
drop_summary(MDB_txn *txn, MDB_dbi dead, MDB_dbi meta)
{
	MDB_val k = {12, "dead_summary"};

	(void)dead;
	assert_int_equal(mdb_del(txn, meta, &k, NULL), 0);
}

static void
summary_kept(MDB_txn *txn, MDB_dbi dead, MDB_dbi meta)
{
	(void)dead;
	assert_true(has_summary(txn, meta));
}

/* An earlier kuska deleting a dead letter (of sequence 7) and leaving
 * the summary as it was. */
static void
drop_dead_7(MDB_txn *txn, MDB_dbi dead, MDB_dbi meta)
{
	uint8_t kb[8] = {0, 0, 0, 0, 0, 0, 0, 7};
	MDB_val k = {8, kb};

	assert_true(has_summary(txn, meta));
	assert_int_equal(mdb_del(txn, dead, &k, NULL), 0);
}

/* An earlier kuska adding a dead letter (44: another reason than 41's,
 * refused later) and reviving another (42), and leaving the summary as it
 * was: as many dead letters as it was made for. */
static void
swap_dead_42(MDB_txn *txn, MDB_dbi dead, MDB_dbi meta)
{
	uint8_t k41[8] = {0, 0, 0, 0, 0, 0, 0, 41};
	uint8_t k42[8] = {0, 0, 0, 0, 0, 0, 0, 42};
	uint8_t k44[8] = {0, 0, 0, 0, 0, 0, 0, 44};
	MDB_val k = {8, k42}, v, w;
	uint8_t b[256];
	size_t len;

	assert_true(has_summary(txn, meta));
	assert_int_equal(mdb_get(txn, dead, &k, &v), 0);
	len = v.mv_size - LMDBCHECK_TAG_LEN; /* its reason, time, text */
	assert_true(len >= 9 && len + LMDBCHECK_TAG_LEN <= sizeof(b));
	memcpy(b, v.mv_data, len);
	k.mv_data = k41;
	assert_int_equal(mdb_get(txn, dead, &k, &w), 0);
	assert_int_not_equal(b[0], *(const uint8_t *)w.mv_data);
	b[0] = *(const uint8_t *)w.mv_data;
	bytes_put_be64(b + 1, 700);
	bytes_put_be32(b + len, lmdbcheck_tag(k44, 8, b, len));
	k.mv_data = k44;
	v.mv_data = b;
	v.mv_size = len + LMDBCHECK_TAG_LEN;
	assert_int_equal(mdb_put(txn, dead, &k, &v, 0), 0);
	k.mv_data = k42;
	assert_int_equal(mdb_del(txn, dead, &k, NULL), 0);
}

/*
 * The summary of the dead letters kuska status and the metrics read
 * (their count by reason, the newest time) stays that of the table
 * through every write that adds or deletes one: Acks, refusals asked,
 * revivals (the newest among them), --recover's writes, a reopen, and an
 * outbox of an earlier kuska (none kept, or one it no longer matches, even
 * with as many dead letters).
 */
static void
test_dead_summary(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	struct outbox_refusals a;
	struct rejection r[6];
	size_t txnid;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_dead_summary(ob, 0);
	append_range(ob, 1, 40);
	r[0] = rej(3, REASON_BAD_EVENT, "a");
	r[1] = rej(7, REASON_WRONG_NETWORK, "b");
	r[2] = rej(9, (enum reason)200, "a newer version's");
	assert_int_equal(outbox_record_ack(ob, 10, false, 100, r, 3), 0);
	assert_dead_summary(ob, 3);
	/* Heard again, later: still one each, refused at 100. */
	assert_int_equal(outbox_record_ack(ob, 10, false, 150, r, 3), 0);
	assert_dead_summary(ob, 3);
	/* An Ack refusing nothing. */
	assert_int_equal(outbox_record_ack(ob, 12, false, 160, NULL, 0), 0);
	assert_dead_summary(ob, 3);

	/* Refusals asked: 20 and 25 refused, 9 no longer (the newest time
	 * is 200 until 25, the one refused then, is revived). */
	r[3] = rej(20, REASON_KIND_NOT_ALLOWED, "c");
	r[4] = rej(25, REASON_GAP, "d");
	memset(&a, 0, sizeof(a));
	a.rej = &r[3];
	a.n_rej = 2;
	a.first = 9;
	a.last = 30;
	assert_int_equal(outbox_record_refusals(ob, &a, 200, NULL), 1);
	assert_dead_summary(ob, 4);
	/* A newest revived (25: 20, refused at the same time, is still
	 * one), then 7 and the other (20: the newest is 3's, 100), then 3. */
	r[5] = rej(3, REASON_BAD_EVENT, "a");
	assert_int_equal(outbox_revive(ob, 21, 30, NULL, 0), 1);
	assert_dead_summary(ob, 3);
	assert_int_equal(outbox_revive(ob, 3, 20, &r[5], 1), 2);
	assert_dead_summary(ob, 1);
	assert_int_equal(outbox_revive(ob, 1, 40, NULL, 0), 1);
	assert_dead_summary(ob, 0);

	/* --recover's writes: one dead letter written twice is one, with
	 * its second reason and time. */
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_put_dead(t, 41, REASON_BAD_TARGET, 500, "e"),
			 0);
	assert_int_equal(outbox_put_dead(t, 42, REASON_GAP, 300, "f"), 0);
	assert_int_equal(outbox_put_dead(t, 41, REASON_BAD_EVENT, 250, "g"), 0);
	assert_int_equal(outbox_commit(&t), 0);
	assert_dead_summary(ob, 2);
	/* Aborted: nothing of it stays. */
	assert_int_equal(outbox_begin(ob, &t), 0);
	assert_int_equal(outbox_put_dead(t, 43, REASON_GAP, 900, "h"), 0);
	outbox_abort(&t);
	assert_dead_summary(ob, 2);
	r[0] = rej(7, REASON_WRONG_NETWORK, "b");
	assert_int_equal(outbox_record_ack(ob, 40, false, 400, r, 1), 0);
	assert_dead_summary(ob, 3);
	outbox_close(&ob);
	lmdb_edit(fx->db, summary_kept);

	/* An outbox of an earlier kuska: counted meanwhile, then kept
	 * again from its next opening. */
	lmdb_edit(fx->db, drop_summary);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_dead_summary(ob, 3);
	outbox_close(&ob);
	lmdb_edit(fx->db, summary_kept);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_dead_summary(ob, 3);
	outbox_close(&ob);
	/* An earlier kuska wrote to it since: the summary does not match
	 * the table, and is not used. */
	lmdb_edit(fx->db, drop_dead_7);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_dead_summary(ob, 2);
	r[0] = rej(33, REASON_BAD_SIGNATURE, "i");
	assert_int_equal(outbox_record_ack(ob, 40, false, 600, r, 1), 0);
	assert_dead_summary(ob, 3);
	outbox_close(&ob);
	/* An earlier kuska added one and revived another: as many as the
	 * summary was made for, which is not used all the same. */
	lmdb_edit(fx->db, swap_dead_42);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_dead_summary(ob, 3);
	outbox_close(&ob);
	/* Opened again with nothing written since: the summary is used, and
	 * nothing is written to keep it. */
	txnid = last_txnid(fx->db);
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_dead_summary(ob, 3);
	outbox_close(&ob);
	assert_int_equal(last_txnid(fx->db), txnid);
}

/*
 * A node killed (-9) while it records refusals and revivals: the outbox
 * opened again holds the summary of the dead letters it holds.
 */
static void
test_dead_summary_kill(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob = NULL;
	struct outbox_state st;
	int fds[2], status;
	pid_t pid;
	char c;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 2000);
	outbox_close(&ob);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct rejection r[100];
		struct outbox_refusals a;
		uint64_t round, i;

		close(fds[0]);
		if (outbox_open(fx->db, MAP, &ob) != 0)
			_exit(1);
		for (round = 0;; round++) {
			uint64_t base = round * 37 % 1900 + 1;
			for (i = 0; i < 100; i++)
				r[i] = rej(base + i * (round % 3 + 1),
					   (enum reason)(1 + (base + i) % 18),
					   "refused");
			if (outbox_record_ack(ob, 2000, false, 1000 + round, r,
					      100) != 0)
				_exit(1);
			memset(&a, 0, sizeof(a));
			a.rej = r;
			a.n_rej = 50;
			a.first = base;
			a.last = base + 150;
			if (outbox_record_refusals(ob, &a, 5000 - round, NULL) <
			    0)
				_exit(1);
			if (round == 20 && write(fds[1], "x", 1) != 1)
				_exit(1);
		}
	}
	close(fds[1]);
	/* The child is past its 20th round: kill it in the middle of some
	 * later one. */
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	usleep(20000);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_true(st.dead_total > 0);
	assert_dead_summary(ob, st.dead_total);
	outbox_close(&ob);
}

/* Writes text as the whole of file path. */
static void
put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Whether file path holds exactly text. */
static bool
file_is(const char *path, const char *text)
{
	char buf[64];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/* A fresh outbox directory under fx holding a data file of text. */
static void
fresh_outbox(const struct fixture *fx, const char *text, char *dir, size_t cap)
{
	char path[192];

	snprintf(dir, cap, "%s/fresh-XXXXXX", fx->dir);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	put_file(path, text);
}

/* The bytes of file dir/name into a new buffer, its length *ret_len. */
static uint8_t *
file_bytes(const char *dir, const char *name, size_t *ret_len)
{
	char path[160];
	uint8_t *b;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	b = malloc((size_t)n);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*ret_len = (size_t)n;
	return b;
}

/*
 * An outbox opened to read only (kuska-node --recover's old one) reads
 * its envelopes and leaves its data file as it was; its lock file, where
 * LMDB writes the reader slot, has its blocks allocated as an opening to
 * write makes it (daemon_reserve_lock: not sparse, which a full disk
 * made a SIGBUS at that first write).
 */
static void
test_open_read(void **state)
{
	struct fixture *fx = *state;
	struct outbox *ob;
	uint8_t *before, *after, *env;
	size_t nb, na, len;
	char path[160], ref[32];
	struct stat sb;

	assert_int_equal(outbox_open(fx->db, MAP, &ob), 0);
	append_range(ob, 1, 3);
	outbox_close(&ob);
	before = file_bytes(fx->db, "data.mdb", &nb);
	snprintf(path, sizeof(path), "%s/lock.mdb", fx->db);
	assert_int_equal(unlink(path), 0);

	assert_int_equal(outbox_open_read(fx->db, MAP, &ob), 0);
	assert_int_equal(outbox_get(ob, 2, &env, &len, ref, sizeof(ref)), 0);
	assert_string_equal(ref, "REF-2");
	free(env);
	assert_int_equal(stat(path, &sb), 0);
	assert_true((uint64_t)sb.st_blocks * 512 >= (uint64_t)sb.st_size);
	outbox_close(&ob);
	after = file_bytes(fx->db, "data.mdb", &na);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, nb);
	free(before);
	free(after);
}

/*
 * Two recoveries within a second each keep the outbox they replace: the
 * second must not take the first's copy's name (it may be the only copy
 * of the outbox before a theft), nor any name already there.
 */
static void
test_swap_in_keeps_each(void **state)
{
	struct fixture *fx = *state;
	char fresh[160], moved1[256], moved2[256], path[192], decoy[256];
	char stamp[DATE_STAMP_SIZE];
	time_t now = time(NULL);
	int i;

	assert_int_equal(mkdir(fx->db, 0700), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", fx->db);
	put_file(path, "first");
	/* Names of this second and the next two already taken. */
	for (i = 0; i < 3; i++) {
		time_t t = now + i;
		struct tm tm;

		assert_non_null(gmtime_r(&t, &tm));
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(decoy, sizeof(decoy), "%s/data.mdb.before-recover-%s",
			 fx->db, stamp);
		put_file(decoy, "decoy");
	}

	fresh_outbox(fx, "second", fresh, sizeof(fresh));
	assert_int_equal(outbox_swap_in(fx->db, fresh, moved1, sizeof(moved1)),
			 0);
	fresh_outbox(fx, "third", fresh, sizeof(fresh));
	assert_int_equal(outbox_swap_in(fx->db, fresh, moved2, sizeof(moved2)),
			 0);

	assert_true(file_is(path, "third"));
	assert_string_not_equal(moved1, moved2);
	assert_true(file_is(moved1, "first"));
	assert_true(file_is(moved2, "second"));
	for (i = 0; i < 3; i++) {
		time_t t = now + i;
		struct tm tm;

		assert_non_null(gmtime_r(&t, &tm));
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(decoy, sizeof(decoy), "%s/data.mdb.before-recover-%s",
			 fx->db, stamp);
		assert_true(file_is(decoy, "decoy"));
	}
	/* No data file: nothing kept, nothing named. */
	assert_int_equal(unlink(path), 0);
	fresh_outbox(fx, "fourth", fresh, sizeof(fresh));
	assert_int_equal(outbox_swap_in(fx->db, fresh, moved1, sizeof(moved1)),
			 0);
	assert_string_equal(moved1, "");
	assert_true(file_is(path, "fourth"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_err_file_too_large),
	    cmocka_unit_test_setup_teardown(test_append_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_next_seq_persists, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_append_wrong_seq, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_refs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ref_layouts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_ack, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_welcome, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dead_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_ref, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refs_checked_recover, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_refs_checked_downgrade, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_refs_checked_unsettled, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_refs_checked_kept, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_map_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_full_one_value, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_damage, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_lock_dir, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_first_origin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rebuild_pieces, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_revive_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_diverged_and_revive, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dead_summary, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_summary_kill, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_swap_in_keeps_each, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_open_read, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
