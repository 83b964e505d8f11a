/*
 * fuzz_keyfile.c - the key file readers on arbitrary bytes, written with
 * mode 0600 to a file in a temporary directory: keys_load_secret(),
 * keys_load_public() and keys_key32_load() (linkage, ref, OPRF share).
 *
 * Invariants (abort() when broken): every refusal carries a message; a
 * loaded key has a valid id, and its key id is the fingerprint of its
 * signing key.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmp_dir[64];
static char path[128];

static void
cleanup(void)
{
	unlink(path);
	if (tmp_dir[0] != '\0')
		rmdir(tmp_dir);
}

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	if (keys_init() != 0)
		abort();
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/kuska-fuzz-XXXXXX",
		 t != NULL && strlen(t) < 40 ? t : "/tmp");
	if (mkdtemp(tmp_dir) == NULL) {
		tmp_dir[0] = '\0';
		abort();
	}
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/fuzz.key", tmp_dir);
}

static void
write_private(const uint8_t *data, size_t size)
{
	size_t off = 0;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);
}

static void
check_refusal(int r, const char *err)
{
	if (r == 0 || err[0] == '\0' || memchr(err, '\0', 512) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct secret_key *sk = NULL;
	struct public_key pk;
	struct key32 *k32 = NULL;
	enum key32_kind kind;
	uint8_t id[KEY_ID_LEN];
	char err[512];
	int r;

	if (tmp_dir[0] == '\0')
		setup();
	write_private(data, size);

	err[0] = '\0';
	r = keys_load_secret(path, &sk, err, sizeof(err));
	if (r == 0) {
		keys_key_id(sk->sign_pk, id);
		if (!keys_valid_id(sk->id) ||
		    memcmp(id, sk->key_id, KEY_ID_LEN) != 0)
			abort();
		keys_free(&sk);
	} else {
		check_refusal(r, err);
	}

	err[0] = '\0';
	r = keys_load_public(path, &pk, err, sizeof(err));
	if (r == 0) {
		keys_key_id(pk.sign_pk, id);
		if (!keys_valid_id(pk.id) ||
		    memcmp(id, pk.key_id, KEY_ID_LEN) != 0)
			abort();
	} else {
		check_refusal(r, err);
	}

	for (kind = KEY32_LINKAGE; kind <= KEY32_OPRF_SHARE; kind++) {
		err[0] = '\0';
		r = keys_key32_load(path, kind, &k32, err, sizeof(err));
		if (r == 0) {
			if (k32->epoch == 0 || k32->epoch > KEYS_MAX_EPOCH)
				abort();
			keys_key32_free(&k32);
		} else {
			check_refusal(r, err);
		}
	}
	return 0;
}
