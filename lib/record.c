/*
 * record.c - one JSON line of EVENTS.md into an event and the pseudonyms
 * it needs; see record.h. This module owns jansson; its files share
 * record_int.h. Here: a line to a record object (jansson's memory, which
 * is wiped when freed, and its errors), the object's kind, the keys each
 * kind allows, its ref and target, and a correction's replacement. Where
 * identities pass: see record_victim.c.
 */
#include "record_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

/* Header in front of each jansson block: its size, kept aligned. */
union wipe_header {
	size_t size;
	max_align_t align;
};

/*
 * wipe_malloc - jansson's allocator: a block with its size in a header so
 * that wipe_free() can clear all of it.
 */
static void *
wipe_malloc(size_t size)
{
	union wipe_header *h;

	if (size > SIZE_MAX - sizeof(*h))
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (h == NULL)
		return NULL;
	h->size = size;
	return h + 1;
}

/* wipe_free - jansson's free: clears the whole block, then frees it. */
static void
wipe_free(void *p)
{
	union wipe_header *h;

	if (p == NULL)
		return;
	h = (union wipe_header *)p - 1;
	sodium_memzero(h, sizeof(*h) + h->size);
	free(h);
}

void
record_init(void)
{
	json_set_alloc_funcs(wipe_malloc, wipe_free);
}

/* parse_ref - a ref or target_ref: 1 to 64 printable ASCII characters. */
static int
parse_ref(struct parser *p, json_t *obj, const char *name,
	  char out[RECORD_MAX_REF + 1])
{
	const char *s;
	size_t len;
	int r;

	if ((r = record_get_string(p, obj, "", name, true, &s, &len)) < 0)
		return -EINVAL;
	if (len == 0)
		return record_fail(p, "", name, "must not be empty");
	if (len > RECORD_MAX_REF)
		return record_fail(p, "", name, "longer than %d characters",
				   RECORD_MAX_REF);
	if (!record_printable(s, len))
		return record_ascii_fault(p, "", name, s, len);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* The object's ref into out when parse_ref would take it; else "". */
static void
peek_ref(json_t *obj, char out[RECORD_MAX_REF + 1])
{
	json_t *v = json_object_get(obj, "ref");
	size_t len = json_is_string(v) ? json_string_length(v) : 0;

	if (len == 0 || len > RECORD_MAX_REF ||
	    !record_printable(json_string_value(v), len))
		return;
	memcpy(out, json_string_value(v), len);
	out[len] = '\0';
}

/* Whether obj (NULL: not read) says it is a withdrawal, whatever else is
 * wrong with it. */
static bool
is_withdrawal(json_t *obj)
{
	json_t *v = json_object_get(obj, "kind");

	return json_is_string(v) &&
	       strcmp(json_string_value(v), "withdrawal") == 0;
}

/* Top-level fields by kind, NULL-ended; a replacement record has no ref. */
static const char *const fields_identification[] = {
    "kind", "ref", "date", "region", "victim", "exploitation", NULL};
static const char *const fields_referral[] = {
    "kind",   "ref", "date",	"region",
    "victim", "to",  "purpose", "referral_number",
    NULL};
static const char *const fields_referral_received[] = {
    "kind", "ref", "date", "region", "victim", "from", "referral_number", NULL};
static const char *const fields_service[] = {
    "kind", "ref", "date", "region", "victim", "service", NULL};
static const char *const fields_case_stage[] = {
    "kind",  "ref",	"date",	   "region",  "case_number",
    "stage", "victims", "persons", "article", NULL};
static const char *const fields_amend[] = {"kind", "ref", "target_ref",
					   "record", NULL};
static const char *const fields_withdrawal[] = {"kind", "ref", "target_ref",
						NULL};
const char *const record_fields_any[] = {
    "kind",    "ref",	     "date",
    "region",  "victim",     "exploitation",
    "to",      "purpose",    "referral_number",
    "from",    "service",    "case_number",
    "stage",   "victims",    "persons",
    "article", "target_ref", "record",
    NULL};

static const char *const *
fields_of(enum kind k)
{
	switch (k) {
	case KIND_IDENTIFICATION:
		return fields_identification;
	case KIND_REFERRAL:
		return fields_referral;
	case KIND_REFERRAL_RECEIVED:
		return fields_referral_received;
	case KIND_SERVICE:
		return fields_service;
	case KIND_CASE_STAGE:
		return fields_case_stage;
	case KIND_CORRECTION:
		return fields_amend;
	default:
		return fields_withdrawal;
	}
}

/* An "a"/"an" phrase naming a kind's records, for error reasons. */
static const char *
kind_phrase(enum kind k)
{
	switch (k) {
	case KIND_IDENTIFICATION:
		return "an identification record";
	case KIND_REFERRAL:
		return "a referral record";
	case KIND_REFERRAL_RECEIVED:
		return "a referral_received record";
	case KIND_SERVICE:
		return "a service record";
	case KIND_CASE_STAGE:
		return "a case_stage record";
	case KIND_CORRECTION:
		return "a correction record";
	default:
		return "a withdrawal record";
	}
}

/* parse_kind - obj's kind, required and known. */
static int
parse_kind(struct parser *p, json_t *obj, const char *base, enum kind *ret)
{
	const char *s;
	size_t len;

	if (record_get_string(p, obj, base, "kind", true, &s, &len) < 0)
		return -EINVAL;
	*ret = strlen(s) == len ? kind_from_name(s) : KIND_NONE;
	if (*ret == KIND_NONE)
		return record_fail(p, base, "kind",
				   "must be identification or referral or "
				   "referral_received or service or "
				   "case_stage or correction or withdrawal%s",
				   record_spaced(s, len));
	return 0;
}

/* parse_replacement - the record object of a correction. */
static int
parse_replacement(struct parser *p, json_t *obj, struct record *rec)
{
	json_t *inner = json_object_get(obj, "record");

	if (inner == NULL)
		return record_fail(p, "", "record", "required");
	if (!json_is_object(inner))
		return record_fail(p, "", "record", "must be an object");
	if (parse_kind(p, inner, "record", &rec->kind) < 0)
		return -EINVAL;
	if (rec->kind == KIND_CORRECTION || rec->kind == KIND_WITHDRAWAL)
		return record_fail(p, "record", "kind",
				   "a replacement cannot be a correction or "
				   "withdrawal");
	if (json_object_get(inner, "ref") != NULL)
		return record_fail(
		    p, "record", "ref",
		    "a replacement record has no ref of its own");
	if (record_check_fields(p, inner, "record", fields_of(rec->kind),
				record_fields_any, kind_phrase(rec->kind)) < 0)
		return -EINVAL;
	return record_parse_body(p, inner, "record", rec);
}

/*
 * peek_granted - what the line says it is before the rest is read: a
 * correction's record kind and a case stage's stage, into p->err, so that
 * the node says first what the institution may not emit, whatever else is
 * wrong with the line (INPUT.md section 9). A stage in capitals, with a
 * space at an end or with spaces for its underscores ("Formalized
 * Investigation"), which the parser refuses with a hint, counts as the
 * stage it names: mending it would only lead to that refusal.
 */
static void
peek_granted(struct parser *p, json_t *obj, enum kind kind)
{
	const char *s;
	char w[32];
	size_t i, n = 0;

	if (kind == KIND_CORRECTION) {
		obj = json_object_get(obj, "record");
		s = json_string_value(json_object_get(obj, "kind"));
		kind = s != NULL ? kind_from_name(s) : KIND_NONE;
		if (kind == KIND_CORRECTION || kind == KIND_WITHDRAWAL)
			return;
		p->err->rec_kind = kind;
	}
	if (kind != KIND_CASE_STAGE ||
	    (s = json_string_value(json_object_get(obj, "stage"))) == NULL)
		return;
	while (*s == ' ')
		s++;
	for (; *s != '\0' && n + 1 < sizeof(w); s++)
		w[n++] = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
	if (*s != '\0')
		return;
	while (n > 0 && w[n - 1] == ' ')
		n--;
	w[n] = '\0';
	for (i = 0; i < n; i++)
		if (w[i] == ' ')
			w[i] = '_';
	p->err->stage = stage_from_name(w);
}

/* parse_object - a whole record object into p->ret. */
static int
parse_object(struct parser *p, json_t *obj)
{
	struct parsed_record *ret = p->ret;
	enum kind kind;

	if (parse_kind(p, obj, "", &kind) < 0)
		return -EINVAL;
	p->err->kind = kind;
	if (kind != KIND_CORRECTION && kind != KIND_WITHDRAWAL)
		p->err->rec_kind = kind;
	peek_granted(p, obj, kind);
	if (record_check_fields(p, obj, "", fields_of(kind), record_fields_any,
				kind_phrase(kind)) < 0)
		return -EINVAL;
	if (parse_ref(p, obj, "ref", ret->ref) < 0)
		return -EINVAL;
	ret->ev.kind = kind;
	if (kind == KIND_CORRECTION || kind == KIND_WITHDRAWAL) {
		if (parse_ref(p, obj, "target_ref", ret->target_ref) < 0)
			return -EINVAL;
		if (strcmp(ret->ref, ret->target_ref) == 0)
			return record_fail(p, "", "target_ref",
					   "must differ from ref");
		if (kind == KIND_CORRECTION &&
		    parse_replacement(p, obj, &ret->ev.rec) < 0)
			return -EINVAL;
	} else {
		ret->ev.rec.kind = kind;
		if (record_parse_body(p, obj, "", &ret->ev.rec) < 0)
			return -EINVAL;
	}
	return 0;
}

/*
 * json_reason - jansson's error text without its "near '...'" part,
 * which would quote the line (and perhaps a name) into the reason.
 */
static void
json_reason(struct parser *p, json_error_t *je, const char *line, size_t len)
{
	char *near = strstr(je->text, " near ");
	unsigned byte;

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
			   line[len - 1] == '\r'))
		len--;

	if (near != NULL)
		*near = '\0';
	/* Say in the officer's words what jansson says in its own. */
	if (strstr(je->text, "\\u0000 is not allowed") != NULL)
		record_fail(
		    p, "", "",
		    "invalid JSON at column %d: a NUL character (\\u0000) "
		    "is not allowed",
		    je->column);
	else if (sscanf(je->text, "unable to decode byte 0x%x", &byte) == 1)
		/* jansson counts the characters read before the bad byte:
		 * the byte itself is at the next column. */
		record_fail(
		    p, "", "",
		    "not UTF-8 text (byte 0x%02x at column %d): save the "
		    "file as UTF-8",
		    byte & 0xff, je->column + 1);
	/* A record's "}," as a JSON array writes its items, the brackets
	 * taken away: JSON Lines puts none between records. */
	else if (strcmp(je->text, "end of file expected") == 0 && len >= 2 &&
		 line[len - 1] == ',' && line[len - 2] == '}')
		record_fail(p, "", "",
			    "invalid JSON at column %d: a comma after the "
			    "record's closing brace: JSON Lines has none "
			    "between records",
			    je->column);
	else
		record_fail(p, "", "", "invalid JSON at column %d: %s",
			    je->column, je->text);
}

int
record_parse(const char *line, size_t len, enum institution inst, int32_t today,
	     struct pseudo_batch *batch, struct parsed_record *ret,
	     struct record_error *err)
{
	struct parser p = {.inst = inst,
			   .batch = batch,
			   .today = today,
			   .ret = ret,
			   .err = err};
	struct pseudo_mark mark = pseudo_batch_mark(batch);
	json_error_t je;
	json_t *root = NULL;
	int r;

	record_init();
	memset(ret, 0, sizeof(*ret));
	memset(err, 0, sizeof(*err));
	if (len > RECORD_MAX_LINE) {
		r = record_fail(&p, "", "", "line longer than %d bytes",
				RECORD_MAX_LINE);
		goto out;
	}
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		r = record_fail(
		    &p, "", "",
		    "the line starts with a byte-order mark (BOM): save "
		    "the file as UTF-8 without BOM");
		goto out;
	}
	/* Saved as "Unicode text": UTF-16, every other byte a NUL. */
	if (len >= 2 && (memcmp(line, "\xff\xfe", 2) == 0 ||
			 memcmp(line, "\xfe\xff", 2) == 0)) {
		r = record_fail(
		    &p, "", "",
		    "the line starts with a UTF-16 byte-order mark: save "
		    "the file as UTF-8");
		goto out;
	}
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		if (json_error_code(&je) == json_error_out_of_memory) {
			record_fail(&p, "", "", "out of memory");
			r = -ENOMEM;
		} else {
			json_reason(&p, &je, line, len);
			r = -EINVAL;
		}
		goto out;
	}
	if (!json_is_object(root)) {
		r = record_fail(&p, "", "", "a record is a JSON object");
		goto out;
	}
	peek_ref(root, err->ref);
	r = parse_object(&p, root);
out:
	/* A stand-in for no value came before any other fault: the first
	 * reason, but for naming the submitter (said first: see intake). */
	if (p.held_reason[0] != '\0' &&
	    (r == 0 || (r == -EINVAL && !err->own_institution))) {
		memcpy(err->field, p.held_field, sizeof(err->field));
		memcpy(err->reason, p.held_reason, sizeof(err->reason));
		ret->held_only = r == 0;
	}
	/* The ref is handed back for kuska submit's --report only when it
	 * holds no victim's identity, whatever else was wrong: the victims
	 * of a line refused before they were all parsed are read for the
	 * check alone, and when one of them cannot be read either, the ref
	 * is not handed back (the line's number finds the line). */
	if (r < 0 && err->ref[0] != '\0' && ret->ref_identity[0] == '\0' &&
	    !p.victims_read) {
		memcpy(ret->ref, err->ref, sizeof(ret->ref));
		if (!record_ref_scan(&p, root))
			err->ref[0] = '\0';
	}
	if (ret->ref_identity[0] != '\0')
		err->ref[0] = '\0';
	/* A withdrawal carries no victim: nothing tells whether its ref
	 * holds one's identity, and it is never handed back (as the node's
	 * status never prints it). */
	if (is_withdrawal(root))
		err->ref[0] = '\0';
	/* Refused for something else, the line is told of its ref too, so
	 * that mending the rest does not only lead to that refusal. */
	if (r < 0 && ret->ref_identity[0] != '\0') {
		memcpy(err->ref_identity, ret->ref_identity,
		       sizeof(err->ref_identity));
		memcpy(err->identity_ref, ret->ref, sizeof(err->identity_ref));
	}
	json_decref(root);
	sodium_memzero(&je, sizeof(je));
	if (r < 0) {
		/* Nothing of a refused line is evaluated. */
		pseudo_batch_rollback(batch, mark);
		memset(ret, 0, sizeof(*ret));
	}
	return r;
}

/*
 * Whether line may spell "withdrawal" in a JSON string: plainly, or with
 * one of its letters as a \u escape (\u0077, \u0069 ...: no other escape
 * makes an ASCII letter). Not any \u: an export written with every
 * accent escaped (Python's json.dumps) has one on nearly every line,
 * each then parsed for nothing.
 */
static bool
may_spell_withdrawal(const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	char hex[3] = "";
	unsigned long c;

	if (memmem(line, len, "withdrawal", 10) != NULL)
		return true;
	while ((p = memmem(p, (size_t)(end - p), "\\u00", 4)) != NULL) {
		p += 4;
		if (end - p < 2)
			break;
		memcpy(hex, p, 2);
		c = strtoul(hex, NULL, 16);
		if (c != 0 && memchr("withdral", (int)c, 8) != NULL)
			return true;
	}
	return false;
}

bool
record_line_is_withdrawal(const char *line, size_t len)
{
	json_error_t je;
	json_t *root;
	bool is;

	if (len > RECORD_MAX_LINE || !may_spell_withdrawal(line, len))
		return false;
	record_init();
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	is = json_is_object(root) && is_withdrawal(root);
	json_decref(root);
	sodium_memzero(&je, sizeof(je));
	return is;
}
