/*
 * kuska-node - an institution's node: takes case events from `kuska
 * submit`, pseudonymises them (with the key holders, holders.c),
 * validates and signs them, keeps them in a durable outbox and delivers
 * them to the consolidator.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "codec.h"
#include "daemon.h"
#include "date.h"
#include "deliver.h"
#include "guard.h"
#include "help.h"
#include "holders.h"
#include "intake.h"
#include "keys.h"
#include "lockdir.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "parallel.h"
#include "record.h"
#include "recover.h"
#include "registry.h"
#include "service.h"
#include "settings.h"
#include "transport.h"

#define TICK_MS 200
#define RECOVER_TIMEOUT_MS 30000
#define STATUS_DEAD_DEFAULT 20
#define SUBMIT_MAX_BYTES (64 * 1024 * 1024)
/* Frames of a submit request: routing id, header, and at most
 * CODEC_MAX_LINES lines (intake_submit takes no more). */
#define SUBMIT_MAX_FRAMES (CODEC_MAX_LINES + 2)
/* Requests that came during a submit and wait for it to end. */
#define DEFERRED_MAX 8

struct node {
	struct node_config cfg;
	struct secret_key *key;
	struct key32 *linkage, *ref_key;
	struct public_key consolidator;
	struct holders *holders;
	struct outbox *ob;
	struct transport *t;
	struct tsock *submit, *dealer, *monitor;
	struct intake intake;
	struct deliver deliver;
	struct grants grants; /* what the institution may emit */
	uint64_t started_ms;
	/* During a submit, status and metrics are answered at once (serve);
	 * other requests wait here, in order, with their raw lines. */
	struct tframes deferred[DEFERRED_MAX];
	size_t n_deferred;
	uint64_t backlog_warned_ms;
	uint64_t metrics_written_ms;
	/* Lines of requests over the submit socket's limits: any local
	 * user of its group can send them. */
	struct log_budget submit_log;
};

static void
usage(void)
{
	fprintf(stderr, "usage: kuska-node [-dn] -c FILE\n"
			"       kuska-node --recover -c FILE\n");
	exit(2);
}

/* Loads the config and every key it names; exits on any error. */
static void
load(struct node *n, const char *path)
{
	char err[512];
	size_t i;

	if (config_load(path, &settings_node_schema, &n->cfg, err,
			sizeof(err)) != 0)
		fatalx("%s", err);
	/* A key file's error names the config key that points at it. */
	if (keys_load_secret(n->cfg.key, &n->key, err, sizeof(err)) != 0)
		fatalx("%s: [node] key: %s%s", path, err,
		       daemon_credential_hint(n->cfg.key));
	if (keys_key32_load(n->cfg.linkage_key, KEY32_LINKAGE, &n->linkage, err,
			    sizeof(err)) != 0)
		fatalx("%s: [node] linkage_key: %s%s", path, err,
		       daemon_credential_hint(n->cfg.linkage_key));
	if (keys_key32_load(n->cfg.ref_key, KEY32_REF, &n->ref_key, err,
			    sizeof(err)) != 0)
		fatalx("%s: [node] ref_key: %s%s", path, err,
		       daemon_credential_hint(n->cfg.ref_key));
	if (keys_load_public(n->cfg.consolidator_key, &n->consolidator, err,
			     sizeof(err)) != 0)
		fatalx("%s: [node] consolidator_key: %s", path, err);
	/* An address of the example configs left as shipped: the node
	 * would start and never reach anyone. Said at -n and each start. */
	if (settings_placeholder(n->cfg.consolidator))
		log_warnx("%s: [node] consolidator: %s is the example's "
			  "placeholder: put the consolidator's host name or "
			  "address there",
			  path, n->cfg.consolidator);
	for (i = 0; i < SETTINGS_MAX_KEYHOLDERS; i++) {
		struct public_key pub;
		char name[16] = "keyholder"; /* keyholder, keyholder2, ... */
		if (i > 0)
			snprintf(name, sizeof(name), "keyholder%zu", i + 1);
		if ((n->cfg.keyholder[i][0] == '\0') !=
		    (n->cfg.keyholder_key[i][0] == '\0'))
			fatalx("%s: %s and %s_key go together: give both or "
			       "neither",
			       path, name, name);
		if (n->cfg.keyholder_key[i][0] != '\0' &&
		    keys_load_public(n->cfg.keyholder_key[i], &pub, err,
				     sizeof(err)) != 0)
			fatalx("%s: [node] %s_key: %s", path, name, err);
		if (settings_placeholder(n->cfg.keyholder[i]))
			log_warnx("%s: [node] %s: %s is the example's "
				  "placeholder: put the key holder's host name "
				  "or address there",
				  path, name, n->cfg.keyholder[i]);
	}
}

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

static void
handle_status(struct node *n, const struct tframes *req, uint32_t max_dead)
{
	struct control c;
	struct outbox_state st;
	int got;

	memset(&c, 0, sizeof(c));
	if (outbox_state(n->ob, &st) != 0) {
		reply_error(n, req, "cannot read the outbox");
		return;
	}
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
	snprintf(c.node.keyholder_error, sizeof(c.node.keyholder_error), "%s",
		 n->intake.holder_error);
	c.node.keyholder_error_ms = n->intake.holder_error_ms;
	c.node.has_key_check = n->intake.has_check;
	memcpy(c.node.key_check, n->intake.check, sizeof(c.node.key_check));
	c.node.evaluations = n->intake.evaluations;
	c.node.alarm_silent_s = (uint32_t)n->cfg.alarm_silent_s;
	c.node.started_ms = n->started_ms;
	c.node.handshake_refused_ms = n->deliver.handshake_refused_ms;
	c.node.handshake_failed_ms = n->deliver.handshake_failed_ms;
	c.node.has_grants = true;
	c.node.grants_default = !n->grants.said;
	c.node.grant_kinds = n->grants.kinds;
	c.node.grant_stages = n->grants.stages;
	c.node.dead = calloc(max_dead, sizeof(*c.node.dead));
	if (c.node.dead == NULL) {
		reply_error(n, req, "out of memory");
		return;
	}
	got = outbox_dead_list(n->ob, c.node.dead, max_dead);
	c.node.n_dead = got > 0 ? (size_t)got : 0;
	reply(n, req, &c);
	codec_control_clear(&c);
}

/* The node's metrics in the Prometheus text format. */
static void
node_metrics(struct node *n, struct mtext *m)
{
	struct outbox_state st;
	uint64_t dead[REASON_COUNT], created, now = date_now_ms();
	char labels[128];
	const char *inst = institution_name(n->intake.inst);
	int i;

	if (outbox_state(n->ob, &st) != 0 ||
	    outbox_dead_by_reason(n->ob, dead) != 0)
		return;
	created = oldest_pending(n, &st);
	labels[0] = '\0';
	metrics_label(labels, sizeof(labels), "institution", inst);
	metrics_family(m, "kuska_node_events_stored_total", "counter",
		       "Events signed and committed to the outbox.");
	metrics_sample(m, "kuska_node_events_stored_total", labels,
		       (double)(st.next_seq - 1));
	metrics_family(m, "kuska_node_events_acknowledged_total", "counter",
		       "Events the consolidator acknowledged holding.");
	metrics_sample(m, "kuska_node_events_acknowledged_total", labels,
		       (double)st.acked_seq);
	metrics_family(m, "kuska_node_outbox_depth", "gauge",
		       "Events waiting for acknowledgement.");
	metrics_sample(m, "kuska_node_outbox_depth", labels,
		       (double)(st.next_seq - 1 - st.acked_seq));
	metrics_family(m, "kuska_node_oldest_pending_seconds", "gauge",
		       "Age of the oldest event waiting (0: none).");
	/* Signed: an event signed while this clock was ahead is younger
	 * than nothing, not billions of hours old. */
	metrics_sample(
	    m, "kuska_node_oldest_pending_seconds", labels,
	    created ? (double)((int64_t)now - (int64_t)created) / 1000.0 : 0.0);
	metrics_family(m, "kuska_node_records_refused_total", "counter",
		       "Input records refused at submission since start.");
	metrics_sample(m, "kuska_node_records_refused_total", labels,
		       (double)n->intake.refused);
	metrics_family(m, "kuska_node_records_rekeyed_total", "counter",
		       "Records re-sent with the pseudonyms of a new key "
		       "epoch since start.");
	metrics_sample(m, "kuska_node_records_rekeyed_total", labels,
		       (double)n->intake.rekeyed);
	metrics_family(m, "kuska_node_oprf_evaluations_total", "counter",
		       "Blinded elements sent to the key holders since start.");
	metrics_sample(m, "kuska_node_oprf_evaluations_total", labels,
		       (double)n->intake.evaluations);
	metrics_family(m, "kuska_node_keyholder_failures_total", "counter",
		       "Submit requests refused because a key holder was "
		       "unreachable, refused or answered wrongly.");
	metrics_sample(m, "kuska_node_keyholder_failures_total", labels,
		       (double)n->intake.holder_failures);
	metrics_family(m, "kuska_node_key_epoch", "gauge",
		       "The key epoch of the pseudonyms this node makes.");
	metrics_sample(m, "kuska_node_key_epoch", labels,
		       (double)n->linkage->epoch);
	metrics_family(m, "kuska_node_dead_letters_total", "counter",
		       "Events the consolidator refused, by reason.");
	for (i = 1; i < REASON_COUNT; i++) {
		char l[192];
		if (dead[i] == 0)
			continue;
		snprintf(l, sizeof(l), "%s", labels);
		metrics_label(l, sizeof(l), "reason",
			      reason_name((enum reason)i));
		metrics_sample(m, "kuska_node_dead_letters_total", l,
			       (double)dead[i]);
	}
	metrics_family(m, "kuska_node_diverged", "gauge",
		       "1 when the consolidator's copy is not this outbox's "
		       "(nothing delivered or accepted until --recover).");
	metrics_sample(m, "kuska_node_diverged", labels,
		       n->deliver.diverged[0] != '\0' ? 1 : 0);
	if (n->deliver.has_skew) {
		metrics_family(m, "kuska_node_clock_skew_seconds", "gauge",
			       "This clock minus the consolidator's, at the "
			       "last welcome.");
		metrics_sample(m, "kuska_node_clock_skew_seconds", labels,
			       (double)n->deliver.skew_ms / 1000.0);
	}
	metrics_family(m, "kuska_node_disk_full_total", "counter",
		       "Submissions refused because the outbox's disk was "
		       "full, since start.");
	metrics_sample(m, "kuska_node_disk_full_total", labels,
		       (double)n->intake.disk_full_total);
	metrics_family(m, "kuska_node_connected", "gauge",
		       "1 while welcomed by the consolidator.");
	metrics_sample(m, "kuska_node_connected", labels,
		       n->deliver.connected && n->deliver.welcomed ? 1 : 0);
	metrics_family(m, "kuska_node_last_contact_seconds", "gauge",
		       "Unix time of the consolidator's last answer.");
	metrics_sample(m, "kuska_node_last_contact_seconds", labels,
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

static void
render_metrics(void *arg, struct mtext *m)
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

/*
 * intake's and the key holders' serve: while a submit is handled, answers
 * the status and metrics requests waiting on the submit socket, keeps the
 * others for after it, and pets the watchdog. Returns 0, or -EAGAIN when
 * a request waits that there is no room to keep.
 */
static int
serve_busy(void *arg)
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

	if (req->n < 2 ||
	    codec_control_decode(req->data[1], req->len[1], &c) != 0) {
		if (req->n >= 1)
			reply_error(n, req, "malformed control request");
		return;
	}
	switch (c.type) {
	case CTL_SUBMIT:
		(void)intake_submit(&n->intake, c.first_line, req->data + 2,
				    req->len + 2, req->n - 2, c.dry_run, &rep);
		/* What came during the commit, before the reply's encoding. */
		(void)serve_busy(n);
		reply(n, req, &rep);
		codec_control_clear(&rep);
		if (c.dry_run == 0)
			deliver_tick(&n->deliver, date_mono_ms());
		break;
	case CTL_STATUS:
		handle_status(n, req, c.max_dead);
		break;
	case CTL_METRICS:
		handle_metrics(n, req);
		break;
	default:
		reply_error(n, req, "unexpected control request");
	}
	codec_control_clear(&c);
}

/* Logs, at most hourly, when events wait longer than the alarm. */
static void
check_backlog(struct node *n, uint64_t mono)
{
	struct outbox_state st;
	uint64_t created, now = date_now_ms();

	if (n->backlog_warned_ms != 0 && mono - n->backlog_warned_ms < 3600000)
		return;
	if (outbox_state(n->ob, &st) != 0)
		return;
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

static void
run(struct node *n)
{
	struct tsock *socks[3] = {n->submit, n->dealer, n->monitor};
	bool ready[3];
	uint64_t last_backlog = 0;

	while (!service_stopping()) {
		uint64_t mono;
		/* Requests kept during a submit wait for no tick. */
		int r = tsock_poll(socks, 3, ready,
				   n->n_deferred > 0 ? 0 : TICK_MS);

		if (r < 0 && r != -EINTR)
			fatalx("poll: %s", strerror(-r));
		mono = date_mono_ms();
		/* One request a pass: what waited during a submit first. */
		if (n->n_deferred > 0) {
			take_deferred(n);
		} else if (r > 0 && ready[0]) {
			struct tframes f;
			int rr = tsock_recv(n->submit, &f, SUBMIT_MAX_FRAMES,
					    SUBMIT_MAX_BYTES);
			if (rr == 0) {
				take_request(n, &f);
			} else if (rr == -EMSGSIZE) {
				refuse_large(n, &f);
			}
		}
		if (r > 0 && ready[1]) {
			struct tframes f;
			while (tsock_recv(n->dealer, &f, 1, CODEC_MAX_FRAME) ==
			       0) {
				deliver_message(&n->deliver, f.data[0],
						f.len[0], mono);
				tframes_clear(&f);
			}
		}
		if (r > 0 && ready[2]) {
			enum tevent ev;
			char addr[256];
			while (tsock_monitor_read(n->monitor, &ev, addr,
						  sizeof(addr)) == 0)
				deliver_event(&n->deliver, ev, addr, mono);
		}
		deliver_tick(&n->deliver, mono);
		holders_tick(n->holders);
		intake_idle(&n->intake, mono);
		service_watchdog(mono);
		metrics_export(n->cfg.metrics_file, n->cfg.metrics_interval_s,
			       &n->metrics_written_ms, mono, render_metrics, n);
		if (service_reload_requested())
			log_info("event=sighup action=none hint=\"a node has "
				 "nothing to reload: restart it to read a "
				 "changed config\"");
		if (mono - last_backlog > 60000) {
			check_backlog(n, mono);
			last_backlog = mono;
		}
	}
}

/*
 * Reads the whole outbox before the node works from it (outbox_check).
 * Returns 0 when it is sound; otherwise says what is damaged and what to
 * do, and returns 1.
 */
static int
check_outbox(const char *dir, const char *conf)
{
	struct outbox_report rep;
	size_t i;
	int r;

	r = outbox_check(dir, &rep);
	if (r != 0)
		fatalx("%s: cannot check the outbox: %s%s", dir,
		       daemon_store_error(r), daemon_open_hint(r));
	if (rep.unchecked)
		log_warnx("event=outbox_unchecked dir=%s (written by an "
			  "earlier kuska, without checksums: damage cannot be "
			  "found; kuska-node --recover rewrites it with them)",
			  dir);
	if (outbox_sound(&rep)) {
		outbox_report_clear(&rep);
		return 0;
	}
	if (rep.unreadable)
		log_warnx("event=outbox_damaged dir=%s text=\"%s\"", dir,
			  rep.why);
	else
		log_warnx("event=outbox_damaged dir=%s entries=%llu", dir,
			  (unsigned long long)rep.n_damaged);
	for (i = 0; i < rep.n_listed && i < 20; i++) {
		const struct outbox_damage *d = &rep.damaged[i];
		if (d->has_seq)
			log_warnx("damaged: seq %llu (%s)",
				  (unsigned long long)d->seq,
				  strcmp(d->table, "outbox") == 0 ? "envelope"
				  : strcmp(d->table, "seqref") == 0
				      ? "the case system's ref"
				      : "dead letter");
		else
			log_warnx("damaged: an entry of the %s index",
				  d->table);
	}
	if (rep.n_damaged > rep.n_listed || rep.n_listed > 20)
		log_warnx("damaged: %llu entries in all",
			  (unsigned long long)rep.n_damaged);
	log_warnx("%s: the outbox is damaged; the node does not work from it. "
		  "Rebuild it from the consolidator's copy: kuska-node "
		  "--recover -c %s",
		  dir, conf);
	outbox_report_clear(&rep);
	return 1;
}

/*
 * An outbox copied from another institution's node would be delivered
 * under this node's name, and refused batch after batch; or, with
 * --recover, set aside for the wrong reason. Its first envelope says
 * whose it is: refuse to start then. Another network is only said: a
 * network mistyped and then corrected leaves envelopes of the typo in
 * the outbox for good, which the consolidator refuses one by one
 * (wrong_network dead letters) while the rest goes on.
 */
static void
check_owner(struct node *n, const char *conf)
{
	const char *inst = institution_name((enum institution)n->cfg.institution);
	const char *whose;
	enum institution first;
	char net[CODEC_MAX_NETWORK + 1];

	if (outbox_first_origin(n->ob, &first, net, sizeof(net)) != 0)
		return; /* empty, or unreadable: check_outbox's to say */
	whose = institution_name(first);
	if (whose == NULL)
		whose = "an unknown institution";
	if (first == (enum institution)n->cfg.institution) {
		if (net[0] != '\0' && strcmp(net, n->cfg.network) != 0)
			log_warnx("event=outbox_other_network dir=%s "
				  "network=%s first_network=%s (this outbox's "
				  "first events were signed for another "
				  "network: if network = %s is mistyped in "
				  "%s, correct it; events signed for another "
				  "network are refused by the consolidator as "
				  "wrong_network dead letters)",
				  LOG_Q(n->cfg.data_dir), LOG_Q(n->cfg.network),
				  LOG_Q(net), n->cfg.network, conf);
		return;
	}
	log_warnx("event=outbox_foreign dir=%s institution=%s network=%s",
		  LOG_Q(n->cfg.data_dir), whose, LOG_Q(net[0] ? net : "-"));
	fatalx("%s: this outbox holds the events of %s, not of %s (the "
	       "data_dir of another node, copied or restored here?): the "
	       "node does not work from it. Correct [node] data_dir in %s, "
	       "or restore this node's own data.mdb; if it has none, "
	       "kuska-node --recover -c %s rebuilds it from the "
	       "consolidator's copy (this file is kept aside)",
	       n->cfg.data_dir, whose, inst, conf, conf);
}

/* What the outbox keeps of the ref key: a keyed hash, not the key. */
static void
ref_key_fp(const struct node *n, uint8_t fp[32])
{
	static const char label[] = "kuska ref key check";

	crypto_generichash(fp, 32, (const unsigned char *)label,
			   sizeof(label) - 1, n->ref_key->key,
			   sizeof(n->ref_key->key));
}

/*
 * A ref key other than the one the outbox's records were named with (a
 * key file lost and made again, another node's) names every resubmitted
 * record anew: each would be stored, and counted, twice. Refuse it.
 */
static void
check_ref_key(struct node *n, const char *conf)
{
	uint8_t fp[32];
	int r;

	ref_key_fp(n, fp);
	r = outbox_pin_ref_key(n->ob, fp);
	if (r < 0)
		fatalx("%s: cannot read the outbox: %s%s", n->cfg.data_dir,
		       strerror(-r), daemon_open_hint(r));
	if (r == 0)
		return;
	log_warnx("event=ref_key_mismatch dir=%s ref_key=%s",
		  LOG_Q(n->cfg.data_dir), LOG_Q(n->cfg.ref_key));
	fatalx("%s: [node] ref_key %s is not the key this outbox's records "
	       "were named with: with it every record submitted again would "
	       "be stored, and counted, twice. Put back the ref key backed "
	       "up with this outbox; if it is lost for good, OPERATIONS.md "
	       "section 2 says how to go on with a new one",
	       conf, n->cfg.ref_key);
}

/*
 * Takes the outbox's directory for this process, and says so when it did
 * not exist: a node with a mistyped data_dir starts from an empty outbox,
 * which the consolidator's copy no longer matches.
 */
static void
lock_outbox(struct node *n, const char *conf, bool recovering)
{
	char why[2 * SETTINGS_PATH_MAX + 128];
	bool made;

	if (daemon_lock(n->cfg.data_dir, "kuska-node", "outbox", &made, why,
			sizeof(why)) != 0)
		fatalx("%s: [node] data_dir: %s", conf, why);
	/* --recover fills a new outbox: nothing to say then. */
	if (made && !recovering)
		log_warnx("event=outbox_created dir=%s hint=\"there was "
			  "none: a new, empty outbox was created. If this "
			  "node delivered before, data_dir is mistyped: the "
			  "consolidator's copy came from another outbox, and "
			  "the node stops as diverged (see OPERATIONS.md)\"",
			  LOG_Q(n->cfg.data_dir));
}

/* kuska-node --recover: see recover.h. */
static int
recover(struct node *n)
{
	uint8_t fp[32];
	struct recover_params p = {
	    .dir = n->cfg.data_dir,
	    .map_size = n->cfg.map_size_mb << 20,
	    .inst = (enum institution)n->cfg.institution,
	    .consolidator = n->cfg.consolidator,
	    .network = n->cfg.network,
	    .key = n->key,
	    .cons_key = &n->consolidator,
	    .timeout_ms = RECOVER_TIMEOUT_MS,
	    .ref_fp = fp,
	};
	int r;

	ref_key_fp(n, fp);
	r = recover_run(&p, stdout);
	if (r == 0)
		daemon_keep();

	/* Made by root for the daemon's user: keep them the daemon's (a
	 * refused run too: lock.mdb of root's would stop the service). */
	(void)lockdir_own(n->cfg.data_dir, "kuska.lock");
	(void)lockdir_own(n->cfg.data_dir, "data.mdb");
	(void)lockdir_own(n->cfg.data_dir, "lock.mdb");
	keys_free(&n->key);
	keys_key32_free(&n->linkage);
	keys_key32_free(&n->ref_key);
	return r == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"recover", no_argument, NULL, 'R'},
	    {NULL, 0, NULL, 0},
	};
	struct node n;
	struct daemon_args a = {0};
	int ch, recovering = 0, err;
	char status[700], why[SETTINGS_PATH_MAX + 128];

	memset(&n, 0, sizeof(n));
	if (help_handle("kuska-node", NULL, argc, argv, &err))
		return err;
	while ((ch = getopt_long(argc, argv, DAEMON_OPTSTRING, opts, NULL)) !=
	       -1) {
		if (daemon_option(&a, ch, optarg))
			continue;
		if (ch == 'R')
			recovering = 1;
		else
			usage();
	}
	if (a.conf == NULL || optind != argc)
		usage();
	if (daemon_begin("kuska-node", a.debug) != 0)
		fatalx("cannot initialise libsodium");
	/* Identities pass through memory kuska cannot wipe: no core file. */
	if ((err = guard_nodump()) != 0)
		fatalx("cannot forbid core dumps: %s", strerror(-err));
	record_init();
	load(&n, a.conf);
	if (a.check) {
		config_print(stdout, &settings_node_schema, &n.cfg);
		daemon_check_dir(a.conf, "node", n.cfg.data_dir, "outbox");
		daemon_check_socket(a.conf, "node", "submit", n.cfg.submit);
		daemon_check_metrics(a.conf, "node", n.cfg.metrics_file);
		fprintf(stderr, "configuration OK\n");
		keys_free(&n.key);
		keys_key32_free(&n.linkage);
		keys_key32_free(&n.ref_key);
		return 0;
	}
	lock_outbox(&n, a.conf, recovering);
	if (recovering)
		return recover(&n);
	if (check_outbox(n.cfg.data_dir, a.conf) != 0) {
		keys_free(&n.key);
		keys_key32_free(&n.linkage);
		keys_key32_free(&n.ref_key);
		return 1;
	}
	if (service_init() != 0)
		fatal("signals");
	err = outbox_open(n.cfg.data_dir, n.cfg.map_size_mb << 20, &n.ob);
	if (err != 0)
		fatalx("%s: cannot open the outbox: %s%s", n.cfg.data_dir,
		       strerror(-err), daemon_open_hint(err));
	check_owner(&n, a.conf);
	check_ref_key(&n, a.conf);
	n.t = transport_new();
	if (n.t == NULL)
		fatal("zmq context");
	n.submit = daemon_bind_local(n.t, n.cfg.submit, SUBMIT_MAX_BYTES, why,
				     sizeof(why));
	if (n.submit == NULL)
		fatalx("%s: [node] submit: %s", a.conf, why);
	tsock_set_wipe(n.submit); /* raw lines: identities */
	{
		struct tsock_limits lim = {.max_frame = CODEC_MAX_FRAME};
		n.dealer = tsock_connect_curve(
		    n.t, n.cfg.consolidator, n.key->curve_pk, n.key->curve_sk,
		    n.consolidator.curve_pk, &lim, &err);
	}
	if (n.dealer == NULL)
		fatalx("%s: cannot connect: %s", n.cfg.consolidator,
		       strerror(-err));
	n.monitor = tsock_monitor(n.t, n.dealer, &err);
	if (n.monitor == NULL)
		fatalx("socket monitor: %s", strerror(-err));
	{
		char e[512];
		n.holders = holders_new(n.t, &n.cfg, n.key, e, sizeof(e));
		if (n.holders == NULL)
			fatalx("%s", e);
	}
	n.intake.inst = (enum institution)n.cfg.institution;
	n.intake.network = n.cfg.network;
	n.intake.key = n.key;
	n.intake.linkage = n.linkage;
	n.intake.ref_key = n.ref_key;
	n.intake.ob = n.ob;
	n.intake.request_max = holders_request_max;
	n.intake.send = holders_send;
	n.intake.recv = holders_recv;
	n.intake.holders = n.holders;
	n.intake.workers =
	    n.cfg.workers > 0 ? (unsigned)n.cfg.workers : parallel_cpus();
	/* Until the consolidator says them: what it said last, else the
	 * registry's defaults. */
	if (outbox_grants_get(n.ob, &n.grants.kinds, &n.grants.stages) == 0) {
		n.grants.said = true;
	} else {
		n.grants.kinds = registry_default_kinds(n.intake.inst);
		n.grants.stages = registry_default_stages(n.intake.inst);
	}
	n.intake.grants = &n.grants;
	n.started_ms = date_now_ms();
	n.intake.serve = serve_busy;
	n.intake.serve_arg = &n;
	holders_set_serve(n.holders, n.submit, serve_busy, &n);
	if (intake_init(&n.intake) != 0)
		fatalx("out of memory");
	n.deliver.ob = n.ob;
	n.deliver.sock = n.dealer;
	n.deliver.endpoint = n.cfg.consolidator;
	n.deliver.inst = (enum institution)n.cfg.institution;
	n.deliver.network = n.cfg.network;
	n.deliver.batch_events = n.cfg.batch_events;
	n.deliver.window = n.cfg.window;
	n.deliver.ack_timeout_ms = n.cfg.ack_timeout_s * 1000;
	/* A third of the silence alarm, so that a healthy idle link never
	 * reaches it; at most every 5 minutes. */
	n.deliver.keepalive_ms = n.cfg.alarm_silent_s * 1000 / 3;
	if (n.deliver.keepalive_ms > 300000)
		n.deliver.keepalive_ms = 300000;
	if (n.deliver.keepalive_ms < 1000)
		n.deliver.keepalive_ms = 1000;
	n.deliver.grants = &n.grants;
	n.deliver.serve = serve_busy;
	n.deliver.serve_arg = &n;
	deliver_init(&n.deliver);
	{
		char fp[17];
		log_info("event=start institution=%s network=%s key=%s "
			 "submit=%s consolidator=%s keyholders=%zu "
			 "key_epoch=%u workers=%u",
			 institution_name(n.intake.inst), n.cfg.network,
			 log_hex8(n.key->key_id, fp), LOG_Q(n.cfg.submit),
			 LOG_Q(n.cfg.consolidator), holders_count(n.holders),
			 (unsigned)n.linkage->epoch, n.intake.workers);
	}
	/* Started: a new outbox stays (until here a failure removes it). */
	daemon_keep();
	snprintf(status, sizeof(status), "institution %s, delivering to %s",
		 institution_name(n.intake.inst), n.cfg.consolidator);
	service_ready(status);
	run(&n);
	service_notify_stopping();
	log_info("event=stop institution=%s", institution_name(n.intake.inst));
	while (n.n_deferred > 0) {
		wipe_frames(&n.deferred[--n.n_deferred]);
		tframes_clear(&n.deferred[n.n_deferred]);
	}
	intake_free(&n.intake);
	holders_free(&n.holders);
	tsock_free(&n.monitor);
	tsock_free(&n.dealer);
	tsock_free(&n.submit);
	transport_free(&n.t);
	outbox_close(&n.ob);
	keys_free(&n.key);
	keys_key32_free(&n.linkage);
	keys_key32_free(&n.ref_key);
	return 0;
}
