/*
 * ingest_net.h - the consolidator's ingest socket: the messages a node
 * sends (hello, batch) and the answers or refusals it gets. What a batch
 * does to the store is ingest.h's business.
 */
#ifndef KUSKA_INGEST_NET_H
#define KUSKA_INGEST_NET_H

#include "cons.h"

/*
 * handle_ingest - answers one request req read from the ingest socket:
 * a welcome to a hello, an ack or refusal to a batch, a refusal with a
 * reason to anything else (counted in frames_refused).
 */
void handle_ingest(struct cons *c, struct tframes *req);

#endif
