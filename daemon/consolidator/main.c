/*
 * kuska-consolidator - receives signed events from the institutions'
 * nodes, verifies and stores them, keeps the national counts and answers
 * queries.
 *
 * This file holds the options, start-up and shutdown and the poll loop.
 * The configuration and its reload on SIGHUP are reload.c's; the checks
 * before serving and the modes that stop (--audit, --refetch) start.c's;
 * each socket's requests are handled in its own file: peers.c (ZAP and
 * connections), ingest_net.c, control.c and query_net.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "cons.h"
#include "control.h"
#include "daemon.h"
#include "date.h"
#include "guard.h"
#include "help.h"
#include "indfile.h"
#include "ingest.h"
#include "ingest_net.h"
#include "keys.h"
#include "log.h"
#include "lp.h"
#include "metrics.h"
#include "peers.h"
#include "pipeline.h"
#include "popfile.h"
#include "query_net.h"
#include "registry.h"
#include "reload.h"
#include "repair.h"
#include "service.h"
#include "settings.h"
#include "start.h"
#include "starting.h"
#include "store.h"
#include "transport.h"

#define TICK_MS 500
/* Messages read from the nodes' socket in one pass of the loop (and
 * handshakes judged: PEERS_ZAP_MAX_PER_CALL). */
#define INGEST_MAX_PER_CALL 64
/* Answers queued for one query connection: past it an answer to a
 * client that does not read is dropped, not kept. */
#define QUERY_HWM 16
/* The same for a node's connection: a node reads each answer (its
 * window is at most 64 batches, and the kernel's socket buffer takes
 * many acks); one that does not read, asking for recoveries of up to
 * 4 MiB each, must not have them kept for it by the thousand. */
#define INGEST_HWM 16

/*
 * conf_lock, writers first: glibc's default lets readers in while a
 * writer waits, and the holds of the query thread and of its reader
 * (peer_read), overlapping, could keep a reload out for as long as
 * requests came.
 */
static void
conf_lock_init(pthread_rwlock_t *l)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(
	    &a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(l, &a);
	pthread_rwlockattr_destroy(&a);
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

/* Answers every job the pipeline has finished, in order. */
static void
take_finished(struct cons *c)
{
	struct pipeline_job *j;

	while ((j = pipeline_done(c->pipe)) != NULL)
		ingest_finish(c, j);
	ingest_submit_waiting(c);
	if (c->retired != NULL)
		cons_free_retired(c, false);
}

/*
 * Reads the ingest socket, at most INGEST_MAX_PER_CALL messages: each
 * message is judged and refused or queued at once (to the pipeline, or
 * while it is full to wait for room, up to a node's window: past it
 * refused as busy), so the loop comes back to the handshakes, the
 * acknowledgements, the control socket and the watchdog within a few
 * milliseconds, however busy the writer is. Without the bound, frames
 * refused at once sent without pause on a node's transport key kept
 * this thread here for as long as they came (docs/LIMITS.md). It reads
 * whatever the writer does: left unread while a commit stalled, a
 * connection flooding it past ZMQ_RCVHWM aborted libzmq 4.3.4 when it
 * ended (docs/SECURITY.md).
 */
static void
read_ingest(struct cons *c)
{
	struct tframes f;
	int n;

	for (n = 0; n < INGEST_MAX_PER_CALL && !service_stopping(); n++) {
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
		struct tsock *socks[6] = {
		    c->zap,	 c->ingest, c->ingest_mon,
		    c->control,	 NULL, /* the query thread's */
		    c->query_mon};
		int r = tsock_poll_fd(socks, 6, ready, pipeline_fd(c->pipe),
				      NULL, TICK_MS);

		if (r < 0 && r != -EINTR)
			fatalx("poll: %s", strerror(-r));
		if (r <= 0)
			memset(ready, 0, sizeof(ready));
		reload_try(c);
		if (ready[0])
			(void)peers_serve_zap(c); /* bounded */
		take_finished(c);
		if (ready[3])
			c->control_refused += daemon_control_serve(
			    c->control, handle_control, c, &c->control_log);
		if (ready[1])
			read_ingest(c);
		/* After the messages: a connection heard from before its
		 * DISCONNECTED is read is never counted again once gone. */
		peers_read_monitors(c);
		peers_tick(c);
		diverged_tick(c);
		service_watchdog(date_mono_ms());
		metrics_export(c->cfg.metrics_file, c->cfg.metrics_interval_s,
			       &c->metrics_written_ms, date_mono_ms(),
			       render_metrics, c);
	}
}

/*
 * Binds the control socket while the store's checks run, before its open
 * and any statistics rebuild, and answers "starting" on it until run:
 * kuska status tells a start (exit 3) from a consolidator not running
 * (exit 2). The checks' child (store_check_start) is forked before:
 * in a child of a process with threads (libzmq's, this one's) only
 * async-signal-safe calls are sound, and under valgrind the threads'
 * memory, gone with them, failed the check.
 */
static void
start_answering(struct cons *c)
{
	char why[SETTINGS_PATH_MAX + 128];
	int err;

	daemon_raise_fd_limit(c->cfg.max_connections, c->cfg.max_pending);
	c->t = transport_new();
	if (c->t == NULL)
		fatal("zmq context");
	c->control = daemon_bind_local(
	    c->t, c->cfg.control, DAEMON_CONTROL_MAX_BYTES, why, sizeof(why));
	if (c->control == NULL)
		fatalx("%s: [consolidator] control: %s", c->conf_path, why);
	starting_say("checking the store");
	if ((err = starting_begin(
		 c->control, DAEMON_CONTROL_MAX_FRAMES,
		 DAEMON_CONTROL_MAX_BYTES,
		 "event=control_refused reason=too_large text=\"request over "
		 "the size limit while starting\"")) != 0)
		fatalx("cannot start the control thread: %s", strerror(-err));
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
	bool dropped;
	const char *refetch = NULL;
	struct refetch rf;
	struct store_checking *chk;
	char fp[17];
	uint64_t t0;

	/* Before the store's checks and a statistics rebuild write. */
	service_ignore_signals(true);
	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.admit_mu, NULL);
	conf_lock_init(&c.conf_lock);
	c.conf_gen = 1;
	c.query_stop_fd = -1;
	lp_process_init();
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
			if (start_parse_refetch(optarg, &rf) != 0)
				exit(2);
			break;
		default:
			usage();
		}
	}
	if (a.conf == NULL || optind != argc)
		usage();
	if (daemon_begin("kuska-consolidator", a.debug) != 0)
		fatalx("cannot initialise libsodium");
	/* Its keys are in sodium_malloc() memory, left out of a dump, but
	 * libzmq keeps its own copy of the transport key, with which a
	 * thief could pass for this consolidator to the nodes; and the
	 * events and exact counts in its buffers would outlive the store
	 * in a core file: no core file, and no other process of the user
	 * reads this one's memory. */
	if ((err = guard_nodump()) != 0)
		fatalx("cannot forbid core dumps: %s", strerror(-err));
	c.conf_path = a.conf;
	reload_init(&c, a.conf, a.check);
	if (a.check) {
		char dwhy[3 * SETTINGS_PATH_MAX];
		config_print(stdout, &settings_consolidator_schema, &c.cfg);
		if (daemon_check_dir(a.conf, "consolidator", c.cfg.data_dir,
				     "store") != 0)
			fatalx_config("%s: [consolidator] data_dir: %s: not "
				      "a directory: a start refuses it",
				      a.conf, c.cfg.data_dir);
		if (daemon_check_data_user(a.conf, "consolidator",
					   c.cfg.data_dir, dwhy,
					   sizeof(dwhy)) != 0)
			fatalx_config("%s: [consolidator] data_dir: %s: a "
				      "start refuses it",
				      a.conf, dwhy);
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
		start_lock_store(&c, repair    ? "repair"
				     : rebuild ? "rebuild"
				     : refetch != NULL ? "refetch"
						   : NULL);
	if (audit)
		return start_audit(&c);
	if (repair) {
		err = repair_run(c.cfg.data_dir, c.cfg.map_size_mb << 20,
				 c.cfg.max_map_size_mb << 20, c.reg,
				 start_workers(&c.cfg), stdout, &dropped);
		start_free_and_own(&c);
		if (err == -ENOSPC && !dropped)
			fatalx("repair: %s: %s: nothing was dropped, the store "
			       "is as it was; make room and run --repair "
			       "again",
			       c.cfg.data_dir, strerror(ENOSPC));
		/* What it dropped stays dropped, the statistics counting
		 * it marked stale: say so, and that running it again is
		 * all it takes once there is room. */
		if (err == -ENOSPC)
			fatalx("repair: %s: %s: make room and run --repair "
			       "again (what it dropped, the nodes send again; "
			       "the statistics are rebuilt before anything is "
			       "served)",
			       c.cfg.data_dir, strerror(ENOSPC));
		if (err != 0)
			fatalx("repair: %s", daemon_store_error(err));
		daemon_keep();
		printf("repair: the store is sound\n");
		return 0;
	}
	/* Forked before any thread: libzmq's, the starting thread. */
	chk = store_check_start(c.cfg.data_dir);
	if (!rebuild && refetch == NULL)
		start_answering(&c);
	/* Under systemd: more time to start while the child reads. */
	starting_extend(true);
	if (start_check_store(&chk, c.cfg.data_dir, a.conf) != 0) {
		cons_free(&c);
		/* Only --repair helps: a restart finds the same damage. */
		return LOG_EXIT_CONFIG;
	}
	if (refetch != NULL) {
		starting_extend(false);
		return start_refetch(&c, &rf);
	}
	/* Extended still, through the statistics' read: store_open takes
	 * milliseconds, but ingest_open seconds (2.0-4.4 s at a million
	 * events from the page cache on a loaded 2-vCPU machine: tens of
	 * seconds at ten million, the disk's speed after a reboot); its
	 * rebuild, of an older layout, extends by itself as it goes. */
	starting_say("opening the store");
	daemon_map_fault_said("kuska-consolidator", "store", c.cfg.data_dir);
	err = store_open(c.cfg.data_dir, c.cfg.map_size_mb << 20,
			 c.cfg.max_map_size_mb << 20, &c.st);
	if (err != 0)
		fatalx_status(daemon_exit_status(err),
			      "%s: cannot open the store: %s%s", c.cfg.data_dir,
			      strerror(-err), daemon_open_hint(err));
	/* --rebuild too: with a registry that fits nothing it would
	 * leave every envelope out, and the tables empty until the next. */
	start_check_owner(&c, a.conf, rebuild);
	/* A rebuild (asked for, or of statistics in an older layout)
	 * verifies on as many threads as the ingest. */
	c.ig.threads = start_workers(&c.cfg);
	/* It rebuilds statistics of an older layout, or marked stale:
	 * memory, or the disk, may run out; --rebuild's time counts it. */
	t0 = date_mono_ms();
	starting_say("reading the statistics");
	if ((err = ingest_open(&c.ig, c.st, c.reg)) == -ENOSPC)
		fatalx("%s: no room to rebuild the statistics: %s: make room "
		       "and start again",
		       c.cfg.data_dir, strerror(ENOSPC));
	if (err != 0)
		fatalx("cannot read the store: %s", strerror(-err));
	stats_set_caps(c.ig.stats, c.cfg.max_victim_records,
		       c.cfg.max_case_records);
	starting_extend(false);
	if (rebuild) {
		uint64_t events = 0, skipped = 0;
		/* Statistics marked stale were rebuilt by ingest_open. */
		if (!c.ig.rebuilt)
			err = ingest_rebuild(&c.ig, &events, &skipped);
		else {
			events = c.ig.rebuilt_events;
			skipped = c.ig.rebuilt_skipped;
		}
		if (err == -ENOMEM)
			fatalx("rebuild: out of memory: stopped, no envelope "
			       "skipped; the statistics are as before: run "
			       "--rebuild again with more memory");
		if (err == -ENOSPC)
			fatalx("rebuild: %s: %s: the statistics are as before; "
			       "make room and run --rebuild again",
			       c.cfg.data_dir, strerror(ENOSPC));
		if (err != 0)
			fatalx("rebuild: %s", strerror(-err));
		printf("rebuilt the statistics from %llu envelopes in %llu ms "
		       "(%llu left out: they no longer verify)\n",
		       (unsigned long long)events,
		       (unsigned long long)(date_mono_ms() - t0),
		       (unsigned long long)skipped);
		start_free_and_own(&c);
		daemon_keep();
		return skipped == 0 ? 0 : 1;
	}
	if (service_init() != 0)
		fatal("signals");
	{
		struct admit_limits lim = reload_limits(&c.cfg);
		c.admit = admit_new(&lim);
		if (c.admit == NULL)
			fatal("connection table");
	}
	/* The ZAP handler must exist before any CURVE socket binds. */
	c.zap = tsock_zap(c.t, &err);
	if (c.zap == NULL)
		fatalx("ZAP handler: %s", strerror(-err));
	{
		/* Frames up to twice the protocol's limit still arrive, to be
		 * refused with a reason; past that libzmq drops the peer.
		 * No ZMQ_RCVHWM: libzmq 4.3.4 stopped reading a connection
		 * at it with bytes read but not decoded, and once the
		 * connection ended, a PING decoded among them (a node's
		 * libzmq sends them) was answered with a write that aborted
		 * it. read_ingest reads on whatever the writer does, and
		 * ingest_net.h bounds what waits. */
		struct tsock_limits lim = {.max_frame = 2 * CODEC_MAX_FRAME,
					   .handshake_ms = TSOCK_HANDSHAKE_MS,
					   .hwm = INGEST_HWM,
					   .rcv_unbounded = true};
		c.ingest =
		    tsock_bind_curve(c.t, c.cfg.listen, c.key->curve_sk,
				     "ingest", &lim, &c.ingest_mon, &err);
	}
	if (c.ingest == NULL)
		fatalx("%s: [consolidator] listen: %s: cannot bind: %s%s",
		       c.conf_path, c.cfg.listen, strerror(-err),
		       daemon_bind_hint(err));
	{
		/* A client asks one table at a time and waits: a peer
		 * with QUERY_HWM answers unread is not reading them. Its
		 * reader thread reads all there is at every pass, within
		 * bounds of its own (query_reader.h): libzmq 4.3.4 aborts
		 * on the end of a connection it stopped reading at
		 * ZMQ_RCVHWM, so none is set. */
		struct tsock_limits lim = {.max_frame = 64 * 1024,
					   .handshake_ms = TSOCK_HANDSHAKE_MS,
					   .hwm = QUERY_HWM,
					   .rcv_unbounded = true};
		c.query =
		    tsock_bind_curve(c.t, c.cfg.query_listen, c.key->curve_sk,
				     "query", &lim, &c.query_mon, &err);
	}
	if (c.query == NULL)
		fatalx("%s: [consolidator] query_listen: %s: cannot bind: %s%s",
		       c.conf_path, c.cfg.query_listen, strerror(-err),
		       daemon_bind_hint(err));
	/* From here on c.ig is the writer thread's. */
	ingest_view(&c.ig, &c.view);
	c.threads = start_workers(&c.cfg);
	err = pipeline_new(c.threads, &c.pipe);
	if (err != 0)
		fatalx("cannot start the ingest threads: %s", strerror(-err));
	/* Started: a new store stays (until here a failure removes it). */
	daemon_keep();
	log_info("event=start version=%s listen=%s control=%s key=%s "
		 "parties=%zu "
		 "workers=%u k=%lu max_victim_records=%lu max_case_records=%lu",
		 KUSKA_VERSION, LOG_Q(c.cfg.listen), LOG_Q(c.cfg.control),
		 log_hex8(c.key->key_id, fp), c.reg->n_parties, c.threads,
		 c.cfg.k, c.cfg.max_victim_records, c.cfg.max_case_records);
	/* From here on c.query is the query thread's. */
	err = query_net_start(&c);
	if (err != 0)
		fatalx("cannot start the query thread: %s", strerror(-err));
	/* From here on c.control is run's; what the start refused on it
	 * counts with what run refuses. */
	c.control_refused += starting_end();
	service_ready("accepting events");
	run(&c);
	service_notify_stopping();
	log_info("event=stop");
	cons_free(&c);
	return 0;
}
