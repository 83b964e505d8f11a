/*
 * start.c - the checks before the consolidator serves and the modes that
 * work on the store and stop (--audit, --refetch); see start.h.
 */
#include "start.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "codec.h"
#include "daemon.h"
#include "ingest.h"
#include "lockdir.h"
#include "log.h"
#include "parallel.h"
#include "registry.h"
#include "store.h"

int
start_check_store(struct store_checking **chk, const char *dir,
		  const char *conf)
{
	struct store_report rep;
	int r;

	r = store_check_finish(chk, &rep);
	if (r != 0 && rep.why[0] != '\0') {
		/* Not damage (no memory, an I/O error, the check killed):
		 * exit 1, and systemd tries again. */
		log_warnx("event=store_check_failed dir=%s text=%s", LOG_Q(dir),
			  LOG_QT(rep.why));
		fatalx_status(daemon_exit_status(r),
			      "%s: %s; the store was "
			      "not found damaged",
			      dir, rep.why);
	}
	if (r != 0)
		fatalx_status(daemon_exit_status(r),
			      "%s: cannot check the store: %s%s", dir,
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

void
start_check_owner(struct cons *c, const char *conf, bool rebuilding)
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
	fatalx_config(
	    "%s: no institution's last event in this store fits %s, the "
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

int
start_audit(struct cons *c)
{
	struct store_report rep;
	int err;

	err = store_check(c->cfg.data_dir, &rep);
	if (err != 0)
		fatalx("audit: cannot check the store: %s",
		       rep.why[0] != '\0' ? rep.why : daemon_store_error(err));
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
		fatalx_status(
		    daemon_exit_status(err), "%s: cannot open the store: %s%s",
		    c->cfg.data_dir, strerror(-err), daemon_open_hint(err));
	err = audit_run(c->st, c->reg, stdout);
	if (err < 0)
		fatalx("audit: %s", strerror(-err));
	printf("audit: %s\n", err == 0 ? "OK" : "FAILED");
	/* Run as root, the open made lock.mdb root's: the service's. */
	start_free_and_own(c);
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

void
start_free_and_own(struct cons *c)
{
	char dir[sizeof(c->cfg.data_dir)];

	memcpy(dir, c->cfg.data_dir, sizeof(dir));
	cons_free(c);
	own_files(dir);
}

int
start_parse_refetch(const char *arg, struct refetch *rf)
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
		return -1;
	}
	errno = 0;
	rf->seq = strtoull(colon + 1, &end, 10);
	if (errno == 0 && *end == '\0' && rf->seq >= 1 && end != colon + 1)
		return 0;
syntax:
	fprintf(stderr,
		"kuska-consolidator: --refetch %s: give INSTITUTION:SEQUENCE, "
		"e.g. pnp:4931\n",
		arg);
	return -1;
}

unsigned
start_workers(const struct consolidator_config *cfg)
{
	return cfg->workers != 0 ? (unsigned)cfg->workers : parallel_cpus();
}

int
start_refetch(struct cons *c, const struct refetch *rf)
{
	uint64_t events = 0, skipped = 0;
	int n, err;

	err = store_open(c->cfg.data_dir, c->cfg.map_size_mb << 20,
			 c->cfg.max_map_size_mb << 20, &c->st);
	if (err != 0)
		fatalx_status(
		    daemon_exit_status(err), "%s: cannot open the store: %s%s",
		    c->cfg.data_dir, strerror(-err), daemon_open_hint(err));
	/* Before anything is dropped: with a registry that fits nothing
	 * the rebuild after it would leave every envelope out. */
	start_check_owner(c, c->conf_path, true);
	n = ingest_forget(c->st, rf->inst, rf->seq);
	if (n < 0)
		fatalx("refetch: %s", strerror(-n));
	c->ig.threads = start_workers(&c->cfg);
	/* It rebuilds the statistics, marked stale when entries were
	 * dropped (or of an older layout): memory or the disk may run out. */
	err = ingest_open(&c->ig, c->st, c->reg);
	if (err == 0 && !c->ig.rebuilt)
		err = ingest_rebuild(&c->ig, &events, &skipped);
	else if (err == 0)
		events = c->ig.rebuilt_events;
	/* The entries are gone already (their own transaction), and the
	 * statistics still counting them marked stale: never served. */
	if (err != 0)
		fatalx("rebuild: %s: the entries from sequence %llu on are "
		       "dropped; the statistics, which still count them, are "
		       "marked stale and rebuilt when kuska-consolidator "
		       "starts (or run kuska-consolidator --rebuild)",
		       strerror(-err), (unsigned long long)rf->seq);
	printf("%s: dropped %d entries from sequence %llu on; rebuilt the "
	       "statistics from %llu envelopes. Start kuska-consolidator: "
	       "the node sends them again.\n",
	       rf->name, n, (unsigned long long)rf->seq,
	       (unsigned long long)events);
	start_free_and_own(c);
	daemon_keep();
	return 0;
}

void
start_lock_store(struct cons *c, const char *mode)
{
	char why[2 * SETTINGS_PATH_MAX + 128];
	bool made;
	int r;

	r = daemon_lock(c->cfg.data_dir, "kuska-consolidator", "store", &made,
			why, sizeof(why));
	if (r != 0)
		fatalx_status(daemon_exit_status(r),
			      "%s: [consolidator] data_dir: %s", c->conf_path,
			      why);
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
