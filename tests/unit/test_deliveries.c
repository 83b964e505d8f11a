/*
 * test_deliveries.c - the deliveries table (deliveries.h) over a real
 * LMDB store whose institutions' counters are written as ingest writes
 * them, through query_run: its columns are DELIVERIES_COLUMNS; each
 * institution's last delivery and events; the secretariat's suppression;
 * an institution's own row; last_contact, the later of the stored
 * delivery and the last message the consolidator heard since it started.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deliveries.h"
#include "event.h"
#include "ingest.h"
#include "ingest_int.h"
#include "query.h"
#include "registry.h"
#include "store.h"

#define K 10
/* 2026-03-02T14:05Z, in ms. */
#define MARCH_2 1772460300000ULL

static const struct reg_party analyst = {.role = ROLE_ANALYST};
static const struct reg_party secretariat = {.role = ROLE_SECRETARIAT};
static const struct reg_party pnp = {.role = ROLE_INSTITUTION,
				     .inst = INST_PNP};

struct world {
	char dir[64];
	struct store *st;
};

static struct world *W;

/* Writes inst's counters as ingest does. */
static void
put_status(enum institution inst, uint64_t accepted, uint64_t contact_ms)
{
	struct inst_status s;
	uint8_t v[INGEST_STATUS_LEN], k = (uint8_t)inst;
	struct store_txn *t;

	memset(&s, 0, sizeof(s));
	s.last_seq = accepted;
	s.accepted = accepted;
	s.last_contact_ms = contact_ms;
	ingest_status_encode(&s, v);
	assert_int_equal(store_begin(W->st, true, &t), 0);
	assert_int_equal(store_put(t, T_INSTS, &k, 1, v, sizeof(v), 0), 0);
	assert_int_equal(store_commit(&t), 0);
}

/* pnp delivered 120 events, last on 2 March; mp 3; the others never. */
static int
world_setup(void **state)
{
	(void)state;
	W = calloc(1, sizeof(*W));
	if (W == NULL)
		return -1;
	snprintf(W->dir, sizeof(W->dir), "/tmp/kuska-deliv-XXXXXX");
	if (mkdtemp(W->dir) == NULL ||
	    store_open(W->dir, 8u << 20, 64u << 20, &W->st) != 0)
		return -1;
	*state = W;
	put_status(INST_PNP, 120, MARCH_2);
	put_status(INST_MP, 3, MARCH_2 + 60000);
	return 0;
}

static int
world_teardown(void **state)
{
	char cmd[128];

	(void)state;
	store_close(&W->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", W->dir);
	if (system(cmd) != 0)
		return -1;
	free(W);
	return 0;
}

static void
ask(const struct reg_party *who, struct qtable *t)
{
	struct query_req q;

	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "deliveries");
	snprintf(q.period, sizeof(q.period), "2026");
	assert_int_equal(query_run(W->st, &q, who, K, t), 0);
}

/* The header, "a,b,c". */
static void
header(const struct qtable *t, char *out, size_t cap)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < t->n_cols; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "",
				      t->cols[i]);
}

/* Row i as "a,b,c": "<k" for a withheld count. */
static void
row(const struct qtable *t, size_t i, char *out, size_t cap)
{
	size_t j, n = 0;

	out[0] = '\0';
	for (j = 0; j < t->n_cols; j++) {
		const struct cell *c = &t->rows[i][j];
		n += (size_t)snprintf(out + n, cap - n, "%s", j ? "," : "");
		if (c->kind == CELL_NUMBER)
			n += (size_t)snprintf(out + n, cap - n, "%lld",
					      (long long)c->number);
		else if (c->kind == CELL_SUPPRESSED)
			n += (size_t)snprintf(out + n, cap - n, "<%u", K);
		else if (c->kind == CELL_TEXT)
			n += (size_t)snprintf(out + n, cap - n, "%s", c->text);
	}
}

/* The columns are DELIVERIES_COLUMNS, the names the header gives. */
static void
test_columns(void **state)
{
	struct qtable t;
	char h[256];

	(void)state;
	ask(&analyst, &t);
	header(&t, h, sizeof(h));
	assert_string_equal(h, DELIVERIES_COLUMNS);
	codec_qtable_clear(&t);
}

/* Every institution's row; the secretariat does not see mp's 3; pnp
 * its own row. */
static void
test_rows(void **state)
{
	struct qtable t;
	char r[256];

	(void)state;
	ask(&analyst, &t);
	assert_int_equal(t.n_rows, INST_COUNT);
	row(&t, 0, r, sizeof(r));
	assert_string_equal(r, "pnp,2026-03-02T14:05Z,120,2026-03-02T14:05Z");
	row(&t, 1, r, sizeof(r));
	assert_string_equal(r, "mp,2026-03-02T14:06Z,3,2026-03-02T14:06Z");
	row(&t, 4, r, sizeof(r));
	assert_string_equal(r, "minsa,,0,");
	codec_qtable_clear(&t);
	ask(&secretariat, &t);
	row(&t, 1, r, sizeof(r));
	assert_string_equal(r, "mp,2026-03-02T14:06Z,<10,2026-03-02T14:06Z");
	codec_qtable_clear(&t);
	ask(&pnp, &t);
	assert_int_equal(t.n_rows, 1);
	row(&t, 0, r, sizeof(r));
	assert_string_equal(r, "pnp,2026-03-02T14:05Z,120,2026-03-02T14:05Z");
	codec_qtable_clear(&t);
}

/* A keepalive hello moves last_contact, not last_delivery; a contact
 * older than the stored delivery (heard before the batch) does not
 * move it back; never delivered but heard: only last_contact. */
static void
test_contact(void **state)
{
	static _Atomic uint64_t heard[INST_COUNT + 1];
	struct qtable t;
	char r[256];

	(void)state;
	atomic_store(&heard[INST_PNP], MARCH_2 + 40ULL * 86400000);
	atomic_store(&heard[INST_MP], MARCH_2 - 86400000);
	atomic_store(&heard[INST_MINSA], MARCH_2);
	deliveries_set_contact(heard);
	ask(&analyst, &t);
	row(&t, 0, r, sizeof(r));
	assert_string_equal(r, "pnp,2026-03-02T14:05Z,120,2026-04-11T14:05Z");
	row(&t, 1, r, sizeof(r));
	assert_string_equal(r, "mp,2026-03-02T14:06Z,3,2026-03-02T14:06Z");
	row(&t, 2, r, sizeof(r));
	assert_string_equal(r, "pj,,0,");
	row(&t, 4, r, sizeof(r));
	assert_string_equal(r, "minsa,,0,2026-03-02T14:05Z");
	codec_qtable_clear(&t);
	deliveries_set_contact(NULL);
	ask(&analyst, &t);
	row(&t, 0, r, sizeof(r));
	assert_string_equal(r, "pnp,2026-03-02T14:05Z,120,2026-03-02T14:05Z");
	codec_qtable_clear(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_columns),
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_contact),
	};

	return cmocka_run_group_tests(tests, world_setup, world_teardown);
}
