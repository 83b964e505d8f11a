/* query_net.c - requests and answers on the query socket; see query_net.h. */
#include "query_net.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "codec.h"
#include "control.h"
#include "date.h"
#include "deliveries.h"
#include "estimate_table.h"
#include "log.h"
#include "lp.h"
#include "peers.h"
#include "period.h"
#include "prepare.h"
#include "query.h"
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

/* Messages read from the query socket in a row. */
#define QUERY_BATCH 16
#define QUERY_MAX_BYTES (64 * 1024)
/* Frames of a request read whole (a request is one): a refusal says how
 * many came up to this, over the size limit past it. */
#define QUERY_MAX_PARTS 4

/* Lines of answered requests (event=query) per asker: a report asks a
 * few dozen tables at once, all logged; past the burst, one a second. */
#define QUERY_LOG_BURST 100
#define QUERY_LOG_EVERY_MS 1000

/* Says what l held back, whatever its budget (its asker is gone). */
static void
query_log_flush(struct query_log *l)
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
		query_log_flush(l);
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
static bool
query_log_tick(struct cons *c)
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

struct watch;
static bool request_waits(void *arg);

/* request_waits, for a bootstrap's resamples (estimate_set_watch). */
static void
watch_resamples(void *arg)
{
	(void)request_waits(arg);
}

/*
 * Answers one request. too_large: tsock_recv dropped it over
 * QUERY_MAX_BYTES or QUERY_MAX_PARTS, req holding its routing id alone; its
 * key is judged all the same. w: the watch of the audits its answer runs
 * (request_waits), which answers meanwhile the requests answered apart and
 * holds the others; conf_lock is held only while the key is judged, the
 * registry, indicators and population read then kept by c->query_pin
 * until the answer is sent, so that a reload during its audit is in
 * force at once. NULL when req is answered during an audit, being
 * answered apart (query_apart), the caller holding conf_lock for reading
 * (a few ms at most): then nothing of the audit's is touched, not even
 * its grants, nor the pin.
 */
static void
handle_query(struct cons *c, const struct tframes *req, bool too_large,
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
			release_set_cancel(request_waits, w);
			estimate_set_watch(watch_resamples, w);
		}
		r = query_run(c->st, &q, p, tab.k, &tab);
		if (w != NULL) {
			release_set_cancel(NULL, NULL);
			estimate_set_watch(NULL, NULL);
		} else
			c->queries_during_audit++;
		for (ti = 0; ti < QUERY_TABLES && query_tables[ti] != NULL;
		     ti++)
			if (strcmp(q.table, query_tables[ti]) == 0)
				c->queries[ti][p->role]++;
		log_info_budget(query_log_of(c, reg, p),
				"event=query who=%s role=%s table=%s period=%s "
				"region=%u rows=%zu ms=%llu%s%s",
				p->id, role_name(p->role), LOG_Q(q.table),
				LOG_Q(period), q.region, tab.n_rows,
				(unsigned long long)(date_mono_ms() - t0),
				r != 0 ? " refused=1" : "",
				w == NULL ? " during_audit=1" : "");
	}
	if (codec_qtable_encode(&tab, &buf, &len) == 0) {
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

/* Whether some party of reg is the secretariat: else no release is ever
 * asked for, and none is made ahead. */
static bool
has_secretariat(const struct registry *reg)
{
	size_t i;

	for (i = 0; i < reg->n_parties; i++)
		if (reg->parties[i].role == ROLE_SECRETARIAT)
			return true;
	return false;
}

/* How often the thread looks for years the writer noted while it waited,
 * and for a reload's prepare_quiet_s (neither wakes it). */
#define PREPARE_LOOK_MS 1000

/*
 * How long the thread may wait for a request: until the next of the
 * query log's tick (held: lines held back) and the next year due to be
 * prepared (prepare.h), or PREPARE_LOOK_MS when none is.
 */
static long
poll_timeout(struct cons *c, bool held)
{
	long timeout = held ? QUERY_LOG_EVERY_MS : -1;
	uint64_t quiet_ms;
	int64_t due;

	pthread_rwlock_rdlock(&c->conf_lock);
	quiet_ms = c->cfg.prepare_quiet_s * 1000;
	pthread_rwlock_unlock(&c->conf_lock);
	due = prepare_wait_ms(quiet_ms, date_mono_ms());
	if (due < 0)
		due = PREPARE_LOOK_MS;
	if (timeout < 0 || due < timeout)
		timeout = (long)due;
	return timeout;
}

/* How often, at most, an audit looks for a request waiting. */
#define PREPARE_YIELD_MS 10
/* Requests answered apart at most per look (request_waits): a flood of
 * analysts' counting tables holds an audit up by no more than these
 * answers (0.05 ms each, against the PREPARE_YIELD_MS between two looks).
 * Dearer ones (an estimate's fits, 1 to 2 ms; sdg16_2_2's, twice that;
 * indicators, a counting table per table they name) put the next look
 * off by as long as they took: the audit, on a thread of its own, keeps
 * at least half a processor, whatever comes. */
#define AUDIT_ANSWERS_MAX 8

/* Requests held during audits at most (request_waits), each keeping up
 * to QUERY_MAX_BYTES of frames: past them, each request not answered
 * apart is refused at once (CODEC_QUERY_BUSY), so that the reader's
 * queues (query_reader.h) are taken on, those answered apart among
 * them. */
#define HELD_MAX 16
/* Requests refused as busy at most per look: a flood's, read and refused
 * in a few milliseconds each look, do not hold the audit up for long. */
#define BUSY_REFUSE_MAX 1024

/* A request held, its routing id with it. */
struct held_req {
	struct tframes f;
	bool too_large;
};

/* The requests held, in arrival order (a ring), answered in that order. */
struct held_queue {
	struct held_req r[HELD_MAX];
	size_t head, n;
};

static void
held_push(struct held_queue *q, struct tframes *f, bool too_large)
{
	struct held_req *h = &q->r[(q->head + q->n++) % HELD_MAX];

	h->f = *f;
	h->too_large = too_large;
}

static struct held_req
held_pop(struct held_queue *q)
{
	struct held_req h = q->r[q->head];

	q->head = (q->head + 1) % HELD_MAX;
	q->n--;
	return h;
}

/*
 * Waits up to timeout_ms (-1: forever) for a request from the query
 * socket's reader (query_reader_take), or for descriptor stop_fd (-1:
 * none) to be readable, which *ret_stop (may be NULL) then says. Returns
 * the number ready (0 on time-out), or -errno.
 */
static int
wait_request(struct cons *c, int stop_fd, bool *ret_stop, long timeout_ms)
{
	struct pollfd p[2] = {
	    {.fd = query_reader_fd(c->qreader), .events = POLLIN},
	    {.fd = stop_fd, .events = POLLIN},
	};
	int n = poll(p, stop_fd >= 0 ? 2 : 1,
		     timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms);

	if (n < 0)
		return -errno;
	if (ret_stop != NULL)
		*ret_stop = stop_fd >= 0 && (p[1].revents & POLLIN) != 0;
	return n;
}

/* How long the query socket's reader keeps it open at a stop once
 * stopping refusals went out (held_refuse's, unread_refuse's, its own),
 * reading and refusing what comes, and how long its close then waits
 * for what is unsent (query_reader_stopping). */
#define QUERY_STOP_LINGER_MS 1000
/* Requests still unread at a stop that unread_refuse reads and refuses, at
 * most: what a flood has queued is refused in a few milliseconds, and a
 * client that keeps asking does not hold the stop up. */
#define QUERY_STOP_UNREAD_MAX 1024

/* The refusal text (a qtable's error), encoded into *ret_buf (the caller
 * frees it). Returns 0, or -1 and *ret_buf NULL. */
static int
refusal(struct cons *c, const char *text, uint8_t **ret_buf, size_t *ret_len)
{
	struct qtable tab;

	memset(&tab, 0, sizeof(tab));
	pthread_rwlock_rdlock(&c->conf_lock);
	tab.k = (uint32_t)c->cfg.k;
	pthread_rwlock_unlock(&c->conf_lock);
	snprintf(tab.error, sizeof(tab.error), "%s", text);
	if (codec_qtable_encode(&tab, ret_buf, ret_len) != 0) {
		*ret_buf = NULL;
		return -1;
	}
	return 0;
}

/* The refusal CODEC_QUERY_STOPPING (refusal). */
static int
stopping_refusal(struct cons *c, uint8_t **ret_buf, size_t *ret_len)
{
	return refusal(c, CODEC_QUERY_STOPPING, ret_buf, ret_len);
}

/*
 * Answers every request held with the refusal CODEC_QUERY_STOPPING (the
 * thread stops): its client is told at once, not left to its time-out.
 * The reader then lingers at its stop (query_reader_refused_stopping).
 */
static void
held_refuse(struct cons *c, struct held_queue *q)
{
	size_t n = q->n, sent = 0;
	uint8_t *buf;
	size_t len;

	if (n == 0)
		return;
	(void)stopping_refusal(c, &buf, &len);
	while (q->n > 0) {
		struct held_req h = held_pop(q);
		if (buf != NULL) {
			query_reader_answer(c->qreader, &h.f, buf, len, false);
			sent++;
		}
		tframes_clear(&h.f);
	}
	free(buf);
	/* Failing, the refusals may be dropped, as all were before. */
	if (sent > 0)
		query_reader_refused_stopping(c->qreader);
	log_info("event=query_stop_refused held=%zu refused=%zu", n, sent);
}

/*
 * At a stop, once the thread answers no more: takes the requests still
 * waiting in the reader's queues (those a question's audit left there,
 * past HELD_MAX held, or a flood's), up to QUERY_STOP_UNREAD_MAX in all,
 * and refuses each with CODEC_QUERY_STOPPING, as held_refuse does those
 * held (the reader refuses so those it has no room for meanwhile). Once
 * any is refused (here or held_refuse), the reader, at its stop, refuses
 * those left and keeps the socket open QUERY_STOP_LINGER_MS more,
 * refusing those that come meanwhile (query_reader.h): closed just after
 * they were sent, some refusals were lost, the socket's linger
 * notwithstanding (test_audit_serve on a loaded host: a few of 56 in
 * about one run of three, with a linger of 5 s too), and none when the
 * socket stayed open a while. Those that come later are dropped at the
 * close: their clients time out.
 */
static void
unread_refuse(struct cons *c)
{
	size_t n = 0, sent = 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct tframes f;
	bool too_large;

	/* Those the reader cannot keep are told so too. */
	query_reader_stopping(c->qreader, QUERY_STOP_LINGER_MS);
	while (n < QUERY_STOP_UNREAD_MAX &&
	       query_reader_take(c->qreader, &f, &too_large) == 0) {
		n++;
		if (buf != NULL || stopping_refusal(c, &buf, &len) == 0) {
			query_reader_answer(c->qreader, &f, buf, len, false);
			sent++;
		}
		tframes_clear(&f);
	}
	free(buf);
	if (sent > 0)
		query_reader_refused_stopping(c->qreader);
	if (n > 0)
		log_info("event=query_stop_refused unread=%zu refused=%zu", n,
			 sent);
}

/*
 * An audit's watch on the query socket (request_waits): a preparation's
 * (prepare_one), or a question's (demand: handle_query's, answer). The
 * requests answered apart that come during it are answered at once, at
 * most AUDIT_ANSWERS_MAX per look; the others are taken off the socket
 * and held, up to HELD_MAX in all (past them, refused at once:
 * CODEC_QUERY_BUSY), and answered (answer) once the audit ends, in
 * arrival order, whatever its end; at a stop, refused (held_refuse).
 */
struct watch {
	struct cons *c;
	uint32_t year;	  /* being prepared */
	bool demand;	  /* a question's: never given up */
	uint64_t next_ms; /* when to look again */
	bool seen;	  /* give way: a request held, or the thread stops */
	bool stop;	  /* the thread is to stop */
	bool carried;	  /* the first held is a question of year's release,
			     or the audit a question's */
	struct held_queue *held; /* shared with answer's later audits */
	bool looking;		 /* in look: a request it answers does not
				    look again */
	unsigned long served;	 /* requests answered apart during it */
};

/*
 * Who asks f, a request taken during w's audit, when it is a request and
 * its key one whose owner may query (as handle_query judges it), with the
 * request decoded into q; NULL otherwise. Under conf_lock.
 */
static const struct reg_party *
asker(struct watch *w, const struct tframes *f, bool too_large,
      struct query_req *q)
{
	const struct reg_key *k;
	struct reg_user who;

	if (too_large || f->n != 2 ||
	    codec_query_req_decode(f->data[1], f->len[1], q) != 0)
		return NULL;
	k = registry_by_user_id(w->c->reg, f->user_id, date_now_ms(), &who);
	if (k == NULL || k->owner == NULL || k->owner->node)
		return NULL;
	return k->owner;
}

/*
 * Whether f, a request taken during w's audit, is one whose answer reads
 * the store alone (query_apart): it is then answered, at once. When it
 * is not (look holds it), whether f asks, during a preparation's audit,
 * for the release of the year being prepared (query_release_year): its
 * answer then needs the very audit under way (*for_year). whom gets the
 * asker's id, or "none", for look's log line (copied: the registry may
 * be reloaded once conf_lock is let go).
 */
static bool
answered_apart(struct watch *w, const struct tframes *f, bool too_large,
	       bool *for_year, char whom[KEYS_ID_MAX])
{
	const struct reg_party *who;
	struct query_req q;
	uint32_t year = 0;
	bool yes;

	pthread_rwlock_rdlock(&w->c->conf_lock);
	who = asker(w, f, too_large, &q);
	yes = who != NULL && query_apart(&q, who);
	if (yes)
		handle_query(w->c, f, false, NULL);
	*for_year = !yes && !w->demand && who != NULL &&
		    query_release_year(&q, who, &year) && year == w->year;
	snprintf(whom, KEYS_ID_MAX, "%s", who != NULL ? who->id : "none");
	pthread_rwlock_unlock(&w->c->conf_lock);
	return yes;
}

/*
 * One look of request_waits at the requests waiting: those answered
 * apart, up to AUDIT_ANSWERS_MAX, the others held, up to HELD_MAX in
 * all, and past them refused (CODEC_QUERY_BUSY), up to BUSY_REFUSE_MAX.
 * Whether the audit is to give way.
 */
static bool
look(struct watch *w)
{
	size_t busy = 0, sent = 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	bool yield = false;
	int n = 0;

	while (n < AUDIT_ANSWERS_MAX && busy < BUSY_REFUSE_MAX) {
		bool stop = false, too_large, for_year;
		char whom[KEYS_ID_MAX];
		struct tframes f;

		/* A question's audit is not given up for a stop: it is
		 * answered, then the thread stops, as before. */
		if (!w->demand &&
		    wait_request(w->c, w->c->query_stop_fd, &stop, 0) > 0 &&
		    stop) {
			w->stop = w->seen = yield = true;
			break;
		}
		if (query_reader_take(w->c->qreader, &f, &too_large) != 0)
			break;
		if (answered_apart(w, &f, too_large, &for_year, whom)) {
			w->served++;
			tframes_clear(&f);
			n++;
			continue;
		}
		/* Past HELD_MAX: refused at once, the socket read on. */
		if (w->held->n == HELD_MAX) {
			if (buf != NULL ||
			    refusal(w->c, CODEC_QUERY_BUSY, &buf, &len) == 0) {
				query_reader_answer(w->c->qreader, &f, buf, len,
						    false);
				sent++;
			}
			tframes_clear(&f);
			busy++;
			continue;
		}
		/* The first held decides: a preparation goes on for a
		 * question of its year, and then for every one behind. */
		if (!w->carried)
			w->carried = for_year;
		held_push(w->held, &f, too_large);
		log_debug("event=query_held who=%s held=%zu", whom, w->held->n);
		if (!w->carried) {
			bool first = !w->seen;
			w->seen = yield = true;
			/* Once it has given way, the audit ends at its
			 * next integer programme: read on meanwhile. */
			if (first)
				break;
		}
		n++;
	}
	free(buf);
	if (busy > 0)
		log_debug("event=query_busy_refused read=%zu refused=%zu", busy,
			  sent);
	w->c->queries_refused_busy += sent;
	return yield;
}

/*
 * Whether the audit in progress is to give way. Asked every few ms while
 * the audit runs on a thread of its own (release_set_cancel: release.c's
 * compute_watched), and after each resample of a bootstrap
 * (estimate_set_watch); it looks every PREPARE_YIELD_MS at most, and on
 * once the audit has given way, until it stops at its next integer
 * programme. The requests waiting on the query socket
 * are taken in turn: one answered apart (answered_apart: any table of
 * an analyst's or an institution's but a bootstrap, the secretariat's
 * deliveries and indicator_definitions: the store alone) is
 * answered at once, and the audit goes on, up to AUDIT_ANSWERS_MAX a
 * look, the next look put off by as long as those answers took; the
 * others are held, in arrival order, and the socket read on for those
 * answered apart behind them; past HELD_MAX held, each refused at once
 * (CODEC_QUERY_BUSY), so that the socket is still read. A question's audit
 * (demand) goes on whatever is held: the requests held are answered
 * after the question. A preparation's goes on when the first request
 * held is a question of the year being prepared (answered_apart's
 * for_year), answered by it, and is no longer given up for the requests
 * held behind it (they wait, as they would behind that question asked
 * at a quiet time: given up, its work would be done again from nothing
 * before they were answered); any other first request held makes it
 * give way, as does the thread asked to stop.
 */
static bool
request_waits(void *arg)
{
	struct watch *w = arg;
	uint64_t now = date_mono_ms(), spent;
	bool r;

	if (now < w->next_ms || w->looking)
		return w->seen;
	w->looking = true;
	r = look(w);
	w->looking = false;
	/* The next look once the audit has had as long as the answers. */
	spent = date_mono_ms() - now;
	w->next_ms =
	    now + (2 * spent > PREPARE_YIELD_MS ? 2 * spent : PREPARE_YIELD_MS);
	return r || w->seen;
}

/* Whether the thread is asked to stop (the descriptor stays readable). */
static bool
stopping(struct cons *c)
{
	bool stop = false;

	(void)tsock_poll_fd(NULL, 0, NULL, c->query_stop_fd, &stop, 0);
	return stop;
}

/*
 * Answers the requests of q in turn (handle_query), those held meanwhile by
 * their audits (request_waits) after those already there, until none is
 * left, or the thread is to stop: those left are then refused
 * (held_refuse). Each is cleared.
 */
static void
answer(struct cons *c, struct held_queue *q)
{
	while (q->n > 0) {
		struct watch w = {.c = c, .demand = true, .carried = true};
		struct held_req h = held_pop(q);

		w.held = q;
		handle_query(c, &h.f, h.too_large, &w);
		tframes_clear(&h.f);
		if (q->n > 0 && stopping(c))
			held_refuse(c, q);
	}
}

/*
 * Makes the secretariat's release of one year with data, when one is due
 * (prepare.h), so that its first question of that year finds it cached.
 * One year at a time, and only while nobody asks: a request that comes
 * meanwhile makes the audit give way (its work is lost, the year waits
 * again for a quiet time), so that the request is answered at once,
 * unless it is a question of that year's release, which the audit goes
 * on for (request_waits). The audit runs without conf_lock (it reads the
 * store, and the grants and k it was given): a reload meanwhile does not
 * wait for it, nor status behind the reload. The requests held are
 * answered before the return, in arrival order.
 */
static void
prepare_one(struct cons *c)
{
	struct held_queue held = {.n = 0};
	struct watch w = {.c = c, .held = &held};
	uint64_t t0 = date_mono_ms();
	uint32_t year;
	unsigned long k;
	bool computed = false, due, answered;
	int r;

	pthread_rwlock_rdlock(&c->conf_lock);
	due = prepare_take(c->cfg.prepare_quiet_s * 1000, t0, &year);
	if (due && !has_secretariat(c->reg)) {
		prepare_forget();
		due = false;
	}
	/* The audit follows the registry in force, as a query's would (a
	 * reload that changes it forgets what was made meanwhile). */
	if (due)
		release_set_grants(c->reg);
	k = c->cfg.k;
	pthread_rwlock_unlock(&c->conf_lock);
	if (!due)
		return;
	w.year = year;
	log_debug("event=release_prepare_started year=%u k=%lu", year, k);
	r = query_prepare(c->st, year, (unsigned)k, request_waits, &w,
			  &computed);
	if (r == -ECANCELED) {
		uint64_t now = date_mono_ms();
		prepare_abandon(year, now);
		log_info("event=release_prepare_abandoned year=%u k=%lu "
			 "ms=%llu",
			 year, k, (unsigned long long)(now - t0));
	} else {
		prepare_done();
		if (r != 0)
			log_warnx("event=release_prepare_failed year=%u "
				  "error=%s",
				  year, LOG_Q(strerror(-r)));
		else
			(computed || w.carried ? log_info : log_debug)(
			    "event=release_prepared year=%u k=%lu computed=%d "
			    "asked=%d ms=%llu",
			    year, k, computed, w.carried,
			    (unsigned long long)(date_mono_ms() - t0));
	}
	/* The requests held meanwhile, in their turn; any request answered
	 * (those answered apart too) puts the next year off. */
	answered = w.served > 0;
	if (held.n > 0 && !w.stop) {
		answer(c, &held);
		answered = true;
	}
	if (answered)
		prepare_busy(date_mono_ms());
	held_refuse(c, &held); /* the stop that made the audit give way */
}

static void *
query_main(void *arg)
{
	struct cons *c = arg;
	struct held_queue held_q = {.n = 0};
	bool held = false;

	/* Named for ps -L, top -H and the tests' shim (slowread.c). */
	(void)pthread_setname_np(pthread_self(), QUERY_THREAD_NAME);
	for (;;) {
		bool stop = false, idle;
		struct tframes f;
		int n, r;

		r = wait_request(c, c->query_stop_fd, &stop,
				 poll_timeout(c, held));
		if (stop)
			break;
		idle = r == 0;
		if (r < 0 && r != -EINTR) {
			log_warnx("event=query_poll_failed error=%s",
				  LOG_Q(strerror(-r)));
			usleep(100000);
			continue;
		}
		for (n = 0; r > 0 && n < QUERY_BATCH; n++) {
			bool too_large;
			if (query_reader_take(c->qreader, &f, &too_large) != 0)
				break;
			held_push(&held_q, &f, too_large);
			answer(c, &held_q);
			/* Stopping: those behind are refused (unread_refuse),
			 * not answered, each perhaps after an audit of its
			 * own, while the stop waits. */
			if (stopping(c))
				break;
		}
		held = query_log_tick(c);
		/* No request waits: a year's release may be made; one
		 * answered puts it off (prepare_busy). */
		if (idle)
			prepare_one(c);
		else if (n > 0)
			prepare_busy(date_mono_ms());
	}
	/* Stopping: the requests still queued are told so. */
	unread_refuse(c);
	/* The audit trail's last word counts what it held back. */
	for (size_t i = 0; i < REGISTRY_MAX_PARTIES; i++)
		query_log_flush(&c->query_log[i]);
	/* The disclosure audits and the estimates ran GLPK here. */
	lp_thread_end();
	return NULL;
}

int
query_net_start(struct cons *c)
{
	sigset_t all, old;
	int r;

	c->query_stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->query_stop_fd < 0)
		return -errno;
	/* The main thread alone writes cfg: no lock needed to read it. */
	c->qreader =
	    query_reader_start(c, c->query, 1 + QUERY_MAX_PARTS,
			       QUERY_MAX_BYTES, (uint32_t)c->cfg.k, &r);
	if (c->qreader == NULL) {
		close(c->query_stop_fd);
		c->query_stop_fd = -1;
		return r;
	}
	/* Signals go to the main thread, whose poll they must wake. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	deliveries_set_contact(c->contact_ms);
	/* Nothing is cached at start: the latest years are made ready
	 * once quiet, as after a delivery. */
	r = prepare_note_store(c->st, date_today(), date_mono_ms());
	if (r != 0)
		log_warnx("event=release_prepare_failed error=%s",
			  LOG_Q(strerror(-r)));
	r = pthread_create(&c->query_thread, NULL, query_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		query_reader_stop(&c->qreader);
		close(c->query_stop_fd);
		c->query_stop_fd = -1;
		return -r;
	}
	c->query_running = true;
	return 0;
}

void
query_net_stop(struct cons *c)
{
	uint64_t one = 1;

	if (!c->query_running)
		return;
	(void)!write(c->query_stop_fd, &one, sizeof(one));
	pthread_join(c->query_thread, NULL);
	/* The answers and refusals it handed over go out, then the socket
	 * is the main thread's again, to close. */
	query_reader_stop(&c->qreader);
	deliveries_set_contact(NULL);
	close(c->query_stop_fd);
	c->query_stop_fd = -1;
	c->query_running = false;
}
