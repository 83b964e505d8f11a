/*
 * rates.h - the indicators of an answer that read more than 100 per 100
 * (unit = rate), for the notes of kuska query and kuska report: a rate
 * counts one group of victims per 100 of another, not a part of a whole,
 * so it can pass 100, which a reader would take for an error
 * (docs/INDICATORS.md).
 */
#ifndef KUSKA_RATES_H
#define KUSKA_RATES_H

#include <stdbool.h>
#include <stddef.h>

#include "codec.h"

/*
 * rates_over_100 - whether row of t, an indicators answer, is a rate
 * (unit "rate") whose value reads more than 100. An empty or withheld
 * value does not.
 */
bool rates_over_100(const struct qtable *t, size_t row);

#endif
