/*
 * peers.h - who may connect to kuska-consolidator and who is speaking:
 * the ZAP verdict on each CURVE handshake, the key behind each message,
 * and the connections (an admit table, lib/admit.h) fed from the
 * sockets' monitor events.
 *
 * The ZAP user id of a connection names the key it authenticated with:
 * "PARTY/KEY/FINGERPRINT" (the owner's id, the [key] section's name, the
 * first 8 bytes of its transport key in hex; registry_user_id), so that
 * every message can be judged by the registry in force now, not the one
 * of the handshake (registry_by_user_id).
 */
#ifndef KUSKA_PEERS_H
#define KUSKA_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cons.h"

/*
 * zap_decide - the ZAP callback (arg is the struct cons): admits a
 * transport key registered and valid now (registry_key_admits), and only
 * an institution's on the "ingest" domain, while fewer than
 * max_connections peers hold a connection and fewer than per_key_bound()
 * of the same key (admit_refusal). Writes the user id above into user_id
 * (cap bytes). Returns 0 to admit, -1 to refuse
 * (counted in handshake_failures, logged within a budget). Called on the
 * main thread only: its budgets are not locked.
 */
int zap_decide(void *arg, const char *domain, const char *address,
	       const uint8_t key[TRANSPORT_KEY_LEN], char *user_id, size_t cap);

/*
 * peers_serve_zap - answers the ZAP requests waiting (zap_decide), at
 * most PEERS_ZAP_MAX_PER_CALL, the rest at the next call; returns how
 * many. Bounded: anyone with the consolidator's public key can open
 * handshakes without end, and the main loop must come back to the
 * nodes' messages, the control socket and the watchdog.
 */
#define PEERS_ZAP_MAX_PER_CALL 64
size_t peers_serve_zap(struct cons *c);

/* per_key_bound - max_connections_per_key, at most max_connections. */
unsigned long per_key_bound(const struct consolidator_config *cfg);

/*
 * peer_message - a message came on req's connection: it is a peer (see
 * admit_message). Its key's peers over per_key_bound() are closed, the
 * oldest first, and logged within a budget. Returns the connection's
 * admit_id (0: none known), for peer_refused.
 */
uint64_t peer_message(struct cons *c, const struct tframes *req);

/*
 * peer_refused - a message whose key is no longer valid, or not for this
 * socket, was refused on connection fd, whose admit_id was id when the
 * message was read (peer_message): the connection is closed shortly,
 * REFUSED_CLOSE_MS from now (room for the refusal just sent to go out),
 * if fd still holds it then. Call it once the refusal is sent.
 */
void peer_refused(struct cons *c, int fd, uint64_t id);

/*
 * peer_read - a request was just read on the query socket: peer_message.
 * Returns the connection's admit_id (0: none known), and in *ret_refused
 * whether its key is no longer valid or is a node's: for peer_refused
 * once its refusal is sent, whenever that is (the query thread may
 * answer it seconds later, after an audit). Judged as it is read, while req->fd
 * still names its connection (libzmq took it off that connection a moment
 * before), not when it is answered: by then its connection may be gone and its
 * descriptor another's, the lowest free one going to the next connection
 * made; the id tells them apart. Takes conf_lock for reading; called by
 * the query socket's reader thread.
 */
uint64_t peer_read(struct cons *c, const struct tframes *req,
		   bool *ret_refused);

/*
 * peers_revalidate - after a reload: closes every connection whose key
 * the new registry no longer admits, logging each, and returns how many;
 * then those of a key over a lowered max_connections_per_key (logged).
 */
size_t peers_revalidate(struct cons *c);

/* on_monitor - takes a monitor event of one of the network sockets. */
void on_monitor(struct cons *c, const struct tmon_event *ev);

/*
 * peers_read_monitors - reads every waiting event of both network
 * sockets' monitors (on_monitor).
 */
void peers_read_monitors(struct cons *c);

/*
 * peers_tick - closes what is due (see admit_tick); logs, at most every
 * 10 s, how many anonymous connections were closed over a bound and how
 * many handshakes failed.
 */
void peers_tick(struct cons *c);

#endif
