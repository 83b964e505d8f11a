/* ingest_net_hello.c - hellos judged, divergence marked; see ingest_net.h. */
#include "ingest_net.h"
#include "ingest_net_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "log.h"

/*
 * Whether institution i's outbox diverged (note_diverged), within its
 * budget: on a change, and again when changes were held back.
 */
static void
log_diverged(struct cons *c, enum institution i)
{
	if (c->diverged[i][0] != '\0')
		log_warnx_budget(&c->diverged_log[i],
				 "event=diverged institution=%s text=%s "
				 "(cleared when its node proves its outbox "
				 "in step with this store, or an event of it "
				 "is accepted)",
				 institution_name(i), LOG_Q(c->diverged[i]));
	else
		log_info_budget(&c->diverged_log[i],
				"event=diverged_cleared institution=%s",
				institution_name(i));
}

/*
 * Marks institution i diverged, for why: as a hello saying so does, and a
 * batch with a sequence signed twice (ingest_net_set_conflict).
 */
static void
set_diverged(struct cons *c, enum institution i, const char *why)
{
	bool changed = c->diverged[i][0] == '\0';

	/* Our clock: the node's is its word, any 64 bits. */
	c->diverged_said_ms[i] = date_mono_ms();
	c->diverged_said[i] = true;
	c->diverged_clear[i].has = false;
	snprintf(c->diverged[i], sizeof(c->diverged[i]), "%s", why);
	if (changed)
		log_diverged(c, i);
}

/*
 * What a hello on req's connection says about the node's outbox: that it
 * diverged raises the alarm at once; that it did not only names the
 * connection whose next accepted event (ingest_net_diverged_accepted), or
 * this hello's own proof once checked (ingest_net_diverged_proved), clears
 * it.
 */
static void
note_diverged(struct cons *c, enum institution i, const struct tframes *req,
	      const struct msg *m)
{
	struct diverged_clear *dc = &c->diverged_clear[i];

	if (m->diverged[0] != '\0') {
		c->diverged_hellos[i]++;
		set_diverged(c, i, m->diverged);
		return;
	}
	if (c->diverged[i][0] == '\0' || req->len[0] > sizeof(dc->rid))
		return;
	dc->has = true;
	memcpy(dc->rid, req->data[0], req->len[0]);
	dc->rid_len = req->len[0];
}

/*
 * A batch of institution i held sequence seq with other bytes than ours
 * (refused, see ingest_batch): two signers with its key. Shown as a
 * divergence, which only the node's proof or a later accepted event on a
 * connection whose hello did not say diverged clears.
 */
void
ingest_net_set_conflict(struct cons *c, enum institution i, uint64_t seq)
{
	char why[CODEC_MAX_TEXT + 1];

	snprintf(why, sizeof(why),
		 "sequence %llu was signed twice: a batch held it with other "
		 "bytes than ours (a stolen key? OPERATIONS.md section 6; a "
		 "restored outbox? section 10)",
		 (unsigned long long)seq);
	c->conflicts[i]++;
	set_diverged(c, i, why);
}

/* A batch on req's connection had an event of institution i accepted. */
void
ingest_net_diverged_accepted(struct cons *c, enum institution i,
			     const struct tframes *req)
{
	struct diverged_clear *dc = &c->diverged_clear[i];

	if (!dc->has || req->len[0] != dc->rid_len ||
	    memcmp(req->data[0], dc->rid, dc->rid_len) != 0)
		return;
	dc->has = false;
	c->diverged[i][0] = '\0';
	log_diverged(c, i);
}

/*
 * A hello on req's connection proved its outbox ends where our copy does
 * (in_step): like an accepted event, it clears the mark, if made now by
 * our wall clock (within DATE_SKEW_WARN_MS: an old proof sent again
 * proves nothing now), and if no hello said diverged for
 * diverged_quiet_s by our monotonic clock. A node that diverged says so
 * every DIVERGED_HELLO_MS; a second live node with its key (a cloned
 * machine, a stolen key file with a copy of the outbox), in step, proves
 * it at each of its hellos: without the wait its proofs would clear the
 * mark the diverged one raises, most of the time.
 */
void
ingest_net_diverged_proved(struct cons *c, enum institution i,
			   const struct tframes *req, uint64_t made_ms)
{
	int64_t skew = date_skew_ms(made_ms, date_now_ms());

	if (skew > DATE_SKEW_WARN_MS || skew < -DATE_SKEW_WARN_MS)
		return;
	if (c->diverged_said[i] && date_mono_ms() - c->diverged_said_ms[i] <
				       (uint64_t)c->cfg.diverged_quiet_s * 1000)
		return;
	ingest_net_diverged_accepted(c, i, req);
}

/* What a hello says about the node's clock and its outbox. */
static void
note_hello(struct cons *c, const struct tframes *req, const struct reg_party *p,
	   const struct msg *m, uint64_t now)
{
	enum institution i = p->inst;
	char sp[32];

	if (m->now_ms != 0) {
		c->has_skew[i] = true;
		/* The node's reading is its word: any 64 bits. */
		c->skew_ms[i] = date_skew_ms(m->now_ms, now);
		if (c->skew_ms[i] > DATE_SKEW_WARN_MS ||
		    c->skew_ms[i] < -DATE_SKEW_WARN_MS)
			log_warnx_budget(
			    &c->skew_log[i],
			    "event=clock_skew institution=%s skew_s=%lld "
			    "(its clock is %s %s ours: check NTP on both "
			    "machines)",
			    p->id, (long long)(c->skew_ms[i] / 1000),
			    date_skew_words(c->skew_ms[i], sp, sizeof(sp)),
			    c->skew_ms[i] > 0 ? "ahead of" : "behind");
	}
	note_diverged(c, i, req, m);
}

void
diverged_tick(struct cons *c)
{
	uint64_t now = date_mono_ms();
	int i;

	for (i = 1; i <= INST_COUNT; i++)
		if (log_budget_due(&c->diverged_log[i], now))
			log_diverged(c, (enum institution)i);
}

/*
 * A hello, judged on the main thread: refused at once when it names
 * another institution, version or network; otherwise its clock and
 * outbox noted. Returns whether it goes on to the pipeline (welcome).
 */
bool
ingest_net_judge_hello(struct cons *c, const struct tframes *req,
		       const struct reg_party *p, const struct msg *m)
{
	uint64_t now = date_now_ms();

	if (m->inst != p->inst) {
		log_warnx_budget(&c->refusal_log[p->inst],
				 "event=hello_refused institution=%s "
				 "claims=%s reason=wrong_institution",
				 p->id, institution_name(m->inst));
		ingest_net_refuse(c, req, 0, REASON_WRONG_INSTITUTION,
				  "hello names another institution");
		return false;
	}
	if (m->version < CODEC_VERSION_MIN || m->version > CODEC_VERSION) {
		ingest_net_refuse(c, req, 0, REASON_BAD_VERSION,
				  "protocol version not supported");
		return false;
	}
	if (strcmp(m->network, c->reg->network) != 0) {
		char text[CODEC_MAX_TEXT + 1];
		log_warnx_budget(&c->refusal_log[p->inst],
				 "event=hello_refused institution=%s "
				 "network=%s reason=wrong_network",
				 p->id, LOG_Q(m->network));
		snprintf(text, sizeof(text),
			 "this consolidator serves network %s; the node is "
			 "configured for %s (its [node] network: correct "
			 "it or its consolidator address)",
			 c->reg->network,
			 m->network[0] != '\0' ? m->network : "none");
		ingest_net_refuse(c, req, 0, REASON_WRONG_NETWORK, text);
		return false;
	}
	note_hello(c, req, p, m, now);
	c->contact_ms[p->inst] = now;
	return true;
}
