/* peers.c - admission and counting of network peers; see peers.h. */
#include "peers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "date.h"
#include "log.h"

/* A refused connection is closed this long after its refusal is sent. */
#define REFUSED_CLOSE_MS 500
/* Anonymous connections closed over a bound are logged at most so often. */
#define LIMIT_LOG_MS 10000

unsigned long
per_key_bound(const struct consolidator_config *cfg)
{
	return admit_limits_of(cfg->max_connections,
			       cfg->max_connections_per_key, cfg->max_pending,
			       cfg->max_pending_per_address)
	    .max_per_key;
}

int
zap_decide(void *arg, const char *domain, const char *address,
	   const uint8_t key[TRANSPORT_KEY_LEN], char *user_id, size_t cap)
{
	struct cons *c = arg;
	const struct reg_key *k;
	const char *name;
	const char *why, *bound;
	unsigned long limit;
	char fp[17];

	k = registry_by_transport(c->reg, key, date_now_ms());
	if (k == NULL) {
		c->handshake_failures++;
		/* A key the registry names has a budget of its own: a flood
		 * of unknown keys must not hide its refusal. */
		name = registry_transport_name(c->reg, key);
		log_warnx_budget(name != NULL ? &c->auth_known_log
					      : &c->auth_log,
				 "event=auth_refused domain=%s address=%s "
				 "transport_key=%s key=%s "
				 "reason=not_registered_or_not_valid",
				 domain, LOG_Q(address), log_hex8(key, fp),
				 name != NULL ? name : "none");
		return -1;
	}
	if (strcmp(domain, "ingest") == 0 && !k->owner->node) {
		c->handshake_failures++;
		log_warnx_budget(&c->auth_known_log,
				 "event=auth_refused domain=%s address=%s "
				 "key=%s owner=%s reason=not_a_node",
				 domain, LOG_Q(address), k->name, k->owner->id);
		return -1;
	}
	/* Only peers that completed a handshake count: idle or half-open
	 * connections are bounded on their own (admit.h). One key cannot
	 * take them all: a stolen one would lock every other out. */
	registry_user_id(k, user_id, cap);
	pthread_mutex_lock(&c->admit_mu);
	why = admit_refusal(c->admit, user_id, &bound, &limit);
	pthread_mutex_unlock(&c->admit_mu);
	if (why != NULL) {
		user_id[0] = '\0';
		c->handshake_failures++;
		log_warnx_budget(&c->auth_known_log,
				 "event=auth_refused domain=%s address=%s "
				 "key=%s reason=%s %s=%lu",
				 domain, LOG_Q(address), k->name, why, bound,
				 limit);
		return -1;
	}
	log_debug("event=auth_ok domain=%s address=%s key=%s owner=%s", domain,
		  LOG_Q(address), k->name, k->owner->id);
	return 0;
}

size_t
peers_serve_zap(struct cons *c)
{
	size_t k;

	for (k = 0; k < PEERS_ZAP_MAX_PER_CALL &&
		    tsock_zap_serve(c->zap, zap_decide, c) != -EAGAIN;
	     k++)
		;
	return k;
}

uint64_t
peer_message(struct cons *c, const struct tframes *req)
{
	struct reg_user n;
	size_t closed;
	uint64_t id;

	pthread_mutex_lock(&c->admit_mu);
	closed = admit_message(c->admit, req->fd, req->user_id, date_mono_ms());
	if (closed > 0) {
		registry_user_name(req->user_id, &n);
		/* Under admit_mu: both threads come here. */
		log_warnx_budget(&c->per_key_log,
				 "event=connections_closed key=%s count=%zu "
				 "reason=too_many_connections_for_key "
				 "max_connections_per_key=%lu",
				 n.key, closed, per_key_bound(&c->cfg));
	}
	id = admit_id(c->admit, req->fd);
	pthread_mutex_unlock(&c->admit_mu);
	return id;
}

void
peer_refused(struct cons *c, int fd, uint64_t id)
{
	pthread_mutex_lock(&c->admit_mu);
	admit_drop_later(c->admit, fd, id, date_mono_ms() + REFUSED_CLOSE_MS);
	pthread_mutex_unlock(&c->admit_mu);
}

uint64_t
peer_read(struct cons *c, const struct tframes *req, bool *ret_refused)
{
	const struct reg_key *k;
	struct reg_user who;
	bool refused;
	uint64_t id;

	/* A reload replaces the registry (and the bounds peer_message reads)
	 * under the write lock: a key it revokes is either judged by the new
	 * one here, or its connection, labelled here, closed by
	 * peers_revalidate. */
	pthread_rwlock_rdlock(&c->conf_lock);
	id = peer_message(c, req);
	k = registry_by_user_id(c->reg, req->user_id, date_now_ms(), &who);
	refused = k == NULL || k->owner->node;
	pthread_rwlock_unlock(&c->conf_lock);
	*ret_refused = refused;
	return id;
}

size_t
peers_revalidate(struct cons *c)
{
	size_t n;

	pthread_mutex_lock(&c->admit_mu);
	n = daemon_peers_revalidate(c->admit, c->reg, false,
				    per_key_bound(&c->cfg));
	pthread_mutex_unlock(&c->admit_mu);
	return n;
}

void
on_monitor(struct cons *c, const struct tmon_event *ev)
{
	pthread_mutex_lock(&c->admit_mu);
	admit_event(c->admit, ev, date_mono_ms());
	pthread_mutex_unlock(&c->admit_mu);
	switch (ev->ev) {
	case TEVENT_DISCONNECTED:
		log_debug("event=disconnected address=%s fd=%d",
			  LOG_Q(ev->addr), ev->fd);
		break;
	case TEVENT_HANDSHAKE_FAILED:
		/* Idle connections closed at the handshake interval come
		 * here too: counted, and logged by peers_tick. */
		c->handshakes_failed_since_log++;
		break;
	default:
		break;
	}
}

void
peers_read_monitors(struct cons *c)
{
	struct tmon_event ev;

	while (tsock_monitor_next(c->ingest_mon, &ev) == 0)
		on_monitor(c, &ev);
	while (tsock_monitor_next(c->query_mon, &ev) == 0)
		on_monitor(c, &ev);
}

void
peers_tick(struct cons *c)
{
	uint64_t now = date_mono_ms();
	size_t n;

	pthread_mutex_lock(&c->admit_mu);
	n = admit_tick(c->admit, now);
	pthread_mutex_unlock(&c->admit_mu);
	c->closed_since_log += n;
	if ((c->closed_since_log == 0 && c->handshakes_failed_since_log == 0) ||
	    now - c->closed_logged_ms < LIMIT_LOG_MS)
		return;
	if (c->handshakes_failed_since_log > 0)
		log_warnx("event=handshakes_failed count=%llu "
			  "hint=\"a protocol error, or no handshake within "
			  "the handshake interval\"",
			  (unsigned long long)c->handshakes_failed_since_log);
	if (c->closed_since_log > 0) {
		struct admit_counts k;
		pthread_mutex_lock(&c->admit_mu);
		admit_get_counts(c->admit, &k);
		pthread_mutex_unlock(&c->admit_mu);
		log_warnx("event=anonymous_closed count=%llu pending=%llu "
			  "max_pending=%lu max_pending_per_address=%lu",
			  (unsigned long long)c->closed_since_log,
			  (unsigned long long)k.pending, c->cfg.max_pending,
			  c->cfg.max_pending_per_address);
	}
	c->closed_since_log = 0;
	c->handshakes_failed_since_log = 0;
	c->closed_logged_ms = now;
}
