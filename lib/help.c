/*
 * help.c - printing the help of help_table.c, and checking a command
 * line against it before the command parses it (see help.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "help.h"

#define HELP_COLUMN 24	       /* where option and item texts start */
#define HELP_COMMAND_COLUMN 12 /* where "kuska help" puts the summaries */
#define HELP_MAX_OPTS 32       /* options of one entry, --help included */

/* Every entry takes it; printed last, never listed in the table. */
static const struct help_opt help_opt_help = {
    'h', "help", NULL, "print this help and exit", false};

const struct help_cmd *
help_find(const char *prog, const char *name)
{
	const struct help_cmd *c;

	for (c = help_table; c->prog != NULL; c++) {
		if (strcmp(c->prog, prog) != 0)
			continue;
		if (name == NULL
			? c->name == NULL
			: c->name != NULL && strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

const struct help_item *
help_items(const struct help_cmd *cmd, const char *title)
{
	const struct help_section *sec;

	for (sec = cmd->sections; sec != NULL && sec->title != NULL; sec++)
		if (strcmp(sec->title, title) == 0)
			return sec->items;
	return NULL;
}

/* The i-th option of cmd, --help after the listed ones, then NULL. */
static const struct help_opt *
opt_at(const struct help_cmd *cmd, size_t i)
{
	size_t n = 0;

	if (cmd->opts != NULL)
		while (cmd->opts[n].text != NULL)
			n++;
	if (i < n)
		return &cmd->opts[i];
	return i == n ? &help_opt_help : NULL;
}

/* "kuska submit" or "kuska-node": who speaks in messages. */
static void
who(const struct help_cmd *cmd, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s%s", cmd->prog, cmd->name ? " " : "",
		 cmd->name ? cmd->name : "");
}

/*
 * Each form of a synopsis (split at '\n') on a line of its own: lead
 * before the first, next before the others, then "name form".
 */
static void
print_forms(FILE *f, const char *lead, const char *next, const char *name,
	    const char *synopsis)
{
	const char *form = synopsis, *end;

	do {
		end = strchr(form, '\n');
		fprintf(f, "%s%s%s%.*s\n", form == synopsis ? lead : next, name,
			*form && *form != '\n' ? " " : "",
			(int)(end ? (size_t)(end - form) : strlen(form)), form);
		form = end ? end + 1 : NULL;
	} while (form != NULL);
}

void
help_usage(FILE *f, const struct help_cmd *cmd)
{
	char name[64];

	who(cmd, name, sizeof(name));
	print_forms(f, "usage: ", "       ", name, cmd->synopsis);
}

/* "-p, --period P", "    --boot N", "-c NODE.conf", "-d". */
static void
opt_term(const struct help_opt *o, char *out, size_t cap)
{
	size_t len;

	if (o->short_name != 0 && o->long_name != NULL)
		snprintf(out, cap, "-%c, --%s", o->short_name, o->long_name);
	else if (o->short_name != 0)
		snprintf(out, cap, "-%c", o->short_name);
	else
		snprintf(out, cap, "    --%s", o->long_name);
	len = strlen(out);
	if (o->arg != NULL && len < cap)
		snprintf(out + len, cap - len, " %s", o->arg);
}

/* How messages name an option: "--period", or "-c" without a long name. */
static void
opt_name(const struct help_opt *o, char *out, size_t cap)
{
	if (o->long_name != NULL)
		snprintf(out, cap, "--%s", o->long_name);
	else
		snprintf(out, cap, "-%c", o->short_name);
}

/*
 * "  TERM   text" with the text at column, or on the next line when the
 * term is too long.
 */
static void
print_row(FILE *f, int column, const char *term, const char *text)
{
	int pad = column - 2 - (int)strlen(term);

	if (pad < 2)
		fprintf(f, "  %s\n%*s%s\n", term, column, "", text);
	else
		fprintf(f, "  %s%*s%s\n", term, pad, "", text);
}

void
help_print(FILE *f, const struct help_cmd *cmd)
{
	const struct help_opt *o;
	const struct help_section *s;
	const struct help_item *it;
	char term[96];
	size_t i;

	help_usage(f, cmd);
	fprintf(f, "\n%c%s.\n\nOptions:\n",
		cmd->summary[0] >= 'a' && cmd->summary[0] <= 'z'
		    ? cmd->summary[0] - 'a' + 'A'
		    : cmd->summary[0],
		cmd->summary + 1);
	for (i = 0; (o = opt_at(cmd, i)) != NULL; i++) {
		opt_term(o, term, sizeof(term));
		print_row(f, HELP_COLUMN, term, o->text);
	}
	for (s = cmd->sections; s != NULL && s->title != NULL; s++) {
		fprintf(f, "\n%s:\n", s->title);
		for (it = s->items; it->text != NULL; it++)
			print_row(f, HELP_COLUMN, it->term, it->text);
	}
}

void
help_print_program(FILE *f, const char *prog)
{
	const struct help_cmd *c, *self = help_find(prog, NULL);

	if (self != NULL)
		fprintf(f, "%s - %s\n\n", prog, self->summary);
	fprintf(f, "usage:\n");
	for (c = help_table; c->prog != NULL; c++) {
		char name[64];

		if (c->name == NULL || strcmp(c->prog, prog) != 0)
			continue;
		who(c, name, sizeof(name));
		print_forms(f, "  ", "  ", name, c->synopsis);
	}
	fprintf(f, "\nCommands:\n");
	for (c = help_table; c->prog != NULL; c++)
		if (c->name != NULL && strcmp(c->prog, prog) == 0)
			print_row(f, HELP_COMMAND_COLUMN, c->name, c->summary);
	fprintf(f,
		"\n\"%s help COMMAND\" lists a command's options; %s(1) says "
		"more.\n",
		prog, prog);
}

/* ------------------------------------------------------------------ */
/* Checking a command line. */

struct check {
	const struct help_cmd *cmd;
	bool seen[HELP_MAX_OPTS]; /* by index of opt_at() */
	int n_args;
	bool help;  /* -h or --help was given */
	bool error; /* one was said */
};

static void refuse(struct check *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line on standard error: who, what, and where to read more. */
static void
refuse(struct check *k, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	who(k->cmd, name, sizeof(name));
	fprintf(stderr, "%s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (k->cmd->name != NULL)
		fprintf(stderr, " (try \"%s help %s\")\n", k->cmd->prog,
			k->cmd->name);
	else
		fprintf(stderr, " (try \"%s --help\")\n", k->cmd->prog);
	k->error = true;
}

/* Whether arg lists the accepted values ("text|csv|json"). */
static bool
is_choice_list(const char *arg)
{
	const char *p;

	for (p = arg; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == '|'))
			return false;
	return strchr(arg, '|') != NULL;
}

static bool
is_choice(const char *list, const char *value)
{
	size_t len = strlen(value);
	const char *p = list;

	while (p != NULL) {
		if (strncmp(p, value, len) == 0 &&
		    (p[len] == '|' || p[len] == '\0'))
			return true;
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	return false;
}

/* Records option i as given with value (NULL for a flag). */
static void
take(struct check *k, size_t i, const char *value)
{
	const struct help_opt *o = opt_at(k->cmd, i);

	if (i < HELP_MAX_OPTS)
		k->seen[i] = true;
	if (o == &help_opt_help)
		k->help = true;
	else if (value != NULL && is_choice_list(o->arg) &&
		 !is_choice(o->arg, value)) {
		char name[40];

		opt_name(o, name, sizeof(name));
		refuse(k, "bad %s \"%s\": one of %s", name, value, o->arg);
	}
}

/*
 * The option named by "--name" or "--name=value" (exactly, or by an
 * unambiguous prefix, as getopt_long does); SIZE_MAX when unknown or
 * ambiguous (said).
 */
static size_t
find_long(struct check *k, const char *word)
{
	const struct help_opt *o;
	size_t i, len = strcspn(word + 2, "="), found = SIZE_MAX, n = 0;

	for (i = 0; (o = opt_at(k->cmd, i)) != NULL; i++) {
		if (o->long_name == NULL ||
		    strncmp(o->long_name, word + 2, len) != 0)
			continue;
		if (o->long_name[len] == '\0')
			return i;
		found = i;
		n++;
	}
	if (n == 1 && len > 0)
		return found;
	for (i = 0;
	     n == 0 && k->cmd->lacks != NULL && k->cmd->lacks[i].text != NULL;
	     i++) {
		if (strlen(k->cmd->lacks[i].term) == len &&
		    strncmp(k->cmd->lacks[i].term, word + 2, len) == 0) {
			refuse(k, "no option \"%.*s\": %s", (int)len + 2, word,
			       k->cmd->lacks[i].text);
			return SIZE_MAX;
		}
	}
	refuse(k, "%s option \"%.*s\"",
	       n > 1 && len > 0 ? "ambiguous" : "unknown", (int)len + 2, word);
	return SIZE_MAX;
}

/* "--name", "--name=value" or "--name value"; returns the words used. */
static int
check_long(struct check *k, int argc, char *const *argv, int at)
{
	const char *word = argv[at], *eq = strchr(word, '=');
	const struct help_opt *o;
	size_t i = find_long(k, word);

	if (i == SIZE_MAX)
		return 1;
	o = opt_at(k->cmd, i);
	if (o->arg == NULL) {
		if (eq != NULL)
			refuse(k, "option \"--%s\" takes no value",
			       o->long_name);
		else
			take(k, i, NULL);
		return 1;
	}
	if (eq != NULL) {
		take(k, i, eq + 1);
		return 1;
	}
	if (at + 1 >= argc) {
		refuse(k, "option \"--%s\" needs a value (%s)", o->long_name,
		       o->arg);
		return 1;
	}
	take(k, i, argv[at + 1]);
	return 2;
}

/* "-dn", "-cFILE" or "-c FILE"; returns the words used. */
static int
check_short(struct check *k, int argc, char *const *argv, int at)
{
	const char *word = argv[at];
	const struct help_opt *o = NULL;
	size_t i, j;

	for (j = 1; word[j] != '\0'; j++) {
		for (i = 0; (o = opt_at(k->cmd, i)) != NULL; i++)
			if (o->short_name == word[j])
				break;
		if (o == NULL) {
			refuse(k, "unknown option \"-%c\"", word[j]);
			return 1;
		}
		if (o->arg == NULL) {
			take(k, i, NULL);
			continue;
		}
		if (word[j + 1] != '\0') {
			take(k, i, word + j + 1);
			return 1;
		}
		if (at + 1 >= argc) {
			refuse(k, "option \"-%c\" needs a value (%s)", word[j],
			       o->arg);
			return 1;
		}
		take(k, i, argv[at + 1]);
		return 2;
	}
	return 1;
}

/* The name of the n-th operand (0-based), from the "Arguments" section. */
static const char *
operand_name(const struct help_cmd *cmd, int n)
{
	const struct help_section *s;
	int i;

	for (s = cmd->sections; s != NULL && s->title != NULL; s++) {
		if (strcmp(s->title, "Arguments") != 0)
			continue;
		for (i = 0; s->items[i].text != NULL; i++)
			if (i == n)
				return s->items[i].term;
	}
	return "an argument";
}

/* After the whole line: required options and operands present. */
static void
check_complete(struct check *k)
{
	const struct help_opt *o;
	char name[40];
	size_t i;

	for (i = 0; !k->error && (o = opt_at(k->cmd, i)) != NULL; i++) {
		if (!o->required || (i < HELP_MAX_OPTS && k->seen[i]))
			continue;
		opt_name(o, name, sizeof(name));
		refuse(k, "missing %s%s%s", name, o->arg ? " " : "",
		       o->arg ? o->arg : "");
	}
	if (!k->error && k->n_args < k->cmd->min_args)
		refuse(k, "missing %s", operand_name(k->cmd, k->n_args));
}

bool
help_handle(const char *prog, const char *name, int argc, char *const *argv,
	    int *ret_exit)
{
	struct check k;
	int at = 1;
	bool options = true;

	memset(&k, 0, sizeof(k));
	k.cmd = help_find(prog, name);
	if (k.cmd == NULL) {
		fprintf(stderr,
			"%s: %s has no entry in the help table "
			"(lib/help_table.c)\n",
			prog, name ? name : prog);
		*ret_exit = 70;
		return true;
	}
	while (at < argc && !k.error && !k.help) {
		const char *w = argv[at];

		if (options && strcmp(w, "--") == 0) {
			options = false;
			at++;
		} else if (options && w[0] == '-' && w[1] == '-') {
			at += check_long(&k, argc, argv, at);
		} else if (options && w[0] == '-' && w[1] != '\0') {
			at += check_short(&k, argc, argv, at);
		} else {
			if (k.cmd->max_args != HELP_ANY &&
			    k.n_args >= k.cmd->max_args)
				refuse(&k, "unexpected argument \"%s\"", w);
			k.n_args++;
			at++;
		}
	}
	if (k.help) {
		help_print(stdout, k.cmd);
		*ret_exit = 0;
		return true;
	}
	if (!k.error)
		check_complete(&k);
	*ret_exit = k.error ? 2 : 0;
	return k.error;
}
