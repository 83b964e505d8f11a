/*
 * status.c - kuska status: what a node, the consolidator or a key holder
 * holds and whether anything needs attention. Exit code 0 healthy, 1
 * warning, 2 unreachable, 3 starting, so it fits a monitoring check.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "codec.h"
#include "ctl.h"
#include "date.h"
#include "dead_advice.h"
#include "log.h"
#include "settings.h"
#include "status_backlog.h"
#include "status_epochs.h"
#include "status_unmatched.h"

#define STATUS_TIMEOUT_MS 5000
/* The daemon answered that it is starting (the checks of its store or
 * outbox, a statistics rebuild): neither healthy nor down. */
#define STATUS_EXIT_STARTING 3
/* A key holder not connected this long is no moment of connecting. */
#define KEYHOLDER_GRACE_MS 10000

/* Which daemon a config file belongs to. */
enum daemon_kind { DAEMON_NODE, DAEMON_CONSOLIDATOR, DAEMON_KEYHOLDER };

/* "30 days", "5 h", "12 min", "40 s": a length of time for people. */
static const char *
span(int64_t ms, char *out, size_t cap)
{
	uint64_t s = (uint64_t)(ms < 0 ? -ms : ms) / 1000;

	if (s >= 2 * 86400)
		snprintf(out, cap, "%llu days", (unsigned long long)s / 86400);
	else if (s >= 2 * 3600)
		snprintf(out, cap, "%llu h", (unsigned long long)s / 3600);
	else if (s >= 120)
		snprintf(out, cap, "%llu min", (unsigned long long)s / 60);
	else
		snprintf(out, cap, "%llu s", (unsigned long long)s);
	return out;
}

/* The daemon of kind as its users know it, for what kuska says of it. */
static const char *
daemon_name(enum daemon_kind kind)
{
	switch (kind) {
	case DAEMON_NODE:
		return "the node";
	case DAEMON_KEYHOLDER:
		return "the key holder";
	default:
		return "the consolidator";
	}
}

/*
 * Asks the control socket of the daemon of kind (status or metrics), a
 * node's status with up to max_unmatched unmatched take-ups. Returns 0 or
 * an exit code.
 */
static int
ask(const char *endpoint, enum daemon_kind kind, enum control_type type,
    uint32_t max_unmatched, struct control *rep)
{
	const char *cmd = type == CTL_METRICS ? "metrics" : "status";
	struct control req;
	struct ctl *ctl;
	char why[1024];
	int r;

	ctl = ctl_open(endpoint, &r);
	if (ctl == NULL) {
		fprintf(stderr, "kuska %s: %s\n", cmd,
			ctl_explain(r, endpoint, daemon_name(kind), why,
				    sizeof(why)));
		return 2;
	}
	memset(&req, 0, sizeof(req));
	req.type = type;
	req.max_dead = 20;
	req.max_unmatched = max_unmatched;
	r = ctl_call(ctl, &req, NULL, NULL, 0, STATUS_TIMEOUT_MS, rep);
	ctl_close(&ctl);
	if (r != 0) {
		fprintf(stderr, "kuska %s: %s: no answer: %s\n", cmd, endpoint,
			strerror(-r));
		return 2;
	}
	if (rep->type == CTL_ERROR) {
		fprintf(stderr, "kuska %s: %s\n", cmd, rep->error);
		codec_control_clear(rep);
		return 2;
	}
	if (rep->type == CTL_STARTING) {
		/* Not an outage: its own exit code, for a monitoring
		 * check; what it does, for the operator. */
		fprintf(type == CTL_METRICS ? stderr : stdout,
			"%s%s is starting: %s; it answers once started\n",
			type == CTL_METRICS ? "kuska metrics: " : "STARTING: ",
			daemon_name(kind), rep->error);
		codec_control_clear(rep);
		return STATUS_EXIT_STARTING;
	}
	return 0;
}

/*
 * The control endpoint of a node's, the consolidator's or a key holder's
 * config, and which it is. Returns 0 or an exit code (the error said).
 */
static int
control_endpoint(const char *cmd, const char *conf, char *out, size_t cap,
		 enum daemon_kind *ret_kind)
{
	char section[64], err[512];
	int r = settings_section(conf, section, sizeof(section));

	if (r == -EINVAL) {
		fprintf(stderr, "kuska %s: %s: not a kuska config file\n", cmd,
			conf);
		return 2;
	}
	if (r != 0) {
		/* A mistyped path: say so, not that the file is of a wrong
		 * kind (query and submit say it alike). */
		fprintf(stderr, "kuska %s: %s: %s\n", cmd, conf, strerror(-r));
		return 2;
	}
	if (strcmp(section, "node") == 0) {
		struct node_config cfg;
		if (config_load(conf, &settings_node_schema, &cfg, err,
				sizeof(err)) != 0) {
			fprintf(stderr, "kuska %s: %s\n", cmd, err);
			return 2;
		}
		snprintf(out, cap, "%s", cfg.submit);
		*ret_kind = DAEMON_NODE;
		return 0;
	}
	if (strcmp(section, "consolidator") == 0) {
		struct consolidator_config cfg;
		if (config_load(conf, &settings_consolidator_schema, &cfg, err,
				sizeof(err)) != 0) {
			fprintf(stderr, "kuska %s: %s\n", cmd, err);
			return 2;
		}
		snprintf(out, cap, "%s", cfg.control);
		*ret_kind = DAEMON_CONSOLIDATOR;
		return 0;
	}
	if (strcmp(section, "keyholder") == 0) {
		struct keyholder_config cfg;
		if (config_load(conf, &settings_keyholder_schema, &cfg, err,
				sizeof(err)) != 0) {
			fprintf(stderr, "kuska %s: %s\n", cmd, err);
			return 2;
		}
		snprintf(out, cap, "%s", cfg.control);
		*ret_kind = DAEMON_KEYHOLDER;
		return 0;
	}
	settings_wrong_kind(conf, section,
			    "a node's, the consolidator's or a key holder's "
			    "config",
			    err, sizeof(err));
	fprintf(stderr, "kuska %s: %s\n", cmd, err);
	return 2;
}

/*
 * Whether the consolidator has been silent past the node's alarm: since
 * its last answer, or, never having answered, since the node started.
 */
static bool
silent(const struct node_status *s)
{
	uint64_t since =
	    s->last_contact_ms ? s->last_contact_ms : s->started_ms;

	if (s->alarm_silent_s == 0 || since == 0 || s->now_ms < since)
		return false;
	return s->now_ms - since > (uint64_t)s->alarm_silent_s * 1000;
}

/*
 * Whether the node's dead letters need attention: some held, the newest
 * refused less than alarm_dead_letter_hours ago, or at any age when the
 * window is 0 or the node is older and says none (every dead letter an
 * alarm, as it was). One refused "in the future" (this clock put back
 * since) is recent.
 */
static bool
dead_letter_alarm(const struct node_status *s)
{
	if (s->dead_total == 0)
		return false;
	if (!s->has_dead_window || s->alarm_dead_letter_hours == 0 ||
	    s->dead_newest_ms == 0)
		return true;
	return (int64_t)s->now_ms - (int64_t)s->dead_newest_ms <
	       (int64_t)s->alarm_dead_letter_hours * 3600000;
}

/*
 * The dead letters' one line after their list: a warning while they are
 * recent, with what to do of them, else that they are old. Returns 1 for
 * a warning, 0 otherwise.
 */
static int
dead_letter_warning(const struct node_status *s)
{
	char a[32];

	if (s->dead_total == 0)
		return 0;
	if (!dead_letter_alarm(s)) {
		printf("    (the newest refused %s: past "
		       "alarm_dead_letter_hours, %u h, no alarm)\n",
		       status_ago(s->dead_newest_ms, s->now_ms, a, sizeof(a)),
		       (unsigned)s->alarm_dead_letter_hours);
		return 0;
	}
	if (!s->has_dead_window || s->dead_newest_ms == 0)
		printf("  WARNING: events refused (an older node: the alarm "
		       "lasts while any is held)\n");
	else if (s->alarm_dead_letter_hours == 0)
		printf("  WARNING: events refused, the newest %s "
		       "(alarm_dead_letter_hours = 0: the alarm lasts while "
		       "any is held)\n",
		       status_ago(s->dead_newest_ms, s->now_ms, a, sizeof(a)));
	else
		printf("  WARNING: events refused, the newest %s (the alarm "
		       "lasts alarm_dead_letter_hours, %u h)\n",
		       status_ago(s->dead_newest_ms, s->now_ms, a, sizeof(a)),
		       (unsigned)s->alarm_dead_letter_hours);
	dead_advice_print(stdout, s);
	return 1;
}

/* One handshake warning: what happened, how long ago, what to check. */
static int
warn_handshake(const struct node_status *s, uint64_t at_ms, const char *what,
	       const char *check)
{
	char a[32];

	printf("  WARNING: %s %s: %s\n", what,
	       status_ago(at_ms, s->now_ms, a, sizeof(a)), check);
	return 1;
}

/*
 * Why a node is not connected, when the handshake says: a refused one
 * is retried with back-off but will not succeed until someone fixes the
 * registry, long before the silence alarm. Returns 1 when it warned.
 */
static int
handshake_warning(const struct node_status *s)
{
	if (s->connected)
		return 0;
	if (s->handshake_refused_ms != 0)
		return warn_handshake(
		    s, s->handshake_refused_ms,
		    "the consolidator refused this node's handshake",
		    "is its transport key in the registry and valid now (not "
		    "revoked, not past its valid_until, as keys restored from "
		    "a backup older than a rotation may be)?");
	if (s->handshake_failed_ms != 0)
		return warn_handshake(
		    s, s->handshake_failed_ms,
		    "the handshake with the consolidator failed",
		    NODE_HANDSHAKE_HINT);
	return 0;
}

/* What the node lets through at submission, and whose word it is. */
static void
print_grants(const struct node_status *s)
{
	int i;

	if (!s->has_grants)
		return;
	printf("  may emit:              ");
	for (i = 1; i <= KIND_COUNT; i++)
		if (s->grant_kinds & (1u << i))
			printf(" %s", kind_name((enum kind)i));
	if (s->grant_stages != 0) {
		printf("; case stages");
		for (i = 1; i <= STAGE_COUNT; i++)
			if (s->grant_stages & (1u << i))
				printf(" %s", stage_name((enum stage)i));
	}
	printf(" (%s)\n", s->grants_default
			      ? "the defaults: the consolidator has not said "
				"yet"
			      : "as the consolidator said");
}

/* A submission's counts, as kuska submit's summary words them. */
static void
print_counts(const struct submit_counts *c)
{
	printf("%llu accepted, %llu already held, %llu refused, %llu with "
	       "unlinkable victims",
	       (unsigned long long)c->accepted, (unsigned long long)c->held,
	       (unsigned long long)c->refused,
	       (unsigned long long)c->unlinkable);
	if (c->rekeyed > 0)
		printf(", %llu re-keyed", (unsigned long long)c->rekeyed);
}

/*
 * What the node's submissions did to their lines since it started (a
 * node older than that says nothing: nor does this). Returns 1 when the
 * last one, within a day, had lines refused: a scheduled kuska submit
 * whose output nobody reads is noticed here. A later submission with
 * none refused clears it.
 */
static int
print_submissions(const struct node_status *s)
{
	char a[32], e[4 * sizeof(s->first_refused_source)];
	const struct submit_counts *last = &s->last_submission;

	if (!s->has_submissions)
		return 0;
	if (s->submissions == 0) {
		printf("  last submission:        none since the node started, "
		       "%s\n",
		       status_ago(s->started_ms, s->now_ms, a, sizeof(a)));
		return 0;
	}
	printf("  last submission:        %s: ",
	       status_ago(s->last_submission_ms, s->now_ms, a, sizeof(a)));
	print_counts(last);
	printf("\n  since the node started: %llu submission%s: ",
	       (unsigned long long)s->submissions,
	       s->submissions == 1 ? "" : "s");
	print_counts(&s->submitted_total);
	printf("\n");
	if (last->refused == 0 || s->last_submission_ms + 86400000 <= s->now_ms)
		return 0;
	printf("  WARNING: the last submission had %llu line%s refused",
	       (unsigned long long)last->refused,
	       last->refused == 1 ? "" : "s");
	if (s->first_refused_line != 0) {
		/* Its file, as kuska submit named it: a submission of
		 * several files has several line 8s (walk45). */
		printf(" (the first: ");
		if (strcmp(s->first_refused_source, "-") == 0)
			printf("standard input ");
		else if (s->first_refused_source[0] != '\0')
			printf("%s ", log_escape(s->first_refused_source, e,
						 sizeof(e)));
		printf("line %llu", (unsigned long long)s->first_refused_line);
		if (s->first_refused_field[0] != '\0')
			printf(", %s", log_escape(s->first_refused_field, e,
						  sizeof(e)));
		printf(")");
	}
	printf(": not stored; kuska submit --report FILE lists each and "
	       "why, for the case system to correct and submit again\n");
	return 1;
}

/*
 * A node's status, its unmatched take-ups as the consolidator says them
 * now: the node asks it for them anew on each status (within
 * STATUS_UNMATCHED_FRESH_MS of its last ask, not), and while the list it
 * holds is older than the first answer the node is asked again, for up
 * to STATUS_UNMATCHED_WAIT_MS. Returns 0 or an exit code.
 */
static int
ask_node(const char *endpoint, struct control *rep)
{
	const struct timespec pause = {0, STATUS_UNMATCHED_POLL_MS * 1000000L};
	uint64_t asked_ms, waited = 0;
	int r;

	r = ask(endpoint, DAEMON_NODE, CTL_STATUS, CODEC_MAX_UNMATCHED, rep);
	if (r != 0)
		return r;
	if (rep->type != CTL_NODE_STATUS) {
		codec_control_clear(rep);
		return 2;
	}
	asked_ms = rep->node.now_ms;
	while (status_unmatched_stale(&rep->node, asked_ms) &&
	       waited < STATUS_UNMATCHED_WAIT_MS) {
		struct control again;

		nanosleep(&pause, NULL);
		waited += STATUS_UNMATCHED_POLL_MS;
		if (ask(endpoint, DAEMON_NODE, CTL_STATUS, CODEC_MAX_UNMATCHED,
			&again) != 0)
			break; /* said; the first answer stands */
		if (again.type != CTL_NODE_STATUS) {
			codec_control_clear(&again);
			break;
		}
		codec_control_clear(rep);
		*rep = again;
	}
	return 0;
}

/*
 * Texts in a status come from the node, and through it from the
 * consolidator and the case system: they are shown escaped, so that none
 * can move the cursor, clear the screen or fake a line of its own.
 */
static int
node_status(const char *endpoint)
{
	struct control rep;
	const struct node_status *s;
	char a[32], e1[4 * CODEC_MAX_TEXT + 160], e2[4 * CODEC_MAX_TEXT + 1];
	size_t i;
	int health = 0, r;

	r = ask_node(endpoint, &rep);
	if (r != 0)
		return r;
	s = &rep.node;
	printf("node %s\n", institution_name(s->inst));
	printf("  events stored:          %llu (last sequence %llu)\n",
	       (unsigned long long)s->accepted_total,
	       (unsigned long long)s->last_seq);
	printf("  acknowledged:           %llu\n",
	       (unsigned long long)s->acked_seq);
	health |= status_backlog_print(stdout, s);
	printf("  consolidator:           %s, last answer %s\n",
	       s->connected ? "connected" : "not connected",
	       status_ago(s->last_contact_ms, s->now_ms, a, sizeof(a)));
	/* First of the warnings: what the node does not do, and what to
	 * do of it (the backlog above says so of its events). */
	if (s->diverged[0] != '\0') {
		printf("  WARNING: DIVERGED: %s\n"
		       "           nothing is delivered or accepted until "
		       "the outbox is rebuilt from the consolidator's copy:\n"
		       "           stop the node, run kuska-node --recover -c "
		       "FILE, start it, resubmit the exports made since the "
		       "backup (kuska-node(8))\n"
		       "           but on a machine the node was moved away "
		       "from: stop it and disable its unit instead, never "
		       "--recover (OPERATIONS.md section 10)\n",
		       log_escape(s->diverged, e1, sizeof(e1)));
		health = 1;
	}
	if (silent(s)) {
		/* Whether or not events wait: a node cut off is noticed
		 * before a backlog builds up. */
		printf("  WARNING: the consolidator has not answered for over "
		       "%s (alarm_silent_s): is it running, is the network "
		       "up?\n",
		       span((int64_t)s->alarm_silent_s * 1000, a, sizeof(a)));
		health = 1;
	}
	health |= handshake_warning(s);
	print_grants(s);
	health |= print_submissions(s);
	if (s->last_refusal[0] != '\0' &&
	    s->last_refusal_ms + 600000 > s->now_ms) {
		/* Batches refused whole within the last ten minutes: the
		 * events wait, and someone has to look. */
		printf("  WARNING: the consolidator refused a batch %s: %s\n",
		       status_ago(s->last_refusal_ms, s->now_ms, a, sizeof(a)),
		       log_escape(s->last_refusal, e1, sizeof(e1)));
		health = 1;
	}
	if (s->has_skew && (s->clock_skew_ms > DATE_SKEW_WARN_MS ||
			    s->clock_skew_ms < -DATE_SKEW_WARN_MS)) {
		printf("  WARNING: this node's clock is %s %s the "
		       "consolidator's (check NTP)\n",
		       date_skew_words(s->clock_skew_ms, a, sizeof(a)),
		       s->clock_skew_ms > 0 ? "ahead of" : "behind");
		health = 1;
	}
	if (s->disk_full[0] != '\0') {
		printf("  WARNING: %s (the last write failed %s): submissions "
		       "are refused until there is room\n",
		       log_escape(s->disk_full, e1, sizeof(e1)),
		       status_ago(s->disk_full_ms, s->now_ms, a, sizeof(a)));
		health = 1;
	}
	printf("  refused (dead letters): %llu\n",
	       (unsigned long long)s->dead_total);
	/* A ref the node withholds (stored before refs were checked, or a
	 * withdrawal's) or never held (--recover) comes empty. */
	for (i = 0; i < s->n_dead; i++)
		printf("    seq %llu %s%s: %s: %s\n",
		       (unsigned long long)s->dead[i].seq,
		       s->dead[i].ref[0] != '\0' ? "ref "
						 : "(its ref not shown)",
		       log_escape(s->dead[i].ref, e1, sizeof(e1)),
		       reason_name(s->dead[i].reason)
			   ? reason_name(s->dead[i].reason)
			   : "?",
		       log_escape(s->dead[i].text, e2, sizeof(e2)));
	if (s->dead_total > s->n_dead)
		printf("    (%llu more)\n",
		       (unsigned long long)(s->dead_total - s->n_dead));
	health |= dead_letter_warning(s);
	status_unmatched_print(stdout, s);
	printf("  key epoch:              %u", (unsigned)s->key_epoch);
	if (s->has_key_check)
		printf(" (check %02x%02x%02x%02x%02x%02x%02x%02x: the same on "
		       "every node of this epoch)",
		       s->key_check[0], s->key_check[1], s->key_check[2],
		       s->key_check[3], s->key_check[4], s->key_check[5],
		       s->key_check[6], s->key_check[7]);
	else
		printf(" (check value known after the first submission)");
	printf("\n");
	status_epochs_print(stdout, s);
	printf("  key holders:            %llu evaluations asked since "
	       "start",
	       (unsigned long long)s->evaluations);
	if (s->evaluations_failed > 0)
		printf(" (%llu in submissions that failed, %llu in ones "
		       "stored)",
		       (unsigned long long)s->evaluations_failed,
		       (unsigned long long)(s->evaluations -
					    s->evaluations_failed));
	printf("\n");
	if (s->keyholders_unreached > 0 &&
	    s->keyholder_unreached_ms + KEYHOLDER_GRACE_MS <= s->now_ms) {
		/* Not a moment of connecting: every submission fails until
		 * the node reaches it. */
		printf("  WARNING: %s, for %s: every submission fails until "
		       "it is reached",
		       log_escape(s->keyholder_unreached, e1, sizeof(e1)),
		       span((int64_t)(s->now_ms - s->keyholder_unreached_ms), a,
			    sizeof(a)));
		if (s->keyholders_unreached > 1)
			printf(" (%u key holders not connected)",
			       (unsigned)s->keyholders_unreached);
		printf("\n");
		health = 1;
	}
	if (s->keyholder_error[0] != '\0' &&
	    s->keyholder_error_ms + 3600000 > s->now_ms) {
		/* Submissions refused within the last hour: the case system
		 * must submit again once the holders answer. */
		printf(
		    "  WARNING: a submission was refused %s: %s\n",
		    status_ago(s->keyholder_error_ms, s->now_ms, a, sizeof(a)),
		    s->keyholder_error);
		health = 1;
	}
	codec_control_clear(&rep);
	return health;
}

static int
keyholder_status(const char *endpoint)
{
	struct control rep;
	const struct keyholder_status *k;
	char a[32];
	size_t i;
	int health = 0, r;

	r = ask(endpoint, DAEMON_KEYHOLDER, CTL_STATUS, 0, &rep);
	if (r != 0)
		return r;
	if (rep.type != CTL_KEYHOLDER_STATUS) {
		codec_control_clear(&rep);
		return 2;
	}
	k = &rep.keyholder;
	printf("key holder: key epoch %u, each node may ask %llu evaluations "
	       "a day\n",
	       (unsigned)k->epoch, (unsigned long long)k->rate_per_day);
	printf("%-12s %9s %11s %13s %14s %10s  %s\n", "node", "requests",
	       "evaluated", "refused_rate", "refused_other", "allowance",
	       "last request");
	for (i = 0; i < k->n_nodes; i++) {
		const struct keyholder_node *n = &k->nodes[i];
		printf("%-12s %9llu %11llu %13llu %14llu %10llu  %s\n", n->id,
		       (unsigned long long)n->requests,
		       (unsigned long long)n->evaluations,
		       (unsigned long long)n->refused_rate,
		       (unsigned long long)n->refused_other,
		       (unsigned long long)n->allowance,
		       status_ago(n->last_request_ms, k->now_ms, a, sizeof(a)));
	}
	for (i = 0; i < k->n_nodes; i++) {
		const struct keyholder_node *n = &k->nodes[i];
		if (n->refused_rate == 0 ||
		    n->last_refusal_ms + 86400000 < k->now_ms)
			continue;
		/* Refusals for the rate within a day: someone must find
		 * out whether the node sweeps or just has a big day. */
		printf("WARNING: %s asked more than its allowance (%llu "
		       "elements refused, the last %s): a dictionary sweep "
		       "with a stolen node key, or a volume the rate does "
		       "not allow\n",
		       n->id, (unsigned long long)n->refused_rate,
		       status_ago(n->last_refusal_ms, k->now_ms, a, sizeof(a)));
		health = 1;
	}
	if (k->accounts_failed_ms != 0) {
		/* Its own disk, not a node: no key to revoke. */
		printf(
		    "WARNING: the accounts file could not be written %s "
		    "(%s): every node's requests are refused until it can "
		    "be; free the disk or give its directory back to the "
		    "daemon's user\n",
		    status_ago(k->accounts_failed_ms, k->now_ms, a, sizeof(a)),
		    k->accounts_error);
		health = 1;
	}
	printf("handshakes refused: %llu, requests refused: %llu\n",
	       (unsigned long long)k->handshake_failures,
	       (unsigned long long)k->requests_refused);
	codec_control_clear(&rep);
	return health;
}

static int
consolidator_status(const char *endpoint)
{
	struct control rep;
	char a[32];
	bool any_silent = false, any_skewed = false;
	int i, j, health = 0, r;

	r = ask(endpoint, DAEMON_CONSOLIDATOR, CTL_STATUS, 0, &rep);
	if (r != 0)
		return r;
	if (rep.type != CTL_CONS_STATUS) {
		codec_control_clear(&rep);
		return 2;
	}
	printf("%-12s %10s %10s %8s  %s\n", "institution", "last_seq",
	       "accepted", "refused", "last contact");
	for (i = 1; i <= INST_COUNT; i++) {
		const struct inst_status *s = &rep.cons.inst[i];
		/* An institution the registry does not list cannot speak:
		 * its silence is the registry's doing, not an alarm. */
		bool silent =
		    !s->unregistered &&
		    (s->last_contact_ms == 0 ||
		     rep.cons.now_ms - s->last_contact_ms >
			 (uint64_t)rep.cons.alarm_silent_hours * 3600000);
		bool skewed =
		    s->has_skew && (s->clock_skew_ms > DATE_SKEW_WARN_MS ||
				    s->clock_skew_ms < -DATE_SKEW_WARN_MS);
		printf("%-12s %10llu %10llu %8llu  %s%s%s%s",
		       institution_name((enum institution)i),
		       (unsigned long long)s->last_seq,
		       (unsigned long long)s->accepted,
		       (unsigned long long)s->refused,
		       status_ago(s->last_contact_ms, rep.cons.now_ms, a,
				  sizeof(a)),
		       silent ? "  SILENT" : "",
		       s->unregistered ? "  (not in the registry)" : "",
		       s->diverged ? "  DIVERGED (its outbox is not the one "
				     "we hold: kuska-node --recover; after "
				     "one it clears at the node's next "
				     "keep-alive; or a retired machine of "
				     "the node runs again: two addresses in "
				     "the journal's event=hello from=)"
				   : "");
		if (skewed)
			printf("  CLOCK: its clock is %s %s ours",
			       date_skew_words(s->clock_skew_ms, a, sizeof(a)),
			       s->clock_skew_ms > 0 ? "ahead of" : "behind");
		printf("\n");
		if (silent || s->diverged || skewed)
			health = 1;
		any_silent = any_silent || silent;
		any_skewed = any_skewed || skewed;
	}
	/* What to do: the node's side says why, and the table does not. */
	if (any_silent)
		printf(
		    "SILENT: not heard from for over %u h (alarm_silent_hours) "
		    "or never: its node's kuska status and journal say why "
		    "(event=consolidator_unreachable: its consolidator "
		    "address or a firewall; handshake_failed: its "
		    "consolidator_key; handshake_refused: its key not in "
		    "this registry); OPERATIONS.md section 4\n",
		    rep.cons.alarm_silent_hours);
	if (any_skewed)
		printf("CLOCK: one of the two machines' clocks is wrong: check "
		       "NTP on both (OPERATIONS.md section 10, \"Wrong "
		       "clocks\")\n");
	for (i = 1; i <= INST_COUNT; i++) {
		const struct inst_status *s = &rep.cons.inst[i];
		if (s->refused == 0)
			continue;
		printf("refused from %s:", institution_name(i));
		for (j = 1; j < REASON_COUNT; j++)
			if (s->refused_by_reason[j] > 0)
				printf(" %s=%llu", reason_name(j),
				       (unsigned long long)
					   s->refused_by_reason[j]);
		printf("\n");
	}
	printf("handshakes refused: %llu, frames refused: %llu, control "
	       "requests refused: %llu\n",
	       (unsigned long long)rep.cons.handshake_failures,
	       (unsigned long long)rep.cons.frames_refused,
	       (unsigned long long)rep.cons.control_refused);
	/* Not the peers' doing: a full disk and the like (a consolidator
	 * before it says nothing of them). */
	if (rep.cons.has_store_refused)
		printf("refused for this store (full disk, its ceiling, an I/O "
		       "error, memory): %llu\n",
		       (unsigned long long)rep.cons.store_refused);
	if (rep.cons.store_damaged_ms != 0) {
		printf("WARNING: the consolidator's store is damaged (found so "
		       "%s): every delivery is refused until it is mended; "
		       "nothing is lost, the nodes keep their records and "
		       "retry. Stop the consolidator and start it: its check "
		       "says what is damaged and whether to restore a backup "
		       "or run kuska-consolidator --repair (OPERATIONS.md "
		       "section 10)\n",
		       status_ago(rep.cons.store_damaged_ms, rep.cons.now_ms, a,
				  sizeof(a)));
		health = 1;
	} else if (rep.cons.disk_full[0] != '\0') {
		printf("WARNING: %s (the last commit failed %s): batches are "
		       "refused, the nodes keep them and retry\n",
		       rep.cons.disk_full,
		       status_ago(rep.cons.disk_full_ms, rep.cons.now_ms, a,
				  sizeof(a)));
		health = 1;
	}
	codec_control_clear(&rep);
	return health;
}

/*
 * The daemon a "-c FILE" command line names: its control endpoint and
 * whether it is a node. Returns 0, or an exit code (usage or error said).
 */
static int
daemon_from_args(int argc, char **argv, const char *cmd, char *endpoint,
		 size_t cap, enum daemon_kind *ret_kind)
{
	const char *conf = NULL;
	int ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			goto usage;
		conf = optarg;
	}
	if (conf == NULL || optind != argc)
		goto usage;
	return control_endpoint(cmd, conf, endpoint, cap, ret_kind);
usage:
	fprintf(
	    stderr,
	    "usage: kuska %s -c NODE.conf|CONSOLIDATOR.conf|KEYHOLDER.conf\n",
	    cmd);
	return 2;
}

int
cmd_status(int argc, char **argv)
{
	char endpoint[SETTINGS_PATH_MAX];
	enum daemon_kind kind;
	int r;

	r = daemon_from_args(argc, argv, "status", endpoint, sizeof(endpoint),
			     &kind);
	if (r != 0)
		return r;
	switch (kind) {
	case DAEMON_NODE:
		return node_status(endpoint);
	case DAEMON_KEYHOLDER:
		return keyholder_status(endpoint);
	default:
		return consolidator_status(endpoint);
	}
}

int
cmd_metrics(int argc, char **argv)
{
	struct control rep;
	char endpoint[SETTINGS_PATH_MAX];
	enum daemon_kind kind;
	int r;

	r = daemon_from_args(argc, argv, "metrics", endpoint, sizeof(endpoint),
			     &kind);
	if (r != 0)
		return r;
	r = ask(endpoint, kind, CTL_METRICS, 0, &rep);
	if (r != 0)
		return r;
	if (rep.type != CTL_METRICS_TEXT || rep.text == NULL) {
		codec_control_clear(&rep);
		return 2;
	}
	fputs(rep.text, stdout);
	codec_control_clear(&rep);
	return 0;
}
