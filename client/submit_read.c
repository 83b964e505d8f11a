/* submit_read.c - lines read and wiped, chunks freed; see submit_int.h. */
#include "submit_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The lines may hold names and document numbers: wipe, then free. */
void
submit_chunk_clear(struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->lines[i] == NULL)
			continue;
		explicit_bzero(c->lines[i], c->lens[i]);
		free(c->lines[i]);
		c->lines[i] = NULL;
	}
	c->n = 0;
	c->bytes = 0;
}

/* Moves the unconsumed bytes to the front, wiping where they were. */
static void
compact(struct reader *rd)
{
	size_t n = rd->end - rd->start;

	if (rd->start == 0)
		return;
	memmove(rd->buf, rd->buf + rd->start, n);
	explicit_bzero(rd->buf + n, rd->end - n);
	rd->start = 0;
	rd->end = n;
}

/*
 * submit_next_line - the next line (without its end of line, at most LINE_KEEP
 * bytes: the rest of a longer line is dropped, and the node refuses it)
 * into a new malloc'd buffer at *ret (*ret_len bytes). Returns 1, 0 at
 * the end of the file, or -errno.
 */
int
submit_next_line(struct reader *rd, uint8_t **ret, size_t *ret_len)
{
	uint8_t *nl = NULL, *line;
	size_t len, keep;

	if (rd->buf == NULL && (rd->buf = calloc(1, READ_CAP)) == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t got;
		nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
		if (nl != NULL || rd->eof)
			break;
		compact(rd);
		if (rd->end == READ_CAP && !rd->cut &&
		    submit_cr_records(rd->buf, LINE_KEEP)) {
			/* Records parted by CRs alone: a file of CR line
			 * ends (or its rest), refused whole from this head
			 * (submit_judge_head, submit_judge_tail). Read no
			 * further: it may be gigabytes. */
			rd->eof = true;
			rd->stopped = true;
			break;
		}
		if (rd->end == READ_CAP) {
			/* No end of line in READ_CAP bytes: keep the head,
			 * drop the rest as it comes. */
			explicit_bzero(rd->buf + LINE_KEEP,
				       READ_CAP - LINE_KEEP);
			rd->end = LINE_KEEP;
			rd->cut = true;
		}
		got = read(rd->fd, rd->buf + rd->end, READ_CAP - rd->end);
		if (got < 0 && errno == EINTR && !submit_interrupted)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			rd->eof = true;
		rd->end += (size_t)got;
	}
	if (nl == NULL && rd->start == rd->end)
		return 0;
	len = (nl != NULL ? (size_t)(nl - rd->buf) : rd->end) - rd->start;
	keep = len;
	while (keep > 0 && rd->buf[rd->start + keep - 1] == '\r')
		keep--;
	if (keep > LINE_KEEP)
		keep = LINE_KEEP;
	line = malloc(keep + 1);
	if (line == NULL)
		return -ENOMEM;
	memcpy(line, rd->buf + rd->start, keep);
	len += nl != NULL ? 1 : 0;
	rd->lf = nl != NULL;
	rd->cut = false;
	explicit_bzero(rd->buf + rd->start, len);
	rd->start += len;
	*ret = line;
	*ret_len = keep;
	return 1;
}
