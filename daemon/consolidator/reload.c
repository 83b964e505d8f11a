/*
 * reload.c - the consolidator's configuration, registry, indicator and
 * population files, read at start and on SIGHUP; see reload.h.
 */
#include "reload.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "date.h"
#include "indfile.h"
#include "keys.h"
#include "log.h"
#include "peers.h"
#include "popfile.h"
#include "prepare.h"
#include "query.h"
#include "registry.h"
#include "sdg_table.h"
#include "service.h"
#include "stats.h"
#include "settings.h"
#include "store.h"

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
 * A refusal ("FILE:LINE: reason" for each fault, one a line) goes to the
 * log, a line each, or with -n (to_stderr) to the standard error.
 * Returns 0, or -errno when the file is refused.
 */
static int
load_population(const struct consolidator_config *cfg, bool to_stderr,
		struct popset **ret)
{
	char err[POPFILE_ERRS_MAX(SETTINGS_PATH_MAX)];
	char q[POPFILE_ERR_MAX + SETTINGS_PATH_MAX + 64], *line, *save = NULL;
	int r;

	*ret = NULL;
	if (cfg->population[0] == '\0')
		return 0;
	r = popfile_load(cfg->population, ret, err, sizeof(err));
	if (r != 0) {
		if (to_stderr)
			fprintf(stderr, "%s\n", err);
		else
			for (line = strtok_r(err, "\n", &save); line != NULL;
			     line = strtok_r(NULL, "\n", &save))
				/* The whole message, however long its
				 * path. */
				log_warnx("event=population_error text=%s",
					  log_quote_str(line, q, sizeof(q)));
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

/*
 * diverged_quiet_s no longer than a diverged node's interval between
 * hellos: a second live node with its key, in step, could clear the mark
 * between two of them (ingest_net_hello.c, ingest_net_diverged_proved).
 * Said, not refused: a test may want it short.
 */
static void
say_diverged_quiet(const struct consolidator_config *cfg, bool to_stderr)
{
	static const char text[] =
	    "a node whose outbox diverged says so every %d s: a second node "
	    "with its key, in step, can clear its DIVERGED mark between two "
	    "of them; give more than %d s";

	if (cfg->diverged_quiet_s > SETTINGS_DIVERGED_HELLO_S)
		return;
	if (to_stderr) {
		fprintf(stderr,
			"diverged_quiet_s = %lu: ", cfg->diverged_quiet_s);
		fprintf(stderr, text, SETTINGS_DIVERGED_HELLO_S,
			SETTINGS_DIVERGED_HELLO_S);
		fputc('\n', stderr);
	} else
		log_warnx("event=diverged_quiet_short diverged_quiet_s=%lu "
			  "hint=\"a node whose outbox diverged says so every "
			  "%d s: a second node with its key, in step, can "
			  "clear its DIVERGED mark between two of them; give "
			  "more than %d s\"",
			  cfg->diverged_quiet_s, SETTINGS_DIVERGED_HELLO_S,
			  SETTINGS_DIVERGED_HELLO_S);
}

/* config_parse_raw's handler: refuses the line of query_listen when it
 * takes the port of listen (the config arg). */
static int
port_clash_line(void *arg, const char *section, const char *name,
		const char *value, char *why, size_t whylen)
{
	const struct consolidator_config *cfg = arg;

	if (strcmp(section, "consolidator") != 0 ||
	    strcmp(name, "query_listen") != 0)
		return 0;
	snprintf(why, whylen,
		 "[consolidator] query_listen: %s takes the port of listen "
		 "(%s), which the start could not bind twice: give the "
		 "queries a port of their own (7401 in the example)",
		 value, cfg->listen);
	return -EINVAL;
}

void
reload_init(struct cons *c, const char *path, bool check)
{
	char err[512];

	if (config_load(path, &settings_consolidator_schema, &c->cfg, err,
			sizeof(err)) != 0)
		fatalx_config("%s", err);
	/* Else -n passed it, and each start failed to bind (exit 1),
	 * restarted every 5 s for ever. */
	if (settings_same_port(c->cfg.listen, c->cfg.query_listen)) {
		if (config_parse_raw(path, port_clash_line, &c->cfg, err,
				     sizeof(err)) != 0)
			fatalx_config("%s", err);
		fatalx_config("%s: [consolidator] query_listen takes the port "
			      "of listen",
			      path);
	}
	if (keys_load_secret(c->cfg.key, &c->key, err, sizeof(err)) != 0)
		daemon_key_fatal(path, "consolidator", "key", c->cfg.key, err);
	if (registry_load(c->cfg.registry, &c->reg, err, sizeof(err)) != 0)
		fatalx_config("%s", err);
	daemon_own_key_check(path, "consolidator", "key", c->cfg.key, c->key,
			     c->reg);
	say_registry_warnings(c->reg, check);
	say_diverged_quiet(&c->cfg, check);
	if (load_indicators(&c->cfg, check, &c->indicators) != 0)
		fatalx_config("%s: indicator file refused", c->cfg.indicators);
	query_set_indicators(c->indicators);
	if (load_population(&c->cfg, check, &c->population) != 0)
		fatalx_config("%s: population file refused", c->cfg.population);
	sdg_set_population(c->population);
}

/*
 * SIGHUP, after the configuration: reads the indicator file again. A file
 * with any error changes nothing: the indicators in force stay. Those it
 * replaces go to old, freed once no question reads them.
 */
static void
reload_indicators(struct cons *c, const struct consolidator_config *cfg,
		  struct retired_reg *old)
{
	struct indset *fresh = NULL;

	if (load_indicators(cfg, false, &fresh) != 0) {
		log_warnx("event=reload_refused file=%s hint=\"indicator file "
			  "refused: the indicators in force stay\"",
			  LOG_Q(cfg->indicators));
		return;
	}
	old->indicators = c->indicators;
	c->indicators = fresh;
	memcpy(c->cfg.indicators, cfg->indicators, sizeof(c->cfg.indicators));
	log_info("event=reload indicators=%zu", fresh != NULL ? fresh->n : 0);
}

struct admit_limits
reload_limits(const struct consolidator_config *cfg)
{
	return admit_limits_of(cfg->max_connections,
			       cfg->max_connections_per_key, cfg->max_pending,
			       cfg->max_pending_per_address);
}

/*
 * SIGHUP, after the configuration: reads the population file again, all
 * or nothing: a file with a fault keeps the figures in force. Those it
 * replaces go to old, freed once no question reads them.
 */
static void
reload_population(struct cons *c, const struct consolidator_config *cfg,
		  struct retired_reg *old)
{
	struct popset *fresh = NULL;

	if (load_population(cfg, false, &fresh) != 0) {
		log_warnx("event=reload_refused file=%s hint=\"population "
			  "file refused: the figures in force stay\"",
			  LOG_Q(cfg->population));
		return;
	}
	old->population = c->population;
	c->population = fresh;
	memcpy(c->cfg.population, cfg->population, sizeof(c->cfg.population));
	log_info("event=reload population_years_regions=%zu",
		 fresh != NULL ? fresh->n : 0);
}

/*
 * The registry in force is being replaced: the jobs judged by it may
 * still use it (pipeline.h), and a question its key's owner
 * (query_net_answer.c), so it goes to r, freed once they are all back and the
 * question answered (cons_free_retired). Counted per registry, not by a
 * position in the queue: institutions take turns, so jobs come back in another
 * order than they went.
 */
static void
retire_registry(struct cons *c, struct retired_reg *r)
{
	r->reg = c->reg;
	r->users = c->reg_users;
	r->gen = c->conf_gen;
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
					    "prepare_quiet_s",
					    "diverged_quiet_s",
					    "max_victim_records",
					    "max_case_records",
					    NULL};

void
reload_apply(struct cons *c)
{
	struct consolidator_config cfg;
	struct registry *fresh = NULL;
	struct retired_reg *old;
	struct admit_limits lim;
	char err[512];
	size_t dropped;
	int e;

	if (config_load(c->conf_path, &settings_consolidator_schema, &cfg, err,
			sizeof(err)) != 0 ||
	    registry_load(cfg.registry, &fresh, err, sizeof(err)) != 0) {
		daemon_reload_refused(err);
		return;
	}
	/* Taken first: a reload cannot wait for what it replaces to be let
	 * go (a question's audit, seconds), nor free it before. */
	if ((old = calloc(1, sizeof(*old))) == NULL) {
		registry_free(&fresh);
		daemon_reload_refused("out of memory");
		return;
	}
	daemon_reload_needs_restart(&settings_consolidator_schema, &c->cfg,
				    &cfg, reloaded_keys);
	lim = reload_limits(&cfg);
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
	c->cfg.prepare_quiet_s = cfg.prepare_quiet_s;
	c->cfg.diverged_quiet_s = cfg.diverged_quiet_s;
	c->cfg.max_victim_records = cfg.max_victim_records;
	c->cfg.max_case_records = cfg.max_case_records;
	stats_set_caps(c->ig.stats, cfg.max_victim_records,
		       cfg.max_case_records);
	say_diverged_quiet(&c->cfg, false);
	/* A new k, or registry grants, make other releases: the latest
	 * years are made ready again once quiet (prepare.h). */
	if ((e = prepare_note_store(c->st, date_today(), date_mono_ms())) != 0)
		log_warnx("event=release_prepare_failed error=%s",
			  LOG_Q(strerror(-e)));
	memcpy(c->cfg.metrics_file, cfg.metrics_file,
	       sizeof(c->cfg.metrics_file));
	memcpy(c->cfg.registry, cfg.registry, sizeof(c->cfg.registry));
	store_set_max(c->st, cfg.max_map_size_mb << 20);
	say_registry_warnings(fresh, false);
	retire_registry(c, old);
	c->reg = fresh;
	peers_read_monitors(c); /* the table as it is now, before judging it */
	dropped = peers_revalidate(c);
	log_info("event=reload parties=%zu keys=%zu dropped=%zu k=%lu "
		 "max_victim_records=%lu max_case_records=%lu",
		 fresh->n_parties, fresh->n_keys, dropped, cfg.k,
		 cfg.max_victim_records, cfg.max_case_records);
	reload_indicators(c, &cfg, old);
	reload_population(c, &cfg, old);
	c->conf_gen++;
}

void
reload_try(struct cons *c)
{
	/* Two SIGHUPs between two passes make one reload, which reads the
	 * files as they are then. */
	if (!service_reload_requested())
		return;
	pthread_rwlock_wrlock(&c->conf_lock);
	reload_apply(c);
	pthread_rwlock_unlock(&c->conf_lock);
}
