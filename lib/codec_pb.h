/*
 * codec_pb.h - private to lib/codec*.c, the only files that include
 * protobuf-c's headers: the generated schema and the helpers the message
 * families share. Everyone else includes codec.h.
 */
#ifndef KUSKA_CODEC_PB_H
#define KUSKA_CODEC_PB_H

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "kuska.pb-c.h"

/* copy_str - src (NULL: "") into dst of cap bytes, cut short to fit. */
static inline void
copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

/*
 * codec_copy_name - a network name from the wire into dst (which holds
 * CODEC_MAX_NETWORK + 1 bytes). Returns 0, or -EBADMSG when it is too
 * long to be one (it is never cut: a cut name would be another name).
 */
static inline int
codec_copy_name(const char *src, char *dst)
{
	size_t len = strlen(src);

	if (len > CODEC_MAX_NETWORK)
		return -EBADMSG;
	memcpy(dst, src, len + 1);
	return 0;
}

/*
 * Grants on the wire (codec_msg.c): kinds and stages as bits (1 << enum
 * kind, 1 << enum stage). codec_grants_pack fills g with pointers into
 * names and stages, which must outlive it; codec_grants_unpack ignores a
 * kind or stage this build does not know (it cannot emit one anyway).
 */
struct codec_grants_buf {
	char *names[KIND_COUNT];
	Kuska__Stage stages[STAGE_COUNT];
};
void codec_grants_pack(uint32_t kinds, uint32_t stages, Kuska__Grants *g,
		       struct codec_grants_buf *buf);
void codec_grants_unpack(const Kuska__Grants *g, uint32_t *ret_kinds,
			 uint32_t *ret_stages);

/*
 * An unmatched take-up on the wire (codec_msg.c): codec_unmatched_pack
 * fills out (its ref left out: it never goes on the wire in it);
 * codec_unmatched_unpack returns 0, or -EBADMSG for a sender or a date
 * out of range (out->ref is left "").
 */
void codec_unmatched_pack(const struct unmatched *in,
			  Kuska__UnmatchedTakeup *out);
int codec_unmatched_unpack(const Kuska__UnmatchedTakeup *in,
			   struct unmatched *out);

/* The key holder's status in a Control message (codec_oprf.c). */
int codec_keyholder_status_pack(const struct control *c, Kuska__Control *pc,
				uint8_t **ret_buf, size_t *ret_len);
int codec_keyholder_status_unpack(const Kuska__KeyholderStatus *in,
				  struct control *c);

#endif
