/*
 * query_net.h - the consolidator's query socket: a request in, a table
 * out (the tables themselves are query.h's business), counted by table
 * and role.
 */
#ifndef KUSKA_QUERY_NET_H
#define KUSKA_QUERY_NET_H

#include "cons.h"

/*
 * handle_query - answers one request req read from the query socket with
 * a table, or a table carrying the error (not registered, malformed).
 */
void handle_query(struct cons *c, const struct tframes *req);

#endif
