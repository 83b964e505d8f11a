/*
 * ask.h - one statistics request to the consolidator over ZeroMQ CURVE,
 * as a query client (kuska query, kuska report).
 */
#ifndef KUSKA_ASK_H
#define KUSKA_ASK_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "settings.h"

/*
 * ask_table - connects to cfg's consolidator with cfg's key, sends q and
 * waits (up to 15 s) for the table. Returns 0 and *ret (whose rows the
 * caller releases with codec_qtable_clear; ret->error is set when the
 * consolidator refused the request), or -errno with a sentence in err:
 * a key file that cannot be read, -EACCES when the consolidator refuses
 * this client's key, -ETIMEDOUT, -EBADMSG for an undecodable answer.
 */
int ask_table(const struct client_config *cfg, const struct query_req *q,
	      struct qtable *ret, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * ask_config - loads conf, a query client's config, for kuska CMD.
 * Returns 0, or 2 (the exit code) after saying on stderr what is wrong:
 * a node's or another daemon's config is named as such, not reported as
 * an unknown section.
 */
int ask_config(const char *cmd, const char *conf, struct client_config *cfg);

/*
 * ask_period - reads the --period of kuska CMD (kuska query, kuska
 * report): p as given, NULL when it was not. Returns 0 with its code
 * (period.h) in *ret_code, or 2 (a usage error) after saying on stderr
 * "kuska CMD: missing --period P: ..." with the forms a period takes, or
 * why p cannot be asked for (period_problem: malformed, before 2000, not
 * begun). any_period: the answer is the same for every period, so a
 * well-formed p is enough.
 */
int ask_period(const char *cmd, const char *p, bool any_period,
	       uint32_t *ret_code);

/*
 * ask_all_zero - whether a table of counts holds nothing but zeros: every
 * number 0, none hidden, no decimal. Read as "no cases", such an answer
 * may be "no data": a period before the institutions' first export, or a
 * year mistyped.
 */
bool ask_all_zero(const struct qtable *t);

/*
 * ask_note_all_zero - says so on stderr for kuska CMD, and how to see
 * whether the consolidator holds records dated in period.
 */
void ask_note_all_zero(const char *cmd, const char *period);

#endif
