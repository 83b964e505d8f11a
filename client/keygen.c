/* keygen.c - kuska keygen: key pairs and the linkage key. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "keys.h"

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"linkage", required_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = ".", *linkage = NULL;
	struct secret_key *k = NULL;
	char fp[17];
	int ch, r, i;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'l':
			linkage = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (linkage != NULL) {
		if (optind != argc)
			goto usage;
		r = keys_linkage_write(linkage);
		if (r != 0) {
			fprintf(stderr, "kuska keygen: %s: %s\n", linkage,
				strerror(-r));
			return 1;
		}
		printf("wrote linkage key %s (mode 0600): copy it to every "
		       "institution node, never to the consolidator\n",
		       linkage);
		return 0;
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
		fprintf(stderr, "kuska keygen: %s/%s.key: %s\n", dir,
			argv[optind], strerror(-r));
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
			"       kuska keygen --linkage FILE\n");
	return 2;
}
