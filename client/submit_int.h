/*
 * submit_int.h - what the files of kuska submit share: submit.c (the
 * command, the run, a piece sent and answered), submit_read.c (the reader
 * of lines and the pieces they are sent in), submit_judge.c (a file's
 * bytes judged before any is sent, a file refused whole) and submit_out.c
 * (what the officer reads: the results, the progress line, the summary,
 * the --report file). Internal to the four: cmd.h is the command.
 */
#ifndef KUSKA_SUBMIT_INT_H
#define KUSKA_SUBMIT_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"
#include "progress.h"
#include "record.h"
#include "tally.h"

#define CHUNK_LINES CODEC_MAX_LINES
#define CHUNK_BYTES (8 * 1024 * 1024)
#define READ_BLOCK (64 * 1024)
#define LINE_KEEP (RECORD_MAX_LINE + 1) /* the node refuses longer ones */

struct ctl;

struct chunk {
	uint8_t *lines[CHUNK_LINES]; /* NULL once handed over */
	size_t lens[CHUNK_LINES];
	/* The line is a withdrawal: its ref never goes to the --report
	 * file, whatever the node hands back (an older node does). */
	bool withdrawal[CHUNK_LINES];
	size_t n, bytes;
	unsigned long first_line;
};

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

/* What one kuska submit was asked to do, and where it reports. */
struct run {
	struct ctl *ctl;
	uint64_t dry_run;     /* 0, or the dry run's id */
	uint64_t id;	      /* nonzero: the run's, for the node's status */
	bool verbose;	      /* every warning, not the first few */
	int timeout_s;	      /* --timeout: a piece's answer waited for */
	FILE *report;	      /* --report: every refusal and warning */
	const char *inst;     /* the node's institution, as "pnp" */
	/* The node answered that it is starting (CTL_STARTING): it refuses
	 * every piece so, and the run stops at the first (exit 3). */
	bool node_starting;
	struct progress prog; /* on a terminal */
};

/* submit.c: set by the first SIGINT or SIGTERM, to its number. */
extern volatile sig_atomic_t submit_interrupted;
/* Sends one chunk and prints its results. Returns 0 or -errno. */
int submit_send_chunk(struct run *run, const char *name, struct chunk *c,
		      struct tally *t);

/* submit_read.c: the lines wiped, then freed. */
void submit_chunk_clear(struct chunk *c);
/* The next line into a new malloc'd buffer: 1, 0 at the end, -errno. */
int submit_next_line(struct reader *rd, uint8_t **ret, size_t *ret_len);

/* submit_judge.c: a file's first line's UTF-8 byte-order mark dropped. */
size_t submit_drop_bom(uint8_t *line, size_t len);
/* Whether a line of a UTF-16LE file is blank. */
bool submit_blank_utf16le(const uint8_t *s, size_t len);
/* Whether a line is records parted by CRs alone, the first an object. */
bool submit_cr_records(const uint8_t *s, size_t len);
/* A file refused whole: said on stderr and in the --report file. */
void submit_refuse_file(struct run *run, const char *name, unsigned long lineno,
			const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A file refused as delimited text, or for a header line. */
void submit_refuse_delimited(struct run *run, const char *name,
			     unsigned long lineno, bool next_json);
/* A file judged by its first lines: 0, or -EINVAL when refused. */
int submit_judge_head(struct run *run, const char *name, const uint8_t *line,
		      size_t len, unsigned long lineno, bool utf16, bool lf,
		      bool stopped, bool *judged, unsigned long *header);
/* A line after the first record judged: 0, -EINVAL, or send_chunk's. */
int submit_judge_tail(struct run *run, const char *name, struct chunk *c,
		      struct tally *t, const uint8_t *line, size_t len,
		      unsigned long lineno, bool lf, bool stopped, bool *sent);

/* submit_out.c: the name of an input in messages. */
const char *submit_shown(const char *name);
/* A row of the --report file of no one line's record: no ref. */
void submit_report_row(struct run *run, const char *name, uint64_t line,
		       const char *field, const char *reason);
/* One line's result printed, and written to the --report file; a
 * withdrawal's (withdrawal true) with no ref, whatever res holds. */
void submit_print_result(struct run *run, const char *name,
			 const struct line_result *res, bool withdrawal,
			 struct tally *t);
/* The progress line: records answered so far, their rate, refusals. */
void submit_show_progress(struct run *run, const char *name,
			  const struct tally *t, bool force);
/* The summary of one file, and how many warnings went unlisted. */
void submit_print_summary(const struct run *run, const char *name,
			  const struct tally *t, int r);
/* The files after argv[i], not sent, named. */
void submit_say_not_sent(struct run *run, char **argv, int i, int argc);
/* The --report file opened, its header written. NULL: said on stderr. */
FILE *submit_open_report(const char *path);

#endif
