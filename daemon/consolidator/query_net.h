/*
 * query_net.h - the consolidator's query socket: a request in, a table
 * out (the tables themselves are query.h's business), counted by table
 * and role, on a thread of its own (cons.h says what it shares), so that
 * a query that takes long holds up other queries only, never status.
 */
#ifndef KUSKA_QUERY_NET_H
#define KUSKA_QUERY_NET_H

#include "cons.h"

/*
 * query_net_start - starts the query thread and the query socket's reader
 * (query_reader.h), which from then on owns c->query (the main thread
 * must not touch it); the query thread answers each request it hands on
 * with a table, or a table carrying the error (not registered,
 * malformed). Returns 0 or -errno.
 *
 * query_net_stop - stops it once the request in hand is answered (those
 * held or still unread are refused, CODEC_QUERY_STOPPING), and waits for
 * it, then for the reader to send what it was handed; does nothing if it
 * was not started.
 */
/* The query thread's name (pthread_setname_np). */
#define QUERY_THREAD_NAME "kuska-query"

int query_net_start(struct cons *c) __attribute__((warn_unused_result));
void query_net_stop(struct cons *c);

#endif
