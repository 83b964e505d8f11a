/*
 * query_net_answer.c - one request answered (query_net_handle): its key
 * judged, its frames, the table run with the registry, indicators and
 * population in force, the answer handed to the reader, counted and
 * logged within its asker's budget (event=query), whose lines held back
 * are said later. See query_net.h and query_net_int.h.
 */
#include "query_net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "control.h"
#include "date.h"
#include "estimate_table.h"
#include "log.h"
#include "period.h"
#include "query.h"
#include "query_net_int.h"
#include "query_reader.h"
#include "release.h"
#include "sdg_table.h"

/*
 * The refusal of a node's key, naming what to make and list instead: the
 * officers who queried with it before the upgrade read this first.
 */
static void
node_key_refusal(char *buf, size_t cap, const char *key, const char *id)
{
	int n;

	n = snprintf(buf, cap,
		     "key %s is %s's node key, and a node's key cannot query: "
		     "%s's officers need a key of their own (kuska keygen "
		     "%s-stats), in the registry as [client %s-stats] with "
		     "role = institution, institution = %s (OPERATIONS.md)",
		     key, id, id, id, id, id);
	if (n < 0 || (size_t)n >= cap)
		snprintf(buf, cap,
			 "key %s is %s's node key, and a node's key cannot "
			 "query: its officers need a [client] with role = "
			 "institution (OPERATIONS.md)",
			 key, id);
}

/* Says what l held back, whatever its budget (its asker is gone). */
void
query_net_log_flush(struct query_log *l)
{
	if (l->b.held > 0)
		log_info("event=query_unlogged who=%s unlogged=%lu", l->who,
			 l->b.held);
}

/* The budget of p's lines; p is one of reg's parties. */
static struct log_budget *
query_log_of(struct cons *c, const struct registry *reg,
	     const struct reg_party *p)
{
	struct query_log *l = &c->query_log[p - reg->parties];

	if (strcmp(l->who, p->id) != 0) {
		query_net_log_flush(l);
		memset(l, 0, sizeof(*l));
		snprintf(l->who, sizeof(l->who), "%s", p->id);
	}
	l->b.burst = QUERY_LOG_BURST;
	l->b.every_ms = QUERY_LOG_EVERY_MS;
	return &l->b;
}

/*
 * Says, within each asker's budget, the lines held back of askers that
 * paused (the next event=query would say them, and may never come).
 * Returns whether some are still held back: the thread then wakes to
 * look again.
 */
bool
query_net_log_tick(struct cons *c)
{
	uint64_t now = date_mono_ms();
	bool held = false;
	size_t i;

	for (i = 0; i < REGISTRY_MAX_PARTIES; i++) {
		struct query_log *l = &c->query_log[i];
		if (l->b.held == 0)
			continue;
		if (log_budget_due(&l->b, now))
			log_info_budget(&l->b, "event=query_unlogged who=%s",
					l->who);
		held = held || l->b.held > 0;
	}
	return held;
}

/*
 * Whether req, from key k (whose owner may query), is refused for its
 * frames: over the size limit (too_large: tsock_recv dropped it), not one
 * frame, or not a query request; else it is decoded into *q. A
 * refusal's text goes into tab->error; it is logged, never its bytes, and
 * counted.
 */
static bool
refused_frames(struct cons *c, const struct tframes *req, bool too_large,
	       const struct reg_key *k, struct query_req *q, struct qtable *tab)
{
	enum query_refusal why;
	char detail[48] = "";

	if (too_large) {
		why = QUERY_REFUSED_TOO_LARGE;
		snprintf(tab->error, sizeof(tab->error),
			 "request over the size limit: one frame of at most "
			 "%d KiB, and this one had more than %d frames or "
			 "%d KiB",
			 QUERY_MAX_BYTES / 1024, QUERY_MAX_PARTS,
			 QUERY_MAX_BYTES / 1024);
	} else if (req->n != 2) {
		why = QUERY_REFUSED_FRAME_COUNT;
		snprintf(detail, sizeof(detail), " frames=%zu", req->n - 1);
		snprintf(tab->error, sizeof(tab->error),
			 "request of %zu frames: a query request is one frame",
			 req->n - 1);
	} else if (codec_query_req_decode(req->data[1], req->len[1], q) != 0) {
		why = QUERY_REFUSED_MALFORMED;
		snprintf(detail, sizeof(detail), " bytes=%zu", req->len[1]);
		snprintf(tab->error, sizeof(tab->error),
			 "malformed request: not a query request (kuska.proto "
			 "QueryRequest: %d bytes at most, a table name up to "
			 "%zu characters, a period up to %zu)",
			 CODEC_MAX_QUERY_REQ, sizeof(q->table) - 1,
			 sizeof(q->period) - 1);
	} else {
		return false;
	}
	log_warnx_budget(&c->query_frames_log[k->owner->inst],
			 "event=query_refused who=%s key=%s reason=%s%s",
			 k->owner->id, k->name, query_refusal_name(why),
			 detail);
	c->queries_refused[why]++;
	c->frames_refused++;
	return true;
}

/* How long the answer of a question told PREPARING is kept for its next
 * try (kept_answer) once its audit ended: its client asks again every 2 s
 * (client/ask.h). */
#define PREPARING_KEPT_MS 30000

/* Whether a and b are the same question. */
static bool
same_question(const struct query_req *a, const struct query_req *b)
{
	return strcmp(a->table, b->table) == 0 &&
	       strcmp(a->period, b->period) == 0 && a->region == b->region &&
	       a->boot == b->boot && a->seed == b->seed;
}

/* Forgets the answer kept (keep_answer), if any. */
void
query_net_kept_clear(struct cons *c)
{
	struct preparing_kept *kept = &c->preparing_kept;

	if (kept->has)
		codec_qtable_clear(&kept->tab);
	memset(kept, 0, sizeof(*kept));
}

/*
 * Whether q, asked by who (its id and role) at threshold k, is the question
 * last told PREPARING, asked again within PREPARING_KEPT_MS of its audit's end:
 * its answer kept (keep_answer) is then moved into *tab, and query_run's return
 * into *ret_r, rather than its audit begun again: as the data change
 * (deliveries coming on) its release is another, and its try could be told
 * PREPARING again, and again; as its audit failed, it could fail again, its
 * client asking until its 5 minutes were out.
 */
static bool
kept_answer(struct cons *c, const struct reg_party *who,
	    const struct query_req *q, uint32_t k, struct qtable *tab,
	    int *ret_r)
{
	struct preparing_kept *kept = &c->preparing_kept;

	if (!kept->has)
		return false;
	if (date_mono_ms() - kept->at_ms >= PREPARING_KEPT_MS) {
		query_net_kept_clear(c);
		return false;
	}
	if (strcmp(kept->who, who->id) != 0 || kept->role != who->role ||
	    kept->k != k || !same_question(&kept->q, q))
		return false;
	codec_qtable_clear(tab);
	*tab = kept->tab;
	*ret_r = kept->r;
	memset(kept, 0, sizeof(*kept)); /* its rows are tab's now */
	return true;
}

/* w's question q, asked by who at threshold k, answered r and *tab while
 * told PREPARING: that answer, its rows taken from *tab, is kept for its
 * next try (kept_answer), in place of any kept before. An audit given up
 * (a stop) leaves nothing to keep. */
static void
keep_answer(struct cons *c, const struct watch *w, const struct reg_party *who,
	    const struct query_req *q, uint32_t k, int r, struct qtable *tab)
{
	struct preparing_kept *kept = &c->preparing_kept;

	if (!w->req_answered || r == -ECANCELED)
		return;
	query_net_kept_clear(c);
	kept->has = true;
	snprintf(kept->who, sizeof(kept->who), "%s", who->id);
	kept->role = who->role;
	kept->q = *q;
	kept->k = k;
	kept->at_ms = date_mono_ms();
	kept->r = r;
	kept->tab = *tab;
	memset(tab, 0, sizeof(*tab)); /* its rows are kept's now */
}

/* query_net_request_waits, for a bootstrap's resamples (estimate_set_watch). */
static void
watch_resamples(void *arg)
{
	(void)query_net_request_waits(arg);
}

/*
 * Answers one request. too_large: tsock_recv dropped it over
 * QUERY_MAX_BYTES or QUERY_MAX_PARTS, req holding its routing id alone; its
 * key is judged all the same. w: the watch of the audits its answer runs
 * (query_net_request_waits), which answers meanwhile the requests answered
 * apart and holds the others; conf_lock is held only while the key is judged,
 * the registry, indicators and population read then kept by c->query_pin until
 * the answer is sent, so that a reload during its audit is in force at once.
 * NULL when req is answered during an audit, being answered apart
 * (query_apart), the caller holding conf_lock for reading (a few ms at most):
 * then nothing of the audit's is touched, not even its grants, nor the pin.
 */
void
query_net_handle(struct cons *c, const struct tframes *req, bool too_large,
		 struct watch *w)
{
	const struct reg_party *p = NULL;
	const struct registry *reg;
	const struct indset *was_ind;
	const struct popset *was_pop;
	const struct reg_key *k;
	struct reg_user who;
	struct query_req q;
	struct qtable tab;
	uint8_t *buf;
	size_t len;

	memset(&tab, 0, sizeof(tab));
	if (w != NULL) {
		pthread_rwlock_rdlock(&c->conf_lock);
		atomic_store(&c->query_pin, c->conf_gen);
	}
	/* Those in force, as the query builders read them (the query
	 * thread alone sets them). Answered during an audit, those of the
	 * audit's question are put back after: pinned, its answer reads
	 * one set to its end. */
	was_ind = query_set_indicators(c->indicators);
	was_pop = sdg_set_population(c->population);
	reg = c->reg;
	tab.k = (uint32_t)c->cfg.k;
	/* Judged on every request: a reload may have revoked the key since
	 * the handshake, or its window closed. Its connection was judged as
	 * the request was read (peer_read), and if refused then or now is
	 * closed once this answer is sent, if still req->conn_id: by now its
	 * descriptor may be another's, so the admission table is not touched
	 * here. */
	k = registry_by_user_id(reg, req->user_id, date_now_ms(), &who);
	if (k != NULL)
		p = k->owner;
	if (w != NULL)
		pthread_rwlock_unlock(&c->conf_lock);
	if (p == NULL) {
		log_warnx_budget(&c->query_refusal_log[INST_NONE],
				 "event=query_refused who=%s key=%s "
				 "reason=key_not_valid",
				 who.party, who.key);
		snprintf(tab.error, sizeof(tab.error),
			 "key %s is no longer valid (revoked, expired or "
			 "removed): the connection is closed",
			 who.key);
		c->queries_refused[QUERY_REFUSED_KEY_NOT_VALID]++;
	} else if (p->node) {
		/* A node machine's key files must not show what the national
		 * linking made of a record it forged (docs/SECURITY.md). */
		log_warnx_budget(&c->query_refusal_log[p->inst],
				 "event=query_refused who=%s key=%s "
				 "reason=node_key",
				 p->id, k->name);
		node_key_refusal(tab.error, sizeof(tab.error), k->name, p->id);
		c->queries_refused[QUERY_REFUSED_NODE_KEY]++;
	} else if (!refused_frames(c, req, too_large, k, &q, &tab)) {
		uint64_t t0 = date_mono_ms();
		uint32_t threshold = tab.k;
		char name[PERIOD_NAME_MAX];
		const char *period = q.period;
		uint32_t code;
		int r, ti;
		/* Logged as the tables write it: 2025H2 however asked. */
		if (period_parse(q.period, &code) == 0)
			period = period_name(code, name);
		/* The secretariat's audit follows the registry in force. */
		if (w != NULL) {
			release_set_grants(reg);
			release_set_cancel(query_net_request_waits, w);
			estimate_set_watch(watch_resamples, w);
			/* An audit that runs long has it told PREPARING. */
			w->req = req;
			w->req_who = p->id;
			w->req_answered = false;
			if (!query_takes_release(&q, p, &w->req_year))
				w->req_year = 0;
		}
		if (w == NULL || !kept_answer(c, p, &q, threshold, &tab, &r))
			r = query_run(c->st, &q, p, threshold, &tab);
		if (w != NULL) {
			release_set_cancel(NULL, NULL);
			estimate_set_watch(NULL, NULL);
			w->req = NULL;
		} else
			c->queries_during_audit++;
		for (ti = 0; ti < QUERY_TABLES && query_tables[ti] != NULL;
		     ti++)
			if (strcmp(q.table, query_tables[ti]) == 0)
				c->queries[ti][p->role]++;
		log_info_budget(query_log_of(c, reg, p),
				"event=query who=%s role=%s table=%s period=%s "
				"region=%u rows=%zu ms=%llu%s%s%s",
				p->id, role_name(p->role), LOG_Q(q.table),
				LOG_Q(period), q.region, tab.n_rows,
				(unsigned long long)(date_mono_ms() - t0),
				r != 0 ? " refused=1" : "",
				w == NULL ? " during_audit=1" : "",
				w != NULL && w->req_answered ? " preparing=1"
							     : "");
		if (w != NULL)
			keep_answer(c, w, p, &q, threshold, r, &tab);
	}
	/* Told PREPARING during its audit, it is not answered again: asked
	 * again, it is answered what was kept (keep_answer). */
	if ((w == NULL || !w->req_answered) &&
	    codec_qtable_encode(&tab, &buf, &len) == 0) {
		query_reader_answer(c->qreader, req, buf, len,
				    p == NULL || p->node);
		free(buf);
	}
	codec_qtable_clear(&tab);
	if (w != NULL) {
		atomic_store(&c->query_pin, 0);
	} else {
		(void)query_set_indicators(was_ind);
		(void)sdg_set_population(was_pop);
	}
}
