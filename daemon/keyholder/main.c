/*
 * kuska-keyholder - holds one additive share of the OPRF key that turns
 * identities into pseudonyms, and evaluates blinded elements for the
 * institutions' nodes: authenticated (CURVE, registered node keys only),
 * counted and rate-limited per node. It never sees an identity, a
 * pseudonym or the linkage key; docs/SECURITY.md says why it exists.
 *
 * This file holds the options, start-up and shutdown, SIGHUP and the poll
 * loop; serve.c answers the nodes, control.c kuska status and metrics.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "daemon.h"
#include "date.h"
#include "file.h"
#include "guard.h"
#include "help.h"
#include "keyholder.h"
#include "log.h"
#include "parallel.h"
#include "service.h"

#define TICK_MS 500
/* Anonymous connections closed over a bound are logged at most so often. */
#define LIMIT_LOG_MS 10000

static void
usage(void)
{
	help_usage(stderr, help_find("kuska-keyholder", NULL));
	exit(2);
}

static void
keyholder_free(struct keyholder *kh)
{
	keyholder_waiting_free(kh);
	tsock_free(&kh->control);
	tsock_free(&kh->listen); /* before its monitor: see cons_free */
	tsock_free(&kh->mon);
	tsock_free(&kh->zap);
	transport_free(&kh->t);
	admit_free(&kh->admit);
	registry_free(&kh->reg);
	keys_key32_free(&kh->share);
	keys_free(&kh->key);
}

static void
load(struct keyholder *kh, const char *path)
{
	char err[512];

	if (config_load(path, &settings_keyholder_schema, &kh->cfg, err,
			sizeof(err)) != 0)
		fatalx_config("%s", err);
	/* A key file's error names the config key that points at it. */
	if (keys_load_secret(kh->cfg.key, &kh->key, err, sizeof(err)) != 0)
		daemon_key_fatal(path, "keyholder", "key", kh->cfg.key, err);
	if (keys_key32_load(kh->cfg.share, KEY32_OPRF_SHARE, &kh->share, err,
			    sizeof(err)) != 0)
		daemon_key_fatal(path, "keyholder", "share", kh->cfg.share,
				 err);
	if (registry_load(kh->cfg.registry, &kh->reg, err, sizeof(err)) != 0)
		fatalx_config("%s", err);
	daemon_own_key_check(path, "keyholder", "key", kh->cfg.key, kh->key,
			     kh->reg);
}

/*
 * The allowances saved by the last run, if the config keeps them; saved
 * again at once, so that an accounts file it cannot write stops it here
 * rather than refusing every request.
 */
static void
load_accounts(struct keyholder *kh)
{
	char err[512];
	int r, unsynced = 0;

	if (kh->cfg.accounts[0] == '\0')
		return;
	if (account_load(&kh->acc, kh->cfg.accounts, kh->cfg.rate_per_day,
			 date_mono_ms(), date_now_ms(), err, sizeof(err)) != 0)
		fatalx_config("%s: [keyholder] accounts: %s", kh->conf_path,
			      err);
	r = account_save(&kh->acc, kh->cfg.accounts, kh->cfg.rate_per_day,
			 date_mono_ms(), date_now_ms(), &unsynced);
	/* A full disk, or one not mounted yet, may pass: 1, and systemd
	 * tries again; a file or directory it may never write, 78. */
	if (r != 0)
		fatalx_status(daemon_exit_status(r),
			      "%s: [keyholder] accounts: %s: cannot write: %s",
			      kh->conf_path, kh->cfg.accounts, strerror(-r));
	if (unsynced != 0)
		log_warnx("event=accounts_not_synced path=%s error=%s "
			  "(written, but its directory could not be synced)",
			  LOG_Q(kh->cfg.accounts), strerror(-unsynced));
}

/*
 * The accounts written once more at a stop: the refusals since the last
 * write (one for the rate is written at most once a minute a node,
 * another only with the next charge) outlive the restart, and each
 * node's reserve charged ahead is given back (account_release). A kill
 * loses the refusals, and keeps the reserves charged.
 */
static void
save_accounts(struct keyholder *kh)
{
	int r;

	if (kh->cfg.accounts[0] == '\0')
		return;
	account_release(&kh->acc);
	r = account_save(&kh->acc, kh->cfg.accounts, kh->cfg.rate_per_day,
			 date_mono_ms(), date_now_ms(), NULL);
	if (r != 0)
		log_warnx("event=accounts_not_saved path=%s error=%s (at "
			  "stop: the refusals since its last write not kept)",
			  LOG_Q(kh->cfg.accounts), strerror(-r));
}

/*
 * For -n: whether the accounts file could be written, said with the file
 * and the key. A directory not there yet is no error (systemd's
 * StateDirectory= makes it); whatever else a start would refuse exits 78.
 */
static void
check_accounts(const struct keyholder *kh)
{
	char why[3 * SETTINGS_PATH_MAX], dir[SETTINGS_PATH_MAX];
	int r;

	if (kh->cfg.accounts[0] == '\0')
		return;
	r = account_check_path(kh->cfg.accounts, why, sizeof(why));
	if (r == -ENOENT)
		fprintf(stderr,
			"%s: [keyholder] accounts: %s: %s: a start refuses "
			"it, unless systemd makes it (StateDirectory=)\n",
			kh->conf_path, kh->cfg.accounts, why);
	else if (r != 0)
		fatalx_config("%s: [keyholder] accounts: %s: %s: a start "
			      "refuses it",
			      kh->conf_path, kh->cfg.accounts, why);
	file_dir_of(kh->cfg.accounts, dir, sizeof(dir));
	if (r == 0 && daemon_user_unknown(dir))
		fprintf(stderr,
			"%s: [keyholder] accounts: %s: its directory %s is "
			"root's: -n run as root cannot tell what the daemon's "
			"user may do in it (a unit's first start gives its "
			"StateDirectory=, and what it holds, to its user; a "
			"daemon started by hand: run -n as its user, "
			"OPERATIONS.md section 3)\n",
			kh->conf_path, kh->cfg.accounts, dir);
}

/* The connection bounds of the config. */
static struct admit_limits
limits_of(const struct keyholder_config *cfg)
{
	return admit_limits_of(cfg->max_connections,
			       cfg->max_connections_per_key, cfg->max_pending,
			       cfg->max_pending_per_address);
}

/* The keys a reload puts in force; every other one needs a restart. */
static const char *const reloaded_keys[] = {"registry",
					    "rate_per_day",
					    "max_batch",
					    "max_connections",
					    "max_connections_per_key",
					    "max_pending",
					    "max_pending_per_address",
					    "metrics_file",
					    "metrics_interval_s",
					    NULL};

/*
 * SIGHUP: reads the config and the registry again (a node's key added,
 * rotated or revoked; the rate; max_batch; the connection bounds). Either both are
 * good and take effect, or nothing changes. Any other key changed (the
 * share, endpoints, key, workers) is named as needing a restart. A key
 * the new registry no longer admits (revoked, expired, removed, no longer
 * a node's) loses its connections at once, as at the consolidator: an
 * idle one would otherwise stay open until it spoke. The node dials
 * again, is refused at the handshake and says so. A key over a lowered
 * max_connections_per_key loses its oldest connections at once. A key
 * revoked from a time still ahead is refused at its first request after
 * that time, with the reason, and then closed.
 */
static void
reload(struct keyholder *kh)
{
	struct keyholder_config cfg;
	struct registry *fresh = NULL;
	char err[512];
	size_t dropped;

	if (config_load(kh->conf_path, &settings_keyholder_schema, &cfg, err,
			sizeof(err)) != 0 ||
	    registry_load(cfg.registry, &fresh, err, sizeof(err)) != 0) {
		daemon_reload_refused(err);
		return;
	}
	daemon_reload_needs_restart(&settings_keyholder_schema, &kh->cfg, &cfg,
				    reloaded_keys);
	kh->cfg.rate_per_day = cfg.rate_per_day;
	kh->cfg.max_batch = cfg.max_batch;
	kh->cfg.max_connections = cfg.max_connections;
	kh->cfg.max_connections_per_key = cfg.max_connections_per_key;
	kh->cfg.max_pending = cfg.max_pending;
	kh->cfg.max_pending_per_address = cfg.max_pending_per_address;
	kh->lim = limits_of(&cfg);
	admit_set_limits(kh->admit, &kh->lim);
	kh->cfg.metrics_interval_s = cfg.metrics_interval_s;
	memcpy(kh->cfg.metrics_file, cfg.metrics_file,
	       sizeof(kh->cfg.metrics_file));
	memcpy(kh->cfg.registry, cfg.registry, sizeof(kh->cfg.registry));
	registry_free(&kh->reg);
	kh->reg = fresh;
	dropped = daemon_peers_revalidate(kh->admit, kh->reg, true,
					  kh->lim.max_per_key);
	log_info("event=reload parties=%zu keys=%zu rate_per_day=%lu "
		 "dropped=%zu",
		 fresh->n_parties, fresh->n_keys, kh->cfg.rate_per_day,
		 dropped);
}

/*
 * A handshake that failed (a protocol error, or none in time): anyone who
 * reaches the port can fail one at will, with no key at all, so its lines
 * are held to a budget.
 */
static void
handshake_failed(struct keyholder *kh, const char *addr)
{
	log_warnx_budget(&kh->failed_log, "event=handshake_failed address=%s",
			 addr);
}

/* Feeds the connection table every waiting event of the monitor. */
static void
read_monitor(struct keyholder *kh)
{
	struct tmon_event ev;

	while (tsock_monitor_next(kh->mon, &ev) == 0) {
		admit_event(kh->admit, &ev, date_mono_ms());
		if (ev.ev == TEVENT_HANDSHAKE_FAILED)
			handshake_failed(kh, ev.addr);
	}
}

/*
 * Closes what is due (admit_tick): connections refused a while ago, and
 * anonymous ones over max_pending or max_pending_per_address, logged at
 * most every LIMIT_LOG_MS (anyone can open them at will).
 */
static void
tick(struct keyholder *kh)
{
	uint64_t now = date_mono_ms();
	struct admit_counts k;

	kh->closed_since_log += admit_tick(kh->admit, now);
	if (kh->closed_since_log == 0 ||
	    now - kh->closed_logged_ms < LIMIT_LOG_MS)
		return;
	admit_get_counts(kh->admit, &k);
	log_warnx("event=anonymous_closed count=%llu pending=%llu "
		  "max_pending=%lu max_pending_per_address=%lu",
		  (unsigned long long)kh->closed_since_log,
		  (unsigned long long)k.pending, kh->cfg.max_pending,
		  kh->cfg.max_pending_per_address);
	kh->closed_since_log = 0;
	kh->closed_logged_ms = now;
}

/* The bytes of a request of max_batch elements, with room for framing. */
static size_t
request_bytes(unsigned long max_batch)
{
	return max_batch * CODEC_OPRF_ELEMENT_LEN + 1024;
}

static void
run(struct keyholder *kh)
{
	struct tsock *socks[4] = {kh->zap, kh->listen, kh->mon, kh->control};
	bool ready[4], waiting = false;

	kh->max_request_bytes = request_bytes(kh->cfg.max_batch);
	/* ready[2], the monitor, only wakes the loop: it is read always.
	 * Requests waiting: a look at the sockets, and the next one. */
	while (!service_stopping()) {
		int r = tsock_poll(socks, 4, ready, waiting ? 0 : TICK_MS);

		if (r < 0 && r != -EINTR)
			fatalx("poll: %s", strerror(-r));
		if (service_reload_requested()) {
			read_monitor(kh); /* the table as it is, to judge */
			reload(kh);
			kh->max_request_bytes =
			    request_bytes(kh->cfg.max_batch);
		}
		if (r > 0 && ready[0])
			while (tsock_zap_serve(kh->zap, keyholder_zap, kh) !=
			       -EAGAIN)
				;
		if (r > 0 && ready[1])
			keyholder_intake(kh);
		/* After the messages: a connection heard from before its
		 * DISCONNECTED is read is never counted again once gone. */
		read_monitor(kh);
		if (r > 0 && ready[3])
			keyholder_control_serve(kh);
		tick(kh);
		waiting = keyholder_serve_next(kh);
		keyholder_audit_flush(kh, date_mono_ms(), false);
		keyholder_rate_flush(kh, date_mono_ms(), false);
		service_watchdog(date_mono_ms());
		metrics_export(kh->cfg.metrics_file, kh->cfg.metrics_interval_s,
			       &kh->metrics_written_ms, date_mono_ms(),
			       keyholder_metrics, kh);
	}
}

int
main(int argc, char **argv)
{
	static struct keyholder kh; /* the accounts are large */
	struct daemon_args a = {0};
	int ch, err;
	char fp[17], status[SETTINGS_PATH_MAX + 64], why[SETTINGS_PATH_MAX + 128];

	service_ignore_signals(true);
	if (help_handle("kuska-keyholder", NULL, argc, argv, &err))
		return err;
	while ((ch = getopt(argc, argv, DAEMON_OPTSTRING)) != -1)
		if (!daemon_option(&a, ch, optarg))
			usage();
	if (a.conf == NULL || optind != argc)
		usage();
	if (daemon_begin("kuska-keyholder", a.debug) != 0)
		fatalx("cannot initialise libsodium");
	/* The share is in sodium_malloc() memory, left out of a dump, but
	 * each evaluation copies it onto a stack, and libzmq keeps its own
	 * copy of the transport key: no core file, and no other process
	 * of the user reads this one's memory. */
	if ((err = guard_nodump()) != 0)
		fatalx("cannot forbid core dumps: %s", strerror(-err));
	kh.conf_path = a.conf;
	load(&kh, a.conf);
	if (a.check) {
		config_print(stdout, &settings_keyholder_schema, &kh.cfg);
		daemon_check_socket(a.conf, "keyholder", "control",
				    kh.cfg.control);
		daemon_check_metrics(a.conf, "keyholder", kh.cfg.metrics_file);
		check_accounts(&kh);
		char nodes[96];
		fprintf(stderr,
			"configuration OK (key epoch %u; registry: %zu "
			"parties, %zu keys, %s)\n",
			(unsigned)kh.share->epoch, kh.reg->n_parties,
			kh.reg->n_keys,
			registry_nodes_text(kh.reg, nodes, sizeof(nodes)));
		keyholder_free(&kh);
		return 0;
	}
	load_accounts(&kh);
	kh.workers =
	    kh.cfg.workers > 0 ? (unsigned)kh.cfg.workers : parallel_cpus();
	if (service_init() != 0)
		fatal("signals");
	kh.lim = limits_of(&kh.cfg);
	kh.admit = admit_new(&kh.lim);
	if (kh.admit == NULL)
		fatal("connection table");
	daemon_raise_fd_limit(kh.cfg.max_connections, kh.cfg.max_pending);
	kh.t = transport_new();
	if (kh.t == NULL)
		fatal("zmq context");
	/* The ZAP handler must exist before the CURVE socket binds. */
	kh.zap = tsock_zap(kh.t, &err);
	if (kh.zap == NULL)
		fatalx("ZAP handler: %s", strerror(-err));
	{
		/* libzmq cuts a frame over this, unanswered: so it is the
		 * most any max_batch allows, and tsock_recv refuses what is
		 * over the max_batch in force with an answer. */
		struct tsock_limits lim = {
		    .max_frame = request_bytes(CODEC_MAX_OPRF_ELEMENTS),
		    .handshake_ms = TSOCK_HANDSHAKE_MS,
		    /* Read whole at every pass, bounded by intake.c. */
		    .rcv_unbounded = true};
		kh.listen =
		    tsock_bind_curve(kh.t, kh.cfg.listen, kh.key->curve_sk,
				     "keyholder", &lim, &kh.mon, &err);
	}
	if (kh.listen == NULL)
		fatalx("%s: [keyholder] listen: %s: cannot bind: %s%s",
		       kh.conf_path, kh.cfg.listen, strerror(-err),
		       daemon_bind_hint(err));
	kh.control = daemon_bind_local(
	    kh.t, kh.cfg.control, DAEMON_CONTROL_MAX_BYTES, why, sizeof(why));
	if (kh.control == NULL)
		fatalx("%s: [keyholder] control: %s", kh.conf_path, why);
	log_info("event=start version=%s listen=%s control=%s key=%s "
		 "key_epoch=%u "
		 "rate_per_day=%lu max_batch=%lu workers=%u parties=%zu "
		 "accounts=%s accounts_loaded=%zu",
		 KUSKA_VERSION, LOG_Q(kh.cfg.listen), LOG_Q(kh.cfg.control),
		 log_hex8(kh.key->key_id, fp), (unsigned)kh.share->epoch,
		 kh.cfg.rate_per_day, kh.cfg.max_batch, kh.workers,
		 kh.reg->n_parties,
		 kh.cfg.accounts[0] != '\0' ? LOG_Q(kh.cfg.accounts) : "none",
		 kh.acc.n);
	if (kh.cfg.accounts[0] == '\0')
		log_warnx("event=no_accounts_file hint=\"without [keyholder] "
			  "accounts, a restart gives every node a full day's "
			  "allowance again\"");
	snprintf(status, sizeof(status), "key epoch %u, listening on %s",
		 (unsigned)kh.share->epoch, kh.cfg.listen);
	service_ready(status);
	run(&kh);
	keyholder_audit_flush(&kh, date_mono_ms(), true);
	keyholder_rate_flush(&kh, date_mono_ms(), true);
	save_accounts(&kh);
	service_notify_stopping();
	log_info("event=stop");
	keyholder_free(&kh);
	return 0;
}
