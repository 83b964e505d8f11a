/*
 * test_link.c - linking victims (EVENTS.md "Linking a victim", version 2)
 * and the rules that ride on it, through the statistics engine (stats*.c,
 * link.c) over a real LMDB store in a temporary directory: each test is a
 * small hand-made set of records whose tables are read back with
 * query_run, as the analyst sees them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "link.h"
#include "query.h"
#include "stats.h"
#include "stats_rig.h"
#include "store.h"

#define MAX_STEPS 256

/* One record of a scenario; targets are named by label, not sequence. */
struct step {
	enum institution inst;
	int label;  /* > 0 when something targets it */
	int target; /* CORRECTION, WITHDRAWAL: the target's label */
	struct event ev;
};

struct world {
	char dir[64];
	struct store *st;
	struct stats *s;
	struct step *steps;
	size_t n;      /* steps made */
	size_t done;   /* steps applied */
	int32_t today; /* the day the next steps are accepted */
	uint64_t seq[INST_COUNT + 1];
	uint64_t by_label[MAX_STEPS + 1];
};

static struct world w;

static int
setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	w.steps = calloc(MAX_STEPS, sizeof(*w.steps));
	w.today = date_from_ymd(2025, 12, 31);
	if (w.steps == NULL)
		return -1;
	return stats_rig_open(w.dir, sizeof(w.dir), "link", &w.st, &w.s);
}

static int
teardown(void **state)
{
	(void)state;
	free(w.steps);
	return stats_rig_close(w.dir, &w.st, &w.s);
}

/* ---- making records --------------------------------------------------- */

/* A 32-byte key made of a tag and a number. */
static void
key_of(uint8_t tag, int n, uint8_t out[PSEUDONYM_LEN])
{
	memset(out, 0, PSEUDONYM_LEN);
	out[0] = tag;
	out[1] = (uint8_t)(n >> 8);
	out[2] = (uint8_t)n;
	out[31] = 0x5a;
}

/*
 * A victim: doc > 0 is DNI number doc, doc < 0 a passport, 0 none; name
 * > 0 is name key number name, 0 none. F, 15, PE.
 */
static struct victim
V(int doc, int name) {
	struct victim v;

	memset(&v, 0, sizeof(v));
	if (doc > 0) {
		v.doc_type = DOC_DNI;
		key_of(1, doc, v.doc_key);
	} else if (doc < 0) {
		v.doc_type = DOC_PASSPORT;
		key_of(3, -doc, v.doc_key);
	}
	if (name > 0) {
		v.has_name_key = true;
		key_of(2, name, v.name_key);
	}
	v.sex = SEX_F;
	v.age_years = 15;
	v.age_group = age_group_of(15);
	memcpy(v.nationality, "PE", 3);
	return v;
}

/* A victim of schema version 2: one key, given as the bytes of a
 * document or name key. */
static struct victim
V1(const uint8_t key[PSEUDONYM_LEN]) {
	struct victim v = V(0, 0);

	v.has_v1_key = true;
	memcpy(v.v1_key, key, PSEUDONYM_LEN);
	return v;
}

static int32_t
day(const char *s)
{
	int32_t d = 0;

	assert_int_equal(date_parse(s, strlen(s), &d), 0);
	return d;
}

static struct step *
step(enum institution inst, enum kind kind, const char *date, int label)
{
	struct step *st;

	assert_true(w.n < MAX_STEPS);
	st = &w.steps[w.n++];
	memset(st, 0, sizeof(*st));
	st->inst = inst;
	st->label = label;
	st->ev.kind = st->ev.rec.kind = kind;
	st->ev.rec.date = date != NULL ? day(date) : 0;
	st->ev.rec.region = 15;
	return st;
}

static void
ident(enum institution inst, const char *date, struct victim v, int label)
{
	struct step *st = step(inst, KIND_IDENTIFICATION, date, label);

	st->ev.rec.victim = v;
	st->ev.rec.exploitation = 1u << EXPL_SEXUAL;
}

static void
service(enum institution inst, const char *date, struct victim v)
{
	struct step *st = step(inst, KIND_SERVICE, date, 0);

	st->ev.rec.victim = v;
	st->ev.rec.service = SERVICE_MEDICAL;
}

/* A referral (kind REFERRAL: other is the destination) or a take-up
 * (REFERRAL_RECEIVED: other is the sender) of the sender's number. */
static void
referral(enum institution inst, enum kind kind, enum institution other,
	 int number, const char *date, struct victim v, int label)
{
	struct step *st = step(inst, kind, date, label);
	enum institution sender = kind == KIND_REFERRAL ? inst : other;

	st->ev.rec.victim = v;
	st->ev.rec.other = other;
	st->ev.rec.purpose = PURPOSE_PROTECTION;
	key_of((uint8_t)(0x40 + sender), number, st->ev.rec.referral);
}

static void
stage(enum institution inst, const char *date, int case_no, struct victim a,
      struct victim b)
{
	struct step *st = step(inst, KIND_CASE_STAGE, date, 0);

	key_of(9, case_no, st->ev.rec.case_id);
	st->ev.rec.stage = STAGE_COMPLAINT;
	st->ev.rec.persons = 1;
	snprintf(st->ev.rec.article, sizeof(st->ev.rec.article), "129-A");
	st->ev.rec.n_victims = 2;
	st->ev.rec.victims[0] = a;
	st->ev.rec.victims[1] = b;
}

/* mp's event of case case_no at stage st, with persons, no victims. */
static void
case_event(const char *date, int case_no, enum stage st, uint32_t persons)
{
	struct step *s = step(INST_MP, KIND_CASE_STAGE, date, 0);

	key_of(9, case_no, s->ev.rec.case_id);
	s->ev.rec.stage = st;
	s->ev.rec.persons = persons;
	snprintf(s->ev.rec.article, sizeof(s->ev.rec.article), "129-A");
}

/* inst's event of case case_no at stage st, labelled label, no victims. */
static void
stage_by(enum institution inst, const char *date, int case_no, enum stage st,
	 int label)
{
	struct step *s = step(inst, KIND_CASE_STAGE, date, label);

	key_of(9, case_no, s->ev.rec.case_id);
	s->ev.rec.stage = st;
	s->ev.rec.persons = 1;
	snprintf(s->ev.rec.article, sizeof(s->ev.rec.article), "129-A");
}

/* A correction of inst's record labelled target: the last step made,
 * turned into its replacement. */
static void
as_correction(int target)
{
	struct step *st = &w.steps[w.n - 1];

	st->ev.kind = KIND_CORRECTION;
	st->target = target;
}

static void
withdraw(enum institution inst, int target)
{
	struct step *st = step(inst, KIND_WITHDRAWAL, NULL, 0);

	memset(&st->ev.rec, 0, sizeof(st->ev.rec));
	st->target = target;
}

/* ---- applying them ------------------------------------------------------ */

/*
 * Applies the steps not yet applied, in the order given (indices into
 * w.steps, from the first; NULL: as made), batch events per transaction,
 * each institution's sequences going on from the last applied.
 */
static void
apply(const size_t *order, size_t batch)
{
	struct store_txn *t = NULL;
	size_t i, in_batch = 0;

	for (i = w.done; i < w.n; i++) {
		struct step *st = &w.steps[order != NULL ? order[i] : i];
		uint64_t s = ++w.seq[st->inst];
		if (t == NULL) {
			assert_int_equal(store_begin(w.st, true, &t), 0);
			stats_begin(w.s, t);
		}
		if (st->label > 0)
			w.by_label[st->label] = s;
		if (st->target > 0) {
			assert_true(w.by_label[st->target] > 0);
			st->ev.target_seq = w.by_label[st->target];
		}
		assert_int_equal(event_check(&st->ev, NULL), 0);
		assert_int_equal(
		    stats_apply(w.s, st->inst, s, &st->ev, w.today), 0);
		if (++in_batch == batch || i + 1 == w.n) {
			assert_int_equal(stats_flush(w.s), 0);
			assert_int_equal(store_commit(&t), 0);
			stats_committed(w.s);
			t = NULL;
			in_batch = 0;
		}
	}
	w.done = w.n;
}

/*
 * Empties the statistics (as a rebuild does), so that the next apply()
 * starts from the first step, and forgets the steps if told.
 */
static void
wipe(bool forget_steps)
{
	struct store_txn *t;

	assert_int_equal(store_begin(w.st, true, &t), 0);
	assert_int_equal(stats_clear(w.s, t), 0);
	assert_int_equal(store_commit(&t), 0);
	w.done = 0;
	memset(w.seq, 0, sizeof(w.seq));
	memset(w.by_label, 0, sizeof(w.by_label));
	w.today = date_from_ymd(2025, 12, 31);
	if (forget_steps)
		w.n = 0;
}

/*
 * A table of a period as the analyst sees it, compact: each row with a
 * count other than 0, its cells after the period joined by ':', rows by
 * spaces. In a static buffer.
 */
static const char *
table_of(const char *name, const char *period)
{
	static char out[4096];
	struct reg_party analyst = {.role = ROLE_ANALYST};
	struct query_req req;
	struct qtable q;
	size_t r, c, len = 0;

	memset(&req, 0, sizeof(req));
	snprintf(req.table, sizeof(req.table), "%s", name);
	snprintf(req.period, sizeof(req.period), "%s", period);
	assert_int_equal(query_run(w.st, &req, &analyst, 10, &q), 0);
	out[0] = '\0';
	for (r = 0; r < q.n_rows; r++) {
		char row[256] = "";
		size_t rl = 0;
		bool any = false;
		for (c = 1; c < q.n_cols; c++)
			any |= q.rows[r][c].kind == CELL_NUMBER &&
			       q.rows[r][c].number != 0;
		if (!any)
			continue;
		for (c = 1; c < q.n_cols; c++) {
			const struct cell *x = &q.rows[r][c];
			char v[48];
			if (x->kind == CELL_NUMBER)
				snprintf(v, sizeof(v), "%lld",
					 (long long)x->number);
			else
				snprintf(v, sizeof(v), "%s", x->text);
			rl += (size_t)snprintf(row + rl, sizeof(row) - rl,
					       "%s%s", c > 1 ? ":" : "", v);
		}
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
					len > 0 ? " " : "", row);
	}
	codec_qtable_clear(&q);
	return out;
}

/* The table of period 2025. */
static const char *
table(const char *name)
{
	return table_of(name, "2025");
}

/* The destinations with no take-up on record, as scope's view sees them
 * (query_no_takeups). */
static uint32_t
no_takeups(uint8_t scope)
{
	struct store_txn *t;
	uint32_t m = 0xffffffffu;

	assert_int_equal(store_begin(w.st, false, &t), 0);
	assert_int_equal(query_no_takeups(t, scope, &m), 0);
	store_abort(&t);
	return m;
}

#define BIT(i) (1u << (i))
#define ALL_DEST                                                               \
	(BIT(INST_PNP) | BIT(INST_MP) | BIT(INST_PJ) | BIT(INST_MIMP) |        \
	 BIT(INST_MINSA))

/* Every counter of the store, as one string of hex (to compare runs). */
static int
dump_one(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	char **p = arg;
	const uint8_t *kb = k, *vb = v;
	size_t i;

	for (i = 0; i < klen; i++)
		*p += sprintf(*p, "%02x", kb[i]);
	*(*p)++ = '=';
	for (i = 0; i < vlen; i++)
		*p += sprintf(*p, "%02x", vb[i]);
	*(*p)++ = ' ';
	return 0;
}

static char *
dump_counters(void)
{
	char *buf = malloc(8u << 20), *p = buf;
	struct store_txn *t;

	assert_non_null(buf);
	assert_int_equal(store_begin(w.st, false, &t), 0);
	assert_int_equal(store_each(t, T_COUNTERS, NULL, 0, dump_one, &p), 0);
	store_abort(&t);
	*p = '\0';
	return buf;
}

/* ---- the rules ----------------------------------------------------------- */

/* Three records joined through alternating keys: one victim. */
static void
test_chain(void **state)
{
	(void)state;
	ident(INST_PNP, "2025-03-01", V(1, 0), 0);
	referral(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 7, "2025-03-02",
		 V(1, 1), 0);
	ident(INST_MINSA, "2025-03-05", V(0, 1), 0);
	apply(NULL, 100);
	assert_string_equal(table("identification"), "pnp:1 minsa:1 all:1");
	assert_string_equal(table("overlap"), "pnp+minsa:1");

	/* Without the bridge, two victims; the bridge in a case stage's
	 * victims list, any institution's, links them again. */
	wipe(true);
	ident(INST_PNP, "2025-03-01", V(1, 0), 0);
	ident(INST_MINSA, "2025-03-05", V(0, 1), 0);
	apply(NULL, 100);
	assert_string_equal(table("identification"), "pnp:1 minsa:1 all:2");
	wipe(false);
	stage(INST_MP, "2025-04-01", 1, V(0, 0), V(1, 1));
	apply(NULL, 100);
	assert_string_equal(table("identification"), "pnp:1 minsa:1 all:1");

	/* A longer chain, over two documents (a DNI and a passport) and two
	 * name keys. */
	wipe(true);
	ident(INST_PNP, "2025-03-01", V(1, 0), 0);
	ident(INST_MP, "2025-03-02", V(1, 2), 0);
	service(INST_MIMP, "2025-03-04", V(-3, 2));
	referral(INST_MIMP, KIND_REFERRAL, INST_MINSA, 9, "2025-03-05",
		 V(-3, 4), 0);
	ident(INST_MINSA, "2025-03-06", V(0, 4), 0);
	apply(NULL, 2);
	assert_string_equal(table("identification"),
			    "pnp:1 mp:1 minsa:1 all:1");
	/* The service is the victim's: 3 days after pnp's identification. */
	assert_string_equal(table("protection"), "medical:1:3");
}

/* A name key seen with two different DNIs joins nothing. */
static void
test_ambiguous(void **state)
{
	(void)state;
	ident(INST_PNP, "2025-03-01", V(1, 5), 0);
	ident(INST_MP, "2025-03-02", V(2, 5), 2);
	ident(INST_MIMP, "2025-03-03", V(0, 5), 0);
	ident(INST_MINSA, "2025-03-04", V(0, 5), 0);
	apply(NULL, 100);
	/* pnp's child, mp's child, and the two records with the name key
	 * alone: one victim of their own. */
	assert_string_equal(table("identification"),
			    "pnp:1 mp:1 mimp:1 minsa:1 all:3");
	assert_string_equal(table("overlap"), "pnp:1 mp:1 mimp+minsa:1");

	/* mp's record withdrawn: the name key is no longer ambiguous. */
	withdraw(INST_MP, 2);
	apply(NULL, 100);
	assert_string_equal(table("identification"),
			    "pnp:1 mimp:1 minsa:1 all:1");
	assert_string_equal(table("overlap"), "pnp+mimp+minsa:1");

	/* Two documents of different types do not make it ambiguous: a child
	 * with a DNI and a passport is one child. */
	wipe(true);
	ident(INST_PNP, "2025-03-01", V(1, 5), 0);
	ident(INST_MP, "2025-03-02", V(-1, 5), 0);
	ident(INST_MIMP, "2025-03-03", V(0, 5), 0);
	apply(NULL, 1);
	assert_string_equal(table("overlap"), "pnp+mp+mimp:1");

	/* The same DNI twice under one name is no ambiguity either; a third
	 * record bringing a second DNI makes it so. */
	wipe(true);
	ident(INST_PNP, "2025-03-01", V(1, 5), 0);
	ident(INST_MP, "2025-03-02", V(1, 5), 0);
	ident(INST_MINSA, "2025-03-04", V(0, 5), 0);
	apply(NULL, 100);
	assert_string_equal(table("overlap"), "pnp+mp+minsa:1");
	wipe(false);
	referral(INST_MIMP, KIND_REFERRAL, INST_MINSA, 3, "2025-03-05", V(2, 5),
		 0);
	apply(NULL, 100);
	assert_string_equal(table("overlap"), "minsa:1 pnp+mp:1");
}

/* Withdrawing the record that joined two keys splits the victim. */
static void
test_withdrawal_splits(void **state)
{
	(void)state;
	ident(INST_PNP, "2025-02-01", V(1, 0), 0);
	referral(INST_PNP, KIND_REFERRAL, INST_MIMP, 4, "2025-02-02", V(1, 1),
		 3);
	ident(INST_MIMP, "2025-02-10", V(0, 1), 0);
	service(INST_MIMP, "2025-02-12", V(0, 1));
	apply(NULL, 100);
	assert_string_equal(table("identification"), "pnp:1 mimp:1 all:1");
	assert_string_equal(table("protection"), "medical:1:11");
	withdraw(INST_PNP, 3);
	apply(NULL, 100);
	assert_string_equal(table("identification"), "pnp:1 mimp:1 all:2");
	assert_string_equal(table("overlap"), "pnp:1 mimp:1");
	/* The service now follows mimp's own identification. */
	assert_string_equal(table("protection"), "medical:1:2");
	/* The referral itself is gone from its table. */
	assert_string_equal(table("referrals"), "");
}

/* Correcting a wrong document joins two victims; correcting it back
 * splits them again. */
static void
test_correction_joins(void **state)
{
	(void)state;
	ident(INST_PNP, "2025-05-01", V(8, 0), 1); /* a wrong DNI */
	ident(INST_MIMP, "2025-05-03", V(9, 6), 0);
	ident(INST_MINSA, "2025-05-04", V(0, 6), 0);
	apply(NULL, 100);
	assert_string_equal(table("overlap"), "pnp:1 mimp+minsa:1");
	ident(INST_PNP, "2025-05-01", V(9, 0), 0);
	as_correction(1);
	apply(NULL, 100);
	assert_string_equal(table("identification"),
			    "pnp:1 mimp:1 minsa:1 all:1");
	assert_string_equal(table("overlap"), "pnp+mimp+minsa:1");
	/* A correction can also make a name ambiguous: another DNI under
	 * mimp's name key. */
	ident(INST_PNP, "2025-05-01", V(8, 6), 0);
	as_correction(1);
	apply(NULL, 100);
	assert_string_equal(table("overlap"), "pnp:1 mimp:1 minsa:1");
}

/* Records without a key count, each as a victim of its own. */
static void
test_unlinkable(void **state)
{
	(void)state;
	ident(INST_PNP, "2025-06-01", V(0, 0), 0);
	ident(INST_PNP, "2025-06-01", V(0, 0), 4);
	ident(INST_MP, "2025-06-02", V(0, 0), 0);
	ident(INST_MP, "2025-06-03", V(1, 0), 0);
	service(INST_MIMP, "2025-06-04", V(0, 0));
	apply(NULL, 100);
	assert_string_equal(table("identification"), "pnp:2 mp:2 all:4");
	assert_string_equal(table("overlap"), "mp:1 unlinkable:3");
	/* Counted, never identified: no median. */
	assert_string_equal(table("protection"), "medical:1:");
	/* An unlinkable record corrected to carry a key joins its victim. */
	ident(INST_PNP, "2025-06-01", V(1, 0), 0);
	as_correction(4);
	apply(NULL, 100);
	assert_string_equal(table("overlap"), "pnp+mp:1 unlinkable:2");
}

/* Events of schema version 2: their one key links with an equal key of any kind
 * and takes no part in the ambiguity rule. */
static void
test_version1(void **state)
{
	uint8_t doc[PSEUDONYM_LEN], name[PSEUDONYM_LEN];

	(void)state;
	key_of(1, 1, doc);  /* DNI 1 as V(1, 0) makes it */
	key_of(2, 5, name); /* name key 5 */
	ident(INST_PNP, "2025-03-01", V1(doc), 0);
	ident(INST_MP, "2025-03-02", V(1, 0), 0);
	apply(NULL, 100);
	assert_string_equal(table("overlap"), "pnp+mp:1");
	/* An old record whose key is an ambiguous name key counts with
	 * the records whose only key it is. */
	wipe(true);
	ident(INST_PNP, "2025-03-01", V(1, 5), 0);
	ident(INST_MP, "2025-03-02", V(2, 5), 0);
	ident(INST_MIMP, "2025-03-03", V1(name), 0);
	ident(INST_MINSA, "2025-03-04", V(0, 5), 0);
	apply(NULL, 100);
	assert_string_equal(table("overlap"), "pnp:1 mp:1 mimp+minsa:1");
}

/* A referral is one (sender, destination, number), whoever names it. */
static void
test_referral_identity(void **state)
{
	(void)state;
	/* One number sent to two destinations: two referrals, each taken up
	 * by its own destination. */
	referral(INST_PNP, KIND_REFERRAL, INST_MIMP, 1, "2025-01-10", V(0, 0),
		 0);
	referral(INST_PNP, KIND_REFERRAL, INST_MINSA, 1, "2025-01-11", V(0, 0),
		 0);
	referral(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 1, "2025-01-12",
		 V(0, 0), 0);
	/* The same triple twice: one referral, dated by its earliest. */
	referral(INST_MP, KIND_REFERRAL, INST_MIMP, 2, "2025-02-10", V(0, 0),
		 0);
	referral(INST_MP, KIND_REFERRAL, INST_MIMP, 2, "2025-02-01", V(0, 0),
		 0);
	referral(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_MP, 2, "2025-02-05",
		 V(0, 0), 0);
	apply(NULL, 100);
	assert_string_equal(table("referrals"), "pnp:mimp:1:1:0:2 "
						"pnp:minsa:1:0:1: "
						"mp:mimp:1:1:0:4");
	/* Only mimp has recorded a take-up; of the referrals minsa sent or
	 * received, none is taken up. */
	assert_int_equal(no_takeups(0), ALL_DEST & ~BIT(INST_MIMP));
	assert_int_equal(no_takeups(INST_PNP), ALL_DEST & ~BIT(INST_MIMP));
	assert_int_equal(no_takeups(INST_MINSA), ALL_DEST);
	/* minsa signs a referral under pnp's number: it is minsa's own
	 * (minsa to mimp); pnp's rows do not move. A take-up signed by pj
	 * naming pnp is pj's, and no referral of pnp went to pj. */
	wipe(false);
	{
		struct step *st;
		referral(INST_MINSA, KIND_REFERRAL, INST_MIMP, 1, "2025-01-01",
			 V(0, 0), 0);
		st = &w.steps[w.n - 1];
		key_of(0x40 + INST_PNP, 1, st->ev.rec.referral);
	}
	referral(INST_PJ, KIND_REFERRAL_RECEIVED, INST_PNP, 1, "2025-01-02",
		 V(0, 0), 0);
	apply(NULL, 100);
	assert_string_equal(table("referrals"), "pnp:mimp:1:1:0:2 "
						"pnp:minsa:1:0:1: "
						"mp:mimp:1:1:0:4 "
						"minsa:mimp:1:0:1:");
}

/*
 * Take-ups the sender has no referral record of count apart, once per
 * referral at the earliest take-up, and move to taken_up when the
 * sender's record arrives (and back when it is withdrawn): the counters
 * stay those of a replay.
 */
static void
test_unmatched_takeups(void **state)
{
	char *inc, *all;

	(void)state;
	referral(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 1, "2025-02-05",
		 V(0, 0), 0);
	referral(INST_MINSA, KIND_REFERRAL_RECEIVED, INST_MP, 2, "2025-06-01",
		 V(0, 0), 0);
	apply(NULL, 100);
	assert_string_equal(table("referrals"), "");
	assert_string_equal(table("referrals_unmatched"),
			    "pnp:mimp:1 mp:minsa:1");
	/* A take-up no referral record matches is a take-up on record. */
	assert_int_equal(no_takeups(0),
			 BIT(INST_PNP) | BIT(INST_MP) | BIT(INST_PJ));
	assert_int_equal(no_takeups(INST_PNP), ALL_DEST & ~BIT(INST_MIMP));
	/* Taken up again, earlier: still one. */
	referral(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 1, "2025-01-20",
		 V(0, 0), 0);
	apply(NULL, 1);
	assert_string_equal(table("referrals_unmatched"),
			    "pnp:mimp:1 mp:minsa:1");
	/* pnp's record arrives after the take-ups. */
	referral(INST_PNP, KIND_REFERRAL, INST_MIMP, 1, "2025-01-15", V(0, 0),
		 1);
	apply(NULL, 1);
	assert_string_equal(table("referrals"), "pnp:mimp:1:1:0:5");
	assert_string_equal(table("referrals_unmatched"), "mp:minsa:1");
	assert_int_equal(no_takeups(0),
			 BIT(INST_PNP) | BIT(INST_MP) | BIT(INST_PJ));
	/* Withdrawn: unmatched again. */
	withdraw(INST_PNP, 1);
	apply(NULL, 1);
	assert_string_equal(table("referrals"), "");
	assert_string_equal(table("referrals_unmatched"),
			    "pnp:mimp:1 mp:minsa:1");
	inc = dump_counters();
	wipe(false);
	apply(NULL, 100);
	all = dump_counters();
	assert_string_equal(inc, all);
	free(inc);
	free(all);
}

/*
 * Cases no complaint names count apart, once per case under the
 * institution of its earliest event, dated by it: a court's trial under a
 * case number written otherwise, a prosecutor's investigation whose
 * police complaint carries another number. A correction to the right
 * number, or the complaint arriving, takes the case out; a complaint
 * withdrawn puts it back: the counters stay those of a replay.
 */
static void
test_unmatched_cases(void **state)
{
	char *inc, *all;

	(void)state;
	stage_by(INST_MP, "2025-03-01", 1, STAGE_COMPLAINT, 1);
	stage_by(INST_PJ, "2025-05-10", 1, STAGE_TRIAL, 0);
	/* "FPE 2026 0101": another case. */
	stage_by(INST_PJ, "2025-05-12", 2, STAGE_TRIAL, 2);
	stage_by(INST_PJ, "2025-08-01", 2, STAGE_ACQUITTAL, 3);
	stage_by(INST_MP, "2025-07-01", 3, STAGE_PRELIMINARY_INVESTIGATION, 0);
	apply(NULL, 100);
	assert_string_equal(table("cases_unmatched"), "mp:1 pj:1");
	assert_string_equal(table_of("cases_unmatched", "2025Q2"), "pj:1");
	assert_string_equal(table_of("cases_unmatched", "2025Q3"), "mp:1");
	/* The prosecution table counts them all; the funnel only case 1. */
	assert_string_equal(table("prosecution"),
			    "complaint:1:1 preliminary_investigation:1:1 "
			    "trial:2:2 acquittal:1:1");
	assert_string_equal(table("funnel"),
			    "complaint:1: preliminary_investigation:1:0.000 "
			    "formalized_investigation:1:0.000 "
			    "accusation:1:0.000 trial:1:0.000");
	/* pj corrects its trial to the right number; its acquittal still
	 * names the other. */
	stage_by(INST_PJ, "2025-05-12", 1, STAGE_TRIAL, 0);
	as_correction(2);
	apply(NULL, 1);
	assert_string_equal(table("cases_unmatched"), "mp:1 pj:1");
	assert_string_equal(table_of("cases_unmatched", "2025Q3"), "mp:1 pj:1");
	stage_by(INST_PJ, "2025-08-01", 1, STAGE_ACQUITTAL, 0);
	as_correction(3);
	apply(NULL, 1);
	assert_string_equal(table("cases_unmatched"), "mp:1");
	/* The police's complaint of case 3 arrives. */
	stage_by(INST_PNP, "2025-06-20", 3, STAGE_COMPLAINT, 0);
	apply(NULL, 1);
	assert_string_equal(table("cases_unmatched"), "");
	/* mp's complaint of case 1 withdrawn: pj's trial names no
	 * complaint's case again. */
	withdraw(INST_MP, 1);
	apply(NULL, 1);
	assert_string_equal(table("cases_unmatched"), "pj:1");
	assert_string_equal(table_of("cases_unmatched", "2025Q2"), "pj:1");
	inc = dump_counters();
	wipe(false);
	apply(NULL, 100);
	all = dump_counters();
	assert_string_equal(inc, all);
	free(inc);
	free(all);
}

/*
 * The order records arrive in changes nothing: the same records (ties
 * kept apart by date, so that no rule looks at sequence numbers), in
 * several orders and batch sizes, give the same counters byte for byte,
 * equal to a replay from nothing.
 */
static void
test_order_independence(void **state)
{
	static const size_t batches[] = {1, 3, 100};
	size_t order[MAX_STEPS], i, j, k, b;
	char *first = NULL;
	uint64_t rnd = 88172645463325252ULL;

	(void)state;
	/* Two children with one name, a chain, a split by withdrawal, a
	 * join by correction, unlinkable records, services and a case. */
	ident(INST_PNP, "2025-01-03", V(1, 5), 0);
	ident(INST_MP, "2025-01-04", V(2, 5), 0);
	ident(INST_MIMP, "2025-01-05", V(0, 5), 0);
	ident(INST_PNP, "2025-02-03", V(3, 0), 0);
	referral(INST_PNP, KIND_REFERRAL, INST_MINSA, 1, "2025-02-04", V(3, 6),
		 1);
	ident(INST_MINSA, "2025-02-06", V(0, 6), 0);
	service(INST_MINSA, "2025-02-07", V(0, 6));
	ident(INST_MP, "2025-03-01", V(7, 0), 2);
	ident(INST_MIMP, "2025-03-02", V(4, 8), 0);
	service(INST_MIMP, "2025-03-09", V(0, 8));
	ident(INST_MINSA, "2025-03-03", V(0, 0), 0);
	ident(INST_MP, "2025-03-05", V(0, 0), 0);
	stage(INST_MP, "2025-04-01", 1, V(3, 0), V(0, 8));
	withdraw(INST_PNP, 1);
	ident(INST_MP, "2025-03-01", V(4, 0), 0);
	as_correction(2);

	for (k = 0; k < 6; k++) {
		/* A random order that keeps each change after its target:
		 * repeatedly pick any step whose target is already out. */
		bool out[MAX_STEPS] = {false};
		for (i = 0; i < w.n; i++) {
			size_t pick, cands[MAX_STEPS], nc = 0;
			for (j = 0; j < w.n; j++) {
				bool ready = !out[j];
				size_t t;
				for (t = 0; ready && t < w.n; t++)
					if (w.steps[j].target > 0 &&
					    w.steps[t].label ==
						w.steps[j].target &&
					    !out[t])
						ready = false;
				if (ready)
					cands[nc++] = j;
			}
			assert_true(nc > 0);
			rnd ^= rnd << 13;
			rnd ^= rnd >> 7;
			rnd ^= rnd << 17;
			pick = k == 0 ? cands[0] : cands[rnd % nc];
			order[i] = pick;
			out[pick] = true;
		}
		for (b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
			char *got;
			wipe(false);
			apply(order, batches[b]);
			got = dump_counters();
			if (first == NULL) {
				first = got;
				assert_string_equal(table("overlap"),
						    "pnp:2 mp:1 mimp:1 minsa:1 "
						    "mp+mimp:1 unlinkable:2");
				continue;
			}
			assert_string_equal(got, first);
			free(got);
		}
	}
	free(first);
	/* A graph reloaded from the store takes the next batch as the one
	 * kept in memory would: the same counters as a replay of all. */
	assert_int_equal(stats_load(w.s, NULL), 0);
	ident(INST_MINSA, "2025-05-01", V(7, 8), 0);
	apply(NULL, 100);
	first = dump_counters();
	wipe(false);
	apply(NULL, 100);
	{
		char *again = dump_counters();
		assert_string_equal(again, first);
		free(again);
	}
	free(first);
}

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Random histories over a few keys, so that chains, ambiguous names,
 * splits and joins happen all the time: applied in batches of random
 * sizes, with the graph now and then reloaded from the store, they must
 * leave the counters a replay in one batch from nothing leaves.
 */
static void
test_random_histories(void **state)
{
	static const enum institution insts[] = {INST_PNP, INST_MP, INST_MIMP,
						 INST_MINSA};
	uint64_t rnd = 0x2545f4914f6cdd1dULL;
	int round;

	(void)state;
#define RND() xorshift(&rnd)
	for (round = 0; round < 8; round++) {
		char *inc, *all;
		size_t i, live[MAX_STEPS], n_live = 0;
		int label = 0;

		wipe(true);
		for (i = 0; i < 160; i++) {
			enum institution inst = insts[RND() % 4];
			int doc = (int)(RND() % 9) - 3; /* -3..5 */
			int name = (int)(RND() % 5);	/* 0..4 */
			unsigned what = (unsigned)(RND() % 10);
			char date[16];
			snprintf(date, sizeof(date), "2025-%02u-%02u",
				 (unsigned)(1 + RND() % 12),
				 (unsigned)(1 + RND() % 28));
			if (what >= 8 && n_live > 0) {
				/* Change a live record of any institution:
				 * a withdrawal, or a correction to another
				 * victim. */
				size_t k = RND() % n_live;
				struct step *t = &w.steps[live[k]];
				if (what == 8) {
					withdraw(t->inst, t->label);
					live[k] = live[--n_live];
				} else {
					ident(t->inst, date, V(doc, name), 0);
					as_correction(t->label);
				}
				continue;
			}
			if (what < 5)
				ident(inst, date, V(doc, name), ++label);
			else if (what < 6)
				service(inst, date, V(doc, name));
			else if (what < 7) {
				/* A referral or a take-up of one of a few
				 * numbers: take-ups come before, after or
				 * without their referral. */
				enum institution to = inst == INST_MINSA
							  ? INST_MIMP
							  : INST_MINSA;
				int num = (int)(RND() % 6);
				if (RND() % 2)
					referral(inst, KIND_REFERRAL, to, num,
						 date, V(doc, name), 0);
				else
					referral(to, KIND_REFERRAL_RECEIVED,
						 inst, num, date, V(doc, name),
						 0);
			}
			else
				stage(INST_MP, date, (int)(RND() % 5),
				      V(doc, name), V(name, doc > 0 ? doc : 0));
			if (what < 5)
				live[n_live++] = w.n - 1;
		}
		/* Ties on one day would let sequence numbers decide; both
		 * runs number alike, so they may. */
		while (w.done < w.n) {
			size_t until = w.done + 1 + RND() % 12, keep = w.n;
			if (until > keep)
				until = keep;
			w.n = until;
			apply(NULL, 1 + RND() % 5);
			w.n = keep;
			if (RND() % 4 == 0)
				assert_int_equal(stats_load(w.s, NULL), 0);
		}
		inc = dump_counters();
		wipe(false);
		apply(NULL, MAX_STEPS);
		all = dump_counters();
		assert_string_equal(inc, all);
		free(inc);
		free(all);
	}
#undef RND
}

/*
 * Timeliness: each live record once, at its date, against the day it was
 * first accepted; a correction keeps its original's acceptance.
 */
static void
test_timeliness(void **state)
{
	(void)state;
	w.today = date_from_ymd(2025, 3, 10);
	ident(INST_PNP, "2025-03-01", V(1, 0), 1); /* 9 days */
	ident(INST_PNP, "2025-01-09", V(2, 0), 0); /* 60 */
	service(INST_MIMP, "2025-02-08", V(0, 0)); /* 30 */
	referral(INST_MIMP, KIND_REFERRAL, INST_MINSA, 1, "2025-03-10", V(0, 0),
		 2);					   /* 0 */
	stage(INST_MP, "2025-02-07", 1, V(0, 0), V(0, 0)); /* 31 */
	apply(NULL, 100);
	assert_string_equal(table("timeliness"),
			    "pnp:2:9:50.0 mp:1:31:0.0 mimp:2:0:100.0 "
			    "all:5:30:60.0");
	/* Months later, pnp moves its record to January: counted once, at
	 * its new date, still accepted on 10 March; mimp withdraws one. */
	w.today = date_from_ymd(2025, 9, 1);
	ident(INST_PNP, "2025-01-30", V(1, 0), 0);
	as_correction(1);
	withdraw(INST_MIMP, 2);
	apply(NULL, 100);
	assert_string_equal(table("timeliness"),
			    "pnp:2:39:0.0 mp:1:31:0.0 mimp:1:30:100.0 "
			    "all:4:31:25.0");
}

/*
 * Prosecution (EVENTS.md "prosecution"): a case's earliest event of a
 * stage counts, with its persons; the funnel follows the cases whose
 * complaint is in the period to whatever main-line stage they reached by
 * now, skipped stages included; a duration is counted in the period of
 * its later stage. Read for the semester 2025H1 (January-June).
 */
static void
test_prosecution(void **state)
{
	(void)state;
	/* Case 1: complaint twice (the later, with 5 persons, recorded
	 * first, does not count), formalized investigation skipped,
	 * convicted in August. */
	case_event("2025-02-01", 1, STAGE_COMPLAINT, 5);
	case_event("2025-01-10", 1, STAGE_COMPLAINT, 2);
	case_event("2025-01-20", 1, STAGE_PRELIMINARY_INVESTIGATION, 2);
	case_event("2025-03-01", 1, STAGE_ACCUSATION, 1);
	case_event("2025-08-01", 1, STAGE_CONVICTION, 2);
	/* Case 2: dismissed. */
	case_event("2025-02-01", 2, STAGE_COMPLAINT, 1);
	case_event("2025-03-01", 2, STAGE_DISMISSAL, 1);
	/* Case 3: complaint in December 2024, outside the cohort. */
	case_event("2024-12-20", 3, STAGE_COMPLAINT, 1);
	case_event("2025-01-05", 3, STAGE_PRELIMINARY_INVESTIGATION, 3);
	/* Case 4: straight from complaint to trial, acquitted. */
	case_event("2025-04-01", 4, STAGE_COMPLAINT, 1);
	case_event("2025-05-01", 4, STAGE_TRIAL, 2);
	case_event("2025-06-01", 4, STAGE_ACQUITTAL, 1);
	/* Case 5: accused, then acquitted with no trial recorded. */
	case_event("2025-04-10", 5, STAGE_COMPLAINT, 1);
	case_event("2025-05-10", 5, STAGE_ACCUSATION, 1);
	case_event("2025-06-10", 5, STAGE_ACQUITTAL, 1);
	apply(NULL, 100);
	/* complaint: cases 1, 2, 4, 5; persons 2 + 1 + 1 + 1 = 5.
	 * preliminary: cases 1 (2) and 3 (3): 5. accusation: cases 1 and 5
	 * (1 each). trial: case 4 (2). conviction is in H2. acquittal:
	 * cases 4 and 5 (1 each). dismissal: case 2 (1). */
	assert_string_equal(table_of("prosecution", "2025H1"),
			    "complaint:4:5 "
			    "preliminary_investigation:2:5 "
			    "accusation:2:2 trial:1:2 acquittal:2:2 "
			    "dismissal:1:1");
	/* Cohort 1, 2, 4, 5. Reached preliminary: 1, 4 and 5 (a later
	 * stage of the main line), not 2 (a dismissal is off the main
	 * line): 3, attrition 1/4. formalized, accusation: 1 (convicted
	 * since), 4 and 5: 3, attrition 0. trial: 1 and 4, not 5 (an
	 * acquittal is off the main line too): 2, attrition 1/3.
	 * conviction: 1 (in August: "by now"), 1/2. */
	assert_string_equal(table_of("funnel", "2025H1"),
			    "complaint:4: "
			    "preliminary_investigation:3:0.250 "
			    "formalized_investigation:3:0.000 "
			    "accusation:3:0.000 trial:2:0.333 "
			    "conviction:1:0.500 acquittal:2: dismissal:1:");
	/* complaint -> preliminary, later stage in H1: case 1, 10 days;
	 * case 3, 16 days (20 December to 5 January); lower median 10.
	 * No case has both stages of any other pair. */
	assert_string_equal(table_of("durations", "2025H1"),
			    "complaint:preliminary_investigation:10");
	/* H2: case 1's conviction and its 2 persons; no cohort. */
	assert_string_equal(table_of("prosecution", "2025H2"),
			    "conviction:1:2");
	assert_string_equal(table_of("funnel", "2025H2"), "");
}

/*
 * Protection and the identification breakdown (EVENTS.md "protection",
 * "identification"): a service's days run from the victim's earliest
 * identification at any date, even one before the period; a victim never
 * identified counts but stays out of the median. Her attributes are those
 * of her earliest identification in the period, a tie going to the
 * institution first in order (pnp before mp), not to the lower sequence.
 */
static void
test_protection_attributes(void **state)
{
	struct victim a_mp = V(1, 0), b = V(2, 0);

	(void)state;
	b.sex = SEX_M;
	b.age_years = 4;
	b.age_group = age_group_of(4);
	/* B: pnp's sequence 1, so that A's record at pnp is its 2. */
	ident(INST_PNP, "2025-02-01", b, 0);
	w.steps[w.n - 1].ev.rec.exploitation |= 1u << EXPL_LABOUR;
	service(INST_MINSA, "2025-02-11", b); /* 10 days */
	/* A: mimp in November 2024; mp and pnp on one day of 2025. */
	a_mp.sex = SEX_M;
	ident(INST_MIMP, "2024-11-01", V(1, 0), 0);
	ident(INST_MP, "2025-03-05", a_mp, 0);
	w.steps[w.n - 1].ev.rec.exploitation |= 1u << EXPL_LABOUR;
	ident(INST_PNP, "2025-03-05", V(1, 0), 0);
	w.steps[w.n - 1].ev.rec.exploitation = 1u << EXPL_BEGGING;
	/* 2024-11-01 to 2025-01-31: 30 + 31 + 30 = 91 days; the later
	 * service is not her first in 2025. */
	service(INST_MINSA, "2025-01-31", V(1, 0));
	service(INST_MINSA, "2025-03-01", V(1, 0));
	/* C: a service, never identified. */
	service(INST_MINSA, "2025-05-01", V(3, 0));
	/* D: in Loreto, 20 days. */
	ident(INST_MINSA, "2025-01-01", V(4, 0), 0);
	w.steps[w.n - 1].ev.rec.region = 16;
	service(INST_MINSA, "2025-01-21", V(4, 0));
	apply(NULL, 100);
	/* 4 victims; lower median of 10, 20, 91: 20. */
	assert_string_equal(table("protection"), "medical:4:20");
	assert_string_equal(table("identification"),
			    "pnp:2 mp:1 minsa:1 all:3");
	/* A is F, 14-17, begging (pnp's record); B M, 0-5, sexual and
	 * labour; D F, 14-17, sexual, region 16. */
	assert_string_equal(table("breakdown"),
			    "sex:F:2 sex:M:1 age_group:0-5:1 "
			    "age_group:14-17:2 nationality:PE:3 "
			    "region:15:2 region:16:1 exploitation:begging:1 "
			    "exploitation:labour:1 exploitation:sexual:2");
}

/* A store whose tables were written in another layout is refused, so
 * that the consolidator rebuilds them. */
static void
test_old_layout(void **state)
{
	struct store_txn *t;
	uint8_t k[9] = {1, 0, 0, 0, 0, 0, 0, 0, 1}, v[57] = {0};

	(void)state;
	ident(INST_PNP, "2025-03-01", V(1, 0), 0);
	apply(NULL, 100);
	assert_int_equal(stats_load(w.s, NULL), 0);
	assert_int_equal(store_begin(w.st, true, &t), 0);
	assert_int_equal(store_del(t, T_META, "stats_format", 12), 0);
	assert_int_equal(store_put(t, T_LIVE, k, 9, v, sizeof(v), 0), 0);
	assert_int_equal(store_commit(&t), 0);
	assert_int_equal(stats_load(w.s, NULL), -ESTALE);
	wipe(true);
	assert_int_equal(stats_load(w.s, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ambiguous, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_withdrawal_splits, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_correction_joins, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unlinkable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_version1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_referral_identity, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unmatched_takeups, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unmatched_cases, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_order_independence, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_random_histories, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_timeliness, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prosecution, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protection_attributes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_old_layout, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
