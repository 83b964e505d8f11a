/*
 * codec.h - the wire codec: struct event, envelopes and protocol messages
 * to and from the protobuf encoding of proto/kuska.proto. This module owns
 * protobuf-c; nothing else includes its headers. It is one API in five
 * files: codec.c (reason names, enum checks), codec_event.c (events,
 * envelopes), codec_msg.c (protocol messages), codec_control.c (local
 * control) and codec_query.c (queries), sharing the private codec_pb.h.
 *
 * Every decoder takes untrusted bytes: it checks the length against its
 * cap before unpacking, checks every field's range after, and returns
 * -EBADMSG for anything that does not fit. Decoders never crash and never
 * allocate more than a fixed multiple of their input.
 */
#ifndef KUSKA_CODEC_H
#define KUSKA_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "keys.h"

#define CODEC_VERSION 3	    /* Envelope and Hello version we emit */
#define CODEC_VERSION_MIN 2 /* the oldest a consolidator accepts */
#define CODEC_MAX_EVENT (64 * 1024) /* serialized Event */
#define CODEC_MAX_ENVELOPE (CODEC_MAX_EVENT + 256)
#define CODEC_MAX_BATCH_EVENTS 1024	  /* envelopes in one Batch */
#define CODEC_MAX_FRAME (8 * 1024 * 1024) /* any one message on the wire */
#define CODEC_MAX_REJECTIONS CODEC_MAX_BATCH_EVENTS
#define CODEC_MAX_TEXT 200   /* reason texts */
#define CODEC_MAX_NETWORK 31 /* a network name, as KEYS_ID_MAX - 1 */

/* Reason codes, as the schema's Reason enum. */
enum reason {
	REASON_NONE = 0,
	REASON_BAD_FRAME = 1,
	REASON_BAD_ENVELOPE = 2,
	REASON_BAD_VERSION = 3,
	REASON_WRONG_INSTITUTION = 4,
	REASON_UNKNOWN_KEY = 5,
	REASON_KEY_NOT_VALID = 6,
	REASON_BAD_SIGNATURE = 7,
	REASON_BAD_EVENT = 8,
	REASON_KIND_NOT_ALLOWED = 9,
	REASON_STAGE_NOT_ALLOWED = 10,
	REASON_BAD_TARGET = 11,
	REASON_GAP = 12,
	REASON_TOO_LARGE = 13,
	REASON_STORE_FULL = 14,
	REASON_STORE_ERROR = 15,
	REASON_NOT_AUTHORIZED = 16,
	REASON_BAD_REQUEST = 17,
	REASON_WRONG_NETWORK = 18,
	REASON_CONFLICT = 19,
};
#define REASON_COUNT 20

/* "bad_signature", ...; NULL when out of range. */
const char *reason_name(enum reason r);

/*
 * reason_say - the text of a refusal (printf's fmt) into why[whylen];
 * returns r, so that a check can end "return reason_say(...)".
 */
enum reason reason_say(char *why, size_t whylen, enum reason r, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));

/*
 * reason_of_refusal - code, the reason of a refusal as received or
 * stored, as this version can act on it: one it does not know (a newer
 * version's) or none is bad_event, the generic refusal, so that a
 * refusal stays one (as none, a rejected record would read as accepted).
 * Then, when text is not NULL, the refusal's text there (cap bytes) is
 * prefixed for the operator: "unknown reason N (from a newer version?)",
 * or "reason unknown" for none.
 */
enum reason reason_of_refusal(int code, char *text, size_t cap);

/*
 * codec_event_encode - serializes ev into a new malloc'd buffer (*ret_buf,
 * the caller frees) of *ret_len bytes. Returns 0, -EINVAL if ev fails
 * event_check, -EMSGSIZE over CODEC_MAX_EVENT, -ENOMEM.
 */
int codec_event_encode(const struct event *ev, uint8_t **ret_buf,
		       size_t *ret_len) __attribute__((warn_unused_result));

/*
 * codec_event_decode - parses an Event into *ret (fully overwritten).
 * Returns 0, -EBADMSG (undecodable, or a field out of range) or -ENOMEM
 * (memory ran out: the bytes were not judged, and may be good). Victims
 * may carry the keys of either schema version, never both: whether they
 * are those of the envelope's version is event_fits_version()'s call.
 */
int codec_event_decode(const uint8_t *buf, size_t len, struct event *ret)
    __attribute__((warn_unused_result));

struct envelope {
	uint32_t version;
	enum institution inst;
	uint64_t seq;
	uint8_t key_id[KEY_ID_LEN];
	uint64_t created_ms;
	uint8_t *event; /* owned: freed by codec_envelope_clear */
	size_t event_len;
	uint8_t signature[SIGNATURE_LEN];
	char network[CODEC_MAX_NETWORK + 1]; /* "" when absent */
};

/*
 * codec_envelope_encode - serializes env into a new malloc'd buffer.
 * Returns 0 or -ENOMEM, -EMSGSIZE.
 */
int codec_envelope_encode(const struct envelope *env, uint8_t **ret_buf,
			  size_t *ret_len) __attribute__((warn_unused_result));

/*
 * codec_envelope_decode - parses an Envelope. On success *ret owns a copy
 * of the event bytes (release with codec_envelope_clear). Returns 0,
 * -EBADMSG (also for a network name longer than CODEC_MAX_NETWORK or
 * holding a NUL) or -ENOMEM (memory ran out: the bytes were not judged,
 * and may be good). The version and network are not judged here; the
 * caller decides.
 */
int codec_envelope_decode(const uint8_t *buf, size_t len, struct envelope *ret)
    __attribute__((warn_unused_result));

/* Frees what codec_envelope_decode gave env; accepts a zeroed env. */
void codec_envelope_clear(struct envelope *env);

/* Protocol messages between node and consolidator. */
enum msg_type {
	MSG_NONE = 0,
	MSG_HELLO,
	MSG_WELCOME,
	MSG_BATCH,
	MSG_ACK,
	MSG_REFUSAL,
	MSG_RECOVER_REQUEST,
	MSG_RECOVER_REPLY,
};

#define CODEC_OUTBOX_ID_LEN 16
#define CODEC_HASH_LEN 32

/* One sequence held by the consolidator (RECOVER_REPLY). */
struct held_event {
	uint64_t seq;
	const uint8_t *env; /* NULL: a refusal kept without its envelope */
	size_t len;
	enum reason reason; /* REASON_NONE: accepted */
	char text[CODEC_MAX_TEXT + 1];
};

struct rejection {
	uint64_t seq;
	enum reason reason;
	char text[CODEC_MAX_TEXT + 1];
};

/*
 * A take-up that matches no referral record of its sender (WELCOME, and a
 * node's status): the sequence of its original record, its sender, its
 * date and the date of the earliest take-up of its referral number (the
 * quarter referrals_unmatched counts it in), days since 1970-01-01 (Peru
 * time). ref: a node's status only, "" when withheld; never on the wire
 * between node and consolidator.
 */
#define CODEC_MAX_UNMATCHED 1000 /* take-ups in one Welcome or status */
struct unmatched {
	uint64_t seq;
	enum institution from;
	int32_t date, counted_date;
	char ref[65];
};

struct msg {
	enum msg_type type;
	enum institution inst;		     /* HELLO */
	uint32_t version;		     /* HELLO */
	uint64_t nonce;			     /* HELLO, WELCOME */
	char network[CODEC_MAX_NETWORK + 1]; /* HELLO; "" when absent */
	uint64_t last_seq; /* WELCOME, ACK, RECOVER_REPLY */
	uint64_t batch_id; /* BATCH, ACK, REFUSAL (0 if none) */
	/* HELLO: the node's outbox; WELCOME, RECOVER_REPLY: the outbox the
	 * consolidator knows (has_outbox_id false: none). */
	bool has_outbox_id;
	uint8_t outbox_id[CODEC_OUTBOX_ID_LEN];
	bool has_outbox_last_seq; /* HELLO */
	uint64_t outbox_last_seq;
	uint64_t now_ms; /* HELLO, WELCOME: sender's clock, 0 unknown */
	char diverged[CODEC_MAX_TEXT + 1]; /* HELLO: "" none */
	/* HELLO: the node's proof that its outbox ends where the
	 * consolidator's copy does (sign_in_step); has_in_step false: none. */
	bool has_in_step;
	uint8_t in_step_sig[SIGNATURE_LEN];
	uint8_t in_step_key_id[KEY_ID_LEN];
	bool has_check;			   /* WELCOME */
	uint64_t check_seq;
	uint8_t check_hash[CODEC_HASH_LEN];
	/* WELCOME: what the node's institution may emit (bits 1 << enum
	 * kind, 1 << enum stage); has_grants false: not said. */
	bool has_grants;
	uint32_t grant_kinds, grant_stages;
	/* HELLO: the most unmatched take-ups asked for (0: not asked). */
	uint32_t unmatched_max;
	/* WELCOME: the unmatched take-ups (at most CODEC_MAX_UNMATCHED; after
	 * decode owned by the msg, valid until codec_msg_clear) of
	 * unmatched_total; has_unmatched false: not said. */
	bool has_unmatched;
	uint64_t unmatched_total;
	size_t n_unmatched;
	struct unmatched *unmatched;
	uint64_t from_seq;   /* RECOVER_REQUEST */
	bool refusals_only;  /* RECOVER_REQUEST */
	uint64_t scanned_to; /* RECOVER_REPLY: 0 not said */
	/* RECOVER_REPLY: envelopes point into memory owned by the msg. */
	size_t n_held;
	struct held_event *held;
	/* BATCH: envelopes as encoded bytes; after decode they point into
	 * memory owned by the msg, valid until codec_msg_clear. */
	size_t n_envelopes;
	const uint8_t **envelopes;
	size_t *envelope_lens;
	/* ACK */
	size_t n_rejections;
	struct rejection *rejections;
	/* REFUSAL */
	enum reason reason;
	char text[CODEC_MAX_TEXT + 1];
	bool has_expected;
	uint64_t expected_seq;
	void *priv; /* decoder's allocation */
};

/*
 * codec_msg_encode - serializes m into a new malloc'd buffer. Returns 0,
 * -EINVAL (unknown type), -EMSGSIZE (over CODEC_MAX_FRAME), -ENOMEM.
 */
int codec_msg_encode(const struct msg *m, uint8_t **ret_buf, size_t *ret_len)
    __attribute__((warn_unused_result));

/*
 * codec_msg_decode - parses a frame into *ret (overwritten). Returns 0 or
 * -EBADMSG (undecodable, out of range, over a limit), -EMSGSIZE (frame
 * over CODEC_MAX_FRAME or batch over CODEC_MAX_BATCH_EVENTS), -ENOMEM
 * (memory ran out: the frame was not judged). On success
 * release with codec_msg_clear.
 */
int codec_msg_decode(const uint8_t *buf, size_t len, struct msg *ret)
    __attribute__((warn_unused_result));

/* Frees what codec_msg_decode gave m; accepts a zeroed m. */
void codec_msg_clear(struct msg *m);

/* ---- local control messages (kuska submit, kuska status) ------------ */

#define CODEC_MAX_LINES 5000 /* lines in one submit request */
#define CODEC_MAX_DEAD 1000  /* dead letters in one status reply */
#define CODEC_MAX_OLD_EPOCHS 8 /* older key epochs in one status reply */

enum line_status {
	LINE_NONE = 0,
	LINE_ACCEPTED = 1,
	LINE_HELD = 2,
	LINE_REFUSED = 3,
	LINE_BLANK = 4,
	LINE_REKEYED = 5, /* held under an older key epoch: re-sent */
	/* The highest status a reply may carry: the decoder and the fuzz
	 * check bound by it, so a new status moves both. */
	LINE_STATUS_LAST = LINE_REKEYED,
};

/*
 * Why a line was refused, where kuska submit acts on it beyond printing
 * the reason (proto/kuska.proto, LineReason). LINE_REASON_NONE for any
 * other refusal, and for a reply that says none (an older node) or one
 * this build does not know.
 */
enum line_reason {
	LINE_REASON_NONE = 0,
	LINE_NOT_GRANTED = 1,	  /* a kind or stage not granted */
	LINE_OWN_INSTITUTION = 2, /* a referral to or from itself */
	LINE_REF_REUSED = 3,	  /* ref held for a different record */
	LINE_REASON_LAST = LINE_REF_REUSED,
};

struct line_result {
	uint64_t line;
	enum line_status status;
	uint64_t seq;	  /* ACCEPTED, HELD */
	char field[64];	  /* REFUSED; else the first unlinkable victim */
	char reason[160]; /* REFUSED */
	enum line_reason why; /* REFUSED: its code, LINE_REASON_NONE if none */
	uint32_t unlinkable;
	/* ACCEPTED: a case stage another record of the node holds, or out
	 * of date order with its case's others ("" none, or an older node) */
	char warning[320];
	/* The line's ref, where it had a readable one ("" none, or an
	 * older node): the case system's name of the record */
	char ref[65];
	/* Not REFUSED: a victim's age more than a year off the one her
	 * birth date gives ("" none, or an older node), and the path of
	 * that age field ("victims[1].age") */
	char age_warning[200];
	char age_field[64];
	/* Not REFUSED: a victim's document number is a placeholder
	 * (99999999, 12345678), taken as no document: what and what to do
	 * ("" none, or an older node), and its path
	 * ("victims[1].document.number"). Never the number. */
	char placeholder_warning[200];
	char placeholder_field[72];
	/* Not REFUSED: the record is held under a ref that holds a victim's
	 * identity, stored before the node refused such refs ("" none, or an
	 * older node): what it holds and what to do, never the ref.
	 * REFUSED for something else: the ref holds a victim's identity too,
	 * and what the line would be told of it once the rest is mended */
	char ref_warning[200];
	/* HELD: the envelope holding the line's content is a dead letter:
	 * its sequence and reason, and what to do ("" none, or an older
	 * node) */
	char dead_warning[200];
};

struct dead_letter {
	uint64_t seq;
	char ref[65];
	enum reason reason;
	char text[CODEC_MAX_TEXT + 1];
	uint64_t at_ms;
};

/* Lines of submissions by what became of them (kuska submit's summary). */
struct submit_counts {
	uint64_t accepted, held, refused, unlinkable, rekeyed;
};

/*
 * line_warns_unlinkable - whether res brings a new warning of victims
 * that cannot be linked: a record taken now with some. One already held,
 * under this key epoch or an older one (re-keyed), had its warning when
 * first taken, so a file sent again warns only of what is new in it. The
 * rule of kuska submit's summary and of a node's status alike.
 */
bool line_warns_unlinkable(const struct line_result *res);

/*
 * line_warns_age - whether res brings a new warning of a victim's age
 * that the birth date contradicts: by the rule of line_warns_unlinkable().
 */
bool line_warns_age(const struct line_result *res);

/*
 * line_warns_placeholder - whether res brings a new warning of a victim's
 * document number taken as a placeholder: by the rule of
 * line_warns_unlinkable().
 */
bool line_warns_placeholder(const struct line_result *res);

/*
 * line_warns_ref - whether res warns of a record held under a ref that
 * holds a victim's identity: any line not refused, held or re-keyed
 * (the only ones such a ref is taken for), each time it is sent, as the
 * ref stays on the node's disk until the record is withdrawn.
 */
bool line_warns_ref(const struct line_result *res);

/*
 * What a failed handshake with the consolidator (handshake_failed_ms)
 * may mean, as far as the node can tell: the node's log and its kuska
 * status say the same words.
 */
#define NODE_HANDSHAKE_HINT                                                    \
	"wrong consolidator_key? or another service at this host and port?"

struct node_status {
	enum institution inst;
	uint64_t last_seq, acked_seq, accepted_total, dead_total;
	uint64_t oldest_pending_ms, last_contact_ms, now_ms;
	bool connected;
	uint32_t alarm_backlog_hours;
	char last_refusal[CODEC_MAX_TEXT + 40]; /* "" if none */
	uint64_t last_refusal_ms;
	size_t n_dead;
	struct dead_letter *dead;	   /* owned by the struct control */
	char diverged[CODEC_MAX_TEXT + 1]; /* "" none */
	bool has_skew;
	int64_t clock_skew_ms; /* node minus consolidator */
	char disk_full[256];   /* "" none */
	uint64_t disk_full_ms;
	uint32_t key_epoch;
	char keyholder_error[CODEC_MAX_TEXT + 40]; /* "" if none */
	uint64_t keyholder_error_ms;
	bool has_key_check;
	uint8_t key_check[8]; /* the holders' check value, first bytes */
	uint64_t evaluations; /* OPRF evaluations asked since start */
	uint32_t alarm_silent_s; /* 0: not said (an older node) */
	uint64_t started_ms;
	/* What the node lets through at submit (bits as in struct msg);
	 * grants_default: DESIGN.md's, the consolidator never said. */
	bool has_grants, grants_default;
	uint32_t grant_kinds, grant_stages;
	/* Wall clock of the last handshake the consolidator refused (its
	 * ZAP: the key not in the registry) or that failed (a wrong
	 * consolidator_key), none since one succeeded; 0: none, or an
	 * older node that does not say. */
	uint64_t handshake_refused_ms, handshake_failed_ms;
	/* Evaluations asked in submissions that failed for the key
	 * holders' sake (of `evaluations`); the key holders not connected
	 * now: how many, a sentence naming the first, since when (0: all
	 * connected, or an older node that does not say). */
	uint64_t evaluations_failed;
	uint32_t keyholders_unreached;
	char keyholder_unreached[CODEC_MAX_TEXT + 1];
	uint64_t keyholder_unreached_ms;
	/* Submissions since the node started, dry runs aside
	 * (has_submissions false: an older node, which does not say); the
	 * last one's counts, when its last request was answered (wall
	 * clock), its first refused line (0: none) with the field that
	 * line's refusal names (a path, never a value); all of them summed. */
	bool has_submissions;
	uint64_t submissions;
	uint64_t last_submission_ms;
	struct submit_counts last_submission, submitted_total;
	uint64_t first_refused_line;
	char first_refused_field[64];
	char first_refused_source[256]; /* its file; "" unknown */
	/* The dead letter alarm's window, in hours (0: for as long as any
	 * dead letter is held), and when the newest dead letter was
	 * refused (its at_ms; 0: none); has_dead_window false: an older
	 * node, which says neither (every dead letter an alarm). */
	bool has_dead_window;
	uint32_t alarm_dead_letter_hours;
	uint64_t dead_newest_ms;
	/* The live records under each key epoch older than key_epoch,
	 * oldest first, epochs of none left out, and of them those held by a
	 * correction the consolidator refused for its content
	 * (has_old_epoch_held false: an older node, which does not count
	 * them, all 0); old_epochs_unknown: the node could not count them.
	 * old_epochs_more: older epochs holding records past those listed
	 * (0: none, or an older node, which does not say). */
	size_t n_old_epochs;
	uint32_t old_epoch[CODEC_MAX_OLD_EPOCHS];
	uint64_t old_epoch_records[CODEC_MAX_OLD_EPOCHS];
	uint64_t old_epoch_held[CODEC_MAX_OLD_EPOCHS];
	bool has_old_epoch_held;
	bool old_epochs_unknown;
	uint32_t old_epochs_more;
	/* The node's take-ups that match no referral record of their
	 * sender, as the consolidator last said them (oldest first, with
	 * their refs where shown), of unmatched_total, at unmatched_ms (wall
	 * clock; 0: not said since the node started); unmatched_unsaid: the
	 * consolidator answered without them; unmatched_asking: the node is
	 * asking for them anew (a hello asking under way, or going out at
	 * once). has_unmatched false: an older node, which says nothing of
	 * them. */
	bool has_unmatched, unmatched_unsaid, unmatched_asking;
	uint64_t unmatched_total, unmatched_ms;
	size_t n_unmatched;
	struct unmatched *unmatched; /* owned by the struct control */
};

#define CODEC_MAX_KEYHOLDER_NODES 256

struct keyholder_node {
	char id[32];
	uint64_t requests, evaluations, refused_rate, refused_other;
	uint64_t last_request_ms, last_refusal_ms, allowance;
};

struct keyholder_status {
	uint32_t epoch;
	uint64_t now_ms, rate_per_day, handshake_failures, requests_refused;
	size_t n_nodes;
	struct keyholder_node *nodes; /* owned by the struct control */
	/* The last failed write of its accounts file (wall ms), 0 when the
	 * last write succeeded (or a key holder before it), and why. */
	uint64_t accounts_failed_ms;
	char accounts_error[640]; /* "PATH: reason" */
};

struct inst_status {
	uint64_t last_seq, accepted, refused, last_contact_ms;
	uint64_t refused_by_reason[REASON_COUNT];
	/* status only (not stored): */
	bool diverged;
	bool has_skew;
	int64_t clock_skew_ms; /* its clock minus ours */
	bool unregistered;     /* no [institution] of it in the registry */
};

struct cons_status {
	struct inst_status inst[INST_COUNT + 1]; /* indexed by institution */
	uint64_t now_ms, handshake_failures, frames_refused;
	uint64_t control_refused; /* 0 from a consolidator before it */
	/* Nodes' messages refused for its own store (a full disk, ...), not
	 * for what they are; has_store_refused: said (a consolidator before
	 * it says nothing). */
	bool has_store_refused;
	uint64_t store_refused;
	uint32_t alarm_silent_hours;
	char disk_full[256]; /* "" none */
	uint64_t disk_full_ms;
	/* When a batch first found its store damaged (0: not found so, or
	 * a consolidator before it, which says so in disk_full only). */
	uint64_t store_damaged_ms;
};

enum control_type {
	CTL_NONE = 0,
	CTL_SUBMIT,
	CTL_SUBMIT_REPLY,
	CTL_STATUS,
	CTL_NODE_STATUS,
	CTL_CONS_STATUS,
	CTL_ERROR,
	CTL_METRICS,	  /* a request for the metrics */
	CTL_METRICS_TEXT, /* the answer: text */
	CTL_KEYHOLDER_STATUS,
	CTL_STARTING, /* the answer while the daemon starts: error says what
			 it is doing */
};

struct control {
	enum control_type type;
	char source[256];    /* SUBMIT */
	uint64_t first_line; /* SUBMIT */
	uint64_t dry_run;    /* SUBMIT: nonzero, a dry run's id */
	uint64_t run;	     /* SUBMIT: nonzero, the kuska submit run's id */
	bool end;	     /* SUBMIT: the run is over (no lines) */
	size_t n_results;    /* SUBMIT_REPLY */
	struct line_result *results;
	char error[256];   /* SUBMIT_REPLY (optional), ERROR, STARTING */
	uint32_t max_dead; /* STATUS */
	uint32_t max_unmatched; /* STATUS: 0 none (an older client) */
	struct node_status node;
	struct cons_status cons;
	struct keyholder_status keyholder;
	char *text; /* METRICS_TEXT: malloc'd, NUL-ended; freed by clear */
};

/* codec_control_encode - serializes c into a new malloc'd buffer. */
int codec_control_encode(const struct control *c, uint8_t **ret_buf,
			 size_t *ret_len) __attribute__((warn_unused_result));

/*
 * codec_control_decode - parses a control message into *ret, which then
 * owns its arrays (release with codec_control_clear). Returns 0 or
 * -EBADMSG.
 */
int codec_control_decode(const uint8_t *buf, size_t len, struct control *ret)
    __attribute__((warn_unused_result));

/* Frees the arrays of c; accepts a zeroed c. */
void codec_control_clear(struct control *c);

/* ---- node <-> key holder (codec_oprf.c) ------------------------------- */

#define CODEC_OPRF_ELEMENT_LEN 32
#define CODEC_MAX_OPRF_ELEMENTS 65536 /* elements in one request */

enum oprf_status {
	OPRF_NONE = 0,
	OPRF_OK = 1,
	OPRF_RATE_LIMITED = 2,
	OPRF_TOO_LARGE = 3,
	OPRF_BAD_REQUEST = 4,
	OPRF_WRONG_EPOCH = 5,
	OPRF_NOT_AUTHORIZED = 6,
};
#define OPRF_STATUS_COUNT 7

/* A refusal's reason, where its status alone does not tell the node what
 * to do (proto/kuska.proto, OprfReason). */
enum oprf_reason {
	OPRF_REASON_NONE = 0,	  /* not said (an older holder: its text) */
	OPRF_REASON_OVER_DAY = 1, /* rate_limited: more than rate_per_day */
};

/* "ok", "rate_limited", ...; NULL when out of range. */
const char *oprf_status_name(enum oprf_status s);

/* An OprfRequest or OprfReply. */
struct oprf_msg {
	uint64_t request_id;
	uint32_t epoch;
	enum oprf_status status; /* reply */
	size_t n;		 /* elements */
	/* n * 32 bytes: to encode, the caller's; after decode, owned by the
	 * message until codec_oprf_clear. */
	const uint8_t *elements;
	char text[CODEC_MAX_TEXT + 1]; /* reply, when not OK */
	uint32_t max_batch; /* reply: the holder's max_batch, 0: not said */
	enum oprf_reason reason; /* reply: OPRF_REASON_NONE, not said */
	void *priv;	    /* decoder's allocation */
};

/*
 * codec_oprf_request_encode / codec_oprf_reply_encode - serialize m into
 * a new malloc'd buffer. Return 0, -EINVAL (no elements, or over
 * CODEC_MAX_OPRF_ELEMENTS; a reply's status out of range), -ENOMEM.
 */
int codec_oprf_request_encode(const struct oprf_msg *m, uint8_t **ret_buf,
			      size_t *ret_len)
    __attribute__((warn_unused_result));
int codec_oprf_reply_encode(const struct oprf_msg *m, uint8_t **ret_buf,
			    size_t *ret_len)
    __attribute__((warn_unused_result));

/*
 * codec_oprf_hello_encode - a request with no elements, which a node
 * sends as soon as it is connected so that the key holder counts the
 * connection as a node's (admit.h) rather than an idle stranger's. A key
 * holder answers it OK with no elements, and charges nothing for it; an
 * older one refuses it as a bad request (the node drops either answer).
 */
int codec_oprf_hello_encode(uint64_t request_id, uint32_t epoch,
			    uint8_t **ret_buf, size_t *ret_len)
    __attribute__((warn_unused_result));

/*
 * codec_oprf_request_decode / codec_oprf_reply_decode - parse into *ret
 * (overwritten). A request must carry 1..max_elements elements (at most
 * CODEC_MAX_OPRF_ELEMENTS) of 32 bytes each: -EMSGSIZE when there are
 * more, -ENODATA for a hello (no elements; only request_id and epoch
 * are set, nothing to clear), -EBADMSG for anything else wrong. An OK
 * reply carries whole elements (none, to a hello). On success release with codec_oprf_clear.
 */
int codec_oprf_request_decode(const uint8_t *buf, size_t len,
			      size_t max_elements, struct oprf_msg *ret)
    __attribute__((warn_unused_result));
int codec_oprf_reply_decode(const uint8_t *buf, size_t len,
			    struct oprf_msg *ret)
    __attribute__((warn_unused_result));

/* Frees what a decoder gave m; accepts a zeroed m. */
void codec_oprf_clear(struct oprf_msg *m);

/*
 * codec_oprf_request_id - the request id of an OprfRequest read from its
 * wire fields alone, without unpacking it: for a request refused before
 * it is read (its key not valid, too many elements, undecodable), whose
 * node waits for an answer to its own id. Reads only within len bytes,
 * whatever they are; 0 when the fields cannot be walked or there is no
 * id. Laxer than the unpacker (a required field missing, an over-long
 * key), never stricter: an id the unpacker reads, this reads too.
 */
uint64_t codec_oprf_request_id(const uint8_t *buf, size_t len);

/*
 * codec_oprf_request_id_head - the request id of an OprfRequest read from
 * its first len bytes alone (CODEC_OPRF_ID_HEAD_LEN of them suffice): for
 * a request refused unread (too large), of which only its head was kept.
 * The id is its first field as protobuf-c writes it, one byte of key and
 * a varint; 0 when the head does not start so, or is cut within it.
 */
#define CODEC_OPRF_ID_HEAD_LEN 11
uint64_t codec_oprf_request_id_head(const uint8_t *head, size_t len);

/* ---- queries ---------------------------------------------------------- */

#define CODEC_MAX_COLUMNS 16 /* the indicators table has 13 */
#define CODEC_MAX_ROWS 512

struct query_req {
	char table[32];
	char period[16];
	uint32_t region; /* 0: all regions */
	uint32_t boot;	 /* estimate: bootstrap resamples; 0: none */
	uint64_t seed;	 /* estimate: the bootstrap's seed (1 if not sent) */
};

enum cell_kind {
	CELL_EMPTY = 0,
	CELL_TEXT,
	CELL_NUMBER,
	CELL_SUPPRESSED,
	CELL_DECIMAL,
};

#define CODEC_MAX_LONG_TEXT 1024 /* a text cell that overflows text[] */

struct cell {
	enum cell_kind kind;
	int64_t number;	 /* CELL_NUMBER */
	char text[104];	 /* CELL_TEXT, CELL_DECIMAL (an indicator's name) */
	char *long_text; /* CELL_TEXT too long for text[] (an indicator's
			    expression): malloc'd, owned by the table, freed
			    by codec_qtable_clear; NULL otherwise */
};

/* codec_cell_str - the text of a CELL_TEXT or CELL_DECIMAL cell, long or
 * short; valid as long as the cell. */
const char *codec_cell_str(const struct cell *c);

/*
 * codec_cell_set_long - makes c a text cell holding s, in text[] when it
 * fits, else in a malloc'd long_text (at most CODEC_MAX_LONG_TEXT - 1
 * bytes are kept). Returns 0 or -ENOMEM (c is then left empty).
 */
int codec_cell_set_long(struct cell *c, const char *s)
    __attribute__((warn_unused_result));

/*
 * The refusal (qtable.error) of a request the consolidator held during a
 * disclosure audit and cannot answer because it is stopping: sent rather
 * than nothing, so that the client is not left to its time-out. One
 * constant, which kuska matches (ask_table) to say so without writing a
 * report of refusals.
 */
#define CODEC_QUERY_STOPPING                                                   \
	"the consolidator is stopping: ask again once it is back"

/*
 * The refusal (qtable.error) of a request that came while the consolidator
 * ran a disclosure audit and already held as many as it keeps (HELD_MAX):
 * refused at once, so that its socket is read on whatever comes. kuska
 * matches it (ask_table) as it does CODEC_QUERY_STOPPING.
 */
#define CODEC_QUERY_BUSY                                                       \
	"the consolidator is busy with an audit: ask again in a few seconds"

/*
 * The refusal of a request past what the query socket's reader keeps
 * waiting (daemon/consolidator/query_reader.h), audit or not: refused at
 * once. Clients before it showed it as the table's error (they matched
 * the two above whole); since, every refusal starting with
 * CODEC_QUERY_BUSY_PREFIX is one (codec_query_refused_for_now).
 */
#define CODEC_QUERY_CROWDED                                                    \
	"the consolidator is busy: too many requests are waiting; ask again "  \
	"in a few seconds"
#define CODEC_QUERY_BUSY_PREFIX "the consolidator is busy"

/*
 * codec_query_refused_for_now - whether error (a qtable's) is not the
 * table's but the consolidator's refusal for now: stopping, or busy (any
 * text starting with CODEC_QUERY_BUSY_PREFIX, so that a new reason to be
 * busy needs no new client). A client asks again later.
 */
bool codec_query_refused_for_now(const char *error);

/*
 * The answer (qtable.error) to a secretariat question whose release
 * (daemon/consolidator/release.h) is still being computed once its audit has
 * run a little while: CODEC_QUERY_PREPARING_PREFIX, what is being computed
 * ("the release of 2025 is being computed (started 3 s ago)"), then
 * CODEC_QUERY_PREPARING_AGAIN. The audit goes on, its release is cached, and
 * the question asked again gets its table from it. A busy refusal, so that a
 * kuska that does not know it stops as for any (codec_query_refused_for_now),
 * rather than waiting out its time-out or writing a report with a hole.
 */
#define CODEC_QUERY_PREPARING_PREFIX CODEC_QUERY_BUSY_PREFIX ": PREPARING: "
#define CODEC_QUERY_PREPARING_AGAIN ": ask again in a few seconds"

/*
 * codec_query_preparing - whether error (a qtable's) is such an answer;
 * if so, what is being computed, the text between the prefix and
 * CODEC_QUERY_PREPARING_AGAIN (or to the end without it), into what
 * (cut to cap - 1 bytes; cap > 0).
 */
bool codec_query_preparing(const char *error, char *what, size_t cap);

struct qtable {
	char error[256];
	size_t n_cols;
	char cols[CODEC_MAX_COLUMNS][24];
	size_t n_rows;
	struct cell (*rows)[CODEC_MAX_COLUMNS]; /* malloc'd */
	uint32_t k;
	char role[16];
	/* Destinations (bit 1 << institution) with no take-up on record,
	 * of any date (QueryReply.no_takeups); 0 for other tables. */
	uint32_t no_takeups;
};

/* Bytes of an encoded query request, at most. */
#define CODEC_MAX_QUERY_REQ 4096

int codec_query_req_encode(const struct query_req *q, uint8_t **ret_buf,
			   size_t *ret_len) __attribute__((warn_unused_result));
/* Returns 0 or -EBADMSG (undecodable, over CODEC_MAX_QUERY_REQ, or a
 * string over its field). */
int codec_query_req_decode(const uint8_t *buf, size_t len,
			   struct query_req *ret)
    __attribute__((warn_unused_result));
int codec_qtable_encode(const struct qtable *t, uint8_t **ret_buf,
			size_t *ret_len) __attribute__((warn_unused_result));
/* On success *ret owns its rows (and their long texts): release with
 * codec_qtable_clear. */
int codec_qtable_decode(const uint8_t *buf, size_t len, struct qtable *ret)
    __attribute__((warn_unused_result));
void codec_qtable_clear(struct qtable *t);

#endif
