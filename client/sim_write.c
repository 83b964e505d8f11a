/*
 * sim_write.c - the files of "kuska sim": each institution's records as
 * the JSON Lines its case system hands to "kuska submit", every victim
 * spelt in that institution's own way.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "event.h"
#include "log.h"
#include "period.h"
#include "sim.h"

/* The words of EVENTS.md. */
static const char *const inst_id[] = {"", "pnp", "mp", "pj", "mimp", "minsa"};
static const char *const kind_word[] = {
    "",	       "identification", "referral",   "referral_received",
    "service", "case_stage",	 "correction", "withdrawal",
};
static const char *const expl_word[] = {
    "",
    "sexual",
    "labour",
    "begging",
    "forced_criminality",
    "domestic_servitude",
    "forced_marriage",
    "illegal_adoption",
    "organ_removal",
    "other",
};
static const char *const purpose_word[] = {"", "protection", "health",
					   "justice"};
static const char *const service_word[] = {
    "",	       "residential_care", "special_protection", "mental_health",
    "medical", "legal_aid",	   "reintegration",
};
static const char *const stage_word[] = {
    "",
    "complaint",
    "preliminary_investigation",
    "formalized_investigation",
    "accusation",
    "trial",
    "conviction",
    "acquittal",
    "dismissal",
};

/* ------------------------------------------------------------------ */
/* Writing: each institution spells the same victim its own way. */

/*
 * style_of - the way inst writes victim vi: fixed for the pair, whatever
 * the order the records are written in.
 */
void
style_of(const struct sim *s, size_t vi, enum institution inst,
	 struct style *st)
{
	static const unsigned upper_pct[] = {0, 70, 50, 60, 20, 30};
	/* How often each keeps a victim's document, as in the field. */
	static const unsigned doc_kept_pct[] = {0, 90, 85, 80, 70, 60};
	struct rng r;
	unsigned x;

	rng_seed(&r, s->seed ^ (0x51ed27a1b3c4d5e7ULL * (vi + 1)) ^
			 ((uint64_t)inst << 56));
	memset(st, 0, sizeof(*st));
	st->lcase = rng_chance(&r, upper_pct[inst]) ? CASE_UPPER
		    : rng_chance(&r, 8)		    ? CASE_LOWER
						    : CASE_AS_IS;
	st->strip_accents = rng_chance(&r, st->lcase == CASE_UPPER ? 50 : 15);
	x = rng_below(&r, 100);
	st->surname_sep = x < 80 ? ' ' : x < 90 ? '-' : 2;
	x = rng_below(&r, 100);
	st->apostrophe = x < 70 ? '\'' : x < 90 ? 0 : 1;
	x = rng_below(&r, 100);
	st->doc_sep = x < 85 ? 0 : x < 93 ? ' ' : '-';
	st->lower_doc = rng_chance(&r, 10);
	st->trailing = rng_chance(&r, 5);
	st->omit_names = rng_chance(&r, 4);
	st->omit_birth = rng_chance(&r, 10);
	st->omit_doc = !rng_chance(&r, doc_kept_pct[inst]);
}

/* Appends byte c to out (cap bytes, *len used), keeping room for NUL. */
static void
put(char *out, size_t cap, size_t *len, char c)
{
	if (*len + 1 < cap)
		out[(*len)++] = c;
	out[*len] = '\0';
}

/*
 * accent_base - the plain ASCII letter of the Latin-1 letter whose UTF-8
 * second byte (after 0xC3) is b, or 0 when b is not one we strip.
 */
static char
accent_base(unsigned char b)
{
	static const char map[] = "AAAAAAACEEEEIIII"
				  "DNOOOOO_OUUUUY__"
				  "aaaaaaaceeeeiiii"
				  "dnooooo_ouuuuy_y";

	if (b < 0x80 || b > 0xbf || map[b - 0x80] == '_')
		return 0;
	return map[b - 0x80];
}

/*
 * put_name - appends name to out spelt in style st: letter case, accents
 * kept or dropped, apostrophe as typed. Only changes that normalisation
 * undoes, so the link key stays the same.
 */
static void
put_name(char *out, size_t cap, size_t *len, const char *name,
	 const struct style *st)
{
	const unsigned char *p = (const unsigned char *)name;

	for (; *p != '\0'; p++) {
		if (*p == '\'') {
			if (st->apostrophe == '\'') {
				put(out, cap, len, '\'');
			} else if (st->apostrophe == 1) {
				put(out, cap, len, (char)0xe2);
				put(out, cap, len, (char)0x80);
				put(out, cap, len, (char)0x99);
			}
		} else if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
			unsigned char b = p[1];

			p++;
			if (st->strip_accents && accent_base(b) != 0) {
				char a = accent_base(b);

				if (st->lcase == CASE_UPPER && a >= 'a')
					a = (char)(a - 'a' + 'A');
				else if (st->lcase == CASE_LOWER && a < 'a')
					a = (char)(a - 'A' + 'a');
				put(out, cap, len, a);
				continue;
			}
			/* Latin-1 letters: lower 0xa0..0xbe, upper -0x20. */
			if (st->lcase == CASE_UPPER && b >= 0xa0 && b != 0xb7 &&
			    b != 0xbf)
				b = (unsigned char)(b - 0x20);
			else if (st->lcase == CASE_LOWER && b < 0xa0 &&
				 b != 0x97)
				b = (unsigned char)(b + 0x20);
			put(out, cap, len, (char)0xc3);
			put(out, cap, len, (char)b);
		} else if (st->lcase == CASE_UPPER && *p >= 'a' && *p <= 'z') {
			put(out, cap, len, (char)(*p - 'a' + 'A'));
		} else if (st->lcase == CASE_LOWER && *p >= 'A' && *p <= 'Z') {
			put(out, cap, len, (char)(*p - 'A' + 'a'));
		} else {
			put(out, cap, len, (char)*p);
		}
	}
}

/* put_names - n names joined by sep (' ', '-' or 2 for two spaces). */
void
put_names(char *out, size_t cap, const char *const *names, unsigned n, int sep,
	  const struct style *st)
{
	size_t len = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0) {
			put(out, cap, &len, sep == 2 ? ' ' : (char)sep);
			if (sep == 2)
				put(out, cap, &len, ' ');
		}
		put_name(out, cap, &len, names[i], st);
	}
	if (st->trailing && len > 0)
		put(out, cap, &len, ' ');
}

/* json_str - writes s as a JSON string, escaping what JSON requires. */
static void
json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* json_key - writes ,"key": (no comma before the first key). */
static void
json_key(FILE *f, const char *key, bool *first)
{
	if (!*first)
		fputc(',', f);
	*first = false;
	json_str(f, key);
	fputc(':', f);
}

/*
 * write_victim - victim vi as inst records it on day: document (unless
 * inst did not keep it; mistyped, its last digit off by one, if typo) and
 * names in inst's spelling, the birth date (or only the age), sex,
 * nationality.
 */
static void
write_victim(FILE *f, const struct sim *s, size_t vi, enum institution inst,
	     int32_t day, bool typo)
{
	const struct sim_victim *v = &s->victims[vi];
	char buf[SIM_NAME_MAX], date[11];
	struct style st;
	bool first = true;

	style_of(s, vi, inst, &st);
	fputc('{', f);
	if (v->mode == ID_DOCUMENT && !st.omit_doc) {
		size_t len = 0;
		const char *p;

		buf[0] = '\0';
		for (p = v->doc; *p != '\0'; p++) {
			char c = *p;
			if (typo && p[1] == '\0' && c >= '0' && c <= '9')
				c = (char)('0' + (c - '0' + 1) % 10);
			if (strcmp(v->doc_type, "DNI") == 0 && st.doc_sep &&
			    p - v->doc == 4)
				put(buf, sizeof(buf), &len, (char)st.doc_sep);
			put(buf, sizeof(buf), &len,
			    st.lower_doc && c >= 'A' && c <= 'Z'
				? (char)(c - 'A' + 'a')
				: c);
		}
		json_key(f, "document", &first);
		fputs("{\"type\":", f);
		json_str(f, v->doc_type);
		fputs(",\"number\":", f);
		json_str(f, buf);
		fputc('}', f);
	}
	if (!(v->mode == ID_DOCUMENT && st.omit_names)) {
		if (v->n_given > 0) {
			put_names(buf, sizeof(buf), v->given, v->n_given, ' ',
				  &st);
			json_key(f, "given_names", &first);
			json_str(f, buf);
		}
		if (v->n_surnames > 0) {
			put_names(buf, sizeof(buf), v->surnames, v->n_surnames,
				  st.surname_sep, &st);
			json_key(f, "surnames", &first);
			json_str(f, buf);
		}
	}
	if (v->mode == ID_NAME || (v->mode == ID_DOCUMENT && !st.omit_birth)) {
		json_key(f, "birth_date", &first);
		json_str(f, date_format(v->birth, date));
	} else {
		json_key(f, "age", &first);
		fprintf(f, "%d", date_age_years(v->birth, day));
	}
	json_key(f, "sex", &first);
	fprintf(f, "\"%c\"", v->sex);
	json_key(f, "nationality", &first);
	json_str(f, v->nationality);
	fputc('}', f);
}

/* write_body - the kind, date, region and fields of rec, no braces. */
static void
write_body(FILE *f, const struct sim *s, enum institution inst,
	   const struct sim_rec *rec, const char *ref)
{
	char date[11];
	unsigned i;
	bool typo = rec->wrap == KIND_NONE && rec->mistake == MISTAKE_DOC;

	fputs("\"kind\":", f);
	json_str(f, kind_word[rec->kind]);
	if (ref != NULL) {
		fputs(",\"ref\":", f);
		json_str(f, ref);
	}
	fprintf(f, ",\"date\":\"%s\",\"region\":\"%02u\"",
		date_format(rec->date, date), rec->region);
	switch (rec->kind) {
	case KIND_IDENTIFICATION:
		fputs(",\"victim\":", f);
		write_victim(f, s, rec->victim, inst, rec->date, typo);
		fputs(",\"exploitation\":[", f);
		for (i = 1; i < NELEM(expl_word); i++)
			if (rec->expl & (1u << i))
				fprintf(f, "%s\"%s\"",
					(rec->expl & ((1u << i) - 1)) ? ","
								      : "",
					expl_word[i]);
		fputc(']', f);
		break;
	case KIND_REFERRAL:
		fputs(",\"victim\":", f);
		write_victim(f, s, rec->victim, inst, rec->date, typo);
		fprintf(f, ",\"to\":\"%s\",\"purpose\":\"%s\"",
			inst_id[rec->other], purpose_word[rec->purpose]);
		fputs(",\"referral_number\":", f);
		json_str(f, rec->number);
		break;
	case KIND_REFERRAL_RECEIVED:
		fputs(",\"victim\":", f);
		write_victim(f, s, rec->victim, inst, rec->date, typo);
		fprintf(f, ",\"from\":\"%s\"", inst_id[rec->other]);
		fputs(",\"referral_number\":", f);
		json_str(f, rec->number);
		break;
	case KIND_SERVICE:
		fputs(",\"victim\":", f);
		write_victim(f, s, rec->victim, inst, rec->date, typo);
		fprintf(f, ",\"service\":\"%s\"", service_word[rec->service]);
		break;
	case KIND_CASE_STAGE: {
		const struct sim_case *c = &s->cases[rec->case_idx];

		fputs(",\"case_number\":", f);
		json_str(f, rec->number);
		fprintf(f, ",\"stage\":\"%s\",\"victims\":[",
			stage_word[rec->stage]);
		for (i = 0; rec->with_victims && i < c->n_victims; i++) {
			if (i > 0)
				fputc(',', f);
			write_victim(f, s, c->victims[i], inst, rec->date,
				     false);
		}
		fprintf(f, "],\"persons\":%u,\"article\":", rec->persons);
		json_str(f, rec->article);
		break;
	}
	default:
		break;
	}
}

/* cmp_rec - qsort order of records: by sort_date, then creation. */
static int
cmp_rec(const void *a, const void *b)
{
	const struct sim_rec *x = a, *y = b;

	if (x->sort_date != y->sort_date)
		return x->sort_date < y->sort_date ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * write_file - sorts inst's records by day (creation order within a day),
 * numbers their refs and writes them to dir/<inst>.jsonl through a
 * temporary file renamed into place. Returns 0 or -errno (logged).
 */
int
write_file(struct sim *s, enum institution inst, const char *dir)
{
	struct sim_file *f = &s->files[inst];
	char path[PATH_MAX], tmp[PATH_MAX];
	size_t *pos = NULL, i;
	FILE *out = NULL;
	int rc = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.jsonl", dir,
			     inst_id[inst]) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.jsonl.tmp", dir,
			     inst_id[inst]) >= sizeof(tmp)) {
		log_warnx("sim: output directory name too long");
		return -ENAMETOOLONG;
	}
	if (f->n > 0)
		qsort(f->v, f->n, sizeof(*f->v), cmp_rec);
	if ((pos = calloc(f->n + 1, sizeof(*pos))) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < f->n; i++) {
		pos[f->v[i].seq] = i;
		snprintf(f->v[i].ref, sizeof(f->v[i].ref), "%s-%06zu",
			 inst_upper[inst], i + 1);
	}
	if ((out = fopen(tmp, "w")) == NULL) {
		rc = -errno;
		log_warn("sim: %s", tmp);
		goto out;
	}
	for (i = 0; i < f->n; i++) {
		const struct sim_rec *rec = &f->v[i];

		if (rec->wrap == KIND_NONE) {
			fputc('{', out);
			write_body(out, s, inst, rec, rec->ref);
			fputs("}\n", out);
			continue;
		}
		fprintf(out,
			"{\"kind\":\"%s\",\"ref\":\"%s\","
			"\"target_ref\":\"%s\"",
			kind_word[rec->wrap], rec->ref,
			f->v[pos[rec->target]].ref);
		if (rec->wrap == KIND_CORRECTION) {
			fputs(",\"record\":{", out);
			write_body(out, s, inst, rec, NULL);
			fputc('}', out);
		}
		fputs("}\n", out);
	}
	if (ferror(out) || fflush(out) != 0) {
		rc = -EIO;
		log_warnx("sim: %s: write error", tmp);
		goto out;
	}
	if (fclose(out) != 0) {
		out = NULL;
		rc = -errno;
		log_warn("sim: %s", tmp);
		goto out;
	}
	out = NULL;
	if (rename(tmp, path) != 0) {
		rc = -errno;
		log_warn("sim: rename %s", path);
	}
out:
	if (out != NULL)
		fclose(out);
	if (rc < 0)
		unlink(tmp);
	free(pos);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The truth: who is who, as only the sim knows. */

/* A live identification as finally recorded: institution, victim, day,
 * and whether what was written of the victim makes a match key. */
struct truth_id {
	enum institution inst;
	size_t victim;
	int32_t date;
	bool keyed;
};

/* written_keyed - whether inst writes victim vi with a match key. */
static bool
written_keyed(const struct sim *s, size_t vi, enum institution inst)
{
	const struct sim_victim *v = &s->victims[vi];
	struct style st;

	style_of(s, vi, inst, &st);
	if (v->mode == ID_DOCUMENT && !st.omit_doc)
		return true;
	if (v->mode == ID_NAME)
		return true;
	return v->mode == ID_DOCUMENT && !st.omit_names && !st.omit_birth &&
	       v->n_given > 0 && v->n_surnames > 0;
}

/*
 * live_idents - appends to *out every live identification of file inst:
 * a withdrawn one left out, a corrected one as its correction says.
 */
static int
live_idents(const struct sim *s, enum institution inst, struct truth_id **out,
	    size_t *n, size_t *cap)
{
	const struct sim_file *f = &s->files[inst];
	const struct sim_rec **by_seq;
	size_t i;

	by_seq = calloc(f->n + 1, sizeof(*by_seq));
	if (by_seq == NULL)
		return -ENOMEM;
	/* A correction's true record replaces its target's. */
	for (i = 0; i < f->n; i++)
		if (f->v[i].wrap == KIND_NONE)
			by_seq[f->v[i].seq] = &f->v[i];
	for (i = 0; i < f->n; i++)
		if (f->v[i].wrap == KIND_CORRECTION)
			by_seq[f->v[i].target] = &f->v[i];
	for (i = 0; i < f->n; i++) {
		const struct sim_rec *r = by_seq[i];
		if (r == NULL || r->kind != KIND_IDENTIFICATION ||
		    (r->wrap == KIND_NONE && r->fate == 2))
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 1024;
			struct truth_id *v = realloc(*out, nc * sizeof(*v));
			if (v == NULL) {
				free(by_seq);
				return -ENOMEM;
			}
			*out = v;
			*cap = nc;
		}
		(*out)[(*n)++] =
		    (struct truth_id){inst, r->victim, r->date,
				      written_keyed(s, r->victim, inst)};
	}
	free(by_seq);
	return 0;
}

int
write_truth(const struct sim *s, const char *path)
{
	struct truth_id *ids = NULL;
	size_t n = 0, cap = 0, i, k;
	uint32_t *seen = NULL, stamp = 0;
	char tmp[PATH_MAX], name[PERIOD_NAME_MAX];
	FILE *out = NULL;
	int y, p, rc = 0, inst;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (inst = INST_PNP; inst <= INST_MINSA && rc == 0; inst++)
		rc = live_idents(s, (enum institution)inst, &ids, &n, &cap);
	/* seen[v * 12 + i]: the stamp of the last (period, institution i,
	 * 0 for all) that counted victim v; + 6: the same for keyed ones. */
	if (rc == 0 && (seen = calloc(s->n_victims * 2 * (INST_COUNT + 1) + 1,
				      sizeof(*seen))) == NULL)
		rc = -ENOMEM;
	if (rc == 0 && (out = fopen(tmp, "w")) == NULL) {
		rc = -errno;
		log_warn("sim: %s", tmp);
	}
	if (rc != 0)
		goto out;
	fprintf(out, "period,institution,victims,keyed_victims\n");
	for (y = date_year(s->start); y <= date_year(s->end); y++) {
		/* The year, its semesters, its quarters. */
		static const int parts[] = {0, 5, 6, 1, 2, 3, 4};
		for (p = 0; p < (int)NELEM(parts); p++) {
			uint32_t code = (uint32_t)(y * 10 + parts[p]);
			size_t count[2][INST_COUNT + 1] = {{0}};
			stamp++;
			for (i = 0; i < n; i++) {
				uint32_t *sv =
				    &seen[ids[i].victim * 2 * (INST_COUNT + 1)];
				int kd;
				if (!period_contains(code, ids[i].date))
					continue;
				for (kd = 0; kd <= (int)ids[i].keyed; kd++) {
					uint32_t *x =
					    sv + kd * (INST_COUNT + 1);
					if (x[ids[i].inst] != stamp) {
						x[ids[i].inst] = stamp;
						count[kd][ids[i].inst]++;
					}
					if (x[0] != stamp) {
						x[0] = stamp;
						count[kd][0]++;
					}
				}
			}
			period_name(code, name);
			for (k = 1; k <= INST_COUNT + 1; k++) {
				size_t w = k <= INST_COUNT ? k : 0;
				fprintf(out, "%s,%s,%zu,%zu\n", name,
					w ? inst_id[w] : "all", count[0][w],
					count[1][w]);
			}
		}
	}
	if (ferror(out) || fflush(out) != 0) {
		rc = -EIO;
		log_warnx("sim: %s: write error", tmp);
		goto out;
	}
	if (fclose(out) != 0) {
		out = NULL;
		rc = -errno;
		log_warn("sim: %s", tmp);
		goto out;
	}
	out = NULL;
	if (rename(tmp, path) != 0) {
		rc = -errno;
		log_warn("sim: rename %s", path);
	}
out:
	if (out != NULL)
		fclose(out);
	if (rc < 0)
		unlink(tmp);
	free(seen);
	free(ids);
	return rc;
}
