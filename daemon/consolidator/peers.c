/* peers.c - admission and counting of network peers; see peers.h. */
#include "peers.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "log.h"

/* The ZAP verdict: registered keys only, institutions only on ingest. */
int
zap_decide(void *arg, const char *domain, const char *address,
	   const uint8_t key[TRANSPORT_KEY_LEN], char *user_id, size_t cap)
{
	struct cons *c = arg;
	const struct reg_key *k;
	char fp[17];

	if (c->connections > (int64_t)c->cfg.max_connections) {
		c->handshake_failures++;
		log_warnx("event=auth_refused domain=%s address=%s "
			  "reason=too_many_connections max_connections=%lu",
			  domain, address, c->cfg.max_connections);
		return -1;
	}
	k = registry_by_transport(c->reg, key, date_now_ms());
	if (k == NULL) {
		c->handshake_failures++;
		log_warnx("event=auth_refused domain=%s address=%s "
			  "transport_key=%s reason=not_registered_or_not_valid",
			  domain, address, log_hex8(key, fp));
		return -1;
	}
	if (strcmp(domain, "ingest") == 0 &&
	    k->owner->role != ROLE_INSTITUTION) {
		c->handshake_failures++;
		log_warnx("event=auth_refused domain=%s address=%s key=%s "
			  "owner=%s reason=not_an_institution",
			  domain, address, k->name, k->owner->id);
		return -1;
	}
	snprintf(user_id, cap, "%s", k->owner->id);
	log_debug("event=auth_ok domain=%s address=%s key=%s owner=%s", domain,
		  address, k->name, k->owner->id);
	return 0;
}

/* Connection events of the network sockets. */
void
on_monitor(struct cons *c, enum tevent ev, const char *addr)
{
	switch (ev) {
	case TEVENT_ACCEPTED:
		c->connections++;
		break;
	case TEVENT_DISCONNECTED:
		if (c->connections > 0)
			c->connections--;
		log_debug("event=disconnected address=%s", LOG_Q(addr));
		break;
	case TEVENT_HANDSHAKE_FAILED:
		log_warnx("event=handshake_failed address=%s", LOG_Q(addr));
		break;
	default:
		break;
	}
}
