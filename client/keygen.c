/*
 * keygen.c - kuska keygen: key pairs, and the 32-byte secrets of
 * pseudonyms (linkage key, a node's ref key, a key holder's OPRF share).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "keys.h"

/* What each kind of secret file is for, said once it is written. */
static const char *const written[] = {
    [KEY32_LINKAGE] = "linkage key (mode 0600, key epoch %u): copy it to "
		      "every institution node, never to the consolidator or "
		      "a key holder",
    [KEY32_REF] = "ref key (mode 0600): this node's own; copy it nowhere "
		  "else (back it up with the node's outbox)",
    [KEY32_OPRF_SHARE] = "OPRF key share (mode 0600, key epoch %u): for "
			 "one key holder only; make each holder's share on "
			 "its own machine",
};

static int
write_key32(const char *path, enum key32_kind kind, unsigned long epoch)
{
	int r = keys_key32_write(path, kind, (uint32_t)epoch);

	if (r != 0) {
		fprintf(stderr, "kuska keygen: %s: %s\n", path,
			r == -EINVAL ? "bad epoch" : strerror(-r));
		return 1;
	}
	printf("wrote %s: ", path);
	printf(written[kind], (unsigned)epoch);
	printf("\n");
	return 0;
}

/*
 * Says which file a failed keys_write() of DIR/NAME is about: a missing
 * DIR; an existing NAME.key, which stops it first; otherwise NAME.pub
 * (the NAME.key just written is removed again).
 */
static void
say_write_error(const char *dir, const char *name, int r)
{
	char path[4096];
	struct stat st;

	if (r == -ENOENT && stat(dir, &st) != 0) {
		fprintf(stderr, "kuska keygen: %s: no such directory\n", dir);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	if (r == -EEXIST && stat(path, &st) != 0)
		snprintf(path, sizeof(path), "%s/%s.pub", dir, name);
	fprintf(stderr, "kuska keygen: %s: %s\n", path, strerror(-r));
}

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"linkage", required_argument, NULL, 'l'},
	    {"ref-key", required_argument, NULL, 'r'},
	    {"oprf-share", required_argument, NULL, 's'},
	    {"epoch", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = ".", *file = NULL;
	enum key32_kind kind = KEY32_LINKAGE;
	unsigned long epoch = 1;
	struct secret_key *k = NULL;
	char fp[17], *end;
	int ch, r, i, secrets = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'l':
		case 'r':
		case 's':
			file = optarg;
			kind = ch == 'l'   ? KEY32_LINKAGE
			       : ch == 'r' ? KEY32_REF
					   : KEY32_OPRF_SHARE;
			secrets++;
			break;
		case 'e':
			errno = 0;
			epoch = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || epoch < 1 ||
			    epoch > KEYS_MAX_EPOCH) {
				fprintf(stderr,
					"kuska keygen: --epoch: a whole number "
					"from 1 to %u\n",
					(unsigned)KEYS_MAX_EPOCH);
				return 2;
			}
			break;
		default:
			goto usage;
		}
	}
	if (secrets > 1)
		goto usage;
	if (file != NULL) {
		if (optind != argc)
			goto usage;
		return write_key32(file, kind, epoch);
	}
	if (optind + 1 != argc)
		goto usage;
	if (!keys_valid_id(argv[optind])) {
		fprintf(stderr,
			"kuska keygen: \"%s\": a name is 1-31 characters of "
			"a-z, 0-9, _ and -\n",
			argv[optind]);
		return 2;
	}
	r = keys_generate(argv[optind], &k);
	if (r == 0)
		r = keys_write(k, dir, argv[optind]);
	if (r != 0) {
		say_write_error(dir, argv[optind], r);
		keys_free(&k);
		return 1;
	}
	for (i = 0; i < KEY_ID_LEN; i++)
		snprintf(fp + 2 * i, 3, "%02x", k->key_id[i]);
	printf("wrote %s/%s.key (secret, mode 0600) and %s/%s.pub "
	       "(fingerprint %s)\n",
	       dir, argv[optind], dir, argv[optind], fp);
	keys_free(&k);
	return 0;
usage:
	fprintf(stderr, "usage: kuska keygen NAME [--dir DIR]\n"
			"       kuska keygen --linkage FILE [--epoch N]\n"
			"       kuska keygen --ref-key FILE\n"
			"       kuska keygen --oprf-share FILE [--epoch N]\n");
	return 2;
}
