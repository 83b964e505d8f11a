/*
 * submit.c - kuska submit: sends a case system's JSON Lines files to the
 * institution's node and reports, per line, what became of each record.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "codec.h"
#include "ctl.h"
#include "record.h"
#include "settings.h"

#define CHUNK_LINES 500
#define CHUNK_BYTES (8 * 1024 * 1024)
#define SUBMIT_TIMEOUT_MS 120000

struct tally {
	unsigned long accepted, held, refused, unlinkable;
};

struct chunk {
	char *lines[CHUNK_LINES];
	size_t lens[CHUNK_LINES];
	size_t n, bytes;
	unsigned long first_line;
};

/* The lines may hold names and document numbers: wipe, then free. */
static void
chunk_clear(struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		explicit_bzero(c->lines[i], c->lens[i]);
		free(c->lines[i]);
	}
	c->n = 0;
	c->bytes = 0;
}

static void
print_result(const char *name, const struct line_result *res, struct tally *t)
{
	switch (res->status) {
	case LINE_ACCEPTED:
		t->accepted++;
		break;
	case LINE_HELD:
		t->held++;
		break;
	case LINE_REFUSED:
		t->refused++;
		if (res->field[0] != '\0')
			printf("%s:%llu: refused: %s: %s\n", name,
			       (unsigned long long)res->line, res->field,
			       res->reason);
		else
			printf("%s:%llu: refused: %s\n", name,
			       (unsigned long long)res->line, res->reason);
		break;
	default:
		break;
	}
	if (res->unlinkable > 0 && res->status != LINE_REFUSED) {
		t->unlinkable++;
		printf("%s:%llu: warning: %u victim(s) cannot be linked (no "
		       "document, and no full name with birth date): counted "
		       "for this institution only\n",
		       name, (unsigned long long)res->line, res->unlinkable);
	}
}

/* Sends one chunk and prints its results. Returns 0 or -errno. */
static int
send_chunk(struct ctl *ctl, const char *name, struct chunk *c, struct tally *t)
{
	struct control req, rep;
	size_t i;
	int r;

	if (c->n == 0)
		return 0;
	memset(&req, 0, sizeof(req));
	req.type = CTL_SUBMIT;
	snprintf(req.source, sizeof(req.source), "%s", name);
	req.first_line = c->first_line;
	r = ctl_call(ctl, &req, (const void *const *)c->lines, c->lens, c->n,
		     SUBMIT_TIMEOUT_MS, &rep);
	chunk_clear(c);
	if (r != 0) {
		fprintf(stderr,
			"kuska submit: %s: no answer from the node: "
			"%s\n",
			name, strerror(-r));
		return r;
	}
	if (rep.type == CTL_ERROR || rep.error[0] != '\0') {
		fprintf(stderr,
			"kuska submit: %s: the node refused lines "
			"%lu-: %s\n",
			name, c->first_line, rep.error);
		codec_control_clear(&rep);
		return -EIO;
	}
	if (rep.type != CTL_SUBMIT_REPLY) {
		codec_control_clear(&rep);
		return -EBADMSG;
	}
	for (i = 0; i < rep.n_results; i++)
		print_result(name, &rep.results[i], t);
	codec_control_clear(&rep);
	return 0;
}

/* The name of an input in messages. */
static const char *
shown(const char *name)
{
	return strcmp(name, "-") == 0 ? "standard input" : name;
}

/*
 * Whether an input can be read at all, before anything is sent: an
 * existing file that is not a directory, or an open standard input.
 * Returns 0 or -errno (said on stderr).
 */
static int
check_input(const char *name)
{
	struct stat st;
	int r = 0;

	if (strcmp(name, "-") == 0) {
		if (fcntl(STDIN_FILENO, F_GETFD) < 0 ||
		    fstat(STDIN_FILENO, &st) != 0)
			r = -errno;
		else if (S_ISDIR(st.st_mode))
			r = -EISDIR;
	} else if (stat(name, &st) != 0) {
		r = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
	}
	if (r != 0)
		fprintf(stderr, "kuska submit: %s: cannot read: %s\n",
			shown(name), strerror(-r));
	return r;
}

/*
 * Submits one file (or stdin for "-"). Returns 0 or -errno; *ret_sent
 * says whether any line reached the node.
 */
static int
submit_file(struct ctl *ctl, const char *name, struct tally *t, bool *ret_sent)
{
	FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
	struct chunk c;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	int r = 0;

	*ret_sent = false;
	if (f == NULL) {
		r = -errno;
		fprintf(stderr, "kuska submit: %s: cannot read: %s\n",
			shown(name), strerror(-r));
		return r;
	}
	memset(&c, 0, sizeof(c));
	while ((len = getline(&line, &cap, f)) >= 0) {
		size_t l = (size_t)len;
		lineno++;
		while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			l--;
		/* The node refuses an overlong line; don't ship all of it. */
		if (l > RECORD_MAX_LINE + 1)
			l = RECORD_MAX_LINE + 1;
		if (c.n == 0)
			c.first_line = lineno;
		c.lines[c.n] = malloc(l + 1);
		if (c.lines[c.n] == NULL) {
			r = -ENOMEM;
			break;
		}
		memcpy(c.lines[c.n], line, l);
		c.lens[c.n] = l;
		c.n++;
		c.bytes += l;
		explicit_bzero(line, (size_t)len);
		if (c.n == CHUNK_LINES || c.bytes >= CHUNK_BYTES) {
			*ret_sent = true;
			r = send_chunk(ctl, name, &c, t);
			if (r != 0)
				break;
		}
	}
	if (r == 0 && ferror(f)) {
		/* Not the end of the file: a read that failed. */
		r = errno != 0 ? -errno : -EIO;
		fprintf(stderr,
			"kuska submit: %s: cannot read after line %lu: %s\n",
			shown(name), lineno, strerror(-r));
	}
	if (r == 0) {
		*ret_sent = *ret_sent || c.n > 0;
		r = send_chunk(ctl, name, &c, t);
	}
	chunk_clear(&c);
	if (line != NULL) {
		explicit_bzero(line, cap);
		free(line);
	}
	if (f != stdin)
		fclose(f);
	return r;
}

int
cmd_submit(int argc, char **argv)
{
	struct node_config cfg;
	struct ctl *ctl;
	const char *conf = NULL;
	char err[512];
	int ch, i, r, status = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			goto usage;
		conf = optarg;
	}
	if (conf == NULL || optind >= argc)
		goto usage;
	if (config_load(conf, &settings_node_schema, &cfg, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "kuska submit: %s\n", err);
		return 2;
	}
	for (i = optind; i < argc; i++)
		if (check_input(argv[i]) != 0)
			return 1;
	ctl = ctl_open(cfg.submit, &r);
	if (ctl == NULL) {
		char why[512];
		fprintf(stderr, "kuska submit: %s\n",
			ctl_explain(r, cfg.submit, why, sizeof(why)));
		return 2;
	}
	for (i = optind; i < argc; i++) {
		struct tally t = {0};
		bool sent;
		r = submit_file(ctl, argv[i], &t, &sent);
		if (r != 0 && !sent) {
			status = status ? status : 1;
			if (r == -ETIMEDOUT || r == -ECONNREFUSED ||
			    r == -ECONNRESET) {
				status = 2;
				break;
			}
			continue; /* nothing of it reached the node */
		}
		printf("%s: %lu accepted, %lu already held, %lu refused, %lu "
		       "with unlinkable victims%s\n",
		       argv[i], t.accepted, t.held, t.refused, t.unlinkable,
		       r != 0 ? " (stopped early)" : "");
		if (r == -ETIMEDOUT || r == -ECONNREFUSED) {
			status = 2;
			break;
		}
		if (r != 0 || t.refused > 0)
			status = status ? status : 1;
	}
	ctl_close(&ctl);
	return status;
usage:
	fprintf(stderr, "usage: kuska submit -c NODE.conf FILE... (- for "
			"standard input)\n");
	return 2;
}
