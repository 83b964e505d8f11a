/* format.c - the text of estimate rows; see mse.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mse.h"
#include "text.h"

void
mse_append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strnlen(buf, cap);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

const char *
mse_format_method(enum mse_method m)
{
	switch (m) {
	case MSE_MAIN:
		return "main";
	case MSE_STEPWISE:
		return "stepwise";
	case MSE_FIXED:
		return "fixed";
	}
	return "?";
}

const char *
mse_format_lists(const struct mse_table *t, char *buf, size_t cap)
{
	unsigned i;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < t->k; i++)
		mse_append(buf, cap, "%s%s", i ? "+" : "", t->names[i]);
	return buf;
}

/* "A:B" for pair p, joined after sep. */
static void
append_pair(const struct mse_table *t, unsigned p, const char *sep, char *buf,
	    size_t cap)
{
	unsigned a, b;

	mse_pair_lists(t->k, p, &a, &b);
	mse_append(buf, cap, "%s%s:%s", sep, t->names[a], t->names[b]);
}

const char *
mse_format_interactions(const struct mse_table *t, const struct mse_estimate *e,
			char *buf, size_t cap)
{
	unsigned i;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < e->n_pairs; i++)
		append_pair(t, e->pairs[i], i ? " " : "", buf, cap);
	return buf;
}

/* The sparse part of a note, when t has too few cases seen by two lists
 * or more to trust an estimate from it (MSE_SPARSE_MULTIPLE). */
static void
append_sparse(const struct mse_table *t, char *buf, size_t cap)
{
	uint64_t m = mse_table_multiple(t);

	if (m >= MSE_SPARSE_MULTIPLE)
		return;
	mse_append(buf, cap,
		   "; sparse: %llu case%s seen by more than one list (under "
		   "%d): too few to trust the estimate",
		   (unsigned long long)m, m == 1 ? "" : "s",
		   MSE_SPARSE_MULTIPLE);
}

/* "; N more pairs never overlap (effect -inf)", or "" for none. */
static void
more_pairs(unsigned n, char *buf, size_t cap)
{
	if (n == 0)
		buf[0] = '\0';
	else if (n == 1)
		snprintf(buf, cap,
			 "; 1 more pair never overlaps (effect -inf)");
	else
		snprintf(buf, cap,
			 "; %u more pairs never overlap (effect -inf)", n);
}

const char *
mse_format_note(const struct mse_table *t, const struct mse_estimate *e,
		char *buf, size_t cap)
{
	char part[2 * MSE_NAME_MAX + 48], more[64];
	unsigned i, left = 0;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	if (e->status != MSE_ESTIMATED) {
		mse_append(buf, cap, "%s", e->reason);
		return buf;
	}
	/* The interval holds only if the chosen model is right: say so,
	 * as the bootstrap row says "BCa". */
	mse_append(buf, cap, "%s", MSE_CONDITIONAL_NOTE);
	append_sparse(t, buf, cap);
	for (i = 0; i < e->n_pairs; i++)
		if (e->empty & (UINT64_C(1) << e->pairs[i]))
			left++;
	/* Whole pairs only, while the count of those left still fits
	 * after them: a pair cut in the middle named no one. */
	for (i = 0; i < e->n_pairs && left > 0; i++) {
		unsigned a, b;
		if (!(e->empty & (UINT64_C(1) << e->pairs[i])))
			continue;
		mse_pair_lists(t->k, e->pairs[i], &a, &b);
		snprintf(part, sizeof(part),
			 "; %s and %s never overlap (effect -inf)", t->names[a],
			 t->names[b]);
		more_pairs(left - 1, more, sizeof(more));
		if (strlen(buf) + strlen(part) + strlen(more) >= cap)
			break;
		mse_append(buf, cap, "%s", part);
		left--;
	}
	more_pairs(left, more, sizeof(more));
	mse_append(buf, cap, "%s", more);
	return buf;
}

const char *
mse_format_boot_note(const struct mse_table *t, const struct mse_boot *b,
		     char *buf, size_t cap)
{
	if (cap == 0)
		return buf;
	buf[0] = '\0';
	if (b->status != MSE_ESTIMATED) {
		mse_append(buf, cap, "%s", b->reason);
		/* An estimate without an interval is still shown. */
		if (b->point.status == MSE_ESTIMATED)
			append_sparse(t, buf, cap);
		return buf;
	}
	mse_append(buf, cap, "BCa 95%%, %u resamples of %s, seed %llu", b->n,
		   mse_format_method(b->point.method),
		   (unsigned long long)b->seed);
	append_sparse(t, buf, cap);
	if (b->failed > 0)
		mse_append(buf, cap,
			   "; %u without an estimate, counted as infinite",
			   b->failed);
	if (b->jackknife_failed)
		mse_append(buf, cap,
			   "; no acceleration: a jackknife fit failed");
	return buf;
}
