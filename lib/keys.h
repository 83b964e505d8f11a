/*
 * keys.h - key files: an institution's (or client's, or the
 * consolidator's, or a key holder's) Ed25519 signing pair and Curve25519
 * transport pair, and the 32-byte secrets of pseudonyms: the linkage key
 * shared by institution nodes, a node's ref key, a key holder's OPRF key
 * share.
 *
 * Secret key file NAME.key (mode 0600, refused if group or others may
 * read it), text lines "name = base64":
 *	id = pnp
 *	sign_secret = ...	(64 bytes, libsodium Ed25519 secret key)
 *	transport_secret = ...	(32 bytes, Curve25519)
 * Public file NAME.pub:
 *	id = pnp
 *	sign_public = ...	(32 bytes)
 *	transport_public = ...	(32 bytes)
 *	fingerprint = 16 hex digits (the key id, see keys_key_id)
 * 32-byte secret files (linkage key, ref key, OPRF key share): below.
 *
 * Secrets live in sodium_malloc() memory and are wiped when freed.
 */
#ifndef KUSKA_KEYS_H
#define KUSKA_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KEYS_ID_MAX 32 /* ids are [a-z0-9_-], 1..31 chars */
#define KEY_ID_LEN 8
#define SIGN_PK_LEN 32
#define SIGN_SK_LEN 64
#define SIGNATURE_LEN 64
#define CURVE_KEY_LEN 32

struct secret_key {
	char id[KEYS_ID_MAX];
	uint8_t sign_sk[SIGN_SK_LEN];
	uint8_t sign_pk[SIGN_PK_LEN];
	uint8_t curve_sk[CURVE_KEY_LEN];
	uint8_t curve_pk[CURVE_KEY_LEN];
	uint8_t key_id[KEY_ID_LEN]; /* fingerprint of sign_pk */
};

struct public_key {
	char id[KEYS_ID_MAX];
	uint8_t sign_pk[SIGN_PK_LEN];
	uint8_t curve_pk[CURVE_KEY_LEN];
	uint8_t key_id[KEY_ID_LEN];
};

/* keys_init - initialises libsodium; returns 0 or -EIO. */
int keys_init(void) __attribute__((warn_unused_result));

/* keys_valid_id - 1 if id is 1..31 chars of [a-z0-9_-], else 0. */
int keys_valid_id(const char *id);

/* keys_key_id - the 8-byte fingerprint of a signing public key. */
void keys_key_id(const uint8_t sign_pk[SIGN_PK_LEN], uint8_t out[KEY_ID_LEN]);

/*
 * keys_generate - makes fresh signing and transport pairs for id.
 * Returns 0 and *ret (free with keys_free), or -EINVAL (bad id), -ENOMEM.
 */
int keys_generate(const char *id, struct secret_key **ret)
    __attribute__((warn_unused_result));

/*
 * keys_write - writes DIR/NAME.key (mode 0600, created exclusively: an
 * existing file is never overwritten, -EEXIST) and DIR/NAME.pub.
 */
int keys_write(const struct secret_key *k, const char *dir, const char *name)
    __attribute__((warn_unused_result));

/*
 * keys_load_secret - reads a secret key file, checked as by
 * keys_check_private on the descriptor it is read from. Returns 0 and
 * *ret, or -EPERM (group/other may read it, or another user than this
 * one and root owns it), -ENOENT, -EINVAL (a
 * symbolic link, not a regular file, or malformed; errbuf then says which
 * line and why), -ENOMEM. errbuf (may be NULL) always receives a sentence
 * naming the file on failure.
 */
int keys_load_secret(const char *path, struct secret_key **ret, char *errbuf,
		     size_t errlen) __attribute__((warn_unused_result));

/* keys_free - wipes and frees *k; accepts NULL; clears the pointer. */
void keys_free(struct secret_key **k);

/* keys_load_public - reads a public key file into *ret (same errors). */
int keys_load_public(const char *path, struct public_key *ret, char *errbuf,
		     size_t errlen) __attribute__((warn_unused_result));

/*
 * keys_parse_b64 - decodes standard base64 text s into exactly len bytes
 * at out. Returns 0, or -EINVAL if s is not base64 of that length.
 */
int keys_parse_b64(const char *s, uint8_t *out, size_t len)
    __attribute__((warn_unused_result));

/* keys_b64 - base64 of len bytes into out (cap >= 4*((len+2)/3)+1). */
const char *keys_b64(const uint8_t *in, size_t len, char *out, size_t cap);

/*
 * 32-byte secrets, each in its own file (mode 0600), one "name = base64"
 * line and, for the two that change on key rotation, "epoch = N":
 *	KEY32_LINKAGE		linkage = ..., epoch = N: the second factor
 *				of every pseudonym, shared by the nodes
 *	KEY32_REF		ref = ...: a node's own key for event ids
 *	KEY32_OPRF_SHARE	oprf_share = ..., epoch = N: one key holder's
 *				additive share of the OPRF key (a canonical
 *				non-zero ristretto255 scalar)
 * A missing epoch line reads as epoch 1.
 */
enum key32_kind { KEY32_LINKAGE, KEY32_REF, KEY32_OPRF_SHARE };
#define KEYS_MAX_EPOCH 1000000

struct key32 {
	uint8_t key[32];
	uint32_t epoch; /* 1..KEYS_MAX_EPOCH; 1 for KEY32_REF */
};

/*
 * keys_key32_write - creates a fresh key file of the kind at path (mode
 * 0600; -EEXIST if it exists), for the given epoch (ignored for a ref
 * key). Returns 0, -EINVAL (epoch 0 or too large), -ENOMEM, -errno.
 */
int keys_key32_write(const char *path, enum key32_kind kind, uint32_t epoch)
    __attribute__((warn_unused_result));

/*
 * keys_key32_load - reads a key file of the kind into sodium_malloc()
 * memory at *ret (free with keys_key32_free). Same errors as
 * keys_load_secret.
 */
int keys_key32_load(const char *path, enum key32_kind kind, struct key32 **ret,
		    char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* keys_key32_free - wipes and frees *k; accepts NULL; clears it. */
void keys_key32_free(struct key32 **k);

/*
 * keys_check_private - 0 if path is a regular file, not a symbolic link,
 * that neither group nor others may read or write and that this user
 * (the effective uid) or root owns; -EPERM if group or others may, or if
 * another user owns it (who could change it), -EINVAL if group or others
 * may and it is a public key file (a .pub named where a secret is
 * expected), or if it is a symbolic link or not a regular file, -errno if
 * it cannot be opened. Run as root, a systemd credential (a file under
 * /run/credentials/, which systemd may give to the service's user) is
 * accepted whoever owns it. Group bits that are only the mask of a POSIX
 * ACL that lets no group nor others in, only named users to read (this
 * user; any, as root on a credential), are not the group's: systemd gives
 * a credential to its service so. What is checked is the file opened
 * (fstat), as keys_load_secret and keys_key32_load read the key from the
 * descriptor they checked. errbuf gets the reason.
 */
int keys_check_private(const char *path, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * keys_is_credential - whether path is in systemd's credential directory
 * (/run/credentials/, which only root writes): systemd copies a unit's
 * LoadCredential= files there, read-only, and, where the file system
 * takes no ACL (ramfs), gives them to the service's user. Root checking
 * the service's config (-n) then reads a key another user owns, but that
 * user cannot change.
 */
bool keys_is_credential(const char *path);

/*
 * keys_acl_reads_only_users - whether the n bytes of acl, a file's
 * system.posix_acl_access attribute, are a valid ACL (its owner, group,
 * mask and others entries each once) that lets no group nor others in,
 * only named users, each just to read: euid, or (any_user) whoever. That
 * is how systemd gives a credential to a service's user where the file
 * system takes ACLs: root's, mode 0400, and "user:UID:r--", which shows
 * as mode 0440. Anything else, a value cut short included, is false.
 */
bool keys_acl_reads_only_users(const uint8_t *acl, size_t n, uid_t euid,
			       bool any_user);

/* keys_random64 - 64 random bits from the system's CSPRNG. */
uint64_t keys_random64(void);

#endif
