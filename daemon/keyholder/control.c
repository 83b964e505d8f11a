/* control.c - the key holder's status and metrics; see keyholder.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "daemon.h"
#include "date.h"
#include "keyholder.h"
#include "log.h"
#include "service.h"

static void
answer(struct keyholder *kh, const struct tframes *req, const struct control *c)
{
	int err = daemon_reply(kh->control, req, c);

	if (err == -EPROTO)
		log_warnx("event=reply_not_encoded");
	else if (err != 0)
		log_debug("control reply not delivered (client gone)");
}

static void
answer_error(struct keyholder *kh, const struct tframes *req, const char *text)
{
	struct control c;

	daemon_error_fill(&c, text);
	answer(kh, req, &c);
}

/* The institution of node id in the registry, or past the last when the
 * registry no longer lists it: status lists those last. */
static int
inst_rank(const struct registry *reg, const char *id)
{
	const struct reg_party *p = registry_party(reg, id);

	return p != NULL && p->node ? (int)p->inst : INST_COUNT + 1;
}

/* Nodes in institution order (pnp, mp, pj, mimp, minsa), as the
 * consolidator's status lists them, then by id (qsort_r, arg the
 * registry). */
static int
by_institution(const void *a, const void *b, void *reg)
{
	const struct keyholder_node *x = a, *y = b;
	int rx = inst_rank(reg, x->id), ry = inst_rank(reg, y->id);

	return rx != ry ? (rx > ry) - (rx < ry) : strcmp(x->id, y->id);
}

static void
status(struct keyholder *kh, const struct tframes *req)
{
	struct control c;
	uint64_t mono = date_mono_ms();
	size_t i;

	memset(&c, 0, sizeof(c));
	c.type = CTL_KEYHOLDER_STATUS;
	c.keyholder.epoch = kh->share->epoch;
	c.keyholder.now_ms = date_now_ms();
	c.keyholder.rate_per_day = kh->cfg.rate_per_day;
	c.keyholder.handshake_failures = kh->handshake_failures;
	c.keyholder.requests_refused = kh->requests_refused;
	if (kh->accounts_failed_ms != 0) {
		c.keyholder.accounts_failed_ms = kh->accounts_failed_ms;
		snprintf(c.keyholder.accounts_error,
			 sizeof(c.keyholder.accounts_error), "%s: %s",
			 kh->cfg.accounts, strerror(-kh->accounts_error));
	}
	c.keyholder.nodes = calloc(kh->acc.n + 1, sizeof(*c.keyholder.nodes));
	if (c.keyholder.nodes == NULL) {
		answer_error(kh, req, "out of memory");
		return;
	}
	c.keyholder.n_nodes = kh->acc.n;
	for (i = 0; i < kh->acc.n; i++) {
		struct account *a = &kh->acc.a[i];
		struct keyholder_node *n = &c.keyholder.nodes[i];
		snprintf(n->id, sizeof(n->id), "%s", a->id);
		n->requests = a->requests;
		n->evaluations = a->evaluations;
		n->refused_rate = a->refused_rate;
		n->refused_other = a->refused_other;
		n->last_request_ms = a->last_request_ms;
		n->last_refusal_ms = a->last_refusal_ms;
		n->allowance = account_left(a, kh->cfg.rate_per_day, mono);
	}
	qsort_r(c.keyholder.nodes, c.keyholder.n_nodes,
		sizeof(*c.keyholder.nodes), by_institution, kh->reg);
	answer(kh, req, &c);
	codec_control_clear(&c);
}

void
keyholder_metrics(void *arg, struct mtext *m)
{
	struct keyholder *kh = arg;
	struct admit_counts conns;
	uint64_t mono = date_mono_ms();
	char l[128];
	size_t i;

	metrics_one(m, "kuska_keyholder_key_epoch", "gauge",
		    "The key epoch of this holder's OPRF key share.", NULL,
		    (double)kh->share->epoch);
	metrics_family(m, "kuska_keyholder_requests_total", "counter",
		       "Requests received, by node.");
	for (i = 0; i < kh->acc.n; i++) {
		snprintf(l, sizeof(l), "node=\"%s\"", kh->acc.a[i].id);
		metrics_sample(m, "kuska_keyholder_requests_total", l,
			       (double)kh->acc.a[i].requests);
	}
	metrics_family(m, "kuska_keyholder_evaluations_total", "counter",
		       "Blinded elements evaluated, by node.");
	for (i = 0; i < kh->acc.n; i++) {
		snprintf(l, sizeof(l), "node=\"%s\"", kh->acc.a[i].id);
		metrics_sample(m, "kuska_keyholder_evaluations_total", l,
			       (double)kh->acc.a[i].evaluations);
	}
	metrics_family(m, "kuska_keyholder_refused_total", "counter",
		       "Blinded elements refused, by node and reason "
		       "(rate_limited: the node's allowance was spent).");
	for (i = 0; i < kh->acc.n; i++) {
		snprintf(l, sizeof(l), "node=\"%s\",reason=\"rate_limited\"",
			 kh->acc.a[i].id);
		metrics_sample(m, "kuska_keyholder_refused_total", l,
			       (double)kh->acc.a[i].refused_rate);
		snprintf(l, sizeof(l), "node=\"%s\",reason=\"other\"",
			 kh->acc.a[i].id);
		metrics_sample(m, "kuska_keyholder_refused_total", l,
			       (double)kh->acc.a[i].refused_other);
	}
	metrics_family(m, "kuska_keyholder_allowance", "gauge",
		       "Evaluations each node may still ask now.");
	for (i = 0; i < kh->acc.n; i++) {
		snprintf(l, sizeof(l), "node=\"%s\"", kh->acc.a[i].id);
		metrics_sample(m, "kuska_keyholder_allowance", l,
			       (double)account_left(
				   &kh->acc.a[i], kh->cfg.rate_per_day, mono));
	}
	metrics_one(m, "kuska_keyholder_rate_per_day", "gauge",
		    "Evaluations a node may ask per day.", NULL,
		    (double)kh->cfg.rate_per_day);
	metrics_one(m, "kuska_keyholder_handshake_failures_total", "counter",
		    "Connections refused by the ZAP handler.", NULL,
		    (double)kh->handshake_failures);
	admit_get_counts(kh->admit, &conns);
	admit_metrics(m, &conns, "kuska_keyholder", "key holder");
	metrics_one(m, "kuska_keyholder_frames_refused_total", "counter",
		    "Messages dropped unanswered (no admitted node's, or a "
		    "node's with no account left).",
		    NULL, (double)kh->frames_refused);
	metrics_one(m, "kuska_keyholder_requests_waiting", "gauge",
		    "Requests read and waiting their turn to be evaluated.",
		    NULL, (double)kh->n_waiting);
	metrics_family(m, "kuska_keyholder_node_requests_waiting", "gauge",
		       "Requests waiting their turn, by node (its line).");
	for (i = 0; i < kh->acc.n; i++) {
		snprintf(l, sizeof(l), "node=\"%s\"", kh->acc.a[i].id);
		metrics_sample(m, "kuska_keyholder_node_requests_waiting", l,
			       (double)kh->waiting[i].n);
	}
	metrics_one(m, "kuska_keyholder_requests_busy_total", "counter",
		    "Requests refused at once, unread, as busy: too many of "
		    "the node's (or in all) were waiting.",
		    NULL, (double)kh->requests_busy);
	metrics_one(m, "kuska_keyholder_requests_dropped_total", "counter",
		    "Requests dropped unanswered: too many waiting, and "
		    "too many refused as busy in one read of the socket.",
		    NULL, (double)kh->requests_dropped);
	metrics_one(m, "kuska_keyholder_accounts_not_saved_total", "counter",
		    "Requests refused because the accounts file could not be "
		    "written (a full disk, its directory's owner or mode).",
		    NULL, (double)kh->accounts_refused);
	metrics_one(m, "kuska_keyholder_control_refused_total", "counter",
		    "Requests on the local control socket refused, each "
		    "answered (over the size limit, or malformed).",
		    NULL, (double)kh->control_refused);
}

int
keyholder_control(void *arg, const struct tframes *f)
{
	struct keyholder *kh = arg;
	struct control c, rep;
	struct mtext m = {0};

	if (f->n < 2 || codec_control_decode(f->data[1], f->len[1], &c) != 0) {
		if (f->n >= 1)
			answer_error(kh, f, "malformed control request");
		return -EBADMSG;
	}
	switch (c.type) {
	case CTL_STATUS:
		status(kh, f);
		break;
	case CTL_METRICS:
		keyholder_metrics(kh, &m);
		if (m.buf == NULL) {
			answer_error(kh, f, "cannot gather the metrics");
			break;
		}
		memset(&rep, 0, sizeof(rep));
		rep.type = CTL_METRICS_TEXT;
		rep.text = m.buf;
		answer(kh, f, &rep);
		metrics_clear(&m);
		break;
	default:
		answer_error(kh, f,
			     "unexpected control request (a key holder "
			     "answers status and metrics)");
	}
	codec_control_clear(&c);
	return 0;
}

void
keyholder_control_serve(struct keyholder *kh)
{
	kh->control_refused += daemon_control_serve(
	    kh->control, keyholder_control, kh, &kh->control_log);
	service_watchdog(date_mono_ms());
}
