/*
 * test_sim.c - "kuska sim": usage errors, identical bytes for identical
 * arguments, every line accepted by record_parse() and within the rules a
 * node and the registry apply, and the same victim linking across
 * institutions despite the spelling variants.
 *
 * The client's sim*.c are linked into this test (tests/tests.cmake) so that
 * their internals, declared in client/sim.h, can be checked.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cmd.h"
#include "date.h"
#include "keys.h"
#include "event.h"
#include "norm.h"
#include "record.h"
#include "sim.h"

static const char *const files[] = {"pnp", "mp", "pj", "mimp", "minsa"};

/* make_tmpdir - a fresh directory under TMPDIR (or /tmp), in out. */
static void
make_tmpdir(char *out, size_t cap)
{
	const char *t = getenv("TMPDIR");

	snprintf(out, cap, "%s/kuska-sim-XXXXXX", t != NULL ? t : "/tmp");
	assert_non_null(mkdtemp(out));
}

/* remove_tree - removes dir and the plain files in it. */
static void
remove_tree(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* run_sim - kuska sim --out dir --victims n --seed seed; its exit code. */
static int
run_sim(const char *dir, const char *n, const char *seed)
{
	char *argv[] = {"sim",	   "--out",  (char *)dir,  "--victims",
			(char *)n, "--seed", (char *)seed, NULL};

	return cmd_sim(7, argv);
}

/* slurp_path - the whole of path, NUL-ended, in *ret (caller's). */
static size_t
slurp_path(const char *path, char **ret)
{
	FILE *f = fopen(path, "rb");
	long len;
	char *buf;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	*ret = buf;
	return (size_t)len;
}

/* slurp - the whole of dir/name.jsonl, NUL-ended, in *ret (caller's). */
static size_t
slurp(const char *dir, const char *name, char **ret)
{
	char path[PATH_MAX];
	FILE *f;
	long len;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s.jsonl", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	*ret = buf;
	return (size_t)len;
}

static void
test_usage(void **state)
{
	char *none[] = {"sim", NULL};
	char *bad_n[] = {"sim",	      "--out", "/nonexistent/x",
			 "--victims", "0",     NULL};
	char *bad_n2[] = {"sim", "--out", "x", "--victims", "12a", NULL};
	char *bad_seed[] = {"sim", "--out", "x", "--seed", "-1", NULL};
	char *unknown[] = {"sim", "--out", "x", "--colour", NULL};
	char *missing[] = {"sim", "--out", NULL};

	(void)state;
	assert_int_equal(cmd_sim(1, none), 2);
	assert_int_equal(cmd_sim(5, bad_n), 2);
	assert_int_equal(cmd_sim(5, bad_n2), 2);
	assert_int_equal(cmd_sim(5, bad_seed), 2);
	assert_int_equal(cmd_sim(4, unknown), 2);
	assert_int_equal(cmd_sim(2, missing), 2);
}

static void
test_unwritable(void **state)
{
	char *argv[] = {"sim", "--out", "/proc/kuska-sim-cannot", NULL};

	(void)state;
	assert_int_equal(cmd_sim(3, argv), 1);
}

static void
test_deterministic(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], sub[PATH_MAX + 8];
	size_t i, la, lb, lc, same = 0;
	char *ba, *bb, *bc;

	(void)state;
	make_tmpdir(a, sizeof(a));
	make_tmpdir(b, sizeof(b));
	make_tmpdir(c, sizeof(c));
	/* The directory is created when missing. */
	snprintf(sub, sizeof(sub), "%s/out", b);
	assert_int_equal(run_sim(a, "150", "7"), 0);
	assert_int_equal(run_sim(sub, "150", "7"), 0);
	assert_int_equal(run_sim(c, "150", "8"), 0);
	for (i = 0; i < NELEM(files); i++) {
		la = slurp(a, files[i], &ba);
		lb = slurp(sub, files[i], &bb);
		lc = slurp(c, files[i], &bc);
		assert_true(la > 0);
		assert_int_equal(la, lb);
		assert_memory_equal(ba, bb, la);
		same += la == lc && memcmp(ba, bc, la) == 0;
		free(ba);
		free(bb);
		free(bc);
	}
	assert_int_equal(same, 0);
	remove_tree(sub);
	remove_tree(a);
	remove_tree(b);
	remove_tree(c);
}

/* in_list - s is one of the NULL-ended list. */
static bool
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* check_keys - every key of obj is in the NULL-ended list. */
static void
check_keys(json_t *obj, const char *const *list)
{
	const char *key;
	json_t *val;

	assert_true(json_is_object(obj));
	json_object_foreach(obj, key, val)
	{
		(void)val;
		if (!in_list(key, list))
			fail_msg("unexpected field %s", key);
	}
}

/* check_victim - the fields and rules of a victim object seen on day. */
static void
check_victim(json_t *v, const char *day)
{
	static const char *const keys[] = {
	    "document", "given_names", "surnames",    "birth_date",
	    "age",	"sex",	       "nationality", NULL};
	json_t *d = json_object_get(v, "document"), *b;

	check_keys(v, keys);
	if (d != NULL) {
		static const char *const dkeys[] = {"type", "number", NULL};

		check_keys(d, dkeys);
		assert_non_null(json_string_value(json_object_get(d, "type")));
		assert_non_null(
		    json_string_value(json_object_get(d, "number")));
	}
	b = json_object_get(v, "birth_date");
	if (b != NULL)
		assert_true(strcmp(json_string_value(b), day) <= 0);
	else
		assert_true(json_is_integer(json_object_get(v, "age")));
	assert_non_null(json_string_value(json_object_get(v, "sex")));
	assert_non_null(json_string_value(json_object_get(v, "nationality")));
}

/*
 * check_registry - the institution may emit this kind (and stage), and a
 * referral goes elsewhere.
 */
static void
check_registry(enum institution inst, json_t *rec)
{
	static const char *const may[][6] = {
	    {NULL},
	    {"identification", "referral", "case_stage", NULL},
	    {"identification", "referral", "referral_received", "case_stage",
	     NULL},
	    {"referral_received", "case_stage", NULL},
	    {"identification", "referral", "referral_received", "service",
	     NULL},
	    {"identification", "referral", "referral_received", "service",
	     NULL},
	};
	static const char *const stages[][6] = {
	    {NULL},
	    {"complaint", "preliminary_investigation", NULL},
	    {"complaint", "preliminary_investigation",
	     "formalized_investigation", "accusation", "dismissal"},
	    {"trial", "conviction", "acquittal", "dismissal", NULL},
	    {NULL},
	    {NULL},
	};
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	json_t *o;

	assert_non_null(kind);
	assert_true(in_list(kind, may[inst]));
	if (strcmp(kind, "case_stage") == 0) {
		const char *st =
		    json_string_value(json_object_get(rec, "stage"));
		size_t i;
		bool ok = false;

		for (i = 0; i < 5 && stages[inst][i] != NULL; i++)
			ok |= strcmp(st, stages[inst][i]) == 0;
		assert_true(ok);
	}
	if ((o = json_object_get(rec, "to")) != NULL ||
	    (o = json_object_get(rec, "from")) != NULL)
		assert_string_not_equal(json_string_value(o), files[inst - 1]);
}

/*
 * check_line - line i of inst's file: the node's parser accepts it, it is
 * dated in the window, and corrections and withdrawals aim at an earlier
 * record of the same kind, not withdrawn. refs maps the file's refs so far
 * to their kind, or to "withdrawn". *pr receives the parsed record.
 */
static void
check_line(enum institution inst, const char *line, size_t len, size_t i,
	   json_t *refs, struct parsed_record *pr)
{
	static const uint8_t key[LINKAGE_KEY_LEN] = {1, 2, 3};
	static const uint8_t oprf_key[32] = {4, 5, 6}; /* a valid scalar */
	static struct pseudo_batch *batch; /* its memo spans the test */
	struct record_error err;
	json_error_t je;
	json_t *obj, *rec, *t;
	const char *kind, *ref, *date;
	int rc;

	if (batch == NULL) {
		assert_int_equal(keys_init(), 0);
		assert_non_null(batch = pseudo_batch_new());
	}
	memset(&err, 0, sizeof(err));
	rc = record_parse(line, len, inst, date_from_ymd(2026, 11, 29), batch,
			  pr, &err);
	if (rc != 0)
		fail_msg("%s line %zu refused: %s: %s", files[inst - 1], i + 1,
			 err.field, err.reason);
	if (pseudo_batch_new_inputs(batch) > 0)
		assert_int_equal(pseudo_batch_local(batch, oprf_key, key), 0);

	obj = json_loadb(line, len, 0, &je);
	assert_non_null(obj);
	kind = json_string_value(json_object_get(obj, "kind"));
	ref = json_string_value(json_object_get(obj, "ref"));
	assert_non_null(kind);
	assert_non_null(ref);
	assert_null(json_object_get(refs, ref));
	rec = obj;
	if (strcmp(kind, "correction") == 0 ||
	    strcmp(kind, "withdrawal") == 0) {
		const char *target =
		    json_string_value(json_object_get(obj, "target_ref"));

		t = json_object_get(refs, target);
		assert_non_null(t);
		assert_string_not_equal(json_string_value(t), "withdrawn");
		assert_string_not_equal(json_string_value(t), "correction");
		if (strcmp(kind, "withdrawal") == 0) {
			json_object_set_new(refs, target,
					    json_string("withdrawn"));
			json_object_set_new(refs, ref, json_string(kind));
			json_decref(obj);
			return;
		}
		rec = json_object_get(obj, "record");
		assert_string_equal(
		    json_string_value(t),
		    json_string_value(json_object_get(rec, "kind")));
	}
	check_registry(inst, rec);
	date = json_string_value(json_object_get(rec, "date"));
	assert_non_null(date);
	assert_true(strcmp(date, "2024-01-01") >= 0);
	assert_true(strcmp(date, "2025-12-31") <= 0);
	if ((t = json_object_get(rec, "victim")) != NULL) {
		check_victim(t, date);
	} else {
		size_t k;
		json_t *v;

		json_array_foreach(json_object_get(rec, "victims"), k, v)
		    check_victim(v, date);
	}
	json_object_set_new(refs, ref, json_string(kind));
	json_decref(obj);
}

/* has_victim - rec (or its replacement) names one victim. */
static bool
has_victim(const struct sim_rec *rec)
{
	return rec->wrap != KIND_WITHDRAWAL && rec->kind != KIND_CASE_STAGE;
}

/* The keys one victim was written with: each the same wherever present. */
struct seen_keys {
	bool doc, name;
	uint8_t doc_key[PSEUDONYM_LEN], name_key[PSEUDONYM_LEN];
	unsigned with_doc, without_doc; /* institutions (bits) */
};

static void
same_key(bool *have, uint8_t *kept, const uint8_t *key)
{
	if (!*have) {
		memcpy(kept, key, PSEUDONYM_LEN);
		*have = true;
	} else {
		assert_memory_equal(kept, key, PSEUDONYM_LEN);
	}
}

/*
 * test_accepted - every line of a run is accepted by record_parse() and
 * keeps the rules. Each victim keeps one document key and one name key in
 * every institution that writes them (records first sent with a mistake
 * aside); documents are missing at some institutions and kept at others;
 * the age-only victims are unlinkable everywhere; some children share a
 * name key with another child of another DNI; some corrections fix a
 * document or a victim.
 */
static void
test_accepted(void **state)
{
	struct sim s;
	char dir[PATH_MAX];
	struct seen_keys *keys;
	size_t counts[NELEM(files)] = {0}, total = 0, unlinkable = 0,
	       linked_multi = 0, doc_somewhere = 0, namesakes = 0,
	       mistakes[MISTAKE_VICTIM + 1] = {0}, n = 400, vi;
	unsigned *insts;
	struct parsed_record *pr;
	int k;

	(void)state;
	record_init();
	make_tmpdir(dir, sizeof(dir));
	assert_int_equal(sim_run(&s, n, 3), 0);
	keys = calloc(n, sizeof(*keys));
	insts = calloc(n, sizeof(*insts));
	pr = malloc(sizeof(*pr));
	assert_non_null(keys);
	assert_non_null(insts);
	assert_non_null(pr);
	for (k = INST_PNP; k <= INST_MINSA; k++) {
		json_t *refs = json_object();
		char *buf, *line, *nl;
		size_t i = 0;

		assert_int_equal(write_file(&s, (enum institution)k, dir), 0);
		slurp(dir, files[k - 1], &buf);
		for (line = buf; *line != '\0'; line = nl + 1, i++) {
			const struct sim_rec *rec = &s.files[k].v[i];
			const struct victim *pv = &pr->ev.rec.victim;
			struct seen_keys *sk;

			nl = strchr(line, '\n');
			assert_non_null(nl);
			assert_true(i < s.files[k].n);
			check_line((enum institution)k, line,
				   (size_t)(nl - line), i, refs, pr);
			if (rec->wrap == KIND_NONE)
				mistakes[rec->mistake]++;
			if (!has_victim(rec))
				continue;
			vi = rec->victim;
			/* As first sent, the mistake: another's keys. */
			if (rec->wrap == KIND_NONE &&
			    (rec->mistake == MISTAKE_DOC ||
			     rec->mistake == MISTAKE_VICTIM))
				continue;
			insts[vi] |= 1u << k;
			if (s.victims[vi].mode == ID_AGE_ONLY) {
				assert_false(victim_linkable(pv));
				unlinkable++;
				continue;
			}
			sk = &keys[vi];
			if (pv->doc_type != DOC_NONE) {
				same_key(&sk->doc, sk->doc_key, pv->doc_key);
				sk->with_doc |= 1u << k;
			} else if (s.victims[vi].mode == ID_DOCUMENT) {
				sk->without_doc |= 1u << k;
			}
			if (pv->has_name_key)
				same_key(&sk->name, sk->name_key, pv->name_key);
			if (!victim_linkable(pv))
				unlinkable++;
		}
		assert_int_equal(i, s.files[k].n);
		counts[k - 1] = i;
		total += i;
		free(buf);
		json_decref(refs);
	}
	for (vi = 0; vi < n; vi++) {
		if ((keys[vi].doc || keys[vi].name) &&
		    (insts[vi] & (insts[vi] - 1)) != 0)
			linked_multi++;
		if (keys[vi].with_doc != 0 && keys[vi].without_doc != 0)
			doc_somewhere++;
		if (s.victims[vi].namesake != 0) {
			const struct seen_keys *o =
			    &keys[s.victims[vi].namesake - 1];
			namesakes++;
			/* Another child: another DNI, the same name key. */
			if (keys[vi].doc && o->doc)
				assert_memory_not_equal(keys[vi].doc_key,
							o->doc_key,
							PSEUDONYM_LEN);
			if (keys[vi].name && o->name)
				assert_memory_equal(keys[vi].name_key,
						    o->name_key, PSEUDONYM_LEN);
		}
	}
	/* Sizes in a plausible range, overlaps and unlinkables present,
	 * and every rule of linking exercised. */
	assert_true(total > 4 * n && total < 15 * n);
	for (k = 0; k < (int)NELEM(files); k++)
		assert_true(counts[k] > 0);
	assert_true(unlinkable > 0);
	assert_true(linked_multi > n / 4);
	assert_true(doc_somewhere > n / 20);
	assert_true(namesakes > 0);
	assert_true(mistakes[MISTAKE_DOC] > 0);
	assert_true(mistakes[MISTAKE_VICTIM] > 0);
	assert_true(mistakes[MISTAKE_DATE] > 0);
	free(keys);
	free(insts);
	free(pr);
	sim_free(&s);
	remove_tree(dir);
}

/*
 * load_corrected - the records of dir/name.jsonl by ref, with corrections
 * applied and withdrawals ignored (the flows were whole before anything
 * was withdrawn). The caller decrefs the object.
 */
static json_t *
load_corrected(const char *dir, const char *name)
{
	json_t *all = json_object(), *obj;
	json_error_t je;
	char *buf, *line, *nl;
	const char *kind;

	slurp(dir, name, &buf);
	for (line = buf; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		obj = json_loadb(line, (size_t)(nl - line), 0, &je);
		assert_non_null(obj);
		kind = json_string_value(json_object_get(obj, "kind"));
		if (strcmp(kind, "correction") == 0)
			json_object_set(all,
					json_string_value(
					    json_object_get(obj, "target_ref")),
					json_object_get(obj, "record"));
		else if (strcmp(kind, "withdrawal") != 0)
			json_object_set(
			    all, json_string_value(json_object_get(obj, "ref")),
			    obj);
		json_decref(obj);
	}
	free(buf);
	return all;
}

/* norm_key - "a|b|NUMBER" with the number trimmed and upper-cased. */
static void
norm_key(char *out, size_t cap, const char *a, const char *b,
	 const char *number)
{
	size_t len;
	char *p;

	while (*number == ' ')
		number++;
	snprintf(out, cap, "%s|%s|%s", a, b, number);
	len = strlen(out);
	while (len > 0 && out[len - 1] == ' ')
		out[--len] = '\0';
	for (p = out; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
}

/*
 * test_flows - the story holds together once corrections are applied:
 * every take-up answers a referral sent to that institution no later,
 * and each case reaches its stages in order; a few cases no complaint
 * names, each the court's under its own spelling of the number or the
 * prosecutor's whose complaint the police filed under another.
 */
static void
test_flows(void **state)
{
	static const char *const main_line[] = {
	    "complaint",
	    "preliminary_investigation",
	    "formalized_investigation",
	    "accusation",
	    "trial",
	    "conviction",
	};
	char dir[PATH_MAX], key[128];
	json_t *recs[NELEM(files)], *sent = json_object(),
				    *cases = json_object(), *rec, *c;
	const char *ref, *kind, *date, *prev;
	size_t k, i, taken = 0, unnamed = 0, court = 0;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	assert_int_equal(run_sim(dir, "600", "11"), 0);
	for (k = 0; k < NELEM(files); k++) {
		recs[k] = load_corrected(dir, files[k]);
		json_object_foreach(recs[k], ref, rec)
		{
			kind = json_string_value(json_object_get(rec, "kind"));
			date = json_string_value(json_object_get(rec, "date"));
			if (strcmp(kind, "referral") == 0) {
				norm_key(key, sizeof(key), files[k],
					 json_string_value(
					     json_object_get(rec, "to")),
					 json_string_value(json_object_get(
					     rec, "referral_number")));
				assert_null(json_object_get(sent, key));
				json_object_set_new(sent, key,
						    json_string(date));
			} else if (strcmp(kind, "case_stage") == 0) {
				norm_key(key, sizeof(key), "", "",
					 json_string_value(json_object_get(
					     rec, "case_number")));
				if ((c = json_object_get(cases, key)) == NULL) {
					c = json_object();
					json_object_set_new(cases, key, c);
				}
				kind = json_string_value(
				    json_object_get(rec, "stage"));
				prev =
				    json_string_value(json_object_get(c, kind));
				if (prev == NULL || strcmp(date, prev) < 0)
					json_object_set_new(c, kind,
							    json_string(date));
			}
		}
	}
	for (k = 0; k < NELEM(files); k++) {
		json_object_foreach(recs[k], ref, rec)
		{
			kind = json_string_value(json_object_get(rec, "kind"));
			if (strcmp(kind, "referral_received") != 0)
				continue;
			norm_key(
			    key, sizeof(key),
			    json_string_value(json_object_get(rec, "from")),
			    files[k],
			    json_string_value(
				json_object_get(rec, "referral_number")));
			prev = json_string_value(json_object_get(sent, key));
			if (prev == NULL)
				fail_msg("%s %s: no such referral", files[k],
					 ref);
			date = json_string_value(json_object_get(rec, "date"));
			assert_true(strcmp(prev, date) <= 0);
			taken++;
		}
	}
	assert_true(taken > 0);
	assert_true(json_object_size(cases) > 0);
	json_object_foreach(cases, ref, c)
	{
		prev = NULL;
		for (i = 0; i < NELEM(main_line); i++) {
			date =
			    json_string_value(json_object_get(c, main_line[i]));
			if (date == NULL)
				continue;
			if (prev != NULL && strcmp(prev, date) > 0)
				fail_msg("case %s: %s before the stage before",
					 ref, main_line[i]);
			prev = date;
		}
		if (json_object_get(c, "complaint") != NULL)
			continue;
		/* A case no complaint names (sim_unnamed_cases): the court's
		 * records under the number with spaces for its hyphens, or
		 * the prosecutor's, whose police complaint left out "CF-". */
		unnamed++;
		if (strchr(ref, ' ') != NULL) {
			assert_null(json_object_get(c, "accusation"));
			assert_null(
			    json_object_get(c, "preliminary_investigation"));
			assert_non_null(json_object_get(c, "trial"));
			court++;
		} else {
			/* (a key is "||NUMBER": norm_key) */
			assert_int_equal(strncmp(ref, "||CF-", 5), 0);
			snprintf(key, sizeof(key), "||%s", ref + 5);
			c = json_object_get(cases, key);
			assert_non_null(c);
			assert_non_null(json_object_get(c, "complaint"));
		}
	}
	/* some of both kinds, and few */
	assert_true(court > 0 && court < unnamed);
	assert_true(unnamed * 10 < json_object_size(cases));
	for (k = 0; k < NELEM(files); k++)
		json_decref(recs[k]);
	json_decref(sent);
	json_decref(cases);
	remove_tree(dir);
}

/* Spelling variants normalise back to the same name. */
static void
test_variants(void **state)
{
	static const char *const names[] = {"Huamán", "Ch'aska", "Ñahui"};
	struct style st;
	char buf[SIM_NAME_MAX], norm[NORM_MAX];

	(void)state;
	memset(&st, 0, sizeof(st));
	st.lcase = CASE_UPPER;
	st.strip_accents = true;
	st.apostrophe = 0;
	put_names(buf, sizeof(buf), names, 3, '-', &st);
	assert_string_equal(buf, "HUAMAN-CHASKA-NAHUI");

	st.lcase = CASE_UPPER;
	st.strip_accents = false;
	st.apostrophe = 1;
	put_names(buf, sizeof(buf), names, 3, 2, &st);
	assert_string_equal(buf, "HUAMÁN  CH\xe2\x80\x99"
				 "ASKA  ÑAHUI");
	assert_true(norm_name(buf, strlen(buf), norm, sizeof(norm)) > 0);
	assert_string_equal(norm, "HUAMAN CHASKA NAHUI");

	st.lcase = CASE_LOWER;
	st.apostrophe = '\'';
	st.trailing = true;
	put_names(buf, sizeof(buf), names, 3, ' ', &st);
	assert_string_equal(buf, "huamán ch'aska ñahui ");
	assert_true(norm_name(buf, strlen(buf), norm, sizeof(norm)) > 0);
	assert_string_equal(norm, "HUAMAN CHASKA NAHUI");
}

/*
 * test_truth - --truth FILE: for each of the 14 periods of the window, a
 * row per institution and one for all, the all row at least each
 * institution's and at most their sum, keyed victims at most the victims,
 * pj identifying nobody; the same bytes for the same seed.
 */
static void
test_truth(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], path2[PATH_MAX + 16];
	char line[256], period[16], who[16], *argv[10];
	size_t v, kv, sum = 0, max = 0, rows = 0;
	FILE *f;
	int i;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/truth.csv", dir);
	snprintf(path2, sizeof(path2), "%s/truth2.csv", dir);
	for (i = 0; i < 2; i++) {
		argv[0] = "sim";
		argv[1] = "--out";
		argv[2] = dir;
		argv[3] = "--victims";
		argv[4] = "200";
		argv[5] = "--seed";
		argv[6] = "9";
		argv[7] = "--truth";
		argv[8] = i == 0 ? path : path2;
		argv[9] = NULL;
		assert_int_equal(cmd_sim(9, argv), 0);
	}
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "period,institution,victims,keyed_victims\n");
	while (fgets(line, sizeof(line), f) != NULL) {
		assert_int_equal(sscanf(line, "%15[^,],%15[^,],%zu,%zu", period,
					who, &v, &kv),
				 4);
		assert_true(kv <= v);
		rows++;
		if (strcmp(who, "all") == 0) {
			assert_true(v >= max && v <= sum);
			sum = max = 0;
			continue;
		}
		if (strcmp(who, "pj") == 0)
			assert_int_equal(v, 0);
		sum += v;
		if (v > max)
			max = v;
	}
	fclose(f);
	assert_int_equal(rows, 14 * 6);
	{
		char *a, *b;
		size_t la, lb;
		la = slurp_path(path, &a);
		lb = slurp_path(path2, &b);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		free(a);
		free(b);
	}
	remove_tree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_usage),
	    cmocka_unit_test(test_unwritable),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_accepted),
	    cmocka_unit_test(test_flows),
	    cmocka_unit_test(test_variants),
	    cmocka_unit_test(test_truth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
