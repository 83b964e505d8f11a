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
	if (r != 0 && (err.reason[0] == '\0' ||
		       memchr(err.field, '\0', sizeof(err.field)) == NULL ||
		       pseudo_batch_pending(batch) != 0 ||
		       pseudo_batch_new_inputs(batch) != 0))
		abort();
	pseudo_batch_forget(batch);
	return 0;
}
