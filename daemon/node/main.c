/*
 * kuska-node - an institution's node: takes case events from `kuska
 * submit`, pseudonymises them (with the key holders, holders.c),
 * validates and signs them, keeps them in a durable outbox and delivers
 * them to the consolidator.
 *
 * This file holds the options, the configuration, start-up and shutdown
 * and the poll loop; control.c answers the submit socket, start.c checks
 * the outbox before the node works from it and runs --recover.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "daemon.h"
#include "date.h"
#include "deliver.h"
#include "guard.h"
#include "help.h"
#include "holders.h"
#include "intake.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "node.h"
#include "outbox.h"
#include "parallel.h"
#include "record.h"
#include "registry.h"
#include "service.h"
#include "settings.h"
#include "starting.h"
#include "transport.h"

#define TICK_MS 200

static void
usage(void)
{
	fprintf(stderr, "usage: kuska-node [-dn] -c FILE\n"
			"       kuska-node --recover -c FILE\n");
	exit(2);
}

/*
 * Loads every *.pub of [node] previous_keys, the node's earlier signing
 * keys; exits on any error.
 */
static void
load_old_keys(struct node *n, const char *path)
{
	const char *dir = n->cfg.previous_keys;
	struct dirent *d;
	char err[512], file[SETTINGS_PATH_MAX + 300],
	    why[SETTINGS_PATH_MAX + 128];
	DIR *dh;

	if (dir[0] == '\0')
		return;
	dh = opendir(dir);
	if (dh == NULL) {
		snprintf(why, sizeof(why),
			 "%s: %s (a directory of the .pub files of this "
			 "node's earlier signing keys)",
			 dir, strerror(errno));
		daemon_key_fatal(path, "node", "previous_keys", NULL, why);
	}
	while ((d = readdir(dh)) != NULL) {
		size_t len = strlen(d->d_name);
		if (len < 5 || d->d_name[0] == '.' ||
		    strcmp(d->d_name + len - 4, ".pub") != 0)
			continue;
		if (n->n_old_keys == NODE_MAX_OLD_KEYS) {
			snprintf(why, sizeof(why),
				 "%s: more than %d .pub files", dir,
				 NODE_MAX_OLD_KEYS);
			daemon_key_fatal(path, "node", "previous_keys", NULL,
					 why);
		}
		snprintf(file, sizeof(file), "%s/%s", dir, d->d_name);
		if (keys_load_public(file, &n->old_keys[n->n_old_keys], err,
				     sizeof(err)) != 0)
			daemon_key_fatal(path, "node", "previous_keys", NULL,
					 err);
		n->n_old_keys++;
	}
	closedir(dh);
}

/*
 * config_parse_raw's handler: refuses a [node] consolidator or keyholder*
 * whose host is still the example's placeholder (settings_placeholder).
 */
static int
placeholder_line(void *arg, const char *section, const char *name,
		 const char *value, char *why, size_t whylen)
{
	bool holder =
	    strncmp(name, "keyholder", 9) == 0 && strstr(name, "_key") == NULL;

	(void)arg;
	if (strcmp(section, "node") != 0 ||
	    (strcmp(name, "consolidator") != 0 && !holder) ||
	    !settings_placeholder(value))
		return 0;
	snprintf(why, whylen,
		 "[node] %s: %s is the example's placeholder: put the %s's "
		 "host name or address there",
		 name, value, holder ? "key holder" : "consolidator");
	return -EINVAL;
}

/* config_parse_raw's handler: refuses the [node] line of the key named
 * by arg (keyholder2, say), given without its pair (keyholder2_key). */
static int
unpaired_line(void *arg, const char *section, const char *name,
	      const char *value, char *why, size_t whylen)
{
	const char *given = arg;
	size_t len = strlen(given);
	bool is_key = len > 4 && strcmp(given + len - 4, "_key") == 0;

	(void)value;
	if (strcmp(section, "node") != 0 || strcmp(name, given) != 0)
		return 0;
	snprintf(why, whylen,
		 "[node] %s: given without %.*s%s: give both or neither", given,
		 (int)(is_key ? len - 4 : len), given, is_key ? "" : "_key");
	return -EINVAL;
}

/* Loads the config and every key it names; exits on any error. */
static void
load(struct node *n, const char *path)
{
	char err[512];
	size_t i;

	if (config_load(path, &settings_node_schema, &n->cfg, err,
			sizeof(err)) != 0)
		fatalx_config("%s", err);
	/* An address of the example configs left as shipped: the node
	 * would start and never reach anyone (kuska status said it healthy
	 * until a submission failed). Refused at -n and each start, naming
	 * the file's line. */
	if (config_parse_raw(path, placeholder_line, NULL, err, sizeof(err)) !=
	    0)
		fatalx_config("%s", err);
	/* A key file's error names the config key that points at it. */
	if (keys_load_secret(n->cfg.key, &n->key, err, sizeof(err)) != 0)
		daemon_key_fatal(path, "node", "key", n->cfg.key, err);
	if (keys_key32_load(n->cfg.linkage_key, KEY32_LINKAGE, &n->linkage, err,
			    sizeof(err)) != 0)
		daemon_key_fatal(path, "node", "linkage_key",
				 n->cfg.linkage_key, err);
	if (keys_key32_load(n->cfg.ref_key, KEY32_REF, &n->ref_key, err,
			    sizeof(err)) != 0)
		daemon_key_fatal(path, "node", "ref_key", n->cfg.ref_key, err);
	if (keys_load_public(n->cfg.consolidator_key, &n->consolidator, err,
			     sizeof(err)) != 0)
		daemon_key_fatal(path, "node", "consolidator_key", NULL, err);
	load_old_keys(n, path);
	for (i = 0; i < SETTINGS_MAX_KEYHOLDERS; i++) {
		struct public_key pub;
		char name[16] = "keyholder"; /* keyholder, keyholder2, ... */
		if (i > 0)
			snprintf(name, sizeof(name), "keyholder%zu", i + 1);
		if ((n->cfg.keyholder[i][0] == '\0') !=
		    (n->cfg.keyholder_key[i][0] == '\0')) {
			char given[24];
			snprintf(given, sizeof(given), "%s%s", name,
				 n->cfg.keyholder[i][0] == '\0' ? "_key" : "");
			/* Named at its line; the other one is not there. */
			if (config_parse_raw(path, unpaired_line, given, err,
					     sizeof(err)) != 0)
				fatalx_config("%s", err);
			fatalx_config(
			    "%s: %s and %s_key go together: give both or "
			    "neither",
			    path, name, name);
		}
		if (n->cfg.keyholder_key[i][0] != '\0' &&
		    keys_load_public(n->cfg.keyholder_key[i], &pub, err,
				     sizeof(err)) != 0) {
			char key[24];
			snprintf(key, sizeof(key), "%s_key", name);
			daemon_key_fatal(path, "node", key, NULL, err);
		}
	}
}

static void
run(struct node *n)
{
	struct tsock *socks[3 + SETTINGS_MAX_KEYHOLDERS] = {
	    n->submit, n->dealer, n->monitor};
	bool ready[3 + SETTINGS_MAX_KEYHOLDERS];
	size_t i, nsocks = 3;
	uint64_t last_backlog = 0;

	/* The holders' replies wake the loop too: holders_tick reads them,
	 * so that libzmq keeps only what comes during one pass. */
	for (i = 0; i < holders_count(n->holders); i++)
		socks[nsocks++] = holders_socket(n->holders, i);
	while (!service_stopping()) {
		uint64_t mono;
		/* Requests kept during a submit wait for no tick. */
		int r = tsock_poll(socks, nsocks, ready,
				   n->n_deferred > 0 ? 0 : TICK_MS);

		if (r < 0 && r != -EINTR)
			fatalx("poll: %s", strerror(-r));
		mono = date_mono_ms();
		node_take_submit(n, r > 0 && ready[0]);
		/* No request waiting: a run's next one is not behind
		 * another's. */
		if (!(r > 0 && ready[0]) && n->n_deferred == 0)
			submissions_idle(&n->subs, mono);
		if (r > 0 && ready[1])
			(void)deliver_read(&n->deliver, mono); /* bounded */
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
			       &n->metrics_written_ms, mono,
			       node_render_metrics, n);
		if (service_reload_requested())
			log_info("event=sighup action=none hint=\"a node has "
				 "nothing to reload: restart it to read a "
				 "changed config\"");
		if (mono - last_backlog > 60000) {
			node_check_backlog(n, mono);
			last_backlog = mono;
		}
	}
}

/*
 * Binds the submit socket while the outbox's checks run, before its open
 * (an index built, records counted), and answers "starting" on it until
 * run: kuska status tells a start (exit 3) from a node not running (exit
 * 2), and kuska submit says to wait. The checks' child
 * (outbox_check_start) is forked before: in a child of a process with
 * threads (libzmq's, this one's) only async-signal-safe calls are sound.
 */
static void
start_answering(struct node *n, const char *conf)
{
	char why[SETTINGS_PATH_MAX + 128];
	int err;

	n->t = transport_new();
	if (n->t == NULL)
		fatal("zmq context");
	n->submit = daemon_bind_local(n->t, n->cfg.submit, SUBMIT_MAX_BYTES,
				      why, sizeof(why));
	if (n->submit == NULL)
		fatalx("%s: [node] submit: %s", conf, why);
	tsock_set_wipe(n->submit); /* raw lines: identities */
	starting_say("checking the outbox");
	if ((err =
		 starting_begin(n->submit, SUBMIT_MAX_FRAMES, SUBMIT_MAX_BYTES,
				"event=submit_dropped reason=too_large")) != 0)
		fatalx("cannot start the control thread: %s", strerror(-err));
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
	char status[700];
	struct outbox_checking *chk;

	service_ignore_signals(true);
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
		char dwhy[3 * SETTINGS_PATH_MAX];
		config_print(stdout, &settings_node_schema, &n.cfg);
		if (daemon_check_dir(a.conf, "node", n.cfg.data_dir,
				     "outbox") != 0)
			fatalx_config("%s: [node] data_dir: %s: not a "
				      "directory: a start refuses it",
				      a.conf, n.cfg.data_dir);
		if (daemon_check_data_user(a.conf, "node", n.cfg.data_dir, dwhy,
					   sizeof(dwhy)) != 0)
			fatalx_config("%s: [node] data_dir: %s: a start "
				      "refuses it",
				      a.conf, dwhy);
		daemon_check_socket(a.conf, "node", "submit", n.cfg.submit);
		daemon_check_metrics(a.conf, "node", n.cfg.metrics_file);
		fprintf(stderr, "configuration OK\n");
		keys_free(&n.key);
		keys_key32_free(&n.linkage);
		keys_key32_free(&n.ref_key);
		return 0;
	}
	node_lock_outbox(&n, a.conf, recovering);
	if (recovering)
		return node_recover(&n);
	/* Forked before any thread: libzmq's, the starting thread. */
	chk = outbox_check_start(n.cfg.data_dir);
	start_answering(&n, a.conf);
	/* Under systemd: more time to start while the child reads. */
	starting_extend(true);
	if (node_check_outbox(&chk, n.cfg.data_dir, a.conf) != 0) {
		(void)starting_end();
		tsock_free(&n.submit);
		transport_free(&n.t);
		keys_free(&n.key);
		keys_key32_free(&n.linkage);
		keys_key32_free(&n.ref_key);
		/* Only --recover (or a restored outbox) helps: a restart
		 * finds the same damage, so systemd is not to try again. */
		return LOG_EXIT_CONFIG;
	}
	if (service_init() != 0)
		fatal("signals");
	/* Extended still: the open of an outbox an earlier kuska wrote
	 * reads it all (its case stages' index built, its key epochs'
	 * records counted), tens of seconds at two million envelopes. */
	starting_say("opening the outbox");
	daemon_map_fault_said("kuska-node", "outbox", n.cfg.data_dir);
	err = outbox_open(n.cfg.data_dir, n.cfg.map_size_mb << 20, &n.ob);
	if (err != 0)
		fatalx_status(
		    daemon_exit_status(err), "%s: cannot open the outbox: %s%s",
		    n.cfg.data_dir, strerror(-err), daemon_open_hint(err));
	starting_extend(false);
	node_check_owner(&n, a.conf);
	node_check_ref_key(&n, a.conf);
	{
		/* ZMQ_RCVHWM lifted: libzmq 4.3.4 aborts when a connection
		 * it stopped reading at 1,000 ends with a heartbeat due; the
		 * loop wakes on this socket and deliver_read reads it. */
		struct tsock_limits lim = {.max_frame = CODEC_MAX_FRAME,
					   .rcv_unbounded = true};
		n.dealer = tsock_connect_curve(
		    n.t, n.cfg.consolidator, n.key->curve_pk, n.key->curve_sk,
		    n.consolidator.curve_pk, &lim, &n.monitor, &err);
	}
	if (n.dealer == NULL)
		fatalx("%s: cannot connect: %s", n.cfg.consolidator,
		       strerror(-err));
	{
		char e[512];
		n.holders =
		    holders_new(n.t, &n.cfg, a.conf, n.key, e, sizeof(e));
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
	n.intake.serve = node_serve_busy;
	n.intake.serve_arg = &n;
	holders_set_serve(n.holders, n.submit, node_serve_busy, &n);
	if (intake_init(&n.intake) != 0)
		fatalx("out of memory");
	n.deliver.ob = n.ob;
	n.deliver.sock = n.dealer;
	n.deliver.endpoint = n.cfg.consolidator;
	n.deliver.t = n.t;
	n.deliver.mon = n.monitor; /* replaced in place after a flood */
	n.deliver.inst = (enum institution)n.cfg.institution;
	n.deliver.network = n.cfg.network;
	n.deliver.key = n.key;
	n.deliver.cons_pk = n.consolidator.curve_pk;
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
	n.deliver.serve = node_serve_busy;
	n.deliver.serve_arg = &n;
	deliver_init(&n.deliver);
	/* From here on n.submit is run's. */
	(void)starting_end(); /* the node counts no request over its limits */
	{
		char fp[17];
		log_info("event=start version=%s institution=%s network=%s "
			 "key=%s "
			 "submit=%s consolidator=%s keyholders=%zu "
			 "key_epoch=%u workers=%u",
			 KUSKA_VERSION, institution_name(n.intake.inst),
			 n.cfg.network, log_hex8(n.key->key_id, fp),
			 LOG_Q(n.cfg.submit), LOG_Q(n.cfg.consolidator),
			 holders_count(n.holders), (unsigned)n.linkage->epoch,
			 n.intake.workers);
	}
	/* Started: a new outbox stays (until here a failure removes it). */
	daemon_keep();
	snprintf(status, sizeof(status), "institution %s, delivering to %s",
		 institution_name(n.intake.inst), n.cfg.consolidator);
	service_ready(status);
	run(&n);
	service_notify_stopping();
	submissions_stop(&n.subs);
	log_info("event=stop institution=%s", institution_name(n.intake.inst));
	node_drop_deferred(&n);
	intake_free(&n.intake);
	holders_free(&n.holders);
	tsock_free(&n.dealer); /* before its monitor, as libzmq's tests */
	tsock_free(&n.monitor);
	tsock_free(&n.submit);
	transport_free(&n.t);
	outbox_close(&n.ob);
	keys_free(&n.key);
	keys_key32_free(&n.linkage);
	keys_key32_free(&n.ref_key);
	return 0;
}
