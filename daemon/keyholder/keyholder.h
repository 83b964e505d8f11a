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

/* A request read and judged, waiting its turn (intake.c). */
struct kh_request;

/* The requests of one node waiting their turn, oldest first. */
struct kh_line {
	struct kh_request *head, *tail;
	size_t n, bytes;
};

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
	/* The last failed write of accounts (wall ms; 0 once one succeeds)
	 * and its -errno, for kuska status; requests refused for it. */
	uint64_t accounts_failed_ms;
	int accounts_error;
	uint64_t accounts_refused;
	/* The connections of the listening socket and their bounds (the
	 * config's max_connections and the like, lib/admit.h): one stolen
	 * node key cannot hold them all, nor can anonymous ones. */
	struct admit *admit;
	struct admit_limits lim;
	struct log_budget per_key_log; /* lines of peers closed per key */
	uint64_t closed_since_log;     /* anonymous closed, not yet logged */
	uint64_t closed_logged_ms;
	uint64_t metrics_written_ms;
	/* The requests read and not yet answered, by account (intake.c):
	 * the listening socket is read whole at every pass and between
	 * chunks of an evaluation, so that libzmq never stops reading a
	 * connection (docs/SECURITY.md, "Hostile peers"). */
	struct kh_line waiting[ACCOUNT_MAX];
	size_t n_waiting, waiting_bytes; /* in all */
	size_t turn;			 /* the account looked at next */
	size_t max_request_bytes;	 /* of a request of max_batch */
	uint64_t requests_busy;		 /* refused at once: too many wait */
	uint64_t requests_dropped;	 /* past those, dropped unanswered */
	struct log_budget busy_log;	 /* lines of requests_busy */
};

/* serve.c */

/*
 * The ZAP verdict: institution keys of the registry valid now only, while
 * fewer than max_connections peers are connected and fewer than
 * max_connections_per_key of the same key (admit_refusal): refused
 * -EBUSY then (ZAP 500), so that the node tells a bound reached, which
 * passes, from its key not registered (400), which its operator must add.
 * A refusal is counted in handshake_failures and logged within a budget;
 * called on the main thread only, the budgets are not locked.
 */
int keyholder_zap(void *arg, const char *domain, const char *address,
		  const uint8_t key[TRANSPORT_KEY_LEN], char *user_id,
		  size_t cap);

/*
 * keyholder_sender - judges a message of the listening socket as it is
 * read (frames: routing id, payload; f->user_id the node, f->fd its
 * connection): counts the connection a peer (admit_message: its key's
 * peers over the bound are closed, the oldest first, and logged), and
 * returns the account of its node, or NULL when it is no request of a
 * node the registry admits now (counted; a key no longer valid is
 * answered not_authorized and its connection closed soon after).
 */
struct account *keyholder_sender(struct keyholder *kh, const struct tframes *f);

/*
 * keyholder_evaluate - answers a request keyholder_sender judged to be
 * a's: refuses it not_authorized, logged, when its key is no longer valid
 * (a reload, or a revocation's time passed, while it waited), and closes
 * its connection soon after if f->conn_id (the admit_id of f->fd as it
 * was read) still names it; else checks it, takes the elements from the
 * node's allowance, evaluates them with the share (reading the listening
 * socket between chunks, keyholder_intake) and replies; or refuses it
 * with a status and a reason.
 */
void keyholder_evaluate(struct keyholder *kh, struct account *a,
			const struct tframes *f);

/*
 * keyholder_refuse_busy - answers the request f (of two frames) at once,
 * unread, as refused rate_limited: "the key holder is busy", waiting
 * requests of its node waiting already; counted in requests_busy.
 */
void keyholder_refuse_busy(struct keyholder *kh, const struct tframes *f,
			   size_t waiting);

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

/*
 * keyholder_rate_flush - says each node's rate refusals that its
 * event=rate_limited lines held back (one a minute a node), in an
 * event=rate_limited_unlogged line once the minute of its last line is
 * over, or at once when all (at stop), and writes the accounts with it;
 * called from the main loop.
 */
void keyholder_rate_flush(struct keyholder *kh, uint64_t mono_ms, bool all);

/* intake.c */

/*
 * The requests a node may have waiting, and all nodes together; past
 * them a request is refused at once as busy, up to KH_BUSY_PER_PASS in
 * a read of the socket, and dropped unanswered past that.
 */
#define KH_WAIT_PER_NODE 256
#define KH_WAIT_NODE_BYTES (4u << 20)
#define KH_WAIT_MAX 1024
#define KH_WAIT_BYTES (32u << 20)
#define KH_BUSY_PER_PASS 256

/*
 * keyholder_intake - reads every message the listening socket holds:
 * each is judged (keyholder_sender, keyholder_refuse_large) and, a
 * node's request, set waiting in its node's line, or past the bounds
 * above refused as busy or dropped. Called at every pass of the loop and
 * between chunks of an evaluation.
 */
void keyholder_intake(struct keyholder *kh);

/*
 * keyholder_serve_next - evaluates the oldest waiting request of the
 * next node in turn that has one (keyholder_evaluate), and frees it.
 * Returns whether requests still wait.
 */
bool keyholder_serve_next(struct keyholder *kh);

/* keyholder_waiting_free - frees every waiting request, unanswered. */
void keyholder_waiting_free(struct keyholder *kh);

/* control.c */

/*
 * keyholder_control - answers kuska status / kuska metrics (arg is the
 * struct keyholder); a daemon_control_serve callback. Returns 0, or
 * -EBADMSG for a malformed request.
 */
int keyholder_control(void *arg, const struct tframes *f);

/*
 * keyholder_control_serve - answers the requests waiting on the control
 * socket (daemon_control_serve, a bounded number a call) and feeds the
 * systemd watchdog when due: at each pass of the loop and between chunks
 * of an evaluation, when no worker runs, so that kuska status is answered
 * and the watchdog fed during a batch of seconds.
 */
void keyholder_control_serve(struct keyholder *kh);

/* keyholder_metrics - the key holder's metrics, Prometheus text. */
void keyholder_metrics(void *arg, struct mtext *m);

#endif
