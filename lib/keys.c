/*
 * keys.c - ids, key pairs made, encoded and written, in libsodium's
 * memory; see keys.h. Who may read a secret key file is keys_perm.c's,
 * key files read and parsed keys_load.c's, the 32-byte keys with epochs
 * keys_key32.c's (keys_int.h).
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keys_int.h"

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

struct secret_key *
keys_secret_alloc(void)
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
	k = keys_secret_alloc();
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

int
keys_write_new_file(const char *path, const char *buf, size_t len, mode_t mode)
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
	r = keys_write_new_file(path, buf, (size_t)n, 0600);
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
		r = keys_write_new_file(path, pub, (size_t)m, 0644);
	}
	if (r != 0) {
		/* No secret key without its public half. */
		snprintf(path, sizeof(path), "%s/%s.key", dir, name);
		unlink(path);
	}
	return r;
}

uint64_t
keys_random64(void)
{
	uint64_t v;

	randombytes_buf(&v, sizeof(v));
	return v;
}
