/*
 * help.h - the usage, options and help text of kuska, kuska-node and
 * kuska-consolidator, from one table (help_table.c), and the check of a
 * command line against it.
 *
 * Each program, and each subcommand of kuska, is one entry of the table:
 * its synopsis, a one-line summary, its options with a line each, and
 * sections such as the tables and periods of "kuska query". A new
 * command or option is one entry there; nothing else prints a usage.
 * Every entry takes -h and --help without listing them.
 *
 * help_handle() is called before a program or subcommand parses its own
 * command line: it answers --help, and refuses, naming it, an option
 * the entry does not list, an option without its value, a value outside
 * an option's choices, a missing required option and an argument too
 * many. What passes is left to the command's own parsing (getopt_long
 * semantics: clustered short options, "--name=value", unambiguous
 * prefixes of long names, "--" ending the options).
 */
#ifndef KUSKA_HELP_H
#define KUSKA_HELP_H

#include <stdbool.h>
#include <stdio.h>

#define HELP_ANY (-1) /* max_args: any number of arguments */

/*
 * An option. arg NULL: a flag. An arg written in lower case with "|",
 * such as "text|csv|json", is the list of the only values accepted; any
 * other arg ("FILE", "N") names the value.
 */
struct help_opt {
	char short_name;       /* 'c', or 0 when there is only a long name */
	const char *long_name; /* "period" (without "--"), or NULL */
	const char *arg;       /* the value's name, or NULL */
	const char *text;      /* one line; NULL ends the list */
	bool required;	       /* the command cannot run without it */
};

/* A line of a section: a term and what it means. */
struct help_item {
	const char *term; /* "identification", "2026Q3" */
	const char *text; /* NULL ends the list */
};

/* A section after the options: "Arguments", "Tables", "Periods". */
struct help_section {
	const char *title; /* NULL ends the list */
	const struct help_item *items;
};

struct help_cmd {
	const char *prog;	/* "kuska", "kuska-node"; NULL ends the table */
	const char *name;	/* the subcommand, or NULL for the program */
	const char *synopsis;	/* after "prog name "; forms split by '\n' */
	const char *summary;	/* one line, lower case, no full stop */
	int min_args, max_args; /* operands; max_args HELP_ANY: no limit */
	const struct help_opt *opts;	     /* NULL: none but --help */
	const struct help_section *sections; /* NULL: none */
	/* Long options it lacks that its users try (term "region"), and
	 * what to do instead, said in the refusal; NULL: none. */
	const struct help_item *lacks;
};

/* The table: every entry, ended by one whose prog is NULL. */
extern const struct help_cmd help_table[];

/*
 * help_find - the entry of prog's subcommand name, or of prog itself
 * when name is NULL; NULL if there is none. Points into help_table.
 */
const struct help_cmd *help_find(const char *prog, const char *name);

/*
 * help_items - the items of cmd's section title ("Tables"), ended by one
 * whose text is NULL; NULL if cmd has no such section. Points into
 * help_table: a command that accepts only the terms it lists (kuska
 * query's tables) reads them here, so that its refusal names them in
 * the order its help does.
 */
const struct help_item *help_items(const struct help_cmd *cmd,
				   const char *title);

/* help_usage - the "usage:" line(s) of cmd, on f. */
void help_usage(FILE *f, const struct help_cmd *cmd);

/*
 * help_print - cmd's usage, summary, a line per option (--help last)
 * and its sections, on f.
 */
void help_print(FILE *f, const struct help_cmd *cmd);

/*
 * help_print_program - what "kuska help" prints: the usage of every
 * subcommand of prog, then a line per subcommand, on f.
 */
void help_print_program(FILE *f, const char *prog);

/*
 * help_handle - checks argv[1..argc-1], the command line of prog's
 * subcommand name (NULL: of prog itself; argv[0] is not looked at).
 * Returns true when it answered the command line itself, with *ret_exit
 * the exit code: 0 after printing the help on standard output for -h or
 * --help, 2 after a one-line error on standard error naming the culprit
 * ("kuska submit: unknown option \"--frobnicate\" ..."), 70 when the
 * table has no entry for the command (a bug: add one). Returns false
 * when the command should parse its line and run.
 */
bool help_handle(const char *prog, const char *name, int argc,
		 char *const *argv, int *ret_exit);

#endif
