/*
 * query_net.c - the query thread (see query_net.h): its loop, which takes
 * the requests the query socket's reader hands on and answers each in
 * turn (query_net_answer.c), the secretariat's releases made ahead while
 * nobody asks, and its start and stop. The watch on the socket during an
 * audit, and the requests it holds or refuses, are in query_net_watch.c.
 */
#include "query_net.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon.h"
#include "date.h"
#include "deliveries.h"
#include "log.h"
#include "lp.h"
#include "prepare.h"
#include "query.h"
#include "query_net_int.h"
#include "query_reader.h"
#include "release.h"

/* Messages read from the query socket in a row. */
#define QUERY_BATCH 16

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

/*
 * Waits up to timeout_ms (-1: forever) for a request from the query
 * socket's reader (query_reader_take), or for descriptor stop_fd (-1:
 * none) to be readable, which *ret_stop (may be NULL) then says. Returns
 * the number ready (0 on time-out), or -errno.
 */
int
query_net_wait_request(struct cons *c, int stop_fd, bool *ret_stop,
		       long timeout_ms)
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

/* Whether the thread is asked to stop (the descriptor stays readable). */
static bool
stopping(struct cons *c)
{
	bool stop = false;

	(void)tsock_poll_fd(NULL, 0, NULL, c->query_stop_fd, &stop, 0);
	return stop;
}

/*
 * Answers the requests of q in turn (query_net_handle), those held meanwhile by
 * their audits (query_net_request_waits) after those already there, until none
 * is left, or the thread is to stop: those left are then refused
 * (query_net_held_refuse). Each is cleared.
 */
static void
answer(struct cons *c, struct held_queue *q)
{
	while (q->n > 0) {
		struct watch w = {.c = c, .demand = true, .carried = true};
		struct held_req h = query_net_held_pop(q);

		w.held = q;
		query_net_handle(c, &h.f, h.too_large, &w);
		tframes_clear(&h.f);
		if (q->n > 0 && stopping(c))
			query_net_held_refuse(c, q);
	}
}

/*
 * Makes the secretariat's release of one year with data, when one is due
 * (prepare.h), so that its first question of that year finds it cached.
 * One year at a time, and only while nobody asks: a request that comes
 * meanwhile makes the audit give way (its work is lost, the year waits
 * again for a quiet time), so that the request is answered at once,
 * unless it is a question of that year's release, which the audit goes
 * on for (query_net_request_waits). The audit runs without conf_lock (it reads
 * the store, and the grants and k it was given): a reload meanwhile does not
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
	r = query_prepare(c->st, year, (unsigned)k, query_net_request_waits, &w,
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
	/* The stop that made the audit give way. */
	query_net_held_refuse(c, &held);
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
		int n, r;

		r = query_net_wait_request(c, c->query_stop_fd, &stop,
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
			struct held_req h = {.year = 0};
			if (query_reader_take(c->qreader, &h.f, &h.too_large) !=
			    0)
				break;
			query_net_held_push(&held_q, &h);
			answer(c, &held_q);
			/* Stopping: those behind are refused
			 * (query_net_unread_refuse), not answered, each perhaps
			 * after an audit of its own, while the stop waits. */
			if (stopping(c))
				break;
		}
		held = query_net_log_tick(c);
		/* No request waits: a year's release may be made; one
		 * answered puts it off (prepare_busy). */
		if (idle)
			prepare_one(c);
		else if (n > 0)
			prepare_busy(date_mono_ms());
	}
	/* Stopping: the requests still queued are told so. */
	query_net_unread_refuse(c);
	/* The audit trail's last word counts what it held back. */
	for (size_t i = 0; i < REGISTRY_MAX_PARTIES; i++)
		query_net_log_flush(&c->query_log[i]);
	query_net_kept_clear(c);
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
	daemon_thread_signals(&all);
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
