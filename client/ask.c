/* ask.c - one statistics request to the consolidator; see ask.h. */
#include "ask.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "date.h"
#include "keys.h"
#include "period.h"
#include "progress.h"
#include "region.h"
#include "settings.h"
#include "transport.h"

#define QUERY_TIMEOUT_MS 15000
#define QUERY_HANDSHAKE_TRIES 5 /* failed handshakes before giving up */
/* Refused connections, and none made, before calling the consolidator
 * unreachable: the retries come 0.2, 0.4, 0.8 s apart (the first may come
 * before the monitor listens), so about 1.5 s rather than the full wait. */
#define QUERY_REFUSED_TRIES 3

/* The endpoint as HOST:PORT, as an operator would name it. */
static const char *
host_port(const char *endpoint)
{
	return strncmp(endpoint, "tcp://", 6) == 0 ? endpoint + 6 : endpoint;
}

/* The refusal of a consolidator that stopped with the request held
 * (-EAGAIN), or was too busy to take it, during an audit or with too many
 * requests waiting (-EBUSY, asked again): not the table's, but no answer
 * (a report of it would show a hole). */
static int
refused_for_now(struct qtable *t, char *err, size_t errlen)
{
	int r = strcmp(t->error, CODEC_QUERY_STOPPING) == 0 ? -EAGAIN : -EBUSY;

	snprintf(err, errlen, "%s", t->error);
	codec_qtable_clear(t);
	memset(t, 0, sizeof(*t));
	return r;
}

/* The answer of a consolidator preparing the release asked for: not the
 * table's; err gets what is being computed. */
static int
preparing(struct qtable *t, char *err, size_t errlen)
{
	(void)codec_query_preparing(t->error, err, errlen);
	codec_qtable_clear(t);
	memset(t, 0, sizeof(*t));
	return -EINPROGRESS;
}

/* ask_table, asked once. */
static int
ask_once(const struct ask_client *a, const struct query_req *q,
	 struct qtable *ret, char *err, size_t errlen)
{
	const struct client_config *cfg = &a->cfg;
	const struct secret_key *key = a->key;
	struct transport *t = NULL;
	struct tsock *s = NULL, *mon = NULL;
	uint8_t *buf = NULL;
	size_t len;
	uint64_t deadline = date_mono_ms() + QUERY_TIMEOUT_MS;
	bool sent = false, reached = false;
	int r, failed = 0, refused = 0;

	if (settings_placeholder(cfg->consolidator)) {
		snprintf(err, errlen,
			 "consolidator = %.200s is the example's placeholder: "
			 "put the consolidator's host name or address in the "
			 "config",
			 cfg->consolidator);
		return -EINVAL;
	}
	if (key == NULL) { /* ask_config loads it with any real host */
		snprintf(err, errlen, "no key loaded from %.200s", cfg->key);
		return -EINVAL;
	}
	r = codec_query_req_encode(q, &buf, &len);
	if (r != 0)
		goto out;
	t = transport_new();
	if (t == NULL) {
		r = -ENOMEM;
		goto out;
	}
	s = tsock_connect_curve(t, cfg->consolidator, key->curve_pk,
				key->curve_sk, a->cons.curve_pk, NULL, &mon,
				&r);
	if (s == NULL)
		goto out;
	r = -ETIMEDOUT;
	snprintf(err, errlen, "no answer from %.200s within %d s",
		 cfg->consolidator, QUERY_TIMEOUT_MS / 1000);
	while (date_mono_ms() < deadline) {
		struct tsock *socks[2] = {s, mon};
		bool ready[2];
		enum tevent ev;
		char addr[128];
		struct tframes f;
		if (!sent) {
			const void *data[1] = {buf};
			sent = tsock_send(s, data, &len, 1) == 0;
		}
		if (tsock_poll(socks, 2, ready, 50) < 0)
			continue;
		while (ready[1] &&
		       tsock_monitor_read(mon, &ev, addr, sizeof(addr)) == 0) {
			/* A consolidator reached may be busy: wait for it.
			 * One nobody listens for will not answer at all. */
			if (ev != TEVENT_CONNECT_RETRIED && ev != TEVENT_OTHER)
				reached = true;
			if (ev == TEVENT_CONNECT_RETRIED && !reached &&
			    ++refused == QUERY_REFUSED_TRIES) {
				snprintf(err, errlen,
					 "the consolidator is not reachable "
					 "at %.200s (connection refused): is "
					 "kuska-consolidator running there?",
					 host_port(cfg->consolidator));
				goto out; /* r: -ETIMEDOUT, as no answer */
			}
			if (ev == TEVENT_HANDSHAKE_FAILED_AUTH) {
				snprintf(
				    err, errlen,
				    "the consolidator at %.200s refused this "
				    "client's key (not in its registry?)",
				    cfg->consolidator);
				r = -EACCES;
				goto out;
			}
			/* A connection cut in its handshake (a busy server
			 * closes some) is made again by itself; one that
			 * fails again and again has the wrong key. */
			if (ev == TEVENT_HANDSHAKE_FAILED &&
			    ++failed == QUERY_HANDSHAKE_TRIES) {
				snprintf(
				    err, errlen,
				    "the handshake with %.200s failed %d "
				    "times (is consolidator_key the "
				    "consolidator's public key?)",
				    cfg->consolidator, failed);
				r = -EPROTO;
				goto out;
			}
		}
		if (ready[0] && tsock_recv(s, &f, 1, CODEC_MAX_FRAME) == 0) {
			r = codec_qtable_decode(f.data[0], f.len[0], ret);
			tframes_clear(&f);
			if (r != 0)
				snprintf(err, errlen, "undecodable answer");
			else if (codec_query_preparing(ret->error, err, errlen))
				r = preparing(ret, err, errlen);
			else if (codec_query_refused_for_now(ret->error))
				r = refused_for_now(ret, err, errlen);
			goto out;
		}
	}
out:
	free(buf);
	tsock_free(&s); /* before its monitor, as libzmq's tests */
	tsock_free(&mon);
	transport_free(&t);
	return r;
}

/* A busy refusal's reason, without the advice to ask again that kuska
 * follows itself: "the consolidator is busy with an audit". */
static void
busy_reason(const char *refusal, char *what, size_t cap)
{
	const char *end = strstr(refusal, ": ask again");

	if (end == NULL)
		end = strstr(refusal, "; ask again");
	if (end == NULL)
		end = refusal + strlen(refusal);
	snprintf(what, cap, "%.*s", (int)(end - refusal), refusal);
}

/*
 * The bound on asking again, in ms: ASK_WAIT_LIMIT_MIN minutes, or less
 * when the tests' KUSKA_TEST_ASK_WAIT_MS names fewer ms (never more), so
 * that an end-to-end test sees the bound reached in seconds.
 */
static uint64_t
wait_limit_ms(void)
{
	const uint64_t limit = (uint64_t)ASK_WAIT_LIMIT_MIN * 60 * 1000;
	const char *s = getenv("KUSKA_TEST_ASK_WAIT_MS");
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return limit;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v >= limit)
		return limit;
	return v;
}

/* Sleeps ms, or left if less: the time left to the bound. */
static void
pause_ms(uint64_t ms, uint64_t left)
{
	struct timespec ts;

	if (left < ms)
		ms = left;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
ask_table(const struct ask_client *a, const struct query_req *q,
	  struct qtable *ret, char *err, size_t errlen)
{
	/* Once per command (one process), however many tables: the line
	 * said, and the time spent asking again, which the bound counts
	 * for all its tables together. */
	static bool said;
	static uint64_t spent;
	const char *cmd = a->cmd != NULL ? a->cmd : "query";
	const uint64_t limit = wait_limit_ms();
	uint64_t now, t0 = 0, used, wait = ASK_BUSY_FIRST_MS;
	char what[256];
	int r;

	while ((r = ask_once(a, q, ret, err, errlen)) == -EINPROGRESS ||
	       r == -EBUSY) {
		if (r == -EBUSY)
			busy_reason(err, what, sizeof(what));
		else
			snprintf(what, sizeof(what), "%s", err);
		now = date_mono_ms();
		if (t0 == 0)
			t0 = now;
		used = spent + (now - t0);
		if (used >= limit) {
			/* A busy refusal's reason says the consolidator is
			 * busy already: not said twice, nor the audit's
			 * load (PREPARING's) made its reason. */
			snprintf(err, errlen,
				 "still no table after %d minutes of asking "
				 "again: %s; %s: ask again later, or ask its "
				 "operator to look at its load",
				 ASK_WAIT_LIMIT_MIN, what,
				 r == -EBUSY
				     ? "it is up, but refused the request "
				       "each time"
				     : "the consolidator is up, computing the "
				       "secretariat's disclosure audit of that "
				       "year (slow on a loaded machine)");
			r = -EINPROGRESS;
			break;
		}
		if (!said) {
			if (a->prog != NULL)
				progress_clear(a->prog);
			if (r == -EBUSY)
				fprintf(stderr,
					"kuska %s: %s: asking again in a "
					"moment, for up to %d minutes\n",
					cmd, what, ASK_WAIT_LIMIT_MIN);
			else
				fprintf(stderr,
					"kuska %s: %s: asking again every %d "
					"s, for up to %d minutes\n",
					cmd, what, ASK_PREPARING_EVERY_S,
					ASK_WAIT_LIMIT_MIN);
			said = true;
		}
		if (r == -EINPROGRESS)
			pause_ms(ASK_PREPARING_EVERY_S * 1000, limit - used);
		else {
			pause_ms(wait, limit - used);
			wait = wait * 2 < ASK_BUSY_MAX_MS ? wait * 2
							  : ASK_BUSY_MAX_MS;
		}
	}
	if (t0 != 0)
		spent += date_mono_ms() - t0;
	return r;
}

/*
 * load_keys - loads cfg's two key files into *ret, said on stderr for
 * kuska CMD as the daemons say it, naming the config and its key ("CONF:
 * [client] key: PATH: Permission denied"), rather than a bare path the
 * reader must trace to the config. Returns 0 or 2 (the exit code; then
 * ret->key is NULL).
 */
static int
load_keys(const char *cmd, const char *conf, struct ask_client *ret)
{
	const struct client_config *cfg = &ret->cfg;
	char err[512], why[768], msg[1024];
	int r;

	r = keys_load_secret(cfg->key, &ret->key, err, sizeof(err));
	if (r != 0) {
		/* Made by root with sudo, a query key is root's, mode 0600. */
		snprintf(why, sizeof(why), "%s%s", err,
			 r == -EACCES ? " (the account that runs kuska must "
					"be able to read it: chown ACCOUNT "
					"FILE, keeping mode 0600)"
				      : "");
		fprintf(stderr, "kuska %s: %s\n", cmd,
			config_key_error(conf, "client", "key", why, msg,
					 sizeof(msg)));
		return 2;
	}
	if (keys_load_public(cfg->consolidator_key, &ret->cons, err,
			     sizeof(err)) != 0) {
		fprintf(stderr, "kuska %s: %s\n", cmd,
			config_key_error(conf, "client", "consolidator_key",
					 err, msg, sizeof(msg)));
		keys_free(&ret->key);
		return 2;
	}
	return 0;
}

int
ask_config(const char *cmd, const char *conf, struct ask_client *ret)
{
	char section[64], err[512];

	memset(ret, 0, sizeof(*ret));
	ret->cmd = cmd;
	/* A file that cannot be read is config_load's to say. */
	if (settings_section(conf, section, sizeof(section)) == 0 &&
	    strcmp(section, "client") != 0) {
		settings_wrong_kind(conf, section,
				    "a query client's config (a [client] file, "
				    "such as analyst.conf, or pnp-stats.conf "
				    "for an institution's officers)",
				    err, sizeof(err));
		fprintf(stderr, "kuska %s: %s\n", cmd, err);
		return 2;
	}
	if (config_load(conf, &settings_client_schema, &ret->cfg, err,
			sizeof(err)) != 0) {
		fprintf(stderr, "kuska %s: %s\n", cmd, err);
		return 2;
	}
	/* A placeholder host is ask_table's to say, before any key. */
	if (settings_placeholder(ret->cfg.consolidator))
		return 0;
	return load_keys(cmd, conf, ret);
}

void
ask_client_clear(struct ask_client *a)
{
	keys_free(&a->key);
}

int
ask_period(const char *cmd, const char *p, bool any_period, int32_t today,
	   uint32_t *ret_code, char ret_name[PERIOD_NAME_MAX])
{
	char why[200];
	int r;

	if (p == NULL) {
		fprintf(stderr, "kuska %s: missing --period P: %s\n", cmd,
			PERIOD_FORMS);
		return 2;
	}
	/* A period the answer ignores need only be well formed; one that
	 * does not parse always has a problem to say. */
	r = period_parse(p, ret_code);
	if ((r != 0 || !any_period) &&
	    period_problem(p, today, "--period", why, sizeof(why)) != NULL) {
		fprintf(stderr, "kuska %s: %s\n", cmd, why);
		return 2;
	}
	/* Asked and written back as the tables write it: 2025H2, not
	 * 2025h2 (the report's title, its file, kuska query's notes). */
	period_name(*ret_code, ret_name);
	return 0;
}

int
ask_region(const char *cmd, const char *arg, uint32_t *ret_code)
{
	uint32_t named;

	if (region_parse(arg, ret_code) == 0)
		return 0;
	/* A department asked by name (--region LIMA) is told its code. */
	named = region_from_name(arg, strlen(arg));
	if (named != 0)
		fprintf(stderr,
			"kuska %s: bad region \"%s\": an INEI code 01 to 25 "
			"(%02u for %s)\n",
			cmd, arg, (unsigned)named, region_name(named));
	else
		fprintf(stderr,
			"kuska %s: bad region \"%s\": an INEI code 01 to 25\n",
			cmd, arg);
	return 2;
}

bool
ask_all_zero(const struct qtable *t)
{
	size_t i, j, numbers = 0;

	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++) {
			const struct cell *c = &t->rows[i][j];
			if (c->kind == CELL_SUPPRESSED ||
			    c->kind == CELL_DECIMAL ||
			    (c->kind == CELL_NUMBER && c->number != 0))
				return false;
			numbers += c->kind == CELL_NUMBER;
		}
	return numbers > 0;
}

void
ask_note_all_zero(const char *cmd, const char *period, uint32_t region)
{
	char where[32] = "";

	if (region != 0)
		snprintf(where, sizeof(where), " in region %02u",
			 (unsigned)region);
	fprintf(stderr,
		"kuska %s: note: every count is 0%s; if figures were "
		"expected, see whether the consolidator holds records dated "
		"in %s: kuska query timeliness --period %s counts them by "
		"institution%s (records just submitted count once their node "
		"has delivered them: kuska status on the node shows those "
		"waiting)\n",
		cmd, where, period, period,
		region != 0 ? ", for the whole country" : "");
}
