/* keys.c - key files and libsodium key handling; see keys.h. */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "log.h"
#include "oprf.h"

#define KEYS_MAX_FILE 4096 /* a key file is a few short lines */

int
keys_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

int
keys_valid_id(const char *id)
{
	size_t i, len = strlen(id);

	if (len == 0 || len >= KEYS_ID_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

void
keys_key_id(const uint8_t sign_pk[SIGN_PK_LEN], uint8_t out[KEY_ID_LEN])
{
	static const char tag[] = "kuska/key-id/v1";
	crypto_generichash_state st;
	uint8_t h[32];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)tag, sizeof(tag));
	crypto_generichash_update(&st, sign_pk, SIGN_PK_LEN);
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(out, h, KEY_ID_LEN);
}

static struct secret_key *
secret_key_alloc(void)
{
	struct secret_key *k = sodium_malloc(sizeof(*k));

	if (k != NULL)
		sodium_memzero(k, sizeof(*k));
	return k;
}

void
keys_free(struct secret_key **k)
{
	if (k == NULL || *k == NULL)
		return;
	sodium_free(*k); /* sodium_free wipes before unmapping */
	*k = NULL;
}

int
keys_generate(const char *id, struct secret_key **ret)
{
	struct secret_key *k;

	if (!keys_valid_id(id))
		return -EINVAL;
	k = secret_key_alloc();
	if (k == NULL)
		return -ENOMEM;
	snprintf(k->id, sizeof(k->id), "%s", id);
	crypto_sign_keypair(k->sign_pk, k->sign_sk);
	crypto_box_keypair(k->curve_pk, k->curve_sk);
	keys_key_id(k->sign_pk, k->key_id);
	*ret = k;
	return 0;
}

const char *
keys_b64(const uint8_t *in, size_t len, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, in, len, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

int
keys_parse_b64(const char *s, uint8_t *out, size_t len)
{
	size_t got = 0;
	const char *end = NULL;

	if (sodium_base642bin(out, len, s, strlen(s), NULL, &got, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -EINVAL;
	if (got != len || end == NULL || *end != '\0')
		return -EINVAL;
	return 0;
}

/* Writes all of buf to a new file (O_EXCL) with the given mode. */
static int
write_new_file(const char *path, const char *buf, size_t len, mode_t mode)
{
	int fd, r = 0;
	size_t off = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (r == 0 && fsync(fd) != 0)
		r = -errno;
	close(fd);
	if (r != 0)
		unlink(path);
	return r;
}

int
keys_write(const struct secret_key *k, const char *dir, const char *name)
{
	char path[4096], *buf;
	char b_ssk[128], b_csk[64], b_spk[64], b_cpk[64], fp[17];
	size_t cap = 1024;
	int n, r;

	buf = sodium_malloc(cap);
	if (buf == NULL)
		return -ENOMEM;
	keys_b64(k->sign_sk, SIGN_SK_LEN, b_ssk, sizeof(b_ssk));
	keys_b64(k->curve_sk, CURVE_KEY_LEN, b_csk, sizeof(b_csk));
	n = snprintf(buf, cap,
		     "# kuska secret key of \"%s\": keep private, mode 0600\n"
		     "id = %s\nsign_secret = %s\ntransport_secret = %s\n",
		     k->id, k->id, b_ssk, b_csk);
	sodium_memzero(b_ssk, sizeof(b_ssk));
	sodium_memzero(b_csk, sizeof(b_csk));
	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	r = write_new_file(path, buf, (size_t)n, 0600);
	sodium_free(buf);
	if (r != 0)
		return r;

	keys_b64(k->sign_pk, SIGN_PK_LEN, b_spk, sizeof(b_spk));
	keys_b64(k->curve_pk, CURVE_KEY_LEN, b_cpk, sizeof(b_cpk));
	for (n = 0; n < KEY_ID_LEN; n++)
		snprintf(fp + 2 * n, 3, "%02x", k->key_id[n]);
	{
		char pub[512];
		int m = snprintf(pub, sizeof(pub),
				 "# kuska public key of \"%s\"\n"
				 "id = %s\nsign_public = %s\n"
				 "transport_public = %s\nfingerprint = %s\n",
				 k->id, k->id, b_spk, b_cpk, fp);
		snprintf(path, sizeof(path), "%s/%s.pub", dir, name);
		r = write_new_file(path, pub, (size_t)m, 0644);
	}
	if (r != 0) {
		/* No secret key without its public half. */
		snprintf(path, sizeof(path), "%s/%s.key", dir, name);
		unlink(path);
	}
	return r;
}

/* A public key file named where a secret one is expected. */
#define PUBLIC_FOR_SECRET                                                      \
	"this is a public key file (.pub); a secret key file (.key) is "       \
	"expected"

/*
 * Whether the open file fd has a line of a public key file: a .pub named
 * where a secret is expected is readable by all, and "chmod 600 it" would
 * be the wrong advice. Reads fd from its start (pread: its offset stays).
 */
static bool
is_public_key_fd(int fd)
{
	char *buf = sodium_malloc(KEYS_MAX_FILE + 1), *line;
	bool found = false;
	ssize_t n;

	if (buf == NULL)
		return false;
	do
		n = pread(fd, buf, KEYS_MAX_FILE, 0);
	while (n < 0 && errno == EINTR);
	buf[n > 0 ? n : 0] = '\0';
	for (line = buf; !found && line != NULL; line = strchr(line, '\n')) {
		line += line[0] == '\n';
		line += strspn(line, " \t");
		found = strncmp(line, "sign_public", 11) == 0 ||
			strncmp(line, "transport_public", 16) == 0;
	}
	sodium_free(buf); /* wipes: a loose secret key reads here too */
	return found;
}

bool
keys_is_credential(const char *path)
{
	static const char prefix[] = "/run/credentials/";

	return strncmp(path, prefix, sizeof(prefix) - 1) == 0 &&
	       strstr(path, "/../") == NULL;
}

/*
 * The tags of a POSIX ACL's entries, as the kernel stores them in the
 * system.posix_acl_access attribute (version 2, little-endian).
 */
enum {
	KEYS_ACL_USER_OBJ = 0x01,
	KEYS_ACL_USER = 0x02,
	KEYS_ACL_GROUP_OBJ = 0x04,
	KEYS_ACL_GROUP = 0x08,
	KEYS_ACL_MASK = 0x10,
	KEYS_ACL_OTHER = 0x20,
};
#define KEYS_ACL_WRITE 2
#define KEYS_ACL_MAX 32 /* entries read; a longer ACL is not a credential's */

bool
keys_acl_reads_only_users(const uint8_t *acl, size_t n, uid_t euid,
			  bool any_user)
{
	unsigned seen = 0;
	size_t i;

	if (n < 4 || (n - 4) % 8 != 0 || acl[0] != 2 || acl[1] != 0 ||
	    acl[2] != 0 || acl[3] != 0)
		return false;
	for (i = 4; i < n; i += 8) {
		unsigned tag = acl[i] | (unsigned)acl[i + 1] << 8;
		unsigned perm = acl[i + 2] | (unsigned)acl[i + 3] << 8;
		uint32_t id = acl[i + 4] | (uint32_t)acl[i + 5] << 8 |
			      (uint32_t)acl[i + 6] << 16 |
			      (uint32_t)acl[i + 7] << 24;
		switch (tag) {
		case KEYS_ACL_USER:
			if ((perm & KEYS_ACL_WRITE) ||
			    (!any_user && id != (uint32_t)euid))
				return false;
			continue;
		case KEYS_ACL_GROUP:
			if (perm != 0)
				return false;
			continue;
		case KEYS_ACL_USER_OBJ:
		case KEYS_ACL_MASK:
			break;
		case KEYS_ACL_GROUP_OBJ:
		case KEYS_ACL_OTHER:
			if (perm != 0)
				return false;
			break;
		default:
			return false;
		}
		/* The four entries of every ACL, each once. */
		if (seen & tag)
			return false;
		seen |= tag;
	}
	return seen == (KEYS_ACL_USER_OBJ | KEYS_ACL_GROUP_OBJ | KEYS_ACL_MASK |
			KEYS_ACL_OTHER);
}

/* keys_acl_reads_only_users of fd's access ACL; false when it has none. */
static bool
acl_reads_only_users(int fd, uid_t euid, bool any_user)
{
	uint8_t acl[4 + 8 * KEYS_ACL_MAX];
	ssize_t n = fgetxattr(fd, "system.posix_acl_access", acl, sizeof(acl));

	return n > 0 &&
	       keys_acl_reads_only_users(acl, (size_t)n, euid, any_user);
}

/*
 * The checks of keys_check_private on the open file fd (named path in
 * errbuf): what is checked is what is then read, whatever the name
 * points at meanwhile.
 */
static int
check_private_fd(int fd, const char *path, char *errbuf, size_t errlen)
{
	char owner[64], me[64];
	struct stat st;
	uid_t euid = geteuid();
	/* Root reading a credential: whichever user systemd gave it to. */
	bool credential = euid == 0 && keys_is_credential(path);

	if (fstat(fd, &st) != 0) {
		int e = errno;
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s: not a regular file",
				 path);
		return -EINVAL;
	}
	if ((st.st_mode & 077) && is_public_key_fd(fd)) {
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s: " PUBLIC_FOR_SECRET,
				 path);
		return -EINVAL;
	}
	/* Whoever owns the file may change its mode and its key. */
	if (st.st_uid != euid && st.st_uid != 0 && !credential) {
		if (errbuf != NULL && euid == 0)
			snprintf(
			    errbuf, errlen,
			    "%s: secret key file is owned by %s (uid %lu), "
			    "not by root, who runs this: its owner could "
			    "change it; chown root %s",
			    path,
			    file_user_name(st.st_uid, owner, sizeof(owner)),
			    (unsigned long)st.st_uid, path);
		else if (errbuf != NULL)
			snprintf(
			    errbuf, errlen,
			    "%s: secret key file is owned by %s (uid %lu), "
			    "not by %s (uid %lu), who runs this, nor by "
			    "root: its owner could change it; sudo chown %s "
			    "%s",
			    path,
			    file_user_name(st.st_uid, owner, sizeof(owner)),
			    (unsigned long)st.st_uid,
			    file_user_name(euid, me, sizeof(me)),
			    (unsigned long)euid, me, path);
		return -EPERM;
	}
	if ((st.st_mode & 077) &&
	    !((st.st_mode & 007) == 0 &&
	      acl_reads_only_users(fd, euid, credential))) {
		if (errbuf != NULL)
			snprintf(errbuf, errlen,
				 "%s: secret key file is accessible by group "
				 "or others (mode %04o); chmod 600 it",
				 path, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/*
 * Opens a key file to read. A secret one (want_private) is opened
 * without following a symbolic link (O_NOFOLLOW: a link's target could be
 * changed under the check; no documented layout links a secret key) nor
 * blocking (a FIFO is refused, not waited on), and then checked.
 * Returns the descriptor or -errno, with errbuf filled.
 */
static int
open_key_file(const char *path, int want_private, char *errbuf, size_t errlen)
{
	struct stat st;
	int fd, r;

	if (want_private)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP && want_private && lstat(path, &st) == 0 &&
		    S_ISLNK(st.st_mode)) {
			if (errbuf != NULL)
				snprintf(errbuf, errlen,
					 "%s: a symbolic link: a secret key "
					 "is read from its own file, never "
					 "through a link; name the file",
					 path);
			return -EINVAL;
		}
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	if (want_private) {
		r = check_private_fd(fd, path, errbuf, errlen);
		if (r != 0) {
			close(fd);
			return r;
		}
	}
	return fd;
}

int
keys_check_private(const char *path, char *errbuf, size_t errlen)
{
	int fd = open_key_file(path, 1, errbuf, errlen);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * Reads a small key file into sodium_malloc() memory, NUL-ended. A
 * private one (want_private) is checked first, on the descriptor it is
 * then read from.
 */
static int
read_key_file(const char *path, int want_private, char **ret, char *errbuf,
	      size_t errlen)
{
	char *buf;
	size_t len = 0;
	int fd, r;

	fd = open_key_file(path, want_private, errbuf, errlen);
	if (fd < 0)
		return fd;
	buf = sodium_malloc(KEYS_MAX_FILE + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, KEYS_MAX_FILE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			close(fd);
			sodium_free(buf);
			if (errbuf != NULL)
				snprintf(errbuf, errlen, "%s: %s", path,
					 strerror(-r));
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > KEYS_MAX_FILE) {
			close(fd);
			sodium_free(buf);
			if (errbuf != NULL)
				snprintf(errbuf, errlen,
					 "%s: too large for a key file", path);
			return -EINVAL;
		}
	}
	close(fd);
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

/* The fields a key file may carry; each at most once. */
struct key_fields {
	char id[KEYS_ID_MAX];
	const char *names[6];
	char *values[6];  /* point into the file buffer */
	unsigned line[6]; /* of each value given, for its errors */
};

/*
 * Why a name does not belong in a file of f's kind: tells a public key
 * file given where a secret one is expected, and the other way round.
 */
static const char *
wrong_kind(const char *name, const struct key_fields *f)
{
	bool want_secret =
	    f->names[1] != NULL && strcmp(f->names[1], "sign_secret") == 0;

	if (want_secret && (strcmp(name, "sign_public") == 0 ||
			    strcmp(name, "transport_public") == 0 ||
			    strcmp(name, "fingerprint") == 0))
		return PUBLIC_FOR_SECRET;
	if (!want_secret && f->names[1] != NULL &&
	    (strcmp(name, "sign_secret") == 0 ||
	     strcmp(name, "transport_secret") == 0))
		return "this is a secret key file (.key); a public key file "
		       "(.pub) is expected";
	if (strcmp(f->names[0], "linkage") == 0)
		return "not a line of a linkage key file (linkage = ..., "
		       "epoch = ...)";
	if (strcmp(f->names[0], "ref") == 0)
		return "not a line of a ref key file (ref = ...)";
	if (strcmp(f->names[0], "oprf_share") == 0)
		return "not a line of an OPRF key share file (oprf_share = "
		       "..., epoch = ...)";
	if (strcmp(name, "linkage") == 0 || strcmp(name, "ref") == 0 ||
	    strcmp(name, "oprf_share") == 0)
		return "a line of another kind of key file (linkage, ref or "
		       "OPRF share)";
	return "unknown key";
}

/*
 * Splits "name = value" lines of buf (modified in place) into f, for the
 * names listed in f->names. Comments (#) and blank lines are skipped.
 */
static int
parse_key_lines(char *buf, struct key_fields *f, const char *path, char *errbuf,
		size_t errlen)
{
	char *line = buf, *next, *name = NULL;
	unsigned lineno = 0;
	const char *why;

	for (; line != NULL; line = next) {
		char *eq, *value, *end;
		size_t i;

		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (eq == NULL)
			goto bad;
		*eq = '\0';
		name = line;
		value = eq + 1;
		end = eq;
		while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		while (*value == ' ' || *value == '\t')
			value++;
		end = value + strlen(value);
		while (end > value &&
		       (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		for (i = 0; i < 6 && f->names[i] != NULL; i++)
			if (strcmp(name, f->names[i]) == 0)
				break;
		if (i < 6 && f->names[i] != NULL && f->values[i] != NULL) {
			why = "given twice";
			goto named;
		}
		if (i == 6 || f->names[i] == NULL) {
			why = wrong_kind(name, f);
			goto named;
		}
		f->values[i] = value;
		f->line[i] = lineno;
	}
	return 0;
named:
	if (errbuf != NULL) {
		char q[48];
		snprintf(errbuf, errlen, "%s:%u: %s: %s", path, lineno,
			 log_quote(name, name != NULL ? strlen(name) : 0, q,
				   sizeof(q)),
			 why);
	}
	return -EINVAL;
bad:
	if (errbuf != NULL)
		snprintf(errbuf, errlen,
			 "%s:%u: not a key file line (expected name = value)",
			 path, lineno);
	return -EINVAL;
}

/*
 * Refuses field i of f: "PATH:LINE: NAME: why" when the file gives it (its
 * value is wrong), "PATH: NAME: missing" when it does not. Returns -EINVAL.
 */
static int
refuse_field(const char *path, const struct key_fields *f, size_t i,
	     const char *why, char *errbuf, size_t errlen)
{
	if (errbuf == NULL)
		return -EINVAL;
	if (f->values[i] == NULL)
		snprintf(errbuf, errlen, "%s: %s: missing", path, f->names[i]);
	else
		snprintf(errbuf, errlen, "%s:%u: %s: %s", path, f->line[i],
			 f->names[i], why);
	return -EINVAL;
}

#define WHY_ID "not an id (1 to 31 of a-z, 0-9, _ and -)"

int
keys_load_secret(const char *path, struct secret_key **ret, char *errbuf,
		 size_t errlen)
{
	struct key_fields f = {
	    .names = {"id", "sign_secret", "transport_secret", NULL}};
	struct secret_key *k = NULL;
	char *buf;
	int r;

	r = read_key_file(path, 1, &buf, errbuf, errlen);
	if (r != 0)
		return r;
	r = parse_key_lines(buf, &f, path, errbuf, errlen);
	if (r != 0)
		goto out;
	k = secret_key_alloc();
	if (k == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (f.values[0] == NULL || !keys_valid_id(f.values[0])) {
		r = refuse_field(path, &f, 0, WHY_ID, errbuf, errlen);
		goto out;
	}
	snprintf(k->id, sizeof(k->id), "%s", f.values[0]);
	if (f.values[1] == NULL ||
	    keys_parse_b64(f.values[1], k->sign_sk, SIGN_SK_LEN) != 0) {
		r = refuse_field(path, &f, 1, "not base64 of 64 bytes", errbuf,
				 errlen);
		goto out;
	}
	if (f.values[2] == NULL ||
	    keys_parse_b64(f.values[2], k->curve_sk, CURVE_KEY_LEN) != 0) {
		r = refuse_field(path, &f, 2, "not base64 of 32 bytes", errbuf,
				 errlen);
		goto out;
	}
	crypto_sign_ed25519_sk_to_pk(k->sign_pk, k->sign_sk);
	crypto_scalarmult_base(k->curve_pk, k->curve_sk);
	keys_key_id(k->sign_pk, k->key_id);
	*ret = k;
	k = NULL;
out:
	keys_free(&k);
	sodium_free(buf);
	return r;
}

int
keys_load_public(const char *path, struct public_key *ret, char *errbuf,
		 size_t errlen)
{
	struct key_fields f = {.names = {"id", "sign_public",
					 "transport_public", "fingerprint",
					 NULL}};
	struct public_key k;
	char *buf;
	int r;

	memset(&k, 0, sizeof(k));
	r = read_key_file(path, 0, &buf, errbuf, errlen);
	if (r != 0)
		return r;
	r = parse_key_lines(buf, &f, path, errbuf, errlen);
	if (r != 0)
		goto out;
	if (f.values[0] == NULL || !keys_valid_id(f.values[0])) {
		r = refuse_field(path, &f, 0, WHY_ID, errbuf, errlen);
		goto out;
	}
	snprintf(k.id, sizeof(k.id), "%s", f.values[0]);
	if (f.values[1] == NULL ||
	    keys_parse_b64(f.values[1], k.sign_pk, SIGN_PK_LEN) != 0) {
		r = refuse_field(path, &f, 1, "not base64 of 32 bytes", errbuf,
				 errlen);
		goto out;
	}
	if (f.values[2] == NULL ||
	    keys_parse_b64(f.values[2], k.curve_pk, CURVE_KEY_LEN) != 0) {
		r = refuse_field(path, &f, 2, "not base64 of 32 bytes", errbuf,
				 errlen);
		goto out;
	}
	keys_key_id(k.sign_pk, k.key_id);
	if (f.values[3] != NULL) {
		char fp[17];
		int i;
		for (i = 0; i < KEY_ID_LEN; i++)
			snprintf(fp + 2 * i, 3, "%02x", k.key_id[i]);
		if (strcmp(f.values[3], fp) != 0) {
			r = refuse_field(path, &f, 3,
					 "does not match the key (the file was "
					 "altered?)",
					 errbuf, errlen);
			goto out;
		}
	}
	*ret = k;
out:
	sodium_free(buf);
	return r;
}

/* The line name and the comment of each kind of 32-byte key file. */
static const struct {
	const char *name, *comment;
	bool epoch;
} key32_kinds[] = {
    [KEY32_LINKAGE] = {"linkage",
		       "# kuska linkage key: the same on every institution "
		       "node, never on the\n# consolidator or a key holder; "
		       "mode 0600\n",
		       true},
    [KEY32_REF] = {"ref",
		   "# kuska ref key: this node's alone (event ids); never "
		   "copied elsewhere;\n# mode 0600\n",
		   false},
    [KEY32_OPRF_SHARE] = {"oprf_share",
			  "# kuska OPRF key share: one key holder's alone; "
			  "never copied elsewhere;\n# mode 0600\n",
			  true},
};

int
keys_key32_write(const char *path, enum key32_kind kind, uint32_t epoch)
{
	uint8_t *key;
	char *buf, b64[64];
	int n, r;

	if ((unsigned)kind > KEY32_OPRF_SHARE || epoch == 0 ||
	    epoch > KEYS_MAX_EPOCH)
		return -EINVAL;
	key = sodium_malloc(32);
	buf = sodium_malloc(512);
	if (key == NULL || buf == NULL) {
		if (key != NULL)
			sodium_free(key);
		if (buf != NULL)
			sodium_free(buf);
		return -ENOMEM;
	}
	if (kind == KEY32_OPRF_SHARE)
		oprf_key_generate(key); /* a scalar below the group order */
	else
		randombytes_buf(key, 32);
	keys_b64(key, 32, b64, sizeof(b64));
	if (key32_kinds[kind].epoch)
		n = snprintf(buf, 512, "%s%s = %s\nepoch = %u\n",
			     key32_kinds[kind].comment, key32_kinds[kind].name,
			     b64, (unsigned)epoch);
	else
		n = snprintf(buf, 512, "%s%s = %s\n", key32_kinds[kind].comment,
			     key32_kinds[kind].name, b64);
	sodium_memzero(b64, sizeof(b64));
	r = write_new_file(path, buf, (size_t)n, 0600);
	sodium_free(key);
	sodium_free(buf);
	return r;
}

/* parse_epoch - "1".."KEYS_MAX_EPOCH", no sign, no leading zero. */
static int
parse_epoch(const char *s, uint32_t *ret)
{
	unsigned long v = 0;
	size_t i;

	if (s[0] < '1' || s[0] > '9' || strlen(s) > 10)
		return -EINVAL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > KEYS_MAX_EPOCH)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

int
keys_key32_load(const char *path, enum key32_kind kind, struct key32 **ret,
		char *errbuf, size_t errlen)
{
	struct key_fields f = {.names = {NULL, NULL, NULL}};
	struct key32 *k = NULL;
	char *buf;
	int r;

	if ((unsigned)kind > KEY32_OPRF_SHARE)
		return -EINVAL;
	f.names[0] = key32_kinds[kind].name;
	if (key32_kinds[kind].epoch)
		f.names[1] = "epoch";
	r = read_key_file(path, 1, &buf, errbuf, errlen);
	if (r != 0)
		return r;
	r = parse_key_lines(buf, &f, path, errbuf, errlen);
	if (r != 0)
		goto out;
	k = sodium_malloc(sizeof(*k));
	if (k == NULL) {
		r = -ENOMEM;
		goto out;
	}
	sodium_memzero(k, sizeof(*k));
	k->epoch = 1;
	if (f.values[0] == NULL ||
	    keys_parse_b64(f.values[0], k->key, 32) != 0) {
		r = refuse_field(path, &f, 0, "not base64 of 32 bytes", errbuf,
				 errlen);
		goto out;
	}
	if (kind == KEY32_OPRF_SHARE && !oprf_scalar_valid(k->key)) {
		r = refuse_field(path, &f, 0,
				 "not a valid share (a non-zero scalar below "
				 "the group's order)",
				 errbuf, errlen);
		goto out;
	}
	if (f.values[1] != NULL && parse_epoch(f.values[1], &k->epoch) != 0) {
		char why[64];
		snprintf(why, sizeof(why),
			 "must be a whole number from 1 to %u",
			 (unsigned)KEYS_MAX_EPOCH);
		r = refuse_field(path, &f, 1, why, errbuf, errlen);
		goto out;
	}
	*ret = k;
	k = NULL;
out:
	keys_key32_free(&k);
	sodium_free(buf);
	return r;
}

void
keys_key32_free(struct key32 **k)
{
	if (k == NULL || *k == NULL)
		return;
	sodium_free(*k); /* wipes */
	*k = NULL;
}

uint64_t
keys_random64(void)
{
	uint64_t v;

	randombytes_buf(&v, sizeof(v));
	return v;
}
