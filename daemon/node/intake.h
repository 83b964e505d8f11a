/*
 * intake.h - the node's side of `kuska submit`: raw JSON lines in,
 * signed envelopes committed to the outbox, one result per line out.
 */
#ifndef KUSKA_INTAKE_H
#define KUSKA_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "keys.h"
#include "outbox.h"

struct intake {
	enum institution inst;
	const char *network;	      /* signed into every envelope */
	const struct secret_key *key; /* signing key */
	const uint8_t *linkage;	      /* LINKAGE_KEY_LEN bytes */
	struct outbox *ob;
	uint64_t refused; /* records refused since start */
	/* Requests refused for a full disk since start, and when the last
	 * was (0: the last commit worked). */
	uint64_t disk_full_total;
	uint64_t disk_full_ms;
};

/*
 * intake_submit - handles one submit request: lines[i] (len[i] bytes)
 * is line first_line + i of a case system's file. Every accepted record
 * is committed in one transaction before this returns. Fills reply (type
 * CTL_SUBMIT_REPLY, its results array allocated; the caller clears it).
 * Returns 0, or -errno when the whole request failed (reply->error says
 * why and nothing was stored): -ENOSPC no space left on the outbox's
 * device, -EFBIG the outbox's map is full, -EUCLEAN the outbox is
 * damaged, -ESTALE the outbox diverged from the consolidator's copy.
 */
int intake_submit(struct intake *in, uint64_t first_line, uint8_t *const *lines,
		  const size_t *lens, size_t n, struct control *reply);

#endif
