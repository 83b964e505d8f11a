/*
 * test_codec_query.c - query requests and answer tables (codec_query.c):
 * round trips, long cell texts, and limits refused.
 */
#include <errno.h>

#include "codec_fixture.h"

static void
test_query_req(void **state)
{
	struct query_req q, back;
	uint8_t *buf, *copy;
	size_t len, i;

	(void)state;
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "referrals");
	snprintf(q.period, sizeof(q.period), "2026Q3");
	q.region = 15;
	assert_int_equal(codec_query_req_encode(&q, &buf, &len), 0);
	assert_int_equal(codec_query_req_decode(buf, len, &back), 0);
	assert_memory_equal(&back, &q, sizeof(q));
	free(buf);
	/* All regions; the longest names that fit. */
	q.region = 0;
	memset(q.table, 't', sizeof(q.table) - 1);
	memset(q.period, 'p', sizeof(q.period) - 1);
	assert_int_equal(codec_query_req_encode(&q, &buf, &len), 0);
	assert_int_equal(codec_query_req_decode(buf, len, &back), 0);
	assert_memory_equal(&back, &q, sizeof(q));
	/* With the optional region absent, every prefix lacks a required
	 * field or is cut inside one. */
	for (i = 0; i < len; i++) {
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, buf, i);
		assert_int_equal(codec_query_req_decode(copy, i, &back),
				 -EBADMSG);
		free(copy);
	}
	free(buf);

	/* Strings over their fields. */
	{
		struct pbw w = {0};
		char s[40];
		memset(s, 'a', sizeof(s) - 1);
		s[sizeof(s) - 1] = '\0';
		s[sizeof(q.table)] = '\0'; /* 32 characters: one too many */
		pbw_str(&w, 1, s);
		pbw_str(&w, 2, "2026");
		assert_int_equal(codec_query_req_decode(w.buf, w.len, &back),
				 -EBADMSG);
		pbw_free(&w);
		s[sizeof(q.table)] = 'a';
		s[sizeof(q.period)] = '\0';
		pbw_str(&w, 1, "overlap");
		pbw_str(&w, 2, s);
		assert_int_equal(codec_query_req_decode(w.buf, w.len, &back),
				 -EBADMSG);
		pbw_free(&w);
	}
	/* The estimate's bootstrap: a count and a seed; a count without a
	 * seed gets seed 1, as kuska estimate. */
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "estimate");
	snprintf(q.period, sizeof(q.period), "2025");
	q.boot = 1000;
	q.seed = UINT64_MAX;
	assert_int_equal(codec_query_req_encode(&q, &buf, &len), 0);
	assert_int_equal(codec_query_req_decode(buf, len, &back), 0);
	assert_memory_equal(&back, &q, sizeof(q));
	free(buf);
	{
		struct pbw w = {0};
		pbw_str(&w, 1, "estimate");
		pbw_str(&w, 2, "2025");
		pbw_varint(&w, 4, 200);
		assert_int_equal(codec_query_req_decode(w.buf, w.len, &back),
				 0);
		assert_int_equal(back.boot, 200);
		assert_int_equal(back.seed, 1);
		pbw_free(&w);
	}
	/* Over its cap. */
	buf = calloc(1, 4097);
	assert_non_null(buf);
	assert_int_equal(codec_query_req_decode(buf, 4097, &back), -EBADMSG);
	free(buf);
}

static void
test_qtable(void **state)
{
	struct qtable t, back;
	uint8_t *buf, *copy;
	size_t len, i, j;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.n_cols = 5;
	for (i = 0; i < t.n_cols; i++)
		snprintf(t.cols[i], sizeof(t.cols[i]), "col%zu", i);
	t.n_rows = 7;
	t.rows = calloc(t.n_rows, sizeof(*t.rows));
	assert_non_null(t.rows);
	for (i = 0; i < t.n_rows; i++) {
		for (j = 0; j < t.n_cols; j++) {
			struct cell *c = &t.rows[i][j];
			c->kind = (enum cell_kind)((i + j) % 5);
			switch (c->kind) {
			case CELL_TEXT:
				snprintf(c->text, sizeof(c->text), "r%uc%u",
					 (unsigned)i & 0xff,
					 (unsigned)j & 0xff);
				break;
			case CELL_NUMBER:
				c->number = (int64_t)(i * 1000 + j) - 3000;
				break;
			case CELL_DECIMAL:
				snprintf(c->text, sizeof(c->text), "0.%03u",
					 (unsigned)(i * 10 + j) & 0x3ff);
				break;
			default:
				break;
			}
		}
	}
	memset(&t.rows[0][1], 0, sizeof(t.rows[0][1]));
	memset(&t.rows[0][2], 0, sizeof(t.rows[0][2]));
	t.rows[0][1].kind = CELL_NUMBER;
	t.rows[0][1].number = INT64_MIN;
	t.rows[0][2].kind = CELL_NUMBER;
	t.rows[0][2].number = INT64_MAX;
	t.k = 10;
	snprintf(t.role, sizeof(t.role), "secretariat");
	snprintf(t.error, sizeof(t.error), "partial: region unknown");
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), 0);
	assert_int_equal(codec_qtable_decode(buf, len, &back), 0);
	assert_string_equal(back.error, t.error);
	assert_string_equal(back.role, t.role);
	assert_int_equal(back.k, 10);
	assert_int_equal(back.n_cols, t.n_cols);
	assert_int_equal(back.n_rows, t.n_rows);
	for (i = 0; i < t.n_cols; i++)
		assert_string_equal(back.cols[i], t.cols[i]);
	for (i = 0; i < t.n_rows; i++)
		for (j = 0; j < t.n_cols; j++) {
			const struct cell *a = &t.rows[i][j],
					  *b = &back.rows[i][j];
			assert_int_equal(a->kind, b->kind);
			assert_int_equal(a->number, b->number);
			assert_string_equal(a->text, b->text);
		}
	codec_qtable_clear(&back);
	assert_null(back.rows);
	codec_qtable_clear(&back);
	for (i = 0; i < len; i++) {
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, buf, i);
		assert_int_equal(codec_qtable_decode(copy, i, &back), -EBADMSG);
		assert_null(back.rows);
		free(copy);
	}
	free(buf);

	/* Limits on the encoding side. */
	t.n_cols = CODEC_MAX_COLUMNS + 1;
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), -EINVAL);
	t.n_cols = 5;
	t.n_rows = CODEC_MAX_ROWS + 1;
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), -EINVAL);
	free(t.rows);

	/* An empty table. */
	memset(&t, 0, sizeof(t));
	t.k = 5;
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), 0);
	assert_int_equal(codec_qtable_decode(buf, len, &back), 0);
	assert_int_equal(back.n_rows, 0);
	assert_int_equal(back.n_cols, 0);
	assert_string_equal(back.role, "");
	codec_qtable_clear(&back);
	free(buf);
}

/* A text longer than a cell's text[] travels whole (up to
 * CODEC_MAX_LONG_TEXT - 1 bytes) and is freed with its table. */
static void
test_qtable_long_text(void **state)
{
	struct qtable t, back;
	char longer[700], huge[CODEC_MAX_LONG_TEXT + 50];
	uint8_t *buf;
	size_t len;

	(void)state;
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memset(huge, 'b', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	memset(&t, 0, sizeof(t));
	t.n_cols = 3;
	t.n_rows = 1;
	t.rows = calloc(1, sizeof(*t.rows));
	assert_non_null(t.rows);
	assert_int_equal(codec_cell_set_long(&t.rows[0][0], "short"), 0);
	assert_null(t.rows[0][0].long_text);
	assert_int_equal(codec_cell_set_long(&t.rows[0][1], longer), 0);
	assert_non_null(t.rows[0][1].long_text);
	assert_int_equal(codec_cell_set_long(&t.rows[0][2], huge), 0);
	assert_int_equal(strlen(codec_cell_str(&t.rows[0][2])),
			 CODEC_MAX_LONG_TEXT - 1);
	assert_int_equal(codec_qtable_encode(&t, &buf, &len), 0);
	codec_qtable_clear(&t);
	assert_null(t.rows);
	assert_int_equal(codec_qtable_decode(buf, len, &back), 0);
	free(buf);
	assert_string_equal(codec_cell_str(&back.rows[0][0]), "short");
	assert_string_equal(codec_cell_str(&back.rows[0][1]), longer);
	assert_int_equal(back.rows[0][1].kind, CELL_TEXT);
	assert_int_equal(strlen(codec_cell_str(&back.rows[0][2])),
			 CODEC_MAX_LONG_TEXT - 1);
	codec_qtable_clear(&back);
}

static void
test_qtable_refused(void **state)
{
	struct qtable back;
	struct pbw w = {0}, row = {0}, cell = {0};
	size_t i;

	(void)state;
	/* A row with fewer cells than columns. */
	pbw_str(&w, 2, "a");
	pbw_str(&w, 2, "b");
	pbw_varint(&cell, 2, 5);
	pbw_sub(&row, 1, &cell);
	pbw_sub(&w, 3, &row);
	pbw_varint(&w, 4, 10);
	pbw_str(&w, 5, "analyst");
	assert_int_equal(codec_qtable_decode(w.buf, w.len, &back), -EBADMSG);
	assert_null(back.rows);
	pbw_free(&w);
	/* Too many columns. */
	for (i = 0; i <= CODEC_MAX_COLUMNS; i++)
		pbw_str(&w, 2, "c");
	pbw_varint(&w, 4, 10);
	pbw_str(&w, 5, "analyst");
	assert_int_equal(codec_qtable_decode(w.buf, w.len, &back), -EBADMSG);
	assert_null(back.rows);
	pbw_free(&w);
	/* Too many rows. */
	for (i = 0; i <= CODEC_MAX_ROWS; i++) {
		pbw_bytes(&w, 3, "", 0);
	}
	pbw_varint(&w, 4, 10);
	pbw_str(&w, 5, "analyst");
	assert_int_equal(codec_qtable_decode(w.buf, w.len, &back), -EBADMSG);
	assert_null(back.rows);
	pbw_free(&w);
}

/* The refusals for now, which kuska says as such (not the table's
 * error): stopping, and any busy, the audit's, the reader's or a new
 * one's. */
static void
test_refused_for_now(void **state)
{
	(void)state;
	assert_true(codec_query_refused_for_now(CODEC_QUERY_STOPPING));
	assert_true(codec_query_refused_for_now(CODEC_QUERY_BUSY));
	assert_true(codec_query_refused_for_now(CODEC_QUERY_CROWDED));
	assert_true(codec_query_refused_for_now(
	    "the consolidator is busy: some reason to come"));
	assert_false(codec_query_refused_for_now(""));
	assert_false(codec_query_refused_for_now(
	    "the secretariat gets the estimate table for the whole country "
	    "only: ask without --region"));
	assert_false(codec_query_refused_for_now("the consolidator"));
}

/* A release being prepared: a busy refusal to any kuska, and what is
 * being computed to one that knows it. */
static void
test_preparing(void **state)
{
	const char *text = CODEC_QUERY_PREPARING_PREFIX
	    "the release of 2025 is being computed (started 3 s "
	    "ago)" CODEC_QUERY_PREPARING_AGAIN;
	char what[64], tiny[8];

	(void)state;
	assert_true(codec_query_refused_for_now(text));
	assert_true(codec_query_preparing(text, what, sizeof(what)));
	assert_string_equal(
	    what, "the release of 2025 is being computed (started 3 s ago)");
	assert_true(codec_query_preparing(CODEC_QUERY_PREPARING_PREFIX "x",
					  what, sizeof(what)));
	assert_string_equal(what, "x");
	assert_true(codec_query_preparing(text, tiny, sizeof(tiny)));
	assert_string_equal(tiny, "the rel");
	assert_false(
	    codec_query_preparing(CODEC_QUERY_BUSY, what, sizeof(what)));
	assert_false(
	    codec_query_preparing(CODEC_QUERY_CROWDED, what, sizeof(what)));
	assert_false(codec_query_preparing("", what, sizeof(what)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_req),
	    cmocka_unit_test(test_preparing),
	    cmocka_unit_test(test_qtable),
	    cmocka_unit_test(test_qtable_long_text),
	    cmocka_unit_test(test_qtable_refused),
	    cmocka_unit_test(test_refused_for_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
