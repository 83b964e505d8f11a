/* expr.c - an indicator's arithmetic over table cells; see expr.h. */
#include "expr.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op { OP_NUM, OP_REF, OP_NEG, OP_ADD, OP_SUB, OP_MUL, OP_DIV };

struct node {
	enum op op;
	double num; /* OP_NUM */
	int ref;    /* OP_REF: index in refs */
	int a, b;   /* operands: node indexes (b unused by OP_NEG) */
};

struct expr {
	struct node nodes[EXPR_MAX_NODES];
	size_t n_nodes;
	int root;
	struct expr_ref refs[EXPR_MAX_REFS];
	size_t n_refs;
};

#define NAME_MAX_LEN 32 /* longest table, column or dimension name */
#define NUMBER_MAX_LEN 24

/* The parser's state: the text, where it is, and the first error. */
struct parser {
	const char *text;
	const char *p;
	struct expr *e;
	int depth;
	char *why;
	size_t whylen;
	bool failed;
};

/* Records the first error, with the column (1-based) it was found at. */
static int __attribute__((format(printf, 3, 4)))
fail_at(struct parser *ps, const char *at, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (ps->failed)
		return -EINVAL;
	ps->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->why, ps->whylen, "%s (column %d)", msg,
		 (int)(at - ps->text) + 1);
	return -EINVAL;
}

static void
skip_space(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* A VALUE runs up to white space, ",", "]" or anything unprintable. */
static bool
is_value_char(char c)
{
	return c > ' ' && c < 0x7f && c != ',' && c != ']' && c != '[' &&
	       c != '=';
}

/* What stands at s, quoted, for a message: a few characters. */
static const char *
near(const char *s, char *buf, size_t cap)
{
	size_t n = 0;

	if (*s == '\0')
		return "the end";
	while (s[n] != '\0' && n < 12 && (unsigned char)s[n] >= ' ' &&
	       (unsigned char)s[n] < 0x7f)
		n++;
	if (n == 0)
		return "an unprintable character";
	snprintf(buf, cap, "\"%.*s\"", (int)n, s);
	return buf;
}

/* Reads a NAME into out. Returns 0, or -EINVAL (error recorded). */
static int
read_name(struct parser *ps, const char *what, char *out, size_t cap)
{
	const char *start;
	char q[24];
	size_t n;

	skip_space(ps);
	start = ps->p;
	while (is_name_char(*ps->p))
		ps->p++;
	n = (size_t)(ps->p - start);
	if (n == 0)
		return fail_at(ps, start, "expected %s, found %s", what,
			       near(start, q, sizeof(q)));
	if (n >= cap)
		return fail_at(ps, start, "%s longer than %zu characters", what,
			       cap - 1);
	memcpy(out, start, n);
	out[n] = '\0';
	return 0;
}

static bool
expect(struct parser *ps, char c)
{
	skip_space(ps);
	if (*ps->p != c)
		return false;
	ps->p++;
	return true;
}

static int
new_node(struct parser *ps, enum op op, int a, int b)
{
	struct node *n;

	if (ps->e->n_nodes == EXPR_MAX_NODES)
		return fail_at(ps, ps->p,
			       "expression longer than %d numbers, "
			       "references and operators",
			       EXPR_MAX_NODES);
	n = &ps->e->nodes[ps->e->n_nodes];
	memset(n, 0, sizeof(*n));
	n->op = op;
	n->a = a;
	n->b = b;
	return (int)ps->e->n_nodes++;
}

static int
parse_number(struct parser *ps)
{
	const char *start = ps->p;
	char buf[NUMBER_MAX_LEN + 1];
	size_t n;
	int i;

	if (*ps->p < '0' || *ps->p > '9')
		return fail_at(ps, start,
			       "a number is written like 12 or 12.5");
	while (*ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	if (*ps->p == '.') {
		ps->p++;
		if (*ps->p < '0' || *ps->p > '9')
			return fail_at(ps, start,
				       "a number is written like 12 or 12.5");
		while (*ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (is_name_char(*ps->p) || *ps->p == '.')
		return fail_at(ps, start,
			       "a number is written like 12 or 12.5");
	n = (size_t)(ps->p - start);
	if (n > NUMBER_MAX_LEN)
		return fail_at(ps, start, "number longer than %d characters",
			       NUMBER_MAX_LEN);
	memcpy(buf, start, n);
	buf[n] = '\0';
	i = new_node(ps, OP_NUM, -1, -1);
	if (i >= 0)
		ps->e->nodes[i].num = strtod(buf, NULL);
	return i;
}

/* Lists the key columns of s, or its other columns, for a message. */
static const char *
column_list(const struct qschema *s, bool keys, char *buf, size_t cap)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < s->n_cols; i++) {
		const struct qcolumn *c = &s->cols[i];
		int n;
		if (c->kind == QCOL_PERIOD || (c->kind == QCOL_KEY) != keys)
			continue;
		n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "",
			     c->name);
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* Reads "[DIM=VALUE, ...]" after a reference into r. */
static int
parse_filters(struct parser *ps, struct expr_ref *r)
{
	const struct qschema *s = r->table;
	char dim[NAME_MAX_LEN], q[24], list[200];

	do {
		struct expr_filter *f;
		const char *at, *vstart;
		size_t n, i;
		int c;
		if (read_name(ps, "a dimension", dim, sizeof(dim)) != 0)
			return -EINVAL;
		at = ps->p - strlen(dim);
		c = query_schema_column(s, dim);
		if (c < 0 || s->cols[c].kind != QCOL_KEY)
			return fail_at(
			    ps, at,
			    "%s has no dimension \"%s\" "
			    "(dimensions: %s)",
			    s->table, dim,
			    column_list(s, true, list, sizeof(list)));
		for (i = 0; i < r->n_filters; i++)
			if (r->filters[i].column == c)
				return fail_at(ps, at,
					       "dimension %s given twice", dim);
		if (r->n_filters == EXPR_MAX_FILTERS)
			return fail_at(ps, at, "more than %d dimensions",
				       EXPR_MAX_FILTERS);
		if (!expect(ps, '='))
			return fail_at(ps, ps->p,
				       "expected \"=\" after %s, "
				       "found %s",
				       dim, near(ps->p, q, sizeof(q)));
		skip_space(ps);
		vstart = ps->p;
		while (is_value_char(*ps->p))
			ps->p++;
		n = (size_t)(ps->p - vstart);
		if (n == 0)
			return fail_at(ps, vstart,
				       "expected a value of %s, found %s", dim,
				       near(vstart, q, sizeof(q)));
		if (n >= EXPR_MAX_VALUE)
			return fail_at(ps, vstart,
				       "value of %s longer than %d characters",
				       dim, EXPR_MAX_VALUE - 1);
		f = &r->filters[r->n_filters++];
		f->column = c;
		memcpy(f->value, vstart, n);
		f->value[n] = '\0';
	} while (expect(ps, ','));
	if (!expect(ps, ']'))
		return fail_at(ps, ps->p, "expected \",\" or \"]\", found %s",
			       near(ps->p, q, sizeof(q)));
	return 0;
}

/* The value given for key column c in r, or NULL. */
static const char *
filter_value(const struct expr_ref *r, int c)
{
	size_t i;

	for (i = 0; i < r->n_filters; i++)
		if (r->filters[i].column == c)
			return r->filters[i].value;
	return NULL;
}

/*
 * Checks the reference's filters against the schema once all are read
 * (a dimension's valid values may depend on another's), and that a
 * median or a share names every dimension.
 */
static int
check_ref(struct parser *ps, const struct expr_ref *r, const char *at)
{
	const struct qschema *s = r->table;
	const struct qcolumn *col = &s->cols[r->column];
	char list[200];
	size_t i;

	for (i = 0; i < r->n_filters; i++) {
		const struct qcolumn *k = &s->cols[r->filters[i].column];
		const char *dep = NULL;
		if (k->depends != NULL)
			dep =
			    filter_value(r, query_schema_column(s, k->depends));
		if (!k->valid(r->filters[i].value, dep))
			return fail_at(ps, at,
				       "%s.%s: \"%s\" is not a value of %s "
				       "(%s)",
				       s->table, col->name, r->filters[i].value,
				       k->name, k->values);
	}
	if (col->kind == QCOL_COUNT)
		return 0;
	for (i = 0; i < s->n_cols; i++)
		if (s->cols[i].kind == QCOL_KEY &&
		    filter_value(r, (int)i) == NULL)
			return fail_at(
			    ps, at,
			    "%s.%s: a %s must select exactly one row: give "
			    "every dimension (%s)",
			    s->table, col->name,
			    col->kind == QCOL_MEDIAN ? "median" : "share",
			    column_list(s, true, list, sizeof(list)));
	return 0;
}

static int
parse_ref(struct parser *ps)
{
	const char *start = ps->p;
	char table[NAME_MAX_LEN], column[NAME_MAX_LEN], list[200], q[24];
	const struct qschema *s;
	struct expr_ref *r;
	int c, i;

	if (read_name(ps, "a table", table, sizeof(table)) != 0)
		return -EINVAL;
	s = query_schema(table);
	if (s == NULL)
		return fail_at(ps, start, "unknown table \"%s\" (tables: %s)",
			       table, query_schema_names());
	if (*ps->p != '.')
		return fail_at(ps, ps->p,
			       "expected \".\" and a column after %s, found "
			       "%s",
			       table, near(ps->p, q, sizeof(q)));
	ps->p++;
	if (read_name(ps, "a column", column, sizeof(column)) != 0)
		return -EINVAL;
	c = query_schema_column(s, column);
	if (c < 0 || s->cols[c].kind == QCOL_PERIOD)
		return fail_at(ps, start, "%s has no column \"%s\" (%s)", table,
			       column,
			       column_list(s, false, list, sizeof(list)));
	if (s->cols[c].kind == QCOL_KEY)
		return fail_at(ps, start,
			       "%s.%s is a dimension, not a number: refer to "
			       "one of %s",
			       table, column,
			       column_list(s, false, list, sizeof(list)));
	if (ps->e->n_refs == EXPR_MAX_REFS)
		return fail_at(ps, start, "more than %d cell references",
			       EXPR_MAX_REFS);
	r = &ps->e->refs[ps->e->n_refs];
	memset(r, 0, sizeof(*r));
	r->table = s;
	r->column = c;
	skip_space(ps);
	if (*ps->p == '[') {
		ps->p++;
		if (parse_filters(ps, r) != 0)
			return -EINVAL;
	}
	if (check_ref(ps, r, start) != 0)
		return -EINVAL;
	i = new_node(ps, OP_REF, -1, -1);
	if (i >= 0)
		ps->e->nodes[i].ref = (int)ps->e->n_refs++;
	return i;
}

static int parse_sum(struct parser *ps);

static int
parse_unary(struct parser *ps)
{
	char q[24];
	int a;

	skip_space(ps);
	if (ps->depth > EXPR_MAX_DEPTH)
		return fail_at(ps, ps->p,
			       "parentheses and signs nested deeper than %d",
			       EXPR_MAX_DEPTH);
	if (*ps->p == '-') {
		ps->p++;
		ps->depth++;
		a = parse_unary(ps);
		ps->depth--;
		return a < 0 ? a : new_node(ps, OP_NEG, a, -1);
	}
	if (*ps->p == '(') {
		const char *open = ps->p++;
		ps->depth++;
		a = parse_sum(ps);
		ps->depth--;
		if (a < 0)
			return a;
		if (!expect(ps, ')'))
			return fail_at(ps, ps->p,
				       "expected \")\" to close the \"(\" at "
				       "column %d, found %s",
				       (int)(open - ps->text) + 1,
				       near(ps->p, q, sizeof(q)));
		return a;
	}
	if ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.')
		return parse_number(ps);
	if (is_name_char(*ps->p))
		return parse_ref(ps);
	return fail_at(ps, ps->p,
		       "expected a number, a cell reference or \"(\", found "
		       "%s",
		       near(ps->p, q, sizeof(q)));
}

static int
parse_product(struct parser *ps)
{
	int a = parse_unary(ps);

	while (a >= 0) {
		enum op op;
		int b;
		skip_space(ps);
		if (*ps->p == '*')
			op = OP_MUL;
		else if (*ps->p == '/')
			op = OP_DIV;
		else
			break;
		ps->p++;
		b = parse_unary(ps);
		if (b < 0)
			return b;
		a = new_node(ps, op, a, b);
	}
	return a;
}

static int
parse_sum(struct parser *ps)
{
	int a = parse_product(ps);

	while (a >= 0) {
		enum op op;
		int b;
		skip_space(ps);
		if (*ps->p == '+')
			op = OP_ADD;
		else if (*ps->p == '-')
			op = OP_SUB;
		else
			break;
		ps->p++;
		b = parse_product(ps);
		if (b < 0)
			return b;
		a = new_node(ps, op, a, b);
	}
	return a;
}

int
expr_parse(const char *text, struct expr **ret, char *why, size_t whylen)
{
	struct parser ps = {
	    .text = text, .p = text, .why = why, .whylen = whylen};
	char q[24];
	int root;

	ps.e = calloc(1, sizeof(*ps.e));
	if (ps.e == NULL)
		return -ENOMEM;
	root = parse_sum(&ps);
	skip_space(&ps);
	if (root >= 0 && *ps.p != '\0')
		root = fail_at(&ps, ps.p, "unexpected %s",
			       near(ps.p, q, sizeof(q)));
	if (root < 0) {
		free(ps.e);
		return -EINVAL;
	}
	ps.e->root = root;
	*ret = ps.e;
	return 0;
}

void
expr_free(struct expr **e)
{
	if (e == NULL || *e == NULL)
		return;
	free(*e);
	*e = NULL;
}

size_t
expr_n_refs(const struct expr *e)
{
	return e->n_refs;
}

const struct expr_ref *
expr_ref_at(const struct expr *e, size_t i)
{
	return i < e->n_refs ? &e->refs[i] : NULL;
}

/* NAN stands for "no value" and carries through every operation. */
static double
eval(const struct expr *e, int i, const double *values)
{
	const struct node *n = &e->nodes[i];
	double a, b;

	switch (n->op) {
	case OP_NUM:
		return n->num;
	case OP_REF:
		return values[n->ref];
	case OP_NEG:
		return -eval(e, n->a, values);
	default:
		break;
	}
	a = eval(e, n->a, values);
	b = eval(e, n->b, values);
	switch (n->op) {
	case OP_ADD:
		return a + b;
	case OP_SUB:
		return a - b;
	case OP_MUL:
		return a * b;
	default:
		return b == 0 ? NAN : a / b;
	}
}

int
expr_eval(const struct expr *e, const double *values, double *ret)
{
	double v = eval(e, e->root, values);

	if (!isfinite(v))
		return -EDOM;
	*ret = v;
	return 0;
}
