/*
 * fuzz_record.c - the JSON record parser (record.h) on arbitrary bytes.
 * Whatever the input, record_parse() either refuses it with a field and
 * a reason or returns an event that event_check() accepts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "event.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static uint8_t key[LINKAGE_KEY_LEN];
	static struct parsed_record pr;
	struct record_error err;
	int r;

	if (!ready) {
		record_init();
		memset(key, 0x5a, sizeof(key));
		ready = true;
	}
	r = record_parse((const char *)data, size, INST_PNP, key,
			 date_from_ymd(2026, 11, 29), &pr, &err);
	if (r == 0 && event_check(&pr.ev, NULL) != 0)
		abort();
	if (r != 0 && (err.reason[0] == '\0' ||
		       memchr(err.field, '\0', sizeof(err.field)) == NULL))
		abort();
	return 0;
}
