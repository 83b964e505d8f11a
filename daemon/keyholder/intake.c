/*
 * intake.c - the key holder's reading of its listening socket, apart from
 * the answering: every message the socket holds is read at each pass of
 * the loop and between chunks of an evaluation, judged, and set waiting
 * its turn in its node's line; see keyholder.h.
 *
 * libzmq 4.3.4 stops reading a connection that holds ZMQ_RCVHWM messages
 * the daemon has not read, and aborts if that connection then ends
 * before the daemon reads about half of them (docs/SECURITY.md, "Hostile
 * peers"). A request of max_batch elements is a second or more of
 * evaluation: read 16 messages a pass, a stolen node key flooding one
 * connection meanwhile and ending it aborted the key holder. So the
 * socket has ZMQ_RCVHWM lifted, and the bounds are ours: a node's line
 * and all of them together, past which a request is refused at once as
 * busy, and past KH_BUSY_PER_PASS refusals in a read dropped unanswered.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "keyholder.h"
#include "log.h"

struct kh_request {
	struct kh_request *next;
	struct tframes f;
	size_t bytes;
};

/* What a read of the socket refused and dropped, for its log line. */
struct over {
	const char *node; /* the first node over its bounds */
	size_t waiting;	  /* its requests waiting then */
	unsigned refused, dropped;
};

/* The bytes a request keeps while it waits. */
static size_t
bytes_of(const struct tframes *f)
{
	return sizeof(struct kh_request) + f->len[0] + f->len[1];
}

static bool
fits(const struct keyholder *kh, const struct kh_line *l, size_t bytes)
{
	return l->n < KH_WAIT_PER_NODE &&
	       l->bytes + bytes <= KH_WAIT_NODE_BYTES &&
	       kh->n_waiting < KH_WAIT_MAX &&
	       kh->waiting_bytes + bytes <= KH_WAIT_BYTES;
}

/*
 * Sets the message f (read whole) waiting in its node's line, or refuses
 * or drops it; f is left cleared either way.
 */
static void
take(struct keyholder *kh, struct tframes *f, struct over *o)
{
	struct account *a = keyholder_sender(kh, f);
	struct kh_request *rq;
	struct kh_line *l;
	size_t bytes;

	if (a == NULL)
		return;
	l = &kh->waiting[a - kh->acc.a];
	bytes = bytes_of(f);
	if (!fits(kh, l, bytes) || (rq = malloc(sizeof(*rq))) == NULL) {
		if (o->node == NULL) {
			o->node = a->id;
			o->waiting = l->n;
		}
		if (o->refused < KH_BUSY_PER_PASS) {
			keyholder_refuse_busy(kh, f, l->n);
			o->refused++;
		} else {
			kh->requests_dropped++;
			o->dropped++;
		}
		return;
	}
	rq->next = NULL;
	/* Its connection as it is read, for a close should it be refused
	 * once its turn comes (keyholder_evaluate): by then f->fd may hold
	 * another's. */
	f->conn_id = admit_id(kh->admit, f->fd);
	rq->f = *f;
	memset(f, 0, sizeof(*f)); /* the frames are rq's now */
	rq->bytes = bytes;
	if (l->tail != NULL)
		l->tail->next = rq;
	else
		l->head = rq;
	l->tail = rq;
	l->n++;
	l->bytes += bytes;
	kh->n_waiting++;
	kh->waiting_bytes += bytes;
}

void
keyholder_intake(struct keyholder *kh)
{
	struct over o = {0};
	struct tframes f;
	int r;

	for (;;) {
		r = tsock_recv(kh->listen, &f, 2, kh->max_request_bytes);
		if (r == -EMSGSIZE)
			keyholder_refuse_large(kh, &f);
		else if (r == 0)
			take(kh, &f, &o);
		tframes_clear(&f);
		if (r != 0 && r != -EMSGSIZE)
			break;
	}
	if (o.node != NULL)
		log_warnx_budget(&kh->busy_log,
				 "event=requests_busy node=%s waiting=%zu "
				 "refused=%u dropped=%u waiting_all=%zu",
				 o.node, o.waiting, o.refused, o.dropped,
				 kh->n_waiting);
}

bool
keyholder_serve_next(struct keyholder *kh)
{
	struct kh_request *rq;
	struct kh_line *l;
	size_t i, k;

	for (k = 0; k < ACCOUNT_MAX && kh->n_waiting > 0; k++) {
		i = (kh->turn + k) % ACCOUNT_MAX;
		l = &kh->waiting[i];
		if (l->head == NULL)
			continue;
		rq = l->head;
		l->head = rq->next;
		if (l->head == NULL)
			l->tail = NULL;
		l->n--;
		l->bytes -= rq->bytes;
		kh->n_waiting--;
		kh->waiting_bytes -= rq->bytes;
		kh->turn = (i + 1) % ACCOUNT_MAX;
		keyholder_evaluate(kh, &kh->acc.a[i], &rq->f);
		tframes_clear(&rq->f);
		free(rq);
		break;
	}
	return kh->n_waiting > 0;
}

void
keyholder_waiting_free(struct keyholder *kh)
{
	size_t i;

	for (i = 0; i < ACCOUNT_MAX; i++) {
		struct kh_line *l = &kh->waiting[i];

		while (l->head != NULL) {
			struct kh_request *rq = l->head;

			l->head = rq->next;
			tframes_clear(&rq->f);
			free(rq);
		}
		memset(l, 0, sizeof(*l));
	}
	kh->n_waiting = 0;
	kh->waiting_bytes = 0;
}
