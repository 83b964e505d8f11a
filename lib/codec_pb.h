/*
 * codec_pb.h - private to lib/codec*.c, the only files that include
 * protobuf-c's headers: the generated schema and the helpers the message
 * families share. Everyone else includes codec.h.
 */
#ifndef KUSKA_CODEC_PB_H
#define KUSKA_CODEC_PB_H

#include <stddef.h>
#include <stdio.h>

#include "codec.h"
#include "kuska.pb-c.h"

/* copy_str - src (NULL: "") into dst of cap bytes, cut short to fit. */
static inline void
copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

#endif
