/*
 * query_reader.h - the thread that alone reads and writes the query
 * socket, so that libzmq is read whatever the query thread (query_net.c)
 * is doing, and the requests waiting are held to bounds of ours.
 *
 * libzmq 4.3.4 aborts on the end of a connection it stopped reading at
 * ZMQ_RCVHWM (docs/SECURITY.md, "Hostile peers"). The query thread, busy
 * with an answer or an audit, could not read at every instant; this
 * thread only receives (a copy), queues, refuses and sends, each a few
 * microseconds, so the socket is opened with ZMQ_RCVHWM lifted
 * (tsock_limits.rcv_unbounded) and what libzmq keeps is bounded by this
 * thread's scheduling gaps times a flood's rate. What it keeps itself:
 * QUERY_READER_CONN_MAX requests a connection (routing id),
 * QUERY_READER_MAX and QUERY_READER_MAX_BYTES in all, and past those
 * QUERY_READER_SPARE and QUERY_READER_SPARE_BYTES more for connections
 * with none waiting (another's flood does not refuse a client asking one
 * table at a time). A request past
 * them is refused at once (CODEC_QUERY_CROWDED; CODEC_QUERY_STOPPING once
 * query_reader_stopping was called), up to QUERY_READER_REFUSE_MAX a
 * pass; past those it is dropped unanswered (a read and a free), its
 * client left to its time-out.
 */
#ifndef KUSKA_QUERY_READER_H
#define KUSKA_QUERY_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cons.h"
#include "transport.h"

/* Requests waiting, per connection: a client asks one table at a time
 * and waits for it (kuska query, kuska report); as many as the query
 * thread holds during an audit (HELD_MAX). */
#define QUERY_READER_CONN_MAX 16
/* In all: 64 connections each with its 16. */
#define QUERY_READER_MAX 1024
/* Their frames' bytes in all (a request is at most 64 KiB). */
#define QUERY_READER_MAX_BYTES (16 * 1024 * 1024)
/* Past QUERY_READER_MAX or QUERY_READER_MAX_BYTES, a request from a
 * connection with none waiting is still kept, up to these more: kuska
 * query and kuska report ask one table at a time, each on a connection of
 * its own, and a flood's connections, each with its 16 waiting, would
 * otherwise have them refused as busy (64 connections fill the 1,024;
 * 256 more, each with one waiting, fill these: max_connections is 256 by
 * default). */
#define QUERY_READER_SPARE 256
#define QUERY_READER_SPARE_BYTES (4 * 1024 * 1024)
/* Messages read in one pass before the answers are sent. */
#define QUERY_READER_READ_MAX 4096
/* Refusals sent in one pass at most; the rest of the pass's surplus is
 * dropped unanswered. */
#define QUERY_READER_REFUSE_MAX 256
/* Its name (pthread_setname_np). */
#define QUERY_READER_THREAD_NAME "kuska-qread"

struct query_reader;

/*
 * query_reader_start - starts the reader thread on socket s (c->query:
 * from now on the reader's alone, until query_reader_stop), reading
 * requests of at most max_parts frames and max_bytes in all (over them:
 * tsock_recv's -EMSGSIZE, handed on too_large when the routing id was
 * kept, else dropped and counted in c->frames_refused). k: the k of the
 * refusals' tables. Counts its busy refusals in c->queries_refused_busy,
 * those it drops in c->queries_dropped. Each request's connection is
 * judged as it is read (peer_read: its tframes.conn_id, and close_after
 * when its key is refused) and closed shortly after the request is answered or
 * refused, or at once when it is dropped. Returns the reader, or NULL with
 * *ret_err = -errno.
 */
struct query_reader *query_reader_start(struct cons *c, struct tsock *s,
					size_t max_parts, size_t max_bytes,
					uint32_t k, int *ret_err);

/*
 * query_reader_stop - sends the answers handed to it, stops the thread
 * and frees *r (NULL accepted; the pointer cleared): the requests it had
 * not handed on are refused (CODEC_QUERY_STOPPING) once
 * query_reader_stopping was called, else dropped. When any stopping
 * refusal went out (its own, or query_reader_refused_stopping), the
 * thread first reads on for the linger query_reader_stopping gave,
 * refusing what comes, and the socket keeps what it has to send up to
 * that linger after its close. The socket is the caller's again.
 */
void query_reader_stop(struct query_reader **r);

/*
 * query_reader_fd - a descriptor readable while a request waits for
 * query_reader_take (poll it; do not read it).
 */
int query_reader_fd(const struct query_reader *r);

/*
 * query_reader_take - the next request waiting, its connections taken in
 * turn, into *ret (the caller clears it), and whether it was over the
 * size limits (*ret_too_large: its routing id alone, as tsock_recv keeps
 * it). Returns 0, or -EAGAIN when none waits.
 */
int query_reader_take(struct query_reader *r, struct tframes *ret,
		      bool *ret_too_large);

/*
 * query_reader_answer - has the len bytes of buf (copied) sent to req's
 * connection (its routing id). What cannot go out is dropped, as
 * send_to does. Once it is sent, a connection the reader refused as it
 * read req (peer_read: req->close_after), or whose refusal buf is (close:
 * its key no longer valid at its turn), is closed shortly (peer_refused)
 * if it is still req's (req->conn_id), so that the refusal goes out
 * first, however long req waited.
 */
void query_reader_answer(struct query_reader *r, const struct tframes *req,
			 const uint8_t *buf, size_t len, bool close);

/*
 * query_reader_stopping - from now on the requests past the bounds are
 * refused with CODEC_QUERY_STOPPING (the query thread stops), not counted
 * as busy; linger_ms: the stop's linger (query_reader_stop).
 */
void query_reader_stopping(struct query_reader *r, int linger_ms);

/*
 * query_reader_refused_stopping - the caller handed over stopping
 * refusals (query_reader_answer): the reader lingers at its stop
 * (query_reader_stop), as for its own. The query thread's alone: it does
 * not wait itself.
 */
void query_reader_refused_stopping(struct query_reader *r);

#endif
