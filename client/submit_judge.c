/* submit_judge.c - a file's bytes judged before sending; see submit_int.h. */
#include "submit_int.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

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
 * submit_drop_bom; the node refuses one anywhere else).
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
size_t
submit_drop_bom(uint8_t *line, size_t len)
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
 * rest of the file saved with CR line ends, refused whole (submit_judge_head,
 * submit_judge_tail); submit_next_line reads no further than the head of one.
 */
bool
submit_cr_records(const uint8_t *s, size_t len)
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
bool
submit_blank_utf16le(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != '\0' && !blank(s[i]))
			return false;
	return true;
}

/*
 * submit_refuse_file - a file refused whole before any of it reached the node:
 * said on stderr as "kuska submit: NAME: " and fmt, the progress line
 * taken off the screen first (or the message would run on from it), and
 * written to the --report file at line lineno with no field, as the node's
 * refusal of a piece is: a report of no rows would read as a clean export.
 */
void
submit_refuse_file(struct run *run, const char *name, unsigned long lineno,
		   const char *fmt, ...)
{
	char text[512], row[sizeof(text) + 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	progress_clear(&run->prog);
	fprintf(stderr, "kuska submit: %s: %s\n", submit_shown(name), text);
	snprintf(row, sizeof(row), "refused: %s", text);
	submit_report_row(run, name, lineno, "", row);
}

/* Refuses the file whose line lineno, its first not blank, is delimited
 * text: the file is CSV, or (the next line a JSON object, next_json)
 * JSON Lines with a header line. */
void
submit_refuse_delimited(struct run *run, const char *name, unsigned long lineno,
			bool next_json)
{
	if (next_json)
		submit_refuse_file(
		    run, name, lineno,
		    "line %lu is a header (column names or a title) "
		    "and not a record: JSON Lines has none; remove "
		    "that line and submit the file again (kuska(1) "
		    "docs/INPUT.md); nothing of it was sent",
		    lineno);
	else
		submit_refuse_file(
		    run, name, lineno,
		    "looks like CSV or other delimited text (line %lu "
		    "is not a JSON object), not JSON Lines: kuska "
		    "submit reads one event, a JSON object, a line "
		    "(kuska(1), docs/INPUT.md); nothing of it was sent",
		    lineno);
}

/*
 * The end of the message that refuses line lineno as records parted by
 * CRs alone, into buf (cap bytes), when submit_next_line read no further than
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
 * a whole (submit_refuse_file) without any of its content. *judged is set at
 * the first line that is not blank; lf says the line ended in LF (not at
 * the file's end); stopped, that submit_next_line read no further than its head
 * (unread_after). A first line of delimited text is judged at the next
 * one that is not blank (a header before JSON Lines, or CSV): *header
 * keeps its number meanwhile, *judged false. Returns 0, or -EINVAL when
 * refused.
 */
int
submit_judge_head(struct run *run, const char *name, const uint8_t *line,
		  size_t len, unsigned long lineno, bool utf16, bool lf,
		  bool stopped, bool *judged, unsigned long *header)
{
	const char *what = lineno == 1 ? not_text(line, len) : NULL;
	char unread[160];
	size_t i;
	char kind;

	if (what != NULL) {
		submit_refuse_file(
		    run, name, lineno,
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
		submit_refuse_delimited(run, name, *header,
					!utf16 && line[i] == '{');
		return -EINVAL;
	}
	/* No record opens with '[' (each is an object): a first line that
	 * does is a JSON array's, pretty-printed or on one line, which the
	 * node would refuse line by line, each for a reason that does not
	 * say what to do. */
	if (!utf16 && line[i] == '[') {
		submit_refuse_file(
		    run, name, lineno,
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
	 * in its last line with no LF after it (submit_judge_tail). Never a
	 * UTF-16 line (no '{' of its opens it), so whatever submit_next_line
	 * stopped reading at is refused here. */
	if (!lf && submit_cr_records(line, len)) {
		submit_refuse_file(
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
		submit_refuse_file(
		    run, name, lineno,
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
		submit_refuse_file(
		    run, name, lineno,
		    "not UTF-8 text (line %lu holds bytes that are not "
		    "UTF-8: binary data, or text saved as Latin-1 or "
		    "Windows-1252), not JSON Lines: export the records "
		    "as UTF-8 text, one JSON object a line (kuska(1), "
		    "docs/INPUT.md); nothing of it was sent",
		    lineno);
		return -EINVAL;
	}
	/* Judged at the next line that is not blank (submit_refuse_delimited):
	 * a JSON Lines export may open with a header of column names. */
	*header = lineno;
	*judged = false;
	return 0;
}

/*
 * Judges a line after the first record (lineno, lf as for submit_judge_head):
 * the file's last line is records parted by CRs alone when an export
 * ended its first lines in LF and the rest in CR (a header line written
 * apart, say). Read up to '\n', the rest is that one line, which the node
 * would refuse for a reason that does not say what to do, having taken
 * the lines before it. Refused as a file of CR line ends is, whole while
 * nothing of it was sent; else the lines before it are sent first (c, t,
 * *sent as submit_send_chunk's), and the message says so, also when the node
 * refused them or did not answer (submit_send_chunk said what became of them).
 * stopped: submit_next_line read no further than the head of that line, so any
 * lines after it (LF ones, after a CR-joined piece of an LF file) were not
 * read, which the message says too (unread_after). Returns 0, -EINVAL
 * when refused, or submit_send_chunk's error.
 */
int
submit_judge_tail(struct run *run, const char *name, struct chunk *c,
		  struct tally *t, const uint8_t *line, size_t len,
		  unsigned long lineno, bool lf, bool stopped, bool *sent)
{
	const char *before = "nothing of it was sent";
	char unread[160];
	int r = 0;

	if (lf || !submit_cr_records(line, len))
		return 0;
	if (*sent)
		r = submit_send_chunk(run, name, c, t);
	/* A dry run stored nothing: sent again, they are checked again. */
	if (*sent && r != 0)
		before = "what became of the lines before it is said above";
	else if (*sent && run->dry_run != 0)
		before = "the lines before it were checked (a dry run: nothing "
			 "stored)";
	else if (*sent)
		before = "the lines before it were sent (sent again they are "
			 "\"already held\")";
	submit_refuse_file(
	    run, name, lineno,
	    "its lines from line %lu on end in a carriage return "
	    "alone (CR, as classic Mac OS saved text), not JSON "
	    "Lines: save it with LF or CRLF line ends, one JSON object "
	    "a line (kuska(1), docs/INPUT.md); %s%s",
	    lineno, before,
	    unread_after(stopped, lineno, unread, sizeof(unread)));
	return r != 0 ? r : -EINVAL;
}
