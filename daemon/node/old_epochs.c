/*
 * old_epochs.c - the records under older key epochs, for kuska status;
 * see old_epochs.h.
 */
#include "old_epochs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Epochs read at the first try: more are read again whole. */
#define FIRST_READ 64

/* Says why the counts were not read, unless the outbox does not keep
 * them (-ENOENT: said when it stopped keeping them). */
static void
unread(struct log_budget *lb, int err, struct node_status *ns)
{
	ns->old_epochs_unknown = true;
	if (err != -ENOENT)
		log_warnx_budget(lb, "event=epoch_records_unread error=\"%s\"",
				 strerror(-err));
}

/*
 * A read of one meta value: the outbox keeps the counts
 * (outbox_epochs.c). More epochs than FIRST_READ are read again whole:
 * the newest are at the end.
 */
void
old_epochs_fill(struct outbox *ob, uint32_t key_epoch, struct log_budget *lb,
		struct node_status *ns)
{
	struct outbox_epoch_count c[FIRST_READ], *all = c;
	size_t i, k = 0, from, cap = FIRST_READ;
	int got = outbox_epoch_records(ob, c, cap);

	if (got > (int)cap) {
		cap = (size_t)got;
		all = calloc(cap, sizeof(*all));
		got =
		    all != NULL ? outbox_epoch_records(ob, all, cap) : -ENOMEM;
	}
	if (got < 0) {
		unread(lb, got, ns);
		goto out;
	}
	if ((size_t)got > cap)
		got = (int)cap; /* grown since: the newest left to the next */
	while (k < (size_t)got && all[k].epoch < key_epoch)
		k++;
	from = k > CODEC_MAX_OLD_EPOCHS ? k - CODEC_MAX_OLD_EPOCHS : 0;
	ns->old_epochs_more = (uint32_t)from;
	ns->has_old_epoch_held = true;
	for (i = from; i < k; i++) {
		ns->old_epoch[ns->n_old_epochs] = all[i].epoch;
		ns->old_epoch_records[ns->n_old_epochs] = all[i].records;
		ns->old_epoch_held[ns->n_old_epochs] = all[i].held;
		ns->n_old_epochs++;
	}
out:
	if (all != c)
		free(all);
}
