/*
 * query_net_watch.c - the query socket while an audit runs: its watch
 * (query_net_request_waits), which answers at once the requests answered
 * apart and holds the others, or refuses them as busy past HELD_MAX; the
 * queue of requests held; and at a stop, the refusals of those held or
 * still unread (CODEC_QUERY_STOPPING). See query_net_int.h.
 */
#include "query_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "log.h"
#include "query.h"
#include "query_net_int.h"
#include "query_reader.h"
#include "release.h"

/* How often, at most, an audit looks for a request waiting. */
#define PREPARE_YIELD_MS 10
/* Requests answered apart at most per look (query_net_request_waits): a flood
 * of analysts' counting tables holds an audit up by no more than these answers
 * (0.05 ms each, against the PREPARE_YIELD_MS between two looks). Dearer ones
 * (an estimate's fits, 1 to 2 ms; sdg16_2_2's, twice that; indicators, a
 * counting table per table they name) put the next look off by as long as they
 * took: the audit, on a thread of its own, keeps at least half a processor,
 * whatever comes. */
#define AUDIT_ANSWERS_MAX 8

/* How long a release is computed before the requests that may wait for one
 * (query_takes_release) are answered CODEC_QUERY_PREPARING_PREFIX... rather
 * than held (look): most releases take under a second and are answered
 * whole; one that runs longer (tens of seconds on a loaded machine) goes on
 * while kuska asks again, no question left to the client's 15 s time-out. */
#define PREPARING_AFTER_MS 2000

/* Requests refused as busy at most per look: a flood's, read and refused
 * in a few milliseconds each look, do not hold the audit up for long. */
#define BUSY_REFUSE_MAX 1024

void
query_net_held_push(struct held_queue *q, const struct held_req *h)
{
	q->r[(q->head + q->n++) % HELD_MAX] = *h;
}

struct held_req
query_net_held_pop(struct held_queue *q)
{
	struct held_req h = q->r[q->head];

	q->head = (q->head + 1) % HELD_MAX;
	q->n--;
	return h;
}

/* How long the query socket's reader keeps it open at a stop once
 * stopping refusals went out (query_net_held_refuse's,
 * query_net_unread_refuse's, its own), reading and refusing what comes, and how
 * long its close then waits for what is unsent (query_reader_stopping). */
#define QUERY_STOP_LINGER_MS 1000
/* Requests still unread at a stop that query_net_unread_refuse reads and
 * refuses, at most: what a flood has queued is refused in a few milliseconds,
 * and a client that keeps asking does not hold the stop up. */
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
void
query_net_held_refuse(struct cons *c, struct held_queue *q)
{
	size_t n = q->n, sent = 0;
	uint8_t *buf;
	size_t len;

	if (n == 0)
		return;
	(void)stopping_refusal(c, &buf, &len);
	while (q->n > 0) {
		struct held_req h = query_net_held_pop(q);
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
 * and refuses each with CODEC_QUERY_STOPPING, as query_net_held_refuse does
 * those held (the reader refuses so those it has no room for meanwhile). Once
 * any is refused (here or query_net_held_refuse), the reader, at its stop,
 * refuses those left and keeps the socket open QUERY_STOP_LINGER_MS more,
 * refusing those that come meanwhile (query_reader.h): closed just after
 * they were sent, some refusals were lost, the socket's linger
 * notwithstanding (test_audit_serve on a loaded host: a few of 56 in
 * about one run of three, with a linger of 5 s too), and none when the
 * socket stayed open a while. Those that come later are dropped at the
 * close: their clients time out.
 */
void
query_net_unread_refuse(struct cons *c)
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
 * Answers f, a request of who's that may wait for the release of year
 * (query_takes_release), with CODEC_QUERY_PREPARING_PREFIX...: the release
 * of ayear is being computed, for ran_ms so far (release_computing), and its
 * client asks again. Returns 0, or -1 when no answer could be made (f is
 * then left as it was).
 */
static int
preparing(struct watch *w, const struct tframes *f, const char *who,
	  uint32_t year, uint32_t ayear, uint64_t ran_ms)
{
	char text[sizeof(((struct qtable *)NULL)->error)];
	unsigned long long s = (unsigned long long)(ran_ms / 1000);
	uint8_t *buf;
	size_t len;
	int n;

	if (year == ayear)
		n = snprintf(text, sizeof(text),
			     CODEC_QUERY_PREPARING_PREFIX
			     "the release of %u is being computed (started "
			     "%llu s ago)" CODEC_QUERY_PREPARING_AGAIN,
			     ayear, s);
	else
		n = snprintf(
		    text, sizeof(text),
		    CODEC_QUERY_PREPARING_PREFIX
		    "the release of %u waits for that of %u, being "
		    "computed (started %llu s ago)" CODEC_QUERY_PREPARING_AGAIN,
		    year, ayear, s);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    refusal(w->c, text, &buf, &len) != 0)
		return -1;
	query_reader_answer(w->c->qreader, f, buf, len, false);
	free(buf);
	log_debug("event=query_preparing who=%s year=%u computing=%u ms=%llu",
		  who, year, ayear, (unsigned long long)ran_ms);
	return 0;
}

/*
 * Once the audit in progress, of ayear's release, has run ran_ms (at least
 * PREPARING_AFTER_MS): the question in hand, if it may wait for a release,
 * and every request held that may, are answered so (preparing) and no
 * longer held; the others stay held, in their order.
 */
static void
preparing_held(struct watch *w, uint32_t ayear, uint64_t ran_ms)
{
	size_t n = w->held->n;

	if (w->req != NULL && w->req_year != 0 && !w->req_answered)
		w->req_answered = preparing(w, w->req, w->req_who, w->req_year,
					    ayear, ran_ms) == 0;
	while (n-- > 0) {
		struct held_req h = query_net_held_pop(w->held);
		if (h.year != 0 &&
		    preparing(w, &h.f, h.who, h.year, ayear, ran_ms) == 0)
			tframes_clear(&h.f);
		else
			query_net_held_push(w->held, &h);
	}
}

/*
 * Who asks f, a request taken during w's audit, when it is a request and
 * its key one whose owner may query (as query_net_handle judges it), with the
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
 * answer then needs the very audit under way (*for_year); and the year of
 * the release it may wait for (query_takes_release), or 0, into
 * *ret_year. whom gets the asker's id, or "none", for look's log line
 * (copied: the registry may be reloaded once conf_lock is let go).
 */
static bool
answered_apart(struct watch *w, const struct tframes *f, bool too_large,
	       bool *for_year, uint32_t *ret_year, char whom[KEYS_ID_MAX])
{
	const struct reg_party *who;
	struct query_req q;
	uint32_t year = 0;
	bool yes;

	pthread_rwlock_rdlock(&w->c->conf_lock);
	who = asker(w, f, too_large, &q);
	yes = who != NULL && query_apart(&q, who);
	if (yes)
		query_net_handle(w->c, f, false, NULL);
	*ret_year = 0;
	if (!yes && who != NULL)
		(void)query_takes_release(&q, who, ret_year);
	*for_year = !yes && !w->demand && who != NULL &&
		    query_release_year(&q, who, &year) && year == w->year;
	snprintf(whom, KEYS_ID_MAX, "%s", who != NULL ? who->id : "none");
	pthread_rwlock_unlock(&w->c->conf_lock);
	return yes;
}

/*
 * A preparation's audit takes f, a request that is not answered apart:
 * for_year, a question of the year being prepared, as the first taken
 * carries it on, and every one behind; any other first makes it give way
 * (*yield). Whether look is to stop reading (it gave way just now: it ends
 * at its next integer programme, read on meanwhile).
 */
static bool
taken(struct watch *w, bool for_year, bool *yield)
{
	bool first;

	if (!w->carried)
		w->carried = for_year;
	if (w->carried)
		return false;
	first = !w->seen;
	w->seen = *yield = true;
	return first;
}

/*
 * One look of query_net_request_waits at the requests waiting: those answered
 * apart, up to AUDIT_ANSWERS_MAX, the others held, up to HELD_MAX in
 * all, and past them refused (CODEC_QUERY_BUSY), up to BUSY_REFUSE_MAX.
 * Once a release has been computed PREPARING_AFTER_MS, a request that may
 * wait for a release is answered CODEC_QUERY_PREPARING_PREFIX... instead
 * of held, as are the question in hand and those held (preparing_held).
 * Whether the audit is to give way.
 */
static bool
look(struct watch *w)
{
	size_t busy = 0, sent = 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	bool yield = false, long_audit;
	uint32_t ayear = 0;
	uint64_t ran = 0;
	int n = 0;

	long_audit =
	    release_computing(&ayear, &ran) && ran >= PREPARING_AFTER_MS;
	if (long_audit)
		preparing_held(w, ayear, ran);
	while (n < AUDIT_ANSWERS_MAX && busy < BUSY_REFUSE_MAX) {
		bool stop = false, for_year;
		struct held_req h = {.year = 0};

		/* A question's audit is not given up for a stop: it is
		 * answered, then the thread stops, as before; unless its
		 * question was told PREPARING: nobody waits for it then, and
		 * the release would go with the process. */
		if ((!w->demand || w->req_answered) &&
		    query_net_wait_request(w->c, w->c->query_stop_fd, &stop,
					   0) > 0 &&
		    stop) {
			w->stop = w->seen = yield = true;
			break;
		}
		if (query_reader_take(w->c->qreader, &h.f, &h.too_large) != 0)
			break;
		if (answered_apart(w, &h.f, h.too_large, &for_year, &h.year,
				   h.who)) {
			w->served++;
			tframes_clear(&h.f);
			n++;
			continue;
		}
		/* The audit has run long: told so, it asks again. */
		if (long_audit && h.year != 0 &&
		    preparing(w, &h.f, h.who, h.year, ayear, ran) == 0) {
			tframes_clear(&h.f);
			n++;
			if (taken(w, for_year, &yield))
				break;
			continue;
		}
		/* Past HELD_MAX: refused at once, the socket read on. */
		if (w->held->n == HELD_MAX) {
			if (buf != NULL ||
			    refusal(w->c, CODEC_QUERY_BUSY, &buf, &len) == 0) {
				query_reader_answer(w->c->qreader, &h.f, buf,
						    len, false);
				sent++;
			}
			tframes_clear(&h.f);
			busy++;
			continue;
		}
		query_net_held_push(w->held, &h);
		log_debug("event=query_held who=%s held=%zu", h.who,
			  w->held->n);
		n++;
		/* The first held decides: a preparation goes on for a
		 * question of its year, and then for every one behind. */
		if (taken(w, for_year, &yield))
			break;
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
 * give way, as does the thread asked to stop. Once a release has been
 * computed PREPARING_AFTER_MS, the question in hand and every request that
 * may wait for a release (query_takes_release) are answered
 * CODEC_QUERY_PREPARING_PREFIX... at once rather than held, the audit going
 * on for them as it would have (look, preparing_held): kuska asks again.
 */
bool
query_net_request_waits(void *arg)
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
