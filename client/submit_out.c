/* submit_out.c - results, progress, summary, --report; see submit_int.h. */
#include "submit_int.h"

#include <errno.h>
#include <string.h>

#include "csvcell.h"

/* The name of an input in messages. */
const char *
submit_shown(const char *name)
{
	return strcmp(name, "-") == 0 ? "standard input" : name;
}

/* A CSV field of the report, never a formula when opened (csvcell.h):
 * the file name and the ref are the officer's input. */
static void
csv_field(FILE *f, const char *s)
{
	csvcell_write(f, s);
	fputc(',', f);
}

/* The ref, last: always quoted (a code), so that a spreadsheet taking
 * quoted fields as text holds 12345 as text as it does 0012345. */
static void
csv_ref(FILE *f, const char *s)
{
	csvcell_write_code(f, s);
	fputc('\n', f);
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
	csv_field(run->report, submit_shown(name));
	csv_field(run->report, num);
	csv_field(run->report, field);
	csv_field(run->report, reason);
	csv_ref(run->report, ref);
}

/* A row of no one line's record (a file or a piece): no ref. */
void
submit_report_row(struct run *run, const char *name, uint64_t line,
		  const char *field, const char *reason)
{
	report_line_row(run, name, line, field, reason, "");
}

void
submit_print_result(struct run *run, const char *name,
		    const struct line_result *res, bool withdrawal,
		    struct tally *t)
{
	/* A withdrawal's line carries no victim to check its ref against:
	 * an older node hands it back all the same. */
	const char *ref = withdrawal ? "" : res->ref;
	char text[256];

	if (res->status == LINE_REFUSED) {
		if (res->field[0] != '\0')
			printf("%s:%llu: refused: %s: %s\n", submit_shown(name),
			       (unsigned long long)res->line, res->field,
			       res->reason);
		else
			printf("%s:%llu: refused: %s\n", submit_shown(name),
			       (unsigned long long)res->line, res->reason);
		snprintf(text, sizeof(text), "refused: %s", res->reason);
		report_line_row(run, name, res->line, res->field, text, ref);
	}
	if (tally_add(t, res)) {
		snprintf(text, sizeof(text),
			 "warning: %u victim(s) cannot be linked (no "
			 "document, and no full name with birth date): "
			 "counted for this institution only",
			 res->unlinkable);
		if (run->verbose || t->unlinkable <= TALLY_WARN_SHOWN)
			printf("%s:%llu: %s\n", submit_shown(name),
			       (unsigned long long)res->line, text);
		/* The first such victim's path; a node older than that
		 * names none. */
		report_line_row(run, name, res->line,
				res->field[0] != '\0' ? res->field : "victim",
				text, ref);
	}
	/* A case stage held already, or out of date order (a node older
	 * than that says none). */
	if (res->status != LINE_REFUSED && res->warning[0] != '\0') {
		char stage_text[sizeof(res->warning) + 16];
		snprintf(stage_text, sizeof(stage_text), "warning: %s",
			 res->warning);
		if (run->verbose || t->stage_warned <= TALLY_WARN_SHOWN)
			printf("%s:%llu: %s\n", submit_shown(name),
			       (unsigned long long)res->line, stage_text);
		report_line_row(run, name, res->line, "stage", stage_text, ref);
	}
	/* A victim's age the birth date contradicts: a line of its own, so
	 * that a case stage's warning on the same line loses neither. */
	if (line_warns_age(res)) {
		char age_text[sizeof(res->age_warning) + 16];
		snprintf(age_text, sizeof(age_text), "warning: %s",
			 res->age_warning);
		if (run->verbose || t->age_warned <= TALLY_WARN_SHOWN)
			printf("%s:%llu: warning: %s: %s\n", submit_shown(name),
			       (unsigned long long)res->line,
			       res->age_field[0] != '\0' ? res->age_field
							 : "victim",
			       res->age_warning);
		report_line_row(run, name, res->line,
				res->age_field[0] != '\0' ? res->age_field
							  : "victim",
				age_text, ref);
	}
	/* A victim's document number taken as a placeholder: the field,
	 * never the number (the node sends none). */
	if (line_warns_placeholder(res)) {
		const char *field = res->placeholder_field[0] != '\0'
					? res->placeholder_field
					: "victim.document.number";
		char doc_text[sizeof(res->placeholder_warning) + 16];
		snprintf(doc_text, sizeof(doc_text), "warning: %s",
			 res->placeholder_warning);
		if (run->verbose || t->placeholder_warned <= TALLY_WARN_SHOWN)
			printf("%s:%llu: warning: %s: %s\n", submit_shown(name),
			       (unsigned long long)res->line, field,
			       res->placeholder_warning);
		report_line_row(run, name, res->line, field, doc_text, ref);
	}
	/* A record held under a ref that holds a victim's identity, or a
	 * line refused for another field whose ref holds one too (printed
	 * as every refusal is): the node hands no such ref back, and none
	 * is printed. */
	if (res->ref_warning[0] != '\0') {
		if (res->status == LINE_REFUSED || run->verbose ||
		    t->ref_warned <= TALLY_WARN_SHOWN)
			printf("%s:%llu: warning: ref: %s\n",
			       submit_shown(name),
			       (unsigned long long)res->line, res->ref_warning);
		snprintf(text, sizeof(text), "warning: %s", res->ref_warning);
		report_line_row(run, name, res->line, "ref", text, "");
	}
	/* A line held whose record the consolidator refused (a dead
	 * letter): each said, as "already held" alone reads as taken. */
	if (res->status == LINE_HELD && res->dead_warning[0] != '\0') {
		printf("%s:%llu: warning: %s\n", submit_shown(name),
		       (unsigned long long)res->line, res->dead_warning);
		snprintf(text, sizeof(text), "warning: %s", res->dead_warning);
		report_line_row(run, name, res->line, "ref", text, ref);
	}
}

/* The progress line: records answered so far, their rate, refusals. */
void
submit_show_progress(struct run *run, const char *name, const struct tally *t,
		     bool force)
{
	uint64_t ms = progress_elapsed_ms(&run->prog) - t->start_ms;

	progress_show(
	    &run->prog, force,
	    "kuska submit%s: %s: %lu records, %llu/s, %lu refused",
	    run->dry_run != 0 ? " --dry-run" : "", submit_shown(name), t->lines,
	    (unsigned long long)(ms > 0 ? (uint64_t)t->lines * 1000 / ms : 0),
	    t->refused);
}

/* The summary of one file, and how many warnings went unlisted. */
void
submit_print_summary(const struct run *run, const char *name,
		     const struct tally *t, int r)
{
	struct tally_run tr = {.name = submit_shown(name),
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
void
submit_say_not_sent(struct run *run, char **argv, int i, int argc)
{
	for (i++; i < argc; i++) {
		fprintf(stderr,
			"kuska submit: %s: not sent: the command stopped "
			"before it; submit it too\n",
			submit_shown(argv[i]));
		submit_report_row(
		    run, argv[i], 0, "",
		    "not sent: the command stopped before it; submit "
		    "it too");
	}
}

/* Opens the --report file and writes its header. NULL: said on stderr. */
FILE *
submit_open_report(const char *path)
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
