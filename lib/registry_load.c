/*
 * registry_load.c - reads and checks a registry file (registry_load):
 * its sections and lines, each error named by file, line and key, and
 * the warnings of a registry that loads; see registry.h.
 */
#include "registry.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "date.h"
#include "log.h"

/* Parse state: the section being read and what it has set so far. */
struct reg_ctx {
	const char *path;
	struct registry *r;
	char section[128];
	struct reg_party *party;
	struct reg_key *key;
	char owner[KEYS_ID_MAX]; /* of the current key, resolved at the end */
	char owners[REGISTRY_MAX_KEYS][KEYS_ID_MAX];
	bool kinds_set[REGISTRY_MAX_PARTIES], stages_set[REGISTRY_MAX_PARTIES];
	bool sign_set[REGISTRY_MAX_KEYS], curve_set[REGISTRY_MAX_KEYS];
	unsigned key_line[REGISTRY_MAX_KEYS];	   /* of each [key] header */
	unsigned owner_line[REGISTRY_MAX_KEYS];	   /* of its owner = line */
	unsigned party_line[REGISTRY_MAX_PARTIES]; /* of each party's header */
	unsigned role_line[REGISTRY_MAX_PARTIES];  /* of its role = line */
	unsigned inst_line[REGISTRY_MAX_PARTIES];  /* of its institution = */
	unsigned seen; /* names given in the current section (bits) */
};

/* The names a section may hold, for "given twice". */
static const char *const reg_names[] = {
    "kinds",
    "stages",
    "role",
    "owner",
    "public_key",
    "sign_public",
    "transport_public",
    "valid_from",
    "valid_until",
    "revoked",
    "revoked_after_seq",
    "institution",
    NULL,
};

/* Marks name as given in this section; -EINVAL if it was already. */
static int
mark_seen(struct reg_ctx *c, const char *name, char *why, size_t whylen)
{
	int i;

	for (i = 0; reg_names[i] != NULL; i++)
		if (strcmp(reg_names[i], name) == 0)
			break;
	if (reg_names[i] == NULL)
		return 0; /* unknown: the caller says so */
	if (c->seen & (1u << i)) {
		snprintf(why, whylen, "%s: given twice in [%.60s]", name,
			 c->section);
		return -EINVAL;
	}
	c->seen |= 1u << i;
	return 0;
}

/*
 * Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC) into ms since the
 * epoch.
 */
static int
parse_time(const char *s, uint64_t *ret)
{
	int32_t days;
	unsigned h = 0, m = 0, sec = 0;
	size_t len = strlen(s);

	if (len < 10 || date_parse(s, 10, &days) != 0 || days < 0)
		return -EINVAL;
	if (len > 10) {
		char z = 0;
		if (len != 20 || s[10] != 'T' ||
		    sscanf(s + 11, "%2u:%2u:%2u%c", &h, &m, &sec, &z) != 4 ||
		    z != 'Z' || h > 23 || m > 59 || sec > 59)
			return -EINVAL;
	}
	*ret = ((uint64_t)days * 86400 + h * 3600 + m * 60 + sec) * 1000;
	return 0;
}

/* Reads a space-separated list of names into a bit set. */
static int
parse_set(const char *value, int (*lookup)(const char *), uint32_t *ret,
	  char *bad, size_t badlen)
{
	char buf[CONFIG_MAX_VALUE], *tok, *save = NULL;
	uint32_t set = 0;

	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save)) {
		int v = lookup(tok);
		if (v <= 0) {
			snprintf(bad, badlen, "%s", tok);
			return -EINVAL;
		}
		set |= 1u << v;
	}
	*ret = set;
	return 0;
}

static int
lookup_kind(const char *s)
{
	return (int)kind_from_name(s);
}

static int
lookup_stage(const char *s)
{
	return (int)stage_from_name(s);
}

static int
start_section(struct reg_ctx *c, const char *section, char *why, size_t whylen)
{
	char kind[32], id[KEYS_ID_MAX];
	struct registry *r = c->r;

	snprintf(c->section, sizeof(c->section), "%s", section);
	c->party = NULL;
	c->key = NULL;
	c->seen = 0;
	if (sscanf(section, "%31s %31s", kind, id) != 2 || !keys_valid_id(id)) {
		snprintf(why, whylen,
			 "[%.60s]: expected [network NAME], [institution ID], "
			 "[client ID] or [key NAME]",
			 section);
		return -EINVAL;
	}
	if (strcmp(kind, "network") == 0) {
		if (r->network[0] != '\0' && strcmp(r->network, id) != 0) {
			snprintf(why, whylen,
				 "[network %s]: the registry already names "
				 "network %s (one network per registry)",
				 id, r->network);
			return -EINVAL;
		}
		snprintf(r->network, sizeof(r->network), "%s", id);
		return 0;
	}
	if (strcmp(kind, "key") == 0) {
		size_t i;
		for (i = 0; i < r->n_keys; i++)
			if (strcmp(r->keys[i].name, id) == 0) {
				snprintf(why, whylen, "[key %s] given twice",
					 id);
				return -EINVAL;
			}
		if (r->n_keys == REGISTRY_MAX_KEYS) {
			snprintf(why, whylen, "more than %d keys",
				 REGISTRY_MAX_KEYS);
			return -EINVAL;
		}
		c->key = &r->keys[r->n_keys++];
		memset(c->key, 0, sizeof(*c->key));
		snprintf(c->key->name, sizeof(c->key->name), "%s", id);
		c->key->valid_until_ms = UINT64_MAX;
		c->key->revoked_ms = UINT64_MAX;
		c->key->revoked_after_seq = UINT64_MAX;
		return 0;
	}
	if (strcmp(kind, "institution") != 0 && strcmp(kind, "client") != 0) {
		snprintf(why, whylen, "[%.60s]: unknown section kind", section);
		return -EINVAL;
	}
	if (registry_party(r, id) != NULL) {
		snprintf(why, whylen, "[%s %s] given twice", kind, id);
		return -EINVAL;
	}
	if (r->n_parties == REGISTRY_MAX_PARTIES) {
		snprintf(why, whylen, "more than %d parties",
			 REGISTRY_MAX_PARTIES);
		return -EINVAL;
	}
	c->party = &r->parties[r->n_parties++];
	memset(c->party, 0, sizeof(*c->party));
	snprintf(c->party->id, sizeof(c->party->id), "%s", id);
	if (strcmp(kind, "institution") == 0) {
		c->party->role = ROLE_INSTITUTION;
		c->party->node = true;
		c->party->inst = institution_from_name(id);
		if (c->party->inst == INST_NONE) {
			snprintf(why, whylen,
				 "[institution %s]: not one of pnp, mp, pj, "
				 "mimp, minsa",
				 id);
			return -EINVAL;
		}
	}
	return 0;
}

static int
party_line(struct reg_ctx *c, const char *name, const char *value, char *why,
	   size_t whylen)
{
	struct reg_party *p = c->party;
	size_t idx = (size_t)(p - c->r->parties);
	char bad[64];

	if (p->node && strcmp(name, "kinds") == 0) {
		if (parse_set(value, lookup_kind, &p->kinds, bad,
			      sizeof(bad)) != 0) {
			snprintf(why, whylen, "kinds: unknown kind \"%s\"",
				 bad);
			return -EINVAL;
		}
		c->kinds_set[idx] = true;
		return 0;
	}
	if (p->node && strcmp(name, "stages") == 0) {
		if (parse_set(value, lookup_stage, &p->stages, bad,
			      sizeof(bad)) != 0) {
			snprintf(why, whylen, "stages: unknown stage \"%s\"",
				 bad);
			return -EINVAL;
		}
		c->stages_set[idx] = true;
		return 0;
	}
	if (!p->node && strcmp(name, "role") == 0) {
		if (strcmp(value, "secretariat") == 0)
			p->role = ROLE_SECRETARIAT;
		else if (strcmp(value, "analyst") == 0)
			p->role = ROLE_ANALYST;
		else if (strcmp(value, "institution") == 0)
			p->role = ROLE_INSTITUTION;
		else {
			snprintf(why, whylen,
				 "role: must be secretariat, analyst or "
				 "institution");
			return -EINVAL;
		}
		return 0;
	}
	/* An institution's own query client: its statistics officers' key,
	 * kept apart from the node's (docs/SECURITY.md). */
	if (!p->node && strcmp(name, "institution") == 0) {
		p->inst = institution_from_name(value);
		if (p->inst == INST_NONE) {
			snprintf(why, whylen,
				 "institution: not one of pnp, mp, pj, mimp, "
				 "minsa");
			return -EINVAL;
		}
		return 0;
	}
	snprintf(why, whylen, "%.40s: unknown key in [%.60s]", name,
		 c->section);
	return -EINVAL;
}

static int
key_line(struct reg_ctx *c, const char *name, const char *value, char *why,
	 size_t whylen)
{
	struct reg_key *k = c->key;
	size_t idx = (size_t)(k - c->r->keys);
	uint64_t *t = NULL;

	if (strcmp(name, "owner") == 0) {
		if (!keys_valid_id(value)) {
			snprintf(why, whylen, "owner: not a valid id");
			return -EINVAL;
		}
		snprintf(c->owners[idx], KEYS_ID_MAX, "%s", value);
		return 0;
	}
	if (strcmp(name, "public_key") == 0) {
		struct public_key pub;
		char path[1024], err[512] = "path too long";
		if (config_resolve(c->path, value, path, sizeof(path)) != 0 ||
		    keys_load_public(path, &pub, err, sizeof(err)) != 0) {
			snprintf(why, whylen, "public_key: %s", err);
			return -EINVAL;
		}
		memcpy(k->sign_pk, pub.sign_pk, SIGN_PK_LEN);
		memcpy(k->curve_pk, pub.curve_pk, CURVE_KEY_LEN);
		c->sign_set[idx] = c->curve_set[idx] = true;
		return 0;
	}
	if (strcmp(name, "sign_public") == 0) {
		if (keys_parse_b64(value, k->sign_pk, SIGN_PK_LEN) != 0) {
			snprintf(why, whylen,
				 "sign_public: not base64 of 32 bytes");
			return -EINVAL;
		}
		c->sign_set[idx] = true;
		return 0;
	}
	if (strcmp(name, "transport_public") == 0) {
		if (keys_parse_b64(value, k->curve_pk, CURVE_KEY_LEN) != 0) {
			snprintf(why, whylen,
				 "transport_public: not base64 of 32 bytes");
			return -EINVAL;
		}
		c->curve_set[idx] = true;
		return 0;
	}
	if (strcmp(name, "revoked_after_seq") == 0) {
		char *end;
		errno = 0;
		k->revoked_after_seq = strtoull(value, &end, 10);
		if (value[0] < '0' || value[0] > '9' || *end != '\0' ||
		    errno != 0 || k->revoked_after_seq == UINT64_MAX) {
			snprintf(why, whylen,
				 "revoked_after_seq: expected the last "
				 "sequence number the key signed validly (0 "
				 "for none)");
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(name, "valid_from") == 0)
		t = &k->valid_from_ms;
	else if (strcmp(name, "valid_until") == 0)
		t = &k->valid_until_ms;
	else if (strcmp(name, "revoked") == 0)
		t = &k->revoked_ms;
	if (t != NULL) {
		if (parse_time(value, t) != 0) {
			snprintf(why, whylen,
				 "%s: expected YYYY-MM-DD or "
				 "YYYY-MM-DDTHH:MM:SSZ",
				 name);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(why, whylen, "%.40s: unknown key in [%.60s]", name,
		 c->section);
	return -EINVAL;
}

static int
reg_line(void *arg, const char *section, const char *name, const char *value,
	 char *why, size_t whylen)
{
	struct reg_ctx *c = arg;

	if (strcmp(section, c->section) != 0 || c->section[0] == '\0') {
		if (start_section(c, section, why, whylen) != 0)
			return -EINVAL;
	}
	if (mark_seen(c, name, why, whylen) != 0)
		return -EINVAL;
	if (c->key != NULL)
		return key_line(c, name, value, why, whylen);
	if (c->party == NULL) {
		snprintf(why, whylen, "%.40s: unknown key in [%.60s]", name,
			 c->section);
		return -EINVAL;
	}
	return party_line(c, name, value, why, whylen);
}

/* A section header of the file, for repeated_section. */
struct reg_header {
	char kind[32], id[KEYS_ID_MAX];
	unsigned line;
};

/* The space a party, a key and the network each name their ids in. */
static const char *
header_space(const char *kind)
{
	if (strcmp(kind, "key") == 0 || strcmp(kind, "network") == 0)
		return kind;
	return "party"; /* [institution X] and [client X] are one party X */
}

/*
 * Refuses a section given twice, naming both its lines. Done before the
 * parser reads the file: inih takes a header that repeats the one before
 * it as the same section, whose second "owner =" would then be refused
 * as "owner: given twice", which says nothing of the section. A file the
 * parser will refuse anyway (not a regular file, too large) is left to it.
 */
static int
repeated_section(const char *path, char *err, size_t errlen)
{
	struct reg_header *h;
	struct stat st;
	char line[CONFIG_MAX_VALUE];
	unsigned lineno = 0;
	bool at_start = true; /* fgets begins a line, not its rest */
	size_t n = 0, cap = REGISTRY_MAX_PARTIES + REGISTRY_MAX_KEYS + 1, i;
	int r = 0;
	FILE *f;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONFIG_MAX_FILE || (f = fopen(path, "r")) == NULL)
		return 0;
	h = calloc(cap, sizeof(*h));
	if (h == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *end;
		bool start = at_start;
		struct reg_header cur;

		at_start = strchr(line, '\n') != NULL;
		if (!start)
			continue;
		lineno++;
		if (lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3; /* a byte order mark, as the parser skips */
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '[' || (end = strchr(p, ']')) == NULL)
			continue;
		*end = '\0';
		if (sscanf(p + 1, "%31s %31s", cur.kind, cur.id) != 2)
			continue; /* the parser judges it */
		cur.line = lineno;
		for (i = 0; i < n; i++) {
			if (strcmp(h[i].id, cur.id) != 0 ||
			    strcmp(header_space(h[i].kind),
				   header_space(cur.kind)) != 0)
				continue;
			if (strcmp(h[i].kind, cur.kind) == 0)
				snprintf(err, errlen,
					 "%s:%u: [%s %s] given twice (first at "
					 "line %u)",
					 path, cur.line, cur.kind, cur.id,
					 h[i].line);
			else
				snprintf(
				    err, errlen,
				    "%s:%u: [%s %s]: the id %s is given twice "
				    "(first at line %u, [%s %s]): one "
				    "section per party",
				    path, cur.line, cur.kind, cur.id, cur.id,
				    h[i].line, h[i].kind, h[i].id);
			r = -EINVAL;
			break;
		}
		if (r == 0 && n < cap)
			h[n++] = cur;
	}
	fclose(f);
	free(h);
	return r;
}

/* Whether line p (blanks skipped) sets name: "name =" or "name=". */
static bool
line_sets(const char *p, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(p, name, len) != 0)
		return false;
	p += len;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '=';
}

/*
 * inih never reports a section without lines, so "[institution pj]" on
 * its own (asking for the defaults) would vanish: find such sections in
 * the file and register them. Notes the lines that reg_finish's errors
 * name: each section's header, and its owner, role and institution lines.
 */
static int
empty_sections(struct reg_ctx *c, char *err, size_t errlen)
{
	FILE *f = fopen(c->path, "r");
	char line[512], why[256];
	unsigned lineno = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		return -errno;
	}
	size_t i;

	int cur_key = -1;   /* the [key] section being read, for owner lines */
	int cur_party = -1; /* the party's, for role and institution lines */

	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *end, kind[32], id[KEYS_ID_MAX];
		lineno++;
		if (lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3; /* a byte order mark, as the parser skips */
		while (*p == ' ' || *p == '\t')
			p++;
		if (cur_key >= 0 && line_sets(p, "owner"))
			c->owner_line[cur_key] = lineno;
		if (cur_party >= 0 && line_sets(p, "role"))
			c->role_line[cur_party] = lineno;
		if (cur_party >= 0 && line_sets(p, "institution"))
			c->inst_line[cur_party] = lineno;
		if (*p != '[' || (end = strchr(p, ']')) == NULL)
			continue;
		cur_key = -1;
		cur_party = -1;
		*end = '\0';
		p++;
		if (sscanf(p, "%31s %31s", kind, id) != 2)
			continue; /* the parser has judged it already */
		if (strcmp(kind, "key") == 0) {
			for (i = 0; i < c->r->n_keys; i++)
				if (strcmp(c->r->keys[i].name, id) == 0) {
					c->key_line[i] = lineno;
					cur_key = (int)i;
				}
		}
		if (strcmp(kind, "institution") == 0 ||
		    strcmp(kind, "client") == 0) {
			const struct reg_party *q = registry_party(c->r, id);
			if (q != NULL) {
				cur_party = (int)(q - c->r->parties);
				c->party_line[cur_party] = lineno;
			}
		}
		if (strcmp(kind, "network") == 0) {
			if (strcmp(c->r->network, id) == 0)
				continue;
		} else if (registry_party(c->r, id) != NULL) {
			continue;
		}
		if (strcmp(kind, "key") == 0) {
			for (i = 0; i < c->r->n_keys; i++)
				if (strcmp(c->r->keys[i].name, id) == 0)
					break;
			if (i < c->r->n_keys)
				continue;
		}
		if (start_section(c, p, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%u: %s", c->path, lineno,
				 why);
			fclose(f);
			return -EINVAL;
		}
		if (c->key != NULL)
			c->key_line[c->key - c->r->keys] = lineno;
		if (c->party != NULL)
			c->party_line[c->party - c->r->parties] = lineno;
	}
	fclose(f);
	return 0;
}

static void __attribute__((format(printf, 2, 3)))
reg_warn(struct registry *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n_warnings < REGISTRY_MAX_WARNINGS) {
		va_start(ap, fmt);
		vsnprintf(r->warnings[r->n_warnings], sizeof(r->warnings[0]),
			  fmt, ap);
		va_end(ap);
	}
	r->n_warnings++;
}

/*
 * An institution's query client whose institution has no node: it is
 * let in, and every table it asks for is zeros, with nothing to say why
 * (a mistyped institution, or the [institution] section forgotten).
 */
static void
warn_nodeless(struct reg_ctx *c, size_t i)
{
	const struct reg_key *k = &c->r->keys[i];
	const char *inst = institution_name(k->owner->inst);

	if (k->owner->node || k->owner->role != ROLE_INSTITUTION ||
	    registry_institution(c->r, k->owner->inst) != NULL)
		return;
	reg_warn(c->r,
		 "%s:%u: warning: [key %s]: its owner [client %s] asks for "
		 "%s's tables, but there is no [institution %s]: it will "
		 "only ever see zeros",
		 c->path, c->owner_line[i] ? c->owner_line[i] : c->key_line[i],
		 k->name, k->owner->id, inst, inst);
}

/*
 * A party whose keys are all expired, not yet valid or revoked: it loads,
 * and the party is turned away until one is valid (a mistyped year in a
 * rotation's valid_until, a new key's valid_from still ahead). Said with
 * the line of its last key.
 */
static void
warn_no_valid_key(struct reg_ctx *c, const struct reg_party *p, uint64_t now)
{
	size_t i, last = SIZE_MAX;

	for (i = 0; i < c->r->n_keys; i++) {
		if (c->r->keys[i].owner != p)
			continue;
		if (registry_key_admits(&c->r->keys[i], now))
			return;
		last = i;
	}
	if (last == SIZE_MAX)
		return;
	reg_warn(c->r,
		 "%s:%u: warning: [%s %s]: none of its keys is valid now "
		 "(expired, not yet valid or revoked; its last is [key %s]): "
		 "%s until one is",
		 c->path, c->key_line[last], p->node ? "institution" : "client",
		 p->id, c->r->keys[last].name,
		 p->node ? "its node is turned away"
			 : "its queries are refused");
}

/* Checks what only the whole file can tell. */
static int
reg_finish(struct reg_ctx *c, char *err, size_t errlen)
{
	struct registry *r = c->r;
	uint64_t now;
	size_t i, j;

	for (i = 0; i < r->n_parties; i++) {
		struct reg_party *p = &r->parties[i];
		if (p->role == ROLE_NONE) {
			snprintf(err, errlen,
				 "%s:%u: [client %s]: role missing (role = "
				 "secretariat, analyst or institution)",
				 c->path, c->party_line[i], p->id);
			return -EINVAL;
		}
		if (!p->node &&
		    (p->role == ROLE_INSTITUTION) != (p->inst != INST_NONE)) {
			unsigned at = p->inst == INST_NONE ? c->role_line[i]
							   : c->inst_line[i];
			snprintf(err, errlen, "%s:%u: [client %s]: %s", c->path,
				 at != 0 ? at : c->party_line[i], p->id,
				 p->inst == INST_NONE
				     ? "role = institution needs institution = "
				       "ID, the institution whose tables it "
				       "asks for"
				     : "institution is only for role = "
				       "institution");
			return -EINVAL;
		}
		if (p->node && !c->kinds_set[i])
			p->kinds = registry_default_kinds(p->inst);
		if (p->node && !c->stages_set[i])
			p->stages = registry_default_stages(p->inst);
	}
	if (r->n_parties == 0) {
		snprintf(err, errlen,
			 "%s: registers no institution or client: nobody "
			 "could connect",
			 c->path);
		return -EINVAL;
	}
	if (r->network[0] == '\0') {
		snprintf(err, errlen,
			 "%s: names no network: add [network NAME], the name "
			 "of this deployment that every node's config gives "
			 "as network = NAME",
			 c->path);
		return -EINVAL;
	}
	for (i = 0; i < r->n_keys; i++) {
		struct reg_key *k = &r->keys[i];
		k->owner = registry_party(r, c->owners[i]);
		if (c->owners[i][0] == '\0') {
			snprintf(err, errlen, "%s:%u: [key %s]: owner missing",
				 c->path, c->key_line[i], k->name);
			return -EINVAL;
		}
		if (k->owner == NULL) {
			snprintf(err, errlen,
				 "%s:%u: [key %s]: owner \"%s\" is not an "
				 "[institution] or [client] of this file",
				 c->path,
				 c->owner_line[i] ? c->owner_line[i]
						  : c->key_line[i],
				 k->name, c->owners[i]);
			return -EINVAL;
		}
		if (k->revoked_after_seq != UINT64_MAX && !k->owner->node) {
			snprintf(err, errlen,
				 "%s:%u: [key %s]: revoked_after_seq is for "
				 "an institution's node key (a client signs no "
				 "events): use revoked",
				 c->path, c->key_line[i], k->name);
			return -EINVAL;
		}
		if (k->valid_until_ms <= k->valid_from_ms) {
			snprintf(err, errlen,
				 "%s:%u: [key %s]: valid_until is not after "
				 "valid_from: the key would never be valid",
				 c->path, c->key_line[i], k->name);
			return -EINVAL;
		}
		if (!c->sign_set[i] || !c->curve_set[i]) {
			snprintf(err, errlen,
				 "%s:%u: [key %s]: needs public_key, or "
				 "sign_public and transport_public",
				 c->path, c->key_line[i], k->name);
			return -EINVAL;
		}
		keys_key_id(k->sign_pk, k->key_id);
		for (j = 0; j < i; j++) {
			if (memcmp(r->keys[j].curve_pk, k->curve_pk,
				   CURVE_KEY_LEN) == 0 ||
			    memcmp(r->keys[j].key_id, k->key_id, KEY_ID_LEN) ==
				0) {
				snprintf(
				    err, errlen,
				    "%s:%u: [key %s]: same key as [key %s]",
				    c->path, c->key_line[i], k->name,
				    r->keys[j].name);
				return -EINVAL;
			}
		}
		warn_nodeless(c, i);
	}
	now = date_now_ms();
	for (i = 0; i < r->n_parties; i++)
		warn_no_valid_key(c, &r->parties[i], now);
	return 0;
}

int
registry_load(const char *path, struct registry **ret, char *err, size_t errlen)
{
	struct reg_ctx *c;
	int rc;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->path = path;
	c->r = calloc(1, sizeof(*c->r));
	if (c->r == NULL) {
		free(c);
		return -ENOMEM;
	}
	rc = repeated_section(path, err, errlen);
	if (rc == 0)
		rc = config_parse_raw(path, reg_line, c, err, errlen);
	if (rc == 0)
		rc = empty_sections(c, err, errlen);
	if (rc == 0)
		rc = reg_finish(c, err, errlen);
	if (rc == 0)
		*ret = c->r;
	else
		free(c->r);
	free(c);
	return rc;
}
