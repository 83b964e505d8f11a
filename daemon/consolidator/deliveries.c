/* deliveries.c - the deliveries table; see deliveries.h. */
#include "deliveries.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "ingest.h"
#include "period.h"
#include "query.h"

/* In the order of DELIVERIES_COLUMNS. */
enum col { COL_INST, COL_LAST, COL_EVENTS, COL_CONTACT, COL_COUNT };

/* The consolidator's last contacts (deliveries_set_contact). */
static _Atomic(_Atomic uint64_t *) contact_in_force;

void
deliveries_set_contact(_Atomic uint64_t *contact_ms)
{
	atomic_store(&contact_in_force, contact_ms);
}

/* The later of the stored delivery time and the last message heard
 * since start (the main thread writes it while we read). */
static uint64_t
last_contact(int inst, uint64_t stored_ms)
{
	_Atomic uint64_t *c = atomic_load(&contact_in_force);
	uint64_t heard;

	if (c == NULL)
		return stored_ms;
	heard = atomic_load_explicit(&c[inst], memory_order_relaxed);
	return heard > stored_ms ? heard : stored_ms;
}

static int
fail(struct qtable *ret, const char *msg)
{
	snprintf(ret->error, sizeof(ret->error), "%s", msg);
	return -EINVAL;
}

/* "2026-03-02T14:05Z", or "" for 0 (never). */
static void
utc_minute(uint64_t ms, char *out, size_t cap)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	out[0] = '\0';
	if (ms != 0 && gmtime_r(&s, &tm) != NULL)
		strftime(out, cap, "%Y-%m-%dT%H:%MZ", &tm);
}

static void
add_row(struct qtable *t, int inst, const struct inst_status *s,
	bool hide_small, bool withheld, unsigned k)
{
	struct cell *row = t->rows[t->n_rows++];

	row[COL_INST].kind = CELL_TEXT;
	snprintf(row[COL_INST].text, sizeof(row[COL_INST].text), "%s",
		 institution_name((enum institution)inst));
	utc_minute(s->last_contact_ms, row[COL_LAST].text,
		   sizeof(row[COL_LAST].text));
	row[COL_LAST].kind = row[COL_LAST].text[0] ? CELL_TEXT : CELL_EMPTY;
	utc_minute(last_contact(inst, s->last_contact_ms),
		   row[COL_CONTACT].text, sizeof(row[COL_CONTACT].text));
	row[COL_CONTACT].kind =
	    row[COL_CONTACT].text[0] ? CELL_TEXT : CELL_EMPTY;
	row[COL_EVENTS].kind = CELL_NUMBER;
	row[COL_EVENTS].number = (int64_t)s->accepted;
	/* As in sources: a count of 1 to k-1 is withheld, and one that
	 * would bound a year's hidden records (query_events_withheld). */
	if (hide_small && ((s->accepted > 0 && s->accepted < k) || withheld))
		row[COL_EVENTS].kind = CELL_SUPPRESSED;
}

int
deliveries_table(struct store *st, const struct query_req *req,
		 const struct reg_party *who, unsigned k, struct qtable *ret)
{
	struct store_txn *t;
	struct inst_status s;
	uint32_t period;
	const char *name = DELIVERIES_COLUMNS;
	unsigned withheld = 0;
	int i, r;

	memset(ret, 0, sizeof(*ret));
	ret->k = k;
	snprintf(ret->role, sizeof(ret->role), "%s", role_name(who->role));
	if (period_parse(req->period, &period) != 0)
		return fail(ret, "bad period: give a year (2026), a semester "
				 "(2026H1) or a quarter (2026Q3); the "
				 "deliveries table ignores it");
	if (req->region > 25)
		return fail(ret, "bad region: INEI codes run 01 to 25");
	if (who->role == ROLE_NONE)
		return fail(ret, "not authorised to query");
	/* The names once, in the header, for whoever reads the table. */
	ret->n_cols = COL_COUNT;
	for (i = 0; i < COL_COUNT; i++) {
		size_t n = strcspn(name, ",");
		snprintf(ret->cols[i], sizeof(ret->cols[i]), "%.*s", (int)n,
			 name);
		name += n + (name[n] == ',');
	}
	ret->rows = calloc(INST_COUNT, sizeof(*ret->rows));
	if (ret->rows == NULL)
		return -ENOMEM;
	r = store_begin(st, false, &t);
	if (r != 0) {
		codec_qtable_clear(ret);
		return r;
	}
	if (who->role == ROLE_SECRETARIAT)
		withheld = query_events_withheld(t, k);
	for (i = 1; i <= INST_COUNT; i++) {
		if (who->role == ROLE_INSTITUTION && (int)who->inst != i)
			continue;
		(void)ingest_inst_status(t, i, &s);
		add_row(ret, i, &s, who->role == ROLE_SECRETARIAT,
			(withheld & (1u << i)) != 0, k);
	}
	store_abort(&t);
	return 0;
}
