/* test_registry.c - the consolidator's registry (registry.h). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "date.h"
#include "keys.h"
#include "registry.h"

struct fixture {
	char dir[64];
	char path[128];
	struct secret_key *pnp, *mp, *sec, *extra;
	char pnp_sign[64], pnp_curve[64];
	char mp_sign[64], mp_curve[64];
	char sec_sign[64], sec_curve[64];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char keys[96];

	if (fx == NULL || keys_init() != 0)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kuska-registry-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(keys, sizeof(keys), "%s/keys", fx->dir);
	if (mkdir(keys, 0700) != 0)
		return -1;
	if (keys_generate("pnp", &fx->pnp) || keys_generate("mp", &fx->mp) ||
	    keys_generate("secretariat", &fx->sec) ||
	    keys_generate("extra", &fx->extra))
		return -1;
	if (keys_write(fx->pnp, keys, "pnp") != 0 ||
	    keys_write(fx->extra, keys, "extra") != 0)
		return -1;
	keys_b64(fx->pnp->sign_pk, SIGN_PK_LEN, fx->pnp_sign, 64);
	keys_b64(fx->pnp->curve_pk, CURVE_KEY_LEN, fx->pnp_curve, 64);
	keys_b64(fx->mp->sign_pk, SIGN_PK_LEN, fx->mp_sign, 64);
	keys_b64(fx->mp->curve_pk, CURVE_KEY_LEN, fx->mp_curve, 64);
	keys_b64(fx->sec->sign_pk, SIGN_PK_LEN, fx->sec_sign, 64);
	keys_b64(fx->sec->curve_pk, CURVE_KEY_LEN, fx->sec_curve, 64);
	snprintf(fx->path, sizeof(fx->path), "%s/registry.conf", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	keys_free(&fx->pnp);
	keys_free(&fx->mp);
	keys_free(&fx->sec);
	keys_free(&fx->extra);
	free(fx);
	return 0;
}

/* Writes text, and a [network] after it unless it names one itself. */
static void
write_registry(const struct fixture *fx, const char *text)
{
	FILE *f = fopen(fx->path, "w");

	assert_non_null(f);
	fputs(text, f);
	if (strstr(text, "[network") == NULL)
		fputs("\n[network test-net]\n", f);
	assert_int_equal(fclose(f), 0);
}

static uint64_t
ms_of(int y, unsigned m, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	return ((uint64_t)date_from_ymd(y, m, d) * 86400 + h * 3600 + mi * 60 +
		s) *
	       1000;
}

/* The full example registry of the tests. */
static void
write_full(const struct fixture *fx)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "# who may speak\n"
		 "[institution pnp]\n"
		 "kinds = identification referral case_stage correction\n"
		 "stages = complaint preliminary_investigation\n"
		 "\n"
		 "[institution mp]\n"
		 "stages = complaint accusation\n"
		 "[client secretariat]\n"
		 "role = secretariat\n"
		 "[client ana]\n"
		 "role = analyst\n"
		 "\n"
		 "[key pnp-2026]\n"
		 "owner = pnp\n"
		 "public_key = keys/pnp.pub\n"
		 "valid_from = 2026-01-01\n"
		 "valid_until = 2027-01-01T08:30:00Z\n"
		 "revoked = 2026-06-30T12:00:00Z\n"
		 "\n"
		 "[key mp-1]\n"
		 "owner = mp\n"
		 "sign_public = %s\n"
		 "transport_public = %s\n"
		 "\n"
		 "[key sec]\n"
		 "owner = secretariat\n"
		 "sign_public = %s\n"
		 "transport_public = %s\n"
		 "valid_from = 2026-02-01T00:00:00Z\n",
		 fx->mp_sign, fx->mp_curve, fx->sec_sign, fx->sec_curve);
	write_registry(fx, text);
}

static void
test_load_full(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	const struct reg_party *pnp, *mp, *sec, *ana;
	const struct reg_key *k;
	char err[512] = "";

	write_full(fx);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(r->n_parties, 4);
	assert_int_equal(r->n_keys, 3);

	pnp = registry_party(r, "pnp");
	assert_non_null(pnp);
	assert_int_equal(pnp->role, ROLE_INSTITUTION);
	assert_int_equal(pnp->inst, INST_PNP);
	assert_int_equal(pnp->kinds,
			 1u << KIND_IDENTIFICATION | 1u << KIND_REFERRAL |
			     1u << KIND_CASE_STAGE | 1u << KIND_CORRECTION);
	assert_int_equal(pnp->stages,
			 1u << STAGE_COMPLAINT |
			     1u << STAGE_PRELIMINARY_INVESTIGATION);
	assert_ptr_equal(registry_institution(r, INST_PNP), pnp);
	mp = registry_institution(r, INST_MP);
	assert_non_null(mp);
	assert_ptr_equal(registry_party(r, "mp"), mp);
	assert_int_equal(mp->stages,
			 1u << STAGE_COMPLAINT | 1u << STAGE_ACCUSATION);
	assert_null(registry_institution(r, INST_PJ));
	assert_null(registry_party(r, "pj"));
	assert_null(registry_party(r, ""));
	sec = registry_party(r, "secretariat");
	assert_non_null(sec);
	assert_int_equal(sec->role, ROLE_SECRETARIAT);
	assert_int_equal(sec->inst, INST_NONE);
	ana = registry_party(r, "ana");
	assert_non_null(ana);
	assert_int_equal(ana->role, ROLE_ANALYST);
	assert_string_equal(role_name(ROLE_INSTITUTION), "institution");
	assert_string_equal(role_name(ROLE_SECRETARIAT), "secretariat");
	assert_string_equal(role_name(ROLE_ANALYST), "analyst");

	/* The key from a file, with its window. */
	k = &r->keys[0];
	assert_string_equal(k->name, "pnp-2026");
	assert_ptr_equal(k->owner, pnp);
	assert_memory_equal(k->sign_pk, fx->pnp->sign_pk, SIGN_PK_LEN);
	assert_memory_equal(k->curve_pk, fx->pnp->curve_pk, CURVE_KEY_LEN);
	assert_memory_equal(k->key_id, fx->pnp->key_id, KEY_ID_LEN);
	assert_int_equal(k->valid_from_ms, ms_of(2026, 1, 1, 0, 0, 0));
	assert_int_equal(k->valid_until_ms, ms_of(2027, 1, 1, 8, 30, 0));
	assert_int_equal(k->revoked_ms, ms_of(2026, 6, 30, 12, 0, 0));
	/* Inline keys, open windows. */
	k = &r->keys[1];
	assert_string_equal(k->name, "mp-1");
	assert_ptr_equal(k->owner, mp);
	assert_memory_equal(k->sign_pk, fx->mp->sign_pk, SIGN_PK_LEN);
	assert_memory_equal(k->curve_pk, fx->mp->curve_pk, CURVE_KEY_LEN);
	assert_memory_equal(k->key_id, fx->mp->key_id, KEY_ID_LEN);
	assert_int_equal(k->valid_from_ms, 0);
	assert_int_equal(k->valid_until_ms, UINT64_MAX);
	assert_int_equal(k->revoked_ms, UINT64_MAX);
	k = &r->keys[2];
	assert_ptr_equal(k->owner, sec);
	assert_int_equal(k->valid_from_ms, ms_of(2026, 2, 1, 0, 0, 0));
	registry_free(&r);
	assert_null(r);
	registry_free(&r);
	registry_free(NULL);
}

/*
 * A key's name by its transport key, valid or not; a key unknown has
 * none (NULL), so that a key named "none" is not taken for one unknown.
 */
static void
test_transport_name(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	char text[1024], err[512] = "";

	snprintf(text, sizeof(text),
		 "[institution mp]\n"
		 "[key none]\n"
		 "owner = mp\n"
		 "sign_public = %s\n"
		 "transport_public = %s\n"
		 "revoked = 2026-06-30T12:00:00Z\n",
		 fx->mp_sign, fx->mp_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(registry_transport_name(r, fx->mp->curve_pk),
			    "none");
	assert_null(registry_transport_name(r, fx->pnp->curve_pk));
	registry_free(&r);
}

/* Kinds and stages default to DESIGN.md's when not given. */
/*
 * A connection's user id names its key, which is judged again by it: one
 * revoked since, another's party, or a key replaced under the same name
 * (another fingerprint) is no longer admitted, and the names still go to
 * the log; a string that is no user id names "?".
 */
static void
test_user_id(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	const struct reg_key *mp, *pnp;
	struct reg_user who;
	char uid[96], other[128], err[512] = "";
	uint64_t now = ms_of(2026, 3, 1, 0, 0, 0);

	write_full(fx);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	mp = registry_key_by_name(r, "mp-1");
	pnp = registry_key_by_name(r, "pnp-2026");
	registry_user_id(mp, uid, sizeof(uid));
	assert_int_equal(strncmp(uid, "mp/mp-1/", 8), 0);
	assert_int_equal(strlen(uid), 8 + 16);
	assert_ptr_equal(registry_by_user_id(r, uid, now, &who), mp);
	assert_string_equal(who.party, "mp");
	assert_string_equal(who.key, "mp-1");
	assert_int_equal(registry_user_name(uid, &who), 0);
	assert_string_equal(who.key, "mp-1");

	snprintf(other, sizeof(other), "pnp/mp-1/%s", uid + 8);
	assert_null(registry_by_user_id(r, other, now, &who));
	assert_string_equal(who.party, "pnp");
	snprintf(other, sizeof(other), "mp/mp-1/0000000000000000");
	assert_null(registry_by_user_id(r, other, now, &who));
	assert_string_equal(who.key, "mp-1");
	snprintf(other, sizeof(other), "mp/mp-2/%s", uid + 8);
	assert_null(registry_by_user_id(r, other, now, &who));

	registry_user_id(pnp, uid, sizeof(uid));
	assert_ptr_equal(registry_by_user_id(r, uid, now, &who), pnp);
	assert_null(
	    registry_by_user_id(r, uid, ms_of(2026, 7, 1, 0, 0, 0), &who));
	assert_string_equal(who.party, "pnp");
	assert_string_equal(who.key, "pnp-2026");

	assert_null(registry_by_user_id(r, "", now, &who));
	assert_string_equal(who.party, "?");
	assert_string_equal(who.key, "?");
	assert_int_equal(registry_user_name("mp/mp-1", &who), -1);
	assert_string_equal(who.party, "?");
	assert_string_equal(who.key, "?");
	registry_free(&r);
}

static void
test_defaults(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	const uint32_t any = 1u << KIND_CORRECTION | 1u << KIND_WITHDRAWAL;
	char err[512];
	const struct reg_party *p;

	write_registry(fx, "[institution pnp]\nstages = trial\n"
			   "[institution mp]\nkinds = service\n"
			   "[institution pj]\nkinds = case_stage\n"
			   "[institution mimp]\nkinds = referral\n"
			   "[institution minsa]\nstages = complaint\n");
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	p = registry_institution(r, INST_PNP);
	assert_int_equal(p->kinds, any | 1u << KIND_IDENTIFICATION |
				       1u << KIND_REFERRAL |
				       1u << KIND_CASE_STAGE);
	assert_int_equal(p->stages, 1u << STAGE_TRIAL);
	p = registry_institution(r, INST_MP);
	assert_int_equal(p->kinds, 1u << KIND_SERVICE);
	assert_int_equal(p->stages, 1u << STAGE_COMPLAINT |
					1u << STAGE_PRELIMINARY_INVESTIGATION |
					1u << STAGE_FORMALIZED_INVESTIGATION |
					1u << STAGE_ACCUSATION |
					1u << STAGE_DISMISSAL);
	p = registry_institution(r, INST_PJ);
	assert_int_equal(p->kinds, 1u << KIND_CASE_STAGE);
	assert_int_equal(p->stages, 1u << STAGE_TRIAL | 1u << STAGE_CONVICTION |
					1u << STAGE_ACQUITTAL |
					1u << STAGE_DISMISSAL);
	p = registry_institution(r, INST_MIMP);
	assert_int_equal(p->kinds, 1u << KIND_REFERRAL);
	assert_int_equal(p->stages, 0);
	p = registry_institution(r, INST_MINSA);
	assert_int_equal(p->kinds,
			 any | 1u << KIND_IDENTIFICATION | 1u << KIND_REFERRAL |
			     1u << KIND_REFERRAL_RECEIVED | 1u << KIND_SERVICE);
	assert_int_equal(p->stages, 1u << STAGE_COMPLAINT);
	registry_free(&r);

	/* An empty list is "nothing", not the default; commas separate too. */
	write_registry(fx, "[institution pj]\nkinds =\nstages = trial, "
			   "conviction\n");
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	p = registry_institution(r, INST_PJ);
	assert_int_equal(p->kinds, 0);
	assert_int_equal(p->stages, 1u << STAGE_TRIAL | 1u << STAGE_CONVICTION);
	registry_free(&r);
}

/* Loads text and expects -EINVAL with "FILE:LINE:" (line > 0) or "FILE:"
 * and the given word. */
static void
expect_error(struct fixture *fx, const char *text, int line, const char *word)
{
	struct registry *r = NULL;
	char err[512] = "", want[200];
	int rc;

	write_registry(fx, text);
	rc = registry_load(fx->path, &r, err, sizeof(err));
	if (rc != -EINVAL)
		fail_msg("returned %d for:\n%s", rc, text);
	assert_null(r);
	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: ", fx->path, line);
	else
		snprintf(want, sizeof(want), "%s: ", fx->path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", err, want);
	if (word != NULL && strstr(err, word) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err, word);
}

/*
 * The network: named once by an empty [network NAME] section anywhere in
 * the file; none, two, a bad name or a line inside it are refused.
 */
static void
test_network(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	char err[512] = "";

	write_registry(fx, "[institution pj]\n"
			   "[network pe-trata-2026]\n"
			   "[client ana]\nrole = analyst\n");
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(r->network, "pe-trata-2026");
	assert_int_equal(r->n_parties, 2);
	registry_free(&r);
	/* At the end, after a section with lines. */
	write_registry(fx, "[client ana]\nrole = analyst\n[network x_1]\n");
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(r->network, "x_1");
	registry_free(&r);

	expect_error(fx, "[client ana]\nrole = analyst\n[network]\n", 0,
		     "names no network");
	expect_error(fx, "[client ana]\nrole = analyst\n[network]\n", 0,
		     "network = NAME");
	expect_error(fx,
		     "[network a]\n[client ana]\nrole = analyst\n"
		     "[network b]\n",
		     4, "one network");
	expect_error(fx,
		     "[network a]\n[client ana]\nrole = analyst\n[network a]\n",
		     4, "given twice");
	expect_error(fx,
		     "[network a]\nname = b\n[client ana]\nrole = analyst\n", 2,
		     "unknown key");
	expect_error(fx, "[network PE]\n[client ana]\nrole = analyst\n", 1,
		     NULL);
	/* A network and a party may share a name: they are not confused. */
	write_registry(fx, "[network pj]\n[institution pj]\n");
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(r->network, "pj");
	assert_non_null(registry_party(r, "pj"));
	registry_free(&r);
}

static void
test_errors(void **state)
{
	struct fixture *fx = *state;
	char text[2048], keyhead[512];

	snprintf(keyhead, sizeof(keyhead),
		 "[institution pnp]\nkinds = referral\n" /* 1, 2 */
		 "[client ana]\nrole = analyst\n"	 /* 3, 4 */
		 "[key k1]\nowner = pnp\n"		 /* 5, 6 */
		 "sign_public = %s\n"			 /* 7 */
		 "transport_public = %s\n",		 /* 8 */
		 fx->pnp_sign, fx->pnp_curve);

	/* Unknown keys, per section kind. */
	snprintf(text, sizeof(text), "%scolour = blue\n", keyhead);
	expect_error(fx, text, 9, "colour");
	expect_error(fx, "[institution pnp]\nrole = analyst\n", 2, "role");
	expect_error(fx, "[client ana]\nkinds = referral\n", 2, "kinds");
	expect_error(fx, "[client ana]\nrole = admin\n", 2, "role");
	/* Unknown or malformed sections. */
	expect_error(fx, "[server x]\na = b\n", 2, "server");
	expect_error(fx, "[institution]\nkinds = referral\n", 2, NULL);
	expect_error(fx, "[institution police]\nkinds = referral\n", 2,
		     "police");
	expect_error(fx, "[client Ana]\nrole = analyst\n", 2, NULL);
	expect_error(fx, "kinds = referral\n", 1, NULL);
	/* Unknown kinds and stages. */
	expect_error(fx, "[institution pnp]\nkinds = referral arrest\n", 2,
		     "arrest");
	expect_error(fx, "[institution pnp]\nstages = complaint verdict\n", 2,
		     "verdict");
	/* Bad times. */
	{
		static const char *const bad[] = {"2026",
						  "2026-13-01",
						  "2026-02-30",
						  "26-01-01",
						  "2026-01-01T",
						  "2026-01-01T24:00:00Z",
						  "2026-01-01T12:60:00Z",
						  "2026-01-01T12:00:60Z",
						  "2026-01-01T12:00:00",
						  "2026-01-01 12:00:00Z",
						  "2026-01-01T12:00:00+05",
						  "1969-12-31",
						  "tomorrow",
						  ""};
		size_t i;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(text, sizeof(text), "%svalid_from = %s\n",
				 keyhead, bad[i]);
			expect_error(fx, text, 9, "valid_from");
		}
		snprintf(text, sizeof(text), "%svalid_until = x\n", keyhead);
		expect_error(fx, text, 9, "valid_until");
		snprintf(text, sizeof(text), "%srevoked = 2026-1-1\n", keyhead);
		expect_error(fx, text, 9, "revoked");
	}
	/* Bad key material. */
	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n[key k]\nowner = pnp\n"
		 "sign_public = AAAA\n");
	expect_error(fx, text, 5, "sign_public");
	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n[key k]\nowner = pnp\n"
		 "transport_public = %s=\n",
		 fx->pnp_curve);
	expect_error(fx, text, 5, "transport_public");
	expect_error(fx,
		     "[institution pnp]\nkinds = referral\n[key k]\n"
		     "owner = pnp\npublic_key = keys/absent.pub\n",
		     5, "absent.pub");
	expect_error(fx,
		     "[institution pnp]\nkinds = referral\n[key k]\n"
		     "owner = Not Valid\n",
		     4, "owner");
	/* Duplicate sections, at the header, with the first one's line. */
	snprintf(text, sizeof(text),
		 "%s[client bob]\nrole = analyst\n[key k1]\nowner = pnp\n",
		 keyhead);
	expect_error(fx, text, 11, "[key k1] given twice (first at line 5)");
	snprintf(text, sizeof(text), "%s[institution pnp]\nkinds = referral\n",
		 keyhead);
	expect_error(fx, text, 9,
		     "[institution pnp] given twice (first at line 1)");
	snprintf(text, sizeof(text), "%s[client pnp]\nrole = analyst\n",
		 keyhead);
	expect_error(
	    fx, text, 9,
	    "[client pnp]: the id pnp is given twice (first at line 1, "
	    "[institution pnp])");
	/* The same key twice under two names. */
	snprintf(text, sizeof(text),
		 "%s[key k2]\nowner = pnp\nsign_public = %s\n"
		 "transport_public = %s\n",
		 keyhead, fx->pnp_sign, fx->pnp_curve);
	expect_error(fx, text, 9, "same key");
	snprintf(text, sizeof(text),
		 "%s[key k2]\nowner = pnp\nsign_public = %s\n"
		 "transport_public = %s\n",
		 keyhead, fx->pnp_sign, fx->mp_curve);
	expect_error(fx, text, 9, "same key");
	/* An owner that is not in the file; a key with no owner. */
	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n[key k]\nowner = mp\n"
		 "sign_public = %s\ntransport_public = %s\n",
		 fx->mp_sign, fx->mp_curve);
	expect_error(fx, text, 4, "\"mp\"");
	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n[key k]\n"
		 "sign_public = %s\ntransport_public = %s\n",
		 fx->mp_sign, fx->mp_curve);
	expect_error(fx, text, 3, "owner missing");
	/* Half a key. */
	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n[key k]\nowner = pnp\n"
		 "sign_public = %s\n",
		 fx->mp_sign);
	expect_error(fx, text, 3, "transport_public");
	/* A client without a role. */
	expect_error(fx,
		     "[client ana]\n[key k]\nowner = ana\n"
		     "sign_public = x\n",
		     4, "sign_public");
	/* (A client section with no lines at all is never seen by the
	 * parser: see test_empty_section.) */
	/* Missing file. */
	{
		struct registry *r = NULL;
		char err[512];
		assert_int_equal(registry_load("/nonexistent/registry.conf", &r,
					       err, sizeof(err)),
				 -ENOENT);
		assert_non_null(strstr(err, "/nonexistent/registry.conf"));
	}
}

/* An owner that is unknown is reported with the file, but without the
 * line of its [key] section, unlike every other error. */
static void
test_unknown_owner_line(void **state)
{
	struct fixture *fx = *state;
	char text[1024];

	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n[key k]\nowner = mp\n"
		 "sign_public = %s\ntransport_public = %s\n",
		 fx->mp_sign, fx->mp_curve);
	expect_error(fx, text, 4, "\"mp\"");
}

/* A key repeated inside one section silently overwrites the first. */
static void
test_repeated_line(void **state)
{
	struct fixture *fx = *state;
	char text[1024];

	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n[key k]\nowner = pnp\n"
		 "sign_public = %s\ntransport_public = %s\n"
		 "valid_from = 2026-01-01\nvalid_from = 2020-01-01\n",
		 fx->mp_sign, fx->mp_curve);
	expect_error(fx, text, 8, "valid_from");
	expect_error(fx,
		     "[institution pnp]\nkinds = referral\nkinds = "
		     "referral service\n",
		     3, "kinds");
}

/*
 * The same section header twice in a row, which the parser takes as one
 * section, is refused as a section given twice, with both lines, not as
 * its second line given twice ("owner: given twice").
 */
static void
test_adjacent_duplicate_section(void **state)
{
	struct fixture *fx = *state;
	char text[1024];

	expect_error(fx,
		     "[institution pnp]\nkinds = referral\n"
		     "[institution pnp]\nkinds = service\n",
		     3, "[institution pnp] given twice (first at line 1)");
	snprintf(text, sizeof(text),
		 "[institution pnp]\n[key k]\nowner = pnp\n"
		 "sign_public = %s\ntransport_public = %s\n\n"
		 "[key k]\nowner = pnp\n",
		 fx->pnp_sign, fx->pnp_curve);
	expect_error(fx, text, 7, "[key k] given twice (first at line 2)");
	/* Both empty; and after a byte order mark, which the parser skips. */
	expect_error(fx, "\xef\xbb\xbf[institution pj]\n[institution pj]\n", 2,
		     "[institution pj] given twice (first at line 1)");
	/* A line too long to read at once is not taken for a header where
	 * it is cut: here a comment of 1023 bytes and then "[institution
	 * pj]" on the same line; the line is refused for its length. */
	{
		struct registry *r = NULL;
		char big[1200], err[512] = "";
		memset(big, 'x', 1023);
		big[0] = '#';
		snprintf(big + 1023, sizeof(big) - 1023,
			 "[institution pj]\n[institution pj]\n");
		write_registry(fx, big);
		assert_int_equal(registry_load(fx->path, &r, err, sizeof(err)),
				 -EINVAL);
		if (strstr(err, ":1: line longer than") == NULL)
			fail_msg("%s", err);
	}
}

/*
 * A section with no lines is still judged: "[client x]" alone is refused
 * for its missing role, a misspelt "[institutoin pnp]" for its kind.
 */
static void
test_empty_section(void **state)
{
	struct fixture *fx = *state;

	expect_error(fx, "[client ana]\n[institution pnp]\nkinds = referral\n",
		     1, "[client ana]: role missing");
	expect_error(fx,
		     "[institution pnp]\nkinds = referral\n\n[client ana]\n"
		     "# no role yet\n",
		     4, "[client ana]: role missing");
	expect_error(fx, "[institutoin pnp]\n", 1, "institutoin");
}

/*
 * An institution relying on both defaults is written "[institution mp]"
 * with nothing under it, and is registered all the same, on the file's
 * first line after a byte order mark too.
 */
static void
test_institution_all_defaults(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	char text[1024], err[512] = "";
	const struct reg_party *mp;

	snprintf(text, sizeof(text),
		 "[institution mp]\n\n[key mp-1]\nowner = mp\n"
		 "sign_public = %s\ntransport_public = %s\n",
		 fx->mp_sign, fx->mp_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	mp = registry_institution(r, INST_MP);
	assert_non_null(mp);
	assert_true(mp->kinds & (1u << KIND_CASE_STAGE));
	assert_true(mp->stages & (1u << STAGE_ACCUSATION));
	registry_free(&r);

	/* The same after a byte order mark, as a Windows editor saves it. */
	snprintf(text, sizeof(text),
		 "\xef\xbb\xbf[institution mp]\n\n[key mp-1]\nowner = mp\n"
		 "sign_public = %s\ntransport_public = %s\n",
		 fx->mp_sign, fx->mp_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(registry_institution(r, INST_MP));
	registry_free(&r);
}

/*
 * A duplicate section with no lines is skipped without a word when a
 * party or key of that id exists already, whatever its kind: a
 * "[client pnp]" after "[institution pnp]" is neither an error nor a
 * client.
 */
static void
test_empty_duplicate_section(void **state)
{
	struct fixture *fx = *state;

	expect_error(fx, "[institution pnp]\nkinds = referral\n[client pnp]\n",
		     3, "twice");
	expect_error(fx,
		     "[institution pnp]\n[client ana]\nrole = analyst\n"
		     "[institution pnp]\n",
		     4, "twice");
}

/* A window that ends before it starts is accepted: a key that is never
 * valid, which is surely a typing mistake. */
static void
test_window_order(void **state)
{
	struct fixture *fx = *state;
	char text[1024];

	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n[key k]\nowner = pnp\n"
		 "sign_public = %s\ntransport_public = %s\n"
		 "valid_from = 2027-01-01\nvalid_until = 2026-01-01\n",
		 fx->mp_sign, fx->mp_curve);
	expect_error(fx, text, 3, "valid_until");
}

static void
test_valid_at(void **state)
{
	struct reg_key k;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.valid_from_ms = 1000;
	k.valid_until_ms = 2000;
	k.revoked_ms = UINT64_MAX;
	assert_false(registry_key_valid_at(&k, 0));
	assert_false(registry_key_valid_at(&k, 999));
	assert_true(registry_key_valid_at(&k, 1000)); /* inclusive */
	assert_true(registry_key_valid_at(&k, 1999));
	assert_false(registry_key_valid_at(&k, 2000)); /* exclusive */
	assert_false(registry_key_valid_at(&k, UINT64_MAX));
	k.revoked_ms = 1500;
	assert_true(registry_key_valid_at(&k, 1499));
	assert_false(registry_key_valid_at(&k, 1500)); /* exclusive */
	assert_false(registry_key_valid_at(&k, 1700));
	/* Revoked before it starts: never valid. */
	k.revoked_ms = 500;
	assert_false(registry_key_valid_at(&k, 1000));
	/* Open windows. */
	k.valid_from_ms = 0;
	k.valid_until_ms = UINT64_MAX;
	k.revoked_ms = UINT64_MAX;
	assert_true(registry_key_valid_at(&k, 0));
	assert_true(registry_key_valid_at(&k, UINT64_MAX - 1));
	assert_false(registry_key_valid_at(&k, UINT64_MAX));
}

/*
 * Revoked after a sequence: envelopes up to it stay valid whatever their
 * time says, later ones are not even dated years back, and the key
 * admits nobody any more.
 */
static void
test_revoked_after_seq(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	const struct reg_key *k;
	char text[2048], err[512] = "";

	snprintf(text, sizeof(text),
		 "[institution pnp]\n"
		 "[key pnp-1]\nowner = pnp\nsign_public = %s\n"
		 "transport_public = %s\n"
		 "revoked = 2026-06-30T12:00:00Z\n"
		 "revoked_after_seq = 1200\n"
		 "[client ana]\nrole = analyst\n",
		 fx->pnp_sign, fx->pnp_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	k = registry_key_by_name(r, "pnp-1");
	assert_non_null(k);
	assert_null(registry_key_by_name(r, "pnp-2"));
	assert_int_equal(k->revoked_after_seq, 1200);
	assert_true(registry_key_signs(k, ms_of(2026, 3, 1, 0, 0, 0), 1200));
	assert_false(registry_key_signs(k, ms_of(2026, 3, 1, 0, 0, 0), 1201));
	assert_false(registry_key_signs(k, ms_of(2020, 1, 1, 0, 0, 0), 1201));
	/* Created after the revocation time by the genuine node, before the
	 * theft was noticed: its sequence counts, the time is the record's. */
	assert_true(registry_key_signs(k, ms_of(2026, 7, 1, 0, 0, 0), 5));
	assert_true(registry_key_signs(k, ms_of(2026, 7, 1, 0, 0, 0), 1200));
	assert_false(registry_key_signs(k, ms_of(2026, 7, 1, 0, 0, 0), 1201));
	/* Revoked by sequence: no longer admitted, even before the time. */
	assert_false(registry_key_admits(k, ms_of(2026, 3, 1, 0, 0, 0)));
	assert_null(registry_by_transport(r, fx->pnp->curve_pk,
					  ms_of(2026, 3, 1, 0, 0, 0)));
	registry_free(&r);

	/* Not a number, or too big; and not for a client's key. */
	snprintf(text, sizeof(text),
		 "[institution pnp]\n"
		 "[key pnp-1]\nowner = pnp\nsign_public = %s\n"
		 "transport_public = %s\nrevoked_after_seq = twelve\n",
		 fx->pnp_sign, fx->pnp_curve);
	expect_error(fx, text, 6, "revoked_after_seq");
	snprintf(text, sizeof(text),
		 "[institution pnp]\n"
		 "[key pnp-1]\nowner = pnp\nsign_public = %s\n"
		 "transport_public = %s\n"
		 "revoked_after_seq = 18446744073709551615\n",
		 fx->pnp_sign, fx->pnp_curve);
	expect_error(fx, text, 6, "revoked_after_seq");
	snprintf(text, sizeof(text),
		 "[institution pnp]\n[client ana]\nrole = analyst\n"
		 "[key ana-1]\nowner = ana\nsign_public = %s\n"
		 "transport_public = %s\nrevoked_after_seq = 3\n",
		 fx->pnp_sign, fx->pnp_curve);
	expect_error(fx, text, 4, "client");
	/* 0: nothing it signed is valid. */
	snprintf(text, sizeof(text),
		 "[institution pnp]\n"
		 "[key pnp-1]\nowner = pnp\nsign_public = %s\n"
		 "transport_public = %s\nrevoked_after_seq = 0\n",
		 fx->pnp_sign, fx->pnp_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_false(
	    registry_key_signs(registry_key_by_name(r, "pnp-1"), 0, 1));
	registry_free(&r);
}

/*
 * An institution's query client: a [client] of role institution bound to
 * one institution. It sees that institution's tables, but it is not the
 * institution's node: registry_institution never finds it, so its key
 * signs no event, and only an [institution]'s keys are nodes.
 */
static void
test_institution_client(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	const struct reg_party *node, *stats;
	const struct reg_key *k;
	char text[2048], err[512] = "";

	/* The client before the institution: registry_institution must
	 * still find the node, not the first party for pnp. */
	snprintf(text, sizeof(text),
		 "[client pnp-stats]\ninstitution = pnp\nrole = institution\n"
		 "[key pnp-stats-1]\nowner = pnp-stats\nsign_public = %s\n"
		 "transport_public = %s\nrevoked = 2026-06-30T12:00:00Z\n"
		 "[institution pnp]\n"
		 "[key pnp-1]\nowner = pnp\nsign_public = %s\n"
		 "transport_public = %s\n",
		 fx->sec_sign, fx->sec_curve, fx->pnp_sign, fx->pnp_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	stats = registry_party(r, "pnp-stats");
	node = registry_party(r, "pnp");
	assert_non_null(stats);
	assert_non_null(node);
	assert_int_equal(stats->role, ROLE_INSTITUTION);
	assert_int_equal(stats->inst, INST_PNP);
	assert_false(stats->node);
	assert_int_equal(stats->kinds, 0);
	assert_true(node->node);
	assert_int_equal(node->role, ROLE_INSTITUTION);
	assert_ptr_equal(registry_institution(r, INST_PNP), node);
	/* Its key: admitted while valid, revoked like any other. */
	k = registry_by_transport(r, fx->sec->curve_pk,
				  ms_of(2026, 6, 30, 11, 59, 59));
	assert_non_null(k);
	assert_ptr_equal(k->owner, stats);
	assert_null(registry_by_transport(r, fx->sec->curve_pk,
					  ms_of(2026, 6, 30, 12, 0, 0)));
	/* ... and it is no key of the node's. */
	assert_null(registry_by_key_id(r, node, fx->sec->key_id));
	registry_free(&r);

	/* role = institution without its institution, and the reverse. */
	/* At the line that asks for it. */
	expect_error(
	    fx, "[client pnp-stats]\nrole = institution\n", 2,
	    "[client pnp-stats]: role = institution needs institution");
	expect_error(fx,
		     "[client pnp-stats]\n# the officers\nrole= institution\n"
		     "[client ana]\nrole = analyst\n",
		     3, "needs institution");
	expect_error(
	    fx, "[client ana]\nrole = analyst\ninstitution = pnp\n", 3,
	    "[client ana]: institution is only for role = institution");
	expect_error(fx,
		     "[client pnp-stats]\nrole = institution\n"
		     "institution = police\n",
		     3, "institution");
	/* Not a node: no kinds, no stages, no revoked_after_seq. */
	expect_error(fx,
		     "[client pnp-stats]\nrole = institution\n"
		     "institution = pnp\nkinds = referral\n",
		     4, "kinds");
	expect_error(fx, "[institution pnp]\ninstitution = pnp\n", 2,
		     "institution");
	snprintf(text, sizeof(text),
		 "[client pnp-stats]\nrole = institution\ninstitution = pnp\n"
		 "[key s-1]\nowner = pnp-stats\nsign_public = %s\n"
		 "transport_public = %s\nrevoked_after_seq = 3\n",
		 fx->sec_sign, fx->sec_curve);
	expect_error(fx, text, 4, "node key");
}

/*
 * An institution's query client whose institution has no node: let in,
 * but warned of, at its key's owner line, since it would see only zeros.
 */
static void
test_nodeless_client(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	char text[2048], err[512] = "", want[600];

	snprintf(text, sizeof(text),
		 "[institution pnp]\n"
		 "[client mp-stats]\nrole = institution\ninstitution = mp\n"
		 "[key mp-stats-1]\nowner = mp-stats\nsign_public = %s\n"
		 "transport_public = %s\n",
		 fx->sec_sign, fx->sec_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(r->n_warnings, 1);
	snprintf(want, sizeof(want),
		 "%s:6: warning: [key mp-stats-1]: its owner [client "
		 "mp-stats] asks for mp's tables, but there is no "
		 "[institution mp]: it will only ever see zeros",
		 fx->path);
	assert_string_equal(r->warnings[0], want);
	registry_free(&r);

	/* With its node, or for its own node's key: nothing to say. */
	snprintf(text, sizeof(text),
		 "[institution mp]\n"
		 "[client mp-stats]\nrole = institution\ninstitution = mp\n"
		 "[key mp-stats-1]\nowner = mp-stats\nsign_public = %s\n"
		 "transport_public = %s\n"
		 "[key mp-1]\nowner = mp\nsign_public = %s\n"
		 "transport_public = %s\n",
		 fx->sec_sign, fx->sec_curve, fx->mp_sign, fx->mp_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(r->n_warnings, 0);
	registry_free(&r);
	write_full(fx);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	/* (Its pnp key is revoked: test_no_valid_key's warning.) */
	for (size_t i = 0; i < r->n_warnings; i++)
		assert_null(strstr(r->warnings[i], "only ever see zeros"));
	registry_free(&r);
}

/*
 * A party none of whose keys is valid now loads, and is warned of at its
 * last key: its node (or client) would be turned away with no word at
 * the reload. One valid key among them is enough.
 */
static void
test_no_valid_key(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	char text[2048], err[512] = "", want[600];
	static const char *const dead[] = {
	    "valid_until = 2001-01-01\n",
	    "valid_from = 2999-01-01\n",
	    "revoked = 2001-01-01\n",
	};
	size_t i;

	for (i = 0; i < sizeof(dead) / sizeof(dead[0]); i++) {
		snprintf(text, sizeof(text),
			 "[institution mp]\n"
			 "[key mp-1]\nowner = mp\nsign_public = %s\n"
			 "transport_public = %s\n%s",
			 fx->mp_sign, fx->mp_curve, dead[i]);
		write_registry(fx, text);
		if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(r->n_warnings, 1);
		snprintf(want, sizeof(want),
			 "%s:2: warning: [institution mp]: none of its keys is "
			 "valid now (expired, not yet valid or revoked; its "
			 "last is [key mp-1]): its node is turned away until "
			 "one is",
			 fx->path);
		assert_string_equal(r->warnings[0], want);
		registry_free(&r);
	}
	/* A client's key likewise. */
	snprintf(text, sizeof(text),
		 "[client ana]\nrole = analyst\n"
		 "[key ana-1]\nowner = ana\nsign_public = %s\n"
		 "transport_public = %s\nvalid_until = 2001-01-01\n",
		 fx->sec_sign, fx->sec_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(r->n_warnings, 1);
	assert_non_null(
	    strstr(r->warnings[0], "[client ana]: none of its keys"));
	assert_non_null(strstr(r->warnings[0], "its queries are refused"));
	registry_free(&r);
	/* A rotation: the old key expired, the new one valid: nothing. */
	snprintf(text, sizeof(text),
		 "[institution mp]\n"
		 "[key mp-old]\nowner = mp\nsign_public = %s\n"
		 "transport_public = %s\nvalid_until = 2001-01-01\n"
		 "[key mp-new]\nowner = mp\nsign_public = %s\n"
		 "transport_public = %s\nvalid_from = 2000-06-01\n",
		 fx->mp_sign, fx->mp_curve, fx->sec_sign, fx->sec_curve);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(r->n_warnings, 0);
	registry_free(&r);
}

static void
test_lookups(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	const struct reg_party *pnp, *mp, *sec;
	const struct reg_key *pk;
	char err[512];
	uint64_t from = ms_of(2026, 1, 1, 0, 0, 0);
	uint64_t revoked = ms_of(2026, 6, 30, 12, 0, 0);
	uint8_t zero[CURVE_KEY_LEN] = {0};

	write_full(fx);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	pnp = registry_party(r, "pnp");
	mp = registry_party(r, "mp");
	sec = registry_party(r, "secretariat");
	pk = &r->keys[0];

	/* By transport key: only while valid. */
	assert_null(registry_by_transport(r, fx->pnp->curve_pk, from - 1));
	assert_ptr_equal(registry_by_transport(r, fx->pnp->curve_pk, from), pk);
	assert_ptr_equal(
	    registry_by_transport(r, fx->pnp->curve_pk, revoked - 1), pk);
	assert_null(registry_by_transport(r, fx->pnp->curve_pk, revoked));
	assert_null(registry_by_transport(r, zero, from));
	assert_null(registry_by_transport(r, fx->extra->curve_pk, from));
	assert_ptr_equal(registry_by_transport(r, fx->mp->curve_pk, 0),
			 &r->keys[1]);
	assert_null(registry_by_transport(r, fx->sec->curve_pk,
					  ms_of(2026, 1, 31, 23, 59, 59)));
	assert_ptr_equal(registry_by_transport(r, fx->sec->curve_pk,
					       ms_of(2026, 2, 1, 0, 0, 0)),
			 &r->keys[2]);

	/* By key id: only the owner's, whatever the time. */
	assert_ptr_equal(registry_by_key_id(r, pnp, fx->pnp->key_id), pk);
	assert_null(registry_by_key_id(r, mp, fx->pnp->key_id));
	assert_null(registry_by_key_id(r, sec, fx->pnp->key_id));
	assert_ptr_equal(registry_by_key_id(r, mp, fx->mp->key_id),
			 &r->keys[1]);
	assert_null(registry_by_key_id(r, pnp, fx->mp->key_id));
	assert_null(registry_by_key_id(r, pnp, fx->extra->key_id));
	assert_null(registry_by_key_id(r, NULL, fx->pnp->key_id));
	registry_free(&r);
}

/* A new key for an institution: both are found while both are valid. */
static void
test_rotation(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	const struct reg_party *pnp;
	char text[2048], err[512];

	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n"
		 "[key old]\nowner = pnp\npublic_key = keys/pnp.pub\n"
		 "valid_until = 2026-07-01\n"
		 "[key new]\nowner = pnp\npublic_key = %s/keys/extra.pub\n"
		 "valid_from = 2026-06-01\n",
		 fx->dir);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	pnp = registry_party(r, "pnp");
	assert_ptr_equal(registry_by_key_id(r, pnp, fx->pnp->key_id),
			 &r->keys[0]);
	assert_ptr_equal(registry_by_key_id(r, pnp, fx->extra->key_id),
			 &r->keys[1]);
	assert_non_null(registry_by_transport(r, fx->pnp->curve_pk,
					      ms_of(2026, 6, 15, 0, 0, 0)));
	assert_non_null(registry_by_transport(r, fx->extra->curve_pk,
					      ms_of(2026, 6, 15, 0, 0, 0)));
	assert_null(registry_by_transport(r, fx->pnp->curve_pk,
					  ms_of(2026, 7, 1, 0, 0, 0)));
	assert_null(registry_by_transport(r, fx->extra->curve_pk,
					  ms_of(2026, 5, 31, 23, 59, 59)));
	registry_free(&r);
}

/* -n's list of the institutions with a node, and of those without. */
static void
test_nodes_text(void **state)
{
	struct fixture *fx = *state;
	struct registry *r = NULL;
	char text[2048], err[512], out[96], tiny[12];

	snprintf(text, sizeof(text),
		 "[institution pnp]\nkinds = referral\n"
		 "[key pnp-1]\nowner = pnp\npublic_key = keys/pnp.pub\n"
		 "[institution mimp]\nkinds = referral\n"
		 "[key mimp-1]\nowner = mimp\npublic_key = %s/keys/extra.pub\n"
		 "[institution pj]\nkinds = referral\n",
		 fx->dir);
	write_registry(fx, text);
	if (registry_load(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(registry_nodes_text(r, out, sizeof(out)),
			    "nodes of pnp, mimp; none of mp, pj, minsa");
	/* Cut short, never past the buffer. */
	assert_string_equal(registry_nodes_text(r, tiny, sizeof(tiny)),
			    "nodes of pn");
	registry_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_load_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transport_name, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_network, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_owner_line, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_repeated_line, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_adjacent_duplicate_section,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_section, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_institution_all_defaults,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_duplicate_section, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_window_order, setup, teardown),
	    cmocka_unit_test(test_valid_at),
	    cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_revoked_after_seq, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_institution_client, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_no_valid_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nodeless_client, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_nodes_text, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
