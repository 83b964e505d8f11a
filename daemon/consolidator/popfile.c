/* popfile.c - the population file of SDG 16.2.2; see popfile.h. */
#include "popfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "norm.h"

#define FIELDS 5

static const char *const header[FIELDS] = {"year", "region", "sex", "age_group",
					   "population"};
static const char *const sex_names[2] = {"F", "M"};
static const char *const age_names[2] = {"0-17", "18+"};

/* A file being read. */
struct reader {
	const char *name;
	char *err;
	size_t errlen;
	unsigned faults, untold; /* said; past the cap, counted only */
	char source[POPFILE_SOURCE_MAX]; /* "# source: TEXT"; "": none */
	unsigned source_line;
	struct pop_entry *items;
	size_t n, cap;
};

/* Whether no fault was found (said or counted). */
static bool
no_fault(const struct reader *r)
{
	return r->faults == 0 && r->untold == 0;
}

/* Room kept at the end of err for the line that counts the faults not
 * told: "NAME: 4294967295 more faults". */
static size_t
tail_room(const struct reader *r)
{
	return strlen(r->name) + 32;
}

/*
 * A fault, appended to err on a line of its own: the reader goes on to
 * the next line, so that one reading names every fault of the file (at
 * most POPFILE_MAX_FAULTS, and as many whole lines as err holds; the
 * rest are counted at the end). Returns -EINVAL.
 */
static int __attribute__((format(printf, 3, 4)))
say(struct reader *r, unsigned line, const char *fmt, ...)
{
	char why[POPFILE_ERR_MAX], one[POPFILE_ERR_MAX + 300];
	size_t used = strlen(r->err), len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(one, sizeof(one), "%s:%u: %s", r->name, line, why);
	else
		snprintf(one, sizeof(one), "%s: %s", r->name, why);
	len = strlen(one) + (used > 0 ? 1 : 0);
	if (r->faults < POPFILE_MAX_FAULTS &&
	    (used + len + 1 + (r->faults > 0 ? tail_room(r) : 0) <= r->errlen ||
	     used == 0)) {
		snprintf(r->err + used, r->errlen - used, "%s%s",
			 used > 0 ? "\n" : "", one);
		r->faults++;
	} else
		r->untold++;
	return -EINVAL;
}

/* Splits line (NUL-terminated, changed in place) at commas into at most
 * max fields, each trimmed of spaces and of one pair of double quotes.
 * Returns the number of fields, or max + 1 when there are more. */
static size_t
split(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		char *end = strchr(p, ','), *s = p, *e;
		if (end != NULL)
			*end = '\0';
		if (n == max)
			return max + 1;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (e - s >= 2 && s[0] == '"' && e[-1] == '"') {
			e[-1] = '\0';
			s++;
		}
		fields[n++] = s;
		if (end == NULL)
			return n;
		p = end + 1;
	}
}

/* The TEXT of a comment line "# source: TEXT", trimmed, or NULL when
 * line is no such comment. */
static char *
source_text(char *line)
{
	char *s = line + strspn(line, " \t"), *e;

	if (*s != '#')
		return NULL;
	s++;
	s += strspn(s, " \t");
	if (strncmp(s, "source:", 7) != 0)
		return NULL;
	s += 7;
	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Keeps text, a source line's, as the file's source; a fault if it is
 * empty, too long, not printable UTF-8, or the file's second. */
static int
on_source(struct reader *r, unsigned line, const char *text)
{
	size_t len = strlen(text), i = 0;

	if (r->source_line > 0)
		return say(r, line,
			   "a second source line (the first is line %u)",
			   r->source_line);
	if (len == 0)
		return say(r, line,
			   "source: empty: write where the figures "
			   "come from");
	if (len >= POPFILE_SOURCE_MAX)
		return say(r, line, "source: longer than %d bytes",
			   POPFILE_SOURCE_MAX - 1);
	while (i < len) {
		int32_t c = utf8_next((const unsigned char *)text, len, &i);
		if (c < 0x20 || c == 0x7f)
			return say(r, line, "source: not printable UTF-8 text");
	}
	memcpy(r->source, text, len + 1);
	r->source_line = line;
	return 0;
}

/* A whole number of 1 to max digits, no sign, at most limit. */
static bool
whole(const char *s, size_t max_digits, uint64_t limit, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (s[0] == '\0' || strlen(s) > max_digits)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > limit)
		return false;
	*ret = v;
	return true;
}

static int
index_of(const char *const *names, const char *s)
{
	int i;

	for (i = 0; i < 2; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* The entry of year and region, added when new; NULL when out of
 * memory. */
static struct pop_entry *
entry(struct reader *r, unsigned year, unsigned region)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->items[i].year == year && r->items[i].region == region)
			return &r->items[i];
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct pop_entry *p = realloc(r->items, cap * sizeof(*p));
		if (p == NULL)
			return NULL;
		r->items = p;
		r->cap = cap;
	}
	memset(&r->items[r->n], 0, sizeof(r->items[0]));
	r->items[r->n].year = year;
	r->items[r->n].region = region;
	return &r->items[r->n++];
}

/* One line of figures. Returns 0, -EINVAL (said) or -ENOMEM. */
static int
on_figure(struct reader *r, unsigned line, char **f, size_t n)
{
	uint64_t year, region = 0, count;
	struct pop_entry *e;
	int sex, age;

	if (n != FIELDS)
		return say(r, line, "%s%zu fields, wanted %d (%s,%s,%s,%s,%s)",
			   n > FIELDS ? "more than " : "",
			   n > FIELDS ? (size_t)FIELDS : n, FIELDS, header[0],
			   header[1], header[2], header[3], header[4]);
	if (!whole(f[0], 4, POPFILE_MAX_YEAR, &year) || year < POPFILE_MIN_YEAR)
		return say(r, line, "year \"%.20s\": a year %d to %d", f[0],
			   POPFILE_MIN_YEAR, POPFILE_MAX_YEAR);
	if (f[1][0] != '\0' &&
	    (strlen(f[1]) != 2 || !whole(f[1], 2, 25, &region)))
		return say(r, line,
			   "region \"%.20s\": 00 (or empty) for the country, "
			   "or an INEI department code 01 to 25",
			   f[1]);
	sex = index_of(sex_names, f[2]);
	if (sex < 0)
		return say(r, line, "sex \"%.20s\": F or M", f[2]);
	age = index_of(age_names, f[3]);
	if (age < 0)
		return say(r, line, "age_group \"%.20s\": 0-17 or 18+", f[3]);
	if (!whole(f[4], 10, POPFILE_MAX_POPULATION, &count) || count == 0)
		return say(r, line,
			   "population \"%.20s\": a whole number 1 to %llu",
			   f[4], (unsigned long long)POPFILE_MAX_POPULATION);
	e = entry(r, (unsigned)year, (unsigned)region);
	if (e == NULL)
		return -ENOMEM;
	if (e->line[sex][age] != 0)
		return say(r, line,
			   "%u %s %s %s given twice (first at line %u)",
			   e->year, region == 0 ? "country" : f[1],
			   sex_names[sex], age_names[age], e->line[sex][age]);
	e->count[sex][age] = count;
	e->line[sex][age] = line;
	return 0;
}

/* The header line. */
static int
on_header(struct reader *r, unsigned line, char **f, size_t n)
{
	size_t i;

	for (i = 0; i < FIELDS && i < n; i++)
		if (strcmp(f[i], header[i]) != 0)
			break;
	if (n != FIELDS || i < FIELDS)
		return say(r, line, "the header must be %s,%s,%s,%s,%s",
			   header[0], header[1], header[2], header[3],
			   header[4]);
	return 0;
}

/* Every year and region has its four figures: a fault for each that has
 * not, naming its first missing figure at its first line. */
static int
check_complete(struct reader *r)
{
	size_t i;
	int s, a, rc = 0;

	for (i = 0; i < r->n; i++) {
		const struct pop_entry *e = &r->items[i];
		unsigned first = 0;
		for (s = 0; s < 2; s++)
			for (a = 0; a < 2; a++)
				if (e->line[s][a] != 0 &&
				    (first == 0 || e->line[s][a] < first))
					first = e->line[s][a];
		for (s = 0; s < 2; s++)
			for (a = 0; a < 2; a++) {
				char region[24];
				if (e->line[s][a] != 0)
					continue;
				if (e->region == 0)
					snprintf(region, sizeof(region),
						 "the country");
				else
					snprintf(region, sizeof(region),
						 "region %02u", e->region);
				rc = say(r, first,
					 "%u, %s: no figure for %s %s (each "
					 "year and region needs F and M, "
					 "0-17 and 18+)",
					 e->year, region, sex_names[s],
					 age_names[a]);
				s = a = 2; /* one fault for the entry */
			}
	}
	return rc;
}

int
popfile_parse(const char *name, const char *text, size_t len,
	      struct popset **ret, char *err, size_t errlen)
{
	struct reader r = {.name = name, .err = err, .errlen = errlen};
	char buf[POPFILE_MAX_LINE + 2], *f[FIELDS + 1], *src;
	bool have_header = false;
	struct popset *set;
	unsigned line = 0;
	size_t pos = 0;
	int rc = 0;

	if (errlen > 0)
		err[0] = '\0';
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	/* Every line is read, a faulty one skipped, so that one reading
	 * names every fault; out of memory stops it. */
	while (pos < len && rc != -ENOMEM) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl != NULL ? (size_t)(nl - text) : len) - pos;
		size_t nf;
		line++;
		if (n > 0 && text[pos + n - 1] == '\r')
			n--;
		if (n > POPFILE_MAX_LINE) {
			rc = say(&r, line, "longer than %d bytes",
				 POPFILE_MAX_LINE);
			pos = nl != NULL ? (size_t)(nl - text) + 1 : len;
			continue;
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		pos = nl != NULL ? (size_t)(nl - text) + 1 : len;
		if (strlen(buf) != n) {
			rc = say(&r, line, "a NUL byte");
			continue;
		}
		if ((src = source_text(buf)) != NULL) {
			if (on_source(&r, line, src) != 0)
				rc = -EINVAL;
			continue;
		}
		if (strspn(buf, " \t") == n || buf[strspn(buf, " \t")] == '#')
			continue;
		nf = split(buf, f, FIELDS);
		if (!have_header) {
			if (on_header(&r, line, f, nf) != 0)
				rc = -EINVAL;
			have_header = true;
		} else {
			int fr = on_figure(&r, line, f, nf);
			if (fr != 0)
				rc = fr;
		}
	}
	if (rc == 0 && no_fault(&r) && !have_header)
		rc = say(&r, 0,
			 "empty: no header (year,region,sex,age_group,"
			 "population)");
	if (rc == 0 && no_fault(&r) && r.n == 0)
		rc = say(&r, 0, "no figures after the header");
	/* A year and region is checked whole only in a file with no other
	 * fault: the figure a faulty line gave would be said missing. */
	if (rc == 0 && no_fault(&r))
		rc = check_complete(&r);
	if (rc != 0 || !no_fault(&r)) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", name);
		else if (r.untold > 0) {
			size_t used = strlen(err);
			snprintf(err + used, errlen - used,
				 "\n%s: %u more fault%s", name, r.untold,
				 r.untold == 1 ? "" : "s");
		}
		free(r.items);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	set = malloc(sizeof(*set));
	if (set == NULL) {
		free(r.items);
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	set->n = r.n;
	set->items = r.items;
	memcpy(set->source, r.source, sizeof(set->source));
	*ret = set;
	return 0;
}

int
popfile_load(const char *path, struct popset **ret, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > POPFILE_MAX_BYTES) {
		snprintf(err, errlen,
			 "%s: not a regular file of at most %d bytes", path,
			 POPFILE_MAX_BYTES);
		rc = -EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror(-rc));
			goto out;
		}
		got += (size_t)n;
	}
	rc = popfile_parse(path, buf, got, ret, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}

void
popset_free(struct popset **s)
{
	if (s == NULL || *s == NULL)
		return;
	free((*s)->items);
	free(*s);
	*s = NULL;
}

const struct pop_entry *
popset_find(const struct popset *s, unsigned year, unsigned region)
{
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (s->items[i].year == year && s->items[i].region == region)
			return &s->items[i];
	return NULL;
}
