/*
 * keys_key32.c - the 32-byte secret key files, some with an epoch: the
 * linkage key, a node's ref key, a key holder's OPRF key share, made,
 * written and loaded; see keys.h.
 */
#include "keys.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "keys_int.h"
#include "oprf.h"

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
	r = keys_write_new_file(path, buf, (size_t)n, 0600);
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
	r = keys_read_file(path, 1, &buf, errbuf, errlen);
	if (r != 0)
		return r;
	r = keys_parse_lines(buf, &f, path, errbuf, errlen);
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
		r = keys_refuse_field(path, &f, 0, "not base64 of 32 bytes",
				      errbuf, errlen);
		goto out;
	}
	if (kind == KEY32_OPRF_SHARE && !oprf_scalar_valid(k->key)) {
		r = keys_refuse_field(
		    path, &f, 0,
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
		r = keys_refuse_field(path, &f, 1, why, errbuf, errlen);
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
