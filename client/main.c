/*
 * kuska - the command-line client: keys, submit, status, query, demo and
 * synthetic data.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "help.h"
#include "keys.h"
#include "log.h"
#include "record.h"
#include "service.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

/* What runs each subcommand; its usage and options are in lib/help_table.c. */
static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
    {"keygen", cmd_keygen},	{"submit", cmd_submit},
    {"status", cmd_status},	{"metrics", cmd_metrics},
    {"query", cmd_query},	{"estimate", cmd_estimate},
    {"report", cmd_report},	{"demo", cmd_demo},
    {"sim", cmd_sim},		{"help", cmd_help},
    {"version", cmd_version},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* kuska help [COMMAND] */
static int
cmd_help(int argc, char **argv)
{
	const struct help_cmd *c;

	if (argc < 2) {
		help_print_program(stdout, "kuska");
		return 0;
	}
	c = help_find("kuska", argv[1]);
	if (c == NULL) {
		fprintf(stderr,
			"kuska help: unknown command \"%s\" (try \"kuska "
			"help\")\n",
			argv[1]);
		return 2;
	}
	help_print(stdout, c);
	return 0;
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("kuska %s\n", KUSKA_VERSION);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t i;
	int r;

	/* report, sim, keygen: a file past ulimit -f is an error said. */
	service_ignore_signals(false);
	log_init("kuska", 0);
	if (argc < 2) {
		help_print_program(stderr, "kuska");
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cmd_help(1, argv + 1);
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(1, argv + 1);
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			break;
	if (i == N_COMMANDS) {
		fprintf(stderr,
			"kuska: unknown command \"%s\" (try \"kuska help\")\n",
			argv[1]);
		return 2;
	}
	if (help_handle("kuska", argv[1], argc - 1, argv + 1, &r))
		return r;
	if (keys_init() != 0) {
		fprintf(stderr, "kuska: cannot initialise libsodium\n");
		return 1;
	}
	record_init();
	return commands[i].fn(argc - 1, argv + 1);
}
