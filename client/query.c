/* query.c - kuska query (statistics tables): see issue 3. */
#include <stdio.h>

#include "cmd.h"

int
cmd_query(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kuska query: not built yet\n");
	return 2;
}
