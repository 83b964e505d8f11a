/* intake.c - validate, pseudonymise, sign, store; see intake.h. */
#include "intake.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "log.h"
#include "record.h"
#include "sign.h"

static bool
blank(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

static void refuse(struct line_result *res, const char *field, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void
refuse(struct line_result *res, const char *field, const char *fmt, ...)
{
	va_list ap;

	res->status = LINE_REFUSED;
	snprintf(res->field, sizeof(res->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
}

/*
 * Resolves a correction's or withdrawal's target. With `strict`, also
 * applies the rules that matter only for a new record (target live, a
 * correction the target's kind). Returns 0, or -EINVAL with res filled.
 */
static int
resolve_target(struct outbox_txn *t, struct intake *in, struct parsed_record *p,
	       bool strict, struct ref_info *ret, struct line_result *res)
{
	uint8_t tid[EVENT_ID_LEN];
	int r;

	pseudo_event_id(in->linkage, in->inst, p->target_ref, tid);
	r = outbox_ref_get(t, tid, ret);
	if (r == -ENOENT) {
		refuse(res, "target_ref", "no earlier record has this ref");
		return -EINVAL;
	}
	if (r != 0) {
		refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	p->ev.target_seq = ret->seq;
	if (!strict)
		return 0;
	if (ret->target) {
		refuse(res, "target_ref",
		       "names a correction or withdrawal; name the original "
		       "record");
		return -EINVAL;
	}
	if (ret->state == REF_WITHDRAWN) {
		refuse(res, "target_ref", "that record was withdrawn");
		return -EINVAL;
	}
	if (p->ev.kind == KIND_CORRECTION && p->ev.rec.kind != ret->kind) {
		refuse(res, "record.kind", "must be the target's kind, %s",
		       kind_name((enum kind)ret->kind));
		return -EINVAL;
	}
	return 0;
}

/* Signs the event bytes as envelope seq and appends it to the outbox. */
static int
seal(struct outbox_txn *t, struct intake *in, uint64_t seq, const uint8_t *evb,
     size_t evlen, const char *ref)
{
	struct envelope env;
	struct sign_fields f;
	uint8_t *buf;
	size_t len;
	int r;

	memset(&env, 0, sizeof(env));
	env.version = CODEC_VERSION;
	env.inst = in->inst;
	env.seq = seq;
	memcpy(env.key_id, in->key->key_id, KEY_ID_LEN);
	env.created_ms = date_now_ms();
	env.event = (uint8_t *)evb;
	env.event_len = evlen;
	snprintf(env.network, sizeof(env.network), "%s", in->network);
	f.network = env.network;
	f.version = env.version;
	f.institution = (uint8_t)env.inst;
	f.seq = seq;
	f.created_ms = env.created_ms;
	memcpy(f.key_id, env.key_id, KEY_ID_LEN);
	f.event = evb;
	f.event_len = evlen;
	r = sign_envelope(in->key->sign_sk, &f, env.signature);
	if (r != 0)
		return r;
	r = codec_envelope_encode(&env, &buf, &len);
	if (r != 0)
		return r;
	r = outbox_append(t, seq, env.created_ms, buf, len, ref);
	free(buf);
	return r;
}

/*
 * One non-blank line. Returns 0 (res says what happened to the line) or
 * -errno for a store failure that must abort the whole request.
 */
static int
take_line(struct outbox_txn *t, struct intake *in, const uint8_t *line,
	  size_t len, int32_t today, struct parsed_record *p,
	  struct line_result *res)
{
	struct record_error err;
	struct ref_info known, target;
	uint8_t digest[32], *evb = NULL;
	size_t evlen;
	bool have_known;
	uint64_t seq;
	int r;

	if (record_parse((const char *)line, len, in->inst, in->linkage, today,
			 p, &err) != 0) {
		refuse(res, err.field, "%s", err.reason);
		return 0;
	}
	res->unlinkable = p->unlinkable;
	r = outbox_ref_get(t, p->ev.id, &known);
	if (r != 0 && r != -ENOENT) {
		refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	have_known = r == 0;
	if (p->ev.kind == KIND_CORRECTION || p->ev.kind == KIND_WITHDRAWAL) {
		r = resolve_target(t, in, p, !have_known, &target, res);
		if (r == -EINVAL && have_known) {
			refuse(res, "ref",
			       "already used for a different record (seq "
			       "%llu)",
			       (unsigned long long)known.seq);
			return 0;
		}
		if (r != 0)
			return r == -EINVAL ? 0 : r;
	}
	r = codec_event_encode(&p->ev, &evb, &evlen);
	if (r != 0) {
		refuse(res, "", "cannot encode the record: %s", strerror(-r));
		return 0;
	}
	sign_digest(evb, evlen, digest);
	if (have_known) {
		free(evb);
		if (memcmp(known.digest, digest, 32) == 0) {
			res->status = LINE_HELD;
			res->seq = known.seq;
		} else {
			refuse(res, "ref",
			       "already used for a different record (seq "
			       "%llu)",
			       (unsigned long long)known.seq);
		}
		return 0;
	}
	seq = outbox_next_seq(t);
	r = seal(t, in, seq, evb, evlen, p->ref);
	free(evb);
	if (r == 0) {
		struct ref_info ni = {.seq = seq, .state = REF_LIVE};
		memcpy(ni.digest, digest, 32);
		ni.kind =
		    (uint8_t)(p->ev.kind == KIND_WITHDRAWAL ? target.kind
							    : p->ev.rec.kind);
		ni.target = p->ev.kind == KIND_CORRECTION ||
			    p->ev.kind == KIND_WITHDRAWAL;
		r = outbox_ref_put(t, p->ev.id, &ni);
	}
	if (r == 0 && p->ev.kind == KIND_WITHDRAWAL) {
		uint8_t tid[EVENT_ID_LEN];
		pseudo_event_id(in->linkage, in->inst, p->target_ref, tid);
		target.state = REF_WITHDRAWN;
		r = outbox_ref_put(t, tid, &target);
	}
	if (r != 0) {
		refuse(res, "", "store error: %s", strerror(-r));
		return r;
	}
	res->status = LINE_ACCEPTED;
	res->seq = seq;
	return 0;
}

int
intake_submit(struct intake *in, uint64_t first_line, uint8_t *const *lines,
	      const size_t *lens, size_t n, struct control *reply)
{
	struct outbox_txn *t = NULL;
	struct parsed_record *p;
	int32_t today = date_today();
	size_t i;
	int r;

	char why[CODEC_MAX_TEXT + 1];

	memset(reply, 0, sizeof(*reply));
	reply->type = CTL_SUBMIT_REPLY;
	if (outbox_diverged(in->ob, why, sizeof(why))) {
		snprintf(reply->error, sizeof(reply->error),
			 "this node's outbox diverged from the consolidator's "
			 "copy (%.100s): nothing is accepted until kuska-node "
			 "--recover",
			 why);
		return -ESTALE;
	}
	reply->results = calloc(n + 1, sizeof(*reply->results));
	p = malloc(sizeof(*p));
	if (reply->results == NULL || p == NULL) {
		free(p);
		snprintf(reply->error, sizeof(reply->error), "out of memory");
		return -ENOMEM;
	}
	reply->n_results = n;
	r = outbox_begin(in->ob, &t);
	if (r != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		struct line_result *res = &reply->results[i];
		res->line = first_line + i;
		if (blank(lines[i], lens[i])) {
			res->status = LINE_BLANK;
			continue;
		}
		if (lens[i] > RECORD_MAX_LINE) {
			refuse(res, "", "line longer than %d bytes",
			       RECORD_MAX_LINE);
			continue;
		}
		r = take_line(t, in, lines[i], lens[i], today, p, res);
		if (r != 0)
			goto fail;
	}
	for (i = 0; i < n; i++)
		if (reply->results[i].status == LINE_REFUSED)
			in->refused++;
	r = outbox_commit(&t);
	if (r != 0)
		goto fail;
	in->disk_full_ms = 0;
	free(p);
	return 0;
fail:
	outbox_abort(&t);
	free(p);
	reply->n_results = 0;
	if (r == -ENOSPC) {
		in->disk_full_total++;
		in->disk_full_ms = date_now_ms();
		snprintf(reply->error, sizeof(reply->error),
			 "no space left on %.150s; nothing of this request was "
			 "stored",
			 outbox_dir(in->ob));
	} else if (r == -EFBIG) {
		snprintf(reply->error, sizeof(reply->error),
			 "the node's outbox is full (map_size_mb); nothing of "
			 "this request was stored");
	} else if (r == -EUCLEAN) {
		snprintf(reply->error, sizeof(reply->error),
			 "the node's outbox is damaged (stop the node, run "
			 "kuska-node --recover); nothing of this request was "
			 "stored");
	} else {
		snprintf(reply->error, sizeof(reply->error),
			 "store error (%s); nothing of this request was "
			 "stored",
			 strerror(-r));
	}
	log_warnx("event=submit_refused text=%s", LOG_Q(reply->error));
	return r;
}
