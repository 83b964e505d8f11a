/*
 * ctl.h - the client's side of the local control sockets of kuska-node
 * and kuska-consolidator.
 */
#ifndef KUSKA_CTL_H
#define KUSKA_CTL_H

#include <stddef.h>

#include "codec.h"
#include "transport.h"

struct ctl;

/* How long ctl_open waits for the daemon to take the connection. */
#define CTL_HANDSHAKE_MS 1500

/*
 * ctl_open - connects to an ipc:// endpoint and waits (CTL_HANDSHAKE_MS at
 * most) until the daemon has taken the connection, so that a dead or hung
 * daemon is told at once from a slow one. NULL with *ret_err: -ENOENT no
 * socket, -ECONNREFUSED a socket nobody listens on (the daemon died),
 * -ETIMEDOUT the daemon does not take connections (stopped or hung), or
 * another -errno. ctl_explain puts that into words.
 */
struct ctl *ctl_open(const char *endpoint, int *ret_err);
void ctl_close(struct ctl **c);

/*
 * ctl_explain - what a ctl_open error means for endpoint, in out; who
 * names the daemon as its users know it ("the node", "the consolidator",
 * "the key holder").
 */
const char *ctl_explain(int err, const char *endpoint, const char *who,
			char *out, size_t cap);

/*
 * ctl_call - sends req followed by n extra frames (may be 0) and waits up
 * to timeout_ms for the answer, decoded into *ret (clear it with
 * codec_control_clear). Returns 0, -ETIMEDOUT, -EBADMSG or -errno.
 */
int ctl_call(struct ctl *c, const struct control *req, const void *const *extra,
	     const size_t *extra_lens, size_t n, long timeout_ms,
	     struct control *ret) __attribute__((warn_unused_result));

/*
 * ctl_submit - as ctl_call with a submit request, but the n lines
 * (malloc'd buffers) are handed to the transport without a copy, which
 * wipes and frees each once it is sent; every lines[i] is NULL on
 * return, whatever happened.
 */
int ctl_submit(struct ctl *c, const struct control *req, uint8_t **lines,
	       const size_t *lens, size_t n, long timeout_ms,
	       struct control *ret) __attribute__((warn_unused_result));

#endif
