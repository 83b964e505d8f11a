/*
 * stats_rig.h - the statistics engine over a real LMDB store in a
 * temporary directory, for the unit tests that feed it records
 * (test_link.c, test_unmatched.c), which each wrote it.
 */
#ifndef KUSKA_STATS_RIG_H
#define KUSKA_STATS_RIG_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "stats.h"
#include "store.h"

#define STATS_RIG_MAP (64u << 20) /* the store's map, and its ceiling */

/*
 * stats_rig_open - a new store in a new directory /tmp/kuska-NAME-XXXXXX
 * (into dir, cap bytes) and statistics loaded from it. Returns 0 or -1
 * (a cmocka setup's answer).
 */
static int __attribute__((unused))
stats_rig_open(char *dir, size_t cap, const char *name, struct store **st,
	       struct stats **s)
{
	snprintf(dir, cap, "/tmp/kuska-%s-XXXXXX", name);
	if (mkdtemp(dir) == NULL ||
	    store_open(dir, STATS_RIG_MAP, STATS_RIG_MAP, st) != 0)
		return -1;
	*s = stats_new();
	return *s == NULL || stats_load(*s, *st) != 0 ? -1 : 0;
}

/* stats_rig_close - frees what stats_rig_open made and removes dir. */
static int __attribute__((unused))
stats_rig_close(const char *dir, struct store **st, struct stats **s)
{
	char cmd[128];

	stats_free(s);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
