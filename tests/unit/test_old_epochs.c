/*
 * test_old_epochs.c - what kuska status says of the records under older
 * key epochs (daemon/node/old_epochs.h), read from a real outbox: the
 * newest 8 listed and the older ones counted, with more epochs than the
 * first read takes too (read again whole), and, when the counts cannot be
 * read (memory short), "not known" with a line in the log saying why.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "codec.h"
#include "fail_malloc.h"
#include "log.h"
#include "old_epochs.h"
#include "outbox.h"

#define MAP (16u << 20)

struct fixture {
	char dir[64];
	struct outbox *ob;
	uint32_t refs; /* refs put so far: each its own id */
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kuska-epochs-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || outbox_open(fx->dir, MAP, &fx->ob) != 0)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	outbox_close(&fx->ob);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* The records put under epoch e: 1 to 3, told apart by epoch. */
static uint64_t
records_of(uint32_t e)
{
	return 1 + e % 3;
}

/* Live records under each epoch first..last (records_of each), in one
 * transaction. */
static void
put_epochs(struct fixture *fx, uint32_t first, uint32_t last)
{
	struct outbox_txn *t = NULL;
	struct ref_info ri;
	uint8_t id[EVENT_ID_LEN];
	uint32_t e;
	uint64_t i;

	assert_int_equal(outbox_begin(fx->ob, &t), 0);
	for (e = first; e <= last; e++)
		for (i = 0; i < records_of(e); i++) {
			fx->refs++;
			memset(id, 0, sizeof(id));
			memcpy(id, &fx->refs, sizeof(fx->refs));
			memset(&ri, 0, sizeof(ri));
			ri.seq = fx->refs;
			ri.kind = KIND_CASE_STAGE;
			ri.state = REF_LIVE;
			ri.target = TARGET_NONE;
			ri.epoch = e;
			assert_int_equal(outbox_ref_put(t, id, &ri), 0);
		}
	assert_int_equal(outbox_commit(&t), 0);
}

/* What status says with the node at key_epoch. */
static void
fill(struct fixture *fx, uint32_t key_epoch, struct node_status *ns)
{
	struct log_budget lb;

	memset(&lb, 0, sizeof(lb));
	memset(ns, 0, sizeof(*ns));
	old_epochs_fill(fx->ob, key_epoch, &lb, ns);
}

/* The newest 8 epochs below key_epoch listed, ending at newest, and more
 * older ones counted. */
static void
assert_listed(const struct node_status *ns, uint32_t newest, uint32_t more)
{
	size_t i;

	assert_false(ns->old_epochs_unknown);
	assert_true(ns->has_old_epoch_held);
	assert_int_equal(ns->n_old_epochs, CODEC_MAX_OLD_EPOCHS);
	for (i = 0; i < CODEC_MAX_OLD_EPOCHS; i++) {
		uint32_t e = newest - CODEC_MAX_OLD_EPOCHS + 1 + (uint32_t)i;

		assert_int_equal(ns->old_epoch[i], e);
		assert_int_equal(ns->old_epoch_records[i], records_of(e));
		assert_int_equal(ns->old_epoch_held[i], 0);
	}
	assert_int_equal(ns->old_epochs_more, more);
}

/*
 * 64 older epochs are read at once; 70 (and the node's own, which is not
 * listed) are more than the first read takes: read again whole, the
 * newest 8 are listed, not those the first read ended at, and the 62
 * before them counted. A node behind the newest epochs it holds records
 * of lists those below its own.
 */
static void
test_many_epochs(void **state)
{
	struct fixture *fx = *state;
	struct node_status ns;

	put_epochs(fx, 1, 64);
	fill(fx, 65, &ns);
	assert_listed(&ns, 64, 56);

	put_epochs(fx, 65, 71);
	fill(fx, 71, &ns);
	assert_listed(&ns, 70, 62);
	fill(fx, 72, &ns);
	assert_listed(&ns, 71, 63);
	fill(fx, 40, &ns);
	assert_listed(&ns, 39, 31);

	/* Fewer than 8 older epochs: all listed, none more. */
	fill(fx, 3, &ns);
	assert_int_equal(ns.n_old_epochs, 2);
	assert_int_equal(ns.old_epoch[1], 2);
	assert_int_equal(ns.old_epoch_records[1], records_of(2));
	assert_int_equal(ns.old_epochs_more, 0);
}

/* What status says, and logs, with the nth allocation from now failing
 * (captured: valid until the next). */
static const char *
fill_failing(struct fixture *fx, unsigned long nth, uint32_t key_epoch,
	     struct node_status *ns)
{
	capture();
	fail_malloc(nth);
	fill(fx, key_epoch, ns);
	fail_malloc(0);
	return captured();
}

/*
 * Memory short for the second read, or for the first: not known, and the
 * log says why (kuska status tells to read it), within a budget: any
 * local user of the submit socket's group can ask for status.
 */
static void
test_unread_logged(void **state)
{
	struct fixture *fx = *state;
	struct node_status ns;
	struct log_budget lb;
	const char *l;
	int i;

	/* 64 epochs: one read, one allocation (the outbox's own). */
	put_epochs(fx, 1, 64);
	l = fill_failing(fx, 2, 65, &ns);
	assert_int_equal(malloc_failures(), 0);
	assert_int_equal(captured_count(l, "event=epoch_records_unread "), 0);
	assert_listed(&ns, 64, 56);

	/* 70: the second is the array of the second read. */
	put_epochs(fx, 65, 70);
	l = fill_failing(fx, 2, 71, &ns);
	assert_int_equal(malloc_failures(), 1);
	assert_true(ns.old_epochs_unknown);
	assert_int_equal(ns.n_old_epochs, 0);
	assert_int_equal(ns.old_epochs_more, 0);
	assert_int_equal(captured_count(l, "event=epoch_records_unread "), 1);
	assert_non_null(
	    strstr(l, "event=epoch_records_unread error=\"Cannot allocate "
		      "memory\""));

	/* The first read's own. */
	l = fill_failing(fx, 1, 71, &ns);
	assert_int_equal(malloc_failures(), 1);
	assert_true(ns.old_epochs_unknown);
	assert_int_equal(captured_count(l, "event=epoch_records_unread "), 1);

	/* Asked again and again: 10 lines at once, then one a second
	 * (a loaded machine may take more than one for the 50). */
	memset(&lb, 0, sizeof(lb));
	capture();
	fail_malloc_from(1);
	for (i = 0; i < 50; i++) {
		memset(&ns, 0, sizeof(ns));
		old_epochs_fill(fx->ob, 71, &lb, &ns);
		assert_true(ns.old_epochs_unknown);
	}
	fail_malloc(0);
	l = captured();
	i = captured_count(l, "event=epoch_records_unread ");
	assert_true(i >= LOG_BUDGET_BURST && i < 20);

	fill(fx, 71, &ns);
	assert_listed(&ns, 70, 62);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_many_epochs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unread_logged, setup,
					    teardown),
	};

	log_init("test_old_epochs", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
