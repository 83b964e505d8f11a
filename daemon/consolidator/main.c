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
#include <unistd.h>

#include "audit.h"
#include "codec.h"
#include "date.h"
#include "ingest.h"
#include "keys.h"
#include "log.h"
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
	struct tsock *zap, *ingest, *ingest_mon, *control;
	uint64_t handshake_failures;
	uint64_t frames_refused;
	uint64_t contact_ms[INST_COUNT + 1]; /* last hello or batch */
};

static void
usage(void)
{
	fprintf(stderr, "usage: kuska-consolidator [-dn] -c FILE\n"
			"       kuska-consolidator --audit -c FILE\n");
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
	log_debug("event=auth_ok domain=%s address=%s key=%s owner=%s",
		  domain, address, k->name, k->owner->id);
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
		log_warnx("cannot encode a reply");
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
on_hello(struct cons *c, const struct tframes *req,
	 const struct reg_party *p, const struct msg *m)
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
on_batch(struct cons *c, const struct tframes *req,
	 const struct reg_party *p, const struct msg *m)
{
	struct msg reply;
	uint64_t before = c->ig.inst[p->inst].accepted;

	c->contact_ms[p->inst] = date_now_ms();
	(void)ingest_batch(&c->ig, p, m, c->contact_ms[p->inst], &reply);
	send_msg(c->ingest, req, &reply);
	if (reply.type == MSG_ACK) {
		log_debug("event=batch institution=%s batch=%llu accepted=%llu "
			  "refused=%zu last_seq=%llu",
			  p->id, (unsigned long long)m->batch_id,
			  (unsigned long long)(c->ig.inst[p->inst].accepted -
					       before),
			  reply.n_rejections,
			  (unsigned long long)reply.last_seq);
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
		return; /* not a DEALER speaking our protocol */
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
	} else if (q.type != CTL_STATUS) {
		rep.type = CTL_ERROR;
		snprintf(rep.error, sizeof(rep.error),
			 "the consolidator answers status requests only");
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
	if (req->n < 1 || codec_control_encode(&rep, &buf, &len) != 0)
		return;
	send_to(c->control, req, buf, len);
	free(buf);
}

static void
reload(struct cons *c)
{
	struct registry *fresh = NULL;
	char err[512];

	if (registry_load(c->cfg.registry, &fresh, err, sizeof(err)) != 0) {
		log_warnx("event=reload_refused %s (the registry in force "
			  "stays)",
			  err);
		return;
	}
	registry_free(&c->reg);
	c->reg = fresh;
	c->ig.reg = fresh;
	log_info("event=reload parties=%zu keys=%zu", fresh->n_parties,
		 fresh->n_keys);
}

static void
run(struct cons *c)
{
	struct tsock *socks[4] = {c->zap, c->ingest, c->ingest_mon,
				  c->control};
	bool ready[4];

	while (!service_stopping()) {
		int r = tsock_poll(socks, 4, ready, TICK_MS);

		if (r < 0 && r != -EINTR)
			fatalx("poll: %s", strerror(-r));
		if (service_reload_requested())
			reload(c);
		if (r > 0 && ready[0])
			while (tsock_zap_serve(c->zap, zap_decide, c) != -EAGAIN)
				;
		if (r > 0 && ready[1]) {
			struct tframes f;
			int n;
			for (n = 0; n < 64; n++) {
				int rr = tsock_recv(c->ingest, &f, 3,
						    CODEC_MAX_FRAME + 1024);
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
						  sizeof(addr)) == 0) {
				if (ev == TEVENT_HANDSHAKE_FAILED)
					log_warnx("event=handshake_failed "
						  "address=%s",
						  addr);
			}
		}
		if (r > 0 && ready[3]) {
			struct tframes f;
			while (tsock_recv(c->control, &f, 3,
					  CONTROL_MAX_BYTES) == 0) {
				handle_control(c, &f);
				tframes_clear(&f);
			}
		}
		service_watchdog(date_mono_ms());
	}
}

int
main(int argc, char **argv)
{
	struct cons c;
	static const struct option opts[] = {
		{"audit", no_argument, NULL, 'A'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL;
	int ch, check = 0, debug = 0, audit = 0, err;
	char fp[17];

	memset(&c, 0, sizeof(c));
	while ((ch = getopt_long(argc, argv, "c:dn", opts, NULL)) != -1) {
		switch (ch) {
		case 'A':
			audit = 1;
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
		fprintf(stderr, "configuration OK (registry: %zu parties, %zu "
				"keys)\n",
			c.reg->n_parties, c.reg->n_keys);
		return 0;
	}
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
		return err == 0 ? 0 : 1;
	}
	if (service_init() != 0)
		fatal("signals");
	if (ingest_open(&c.ig, c.st, c.reg) != 0)
		fatalx("cannot read the store");
	c.t = transport_new();
	if (c.t == NULL)
		fatal("zmq context");
	/* The ZAP handler must exist before any CURVE socket binds. */
	c.zap = tsock_zap(c.t, &err);
	if (c.zap == NULL)
		fatalx("ZAP handler: %s", strerror(-err));
	{
		struct tsock_limits lim = {.max_frame = CODEC_MAX_FRAME};
		c.ingest = tsock_bind_curve(c.t, c.cfg.listen, c.key->curve_sk,
					    "ingest", &lim, &err);
	}
	if (c.ingest == NULL)
		fatalx("%s: cannot bind: %s", c.cfg.listen, strerror(-err));
	c.ingest_mon = tsock_monitor(c.t, c.ingest, &err);
	if (c.ingest_mon == NULL)
		fatalx("socket monitor: %s", strerror(-err));
	c.control = tsock_bind_local(c.t, c.cfg.control, CONTROL_MAX_BYTES,
				     &err);
	if (c.control == NULL)
		fatalx("%s: cannot bind: %s", c.cfg.control, strerror(-err));
	log_info("event=start listen=%s control=%s key=%s parties=%zu",
		 c.cfg.listen, c.cfg.control, log_hex8(c.key->key_id, fp),
		 c.reg->n_parties);
	service_ready("accepting events");
	run(&c);
	service_notify_stopping();
	log_info("event=stop");
	tsock_free(&c.control);
	tsock_free(&c.ingest_mon);
	tsock_free(&c.ingest);
	tsock_free(&c.zap);
	transport_free(&c.t);
	store_close(&c.st);
	registry_free(&c.reg);
	keys_free(&c.key);
	return 0;
}
