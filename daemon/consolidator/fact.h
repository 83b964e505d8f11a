/*
 * fact.h - what one live record tells the statistics: its kind, origin,
 * date, region and the few attributes its tables need. Shared by the
 * statistics engine (stats_int.h; stats_live.c makes them), which stores
 * them, stats_contrib.c, which counts them, and link.c, which keeps the
 * facts of the records whose victims it links.
 */
#ifndef KUSKA_FACT_H
#define KUSKA_FACT_H

#include <stdbool.h>
#include <stdint.h>

enum fact_type {
	F_IDENT = 1,
	F_SERVICE,
	F_SENT,
	F_RECEIVED,
	F_STAGE,
};

struct fact {
	uint8_t type; /* enum fact_type */
	uint8_t inst; /* the institution that emitted it */
	uint64_t seq; /* origin: the original record's sequence */
	int32_t date;
	uint8_t region;
	uint8_t a;   /* sex, service, referral's to, stage */
	uint8_t b;   /* age group */
	char nat[2]; /* nationality */
	uint32_t x;  /* exploitation bits, persons */
};

/* Earlier of two facts: date, then institution order, then sequence;
 * inline: every contribution picks its earliest facts with it. */
static inline bool
fact_earlier(const struct fact *a, const struct fact *b)
{
	if (a->date != b->date)
		return a->date < b->date;
	if (a->inst != b->inst)
		return a->inst < b->inst;
	return a->seq < b->seq;
}

#endif
