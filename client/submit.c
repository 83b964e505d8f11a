/*
 * submit.c - kuska submit: sends a case system's JSON Lines files to the
 * institution's node and reports, per line, what became of each record.
 *
 * The lines hold names and document numbers, so they never pass through
 * memory this program does not own and wipe: the file is read with
 * read(2) (no stdio buffer, no getline buffer) into a buffer wiped as it
 * is consumed, each line is copied into its own buffer, and those are
 * handed to the transport without a copy (tsock_send_handover), which
 * wipes each once sent. What remains outside our reach is said in
 * docs/SECURITY.md (libzmq's and the kernel's socket buffers).
 *
 * The lines are read in submit_read.c, a file's bytes judged before any
 * is sent in submit_judge.c, and what the officer reads is written in
 * submit_out.c (submit_int.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "codec.h"
#include "ctl.h"
#include "guard.h"
#include "keys.h"
#include "progress.h"
#include "settings.h"
#include "submit_int.h"
#include "tally.h"

#define SUBMIT_TIMEOUT_S 120     /* --timeout, default */
#define SUBMIT_TIMEOUT_MAX_S 86400
#define SUBMIT_END_TIMEOUT_MS 5000 /* the end of a run told to the node */
#define SUBMIT_EXIT_STARTING 3	   /* the node is starting, as kuska status */

/*
 * Set by the first SIGINT or SIGTERM: the chunk the node is answering is
 * waited for and printed, then the run stops, with the summary, the
 * --report file complete and the lines wiped. Another one a second or
 * later kills at once (one within a second or two is the same request:
 * timeout(1) signals the child and then its process group).
 */
volatile sig_atomic_t submit_interrupted;
static struct timespec interrupted_at;

static void
on_interrupt(int sig)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (submit_interrupted && now.tv_sec - interrupted_at.tv_sec >= 2) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	if (!submit_interrupted) {
		interrupted_at = now;
		submit_interrupted = sig;
	}
}

static void
catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* parse_timeout - --timeout's seconds, 1 to SUBMIT_TIMEOUT_MAX_S, into
 * *out. Returns 0 or -EINVAL. */
static int
parse_timeout(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 ||
	    v > SUBMIT_TIMEOUT_MAX_S)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* Sends one chunk and prints its results. Returns 0 or -errno. */
int
submit_send_chunk(struct run *run, const char *name, struct chunk *c,
		  struct tally *t)
{
	struct control req, rep;
	char text[512], why[384];
	size_t i, n = c->n;
	int r;

	if (n == 0)
		return 0;
	memset(&req, 0, sizeof(req));
	req.type = CTL_SUBMIT;
	snprintf(req.source, sizeof(req.source), "%s", name);
	req.first_line = c->first_line;
	req.dry_run = run->dry_run;
	req.run = run->id;
	r = ctl_submit(run->ctl, &req, c->lines, c->lens, c->n,
		       (uint64_t)run->timeout_s * 1000, &rep);
	submit_chunk_clear(c);
	progress_clear(&run->prog);
	if (r != 0 || rep.type != CTL_SUBMIT_REPLY || rep.error[0] != '\0') {
		t->stopped = c->first_line;
		t->maybe_stored = r != 0;
		t->node_stopped = r == -ECONNRESET;
	}
	if (r == -ETIMEDOUT) {
		/* The node may be slow, not gone: what it was sent may
		 * still be stored once this run has stopped waiting. */
		fprintf(stderr,
			"kuska submit: %s: no answer from the node within %d "
			"s to the lines from %lu on: it may still store them; "
			"see kuska status, then submit the file again (what "
			"the node holds is \"already held\")\n",
			submit_shown(name), run->timeout_s, c->first_line);
		snprintf(text, sizeof(text),
			 "not answered: no answer from the node within %d s "
			 "to the lines from %lu on: it may still store them; "
			 "see kuska status then submit the file again",
			 run->timeout_s, c->first_line);
		submit_report_row(run, name, c->first_line, "", text);
		return r;
	}
	if (r == -ECONNRESET) {
		/* The node ended (killed, crashed, restarted) while this
		 * piece waited: it may have committed it first. */
		fprintf(stderr,
			"kuska submit: %s: the node stopped before it answered "
			"the lines from %lu on: it may have stored some of "
			"them; once it runs again (see kuska status), submit "
			"the file again (what the node holds is \"already "
			"held\")\n",
			submit_shown(name), c->first_line);
		snprintf(text, sizeof(text),
			 "not answered: the node stopped before it answered "
			 "the lines from %lu on: it may have stored some of "
			 "them; submit the file again once it runs",
			 c->first_line);
		submit_report_row(run, name, c->first_line, "", text);
		return r;
	}
	if (r != 0) {
		fprintf(stderr,
			"kuska submit: %s: no answer from the node to the "
			"lines from %lu on: %s; see kuska status, then submit "
			"the file again (what the node holds is \"already "
			"held\")\n",
			submit_shown(name), c->first_line, strerror(-r));
		snprintf(text, sizeof(text),
			 "not answered: no answer from the node to the lines "
			 "from %lu on: %s; see kuska status then submit the "
			 "file again",
			 c->first_line, strerror(-r));
		submit_report_row(run, name, c->first_line, "", text);
		return r;
	}
	if (rep.type == CTL_STARTING) {
		/* Its outbox's checks, its open (kuska status says it):
		 * neither stored nor refused for what they are. */
		snprintf(why, sizeof(why),
			 "the node is starting: %s; submit the file again once "
			 "it has started (see kuska status)",
			 rep.error);
		run->node_starting = true;
	} else {
		snprintf(why, sizeof(why), "%s", rep.error);
	}
	if (rep.type == CTL_ERROR || rep.type == CTL_STARTING ||
	    rep.error[0] != '\0') {
		fprintf(stderr,
			"kuska submit: %s: the node refused the lines "
			"from %lu on: %s\n",
			submit_shown(name), c->first_line, why);
		/* The team reading the --report file is told too, or an
		 * export refused whole would leave it a file of no rows. */
		snprintf(text, sizeof(text),
			 "refused: the node took none of the lines from %lu "
			 "on: %s",
			 c->first_line, why);
		submit_report_row(run, name, c->first_line, "", text);
		codec_control_clear(&rep);
		return -EIO;
	}
	if (rep.type != CTL_SUBMIT_REPLY) {
		codec_control_clear(&rep);
		return -EBADMSG;
	}
	for (i = 0; i < rep.n_results; i++) {
		uint64_t at = rep.results[i].line - c->first_line;

		submit_print_result(run, name, &rep.results[i],
				    rep.results[i].line >= c->first_line &&
					at < n && c->withdrawal[at],
				    t);
	}
	codec_control_clear(&rep);
	fflush(stdout);
	submit_show_progress(run, name, t, true);
	return 0;
}

/*
 * Whether an input can be read at all, before anything is sent: an
 * existing file that is not a directory, or an open standard input.
 * Returns 0 or -errno (said on stderr and in the --report file).
 */
static int
check_input(struct run *run, const char *name)
{
	char row[160];
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
	if (r != 0) {
		fprintf(stderr, "kuska submit: %s: cannot read: %s\n",
			submit_shown(name), strerror(-r));
		snprintf(row, sizeof(row),
			 "not sent: cannot read: %s; nothing was sent",
			 strerror(-r));
		submit_report_row(run, name, 0, "", row);
	}
	return r;
}

/*
 * Submits one file (or stdin for "-"). Returns 0 or -errno; *ret_sent
 * says whether any line reached the node.
 */
static int
submit_file(struct run *run, const char *name, struct tally *t, bool *ret_sent)
{
	struct reader rd = {.fd = -1};
	struct chunk c;
	unsigned long lineno = 0, header = 0;
	uint8_t *line = NULL;
	size_t len = 0;
	bool judged = false, utf16le = false, utf16be = false;
	int r = 0;

	*ret_sent = false;
	rd.fd = strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY | O_CLOEXEC);
	if (rd.fd < 0) {
		r = -errno;
		fprintf(stderr, "kuska submit: %s: cannot read: %s\n",
			submit_shown(name), strerror(-r));
		return r;
	}
	memset(&c, 0, sizeof(c));
	t->start_ms = progress_elapsed_ms(&run->prog);
	submit_show_progress(run, name, t, true);
	for (;;) {
		if (submit_interrupted) {
			r = -EINTR;
			break;
		}
		r = submit_next_line(&rd, &line, &len);
		if (r == -EINTR)
			break;
		if (r < 0) {
			/* Not the end of the file: a read that failed. */
			progress_clear(&run->prog);
			fprintf(stderr,
				"kuska submit: %s: cannot read after line "
				"%lu: %s\n",
				submit_shown(name), lineno, strerror(-r));
			break;
		}
		if (r == 0)
			break;
		lineno++;
		if (lineno == 1) {
			len = submit_drop_bom(line, len);
			utf16le = len >= 2 && memcmp(line, "\xff\xfe", 2) == 0;
			utf16be = len >= 2 && memcmp(line, "\xfe\xff", 2) == 0;
		} else if (utf16le && submit_blank_utf16le(line, len)) {
			len = 0; /* blank, as the node counts lines */
		}
		r = judged
			? submit_judge_tail(run, name, &c, t, line, len, lineno,
					    rd.lf, rd.stopped, ret_sent)
			: submit_judge_head(run, name, line, len, lineno,
					    utf16le || utf16be, rd.lf,
					    rd.stopped, &judged, &header);
		/* A mark that opens a line after the first is no blank: the
		 * node refuses it there. */
		if (r == 0 && !judged && header == 0 && len >= 3 &&
		    memcmp(line, "\xef\xbb\xbf", 3) == 0)
			judged = true;
		/* Blank lines before the first record are not sent: a file
		 * of nothing else is refused whole, below, before any of it
		 * reached the node. The node numbers from first_line. */
		if (r != 0 || !judged) {
			explicit_bzero(line, len);
			free(line);
			if (r != 0)
				break;
			t->blank++;
			continue;
		}
		if (c.n == 0)
			c.first_line = lineno;
		c.lines[c.n] = line;
		c.lens[c.n] = len;
		c.withdrawal[c.n] =
		    record_line_is_withdrawal((const char *)line, len);
		c.n++;
		c.bytes += len;
		if (c.n == CHUNK_LINES || c.bytes >= CHUNK_BYTES) {
			*ret_sent = true;
			r = submit_send_chunk(run, name, &c, t);
			if (r != 0)
				break;
		}
	}
	if (r == 0 && submit_interrupted)
		r = -EINTR;
	if (r == 0) {
		*ret_sent = *ret_sent || c.n > 0;
		r = submit_send_chunk(run, name, &c, t);
	}
	/* An export with nothing in it is no success: said, exit 1, as a
	 * file refused whole (a scheduled job that wrote nothing is then
	 * noticed). */
	if (r == 0 && !judged && header != 0) {
		submit_refuse_delimited(run, name, header, false);
		r = -EINVAL;
	} else if (r == 0 && !judged) {
		submit_refuse_file(
		    run, name, 1, "no records (%s); nothing of it was sent",
		    lineno == 0 ? "the file is empty" : "only blank lines");
		r = -ENODATA;
	}
	submit_chunk_clear(&c);
	if (rd.buf != NULL) {
		explicit_bzero(rd.buf, READ_CAP);
		free(rd.buf);
	}
	if (rd.fd > 0)
		close(rd.fd);
	return r;
}

/*
 * Tells the node that the run is over, so that its journal says what the
 * run stored now (a dry run: so that it frees what the run would have
 * stored); its answer is not waited for long, and what becomes of it
 * changes nothing of the run.
 */
static void
end_run(struct run *run)
{
	struct control req, rep;

	memset(&req, 0, sizeof(req));
	req.type = CTL_SUBMIT;
	snprintf(req.source, sizeof(req.source), "-");
	req.run = run->id;
	req.dry_run = run->dry_run;
	req.end = true;
	if (ctl_call(run->ctl, &req, NULL, NULL, 0, SUBMIT_END_TIMEOUT_MS,
		     &rep) == 0)
		codec_control_clear(&rep);
}

int
cmd_submit(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'n'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"report", required_argument, NULL, 'r'},
	    {"timeout", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	struct node_config cfg;
	struct run run;
	const char *conf = NULL, *report = NULL;
	char err[512];
	int ch, i, r, status = 0;

	/* The case system's lines pass through libzmq's buffers, which kuska
	 * cannot wipe: no core file of them. */
	if ((r = guard_nodump()) != 0) {
		fprintf(stderr, "kuska submit: cannot forbid core dumps: %s\n",
			strerror(-r));
		return 2;
	}
	memset(&run, 0, sizeof(run));
	run.timeout_s = SUBMIT_TIMEOUT_S;
	/* Its files and pieces are one submission in kuska status. */
	while (run.id == 0)
		run.id = keys_random64();
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:nvr:t:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'n':
			/* Nonzero: the id the node knows this run's
			 * requests by. */
			while (run.dry_run == 0)
				run.dry_run = keys_random64();
			break;
		case 'v':
			run.verbose = true;
			break;
		case 'r':
			report = optarg;
			break;
		case 't':
			if (parse_timeout(optarg, &run.timeout_s) != 0) {
				fprintf(stderr,
					"kuska submit: --timeout %s: not a "
					"number of seconds from 1 to %d\n",
					optarg, SUBMIT_TIMEOUT_MAX_S);
				return 2;
			}
			break;
		default:
			goto usage;
		}
	}
	if (conf == NULL || optind >= argc)
		goto usage;
	if (config_load(conf, &settings_node_schema, &cfg, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "kuska submit: %s\n", err);
		return 2;
	}
	/* The report first: one left by an earlier run must not read as
	 * this one's, whatever stops this one. */
	if (report != NULL && (run.report = submit_open_report(report)) == NULL)
		return 2;
	for (i = optind; i < argc; i++)
		if (check_input(&run, argv[i]) != 0)
			status = 1;
	run.inst = institution_name(cfg.institution);
	run.ctl = status == 0 ? ctl_open(cfg.submit, &r) : NULL;
	if (run.ctl == NULL && status == 0) {
		char why[1024], row[sizeof(why) + 16];
		ctl_explain(r, cfg.submit, "the node", why, sizeof(why));
		fprintf(stderr, "kuska submit: %s\n", why);
		snprintf(row, sizeof(row), "not sent: %s", why);
		for (i = optind; i < argc; i++)
			submit_report_row(&run, argv[i], 0, "", row);
		status = 2;
	}
	if (run.ctl == NULL) {
		if (run.report != NULL)
			fclose(run.report);
		return status;
	}
	catch_interrupts();
	progress_start(&run.prog);
	for (i = optind; i < argc; i++) {
		struct tally t;
		bool sent;
		memset(&t, 0, sizeof(t));
		r = submit_file(&run, argv[i], &t, &sent);
		progress_clear(&run.prog);
		/* A node starting refuses every piece alike, said once: the
		 * files after this one are named as not sent. */
		if (run.node_starting) {
			submit_print_summary(&run, argv[i], &t, r);
			status = SUBMIT_EXIT_STARTING;
			break;
		}
		if (r == -EINTR && !sent) {
			fprintf(stderr,
				"kuska submit: %s: interrupted: nothing of "
				"it was sent\n",
				submit_shown(argv[i]));
			submit_report_row(&run, argv[i], 0, "",
					  "not sent: interrupted");
			status = 128 + submit_interrupted;
			break;
		}
		if (r != 0 && !sent) {
			status = status ? status : 1;
			if (r == -ETIMEDOUT || r == -ECONNREFUSED ||
			    r == -ECONNRESET) {
				status = 2;
				break;
			}
			continue; /* nothing of it reached the node */
		}
		submit_print_summary(&run, argv[i], &t, r);
		if (r == -EINTR) {
			fprintf(stderr,
				"kuska submit: %s: interrupted: the lines "
				"answered above (%lu) are as printed, the "
				"rest were not sent; submit the file again "
				"to send them (what the node holds is "
				"\"already held\")\n",
				submit_shown(argv[i]), t.lines);
			{
				char row[160];
				snprintf(row, sizeof(row),
					 "not sent: interrupted after %lu "
					 "lines answered: the rest were not "
					 "sent; submit the file again",
					 t.lines);
				submit_report_row(&run, argv[i], 0, "", row);
			}
			status = 128 + submit_interrupted;
			break;
		}
		/* A node gone or not answering would keep each file after
		 * this one waiting its full time-out, for nothing. */
		if (r == -ETIMEDOUT || r == -ECONNREFUSED || r == -ECONNRESET) {
			status = 2;
			break;
		}
		if (r != 0 || t.refused > 0)
			status = status ? status : 1;
	}
	if (i < argc)
		submit_say_not_sent(&run, argv, i, argc);
	progress_clear(&run.prog);
	/* A node gone or not answering, or a request cut short: the node
	 * ends the submission itself, after 5 minutes without its requests;
	 * a node starting holds none of it. */
	if (status != 2 && status != SUBMIT_EXIT_STARTING && status < 128)
		end_run(&run);
	ctl_close(&run.ctl);
	if (run.report != NULL &&
	    (ferror(run.report) | fclose(run.report)) != 0) {
		fprintf(stderr, "kuska submit: %s: cannot write: %s\n", report,
			strerror(errno));
		status = status ? status : 1;
	}
	return status;
usage:
	fprintf(stderr, "usage: kuska submit -c NODE.conf [--dry-run] "
			"[--verbose] [--report FILE] FILE... (- for standard "
			"input)\n");
	return 2;
}
