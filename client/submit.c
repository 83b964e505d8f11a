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
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "codec.h"
#include "csvcell.h"
#include "ctl.h"
#include "guard.h"
#include "keys.h"
#include "progress.h"
#include "record.h"
#include "settings.h"
#include "tally.h"

#define CHUNK_LINES CODEC_MAX_LINES
#define CHUNK_BYTES (8 * 1024 * 1024)
#define SUBMIT_TIMEOUT_S 120     /* --timeout, default */
#define SUBMIT_TIMEOUT_MAX_S 86400
#define SUBMIT_END_TIMEOUT_MS 5000 /* the end of a run told to the node */
#define READ_BLOCK (64 * 1024)
#define LINE_KEEP (RECORD_MAX_LINE + 1) /* the node refuses longer ones */

struct chunk {
	uint8_t *lines[CHUNK_LINES]; /* NULL once handed over */
	size_t lens[CHUNK_LINES];
	size_t n, bytes;
	unsigned long first_line;
};

/*
 * Set by the first SIGINT or SIGTERM: the chunk the node is answering is
 * waited for and printed, then the run stops, with the summary, the
 * --report file complete and the lines wiped. Another one a second or
 * later kills at once (one within a second or two is the same request:
 * timeout(1) signals the child and then its process group).
 */
static volatile sig_atomic_t interrupted;
static struct timespec interrupted_at;

static void
on_interrupt(int sig)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (interrupted && now.tv_sec - interrupted_at.tv_sec >= 2) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	if (!interrupted) {
		interrupted_at = now;
		interrupted = sig;
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

/* The lines may hold names and document numbers: wipe, then free. */
static void
chunk_clear(struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->lines[i] == NULL)
			continue;
		explicit_bzero(c->lines[i], c->lens[i]);
		free(c->lines[i]);
		c->lines[i] = NULL;
	}
	c->n = 0;
	c->bytes = 0;
}

/*
 * A file read in blocks into one buffer of ours (READ_CAP bytes,
 * allocated at the first read): buf[start..end) is read and not yet
 * consumed; everything else of buf is zero.
 */
#define READ_CAP (LINE_KEEP + READ_BLOCK)

struct reader {
	int fd;
	uint8_t *buf;
	size_t start, end;
	bool eof;
	bool lf;  /* the last line given ended in LF (not the file's end) */
	bool cut; /* the line being read is over LINE_KEEP: its head kept */
	/* Reading stopped in a line over READ_CAP whose head is records
	 * parted by CRs alone: the rest of the file was not read. */
	bool stopped;
};

static bool cr_records(const uint8_t *s, size_t len);

/* Moves the unconsumed bytes to the front, wiping where they were. */
static void
compact(struct reader *rd)
{
	size_t n = rd->end - rd->start;

	if (rd->start == 0)
		return;
	memmove(rd->buf, rd->buf + rd->start, n);
	explicit_bzero(rd->buf + n, rd->end - n);
	rd->start = 0;
	rd->end = n;
}

/*
 * next_line - the next line (without its end of line, at most LINE_KEEP
 * bytes: the rest of a longer line is dropped, and the node refuses it)
 * into a new malloc'd buffer at *ret (*ret_len bytes). Returns 1, 0 at
 * the end of the file, or -errno.
 */
static int
next_line(struct reader *rd, uint8_t **ret, size_t *ret_len)
{
	uint8_t *nl = NULL, *line;
	size_t len, keep;

	if (rd->buf == NULL && (rd->buf = calloc(1, READ_CAP)) == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t got;
		nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
		if (nl != NULL || rd->eof)
			break;
		compact(rd);
		if (rd->end == READ_CAP && !rd->cut &&
		    cr_records(rd->buf, LINE_KEEP)) {
			/* Records parted by CRs alone: a file of CR line
			 * ends (or its rest), refused whole from this head
			 * (judge_head, judge_tail). Read no further: it may
			 * be gigabytes. */
			rd->eof = true;
			rd->stopped = true;
			break;
		}
		if (rd->end == READ_CAP) {
			/* No end of line in READ_CAP bytes: keep the head,
			 * drop the rest as it comes. */
			explicit_bzero(rd->buf + LINE_KEEP,
				       READ_CAP - LINE_KEEP);
			rd->end = LINE_KEEP;
			rd->cut = true;
		}
		got = read(rd->fd, rd->buf + rd->end, READ_CAP - rd->end);
		if (got < 0 && errno == EINTR && !interrupted)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			rd->eof = true;
		rd->end += (size_t)got;
	}
	if (nl == NULL && rd->start == rd->end)
		return 0;
	len = (nl != NULL ? (size_t)(nl - rd->buf) : rd->end) - rd->start;
	keep = len;
	while (keep > 0 && rd->buf[rd->start + keep - 1] == '\r')
		keep--;
	if (keep > LINE_KEEP)
		keep = LINE_KEEP;
	line = malloc(keep + 1);
	if (line == NULL)
		return -ENOMEM;
	memcpy(line, rd->buf + rd->start, keep);
	len += nl != NULL ? 1 : 0;
	rd->lf = nl != NULL;
	rd->cut = false;
	explicit_bzero(rd->buf + rd->start, len);
	rd->start += len;
	*ret = line;
	*ret_len = keep;
	return 1;
}

/* What one kuska submit was asked to do, and where it reports. */
struct run {
	struct ctl *ctl;
	uint64_t dry_run;     /* 0, or the dry run's id */
	uint64_t id;	      /* nonzero: the run's, for the node's status */
	bool verbose;	      /* every warning, not the first few */
	int timeout_s;	      /* --timeout: a piece's answer waited for */
	FILE *report;	      /* --report: every refusal and warning */
	const char *inst;     /* the node's institution, as "pnp" */
	struct progress prog; /* on a terminal */
};

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

/* The name of an input in messages. */
static const char *
shown(const char *name)
{
	return strcmp(name, "-") == 0 ? "standard input" : name;
}

/* A CSV field of the report, never a formula when opened (csvcell.h):
 * the file name and the ref are the officer's input. */
static void
csv_field(FILE *f, const char *s, bool last)
{
	csvcell_write(f, s);
	fputc(last ? '\n' : ',', f);
}

/*
 * One row of the --report file: file, line (0: none), field, reason, and
 * the line's ref ("": none read, or a node older than that). The ref is
 * last so that a script reading the first four columns reads them still.
 */
static void
report_line_row(struct run *run, const char *name, uint64_t line,
		const char *field, const char *reason, const char *ref)
{
	char num[24] = "";

	if (run->report == NULL)
		return;
	if (line > 0)
		snprintf(num, sizeof(num), "%llu", (unsigned long long)line);
	csv_field(run->report, shown(name), false);
	csv_field(run->report, num, false);
	csv_field(run->report, field, false);
	csv_field(run->report, reason, false);
	csv_field(run->report, ref, true);
}

/* A row of no one line's record (a file or a piece): no ref. */
static void
report_row(struct run *run, const char *name, uint64_t line, const char *field,
	   const char *reason)
{
	report_line_row(run, name, line, field, reason, "");
}

static void
print_result(struct run *run, const char *name, const struct line_result *res,
	     struct tally *t)
{
	char text[256];

	if (res->status == LINE_REFUSED) {
		if (res->field[0] != '\0')
			printf("%s:%llu: refused: %s: %s\n", shown(name),
			       (unsigned long long)res->line, res->field,
			       res->reason);
		else
			printf("%s:%llu: refused: %s\n", shown(name),
			       (unsigned long long)res->line, res->reason);
		snprintf(text, sizeof(text), "refused: %s", res->reason);
		report_line_row(run, name, res->line, res->field, text,
				res->ref);
	}
	if (tally_add(t, res)) {
		snprintf(text, sizeof(text),
			 "warning: %u victim(s) cannot be linked (no "
			 "document, and no full name with birth date): "
			 "counted for this institution only",
			 res->unlinkable);
		if (run->verbose || t->unlinkable <= TALLY_WARN_SHOWN)
			printf("%s:%llu: %s\n", shown(name),
			       (unsigned long long)res->line, text);
		/* The first such victim's path; a node older than that
		 * names none. */
		report_line_row(run, name, res->line,
				res->field[0] != '\0' ? res->field : "victim",
				text, res->ref);
	}
	/* A case stage held already, or out of date order (a node older
	 * than that says none). */
	if (res->status != LINE_REFUSED && res->warning[0] != '\0') {
		char stage_text[sizeof(res->warning) + 16];
		snprintf(stage_text, sizeof(stage_text), "warning: %s",
			 res->warning);
		if (run->verbose || t->stage_warned <= TALLY_WARN_SHOWN)
			printf("%s:%llu: %s\n", shown(name),
			       (unsigned long long)res->line, stage_text);
		report_line_row(run, name, res->line, "stage", stage_text,
				res->ref);
	}
	/* A victim's age the birth date contradicts: a line of its own, so
	 * that a case stage's warning on the same line loses neither. */
	if (line_warns_age(res)) {
		char age_text[sizeof(res->age_warning) + 16];
		snprintf(age_text, sizeof(age_text), "warning: %s",
			 res->age_warning);
		if (run->verbose || t->age_warned <= TALLY_WARN_SHOWN)
			printf("%s:%llu: warning: %s: %s\n", shown(name),
			       (unsigned long long)res->line,
			       res->age_field[0] != '\0' ? res->age_field
							 : "victim",
			       res->age_warning);
		report_line_row(run, name, res->line,
				res->age_field[0] != '\0' ? res->age_field
							  : "victim",
				age_text, res->ref);
	}
	/* A record held under a ref that holds a victim's identity: the
	 * node hands no such ref back, and none is printed. */
	if (line_warns_ref(res)) {
		if (run->verbose || t->ref_warned <= TALLY_WARN_SHOWN)
			printf("%s:%llu: warning: ref: %s\n", shown(name),
			       (unsigned long long)res->line, res->ref_warning);
		snprintf(text, sizeof(text), "warning: %s", res->ref_warning);
		report_line_row(run, name, res->line, "ref", text, "");
	}
}

/* The progress line: records answered so far, their rate, refusals. */
static void
show_progress(struct run *run, const char *name, const struct tally *t,
	      bool force)
{
	uint64_t ms = progress_elapsed_ms(&run->prog) - t->start_ms;

	progress_show(
	    &run->prog, force,
	    "kuska submit%s: %s: %lu records, %llu/s, %lu refused",
	    run->dry_run != 0 ? " --dry-run" : "", shown(name), t->lines,
	    (unsigned long long)(ms > 0 ? (uint64_t)t->lines * 1000 / ms : 0),
	    t->refused);
}

/* Sends one chunk and prints its results. Returns 0 or -errno. */
static int
send_chunk(struct run *run, const char *name, struct chunk *c, struct tally *t)
{
	struct control req, rep;
	char text[384];
	size_t i;
	int r;

	if (c->n == 0)
		return 0;
	memset(&req, 0, sizeof(req));
	req.type = CTL_SUBMIT;
	snprintf(req.source, sizeof(req.source), "%s", name);
	req.first_line = c->first_line;
	req.dry_run = run->dry_run;
	req.run = run->id;
	r = ctl_submit(run->ctl, &req, c->lines, c->lens, c->n,
		       (uint64_t)run->timeout_s * 1000, &rep);
	chunk_clear(c);
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
			shown(name), run->timeout_s, c->first_line);
		snprintf(text, sizeof(text),
			 "not answered: no answer from the node within %d s "
			 "to the lines from %lu on: it may still store them; "
			 "see kuska status then submit the file again",
			 run->timeout_s, c->first_line);
		report_row(run, name, c->first_line, "", text);
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
			shown(name), c->first_line);
		snprintf(text, sizeof(text),
			 "not answered: the node stopped before it answered "
			 "the lines from %lu on: it may have stored some of "
			 "them; submit the file again once it runs",
			 c->first_line);
		report_row(run, name, c->first_line, "", text);
		return r;
	}
	if (r != 0) {
		fprintf(stderr,
			"kuska submit: %s: no answer from the node to the "
			"lines from %lu on: %s; see kuska status, then submit "
			"the file again (what the node holds is \"already "
			"held\")\n",
			shown(name), c->first_line, strerror(-r));
		snprintf(text, sizeof(text),
			 "not answered: no answer from the node to the lines "
			 "from %lu on: %s; see kuska status then submit the "
			 "file again",
			 c->first_line, strerror(-r));
		report_row(run, name, c->first_line, "", text);
		return r;
	}
	if (rep.type == CTL_ERROR || rep.error[0] != '\0') {
		fprintf(stderr,
			"kuska submit: %s: the node refused the lines "
			"from %lu on: %s\n",
			shown(name), c->first_line, rep.error);
		/* The team reading the --report file is told too, or an
		 * export refused whole would leave it a file of no rows. */
		snprintf(text, sizeof(text),
			 "refused: the node took none of the lines from %lu "
			 "on: %s",
			 c->first_line, rep.error);
		report_row(run, name, c->first_line, "", text);
		codec_control_clear(&rep);
		return -EIO;
	}
	if (rep.type != CTL_SUBMIT_REPLY) {
		codec_control_clear(&rep);
		return -EBADMSG;
	}
	for (i = 0; i < rep.n_results; i++)
		print_result(run, name, &rep.results[i], t);
	codec_control_clear(&rep);
	fflush(stdout);
	show_progress(run, name, t, true);
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
			shown(name), strerror(-r));
		snprintf(row, sizeof(row),
			 "not sent: cannot read: %s; nothing was sent",
			 strerror(-r));
		report_row(run, name, 0, "", row);
	}
	return r;
}

/*
 * What a file is when its first bytes say it is not text at all: a
 * spreadsheet saved as such instead of exported, say. NULL otherwise (a
 * text file that is not JSON has each line refused by the node, with
 * the line and the reason).
 */
static const char *
not_text(const uint8_t *head, size_t len)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} kinds[] = {
	    {"PK\x03\x04", 4, "a ZIP archive (an .xlsx or .ods spreadsheet?)"},
	    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8,
	     "an Office document of the old format (an .xls spreadsheet?)"},
	    {"%PDF-", 5, "a PDF document"},
	    /* A compressed export: its bytes read as lines would each be
	     * refused as "not UTF-8 text: save the file as UTF-8". */
	    {"\x1f\x8b", 2, "a gzip-compressed file (decompress it first)"},
	    {"BZh", 3, "a bzip2-compressed file (decompress it first)"},
	    {"\xfd\x37\x7a\x58\x5a\x00", 6,
	     "an xz-compressed file (decompress it first)"},
	    {"\x28\xb5\x2f\xfd", 4,
	     "a zstd-compressed file (decompress it first)"},
	    {"7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive (extract it first)"},
	    {"Rar!\x1a\x07", 6, "a RAR archive (extract it first)"},
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (len >= kinds[i].len &&
		    memcmp(head, kinds[i].magic, kinds[i].len) == 0)
			return kinds[i].what;
	return NULL;
}

/* Whether the byte is a blank: space, tab, carriage return. */
static bool
blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Where the first byte of a line that is not a blank is (len for a blank
 * line), after a UTF-8 byte-order mark (one opening the file is dropped,
 * drop_bom; the node refuses one anywhere else).
 */
static size_t
skip_blanks(const uint8_t *s, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && blank(s[i]))
		i++;
	return i;
}

/*
 * Drops a UTF-8 byte-order mark that opens line (len bytes, wiping what
 * it leaves) and returns the length left. Excel's "CSV UTF-8" and Notepad
 * save one at the start of a file: it is no part of line 1. Called for a
 * file's first line only; the node refuses one that opens any other.
 */
static size_t
drop_bom(uint8_t *line, size_t len)
{
	if (len < 3 || memcmp(line, "\xef\xbb\xbf", 3) != 0)
		return len;
	memmove(line, line + 3, len - 3);
	explicit_bzero(line + len - 3, 3);
	return len - 3;
}

/*
 * Whether the first line that is not blank says the file is delimited
 * text (a CSV export, say) rather than JSON Lines: it does not start with
 * '{' (nor '[', a JSON list) and holds a comma, a semicolon or a tab. A
 * broken JSON object still starts with '{': its lines are refused one by
 * one, with the line and the reason. A line with NULs (UTF-16) is left to
 * the node, which names the encoding.
 */
static bool
delimited(const uint8_t *s, size_t len)
{
	size_t i = skip_blanks(s, len);

	if (i == len || s[i] == '{' || s[i] == '[' ||
	    memchr(s, '\0', len) != NULL)
		return false;
	return memchr(s + i, ',', len - i) != NULL ||
	       memchr(s + i, ';', len - i) != NULL ||
	       memchr(s + i, '\t', len - i) != NULL;
}

/*
 * Whether a line is records whose line ends are carriage returns alone
 * (CR, as classic Mac OS saved text): one record's '}' followed, after
 * blanks and a CR, by the next one's '{'. No record holds that (a raw CR
 * is never in a JSON string, and objects in one are parted by a comma);
 * read up to '\n', such a file is one line, which the node refuses whole
 * for a reason that does not say what to do ("end of file expected", or
 * over 256 KiB).
 */
static bool
cr_line_ends(const uint8_t *s, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i++) {
		if (s[i] != '}')
			continue;
		for (j = i + 1; j < len && (s[j] == ' ' || s[j] == '\t'); j++)
			;
		if (j == len || s[j] != '\r')
			continue;
		j += skip_blanks(s + j, len - j);
		if (j < len && s[j] == '{')
			return true;
	}
	return false;
}

/*
 * Whether a line is records parted by CRs alone (cr_line_ends), the first
 * a JSON object. The file's last line (no LF after it) that is so is the
 * rest of the file saved with CR line ends, refused whole (judge_head,
 * judge_tail); next_line reads no further than the head of one.
 */
static bool
cr_records(const uint8_t *s, size_t len)
{
	size_t i = skip_blanks(s, len);

	return i < len && s[i] == '{' && cr_line_ends(s, len);
}

/*
 * The length of the valid UTF-8 sequence at s (at most len bytes), or 0
 * when it is not one: a stray continuation byte, a sequence cut short,
 * an overlong form, a surrogate or a code point past U+10FFFF.
 */
static size_t
utf8_seq(const uint8_t *s, size_t len)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * What a line says of a file that is not UTF-8 text: 0 for UTF-8 text,
 * 'b' for binary data (a NUL or a control character other than tab,
 * form feed, carriage return and escape), 'u' for bytes that are not
 * UTF-8 (binary data, or text in another encoding: Latin-1,
 * Windows-1252). Tells nothing of the line's content.
 */
static char
not_utf8_text(const uint8_t *s, size_t len)
{
	size_t i, n;
	bool bad_utf8 = false;

	for (i = 0; i < len; i += n) {
		n = utf8_seq(s + i, len - i);
		if (n == 0) {
			bad_utf8 = true;
			n = 1;
		} else if (n == 1 && (s[i] < 0x20 || s[i] == 0x7f) &&
			   s[i] != '\t' && s[i] != '\f' && s[i] != '\r' &&
			   s[i] != 0x1b) {
			return 'b';
		}
	}
	return bad_utf8 ? 'u' : 0;
}

/*
 * Whether a line of a UTF-16LE file (one that began with its byte-order
 * mark, FF FE) is blank: split at each '\n' byte, every line but the
 * first starts with the NUL that ends the previous one's "\n\0", and the
 * file ends with a line of that NUL alone, which is no record.
 */
static bool
blank_utf16le(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != '\0' && !blank(s[i]))
			return false;
	return true;
}

/*
 * refuse_file - a file refused whole before any of it reached the node:
 * said on stderr as "kuska submit: NAME: " and fmt, the progress line
 * taken off the screen first (or the message would run on from it), and
 * written to the --report file at line lineno with no field, as the node's
 * refusal of a piece is: a report of no rows would read as a clean export.
 */
static void __attribute__((format(printf, 4, 5)))
refuse_file(struct run *run, const char *name, unsigned long lineno,
	    const char *fmt, ...)
{
	char text[512], row[sizeof(text) + 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	progress_clear(&run->prog);
	fprintf(stderr, "kuska submit: %s: %s\n", shown(name), text);
	snprintf(row, sizeof(row), "refused: %s", text);
	report_row(run, name, lineno, "", row);
}

/* Refuses the file whose line lineno, its first not blank, is delimited
 * text: the file is CSV, or (the next line a JSON object, next_json)
 * JSON Lines with a header line. */
static void
refuse_delimited(struct run *run, const char *name, unsigned long lineno,
		 bool next_json)
{
	if (next_json)
		refuse_file(run, name, lineno,
			    "line %lu is a header (column names or a title) "
			    "and not a record: JSON Lines has none; remove "
			    "that line and submit the file again (kuska(1) "
			    "docs/INPUT.md); nothing of it was sent",
			    lineno);
	else
		refuse_file(run, name, lineno,
			    "looks like CSV or other delimited text (line %lu "
			    "is not a JSON object), not JSON Lines: kuska "
			    "submit reads one event, a JSON object, a line "
			    "(kuska(1), docs/INPUT.md); nothing of it was sent",
			    lineno);
}

/*
 * The end of the message that refuses line lineno as records parted by
 * CRs alone, into buf (cap bytes), when next_line read no further than
 * its head (stopped): any lines after it, LF ones too, were not read.
 * Returns buf ("" when not stopped).
 */
static const char *
unread_after(bool stopped, unsigned long lineno, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (stopped)
		snprintf(buf, cap,
			 "; reading stopped in line %lu (over %d KiB): any "
			 "lines after it were neither read nor sent",
			 lineno, READ_CAP / 1024);
	return buf;
}

/*
 * Judges a file by its first lines (lineno counts from 1) before any of
 * it is sent: one that is not text, or is delimited text, is refused as
 * a whole (refuse_file) without any of its content. *judged is set at
 * the first line that is not blank; lf says the line ended in LF (not at
 * the file's end); stopped, that next_line read no further than its head
 * (unread_after). A first line of delimited text is judged at the next
 * one that is not blank (a header before JSON Lines, or CSV): *header
 * keeps its number meanwhile, *judged false. Returns 0, or -EINVAL when
 * refused.
 */
static int
judge_head(struct run *run, const char *name, const uint8_t *line, size_t len,
	   unsigned long lineno, bool utf16, bool lf, bool stopped,
	   bool *judged, unsigned long *header)
{
	const char *what = lineno == 1 ? not_text(line, len) : NULL;
	char unread[160];
	size_t i;
	char kind;

	if (what != NULL) {
		refuse_file(run, name, lineno,
			    "%s, not JSON Lines: export the records as text, "
			    "one JSON object a line (kuska(1)); nothing of it "
			    "was sent",
			    what);
		return -EINVAL;
	}
	if (skip_blanks(line, len) == len)
		return 0;
	*judged = true;
	/* Judged only when the line is no JSON object, for a file whose
	 * first record is; a UTF-16 file is named line by line by the
	 * node. A binary file is called so, even with a comma in it; a
	 * delimited one as such, in whatever encoding. */
	i = skip_blanks(line, len);
	if (*header != 0) {
		refuse_delimited(run, name, *header, !utf16 && line[i] == '{');
		return -EINVAL;
	}
	/* No record opens with '[' (each is an object): a first line that
	 * does is a JSON array's, pretty-printed or on one line, which the
	 * node would refuse line by line, each for a reason that does not
	 * say what to do. */
	if (!utf16 && line[i] == '[') {
		refuse_file(run, name, lineno,
			    "a JSON array (line %lu opens with '['), not JSON "
			    "Lines: kuska submit reads one record, a JSON "
			    "object, a line; convert it with jq -c '.[]' FILE "
			    "> FILE.jsonl (kuska(1), docs/INPUT.md); nothing "
			    "of it was sent",
			    lineno);
		return -EINVAL;
	}
	/* A file of CR line ends has no LF: its first line is all of it. A
	 * stray CR in an LF or CRLF file is that line's refusal alone, but
	 * in its last line with no LF after it (judge_tail). Never a UTF-16
	 * line (no '{' of its opens it), so whatever next_line stopped
	 * reading at is refused here. */
	if (!lf && cr_records(line, len)) {
		refuse_file(
		    run, name, lineno,
		    "its lines end in a carriage return alone (CR, as "
		    "classic Mac OS saved text), not JSON Lines: save "
		    "it with LF or CRLF line ends, one JSON object a "
		    "line (kuska(1), docs/INPUT.md); nothing of it was "
		    "sent%s",
		    unread_after(stopped, lineno, unread, sizeof(unread)));
		return -EINVAL;
	}
	kind = utf16 || line[i] == '{' ? 0 : not_utf8_text(line, len);
	if (kind == 'b') {
		refuse_file(run, name, lineno,
			    "binary data (line %lu holds NUL or control "
			    "bytes), not JSON Lines: export the records as "
			    "UTF-8 text, one JSON object a line (kuska(1), "
			    "docs/INPUT.md); nothing of it was sent",
			    lineno);
		return -EINVAL;
	}
	if (!delimited(line, len)) {
		if (kind != 'u')
			return 0;
		refuse_file(run, name, lineno,
			    "not UTF-8 text (line %lu holds bytes that are not "
			    "UTF-8: binary data, or text saved as Latin-1 or "
			    "Windows-1252), not JSON Lines: export the records "
			    "as UTF-8 text, one JSON object a line (kuska(1), "
			    "docs/INPUT.md); nothing of it was sent",
			    lineno);
		return -EINVAL;
	}
	/* Judged at the next line that is not blank (refuse_delimited):
	 * a JSON Lines export may open with a header of column names. */
	*header = lineno;
	*judged = false;
	return 0;
}

/*
 * Judges a line after the first record (lineno, lf as for judge_head):
 * the file's last line is records parted by CRs alone when an export
 * ended its first lines in LF and the rest in CR (a header line written
 * apart, say). Read up to '\n', the rest is that one line, which the node
 * would refuse for a reason that does not say what to do, having taken
 * the lines before it. Refused as a file of CR line ends is, whole while
 * nothing of it was sent; else the lines before it are sent first (c, t,
 * *sent as send_chunk's), and the message says so, also when the node
 * refused them or did not answer (send_chunk said what became of them).
 * stopped: next_line read no further than the head of that line, so any
 * lines after it (LF ones, after a CR-joined piece of an LF file) were not
 * read, which the message says too (unread_after). Returns 0, -EINVAL
 * when refused, or send_chunk's error.
 */
static int
judge_tail(struct run *run, const char *name, struct chunk *c, struct tally *t,
	   const uint8_t *line, size_t len, unsigned long lineno, bool lf,
	   bool stopped, bool *sent)
{
	const char *before = "nothing of it was sent";
	char unread[160];
	int r = 0;

	if (lf || !cr_records(line, len))
		return 0;
	if (*sent)
		r = send_chunk(run, name, c, t);
	/* A dry run stored nothing: sent again, they are checked again. */
	if (*sent && r != 0)
		before = "what became of the lines before it is said above";
	else if (*sent && run->dry_run != 0)
		before = "the lines before it were checked (a dry run: nothing "
			 "stored)";
	else if (*sent)
		before = "the lines before it were sent (sent again they are "
			 "\"already held\")";
	refuse_file(run, name, lineno,
		    "its lines from line %lu on end in a carriage return "
		    "alone (CR, as classic Mac OS saved text), not JSON "
		    "Lines: save it with LF or CRLF line ends, one JSON object "
		    "a line (kuska(1), docs/INPUT.md); %s%s",
		    lineno, before,
		    unread_after(stopped, lineno, unread, sizeof(unread)));
	return r != 0 ? r : -EINVAL;
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
			shown(name), strerror(-r));
		return r;
	}
	memset(&c, 0, sizeof(c));
	t->start_ms = progress_elapsed_ms(&run->prog);
	show_progress(run, name, t, true);
	for (;;) {
		if (interrupted) {
			r = -EINTR;
			break;
		}
		r = next_line(&rd, &line, &len);
		if (r == -EINTR)
			break;
		if (r < 0) {
			/* Not the end of the file: a read that failed. */
			progress_clear(&run->prog);
			fprintf(stderr,
				"kuska submit: %s: cannot read after line "
				"%lu: %s\n",
				shown(name), lineno, strerror(-r));
			break;
		}
		if (r == 0)
			break;
		lineno++;
		if (lineno == 1) {
			len = drop_bom(line, len);
			utf16le = len >= 2 && memcmp(line, "\xff\xfe", 2) == 0;
			utf16be = len >= 2 && memcmp(line, "\xfe\xff", 2) == 0;
		} else if (utf16le && blank_utf16le(line, len)) {
			len = 0; /* blank, as the node counts lines */
		}
		r = judged ? judge_tail(run, name, &c, t, line, len, lineno,
					rd.lf, rd.stopped, ret_sent)
			   : judge_head(run, name, line, len, lineno,
					utf16le || utf16be, rd.lf, rd.stopped,
					&judged, &header);
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
		c.n++;
		c.bytes += len;
		if (c.n == CHUNK_LINES || c.bytes >= CHUNK_BYTES) {
			*ret_sent = true;
			r = send_chunk(run, name, &c, t);
			if (r != 0)
				break;
		}
	}
	if (r == 0 && interrupted)
		r = -EINTR;
	if (r == 0) {
		*ret_sent = *ret_sent || c.n > 0;
		r = send_chunk(run, name, &c, t);
	}
	/* An export with nothing in it is no success: said, exit 1, as a
	 * file refused whole (a scheduled job that wrote nothing is then
	 * noticed). */
	if (r == 0 && !judged && header != 0) {
		refuse_delimited(run, name, header, false);
		r = -EINVAL;
	} else if (r == 0 && !judged) {
		refuse_file(
		    run, name, 1, "no records (%s); nothing of it was sent",
		    lineno == 0 ? "the file is empty" : "only blank lines");
		r = -ENODATA;
	}
	chunk_clear(&c);
	if (rd.buf != NULL) {
		explicit_bzero(rd.buf, READ_CAP);
		free(rd.buf);
	}
	if (rd.fd > 0)
		close(rd.fd);
	return r;
}

/* The summary of one file, and how many warnings went unlisted. */
static void
print_summary(const struct run *run, const char *name, const struct tally *t,
	      int r)
{
	struct tally_run tr = {.name = shown(name),
			       .inst = run->inst,
			       .dry_run = run->dry_run != 0,
			       .verbose = run->verbose,
			       .stopped_early = r != 0};

	tally_print(stdout, &tr, t);
}

/*
 * Names the files after argv[i] that the command did not send because it
 * stopped at argv[i] (interrupted, or the node gone): without this the
 * officer is told to send that one again and may never learn of them.
 */
static void
say_not_sent(struct run *run, char **argv, int i, int argc)
{
	for (i++; i < argc; i++) {
		fprintf(stderr,
			"kuska submit: %s: not sent: the command stopped "
			"before it; submit it too\n",
			shown(argv[i]));
		report_row(run, argv[i], 0, "",
			   "not sent: the command stopped before it; submit "
			   "it too");
	}
}

/* Opens the --report file and writes its header. NULL: said on stderr. */
static FILE *
open_report(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "kuska submit: %s: cannot write: %s\n", path,
			strerror(errno));
		return NULL;
	}
	fputs("file,line,field,reason,ref\n", f);
	return f;
}

/*
 * Tells the node that the run is over, so that its journal says what the
 * run stored now; its answer is not waited for long, and what becomes of
 * it changes nothing of the run.
 */
static void
end_run(struct run *run)
{
	struct control req, rep;

	memset(&req, 0, sizeof(req));
	req.type = CTL_SUBMIT;
	snprintf(req.source, sizeof(req.source), "-");
	req.run = run->id;
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
	if (report != NULL && (run.report = open_report(report)) == NULL)
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
			report_row(&run, argv[i], 0, "", row);
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
		if (r == -EINTR && !sent) {
			fprintf(stderr,
				"kuska submit: %s: interrupted: nothing of "
				"it was sent\n",
				shown(argv[i]));
			report_row(&run, argv[i], 0, "",
				   "not sent: interrupted");
			status = 128 + interrupted;
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
		print_summary(&run, argv[i], &t, r);
		if (r == -EINTR) {
			fprintf(stderr,
				"kuska submit: %s: interrupted: the lines "
				"answered above (%lu) are as printed, the "
				"rest were not sent; submit the file again "
				"to send them (what the node holds is "
				"\"already held\")\n",
				shown(argv[i]), t.lines);
			{
				char row[160];
				snprintf(row, sizeof(row),
					 "not sent: interrupted after %lu "
					 "lines answered: the rest were not "
					 "sent; submit the file again",
					 t.lines);
				report_row(&run, argv[i], 0, "", row);
			}
			status = 128 + interrupted;
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
		say_not_sent(&run, argv, i, argc);
	progress_clear(&run.prog);
	/* A node gone or not answering, or a request cut short: the node
	 * ends the submission itself, after 5 minutes without its requests. */
	if (run.dry_run == 0 && status != 2 && status < 128)
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
