/* test_event.c - names of the enumerations and event_check (event.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "event.h"

static void
test_institutions(void **state)
{
	static const char *const want[] = {"pnp", "mp", "pj", "mimp", "minsa"};

	(void)state;
	for (int i = 1; i <= INST_COUNT; i++) {
		assert_string_equal(institution_name((enum institution)i),
				    want[i - 1]);
		assert_int_equal(institution_from_name(want[i - 1]), i);
	}
	assert_null(institution_name(INST_NONE));
	assert_null(institution_name((enum institution)(INST_COUNT + 1)));
	assert_null(institution_name((enum institution) - 1));
	assert_int_equal(institution_from_name("PNP"), INST_NONE);
	assert_int_equal(institution_from_name(""), INST_NONE);
	assert_int_equal(institution_from_name(NULL), INST_NONE);
}

static void
test_kinds(void **state)
{
	static const char *const want[] = {
	    "identification", "referral",   "referral_received", "service",
	    "case_stage",     "correction", "withdrawal"};

	(void)state;
	for (int i = 1; i <= KIND_COUNT; i++) {
		assert_string_equal(kind_name((enum kind)i), want[i - 1]);
		assert_int_equal(kind_from_name(want[i - 1]), i);
	}
	assert_null(kind_name(KIND_NONE));
	assert_null(kind_name((enum kind)(KIND_COUNT + 1)));
	assert_int_equal(kind_from_name("identification "), KIND_NONE);
}

static void
test_sexes_and_ages(void **state)
{
	static const char *const groups[] = {"0-5", "6-11", "12-13", "14-17",
					     "18+"};

	(void)state;
	assert_string_equal(sex_name(SEX_F), "F");
	assert_string_equal(sex_name(SEX_M), "M");
	assert_string_equal(sex_name(SEX_U), "U");
	assert_null(sex_name(SEX_NONE));
	assert_int_equal(sex_from_name("F"), SEX_F);
	assert_int_equal(sex_from_name("M"), SEX_M);
	assert_int_equal(sex_from_name("U"), SEX_U);
	assert_int_equal(sex_from_name("f"), SEX_NONE);
	for (int i = 1; i <= AGE_GROUP_COUNT; i++)
		assert_string_equal(age_group_name((enum age_group)i),
				    groups[i - 1]);
	assert_null(age_group_name(AGE_NONE));
	assert_null(age_group_name((enum age_group)(AGE_GROUP_COUNT + 1)));

	assert_int_equal(age_group_of(0), AGE_0_5);
	assert_int_equal(age_group_of(5), AGE_0_5);
	assert_int_equal(age_group_of(6), AGE_6_11);
	assert_int_equal(age_group_of(11), AGE_6_11);
	assert_int_equal(age_group_of(12), AGE_12_13);
	assert_int_equal(age_group_of(13), AGE_12_13);
	assert_int_equal(age_group_of(14), AGE_14_17);
	assert_int_equal(age_group_of(17), AGE_14_17);
	assert_int_equal(age_group_of(18), AGE_18_PLUS);
	assert_int_equal(age_group_of(120), AGE_18_PLUS);
	assert_int_equal(age_group_of(4000000000u), AGE_18_PLUS);
}

static void
test_lists(void **state)
{
	static const char *const expl[] = {"sexual",
					   "labour",
					   "begging",
					   "forced_criminality",
					   "domestic_servitude",
					   "forced_marriage",
					   "illegal_adoption",
					   "organ_removal",
					   "other"};
	static const char *const purposes[] = {"protection", "health",
					       "justice"};
	static const char *const services[] = {
	    "residential_care", "special_protection", "mental_health",
	    "medical",		"legal_aid",	      "reintegration"};
	static const char *const stages[] = {"complaint",
					     "preliminary_investigation",
					     "formalized_investigation",
					     "accusation",
					     "trial",
					     "conviction",
					     "acquittal",
					     "dismissal"};

	(void)state;
	for (int i = 1; i <= EXPL_COUNT; i++) {
		assert_string_equal(exploitation_name((enum exploitation)i),
				    expl[i - 1]);
		assert_int_equal(exploitation_from_name(expl[i - 1]), i);
	}
	assert_null(exploitation_name((enum exploitation)(EXPL_COUNT + 1)));
	assert_int_equal(exploitation_from_name("labor"), EXPL_NONE);
	for (int i = 1; i <= PURPOSE_COUNT; i++) {
		assert_string_equal(purpose_name((enum purpose)i),
				    purposes[i - 1]);
		assert_int_equal(purpose_from_name(purposes[i - 1]), i);
	}
	assert_null(purpose_name(PURPOSE_NONE));
	assert_int_equal(purpose_from_name("care"), PURPOSE_NONE);
	for (int i = 1; i <= SERVICE_COUNT; i++) {
		assert_string_equal(service_name((enum service)i),
				    services[i - 1]);
		assert_int_equal(service_from_name(services[i - 1]), i);
	}
	assert_null(service_name((enum service)(SERVICE_COUNT + 1)));
	assert_int_equal(service_from_name(NULL), SERVICE_NONE);
	for (int i = 1; i <= STAGE_COUNT; i++) {
		assert_string_equal(stage_name((enum stage)i), stages[i - 1]);
		assert_int_equal(stage_from_name(stages[i - 1]), i);
	}
	assert_null(stage_name((enum stage)(STAGE_COUNT + 1)));
	assert_int_equal(stage_from_name("Trial"), STAGE_NONE);
	assert_int_equal(STAGE_MAIN_LAST, STAGE_CONVICTION);
}

static void
fill_victim(struct victim *v)
{
	v->doc_type = DOC_DNI;
	memset(v->doc_key, 0xab, sizeof(v->doc_key));
	v->has_name_key = true;
	memset(v->name_key, 0xcd, sizeof(v->name_key));
	v->sex = SEX_F;
	v->age_years = 15;
	v->age_group = AGE_14_17;
	memcpy(v->nationality, "PE", 3);
}

/* A valid event of the given kind. */
static void
make(struct event *ev, enum kind kind)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	if (kind == KIND_WITHDRAWAL)
		return;
	ev->rec.kind = kind == KIND_CORRECTION ? KIND_SERVICE : kind;
	ev->rec.date = date_from_ymd(2026, 3, 10);
	ev->rec.region = 15;
	fill_victim(&ev->rec.victim);
	ev->rec.exploitation = 1u << EXPL_SEXUAL | 1u << EXPL_OTHER;
	ev->rec.other = INST_MIMP;
	ev->rec.purpose = PURPOSE_HEALTH;
	ev->rec.service = SERVICE_MEDICAL;
	ev->rec.stage = STAGE_TRIAL;
	ev->rec.persons = 3;
	memcpy(ev->rec.article, "129-A", 6);
	ev->rec.n_victims = 2;
	fill_victim(&ev->rec.victims[0]);
	fill_victim(&ev->rec.victims[1]);
}

static void
test_check_valid(void **state)
{
	struct event ev;
	const char *why = "untouched";

	(void)state;
	for (int k = 1; k <= KIND_COUNT; k++) {
		make(&ev, (enum kind)k);
		assert_int_equal(event_check(&ev, &why), 0);
		assert_string_equal(why, "untouched");
	}
	make(&ev, KIND_CASE_STAGE);
	ev.rec.n_victims = 0;
	assert_int_equal(event_check(&ev, NULL), 0);
	ev.rec.n_victims = EVENT_MAX_CASE_VICTIMS;
	for (size_t i = 0; i < EVENT_MAX_CASE_VICTIMS; i++)
		fill_victim(&ev.rec.victims[i]);
	ev.rec.persons = EVENT_MAX_PERSONS;
	assert_int_equal(event_check(&ev, NULL), 0);
	/* Slavery's article, 129-Ñ: the one letter outside ASCII. */
	make(&ev, KIND_CASE_STAGE);
	memcpy(ev.rec.article, "129-\xc3\x91", 7);
	assert_int_equal(event_check(&ev, NULL), 0);
}

/* bad - asserts that ev is refused and why names the field. */
static void
bad(const struct event *ev, const char *field)
{
	const char *why = NULL;

	assert_int_equal(event_check(ev, &why), -EINVAL);
	assert_non_null(why);
	assert_non_null(strstr(why, field));
}

static void
test_check_bad(void **state)
{
	struct event ev;

	(void)state;
	make(&ev, KIND_IDENTIFICATION);
	ev.kind = KIND_NONE;
	bad(&ev, "kind");
	make(&ev, KIND_IDENTIFICATION);
	ev.kind = (enum kind)(KIND_COUNT + 1);
	bad(&ev, "kind");
	make(&ev, KIND_IDENTIFICATION);
	ev.rec.kind = KIND_SERVICE;
	bad(&ev, "kind");
	make(&ev, KIND_CORRECTION);
	ev.rec.kind = KIND_WITHDRAWAL;
	bad(&ev, "kind");
	make(&ev, KIND_CORRECTION);
	ev.rec.kind = KIND_NONE;
	bad(&ev, "kind");

	make(&ev, KIND_IDENTIFICATION);
	ev.rec.date = date_from_ymd(1999, 12, 31);
	bad(&ev, "date");
	make(&ev, KIND_IDENTIFICATION);
	ev.rec.region = 0;
	bad(&ev, "region");
	make(&ev, KIND_IDENTIFICATION);
	ev.rec.region = 26;
	bad(&ev, "region");

	make(&ev, KIND_IDENTIFICATION);
	ev.rec.victim.sex = SEX_NONE;
	bad(&ev, "sex");
	make(&ev, KIND_SERVICE);
	ev.rec.victim.sex = (enum sex)4;
	bad(&ev, "sex");
	make(&ev, KIND_IDENTIFICATION);
	ev.rec.victim.age_years = 121;
	bad(&ev, "age");
	make(&ev, KIND_IDENTIFICATION);
	ev.rec.victim.age_group = AGE_18_PLUS;
	bad(&ev, "age group");
	make(&ev, KIND_IDENTIFICATION);
	ev.rec.victim.age_group = AGE_NONE;
	bad(&ev, "age group");
	make(&ev, KIND_IDENTIFICATION);
	memcpy(ev.rec.victim.nationality, "pe", 3);
	bad(&ev, "nationality");
	make(&ev, KIND_IDENTIFICATION);
	memcpy(ev.rec.victim.nationality, "PER", 3);
	bad(&ev, "nationality");

	make(&ev, KIND_IDENTIFICATION);
	ev.rec.exploitation = 0;
	bad(&ev, "exploitation");
	make(&ev, KIND_IDENTIFICATION);
	ev.rec.exploitation = 1; /* bit of EXPL_NONE */
	bad(&ev, "exploitation");
	make(&ev, KIND_IDENTIFICATION);
	ev.rec.exploitation = 1u << (EXPL_COUNT + 1);
	bad(&ev, "exploitation");

	make(&ev, KIND_REFERRAL);
	ev.rec.purpose = PURPOSE_NONE;
	bad(&ev, "purpose");
	make(&ev, KIND_REFERRAL);
	ev.rec.other = INST_NONE;
	bad(&ev, "institution");
	make(&ev, KIND_REFERRAL_RECEIVED);
	ev.rec.other = (enum institution)6;
	bad(&ev, "institution");
	make(&ev, KIND_SERVICE);
	ev.rec.service = (enum service)(SERVICE_COUNT + 1);
	bad(&ev, "service");

	make(&ev, KIND_CASE_STAGE);
	ev.rec.stage = STAGE_NONE;
	bad(&ev, "stage");
	make(&ev, KIND_CASE_STAGE);
	ev.rec.persons = EVENT_MAX_PERSONS + 1;
	bad(&ev, "persons");
	make(&ev, KIND_CASE_STAGE);
	ev.rec.article[0] = '\0';
	bad(&ev, "article");
	make(&ev, KIND_CASE_STAGE);
	memset(ev.rec.article, 'A', sizeof(ev.rec.article));
	bad(&ev, "article");
	make(&ev, KIND_CASE_STAGE);
	ev.rec.article[1] = '\n';
	bad(&ev, "article");
	make(&ev, KIND_CASE_STAGE);
	memcpy(ev.rec.article, "129-\xc3\x89", 7); /* an É */
	bad(&ev, "article");
	make(&ev, KIND_CASE_STAGE);
	memcpy(ev.rec.article, "129-\xc3", 6); /* half an Ñ */
	bad(&ev, "article");
	make(&ev, KIND_CASE_STAGE);
	ev.rec.n_victims = EVENT_MAX_CASE_VICTIMS + 1;
	bad(&ev, "victims");
	make(&ev, KIND_CASE_STAGE);
	ev.rec.victims[1].sex = SEX_NONE;
	bad(&ev, "sex");
	make(&ev, KIND_IDENTIFICATION);
	ev.rec.victim.doc_type = (enum doc_type)(DOC_TYPE_COUNT + 1);
	bad(&ev, "document type");
	make(&ev, KIND_CASE_STAGE);
	ev.rec.victims[1].has_v1_key = true;
	bad(&ev, "versions");
	/* A case stage has no victim field of its own to check. */
	make(&ev, KIND_CASE_STAGE);
	ev.rec.victim.sex = SEX_NONE;
	assert_int_equal(event_check(&ev, NULL), 0);
	/* A withdrawal carries no record. */
	make(&ev, KIND_WITHDRAWAL);
	ev.rec.region = 99;
	assert_int_equal(event_check(&ev, NULL), 0);
}

static void
test_doc_types(void **state)
{
	static const char *const names[] = {"DNI", "CE",  "PASSPORT",
					    "PTP", "CPP", "OTHER"};

	(void)state;
	for (int i = 1; i <= DOC_TYPE_COUNT; i++) {
		assert_string_equal(doc_type_name((enum doc_type)i),
				    names[i - 1]);
		assert_int_equal(doc_type_from_name(names[i - 1]), i);
	}
	assert_null(doc_type_name(DOC_NONE));
	assert_null(doc_type_name((enum doc_type)(DOC_TYPE_COUNT + 1)));
	assert_int_equal(doc_type_from_name("dni"), DOC_NONE);
}

/* Which keys a victim may carry under each schema version. */
static void
test_versions(void **state)
{
	struct event ev;

	(void)state;
	make(&ev, KIND_IDENTIFICATION);
	assert_true(victim_linkable(&ev.rec.victim));
	assert_true(event_fits_version(&ev, 3));
	assert_false(event_fits_version(&ev, 2));
	assert_false(event_fits_version(&ev, 1));
	assert_false(event_fits_version(&ev, 4));
	assert_false(event_fits_version(&ev, 0));
	/* A victim of schema version 2 (or 1): its one key. */
	ev.rec.victim.doc_type = DOC_NONE;
	ev.rec.victim.has_name_key = false;
	assert_false(victim_linkable(&ev.rec.victim));
	assert_true(event_fits_version(&ev, 2));
	assert_true(event_fits_version(&ev, 3)); /* unlinkable fits both */
	ev.rec.victim.has_v1_key = true;
	assert_true(victim_linkable(&ev.rec.victim));
	assert_true(event_fits_version(&ev, 2));
	assert_true(event_fits_version(&ev, 1));
	assert_false(event_fits_version(&ev, 3));
	/* Every victim of a case stage counts. */
	make(&ev, KIND_CASE_STAGE);
	assert_true(event_fits_version(&ev, 3));
	ev.rec.victims[1].doc_type = DOC_NONE;
	ev.rec.victims[1].has_name_key = false;
	ev.rec.victims[1].has_v1_key = true;
	assert_false(event_fits_version(&ev, 3));
	make(&ev, KIND_WITHDRAWAL);
	assert_true(event_fits_version(&ev, 2));
	assert_true(event_fits_version(&ev, 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_institutions),
	    cmocka_unit_test(test_kinds),
	    cmocka_unit_test(test_sexes_and_ages),
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_check_valid),
	    cmocka_unit_test(test_check_bad),
	    cmocka_unit_test(test_doc_types),
	    cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
