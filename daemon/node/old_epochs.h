/*
 * old_epochs.h - what kuska status says of the records the node holds
 * under key epochs older than its own (OPERATIONS.md section 9): their
 * keys are not to be destroyed while some remain.
 */
#ifndef KUSKA_OLD_EPOCHS_H
#define KUSKA_OLD_EPOCHS_H

#include <stdint.h>

#include "codec.h"
#include "log.h"
#include "outbox.h"

/*
 * old_epochs_fill - the live records of ob under key epochs older than
 * key_epoch into ns: the newest CODEC_MAX_OLD_EPOCHS of those epochs,
 * oldest first, with how many records of each are held by a refused
 * correction, and how many older epochs were left out (old_epochs_more).
 * When they cannot be read, ns->old_epochs_unknown is set and why is
 * logged within lb (event=epoch_records_unread; a count the outbox does
 * not keep was logged as it was dropped, event=epoch_records_not_counted).
 * The caller serialises the use of lb.
 */
void old_epochs_fill(struct outbox *ob, uint32_t key_epoch,
		     struct log_budget *lb, struct node_status *ns);

#endif
