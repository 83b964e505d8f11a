/*
 * takeups.h - the destinations a statistics answer names as having no
 * take-up (referral_received) on record at all (QueryReply.no_takeups,
 * EVENTS.md "referrals"), for the notes of kuska query and kuska report.
 */
#ifndef KUSKA_TAKEUPS_H
#define KUSKA_TAKEUPS_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

/*
 * takeups_none - the destinations (bit 1 << institution) of answer t
 * that have no take-up (referral_received) on record at all, of any date
 * (the consolidator's QueryReply.no_takeups): of a referrals or
 * referrals_unmatched answer, those a row names in its "to" column; of
 * any other (indicators), all the consolidator named. 0: none.
 */
uint32_t takeups_none(const struct qtable *t);

/*
 * takeups_names - the institutions of mask (bit 1 << institution), in
 * institution order, each as name(its name) gives it (NULL: the name
 * itself), joined by ", ", into buf. Returns buf.
 */
char *takeups_names(uint32_t mask, const char *(*name)(const char *), char *buf,
		    size_t cap);

#endif
