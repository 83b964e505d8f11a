/*
 * keyholder.h - the state of kuska-keyholder, shared by its files:
 * main.c (start, loop, SIGHUP), serve.c (ZAP, OPRF requests) and
 * control.c (status and metrics).
 */
#ifndef KUSKA_KEYHOLDER_H
#define KUSKA_KEYHOLDER_H

#include <stdbool.h>
#include <stdint.h>

#include "account.h"
#include "admit.h"
#include "keys.h"
#include "metrics.h"
#include "registry.h"
#include "settings.h"
#include "transport.h"

struct keyholder {
	struct keyholder_config cfg;
	const char *conf_path;
	struct secret_key *key; /* its transport pair (CURVE server) */
	struct key32 *share;	/* its OPRF key share and key epoch */
	struct registry *reg;	/* which node keys it admits */
	struct transport *t;
	struct tsock *zap, *listen, *mon, *control;
	unsigned workers;
	struct accounts acc;
	uint64_t handshake_failures;   /* connections ZAP refused */
	uint64_t requests_refused;     /* whole requests refused */
	uint64_t frames_refused;       /* messages of no admitted node */
	uint64_t control_refused;      /* control requests (answered) */
	struct log_budget invalid_log; /* lines of key_not_valid refusals */
	/* Lines of handshakes ZAP refused (keyholder_zap, on the main
	 * thread): anyone with our public key can open connections with
	 * fresh keys at will. Keys the registry names (revoked, expired, a
	 * client's) have a budget of their own, so that a flood of unknown
	 * keys cannot hide them. */
	struct log_budget auth_log, auth_known_log;
	struct log_budget failed_log;  /* lines of failed handshakes */
	struct log_budget control_log; /* lines of oversized control requests */
	struct log_budget save_log;    /* lines of accounts not saved */
	/* The connections of the listening socket and their bounds (the
	 * config's max_connections and the like, lib/admit.h): one stolen
	 * node key cannot hold them all, nor can anonymous ones. */
	struct admit *admit;
	struct admit_limits lim;
	struct log_budget per_key_log; /* lines of peers closed per key */
	uint64_t closed_since_log;     /* anonymous closed, not yet logged */
	uint64_t closed_logged_ms;
	uint64_t metrics_written_ms;
};

/* serve.c */

/*
 * The ZAP verdict: institution keys of the registry valid now only, while
 * fewer than max_connections peers are connected and fewer than
 * max_connections_per_key of the same key (admit_refusal). A
 * refusal is counted in handshake_failures and logged within a budget;
 * called on the main thread only, the budgets are not locked.
 */
int keyholder_zap(void *arg, const char *domain, const char *address,
		  const uint8_t key[TRANSPORT_KEY_LEN], char *user_id,
		  size_t cap);

/*
 * keyholder_serve - answers one request of the listening socket (frames:
 * routing id, payload; f->user_id the node, f->fd its connection): counts
 * the connection a peer (admit_message: its key's peers over the bound
 * are closed, the oldest first, and logged), checks the request, takes the
 * elements from the node's allowance, evaluates them with the share and
 * replies; or refuses it with a status and a reason.
 */
void keyholder_serve(struct keyholder *kh, const struct tframes *f);

/*
 * keyholder_refuse_large - a message of the listening socket over its
 * limits (more than max_batch elements, or more than one frame), which
 * tsock_recv dropped: f holds its routing id and the head of its request,
 * where the request id is read. Judged as keyholder_serve judges a
 * request, then refused too_large, so that the node learns why rather
 * than waiting for an answer.
 */
void keyholder_refuse_large(struct keyholder *kh, const struct tframes *f);

/*
 * keyholder_audit_flush - writes each node's event=evaluated line that
 * was held back (evaluations summed within a minute) once its minute is
 * over, or at once when all (at stop); called from the main loop.
 */
void keyholder_audit_flush(struct keyholder *kh, uint64_t mono_ms, bool all);

/* control.c */

/*
 * keyholder_control - answers kuska status / kuska metrics (arg is the
 * struct keyholder); a daemon_control_serve callback. Returns 0, or
 * -EBADMSG for a malformed request.
 */
int keyholder_control(void *arg, const struct tframes *f);

/* keyholder_metrics - the key holder's metrics, Prometheus text. */
void keyholder_metrics(void *arg, struct mtext *m);

#endif
