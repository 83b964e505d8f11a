/*
 * control.c - the node's submit socket: submissions, kuska status and
 * metrics, the requests that come while a submission is worked on, and
 * the backlog alarm; see node.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "daemon.h"
#include "date.h"
#include "log.h"
#include "metrics.h"
#include "node.h"
#include "old_epochs.h"
#include "service.h"

#define STATUS_DEAD_DEFAULT 20

static void
reply(struct node *n, const struct tframes *req, const struct control *c)
{
	int err = daemon_reply(n->submit, req, c);

	if (err == -EPROTO)
		log_warnx("event=reply_not_encoded");
	else if (err != 0)
		log_debug("event=reply_not_delivered hint=\"client gone\"");
}

static void
reply_error(struct node *n, const struct tframes *req, const char *text)
{
	struct control c;

	daemon_error_fill(&c, text);
	reply(n, req, &c);
}

static int
first_pending(void *arg, uint64_t seq, uint64_t created_ms, const uint8_t *env,
	      size_t len)
{
	(void)seq;
	(void)env;
	(void)len;
	*(uint64_t *)arg = created_ms;
	return 1;
}

/* When the oldest unacknowledged event was created (0: none). */
static uint64_t
oldest_pending(struct node *n, const struct outbox_state *st)
{
	uint64_t created = 0;

	if (st->acked_seq + 1 >= st->next_seq)
		return 0;
	(void)outbox_read(n->ob, st->acked_seq + 1, 1, first_pending, &created);
	return created;
}

/*
 * The unmatched take-ups the consolidator last said, the max first, with
 * their refs, into ns; asks for them again (deliver_want_unmatched) when
 * max is not 0. Returns 0 or -ENOMEM.
 */
static int
fill_unmatched(struct node *n, struct node_status *ns, uint32_t max)
{
	struct deliver *d = &n->deliver;
	size_t k = d->n_unmatched < max ? d->n_unmatched : max;

	ns->has_unmatched = true;
	ns->unmatched_ms = d->unmatched_ms;
	ns->unmatched_total = d->unmatched_total;
	ns->unmatched_unsaid = d->unmatched_unsaid;
	if (max == 0)
		return 0; /* an older client: it shows none */
	deliver_want_unmatched(d, date_mono_ms());
	ns->unmatched_asking = deliver_asking_unmatched(d, date_mono_ms());
	ns->unmatched = calloc(k + 1, sizeof(*ns->unmatched));
	if (ns->unmatched == NULL)
		return -ENOMEM;
	memcpy(ns->unmatched, d->unmatched, k * sizeof(*ns->unmatched));
	ns->n_unmatched = k;
	if (outbox_unmatched_refs(n->ob, ns->unmatched, k) != 0)
		log_warnx("event=unmatched_refs_unread");
	return 0;
}

static void
handle_status(struct node *n, const struct tframes *req, uint32_t max_dead,
	      uint32_t max_unmatched)
{
	struct control c;
	struct outbox_state st;
	uint64_t by_reason[REASON_COUNT];
	int got;

	memset(&c, 0, sizeof(c));
	if (outbox_state(n->ob, &st) != 0 ||
	    outbox_dead_by_reason(n->ob, by_reason, &c.node.dead_newest_ms) !=
		0) {
		reply_error(n, req, "cannot read the outbox");
		return;
	}
	c.node.has_dead_window = true;
	c.node.alarm_dead_letter_hours =
	    (uint32_t)n->cfg.alarm_dead_letter_hours;
	if (max_dead == 0)
		max_dead = STATUS_DEAD_DEFAULT;
	if (max_dead > CODEC_MAX_DEAD)
		max_dead = CODEC_MAX_DEAD;
	c.type = CTL_NODE_STATUS;
	c.node.inst = (enum institution)n->cfg.institution;
	c.node.last_seq = st.next_seq - 1;
	c.node.acked_seq = st.acked_seq;
	c.node.accepted_total = st.next_seq - 1;
	c.node.dead_total = st.dead_total;
	/* The last answer of any kind (a keep-alive Welcome included). */
	c.node.last_contact_ms = st.last_contact_ms > n->deliver.heard_ms
				     ? st.last_contact_ms
				     : n->deliver.heard_ms;
	c.node.oldest_pending_ms = oldest_pending(n, &st);
	c.node.connected = n->deliver.connected && n->deliver.welcomed;
	c.node.now_ms = date_now_ms();
	c.node.alarm_backlog_hours = (uint32_t)n->cfg.alarm_backlog_hours;
	snprintf(c.node.last_refusal, sizeof(c.node.last_refusal), "%s",
		 n->deliver.last_refusal);
	c.node.last_refusal_ms = n->deliver.last_refusal_ms;
	snprintf(c.node.diverged, sizeof(c.node.diverged), "%s",
		 n->deliver.diverged);
	c.node.has_skew = n->deliver.has_skew;
	c.node.clock_skew_ms = n->deliver.skew_ms;
	if (n->intake.disk_full_ms != 0) {
		snprintf(c.node.disk_full, sizeof(c.node.disk_full),
			 "no space left on %s", outbox_dir(n->ob));
		c.node.disk_full_ms = n->intake.disk_full_ms;
	}
	c.node.key_epoch = n->linkage->epoch;
	old_epochs_fill(n->ob, n->linkage->epoch, &n->status_log, &c.node);
	snprintf(c.node.keyholder_error, sizeof(c.node.keyholder_error), "%s",
		 n->intake.holder_error);
	c.node.keyholder_error_ms = n->intake.holder_error_ms;
	c.node.has_key_check = n->intake.has_check;
	memcpy(c.node.key_check, n->intake.check, sizeof(c.node.key_check));
	c.node.evaluations = n->intake.evaluations;
	c.node.evaluations_failed = n->intake.evaluations_failed;
	if (n->holders != NULL)
		c.node.keyholders_unreached = (uint32_t)holders_unreached(
		    n->holders, c.node.keyholder_unreached,
		    sizeof(c.node.keyholder_unreached),
		    &c.node.keyholder_unreached_ms);
	c.node.alarm_silent_s = (uint32_t)n->cfg.alarm_silent_s;
	c.node.started_ms = n->started_ms;
	c.node.handshake_refused_ms = n->deliver.handshake_refused_ms;
	c.node.handshake_failed_ms = n->deliver.handshake_failed_ms;
	c.node.has_grants = true;
	c.node.grants_default = !n->grants.said;
	c.node.grant_kinds = n->grants.kinds;
	c.node.grant_stages = n->grants.stages;
	submissions_fill(&n->subs, &c.node);
	c.node.dead = calloc(max_dead, sizeof(*c.node.dead));
	if (c.node.dead == NULL) {
		reply_error(n, req, "out of memory");
		return;
	}
	got = outbox_dead_list(n->ob, c.node.dead, max_dead);
	c.node.n_dead = got > 0 ? (size_t)got : 0;
	if (max_unmatched > CODEC_MAX_UNMATCHED)
		max_unmatched = CODEC_MAX_UNMATCHED;
	if (fill_unmatched(n, &c.node, max_unmatched) != 0) {
		codec_control_clear(&c);
		reply_error(n, req, "out of memory");
		return;
	}
	reply(n, req, &c);
	codec_control_clear(&c);
}

/* The node's metrics in the Prometheus text format. */
static void
node_metrics(struct node *n, struct mtext *m)
{
	struct outbox_state st;
	uint64_t dead[REASON_COUNT], dead_newest, created, now = date_now_ms();
	char labels[128];
	const char *inst = institution_name(n->intake.inst);
	int i;

	if (outbox_state(n->ob, &st) != 0 ||
	    outbox_dead_by_reason(n->ob, dead, &dead_newest) != 0)
		return;
	created = oldest_pending(n, &st);
	labels[0] = '\0';
	metrics_label(labels, sizeof(labels), "institution", inst);
	metrics_one(m, "kuska_node_events_stored_total", "counter",
		    "Events signed and committed to the outbox.", labels,
		    (double)(st.next_seq - 1));
	/* A gauge, not a counter: the outbox's acknowledged position goes
	 * down when a consolidator restored from an older backup says it
	 * holds less, and the node sends the rest again. */
	metrics_one(m, "kuska_node_events_acknowledged", "gauge",
		    "Events the consolidator acknowledged holding (the "
		    "outbox's acknowledged sequence; lower again after "
		    "the consolidator was restored from a backup).",
		    labels, (double)st.acked_seq);
	metrics_one(m, "kuska_node_outbox_depth", "gauge",
		    "Events waiting for acknowledgement.", labels,
		    (double)(st.next_seq - 1 - st.acked_seq));
	metrics_family(m, "kuska_node_oldest_pending_seconds", "gauge",
		       "Age of the oldest event waiting (0: none).");
	/* Signed: an event signed while this clock was ahead is younger
	 * than nothing, not billions of hours old. */
	metrics_sample(
	    m, "kuska_node_oldest_pending_seconds", labels,
	    created ? (double)((int64_t)now - (int64_t)created) / 1000.0 : 0.0);
	metrics_one(m, "kuska_node_records_refused_total", "counter",
		    "Input records refused at submission since start.", labels,
		    (double)n->intake.refused);
	metrics_one(m, "kuska_node_last_submission_refused", "gauge",
		    "Input records the last submission (a kuska submit "
		    "run) refused; 0: none since start.",
		    labels, (double)submissions_last(&n->subs)->counts.refused);
	if (n->subs.n > 0) {
		metrics_one(
		    m, "kuska_node_last_submission_seconds", "gauge",
		    "Unix time of the last submission since start.", labels,
		    (double)submissions_last(&n->subs)->last_ms / 1000.0);
	}
	metrics_one(m, "kuska_node_records_rekeyed_total", "counter",
		    "Records re-sent with the pseudonyms of a new key "
		    "epoch since start.",
		    labels, (double)n->intake.rekeyed);
	metrics_one(m, "kuska_node_oprf_evaluations_total", "counter",
		    "Blinded elements sent to the key holders since start.",
		    labels, (double)n->intake.evaluations);
	metrics_one(m, "kuska_node_keyholder_failures_total", "counter",
		    "Submit requests refused because a key holder was "
		    "unreachable, refused or answered wrongly.",
		    labels, (double)n->intake.holder_failures);
	metrics_one(m, "kuska_node_keyholder_floods_total", "counter",
		    "Connections to a key holder dropped because it sent "
		    "replies nothing asked for without end, since start.",
		    labels,
		    n->holders != NULL ? (double)holders_floods(n->holders)
				       : 0);
	metrics_one(m, "kuska_node_consolidator_floods_total", "counter",
		    "Connections to the consolidator dropped because it "
		    "sent messages nothing waited for without end, since "
		    "start.",
		    labels, (double)n->deliver.flood.cuts);
	metrics_one(m, "kuska_node_key_epoch", "gauge",
		    "The key epoch of the pseudonyms this node makes.", labels,
		    (double)n->linkage->epoch);
	/* A gauge, not a counter: a --refetch of the consolidator revives
	 * dead letters, and the count goes down. */
	metrics_family(m, "kuska_node_dead_letters", "gauge",
		       "Dead letters held now (events the consolidator "
		       "refused), by reason.");
	for (i = 1; i < REASON_COUNT; i++) {
		char l[192];
		if (dead[i] == 0)
			continue;
		snprintf(l, sizeof(l), "%s", labels);
		metrics_label(l, sizeof(l), "reason",
			      reason_name((enum reason)i));
		metrics_sample(m, "kuska_node_dead_letters", l,
			       (double)dead[i]);
	}
	/* The counts above stay once a refusal is old: an alert on a
	 * recent one compares this with time(). */
	metrics_one(m, "kuska_node_dead_letter_newest_seconds", "gauge",
		    "Unix time the newest dead letter held was refused "
		    "(0: none).",
		    labels, (double)dead_newest / 1000.0);
	metrics_one(m, "kuska_node_diverged", "gauge",
		    "1 when the consolidator's copy is not this outbox's "
		    "(nothing delivered or accepted until --recover).",
		    labels, n->deliver.diverged[0] != '\0' ? 1 : 0);
	if (n->deliver.has_skew) {
		metrics_one(m, "kuska_node_clock_skew_seconds", "gauge",
			    "This clock minus the consolidator's, at the "
			    "last welcome.",
			    labels, (double)n->deliver.skew_ms / 1000.0);
	}
	metrics_one(m, "kuska_node_disk_full_total", "counter",
		    "Submissions refused because the outbox's disk was "
		    "full, since start.",
		    labels, (double)n->intake.disk_full_total);
	metrics_one(m, "kuska_node_connected", "gauge",
		    "1 while welcomed by the consolidator.", labels,
		    n->deliver.connected && n->deliver.welcomed ? 1 : 0);
	metrics_one(m, "kuska_node_last_contact_seconds", "gauge",
		    "Unix time of the consolidator's last answer.", labels,
		    (double)st.last_contact_ms / 1000.0);
}

static void
handle_metrics(struct node *n, const struct tframes *req)
{
	struct control c;
	struct mtext m = {0};

	node_metrics(n, &m);
	if (m.buf == NULL) {
		reply_error(n, req, "cannot gather the metrics");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.type = CTL_METRICS_TEXT;
	c.text = m.buf;
	reply(n, req, &c);
	metrics_clear(&m);
}

void
node_render_metrics(void *arg, struct mtext *m)
{
	node_metrics(arg, m);
}

/* Wipes the raw lines of a submit request: they may hold identities. */
static void
wipe_frames(struct tframes *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		explicit_bzero(f->data[i], f->len[i]);
}

static void handle_control(struct node *n, struct tframes *req);

/* Whether req asks for status or metrics: answered even during a submit. */
static bool
quick_request(const struct tframes *req)
{
	struct control c;
	bool quick;

	if (req->n != 2 ||
	    codec_control_decode(req->data[1], req->len[1], &c) != 0)
		return false;
	quick = c.type == CTL_STATUS || c.type == CTL_METRICS;
	codec_control_clear(&c);
	return quick;
}

/*
 * A request over the submit socket's limits, which tsock_recv dropped (f:
 * its routing id alone): its sender is told why rather than left to wait.
 * kuska submit never sends one.
 */
static void
refuse_large(struct node *n, struct tframes *f)
{
	char text[128];

	log_warnx_budget(&n->submit_log,
			 "event=submit_dropped reason=too_large");
	snprintf(text, sizeof(text),
		 "request over the size limit: at most %d lines and %d MiB "
		 "in all",
		 CODEC_MAX_LINES, SUBMIT_MAX_BYTES / (1024 * 1024));
	if (f->n == 1)
		reply_error(n, f, text);
	tframes_clear(f);
}

/* Handles a request taken from the submit socket, then wipes it. */
static void
take_request(struct node *n, struct tframes *f)
{
	handle_control(n, f);
	wipe_frames(f);
	tframes_clear(f);
}

int
node_serve_busy(void *arg)
{
	struct node *n = arg;
	struct tframes f;
	int rr;

	service_watchdog(date_mono_ms());
	while (n->n_deferred < DEFERRED_MAX) {
		rr = tsock_recv(n->submit, &f, SUBMIT_MAX_FRAMES,
				SUBMIT_MAX_BYTES);
		if (rr == -EMSGSIZE) {
			refuse_large(n, &f);
			continue;
		}
		if (rr != 0)
			return 0;
		if (quick_request(&f))
			take_request(n, &f);
		else
			n->deferred[n->n_deferred++] = f;
	}
	return -EAGAIN;
}

/* The oldest request kept during a submit, handled now. */
static void
take_deferred(struct node *n)
{
	struct tframes f = n->deferred[0];

	n->n_deferred--;
	memmove(n->deferred, n->deferred + 1,
		n->n_deferred * sizeof(n->deferred[0]));
	take_request(n, &f);
}

static void
handle_control(struct node *n, struct tframes *req)
{
	struct control c, rep;
	int r;

	if (req->n < 2 ||
	    codec_control_decode(req->data[1], req->len[1], &c) != 0) {
		if (req->n >= 1)
			reply_error(n, req, "malformed control request");
		return;
	}
	switch (c.type) {
	case CTL_SUBMIT:
		if (c.end && req->n > 2) {
			/* kuska submit's end has none: lines sent with one
			 * would go unstored and unsaid. */
			reply_error(n, req,
				    "an end of submission carries no lines: "
				    "nothing of this request was stored");
			break;
		}
		if (c.end) {
			/* The run is over: its journal line, and an empty
			 * reply (a dry run's end frees what it would have
			 * stored, and is no submission). */
			if (c.dry_run == 0)
				submissions_end(&n->subs, c.run);
			else
				intake_dry_end(&n->intake, c.dry_run);
			memset(&rep, 0, sizeof(rep));
			rep.type = CTL_SUBMIT_REPLY;
			reply(n, req, &rep);
			break;
		}
		r = intake_submit(&n->intake, c.first_line, req->data + 2,
				  req->len + 2, req->n - 2, c.dry_run, &rep);
		/* A request refused whole stored nothing: its own warnings
		 * (key holders, disk) say so. */
		if (r == 0 && c.dry_run == 0)
			submissions_note(&n->subs, &c, &rep, date_now_ms(),
					 date_mono_ms());
		/* What came during the commit, before the reply's encoding. */
		(void)node_serve_busy(n);
		reply(n, req, &rep);
		codec_control_clear(&rep);
		if (c.dry_run == 0)
			deliver_tick(&n->deliver, date_mono_ms());
		break;
	case CTL_STATUS:
		handle_status(n, req, c.max_dead, c.max_unmatched);
		break;
	case CTL_METRICS:
		handle_metrics(n, req);
		break;
	default:
		reply_error(n, req, "unexpected control request");
	}
	codec_control_clear(&c);
}

void
node_check_backlog(struct node *n, uint64_t mono)
{
	struct outbox_state st;
	uint64_t created, now = date_now_ms();

	if (n->backlog_warned_ms != 0 && mono - n->backlog_warned_ms < 3600000)
		return;
	if (outbox_state(n->ob, &st) != 0)
		return;
	if (n->deliver.diverged[0] != '\0') {
		/* Nothing waits for delivery that the network could bring:
		 * what is wrong, and what to do, in the backlog's place. */
		log_warnx("event=diverged_alarm pending=%llu text=%s "
			  "hint=\"nothing is delivered or accepted until "
			  "the outbox is rebuilt: stop the node, run "
			  "kuska-node --recover, start it, resubmit the "
			  "exports made since the backup; on a machine the "
			  "node was moved away from: stop it and disable its "
			  "unit instead (OPERATIONS.md section 10)\"",
			  (unsigned long long)(st.next_seq - 1 - st.acked_seq),
			  LOG_Q(n->deliver.diverged));
		n->backlog_warned_ms = mono;
		return;
	}
	created = oldest_pending(n, &st);
	/* Signed: created after now (this clock was ahead when it signed)
	 * is no age at all, not a wrap-around. */
	if (created == 0 || (int64_t)now - (int64_t)created <
				(int64_t)n->cfg.alarm_backlog_hours * 3600000)
		return;
	log_warnx("event=backlog_alarm pending=%llu oldest_age_hours=%llu",
		  (unsigned long long)(st.next_seq - 1 - st.acked_seq),
		  (unsigned long long)((now - created) / 3600000));
	n->backlog_warned_ms = mono;
}

void
node_take_submit(struct node *n, bool readable)
{
	/* One request a pass: what waited during a submit first. */
	if (n->n_deferred > 0) {
		take_deferred(n);
	} else if (readable) {
		struct tframes f;
		int rr = tsock_recv(n->submit, &f, SUBMIT_MAX_FRAMES,
				    SUBMIT_MAX_BYTES);
		if (rr == 0) {
			take_request(n, &f);
		} else if (rr == -EMSGSIZE) {
			refuse_large(n, &f);
		}
	}
}

void
node_drop_deferred(struct node *n)
{
	while (n->n_deferred > 0) {
		wipe_frames(&n->deferred[--n->n_deferred]);
		tframes_clear(&n->deferred[n->n_deferred]);
	}
}
