/*
 * expr.h - the arithmetic of an indicator's value (INDICATORS.md):
 * decimal numbers, + - * /, parentheses, unary minus, and references
 * TABLE.COLUMN[DIM=VALUE,...] to the cells of the statistics tables whose
 * shape query.h describes (query_schema).
 *
 *	expr    = term { ("+" | "-") term }
 *	term    = unary { ("*" | "/") unary }
 *	unary   = "-" unary | primary
 *	primary = NUMBER | "(" expr ")" | ref
 *	ref     = TABLE "." COLUMN [ "[" DIM "=" VALUE { "," DIM "=" VALUE } "]"
 *] NUMBER  = digits [ "." digits ]
 *
 * So * and / bind tighter than + and -, all four associate to the left
 * (8 - 3 - 2 is 3), and unary minus binds tightest (-2 * 3 is -6). White
 * space may stand between any two tokens.
 *
 * A reference is checked against the table's shape when parsed: the table
 * and column exist, the column is a count, a median or a share (not a
 * dimension), every DIM is a dimension of the table given once, every
 * VALUE is one that dimension can hold, and a median or a share names
 * every dimension of its table, so that it selects exactly one row.
 * What a reference is worth for a period (the sum of a count over the
 * rows that match, one row's median) is for the caller to work out: see
 * indicators.h. The expression only combines the numbers.
 */
#ifndef KUSKA_EXPR_H
#define KUSKA_EXPR_H

#include <stddef.h>

#include "query.h"

#define EXPR_MAX_NODES 64  /* numbers, references and operators */
#define EXPR_MAX_REFS 16   /* cell references in one expression */
#define EXPR_MAX_DEPTH 16  /* nesting of parentheses and unary minus */
#define EXPR_MAX_FILTERS 4 /* DIM=VALUE pairs in one reference */
#define EXPR_MAX_VALUE 40  /* longest VALUE, with its NUL */

struct expr_filter {
	int column; /* a QCOL_KEY column of the reference's table */
	char value[EXPR_MAX_VALUE];
};

struct expr_ref {
	const struct qschema *table; /* static: see query_schema */
	int column;		     /* a count, median or share column */
	size_t n_filters;
	struct expr_filter filters[EXPR_MAX_FILTERS];
};

struct expr;

/*
 * expr_parse - parses and checks text. Returns 0 and *ret (free with
 * expr_free), or -EINVAL with the reason in why (naming the column of the
 * text where it went wrong), or -ENOMEM.
 */
int expr_parse(const char *text, struct expr **ret, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* expr_free - frees *e (NULL is fine) and sets *e to NULL. */
void expr_free(struct expr **e);

/* expr_n_refs - how many cell references e holds, in the order written. */
size_t expr_n_refs(const struct expr *e);

/* expr_ref_at - reference i (< expr_n_refs); valid while e lives. */
const struct expr_ref *expr_ref_at(const struct expr *e, size_t i);

/*
 * expr_eval - the value of e, given the value of each of its references
 * (values[i] for reference i; NAN for a cell without a value). Returns 0
 * and *ret, or -EDOM when the expression has no value: a reference
 * without one, a division by zero, or a result out of range.
 */
int expr_eval(const struct expr *e, const double *values, double *ret)
    __attribute__((warn_unused_result));

#endif
