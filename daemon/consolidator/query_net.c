/* query_net.c - requests and answers on the query socket; see query_net.h. */
#include "query_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "log.h"
#include "peers.h"
#include "query.h"

void
handle_query(struct cons *c, const struct tframes *req)
{
	const struct reg_party *p = NULL;
	const struct reg_key *k;
	struct peer_name who;
	struct query_req q;
	struct qtable tab;
	uint8_t *buf;
	size_t len;

	memset(&tab, 0, sizeof(tab));
	tab.k = (uint32_t)c->cfg.k;
	admit_message(c->admit, req->fd, req->user_id, date_mono_ms());
	/* Judged on every request: a reload may have revoked the key since
	 * the handshake, or its window closed. */
	k = peer_key(c, req->user_id, date_now_ms(), &who);
	if (k != NULL)
		p = k->owner;
	if (p == NULL) {
		log_warnx("event=query_refused who=%s key=%s "
			  "reason=key_not_valid",
			  who.party, who.key);
		snprintf(tab.error, sizeof(tab.error),
			 "key %s is no longer valid (revoked, expired or "
			 "removed): the connection is closed",
			 who.key);
		peer_refused(c, req);
	} else if (req->n != 2 ||
		   codec_query_req_decode(req->data[1], req->len[1], &q) != 0) {
		snprintf(tab.error, sizeof(tab.error), "malformed request");
		c->frames_refused++;
	} else {
		uint64_t t0 = date_mono_ms();
		int r = query_run(c->st, &q, p, (unsigned)c->cfg.k, &tab);
		int ti;
		for (ti = 0; query_tables[ti] != NULL && ti < 16; ti++)
			if (strcmp(q.table, query_tables[ti]) == 0)
				c->queries[ti][p->role]++;
		log_info("event=query who=%s role=%s table=%s period=%s "
			 "region=%u rows=%zu ms=%llu%s",
			 p->id, role_name(p->role), LOG_Q(q.table),
			 LOG_Q(q.period), q.region, tab.n_rows,
			 (unsigned long long)(date_mono_ms() - t0),
			 r != 0 ? " refused=1" : "");
	}
	if (codec_qtable_encode(&tab, &buf, &len) == 0) {
		send_to(c->query, req, buf, len);
		free(buf);
	}
	codec_qtable_clear(&tab);
}
