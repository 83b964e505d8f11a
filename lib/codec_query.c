/* codec_query.c - query requests and tables; see codec.h. */
#include "codec.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_pb.h"

int
codec_query_req_encode(const struct query_req *q, uint8_t **ret_buf,
		       size_t *ret_len)
{
	Kuska__QueryRequest pq = KUSKA__QUERY_REQUEST__INIT;
	uint8_t *buf;
	size_t len;

	pq.table = (char *)q->table;
	pq.period = (char *)q->period;
	if (q->region != 0) {
		pq.has_region = 1;
		pq.region = q->region;
	}
	if (q->boot != 0) {
		pq.has_boot = 1;
		pq.boot = q->boot;
		pq.has_seed = 1;
		pq.seed = q->seed;
	}
	len = kuska__query_request__get_packed_size(&pq);
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		return -ENOMEM;
	kuska__query_request__pack(&pq, buf);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int
codec_query_req_decode(const uint8_t *buf, size_t len, struct query_req *ret)
{
	Kuska__QueryRequest *pq;
	int r = -EBADMSG;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_QUERY_REQ)
		return -EBADMSG;
	pq = kuska__query_request__unpack(NULL, len, buf);
	if (pq == NULL)
		return -EBADMSG;
	if (strlen(pq->table) < sizeof(ret->table) &&
	    strlen(pq->period) < sizeof(ret->period)) {
		snprintf(ret->table, sizeof(ret->table), "%s", pq->table);
		snprintf(ret->period, sizeof(ret->period), "%s", pq->period);
		ret->region = pq->has_region ? pq->region : 0;
		ret->boot = pq->has_boot ? pq->boot : 0;
		/* A bootstrap without a seed gets kuska estimate's default. */
		if (pq->has_seed)
			ret->seed = pq->seed;
		else if (ret->boot != 0)
			ret->seed = 1;
		r = 0;
	}
	kuska__query_request__free_unpacked(pq, NULL);
	return r;
}

int
codec_qtable_encode(const struct qtable *t, uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__QueryReply pr = KUSKA__QUERY_REPLY__INIT;
	Kuska__Row *rows = NULL, **row_ptrs = NULL;
	Kuska__Cell *cells = NULL, **cell_ptrs = NULL;
	char *cols[CODEC_MAX_COLUMNS];
	size_t i, j, nc = t->n_cols, len;
	uint8_t *buf;
	int r = -ENOMEM;

	if (nc > CODEC_MAX_COLUMNS || t->n_rows > CODEC_MAX_ROWS)
		return -EINVAL;
	rows = calloc(t->n_rows + 1, sizeof(*rows));
	row_ptrs = calloc(t->n_rows + 1, sizeof(*row_ptrs));
	cells = calloc(t->n_rows * nc + 1, sizeof(*cells));
	cell_ptrs = calloc(t->n_rows * nc + 1, sizeof(*cell_ptrs));
	if (rows == NULL || row_ptrs == NULL || cells == NULL ||
	    cell_ptrs == NULL)
		goto out;
	for (i = 0; i < nc; i++)
		cols[i] = (char *)t->cols[i];
	for (i = 0; i < t->n_rows; i++) {
		kuska__row__init(&rows[i]);
		for (j = 0; j < nc; j++) {
			const struct cell *c = &t->rows[i][j];
			Kuska__Cell *pc = &cells[i * nc + j];
			kuska__cell__init(pc);
			switch (c->kind) {
			case CELL_TEXT:
				pc->value_case = KUSKA__CELL__VALUE_TEXT;
				pc->text = (char *)codec_cell_str(c);
				break;
			case CELL_NUMBER:
				pc->value_case = KUSKA__CELL__VALUE_NUMBER;
				pc->number = c->number;
				break;
			case CELL_SUPPRESSED:
				pc->value_case = KUSKA__CELL__VALUE_SUPPRESSED;
				pc->suppressed = 1;
				break;
			case CELL_DECIMAL:
				pc->value_case = KUSKA__CELL__VALUE_DECIMAL;
				pc->decimal = (char *)c->text;
				break;
			default:
				pc->value_case = KUSKA__CELL__VALUE_EMPTY;
				pc->empty = 1;
			}
			cell_ptrs[i * nc + j] = pc;
		}
		rows[i].n_cells = nc;
		rows[i].cells = cell_ptrs + i * nc;
		row_ptrs[i] = &rows[i];
	}
	if (t->error[0] != '\0')
		pr.error = (char *)t->error;
	pr.n_columns = nc;
	pr.columns = cols;
	pr.n_rows = t->n_rows;
	pr.rows = row_ptrs;
	pr.k = t->k;
	pr.has_no_takeups = t->no_takeups != 0;
	pr.no_takeups = t->no_takeups;
	pr.role = (char *)t->role;
	len = kuska__query_reply__get_packed_size(&pr);
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		goto out;
	kuska__query_reply__pack(&pr, buf);
	*ret_buf = buf;
	*ret_len = len;
	r = 0;
out:
	free(rows);
	free(row_ptrs);
	free(cells);
	free(cell_ptrs);
	return r;
}

int
codec_qtable_decode(const uint8_t *buf, size_t len, struct qtable *ret)
{
	Kuska__QueryReply *pr;
	size_t i, j;
	int r = -EBADMSG;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_FRAME)
		return -EBADMSG;
	pr = kuska__query_reply__unpack(NULL, len, buf);
	if (pr == NULL)
		return -EBADMSG;
	if (pr->n_columns > CODEC_MAX_COLUMNS || pr->n_rows > CODEC_MAX_ROWS)
		goto out;
	copy_str(ret->error, sizeof(ret->error), pr->error);
	copy_str(ret->role, sizeof(ret->role), pr->role);
	ret->k = pr->k;
	ret->no_takeups = pr->has_no_takeups ? pr->no_takeups : 0;
	ret->n_cols = pr->n_columns;
	for (i = 0; i < pr->n_columns; i++)
		copy_str(ret->cols[i], sizeof(ret->cols[i]), pr->columns[i]);
	ret->rows = calloc(pr->n_rows + 1, sizeof(*ret->rows));
	if (ret->rows == NULL) {
		r = -ENOMEM;
		goto out;
	}
	ret->n_rows = pr->n_rows;
	for (i = 0; i < pr->n_rows; i++) {
		if (pr->rows[i]->n_cells != pr->n_columns)
			goto bad;
		for (j = 0; j < pr->n_columns; j++) {
			const Kuska__Cell *pc = pr->rows[i]->cells[j];
			struct cell *c = &ret->rows[i][j];
			switch (pc->value_case) {
			case KUSKA__CELL__VALUE_TEXT:
				if (codec_cell_set_long(c, pc->text) != 0) {
					r = -ENOMEM;
					goto bad;
				}
				break;
			case KUSKA__CELL__VALUE_NUMBER:
				c->kind = CELL_NUMBER;
				c->number = pc->number;
				break;
			case KUSKA__CELL__VALUE_SUPPRESSED:
				c->kind = CELL_SUPPRESSED;
				break;
			case KUSKA__CELL__VALUE_DECIMAL:
				c->kind = CELL_DECIMAL;
				copy_str(c->text, sizeof(c->text), pc->decimal);
				break;
			default:
				c->kind = CELL_EMPTY;
			}
		}
	}
	r = 0;
	goto out;
bad:
	codec_qtable_clear(ret);
out:
	kuska__query_reply__free_unpacked(pr, NULL);
	return r;
}

const char *
codec_cell_str(const struct cell *c)
{
	return c->long_text != NULL ? c->long_text : c->text;
}

int
codec_cell_set_long(struct cell *c, const char *s)
{
	size_t len = s != NULL ? strnlen(s, CODEC_MAX_LONG_TEXT - 1) : 0;

	c->kind = CELL_TEXT;
	c->text[0] = '\0';
	c->long_text = NULL;
	if (len < sizeof(c->text)) {
		copy_str(c->text, sizeof(c->text), s);
		return 0;
	}
	c->long_text = malloc(len + 1);
	if (c->long_text == NULL) {
		c->kind = CELL_EMPTY;
		return -ENOMEM;
	}
	memcpy(c->long_text, s, len);
	c->long_text[len] = '\0';
	return 0;
}

void
codec_qtable_clear(struct qtable *t)
{
	size_t i, j;

	for (i = 0; t->rows != NULL && i < t->n_rows; i++)
		for (j = 0; j < CODEC_MAX_COLUMNS; j++) {
			free(t->rows[i][j].long_text);
			t->rows[i][j].long_text = NULL;
		}
	free(t->rows);
	t->rows = NULL;
	t->n_rows = 0;
}

bool
codec_query_refused_for_now(const char *error)
{
	return strcmp(error, CODEC_QUERY_STOPPING) == 0 ||
	       strncmp(error, CODEC_QUERY_BUSY_PREFIX,
		       strlen(CODEC_QUERY_BUSY_PREFIX)) == 0;
}

bool
codec_query_preparing(const char *error, char *what, size_t cap)
{
	size_t plen = strlen(CODEC_QUERY_PREPARING_PREFIX);
	size_t alen = strlen(CODEC_QUERY_PREPARING_AGAIN);
	size_t len;

	if (strncmp(error, CODEC_QUERY_PREPARING_PREFIX, plen) != 0)
		return false;
	error += plen;
	len = strlen(error);
	if (len >= alen &&
	    strcmp(error + len - alen, CODEC_QUERY_PREPARING_AGAIN) == 0)
		len -= alen;
	if (len >= cap)
		len = cap - 1;
	memcpy(what, error, len);
	what[len] = '\0';
	return true;
}
