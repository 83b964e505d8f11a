/*
 * peers.h - who may connect to kuska-consolidator: the ZAP verdict on
 * each CURVE handshake, and the count of connected peers kept from the
 * sockets' monitor events.
 */
#ifndef KUSKA_PEERS_H
#define KUSKA_PEERS_H

#include <stddef.h>
#include <stdint.h>

#include "cons.h"

/*
 * zap_decide - the ZAP callback (arg is the struct cons): admits a
 * transport key registered and valid now, and only an institution's on
 * the "ingest" domain, while fewer than max_connections peers are
 * connected. Writes the owner's id into user_id (cap bytes). Returns 0 to
 * admit, -1 to refuse (logged and counted in handshake_failures).
 */
int zap_decide(void *arg, const char *domain, const char *address,
	       const uint8_t key[TRANSPORT_KEY_LEN], char *user_id, size_t cap);

/* on_monitor - counts a connect or disconnect ev of the peer at addr. */
void on_monitor(struct cons *c, enum tevent ev, const char *addr);

#endif
