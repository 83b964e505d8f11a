/* estimate_table.c - the live estimate table; see estimate_table.h. */
#include "estimate_table.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "event.h"
#include "period.h"
#include "query.h"

enum col {
	COL_PERIOD,
	COL_LISTS,
	COL_OBSERVED,
	COL_METHOD,
	COL_INTERACTIONS,
	COL_ESTIMATE,
	COL_LOW,
	COL_HIGH,
	COL_NOTE,
	COL_COUNT
};

#define NOTE_MAX (2 * MSE_REASON_MAX)
#define MAX_ROWS 3

/* The daemon's bootstrap budget: every request draws on it. */
static struct boot_budget budget;

/* Called after each bootstrap resample (estimate_set_watch). */
static void (*watch_fn)(void *);
static void *watch_arg;

void
estimate_set_watch(void (*watch)(void *), void *arg)
{
	watch_fn = watch;
	watch_arg = arg;
}

/* mse's progress: the watch, whatever the resamples done. */
static void
boot_progress(void *arg, unsigned done, unsigned total)
{
	(void)arg;
	(void)done;
	(void)total;
	if (watch_fn != NULL)
		watch_fn(watch_arg);
}

bool
boot_budget_take(struct boot_budget *b, unsigned n, uint64_t now_ms,
		 unsigned *ret_wait_s)
{
	const double per_ms = ESTIMATE_BOOT_PER_MINUTE / 60000.0;
	double need;

	if (!b->started || now_ms < b->last_ms) {
		b->started = true;
		b->left = ESTIMATE_BOOT_PER_MINUTE;
	} else {
		b->left += (double)(now_ms - b->last_ms) * per_ms;
		if (b->left > ESTIMATE_BOOT_PER_MINUTE)
			b->left = ESTIMATE_BOOT_PER_MINUTE;
	}
	b->last_ms = now_ms;
	if ((double)n <= b->left) {
		b->left -= n;
		return true;
	}
	need = (double)n - b->left;
	*ret_wait_s = (unsigned)ceil(need / per_ms / 1000.0);
	return false;
}

/* ---- the overlap ----------------------------------------------------------
 */

static const struct reg_party analyst = {.role = ROLE_ANALYST};
static const struct reg_party secretariat = {.role = ROLE_SECRETARIAT};

/* Runs query_run for the overlap table of req's period and region. */
static int
ask_overlap(struct store *st, const struct query_req *req,
	    const struct reg_party *who, unsigned k, struct qtable *ret,
	    char *err, size_t errlen)
{
	struct query_req q;
	int r;

	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "overlap");
	memcpy(q.period, req->period, sizeof(q.period));
	q.region = req->region;
	r = query_run(st, &q, who, k, ret);
	if (r == -EINVAL)
		snprintf(err, errlen, "%s", ret->error);
	if (r != 0)
		codec_qtable_clear(ret);
	return r;
}

/* The institutions of an overlap row ("pnp+mimp") as a bit set (1 << i),
 * 0 for "unlinkable" or anything else. */
static unsigned
row_set(const char *name)
{
	char buf[16];
	unsigned set = 0;

	for (;;) {
		size_t n = strcspn(name, "+");
		enum institution i;
		if (n == 0 || n >= sizeof(buf))
			return 0;
		memcpy(buf, name, n);
		buf[n] = '\0';
		i = institution_from_name(buf);
		if (i == INST_NONE)
			return 0;
		set |= 1u << i;
		if (name[n] == '\0')
			return set;
		name += n + 1;
	}
}

int
estimate_overlap(struct store *st, const struct query_req *req,
		 struct estimate_input *ret, char *err, size_t errlen)
{
	const char *names[INST_COUNT];
	unsigned all = 0, sets[CODEC_MAX_ROWS], col[INST_COUNT + 1];
	uint64_t counts[CODEC_MAX_ROWS];
	struct estimate_input in;
	struct qtable t;
	size_t i, n = 0;
	unsigned k = 0;
	int r;

	memset(&in, 0, sizeof(in));
	r = ask_overlap(st, req, &analyst, 0, &t, err, errlen);
	if (r != 0)
		return r;
	for (i = 0; i < t.n_rows && t.n_cols == 3; i++) {
		const struct cell *name = &t.rows[i][1], *v = &t.rows[i][2];
		uint64_t count = v->kind == CELL_NUMBER && v->number > 0
				     ? (uint64_t)v->number
				     : 0;
		if (name->kind != CELL_TEXT)
			continue;
		if (strcmp(name->text, "unlinkable") == 0) {
			in.unlinkable += count;
			continue;
		}
		sets[n] = row_set(name->text);
		counts[n++] = count;
		all |= sets[n - 1];
	}
	codec_qtable_clear(&t);
	/* The lists in institution order (pnp, mp, pj, mimp, minsa). */
	for (i = 1; i <= INST_COUNT; i++) {
		if (!(all & (1u << i)))
			continue;
		col[i] = k;
		names[k++] = institution_name((enum institution)i);
		snprintf(in.present + strlen(in.present),
			 sizeof(in.present) - strlen(in.present), "%s%s",
			 k > 1 ? "+" : "", names[k - 1]);
	}
	if (k > 0) {
		if (mse_table_init(&in.table, k, names) != 0)
			return -EINVAL; /* cannot happen: institution names */
		for (i = 0; i < n; i++) {
			unsigned h = 0, b;
			for (b = 1; b <= INST_COUNT; b++)
				if (sets[i] & (1u << b))
					h |= 1u << col[b];
			if (h != 0 &&
			    mse_table_set(&in.table, h, counts[i]) != 0)
				return -ERANGE;
		}
		/* An institution whose victims are all unlinkable is no
		 * list: it saw no one the others could have seen. */
		(void)mse_table_drop_empty(&in.table, &in.table);
	}
	*ret = in;
	return 0;
}

int
estimate_overlap_shown(struct store *st, const struct query_req *req,
		       unsigned k, bool *ret_shown, char *err, size_t errlen)
{
	struct qtable t;
	size_t i;
	int r;

	r = ask_overlap(st, req, &secretariat, k, &t, err, errlen);
	if (r != 0)
		return r;
	*ret_shown = true;
	for (i = 0; i < t.n_rows; i++)
		if (t.n_cols < 3 || t.rows[i][2].kind != CELL_NUMBER)
			*ret_shown = false;
	codec_qtable_clear(&t);
	return 0;
}

/*
 * Whether the secretariat, whose estimate is suppressed, may still see
 * the observed total: when it follows from what it is shown, that is
 * every linkable row of its overlap table, or the unlinkable row and the
 * identification total (observed = total - unlinkable).
 */
static int
observed_shown(struct store *st, const struct query_req *req, unsigned k,
	       bool *ret_shown)
{
	bool linkable = true, unlinkable = false, total = false;
	struct query_req q;
	struct qtable t;
	char err[256];
	size_t i;
	int r;

	*ret_shown = false;
	r = ask_overlap(st, req, &secretariat, k, &t, err, sizeof(err));
	if (r != 0)
		return r == -EINVAL ? 0 : r;
	for (i = 0; i < t.n_rows && t.n_cols == 3; i++) {
		bool shown = t.rows[i][2].kind == CELL_NUMBER;
		if (t.rows[i][1].kind == CELL_TEXT &&
		    strcmp(t.rows[i][1].text, "unlinkable") == 0)
			unlinkable = shown;
		else
			linkable = linkable && shown;
	}
	codec_qtable_clear(&t);
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "identification");
	memcpy(q.period, req->period, sizeof(q.period));
	q.region = req->region;
	r = query_run(st, &q, &secretariat, k, &t);
	for (i = 0; r == 0 && i < t.n_rows && t.n_cols == 3; i++)
		if (t.rows[i][1].kind == CELL_TEXT &&
		    strcmp(t.rows[i][1].text, "all") == 0)
			total = t.rows[i][2].kind == CELL_NUMBER;
	codec_qtable_clear(&t);
	if (r != 0 && r != -EINVAL)
		return r;
	*ret_shown = linkable || (unlinkable && total);
	return 0;
}

/* ---- the rows ---------------------------------------------------------------
 */

/* A table being written, and how its figures are shown. */
struct writer {
	struct qtable *out;
	const struct estimate_input *in;
	char period[PERIOD_NAME_MAX];
	int64_t unit;	     /* figures are rounded to this: 1, or 10 */
	bool hidden;	     /* the secretariat may not see the figures */
	bool observed_shown; /* ... but may see the observed total */
};

static void
set_text(struct cell *c, const char *s)
{
	c->kind = CELL_TEXT;
	snprintf(c->text, sizeof(c->text), "%s", s);
}

/* A figure rounded to w->unit, or left empty when it is not finite. */
static void
set_figure(const struct writer *w, struct cell *c, double v)
{
	if (!isfinite(v) || w->hidden)
		return;
	c->kind = CELL_NUMBER;
	c->number = (int64_t)llround(v / (double)w->unit) * w->unit;
}

/* What every row's note ends with: the victims left out. */
static void
append_unlinkable(const struct writer *w, char *note, size_t cap)
{
	size_t len = strlen(note);

	if (w->in->unlinkable == 0 || w->hidden)
		return;
	snprintf(note + len, cap - len,
		 "%s%" PRIu64 " unlinkable victim%s left out (not in the "
		 "overlap)",
		 len > 0 ? "; " : "", w->in->unlinkable,
		 w->in->unlinkable == 1 ? "" : "s");
}

/* Starts a row: period, lists, observed, method. */
static struct cell *
row_start(struct writer *w, const char *method)
{
	struct cell *row = w->out->rows[w->out->n_rows++];
	char lists[MSE_MAX_LISTS * (MSE_NAME_MAX + 1) + 1];

	set_text(&row[COL_PERIOD], w->period);
	set_text(&row[COL_LISTS],
		 w->in->table.k > 0 && !w->hidden
		     ? mse_format_lists(&w->in->table, lists, sizeof(lists))
		     : w->in->present);
	if (w->hidden && !w->observed_shown) {
		row[COL_OBSERVED].kind = CELL_SUPPRESSED;
	} else {
		row[COL_OBSERVED].kind = CELL_NUMBER;
		row[COL_OBSERVED].number =
		    w->in->table.k > 0
			? (int64_t)mse_table_observed(&w->in->table)
			: 0;
	}
	set_text(&row[COL_METHOD], method);
	return row;
}

/* The rest of a row: the model, its figures (an interval when
 * has_interval) and the note. Returns 0 or -ENOMEM. */
static int
row_end(struct writer *w, struct cell *row, const struct mse_estimate *e,
	bool has_interval, double low, double high, const char *note)
{
	char buf[MSE_MAX_PAIRS * (2 * MSE_NAME_MAX + 2) + 1], text[NOTE_MAX];

	if (w->hidden) {
		return codec_cell_set_long(
		    &row[COL_NOTE],
		    "suppressed: computed from overlap counts the secretariat "
		    "is not shown");
	}
	if (e != NULL && e->status == MSE_ESTIMATED) {
		if (codec_cell_set_long(
			&row[COL_INTERACTIONS],
			mse_format_interactions(&w->in->table, e, buf,
						sizeof(buf))) != 0)
			return -ENOMEM;
		set_figure(w, &row[COL_ESTIMATE], e->estimate);
		if (has_interval) {
			set_figure(w, &row[COL_LOW], low);
			set_figure(w, &row[COL_HIGH], high);
		}
	}
	snprintf(text, sizeof(text), "%s", note);
	if (e != NULL && e->status == MSE_ESTIMATED && has_interval &&
	    !isfinite(high))
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "%supper limit infinite", text[0] ? "; " : "");
	append_unlinkable(w, text, sizeof(text));
	return codec_cell_set_long(&row[COL_NOTE], text);
}

/* The main-effects or stepwise row. */
static int
method_row(struct writer *w, enum mse_method m)
{
	struct cell *row = row_start(w, mse_format_method(m));
	struct mse_estimate e;
	char note[MSE_REASON_MAX];
	int r;

	if (w->hidden)
		return row_end(w, row, NULL, false, 0, 0, "");
	if (w->in->table.k == 0)
		return row_end(w, row, NULL, false, 0, 0,
			       "no estimate: no linkable victim identified in "
			       "the period");
	r = mse_estimate(&w->in->table, m, &e);
	if (r != 0)
		return r;
	return row_end(w, row, &e, true, e.low95, e.high95,
		       mse_format_note(&w->in->table, &e, note, sizeof(note)));
}

/* The bootstrap row: n resamples of the stepwise method, within the
 * daemon's budget. */
static int
boot_row(struct writer *w, unsigned n, uint64_t seed)
{
	struct cell *row = row_start(w, "bootstrap");
	char note[MSE_REASON_MAX];
	struct mse_boot b;
	unsigned wait_s = 0;
	int r;

	if (w->hidden)
		return row_end(w, row, NULL, false, 0, 0, "");
	if (w->in->table.k == 0)
		return row_end(w, row, NULL, false, 0, 0,
			       "no estimate: no linkable victim identified in "
			       "the period");
	if (!boot_budget_take(&budget, n, date_mono_ms(), &wait_s)) {
		snprintf(note, sizeof(note),
			 "not computed: the consolidator draws at most %d "
			 "bootstrap resamples a minute; ask again in %u s",
			 ESTIMATE_BOOT_PER_MINUTE, wait_s);
		return row_end(w, row, NULL, false, 0, 0, note);
	}
	r = mse_bootstrap_watched(&w->in->table, MSE_STEPWISE, n, seed, &b,
				  NULL, boot_progress, NULL);
	if (r != 0)
		return r;
	/* The point estimate may exist while the interval does not. */
	return row_end(
	    w, row, &b.point, b.status == MSE_ESTIMATED, b.low95, b.high95,
	    mse_format_boot_note(&w->in->table, &b, note, sizeof(note)));
}

/* ---- the table --------------------------------------------------------------
 */

static int
refuse(struct qtable *ret, const char *why)
{
	snprintf(ret->error, sizeof(ret->error), "%s", why);
	return -EINVAL;
}

int
estimate_table(struct store *st, const struct query_req *req,
	       const struct reg_party *who, unsigned k, struct qtable *ret)
{
	char cols[] = ESTIMATE_COLUMNS, *tok, *save = NULL, err[256] = "";
	struct estimate_input in;
	struct writer w;
	uint32_t code;
	bool shown = true;
	int r;

	memset(ret, 0, sizeof(*ret));
	memset(&w, 0, sizeof(w));
	ret->k = k;
	snprintf(ret->role, sizeof(ret->role), "%s", role_name(who->role));
	if (who->role == ROLE_NONE)
		return refuse(ret, "not authorised to query");
	if (who->role == ROLE_INSTITUTION)
		return refuse(ret, "the estimate table is not open to an "
				   "institution (it is computed from the "
				   "overlap table)");
	/* As the overlap it is computed from, but in its own name: the
	 * overlap's refusal named a table the client did not ask for. */
	if (who->role == ROLE_SECRETARIAT && req->region != 0)
		return refuse(ret, "the secretariat gets the estimate table "
				   "for the whole country only: ask without "
				   "--region");
	if (req->boot > ESTIMATE_MAX_BOOT) {
		snprintf(err, sizeof(err),
			 "--boot: at most %d resamples in one request",
			 ESTIMATE_MAX_BOOT);
		return refuse(ret, err);
	}
	r = estimate_overlap(st, req, &in, err, sizeof(err));
	if (r == 0 && who->role == ROLE_SECRETARIAT)
		r = estimate_overlap_shown(st, req, k, &shown, err,
					   sizeof(err));
	if (r == -EINVAL)
		return refuse(ret, err);
	if (r != 0)
		return r;
	if (period_parse(req->period, &code) != 0)
		return refuse(ret, "bad period"); /* the overlap checked it */
	period_name(code, w.period);
	w.out = ret;
	w.in = &in;
	w.unit = who->role == ROLE_SECRETARIAT ? ESTIMATE_SECRETARIAT_ROUND : 1;
	w.hidden = !shown;
	if (w.hidden) {
		r = observed_shown(st, req, k, &w.observed_shown);
		if (r != 0)
			return r;
	}
	for (tok = strtok_r(cols, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		snprintf(ret->cols[ret->n_cols++], sizeof(ret->cols[0]), "%s",
			 tok);
	ret->rows = calloc(MAX_ROWS, sizeof(*ret->rows));
	if (ret->rows == NULL)
		return -ENOMEM;
	r = method_row(&w, MSE_MAIN);
	if (r == 0)
		r = method_row(&w, MSE_STEPWISE);
	if (r == 0 && req->boot > 0)
		r = boot_row(&w, req->boot, req->seed);
	if (r != 0)
		codec_qtable_clear(ret);
	return r;
}
