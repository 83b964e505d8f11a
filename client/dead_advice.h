/*
 * dead_advice.h - what kuska status says to do of the dead letters it
 * lists, by their reasons, in docs/INPUT.md section 9's words and those
 * of kuska submit's warnings. Apart from status.c so that it is tested
 * without a node (tests/unit/test_dead_advice.c).
 */
#ifndef KUSKA_DEAD_ADVICE_H
#define KUSKA_DEAD_ADVICE_H

#include <stdio.h>

#include "codec.h"

/* dead_advice_print - writes to out one line of advice for each kind of
 * refusal among s's listed dead letters (none when none is listed). */
void dead_advice_print(FILE *out, const struct node_status *s);

#endif
