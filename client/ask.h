/*
 * ask.h - one statistics request to the consolidator over ZeroMQ CURVE,
 * as a query client (kuska query, kuska report).
 */
#ifndef KUSKA_ASK_H
#define KUSKA_ASK_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "keys.h"
#include "period.h"
#include "settings.h"

/*
 * A query client: its config and its two keys, loaded once by ask_config
 * for every request of the command (a report asks a few dozen tables).
 */
struct progress;

struct ask_client {
	struct client_config cfg;
	struct secret_key *key; /* NULL: cfg.consolidator is a placeholder */
	struct public_key cons; /* the consolidator's */
	const char *cmd;	/* "query", "report": for stderr */
	struct progress *prog;	/* a progress line to clear before
				   saying anything, or NULL */
};

/* How long kuska asks again for a table whose release is being prepared,
 * or that a busy consolidator refused (ask_table): ASK_WAIT_LIMIT_MIN
 * minutes a command, all its tables' waits together; a release being prepared
 * every ASK_PREPARING_EVERY_S, a busy refusal after ASK_BUSY_FIRST_MS,
 * then twice as long each time, up to ASK_BUSY_MAX_MS. */
#define ASK_WAIT_LIMIT_MIN 5
#define ASK_PREPARING_EVERY_S 2
#define ASK_BUSY_FIRST_MS 500
#define ASK_BUSY_MAX_MS 2000

/*
 * ask_table - connects to a's consolidator with a's key, sends q and
 * waits (up to 15 s) for the table. Returns 0 and *ret (whose rows the
 * caller releases with codec_qtable_clear; ret->error is set when the
 * consolidator refused the request), or -errno with a sentence in err:
 * -EINVAL for a placeholder consolidator, -EACCES when the consolidator
 * refuses this client's key, -ETIMEDOUT, -EBADMSG for an undecodable
 * answer, -EAGAIN when it stopped before answering (CODEC_QUERY_STOPPING:
 * ask again once it is back). A secretariat's release being computed
 * (codec_query_preparing) is asked for again every ASK_PREPARING_EVERY_S,
 * a request refused as busy (any other codec_query_refused_for_now: an
 * audit holding all it holds, too many requests waiting) after a short
 * wait growing to ASK_BUSY_MAX_MS; said once a command on stderr
 * ("kuska CMD: ..."), for up to ASK_WAIT_LIMIT_MIN minutes of asking
 * again a command, its tables' together, so that a report of many tables
 * waits no longer than a query: then -EINPROGRESS, err saying what to do (kuska
 * exits 3). The tests shorten the bound with KUSKA_TEST_ASK_WAIT_MS.
 */
int ask_table(const struct ask_client *a, const struct query_req *q,
	      struct qtable *ret, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * ask_config - loads conf, a query client's config, and its two key
 * files into *ret for kuska CMD. Returns 0 (release *ret with
 * ask_client_clear), or 2 (the exit code, *ret holding nothing to
 * release) after saying on stderr what is wrong: a node's or another
 * daemon's config is named as such, not reported as an unknown section;
 * a key file that cannot be read is named by the config's key for it.
 * A placeholder consolidator loads no key: ask_table says so.
 */
int ask_config(const char *cmd, const char *conf, struct ask_client *ret);

/* ask_client_clear - wipes and frees a's secret key; accepts one never
 * loaded or already cleared. */
void ask_client_clear(struct ask_client *a);

/*
 * ask_period - reads the --period of kuska CMD (kuska query, kuska
 * report): p as given, NULL when it was not. Returns 0 with its code
 * (period.h) in *ret_code and its name in ret_name, as the tables write
 * it ("2025H2" for a "2025h2" given), or 2 (a usage error) after saying
 * on stderr
 * "kuska CMD: missing --period P: ..." with the forms a period takes, or
 * why p cannot be asked for (period_problem: malformed, before 2000, not
 * begun by day today, the caller's one reading of date_today). any_period:
 * the answer is the same for every period, so a well-formed p is enough.
 */
int ask_period(const char *cmd, const char *p, bool any_period, int32_t today,
	       uint32_t *ret_code, char ret_name[PERIOD_NAME_MAX]);

/*
 * ask_region - reads the --region of kuska CMD (kuska query, kuska
 * report): an INEI department code, two digits 01 to 25
 * (region_parse). Returns 0 with the code in *ret_code, or 2 (a usage
 * error, *ret_code left alone) after saying on stderr
 * "kuska CMD: bad region "ARG": an INEI code 01 to 25", and " (15 for
 * Lima)" after it when ARG is a department's name (region_from_name).
 */
int ask_region(const char *cmd, const char *arg, uint32_t *ret_code);

/*
 * ask_all_zero - whether a table of counts holds nothing but zeros: every
 * number 0, none hidden, no decimal. Read as "no cases", such an answer
 * may be "no data": a period before the institutions' first export, or a
 * year mistyped.
 */
bool ask_all_zero(const struct qtable *t);

/*
 * ask_note_all_zero - says so on stderr for kuska CMD, of region (0: the
 * whole country), and how to see whether the consolidator holds records
 * dated in period: the whole country's timeliness, which every role may
 * ask (the secretariat gets no timeliness by region).
 */
void ask_note_all_zero(const char *cmd, const char *period, uint32_t region);

#endif
