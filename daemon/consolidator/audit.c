/* audit.c - re-verify and count what the store holds; see audit.h. */
#include "audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "ingest.h"

struct audit_ctx {
	const struct registry *reg;
	const struct reg_party *party;
	struct event *ev;
	uint64_t max_seq;
	uint64_t accepted, bad;
};

static int
audit_envelope(void *arg, const void *k, size_t klen, const void *v,
	       size_t vlen)
{
	struct audit_ctx *c = arg;
	struct envelope env;
	char why[CODEC_MAX_TEXT + 1];
	uint64_t seq;

	if (klen != 8) {
		c->bad++;
		return 0;
	}
	seq = store_get64(k);
	if (seq > c->max_seq)
		c->max_seq = seq;
	c->accepted++;
	if (codec_envelope_decode(v, vlen, &env) != 0) {
		c->bad++;
		return 0;
	}
	/* No "after today" slack problem: events were checked on arrival. */
	if (env.seq != seq || c->party == NULL || env.inst != c->party->inst ||
	    ingest_check(c->reg, c->party, &env, INT32_MAX - 2, c->ev, why,
			 sizeof(why)) != REASON_NONE)
		c->bad++;
	codec_envelope_clear(&env);
	return 0;
}

/* Refused sequences of one institution, checked against the accepted. */
struct refused_ctx {
	struct store_txn *t;
	enum store_table env_table;
	uint64_t refused, doubled;
};

static int
audit_refused(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct refused_ctx *c = arg;
	const void *ev;
	size_t evlen;

	(void)v;
	(void)vlen;
	if (klen != 9)
		return 0;
	c->refused++;
	if (store_get(c->t, c->env_table, (const uint8_t *)k + 1, 8, &ev,
		      &evlen) == 0)
		c->doubled++;
	return 0;
}

int
audit_run(struct store *st, const struct registry *reg, FILE *out)
{
	struct store_txn *t;
	struct event *ev;
	int i, r, bad = 0;

	ev = malloc(sizeof(*ev));
	if (ev == NULL)
		return -ENOMEM;
	r = store_begin(st, false, &t);
	if (r != 0) {
		free(ev);
		return r;
	}
	for (i = 1; i <= INST_COUNT; i++) {
		struct audit_ctx c = {.reg = reg, .ev = ev};
		struct refused_ctx rc = {.t = t,
					 .env_table = T_ENV_FIRST + i - 1};
		uint8_t ik = (uint8_t)i;
		const void *v;
		size_t vlen;
		uint64_t last = 0, missing;

		c.party = registry_institution(reg, (enum institution)i);
		if (store_get(t, T_INSTS, &ik, 1, &v, &vlen) == 0 && vlen >= 8)
			last = store_get64(v);
		r = store_each(t, T_ENV_FIRST + i - 1, NULL, 0, audit_envelope,
			       &c);
		if (r == 0)
			r = store_each(t, T_REFUSED, &ik, 1, audit_refused,
				       &rc);
		if (r != 0)
			break;
		missing = last - (c.accepted + rc.refused - rc.doubled);
		if (c.accepted + rc.refused - rc.doubled > last)
			missing = 0;
		fprintf(
		    out,
		    "%s last_seq=%llu accepted=%llu refused=%llu "
		    "missing=%llu doubled=%llu failed_verification=%llu\n",
		    institution_name((enum institution)i),
		    (unsigned long long)last, (unsigned long long)c.accepted,
		    (unsigned long long)rc.refused, (unsigned long long)missing,
		    (unsigned long long)rc.doubled, (unsigned long long)c.bad);
		if (missing || rc.doubled || c.bad || c.max_seq > last ||
		    c.accepted + rc.refused - rc.doubled != last)
			bad = 1;
	}
	store_abort(&t);
	free(ev);
	return r != 0 ? r : bad;
}
