/*
 * status_epochs.h - what kuska status says of the records a node holds
 * under key epochs older than its own. Apart from status.c so that it is
 * tested without a node (tests/unit/test_status_epochs.c).
 */
#ifndef KUSKA_STATUS_EPOCHS_H
#define KUSKA_STATUS_EPOCHS_H

#include <stdio.h>

#include "codec.h"

/* status_epochs_print - writes to out a line for each older key epoch
 * of s holding records, what to do of them, and how many older epochs
 * the node left out of its reply (nothing when there are none). */
void status_epochs_print(FILE *out, const struct node_status *s);

#endif
