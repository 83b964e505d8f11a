/* codec_control.c - local control messages; see codec.h. */
#include "codec.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_pb.h"

static int
control_pack(const Kuska__Control *pc, uint8_t **ret_buf, size_t *ret_len)
{
	size_t len = kuska__control__get_packed_size(pc);
	uint8_t *buf;

	if (len > CODEC_MAX_FRAME)
		return -EMSGSIZE;
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		return -ENOMEM;
	kuska__control__pack(pc, buf);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

static int
encode_submit_reply(const struct control *c, Kuska__Control *pc,
		    uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__SubmitReply rep = KUSKA__SUBMIT_REPLY__INIT;
	Kuska__LineResult *lr;
	Kuska__LineResult **ptrs;
	size_t i;
	int r;

	lr = calloc(c->n_results + 1, sizeof(*lr));
	ptrs = calloc(c->n_results + 1, sizeof(*ptrs));
	if (lr == NULL || ptrs == NULL) {
		free(lr);
		free(ptrs);
		return -ENOMEM;
	}
	for (i = 0; i < c->n_results; i++) {
		const struct line_result *in = &c->results[i];
		kuska__line_result__init(&lr[i]);
		lr[i].line = in->line;
		lr[i].status = (Kuska__LineStatus)in->status;
		if (in->status == LINE_ACCEPTED || in->status == LINE_HELD ||
		    in->status == LINE_REKEYED) {
			lr[i].has_seq = 1;
			lr[i].seq = in->seq;
		}
		if (in->status == LINE_REFUSED) {
			lr[i].field = (char *)in->field;
			lr[i].reason = (char *)in->reason;
			if (in->why != LINE_REASON_NONE) {
				lr[i].has_why = 1;
				lr[i].why = (Kuska__LineReason)in->why;
			}
		}
		if (in->unlinkable > 0) {
			lr[i].has_unlinkable = 1;
			lr[i].unlinkable = in->unlinkable;
			/* The first unlinkable victim's path. */
			if (in->status != LINE_REFUSED)
				lr[i].field = (char *)in->field;
		}
		if (in->status != LINE_REFUSED && in->warning[0] != '\0')
			lr[i].warning = (char *)in->warning;
		if (line_warns_age(in)) {
			lr[i].age_warning = (char *)in->age_warning;
			lr[i].age_field = (char *)in->age_field;
		}
		if (line_warns_placeholder(in)) {
			lr[i].placeholder_warning =
			    (char *)in->placeholder_warning;
			lr[i].placeholder_field = (char *)in->placeholder_field;
		}
		if (in->ref_warning[0] != '\0')
			lr[i].ref_warning = (char *)in->ref_warning;
		if (in->status == LINE_HELD && in->dead_warning[0] != '\0')
			lr[i].dead_warning = (char *)in->dead_warning;
		if (in->ref[0] != '\0')
			lr[i].ref = (char *)in->ref;
		ptrs[i] = &lr[i];
	}
	rep.n_results = c->n_results;
	rep.results = ptrs;
	if (c->error[0] != '\0')
		rep.error = (char *)c->error;
	pc->msg_case = KUSKA__CONTROL__MSG_SUBMIT_REPLY;
	pc->submit_reply = &rep;
	r = control_pack(pc, ret_buf, ret_len);
	free(lr);
	free(ptrs);
	return r;
}

static void
pack_counts(const struct submit_counts *in, Kuska__SubmitCounts *out)
{
	kuska__submit_counts__init(out);
	out->accepted = in->accepted;
	out->held = in->held;
	out->refused = in->refused;
	out->unlinkable = in->unlinkable;
	if (in->rekeyed != 0) {
		out->has_rekeyed = 1;
		out->rekeyed = in->rekeyed;
	}
}

static void
unpack_counts(const Kuska__SubmitCounts *in, struct submit_counts *out)
{
	out->accepted = in->accepted;
	out->held = in->held;
	out->refused = in->refused;
	out->unlinkable = in->unlinkable;
	out->rekeyed = in->rekeyed;
}

static int
encode_node_status(const struct control *c, Kuska__Control *pc,
		   uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__NodeStatus ns = KUSKA__NODE_STATUS__INIT;
	Kuska__SubmitCounts last, total;
	Kuska__Grants grants;
	struct codec_grants_buf gbuf;
	Kuska__DeadLetter *dl;
	Kuska__DeadLetter **ptrs;
	Kuska__EpochRecords er[CODEC_MAX_OLD_EPOCHS];
	Kuska__EpochRecords *erp[CODEC_MAX_OLD_EPOCHS];
	const struct node_status *in = &c->node;
	Kuska__UnmatchedTakeup *ut;
	Kuska__UnmatchedLine *ul, **ulp;
	size_t i;
	int r;

	dl = calloc(in->n_dead + 1, sizeof(*dl));
	ptrs = calloc(in->n_dead + 1, sizeof(*ptrs));
	ut = calloc(in->n_unmatched + 1, sizeof(*ut));
	ul = calloc(in->n_unmatched + 1, sizeof(*ul));
	ulp = calloc(in->n_unmatched + 1, sizeof(*ulp));
	if (dl == NULL || ptrs == NULL || ut == NULL || ul == NULL ||
	    ulp == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < in->n_dead; i++) {
		kuska__dead_letter__init(&dl[i]);
		dl[i].seq = in->dead[i].seq;
		dl[i].ref = (char *)in->dead[i].ref;
		dl[i].reason = (Kuska__Reason)in->dead[i].reason;
		dl[i].text = (char *)in->dead[i].text;
		dl[i].at_ms = in->dead[i].at_ms;
		ptrs[i] = &dl[i];
	}
	ns.institution = (Kuska__Institution)in->inst;
	ns.last_seq = in->last_seq;
	ns.acked_seq = in->acked_seq;
	ns.oldest_pending_ms = in->oldest_pending_ms;
	ns.last_contact_ms = in->last_contact_ms;
	ns.connected = in->connected;
	ns.dead_total = in->dead_total;
	ns.n_dead = in->n_dead;
	ns.dead = ptrs;
	ns.accepted_total = in->accepted_total;
	ns.now_ms = in->now_ms;
	ns.alarm_backlog_hours = in->alarm_backlog_hours;
	if (in->last_refusal[0] != '\0') {
		ns.last_refusal = (char *)in->last_refusal;
		ns.has_last_refusal_ms = 1;
		ns.last_refusal_ms = in->last_refusal_ms;
	}
	if (in->diverged[0] != '\0')
		ns.diverged = (char *)in->diverged;
	if (in->has_skew) {
		ns.has_clock_skew_ms = 1;
		ns.clock_skew_ms = in->clock_skew_ms;
	}
	if (in->disk_full[0] != '\0') {
		ns.disk_full = (char *)in->disk_full;
		ns.has_disk_full_ms = 1;
		ns.disk_full_ms = in->disk_full_ms;
	}
	ns.has_key_epoch = 1;
	ns.key_epoch = in->key_epoch;
	if (in->keyholder_error[0] != '\0') {
		ns.keyholder_error = (char *)in->keyholder_error;
		ns.has_keyholder_error_ms = 1;
		ns.keyholder_error_ms = in->keyholder_error_ms;
	}
	if (in->has_key_check) {
		ns.has_key_check = 1;
		ns.key_check.data = (uint8_t *)in->key_check;
		ns.key_check.len = sizeof(in->key_check);
	}
	ns.has_evaluations = 1;
	ns.evaluations = in->evaluations;
	if (in->alarm_silent_s != 0) {
		ns.has_alarm_silent_s = 1;
		ns.alarm_silent_s = in->alarm_silent_s;
	}
	if (in->started_ms != 0) {
		ns.has_started_ms = 1;
		ns.started_ms = in->started_ms;
	}
	if (in->handshake_refused_ms != 0) {
		ns.has_handshake_refused_ms = 1;
		ns.handshake_refused_ms = in->handshake_refused_ms;
	}
	if (in->handshake_failed_ms != 0) {
		ns.has_handshake_failed_ms = 1;
		ns.handshake_failed_ms = in->handshake_failed_ms;
	}
	ns.has_evaluations_failed = 1;
	ns.evaluations_failed = in->evaluations_failed;
	if (in->keyholders_unreached != 0) {
		ns.has_keyholders_unreached = 1;
		ns.keyholders_unreached = in->keyholders_unreached;
		ns.keyholder_unreached = (char *)in->keyholder_unreached;
		ns.has_keyholder_unreached_ms = 1;
		ns.keyholder_unreached_ms = in->keyholder_unreached_ms;
	}
	if (in->has_submissions) {
		ns.has_submissions = 1;
		ns.submissions = in->submissions;
	}
	if (in->has_submissions && in->submissions != 0) {
		pack_counts(&in->last_submission, &last);
		pack_counts(&in->submitted_total, &total);
		ns.has_last_submission_ms = 1;
		ns.last_submission_ms = in->last_submission_ms;
		ns.last_submission = &last;
		ns.submitted_total = &total;
		if (in->first_refused_line != 0) {
			ns.has_first_refused_line = 1;
			ns.first_refused_line = in->first_refused_line;
			ns.first_refused_field =
			    (char *)in->first_refused_field;
			ns.first_refused_source =
			    (char *)in->first_refused_source;
		}
	}
	if (in->has_dead_window) {
		ns.has_alarm_dead_letter_hours = 1;
		ns.alarm_dead_letter_hours = in->alarm_dead_letter_hours;
		ns.has_dead_newest_ms = 1;
		ns.dead_newest_ms = in->dead_newest_ms;
	}
	for (i = 0; i < in->n_old_epochs && i < CODEC_MAX_OLD_EPOCHS; i++) {
		kuska__epoch_records__init(&er[i]);
		er[i].epoch = in->old_epoch[i];
		er[i].records = in->old_epoch_records[i];
		if (in->has_old_epoch_held) {
			er[i].has_held = 1;
			er[i].held = in->old_epoch_held[i];
		}
		erp[i] = &er[i];
	}
	ns.n_old_epoch_records = i;
	ns.old_epoch_records = erp;
	if (in->old_epochs_unknown) {
		ns.has_old_epochs_unknown = 1;
		ns.old_epochs_unknown = 1;
	}
	if (in->old_epochs_more > 0) {
		ns.has_old_epochs_more = 1;
		ns.old_epochs_more = in->old_epochs_more;
	}
	if (in->has_grants) {
		codec_grants_pack(in->grant_kinds, in->grant_stages, &grants,
				  &gbuf);
		ns.grants = &grants;
		ns.has_grants_default = 1;
		ns.grants_default = in->grants_default;
	}
	if (in->has_unmatched) {
		for (i = 0; i < in->n_unmatched; i++) {
			codec_unmatched_pack(&in->unmatched[i], &ut[i]);
			kuska__unmatched_line__init(&ul[i]);
			ul[i].takeup = &ut[i];
			if (in->unmatched[i].ref[0] != '\0')
				ul[i].ref = (char *)in->unmatched[i].ref;
			ulp[i] = &ul[i];
		}
		ns.n_unmatched = in->n_unmatched;
		ns.unmatched = ulp;
		ns.has_unmatched_ms = 1;
		ns.unmatched_ms = in->unmatched_ms;
		if (in->unmatched_ms != 0 && !in->unmatched_unsaid) {
			ns.has_unmatched_total = 1;
			ns.unmatched_total = in->unmatched_total;
		}
		if (in->unmatched_unsaid) {
			ns.has_unmatched_unsaid = 1;
			ns.unmatched_unsaid = 1;
		}
		if (in->unmatched_asking) {
			ns.has_unmatched_asking = 1;
			ns.unmatched_asking = 1;
		}
	}
	pc->msg_case = KUSKA__CONTROL__MSG_NODE_STATUS;
	pc->node_status = &ns;
	r = control_pack(pc, ret_buf, ret_len);
out:
	free(dl);
	free(ptrs);
	free(ut);
	free(ul);
	free(ulp);
	return r;
}

static int
encode_cons_status(const struct control *c, Kuska__Control *pc,
		   uint8_t **ret_buf, size_t *ret_len)
{
	Kuska__ConsolidatorStatus cs = KUSKA__CONSOLIDATOR_STATUS__INIT;
	Kuska__InstitutionStatus is[INST_COUNT];
	Kuska__InstitutionStatus *isp[INST_COUNT];
	Kuska__ReasonCount rc[INST_COUNT][REASON_COUNT];
	Kuska__ReasonCount *rcp[INST_COUNT][REASON_COUNT];
	int i, j;

	for (i = 0; i < INST_COUNT; i++) {
		const struct inst_status *in = &c->cons.inst[i + 1];
		size_t n = 0;
		kuska__institution_status__init(&is[i]);
		is[i].institution = (Kuska__Institution)(i + 1);
		is[i].last_seq = in->last_seq;
		is[i].accepted = in->accepted;
		is[i].refused = in->refused;
		is[i].last_contact_ms = in->last_contact_ms;
		for (j = 1; j < REASON_COUNT; j++) {
			if (in->refused_by_reason[j] == 0)
				continue;
			kuska__reason_count__init(&rc[i][n]);
			rc[i][n].reason = (Kuska__Reason)j;
			rc[i][n].count = in->refused_by_reason[j];
			rcp[i][n] = &rc[i][n];
			n++;
		}
		is[i].n_refused_by_reason = n;
		is[i].refused_by_reason = rcp[i];
		if (in->diverged) {
			is[i].has_diverged = 1;
			is[i].diverged = 1;
		}
		if (in->has_skew) {
			is[i].has_clock_skew_ms = 1;
			is[i].clock_skew_ms = in->clock_skew_ms;
		}
		if (in->unregistered) {
			is[i].has_unregistered = 1;
			is[i].unregistered = 1;
		}
		isp[i] = &is[i];
	}
	cs.n_institutions = INST_COUNT;
	cs.institutions = isp;
	cs.now_ms = c->cons.now_ms;
	cs.alarm_silent_hours = c->cons.alarm_silent_hours;
	cs.handshake_failures = c->cons.handshake_failures;
	cs.frames_refused = c->cons.frames_refused;
	cs.has_control_refused = 1;
	cs.control_refused = c->cons.control_refused;
	cs.has_store_refused = c->cons.has_store_refused;
	cs.store_refused = c->cons.store_refused;
	if (c->cons.disk_full[0] != '\0') {
		cs.disk_full = (char *)c->cons.disk_full;
		cs.has_disk_full_ms = 1;
		cs.disk_full_ms = c->cons.disk_full_ms;
	}
	if (c->cons.store_damaged_ms != 0) {
		cs.has_store_damaged_ms = 1;
		cs.store_damaged_ms = c->cons.store_damaged_ms;
	}
	pc->msg_case = KUSKA__CONTROL__MSG_CONSOLIDATOR_STATUS;
	pc->consolidator_status = &cs;
	return control_pack(pc, ret_buf, ret_len);
}

int
codec_control_encode(const struct control *c, uint8_t **ret_buf,
		     size_t *ret_len)
{
	Kuska__Control pc = KUSKA__CONTROL__INIT;
	Kuska__SubmitHeader sh = KUSKA__SUBMIT_HEADER__INIT;
	Kuska__StatusRequest sr = KUSKA__STATUS_REQUEST__INIT;
	Kuska__MetricsRequest mr = KUSKA__METRICS_REQUEST__INIT;

	switch (c->type) {
	case CTL_SUBMIT:
		sh.source = (char *)c->source;
		sh.first_line = c->first_line;
		if (c->dry_run != 0) {
			sh.has_dry_run = 1;
			sh.dry_run = c->dry_run;
		}
		if (c->run != 0) {
			sh.has_run = 1;
			sh.run = c->run;
		}
		if (c->end) {
			sh.has_end = 1;
			sh.end = 1;
		}
		pc.msg_case = KUSKA__CONTROL__MSG_SUBMIT;
		pc.submit = &sh;
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_SUBMIT_REPLY:
		return encode_submit_reply(c, &pc, ret_buf, ret_len);
	case CTL_STATUS:
		if (c->max_dead > 0) {
			sr.has_max_dead = 1;
			sr.max_dead = c->max_dead;
		}
		if (c->max_unmatched > 0) {
			sr.has_max_unmatched = 1;
			sr.max_unmatched = c->max_unmatched;
		}
		pc.msg_case = KUSKA__CONTROL__MSG_STATUS;
		pc.status = &sr;
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_NODE_STATUS:
		return encode_node_status(c, &pc, ret_buf, ret_len);
	case CTL_CONS_STATUS:
		return encode_cons_status(c, &pc, ret_buf, ret_len);
	case CTL_ERROR:
		pc.msg_case = KUSKA__CONTROL__MSG_ERROR;
		pc.error = (char *)c->error;
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_STARTING:
		pc.msg_case = KUSKA__CONTROL__MSG_STARTING;
		pc.starting = (char *)c->error;
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_METRICS:
		pc.msg_case = KUSKA__CONTROL__MSG_METRICS;
		pc.metrics = &mr;
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_METRICS_TEXT:
		pc.msg_case = KUSKA__CONTROL__MSG_METRICS_TEXT;
		pc.metrics_text = c->text != NULL ? c->text : (char *)"";
		return control_pack(&pc, ret_buf, ret_len);
	case CTL_KEYHOLDER_STATUS:
		return codec_keyholder_status_pack(c, &pc, ret_buf, ret_len);
	default:
		return -EINVAL;
	}
}

static int
decode_submit_reply(const Kuska__SubmitReply *in, struct control *c)
{
	size_t i;

	if (in->n_results > CODEC_MAX_LINES)
		return -EBADMSG;
	c->results = calloc(in->n_results + 1, sizeof(*c->results));
	if (c->results == NULL)
		return -ENOMEM;
	c->n_results = in->n_results;
	for (i = 0; i < in->n_results; i++) {
		const Kuska__LineResult *lr = in->results[i];
		struct line_result *out = &c->results[i];
		out->line = lr->line;
		out->status = (enum line_status)lr->status;
		if ((int)lr->status < (int)LINE_ACCEPTED ||
		    (int)lr->status > (int)LINE_STATUS_LAST)
			return -EBADMSG;
		out->seq = lr->seq;
		copy_str(out->field, sizeof(out->field), lr->field);
		copy_str(out->reason, sizeof(out->reason), lr->reason);
		/* A code from a newer node is no reason to drop the reply:
		 * its text is still printed. */
		if (out->status == LINE_REFUSED && lr->has_why &&
		    (int)lr->why > (int)LINE_REASON_NONE &&
		    (int)lr->why <= (int)LINE_REASON_LAST)
			out->why = (enum line_reason)lr->why;
		out->unlinkable = lr->unlinkable;
		if (out->status != LINE_REFUSED) {
			copy_str(out->warning, sizeof(out->warning),
				 lr->warning);
			copy_str(out->age_warning, sizeof(out->age_warning),
				 lr->age_warning);
			copy_str(out->age_field, sizeof(out->age_field),
				 lr->age_field);
			copy_str(out->placeholder_warning,
				 sizeof(out->placeholder_warning),
				 lr->placeholder_warning);
			copy_str(out->placeholder_field,
				 sizeof(out->placeholder_field),
				 lr->placeholder_field);
		}
		copy_str(out->ref_warning, sizeof(out->ref_warning),
			 lr->ref_warning);
		if (out->status == LINE_HELD)
			copy_str(out->dead_warning, sizeof(out->dead_warning),
				 lr->dead_warning);
		copy_str(out->ref, sizeof(out->ref), lr->ref);
	}
	copy_str(c->error, sizeof(c->error), in->error);
	return 0;
}

static int
decode_node_status(const Kuska__NodeStatus *in, struct control *c)
{
	struct node_status *ns = &c->node;
	size_t i;

	if (in->n_dead > CODEC_MAX_DEAD || in->institution < 1 ||
	    in->institution > INST_COUNT ||
	    in->n_old_epoch_records > CODEC_MAX_OLD_EPOCHS ||
	    in->n_unmatched > CODEC_MAX_UNMATCHED)
		return -EBADMSG;
	ns->unmatched = calloc(in->n_unmatched + 1, sizeof(*ns->unmatched));
	if (ns->unmatched == NULL)
		return -ENOMEM;
	for (i = 0; i < in->n_unmatched; i++) {
		if (in->unmatched[i]->takeup == NULL ||
		    codec_unmatched_unpack(in->unmatched[i]->takeup,
					   &ns->unmatched[i]) != 0)
			return -EBADMSG;
		copy_str(ns->unmatched[i].ref, sizeof(ns->unmatched[i].ref),
			 in->unmatched[i]->ref);
	}
	ns->n_unmatched = in->n_unmatched;
	ns->has_unmatched = in->has_unmatched_ms;
	ns->unmatched_ms = in->unmatched_ms;
	ns->unmatched_total = in->unmatched_total;
	ns->unmatched_unsaid = in->has_unmatched_unsaid && in->unmatched_unsaid;
	ns->unmatched_asking = in->has_unmatched_asking && in->unmatched_asking;
	ns->dead = calloc(in->n_dead + 1, sizeof(*ns->dead));
	if (ns->dead == NULL)
		return -ENOMEM;
	ns->n_dead = in->n_dead;
	for (i = 0; i < in->n_dead; i++) {
		const Kuska__DeadLetter *d = in->dead[i];
		ns->dead[i].seq = d->seq;
		copy_str(ns->dead[i].ref, sizeof(ns->dead[i].ref), d->ref);
		copy_str(ns->dead[i].text, sizeof(ns->dead[i].text), d->text);
		/* A newer node's reason: a refusal all the same. */
		ns->dead[i].reason = reason_of_refusal(
		    (int)d->reason, ns->dead[i].text, sizeof(ns->dead[i].text));
		ns->dead[i].at_ms = d->at_ms;
	}
	ns->inst = (enum institution)in->institution;
	ns->last_seq = in->last_seq;
	ns->acked_seq = in->acked_seq;
	ns->oldest_pending_ms = in->oldest_pending_ms;
	ns->last_contact_ms = in->last_contact_ms;
	ns->connected = in->connected;
	ns->dead_total = in->dead_total;
	ns->accepted_total = in->accepted_total;
	ns->now_ms = in->now_ms;
	ns->alarm_backlog_hours = in->alarm_backlog_hours;
	copy_str(ns->last_refusal, sizeof(ns->last_refusal), in->last_refusal);
	ns->last_refusal_ms = in->last_refusal_ms;
	copy_str(ns->diverged, sizeof(ns->diverged), in->diverged);
	ns->has_skew = in->has_clock_skew_ms;
	ns->clock_skew_ms = in->clock_skew_ms;
	copy_str(ns->disk_full, sizeof(ns->disk_full), in->disk_full);
	ns->disk_full_ms = in->disk_full_ms;
	ns->key_epoch = in->key_epoch;
	copy_str(ns->keyholder_error, sizeof(ns->keyholder_error),
		 in->keyholder_error);
	ns->keyholder_error_ms = in->keyholder_error_ms;
	if (in->has_key_check && in->key_check.len == sizeof(ns->key_check)) {
		ns->has_key_check = true;
		memcpy(ns->key_check, in->key_check.data,
		       sizeof(ns->key_check));
	}
	ns->evaluations = in->evaluations;
	ns->alarm_silent_s = in->alarm_silent_s;
	ns->started_ms = in->started_ms;
	ns->handshake_refused_ms = in->handshake_refused_ms;
	ns->handshake_failed_ms = in->handshake_failed_ms;
	ns->evaluations_failed = in->evaluations_failed;
	ns->keyholders_unreached = in->keyholders_unreached;
	copy_str(ns->keyholder_unreached, sizeof(ns->keyholder_unreached),
		 in->keyholder_unreached);
	ns->keyholder_unreached_ms = in->keyholder_unreached_ms;
	/* Counts without their submission say nothing: none, then. */
	ns->has_submissions = in->has_submissions;
	if (in->has_submissions && in->submissions != 0 &&
	    in->last_submission != NULL && in->submitted_total != NULL) {
		ns->submissions = in->submissions;
		ns->last_submission_ms = in->last_submission_ms;
		unpack_counts(in->last_submission, &ns->last_submission);
		unpack_counts(in->submitted_total, &ns->submitted_total);
		ns->first_refused_line = in->first_refused_line;
		copy_str(ns->first_refused_field,
			 sizeof(ns->first_refused_field),
			 in->first_refused_field);
		copy_str(ns->first_refused_source,
			 sizeof(ns->first_refused_source),
			 in->first_refused_source);
	}
	ns->has_dead_window = in->has_alarm_dead_letter_hours;
	ns->alarm_dead_letter_hours = in->alarm_dead_letter_hours;
	ns->dead_newest_ms = in->dead_newest_ms;
	/* Said of every epoch by a node that counts them, of none by an
	 * older one. */
	ns->has_old_epoch_held = in->n_old_epoch_records > 0;
	for (i = 0; i < in->n_old_epoch_records; i++) {
		if (!in->old_epoch_records[i]->has_held)
			ns->has_old_epoch_held = false;
		ns->old_epoch[i] = in->old_epoch_records[i]->epoch;
		ns->old_epoch_records[i] = in->old_epoch_records[i]->records;
		ns->old_epoch_held[i] = in->old_epoch_records[i]->has_held
					    ? in->old_epoch_records[i]->held
					    : 0;
	}
	ns->n_old_epochs = in->n_old_epoch_records;
	ns->old_epochs_unknown =
	    in->has_old_epochs_unknown && in->old_epochs_unknown;
	ns->old_epochs_more = in->old_epochs_more;
	if (in->grants != NULL) {
		ns->has_grants = true;
		ns->grants_default = in->grants_default;
		codec_grants_unpack(in->grants, &ns->grant_kinds,
				    &ns->grant_stages);
	}
	return 0;
}

static int
decode_cons_status(const Kuska__ConsolidatorStatus *in, struct control *c)
{
	size_t i, j;

	for (i = 0; i < in->n_institutions; i++) {
		const Kuska__InstitutionStatus *is = in->institutions[i];
		struct inst_status *out;
		if (is->institution < 1 || is->institution > INST_COUNT)
			return -EBADMSG;
		out = &c->cons.inst[is->institution];
		out->last_seq = is->last_seq;
		out->accepted = is->accepted;
		out->refused = is->refused;
		out->last_contact_ms = is->last_contact_ms;
		for (j = 0; j < is->n_refused_by_reason; j++) {
			unsigned rr =
			    (unsigned)is->refused_by_reason[j]->reason;
			if (rr < REASON_COUNT)
				out->refused_by_reason[rr] =
				    is->refused_by_reason[j]->count;
		}
		out->diverged = is->diverged;
		out->has_skew = is->has_clock_skew_ms;
		out->clock_skew_ms = is->clock_skew_ms;
		out->unregistered = is->unregistered;
	}
	c->cons.now_ms = in->now_ms;
	c->cons.alarm_silent_hours = in->alarm_silent_hours;
	c->cons.handshake_failures = in->handshake_failures;
	c->cons.frames_refused = in->frames_refused;
	c->cons.control_refused = in->control_refused;
	c->cons.has_store_refused = in->has_store_refused;
	c->cons.store_refused = in->store_refused;
	copy_str(c->cons.disk_full, sizeof(c->cons.disk_full), in->disk_full);
	c->cons.disk_full_ms = in->disk_full_ms;
	c->cons.store_damaged_ms =
	    in->has_store_damaged_ms ? in->store_damaged_ms : 0;
	return 0;
}

int
codec_control_decode(const uint8_t *buf, size_t len, struct control *ret)
{
	Kuska__Control *pc;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	if (len > CODEC_MAX_FRAME)
		return -EBADMSG;
	pc = kuska__control__unpack(NULL, len, buf);
	if (pc == NULL)
		return -EBADMSG;
	switch (pc->msg_case) {
	case KUSKA__CONTROL__MSG_SUBMIT:
		ret->type = CTL_SUBMIT;
		copy_str(ret->source, sizeof(ret->source), pc->submit->source);
		ret->first_line = pc->submit->first_line;
		ret->dry_run = pc->submit->dry_run;
		ret->run = pc->submit->run;
		ret->end = pc->submit->has_end && pc->submit->end;
		break;
	case KUSKA__CONTROL__MSG_SUBMIT_REPLY:
		ret->type = CTL_SUBMIT_REPLY;
		r = decode_submit_reply(pc->submit_reply, ret);
		break;
	case KUSKA__CONTROL__MSG_STATUS:
		ret->type = CTL_STATUS;
		ret->max_dead = pc->status->max_dead;
		ret->max_unmatched = pc->status->max_unmatched;
		break;
	case KUSKA__CONTROL__MSG_NODE_STATUS:
		ret->type = CTL_NODE_STATUS;
		r = decode_node_status(pc->node_status, ret);
		break;
	case KUSKA__CONTROL__MSG_CONSOLIDATOR_STATUS:
		ret->type = CTL_CONS_STATUS;
		r = decode_cons_status(pc->consolidator_status, ret);
		break;
	case KUSKA__CONTROL__MSG_ERROR:
		ret->type = CTL_ERROR;
		copy_str(ret->error, sizeof(ret->error), pc->error);
		break;
	case KUSKA__CONTROL__MSG_STARTING:
		ret->type = CTL_STARTING;
		copy_str(ret->error, sizeof(ret->error), pc->starting);
		break;
	case KUSKA__CONTROL__MSG_METRICS:
		ret->type = CTL_METRICS;
		break;
	case KUSKA__CONTROL__MSG_METRICS_TEXT:
		ret->type = CTL_METRICS_TEXT;
		ret->text = strdup(pc->metrics_text);
		if (ret->text == NULL)
			r = -ENOMEM;
		break;
	case KUSKA__CONTROL__MSG_KEYHOLDER_STATUS:
		ret->type = CTL_KEYHOLDER_STATUS;
		r = codec_keyholder_status_unpack(pc->keyholder_status, ret);
		break;
	default:
		r = -EBADMSG;
	}
	kuska__control__free_unpacked(pc, NULL);
	if (r != 0)
		codec_control_clear(ret);
	return r == -ENOMEM ? r : (r != 0 ? -EBADMSG : 0);
}

void
codec_control_clear(struct control *c)
{
	free(c->results);
	free(c->node.dead);
	free(c->node.unmatched);
	free(c->keyholder.nodes);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

bool
line_warns_unlinkable(const struct line_result *res)
{
	return res->unlinkable > 0 && res->status != LINE_REFUSED &&
	       res->status != LINE_HELD && res->status != LINE_REKEYED;
}

bool
line_warns_age(const struct line_result *res)
{
	return res->age_warning[0] != '\0' && res->status != LINE_REFUSED &&
	       res->status != LINE_HELD && res->status != LINE_REKEYED;
}

bool
line_warns_placeholder(const struct line_result *res)
{
	return res->placeholder_warning[0] != '\0' &&
	       res->status != LINE_REFUSED && res->status != LINE_HELD &&
	       res->status != LINE_REKEYED;
}

bool
line_warns_ref(const struct line_result *res)
{
	return res->ref_warning[0] != '\0' && res->status != LINE_REFUSED;
}
