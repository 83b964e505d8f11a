/*
 * record_origin.c - whether a JSON line says that another institution
 * made it: a kind or case stage the submitting institution may not emit,
 * a referral sent to itself, a referral received from itself. Read
 * without checking the rest of the line (record_parse does that), so
 * that a node can refuse a request holding such a line before any of it
 * is taken; see record.h.
 */
#include "record_int.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

/* A string member of obj, or NULL. */
static const char *
member(json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

/* Fills err with base + name and the reason; returns 1. */
static int
foreign(struct record_error *err, const char *base, const char *name,
	const char *reason)
{
	snprintf(err->field, sizeof(err->field), "%s%s", base, name);
	snprintf(err->reason, sizeof(err->reason), "%s", reason);
	return 1;
}

/* The checks of a record object (the line's, or a replacement's). */
static int
record_foreign_obj(json_t *obj, const char *base, enum institution inst,
		   uint32_t kinds, uint32_t stages, struct record_error *err)
{
	const char *who = institution_name(inst), *s;
	enum kind kind = kind_from_name(member(obj, "kind"));
	enum stage stage;
	char reason[sizeof(err->reason)];

	if (kind == KIND_NONE)
		return 0;
	if (!(kinds & (1u << kind))) {
		snprintf(reason, sizeof(reason), "%s may not emit %s", who,
			 kind_name(kind));
		return foreign(err, base, "kind", reason);
	}
	if (kind == KIND_CASE_STAGE && (s = member(obj, "stage")) != NULL &&
	    (stage = stage_from_name(s)) != STAGE_NONE &&
	    !(stages & (1u << stage))) {
		snprintf(reason, sizeof(reason),
			 "%s may not emit case stage %s", who,
			 stage_name(stage));
		return foreign(err, base, "stage", reason);
	}
	if (kind == KIND_REFERRAL && (s = member(obj, "to")) != NULL &&
	    strcmp(s, who) == 0)
		return foreign(err, base, "to",
			       "must differ from the submitting institution");
	if (kind == KIND_REFERRAL_RECEIVED &&
	    (s = member(obj, "from")) != NULL && strcmp(s, who) == 0)
		return foreign(err, base, "from",
			       "must differ from the submitting institution");
	return 0;
}

int
record_foreign(const char *line, size_t len, enum institution inst,
	       uint32_t kinds, uint32_t stages, struct record_error *err)
{
	json_error_t je;
	json_t *root, *rec;
	int r = 0;

	memset(err, 0, sizeof(*err));
	if (len > RECORD_MAX_LINE)
		return 0;
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	sodium_memzero(&je, sizeof(je)); /* its text may quote the line */
	if (!json_is_object(root))
		goto out;
	r = record_foreign_obj(root, "", inst, kinds, stages, err);
	if (r == 0 && kind_from_name(member(root, "kind")) == KIND_CORRECTION &&
	    json_is_object(rec = json_object_get(root, "record")))
		r = record_foreign_obj(rec, "record.", inst, kinds, stages,
				       err);
out:
	json_decref(root);
	return r;
}
