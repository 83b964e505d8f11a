/* unmatched_memo.c - the unmatched take-ups last listed for a node, said
 * again for a while; see unmatched_memo.h. */
#include "unmatched_memo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
unmatched_memo_get(struct unmatched_memo *m, const struct stats *s,
		   enum institution inst, uint64_t now_ms,
		   struct unmatched *out, size_t max, size_t *ret_n,
		   uint64_t *ret_total)
{
	size_t n;
	int r;

	if (m->at_ms == 0 || now_ms < m->at_ms ||
	    now_ms - m->at_ms >= UNMATCHED_MEMO_MS) {
		if (m->list == NULL) {
			m->list = calloc(CODEC_MAX_UNMATCHED, sizeof(*m->list));
			if (m->list == NULL)
				return -ENOMEM;
		}
		r = stats_unmatched(s, inst, m->list, CODEC_MAX_UNMATCHED, &n,
				    ret_total);
		if (r != 0) {
			m->at_ms = 0;
			return r;
		}
		m->n = n;
		m->total = *ret_total;
		/* 0 is the mark of none: a clock that starts at 0 says 1. */
		m->at_ms = now_ms != 0 ? now_ms : 1;
	}
	n = m->n < max ? m->n : max;
	memcpy(out, m->list, n * sizeof(*out));
	*ret_n = n;
	*ret_total = m->total;
	return 0;
}

void
unmatched_memo_clear(struct unmatched_memo *m)
{
	free(m->list);
	memset(m, 0, sizeof(*m));
}
