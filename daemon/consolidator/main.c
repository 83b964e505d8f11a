/*
 * kuska-consolidator - receives signed events from the institutions'
 * nodes, verifies and stores them, keeps the national counts and answers
 * queries.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "codec.h"
#include "date.h"
#include "ingest.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "query.h"
#include "registry.h"
#include "service.h"
#include "settings.h"
#include "store.h"
#include "transport.h"

#define TICK_MS 500
#define CONTROL_MAX_BYTES (64 * 1024)

struct cons {
	const char *conf_path;
	struct consolidator_config cfg;
	struct secret_key *key;
	struct registry *reg;
	struct store *st;
	struct ingest ig;
	struct transport *t;
	struct tsock *zap, *ingest, *ingest_mon, *control, *query;
	struct tsock *query_mon;
	uint64_t handshake_failures;
	uint64_t frames_refused;
	uint64_t contact_ms[INST_COUNT + 1];	/* last hello or batch */
	struct mhist commit;			/* batch latency, seconds */
	uint64_t queries[16][ROLE_ANALYST + 1]; /* by table and role */
	int64_t connections; /* TCP peers now, both sockets */
	uint64_t metrics_written_ms;
};

/*
 * Takes an exclusive lock on DIR/kuska.lock for the life of the process,
 * so two daemons (or a daemon and --rebuild) never write one store.
 */
static int
lock_data_dir(const char *dir)
{
	char path[1024];
	int fd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/kuska.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -EBUSY;
	}
	return 0; /* the descriptor stays open: the lock lives with us */
}

/* Releases whatever main acquired; safe on a partly built struct. */
static void
cons_free(struct cons *c)
{
	tsock_free(&c->query_mon);
	tsock_free(&c->query);
	tsock_free(&c->control);
	tsock_free(&c->ingest_mon);
	tsock_free(&c->ingest);
	tsock_free(&c->zap);
	transport_free(&c->t);
	ingest_close(&c->ig);
	store_close(&c->st);
	registry_free(&c->reg);
	keys_free(&c->key);
}

static void
usage(void)
{
	fprintf(stderr, "usage: kuska-consolidator [-dn] -c FILE\n"
			"       kuska-consolidator --audit -c FILE\n"
			"       kuska-consolidator --rebuild -c FILE\n");
	exit(2);
}

static void
load(struct cons *c, const char *path)
{
	char err[512];

	if (config_load(path, &settings_consolidator_schema, &c->cfg, err,
			sizeof(err)) != 0)
		fatalx("%s", err);
	if (keys_load_secret(c->cfg.key, &c->key, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (registry_load(c->cfg.registry, &c->reg, err, sizeof(err)) != 0)
		fatalx("%s", err);
}

/* The ZAP verdict: registered keys only, institutions only on ingest. */
static int
zap_decide(void *arg, const char *domain, const char *address,
	   const uint8_t key[TRANSPORT_KEY_LEN], char *user_id, size_t cap)
{
	struct cons *c = arg;
	const struct reg_key *k;
	char fp[17];

	if (c->connections > (int64_t)c->cfg.max_connections) {
		c->handshake_failures++;
		log_warnx("event=auth_refused domain=%s address=%s "
			  "reason=too_many_connections max_connections=%lu",
			  domain, address, c->cfg.max_connections);
		return -1;
	}
	k = registry_by_transport(c->reg, key, date_now_ms());
	if (k == NULL) {
		c->handshake_failures++;
		log_warnx("event=auth_refused domain=%s address=%s "
			  "transport_key=%s reason=not_registered_or_not_valid",
			  domain, address, log_hex8(key, fp));
		return -1;
	}
	if (strcmp(domain, "ingest") == 0 &&
	    k->owner->role != ROLE_INSTITUTION) {
		c->handshake_failures++;
		log_warnx("event=auth_refused domain=%s address=%s key=%s "
			  "owner=%s reason=not_an_institution",
			  domain, address, k->name, k->owner->id);
		return -1;
	}
	snprintf(user_id, cap, "%s", k->owner->id);
	log_debug("event=auth_ok domain=%s address=%s key=%s owner=%s", domain,
		  address, k->name, k->owner->id);
	return 0;
}

static void
send_to(struct tsock *s, const struct tframes *req, const uint8_t *buf,
	size_t len)
{
	const void *data[2] = {req->data[0], buf};
	size_t lens[2] = {req->len[0], len};
	int r = tsock_send(s, data, lens, 2);

	if (r != 0)
		log_debug("reply not delivered: %s", strerror(-r));
}

static void
send_msg(struct tsock *s, const struct tframes *req, const struct msg *m)
{
	uint8_t *buf;
	size_t len;

	if (codec_msg_encode(m, &buf, &len) != 0) {
		log_warnx("event=reply_not_encoded");
		return;
	}
	send_to(s, req, buf, len);
	free(buf);
}

static void
refuse(struct cons *c, const struct tframes *req, uint64_t batch_id,
       enum reason reason, const char *text)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_REFUSAL;
	m.batch_id = batch_id;
	m.reason = reason;
	snprintf(m.text, sizeof(m.text), "%s", text);
	c->frames_refused++;
	send_msg(c->ingest, req, &m);
}

static void
on_hello(struct cons *c, const struct tframes *req, const struct reg_party *p,
	 const struct msg *m)
{
	struct msg w;

	if (m->inst != p->inst) {
		log_warnx("event=hello_refused speaker=%s claims=%s", p->id,
			  institution_name(m->inst));
		refuse(c, req, 0, REASON_WRONG_INSTITUTION,
		       "hello names another institution");
		return;
	}
	if (m->version != CODEC_VERSION) {
		refuse(c, req, 0, REASON_BAD_VERSION,
		       "protocol version not supported");
		return;
	}
	memset(&w, 0, sizeof(w));
	w.type = MSG_WELCOME;
	w.nonce = m->nonce;
	w.last_seq = c->ig.inst[p->inst].last_seq;
	c->contact_ms[p->inst] = date_now_ms();
	log_info("event=hello institution=%s last_seq=%llu", p->id,
		 (unsigned long long)w.last_seq);
	send_msg(c->ingest, req, &w);
}

static void
on_batch(struct cons *c, const struct tframes *req, const struct reg_party *p,
	 const struct msg *m)
{
	struct msg reply;
	uint64_t before = c->ig.inst[p->inst].accepted;

	uint64_t t0 = date_mono_ms();

	c->contact_ms[p->inst] = date_now_ms();
	(void)ingest_batch(&c->ig, p, m, c->contact_ms[p->inst], &reply);
	metrics_observe(&c->commit, (double)(date_mono_ms() - t0) / 1000.0);
	if (reply.type == MSG_REFUSAL && reply.reason != REASON_GAP)
		c->frames_refused++;
	send_msg(c->ingest, req, &reply);
	if (reply.type == MSG_ACK) {
		log_debug(
		    "event=batch institution=%s batch=%llu accepted=%llu "
		    "refused=%zu last_seq=%llu",
		    p->id, (unsigned long long)m->batch_id,
		    (unsigned long long)(c->ig.inst[p->inst].accepted - before),
		    reply.n_rejections, (unsigned long long)reply.last_seq);
		free(reply.rejections);
	}
}

static void
handle_ingest(struct cons *c, struct tframes *req)
{
	const struct reg_party *p;
	struct msg m;
	int r;

	if (req->n != 2) {
		c->frames_refused++;
		log_warnx("event=frame_refused speaker=%s parts=%zu "
			  "reason=bad_frame",
			  req->user_id[0] ? req->user_id : "?", req->n - 1);
		if (req->n > 2)
			refuse(c, req, 0, REASON_BAD_FRAME,
			       "a message is exactly one frame");
		return;
	}
	p = registry_party(c->reg, req->user_id);
	if (p == NULL || p->role != ROLE_INSTITUTION) {
		/* The key was revoked by a reload since the handshake. */
		refuse(c, req, 0, REASON_NOT_AUTHORIZED,
		       "not a registered institution");
		return;
	}
	r = codec_msg_decode(req->data[1], req->len[1], &m);
	if (r != 0) {
		log_warnx("event=frame_refused institution=%s bytes=%zu "
			  "reason=%s",
			  p->id, req->len[1],
			  r == -EMSGSIZE ? "too_large" : "bad_frame");
		refuse(c, req, 0,
		       r == -EMSGSIZE ? REASON_TOO_LARGE : REASON_BAD_FRAME,
		       r == -EMSGSIZE ? "message over a size limit"
				      : "undecodable message");
		return;
	}
	switch (m.type) {
	case MSG_HELLO:
		on_hello(c, req, p, &m);
		break;
	case MSG_BATCH:
		on_batch(c, req, p, &m);
		break;
	default:
		refuse(c, req, 0, REASON_BAD_FRAME,
		       "a node may send hello and batch only");
	}
	codec_msg_clear(&m);
}

/* The consolidator's metrics in the Prometheus text format. */
static void
cons_metrics(struct cons *c, struct mtext *m)
{
	char l[160];
	int i, j;

	metrics_family(m, "kuska_events_accepted_total", "counter",
		       "Events verified and stored, by institution.");
	for (i = 1; i <= INST_COUNT; i++) {
		snprintf(l, sizeof(l), "institution=\"%s\"",
			 institution_name((enum institution)i));
		metrics_sample(m, "kuska_events_accepted_total", l,
			       (double)c->ig.inst[i].accepted);
	}
	metrics_family(m, "kuska_events_refused_total", "counter",
		       "Events refused, by institution and reason.");
	for (i = 1; i <= INST_COUNT; i++)
		for (j = 1; j < REASON_COUNT; j++) {
			if (c->ig.inst[i].refused_by_reason[j] == 0)
				continue;
			snprintf(l, sizeof(l),
				 "institution=\"%s\",reason=\"%s\"",
				 institution_name((enum institution)i),
				 reason_name((enum reason)j));
			metrics_sample(
			    m, "kuska_events_refused_total", l,
			    (double)c->ig.inst[i].refused_by_reason[j]);
		}
	metrics_family(m, "kuska_last_seq", "gauge",
		       "Highest sequence held, by institution.");
	for (i = 1; i <= INST_COUNT; i++) {
		snprintf(l, sizeof(l), "institution=\"%s\"",
			 institution_name((enum institution)i));
		metrics_sample(m, "kuska_last_seq", l,
			       (double)c->ig.inst[i].last_seq);
	}
	metrics_family(m, "kuska_last_contact_seconds", "gauge",
		       "Unix time of the institution's last hello or batch.");
	for (i = 1; i <= INST_COUNT; i++) {
		uint64_t last = c->contact_ms[i] > c->ig.inst[i].last_contact_ms
				    ? c->contact_ms[i]
				    : c->ig.inst[i].last_contact_ms;
		snprintf(l, sizeof(l), "institution=\"%s\"",
			 institution_name((enum institution)i));
		metrics_sample(m, "kuska_last_contact_seconds", l,
			       (double)last / 1000.0);
	}
	metrics_family(m, "kuska_batch_commit_seconds", "histogram",
		       "Time to verify, store and commit one batch.");
	metrics_histogram(m, "kuska_batch_commit_seconds", NULL, &c->commit);
	metrics_family(m, "kuska_queries_total", "counter",
		       "Queries answered, by table and role.");
	for (i = 0; query_tables[i] != NULL; i++)
		for (j = ROLE_INSTITUTION; j <= ROLE_ANALYST; j++) {
			snprintf(l, sizeof(l), "table=\"%s\",role=\"%s\"",
				 query_tables[i], role_name((enum role)j));
			metrics_sample(m, "kuska_queries_total", l,
				       (double)c->queries[i][j]);
		}
	metrics_family(m, "kuska_handshake_failures_total", "counter",
		       "Connections refused by the ZAP handler.");
	metrics_sample(m, "kuska_handshake_failures_total", NULL,
		       (double)c->handshake_failures);
	metrics_family(m, "kuska_frames_refused_total", "counter",
		       "Whole frames refused (undecodable, too large, ...).");
	metrics_sample(m, "kuska_frames_refused_total", NULL,
		       (double)c->frames_refused);
	metrics_family(m, "kuska_connections", "gauge",
		       "Network peers connected now.");
	metrics_sample(m, "kuska_connections", NULL, (double)c->connections);
	metrics_family(m, "kuska_store_map_bytes", "gauge",
		       "Size of the LMDB map (grows up to max_map_size_mb).");
	metrics_sample(m, "kuska_store_map_bytes", NULL,
		       (double)store_map_size(c->st));
}

static void
render_metrics(void *arg, struct mtext *m)
{
	cons_metrics(arg, m);
}

static void
handle_control(struct cons *c, const struct tframes *req)
{
	struct control q, rep;
	uint8_t *buf;
	size_t len;
	int i;

	memset(&rep, 0, sizeof(rep));
	if (req->n != 2 ||
	    codec_control_decode(req->data[1], req->len[1], &q) != 0) {
		rep.type = CTL_ERROR;
		snprintf(rep.error, sizeof(rep.error), "malformed request");
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
			rep.cons.inst[i] = c->ig.inst[i];
			if (c->contact_ms[i] > rep.cons.inst[i].last_contact_ms)
				rep.cons.inst[i].last_contact_ms =
				    c->contact_ms[i];
		}
		rep.cons.now_ms = date_now_ms();
		rep.cons.alarm_silent_hours =
		    (uint32_t)c->cfg.alarm_silent_hours;
		rep.cons.handshake_failures = c->handshake_failures;
		rep.cons.frames_refused = c->frames_refused;
		codec_control_clear(&q);
	}
	if (req->n < 1 || codec_control_encode(&rep, &buf, &len) != 0) {
		codec_control_clear(&rep);
		return;
	}
	codec_control_clear(&rep);
	send_to(c->control, req, buf, len);
	free(buf);
}

static void
handle_query(struct cons *c, const struct tframes *req)
{
	const struct reg_party *p;
	struct query_req q;
	struct qtable tab;
	uint8_t *buf;
	size_t len;

	memset(&tab, 0, sizeof(tab));
	tab.k = (uint32_t)c->cfg.k;
	p = registry_party(c->reg, req->user_id);
	if (p == NULL) {
		snprintf(tab.error, sizeof(tab.error), "not registered");
	} else if (req->n != 2 ||
		   codec_query_req_decode(req->data[1], req->len[1], &q) != 0) {
		snprintf(tab.error, sizeof(tab.error), "malformed request");
		c->frames_refused++;
	} else {
		uint64_t t0 = date_mono_ms();
		int r = query_run(c->st, &q, p, (unsigned)c->cfg.k, &tab);
		int ti;
		for (ti = 0; query_tables[ti] != NULL && ti < 16; ti++)
			if (strcmp(q.table, query_tables[ti]) == 0)
				c->queries[ti][p->role]++;
		log_info("event=query who=%s role=%s table=%s period=%s "
			 "region=%u rows=%zu ms=%llu%s",
			 p->id, role_name(p->role), q.table, q.period, q.region,
			 tab.n_rows, (unsigned long long)(date_mono_ms() - t0),
			 r != 0 ? " refused=1" : "");
	}
	if (codec_qtable_encode(&tab, &buf, &len) == 0) {
		send_to(c->query, req, buf, len);
		free(buf);
	}
	codec_qtable_clear(&tab);
}

/*
 * SIGHUP: reads the config and the registry again. Either both are good
 * and the reloadable settings (k, alarms, limits, metrics, the map
 * ceiling) and the registry take effect, or nothing changes. Endpoints,
 * keys and the data directory need a restart.
 */
static void
reload(struct cons *c)
{
	struct consolidator_config cfg;
	struct registry *fresh = NULL;
	char err[512];

	if (config_load(c->conf_path, &settings_consolidator_schema, &cfg, err,
			sizeof(err)) != 0 ||
	    registry_load(cfg.registry, &fresh, err, sizeof(err)) != 0) {
		log_warnx("event=reload_refused %s (the configuration and "
			  "registry in force stay)",
			  err);
		return;
	}
	if (strcmp(cfg.listen, c->cfg.listen) != 0 ||
	    strcmp(cfg.query_listen, c->cfg.query_listen) != 0 ||
	    strcmp(cfg.control, c->cfg.control) != 0 ||
	    strcmp(cfg.data_dir, c->cfg.data_dir) != 0 ||
	    strcmp(cfg.key, c->cfg.key) != 0)
		log_warnx("event=reload endpoints, key and data_dir changes "
			  "take effect at the next restart");
	c->cfg.k = cfg.k;
	c->cfg.alarm_silent_hours = cfg.alarm_silent_hours;
	c->cfg.max_connections = cfg.max_connections;
	c->cfg.max_map_size_mb = cfg.max_map_size_mb;
	c->cfg.metrics_interval_s = cfg.metrics_interval_s;
	memcpy(c->cfg.metrics_file, cfg.metrics_file,
	       sizeof(c->cfg.metrics_file));
	memcpy(c->cfg.registry, cfg.registry, sizeof(c->cfg.registry));
	store_set_max(c->st, cfg.max_map_size_mb << 20);
	registry_free(&c->reg);
	c->reg = fresh;
	c->ig.reg = fresh;
	log_info("event=reload parties=%zu keys=%zu", fresh->n_parties,
		 fresh->n_keys);
}

/* Connection events of the network sockets. */
static void
on_monitor(struct cons *c, enum tevent ev, const char *addr)
{
	switch (ev) {
	case TEVENT_ACCEPTED:
		c->connections++;
		break;
	case TEVENT_DISCONNECTED:
		if (c->connections > 0)
			c->connections--;
		log_debug("event=disconnected address=%s", addr);
		break;
	case TEVENT_HANDSHAKE_FAILED:
		log_warnx("event=handshake_failed address=%s", addr);
		break;
	default:
		break;
	}
}

static void
run(struct cons *c)
{
	struct tsock *socks[6] = {c->zap,     c->ingest, c->ingest_mon,
				  c->control, c->query,	 c->query_mon};
	bool ready[6];

	while (!service_stopping()) {
		int r = tsock_poll(socks, 6, ready, TICK_MS);

		if (r < 0 && r != -EINTR)
			fatalx("poll: %s", strerror(-r));
		if (service_reload_requested())
			reload(c);
		if (r > 0 && ready[0])
			while (tsock_zap_serve(c->zap, zap_decide, c) !=
			       -EAGAIN)
				;
		if (r > 0 && ready[1]) {
			struct tframes f;
			int n;
			for (n = 0; n < 64; n++) {
				int rr = tsock_recv(c->ingest, &f, 3,
						    2 * CODEC_MAX_FRAME + 1024);
				if (rr == -EMSGSIZE) {
					c->frames_refused++;
					continue;
				}
				if (rr != 0)
					break;
				handle_ingest(c, &f);
				tframes_clear(&f);
				if (service_stopping())
					break;
			}
		}
		if (r > 0 && ready[2]) {
			enum tevent ev;
			char addr[256];
			while (tsock_monitor_read(c->ingest_mon, &ev, addr,
						  sizeof(addr)) == 0)
				on_monitor(c, ev, addr);
		}
		if (r > 0 && ready[3]) {
			struct tframes f;
			while (tsock_recv(c->control, &f, 3,
					  CONTROL_MAX_BYTES) == 0) {
				handle_control(c, &f);
				tframes_clear(&f);
			}
		}
		if (r > 0 && ready[4]) {
			struct tframes f;
			int n;
			for (n = 0; n < 16; n++) {
				int rr = tsock_recv(c->query, &f, 3, 64 * 1024);
				if (rr == -EMSGSIZE) {
					c->frames_refused++;
					continue;
				}
				if (rr != 0)
					break;
				handle_query(c, &f);
				tframes_clear(&f);
			}
		}
		if (r > 0 && ready[5]) {
			enum tevent ev;
			char addr[256];
			while (tsock_monitor_read(c->query_mon, &ev, addr,
						  sizeof(addr)) == 0)
				on_monitor(c, ev, addr);
		}
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
	    {NULL, 0, NULL, 0},
	};
	const char *conf = NULL;
	int ch, check = 0, debug = 0, audit = 0, rebuild = 0, err;
	char fp[17];

	memset(&c, 0, sizeof(c));
	while ((ch = getopt_long(argc, argv, "c:dn", opts, NULL)) != -1) {
		switch (ch) {
		case 'A':
			audit = 1;
			break;
		case 'R':
			rebuild = 1;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'n':
			check = 1;
			break;
		default:
			usage();
		}
	}
	if (conf == NULL || optind != argc)
		usage();
	log_init("kuska-consolidator", debug);
	if (keys_init() != 0)
		fatalx("cannot initialise libsodium");
	c.conf_path = conf;
	load(&c, conf);
	if (check) {
		config_print(stdout, &settings_consolidator_schema, &c.cfg);
		fprintf(stderr,
			"configuration OK (registry: %zu parties, %zu "
			"keys)\n",
			c.reg->n_parties, c.reg->n_keys);
		cons_free(&c);
		return 0;
	}
	if (!audit && lock_data_dir(c.cfg.data_dir) != 0)
		fatalx("%s: another kuska-consolidator is using this store "
		       "(stop it first)",
		       c.cfg.data_dir);
	err = store_open(c.cfg.data_dir, c.cfg.map_size_mb << 20,
			 c.cfg.max_map_size_mb << 20, &c.st);
	if (err != 0)
		fatalx("%s: cannot open the store: %s", c.cfg.data_dir,
		       strerror(-err));
	if (audit) {
		err = audit_run(c.st, c.reg, stdout);
		if (err < 0)
			fatalx("audit: %s", strerror(-err));
		printf("audit: %s\n", err == 0 ? "OK" : "FAILED");
		cons_free(&c);
		return err == 0 ? 0 : 1;
	}
	if (ingest_open(&c.ig, c.st, c.reg) != 0)
		fatalx("cannot read the store");
	if (rebuild) {
		uint64_t events = 0, skipped = 0, t0 = date_mono_ms();
		err = ingest_rebuild(&c.ig, &events, &skipped);
		if (err != 0)
			fatalx("rebuild: %s", strerror(-err));
		printf("rebuilt the statistics from %llu envelopes in %llu ms "
		       "(%llu left out: they no longer verify)\n",
		       (unsigned long long)events,
		       (unsigned long long)(date_mono_ms() - t0),
		       (unsigned long long)skipped);
		cons_free(&c);
		return skipped == 0 ? 0 : 1;
	}
	if (service_init() != 0)
		fatal("signals");
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
		struct tsock_limits lim = {.max_frame = 2 * CODEC_MAX_FRAME};
		c.ingest = tsock_bind_curve(c.t, c.cfg.listen, c.key->curve_sk,
					    "ingest", &lim, &err);
	}
	if (c.ingest == NULL)
		fatalx("%s: cannot bind: %s", c.cfg.listen, strerror(-err));
	c.ingest_mon = tsock_monitor(c.t, c.ingest, &err);
	if (c.ingest_mon == NULL)
		fatalx("socket monitor: %s", strerror(-err));
	c.control =
	    tsock_bind_local(c.t, c.cfg.control, CONTROL_MAX_BYTES, &err);
	if (c.control == NULL)
		fatalx("%s: cannot bind: %s", c.cfg.control, strerror(-err));
	{
		struct tsock_limits lim = {.max_frame = 64 * 1024};
		c.query =
		    tsock_bind_curve(c.t, c.cfg.query_listen, c.key->curve_sk,
				     "query", &lim, &err);
	}
	if (c.query == NULL)
		fatalx("%s: cannot bind: %s", c.cfg.query_listen,
		       strerror(-err));
	c.query_mon = tsock_monitor(c.t, c.query, &err);
	if (c.query_mon == NULL)
		fatalx("socket monitor: %s", strerror(-err));
	log_info("event=start listen=%s control=%s key=%s parties=%zu",
		 c.cfg.listen, c.cfg.control, log_hex8(c.key->key_id, fp),
		 c.reg->n_parties);
	service_ready("accepting events");
	run(&c);
	service_notify_stopping();
	log_info("event=stop");
	cons_free(&c);
	return 0;
}
