/*
 * query_net_int.h - what query_net.c (the query thread), query_net_answer.c
 * (one request answered) and query_net_watch.c (the socket during an
 * audit, the requests held, the refusals at a stop) share: internal to
 * the three.
 */
#ifndef KUSKA_QUERY_NET_INT_H
#define KUSKA_QUERY_NET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cons.h"
#include "transport.h"

/* A request's bytes at most (one frame). */
#define QUERY_MAX_BYTES (64 * 1024)
/* Frames of a request read whole (a request is one): a refusal says how
 * many came up to this, over the size limit past it. */
#define QUERY_MAX_PARTS 4

/* Lines of answered requests (event=query) per asker: a report asks a
 * few dozen tables at once, all logged; past the burst, one a second. */
#define QUERY_LOG_BURST 100
#define QUERY_LOG_EVERY_MS 1000

/* Requests held during audits at most (query_net_request_waits), each keeping
 * up to QUERY_MAX_BYTES of frames: past them, each request not answered apart
 * is refused at once (CODEC_QUERY_BUSY), so that the reader's queues
 * (query_reader.h) are taken on, those answered apart among them. */
#define HELD_MAX 16

/* A request held, its routing id with it. */
struct held_req {
	struct tframes f;
	bool too_large;
	uint32_t year;	       /* of the release it may wait for
				  (query_takes_release), or 0 */
	char who[KEYS_ID_MAX]; /* its asker's id, for the log */
};

/* The requests held, in arrival order (a ring), answered in that order. */
struct held_queue {
	struct held_req r[HELD_MAX];
	size_t head, n;
};

/*
 * An audit's watch on the query socket (query_net_request_waits): a
 * preparation's (prepare_one), or a question's (demand: query_net_handle's,
 * answer). The requests answered apart that come during it are answered at
 * once, at most AUDIT_ANSWERS_MAX per look; the others are taken off the socket
 * and held, up to HELD_MAX in all (past them, refused at once:
 * CODEC_QUERY_BUSY), and answered (answer) once the audit ends, in
 * arrival order, whatever its end; at a stop, refused (query_net_held_refuse).
 * Once a release has been computed a while, those that may wait for one, the
 * question in hand among them, are answered PREPARING instead
 * (CODEC_QUERY_PREPARING_PREFIX; query_net_watch.c).
 */
struct watch {
	struct cons *c;
	uint32_t year;	  /* being prepared */
	bool demand;	  /* a question's: never given up (but at a
			     stop once req_answered) */
	uint64_t next_ms; /* when to look again */
	bool seen;	  /* give way: a request held, or the thread stops */
	bool stop;	  /* the thread is to stop */
	bool carried;	  /* the first held is a question of year's release,
			     or the audit a question's */
	struct held_queue *held; /* shared with answer's later audits */
	bool looking;		 /* in look: a request it answers does not
				    look again */
	unsigned long served;	 /* requests answered apart during it */
	/* A question's (demand): the request in hand, while query_run
	 * answers it, or NULL. */
	const struct tframes *req;
	const char *req_who; /* its asker's id */
	uint32_t req_year;   /* of the release it may wait for, or 0 */
	bool req_answered;   /* told PREPARING: its table is not sent */
};

/*
 * query_net_handle - answers one request (query_net_answer.c, which says
 * how; w NULL: answered apart during an audit, under conf_lock).
 */
void query_net_handle(struct cons *c, const struct tframes *req, bool too_large,
		      struct watch *w);

/*
 * query_net_log_flush - says what l held back, whatever its budget.
 * query_net_log_tick - says, within each asker's budget, the lines held
 *	back of askers that paused; whether some are still held back.
 */
void query_net_log_flush(struct query_log *l);
bool query_net_log_tick(struct cons *c);

/*
 * query_net_kept_clear - forgets the answer of the last question told
 * PREPARING, kept for its next try (c->preparing_kept,
 * query_net_answer.c): at the query thread's end.
 */
void query_net_kept_clear(struct cons *c);

/*
 * query_net_wait_request - waits up to timeout_ms (-1: forever) for a
 * request from the reader, or for stop_fd (-1: none) to be readable
 * (*ret_stop, may be NULL): the number ready (0 on time-out), or -errno.
 */
int query_net_wait_request(struct cons *c, int stop_fd, bool *ret_stop,
			   long timeout_ms);

/* query_net_held_push, query_net_held_pop - a request (h, its frames
 * now q's) put at the end of q (which has room), or taken from its head
 * (q holds one). */
void query_net_held_push(struct held_queue *q, const struct held_req *h);
struct held_req query_net_held_pop(struct held_queue *q);

/*
 * query_net_held_refuse - answers every request held in q with the
 * refusal CODEC_QUERY_STOPPING (the thread stops), clearing each.
 * query_net_unread_refuse - at a stop, once the thread answers no more:
 *	refuses so the requests still waiting in the reader's queues.
 */
void query_net_held_refuse(struct cons *c, struct held_queue *q);
void query_net_unread_refuse(struct cons *c);

/*
 * query_net_request_waits - whether the audit in progress (arg: its
 * struct watch) is to give way, answering or holding meanwhile the
 * requests waiting (query_net_watch.c says how).
 */
bool query_net_request_waits(void *arg);

#endif
