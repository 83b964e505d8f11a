/*
 * victim_fixture.h - an event about a made-up victim, for the unit tests
 * that feed the statistics directly (test_release.c, test_prepare.c).
 */
#ifndef KUSKA_VICTIM_FIXTURE_H
#define KUSKA_VICTIM_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "event.h"

/*
 * victim_event - an event of kind about victim v (a DNI derived from v;
 * one sex in three male, 15 years old, Peruvian, labour), dated date in
 * region.
 */
static void __attribute__((unused))
victim_event(struct event *ev, enum kind kind, unsigned v, int32_t date,
	     uint8_t region)
{
	struct victim *x = &ev->rec.victim;

	memset(ev, 0, sizeof(*ev));
	ev->kind = ev->rec.kind = kind;
	ev->rec.date = date;
	ev->rec.region = region;
	x->doc_type = DOC_DNI;
	x->doc_key[0] = 1;
	x->doc_key[1] = (uint8_t)(v & 0xff);
	x->doc_key[2] = (uint8_t)(v >> 8);
	x->sex = v % 3 ? SEX_F : SEX_M;
	x->age_years = 15;
	x->age_group = age_group_of(15);
	memcpy(x->nationality, "PE", 3);
	ev->rec.exploitation = 1u << EXPL_LABOUR;
}

#endif
