/*
 * report_deliveries.h - the footer of kuska report's page that says when
 * each institution last delivered (the deliveries table), so a fall in
 * its figures can be told from its node falling silent.
 */
#ifndef KUSKA_REPORT_DELIVERIES_H
#define KUSKA_REPORT_DELIVERIES_H

#include <stdio.h>

#include "report.h"

/*
 * An institution from which nothing arrived for more than this many days
 * before the report's end (or the day it is made, for a period still
 * running) is named in the footer: its figures after its last delivery
 * are missing, not zero. A month: nodes deliver within minutes, and a
 * month's silence is an outage, not a quiet office.
 */
#define REPORT_STALE_DAYS 30

/*
 * report_deliveries - the footer's list of when each institution last
 * delivered (the deliveries table), flagging one silent for more than
 * REPORT_STALE_DAYS, or the sentence that this is unknown when the
 * consolidator does not give the table. Writes to f in the language set.
 */
void report_deliveries(FILE *f, const struct report_data *d);

#endif
