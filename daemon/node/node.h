/*
 * node.h - the state of kuska-node, shared by its files: main.c (start,
 * loop, shutdown), control.c (the submit socket: submissions, status,
 * metrics) and start.c (the outbox's checks before work, --recover).
 */
#ifndef KUSKA_NODE_H
#define KUSKA_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deliver.h"
#include "holders.h"
#include "intake.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "registry.h"
#include "settings.h"
#include "submissions.h"
#include "transport.h"

#define SUBMIT_MAX_BYTES (64 * 1024 * 1024)
/* Frames of a submit request: routing id, header, and at most
 * CODEC_MAX_LINES lines (intake_submit takes no more). */
#define SUBMIT_MAX_FRAMES (CODEC_MAX_LINES + 2)
/* Requests that came during a submit and wait for it to end. */
#define DEFERRED_MAX 8
/* Earlier signing keys [node] previous_keys may hold. */
#define NODE_MAX_OLD_KEYS 64

struct node {
	struct node_config cfg;
	struct secret_key *key;
	struct key32 *linkage, *ref_key;
	struct public_key consolidator;
	/* The .pub files of [node] previous_keys: this node's earlier
	 * signing keys, which --recover accepts the signatures of. */
	struct public_key old_keys[NODE_MAX_OLD_KEYS];
	size_t n_old_keys;
	struct holders *holders;
	struct outbox *ob;
	struct transport *t;
	struct tsock *submit, *dealer, *monitor;
	struct intake intake;
	struct deliver deliver;
	struct grants grants; /* what the institution may emit */
	struct submissions subs; /* for kuska status */
	uint64_t started_ms;
	/* During a submit, status and metrics are answered at once (serve);
	 * other requests wait here, in order, with their raw lines. */
	struct tframes deferred[DEFERRED_MAX];
	size_t n_deferred;
	uint64_t backlog_warned_ms;
	uint64_t metrics_written_ms;
	/* Lines of requests over the submit socket's limits: any local
	 * user of its group can send them. */
	struct log_budget submit_log;
	/* What a status request could not read (event=epoch_records_unread):
	 * any local user of that group can ask as often as it likes. */
	struct log_budget status_log;
};

/* control.c */

/*
 * node_take_submit - handles one request a pass: the oldest kept during a
 * submit, else, when the submit socket is readable, one read from it (a
 * request over its limits is refused). Its raw lines are wiped after.
 */
void node_take_submit(struct node *n, bool readable);

/*
 * node_serve_busy - intake's and the key holders' serve: while a submit
 * is handled, answers the status and metrics requests waiting on the
 * submit socket, keeps the others for after it, and pets the watchdog.
 * Returns 0, or -EAGAIN when a request waits that there is no room to
 * keep.
 */
int node_serve_busy(void *arg);

/* node_drop_deferred - wipes and frees the requests kept, unanswered. */
void node_drop_deferred(struct node *n);

/*
 * node_render_metrics - the node's metrics (arg is the struct node) in
 * the Prometheus text format; a metrics_export callback.
 */
void node_render_metrics(void *arg, struct mtext *m);

/* node_check_backlog - logs, at most hourly, when events wait longer
 * than the alarm; while the outbox is diverged, that instead (nothing is
 * delivered until kuska-node --recover, whatever the events' age). */
void node_check_backlog(struct node *n, uint64_t mono);

/* start.c */

/*
 * node_check_outbox - the whole outbox's check, begun by
 * outbox_check_start(dir) before any thread, finished before the node
 * works from it (outbox_check_finish: *chk is freed). Returns 0 when it
 * is sound; otherwise says what is damaged and what to do, and returns 1.
 */
int node_check_outbox(struct outbox_checking **chk, const char *dir,
		      const char *conf);

/*
 * node_check_owner - an outbox copied from another institution's node
 * would be delivered under this node's name, and refused batch after
 * batch; or, with --recover, set aside for the wrong reason. Its first
 * envelope says whose it is: refuse to start then. Another network is
 * only said: a network mistyped and then corrected leaves envelopes of
 * the typo in the outbox for good, which the consolidator refuses one by
 * one (wrong_network dead letters) while the rest goes on.
 */
void node_check_owner(struct node *n, const char *conf);

/*
 * node_check_ref_key - a ref key other than the one the outbox's records
 * were named with (a key file lost and made again, another node's) names
 * every resubmitted record anew: each would be stored, and counted,
 * twice. Refuse it.
 */
void node_check_ref_key(struct node *n, const char *conf);

/*
 * node_lock_outbox - takes the outbox's directory for this process, and
 * says so when it did not exist: a node with a mistyped data_dir starts
 * from an empty outbox, which the consolidator's copy no longer matches.
 */
void node_lock_outbox(struct node *n, const char *conf, bool recovering);

/*
 * node_recover - kuska-node --recover: see recover.h. Frees the keys;
 * returns the exit status.
 */
int node_recover(struct node *n);

#endif
