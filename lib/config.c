/* config.c - INI files through inih; see config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "event.h"
#include "keys.h"
#include "log.h"

struct raw_ctx {
	config_line_fn fn;
	void *arg;
	char why[256];
	bool failed;
};

/*
 * Whether a key's value holds a "#" at its start or after a space: a
 * comment written after the value, which inih keeps as part of it. No
 * value of kuska's files (paths, endpoints, names, numbers, dates) holds
 * one, and taken whole it would be refused for a confusing reason ("4 #
 * more" is no number) or, in a path, name another file: a data_dir with
 * a comment behind it opened a new, empty outbox.
 */
static bool
value_comment(const char *value)
{
	const char *p;

	for (p = value; (p = strchr(p, '#')) != NULL; p++)
		if (p == value || p[-1] == ' ' || p[-1] == '\t')
			return true;
	return false;
}

static int
raw_handler(void *user, const char *section, const char *name,
	    const char *value)
{
	struct raw_ctx *c = user;

	if (c->failed)
		return 0;
	if (value_comment(value)) {
		snprintf(c->why, sizeof(c->why),
			 "%.40s: a comment after the value (a \"#\" there "
			 "would be part of it): put the comment on a line of "
			 "its own",
			 name);
		c->failed = true;
		return 0;
	}
	if (c->fn(c->arg, section, name, value, c->why, sizeof(c->why)) != 0) {
		c->failed = true;
		return 0;
	}
	return 1;
}

/* The longest line inih reads whole: its build's INI_MAX_LINE (200) is a
 * buffer that also holds the newline, a possible CR and the NUL. */
#define CONFIG_MAX_LINE 197

/*
 * What is wrong with one line (NUL-ended, len bytes, without its newline
 * and CR), or NULL: each line is blank, a comment, "[section]" or "name =
 * value", with no leading white space (which inih would take as the
 * continuation of the value above). strict also refuses what inih would
 * read in a surprising way: "name: value" (inih's other separator) and
 * text after "]" other than a comment.
 */
static const char *
line_problem(const char *line, size_t len, bool strict)
{
	const char *p = line, *eq, *colon, *end;

	if (len == 0)
		return NULL;
	if (line[0] == ' ' || line[0] == '\t') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0')
			return "indented line (a value cannot go on over "
			       "lines; remove the leading spaces)";
		return NULL;
	}
	if (*p == '#' || *p == ';')
		return NULL;
	if (*p == '[') {
		end = strchr(p, ']');
		if (end == NULL)
			return "unclosed [section]";
		for (end++; strict && (*end == ' ' || *end == '\t'); end++)
			;
		if (strict && *end != '\0' && *end != ';' && *end != '#')
			return "text after [section]";
		return NULL;
	}
	eq = strchr(p, '=');
	colon = strchr(p, ':');
	if (eq == NULL || *p == '=' || (strict && colon != NULL && colon < eq))
		return "syntax error (expected [section] or name = value)";
	return NULL;
}

/* The length of the UTF-8 byte order mark that opens line (len bytes),
 * as some Windows editors save one: 3, or 0 when there is none. */
static size_t
bom_length(const char *line, size_t len)
{
	return len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

/*
 * Checks the file's lines before inih sees them, so that every error is
 * named at its own line: line_problem, at most CONFIG_MAX_LINE bytes, no
 * NUL byte. A byte order mark opening the file is not part of line 1.
 */
static int
prescan(const char *path, char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[256];
	unsigned lineno = 0;
	const char *why = NULL;

	if (f == NULL) {
		int e = errno;
		snprintf(errbuf, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	while (why == NULL && fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		lineno++;
		/* inih skips a byte order mark too, as text_line does. */
		if (lineno == 1 && bom_length(line, len) > 0) {
			memmove(line, line + 3, len - 2);
			len -= 3;
		}
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			why = "line longer than 197 characters";
			break;
		}
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len > CONFIG_MAX_LINE) {
			why = "line longer than 197 characters";
			break;
		}
		if (memchr(line, '\0', len) != NULL || strlen(line) != len) {
			why = "NUL byte in the line";
			break;
		}
		why = line_problem(line, len, false);
	}
	fclose(f);
	if (why != NULL) {
		snprintf(errbuf, errlen, "%s:%u: %s", path, lineno, why);
		return -EINVAL;
	}
	return 0;
}

int
config_parse_raw(const char *path, config_line_fn fn, void *arg, char *errbuf,
		 size_t errlen)
{
	struct raw_ctx c = {.fn = fn, .arg = arg};
	struct stat st;
	int line, r;

	if (stat(path, &st) != 0) {
		int e = errno;
		snprintf(errbuf, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_FILE) {
		snprintf(errbuf, errlen,
			 "%s: not a regular file of at most "
			 "%d bytes",
			 path, CONFIG_MAX_FILE);
		return -EINVAL;
	}
	r = prescan(path, errbuf, errlen);
	if (r != 0)
		return r;
	line = ini_parse(path, raw_handler, &c);
	if (line < 0) {
		snprintf(errbuf, errlen, "%s: cannot open", path);
		return -EIO;
	}
	if (line > 0) {
		if (c.failed)
			snprintf(errbuf, errlen, "%s:%d: %s", path, line,
				 c.why);
		else
			snprintf(errbuf, errlen,
				 "%s:%d: syntax error (expected [section] or "
				 "name = value)",
				 path, line);
		return -EINVAL;
	}
	return 0;
}

/* config_parse_text: the text, the line being read, the caller. */
struct text_ctx {
	const char *p, *end;
	unsigned line;
	config_item_fn fn;
	void *arg;
	char section[CONFIG_MAX_LINE + 1];
	bool key_open;	/* the last line was a key or went on with one */
	bool continued; /* the line being read goes on with a value */
};

static void
report(struct text_ctx *c, const char *name, const char *value,
       const char *error)
{
	struct config_item it = {.line = c->line,
				 .section = c->section,
				 .name = name,
				 .value = value,
				 .error = error,
				 .continued = c->continued};

	c->fn(c->arg, &it);
}

/* Ends s at an inline comment (" ;"), as inih does for a key's line but
 * not for the lines that go on with its value. */
static void
cut_comment(char *s)
{
	char *p;

	for (p = s + 1; *p != '\0'; p++)
		if (*p == ';' && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
}

/*
 * inih's line reader: hands it the text line by line, reporting the
 * lines inih must not see (they reach it blank) and each [section] line
 * on the way, so that every key inih then passes to text_key belongs to
 * the line just read.
 */
static char *
text_line(char *str, int num, void *stream)
{
	struct text_ctx *c = stream;
	const char *line = c->p, *nl, *why = NULL;
	size_t len;

	if (c->p >= c->end)
		return NULL;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	len = nl != NULL ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
	c->p = nl != NULL ? nl + 1 : c->end;
	c->line++;
	if (c->line == 1) {
		size_t bom = bom_length(line, len);
		line += bom;
		len -= bom;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	str[0] = '\0';
	c->continued = false;
	if (len > CONFIG_MAX_LINE || (size_t)num <= len)
		why = "line longer than 197 characters";
	else if (memchr(line, '\0', len) != NULL)
		why = "NUL byte in the line";
	if (why == NULL) {
		memcpy(str, line, len);
		str[len] = '\0';
		/* An indented line right below a key goes on with its value
		 * (inih hands it to text_key under the key's name). */
		c->continued = c->key_open &&
			       (str[0] == ' ' || str[0] == '\t') &&
			       str[strspn(str, " \t")] != '\0';
		if (!c->continued)
			why = line_problem(str, len, true);
		else
			cut_comment(str);
	}
	if (why != NULL) {
		str[0] = '\0';
		c->key_open = false;
		report(c, NULL, NULL, why);
		return str;
	}
	c->key_open = c->continued || (str[0] != '\0' && str[0] != '[' &&
				       str[0] != '#' && str[0] != ';');
	if (str[0] == '[') {
		const char *close = strchr(str, ']');
		snprintf(c->section, sizeof(c->section), "%.*s",
			 (int)(close - str - 1), str + 1);
		report(c, NULL, NULL, NULL);
	}
	return str;
}

static int
text_key(void *user, const char *section, const char *name, const char *value)
{
	(void)section; /* text_line saw it first */
	report(user, name, value, NULL);
	return 1;
}

int
config_parse_text(const char *text, size_t len, config_item_fn fn, void *arg)
{
	struct text_ctx *c = calloc(1, sizeof(*c));
	int line;

	if (c == NULL)
		return -ENOMEM;
	c->p = text;
	c->end = text + len;
	c->fn = fn;
	c->arg = arg;
	line = ini_parse_stream(text_line, c, text_key, c);
	if (line > 0) {
		/* Something the line checks let through: name its line. */
		c->line = (unsigned)line;
		report(c, NULL, NULL,
		       "syntax error (expected [section] or name = value)");
	}
	free(c);
	return line < 0 ? -ENOMEM : 0;
}

int
config_resolve(const char *base_file, const char *p, char *out, size_t cap)
{
	char *base;
	const char *slash;
	int n;

	if (p[0] == '/') {
		n = snprintf(out, cap, "%s", p);
		return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
	}
	/* Relative to the config file's directory, wherever we run from. */
	base = realpath(base_file, NULL);
	if (base == NULL)
		return -errno;
	slash = strrchr(base, '/');
	n = snprintf(out, cap, "%.*s/%s", (int)(slash - base), base, p);
	free(base);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

struct load_ctx {
	const char *path;
	const struct config_schema *schema;
	void *out;
	bool seen[64];
};

/*
 * Untrusted text for a message: as it is when it is plain printable ASCII
 * of reasonable length, else quoted with escapes (log_quote); an empty
 * one as "" (else "network:  is not a name" names nothing).
 */
static const char *
shown(const char *s, char *buf, size_t cap)
{
	size_t i, len = strlen(s);

	if (len == 0)
		return "\"\"";

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			break;
	if (i == len && len < 40)
		return s;
	return log_quote(s, len, buf, cap);
}

/*
 * tcp://HOST:PORT: a host of [A-Za-z0-9.-_*], a port 1..65535. No
 * [IPv6] host: the sockets do not enable IPv6 (ZMQ_IPV6), so a daemon
 * could not bind it and a node would dial it for ever.
 */
static bool
valid_tcp(const char *v)
{
	const char *host, *colon, *p;
	unsigned long port;
	char *end;

	if (strncmp(v, "tcp://", 6) != 0)
		return false;
	host = v + 6;
	colon = strrchr(host, ':');
	if (colon == NULL || colon == host)
		return false;
	for (p = host; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		      *p == '_' || *p == '*'))
			return false;
	if (colon[1] < '0' || colon[1] > '9')
		return false;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	return errno == 0 && *end == '\0' && port >= 1 && port <= 65535;
}

static int
set_field(struct load_ctx *c, const struct config_field *f, const char *value,
	  char *why, size_t whylen)
{
	char *dst = (char *)c->out + f->offset;
	char tmp[CONFIG_MAX_VALUE];
	unsigned long v;
	char *end;
	int inst;

	switch (f->type) {
	case CONFIG_UINT:
		errno = 0;
		if (value[0] < '0' || value[0] > '9') {
			snprintf(why, whylen, "%s: not a whole number",
				 f->name);
			return -EINVAL;
		}
		v = strtoul(value, &end, 10);
		if (errno != 0 || *end != '\0' || v < f->min || v > f->max) {
			snprintf(why, whylen,
				 "%s: must be a whole number from %lu to %lu",
				 f->name, f->min, f->max);
			return -EINVAL;
		}
		memcpy(dst, &v, sizeof(v));
		return 0;
	case CONFIG_INSTITUTION:
		inst = (int)institution_from_name(value);
		if (inst == 0) {
			char q[64];
			snprintf(why, whylen,
				 "%s: %s is not one of pnp, mp, pj, mimp, "
				 "minsa",
				 f->name, shown(value, q, sizeof(q)));
			return -EINVAL;
		}
		memcpy(dst, &inst, sizeof(inst));
		return 0;
	case CONFIG_OPT_ENDPOINT_TCP:
	case CONFIG_OPT_PEER_TCP:
		if (value[0] == '\0')
			break;
		/* FALLTHROUGH */
	case CONFIG_ENDPOINT_TCP:
	case CONFIG_PEER_TCP:
		if (strncmp(value, "tcp://[", 7) == 0) {
			snprintf(why, whylen,
				 "%s: an IPv6 address, which kuska does not "
				 "enable: give an IPv4 address or a host name",
				 f->name);
			return -EINVAL;
		}
		if (!valid_tcp(value)) {
			snprintf(why, whylen,
				 "%s: must be tcp://HOST:PORT with a port from "
				 "1 to 65535",
				 f->name);
			return -EINVAL;
		}
		/* libzmq refuses to connect to any other (EINVAL): the
		 * daemon exited 1 at each start, restarted for ever. */
		if ((f->type == CONFIG_PEER_TCP ||
		     f->type == CONFIG_OPT_PEER_TCP) &&
		    !isalnum((unsigned char)value[6])) {
			snprintf(
			    why, whylen,
			    "%s: %s is no address to connect to: give the "
			    "host name or address of the machine (one that "
			    "begins with a letter or digit; * is for "
			    "listen)",
			    f->name, value);
			return -EINVAL;
		}
		break;
	case CONFIG_ENDPOINT_IPC:
		if (strncmp(value, "ipc://", 6) != 0 || value[6] == '\0') {
			snprintf(why, whylen, "%s: must be ipc://PATH",
				 f->name);
			return -EINVAL;
		}
		if (config_resolve(c->path, value + 6, tmp, sizeof(tmp)) != 0 ||
		    strlen(tmp) + 7 > f->size || strlen(tmp) > 100) {
			snprintf(why, whylen, "%s: path too long", f->name);
			return -EINVAL;
		}
		snprintf(dst, f->size, "ipc://%s", tmp);
		return 0;
	case CONFIG_OPT_PATH:
		if (value[0] == '\0') {
			dst[0] = '\0';
			return 0;
		}
		/* FALLTHROUGH */
	case CONFIG_PATH:
		if (value[0] == '\0' ||
		    config_resolve(c->path, value, tmp, sizeof(tmp)) != 0 ||
		    strlen(tmp) > CONFIG_MAX_PATH) {
			snprintf(why, whylen,
				 "%s: empty path, or a path longer than %d "
				 "characters once made absolute",
				 f->name, CONFIG_MAX_PATH);
			return -EINVAL;
		}
		snprintf(dst, f->size, "%s", tmp);
		return 0;
	case CONFIG_NAME:
		if (!keys_valid_id(value)) {
			char q[64];
			snprintf(why, whylen,
				 "%s: %s is not a name (1 to 31 characters "
				 "of a-z, 0-9, _ and -)",
				 f->name, shown(value, q, sizeof(q)));
			return -EINVAL;
		}
		break;
	case CONFIG_STRING:
		break;
	}
	if (strlen(value) >= f->size) {
		snprintf(why, whylen, "%s: longer than %zu characters", f->name,
			 f->size - 1);
		return -EINVAL;
	}
	snprintf(dst, f->size, "%s", value);
	return 0;
}

static int
load_line(void *arg, const char *section, const char *name, const char *value,
	  char *why, size_t whylen)
{
	struct load_ctx *c = arg;
	size_t i;

	if (strcmp(section, c->schema->section) != 0) {
		char q[64];
		if (section[0] == '\0')
			snprintf(why, whylen,
				 "%.40s: a key before any section (expected "
				 "[%s] first)",
				 name, c->schema->section);
		else
			snprintf(
			    why, whylen, "unknown section [%s] (expected [%s])",
			    shown(section, q, sizeof(q)), c->schema->section);
		return -EINVAL;
	}
	for (i = 0; i < c->schema->n_fields; i++)
		if (strcmp(name, c->schema->fields[i].name) == 0)
			break;
	if (i == c->schema->n_fields) {
		char q[64];
		snprintf(why, whylen, "%s: unknown key",
			 shown(name, q, sizeof(q)));
		return -EINVAL;
	}
	if (c->seen[i]) {
		snprintf(why, whylen, "%s: given twice", name);
		return -EINVAL;
	}
	c->seen[i] = true;
	return set_field(c, &c->schema->fields[i], value, why, whylen);
}

/*
 * Refuses, at its line, a [section] other than want that has no key
 * below it (one with a key is refused at that key, by load_line): inih
 * tells nothing of a section without keys, so a mistyped one passed -n.
 * The lines were checked by prescan (none longer than CONFIG_MAX_LINE).
 */
static int
foreign_section(const char *path, const char *want, char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[256], q[64];
	unsigned lineno = 0;
	int r = 0;

	if (f == NULL) {
		int e = errno;
		snprintf(errbuf, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *end;
		lineno++;
		if (lineno == 1)
			p += bom_length(line, strlen(line));
		if (*p != '[' || (end = strchr(p, ']')) == NULL)
			continue;
		*end = '\0';
		if (strcmp(p + 1, want) == 0)
			continue;
		snprintf(errbuf, errlen,
			 "%s:%u: unknown section [%s] (expected [%s])", path,
			 lineno, shown(p + 1, q, sizeof(q)), want);
		r = -EINVAL;
	}
	fclose(f);
	return r;
}

int
config_load(const char *path, const struct config_schema *schema, void *out,
	    char *errbuf, size_t errlen)
{
	struct load_ctx c = {.path = path, .schema = schema, .out = out};
	char why[256];
	size_t i;
	int r;

	if (schema->n_fields > 64)
		return -EINVAL;
	r = config_parse_raw(path, load_line, &c, errbuf, errlen);
	if (r == 0)
		r = foreign_section(path, schema->section, errbuf, errlen);
	if (r != 0)
		return r;
	for (i = 0; i < schema->n_fields; i++) {
		const struct config_field *f = &schema->fields[i];
		if (c.seen[i])
			continue;
		if (f->def == NULL) {
			snprintf(errbuf, errlen,
				 "%s: [%s] %s: required key is missing", path,
				 schema->section, f->name);
			return -EINVAL;
		}
		if (set_field(&c, f, f->def, why, sizeof(why)) != 0) {
			snprintf(errbuf, errlen, "%s: default %s", path, why);
			return -EINVAL;
		}
	}
	return 0;
}

void
config_print(FILE *f, const struct config_schema *schema, const void *cfg)
{
	size_t i;

	fprintf(f, "[%s]\n", schema->section);
	for (i = 0; i < schema->n_fields; i++) {
		const struct config_field *fd = &schema->fields[i];
		const char *p = (const char *)cfg + fd->offset;
		unsigned long v;
		int inst;

		switch (fd->type) {
		case CONFIG_UINT:
			memcpy(&v, p, sizeof(v));
			fprintf(f, "%s = %lu\n", fd->name, v);
			break;
		case CONFIG_INSTITUTION:
			memcpy(&inst, p, sizeof(inst));
			fprintf(f, "%s = %s\n", fd->name,
				institution_name((enum institution)inst));
			break;
		default: /* an empty one as "key =", no space at the end */
			fprintf(f, "%s =%s%s\n", fd->name, *p ? " " : "", p);
			break;
		}
	}
}

/* Whether the field fd holds the same value in a and b. */
static bool
field_equal(const struct config_field *fd, const void *a, const void *b)
{
	const char *pa = (const char *)a + fd->offset;
	const char *pb = (const char *)b + fd->offset;

	switch (fd->type) {
	case CONFIG_UINT:
		return memcmp(pa, pb, sizeof(unsigned long)) == 0;
	case CONFIG_INSTITUTION:
		return memcmp(pa, pb, sizeof(int)) == 0;
	default:
		return strncmp(pa, pb, fd->size) == 0;
	}
}

/* Whether name is one of list (NULL-ended). */
static bool
listed(const char *name, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

size_t
config_changed(const struct config_schema *schema, const void *a, const void *b,
	       const char *const *skip, char *out, size_t cap)
{
	size_t i, n = 0, used = 0;

	if (cap > 0)
		out[0] = '\0';
	for (i = 0; i < schema->n_fields; i++) {
		const struct config_field *fd = &schema->fields[i];
		int w;

		if (field_equal(fd, a, b) || listed(fd->name, skip))
			continue;
		n++;
		if (used >= cap)
			continue;
		w = snprintf(out + used, cap - used, "%s%s",
			     used > 0 ? "," : "", fd->name);
		used = w < 0 ? cap : used + (size_t)w;
	}
	return n;
}

/* config_key_line: what is looked for, and the line found. */
struct key_line {
	const char *section, *name;
	unsigned line;
};

static void
key_line_item(void *arg, const struct config_item *it)
{
	struct key_line *k = arg;

	if (it->name != NULL && !it->continued &&
	    strcmp(it->section, k->section) == 0 &&
	    strcmp(it->name, k->name) == 0)
		k->line = it->line;
}

unsigned
config_key_line(const char *path, const char *section, const char *name)
{
	struct key_line k = {.section = section, .name = name, .line = 0};
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size <= CONFIG_MAX_FILE &&
	    (text = malloc((size_t)st.st_size + 1)) != NULL) {
		len = fread(text, 1, (size_t)st.st_size, f);
		if (config_parse_text(text, len, key_line_item, &k) != 0)
			k.line = 0;
	}
	free(text);
	fclose(f);
	return k.line;
}

char *
config_key_error(const char *path, const char *section, const char *name,
		 const char *reason, char *errbuf, size_t errlen)
{
	unsigned line = config_key_line(path, section, name);

	if (line > 0)
		snprintf(errbuf, errlen, "%s:%u: [%s] %s: %s", path, line,
			 section, name, reason);
	else
		snprintf(errbuf, errlen, "%s: [%s] %s: %s", path, section, name,
			 reason);
	return errbuf;
}
