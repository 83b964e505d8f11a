/*
 * fuzz_record.c - the JSON record parser (record.h) on arbitrary bytes.
 * Whatever the input, record_parse() either refuses it with a field and
 * a reason (and leaves nothing in the pseudonym batch) or returns an
 * event that event_check() accepts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "event.h"
#include "keys.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pseudo_batch *batch;
	static struct parsed_record pr;
	struct record_error err;
	size_t i, ref_len;
	bool is_wd;
	int r;

	if (batch == NULL) {
		record_init();
		if (keys_init() != 0)
			abort();
		batch = pseudo_batch_new();
		if (batch == NULL)
			abort();
	}
	r = record_parse((const char *)data, size, INST_PNP,
			 date_from_ymd(2026, 11, 29), batch, &pr, &err);
	if (r == 0 && event_check(&pr.ev, NULL) != 0)
		abort();
	/* A ref holding a victim's identity is flagged with its reason
	 * (the node refuses it for a new record): a text, never the ref. */
	if (r == 0 &&
	    (memchr(pr.ref_identity, '\0', sizeof(pr.ref_identity)) == NULL ||
	     (pr.ref_identity[0] != '\0' &&
	      strstr(pr.ref_identity, "holds the victim's") !=
		  pr.ref_identity)))
		abort();
	/* Taken only for a record held under its ref: with the reason the
	 * node refuses it with otherwise. */
	if (r == 0 && pr.held_only &&
	    (memchr(err.field, '\0', sizeof(err.field)) == NULL ||
	     strstr(err.reason, "stands for no value") != err.reason))
		abort();
	if (r != 0 && (err.reason[0] == '\0' ||
		       memchr(err.field, '\0', sizeof(err.field)) == NULL ||
		       pseudo_batch_pending(batch) != 0 ||
		       pseudo_batch_new_inputs(batch) != 0))
		abort();
	/* The line's ref, sent back for kuska submit's --report: "" or 1
	 * to RECORD_MAX_REF printable characters, the record's own ref
	 * when the line is taken and the ref holds no victim's identity,
	 * "" when it holds one, and for a withdrawal (no victim to tell by). */
	ref_len = strnlen(err.ref, sizeof(err.ref));
	if (ref_len == sizeof(err.ref) ||
	    (r == 0 && strcmp(err.ref, pr.ref_identity[0] != '\0' ||
					       pr.ev.kind == KIND_WITHDRAWAL
					   ? ""
					   : pr.ref) != 0))
		abort();
	for (i = 0; i < ref_len; i++)
		if (err.ref[i] < 0x20 || err.ref[i] > 0x7e)
			abort();
	/* kuska submit tells a withdrawal's line as the parser does (it
	 * leaves its ref out of --report whatever the node hands back):
	 * every withdrawal taken, and never a line whose ref is handed
	 * back. */
	is_wd = record_line_is_withdrawal((const char *)data, size);
	if ((r == 0 && pr.ev.kind == KIND_WITHDRAWAL && !is_wd) ||
	    (is_wd && err.ref[0] != '\0'))
		abort();
	/* Refused, a ref holding a victim's identity is said as
	 * ref_identity is ("holds ...:" then the advice: the node cuts it
	 * at the colon), and the ref is kept apart for the node's look-up
	 * alone, then wiped there (ref_also): never kept on a line taken,
	 * whose error the node does not wipe, nor with a ref handed back. */
	if (memchr(err.ref_identity, '\0', sizeof(err.ref_identity)) == NULL ||
	    memchr(err.identity_ref, '\0', sizeof(err.identity_ref)) == NULL ||
	    (err.ref_identity[0] != '\0') != (err.identity_ref[0] != '\0') ||
	    (r == 0 && err.identity_ref[0] != '\0') ||
	    (err.identity_ref[0] != '\0' &&
	     (err.ref[0] != '\0' ||
	      strstr(err.ref_identity, "holds the victim's") !=
		  err.ref_identity ||
	      strchr(err.ref_identity, ':') == NULL)))
		abort();
	pseudo_batch_forget(batch);
	return 0;
}
