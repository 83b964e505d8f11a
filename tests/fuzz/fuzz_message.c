/*
 * fuzz_message.c - the frames a daemon reads from a peer: the node <->
 * consolidator protocol (codec_msg_decode), the local control socket
 * (codec_control_decode) and query replies (codec_qtable_decode), each
 * run over every input. The envelopes of a decoded Batch go through
 * codec_envelope_decode() as the consolidator would take them.
 *
 * Invariants (abort() when broken): whatever a decoder accepts is in
 * range, encodes again, and decoding that encoding and encoding once more
 * gives the same bytes (decoding normalises; it must do so in one step).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Two encodings must match byte for byte. */
static void
same_bytes(uint8_t *a, size_t alen, uint8_t *b, size_t blen)
{
	if (alen != blen || (alen > 0 && memcmp(a, b, alen) != 0))
		abort();
	free(a);
	free(b);
}

static bool
text_ok(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

static void
check_msg_fields(const struct msg *m)
{
	size_t i;

	if (m->type < MSG_HELLO || m->type > MSG_RECOVER_REPLY)
		abort();
	if (!text_ok(m->diverged, sizeof(m->diverged)) ||
	    m->n_held > CODEC_MAX_BATCH_EVENTS)
		abort();
	for (i = 0; i < m->n_held; i++)
		if ((unsigned)m->held[i].reason >= REASON_COUNT ||
		    !text_ok(m->held[i].text, sizeof(m->held[i].text)) ||
		    m->held[i].len > CODEC_MAX_ENVELOPE ||
		    (m->held[i].len > 0 && m->held[i].env == NULL) ||
		    (i > 0 && m->held[i].seq <= m->held[i - 1].seq))
			abort();
	if (m->type == MSG_HELLO &&
	    (m->inst < INST_PNP || m->inst > INST_MINSA))
		abort();
	if (m->n_envelopes > CODEC_MAX_BATCH_EVENTS ||
	    m->n_rejections > CODEC_MAX_REJECTIONS ||
	    (unsigned)m->reason >= REASON_COUNT ||
	    !text_ok(m->text, sizeof(m->text)))
		abort();
	for (i = 0; i < m->n_rejections; i++)
		if ((unsigned)m->rejections[i].reason >= REASON_COUNT ||
		    !text_ok(m->rejections[i].text,
			     sizeof(m->rejections[i].text)))
			abort();
	for (i = 0; i < m->n_envelopes; i++) {
		struct envelope env;
		if (m->envelope_lens[i] > 0 && m->envelopes[i] == NULL)
			abort();
		if (codec_envelope_decode(m->envelopes[i], m->envelope_lens[i],
					  &env) == 0)
			codec_envelope_clear(&env);
	}
}

static void
fuzz_msg(const uint8_t *data, size_t size)
{
	struct msg m;
	uint8_t *b1, *b2;
	size_t l1, l2;

	if (codec_msg_decode(data, size, &m) != 0)
		return;
	check_msg_fields(&m);
	if (codec_msg_encode(&m, &b1, &l1) != 0)
		abort();
	codec_msg_clear(&m);
	if (codec_msg_decode(b1, l1, &m) != 0)
		abort();
	if (codec_msg_encode(&m, &b2, &l2) != 0)
		abort();
	codec_msg_clear(&m);
	same_bytes(b1, l1, b2, l2);
}

static void
check_control_fields(const struct control *c)
{
	size_t i;

	if (c->type < CTL_SUBMIT || c->type > CTL_STARTING ||
	    (c->type == CTL_METRICS_TEXT && c->text == NULL) ||
	    c->n_results > CODEC_MAX_LINES || c->node.n_dead > CODEC_MAX_DEAD ||
	    !text_ok(c->source, sizeof(c->source)) ||
	    !text_ok(c->error, sizeof(c->error)) ||
	    !text_ok(c->node.diverged, sizeof(c->node.diverged)) ||
	    !text_ok(c->node.disk_full, sizeof(c->node.disk_full)) ||
	    !text_ok(c->node.first_refused_field,
		     sizeof(c->node.first_refused_field)) ||
	    !text_ok(c->node.first_refused_source,
		     sizeof(c->node.first_refused_source)) ||
	    !text_ok(c->cons.disk_full, sizeof(c->cons.disk_full)) ||
	    !text_ok(c->keyholder.accounts_error,
		     sizeof(c->keyholder.accounts_error)))
		abort();
	for (i = 0; i < c->keyholder.n_nodes; i++)
		if (!text_ok(c->keyholder.nodes[i].id,
			     sizeof(c->keyholder.nodes[i].id)))
			abort();
	for (i = 0; i < c->n_results; i++) {
		const struct line_result *lr = &c->results[i];
		if (lr->status < LINE_ACCEPTED ||
		    lr->status > LINE_STATUS_LAST ||
		    !text_ok(lr->field, sizeof(lr->field)) ||
		    !text_ok(lr->reason, sizeof(lr->reason)) ||
		    !text_ok(lr->warning, sizeof(lr->warning)) ||
		    !text_ok(lr->age_warning, sizeof(lr->age_warning)) ||
		    !text_ok(lr->age_field, sizeof(lr->age_field)) ||
		    !text_ok(lr->placeholder_warning,
			     sizeof(lr->placeholder_warning)) ||
		    !text_ok(lr->placeholder_field,
			     sizeof(lr->placeholder_field)) ||
		    !text_ok(lr->ref, sizeof(lr->ref)))
			abort();
	}
	if (c->type == CTL_NODE_STATUS &&
	    (c->node.inst < INST_PNP || c->node.inst > INST_MINSA))
		abort();
	for (i = 0; i < c->node.n_dead; i++)
		if ((unsigned)c->node.dead[i].reason >= REASON_COUNT ||
		    !text_ok(c->node.dead[i].ref,
			     sizeof(c->node.dead[i].ref)) ||
		    !text_ok(c->node.dead[i].text,
			     sizeof(c->node.dead[i].text)))
			abort();
}

static void
fuzz_control(const uint8_t *data, size_t size)
{
	struct control c;
	uint8_t *b1, *b2;
	size_t l1, l2;

	if (codec_control_decode(data, size, &c) != 0)
		return;
	check_control_fields(&c);
	if (codec_control_encode(&c, &b1, &l1) != 0)
		abort();
	codec_control_clear(&c);
	if (codec_control_decode(b1, l1, &c) != 0)
		abort();
	if (codec_control_encode(&c, &b2, &l2) != 0)
		abort();
	codec_control_clear(&c);
	same_bytes(b1, l1, b2, l2);
}

static void
check_qtable_fields(const struct qtable *t)
{
	size_t i, j;

	if (t->n_cols > CODEC_MAX_COLUMNS || t->n_rows > CODEC_MAX_ROWS ||
	    (t->n_rows > 0 && t->rows == NULL) ||
	    !text_ok(t->error, sizeof(t->error)) ||
	    !text_ok(t->role, sizeof(t->role)))
		abort();
	for (i = 0; i < t->n_cols; i++)
		if (!text_ok(t->cols[i], sizeof(t->cols[i])))
			abort();
	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++)
			if (t->rows[i][j].kind > CELL_DECIMAL ||
			    !text_ok(t->rows[i][j].text,
				     sizeof(t->rows[i][j].text)))
				abort();
}

/*
 * A table's error read as kuska reads it (codec_query_preparing): the
 * same verdict whatever the room given, what it says cut within that
 * room, the start of what a larger room gets; one read as PREPARING is a
 * busy refusal too (codec_query_refused_for_now), which an older kuska
 * stops at.
 */
static void
check_preparing(const char *error)
{
	char what[sizeof(((struct qtable *)NULL)->error)], small[8];
	bool yes = codec_query_preparing(error, what, sizeof(what));

	if (yes != codec_query_preparing(error, small, sizeof(small)) ||
	    (yes && (!text_ok(what, sizeof(what)) ||
		     strlen(small) > sizeof(small) - 1 ||
		     strncmp(what, small, strlen(small)) != 0 ||
		     !codec_query_refused_for_now(error))))
		abort();
}

static void
fuzz_qtable(const uint8_t *data, size_t size)
{
	struct qtable t;
	uint8_t *b1, *b2;
	size_t l1, l2;

	if (codec_qtable_decode(data, size, &t) != 0)
		return;
	check_qtable_fields(&t);
	check_preparing(t.error);
	if (codec_qtable_encode(&t, &b1, &l1) != 0)
		abort();
	codec_qtable_clear(&t);
	if (codec_qtable_decode(b1, l1, &t) != 0)
		abort();
	if (codec_qtable_encode(&t, &b2, &l2) != 0)
		abort();
	codec_qtable_clear(&t);
	same_bytes(b1, l1, b2, l2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_msg(data, size);
	fuzz_control(data, size);
	fuzz_qtable(data, size);
	return 0;
}
