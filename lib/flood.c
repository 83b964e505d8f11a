/* flood.c - a run of messages nothing waited for; see flood.h. */
#include "flood.h"

#include <string.h>

void
flood_guard_init(struct flood_guard *g, size_t max)
{
	memset(g, 0, sizeof(*g));
	g->max = max;
}

bool
flood_guard_note(struct flood_guard *g, bool taken)
{
	if (taken) {
		g->untaken = 0;
		return false;
	}
	if (++g->untaken < g->max)
		return false;
	g->untaken = 0;
	g->cuts++;
	return true;
}
