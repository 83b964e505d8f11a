/* indfile.c - the indicator file, read and checked; see indfile.h. */
#include "indfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "period.h"

/* The keys of an [indicator ID] section. */
enum ikey {
	K_NAME,
	K_LEVEL,
	K_COMPONENT,
	K_KEY,
	K_VALUE,
	K_UNIT,
	K_DIRECTION,
	K_BASELINE,
	K_TARGET,
	K_FREQUENCY,
	K_BASIS,
	K_NAME_ES,
	K_NAME_EN,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
    "name",  "level",	  "component", "key",	 "value",
    "unit",  "direction", "baseline",  "target", "frequency",
    "basis", "name_es",	  "name_en",
};

/*
 * Optional keys: key (default no), basis (a warning when missing) and the
 * names per language, which the report prefers to name in its language.
 */
#define REQUIRED(k)                                                            \
	((k) != K_KEY && (k) != K_BASIS && (k) != K_NAME_ES && (k) != K_NAME_EN)

static const char *const level_names[] = {
    NULL, "output", "outcome", "component", "purpose", "assumption", NULL};
static const char *const component_names[] = {
    NULL, "prosecution", "protection", "prevention", "governance", NULL};
static const char *const unit_names[] = {NULL,	 "count", "percent",
					 "days", "rate",  NULL};
static const char *const direction_names[] = {NULL, "increase", "decrease",
					      NULL};
static const char *const frequency_names[] = {NULL, "semester", "year", NULL};

/* An indicator being read: the lines of its keys, what parsed. */
struct draft {
	struct indicator ind;
	unsigned key_line[K_COUNT];	 /* 0: not given */
	char raw[K_COUNT][IND_TEXT_MAX]; /* as written, lines joined */
	bool too_long[K_COUNT];
	bool ok[K_COUNT]; /* given and valid */
	int last;	  /* the key an indented line goes on with, or -1 */
	bool skip;	  /* its [section] line was refused */
	bool dup;	  /* its id was given before: checked, refused */
};

struct reader {
	const char *name; /* the file, for messages */
	struct indfile_msgs *msgs;
	struct draft *drafts;
	size_t n;
	bool in_section; /* a [section] line has been seen */
	bool oom;
};

/* ---- messages ---------------------------------------------------------- */

static void __attribute__((format(printf, 4, 5)))
say(struct reader *r, unsigned line, bool warning, const char *fmt, ...)
{
	struct indfile_msgs *m = r->msgs;
	struct indfile_msg *msg;
	char why[300];
	va_list ap;

	if (warning)
		m->n_warnings++;
	else
		m->n_errors++;
	if (m->n == INDFILE_MAX_MSGS)
		return;
	if (m->items == NULL) {
		m->items = calloc(INDFILE_MAX_MSGS, sizeof(*m->items));
		if (m->items == NULL) {
			r->oom = true;
			return;
		}
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	msg = &m->items[m->n++];
	msg->line = line;
	msg->warning = warning;
	if (line > 0)
		snprintf(msg->text, sizeof(msg->text), "%s:%u: %s%s", r->name,
			 line, warning ? "warning: " : "", why);
	else
		snprintf(msg->text, sizeof(msg->text), "%s: %s%s", r->name,
			 warning ? "warning: " : "", why);
}

/* Puts the messages in line order, keeping the order found within a line
 * (an insertion sort: they are few, and it is stable). */
static void
sort_msgs(struct indfile_msgs *m)
{
	size_t i, j;

	for (i = 1; i < m->n; i++) {
		struct indfile_msg tmp = m->items[i];
		for (j = i; j > 0 && m->items[j - 1].line > tmp.line; j--)
			m->items[j] = m->items[j - 1];
		m->items[j] = tmp;
	}
}

/*
 * Untrusted text for a message: printable ASCII as it is (cut at 40),
 * anything else as "?".
 */
static const char *
shown(const char *s, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < 40 && i + 1 < cap; i++)
		buf[i] =
		    (unsigned char)s[i] >= ' ' && (unsigned char)s[i] < 0x7f
			? s[i]
			: '?';
	buf[i] = '\0';
	return buf;
}

/* ---- values ------------------------------------------------------------ */

/* The index of s in a NULL-ended names table starting at 1, or 0. */
static int
name_index(const char *const *names, const char *s)
{
	int i;

	for (i = 1; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return 0;
}

/* "a, b or c" of a names table, for messages. */
static const char *
alternatives(const char *const *names, char *buf, size_t cap)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 1; names[i] != NULL; i++) {
		int n = snprintf(buf + used, cap - used, "%s%s",
				 i == 1			? ""
				 : names[i + 1] == NULL ? " or "
							: ", ",
				 names[i]);
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* Whether s is valid UTF-8 with no control character. */
static bool
text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		int n, i;
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			n = 1;
		else if ((*p & 0xf0) == 0xe0)
			n = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return false;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		/* Overlong three-byte forms and surrogates. */
		if (n == 2 && ((p[0] == 0xe0 && p[1] < 0xa0) ||
			       (p[0] == 0xed && p[1] >= 0xa0)))
			return false;
		if (n == 3 && ((p[0] == 0xf0 && p[1] < 0x90) ||
			       (p[0] == 0xf4 && p[1] >= 0x90)))
			return false;
		p += n + 1;
	}
	return true;
}

/*
 * A number as the file writes it: [-]digits[.digits]. Sets *ret_decimals
 * to the digits after the point that count (trailing zeros do not).
 */
static bool
parse_number(const char *s, double *ret, int *ret_decimals)
{
	const char *p = s, *point, *last;
	char *end;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	point = p;
	if (*p == '.') {
		point = ++p;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p != '\0' || p - s > 20)
		return false;
	*ret = strtod(s, &end);
	for (last = p; last > point && last[-1] == '0'; last--)
		;
	*ret_decimals = (int)(last - point);
	return isfinite(*ret);
}

/* IND_DECIMALS, as text in the messages. */
#define STRING_OF(x) #x
#define DECIMALS_TEXT_OF(x) STRING_OF(x)
#define DECIMALS_TEXT DECIMALS_TEXT_OF(IND_DECIMALS)

/*
 * "PERIOD: NUMBER" with a year or a semester, the number with at most
 * IND_DECIMALS decimals: the table writes it so, and judges achieved on
 * the value as written against it, so a finer one would be shown and
 * judged as a number the file does not say. Returns a reason or NULL.
 */
static const char *
parse_point(const char *v, uint32_t *ret_period, double *ret_value)
{
	const char *colon = strchr(v, ':');
	char period[16];
	size_t n;
	int decimals;

	if (colon == NULL)
		return "expected PERIOD: NUMBER, e.g. 2024: 61.5 or 2026H2: 80";
	n = (size_t)(colon - v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(period))
		return "expected PERIOD: NUMBER, e.g. 2024: 61.5 or 2026H2: 80";
	memcpy(period, v, n);
	period[n] = '\0';
	if (period_parse(period, ret_period) != 0)
		return "the period is not a year (2024) or a semester (2024H2)";
	if (period_kind(*ret_period) == PERIOD_QUARTER)
		return "the period is a quarter: indicators are measured by "
		       "semester, so give a year (2024) or a semester "
		       "(2024H2)";
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (!parse_number(v, ret_value, &decimals))
		return "the value is not a number such as 61.5 or 80 (digits, "
		       "an optional point and decimals)";
	if (decimals > IND_DECIMALS)
		return "the value has more than " DECIMALS_TEXT
		       " decimals: the indicators table writes values, "
		       "baselines and targets with at most " DECIMALS_TEXT
		       " and judges achieved on them as written";
	return NULL;
}

/* ---- reading ----------------------------------------------------------- */

static bool
valid_id(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n >= IND_ID_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = id[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '-' && c != '_')))
			return false;
	}
	return true;
}

/* A [section] line: it starts a new indicator, or is refused. */
static void
on_section(struct reader *r, unsigned line, const char *section)
{
	struct draft *d, *grown;
	char q[48];
	size_t i;

	r->in_section = true;
	if (r->n == INDFILE_MAX_INDICATORS) {
		say(r, line, false, "more than %d indicators",
		    INDFILE_MAX_INDICATORS);
		r->n++; /* said once; the rest are skipped */
		return;
	}
	if (r->n > INDFILE_MAX_INDICATORS)
		return;
	grown = realloc(r->drafts, (r->n + 1) * sizeof(*r->drafts));
	if (grown == NULL) {
		r->oom = true;
		return;
	}
	r->drafts = grown;
	d = &r->drafts[r->n++];
	memset(d, 0, sizeof(*d));
	d->ind.line = line;
	d->last = -1;
	if (strncmp(section, "indicator", 9) != 0 ||
	    (section[9] != ' ' && section[9] != '\t')) {
		say(r, line, false,
		    "unknown section [%s] (expected [indicator ID])",
		    shown(section, q, sizeof(q)));
		d->skip = true;
		return;
	}
	section += 9;
	while (*section == ' ' || *section == '\t')
		section++;
	if (!valid_id(section)) {
		say(r, line, false,
		    "indicator id \"%s\": 1 to %d lower-case letters, digits, "
		    "'-' and '_', starting with a letter or digit",
		    shown(section, q, sizeof(q)), IND_ID_MAX - 1);
		d->skip = true;
		return;
	}
	snprintf(d->ind.id, sizeof(d->ind.id), "%s", section);
	for (i = 0; i + 1 < r->n; i++)
		if (!r->drafts[i].skip && !r->drafts[i].dup &&
		    strcmp(r->drafts[i].ind.id, d->ind.id) == 0) {
			/* Its keys are still checked, so that one reading
			 * names their faults too: the file is refused. */
			say(r, line, false,
			    "indicator %s given twice (first at line %u)",
			    d->ind.id, r->drafts[i].ind.line);
			d->dup = true;
			return;
		}
}

/* Sets an enumerated field from a names table. */
static bool
set_enum(struct reader *r, unsigned line, enum ikey k, const char *const *names,
	 const char *v, int *out)
{
	char q[48], alt[120];

	*out = name_index(names, v);
	if (*out == 0)
		say(r, line, false, "%s: \"%s\" is not one of %s", key_names[k],
		    shown(v, q, sizeof(q)),
		    alternatives(names, alt, sizeof(alt)));
	return *out != 0;
}

/* Where the name key k of ind goes: name, name_es or name_en. */
static char *
name_field(struct indicator *ind, enum ikey k)
{
	return k == K_NAME_ES	? ind->name_es
	       : k == K_NAME_EN ? ind->name_en
				: ind->name;
}

/* A name (all three are IND_NAME_MAX bytes) into dst. */
static bool
set_name(struct reader *r, unsigned line, enum ikey k, const char *v, char *dst)
{
	if (v[0] == '\0' || !text_ok(v)) {
		say(r, line, false,
		    "%s: empty, or not text (UTF-8 with no control characters)",
		    key_names[k]);
		return false;
	}
	if (strlen(v) >= IND_NAME_MAX) {
		say(r, line, false, "%s: longer than %d bytes", key_names[k],
		    IND_NAME_MAX - 1);
		return false;
	}
	snprintf(dst, IND_NAME_MAX, "%s", v);
	return true;
}

/* One "name = value" of the indicator d. Returns whether it is valid. */
static bool
set_key(struct reader *r, struct draft *d, unsigned line, enum ikey k,
	const char *v)
{
	struct indicator *ind = &d->ind;
	const char *why;
	char expr_why[256];
	int e = 0;

	switch (k) {
	case K_NAME:
	case K_NAME_ES:
	case K_NAME_EN:
		return set_name(r, line, k, v, name_field(ind, k));
	case K_BASIS:
		if (v[0] == '\0' || !text_ok(v)) {
			say(r, line, false,
			    "%s: empty, or not text (UTF-8 with no control "
			    "characters)",
			    key_names[k]);
			return false;
		}
		snprintf(ind->basis, sizeof(ind->basis), "%s", v);
		return true;
	case K_LEVEL:
		if (!set_enum(r, line, k, level_names, v, &e))
			return false;
		ind->level = (enum ind_level)e;
		return true;
	case K_COMPONENT:
		if (!set_enum(r, line, k, component_names, v, &e))
			return false;
		ind->component = (enum ind_component)e;
		return true;
	case K_UNIT:
		if (!set_enum(r, line, k, unit_names, v, &e))
			return false;
		ind->unit = (enum ind_unit)e;
		return true;
	case K_DIRECTION:
		if (!set_enum(r, line, k, direction_names, v, &e))
			return false;
		ind->direction = (enum ind_direction)e;
		return true;
	case K_FREQUENCY:
		if (!set_enum(r, line, k, frequency_names, v, &e))
			return false;
		ind->frequency = (enum ind_frequency)e;
		return true;
	case K_KEY:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
			say(r, line, false, "key: must be yes or no");
			return false;
		}
		ind->key = strcmp(v, "yes") == 0;
		return true;
	case K_VALUE:
		e = expr_parse(v, &ind->value, expr_why, sizeof(expr_why));
		if (e == -ENOMEM)
			r->oom = true;
		if (e != 0) {
			if (e != -ENOMEM)
				say(r, line, false, "value: %s", expr_why);
			return false;
		}
		snprintf(ind->value_text, sizeof(ind->value_text), "%s", v);
		return true;
	case K_BASELINE:
		why = parse_point(v, &ind->baseline_period, &ind->baseline);
		break;
	case K_TARGET:
		why = parse_point(v, &ind->target_period, &ind->target);
		break;
	default:
		return false;
	}
	if (why != NULL)
		say(r, line, false, "%s: %s", key_names[k], why);
	return why == NULL;
}

/* Appends an indented line to the value of the key above it. */
static void
go_on(struct draft *d, const char *name, const char *v)
{
	char *raw;
	size_t used;

	if (d->last < 0 || strcmp(name, key_names[d->last]) != 0)
		return; /* that key was refused: it said so already */
	raw = d->raw[d->last];
	used = strlen(raw);
	if (v[0] == '\0')
		return;
	if (used + 1 + strlen(v) >= IND_TEXT_MAX) {
		d->too_long[d->last] = true;
		return;
	}
	snprintf(raw + used, IND_TEXT_MAX - used, "%s%s", used ? " " : "", v);
}

static void
on_item(void *arg, const struct config_item *it)
{
	struct reader *r = arg;
	struct draft *d = NULL;
	char q[48];
	int k;

	if (it->error != NULL) {
		say(r, it->line, false, "%s", it->error);
		return;
	}
	if (it->name == NULL) {
		on_section(r, it->line, it->section);
		return;
	}
	if (r->n > 0 && r->n <= INDFILE_MAX_INDICATORS)
		d = &r->drafts[r->n - 1];
	if (it->continued) {
		if (d != NULL && !d->skip)
			go_on(d, it->name, it->value);
		return;
	}
	if (!r->in_section) {
		say(r, it->line, false,
		    "%s: a key before any [indicator ID] section",
		    shown(it->name, q, sizeof(q)));
		return;
	}
	if (d == NULL || d->skip)
		return; /* its section line was refused already */
	d->last = -1;
	for (k = 0; k < K_COUNT; k++)
		if (strcmp(it->name, key_names[k]) == 0)
			break;
	if (k == K_COUNT) {
		say(r, it->line, false,
		    "%s: unknown key (name, name_es, name_en, level, "
		    "component, key, value, unit, direction, baseline, "
		    "target, frequency, basis)",
		    shown(it->name, q, sizeof(q)));
		return;
	}
	if (d->key_line[k] != 0) {
		say(r, it->line, false, "%s: given twice (first at line %u)",
		    key_names[k], d->key_line[k]);
		return;
	}
	d->key_line[k] = it->line;
	d->last = k;
	if (strlen(it->value) >= IND_TEXT_MAX)
		d->too_long[k] = true;
	else
		snprintf(d->raw[k], IND_TEXT_MAX, "%s", it->value);
}

/* Reads each key given, once all its lines are in. */
static void
read_keys(struct reader *r, struct draft *d)
{
	int k;

	for (k = 0; k < K_COUNT; k++) {
		if (d->key_line[k] == 0)
			continue;
		if (d->too_long[k])
			say(r, d->key_line[k], false,
			    "%s: longer than %d characters", key_names[k],
			    IND_TEXT_MAX - 1);
		else
			d->ok[k] = set_key(r, d, d->key_line[k], (enum ikey)k,
					   d->raw[k]);
	}
}

/* ---- checks across keys ------------------------------------------------ */

static bool
percent_ok(double v)
{
	return v >= 0 && v <= 100;
}

/*
 * A count is a total over its period: a semester's is about half a
 * year's. Read every semester against a yearly line (or every year
 * against a semester's) it looks limited or deteriorating only for the
 * length of the period, and no status can say so: the file still loads,
 * with a warning.
 */
static void
check_count_periods(struct reader *r, struct draft *d)
{
	const struct indicator *ind = &d->ind;
	enum period_kind want;
	const char *which;
	bool b, t;

	if (!d->ok[K_UNIT] || ind->unit != IND_COUNT || !d->ok[K_FREQUENCY] ||
	    !d->ok[K_BASELINE] || !d->ok[K_TARGET])
		return;
	want = ind->frequency == IND_YEAR ? PERIOD_YEAR : PERIOD_SEMESTER;
	b = period_kind(ind->baseline_period) != want;
	t = period_kind(ind->target_period) != want;
	if (!b && !t)
		return;
	if (b && t)
		which = "baseline and target are";
	else
		which = b ? "baseline is" : "target is";
	if (want == PERIOD_SEMESTER)
		say(r, d->key_line[K_FREQUENCY], true,
		    "indicator %s counts over a semester but its %s yearly; "
		    "its progress in a semester compares half a year with "
		    "a year",
		    ind->id, which);
	else
		say(r, d->key_line[K_FREQUENCY], true,
		    "indicator %s counts over a year but its %s a semester's; "
		    "its progress in a year compares a year with half a year",
		    ind->id, which);
}

/* The checks that need more than one key of an indicator. */
static void
check_draft(struct reader *r, struct draft *d)
{
	struct indicator *ind = &d->ind;
	char b[32], t[32], pb[PERIOD_NAME_MAX], pt[PERIOD_NAME_MAX];
	int k;

	for (k = 0; k < K_COUNT; k++)
		if (REQUIRED(k) && d->key_line[k] == 0)
			say(r, ind->line, false, "indicator %s: %s is missing",
			    ind->id, key_names[k]);
	if (d->key_line[K_BASIS] == 0)
		say(r, ind->line, true,
		    "indicator %s: no basis (the evidence behind the "
		    "target)",
		    ind->id);
	check_count_periods(r, d);
	if (d->ok[K_UNIT] && ind->unit == IND_PERCENT) {
		if (d->ok[K_BASELINE] && !percent_ok(ind->baseline))
			say(r, d->key_line[K_BASELINE], false,
			    "baseline: %g is not a percentage (0 to 100)",
			    ind->baseline);
		if (d->ok[K_TARGET] && !percent_ok(ind->target))
			say(r, d->key_line[K_TARGET], false,
			    "target: %g is not a percentage (0 to 100)",
			    ind->target);
	}
	if (!d->ok[K_BASELINE] || !d->ok[K_TARGET])
		return;
	snprintf(b, sizeof(b), "%g", ind->baseline);
	snprintf(t, sizeof(t), "%g", ind->target);
	period_name(ind->baseline_period, pb);
	period_name(ind->target_period, pt);
	if (period_end_semesters(ind->target_period) <=
	    period_end_semesters(ind->baseline_period))
		say(r, d->key_line[K_TARGET], false,
		    "target: its period %s does not end after the baseline's "
		    "(%s)",
		    pt, pb);
	if (!d->ok[K_DIRECTION])
		return;
	if (ind->direction == IND_INCREASE && !(ind->target > ind->baseline))
		say(r, d->key_line[K_TARGET], false,
		    "target: %s is not above the baseline (%s), but direction "
		    "= increase",
		    t, b);
	if (ind->direction == IND_DECREASE && !(ind->target < ind->baseline))
		say(r, d->key_line[K_TARGET], false,
		    "target: %s is not below the baseline (%s), but direction "
		    "= decrease",
		    t, b);
}

static void
free_drafts(struct draft *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		expr_free(&d[i].ind.value);
	free(d);
}

int
indfile_parse(const char *name, const char *text, size_t len,
	      struct indset **ret, struct indfile_msgs *msgs)
{
	struct reader r = {.name = name, .msgs = msgs};
	struct indset *set = NULL;
	size_t i, n_key = 0, n;
	int rc;

	indfile_msgs_clear(msgs);
	rc = config_parse_text(text, len, on_item, &r);
	if (rc != 0 || r.oom) {
		rc = -ENOMEM;
		goto out;
	}
	n = r.n > INDFILE_MAX_INDICATORS ? INDFILE_MAX_INDICATORS : r.n;
	for (i = 0; i < n; i++) {
		struct draft *d = &r.drafts[i];
		if (d->skip)
			continue;
		read_keys(&r, d);
		check_draft(&r, d);
		if (d->ok[K_KEY] && d->ind.key &&
		    ++n_key == INDFILE_KEY_MAX + 1)
			say(&r, d->key_line[K_KEY], true,
			    "more than %d key indicators: the report leads "
			    "with them, so keep them few",
			    INDFILE_KEY_MAX);
	}
	if (r.oom) {
		rc = -ENOMEM;
		goto out;
	}
	sort_msgs(msgs);
	if (msgs->n_errors > 0) {
		rc = -EINVAL;
		goto out;
	}
	set = calloc(1, sizeof(*set));
	if (set == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	set->items = calloc(n > 0 ? n : 1, sizeof(*set->items));
	if (set->items == NULL) {
		free(set);
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		set->items[i] = r.drafts[i].ind;
		r.drafts[i].ind.value = NULL; /* the set owns it now */
	}
	set->n = n;
	*ret = set;
out:
	free_drafts(r.drafts, r.n > INDFILE_MAX_INDICATORS
				  ? INDFILE_MAX_INDICATORS
				  : r.n);
	return rc;
}

int
indfile_load(const char *path, struct indset **ret, struct indfile_msgs *msgs)
{
	struct reader r = {.name = path, .msgs = msgs};
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc;

	indfile_msgs_clear(msgs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		say(&r, 0, false, "%s", strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > INDFILE_MAX_BYTES) {
		say(&r, 0, false, "not a regular file of at most %d bytes",
		    INDFILE_MAX_BYTES);
		rc = -EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			say(&r, 0, false, "cannot read: %s", strerror(-rc));
			goto out;
		}
		got += (size_t)n;
	}
	rc = indfile_parse(path, buf, got, ret, msgs);
out:
	free(buf);
	close(fd);
	return rc;
}

void
indset_free(struct indset **s)
{
	size_t i;

	if (s == NULL || *s == NULL)
		return;
	for (i = 0; i < (*s)->n; i++)
		expr_free(&(*s)->items[i].value);
	free((*s)->items);
	free(*s);
	*s = NULL;
}

void
indfile_msgs_clear(struct indfile_msgs *m)
{
	free(m->items);
	memset(m, 0, sizeof(*m));
}

static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v > 0 && (size_t)v < n ? names[v] : NULL;
}

#define NAME_OF(t, v) name_of(t, sizeof(t) / sizeof(t[0]) - 1, (int)(v))

const char *
ind_level_name(enum ind_level v)
{
	return NAME_OF(level_names, v);
}

const char *
ind_component_name(enum ind_component v)
{
	return NAME_OF(component_names, v);
}

const char *
ind_unit_name(enum ind_unit v)
{
	return NAME_OF(unit_names, v);
}

const char *
ind_direction_name(enum ind_direction v)
{
	return NAME_OF(direction_names, v);
}

const char *
ind_frequency_name(enum ind_frequency v)
{
	return NAME_OF(frequency_names, v);
}
