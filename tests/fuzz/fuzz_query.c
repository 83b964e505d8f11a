/*
 * fuzz_query.c - a query client's request: codec_query_req_decode() and
 * then query_run() against a small store, made once in a temporary
 * directory (store_open, ingest_open) and filled through ingest_batch()
 * with a few signed events of every kind from every institution.
 *
 * Input: one byte choosing who asks (analyst, secretariat, or one of the
 * five institutions) and the threshold k, then an encoded QueryRequest.
 *
 * Invariants (abort() when broken): a request either decodes, encodes and
 * decodes to itself, or is refused; query_run() answers 0 or -EINVAL with
 * an error text; an answer is within the codec's limits, encodes and
 * decodes; the secretariat sees the analyst's table with some cells
 * hidden and nothing else changed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "date.h"
#include "estimate_table.h"
#include "event.h"
#include "ingest.h"
#include "keys.h"
#include "query.h"
#include "record.h"
#include "registry.h"
#include "sign.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp_dir[64];
static struct registry *reg;
static struct store *st;
static struct ingest ig;
static bool ig_open;
static struct secret_key *inst_keys[INST_COUNT + 1];

/*
 * The store's contents: JSON records as a node would submit them, with
 * the sequence number a correction or withdrawal targets. The same DNI
 * and the same names recur across institutions so that victims link.
 */
static const struct {
	enum institution inst;
	uint64_t target_seq;
	const char *json;
} records[] = {
    {INST_PNP, 0,
     "{\"kind\":\"identification\",\"ref\":\"p1\",\"date\":\"2026-03-10\","
     "\"region\":\"15\",\"victim\":{\"document\":{\"type\":\"DNI\",\"number\":"
     "\"12345678\"},\"sex\":\"F\",\"nationality\":\"PE\",\"age\":15},"
     "\"exploitation\":[\"sexual\",\"labour\"]}"},
    {INST_PNP, 0,
     "{\"kind\":\"identification\",\"ref\":\"p2\",\"date\":\"2026-04-02\","
     "\"region\":\"08\",\"victim\":{\"given_names\":\"Rosa\",\"surnames\":"
     "\"Quispe "
     "Mamani\",\"birth_date\":\"2012-01-01\",\"sex\":\"F\",\"nationality\":"
     "\"PE\"},\"exploitation\":[\"domestic_servitude\"]}"},
    {INST_PNP, 0,
     "{\"kind\":\"identification\",\"ref\":\"p3\",\"date\":\"2025-11-20\","
     "\"region\":\"17\",\"victim\":{\"sex\":\"M\",\"nationality\":\"VE\","
     "\"age\":19},\"exploitation\":[\"labour\"]}"},
    {INST_PNP, 0,
     "{\"kind\":\"referral\",\"ref\":\"p4\",\"date\":\"2026-03-10\",\"region\":"
     "\"15\",\"victim\":{\"document\":{\"type\":\"DNI\",\"number\":"
     "\"12345678\"},\"sex\":\"F\",\"nationality\":\"PE\",\"age\":15},\"to\":"
     "\"mimp\",\"purpose\":\"protection\",\"referral_number\":\"of-77\"}"},
    {INST_PNP, 0,
     "{\"kind\":\"case_stage\",\"ref\":\"p5\",\"date\":\"2026-03-11\","
     "\"region\":\"15\",\"case_number\":\"fis-2026-1\",\"stage\":\"complaint\","
     "\"victims\":[{\"document\":{\"type\":\"DNI\",\"number\":\"12345678\"},"
     "\"sex\":\"F\",\"nationality\":\"PE\",\"age\":15}],\"persons\":2,"
     "\"article\":\"129-A\"}"},
    {INST_PNP, 2,
     "{\"kind\":\"correction\",\"ref\":\"p6\",\"target_ref\":\"p2\",\"record\":"
     "{\"kind\":\"identification\",\"date\":\"2026-04-03\",\"region\":\"08\","
     "\"victim\":{\"given_names\":\"Rosa\",\"surnames\":\"Quispe "
     "Mamani\",\"birth_date\":\"2012-01-01\",\"sex\":\"F\",\"nationality\":"
     "\"PE\"},\"exploitation\":[\"begging\"]}}"},
    {INST_PNP, 3,
     "{\"kind\":\"withdrawal\",\"ref\":\"p7\",\"target_ref\":\"p3\"}"},
    {INST_MP, 0,
     "{\"kind\":\"identification\",\"ref\":\"m1\",\"date\":\"2026-03-12\","
     "\"region\":\"15\",\"victim\":{\"document\":{\"type\":\"DNI\",\"number\":"
     "\"12345678\"},\"sex\":\"F\",\"nationality\":\"PE\",\"age\":15},"
     "\"exploitation\":[\"sexual\"]}"},
    {INST_MP, 0,
     "{\"kind\":\"case_stage\",\"ref\":\"m2\",\"date\":\"2026-04-01\","
     "\"region\":\"15\",\"case_number\":\"fis-2026-1\",\"stage\":\"preliminary_"
     "investigation\",\"victims\":[{\"document\":{\"type\":\"DNI\",\"number\":"
     "\"12345678\"},\"sex\":\"F\",\"nationality\":\"PE\",\"age\":15}],"
     "\"persons\":2,\"article\":\"129-A\"}"},
    {INST_MP, 0,
     "{\"kind\":\"case_stage\",\"ref\":\"m3\",\"date\":\"2026-06-15\","
     "\"region\":\"15\",\"case_number\":\"fis-2026-1\",\"stage\":"
     "\"accusation\",\"victims\":[],\"persons\":2,\"article\":\"129-A\"}"},
    {INST_MP, 0,
     "{\"kind\":\"case_stage\",\"ref\":\"m4\",\"date\":\"2025-09-01\","
     "\"region\":\"01\",\"case_number\":\"fis-2025-9\",\"stage\":\"complaint\","
     "\"victims\":[{\"sex\":\"U\",\"nationality\":\"XX\",\"age\":30}],"
     "\"persons\":1,\"article\":\"153\"}"},
    {INST_PJ, 0,
     "{\"kind\":\"case_stage\",\"ref\":\"j1\",\"date\":\"2026-08-20\","
     "\"region\":\"15\",\"case_number\":\"fis-2026-1\",\"stage\":\"trial\","
     "\"victims\":[],\"persons\":2,\"article\":\"129-A\"}"},
    {INST_PJ, 0,
     "{\"kind\":\"case_stage\",\"ref\":\"j2\",\"date\":\"2026-10-01\","
     "\"region\":\"15\",\"case_number\":\"fis-2026-1\",\"stage\":"
     "\"conviction\",\"victims\":[],\"persons\":1,\"article\":\"129-A\"}"},
    {INST_PJ, 0,
     "{\"kind\":\"referral_received\",\"ref\":\"j3\",\"date\":\"2026-05-05\","
     "\"region\":\"01\",\"victim\":{\"sex\":\"F\",\"nationality\":\"PE\","
     "\"age\":12},\"from\":\"mp\",\"referral_number\":\"of-1\"}"},
    {INST_MIMP, 0,
     "{\"kind\":\"referral_received\",\"ref\":\"w1\",\"date\":\"2026-03-12\","
     "\"region\":\"15\",\"victim\":{\"document\":{\"type\":\"DNI\",\"number\":"
     "\"12345678\"},\"sex\":\"F\",\"nationality\":\"PE\",\"age\":15},\"from\":"
     "\"pnp\",\"referral_number\":\" OF-77 \"}"},
    {INST_MIMP, 0,
     "{\"kind\":\"service\",\"ref\":\"w2\",\"date\":\"2026-03-13\",\"region\":"
     "\"15\",\"victim\":{\"document\":{\"type\":\"DNI\",\"number\":"
     "\"12345678\"},\"sex\":\"F\",\"nationality\":\"PE\",\"age\":15},"
     "\"service\":\"residential_care\"}"},
    {INST_MIMP, 0,
     "{\"kind\":\"identification\",\"ref\":\"w3\",\"date\":\"2026-07-07\","
     "\"region\":\"08\",\"victim\":{\"given_names\":\"Rosa\",\"surnames\":"
     "\"Quispe "
     "Mamani\",\"birth_date\":\"2012-01-01\",\"sex\":\"F\",\"nationality\":"
     "\"PE\"},\"exploitation\":[\"begging\",\"other\"]}"},
    {INST_MIMP, 0,
     "{\"kind\":\"referral\",\"ref\":\"w4\",\"date\":\"2026-07-08\",\"region\":"
     "\"08\",\"victim\":{\"given_names\":\"Rosa\",\"surnames\":\"Quispe "
     "Mamani\",\"birth_date\":\"2012-01-01\",\"sex\":\"F\",\"nationality\":"
     "\"PE\"},\"to\":\"minsa\",\"purpose\":\"health\",\"referral_number\":"
     "\"mimp-5\"}"},
    {INST_MINSA, 0,
     "{\"kind\":\"referral_received\",\"ref\":\"s1\",\"date\":\"2026-07-09\","
     "\"region\":\"08\",\"victim\":{\"given_names\":\"Rosa\",\"surnames\":"
     "\"Quispe "
     "Mamani\",\"birth_date\":\"2012-01-01\",\"sex\":\"F\",\"nationality\":"
     "\"PE\"},\"from\":\"mimp\",\"referral_number\":\"mimp-5\"}"},
    {INST_MINSA, 0,
     "{\"kind\":\"service\",\"ref\":\"s2\",\"date\":\"2026-07-09\",\"region\":"
     "\"08\",\"victim\":{\"given_names\":\"Rosa\",\"surnames\":\"Quispe "
     "Mamani\",\"birth_date\":\"2012-01-01\",\"sex\":\"F\",\"nationality\":"
     "\"PE\"},\"service\":\"mental_health\"}"},
    {INST_MINSA, 0,
     "{\"kind\":\"service\",\"ref\":\"s3\",\"date\":\"2026-02-01\",\"region\":"
     "\"21\",\"victim\":{\"sex\":\"M\",\"nationality\":\"BO\",\"age\":8},"
     "\"service\":\"medical\"}"},
};
#define N_RECORDS (sizeof(records) / sizeof(records[0]))

/* Removes the flat temporary directory (the store's two files). */
static void
cleanup(void)
{
	DIR *d;
	struct dirent *de;
	char path[sizeof(tmp_dir) + 256];
	int i;

	if (ig_open)
		ingest_close(&ig);
	store_close(&st);
	registry_free(&reg);
	for (i = 0; i <= INST_COUNT; i++)
		keys_free(&inst_keys[i]);
	if (tmp_dir[0] == '\0')
		return;
	d = opendir(tmp_dir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", tmp_dir,
				 de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(tmp_dir);
}

static void
die(const char *what, int r)
{
	fprintf(stderr, "fuzz_query: setup: %s: %s\n", what, strerror(-r));
	abort();
}

static void
write_registry(const char *path)
{
	char b_sign[64], b_curve[64];
	FILE *f = fopen(path, "w");
	int i, r;

	if (f == NULL)
		die(path, -errno);
	for (i = 1; i <= INST_COUNT; i++) {
		const char *name = institution_name((enum institution)i);
		r = keys_generate(name, &inst_keys[i]);
		if (r != 0)
			die("keys_generate", r);
		keys_b64(inst_keys[i]->sign_pk, SIGN_PK_LEN, b_sign,
			 sizeof(b_sign));
		keys_b64(inst_keys[i]->curve_pk, CURVE_KEY_LEN, b_curve,
			 sizeof(b_curve));
		fprintf(f,
			"[institution %s]\n[key %s-1]\nowner = %s\n"
			"sign_public = %s\ntransport_public = %s\n",
			name, name, name, b_sign, b_curve);
	}
	fprintf(f, "[client analyst]\nrole = analyst\n"
		   "[client secretariat]\nrole = secretariat\n"
		   "[network fuzz-net]\n");
	if (fclose(f) != 0)
		die(path, -errno);
}

/* Parses, signs and encodes record i as envelope number seq. */
static void
seal(size_t i, uint64_t seq, uint8_t **ret_buf, size_t *ret_len)
{
	static const uint8_t linkage[LINKAGE_KEY_LEN] = {7, 7, 7};
	static const uint8_t oprf_key[32] = {9, 9, 9}; /* a valid scalar */
	static struct parsed_record pr;
	static struct pseudo_batch *batch;
	const struct secret_key *k = inst_keys[records[i].inst];
	struct record_error err;
	struct envelope env;
	struct sign_fields f;
	int r;

	if (batch == NULL && (batch = pseudo_batch_new()) == NULL)
		die("pseudo_batch_new", -ENOMEM);
	r = record_parse(records[i].json, strlen(records[i].json),
			 records[i].inst, date_from_ymd(2026, 11, 29), batch,
			 &pr, &err);
	if (r != 0) {
		fprintf(stderr, "fuzz_query: record %zu: %s: %s\n", i,
			err.field, err.reason);
		abort();
	}
	if (pseudo_batch_new_inputs(batch) > 0 &&
	    (r = pseudo_batch_local(batch, oprf_key, linkage)) != 0)
		die("pseudo_batch_local", r);
	pseudo_event_id(linkage, records[i].inst, pr.ref, pr.ev.id);
	pr.ev.target_seq = records[i].target_seq;
	memset(&env, 0, sizeof(env));
	r = codec_event_encode(&pr.ev, &env.event, &env.event_len);
	if (r != 0)
		die("codec_event_encode", r);
	env.version = CODEC_VERSION;
	env.inst = records[i].inst;
	env.seq = seq;
	memcpy(env.key_id, k->key_id, KEY_ID_LEN);
	env.created_ms = date_now_ms();
	snprintf(env.network, sizeof(env.network), "fuzz-net");
	f.network = env.network;
	f.version = env.version;
	f.institution = (uint8_t)env.inst;
	f.seq = seq;
	f.created_ms = env.created_ms;
	memcpy(f.key_id, env.key_id, KEY_ID_LEN);
	f.event = env.event;
	f.event_len = env.event_len;
	r = sign_envelope(k->sign_sk, &f, env.signature);
	if (r == 0)
		r = codec_envelope_encode(&env, ret_buf, ret_len);
	free(env.event);
	if (r != 0)
		die("seal", r);
}

/* Sends each institution's records to the store as one batch. */
static void
fill_store(void)
{
	const uint8_t *envs[N_RECORDS];
	size_t lens[N_RECORDS];
	int inst;

	for (inst = 1; inst <= INST_COUNT; inst++) {
		struct msg batch, reply;
		size_t i, n = 0;
		int r;

		for (i = 0; i < N_RECORDS; i++) {
			uint8_t *buf;
			if (records[i].inst != (enum institution)inst)
				continue;
			seal(i, n + 1, &buf, &lens[n]);
			envs[n++] = buf;
		}
		memset(&batch, 0, sizeof(batch));
		batch.type = MSG_BATCH;
		batch.batch_id = (uint64_t)inst;
		batch.n_envelopes = n;
		batch.envelopes = envs;
		batch.envelope_lens = lens;
		r = ingest_batch(
		    &ig, registry_institution(reg, (enum institution)inst),
		    &batch, NULL, date_now_ms(), &reply);
		if (r != 0)
			die("ingest_batch", r);
		if (reply.type != MSG_ACK || reply.n_rejections != 0) {
			fprintf(stderr,
				"fuzz_query: setup: %s's batch refused: %s\n",
				institution_name((enum institution)inst),
				reply.n_rejections > 0
				    ? reply.rejections[0].text
				    : reply.text);
			abort();
		}
		free(reply.rejections);
		for (i = 0; i < n; i++)
			free((void *)envs[i]);
	}
}

static void
setup(void)
{
	char path[128], err[512];
	int r;

	if (keys_init() != 0)
		abort();
	record_init();
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/kuska-fuzz-XXXXXX",
		 getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 40
		     ? getenv("TMPDIR")
		     : "/tmp");
	if (mkdtemp(tmp_dir) == NULL) {
		tmp_dir[0] = '\0';
		die("mkdtemp", -errno);
	}
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/registry.conf", tmp_dir);
	write_registry(path);
	r = registry_load(path, &reg, err, sizeof(err));
	unlink(path);
	if (r != 0) {
		fprintf(stderr, "fuzz_query: setup: %s\n", err);
		abort();
	}
	r = store_open(tmp_dir, 4u << 20, 64u << 20, &st);
	if (r != 0)
		die("store_open", r);
	r = ingest_open(&ig, st, reg);
	if (r != 0)
		die("ingest_open", r);
	ig_open = true;
	fill_store();
}

/* Who asks: byte b picks analyst, secretariat or an institution. */
static const struct reg_party *
asker(uint8_t b)
{
	switch (b % 7) {
	case 0:
		return registry_party(reg, "analyst");
	case 1:
		return registry_party(reg, "secretariat");
	default:
		return registry_institution(reg, (enum institution)(b % 7 - 1));
	}
}

/* An answer within the codec's limits, which encodes and decodes. */
static void
check_answer(const struct qtable *t)
{
	struct qtable t2;
	uint8_t *buf;
	size_t len, i, j;

	if (t->n_cols == 0 || t->n_cols > CODEC_MAX_COLUMNS ||
	    t->n_rows > CODEC_MAX_ROWS || t->error[0] != '\0')
		abort();
	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++)
			if (t->rows[i][j].kind > CELL_DECIMAL ||
			    memchr(t->rows[i][j].text, '\0',
				   sizeof(t->rows[i][j].text)) == NULL)
				abort();
	if (codec_qtable_encode(t, &buf, &len) != 0)
		abort();
	if (codec_qtable_decode(buf, len, &t2) != 0 || t2.n_rows != t->n_rows ||
	    t2.n_cols != t->n_cols)
		abort();
	codec_qtable_clear(&t2);
	free(buf);
}

/* Whether lists ("pnp+mp+mimp") names list. */
static bool
names_list(const char *lists, const char *list)
{
	size_t n = strlen(list);
	const char *p = lists;

	while ((p = strstr(p, list)) != NULL) {
		if ((p == lists || p[-1] == '+') &&
		    (p[n] == '\0' || p[n] == '+'))
			return true;
		p += n;
	}
	return false;
}

/*
 * Whether s, the secretariat's cell of the estimate table in column col,
 * is a, the analyst's, as the secretariat is shown it: a figure rounded
 * to ESTIMATE_SECRETARIAT_ROUND (from the unrounded estimate, so within
 * one of a's rounding), or, where its figures are suppressed, the note
 * saying so in place of the analyst's reason.
 */
static bool
estimate_shown(const char *col, const struct cell *s, const struct cell *a)
{
	int64_t d = s->number - a->number;

	if (s->kind == CELL_NUMBER && a->kind == CELL_NUMBER)
		return s->number % ESTIMATE_SECRETARIAT_ROUND == 0 &&
		       d <= ESTIMATE_SECRETARIAT_ROUND / 2 + 1 &&
		       -d <= ESTIMATE_SECRETARIAT_ROUND / 2 + 1;
	return strcmp(col, "note") == 0 && s->kind == CELL_TEXT &&
	       strncmp(s->text, "suppressed: ", 12) == 0;
}

/*
 * Whether s, the secretariat's lists of an estimate whose figures are
 * suppressed, names the overlap's institutions where a, the analyst's,
 * names the lists the estimate used: those with a linkable victim (the
 * others dropped), which would tell that an institution's overlap cells
 * are empty (estimate_table.c's row_start). So a's lists are among s's.
 */
static bool
estimate_lists_shown(const struct qtable *sec, size_t row, size_t col,
		     const struct cell *a)
{
	const struct cell *s = &sec->rows[row][col];
	char list[16];
	const char *p = a->text;
	size_t n, j;

	if (strcmp(sec->cols[col], "lists") != 0 || s->kind != CELL_TEXT ||
	    a->kind != CELL_TEXT)
		return false;
	for (j = 0; j < sec->n_cols; j++)
		if (strcmp(sec->cols[j], "note") == 0)
			break;
	if (j == sec->n_cols || sec->rows[row][j].kind != CELL_TEXT ||
	    strncmp(sec->rows[row][j].text, "suppressed: ", 12) != 0)
		return false; /* figures shown: the lists are the analyst's */
	while (*p != '\0') {
		n = strcspn(p, "+");
		if (n == 0 || n >= sizeof(list))
			return false;
		memcpy(list, p, n);
		list[n] = '\0';
		if (!names_list(s->text, list))
			return false;
		p += n + (p[n] == '+');
	}
	return true;
}

/* The secretariat's table is the analyst's with cells hidden (and, in
 * the estimate, figures rounded). */
static void
check_hidden_only(const char *table, const struct qtable *sec,
		  const struct qtable *ana)
{
	size_t i, j;

	if (sec->n_rows != ana->n_rows || sec->n_cols != ana->n_cols)
		abort();
	for (i = 0; i < sec->n_rows; i++)
		for (j = 0; j < sec->n_cols; j++) {
			const struct cell *s = &sec->rows[i][j];
			const struct cell *a = &ana->rows[i][j];
			if (s->kind == CELL_SUPPRESSED ||
			    (s->kind == CELL_EMPTY && a->kind != CELL_TEXT))
				continue;
			if (strcmp(table, "estimate") == 0 &&
			    (estimate_shown(sec->cols[j], s, a) ||
			     estimate_lists_shown(sec, i, j, a)))
				continue;
			if (s->kind != a->kind || s->number != a->number ||
			    strcmp(s->text, a->text) != 0)
				abort();
		}
}

static void
check_request(const struct query_req *q)
{
	struct query_req q2;
	uint8_t *buf;
	size_t len;

	if (memchr(q->table, '\0', sizeof(q->table)) == NULL ||
	    memchr(q->period, '\0', sizeof(q->period)) == NULL)
		abort();
	if (codec_query_req_encode(q, &buf, &len) != 0)
		abort();
	if (codec_query_req_decode(buf, len, &q2) != 0 ||
	    strcmp(q->table, q2.table) != 0 ||
	    strcmp(q->period, q2.period) != 0 || q->region != q2.region)
		abort();
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct reg_party *who;
	struct query_req q;
	struct qtable t, ta;
	unsigned k;
	int r;

	if (st == NULL)
		setup();
	if (size < 1)
		return 0;
	who = asker(data[0]);
	k = 2 + data[0] / 7 % 12;
	if (codec_query_req_decode(data + 1, size - 1, &q) != 0)
		return 0;
	check_request(&q);
	r = query_run(st, &q, who, k, &t);
	if (r != 0) {
		if (r != -EINVAL || t.error[0] == '\0' ||
		    memchr(t.error, '\0', sizeof(t.error)) == NULL)
			abort();
		codec_qtable_clear(&t);
		return 0;
	}
	check_answer(&t);
	if (who->role == ROLE_SECRETARIAT) {
		r = query_run(st, &q, registry_party(reg, "analyst"), k, &ta);
		if (r != 0)
			abort();
		check_hidden_only(q.table, &t, &ta);
		codec_qtable_clear(&ta);
	}
	codec_qtable_clear(&t);
	return 0;
}
