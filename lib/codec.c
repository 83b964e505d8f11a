/*
 * codec.c - what the codec's message families share: the reason names and
 * texts, and the compile-time checks that the C enums are the schema's numbers.
 * The families are in codec_event.c (Event, Envelope), codec_msg.c (node <->
 * consolidator), codec_control.c (local control) and codec_query.c.
 */
#include "codec.h"

#include <stdarg.h>
#include <stdio.h>

#include "codec_pb.h"

/* The C enums of event.h and codec.h must be the schema's numbers. */
_Static_assert((int)INST_PNP == (int)KUSKA__INSTITUTION__PNP &&
		   (int)INST_MINSA == (int)KUSKA__INSTITUTION__MINSA,
	       "institution numbers");
_Static_assert((int)SEX_U == (int)KUSKA__SEX__SEX_U, "sex numbers");
_Static_assert((int)AGE_18_PLUS == (int)KUSKA__AGE_GROUP__AGE_18_PLUS,
	       "age numbers");
_Static_assert((int)EXPL_OTHER ==
		       (int)KUSKA__EXPLOITATION__EXPLOITATION_OTHER &&
		   (int)EXPL_ORGAN_REMOVAL ==
		       (int)KUSKA__EXPLOITATION__ORGAN_REMOVAL,
	       "exploitation numbers");
_Static_assert((int)PURPOSE_JUSTICE == (int)KUSKA__PURPOSE__JUSTICE,
	       "purposes");
_Static_assert((int)SERVICE_REINTEGRATION ==
		   (int)KUSKA__SERVICE_KIND__REINTEGRATION,
	       "services");
_Static_assert((int)STAGE_DISMISSAL == (int)KUSKA__STAGE__DISMISSAL &&
		   (int)STAGE_CONVICTION == (int)KUSKA__STAGE__CONVICTION,
	       "stages");
_Static_assert((int)DOC_DNI == (int)KUSKA__DOCUMENT_TYPE__DNI &&
		   (int)DOC_CPP == (int)KUSKA__DOCUMENT_TYPE__CPP &&
		   (int)DOC_OTHER == (int)KUSKA__DOCUMENT_TYPE__DOCUMENT_OTHER,
	       "document types");
_Static_assert((int)REASON_BAD_REQUEST == (int)KUSKA__REASON__BAD_REQUEST &&
		   (int)REASON_WRONG_NETWORK ==
		       (int)KUSKA__REASON__WRONG_NETWORK &&
		   (int)REASON_CONFLICT == (int)KUSKA__REASON__CONFLICT,
	       "reasons");
_Static_assert((int)LINE_BLANK == (int)KUSKA__LINE_STATUS__LINE_BLANK,
	       "line status");
_Static_assert((int)LINE_REKEYED == (int)KUSKA__LINE_STATUS__LINE_REKEYED,
	       "line status numbers");
_Static_assert((int)LINE_NOT_GRANTED ==
		       (int)KUSKA__LINE_REASON__LINE_NOT_GRANTED &&
		   (int)LINE_OWN_INSTITUTION ==
		       (int)KUSKA__LINE_REASON__LINE_OWN_INSTITUTION &&
		   (int)LINE_REF_REUSED ==
		       (int)KUSKA__LINE_REASON__LINE_REF_REUSED,
	       "line reasons");

static const char *const reason_names[REASON_COUNT] = {
    "none",
    "bad_frame",
    "bad_envelope",
    "bad_version",
    "wrong_institution",
    "unknown_key",
    "key_not_valid",
    "bad_signature",
    "bad_event",
    "kind_not_allowed",
    "stage_not_allowed",
    "bad_target",
    "gap",
    "too_large",
    "store_full",
    "store_error",
    "not_authorized",
    "bad_request",
    "wrong_network",
    "conflict",
};

const char *
reason_name(enum reason r)
{
	if ((unsigned)r >= REASON_COUNT)
		return NULL;
	return reason_names[r];
}

enum reason
reason_say(char *why, size_t whylen, enum reason r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return r;
}

enum reason
reason_of_refusal(int code, char *text, size_t cap)
{
	char was[CODEC_MAX_TEXT + 1];
	const char *sep;

	if (code > REASON_NONE && code < REASON_COUNT)
		return (enum reason)code;
	if (text != NULL && cap > 0) {
		snprintf(was, sizeof(was), "%s", text);
		sep = was[0] != '\0' ? ": " : "";
		if (code == REASON_NONE)
			snprintf(text, cap, "reason unknown%s%s", sep, was);
		else
			snprintf(
			    text, cap,
			    "unknown reason %d (from a newer version?)%s%s",
			    code, sep, was);
	}
	return REASON_BAD_EVENT;
}
