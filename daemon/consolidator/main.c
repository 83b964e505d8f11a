/*
 * kuska-consolidator - receives signed events from the institutions'
 * nodes, verifies and stores them, keeps the national counts and answers
 * queries.
 *
 * This file holds the options, start-up and shutdown, SIGHUP and the poll
 * loop; each socket's requests are handled in its own file: peers.c (ZAP
 * and connections), ingest_net.c, control.c and query_net.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "codec.h"
#include "cons.h"
#include "control.h"
#include "daemon.h"
#include "date.h"
#include "help.h"
#include "indfile.h"
#include "ingest.h"
#include "ingest_net.h"
#include "keys.h"
#include "lockdir.h"
#include "log.h"
#include "metrics.h"
#include "parallel.h"
#include "peers.h"
#include "pipeline.h"
#include "popfile.h"
#include "query.h"
#include "query_net.h"
#include "registry.h"
#include "repair.h"
#include "sdg_table.h"
#include "service.h"
#include "settings.h"
#include "store.h"
#include "transport.h"

#define TICK_MS 500
/* Jobs (batches mostly) taken up and not yet answered: past that the
 * ingest socket is left unread, and the nodes' windows hold them. */
#define JOBS_MAX 24
/* Answers queued for one query connection: past it an answer to a
 * client that does not read is dropped, not kept. */
#define QUERY_HWM 16
/* The same for a node's connection: a node reads each answer (its
 * window is at most 64 batches, and the kernel's socket buffer takes
 * many acks); one that does not read, asking for recoveries of up to
 * 4 MiB each, must not have them kept for it by the thousand. */
#define INGEST_HWM 16

/*
 * Reads the whole store before anything serves from it (store_check).
 * Returns 0 when it is sound; otherwise says what is damaged and what to
 * do on stderr and returns 1.
 */
static int
check_store(const char *dir, const char *conf)
{
	struct store_report rep;
	int r;

	r = store_check(dir, &rep);
	if (r != 0)
		fatalx("%s: cannot check the store: %s%s", dir,
		       daemon_store_error(r), daemon_open_hint(r));
	if (rep.unchecked)
		log_warnx("event=store_unchecked dir=%s (written by an earlier "
			  "kuska, without checksums: damage cannot be found. "
			  "To have them, stop, move data.mdb aside and start: "
			  "the nodes send everything again; see "
			  "kuska-consolidator(8))",
			  dir);
	if (store_sound(&rep)) {
		store_report_clear(&rep);
		return 0;
	}
	log_warnx("event=store_damaged dir=%s entries=%llu", dir,
		  (unsigned long long)rep.n_damaged);
	(void)audit_damage(&rep, stderr, 20);
	log_warnx("%s: the store is damaged; nothing is served from it. Stop "
		  "everything that uses it and run: kuska-consolidator "
		  "--repair -c %s",
		  dir, conf);
	store_report_clear(&rep);
	return 1;
}

/*
 * A store of another deployment (a backup of the wrong machine), or a
 * registry of another, is refused before anything is served from it or
 * the nodes are told, wrongly, to rebuild their outboxes from it. A
 * registry that only lacks the key or party of some institutions (one
 * removed where it should have been revoked) is this store's: it starts,
 * saying what is missing, since a refusal would wait for the next restart
 * and its advice (start from an empty store) would lose their events. A
 * refusal leads with the same remedy: a registry that dropped every key
 * that signed the store looks, here, like another deployment's.
 */
static void
check_owner(struct cons *c, const char *conf, bool rebuilding)
{
	char why[INST_COUNT * (CODEC_MAX_TEXT + 256)], *line, *save = NULL;
	int r;

	r = audit_owner(c->st, c->reg, why, sizeof(why));
	if (r < 0)
		fatalx("%s: cannot read the store: %s", c->cfg.data_dir,
		       strerror(-r));
	if (r == 0)
		return;
	/* A line each: the quoted text of a log line is bounded. */
	for (line = strtok_r(why, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		log_warnx("event=%s dir=%s registry=%s text=%s",
			  r == 2 ? "store_unlisted" : "store_foreign",
			  LOG_Q(c->cfg.data_dir), LOG_Q(c->cfg.registry),
			  LOG_QT(line));
	if (r == 2) {
		log_warnx("event=store_unlisted dir=%s hint=\"the registry no "
			  "longer lists what signed these events: a party or "
			  "key removed rather than revoked? %s: list the key "
			  "again, revoked if need be (OPERATIONS.md section "
			  "6)\"",
			  LOG_Q(c->cfg.data_dir),
			  rebuilding ? "This rebuild leaves them out of the "
				       "tables"
				     : "Their events are served, but a rebuild "
				       "would leave them out");
		return;
	}
	fatalx("%s: no institution's last event in this store fits %s, the "
	       "registry %s names (the lines above say why): nothing is "
	       "served from it. If that registry dropped the keys that "
	       "signed them, list them again, revoked if need be "
	       "(OPERATIONS.md section 6). If the store or the registry is "
	       "another deployment's, restore this consolidator's own "
	       "data.mdb or correct [consolidator] registry; only if it has "
	       "none, move data.mdb aside and start: the nodes send "
	       "everything again",
	       c->cfg.data_dir, c->cfg.registry, conf);
}

/* pipeline_free's discard: what was run is still answered. */
static void
finish_job(struct pipeline_job *job, void *arg)
{
	ingest_finish(arg, job);
}

/* Frees the registries replaced by reloads that no job uses any more. */
static void
free_retired(struct cons *c, bool all)
{
	struct retired_reg **pr = &c->retired, *r;

	while ((r = *pr) != NULL) {
		if (!all && r->users > 0) {
			pr = &r->next;
			continue;
		}
		*pr = r->next;
		registry_free(&r->reg);
		free(r);
	}
}

/* Releases whatever main acquired; safe on a partly built struct. */
static void
cons_free(struct cons *c)
{
	query_net_stop(c);
	pipeline_free(&c->pipe, finish_job, c);
	free_retired(c, true);
	admit_free(&c->admit);
	tsock_free(&c->query_mon);
	tsock_free(&c->query);
	tsock_free(&c->control);
	tsock_free(&c->ingest_mon);
	tsock_free(&c->ingest);
	tsock_free(&c->zap);
	transport_free(&c->t);
	ingest_close(&c->ig);
	store_close(&c->st);
	query_set_indicators(NULL);
	indset_free(&c->indicators);
	sdg_set_population(NULL);
	popset_free(&c->population);
	registry_free(&c->reg);
	keys_free(&c->key);
}

static void free_and_own(struct cons *c);

/*
 * --audit: the whole store read and its checksums verified, then every
 * envelope verified again and the sequences counted. Exit 0 OK, 1 not.
 */
static int
run_audit(struct cons *c)
{
	struct store_report rep;
	int err;

	err = store_check(c->cfg.data_dir, &rep);
	if (err != 0)
		fatalx("audit: cannot check the store: %s",
		       daemon_store_error(err));
	if (rep.unchecked)
		printf("unchecked: the store has no checksums (written by an "
		       "earlier kuska)\n");
	if (!store_sound(&rep)) {
		(void)audit_damage(&rep, stdout, 1000);
		printf("repair with: kuska-consolidator --repair -c %s\n",
		       c->conf_path);
		printf("audit: FAILED\n");
		store_report_clear(&rep);
		cons_free(c);
		return 1;
	}
	store_report_clear(&rep);
	err = store_open(c->cfg.data_dir, c->cfg.map_size_mb << 20,
			 c->cfg.max_map_size_mb << 20, &c->st);
	if (err != 0)
		fatalx("%s: cannot open the store: %s%s", c->cfg.data_dir,
		       strerror(-err), daemon_open_hint(err));
	err = audit_run(c->st, c->reg, stdout);
	if (err < 0)
		fatalx("audit: %s", strerror(-err));
	printf("audit: %s\n", err == 0 ? "OK" : "FAILED");
	/* Run as root, the open made lock.mdb root's: the service's. */
	free_and_own(c);
	return err == 0 ? 0 : 1;
}

/* Files made by root for the daemon's user stay the daemon's. */
static void
own_files(const char *dir)
{
	(void)lockdir_own(dir, "kuska.lock");
	(void)lockdir_own(dir, "data.mdb");
	(void)lockdir_own(dir, "lock.mdb");
}

/*
 * cons_free, then own_files: the store closed first, as opening and
 * closing lock.mdb in a process that has it open drops LMDB's fcntl
 * locks on it.
 */
static void
free_and_own(struct cons *c)
{
	char dir[sizeof(c->cfg.data_dir)];

	memcpy(dir, c->cfg.data_dir, sizeof(dir));
	cons_free(c);
	own_files(dir);
}

/* What --refetch names: an institution and the first sequence to drop. */
struct refetch {
	enum institution inst;
	char name[16];
	uint64_t seq;
};

/*
 * Reads --refetch's INST:SEQ before anything is opened: a wrong one is a
 * usage error (exit 2), as kuska-consolidator(8) says.
 */
static void
parse_refetch(const char *arg, struct refetch *rf)
{
	const char *colon = strchr(arg, ':');
	char *end;

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(rf->name))
		goto syntax;
	memcpy(rf->name, arg, (size_t)(colon - arg));
	rf->name[colon - arg] = '\0';
	rf->inst = institution_from_name(rf->name);
	if (rf->inst == INST_NONE) {
		fprintf(stderr,
			"kuska-consolidator: --refetch %s: %s is not an "
			"institution (pnp, mp, pj, mimp or minsa)\n",
			arg, rf->name);
		exit(2);
	}
	errno = 0;
	rf->seq = strtoull(colon + 1, &end, 10);
	if (errno == 0 && *end == '\0' && rf->seq >= 1 && end != colon + 1)
		return;
syntax:
	fprintf(stderr,
		"kuska-consolidator: --refetch %s: give INSTITUTION:SEQUENCE, "
		"e.g. pnp:4931\n",
		arg);
	exit(2);
}

/* The verifying threads the config asks for (workers; 0: every core). */
static unsigned
workers(const struct consolidator_config *cfg)
{
	return cfg->workers != 0 ? (unsigned)cfg->workers : parallel_cpus();
}

/*
 * --refetch INST:SEQ: drops INST's sequences from SEQ on and rebuilds
 * the statistics; its node sends them again and they are checked as new
 * (dead letters made by a mistake since corrected come back).
 */
static int
run_refetch(struct cons *c, const struct refetch *rf)
{
	uint64_t events = 0, skipped = 0;
	int n, err;

	err = store_open(c->cfg.data_dir, c->cfg.map_size_mb << 20,
			 c->cfg.max_map_size_mb << 20, &c->st);
	if (err != 0)
		fatalx("%s: cannot open the store: %s%s", c->cfg.data_dir,
		       strerror(-err), daemon_open_hint(err));
	/* Before anything is dropped: with a registry that fits nothing
	 * the rebuild after it would leave every envelope out. */
	check_owner(c, c->conf_path, true);
	n = ingest_forget(c->st, rf->inst, rf->seq);
	if (n < 0)
		fatalx("refetch: %s", strerror(-n));
	c->ig.threads = workers(&c->cfg);
	/* It rebuilds statistics of an older layout: memory may run out. */
	if ((err = ingest_open(&c->ig, c->st, c->reg)) != 0)
		fatalx("cannot read the store: %s", strerror(-err));
	err = ingest_rebuild(&c->ig, &events, &skipped);
	/* The entries are gone already (their own transaction): statistics
	 * still counting them must not be served. */
	if (err != 0)
		fatalx("rebuild: %s: the entries from sequence %llu on are "
		       "dropped but the statistics still count them; run "
		       "kuska-consolidator --rebuild before starting it",
		       strerror(-err), (unsigned long long)rf->seq);
	printf("%s: dropped %d entries from sequence %llu on; rebuilt the "
	       "statistics from %llu envelopes. Start kuska-consolidator: "
	       "the node sends them again.\n",
	       rf->name, n, (unsigned long long)rf->seq,
	       (unsigned long long)events);
	free_and_own(c);
	daemon_keep();
	return 0;
}

/*
 * Takes the store's directory for this process, and says so when it did
 * not exist: a mistyped data_dir would otherwise serve from an empty
 * store without a word. mode names --repair, --rebuild or --refetch,
 * which need a store: without one they stop (and the new one goes).
 */
static void
lock_store(struct cons *c, const char *mode)
{
	char why[2 * SETTINGS_PATH_MAX + 128];
	bool made;

	if (daemon_lock(c->cfg.data_dir, "kuska-consolidator", "store", &made,
			why, sizeof(why)) != 0)
		fatalx("%s: [consolidator] data_dir: %s", c->conf_path, why);
	if (made && mode != NULL)
		fatalx("%s: [consolidator] data_dir: %s holds no store: "
		       "nothing to %s (is data_dir mistyped?)",
		       c->conf_path, c->cfg.data_dir, mode);
	if (made)
		log_warnx("event=store_created dir=%s hint=\"there was "
			  "none: a new, empty store was created. If this "
			  "consolidator had a store, data_dir is mistyped: "
			  "stop it and correct data_dir (the nodes refill an "
			  "empty store with all their events; see "
			  "OPERATIONS.md)\"",
			  LOG_Q(c->cfg.data_dir));
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: kuska-consolidator [-dn] -c FILE\n"
		"       kuska-consolidator --audit -c FILE\n"
		"       kuska-consolidator --rebuild -c FILE\n"
		"       kuska-consolidator --repair -c FILE\n"
		"       kuska-consolidator --refetch INST:SEQ -c FILE\n");
	exit(2);
}

/*
 * Reads the indicator file that cfg names (none: *ret = NULL) into *ret.
 * Each error and warning goes to the log, or with -n (to_stderr) to the
 * standard error as it is. Returns 0, or -errno when the file is refused.
 */
static int
load_indicators(const struct consolidator_config *cfg, bool to_stderr,
		struct indset **ret)
{
	struct indfile_msgs m = {0};
	char q[600];
	size_t i;
	int r;

	*ret = NULL;
	if (cfg->indicators[0] == '\0')
		return 0;
	r = indfile_load(cfg->indicators, ret, &m);
	for (i = 0; i < m.n; i++) {
		if (to_stderr)
			fprintf(stderr, "%s\n", m.items[i].text);
		else
			/* The whole message, however long its path. */
			log_warnx("event=%s text=%s",
				  m.items[i].warning ? "indicators_warning"
						     : "indicators_error",
				  log_quote_str(m.items[i].text, q, sizeof(q)));
	}
	if (m.n_errors + m.n_warnings > m.n) {
		size_t more = m.n_errors + m.n_warnings - m.n;
		if (to_stderr)
			fprintf(stderr, "%s: %zu more messages\n",
				cfg->indicators, more);
		else
			log_warnx("event=indicators_error file=%s more=%zu "
				  "hint=\"more messages than are shown\"",
				  LOG_Q(cfg->indicators), more);
	}
	indfile_msgs_clear(&m);
	return r;
}

/*
 * Reads the population file that cfg names (none: *ret = NULL) into *ret.
 * A refusal ("FILE:LINE: reason") goes to the log, or with -n (to_stderr)
 * to the standard error. Returns 0, or -errno when the file is refused.
 */
static int
load_population(const struct consolidator_config *cfg, bool to_stderr,
		struct popset **ret)
{
	char err[POPFILE_ERR_MAX + SETTINGS_PATH_MAX];
	char q[sizeof(err) + 64];
	int r;

	*ret = NULL;
	if (cfg->population[0] == '\0')
		return 0;
	r = popfile_load(cfg->population, ret, err, sizeof(err));
	if (r != 0) {
		if (to_stderr)
			fprintf(stderr, "%s\n", err);
		else
			/* The whole message, however long its path. */
			log_warnx("event=population_error text=%s",
				  log_quote_str(err, q, sizeof(q)));
	}
	return r;
}

/*
 * The registry's warnings (what loads but is likely a mistake): to the
 * log, or with -n (to_stderr) to the standard error as they are.
 */
static void
say_registry_warnings(const struct registry *r, bool to_stderr)
{
	char q[REGISTRY_WARNING_MAX + 64];
	size_t i, n = r->n_warnings;

	if (n > REGISTRY_MAX_WARNINGS)
		n = REGISTRY_MAX_WARNINGS;
	for (i = 0; i < n; i++) {
		if (to_stderr)
			fprintf(stderr, "%s\n", r->warnings[i]);
		else
			/* The whole message, however long its path. */
			log_warnx("event=registry_warning text=%s",
				  log_quote_str(r->warnings[i], q, sizeof(q)));
	}
	if (r->n_warnings > n) {
		if (to_stderr)
			fprintf(stderr, "%zu more registry warnings\n",
				r->n_warnings - n);
		else
			log_warnx("event=registry_warning more=%zu "
				  "hint=\"more warnings than are shown\"",
				  r->n_warnings - n);
	}
}

static void
load(struct cons *c, const char *path, bool check)
{
	char err[512];

	if (config_load(path, &settings_consolidator_schema, &c->cfg, err,
			sizeof(err)) != 0)
		fatalx("%s", err);
	if (keys_load_secret(c->cfg.key, &c->key, err, sizeof(err)) != 0)
		fatalx("%s: [consolidator] key: %s%s", path, err,
		       daemon_credential_hint(c->cfg.key));
	if (registry_load(c->cfg.registry, &c->reg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	say_registry_warnings(c->reg, check);
	if (load_indicators(&c->cfg, check, &c->indicators) != 0)
		fatalx("%s: indicator file refused", c->cfg.indicators);
	query_set_indicators(c->indicators);
	if (load_population(&c->cfg, check, &c->population) != 0)
		fatalx("%s: population file refused", c->cfg.population);
	sdg_set_population(c->population);
}

/*
 * SIGHUP, after the configuration: reads the indicator file again. A file
 * with any error changes nothing: the indicators in force stay.
 */
static void
reload_indicators(struct cons *c, const struct consolidator_config *cfg)
{
	struct indset *fresh = NULL;

	if (load_indicators(cfg, false, &fresh) != 0) {
		log_warnx("event=reload_refused file=%s hint=\"indicator file "
			  "refused: the indicators in force stay\"",
			  LOG_Q(cfg->indicators));
		return;
	}
	query_set_indicators(fresh);
	indset_free(&c->indicators);
	c->indicators = fresh;
	memcpy(c->cfg.indicators, cfg->indicators, sizeof(c->cfg.indicators));
	log_info("event=reload indicators=%zu", fresh != NULL ? fresh->n : 0);
}

/* The connection bounds of the config. */
static struct admit_limits
limits_of(const struct consolidator_config *cfg)
{
	return admit_limits_of(cfg->max_connections,
			       cfg->max_connections_per_key, cfg->max_pending,
			       cfg->max_pending_per_address);
}

/* Reads every waiting event of both network sockets' monitors. */
static void
read_monitors(struct cons *c)
{
	struct tmon_event ev;

	while (tsock_monitor_next(c->ingest_mon, &ev) == 0)
		on_monitor(c, &ev);
	while (tsock_monitor_next(c->query_mon, &ev) == 0)
		on_monitor(c, &ev);
}

/*
 * SIGHUP, after the configuration: reads the population file again, all
 * or nothing: a file with a fault keeps the figures in force.
 */
static void
reload_population(struct cons *c, const struct consolidator_config *cfg)
{
	struct popset *fresh = NULL;

	if (load_population(cfg, false, &fresh) != 0) {
		log_warnx("event=reload_refused file=%s hint=\"population "
			  "file refused: the figures in force stay\"",
			  LOG_Q(cfg->population));
		return;
	}
	sdg_set_population(fresh);
	popset_free(&c->population);
	c->population = fresh;
	memcpy(c->cfg.population, cfg->population, sizeof(c->cfg.population));
	log_info("event=reload population_years_regions=%zu",
		 fresh != NULL ? fresh->n : 0);
}

/*
 * The registry in force is being replaced: the jobs judged by it may
 * still use it (pipeline.h), so it is freed once they are all back.
 * Counted per registry, not by a position in the queue: institutions take
 * turns, so jobs come back in another order than they went.
 */
static void
retire_registry(struct cons *c)
{
	struct retired_reg *r = malloc(sizeof(*r));

	if (r == NULL) {
		/* Rare enough to wait for: nothing in the pipeline uses
		 * it once every job is back. */
		while (pipeline_pending(c->pipe) > 0) {
			struct pipeline_job *j = pipeline_done(c->pipe);
			if (j != NULL)
				ingest_finish(c, j);
			else
				usleep(1000);
		}
		registry_free(&c->reg);
		c->reg_users = 0;
		return;
	}
	r->reg = c->reg;
	r->users = c->reg_users;
	c->reg_users = 0;
	r->next = c->retired;
	c->retired = r;
	c->reg = NULL;
}

/* The keys a reload puts in force; every other one needs a restart. */
static const char *const reloaded_keys[] = {"registry",
					    "k",
					    "alarm_silent_hours",
					    "max_connections",
					    "max_connections_per_key",
					    "max_pending",
					    "max_pending_per_address",
					    "max_map_size_mb",
					    "metrics_file",
					    "metrics_interval_s",
					    "indicators",
					    "population",
					    NULL};

/*
 * SIGHUP: reads the config and the registry again. Either both are good
 * and the reloadable settings (reloaded_keys) and the registry take
 * effect, or nothing changes. Any other key changed (endpoints, keys,
 * data_dir, map_size_mb, workers) is named as needing a restart.
 * Connections whose keys the new registry no longer admits are closed at
 * once. The indicator and population files are read again then, each on
 * its own: a bad one keeps what it held in force and lets the rest take
 * effect.
 */
static void
reload(struct cons *c)
{
	struct consolidator_config cfg;
	struct registry *fresh = NULL;
	struct admit_limits lim;
	char err[512];
	size_t dropped;

	if (config_load(c->conf_path, &settings_consolidator_schema, &cfg, err,
			sizeof(err)) != 0 ||
	    registry_load(cfg.registry, &fresh, err, sizeof(err)) != 0) {
		daemon_reload_refused(err);
		return;
	}
	daemon_reload_needs_restart(&settings_consolidator_schema, &c->cfg,
				    &cfg, reloaded_keys);
	lim = limits_of(&cfg);
	c->cfg.k = cfg.k;
	c->cfg.alarm_silent_hours = cfg.alarm_silent_hours;
	c->cfg.max_connections = cfg.max_connections;
	c->cfg.max_connections_per_key = cfg.max_connections_per_key;
	c->cfg.max_pending = cfg.max_pending;
	c->cfg.max_pending_per_address = cfg.max_pending_per_address;
	pthread_mutex_lock(&c->admit_mu);
	admit_set_limits(c->admit, &lim);
	pthread_mutex_unlock(&c->admit_mu);
	c->cfg.max_map_size_mb = cfg.max_map_size_mb;
	c->cfg.metrics_interval_s = cfg.metrics_interval_s;
	memcpy(c->cfg.metrics_file, cfg.metrics_file,
	       sizeof(c->cfg.metrics_file));
	memcpy(c->cfg.registry, cfg.registry, sizeof(c->cfg.registry));
	store_set_max(c->st, cfg.max_map_size_mb << 20);
	say_registry_warnings(fresh, false);
	retire_registry(c);
	c->reg = fresh;
	read_monitors(c); /* the table as it is now, before judging it */
	dropped = peers_revalidate(c);
	log_info("event=reload parties=%zu keys=%zu dropped=%zu",
		 fresh->n_parties, fresh->n_keys, dropped);
	reload_indicators(c, &cfg);
	reload_population(c, &cfg);
}

/* Answers every job the pipeline has finished, in order. */
static void
take_finished(struct cons *c)
{
	struct pipeline_job *j;

	while ((j = pipeline_done(c->pipe)) != NULL)
		ingest_finish(c, j);
	if (c->retired != NULL)
		free_retired(c, false);
}

/*
 * Reads the ingest socket while the pipeline has room: each message is
 * judged and refused or queued at once, so the loop comes back to the
 * control and query sockets within a few milliseconds, however busy the
 * writer is.
 */
static void
read_ingest(struct cons *c)
{
	struct tframes f;

	while (pipeline_pending(c->pipe) < JOBS_MAX && !service_stopping()) {
		int rr =
		    tsock_recv(c->ingest, &f, 3, 2 * CODEC_MAX_FRAME + 1024);
		if (rr == -EMSGSIZE) {
			ingest_refuse_large(c, &f);
			tframes_clear(&f);
			continue;
		}
		if (rr != 0)
			break;
		handle_ingest(c, &f);
		tframes_clear(&f);
	}
}

static void
run(struct cons *c)
{
	bool ready[6];

	while (!service_stopping()) {
		/* A full pipeline: the ingest socket waits (ready[1] false). */
		struct tsock *socks[6] = {
		    c->zap,
		    pipeline_pending(c->pipe) < JOBS_MAX ? c->ingest : NULL,
		    c->ingest_mon,
		    c->control,
		    NULL, /* the query thread's */
		    c->query_mon};
		int r = tsock_poll_fd(socks, 6, ready, pipeline_fd(c->pipe),
				      NULL, TICK_MS);

		if (r < 0 && r != -EINTR)
			fatalx("poll: %s", strerror(-r));
		if (r <= 0)
			memset(ready, 0, sizeof(ready));
		if (service_reload_requested()) {
			pthread_rwlock_wrlock(&c->conf_lock);
			reload(c);
			pthread_rwlock_unlock(&c->conf_lock);
		}
		if (ready[0])
			while (tsock_zap_serve(c->zap, zap_decide, c) !=
			       -EAGAIN)
				;
		take_finished(c);
		if (ready[3])
			c->control_refused += daemon_control_serve(
			    c->control, handle_control, c, &c->control_log);
		if (ready[1])
			read_ingest(c);
		/* After the messages: a connection heard from before its
		 * DISCONNECTED is read is never counted again once gone. */
		read_monitors(c);
		peers_tick(c);
		diverged_tick(c);
		service_watchdog(date_mono_ms());
		metrics_export(c->cfg.metrics_file, c->cfg.metrics_interval_s,
			       &c->metrics_written_ms, date_mono_ms(),
			       render_metrics, c);
	}
}

int
main(int argc, char **argv)
{
	struct cons c;
	static const struct option opts[] = {
	    {"audit", no_argument, NULL, 'A'},
	    {"rebuild", no_argument, NULL, 'R'},
	    {"repair", no_argument, NULL, 'P'},
	    {"refetch", required_argument, NULL, 'F'},
	    {NULL, 0, NULL, 0},
	};
	struct daemon_args a = {0};
	int ch, audit = 0, rebuild = 0, repair = 0, err;
	const char *refetch = NULL;
	struct refetch rf;
	char fp[17], why[SETTINGS_PATH_MAX + 128];

	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.admit_mu, NULL);
	pthread_rwlock_init(&c.conf_lock, NULL);
	c.query_stop_fd = -1;
	if (help_handle("kuska-consolidator", NULL, argc, argv, &err))
		return err;
	while ((ch = getopt_long(argc, argv, DAEMON_OPTSTRING, opts, NULL)) !=
	       -1) {
		if (daemon_option(&a, ch, optarg))
			continue;
		switch (ch) {
		case 'A':
			audit = 1;
			break;
		case 'R':
			rebuild = 1;
			break;
		case 'P':
			repair = 1;
			break;
		case 'F':
			refetch = optarg;
			parse_refetch(optarg, &rf);
			break;
		default:
			usage();
		}
	}
	if (a.conf == NULL || optind != argc)
		usage();
	if (daemon_begin("kuska-consolidator", a.debug) != 0)
		fatalx("cannot initialise libsodium");
	c.conf_path = a.conf;
	load(&c, a.conf, a.check);
	if (a.check) {
		config_print(stdout, &settings_consolidator_schema, &c.cfg);
		daemon_check_dir(a.conf, "consolidator", c.cfg.data_dir,
				 "store");
		daemon_check_socket(a.conf, "consolidator", "control",
				    c.cfg.control);
		daemon_check_metrics(a.conf, "consolidator",
				     c.cfg.metrics_file);
		char pop[64] = "", nodes[96];
		if (c.population != NULL)
			snprintf(pop, sizeof(pop),
				 "; population of %zu years and regions",
				 c.population->n);
		fprintf(stderr,
			"configuration OK (registry: %zu parties, %zu "
			"keys, %s%s; %zu indicators)\n",
			c.reg->n_parties, c.reg->n_keys,
			registry_nodes_text(c.reg, nodes, sizeof(nodes)), pop,
			c.indicators != NULL ? c.indicators->n : 0);
		cons_free(&c);
		return 0;
	}
	if (!audit)
		lock_store(&c, repair    ? "repair"
			       : rebuild ? "rebuild"
			       : refetch != NULL ? "refetch"
					     : NULL);
	if (audit)
		return run_audit(&c);
	if (repair) {
		err = repair_run(c.cfg.data_dir, c.cfg.map_size_mb << 20,
				 c.cfg.max_map_size_mb << 20, c.reg,
				 workers(&c.cfg), stdout);
		free_and_own(&c);
		if (err != 0)
			fatalx("repair: %s", daemon_store_error(err));
		daemon_keep();
		printf("repair: the store is sound\n");
		return 0;
	}
	if (check_store(c.cfg.data_dir, a.conf) != 0) {
		cons_free(&c);
		return 1;
	}
	if (refetch != NULL)
		return run_refetch(&c, &rf);
	err = store_open(c.cfg.data_dir, c.cfg.map_size_mb << 20,
			 c.cfg.max_map_size_mb << 20, &c.st);
	if (err != 0)
		fatalx("%s: cannot open the store: %s%s", c.cfg.data_dir,
		       strerror(-err), daemon_open_hint(err));
	/* --rebuild too: with a registry that fits nothing it would
	 * leave every envelope out, and the tables empty until the next. */
	check_owner(&c, a.conf, rebuild);
	/* A rebuild (asked for, or of statistics in an older layout)
	 * verifies on as many threads as the ingest. */
	c.ig.threads = workers(&c.cfg);
	/* It rebuilds statistics of an older layout: memory may run out. */
	if ((err = ingest_open(&c.ig, c.st, c.reg)) != 0)
		fatalx("cannot read the store: %s", strerror(-err));
	if (rebuild) {
		uint64_t events = 0, skipped = 0, t0 = date_mono_ms();
		err = ingest_rebuild(&c.ig, &events, &skipped);
		if (err == -ENOMEM)
			fatalx("rebuild: out of memory: stopped, no envelope "
			       "skipped; the statistics are as before: run "
			       "--rebuild again with more memory");
		if (err != 0)
			fatalx("rebuild: %s", strerror(-err));
		printf("rebuilt the statistics from %llu envelopes in %llu ms "
		       "(%llu left out: they no longer verify)\n",
		       (unsigned long long)events,
		       (unsigned long long)(date_mono_ms() - t0),
		       (unsigned long long)skipped);
		free_and_own(&c);
		daemon_keep();
		return skipped == 0 ? 0 : 1;
	}
	if (service_init() != 0)
		fatal("signals");
	{
		struct admit_limits lim = limits_of(&c.cfg);
		c.admit = admit_new(&lim);
		if (c.admit == NULL)
			fatal("connection table");
	}
	daemon_raise_fd_limit(c.cfg.max_connections, c.cfg.max_pending);
	c.t = transport_new();
	if (c.t == NULL)
		fatal("zmq context");
	/* The ZAP handler must exist before any CURVE socket binds. */
	c.zap = tsock_zap(c.t, &err);
	if (c.zap == NULL)
		fatalx("ZAP handler: %s", strerror(-err));
	{
		/* Frames up to twice the protocol's limit still arrive, to be
		 * refused with a reason; past that libzmq drops the peer. */
		struct tsock_limits lim = {.max_frame = 2 * CODEC_MAX_FRAME,
					   .handshake_ms = TSOCK_HANDSHAKE_MS,
					   .hwm = INGEST_HWM};
		c.ingest = tsock_bind_curve(c.t, c.cfg.listen, c.key->curve_sk,
					    "ingest", &lim, &err);
	}
	if (c.ingest == NULL)
		fatalx("%s: [consolidator] listen: %s: cannot bind: %s",
		       c.conf_path, c.cfg.listen, strerror(-err));
	c.ingest_mon = tsock_monitor(c.t, c.ingest, &err);
	if (c.ingest_mon == NULL)
		fatalx("socket monitor: %s", strerror(-err));
	c.control = daemon_bind_local(
	    c.t, c.cfg.control, DAEMON_CONTROL_MAX_BYTES, why, sizeof(why));
	if (c.control == NULL)
		fatalx("%s: [consolidator] control: %s", c.conf_path, why);
	{
		/* A client asks one table at a time and waits: a peer
		 * with QUERY_HWM answers unread is not reading them. */
		struct tsock_limits lim = {.max_frame = 64 * 1024,
					   .handshake_ms = TSOCK_HANDSHAKE_MS,
					   .hwm = QUERY_HWM};
		c.query =
		    tsock_bind_curve(c.t, c.cfg.query_listen, c.key->curve_sk,
				     "query", &lim, &err);
	}
	if (c.query == NULL)
		fatalx("%s: [consolidator] query_listen: %s: cannot bind: %s",
		       c.conf_path, c.cfg.query_listen, strerror(-err));
	c.query_mon = tsock_monitor(c.t, c.query, &err);
	if (c.query_mon == NULL)
		fatalx("socket monitor: %s", strerror(-err));
	/* From here on c.ig is the writer thread's. */
	ingest_view(&c.ig, &c.view);
	c.threads = workers(&c.cfg);
	err = pipeline_new(c.threads, &c.pipe);
	if (err != 0)
		fatalx("cannot start the ingest threads: %s", strerror(-err));
	/* Started: a new store stays (until here a failure removes it). */
	daemon_keep();
	log_info("event=start listen=%s control=%s key=%s parties=%zu "
		 "workers=%u",
		 LOG_Q(c.cfg.listen), LOG_Q(c.cfg.control),
		 log_hex8(c.key->key_id, fp), c.reg->n_parties, c.threads);
	/* From here on c.query is the query thread's. */
	err = query_net_start(&c);
	if (err != 0)
		fatalx("cannot start the query thread: %s", strerror(-err));
	service_ready("accepting events");
	run(&c);
	service_notify_stopping();
	log_info("event=stop");
	cons_free(&c);
	return 0;
}
