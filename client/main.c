/*
 * kuska - the command-line client: keys, submit, status, query, demo and
 * synthetic data.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "keys.h"
#include "log.h"
#include "record.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *synopsis;
} commands[] = {
    {"keygen", cmd_keygen, "keygen NAME [--dir DIR] | keygen --linkage FILE"},
    {"submit", cmd_submit, "submit -c NODE.conf FILE... (- for stdin)"},
    {"status", cmd_status, "status -c NODE.conf|CONSOLIDATOR.conf"},
    {"metrics", cmd_metrics, "metrics -c NODE.conf|CONSOLIDATOR.conf"},
    {"query", cmd_query,
     "query -c CLIENT.conf TABLE --period P [--region RR] "
     "[--format text|csv|json]"},
    {"estimate", cmd_estimate,
     "estimate FILE.csv [--method stepwise|main] [--boot N] [--seed S] "
     "[--format text|csv|json]"},
    {"report", cmd_report,
     "report -c CLIENT.conf --period P [--lang es|en] [-o FILE]"},
    {"demo", cmd_demo, "demo init DIR [--port BASE]"},
    {"sim", cmd_sim, "sim --out DIR [--victims N] [--seed S]"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  kuska %s\n", commands[i].synopsis);
	fprintf(f, "  kuska version\n");
	return 2;
}

int
main(int argc, char **argv)
{
	size_t i;

	log_init("kuska", 0);
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		printf("kuska %s\n", KUSKA_VERSION);
		return 0;
	}
	if (keys_init() != 0) {
		fprintf(stderr, "kuska: cannot initialise libsodium\n");
		return 1;
	}
	record_init();
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kuska: unknown command \"%s\"\n", argv[1]);
	return usage(stderr);
}
