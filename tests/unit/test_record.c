/*
 * test_record.c - the JSON Lines input of EVENTS.md (record.h): a valid
 * record of every kind, a broken record for each rule with the exact
 * field and reason, idempotency, and unlinkable victims.
 *
 * Lines are written with ' for " (see J()); a real apostrophe in a name
 * is written as U+2019.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "codec.h"
#include "date.h"
#include "keys.h"
#include "norm.h"
#include "pseudo.h"
#include "record.h"

static uint8_t key[LINKAGE_KEY_LEN];
static uint8_t oprf_key[32] = {0x11, 0x22, 0x33}; /* a valid scalar */
static struct pseudo_batch *batch;
static int32_t today;
static struct parsed_record pr, pr2;
static struct record_error err;

/* The lines jansson parsed so far (-Wl,--wrap=json_loadb). */
static unsigned long lines_parsed;

json_t *__real_json_loadb(const char *buffer, size_t buflen, size_t flags,
			  json_error_t *error);
json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags,
			  json_error_t *error);

json_t *
__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags,
		  json_error_t *error)
{
	lines_parsed++;
	return __real_json_loadb(buffer, buflen, flags, error);
}

/* J - line with every ' turned into ", in a static buffer. */
static const char *
J(const char *line)
{
	static char buf[64 * 1024];
	size_t i;

	for (i = 0; line[i] != '\0' && i + 1 < sizeof(buf); i++)
		buf[i] = line[i] == '\'' ? '"' : line[i];
	buf[i] = '\0';
	return buf;
}

/*
 * parse_n - record_parse() of len bytes at s for institution inst, then
 * what a node does: the pseudonyms (here with the whole OPRF key at
 * hand) and the event id. A refused line leaves nothing in the batch.
 */
static int
parse_n(enum institution inst, const char *s, size_t len,
	struct parsed_record *ret)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	r = record_parse(s, len, inst, today, batch, ret, &err);
	if (r != 0) {
		assert_int_equal(pseudo_batch_pending(batch), 0);
		assert_int_equal(pseudo_batch_new_inputs(batch), 0);
		return r;
	}
	if (pseudo_batch_new_inputs(batch) > 0)
		assert_int_equal(pseudo_batch_local(batch, oprf_key, key), 0);
	pseudo_batch_forget(batch);
	pseudo_event_id(key, inst, ret->ref, ret->ev.id);
	return 0;
}

/* parse - record_parse() of line (J-converted) for institution inst. */
static int
parse(enum institution inst, const char *line, struct parsed_record *ret)
{
	const char *s = J(line);

	return parse_n(inst, s, strlen(s), ret);
}

/* The pseudonyms the parser should have asked for, computed alone. */
static void
expect(int what, const char *a, const char *b, int32_t days, enum sex sex,
       uint8_t out[PSEUDONYM_LEN])
{
	struct pseudo_batch *bt = pseudo_batch_new();

	assert_non_null(bt);
	switch (what) {
	case 'd':
		assert_int_equal(pseudo_add_document(bt, a, b, out), 0);
		break;
	case 'n':
		assert_int_equal(pseudo_add_name(bt, a, b, days, sex, out), 0);
		break;
	case 'c':
		assert_int_equal(pseudo_add_case(bt, a, out), 0);
		break;
	default:
		assert_int_equal(
		    pseudo_add_referral(bt, (enum institution)days, b, out), 0);
	}
	assert_int_equal(pseudo_batch_local(bt, oprf_key, key), 0);
	pseudo_batch_free(&bt);
}

/* ok - parses line and fails the test, with the reason, if refused. */
static void
ok(enum institution inst, const char *line)
{
	if (parse(inst, line, &pr) != 0)
		fail_msg("refused: %s: %s\n  %s", err.field, err.reason, line);
	if (pr.ref_identity[0] != '\0')
		fail_msg("ref flagged: %s\n  %s", pr.ref_identity, line);
	if (pr.held_only)
		fail_msg("held only: %s: %s\n  %s", err.field, err.reason,
			 line);
}

static int
setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < LINKAGE_KEY_LEN; i++)
		key[i] = (uint8_t)(0x40 + i);
	today = date_from_ymd(2026, 11, 29);
	record_init();
	if (keys_init() != 0)
		return -1;
	batch = pseudo_batch_new();
	return batch == NULL ? -1 : 0;
}

#define V_DNI                                                                  \
	"{'document':{'type':'DNI','number':'40721856'},'sex':'F',"            \
	"'nationality':'PE','age':15}"
#define V_NAMES                                                                \
	"{'given_names':'María José','surnames':'Ñahui Quispe',"            \
	"'birth_date':'2010-03-11','sex':'F','nationality':'PE'}"
#define V_ANON "{'sex':'U','nationality':'XX','age':30}"

#define L_ID                                                                   \
	"{'kind':'identification','ref':'id-1','date':'2026-03-10',"           \
	"'region':'15','victim':" V_DNI ",'exploitation':['sexual',"           \
	"'labour']}"
#define L_REF                                                                  \
	"{'kind':'referral','ref':'rf-1','date':'2026-03-10',"                 \
	"'region':'15','victim':" V_DNI ",'to':'mimp',"                        \
	"'purpose':'protection','referral_number':'of-77'}"
#define L_RR                                                                   \
	"{'kind':'referral_received','ref':'rr-1','date':'2026-03-12',"        \
	"'region':'15','victim':" V_DNI ",'from':'pnp',"                       \
	"'referral_number':' OF-77 '}"
#define L_SVC                                                                  \
	"{'kind':'service','ref':'sv-1','date':'2026-03-12',"                  \
	"'region':'17','victim':" V_NAMES ",'service':'medical'}"
#define L_CASE                                                                 \
	"{'kind':'case_stage','ref':'cs-1','date':'2026-03-10',"               \
	"'region':'21','case_number':'fis-2026-1','stage':'complaint',"        \
	"'victims':[" V_DNI "," V_NAMES "," V_ANON "],'persons':2,"            \
	"'article':'129-A'}"
#define L_COR                                                                  \
	"{'kind':'correction','ref':'co-1','target_ref':'id-1',"               \
	"'record':{'kind':'identification','date':'2026-03-11',"               \
	"'region':'16','victim':" V_DNI ",'exploitation':['begging']}}"
#define L_WD "{'kind':'withdrawal','ref':'wd-1','target_ref':'id-1'}"

/* An identification around victim v, a case stage around victims vs. */
#define IDV(v)                                                                 \
	"{'kind':'identification','ref':'id-1','date':'2026-03-10',"           \
	"'region':'15','victim':" v ",'exploitation':['sexual']}"
#define CASEV(vs)                                                              \
	"{'kind':'case_stage','ref':'cs-1','date':'2026-03-10',"               \
	"'region':'21','case_number':'F-1','stage':'trial','victims':" vs      \
	",'persons':2,'article':'153'}"
/* A line with head, then the date and region, then the body. */
#define TOP(kind, date, region, body)                                          \
	"{'kind':'" kind "','ref':'x-1','date':" date ",'region':" region      \
	"," body "}"
#define BID "'victim':" V_DNI ",'exploitation':['sexual']"

/* A victim known by her birth date, and a line around her with ref r. */
#define V_BIRTH "{'birth_date':'2015-03-12','sex':'F','nationality':'PE'}"
#define IDREF(r, v)                                                            \
	"{'kind':'identification','ref':'" r "','date':'2026-03-10',"          \
	"'region':'15','victim':" v ",'exploitation':['sexual']}"

/* A ref holding a day that is not the victim's birth date, or her birth
 * date's parts apart (a file number and its year), or a newborn's birth
 * date, which is her record's date: taken. */
static void
test_ref_not_birth(void **state)
{
	(void)state;
	ok(INST_PNP, IDREF("PNP-20260310-7", V_BIRTH));
	ok(INST_PNP, IDREF("EXP-1203-2015", V_BIRTH));
	ok(INST_PNP, IDREF("PNP-2015-1203", V_BIRTH));
	ok(INST_PNP, IDREF("PNP-20150313-1", V_BIRTH));
	/* A court file's year, incident and district; an oficio's number,
	 * month and year: a longer number, no day. */
	ok(INST_PNP, IDREF("EXP 00123-2015-03-1201-JR-PE-01", V_BIRTH));
	ok(INST_PNP, IDREF("OF 112-03-2015-DIRINCRI", V_BIRTH));
	ok(INST_PNP, IDREF("PNP-20260310-7", "{'birth_date':'2026-03-10','sex':"
					     "'F','nationality':'PE'}"));
	ok(INST_PNP, IDREF("PNP/10-03-2026", "{'birth_date':'2026-03-10','sex':"
					     "'F','nationality':'PE'}"));
}

/* A victim known by her name, accents and all. */
#define V_ZOILA                                                                \
	"{'given_names':'Zoila Marta','surnames':'Núñez de la Cruz',"        \
	"'birth_date':'2012-05-01','sex':'F','nationality':'PE'}"
#define V_APOS                                                                 \
	"{'given_names':'Ana','surnames':'O\\u0027Brien Ch\\u0027oque',"       \
	"'sex':'F','nationality':'PE','age':12}"
#define V_LORETO                                                               \
	"{'given_names':'Rosa','surnames':'Loreto Lima','sex':'F',"            \
	"'nationality':'PE','age':12}"

/* A victim with given names g and surnames s. */
#define V_GS(g, s)                                                             \
	"{'given_names':'" g "','surnames':'" s "','sex':'F',"                 \
	"'nationality':'PE','age':12}"

/* A ref whose words are not two of the victim's names of 4 letters or
 * more: one alone, as hospitals, shelters and units are named (a review's
 * examples, each for a victim who bears that one name), or a second where
 * a ref names a place by it (a department, a word after SANTA or SAN), or
 * a name only inside a longer word: taken. */
static void
test_ref_not_name(void **state)
{
	(void)state;
	ok(INST_PNP, IDREF("PNP-2025-3", V_ZOILA));
	ok(INST_PNP, IDREF("DE-LA-2025", V_ZOILA));
	ok(INST_PNP, IDREF("ZOILAS-1", V_ZOILA));
	ok(INST_PNP, IDREF("MARTAN-1", V_ZOILA));
	ok(INST_PNP, IDREF("COM-SANTA-CRUZ-44", V_ZOILA));
	ok(INST_PNP, IDREF("DIVINCRI-LORETO-12", V_LORETO));
	ok(INST_PNP, IDREF("LIMA-2025-1", V_LORETO));
	ok(INST_PNP, IDREF("COM-SANTA-ROSA-2025-4", V_LORETO));
	ok(INST_PNP, IDREF("CPNP STA. ROSA 2025-4", V_LORETO));
	ok(INST_PNP, IDREF("CAR-ROSALES-9", V_LORETO));
	ok(INST_PNP, IDREF("PNP-000123", V_NAMES));
	/* One of her names alone. */
	ok(INST_PNP, IDREF("HOSP-MARIA-AUXILIADORA-77", V_NAMES));
	ok(INST_PNP,
	   IDREF("CAR-VIRGEN-DE-FATIMA-3", V_GS("F\\u00e1tima", "Rojas Vera")));
	ok(INST_PNP,
	   IDREF("CPNP-ALFONSO-UGARTE-9", V_GS("Ana", "Ugarte Vera")));
	ok(INST_PNP, IDREF("CPNP-CRUZ-DE-MOTUPE", V_ZOILA));
	ok(INST_PNP, IDREF("MP-FPPC-TRUJILLO-1", V_GS("Ana", "Trujillo Vera")));
	ok(INST_PNP, IDREF("HOSP-LOAYZA-4", V_GS("Ana", "Loayza Vera")));
	ok(INST_PNP, IDREF("PJ-EXP-Nunez-1", V_ZOILA));
	ok(INST_PNP, IDREF("PNP-ROSA-2025", V_LORETO));
	ok(INST_PNP, IDREF("QUISPE", V_NAMES));
	/* Her one name twice is still one. */
	ok(INST_PNP, IDREF("HOSP-MARIA-MARIA-1", V_NAMES));
	/* A unit's name and one surname: the second word is the place's. */
	ok(INST_PNP, IDREF("SANTA-ROSA-QUISPE", V_GS("Rosa", "Quispe Vera")));
	ok(INST_PNP, IDREF("PNP-ROSA-LORETO-2025", V_LORETO));
}

/*
 * The cost of the name check at its worst, printed and not asserted (the
 * machine may be shared): a case stage of 256 victims each named LIMA 51
 * times over, and a ref of LIMA 13 times, a department's word that every
 * name matches and that is passed over. Folding the departments' names
 * again for each of her names took 0.5 to 2 s a line; once per ref
 * word, 50 ms.
 */
static void
test_ref_name_cost(void **state)
{
	static char line[RECORD_MAX_LINE];
	char names[256] = "LIMA";
	struct timespec a, b;
	size_t n;
	int i;

	(void)state;
	for (i = 1; i < 51; i++)
		strcat(names, " LIMA");
	n = (size_t)snprintf(
	    line, sizeof(line),
	    "{\"kind\":\"case_stage\",\"ref\":\"LIMA-LIMA-LIMA-"
	    "LIMA-LIMA-LIMA-LIMA-LIMA-LIMA-LIMA-LIMA-LIMA-LIMA\","
	    "\"date\":\"2026-03-10\",\"region\":\"21\","
	    "\"case_number\":\"F-1\",\"stage\":\"trial\","
	    "\"victims\":[");
	for (i = 0; i < 256; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n,
				      "%s{\"given_names\":\"%s\",\"surnames\":"
				      "\"%s\",\"sex\":\"F\",\"nationality\":"
				      "\"PE\",\"age\":12}",
				      i > 0 ? "," : "", names, names);
	n += (size_t)snprintf(line + n, sizeof(line) - n,
			      "],\"persons\":2,\"article\":\"153\"}");
	assert_true(n < sizeof(line));
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(parse_n(INST_PNP, line, n, &pr), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("name check, worst line (%zu bytes, 256 victims): %.1f ms\n", n,
	       (double)(b.tv_sec - a.tv_sec) * 1e3 +
		   (double)(b.tv_nsec - a.tv_nsec) / 1e6);
}

/* A ref that only shares part of the document number, or holds a
 * number shorter than 8, is no document's: taken. */
static void
test_ref_not_document(void **state)
{
	(void)state;
	ok(INST_PNP, "{'kind':'identification','ref':'PNP-1234567',"
		     "'date':'2026-03-10','region':'15','victim':" V_DNI
		     ",'exploitation':['sexual']}");
	ok(INST_PNP, "{'kind':'identification','ref':'PNP-A123','date':"
		     "'2026-03-10','region':'15','victim':{'document':{'type':"
		     "'OTHER','number':'A123'},'sex':'F','nationality':'PE',"
		     "'age':15},'exploitation':['sexual']}");
	/* 99999999, a case system's "no DNI" (00000000 is refused, as
	 * standing for no value), names no one (a placeholder, taken as no
	 * document: test_placeholder): a ref padded with nines holds it. */
	ok(INST_PNP, "{'kind':'identification','ref':'MP-9999999942','date':"
		     "'2026-03-10','region':'15','victim':{'document':{'type':"
		     "'DNI','number':'99999999'},'sex':'F','nationality':'PE',"
		     "'age':15},'exploitation':['sexual']}");
	/* A withdrawal names the record to take back by its ref, held
	 * before the check: it has no victim to compare it with. */
	ok(INST_PNP,
	   "{'kind':'withdrawal','ref':'wd-9','target_ref':'DNI-40721856'}");
}

static void
test_identification(void **state)
{
	uint8_t p[PSEUDONYM_LEN], id[EVENT_ID_LEN];
	const struct record *r = &pr.ev.rec;

	(void)state;
	ok(INST_PNP, L_ID);
	assert_int_equal(pr.ev.kind, KIND_IDENTIFICATION);
	assert_int_equal(r->kind, KIND_IDENTIFICATION);
	assert_int_equal(r->date, date_from_ymd(2026, 3, 10));
	assert_int_equal(r->region, 15);
	assert_int_equal(r->exploitation,
			 1u << EXPL_SEXUAL | 1u << EXPL_LABOUR);
	assert_true(victim_linkable(&r->victim));
	assert_int_equal(r->victim.sex, SEX_F);
	assert_int_equal(r->victim.age_years, 15);
	assert_int_equal(r->victim.age_group, AGE_14_17);
	assert_string_equal(r->victim.nationality, "PE");
	expect('d', "DNI", "40721856", 0, SEX_NONE, p);
	assert_int_equal(r->victim.doc_type, DOC_DNI);
	assert_memory_equal(r->victim.doc_key, p, sizeof(p));
	assert_false(r->victim.has_name_key); /* an age, no names */
	assert_string_equal(pr.ref, "id-1");
	assert_string_equal(pr.target_ref, "");
	assert_int_equal(pr.unlinkable, 0);
	assert_int_equal(pr.ev.target_seq, 0);
	pseudo_event_id(key, INST_PNP, "id-1", id);
	assert_memory_equal(pr.ev.id, id, sizeof(id));
	assert_int_equal(event_check(&pr.ev, NULL), 0);
}

static void
test_referrals(void **state)
{
	uint8_t sent[PSEUDONYM_LEN], p[PSEUDONYM_LEN];

	(void)state;
	ok(INST_PNP, L_REF);
	assert_int_equal(pr.ev.kind, KIND_REFERRAL);
	assert_int_equal(pr.ev.rec.other, INST_MIMP);
	assert_int_equal(pr.ev.rec.purpose, PURPOSE_PROTECTION);
	memcpy(sent, pr.ev.rec.referral, sizeof(sent));
	expect('r', NULL, "OF-77", INST_PNP, SEX_NONE, p);
	assert_memory_equal(sent, p, sizeof(p));
	assert_int_equal(event_check(&pr.ev, NULL), 0);

	/* The receiver writes the number its own way: same referral. */
	ok(INST_MIMP, L_RR);
	assert_int_equal(pr.ev.kind, KIND_REFERRAL_RECEIVED);
	assert_int_equal(pr.ev.rec.other, INST_PNP);
	assert_memory_equal(pr.ev.rec.referral, sent, sizeof(sent));
	assert_int_equal(event_check(&pr.ev, NULL), 0);
}

static void
test_service(void **state)
{
	uint8_t p[PSEUDONYM_LEN];
	const struct victim *v = &pr.ev.rec.victim;

	(void)state;
	ok(INST_MIMP, L_SVC);
	assert_int_equal(pr.ev.kind, KIND_SERVICE);
	assert_int_equal(pr.ev.rec.service, SERVICE_MEDICAL);
	assert_int_equal(pr.ev.rec.region, 17);
	/* Born 2010-03-11: still 15 on 2026-03-10, 16 on 2026-03-12. */
	assert_int_equal(v->age_years, 16);
	assert_int_equal(v->age_group, AGE_14_17);
	assert_true(victim_linkable(v));
	expect('n', "MARIA JOSE", "NAHUI QUISPE", date_from_ymd(2010, 3, 11),
	       SEX_F, p);
	assert_true(v->has_name_key);
	assert_memory_equal(v->name_key, p, sizeof(p));
	assert_int_equal(v->doc_type, DOC_NONE);
	assert_false(v->has_v1_key);
	assert_int_equal(pr.unlinkable, 0);
}

static void
test_case_stage(void **state)
{
	uint8_t p[PSEUDONYM_LEN];
	const struct record *r = &pr.ev.rec;

	(void)state;
	ok(INST_MP, L_CASE);
	assert_int_equal(pr.ev.kind, KIND_CASE_STAGE);
	assert_int_equal(r->stage, STAGE_COMPLAINT);
	assert_int_equal(r->persons, 2);
	assert_string_equal(r->article, "129-A");
	assert_int_equal(r->n_victims, 3);
	expect('c', "FIS-2026-1", NULL, 0, SEX_NONE, p);
	assert_memory_equal(r->case_id, p, sizeof(p));
	assert_true(victim_linkable(&r->victims[0]));
	assert_true(victim_linkable(&r->victims[1]));
	assert_int_equal(r->victims[1].age_years, 15);
	assert_false(victim_linkable(&r->victims[2]));
	assert_int_equal(r->victims[2].age_group, AGE_18_PLUS);
	assert_int_equal(pr.unlinkable, 1);
	/* The warning names her: a case stage has no "victim". */
	assert_string_equal(pr.unlinkable_field, "victims[2]");
	assert_int_equal(event_check(&pr.ev, NULL), 0);

	/* After the first stage the list may be empty. */
	ok(INST_PJ, CASEV("[]"));
	assert_int_equal(pr.ev.rec.n_victims, 0);
	assert_int_equal(pr.ev.rec.stage, STAGE_TRIAL);
	assert_int_equal(pr.ev.rec.persons, 2);
}

static void
test_correction_withdrawal(void **state)
{
	uint8_t id[EVENT_ID_LEN];

	(void)state;
	ok(INST_PNP, L_COR);
	assert_int_equal(pr.ev.kind, KIND_CORRECTION);
	assert_int_equal(pr.ev.rec.kind, KIND_IDENTIFICATION);
	assert_int_equal(pr.ev.rec.date, date_from_ymd(2026, 3, 11));
	assert_int_equal(pr.ev.rec.region, 16);
	assert_int_equal(pr.ev.rec.exploitation, 1u << EXPL_BEGGING);
	assert_string_equal(pr.ref, "co-1");
	assert_string_equal(pr.target_ref, "id-1");
	pseudo_event_id(key, INST_PNP, "co-1", id);
	assert_memory_equal(pr.ev.id, id, sizeof(id));
	assert_int_equal(event_check(&pr.ev, NULL), 0);

	ok(INST_PNP, L_WD);
	assert_int_equal(pr.ev.kind, KIND_WITHDRAWAL);
	assert_int_equal(pr.ev.rec.kind, KIND_NONE);
	assert_string_equal(pr.ref, "wd-1");
	assert_string_equal(pr.target_ref, "id-1");
	pseudo_event_id(key, INST_PNP, "wd-1", id);
	assert_memory_equal(pr.ev.id, id, sizeof(id));
	assert_int_equal(event_check(&pr.ev, NULL), 0);

	/* A corrected case stage, with its own victims. */
	ok(INST_MP, "{'kind':'correction','ref':'co-2','target_ref':'cs-1',"
		    "'record':{'kind':'case_stage','date':'2026-03-10',"
		    "'region':'21','case_number':'F-1','stage':'complaint',"
		    "'victims':[" V_ANON "," V_ANON "],'persons':0,"
		    "'article':'153-A'}}");
	assert_int_equal(pr.ev.rec.kind, KIND_CASE_STAGE);
	assert_int_equal(pr.unlinkable, 2);
	assert_string_equal(pr.unlinkable_field, "record.victims[0]");
}

/* Other valid forms: every kind of document, bounds, unusual spacing. */
static void
test_valid_variants(void **state)
{
	(void)state;
	ok(INST_PNP, IDV("{'document':{'type':'CE','number':'ab-12 3'},"
			 "'sex':'M','nationality':'VE','age':0}"));
	assert_int_equal(pr.ev.rec.victim.age_group, AGE_0_5);
	ok(INST_PNP, IDV("{'document':{'type':'PASSPORT','number':'X1'},"
			 "'sex':'U','nationality':'XX','age':120}"));
	ok(INST_PNP, IDV("{'document':{'type':'PTP','number':'1'},"
			 "'sex':'F','nationality':'CO','age':6}"));
	ok(INST_PNP, IDV("{'document':{'type':'CPP','number':'1'},"
			 "'sex':'F','nationality':'EC','age':12}"));
	assert_int_equal(pr.ev.rec.victim.age_group, AGE_12_13);
	ok(INST_PNP, IDV("{'document':{'type':'OTHER','number':'1'},"
			 "'sex':'F','nationality':'BO','age':11}"));
	assert_int_equal(pr.ev.rec.victim.age_group, AGE_6_11);
	ok(INST_PNP, IDV("{'document':{'type':'DNI','number':'4072 1856'},"
			 "'sex':'F','nationality':'PE','age':18}"));
	assert_int_equal(pr.ev.rec.victim.age_group, AGE_18_PLUS);
	/* Both birth_date and age: the birth date wins. */
	ok(INST_PNP, IDV("{'birth_date':'2020-03-10','age':40,'sex':'F',"
			 "'nationality':'PE'}"));
	assert_int_equal(pr.ev.rec.victim.age_years, 6);
	/* Born on the event's day. */
	ok(INST_PNP, IDV("{'birth_date':'2026-03-10','sex':'F',"
			 "'nationality':'PE'}"));
	assert_int_equal(pr.ev.rec.victim.age_years, 0);
	ok(INST_PNP, TOP("identification", "'2000-01-01'", "'01'", BID));
	ok(INST_PNP, TOP("identification", "'2026-11-29'", "'25'", BID));
	ok(INST_PNP,
	   "{'kind':'identification','ref':'x','date':'2026-03-10',"
	   "'region':'15','victim':" V_DNI ",'exploitation':["
	   "'sexual','labour','begging','forced_criminality',"
	   "'domestic_servitude','forced_marriage','illegal_adoption',"
	   "'organ_removal','other']}");
	assert_int_equal(pr.ev.rec.exploitation, 0x3fe);
	/* Fields in any order, white space around them. */
	ok(INST_PNP, " { 'exploitation' : ['other'] , 'victim' : " V_DNI
		     ", 'region':'08', 'date':'2026-03-10', 'ref':'r r',"
		     "'kind':'identification' } \n");
	assert_int_equal(pr.ev.rec.region, 8);
	ok(INST_PNP, "{'kind':'withdrawal','ref':'~!','target_ref':'"
		     "0123456789012345678901234567890123456789012345678901"
		     "234567890123'}");
	ok(INST_MINSA, "{'kind':'referral','ref':'r','date':'2026-03-10',"
		       "'region':'15','victim':" V_DNI ",'to':'pnp',"
		       "'purpose':'health','referral_number':'A'}");
	ok(INST_PJ, CASEV("[]"));
	ok(INST_PJ,
	   "{'kind':'case_stage','ref':'c','date':'2026-03-10',"
	   "'region':'21','case_number':'F','stage':'dismissal',"
	   "'victims':[],'persons':100000,'article':'999-zZ'}");
	assert_string_equal(pr.ev.rec.article, "999-ZZ");
}

/* The forms case systems export an article in are taken, each sent in
 * the one written form: a leading "Art." or "art", a space, nothing or
 * a word processor's long dash for the dash, small letters, a degree or
 * an ordinal sign after the number. The letters are the Spanish alphabet's:
 * slavery is article 129-Ñ of the Criminal Code. */
static void
test_article_forms(void **state)
{
	static const char *const in[][2] = {
	    {"153", "153"},
	    {"129-A", "129-A"},
	    {"129-a", "129-A"},
	    {"153A", "153-A"},
	    {"153 b", "153-B"},
	    {"Art. 153-B", "153-B"},
	    {"art.153", "153"},
	    {"ART 129-A", "129-A"},
	    {"Art.  129 ab", "129-AB"},
	    {"7", "7"},
	    {"129-Ñ", "129-Ñ"},
	    {"129-ñ", "129-Ñ"},
	    {"Art. 129 ñ", "129-Ñ"},
	    {"129Ña", "129-ÑA"},
	    {"Art. 153°", "153"},
	    {"153°-A", "153-A"},
	    {"art. 153º b", "153-B"},
	    {"129°Ñ", "129-Ñ"},
	    {"129\u2013A", "129-A"},
	    {"Art. 153\u2014b", "153-B"},
	    {"129\u2212Ñ", "129-Ñ"},
	};
	char line[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		snprintf(line, sizeof(line),
			 "{'kind':'case_stage','ref':'c','date':'2026-03-10',"
			 "'region':'21','case_number':'F','stage':'trial',"
			 "'victims':[],'persons':1,'article':'%s'}",
			 in[i][0]);
		ok(INST_PJ, line);
		assert_string_equal(pr.ev.rec.article, in[i][1]);
	}
}

struct bad_case {
	enum institution inst; /* INST_NONE: pnp */
	const char *line;
	const char *field;
	const char *reason; /* a substring of the reason */
};

static const struct bad_case bad_cases[] = {
    /* The line */
    {0, "not json", "", "invalid JSON"},
    {0, "[1,2]", "", "a record is a JSON object"},
    {0, "{'kind':'service'", "", "invalid JSON"},
    {0, "{'kind':'service','kind':'service'}", "", "duplicate"},
    {0, L_WD " x", "", "invalid JSON"},
    {0, "{'kind':'service','ref':'a\\u0000b'}", "", "invalid JSON"},
    /* kind */
    {0, "{'ref':'a'}", "kind", "required"},
    {0, "{'kind':5}", "kind", "must be a string"},
    {0, "{'kind':'arrest'}", "kind", "must be identification"},
    {0, "{'kind':'Identification'}", "kind", "must be identification"},
    /* Fields unknown, or of another kind */
    {0, "{'kind':'withdrawal','ref':'a','target_ref':'b','colour':1}", "colour",
     "unknown field"},
    {0,
     TOP("identification", "'2026-03-10'", "'15'", BID ",'service':'medical'"),
     "service", "not a field of an identification record"},
    {0,
     TOP("service", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'service':'medical','exploitation':[]"),
     "exploitation", "not a field of a service record"},
    {0, TOP("case_stage", "'2026-03-10'", "'15'", "'victim':" V_DNI), "victim",
     "not a field of a case_stage record"},
    /* ref */
    {0, "{'kind':'withdrawal','target_ref':'b'}", "ref", "required"},
    {0, "{'kind':'withdrawal','ref':'','target_ref':'b'}", "ref",
     "must not be empty"},
    {0,
     "{'kind':'withdrawal','ref':'"
     "0123456789012345678901234567890123456789012345678901234567890"
     "1234','target_ref':'b'}",
     "ref", "longer than 64"},
    /* The character named by its place, as in a case number: a ref
     * built from a name (Núñez) shows where. */
    {0, "{'kind':'withdrawal','ref':'caf\\u00e9','target_ref':'b'}", "ref",
     "printable ASCII: character 4 is not (a letter with an accent"},
    {0, "{'kind':'withdrawal','ref':'a\\tb','target_ref':'b'}", "ref",
     "printable ASCII: character 2 is a tab or another control character"},
    {0, "{'kind':'withdrawal','ref':'a','target_ref':'N\\u00fa\\u00f1ez'}",
     "target_ref", "printable ASCII: character 2 is not"},
    {0, "{'kind':'withdrawal','ref':12,'target_ref':'b'}", "ref",
     "must be a string"},
    /* A ref built from the victim's document number would sit in clear
     * on the node's disk: refused however it is written around it, in a
     * case stage's victim or a correction's as well. */
    {0,
     "{'kind':'identification','ref':'DNI-40721856','date':'2026-03-10',"
     "'region':'15','victim':" V_DNI ",'exploitation':['sexual']}",
     "ref", "holds the victim's document number"},
    {0,
     "{'kind':'identification','ref':'pnp/4072-1856/a','date':'2026-03-10',"
     "'region':'15','victim':{'document':{'type':'DNI','number':'4072 "
     "1856'},'sex':'F','nationality':'PE','age':15},"
     "'exploitation':['sexual']}",
     "ref", "holds the victim's document number"},
    {0,
     "{'kind':'identification','ref':'ce-ab123456x','date':'2026-03-10',"
     "'region':'15','victim':{'document':{'type':'CE','number':'AB123456X'},"
     "'sex':'F','nationality':'PE','age':15},'exploitation':['sexual']}",
     "ref", "holds the victim's document number"},
    /* Likewise the victim's birth date, as a day is written. */
    {0, IDREF("PNP-20150312-7", V_BIRTH), "ref",
     "holds the victim's birth date"},
    {0, IDREF("PNP-12032015", V_BIRTH), "ref", "holds the victim's birth date"},
    {0, IDREF("2015-03-12 a", V_BIRTH), "ref", "holds the victim's birth date"},
    {0, IDREF("F 12/03/2015", V_BIRTH), "ref", "holds the victim's birth date"},
    {0, IDREF("x12-03-2015x", V_BIRTH), "ref", "holds the victim's birth date"},
    {0, IDREF("EXP-2015-03-12-1", V_BIRTH), "ref",
     "holds the victim's birth date"},
    {0, IDREF("PJ.12.03.2015", V_BIRTH), "ref",
     "holds the victim's birth date"},
    {0,
     "{'kind':'case_stage','ref':'F-2015_03_12','date':'2026-03-10',"
     "'region':'21','case_number':'F-1','stage':'trial','victims':[" V_ANON
     "," V_BIRTH "],'persons':2,'article':'153'}",
     "ref", "holds the victim's birth date"},
    {0,
     "{'kind':'correction','ref':'co-20150312','target_ref':'id-1',"
     "'record':{'kind':'identification','date':'2026-03-11',"
     "'region':'16','victim':" V_BIRTH ",'exploitation':['begging']}}",
     "ref", "holds the victim's birth date"},
    /* Likewise two of the victim's names, words of 4 letters or more in
     * any order, or her names written together. */
    {0, IDREF("PJ-EXP-Nunez-Quispe-1", V_GS("Ana", "Nu\\u00f1ez Quispe")),
     "ref", "holds the victim's name"},
    {0, IDREF("Zoilamarta-2025-3", V_ZOILA), "ref", "holds the victim's name"},
    {0, IDREF("cruz_zoila_2025", V_ZOILA), "ref", "holds the victim's name"},
    {0, IDREF("MARTA.1.NUNEZ", V_ZOILA), "ref", "holds the victim's name"},
    {0, IDREF("EXP-DeLaCruz-4", V_ZOILA), "ref", "holds the victim's name"},
    {0, IDREF("x-NunezZoila-4", V_ZOILA), "ref", "holds the victim's name"},
    {0, IDREF("PNP-LIMA-CRUZ-4-MARTA", V_ZOILA), "ref",
     "holds the victim's name"},
    {0, IDREF("ROSA-QUISPE", V_GS("Rosa", "Quispe Vera")), "ref",
     "holds the victim's name"},
    {0, IDREF("PNP-QUISPE-QUISPE", V_GS("Rosa", "Quispe Quispe")), "ref",
     "holds the victim's name"},
    {0, IDREF("PNP-LORETOLIMA-2025", V_LORETO), "ref",
     "holds the victim's name"},
    {0, IDREF("MariaQuispe-7", V_NAMES), "ref", "holds the victim's name"},
    {0,
     IDREF("AnaLuz-7",
	   "{'given_names':'Ana Luz','sex':'F','nationality':'PE','age':9}"),
     "ref", "holds the victim's name"},
    /* An apostrophe is left out of the ref as out of the names. */
    {0, IDREF("PNP-Ch\\u0027oque-OBrien-1", V_APOS), "ref",
     "holds the victim's name"},
    {0, IDREF("PNP-Ch`oque-O`Brien-1", V_APOS), "ref",
     "holds the victim's name"},
    {0, IDREF("O\\u0027Brien-2-CHOQUE", V_APOS), "ref",
     "holds the victim's name"},
    {0, IDREF("QUISPE-JOSE", V_NAMES), "ref", "holds the victim's name"},
    {0,
     "{'kind':'case_stage','ref':'F-1-NAHUI-JOSE','date':'2026-03-10',"
     "'region':'21','case_number':'F-1','stage':'trial','victims':[" V_ANON
     "," V_NAMES "],'persons':2,'article':'153'}",
     "ref", "holds the victim's name"},
    {INST_MIMP,
     "{'kind':'service','ref':'sv-JOSE-1-NAHUI','date':'2026-03-12',"
     "'region':'17','victim':" V_NAMES ",'service':'medical'}",
     "ref", "holds the victim's name"},
    {0,
     "{'kind':'correction','ref':'co-quispe-maria','target_ref':'id-1',"
     "'record':{'kind':'identification','date':'2026-03-11',"
     "'region':'16','victim':" V_NAMES ",'exploitation':['begging']}}",
     "ref", "holds the victim's name"},
    {INST_MIMP,
     "{'kind':'referral_received','ref':'rr-40721856','date':'2026-03-12',"
     "'region':'15','victim':" V_DNI ",'from':'pnp','referral_number':'o-7'}",
     "ref", "holds the victim's document number"},
    {0,
     "{'kind':'referral','ref':'40721856-rf','date':'2026-03-10',"
     "'region':'15','victim':" V_DNI ",'to':'mimp','purpose':'protection',"
     "'referral_number':'of-77'}",
     "ref", "holds the victim's document number"},
    {INST_MIMP,
     "{'kind':'service','ref':'sv 4072 1856','date':'2026-03-12',"
     "'region':'17','victim':" V_DNI ",'service':'medical'}",
     "ref", "holds the victim's document number"},
    {0,
     "{'kind':'case_stage','ref':'F-1-40721856','date':'2026-03-10',"
     "'region':'21','case_number':'F-1','stage':'trial','victims':[" V_ANON
     "," V_DNI "],'persons':2,'article':'153'}",
     "ref", "holds the victim's document number"},
    {0,
     "{'kind':'correction','ref':'co-40721856','target_ref':'id-1',"
     "'record':{'kind':'identification','date':'2026-03-11',"
     "'region':'16','victim':" V_DNI ",'exploitation':['begging']}}",
     "ref", "holds the victim's document number"},
    /* date */
    {0, "{'kind':'service','ref':'x','region':'15'}", "date", "required"},
    {0, TOP("identification", "'2026-02-30'", "'15'", BID), "date", "real day"},
    {0, TOP("identification", "'2026-3-10'", "'15'", BID), "date",
     "YYYY-MM-DD"},
    {0, TOP("identification", "'2026-03-10T10:00'", "'15'", BID), "date",
     "YYYY-MM-DD"},
    {0, TOP("identification", "'1999-12-31'", "'15'", BID), "date",
     "before 2000-01-01"},
    {0, TOP("identification", "'2026-11-30'", "'15'", BID), "date",
     "after today (2026-11-29 in Peru time UTC-5)"},
    {0, TOP("identification", "20260310", "'15'", BID), "date",
     "must be a string"},
    /* region */
    {0, "{'kind':'service','ref':'x','date':'2026-03-10'}", "region",
     "required"},
    {0, TOP("identification", "'2026-03-10'", "'26'", BID), "region",
     "01 to 25"},
    {0, TOP("identification", "'2026-03-10'", "'00'", BID), "region",
     "01 to 25"},
    {0, TOP("identification", "'2026-03-10'", "'5'", BID), "region",
     "two digits"},
    {0, TOP("identification", "'2026-03-10'", "'1a'", BID), "region",
     "two digits"},
    {0, TOP("identification", "'2026-03-10'", "15", BID), "region",
     "must be a string"},
    /* victim */
    {0,
     TOP("identification", "'2026-03-10'", "'15'", "'exploitation':['sexual']"),
     "victim", "required"},
    {0, IDV("[]"), "victim", "must be an object"},
    {0, IDV("{'name':'Ana','sex':'F','nationality':'PE','age':3}"),
     "victim.name", "unknown field"},
    /* A key not written like a field name may be data (an export
     * whose header row went missing): not quoted. */
    {0, IDV("{'Killasumaq':'F','sex':'F','nationality':'PE','age':3}"),
     "victim", "unknown field whose key is not shown"},
    {0, IDV("{'sex':'F','nationality':'PE','age':3,'2011-04-17':1}"), "victim",
     "unknown field whose key is not shown"},
    {0, "{'kind':'withdrawal','ref':'a','target_ref':'b','73914826':1}", "",
     "unknown field whose key is not shown"},
    {0, "{'kind':'withdrawal','ref':'a','target_ref':'b','birthDate':1}", "",
     "unknown field whose key is not shown"},
    {0,
     IDV("{'document':{'type':'DNIE','number':'40721856'},'sex':'F',"
	 "'nationality':'PE','age':3}"),
     "victim.document.type", "must be DNI or CE or PASSPORT"},
    {0,
     IDV("{'document':{'number':'40721856'},'sex':'F',"
	 "'nationality':'PE','age':3}"),
     "victim.document.type", "required"},
    {0,
     IDV("{'document':{'type':'DNI','number':'1234567'},'sex':'F',"
	 "'nationality':'PE','age':3}"),
     "victim.document.number", "a DNI is exactly 8 digits"},
    {0,
     IDV("{'document':{'type':'DNI','number':'1234567X'},'sex':'F',"
	 "'nationality':'PE','age':3}"),
     "victim.document.number", "a DNI is exactly 8 digits"},
    {0,
     IDV("{'document':{'type':'DNI','number':'123456789'},'sex':'F',"
	 "'nationality':'PE','age':3}"),
     "victim.document.number", "a DNI is exactly 8 digits"},
    {0,
     IDV("{'document':{'type':'DNI'},'sex':'F','nationality':'PE',"
	 "'age':3}"),
     "victim.document.number", "required"},
    {0,
     IDV("{'document':{'type':'CE','number':'AB/12'},'sex':'F',"
	 "'nationality':'PE','age':3}"),
     "victim.document.number", "letters and digits"},
    {0,
     IDV("{'document':{'type':'CE','number':' - '},'sex':'F',"
	 "'nationality':'PE','age':3}"),
     "victim.document.number", "letters and digits"},
    {0,
     IDV("{'document':{'type':'DNI','number':40721856},'sex':'F',"
	 "'nationality':'PE','age':3}"),
     "victim.document.number", "must be a string"},
    {0,
     IDV("{'document':{'type':'DNI','number':'40721856','country':"
	 "'PE'},'sex':'F','nationality':'PE','age':3}"),
     "victim.document.country", "unknown field"},
    {0,
     IDV("{'document':'40721856','sex':'F','nationality':'PE',"
	 "'age':3}"),
     "victim.document", "must be an object"},
    {0,
     IDV("{'given_names':'Ana2','sex':'F','nationality':'PE',"
	 "'age':3}"),
     "victim.given_names", "letters"},
    {0, IDV("{'given_names':'','sex':'F','nationality':'PE','age':3}"),
     "victim.given_names", "letters"},
    {0,
     IDV("{'given_names':'\\uff29\\uff36\\uff21\\uff2e','sex':'M',"
	 "'nationality':'RU','age':30}"),
     "victim.given_names", "letters"},
    {0, IDV("{'surnames':7,'sex':'F','nationality':'PE','age':3}"),
     "victim.surnames", "must be a string"},
    {0,
     IDV("{'surnames':'Quispe $','sex':'F','nationality':'PE',"
	 "'age':3}"),
     "victim.surnames", "letters"},
    {0, IDV("{'birth_date':'2026-03-11','sex':'F','nationality':'PE'}"),
     "victim.birth_date", "after the record's date"},
    {0, IDV("{'birth_date':'2010-13-01','sex':'F','nationality':'PE'}"),
     "victim.birth_date", "real day"},
    {0, IDV("{'birth_date':'1900-01-01','sex':'F','nationality':'PE'}"),
     "victim.birth_date", "over 120"},
    {0, IDV("{'age':121,'sex':'F','nationality':'PE'}"), "victim.age",
     "from 0 to 120"},
    {0, IDV("{'age':-1,'sex':'F','nationality':'PE'}"), "victim.age",
     "from 0 to 120"},
    {0, IDV("{'age':12.5,'sex':'F','nationality':'PE'}"), "victim.age",
     "whole number"},
    {0, IDV("{'age':12.0,'sex':'F','nationality':'PE'}"), "victim.age",
     "whole number"},
    {0, IDV("{'age':'12','sex':'F','nationality':'PE'}"), "victim.age",
     "whole number"},
    {0,
     IDV("{'birth_date':'2000-01-01','age':200,'sex':'F',"
	 "'nationality':'PE'}"),
     "victim.age", "from 0 to 120"},
    {0, IDV("{'sex':'F','nationality':'PE'}"), "victim",
     "one of birth_date or age is required"},
    {0,
     IDV("{'given_names':'Ana','surnames':'Quispe','sex':'F',"
	 "'nationality':'PE'}"),
     "victim", "one of birth_date or age is required"},
    {0, IDV("{'nationality':'PE','age':3}"), "victim.sex", "required"},
    {0, IDV("{'sex':'X','nationality':'PE','age':3}"), "victim.sex",
     "F or M or U"},
    {0, IDV("{'sex':'f','nationality':'PE','age':3}"), "victim.sex",
     "F or M or U"},
    {0, IDV("{'sex':'FM','nationality':'PE','age':3}"), "victim.sex",
     "F or M or U"},
    {0, IDV("{'sex':'F','age':3}"), "victim.nationality", "required"},
    {0, IDV("{'sex':'F','nationality':'pe','age':3}"), "victim.nationality",
     "two upper-case letters"},
    {0, IDV("{'sex':'F','nationality':'PER','age':3}"), "victim.nationality",
     "two upper-case letters"},
    {0, IDV("{'sex':'F','nationality':'P1','age':3}"), "victim.nationality",
     "two upper-case letters"},
    /* exploitation */
    {0, TOP("identification", "'2026-03-10'", "'15'", "'victim':" V_DNI),
     "exploitation", "required"},
    {0,
     TOP("identification", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'exploitation':[]"),
     "exploitation", "must not be empty"},
    {0,
     TOP("identification", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'exploitation':'sexual'"),
     "exploitation", "must be a list"},
    {0,
     TOP("identification", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'exploitation':['sexual','theft']"),
     "exploitation[1]", "unknown form of exploitation"},
    {0,
     TOP("identification", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'exploitation':['labour','labour']"),
     "exploitation[1]", "repeated"},
    {0,
     TOP("identification", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'exploitation':[3]"),
     "exploitation[0]", "must be a string"},
    /* referral */
    {0,
     TOP("referral", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'purpose':'health','referral_number':'1'"),
     "to", "required"},
    {0,
     TOP("referral", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'to':'pnp','purpose':'health',"
	 "'referral_number':'1'"),
     "to", "must differ from the submitting institution"},
    {0,
     TOP("referral", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'to':'police','purpose':'health',"
	 "'referral_number':'1'"),
     "to", "must be pnp or mp or pj or mimp or minsa"},
    {0,
     TOP("referral", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'to':'mp','purpose':'care',"
	 "'referral_number':'1'"),
     "purpose", "must be one of protection"},
    {0,
     TOP("referral", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'to':'mp','referral_number':'1'"),
     "purpose", "required"},
    {0,
     TOP("referral", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'to':'mp','purpose':'health'"),
     "referral_number", "required"},
    {0,
     TOP("referral", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'to':'mp','purpose':'health',"
	 "'referral_number':'   '"),
     "referral_number", "not only spaces"},
    {0,
     TOP("referral", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'to':'mp','purpose':'health',"
	 "'referral_number':'N\\u00ba 5'"),
     "referral_number", "printable ASCII"},
    {0,
     TOP("referral", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'to':'mp','purpose':'health',"
	 "'referral_number':5"),
     "referral_number", "must be a string"},
    /* referral_received, submitted by mimp */
    {INST_MIMP,
     TOP("referral_received", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'from':'mimp','referral_number':'1'"),
     "from", "must differ from the submitting institution"},
    {INST_MIMP,
     TOP("referral_received", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'referral_number':'1'"),
     "from", "required"},
    {INST_MIMP,
     TOP("referral_received", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'from':'pnp','to':'mimp',"
	 "'referral_number':'1'"),
     "to", "not a field of a referral_received record"},
    /* service */
    {0,
     TOP("service", "'2026-03-10'", "'15'",
	 "'victim':" V_DNI ",'service':'food'"),
     "service", "must be one of residential_care"},
    {0, TOP("service", "'2026-03-10'", "'15'", "'victim':" V_DNI), "service",
     "required"},
    {0,
     TOP("service", "'2026-03-10'", "'15'",
	 "'victim':" V_ANON ",'service':'medical'"),
     "", NULL}, /* valid: an unlinkable victim is accepted */
    /* case_stage */
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'stage':'trial','victims':[],'persons':1,'article':'1'"),
     "case_number", "required"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':' ','stage':'trial','victims':[],'persons':1,"
	 "'article':'1'"),
     "case_number", "not only spaces"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'hearing','victims':[],'persons':1,"
	 "'article':'1'"),
     "stage", "must be one of complaint"},
    /* Steps with no stage: what to do, not a list naming none of them. */
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'appeal','victims':[],'persons':1,"
	 "'article':'1'"),
     "stage",
     "an appeal or an annulment is no case stage: leave the line out; a "
     "sentence given on appeal is sent as its stage (docs/INPUT.md "
     "section 6)"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'Apelaci\u00f3n','victims':[],"
	 "'persons':1,'article':'1'"),
     "stage", "an appeal or an annulment is no case stage"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'NULIDAD','victims':[],'persons':1,"
	 "'article':'1'"),
     "stage", "an appeal or an annulment is no case stage"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'reapertura','victims':[],"
	 "'persons':1,'article':'1'"),
     "stage",
     "a reopening is no case stage: leave the line out and send the "
     "case's next stage when it comes (docs/INPUT.md section 6)"},
    /* The other words docs/INPUT.md names, by their start. */
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'Casaci\u00f3n','victims':[],"
	 "'persons':1,'article':'1'"),
     "stage", "an appeal or an annulment is no case stage"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'Cassation','victims':[],"
	 "'persons':1,'article':'1'"),
     "stage", "an appeal or an annulment is no case stage"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'annulment','victims':[],"
	 "'persons':1,'article':'1'"),
     "stage", "an appeal or an annulment is no case stage"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'Reopening','victims':[],"
	 "'persons':1,'article':'1'"),
     "stage", "a reopening is no case stage"},
    /* As Peru's courts and prosecutors name them. */
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'Recurso de apelaci\u00f3n',"
	 "'victims':[],'persons':1,'article':'1'"),
     "stage", "an appeal or an annulment is no case stage"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'ANULACION DE SENTENCIA',"
	 "'victims':[],'persons':1,'article':'1'"),
     "stage", "an appeal or an annulment is no case stage"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'Desarchivamiento','victims':[],"
	 "'persons':1,'article':'1'"),
     "stage", "a reopening is no case stage"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'ap','victims':[],'persons':1,"
	 "'article':'1'"),
     "stage", "must be one of complaint"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','victims':[],'persons':1,'article':'1'"),
     "stage", "required"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','persons':1,'article':'1'"),
     "victims", "required"},
    {0, CASEV("{}"), "victims", "must be a list"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'complaint','victims':[],"
	 "'persons':1,'article':'1'"),
     "victims", "a complaint names at least one victim"},
    {0, CASEV("[" V_DNI ",{'sex':'W','nationality':'PE','age':3}]"),
     "victims[1].sex", "F or M or U"},
    {0, CASEV("[3]"), "victims[0]", "must be an object"},
    {0, CASEV("[" V_ANON ",{'sex':'F','nationality':'PE'}]"), "victims[1]",
     "one of birth_date or age is required"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':-1,'article':'1'"),
     "persons", "from 0 to 100000"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':100001,'article':'1'"),
     "persons", "from 0 to 100000"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1.5,'article':'1'"),
     "persons", "whole number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'article':'1'"),
     "persons", "required"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1"),
     "article", "required"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':''"),
     "article", "must not be empty"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'1234567890123456'"),
     "article", "longer than 15"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'art\\u00edculo 1'"),
     "article", "printable ASCII"},
    /* A name typed in the article, too long or with an accent: the
     * reason says what the field holds, not only "shorten it" or "drop
     * the accents". */
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'Juana Quispe Mamani'"),
     "article",
     "longer than 15 characters: it holds an article number only (153 or "
     "129-A or Art. 153-B) and no name or document number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'Jos\\u00e9 Ccori'"),
     "article",
     "must be printable ASCII: it holds an article number only (153 or "
     "129-A or Art. 153-B) and no name or document number"},
    /* The one free text that leaves the node: no identity in it. */
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'73914826'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'2011-04-17'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'KILLASUMAQ'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'Wiraqocha'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'PTP-884'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'1290-A'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'129-ABC'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'Arteaga'"),
     "article", "must be an article number"},
    /* An Ñ is a letter of an article; no other letter with a mark is,
     * and an Ñ alone or a third letter is no article. */
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'129-É'"),
     "article", "must be printable ASCII"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'129-ÑÑÑ'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'Ñ'"),
     "article", "must be an article number"},
    /* A degree sign only after the number, once. */
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'153-A°'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'153°°'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'°153'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'Art. '"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'129-'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'-A'"),
     "article", "must be an article number"},
    {0,
     TOP("case_stage", "'2026-03-10'", "'15'",
	 "'case_number':'1','stage':'trial','victims':[],"
	 "'persons':1,'article':'129 -A'"),
     "article", "must be an article number"},
    /* correction */
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','date':"
     "'2026-03-10','record':{}}",
     "date", "not a field of a correction record"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','region':"
     "'15','record':{}}",
     "region", "not a field of a correction record"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','victim':{},"
     "'record':{}}",
     "victim", "not a field of a correction record"},
    {0, "{'kind':'correction','ref':'c','record':{}}", "target_ref",
     "required"},
    {0, "{'kind':'correction','ref':'c','target_ref':'c','record':{}}",
     "target_ref", "must differ from ref"},
    {0, "{'kind':'correction','ref':'c','target_ref':'t'}", "record",
     "required"},
    {0, "{'kind':'correction','ref':'c','target_ref':'t','record':'x'}",
     "record", "must be an object"},
    {0, "{'kind':'correction','ref':'c','target_ref':'t','record':{}}",
     "record.kind", "required"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'correction'}}",
     "record.kind", "cannot be a correction or withdrawal"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'withdrawal'}}",
     "record.kind", "cannot be a correction or withdrawal"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'service','ref':'c2'}}",
     "record.ref", "no ref of its own"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'service','colour':'red'}}",
     "record.colour", "unknown field"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'service','exploitation':[]}}",
     "record.exploitation", "not a field of a service record"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'service','region':'15'}}",
     "record.date", "required"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'service','date':'2027-01-01','region':'15'}}",
     "record.date", "after today (2026-11-29 in Peru time UTC-5)"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'service','date':'2026-01-01','region':'99'}}",
     "record.region", "01 to 25"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'service','date':'2026-01-01','region':'15','victim':"
     "{'document':{'type':'DNI','number':'1'},'sex':'F',"
     "'nationality':'PE','age':3},'service':'medical'}}",
     "record.victim.document.number", "a DNI is exactly 8 digits"},
    {0,
     "{'kind':'correction','ref':'c','target_ref':'t','record':"
     "{'kind':'case_stage','date':'2026-01-01','region':'15',"
     "'case_number':'1','stage':'trial','victims':[{'sex':'F',"
     "'nationality':'PE','age':300}],'persons':1,'article':'1'}}",
     "record.victims[0].age", "from 0 to 120"},
    {INST_MIMP,
     "{'kind':'correction','ref':'c','target_ref':'t',"
     "'record':{'kind':'referral_received','date':'2026-01-01',"
     "'region':'15','victim':" V_ANON ",'from':'mimp',"
     "'referral_number':'1'}}",
     "record.from", "must differ"},
    /* withdrawal */
    {0, "{'kind':'withdrawal','ref':'w'}", "target_ref", "required"},
    {0, "{'kind':'withdrawal','ref':'w','target_ref':''}", "target_ref",
     "must not be empty"},
    {0,
     "{'kind':'withdrawal','ref':'w','target_ref':'"
     "0123456789012345678901234567890123456789012345678901234567890"
     "1234'}",
     "target_ref", "longer than 64"},
    {0, "{'kind':'withdrawal','ref':'w','target_ref':'t','record':{}}",
     "record", "not a field of a withdrawal record"},
    {0,
     "{'kind':'withdrawal','ref':'w','target_ref':'t','date':"
     "'2026-03-10'}",
     "date", "not a field of a withdrawal record"},
    /* The first error of the line is the one reported. */
    {0,
     TOP("identification", "'2026-13-10'", "'99'",
	 "'victim':{'sex':'X'},'exploitation':[]"),
     "date", "real day"},
    {0, IDV("{'sex':'X','nationality':'pe','age':300}"), "victim.age",
     "from 0 to 120"},
};

/* refused_as - line, submitted by inst, is refused at field with exactly
 * reason. */
static void
refused_as(enum institution inst, const char *line, const char *field,
	   const char *reason)
{
	if (parse(inst, line, &pr) != -EINVAL)
		fail_msg("accepted: %s", line);
	if (strcmp(err.field, field) != 0 || strcmp(err.reason, reason) != 0)
		fail_msg("got %s: %s\n  want %s: %s\n  line %s", err.field,
			 err.reason, field, reason, J(line));
}

/* held_only_as - line, submitted by inst, is taken only for a record
 * held under its ref (held_only), err saying field and exactly reason. */
static void
held_only_as(enum institution inst, const char *line, const char *field,
	     const char *reason)
{
	if (parse(inst, line, &pr) != 0)
		fail_msg("refused: %s: %s\n  %s", err.field, err.reason, line);
	if (!pr.held_only)
		fail_msg("taken: %s", line);
	if (strcmp(err.field, field) != 0 || strcmp(err.reason, reason) != 0)
		fail_msg("got %s: %s\n  want %s: %s\n  line %s", err.field,
			 err.reason, field, reason, J(line));
}

/* refused - line, submitted by pnp, is refused at field with exactly
 * reason. */
static void
refused(const char *line, const char *field, const char *reason)
{
	refused_as(INST_PNP, line, field, reason);
}

/*
 * How exports are damaged on their way out of a case system: a value it
 * does not have written null or "" where the field is to be left out, a
 * DNI whose leading zeros a spreadsheet dropped (kept as text, or made a
 * number). Each is refused with a reason that says what happened and
 * what to do, never quoting the value.
 */
static void
test_export_slips(void **state)
{
	static const char null_opt[] =
	    "is null: leave the field out when it is not known";
	static const char empty[] =
	    "is empty: leave the field out when it is not known";

	(void)state;
	refused(IDV("{'given_names':null,'sex':'F','nationality':'PE',"
		    "'age':3}"),
		"victim.given_names", null_opt);
	refused(IDV("{'surnames':null,'sex':'F','nationality':'PE',"
		    "'age':3}"),
		"victim.surnames", null_opt);
	refused(IDV("{'birth_date':null,'sex':'F','nationality':'PE',"
		    "'age':3}"),
		"victim.birth_date", null_opt);
	refused(IDV("{'sex':'F','nationality':'PE','age':null,"
		    "'birth_date':'2020-01-01'}"),
		"victim.age", null_opt);
	refused(IDV("{'document':null,'sex':'F','nationality':'PE',"
		    "'age':3}"),
		"victim.document", null_opt);
	refused(IDV("{'sex':null,'nationality':'PE','age':3}"), "victim.sex",
		"required (null is no value)");
	refused(TOP("identification", "null", "'15'", BID), "date",
		"required (null is no value)");
	refused(IDV("{'given_names':'','sex':'F','nationality':'PE',"
		    "'age':3}"),
		"victim.given_names",
		"is empty: leave the field out when it is not known (else it "
		"must hold letters)");
	refused(IDV("{'surnames':'   ','sex':'F','nationality':'PE',"
		    "'age':3}"),
		"victim.surnames",
		"is empty: leave the field out when it is not known (else it "
		"must hold letters)");
	refused(IDV("{'birth_date':'','sex':'F','nationality':'PE',"
		    "'age':3}"),
		"victim.birth_date", empty);
	refused(IDV("{'document':{'type':'DNI','number':'1234567'},'sex':'F',"
		    "'nationality':'PE','age':3}"),
		"victim.document.number",
		"a DNI is exactly 8 digits; this one has fewer: a spreadsheet "
		"may have dropped its leading zeros");
	refused(IDV("{'document':{'type':'DNI','number':'456-789'},"
		    "'sex':'F','nationality':'PE','age':3}"),
		"victim.document.number",
		"a DNI is exactly 8 digits; this one has fewer: a spreadsheet "
		"may have dropped its leading zeros");
	refused(IDV("{'document':{'type':'DNI','number':1234567},'sex':'F',"
		    "'nationality':'PE','age':3}"),
		"victim.document.number",
		"must be a string in quotes: written as a number it loses "
		"its leading zeros");
	/* Not digits only, or too many: no zeros were lost. */
	refused(IDV("{'document':{'type':'DNI','number':'1234567X'},"
		    "'sex':'F','nationality':'PE','age':3}"),
		"victim.document.number", "a DNI is exactly 8 digits");
	refused(IDV("{'document':{'type':'DNI','number':'123456789'},"
		    "'sex':'F','nationality':'PE','age':3}"),
		"victim.document.number", "a DNI is exactly 8 digits");
	refused(IDV("{'document':{'type':'DNI','number':''},'sex':'F',"
		    "'nationality':'PE','age':3}"),
		"victim.document.number", "a DNI is exactly 8 digits");
	/* A word or code padded with spaces, as a fixed-width column of
	 * a case system exports it: the reason says so, the field is
	 * refused as before (EVENTS.md: exact spelling). */
	refused(TOP("identification", "'2026-03-10'", "'15 '", BID), "region",
		"must be two digits from 01 to 25 (it has a space at an end)");
	/* Siblings identified together, listed in one record's victim:
	 * one victim a record, said so (walk45). */
	refused(IDV("[" V_DNI "," V_DNI "]"), "victim",
		"must be an object: one victim a record and not a list; send a "
		"record for each child with a ref of its own (a case_stage "
		"alone lists its victims)");
	/* A department written by name, as a police case system shows it
	 * (upper case, accents or none, a province after it): the reason
	 * gives its code; a name that is no department says to write the
	 * code (walk45). */
	refused(TOP("identification", "'2026-03-10'", "'LIMA'", BID), "region",
		"must be two digits from 01 to 25 (the department's INEI code: "
		"15 for Lima)");
	refused(TOP("identification", "'2026-03-10'", "'ÁNCASH'", BID),
		"region",
		"must be two digits from 01 to 25 (the department's INEI code: "
		"02 for Áncash)");
	refused(TOP("identification", "'2026-03-10'", "'Madre de Dios'", BID),
		"region",
		"must be two digits from 01 to 25 (the department's INEI code: "
		"17 for Madre de Dios)");
	refused(
	    TOP("identification", "'2026-03-10'", "'LIMA METROPOLITANA'", BID),
	    "region",
	    "must be two digits from 01 to 25 (the department's INEI code: "
	    "15 for Lima)");
	refused(TOP("identification", "'2026-03-10'", "'LIMAS'", BID), "region",
		"must be two digits from 01 to 25 (the department's INEI code "
		"and not its name: kuska help query lists them)");
	refused(TOP("identification", "'2026-03-10'", "'8'", BID), "region",
		"must be two digits from 01 to 25");
	refused(IDV("{'sex':'F ','nationality':'PE','age':3}"), "victim.sex",
		"must be F or M or U (it has a space at an end)");
	refused(IDV("{'sex':'F','nationality':' PE','age':3}"),
		"victim.nationality",
		"must be two upper-case letters (ISO 3166-1 alpha-2 or XX) "
		"(it has a space at an end)");
	refused(IDV("{'document':{'type':'DNI ','number':'40721856'},"
		    "'sex':'F','nationality':'PE','age':3}"),
		"victim.document.type",
		"must be DNI or CE or PASSPORT or PTP or CPP or OTHER (it has "
		"a space "
		"at an end)");
	refused("{'kind':'identification\\t','ref':'x'}", "kind",
		"must be identification or referral or referral_received or "
		"service or case_stage or correction or withdrawal (it has a "
		"space at an end)");
	refused(TOP("identification", "'2026-03-10'", "'15'",
		    "'victim':" V_DNI ",'exploitation':['sexual ']"),
		"exploitation[0]",
		"unknown form of exploitation (it has a space at an end)");
	refused(
	    TOP("referral", "'2026-03-10'", "'15'",
		"'victim':" V_DNI ",'to':'mimp ','purpose':'protection',"
		"'referral_number':'R1'"),
	    "to",
	    "must be pnp or mp or pj or mimp or minsa (it has a space at an "
	    "end)");
	refused(TOP("case_stage", "'2026-03-10'", "'15'",
		    "'case_number':'F','stage':'complaint ','victims':[" V_DNI
		    "],'persons':1,'article':'153'"),
		"stage",
		"must be one of complaint, preliminary_investigation, "
		"formalized_investigation, accusation, trial, conviction, "
		"acquittal, dismissal (it has a space at an end)");
	refused(IDV("{'sex':'F','nationality':'PE','age':'14'}"), "victim.age",
		"must be a whole number written without quotes");
	refused(IDV("{'sex':'F','nationality':'PE','age':14.0}"), "victim.age",
		"must be a whole number written without a decimal point (12 "
		"and not 12.0 as a spreadsheet may export it)");
	/* Unpadded, the reason is as before. */
	refused(IDV("{'sex':'X','nationality':'PE','age':3}"), "victim.sex",
		"must be F or M or U");
	/* A required date left empty: said so (walk53). */
	refused(TOP("identification", "''", "'15'", BID), "date",
		"is empty: write the day it happened");
}

/*
 * A date as a case system's export writes one otherwise: with its time
 * (an SQL datetime, ISO 8601), the year last (as Peru writes a date), a
 * space at an end. The reason says which (walk44), never the value; a
 * day that is not real, or written without its zeros, reads as before.
 */
static void
test_date_forms(void **state)
{
	static const char day[] = "must be a real day written YYYY-MM-DD";
	static const char timed[] = "must be a real day written YYYY-MM-DD "
				    "(it has a time part: send the day alone)";
	static const char last[] = "must be a real day written YYYY-MM-DD "
				   "(the year is last as in DD/MM/YYYY: write "
				   "it first)";
	static const char hyphens[] =
	    "must be a real day written YYYY-MM-DD (write it with hyphens and "
	    "two digits for the month and the day: 2025-04-09)";

	(void)state;
	/* A reason lands in --report's CSV: no comma. */
	assert_null(strchr(last, ','));
	assert_null(strchr(timed, ','));
	assert_null(strchr(hyphens, ','));
	refused(TOP("identification", "'2025-10-04 00:00:00'", "'15'", BID),
		"date", timed);
	refused(
	    TOP("identification", "'2025-10-04T08:30:00-05:00'", "'15'", BID),
	    "date", timed);
	refused(TOP("identification", "'04/10/2025'", "'15'", BID), "date",
		last);
	refused(TOP("identification", "'4-10-2025'", "'15'", BID), "date",
		last);
	refused(TOP("identification", "'04.10.2025'", "'15'", BID), "date",
		last);
	refused(IDV("{'sex':'F','nationality':'PE',"
		    "'birth_date':'2011-03-05T00:00:00'}"),
		"victim.birth_date", timed);
	refused(TOP("identification", "'2025-10-04 '", "'15'", BID), "date",
		"must be a real day written YYYY-MM-DD (it has a space at an "
		"end)");
	refused(TOP("identification", "'2025-13-04 10:00'", "'15'", BID),
		"date", day);
	/* The year first but not as YYYY-MM-DD: said how (walk53). */
	refused(TOP("identification", "'2025-5-20'", "'15'", BID), "date",
		hyphens);
	refused(TOP("identification", "'2025/05/20'", "'15'", BID), "date",
		hyphens);
	refused(TOP("identification", "'2025.5.2'", "'15'", BID), "date",
		hyphens);
	/* A spreadsheet's serial day, as a number or as text (walk53). */
	refused(TOP("identification", "46330", "'15'", BID), "date",
		"must be a string written YYYY-MM-DD (a number is how a "
		"spreadsheet keeps a day: format the column as text before "
		"exporting)");
	refused(TOP("identification", "'46330'", "'15'", BID), "date",
		"must be a real day written YYYY-MM-DD (it is a number as a "
		"spreadsheet keeps a day: format the column as text written "
		"YYYY-MM-DD before exporting)");
	refused(IDV("{'sex':'F','nationality':'PE','birth_date':40000}"),
		"victim.birth_date",
		"must be a string written YYYY-MM-DD (a number is how a "
		"spreadsheet keeps a day: format the column as text before "
		"exporting)");
	/* Well formed but no real day: nothing more to say. */
	refused(TOP("identification", "'2023-02-29'", "'15'", BID), "date",
		day);
	refused(TOP("identification", "'04/10/25'", "'15'", BID), "date", day);
	refused(TOP("identification", "'04/10/2025/'", "'15'", BID), "date",
		day);
}

/*
 * A record followed by a comma, as a JSON array's items are once its
 * brackets are taken away: the reason names the comma (walk44), with a
 * CR or spaces after it too; two records on a line, or other text after
 * one, read as before.
 */
static void
test_trailing_comma(void **state)
{
	static const char comma[] = "a comma after the record's closing "
				    "brace: JSON Lines has none between "
				    "records";
	static const char *const lines[] = {L_WD ",", L_WD ",\r", L_WD ", "};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(parse(INST_PNP, lines[i], &pr), -EINVAL);
		assert_non_null(strstr(err.reason, comma));
		assert_int_equal(
		    strncmp(err.reason, "invalid JSON at column ", 23), 0);
	}
	assert_int_equal(parse(INST_PNP, L_WD "," L_WD, &pr), -EINVAL);
	assert_non_null(strstr(err.reason, "end of file expected"));
	assert_int_equal(parse(INST_PNP, L_WD " x,", &pr), -EINVAL);
	assert_non_null(strstr(err.reason, "end of file expected"));
}

/* A take-up by mimp of pnp's referral numbered num; a referral by pnp. */
#define RR_NUM(num)                                                            \
	TOP("referral_received", "'2026-03-12'", "'15'",                       \
	    "'victim':" V_DNI ",'from':'pnp','referral_number':" num)
#define RF_NUM(num)                                                            \
	TOP("referral", "'2026-03-10'", "'15'",                                \
	    "'victim':" V_DNI ",'to':'mimp','purpose':'protection',"           \
	    "'referral_number':" num)

/*
 * How a ministry's export garbles what it copied from a police referral
 * or keeps in its own way: a number typed with a degree or ordinal sign
 * after its N, a no-break space or a tab pasted from a spreadsheet, a
 * dash as a word processor writes "-", a number cell, institution codes
 * in capitals, a victim's services in one list. Each reason says which
 * character, by its place, or what to write, never quoting the value.
 */
static void
test_ministry_slips(void **state)
{
	static const char numero[] =
	    "must be printable ASCII: character 2 is the sign of numero after "
	    "an N: write the number alone without the N and its sign";

	(void)state;
	/* The sign of N (numero) before an oficio's number: leave both
	 * out, so that sender and destination send the same (walk44). */
	refused_as(INST_MIMP, RR_NUM("'N\\u00ba 5'"), "referral_number",
		   numero);
	refused(RF_NUM("'N\\u00b0 5'"), "referral_number", numero);
	refused(RF_NUM("'OFICIO N\\u00b0 5'"), "referral_number",
		"must be printable ASCII: character 9 is the sign of numero "
		"after an N: write the number alone without the N and its "
		"sign");
	refused(RF_NUM("'n.\\u00b0 5'"), "referral_number",
		"must be printable ASCII: character 3 is the sign of numero "
		"after an N: write the number alone without the N and its "
		"sign");
	refused(TOP("case_stage", "'2026-03-10'", "'15'",
		    "'case_number':'CF N\\u00ba 101','stage':'trial',"
		    "'victims':[],'persons':1,'article':'153'"),
		"case_number",
		"must be printable ASCII: character 5 is the sign of numero "
		"after an N: write the number alone without the N and its "
		"sign");
	/* A ref is no number to match: N, NO or NRO, kept alike. */
	refused("{'kind':'withdrawal','ref':'EXP-N\\u00b0-1','target_ref':"
		"'x-1'}",
		"ref",
		"must be printable ASCII: character 6 is a degree or ordinal "
		"sign (a raised o as after the N of a number): write N or NRO "
		"alike in every export");
	refused(RF_NUM("'Oficio N.\\u00b0 12-2026'"), "referral_number",
		"must be printable ASCII: character 10 is the sign of numero "
		"after an N: write the number alone without the N and its "
		"sign");
	/* After no N, no N to write: a court's ordinal, an article's
	 * degree sign, are named as any other sign is. */
	refused(RF_NUM("'5\\u00b0'"), "referral_number",
		"must be printable ASCII: character 2 is not (a letter with an "
		"accent or a tilde or a sign such as the degree or ordinal "
		"sign)");
	refused(TOP("case_stage", "'2026-03-10'", "'15'",
		    "'case_number':'EXP 12-2026 1\\u00b0 JIP','stage':'trial',"
		    "'victims':[],'persons':1,'article':'153'"),
		"case_number",
		"must be printable ASCII: character 14 is not (a letter with "
		"an accent or a tilde or a sign such as the degree or "
		"ordinal sign)");
	/* Counted in characters, not bytes: a 2-byte N with a tilde is one. */
	refused_as(INST_MIMP, RR_NUM("'\\u00d1\\u00ba 5'"), "referral_number",
		   "must be printable ASCII: character 1 is not (a letter with "
		   "an accent or a tilde or a sign such as the degree or "
		   "ordinal sign)");
	refused_as(INST_MIMP, RR_NUM("'OF-77\\u00a0'"), "referral_number",
		   "must be printable ASCII: character 6 is a no-break space "
		   "as copied from a spreadsheet or a web page: write a plain "
		   "space");
	/* "-" as Word writes it: an en dash, an em dash, a minus. */
	refused(TOP("case_stage", "'2026-03-10'", "'15'",
		    "'case_number':'CF\\u2013101','stage':'trial',"
		    "'victims':[],'persons':1,'article':'153'"),
		"case_number",
		"must be printable ASCII: character 3 is a dash as a word "
		"processor writes it: write a plain hyphen -");
	refused(TOP("case_stage", "'2026-03-10'", "'15'",
		    "'case_number':' FIS-2024\\u201415','stage':'trial',"
		    "'victims':[],'persons':1,'article':'153'"),
		"case_number",
		"must be printable ASCII: character 10 is a dash as a word "
		"processor writes it: write a plain hyphen -");
	refused_as(INST_MIMP, RR_NUM("'OF\\u2212 77'"), "referral_number",
		   "must be printable ASCII: character 3 is a dash as a word "
		   "processor writes it: write a plain hyphen -");
	refused_as(INST_MIMP, RR_NUM("' OF-77\\t'"), "referral_number",
		   "must be printable ASCII: character 7 is a tab or another "
		   "control character");
	refused_as(INST_MIMP, RR_NUM("''"), "referral_number",
		   "is empty: write the number as the document shows it (not "
		   "only spaces)");
	refused(TOP("case_stage", "'2026-03-10'", "'15'",
		    "'case_number':'  ','stage':'trial','victims':[],"
		    "'persons':1,'article':'153'"),
		"case_number",
		"is empty: write the number as the document shows it (not "
		"only spaces)");
	refused_as(INST_MIMP, RR_NUM("101"), "referral_number",
		   "must be a string in quotes written as on the document");
	refused_as(INST_MIMP, RR_NUM("true"), "referral_number",
		   "must be a string");
	refused_as(INST_MIMP,
		   TOP("referral_received", "'2026-03-12'", "'15'",
		       "'victim':" V_DNI ",'from':'PNP','referral_number':'1'"),
		   "from",
		   "must be pnp or mp or pj or mimp or minsa (in lower case)");
	refused(TOP("referral", "'2026-03-10'", "'15'",
		    "'victim':" V_DNI ",'to':'Mimp','purpose':'protection',"
		    "'referral_number':'1'"),
		"to",
		"must be pnp or mp or pj or mimp or minsa (in lower case)");
	refused_as(INST_MIMP,
		   TOP("service", "'2026-03-12'", "'15'",
		       "'victim':" V_DNI ",'service':'MEDICAL'"),
		   "service",
		   "must be one of residential_care or special_protection or "
		   "mental_health or medical or legal_aid or reintegration (in "
		   "lower case)");
	refused_as(
	    INST_MIMP,
	    TOP("service", "'2026-03-12'", "'15'",
		"'victim':" V_DNI ",'service':['medical','legal_aid']"),
	    "service",
	    "must be one service (a string) and not a list: send a record "
	    "for each service begun");
	refused_as(INST_MIMP,
		   TOP("identification", "'2026-03-12'", "'15'",
		       "'victim':" V_DNI ",'exploitation':['labour','Sexual']"),
		   "exploitation[1]",
		   "unknown form of exploitation (in lower case)");
	/* A case system's label of the code: spaces for its underscores,
	 * capitals perhaps. */
	refused_as(
	    INST_MIMP,
	    TOP("service", "'2026-03-12'", "'15'",
		"'victim':" V_DNI ",'service':'legal aid'"),
	    "service",
	    "must be one of residential_care or special_protection or "
	    "mental_health or medical or legal_aid or reintegration (with _ "
	    "for spaces)");
	refused_as(INST_MIMP,
		   TOP("identification", "'2026-03-12'", "'15'",
		       "'victim':" V_DNI
		       ",'exploitation':['Forced Criminality']"),
		   "exploitation[0]",
		   "unknown form of exploitation (lower case; _ for spaces)");
	refused(TOP("case_stage", "'2026-03-10'", "'15'",
		    "'case_number':'1','stage':'Formalized Investigation',"
		    "'victims':[],'persons':1,'article':'1'"),
		"stage",
		"must be one of complaint, preliminary_investigation, "
		"formalized_investigation, accusation, trial, conviction, "
		"acquittal, dismissal (lower case; _ for spaces)");
	/* A space at an end is not one for an underscore. */
	refused_as(
	    INST_MIMP,
	    TOP("service", "'2026-03-12'", "'15'",
		"'victim':" V_DNI ",'service':'medical '"),
	    "service",
	    "must be one of residential_care or special_protection or "
	    "mental_health or medical or legal_aid or reintegration (it has a "
	    "space at an end)");
	/* A word not known in any case, as before. */
	refused_as(INST_MIMP,
		   TOP("referral_received", "'2026-03-12'", "'15'",
		       "'victim':" V_DNI ",'from':'POLICIA',"
		       "'referral_number':'1'"),
		   "from", "must be pnp or mp or pj or mimp or minsa");
	/* What the sender wrote, as the destination retyped it: taken. */
	ok(INST_MIMP, RR_NUM("'  of-2026-0101-pnp '"));
}

/* A victim written with fields of her own, v's inside. */
#define V_WITH(v) "{" v ",'sex':'F','nationality':'PE','age':12}"
#define CASE_NUM(num)                                                          \
	TOP("case_stage", "'2026-03-10'", "'21'",                              \
	    "'case_number':" num ",'stage':'complaint','victims':[" V_DNI      \
	    "],'persons':1,'article':'153'")

/*
 * What a spreadsheet, a CSV-to-JSON tool or a case system writes where it
 * has no value, as text: null, None, NaN, undefined, N/A, S/N, a DNI of
 * zeros, 0000-00-00 (walk53). Taken, a name NULL or a document number
 * 00000000 would join every child so written into one victim, an oficio
 * S/N every referral so numbered into one. Each is refused saying so and
 * what to do; a real value that only looks like one is taken.
 */
static void
test_no_value_words(void **state)
{
	static const char out[] = "stands for no value (null or N/A or S/N or "
				  "zeros...): leave the field "
				  "out when it is not known";
	static const char doc[] =
	    "stands for no value (null or N/A or S/N or zeros...): leave the "
	    "document out; as a number it would join every child so written "
	    "into one";
	static const char num[] =
	    "stands for no value (null or N/A or S/N or zeros...): write the "
	    "number "
	    "the document shows; taken as one it would make every referral so "
	    "written one";

	(void)state;
	/* A reason lands in --report's CSV: no comma. */
	assert_null(strchr(out, ','));
	assert_null(strchr(doc, ','));
	assert_null(strchr(num, ','));
	held_only_as(INST_PNP, IDV(V_WITH("'given_names':'null'")),
		     "victim.given_names", out);
	held_only_as(INST_PNP, IDV(V_WITH("'surnames':'NULL'")),
		     "victim.surnames", out);
	held_only_as(INST_PNP, IDV(V_WITH("'surnames':' None '")),
		     "victim.surnames", out);
	held_only_as(INST_PNP, IDV(V_WITH("'given_names':'NaN'")),
		     "victim.given_names", out);
	held_only_as(INST_PNP, IDV(V_WITH("'given_names':'undefined'")),
		     "victim.given_names", out);
	refused(IDV("{'birth_date':'null','sex':'F','nationality':'PE'}"),
		"victim.birth_date", out);
	refused(IDV("{'birth_date':'0000-00-00','sex':'F','nationality':'PE',"
		    "'age':3}"),
		"victim.birth_date", out);
	held_only_as(
	    INST_PNP,
	    IDV(V_WITH("'document':{'type':'DNI','number':'00000000'}")),
	    "victim.document.number", doc);
	held_only_as(
	    INST_PNP,
	    IDV(V_WITH("'document':{'type':'DNI','number':'0000-0000'}")),
	    "victim.document.number", doc);
	held_only_as(INST_PNP,
		     IDV(V_WITH("'document':{'type':'OTHER','number':'null'}")),
		     "victim.document.number", doc);
	held_only_as(INST_PNP,
		     IDV(V_WITH("'document':{'type':'CE','number':'0'}")),
		     "victim.document.number", doc);
	refused(IDV(V_WITH("'document':{'type':'PASSPORT','number':'N/A'}")),
		"victim.document.number", doc);
	refused(IDV(V_WITH("'document':{'type':'','number':''}")),
		"victim.document.type",
		"is empty: leave the document out when the victim has none");
	refused(
	    IDV(V_WITH("'document':{'type':'null','number':'null'}")),
	    "victim.document.type",
	    "stands for no value (null or N/A or S/N or zeros...): leave the "
	    "document out when the victim has none");
	held_only_as(INST_MIMP, RR_NUM("'null'"), "referral_number", num);
	held_only_as(INST_MIMP, RR_NUM("' s/n '"), "referral_number", num);
	held_only_as(INST_MIMP, RR_NUM("'S/N'"), "referral_number", num);
	held_only_as(INST_MIMP, RR_NUM("'0'"), "referral_number", num);
	held_only_as(INST_PNP, RF_NUM("'N/A'"), "referral_number", num);
	held_only_as(
	    INST_PNP, CASE_NUM("'NULL'"), "case_number",
	    "stands for no value (null or N/A or S/N or zeros...): write the "
	    "number the document shows; taken as one it would make every "
	    "case so written one");
	refused(TOP("identification", "'null'", "'15'", BID), "date",
		"stands for no value (null or N/A or S/N or zeros...): write "
		"the day "
		"it happened");
	refused(TOP("identification", "'0000-00-00'", "'15'", BID), "date",
		"stands for no value (null or N/A or S/N or zeros...): write "
		"the day "
		"it happened");
	/* Values that hold such a word, or zeros, among others: taken. */
	ok(INST_PNP, IDV(V_WITH("'given_names':'Nancy Nina'")));
	ok(INST_PNP, IDV(V_WITH("'surnames':'Sanchez Na'")));
	/* Short words that are names too: Na, Nan, Sn (not pandas' NaN). */
	ok(INST_PNP, IDV(V_WITH("'surnames':'Na'")));
	ok(INST_PNP, IDV(V_WITH("'surnames':'NA'")));
	ok(INST_PNP, IDV(V_WITH("'given_names':'Nan'")));
	ok(INST_PNP, IDV(V_WITH("'given_names':'NAN'")));
	ok(INST_PNP, IDV(V_WITH("'surnames':'Sn'")));
	held_only_as(INST_PNP, IDV(V_WITH("'surnames':'N/A'")),
		     "victim.surnames", out);
	ok(INST_PNP,
	   IDV(V_WITH("'document':{'type':'DNI','number':'00012345'}")));
	ok(INST_PNP,
	   IDV(V_WITH("'document':{'type':'CE','number':'000-001'}")));
	ok(INST_MIMP, RR_NUM("'SN-2026-1'"));
	ok(INST_MIMP, RR_NUM("'NULL-0'"));
	ok(INST_MIMP, RR_NUM("'0-1'"));
	ok(INST_PNP, CASE_NUM("'0000-2026'"));
}

/*
 * A spreadsheet's empty cell in a required word (sex, nationality, the
 * date), or a column with no header (a key ""): the reason says it is
 * empty and what to write, not the list of words a reader would take the
 * cell for a typo of (walk53).
 */
static void
test_empty_cells(void **state)
{
	(void)state;
	refused(IDV("{'sex':'','nationality':'PE','age':3}"), "victim.sex",
		"is empty: write U when it is not known");
	refused(IDV("{'sex':' ','nationality':'PE','age':3}"), "victim.sex",
		"is empty: write U when it is not known");
	refused(IDV("{'sex':'F','nationality':'','age':3}"),
		"victim.nationality",
		"is empty: write XX when it is not known");
	refused(IDV("{'sex':'F','nationality':'null','age':3}"),
		"victim.nationality",
		"stands for no value (null or N/A or S/N or zeros...): write "
		"XX when "
		"it is not known");
	refused(IDV("{'sex':'F','nationality':'N/A','age':3}"),
		"victim.nationality",
		"stands for no value (null or N/A or S/N or zeros...): write "
		"XX when "
		"it is not known");
	/* A whole number as a decimal, as pandas writes a column of ages
	 * with an empty cell: what to write; 12.5 is no whole number. */
	refused(IDV("{'sex':'F','nationality':'PE','age':12.0}"), "victim.age",
		"must be a whole number written without a decimal point (12 "
		"and not 12.0 as a spreadsheet may export it)");
	refused(TOP("case_stage", "'2026-03-10'", "'21'",
		    "'case_number':'F-1','stage':'complaint','victims':[" V_DNI
		    "],'persons':2.0,'article':'153'"),
		"persons",
		"must be a whole number written without a decimal point (12 "
		"and not 12.0 as a spreadsheet may export it)");
	refused(IDV("{'sex':'F','nationality':'PE','age':12.5}"), "victim.age",
		"must be a whole number");
	refused(IDV("{'sex':'F','nationality':'PE','age':1e300}"), "victim.age",
		"must be a whole number");
	/* NA and SN are Namibia's and Senegal's codes: taken. */
	ok(INST_PNP, IDV("{'sex':'F','nationality':'NA','age':3}"));
	ok(INST_PNP, IDV("{'sex':'F','nationality':'SN','age':3}"));
	refused(TOP("identification", "'2026-03-10'", "'15'", BID ",'':''"), "",
		"a field with no name (a column with no header in a "
		"spreadsheet's export): leave it out");
	refused(IDV("{'sex':'F','nationality':'PE','age':3,'':''}"), "victim",
		"a field with no name (a column with no header in a "
		"spreadsheet's export): leave it out");
}

static void
test_bad_cases(void **state)
{
	size_t i, n = sizeof(bad_cases) / sizeof(bad_cases[0]);
	const struct bad_case *c;
	enum institution inst;
	int r;

	(void)state;
	for (i = 0; i < n; i++) {
		c = &bad_cases[i];
		inst = c->inst == INST_NONE ? INST_PNP : c->inst;
		r = parse(inst, c->line, &pr);
		/* A ref holding the victim's identity is flagged, not
		 * refused: the node refuses it only for a record it does
		 * not hold already (test_intake). */
		if (strcmp(c->field, "ref") == 0 &&
		    strncmp(c->reason, "holds the victim's", 18) == 0) {
			if (r != 0 ||
			    strstr(pr.ref_identity, c->reason) == NULL)
				fail_msg("case %zu: got %d %s: %s flagged %s\n"
					 "  line %s",
					 i, r, err.field, err.reason,
					 pr.ref_identity, J(c->line));
			assert_null(strstr(pr.ref_identity, "1234"));
			continue;
		}
		if (c->reason == NULL) {
			if (r != 0)
				fail_msg("case %zu refused: %s: %s", i,
					 err.field, err.reason);
			continue;
		}
		if (r != -EINVAL)
			fail_msg("case %zu: accepted: %s", i, c->line);
		if (strcmp(err.field, c->field) != 0 ||
		    strstr(err.reason, c->reason) == NULL)
			fail_msg("case %zu: got %s: %s\n  want %s: ...%s...\n"
				 "  line %s",
				 i, err.field, err.reason, c->field, c->reason,
				 J(c->line));
		/* A reason lands in --report's CSV: no comma, but in the
		 * list of case stages (written with "or", that list and a
		 * hint would not fit a reason's 159 bytes). */
		if (strstr(err.reason, "complaint, ") == NULL &&
		    strchr(err.reason, ',') != NULL)
			fail_msg("case %zu: a comma in %s: %s", i, err.field,
				 err.reason);
		/* A reason never quotes the line. */
		assert_null(strstr(err.reason, "1234"));
		assert_null(strstr(err.reason, "Quispe"));
		assert_null(strstr(err.reason, "Ana"));
		assert_null(strstr(err.field, "Killa"));
		assert_null(strstr(err.field, "7391"));
		assert_null(strstr(err.field, "2011"));
	}
	/* Keep the table honest: at least one case per rule. */
	assert_true(n >= 100);
}

/* jansson's error text quotes the line; the reason must not. */
static void
test_json_error_has_no_identity(void **state)
{
	(void)state;
	assert_int_equal(parse(INST_PNP,
			       "{'kind':'identification','victim':{"
			       "'given_names':'Quispe' 'Mamani'}}",
			       &pr),
			 -EINVAL);
	assert_string_equal(err.field, "");
	assert_non_null(strstr(err.reason, "invalid JSON at column"));
	assert_null(strstr(err.reason, "Quispe"));
	assert_null(strstr(err.reason, "Mamani"));
	assert_null(strstr(err.reason, "near"));
	/* Nor the characters of a broken \u escape, which may be a name's. */
	assert_int_equal(parse(INST_PNP,
			       "{'kind':'identification','victim':{"
			       "'surnames':'Mamani\\uQuis'}}",
			       &pr),
			 -EINVAL);
	assert_non_null(strstr(err.reason, "invalid escape"));
	assert_null(strstr(err.reason, "Quis"));
	assert_null(strstr(err.reason, "Mamani"));
}

/* The column of a byte that is not UTF-8 is the byte's own, counted
 * from 1 like jansson's other columns: the first byte is column 1. A
 * UTF-16 file is named as such. */
static void
test_not_utf8_column(void **state)
{
	(void)state;
	assert_int_equal(parse(INST_PNP, "\xd1{}", &pr), -EINVAL);
	assert_string_equal(err.reason, "not UTF-8 text (byte 0xd1 at column "
					"1): save the file as UTF-8");
	assert_int_equal(parse(INST_PNP, "{\"kind\":\"\xcd\"}", &pr), -EINVAL);
	assert_non_null(strstr(err.reason, "(byte 0xcd at column 10)"));
	/* A file saved as UTF-16 says so, not "byte 0xff". */
	assert_int_equal(parse_n(INST_PNP, "\xff\xfe{\0}\0", 6, &pr), -EINVAL);
	assert_string_equal(err.reason,
			    "the line starts with a UTF-16 byte-order mark: "
			    "save the file as UTF-8");
	assert_int_equal(parse_n(INST_PNP, "\xfe\xff\0{", 4, &pr), -EINVAL);
	assert_non_null(strstr(err.reason, "UTF-16"));
}

static void
test_line_limits(void **state)
{
	char *line, *p;
	size_t i;

	(void)state;
	line = calloc(1, RECORD_MAX_LINE + 2);
	assert_non_null(line);
	memset(line, ' ', RECORD_MAX_LINE + 1);
	assert_int_equal(parse_n(INST_PNP, line, RECORD_MAX_LINE + 1, &pr),
			 -EINVAL);
	assert_string_equal(err.field, "");
	assert_non_null(strstr(err.reason, "longer than"));

	/* 256 victims are fine, 257 are not. */
	p = line;
	p += sprintf(p, "%s",
		     J("{'kind':'case_stage','ref':'c','date':"
		       "'2026-03-10','region':'15','case_number':"
		       "'F','stage':'trial','persons':1,"
		       "'article':'1','victims':["));
	for (i = 0; i < EVENT_MAX_CASE_VICTIMS; i++)
		p += sprintf(p, "%s%s", i ? "," : "", J(V_ANON));
	strcpy(p, "]}");
	assert_int_equal(parse_n(INST_MP, line, strlen(line), &pr), 0);
	assert_int_equal(pr.ev.rec.n_victims, EVENT_MAX_CASE_VICTIMS);
	assert_int_equal(pr.unlinkable, EVENT_MAX_CASE_VICTIMS);
	assert_int_equal(event_check(&pr.ev, NULL), 0);
	sprintf(p, ",%s]}", J(V_ANON));
	assert_int_equal(parse_n(INST_MP, line, strlen(line), &pr), -EINVAL);
	assert_string_equal(err.field, "victims");
	assert_non_null(strstr(err.reason, "more than 256"));
	free(line);
}

/* The same line gives the same bytes, every time. */
static void
test_idempotent(void **state)
{
	static const char *const lines[] = {L_ID,   L_REF, L_SVC,
					    L_CASE, L_COR, L_WD};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(parse(INST_PNP, lines[i], &pr), 0);
		assert_int_equal(parse(INST_PNP, lines[i], &pr2), 0);
		assert_memory_equal(&pr, &pr2, sizeof(pr));
	}
	/* Another institution: another event id, same pseudonyms. */
	assert_int_equal(parse(INST_PNP, L_ID, &pr), 0);
	assert_int_equal(parse(INST_MINSA, L_ID, &pr2), 0);
	assert_memory_not_equal(pr.ev.id, pr2.ev.id, EVENT_ID_LEN);
	assert_memory_equal(&pr.ev.rec, &pr2.ev.rec, sizeof(pr.ev.rec));
}

/* Spelling variants of one victim link; different people do not. */
static void
test_linkage(void **state)
{
	uint8_t a[PSEUDONYM_LEN];

	(void)state;
	ok(INST_PNP, IDV(V_NAMES));
	memcpy(a, pr.ev.rec.victim.name_key, sizeof(a));
	ok(INST_MIMP, IDV("{'given_names':'MARIA  JOSE ','surnames':"
			  "'Nahui-Quispe','birth_date':'2010-03-11',"
			  "'sex':'F','nationality':'PE','age':99}"));
	assert_memory_equal(pr.ev.rec.victim.name_key, a, sizeof(a));
	ok(INST_MIMP, IDV("{'given_names':'Mari\\u0301a Jose\\u0301',"
			  "'surnames':'N\\u0303ahui Quispe',"
			  "'birth_date':'2010-03-11','sex':'F',"
			  "'nationality':'BO'}"));
	assert_memory_equal(pr.ev.rec.victim.name_key, a, sizeof(a));
	ok(INST_MIMP, IDV("{'given_names':'Maria Jose','surnames':"
			  "'Nahui Quispe','birth_date':'2010-03-12',"
			  "'sex':'F','nationality':'PE'}"));
	assert_memory_not_equal(pr.ev.rec.victim.name_key, a, sizeof(a));
	ok(INST_MIMP, IDV("{'given_names':'Maria Jose','surnames':"
			  "'Nahui Quispe','birth_date':'2010-03-11',"
			  "'sex':'U','nationality':'PE'}"));
	assert_memory_not_equal(pr.ev.rec.victim.name_key, a, sizeof(a));

	/* Quechua apostrophes, in any of their forms. */
	ok(INST_PNP, IDV("{'given_names':'Ch\\u2019aska','surnames':"
			 "'K`ana','birth_date':'2012-01-01','sex':'F',"
			 "'nationality':'PE'}"));
	memcpy(a, pr.ev.rec.victim.name_key, sizeof(a));
	ok(INST_MP, IDV("{'given_names':'Chaska','surnames':'K\\u02bcana',"
			"'birth_date':'2012-01-01','sex':'F',"
			"'nationality':'PE'}"));
	assert_memory_equal(pr.ev.rec.victim.name_key, a, sizeof(a));

	/* Dashes and spaces in a DNI do not count. */
	ok(INST_PNP, IDV("{'document':{'type':'DNI','number':'4072-1856'},"
			 "'given_names':'Ana','sex':'F','nationality':'PE',"
			 "'age':3}"));
	memcpy(a, pr.ev.rec.victim.doc_key, sizeof(a));
	ok(INST_PJ, IDV(V_DNI));
	assert_memory_equal(pr.ev.rec.victim.doc_key, a, sizeof(a));
	assert_false(pr.ev.rec.victim.has_name_key);
}

/* A victim with a document and the four name fields yields both match
 * keys, each the one it would yield alone (EVENTS.md, linking v2). */
static void
test_both_keys(void **state)
{
	uint8_t doc[PSEUDONYM_LEN], name[PSEUDONYM_LEN];
	const struct victim *v = &pr.ev.rec.victim;

	(void)state;
	ok(INST_PNP, IDV(V_NAMES));
	memcpy(name, v->name_key, sizeof(name));
	ok(INST_PNP, IDV(V_DNI));
	memcpy(doc, v->doc_key, sizeof(doc));
	ok(INST_MIMP, IDV("{'document':{'type':'DNI','number':'4072 1856'},"
			  "'given_names':'Maria Jose','surnames':"
			  "'NAHUI-QUISPE','birth_date':'2010-03-11',"
			  "'sex':'F','nationality':'PE'}"));
	assert_int_equal(v->doc_type, DOC_DNI);
	assert_memory_equal(v->doc_key, doc, sizeof(doc));
	assert_true(v->has_name_key);
	assert_memory_equal(v->name_key, name, sizeof(name));
	assert_false(v->has_v1_key);
	assert_int_equal(pr.unlinkable, 0);
	/* The type travels in clear; the same number under another type is
	 * another key. */
	ok(INST_MIMP, IDV("{'document':{'type':'CE','number':'40721856'},"
			  "'sex':'F','nationality':'PE','age':15}"));
	assert_int_equal(v->doc_type, DOC_CE);
	assert_memory_not_equal(v->doc_key, doc, sizeof(doc));
	ok(INST_MIMP, IDV("{'document':{'type':'OTHER','number':'x-1'},"
			  "'sex':'F','nationality':'PE','age':15}"));
	assert_int_equal(v->doc_type, DOC_OTHER);
	/* A case stage's victims each get theirs. */
	ok(INST_MP, CASEV("[" V_ANON "," V_DNI "," V_NAMES "]"));
	assert_false(victim_linkable(&pr.ev.rec.victims[0]));
	assert_memory_equal(pr.ev.rec.victims[1].doc_key, doc, sizeof(doc));
	assert_false(pr.ev.rec.victims[1].has_name_key);
	assert_int_equal(pr.ev.rec.victims[2].doc_type, DOC_NONE);
	assert_memory_equal(pr.ev.rec.victims[2].name_key, name, sizeof(name));
}

static void
test_unlinkable(void **state)
{
	(void)state;
	ok(INST_PNP, IDV(V_ANON));
	assert_false(victim_linkable(&pr.ev.rec.victim));
	assert_int_equal(pr.unlinkable, 1);
	assert_string_equal(pr.unlinkable_field, "victim");
	/* Names without a birth date do not make a link key. */
	ok(INST_PNP, IDV("{'given_names':'Ana','surnames':'Quispe',"
			 "'sex':'F','nationality':'PE','age':3}"));
	assert_false(victim_linkable(&pr.ev.rec.victim));
	assert_int_equal(pr.unlinkable, 1);
	/* Nor a birth date with only one of the names. */
	ok(INST_PNP, IDV("{'surnames':'Quispe','birth_date':'2020-01-01',"
			 "'sex':'F','nationality':'PE'}"));
	assert_false(victim_linkable(&pr.ev.rec.victim));
	assert_int_equal(pr.unlinkable, 1);
	ok(INST_PNP, IDV(V_NAMES));
	assert_true(victim_linkable(&pr.ev.rec.victim));
	assert_int_equal(pr.unlinkable, 0);
	ok(INST_MP, CASEV("[" V_ANON "," V_DNI "," V_ANON "," V_NAMES "]"));
	assert_int_equal(pr.unlinkable, 2);
	ok(INST_PNP, L_WD);
	assert_int_equal(pr.unlinkable, 0);
}

/* A victim with document type t and number n, and her names. */
#define V_DOC_NAMES(t, n)                                                      \
	"{'document':{'type':'" t "','number':'" n "'},"                       \
	"'given_names':'María José','surnames':'Ñahui Quispe',"             \
	"'birth_date':'2010-03-11','sex':'F','nationality':'PE'}"
#define V_DOC(t, n)                                                            \
	"{'document':{'type':'" t "','number':'" n "'},'sex':'F',"             \
	"'nationality':'PE','age':15}"

/*
 * A document number a case system fills in for one it does not have
 * (99999999, 12345678) is taken as no document: the line is accepted,
 * the victim links by her name key or is unlinkable, and the first such
 * number's path is kept for the warning. A number one step off is real
 * and links; zeros stay taken only for a record held (test_no_value).
 */
static void
test_placeholder(void **state)
{
	static const char *const dnis[] = {"99999999", "11111111", "12345678",
					   "87654321", "01234567", "2222-2222",
					   NULL};
	uint8_t name[PSEUDONYM_LEN], none[PSEUDONYM_LEN] = {0}, *evb;
	const struct victim *v = &pr.ev.rec.victim;
	static struct event dec;
	size_t i, evlen;

	(void)state;
	ok(INST_PNP, IDV(V_NAMES));
	memcpy(name, v->name_key, sizeof(name));
	ok(INST_PNP, IDV(V_DOC_NAMES("DNI", "99999999")));
	assert_int_equal(v->doc_type, DOC_NONE);
	/* Its key, kept to tell a record an older node stored with it,
	 * is in no event encoded. */
	assert_int_equal(pr.placeholder_type[0], DOC_DNI);
	assert_memory_not_equal(v->doc_key, none, sizeof(none));
	assert_int_equal(codec_event_encode(&pr.ev, &evb, &evlen), 0);
	assert_int_equal(codec_event_decode(evb, evlen, &dec), 0);
	free(evb);
	assert_int_equal(dec.rec.victim.doc_type, DOC_NONE);
	assert_memory_equal(dec.rec.victim.doc_key, none, sizeof(none));
	record_placeholder_form(&pr, true);
	assert_int_equal(v->doc_type, DOC_DNI);
	record_placeholder_form(&pr, false);
	assert_int_equal(v->doc_type, DOC_NONE);
	assert_true(v->has_name_key);
	assert_memory_equal(v->name_key, name, sizeof(name));
	assert_int_equal(pr.placeholder, 1);
	assert_string_equal(pr.placeholder_field, "victim.document.number");
	assert_int_equal(pr.unlinkable, 0);
	for (i = 0; dnis[i] != NULL; i++) {
		char line[512];
		snprintf(line, sizeof(line),
			 IDV("{'document':{'type':'DNI','number':'%s'},"
			     "'sex':'F','nationality':'PE','age':15}"),
			 dnis[i]);
		ok(INST_PNP, line);
		if (pr.placeholder != 1 || v->doc_type != DOC_NONE)
			fail_msg("%s taken as a document", dnis[i]);
		/* No name key either: unlinkable, and warned as such. */
		assert_int_equal(pr.unlinkable, 1);
	}
	/* Other types alike. */
	ok(INST_MIMP, IDV(V_DOC("CE", "999999999")));
	assert_int_equal(pr.placeholder, 1);
	assert_int_equal(v->doc_type, DOC_NONE);
	ok(INST_MIMP, IDV(V_DOC("PASSPORT", "xxxxxxx")));
	assert_int_equal(pr.placeholder, 1);
	/* Near misses are real numbers. */
	ok(INST_PNP, IDV(V_DOC("DNI", "11111112")));
	assert_int_equal(pr.placeholder, 0);
	assert_int_equal(v->doc_type, DOC_DNI);
	ok(INST_PNP, IDV(V_DOC("DNI", "12345679")));
	assert_int_equal(pr.placeholder, 0);
	assert_int_equal(v->doc_type, DOC_DNI);
	ok(INST_MIMP, IDV(V_DOC("CE", "001234568")));
	assert_int_equal(pr.placeholder, 0);
	/* A case stage's: counted, the first one's path kept. */
	ok(INST_MP,
	   CASEV("[" V_DNI
		 "," V_DOC("DNI", "99999999") "," V_NAMES "," V_DOC_NAMES(
		     "DNI", "12345678") "]"));
	assert_int_equal(pr.placeholder, 2);
	assert_string_equal(pr.placeholder_field, "victims[1].document.number");
	assert_int_equal(pr.ev.rec.victims[0].doc_type, DOC_DNI);
	assert_int_equal(pr.ev.rec.victims[1].doc_type, DOC_NONE);
	assert_int_equal(pr.ev.rec.victims[3].doc_type, DOC_NONE);
	assert_memory_equal(pr.ev.rec.victims[3].name_key, name, sizeof(name));
	assert_int_equal(pr.unlinkable, 1);
	/* Their types by place, the record's own victim first. */
	assert_int_equal(pr.placeholder_type[0], DOC_NONE);
	assert_int_equal(pr.placeholder_type[1], DOC_NONE);
	assert_int_equal(pr.placeholder_type[2], DOC_DNI);
	assert_int_equal(pr.placeholder_type[4], DOC_DNI);
	record_placeholder_form(&pr, true);
	assert_int_equal(pr.ev.rec.victims[0].doc_type, DOC_DNI);
	assert_int_equal(pr.ev.rec.victims[1].doc_type, DOC_DNI);
	assert_int_equal(pr.ev.rec.victims[2].doc_type, DOC_NONE);
	assert_int_equal(pr.ev.rec.victims[3].doc_type, DOC_DNI);
	record_placeholder_form(&pr, false);
	assert_int_equal(pr.ev.rec.victims[0].doc_type, DOC_DNI);
	assert_int_equal(pr.ev.rec.victims[1].doc_type, DOC_NONE);
	/* A ref that holds a placeholder holds no one's number. */
	ok(INST_PNP, "{'kind':'identification','ref':'DNI-12345678',"
		     "'date':'2026-03-10','region':'15','victim':" V_DOC(
			 "DNI", "12345678") ",'exploitation':['sexual']}");
	/* Zeros: as before, held only, their key kept as an older node
	 * made it. */
	assert_int_equal(parse(INST_PNP, IDV(V_DOC("DNI", "00000000")), &pr),
			 0);
	assert_true(pr.held_only);
	assert_int_equal(pr.placeholder, 0);
	assert_int_equal(v->doc_type, DOC_DNI);
}

/* A victim with age and a birth date that gives 13 on 2026-03-10. */
#define V_AGE(age)                                                             \
	"{'birth_date':'2012-05-05','age':" age ",'sex':'F',"                  \
	"'nationality':'PE'}"

/*
 * Age and birth date both written: the birth date counts, and an age more
 * than a year off it is noted (a year either way is an age taken on
 * another day), with its path and both ages, never the birth date.
 */
static void
test_age_disagrees(void **state)
{
	(void)state;
	ok(INST_PNP, IDV(V_AGE("13")));
	assert_int_equal(pr.ev.rec.victim.age_years, 13);
	assert_int_equal(pr.age_mismatch, 0);
	assert_string_equal(pr.age_field, "");
	ok(INST_PNP, IDV(V_AGE("12")));
	assert_int_equal(pr.age_mismatch, 0);
	ok(INST_PNP, IDV(V_AGE("14")));
	assert_int_equal(pr.age_mismatch, 0);
	ok(INST_PNP, IDV(V_AGE("11")));
	assert_int_equal(pr.ev.rec.victim.age_years, 13);
	assert_int_equal(pr.ev.rec.victim.age_group, AGE_12_13);
	assert_int_equal(pr.age_mismatch, 1);
	assert_string_equal(pr.age_field, "victim.age");
	assert_int_equal(pr.age_written, 11);
	assert_int_equal(pr.age_computed, 13);
	ok(INST_PNP, IDV(V_AGE("15")));
	assert_int_equal(pr.age_mismatch, 1);
	assert_int_equal(pr.age_written, 15);
	/* No birth date: the age is all there is. */
	ok(INST_PNP, IDV("{'age':4,'sex':'F','nationality':'PE'}"));
	assert_int_equal(pr.age_mismatch, 0);
	/* A case stage's victims: the first one named, all counted. */
	ok(INST_MP, CASEV("[" V_AGE("13") "," V_AGE("9") "," V_AGE(
			"12") "," V_AGE("17") "]"));
	assert_int_equal(pr.age_mismatch, 2);
	assert_string_equal(pr.age_field, "victims[1].age");
	assert_int_equal(pr.age_written, 9);
	assert_int_equal(pr.age_computed, 13);
	assert_int_equal(pr.ev.rec.victims[1].age_years, 13);
}

/* record_init() routes jansson's memory through the wiping allocator. */
static void
test_init(void **state)
{
	json_malloc_t m;
	json_free_t f;

	(void)state;
	record_init();
	record_init();
	json_get_alloc_funcs(&m, &f);
	assert_true(m != malloc);
	assert_true(f != free);
}

/*
 * The line's ref, for kuska submit's --report: read whatever else is
 * wrong with the line (a bad date, an unknown kind), kept when it is
 * taken, "" where there is none the node would take.
 */
static void
test_error_ref(void **state)
{
	(void)state;
	assert_int_equal(
	    parse(INST_PNP, TOP("identification", "'04/10/2025'", "'15'", BID),
		  &pr),
	    -EINVAL);
	assert_string_equal(err.ref, "x-1");
	assert_int_equal(parse(INST_PNP, "{'kind':'arrest','ref':'k-9'}", &pr),
			 -EINVAL);
	assert_string_equal(err.ref, "k-9");
	assert_int_equal(
	    parse(INST_PNP, TOP("identification", "'2026-03-10'", "'15'", BID),
		  &pr),
	    0);
	assert_string_equal(err.ref, "x-1");
	assert_int_equal(parse(INST_PNP, "{'kind':'identification'}", &pr),
			 -EINVAL);
	assert_string_equal(err.ref, "");
	assert_int_equal(parse(INST_PNP, "{'ref':''}", &pr), -EINVAL);
	assert_string_equal(err.ref, "");
	assert_int_equal(parse(INST_PNP, "{'ref':7}", &pr), -EINVAL);
	assert_string_equal(err.ref, "");
	assert_int_equal(parse(INST_PNP, "{'ref':'a\\tb'}", &pr), -EINVAL);
	assert_string_equal(err.ref, "");
	assert_int_equal(parse(INST_PNP, "{'ref':'k-1',", &pr), -EINVAL);
	assert_string_equal(err.ref, "");
	/* A ref holding the victim's identity is not handed back when the
	 * line is refused for anything else: --report would copy it. */
	assert_int_equal(
	    parse(INST_PNP,
		  IDREF("DNI-40721856",
			"{'document':{'type':'DNI','number':'40721856'},"
			"'sex':'X','nationality':'PE','age':12}"),
		  &pr),
	    -EINVAL);
	assert_string_equal(err.field, "victim.sex");
	assert_string_equal(err.ref, "");
	/* A withdrawal carries no victim to check its ref against: its
	 * ref, which may hold one's identity, is never handed back, taken
	 * or refused (left50: --report copied it). */
	assert_int_equal(parse(INST_PNP, L_WD, &pr), 0);
	assert_string_equal(pr.ref, "wd-1");
	assert_string_equal(err.ref, "");
	assert_int_equal(parse(INST_PNP,
			       "{'kind':'withdrawal','ref':'WD-40721856',"
			       "'target_ref':'b'}",
			       &pr),
			 0);
	assert_string_equal(err.ref, "");
	assert_int_equal(parse(INST_PNP,
			       "{'kind':'withdrawal','ref':'WD-40721856',"
			       "'target_ref':'b','colour':1}",
			       &pr),
			 -EINVAL);
	assert_string_equal(err.field, "colour");
	assert_string_equal(err.ref, "");
}

/* w - record_line_is_withdrawal() of line, its ' turned into ". */
static bool
w(const char *line)
{
	const char *s = J(line);

	return record_line_is_withdrawal(s, strlen(s));
}

/*
 * kuska submit tells a withdrawal's line itself, as record_parse() does,
 * so that its --report leaves the ref out whatever an older node hands
 * back: taken or refused, "kind" spelled with escapes too; not another
 * kind that only names the word, nor a line that is no JSON object.
 */
static void
test_line_is_withdrawal(void **state)
{
	(void)state;
	assert_true(w(L_WD));
	assert_true(w("{'kind':'withdrawal','ref':'WD-40721856',"
		      "'target_ref':'b','colour':1}"));
	assert_true(w("{'ref':'a','kind':'withdr\\u0061wal'}"));
	assert_true(w("{'kind':'withdrawal'}"));
	assert_false(w(L_ID));
	assert_false(w("{'kind':'identification','ref':'withdrawal'}"));
	assert_false(w("{'kind':'correction','ref':'a','target_ref':"
		       "'withdrawal','record':{'kind':'withdrawal'}}"));
	assert_false(w("['kind','withdrawal']"));
	assert_false(w("{'kind':'withdrawal',"));
	/* A key twice is refused by the parser before its kind is read. */
	assert_false(w("{'kind':'withdrawal','kind':'withdrawal'}"));
	assert_false(w("{'kind':'withdrawals'}"));
	assert_false(w(""));
}

/*
 * Only a line that may spell the word is parsed: each of its letters
 * escaped (\u00xx, either case) is still told; an export written with
 * every accent escaped (Python's json.dumps) is not parsed line by line.
 */
static void
test_line_is_withdrawal_escapes(void **state)
{
	static const char *const escaped[] = {
	    "{'kind':'\\u0077ithdrawal'}",
	    "{'kind':'w\\u0069thdrawal'}",
	    "{'kind':'wi\\u0074hdrawal'}",
	    "{'kind':'wit\\u0068drawal'}",
	    "{'kind':'with\\u0064rawal'}",
	    "{'kind':'withd\\u0072awal'}",
	    "{'kind':'withdr\\u0061wal'}",
	    "{'kind':'withdrawa\\u006C'}",
	    "{'kind':'withdrawa\\u006c'}",
	    "{'kind':'\\u0077\\u0069thdrawal'}",
	    "{'\\u006bind':'withdr\\u0061wal'}"};
	unsigned long before;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(escaped) / sizeof(escaped[0]); i++)
		assert_true(w(escaped[i]));
	before = lines_parsed;
	assert_false(w("{'kind':'identification','ref':'a','victim':{"
		       "'given_names':'Mar\\u00eda Jos\\u00e9','surnames':"
		       "'N\\u00fa\\u00f1ez','note':'\\u0000\\u00'}}"));
	assert_false(w("{'kind':'referral','ref':'\\u4f8b'}"));
	assert_int_equal(lines_parsed, before);
}

/* A line with ref r, date d, region g and victim v. */
#define DREF(r, d, g, v)                                                       \
	"{'kind':'identification','ref':'" r "','date':'" d "','region':'" g   \
	"','victim':" v ",'exploitation':['sexual']}"

/* ref_back - parses line, which must be refused for field, and says
 * whether its ref was handed back. */
static bool
ref_back(const char *line, const char *field)
{
	assert_int_equal(parse(INST_PNP, line, &pr), -EINVAL);
	assert_string_equal(err.field, field);
	/* A ref handed back holds no identity to tell of. */
	if (err.ref[0] != '\0')
		assert_string_equal(err.ref_identity, "");
	return err.ref[0] != '\0';
}

/*
 * ref_told - parses line, which must be refused for field, and returns
 * what its ref was found to hold too ("" none), checking that the ref
 * kept for the node's look-up is ref.
 */
static const char *
ref_told(const char *line, const char *field, const char *ref)
{
	assert_int_equal(parse(INST_PNP, line, &pr), -EINVAL);
	assert_string_equal(err.field, field);
	assert_string_equal(err.ref, "");
	assert_string_equal(err.identity_ref,
			    err.ref_identity[0] != '\0' ? ref : "");
	return err.ref_identity;
}

/*
 * A line refused for another field whose ref holds its victim's identity
 * says so too (the node tells the officer both at once), whether the
 * victims were read before the refusal or scanned after it; a ref that
 * holds none, or one beside a victim that cannot be read, says nothing.
 */
static void
test_error_ref_identity_told(void **state)
{
	(void)state;
	assert_string_equal(
	    ref_told(DREF("DNI-40721856", "10/03/2026", "15", V_DNI), "date",
		     "DNI-40721856"),
	    "holds the victim's document number: the node keeps each ref in "
	    "clear on its disk; use the case system's own record key");
	assert_non_null(strstr(
	    ref_told(DREF("EXP-Nahui-Quispe-1", "2026-03-10", "99", V_NAMES),
		     "region", "EXP-Nahui-Quispe-1"),
	    "holds the victim's name: "));
	/* Refused after her victim was parsed. */
	assert_non_null(
	    strstr(ref_told(IDREF("DNI-40721856",
				  "{'document':{'type':'DNI','number':"
				  "'40721856'},'sex':'X','nationality':'PE',"
				  "'age':12}"),
			    "victim.sex", "DNI-40721856"),
		   "holds the victim's document number: "));
	assert_true(
	    ref_back(DREF("PNP-2026-7", "10/03/2026", "15", V_DNI), "date"));
	assert_string_equal(err.ref_identity, "");
	assert_false(ref_back(DREF("PNP-2026-7", "2026-03-10", "15",
				   "{'document':{'type':'DNI','number':"
				   "'1234567'},'sex':'F','nationality':'PE',"
				   "'age':12}"),
			      "victim.document.number"));
	assert_string_equal(err.ref_identity, "");
	assert_string_equal(err.identity_ref, "");
}

/*
 * A line refused for a field read before its victims (a bad date, kind,
 * region, case number, a correction's target) is checked for a ref that
 * holds a victim's identity all the same, her document, names and birth
 * date read alone: such a ref is not handed back; one that holds none
 * is. When a victim's identity cannot be read, the ref is not handed back
 * either: nothing tells whether it holds it.
 */
static void
test_error_ref_identity(void **state)
{
	(void)state;
	assert_false(
	    ref_back(DREF("DNI-40721856", "10/03/2026", "15", V_DNI), "date"));
	assert_true(
	    ref_back(DREF("PNP-2026-7", "10/03/2026", "15", V_DNI), "date"));
	assert_false(ref_back(
	    DREF("PNP-20150312-7", "2026-03-10", "Lima", V_BIRTH), "region"));
	assert_false(ref_back(
	    DREF("EXP-Nahui-Quispe-1", "2026-03-10", "99", V_NAMES), "region"));
	assert_true(ref_back(DREF("EXP-Quispe-1", "2026-03-10", "99", V_NAMES),
			     "region"));
	assert_false(ref_back("{'kind':'arrest','ref':'zoilamarta-1',"
			      "'victim':" V_ZOILA "}",
			      "kind"));
	assert_false(ref_back("{'kind':'identification','ref':'DNI-40721856',"
			      "'victim':" V_DNI ",'nombre':'x'}",
			      "nombre"));
	/* A newborn's birth date is her record's date: taken. */
	assert_true(ref_back(DREF("PNP-20260310-7", "2026-03-10", "99",
				  "{'birth_date':'2026-03-10','sex':'F',"
				  "'nationality':'PE'}"),
			     "region"));
	/* A case stage refused before its victims: each is read, the
	 * second one's names here. */
	assert_false(ref_back("{'kind':'case_stage','ref':'maria-jose-1',"
			      "'date':'2026-03-10','region':'21','case_number':"
			      "'','stage':'trial','victims':[" V_DNI "," V_NAMES
			      "],'persons':2,'article':'153'}",
			      "case_number"));
	/* Refused at its first victim, the ref holding the second's. */
	assert_false(ref_back("{'kind':'case_stage','ref':'CE001234567',"
			      "'date':'2026-03-10','region':'21','case_number':"
			      "'F-1','stage':'trial','victims':[{'sex':'X',"
			      "'nationality':'PE','age':3},{'document':{'type':"
			      "'CE','number':'CE-001234567'},'sex':'F',"
			      "'nationality':'PE','age':12}],'persons':2,"
			      "'article':'153'}",
			      "victims[0].sex"));
	/* A correction refused at its target: its replacement's victim. */
	assert_false(ref_back("{'kind':'correction','ref':'co-40721856',"
			      "'record':{'kind':'identification','date':"
			      "'2026-03-11','region':'16','victim':" V_DNI
			      ",'exploitation':['begging']}}",
			      "target_ref"));
	assert_true(ref_back("{'kind':'correction','ref':'co-1',"
			     "'record':{'kind':'identification','date':"
			     "'2026-03-11','region':'16','victim':" V_DNI
			     ",'exploitation':['begging']}}",
			     "target_ref"));
	/* A victim whose identity cannot be read: not handed back. */
	assert_false(ref_back(DREF("PNP-2026-7", "2026-03-10", "15",
				   "{'document':{'type':'DNI','number':"
				   "'1234567'},'sex':'F','nationality':'PE',"
				   "'age':12}"),
			      "victim.document.number"));
	assert_false(ref_back(DREF("PNP-2026-7", "10/03/2026", "15",
				   "{'given_names':'Maria2','sex':'F',"
				   "'nationality':'PE','age':12}"),
			      "date"));
	assert_false(ref_back(DREF("PNP-2026-7", "10/03/2026", "15",
				   "{'birth_date':'12/03/2015','sex':'F',"
				   "'nationality':'PE'}"),
			      "date"));
	assert_false(ref_back(DREF("PNP-2026-7", "10/03/2026", "15", "'Maria'"),
			      "date"));
	/* An identity under a key the scan does not read (a first
	 * integration's Spanish keys): nothing tells, not handed back. */
	assert_false(ref_back(DREF("EXP-QUISPE-MAMANI-1", "2026-03-10", "15",
				   "{'nombres':'Rosa','apellidos':'Quispe "
				   "Mamani','sex':'F','nationality':'PE',"
				   "'age':12}"),
			      "victim.nombres"));
	assert_false(ref_back(DREF("EXP-QUISPE-MAMANI-1", "2026-03-10", "15",
				   "{'document':{'type':'DNI','number':"
				   "'40721856','nombre':'Rosa'},'sex':'F',"
				   "'nationality':'PE','age':12}"),
			      "victim.document.nombre"));
	assert_false(ref_back("{'kind':'identification','ref':"
			      "'EXP-QUISPE-MAMANI-1','date':'2026-03-10',"
			      "'region':'15','victima':{'given_names':'Rosa',"
			      "'surnames':'Quispe Mamani','sex':'F',"
			      "'nationality':'PE','age':12},'exploitation':"
			      "['sexual']}",
			      "victima"));
	assert_false(
	    ref_back("{'kind':'correction','ref':'EXP-QUISPE-MAMANI-2',"
		     "'target_ref':'EXP-1','registro':{'kind':"
		     "'identification','date':'2026-03-11','region':"
		     "'16','victim':{'given_names':'Rosa','surnames':"
		     "'Quispe Mamani','sex':'F','nationality':'PE',"
		     "'age':12},'exploitation':['begging']}}",
		     "registro"));
	/* No victim to read: a withdrawal's, never handed back (it was,
	 * unchecked). Nothing written: handed back. */
	assert_false(
	    ref_back("{'kind':'withdrawal','ref':'wd-1'}", "target_ref"));
	assert_true(ref_back(DREF("PNP-2026-7", "10/03/2026", "15",
				  "{'given_names':' ','document':null,"
				  "'sex':'F','nationality':'PE','age':12}"),
			     "date"));
	/* Taken, a record held under such a ref goes on: not handed back. */
	assert_int_equal(parse(INST_PNP, IDREF("DNI-40721856", V_DNI), &pr), 0);
	assert_string_not_equal(pr.ref_identity, "");
	assert_string_equal(err.ref, "");
	ok(INST_PNP, IDREF("PNP-2026-7", V_DNI));
	assert_string_equal(err.ref, "PNP-2026-7");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identification),
	    cmocka_unit_test(test_referrals),
	    cmocka_unit_test(test_service),
	    cmocka_unit_test(test_case_stage),
	    cmocka_unit_test(test_correction_withdrawal),
	    cmocka_unit_test(test_valid_variants),
	    cmocka_unit_test(test_article_forms),
	    cmocka_unit_test(test_bad_cases),
	    cmocka_unit_test(test_ref_not_document),
	    cmocka_unit_test(test_ref_not_birth),
	    cmocka_unit_test(test_ref_not_name),
	    cmocka_unit_test(test_ref_name_cost),
	    cmocka_unit_test(test_export_slips),
	    cmocka_unit_test(test_no_value_words),
	    cmocka_unit_test(test_empty_cells),
	    cmocka_unit_test(test_date_forms),
	    cmocka_unit_test(test_trailing_comma),
	    cmocka_unit_test(test_ministry_slips),
	    cmocka_unit_test(test_json_error_has_no_identity),
	    cmocka_unit_test(test_not_utf8_column),
	    cmocka_unit_test(test_line_limits),
	    cmocka_unit_test(test_idempotent),
	    cmocka_unit_test(test_linkage),
	    cmocka_unit_test(test_both_keys),
	    cmocka_unit_test(test_unlinkable),
	    cmocka_unit_test(test_placeholder),
	    cmocka_unit_test(test_age_disagrees),
	    cmocka_unit_test(test_init),
	    cmocka_unit_test(test_error_ref),
	    cmocka_unit_test(test_line_is_withdrawal),
	    cmocka_unit_test(test_line_is_withdrawal_escapes),
	    cmocka_unit_test(test_error_ref_identity),
	    cmocka_unit_test(test_error_ref_identity_told),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
