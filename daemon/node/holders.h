/*
 * holders.h - the node's side of the key holders: one CURVE DEALER per
 * holder (the node's transport key; each holder's ZAP admits registered
 * institution keys only), a blinded batch out to every holder, their
 * evaluations back, added together.
 *
 * holders_evaluate waits for the answers (up to the configured time-out),
 * so the node's loop stands still meanwhile: submissions are handled one
 * at a time anyway, and ZeroMQ keeps the consolidator's connection alive
 * on its own threads.
 */
#ifndef KUSKA_HOLDERS_H
#define KUSKA_HOLDERS_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "settings.h"
#include "transport.h"

struct holders;

/*
 * holders_new - connects to every key holder of cfg with the node's
 * transport pair. Returns the set, or NULL with a sentence in err.
 */
struct holders *holders_new(struct transport *t, const struct node_config *cfg,
			    const struct secret_key *key, char *err,
			    size_t errlen);

/* holders_free - closes the sockets; accepts NULL; clears the pointer. */
void holders_free(struct holders **h);

/* holders_count - how many key holders there are. */
size_t holders_count(const struct holders *h);

/*
 * holders_evaluate - sends the n blinded elements (n * 32 bytes) to every
 * key holder, waits for all their answers, and writes their sum into
 * out. Returns 0, or (with a sentence naming the holder in why):
 * -EHOSTUNREACH (not connected, or refused this node's key),
 * -ETIMEDOUT (no answer in time), -EAGAIN (the node's allowance is
 * spent), -ESTALE (the holder works in another key epoch), -EPROTO (a
 * malformed or refused answer). The signature is intake's evaluate
 * callback (arg is the struct holders).
 */
int holders_evaluate(void *arg, uint32_t epoch, const uint8_t *elements,
		     size_t n, uint8_t *out, char *why, size_t whylen);

#endif
