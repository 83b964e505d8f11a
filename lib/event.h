/*
 * event.h - an anonymised case event, as kuska handles it in memory.
 *
 * This is the plain-C face of the Event message of proto/kuska.proto. The
 * enumerations mirror the schema's numbers (lib/codec.c checks that at
 * compile time); the names tables map them to the words of EVENTS.md.
 * Nothing here ever holds an identity: victims are match keys
 * (pseudonyms).
 */
#ifndef KUSKA_EVENT_H
#define KUSKA_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PSEUDONYM_LEN 32 /* keyed BLAKE2b-256 */
#define EVENT_ID_LEN 16
#define EVENT_MAX_CASE_VICTIMS 256 /* victims listed on one case stage */
#define EVENT_MAX_ARTICLE 16	   /* "129-A", with room; includes NUL */
#define EVENT_MAX_PERSONS 100000

/*
 * The capital Ñ in UTF-8, the one letter of an article outside printable
 * ASCII (slavery is article 129-Ñ). The node writes it so whatever the
 * case system typed; the consolidator takes no other non-ASCII byte.
 */
#define EVENT_ENYE_LEAD 0xc3
#define EVENT_ENYE_UPPER 0x91

/* Whether s[i] (of len bytes) starts a capital Ñ. */
static inline bool
event_enye_at(const char *s, size_t i, size_t len)
{
	return (unsigned char)s[i] == EVENT_ENYE_LEAD && i + 1 < len &&
	       (unsigned char)s[i + 1] == EVENT_ENYE_UPPER;
}

enum institution {
	INST_NONE = 0,
	INST_PNP = 1,
	INST_MP = 2,
	INST_PJ = 3,
	INST_MIMP = 4,
	INST_MINSA = 5,
};
#define INST_COUNT 5 /* institutions are 1..INST_COUNT, in this order */

enum kind {
	KIND_NONE = 0,
	KIND_IDENTIFICATION,
	KIND_REFERRAL,
	KIND_REFERRAL_RECEIVED,
	KIND_SERVICE,
	KIND_CASE_STAGE,
	KIND_CORRECTION,
	KIND_WITHDRAWAL,
};
#define KIND_COUNT 7

enum sex { SEX_NONE = 0, SEX_F = 1, SEX_M = 2, SEX_U = 3 };

enum age_group {
	AGE_NONE = 0,
	AGE_0_5 = 1,
	AGE_6_11 = 2,
	AGE_12_13 = 3,
	AGE_14_17 = 4,
	AGE_18_PLUS = 5,
};
#define AGE_GROUP_COUNT 5

enum exploitation {
	EXPL_NONE = 0,
	EXPL_SEXUAL = 1,
	EXPL_LABOUR,
	EXPL_BEGGING,
	EXPL_FORCED_CRIMINALITY,
	EXPL_DOMESTIC_SERVITUDE,
	EXPL_FORCED_MARRIAGE,
	EXPL_ILLEGAL_ADOPTION,
	EXPL_ORGAN_REMOVAL,
	EXPL_OTHER,
};
#define EXPL_COUNT 9

enum purpose {
	PURPOSE_NONE = 0,
	PURPOSE_PROTECTION = 1,
	PURPOSE_HEALTH,
	PURPOSE_JUSTICE,
};
#define PURPOSE_COUNT 3

enum service {
	SERVICE_NONE = 0,
	SERVICE_RESIDENTIAL_CARE = 1,
	SERVICE_SPECIAL_PROTECTION,
	SERVICE_MENTAL_HEALTH,
	SERVICE_MEDICAL,
	SERVICE_LEGAL_AID,
	SERVICE_REINTEGRATION,
};
#define SERVICE_COUNT 6

enum stage {
	STAGE_NONE = 0,
	STAGE_COMPLAINT = 1,
	STAGE_PRELIMINARY_INVESTIGATION,
	STAGE_FORMALIZED_INVESTIGATION,
	STAGE_ACCUSATION,
	STAGE_TRIAL,
	STAGE_CONVICTION,
	STAGE_ACQUITTAL,
	STAGE_DISMISSAL,
};
#define STAGE_COUNT 8
#define STAGE_MAIN_LAST                                                        \
	STAGE_CONVICTION /* main line: COMPLAINT..CONVICTION                   \
			  */

/* Identity documents, as the schema's DocumentType. */
enum doc_type {
	DOC_NONE = 0,
	DOC_DNI = 1,
	DOC_CE,
	DOC_PASSPORT,
	DOC_PTP,
	DOC_CPP,
	DOC_OTHER,
};
#define DOC_TYPE_COUNT 6

/*
 * A victim: its match keys (EVENTS.md "Linking a victim"), each a
 * pseudonym, and what statistics need. An event of schema version 3
 * carries the document key and the name key, each when the node had what
 * it takes; one of schema version 2 carried one key, linking version 1's
 * (the document's, else the name's, which of the two unknown), kept in
 * v1_key. A victim with no key is unlinkable.
 */
struct victim {
	enum doc_type doc_type; /* DOC_NONE: no document key */
	bool has_name_key;
	bool has_v1_key;		 /* only in events of version 2 */
	uint8_t doc_key[PSEUDONYM_LEN];	 /* when doc_type != DOC_NONE */
	uint8_t name_key[PSEUDONYM_LEN]; /* when has_name_key */
	uint8_t v1_key[PSEUDONYM_LEN];	 /* when has_v1_key */
	enum sex sex;
	enum age_group age_group;
	uint8_t age_years;   /* 0..120 at the event date */
	char nationality[3]; /* ISO alpha-2 or "XX", NUL-ended */
};

/* What happened: the fields of one record of EVENTS.md, anonymised. */
struct record {
	enum kind kind;	      /* IDENTIFICATION..CASE_STAGE */
	int32_t date;	      /* days since 1970-01-01, Peru time */
	uint8_t region;	      /* INEI department 1..25 */
	struct victim victim; /* all kinds but CASE_STAGE */
	uint32_t
	    exploitation; /* IDENTIFICATION: bit (1 << enum exploitation) */
	enum institution other; /* REFERRAL: to; REFERRAL_RECEIVED: from */
	enum purpose purpose;	/* REFERRAL */
	uint8_t referral[PSEUDONYM_LEN]; /* REFERRAL, REFERRAL_RECEIVED */
	enum service service;		 /* SERVICE */
	uint8_t case_id[PSEUDONYM_LEN];	 /* CASE_STAGE */
	enum stage stage;		 /* CASE_STAGE */
	uint32_t persons;		 /* CASE_STAGE */
	char article[EVENT_MAX_ARTICLE]; /* CASE_STAGE, NUL-ended */
	size_t n_victims;		 /* CASE_STAGE */
	struct victim victims[EVENT_MAX_CASE_VICTIMS];
};

/*
 * One event: a new record, a correction (target_seq and the replacement in
 * rec) or a withdrawal (target_seq only).
 */
struct event {
	uint8_t id[EVENT_ID_LEN];
	enum kind kind;	     /* CORRECTION, WITHDRAWAL, or rec.kind */
	uint64_t target_seq; /* CORRECTION, WITHDRAWAL */
	uint32_t key_epoch;  /* of every pseudonym in it (0: version 1) */
	struct record rec;   /* unused for WITHDRAWAL */
};

/*
 * Names of enumeration values as EVENTS.md writes them ("pnp",
 * "identification", "preliminary_investigation", "14-17", ...). Each
 * returns NULL for a value out of range. The _from_name functions return
 * the value, or 0 (the NONE value) for an unknown name.
 */
const char *institution_name(enum institution v);
enum institution institution_from_name(const char *s);
const char *kind_name(enum kind v);
enum kind kind_from_name(const char *s);
const char *sex_name(enum sex v);
enum sex sex_from_name(const char *s);
const char *age_group_name(enum age_group v);
const char *exploitation_name(enum exploitation v);
enum exploitation exploitation_from_name(const char *s);
const char *purpose_name(enum purpose v);
enum purpose purpose_from_name(const char *s);
const char *service_name(enum service v);
const char *doc_type_name(enum doc_type v);
enum doc_type doc_type_from_name(const char *s);
enum service service_from_name(const char *s);
const char *stage_name(enum stage v);
enum stage stage_from_name(const char *s);

/* nationality_valid - whether code[0..1] is an ISO 3166-1 alpha-2 code
 * or XX (unknown). */
bool nationality_valid(const char *code);

/* victim_linkable - whether v carries at least one match key. */
bool victim_linkable(const struct victim *v);

/* The age group of an age in whole years. */
enum age_group age_group_of(unsigned years);

/*
 * event_check - checks that every field of ev is in range for its kind
 * (enumerations known, region 1..25, nationality two upper-case letters,
 * lists within their caps). Returns 0, or -EINVAL and, when ret_why is not
 * NULL, a static text naming the first bad field.
 */
int event_check(const struct event *ev, const char **ret_why)
    __attribute__((warn_unused_result));

/*
 * event_fits_version - whether the victims of ev carry the keys of schema
 * version (1 and 2: v1_key only; 3: doc_key and name_key only). Other
 * versions fit nothing.
 */
bool event_fits_version(const struct event *ev, unsigned version);

#endif
