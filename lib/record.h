/*
 * record.h - the JSON Lines input of EVENTS.md, parsed and checked into a
 * struct event, with the pseudonyms it needs asked of a pseudonym batch
 * (pseudo.h). This module owns jansson.
 *
 * Raw identities (document numbers, names, birth dates) exist only inside
 * record_parse() and, normalised, in the batch: every buffer of
 * record_parse() that held them, jansson's included, is wiped before it
 * returns (see record_init()); the batch wipes its copies when it has
 * evaluated them.
 */
#ifndef KUSKA_RECORD_H
#define KUSKA_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "pseudo.h"

#define RECORD_MAX_LINE (256 * 1024) /* longest accepted JSON line */
#define RECORD_MAX_REF 64
/* The reason that begins every refusal of an unknown key: a key the case
 * system wrote, which the node's status does not repeat. */
#define RECORD_UNKNOWN_FIELD "unknown field"

/* Why a line was refused: the field (dotted path) and the reason. */
struct record_error {
	char field[64];	  /* e.g. "victim.document.number", "" for the line */
	char reason[160]; /* e.g. "a DNI is exactly 8 digits" */
	bool own_institution; /* a referral to or from the submitter itself */
	/* What the line was read to be before its refusal, so that the node
	 * can say first what the institution may not emit (KIND_NONE,
	 * STAGE_NONE: not read that far). */
	enum kind kind;	    /* the line's */
	enum kind rec_kind; /* its record's (a correction's replacement's) */
	enum stage stage;   /* a case stage's */
	/* The line's ref when it has a readable one (1 to RECORD_MAX_REF
	 * printable characters), whatever else was wrong: the case system
	 * knows its records by it. "" otherwise. */
	char ref[RECORD_MAX_REF + 1];
	/* Refused for something else, the line's ref holds a victim's
	 * identity too: why, as parsed_record's ref_identity ("" when it
	 * does not, or when her identity could not be read), and then the
	 * ref itself, for the node to look up a record held under it: never
	 * to be handed back nor printed (ref above is "" then). */
	char ref_identity[160];
	char identity_ref[RECORD_MAX_REF + 1];
};

struct parsed_record {
	struct event ev;		     /* target_seq is left 0 */
	char ref[RECORD_MAX_REF + 1];	     /* the record's own ref */
	char target_ref[RECORD_MAX_REF + 1]; /* CORRECTION, WITHDRAWAL */
	unsigned unlinkable; /* victims that could not be linked */
	char unlinkable_field[64]; /* the first of them: "victims[1]" */
	/* Victims whose age is more than one year off the one their birth
	 * date gives on the record's date (the birth date is used), and the
	 * first of them: her age field's path ("victims[1].age"), the age
	 * written and the age computed. Never the birth date itself. */
	unsigned age_mismatch;
	char age_field[64];
	uint8_t age_written, age_computed;
	/* Victims whose document number is a placeholder (99999999,
	 * 12345678: norm_document_placeholder), taken as no document, and
	 * the first one's path ("victims[1].document.number"). Never the
	 * number itself. */
	unsigned placeholder;
	char placeholder_field[72];
	/* Each such victim's document type (enum doc_type; DOC_NONE for
	 * the others), ev.rec.victim first, then ev.rec.victims[i] at
	 * i + 1: her doc_key holds the placeholder's key all the same, never
	 * encoded (doc_type is DOC_NONE), so that the node can tell a
	 * record a node older than the rule stored with it as her document
	 * (record_placeholder_form). */
	uint8_t placeholder_type[EVENT_MAX_CASE_VICTIMS + 1];
	/* Why the ref holds a victim's identity (her document number, birth
	 * date or two of her names; "" when it does not): the node refuses
	 * such a ref for a new record, but a record it already holds under
	 * one, stored before the check, goes on as any held record (re-sent,
	 * re-keyed, corrected: INPUT.md section 7). */
	char ref_identity[160];
	/* Whether a correction's target_ref holds its victim's identity, by
	 * the same checks: never refused for it (the record is held), but
	 * never copied where a warning prints it. */
	bool target_ref_identity;
	/* Whether the line is taken only for a record held under its ref
	 * (record_parse: a stand-in for no value an older node took). */
	bool held_only;
};

/*
 * record_init - makes jansson wipe every block it frees (called once,
 * before any parsing, by the programs that parse records). Idempotent.
 */
void record_init(void);

/*
 * record_parse - parses one JSON line (len bytes, not NUL-ended) of
 * institution inst, with today's date (days, Peru time) for the "not
 * after today" rule. On success fills *ret (all of it but ev.id,
 * ev.key_epoch and the pseudonyms) and returns 0; each pseudonym of the
 * record (victims' keys, case and referral numbers) is asked of batch,
 * which writes it into *ret when the batch is finished: *ret must stay in
 * place until then. On a broken rule returns -EINVAL and fills *err with
 * the field and reason; *ret is then undefined and nothing of the line
 * remains in batch; err->kind, rec_kind and stage say what of the record
 * was read before the broken rule. err->ref is the line's ref (refused
 * or not) when it holds no victim's identity: "" when it holds one, for
 * a withdrawal (no victim to tell by: "kind" says so, even refused), and
 * on a refusal when a victim's document, names or birth date could not be
 * read to tell (see INPUT.md section 7); a refusal whose ref holds one
 * says why in err->ref_identity and keeps the ref in err->identity_ref,
 * which the caller wipes once used (both "" when the line is taken).
 * A line whose only fault is what an export writes for no value in a
 * document or referral number, a case number or a name (00000000, S/N,
 * null), which an older node took, is taken with ret->held_only set and
 * *err saying why: the caller refuses it so unless a record is held
 * under its ref (stored before: its line goes on as any held record's).
 * Blank lines are the caller's business
 * (it skips them).
 */
int record_parse(const char *line, size_t len, enum institution inst,
		 int32_t today, struct pseudo_batch *batch,
		 struct parsed_record *ret, struct record_error *err)
    __attribute__((warn_unused_result));

/*
 * record_placeholder_form - puts p->ev in the form a node older than the
 * placeholder rule made of its line (older: each victim whose document
 * number is a placeholder with her document type, and so her document
 * key) or back in this node's (no document: DOC_NONE). The key is the one
 * p's batch wrote; the record is otherwise as parsed.
 */
void record_placeholder_form(struct parsed_record *p, bool older);

/*
 * record_line_is_withdrawal - whether a line of an export is a JSON
 * object whose "kind" is "withdrawal", whatever else is wrong with it: as
 * record_parse() tells it, so that kuska submit leaves a withdrawal's ref
 * out of its --report file even when a node older than that hands it back.
 * Parses only a line that may spell the word (plainly, or with one of
 * its letters as a \u00xx escape, not any \u: an export with its
 * accents escaped is not parsed twice); jansson's buffers are wiped as
 * record_parse()'s are.
 */
bool record_line_is_withdrawal(const char *line, size_t len);

#endif
