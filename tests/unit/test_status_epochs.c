/*
 * test_status_epochs.c - what kuska status says of the records a node
 * holds under older key epochs (client/status_epochs.h): the node lists
 * the newest 8 of them, and says how many older ones it left out, which
 * status says too (it said nothing of them, as if their keys were free
 * to destroy).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "status_print.h"
#include "status_epochs.h"

/* What status prints of s's older epochs. */
static char *
printed(const struct node_status *s)
{
	return status_printed(status_epochs_print, s);
}

/* Epochs first..first+n-1, with records each, as a node that counts
 * held records says them. */
static void
epochs(struct node_status *s, unsigned first, size_t n)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	assert_true(n <= CODEC_MAX_OLD_EPOCHS);
	for (i = 0; i < n; i++) {
		s->old_epoch[i] = first + (unsigned)i;
		s->old_epoch_records[i] = 10 + i;
	}
	s->n_old_epochs = n;
	s->has_old_epoch_held = true;
}

/* Ten older epochs: the newest 8 listed, the 2 older ones counted above
 * them. */
static void
test_more(void **state)
{
	struct node_status s;
	char *out;

	(void)state;
	epochs(&s, 3, CODEC_MAX_OLD_EPOCHS);
	s.old_epochs_more = 2;
	out = printed(&s);
	assert_non_null(strstr(out, "  records under 2 more key epochs, older "
				    "than those below (not listed: send them "
				    "again or withdraw them before destroying "
				    "those epochs' keys)\n"
				    "  records under key epoch 3: 10 (send"));
	assert_non_null(strstr(out, "  records under key epoch 10: 17 (send"));
	assert_null(strstr(out, "key epoch 2:"));
	free(out);
	/* One left out: said in the singular. */
	s.old_epochs_more = 1;
	out = printed(&s);
	assert_non_null(strstr(out, "  records under 1 more key epoch, older "
				    "than those below (not listed: send them "
				    "again or withdraw them before destroying "
				    "that epoch's keys)\n"));
	free(out);
}

/* As many as the node lists, or fewer: no such line. */
static void
test_no_more(void **state)
{
	struct node_status s;
	char *out;

	(void)state;
	epochs(&s, 1, CODEC_MAX_OLD_EPOCHS);
	out = printed(&s);
	assert_null(strstr(out, "more key epochs"));
	assert_non_null(strstr(out, "  records under key epoch 8: 17 (send"));
	free(out);
	epochs(&s, 1, 0);
	out = printed(&s);
	assert_string_equal(out, "");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_more),
	    cmocka_unit_test(test_no_more),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
