/*
 * cons.h - the state kuska-consolidator's socket handlers share (main.c
 * builds it; peers.c, ingest_net.c, control.c and query_net.c act on it),
 * and the one way they answer a request.
 */
#ifndef KUSKA_CONS_H
#define KUSKA_CONS_H

#include <stddef.h>
#include <stdint.h>

#include "admit.h"
#include "ingest.h"
#include "keys.h"
#include "metrics.h"
#include "registry.h"
#include "settings.h"
#include "store.h"
#include "transport.h"

struct indset; /* indfile.h */
struct popset; /* popfile.h */

struct cons {
	const char *conf_path;
	struct consolidator_config cfg;
	struct secret_key *key;
	struct registry *reg;
	struct indset *indicators; /* in force; NULL: none configured */
	struct popset *population; /* in force; NULL: none configured */
	struct store *st;
	struct ingest ig;
	struct transport *t;
	struct tsock *zap, *ingest, *ingest_mon, *control, *query;
	struct tsock *query_mon;
	uint64_t handshake_failures;
	uint64_t frames_refused;
	uint64_t contact_ms[INST_COUNT + 1]; /* last hello or batch */
	/* Heard at the last hello: the node found our copy is not its
	 * outbox's; its clock minus ours. */
	bool diverged[INST_COUNT + 1];
	bool has_skew[INST_COUNT + 1];
	int64_t skew_ms[INST_COUNT + 1];
	struct mhist commit;			/* batch latency, seconds */
	uint64_t queries[16][ROLE_ANALYST + 1]; /* by table and role */
	struct admit *admit; /* connections of both network sockets */
	uint64_t closed_since_log, handshakes_failed_since_log;
	uint64_t closed_logged_ms; /* monotonic */
	uint64_t metrics_written_ms;
};

/*
 * send_to - answers req (its routing id) on socket s with the len bytes of
 * buf. A reply that cannot be delivered is logged at debug and dropped.
 */
void send_to(struct tsock *s, const struct tframes *req, const uint8_t *buf,
	     size_t len);

#endif
