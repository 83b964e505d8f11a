/* control.c - status and metrics on the control socket; see control.h. */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "prepare.h"
#include "query.h"
#include "registry.h"
#include "release.h"

/* The label set institution="ID" into l. */
static void
inst_label(char *l, size_t cap, int i)
{
	l[0] = '\0';
	metrics_label(l, cap, "institution",
		      institution_name((enum institution)i));
}

/* As the query thread logs them (event=query_refused reason=...). */
static const char *const query_refusal_names[QUERY_REFUSED_COUNT] = {
    [QUERY_REFUSED_KEY_NOT_VALID] = "key_not_valid",
    [QUERY_REFUSED_NODE_KEY] = "node_key",
    [QUERY_REFUSED_FRAME_COUNT] = "frame_count",
    [QUERY_REFUSED_MALFORMED] = "malformed",
    [QUERY_REFUSED_TOO_LARGE] = "too_large",
};

const char *
query_refusal_name(enum query_refusal r)
{
	return query_refusal_names[r];
}

/* Queries refused, every reason shown (0 included). */
static void
queries_refused_metrics(struct cons *c, struct mtext *m)
{
	char l[64];
	int i;

	metrics_family(m, "kuska_queries_refused_total", "counter",
		       "Queries refused, by reason: for their key, a node's "
		       "key (node_key) or one revoked, expired or removed "
		       "since its handshake (key_not_valid); for their "
		       "frames (also in kuska_frames_refused_total), not "
		       "one frame (frame_count), not a query request "
		       "(malformed), over the size limit (too_large).");
	for (i = 0; i < QUERY_REFUSED_COUNT; i++) {
		l[0] = '\0';
		metrics_label(l, sizeof(l), "reason", query_refusal_names[i]);
		metrics_sample(m, "kuska_queries_refused_total", l,
			       (double)c->queries_refused[i]);
	}
}

/* The consolidator's metrics in the Prometheus text format. */
static void
cons_metrics(struct cons *c, struct mtext *m)
{
	char l[160];
	struct admit_counts conns;
	uint64_t computed;
	size_t kept, bytes;
	int i, j;

	metrics_family(m, "kuska_events_accepted_total", "counter",
		       "Events verified and stored, by institution.");
	for (i = 1; i <= INST_COUNT; i++) {
		inst_label(l, sizeof(l), i);
		metrics_sample(m, "kuska_events_accepted_total", l,
			       (double)c->view.inst[i].accepted);
	}
	metrics_family(m, "kuska_events_refused_total", "counter",
		       "Events refused, by institution and reason.");
	for (i = 1; i <= INST_COUNT; i++)
		for (j = 1; j < REASON_COUNT; j++) {
			if (c->view.inst[i].refused_by_reason[j] == 0)
				continue;
			inst_label(l, sizeof(l), i);
			metrics_label(l, sizeof(l), "reason",
				      reason_name((enum reason)j));
			metrics_sample(
			    m, "kuska_events_refused_total", l,
			    (double)c->view.inst[i].refused_by_reason[j]);
		}
	metrics_family(m, "kuska_last_seq", "gauge",
		       "Highest sequence held, by institution.");
	for (i = 1; i <= INST_COUNT; i++) {
		inst_label(l, sizeof(l), i);
		metrics_sample(m, "kuska_last_seq", l,
			       (double)c->view.inst[i].last_seq);
	}
	metrics_family(m, "kuska_last_contact_seconds", "gauge",
		       "Unix time of the institution's last hello or batch.");
	for (i = 1; i <= INST_COUNT; i++) {
		uint64_t last =
		    c->contact_ms[i] > c->view.inst[i].last_contact_ms
			? c->contact_ms[i]
			: c->view.inst[i].last_contact_ms;
		inst_label(l, sizeof(l), i);
		metrics_sample(m, "kuska_last_contact_seconds", l,
			       (double)last / 1000.0);
	}
	metrics_family(m, "kuska_institution_diverged", "gauge",
		       "1 from a hello saying our copy is not the node's "
		       "outbox's, or a batch holding a sequence we hold with "
		       "other bytes (signed twice), until an event it signed "
		       "is accepted after a hello that does not.");
	for (i = 1; i <= INST_COUNT; i++) {
		snprintf(l, sizeof(l), "institution=\"%s\"",
			 institution_name((enum institution)i));
		metrics_sample(m, "kuska_institution_diverged", l,
			       c->diverged[i][0] != '\0' ? 1 : 0);
	}
	metrics_family(m, "kuska_institution_diverged_hellos_total", "counter",
		       "Hellos in which the institution's node said our copy "
		       "is not its outbox's, since start. No hello takes one "
		       "back.");
	for (i = 1; i <= INST_COUNT; i++) {
		snprintf(l, sizeof(l), "institution=\"%s\"",
			 institution_name((enum institution)i));
		metrics_sample(m, "kuska_institution_diverged_hellos_total", l,
			       (double)c->diverged_hellos[i]);
	}
	metrics_family(m, "kuska_institution_conflicts_total", "counter",
		       "Batches refused since start because a sequence we "
		       "hold came again with other bytes signed by the "
		       "institution's key: its key signs twice (stolen, a "
		       "cloned machine, a restored outbox). It stays when "
		       "the diverged mark goes.");
	for (i = 1; i <= INST_COUNT; i++) {
		snprintf(l, sizeof(l), "institution=\"%s\"",
			 institution_name((enum institution)i));
		metrics_sample(m, "kuska_institution_conflicts_total", l,
			       (double)c->conflicts[i]);
	}
	metrics_family(m, "kuska_clock_skew_seconds", "gauge",
		       "The node's clock minus ours, at its last hello.");
	for (i = 1; i <= INST_COUNT; i++) {
		if (!c->has_skew[i])
			continue;
		snprintf(l, sizeof(l), "institution=\"%s\"",
			 institution_name((enum institution)i));
		metrics_sample(m, "kuska_clock_skew_seconds", l,
			       (double)c->skew_ms[i] / 1000.0);
	}
	metrics_family(m, "kuska_events_created_in_future_total", "counter",
		       "Events signed later than our clock said it was, "
		       "since start.");
	for (i = 1; i <= INST_COUNT; i++) {
		snprintf(l, sizeof(l), "institution=\"%s\"",
			 institution_name((enum institution)i));
		metrics_sample(m, "kuska_events_created_in_future_total", l,
			       (double)c->view.created_in_future[i]);
	}
	metrics_one(m, "kuska_store_disk_full_total", "counter",
		    "Batches refused because the store's disk was full, "
		    "since start.",
		    NULL, (double)c->view.disk_full_total);
	metrics_one(m, "kuska_store_damaged", "gauge",
		    "1: the store was found damaged since start (every "
		    "delivery is refused; stop and start the consolidator: "
		    "its check says what).",
		    NULL, c->view.store_damaged_ms != 0 ? 1.0 : 0.0);
	metrics_family(m, "kuska_batch_commit_seconds", "histogram",
		       "Time from taking a batch up to its commit (queued, "
		       "verified, stored).");
	metrics_histogram(m, "kuska_batch_commit_seconds", NULL, &c->commit);
	metrics_family(m, "kuska_queries_total", "counter",
		       "Queries answered, by table and role.");
	for (i = 0; i < QUERY_TABLES && query_tables[i] != NULL; i++)
		for (j = ROLE_INSTITUTION; j <= ROLE_ANALYST; j++) {
			l[0] = '\0';
			metrics_label(l, sizeof(l), "table", query_tables[i]);
			metrics_label(l, sizeof(l), "role",
				      role_name((enum role)j));
			metrics_sample(m, "kuska_queries_total", l,
				       (double)c->queries[i][j]);
		}
	metrics_one(m, "kuska_queries_during_audit_total", "counter",
		    "Of the queries answered, those answered while a "
		    "disclosure audit (or a bootstrap) was under way "
		    "(an institution's or analyst's counting table), "
		    "where they would have waited for its end.",
		    NULL, (double)c->queries_during_audit);
	metrics_one(m, "kuska_queries_refused_busy_total", "counter",
		    "Requests refused at once as busy, their clients told "
		    "to ask again: during a disclosure audit that already "
		    "held as many as it keeps (16), or past the requests "
		    "the query socket's reader keeps waiting (16 a "
		    "connection, 1,024 in all).",
		    NULL, (double)c->queries_refused_busy);
	metrics_one(m, "kuska_queries_dropped_total", "counter",
		    "Requests dropped unanswered past the reader's bounds "
		    "and the 256 refusals it sends a pass: a flood's, "
		    "read and freed so that libzmq keeps nothing of it.",
		    NULL, (double)c->queries_dropped);
	metrics_one(m, "kuska_queries_waiting", "gauge",
		    "Requests the query socket's reader read and keeps "
		    "waiting for the query thread (16 a connection, 1,024 "
		    "in all, and 256 more for connections with none "
		    "waiting): few while answers keep up; they grow while "
		    "the query thread is busy or a client floods it.",
		    NULL, (double)c->queries_waiting);
	queries_refused_metrics(c, m);
	release_cache_counts(&computed, &kept, &bytes);
	metrics_one(m, "kuska_releases_computed_total", "counter",
		    "The secretariat's releases (disclosure audits of a "
		    "table group and year) computed, none of them in the "
		    "release cache: for a query, or made ahead once "
		    "ingest is quiet (prepare_quiet_s).",
		    NULL, (double)computed);
	metrics_one(m, "kuska_releases_cached", "gauge",
		    "Releases kept in memory (bounded in number and "
		    "bytes: docs/LIMITS.md).",
		    NULL, (double)kept);
	metrics_one(m, "kuska_releases_cached_bytes", "gauge",
		    "Bytes the releases kept hold.", NULL, (double)bytes);
	metrics_one(m, "kuska_releases_waiting", "gauge",
		    "Years whose releases ingest changed, waiting to be "
		    "made before the secretariat asks (prepare_quiet_s), "
		    "the one being made among them.",
		    NULL, (double)prepare_waiting());
	metrics_one(m, "kuska_handshake_failures_total", "counter",
		    "Connections refused by the ZAP handler.", NULL,
		    (double)c->handshake_failures);
	metrics_one(m, "kuska_frames_refused_total", "counter",
		    "Whole frames refused for what they are "
		    "(undecodable, too large, ...); not those refused "
		    "for our own store (kuska_store_refused_total).",
		    NULL, (double)c->frames_refused);
	metrics_one(m, "kuska_store_refused_total", "counter",
		    "Nodes' messages refused for this consolidator's own "
		    "store, not for what they are: a full disk (also in "
		    "kuska_store_disk_full_total), the store's ceiling, a "
		    "read or write error, memory running out. The nodes "
		    "keep their events and send them again.",
		    NULL, (double)c->store_refused);
	metrics_one(m, "kuska_ingest_refused_busy_total", "counter",
		    "Nodes' messages refused at once as busy: read while "
		    "the store's commits lag, past the 80 messages or "
		    "264 MiB an institution may have waiting (its node's "
		    "window). The nodes back off and send them again.",
		    NULL, (double)c->ingest_busy_refused);
	metrics_family(m, "kuska_ingest_waiting", "gauge",
		       "Nodes' messages read and waiting for the store's "
		       "writer, behind the 24 it works on: none while "
		       "commits keep up; an institution's grow towards its "
		       "node's window while they lag (a slow disk).");
	for (i = 1; i <= INST_COUNT; i++) {
		snprintf(l, sizeof(l), "institution=\"%s\"",
			 institution_name((enum institution)i));
		metrics_sample(m, "kuska_ingest_waiting", l,
			       (double)c->waiting_n[i]);
	}
	metrics_one(m, "kuska_control_refused_total", "counter",
		    "Requests on the local control socket refused, each "
		    "answered (over the size limit, or malformed).",
		    NULL, (double)c->control_refused);
	pthread_mutex_lock(&c->admit_mu);
	admit_get_counts(c->admit, &conns);
	pthread_mutex_unlock(&c->admit_mu);
	admit_metrics(m, &conns, "kuska", "consolidator");
	metrics_one(m, "kuska_store_map_bytes", "gauge",
		    "Size of the LMDB map (grows up to max_map_size_mb).", NULL,
		    (double)c->view.map_size);
}

void
render_metrics(void *arg, struct mtext *m)
{
	cons_metrics(arg, m);
}

int
handle_control(void *arg, const struct tframes *req)
{
	struct cons *c = arg;
	struct control q, rep;
	uint8_t *buf;
	size_t len;
	int i, ret = 0;

	memset(&rep, 0, sizeof(rep));
	if (req->n != 2 ||
	    codec_control_decode(req->data[1], req->len[1], &q) != 0) {
		ret = -EBADMSG;
		rep.type = CTL_ERROR;
		snprintf(rep.error, sizeof(rep.error),
			 "malformed control request");
	} else if (q.type == CTL_METRICS) {
		struct mtext m = {0};
		cons_metrics(c, &m);
		rep.type = CTL_METRICS_TEXT;
		rep.text = m.buf; /* freed below by codec_control_clear */
		codec_control_clear(&q);
	} else if (q.type != CTL_STATUS) {
		rep.type = CTL_ERROR;
		snprintf(rep.error, sizeof(rep.error),
			 "the consolidator answers status and metrics "
			 "requests only");
		codec_control_clear(&q);
	} else {
		rep.type = CTL_CONS_STATUS;
		for (i = 1; i <= INST_COUNT; i++) {
			rep.cons.inst[i] = c->view.inst[i];
			if (c->contact_ms[i] > rep.cons.inst[i].last_contact_ms)
				rep.cons.inst[i].last_contact_ms =
				    c->contact_ms[i];
			rep.cons.inst[i].diverged = c->diverged[i][0] != '\0';
			rep.cons.inst[i].has_skew = c->has_skew[i];
			rep.cons.inst[i].clock_skew_ms = c->skew_ms[i];
			rep.cons.inst[i].unregistered =
			    registry_institution(c->reg,
						 (enum institution)i) == NULL;
		}
		if (c->view.store_damaged_ms != 0) {
			/* Damaged stays damaged, whatever commits since:
			 * said first, to clients before store_damaged_ms
			 * too. */
			snprintf(rep.cons.disk_full, sizeof(rep.cons.disk_full),
				 "the store in %s is damaged: stop the "
				 "consolidator and start it (its check says "
				 "what)",
				 store_dir(c->st));
			rep.cons.disk_full_ms = c->view.store_failed_ms != 0
						    ? c->view.store_failed_ms
						    : c->view.store_damaged_ms;
			rep.cons.store_damaged_ms = c->view.store_damaged_ms;
		} else if (c->view.disk_full_ms != 0) {
			snprintf(rep.cons.disk_full, sizeof(rep.cons.disk_full),
				 "no space left on %s", store_dir(c->st));
			rep.cons.disk_full_ms = c->view.disk_full_ms;
		} else if (c->view.store_failed_ms != 0) {
			/* Not the disk: the same warning, with its cause. */
			snprintf(rep.cons.disk_full, sizeof(rep.cons.disk_full),
				 "%s", c->view.store_failed);
			rep.cons.disk_full_ms = c->view.store_failed_ms;
		}
		rep.cons.now_ms = date_now_ms();
		rep.cons.alarm_silent_hours =
		    (uint32_t)c->cfg.alarm_silent_hours;
		rep.cons.handshake_failures = c->handshake_failures;
		rep.cons.frames_refused = c->frames_refused;
		rep.cons.control_refused = c->control_refused;
		rep.cons.has_store_refused = true;
		rep.cons.store_refused = c->store_refused;
		codec_control_clear(&q);
	}
	if (req->n < 1 || codec_control_encode(&rep, &buf, &len) != 0) {
		codec_control_clear(&rep);
		return ret;
	}
	codec_control_clear(&rep);
	send_to(c->control, req, buf, len);
	free(buf);
	return ret;
}
