/*
 * keys_load.c - key files read (a secret one checked by keys_perm.c on
 * the descriptor it is read from) and parsed: "name = value" lines, each
 * refused line or field named with its file and line; secret and public
 * keys loaded; see keys.h.
 */
#include "keys.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keys_int.h"
#include "log.h"

int
keys_read_file(const char *path, int want_private, char **ret, char *errbuf,
	       size_t errlen)
{
	char *buf, *nul;
	size_t len = 0;
	int fd, r;

	fd = keys_open_file(path, want_private, errbuf, errlen);
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
	/* A NUL ends every line read after it: the file's later lines
	 * were said to be "missing", not the file to be damaged. */
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		size_t at = (size_t)(nul - buf);

		sodium_free(buf);
		if (errbuf != NULL)
			snprintf(errbuf, errlen,
				 "%s: a NUL byte at offset %zu: not a key "
				 "file's text (damaged?); put back its copy "
				 "from a backup",
				 path, at);
		return -EINVAL;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

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
		return KEYS_PUBLIC_FOR_SECRET;
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

int
keys_parse_lines(char *buf, struct key_fields *f, const char *path,
		 char *errbuf, size_t errlen)
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

int
keys_refuse_field(const char *path, const struct key_fields *f, size_t i,
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

	r = keys_read_file(path, 1, &buf, errbuf, errlen);
	if (r != 0)
		return r;
	r = keys_parse_lines(buf, &f, path, errbuf, errlen);
	if (r != 0)
		goto out;
	k = keys_secret_alloc();
	if (k == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (f.values[0] == NULL || !keys_valid_id(f.values[0])) {
		r = keys_refuse_field(path, &f, 0, WHY_ID, errbuf, errlen);
		goto out;
	}
	snprintf(k->id, sizeof(k->id), "%s", f.values[0]);
	if (f.values[1] == NULL ||
	    keys_parse_b64(f.values[1], k->sign_sk, SIGN_SK_LEN) != 0) {
		r = keys_refuse_field(path, &f, 1, "not base64 of 64 bytes",
				      errbuf, errlen);
		goto out;
	}
	if (f.values[2] == NULL ||
	    keys_parse_b64(f.values[2], k->curve_sk, CURVE_KEY_LEN) != 0) {
		r = keys_refuse_field(path, &f, 2, "not base64 of 32 bytes",
				      errbuf, errlen);
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
	r = keys_read_file(path, 0, &buf, errbuf, errlen);
	if (r != 0)
		return r;
	r = keys_parse_lines(buf, &f, path, errbuf, errlen);
	if (r != 0)
		goto out;
	if (f.values[0] == NULL || !keys_valid_id(f.values[0])) {
		r = keys_refuse_field(path, &f, 0, WHY_ID, errbuf, errlen);
		goto out;
	}
	snprintf(k.id, sizeof(k.id), "%s", f.values[0]);
	if (f.values[1] == NULL ||
	    keys_parse_b64(f.values[1], k.sign_pk, SIGN_PK_LEN) != 0) {
		r = keys_refuse_field(path, &f, 1, "not base64 of 32 bytes",
				      errbuf, errlen);
		goto out;
	}
	if (f.values[2] == NULL ||
	    keys_parse_b64(f.values[2], k.curve_pk, CURVE_KEY_LEN) != 0) {
		r = keys_refuse_field(path, &f, 2, "not base64 of 32 bytes",
				      errbuf, errlen);
		goto out;
	}
	keys_key_id(k.sign_pk, k.key_id);
	if (f.values[3] != NULL) {
		char fp[17];
		int i;
		for (i = 0; i < KEY_ID_LEN; i++)
			snprintf(fp + 2 * i, 3, "%02x", k.key_id[i]);
		if (strcmp(f.values[3], fp) != 0) {
			r = keys_refuse_field(
			    path, &f, 3,
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
