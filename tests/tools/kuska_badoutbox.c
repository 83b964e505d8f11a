/*
 * kuska_badoutbox - writes, for the end-to-end tests, an outbox whose
 * first envelope does not decode: the checksums the node verifies at
 * start are right (the bytes are those written), the bytes are not an
 * envelope.
 *
 *	kuska_badoutbox DIR
 *
 * DIR must exist and hold no outbox. Exit status 0, or 1 with a line on
 * standard error.
 */
#include <stdio.h>
#include <string.h>

#include "outbox.h"

#define MAP_SIZE ((size_t)16 << 20)

int
main(int argc, char **argv)
{
	/* Field 1 as a length-delimited field running past the end. */
	static const uint8_t junk[] = {0x0a, 0x7f, 'n', 'o', 't', ' ',
				       'a',  'n',  ' ', 'e', 'n', 'v',
				       'e',  'l',  'o', 'p', 'e'};
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: kuska_badoutbox DIR\n");
		return 1;
	}
	r = outbox_open(argv[1], MAP_SIZE, &ob);
	if (r == 0)
		r = outbox_begin(ob, &t);
	if (r == 0)
		r = outbox_append(t, 1, 1000, junk, sizeof(junk), "REF-1");
	if (r == 0)
		r = outbox_commit(&t);
	outbox_abort(&t);
	outbox_close(&ob);
	if (r != 0) {
		fprintf(stderr, "kuska_badoutbox: %s: %s\n", argv[1],
			strerror(-r));
		return 1;
	}
	return 0;
}
