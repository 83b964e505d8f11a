/* audit.c - re-verify and count what the store holds; see audit.h. */
#include "audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "ingest.h"

#define AUDIT_MAX_NAMED 50 /* envelopes named per institution */

struct audit_ctx {
	const struct registry *reg;
	const struct reg_party *party;
	struct event *ev;
	FILE *out;
	uint64_t max_seq;
	uint64_t accepted, bad;
	int err; /* why audit_envelope stopped (memory ran out) */
};

/* Names one envelope that fails, the first AUDIT_MAX_NAMED of each. */
static void
name_bad(struct audit_ctx *c, uint64_t seq, const char *why)
{
	c->bad++;
	if (c->bad <= AUDIT_MAX_NAMED && c->party != NULL)
		fprintf(c->out, "%s seq %llu: %s\n", c->party->id,
			(unsigned long long)seq, why);
}

static int
audit_envelope(void *arg, const void *k, size_t klen, const void *v,
	       size_t vlen)
{
	struct audit_ctx *c = arg;
	struct envelope env;
	char why[CODEC_MAX_TEXT + 1];
	uint64_t seq;
	int r;

	if (klen != 8) {
		c->bad++;
		return 0;
	}
	seq = store_get64(k);
	if (seq > c->max_seq)
		c->max_seq = seq;
	c->accepted++;
	r = codec_envelope_decode(v, vlen, &env);
	if (r == -ENOMEM)
		goto oom;
	if (r != 0) {
		name_bad(c, seq, "undecodable envelope");
		return 0;
	}
	if (env.seq != seq || c->party == NULL || env.inst != c->party->inst)
		name_bad(c, seq,
			 "stored under another sequence or "
			 "institution");
	else if (ingest_check(c->reg, c->party, &env, c->ev, why, sizeof(why),
			      &r) != REASON_NONE &&
		 r == 0)
		name_bad(c, seq, why);
	codec_envelope_clear(&env);
	if (r == 0)
		return 0;
oom:
	/* Not a finding about the envelope: the audit stops. */
	c->err = r;
	return 1;
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
		struct audit_ctx c = {.reg = reg, .ev = ev, .out = out};
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
		if (r == 1)
			r = c.err;
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

/* What audit_owner found of one institution's last envelope. */
enum owner_verdict {
	OWNER_NONE,	 /* no envelope of it */
	OWNER_FITS,	 /* signed for this network by a key listed for it */
	OWNER_UNLISTED,	 /* its party or key not listed, or not its key's */
	OWNER_OTHER_NET, /* a listed key's, signed for another network */
};

/* Whether inst's last envelope fits the registry (audit_owner): a verdict,
 * the why of one that does not in why[cap], or -errno. */
static int
owner_of(struct store_txn *t, const struct registry *reg,
	 enum institution inst, struct event *ev, char *why, size_t cap)
{
	const struct reg_party *party = registry_institution(reg, inst);
	char text[CODEC_MAX_TEXT + 1];
	struct envelope env;
	const void *k, *v;
	size_t klen, vlen;
	enum reason rs;
	int r, err = 0;

	r = store_last(t, T_ENV_FIRST + inst - 1, NULL, 0, &k, &klen, &v,
		       &vlen);
	if (r == -ENOENT)
		return OWNER_NONE;
	if (r != 0)
		return r;
	if (party == NULL) {
		snprintf(why, cap, "it holds events of %s, which the registry "
			 "does not list", institution_name(inst));
		return OWNER_UNLISTED;
	}
	r = codec_envelope_decode(v, vlen, &env);
	if (r != 0) /* damage: store_check's */
		return r == -ENOMEM ? r : OWNER_FITS;
	rs = ingest_check(reg, party, &env, ev, text, sizeof(text), &err);
	codec_envelope_clear(&env);
	if (err != 0)
		return err;
	if (rs != REASON_UNKNOWN_KEY && rs != REASON_BAD_SIGNATURE &&
	    rs != REASON_WRONG_NETWORK)
		return OWNER_FITS; /* the registry's own verdicts (revoked) */
	snprintf(why, cap, "%s's last event (sequence %llu): %s",
		 institution_name(inst),
		 (unsigned long long)(klen == 8 ? store_get64(k) : 0), text);
	return rs == REASON_WRONG_NETWORK ? OWNER_OTHER_NET : OWNER_UNLISTED;
}

int
audit_owner(struct store *st, const struct registry *reg, char *why,
	    size_t cap)
{
	char one[CODEC_MAX_TEXT + 256];
	struct store_txn *t = NULL;
	struct event *ev;
	size_t len = 0;
	int i, r, held = 0, fits = 0, other_net = 0;

	if (cap > 0)
		why[0] = '\0';
	ev = malloc(sizeof(*ev));
	if (ev == NULL)
		return -ENOMEM;
	r = store_begin(st, false, &t);
	for (i = 1; r == 0 && i <= INST_COUNT; i++) {
		int v = owner_of(t, reg, (enum institution)i, ev, one,
				 sizeof(one));
		if (v < 0) {
			r = v;
			break;
		}
		held += v != OWNER_NONE;
		fits += v == OWNER_FITS;
		other_net += v == OWNER_OTHER_NET;
		if ((v == OWNER_UNLISTED || v == OWNER_OTHER_NET) && len < cap)
			len += (size_t)snprintf(why + len, cap - len, "%s%s",
						len > 0 ? "\n" : "", one);
	}
	if (t != NULL)
		store_abort(&t);
	free(ev);
	if (r != 0)
		return r;
	if (other_net > 0 || (held > 0 && fits == 0))
		return 1;
	return fits < held ? 2 : 0;
}

/* The institution and sequence of a damaged primary entry, if it is one. */
static const char *
primary(const struct store_damage *d, enum institution *ret_inst,
	uint64_t *ret_seq)
{
	if (d->tb >= T_ENV_FIRST && d->tb <= T_ENV_LAST && d->klen == 8) {
		*ret_inst = (enum institution)(d->tb - T_ENV_FIRST + 1);
		*ret_seq = store_get64(d->key);
		return "envelope";
	}
	if ((d->tb == T_REFUSED || d->tb == T_REFUSED_ENV) && d->klen == 9 &&
	    d->key[0] >= 1 && d->key[0] <= INST_COUNT) {
		*ret_inst = (enum institution)d->key[0];
		*ret_seq = store_get64(d->key + 1);
		return d->tb == T_REFUSED ? "refusal" : "refused envelope";
	}
	return NULL;
}

uint64_t
audit_damage(const struct store_report *r, FILE *out, size_t max)
{
	size_t i, shown = 0;
	int tb;

	if (r->unreadable) {
		fprintf(out, "unreadable: %s\n", r->why);
		return 1 + r->n_damaged;
	}
	for (i = 0; i < r->n_listed; i++) {
		enum institution inst;
		uint64_t seq;
		const char *what = primary(&r->damaged[i], &inst, &seq);
		if (what == NULL)
			continue;
		if (shown++ < max)
			fprintf(out, "damaged: %s seq %llu (%s)\n",
				institution_name(inst), (unsigned long long)seq,
				what);
	}
	if (shown > max)
		fprintf(out,
			"damaged: ... and %zu more envelopes or "
			"refusals\n",
			shown - max);
	for (tb = 0; tb < T_COUNT; tb++) {
		if (r->damaged_in[tb] == 0 ||
		    (tb >= T_ENV_FIRST && tb <= T_ENV_LAST) ||
		    tb == T_REFUSED || tb == T_REFUSED_ENV)
			continue;
		fprintf(out, "damaged: %llu entries of table t%02d (%s)\n",
			(unsigned long long)r->damaged_in[tb], tb,
			tb == T_META	  ? "store metadata"
			: tb == T_INSTS	  ? "institutions' counts"
			: tb == T_CHANGES ? "corrections' bookkeeping"
					  : "statistics");
	}
	if (r->n_damaged > r->n_listed)
		fprintf(out,
			"damaged: %llu entries in all (the first %zu "
			"listed)\n",
			(unsigned long long)r->n_damaged, r->n_listed);
	return r->n_damaged;
}

uint64_t
audit_first_damaged(const struct store_report *r, enum institution inst)
{
	uint64_t first = 0;
	size_t i;

	for (i = 0; i < r->n_listed; i++) {
		enum institution in;
		uint64_t seq;
		if (primary(&r->damaged[i], &in, &seq) != NULL && in == inst &&
		    (first == 0 || seq < first))
			first = seq;
	}
	return first;
}
