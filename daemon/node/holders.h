/*
 * holders.h - the node's side of the key holders: one CURVE DEALER per
 * holder (the node's transport key; each holder's ZAP admits registered
 * institution keys only), a blinded batch out to every holder, their
 * evaluations back, added together.
 *
 * holders_recv waits for the answers (up to the configured time-out), so
 * the node's loop stands still meanwhile, but for the socket given to
 * holders_set_serve: submissions are handled one at a time anyway, status
 * requests are answered in the wait, and ZeroMQ keeps the consolidator's
 * connection alive on its own threads.
 */
#ifndef KUSKA_HOLDERS_H
#define KUSKA_HOLDERS_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "settings.h"
#include "transport.h"

/*
 * The most elements the node puts in one request, whatever a holder
 * takes: each request hides PSEUDO_CHECK_ELEMENTS check elements, and a
 * holder telling the default max_batch (65,536) had a round of up to
 * 4,096 identities go in one request, its 2 checks then catching a holder
 * that applies another key to one element once in 2,049 times.
 * 256 spends 2 elements of 256 on checks (0.8% of the allowance) and
 * hides 34 in a round of 4,096 (docs/SECURITY.md).
 */
#define HOLDERS_MAX_REQUEST 256
/*
 * Replies a holder sent that nothing waits for, read and dropped in one
 * call of holders_tick, the rest at the next pass of the node's loop
 * (which wakes for them): a holder sending without end would otherwise
 * hold the loop there (no delivery, no status answered, no watchdog fed).
 */
#define HOLDERS_DRAIN_MAX 1024
/*
 * Replies of a holder read in a row none of which was taken (an answer to
 * a piece of the round in flight, or to the hello) before the node drops
 * the connection, and what libzmq holds of it, and dials again on a new
 * socket (event=keyholder_flood): a holder's key can send faster than the node
 * reads, and libzmq's queue (ZMQ_RCVHWM lifted) would hold the
 * difference without bound. Late answers (of rounds that timed out, or
 * failed at another holder before they were read) are not counted, as
 * long as they answer requests sent on that connection and not answered
 * yet: a genuine holder sends nothing else, and a hostile one gains at
 * most as many replies as it was sent requests.
 */
#define HOLDERS_FLOOD_MAX 4096

struct holders;

/*
 * holders_new - connects to every key holder of cfg (read from the file
 * conf_path) with the node's transport pair, reading each one's public
 * key file again. Returns the set, or NULL with a sentence in err that
 * names the config's file, line and key ("FILE:LINE: [node]
 * keyholder2_key: ...").
 */
struct holders *holders_new(struct transport *t, const struct node_config *cfg,
			    const char *conf_path, const struct secret_key *key,
			    char *err, size_t errlen);

/* holders_free - closes the sockets; accepts NULL; clears the pointer. */
void holders_free(struct holders **h);

/* holders_count - how many key holders there are. */
size_t holders_count(const struct holders *h);

/*
 * holders_socket - the socket of key holder i (i < holders_count), for
 * the node's loop to wake when it has replies for holders_tick to read;
 * the holders' own, valid until holders_free (a flood's cut replaces
 * the socket in the same struct).
 */
struct tsock *holders_socket(const struct holders *h, size_t i);

/*
 * holders_send - sends n blinded elements (n * 32 bytes) to every key
 * holder, as a new round (an earlier one not yet answered is abandoned;
 * its late answers are dropped), in requests of per_request elements
 * each, the last one shorter (0: one request). The answers are taken by
 * holders_recv, meanwhile the node may do other work; elements stay in
 * place until then. Returns 0, -EINVAL (no elements), -EACCES with a
 * sentence naming the holder in why (it refused this node's key at the
 * handshake: not in its registry or not yet valid there, its operator
 * must add it; revoked or expired, the node needs a new key), or
 * -EHOSTUNREACH with one (not connected within a few seconds, turned
 * away at the holder's connection limit, its key refused by a holder
 * that admitted it before, which a holder before 0.4.0 does at its
 * connection limit too, or its connection was cut for a flood and no new
 * socket can be made: none is sent on the flooded one).
 *
 * holders_recv - waits for every holder's answers to the round sent, up
 * to keyholder_timeout_s after it was sent, and writes their sum into out
 * (n * 32 bytes, n as sent). Returns 0, or with a sentence in why:
 * -ETIMEDOUT (no answer in time), -EHOSTUNREACH (the connection dropped,
 * or the node dropped it: HOLDERS_FLOOD_MAX replies in a row nothing
 * asked for),
 * -EAGAIN (the node's allowance is spent for now), -EDQUOT (a request
 * over the holder's whole rate_per_day), -ESTALE (the holder works in
 * another key epoch), -E2BIG (a holder refused a request as too large,
 * telling a smaller max_batch, which holders_request_max gives from now
 * on: ask again in smaller requests), -EBUSY (refused as too large
 * within the max_batch it told: the holder short of memory, the next
 * request may pass), -EPROTO (a malformed or refused
 * answer, or an older holder, which answered the node's hello with no
 * max_batch, gone mid-request).
 * -EACCES, -EDQUOT, -ESTALE and -EPROTO recur at every request until someone
 * changes a configuration, and why says who and what.
 *
 * holders_request_max - the most elements one request may carry: the
 * least of HOLDERS_MAX_REQUEST and the max_batch the holders told (in
 * their answer to the node's hello, or in a too_large refusal; answers
 * waiting are read first). Never 0.
 *
 * Their signatures are intake's (arg is the struct holders).
 */
/*
 * holders_set_serve - while holders_recv waits, it also wakes when a
 * message waits on socket also, and then calls serve(arg), which must not
 * use the key holders and returns 0, or -EAGAIN when it cannot take what
 * waits (also is then not waited for until the next holders_recv).
 */
void holders_set_serve(struct holders *h, struct tsock *also,
		       int (*serve)(void *arg), void *arg);

/*
 * holders_tick - reads what each holder's connection did, and says hello
 * (a request of no elements) on each new one: a key holder counts a
 * connection as a node's only once it has spoken, and closes idle ones
 * first when strangers crowd it (admit.h). Called from the node's loop,
 * which wakes when a holder's socket has replies: they are read and
 * dropped here, HOLDERS_DRAIN_MAX a call and holder.
 */
void holders_tick(struct holders *h);

/*
 * holders_unreached - how many key holders are not connected now (never
 * since the node started, the connection lost, or this node's key
 * refused), as holders_tick last read it; a sentence naming the first in
 * why, and since when it is (wall clock, ms) in *since_ms.
 */
size_t holders_unreached(const struct holders *h, char *why, size_t whylen,
			 uint64_t *since_ms);

/*
 * holders_floods - how many times, since the start, a holder's replies
 * nothing asked for (HOLDERS_FLOOD_MAX in a row) dropped its connection.
 */
uint64_t holders_floods(const struct holders *h);

int holders_send(void *arg, uint32_t epoch, const uint8_t *elements, size_t n,
		 size_t per_request, char *why, size_t whylen);
int holders_recv(void *arg, uint32_t epoch, size_t n, uint8_t *out, char *why,
		 size_t whylen);
size_t holders_request_max(void *arg);

#endif
