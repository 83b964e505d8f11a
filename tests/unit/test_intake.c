/*
 * test_intake.c - the node's intake (intake.h) with a real outbox in a
 * temporary directory and the key holders played in-process by an
 * evaluate callback: records accepted and held as before; a key holder
 * that is unreachable, refuses or answers inconsistently makes the whole
 * request fail with nothing stored; and a key rotation re-sends, as
 * corrections with the new pseudonyms, exactly the records whose content
 * is live. A dry run answers as a real one, stores nothing, and asks the
 * key holders only about refs already held; the registry's grants refuse
 * what the consolidator would, and so do its dead letters: a correction
 * or withdrawal of a record it refused is refused. After a rotation a
 * record as it now stands re-sends its correction; other content is
 * refused.
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
#include <lmdb.h>

#include "bytes.h"
#include "codec.h"
#include "date.h"
#include "dryrun.h"
#include "intake.h"
#include "intake_int.h"
#include "keys.h"
#include "oprf.h"
#include "outbox.h"
#include "outbox_int.h"
#include "record.h"

/* The key holders as the test plays them. */
struct holder {
	uint8_t key[32];
	uint32_t epoch;
	int fail;	 /* 0, or the error to return */
	bool one_wrong;	 /* answer the first element with another key */
	size_t asked;	 /* elements evaluated */
	uint8_t *answer; /* to the request in flight */
	size_t n;
	int error;    /* of the request in flight */
	size_t told;  /* the max_batch it said, 0: none */
	size_t takes; /* the most elements it takes in one request, 0: any */
	size_t too_large; /* requests refused too large */
	bool shrink;	  /* takes one fewer after each refusal */
	size_t sends;	  /* requests sent to it */
	size_t fail_send; /* the one (1: the first) unreachable, 0: none */
};

struct fixture {
	char dir[64];
	struct outbox *ob;
	struct secret_key *sk;
	struct key32 linkage, ref;
	struct holder holder;
	struct intake in;
	uint64_t dry;  /* submit: a dry run of this id, 0 a real one */
	size_t served; /* calls of in.serve */
};

/* The node's serve: only counted. */
static int
count_serve(void *arg)
{
	struct fixture *fx = arg;

	fx->served++;
	return 0;
}

/* request_max: what the holder said. */
static size_t
holder_request_max(void *arg)
{
	return ((struct holder *)arg)->told;
}

/* send: the holder evaluates at once and keeps its answer. */
static int
holder_send(void *arg, uint32_t epoch, const uint8_t *el, size_t n,
	    size_t per_request, char *why, size_t whylen)
{
	struct holder *h = arg;
	uint8_t other[32];
	size_t i;

	if (h->fail != 0) {
		snprintf(why, whylen, "key holder test unreachable");
		return h->fail;
	}
	free(h->answer);
	h->answer = malloc(n * 32);
	h->n = n;
	h->error = 0;
	if (++h->sends == h->fail_send) {
		/* Sent, its answer never comes. */
		h->error = -EHOSTUNREACH;
		return 0;
	}
	if (h->takes != 0 && (per_request == 0 || per_request > h->takes)) {
		/* Refused, and the refusal tells the bound. */
		h->error = -E2BIG;
		h->told = h->takes;
		h->too_large++;
		if (h->shrink)
			h->takes--;
		return 0;
	}
	if (epoch != h->epoch) {
		h->error = -ESTALE;
		return 0;
	}
	oprf_key_generate(other);
	for (i = 0; i < n; i++)
		if (oprf_evaluate(h->one_wrong && i == 0 ? other : h->key,
				  el + 32 * i, h->answer + 32 * i) != 0)
			h->error = -EPROTO;
	h->asked += n;
	return 0;
}

/* recv: what send kept. */
static int
holder_recv(void *arg, uint32_t epoch, size_t n, uint8_t *out, char *why,
	    size_t whylen)
{
	struct holder *h = arg;

	(void)epoch;
	if (h->error == -ESTALE)
		snprintf(why, whylen, "key holder test works in epoch %u",
			 (unsigned)h->epoch);
	if (h->error == -E2BIG)
		snprintf(why, whylen, "key holder test: too_large");
	if (h->error == -EHOSTUNREACH)
		snprintf(why, whylen, "key holder test unreachable");
	if (h->error != 0)
		return h->error;
	assert_int_equal(n, h->n);
	memcpy(out, h->answer, n * 32);
	return 0;
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL || keys_init() != 0)
		return -1;
	record_init();
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kuska-intake-XXXXXX");
	if (mkdtemp(fx->dir) == NULL ||
	    outbox_open(fx->dir, 16u << 20, &fx->ob) != 0 ||
	    keys_generate("pnp", &fx->sk) != 0)
		return -1;
	oprf_key_generate(fx->holder.key);
	fx->holder.epoch = 1;
	memset(fx->linkage.key, 0x42, 32);
	fx->linkage.epoch = 1;
	memset(fx->ref.key, 0x17, 32);
	fx->in.inst = INST_PNP;
	fx->in.key = fx->sk;
	fx->in.linkage = &fx->linkage;
	fx->in.ref_key = &fx->ref;
	fx->in.ob = fx->ob;
	fx->in.request_max = holder_request_max;
	fx->in.send = holder_send;
	fx->in.recv = holder_recv;
	fx->in.holders = &fx->holder;
	fx->in.workers = 2;
	fx->in.serve = count_serve;
	fx->in.serve_arg = fx;
	if (intake_init(&fx->in) != 0)
		return -1;
	*state = fx;
	return 0;
}

/*
 * What intake_submit answers when the outbox fails with errno e: the
 * error and the outbox's directory.
 */
static const char *
store_error(const struct fixture *fx, int e, char *out, size_t cap)
{
	snprintf(out, cap,
		 "store error (%s) on the outbox in %s; nothing of this "
		 "request was stored",
		 strerror(e), fx->dir);
	return out;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	intake_free(&fx->in);
	free(fx->holder.answer);
	outbox_close(&fx->ob);
	keys_free(&fx->sk);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

#define VICTIM(dni)                                                            \
	"\"victim\":{\"document\":{\"type\":\"DNI\",\"number\":\"" dni         \
	"\"},\"given_names\":\"Ana\",\"surnames\":\"Quispe\","                 \
	"\"birth_date\":\"2012-01-02\",\"sex\":\"F\",\"nationality\":\"PE\"}"
#define ID(ref, dni, date)                                                     \
	"{\"kind\":\"identification\",\"ref\":\"" ref "\",\"date\":\"" date    \
	"\",\"region\":\"15\"," VICTIM(dni) ",\"exploitation\":[\"sexual\"]}"
#define COR(ref, target, dni)                                                  \
	"{\"kind\":\"correction\",\"ref\":\"" ref                              \
	"\",\"target_ref\":\"" target                                          \
	"\",\"record\":{\"kind\":\"identification\",\"date\":\"2025-02-02\","  \
	"\"region\":\"16\"," VICTIM(dni) ",\"exploitation\":[\"labour\"]}}"
#define WD(ref, target)                                                        \
	"{\"kind\":\"withdrawal\",\"ref\":\"" ref                              \
	"\",\"target_ref\":\"" target "\"}"

/* The export of a case system: in order, as it would resubmit it. */
static const char *const export[] = {
    ID("A", "11111142", "2025-01-01"), /* corrected by C: held */
    ID("B", "22222242", "2025-01-02"), /* corrected by F: held */
    COR("C", "A", "11111142"),	       /* A's live content: re-keyed */
    ID("D", "33333342", "2025-01-03"), /* withdrawn by E: held */
    WD("E", "D"),		       /* no pseudonyms: held */
    COR("F", "B", "22222242"),	       /* then B corrected again: live */
};
#define N_EXPORT (sizeof(export) / sizeof(export[0]))

/* submit - lines as one request; results into st (NULL: not kept). */
static int
submit(struct fixture *fx, const char *const *lines, size_t n,
       enum line_status *st, struct control *rep)
{
	uint8_t *copies[16];
	size_t lens[16], i;
	int r;

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		copies[i] = (uint8_t *)strdup(lines[i]);
		lens[i] = strlen(lines[i]);
	}
	r = intake_submit(&fx->in, 1, copies, lens, n, fx->dry, rep);
	for (i = 0; i < n; i++)
		free(copies[i]);
	for (i = 0; st != NULL && r == 0 && i < n; i++)
		st[i] = rep->results[i].status;
	return r;
}

static uint64_t
last_seq(struct fixture *fx)
{
	struct outbox_state s;

	assert_int_equal(outbox_state(fx->ob, &s), 0);
	return s.next_seq - 1;
}

/* The event stored as envelope seq. */
static int
read_one(void *arg, uint64_t seq, uint64_t created_ms, const uint8_t *env,
	 size_t len)
{
	struct envelope e;

	(void)seq;
	(void)created_ms;
	assert_int_equal(codec_envelope_decode(env, len, &e), 0);
	assert_int_equal(codec_event_decode(e.event, e.event_len, arg), 0);
	codec_envelope_clear(&e);
	return 0;
}

static struct event *
stored(struct fixture *fx, uint64_t seq)
{
	static struct event ev;

	assert_int_equal(outbox_read(fx->ob, seq, 1, read_one, &ev), 1);
	return &ev;
}

/*
 * Accepted, then held on resubmission; the pseudonyms link: the same DNI
 * under A and C gives the same pseudonym; the epoch is in every event
 * that carries pseudonyms and in none that does not.
 */
static void
test_accept_hold(void **state)
{
	struct fixture *fx = *state;
	enum line_status st[N_EXPORT];
	struct control rep;
	uint8_t pa[32];
	size_t i;

	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	for (i = 0; i < N_EXPORT; i++)
		assert_int_equal(st[i], LINE_ACCEPTED);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), N_EXPORT);
	memcpy(pa, stored(fx, 1)->rec.victim.doc_key, 32);
	assert_int_equal(stored(fx, 1)->key_epoch, 1);
	assert_memory_equal(stored(fx, 3)->rec.victim.doc_key, pa, 32);
	assert_memory_not_equal(stored(fx, 2)->rec.victim.doc_key, pa, 32);
	/* Both match keys: the names are the same in A and B. */
	assert_int_equal(stored(fx, 1)->rec.victim.doc_type, DOC_DNI);
	assert_true(stored(fx, 1)->rec.victim.has_name_key);
	memcpy(pa, stored(fx, 1)->rec.victim.name_key, 32);
	assert_memory_equal(stored(fx, 2)->rec.victim.name_key, pa, 32);
	memcpy(pa, stored(fx, 1)->rec.victim.doc_key, 32);
	assert_int_equal(stored(fx, 5)->key_epoch, 0); /* the withdrawal */
	/* A, B, D: three DNIs; the names are the same in all: one more;
	 * plus the hidden check elements. */
	assert_int_equal(fx->holder.asked, 3 + 1 + PSEUDO_CHECK_ELEMENTS);
	assert_true(fx->in.has_check);

	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	for (i = 0; i < N_EXPORT; i++) {
		assert_int_equal(st[i], LINE_HELD);
		assert_int_equal(rep.results[i].why, LINE_REASON_NONE);
	}
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), N_EXPORT);

	/* Another record under A's ref: refused, with the code kuska
	 * submit advises by (a correction or withdrawal of A). */
	{
		static const char *const other[] = {
		    ID("A", "33333342", "2025-01-01")};
		assert_int_equal(submit(fx, other, 1, st, &rep), 0);
		assert_int_equal(st[0], LINE_REFUSED);
		assert_string_equal(rep.results[0].field, "ref");
		assert_int_equal(rep.results[0].why, LINE_REF_REUSED);
		codec_control_clear(&rep);
	}
	assert_int_equal(last_seq(fx), N_EXPORT);
}

/* A record's ref with the content COR gives it: as a case system exports
 * a corrected record as it now stands. */
#define NOW(ref, dni)                                                          \
	"{\"kind\":\"identification\",\"ref\":\"" ref                          \
	"\",\"date\":\"2025-02-02\",\"region\":\"16\"," VICTIM(                \
	    dni) ",\"exploitation\":[\"labour\"]}"

/* submit1 - one line; its result into *res. */
static void
submit1(struct fixture *fx, const char *line, struct line_result *res)
{
	struct control rep;

	assert_int_equal(submit(fx, &line, 1, NULL, &rep), 0);
	*res = rep.results[0];
	codec_control_clear(&rep);
}

/*
 * A record re-exported as it now stands, after a correction: its ref
 * with the latest correction's content is "already held" (nothing
 * stored); with an earlier correction's content, or any other, it is
 * refused as another record. A withdrawn record's ref is held with its
 * original content (an export of the history, beside the withdrawal),
 * refused with any other as withdrawn. A dry run answers so too, the
 * correction earlier in the run.
 */
static void
test_reexport_corrected(void **state)
{
	struct fixture *fx = *state;
	static const char *const first[] = {
	    ID("R1", "55555542", "2025-01-01"), COR("R2", "R1", "55555542"),
	    ID("R3", "66666642", "2025-01-03"), WD("R4", "R3")};
	struct line_result res;
	struct control rep;
	uint64_t last;

	assert_int_equal(submit(fx, first, 4, NULL, &rep), 0);
	codec_control_clear(&rep);
	last = last_seq(fx);

	submit1(fx, NOW("R1", "55555542"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(res.seq, last - 2); /* R2's envelope */
	submit1(fx, ID("R1", "55555542", "2025-01-01"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(last_seq(fx), last);

	/* Corrected again: the latest correction is the record's content,
	 * the earlier one neither original nor current. */
	submit1(fx, COR("R5", "R1", "77777742"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	last = res.seq;
	submit1(fx, NOW("R1", "77777742"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(res.seq, last);
	submit1(fx, NOW("R1", "55555542"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "ref");
	assert_int_equal(res.why, LINE_REF_REUSED);
	assert_non_null(strstr(res.reason, "send a correction"));
	submit1(fx, NOW("R1", "88888842"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_int_equal(res.why, LINE_REF_REUSED);

	/* Withdrawn: held as it was, refused as anything else. */
	submit1(fx, ID("R3", "66666642", "2025-01-03"), &res);
	assert_int_equal(res.status, LINE_HELD);
	submit1(fx, NOW("R3", "66666642"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "ref");
	assert_string_equal(
	    res.reason, "that record (seq 3) was withdrawn by seq 4 (its ref "
			"withheld): to count it send it again with a new "
			"ref");
	assert_int_equal(res.why, LINE_REASON_NONE);
	/* Withdrawn again, or corrected, under a new ref: the refusal names
	 * the withdrawal by its sequence; a dry run's too. */
	for (int k = 0; k < 3; k++) {
		fx->dry = k == 0 ? 22 : 0;
		submit1(fx,
			k < 2 ? WD("R8", "R3") : COR("R9", "R3", "66666642"),
			&res);
		assert_int_equal(res.status, LINE_REFUSED);
		assert_string_equal(res.field, "target_ref");
		assert_string_equal(
		    res.reason,
		    "that record was withdrawn by seq 4 (its ref withheld)");
	}
	/* Withdrawn earlier in a dry run: its sequence names no envelope. */
	{
		static const char *const dry[] = {
		    ID("R10", "66666660", "2025-01-03"), WD("R11", "R10"),
		    WD("R12", "R10")};
		fx->dry = 23;
		assert_int_equal(submit(fx, dry, 3, NULL, &rep), 0);
		assert_int_equal(rep.results[2].status, LINE_REFUSED);
		assert_string_equal(rep.results[2].reason,
				    "that record was withdrawn");
		codec_control_clear(&rep);
		fx->dry = 0;
	}
	assert_int_equal(last_seq(fx), last);

	/* A record, its correction and the record as it now stands in one
	 * request: a dry run answers as the real one (its correction is
	 * stored nowhere: found among the run's refs). */
	{
		static const char *const three[] = {
		    ID("R6", "99999942", "2025-01-06"),
		    COR("R7", "R6", "99999990"), NOW("R6", "99999990")};
		enum line_status st[3];
		size_t i;

		for (i = 0; i < 2; i++) {
			fx->dry = i == 0 ? 21 : 0;
			assert_int_equal(submit(fx, three, 3, st, &rep), 0);
			codec_control_clear(&rep);
			assert_int_equal(st[0], LINE_ACCEPTED);
			assert_int_equal(st[1], LINE_ACCEPTED);
			assert_int_equal(st[2], LINE_HELD);
		}
		assert_int_equal(last_seq(fx), last + 2);
	}
}

/* rotate - a new OPRF key and linkage key, epoch e, on both sides. */
static void
rotate(struct fixture *fx, uint32_t e)
{
	oprf_key_generate(fx->holder.key);
	fx->holder.epoch = e;
	memset(fx->linkage.key, 0x40 + (int)e, 32);
	fx->linkage.epoch = e;
}

static void says_nothing_of(const struct line_result *res, const char *s);

/*
 * A withdrawal's ref, which nothing checked for an identity (its line
 * carries no victim), here one holding the withdrawn record's victim's
 * DNI: the refusals of its record's ref with other content, and of a
 * correction or withdrawal of it, name the withdrawal by its sequence
 * and never print its ref (refs50).
 */
static void
test_withdrawn_ref_withheld(void **state)
{
	struct fixture *fx = *state;
#define WD_REF "WD-55555542-2026-03-10"
	static const char *const first[] = {ID("R1", "55555542", "2025-01-01"),
					    WD(WD_REF, "R1")};
	struct line_result res;
	struct control rep;

	assert_int_equal(submit(fx, first, 2, NULL, &rep), 0);
	assert_int_equal(rep.results[1].status, LINE_ACCEPTED);
	codec_control_clear(&rep);
	submit1(fx, NOW("R1", "55555542"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "ref");
	assert_string_equal(
	    res.reason, "that record (seq 1) was withdrawn by seq 2 (its ref "
			"withheld): to count it send it again with a new "
			"ref");
	says_nothing_of(&res, WD_REF);
	submit1(fx, WD("R2", "R1"), &res);
	assert_string_equal(res.reason,
			    "that record was withdrawn by seq 2 (its ref "
			    "withheld)");
	says_nothing_of(&res, WD_REF);
	submit1(fx, COR("R3", "R1", "55555542"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	says_nothing_of(&res, WD_REF);
#undef WD_REF
}

/*
 * After a key rotation the pseudonyms cannot be compared, the rest of a
 * line can: a corrected record's ref as the record now stands (a case
 * system exporting its records as they stand, without correction lines)
 * re-sends its latest correction with the new pseudonyms, once (a dry
 * run says so and stores nothing); with its original content it is
 * held; with any other it is refused as at the same epoch, as is a
 * withdrawn record's ref with content other than the original's.
 */
static void
test_rotation_reexport(void **state)
{
	struct fixture *fx = *state;
	static const char *const first[] = {
	    ID("R1", "55555542", "2025-01-01"), COR("R2", "R1", "55555542"),
	    ID("R3", "66666642", "2025-01-03"), WD("R4", "R3")};
	struct line_result res;
	struct control rep;
	struct event *ev;
	uint64_t last;

	assert_int_equal(submit(fx, first, 4, NULL, &rep), 0);
	codec_control_clear(&rep);
	last = last_seq(fx);
	rotate(fx, 2);

	/* Another content under the corrected ref, or the withdrawn one:
	 * refused, not "already held". */
	submit1(fx, ID("R1", "55555542", "2025-01-09"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_int_equal(res.why, LINE_REF_REUSED);
	submit1(fx, NOW("R3", "66666642"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_non_null(strstr(res.reason, "was withdrawn"));
	/* Their original content: held. */
	submit1(fx, ID("R1", "55555542", "2025-01-01"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(res.seq, 1);
	submit1(fx, ID("R3", "66666642", "2025-01-03"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(last_seq(fx), last);

	/* R1 as it now stands: R2's content with the new pseudonyms. */
	fx->dry = 31;
	submit1(fx, NOW("R1", "55555542"), &res);
	fx->dry = 0;
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(last_seq(fx), last);
	submit1(fx, NOW("R1", "55555542"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(res.seq, last + 1);
	ev = stored(fx, last + 1);
	assert_int_equal(ev->kind, KIND_CORRECTION);
	assert_int_equal(ev->target_seq, 1);
	assert_int_equal(ev->key_epoch, 2);
	assert_int_equal(ev->rec.region, 16);
	/* Done once: the line, and R2's own, are held now. */
	submit1(fx, NOW("R1", "55555542"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(res.seq, last + 1);
	submit1(fx, COR("R2", "R1", "55555542"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(last_seq(fx), last + 1);
}

/*
 * Whether record_parse (wrapped: -Wl,--wrap in tests/tests.cmake) drops
 * the flag of a ref holding its victim's identity, as a node older than
 * that check took such a ref, and keeps a placeholder document number as
 * a document, as a node older than that rule did.
 */
static bool old_parser;

int __real_record_parse(const char *line, size_t len, enum institution inst,
			int32_t today, struct pseudo_batch *batch,
			struct parsed_record *ret, struct record_error *err);
int __wrap_record_parse(const char *line, size_t len, enum institution inst,
			int32_t today, struct pseudo_batch *batch,
			struct parsed_record *ret, struct record_error *err);

int
__wrap_record_parse(const char *line, size_t len, enum institution inst,
		    int32_t today, struct pseudo_batch *batch,
		    struct parsed_record *ret, struct record_error *err)
{
	int r = __real_record_parse(line, len, inst, today, batch, ret, err);

	if (r == 0 && old_parser) {
		ret->ref_identity[0] = '\0';
		ret->held_only = false;
		record_placeholder_form(ret, true);
		ret->placeholder = 0;
	}
	return r;
}

/*
 * The error the look-ups of a ref made outside intake_record.c, which
 * defines intake_ref_get, get (intake.c's and intake_rekey.c's: -Wl,--wrap
 * in tests/tests.cmake wraps only calls from other files), 0: none.
 * test_ref_identity_store_error fails if the wrap stops taking intake.c's
 * or starts taking intake_record.c's (intake_ref_get moved).
 */
static int ref_get_error;

int __real_intake_ref_get(struct outbox_txn *t, struct intake *in,
			  const uint8_t id[EVENT_ID_LEN], struct ref_info *ret,
			  bool *ret_provisional);
int __wrap_intake_ref_get(struct outbox_txn *t, struct intake *in,
			  const uint8_t id[EVENT_ID_LEN], struct ref_info *ret,
			  bool *ret_provisional);

int
__wrap_intake_ref_get(struct outbox_txn *t, struct intake *in,
		      const uint8_t id[EVENT_ID_LEN], struct ref_info *ret,
		      bool *ret_provisional)
{
	if (ref_get_error != 0) {
		*ret_provisional = false;
		return ref_get_error;
	}
	return __real_intake_ref_get(t, in, id, ret, ret_provisional);
}

/*
 * The error of the outbox's look-up of the ref whose id is
 * ref_id_failing, 0: none. Other ids are read as they are.
 */
static int ref_id_error;
static uint8_t ref_id_failing[EVENT_ID_LEN];

int __real_outbox_ref_get(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
			  struct ref_info *ret);
int __wrap_outbox_ref_get(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
			  struct ref_info *ret);

int
__wrap_outbox_ref_get(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
		      struct ref_info *ret)
{
	if (ref_id_error != 0 && memcmp(id, ref_id_failing, EVENT_ID_LEN) == 0)
		return ref_id_error;
	return __real_outbox_ref_get(t, id, ret);
}

/*
 * What a line was told at each step of held_store and held_rekey: a line
 * this node refuses for a new record, of which an older node stored a
 * record (its ref holding an identity, a field standing for no value).
 */
struct held_steps {
	struct line_result refused, refused_dry;
	size_t asked;  /* the holder's evaluations after those two */
	uint64_t last; /* the sequence the older node stored */
	struct line_result held, held_dry;
	struct line_result rekeyed;
};

/*
 * line refused, in a dry run too, nothing stored; then stored as an older
 * node took it (old_parser), and re-sent held, in a dry run too.
 */
static void
held_store(struct fixture *fx, const char *line, struct held_steps *s)
{
	struct line_result res;

	submit1(fx, line, &s->refused);
	assert_int_equal(s->refused.status, LINE_REFUSED);
	fx->dry = 7;
	submit1(fx, line, &s->refused_dry);
	fx->dry = 0;
	assert_int_equal(s->refused_dry.status, LINE_REFUSED);
	assert_int_equal(last_seq(fx), 0);
	s->asked = fx->holder.asked;

	old_parser = true;
	submit1(fx, line, &res);
	old_parser = false;
	assert_int_equal(res.status, LINE_ACCEPTED);
	s->last = last_seq(fx);
	submit1(fx, line, &s->held);
	assert_int_equal(s->held.status, LINE_HELD);
	fx->dry = 8;
	submit1(fx, line, &s->held_dry);
	fx->dry = 0;
	assert_int_equal(s->held_dry.status, LINE_HELD);
}

/*
 * After held_store, the keys rotated to epoch 2: line re-keyed, a dry run
 * first storing nothing, then held.
 */
static void
held_rekey(struct fixture *fx, const char *line, struct held_steps *s)
{
	struct line_result res;

	rotate(fx, 2);
	fx->dry = 9;
	submit1(fx, line, &res);
	fx->dry = 0;
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(last_seq(fx), s->last);
	submit1(fx, line, &s->rekeyed);
	assert_int_equal(s->rekeyed.status, LINE_REKEYED);
	assert_int_equal(stored(fx, s->last + 1)->key_epoch, 2);
	submit1(fx, line, &res);
	assert_int_equal(res.status, LINE_HELD);
}

/*
 * A ref holding its victim's document number is refused for a new record,
 * with no ref handed back for --report (nor for a held one); a record held
 * under one, stored
 * by an older node, stays what it was: its line re-sent is held, and
 * after a key rotation re-keyed, a dry run saying so too. A correction of
 * it is a new record under its own ref: refused when that ref holds her
 * identity as well.
 */
static void
test_ref_identity_held(void **state)
{
	struct fixture *fx = *state;
	const char *line = ID("DNI-41735208", "41735208", "2025-01-01");
	struct held_steps s;
	struct line_result res;

	held_store(fx, line, &s);
	assert_string_equal(s.refused.field, "ref");
	assert_non_null(
	    strstr(s.refused.reason, "holds the victim's document"));
	assert_string_equal(s.refused.ref, "");
	assert_false(line_warns_ref(&s.refused));
	assert_string_equal(s.refused_dry.ref, "");
	assert_int_equal(s.asked, 0);
	/* Held or not, the ref is not handed back: --report would copy it. */
	assert_string_equal(s.held.ref, "");
	/* And the institution is told to withdraw it and send it again. */
	assert_true(line_warns_ref(&s.held));
	assert_non_null(strstr(s.held.ref_warning,
			       "holds the victim's document number: a record "
			       "stored before the node refused such refs: "
			       "withdraw it and send it again"));
	assert_null(strstr(s.held.ref_warning, "41735208"));
	assert_true(line_warns_ref(&s.held_dry));

	held_rekey(fx, line, &s);
	assert_true(line_warns_ref(&s.rekeyed));
	assert_int_equal(s.rekeyed.seq, s.last + 1);

	submit1(fx, COR("C-41735208", "DNI-41735208", "41735208"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "ref");
	assert_string_equal(res.ref, "");
	submit1(fx, COR("C-1", "DNI-41735208", "41735208"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	assert_false(line_warns_ref(&res));
	submit1(fx, ID("PNP-52846319", "52846319", "2025-01-05"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "ref");
	assert_int_equal(last_seq(fx), s.last + 2);
}

/*
 * A document number 00000000 (an export's "no DNI") is refused for a new
 * record, saying why, with its ref handed back; a record held under the
 * ref, stored by an older node that took it, stays what it was: its line
 * re-sent is held, not refused every month, a dry run saying so too,
 * after a key rotation it is re-keyed, and it can still be corrected (the
 * correction leaving the document out) and withdrawn.
 */
static void
test_no_value_held(void **state)
{
	struct fixture *fx = *state;
	const char *line = ID("Z1", "00000000", "2025-01-01");
	struct held_steps s;
	struct line_result res;

	held_store(fx, line, &s);
	assert_string_equal(s.refused.field, "victim.document.number");
	assert_non_null(strstr(s.refused.reason, "stands for no value"));
	assert_string_equal(s.refused.ref, "Z1");
	assert_string_equal(s.held.ref, "Z1");
	/* Another record under the ref: told so, as before. */
	submit1(fx, ID("Z1", "00000000", "2025-01-09"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "ref");

	held_rekey(fx, line, &s);

	/* A correction under a new ref is a new record: refused with the
	 * DNI of zeros, taken with the document left out. */
	submit1(fx, COR("Z2", "Z1", "00000000"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "record.victim.document.number");
	submit1(fx,
		"{\"kind\":\"correction\",\"ref\":\"Z2\",\"target_ref\":"
		"\"Z1\",\"record\":{\"kind\":\"identification\",\"date\":"
		"\"2025-02-02\",\"region\":\"16\",\"victim\":{"
		"\"given_names\":\"Ana\",\"surnames\":\"Quispe\","
		"\"birth_date\":\"2012-01-02\",\"sex\":\"F\","
		"\"nationality\":\"PE\"},\"exploitation\":[\"labour\"]}}",
		&res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	/* The export sent again with the old line: held still. */
	submit1(fx, line, &res);
	assert_int_equal(res.status, LINE_HELD);
	submit1(fx, WD("Z3", "Z1"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	assert_int_equal(last_seq(fx), s.last + 3);
}

/*
 * submit_many - one request of first (NULL: none), then n new
 * identification lines (refs N0, N1...), then last (NULL: none). Returns
 * intake_submit's.
 */
static int
submit_many(struct fixture *fx, const char *first, size_t n, const char *last,
	    struct control *rep)
{
	uint8_t **lines = calloc(n + 2, sizeof(*lines));
	size_t *lens = calloc(n + 2, sizeof(*lens)), k = 0, i;
	int r;

	assert_non_null(lines);
	assert_non_null(lens);
	if (first != NULL)
		lines[k++] = (uint8_t *)strdup(first);
	for (i = 0; i < n; i++) {
		char *l;
		assert_true(
		    asprintf(&l,
			     "{\"kind\":\"identification\",\"ref\":"
			     "\"N%zu\",\"date\":\"2025-01-01\","
			     "\"region\":\"15\"," VICTIM(
				 "%08zu") ","
					  "\"exploitation\":[\"sexual\"]}",
			     i, 20000000 + i) > 0);
		lines[k++] = (uint8_t *)l;
	}
	if (last != NULL)
		lines[k++] = (uint8_t *)strdup(last);
	for (i = 0; i < k; i++) {
		assert_non_null(lines[i]);
		lens[i] = strlen((char *)lines[i]);
	}
	r = intake_submit(&fx->in, 1, lines, lens, k, fx->dry, rep);
	for (i = 0; i < k; i++)
		free(lines[i]);
	free(lines);
	free(lens);
	return r;
}

/*
 * A request that fails whole after a line of it was re-keyed (its key
 * holders, on a later round) counts no re-keying: none was stored
 * (kuska_node_records_rekeyed_total counted it, read49).
 */
static void
test_rekey_failed_not_counted(void **state)
{
	static const char *const a = ID("A", "41735209", "2025-01-01");
	struct fixture *fx = *state;
	struct line_result res;
	struct control rep;
	uint64_t last;

	submit1(fx, a, &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	last = last_seq(fx);
	rotate(fx, 2);
	/* A re-keyed in the first round, the second round's answer lost. */
	fx->holder.sends = 0;
	fx->holder.fail_send = 2;
	assert_int_equal(submit_many(fx, a, INTAKE_ROUND_RECORDS, NULL, &rep),
			 -EHOSTUNREACH);
	fx->holder.fail_send = 0;
	assert_int_equal(fx->holder.sends, 2);
	assert_non_null(strstr(rep.error, "unreachable"));
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), last);
	assert_int_equal(fx->in.rekeyed, 0);
	assert_int_equal(fx->in.refused, 0);
	submit1(fx, a, &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(fx->in.rekeyed, 1);
}

/*
 * A store error met parsing a round (the look-up of a ref that holds its
 * victim's identity) stops the request there: the later rounds are not
 * sent to the key holders (their rate_per_day spent on a request that
 * fails whole).
 */
static void
test_parse_store_error_stops(void **state)
{
	struct fixture *fx = *state;
	struct control rep;

	fx->holder.sends = 0;
	ref_get_error = -EIO;
	assert_int_equal(
	    submit_many(fx, NULL, INTAKE_ROUND_RECORDS + 2,
			ID("DNI-41735208", "41735208", "2025-01-01"), &rep),
	    -EIO);
	ref_get_error = 0;
	assert_non_null(strstr(rep.error, "store error"));
	codec_control_clear(&rep);
	/* The first round only: the second (two lines and the line of the
	 * error) never sent. */
	assert_int_equal(fx->holder.sends, 1);
	assert_int_equal(last_seq(fx), 0);
}

/*
 * A key holder's -ESRCH on a real submission is told as the key holder's
 * failure, not "this dry run had ended" (a real submission's run id, 0,
 * was the last ended one's until a run ended: read49); and a store that
 * returns -EINVAL looking up a ref that holds its victim's identity fails
 * the request as any store error, where the line was refused for it.
 */
static void
test_errors_told_as_theirs(void **state)
{
	static const char *const lines[] = {
	    ID("PNP-2", "41735209", "2025-01-01"),
	    ID("DNI-41735208", "41735208", "2025-01-01")};
	struct fixture *fx = *state;
	struct control rep;
	char want[256];

	fx->holder.fail = -ESRCH;
	assert_int_equal(submit(fx, lines, 1, NULL, &rep), -ESRCH);
	fx->holder.fail = 0;
	assert_string_equal(rep.error,
			    "key holder test unreachable: nothing of this "
			    "request was stored; submit again later");
	codec_control_clear(&rep);
	assert_int_equal(fx->in.holder_failures, 1);
	/* A failure every later submission meets the same until a
	 * configuration is changed (holders.h: a request over a holder's
	 * whole rate_per_day, walk55k; an older holder's max_batch,
	 * walk55u; keys of two epochs): the reason says who must change
	 * what, and no "submit again later". */
	{
		static const int lasting[] = {-EDQUOT, -EPROTO, -ESTALE,
					      -EBADMSG};
		size_t k;
		for (k = 0; k < sizeof(lasting) / sizeof(lasting[0]); k++) {
			fx->holder.fail = lasting[k];
			assert_int_equal(submit(fx, lines, 1, NULL, &rep),
					 lasting[k]);
			assert_string_equal(rep.error,
					    "key holder test unreachable: "
					    "nothing of this request was "
					    "stored");
			codec_control_clear(&rep);
		}
		fx->holder.fail = 0;
		assert_int_equal(fx->in.holder_failures, 5);
	}

	ref_get_error = -EINVAL;
	assert_int_equal(submit(fx, lines, 2, NULL, &rep), -EINVAL);
	ref_get_error = 0;
	assert_string_equal(rep.error,
			    store_error(fx, EINVAL, want, sizeof(want)));
	assert_int_equal(rep.n_results, 0);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 0);
}

/* ID's line with a region no one has: refused for that. */
#define ID_BAD_REGION(ref, dni)                                                \
	"{\"kind\":\"identification\",\"ref\":\"" ref                          \
	"\",\"date\":\"2025-01-01\",\"region\":\"99\"," VICTIM(                \
	    dni) ",\"exploitation\":[\"sexual\"]}"

/*
 * A line refused for another field whose ref holds its victim's identity
 * is told of the ref too, as it would be once the rest is mended: that
 * it is refused for it (none held under it), or that the record held
 * under it is to be withdrawn and sent again. Never the ref itself.
 */
static void
test_ref_identity_told_with_refusal(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;

	submit1(fx, ID_BAD_REGION("DNI-41735208", "41735208"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "region");
	assert_string_equal(res.ref, "");
	assert_string_equal(res.ref_warning,
			    "holds the victim's document number: refused for "
			    "this too: the node keeps each ref in clear on its "
			    "disk; use the case system's own record key");
	/* Not a held record's warning: not counted as one. */
	assert_false(line_warns_ref(&res));
	fx->dry = 7;
	submit1(fx, ID_BAD_REGION("DNI-41735208", "41735208"), &res);
	fx->dry = 0;
	assert_non_null(strstr(res.ref_warning, "refused for this too"));
	/* A ref that holds none: nothing more. */
	submit1(fx, ID_BAD_REGION("PNP-1", "41735208"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.ref, "PNP-1");
	assert_string_equal(res.ref_warning, "");

	old_parser = true;
	submit1(fx, ID("DNI-41735208", "41735208", "2025-01-01"), &res);
	old_parser = false;
	assert_int_equal(res.status, LINE_ACCEPTED);
	submit1(fx, ID_BAD_REGION("DNI-41735208", "41735208"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "region");
	assert_string_equal(res.ref, "");
	assert_string_equal(res.ref_warning,
			    "holds the victim's document number: a record "
			    "stored before the node refused such refs: "
			    "withdraw it and send it again under the case "
			    "system's record key (docs/INPUT.md section 7)");
}

/*
 * A store error on the entry of a ref that holds its victim's identity
 * fails the request whole, as any store error does: nothing of it stored
 * and the error said once, for the request (an outbox damaged: run
 * kuska-node --recover). Read as nothing held, it refused the line for
 * its ref, or told a line refused for another field "refused for this
 * too": the officer would send under a new ref a record perhaps held
 * under this one, to count twice. Refused alone ("store error: ..."), the
 * line let the rest of the request be stored, the error said nowhere
 * else. A dry run fails alike.
 */
static void
test_ref_identity_store_error(void **state)
{
	static const char *const other[] = {
	    ID("PNP-2", "41735209", "2025-01-01"),
	    ID_BAD_REGION("DNI-41735208", "41735208")};
	static const char *const alone[] = {
	    ID("PNP-2", "41735209", "2025-01-01"),
	    ID("DNI-41735208", "41735208", "2025-01-01")};
	struct fixture *fx = *state;
	char error[256];
	struct line_result res;
	struct control rep;
	int r;

	store_error(fx, EIO, error, sizeof(error));
	ref_get_error = -EIO;
	r = submit(fx, other, 2, NULL, &rep);
	ref_get_error = 0;
	assert_int_equal(r, -EIO);
	assert_string_equal(rep.error, error);
	assert_int_equal(rep.n_results, 0);
	codec_control_clear(&rep);
	ref_get_error = -EIO;
	r = submit(fx, alone, 2, NULL, &rep);
	ref_get_error = 0;
	assert_int_equal(r, -EIO);
	assert_string_equal(rep.error, error);
	codec_control_clear(&rep);
	fx->dry = 81;
	ref_get_error = -EIO;
	r = submit(fx, alone, 2, NULL, &rep);
	ref_get_error = 0;
	fx->dry = 0;
	assert_int_equal(r, -EIO);
	assert_string_equal(rep.error, error);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 0);
	/* A ref that holds no identity is not looked up for it. */
	ref_get_error = -EIO;
	submit1(fx, alone[0], &res);
	ref_get_error = 0;
	assert_int_equal(res.status, LINE_ACCEPTED);
	assert_int_equal(last_seq(fx), 1);
	/* Read, the entries tell as before. */
	submit1(fx, alone[1], &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "ref");
	assert_string_equal(res.ref, "");
	assert_int_equal(last_seq(fx), 1);
}

/*
 * A record held with the pseudonyms of a key epoch newer than the node's
 * (its linkage key file an old copy): its line is refused saying so,
 * nothing stored, and the reason carries no comma (it lands in --report's
 * CSV).
 */
static void
test_held_newer_epoch(void **state)
{
	struct fixture *fx = *state;
	const char *line = ID("E-1", "41735209", "2025-01-01");
	struct line_result res;

	rotate(fx, 2);
	submit1(fx, line, &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	rotate(fx, 1);
	submit1(fx, line, &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "ref");
	assert_string_equal(res.reason,
			    "held with pseudonyms of key epoch 2 newer than "
			    "this node's (1): is the node's linkage key file "
			    "current?");
	assert_int_equal(last_seq(fx), 1);
}

/*
 * A target_ref that names no record as written, whose look-up written
 * otherwise (in upper case: held_otherwise) fails in the store: the
 * request fails as a store error, nothing of it stored, a dry run too, as
 * when the look-up as written fails. Before, the line was refused as
 * naming no record of the institution.
 */
static void
test_target_otherwise_store_error(void **state)
{
	static const char *const wd = WD("W-1", "x-1");
	struct fixture *fx = *state;
	char error[256];
	struct line_result res;
	struct control rep;
	int r;

	store_error(fx, EIO, error, sizeof(error));
	submit1(fx, ID("X-1", "41735209", "2025-01-01"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	pseudo_event_id(fx->in.ref_key->key, fx->in.inst, "X-1",
			ref_id_failing);
	ref_id_error = -EIO;
	r = submit(fx, &wd, 1, NULL, &rep);
	ref_id_error = 0;
	assert_int_equal(r, -EIO);
	assert_string_equal(rep.error, error);
	assert_int_equal(rep.n_results, 0);
	codec_control_clear(&rep);
	fx->dry = 82;
	ref_id_error = -EIO;
	r = submit(fx, &wd, 1, NULL, &rep);
	ref_id_error = 0;
	fx->dry = 0;
	assert_int_equal(r, -EIO);
	assert_string_equal(rep.error, error);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 1);
	/* Read, the look-up tells as before. */
	submit1(fx, wd, &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "target_ref");
	assert_non_null(strstr(res.reason, "in other case"));
	assert_int_equal(last_seq(fx), 1);
}

/* A case stage of case CF-<n>, dated d; its victim. */
#define CV "{\"age\":15,\"sex\":\"F\",\"nationality\":\"PE\"}"
#define STG(ref, n, stage, d)                                                  \
	"{\"kind\":\"case_stage\",\"ref\":\"" ref "\",\"date\":\"" d           \
	"\",\"region\":\"15\",\"case_number\":\"CF-" n "\",\"stage\":\"" stage \
	"\",\"victims\":[" CV "],\"persons\":1,\"article\":\"153\"}"
#define STGCOR(ref, target, n, stage, d)                                       \
	"{\"kind\":\"correction\",\"ref\":\"" ref                              \
	"\",\"target_ref\":\"" target                                          \
	"\",\"record\":{\"kind\":\"case_stage\",\"date\":\"" d                 \
	"\",\"region\":\"15\",\"case_number\":\"CF-" n "\",\"stage\":\"" stage \
	"\",\"victims\":[" CV "],\"persons\":1,\"article\":\"153\"}}"

/* The stages' index's tables, of an outbox not open. */
static const char *const stage_tables[] = {"stages", "stageof", "stagrec"};

/* Renews within txn the stamp of the mark of checked refs, as a commit
 * of a kuska that keeps that mark does: without it, the mark moves past
 * every ref stored (outbox_open), which forget_stages does not mean to
 * test. */
static void
renew_refs_stamp(MDB_txn *txn, MDB_dbi meta)
{
	static const char key[] = OUTBOX_REFS_CHECKED_STAMP;
	uint8_t b[8 + LMDBCHECK_TAG_LEN];
	MDB_val k = {sizeof(key) - 1, (void *)key}, v = {sizeof(b), b};

	bytes_put_be64(b, mdb_txn_id(txn));
	bytes_put_be32(b + 8, lmdbcheck_tag(key, sizeof(key) - 1, b, 8));
	assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
}

/* Makes the outbox in dir one of a kuska before the stages' index:
 * neither its tables nor (unless keep_mark: one an earlier kuska wrote
 * to since, which keeps no stamp) its mark. */
static void
forget_stages(const char *dir, bool keep_mark)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {13, "stages_index3"};
	size_t i;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 10), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(mdb_dbi_open(txn, stage_tables[i], 0, &dbi),
				 0);
		assert_int_equal(mdb_drop(txn, dbi, 1), 0);
	}
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	if (!keep_mark)
		assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	renew_refs_stamp(txn, dbi);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* Closes the node's outbox and opens it again, as a restart does; with
 * `forget`, made first one of a kuska before the index (forget_stages). */
static void
reopen(struct fixture *fx, bool forget, bool keep_mark)
{
	intake_free(&fx->in);
	outbox_close(&fx->ob);
	if (forget)
		forget_stages(fx->dir, keep_mark);
	assert_int_equal(outbox_open(fx->dir, 16u << 20, &fx->ob), 0);
	fx->in.ob = fx->ob;
	assert_int_equal(intake_init(&fx->in), 0);
}

/* res is accepted (or as st says) with a warning holding want ("": none). */
static void
warned(const struct line_result *res, enum line_status st, const char *want)
{
	if (res->status != st)
		fail_msg("status %d: %s: %s", res->status, res->field,
			 res->reason);
	if (want[0] == '\0')
		assert_string_equal(res->warning, "");
	else if (strstr(res->warning, want) == NULL)
		fail_msg("warning \"%s\" lacks \"%s\"", res->warning, want);
}

/*
 * The case stages' index: a second record of a case's stage under
 * another ref is accepted with a warning naming the first (its own ref
 * again is "already held", unwarned); a stage dated before an earlier
 * stage of its case, or after a later one, is warned of; a correction
 * moves the first record's entry to its new content, a withdrawal gives
 * it to the next record of the stage; and an outbox opened again keeps it, or
 * builds it from its envelopes when made before it or written to since by a
 * kuska that does not keep it.
 */
static void
test_case_stages(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;

	submit1(fx, STG("K1", "9", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("K2", "9", "accusation", "2026-03-01"), &res);
	warned(&res, LINE_ACCEPTED,
	       "stage accusation dated 2026-03-01 is before this case's "
	       "complaint (2026-04-02 ref K1): a case's stages come in their "
	       "order; check the dates");
	assert_null(strchr(res.warning, ','));
	submit1(fx, STG("K3", "9", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED,
	       "case stage complaint already held for this case (ref K1 seq "
	       "1): a second record counts for nothing; to change the first "
	       "send a correction with target_ref K1");
	assert_null(strchr(res.warning, ','));
	/* A second record dated before the first counts in its place. */
	submit1(fx, STG("KE", "9", "complaint", "2026-04-01"), &res);
	warned(&res, LINE_ACCEPTED,
	       "case stage complaint already held for this case (ref K1 seq "
	       "1): this record dated before it (2026-04-02) counts in its "
	       "place (a stage counts by its earliest record); withdraw the "
	       "wrong one");
	assert_null(strchr(res.warning, ','));
	/* An earlier stage dated after a later one. */
	submit1(fx, STG("K9", "9", "preliminary_investigation", "2026-05-01"),
		&res);
	warned(&res, LINE_ACCEPTED, "is after this case's accusation");
	/* Sent again: held, no warning. */
	submit1(fx, STG("K3", "9", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_HELD, "");
	submit1(fx, STG("K1", "9", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_HELD, "");
	/* Another case: nothing to say. */
	submit1(fx, STG("K4", "10", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "");

	/* K1 corrected onto case 11: case 9's complaint is KE's, dated
	 * before K1's, which took it (K5, dated before, takes it again). */
	submit1(fx, STGCOR("C1", "K1", "11", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("K5", "9", "complaint", "2026-02-01"), &res);
	warned(&res, LINE_ACCEPTED,
	       "(ref KE seq 4): this record dated before it (2026-04-01)");
	/* Case 11's complaint is K1's now. */
	submit1(fx, STG("K6", "11", "complaint", "2026-04-09"), &res);
	warned(&res, LINE_ACCEPTED, "(ref K1 seq 1)");
	/* A correction onto a stage held: warned of too. */
	submit1(fx, STGCOR("C2", "K4", "9", "complaint", "2026-02-01"), &res);
	warned(&res, LINE_ACCEPTED, "already held for this case (ref K5");

	/* K5 withdrawn: case 9's complaint goes to K4 (corrected onto it,
	 * dated as K5 and sent after it), the earliest of those left. */
	submit1(fx, WD("W1", "K5"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("K7", "9", "complaint", "2026-02-02"), &res);
	warned(&res, LINE_ACCEPTED, "(ref K4 seq 6): a second record");

	/* Opened again: kept; made before the index: built the same. */
	reopen(fx, false, false);
	submit1(fx, STG("K8", "9", "complaint", "2026-02-03"), &res);
	warned(&res, LINE_ACCEPTED, "(ref K4 seq 6)");
	reopen(fx, true, false);
	submit1(fx, STG("K10", "11", "complaint", "2026-02-03"), &res);
	warned(&res, LINE_ACCEPTED, "(ref K1 seq 1)");
	submit1(fx, STG("K11", "9", "complaint", "2026-02-03"), &res);
	warned(&res, LINE_ACCEPTED, "(ref K4 seq 6)");
	reopen(fx, true, true);
	submit1(fx, STG("K12", "9", "complaint", "2026-02-03"), &res);
	warned(&res, LINE_ACCEPTED, "(ref K4 seq 6)");
}

/*
 * An outbox rebuilt by kuska-node --recover holds no ref for the records
 * it took back (the consolidator has none in clear): its stages' index,
 * built from the envelopes, names the held record by its sequence and
 * says its ref is not known, where the warnings read "(ref  seq 1)" and
 * "target_ref " with nothing after (walk48, a node moved by a recovery).
 */
static void
test_case_stages_no_ref(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;

	submit1(fx, STG("K1", "9", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("K2", "10", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	intake_free(&fx->in);
	outbox_close(&fx->ob);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, fx->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "seqref", 0, &dbi), 0);
	assert_int_equal(mdb_drop(txn, dbi, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	reopen(fx, true, false);
	submit1(fx, STG("K3", "9", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED,
	       "case stage complaint already held for this case (seq 1: its "
	       "ref not known to this node): a second record counts for "
	       "nothing; to change the first send a correction with "
	       "target_ref its ref");
	assert_null(strchr(res.warning, ','));
	submit1(fx, STG("KE", "9", "complaint", "2026-04-01"), &res);
	warned(&res, LINE_ACCEPTED,
	       "(seq 1: its ref not known to this node): this record dated "
	       "before it (2026-04-02)");
	submit1(fx, STG("K4", "10", "accusation", "2026-03-01"), &res);
	warned(&res, LINE_ACCEPTED,
	       "stage accusation dated 2026-03-01 is before this case's "
	       "complaint (2026-04-02: its ref not known to this node): a "
	       "case's stages come in their order; check the dates");
}

/* STG's line with a victim whose DNI is dni. */
#define STGV(ref, n, stage, d, dni)                                            \
	"{\"kind\":\"case_stage\",\"ref\":\"" ref "\",\"date\":\"" d           \
	"\",\"region\":\"15\",\"case_number\":\"CF-" n "\",\"stage\":\"" stage \
	"\",\"victims\":[{\"document\":{\"type\":\"DNI\",\"number\":\"" dni    \
	"\"},\"age\":15,\"sex\":\"F\",\"nationality\":\"PE\"}],\"persons\":1," \
	"\"article\":\"153\"}"

/* Nothing res says, nor the fields it hands back, holds s. */
static void
says_nothing_of(const struct line_result *res, const char *s)
{
	if (strstr(res->warning, s) != NULL || strstr(res->ref, s) != NULL ||
	    strstr(res->reason, s) != NULL ||
	    strstr(res->ref_warning, s) != NULL)
		fail_msg("reply holds \"%s\": %s / %s", s, res->warning,
			 res->ref_warning);
}

static void stage_bytes(struct fixture *fx, uint8_t **ret, size_t *ret_len);

/*
 * A case stage held under a ref that holds its victim's DNI (stored by a
 * node older than the check: read49) is not named by it in the warnings
 * about other lines, which reach kuska submit's output and --report
 * files: a repeat and an out-of-order stage name it by its sequence,
 * after the index is rebuilt from the envelopes' refs too; the index
 * does not keep it.
 */
static void
test_case_stages_ref_identity(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint8_t *b;
	size_t n;

	old_parser = true;
	submit1(
	    fx,
	    STGV("DNI-41735208", "9", "complaint", "2026-04-02", "41735208"),
	    &res);
	old_parser = false;
	warned(&res, LINE_ACCEPTED, "");
	stage_bytes(fx, &b, &n);
	assert_null(memmem(b, n, "41735208", 8));
	free(b);
	submit1(fx, STG("K3", "9", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED,
	       "case stage complaint already held for this case (seq 1: its "
	       "ref withheld as it may hold the victim's identity): a second "
	       "record counts for nothing; to change the first send a "
	       "correction with "
	       "target_ref its ref");
	says_nothing_of(&res, "41735208");
	submit1(fx, STG("K4", "9", "accusation", "2026-03-01"), &res);
	warned(&res, LINE_ACCEPTED,
	       "is before this case's complaint (2026-04-02: its ref "
	       "withheld as it may hold the victim's identity)");
	says_nothing_of(&res, "41735208");
	/* Rebuilt from the envelopes' refs, as by an older node's disk. */
	reopen(fx, true, false);
	submit1(fx, STG("K5", "9", "complaint", "2026-04-06"), &res);
	warned(&res, LINE_ACCEPTED, "(seq 1: its ref withheld");
	says_nothing_of(&res, "41735208");
	submit1(fx, STG("K6", "9", "complaint", "2026-04-01"), &res);
	warned(&res, LINE_ACCEPTED, "(seq 1: its ref withheld");
	says_nothing_of(&res, "41735208");
	submit1(fx, STG("K7", "9", "trial", "2026-01-01"), &res);
	warned(&res, LINE_ACCEPTED, "is before this case's complaint");
	says_nothing_of(&res, "41735208");
	/* A ref of eight digits all one (a case system's "none") is named,
	 * and one of a fiscal case number's ten; nine are not. */
	submit1(fx, STG("X-00000000", "12", "complaint", "2026-04-02"), &res);
	submit1(fx, STG("K8", "12", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref X-00000000 seq");
	submit1(fx,
		STG("1706014500-2023-12-0", "13", "complaint", "2026-04-02"),
		&res);
	submit1(fx, STG("K9", "13", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref 1706014500-2023-12-0 seq");
	submit1(fx, STG("CE-001735208", "14", "complaint", "2026-04-02"), &res);
	submit1(fx, STG("K10", "14", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "its ref withheld as it may hold");
	says_nothing_of(&res, "001735208");
}

#define STGN(ref, n, stage, d)                                                 \
	"{\"kind\":\"case_stage\",\"ref\":\"" ref "\",\"date\":\"" d           \
	"\",\"region\":\"15\",\"case_number\":\"CF-" n "\",\"stage\":\"" stage \
	"\",\"victims\":[{\"given_names\":\"Zoila Marta\",\"surnames\":"       \
	"\"Nunez Quispe\",\"age\":15,\"sex\":\"F\",\"nationality\":\"PE\"}],"  \
	"\"persons\":1,\"article\":\"153\"}"

/*
 * A case stage held under a ref that holds its victim's names, which an
 * older node kept in the stages' index, re-keyed after a rotation: its
 * entry under the new pseudonyms does not take that ref back (the
 * index's own check sees digits only), so no warning names it (read49b).
 */
static void
test_case_stages_rekey_ref_identity(void **state)
{
	static const char *const line =
	    STGN("PJ-EXP-Nunez-Quispe-1", "9", "complaint", "2026-04-02");
	struct fixture *fx = *state;
	struct line_result res;
	uint8_t *b;
	size_t n;

	old_parser = true;
	submit1(fx, line, &res);
	old_parser = false;
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, line, &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_true(line_warns_ref(&res));
	rotate(fx, 2);
	submit1(fx, line, &res);
	assert_int_equal(res.status, LINE_REKEYED);
	submit1(fx, STG("K3", "9", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED,
	       "case stage complaint already held for this case (seq 1: its "
	       "ref withheld");
	says_nothing_of(&res, "Nunez");
	stage_bytes(fx, &b, &n);
	assert_null(memmem(b, n, "Nunez", 5));
	free(b);
}

#define STGNCOR(ref, target, n, stage, d)                                      \
	"{\"kind\":\"correction\",\"ref\":\"" ref                              \
	"\",\"target_ref\":\"" target                                          \
	"\",\"record\":{\"kind\":\"case_stage\",\"date\":\"" d                 \
	"\",\"region\":\"15\",\"case_number\":\"CF-" n "\",\"stage\":\"" stage \
	"\",\"victims\":[{\"given_names\":\"Zoila Marta\",\"surnames\":"       \
	"\"Nunez Quispe\",\"age\":15,\"sex\":\"F\",\"nationality\":\"PE\"}],"  \
	"\"persons\":1,\"article\":\"153\"}}"

/*
 * A correction under a clean ref of a case stage held under a ref that
 * holds its victim's names (stored by an older node): the stages' index
 * takes the correction's target_ref for the record, and the parser's
 * checks of it (not only of the line's own ref) keep it out, so no
 * warning names it (read49b).
 */
static void
test_case_stages_target_ref_identity(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint8_t *b;
	size_t n;

	old_parser = true;
	submit1(fx,
		STG("PJ-EXP-Nunez-Quispe-2", "9", "complaint", "2026-04-02"),
		&res);
	old_parser = false;
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx,
		STGNCOR("C-1", "PJ-EXP-Nunez-Quispe-2", "9", "complaint",
			"2026-04-03"),
		&res);
	warned(&res, LINE_ACCEPTED, "");
	assert_false(line_warns_ref(&res));
	submit1(fx, STG("K3", "9", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED,
	       "case stage complaint already held for this case (seq 1: its "
	       "ref withheld");
	says_nothing_of(&res, "Nunez");
	stage_bytes(fx, &b, &n);
	assert_null(memmem(b, n, "Nunez", 5));
	free(b);
	/* Its target_ref holding no identity, the correction names it. */
	submit1(fx, STG("R1", "10", "complaint", "2026-04-02"), &res);
	submit1(fx, STGNCOR("C-2", "R1", "10", "complaint", "2026-04-03"),
		&res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("K4", "10", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref R1 seq");
}

/* Deletes key k of table (the outbox in dir closed). */
static void
del_key(const char *dir, const char *table, MDB_val *k)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 10), 0);
	assert_int_equal(mdb_env_set_mapsize(env, 16u << 20), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, table, 0, &dbi), 0);
	assert_int_equal(mdb_del(txn, dbi, k, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* Deletes meta key name (the outbox closed): what an earlier kuska's
 * outbox lacks. */
static void
del_meta(const char *dir, const char *name)
{
	MDB_val k = {strlen(name), (void *)name};

	del_key(dir, "meta", &k);
}

/* Makes the outbox in dir one that a kuska before the refs' checks wrote:
 * without the mark of the first sequence whose ref was checked. */
static void
forget_refs_checked(const char *dir)
{
	del_meta(dir, OUTBOX_REFS_CHECKED_KEY);
}

/*
 * A case stage held under a ref that holds its victim's names, stored by
 * a node that did not check refs (refs50): the stages' index keeps it
 * (only digits look like an identity) but no warning about another line
 * prints it, before and after the index is rebuilt from the envelopes'
 * refs; a record stored since is named by its ref.
 */
static void
test_case_stages_ref_unchecked(void **state)
{
	static const char *const withheld =
	    "its ref withheld as it was stored before refs were checked";
	struct fixture *fx = *state;
	struct line_result res;

	old_parser = true;
	submit1(fx,
		STGN("PJ-EXP-Nunez-Quispe-3", "9", "complaint", "2026-04-02"),
		&res);
	old_parser = false;
	warned(&res, LINE_ACCEPTED, "");
	intake_free(&fx->in);
	outbox_close(&fx->ob);
	forget_refs_checked(fx->dir);
	reopen(fx, false, false);
	submit1(fx, STG("K3", "9", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED,
	       "case stage complaint already held for this case (seq 1: its "
	       "ref withheld as it was stored before refs were checked): a "
	       "second record counts for nothing; to change the first send a "
	       "correction with target_ref its ref");
	assert_null(strchr(res.warning, ','));
	says_nothing_of(&res, "Nunez");
	submit1(fx, STG("K4", "9", "accusation", "2026-03-01"), &res);
	warned(&res, LINE_ACCEPTED, withheld);
	says_nothing_of(&res, "Nunez");
	reopen(fx, true, false);
	submit1(fx, STG("K5", "9", "complaint", "2026-04-01"), &res);
	warned(&res, LINE_ACCEPTED, withheld);
	says_nothing_of(&res, "Nunez");
	/* Stored since: checked, named. */
	submit1(fx, STG("R1", "10", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("R2", "10", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref R1 seq");
	reopen(fx, true, false);
	submit1(fx, STG("R3", "10", "complaint", "2026-04-06"), &res);
	warned(&res, LINE_ACCEPTED, "(ref R1 seq");
}

/* The bytes of the stages' index's tables (keys and values, in order),
 * read with the outbox closed, then opened again. */
static void
stage_bytes(struct fixture *fx, uint8_t **ret, size_t *ret_len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, v;
	uint8_t *b = NULL;
	size_t n = 0, i;

	intake_free(&fx->in);
	outbox_close(&fx->ob);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 10), 0);
	assert_int_equal(mdb_env_open(env, fx->dir, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(mdb_dbi_open(txn, stage_tables[i], 0, &dbi),
				 0);
		assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
		while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
			b = realloc(b, n + 2 + k.mv_size + v.mv_size);
			assert_non_null(b);
			b[n++] = (uint8_t)k.mv_size;
			memcpy(b + n, k.mv_data, k.mv_size);
			n += k.mv_size;
			b[n++] = (uint8_t)v.mv_size;
			memcpy(b + n, v.mv_data, v.mv_size);
			n += v.mv_size;
		}
		mdb_cursor_close(cur);
		b = realloc(b, n + 1);
		assert_non_null(b);
		b[n++] = 0xff; /* the table's end */
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
	*ret = b;
	*ret_len = n;
	assert_int_equal(outbox_open(fx->dir, 16u << 20, &fx->ob), 0);
	fx->in.ob = fx->ob;
	assert_int_equal(intake_init(&fx->in), 0);
}

/* Makes the open outbox's index one a kuska of before stagrec left
 * (after a downgrade to it and back): its mark beside this one's, and
 * stagrec not kept. */
static void
as_before_stagrec(struct fixture *fx)
{
	MDB_txn *txn;

	assert_int_equal(mdb_txn_begin(fx->ob->env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_drop(txn, fx->ob->stagrec, 0), 0);
	assert_int_equal(outbox_meta_put(fx->ob, txn, "stages_index", 1), 0);
	assert_int_equal(outbox_commit_lmdb(fx->ob, txn), 0);
}

/*
 * When the record that holds a case's stage goes (withdrawn, or
 * corrected to another stage), the next live record of it counts (the
 * earliest dated): it takes the entry, so a third record is warned of
 * against it, and a later stage's dates compared with its date. Built
 * again from the envelopes, the index is the same to the byte; one a
 * kuska before stagrec left is built again.
 */
static void
test_case_stages_next(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint8_t *a, *b;
	size_t na, nb;

	submit1(fx, STG("S1", "60", "complaint", "2026-04-01"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("S2", "60", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref S1 seq 1): a second record");
	submit1(fx, STG("S3", "60", "complaint", "2026-04-06"), &res);
	warned(&res, LINE_ACCEPTED, "(ref S1 seq 1): a second record");
	submit1(fx, WD("W1", "S1"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("S4", "60", "complaint", "2026-04-07"), &res);
	warned(&res, LINE_ACCEPTED, "(ref S2 seq 2): a second record");
	submit1(fx, STG("S5", "60", "accusation", "2026-04-03"), &res);
	warned(&res, LINE_ACCEPTED,
	       "is before this case's complaint (2026-04-05 ref S2)");

	/* The holder corrected to another stage: the same. */
	submit1(fx, STG("T1", "61", "complaint", "2026-04-01"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("T2", "61", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref T1 seq 7): a second record");
	submit1(fx, STGCOR("C1", "T1", "61", "accusation", "2026-05-01"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("T3", "61", "complaint", "2026-04-07"), &res);
	warned(&res, LINE_ACCEPTED, "(ref T2 seq 8): a second record");
	/* A repeat corrected away is no longer one of them. */
	submit1(fx, STGCOR("C2", "T3", "62", "complaint", "2026-04-07"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, WD("W2", "T2"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("T4", "61", "complaint", "2026-04-09"), &res);
	warned(&res, LINE_ACCEPTED, "");

	/* Built from the envelopes: the same tables as intake kept. */
	stage_bytes(fx, &a, &na);
	reopen(fx, true, false);
	stage_bytes(fx, &b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);

	/* Written by a kuska that kept no stagrec: built again. */
	as_before_stagrec(fx);
	reopen(fx, false, false);
	submit1(fx, WD("W3", "S2"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("S6", "60", "complaint", "2026-04-08"), &res);
	warned(&res, LINE_ACCEPTED, "(ref S3 seq 3): a second record");
}

/* Damages the open outbox's stageof value of record seq (one byte,
 * where it holds 37). */
static void
damage_stageof(struct fixture *fx, uint64_t seq)
{
	MDB_txn *txn;
	uint8_t kb[8];
	MDB_val k = {8, kb}, v = {1, "x"};

	bytes_put_be64(kb, seq);
	assert_int_equal(mdb_txn_begin(fx->ob->env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_put(txn, fx->ob->stageof, &k, &v, 0), 0);
	assert_int_equal(outbox_commit_lmdb(fx->ob, txn), 0);
}

/*
 * A record whose stageof entry is found damaged when it goes (withdrawn,
 * or corrected to another date) leaves its stagrec entry, which nothing
 * names: when the holder goes, the walk passes over it (its stageof no
 * longer names it) and deletes it, so the next live record takes the
 * entry, and the tables end as a build from the envelopes makes them.
 */
static void
test_case_stages_damaged(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint8_t *a, *b;
	size_t na, nb;

	submit1(fx, STG("S1", "70", "complaint", "2026-04-01"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("S2", "70", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "(ref S1 seq 1): a second record");
	submit1(fx, STG("S3", "70", "complaint", "2026-04-03"), &res);
	warned(&res, LINE_ACCEPTED, "(ref S1 seq 1): a second record");
	damage_stageof(fx, 2);
	submit1(fx, WD("W1", "S2"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, WD("W2", "S1"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("S4", "70", "complaint", "2026-04-04"), &res);
	warned(&res, LINE_ACCEPTED, "(ref S3 seq 3): a second record");

	/* Damaged, then corrected to a later date of the same stage: its
	 * entry of the date before is stale. */
	submit1(fx, STG("T1", "71", "complaint", "2026-04-01"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("T2", "71", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "(ref T1 seq 7): a second record");
	submit1(fx, STG("T3", "71", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref T1 seq 7): a second record");
	damage_stageof(fx, 8);
	submit1(fx, STGCOR("C1", "T2", "71", "complaint", "2026-04-09"), &res);
	warned(&res, LINE_ACCEPTED, "(ref T1 seq 7): a second record");
	submit1(fx, WD("W3", "T1"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("T4", "71", "complaint", "2026-04-06"), &res);
	warned(&res, LINE_ACCEPTED, "(ref T3 seq 9): a second record");

	stage_bytes(fx, &a, &na);
	reopen(fx, true, false);
	stage_bytes(fx, &b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
}

/*
 * A case stage the consolidator refused (a dead letter) counts nowhere:
 * sent anew under a new ref, as its refusal says, it is no second record,
 * and no date is compared with it.
 */
static void
test_case_stages_dead(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	struct rejection rej;

	submit1(fx, STG("X1", "40", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	memset(&rej, 0, sizeof(rej));
	rej.seq = 1;
	rej.reason = REASON_BAD_EVENT;
	snprintf(rej.text, sizeof(rej.text), "bad event");
	assert_int_equal(outbox_record_ack(fx->ob, 1, false, 1000, &rej, 1), 0);
	submit1(fx, STG("X2", "40", "accusation", "2026-03-01"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("X3", "40", "complaint", "2026-02-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	/* X3 holds it now. */
	submit1(fx, STG("X4", "40", "complaint", "2026-02-03"), &res);
	warned(&res, LINE_ACCEPTED, "(ref X3 seq 3)");

	/* Sent anew as it was, dated the same: it holds the stage, and so
	 * it does in an index built again from the envelopes. */
	submit1(fx, STG("Y1", "41", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	rej.seq = 5;
	assert_int_equal(outbox_record_ack(fx->ob, 5, false, 1000, &rej, 1), 0);
	submit1(fx, STG("Y2", "41", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	reopen(fx, true, false);
	submit1(fx, STG("Y3", "41", "complaint", "2026-04-03"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Y2 seq 6)");
}

/*
 * When the record that holds a case's stage is refused by the
 * consolidator (a dead letter) after another live record of the stage
 * was sent, that one counts (the consolidator never had the first): a
 * new record is warned of against it, not taken in its place, by intake
 * as by an index built again from the envelopes, and the dates of the
 * case's other stages are compared with it.
 */
static void
test_case_stages_dead_next(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	struct rejection rej;

	memset(&rej, 0, sizeof(rej));
	rej.reason = REASON_BAD_EVENT;
	snprintf(rej.text, sizeof(rej.text), "bad event");
	submit1(fx, STG("Z1", "42", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("Z2", "42", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Z1 seq 1): a second record");
	rej.seq = 1;
	assert_int_equal(outbox_record_ack(fx->ob, 1, false, 1000, &rej, 1), 0);
	submit1(fx, STG("Z3", "42", "accusation", "2026-04-03"), &res);
	warned(&res, LINE_ACCEPTED,
	       "is before this case's complaint (2026-04-05 ref Z2)");
	submit1(fx, STG("Z4", "42", "complaint", "2026-04-09"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Z2 seq 2): a second record");

	/* The holder dated before the first, refused; built again. */
	submit1(fx, STG("Z5", "43", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("Z6", "43", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Z5 seq 5): this record dated");
	rej.seq = 6;
	assert_int_equal(outbox_record_ack(fx->ob, 6, false, 1000, &rej, 1), 0);
	reopen(fx, true, false);
	submit1(fx, STG("Z7", "43", "complaint", "2026-04-09"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Z5 seq 5): a second record");
}

/*
 * A correction or withdrawal the consolidator refused (a dead letter)
 * leaves its record as it was there: the record that counts is the one
 * it named, and a new record is warned of against it; an index built
 * again from the envelopes is the same to the byte; revived (taken after
 * all), the correction moves the record again. The index is built again
 * before the next submission, not within the Ack's recording, and a node
 * stopped before it builds it at its start (the mark went with the Ack).
 */
static void
test_case_stages_dead_move(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	struct rejection rej;
	uint8_t *a, *b;
	size_t na, nb;

	memset(&rej, 0, sizeof(rej));
	rej.reason = REASON_KIND_NOT_ALLOWED;
	snprintf(rej.text, sizeof(rej.text), "not allowed");
	submit1(fx, STG("X1", "80", "complaint", "2026-04-02"), &res);
	submit1(fx, STG("X2", "80", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref X1 seq 1): a second record");
	submit1(fx, STGCOR("C1", "X1", "81", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	rej.seq = 3;
	assert_int_equal(outbox_record_ack(fx->ob, 3, false, 1000, &rej, 1), 0);
	assert_false(fx->ob->stages_ready);
	submit1(fx, STG("X3", "80", "complaint", "2026-04-06"), &res);
	warned(&res, LINE_ACCEPTED, "(ref X1 seq 1): a second record");
	assert_true(fx->ob->stages_ready);

	submit1(fx, STG("Y1", "82", "complaint", "2026-04-02"), &res);
	submit1(fx, STG("Y2", "82", "complaint", "2026-04-05"), &res);
	submit1(fx, WD("W1", "Y1"), &res);
	warned(&res, LINE_ACCEPTED, "");
	rej.seq = 7;
	assert_int_equal(outbox_record_ack(fx->ob, 7, false, 1000, &rej, 1), 0);
	reopen(fx, false, false);
	submit1(fx, STG("Y3", "82", "complaint", "2026-04-06"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Y1 seq 5): a second record");

	stage_bytes(fx, &a, &na);
	reopen(fx, true, false);
	stage_bytes(fx, &b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);

	assert_int_equal(outbox_revive(fx->ob, 3, 3, NULL, 0), 1);
	submit1(fx, STG("X4", "80", "complaint", "2026-04-07"), &res);
	warned(&res, LINE_ACCEPTED, "(ref X2 seq 2): a second record");
}

/*
 * A dead letter taken after all (revived) moves the case stages' index
 * only when it is a case stage, a correction or a withdrawal: revived,
 * an identification leaves the index as it is (no build of every
 * envelope before the next submission), where a case stage counts again
 * before the record that took its entry while it was dead.
 */
static void
test_case_stages_revive_kind(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	struct rejection rej[2];

	memset(rej, 0, sizeof(rej));
	rej[0].seq = 1;
	rej[1].seq = 2;
	rej[0].reason = rej[1].reason = REASON_KIND_NOT_ALLOWED;
	snprintf(rej[0].text, sizeof(rej[0].text), "not allowed");
	snprintf(rej[1].text, sizeof(rej[1].text), "not allowed");
	submit1(fx, ID("I1", "11111142", "2026-04-01"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("Z1", "90", "complaint", "2026-04-02"), &res);
	submit1(fx, STG("Z2", "90", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Z1 seq 2): a second record");
	/* Refused, a case stage leaves the index as it is too: Z2 counts
	 * in its place where it is read. */
	assert_int_equal(outbox_record_ack(fx->ob, 3, false, 1000, rej, 2), 0);
	assert_true(fx->ob->stages_ready);
	submit1(fx, STG("Z3", "90", "complaint", "2026-04-06"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Z2 seq 3): a second record");

	assert_int_equal(outbox_revive(fx->ob, 1, 1, NULL, 0), 1);
	assert_true(fx->ob->stages_ready);
	assert_int_equal(outbox_revive(fx->ob, 2, 2, NULL, 0), 1);
	assert_false(fx->ob->stages_ready);
	submit1(fx, STG("Z4", "90", "complaint", "2026-04-07"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Z1 seq 2): a second record");
	assert_true(fx->ob->stages_ready);
}

/*
 * A case system migrated since (INPUT.md, "When the case system's refs
 * change"): an old case stage sent under a new ref is a second record
 * of its stage, warned of; after a key rotation its case's pseudonym is
 * another, so it is no second record there, not warned of, and the
 * consolidator counts the case twice, as it counts the victims.
 */
static void
test_case_stages_new_ref_rotation(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint8_t before[PSEUDONYM_LEN];

	submit1(fx, STG("OLD-1", "90", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("NEW-1", "90", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "(ref OLD-1 seq 1): a second record");
	memcpy(before, stored(fx, 1)->rec.case_id, PSEUDONYM_LEN);

	rotate(fx, 2);
	submit1(fx, STG("NEWER-1", "90", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	assert_int_equal(res.seq, 3);
	assert_int_equal(stored(fx, 3)->key_epoch, 2);
	assert_memory_not_equal(stored(fx, 3)->rec.case_id, before,
				PSEUDONYM_LEN);
}

/*
 * A withdrawal the consolidator refused withdrew nothing there: the
 * record counts, so a correction of it is taken (it was refused as of a
 * withdrawn record), its ref with other content is another record's (not
 * "send it again with a new ref", which would count it twice), and a new
 * withdrawal is taken; the refused one, sent again, is held as it was.
 */
static void
test_dead_withdrawal(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	struct rejection rej;

	memset(&rej, 0, sizeof(rej));
	rej.reason = REASON_KIND_NOT_ALLOWED;
	snprintf(rej.text, sizeof(rej.text), "not allowed");
	submit1(fx, STG("V1", "90", "complaint", "2026-04-02"), &res);
	submit1(fx, WD("V2", "V1"), &res);
	warned(&res, LINE_ACCEPTED, "");
	rej.seq = 2;
	assert_int_equal(outbox_record_ack(fx->ob, 2, false, 1000, &rej, 1), 0);
	submit1(fx, STG("V1", "90", "complaint", "2026-04-03"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_non_null(strstr(res.reason, "already used for a different"));
	submit1(fx, STG("V3", "90", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref V1 seq 1): a second record");
	submit1(fx, STGCOR("V4", "V1", "90", "complaint", "2026-04-06"), &res);
	warned(&res, LINE_ACCEPTED, "(ref V3 seq 3): a second record");
	submit1(fx, WD("V2", "V1"), &res);
	assert_int_equal(res.status, LINE_HELD);
	submit1(fx, WD("V5", "V1"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STGCOR("V6", "V1", "90", "complaint", "2026-04-07"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_non_null(strstr(res.reason, "withdrawn by seq 5 (its ref "
					   "withheld)"));
}

/*
 * A line held whose own envelope the consolidator refused is warned of in
 * words true of that envelope (read49b): a record's own first envelope
 * counts nowhere (fixed, sent under a new ref); a correction or a
 * re-keying leaves the record counting as it was, and a withdrawal leaves
 * it counting still: a new record would count it twice, so the way out
 * names a correction or withdrawal. Refused for the node's key: the
 * operators' --refetch. No comma in any.
 */
static void
test_held_dead_words(void **state)
{
	static const char *const lines[] = {
	    ID("HA", "11111142", "2025-01-01"),
	    ID("HB", "22222242", "2025-01-02"),
	    COR("HC", "HB", "22222242"),
	    ID("HD", "33333342", "2025-01-03"),
	    WD("HW", "HD"),
	    ID("HE", "44444442", "2025-01-04"),
	    COR("HF", "HE", "44444442"),
	    ID("HG", "55555542", "2025-01-05"),
	};
	static const char *const want[] = {
	    "(seq 1: kind_not_allowed): it counts nowhere; fix it and send it "
	    "under a new ref",
	    "",
	    "(seq 3: kind_not_allowed): the record counts as it was; send a "
	    "correction naming the record (under a new ref) or a withdrawal",
	    "",
	    "(seq 5: bad_event): the record still counts; send the withdrawal "
	    "again under a new ref",
	    "",
	    "(seq 7: key_not_valid): the record counts as it was; not its "
	    "content: ask the operators to take it again (--refetch)",
	    "",
	};
	static const uint64_t dead[] = {1, 3, 5, 7};
	static const enum reason why[] = {
	    REASON_KIND_NOT_ALLOWED, REASON_KIND_NOT_ALLOWED, REASON_BAD_EVENT,
	    REASON_KEY_NOT_VALID};
	const char *head = "already held but the consolidator refused it ";
	struct fixture *fx = *state;
	struct rejection rej[4];
	struct line_result res;
	size_t i;

	for (i = 0; i < 8; i++) {
		submit1(fx, lines[i], &res);
		assert_int_equal(res.status, LINE_ACCEPTED);
	}
	memset(rej, 0, sizeof(rej));
	for (i = 0; i < 4; i++) {
		rej[i].seq = dead[i];
		rej[i].reason = why[i];
	}
	assert_int_equal(outbox_record_ack(fx->ob, 8, false, 1000, rej, 4), 0);
	for (i = 0; i < 8; i++) {
		submit1(fx, lines[i], &res);
		assert_int_equal(res.status, LINE_HELD);
		if (want[i][0] == '\0') {
			assert_string_equal(res.dead_warning, "");
			continue;
		}
		assert_true(strncmp(res.dead_warning, head, strlen(head)) == 0);
		assert_string_equal(res.dead_warning + strlen(head), want[i]);
		assert_null(strchr(res.dead_warning, ','));
	}
	/* A re-keying correction refused for its content: held, the record
	 * counting under the old key epoch as it was. */
	rotate(fx, 2);
	submit1(fx, lines[7], &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(res.seq, 9);
	rej[0].seq = 9;
	rej[0].reason = REASON_STAGE_NOT_ALLOWED;
	assert_int_equal(outbox_record_ack(fx->ob, 9, false, 2000, rej, 1), 0);
	submit1(fx, lines[7], &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_string_equal(res.dead_warning,
			    "already held but the consolidator refused it (seq "
			    "9: stage_not_allowed): the record counts as it "
			    "was; send a correction naming the record (under a "
			    "new ref) or a withdrawal");
}

/*
 * A correction's line held under an older key epoch, another correction
 * carrying its record since (held_since), is warned of its record's first
 * envelope when the consolidator refused that one, as at the same epoch
 * (warn_held_dead): the record counts nowhere whatever became of the
 * line's own envelope, here still in flight (left50: it was warned of its
 * own envelope only, and said nothing). Then the own envelope refused in
 * turn (bad_target): not "the record counts as it was".
 */
static void
test_rekey_held_dead_first(void **state)
{
	const char *c = COR("C", "A", "11111142");
	const char *want = "already held but the consolidator refused its "
			   "record (seq 1: kind_not_allowed): it counts "
			   "nowhere; fix it and send it under a new ref";
	struct fixture *fx = *state;
	struct line_result res;
	struct rejection rej;

	submit1(fx, ID("A", "11111142", "2025-01-01"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	submit1(fx, c, &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	submit1(fx, COR("D", "A", "11111112"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	assert_int_equal(last_seq(fx), 3);
	/* A refused; C and D not yet sent. */
	memset(&rej, 0, sizeof(rej));
	rej.seq = 1;
	rej.reason = REASON_KIND_NOT_ALLOWED;
	assert_int_equal(outbox_record_ack(fx->ob, 1, false, 1000, &rej, 1), 0);
	submit1(fx, c, &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_string_equal(res.dead_warning, want);
	rotate(fx, 2);
	submit1(fx, c, &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(res.seq, 2);
	assert_string_equal(res.dead_warning, want);
	rej.seq = 2;
	rej.reason = REASON_BAD_TARGET;
	assert_int_equal(outbox_record_ack(fx->ob, 3, false, 2000, &rej, 1), 0);
	submit1(fx, c, &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_string_equal(res.dead_warning, want);
	assert_int_equal(last_seq(fx), 3);
}

/*
 * warn_repeat's longest text, of a held record under a 64-character ref
 * with a 7-digit sequence, of the stage with the longest name, dated the
 * same day as a record corrected to its date and sent before it: whole in
 * the warning (320 bytes), not cut short (read49).
 */
static void
test_case_stages_longest_warning(void **state)
{
	struct fixture *fx = *state;
	struct outbox_txn *t;
	struct line_result res;
	const char *end = "withdraw the wrong one";
#define LONG_STAGE_REF                                                         \
	"MP-LIMA-FISCALIA-PROVINCIAL-PENAL-CORPORATIVA-03-CARPETA-2026-01"

	submit1(fx, STG("Q1", "45", "preliminary_investigation", "2026-04-09"),
		&res);
	warned(&res, LINE_ACCEPTED, "");
	/* The next record's sequence 1234567. */
	assert_int_equal(outbox_begin(fx->ob, &t), 0);
	assert_int_equal(
	    outbox_put_held(t, 1234566, 0, (const uint8_t *)"x", 1, NULL), 0);
	assert_int_equal(outbox_commit(&t), 0);
	submit1(fx,
		STG(LONG_STAGE_REF, "45", "preliminary_investigation",
		    "2026-04-05"),
		&res);
	warned(&res, LINE_ACCEPTED, "(ref Q1 seq 1): this record dated before");
	assert_int_equal(res.seq, 1234567);
	submit1(
	    fx,
	    STGCOR("C1", "Q1", "45", "preliminary_investigation", "2026-04-05"),
	    &res);
	warned(&res, LINE_ACCEPTED,
	       "(ref " LONG_STAGE_REF
	       " seq 1234567): this record dated the same day "
	       "(2026-04-05) and sent before it counts in its place");
	assert_true(strlen(res.warning) < sizeof(res.warning) - 1);
	assert_string_equal(res.warning + strlen(res.warning) - strlen(end),
			    end);
#undef LONG_STAGE_REF
}

/*
 * Of two records of a case's stage dated the same day the consolidator
 * counts the first sent (stats_contrib.c earlier(): date, then sequence,
 * a corrected record keeping its own): an earlier record corrected to the
 * holder's date takes its entry, by intake as by an index built again.
 */
static void
test_case_stages_same_day(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;

	submit1(fx, STG("Q1", "45", "complaint", "2026-04-09"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("Q2", "45", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Q1 seq 1): this record dated before");
	submit1(fx, STGCOR("C1", "Q1", "45", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED,
	       "(ref Q2 seq 2): this record dated the same day (2026-04-05) "
	       "and sent before it counts in its place");
	submit1(fx, STG("Q3", "45", "complaint", "2026-04-10"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Q1 seq 1): a second record");
	reopen(fx, true, false);
	submit1(fx, STG("Q4", "45", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "(ref Q1 seq 1): a second record");
}

/*
 * Two consecutive stages of the main line out of order make a negative
 * duration, which the warning says; two others (test_case_stages) only
 * their order.
 */
static void
test_case_stages_paired(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;

	submit1(fx, STG("K1", "12", "complaint", "2026-04-05"), &res);
	warned(&res, LINE_ACCEPTED, "");
	submit1(fx, STG("K2", "12", "preliminary_investigation", "2026-04-01"),
		&res);
	warned(&res, LINE_ACCEPTED,
	       "stage preliminary_investigation dated 2026-04-01 is before "
	       "this case's complaint (2026-04-05 ref K1): the days between "
	       "them will read negative; check the dates");
	/* A dismissal ends the line: an order, no duration. */
	submit1(fx, STG("K3", "12", "dismissal", "2026-03-01"), &res);
	warned(&res, LINE_ACCEPTED,
	       "this case's complaint (2026-04-05 ref K1): a case's stages "
	       "come in their order; check the dates");
	/* The complaint opens the case: no reopening comes before it. */
	assert_null(strstr(res.warning, "reopened"));
}

/*
 * A stage counts by its earliest-dated record (stats_contrib.c earlier()):
 * a second record dated before the first counts in its place, so a third
 * is judged against it, its repeat and its dates alike, in a dry run, a
 * real one and an index built again from the envelopes.
 */
static void
test_case_stages_earliest(void **state)
{
	static const char *const lines[] = {
	    STG("E1", "50", "complaint", "2026-04-10"),
	    STG("E2", "50", "complaint", "2026-04-05"),
	    STG("E3", "50", "complaint", "2026-04-07"),
	    STG("E4", "50", "preliminary_investigation", "2026-04-06"),
	};
	struct fixture *fx = *state;
	struct control dry, real;
	struct line_result res;
	size_t i;

	fx->dry = 51;
	assert_int_equal(submit(fx, lines, 4, NULL, &dry), 0);
	fx->dry = 0;
	assert_int_equal(submit(fx, lines, 4, NULL, &real), 0);
	warned(&real.results[0], LINE_ACCEPTED, "");
	warned(&real.results[1], LINE_ACCEPTED,
	       "(ref E1 seq 1): this record dated before it (2026-04-10) "
	       "counts in its place");
	warned(&real.results[2], LINE_ACCEPTED,
	       "(ref E2 seq 2): a second record counts for nothing");
	/* After the complaint that counts (2026-04-05), not before E1's. */
	warned(&real.results[3], LINE_ACCEPTED, "");
	for (i = 0; i < 4; i++)
		assert_string_equal(dry.results[i].warning,
				    real.results[i].warning);
	codec_control_clear(&dry);
	codec_control_clear(&real);

	/* Built again from the envelopes: the same. */
	reopen(fx, true, false);
	submit1(fx, STG("E5", "50", "complaint", "2026-04-08"), &res);
	warned(&res, LINE_ACCEPTED, "(ref E2 seq 2): a second record");
}

/*
 * After a key rotation a case's pseudonym changes: a record re-keyed
 * (its line sent again) takes its stage under the new one, unwarned, and
 * a second record of that stage is warned of against it.
 */
static void
test_case_stages_rotation(void **state)
{
	static const char *const again[] = {
	    STG("R1", "30", "complaint", "2026-04-02"),
	    STG("R2", "30", "complaint", "2026-04-03"),
	};
	struct fixture *fx = *state;
	struct line_result res;
	struct control rep;

	submit1(fx, again[0], &res);
	warned(&res, LINE_ACCEPTED, "");
	rotate(fx, 2);
	assert_int_equal(submit(fx, again, 2, NULL, &rep), 0);
	warned(&rep.results[0], LINE_REKEYED, "");
	warned(&rep.results[1], LINE_ACCEPTED, "(ref R1 seq 1)");
	codec_control_clear(&rep);
}

/* A dry run's record of (case c, complaint) dated day, seq seq. */
static void
dry_rec(struct dryrun *d, uint64_t seq, uint8_t c, int32_t day)
{
	struct stage_entry e;
	uint8_t case_id[PSEUDONYM_LEN];

	memset(case_id, c, sizeof(case_id));
	memset(&e, 0, sizeof(e));
	e.seq = seq;
	e.date = day;
	snprintf(e.ref, sizeof(e.ref), "R%llu", (unsigned long long)seq);
	assert_int_equal(
	    dryrun_stage_of_set(d, seq, case_id, STAGE_COMPLAINT, &e), 0);
}

/*
 * dryrun_stage_first finds the earliest of a stage's live records in the
 * run, and none once they are gone or moved (the run counts them, so as
 * not to read the whole run when a holder goes and none is left: 48 ms a
 * holder at a million records); the count's slot is no entry
 * (dryrun_stage_get says the run wrote none).
 */
static void
test_dry_stage_first(void **state)
{
	struct dryrun *d = dryrun_new(1, 1);
	struct stage_entry e;
	uint8_t a[PSEUDONYM_LEN], b[PSEUDONYM_LEN];

	(void)state;
	assert_non_null(d);
	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	dry_rec(d, 5, 1, 200);
	dry_rec(d, 6, 1, 100);
	dry_rec(d, 7, 1, 100);
	dry_rec(d, 8, 2, 50);
	assert_int_equal(dryrun_stage_get(d, a, STAGE_COMPLAINT, &e), -ENOENT);
	assert_int_equal(dryrun_stage_first(d, a, STAGE_COMPLAINT, &e), 0);
	assert_int_equal(e.seq, 6);
	assert_string_equal(e.ref, "R6");
	assert_int_equal(dryrun_stage_of_set(d, 6, NULL, STAGE_NONE, NULL), 0);
	assert_int_equal(dryrun_stage_first(d, a, STAGE_COMPLAINT, &e), 0);
	assert_int_equal(e.seq, 7);
	/* 7 moved to case 2, dated before 8; set again, counted once. */
	dry_rec(d, 7, 2, 40);
	dry_rec(d, 7, 2, 40);
	assert_int_equal(dryrun_stage_first(d, b, STAGE_COMPLAINT, &e), 0);
	assert_int_equal(e.seq, 7);
	assert_int_equal(dryrun_stage_first(d, a, STAGE_COMPLAINT, &e), 0);
	assert_int_equal(e.seq, 5);
	assert_int_equal(dryrun_stage_of_set(d, 5, NULL, STAGE_NONE, NULL), 0);
	assert_int_equal(dryrun_stage_of_set(d, 5, NULL, STAGE_NONE, NULL), 0);
	assert_int_equal(dryrun_stage_first(d, a, STAGE_COMPLAINT, &e),
			 -ENOENT);
	assert_int_equal(dryrun_stage_of_set(d, 7, NULL, STAGE_NONE, NULL), 0);
	assert_int_equal(dryrun_stage_first(d, b, STAGE_COMPLAINT, &e), 0);
	assert_int_equal(e.seq, 8);
	assert_int_equal(dryrun_stage_get(d, b, STAGE_COMPLAINT, &e), -ENOENT);
	dryrun_free(&d);
}

/*
 * A dry run warns of the case stages the outbox holds already only for
 * lines whose ref it holds (INPUT.md, case_stage): a new record's case
 * pseudonym is a provisional value, as a dry run asks the key holders
 * nothing for records new to the node, so it meets no held stage, where
 * the real run warns; lines of the same run are warned of (refs50: a
 * documented limit, checked so that a change of it is seen).
 */
static void
test_case_stages_dry_held(void **state)
{
	static const char *const lines[] = {
	    STG("E2", "30", "complaint", "2026-04-05"),
	    STG("E3", "30", "complaint", "2026-04-06"),
	};
	struct fixture *fx = *state;
	struct line_result res;
	struct control dry, real;

	submit1(fx, STG("E1", "30", "complaint", "2026-04-02"), &res);
	warned(&res, LINE_ACCEPTED, "");
	fx->dry = 61;
	assert_int_equal(submit(fx, lines, 2, NULL, &dry), 0);
	fx->dry = 0;
	assert_int_equal(last_seq(fx), 1);
	warned(&dry.results[0], LINE_ACCEPTED, "");
	warned(&dry.results[1], LINE_ACCEPTED, "(ref E2 seq 2): a second");
	assert_int_equal(submit(fx, lines, 2, NULL, &real), 0);
	warned(&real.results[0], LINE_ACCEPTED, "(ref E1 seq 1): a second");
	warned(&real.results[1], LINE_ACCEPTED, "(ref E1 seq 1): a second");
	codec_control_clear(&dry);
	codec_control_clear(&real);
}

/*
 * A dry run warns as the real run after it, of lines earlier in the same
 * run too (in another request of it), and stores nothing; when the
 * record that counts goes (withdrawn, or corrected to another case), it
 * finds the next of its records as the real run does.
 */
static void
test_case_stages_dry(void **state)
{
	static const char *const first[] = {
	    STG("D1", "20", "complaint", "2026-04-02"),
	    STG("D2", "20", "complaint", "2026-04-03"),
	};
	static const char *const second[] = {
	    STG("D3", "20", "accusation", "2026-03-01"),
	    STGCOR("D4", "D1", "21", "complaint", "2026-04-02"),
	    STG("D5", "20", "complaint", "2026-02-03"),
	};
	static const char *const third[] = {
	    STG("H1", "24", "complaint", "2026-04-02"),
	    STG("H2", "24", "complaint", "2026-04-05"),
	    STG("H3", "24", "complaint", "2026-04-06"),
	};
	static const char *const fourth[] = {
	    WD("H4", "H1"),
	    STG("H5", "24", "complaint", "2026-04-07"),
	    STGCOR("H6", "H2", "25", "complaint", "2026-04-05"),
	    STG("H7", "24", "complaint", "2026-04-08"),
	    STG("H8", "24", "accusation", "2026-04-05"),
	};
	struct fixture *fx = *state;
	struct control dry1, dry2, real1, real2;
	size_t i;

	fx->dry = 51;
	assert_int_equal(submit(fx, first, 2, NULL, &dry1), 0);
	assert_int_equal(submit(fx, second, 3, NULL, &dry2), 0);
	assert_int_equal(last_seq(fx), 0);
	fx->dry = 0;
	assert_int_equal(submit(fx, first, 2, NULL, &real1), 0);
	assert_int_equal(submit(fx, second, 3, NULL, &real2), 0);
	warned(&real1.results[0], LINE_ACCEPTED, "");
	warned(&real1.results[1], LINE_ACCEPTED, "(ref D1 seq 1)");
	warned(&real2.results[0], LINE_ACCEPTED,
	       "before this case's complaint");
	warned(&real2.results[1], LINE_ACCEPTED, "");
	/* D1 moved to case 21: D2 counts, and D5, dated before it, counts
	 * in its place: the dry run finds D2, a record of its own. */
	warned(&real2.results[2], LINE_ACCEPTED,
	       "(ref D2 seq 2): this record dated before it");
	for (i = 0; i < 2; i++)
		assert_string_equal(dry1.results[i].warning,
				    real1.results[i].warning);
	for (i = 0; i < 3; i++)
		assert_string_equal(dry2.results[i].warning,
				    real2.results[i].warning);
	codec_control_clear(&dry1);
	codec_control_clear(&dry2);
	codec_control_clear(&real1);
	codec_control_clear(&real2);

	/* H1 withdrawn: H2 counts; H2 moved to case 25: H3. */
	fx->dry = 52;
	assert_int_equal(submit(fx, third, 3, NULL, &dry1), 0);
	assert_int_equal(submit(fx, fourth, 5, NULL, &dry2), 0);
	fx->dry = 0;
	assert_int_equal(submit(fx, third, 3, NULL, &real1), 0);
	assert_int_equal(submit(fx, fourth, 5, NULL, &real2), 0);
	warned(&real2.results[1], LINE_ACCEPTED,
	       "(ref H2 seq 7): a second record");
	warned(&real2.results[2], LINE_ACCEPTED, "");
	warned(&real2.results[3], LINE_ACCEPTED,
	       "(ref H3 seq 8): a second record");
	warned(&real2.results[4], LINE_ACCEPTED,
	       "is before this case's complaint (2026-04-06 ref H3)");
	for (i = 0; i < 3; i++)
		assert_string_equal(dry1.results[i].warning,
				    real1.results[i].warning);
	for (i = 0; i < 5; i++)
		assert_string_equal(dry2.results[i].warning,
				    real2.results[i].warning);
	codec_control_clear(&dry1);
	codec_control_clear(&dry2);
	codec_control_clear(&real1);
	codec_control_clear(&real2);
}

/*
 * A key holder's max_batch: each round goes in requests of at most what
 * it said, each with its check elements; lowered after it said it, the
 * refused round is asked again in smaller requests; so low that no
 * identity fits beside the check elements, the request is refused with
 * the reason.
 */
static void
test_max_batch(void **state)
{
	static const char *const more[] = {ID("G", "44444442", "2025-03-01"),
					   ID("H", "55555542", "2025-03-02")};
	static const char *const last[] = {ID("I", "66666642", "2025-03-03")};
	struct fixture *fx = *state;
	enum line_status st[N_EXPORT];
	struct control rep;
	uint64_t failures;
	size_t i;

	/* 4 inputs, 3 a request beside the check elements: 2 requests. */
	fx->holder.told = fx->holder.takes = 5;
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	for (i = 0; i < N_EXPORT; i++)
		assert_int_equal(st[i], LINE_ACCEPTED);
	codec_control_clear(&rep);
	assert_int_equal(fx->holder.asked, 4 + 2 * PSEUDO_CHECK_ELEMENTS);
	assert_int_equal(fx->holder.too_large, 0);
	/* Lowered to 4 after it said 5: refused once, then 3 inputs (two
	 * DNIs, one name) in 2 requests. */
	fx->holder.asked = 0;
	fx->holder.takes = 4;
	assert_int_equal(submit(fx, more, 2, st, &rep), 0);
	assert_true(st[0] == LINE_ACCEPTED && st[1] == LINE_ACCEPTED);
	codec_control_clear(&rep);
	assert_int_equal(fx->holder.too_large, 1);
	assert_int_equal(fx->holder.told, 4);
	assert_int_equal(fx->holder.asked, 3 + 2 * PSEUDO_CHECK_ELEMENTS);
	assert_int_equal(last_seq(fx), N_EXPORT + 2);
	/* No room beside the check elements: refused, nothing stored. */
	fx->holder.takes = PSEUDO_CHECK_ELEMENTS;
	assert_int_equal(submit(fx, last, 1, NULL, &rep), -EPROTO);
	assert_non_null(strstr(rep.error, "max_batch"));
	assert_non_null(
	    strstr(rep.error, "nothing of this request was stored"));
	codec_control_clear(&rep);
	assert_int_equal(fx->holder.too_large, 2);
	assert_int_equal(last_seq(fx), N_EXPORT + 2);
	/* A bound lowered on every refusal: after the retries, the
	 * holder's failure, its reason told and counted. */
	fx->holder.told = 7;
	fx->holder.takes = 6;
	fx->holder.shrink = true;
	failures = fx->in.holder_failures;
	assert_int_equal(submit(fx, last, 1, NULL, &rep), -EPROTO);
	assert_non_null(strstr(rep.error, "key holder test: too_large"));
	assert_non_null(
	    strstr(rep.error, "nothing of this request was stored"));
	codec_control_clear(&rep);
	assert_int_equal(fx->holder.too_large, 2 + 1 + INTAKE_RESIZE_TRIES);
	assert_int_equal(fx->in.holder_failures, failures + 1);
	assert_non_null(strstr(fx->in.holder_error, "too_large"));
	assert_int_equal(last_seq(fx), N_EXPORT + 2);
}

/* A key holder that fails or answers wrongly: nothing of the request. */
static void
test_holder_failures(void **state)
{
	static const char *const more[] = {ID("G", "44444442", "2025-03-01"),
					   ID("H", "55555542", "2025-03-02")};
	struct fixture *fx = *state;
	struct control rep;
	uint64_t before = last_seq(fx);
	int i;

	fx->holder.fail = -EHOSTUNREACH;
	assert_int_equal(submit(fx, more, 2, NULL, &rep), -EHOSTUNREACH);
	assert_non_null(strstr(rep.error, "unreachable"));
	assert_non_null(
	    strstr(rep.error, "nothing of this request was stored"));
	assert_int_equal(rep.n_results, 0);
	codec_control_clear(&rep);
	assert_non_null(strstr(fx->in.holder_error, "unreachable"));
	fx->holder.fail = 0;

	/* Another key from the start: the check value of the epoch, as the
	 * node recorded it, does not match. */
	fx->holder.epoch = 1;
	{
		uint8_t saved[32];
		memcpy(saved, fx->holder.key, 32);
		oprf_key_generate(fx->holder.key);
		assert_int_equal(submit(fx, more, 2, NULL, &rep), -EBADMSG);
		assert_non_null(strstr(rep.error, "earlier ones"));
		codec_control_clear(&rep);
		memcpy(fx->holder.key, saved, 32);
	}
	/* One element answered with another key, request after request:
	 * caught as soon as it is a hidden check element (here one in two),
	 * and then that request stores nothing. */
	fx->holder.one_wrong = true;
	for (i = 0; i < 100; i++) {
		char line[512];
		const char *lines[1] = {line};
		uint64_t s = last_seq(fx);
		int r;
		snprintf(line, sizeof(line),
			 "{\"kind\":\"identification\",\"ref\":\"W%d\","
			 "\"date\":\"2025-04-01\",\"region\":\"15\","
			 "\"victim\":{\"document\":{\"type\":\"DNI\","
			 "\"number\":\"%08d\"},\"sex\":\"F\","
			 "\"nationality\":\"PE\",\"age\":12},"
			 "\"exploitation\":[\"sexual\"]}",
			 i, 60000000 + i);
		r = submit(fx, lines, 1, NULL, &rep);
		codec_control_clear(&rep);
		if (r == -EBADMSG) {
			assert_int_equal(last_seq(fx), s);
			break;
		}
		assert_int_equal(r, 0);
		assert_int_equal(last_seq(fx), s + 1);
	}
	assert_true(i < 100);
	fx->holder.one_wrong = false;
	(void)before;
}

/*
 * Key rotation: new OPRF key, new linkage key, epoch 2. Resubmitting the
 * export re-sends the live content of each record once: C's (a
 * correction of A) and F's (a correction of B); it holds A and B (their
 * content is their corrections'), D (withdrawn) and E (a withdrawal). A
 * second resubmission holds all.
 */
static void
test_rotation(void **state)
{
	struct fixture *fx = *state;
	enum line_status st[N_EXPORT];
	static const enum line_status want[N_EXPORT] = {
	    LINE_HELD, LINE_HELD, LINE_REKEYED,
	    LINE_HELD, LINE_HELD, LINE_REKEYED};
	struct control rep;
	uint64_t before = last_seq(fx), s;
	struct event *ev;
	size_t i;

	oprf_key_generate(fx->holder.key);
	fx->holder.epoch = 2;
	memset(fx->linkage.key, 0x43, 32);
	/* The node still in epoch 1: the holder refuses, nothing stored. */
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), -ESTALE);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), before);
	fx->linkage.epoch = 2;

	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	for (i = 0; i < N_EXPORT; i++)
		if (st[i] != want[i])
			fail_msg("line %zu: status %d, expected %d", i + 1,
				 st[i], want[i]);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), before + 2);
	/* C's content again, now a correction of A (seq 1), epoch 2. */
	ev = stored(fx, before + 1);
	assert_int_equal(ev->kind, KIND_CORRECTION);
	assert_int_equal(ev->target_seq, 1);
	assert_int_equal(ev->key_epoch, 2);
	assert_int_equal(ev->rec.region, 16);
	/* F's content, a correction of B (seq 2). */
	ev = stored(fx, before + 2);
	assert_int_equal(ev->kind, KIND_CORRECTION);
	assert_int_equal(ev->target_seq, 2);
	assert_int_equal(ev->key_epoch, 2);
	assert_int_equal(fx->in.rekeyed, 2);

	/* Everything is of epoch 2 now: held. */
	s = last_seq(fx);
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	for (i = 0; i < N_EXPORT; i++)
		assert_int_equal(st[i], LINE_HELD);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), s);

	/* A new record of epoch 2 next to the old ones, and a correction
	 * of a re-keyed record: ordinary business again. */
	{
		static const char *const next[] = {
		    ID("G", "44444442", "2025-03-01"),
		    COR("I", "B", "22222242")};
		assert_int_equal(submit(fx, next, 2, st, &rep), 0);
		assert_int_equal(st[0], LINE_ACCEPTED);
		assert_int_equal(st[1], LINE_ACCEPTED);
		codec_control_clear(&rep);
	}
	/* A third epoch: only I carries B's content now; A's is C's. */
	oprf_key_generate(fx->holder.key);
	fx->holder.epoch = 3;
	fx->linkage.epoch = 3;
	s = last_seq(fx);
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[2], LINE_REKEYED); /* C */
	assert_int_equal(st[5], LINE_HELD);    /* F: I came later */
	assert_int_equal(last_seq(fx), s + 1);
}

/*
 * records_held - the live records the outbox counts under key epoch e,
 * and of them (*ret_held: NULL not wanted) those held by a correction
 * refused for its content, after checking that the list is sorted and
 * holds no epoch of none.
 */
static uint64_t
records_held(struct fixture *fx, uint32_t e, uint64_t *ret_held)
{
	struct outbox_epoch_count c[8];
	uint64_t n = 0;
	int got, i;

	got = outbox_epoch_records(fx->ob, c, 8);
	assert_true(got >= 0 && got <= 8);
	for (i = 0; i < got; i++) {
		assert_true(c[i].records > 0);
		assert_true(c[i].held <= c[i].records);
		assert_true(i == 0 || c[i - 1].epoch < c[i].epoch);
		if (c[i].epoch == e) {
			n = c[i].records;
			if (ret_held != NULL)
				*ret_held = c[i].held;
		}
	}
	return n;
}

/* The live records the outbox counts under key epoch e. */
static uint64_t
records(struct fixture *fx, uint32_t e)
{
	return records_held(fx, e, NULL);
}

/* Of them, those held by a correction refused for its content. */
static uint64_t
held(struct fixture *fx, uint32_t e)
{
	uint64_t h = 0;

	records_held(fx, e, &h);
	return h;
}

/* The counts made again from the refs are the ones kept, the held ones
 * too. */
static void
recount(struct fixture *fx, uint32_t e1, uint64_t n1, uint32_t e2, uint64_t n2)
{
	uint64_t h1 = held(fx, e1), h2 = held(fx, e2);

	assert_int_equal(records(fx, e1), n1);
	assert_int_equal(records(fx, e2), n2);
	assert_int_equal(outbox_epochs_build(fx->ob), (int)(n1 + n2));
	assert_int_equal(records(fx, e1), n1);
	assert_int_equal(records(fx, e2), n2);
	assert_int_equal(held(fx, e1), h1);
	assert_int_equal(held(fx, e2), h2);
}

/*
 * The live records per key epoch (kuska status, during a rotation): a
 * record counts under the epoch of its content (its own envelope's, or
 * its latest correction's), a withdrawn one nowhere, corrections and
 * withdrawals never; re-keying moves a record to the new epoch, and a
 * record never sent again stays under the old one. A dry run changes
 * nothing, nor does a record refused and revived; a withdrawal refused (a
 * dead letter) withdrew nothing, so its record counts again until the
 * withdrawal is revived; counted again from the refs (an outbox without
 * them, or written by a kuska that does not keep them) they are the same.
 */
static void
test_epoch_records(void **state)
{
	struct fixture *fx = *state;
	enum line_status st[N_EXPORT];
	struct line_result res;
	struct rejection rej;
	struct control rep;
	uint64_t g, hw, hw2, s;

	/* A and B (corrected by C and F), D withdrawn: two records. */
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	codec_control_clear(&rep);
	recount(fx, 1, 2, 2, 0);
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	g = res.seq;
	submit1(fx, ID("H", "55555542", "2025-03-02"), &res);
	submit1(fx, WD("HW", "H"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	hw = res.seq;
	recount(fx, 1, 3, 2, 0);

	/* Rotated: the export re-keys C and F, so A and B; G not sent. */
	rotate(fx, 2);
	fx->dry = 7;
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	codec_control_clear(&rep);
	fx->dry = 0;
	recount(fx, 1, 3, 2, 0);
	s = last_seq(fx);
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[2], LINE_REKEYED);
	assert_int_equal(st[5], LINE_REKEYED);
	assert_int_equal(last_seq(fx), s + 2);
	recount(fx, 1, 1, 2, 2);

	/* C's re-keying correction refused by the consolidator: it holds A
	 * as it was, under epoch 1's pseudonyms; revived, under epoch 2's. */
	memset(&rej, 0, sizeof(rej));
	rej.seq = s + 1;
	rej.reason = REASON_BAD_EVENT;
	snprintf(rej.text, sizeof(rej.text), "test");
	assert_int_equal(
	    outbox_record_ack(fx->ob, last_seq(fx), false, 1000, &rej, 1), 0);
	recount(fx, 1, 2, 2, 1);
	assert_int_equal(outbox_revive(fx->ob, s + 1, s + 1, NULL, 0), 1);
	recount(fx, 1, 1, 2, 2);

	/* G refused by the consolidator for its content: it counts nowhere
	 * (nor is it re-keyed), not under epoch 1; taken after all, it
	 * counts there again. Refused for the node's key, it waits there to
	 * be taken again (--refetch). */
	rej.seq = g;
	assert_int_equal(
	    outbox_record_ack(fx->ob, last_seq(fx), false, 1000, &rej, 1), 0);
	recount(fx, 1, 0, 2, 2);
	assert_int_equal(outbox_revive(fx->ob, g, g, NULL, 0), 1);
	recount(fx, 1, 1, 2, 2);
	rej.reason = REASON_KEY_NOT_VALID;
	assert_int_equal(
	    outbox_record_ack(fx->ob, last_seq(fx), false, 1000, &rej, 1), 0);
	recount(fx, 1, 1, 2, 2);
	assert_int_equal(outbox_revive(fx->ob, g, g, NULL, 0), 1);
	recount(fx, 1, 1, 2, 2);
	rej.reason = REASON_BAD_EVENT;

	/* A dead letter put again with another reason (a recovery run
	 * twice): G counts as the new reason says. */
	{
		struct outbox_txn *t;

		assert_int_equal(outbox_begin(fx->ob, &t), 0);
		assert_int_equal(
		    outbox_put_dead(t, g, REASON_KEY_NOT_VALID, 1000, "t"), 0);
		assert_int_equal(outbox_commit(&t), 0);
		recount(fx, 1, 1, 2, 2);
		assert_int_equal(outbox_begin(fx->ob, &t), 0);
		assert_int_equal(
		    outbox_put_dead(t, g, REASON_BAD_EVENT, 1000, "t"), 0);
		assert_int_equal(outbox_commit(&t), 0);
		recount(fx, 1, 0, 2, 2);
		assert_int_equal(outbox_begin(fx->ob, &t), 0);
		assert_int_equal(
		    outbox_put_dead(t, g, REASON_KEY_NOT_VALID, 1000, "t"), 0);
		assert_int_equal(outbox_commit(&t), 0);
		recount(fx, 1, 1, 2, 2);
		assert_int_equal(outbox_revive(fx->ob, g, g, NULL, 0), 1);
		recount(fx, 1, 1, 2, 2);
	}

	/* H's withdrawal refused: H counts again (the node and the
	 * consolidator hold it), heard twice once; revived, withdrawn. */
	rej.seq = hw;
	assert_int_equal(
	    outbox_record_ack(fx->ob, last_seq(fx), false, 1000, &rej, 1), 0);
	recount(fx, 1, 2, 2, 2);
	assert_int_equal(
	    outbox_record_ack(fx->ob, last_seq(fx), false, 1000, &rej, 1), 0);
	assert_int_equal(records(fx, 1), 2);
	assert_int_equal(outbox_revive(fx->ob, hw, hw, NULL, 0), 1);
	recount(fx, 1, 1, 2, 2);

	/* Refused again, then touched: corrected under epoch 2 it moves
	 * there (counted once); withdrawn again, the old withdrawal revived
	 * withdraws nothing more. */
	assert_int_equal(
	    outbox_record_ack(fx->ob, last_seq(fx), false, 1000, &rej, 1), 0);
	recount(fx, 1, 2, 2, 2);
	submit1(fx, COR("HC", "H", "55555542"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	recount(fx, 1, 1, 2, 3);
	submit1(fx, WD("HW2", "H"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	hw2 = res.seq;
	recount(fx, 1, 1, 2, 2);
	assert_int_equal(outbox_revive(fx->ob, hw, hw, NULL, 0), 1);
	recount(fx, 1, 1, 2, 2);
	/* The new withdrawal refused in turn (by the Refusals asked for). */
	{
		struct outbox_refusals a;

		memset(&a, 0, sizeof(a));
		rej.seq = hw2;
		a.rej = &rej;
		a.n_rej = 1;
		a.next = hw2 + 1;
		assert_true(outbox_record_refusals(fx->ob, &a, 1000, NULL) >=
			    0);
		recount(fx, 1, 1, 2, 3);
		a.n_rej = 0;
		a.first = a.last = hw2;
		assert_int_equal(outbox_record_refusals(fx->ob, &a, 1000, NULL),
				 1);
		recount(fx, 1, 1, 2, 2);
	}

	/* G sent again: none left under epoch 1. */
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(records(fx, 1), 0);
	recount(fx, 1, 0, 2, 3);
	/* Its re-keying refused: G back under epoch 1 until revived. */
	rej.seq = res.seq;
	assert_int_equal(
	    outbox_record_ack(fx->ob, last_seq(fx), false, 1000, &rej, 1), 0);
	recount(fx, 1, 1, 2, 2);
	assert_int_equal(outbox_revive(fx->ob, rej.seq, rej.seq, NULL, 0), 1);
	recount(fx, 1, 0, 2, 3);

	/* Ordinary business in epoch 2: a new record, a correction of a
	 * re-keyed one (refused and revived: G stays under epoch 2, its
	 * re-keyed content's), a withdrawal. */
	submit1(fx, ID("K", "66666642", "2025-03-03"), &res);
	submit1(fx, COR("L", "G", "44444442"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	recount(fx, 1, 0, 2, 4);
	rej.seq = res.seq;
	assert_int_equal(
	    outbox_record_ack(fx->ob, last_seq(fx), false, 1000, &rej, 1), 0);
	recount(fx, 1, 0, 2, 4);
	assert_int_equal(outbox_revive(fx->ob, rej.seq, rej.seq, NULL, 0), 1);
	recount(fx, 1, 0, 2, 4);
	submit1(fx, WD("M", "K"), &res);
	recount(fx, 1, 0, 2, 3);

	/* Epoch 3: a record sent again moves alone. */
	rotate(fx, 3);
	submit1(fx, COR("L", "G", "44444442"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	recount(fx, 2, 2, 3, 1);

	/* Kept across a restart; counted again when absent or left behind
	 * by another kuska's write (its stamp not the last commit's). */
	outbox_close(&fx->ob);
	del_meta(fx->dir, "epoch_live");
	assert_int_equal(outbox_open(fx->dir, 16u << 20, &fx->ob), 0);
	fx->in.ob = fx->ob;
	recount(fx, 2, 2, 3, 1);
	outbox_close(&fx->ob);
	del_meta(fx->dir, "epoch_live_txn");
	assert_int_equal(outbox_open(fx->dir, 16u << 20, &fx->ob), 0);
	fx->in.ob = fx->ob;
	assert_int_equal(records(fx, 2), 2);
	assert_int_equal(records(fx, 3), 1);
}

/* The consolidator refuses envelope seq: a dead letter. */
static void
refuse_seq(struct fixture *fx, uint64_t seq, enum reason why)
{
	struct rejection rej;

	memset(&rej, 0, sizeof(rej));
	rej.seq = seq;
	rej.reason = why;
	snprintf(rej.text, sizeof(rej.text), "test");
	assert_int_equal(
	    outbox_record_ack(fx->ob, last_seq(fx), false, 1000, &rej, 1), 0);
}

/*
 * kuska status's dead letters (outbox_dead_list) name a ref only where a
 * stage warning would: one stored before refs were checked may hold its
 * victim's identity of any shape, and a withdrawal's is never checked
 * (its line carries no victim); both are withheld, listed by their
 * sequence, where every stored ref was listed (refs50 left them), and so
 * is a re-keying's of a record stored before the mark, and one that
 * looks like a document number. A record's ref stored since is listed.
 */
static void
test_dead_list_refs_withheld(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	struct dead_letter d[5];

	old_parser = true;
	submit1(fx, ID("PJ-Quispe-Ana-2012", "11111142", "2025-03-04"), &res);
	old_parser = false;
	assert_int_equal(res.status, LINE_ACCEPTED);
	intake_free(&fx->in);
	outbox_close(&fx->ob);
	forget_refs_checked(fx->dir);
	reopen(fx, false, false);
	submit1(fx, ID("N1", "22222242", "2025-03-04"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	submit1(fx, ID("N2", "33333342", "2025-03-04"), &res);
	submit1(fx, WD("WD-Quispe-Ana", "N2"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	assert_int_equal(res.seq, 4);
	/* The first line sent again after a rotation is re-keyed under its
	 * ref (a held record is not refused for it), at a sequence past
	 * the mark. */
	rotate(fx, 2);
	submit1(fx, ID("PJ-Quispe-Ana-2012", "11111142", "2025-03-04"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(last_seq(fx), 5);
	refuse_seq(fx, 1, REASON_BAD_EVENT);
	refuse_seq(fx, 2, REASON_BAD_EVENT);
	refuse_seq(fx, 4, REASON_BAD_TARGET);
	refuse_seq(fx, 5, REASON_BAD_TARGET);
	memset(d, 0x55, sizeof(d));
	assert_int_equal(outbox_dead_list(fx->ob, d, 5), 4);
	assert_int_equal(d[0].seq, 5);
	assert_string_equal(d[0].ref, "");
	assert_int_equal(d[1].seq, 4);
	assert_string_equal(d[1].ref, "");
	assert_int_equal(d[2].seq, 2);
	assert_string_equal(d[2].ref, "N1");
	assert_int_equal(d[3].seq, 1);
	assert_string_equal(d[3].ref, "");
	/* Stored since, but with a number of a document's shape: withheld
	 * as a stage warning withholds it. */
	submit1(fx, ID("CS-41735208", "44445555", "2025-03-04"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	refuse_seq(fx, res.seq, REASON_BAD_EVENT);
	assert_int_equal(outbox_dead_list(fx->ob, d, 1), 1);
	assert_int_equal(d[0].seq, res.seq);
	assert_string_equal(d[0].ref, "");
}

/* Envelope seq is a correction of target under key epoch 2. */
static void
assert_rekeyed(struct fixture *fx, uint64_t seq, uint64_t target)
{
	struct event *ev = stored(fx, seq);

	assert_int_equal(ev->kind, KIND_CORRECTION);
	assert_int_equal(ev->target_seq, target);
	assert_int_equal(ev->key_epoch, 2);
}

/*
 * A re-keying correction the consolidator refused (its signing key
 * revoked at that moment, say) leaves it the record under the old
 * epoch's pseudonyms, counted there: the line sent again (the record's,
 * the correction's, or the record as it now stands) re-keys it again, a
 * dry run saying so too, and the record moves to the new epoch; held once
 * sent. The first refusal taken after all moves nothing. A re-keying
 * refused for its content (too large) is held at its epoch: the same
 * line would be refused again (at a later rotation: the tests below). An
 * ordinary correction refused is held as before (the same line would
 * make the same envelope: the operators take that one again,
 * --refetch), and so is a record whose own first envelope was refused,
 * not re-keyed at all (a correction of it would be refused in turn) until
 * it is taken after all.
 */
static void
test_rekey_refused_resent(void **state)
{
	struct fixture *fx = *state;
	enum line_status st[N_EXPORT];
	struct line_result res;
	struct control rep;
	uint64_t s, g, rg, k, c;
	size_t i;

	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	codec_control_clear(&rep);
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	g = res.seq;
	submit1(fx, ID("K", "66666642", "2025-03-03"), &res);
	k = res.seq;
	refuse_seq(fx, k, REASON_BAD_EVENT);
	rotate(fx, 2);
	s = last_seq(fx);
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[2], LINE_REKEYED); /* C, as s + 1 */
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	rg = res.seq;
	recount(fx, 1, 0, 2, 3); /* K, refused for its content: nowhere */

	/* Refused for its content (too large): sent again, the same content
	 * would be refused again, so held, nothing sent; under epoch 1 until
	 * the operators take it after all. */
	refuse_seq(fx, rg, REASON_TOO_LARGE);
	recount(fx, 1, 1, 2, 2);
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(last_seq(fx), rg);
	assert_int_equal(outbox_revive(fx->ob, rg, rg, NULL, 0), 1);
	recount(fx, 1, 0, 2, 3);

	/* G's re-keying refused: back under epoch 1; its line re-keys it. */
	refuse_seq(fx, rg, REASON_KEY_NOT_VALID);
	recount(fx, 1, 1, 2, 2);
	fx->dry = 41;
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	fx->dry = 0;
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(last_seq(fx), rg);
	recount(fx, 1, 1, 2, 2);
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(res.seq, rg + 1);
	assert_rekeyed(fx, rg + 1, g);
	recount(fx, 1, 0, 2, 3);
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(res.seq, g);
	assert_int_equal(outbox_revive(fx->ob, rg, rg, NULL, 0), 1);
	recount(fx, 1, 0, 2, 3);

	/* C's re-keying of A refused: C's line re-keys it again; that one
	 * refused too, A as it now stands (C's content). */
	refuse_seq(fx, s + 1, REASON_UNKNOWN_KEY);
	recount(fx, 1, 1, 2, 2);
	submit1(fx, COR("C", "A", "11111142"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	c = res.seq;
	assert_rekeyed(fx, c, 1);
	recount(fx, 1, 0, 2, 3);
	submit1(fx, COR("C", "A", "11111142"), &res);
	assert_int_equal(res.status, LINE_HELD);
	refuse_seq(fx, c, REASON_KEY_NOT_VALID);
	recount(fx, 1, 1, 2, 2);
	submit1(fx, NOW("A", "11111142"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(res.seq, c + 1);
	assert_rekeyed(fx, c + 1, 1);
	assert_int_equal(stored(fx, c + 1)->rec.region, 16);
	recount(fx, 1, 0, 2, 3);
	s = last_seq(fx);
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	codec_control_clear(&rep);
	for (i = 0; i < N_EXPORT; i++)
		assert_int_equal(st[i], LINE_HELD);
	submit1(fx, NOW("A", "11111142"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(last_seq(fx), s);

	/* K was refused itself: not re-keyed (a correction of it would be
	 * refused in turn, bad_target), held, nothing sent, a dry run too. */
	s = last_seq(fx);
	fx->dry = 42;
	submit1(fx, ID("K", "66666642", "2025-03-03"), &res);
	fx->dry = 0;
	assert_int_equal(res.status, LINE_HELD);
	submit1(fx, ID("K", "66666642", "2025-03-03"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(res.seq, k);
	assert_int_equal(last_seq(fx), s);
	recount(fx, 1, 0, 2, 3);
	/* K taken after all: its line re-keys it. Its re-keying refused
	 * bad_target (crossing K's refusal, by an earlier kuska): that was
	 * K's refusal, not the re-keying's content, re-keyed again. */
	assert_int_equal(outbox_revive(fx->ob, k, k, NULL, 0), 1);
	recount(fx, 1, 1, 2, 3);
	submit1(fx, ID("K", "66666642", "2025-03-03"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_rekeyed(fx, res.seq, k);
	recount(fx, 1, 0, 2, 4);
	refuse_seq(fx, res.seq, REASON_BAD_TARGET);
	recount(fx, 1, 1, 2, 3);
	submit1(fx, ID("K", "66666642", "2025-03-03"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(res.seq, s + 2);
	assert_rekeyed(fx, res.seq, k);
	recount(fx, 1, 0, 2, 4);

	/* An ordinary correction refused: held, nothing sent. */
	submit1(fx, COR("L", "G", "44444445"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	refuse_seq(fx, res.seq, REASON_KEY_NOT_VALID);
	recount(fx, 1, 0, 2, 4);
	s = last_seq(fx);
	submit1(fx, COR("L", "G", "44444445"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(last_seq(fx), s);
}

/* A correction of target with the content COR gives, on another date:
 * other content, pseudonyms aside. */
#define CORD(ref, target, date)                                                \
	"{\"kind\":\"correction\",\"ref\":\"" ref                              \
	"\",\"target_ref\":\"" target                                          \
	"\",\"record\":{\"kind\":\"identification\",\"date\":\"" date          \
	"\",\"region\":\"16\"," VICTIM(                                        \
	    "77777742") ",\"exploitation\":[\"labour\"]}}"

/* The counts under epochs 1 to 3 are n1 to n3, and so made again. */
static void
recount3(struct fixture *fx, uint64_t n1, uint64_t n2, uint64_t n3)
{
	assert_int_equal(records(fx, 1), n1);
	assert_int_equal(records(fx, 2), n2);
	assert_int_equal(records(fx, 3), n3);
	assert_int_equal(outbox_epochs_build(fx->ob), (int)(n1 + n2 + n3));
	assert_int_equal(records(fx, 1), n1);
	assert_int_equal(records(fx, 2), n2);
	assert_int_equal(records(fx, 3), n3);
}

/* Line (under the current epoch) is held, nothing sent. */
static void
held_unsent(struct fixture *fx, const char *line)
{
	struct line_result res;
	uint64_t s = last_seq(fx);

	submit1(fx, line, &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(last_seq(fx), s);
}

/* Line is refused as its ref's other record, nothing sent. */
static void
reused_unsent(struct fixture *fx, const char *line)
{
	struct line_result res;
	uint64_t s = last_seq(fx);

	submit1(fx, line, &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_int_equal(res.why, LINE_REF_REUSED);
	assert_int_equal(last_seq(fx), s);
}

/*
 * A correction the consolidator refused for its content (bad_event)
 * before a rotation is not re-keyed into one more dead letter after it:
 * its line is held, as the record as the case system has it (the
 * correction's content); other content under its ref is refused as at
 * the same epoch. The record's own line is not re-keyed instead (its
 * earlier content would be applied over the correction the consolidator
 * took): the record stays under epoch 1 until the refused correction is
 * taken after all, then its line re-keys it.
 */
static void
test_rekey_refused_content(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint64_t r, r2;

	submit1(fx, ID("R", "77777742", "2025-03-04"), &res);
	r = res.seq;
	submit1(fx, COR("R1", "R", "77777742"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	submit1(fx, CORD("R2", "R", "2025-02-09"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	r2 = res.seq;
	assert_int_equal(held(fx, 1), 0);
	refuse_seq(fx, r2, REASON_BAD_EVENT);
	recount(fx, 1, 1, 2, 0);
	assert_int_equal(held(fx, 1), 1);
	rotate(fx, 2);
	held_unsent(fx, CORD("R2", "R", "2025-02-09"));
	fx->dry = 43;
	held_unsent(fx, CORD("R2", "R", "2025-02-09"));
	fx->dry = 0;
	reused_unsent(fx, CORD("R2", "R", "2025-02-10"));
	held_unsent(fx, ID("R", "77777742", "2025-03-04"));
	held_unsent(fx, COR("R1", "R", "77777742"));
	/* R as the case system has it: R2's content. */
	held_unsent(fx, "{\"kind\":\"identification\",\"ref\":\"R\",\"date\":"
			"\"2025-02-09\",\"region\":\"16\"," VICTIM(
			    "77777742") ",\"exploitation\":[\"labour\"]}");
	recount(fx, 1, 1, 2, 0);
	assert_int_equal(held(fx, 1), 1);
	/* Taken after all (--refetch): its line re-keys it. */
	assert_int_equal(outbox_revive(fx->ob, r2, r2, NULL, 0), 1);
	assert_int_equal(held(fx, 1), 0);
	submit1(fx, CORD("R2", "R", "2025-02-09"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_rekeyed(fx, res.seq, r);
	recount(fx, 1, 0, 2, 1);
}

/*
 * A re-keying refused for its content (bad_event, kind_not_allowed), or
 * an ordinary correction refused so and re-keyed after all, is held at
 * each later rotation too, not re-keyed into one more dead letter each
 * time; other content under its ref is refused.
 */
static void
test_rekey_refused_content_later(void **state)
{
	struct fixture *fx = *state;
	enum line_status st[N_EXPORT];
	struct line_result res;
	struct control rep;
	uint64_t s;

	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	codec_control_clear(&rep);
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	rotate(fx, 2);
	s = last_seq(fx);
	assert_int_equal(submit(fx, export, N_EXPORT, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[2], LINE_REKEYED); /* C, as s + 1 */
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	refuse_seq(fx, res.seq, REASON_BAD_EVENT);
	refuse_seq(fx, s + 1, REASON_KIND_NOT_ALLOWED);
	recount3(fx, 2, 1, 0);
	held_unsent(fx, ID("G", "44444442", "2025-03-01"));
	rotate(fx, 3);
	held_unsent(fx, ID("G", "44444442", "2025-03-01"));
	reused_unsent(fx, ID("G", "44444442", "2025-03-09"));
	held_unsent(fx, COR("C", "A", "11111142"));
	held_unsent(fx, NOW("A", "11111142"));
	reused_unsent(fx, CORD("C", "A", "2025-02-10"));
	recount3(fx, 2, 1, 0);
	rotate(fx, 4);
	held_unsent(fx, ID("G", "44444442", "2025-03-01"));
	held_unsent(fx, COR("C", "A", "11111142"));
	recount3(fx, 2, 1, 0);
}

/*
 * Refused too_large, a correction is re-keyed by its line after a
 * rotation, not held: too_large comes of the records linked to its child
 * or case, and a number mended in the case system changes only its
 * pseudonyms, which the comparison blanks. So is a re-keying refused so,
 * at the next rotation (at its own epoch the same line is held).
 */
static void
test_rekey_refused_too_large(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint64_t g, rg;

	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	g = res.seq;
	submit1(fx, COR("L", "G", "44444445"), &res);
	refuse_seq(fx, res.seq, REASON_TOO_LARGE);
	rotate(fx, 2);
	submit1(fx, COR("L", "G", "44444445"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_rekeyed(fx, res.seq, g);
	rg = res.seq;
	recount(fx, 1, 0, 2, 1);
	refuse_seq(fx, rg, REASON_TOO_LARGE);
	recount(fx, 1, 1, 2, 0);
	assert_int_equal(held(fx, 1), 0); /* re-keyed at the next rotation */
	held_unsent(fx, COR("L", "G", "44444445"));
	rotate(fx, 3);
	submit1(fx, COR("L", "G", "44444445"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(res.seq, rg + 1);
	assert_int_equal(stored(fx, rg + 1)->key_epoch, 3);
	recount3(fx, 0, 0, 1);
}

/* An ordinary correction refused for the node's key (key_not_valid), not
 * its content: re-keyed by its line after a rotation; that re-keying
 * refused so too (the key not swapped yet), re-keyed again at each
 * resubmission (OPERATIONS.md section 9). */
static void
test_rekey_refused_key(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint64_t g, l;
	int i;

	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	g = res.seq;
	submit1(fx, COR("L", "G", "44444445"), &res);
	refuse_seq(fx, res.seq, REASON_KEY_NOT_VALID);
	recount(fx, 1, 1, 2, 0);
	rotate(fx, 2);
	submit1(fx, COR("L", "G", "44444445"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_rekeyed(fx, res.seq, g);
	recount(fx, 1, 0, 2, 1);
	for (i = 0; i < 2; i++) {
		l = res.seq;
		refuse_seq(fx, l, REASON_KEY_NOT_VALID);
		recount(fx, 1, 1, 2, 0);
		submit1(fx, COR("L", "G", "44444445"), &res);
		assert_int_equal(res.status, LINE_REKEYED);
		assert_int_equal(res.seq, l + 1);
		assert_rekeyed(fx, res.seq, g);
		recount(fx, 1, 0, 2, 1);
	}
	held_unsent(fx, COR("L", "G", "44444445"));
}

/*
 * A refusal code this version does not know (a newer consolidator's)
 * reads as bad_event, its content's: held, at a later rotation as at the
 * same epoch (see refused_for_content, intake_rekey.c).
 */
static void
test_rekey_refused_unknown(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint64_t rg;

	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	submit1(fx, COR("L", "G", "44444445"), &res);
	refuse_seq(fx, res.seq, (enum reason)(REASON_COUNT + 7));
	rotate(fx, 2);
	held_unsent(fx, COR("L", "G", "44444445"));
	recount(fx, 1, 1, 2, 0);
	submit1(fx, ID("H", "55555542", "2025-03-02"), &res);
	rotate(fx, 3);
	submit1(fx, ID("H", "55555542", "2025-03-02"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	rg = res.seq;
	refuse_seq(fx, rg, (enum reason)(REASON_COUNT + 7));
	held_unsent(fx, ID("H", "55555542", "2025-03-02"));
	recount3(fx, 1, 1, 0);
}

/* Record R as it stands after a correction COR(ref, "R", "77777742"). */
#define R_AS_COR                                                               \
	"{\"kind\":\"identification\",\"ref\":\"R\",\"date\":"                 \
	"\"2025-02-02\",\"region\":\"16\"," VICTIM(                            \
	    "77777742") ",\"exploitation\":[\"labour\"]}"

/*
 * A record as it stands re-sends its correction (re-keyed), refused
 * too_large: held at that epoch, re-keyed at the next rotation; that
 * re-keying refused for its content (bad_event): held at every later
 * rotation, the record counted under epoch 1, whose content the
 * consolidator holds (C1's); taken after all (revived), it counts under
 * its epoch, and the line re-keys it at the next rotation.
 */
static void
test_rekey_refused_large_then_content(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint64_t k2, k3;

	submit1(fx, ID("R", "77777742", "2025-03-04"), &res);
	submit1(fx, COR("C1", "R", "77777742"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	rotate(fx, 2);
	submit1(fx, R_AS_COR, &res);
	assert_int_equal(res.status, LINE_REKEYED);
	k2 = res.seq;
	recount(fx, 1, 0, 2, 1);
	refuse_seq(fx, k2, REASON_TOO_LARGE);
	recount(fx, 1, 1, 2, 0);
	held_unsent(fx, R_AS_COR);
	held_unsent(fx, COR("C1", "R", "77777742"));
	rotate(fx, 3);
	submit1(fx, R_AS_COR, &res);
	assert_int_equal(res.status, LINE_REKEYED);
	k3 = res.seq;
	assert_int_equal(stored(fx, k3)->key_epoch, 3);
	recount3(fx, 0, 0, 1);
	held_unsent(fx, COR("C1", "R", "77777742"));
	refuse_seq(fx, k3, REASON_BAD_EVENT);
	recount3(fx, 1, 0, 0);
	rotate(fx, 4);
	held_unsent(fx, R_AS_COR);
	held_unsent(fx, COR("C1", "R", "77777742"));
	held_unsent(fx, ID("R", "77777742", "2025-03-04"));
	reused_unsent(fx, CORD("C1", "R", "2025-02-10"));
	recount3(fx, 1, 0, 0);
	assert_int_equal(records(fx, 4), 0);
	assert_int_equal(outbox_revive(fx->ob, k3, k3, NULL, 0), 1);
	recount3(fx, 0, 0, 1);
	submit1(fx, R_AS_COR, &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(stored(fx, res.seq)->key_epoch, 4);
	assert_int_equal(records(fx, 4), 1);
	assert_int_equal(outbox_epochs_build(fx->ob), 1);
	assert_int_equal(records(fx, 3), 0);
	assert_int_equal(records(fx, 4), 1);
}

/*
 * A record held under epoch 1 by a correction refused for its content
 * leaves it once corrected anew (a correction under a new ref, taken:
 * the record moves to the new epoch, its earlier lines held), and counts
 * nowhere once withdrawn, as INPUT.md section 7 says.
 */
static void
test_rekey_refused_content_mended(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;

	submit1(fx, ID("R", "77777742", "2025-03-04"), &res);
	submit1(fx, CORD("C1", "R", "2025-02-01"), &res);
	submit1(fx, CORD("C2", "R", "2025-02-09"), &res);
	refuse_seq(fx, res.seq, REASON_BAD_EVENT);
	recount(fx, 1, 1, 2, 0);
	rotate(fx, 2);
	held_unsent(fx, CORD("C2", "R", "2025-02-09"));
	held_unsent(fx, CORD("C1", "R", "2025-02-01"));
	recount(fx, 1, 1, 2, 0);
	assert_int_equal(held(fx, 1), 1);
	submit1(fx, COR("C3", "R", "77777742"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	recount(fx, 1, 0, 2, 1);
	assert_int_equal(held(fx, 2), 0);
	held_unsent(fx, R_AS_COR); /* as C3 corrected it */
	held_unsent(fx, CORD("C2", "R", "2025-02-09"));
	held_unsent(fx, CORD("C1", "R", "2025-02-01"));
	held_unsent(fx, ID("R", "77777742", "2025-03-04"));
	recount(fx, 1, 0, 2, 1);
	rotate(fx, 3);
	held_unsent(fx, CORD("C2", "R", "2025-02-09"));
	submit1(fx, R_AS_COR, &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(stored(fx, res.seq)->key_epoch, 3);
	recount3(fx, 0, 0, 1);
	submit1(fx, WD("W", "R"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	recount3(fx, 0, 0, 0);
}

/*
 * A record of a kind the registry no longer grants (narrowed after it
 * was sent): after a rotation its line is refused ("may not emit", as the
 * consolidator would refuse the re-keying), so it stays counted under the
 * old epoch, as the consolidator still counts it until a --rebuild; a
 * withdrawal, allowed whatever the record's kind, takes it off
 * (OPERATIONS.md section 9).
 */
static void
test_rekey_not_granted(void **state)
{
	struct fixture *fx = *state;
	struct grants g = {.kinds = 1u << KIND_REFERRAL |
				    1u << KIND_CORRECTION |
				    1u << KIND_WITHDRAWAL,
			   .said = true};
	struct line_result res;
	uint64_t s;

	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	fx->in.grants = &g;
	rotate(fx, 2);
	s = last_seq(fx);
	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_int_equal(res.why, LINE_NOT_GRANTED);
	assert_non_null(strstr(res.reason, "may not emit identification"));
	assert_int_equal(last_seq(fx), s);
	recount(fx, 1, 1, 2, 0);
	submit1(fx, WD("W", "G"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	recount(fx, 1, 0, 2, 0);
	fx->in.grants = NULL;
}

/*
 * A record re-keyed once (its own content now the re-keying's envelope)
 * whose first envelope the consolidator then refused, its re-keying not
 * (yet): after another rotation its line is held, as the record counts
 * nowhere, and warned of that first envelope, the one that decided it,
 * where it was held without a word (refs50); a correction of it alike.
 */
static void
test_rekey_first_refused_warned(void **state)
{
	static const char *const want =
	    "already held but the consolidator refused it (seq 1: bad_event): "
	    "it counts nowhere; fix it and send it under a new ref";
	struct fixture *fx = *state;
	struct line_result res;

	submit1(fx, ID("R", "77777742", "2025-03-04"), &res);
	submit1(fx, ID("S", "66666642", "2025-03-04"), &res);
	submit1(fx, CORD("C", "S", "2025-02-01"), &res);
	rotate(fx, 2);
	submit1(fx, ID("R", "77777742", "2025-03-04"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	submit1(fx, CORD("C", "S", "2025-02-01"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	refuse_seq(fx, 1, REASON_BAD_EVENT);
	refuse_seq(fx, 2, REASON_BAD_EVENT);
	rotate(fx, 3);
	submit1(fx, ID("R", "77777742", "2025-03-04"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_string_equal(res.dead_warning, want);
	submit1(fx, CORD("C", "S", "2025-02-01"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_string_equal(res.dead_warning,
			    "already held but the consolidator refused its "
			    "record (seq 2: bad_event): it counts nowhere; fix "
			    "it and send it under a new ref");
}

/*
 * The same at the lines' own epoch: a record re-keyed whose first
 * envelope was then refused, its re-keying in flight, and a correction in
 * flight whose record was refused, each sent again before another
 * rotation, are held and warned of the record's first envelope, where
 * they were held without a word; a withdrawal in flight whose record was
 * refused alike, with nothing to withdraw (the same-epoch path warned only of
 * the line's own envelope, as intake_rekey did before refs50).
 */
static void
test_held_first_refused_warned(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;

	submit1(fx, ID("R", "77777742", "2025-03-04"), &res);
	submit1(fx, ID("S", "66666642", "2025-03-04"), &res);
	submit1(fx, CORD("C", "S", "2025-02-01"), &res);
	rotate(fx, 2);
	submit1(fx, ID("R", "77777742", "2025-03-04"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	submit1(fx, ID("T", "55555542", "2025-03-04"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	submit1(fx, CORD("D", "T", "2025-02-01"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	refuse_seq(fx, 1, REASON_BAD_EVENT);
	refuse_seq(fx, res.seq - 1, REASON_BAD_EVENT);
	submit1(fx, ID("R", "77777742", "2025-03-04"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_string_equal(res.dead_warning,
			    "already held but the consolidator refused it "
			    "(seq 1: bad_event): it counts nowhere; fix it "
			    "and send it under a new ref");
	submit1(fx, CORD("D", "T", "2025-02-01"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_string_equal(res.dead_warning,
			    "already held but the consolidator refused its "
			    "record (seq 5: bad_event): it counts nowhere; fix "
			    "it and send it under a new ref");
	submit1(fx, ID("U", "44444442", "2025-03-04"), &res);
	submit1(fx, WD("X", "U"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	refuse_seq(fx, res.seq - 1, REASON_BAD_EVENT);
	submit1(fx, WD("X", "U"), &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_string_equal(res.dead_warning,
			    "already held but the consolidator refused its "
			    "record (seq 7: bad_event): it counts nowhere; "
			    "nothing to withdraw");
}

/* Deletes envelope seq (the outbox closed): a recovered outbox's gap. */
static void
del_envelope(const char *dir, uint64_t seq)
{
	uint8_t kb[8];
	MDB_val k = {8, kb};

	bytes_put_be64(kb, seq);
	del_key(dir, "outbox", &k);
}

/* A correction refused for its content whose envelope cannot be read to
 * compare with: its line re-keys it after a rotation, as before. */
static void
test_rekey_refused_unread(void **state)
{
	struct fixture *fx = *state;
	struct line_result res;
	uint64_t g, l;

	submit1(fx, ID("G", "44444442", "2025-03-01"), &res);
	g = res.seq;
	submit1(fx, COR("L", "G", "44444445"), &res);
	l = res.seq;
	submit1(fx, ID("H", "55555542", "2025-03-02"), &res);
	refuse_seq(fx, l, REASON_BAD_EVENT);
	intake_free(&fx->in);
	outbox_close(&fx->ob);
	del_envelope(fx->dir, l);
	assert_int_equal(outbox_open(fx->dir, 16u << 20, &fx->ob), 0);
	fx->in.ob = fx->ob;
	assert_int_equal(intake_init(&fx->in), 0);
	rotate(fx, 2);
	submit1(fx, COR("L", "G", "44444445"), &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_rekeyed(fx, res.seq, g);
	assert_int_equal(records(fx, 2), 1);
	assert_int_equal(outbox_epochs_build(fx->ob),
			 (int)(records(fx, 1) + records(fx, 2)));
	assert_int_equal(records(fx, 2), 1);
}

/*
 * A request of several rounds (records repeat identities across rounds,
 * some lines are refused): every record gets the pseudonym of its own
 * identity, as if computed alone, in its line's order.
 */
static void
test_many_rounds(void **state)
{
	enum { N = 1500, DNIS = 700 };
	struct fixture *fx = *state;
	struct control rep;
	uint8_t *lines[N], want[DNIS][32];
	size_t lens[N], i, accepted = 0;
	uint64_t s0 = last_seq(fx), seq;
	struct pseudo_batch *b = pseudo_batch_new();
	char num[16];

	for (i = 0; i < DNIS; i++) {
		snprintf(num, sizeof(num), "%08zu", 70000000 + i);
		assert_int_equal(pseudo_add_document(b, "DNI", num, want[i]),
				 0);
	}
	assert_int_equal(pseudo_batch_local(b, fx->holder.key, fx->linkage.key),
			 0);
	pseudo_batch_free(&b);
	for (i = 0; i < N; i++) {
		char line[512];
		if (i % 100 == 50)
			snprintf(line, sizeof(line), "{\"kind\": broken");
		else
			snprintf(line, sizeof(line),
				 "{\"kind\":\"identification\",\"ref\":"
				 "\"R%zu\",\"date\":\"2025-05-01\",\"region\":"
				 "\"15\",\"victim\":{\"document\":{\"type\":"
				 "\"DNI\",\"number\":\"%08zu\"},\"sex\":"
				 "\"M\",\"nationality\":\"PE\",\"age\":9},"
				 "\"exploitation\":[\"begging\"]}",
				 i, 70000000 + (i * 7) % DNIS);
		lines[i] = (uint8_t *)strdup(line);
		lens[i] = strlen(line);
	}
	assert_int_equal(intake_submit(&fx->in, 1, lines, lens, N, 0, &rep), 0);
	seq = s0;
	for (i = 0; i < N; i++) {
		if (i % 100 == 50) {
			assert_int_equal(rep.results[i].status, LINE_REFUSED);
			continue;
		}
		assert_int_equal(rep.results[i].status, LINE_ACCEPTED);
		assert_int_equal(rep.results[i].seq, ++seq);
		assert_memory_equal(stored(fx, seq)->rec.victim.doc_key,
				    want[(i * 7) % DNIS], 32);
		accepted++;
	}
	assert_int_equal(accepted, N - N / 100);
	codec_control_clear(&rep);
	for (i = 0; i < N; i++)
		free(lines[i]);
}

/*
 * A request too short to call serve between its lines still calls it
 * while its identities are blinded and unblinded (one thread: every
 * PSEUDO_PROGRESS_INPUTS elements blinded, twice as many unblinded), so
 * that the node answers status during a large round.
 */
static void
test_serve_while_blinding(void **state)
{
	enum { N = INTAKE_SERVE_RECORDS - 1 };
	struct fixture *fx = *state;
	struct control rep;
	uint8_t *lines[N];
	size_t lens[N], i, elements;
	char line[512];

	for (i = 0; i < N; i++) {
		snprintf(line, sizeof(line),
			 "{\"kind\":\"identification\",\"ref\":\"S%zu\","
			 "\"date\":\"2025-05-01\",\"region\":\"15\","
			 "\"victim\":{\"document\":{\"type\":\"DNI\","
			 "\"number\":\"%08zu\"},\"sex\":\"F\","
			 "\"nationality\":\"PE\",\"age\":11},"
			 "\"exploitation\":[\"sexual\"]}",
			 i, 81000000 + i);
		lines[i] = (uint8_t *)strdup(line);
		lens[i] = strlen(line);
	}
	fx->in.workers = 1;
	fx->served = 0;
	elements = fx->holder.asked;
	assert_int_equal(intake_submit(&fx->in, 1, lines, lens, N, 0, &rep), 0);
	elements = fx->holder.asked - elements;
	assert_true(elements >= N);
	for (i = 0; i < N; i++)
		assert_int_equal(rep.results[i].status, LINE_ACCEPTED);
	assert_true(fx->served >=
		    (elements + PSEUDO_PROGRESS_INPUTS - 1) /
			    PSEUDO_PROGRESS_INPUTS +
			(elements + 2 * PSEUDO_PROGRESS_INPUTS - 1) /
			    (2 * PSEUDO_PROGRESS_INPUTS));
	codec_control_clear(&rep);
	for (i = 0; i < N; i++)
		free(lines[i]);
	fx->in.workers = 2;
}

/* lines as a dry run of id `dry`, then for real: the same answers. */
static void
same_answers(struct fixture *fx, uint64_t dry, const char *const *lines,
	     size_t n)
{
	enum line_status a[16], b[16];
	struct control rep;
	uint64_t before = last_seq(fx);
	size_t i;

	fx->dry = dry;
	assert_int_equal(submit(fx, lines, n, a, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), before);
	fx->dry = 0;
	assert_int_equal(submit(fx, lines, n, b, &rep), 0);
	codec_control_clear(&rep);
	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			fail_msg("line %zu: dry run %d, real %d", i + 1, a[i],
				 b[i]);
}

/*
 * A dry run: the same answer per line as the real submission after it,
 * nothing stored; the key holders asked nothing for new records, and
 * only about the refs already held otherwise.
 */
static void
test_dry_run(void **state)
{
	static const char *const again[] = {
	    ID("A", "11111142", "2025-01-01"), /* held */
	    ID("A", "99999942", "2025-01-01"), /* A for another record */
	    ID("Z", "12121212", "2025-01-05"), /* new */
	    ID("Z", "12121212", "2025-01-05"), /* the same again: held */
	    ID("Z", "34343434", "2025-01-05"), /* another record */
	    WD("Y", "Z"),		       /* a withdrawal of it */
	    WD("E", "D"),		       /* held */
	};
	struct fixture *fx = *state;
	struct control rep;
	size_t asked;

	same_answers(fx, 7, export, N_EXPORT);
	/* The export's records were new to the dry run: no evaluation
	 * for it, only for the real submission (see test_accept_hold). */
	assert_int_equal(fx->holder.asked, 3 + 1 + PSEUDO_CHECK_ELEMENTS);
	asked = fx->holder.asked;
	fx->dry = 8;
	assert_int_equal(submit(fx, again, 7, NULL, &rep), 0);
	codec_control_clear(&rep);
	/* Only the two lines of ref A (held) were evaluated. */
	assert_true(fx->holder.asked > asked);
	assert_true(fx->holder.asked <= asked + 2 + 1 + PSEUDO_CHECK_ELEMENTS);
	same_answers(fx, 9, again, 7);
}

/* A dry run of several requests: each sees what the earlier ones would
 * have stored, until another run starts. */
static void
test_dry_run_requests(void **state)
{
	static const char *const first[] = {ID("Q", "45454545", "2025-02-01")};
	static const char *const second[] = {COR("R", "Q", "45454545")};
	enum line_status st[1];
	struct fixture *fx = *state;
	struct control rep;

	fx->dry = 11;
	assert_int_equal(submit(fx, first, 1, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[0], LINE_ACCEPTED);
	assert_int_equal(submit(fx, second, 1, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[0], LINE_ACCEPTED);
	/* Another run does not see run 11's Q. */
	fx->dry = 12;
	assert_int_equal(submit(fx, second, 1, st, &rep), 0);
	assert_string_equal(rep.results[0].reason,
			    "no earlier record of pnp has this ref: name a "
			    "record pnp sent by its own ref");
	codec_control_clear(&rep);
	/* And run 11 cannot go on. */
	fx->dry = 11;
	assert_int_equal(submit(fx, second, 1, st, &rep), -ESRCH);
	assert_non_null(strstr(rep.error, "this dry run was dropped ("));
	assert_non_null(strstr(rep.error, "run it again"));
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 0);
	assert_int_equal(fx->holder.asked, 0);
}

/*
 * The node's loop reads the monotonic clock, serves the requests, then
 * asks intake_idle with the time it read: a run whose request was served
 * after that reading is not idle. Its unsigned difference wrapped round
 * and dropped the run, so that `kuska submit -n A B` now and then
 * refused B ("this dry run was dropped").
 */
static void
test_dry_run_idle_stale_clock(void **state)
{
	static const char *const first[] = {ID("Q", "45454545", "2025-02-01")};
	static const char *const second[] = {COR("R", "Q", "45454545")};
	enum line_status st[1];
	struct fixture *fx = *state;
	struct control rep;
	uint64_t before = date_mono_ms();

	/* The request is served a few milliseconds after the reading. */
	while (date_mono_ms() < before + 2)
		;
	fx->dry = 13;
	assert_int_equal(submit(fx, first, 1, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[0], LINE_ACCEPTED);
	intake_idle(&fx->in, before);
	assert_int_equal(submit(fx, second, 1, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[0], LINE_ACCEPTED);
	/* Idle for DRYRUN_IDLE_MS and more: dropped. */
	intake_idle(&fx->in, date_mono_ms() + DRYRUN_IDLE_MS + 1);
	assert_int_equal(submit(fx, second, 1, st, &rep), -ESRCH);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 0);
}

/*
 * A dry run its client says is over (all its results read) is freed at
 * once, what it would have stored with it: its later requests are refused
 * as a dropped run's are, told that it had ended (not "dropped": no other
 * run started); the end of another run drops nothing.
 */
static void
test_dry_run_end(void **state)
{
	static const char *const first[] = {ID("Q", "45454545", "2025-02-01")};
	static const char *const second[] = {COR("R", "Q", "45454545")};
	enum line_status st[1];
	struct fixture *fx = *state;
	struct control rep;

	fx->dry = 21;
	assert_int_equal(submit(fx, first, 1, st, &rep), 0);
	codec_control_clear(&rep);
	intake_dry_end(&fx->in, 22);
	assert_int_equal(submit(fx, second, 1, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[0], LINE_ACCEPTED);
	intake_dry_end(&fx->in, 21);
	assert_null(fx->in.dry_run);
	assert_int_equal(submit(fx, second, 1, st, &rep), -ESRCH);
	assert_string_equal(rep.error,
			    "this dry run had ended (its kuska "
			    "submit said it was over): run it again");
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 0);
}

/*
 * A withdrawal or correction whose target_ref is a held record's ref
 * retyped: in lower case, with a space at an end (walk53). Refs are
 * compared as written, so it names nothing; the refusal says how it
 * differs, where "no earlier record of pnp" sent the officer looking for
 * a record she had sent. A ref held by no record is refused as before.
 */
static void
test_target_ref_retyped(void **state)
{
	static const char *const lines[] = {
	    ID("PNP-ID-7", "45454545", "2025-02-01"),
	    WD("PNP-WD-1", "pnp-id-7"),
	    WD("PNP-WD-2", "PNP-ID-7 "),
	    COR("PNP-CO-1", " Pnp-id-7", "45454545"),
	    WD("PNP-WD-3", "PNP-ID-8"),
	    WD("PNP-WD-4", "PNP-ID-7")};
	static const char retyped[] =
	    "no earlier record has this ref as written but one has it in "
	    "other case or without the spaces at its ends: write it exactly "
	    "as that record's ref";
	enum line_status st[6];
	struct fixture *fx = *state;
	struct control rep;
	size_t i;

	assert_int_equal(submit(fx, lines, 6, st, &rep), 0);
	assert_int_equal(st[0], LINE_ACCEPTED);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(st[i], LINE_REFUSED);
		assert_string_equal(rep.results[i].field, "target_ref");
		assert_string_equal(rep.results[i].reason, retyped);
	}
	assert_int_equal(st[4], LINE_REFUSED);
	assert_string_equal(rep.results[4].reason,
			    "no earlier record of pnp has this ref: name a "
			    "record pnp sent by its own ref");
	assert_int_equal(st[5], LINE_ACCEPTED);
	codec_control_clear(&rep);
}

/* dry - one request of dry run id: the first line or the second. */
static int
dry(struct fixture *fx, uint64_t id, bool second, enum line_status *st)
{
	static const char *const first[] = {ID("Q", "45454545", "2025-02-01")};
	static const char *const cor[] = {COR("R", "Q", "45454545")};
	struct control rep;
	int r;

	fx->dry = id;
	r = submit(fx, second ? cor : first, 1, st, &rep);
	fx->dry = 0;
	codec_control_clear(&rep);
	return r;
}

/*
 * Two officers dry-running on one node at once: each run drops the
 * other's kept run, and each must be told when its next request comes.
 * The node kept one dropped id, which the second run's end (or drop)
 * overwrote: the first's next request then made a new empty run, in
 * which its correction was refused as of no earlier record.
 */
static void
test_dry_run_two_at_once(void **state)
{
	struct fixture *fx = *state;
	enum line_status st[1];

	assert_int_equal(dry(fx, 31, false, st), 0);
	assert_int_equal(st[0], LINE_ACCEPTED);
	assert_int_equal(dry(fx, 32, false, st), 0); /* drops 31 */
	assert_int_equal(dry(fx, 32, true, st), 0);
	assert_int_equal(st[0], LINE_ACCEPTED);
	intake_dry_end(&fx->in, 32);
	assert_int_equal(dry(fx, 31, true, st), -ESRCH);
	/* Dropped the other way round, then both dropped in turn. */
	assert_int_equal(dry(fx, 33, false, st), 0);
	assert_int_equal(dry(fx, 34, false, st), 0); /* drops 33 */
	assert_int_equal(dry(fx, 35, false, st), 0); /* drops 34 */
	assert_int_equal(dry(fx, 33, true, st), -ESRCH);
	assert_int_equal(dry(fx, 34, true, st), -ESRCH);
	assert_int_equal(dry(fx, 35, true, st), 0);
	assert_int_equal(st[0], LINE_ACCEPTED);
	assert_int_equal(last_seq(fx), 0);
}

/*
 * Runs that end are not dropped: any number of them leaves the dropped
 * ones refused. Only the last run ended is refused as well.
 */
static void
test_dry_run_ends_kept_apart(void **state)
{
	struct fixture *fx = *state;
	enum line_status st[1];
	uint64_t id;

	assert_int_equal(dry(fx, 41, false, st), 0);
	assert_int_equal(dry(fx, 42, false, st), 0); /* drops 41 */
	intake_dry_end(&fx->in, 42);
	for (id = 100; id < 100 + INTAKE_DRY_DROPPED; id++) {
		assert_int_equal(dry(fx, id, false, st), 0);
		assert_int_equal(dry(fx, id, true, st), 0);
		assert_int_equal(st[0], LINE_ACCEPTED);
		intake_dry_end(&fx->in, id);
	}
	assert_int_equal(dry(fx, 41, true, st), -ESRCH);
	assert_int_equal(dry(fx, id - 1, true, st), -ESRCH);
}

/*
 * The last INTAKE_DRY_DROPPED dropped are refused; one more pushes the
 * oldest out, whose next request then starts a new, empty run (its
 * correction refused as of no earlier record) and drops the run kept.
 */
static void
test_dry_run_dropped_ring(void **state)
{
	struct fixture *fx = *state;
	enum line_status st[1];
	struct line_result res;
	uint64_t id;

	/* 50 is dropped by 51, ..., 65 by 66: 16 dropped. */
	for (id = 50; id <= 50 + INTAKE_DRY_DROPPED; id++)
		assert_int_equal(dry(fx, id, false, st), 0);
	for (id = 50; id < 50 + INTAKE_DRY_DROPPED; id++)
		assert_int_equal(dry(fx, id, true, st), -ESRCH);
	/* The 17th drop (66's, by 67) pushes 50 out. */
	assert_int_equal(dry(fx, 67, false, st), 0);
	assert_int_equal(dry(fx, 51, true, st), -ESRCH);
	assert_int_equal(dry(fx, 66, true, st), -ESRCH);
	fx->dry = 50;
	submit1(fx, COR("R", "Q", "45454545"), &res);
	fx->dry = 0;
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "target_ref");
	assert_int_equal(dry(fx, 67, true, st), -ESRCH);
	assert_int_equal(last_seq(fx), 0);
}

/*
 * A dry run of a line whose ref's entry cannot be read fails whole, as a
 * real submission of it does (the outbox damaged): dry_parse reads the
 * error as nothing held (its values left provisional), and the look-up
 * of the same entry in the same transaction by intake_take_line meets
 * it again. Had dry_parse refused the line alone for it, the dry run
 * would have said "would be accepted" of the rest, where the real
 * submission stores none of them.
 */
static void
test_dry_run_ref_damaged(void **state)
{
	static const char *const line[] = {ID("Q", "45454545", "2025-02-01")};
	struct fixture *fx = *state;
	enum line_status st[1];
	struct control rep;
	char want[sizeof(rep.error)];
	uint8_t id[EVENT_ID_LEN];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *c;
	MDB_val k, v = {3, "bad"};

	assert_int_equal(submit(fx, line, 1, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(st[0], LINE_ACCEPTED);
	intake_free(&fx->in);
	outbox_close(&fx->ob);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, fx->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "refs", 0, &dbi), 0);
	assert_int_equal(mdb_cursor_open(txn, dbi, &c), 0);
	assert_int_equal(mdb_cursor_get(c, &k, NULL, MDB_FIRST), 0);
	assert_int_equal(k.mv_size, EVENT_ID_LEN);
	memcpy(id, k.mv_data, EVENT_ID_LEN);
	mdb_cursor_close(c);
	k.mv_data = id;
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	reopen(fx, false, false);

	assert_int_equal(submit(fx, line, 1, st, &rep), -EUCLEAN);
	snprintf(want, sizeof(want), "%s", rep.error);
	codec_control_clear(&rep);
	assert_non_null(strstr(want, "damaged"));
	fx->dry = 71;
	assert_int_equal(submit(fx, line, 1, st, &rep), -EUCLEAN);
	fx->dry = 0;
	assert_string_equal(rep.error, want);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 1);
}

/*
 * The registry's grants: what the institution may not emit is refused,
 * line by line (EVENTS.md: the records around it go on), and so is a
 * referral to itself or received from itself. Those lines may say the
 * file is another institution's export: kuska submit counts them by
 * their codes (LineResult.why), which these carry; a line refused for
 * another reason carries none.
 */
static void
test_grants(void **state)
{
	static const char *const lines[] = {
	    "{\"kind\":\"service\",\"ref\":\"S1\",\"date\":\"2024-03-01\","
	    "\"region\":\"15\",\"victim\":{\"age\":30,\"sex\":\"F\","
	    "\"nationality\":\"PE\"},\"service\":\"medical\"}",
	    "{\"kind\":\"case_stage\",\"ref\":\"K1\",\"date\":\"2024-03-01\","
	    "\"region\":\"15\",\"case_number\":\"CF-1\",\"stage\":\"trial\","
	    "\"victims\":[],\"persons\":1,\"article\":\"129-A\"}",
	    ID("A", "11111142", "2025-01-01"),
	    WD("W", "A"),
	    "{\"kind\":\"correction\",\"ref\":\"C2\",\"target_ref\":\"A\","
	    "\"record\":{\"kind\":\"identification\",\"date\":\"2024-03-01\","
	    "\"region\":\"15\",\"victim\":{\"age\":30,\"sex\":\"F\","
	    "\"nationality\":\"PE\"},\"exploitation\":[\"labour\"]}}",
	    "{\"kind\":\"referral\",\"ref\":\"R1\",\"date\":\"2024-03-01\","
	    "\"region\":\"15\",\"victim\":{\"age\":30,\"sex\":\"F\","
	    "\"nationality\":\"PE\"},\"to\":\"pnp\",\"purpose\":\"justice\","
	    "\"referral_number\":\"OF-1\"}",
	    "{\"kind\":\"referral_received\",\"ref\":\"R2\",\"date\":"
	    "\"2024-03-01\",\"region\":\"15\",\"victim\":{\"age\":30,\"sex\":"
	    "\"F\",\"nationality\":\"PE\"},\"from\":\"pnp\","
	    "\"referral_number\":\"OF-1\"}",
	    ID("B", "22222242", "2025-01-02"),
	    "{\"kind\":\"referral\",\"ref\":\"R3\",\"date\":\"2024-03-01\","
	    "\"region\":\"15\",\"victim\":{\"age\":30,\"sex\":\"F\","
	    "\"nationality\":\"PE\"},\"to\":\"xx\",\"purpose\":\"justice\","
	    "\"referral_number\":\"OF-1\"}",
	};
	static const struct {
		const char *field, *reason; /* NULL: accepted */
		enum line_reason why;
	} want[] = {
	    {"kind", "pnp may not emit service", LINE_NOT_GRANTED},
	    {"stage", "pnp may not emit case stage trial", LINE_NOT_GRANTED},
	    {NULL, NULL, LINE_REASON_NONE},
	    {"kind", "pnp may not emit withdrawal", LINE_NOT_GRANTED},
	    {NULL, NULL, LINE_REASON_NONE},
	    {"to", "must differ from the submitting institution",
	     LINE_OWN_INSTITUTION},
	    {"from", "must differ from the submitting institution",
	     LINE_OWN_INSTITUTION},
	    {NULL, NULL, LINE_REASON_NONE},
	    {"to", "must be pnp or mp or pj or mimp or minsa",
	     LINE_REASON_NONE},
	};
	struct grants g = {.kinds =
			       1u << KIND_IDENTIFICATION | 1u << KIND_REFERRAL |
			       1u << KIND_REFERRAL_RECEIVED |
			       1u << KIND_CASE_STAGE | 1u << KIND_CORRECTION,
			   .stages = 1u << STAGE_COMPLAINT,
			   .said = true};
	struct fixture *fx = *state;
	struct control rep;
	size_t i, n = sizeof(lines) / sizeof(lines[0]);
	int dry;

	fx->in.grants = &g;
	/* A dry run answers the same and stores nothing; the real run
	 * stores the good lines around the refused ones. */
	for (dry = 1; dry >= 0; dry--) {
		fx->dry = dry ? 31 : 0;
		assert_int_equal(submit(fx, lines, n, NULL, &rep), 0);
		assert_int_equal(rep.n_results, n);
		for (i = 0; i < n; i++) {
			assert_int_equal(rep.results[i].line, i + 1);
			if (want[i].field == NULL) {
				assert_int_equal(rep.results[i].status,
						 LINE_ACCEPTED);
				continue;
			}
			assert_int_equal(rep.results[i].status, LINE_REFUSED);
			assert_string_equal(rep.results[i].field,
					    want[i].field);
			assert_string_equal(rep.results[i].reason,
					    want[i].reason);
			assert_int_equal(rep.results[i].why, want[i].why);
		}
		codec_control_clear(&rep);
		assert_int_equal(last_seq(fx), dry ? 0 : 3);
	}
	/* Not said by the consolidator yet: the reason says so. */
	g.said = false;
	g.kinds &= ~(1u << KIND_CORRECTION);
	assert_int_equal(submit(fx, lines + 4, 1, NULL, &rep), 0);
	assert_string_equal(rep.results[0].field, "kind");
	assert_non_null(strstr(rep.results[0].reason, "default grants"));
	codec_control_clear(&rep);
	g.kinds = 1u << KIND_CORRECTION;
	assert_int_equal(submit(fx, lines + 4, 1, NULL, &rep), 0);
	assert_string_equal(rep.results[0].field, "record.kind");
	assert_int_equal(rep.results[0].why, LINE_NOT_GRANTED);
	codec_control_clear(&rep);
	fx->in.grants = NULL;
}

/*
 * What the institution may not emit is said before anything else wrong
 * with the line: a MINSA officer who mended a case stage's victims would
 * only be told then that MINSA emits no case stage. What it may emit is
 * refused for the rest as before.
 */
static void
test_grants_first(void **state)
{
#define CS(stage, rest)                                                        \
	"\"kind\":\"case_stage\",\"date\":\"2024-03-01\",\"region\":\"15\","   \
	"\"case_number\":\"CF-1\",\"stage\":\"" stage "\"," rest
	static const char *const lines[] = {
	    "{\"ref\":\"K1\"," CS("complaint", "\"victims\":[],\"persons\":1,"
					       "\"article\":\"153\"") "}",
	    "{\"kind\":\"correction\",\"ref\":\"K2\",\"target_ref\":\"K0\","
	    "\"record\":{" CS("complaint", "\"victims\":[],\"persons\":1,"
					   "\"article\":\"153\"") "}}",
	    "{\"ref\":\"K3\"," CS("trial", "\"victims\":[],\"persons\":-1,"
					   "\"article\":\"153\"") "}",
	    "{\"ref\":\"K4\"," CS("complaint",
				  "\"victims\":[],\"persons\":1,"
				  "\"article\":\"153\"") ",\"x\":1}",
	    "{\"ref\":\"K5\"," CS("Conviction", "\"victims\":[],\"persons\":1,"
						"\"article\":\"153\"") "}",
	    "{\"ref\":\"K6\"," CS(" TRIAL", "\"victims\":[],\"persons\":1,"
					    "\"article\":\"153\"") "}",
	    "{\"ref\":\"K7\",\"kind\":\"case_stage\",\"date\":\"2024-03-01\","
	    "\"region\":\"15\",\"case_number\":\"CF\u20131\",\"stage\":"
	    "\"trial\",\"victims\":[],\"persons\":1,\"article\":\"153\"}",
	    "{\"ref\":\"K8\"," CS("Formalized Investigation",
				  "\"victims\":[],\"persons\":1,"
				  "\"article\":\"153\"") "}",
	};
#undef CS
	struct grants minsa = {
	    .kinds = 1u << KIND_IDENTIFICATION | 1u << KIND_REFERRAL |
		     1u << KIND_REFERRAL_RECEIVED | 1u << KIND_SERVICE |
		     1u << KIND_CORRECTION | 1u << KIND_WITHDRAWAL,
	    .said = true};
	struct grants mp = {.kinds = minsa.kinds | 1u << KIND_CASE_STAGE,
			    .stages =
				1u << STAGE_COMPLAINT | 1u << STAGE_CONVICTION,
			    .said = true};
	struct fixture *fx = *state;
	struct control rep;
	size_t i;

	fx->in.inst = INST_MINSA;
	fx->in.grants = &minsa;
	assert_int_equal(submit(fx, lines, 4, NULL, &rep), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(rep.results[i].status, LINE_REFUSED);
		assert_int_equal(rep.results[i].why, LINE_NOT_GRANTED);
		assert_string_equal(rep.results[i].reason,
				    "minsa may not emit case_stage");
	}
	assert_string_equal(rep.results[0].field, "kind");
	assert_string_equal(rep.results[1].field, "record.kind");
	codec_control_clear(&rep);
	/* A stage not granted: said before the persons' range. Granted:
	 * the victims' rule and an unknown field refuse as ever. */
	fx->in.grants = &mp;
	assert_int_equal(submit(fx, lines, 8, NULL, &rep), 0);
	assert_string_equal(rep.results[2].field, "stage");
	assert_string_equal(rep.results[2].reason,
			    "minsa may not emit case stage trial");
	assert_int_equal(rep.results[2].why, LINE_NOT_GRANTED);
	assert_string_equal(rep.results[0].field, "victims");
	assert_string_equal(rep.results[0].reason,
			    "a complaint names at least one victim");
	assert_int_equal(rep.results[0].why, LINE_REASON_NONE);
	assert_string_equal(rep.results[1].field, "record.victims");
	assert_int_equal(rep.results[3].status, LINE_REFUSED);
	assert_int_equal(rep.results[3].why, LINE_REASON_NONE);
	/* A stage's word miswritten: the words this one may send, and the
	 * parser's hint. */
	assert_string_equal(rep.results[4].field, "stage");
	assert_string_equal(rep.results[4].reason,
			    "must be one of the case stages minsa may emit: "
			    "complaint, conviction (in lower case)");
	/* A stage not granted, in capitals, or before a case number with a
	 * long dash: what the institution may not emit, said first. */
	for (i = 5; i < 7; i++) {
		assert_string_equal(rep.results[i].field, "stage");
		assert_string_equal(rep.results[i].reason,
				    "minsa may not emit case stage trial");
	}
	/* A case system's label of a stage not granted, spaces for its
	 * underscores: the hint "(lower case; _ for spaces)" after the
	 * granted stages would lead only to this. */
	assert_string_equal(rep.results[7].field, "stage");
	assert_string_equal(rep.results[7].reason,
			    "minsa may not emit case stage "
			    "formalized_investigation");
	assert_int_equal(rep.results[7].why, LINE_NOT_GRANTED);
	codec_control_clear(&rep);
	mp.stages = (1u << (STAGE_COUNT + 1)) - 2; /* every stage */
	assert_int_equal(submit(fx, lines, 5, NULL, &rep), 0);
	assert_true(
	    strncmp(rep.results[4].reason,
		    "must be one of complaint, preliminary_investigation",
		    50) == 0);
	codec_control_clear(&rep);
	/* The longest list a node names, the prosecutor's five stages,
	 * with the longest hint: whole in a reason's 160 bytes. */
	fx->in.inst = INST_MP;
	mp.stages = 1u << STAGE_COMPLAINT |
		    1u << STAGE_PRELIMINARY_INVESTIGATION |
		    1u << STAGE_FORMALIZED_INVESTIGATION |
		    1u << STAGE_ACCUSATION | 1u << STAGE_DISMISSAL;
	assert_int_equal(submit(fx, lines + 7, 1, NULL, &rep), 0);
	assert_string_equal(rep.results[0].reason,
			    "must be one of the case stages mp may emit: "
			    "complaint, preliminary_investigation, "
			    "formalized_investigation, accusation, dismissal "
			    "(lower case; _ for spaces)");
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 0);
	fx->in.grants = NULL;
	fx->in.inst = INST_PNP;
}

/*
 * A correction or withdrawal of a record the consolidator refused (a dead
 * letter) is refused at once, naming the refusal and the way out: the
 * consolidator would refuse it in turn (bad_target), another dead letter.
 * One of a record accepted, or still in flight (not acknowledged), is
 * accepted; so is one of a dead letter revived since (taken after all).
 * A dry run answers the same.
 */
static void
test_dead_target(void **state)
{
	static const char *const records[] = {
	    ID("A", "11111142", "2025-01-01"),
	    ID("B", "22222242", "2025-01-02"),
	};
	static const char *const inflight[] = {
	    ID("H", "33333342", "2025-01-03"),
	};
	static const char *const amends[] = {
	    COR("C", "A", "11111142"),
	    WD("W", "A"),
	    COR("D", "B", "22222242"),
	    COR("E", "H", "33333342"),
	};
	static const char *const keyed[] = {
	    ID("K", "44444442", "2025-01-04"),
	    COR("L", "K", "44444442"),
	};
	struct fixture *fx = *state;
	struct rejection rej;
	struct control rep;
	enum line_status st[4];
	int dry;

	assert_int_equal(submit(fx, records, 2, st, &rep), 0);
	codec_control_clear(&rep);
	memset(&rej, 0, sizeof(rej));
	rej.seq = 1;
	rej.reason = REASON_KIND_NOT_ALLOWED;
	snprintf(rej.text, sizeof(rej.text), "pnp may not emit that");
	assert_int_equal(outbox_record_ack(fx->ob, 2, false, 1000, &rej, 1), 0);
	assert_int_equal(submit(fx, inflight, 1, st, &rep), 0);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 3);
	for (dry = 1; dry >= 0; dry--) {
		fx->dry = dry ? 41 : 0;
		assert_int_equal(submit(fx, amends, 4, st, &rep), 0);
		assert_int_equal(st[0], LINE_REFUSED);
		assert_string_equal(rep.results[0].field, "target_ref");
		assert_string_equal(
		    rep.results[0].reason,
		    "the consolidator refused that record (seq 1: "
		    "kind_not_allowed): it counts nowhere; fix it and send it "
		    "as a new record with a new ref");
		assert_int_equal(rep.results[0].why, LINE_REASON_NONE);
		assert_int_equal(st[1], LINE_REFUSED);
		assert_string_equal(rep.results[1].field, "target_ref");
		assert_string_equal(rep.results[1].reason,
				    "the consolidator refused that record (seq "
				    "1: kind_not_allowed): it counts nowhere; "
				    "nothing to withdraw");
		assert_int_equal(st[2], LINE_ACCEPTED);
		assert_int_equal(st[3], LINE_ACCEPTED);
		codec_control_clear(&rep);
		assert_int_equal(last_seq(fx), dry ? 3 : 5);
	}
	/* The consolidator took it after all (--refetch): the correction
	 * refused before goes now. */
	fx->dry = 0;
	assert_int_equal(outbox_revive(fx->ob, 1, 2, NULL, 0), 1);
	assert_int_equal(submit(fx, amends, 1, st, &rep), 0);
	assert_int_equal(st[0], LINE_ACCEPTED);
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 6);
	/* Refused for the node's key, not its content: sent anew as well
	 * as taken again, it would count twice; the way is --refetch. */
	assert_int_equal(submit(fx, keyed, 1, st, &rep), 0);
	codec_control_clear(&rep);
	rej.seq = 7;
	rej.reason = REASON_KEY_NOT_VALID;
	assert_int_equal(outbox_record_ack(fx->ob, 7, false, 2000, &rej, 1), 0);
	assert_int_equal(submit(fx, keyed + 1, 1, st, &rep), 0);
	assert_int_equal(st[0], LINE_REFUSED);
	assert_string_equal(rep.results[0].reason,
			    "the consolidator refused that record (seq 7: "
			    "key_not_valid): it counts nowhere; not its "
			    "content: ask the operators to take it again "
			    "(--refetch)");
	codec_control_clear(&rep);
	assert_int_equal(last_seq(fx), 7);
}

/*
 * A line over the limit is refused even when what kuska submit sends of
 * it (its head) is blanks: the record after them is not taken for a
 * blank line, and lost without a word.
 */
static void
test_long_blank_head(void **state)
{
	struct fixture *fx = *state;
	const char *lines[2];
	struct control rep;
	char *head;

	head = malloc(RECORD_MAX_LINE + 2);
	assert_non_null(head);
	memset(head, ' ', RECORD_MAX_LINE + 1);
	head[RECORD_MAX_LINE + 1] = '\0';
	lines[0] = head;
	lines[1] = "   ";
	assert_int_equal(submit(fx, lines, 2, NULL, &rep), 0);
	assert_int_equal(rep.results[0].status, LINE_REFUSED);
	assert_non_null(strstr(rep.results[0].reason, "line longer than"));
	assert_int_equal(rep.results[1].status, LINE_BLANK);
	codec_control_clear(&rep);
	free(head);
}

/* A case stage of case CF-<n> whose second victim was born 2012-05-05
 * and written age a: on 2026-10-07 the birth date gives 14. */
#define AGEV(ref, n, stage, a)                                                 \
	"{\"kind\":\"case_stage\",\"ref\":\"" ref                              \
	"\",\"date\":\"2026-10-07\",\"region\":\"15\",\"case_number\":\"CF-" n \
	"\",\"stage\":\"" stage "\",\"victims\":[" CV                          \
	",{\"birth_date\":\"2012-05-05\",\"age\":" a                           \
	",\"sex\":\"F\",\"nationality\":\"PE\"}],\"persons\":1,"               \
	"\"article\":\"153\"}"

/*
 * A victim's age more than a year off her birth date's: the line is
 * accepted with the age warning and her age field's path, beside a case
 * stage's warning of the same line; a dry run says the same; sent again
 * (held) it brings no new warning.
 */
static void
test_age_warning(void **state)
{
	static const char *const lines[] = {
	    AGEV("A1", "70", "complaint", "14"),
	    AGEV("A2", "71", "complaint", "13"),
	    AGEV("A3", "72", "complaint", "12"),
	    AGEV("A4", "72", "complaint", "12"),
	};
	struct fixture *fx = *state;
	struct control dry, real, again;
	size_t i;

	fx->dry = 61;
	assert_int_equal(submit(fx, lines, 4, NULL, &dry), 0);
	fx->dry = 0;
	assert_int_equal(submit(fx, lines, 4, NULL, &real), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(real.results[i].status, LINE_ACCEPTED);
	assert_string_equal(real.results[0].age_warning, "");
	assert_false(line_warns_age(&real.results[0]));
	assert_string_equal(real.results[1].age_warning, "");
	assert_string_equal(real.results[2].age_warning,
			    "victim age 12 is not the age the birth date "
			    "gives on the record's date (14): the birth date "
			    "is used; correct one of them");
	assert_string_equal(real.results[2].age_field, "victims[1].age");
	assert_true(line_warns_age(&real.results[2]));
	assert_null(strchr(real.results[2].age_warning, ','));
	assert_null(strstr(real.results[2].age_warning, "2012"));
	assert_string_equal(real.results[2].warning, "");
	/* A second record of the stage: both warnings. */
	warned(&real.results[3], LINE_ACCEPTED, "already held for this case");
	assert_string_equal(real.results[3].age_warning,
			    real.results[2].age_warning);
	for (i = 0; i < 4; i++) {
		assert_string_equal(dry.results[i].age_warning,
				    real.results[i].age_warning);
		assert_string_equal(dry.results[i].age_field,
				    real.results[i].age_field);
	}
	assert_int_equal(submit(fx, lines, 4, NULL, &again), 0);
	assert_int_equal(again.results[2].status, LINE_HELD);
	assert_false(line_warns_age(&again.results[2]));
	codec_control_clear(&dry);
	codec_control_clear(&real);
	codec_control_clear(&again);
}

/* The placeholder warning, as the node words it. */
#define PLACEHOLDER_WARNING                                                    \
	"is a placeholder (one character repeated or a run of digits like "    \
	"12345678): not used to link this victim; leave the document out "     \
	"when it is not known"

/*
 * A DNI that is a placeholder: the line is accepted, its victim stored
 * without a document key (linked by her name key), with a warning that
 * names the field and never the number; a dry run says the same; sent
 * again (held) it brings no new warning; a correction that writes her
 * real DNI stores its document key, the one a record with that DNI has.
 */
static void
test_placeholder_warning(void **state)
{
	static const char *const lines[] = {
	    ID("P1", "99999999", "2025-01-01"),
	    ID("P2", "40721856", "2025-01-01"),
	    COR("P3", "P1", "40721856"),
	};
	static const char *const three =
	    "{\"kind\":\"case_stage\",\"ref\":\"P4\",\"date\":\"2026-04-02\","
	    "\"region\":\"15\",\"case_number\":\"CF-77\",\"stage\":"
	    "\"complaint\",\"victims\":["
	    "{\"document\":{\"type\":\"DNI\",\"number\":\"99999999\"},"
	    "\"age\":15,\"sex\":\"F\",\"nationality\":\"PE\"},"
	    "{\"document\":{\"type\":\"DNI\",\"number\":\"12345678\"},"
	    "\"age\":14,\"sex\":\"F\",\"nationality\":\"PE\"},"
	    "{\"document\":{\"type\":\"DNI\",\"number\":\"87654321\"},"
	    "\"age\":13,\"sex\":\"M\",\"nationality\":\"PE\"}],"
	    "\"persons\":3,\"article\":\"153\"}";
	static const uint8_t none[PSEUDONYM_LEN] = {0};
	struct fixture *fx = *state;
	struct control dry, real, again;
	const struct event *ev;
	uint8_t doc[PSEUDONYM_LEN];

	fx->dry = 62;
	assert_int_equal(submit(fx, lines, 1, NULL, &dry), 0);
	fx->dry = 0;
	assert_int_equal(submit(fx, lines, 1, NULL, &real), 0);
	assert_int_equal(real.results[0].status, LINE_ACCEPTED);
	assert_true(line_warns_placeholder(&real.results[0]));
	assert_string_equal(real.results[0].placeholder_warning,
			    PLACEHOLDER_WARNING);
	assert_string_equal(real.results[0].placeholder_field,
			    "victim.document.number");
	assert_null(strchr(real.results[0].placeholder_warning, ','));
	assert_null(strstr(real.results[0].placeholder_warning, "9999"));
	assert_true(line_warns_placeholder(&dry.results[0]));
	assert_string_equal(dry.results[0].placeholder_warning,
			    PLACEHOLDER_WARNING);
	assert_string_equal(dry.results[0].placeholder_field,
			    "victim.document.number");
	ev = stored(fx, real.results[0].seq);
	assert_int_equal(ev->rec.victim.doc_type, DOC_NONE);
	assert_memory_equal(ev->rec.victim.doc_key, none, sizeof(none));
	assert_true(ev->rec.victim.has_name_key);
	assert_int_equal(submit(fx, lines, 1, NULL, &again), 0);
	assert_int_equal(again.results[0].status, LINE_HELD);
	assert_false(line_warns_placeholder(&again.results[0]));
	codec_control_clear(&dry);
	codec_control_clear(&real);
	codec_control_clear(&again);

	assert_int_equal(submit(fx, lines + 1, 2, NULL, &real), 0);
	assert_int_equal(real.results[0].status, LINE_ACCEPTED);
	assert_int_equal(real.results[1].status, LINE_ACCEPTED);
	assert_false(line_warns_placeholder(&real.results[1]));
	ev = stored(fx, real.results[0].seq);
	assert_int_equal(ev->rec.victim.doc_type, DOC_DNI);
	memcpy(doc, ev->rec.victim.doc_key, sizeof(doc));
	ev = stored(fx, real.results[1].seq);
	assert_int_equal(ev->rec.victim.doc_type, DOC_DNI);
	assert_memory_equal(ev->rec.victim.doc_key, doc, sizeof(doc));
	codec_control_clear(&real);

	/* Three victims of one case stage so written: one warning, counted. */
	assert_int_equal(submit(fx, &three, 1, NULL, &real), 0);
	assert_int_equal(real.results[0].status, LINE_ACCEPTED);
	assert_string_equal(real.results[0].placeholder_warning,
			    PLACEHOLDER_WARNING
			    "; 2 more victims of this record likewise");
	codec_control_clear(&real);
}

/* The placeholder warning of a record an older node stored with it. */
#define PLACEHOLDER_MENDED                                                     \
	"is a placeholder (one character repeated or a run of digits like "    \
	"12345678): no longer used to link this victim; the record held "      \
	"under this ref is corrected"

/*
 * A record that a node older than the placeholder rule stored with a
 * placeholder as her document (old_parser), its line sent again as a
 * case system resends its export: accepted, the node storing a
 * correction of it without the document key, with a warning saying so
 * (a dry run saying the same, storing nothing); then held, with no
 * warning. So too a correction line the older node stored, its
 * correction of the same target re-sent, and a record's line as it now
 * stands, the content of such a correction. A record withdrawn since, or
 * corrected since, is held as it was, after a key rotation too; a line
 * with other content is another record, as before.
 */
static void
test_placeholder_held_older(void **state)
{
	static const char *const old[] = {
	    ID("Q1", "99999999", "2025-01-01"),
	    ID("Q2", "12345678", "2025-01-02"),
	    WD("Q3", "Q2"),
	    ID("Q4", "40721856", "2025-01-04"),
	    COR("Q5", "Q4", "87654321"),
	    ID("Q6", "11111111", "2025-01-06"),
	    COR("Q7", "Q6", "40721856"),
	    ID("Q8", "40721856", "2025-01-08"),
	    COR("Q9", "Q8", "99999999"),
	    ID("QA", "01234567", "2025-01-10"),
	};
	static const uint8_t none[PSEUDONYM_LEN] = {0};
	struct fixture *fx = *state;
	enum line_status st[10];
	struct control rep;
	struct line_result res;
	const struct event *ev;
	uint64_t last, q1, q5;

	old_parser = true;
	assert_int_equal(submit(fx, old, 10, st, &rep), 0);
	old_parser = false;
	q1 = rep.results[0].seq;
	q5 = rep.results[4].seq;
	codec_control_clear(&rep);
	assert_int_equal(stored(fx, q1)->rec.victim.doc_type, DOC_DNI);
	assert_int_equal(stored(fx, q5)->rec.victim.doc_type, DOC_DNI);
	last = last_seq(fx);
	assert_int_equal(last, 10);

	fx->dry = 63;
	submit1(fx, old[0], &res);
	fx->dry = 0;
	assert_int_equal(res.status, LINE_ACCEPTED);
	assert_string_equal(res.placeholder_warning, PLACEHOLDER_MENDED);
	assert_int_equal(last_seq(fx), last);

	submit1(fx, old[0], &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	assert_true(line_warns_placeholder(&res));
	assert_string_equal(res.placeholder_warning, PLACEHOLDER_MENDED);
	assert_string_equal(res.placeholder_field, "victim.document.number");
	assert_null(strstr(res.placeholder_warning, "9999"));
	assert_int_equal(res.seq, last + 1);
	ev = stored(fx, last + 1);
	assert_int_equal(ev->kind, KIND_CORRECTION);
	assert_int_equal(ev->target_seq, q1);
	assert_int_equal(ev->rec.victim.doc_type, DOC_NONE);
	assert_memory_equal(ev->rec.victim.doc_key, none, sizeof(none));
	assert_true(ev->rec.victim.has_name_key);
	submit1(fx, old[0], &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_false(line_warns_placeholder(&res));

	/* A correction line: its target corrected again, in this form. */
	submit1(fx, old[4], &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	assert_string_equal(res.placeholder_warning, PLACEHOLDER_MENDED);
	assert_string_equal(res.placeholder_field,
			    "record.victim.document.number");
	ev = stored(fx, last + 2);
	assert_int_equal(ev->kind, KIND_CORRECTION);
	assert_int_equal(ev->target_seq, 4);
	assert_int_equal(ev->rec.victim.doc_type, DOC_NONE);
	submit1(fx, old[4], &res);
	assert_int_equal(res.status, LINE_HELD);

	/* Withdrawn since, or corrected since: held as it was. */
	submit1(fx, old[1], &res);
	assert_int_equal(res.status, LINE_HELD);
	submit1(fx, old[5], &res);
	assert_int_equal(res.status, LINE_HELD);
	/* Other content under its ref: another record, as before. */
	submit1(fx, ID("Q1", "99999999", "2025-01-09"), &res);
	assert_int_equal(res.status, LINE_REFUSED);
	assert_string_equal(res.field, "ref");
	assert_int_equal(last_seq(fx), last + 2);

	/* A record exported as it now stands, its correction an older
	 * node's with the placeholder: that correction re-sent, under its
	 * own ref, in this form; then held, and so is its own line. */
	submit1(fx, NOW("Q8", "99999999"), &res);
	assert_int_equal(res.status, LINE_ACCEPTED);
	assert_string_equal(res.placeholder_warning, PLACEHOLDER_MENDED);
	assert_int_equal(res.seq, last + 3);
	ev = stored(fx, last + 3);
	assert_int_equal(ev->kind, KIND_CORRECTION);
	assert_int_equal(ev->target_seq, 8);
	assert_int_equal(ev->rec.victim.doc_type, DOC_NONE);
	submit1(fx, NOW("Q8", "99999999"), &res);
	assert_int_equal(res.status, LINE_HELD);
	submit1(fx, old[8], &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(last_seq(fx), last + 3);

	/* After a key rotation: re-keyed in this form; withdrawn or
	 * corrected since, held as it was. */
	rotate(fx, 2);
	submit1(fx, old[9], &res);
	assert_int_equal(res.status, LINE_REKEYED);
	assert_int_equal(stored(fx, last + 4)->rec.victim.doc_type, DOC_NONE);
	submit1(fx, old[1], &res);
	assert_int_equal(res.status, LINE_HELD);
	submit1(fx, old[5], &res);
	assert_int_equal(res.status, LINE_HELD);
	assert_int_equal(last_seq(fx), last + 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_hold),
	    cmocka_unit_test(test_holder_failures),
	    cmocka_unit_test(test_many_rounds),
	    cmocka_unit_test(test_serve_while_blinding),
	    cmocka_unit_test(test_rotation),
	};
	const struct CMUnitTest fresh[] = {
	    cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_target_ref_retyped, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dry_run_requests, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dry_run_idle_stale_clock,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dry_run_end, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dry_run_two_at_once, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dry_run_ends_kept_apart, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dry_run_dropped_ring, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dry_run_ref_damaged, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_not_granted, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_grants, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_target, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_held_dead_words, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_held_dead_first, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_rekey_ref_identity,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_case_stages_target_ref_identity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_ref_unchecked,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_list_refs_withheld, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_grants_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_max_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_no_ref, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_ref_identity,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_dry_held, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_dry, setup,
					    teardown),
	    cmocka_unit_test(test_dry_stage_first),
	    cmocka_unit_test_setup_teardown(test_case_stages_rotation, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_paired, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_earliest, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_next, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_damaged, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_dead, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_dead_next, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_dead_move, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_revive_kind, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_new_ref_rotation,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_withdrawal, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_same_day, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_case_stages_longest_warning,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_blank_head, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_reexport_corrected, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_withdrawn_ref_withheld, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rotation_reexport, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_age_warning, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_placeholder_warning, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_placeholder_held_older, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_ref_identity_held, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_no_value_held, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_ref_identity_told_with_refusal,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ref_identity_store_error,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_target_otherwise_store_error,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_held_newer_epoch, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_failed_not_counted,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parse_store_error_stops, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_errors_told_as_theirs, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_epoch_records, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_refused_resent, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_refused_content, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_refused_content_later,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_refused_too_large, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_refused_key, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_refused_unknown, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_refused_unread, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_rekey_refused_large_then_content, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_first_refused_warned,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_held_first_refused_warned,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_refused_content_mended,
					    setup, teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown) ||
	       cmocka_run_group_tests(fresh, NULL, NULL);
}
