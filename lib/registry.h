/*
 * registry.h - who may speak to the consolidator, with which keys, and
 * what each institution may emit. The key holders read the same file
 * (only its institutions and their keys matter to them). Read from an
 * INI file:
 *
 *	[network pe-trata-2026]		(required, once: the deployment)
 *
 *	[institution pnp]
 *	kinds = identification referral case_stage correction withdrawal
 *	stages = complaint preliminary_investigation
 *
 *	[client secretariat]
 *	role = secretariat		(or analyst)
 *
 *	[client pnp-stats]		(an institution's query client)
 *	role = institution
 *	institution = pnp
 *
 *	[key pnp-2026]
 *	owner = pnp
 *	public_key = keys/pnp.pub	(or sign_public and transport_public)
 *	valid_from = 2026-01-01		(optional; also 2026-01-01T08:00:00Z)
 *	valid_until = 2027-01-01	(optional)
 *	revoked = 2026-06-30T12:00:00Z	(optional)
 *	revoked_after_seq = 1200	(optional, an institution's key)
 *
 * The network names this deployment: every envelope is signed for one
 * network (lib/sign.h) and a node says at hello which it serves, so that
 * a network made from the same keys (a test network) cannot feed this
 * one. Its name is 1 to 31 characters of a-z, 0-9, _ and -.
 *
 * An [institution] is its node: its keys sign and deliver events and ask
 * the key holders; none of them may query. Its own tables are asked for
 * by a [client] of role institution, with keys of its own, so that a
 * node machine's key files alone do not show what the national linking
 * made of a probe record (docs/SECURITY.md).
 *
 * kinds and stages default to what DESIGN.md gives each institution. A
 * key admits its owner on the network while valid now and not revoked
 * (registry_key_admits); an envelope is verified with the key named by
 * its key id and must have been created inside that key's window and,
 * when the key was revoked after a sequence number, carry that number or
 * a lower one, else have been created before its revocation time
 * (registry_key_signs). The sequence is what the consolidator saw; the
 * creation time is what the key holder wrote, and a thief can back-date
 * it: revoking a stolen key is done by sequence, the time kept for
 * information.
 */
#ifndef KUSKA_REGISTRY_H
#define KUSKA_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "keys.h"

#define REGISTRY_MAX_PARTIES 64
#define REGISTRY_MAX_KEYS 256

enum role {
	ROLE_NONE = 0,
	ROLE_INSTITUTION,
	ROLE_SECRETARIAT,
	ROLE_ANALYST,
};

struct reg_party {
	char id[KEYS_ID_MAX];
	enum role role;
	bool node;	       /* an [institution]: delivers, never queries */
	enum institution inst; /* ROLE_INSTITUTION: whose tables */
	uint32_t kinds;	       /* bit (1 << enum kind) */
	uint32_t stages;       /* bit (1 << enum stage) */
};

struct reg_key {
	char name[KEYS_ID_MAX];
	const struct reg_party *owner;
	uint8_t sign_pk[SIGN_PK_LEN];
	uint8_t curve_pk[CURVE_KEY_LEN];
	uint8_t key_id[KEY_ID_LEN];
	uint64_t valid_from_ms;
	uint64_t valid_until_ms;    /* UINT64_MAX: open */
	uint64_t revoked_ms;	    /* UINT64_MAX: never */
	uint64_t revoked_after_seq; /* UINT64_MAX: never; else the last
				       sequence it signs validly */
};

#define REGISTRY_MAX_WARNINGS 16
#define REGISTRY_WARNING_MAX 512

struct registry {
	char network[KEYS_ID_MAX]; /* [network NAME] */
	struct reg_party parties[REGISTRY_MAX_PARTIES];
	size_t n_parties;
	struct reg_key keys[REGISTRY_MAX_KEYS];
	size_t n_keys;
	/* What loads but is likely a mistake, "FILE:LINE: warning: reason",
	 * for the consolidator to say; past REGISTRY_MAX_WARNINGS only
	 * counted in n_warnings. */
	char warnings[REGISTRY_MAX_WARNINGS][REGISTRY_WARNING_MAX];
	size_t n_warnings;
};

/*
 * registry_load - reads and checks a registry file. Returns 0 and *ret
 * (free with registry_free), or -errno with "FILE:LINE: reason" in err.
 * A loaded registry may carry warnings: a key of a [client] of role
 * institution whose institution has no [institution] section (no node:
 * its tables would only ever be zeros).
 */
int registry_load(const char *path, struct registry **ret, char *err,
		  size_t errlen) __attribute__((warn_unused_result));
void registry_free(struct registry **r);

/*
 * What an institution may emit, as a node knows it: bits 1 << enum kind
 * and 1 << enum stage; said: the consolidator said them at its last
 * welcome (else they are DESIGN.md's defaults).
 */
struct grants {
	uint32_t kinds, stages;
	bool said;
};

/*
 * registry_default_kinds, registry_default_stages - what DESIGN.md lets
 * inst emit, when the file is silent: bits 1 << enum kind, 1 << enum
 * stage. A node applies them until the consolidator says its grants.
 */
uint32_t registry_default_kinds(enum institution inst);
uint32_t registry_default_stages(enum institution inst);

/* role_name - "institution", "secretariat", "analyst". */
const char *role_name(enum role r);

/* registry_party - the party with this id, or NULL. */
const struct reg_party *registry_party(const struct registry *r,
				       const char *id);

/* registry_institution - inst's node (its [institution]), or NULL. */
const struct reg_party *registry_institution(const struct registry *r,
					     enum institution inst);

/*
 * registry_nodes_text - which institutions r has a node with a key for,
 * for the operator's `-n`: "nodes of pnp, mp, pj; none of mimp, minsa",
 * or "nodes of all 5 institutions". A registry cut short (a copy that did
 * not finish) reads as a valid one with fewer parties or keys; this says
 * which.
 * Returns out.
 */
const char *registry_nodes_text(const struct registry *r, char *out,
				size_t cap);

/*
 * registry_by_transport - the key with this CURVE public key that
 * admits its owner at now_ms (registry_key_admits), or NULL.
 */
const struct reg_key *registry_by_transport(const struct registry *r,
					    const uint8_t pk[CURVE_KEY_LEN],
					    uint64_t now_ms);

/*
 * registry_transport_name - the name of the key with this CURVE public key,
 * valid now or not, or NULL for none: a refused handshake's log line then
 * names the revoked or expired key, which its hex prefix does not to a
 * reader. NULL, not a name: a key may well be named "none".
 */
const char *registry_transport_name(const struct registry *r,
				    const uint8_t pk[CURVE_KEY_LEN]);

/* registry_by_key_id - owner's key with this key id, or NULL. */
const struct reg_key *registry_by_key_id(const struct registry *r,
					 const struct reg_party *owner,
					 const uint8_t key_id[KEY_ID_LEN]);

/* registry_key_by_name - the key of section [key name], or NULL. */
const struct reg_key *registry_key_by_name(const struct registry *r,
					   const char *name);

/*
 * A connection's ZAP user id (tframes.user_id) names the key of its
 * handshake as "PARTY/KEY/FP", FP the hex of the first 8 bytes of its
 * CURVE public key (log_hex8): the consolidator and the key holders judge
 * each message by it against the registry in force, and a key replaced
 * under the same name since is not the one that connected.
 */
struct reg_user {
	char party[KEYS_ID_MAX], key[KEYS_ID_MAX];
};

/* registry_user_id - writes k's user id into out (cap bytes). */
void registry_user_id(const struct reg_key *k, char *out, size_t cap);

/*
 * registry_user_name - the party and key names user_id gives, into *ret,
 * for the log: 0, or -1 ("?" both) when it is no user id.
 */
int registry_user_name(const char *user_id, struct reg_user *ret);

/*
 * registry_by_user_id - the key user_id names, if r holds it under that
 * owner with the same transport key and it admits its owner at now_ms
 * (registry_key_admits). NULL otherwise (revoked, expired, removed or
 * replaced since the handshake). Either way the names user_id gives ("?"
 * if none) go into *ret_name, for the log.
 */
const struct reg_key *registry_by_user_id(const struct registry *r,
					  const char *user_id, uint64_t now_ms,
					  struct reg_user *ret_name);

/* registry_key_valid_at - whether time ms is in k's window, unrevoked. */
bool registry_key_valid_at(const struct reg_key *k, uint64_t ms);

/*
 * registry_key_admits - whether k may hold a connection at now_ms: valid
 * then, and not revoked after a sequence either.
 */
bool registry_key_admits(const struct reg_key *k, uint64_t now_ms);

/*
 * registry_key_signs - whether an envelope k signed, created at
 * created_ms with sequence seq, is valid: created in k's window, and
 * either seq not after revoked_after_seq (the revocation time then only
 * for the record) or, with no revoked_after_seq, before the revocation
 * time.
 */
bool registry_key_signs(const struct reg_key *k, uint64_t created_ms,
			uint64_t seq);

#endif
